//! Benchmarks, run with `make bench` (ignored by `make test`): one run measures every figure of
//! docs/guides/benchmarks.md and prints them as one table, beside a Go provider (start-up, memory,
//! size) and `terraform_data` (scale). Numbers are written down, never asserted; the request
//! counts they show are asserted exactly by tests/requests.rs.

mod common;

use std::fmt::Write as _;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use peering_emulator::upcloud::state::{network, router};
use peering_emulator::world::{World, demo};
use tfplugin6::plugin::handshake::MAGIC_COOKIE_VALUE;
use tfplugin6::{Type, Value};

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

fn secs(d: Duration) -> String {
    format!("{:.2} s", d.as_secs_f64())
}

fn ratio(ours: Duration, theirs: Duration) -> String {
    format!("{:.2}×", ours.as_secs_f64() / theirs.as_secs_f64())
}

/// One table: what, ours, the comparison, the ratio, the goal.
#[derive(Default)]
struct Table(String);

impl Table {
    fn row(&mut self, what: &str, ours: String, other: &str, ratio: &str, goal: &str) {
        let _ = writeln!(self.0, "| {what} | {ours} | {other} | {ratio} | {goal} |");
        println!("  {what}: {ours} (vs {other}; {ratio}; goal {goal})");
    }
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0)
}

/// A client certificate as Terraform makes one for AutoMTLS (ECDSA P-521, self-signed CA).
fn client_certificate_pem() -> String {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    params.self_signed(&key).unwrap().pem()
}

/// Start-up to the handshake line with AutoMTLS, as Terraform starts every provider, and the
/// resident memory right after it.
fn start_once(binary: &Path, client_cert: &str) -> (Duration, u64) {
    let dir = tempfile::tempdir().unwrap();
    let started = Instant::now();
    let mut child = Command::new(binary)
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_UNIX_SOCKET_DIR", dir.path())
        .env("PLUGIN_CLIENT_CERT", client_cert)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let elapsed = started.elapsed();
    assert!(line.split('|').count() >= 6, "{} did not complete the handshake: {line:?}", binary.display());
    let rss = rss_kib(child.id());
    child.kill().unwrap();
    child.wait().unwrap();
    (elapsed, rss)
}

fn megabytes(path: &Path) -> String {
    format!("{:.2} MB", std::fs::metadata(path).unwrap().len() as f64 / 1e6)
}

fn startup(table: &mut Table, compare: Option<&Path>) {
    let ours = provider_binary();
    let cert = client_certificate_pem();
    let (mut our_times, mut our_rss, mut go_times, mut go_rss) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    // Interleaved, so both see the same machine.
    for _ in 0..30 {
        let (t, r) = start_once(&ours, &cert);
        our_times.push(t);
        our_rss.push(r);
        if let Some(go) = compare {
            let (t, r) = start_once(go, &cert);
            go_times.push(t);
            go_rss.push(r);
        }
    }
    let mib = |mut kib: Vec<u64>| {
        kib.sort();
        format!("{:.1} MiB", kib[kib.len() / 2] as f64 / 1024.0)
    };
    let our_time = median(our_times);
    match compare {
        Some(go) => {
            let go_time = median(go_times);
            let go_mib = mib(go_rss);
            table.row(
                "AutoMTLS start-up to handshake (median of 30)",
                ms(our_time),
                &ms(go_time),
                &ratio(our_time, go_time),
                "≤ 0.5×",
            );
            table.row("resident memory at the handshake", mib(our_rss), &go_mib, "", "≤ 8 MiB");
            table.row("release binary", megabytes(&ours), &megabytes(go), "", "≤ 10 MB");
        }
        None => {
            table.row("AutoMTLS start-up to handshake (median of 30)", ms(our_time), "–", "", "≤ 0.5×");
            table.row("resident memory at the handshake", mib(our_rss), "–", "", "≤ 8 MiB");
            table.row("release binary", megabytes(&ours), "–", "", "≤ 10 MB");
        }
    }
}

