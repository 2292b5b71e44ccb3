//! Writes to an UpCloud router's static routes that stay right when other processes write the
//! same router: Terraform runs in other working directories, other provider aliases, other
//! machines, with no lock shared between them.
//!
//! UpCloud has no per-route API and no conditional write: `PATCH /1.3/router/{uuid}` replaces
//! the whole user route list, and no ETag, `If-Match`, version or `modified` field guards it
//! (`../shared/docs/api-upcloud.md` §4). Two writers that read the same list each write their
//! own copy back, and the last one wins. So, per router:
//!
//! 1. **Group commit.** Every change waiting on the router in this process goes out in one
//!    write: one read, one PATCH, however many routes Terraform applies at once.
//! 2. **Fresh reads.** Every write, and every retry of one, is built from a read made just
//!    before it; the PATCH itself is never retried by the HTTP layer.
//! 3. **A look after the window.** Another writer that read the list before our write landed
//!    writes within one read-modify-write of its read. So once a write is answered, the router is
//!    read again after the settle window — longer than any read-modify-write seen here, never
//!    under [`WINDOW_FLOOR`] — and what another writer undid is written again: our routes put
//!    back, a route we removed removed again. A change is done only when such a look shows it.
//! 4. **Bounded.** A change written [`MAX_WRITES`] times that still does not hold fails with an
//!    error naming the router: something keeps undoing it.
//!
//! The worker for a router runs while changes wait on it, as a task of its own, so a change
//! Terraform stops waiting for is still finished and looked at.
//!
//! A static route has no labels of its own, so whose it is ([`crate::resources::ownership`])
//! is said by a label of the router, `peering-route-HASH = [creating-]TOKEN`, written in the same
//! PATCH as the route and removed with it.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rand::Rng;
use tokio::sync::oneshot;
use tokio::time::Instant;

use super::router::{find, is_service, missing_router, user_routes};
use crate::resources::Error;
use crate::resources::ownership::{Foreign, Mark, OWNER_TAG, Ownership, Verdict, cross_run_protocol};
use peering_clouds::CloudFailure as _;
use peering_clouds::upcloud::{Label, Router, RouterFields, StaticRoute, UpcloudClient};
use peering_net::{IpNet, UpcloudRouterId};

/// The shortest settle window: longer than a read-modify-write takes on a loaded machine.
const WINDOW_FLOOR: Duration = Duration::from_millis(400);
/// The window is this many times the slowest read-modify-write seen on the router: another
/// writer's, begun before our write landed, ends within one of its own; the second is the margin
/// for a writer slower than us. (Three cost a route 0.2 s more at 100 ms answers: make bench.)
const WINDOW_FACTOR: u32 = 2;
/// How long an idle router's worker waits for the other changes Terraform starts at once.
const GATHER: Duration = Duration::from_millis(50);
/// How often one change is written before it is given up as undone by someone else.
const MAX_WRITES: u32 = 6;
/// How often the router's read or write may fail in a row before the waiting changes fail.
const MAX_FAILURES: u32 = 6;
/// The pause after the first failure; it doubles with each failure in a row.
const FAILURE_PAUSE: Duration = Duration::from_millis(250);

/// A change to one route of a router, keyed by its destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Change {
    /// The route to `destination` via `nexthop`, marked `mark`; `name: None` keeps whatever
    /// name it has. `create`: a new resource's route, which may take another route to the same
    /// destination only by the ownership rule (an earlier unfinished create's, as planned).
    Put {
        destination: IpNet,
        nexthop: String,
        name: Option<String>,
        create: bool,
        mark: Mark,
    },
    Remove {
        destination: IpNet,
    },
}

impl Change {
    fn destination(&self) -> IpNet {
        match self {
            Change::Put { destination, .. } | Change::Remove { destination } => *destination,
        }
    }

    /// Whether the router already has what the change asks for, marker included.
    fn holds_in(&self, router: &Router) -> bool {
        let present = find(router, &self.destination());
        let marked = route_mark(router, &self.destination());
        match (self, present) {
            (Change::Put { nexthop, name, mark, .. }, Some(route)) => {
                route.nexthop == *nexthop && (name.is_none() || route.name == *name) && marked == *mark
            }
            (Change::Put { .. }, None) => false,
            (Change::Remove { .. }, present) => present.is_none() && marked == Mark::Unmarked,
        }
    }

