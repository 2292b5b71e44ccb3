//! UpCloud router static routes. There is no per-route API: every change reads the router and
//! writes back its whole user route list, one change per router at a time.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use async_trait::async_trait;

use super::model::{NextHop, Route, RouteKey, Table, next_hop_path, router_path, table_attr};
use super::table::{Routes, malformed};
use crate::clouds::upcloud::{Router, RouterFields, StaticRoute, UpcloudClient};
use crate::net::{IpNet, RouterId};
use crate::resources::{Ctx, Error};
use crate::tf::{Attr, Diagnostic, Diagnostics};

/// One lock per router, for the provider process: read-modify-write of a router's route list
/// must not interleave, or parallel applies would drop each other's routes.
#[derive(Default)]
pub(super) struct RouterLocks(Mutex<HashMap<RouterId, Arc<tokio::sync::Mutex<()>>>>);

impl RouterLocks {
    pub(super) async fn lock(&self, router: RouterId) -> tokio::sync::OwnedMutexGuard<()> {
        let lock = self.0.lock().expect("router locks").entry(router).or_default().clone();
        lock.lock_owned().await
    }
}

fn is_service(route: &StaticRoute) -> bool {
    route.kind.as_deref() == Some("service")
}

/// The user routes, ready to send back (UpCloud refuses to be told a route's type).
fn user_routes(router: &Router) -> Vec<StaticRoute> {
    router.static_routes.iter().filter(|r| !is_service(r)).map(|r| StaticRoute { kind: None, ..r.clone() }).collect()
}

/// The user route for `destination`, as the router has it.
pub(super) fn find(router: &Router, destination: &IpNet) -> Option<StaticRoute> {
    router.static_routes.iter().find(|r| !is_service(r) && r.route == *destination).cloned()
}

/// UpCloud's own name for an unnamed route.
pub(super) fn is_default_name(name: &str) -> bool {
    name.strip_prefix("static-route-").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}

/// The router as it is now, for a read-modify-write.
pub(super) async fn get_router(client: &UpcloudClient, router: RouterId) -> Result<Option<Router>, Error> {
    crate::resources::unless_gone(client.get_router(router).await)
}

/// The router for a refresh or a check, read once for every route on it.
async fn read_router(client: &UpcloudClient, router: RouterId) -> Result<Option<Router>, Error> {
    crate::resources::unless_gone(client.get_router_shared(router).await)
}

async fn write_routes(client: &UpcloudClient, router: &Router, routes: Vec<StaticRoute>) -> Result<Router, Error> {
    // The SDK always sends the name; so do we.
    let fields = RouterFields { name: Some(router.name.clone()), labels: None, static_routes: Some(routes) };
    Ok(client.modify_router(router.uuid, &fields).await?)
}

/// How often a read-modify-write starts over after the cloud failed under it, and the pause
/// before the first new start (it doubles each time).
const RMW_ATTEMPTS: u32 = 6;
const RMW_PAUSE: std::time::Duration = std::time::Duration::from_millis(250);

/// Runs one read-modify-write of a router under its lock, starting over (re-reading) when the
/// cloud failed: the HTTP layer has already retried each request, but a route must be as
/// patient as the peering it serves. A write whose answer was lost is seen by the re-read.
async fn with_router_lock<T, F: Future<Output = Result<T, Error>>>(
    locks: &RouterLocks,
    router: RouterId,
    mut step: impl FnMut() -> F,
) -> Result<T, Error> {
    let _guard = locks.lock(router).await;
    let mut attempt = 0;
    loop {
        match step().await {
            Err(e) if e.is_resumable() && attempt + 1 < RMW_ATTEMPTS => {
                tracing::debug!(error = %e, %router, attempt, "router read-modify-write failed; starting over");
                tokio::time::sleep(RMW_PAUSE * 2u32.pow(attempt)).await;
                attempt += 1;
            }
            result => return result,
        }
    }
}

/// Adds the route, or brings the existing one for this destination to the wanted next hop
/// and name. Returns the route as the router now has it, and whether one was there before.
pub(super) async fn upsert(
    locks: &RouterLocks,
    client: &UpcloudClient,
    key: &RouteKey,
    nexthop: &str,
    name: Option<&str>,
) -> Result<(StaticRoute, bool), Error> {
    with_router_lock(locks, key.router, || upsert_once(client, key, nexthop, name)).await
}

async fn upsert_once(
    client: &UpcloudClient,
    key: &RouteKey,
    nexthop: &str,
    name: Option<&str>,
) -> Result<(StaticRoute, bool), Error> {
    let router = get_router(client, key.router).await?.ok_or_else(|| missing_router(key.router))?;
    let mut routes = user_routes(&router);
    let wanted = StaticRoute {
        name: name.map(str::to_string),
        route: key.destination,
        nexthop: nexthop.to_string(),
        kind: None,
    };
    let existed = match routes.iter_mut().find(|r| r.route == key.destination) {
        Some(existing) if existing.nexthop == wanted.nexthop && (name.is_none() || existing.name == wanted.name) => {
            return Ok((existing.clone(), true));
        }
        // An unnamed route keeps the name UpCloud gave it.
        Some(existing) => {
            *existing = StaticRoute { name: wanted.name.or(existing.name.take()), ..wanted };
            true
        }
        None => {
            routes.push(wanted);
            false
        }
    };
    let updated = write_routes(client, &router, routes).await?;
    let route = find(&updated, &key.destination).ok_or_else(|| {
        Error::failed(
            "UpCloud dropped the route",
            format!("Router {} accepted the route list without {}.", key.router, key.destination),
        )
    })?;
    Ok((route, existed))
}

