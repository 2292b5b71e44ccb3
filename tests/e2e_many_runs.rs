//! End to end, many Terraform runs at once on the same cloud objects: separate working
//! directories whose provider processes share no lock (separate `HOME` and `TMPDIR`, as on
//! separate machines), and provider aliases in one run. The cloud is the only shared state.

mod common;

use common::runs::*;
use common::*;
use peering_emulator::world::{World, demo};

/// How much later than the others the first gathered write lands: a slow run whose list, read
/// before anyone wrote, arrives last. Below the provider's settle window (400 ms at least), as a
/// slow run on a real cloud is (the window is twice the slowest read-modify-write seen).
const SLOW_MS: u64 = 150;
const ROUTER_WRITE: &str = "PATCH /1.3/router/{uuid}";

/// Runs' first router writes are held until all `writers` have read the router and written;
/// then they land together, the first of them last: the lost-update race, forced.
fn gathering_emulator(writers: u64) -> Emulator {
    let emulator = Emulator::start(World::demo());
    emulator.gather_writes(ROUTER_WRITE, writers, SLOW_MS);
    emulator
}

/// Every writer met at the gathering: the runs did overlap.
fn assert_raced(emulator: &Emulator) {
    assert!(emulator.gathering_met(), "the runs' writes met: {:?}", emulator.requests());
}

#[test]
fn three_runs_at_once_keep_all_45_routes_on_one_router() {
    let emulator = gathering_emulator(3);
    let workspaces: Vec<Workspace> = (0..3).map(|_| separate_workspace(&emulator)).collect();
    for (i, ws) in workspaces.iter().enumerate() {
        ws.write("main.tf", &routes(201 + i as u8, 15, &format!("run{i}")));
    }
    let runs = apply_at_once(&workspaces.iter().collect::<Vec<_>>());
    assert_raced(&emulator);
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

/// Two runs: one destroys its 15 routes while the other renames its 15, on one router. `slow`
/// is the run whose write, read before the other's, lands last.
fn destroy_beside_change(slow_is_the_destroy: bool) {
    let emulator = Emulator::start(World::demo());
    let (going, changing) = (separate_workspace(&emulator), separate_workspace(&emulator));
    going.write("main.tf", &routes(201, 15, "going"));
    changing.write("main.tf", &routes(202, 15, "before"));
    for run in apply_at_once(&[&going, &changing]) {
        assert_eq!(run.code, 0, "{run:?}");
    }

    going.write("main.tf", &routes(201, 0, "going"));
    changing.write("main.tf", &routes(202, 15, "after"));
    emulator.gather_writes(ROUTER_WRITE, 2, SLOW_MS);
    // The slow run writes first, so it is held first and let through last.
    let (first, second) = if slow_is_the_destroy { (&going, &changing) } else { (&changing, &going) };
    let first = first.spawn(&apply_args());
    emulator.wait_gathered(1, std::time::Duration::from_secs(60));
    let second = second.spawn(&apply_args());
    let (first, second) = (finish(first), finish(second));
    assert_raced(&emulator);
    let (destroyed, changed) = if slow_is_the_destroy { (first, second) } else { (second, first) };
    assert_eq!(destroyed.code, 0, "{destroyed:?}");
    assert!(destroyed.stdout.contains("15 destroyed"), "{destroyed:?}");
    assert_eq!(changed.code, 0, "{changed:?}");
    assert!(changed.stdout.contains("15 changed"), "{changed:?}");
    assert_eq!(user_routes(&emulator), wanted(202, 15, "after"), "no destroyed route came back; every change held");
    assert_eq!(going.plan().code, 0);
    assert_eq!(changing.plan().code, 0);
}

/// The slow write is the change's, read before the destroy landed: it would bring the
/// destroyed routes back.
#[test]
fn a_slow_change_beside_a_destroy_brings_nothing_back() {
    destroy_beside_change(false);
}

/// The slow write is the destroy's, read before the renames landed: it would undo them.
#[test]
fn a_slow_destroy_beside_a_change_loses_no_change() {
    destroy_beside_change(true);
}

#[test]
fn two_provider_aliases_write_one_router() {
    let emulator = gathering_emulator(2);
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
    // Every route at once: Terraform's default of 10 would start alias two only after one.
    let applied = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false", "-parallelism=20"]);
    assert_raced(&emulator);
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
///
/// At once, both runs' creates are held until each run has sent its own (every half's), so
/// both looked before either made anything.
fn declared_twice(kind: Kind, at_once: bool, names: (&str, &str)) {
    let emulator = Emulator::start(World::demo());
    // The create each run sends first (a new pair makes one half first, the same in every run).
    let create = match kind {
        Kind::Upcloud => "POST /1.3/network-peering",
        Kind::Scaleway => "POST /vpc/v2/regions/{region}/vpc-connectors",
        Kind::AivenUpcloud => "POST /v1/project/{project}/vpcs/{vpc}/peering-connections",
    };
    if at_once {
        emulator.gather_writes(create, 2, SLOW_MS);
    }
    let (a, b) = (separate_workspace(&emulator), separate_workspace(&emulator));
    a.write("main.tf", &peering(kind, names.0));
    b.write("main.tf", &peering(kind, names.1));
    let runs =
        if at_once { apply_at_once(&[&a, &b]) } else { vec![a.terraform(&apply_args()), b.terraform(&apply_args())] };
    let context = format!("{kind:?}, at once: {at_once}, names {names:?}");
    if at_once {
        assert_raced(&emulator);
    }
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
