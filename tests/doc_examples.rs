//! Every HCL example in the README and the docs runs as written on the emulator, on the oldest
//! Terraform its page claims for it (1.6 unless the lines above it say "Terraform 1.12 or later"),
//! its illustrative ids swapped for the emulator's demo objects: configuration applies and then plans no changes,
//! a `list` block queries, an `import` block imports what its resource made. An example that
//! names a resource of another example (`peering_connection.a_b`) runs with that one beside it.

mod common;

use std::path::Path;

use common::*;
use peering_emulator::world::{World, demo};

/// The ids and names the docs use for illustration, and the emulator's objects standing in.
const STAND_INS: &[(&str, &str)] = &[
    ("b032dfbf-b035-4cf5-8b15-b7cd6a68aabd", demo::AIVEN_VPC_FRA),
    ("03126dc1-a69f-4bc2-8b24-e31c22d64712", demo::NETWORK_APP),
    ("0357f09f-7ffa-4d4b-a5bd-b0b32d6ed2e8", demo::NETWORK_DB),
    ("ec06d3e7-8d1e-432a-a9c9-dd5522634deb", demo::SCALEWAY_VPC_A),
    ("fe1efab5-30f8-4f13-bc4c-01010f48318d", demo::SCALEWAY_VPC_B),
    ("\"acme-prod\"", "\"demo\""),
];

/// Variables the examples use without declaring them, and what they stand for here.
const VARIABLES: &[(&str, Option<&str>)] =
    &[("vpc_a", Some(demo::SCALEWAY_VPC_A)), ("aiven_token", None), ("upcloud_token", None)];

#[derive(Debug, Clone)]
struct Example {
    source: String,
    text: String,
    /// The oldest Terraform the page claims for it: "Terraform 1.12 or later" in the lines just
    /// above the block; 1.6 (the oldest supported) when it says none.
    since: String,
}

/// The version a page claims for the block after `before` (its preceding lines), if any.
fn claimed_version(before: &[&str]) -> Option<String> {
    let near = before.iter().rev().take(4).copied().collect::<Vec<_>>().join(" ");
    let at = near.find(" or later")?;
    let version = near[..at].rsplit(' ').next()?.trim_start_matches('v');
    version.split('.').take(2).all(|p| p.parse::<u32>().is_ok()).then(|| version.to_string())
}

fn all_examples() -> Vec<Example> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut pages = vec![root.join("README.md")];
    let mut dirs = vec![root.join("docs")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "md") {
                pages.push(path);
            }
        }
    }
    pages.sort();
    let mut examples = Vec::new();
    for page in pages {
        let text = std::fs::read_to_string(&page).unwrap();
        let name = page.strip_prefix(root).unwrap().display().to_string();
        let all_lines: Vec<&str> = text.lines().collect();
        let mut lines = text.lines().enumerate();
        while let Some((number, line)) = lines.next() {
            if line.trim() == "```hcl" {
                let body: Vec<&str> = lines.by_ref().map(|(_, l)| l).take_while(|l| l.trim() != "```").collect();
                let since = claimed_version(&all_lines[..number]).unwrap_or_else(|| "1.6".to_string());
                examples.push(Example {
                    source: format!("{name}:{}", number + 1),
                    text: body.join("\n") + "\n",
                    since,
                });
            }
        }
    }
    examples
}

fn stand_in(text: &str) -> String {
    STAND_INS.iter().fold(text.to_string(), |text, (doc, ours)| text.replace(doc, ours))
}

/// The resource addresses an example declares, e.g. `peering_connection.a_b`.
fn declared(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.strip_prefix("resource \""))
        .map(|rest| rest.split('"').filter(|s| !s.trim().is_empty()).take(2).collect::<Vec<_>>().join("."))
        .collect()
}

/// The examples declaring what `example` refers to without declaring it, and what those refer to.
fn dependencies(example: &Example, all: &[Example]) -> Vec<Example> {
    let mut found: Vec<Example> = Vec::new();
    let mut pending = vec![example.clone()];
    while let Some(current) = pending.pop() {
        let own = declared(&current.text);
        for other in all {
            let wanted = declared(&other.text).into_iter().any(|address| {
                !own.contains(&address) && current.text.contains(&format!("{address}."))
                    || current.text.contains(&format!("to = {address}"))
            });
            let known = other.source == example.source || found.iter().any(|f| f.source == other.source);
            if wanted && !known && !other.text.contains("import {") {
                found.push(other.clone());
                pending.push(other.clone());
            }
        }
    }
    // Those depended on come first, as a reader would have written them.
    found.reverse();
    found
}

