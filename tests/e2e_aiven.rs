//! End to end, Aiven ↔ UpCloud: the real Terraform drives the provider against the emulator,
//! whose Aiven VPCs are backed by UpCloud networks of the same world.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn aiven_config(name: &str, network_is_aiven: bool, vpc: &str, upcloud_network: &str, extra: &str) -> String {
    let aiven = format!(r#"{{ aiven = {{ project = "{}", vpc_id = "{vpc}" }} }}"#, demo::AIVEN_PROJECT);
    let upcloud = format!(r#"{{ upcloud = {{ network_id = "{upcloud_network}" }} }}"#);
    let (network, peer) = if network_is_aiven { (aiven, upcloud) } else { (upcloud, aiven) };
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "{name}"
  network      = {network}
  peer_network = {peer}
{extra}
}}
"#
    )
}

/// Only peerings still alive (Aiven keeps DELETED ones listed for a moment).
fn live_aiven_peerings(emulator: &Emulator) -> Vec<(String, String)> {
    emulator.aiven_peerings().into_iter().filter(|(_, s)| s != "DELETED").collect()
}

#[test]
fn aiven_to_upcloud_lifecycle_repair_import_destroy() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_config("db-to-app", true, demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));

    let applied = ws.apply();
    assert!(applied.all().contains("Renew DHCP leases"), "{applied:?}");
    assert_eq!(live_aiven_peerings(&emulator), vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())]);
    let states = emulator.peering_states();
    assert_eq!(states.len(), 1, "one UpCloud half, from our network: {states:?}");
    assert_eq!(states[0], (demo::NETWORK_APP.into(), demo::AIVEN_NETWORK_FRA.into(), "active".into()));
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "active");
    assert_eq!(values["aiven_network_id"], demo::AIVEN_NETWORK_FRA, "kept after Aiven stops reporting it");
    assert_eq!(values["network_half"]["state"], "ACTIVE");
    assert_eq!(values["peer_half"]["state"], "active");
    assert_eq!(values["network_cidrs"], serde_json::json!(["10.50.0.0/24"]));
    assert_eq!(values["peer_network_cidrs"], serde_json::json!(["10.10.0.0/24"]));
    assert_eq!(ws.plan().code, 0, "re-plan shows no changes");

    // The UpCloud half deleted behind Terraform's back: Aiven reports DELETED_BY_PEER; plan repairs.
    let upcloud_half = values["peer_half"]["id"].as_str().unwrap().parse().unwrap();
    emulator.delete_peering(upcloud_half);
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("updated in-place"), "{plan:?}");
    ws.apply();
    assert_eq!(live_aiven_peerings(&emulator), vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())]);
    assert!(emulator.peering_states().iter().all(|(_, _, s)| s == "active"));
    assert_eq!(ws.plan().code, 0);

    // Import by id and by identity.
    let aiven = format!("aiven/{}/{}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA);
    let upcloud = format!("upcloud/{}", demo::NETWORK_APP);
    ws.reimport_by_id(ADDR, &format!("{aiven}:{upcloud}"));
    ws.reimport_by_identity(ADDR, &[("network", aiven), ("peer_network", upcloud)]);
    assert_eq!(ws.resource_values(ADDR)["aiven_network_id"], demo::AIVEN_NETWORK_FRA);

    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(live_aiven_peerings(&emulator).is_empty(), "{:?}", emulator.aiven_peerings());
    assert!(emulator.peering_states().is_empty());
}

#[test]
fn upcloud_to_aiven_orientation() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &aiven_config("app-to-db", false, demo::AIVEN_VPC_FRA, demo::NETWORK_DB, "  tags = { team = \"data\" }"),
    );
    ws.apply();
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "active");
    assert_eq!(values["network_half"]["state"], "active");
    assert_eq!(values["peer_half"]["state"], "ACTIVE");
    assert_eq!(values["peer_network_cidrs"], serde_json::json!(["10.50.0.0/24"]));
    // The tag, and the marker of the finished create that made the half.
    assert!(emulator.world().upcloud.peerings.values().any(|p| p.name == "app-to-db" && p.labels.len() == 2));
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(live_aiven_peerings(&emulator).is_empty());
}

