//! `--debug`: one provider process, started by hand, serves several Terraform runs through
//! `TF_REATTACH_PROVIDERS`.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};

use common::*;
use peering_emulator::world::{World, demo};

struct Killed(std::process::Child);

impl Drop for Killed {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

#[test]
fn reattach_serves_many_terraform_runs() {
    let emulator = Emulator::start(World::demo());
    let mut child = Command::new(provider_binary())
        .arg("--debug")
        .env_remove("TF_PLUGIN_MAGIC_COOKIE")
        .env("UPCLOUD_API_URL", emulator.url())
        .env("UPCLOUD_USERNAME", USERNAME)
        .env("UPCLOUD_PASSWORD", PASSWORD)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let pid = child.id();
    let _guard = Killed(child);
    let reattach = BufReader::new(stdout)
        .lines()
        .map(Result::unwrap)
        .find_map(|line| {
            line.trim().strip_prefix("TF_REATTACH_PROVIDERS='").map(|v| v.trim_end_matches('\'').to_string())
        })
        .expect("the reattach value is printed");
    let parsed: serde_json::Value = serde_json::from_str(&reattach).unwrap();
    let entry = &parsed[peering::SOURCE_ADDRESS];
    assert_eq!(entry["Pid"], pid);
    assert_eq!(entry["Test"], true);
    assert_eq!(entry["ProtocolVersion"], 6);
    assert_eq!(entry["Addr"]["Network"], "unix");

    let mut ws = Workspace::new(&emulator.url());
    ws.set_env("TF_REATTACH_PROVIDERS", &reattach);
    // The provider process has the credentials; Terraform's environment does not need them.
    ws.remove_env("UPCLOUD_USERNAME");
    ws.remove_env("UPCLOUD_PASSWORD");
    ws.write("main.tf", &connection_config("debug", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let run = |args: &[&str]| {
        let mut command = Command::new(terraform_path());
        command.args(args).current_dir(ws.path()).env_remove("TF_LOG");
        for (k, v) in &ws.env {
            command.env(k, v);
        }
        let output = command.output().unwrap();
        (
            output.status.code(),
            String::from_utf8_lossy(&output.stdout).into_owned() + &String::from_utf8_lossy(&output.stderr),
        )
    };
    let (code, out) = run(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(code, Some(0), "{out}");
    assert_eq!(emulator.world().upcloud.peerings.len(), 2);
    let (code, out) = run(&["plan", "-detailed-exitcode", "-no-color"]);
    assert_eq!(code, Some(0), "{out}");
    let (code, out) = run(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(emulator.world().upcloud.peerings.is_empty());
    // Terraform exited three times; a provider started by hand is not tied to it.
    let state = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    assert!(state.rsplit(')').next().is_some_and(|s| s.trim().starts_with(['S', 'R'])), "still serving: {state}");
}