    /// For a create: the route already at the destination, if any, by the ownership rule —
    /// `Ok(None)` when there is none, `Ok(Some(verdict))` when this create may take it, else
    /// "already exists" naming it.
    fn judge_in(&self, router: &Router, router_id: UpcloudRouterId) -> Result<Option<Verdict>, Error> {
        let Change::Put { nexthop, name, create: true, mark, .. } = self else { return Ok(None) };
        let Some(present) = find(router, &self.destination()) else { return Ok(None) };
        let same_name = match (name, &present.name) {
            (Some(planned), Some(remote)) => planned == remote,
            (Some(_), None) => false,
            (None, remote) => remote.as_deref().is_none_or(super::router::is_default_name),
        };
        let as_planned = present.nexthop == *nexthop && same_name;
        let ours = Ownership { owner: mark.owner(), ..Default::default() };
        let found = route_mark(router, &self.destination());
        let why = match ours.judge(&found, true, as_planned) {
            Verdict::Foreign(_) if !as_planned && found == Mark::Unmarked => Foreign::Mismatch,
            Verdict::Foreign(why) => why,
            verdict => return Ok(Some(verdict)),
        };
        Err(foreign_route(router_id, &present, why))
    }

    /// Applies the change to a user route list and the router's labels.
    fn apply(&self, routes: &mut Vec<StaticRoute>, labels: &mut BTreeMap<String, String>) {
        let destination = self.destination();
        let key = route_label(&destination);
        match self {
            Change::Put { mark, .. } => {
                let mut marked = mark.with(&BTreeMap::new());
                match marked.remove(OWNER_TAG) {
                    Some(value) => labels.insert(key, value),
                    None => labels.remove(&key),
                };
            }
            Change::Remove { .. } => {
                labels.remove(&key);
            }
        }
        let existing = routes.iter().position(|r| r.route == destination);
        match (self, existing) {
            (Change::Put { nexthop, name, .. }, Some(i)) => {
                // An unnamed route keeps the name UpCloud gave it.
                let kept = routes[i].name.take();
                routes[i] = StaticRoute {
                    name: name.clone().or(kept),
                    route: destination,
                    nexthop: nexthop.clone(),
                    kind: None,
                };
            }
            (Change::Put { nexthop, name, .. }, None) => routes.push(StaticRoute {
                name: name.clone(),
                route: destination,
                nexthop: nexthop.clone(),
                kind: None,
            }),
            (Change::Remove { .. }, Some(i)) => {
                routes.remove(i);
            }
            (Change::Remove { .. }, None) => {}
        }
    }
}

/// How a change ended.
#[derive(Debug)]
pub(super) enum Done {
    /// The route as the router has it, and whether it was an earlier unfinished create's,
    /// resumed.
    Put {
        route: StaticRoute,
        resumed: bool,
    },
    Removed,
}

type Reply = oneshot::Sender<Result<Done, Error>>;

/// A change the worker has taken on.
struct Waiting {
    change: Change,
    reply: Reply,
    /// Whether the first read found an earlier unfinished create's route, resumed (`None`: not
    /// read yet).
    resumed: Option<bool>,
    /// When the look after our last write of it is due: a window after the write's answer.
    look_due: Option<Instant>,
    writes: u32,
    /// Written on its own, after a write that held it with others was refused.
    alone: bool,
}

impl Waiting {
    fn finish(self, result: Result<Done, Error>) {
        // The caller may have stopped waiting (Terraform cancelled); the change is done anyway.
        let _ = self.reply.send(result);
    }

    fn done(self, router: &Router) {
        let result = match &self.change {
            Change::Put { destination, .. } => match find(router, destination) {
                Some(route) => Ok(Done::Put { route, resumed: self.resumed.unwrap_or(false) }),
                None => Err(undone(router.uuid, &self.change, self.writes)),
            },
            Change::Remove { .. } => Ok(Done::Removed),
        };
        self.finish(result);
    }
}

/// One router's desk: the changes that came in, and whether a worker is taking them.
#[derive(Default)]
struct Desk {
    incoming: Vec<Waiting>,
    worker_running: bool,
    /// The slowest read-modify-write seen on this router, for the settle window.
    slowest: Duration,
}

