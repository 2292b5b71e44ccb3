//! End to end, Scaleway custom routes through peering connectors: the shipped examples apply,
//! routes update in place and import, mistakes are caught before any write.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

fn example(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name).join("main.tf"),
    )
    .unwrap()
}

fn custom_routes(emulator: &Emulator) -> Vec<peering_emulator::scaleway::wire::Route> {
    emulator.world().scaleway.routes.values().cloned().collect()
}

#[test]
fn peered_vpcs_with_routes_on_both_sides() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &example("scaleway-peering"));
    ws.apply();
    let connectors = emulator.scaleway_connectors();
    assert!(connectors.iter().all(|(_, _, s)| s == "peered") && connectors.len() == 2, "{connectors:?}");
    let routes = custom_routes(&emulator);
    assert_eq!(routes.len(), 2, "{routes:?}");
    let world = emulator.world();
    for route in &routes {
        let connector = &world.scaleway.connectors[&route.nexthop_vpc_connector_id.unwrap()];
        assert_eq!(connector.vpc_id, route.vpc_id, "each route goes through its own VPC's connector");
    }
    assert_eq!(ws.plan().code, 0);

    // In place: description and destination.
    let updated = example("scaleway-peering").replace("\"to VPC B\"", "\"to VPC B, renamed\"");
    ws.write("main.tf", &updated);
    let plan = ws.plan();
    assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    assert!(custom_routes(&emulator).iter().any(|r| r.description == "to VPC B, renamed"));
    assert_eq!(ws.plan().code, 0);

    // Import by id and by identity.
    let route = "peering_custom_route.a_to_b[\"172.16.4.0/22\"]";
    let id = ws.resource_values(route)["id"].as_str().unwrap().to_string();
    assert!(id.starts_with("scaleway/fr-par/"), "{id}");
    ws.reimport_by_id(route, &id);
    let identity =
        [("route_table", format!("scaleway/fr-par/{}", demo::SCALEWAY_VPC_A)), ("destination", "172.16.4.0/22".into())];
    ws.reimport_by_identity(route, &identity);

    ws.ok(&["destroy", "-auto-approve"]);
    assert!(custom_routes(&emulator).is_empty());
    assert!(emulator.scaleway_connectors().is_empty());
}

#[test]
fn the_transitive_example_applies() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &example("transitive-peering"));
    ws.apply();
    let connectors = emulator.scaleway_connectors();
    assert_eq!(connectors.len(), 4, "A↔B and B↔C, both directions: {connectors:?}");
    assert!(connectors.iter().all(|(_, _, s)| s == "peered"));
    let routes = custom_routes(&emulator);
    assert_eq!(routes.len(), 6);
    let a: uuid::Uuid = demo::SCALEWAY_VPC_A.parse().unwrap();
    let from_a: Vec<String> = routes.iter().filter(|r| r.vpc_id == a).map(|r| r.destination.to_string()).collect();
    assert!(from_a.contains(&"172.16.8.0/22".to_string()), "A routes C's prefix through B: {from_a:?}");
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(custom_routes(&emulator).is_empty());
    assert!(emulator.scaleway_connectors().is_empty());
}

#[test]
fn scaleway_route_mistakes_fail_before_anything_is_written() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    // A connection between B and C used as next hop in A's table; an UpCloud-style ip hop.
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "wrong_vpc" {{
  route_table = {{ scaleway = {{ region = "fr-par", vpc_id = "{a}" }} }}
  destination = "172.16.8.0/22"
  next_hop    = {{ connection = "scaleway/fr-par/{b}:scaleway/fr-par/{c}" }}
}}
resource "peering_custom_route" "wrong_kind" {{
  route_table = {{ scaleway = {{ region = "fr-par", vpc_id = "{a}" }} }}
  destination = "172.16.8.0/22"
  next_hop    = {{ ip = "172.16.0.10" }}
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            b = demo::SCALEWAY_VPC_B,
            c = demo::SCALEWAY_VPC_C
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Connection of another VPC"), "{plan:?}");
    assert!(plan.flat().contains("next_hop.ip is not for Scaleway"), "{plan:?}");
    // A Private Network of another VPC.
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "foreign_pn" {{
  route_table = {{ scaleway = {{ region = "fr-par", vpc_id = "{}" }} }}
  destination = "10.0.0.0/24"
  next_hop    = {{ private_network_id = "{}" }}
}}
"#,
            demo::SCALEWAY_VPC_A,
            demo::SCALEWAY_PN_B
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Private Network not in this VPC"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

/// A Scaleway route without a description keeps Scaleway's own name when its destination changes
/// in place: the plan shows the destination, not a name "known after apply".
#[test]
fn a_destination_changed_in_place_keeps_the_routes_name() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let config = |destination: &str| {
        format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "p" {{
  name         = "a-b"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{b}" }} }}
}}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "{a}" }} }}
  destination = "{destination}"
  next_hop    = {{ connection = peering_connection.p.id }}
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            b = demo::SCALEWAY_VPC_B
        )
    };
    ws.write("main.tf", &config("10.91.0.0/24"));
    ws.apply();
    ws.write("main.tf", &config("10.92.0.0/24"));
    let plan = ws.plan();
    assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{plan:?}");
    assert!(!plan.flat().contains("name = \"Custom route\" -> (known after apply)"), "{plan:?}");
    ws.apply();
    assert_eq!(ws.plan().code, 0);
}
