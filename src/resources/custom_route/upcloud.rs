//! UpCloud router static routes. There is no per-route API: every change reads the router and
//! writes back its whole user route list, through the router's writer ([`super::router_writes`]).

use std::net::IpAddr;

use async_trait::async_trait;

use super::model::{NextHop, Route, RouteKey, Table, next_hop_path, table_attr};
use super::router::{find, is_default_name, missing_router};
use super::router_writes::{Change, Done, RouterWrites, route_mark};
use super::table::{Routes, malformed};
use crate::resources::ownership::Mark;
use crate::resources::{Ctx, Error};
use peering_clouds::upcloud::{Router, StaticRoute, UpcloudClient};
use peering_net::{IpNet, UpcloudRouterId};
use tfplugin6::{Attr, Diagnostic, Diagnostics};

/// The router for a refresh or a check, read once for every route on it.
async fn read_router(client: &UpcloudClient, router: UpcloudRouterId) -> Result<Option<Router>, Error> {
    crate::resources::unless_gone(client.get_router_shared(router).await)
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
    pub writes: &'c RouterWrites,
    pub router: UpcloudRouterId,
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
        let name = state.description.known().cloned();
        let token = ctx.owner_token();
        let put = |create: bool, mark: Mark| Change::Put {
            destination: key.destination,
            nexthop: nexthop.clone(),
            name: name.clone(),
            create,
            mark,
        };
        let first = if prior.is_none() {
            put(true, Mark::Creating(token.clone()))
        } else {
            put(false, Mark::Owned(token.clone()))
        };
        let Done::Put { route, resumed } = self.writes.submit(self.client, key.router, first).await? else {
            return Err(malformed());
        };
        if resumed {
            ctx.note_adopted(
                "UpCloud static route",
                &format!("to {} via {} on router {}", key.destination, route.nexthop, key.router),
            );
        }
        // A create is done: the route becomes this resource's finished work. That write goes
        // out after Terraform has the route in state (the answer below), so a run killed at any
        // write leaves nothing a resumed apply cannot take back as its own.
        if prior.is_none() {
            self.writes.submit_later(self.client, key.router, put(false, Mark::Owned(token)));
        }
        Ok(observe(state, &key, &route))
    }

    async fn read(&self, state: Route) -> Result<Option<Route>, Error> {
        let key = self.key(&state)?;
        let Some(router) = read_router(self.client, key.router).await? else { return Ok(None) };
        Ok(find(&router, &key.destination).map(|route| observe(state, &key, &route)))
    }

    async fn find(&self, ctx: &Ctx<'_>, destination: IpNet) -> Result<Option<Route>, Error> {
        let key = RouteKey { router: self.router, destination };
        let Some(router) = read_router(self.client, self.router).await? else { return Ok(None) };
        let Some(route) = find(&router, &destination) else { return Ok(None) };
        ctx.set_owner(route_mark(&router, &destination).owner());
        Ok(Some(observe(Route::default(), &key, &route)))
    }

    async fn remove(&self, prior: &Route) -> Result<(), Error> {
        let key = self.key(prior)?;
        self.writes.submit(self.client, key.router, Change::Remove { destination: key.destination }).await.map(drop)
    }
}
