//! `peering_custom_route`: one route in a route table, a Scaleway VPC's custom route or a user
//! static route of an UpCloud router.

mod model;
mod scaleway;
mod upcloud;

use async_trait::async_trait;

pub use model::schema;
use model::*;

use crate::clouds::scaleway::ScalewayClient;
use crate::clouds::upcloud::{StaticRoute, UpcloudClient};
use crate::net::IpNet;
use crate::resources::{Applied, Claim, Ctx, Error, ImportTarget, Planned, Resource};
use crate::tf::schema::IdentitySchema;
use crate::tf::{Attr, AttrPath, Diagnostic, Diagnostics, Schema};

pub struct CustomRoute {
    schema: Schema,
    identity: IdentitySchema,
    locks: upcloud::RouterLocks,
}

impl Default for CustomRoute {
    fn default() -> Self {
        CustomRoute { schema: model::schema(), identity: model::identity_schema(), locks: Default::default() }
    }
}

fn upcloud_client<'c>(ctx: &Ctx<'c>) -> Result<&'c UpcloudClient, Error> {
    ctx.upcloud(&AttrPath::root("route_table"))
}

fn scaleway_client<'c>(ctx: &Ctx<'c>) -> Result<&'c ScalewayClient, Error> {
    ctx.scaleway(&AttrPath::root("route_table"))
}

/// The state for an UpCloud route as the router has it; `description` follows the remote name
/// unless the user left it unset and UpCloud named the route itself.
fn observe_upcloud(mut state: Route, key: &RouteKey, route: &StaticRoute) -> Route {
    let remote = route.name.clone().unwrap_or_default();
    state.id = Attr::Known(key.to_string());
    state.route_table = Attr::Known(table_attr(&Table::Upcloud { router: key.router }));
    state.destination = Attr::Known(key.destination.to_string());
    state.next_hop = Attr::Known(NextHop { ip: Attr::Known(route.nexthop.clone()), ..Default::default() });
    let unset_and_defaulted =
        state.description.is_null() && (upcloud::is_default_name(&remote) || state.name.known() == Some(&remote));
    if !unset_and_defaulted {
        state.description = Attr::Known(remote.clone());
    }
    state.name = Attr::Known(remote);
    state
}

/// Next-hop kinds each cloud takes.
fn check_next_hop_kinds(table: &RouteTable, hop: &NextHop, diags: &mut Diagnostics) {
    let set = |a: &Attr<String>| !a.is_null();
    let wrong = |field: &str, cloud: &str, diags: &mut Diagnostics| {
        diags.push(
            Diagnostic::error(
                format!("next_hop.{field} is not for {cloud}"),
                format!("{cloud} routes do not take next_hop.{field}."),
            )
            .at(AttrPath::root("next_hop").attr(field)),
        )
    };
    if !table.upcloud.is_null() {
        for (field, value) in [
            ("connection", &hop.connection),
            ("private_network_id", &hop.private_network_id),
            ("resource_id", &hop.resource_id),
        ] {
            if set(value) {
                wrong(field, "UpCloud", diags);
            }
        }
        if hop.ip.is_null() {
            diags.push(
                Diagnostic::error("No next hop", "An UpCloud route needs next_hop = { ip = \"…\" }.")
                    .at(AttrPath::root("next_hop")),
            );
        }
    }
    if !table.scaleway.is_null() {
        if set(&hop.ip) {
            wrong("ip", "Scaleway", diags);
        }
        match (set(&hop.connection), set(&hop.private_network_id)) {
            (true, true) => diags.push(
                Diagnostic::error("Two next hops", "Set next_hop.connection or next_hop.private_network_id, not both.")
                    .at(AttrPath::root("next_hop")),
            ),
            (false, false) => diags.push(
                Diagnostic::error(
                    "No next hop",
                    "A Scaleway route needs next_hop.connection or next_hop.private_network_id.",
                )
                .at(AttrPath::root("next_hop")),
            ),
            _ => {}
        }
        if set(&hop.resource_id) && !set(&hop.private_network_id) {
            diags.push(
                Diagnostic::error(
                    "resource_id needs its Private Network",
                    "Set next_hop.private_network_id with next_hop.resource_id.",
                )
                .at(AttrPath::root("next_hop").attr("resource_id")),
            );
        }
    }
}

