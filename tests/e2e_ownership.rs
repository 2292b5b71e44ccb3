//! Whose half is it: replacement with and without `create_before_destroy`, a renamed
//! `for_each` key, a second workspace, a route at a taken destination, an Aiven half whose
//! UpCloud partner is someone else's, a saved plan that meets a changed cloud, a destroy cut
//! short, a dead half. The ownership rule is `peering::resources::ownership`.

mod common;

use std::collections::BTreeMap;

use common::runs::{Kind, ends, pair_config};
use common::*;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn pair(kind: Kind, name: &str, extra: &str) -> String {
    pair_config(kind, name, extra)
}

/// Every live half of the kind in the emulator, as `id state`, sorted.
fn halves(emulator: &Emulator, kind: Kind) -> Vec<String> {
    let world = emulator.world();
    let now = emulator.now_ms();
    let upcloud = || -> Vec<String> {
        world
            .upcloud
            .peerings
            .values()
            .filter(|p| world.upcloud.is_visible(p.network))
            .map(|p| format!("{} {}", p.uuid, world.upcloud.peering_state(p, now).as_str()))
            .collect()
    };
    let mut all = match kind {
        Kind::Upcloud => upcloud(),
        Kind::Scaleway => world
            .scaleway
            .connectors
            .values()
            .map(|c| format!("{} {}", c.id, world.scaleway.connector_view(c).status.as_str()))
            .collect(),
        Kind::AivenUpcloud => {
            let mut all = upcloud();
            all.extend(world.aiven.vpcs.values().flat_map(|v| {
                v.peerings
                    .iter()
                    .filter(|p| p.state.as_str() != "DELETED")
                    .map(|p| format!("{} {}", p.peering_connection_id, p.state.as_str()))
            }));
            all
        }
    };
    all.sort();
    all
}

fn all_active(halves: &[String]) -> bool {
    halves.iter().all(|h| h.ends_with(" active") || h.ends_with(" ACTIVE") || h.ends_with(" peered"))
}

/// `-replace` of a peering with `create_before_destroy`: the clouds allow one peering between
/// two networks, so the new one cannot be made while the old one stands. The create refuses
/// before writing, Terraform keeps the old object, the live peering is untouched. Without
/// `create_before_destroy` the replacement deletes first, then makes the new one.
#[test]
fn a_replacement_with_create_before_destroy_is_refused_and_the_live_peering_kept() {
    for kind in [Kind::Upcloud, Kind::AivenUpcloud, Kind::Scaleway] {
        let emulator = Emulator::start(World::demo());
        let ws = Workspace::new(&emulator.url());
        let cbd = "  lifecycle {\n    create_before_destroy = true\n  }";
        ws.write("main.tf", &pair(kind, "app-db", cbd));
        ws.apply();
        let before = halves(&emulator, kind);
        assert!(all_active(&before), "{kind:?}: {before:?}");
        let writes = emulator.requests().total_writes;

        let replace = ["apply", "-auto-approve", "-no-color", "-input=false", "-replace=peering_connection.this"];
        let refused = ws.terraform(&replace);
        assert_eq!(refused.code, 1, "{kind:?}: {refused:?}");
        assert!(refused.flat().contains("remove create_before_destroy"), "{kind:?}: {refused:?}");
        assert!(!refused.flat().contains("inconsistent"), "{kind:?}: {refused:?}");
        assert_eq!(emulator.requests().total_writes, writes, "{kind:?}: nothing written");
        assert_eq!(halves(&emulator, kind), before, "{kind:?}: the live peering is untouched");
        assert_eq!(ws.plan().code, 0, "{kind:?}: Terraform kept the old object");

        ws.write("main.tf", &pair(kind, "app-db", ""));
        let replaced = ws.ok(&replace);
        assert!(replaced.stdout.contains("1 added, 0 changed, 1 destroyed"), "{kind:?}: {replaced:?}");
        let after = halves(&emulator, kind);
        assert_eq!(after.len(), before.len(), "{kind:?}: {after:?}");
        assert!(all_active(&after) && after != before, "{kind:?}: a new peering: {before:?} → {after:?}");
        assert_eq!(ws.plan().code, 0, "{kind:?}");
        ws.ok(&["destroy", "-auto-approve", "-no-color"]);
        assert!(halves(&emulator, kind).is_empty(), "{kind:?}");
    }
}