/// `n` UpCloud networks in pairs (2i, 2i+1), each with a router of its own, all in one zone.
fn paired_networks(world: &mut World, pairs: usize) -> Vec<(String, String)> {
    let up = &mut world.upcloud;
    let mut ids = Vec::new();
    for i in 0..pairs * 2 {
        let router_id = format!("04000000-0000-4000-8000-1{i:011x}");
        let network_id = format!("03000000-0000-4000-8000-1{i:011x}");
        let cidr = format!("172.{}.{}.0/24", 16 + i / 256, i % 256);
        up.routers.insert(router_id.parse().unwrap(), router(router_id.parse().unwrap(), &format!("r{i}")));
        let net =
            network(network_id.parse().unwrap(), &format!("n{i}"), "de-fra1", &cidr, Some(router_id.parse().unwrap()));
        up.networks.insert(net.uuid, net);
        ids.push(network_id);
    }
    ids.chunks(2).map(|pair| (pair[0].clone(), pair[1].clone())).collect()
}

fn hcl_list(items: impl Iterator<Item = String>) -> String {
    format!("[{}]", items.map(|i| format!("\"{i}\"")).collect::<Vec<_>>().join(", "))
}

/// Peerings over the pairs, and `routes` routes spread over the first ten left networks' routers.
fn peerings_and_routes(pairs: &[(String, String)], routes: usize) -> String {
    let left = hcl_list(pairs.iter().map(|p| p.0.clone()));
    let right = hcl_list(pairs.iter().map(|p| p.1.clone()));
    let routers = hcl_list((0..10).map(|k| format!("04000000-0000-4000-8000-1{:011x}", 2 * k)));
    let hops = hcl_list((0..10).map(|k| format!("172.16.{}.10", 2 * k)));
    format!(
        r#"{PROVIDER_HEADER}
locals {{
  left    = {left}
  right   = {right}
  routers = {routers}
  hops    = {hops}
}}
resource "peering_connection" "p" {{
  count        = {count}
  name         = "p${{count.index}}"
  network      = {{ upcloud = {{ network_id = local.left[count.index] }} }}
  peer_network = {{ upcloud = {{ network_id = local.right[count.index] }} }}
}}
resource "peering_custom_route" "r" {{
  count       = {routes}
  route_table = {{ upcloud = {{ router_id = local.routers[count.index % 10] }} }}
  destination = "192.168.${{count.index}}.0/24"
  next_hop    = {{ ip = local.hops[count.index % 10] }}
}}
"#,
        count = pairs.len()
    )
}

/// CPU seconds of this process (the emulator) and of its waited-for children (Terraform and
/// the providers it started), from /proc/self/stat.
fn cpu() -> (f64, f64) {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<f64> =
        stat.rsplit(')').next().unwrap_or("").split_whitespace().map(|f| f.parse().unwrap_or(0.0)).collect();
    // After the command name: utime, stime, cutime, cstime are fields 12..16 (0-based 11..15).
    let tick = 100.0;
    ((fields[11] + fields[12]) / tick, (fields[13] + fields[14]) / tick)
}

fn timed(ws: &Workspace, args: &[&str]) -> Duration {
    let started = Instant::now();
    let before = cpu();
    let run = ws.terraform(args);
    let elapsed = started.elapsed();
    let after = cpu();
    if std::env::var_os("PEERING_BENCH_CPU").is_some() {
        println!(
            "    {} {:?}: wall {:.2} s, emulator cpu {:.2} s, terraform+provider cpu {:.2} s",
            ws.path().display(),
            args[0],
            elapsed.as_secs_f64(),
            after.0 - before.0,
            after.1 - before.1
        );
    }
    assert!(run.code == 0 || (args[0] == "plan" && run.code == 2), "terraform {args:?}: {run:?}");
    elapsed
}

