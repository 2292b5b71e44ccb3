//! End to end, Scaleway as a Scaleway user writes it: the ids its console and its own Terraform
//! provider use, and credentials in its formats, refused locally when malformed.

mod common;

use common::*;
use peering_clouds::CloudFailure as _;
use peering_emulator::world::{World, demo};

fn example(name: &str) -> String {
    std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples").join(name).join("main.tf"),
    )
    .unwrap()
}

/// Connectors and routes import by `REGION/ID` (the official provider's form) and by a bare
/// UUID (looked for in every region), as well as by the provider's own prefixed ids.
#[test]
fn connectors_and_routes_import_by_region_slash_id_and_by_bare_uuid() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &example("scaleway-peering"));
    ws.apply();

    let connection = "peering_connection.a_b";
    let values = ws.resource_values(connection);
    let (ours, theirs) = (
        values["network_half"]["id"].as_str().unwrap().to_string(),
        values["peer_half"]["id"].as_str().unwrap().to_string(),
    );
    ws.reimport_by_id(connection, &format!("fr-par/{ours}"));
    ws.reimport_by_id(connection, &theirs);

    let route = "peering_custom_route.a_to_b[\"172.16.4.0/22\"]";
    let id = ws.resource_values(route)["id"].as_str().unwrap().to_string();
    let bare = id.strip_prefix("scaleway/fr-par/").unwrap().to_string();
    ws.reimport_by_id(route, &format!("fr-par/{bare}"));
    ws.reimport_by_id(route, &bare);

    // An id that is nowhere says where it looked.
    ws.ok(&["state", "rm", route]);
    let missing = ws.terraform(&["import", "-no-color", route, "11111111-2222-4333-8444-000000000000"]);
    assert_eq!(missing.code, 1, "{missing:?}");
    assert!(missing.flat().contains("fr-par, nl-ams, pl-waw, it-mil"), "{missing:?}");
}

/// A secret key that is not a UUID, or an access key not of the `SCW…` form, is refused before
/// any request, naming where the value came from and never the value.
#[test]
fn malformed_scaleway_credentials_are_refused_locally_naming_their_source() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "a-b"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{b}" }} }}
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            b = demo::SCALEWAY_VPC_B
        ),
    );
    let bad_secret = "not-a-uuid-but-a-secret-0123";
    ws.set_env("SCW_SECRET_KEY", bad_secret);
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Invalid Scaleway provider settings"), "{plan:?}");
    assert!(plan.flat().contains("from the environment variable SCW_SECRET_KEY is not a UUID"), "{plan:?}");
    assert!(!plan.all().contains(bad_secret), "the secret is never repeated: {plan:?}");

    ws.set_env("SCW_SECRET_KEY", SCALEWAY_SECRET);
    ws.set_env("SCW_ACCESS_KEY", "scw-lowercase");
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("access key from the environment variable SCW_ACCESS_KEY"), "{plan:?}");
    assert!(plan.flat().contains("SCWXXXXXXXXXXXXXXXXX"), "{plan:?}");
    assert_eq!(emulator.requests().total_reads + emulator.requests().total_writes, 0, "nothing was sent");

    ws.set_env("SCW_ACCESS_KEY", "SCW0123456789ABCDEFG");
    assert_eq!(ws.plan().code, 2, "well-formed keys plan");
}

/// Changing `peer_side` of a peering whose connectors carry routes is an in-place change: no
/// connector is deleted (Scaleway would refuse while routes use it), the routes stay.
#[test]
fn peer_side_changes_in_place_under_routes() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let managed = example("scaleway-peering");
    ws.write("main.tf", &managed);
    ws.apply();
    let external = managed.replace(
        "  peer_network = { scaleway = { region = \"fr-par\", vpc_id = var.vpc_b } }\n",
        "  peer_network = { scaleway = { region = \"fr-par\", vpc_id = var.vpc_b } }\n  peer_side    = \"external\"\n",
    );
    assert_ne!(external, managed);
    // The emulator's world dump says each connector's status, as the API would.
    let (_, world) = emulator.get("/_emulator/world", &[]);
    let statuses = world["scaleway"]["connector_statuses"].as_object().expect("connector_statuses");
    assert_eq!(statuses.len(), 2, "{world}");
    assert!(statuses.values().all(|s| s == "peered"), "{world}");
    for (config, side) in [(&external, "external"), (&managed, "managed")] {
        ws.write("main.tf", config);
        let plan = ws.plan();
        assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "to {side}: {plan:?}");
        assert!(!plan.stdout.contains("forces replacement"), "to {side}: {plan:?}");
        ws.apply();
        assert_eq!(emulator.scaleway_connectors().len(), 2, "to {side}: both connectors stay");
        assert_eq!(emulator.world().scaleway.routes.len(), 2, "to {side}: the routes stay");
        assert_eq!(ws.plan().code, 0, "to {side}: re-plan");
        let values = ws.resource_values("peering_connection.a_b");
        assert_eq!(values["peer_side"], side);
        assert!(values["status_message"].as_str().unwrap().contains("(Scaleway: peered)"), "{values}");
    }
    ws.ok(&["destroy", "-auto-approve"]);
    assert!(emulator.scaleway_connectors().is_empty());
}

