//! Faults at 30 % (by default) of all cloud requests (429 with and without `Retry-After`, 5xx, dropped
//! connections, answers lost after the write took effect), over several seeds: every pair type
//! and 20 routes apply and destroy with no failure and no duplicate; three runs at once keep all
//! their routes on one router.

mod common;

use common::runs::*;
use common::*;
use peering_emulator::world::{World, demo};

/// `make test` runs three seeds at 30 %; `make soak` more (`PEERING_SOAK_SEEDS`, `PEERING_SOAK_RATE`).
fn settings() -> (f64, Vec<u64>) {
    let rate = std::env::var("PEERING_SOAK_RATE").ok().and_then(|r| r.parse().ok()).unwrap_or(0.3);
    let seeds = std::env::var("PEERING_SOAK_SEEDS").ok().and_then(|n| n.parse().ok()).unwrap_or(3u64);
    (rate, (1..=seeds).map(|i| i * 101).collect())
}

fn config() -> String {
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
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "upcloud" {{
  name         = "soak-upcloud"
  network      = {{ upcloud = {{ network_id = "{app}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{db}" }} }}
}}
resource "peering_connection" "aiven" {{
  name         = "soak-aiven"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{app}" }} }}
}}
resource "peering_connection" "scaleway" {{
  name         = "soak-scaleway"
  network      = {{ scaleway = {{ vpc_id = "{scw_a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{scw_b}" }} }}
}}
{routes}"#,
        app = demo::NETWORK_APP,
        db = demo::NETWORK_DB,
        project = demo::AIVEN_PROJECT,
        vpc = demo::AIVEN_VPC_FRA,
        scw_a = demo::SCALEWAY_VPC_A,
        scw_b = demo::SCALEWAY_VPC_B,
    )
}

#[test]
fn every_pair_and_twenty_routes_hold_under_faults() {
    let (rate, seeds) = settings();
    for seed in seeds {
        let emulator = Emulator::start(World::demo());
        emulator.set_fault_rate(rate, seed);
        let ws = Workspace::new(&emulator.url());
        ws.write("main.tf", &config());
        let applied = ws.terraform(&["apply", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(applied.code, 0, "seed {seed}: {applied:?}");

        let mut upcloud = emulator.peering_states();
        upcloud.sort();
        assert_eq!(upcloud.len(), 3, "seed {seed}: two halves app ↔ db, one app → Aiven: {upcloud:?}");
        assert!(upcloud.iter().all(|(_, _, s)| s == "active"), "seed {seed}: {upcloud:?}");
        let aiven: Vec<_> = emulator.aiven_peerings().into_iter().filter(|(_, s)| s != "DELETED").collect();
        assert_eq!(aiven, vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())], "seed {seed}");
        let connectors = emulator.scaleway_connectors();
        assert_eq!(connectors.len(), 2, "seed {seed}: {connectors:?}");
        let router = emulator.world().upcloud.routers[&demo::ROUTER_A.parse().unwrap()].clone();
        let mut destinations: Vec<String> = router.static_routes.iter().map(|r| r.route.to_string()).collect();
        destinations.sort();
        destinations.dedup();
        assert_eq!(router.static_routes.len(), 21, "seed {seed}: 20 routes and the service route");
        assert_eq!(destinations.len(), 21, "seed {seed}: no duplicate route");

        let destroyed = ws.terraform(&["destroy", "-auto-approve", "-no-color", "-input=false"]);
        assert_eq!(destroyed.code, 0, "seed {seed}: {destroyed:?}");
        assert!(emulator.peering_states().is_empty(), "seed {seed}");
        assert!(emulator.aiven_peerings().iter().all(|(_, s)| s == "DELETED"), "seed {seed}");
        assert!(emulator.scaleway_connectors().is_empty(), "seed {seed}");
        let left = emulator.world().upcloud.routers[&demo::ROUTER_A.parse().unwrap()].static_routes.len();
        assert_eq!(left, 1, "seed {seed}: only the service route is left");
        let requests = emulator.requests();
        println!(
            "seed {seed}: {} requests, {} faults injected",
            requests.total_reads + requests.total_writes,
            requests.faults_injected
        );
        assert!(requests.faults_injected > 20, "seed {seed}: the run met faults: {requests:?}");
    }
}

/// Three runs at once in separate working directories (no shared lock), 15 routes each on one
/// router, at 30 ms per answer and 10 % faults: every route is there and every re-plan is empty;
/// then one run removes its routes while the others change theirs: none comes back, all hold.
#[test]
fn three_runs_at_once_keep_their_routes_under_faults() {
    let (_, seeds) = settings();
    for seed in seeds {
        let emulator = Emulator::start(World::demo());
        emulator.set_latency(30);
        emulator.set_faults_keeping_latency(0.1, seed);
        let workspaces: Vec<Workspace> = (0..3).map(|_| separate_workspace(&emulator)).collect();
        for (i, ws) in workspaces.iter().enumerate() {
            ws.write("main.tf", &routes(201 + i as u8, 15, &format!("run{i}")));
        }
        for run in apply_at_once(&workspaces.iter().collect::<Vec<_>>()) {
            assert_eq!(run.code, 0, "seed {seed}: {run:?}");
        }
        let mut expected: Vec<_> = (0..3).flat_map(|i| wanted(201 + i as u8, 15, &format!("run{i}"))).collect();
        expected.sort();
        assert_eq!(user_routes(&emulator), expected, "seed {seed}: all 45 routes");
        for ws in &workspaces {
            let plan = ws.plan();
            assert_eq!(plan.code, 0, "seed {seed}: re-plan empty: {plan:?}");
        }
        // The first run removes its routes while the others change theirs, all at once.
        workspaces[0].write("main.tf", &routes(201, 0, "run0"));
        workspaces[1].write("main.tf", &routes(202, 15, "changed1"));
        workspaces[2].write("main.tf", &routes(203, 15, "changed2"));
        for run in apply_at_once(&workspaces.iter().collect::<Vec<_>>()) {
            assert_eq!(run.code, 0, "seed {seed}: {run:?}");
        }
        let mut expected = wanted(202, 15, "changed1");
        expected.extend(wanted(203, 15, "changed2"));
        expected.sort();
        assert_eq!(user_routes(&emulator), expected, "seed {seed}: none back, every change held");
        for ws in &workspaces {
            let plan = ws.plan();
            assert_eq!(plan.code, 0, "seed {seed}: re-plan empty: {plan:?}");
        }
        let requests = emulator.requests();
        println!("seed {seed}: {} faults injected", requests.faults_injected);
        assert!(requests.faults_injected > 0, "seed {seed}: the runs met faults: {requests:?}");
    }
}