/// Every router this process writes, each with its desk.
#[derive(Default)]
pub(super) struct RouterWrites(Mutex<HashMap<UpcloudRouterId, Arc<Mutex<Desk>>>>);

impl RouterWrites {
    /// Hands the change to the router's worker (starting one if none runs) and waits until a
    /// look after its window shows it held, or it failed.
    pub(super) async fn submit(
        &self,
        client: &UpcloudClient,
        router: UpcloudRouterId,
        change: Change,
    ) -> Result<Done, Error> {
        let answer = self.enqueue(client, router, change);
        answer.await.unwrap_or_else(|_| {
            Err(Error::failed("UpCloud route write stopped", format!("The writer of router {router} ended early.")))
        })
    }

    /// Hands the change to the router's worker without waiting for it: it goes out with the
    /// router's next write, by the same protocol.
    pub(super) fn submit_later(&self, client: &UpcloudClient, router: UpcloudRouterId, change: Change) {
        drop(self.enqueue(client, router, change));
    }

    fn enqueue(
        &self,
        client: &UpcloudClient,
        router: UpcloudRouterId,
        change: Change,
    ) -> oneshot::Receiver<Result<Done, Error>> {
        let desk = self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner).entry(router).or_default().clone();
        let (reply, answer) = oneshot::channel();
        let waiting = Waiting { change, reply, resumed: None, look_due: None, writes: 0, alone: false };
        let start = {
            let mut desk = lock(&desk);
            desk.incoming.push(waiting);
            !std::mem::replace(&mut desk.worker_running, true)
        };
        if start {
            crate::resources::background::spawn(
                Worker { client: client.clone(), router, desk, active: Vec::new() }.run(),
            );
        }
        answer
    }
}

/// Terraform's "already exists" for another route at a new route's destination.
fn foreign_route(router: UpcloudRouterId, present: &StaticRoute, why: Foreign) -> Error {
    let name = present.name.as_deref().map(|n| format!(" named {n:?}")).unwrap_or_default();
    Error::AlreadyExists {
        kind: "UpCloud static route",
        object: format!("to {} via {}{name} on router {router}", present.route, present.nexthop),
        import_id: format!("upcloud/{router}/{}", present.route),
        why,
    }
}

/// The router label that says whose the route to `destination` is: the destination hashed
/// (FNV-1a, stable across builds), so that any destination fits UpCloud's 32-character keys.
pub(super) fn route_label(destination: &IpNet) -> String {
    let hash = destination
        .to_string()
        .bytes()
        .fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3));
    format!("peering-route-{hash:016x}")
}

/// The ownership marker of the route to `destination`, from the router's labels.
pub(super) fn route_mark(router: &Router, destination: &IpNet) -> Mark {
    let key = route_label(destination);
    let value = router.labels.iter().find(|l| l.key == key).map(|l| l.value.clone());
    Mark::of(&value.map(|v| BTreeMap::from([(OWNER_TAG.to_string(), v)])).unwrap_or_default())
}

fn lock(desk: &Mutex<Desk>) -> std::sync::MutexGuard<'_, Desk> {
    desk.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The error of a change that did not hold after all its writes.
fn undone(router: UpcloudRouterId, change: &Change, writes: u32) -> Error {
    let what = match change {
        Change::Put { destination, nexthop, .. } => format!("the route to {destination} via {nexthop}"),
        Change::Remove { destination } => format!("the removal of the route to {destination}"),
    };
    Error::failed(
        "UpCloud router routes did not settle",
        format!(
            "Router {router}: {what} was written {writes} times and each time something else undid it. Another \
             writer (another Terraform run, or a tool outside Terraform) keeps replacing this router's route list. \
             Let it finish and apply again."
        ),
    )
}

/// The error several changes share, in Terraform's words (an error is told once per change).
fn shared(error: &Error) -> Error {
    Error::Rejected(error.to_diagnostics())
}

struct Worker {
    client: UpcloudClient,
    router: UpcloudRouterId,
    desk: Arc<Mutex<Desk>>,
    active: Vec<Waiting>,
}

