//! Trust under time, crashes and bad input, with the real Terraform: timeouts bound a whole
//! create and a timed-out create is resumed, not replaced; panics become diagnostics; nothing
//! outlives Terraform; no secret is echoed; one cloud object has one resource.

mod common;

use std::time::{Duration, Instant};

use common::*;
use peering_emulator::world::{World, demo};

const ADDR: &str = "peering_connection.this";

fn aiven_pair(name: &str, vpc: &str, network: &str, extra: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "{name}"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{network}" }} }}
{extra}
}}
"#,
        project = demo::AIVEN_PROJECT
    )
}

/// (1) + (2): a 3 s create timeout bounds the whole create against 2.5 s cloud transitions; the
/// halves it leaves are named, nothing is tainted, and the next apply adopts and finishes them.
#[test]
fn a_create_timeout_bounds_the_whole_create_and_the_next_apply_resumes() {
    let emulator = Emulator::start_with(World::demo(), 2500);
    // The VPC stays APPROVED until the create has looked at it a dozen times, 100 ms or more
    // apart: the create has then spent over a second of its 3 s. The Aiven peering it makes next
    // needs 2.5 s to reach PENDING_PEER, so with one deadline for the whole create no UpCloud half
    // is ever started; with 3 s per phase, one would be.
    emulator.hold_transitions(true);
    let vpc = emulator.create_aiven_vpc("upcloud-de-fra", "10.70.0.0/24");
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair("slow", &vpc.to_string(), demo::NETWORK_DB, "  timeouts = { create = \"3s\" }"));
    let route = "GET /v1/project/{project}/vpcs/{vpc}".to_string();
    let vpc_reads = || emulator.requests().reads.get(&route).copied().unwrap_or(0);
    let mut apply = ws.spawn(&["apply", "-auto-approve", "-no-color"]);
    while vpc_reads() < 14 && apply.try_wait().unwrap().is_none() {
        std::thread::sleep(Duration::from_millis(10));
    }
    emulator.hold_transitions(false);
    let run = finish(apply);
    assert_eq!(run.code, 1, "{run:?}");
    let text = run.flat();
    assert!(text.contains("Timed out") && text.contains("Waited 3s"), "{run:?}");
    assert!(text.contains("not recorded in state") && text.contains("Aiven peering connection"), "{run:?}");
    assert!(ws.resource_values(ADDR).is_null(), "nothing tainted in state");
    let made = emulator.aiven_peerings();
    assert_eq!(made.len(), 1, "{made:?}");
    assert!(emulator.peering_states().is_empty(), "one deadline for the whole create: no UpCloud half");

    ws.write("main.tf", &aiven_pair("slow", &vpc.to_string(), demo::NETWORK_DB, ""));
    let resumed = ws.apply();
    assert!(resumed.flat().contains("Adopted an existing Aiven peering connection"), "{resumed:?}");
    assert_eq!(emulator.deletes(), 0, "resumed, not destroyed: {:?}", emulator.requests());
    assert_eq!(ws.resource_values(ADDR)["status"], "active");
    assert_eq!(emulator.aiven_peerings(), vec![(demo::NETWORK_DB.to_string(), "ACTIVE".to_string())]);
    assert_eq!(emulator.peering_states().len(), 1, "one UpCloud half");
    assert_eq!(ws.plan().code, 0, "re-plan is empty");
}

/// (3): the provider dies right after making the UpCloud half of an Aiven pair; once Aiven
/// reports ACTIVE (and no longer names the Aiven network ID) the first re-apply converges.
#[test]
fn a_crash_after_the_upcloud_half_of_an_aiven_pair_converges_on_the_next_apply() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair("crashy", demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));
    let mut provider = DebugProvider::start(&emulator.url(), &[]);
    ws.attach(&provider);
    // Writes: 1 the Aiven half, 2 the UpCloud half.
    emulator.hold_after_writes(2);
    let apply = ws.spawn(&["apply", "-auto-approve", "-no-color"]);
    assert!(emulator.wait_held(Duration::from_secs(30)), "{:?}", emulator.requests());
    provider.crash();
    emulator.release();
    let crashed = finish(apply);
    assert_ne!(crashed.code, 0, "{crashed:?}");
    // Aiven goes on without us: its half becomes ACTIVE once its time has passed.
    emulator.advance_past_a_transition();
    assert_eq!(emulator.aiven_peerings(), vec![(demo::NETWORK_APP.to_string(), "ACTIVE".to_string())]);

    let provider = DebugProvider::start(&emulator.url(), &[]);
    ws.attach(&provider);
    let resumed = ws.apply();
    assert!(resumed.stdout.contains("1 added"), "{resumed:?}");
    assert_eq!(emulator.deletes(), 0, "{:?}", emulator.requests());
    let values = ws.resource_values(ADDR);
    assert_eq!(values["status"], "active");
    assert_eq!(values["aiven_network_id"], demo::AIVEN_NETWORK_FRA, "found by the VPC's range");
    assert_eq!(emulator.peering_states().len(), 1, "no second UpCloud half");
    assert_eq!(ws.plan().code, 0);
}

