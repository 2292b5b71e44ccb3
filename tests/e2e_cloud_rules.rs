//! End to end, the real clouds' rules where the emulator used to guess what the provider assumed
//! (issue 28): zones, Aiven's optional peering id and its other states, UpCloud's delete rule and
//! create answer, peers of other accounts answered 403, `project_id` as a default rather than a
//! filter, and an emulator restarted from a dump.

mod common;

use common::*;
use peering_emulator::aiven::wire::PeeringState as AivenState;
use peering_emulator::upcloud::state::network;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn id<T: std::str::FromStr>(s: &str) -> T
where
    T::Err: std::fmt::Debug,
{
    s.parse().unwrap()
}

fn aiven_pair(vpc: &str, upcloud_network: &str, extra: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "db"
  network      = {{ aiven = {{ project = "{}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{upcloud_network}" }} }}
{extra}
}}
"#,
        demo::AIVEN_PROJECT
    )
}

/// An UpCloud network of the user's in `zone`, with a router of its own.
fn add_network(emulator: &Emulator, uuid: &str, zone: &str, cidr: &str) {
    let router_id = id(&format!("04{}", &uuid[2..]));
    emulator.edit_world(|w| {
        let mut router = w.upcloud.routers[&id(demo::ROUTER_HEL)].clone();
        router.uuid = router_id;
        router.name = format!("router-{zone}");
        w.upcloud.routers.insert(router_id, router);
        w.upcloud.networks.insert(id(uuid), network(id(uuid), zone, zone, cidr, Some(router_id)));
    });
}

#[test]
fn an_aiven_vpc_in_upcloud_fi_hel_peers_with_either_helsinki_zone() {
    let emulator = Emulator::start(World::demo());
    let vpc = emulator.create_aiven_vpc("upcloud-fi-hel", "10.70.0.0/24");
    let hel2 = "03000000-0000-4000-8000-0000000002f2";
    add_network(&emulator, hel2, "fi-hel2", "10.71.0.0/24");
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair(&vpc.to_string(), hel2, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "upcloud-fi-hel spans fi-hel1 and fi-hel2: {plan:?}");
    assert!(!plan.all().contains("zone"), "{plan:?}");
    ws.apply();
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    ws.ok(&["destroy", "-auto-approve"]);

    // upcloud-fi-hel1 with a network in fi-hel2: the same city, zones undocumented — a warning,
    // and Aiven decides (the emulator, as Aiven's docs say, refuses another zone).
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair(demo::AIVEN_VPC_HEL, hel2, "  timeouts = { create = \"30s\" }"));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.flat().contains("Networks may be in different zones"), "{plan:?}");
    let applied = ws.terraform(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(applied.code, 1, "{applied:?}");
    assert!(applied.flat().contains("INVALID_SPECIFICATION"), "{applied:?}");

    // Another city is refused at plan, with nothing written.
    let writes = emulator.requests().total_writes;
    ws.write("main.tf", &aiven_pair(demo::AIVEN_VPC_HEL, demo::NETWORK_APP, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Networks are in different zones"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, writes);
}

#[test]
fn upcloud_networks_of_two_zones_are_warned_of_not_refused() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("fra-hel", demo::NETWORK_APP, demo::NETWORK_HELSINKI, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.flat().contains("Networks are in different zones"), "{plan:?}");
    assert!(plan.flat().contains("UpCloud decides"), "{plan:?}");
    ws.apply();
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
}

#[test]
fn aiven_peerings_without_an_id_are_found_by_their_network() {
    let mut world = World::demo();
    world.aiven.omits_peering_ids = true;
    let emulator = Emulator::start(world);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair(demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));
    ws.apply();
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "active", "{values:#}");
    assert_eq!(values["network_half"]["id"], format!("upcloud/{}", demo::NETWORK_APP), "{values:#}");
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    let left: Vec<_> = emulator.aiven_peerings().into_iter().filter(|(_, s)| s != "DELETED").collect();
    assert!(left.is_empty(), "no orphaned Aiven half: {left:?}");
    assert!(emulator.peering_states().is_empty());
}

