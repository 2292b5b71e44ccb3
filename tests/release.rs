//! Installing without a source checkout: the release packaging (scripts/release.py, the same
//! steps `make release` runs) applied to the binaries this test run built, a filesystem mirror
//! made from its dist/, and a `terraform init` with no `dev_overrides` whose lock file carries
//! the zip's `zh:` hash.

mod common;

use std::io::Read;
use std::path::{Path, PathBuf};
use std::process::Command;

use common::tls::{ThrowawayCa, TlsFront};
use common::*;
use peering_emulator::world::{World, demo};

const VERSION: &str = env!("CARGO_PKG_VERSION");

fn release(dist: &Path, args: &[&str]) -> String {
    release_with(dist, args, &[])
}

/// release.py with only the signing settings `env` gives: never the developer's own key or
/// keyring.
fn release_with(dist: &Path, args: &[&str], env: &[(&str, &std::ffi::OsStr)]) -> String {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/release.py");
    let out = Command::new("python3")
        .arg(script)
        .arg("--dist")
        .arg(dist)
        .args(args)
        .env_remove("GPG_KEY_ID")
        .env_remove("GNUPGHOME")
        .envs(env.iter().copied())
        .output()
        .expect("python3 runs");
    assert!(out.status.success(), "release.py {args:?}: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn sha256(path: &Path) -> String {
    let out = Command::new("sha256sum").arg(path).output().expect("sha256sum runs");
    String::from_utf8_lossy(&out.stdout).split_whitespace().next().unwrap().to_string()
}

/// dist/ from this run's binaries, checked the way a user checks a download.
fn packaged(root: &Path) -> PathBuf {
    let dist = root.join("dist");
    let bin_dir = provider_binary().parent().unwrap().to_path_buf();
    release(&dist, &["package", "--bin-dir", bin_dir.to_str().unwrap(), "--platform", "linux_amd64"]);
    release(&dist, &["sums"]);
    let sums = format!("terraform-provider-peering_{VERSION}_SHA256SUMS");
    let check = Command::new("sha256sum").arg("-c").arg(&sums).current_dir(&dist).output().unwrap();
    assert!(check.status.success(), "sha256sum -c: {}", String::from_utf8_lossy(&check.stdout));
    dist
}

/// A workspace that installs the released provider only as `method` (a `provider_installation`
/// block's body, e.g. `filesystem_mirror { path = "…" }`) says, and pins this version.
fn installing_from(ws: &mut Workspace, name: &str, method: &str, location: (&str, &str)) {
    let config = ws.path().join("installation.tfrc");
    let (key, value) = location;
    std::fs::write(
        &config,
        format!(
            "provider_installation {{\n  {method} {{\n    {key} = \"{value}\"\n    include = [\"registry.terraform.io/peering-dev/peering\"]\n  }}\n}}\n"
        ),
    )
    .unwrap();
    ws.set_env("TF_CLI_CONFIG_FILE", config.to_str().unwrap());
    ws.write(
        "main.tf",
        &connection_config(name, demo::NETWORK_APP, demo::NETWORK_DB, "").replace(
            "source = \"peering-dev/peering\"",
            &format!("source = \"peering-dev/peering\", version = \"{VERSION}\""),
        ),
    );
}

#[test]
fn the_release_zips_are_what_the_registry_expects() {
    let root = tempfile::tempdir().unwrap();
    let dist = packaged(root.path());
    let zip = dist.join(format!("terraform-provider-peering_{VERSION}_linux_amd64.zip"));
    let mut archive = zip_entries(&zip);
    assert_eq!(archive.len(), 1, "{archive:?}");
    let (name, mode, bytes) = archive.remove(0);
    assert_eq!(name, format!("terraform-provider-peering_v{VERSION}"));
    assert_eq!(mode & 0o111, 0o111, "executable: {mode:o}");
    assert_eq!(bytes, std::fs::read(provider_binary()).unwrap(), "the zip holds the provider as built");
    assert!(dist.join(format!("peering-emulator_{VERSION}_linux_amd64.zip")).is_file());
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dist.join(format!("terraform-provider-peering_{VERSION}_manifest.json"))).unwrap(),
    )
    .unwrap();
    assert_eq!(manifest["metadata"]["protocol_versions"], serde_json::json!(["6.0"]));
    let sums = std::fs::read_to_string(dist.join(format!("terraform-provider-peering_{VERSION}_SHA256SUMS"))).unwrap();
    assert!(sums.contains(&format!("{}  {}", sha256(&zip), zip.file_name().unwrap().to_string_lossy())), "{sums}");
}

