//! `peering-emulator`: the clouds' APIs on loopback, over one shared [`world::World`].
//!
//! Every request to a cloud route passes, in order: request counting, added latency, fault
//! injection, authentication, then the handler. `/_emulator/…` admin routes skip all but
//! counting's exclusion.

#![warn(unreachable_pub)]

mod admin;
pub mod aiven;
pub mod clock;
pub mod faults;
pub mod scaleway;
pub mod tls;
pub mod upcloud;
pub mod world;

use std::collections::BTreeMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};

use axum::Router;
use axum::extract::{MatchedPath, Request, State};
use axum::middleware::{self, Next};
use axum::response::Response;
use serde::Serialize;
use tokio_util::sync::CancellationToken;

use faults::{Fault, FaultInjector, FaultSettings};
use world::World;

/// Credentials the emulated clouds accept.
#[derive(Debug, Clone)]
pub struct Credentials {
    pub upcloud_username: String,
    pub upcloud_password: String,
    pub upcloud_token: String,
    pub aiven_token: String,
    pub scaleway_secret_key: String,
}

impl Default for Credentials {
    fn default() -> Self {
        Credentials {
            upcloud_username: "demo".into(),
            upcloud_password: "demo-password".into(),
            upcloud_token: "ucat_demo_token".into(),
            aiven_token: "demo-aiven-token".into(),
            scaleway_secret_key: "11111111-2222-4333-8444-555555555555".into(),
        }
    }
}

#[derive(Debug, Clone)]
pub struct Config {
    pub listen: SocketAddr,
    pub world: World,
    pub transition_ms: u64,
    /// Wall time, or time that moves only when told (`Clock::advance`, `POST /_emulator/advance`).
    pub clock: clock::ClockMode,
    pub faults: FaultSettings,
    pub credentials: Credentials,
    /// Serve HTTPS with this certificate and key instead of plain HTTP.
    pub tls: Option<tls::TlsFiles>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            listen: SocketAddr::from(([127, 0, 0, 1], 8787)),
            world: World::demo(),
            transition_ms: 100,
            clock: clock::ClockMode::Wall,
            faults: FaultSettings { rng_seed: Some(0), ..FaultSettings::default() },
            tls: None,
            credentials: Credentials::default(),
        }
    }
}

/// Request counts per method and route template, reads and writes apart.
#[derive(Debug, Clone, Default, Serialize)]
pub struct RequestCounts {
    pub reads: BTreeMap<String, u64>,
    pub writes: BTreeMap<String, u64>,
    pub total_reads: u64,
    pub total_writes: u64,
    /// Requests that got an injected fault.
    pub faults_injected: u64,
    /// The write whose answer is being held (`hold_after_writes`), if any.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub held: Option<u64>,
}

/// What appeared and disappeared in the world, request by request, once a test asks for it
/// ([`Emulator::watch_objects`]): a log to check that nothing vanished that should not have.
#[derive(Debug, Default)]
pub struct ObjectLog {
    watching: bool,
    present: std::collections::BTreeSet<String>,
    events: Vec<ObjectEvent>,
}

/// One object that appeared or disappeared, numbered in the order seen.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ObjectEvent {
    pub number: u64,
    pub appeared: bool,
    /// As [`World::object_names`] names it.
    pub object: String,
}

impl ObjectLog {
    fn see(&mut self, now: std::collections::BTreeSet<String>) {
        let mut number = self.events.len() as u64;
        let mut event = |appeared: bool, object: &String| {
            number += 1;
            ObjectEvent { number, appeared, object: object.clone() }
        };
        let gone: Vec<ObjectEvent> = self.present.difference(&now).map(|o| event(false, o)).collect();
        let new: Vec<ObjectEvent> = now.difference(&self.present).map(|o| event(true, o)).collect();
        self.events.extend(gone);
        self.events.extend(new);
        self.present = now;
    }
}

pub struct Emulator {
    pub world: Mutex<World>,
    objects: Mutex<ObjectLog>,
    initial: World,
    pub transition_ms: u64,
    /// The emulator's time: every state change and timestamp reads it.
    pub clock: clock::Clock,
    pub credentials: Credentials,
    pub faults: Mutex<FaultInjector>,
    requests: Mutex<RequestCounts>,
    /// Transitions stopped by a test, so that several requests meet one state however slowly
    /// they come.
    transitions_held: std::sync::atomic::AtomicBool,
    /// Every id in the world it started from and every id drawn since: a world seeded from a
    /// dump gets no id twice, whatever `--rng-seed` draws.
    issued: Mutex<std::collections::BTreeSet<uuid::Uuid>>,
}

