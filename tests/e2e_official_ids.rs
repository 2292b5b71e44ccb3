//! End to end, ids as the official providers give them (issue 28, finding 1): `scaleway_vpc.id`
//! is `fr-par/UUID`, a Private Network's `fr-par/UUID`, an Instance NIC's `fr-par-1/UUID`,
//! `aiven_project_vpc.id` is `PROJECT/UUID`. Each is taken as the bare UUID is; a region or
//! project inside an id that disagrees with the one given is an error naming both; state keeps
//! what the configuration said, and the same network written the other way replaces nothing.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

fn scaleway_pair(vpc_a: &str, vpc_b: &str, route_table_vpc: &str, pn: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "ab" {{
  name         = "a-to-b"
  network      = {{ scaleway = {{ vpc_id = "{vpc_a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{vpc_b}" }} }}
}}

resource "peering_custom_route" "via_connector" {{
  route_table = {{ scaleway = {{ vpc_id = "{route_table_vpc}" }} }}
  destination = "172.16.4.0/22"
  next_hop    = {{ connection = peering_connection.ab.id }}
}}

resource "peering_custom_route" "via_network" {{
  route_table = {{ scaleway = {{ vpc_id = "{route_table_vpc}" }} }}
  destination = "10.99.0.0/24"
  next_hop    = {{ private_network_id = "{pn}" }}
}}
"#
    )
}

#[test]
fn scaleway_ids_with_their_region_are_taken_and_kept_as_written() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let (a, b, pn) = (demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B, demo::SCALEWAY_PN_A);
    let official =
        scaleway_pair(&format!("fr-par/{a}"), &format!("fr-par/{b}"), &format!("fr-par/{a}"), &format!("fr-par/{pn}"));
    ws.write("main.tf", &official);
    ws.apply();
    assert_eq!(emulator.scaleway_connectors().len(), 2);
    let conn = ws.resource_values("peering_connection.ab");
    assert_eq!(conn["network"]["scaleway"]["vpc_id"], format!("fr-par/{a}"), "state keeps the configured form");
    assert_eq!(conn["network"]["scaleway"]["region"], "fr-par", "the region comes from the id");
    assert_eq!(conn["id"], format!("scaleway/fr-par/{a}:scaleway/fr-par/{b}"), "the canonical id is unchanged");
    let route = ws.resource_values("peering_custom_route.via_network");
    assert_eq!(route["next_hop"]["private_network_id"], format!("fr-par/{pn}"));
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "a refresh reads the ids back as written: {plan:?}");

    // The same networks written as bare UUIDs: an update of the text, never a replacement.
    ws.write("main.tf", &scaleway_pair(a, b, a, pn));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("0 to add, 3 to change, 0 to destroy"), "{plan:?}");
    assert!(!plan.stdout.contains("must be replaced"), "{plan:?}");
    ws.apply();
    assert_eq!(emulator.scaleway_connectors().len(), 2);
    assert_eq!(ws.plan().code, 0);

    // Imported by the connector's id (bare UUIDs in state), then configured in the official form.
    ws.write("main.tf", &official);
    ws.apply();
    let connector = *emulator.world().scaleway.connectors.keys().next().unwrap();
    ws.ok(&["state", "rm", "peering_connection.ab"]);
    ws.ok(&["import", "-no-color", "peering_connection.ab", &format!("fr-par/{connector}")]);
    let plan = ws.plan();
    assert!(!plan.stdout.contains("must be replaced"), "{plan:?}");
    ws.apply();
    assert_eq!(emulator.scaleway_connectors().len(), 2, "nothing replaced");
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.scaleway_connectors().is_empty());
}

#[test]
fn a_region_or_project_inside_an_id_must_agree_with_the_one_given() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let (a, b) = (demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B);
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "ab" {{
  name         = "a-to-b"
  network      = {{ scaleway = {{ region = "nl-ams", vpc_id = "fr-par/{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "pl-waw-2/{b}" }} }}
}}
resource "peering_connection" "aiven" {{
  name         = "db"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "other-project/{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{net}" }} }}
}}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ region = "fr-par", vpc_id = "{a}" }} }}
  destination = "10.99.0.0/24"
  next_hop    = {{ private_network_id = "nl-ams-1/{pn}" }}
}}
"#,
            project = demo::AIVEN_PROJECT,
            vpc = demo::AIVEN_VPC_FRA,
            net = demo::NETWORK_APP,
            pn = demo::SCALEWAY_PN_A,
        ),
    );
    let run = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(run.code, 1, "{run:?}");
    let text = run.flat();
    assert!(text.contains(&format!("\"fr-par/{a}\" is in fr-par, but the region is nl-ams")), "{text}");
    assert!(
        text.contains(&format!("\"pl-waw-2/{b}\" is not a UUID, nor REGION/UUID")),
        "a zone is no VPC region: {text}"
    );
    assert!(
        text.contains(&format!(
            "\"other-project/{}\" is in project \"other-project\", but project is \"demo\"",
            demo::AIVEN_VPC_FRA
        )),
        "{text}"
    );
    assert!(
        text.contains(&format!(
            "\"nl-ams-1/{}\" is in nl-ams-1, but the route's region is fr-par",
            demo::SCALEWAY_PN_A
        )),
        "{text}"
    );
    assert_eq!(emulator.requests().total_writes, 0, "nothing written");
}

#[test]
fn an_aiven_vpc_as_aiven_project_vpc_id_gives_it() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "db" {{
  name         = "db"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{project}/{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{net}" }} }}
}}
data "peering_network" "vpc" {{
  aiven = {{ project = "{project}", vpc_id = "{project}/{vpc}" }}
}}
data "peering_network" "scw" {{
  scaleway = {{ vpc_id = "fr-par/{scw}" }}
}}
output "cidrs" {{ value = data.peering_network.vpc.ipv4_cidrs }}
output "scw" {{ value = data.peering_network.scw.ipv4_cidrs }}
"#,
            project = demo::AIVEN_PROJECT,
            vpc = demo::AIVEN_VPC_FRA,
            net = demo::NETWORK_APP,
            scw = demo::SCALEWAY_VPC_A,
        ),
    );
    ws.apply();
    let conn = ws.resource_values("peering_connection.db");
    assert_eq!(conn["status"], "active", "{conn:#}");
    assert_eq!(conn["network"]["aiven"]["vpc_id"], format!("{}/{}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA));
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.aiven_peerings().iter().all(|(_, s)| s == "DELETED"), "{:?}", emulator.aiven_peerings());
}
