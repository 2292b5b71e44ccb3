//! Test harness: a real Terraform (the project's launcher), the built provider, and an
//! in-process emulator on a free loopback port, in a temporary working directory.
#![allow(dead_code)]

pub mod runs;
pub mod tls;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use peering_clouds::Secret;
use peering_clouds::http::{ApiClient, Auth, RetryPolicy};
use peering_clouds::upcloud::UpcloudClient;
use peering_emulator::world::World;
use peering_emulator::{Config, Handle, RequestCounts};

pub const USERNAME: &str = "demo";
pub const PASSWORD: &str = "demo-password";
pub const AIVEN_TOKEN: &str = "demo-aiven-token";
pub const SCALEWAY_SECRET: &str = "11111111-2222-4333-8444-555555555555";

/// Cloud settings a test run must not inherit from the machine: every variable every cloud's
/// settings read.
fn cloud_env() -> impl Iterator<Item = &'static str> {
    peering_net::Cloud::ALL.iter().flat_map(|&cloud| peering_clouds::environment(cloud).iter().copied())
}

/// The environment that points a provider at the emulator, cloud by cloud; `no_profile` is a
/// Scaleway CLI configuration path that does not exist (never the user's own profile).
fn emulator_env(emulator_url: &str, no_profile: &str) -> Vec<(&'static str, String)> {
    use peering_clouds::{aiven, scaleway, upcloud};
    let mut env = Vec::new();
    for &cloud in peering_net::Cloud::ALL {
        env.extend(match cloud {
            peering_net::Cloud::Upcloud => vec![
                (upcloud::env::API_URL, emulator_url.to_string()),
                (upcloud::env::USERNAME, USERNAME.to_string()),
                (upcloud::env::PASSWORD, PASSWORD.to_string()),
            ],
            peering_net::Cloud::Aiven => {
                vec![(aiven::env::API_URL, emulator_url.to_string()), (aiven::env::TOKEN, AIVEN_TOKEN.to_string())]
            }
            peering_net::Cloud::Scaleway => vec![
                (scaleway::env::API_URL, emulator_url.to_string()),
                (scaleway::env::SECRET_KEY, SCALEWAY_SECRET.to_string()),
                (scaleway::env::CONFIG_PATH, no_profile.to_string()),
            ],
        });
    }
    env
}

/// The Terraform launcher. Missing Terraform fails the test: run `make test`.
pub fn terraform_path() -> PathBuf {
    let path = std::env::var_os("PEERING_TERRAFORM")
        .map(PathBuf::from)
        .unwrap_or_else(|| Path::new(env!("CARGO_MANIFEST_DIR")).join(".venv/bin/terraform"));
    assert!(
        path.is_file(),
        "Terraform launcher not found at {}: run `make test` (it installs .venv/bin/terraform), or set PEERING_TERRAFORM",
        path.display()
    );
    path
}

/// Every Terraform launcher `make test` installs (PEERING_OLDER_TERRAFORM, then
/// PEERING_TERRAFORM), each with its version, oldest first; each asked once per test binary.
pub fn terraform_launchers() -> &'static [((u32, u32), PathBuf)] {
    static LAUNCHERS: std::sync::OnceLock<Vec<((u32, u32), PathBuf)>> = std::sync::OnceLock::new();
    LAUNCHERS.get_or_init(|| {
        let older = std::env::var("PEERING_OLDER_TERRAFORM")
            .expect("PEERING_OLDER_TERRAFORM names the older Terraform launchers: run `make test`");
        let mut candidates: Vec<PathBuf> = older.split_whitespace().map(PathBuf::from).collect();
        candidates.push(terraform_path());
        let mut found: Vec<((u32, u32), PathBuf)> = candidates
            .into_iter()
            .map(|path| {
                assert!(path.is_file(), "{} is missing: run `make test`", path.display());
                let home = tempfile::tempdir().unwrap();
                let out = Command::new(&path)
                    .arg("version")
                    .env("TF_CLI_CONFIG_FILE", "/dev/null")
                    .env("CHECKPOINT_DISABLE", "1")
                    .env("HOME", home.path())
                    .output()
                    .unwrap();
                let first = String::from_utf8_lossy(&out.stdout).lines().next().unwrap_or_default().to_string();
                let version = first.strip_prefix("Terraform v").unwrap_or_default();
                let mut parts = version.split('.').map(|p| p.parse::<u32>().unwrap_or(0));
                ((parts.next().unwrap_or(0), parts.next().unwrap_or(0)), path)
            })
            .collect();
        found.sort();
        found
    })
}

