//! End to end, a peering has no direction: a symmetric peering (or Aiven ↔ UpCloud with both
//! halves ours) is the same resource whichever way it is written, imported or listed.
//! Importing by either half plans no changes; writing the ends the other way round is an
//! in-place re-orientation that writes nothing to the clouds, never a replacement.

mod common;

use common::runs::{Kind, ends};
use common::*;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn config(kind: Kind, swapped: bool) -> String {
    let (first, second) = ends(kind);
    let (network, peer) = if swapped { (second, first) } else { (first, second) };
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "no-direction"
  network      = {network}
  peer_network = {peer}
  tags         = {{ env = "prod" }}
}}
"#
    )
}

/// The native import ids of both halves, from state.
fn half_import_ids(kind: Kind, ws: &Workspace) -> Vec<String> {
    let values = ws.resource_values(ADDR);
    let id = |half: &str| values[half]["id"].as_str().unwrap().to_string();
    match kind {
        Kind::Upcloud => {
            vec![format!("upcloud-peering/{}", id("network_half")), format!("upcloud-peering/{}", id("peer_half"))]
        }
        Kind::Scaleway => vec![
            format!("scaleway-connector/fr-par/{}", id("network_half")),
            format!("scaleway-connector/fr-par/{}", id("peer_half")),
        ],
        // The Aiven half has no import id of its own; the UpCloud half is the peer half here.
        Kind::AivenUpcloud => vec![format!("upcloud-peering/{}", id("peer_half"))],
    }
}

fn no_direction(kind: Kind) {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &config(kind, false));
    ws.apply();
    assert_eq!(ws.plan().code, 0, "{kind:?}");

    // Imported by either half: the canonical order, as the configuration is written.
    for id in half_import_ids(kind, &ws) {
        ws.reimport_by_id(ADDR, &id);
    }

    // Written the other way round: re-oriented in place, nothing written to the clouds.
    let writes = emulator.requests().total_writes;
    ws.write("main.tf", &config(kind, true));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{kind:?}: {plan:?}");
    assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{kind:?}: {plan:?}");
    assert!(!plan.stdout.contains("forces replacement"), "{kind:?}: {plan:?}");
    let applied = ws.apply();
    assert!(applied.stdout.contains("0 added, 1 changed, 0 destroyed"), "{kind:?}: {applied:?}");
    assert_eq!(emulator.requests().total_writes, writes, "{kind:?}: re-orienting writes nothing");
    assert_eq!(ws.plan().code, 0, "{kind:?}: re-plan after re-orienting");

    // The halves follow the configuration's orientation; destroy removes both.
    let values = ws.resource_values(ADDR);
    assert!(values["network_half"]["id"].is_string() && values["peer_half"]["id"].is_string(), "{values}");
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.peering_states().is_empty(), "{kind:?}");
    assert!(emulator.scaleway_connectors().is_empty(), "{kind:?}");
}

#[test]
fn an_upcloud_pair_has_no_direction() {
    no_direction(Kind::Upcloud);
}

#[test]
fn a_scaleway_pair_has_no_direction() {
    no_direction(Kind::Scaleway);
}

#[test]
fn an_aiven_upcloud_pair_has_no_direction() {
    no_direction(Kind::AivenUpcloud);
}

/// Halves made by hand, the higher network's first: `terraform query` still writes the peering
/// in the canonical order, and what it generates imports to no changes.
#[test]
fn a_listing_writes_each_peering_in_one_direction() {
    use peering_clouds::scaleway::wire::CreateConnector;

    let emulator = Emulator::start(World::demo());
    for (from, to) in [(demo::NETWORK_DB, demo::NETWORK_APP), (demo::NETWORK_APP, demo::NETWORK_DB)] {
        emulator.upcloud_half_by_hand("by-hand", from, to);
    }
    let scaleway = emulator.scaleway();
    for (from, to) in [(demo::SCALEWAY_VPC_D, demo::SCALEWAY_VPC_C), (demo::SCALEWAY_VPC_C, demo::SCALEWAY_VPC_D)] {
        let request = CreateConnector {
            name: "by-hand".into(),
            tags: Vec::new(),
            vpc_id: from.parse().unwrap(),
            target_vpc_id: to.parse().unwrap(),
        };
        emulator.block_on(scaleway.create_connector("fr-par", &request)).unwrap();
    }
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    ws.write("search.tfquery.hcl", "list \"peering_connection\" \"all\" {\n  provider = peering\n}\n");
    ws.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    std::fs::remove_file(ws.path().join("search.tfquery.hcl")).unwrap();
    let plan = ws.ok(&["plan", "-no-color", "-out=tfplan"]);
    assert!(plan.flat().contains("2 to import, 0 to add, 0 to change, 0 to destroy"), "{plan:?}");
    let shown: serde_json::Value = serde_json::from_str(&ws.ok(&["show", "-json", "tfplan"]).stdout).unwrap();
    let mut networks: Vec<String> = shown["resource_changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|change| {
            let network = &change["change"]["after"]["network"];
            let id = network["upcloud"]["network_id"].as_str().or(network["scaleway"]["vpc_id"].as_str());
            id.unwrap().to_string()
        })
        .collect();
    networks.sort();
    assert_eq!(networks, [demo::NETWORK_APP, demo::SCALEWAY_VPC_C], "the lower id first: {shown}");
}