/// Reads a zip with Python's zipfile (no zip crate in the project): name, Unix mode, bytes.
fn zip_entries(zip: &Path) -> Vec<(String, u32, Vec<u8>)> {
    let script = "import sys, zipfile\nz = zipfile.ZipFile(sys.argv[1])\nfor i in z.infolist():\n    print(i.filename, i.external_attr >> 16)\n";
    let out = Command::new("python3").args(["-c", script]).arg(zip).output().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let unzip = Command::new("python3").args(["-m", "zipfile", "-e"]).arg(zip).arg(dir.path()).status().unwrap();
    assert!(unzip.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|line| {
            let (name, mode) = line.rsplit_once(' ').unwrap();
            let mut bytes = Vec::new();
            std::fs::File::open(dir.path().join(name)).unwrap().read_to_end(&mut bytes).unwrap();
            (name.to_string(), mode.parse().unwrap(), bytes)
        })
        .collect()
}

#[test]
fn terraform_init_installs_from_a_mirror_of_the_release_and_checks_the_zip_hash() {
    let root = tempfile::tempdir().unwrap();
    let dist = packaged(root.path());
    let mirror = root.path().join("mirror");
    release(&dist, &["mirror", "--out", mirror.to_str().unwrap()]);
    let zip_hash = sha256(&dist.join(format!("terraform-provider-peering_{VERSION}_linux_amd64.zip")));

    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    installing_from(&mut ws, "mirrored", "filesystem_mirror", ("path", mirror.to_str().unwrap()));

    // A lock file with a wrong zh: hash and no h1: one: init refuses the zip that does not match.
    let lock = release(&dist, &["lock"]);
    assert!(lock.contains(&format!("\"zh:{zip_hash}\"")), "{lock}");
    let wrong: String =
        lock.lines().filter(|l| !l.contains("\"h1:")).map(|l| l.replace(&zip_hash, &"0".repeat(64)) + "\n").collect();
    ws.write(".terraform.lock.hcl", &wrong);
    let refused = ws.terraform(&["init", "-no-color", "-input=false"]);
    assert_ne!(refused.code, 0, "{refused:?}");
    assert!(refused.flat().contains("doesn't match any of the checksums"), "{refused:?}");

    std::fs::remove_dir_all(ws.path().join(".terraform")).ok();
    ws.write(".terraform.lock.hcl", &lock);
    // The release's lock entry is complete: a read-only init has nothing to add or warn about.
    let readonly = ws.ok(&["init", "-lockfile=readonly", "-no-color", "-input=false"]);
    assert!(!readonly.flat().contains("Changes to the provider selections"), "{readonly:?}");
    assert_eq!(std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap(), lock);
    std::fs::remove_dir_all(ws.path().join(".terraform")).ok();
    let init = ws.ok(&["init", "-no-color", "-input=false"]);
    assert!(init.flat().contains(&format!("Installed peering-dev/peering v{VERSION}")), "{init:?}");
    assert!(!init.all().contains("dev_overrides"), "{init:?}");
    let locked = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    assert!(locked.contains(&format!("\"zh:{zip_hash}\"")), "{locked}");
    assert!(locked.contains("\"h1:"), "the unpacked hash: {locked}");

    let apply = ws.apply();
    assert!(!apply.all().contains("Provider development overrides"), "{apply:?}");
    assert_eq!(emulator.peering_states().len(), 2);
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(emulator.peering_states().is_empty());
}