/// Regions are checked where they are written, taken from the connection a route goes through,
/// and a VPC looked for in the wrong region says where it is.
#[test]
fn regions_are_checked_where_written_and_found_where_the_vpc_is() {
    use peering_clouds::scaleway::wire::{CreatePrivateNetwork, CreateVpc};

    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let route = |table: &str, hop: &str| {
        format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ {table} }} }}
  destination = "172.16.100.0/22"
  next_hop    = {{ {hop} }}
}}
"#
        )
    };
    // A mistyped region fails validate, listing the regions.
    ws.write(
        "main.tf",
        &route(
            &format!("region = \"fr-paris\", vpc_id = \"{}\"", demo::SCALEWAY_VPC_A),
            &format!("private_network_id = \"{}\"", demo::SCALEWAY_PN_A),
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(validate.flat().contains("Invalid Scaleway region"), "{validate:?}");
    assert!(validate.flat().contains("fr-par"), "{validate:?}");

    // A literal connection that does not involve the route's VPC, region left out: plan catches it.
    let other = format!("scaleway/fr-par/{}:scaleway/fr-par/{}", demo::SCALEWAY_VPC_B, demo::SCALEWAY_VPC_C);
    ws.write(
        "main.tf",
        &route(&format!("vpc_id = \"{}\"", demo::SCALEWAY_VPC_A), &format!("connection = \"{other}\"")),
    );
    assert_eq!(ws.terraform(&["validate", "-no-color"]).code, 0, "validate cannot know the region yet");
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Connection of another VPC"), "{plan:?}");

    // A VPC in nl-ams, region left out: the error says where it is.
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "c" {{
  name         = "e-a"
  network      = {{ scaleway = {{ vpc_id = "{e}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{a}" }} }}
}}
"#,
            e = demo::SCALEWAY_VPC_E,
            a = demo::SCALEWAY_VPC_A
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains(&format!("VPC {} is in nl-ams, not fr-par", demo::SCALEWAY_VPC_E)), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);

    // A route through an nl-ams connection, its table's region left out, is made in nl-ams.
    let scaleway = emulator.scaleway();
    let f = emulator.block_on(async {
        let vpc = CreateVpc { name: "f".into(), ..Default::default() };
        let vpc = scaleway.create_vpc("nl-ams", &vpc).await.unwrap();
        let pn = CreatePrivateNetwork {
            name: "f".into(),
            subnets: Some(vec!["172.16.100.0/22".parse().unwrap()]),
            vpc_id: vpc.id,
            ..Default::default()
        };
        scaleway.create_private_network("nl-ams", &pn).await.unwrap();
        vpc.id
    });
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "e_f" {{
  name         = "e-f"
  network      = {{ scaleway = {{ region = "nl-ams", vpc_id = "{e}" }} }}
  peer_network = {{ scaleway = {{ region = "nl-ams", vpc_id = "{f}" }} }}
}}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "{e}" }} }}
  destination = "172.16.100.0/22"
  next_hop    = {{ connection = peering_connection.e_f.id }}
}}
"#,
            e = demo::SCALEWAY_VPC_E,
        ),
    );
    ws.apply();
    assert_eq!(ws.resource_values("peering_custom_route.r")["route_table"]["scaleway"]["region"], "nl-ams");
    assert_eq!(ws.plan().code, 0);
}