fn set_aiven_state(emulator: &Emulator, state: AivenState, info: Option<&str>) {
    emulator.edit_world(|w| {
        let vpc = w.aiven.vpcs.get_mut(&id(demo::AIVEN_VPC_FRA)).unwrap();
        let peering = &mut vpc.peerings[0];
        peering.state = state;
        peering.state_info = info.map(|message| peering_emulator::aiven::wire::StateInfo {
            message: message.into(),
            kind: state.as_str().to_lowercase(),
            to_network_id: None,
        });
    });
}

#[test]
fn aiven_states_the_emulator_did_not_show_are_read_as_aiven_means_them() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair(demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));
    ws.apply();

    // A null state_info on an active peering: read as active, nothing to do.
    set_aiven_state(&emulator, AivenState::Active, None);
    ws.ok(&["apply", "-refresh-only", "-auto-approve"]);
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    assert_eq!(ws.plan().code, 0);

    // Still being approved on the peer's side: provisioning, not a failure.
    set_aiven_state(&emulator, AivenState::ApprovedPeerRequested, Some("Waiting for the peer"));
    ws.ok(&["apply", "-refresh-only", "-auto-approve"]);
    let values = ws.resource_values(ADDR);
    assert_eq!(values["network_half"]["state"], "APPROVED_PEER_REQUESTED");
    assert_ne!(values["status"], "error", "{values:#}");
    assert!(values["status_message"].as_str().unwrap().contains("APPROVED_PEER_REQUESTED"), "{values:#}");

    // Aiven's ERROR with a null state_info: a failure said in Aiven's word, not waited on and
    // not remade on a guess.
    set_aiven_state(&emulator, AivenState::Error, None);
    ws.ok(&["apply", "-refresh-only", "-auto-approve"]);
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "error", "{values:#}");
    assert!(values["status_message"].as_str().unwrap().contains("ERROR"), "{values:#}");

    // Rejected by the peer: the plan repairs it.
    set_aiven_state(&emulator, AivenState::RejectedByPeer, Some("Rejected"));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{}", plan.all());
    assert!(plan.stdout.contains("updated in-place"), "{plan:?}");
    ws.apply();
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    let live: Vec<_> = emulator.aiven_peerings().into_iter().filter(|(_, s)| s != "DELETED").collect();
    assert_eq!(live, vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())]);
}

#[test]
fn an_expired_aiven_token_is_said_once_not_retried() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.set_env("AIVEN_TOKEN", peering_emulator::aiven::EXPIRED_TOKEN);
    ws.write("main.tf", &aiven_pair(demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Missing (expired) db token"), "{plan:?}");
    assert!(!plan.flat().contains(peering_emulator::aiven::EXPIRED_TOKEN), "no credential in errors");
    assert_eq!(emulator.requests().total_reads, 1, "a 401 is not retried: {:?}", emulator.requests());
}

#[test]
fn an_upcloud_half_whose_peer_network_is_gone_is_deleted_not_waited_on() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let extra = "  peer_side = \"external\"\n  timeouts = { delete = \"20s\" }";
    ws.write("main.tf", &connection_config("app-db", demo::NETWORK_APP, demo::NETWORK_DB, extra));
    ws.apply();
    // The peer's owner deletes their network (and with it any half of theirs).
    let db: peering_net::UpcloudNetworkId = id(demo::NETWORK_DB);
    emulator.edit_world(|w| {
        w.upcloud.networks.remove(&db);
        w.upcloud.peerings.retain(|_, p| p.network != db);
    });
    assert_eq!(emulator.peering_states()[0].2, "deleted-peer-network");
    let destroyed = ws.terraform(&["destroy", "-auto-approve", "-no-color"]);
    assert_eq!(destroyed.code, 0, "{destroyed:?}");
    assert!(emulator.peering_states().is_empty());
}

#[test]
fn a_one_way_upcloud_create_answers_pending_peer() {
    let emulator = Emulator::start(World::demo());
    let client = emulator.upcloud();
    let created = emulator.block_on(async {
        let request = peering_clouds::upcloud::CreatePeering {
            name: "one-way".into(),
            configured_status: peering_clouds::upcloud::ConfiguredStatus::Active,
            network: peering_clouds::upcloud::NetworkUuid { uuid: id(demo::NETWORK_APP) },
            peer_network: peering_clouds::upcloud::NetworkUuid { uuid: id(demo::NETWORK_DB) },
            labels: Vec::new(),
        };
        client.create_peering(&request).await.unwrap()
    });
    assert_eq!(created.state.as_str(), "pending-peer", "the documented 201 of a one-way create");
}