const APPLY: &[&str] = &["apply", "-auto-approve", "-no-color", "-input=false"];
const PLAN: &[&str] = &["plan", "-no-color", "-input=false"];
const DESTROY: &[&str] = &["destroy", "-auto-approve", "-no-color", "-input=false"];

/// What waiting on the clouds adds beyond the cloud's own time: 10 peerings at parallelism 10,
/// 1 s transitions against instant ones, interleaved.
fn waiting(table: &mut Table) {
    let mut world = World::demo();
    let pairs = paired_networks(&mut world, 10);
    let slow = Emulator::start_with(world.clone(), 1000);
    let instant = Emulator::start_with(world, 0);
    let (slow_ws, instant_ws) = (Workspace::new(&slow.url()), Workspace::new(&instant.url()));
    for ws in [&slow_ws, &instant_ws] {
        ws.write("main.tf", &peerings_and_routes(&pairs, 0));
    }
    let (mut slow_times, mut instant_times): ([Vec<Duration>; 2], [Vec<Duration>; 2]) = Default::default();
    for _ in 0..3 {
        for (ws, times) in [(&slow_ws, &mut slow_times), (&instant_ws, &mut instant_times)] {
            times[0].push(timed(ws, APPLY));
            times[1].push(timed(ws, DESTROY));
        }
    }
    let transition = Duration::from_secs(1);
    for (k, what) in ["apply", "destroy"].iter().enumerate() {
        let (s, i) = (median(slow_times[k].clone()), median(instant_times[k].clone()));
        let overhead = s.as_secs_f64() - i.as_secs_f64() - transition.as_secs_f64();
        table.row(
            &format!("waiting overhead, {what} of 10 UpCloud peerings over one 1 s transition"),
            format!("{overhead:+.2} s"),
            &format!("{} at 1 s, {} instant", secs(s), secs(i)),
            "",
            "≤ 0.15 s",
        );
    }
}