/// A route through a private NIC, as the official provider writes it: the NIC's
/// `ZONE/SERVER/NIC` id and its Private Network. The NIC alone is warned about at plan and left
/// to Scaleway, which is reported to refuse it since 2026 (terraform-provider-scaleway#4080).
#[test]
fn a_route_through_a_resource_takes_its_private_network() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let (server, nic) = ("3bee96fb-0000-4631-85c0-a34b76d69e8d", "3bee96fb-e7dd-4631-85c0-a34b76d69e8d");
    let route = |hop: &str| {
        format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "fr-par/{a}" }} }}
  destination = "10.99.0.0/24"
  next_hop    = {{ {hop} }}
}}
"#,
            a = demo::SCALEWAY_VPC_A
        )
    };
    ws.write("main.tf", &route(&format!("resource_id = \"fr-par-1/{server}/{nic}\"")));
    let plan = ws.plan();
    assert!(plan.flat().contains("A resource next hop without its Private Network"), "{plan:?}");
    let refused = ws.terraform(&["apply", "-auto-approve", "-no-color"]);
    assert_eq!(refused.code, 1, "{refused:?}");
    assert!(refused.flat().contains("nexthop_private_network_id"), "Scaleway's refusal is said: {refused:?}");
    assert!(emulator.world().scaleway.routes.is_empty());

    let pn = format!("fr-par/{}", demo::SCALEWAY_PN_A);
    ws.write("main.tf", &route(&format!("resource_id = \"fr-par-1/{server}/{nic}\", private_network_id = \"{pn}\"")));
    let applied = ws.apply();
    assert!(!applied.all().contains("without its Private Network"), "{applied:?}");
    let routes: Vec<_> = emulator.world().scaleway.routes.values().cloned().collect();
    assert_eq!(routes.len(), 1, "{routes:?}");
    assert_eq!(routes[0].nexthop_resource_id.map(|id| id.to_string()).as_deref(), Some(nic), "the NIC's own id");
    assert_eq!(routes[0].nexthop_private_network_id.map(|id| id.to_string()).as_deref(), Some(demo::SCALEWAY_PN_A));
    assert_eq!(ws.plan().code, 0);
}

