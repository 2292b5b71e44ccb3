//! The invariants: what must hold of the clouds, the state and Terraform's output after a step.

use std::collections::{BTreeMap, BTreeSet};

use peering_emulator::aiven::wire::PeeringState as AivenState;
use peering_emulator::upcloud::wire::ConfiguredStatus;
use peering_emulator::world::{World, demo};

use super::common::{Run, user_tags};
use super::model::{Model, PairKind, Route, RouteTable};
use super::world::{
    Net, OTHER_SCALEWAY, OTHER_UPCLOUD, SCALEWAY_VPCS, UPCLOUD_NETWORKS, scaleway_vpc, upcloud_network, upcloud_router,
};

/// What no run may ever print.
const NEVER: [&str; 6] = [
    "inconsistent result",
    "inconsistent final plan",
    "panicked",
    "Plugin did not respond",
    "plugin exited",
    "unexpected EOF",
];

pub fn never_said(args: &[&str], run: &Run) -> Result<(), String> {
    said_none_of(&NEVER, args, run)
}

/// What a run whose provider was killed may not say: the plugin's death it may.
pub fn never_said_killed(args: &[&str], run: &Run) -> Result<(), String> {
    said_none_of(&NEVER[..3], args, run)
}

fn said_none_of(never: &[&str], args: &[&str], run: &Run) -> Result<(), String> {
    let text = run.flat();
    match never.iter().find(|bad| text.contains(*bad)) {
        Some(bad) => Err(format!("terraform {args:?} said {bad:?}: {run:?}")),
        None => Ok(()),
    }
}

fn upcloud_id(i: usize) -> peering_net::UpcloudNetworkId {
    upcloud_network(i).parse().unwrap()
}

fn scaleway_id(i: usize) -> uuid::Uuid {
    scaleway_vpc(i).parse().unwrap()
}

fn owner_free_labels(labels: &[peering_emulator::upcloud::wire::Label]) -> BTreeMap<String, String> {
    labels.iter().filter(|l| l.key != "peering-owner").map(|l| (l.key.clone(), l.value.clone())).collect()
}

fn live_aiven(state: AivenState) -> bool {
    !matches!(state, AivenState::Deleting | AivenState::Deleted)
}