impl CustomRoute {
    async fn apply_upcloud(&self, ctx: &Ctx<'_>, creating: bool, state: Route) -> Result<Route, Error> {
        let key = state.key().ok_or_else(|| Error::invalid("The route is not known", "", None))?;
        let nexthop = state.next_hop.known().and_then(|h| h.ip.known().cloned());
        let nexthop =
            nexthop.ok_or_else(|| Error::invalid("No next hop", "Set next_hop.ip.", Some(next_hop_path())))?;
        let name = state.description.known().map(String::as_str);
        let (route, existed) = upcloud::upsert(&self.locks, upcloud_client(ctx)?, &key, &nexthop, name).await?;
        if creating && existed {
            ctx.warn_adopted(
                "UpCloud static route",
                &format!("to {} via {} on router {}", key.destination, route.nexthop, key.router),
            );
        }
        Ok(observe_upcloud(state, &key, &route))
    }

    async fn apply(&self, ctx: &Ctx<'_>, prior: Option<&Route>, state: Route) -> Result<Route, Error> {
        match state.table() {
            Some(Table::Upcloud { .. }) => self.apply_upcloud(ctx, prior.is_none(), state).await,
            Some(Table::Scaleway { region, vpc_id: vpc }) => {
                let client = scaleway_client(ctx)?;
                let known = prior.and_then(|p| p.id.known()).and_then(|id| scaleway::parse_route_id(id));
                let route = match known {
                    Some((_, id)) => scaleway::update(client, region.as_str(), id, vpc.0, &state).await?,
                    None => scaleway::create(client, region.as_str(), vpc.0, &state).await?,
                };
                scaleway::observe(client, region.as_str(), state, &route).await
            }
            None => Err(Error::invalid("The route table is not known", "", None)),
        }
    }
}

#[async_trait]
impl Resource for CustomRoute {
    type State = Route;
    type Identity = Identity;

    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn identity_schema(&self) -> &IdentitySchema {
        &self.identity
    }

    fn validate(&self, route: &Route) -> Diagnostics {
        let mut diags = Diagnostics::default();
        if let Attr::Known(table) = &route.route_table {
            match (&table.upcloud, &table.scaleway) {
                (Attr::Known(_), Attr::Known(_)) => diags.push(
                    Diagnostic::error("Two route tables", "Set route_table.upcloud or route_table.scaleway, not both.")
                        .at(AttrPath::root("route_table")),
                ),
                (Attr::Null, Attr::Null) => diags.push(
                    Diagnostic::error(
                        "No route table",
                        "Set route_table = { upcloud = { router_id = \"…\" } } or { scaleway = { vpc_id = \"…\" } }.",
                    )
                    .at(AttrPath::root("route_table")),
                ),
                _ => {}
            }
            if let Attr::Known(up) = &table.upcloud
                && let Attr::Known(id) = &up.router_id
                && id.parse::<crate::net::RouterId>().is_err()
            {
                diags.push(Diagnostic::error("Invalid router_id", format!("{id:?} is not a UUID.")).at(router_path()));
            }
            if let Attr::Known(scw) = &table.scaleway
                && let Attr::Known(id) = &scw.vpc_id
                && id.parse::<uuid::Uuid>().is_err()
            {
                diags.push(
                    Diagnostic::error("Invalid vpc_id", format!("{id:?} is not a UUID.")).at(AttrPath::root(
                        "route_table",
                    )
                    .attr("scaleway")
                    .attr("vpc_id")),
                );
            }
            if let Attr::Known(hop) = &route.next_hop {
                check_next_hop_kinds(table, hop, &mut diags);
            }
        }
        let destination = match &route.destination {
            Attr::Known(text) => match text.parse::<IpNet>() {
                Ok(net) if net.trunc() == net => Some(net),
                Ok(net) => {
                    diags.push(
                        Diagnostic::error(
                            "Destination is not a network address",
                            format!("{text} has host bits set; write {}.", net.trunc()),
                        )
                        .at(AttrPath::root("destination")),
                    );
                    Some(net)
                }
                Err(_) => {
                    diags.push(
                        Diagnostic::error(
                            "Invalid destination",
                            format!("{text:?} is not a CIDR such as 10.20.0.0/22."),
                        )
                        .at(AttrPath::root("destination")),
                    );
                    None
                }
            },
            _ => None,
        };
        if let Some(Attr::Known(ip)) = route.next_hop.known().map(|h| &h.ip) {
            match ip.parse::<std::net::IpAddr>() {
                Ok(addr) if destination.is_some_and(|d| matches!(d, IpNet::V4(_)) != addr.is_ipv4()) => diags.push(
                    Diagnostic::error(
                        "Next hop of the wrong family",
                        format!(
                            "{addr} cannot be the next hop of an {} route.",
                            if addr.is_ipv4() { "IPv6" } else { "IPv4" }
                        ),
                    )
                    .at(next_hop_path()),
                ),
                Ok(_) => {}
                Err(_) => diags.push(
                    Diagnostic::error("Invalid next hop", format!("{ip:?} is not an IP address.")).at(next_hop_path()),
                ),
            }
        }
        if let Some(Attr::Known(connection)) = route.next_hop.known().map(|h| &h.connection) {
            let path = AttrPath::root("next_hop").attr("connection");
            match (connection.parse::<crate::net::ConnectionId>(), route.table()) {
                (Err(e), _) => diags.push(
                    Diagnostic::error(
                        "Invalid next_hop.connection",
                        format!("{e}. Use the id of a peering_connection, e.g. peering_connection.app.id."),
                    )
                    .at(path),
                ),
                (Ok(_), Some(Table::Scaleway { region, vpc_id: vpc })) => {
                    if let Err(e) = scaleway::other_side(connection, region.as_str(), vpc.0) {
                        diags.push(Diagnostic::error("Connection of another VPC", e).at(path));
                    }
                }
                (Ok(_), _) => {}
            }
        }
        if let Attr::Known(description) = &route.description
            && let Some(problem) = crate::resources::text_problem(description)
        {
            diags.push(Diagnostic::error("Invalid description", problem).at(AttrPath::root("description")));
        }
        diags
    }