/// The network mirror release.py writes, served over HTTPS from loopback by a throwaway CA as an
/// internal registry would: `terraform init` with a `network_mirror` block installs the provider
/// from it (checking the hashes it lists) and a peering is applied; without the CA, init refuses.
#[test]
fn terraform_init_installs_from_a_network_mirror_over_https() {
    let root = tempfile::tempdir().unwrap();
    let dist = packaged(root.path());
    let mirror = root.path().join("network-mirror");
    release(&dist, &["network-mirror", "--out", mirror.to_str().unwrap()]);
    let listed = mirror.join("registry.terraform.io/peering-dev/peering");
    let json = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(listed.join(name)).unwrap()).unwrap()
    };
    assert_eq!(json("index.json"), serde_json::json!({ "versions": { VERSION: {} } }));
    let archive = &json(&format!("{VERSION}.json"))["archives"]["linux_amd64"];
    let zip = format!("terraform-provider-peering_{VERSION}_linux_amd64.zip");
    assert_eq!(archive["url"], zip.as_str());
    let zh = format!("zh:{}", sha256(&dist.join(&zip)));
    let h1 = archive["hashes"][0].as_str().unwrap().to_string();
    assert!(h1.starts_with("h1:"), "{archive}");
    assert_eq!(archive["hashes"][1], zh.as_str());

    let ca = ThrowawayCa::new();
    let server = TlsFront::serve_files(&ca, &mirror);
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    installing_from(&mut ws, "network-mirrored", "network_mirror", ("url", &server.url));

    let untrusted = ws.terraform(&["init", "-no-color", "-input=false"]);
    assert_ne!(untrusted.code, 0, "{untrusted:?}");
    assert!(untrusted.flat().contains("certificate"), "{untrusted:?}");

    ws.set_env("SSL_CERT_FILE", ca.pem_file().to_str().unwrap());
    let init = ws.ok(&["init", "-no-color", "-input=false"]);
    assert!(init.flat().contains(&format!("Installed peering-dev/peering v{VERSION}")), "{init:?}");
    let locked = std::fs::read_to_string(ws.path().join(".terraform.lock.hcl")).unwrap();
    // Terraform computes the h1: of what it unpacked itself: the mirror's must be the same.
    assert!(locked.contains(&format!("\"{h1}\"")), "{h1} in {locked}");

    let apply = ws.apply();
    assert!(!apply.all().contains("Provider development overrides"), "{apply:?}");
    assert_eq!(emulator.peering_states().len(), 2);
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(emulator.peering_states().is_empty());
}

/// With `GPG_KEY_ID`, SHA256SUMS gets a detached signature that gpg verifies, as the registry
/// requires; a changed SHA256SUMS no longer verifies. The key lives in a throwaway keyring.
#[test]
fn sha256sums_is_signed_when_a_key_is_given() {
    let root = tempfile::tempdir().unwrap();
    let dist = packaged(root.path());
    let home = root.path().join("gnupg");
    std::fs::create_dir(&home).unwrap();
    std::fs::set_permissions(&home, std::os::unix::fs::PermissionsExt::from_mode(0o700)).unwrap();
    let _agent = GpgAgent(home.clone());
    let gpg = |args: &[&str]| {
        let out = Command::new("gpg").env("GNUPGHOME", &home).arg("--batch").args(args).output().expect("gpg runs");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr),
        )
    };
    let (made, log) = gpg(&[
        "--passphrase",
        "",
        "--quick-gen-key",
        "Release Test <release@example.invalid>",
        "rsa3072",
        "sign",
        "never",
    ]);
    assert!(made, "{log}");
    let (_, keys) = gpg(&["--with-colons", "--list-keys"]);
    let fingerprint =
        keys.lines().find_map(|l| l.strip_prefix("fpr:")).and_then(|l| l.split(':').nth(8)).unwrap().to_string();

    release_with(&dist, &["sums"], &[("GNUPGHOME", home.as_os_str()), ("GPG_KEY_ID", fingerprint.as_ref())]);
    let sums = dist.join(format!("terraform-provider-peering_{VERSION}_SHA256SUMS"));
    let signature = dist.join(format!("terraform-provider-peering_{VERSION}_SHA256SUMS.sig"));
    let (good, log) = gpg(&["--verify", signature.to_str().unwrap(), sums.to_str().unwrap()]);
    assert!(good && log.contains("Good signature"), "{log}");

    std::fs::write(&sums, std::fs::read_to_string(&sums).unwrap().replacen('0', "1", 1)).unwrap();
    let (still, log) = gpg(&["--verify", signature.to_str().unwrap(), sums.to_str().unwrap()]);
    assert!(!still, "a changed SHA256SUMS must not verify: {log}");
}

/// Stops the gpg-agent that key generation started in a throwaway keyring, even when an
/// assertion fails first.
struct GpgAgent(PathBuf);

impl Drop for GpgAgent {
    fn drop(&mut self) {
        let _ = Command::new("gpgconf").env("GNUPGHOME", &self.0).args(["--kill", "gpg-agent"]).status();
    }
}
