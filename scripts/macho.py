"""What a Mach-O executable asks of the Mac that runs it, read without a Mac.

Reads the 64-bit header and load commands (Apple's <mach-o/loader.h>; the code signature's
layout from <kern/cs_blobs.h>) and checks what makes a darwin build start on every Mac:

* the CPU type matches the platform of its zip;
* every library it loads is one every Mac has (/usr/lib/..., /System/Library/Frameworks/...);
* a minimum macOS version is set (LC_BUILD_VERSION or LC_VERSION_MIN_MACOSX), at most MAX_MINOS;
* on arm64, LC_CODE_SIGNATURE holds a code directory whose page hashes match the file:
  macOS kills arm64 code without a valid signature, and a strip after signing would break it.

    python3 scripts/macho.py darwin_arm64 path/to/executable
"""

import hashlib
import struct
import sys

MH_MAGIC_64 = 0xFEEDFACF
MH_EXECUTE = 2
CPU_TYPES = {"darwin_amd64": 0x01000007, "darwin_arm64": 0x0100000C}  # CPU_TYPE_X86_64, CPU_TYPE_ARM64
LC_REQ_DYLD = 0x80000000
DYLIB_COMMANDS = {0xC: "LC_LOAD_DYLIB", 0x18 | LC_REQ_DYLD: "LC_LOAD_WEAK_DYLIB", 0x1F | LC_REQ_DYLD: "LC_REEXPORT_DYLIB", 0x20: "LC_LAZY_LOAD_DYLIB", 0x23 | LC_REQ_DYLD: "LC_LOAD_UPWARD_DYLIB"}
LC_CODE_SIGNATURE = 0x1D
LC_VERSION_MIN_MACOSX = 0x24
LC_BUILD_VERSION = 0x32
PLATFORM_MACOS = 1
SYSTEM_PREFIXES = ("/usr/lib/", "/System/Library/Frameworks/")
MAX_MINOS = (12, 0, 0)
# Code signing blobs (big-endian).
CSMAGIC_EMBEDDED_SIGNATURE = 0xFADE0CC0
CSMAGIC_CODEDIRECTORY = 0xFADE0C02
CS_ADHOC = 0x2
HASH_TYPES = {1: ("sha1", 20), 2: ("sha256", 32)}


class MachOError(Exception):
    pass


def version_text(packed):
    """xxxx.yy.zz nibbles, as Apple packs versions."""
    return (packed >> 16, (packed >> 8) & 0xFF, packed & 0xFF)


def read(data):
    """The facts the checks need: cpu, libraries, minimum macOS, signature."""
    if len(data) < 32:
        raise MachOError("shorter than a Mach-O header")
    magic, cputype, _, filetype, ncmds, sizeofcmds = struct.unpack_from("<IiiIII", data, 0)
    if magic != MH_MAGIC_64:
        raise MachOError(f"not a 64-bit little-endian Mach-O (magic {magic:#x})")
    facts = {"cputype": cputype & 0xFFFFFFFF, "filetype": filetype, "libraries": [], "minos": None, "signature": None}
    offset, end = 32, 32 + sizeofcmds
    for _ in range(ncmds):
        cmd, cmdsize = struct.unpack_from("<II", data, offset)
        if cmdsize < 8 or offset + cmdsize > end:
            raise MachOError(f"load command {cmd:#x} at {offset} overruns the load commands")
        if cmd in DYLIB_COMMANDS:
            (name_offset,) = struct.unpack_from("<I", data, offset + 8)
            name = data[offset + name_offset : offset + cmdsize].split(b"\0", 1)[0].decode()
            facts["libraries"].append((DYLIB_COMMANDS[cmd], name))
        elif cmd == LC_BUILD_VERSION:
            platform, minos = struct.unpack_from("<II", data, offset + 8)
            if platform != PLATFORM_MACOS:
                raise MachOError(f"built for platform {platform}, not macOS ({PLATFORM_MACOS})")
            facts["minos"] = version_text(minos)
        elif cmd == LC_VERSION_MIN_MACOSX:
            (minos,) = struct.unpack_from("<I", data, offset + 8)
            facts["minos"] = version_text(minos)
        elif cmd == LC_CODE_SIGNATURE:
            facts["signature"] = struct.unpack_from("<II", data, offset + 8)  # dataoff, datasize
        offset += cmdsize
    return facts


