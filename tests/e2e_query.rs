//! `terraform query` finds peerings made by hand through the clouds' own APIs (both halves as
//! one result, a lone half as `peer_side = "external"`), generates configuration that imports
//! them, and the plan after the import is empty.

mod common;

use common::*;
use peering_clouds::scaleway::wire::CreateConnector;
use peering_emulator::world::{World, demo};
use peering_net::UpcloudNetworkId;

const THEIRS: &str = "03000000-0000-4000-8000-00000000ee01";

/// The demo world plus a network of another UpCloud customer, and peerings made by hand.
fn hand_made() -> Emulator {
    let mut world = World::demo();
    let theirs: UpcloudNetworkId = THEIRS.parse().unwrap();
    world
        .upcloud
        .networks
        .insert(theirs, peering_emulator::upcloud::state::network(theirs, "theirs", "fi-hel1", "10.90.0.0/24", None));
    world.upcloud.foreign_networks.insert(theirs);
    let emulator = Emulator::start(world);
    // Each direction named apart, as the clouds' consoles and official providers make them:
    // taken over as they are, with nothing to rename.
    emulator.upcloud_half_by_hand("app-to-db", demo::NETWORK_APP, demo::NETWORK_DB);
    emulator.upcloud_half_by_hand("db-to-app", demo::NETWORK_DB, demo::NETWORK_APP);
    emulator.upcloud_half_by_hand("to-partner", demo::NETWORK_HELSINKI, THEIRS);
    // Aiven ↔ UpCloud as Aiven's guide does it: the Aiven half, then the UpCloud half toward
    // the Aiven network ID.
    let aiven = emulator.aiven();
    let vpc = demo::AIVEN_VPC_FRA.parse().unwrap();
    emulator.block_on(aiven.create_upcloud_peering(demo::AIVEN_PROJECT, vpc, demo::NETWORK_OVERLAP)).unwrap();
    emulator.upcloud_half_by_hand("aiven-fra", demo::NETWORK_OVERLAP, demo::AIVEN_NETWORK_FRA);
    emulator.scaleway_connector_by_hand("a-to-b", demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B);
    emulator.scaleway_connector_by_hand("b-to-a", demo::SCALEWAY_VPC_B, demo::SCALEWAY_VPC_A);
    emulator
}

fn query(ws: &Workspace, list: &str) -> Run {
    ws.write("search.tfquery.hcl", list);
    ws.terraform(&["query", "-no-color"])
}

