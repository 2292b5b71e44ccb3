//! Exact cloud API request counts for whole Terraform runs, read from the emulator's
//! `/_emulator/requests` (instant transitions make them deterministic). Timings are never
//! asserted here; `make bench` measures them.

mod common;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::*;
use peering_emulator::RequestCounts;
use peering_emulator::world::{World, demo};

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
/// walk (the check and the DHCP warning share it), a peering list per walk for the look at
/// halves someone else holds, one for the create's own look, two creates, one look at the half
/// that was still waiting for its peer, and per half a fresh read and a PATCH that mark it as this state's
/// finished work. Destroy: the refresh reads both halves from one peering list; disabling
/// answers `disabled` at once, so each half is deleted unread. (Instant transitions: the
/// emulator is started with 0 ms.)
#[test]
fn an_upcloud_peering_costs_fourteen_requests_to_apply_and_five_to_destroy_with_instant_transitions() {
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
            ("GET /1.3/network-peering", 3),
            ("POST /1.3/network-peering", 2),
            ("GET /1.3/network-peering/{uuid}", 3),
            ("PATCH /1.3/network-peering/{uuid}", 2),
        ])
    );
    assert_eq!(applied.total_reads + applied.total_writes, 14);

    ws.ok(&["destroy", "-auto-approve"]);
    assert_eq!(
        between(&applied, &emulator.requests()),
        counts(&[
            ("GET /1.3/network-peering", 1),
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
    assert_eq!(writes, 4, "two creates and their finishing marks: {:?}", emulator.requests());
    // Destroy writes: two PATCHes (disable), then the DELETEs. No half may go until both are
    // disabling; the answer to the first DELETE is then held.
    emulator.hold_transitions(true);
    emulator.hold_after_writes(writes + 3);
    let destroy = ws.spawn(&["destroy", "-auto-approve", "-no-color"]);
    let disables = |emulator: &Emulator| emulator.requests().writes.get("PATCH /1.3/network-peering/{uuid}").copied();
    let until = Instant::now() + Duration::from_secs(60);
    while disables(&emulator) != Some(4) && Instant::now() < until {
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
    // Two disables after the two PATCHes that marked the halves finished at create.
    assert_eq!(held.writes.get("PATCH /1.3/network-peering/{uuid}"), Some(&4), "{held:?}");
    assert_eq!(run.code, 0, "{run:?}");
    assert!(emulator.peering_states().is_empty());
}

/// Refreshing ten routes reads the account's router list once (it carries every router's
/// routes), and no router on its own.
#[test]
fn a_refresh_reads_the_router_list_once() {
    let emulator = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &routes_on_router(10));
    ws.apply();
    let before = emulator.requests();
    let plan = ws.plan();
    assert_eq!(plan.code, 0, "{plan:?}");
    let read = between(&before, &emulator.requests());
    assert_eq!(read.get("GET /1.3/router"), Some(&1), "{read:?}");
    assert_eq!(read.get("GET /1.3/router/{uuid}"), None, "{read:?}");
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

/// Runs `terraform query` with one `list` block of `list_type` whose `config` is `filter`;
/// checks it finds `results` and writes nothing; the reads it made, by route.
fn listing_reads(emulator: &Emulator, list_type: &str, filter: &str, results: usize) -> BTreeMap<String, u64> {
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    ws.write(
        "search.tfquery.hcl",
        &format!(
            "list \"{list_type}\" \"all\" {{\n  provider = peering\n  limit = 1000\n  config {{\n{filter}\n  }}\n}}\n"
        ),
    );
    let before = emulator.requests();
    let found = ws.terraform(&["query", "-no-color"]);
    assert_eq!(found.code, 0, "{found:?}");
    let listed = found.stdout.lines().filter(|l| l.starts_with(&format!("list.{list_type}.all"))).count();
    assert_eq!(listed, results, "{found:?}");
    let after = emulator.requests();
    assert_eq!(after.total_writes, before.total_writes, "a listing only reads");
    between(&before, &after)
}

/// `count` UpCloud networks with a router each, in de-fra1 (172.20.N.0/24), made in `world`.
fn upcloud_networks(world: &mut World, count: u32) -> Vec<peering_net::UpcloudNetworkId> {
    use peering_emulator::upcloud::state::{network, router};
    (0..count)
        .map(|i| {
            let router_id: peering_net::UpcloudRouterId = format!("04000000-0000-4000-8000-2{i:011x}").parse().unwrap();
            let network_id: peering_net::UpcloudNetworkId =
                format!("03000000-0000-4000-8000-2{i:011x}").parse().unwrap();
            world.upcloud.routers.insert(router_id, router(router_id, &format!("r{i}")));
            let net = network(network_id, &format!("n{i}"), "de-fra1", &format!("172.20.{i}.0/24"), Some(router_id));
            world.upcloud.networks.insert(network_id, net);
            network_id
        })
        .collect()
}

/// `terraform query` over 10 hand-made UpCloud pairs reads UpCloud's two lists, side by side,
/// and nothing else: every result is read as its import reads it, from those lists, and with
/// every peer network in sight no half can be Aiven's, so Aiven is not asked. A half toward a
/// network the account cannot see sends the listing to Aiven's VPCs, once. Exact counts.
#[test]
fn a_listing_of_upcloud_pairs_reads_each_list_once() {
    let mut world = World::demo();
    let ids = upcloud_networks(&mut world, 20);
    let emulator = Emulator::start_with(world, 0);
    for pair in ids.chunks(2) {
        emulator.upcloud_half_by_hand("by-hand", &pair[0].to_string(), &pair[1].to_string());
        emulator.upcloud_half_by_hand("by-hand", &pair[1].to_string(), &pair[0].to_string());
    }
    let upcloud_only = "    clouds = [\"upcloud\"]";
    let reads = listing_reads(&emulator, "peering_connection", upcloud_only, 10);
    assert_eq!(reads, counts(&[("GET /1.3/network", 1), ("GET /1.3/network-peering", 1)]), "{reads:?}");

    // An Aiven ↔ UpCloud pair made by hand: its UpCloud half points at the Aiven network ID.
    let vpc = demo::AIVEN_VPC_FRA.parse().unwrap();
    emulator
        .block_on(emulator.aiven().create_upcloud_peering(demo::AIVEN_PROJECT, vpc, demo::NETWORK_OVERLAP))
        .unwrap();
    emulator.upcloud_half_by_hand("by-hand", demo::NETWORK_OVERLAP, demo::AIVEN_NETWORK_FRA);
    let reads = listing_reads(&emulator, "peering_connection", upcloud_only, 11);
    assert_eq!(
        reads,
        counts(&[
            ("GET /1.3/network", 1),
            ("GET /1.3/network-peering", 1),
            ("GET /v1/project", 1),
            ("GET /v1/project/{project}/vpcs", 1),
            // The demo project's two VPCs in UpCloud clouds; the Aiven result reads its VPC from here.
            ("GET /v1/project/{project}/vpcs/{vpc}", 2),
        ]),
        "{reads:?}"
    );
}

/// 250 hand-made Scaleway connectors (125 pairs) in one region: the connectors and the Private
/// Networks are each listed whole, page by page, and every result is read from those lists.
#[test]
fn a_listing_of_scaleway_connectors_reads_each_region_list_once() {
    use peering_clouds::scaleway::wire::CreateConnector;
    let mut world = World::demo();
    let vpcs: Vec<uuid::Uuid> =
        (0..250u128).map(|i| uuid::Uuid::from_u128(0x5c00_0000_0000_4000_8000_0000_0003_0000 + i)).collect();
    for (i, vpc) in vpcs.iter().enumerate() {
        world.scaleway.add_vpc(*vpc, "fr-par", &format!("many-{i}"), demo::SCALEWAY_PROJECT, false, 0);
    }
    let emulator = Emulator::start_with(world, 0);
    let scaleway = emulator.scaleway();
    for pair in vpcs.chunks(2) {
        for (from, to) in [(pair[0], pair[1]), (pair[1], pair[0])] {
            let request = CreateConnector { name: "by-hand".into(), tags: Vec::new(), vpc_id: from, target_vpc_id: to };
            emulator.block_on(scaleway.create_connector("fr-par", &request)).unwrap();
        }
    }
    let world = emulator.world();
    let pns = world.scaleway.private_networks.values().filter(|pn| pn.region == "fr-par").count() as u64;
    assert!(pns > 0, "the demo world has Private Networks in fr-par");
    let reads = listing_reads(
        &emulator,
        "peering_connection",
        "    clouds = [\"scaleway\"]\n    scaleway_regions = [\"fr-par\"]",
        125,
    );
    assert_eq!(
        reads,
        counts(&[
            ("GET /vpc/v2/regions/{region}/vpc-connectors", 3),
            ("GET /vpc/v2/regions/{region}/private-networks", pns.div_ceil(100)),
        ]),
        "{reads:?}"
    );
}

/// 50 hand-made Aiven ↔ UpCloud peerings of one project VPC: Aiven's projects, the project's
/// VPCs and each VPC once; every result is read from those, and from one UpCloud peering list.
#[test]
fn a_listing_of_aiven_peerings_reads_each_vpc_once() {
    let mut world = World::demo();
    let ids = upcloud_networks(&mut world, 50);
    let emulator = Emulator::start_with(world, 0);
    let vpc = demo::AIVEN_VPC_FRA.parse().unwrap();
    for id in &ids {
        emulator.block_on(emulator.aiven().create_upcloud_peering(demo::AIVEN_PROJECT, vpc, &id.to_string())).unwrap();
        emulator.upcloud_half_by_hand("by-hand", &id.to_string(), demo::AIVEN_NETWORK_FRA);
    }
    let reads = listing_reads(&emulator, "peering_connection", "    clouds = [\"aiven\"]", 50);
    assert_eq!(
        reads,
        counts(&[
            ("GET /1.3/network-peering", 1),
            ("GET /v1/project", 1),
            ("GET /v1/project/{project}/vpcs", 1),
            ("GET /v1/project/{project}/vpcs/{vpc}", 2),
        ]),
        "{reads:?}"
    );
}

/// `terraform query` of UpCloud routes reads the account's router list once: it carries every
/// router's routes, and each result is read from it.
#[test]
fn a_listing_of_upcloud_routes_reads_the_router_list_once() {
    let emulator = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &routes_on_router(10));
    ws.apply();
    let reads = listing_reads(&emulator, "peering_custom_route", "    clouds = [\"upcloud\"]", 10);
    assert_eq!(reads, counts(&[("GET /1.3/router", 1)]), "{reads:?}");
}

/// `terraform query` of Scaleway routes made by hand, some through a connector, in one region:
/// the region's routes and its connectors are each listed once, and every result is read from
/// those lists.
#[test]
fn a_listing_of_scaleway_routes_reads_each_region_list_once() {
    use peering_clouds::scaleway::wire::{CreateConnector, RouteFields};
    let emulator = Emulator::start_with(World::demo(), 0);
    let scaleway = emulator.scaleway();
    let connector = CreateConnector {
        name: "a-b".into(),
        tags: Vec::new(),
        vpc_id: demo::SCALEWAY_VPC_A.parse().unwrap(),
        target_vpc_id: demo::SCALEWAY_VPC_B.parse().unwrap(),
    };
    let connector = emulator.block_on(scaleway.create_connector("fr-par", &connector)).unwrap();
    for i in 0..12 {
        let route = RouteFields {
            description: Some(format!("by-hand-{i}")),
            vpc_id: Some(demo::SCALEWAY_VPC_A.parse().unwrap()),
            destination: Some(format!("172.16.{}.0/24", 40 + i).parse().unwrap()),
            nexthop_vpc_connector_id: Some(connector.id),
            ..Default::default()
        };
        emulator.block_on(scaleway.create_route("fr-par", &route)).unwrap();
    }
    let scaleway_only = "    clouds           = [\"scaleway\"]\n    scaleway_regions = [\"fr-par\"]";
    let reads = listing_reads(&emulator, "peering_custom_route", scaleway_only, 12);
    assert_eq!(
        reads,
        counts(&[
            ("GET /vpc/v2/regions/{region}/routes-with-nexthop", 1),
            ("GET /vpc/v2/regions/{region}/vpc-connectors", 1),
        ]),
        "{reads:?}"
    );
}
