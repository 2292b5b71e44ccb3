//! Exact cloud API request counts for whole Terraform runs, read from the emulator's
//! `/_emulator/requests` (instant transitions make them deterministic). Timings are never
//! asserted here; `make bench` measures them.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::*;
use peering::emulator::RequestCounts;
use peering::emulator::world::{World, demo};

/// Requests per route between two snapshots, reads and writes together.
fn between(before: &RequestCounts, after: &RequestCounts) -> BTreeMap<String, u64> {
    let all = |c: &RequestCounts| c.reads.clone().into_iter().chain(c.writes.clone()).collect::<BTreeMap<_, _>>();
    let (before, after) = (all(before), all(after));
    after
        .into_iter()
        .map(|(route, n)| {
            let earlier = before.get(&route).copied().unwrap_or(0);
            (route, n - earlier)
        })
        .filter(|(_, n)| *n > 0)
        .collect()
}

/// `count` routes on the demo router, 10.200.N.0/24 via 10.10.0.10.
fn routes_on_router(count: usize) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_custom_route" "many" {{
  count       = {count}
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.200.${{count.index}}.0/24"
  next_hop    = {{ ip = "10.10.0.10" }}
}}
"#,
        router = demo::ROUTER_A
    )
}

fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
    pairs.iter().map(|(route, n)| (route.to_string(), *n)).collect()
}

/// One UpCloud ↔ UpCloud peering, plan and apply walks together: each network read once per
/// walk (the check and the DHCP warning share it), one peering list for both halves, two
/// creates, one look at the half that was still waiting for its peer. Destroy: the refresh
/// reads both halves; disabling answers `disabled` at once, so each half is deleted unread.
#[test]
fn an_upcloud_peering_costs_eight_requests_to_apply_and_six_to_destroy() {
    let emulator = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("counted", demo::NETWORK_APP, demo::NETWORK_DB, ""));

    let start = emulator.requests();
    ws.apply();
    let applied = emulator.requests();
    assert_eq!(
        between(&start, &applied),
        counts(&[
            ("GET /1.3/network/{uuid}", 4),
            ("GET /1.3/network-peering", 1),
            ("POST /1.3/network-peering", 2),
            ("GET /1.3/network-peering/{uuid}", 1),
        ])
    );
    assert_eq!(applied.total_reads + applied.total_writes, 8);

    ws.ok(&["destroy", "-auto-approve"]);
    assert_eq!(
        between(&applied, &emulator.requests()),
        counts(&[
            ("GET /1.3/network-peering/{uuid}", 2),
            ("PATCH /1.3/network-peering/{uuid}", 2),
            ("DELETE /1.3/network-peering/{uuid}", 2),
        ])
    );
    assert!(emulator.peering_states().is_empty());
}

/// The emulator sees the second half's DELETE while the answer to the first is still held.
#[test]
fn both_halves_are_deleted_at_once() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("concurrent", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let writes = emulator.requests().total_writes;
    assert_eq!(writes, 2, "{:?}", emulator.requests());
    // Destroy writes: two PATCHes (disable), then the DELETEs. No half may go until both are
    // disabling; the answer to the first DELETE is then held.
    emulator.hold_transitions(true);
    emulator.hold_after_writes(writes + 3);
    let destroy = ws.spawn(&["destroy", "-auto-approve", "-no-color"]);
    let disables = |emulator: &Emulator| emulator.requests().writes.get("PATCH /1.3/network-peering/{uuid}").copied();
    let until = Instant::now() + Duration::from_secs(60);
    while disables(&emulator) != Some(2) && Instant::now() < until {
        std::thread::sleep(Duration::from_millis(20));
    }
    emulator.hold_transitions(false);
    assert!(emulator.wait_held(Duration::from_secs(30)), "{:?}", emulator.requests());
    let deletes_while_held = |emulator: &Emulator| {
        let until = Instant::now() + Duration::from_secs(10);
        while Instant::now() < until {
            if emulator.deletes() == 2 {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20));
        }
        false
    };
    let both = deletes_while_held(&emulator);
    let held = emulator.requests();
    emulator.release();
    let run = finish(destroy);
    assert!(both, "the second DELETE never came while the first was unanswered: {held:?}");
    assert_eq!(held.held, Some(writes + 3), "{held:?}");
    assert_eq!(held.writes.get("PATCH /1.3/network-peering/{uuid}"), Some(&2), "{held:?}");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(emulator.peering_states().is_empty());
}

