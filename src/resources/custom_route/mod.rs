//! `peering_custom_route`: one route in a route table, a Scaleway VPC's custom route or a user
//! static route of an UpCloud router.

mod list;
mod model;
mod router;
mod router_writes;
mod scaleway;
mod table;
#[cfg(test)]
mod tests;
mod upcloud;

use async_trait::async_trait;
use model::{Identity, NextHop, Route, RouteKey, RouteTable, TYPE_NAME, Table, next_hop_path};

pub use list::RouteList;
pub use model::schema;

use table::Routes;

use crate::resources::{Applied, Claim, Ctx, Error, ImportTarget, Planned, Resource};
use peering_clouds::scaleway::ScalewayClient;
use peering_clouds::upcloud::UpcloudClient;
use peering_net::{IpNet, ScalewayRegion, WrittenId};
use tfplugin6::schema::IdentitySchema;
use tfplugin6::{Attr, AttrPath, Diagnostic, Diagnostics, Schema};

pub struct CustomRoute {
    schema: Schema,
    identity: IdentitySchema,
    router_writes: router_writes::RouterWrites,
}

impl Default for CustomRoute {
    fn default() -> Self {
        CustomRoute { schema: model::schema(), identity: model::identity_schema(), router_writes: Default::default() }
    }
}

fn upcloud_client<'c>(ctx: &Ctx<'c>) -> Result<&'c UpcloudClient, Error> {
    ctx.upcloud(&AttrPath::root("route_table"))
}

fn scaleway_client<'c>(ctx: &Ctx<'c>) -> Result<&'c ScalewayClient, Error> {
    ctx.scaleway(&AttrPath::root("route_table"))
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
        // Scaleway took a resource alone in 2024 and 2025 (recorded), and is reported to refuse
        // it since (terraform-provider-scaleway#4080): Scaleway decides; the plan says so.
        if set(&hop.resource_id) && hop.private_network_id.is_null() && hop.connection.is_null() {
            diags.push(
                Diagnostic::warning(
                    "A resource next hop without its Private Network",
                    "Scaleway is reported to refuse a route through a resource alone since 2026 \
                     (terraform-provider-scaleway#4080), and the official provider now sends the resource's Private \
                     Network with it. Set next_hop.private_network_id to the Private Network the resource is on.",
                )
                .at(AttrPath::root("next_hop").attr("private_network_id")),
            );
        }
        let region = table.scaleway.known().and_then(|scw| match &scw.region {
            Attr::Known(region) => region.parse().ok(),
            _ => WrittenId::scaleway_regional(scw.vpc_id.known()?).ok()?.0,
        });
        for (field, value) in [("private_network_id", &hop.private_network_id), ("resource_id", &hop.resource_id)] {
            if let Attr::Known(id) = value
                && let Err(e) = WrittenId::scaleway_local(id, region)
            {
                diags.push(
                    Diagnostic::error(format!("Invalid next_hop.{field}"), format!("{e}."))
                        .at(AttrPath::root("next_hop").attr(field)),
                );
            }
        }
        // A connection; or a Private Network, a resource on one, or both (Scaleway routes through a
        // private NIC id alone: recorded, see the emulator's routes).
        let on_network = set(&hop.private_network_id) || set(&hop.resource_id);
        match (set(&hop.connection), on_network) {
            (true, true) => diags.push(
                Diagnostic::error(
                    "Two next hops",
                    "Set next_hop.connection, or next_hop.private_network_id and/or next_hop.resource_id, not both.",
                )
                .at(AttrPath::root("next_hop")),
            ),
            (false, false) => diags.push(
                Diagnostic::error(
                    "No next hop",
                    "A Scaleway route needs next_hop.connection, next_hop.private_network_id or next_hop.resource_id.",
                )
                .at(AttrPath::root("next_hop")),
            ),
            _ => {}
        }
    }
}

/// A `next_hop.connection` that is no connection id, or whose peering does not involve the
/// route's VPC. Checked at validate when the table's region is written, and again at plan,
/// where the region is filled in and a literal id (as `-generate-config-out` writes) is known.
fn connection_problems(route: &Route) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let Some(Attr::Known(connection)) = route.next_hop.known().map(|h| &h.connection) else { return diags };
    let path = AttrPath::root("next_hop").attr("connection");
    match (connection.parse::<peering_net::ConnectionId>(), route.table()) {
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
    diags
}

