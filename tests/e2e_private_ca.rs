//! A cloud API behind a private certificate authority (a corporate TLS proxy, say): the
//! provider trusts what `SSL_CERT_FILE` names, says so when a certificate is not trusted, and
//! names the variable when the file is wrong. The CA is a throwaway one made by the test.

mod common;

use std::net::SocketAddr;

use common::tls::{ThrowawayCa, TlsFront};
use common::*;
use peering_emulator::world::{World, demo};

/// The emulator's UpCloud API behind HTTPS signed by `ca`, as the workspace's `UPCLOUD_API_URL`.
fn behind_private_ca(ca: &ThrowawayCa) -> (Emulator, TlsFront, Workspace) {
    let emulator = Emulator::start(World::demo());
    let address: SocketAddr =
        emulator.url().trim_start_matches("http://").trim_end_matches('/').parse().expect("a loopback address");
    let front = TlsFront::start(ca, address);
    let mut ws = Workspace::new(&emulator.url());
    ws.set_env("UPCLOUD_API_URL", &front.url);
    ws.write("main.tf", &connection_config("private-ca", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    (emulator, front, ws)
}

#[test]
fn a_certificate_of_a_private_ca_is_trusted_through_ssl_cert_file() {
    let ca = ThrowawayCa::new();
    let (emulator, front, mut ws) = behind_private_ca(&ca);

    // Without the CA the certificate is refused, said once with the way out, nothing written.
    let refused = ws.plan();
    assert_eq!(refused.code, 1, "{refused:?}");
    let said = refused.flat();
    assert!(
        said.contains(&format!(
            "the certificate of {} (upcloud {{ api_url }} / UPCLOUD_API_URL) is not trusted",
            front.url.trim_end_matches('/')
        )),
        "{refused:?}"
    );
    assert!(said.contains("set SSL_CERT_FILE to a PEM file"), "{refused:?}");
    assert!(emulator.peering_states().is_empty());

    ws.set_env("SSL_CERT_FILE", ca.pem_file().to_str().unwrap());
    let applied = ws.apply();
    assert!(applied.flat().contains("1 added"), "{applied:?}");
    assert_eq!(emulator.peering_states().len(), 2);
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(emulator.peering_states().is_empty());
}

#[test]
fn a_wrong_ssl_cert_file_is_named() {
    let ca = ThrowawayCa::new();
    let (emulator, _front, mut ws) = behind_private_ca(&ca);
    let missing = ws.path().join("no-such-ca.pem");
    ws.set_env("SSL_CERT_FILE", missing.to_str().unwrap());
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains(&format!("SSL_CERT_FILE={}", missing.display())), "{plan:?}");

    let not_a_ca = ws.path().join("main.tf");
    ws.set_env("SSL_CERT_FILE", not_a_ca.to_str().unwrap());
    let plan = ws.plan();
    assert!(plan.flat().contains("no PEM certificate"), "{plan:?}");
    assert!(emulator.peering_states().is_empty());

    // Trust matters to https only: the same setting leaves plain http to loopback working.
    ws.set_env("UPCLOUD_API_URL", &emulator.url());
    assert_eq!(ws.plan().code, 2, "a plan with changes, read over plain http");
}
