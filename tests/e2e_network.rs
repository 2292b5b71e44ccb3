//! `peering_network`: networks of each cloud found by id and by name with a real Terraform, their
//! `endpoint` used as a peering's side; not found and ambiguous lookups name the candidates.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

fn outputs(ws: &Workspace) -> serde_json::Value {
    serde_json::from_str(&ws.ok(&["output", "-json"]).stdout).unwrap()
}

#[test]
fn networks_are_found_by_id_and_name_and_peer_through_their_endpoints() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
data "peering_network" "app" {{
  upcloud = {{ network_id = "{app}" }}
}}
data "peering_network" "db" {{
  upcloud = {{ name = "db" }}
}}
data "peering_network" "aiven" {{
  aiven = {{ project = "{project}", cloud_name = "upcloud-de-fra" }}
}}
data "peering_network" "scw" {{
  scaleway = {{ name = "vpc-a" }}
}}
resource "peering_connection" "this" {{
  name         = "found"
  network      = data.peering_network.app.endpoint
  peer_network = data.peering_network.db.endpoint
}}
output "app" {{ value = data.peering_network.app }}
output "db" {{ value = data.peering_network.db }}
output "aiven" {{ value = data.peering_network.aiven }}
output "scw" {{ value = data.peering_network.scw }}
"#,
            app = demo::NETWORK_APP,
            project = demo::AIVEN_PROJECT
        ),
    );
    ws.apply();
    let out = outputs(&ws);
    let app = &out["app"]["value"];
    assert_eq!(app["id"], format!("upcloud/{}", demo::NETWORK_APP), "{out:#}");
    assert_eq!(app["name"], "app");
    assert_eq!(app["location"], "de-fra1");
    assert_eq!(app["router_id"], demo::ROUTER_A);
    assert_eq!(app["ipv4_cidrs"], serde_json::json!(["10.10.0.0/24"]));
    assert_eq!(app["servers"][0]["title"], "app-server-1");
    assert_eq!(app["endpoint"]["upcloud"]["network_id"], demo::NETWORK_APP);

    assert_eq!(out["db"]["value"]["id"], format!("upcloud/{}", demo::NETWORK_DB), "{out:#}");

    let aiven = &out["aiven"]["value"];
    assert_eq!(aiven["id"], format!("aiven/{}/{}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA), "{out:#}");
    assert_eq!(aiven["state"], "ACTIVE");
    assert_eq!(aiven["ipv4_cidrs"], serde_json::json!(["10.50.0.0/24"]));
    assert_eq!(aiven["name"], serde_json::Value::Null);

    let scw = &out["scw"]["value"];
    assert_eq!(scw["id"], format!("scaleway/fr-par/{}", demo::SCALEWAY_VPC_A), "{out:#}");
    assert_eq!(scw["ipv4_cidrs"], serde_json::json!(["172.16.0.0/22"]));
    assert_eq!(scw["ipv6_cidrs"], serde_json::json!(["fd00:a::/64"]));
    assert_eq!(scw["private_network_ids"], serde_json::json!([demo::SCALEWAY_PN_A]), "{out:#}");
    assert_eq!(scw["transitivity_enabled"], false, "{out:#}");
    assert_eq!(out["app"]["value"]["transitivity_enabled"], serde_json::Value::Null, "Scaleway's only");

    assert_eq!(ws.resource_values("peering_connection.this")["status"], "active");
    assert_eq!(ws.plan().code, 0, "the lookups and the peering are settled");
    ws.ok(&["destroy", "-auto-approve"]);
}

#[test]
fn not_found_and_ambiguous_lookups_name_the_candidates() {
    let mut world = World::demo();
    let twin: peering_net::UpcloudNetworkId = "03000000-0000-4000-8000-0000000000a2".parse().unwrap();
    world
        .upcloud
        .networks
        .insert(twin, peering_emulator::upcloud::state::network(twin, "app", "fi-hel1", "10.11.0.0/24", None));
    let emulator = Emulator::start(world);
    let ws = Workspace::new(&emulator.url());
    let lookup = |query: &str| {
        format!(
            "{PROVIDER_HEADER}\ndata \"peering_network\" \"x\" {{\n  {query}\n}}\noutput \"id\" {{ value = data.peering_network.x.id }}\n"
        )
    };

    ws.write("main.tf", &lookup(r#"upcloud = { name = "app" }"#));
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("More than one network matches"), "{plan:?}");
    assert!(plan.flat().contains(demo::NETWORK_APP) && plan.flat().contains(&twin.to_string()), "{plan:?}");

    ws.write("main.tf", &lookup(r#"upcloud = { name = "app", zone = "fi-hel1" }"#));
    ws.apply();
    assert_eq!(outputs(&ws)["id"]["value"], format!("upcloud/{twin}"));

    ws.write("main.tf", &lookup(r#"upcloud = { network_id = "03ffffff-0000-4000-8000-000000000000" }"#));
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Network not found"), "{plan:?}");

    ws.write("main.tf", &lookup(r#"aiven = { project = "demo", cloud_name = "upcloud-pl-waw1" }"#));
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Network not found"), "{plan:?}");
    assert!(plan.flat().contains(&format!("{} in upcloud-de-fra", demo::AIVEN_VPC_FRA)), "the candidates: {plan:?}");

    ws.write("main.tf", &lookup(r#"scaleway = { name = "vpc-z" }"#));
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains(r#"there are: "vpc-a""#), "the candidates: {plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

#[test]
fn malformed_lookups_fail_at_validate() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    for (query, expected) in [
        (r#"upcloud = { network_id = "nope" }"#, "Invalid id"),
        (
            r#"upcloud = { network_id = "03000000-0000-4000-8000-0000000000a1", name = "app" }"#,
            "Exactly one way to look up",
        ),
        (r#"scaleway = { name = "vpc-a", region = "moon-1" }"#, "Invalid region"),
        (r#"aiven = { cloud_name = "upcloud-de-fra" }"#, "Missing project"),
    ] {
        ws.write("main.tf", &format!("{PROVIDER_HEADER}\ndata \"peering_network\" \"x\" {{\n  {query}\n}}\n"));
        let validate = ws.terraform(&["validate", "-no-color"]);
        assert_eq!(validate.code, 1, "{query}: {validate:?}");
        assert!(validate.flat().contains(expected), "{query}: {validate:?}");
    }
    ws.write("main.tf", &format!("{PROVIDER_HEADER}\ndata \"peering_network\" \"x\" {{\n}}\n"));
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert!(validate.flat().contains("Exactly one cloud"), "{validate:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}