/// Requests per UpCloud peering, plan and apply walks together (instant transitions).
fn requests(table: &mut Table) {
    let emulator = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&emulator.url());
    ws.write("main.tf", &connection_config("counted", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    ws.apply();
    let applied = emulator.requests();
    ws.ok(DESTROY);
    let all = emulator.requests();
    let (apply, destroy) = (applied.total_reads + applied.total_writes, all.total_reads + all.total_writes);
    table.row("requests per UpCloud peering: apply (plan + apply walks)", apply.to_string(), "12 before", "", "≤ 8");
    table.row("requests per UpCloud peering: destroy", (destroy - apply).to_string(), "10 before", "", "≤ 8");

    let routes = Emulator::start_with(World::demo(), 0);
    let ws = Workspace::new(&routes.url());
    ws.write(
        "main.tf",
        &format!(
            "{PROVIDER_HEADER}\nresource \"peering_custom_route\" \"r\" {{\n  count = 10\n  route_table = {{ upcloud = {{ router_id = \"{}\" }} }}\n  destination = \"10.200.${{count.index}}.0/24\"\n  next_hop = {{ ip = \"10.10.0.10\" }}\n}}\n",
            demo::ROUTER_A
        ),
    );
    ws.apply();
    let router_reads = |e: &Emulator| {
        e.requests().reads.iter().filter(|(r, _)| r.starts_with("GET /1.3/router")).map(|(_, n)| n).sum::<u64>()
    };
    let before = router_reads(&routes);
    timed(&ws, PLAN);
    let after = router_reads(&routes);
    table.row("router reads to refresh 10 routes on one router", (after - before).to_string(), "10 before", "", "1");
}

/// `terraform_data` instances each padded so the state file is about `state_bytes` long.
fn terraform_data_config(count: usize, state_bytes: u64) -> String {
    // Measured: an unpadded instance takes about 486 bytes of state; the input is stored twice
    // (input and output).
    let per_instance = state_bytes / count as u64;
    let pad = per_instance.saturating_sub(486) / 2;
    format!(
        "resource \"terraform_data\" \"d\" {{\n  count = {count}\n  input = \"${{count.index}}{}\"\n}}\n",
        "x".repeat(pad as usize)
    )
}

fn state_size(ws: &Workspace) -> u64 {
    std::fs::metadata(ws.path().join("terraform.tfstate")).map(|m| m.len()).unwrap_or(0)
}

/// 200 peerings + 200 routes against 400 `terraform_data`, interleaved; and against 400
/// `terraform_data` whose state file is as large as ours, since Terraform rewrites the whole
/// state file after every resource it changes.
fn scale(table: &mut Table) {
    let mut world = World::demo();
    let pairs = paired_networks(&mut world, 200);
    let emulator = Emulator::start_with(world, 0);
    let ours = Workspace::new(&emulator.url());
    ours.write("main.tf", &peerings_and_routes(&pairs, 200));
    timed(&ours, APPLY);
    let our_state = state_size(&ours);
    timed(&ours, DESTROY);
    let data = Workspace::new(&emulator.url());
    data.write("main.tf", &terraform_data_config(400, 0));
    let same_state = Workspace::new(&emulator.url());
    same_state.write("main.tf", &terraform_data_config(400, our_state));
    let mut times: [[Vec<Duration>; 3]; 3] = Default::default();
    let mut states = [0; 3];
    for _ in 0..3 {
        for (k, ws) in [&ours, &data, &same_state].into_iter().enumerate() {
            times[k][0].push(timed(ws, APPLY));
            states[k] = state_size(ws);
            times[k][1].push(timed(ws, PLAN));
            times[k][2].push(timed(ws, DESTROY));
        }
    }
    println!("  state files: ours {} bytes, terraform_data {} and {} bytes", states[0], states[1], states[2]);
    for (step, what) in ["apply", "plan (no changes)", "destroy"].iter().enumerate() {
        let [o, d, s] = [0, 1, 2].map(|k| median(times[k][step].clone()));
        table.row(
            &format!("{what}: 200 peerings + 200 routes vs 400 terraform_data"),
            secs(o),
            &secs(d),
            &ratio(o, d),
            "≤ 1.3×",
        );
        table.row(
            &format!("{what}: same, vs 400 terraform_data with a state file as large ({} kB)", states[2] / 1000),
            secs(o),
            &secs(s),
            &ratio(o, s),
            "–",
        );
    }
}

/// The cloud's answer time of the latency rows (real APIs answer in 30–300 ms) and the time
/// the emulator's objects take to change state there.
const ANSWER: Duration = Duration::from_millis(100);
const TRANSITION: Duration = Duration::from_secs(1);

/// What a command cannot go below at latency: the same command against an instant emulator,
/// plus the round trips and transitions on its critical path (each counted in docs/guides/
/// benchmarks.md, "Latency").
struct Floor {
    round_trips: u32,
    transitions: u32,
}

impl Floor {
    fn over(&self, instant: Duration) -> Duration {
        instant + ANSWER * self.round_trips + TRANSITION * self.transitions
    }
}

/// An emulator pair over the same world: one answering after [`ANSWER`] with [`TRANSITION`]s,
/// one instant.
fn slow_and_instant(world: World) -> (Emulator, Emulator) {
    let slow = Emulator::start_with(world.clone(), TRANSITION.as_millis() as u64);
    slow.set_latency(ANSWER.as_millis() as u64);
    (slow, Emulator::start_with(world, 0))
}

/// Runs `args` in both workspaces, interleaved, three times; the medians, slow first.
fn both(slow: &Workspace, instant: &Workspace, steps: &[&[&str]]) -> Vec<(Duration, Duration)> {
    let mut times = vec![(Vec::new(), Vec::new()); steps.len()];
    for _ in 0..3 {
        for (k, args) in steps.iter().enumerate() {
            times[k].0.push(timed(slow, args));
            times[k].1.push(timed(instant, args));
        }
    }
    times.into_iter().map(|(s, i)| (median(s), median(i))).collect()
}

fn latency_row(table: &mut Table, what: &str, (slow, instant): (Duration, Duration), floor: Floor) {
    let least = floor.over(instant);
    let transitions =
        if floor.transitions == 0 { String::new() } else { format!(" + {} × 1 s transitions", floor.transitions) };
    table.row(
        what,
        secs(slow),
        &format!(
            "{} = {} instant + {} × 100 ms round trips{transitions}",
            secs(least),
            secs(instant),
            floor.round_trips
        ),
        &ratio(slow, least),
        "≤ 1.3×",
    );
}

fn query_of(clouds: &str) -> String {
    format!(
        "list \"peering_connection\" \"all\" {{\n  provider = peering\n  limit    = 1000\n  config {{\n    clouds = [\"{clouds}\"]\n  }}\n}}\n"
    )
}

/// Workspaces for a `terraform query` of `clouds` on both emulators; checks both find `count`.
fn query_rows(table: &mut Table, what: &str, world: World, clouds: &str, count: usize, floor: Floor) {
    let (slow, instant) = slow_and_instant(world);
    let [slow_ws, instant_ws] = [&slow, &instant].map(|e| {
        let ws = Workspace::new(&e.url());
        ws.write("main.tf", PROVIDER_HEADER);
        ws.write("search.tfquery.hcl", &query_of(clouds));
        ws
    });
    for ws in [&slow_ws, &instant_ws] {
        let found = ws.terraform(&["query", "-no-color"]);
        let results = found.stdout.lines().filter(|l| l.starts_with("list.peering_connection.all")).count();
        assert_eq!(results, count, "{found:?}");
    }
    let before = slow.requests();
    let times = both(&slow_ws, &instant_ws, &[&["query", "-no-color"]]);
    let after = slow.requests();
    println!("    {what}: {} reads per query", (after.total_reads - before.total_reads) / 3);
    latency_row(table, what, times[0], floor);
}

/// A world of `pairs` hand-made UpCloud peerings (both halves of each), made through the API.
fn upcloud_pairs_world(pairs: usize) -> World {
    let mut world = World::demo();
    let ends = paired_networks(&mut world, pairs);
    let maker = Emulator::start_with(world, 0);
    for (a, b) in &ends {
        maker.upcloud_half_by_hand("by-hand", a, b);
        maker.upcloud_half_by_hand("by-hand", b, a);
    }
    maker.world()
}

/// `connectors` hand-made Scaleway VPC connectors in fr-par: pairs of VPCs, one connector each way.
fn scaleway_connectors_world(connectors: usize) -> World {
    use peering_clouds::scaleway::wire::CreateConnector;
    let mut world = World::demo();
    let vpcs: Vec<uuid::Uuid> =
        (0..connectors as u128).map(|i| uuid::Uuid::from_u128(0x5c00_0000_0000_4000_8000_0000_0002_0000 + i)).collect();
    for (i, vpc) in vpcs.iter().enumerate() {
        world.scaleway.add_vpc(*vpc, "fr-par", &format!("bench-{i}"), demo::SCALEWAY_PROJECT, false, 0);
    }
    let maker = Emulator::start_with(world, 0);
    for pair in vpcs.chunks(2) {
        for (from, to) in [(pair[0], pair[1]), (pair[1], pair[0])] {
            let request = CreateConnector { name: "by-hand".into(), tags: Vec::new(), vpc_id: from, target_vpc_id: to };
            maker.block_on(maker.scaleway().create_connector("fr-par", &request)).unwrap();
        }
    }
    maker.world()
}

/// `peerings` hand-made Aiven ↔ UpCloud peerings from the demo project's Frankfurt VPC, each
/// made as Aiven's guide says: the Aiven half, then the UpCloud half toward the Aiven network ID.
fn aiven_upcloud_world(peerings: usize) -> World {
    let mut world = World::demo();
    let networks: Vec<String> = paired_networks(&mut world, peerings.div_ceil(2))
        .into_iter()
        .flat_map(|(a, b)| [a, b])
        .take(peerings)
        .collect();
    let maker = Emulator::start_with(world, 0);
    let vpc = demo::AIVEN_VPC_FRA.parse().unwrap();
    for network in &networks {
        maker.block_on(maker.aiven().create_upcloud_peering(demo::AIVEN_PROJECT, vpc, network)).unwrap();
        maker.upcloud_half_by_hand("to-aiven", network, demo::AIVEN_NETWORK_FRA);
    }
    maker.world()
}

/// Apply, no-change plan and destroy of `config` on both emulators of `world`.
fn lifecycle_rows(table: &mut Table, what: &str, world: World, config: &str, floors: [Floor; 3]) {
    let (slow, instant) = slow_and_instant(world);
    let [slow_ws, instant_ws] = [&slow, &instant].map(|e| {
        let ws = Workspace::new(&e.url());
        ws.write("main.tf", config);
        ws
    });
    let mut times = vec![(Vec::new(), Vec::new()); 3];
    for _ in 0..3 {
        for (ws, slow) in [(&slow_ws, true), (&instant_ws, false)] {
            for (k, args) in [APPLY, PLAN, DESTROY].iter().enumerate() {
                let took = timed(ws, args);
                if slow { times[k].0.push(took) } else { times[k].1.push(took) }
            }
        }
    }
    for ((step, floor), (s, i)) in ["apply", "plan (no changes)", "destroy"].iter().zip(floors).zip(times) {
        latency_row(table, &format!("{step}: {what}"), (median(s), median(i)), floor);
    }
}

/// Every latency row: listings, and apply/plan/destroy, at [`ANSWER`] per answer.
fn latency(table: &mut Table) {
    // UpCloud lists networks and peerings (one round trip, side by side); every result is
    // read from those lists.
    query_rows(
        table,
        "`terraform query` over 100 UpCloud pairs at 100 ms",
        upcloud_pairs_world(100),
        "upcloud",
        100,
        Floor { round_trips: 1, transitions: 0 },
    );
    // Three pages of 100 connectors: the first, then the other two side by side.
    query_rows(
        table,
        "`terraform query` over 250 Scaleway connectors (125 pairs) at 100 ms",
        scaleway_connectors_world(250),
        "scaleway",
        125,
        Floor { round_trips: 2, transitions: 0 },
    );
    // Aiven: the projects, then each project's VPCs, then each VPC's peerings (three in a row);
    // UpCloud's lists beside them.
    query_rows(
        table,
        "`terraform query` over 50 Aiven ↔ UpCloud peerings at 100 ms",
        aiven_upcloud_world(50),
        "aiven",
        50,
        Floor { round_trips: 3, transitions: 0 },
    );
    let mut world = World::demo();
    let pairs = paired_networks(&mut world, 20);
    // Two waves of ten (Terraform's parallelism). Plan: one read of the networks per wave.
    // Apply: both halves made at once, one transition, one read that sees them active.
    // Destroy: refresh, then per wave both halves disabled, one transition, both deleted.
    lifecycle_rows(
        table,
        "20 UpCloud peerings, 1 s transitions, 100 ms",
        world,
        &peerings_and_routes(&pairs, 0),
        [
            Floor { round_trips: 2 + 2 * 2, transitions: 2 },
            Floor { round_trips: 1, transitions: 0 },
            Floor { round_trips: 1 + 2 * 2, transitions: 2 },
        ],
    );
    let mut world = World::demo();
    let pairs = paired_networks(&mut world, 10);
    // Twenty waves of ten; a route is a read-modify-write of its router's list (two round trips
    // per wave); the plan walk and the refresh read the ten routers once.
    lifecycle_rows(
        table,
        "200 routes over 10 UpCloud routers, 100 ms",
        world,
        &peerings_and_routes(&pairs[..0], 200),
        [
            Floor { round_trips: 1 + 20 * 2, transitions: 0 },
            Floor { round_trips: 1, transitions: 0 },
            Floor { round_trips: 1 + 20 * 2, transitions: 0 },
        ],
    );
}

fn codec(table: &mut Table) {
    let ty: Type = peering::resources::connection::schema().implied_type();
    let json = format!(
        r#"{{"id":"upcloud/{a}:upcloud/{b}","name":"app-db","network":{{"upcloud":{{"network_id":"{a}"}}}},
        "peer_network":{{"upcloud":{{"network_id":"{b}"}}}},"peer_side":"managed","wait_for":"active","tags":{{"team":"platform"}},
        "status":"active","status_message":"Both halves are active.","network_half":{{"id":"0f000000-0000-4000-8000-000000000001","state":"active"}},
        "peer_half":{{"id":"0f000000-0000-4000-8000-000000000002","state":"active"}},"network_cidrs":["10.10.0.0/24"],"peer_network_cidrs":["10.20.0.0/24"]}}"#,
        a = demo::NETWORK_APP,
        b = demo::NETWORK_DB
    );
    let value = Value::from_json(json.as_bytes(), &ty).unwrap();
    let bytes = value.to_msgpack(&ty).unwrap();
    let rounds = 100_000;
    let started = Instant::now();
    for _ in 0..rounds {
        let decoded = Value::from_msgpack(std::hint::black_box(&bytes), &ty).unwrap();
        std::hint::black_box(decoded.to_msgpack(&ty).unwrap());
    }
    let per = started.elapsed() / rounds;
    table.row(&format!("msgpack decode + encode of a {}-byte state", bytes.len()), format!("{per:?}"), "–", "", "–");
}

