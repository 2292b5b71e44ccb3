//! End to end, many Terraform runs at once on the same cloud objects: separate working
//! directories whose provider processes share no lock (separate `HOME` and `TMPDIR`, as on
//! separate machines), and provider aliases in one run. The cloud is the only shared state.

mod common;

use common::runs::*;
use common::*;
use peering_emulator::world::{World, demo};

/// Per answer, as a cloud far away: long enough that read-modify-writes overlap.
const LATENCY_MS: u64 = 30;

fn slow_emulator() -> Emulator {
    let emulator = Emulator::start(World::demo());
    emulator.set_latency(LATENCY_MS);
    emulator
}

#[test]
fn three_runs_at_once_keep_all_45_routes_on_one_router() {
    let emulator = slow_emulator();
    let workspaces: Vec<Workspace> = (0..3).map(|_| separate_workspace(&emulator)).collect();
    for (i, ws) in workspaces.iter().enumerate() {
        ws.write("main.tf", &routes(201 + i as u8, 15, &format!("run{i}")));
    }
    let runs = apply_at_once(&workspaces.iter().collect::<Vec<_>>());
    for run in &runs {
        assert_eq!(run.code, 0, "{run:?}");
        assert!(run.stdout.contains("15 added"), "{run:?}");
    }
    let mut expected: Vec<_> = (0..3).flat_map(|i| wanted(201 + i as u8, 15, &format!("run{i}"))).collect();
    expected.sort();
    assert_eq!(user_routes(&emulator), expected, "all 45 routes are on the router");
    for ws in &workspaces {
        let plan = ws.plan();
        assert_eq!(plan.code, 0, "each run's re-plan is empty: {plan:?}");
    }
}

#[test]
fn a_destroy_beside_a_change_brings_nothing_back_and_loses_nothing() {
    let emulator = slow_emulator();
    let (going, changing) = (separate_workspace(&emulator), separate_workspace(&emulator));
    going.write("main.tf", &routes(201, 15, "going"));
    changing.write("main.tf", &routes(202, 15, "before"));
    for run in apply_at_once(&[&going, &changing]) {
        assert_eq!(run.code, 0, "{run:?}");
    }

    going.write("main.tf", &routes(201, 0, "going"));
    changing.write("main.tf", &routes(202, 15, "after"));
    let runs = apply_at_once(&[&going, &changing]);
    assert_eq!(runs[0].code, 0, "{:?}", runs[0]);
    assert!(runs[0].stdout.contains("15 destroyed"), "{:?}", runs[0]);
    assert_eq!(runs[1].code, 0, "{:?}", runs[1]);
    assert!(runs[1].stdout.contains("15 changed"), "{:?}", runs[1]);
    assert_eq!(user_routes(&emulator), wanted(202, 15, "after"), "no destroyed route came back; every change held");
    assert_eq!(going.plan().code, 0);
    assert_eq!(changing.plan().code, 0);
}

#[test]
fn two_provider_aliases_write_one_router() {
    let emulator = slow_emulator();
    let ws = separate_workspace(&emulator);
    let aliased = |alias: &str, octet: u8| {
        format!(
            r#"
provider "peering" {{
  alias = "{alias}"
}}
resource "peering_custom_route" "{alias}" {{
  provider    = peering.{alias}
  count       = 10
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.{octet}.${{count.index}}.0/24"
  next_hop    = {{ ip = "10.10.0.10" }}
  description = "{alias}-${{count.index}}"
}}
"#,
            router = demo::ROUTER_A
        )
    };
    ws.write("main.tf", &format!("{PROVIDER_HEADER}{}{}", aliased("one", 201), aliased("two", 202)));
    let applied = ws.apply();
    assert!(applied.stdout.contains("20 added"), "{applied:?}");
    let mut expected = wanted(201, 10, "one");
    expected.extend(wanted(202, 10, "two"));
    expected.sort();
    assert_eq!(user_routes(&emulator), expected);
    assert_eq!(ws.plan().code, 0);
}

/// A peering of the kind named `name`, tagged with it.
fn peering(kind: Kind, name: &str) -> String {
    pair_config(kind, name, &format!("  tags = {{ team = \"{name}\" }}"))
}