#[test]
fn an_external_peer_answered_forbidden_is_not_visible_not_an_error() {
    let mut world = World::demo();
    world.upcloud.forbids_foreign_networks = true;
    let emulator = Emulator::start(world);
    let ws = Workspace::new(&emulator.url());
    // Aiven's network behind its VPC is another account's: NETWORK_FORBIDDEN, not 404.
    let client = emulator.upcloud();
    let answer = emulator.block_on(client.get_network(id(demo::AIVEN_NETWORK_FRA))).unwrap_err();
    assert_eq!(answer.code(), Some("NETWORK_FORBIDDEN"), "{answer}");
    ws.write(
        "main.tf",
        &connection_config("to-aiven", demo::NETWORK_APP, demo::AIVEN_NETWORK_FRA, "  peer_side = \"external\""),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "an external peer the credentials cannot see is planned: {plan:?}");
}

#[test]
fn a_default_project_elsewhere_does_not_hide_what_is_named_by_id() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    // The user's default project is not the VPCs' project.
    ws.set_env("SCW_DEFAULT_PROJECT_ID", "5ca1e000-0000-4000-8000-0000000000ff");
    ws.write("main.tf", &scaleway_route("connection = peering_connection.this.id"));
    ws.apply();
    assert_eq!(emulator.scaleway_connectors().len(), 2);
    let connector = *emulator.world().scaleway.connectors.keys().next().unwrap();
    ws.ok(&["state", "rm", ADDR]);
    ws.ok(&["import", "-no-color", ADDR, &format!("scaleway-connector/fr-par/{connector}")]);
    assert_eq!(ws.plan().code, 0);
}

#[test]
fn an_emulator_restarted_from_a_dump_issues_no_id_twice() {
    let first = Emulator::start(World::demo());
    let ws = Workspace::new(&first.url());
    ws.write("main.tf", &connection_config("app-db", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let dump = first.world();
    let before: Vec<_> = dump.upcloud.peerings.keys().copied().collect();
    drop(first);
    // The same rng seed, started from the dump: new objects get new ids.
    let second = Emulator::start(dump);
    let ws2 = Workspace::new(&second.url());
    ws2.write("main.tf", &connection_config("app-hel", demo::NETWORK_APP, demo::NETWORK_HELSINKI, ""));
    ws2.apply();
    let after = second.world().upcloud.peerings;
    assert_eq!(after.len(), 4, "two old halves kept, two new: {:?}", after.keys());
    assert!(before.iter().all(|id| after.contains_key(id)));
}

/// VPCs A and B of the demo world peered, with `extra` in the peering's block and `rest` after it.
fn scaleway_pair(extra: &str, rest: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "a-to-b"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{b}" }} }}
{extra}
}}
{rest}"#,
        a = demo::SCALEWAY_VPC_A,
        b = demo::SCALEWAY_VPC_B
    )
}

/// The pair, and a route of VPC A through `hop`.
fn scaleway_route(hop: &str) -> String {
    let route = format!(
        r#"resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "{a}" }} }}
  destination = "10.99.0.0/24"
  next_hop    = {{ {hop} }}
}}
"#,
        a = demo::SCALEWAY_VPC_A
    );
    scaleway_pair("", &route)
}