/// The Terraform launcher of version `minor` (`"1.12"`), else the oldest newer one.
pub fn terraform_at_least(minor: &str) -> (String, PathBuf) {
    let (major, min) = minor.split_once('.').expect("a version like 1.12");
    let wanted = (major.parse::<u32>().unwrap(), min.parse::<u32>().unwrap());
    terraform_launchers()
        .iter()
        .find(|(version, _)| *version >= wanted)
        .map(|((a, b), path)| (format!("{a}.{b}"), path.clone()))
        .unwrap_or_else(|| panic!("no Terraform {minor} or later among PEERING_OLDER_TERRAFORM and PEERING_TERRAFORM"))
}

pub fn provider_binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-peering"))
}

pub struct Emulator {
    pub runtime: tokio::runtime::Runtime,
    pub handle: Option<Handle>,
}

impl Emulator {
    pub fn start(world: World) -> Emulator {
        Emulator::start_with(world, 50)
    }

    /// An emulator whose asynchronous transitions each take `transition_ms`.
    pub fn start_with(world: World, transition_ms: u64) -> Emulator {
        Emulator::start_config(Config { world, transition_ms, ..Config::default() })
    }

    /// An emulator whose time moves only by [`Emulator::advance`]: what a test sees between two
    /// advances cannot depend on how fast the machine is.
    pub fn start_stopped(world: World) -> Emulator {
        Emulator::start_config(Config {
            world,
            transition_ms: 50,
            clock: peering_emulator::clock::ClockMode::Stopped,
            ..Config::default()
        })
    }

    /// An emulator serving HTTPS with a certificate of `ca`, as a real endpoint would.
    pub fn start_https(world: World, ca: &tls::ThrowawayCa) -> Emulator {
        Emulator::start_config(Config { world, transition_ms: 50, tls: Some(ca.server_files()), ..Config::default() })
    }

    fn start_config(config: Config) -> Emulator {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().unwrap();
        let config = Config { listen: "127.0.0.1:0".parse().unwrap(), ..config };
        let handle = runtime.block_on(peering_emulator::start(config)).expect("emulator starts");
        Emulator { runtime, handle: Some(handle) }
    }

    /// Moves the emulator's time on, instead of sleeping for it.
    pub fn advance(&self, by: std::time::Duration) {
        self.handle.as_ref().unwrap().emulator.clock.advance(by);
    }

    /// The emulator's time now.
    pub fn now_ms(&self) -> u64 {
        self.handle.as_ref().unwrap().emulator.clock.now_ms()
    }

    /// Moves the emulator's time past one asynchronous transition.
    pub fn advance_past_a_transition(&self) {
        let transition = self.handle.as_ref().unwrap().emulator.transition_ms;
        self.advance(std::time::Duration::from_millis(transition + 1));
    }

    pub fn url(&self) -> String {
        self.handle.as_ref().unwrap().url()
    }

    pub fn world(&self) -> World {
        self.handle.as_ref().unwrap().emulator.lock_world().clone()
    }

    /// Changes the world as the clouds' owners would (or as the clouds themselves might).
    pub fn edit_world(&self, edit: impl FnOnce(&mut World)) {
        edit(&mut self.handle.as_ref().unwrap().emulator.lock_world());
    }

    pub fn requests(&self) -> RequestCounts {
        self.handle.as_ref().unwrap().emulator.requests()
    }

    pub fn set_fault_rate(&self, rate: f64, seed: u64) {
        let settings =
            peering_emulator::faults::FaultSettings { fault_rate: rate, rng_seed: Some(seed), ..Default::default() };
        self.handle.as_ref().unwrap().emulator.faults.lock().unwrap().update(settings);
    }

    /// Stops (`true`) or restarts every state transition of the clouds.
    pub fn hold_transitions(&self, held: bool) {
        self.handle.as_ref().unwrap().emulator.hold_transitions(held);
    }

    /// Adds `ms` to every answer, as a cloud far away; keeps the fault settings.
    pub fn set_latency(&self, ms: u64) {
        self.handle.as_ref().unwrap().emulator.faults.lock().unwrap().settings.latency_ms = ms;
    }

    /// Faults on a share of requests, keeping the latency.
    pub fn set_faults_keeping_latency(&self, rate: f64, seed: u64) {
        let mut faults = self.handle.as_ref().unwrap().emulator.faults.lock().unwrap();
        let settings = peering_emulator::faults::FaultSettings {
            fault_rate: rate,
            rng_seed: Some(seed),
            latency_ms: faults.settings.latency_ms,
            ..Default::default()
        };
        faults.update(settings);
    }

