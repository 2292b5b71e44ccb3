//! End to end, hand changes to either half of a peering: what the configuration gives each
//! half (name, tags) is read from both, a change to either shows in plan, and apply puts it back.

mod common;

use common::*;
use peering_clouds::scaleway::wire::ConnectorPatch;
use peering_clouds::upcloud::PeeringPatch;
use peering_emulator::world::{World, demo};

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

/// Renames the UpCloud half `id` behind Terraform's back; every plan shows it, however often
/// the state is refreshed, until apply puts it back.
fn rename_is_drift(emulator: &Emulator, ws: &Workspace, id: &str) {
    let patch = PeeringPatch { name: Some("renamed-by-hand".into()), ..Default::default() };
    emulator.block_on(emulator.upcloud().modify_peering(id.parse().unwrap(), &patch)).unwrap();
    for _ in 0..2 {
        ws.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
        let plan = ws.plan();
        assert_eq!(plan.code, 2, "{plan:?}");
        assert!(plan.flat().contains(r#"~ name = "renamed-by-hand" -> "app-db""#), "{plan:?}");
    }
    ws.apply();
    let id: peering_net::UpcloudPeeringId = id.parse().unwrap();
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
    let patch = ConnectorPatch { name: Some("b-to-a".into()), tags: Some(Vec::new()) };
    emulator.block_on(scaleway.update_connector("fr-par", reverse, &patch)).unwrap();
    for _ in 0..2 {
        ws.ok(&["apply", "-refresh-only", "-auto-approve", "-no-color"]);
        let plan = ws.plan();
        assert_eq!(plan.code, 2, "{plan:?}");
        assert!(plan.flat().contains(r#"+ "env" = "prod""#), "{plan:?}");
        assert!(plan.flat().contains(r#"~ name = "b-to-a" -> "app-db""#), "{plan:?}");
    }
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

#[test]
fn each_half_keeps_a_name_of_its_own_when_configured() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let base = config(&upcloud(demo::NETWORK_APP), &upcloud(demo::NETWORK_DB));
    let per_direction = base.replace(
        "  tags         = { env = \"prod\" }\n",
        "  tags         = { env = \"prod\" }\n  peer_half    = { name = \"db-to-app\", tags = { env = \"prod\", side = \"db\" } }\n",
    );
    ws.write("main.tf", &per_direction);
    ws.apply();
    let world = emulator.world();
    let halves: Vec<(String, bool)> = world
        .upcloud
        .peerings
        .values()
        .map(|p| (p.name.clone(), p.labels.iter().any(|l| l.key == "side" && l.value == "db")))
        .collect();
    assert!(
        halves.contains(&("app-db".to_string(), false)) && halves.contains(&("db-to-app".to_string(), true)),
        "{halves:?}"
    );
    assert_eq!(ws.plan().code, 0, "nothing to change");
    // A name on a half that carries none is refused where it is written.
    let aiven =
        format!("{{ aiven = {{ project = \"{}\", vpc_id = \"{}\" }} }}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA);
    let refused = config(&upcloud(demo::NETWORK_APP), &aiven)
        .replace("  tags         = { env = \"prod\" }\n", "  peer_half    = { name = \"x\" }\n");
    ws.write("main.tf", &refused);
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_ne!(validate.code, 0, "{validate:?}");
    assert!(validate.flat().contains("An Aiven peering connection carries no name"), "{validate:?}");
    assert!(validate.flat().contains("peer_half name not supported here"), "{validate:?}");
}

#[test]
fn state_written_before_names_per_half_plans_no_change() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &config(&upcloud(demo::NETWORK_APP), &upcloud(demo::NETWORK_DB)));
    ws.apply();
    // The state as schema version 0 wrote it: halves with an id and a state only.
    let path = ws.path().join("terraform.tfstate");
    let mut state: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let instance = &mut state["resources"][0]["instances"][0];
    instance["schema_version"] = 0.into();
    for half in ["network_half", "peer_half"] {
        let half = instance["attributes"][half].as_object_mut().unwrap();
        half.remove("name");
        half.remove("tags");
    }
    state["serial"] = (state["serial"].as_u64().unwrap() + 1).into();
    std::fs::write(&path, serde_json::to_string_pretty(&state).unwrap()).unwrap();
    let plan = ws.terraform(&["plan", "-refresh=false", "-detailed-exitcode", "-no-color"]);
    assert_eq!(plan.code, 0, "upgraded without a change: {plan:?}");
    ws.apply();
    let upgraded = ws.resource_values(ADDR);
    assert_eq!(upgraded["peer_half"]["name"], "app-db", "{upgraded}");
    assert_eq!(upgraded["peer_half"]["tags"]["env"], "prod", "{upgraded}");
}
