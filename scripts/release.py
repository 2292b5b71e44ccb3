#!/usr/bin/env python3
"""Release artifacts in the layout the Terraform registry and `terraform init` expect.

    release.py build [--platform linux_amd64 ...]   cargo build --release per platform, then package
    release.py package --bin-dir DIR --platform P   zip the provider and emulator built in DIR
    release.py sums                                  SHA256SUMS, its signature (GPG_KEY_ID), manifest
    release.py mirror --out DIR                      a filesystem mirror (packed layout) from dist/
    release.py lock                                  a lock-file entry with every zip's zh: hash
    release.py check --terraform PATH                each platform's zips run: a peering applied,
                                                     re-planned and destroyed (cross-built ones
                                                     under qemu-user)

Everything is written to dist/ (or --dist). The version is Cargo.toml's.
"""

import argparse
import hashlib
import json
import os
import pathlib
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import zipfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
NAME = "terraform-provider-peering"
EMULATOR = "peering-emulator"
# The provider's source address (src/lib.rs SOURCE_ADDRESS).
HOSTNAME, NAMESPACE, TYPE = "registry.terraform.io", "peering-dev", "peering"

# Terraform's OS_ARCH names, the Rust target that builds each, and the C cross compiler
# (from Debian) its C parts need when it is not the machine's own.
PLATFORMS = {
    "linux_amd64": ("x86_64-unknown-linux-gnu", None),
    "linux_arm64": ("aarch64-unknown-linux-gnu", "aarch64-linux-gnu"),
}

# The demo world's two peerable UpCloud networks (src/emulator/world.rs, demo).
DEMO_NETWORKS = ("03000000-0000-4000-8000-0000000000a1", "03000000-0000-4000-8000-0000000000b1")


def version():
    manifest = (ROOT / "Cargo.toml").read_text()
    match = re.search(r'^version\s*=\s*"([^"]+)"', manifest, re.MULTILINE)
    if not match:
        sys.exit("release: no version in Cargo.toml")
    return match.group(1)


def run(command, **kwargs):
    print("+", " ".join(command), flush=True)
    subprocess.run(command, check=True, **kwargs)


def host_target():
    out = subprocess.run(["rustc", "-vV"], check=True, capture_output=True, text=True).stdout
    return next(line.split(": ")[1] for line in out.splitlines() if line.startswith("host: "))


def build(args):
    dist = pathlib.Path(args.dist)
    for platform in args.platform:
        target, cross = PLATFORMS[platform]
        env = dict(os.environ)
        if target != host_target():
            run(["rustup", "target", "add", target])
            if cross and not shutil.which(f"{cross}-gcc"):
                sys.exit(
                    f"release: {platform} needs the C cross compiler {cross}-gcc; "
                    f"`make release` installs it (Debian package gcc-{cross})"
                )
            key = target.replace("-", "_")
            env[f"CARGO_TARGET_{key.upper()}_LINKER"] = f"{cross}-gcc"
            env[f"CC_{key}"] = f"{cross}-gcc"
            env[f"AR_{key}"] = f"{cross}-ar"
        run(["cargo", "build", "--locked", "--release", "--target", target, "--bins"], cwd=ROOT, env=env)
        package_platform(ROOT / "target" / target / "release", platform, dist)


def zip_one(binary, archive, stored_name):
    """A zip holding one executable at its root, its mode kept (Terraform runs it as is)."""
    info = zipfile.ZipInfo(stored_name, date_time=(2026, 1, 1, 0, 0, 0))
    info.external_attr = (0o100755 & 0xFFFF) << 16
    info.compress_type = zipfile.ZIP_DEFLATED
    with zipfile.ZipFile(archive, "w") as z:
        z.writestr(info, pathlib.Path(binary).read_bytes())
    print(f"  {archive}")


def package_platform(bin_dir, platform, dist):
    v = version()
    dist.mkdir(parents=True, exist_ok=True)
    zip_one(bin_dir / NAME, dist / f"{NAME}_{v}_{platform}.zip", f"{NAME}_v{v}")
    zip_one(bin_dir / EMULATOR, dist / f"{EMULATOR}_{v}_{platform}.zip", EMULATOR)


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


def lock(args):
    """What the registry would put in a lock file: the `zh:` (zip SHA-256) of every platform's
    package, from SHA256SUMS. `terraform init` checks the zip it installs against them and adds
    the `h1:` of the one it unpacked."""
    v = version()
    sums_file = pathlib.Path(args.dist) / f"{NAME}_{v}_SHA256SUMS"
    if not sums_file.exists():
        sys.exit(f"release: no {sums_file.name}; run `make release` first")
    hashes = [
        f'    "zh:{digest}",'
        for digest, name in (line.split() for line in sums_file.read_text().splitlines())
        if name.startswith(f"{NAME}_{v}_") and name.endswith(".zip")
    ]
    print(f'provider "{HOSTNAME}/{NAMESPACE}/{TYPE}" {{')
    # No `constraints`: they are the configuration's, which init writes in.
    print(f'  version = "{v}"')
    print("  hashes = [")
    print("\n".join(sorted(hashes)))
    print("  ]")
    print("}")


