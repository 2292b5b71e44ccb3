//! End to end, Scaleway ↔ Scaleway: VPC connectors made, peered, renamed, imported and
//! destroyed by the real Terraform against the emulator; mistakes caught at plan time.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn scaleway_config(name: &str, vpc: &str, peer: &str, extra: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "{name}"
  network      = {{ scaleway = {{ vpc_id = "{vpc}" }} }}
  peer_network = {{ scaleway = {{ region = "fr-par", vpc_id = "{peer}" }} }}
{extra}
}}
"#
    )
}

#[test]
fn scaleway_connectors_peer_rename_import_destroy() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &scaleway_config("a-to-b", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B, ""));
    ws.apply();
    let connectors = emulator.scaleway_connectors();
    assert_eq!(connectors.len(), 2, "{connectors:?}");
    assert!(connectors.iter().all(|(_, _, s)| s == "peered"), "{connectors:?}");
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "active");
    assert_eq!(
        values["id"],
        format!("scaleway/fr-par/{}:scaleway/fr-par/{}", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B)
    );
    assert_eq!(values["network"]["scaleway"]["region"], "fr-par", "the provider's default region");
    assert_eq!(values["network_cidrs"], serde_json::json!(["172.16.0.0/22", "fd00:a::/64"]));
    assert_eq!(ws.plan().code, 0);

    ws.write(
        "main.tf",
        &scaleway_config("a-to-b-renamed", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B, "  tags = { env = \"prod\" }"),
    );
    let plan = ws.plan();
    assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    let world = emulator.world();
    assert!(
        world.scaleway.connectors.values().all(|c| c.name == "a-to-b-renamed" && user_tags(&c.tags) == ["env=prod"])
    );
    assert_eq!(ws.plan().code, 0);

    let connector = ws.resource_values(ADDR)["network_half"]["id"].as_str().unwrap().to_string();
    let id = ws.resource_values(ADDR)["id"].as_str().unwrap().to_string();
    for import_id in [id, format!("scaleway-connector/fr-par/{connector}")] {
        ws.reimport_by_id(ADDR, &import_id);
    }
    let (a, b) =
        (format!("scaleway/fr-par/{}", demo::SCALEWAY_VPC_A), format!("scaleway/fr-par/{}", demo::SCALEWAY_VPC_B));
    ws.reimport_by_identity(ADDR, &[("network", a), ("peer_network", b)]);

    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.scaleway_connectors().is_empty());
}

#[test]
fn external_scaleway_peer_stays_orphan_with_a_warning() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &scaleway_config("ours", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_C, "  peer_side = \"external\""),
    );
    let applied = ws.apply();
    assert!(applied.flat().contains("Peering waits for the peer VPC's owner"), "{applied:?}");
    assert_eq!(ws.resource_values(ADDR)["status"], "pending_peer");
    assert_eq!(
        emulator.scaleway_connectors(),
        vec![(demo::SCALEWAY_VPC_A.into(), demo::SCALEWAY_VPC_C.into(), "orphan".into())]
    );
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.scaleway_connectors().is_empty());
}

#[test]
fn overlapping_and_cross_region_pairs_fail_at_plan_without_writes() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &scaleway_config("x", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_D, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Private Network subnets overlap"), "{plan:?}");
    assert!(plan.flat().contains("172.16.0.0/22 (pn-a) with 172.16.0.0/23 (pn-d)"), "names the subnets: {plan:?}");

    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "x"
  network      = {{ scaleway = {{ region = "fr-par", vpc_id = "{}" }} }}
  peer_network = {{ scaleway = {{ region = "nl-ams", vpc_id = "{}" }} }}
}}
"#,
            demo::SCALEWAY_VPC_A,
            demo::SCALEWAY_VPC_E
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("VPCs in different regions"), "{plan:?}");

    let mut no_credentials = Workspace::new(&emulator.url());
    no_credentials.remove_env("SCW_SECRET_KEY");
    no_credentials.write("main.tf", &scaleway_config("x", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B, ""));
    let plan = no_credentials.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Missing Scaleway credentials") && plan.flat().contains("SCW_SECRET_KEY"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0, "nothing may be written");
    assert!(emulator.scaleway_connectors().is_empty());
}

/// A Private Network added after peering makes both connectors `conflict`; the next apply
/// stops with the overlapping subnets Scaleway lists.
#[test]
fn a_conflict_after_peering_is_reported_with_the_overlaps() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &scaleway_config("a-to-b", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B, ""));
    ws.apply();
    emulator.block_on(async {
        let client = emulator.scaleway();
        let request = peering_clouds::scaleway::CreatePrivateNetwork {
            name: "clash".into(),
            subnets: Some(vec!["172.16.1.0/24".parse().unwrap()]),
            vpc_id: demo::SCALEWAY_VPC_B.parse().unwrap(),
            ..Default::default()
        };
        client.create_private_network("fr-par", &request).await.unwrap();
    });
    assert!(emulator.scaleway_connectors().iter().all(|(_, _, s)| s == "conflict"));
    ws.ok(&["apply", "-refresh-only", "-auto-approve"]);
    assert_eq!(ws.resource_values(ADDR)["status"], "conflict");
    ws.write("main.tf", &scaleway_config("renamed", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B, ""));
    let failed = ws.terraform(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(failed.code, 1, "{failed:?}");
    assert!(failed.flat().contains("Scaleway connectors are in conflict"), "{failed:?}");
    assert!(failed.flat().contains("172.16.0.0/22 overlaps 172.16.1.0/24"), "lists the pairs: {failed:?}");
}