/// Removes the route if it is there; a missing router or route is already done.
pub(super) async fn remove(locks: &RouterLocks, client: &UpcloudClient, key: &RouteKey) -> Result<(), Error> {
    with_router_lock(locks, key.router, || remove_once(client, key)).await
}

async fn remove_once(client: &UpcloudClient, key: &RouteKey) -> Result<(), Error> {
    let Some(router) = get_router(client, key.router).await? else { return Ok(()) };
    let mut routes = user_routes(&router);
    let before = routes.len();
    routes.retain(|r| r.route != key.destination);
    if routes.len() != before {
        write_routes(client, &router, routes).await?;
    }
    Ok(())
}

fn missing_router(router: RouterId) -> Error {
    Error::invalid(
        "UpCloud router not found",
        format!("No UpCloud router {router} is visible with these credentials."),
        Some(router_path()),
    )
}

/// Plan-time checks: the router exists (an error); the next hop lies in a network attached to
/// it (a warning).
pub(super) async fn check(client: &UpcloudClient, key: &RouteKey, nexthop: Option<&str>) -> Result<Diagnostics, Error> {
    let mut diags = Diagnostics::default();
    let Some(router) = read_router(client, key.router).await? else {
        diags.push(missing_router(key.router).to_diagnostic());
        return Ok(diags);
    };
    let Some(ip) = nexthop.and_then(|n| n.parse::<IpAddr>().ok()) else { return Ok(diags) };
    let mut attached = Vec::new();
    for network in &router.attached_networks.network {
        let network = client.get_network(network.uuid).await?;
        attached.extend(network.cidrs().into_iter().map(|cidr| (network.uuid, cidr)));
    }
    if !attached.iter().any(|(_, cidr)| cidr.contains(&ip)) {
        let networks: Vec<String> = attached.iter().map(|(id, cidr)| format!("{id} ({cidr})")).collect();
        let listed = if networks.is_empty() { "none".to_string() } else { networks.join(", ") };
        // UpCloud accepts such a route (recorded: tests/golden/upcloud/
        // router_create_static_route_unattached_nexthop.json); the network may be attached later.
        diags.push(
            Diagnostic::warning(
                "Next hop outside the router's networks",
                format!(
                    "{ip} is not inside a network attached to router {} ({}). Attached networks: {listed}. UpCloud \
                     accepts the route, but it carries traffic only once a network holding {ip} is attached.",
                    router.uuid, router.name
                ),
            )
            .at(next_hop_path()),
        );
    }
    Ok(diags)
}

/// One UpCloud router's user static routes.
pub(super) struct RouterRoutes<'c> {
    pub client: &'c UpcloudClient,
    pub locks: &'c RouterLocks,
    pub router: RouterId,
}

/// The state for an UpCloud route as the router has it; `description` follows the remote name
/// unless the user left it unset and UpCloud named the route itself.
fn observe(mut state: Route, key: &RouteKey, route: &StaticRoute) -> Route {
    let remote = route.name.clone().unwrap_or_default();
    state.id = Attr::Known(key.to_string());
    state.route_table = Attr::Known(table_attr(&Table::Upcloud { router: key.router }));
    state.destination = Attr::Known(key.destination.to_string());
    state.next_hop = Attr::Known(NextHop { ip: Attr::Known(route.nexthop.clone()), ..Default::default() });
    let unset_and_defaulted =
        state.description.is_null() && (is_default_name(&remote) || state.name.known() == Some(&remote));
    if !unset_and_defaulted {
        state.description = Attr::Known(remote.clone());
    }
    state.name = Attr::Known(remote);
    state
}

impl RouterRoutes<'_> {
    fn key(&self, route: &Route) -> Result<RouteKey, Error> {
        route.key().filter(|k| k.router == self.router).ok_or_else(malformed)
    }
}

#[async_trait]
impl Routes for RouterRoutes<'_> {
    fn destination_names_route(&self) -> bool {
        true
    }

    async fn check(&self, planned: &Route) -> Result<Diagnostics, Error> {
        let Ok(key) = self.key(planned) else { return Ok(Diagnostics::default()) };
        let ip = planned.next_hop.known().and_then(|h| h.ip.known().cloned());
        check(self.client, &key, ip.as_deref()).await
    }

    async fn put(&self, ctx: &Ctx<'_>, prior: Option<&Route>, state: Route) -> Result<Route, Error> {
        let key = self.key(&state)?;
        let nexthop = state.next_hop.known().and_then(|h| h.ip.known().cloned());
        let nexthop =
            nexthop.ok_or_else(|| Error::invalid("No next hop", "Set next_hop.ip.", Some(next_hop_path())))?;
        let name = state.description.known().map(String::as_str);
        let (route, existed) = upsert(self.locks, self.client, &key, &nexthop, name).await?;
        if prior.is_none() && existed {
            ctx.warn_adopted(
                "UpCloud static route",
                &format!("to {} via {} on router {}", key.destination, route.nexthop, key.router),
            );
        }
        Ok(observe(state, &key, &route))
    }

    async fn read(&self, state: Route) -> Result<Option<Route>, Error> {
        let key = self.key(&state)?;
        let Some(router) = read_router(self.client, key.router).await? else { return Ok(None) };
        Ok(find(&router, &key.destination).map(|route| observe(state, &key, &route)))
    }

    async fn find(&self, destination: IpNet) -> Result<Option<Route>, Error> {
        let key = RouteKey { router: self.router, destination };
        let router = read_router(self.client, self.router).await?;
        Ok(router.as_ref().and_then(|r| find(r, &destination)).map(|route| observe(Route::default(), &key, &route)))
    }

    async fn remove(&self, prior: &Route) -> Result<(), Error> {
        remove(self.locks, self.client, &self.key(prior)?).await
    }
}