    /// Holds the answer to the `n`-th write (counted from the emulator's start) once it has
    /// taken effect, until [`Emulator::release`].
    pub fn hold_after_writes(&self, n: u64) {
        self.handle.as_ref().unwrap().emulator.faults.lock().unwrap().settings.hold_after_writes = Some(n);
    }

    /// Holds the writes to `route` until `writers` have come, then lets them through together,
    /// the first one `slow_ms` after the others (`FaultSettings::gather_writes`).
    pub fn gather_writes(&self, route: &str, writers: u64, slow_ms: u64) {
        let gathering = peering_emulator::faults::GatherWrites { route: route.into(), writers, slow_ms };
        let mut faults = self.handle.as_ref().unwrap().emulator.faults.lock().unwrap();
        let settings = peering_emulator::faults::FaultSettings {
            gather_writes: Some(gathering),
            rng_seed: None,
            ..faults.settings.clone()
        };
        faults.update(settings);
    }

    /// How many writes the current gathering has held so far.
    pub fn writes_gathered(&self) -> u64 {
        self.handle.as_ref().unwrap().emulator.faults.lock().unwrap().gathered
    }

    /// Whether all the gathering's writes were held until every one had come: the race happened.
    pub fn gathering_met(&self) -> bool {
        self.handle.as_ref().unwrap().emulator.faults.lock().unwrap().gathering_met()
    }