/// Routes that cannot carry traffic are warned about at plan: a destination inside the route's
/// own VPC, and one beyond a middle VPC that does not let traffic through.
#[test]
fn routes_that_cannot_carry_traffic_are_warned_about() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "inside" {{
  route_table = {{ scaleway = {{ vpc_id = "{a}" }} }}
  destination = "172.16.1.0/24"
  next_hop    = {{ private_network_id = "{pn_a}" }}
}}
resource "peering_connection" "d_c" {{
  name         = "d-c"
  network      = {{ scaleway = {{ vpc_id = "{d}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{c}" }} }}
}}
resource "peering_custom_route" "through_c" {{
  route_table = {{ scaleway = {{ vpc_id = "{d}" }} }}
  destination = "172.16.4.0/22"
  next_hop    = {{ connection = peering_connection.d_c.id }}
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            pn_a = demo::SCALEWAY_PN_A,
            c = demo::SCALEWAY_VPC_C,
            d = demo::SCALEWAY_VPC_D,
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("Warning: Destination inside the route's own VPC"), "{plan:?}");
    assert!(text.contains("172.16.1.0/24 overlaps 172.16.0.0/22"), "{plan:?}");
    assert!(text.contains("Warning: The next VPC does not let traffic through"), "{plan:?}");
    assert!(text.contains(&format!("VPC {}", demo::SCALEWAY_VPC_C)), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

/// A conflict that appears after the peering was made (an overlapping Private Network added
/// later) is a plan warning naming the ranges, as at create.
#[test]
fn a_conflict_that_appears_later_is_said_with_its_ranges() {
    use peering_clouds::scaleway::wire::CreatePrivateNetwork;

    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "a_c" {{
  name         = "a-c"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{c}" }} }}
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            c = demo::SCALEWAY_VPC_C
        ),
    );
    ws.apply();
    let scaleway = emulator.scaleway();
    emulator.block_on(async {
        let pn = CreatePrivateNetwork {
            name: "late".into(),
            subnets: Some(vec!["172.16.2.0/24".parse().unwrap()]),
            vpc_id: demo::SCALEWAY_VPC_C.parse().unwrap(),
            ..Default::default()
        };
        scaleway.create_private_network("fr-par", &pn).await.unwrap();
    });
    let plan = ws.terraform(&["plan", "-no-color"]);
    let text = plan.flat();
    assert!(text.contains("Warning: Peering now in conflict"), "{plan:?}");
    assert!(text.contains("172.16.0.0/22 with 172.16.2.0/24"), "{plan:?}");
}

/// A connector toward another organization's VPC, which our credentials cannot read, is allowed
/// (Scaleway's docs: "The target VPC can be in a different Project/Organization"): with
/// `peer_side = "external"` our connector is made and its owner is told what to make.
#[test]
fn an_external_peer_in_another_organization() {
    // Not found, or forbidden: Scaleway answers 403 `permissions_denied` for objects of no rights
    // elsewhere; either is "not visible", not an error.
    for forbidden in [false, true] {
        let theirs: uuid::Uuid = "5c000000-0000-4000-8000-0000000000f9".parse().unwrap();
        let mut world = World::demo();
        world.scaleway.forbids_other_organizations = forbidden;
        world.scaleway.add_vpc(theirs, "fr-par", "theirs", "5ca1e000-0000-4000-8000-000000000999", false, 0);
        world.scaleway.vpcs.get_mut(&theirs).unwrap().organization_id = "0a000000-0000-4000-8000-000000000999".into();
        let emulator = Emulator::start(world);
        // Our credentials cannot read it, as with the real cloud.
        let hidden = emulator.block_on(emulator.scaleway().get_vpc("fr-par", theirs)).unwrap_err();
        assert!(hidden.is_not_visible(), "{hidden:?}");
        assert_eq!(hidden.is_not_found(), !forbidden, "{hidden:?}");
        let ws = Workspace::new(&emulator.url());
        ws.write(
            "main.tf",
            &format!(
                r#"{PROVIDER_HEADER}
resource "peering_connection" "to_partner" {{
  name         = "to-partner"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{theirs}" }} }}
  peer_side    = "external"
}}
"#,
                a = demo::SCALEWAY_VPC_A
            ),
        );
        let applied = ws.apply();
        assert!(applied.flat().contains("Peering waits for the peer VPC's owner"), "{applied:?}");
        let connectors = emulator.scaleway_connectors();
        assert_eq!(connectors, vec![(demo::SCALEWAY_VPC_A.to_string(), theirs.to_string(), "orphan".to_string())]);
        assert_eq!(ws.plan().code, 0);
        ws.ok(&["destroy", "-auto-approve"]);
        assert!(emulator.scaleway_connectors().is_empty());
    }
}

/// `SCW_DEFAULT_PROJECT_ID` limits what is found: a listing of another project finds nothing.
#[test]
fn the_project_limits_listings() {
    use peering_clouds::scaleway::wire::CreateConnector;

    let emulator = Emulator::start(World::demo());
    let scaleway = emulator.scaleway();
    for (from, to) in [(demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B), (demo::SCALEWAY_VPC_B, demo::SCALEWAY_VPC_A)] {
        let request = CreateConnector {
            name: "a-b".into(),
            tags: Vec::new(),
            vpc_id: from.parse().unwrap(),
            target_vpc_id: to.parse().unwrap(),
        };
        emulator.block_on(scaleway.create_connector("fr-par", &request)).unwrap();
    }
    let mut ws = Workspace::new(&emulator.url());
    ws.write("main.tf", PROVIDER_HEADER);
    ws.write("search.tfquery.hcl", "list \"peering_connection\" \"scw\" {\n  provider = peering\n  config {\n    clouds = [\"scaleway\"]\n  }\n}\n");
    let results = |ws: &Workspace| {
        let run = ws.ok(&["query", "-no-color"]);
        run.stdout.lines().filter(|l| l.starts_with("list.peering_connection.scw")).count()
    };
    ws.set_env("SCW_DEFAULT_PROJECT_ID", demo::SCALEWAY_PROJECT);
    assert_eq!(results(&ws), 1, "the demo project holds the peering");
    ws.set_env("SCW_DEFAULT_PROJECT_ID", "5ca1e000-0000-4000-8000-000000000999");
    assert_eq!(results(&ws), 0, "another project holds none");
}

/// Scaleway routes carry tags (`key=value` strings at Scaleway), updated in place and imported.
#[test]
fn route_tags_update_in_place_and_import() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let config = |tags: &str| {
        format!(
            r#"{PROVIDER_HEADER}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "{a}" }} }}
  destination = "10.99.0.0/24"
  next_hop    = {{ private_network_id = "{pn}" }}
  tags        = {tags}
}}
"#,
            a = demo::SCALEWAY_VPC_A,
            pn = demo::SCALEWAY_PN_A
        )
    };
    let stored = |emulator: &Emulator| {
        let mut tags = user_tags(&emulator.world().scaleway.routes.values().next().unwrap().tags);
        tags.sort();
        tags
    };
    ws.write("main.tf", &config(r#"{ env = "prod", critical = "" }"#));
    ws.apply();
    assert_eq!(stored(&emulator), ["critical", "env=prod"]);
    assert_eq!(ws.plan().code, 0);
    ws.write("main.tf", &config(r#"{ env = "staging" }"#));
    let plan = ws.plan();
    assert!(plan.stdout.contains("0 to add, 1 to change, 0 to destroy"), "{plan:?}");
    ws.apply();
    assert_eq!(stored(&emulator), ["env=staging"]);
    let id = ws.resource_values("peering_custom_route.r")["id"].as_str().unwrap().to_string();
    ws.reimport_by_id("peering_custom_route.r", &id);

    // Tags on an UpCloud route are refused at validate.
    ws.write(
        "main.tf",
        &format!(
            "{PROVIDER_HEADER}\nresource \"peering_custom_route\" \"u\" {{\n  route_table = {{ upcloud = {{ router_id = \"{}\" }} }}\n  destination = \"10.99.0.0/24\"\n  next_hop    = {{ ip = \"10.10.0.10\" }}\n  tags        = {{ a = \"b\" }}\n}}\n",
            demo::ROUTER_A
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert!(validate.flat().contains("UpCloud routes have no tags"), "{validate:?}");
}

/// Where a replacement is truly needed (an end changes), the plan says which routes through the
/// old connectors would stop its destroy, before anything is applied.
#[test]
fn a_replacement_under_routes_is_said_at_plan() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let config = |peer: &str| {
        format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "p" {{
  name         = "a-peer"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{peer}" }} }}
}}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "{a}" }} }}
  destination = "10.98.0.0/24"
  next_hop    = {{ connection = peering_connection.p.id }}
}}
"#,
            a = demo::SCALEWAY_VPC_A
        )
    };
    ws.write("main.tf", &config(demo::SCALEWAY_VPC_B));
    ws.apply();
    ws.write("main.tf", &config(demo::SCALEWAY_VPC_C));
    let plan = ws.plan();
    assert_eq!(plan.code, 2, "{plan:?}");
    assert!(plan.stdout.contains("must be replaced"), "{plan:?}");
    assert!(plan.flat().contains("Replacing this peering meets routes through its connectors"), "{plan:?}");
    assert!(plan.flat().contains("10.98.0.0/24"), "{plan:?}");
    assert!(plan.flat().contains("Remove these routes"), "says what to do: {plan:?}");
    assert!(plan.flat().contains("create_before_destroy cannot help"), "{plan:?}");
}