/// A `for_each` key renamed without a `moved` block would destroy the peering at one address
/// and make it at another at the same moment: refused at plan, nothing written. With `moved`
/// nothing is destroyed or made.
#[test]
fn a_renamed_for_each_key_is_refused_at_plan_and_moved_keeps_the_peering() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let (network, peer) = ends(Kind::Upcloud);
    let config = |key: &str, moved: &str| {
        format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "spoke" {{
  for_each     = toset(["{key}"])
  name         = "spoke"
  network      = {network}
  peer_network = {peer}
}}
{moved}
"#
        )
    };
    ws.write("main.tf", &config("app", ""));
    ws.apply();
    let before = halves(&emulator, Kind::Upcloud);
    let writes = emulator.requests().total_writes;

    ws.write("main.tf", &config("application", ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Destroyed and made again under another address"), "{plan:?}");
    assert!(plan.flat().contains("moved block"), "{plan:?}");
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    assert_eq!(emulator.requests().total_writes, writes, "nothing written");

    let moved =
        "moved {\n  from = peering_connection.spoke[\"app\"]\n  to   = peering_connection.spoke[\"application\"]\n}";
    ws.write("main.tf", &config("application", moved));
    let plan = ws.plan();
    assert!(plan.stdout.contains("0 to add, 0 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    assert_eq!(halves(&emulator, Kind::Upcloud), before, "the same halves, now at the new address");
    assert_eq!(emulator.requests().total_writes, writes);
}

/// What the other workspace sees of the clouds: every half, route and marker.
fn fingerprint(emulator: &Emulator) -> String {
    let world = emulator.world();
    let router = &world.upcloud.routers[&demo::ROUTER_A.parse().unwrap()];
    let upcloud: BTreeMap<_, _> =
        world.upcloud.peerings.values().map(|p| (p.uuid.to_string(), (p.name.clone(), p.labels.clone()))).collect();
    let connectors: BTreeMap<_, _> =
        world.scaleway.connectors.values().map(|c| (c.id.to_string(), (c.name.clone(), c.tags.clone()))).collect();
    let routes: BTreeMap<_, _> = world
        .scaleway
        .routes
        .values()
        .map(|r| (r.id.to_string(), (r.destination.to_string(), r.tags.clone())))
        .collect();
    format!("{upcloud:?}\n{connectors:?}\n{routes:?}\n{:?}\n{:?}", router.static_routes, router.labels)
}

const TWO_WORKSPACES: &str = r#"
resource "peering_connection" "app_db" {
  name         = "app-db"
  network      = { upcloud = { network_id = "NETWORK_APP" } }
  peer_network = { upcloud = { network_id = "NETWORK_DB" } }
}

resource "peering_custom_route" "to_partner" {
  route_table = { upcloud = { router_id = "ROUTER_A" } }
  destination = "10.210.0.0/24"
  next_hop    = { ip = "10.10.0.10" }
}

resource "peering_connection" "a_b" {
  name         = "a-b"
  network      = { scaleway = { vpc_id = "SCALEWAY_VPC_A" } }
  peer_network = { scaleway = { vpc_id = "SCALEWAY_VPC_B" } }
}

resource "peering_custom_route" "a_to_b" {
  route_table = { scaleway = { vpc_id = "SCALEWAY_VPC_A" } }
  destination = "172.16.4.0/22"
  next_hop    = { connection = peering_connection.a_b.id }
}
"#;

fn in_workspace(ws: &Workspace, name: &str) {
    let listed = ws.ok(&["workspace", "list"]);
    if listed.stdout.lines().any(|l| l.trim_start_matches('*').trim() == name) {
        ws.ok(&["workspace", "select", name]);
    } else {
        ws.ok(&["workspace", "new", name]);
    }
}

/// Applies in a workspace whose objects another workspace already holds: warned at plan,
/// refused at apply, nothing of the other's touched; its destroy touches nothing either.
fn refused_in(ws: &Workspace, emulator: &Emulator, name: &str) {
    in_workspace(ws, name);
    let held = fingerprint(emulator);
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{name}: {plan:?}");
    assert!(plan.flat().contains("Warning: UpCloud network peering already exists"), "{name}: {plan:?}");
    assert!(plan.flat().contains("Warning: Scaleway VPC connector already exists"), "{name}: {plan:?}");
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{name}: {apply:?}");
    for refused in [
        "UpCloud network peering already exists",
        "Scaleway VPC connector already exists",
        "UpCloud static route already exists",
    ] {
        assert!(apply.flat().contains(&format!("Error: {refused}")), "{name}: {refused}: {apply:?}");
    }
    assert!(apply.flat().contains("another Terraform state"), "{name}: {apply:?}");
    assert!(!apply.flat().contains("Adopted"), "{name}: {apply:?}");
    assert_eq!(fingerprint(emulator), held, "{name}: the other workspace's objects are untouched");
    let destroy = ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(destroy.stdout.contains("No objects need to be destroyed"), "{name}: {destroy:?}");
    assert_eq!(fingerprint(emulator), held, "{name}: its destroy touches nothing");
}

/// Two workspaces, one configuration, each applied and destroyed in both orders: the one that
/// holds the peerings and routes keeps them; the other is told, at plan and apply, that they
/// exist and whose they are, and never touches them.
#[test]
fn two_workspaces_never_touch_each_others_peerings_or_routes() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let config = TWO_WORKSPACES
        .replace("NETWORK_APP", demo::NETWORK_APP)
        .replace("NETWORK_DB", demo::NETWORK_DB)
        .replace("ROUTER_A", demo::ROUTER_A)
        .replace("SCALEWAY_VPC_A", demo::SCALEWAY_VPC_A)
        .replace("SCALEWAY_VPC_B", demo::SCALEWAY_VPC_B);
    ws.write("main.tf", &format!("{PROVIDER_HEADER}{config}"));
    let empty = fingerprint(&emulator);

    for (first, second) in [("default", "staging"), ("staging", "default")] {
        in_workspace(&ws, first);
        let applied = ws.apply();
        assert!(applied.stdout.contains("4 added"), "{first}: {applied:?}");
        let marked = fingerprint(&emulator);
        assert!(!marked.contains("creating-"), "{first}: every object finished: {marked}");
        refused_in(&ws, &emulator, second);
        in_workspace(&ws, first);
        assert_eq!(ws.plan().code, 0, "{first}: still its own, nothing to do");
        ws.ok(&["destroy", "-auto-approve", "-no-color"]);
        assert_eq!(fingerprint(&emulator), empty, "{first}: its destroy leaves nothing");
    }
}

/// A route at a destination that already has another route (another next hop, made by hand)
/// is refused, not overwritten; an identical Scaleway route made by hand is refused, not
/// duplicated.
#[test]
fn a_route_to_a_taken_destination_is_refused_not_overwritten() {
    use peering_clouds::scaleway::RouteFields;
    use peering_clouds::upcloud::{RouterFields, StaticRoute};
    let emulator = Emulator::start(World::demo());
    let router: peering_net::UpcloudRouterId = demo::ROUTER_A.parse().unwrap();
    let upcloud = emulator.upcloud();
    emulator.block_on(async {
        let mut routes = upcloud.get_router(router).await.unwrap().static_routes;
        routes.retain(|r| r.kind.as_deref() != Some("service"));
        routes.push(StaticRoute {
            name: Some("by-hand".into()),
            route: "10.210.0.0/24".parse().unwrap(),
            nexthop: "10.10.0.99".into(),
            kind: None,
        });
        let fields = RouterFields { name: Some("app-router".into()), labels: None, static_routes: Some(routes) };
        upcloud.modify_router(router, &fields).await.unwrap();
    });
    let scaleway = emulator.scaleway();
    let vpc_a: uuid::Uuid = demo::SCALEWAY_VPC_A.parse().unwrap();
    let pn_a: uuid::Uuid = demo::SCALEWAY_PN_A.parse().unwrap();
    emulator.block_on(async {
        let fields = RouteFields {
            description: Some("Custom route".into()),
            tags: Some(Vec::new()),
            vpc_id: Some(vpc_a),
            destination: Some("10.230.0.0/24".parse().unwrap()),
            nexthop_private_network_id: Some(pn_a),
            ..Default::default()
        };
        scaleway.create_route("fr-par", &fields).await.unwrap();
    });
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "upcloud" {{
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.210.0.0/24"
  next_hop    = {{ ip = "10.10.0.10" }}
}}
resource "peering_custom_route" "scaleway" {{
  route_table = {{ scaleway = {{ vpc_id = "{vpc_a}" }} }}
  destination = "10.230.0.0/24"
  next_hop    = {{ private_network_id = "{pn_a}" }}
}}
"#
        ),
    );
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    let text = apply.flat();
    assert!(text.contains("UpCloud static route already exists"), "{apply:?}");
    assert!(text.contains("via 10.10.0.99 named \"by-hand\""), "names the route that is there: {apply:?}");
    assert!(text.contains(&format!("upcloud/{router}/10.210.0.0/24")), "{apply:?}");
    assert!(text.contains("Scaleway route already exists"), "{apply:?}");
    let world = emulator.world();
    let kept: Vec<_> = world.upcloud.routers[&router]
        .static_routes
        .iter()
        .filter(|r| r.route.to_string() == "10.210.0.0/24")
        .collect();
    assert_eq!(kept.len(), 1, "{kept:?}");
    assert_eq!((kept[0].nexthop.as_str(), kept[0].name.as_deref()), ("10.10.0.99", Some("by-hand")));
    let scaleway_routes =
        world.scaleway.routes.values().filter(|r| r.destination.to_string() == "10.230.0.0/24").count();
    assert_eq!(scaleway_routes, 1, "not duplicated");
}

