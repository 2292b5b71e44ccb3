#!/usr/bin/env python3
"""Release artifacts in the layout the Terraform registry and `terraform init` expect.

    release.py build [--platform linux_amd64 ...]   cargo build --release per platform, then package
    release.py package --bin-dir DIR --platform P   zip the provider and emulator built in DIR
    release.py sums                                  SHA256SUMS, its signature (GPG_KEY_ID), manifest
    release.py mirror --out DIR                      a filesystem mirror (packed layout) from dist/
    release.py network-mirror --out DIR              a network mirror (index.json, VERSION.json) from dist/
    release.py lock                                  a lock-file entry with every zip's zh: hash
    release.py missing                               the Debian packages the cross builds need
    release.py check --terraform PATH                each platform's zips run: a peering applied,
                                                     re-planned and destroyed (linux_arm64 under
                                                     qemu-user, windows under wine); darwin read
                                                     as Mach-O

Everything is written to dist/ (or --dist). The version is Cargo.toml's.
"""

import argparse
import base64
import dataclasses
import functools
import hashlib
import json
import os
import pathlib
import queue
import re
import shlex
import shutil
import struct
import subprocess
import sys
import tempfile
import threading
import zipfile

import macho

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME = "terraform-provider-peering"
EMULATOR = "peering-emulator"
# The provider's source address (src/lib.rs SOURCE_ADDRESS).
HOSTNAME, NAMESPACE, TYPE = "registry.terraform.io", "peering-dev", "peering"

@dataclasses.dataclass(frozen=True)
class Platform:
    """One of Terraform's OS_ARCH names: how it is built and how it is run on this machine."""

    target: str  # the Rust target that builds it
    gcc: str | None = None  # the C cross compiler its C parts need (Debian's), None on the host
    ar: str | None = None
    exe: str = ""  # the file-name suffix of its executables
    # What runs its executables here: Debian's qemu-user, or wine (Debian's wine64). None: nothing
    # can (darwin); its executables are read as Mach-O instead (scripts/macho.py).
    runner: tuple | None = ()
    # Built with cargo-zigbuild (zig from PyPI as the C compiler and linker), not a Debian gcc.
    zig: bool = False


PLATFORMS = {
    "linux_amd64": Platform("x86_64-unknown-linux-gnu"),
    "linux_arm64": Platform(
        "aarch64-unknown-linux-gnu",
        gcc="aarch64-linux-gnu-gcc",
        ar="aarch64-linux-gnu-ar",
        runner=("qemu-aarch64-static", "-L", "/usr/aarch64-linux-gnu"),
    ),
    "windows_amd64": Platform(
        "x86_64-pc-windows-gnu",
        gcc="x86_64-w64-mingw32-gcc-posix",
        ar="x86_64-w64-mingw32-ar",
        exe=".exe",
        runner=("/usr/lib/wine/wine64",),
    ),
    # No macOS SDK is reachable from here: zig links against its own libSystem stubs, so nothing
    # may need a framework (TLS roots: crates/clouds/src/roots.rs). zig's linker signs arm64 ad hoc.
    "darwin_amd64": Platform("x86_64-apple-darwin", runner=None, zig=True),
    "darwin_arm64": Platform("aarch64-apple-darwin", runner=None, zig=True),
}
# The oldest macOS the darwin builds run on (Rust's own floor for arm64; x86_64 could go lower).
MACOSX_DEPLOYMENT_TARGET = "11.0"
# The zig toolchain for darwin, from PyPI; `make release` installs it in this virtualenv.
ZIG_VENV = ROOT / ".venv-zig"

# What the cross builds and their checks need, and the Debian package that has it: a command on
# PATH or a file. `make release` installs what `release.py missing` names.
TOOLS = {
    "aarch64-linux-gnu-gcc": "gcc-aarch64-linux-gnu",
    "/usr/aarch64-linux-gnu/lib/crt1.o": "libc6-dev-arm64-cross",
    "qemu-aarch64-static": "qemu-user-static",
    "x86_64-w64-mingw32-gcc-posix": "gcc-mingw-w64-x86-64",
    "/usr/lib/wine/wine64": "wine64",
}


def present(tool):
    return shutil.which(tool) is not None or pathlib.Path(tool).exists()