/// A peering removed while a route made outside this configuration still uses its connector:
/// the plan names the route and the fix; a route this configuration manages goes first (no
/// warning), and the apply then says the connector and the route.
#[test]
fn a_removal_under_routes_made_elsewhere_is_said_at_plan() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let peering = format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "p" {{
  name         = "a-peer"
  network      = {{ scaleway = {{ vpc_id = "{a}" }} }}
  peer_network = {{ scaleway = {{ vpc_id = "{b}" }} }}
}}
"#,
        a = demo::SCALEWAY_VPC_A,
        b = demo::SCALEWAY_VPC_B
    );
    let managed_route = "resource \"peering_custom_route\" \"r\" {\n  route_table = { scaleway = { vpc_id = \"VPC\" } }\n  destination = \"10.97.0.0/24\"\n  next_hop    = { connection = peering_connection.p.id }\n}\n"
        .replace("VPC", demo::SCALEWAY_VPC_A);
    ws.write("main.tf", &format!("{peering}{managed_route}"));
    ws.apply();
    // Both removed: Terraform deletes the route first, nothing to say.
    ws.write("main.tf", PROVIDER_HEADER);
    let plan = ws.plan();
    assert!(!plan.flat().contains("meets routes"), "{plan:?}");

    // A route made by hand through the connector.
    ws.write("main.tf", &peering);
    ws.apply();
    let connector: uuid::Uuid =
        ws.resource_values("peering_connection.p")["network_half"]["id"].as_str().unwrap().parse().unwrap();
    let by_hand = peering_clouds::scaleway::wire::RouteFields {
        vpc_id: Some(demo::SCALEWAY_VPC_A.parse().unwrap()),
        destination: Some("10.96.0.0/24".parse().unwrap()),
        nexthop_vpc_connector_id: Some(connector),
        ..Default::default()
    };
    emulator.block_on(emulator.scaleway().create_route("fr-par", &by_hand)).unwrap();
    ws.write("main.tf", PROVIDER_HEADER);
    let plan = ws.plan();
    assert!(plan.flat().contains("Deleting this peering meets routes through its connectors"), "{plan:?}");
    assert!(plan.flat().contains("10.96.0.0/24") && plan.flat().contains("Remove these routes"), "{plan:?}");
    let destroy = ws.terraform(&["destroy", "-auto-approve", "-no-color"]);
    assert!(
        destroy.flat().contains("Deleting this peering meets routes"),
        "terraform destroy says it too: {destroy:?}"
    );
}