    /// Waits (at most `limit`) until the gathering holds `writes`.
    pub fn wait_gathered(&self, writes: u64, limit: std::time::Duration) {
        let until = std::time::Instant::now() + limit;
        while self.writes_gathered() < writes {
            assert!(std::time::Instant::now() < until, "{writes} writes never came: {:?}", self.requests());
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
    }

    pub fn release(&self) {
        self.handle.as_ref().unwrap().emulator.faults.lock().unwrap().settings.hold_after_writes = None;
    }

    /// Waits (at most `limit`) until a write's answer is being held.
    pub fn wait_held(&self, limit: std::time::Duration) -> bool {
        let until = std::time::Instant::now() + limit;
        while std::time::Instant::now() < until {
            if self.requests().held.is_some() {
                return true;
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        false
    }

    /// Starts the emulator's log of objects appearing and disappearing.
    pub fn watch_objects(&self) {
        self.handle.as_ref().unwrap().emulator.watch_objects();
    }

    /// The log so far ([`Emulator::watch_objects`]).
    pub fn object_events(&self) -> Vec<peering_emulator::ObjectEvent> {
        let emulator = &self.handle.as_ref().unwrap().emulator;
        emulator.look_at_objects();
        emulator.object_events()
    }

    /// DELETE requests the clouds have seen.
    pub fn deletes(&self) -> u64 {
        self.requests().writes.iter().filter(|(route, _)| route.starts_with("DELETE ")).map(|(_, n)| n).sum()
    }

    /// An UpCloud client against the emulator (no retries hide what the test does).
    pub fn upcloud(&self) -> UpcloudClient {
        let auth = Auth::Basic { username: USERNAME.into(), password: Secret::new(PASSWORD) };
        let policy = RetryPolicy { max_retries: 0, ..Default::default() };
        UpcloudClient::new(ApiClient::new(&self.url(), auth, policy).unwrap())
    }

    /// Makes one UpCloud peering half from network `from` toward `to` through UpCloud's API, as a
    /// person does by hand; its id.
    pub fn upcloud_half_by_hand(&self, name: &str, from: &str, to: &str) -> peering_net::UpcloudPeeringId {
        use peering_clouds::upcloud::{ConfiguredStatus, CreatePeering, NetworkUuid};
        let request = CreatePeering {
            name: name.into(),
            configured_status: ConfiguredStatus::Active,
            network: NetworkUuid { uuid: from.parse().unwrap() },
            peer_network: NetworkUuid { uuid: to.parse().unwrap() },
            labels: Vec::new(),
        };
        self.block_on(self.upcloud().create_peering(&request)).unwrap().uuid
    }

    /// Makes one Scaleway VPC connector from VPC `from` toward `to` in fr-par through Scaleway's
    /// API, as a person does by hand; its id.
    pub fn scaleway_connector_by_hand(&self, name: &str, from: &str, to: &str) -> uuid::Uuid {
        let request = peering_clouds::scaleway::wire::CreateConnector {
            name: name.into(),
            tags: Vec::new(),
            vpc_id: from.parse().unwrap(),
            target_vpc_id: to.parse().unwrap(),
        };
        self.block_on(self.scaleway().create_connector("fr-par", &request)).unwrap().id
    }

    /// An Aiven client against the emulator.
    pub fn aiven(&self) -> peering_clouds::aiven::AivenClient {
        let auth = Auth::Header { name: "authorization", value: Secret::new(format!("aivenv1 {AIVEN_TOKEN}")) };
        let policy = RetryPolicy { max_retries: 0, ..Default::default() };
        peering_clouds::aiven::AivenClient::new(ApiClient::new(&self.url(), auth, policy).unwrap())
    }

    /// A Scaleway client against the emulator.
    pub fn scaleway(&self) -> peering_clouds::scaleway::ScalewayClient {
        let auth = Auth::Header { name: "x-auth-token", value: Secret::new(SCALEWAY_SECRET) };
        let policy = RetryPolicy { max_retries: 0, ..Default::default() };
        peering_clouds::scaleway::ScalewayClient::new(
            ApiClient::new(&self.url(), auth, policy).unwrap(),
            None,
            "fr-par".into(),
        )
    }

    /// Scaleway connectors as `(vpc, target, status)`.
    pub fn scaleway_connectors(&self) -> Vec<(String, String, String)> {
        let world = self.world();
        let mut all: Vec<_> = world
            .scaleway
            .connectors
            .values()
            .map(|c| {
                let view = world.scaleway.connector_view(c);
                (view.vpc_id.to_string(), view.target_vpc_id.to_string(), view.status.as_str().to_string())
            })
            .collect();
        all.sort();
        all
    }

    /// A project VPC made through Aiven's API, as its owner would (it starts `APPROVED`).
    pub fn create_aiven_vpc(&self, cloud: &str, cidr: &str) -> uuid::Uuid {
        let request = peering_clouds::aiven::CreateVpc {
            cloud_name: cloud.into(),
            network_cidr: cidr.into(),
            peering_connections: vec![],
        };
        self.block_on(self.aiven().create_vpc(peering_emulator::world::demo::AIVEN_PROJECT, &request))
            .unwrap()
            .project_vpc_id
    }

    /// States of every Aiven peering, as `(peer_vpc, state)`.
    pub fn aiven_peerings(&self) -> Vec<(String, String)> {
        let world = self.handle.as_ref().unwrap().emulator.lock_world().clone();
        world
            .aiven
            .vpcs
            .values()
            .flat_map(|v| v.peerings.iter().map(|p| (p.peer_vpc.clone(), p.state.as_str().to_string())))
            .collect()
    }

    pub fn block_on<F: std::future::Future>(&self, f: F) -> F::Output {
        self.runtime.block_on(f)
    }

    /// A plain GET of `path` (from `/`) with only the `headers` given: the status and the JSON
    /// body (`null` when there is none).
    pub fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, serde_json::Value) {
        self.block_on(async {
            let mut request = peering_clouds::http::shared_http_client().get(format!("{}{path}", self.url()));
            for (name, value) in headers {
                request = request.header(*name, *value);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json().await.unwrap_or(serde_json::Value::Null))
        })
    }

    /// Disables and deletes one peering half through UpCloud's API, behind Terraform's back.
    pub fn delete_peering(&self, id: peering_net::UpcloudPeeringId) {
        let client = self.upcloud();
        self.block_on(async {
            let disable = peering_clouds::upcloud::PeeringPatch {
                configured_status: Some(peering_clouds::upcloud::ConfiguredStatus::Disabled),
                ..Default::default()
            };
            client.modify_peering(id, &disable).await.unwrap();
        });
        // UpCloud deletes a half only once it is switched off, which takes a transition.
        self.advance_past_a_transition();
        self.block_on(async { client.delete_peering(id).await.unwrap() });
    }

    /// States of every peering, as the API reports them now.
    pub fn peering_states(&self) -> Vec<(String, String, String)> {
        let world = self.world();
        let now = self.now_ms();
        world
            .upcloud
            .peerings
            .values()
            .filter(|p| world.upcloud.is_visible(p.network))
            .map(|p| {
                (
                    p.network.to_string(),
                    p.peer_network.to_string(),
                    world.upcloud.peering_state(p, now).as_str().to_string(),
                )
            })
            .collect()
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if let Some(handle) = self.handle.take() {
            self.runtime.block_on(handle.stop());
        }
    }
}

/// A Terraform working directory wired to the built provider and an emulator.
pub struct Workspace {
    pub dir: tempfile::TempDir,
    pub env: Vec<(String, String)>,
    /// The Terraform that runs here (the project's launcher unless a test picks another).
    pub program: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn all(&self) -> String {
        format!("{}\n{}", self.stdout, self.stderr)
    }

    /// Both streams with Terraform's line wrapping undone, for matching sentences.
    pub fn flat(&self) -> String {
        self.all().split_whitespace().collect::<Vec<_>>().join(" ")
    }
}

impl std::fmt::Debug for Run {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "exit {}\n--- stdout\n{}\n--- stderr\n{}", self.code, self.stdout, self.stderr)
    }
}

