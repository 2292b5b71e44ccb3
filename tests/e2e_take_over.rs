//! docs/guides/take-over.md, "From the official providers": a state holding the official
//! providers' single-half resources (`upcloud_network_peering`, `scaleway_vpc_connector`,
//! `scaleway_vpc_route`, one per direction, each named apart) is taken over in configuration
//! alone — the guide's block, as written — with `removed` and `import` blocks: nothing to add,
//! change or destroy, no cloud write, each direction keeps its name. The official providers are
//! played by a stand-in (tests/support/official_standin.rs) that only keeps what it is told.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use peering_clouds::scaleway::wire::RouteFields;
use peering_emulator::world::{World, demo};

/// The guide's block, with its illustrative ids swapped for the emulator's objects.
fn guide_block(route_id: &str) -> String {
    let guide =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/guides/take-over.md")).unwrap();
    let block = guide
        .split("```hcl\n")
        .find(|b| b.contains("removed {"))
        .and_then(|b| b.split("```").next())
        .expect("the guide shows the removed/import block")
        .to_string();
    [
        ("03126dc1-a69f-4bc2-8b24-e31c22d64712", demo::NETWORK_APP),
        ("0357f09f-7ffa-4d4b-a5bd-b0b32d6ed2e8", demo::NETWORK_DB),
        ("ec06d3e7-8d1e-432a-a9c9-dd5522634deb", demo::SCALEWAY_VPC_A),
        ("fe1efab5-30f8-4f13-bc4c-01010f48318d", demo::SCALEWAY_VPC_B),
        ("89aee8aa-8086-4538-aa61-2bbc3d8be6d6", route_id),
    ]
    .iter()
    .fold(block, |text, (doc, ours)| text.replace(doc, ours))
}

/// The stand-in, installed under the official providers' names in a directory of its own.
fn standin_dir() -> tempfile::TempDir {
    let built = provider_binary().parent().unwrap().join("examples/official-standin");
    assert!(built.is_file(), "{} is missing: `make test` builds it (cargo build --examples)", built.display());
    let dir = tempfile::tempdir().unwrap();
    for name in ["terraform-provider-upcloud", "terraform-provider-scaleway"] {
        std::fs::copy(&built, dir.path().join(name)).unwrap();
    }
    dir
}

fn use_standin(ws: &mut Workspace, standin: &Path) {
    let tfrc = ws.path().join("standin.tfrc");
    let ours: PathBuf = provider_binary().parent().unwrap().to_path_buf();
    std::fs::write(
        &tfrc,
        format!(
            "provider_installation {{\n  dev_overrides {{\n    \"{}\" = \"{}\"\n    \"upcloudltd/upcloud\" = \"{}\"\n    \
             \"scaleway/scaleway\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
            peering::SOURCE_ADDRESS,
            ours.display(),
            standin.display(),
            standin.display()
        ),
    )
    .unwrap();
    ws.set_env("TF_CLI_CONFIG_FILE", &tfrc.display().to_string());
}

/// The objects as the official providers would have made them, by hand: each direction named.
fn hand_made(emulator: &Emulator) -> (String, String, String, String, String) {
    let up_ab = emulator.upcloud_half_by_hand("a-to-b", demo::NETWORK_APP, demo::NETWORK_DB).to_string();
    let up_ba = emulator.upcloud_half_by_hand("b-to-a", demo::NETWORK_DB, demo::NETWORK_APP).to_string();
    let connectors = [
        emulator.scaleway_connector_by_hand("a-to-b", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B),
        emulator.scaleway_connector_by_hand("b-to-a", demo::SCALEWAY_VPC_B, demo::SCALEWAY_VPC_A),
    ];
    let route = RouteFields {
        description: Some("to b".into()),
        vpc_id: Some(demo::SCALEWAY_VPC_A.parse().unwrap()),
        destination: Some("172.16.4.0/22".parse().unwrap()),
        nexthop_vpc_connector_id: Some(connectors[0]),
        ..Default::default()
    };
    let route = emulator.block_on(emulator.scaleway().create_route("fr-par", &route)).unwrap().id;
    (up_ab, up_ba, connectors[0].to_string(), connectors[1].to_string(), route.to_string())
}

/// The official providers' configuration, imported into their state.
fn official(ids: &(String, String, String, String, String)) -> String {
    let (up_ab, up_ba, scw_ab, scw_ba, route) = ids;
    let mut out = String::from(
        "terraform {\n  required_providers {\n    upcloud  = { source = \"UpCloudLtd/upcloud\" }\n    scaleway = { source = \
         \"scaleway/scaleway\" }\n  }\n}\n",
    );
    for (ty, name, id, object) in [
        ("upcloud_network_peering", "a_to_b", up_ab.clone(), "a-to-b"),
        ("upcloud_network_peering", "b_to_a", up_ba.clone(), "b-to-a"),
        ("scaleway_vpc_connector", "a_to_b", format!("fr-par/{scw_ab}"), "a-to-b"),
        ("scaleway_vpc_connector", "b_to_a", format!("fr-par/{scw_ba}"), "b-to-a"),
        ("scaleway_vpc_route", "a_to_b", format!("fr-par/{route}"), "to b"),
    ] {
        out.push_str(&format!(
            "import {{\n  to = {ty}.{name}\n  id = \"{id}\"\n}}\nresource \"{ty}\" \"{name}\" {{\n  name = \"{object}\"\n}}\n"
        ));
    }
    out
}

fn take_over_on(minor: &str) {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    let (found, program) = terraform_at_least(minor);
    assert_eq!(found, minor);
    ws.program = program;
    let standin = standin_dir();
    use_standin(&mut ws, standin.path());
    let ids = hand_made(&emulator);
    ws.write("main.tf", &official(&ids));
    ws.apply();
    let before = emulator.world();
    let writes = emulator.requests().total_writes;

    ws.write("main.tf", &guide_block(&ids.4));
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    assert!(plan.flat().contains("3 to import, 0 to add, 0 to change, 0 to destroy"), "on {minor}: {plan:?}");
    assert_eq!(
        plan.flat().matches("will no longer be managed by Terraform, but will not be destroyed").count(),
        5,
        "{plan:?}"
    );
    ws.apply();
    assert_eq!(emulator.requests().total_writes, writes, "taken over without a cloud write");
    let state = ws.state_json();
    let addresses: Vec<&str> = state["values"]["root_module"]["resources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["address"].as_str().unwrap())
        .collect();
    assert_eq!(
        addresses,
        ["peering_connection.a_b", "peering_connection.app_db", "peering_custom_route.a_to_b"],
        "only the new resources are in state"
    );
    let after = emulator.world();
    let names = |w: &World| -> Vec<String> {
        let mut names: Vec<String> = w.upcloud.peerings.values().map(|p| p.name.clone()).collect();
        names.extend(w.scaleway.connectors.values().map(|c| c.name.clone()));
        names.sort();
        names
    };
    assert_eq!(names(&after), names(&before), "each direction keeps its name");
    assert_eq!(after.scaleway.routes.len(), before.scaleway.routes.len());
    let again = ws.plan();
    assert_eq!(again.code, 0, "nothing left to do on {minor}: {again:?}");
}

#[test]
fn the_official_providers_resources_are_taken_over_in_configuration_on_terraform_1_9() {
    take_over_on("1.9");
}

#[test]
fn the_official_providers_resources_are_taken_over_in_configuration_on_terraform_1_15() {
    take_over_on("1.15");
}