fn process_state(pid: u32) -> Option<char> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    stat.rsplit(')').next()?.trim().chars().next()
}

fn children_named(parent: u32, prefix: &str) -> Vec<u32> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(pid) = entry.file_name().to_string_lossy().parse::<u32>() else { continue };
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else { continue };
        let (Some(open), Some(close)) = (stat.find('('), stat.rfind(')')) else { continue };
        let name = &stat[open + 1..close];
        let ppid = stat[close + 1..].split_whitespace().nth(1).and_then(|p| p.parse::<u32>().ok());
        if ppid == Some(parent) && name.starts_with(prefix) {
            found.push(pid);
        }
    }
    found
}

/// (4): Terraform killed with `kill -9` while the provider waits on a cloud: the provider
/// notices it has lost its parent and exits within 2 s, writing nothing more.
#[test]
fn the_provider_does_not_outlive_terraform() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("orphaned", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    emulator.hold_after_writes(1);
    let mut terraform = ws.spawn(&["apply", "-auto-approve", "-no-color"]);
    assert!(emulator.wait_held(Duration::from_secs(30)), "{:?}", emulator.requests());
    // comm is cut to 15 characters.
    let providers = children_named(terraform.id(), "terraform-provi");
    assert_eq!(providers.len(), 1, "the apply's provider process: {providers:?}");
    terraform.kill().unwrap();
    terraform.wait().unwrap();
    // The provider's write is still held, so it can only end by seeing Terraform gone: it must
    // exit while the emulator holds the answer. (The minute is a guard against a hang.)
    let pid = providers[0];
    let guard = Instant::now() + Duration::from_secs(60);
    while process_state(pid).is_some_and(|s| s != 'Z') {
        assert!(Instant::now() < guard, "provider {pid} outlived Terraform");
        std::thread::sleep(Duration::from_millis(50));
    }
    emulator.release();
    let writes = emulator.requests().total_writes;
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(emulator.requests().total_writes, writes, "no writes after the provider's exit");
}