/// An Aiven half between the networks has no marker; its UpCloud partner, made by hand, says
/// whose it is. The create refuses before writing, and says nothing of adopting.
#[test]
fn an_aiven_half_whose_upcloud_partner_is_someone_elses_is_refused_without_adopting() {
    let emulator = Emulator::start_with(World::demo(), 0);
    let aiven = emulator.aiven();
    let vpc: uuid::Uuid = demo::AIVEN_VPC_FRA.parse().unwrap();
    emulator.block_on(aiven.create_upcloud_peering(demo::AIVEN_PROJECT, vpc, demo::NETWORK_APP)).unwrap();
    emulator.block_on(aiven.get_vpc(demo::AIVEN_PROJECT, vpc)).unwrap(); // PENDING_PEER now
    emulator.upcloud_half_by_hand("by-hand", demo::NETWORK_APP, demo::AIVEN_NETWORK_FRA);
    let writes = emulator.requests().total_writes;
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair(Kind::AivenUpcloud, "by-hand", ""));
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert!(plan.flat().contains("Warning: UpCloud network peering already exists"), "{plan:?}");
    let apply = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(apply.code, 1, "{apply:?}");
    assert!(apply.flat().contains("Aiven peering connection already exists"), "{apply:?}");
    assert!(!apply.flat().contains("Adopted"), "{apply:?}");
    assert_eq!(emulator.requests().total_writes, writes, "nothing written");
    assert!(ws.resource_values(ADDR).is_null(), "nothing recorded");
}

