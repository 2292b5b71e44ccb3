//! The `peering-emulator` binary as a user starts it: its first line, its admin endpoints, its
//! stopped clock and its flags.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

use peering_emulator::Credentials;

/// Starts the binary with `args`; the child and the URL its first line names.
fn start(args: &[&str]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_peering-emulator"))
        .args(["--listen", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let url = line.trim().strip_prefix("listening on ").expect("first line names the address").to_string();
    assert!(url.starts_with("http://127.0.0.1:") && !url.ends_with(":0"), "{url}");
    (child, url)
}

/// A plain HTTP client for the emulator on loopback (reqwest as the workspace builds it wants a
/// TLS provider installed, even for `http://`).
fn client() -> reqwest::Client {
    let _ = rustls::crypto::aws_lc_rs::default_provider().install_default();
    reqwest::Client::builder().no_proxy().build().unwrap()
}

fn stop(mut child: Child) {
    child.kill().unwrap();
    child.wait().unwrap();
}

#[test]
fn binary_prints_its_address_and_serves_admin_endpoints() {
    let (child, url) = start(&["--empty", "--rng-seed", "3"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = client();
    let credentials = Credentials::default();
    rt.block_on(async {
        let world: serde_json::Value =
            http.get(format!("{url}/_emulator/world")).send().await.unwrap().json().await.unwrap();
        assert_eq!(world["upcloud"]["networks"], serde_json::json!({}));
        assert_eq!(world["aiven"]["projects"], serde_json::json!(["demo"]));
        let faults = http
            .put(format!("{url}/_emulator/faults"))
            .json(&serde_json::json!({"fault_rate": 1.0}))
            .send()
            .await
            .unwrap();
        assert!(faults.status().is_success());
        let faulted = http
            .get(format!("{url}/1.3/network"))
            .basic_auth(&credentials.upcloud_username, Some(&credentials.upcloud_password))
            .send()
            .await;
        let failed = match faulted {
            Ok(r) => !r.status().is_success() || r.bytes().await.is_err(),
            Err(_) => true,
        };
        assert!(failed, "fault rate 1 fails every cloud request");
        let counts: serde_json::Value =
            http.get(format!("{url}/_emulator/requests")).send().await.unwrap().json().await.unwrap();
        assert_eq!(counts["faults_injected"], 1);
        assert!(http.post(format!("{url}/_emulator/reset")).send().await.unwrap().status().is_success());
    });
    stop(child);
    let help = Command::new(env!("CARGO_BIN_EXE_peering-emulator")).arg("--help").output().unwrap();
    let help = String::from_utf8_lossy(&help.stdout);
    for flag in [
        "--listen",
        "--seed",
        "--empty",
        "--transition-ms",
        "--stopped-clock",
        "--latency-ms",
        "--fault-rate",
        "--rng-seed",
        "--upcloud-token",
    ] {
        assert!(help.contains(flag), "--help documents {flag}");
    }
}

/// With `--stopped-clock`, time moves by `POST /_emulator/advance` only, by exactly what it asks.
#[test]
fn a_stopped_clock_moves_by_what_is_advanced() {
    let (child, url) = start(&["--stopped-clock"]);
    let rt = tokio::runtime::Runtime::new().unwrap();
    let http = client();
    rt.block_on(async {
        let advance = |ms: u64| {
            let request = http.post(format!("{url}/_emulator/advance")).json(&serde_json::json!({ "ms": ms }));
            async move {
                let answer: serde_json::Value = request.send().await.unwrap().json().await.unwrap();
                answer["now_ms"].as_u64().unwrap()
            }
        };
        let first = advance(0).await;
        assert_eq!(advance(0).await, first, "a stopped clock stands still");
        assert_eq!(advance(1500).await, first + 1500);
    });
    stop(child);
}