/// Every half of the kind in the cloud: exactly one peering's worth.
fn assert_one_peering(emulator: &Emulator, kind: Kind, context: &str) {
    match kind {
        Kind::Upcloud => assert_eq!(emulator.peering_states().len(), 2, "{context}: {:?}", emulator.peering_states()),
        Kind::Scaleway => {
            assert_eq!(emulator.scaleway_connectors().len(), 2, "{context}: {:?}", emulator.scaleway_connectors())
        }
        Kind::AivenUpcloud => {
            let aiven: Vec<_> = emulator.aiven_peerings().into_iter().filter(|(_, s)| s != "DELETED").collect();
            assert_eq!(aiven.len(), 1, "{context}: {aiven:?}");
            assert_eq!(emulator.peering_states().len(), 1, "{context}: {:?}", emulator.peering_states());
        }
    }
}

fn assert_no_provider_bug(runs: &[&Run]) {
    for run in runs {
        assert!(!run.flat().contains("inconsistent result"), "{run:?}");
        assert!(!run.flat().contains("This is a bug in the provider"), "{run:?}");
    }
}

/// Two working directories (two states) declare the same peering, under different names or
/// identically: one owns it, the other is told it already exists and how to import it, and
/// keeps nothing of it. Identical declarations are refused too: nothing but the ownership
/// marker tells them apart from a second workspace's ([`peering::resources::ownership`]).
fn declared_twice(kind: Kind, at_once: bool, names: (&str, &str)) {
    let emulator = slow_emulator();
    let (a, b) = (separate_workspace(&emulator), separate_workspace(&emulator));
    a.write("main.tf", &peering(kind, names.0));
    b.write("main.tf", &peering(kind, names.1));
    let runs =
        if at_once { apply_at_once(&[&a, &b]) } else { vec![a.terraform(&apply_args()), b.terraform(&apply_args())] };
    let context = format!("{kind:?}, at once: {at_once}, names {names:?}");
    assert_no_provider_bug(&runs.iter().collect::<Vec<_>>());
    let (won, lost): (Vec<_>, Vec<_>) = runs.iter().zip([&a, &b]).partition(|(run, _)| run.code == 0);
    assert_eq!((won.len(), lost.len()), (1, 1), "{context}: one apply wins: {runs:?}");
    let (failed, loser) = lost[0];
    assert!(failed.flat().contains("already exists"), "{context}: {failed:?}");
    assert!(failed.flat().contains("import"), "{context}: says how to import: {failed:?}");
    let kept = loser.state_json()["values"]["root_module"]["resources"].clone();
    assert!(kept.as_array().is_none_or(|r| r.is_empty()), "{context}: loser's state empty: {kept}");
    assert_one_peering(&emulator, kind, &format!("{context}: {runs:?}"));
    let (_, winner) = won[0];
    assert_eq!(winner.plan().code, 0, "{context}: the winner's re-plan is empty");
    // The loser's destroy touches nothing of the winner's.
    let destroyed = loser.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(destroyed.stdout.contains("Resources: 0 destroyed"), "{context}: {destroyed:?}");
    assert_one_peering(&emulator, kind, &context);
    assert_eq!(winner.plan().code, 0, "{context}: still the winner's");
}

#[test]
fn upcloud_pair_declared_twice_by_two_runs() {
    for at_once in [true, false] {
        declared_twice(Kind::Upcloud, at_once, ("same-a", "same-b"));
        declared_twice(Kind::Upcloud, at_once, ("twin", "twin"));
    }
}

#[test]
fn scaleway_pair_declared_twice_by_two_runs() {
    for at_once in [true, false] {
        declared_twice(Kind::Scaleway, at_once, ("same-a", "same-b"));
        declared_twice(Kind::Scaleway, at_once, ("twin", "twin"));
    }
}

#[test]
fn aiven_upcloud_pair_declared_twice_by_two_runs() {
    for at_once in [true, false] {
        declared_twice(Kind::AivenUpcloud, at_once, ("same-a", "same-b"));
        declared_twice(Kind::AivenUpcloud, at_once, ("twin", "twin"));
    }
}