impl Worker {
    async fn run(mut self) {
        let mut failures = 0;
        loop {
            if !self.take_incoming() {
                return;
            }
            self.wait_for_due_look().await;
            let started = Instant::now();
            let outcome = self.round(started).await;
            match outcome {
                Ok(()) => failures = 0,
                Err(e) if e.is_resumable() && failures + 1 < MAX_FAILURES => {
                    tracing::debug!(error = %e, router = %self.router, failures, "router read or write failed; reading again");
                    tokio::time::sleep(FAILURE_PAUSE * 2u32.pow(failures)).await;
                    failures += 1;
                }
                Err(e) => {
                    for waiting in self.active.drain(..) {
                        waiting.finish(Err(shared(&e)));
                    }
                    failures = 0;
                }
            }
        }
    }

    /// Moves what came in to the active list; `false` (and the worker stops) when nothing waits.
    fn take_incoming(&mut self) -> bool {
        let mut desk = lock(&self.desk);
        let incoming = std::mem::take(&mut desk.incoming);
        for waiting in incoming {
            // A later change to the same destination replaces an earlier one (Terraform orders
            // them); the earlier caller is told it is done.
            if let Some(i) = self.active.iter().position(|w| w.change.destination() == waiting.change.destination()) {
                let earlier = std::mem::replace(&mut self.active[i], waiting);
                let result = match earlier.change {
                    Change::Remove { .. } => Ok(Done::Removed),
                    Change::Put { .. } => Err(Error::failed(
                        "UpCloud route replaced",
                        "A later change to the same route was made before this one settled.",
                    )),
                };
                earlier.finish(result);
            } else {
                self.active.push(waiting);
            }
        }
        if self.active.is_empty() {
            desk.worker_running = false;
            return false;
        }
        true
    }

    fn window(&self) -> Duration {
        let slowest = lock(&self.desk).slowest;
        let window = (slowest * WINDOW_FACTOR).max(WINDOW_FLOOR);
        // A little jitter keeps two writers from looking and writing in step.
        window + window.mul_f64(rand::rng().random_range(0.0..0.25))
    }

    /// Waits until the earliest look is due; changes that come in meanwhile go out with that
    /// look's write. With no look pending (the router was idle), waits a moment for the
    /// changes Terraform starts together, so that they leave in one write.
    async fn wait_for_due_look(&self) {
        match self.active.iter().filter_map(|w| w.look_due).min() {
            Some(due) => tokio::time::sleep_until(due).await,
            None => tokio::time::sleep(GATHER).await,
        }
    }

    /// One read, the looks it settles, and at most one write.
    async fn round(&mut self, started: Instant) -> Result<(), Error> {
        let router = match crate::resources::unless_gone(self.client.get_router(self.router).await)? {
            Some(router) => router,
            None => {
                let missing = missing_router(self.router);
                for waiting in self.active.drain(..) {
                    let result = match waiting.change {
                        Change::Remove { .. } => Ok(Done::Removed),
                        Change::Put { .. } => Err(shared(&missing)),
                    };
                    waiting.finish(result);
                }
                return Ok(());
            }
        };
        // Changes that came in during the read go out with this write.
        self.take_incoming();
        let mut keep = Vec::new();
        for mut waiting in std::mem::take(&mut self.active) {
            if waiting.resumed.is_none() {
                match waiting.change.judge_in(&router, self.router) {
                    Ok(verdict) => waiting.resumed = Some(verdict == Some(Verdict::Resume)),
                    Err(e) => {
                        waiting.finish(Err(e));
                        continue;
                    }
                }
            }
            let holds = waiting.change.holds_in(&router);
            let settled = match waiting.look_due {
                // Never written by us: what holds already needs no guarding.
                None => holds,
                Some(due) => holds && due <= started,
            };
            if settled {
                waiting.done(&router);
                continue;
            }
            if !holds && waiting.look_due.is_some() {
                tracing::debug!(router = %self.router, change = ?waiting.change, "another writer undid a route change; writing it again");
                waiting.look_due = None;
            }
            if !holds && waiting.writes >= MAX_WRITES {
                let writes = waiting.writes;
                let error = undone(self.router, &waiting.change, writes);
                waiting.finish(Err(error));
                continue;
            }
            keep.push(waiting);
        }
        self.active = keep;
        self.write(router, started).await
    }

