//! End to end: the real Terraform drives the built provider against the emulator.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn id_of(network: &str, peer: &str) -> String {
    format!("upcloud/{network}:upcloud/{peer}")
}

#[test]
fn lifecycle_create_replan_rename_repair_destroy() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    let log = ws.trace_log();
    ws.write(
        "main.tf",
        &connection_config("app-db", demo::NETWORK_APP, demo::NETWORK_DB, "  tags = { team = \"platform\" }"),
    );

    let applied = ws.apply();
    assert!(applied.stdout.contains("1 added"), "{applied:?}");
    assert!(applied.all().contains("Renew DHCP leases"), "DHCP warning expected: {applied:?}");
    let mut states = emulator.peering_states();
    states.sort();
    assert_eq!(states.len(), 2, "one half per direction: {states:?}");
    assert!(states.iter().all(|(_, _, s)| s == "active"), "{states:?}");
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "active");
    assert_eq!(values["id"], id_of(demo::NETWORK_APP, demo::NETWORK_DB));
    assert_eq!(values["network_cidrs"], serde_json::json!(["10.10.0.0/24"]));
    assert_eq!(values["peer_network_cidrs"], serde_json::json!(["10.20.0.0/24"]));
    let world = emulator.world();
    // The team tag, and the marker that says whose finished create made the half.
    assert!(world.upcloud.peerings.values().all(|p| p.name == "app-db" && p.labels.len() == 2));
    assert!(world.upcloud.peerings.values().all(|p| p.labels.iter().any(|l| l.key == "peering-owner")));

    assert_eq!(ws.plan().code, 0, "re-plan must show no changes");

    // Rename: in place, both halves renamed, same ids.
    let ids_before: Vec<_> = emulator.world().upcloud.peerings.keys().copied().collect();
    ws.write(
        "main.tf",
        &connection_config("app-db-renamed", demo::NETWORK_APP, demo::NETWORK_DB, "  tags = { team = \"platform\" }"),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("1 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    let world = emulator.world();
    assert_eq!(world.upcloud.peerings.keys().copied().collect::<Vec<_>>(), ids_before);
    assert!(world.upcloud.peerings.values().all(|p| p.name == "app-db-renamed"));
    assert_eq!(ws.plan().code, 0);

    // Dropping the tags clears the labels on both halves.
    ws.write("main.tf", &connection_config("app-db-renamed", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    assert_eq!(ws.plan().code, 2);
    ws.apply();
    assert!(emulator.world().upcloud.peerings.values().all(|p| p.labels.iter().all(|l| l.key == "peering-owner")));
    assert_eq!(ws.plan().code, 0);

    // The peer half deleted behind Terraform's back: plan repairs it in place.
    let reverse = *world.upcloud.peerings.iter().find(|(_, p)| p.network.to_string() == demo::NETWORK_DB).unwrap().0;
    emulator.delete_peering(reverse);
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("updated in-place"), "{plan:?}");
    ws.apply();
    let states = emulator.peering_states();
    assert_eq!(states.len(), 2, "{states:?}");
    assert!(states.iter().all(|(_, _, s)| s == "active"), "{states:?}");
    assert_eq!(ws.plan().code, 0);

    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(emulator.world().upcloud.peerings.is_empty(), "destroy leaves no peering");

    let log = std::fs::read_to_string(log).unwrap();
    assert!(log.contains("provider.terraform-provider-peering"), "provider logs reach Terraform's log");
    assert!(!log.contains(PASSWORD), "the password must never appear in a log");
}

#[test]
fn import_by_id_by_native_id_and_by_identity() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("app-db", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let id = id_of(demo::NETWORK_APP, demo::NETWORK_DB);
    let half = ws.resource_values(ADDR)["network_half"]["id"].as_str().unwrap().to_string();

    for import_id in [id.clone(), format!("upcloud-peering/{half}")] {
        ws.reimport_by_id(ADDR, &import_id);
        assert_eq!(ws.resource_values(ADDR)["peer_side"], "managed");
    }

    // Identity in an import block (Terraform 1.12+).
    let identity = [
        ("network", format!("upcloud/{}", demo::NETWORK_APP)),
        ("peer_network", format!("upcloud/{}", demo::NETWORK_DB)),
    ];
    ws.reimport_by_identity(ADDR, &identity);
    let identities = ws.ok(&["state", "identities", "-json"]);
    assert!(identities.stdout.contains(&format!("upcloud/{}", demo::NETWORK_DB)), "{identities:?}");

    // Generated configuration: valid, minimal, and planning to no change.
    ws.ok(&["state", "rm", ADDR]);
    ws.write("main.tf", PROVIDER_HEADER);
    ws.write("import.tf", &format!("import {{\n  to = {ADDR}\n  id = \"{id}\"\n}}\n"));
    let generated = ws.terraform(&["plan", "-no-color", "-generate-config-out=generated.tf"]);
    assert_eq!(generated.code, 0, "{generated:?}");
    let hcl = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    assert!(hcl.contains("name") && hcl.contains(demo::NETWORK_DB), "{hcl}");
    for absent in ["status", "network_half", "peer_side", "wait_for", "network_cidrs", "timeouts", "tags"] {
        assert!(!hcl.contains(absent), "generated config should not set {absent}:\n{hcl}");
    }
    ws.ok(&["validate", "-no-color"]);
    ws.apply();
    std::fs::remove_file(ws.path().join("import.tf")).unwrap();
    assert_eq!(ws.plan().code, 0, "generated config plans to no change");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(emulator.world().upcloud.peerings.is_empty());
}

fn assert_plan_rejected(network: &str, peer: &str, expect: &[&str]) {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("bad", network, peer, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    for text in expect {
        assert!(plan.stderr.contains(text), "expected {text:?} in {plan:?}");
    }
    let requests = emulator.requests();
    assert_eq!(requests.total_writes, 0, "nothing may be written: {requests:?}");
    assert!(requests.total_reads > 0, "the checks read the networks: {requests:?}");
    assert!(emulator.world().upcloud.peerings.is_empty());
}

#[test]
fn overlapping_networks_fail_at_plan_without_writes() {
    // The diagnostic points at the peer network in the configuration (Terraform quotes that line).
    assert_plan_rejected(
        demo::NETWORK_APP,
        demo::NETWORK_OVERLAP,
        &["Network address ranges overlap", "10.10.0.128/25", "12:   peer_network = { upcloud"],
    );
}

#[test]
fn network_without_router_fails_at_plan_without_writes() {
    assert_plan_rejected(
        demo::NETWORK_NO_ROUTER,
        demo::NETWORK_DB,
        &["Network has no router", "11:   network      = { upcloud"],
    );
}

#[test]
fn bad_input_is_caught_at_validate_and_plan() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("x", "not-a-uuid", demo::NETWORK_DB, "  peer_side = \"sideways\""));
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1);
    assert!(validate.stderr.contains("is not a UUID"), "{validate:?}");
    assert!(validate.stderr.contains("Invalid peer_side"), "{validate:?}");

    ws.write("main.tf", &connection_config("x", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.remove_env("UPCLOUD_USERNAME");
    ws.remove_env("UPCLOUD_PASSWORD");
    let plan = ws.plan();
    assert_eq!(plan.code, 1);
    assert!(
        plan.stderr.contains("Missing UpCloud credentials") && plan.stderr.contains("UPCLOUD_USERNAME"),
        "{plan:?}"
    );

    ws.set_env("UPCLOUD_USERNAME", USERNAME);
    ws.set_env("UPCLOUD_PASSWORD", "wrong-password");
    let plan = ws.plan();
    assert_eq!(plan.code, 1);
    assert!(plan.stderr.contains("AUTHENTICATION_FAILED"), "{plan:?}");
    assert!(!plan.all().contains("wrong-password"), "credentials never appear in errors");
    assert_eq!(emulator.requests().total_writes, 0);
}

#[test]
fn external_peer_side_manages_our_half_only() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("ours", demo::NETWORK_APP, demo::NETWORK_DB, "  peer_side = \"external\""));
    let applied = ws.apply();
    assert!(applied.all().contains("waits for the peer network's owner"), "{applied:?}");
    assert_eq!(ws.resource_values(ADDR)["status"], "pending_peer");
    assert_eq!(emulator.world().upcloud.peerings.len(), 1);
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.world().upcloud.peerings.is_empty());
}

