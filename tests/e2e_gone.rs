//! A network that is gone: its owner deleted the peer network (UpCloud) or the Aiven VPC under
//! a peering. The plan says which network, by its id, and what to do; destroy still deletes what
//! is left.

mod common;

use common::runs::{Kind, pair_config};
use common::*;
use peering_emulator::world::{World, demo};

#[test]
fn a_deleted_peer_network_is_said_at_plan_and_destroy_deletes_our_half() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("app-db", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let upcloud = emulator.upcloud();
    emulator.block_on(upcloud.delete_network(demo::NETWORK_DB.parse().unwrap())).unwrap();
    // Said at plan as a warning (the same plan runs before every destroy), and the apply stops
    // there before writing anything.
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("Warning: UpCloud network not found") && text.contains(demo::NETWORK_DB), "{plan:?}");
    assert!(text.contains("cannot be made again while this holds"), "says what to do: {plan:?}");
    let writes = emulator.requests().total_writes;
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    assert!(apply.flat().contains("Error: UpCloud network not found"), "{apply:?}");
    assert!(!apply.flat().contains("NETWORK_NOT_FOUND"), "no raw 404: {apply:?}");
    assert_eq!(emulator.requests().total_writes, writes, "nothing written");
    let destroyed = ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(destroyed.stdout.contains("1 destroyed"), "{destroyed:?}");
    assert!(emulator.peering_states().is_empty(), "our half is gone too: {:?}", emulator.peering_states());
}

#[test]
fn a_deleted_aiven_vpc_is_said_at_plan_and_destroy_deletes_our_upcloud_half() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair_config(Kind::AivenUpcloud, "app-db", ""));
    ws.apply();
    let aiven = emulator.aiven();
    let vpc: uuid::Uuid = demo::AIVEN_VPC_FRA.parse().unwrap();
    emulator.block_on(aiven.delete_upcloud_peering(demo::AIVEN_PROJECT, vpc, demo::NETWORK_APP)).unwrap();
    emulator.block_on(aiven.delete_vpc(demo::AIVEN_PROJECT, vpc)).unwrap();
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("Warning: Aiven project VPC") && text.contains(demo::AIVEN_VPC_FRA), "{plan:?}");
    assert!(text.contains("cannot be made again while this holds"), "says what to do: {plan:?}");
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    assert!(apply.flat().contains("Error: Aiven project VPC"), "{apply:?}");
    let destroyed = ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(destroyed.stdout.contains("1 destroyed"), "{destroyed:?}");
    assert!(emulator.peering_states().is_empty(), "our UpCloud half is gone: {:?}", emulator.peering_states());
}

/// A peering whose create the apply refused (its network known only after apply, overlapping):
/// Terraform plans every configured resource before a destroy, and the provider cannot tell
/// that plan from another, so the refusal comes back there — saying the way out, which works.
#[test]
fn a_peering_never_made_says_how_to_destroy_the_rest() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "terraform_data" "network" {{
  input = "{overlap}"
}}
resource "peering_connection" "bad" {{
  name         = "overlapping"
  network      = {{ upcloud = {{ network_id = terraform_data.network.output }} }}
  peer_network = {{ upcloud = {{ network_id = "{app}" }} }}
}}
"#,
            overlap = demo::NETWORK_OVERLAP,
            app = demo::NETWORK_APP
        ),
    );
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    assert!(apply.flat().contains("overlap"), "{apply:?}");
    assert!(emulator.peering_states().is_empty(), "nothing made");
    let destroy = ws.terraform(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(destroy.code, 1, "{destroy:?}");
    assert!(destroy.flat().contains("terraform destroy -refresh=false"), "the way out: {destroy:?}");
    ws.ok(&["destroy", "-refresh=false", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(ws.state_json()["values"], serde_json::Value::Null, "nothing left in state");
}