/// `plan -out`, then a half deleted by hand, then `apply` of the saved plan: the apply does
/// what the configuration asks (the half is made again) and says the result differs from the
/// plan; never Terraform's "inconsistent result". State records what exists.
#[test]
fn a_saved_plan_that_meets_a_changed_cloud_says_so_and_records_what_exists() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair(Kind::Upcloud, "app-db", ""));
    ws.apply();
    ws.write("main.tf", &pair(Kind::Upcloud, "app-db", "  tags = { team = \"net\" }"));
    let plan = ws.terraform(&["plan", "-out=tfplan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 0, "{plan:?}");
    let peer: peering_net::UpcloudPeeringId =
        ws.resource_values(ADDR)["peer_half"]["id"].as_str().unwrap().parse().unwrap();
    emulator.delete_peering(peer);
    let applied = ws.terraform(&["apply", "-no-color", "-input=false", "tfplan"]);
    assert_eq!(applied.code, 1, "{applied:?}");
    assert!(applied.flat().contains("Changed since the plan"), "{applied:?}");
    assert!(applied.flat().contains("peer_half.id: planned"), "names what moved: {applied:?}");
    assert!(!applied.flat().contains("inconsistent result"), "{applied:?}");
    let values = ws.resource_values(ADDR);
    assert_ne!(values["peer_half"]["id"], peer.to_string(), "state records the half made again");
    assert!(all_active(&halves(&emulator, Kind::Upcloud)));
    assert_eq!(ws.plan().code, 0, "state says what exists");
}

/// A destroy cut short (its timeout) leaves a half; the next destroy finishes it. An Aiven half
/// deleted by hand leaves our UpCloud half, which destroy then deletes.
#[test]
fn a_destroy_cut_short_is_finished_by_the_next_one() {
    // Every transition takes 3 s: the UpCloud half is still disabling when the 2 s run out.
    let emulator = Emulator::start_with(World::demo(), 3000);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair(Kind::AivenUpcloud, "app-db", "  timeouts = { delete = \"2s\" }"));
    ws.apply();
    let cut = ws.terraform(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
    assert_eq!(cut.code, 1, "{cut:?}");
    assert!(cut.flat().contains("Timed out"), "{cut:?}");
    // Terraform names no resource beside a destroy's error: the error names its object.
    let id = format!("aiven/{}/{}:upcloud/{}", demo::AIVEN_PROJECT, demo::AIVEN_VPC_FRA, demo::NETWORK_APP);
    assert!(cut.flat().contains(&format!("peering_connection {id}: Waited 2s for")), "{cut:?}");
    assert_eq!(emulator.peering_states().len(), 1, "the UpCloud half is left: {:?}", emulator.peering_states());
    let finished = ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(finished.stdout.contains("1 destroyed"), "{finished:?}");
    assert!(halves(&emulator, Kind::AivenUpcloud).is_empty(), "{:?}", halves(&emulator, Kind::AivenUpcloud));

    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair(Kind::AivenUpcloud, "app-db", ""));
    ws.apply();
    let aiven = emulator.aiven();
    let vpc: uuid::Uuid = demo::AIVEN_VPC_FRA.parse().unwrap();
    emulator.block_on(aiven.delete_upcloud_peering(demo::AIVEN_PROJECT, vpc, demo::NETWORK_APP)).unwrap();
    let destroyed = ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    assert!(destroyed.stdout.contains("1 destroyed"), "{destroyed:?}");
    assert!(emulator.peering_states().is_empty(), "our UpCloud half is gone too: {:?}", emulator.peering_states());
}

