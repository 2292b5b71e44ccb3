//! `enabled = false` pauses an UpCloud peering (both halves `disabled`, no drift); `true` resumes
//! it; clouds that cannot pause say so at validate.

mod common;

use common::*;
use peering_emulator::upcloud::wire::ConfiguredStatus;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn configured(emulator: &Emulator) -> Vec<ConfiguredStatus> {
    emulator.world().upcloud.peerings.values().map(|p| p.configured_status).collect()
}

#[test]
fn a_peering_pauses_and_resumes_in_place() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("pausable", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let ids: Vec<_> = emulator.world().upcloud.peerings.keys().copied().collect();

    ws.write("main.tf", &connection_config("pausable", demo::NETWORK_APP, demo::NETWORK_DB, "  enabled = false"));
    // Only the states move: the halves' ids and the networks' ranges stay known.
    let plan = ws.terraform(&["plan", "-no-color"]).flat();
    assert_eq!(plan.matches("(known after apply)").count(), 4, "status, status_message and two half states: {plan}");
    assert!(!plan.contains("network_cidrs") && !plan.contains("_half = (known after apply)"), "{plan}");
    let paused = ws.apply();
    assert!(paused.stdout.contains("1 changed"), "in place: {paused:?}");
    assert_eq!(configured(&emulator), [ConfiguredStatus::Disabled, ConfiguredStatus::Disabled]);
    assert!(emulator.peering_states().iter().all(|(_, _, s)| s == "disabled"), "{:?}", emulator.peering_states());
    assert_eq!(ws.resource_values(ADDR)["status"], "disabled");
    assert_eq!(ws.plan().code, 0, "a paused peering is not drift");

    ws.write("main.tf", &connection_config("pausable", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let resumed = ws.apply();
    assert!(resumed.flat().contains("Renew DHCP leases"), "routes are back: {resumed:?}");
    assert_eq!(configured(&emulator), [ConfiguredStatus::Active, ConfiguredStatus::Active]);
    assert!(emulator.peering_states().iter().all(|(_, _, s)| s == "active"));
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    assert_eq!(emulator.world().upcloud.peerings.keys().copied().collect::<Vec<_>>(), ids, "the same halves");
    assert_eq!(ws.plan().code, 0);
}

#[test]
fn a_peering_can_be_made_paused_and_imported_as_such() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("paused", demo::NETWORK_APP, demo::NETWORK_DB, "  enabled = false"));
    ws.apply();
    assert_eq!(configured(&emulator), [ConfiguredStatus::Disabled, ConfiguredStatus::Disabled]);
    assert_eq!(ws.resource_values(ADDR)["status"], "disabled");
    assert_eq!(ws.plan().code, 0);
    ws.reimport_by_id(ADDR, &format!("upcloud/{}:upcloud/{}", demo::NETWORK_APP, demo::NETWORK_DB));
    assert_eq!(ws.resource_values(ADDR)["enabled"], false);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.world().upcloud.peerings.is_empty());
}

#[test]
fn clouds_without_a_pause_say_so_at_validate() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "x"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{b}" }} }}
  enabled      = false
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            b = demo::SCALEWAY_VPC_B
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(validate.flat().contains("This peering cannot be paused"), "{validate:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}