impl Workspace {
    pub fn new(emulator_url: &str) -> Workspace {
        let dir = tempfile::tempdir().unwrap();
        let tfrc = dir.path().join("dev.tfrc");
        std::fs::write(
            &tfrc,
            format!(
                "provider_installation {{\n  dev_overrides {{\n    \"{}\" = \"{}\"\n  }}\n  direct {{}}\n}}\n",
                peering::SOURCE_ADDRESS,
                provider_binary().parent().unwrap().display()
            ),
        )
        .unwrap();
        let mut env: Vec<(String, String)> = vec![
            ("TF_CLI_CONFIG_FILE".into(), tfrc.display().to_string()),
            ("CHECKPOINT_DISABLE".into(), "1".into()),
            ("TF_IN_AUTOMATION".into(), "1".into()),
        ];
        let no_profile = dir.path().join("no-scw-config.yaml").display().to_string();
        env.extend(emulator_env(emulator_url, &no_profile).into_iter().map(|(k, v)| (k.to_string(), v)));
        Workspace { dir, env, program: terraform_path() }
    }

    pub fn path(&self) -> &Path {
        self.dir.path()
    }

    pub fn write(&self, name: &str, contents: &str) {
        std::fs::write(self.path().join(name), contents).unwrap();
    }

    /// Sends Terraform's (and the provider's) trace log to a file in the workspace; returns it.
    pub fn trace_log(&mut self) -> PathBuf {
        let log = self.path().join("terraform.log");
        self.set_env("TF_LOG", "trace");
        self.set_env("TF_LOG_PATH", &log.display().to_string());
        log
    }

    pub fn remove_env(&mut self, key: &str) {
        self.env.retain(|(k, _)| k != key);
    }

    pub fn set_env(&mut self, key: &str, value: &str) {
        self.remove_env(key);
        self.env.push((key.into(), value.into()));
    }