/// A stale Aiven peering between the same networks in INVALID_SPECIFICATION is deleted and
/// made again in the same apply, not adopted.
#[test]
fn a_dead_aiven_half_is_made_again_not_adopted() {
    let mut world = World::demo();
    let stale: uuid::Uuid = "a0000000-0000-4000-8000-00000000dead".parse().unwrap();
    let record = serde_json::json!({
        "peering_connection_id": stale,
        "peer_cloud_account": "upcloud",
        "peer_vpc": demo::NETWORK_APP,
        "state": "INVALID_SPECIFICATION",
        "since_ms": 0,
        "state_info": { "message": "Peer network CIDR overlaps", "type": "invalid-specification" },
        "create_time": "2026-12-01T00:00:00Z",
        "update_time": "2026-12-01T00:00:00Z",
    });
    world
        .aiven
        .vpcs
        .get_mut(&demo::AIVEN_VPC_FRA.parse().unwrap())
        .unwrap()
        .peerings
        .push(serde_json::from_value(record).unwrap());
    let emulator = Emulator::start(world);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &pair(Kind::AivenUpcloud, "app-db", ""));
    let applied = ws.apply();
    assert!(!applied.flat().contains("Adopted"), "{applied:?}");
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    let live = halves(&emulator, Kind::AivenUpcloud);
    assert!(all_active(&live) && live.len() == 2, "{live:?}");
    assert!(!live.iter().any(|h| h.starts_with(&stale.to_string())), "the stale one is gone: {live:?}");
    assert_eq!(ws.plan().code, 0);
}
