//! Crash consistency: the provider is killed (`kill -9`) at several points of each pair type's
//! create and of a 20-route apply, right after a write took effect and before its answer
//! arrived. The first re-apply must converge: no duplicate, nothing deleted, re-plan empty, and
//! destroy leaves nothing behind.

mod common;

use std::time::Duration;

use common::*;
use peering_emulator::world::{World, demo};

#[test]
fn upcloud_pair_survives_a_crash_after_each_write() {
    // 1 and 2 make the halves, 3 marks the first one finished (the fourth write, the second
    // mark, leaves both finished and nothing says they are unsaved: docs, "Whose half it is").
    for write in [1, 2, 3] {
        let emulator = Emulator::start(World::demo());
        let mut ws = Workspace::new(&emulator.url());
        ws.write("main.tf", &connection_config("crash", demo::NETWORK_APP, demo::NETWORK_DB, ""));
        let mut seen = Vec::new();
        let resumed = crash_then_reapply(&emulator, &mut ws, write, |emulator| seen = emulator.peering_states());
        assert_eq!(seen.len(), 2, "one half per direction after write {write}: {seen:?}");
        assert!(seen.iter().all(|(_, _, s)| s == "active"), "{seen:?}");
        assert!(resumed.flat().contains("Adopted an existing UpCloud network peering"), "{resumed:?}");
        assert!(emulator.world().upcloud.peerings.is_empty(), "destroy leaves nothing");
    }
}

/// Applies the workspace's configuration and kills the provider once the `write`-th write has
/// taken effect; then applies again with a fresh provider, lets `look` see the world, checks
/// the re-plan is empty and destroys. Returns the re-apply's run.
fn crash_then_reapply(emulator: &Emulator, ws: &mut Workspace, write: u64, mut look: impl FnMut(&Emulator)) -> Run {
    let mut provider = DebugProvider::start(&emulator.url(), &[]);
    ws.attach(&provider);
    emulator.hold_after_writes(write);
    let apply = ws.spawn(&["apply", "-auto-approve", "-no-color"]);
    assert!(emulator.wait_held(Duration::from_secs(60)), "write {write} never came: {:?}", emulator.requests());
    provider.crash();
    emulator.release();
    let crashed = finish(apply);
    assert_ne!(crashed.code, 0, "the crashed apply fails: {crashed:?}");

    let provider = DebugProvider::start(&emulator.url(), &[]);
    ws.attach(&provider);
    let resumed = ws.apply();
    assert_eq!(emulator.deletes(), 0, "resumed, nothing deleted: {:?}", emulator.requests());
    look(emulator);
    assert_eq!(ws.plan().code, 0, "re-plan after the crash at write {write} is empty");
    ws.ok(&["destroy", "-auto-approve", "-no-color"]);
    resumed
}

#[test]
fn aiven_pair_survives_a_crash_after_each_write() {
    for write in [1, 2] {
        let emulator = Emulator::start(World::demo());
        let mut ws = Workspace::new(&emulator.url());
        ws.write(
            "main.tf",
            &format!(
                r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "crash"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{network}" }} }}
}}
"#,
                project = demo::AIVEN_PROJECT,
                vpc = demo::AIVEN_VPC_FRA,
                network = demo::NETWORK_APP
            ),
        );
        let mut aiven = Vec::new();
        let mut upcloud = Vec::new();
        crash_then_reapply(&emulator, &mut ws, write, |emulator| {
            aiven = emulator.aiven_peerings();
            upcloud = emulator.peering_states();
        });
        assert_eq!(aiven, vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())], "after write {write}");
        assert_eq!(upcloud.len(), 1, "one UpCloud half after write {write}: {upcloud:?}");
        let live: Vec<_> = emulator.aiven_peerings().into_iter().filter(|(_, s)| s != "DELETED").collect();
        assert!(live.is_empty() && emulator.peering_states().is_empty(), "destroy leaves nothing");
    }
}

#[test]
fn scaleway_pair_survives_a_crash_after_each_write() {
    for write in [1, 2, 3] {
        let emulator = Emulator::start(World::demo());
        let mut ws = Workspace::new(&emulator.url());
        ws.write(
            "main.tf",
            &format!(
                r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "crash"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{b}" }} }}
}}
"#,
                a = demo::SCALEWAY_VPC_A,
                b = demo::SCALEWAY_VPC_B
            ),
        );
        let mut connectors = Vec::new();
        crash_then_reapply(&emulator, &mut ws, write, |emulator| connectors = emulator.scaleway_connectors());
        assert_eq!(connectors.len(), 2, "after write {write}: {connectors:?}");
        assert!(connectors.iter().all(|(_, _, s)| s == "peered"), "{connectors:?}");
        assert!(emulator.scaleway_connectors().is_empty(), "destroy leaves nothing");
    }
}

/// 20 routes on one router go out in a few writes of its route list (the changes waiting on
/// the router leave together): a crash after the first and after the second.
#[test]
fn twenty_routes_survive_a_crash_at_several_points() {
    let routes: String = (0..20)
        .map(|i| {
            format!(
                r#"
resource "peering_custom_route" "r{i}" {{
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.200.{i}.0/24"
  next_hop    = {{ ip = "10.10.0.{hop}" }}
}}
"#,
                router = demo::ROUTER_A,
                hop = 10 + i
            )
        })
        .collect();
    for write in [1, 2] {
        let emulator = Emulator::start(World::demo());
        let mut ws = Workspace::new(&emulator.url());
        ws.write("main.tf", &format!("{PROVIDER_HEADER}{routes}"));
        let mut user_routes = Vec::new();
        let mut service_routes = 0;
        crash_then_reapply(&emulator, &mut ws, write, |emulator| {
            let router = emulator.world().upcloud.routers[&demo::ROUTER_A.parse().unwrap()].clone();
            user_routes =
                router.static_routes.iter().filter(|r| r.kind.as_deref() != Some("service")).cloned().collect();
            service_routes = router.static_routes.len() - user_routes.len();
        });
        let mut destinations: Vec<String> = user_routes.iter().map(|r| r.route.to_string()).collect();
        destinations.sort();
        destinations.dedup();
        assert_eq!(destinations.len(), 20, "every route once after a crash at write {write}: {user_routes:?}");
        assert_eq!(user_routes.len(), 20);
        assert_eq!(service_routes, 1, "the NAT service route is untouched");
        let left = emulator.world().upcloud.routers[&demo::ROUTER_A.parse().unwrap()].static_routes.len();
        assert_eq!(left, 1, "destroy leaves only the service route");
    }
}
