//! End to end, the mistakes users make, each said once and fully: every missing credential in one
//! run, naming the setting and the variables; an unreachable API URL within seconds, naming the
//! setting; a network not found, saying where it was looked for.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

fn aiven_upcloud() -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "db-to-app"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{network}" }} }}
}}
"#,
        project = demo::AIVEN_PROJECT,
        vpc = demo::AIVEN_VPC_FRA,
        network = demo::NETWORK_APP
    )
}

#[test]
fn every_missing_credential_is_said_in_one_run() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    for var in ["AIVEN_TOKEN", "UPCLOUD_USERNAME", "UPCLOUD_PASSWORD"] {
        ws.remove_env(var);
    }
    ws.write("main.tf", &aiven_upcloud());
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("Missing Aiven credentials") && text.contains("AIVEN_TOKEN"), "{plan:?}");
    assert!(text.contains("Missing UpCloud credentials") && text.contains("UPCLOUD_TOKEN"), "{plan:?}");

    // A password without its user name names the variable that is missing.
    ws.set_env("AIVEN_TOKEN", AIVEN_TOKEN);
    ws.set_env("UPCLOUD_PASSWORD", PASSWORD);
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("upcloud.username (UPCLOUD_USERNAME) is not"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

/// An API URL where nothing answers fails the plan at once, naming the setting to check; the
/// retries that stay are for a cloud that answers (429, 5xx, dropped connections).
#[test]
fn an_unreachable_api_url_is_named() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    ws.set_env("UPCLOUD_API_URL", &format!("http://127.0.0.1:{port}"));
    ws.write("main.tf", &connection_config("unreachable", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains(&format!("nothing answers at http://127.0.0.1:{port} (")), "{plan:?}");
    assert!(text.contains("UPCLOUD_API_URL"), "{plan:?}");
    assert!(!text.contains(PASSWORD), "{plan:?}");
}

/// A network that is not found says where the provider looked and what to try; a router's id
/// where a network's belongs is named as such.
#[test]
fn a_missing_upcloud_network_says_where_it_was_looked_for() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let missing = "03ffffff-0000-4000-8000-000000000000";
    ws.write("main.tf", &connection_config("lost", demo::NETWORK_APP, missing, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("UpCloud network not found") && text.contains("in any zone"), "{plan:?}");
    assert!(text.contains("private networks are in de-fra1, fi-hel1"), "{plan:?}");
    assert!(text.contains("peering_network") && text.contains("peer_side = \"external\""), "{plan:?}");

    let router = emulator.world().upcloud.routers.keys().next().copied().unwrap().to_string();
    ws.write("main.tf", &connection_config("lost", demo::NETWORK_APP, &router, ""));
    let plan = ws.plan();
    assert!(plan.flat().contains("SDN network ids start with 03 (this one is a router's: 04…)"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}