fn machine() -> String {
    let out = |cmd: &str, args: &[&str]| {
        Command::new(cmd)
            .args(args)
            .output()
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
            .unwrap_or_default()
    };
    let memory = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| m.lines().next().map(|l| l.split_whitespace().nth(1).unwrap_or("0").parse::<u64>().unwrap_or(0)))
        .unwrap_or(0);
    format!(
        "{} cores, {:.0} GiB, {}, {}; {}",
        out("nproc", &[]),
        memory as f64 / 1024.0 / 1024.0,
        out("uname", &["-srm"]),
        out("rustc", &["--version"]),
        out(terraform_path().to_str().unwrap(), &["version"]).lines().next().unwrap_or("")
    )
}

#[test]
#[ignore = "benchmark: make bench"]
fn bench() {
    let compare = std::env::var_os("PEERING_COMPARE_PROVIDER").map(PathBuf::from);
    let mut table = Table::default();
    // PEERING_BENCH_ONLY=scale,waiting measures only those parts.
    let only = std::env::var("PEERING_BENCH_ONLY").unwrap_or_default();
    let wanted = |part: &str| only.is_empty() || only.split(',').any(|p| p == part);
    println!("measuring:");
    if wanted("startup") {
        startup(&mut table, compare.as_deref());
    }
    if wanted("waiting") {
        waiting(&mut table);
    }
    if wanted("requests") {
        requests(&mut table);
    }
    if wanted("scale") {
        scale(&mut table);
    }
    if wanted("latency") {
        latency(&mut table);
    }
    if wanted("codec") {
        codec(&mut table);
    }
    let date = Command::new("date").args(["-u", "+%Y-%m-%d"]).output().unwrap();
    println!(
        "\nMachine: {}. Date: {}. Go provider: {}.\n\n| figure | peering | beside | ratio | goal |\n| --- | --- | --- | --- | --- |\n{}",
        machine(),
        String::from_utf8_lossy(&date.stdout).trim(),
        compare.as_deref().map_or("none".to_string(), |p| p.file_name().unwrap().to_string_lossy().into_owned()),
        table.0
    );
}
