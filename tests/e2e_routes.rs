//! End to end, `peering_custom_route` on UpCloud routers: many routes on one router in one
//! parallel apply, service routes untouched, updates in place, imports, plan-time checks.

mod common;

use common::*;
use peering_emulator::world::{World, demo};

fn routes_config(count: usize, next_hop: &str, description: Option<&str>) -> String {
    let description = description.map(|d| format!("  description = \"{d}-${{count.index}}\"\n")).unwrap_or_default();
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_custom_route" "many" {{
  count       = {count}
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.200.${{count.index}}.0/24"
  next_hop    = {{ ip = "{next_hop}" }}
{description}}}
"#,
        router = demo::ROUTER_A
    )
}

fn router_routes(emulator: &Emulator) -> Vec<peering_emulator::upcloud::wire::StaticRoute> {
    let router: peering_net::UpcloudRouterId = demo::ROUTER_A.parse().unwrap();
    emulator.world().upcloud.routers[&router].static_routes.clone()
}

fn user_routes(emulator: &Emulator) -> Vec<peering_emulator::upcloud::wire::StaticRoute> {
    router_routes(emulator).into_iter().filter(|r| r.kind.as_deref() != Some("service")).collect()
}

fn assert_service_route_untouched(emulator: &Emulator) {
    let service: Vec<_> =
        router_routes(emulator).into_iter().filter(|r| r.kind.as_deref() == Some("service")).collect();
    assert_eq!(service.len(), 1);
    assert_eq!(service[0].name.as_deref(), Some("ngw-demo-default"));
    assert_eq!(service[0].route.to_string(), "0.0.0.0/0");
    assert_eq!(service[0].nexthop, "169.254.16.2");
}

#[test]
fn twenty_routes_on_one_router_in_one_parallel_apply() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &routes_config(20, "10.10.0.10", None));
    let applied = ws.apply();
    assert!(applied.stdout.contains("20 added"), "{applied:?}");
    let routes = user_routes(&emulator);
    assert_eq!(routes.len(), 20, "every route survives the parallel read-modify-writes: {routes:?}");
    assert!(routes.iter().all(|r| r.nexthop == "10.10.0.10"));
    let mut names: Vec<_> = routes.iter().map(|r| r.name.clone().unwrap()).collect();
    names.sort();
    names.dedup();
    assert_eq!(names.len(), 20, "UpCloud's default names, all distinct");
    assert!(names.iter().all(|n| n.starts_with("static-route-")));
    assert_service_route_untouched(&emulator);
    assert_eq!(ws.plan().code, 0, "re-plan shows no changes");

    // Next hop and description change in place.
    ws.write("main.tf", &routes_config(20, "10.10.0.11", Some("app")));
    let plan = ws.plan();
    assert!(plan.stdout.contains("0 to add, 20 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    let routes = user_routes(&emulator);
    assert_eq!(routes.len(), 20);
    assert!(routes.iter().all(|r| r.nexthop == "10.10.0.11" && r.name.as_deref().unwrap().starts_with("app-")));
    assert_service_route_untouched(&emulator);
    assert_eq!(ws.plan().code, 0);

    // Import by id and by identity.
    let router = demo::ROUTER_A;
    ws.reimport_by_id("peering_custom_route.many[3]", &format!("upcloud/{router}/10.200.3.0/24"));
    let identity = [("route_table", format!("upcloud/{router}")), ("destination", "10.200.4.0/24".to_string())];
    ws.reimport_by_identity("peering_custom_route.many[4]", &identity);

    ws.ok(&["destroy", "-auto-approve"]);
    assert!(user_routes(&emulator).is_empty());
    assert_service_route_untouched(&emulator);
}

#[test]
fn route_mistakes_fail_before_anything_is_written() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    // UpCloud accepts a next hop outside the router's networks (recorded), so the plan warns
    // and goes on; nothing is written by a plan.
    ws.write("main.tf", &routes_config(1, "10.99.0.1", None));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.flat().contains("Warning: Next hop outside the router's networks"), "{plan:?}");
    assert!(plan.flat().contains("10.10.0.0/24"), "names the attached networks: {plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);

    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "bad" {{
  route_table = {{ upcloud = {{ router_id = "{}" }} }}
  destination = "10.200.0.1/24"
  next_hop    = {{ ip = "fd00::1" }}
}}
"#,
            demo::ROUTER_A
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1);
    assert!(validate.flat().contains("has host bits set; write 10.200.0.0/24"), "{validate:?}");
    assert!(validate.flat().contains("Next hop of the wrong family"), "{validate:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

#[test]
fn the_static_routes_example_applies() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let example = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/upcloud-static-routes/main.tf");
    ws.write("main.tf", &std::fs::read_to_string(example).unwrap());
    ws.apply();
    let mut names: Vec<_> = user_routes(&emulator).into_iter().map(|r| r.name.unwrap()).collect();
    names.sort();
    assert_eq!(names, ["to-db-a", "to-db-b", "to-db-c"]);
    assert_eq!(ws.plan().code, 0);
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(user_routes(&emulator).is_empty());
    assert_service_route_untouched(&emulator);
}
