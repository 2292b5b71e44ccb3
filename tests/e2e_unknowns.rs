//! Values known only after apply: tags made of variables, `each.key` or another resource's
//! output, and a route whose connection is known only after apply, defaulting its region from it.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

const CONFIG: &str = r#"
variable "team" {
  type    = string
  default = "net"
}

resource "terraform_data" "team" {
  input = var.team
}

resource "peering_connection" "a_b" {
  for_each     = toset(["spoke"])
  name         = "a-b"
  network      = { scaleway = { region = "fr-par", vpc_id = "VPC_A" } }
  peer_network = { scaleway = { region = "fr-par", vpc_id = "VPC_B" } }
  tags         = merge({ role = each.key }, { team = terraform_data.team.output })
}

# The connection's id passed through another resource: known only after apply.
resource "terraform_data" "connection" {
  input = peering_connection.a_b["spoke"].id
}

resource "peering_custom_route" "a_to_b" {
  route_table = { scaleway = { vpc_id = "VPC_A" } }
  destination = "172.16.4.0/22"
  next_hop    = { connection = terraform_data.connection.output }
  tags        = { team = var.team }
}
"#;

#[test]
fn tags_and_a_connection_known_only_after_apply_are_planned_and_applied() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    // The provider's own region is not the connection's: the route's region must come from the
    // connection once it is known, not from the provider at plan.
    ws.set_env("SCW_DEFAULT_REGION", "nl-ams");
    let config = CONFIG.replace("VPC_A", demo::SCALEWAY_VPC_A).replace("VPC_B", demo::SCALEWAY_VPC_B);
    ws.write("main.tf", &format!("{PROVIDER_HEADER}{config}"));
    let validated = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validated.code, 0, "{validated:?}");
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(plan.flat().contains(r#""team" = (known after apply)"#), "{plan:?}");
    assert!(
        plan.flat().contains(r#"region = (known after apply)"#),
        "the route's region waits for its connection: {plan:?}"
    );
    let applied = ws.apply();
    assert!(!applied.flat().contains("inconsistent"), "{applied:?}");
    let route = ws.resource_values("peering_custom_route.a_to_b");
    assert_eq!(route["route_table"]["scaleway"]["region"], "fr-par", "{route}");
    let connectors = emulator.world().scaleway.connectors;
    assert!(connectors.values().all(|c| user_tags(&c.tags) == ["role=spoke", "team=net"]), "{connectors:?}");
    assert_eq!(ws.plan().code, 0, "re-plan is empty");
}