/// A route's next hop changed in place leaves nothing of the old one on the route: a PATCH
/// keeps what it omits, so the old part is cleared with `""`.
#[test]
fn a_next_hop_changed_in_place_clears_the_old_one() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let through_pn = format!("private_network_id = \"{}\"", demo::SCALEWAY_PN_A);
    let through_connector = "connection = peering_connection.this.id";
    ws.write("main.tf", &scaleway_route(&through_pn));
    ws.apply();
    for (hop, connector, pn) in [(through_connector, true, false), (through_pn.as_str(), false, true)] {
        ws.write("main.tf", &scaleway_route(hop));
        let plan = ws.plan();
        assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{plan:?}");
        ws.apply();
        let routes: Vec<_> = emulator.world().scaleway.routes.values().cloned().collect();
        assert_eq!(routes.len(), 1);
        assert_eq!(routes[0].nexthop_vpc_connector_id.is_some(), connector, "{hop}: {:?}", routes[0]);
        assert_eq!(routes[0].nexthop_private_network_id.is_some(), pn, "{hop}: {:?}", routes[0]);
        assert_eq!(ws.plan().code, 0, "{hop}");
    }
    // A resource added by hand beside the Private Network since the last refresh is cleared too:
    // the route is read before its PATCH, not taken from state.
    let (route_id, _) = emulator.world().scaleway.routes.iter().map(|(k, v)| (*k, v.clone())).next().unwrap();
    let nic: uuid::Uuid = "3bee96fb-e7dd-4631-85c0-a34b76d69e8d".parse().unwrap();
    let by_hand = peering_clouds::scaleway::RoutePatch {
        nexthop_resource_id: Some(peering_clouds::scaleway::HopId::Set(nic)),
        ..Default::default()
    };
    emulator.block_on(emulator.scaleway().update_route("fr-par", route_id, &by_hand)).unwrap();
    ws.write("main.tf", &scaleway_route(through_connector));
    ws.ok(&["apply", "-auto-approve", "-refresh=false"]);
    let route = emulator.world().scaleway.routes[&route_id].clone();
    assert!(route.nexthop_vpc_connector_id.is_some(), "{route:?}");
    assert!(route.nexthop_private_network_id.is_none() && route.nexthop_resource_id.is_none(), "{route:?}");
}

/// One connector over overlapping Private Networks is `orphan` (Scaleway says `conflict` only
/// once the reverse connector exists, on both sides); a `locked` connector ends the wait at once
/// with what to do.
#[test]
fn connector_statuses_are_scaleways() {
    use peering_clouds::scaleway::wire::CreatePrivateNetwork;

    let emulator = Emulator::start(World::demo());
    let (a, b) = (demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B);
    // VPC B gets a Private Network overlapping A's.
    let client = emulator.scaleway();
    emulator.block_on(async {
        let request = CreatePrivateNetwork {
            name: "overlap".into(),
            vpc_id: id(b),
            project_id: demo::SCALEWAY_PROJECT.into(),
            subnets: Some(vec!["172.16.0.0/24".parse().unwrap()]),
            ..Default::default()
        };
        client.create_private_network("fr-par", &request).await.unwrap();
    });
    let one = emulator.scaleway_connector_by_hand("one-way", a, b);
    let status = emulator.world().scaleway.connector_view(&emulator.world().scaleway.connectors[&one]).status;
    assert_eq!(status.as_str(), "orphan");
    emulator.scaleway_connector_by_hand("back", b, a);
    let world = emulator.world();
    let statuses: Vec<_> =
        world.scaleway.connectors.values().map(|c| world.scaleway.connector_view(c).status.as_str()).collect();
    assert_eq!(statuses, vec!["conflict", "conflict"]);

    // A locked connector: the apply stops at once, saying Scaleway's words.
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let external = "  peer_side = \"external\"\n  timeouts = { create = \"20m\" }";
    ws.write("main.tf", &scaleway_pair(external, ""));
    ws.apply();
    emulator.edit_world(|w| w.scaleway.connectors.values_mut().for_each(|c| c.locked = true));
    ws.ok(&["apply", "-refresh-only", "-auto-approve"]);
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "error", "{values:#}");
    assert!(values["status_message"].as_str().unwrap().contains("Trust and Safety"), "{values:#}");
}

/// Scaleway's largest page is documented nowhere: a server that answers fewer items than asked
/// for (3 here, for a `page_size` of 100) still has every item read, by `total_count`.
#[test]
fn lists_are_read_whole_whatever_the_largest_page() {
    let mut world = World::demo();
    world.scaleway.largest_page = Some(3);
    let emulator = Emulator::start(world);
    let (a, targets) = (demo::SCALEWAY_VPC_A, [demo::SCALEWAY_VPC_B, demo::SCALEWAY_VPC_C, demo::SCALEWAY_VPC_D]);
    for (i, target) in targets.iter().enumerate() {
        emulator.scaleway_connector_by_hand(&format!("c{i}"), a, target);
        emulator.scaleway_connector_by_hand(&format!("r{i}"), target, a);
    }
    let client = emulator.scaleway();
    let all = emulator.block_on(client.list_all_connectors("fr-par")).unwrap();
    assert_eq!(all.len(), 6, "{all:?}");
    assert_eq!(emulator.requests().reads.values().sum::<u64>(), 2, "two pages of three: {:?}", emulator.requests());
}
