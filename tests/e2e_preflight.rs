//! `peering_preflight`: the plan-time checks of a peering as data, read by a real Terraform; a
//! `precondition` on it stops a plan before anything is written.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

fn preflight(label: &str, vpc: &str, upcloud_network: &str) -> String {
    format!(
        r#"
data "peering_preflight" "{label}" {{
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{upcloud_network}" }} }}
}}
"#,
        project = demo::AIVEN_PROJECT
    )
}

#[test]
fn checks_are_answered_as_data_without_writes() {
    let emulator = Emulator::start(World::demo());
    let overlapping = emulator.create_aiven_vpc("upcloud-de-fra", "10.20.0.0/23").to_string();
    let writes = emulator.requests().total_writes;
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
{good}{zones}{overlap}{missing}
output "missing" {{ value = data.peering_preflight.missing }}
output "good" {{ value = data.peering_preflight.good }}
output "zones" {{ value = data.peering_preflight.zones }}
output "overlap" {{ value = data.peering_preflight.overlap }}
"#,
            good = preflight("good", demo::AIVEN_VPC_FRA, demo::NETWORK_DB),
            zones = preflight("zones", demo::AIVEN_VPC_HEL, demo::NETWORK_APP),
            overlap = preflight("overlap", &overlapping, demo::NETWORK_DB),
            missing = preflight("missing", demo::AIVEN_VPC_FRA, "03ffffff-0000-4000-8000-000000000000"),
        ),
    );
    ws.apply();
    let out: serde_json::Value = serde_json::from_str(&ws.ok(&["output", "-json"]).stdout).unwrap();

    assert_eq!(out["good"]["value"]["ok"], true, "{out:#}");
    assert_eq!(out["good"]["value"]["problems"], serde_json::json!([]), "{out:#}");

    let zones = &out["zones"]["value"];
    assert_eq!(zones["ok"], false, "{out:#}");
    let problem = &zones["problems"][0];
    assert_eq!(problem["severity"], "error");
    assert_eq!(problem["summary"], "Networks are in different zones");
    assert!(problem["attribute"].as_str().unwrap().starts_with("peer_network"), "{problem}");
    assert!(problem["detail"].as_str().unwrap().contains("upcloud-fi-hel1"), "{problem}");

    let overlap = &out["overlap"]["value"];
    assert_eq!(overlap["ok"], false, "{out:#}");
    let summaries: Vec<_> = overlap["problems"].as_array().unwrap().iter().map(|p| p["summary"].clone()).collect();
    assert!(summaries.contains(&"Network address ranges overlap".into()), "{summaries:?}");

    let missing = &out["missing"]["value"];
    assert_eq!(missing["ok"], false, "{out:#}");
    assert_eq!(missing["problems"][0]["attribute"], "peer_network.upcloud.network_id", "{out:#}");

    assert_eq!(emulator.requests().total_writes, writes, "a preflight only reads");
}

#[test]
fn a_precondition_on_a_preflight_stops_the_plan() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let config = |vpc: &str, network: &str| {
        format!(
            r#"{PROVIDER_HEADER}
{check}
resource "peering_connection" "this" {{
  name         = "guarded"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{network}" }} }}
  lifecycle {{
    precondition {{
      condition     = data.peering_preflight.this.ok
      error_message = join("; ", [for p in data.peering_preflight.this.problems : p.summary])
    }}
  }}
}}
"#,
            check = preflight("this", vpc, network),
            project = demo::AIVEN_PROJECT
        )
    };
    ws.write("main.tf", &config(demo::AIVEN_VPC_HEL, demo::NETWORK_APP));
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Resource precondition failed"), "{plan:?}");
    assert!(plan.flat().contains("Networks are in different zones"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);

    ws.write("main.tf", &config(demo::AIVEN_VPC_FRA, demo::NETWORK_DB));
    ws.apply();
    assert_eq!(ws.resource_values("peering_connection.this")["status"], "active");
    ws.ok(&["destroy", "-auto-approve"]);
}

#[test]
fn malformed_endpoints_fail_at_validate() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
data "peering_preflight" "this" {{
  network      = {{ upcloud = {{ network_id = "not-a-uuid" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{vpc}" }} }}
}}
"#,
            vpc = demo::SCALEWAY_VPC_A
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(validate.flat().contains("Invalid network"), "{validate:?}");
    assert!(validate.flat().contains("data.peering_preflight.this"), "{validate:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

/// In a `check` block the same answer only warns: the plan goes on.
#[test]
fn a_check_block_warns_and_the_plan_goes_on() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
check "peering_is_possible" {{
{check}
  assert {{
    condition     = data.peering_preflight.this.ok
    error_message = join("; ", [for p in data.peering_preflight.this.problems : "${{p.attribute}}: ${{p.summary}}"])
  }}
}}
"#,
            check = preflight("this", demo::AIVEN_VPC_HEL, demo::NETWORK_APP)
        ),
    );
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(plan.flat().contains("Check block assertion failed"), "{plan:?}");
    assert!(plan.flat().contains("peer_network.upcloud.network_id: Networks are in different zones"), "{plan:?}");
}

/// A VPC Aiven is still building (`APPROVED`) is a warning, as the docs promise: `ok` stays true.
#[test]
fn a_vpc_still_being_built_is_a_warning() {
    let emulator = Emulator::start(World::demo());
    emulator.hold_transitions(true);
    let building = emulator.create_aiven_vpc("upcloud-de-fra", "10.71.0.0/24").to_string();
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            "{PROVIDER_HEADER}{}\noutput \"building\" {{ value = data.peering_preflight.building }}\n",
            preflight("building", &building, demo::NETWORK_DB)
        ),
    );
    ws.apply();
    let out: serde_json::Value = serde_json::from_str(&ws.ok(&["output", "-json"]).stdout).unwrap();
    let building = &out["building"]["value"];
    assert_eq!(building["ok"], true, "{out:#}");
    let problem = &building["problems"][0];
    assert_eq!(problem["severity"], "warning", "{out:#}");
    assert_eq!(problem["summary"], "Aiven project VPC is still being built");
    assert!(problem["detail"].as_str().unwrap().contains("APPROVED"), "{problem}");
}