/// Every UUID written anywhere in a world.
fn ids_in(world: &World) -> std::collections::BTreeSet<uuid::Uuid> {
    fn walk(value: &serde_json::Value, out: &mut std::collections::BTreeSet<uuid::Uuid>) {
        match value {
            serde_json::Value::String(s) => out.extend(uuid::Uuid::parse_str(s).ok()),
            serde_json::Value::Array(items) => items.iter().for_each(|v| walk(v, out)),
            serde_json::Value::Object(map) => map.iter().for_each(|(k, v)| {
                out.extend(uuid::Uuid::parse_str(k).ok());
                walk(v, out)
            }),
            _ => {}
        }
    }
    let mut out = std::collections::BTreeSet::new();
    walk(&serde_json::to_value(world).unwrap_or_default(), &mut out);
    out
}

impl Emulator {
    pub fn new(config: Config) -> Arc<Emulator> {
        let issued = ids_in(&config.world);
        Arc::new(Emulator {
            world: Mutex::new(config.world.clone()),
            objects: Mutex::new(ObjectLog::default()),
            initial: config.world,
            transition_ms: config.transition_ms,
            clock: clock::Clock::new(config.clock),
            credentials: config.credentials,
            faults: Mutex::new(FaultInjector::new(config.faults)),
            requests: Mutex::new(RequestCounts::default()),
            transitions_held: std::sync::atomic::AtomicBool::new(false),
            issued: Mutex::new(issued),
        })
    }

    /// Stops every state transition (`true`) until released (`false`); what fell due meanwhile
    /// happens at the next request after the release.
    pub fn hold_transitions(&self, held: bool) {
        self.transitions_held.store(held, std::sync::atomic::Ordering::SeqCst);
    }

    /// A fresh id with a cloud's prefix byte (UpCloud: `03` networks, `04` routers).
    pub fn new_uuid(&self, prefix: u8) -> uuid::Uuid {
        let mut issued = self.issued.lock().expect("issued lock");
        loop {
            let mut bytes = self.faults.lock().expect("faults lock").bytes();
            bytes[0] = prefix;
            let id = uuid::Builder::from_random_bytes(bytes).into_uuid();
            if issued.insert(id) {
                return id;
            }
        }
    }

    /// Starts logging every peering half and route that appears or disappears, from the world
    /// as it is now.
    pub fn watch_objects(&self) {
        let now = self.lock_world().object_names();
        let mut log = self.objects.lock().expect("objects lock");
        log.watching = true;
        log.present = now;
    }

    /// Looks at the world now (transitions due included), for the object log.
    pub fn look_at_objects(&self) {
        if !self.objects.lock().expect("objects lock").watching {
            return;
        }
        let now = self.lock_world().object_names();
        self.objects.lock().expect("objects lock").see(now);
    }

    /// The object log so far.
    pub fn object_events(&self) -> Vec<ObjectEvent> {
        self.objects.lock().expect("objects lock").events.clone()
    }

    /// Request counts so far.
    pub fn requests(&self) -> RequestCounts {
        self.requests.lock().expect("requests lock").clone()
    }

    /// The world, with every transition that is due applied first.
    pub fn lock_world(&self) -> std::sync::MutexGuard<'_, World> {
        let mut world = self.world.lock().expect("world lock");
        if !self.transitions_held.load(std::sync::atomic::Ordering::SeqCst) {
            world.advance(self.clock.now_ms(), self.transition_ms);
        }
        world
    }

    pub(crate) fn reset(&self) {
        *self.world.lock().expect("world lock") = self.initial.clone();
        *self.requests.lock().expect("requests lock") = RequestCounts::default();
    }
}

/// The whole HTTP surface.
pub fn app(emulator: Arc<Emulator>) -> Router {
    // Each cloud's faults come in its own error format.
    let clouds = Router::new()
        .merge(
            upcloud::routes(emulator.clone())
                .layer(middleware::from_fn_with_state(emulator.clone(), inject_faults::<upcloud::Faults>)),
        )
        .merge(
            aiven::routes(emulator.clone())
                .layer(middleware::from_fn_with_state(emulator.clone(), inject_faults::<aiven::Faults>)),
        )
        .merge(
            scaleway::routes(emulator.clone())
                .layer(middleware::from_fn_with_state(emulator.clone(), inject_faults::<scaleway::Faults>)),
        )
        .layer(middleware::from_fn_with_state(emulator.clone(), count_requests));
    clouds.merge(admin::routes()).with_state(emulator)
}

/// A running emulator.
pub struct Handle {
    pub addr: SocketAddr,
    https: bool,
    pub emulator: Arc<Emulator>,
    shutdown: CancellationToken,
    task: tokio::task::JoinHandle<()>,
}

impl Handle {
    pub fn url(&self) -> String {
        format!("{}://{}", if self.https { "https" } else { "http" }, self.addr)
    }