#[test]
fn apply_under_faults_makes_no_duplicates() {
    let emulator = Emulator::start(World::demo());
    emulator.set_fault_rate(0.2, 7);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("flaky", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let states = emulator.peering_states();
    assert_eq!(states.len(), 2, "exactly one half per direction: {states:?}");
    assert!(states.iter().all(|(_, _, s)| s == "active"), "{states:?}");
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.world().upcloud.peerings.is_empty());
    let requests = emulator.requests();
    assert!(requests.faults_injected >= 3, "the run must have met faults: {requests:?}");
}

#[test]
fn examples_are_formatted() {
    let emulator = Emulator::start(World::empty());
    let ws = Workspace::new(&emulator.url());
    let examples = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples");
    let run = ws.terraform(&["fmt", "-check", "-recursive", "-diff", examples.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{run:?}");
}

#[test]
fn existing_halves_are_refused_or_adopted_and_a_lost_half_is_recreated() {
    let emulator = Emulator::start(World::demo());
    let client = emulator.upcloud();
    // The reverse half already exists, made by hand under another name.
    let existing = emulator.upcloud_half_by_hand("made-by-hand", demo::NETWORK_DB, demo::NETWORK_APP);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("adopted", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    // Under another name it is someone else's: "already exists", the id to import, nothing written.
    let refused = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.flat().contains("UpCloud network peering already exists"), "{refused:?}");
    assert!(refused.flat().contains(&format!("upcloud-peering/{existing}")), "{refused:?}");
    assert_eq!(emulator.requests().total_writes, 1, "only the hand-made half: {:?}", emulator.requests());
    assert_eq!(emulator.world().upcloud.peerings[&existing].name, "made-by-hand");

    // Under the planned name but without this provider's marker it was made by hand all the
    // same: refused again, nothing written.
    emulator.block_on(async {
        let patch = peering_clouds::upcloud::PeeringPatch { name: Some("adopted".into()), ..Default::default() };
        client.modify_peering(existing, &patch).await.unwrap();
    });
    let refused = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.flat().contains("carries no marker of this provider"), "{refused:?}");
    assert!(refused.flat().contains("already exists"), "the plan said so first: {refused:?}");

    // Marked by a create that never finished, with the planned name: resumed, and that is said.
    emulator.block_on(async {
        let label = peering_clouds::upcloud::Label { key: "peering-owner".into(), value: "creating-0a1b".into() };
        let patch = peering_clouds::upcloud::PeeringPatch { labels: Some(vec![label]), ..Default::default() };
        client.modify_peering(existing, &patch).await.unwrap();
    });
    let applied = ws.apply();
    assert!(applied.flat().contains("Adopted an existing UpCloud network peering"), "{applied:?}");
    assert!(applied.flat().contains(&existing.to_string()), "{applied:?}");
    let world = emulator.world();
    assert_eq!(world.upcloud.peerings.len(), 2, "adopted, not duplicated");
    assert_eq!(ws.resource_values(ADDR)["peer_half"]["id"], existing.to_string());
    let marker = |p: &peering_emulator::upcloud::state::PeeringRecord| {
        p.labels.iter().find(|l| l.key == "peering-owner").map(|l| l.value.clone())
    };
    let markers: Vec<_> = world.upcloud.peerings.values().map(marker).collect();
    assert!(markers.iter().all(|m| m.as_ref().is_some_and(|m| !m.starts_with("creating-"))), "{markers:?}");
    assert_eq!(markers[0], markers[1], "both halves carry this state's token: {markers:?}");

    // Our own half deleted behind Terraform's back: the peer half still stands, so the peering
    // is still there and the plan remakes our half in place.
    let ours = ws.resource_values(ADDR)["network_half"]["id"].as_str().unwrap().parse().unwrap();
    emulator.delete_peering(ours);
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    assert_eq!(emulator.world().upcloud.peerings.len(), 2);
    assert_eq!(ws.plan().code, 0);
}

/// Terraform sends a string template over an unknown value as a refined unknown (ext 12 with a
/// known prefix); planning the dependent resource must decode it.
#[test]
fn refined_unknowns_from_terraform_are_planned() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    let log = ws.trace_log();
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "first" {{
  name         = "first"
  network      = {{ upcloud = {{ network_id = "{app}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{db}" }} }}
}}

resource "peering_connection" "second" {{
  name         = "after-${{peering_connection.first.status}}"
  network      = {{ upcloud = {{ network_id = "{db}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{other}" }} }}
}}
"#,
            app = demo::NETWORK_APP,
            db = demo::NETWORK_DB,
            other = demo::NETWORK_OVERLAP
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("2 to add"), "{plan:?}");
    let log = std::fs::read_to_string(&log).unwrap();
    assert!(
        log.lines().any(|l| l.contains("decoded a refined unknown") && l.contains("ext=12") && l.contains(".name")),
        "Terraform sent the templated name as a refined unknown"
    );
    ws.apply();
    assert_eq!(ws.resource_values("peering_connection.second")["name"], "after-active");
    assert_eq!(emulator.world().upcloud.peerings.len(), 4);
    assert_eq!(ws.plan().code, 0);
}
