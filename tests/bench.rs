//! Benchmarks, run with `make bench` (ignored by `make test`): numbers are measured and
//! written down in docs/benchmarks.md, never asserted.

mod common;

use std::io::{BufRead, BufReader};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use peering::emulator::world::{World, demo};
use peering::plugin::handshake::MAGIC_COOKIE_VALUE;
use peering::tf::{Type, Value};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// Median start-up to handshake line, and median resident memory right after it.
fn startup_and_memory(binary: &std::path::Path) -> (Duration, u64) {
    let mut startup = Vec::new();
    let mut rss = Vec::new();
    for _ in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let started = Instant::now();
        let mut child = Command::new(binary)
            .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE)
            .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
            .env("PLUGIN_UNIX_SOCKET_DIR", dir.path())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        startup.push(started.elapsed());
        rss.push(rss_kib(child.id()));
        child.kill().unwrap();
        child.wait().unwrap();
    }
    rss.sort();
    (median(startup), rss[rss.len() / 2])
}

/// Ours, and (with `PEERING_COMPARE_PROVIDER`, set by `make bench`) a typical Go provider built
/// on terraform-plugin-framework.
#[test]
#[ignore = "benchmark: make bench"]
fn bench_startup_and_memory() {
    let (startup, rss) = startup_and_memory(&provider_binary());
    println!("peering: startup to handshake median {startup:?}, resident memory {rss} KiB (20 runs)");
    if let Some(other) = std::env::var_os("PEERING_COMPARE_PROVIDER") {
        let other = std::path::PathBuf::from(other);
        let (startup, rss) = startup_and_memory(&other);
        println!("{}: startup to handshake median {startup:?}, resident memory {rss} KiB (20 runs)", other.display());
    }
}

/// The msgpack codec on a peering_connection state.
#[test]
#[ignore = "benchmark: make bench"]
fn bench_codec() {
    let ty: Type = peering::resources::connection::schema().implied_type();
    let json = format!(
        r#"{{"id":"upcloud/{a}:upcloud/{b}","name":"app-db","network":{{"upcloud":{{"network_id":"{a}"}}}},
        "peer_network":{{"upcloud":{{"network_id":"{b}"}}}},"peer_side":"managed","wait_for":"active","tags":{{"team":"platform"}},
        "status":"active","status_message":"Both halves are active.","network_half":{{"id":"0f000000-0000-4000-8000-000000000001","state":"active"}},
        "peer_half":{{"id":"0f000000-0000-4000-8000-000000000002","state":"active"}},"network_cidrs":["10.10.0.0/24"],"peer_network_cidrs":["10.20.0.0/24"]}}"#,
        a = demo::NETWORK_APP,
        b = demo::NETWORK_DB
    );
    let value = Value::from_json(json.as_bytes(), &ty).unwrap();
    let bytes = value.to_msgpack(&ty).unwrap();
    let rounds = 100_000;
    let started = Instant::now();
    for _ in 0..rounds {
        let decoded = Value::from_msgpack(std::hint::black_box(&bytes), &ty).unwrap();
        std::hint::black_box(decoded.to_msgpack(&ty).unwrap());
    }
    let per = started.elapsed() / rounds;
    println!("msgpack decode+encode of a {}-byte state: {per:?} per round trip", bytes.len());
}

/// A whole `terraform apply` and `destroy` of one peering on the emulator.
#[test]
#[ignore = "benchmark: make bench"]
fn bench_terraform_apply_destroy() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("bench", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let (mut apply, mut destroy) = (Vec::new(), Vec::new());
    for _ in 0..5 {
        let started = Instant::now();
        ws.apply();
        apply.push(started.elapsed());
        let started = Instant::now();
        ws.ok(&["destroy", "-auto-approve"]);
        destroy.push(started.elapsed());
    }
    println!("terraform apply (create + wait active): median {:?} over 5", median(apply));
    println!("terraform destroy (disable, wait, delete both halves): median {:?} over 5", median(destroy));
    let requests = emulator.requests();
    println!(
        "API requests for 5 apply+destroy cycles: {} reads, {} writes",
        requests.total_reads, requests.total_writes
    );
}