    pub async fn stop(self) {
        // A held answer would keep the graceful shutdown waiting.
        self.emulator.faults.lock().expect("faults lock").settings.hold_after_writes = None;
        self.shutdown.cancel();
        let _ = self.task.await;
    }
}

/// Binds (refusing anything but loopback) and serves in the background.
pub async fn start(config: Config) -> std::io::Result<Handle> {
    if !config.listen.ip().is_loopback() {
        return Err(std::io::Error::new(
            std::io::ErrorKind::InvalidInput,
            format!("the emulator listens on loopback only, not {}", config.listen),
        ));
    }
    let acceptor = config.tls.as_ref().map(tls::acceptor).transpose()?;
    let listener = tokio::net::TcpListener::bind(config.listen).await?;
    let addr = listener.local_addr()?;
    let emulator = Emulator::new(config);
    let shutdown = CancellationToken::new();
    let app = app(emulator.clone());
    let stop = shutdown.clone();
    let https = acceptor.is_some();
    let task = tokio::spawn(async move {
        let _ = match acceptor {
            Some(acceptor) => {
                let listener = tls::TlsListener { tcp: listener, acceptor };
                axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await
            }
            None => axum::serve(listener, app).with_graceful_shutdown(stop.cancelled_owned()).await,
        };
    });
    Ok(Handle { addr, https, emulator, shutdown, task })
}

fn route_of(request: &Request) -> String {
    let template = request
        .extensions()
        .get::<MatchedPath>()
        .map(|p| p.as_str().to_string())
        .unwrap_or_else(|| request.uri().path().to_string());
    format!("{} {template}", request.method())
}

async fn count_requests(State(emulator): State<Arc<Emulator>>, request: Request, next: Next) -> Response {
    let route = route_of(&request);
    let write = request.method() != axum::http::Method::GET && request.method() != axum::http::Method::HEAD;
    let number = {
        let mut counts = emulator.requests.lock().expect("requests lock");
        if write {
            *counts.writes.entry(route.clone()).or_default() += 1;
            counts.total_writes += 1;
        } else {
            *counts.reads.entry(route.clone()).or_default() += 1;
            counts.total_reads += 1;
        }
        counts.total_writes
    };
    if write {
        gather_if_asked(&emulator, &route).await;
    }
    let response = next.run(request).await;
    emulator.look_at_objects();
    if write {
        hold_if_asked(&emulator, number).await;
    }
    response
}

/// Holds a write to the gathered route until every writer has come (`gather_writes`); the
/// first to come goes last, `slow_ms` after the others.
async fn gather_if_asked(emulator: &Emulator, route: &str) {
    let (place, gathering) = {
        let mut faults = emulator.faults.lock().expect("faults lock");
        let Some(gathering) = faults.settings.gather_writes.clone() else { return };
        if gathering.route != route || faults.gathered >= gathering.writers {
            return;
        }
        faults.gathered += 1;
        (faults.gathered, gathering)
    };
    // A guard against a test that never sends the last write: it then sees fewer gathered.
    let guard = tokio::time::Instant::now() + std::time::Duration::from_secs(60);
    loop {
        {
            let faults = emulator.faults.lock().expect("faults lock");
            let still = faults.settings.gather_writes.as_ref() == Some(&gathering);
            if !still || faults.gathered >= gathering.writers {
                break;
            }
        }
        if tokio::time::Instant::now() >= guard {
            emulator.faults.lock().expect("faults lock").gathering_missed = true;
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    if place == 1 {
        tokio::time::sleep(std::time::Duration::from_millis(gathering.slow_ms)).await;
    }
}

/// Keeps the answer to the write numbered `number` while the fault settings ask for it.
async fn hold_if_asked(emulator: &Emulator, number: u64) {
    let held = || emulator.faults.lock().expect("faults lock").settings.hold_after_writes == Some(number);
    if held() {
        emulator.requests.lock().expect("requests lock").held = Some(number);
        while held() {
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        emulator.requests.lock().expect("requests lock").held = None;
    }
}

async fn inject_faults<C: faults::FaultAnswers>(
    State(emulator): State<Arc<Emulator>>,
    request: Request,
    next: Next,
) -> Response {
    let (fault, latency) = {
        let mut injector = emulator.faults.lock().expect("faults lock");
        (injector.draw(), injector.settings.latency_ms)
    };
    if latency > 0 {
        tokio::time::sleep(std::time::Duration::from_millis(latency)).await;
    }
    if let Some(fault) = fault {
        emulator.requests.lock().expect("requests lock").faults_injected += 1;
        tracing::debug!(?fault, "injecting fault");
        if let Some(response) = faults::early_response::<C>(fault) {
            return response;
        }
    }
    let response = next.run(request).await;
    if fault == Some(Fault::LostResponse) {
        return faults::broken_connection();
    }
    response
}