#[test]
fn external_aiven_side_waits_then_the_peer_owner_completes_it() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    // Two owners: the default provider holds only Aiven credentials; the alias, only UpCloud's.
    for var in ["UPCLOUD_USERNAME", "UPCLOUD_PASSWORD", "UPCLOUD_API_URL", "AIVEN_TOKEN", "AIVEN_WEB_URL"] {
        ws.remove_env(var);
    }
    let providers = format!(
        r#"
terraform {{
  required_providers {{
    peering = {{ source = "peering-dev/peering" }}
  }}
}}
provider "peering" {{
  aiven {{
    token   = "{AIVEN_TOKEN}"
    api_url = "{url}"
  }}
}}
provider "peering" {{
  alias = "upcloud_owner"
  upcloud {{
    username = "{USERNAME}"
    password = "{PASSWORD}"
    api_url  = "{url}"
  }}
}}

resource "peering_connection" "aiven_side" {{
  name         = "aiven-side"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{net}" }} }}
  peer_side    = "external"
}}

output "aiven_network_id" {{
  value = peering_connection.aiven_side.aiven_network_id
}}
"#,
        url = emulator.url(),
        project = demo::AIVEN_PROJECT,
        vpc = demo::AIVEN_VPC_FRA,
        net = demo::NETWORK_APP,
    );
    ws.write("main.tf", &providers);
    let applied = ws.apply();
    assert!(applied.all().contains("Peering waits for the UpCloud network's owner"), "{applied:?}");
    assert!(applied.flat().contains(&format!("Aiven network ID: {}", demo::AIVEN_NETWORK_FRA)), "{applied:?}");
    assert!(applied.flat().contains("POST /1.3/network-peering"), "{applied:?}");
    assert_eq!(ws.resource_values("peering_connection.aiven_side")["status"], "pending_peer");
    assert_eq!(live_aiven_peerings(&emulator), vec![(demo::NETWORK_APP.to_string(), "PENDING_PEER".to_string())]);
    assert!(emulator.peering_states().is_empty(), "no UpCloud half yet");
    assert_eq!(ws.plan().code, 0);

    // The UpCloud network's owner completes it with the Aiven network ID.
    ws.write(
        "owner.tf",
        &format!(
            r#"
resource "peering_connection" "upcloud_side" {{
  provider         = peering.upcloud_owner
  name             = "upcloud-side"
  network          = {{ upcloud = {{ network_id = "{net}" }} }}
  peer_network     = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_side        = "external"
  aiven_network_id = peering_connection.aiven_side.aiven_network_id
}}
"#,
            net = demo::NETWORK_APP,
            project = demo::AIVEN_PROJECT,
            vpc = demo::AIVEN_VPC_FRA,
        ),
    );
    ws.apply();
    assert_eq!(ws.resource_values("peering_connection.upcloud_side")["status"], "active");
    assert_eq!(live_aiven_peerings(&emulator), vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())]);
    ws.ok(&["apply", "-refresh-only", "-auto-approve"]);
    assert_eq!(ws.resource_values("peering_connection.aiven_side")["status"], "active");
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(live_aiven_peerings(&emulator).is_empty());
    assert!(emulator.peering_states().is_empty());
}

fn assert_rejected(emulator: &Emulator, config: &str, expect: &[&str]) {
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", config);
    let before = emulator.requests().total_writes;
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    for text in expect {
        assert!(plan.stderr.contains(text), "expected {text:?} in {plan:?}");
    }
    assert_eq!(emulator.requests().total_writes, before, "nothing may be written");
}

#[test]
fn zone_overlap_and_router_problems_fail_at_plan_without_writes() {
    let emulator = Emulator::start(World::demo());
    assert_rejected(
        &emulator,
        &aiven_config("x", true, demo::AIVEN_VPC_HEL, demo::NETWORK_APP, ""),
        &["Networks are in different zones", "upcloud-fi-hel1", "12:   peer_network = { upcloud"],
    );
    assert_rejected(
        &emulator,
        &aiven_config("x", true, demo::AIVEN_VPC_FRA, demo::NETWORK_NO_ROUTER, ""),
        &["Network has no router", "12:   peer_network = { upcloud"],
    );
    // A VPC overlapping the db network, made through Aiven's API as its owner would.
    let overlapping = emulator.create_aiven_vpc("upcloud-de-fra", "10.20.0.0/23");
    assert_rejected(
        &emulator,
        &aiven_config("x", true, &overlapping.to_string(), demo::NETWORK_DB, ""),
        &["Network address ranges overlap", "10.20.0.0/23", "12:   peer_network = { upcloud"],
    );
    assert_rejected(
        &emulator,
        &aiven_config("x", true, "b0ffffff-0000-4000-8000-000000000000", demo::NETWORK_DB, ""),
        &["Aiven project VPC not found", "its VPCs:", demo::AIVEN_VPC_FRA, "11:   network      = { aiven"],
    );
    assert!(live_aiven_peerings(&emulator).is_empty());
}

