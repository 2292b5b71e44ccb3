//! End to end, hand changes to either half of a peering: what the configuration gives each
//! half (name, tags) is read from both, a change to either shows in plan, and apply puts it back.

mod common;

use common::*;
use peering::clouds::scaleway::wire::ConnectorPatch;
use peering::clouds::upcloud::PeeringPatch;
use peering::emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn config(network: &str, peer: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "app-db"
  network      = {network}
  peer_network = {peer}
  tags         = {{ env = "prod" }}
}}
"#
    )
}

fn upcloud(id: &str) -> String {
    format!("{{ upcloud = {{ network_id = \"{id}\" }} }}")
}

fn half_id(ws: &Workspace, half: &str) -> String {
    ws.resource_values(ADDR)[half]["id"].as_str().unwrap().to_string()
}

/// Renames the UpCloud half `id` behind Terraform's back; the plan shows it, apply puts it back.
fn rename_is_drift(emulator: &Emulator, ws: &Workspace, id: &str) {
    let patch = PeeringPatch { name: Some("renamed-by-hand".into()), ..Default::default() };
    emulator.block_on(emulator.upcloud().modify_peering(id.parse().unwrap(), &patch)).unwrap();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.flat().contains(r#"~ name = "renamed-by-hand" -> "app-db""#), "{plan:?}");
    ws.apply();
    let id: peering::net::UpcloudPeeringId = id.parse().unwrap();
    assert_eq!(emulator.world().upcloud.peerings[&id].name, "app-db");
    assert_eq!(ws.plan().code, 0);
}

#[test]
fn a_hand_change_to_either_upcloud_half_shows_and_is_put_back() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &config(&upcloud(demo::NETWORK_APP), &upcloud(demo::NETWORK_DB)));
    ws.apply();
    rename_is_drift(&emulator, &ws, &half_id(&ws, "peer_half"));
    rename_is_drift(&emulator, &ws, &half_id(&ws, "network_half"));
}

#[test]
fn a_hand_change_to_the_reverse_scaleway_connector_shows_and_is_put_back() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let vpc = |id: &str| format!("{{ scaleway = {{ vpc_id = \"{id}\" }} }}");
    ws.write("main.tf", &config(&vpc(demo::SCALEWAY_VPC_A), &vpc(demo::SCALEWAY_VPC_B)));
    ws.apply();
    let reverse: uuid::Uuid = half_id(&ws, "peer_half").parse().unwrap();
    let scaleway = emulator.scaleway();
    let patch = ConnectorPatch { name: None, tags: Some(Vec::new()) };
    emulator.block_on(scaleway.update_connector("fr-par", reverse, &patch)).unwrap();
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.flat().contains(r#"+ "env" = "prod""#), "{plan:?}");
    ws.apply();
    let world = emulator.world();
    assert!(
        world.scaleway.connectors.values().all(|c| user_tags(&c.tags) == ["env=prod"]),
        "{:?}",
        world.scaleway.connectors
    );
    assert_eq!(ws.plan().code, 0);
}

#[test]
fn a_hand_change_to_the_upcloud_half_of_an_aiven_pair_shows_and_is_put_back() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let aiven =
        format!("{{ aiven = {{ project = \"{}\", vpc_id = \"{}\" }} }}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA);
    ws.write("main.tf", &config(&aiven, &upcloud(demo::NETWORK_APP)));
    ws.apply();
    rename_is_drift(&emulator, &ws, &half_id(&ws, "peer_half"));
}