    /// Writes every change the read did not show, on top of that read.
    async fn write(&mut self, router: Router, started: Instant) -> Result<(), Error> {
        let unwritten: Vec<usize> = (0..self.active.len()).filter(|&i| self.active[i].look_due.is_none()).collect();
        if unwritten.is_empty() {
            return Ok(());
        }
        // After a refused write, each of its changes goes alone, so only the bad one fails.
        let batch: Vec<usize> = match unwritten.iter().find(|&&i| self.active[i].alone) {
            Some(&i) => vec![i],
            None => unwritten,
        };
        let mut routes = user_routes(&router);
        let mut labels: BTreeMap<String, String> =
            router.labels.iter().map(|l| (l.key.clone(), l.value.clone())).collect();
        for w in self.active.iter().filter(|w| w.look_due.is_some()) {
            w.change.apply(&mut routes, &mut labels);
        }
        for &i in &batch {
            self.active[i].change.apply(&mut routes, &mut labels);
        }
        debug_assert!(routes.iter().all(|r| !is_service(r)));
        // The SDK always sends the name; so do we. Labels go whole, as UpCloud replaces them.
        let labels = labels.into_iter().map(|(key, value)| Label { key, value }).collect();
        let fields =
            RouterFields { name: Some(router.name.clone()), labels: Some(labels), static_routes: Some(routes) };
        let written = match self.client.modify_router_once(self.router, &fields).await {
            Ok(written) => written,
            Err(e) if e.outcome_unknown() => {
                // It may have landed, at a moment we cannot know: look after a window, as
                // after any write, and write again if it did not.
                tracing::debug!(error = %e, router = %self.router, "a route write went unanswered; looking after the window");
                let look_due = Instant::now() + self.window();
                for &i in &batch {
                    self.active[i].writes += 1;
                    self.active[i].look_due = Some(look_due);
                }
                return Ok(());
            }
            Err(e) => {
                let error = Error::from(e);
                if error.is_resumable() {
                    return Err(error);
                }
                if batch.len() > 1 {
                    tracing::debug!(error = %error, router = %self.router, "a route write was refused; writing each change alone");
                    for &i in &batch {
                        self.active[i].alone = true;
                    }
                    return Ok(());
                }
                let waiting = self.active.remove(batch[0]);
                waiting.finish(Err(error));
                return Ok(());
            }
        };
        let answered = Instant::now();
        {
            let mut desk = lock(&self.desk);
            desk.slowest = desk.slowest.max(answered - started);
        }
        let look_due = answered + self.window();
        let mut failed = Vec::new();
        for &i in &batch {
            let waiting = &mut self.active[i];
            waiting.writes += 1;
            waiting.look_due = Some(look_due);
            if !waiting.change.holds_in(&written) {
                failed.push(i);
            }
        }
        let trusted: Vec<usize> = if cross_run_protocol() {
            Vec::new()
        } else {
            // Switched off (test builds): the write's own answer is taken as the last word, as
            // a plain read-modify-write would; no look after the window.
            batch.iter().copied().filter(|i| !failed.contains(i)).collect()
        };
        let mut finished: Vec<(usize, Result<(), Error>)> = failed
            .into_iter()
            .map(|i| {
                let destination = self.active[i].change.destination();
                let error = Error::failed(
                    "UpCloud dropped the route",
                    format!("Router {} accepted the route list without the change to {destination}.", self.router),
                );
                (i, Err(error))
            })
            .chain(trusted.into_iter().map(|i| (i, Ok(()))))
            .collect();
        finished.sort_by_key(|(i, _)| *i);
        for (i, result) in finished.into_iter().rev() {
            let waiting = self.active.remove(i);
            match result {
                Ok(()) => waiting.done(&written),
                Err(error) => waiting.finish(Err(error)),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::resources::ownership::Token;

    fn route(destination: &str, nexthop: &str, name: Option<&str>) -> StaticRoute {
        StaticRoute {
            name: name.map(str::to_string),
            route: destination.parse().unwrap(),
            nexthop: nexthop.into(),
            kind: None,
        }
    }

    fn router(routes: Vec<StaticRoute>) -> Router {
        Router {
            uuid: "04000000-0000-4000-8000-0000000000a1".parse().unwrap(),
            name: "r".into(),
            kind: "normal".into(),
            labels: Vec::new(),
            attached_networks: Default::default(),
            static_routes: routes,
        }
    }

    fn put(name: Option<&str>, mark: Mark, create: bool) -> Change {
        Change::Put {
            create,
            destination: "10.1.0.0/24".parse().unwrap(),
            nexthop: "10.0.0.1".into(),
            name: name.map(str::to_string),
            mark,
        }
    }

    fn marked(mut r: Router, destination: &str, value: &str) -> Router {
        r.labels.push(Label { key: route_label(&destination.parse().unwrap()), value: value.into() });
        r
    }

    #[test]
    fn a_put_holds_only_with_its_next_hop_its_marker_and_any_name_when_unnamed() {
        let token = Token::new();
        let owned = Mark::Owned(token.clone());
        let r = marked(
            router(vec![route("10.1.0.0/24", "10.0.0.1", Some("static-route-1"))]),
            "10.1.0.0/24",
            &token.to_string(),
        );
        assert!(put(None, owned.clone(), false).holds_in(&r));
        assert!(!put(Some("mine"), owned.clone(), false).holds_in(&r));
        assert!(!put(None, Mark::Creating(token), false).holds_in(&r), "the marker is part of the change");
        assert!(!put(None, owned.clone(), false).holds_in(&router(vec![route("10.1.0.0/24", "10.0.0.2", None)])));
        assert!(!put(None, owned, false).holds_in(&router(Vec::new())));
    }

    #[test]
    fn a_create_takes_only_an_unfinished_create_of_the_same_route() {
        let id = router(Vec::new()).uuid;
        let creating = Mark::Creating(Token::new());
        let same = router(vec![route("10.1.0.0/24", "10.0.0.1", None)]);
        let unfinished = marked(same.clone(), "10.1.0.0/24", "creating-0a1b");
        assert_eq!(put(None, creating.clone(), true).judge_in(&unfinished, id).unwrap(), Some(Verdict::Resume));
        assert_eq!(put(None, creating.clone(), true).judge_in(&router(Vec::new()), id).unwrap(), None);
        let refused = |r: &Router| match put(None, creating.clone(), true).judge_in(r, id) {
            Err(Error::AlreadyExists { why, .. }) => why,
            other => panic!("{other:?}"),
        };
        assert_eq!(refused(&same), Foreign::Unmarked, "by hand, as planned");
        assert_eq!(refused(&marked(same.clone(), "10.1.0.0/24", "0a1b")), Foreign::Owned, "another state's");
        let other_hop = router(vec![route("10.1.0.0/24", "10.0.0.99", Some("by-hand"))]);
        assert_eq!(refused(&other_hop), Foreign::Mismatch);
        // An update does not ask.
        assert_eq!(put(None, creating, false).judge_in(&other_hop, id).unwrap(), None);
    }

    #[test]
    fn applying_keeps_a_given_name_and_removes_only_its_destination_with_its_marker() {
        let mut routes =
            vec![route("10.1.0.0/24", "10.0.0.1", Some("static-route-1")), route("10.2.0.0/24", "10.0.0.1", None)];
        let mut labels = BTreeMap::from([("team".to_string(), "net".to_string())]);
        let token = Token::new();
        let change = Change::Put {
            destination: "10.1.0.0/24".parse().unwrap(),
            nexthop: "10.0.0.9".into(),
            name: None,
            create: false,
            mark: Mark::Owned(token.clone()),
        };
        change.apply(&mut routes, &mut labels);
        assert_eq!(routes[0], route("10.1.0.0/24", "10.0.0.9", Some("static-route-1")));
        assert_eq!(labels.get(&route_label(&"10.1.0.0/24".parse().unwrap())), Some(&token.to_string()));
        Change::Remove { destination: "10.2.0.0/24".parse().unwrap() }.apply(&mut routes, &mut labels);
        assert_eq!(routes.len(), 1);
        Change::Remove { destination: "10.1.0.0/24".parse().unwrap() }.apply(&mut routes, &mut labels);
        assert!(routes.is_empty());
        assert_eq!(labels, BTreeMap::from([("team".to_string(), "net".to_string())]), "others' labels stay");
        assert!(route_label(&"2001:db8:aaaa:bbbb:cccc:dddd:eeee:ffff/128".parse().unwrap()).len() <= 32);
    }
}