    pub fn terraform(&self, args: &[&str]) -> Run {
        let mut command = Command::new(&self.program);
        command.args(args).current_dir(self.path()).env_remove("TF_LOG").env_remove("TF_REATTACH_PROVIDERS");
        for var in cloud_env() {
            command.env_remove(var);
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        let Output { status, stdout, stderr } = command.output().expect("terraform runs");
        Run {
            code: status.code().unwrap_or(-1),
            stdout: String::from_utf8_lossy(&stdout).into_owned(),
            stderr: String::from_utf8_lossy(&stderr).into_owned(),
        }
    }

    /// Runs a command that must succeed.
    pub fn ok(&self, args: &[&str]) -> Run {
        let run = self.terraform(args);
        assert_eq!(run.code, 0, "terraform {args:?} failed: {run:?}");
        run
    }

    pub fn apply(&self) -> Run {
        self.ok(&["apply", "-auto-approve", "-no-color", "-input=false"])
    }

    /// `plan -detailed-exitcode`: 0 no changes, 2 changes, 1 error.
    pub fn plan(&self) -> Run {
        self.terraform(&["plan", "-detailed-exitcode", "-no-color", "-input=false"])
    }

    /// Forgets `address`, imports it back by `id`, and asserts the next plan shows no changes.
    pub fn reimport_by_id(&self, address: &str, id: &str) {
        self.ok(&["state", "rm", address]);
        let run = self.ok(&["import", "-no-color", address, id]);
        assert!(run.stdout.contains("Import successful"), "{run:?}");
        let plan = self.plan();
        assert_eq!(plan.code, 0, "after import of {address} by {id}: {plan:?}");
    }

    /// Forgets `address`, imports it back through an `import` block naming its identity, and
    /// asserts that the plan imports it and changes nothing, before and after.
    pub fn reimport_by_identity(&self, address: &str, identity: &[(&str, String)]) {
        self.ok(&["state", "rm", address]);
        let fields: String = identity.iter().map(|(k, v)| format!("    {k} = \"{v}\"\n")).collect();
        self.write("import.tf", &format!("import {{\n  to = {address}\n  identity = {{\n{fields}  }}\n}}\n"));
        let plan = self.plan();
        assert!(plan.stdout.contains("1 to import, 0 to add, 0 to change, 0 to destroy"), "{plan:?}");
        self.apply();
        std::fs::remove_file(self.path().join("import.tf")).unwrap();
        let plan = self.plan();
        assert_eq!(plan.code, 0, "after import of {address} by identity: {plan:?}");
    }

    pub fn state_json(&self) -> serde_json::Value {
        let run = self.ok(&["show", "-json"]);
        serde_json::from_str(&run.stdout).unwrap()
    }

    /// Attribute values of a resource in state.
    pub fn resource_values(&self, address: &str) -> serde_json::Value {
        let state = self.state_json();
        state["values"]["root_module"]["resources"]
            .as_array()
            .and_then(|rs| rs.iter().find(|r| r["address"] == address))
            .map(|r| r["values"].clone())
            .unwrap_or(serde_json::Value::Null)
    }
}

/// A provider started by hand with `--debug`: its pid is known, so a test can kill it.
pub struct DebugProvider {
    pub child: std::process::Child,
    pub reattach: String,
}

impl DebugProvider {
    /// Starts one with the emulator's credentials in its environment, plus `env`.
    pub fn start(emulator_url: &str, env: &[(&str, &str)]) -> DebugProvider {
        use std::io::{BufRead, BufReader};
        let mut command = Command::new(provider_binary());
        command.arg("--debug").env_remove("TF_PLUGIN_MAGIC_COOKIE").stdout(std::process::Stdio::piped());
        for var in cloud_env() {
            command.env_remove(var);
        }
        for (k, v) in emulator_env(emulator_url, "/nonexistent/scw-config.yaml") {
            command.env(k, v);
        }
        for (k, v) in env {
            command.env(k, v);
        }
        let mut child = command.spawn().unwrap();
        let stdout = child.stdout.take().unwrap();
        let reattach = BufReader::new(stdout)
            .lines()
            .map(Result::unwrap)
            .find_map(|line| {
                line.trim().strip_prefix("TF_REATTACH_PROVIDERS='").map(|v| v.trim_end_matches('\'').to_string())
            })
            .expect("the reattach value is printed");
        DebugProvider { child, reattach }
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Whether the process still runs.
    pub fn alive(&mut self) -> bool {
        self.child.try_wait().unwrap().is_none()
    }

    /// `kill -9`, as a crash would.
    pub fn crash(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Drop for DebugProvider {
    fn drop(&mut self) {
        self.crash();
    }
}

impl Workspace {
    /// Makes Terraform use this provider process instead of starting its own.
    pub fn attach(&mut self, provider: &DebugProvider) {
        self.set_env("TF_REATTACH_PROVIDERS", &provider.reattach);
    }

    /// Starts a Terraform command in the background.
    pub fn spawn(&self, args: &[&str]) -> std::process::Child {
        let mut command = Command::new(&self.program);
        command
            .args(args)
            .current_dir(self.path())
            .env_remove("TF_LOG")
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped());
        for var in cloud_env() {
            command.env_remove(var);
        }
        for (k, v) in &self.env {
            command.env(k, v);
        }
        command.spawn().unwrap()
    }
}

/// Waits for a background command and collects what it printed.
pub fn finish(child: std::process::Child) -> Run {
    let Output { status, stdout, stderr } = child.wait_with_output().unwrap();
    Run {
        code: status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&stdout).into_owned(),
        stderr: String::from_utf8_lossy(&stderr).into_owned(),
    }
}

/// Scaleway tags without the provider's ownership marker (`peering-owner=…`).
pub fn user_tags(tags: &[String]) -> Vec<String> {
    tags.iter().filter(|t| !t.starts_with("peering-owner=")).cloned().collect()
}

pub const PROVIDER_HEADER: &str = r#"
terraform {
  required_providers {
    peering = { source = "peering-dev/peering" }
  }
}
provider "peering" {}
"#;

pub fn connection_config(name: &str, network: &str, peer: &str, extra: &str) -> String {
    format!(
        r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "{name}"
  network      = {{ upcloud = {{ network_id = "{network}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{peer}" }} }}
{extra}
}}
"#
    )
}