    async fn plan(
        &self,
        ctx: &Ctx<'_>,
        prior: Option<Route>,
        mut planned: Route,
        config: Route,
    ) -> Result<Planned<Route>, Error> {
        match ctx.clients.scaleway.as_ref() {
            Ok(scaleway) => planned.default_region(scaleway.default_region()),
            Err(_) if planned.route_table.known().is_some_and(|t| !t.scaleway.is_null()) => {
                scaleway_client(ctx)?;
            }
            Err(_) => {}
        }
        let table = planned.table();
        let same_table = prior.as_ref().is_some_and(|p| p.route_table == planned.route_table);
        // `route_table` replaces (the schema says so). On UpCloud the destination names the
        // route and replaces it too; on Scaleway it is just a field.
        let (requires_replace, id) = match &table {
            Some(Table::Upcloud { .. }) => (
                vec![AttrPath::root("destination")],
                planned.key().map_or(Attr::Unknown, |k| Attr::Known(k.to_string())),
            ),
            _ => (Vec::new(), prior.as_ref().filter(|_| same_table).map_or(Attr::Unknown, |p| p.id.clone())),
        };
        planned.id = id;
        let unchanged_key = same_table && prior.as_ref().is_some_and(|p| p.destination == planned.destination);
        planned.name = match (&config.description, &prior) {
            (Attr::Known(d), _) => Attr::Known(d.clone()),
            (Attr::Null, Some(p)) if unchanged_key && p.description.is_null() => p.name.clone(),
            _ => Attr::Unknown,
        };
        let next_hop_changed = prior.as_ref().is_none_or(|p| !same_table || p.next_hop != planned.next_hop);
        if next_hop_changed {
            let diags = match &table {
                Some(Table::Upcloud { .. }) => match planned.key() {
                    Some(key) => {
                        let ip = planned.next_hop.known().and_then(|h| h.ip.known().cloned());
                        upcloud::check(upcloud_client(ctx)?, &key, ip.as_deref()).await?
                    }
                    None => Diagnostics::default(),
                },
                Some(Table::Scaleway { region, vpc_id: vpc }) => {
                    scaleway::check(scaleway_client(ctx)?, region.as_str(), vpc.0, planned.next_hop.known()).await?
                }
                None => Diagnostics::default(),
            };
            if diags.has_errors() {
                return Err(Error::Rejected(diags));
            }
            diags.0.into_iter().for_each(|warning| ctx.say(warning));
        }
        Ok(Planned { state: planned, requires_replace })
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: Route) -> Applied<Route> {
        match self.apply(ctx, None, planned).await {
            Ok(route) => Applied { state: Some(route), result: Ok(()) },
            Err(e) => Applied { state: None, result: Err(e) },
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: Route, planned: Route) -> Applied<Route> {
        match self.apply(ctx, Some(&prior), planned).await {
            Ok(route) => Applied { state: Some(route), result: Ok(()) },
            Err(e) => Applied { state: None, result: Err(e) },
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, prior: Route) -> Result<(), Error> {
        match prior.table() {
            Some(Table::Upcloud { .. }) => {
                let key = prior.key().ok_or_else(|| Error::invalid("The stored route is malformed", "", None))?;
                upcloud::remove(&self.locks, upcloud_client(ctx)?, &key).await
            }
            Some(Table::Scaleway { .. }) => {
                let (region, id) = prior
                    .id
                    .known()
                    .and_then(|id| scaleway::parse_route_id(id))
                    .ok_or_else(|| Error::invalid("The stored route is malformed", "", None))?;
                scaleway::delete(scaleway_client(ctx)?, region.as_str(), id).await
            }
            None => Err(Error::invalid("The stored route is malformed", "", None)),
        }
    }

    async fn read(&self, ctx: &Ctx<'_>, state: Route) -> Result<Option<Route>, Error> {
        match state.table() {
            Some(Table::Upcloud { .. }) => {
                let key = state.key().ok_or_else(|| Error::invalid("The stored route is malformed", "", None))?;
                let Some(router) = upcloud::get_router(upcloud_client(ctx)?, key.router).await? else {
                    return Ok(None);
                };
                Ok(upcloud::find(&router, &key.destination).map(|route| observe_upcloud(state, &key, &route)))
            }
            Some(Table::Scaleway { .. }) => {
                let client = scaleway_client(ctx)?;
                let (region, id) = state
                    .id
                    .known()
                    .and_then(|id| scaleway::parse_route_id(id))
                    .ok_or_else(|| Error::invalid("The stored route is malformed", "", None))?;
                match scaleway::get(client, region.as_str(), id).await? {
                    Some(route) => Ok(Some(scaleway::observe(client, region.as_str(), state, &route).await?)),
                    None => Ok(None),
                }
            }
            None => Err(Error::invalid("The stored route is malformed", "", None)),
        }
    }

    async fn import(&self, ctx: &Ctx<'_>, target: ImportTarget<Identity>) -> Result<Route, Error> {
        let nothing = |what: String| Error::invalid("Nothing to import", what, None);
        let (table, destination, scaleway_id) = match target {
            ImportTarget::Id(id) => match scaleway::parse_route_id(&id) {
                Some((region, route)) => (None, None, Some((region, route))),
                None => {
                    let key = RouteKey::parse(&id).map_err(|e| {
                        Error::invalid("Invalid import id", format!("{e}, or scaleway/REGION/ROUTE_ID"), None)
                    })?;
                    (Some(Table::Upcloud { router: key.router }), Some(key.destination), None)
                }
            },
            ImportTarget::Identity(identity) => {
                let table = identity.route_table.known().and_then(|t| t.parse::<Table>().ok());
                let destination = identity.destination.known().and_then(|d| d.parse().ok());
                match (table, destination) {
                    (Some(t), Some(d)) => (Some(t), Some(d), None),
                    _ => {
                        return Err(Error::invalid(
                            "Invalid import identity",
                            "route_table or destination is malformed",
                            None,
                        ));
                    }
                }
            }
        };
        match (table, destination, scaleway_id) {
            (Some(Table::Upcloud { router }), Some(destination), _) => {
                let key = RouteKey { router, destination };
                let found = upcloud::get_router(upcloud_client(ctx)?, router).await?;
                let route = found
                    .as_ref()
                    .and_then(|r| upcloud::find(r, &destination))
                    .ok_or_else(|| nothing(format!("Router {router} has no user route to {destination}.")))?;
                Ok(observe_upcloud(Route::default(), &key, &route))
            }
            (Some(Table::Scaleway { region, vpc_id: vpc }), Some(destination), _) => {
                let client = scaleway_client(ctx)?;
                let route = scaleway::find(client, region.as_str(), vpc.0, destination)
                    .await?
                    .ok_or_else(|| nothing(format!("VPC {vpc} has no custom route to {destination}.")))?;
                scaleway::observe(client, region.as_str(), Route::default(), &route).await
            }
            (_, _, Some((region, id))) => {
                let client = scaleway_client(ctx)?;
                let route = scaleway::get(client, region.as_str(), id)
                    .await?
                    .ok_or_else(|| nothing(format!("No Scaleway route {id} in {region}.")))?;
                scaleway::observe(client, region.as_str(), Route::default(), &route).await
            }
            _ => Err(Error::invalid("Invalid import id", "", None)),
        }
    }

    fn identity(&self, route: &Route) -> Option<Identity> {
        Some(Identity {
            route_table: Attr::Known(route.table()?.to_string()),
            destination: Attr::Known(route.destination.known()?.clone()),
        })
    }

    fn claims(&self, route: &Route) -> Vec<Claim> {
        let (Some(table), Some(destination)) = (route.table(), route.destination.known()) else { return Vec::new() };
        let Ok(destination) = destination.parse::<IpNet>() else { return Vec::new() };
        let hop = route.next_hop.known().map(NextHop::describe).unwrap_or_default();
        vec![Claim {
            object: format!("The route to {destination} in route table {table}"),
            holder: format!("the peering_custom_route to {destination}{hop}"),
            path: AttrPath::root("destination"),
        }]
    }

    fn generate_config(&self, state: Route) -> Route {
        Route {
            route_table: state.route_table,
            destination: state.destination,
            next_hop: state.next_hop,
            description: state.description,
            ..Default::default()
        }
    }
}