def code_directory(data, dataoff, datasize):
    """The code directory of the embedded signature: (flags, hash name, size, page size, code
    limit, hashes offset, slots), all offsets from the start of the file."""
    blob = data[dataoff : dataoff + datasize]
    magic, _, count = struct.unpack_from(">III", blob, 0)
    if magic != CSMAGIC_EMBEDDED_SIGNATURE:
        raise MachOError(f"LC_CODE_SIGNATURE holds no embedded signature (magic {magic:#x})")
    for i in range(count):
        _, offset = struct.unpack_from(">II", blob, 12 + 8 * i)
        if struct.unpack_from(">I", blob, offset)[0] != CSMAGIC_CODEDIRECTORY:
            continue
        _, _, _, flags, hash_offset, _, _, slots, code_limit, hash_size, hash_type, _, page_log2 = struct.unpack_from(
            ">IIIIIIIIIBBBB", blob, offset
        )
        if hash_type not in HASH_TYPES or HASH_TYPES[hash_type][1] != hash_size:
            raise MachOError(f"code directory hash type {hash_type} of size {hash_size} is unknown")
        return flags, HASH_TYPES[hash_type][0], hash_size, 1 << page_log2, code_limit, dataoff + offset + hash_offset, slots
    raise MachOError("the embedded signature has no code directory")


def check_signature(data, signature):
    """The ad-hoc signature covers the file as it is: every page hash matches."""
    flags, hash_name, hash_size, page, code_limit, hashes, slots = code_directory(data, *signature)
    if slots != (code_limit + page - 1) // page:
        raise MachOError(f"{slots} page hashes for {code_limit} bytes of {page}-byte pages")
    for slot in range(slots):
        start = slot * page
        page_hash = hashlib.new(hash_name, data[start : min(start + page, code_limit)]).digest()
        if page_hash != data[hashes + slot * hash_size : hashes + (slot + 1) * hash_size]:
            raise MachOError(f"page {slot} (bytes {start}..) does not match its signed hash: changed after signing")
    kind = "ad-hoc signature" if flags & CS_ADHOC else f"signature (flags {flags:#x})"
    return f"{kind}, {slots} {hash_name} page hashes match"


def check(platform, data):
    """Every finding about an executable for `platform`; raises MachOError on the first problem."""
    facts = read(data)
    said = []
    if facts["filetype"] != MH_EXECUTE:
        raise MachOError(f"file type {facts['filetype']}, not an executable")
    if facts["cputype"] != CPU_TYPES[platform]:
        raise MachOError(f"CPU type {facts['cputype']:#x}, but {platform} needs {CPU_TYPES[platform]:#x}")
    said.append(f"CPU type {facts['cputype']:#x}")
    for command, name in facts["libraries"]:
        if not name.startswith(SYSTEM_PREFIXES):
            raise MachOError(f"{command} {name}: not a library every Mac has")
    said.append("loads " + ", ".join(name for _, name in facts["libraries"]))
    if facts["minos"] is None:
        raise MachOError("no minimum macOS version (LC_BUILD_VERSION)")
    if facts["minos"] > MAX_MINOS:
        raise MachOError(f"needs macOS {'.'.join(map(str, facts['minos']))}, newer than {'.'.join(map(str, MAX_MINOS))}")
    said.append("macOS " + ".".join(map(str, facts["minos"])) + " or later")
    if facts["signature"] is None:
        if platform == "darwin_arm64":
            raise MachOError("no LC_CODE_SIGNATURE: macOS kills unsigned arm64 code")
        said.append("unsigned")
    else:
        said.append(check_signature(data, facts["signature"]))
    return said


def main():
    platform, path = sys.argv[1], sys.argv[2]
    try:
        said = check(platform, open(path, "rb").read())
    except (MachOError, struct.error) as e:
        sys.exit(f"{path}: {e}")
    print(f"  {path}: " + "; ".join(said))


if __name__ == "__main__":
    main()