/// The clouds hold exactly what `model` declares among the workspace's networks: each peering's
/// halves once, with their names, tags and status; each route once; nothing else but routes
/// made by hand (`foreign`), which are still there.
pub fn world_matches(model: &Model, world: &World, foreign: &[(usize, String)]) -> Result<(), String> {
    let mut problems = Vec::new();
    let aiven_network: peering_net::UpcloudNetworkId = demo::AIVEN_NETWORK_FRA.parse().unwrap();
    let aiven_vpc: uuid::Uuid = demo::AIVEN_VPC_FRA.parse().unwrap();
    let ours_up: BTreeSet<_> = (0..UPCLOUD_NETWORKS).map(upcloud_id).collect();
    let ours_scw: BTreeSet<_> = (0..SCALEWAY_VPCS).map(scaleway_id).collect();
    let (mut up_expected, mut scw_expected, mut aiven_expected) = (0, 0, 0);
    for p in &model.peerings {
        let tags = p.applied_tags();
        let upcloud_half = |from: peering_net::UpcloudNetworkId, to, name: String, problems: &mut Vec<String>| {
            let found: Vec<_> =
                world.upcloud.peerings.values().filter(|h| h.network == from && h.peer_network == to).collect();
            match found.as_slice() {
                [half] => {
                    if half.name != name {
                        problems.push(format!(
                            "{}: UpCloud half {from}→{to} named {:?}, not {name:?}",
                            p.address(),
                            half.name
                        ));
                    }
                    if owner_free_labels(&half.labels) != tags {
                        problems.push(format!(
                            "{}: UpCloud half {from}→{to} labels {:?}, not {tags:?}",
                            p.address(),
                            half.labels
                        ));
                    }
                    let want = if p.enabled { ConfiguredStatus::Active } else { ConfiguredStatus::Disabled };
                    if half.configured_status != want {
                        problems.push(format!(
                            "{}: UpCloud half {from}→{to} is {:?}",
                            p.address(),
                            half.configured_status
                        ));
                    }
                }
                halves => problems.push(format!("{}: {} UpCloud halves {from}→{to}", p.address(), halves.len())),
            }
        };
        match p.kind() {
            PairKind::Upcloud => {
                up_expected += 2;
                for (from, to) in [(p.ends[0], p.ends[1]), (p.ends[1], p.ends[0])] {
                    let (Net::Upcloud(a), Net::Upcloud(b)) = (from, to) else { unreachable!() };
                    upcloud_half(upcloud_id(a), upcloud_id(b), p.half_name(from), &mut problems);
                }
            }
            PairKind::Aiven => {
                up_expected += 1;
                aiven_expected += 1;
                let up = p.named_ends()[0];
                let Net::Upcloud(u) = up else { unreachable!() };
                upcloud_half(upcloud_id(u), aiven_network, p.half_name(up), &mut problems);
                let aiven: Vec<_> = world.aiven.vpcs[&aiven_vpc]
                    .peerings
                    .iter()
                    .filter(|a| live_aiven(a.state) && a.peer_vpc == upcloud_network(u))
                    .collect();
                if aiven.len() != 1 {
                    problems.push(format!(
                        "{}: {} Aiven halves toward {}",
                        p.address(),
                        aiven.len(),
                        upcloud_network(u)
                    ));
                }
            }
            PairKind::Scaleway => {
                scw_expected += 2;
                for (from, to) in [(p.ends[0], p.ends[1]), (p.ends[1], p.ends[0])] {
                    let (Net::Scaleway(a), Net::Scaleway(b)) = (from, to) else { unreachable!() };
                    let found: Vec<_> = world
                        .scaleway
                        .connectors
                        .values()
                        .filter(|c| c.vpc_id == scaleway_id(a) && c.target_vpc_id == scaleway_id(b))
                        .collect();
                    match found.as_slice() {
                        [c] => {
                            let name = p.half_name(from);
                            if c.name != name {
                                problems.push(format!(
                                    "{}: connector {a}→{b} named {:?}, not {name:?}",
                                    p.address(),
                                    c.name
                                ));
                            }
                            let mut have = user_tags(&c.tags);
                            have.sort();
                            let want: Vec<String> = tags.iter().map(|(k, v)| format!("{k}={v}")).collect();
                            if have != want {
                                problems
                                    .push(format!("{}: connector {a}→{b} tags {have:?}, not {want:?}", p.address()));
                            }
                        }
                        cs => problems.push(format!("{}: {} connectors {a}→{b}", p.address(), cs.len())),
                    }
                }
            }
        }
    }
    let up_found = world.upcloud.peerings.values().filter(|h| ours_up.contains(&h.network)).count();
    let scw_found = world.scaleway.connectors.values().filter(|c| ours_scw.contains(&c.vpc_id)).count();
    let aiven_found = world.aiven.vpcs[&aiven_vpc]
        .peerings
        .iter()
        .filter(|a| live_aiven(a.state) && ours_up.iter().any(|n| a.peer_vpc == n.to_string()))
        .count();
    if (up_found, scw_found, aiven_found) != (up_expected, scw_expected, aiven_expected) {
        problems.push(format!(
            "halves (UpCloud, Scaleway, Aiven): found {:?}, declared {:?}",
            (up_found, scw_found, aiven_found),
            (up_expected, scw_expected, aiven_expected)
        ));
    }
    problems.extend(routes_match(model, world, foreign));
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!("the clouds differ from the configuration: {}", problems.join("; ")))
    }
}

fn routes_match(model: &Model, world: &World, foreign: &[(usize, String)]) -> Vec<String> {
    let mut problems = Vec::new();
    let mut want_up = BTreeSet::new();
    let mut want_scw = BTreeSet::new();
    for r in &model.routes {
        match &r.table {
            RouteTable::Upcloud(net) => {
                want_up.insert((*net, r.destination.clone(), Route::next_hop_ip(*net), r.description.clone()));
            }
            RouteTable::Scaleway { from: Net::Scaleway(vpc), via } => {
                let p = model.peering(*via).unwrap();
                let to = if p.ends[0] == Net::Scaleway(*vpc) { p.ends[1] } else { p.ends[0] };
                let Net::Scaleway(to) = to else { unreachable!() };
                let connector = world
                    .scaleway
                    .connectors
                    .values()
                    .find(|c| c.vpc_id == scaleway_id(*vpc) && c.target_vpc_id == scaleway_id(to))
                    .map(|c| c.id);
                want_scw.insert((scaleway_id(*vpc), r.destination.clone(), r.description.clone(), connector));
            }
            RouteTable::Scaleway { .. } => unreachable!("a Scaleway route is in a Scaleway VPC"),
        }
    }
    let mut have_up = BTreeSet::new();
    for net in 0..UPCLOUD_NETWORKS {
        let router = &world.upcloud.routers[&upcloud_router(net).parse().unwrap()];
        for route in &router.static_routes {
            let destination = route.route.to_string();
            if foreign.iter().any(|(n, d)| *n == net && *d == destination) {
                continue;
            }
            have_up.insert((net, destination, route.nexthop.clone(), route.name.clone().unwrap_or_default()));
        }
    }
    for (net, destination) in foreign {
        let router = &world.upcloud.routers[&upcloud_router(*net).parse().unwrap()];
        if !router.static_routes.iter().any(|r| r.route.to_string() == *destination) {
            problems.push(format!("the route to {destination} made by hand on router {net} is gone"));
        }
    }
    let ours_scw: BTreeSet<_> = (0..SCALEWAY_VPCS).map(scaleway_id).collect();
    let have_scw: BTreeSet<_> = world
        .scaleway
        .routes
        .values()
        .filter(|r| ours_scw.contains(&r.vpc_id))
        .map(|r| (r.vpc_id, r.destination.to_string(), r.description.clone(), r.nexthop_vpc_connector_id))
        .collect();
    if have_up != want_up {
        problems.push(format!("UpCloud routes {have_up:?}, declared {want_up:?}"));
    }
    if have_scw != want_scw {
        problems.push(format!("Scaleway routes {have_scw:?}, declared {want_scw:?}"));
    }
    problems
}