def need(tool, why):
    if not present(tool):
        sys.exit(f"release: {why} needs {tool}; `make release` installs it (Debian package {TOOLS[tool]})")


def missing(args):
    """The Debian packages of TOOLS not on this machine, one line, for `apt-get install`."""
    print(" ".join(sorted({package for tool, package in TOOLS.items() if not present(tool)})))


def version():
    manifest = (ROOT / "Cargo.toml").read_text()
    match = re.search(r'^version\s*=\s*"([^"]+)"', manifest, re.MULTILINE)
    if not match:
        sys.exit("release: no version in Cargo.toml")
    return match.group(1)


def run(command, **kwargs):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


@functools.cache
def host_target():
    out = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    return next(line.split(": ")[1] for line in out.splitlines() if line.startswith("host: "))


def build(args):
    dist = pathlib.Path(args.dist)
    for name in args.platform:
        platform = PLATFORMS[name]
        env = dict(os.environ)
        command = ["cargo", "build"]
        if platform.target != host_target():
            run(["rustup", "target", "add", platform.target])
        if platform.zig:
            zigbuild = ZIG_VENV / "bin" / "cargo-zigbuild"
            if not zigbuild.exists():
                sys.exit(f"release: building {name} needs {zigbuild}; `make release` installs it")
            command = [str(zigbuild), "zigbuild"]
            env["PATH"] = f"{zigbuild.parent}{os.pathsep}{env.get('PATH', '')}"
            env["MACOSX_DEPLOYMENT_TARGET"] = MACOSX_DEPLOYMENT_TARGET
        elif platform.target != host_target():
            need(platform.gcc, f"building {name}")
            key = platform.target.replace("-", "_")
            env[f"CARGO_TARGET_{key.upper()}_LINKER"] = platform.gcc
            env[f"CC_{key}"] = platform.gcc
            env[f"AR_{key}"] = platform.ar
        run([*command, "--locked", "--release", "--target", platform.target, "--bins"], cwd=ROOT, env=env)
        package_platform(ROOT / "target" / platform.target / "release", name, dist)