#[test]
fn query_finds_each_hand_made_peering_once_and_imports_them() {
    let emulator = hand_made();
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    let list = "list \"peering_connection\" \"all\" {\n  provider = peering\n}\n";
    let found = query(&ws, list);
    assert_eq!(found.code, 0, "{found:?}");
    let lines: Vec<&str> = found.stdout.lines().filter(|l| l.starts_with("list.peering_connection.all")).collect();
    assert_eq!(lines.len(), 4, "one result per peering: {found:?}");
    let text = found.flat();
    assert!(text.contains(&format!("upcloud/{}", demo::NETWORK_APP)), "{text}");
    assert!(text.contains(&format!("upcloud/{THEIRS}")), "{text}");
    assert!(text.contains(&format!("scaleway/fr-par/{}", demo::SCALEWAY_VPC_A)), "{text}");
    assert!(text.contains(&format!("aiven/{}/{}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA)), "{text}");

    let writes = emulator.requests().total_writes;
    ws.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    assert_eq!(generated.matches("resource \"peering_connection\"").count(), 4, "{generated}");
    assert!(generated.contains("peer_side = \"external\""), "the lone half: {generated}");
    assert!(!generated.contains("= null"), "unset clouds and attributes are left out: {generated}");
    for reverse in ["db-to-app", "b-to-a"] {
        assert!(generated.contains(&format!("name = \"{reverse}\"")), "each direction's name: {generated}");
    }
    std::fs::remove_file(ws.path().join("search.tfquery.hcl")).unwrap();
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert!(plan.flat().contains("4 to import, 0 to add, 0 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    assert_eq!(ws.plan().code, 0, "imported and settled");
    assert_eq!(emulator.requests().total_writes, writes, "query, import and plan only read");
    let names: std::collections::BTreeSet<String> =
        emulator.world().upcloud.peerings.values().map(|p| p.name.clone()).collect();
    assert!(names.contains("app-to-db") && names.contains("db-to-app"), "{names:?}");
}

#[test]
fn filters_and_limit_narrow_the_list() {
    let emulator = hand_made();
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    let count = |run: &Run| run.stdout.lines().filter(|l| l.starts_with("list.peering_connection.x")).count();

    let scaleway = query(
        &ws,
        "list \"peering_connection\" \"x\" {\n  provider = peering\n  config {\n    clouds = [\"scaleway\"]\n  }\n}\n",
    );
    assert_eq!(count(&scaleway), 1, "{scaleway:?}");

    let zone = query(
        &ws,
        "list \"peering_connection\" \"x\" {\n  provider = peering\n  config {\n    upcloud_zone = \"fi-hel1\"\n    clouds = [\"upcloud\"]\n  }\n}\n",
    );
    assert_eq!(count(&zone), 1, "{zone:?}");
    assert!(zone.flat().contains("to-partner"), "{zone:?}");

    let named = query(
        &ws,
        "list \"peering_connection\" \"x\" {\n  provider = peering\n  config {\n    name_contains = \"app\"\n  }\n}\n",
    );
    assert_eq!(count(&named), 1, "{named:?}");

    let limited = query(&ws, "list \"peering_connection\" \"x\" {\n  provider = peering\n  limit = 2\n}\n");
    assert_eq!(count(&limited), 2, "{limited:?}");
    assert_eq!(emulator.requests().total_writes, 7, "only the hand-made halves were ever written");

    let bad = query(
        &ws,
        "list \"peering_connection\" \"x\" {\n  provider = peering\n  config {\n    clouds = [\"azure\"]\n  }\n}\n",
    );
    assert_ne!(bad.code, 0, "{bad:?}");
    assert!(bad.flat().contains("Unknown cloud"), "{bad:?}");
}

/// Routes added by hand are listed (user and custom routes only) and import to an empty plan.
#[test]
fn query_finds_hand_made_routes_but_not_service_or_managed_ones() {
    use peering_clouds::scaleway::wire::RouteFields;
    use peering_clouds::upcloud::wire::{RouterFields, StaticRoute};
    let emulator = Emulator::start(World::demo());
    let user_route = StaticRoute {
        name: Some("to-backup".into()),
        route: "10.99.0.0/24".parse().unwrap(),
        nexthop: "10.10.0.5".into(),
        kind: None,
    };
    let fields = RouterFields { static_routes: Some(vec![user_route]), ..Default::default() };
    emulator.block_on(emulator.upcloud().modify_router(demo::ROUTER_A.parse().unwrap(), &fields)).unwrap();
    let scaleway = emulator.scaleway();
    let connector = CreateConnector {
        name: "a-b".into(),
        tags: Vec::new(),
        vpc_id: demo::SCALEWAY_VPC_A.parse().unwrap(),
        target_vpc_id: demo::SCALEWAY_VPC_B.parse().unwrap(),
    };
    let connector = emulator.block_on(scaleway.create_connector("fr-par", &connector)).unwrap();
    let route = RouteFields {
        description: Some("to-b".into()),
        vpc_id: Some(demo::SCALEWAY_VPC_A.parse().unwrap()),
        destination: Some("172.16.4.0/22".parse().unwrap()),
        nexthop_vpc_connector_id: Some(connector.id),
        ..Default::default()
    };
    emulator.block_on(scaleway.create_route("fr-par", &route)).unwrap();

    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    let found = query(&ws, "list \"peering_custom_route\" \"all\" {\n  provider = peering\n}\n");
    let lines: Vec<&str> = found.stdout.lines().filter(|l| l.starts_with("list.peering_custom_route.all")).collect();
    assert_eq!(lines.len(), 2, "the user route and the custom route, nothing else: {found:?}");
    assert!(found.flat().contains("10.99.0.0/24") && found.flat().contains("172.16.4.0/22"), "{found:?}");
    assert!(!found.flat().contains("0.0.0.0/0"), "never the service route: {found:?}");

    let writes = emulator.requests().total_writes;
    ws.ok(&["query", "-no-color", "-generate-config-out=generated.tf"]);
    let generated = std::fs::read_to_string(ws.path().join("generated.tf")).unwrap();
    assert!(!generated.contains("= null"), "unset attributes are left out: {generated}");
    std::fs::remove_file(ws.path().join("search.tfquery.hcl")).unwrap();
    let plan = ws.terraform(&["plan", "-no-color"]);
    assert!(plan.flat().contains("2 to import, 0 to add, 0 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    assert_eq!(ws.plan().code, 0, "imported and settled");
    assert_eq!(emulator.requests().total_writes, writes);

    let bad = query(
        &ws,
        "list \"peering_custom_route\" \"all\" {\n  provider = peering\n  config {\n    clouds = [\"aiven\"]\n  }\n}\n",
    );
    assert_ne!(bad.code, 0, "{bad:?}");
    assert!(bad.flat().contains("Unknown cloud"), "{bad:?}");
}

/// 250 connectors in one region take three pages of Scaleway's list; every one is found.
#[test]
fn query_follows_pagination_to_the_end() {
    let mut world = World::demo();
    let vpcs: Vec<uuid::Uuid> =
        (0..250u128).map(|i| uuid::Uuid::from_u128(0x5c00_0000_0000_4000_8000_0000_0001_0000 + i)).collect();
    for (i, vpc) in vpcs.iter().enumerate() {
        world.scaleway.add_vpc(*vpc, "fr-par", &format!("many-{i}"), demo::SCALEWAY_PROJECT, false, 0);
    }
    let emulator = Emulator::start(world);
    let scaleway = emulator.scaleway();
    for (i, vpc) in vpcs.iter().enumerate() {
        let request = CreateConnector {
            name: format!("to-b-{i}"),
            tags: Vec::new(),
            vpc_id: *vpc,
            target_vpc_id: demo::SCALEWAY_VPC_B.parse().unwrap(),
        };
        emulator.block_on(scaleway.create_connector("fr-par", &request)).unwrap();
    }
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    let found = query(
        &ws,
        "list \"peering_connection\" \"many\" {\n  provider = peering\n  limit = 1000\n  config {\n    clouds = [\"scaleway\"]\n    scaleway_regions = [\"fr-par\"]\n  }\n}\n",
    );
    assert_eq!(found.code, 0, "{found:?}");
    let lines = found.stdout.lines().filter(|l| l.starts_with("list.peering_connection.many")).count();
    assert_eq!(lines, 250, "{}", found.stdout);
}

/// A cloud that refuses to answer is a warning; what does not depend on it is still listed.
#[test]
fn a_cloud_that_cannot_be_listed_is_a_warning_not_silence() {
    let emulator = hand_made();
    let mut ws = Workspace::new(&emulator.url());
    ws.set_env("AIVEN_TOKEN", "revoked-aiven-token");
    ws.write("main.tf", PROVIDER_HEADER);
    let found = query(&ws, "list \"peering_connection\" \"all\" {\n  provider = peering\n}\n");
    assert_eq!(found.code, 0, "{found:?}");
    let text = found.flat();
    assert!(text.contains("Could not list the Aiven peerings"), "{text}");
    let lines = found.stdout.lines().filter(|l| l.starts_with("list.peering_connection.all")).count();
    // The UpCloud halves toward networks we cannot see might be Aiven's: without Aiven's answer
    // they are skipped with a warning each, not mislabelled.
    assert_eq!(lines, 2, "UpCloud's pair and Scaleway's pair: {text}");
    assert_eq!(text.matches("Skipped the UpCloud peering").count(), 2, "{text}");
    assert!(!found.all().contains("revoked-aiven-token"), "no credential in the output");
}

/// `upcloud_zone` applies to every result: an Aiven ↔ UpCloud peering in another zone, found from
/// the Aiven side, is not listed.
#[test]
fn the_zone_filter_applies_to_aiven_results_too() {
    let emulator = hand_made();
    let aiven = emulator.aiven();
    let hel = demo::AIVEN_VPC_HEL.parse().unwrap();
    emulator.block_on(aiven.create_upcloud_peering(demo::AIVEN_PROJECT, hel, demo::NETWORK_HELSINKI)).unwrap();
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    let list = "list \"peering_connection\" \"fra\" {\n  provider = peering\n  config {\n    clouds       = [\"upcloud\", \"aiven\"]\n    upcloud_zone = \"de-fra1\"\n  }\n}\n";
    let found = query(&ws, list);
    assert_eq!(found.code, 0, "{found:?}");
    let text = found.flat();
    assert!(text.contains(demo::AIVEN_VPC_FRA), "the Frankfurt peering is listed: {text}");
    assert!(!text.contains(demo::AIVEN_VPC_HEL), "the Helsinki one is not: {text}");
}