/// (5): an absurd duration is an error at validate, and a panic inside an RPC is a diagnostic;
/// the same provider process serves the next command.
#[test]
fn a_panic_or_a_huge_duration_is_a_diagnostic_and_the_provider_lives_on() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &connection_config(
            "huge",
            demo::NETWORK_APP,
            demo::NETWORK_DB,
            "  timeouts = { create = \"99999999999999999999999h\" }",
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(
        validate.flat().contains("Invalid timeout") && validate.flat().contains("longer than a year"),
        "{validate:?}"
    );

    let mut provider = DebugProvider::start(&emulator.url(), &[("PEERING_TEST_PANIC_IN", "PlanResourceChange")]);
    ws.attach(&provider);
    ws.write("main.tf", &connection_config("panicky", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Internal error in the provider"), "{plan:?}");
    assert!(
        plan.flat().contains("forced panic in PlanResourceChange") && plan.flat().contains("please report"),
        "{plan:?}"
    );
    assert!(provider.alive(), "the panic did not kill the provider");
    assert_eq!(ws.plan().code, 2, "the same process plans the next run");
    assert_eq!(emulator.requests().total_writes, 0);
}

/// (6): a password written into an API URL is refused, and never repeated.
#[test]
fn a_password_in_an_api_url_is_refused_without_repeating_it() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    let port = emulator.url().rsplit(':').next().unwrap().to_string();
    ws.write(
        "main.tf",
        &format!(
            r#"
terraform {{
  required_providers {{
    peering = {{ source = "peering-dev/peering" }}
  }}
}}
provider "peering" {{
  upcloud {{
    api_url = "http://demo:hunter2secret@127.0.0.1:{port}"
  }}
}}
resource "peering_connection" "this" {{
  name         = "x"
  network      = {{ upcloud = {{ network_id = "{a}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{b}" }} }}
}}
"#,
            a = demo::NETWORK_APP,
            b = demo::NETWORK_DB
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(validate.flat().contains("user name or password"), "{validate:?}");
    assert!(!validate.all().contains("hunter2secret"), "{validate:?}");

    ws.write("main.tf", &connection_config("x", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.set_env("UPCLOUD_API_URL", &format!("http://demo:hunter2secret@127.0.0.1:{port}"));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("user name or password"), "{plan:?}");
    assert!(!plan.all().contains("hunter2secret"), "{plan:?}");
    assert_eq!(emulator.requests().total_reads + emulator.requests().total_writes, 0, "the URL is never used");
}

/// (7): one peering declared twice (A ↔ B and B ↔ A), and one route declared twice, fail at
/// plan before anything is written.
#[test]
fn the_same_object_declared_twice_fails_at_plan() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "ab" {{
  name         = "a-b"
  network      = {{ upcloud = {{ network_id = "{a}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{b}" }} }}
}}
resource "peering_connection" "ba" {{
  name         = "b-a"
  network      = {{ upcloud = {{ network_id = "{b}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{a}" }} }}
}}
"#,
            a = demo::NETWORK_APP,
            b = demo::NETWORK_DB
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("Declared twice"), "{plan:?}");
    assert_eq!(text.matches("Error: Declared twice").count(), 1, "one mistake, one error naming both halves: {plan:?}");
    assert!(text.contains(" are also managed by "), "both halves in one sentence: {plan:?}");
    assert!(text.contains("peering_connection \"a-b\"") || text.contains("peering_connection \"b-a\""), "{plan:?}");

    let route = |name: &str, hop: &str| {
        format!(
            r#"
resource "peering_custom_route" "{name}" {{
  route_table = {{ upcloud = {{ router_id = "{router}" }} }}
  destination = "10.99.0.0/24"
  next_hop    = {{ ip = "{hop}" }}
}}
"#,
            router = demo::ROUTER_A
        )
    };
    ws.write("main.tf", &format!("{PROVIDER_HEADER}{}{}", route("one", "10.10.0.5"), route("two", "10.10.0.6")));
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Declared twice") && plan.flat().contains("10.99.0.0/24"), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);

    // The emulator refuses a duplicate destination as UpCloud does.
    let client = emulator.upcloud();
    let route = |hop: &str| peering_clouds::upcloud::StaticRoute {
        name: None,
        route: "10.99.0.0/24".parse().unwrap(),
        nexthop: hop.into(),
        kind: None,
    };
    let fields = peering_clouds::upcloud::RouterFields {
        static_routes: Some(vec![route("10.10.0.5"), route("10.10.0.6")]),
        ..Default::default()
    };
    let refused = emulator.block_on(client.modify_router(demo::ROUTER_A.parse().unwrap(), &fields)).unwrap_err();
    assert_eq!(refused.code(), Some("DUPLICATE_ROUTE"), "{refused}");
}

/// (8): import by the native id of the UpCloud half of an Aiven pair finds the Aiven VPC.
#[test]
fn import_by_the_upcloud_half_of_an_aiven_pair_finds_the_vpc() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    let config = format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "app-to-db"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{network}" }} }}
}}
"#,
        network = demo::NETWORK_APP,
        project = demo::AIVEN_PROJECT,
        vpc = demo::AIVEN_VPC_FRA
    );
    ws.write("main.tf", &config);
    ws.apply();
    // An import by a half's own id writes the Aiven VPC first (the canonical order).
    let half = ws.resource_values(ADDR)["peer_half"]["id"].as_str().unwrap().to_string();
    ws.reimport_by_id(ADDR, &format!("upcloud-peering/{half}"));
    let values = ws.resource_values(ADDR);
    assert_eq!(values["network"]["aiven"]["vpc_id"], demo::AIVEN_VPC_FRA, "{values}");
    assert_eq!(values["peer_side"], "managed");
    assert_eq!(values["aiven_network_id"], demo::AIVEN_NETWORK_FRA);
}