/// A configuration around `body`: the provider unless it has its own, and undeclared variables.
fn configuration(body: &str) -> String {
    let mut out = String::new();
    if !body.contains("required_providers") {
        out.push_str(PROVIDER_HEADER);
    }
    for (name, value) in VARIABLES {
        if body.contains(&format!("var.{name}")) && !body.contains(&format!("variable \"{name}\"")) {
            let default = value.map_or("null".to_string(), |v| format!("{v:?}"));
            out.push_str(&format!("variable \"{name}\" {{\n  default = {default}\n}}\n"));
        }
    }
    out.push_str(body);
    out
}

fn run(example: &Example, all: &[Example]) -> Result<(), String> {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    let (version, program) = terraform_at_least(&example.since);
    ws.program = program;
    let fail = |what: &str, run: &Run| Err(format!("{} (Terraform {version}): {what}: {run:?}", example.source));
    let text = stand_in(&example.text);
    let context: String = dependencies(example, all).iter().map(|d| stand_in(&d.text)).collect();
    if text.contains("list \"") {
        ws.write("main.tf", &configuration(""));
        ws.write("example.tfquery.hcl", &text);
        let query = ws.terraform(&["query", "-no-color"]);
        return if query.code == 0 { Ok(()) } else { fail("terraform query", &query) };
    }
    if text.contains("import {") {
        // What the import takes over is first made, then forgotten.
        ws.write("main.tf", &configuration(&context));
        let made = ws.terraform(&["apply", "-auto-approve", "-no-color"]);
        if made.code != 0 {
            return fail("apply of the imported resource", &made);
        }
        let address = text.lines().find_map(|l| l.trim().strip_prefix("to = ")).unwrap_or_default().trim();
        ws.ok(&["state", "rm", address]);
        ws.write("import.tf", &text);
        let plan = ws.terraform(&["plan", "-no-color"]);
        if !plan.flat().contains("1 to import, 0 to add, 0 to change, 0 to destroy") {
            return fail("plan of the import", &plan);
        }
    } else {
        ws.write("main.tf", &configuration(&format!("{context}{text}")));
    }
    let applied = ws.terraform(&["apply", "-auto-approve", "-no-color"]);
    if applied.code != 0 {
        return fail("apply", &applied);
    }
    let plan = ws.plan();
    // A data source inside a `check` block is read again on every plan, which counts as a change.
    let only_checks = plan.code == 2
        && text.contains("check \"")
        && plan.flat().contains("Plan: 0 to add, 0 to change, 0 to destroy");
    if plan.code != 0 && !only_checks {
        return fail("plan after apply (expected no changes)", &plan);
    }
    let destroyed = ws.terraform(&["destroy", "-auto-approve", "-no-color"]);
    if destroyed.code != 0 {
        return fail("destroy", &destroyed);
    }
    Ok(())
}

/// Runs the examples of the pages whose path starts with `prefix`; reports every failure.
fn run_examples_of(prefix: &str) -> usize {
    let all = all_examples();
    let mine: Vec<&Example> = all.iter().filter(|e| e.source.starts_with(prefix)).collect();
    let failures: Vec<String> = mine
        .iter()
        // Terraform CLI configuration, not a module (tests/release.rs installs from the mirrors
        // it configures), a configuration of a registry this test cannot reach, and the take-over
        // from the official providers (tests/e2e_take_over.rs runs it with a stand-in).
        .filter(|e| {
            !["provider_installation", "credentials \"", "app.terraform.io/", "removed {"]
                .iter()
                .any(|c| e.text.contains(c))
        })
        .filter_map(|e| run(e, &all).err())
        .collect();
    assert!(failures.is_empty(), "{} of {} examples failed:\n{}", failures.len(), mine.len(), failures.join("\n\n"));
    mine.len()
}

#[test]
fn the_readme_and_index_examples_run() {
    assert_eq!(run_examples_of("README.md") + run_examples_of("docs/index.md"), 2);
}

#[test]
fn the_resource_examples_run() {
    assert_eq!(run_examples_of("docs/resources/"), 6);
}

#[test]
fn the_data_source_examples_run() {
    assert_eq!(run_examples_of("docs/data-sources/"), 3);
}

#[test]
fn the_list_and_guide_examples_run() {
    assert_eq!(run_examples_of("docs/list-resources/") + run_examples_of("docs/guides/"), 9);
}