#[test]
fn a_new_vpc_is_waited_for() {
    let emulator = Emulator::start(World::demo());
    // The VPC stays APPROVED until the provider has looked at it again and again (waiting, not
    // creating a peering Aiven would refuse); only then may it become ACTIVE.
    emulator.hold_transitions(true);
    let vpc = emulator.create_aiven_vpc("upcloud-de-fra", "10.70.0.0/24");
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_config("fresh", true, &vpc.to_string(), demo::NETWORK_DB, ""));
    let route = "GET /v1/project/{project}/vpcs/{vpc}".to_string();
    let vpc_reads = || emulator.requests().reads.get(&route).copied().unwrap_or(0);
    let mut apply = ws.spawn(&["apply", "-auto-approve", "-no-color"]);
    while vpc_reads() < 6 && apply.try_wait().unwrap().is_none() {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    emulator.hold_transitions(false);
    let run = finish(apply);
    assert_eq!(run.code, 0, "{run:?}");
    assert!(vpc_reads() >= 6, "the VPC was looked at while APPROVED: {:?}", emulator.requests());
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    ws.ok(&["destroy", "-auto-approve"]);
}

/// Terraform refreshes many peerings of one VPC at once; they share VPC reads.
#[test]
fn refreshing_fifty_peerings_of_one_vpc_shares_vpc_reads() {
    let mut world = World::demo();
    let router: peering_net::UpcloudRouterId = "04000000-0000-4000-8000-00000000fff1".parse().unwrap();
    world.upcloud.routers.insert(router, peering_emulator::upcloud::state::router(router, "many"));
    let mut ids = Vec::new();
    for i in 0..50u32 {
        let id: peering_net::UpcloudNetworkId =
            format!("03000000-0000-4000-8000-0000000{:05x}", 0x10000 + i).parse().unwrap();
        let net = peering_emulator::upcloud::state::network(
            id,
            &format!("n{i}"),
            "de-fra1",
            &format!("10.{}.0.0/24", 100 + i),
            Some(router),
        );
        world.upcloud.networks.insert(id, net);
        ids.push(format!("\"{id}\""));
    }
    let emulator = Emulator::start(world);
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
variable "networks" {{
  default = [{}]
}}
resource "peering_connection" "many" {{
  count        = length(var.networks)
  name         = "many-${{count.index}}"
  network      = {{ aiven = {{ project = "{}", vpc_id = "{}" }} }}
  peer_network = {{ upcloud = {{ network_id = var.networks[count.index] }} }}
  wait_for     = "created"
}}
"#,
            ids.join(", "),
            demo::AIVEN_PROJECT,
            demo::AIVEN_VPC_FRA
        ),
    );
    ws.apply();
    assert_eq!(live_aiven_peerings(&emulator).len(), 50);
    let route = "GET /v1/project/{project}/vpcs/{vpc}".to_string();
    let before = emulator.requests().reads.get(&route).copied().unwrap_or(0);
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let reads = emulator.requests().reads.get(&route).copied().unwrap_or(0) - before;
    println!("refreshing 50 peerings of one VPC made {reads} VPC reads");
    assert!(reads <= 10, "50 refreshes should share VPC reads, made {reads}");
    ws.ok(&["destroy", "-auto-approve"]);
}

#[test]
fn aiven_pair_under_faults_makes_no_duplicates() {
    let emulator = Emulator::start(World::demo());
    emulator.set_fault_rate(0.2, 11);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_config("flaky", true, demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));
    ws.apply();
    assert_eq!(live_aiven_peerings(&emulator), vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())]);
    assert_eq!(emulator.peering_states().len(), 1, "one UpCloud half");
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(live_aiven_peerings(&emulator).is_empty());
    assert!(emulator.peering_states().is_empty());
    let requests = emulator.requests();
    assert!(requests.faults_injected >= 3, "the run must have met faults: {requests:?}");
}