/// Refreshing ten routes on one router reads the router once.
#[test]
fn a_refresh_reads_a_shared_router_once() {
    let emulator = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &routes_on_router(10));
    ws.apply();
    let before = emulator.requests();
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "{plan:?}");
    let read = between(&before, &emulator.requests());
    assert_eq!(read.get("GET /1.3/router/{uuid}"), Some(&1), "{read:?}");
    assert!(read.keys().all(|route| route.starts_with("GET ")), "a refresh only reads: {read:?}");
    ws.ok(&["destroy", "-auto-approve"]);
}

/// Twenty routes on one router in one apply go out in a few router writes: changes waiting on
/// the router while a write is out, or its look is due, leave together (group commit).
#[test]
fn twenty_routes_on_one_router_take_at_most_four_router_writes() {
    let emulator = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &routes_on_router(20));
    let before = emulator.requests();
    ws.apply();
    let applied = between(&before, &emulator.requests());
    let writes = applied.get("PATCH /1.3/router/{uuid}").copied().unwrap_or(0);
    assert!((1..=4).contains(&writes), "{writes} router writes for 20 routes: {applied:?}");
    let before = emulator.requests();
    ws.ok(&["destroy", "-auto-approve"]);
    let destroyed = between(&before, &emulator.requests());
    let writes = destroyed.get("PATCH /1.3/router/{uuid}").copied().unwrap_or(0);
    assert!((1..=4).contains(&writes), "{writes} router writes to remove 20 routes: {destroyed:?}");
}

/// `terraform query` over 10 hand-made UpCloud pairs reads each list once: UpCloud's networks
/// and peerings, and (to tell peers in Aiven's account from foreign ones) the Aiven projects,
/// their VPC list and each VPC. Every result is read as its import reads it, from the peering
/// list the listing has just had, so results cost no round trip of their own. Exact counts.
#[test]
fn a_listing_of_ten_upcloud_pairs_reads_each_list_once() {
    use peering::clouds::upcloud::{ConfiguredStatus, CreatePeering, NetworkUuid};
    use peering::emulator::upcloud::state::{network, router};

    let mut world = World::demo();
    let mut ids = Vec::new();
    for i in 0..20u32 {
        let router_id: peering::net::UpcloudRouterId = format!("04000000-0000-4000-8000-2{i:011x}").parse().unwrap();
        let network_id: peering::net::UpcloudNetworkId = format!("03000000-0000-4000-8000-2{i:011x}").parse().unwrap();
        world.upcloud.routers.insert(router_id, router(router_id, &format!("r{i}")));
        let net = network(network_id, &format!("n{i}"), "de-fra1", &format!("172.20.{i}.0/24"), Some(router_id));
        world.upcloud.networks.insert(network_id, net);
        ids.push(network_id);
    }
    let emulator = Emulator::start_with(world, 0);
    for pair in ids.chunks(2) {
        for (from, to) in [(pair[0], pair[1]), (pair[1], pair[0])] {
            let request = CreatePeering {
                name: "by-hand".into(),
                configured_status: ConfiguredStatus::Active,
                network: NetworkUuid { uuid: from },
                peer_network: NetworkUuid { uuid: to },
                labels: Vec::new(),
            };
            emulator.block_on(emulator.upcloud().create_peering(&request)).unwrap();
        }
    }
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    ws.write(
        "search.tfquery.hcl",
        "list \"peering_connection\" \"all\" {\n  provider = peering\n  config {\n    clouds = [\"upcloud\"]\n  }\n}\n",
    );
    let before = emulator.requests();
    let found = ws.terraform(&["query", "-no-color"]);
    assert_eq!(found.code, 0, "{found:?}");
    assert_eq!(found.stdout.lines().filter(|l| l.starts_with("list.peering_connection.all")).count(), 10, "{found:?}");
    let after = emulator.requests();
    let reads =
        |route: &str| after.reads.get(route).copied().unwrap_or(0) - before.reads.get(route).copied().unwrap_or(0);
    assert_eq!(after.total_writes, before.total_writes, "a listing only reads");
    assert_eq!(reads("GET /1.3/network"), 1, "{:?}", after.reads);
    assert_eq!(reads("GET /1.3/network-peering"), 1, "the listing's, shared by every result: {:?}", after.reads);
    assert_eq!(reads("GET /v1/project"), 1, "{:?}", after.reads);
    assert_eq!(reads("GET /v1/project/{project}/vpcs"), 1, "{:?}", after.reads);
    assert_eq!(reads("GET /v1/project/{project}/vpcs/{vpc}"), 2, "the demo project's two VPCs: {:?}", after.reads);
    assert_eq!(after.total_reads - before.total_reads, 6, "{:?}", after.reads);
}