def zip_one(binary, archive, stored_name):
    """A zip holding one executable at its root, its mode kept (Terraform runs it as is)."""
    info = zipfile.ZipInfo(stored_name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(info, pathlib.Path(binary).read_bytes())
    print(f"  {archive}")


def package_platform(bin_dir, name, dist):
    """The provider's zip (`terraform-provider-peering_vVERSION[.exe]`, as Terraform looks for it)
    and the emulator's."""
    v, exe = version(), PLATFORMS[name].exe
    dist.mkdir(parents=True, exist_ok=True)
    zip_one(bin_dir / f"{NAME}{exe}", dist / f"{NAME}_{v}_{name}.zip", f"{NAME}_v{v}{exe}")
    zip_one(bin_dir / f"{EMULATOR}{exe}", dist / f"{EMULATOR}_{v}_{name}.zip", f"{EMULATOR}{exe}")


def package(args):
    package_platform(pathlib.Path(args.bin_dir), args.platform, pathlib.Path(args.dist))


def sums(args):
    v = version()
    dist = pathlib.Path(args.dist)
    manifest = dist / f"{NAME}_{v}_manifest.json"
    shutil.copyfile(ROOT / "terraform-registry-manifest.json", manifest)
    files = sorted(p for p in dist.iterdir() if p.name.endswith(".zip") or p == manifest)
    lines = [f"{hashlib.sha256(p.read_bytes()).hexdigest()}  {p.name}\n" for p in files]
    sums_file = dist / f"{NAME}_{v}_SHA256SUMS"
    sums_file.write_text("".join(lines))
    print(f"  {sums_file}")
    key = os.environ.get("GPG_KEY_ID")
    if key:
        signature = dist / f"{NAME}_{v}_SHA256SUMS.sig"
        signature.unlink(missing_ok=True)
        run(["gpg", "--batch", "--yes", "--local-user", key, "--detach-sign", "--output", str(signature), str(sums_file)])
    else:
        print("  (no GPG_KEY_ID: SHA256SUMS is not signed)")


def mirror(args):
    """The packed layout: HOSTNAME/NAMESPACE/TYPE/terraform-provider-TYPE_VERSION_OS_ARCH.zip."""
    dist, out = pathlib.Path(args.dist), pathlib.Path(args.out)
    into = out / HOSTNAME / NAMESPACE / TYPE
    into.mkdir(parents=True, exist_ok=True)
    zips = sorted(dist.glob(f"{NAME}_*_*.zip"))
    if not zips:
        sys.exit(f"release: no {NAME} zips in {dist}; run `make release` first")
    for archive in zips:
        shutil.copyfile(archive, into / archive.name)
        print(f"  {into / archive.name}")


def h1_hash(archive):
    """Terraform's `h1:` of a provider zip: SHA-256 over the sorted "sha256  name" lines of the
    files in it (Go's dirhash.Hash1), base64. Independent of how the zip was compressed."""
    with zipfile.ZipFile(archive) as z:
        names = sorted(info.filename for info in z.infolist() if not info.is_dir())
        lines = "".join(f"{hashlib.sha256(z.read(name)).hexdigest()}  {name}\n" for name in names)
    return "h1:" + base64.b64encode(hashlib.sha256(lines.encode()).digest()).decode()


def network_mirror(args):
    """The provider network mirror protocol as static files: HOSTNAME/NAMESPACE/TYPE/index.json
    (the versions), VERSION.json (each platform's zip, relative to it, with its h1: and zh:
    hashes) and the zips beside them. Any HTTPS file server (Artifactory, Nexus, nginx) serves it."""
    v, dist, out = version(), pathlib.Path(args.dist), pathlib.Path(args.out)
    into = out / HOSTNAME / NAMESPACE / TYPE
    into.mkdir(parents=True, exist_ok=True)
    archives = {}
    for archive in sorted(dist.glob(f"{NAME}_{v}_*.zip")):
        platform = archive.name.removeprefix(f"{NAME}_{v}_").removesuffix(".zip")
        shutil.copyfile(archive, into / archive.name)
        zh = "zh:" + hashlib.sha256(archive.read_bytes()).hexdigest()
        archives[platform] = {"url": archive.name, "hashes": [h1_hash(archive), zh]}
    if not archives:
        sys.exit(f"release: no {NAME} zips in {dist}; run `make release` first")
    index = into / "index.json"
    versions = json.loads(index.read_text())["versions"] if index.exists() else {}
    versions[v] = {}
    index.write_text(json.dumps({"versions": dict(sorted(versions.items()))}, indent=2) + "\n")
    (into / f"{v}.json").write_text(json.dumps({"archives": archives}, indent=2) + "\n")
    print(f"  {into}: index.json, {v}.json and {len(archives)} zips")


def lock(args):
    """The lock file entry for this release: the `zh:` (zip SHA-256, from SHA256SUMS) and the
    `h1:` (unpacked contents) of every platform's package, so that `terraform init
    -lockfile=readonly` on any platform finds its hashes there and has nothing to add."""
    v = version()
    dist = pathlib.Path(args.dist)
    sums_file = dist / f"{NAME}_{v}_SHA256SUMS"
    if not sums_file.exists():
        sys.exit(f"release: no {sums_file.name}; run `make release` first")
    hashes = []
    for digest, name in (line.split() for line in sums_file.read_text().splitlines()):
        if name.startswith(f"{NAME}_{v}_") and name.endswith(".zip"):
            hashes.append(f"zh:{digest}")
            if (dist / name).exists():
                hashes.append(h1_hash(dist / name))
    print(f'provider "{HOSTNAME}/{NAMESPACE}/{TYPE}" {{')
    # No `constraints`: they are the configuration's, which init writes in.
    print(f'  version = "{v}"')
    print("  hashes = [")
    print("\n".join(f'    "{h}",' for h in sorted(hashes)))
    print("  ]")
    print("}")


class Runner:
    """Runs one platform's executables on this machine: directly on the host, under qemu-user
    for another Linux, under wine for Windows (in a throwaway wine prefix, ended afterwards)."""

    def __init__(self, name, scratch):
        self.name, self.platform = name, PLATFORMS[name]
        self.prefix = [] if self.platform.target == host_target() else list(self.platform.runner)
        self.env = {}
        self.wine = self.platform.exe == ".exe"
        if self.prefix:
            need(self.prefix[0], f"checking {name}")
        if self.wine:
            # A throwaway prefix; no Mono or Gecko installer offered while it is made.
            self.env = {"WINEPREFIX": str(scratch / "wine"), "WINEDEBUG": "-all", "WINEDLLOVERRIDES": "mscoree,mshtml="}

    def prepare(self, unpacked):
        """Wine 8.0 lacks bcryptprimitives.dll (ProcessPrng), which Rust's std imports: build
        tools/wine's stand-in next to the executables (never into a zip)."""
        if self.wine:
            need(self.platform.gcc, f"checking {self.name}")
            source = ROOT / "tools" / "wine" / "bcryptprimitives.c"
            dll = unpacked / "bcryptprimitives.dll"
            built = subprocess.run(
                [self.platform.gcc, "-O2", "-shared", "-o", str(dll), str(source), "-ladvapi32"],
                capture_output=True,
                text=True,
            )
            if built.returncode != 0:
                sys.exit(f"release: {self.name}: building {source.name} failed:\n{built.stderr}")

    def finish(self):
        if self.wine:
            wineserver = pathlib.Path(self.prefix[0]).with_name("wineserver")
            subprocess.run([str(wineserver), "-k"], env={**os.environ, **self.env}, check=False)

    def describe(self):
        return f" (under {pathlib.Path(self.prefix[0]).name})" if self.prefix else ""


def unzip_one(archive, into):
    with zipfile.ZipFile(archive) as z:
        (info,) = z.infolist()
        path = pathlib.Path(z.extract(info, into))
    path.chmod(0o755)
    return path


# How long a check may wait: for the emulator's first line (a new wine prefix takes ~15 s), and
# for each Terraform command (under wine, ~15 s each).
EMULATOR_START, STEP_TIMEOUT = 120, 600


def first_line(process, timeout):
    """The first stdout line of `process`, or "" if none comes within `timeout` seconds; the rest
    is drained in the background so the process never blocks on a full pipe."""
    lines = queue.Queue()

    def pump():
        told = False
        for line in process.stdout:
            if not told:
                lines.put(line)
                told = True
        if not told:
            lines.put("")

    threading.Thread(target=pump, daemon=True).start()
    try:
        return lines.get(timeout=timeout).strip()
    except queue.Empty:
        return ""


def check_macho(name, dist):
    """A platform nothing here can run (darwin): each zip's executable read as Mach-O."""
    v = version()
    with tempfile.TemporaryDirectory() as tmp:
        for archive in (f"{NAME}_{v}_{name}.zip", f"{EMULATOR}_{v}_{name}.zip"):
            executable = unzip_one(dist / archive, pathlib.Path(tmp))
            try:
                said = macho.check(name, executable.read_bytes())
            except (macho.MachOError, struct.error) as e:
                sys.exit(f"release: {name}: {archive}: {e}")
            print(f"  {name}: {archive}: " + "; ".join(said))
    print(f"  {name}: cross-built and read as Mach-O, not run (no Mac here)")


def check_platform(name, dist, terraform):
    """Terraform applies, re-plans and destroys an UpCloud peering with this platform's provider
    against this platform's emulator, both unpacked from the zips as a user gets them."""
    if PLATFORMS[name].runner is None:
        return check_macho(name, dist)
    v = version()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        runner = Runner(name, tmp)
        provider = unzip_one(dist / f"{NAME}_{v}_{name}.zip", tmp / "zip")
        emulator = unzip_one(dist / f"{EMULATOR}_{v}_{name}.zip", tmp / "zip")
        runner.prepare(tmp / "zip")
        # Terraform starts the provider itself: a wrapper in the override directory puts the
        # platform's runner (if any) in front of it.
        overrides = tmp / "overrides"
        overrides.mkdir()
        wrapper = overrides / NAME
        wrapper.write_text("#!/bin/sh\nexec " + shlex.join([*runner.prefix, str(provider)]) + ' "$@"\n')
        wrapper.chmod(0o755)
        (tmp / "dev.tfrc").write_text(
            "provider_installation {\n"
            f'  dev_overrides {{\n    "{HOSTNAME}/{NAMESPACE}/{TYPE}" = {json.dumps(str(overrides))}\n  }}\n'
            "  direct {}\n}\n"
        )
        work = tmp / "work"
        work.mkdir()
        # The example whose defaults are the emulator's demo networks.
        shutil.copyfile(ROOT / "examples" / "upcloud-peering" / "main.tf", work / "main.tf")
        emulator_log = tmp / "emulator.log"
        server = subprocess.Popen(
            [*runner.prefix, str(emulator), "--listen", "127.0.0.1:0", "--transition-ms", "0"],
            stdout=subprocess.PIPE,
            stderr=emulator_log.open("w"),
            env={**os.environ, **runner.env},
            text=True,
        )
        try:
            first = first_line(server, EMULATOR_START)
            if not first.startswith("listening on http://127.0.0.1:"):
                log = emulator_log.read_text()[-2000:]
                sys.exit(f"release: {name}: the emulator did not start: {first!r}\n{log}")
            url = first.removeprefix("listening on ")
            env = {
                "PATH": os.environ.get("PATH", ""),
                "HOME": str(tmp),
                "TF_CLI_CONFIG_FILE": str(tmp / "dev.tfrc"),
                "CHECKPOINT_DISABLE": "1",
                "TF_IN_AUTOMATION": "1",
                "UPCLOUD_API_URL": url,
                "UPCLOUD_USERNAME": "demo",
                "UPCLOUD_PASSWORD": "demo-password",
                **runner.env,
            }
            steps = [
                (["apply", "-auto-approve", "-no-color", "-input=false"], 0, "Resources: 1 added"),
                (["plan", "-detailed-exitcode", "-no-color", "-input=false"], 0, "No changes."),
                (["destroy", "-auto-approve", "-no-color", "-input=false"], 0, "Resources: 1 destroyed"),
            ]
            for command, code, expected in steps:
                try:
                    out = subprocess.run(
                        [terraform, *command], cwd=work, env=env, capture_output=True, text=True, timeout=STEP_TIMEOUT
                    )
                except subprocess.TimeoutExpired:
                    sys.exit(f"release: {name}: terraform {command[0]} still running after {STEP_TIMEOUT} s")
                if out.returncode != code or expected not in out.stdout:
                    sys.exit(
                        f"release: {name}: terraform {command[0]} exited {out.returncode}, "
                        f"expected {code} and {expected!r}:\n{out.stdout}\n{out.stderr}"
                    )
        finally:
            server.kill()
            server.wait()
            runner.finish()
    print(f"  {name}: the zips' provider and emulator{runner.describe()}: apply, re-plan with no changes, destroy")


def check(args):
    dist = pathlib.Path(args.dist)
    platforms = [p for p in sorted(PLATFORMS) if (dist / f"{NAME}_{version()}_{p}.zip").exists()]
    if not platforms:
        sys.exit(f"release: no {NAME} zips in {dist}; run `make release` first")
    for missing in sorted(set(PLATFORMS) - set(platforms)):
        print(f"  {missing}: no zip in {dist}, not checked")
    for platform in platforms:
        check_platform(platform, dist, args.terraform)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    steps = parser.add_subparsers(dest="step", required=True)
    b = steps.add_parser("build")
    b.add_argument("--platform", action="append", choices=sorted(PLATFORMS))
    p = steps.add_parser("package")
    p.add_argument("--bin-dir", required=True)
    p.add_argument("--platform", required=True, choices=sorted(PLATFORMS))
    steps.add_parser("sums")
    m = steps.add_parser("mirror")
    m.add_argument("--out", default=str(ROOT / "mirror"))
    n = steps.add_parser("network-mirror")
    n.add_argument("--out", default=str(ROOT / "network-mirror"))
    steps.add_parser("lock")
    steps.add_parser("missing")
    c = steps.add_parser("check")
    c.add_argument("--terraform", required=True, help="the terraform to run (e.g. .venv/bin/terraform)")
    args = parser.parse_args()
    if args.step == "build" and not args.platform:
        args.platform = sorted(PLATFORMS)
    {"build": build, "package": package, "sums": sums, "mirror": mirror, "network-mirror": network_mirror, "lock": lock, "missing": missing, "check": check}[args.step](args)


if __name__ == "__main__":
    main()