/// (9): our UpCloud half toward an external Aiven VPC whose owner has not made their half yet:
/// the plan says what the owner must do, and nothing is written.
#[test]
fn an_external_aiven_side_not_made_yet_fails_at_plan_saying_what_to_do() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write(
        "main.tf",
        &format!(
            r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "waiting"
  network      = {{ upcloud = {{ network_id = "{network}" }} }}
  peer_network = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_side    = "external"
}}
"#,
            network = demo::NETWORK_APP,
            project = demo::AIVEN_PROJECT,
            vpc = demo::AIVEN_VPC_FRA
        ),
    );
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    let text = plan.flat();
    assert!(text.contains("The Aiven half does not exist yet"), "{plan:?}");
    assert!(text.contains("peering-connections") && text.contains("peer_side = \"external\""), "{plan:?}");
    assert_eq!(emulator.requests().total_writes, 0);
}

/// (10): the DHCP warning comes with new routes (create, repair), not with a rename.
#[test]
fn the_dhcp_warning_comes_only_with_new_routes() {
    let emulator = Emulator::start(World::demo());
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("dhcp", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    assert!(ws.apply().flat().contains("Renew DHCP leases"));
    ws.write("main.tf", &connection_config("dhcp-renamed", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let renamed = ws.apply();
    assert!(renamed.stdout.contains("1 changed"), "{renamed:?}");
    assert!(!renamed.flat().contains("Renew DHCP leases"), "{renamed:?}");
}

/// (11) + (12): titles say what happened, and malformed text is refused at validate.
#[test]
fn titles_say_what_happened_and_bad_text_is_refused() {
    let emulator = Emulator::start(World::demo());
    let mut ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &aiven_pair("x", demo::AIVEN_VPC_FRA, demo::NETWORK_APP, ""));
    ws.set_env("AIVEN_TOKEN", "not-the-token");
    let plan = ws.plan();
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("Aiven rejected the token"), "{plan:?}");
    assert!(!plan.flat().contains("project VPC not found"), "{plan:?}");
    ws.set_env("AIVEN_TOKEN", AIVEN_TOKEN);

    let bad = format!(
        r#"{PROVIDER_HEADER}
resource "peering_custom_route" "r" {{
  route_table = {{ scaleway = {{ vpc_id = "{vpc}" }} }}
  destination = "10.1.0.0/24"
  next_hop    = {{ connection = "banana" }}
}}
resource "peering_connection" "c" {{
  name         = "a\u0000b"
  network      = {{ upcloud = {{ network_id = "{a}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{b}" }} }}
  tags         = {{ "" = "x" }}
}}
"#,
        vpc = demo::SCALEWAY_VPC_A,
        a = demo::NETWORK_APP,
        b = demo::NETWORK_DB
    );
    ws.write("main.tf", &bad);
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    let text = validate.flat();
    assert!(text.contains("Invalid next_hop.connection"), "{validate:?}");
    assert!(!text.contains("Connection of another VPC"), "{validate:?}");
    assert!(text.contains("Invalid name") && text.contains("control character"), "{validate:?}");
    assert!(text.contains("Invalid tag") && text.contains("cannot be empty"), "{validate:?}");

    ws.write(
        "main.tf",
        &format!(
            r#"
terraform {{
  required_providers {{
    peering = {{ source = "peering-dev/peering" }}
  }}
}}
provider "peering" {{
  request_timeout    = "0s"
  max_parallel_reads = 0
}}
resource "peering_connection" "this" {{
  name         = "x"
  network      = {{ upcloud = {{ network_id = "{a}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{b}" }} }}
}}
"#,
            a = demo::NETWORK_APP,
            b = demo::NETWORK_DB
        ),
    );
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(validate.flat().contains("Invalid request_timeout") && validate.flat().contains("is zero"), "{validate:?}");
    assert!(
        validate.flat().contains("Invalid max_parallel_reads") && validate.flat().contains("from 1 to 64"),
        "{validate:?}"
    );
    assert_eq!(emulator.requests().total_writes, 0);
}