impl CustomRoute {
    /// The route table a route is in, with its cloud's client.
    fn routes<'c>(&'c self, ctx: &Ctx<'c>, table: Option<Table>) -> Result<Box<dyn Routes + 'c>, Error> {
        Ok(match table.ok_or_else(table::malformed)? {
            Table::Upcloud { router } => {
                Box::new(upcloud::RouterRoutes { client: upcloud_client(ctx)?, writes: &self.router_writes, router })
            }
            Table::Scaleway { region, vpc_id } => {
                Box::new(scaleway::VpcRoutes { client: scaleway_client(ctx)?, region, vpc: vpc_id })
            }
        })
    }

    async fn put(&self, ctx: &Ctx<'_>, prior: Option<&Route>, state: Route) -> Result<Route, Error> {
        self.routes(ctx, state.table())?.put(ctx, prior, state).await
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
            if let Attr::Known(scw) = &table.scaleway
                && let Attr::Known(id) = &scw.vpc_id
            {
                let region = scw.region.known().and_then(|r| r.parse::<ScalewayRegion>().ok());
                let parsed = match region {
                    Some(region) => WrittenId::scaleway_in(id, region).map(drop),
                    None => WrittenId::scaleway_regional(id).map(drop),
                };
                if let Err(e) = parsed {
                    diags.push(
                        Diagnostic::error("Invalid vpc_id", format!("{e}."))
                            .at(AttrPath::root("route_table").attr("scaleway").attr("vpc_id")),
                    );
                }
            }
            if let Attr::Known(hop) = &route.next_hop {
                check_next_hop_kinds(table, hop, &mut diags);
            }
        }
        // Each attribute's own checks are declared on the schema (`model::validators`); here,
        // what takes two of them.
        let destination = route.destination.known().and_then(|text| text.parse::<IpNet>().ok());
        let hop_ip =
            route.next_hop.known().and_then(|h| h.ip.known()).and_then(|ip| ip.parse::<std::net::IpAddr>().ok());
        if let (Some(destination), Some(addr)) = (destination, hop_ip)
            && matches!(destination, IpNet::V4(_)) != addr.is_ipv4()
        {
            diags.push(
                Diagnostic::error(
                    "Next hop of the wrong family",
                    format!(
                        "{addr} cannot be the next hop of an {} route.",
                        if addr.is_ipv4() { "IPv6" } else { "IPv4" }
                    ),
                )
                .at(next_hop_path()),
            );
        }
        diags.extend(connection_problems(route));
        let on_upcloud = route.route_table.known().is_some_and(|t| !t.upcloud.is_null());
        if on_upcloud && !route.tags.is_null() {
            diags.push(
                Diagnostic::error("UpCloud routes have no tags", "Tags are for Scaleway routes; remove `tags`.")
                    .at(AttrPath::root("tags")),
            );
        }
        diags.extend(crate::resources::tag_problems(&route.tags, AttrPath::root("tags")));
        diags
    }

    async fn plan(
        &self,
        ctx: &Ctx<'_>,
        prior: Option<Route>,
        mut planned: Route,
        config: Route,
    ) -> Result<Planned<Route>, Error> {
        planned.keep_configured(&config);
        match ctx.clients.scaleway.as_ref() {
            Ok(scaleway) => planned.default_region(scaleway.default_region()),
            Err(_) if planned.route_table.known().is_some_and(|t| !t.scaleway.is_null()) => {
                scaleway_client(ctx)?;
            }
            Err(_) => {}
        }
        let problems = connection_problems(&planned);
        if problems.has_errors() {
            return Err(Error::Rejected(problems));
        }
        let table = planned.table();
        let same_table = prior.as_ref().is_some_and(|p| p.table().is_some() && p.table() == table);
        let routes = table.map(|t| self.routes(ctx, Some(t))).transpose()?;
        // `route_table` replaces (the schema says so). Where the destination names the route
        // (UpCloud) it replaces it too, and the id is known now; elsewhere the id comes with the
        // route and is kept while the route is (the schema keeps the prior value).
        let names = routes.as_ref().is_some_and(|r| r.destination_names_route());
        let mut requires_replace = if names { vec![AttrPath::root("destination")] } else { Vec::new() };
        // Another table replaces the route; the same one written another way (`fr-par/UUID` for
        // the bare UUID) does not.
        if prior.is_some() && !same_table {
            requires_replace.push(AttrPath::root("route_table"));
        }
        planned.id =
            if names { planned.key().map_or(Attr::Unknown, |k| Attr::Known(k.to_string())) } else { Attr::Unknown };
        let unchanged_key = same_table && prior.as_ref().is_some_and(|p| p.destination == planned.destination);
        planned.name = match (&config.description, &prior) {
            (Attr::Known(d), _) => Attr::Known(d.clone()),
            // The cloud's own name stays while the route does: a Scaleway route changed in place
            // (its destination included) keeps it; an UpCloud one named by position may not.
            (Attr::Null, Some(p)) if (unchanged_key || (same_table && !names)) && p.description.is_null() => {
                p.name.clone()
            }
            _ => Attr::Unknown,
        };
        let route_changed = prior
            .as_ref()
            .is_none_or(|p| !same_table || p.next_hop != planned.next_hop || p.destination != planned.destination);
        if route_changed && let Some(routes) = &routes {
            let diags = routes.check(&planned).await?;
            if diags.has_errors() {
                return Err(Error::Rejected(diags));
            }
            diags.0.into_iter().for_each(|warning| ctx.say(warning));
        }
        Ok(Planned { state: planned, requires_replace })
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: Route) -> Applied<Route> {
        match self.put(ctx, None, planned).await {
            Ok(route) => Applied { state: Some(route), result: Ok(()) },
            Err(e) => Applied { state: None, result: Err(e) },
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: Route, planned: Route) -> Applied<Route> {
        match self.put(ctx, Some(&prior), planned).await {
            Ok(route) => Applied { state: Some(route), result: Ok(()) },
            Err(e) => Applied { state: None, result: Err(e) },
        }
    }

    async fn delete(&self, ctx: &Ctx<'_>, prior: Route) -> Result<(), Error> {
        self.routes(ctx, prior.table())?.remove(&prior).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: Route) -> Result<Option<Route>, Error> {
        let clients = ctx.clients.for_refresh();
        self.routes(&ctx.with_clients(&clients), state.table())?.read(state).await
    }

    async fn import(&self, ctx: &Ctx<'_>, target: ImportTarget<Identity>) -> Result<Route, Error> {
        let nothing = |what: String| Error::invalid("Nothing to import", what, None);
        let (table, destination, scaleway_id) = match target {
            ImportTarget::Id(id) => match scaleway::parse_route_id(&id) {
                Some((region, route)) => (None, None, Some((region, route))),
                None => {
                    let key = RouteKey::parse(&id).map_err(|e| {
                        Error::invalid(
                            "Invalid import id",
                            format!("{e}, or scaleway/REGION/ROUTE_ID (also REGION/ROUTE_ID or a bare ROUTE_ID)"),
                            None,
                        )
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
            (Some(table), Some(destination), _) => self
                .routes(ctx, Some(table))?
                .find(ctx, destination)
                .await?
                .ok_or_else(|| nothing(format!("Route table {table} has no user route to {destination}."))),
            // A Scaleway route id alone: its VPC is read from the route; without a region, the
            // provider's region is looked in first, then the others.
            (_, _, Some((region, id))) => {
                let client = scaleway_client(ctx)?;
                let regions = match region {
                    Some(region) => vec![region],
                    None => ScalewayRegion::search_order(client.default_region()),
                };
                for region in &regions {
                    if let Some(route) = scaleway::get(client, region.as_str(), id).await? {
                        ctx.set_owner(scaleway::mark_of(&route).owner());
                        return scaleway::observe(client, region.as_str(), Route::default(), &route).await;
                    }
                }
                let looked: Vec<&str> = regions.iter().map(|r| r.as_str()).collect();
                Err(nothing(format!("No Scaleway route {id} in {}.", looked.join(", "))))
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
            tags: state.tags,
            ..Default::default()
        }
    }
}