/// Everything the second workspace made, in one comparable text.
pub fn other_workspace(world: &World) -> String {
    let nets: BTreeSet<_> = OTHER_UPCLOUD.iter().map(|i| upcloud_id(*i)).collect();
    let vpcs: BTreeSet<_> = OTHER_SCALEWAY.iter().map(|i| scaleway_id(*i)).collect();
    let peerings: Vec<String> = world
        .upcloud
        .peerings
        .values()
        .filter(|p| nets.contains(&p.network))
        .map(|p| format!("{} {} {:?} {:?}", p.uuid, p.name, p.configured_status, p.labels))
        .collect();
    let connectors: Vec<String> = world
        .scaleway
        .connectors
        .values()
        .filter(|c| vpcs.contains(&c.vpc_id))
        .map(|c| format!("{} {} {:?}", c.id, c.name, c.tags))
        .collect();
    let router = &world.upcloud.routers[&upcloud_router(OTHER_UPCLOUD[0]).parse().unwrap()];
    format!("{peerings:?} {connectors:?} {:?}", router.static_routes)
}

/// The cloud objects a planned delete or replace may remove: the halves and routes the plan's
/// `before` values name.
pub fn planned_removals(plan: &serde_json::Value) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for change in plan["resource_changes"].as_array().into_iter().flatten() {
        let actions = change["change"]["actions"].as_array().cloned().unwrap_or_default();
        if !actions.iter().any(|a| a == "delete") {
            continue;
        }
        let before = &change["change"]["before"];
        match change["type"].as_str() {
            Some("peering_connection") => {
                for (half, end) in [("network_half", "network"), ("peer_half", "peer_network")] {
                    if let Some(id) = before[half]["id"].as_str() {
                        names.insert(half_object(&before[end], id));
                    }
                }
            }
            Some("peering_custom_route") => names.extend(before["id"].as_str().and_then(route_object)),
            _ => {}
        }
    }
    names
}

/// The object log's name for a half with `id` from `endpoint`.
pub fn half_object(endpoint: &serde_json::Value, id: &str) -> String {
    if !endpoint["upcloud"].is_null() {
        format!("upcloud-peering {id}")
    } else if !endpoint["scaleway"].is_null() {
        format!("scaleway-connector {id}")
    } else {
        format!("aiven-peering {id}")
    }
}

/// The object log's name for a route id (`upcloud/ROUTER/DEST`, `scaleway/REGION/ID`).
pub fn route_object(id: &str) -> Option<String> {
    if let Some(rest) = id.strip_prefix("upcloud/") {
        let (router, destination) = rest.split_once('/')?;
        return Some(format!("upcloud-route {router} {destination}"));
    }
    let rest = id.strip_prefix("scaleway/")?;
    let (_, route) = rest.split_once('/')?;
    Some(format!("scaleway-route {route}"))
}

/// Aiven halves in a state the provider removes and makes again (not a loss).
pub fn dead_objects(world: &World) -> BTreeSet<String> {
    world
        .aiven
        .vpcs
        .values()
        .flat_map(|v| v.peerings.iter())
        .filter(|p| matches!(p.state, AivenState::DeletedByPeer | AivenState::InvalidSpecification))
        .map(|p| format!("aiven-peering {}", p.peering_connection_id))
        .collect()
}

/// The addresses a state file holds.
pub fn state_addresses(state: &serde_json::Value) -> Vec<String> {
    let mut all = Vec::new();
    for resource in state["resources"].as_array().into_iter().flatten() {
        if resource["mode"] != "managed" {
            continue;
        }
        let base = format!("{}.{}", resource["type"].as_str().unwrap(), resource["name"].as_str().unwrap());
        for instance in resource["instances"].as_array().into_iter().flatten() {
            if instance.get("deposed").is_some() {
                all.push(format!("{base} (deposed)"));
                continue;
            }
            match &instance["index_key"] {
                serde_json::Value::String(key) => all.push(format!("{base}[\"{key}\"]")),
                serde_json::Value::Null => all.push(base.clone()),
                other => all.push(format!("{base}[{other}]")),
            }
        }
    }
    all.sort();
    all
}