def runner(platform):
    """The command prefix that runs this platform's binaries here: nothing for the machine's
    own, Debian's qemu-user (with the cross libc) for the others."""
    target, cross = PLATFORMS[platform]
    if target == host_target():
        return []
    qemu = f"qemu-{target.split('-')[0]}-static"
    if not shutil.which(qemu):
        sys.exit(f"release: checking {platform} needs {qemu}; `make release` installs it (Debian package qemu-user-static)")
    return [qemu, "-L", f"/usr/{cross}"]


def unzip_one(archive, into):
    with zipfile.ZipFile(archive) as z:
        (info,) = z.infolist()
        path = pathlib.Path(z.extract(info, into))
    path.chmod(0o755)
    return path


def check_platform(platform, dist, terraform):
    """Terraform applies, re-plans and destroys an UpCloud peering with this platform's provider
    against this platform's emulator, both unpacked from the zips as a user gets them."""
    v = version()
    prefix = runner(platform)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = pathlib.Path(tmp)
        provider = unzip_one(dist / f"{NAME}_{v}_{platform}.zip", tmp / "zip")
        emulator = unzip_one(dist / f"{EMULATOR}_{v}_{platform}.zip", tmp / "zip")
        # Terraform starts the provider itself: a wrapper in the override directory puts the
        # emulator of the platform (if any) in front of it.
        overrides = tmp / "overrides"
        overrides.mkdir()
        wrapper = overrides / NAME
        wrapper.write_text("#!/bin/sh\nexec " + " ".join(f"'{part}'" for part in [*prefix, str(provider)]) + ' "$@"\n')
        wrapper.chmod(0o755)
        (tmp / "dev.tfrc").write_text(
            "provider_installation {\n"
            f'  dev_overrides {{\n    "{HOSTNAME}/{NAMESPACE}/{TYPE}" = "{overrides}"\n  }}\n'
            "  direct {}\n}\n"
        )
        work = tmp / "work"
        work.mkdir()
        (work / "main.tf").write_text(
            f'terraform {{\n  required_providers {{\n    peering = {{ source = "{NAMESPACE}/{TYPE}" }}\n  }}\n}}\n'
            'provider "peering" {}\n'
            'resource "peering_connection" "check" {\n'
            f'  name         = "release-check-{platform}"\n'
            f'  network      = {{ upcloud = {{ network_id = "{DEMO_NETWORKS[0]}" }} }}\n'
            f'  peer_network = {{ upcloud = {{ network_id = "{DEMO_NETWORKS[1]}" }} }}\n'
            "}\n"
        )
        server = subprocess.Popen(
            [*prefix, str(emulator), "--listen", "127.0.0.1:0", "--transition-ms", "0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
        )
        try:
            first = server.stdout.readline().strip()
            if not first.startswith("listening on http://127.0.0.1:"):
                sys.exit(f"release: {platform}: the emulator did not start: {first!r}")
            threading.Thread(target=server.stdout.read, daemon=True).start()
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
            }
            steps = [
                (["apply", "-auto-approve", "-no-color", "-input=false"], 0, "Resources: 1 added"),
                (["plan", "-detailed-exitcode", "-no-color", "-input=false"], 0, "No changes."),
                (["destroy", "-auto-approve", "-no-color", "-input=false"], 0, "Resources: 1 destroyed"),
            ]
            for command, code, expected in steps:
                out = subprocess.run([terraform, *command], cwd=work, env=env, capture_output=True, text=True)
                if out.returncode != code or expected not in out.stdout:
                    sys.exit(
                        f"release: {platform}: terraform {command[0]} exited {out.returncode}, "
                        f"expected {code} and {expected!r}:\n{out.stdout}\n{out.stderr}"
                    )
        finally:
            server.kill()
            server.wait()
    how = f" (under {prefix[0]})" if prefix else ""
    print(f"  {platform}: the zips' provider and emulator{how}: apply, re-plan with no changes, destroy")


def check(args):
    dist = pathlib.Path(args.dist)
    platforms = [p for p in sorted(PLATFORMS) if (dist / f"{NAME}_{version()}_{p}.zip").exists()]
    if not platforms:
        sys.exit(f"release: no {NAME} zips in {dist}; run `make release` first")
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
    steps.add_parser("lock")
    c = steps.add_parser("check")
    c.add_argument("--terraform", required=True, help="the terraform to run (e.g. .venv/bin/terraform)")
    args = parser.parse_args()
    if args.step == "build" and not args.platform:
        args.platform = sorted(PLATFORMS)
    {"build": build, "package": package, "sums": sums, "mirror": mirror, "lock": lock, "check": check}[args.step](args)


if __name__ == "__main__":
    main()
