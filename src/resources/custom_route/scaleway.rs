//! Scaleway VPC custom routes: one API object per route, next hop a connector, a Private
//! Network, or a resource on a Private Network.

use async_trait::async_trait;
use uuid::Uuid;

use super::model::{NextHop, Route, Table, table_attr};
use super::table::{Routes, malformed};
use crate::resources::ownership::{Mark, Verdict, without_marker};
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_clouds::scaleway::{
    HopsSet, Route as ScwRoute, RouteFields, RoutePatch, ScalewayClient, tag_map, tag_strings,
};
use peering_net::{ConnectionId, IpNet, NetworkRef, ScalewayRegion, ScalewayRouteId, ScalewayVpcId, WrittenId};
use tfplugin6::{Attr, AttrPath, Diagnostic, Diagnostics};

/// Scaleway's description for a route created without one.
const DEFAULT_DESCRIPTION: &str = "Custom route";

fn hop_path(field: &str) -> AttrPath {
    AttrPath::root("next_hop").attr(field)
}

/// The VPC on the other side of a `peering_connection` id that has `vpc` on one side.
pub(super) fn other_side(connection: &str, region: &str, vpc: Uuid) -> Result<Uuid, String> {
    let id: ConnectionId = connection.parse().map_err(|e| format!("{e}"))?;
    let side = |r: &NetworkRef| match r {
        NetworkRef::Scaleway { region: rr, vpc_id } if rr.as_str() == region => Some(vpc_id.0),
        _ => None,
    };
    match (side(&id.network), side(&id.peer_network)) {
        (Some(a), Some(b)) if a == vpc => Ok(b),
        (Some(a), Some(b)) if b == vpc => Ok(a),
        _ => Err(format!(
            "Connection {connection} does not have VPC {vpc} of {region} on either side; a route goes through a connector of its own VPC."
        )),
    }
}

/// The next-hop fields of a route request.
async fn resolve(client: &ScalewayClient, region: &str, vpc: Uuid, hop: &NextHop) -> Result<RouteFields, Error> {
    let uuid = |field: &str, text: &String| -> Result<Uuid, Error> {
        WrittenId::scaleway_local(text, region.parse().ok())
            .map_err(|e| Error::invalid(format!("Invalid next_hop.{field}"), format!("{e}."), Some(hop_path(field))))
    };
    if let Attr::Known(connection) = &hop.connection {
        let target = other_side(connection, region, vpc)
            .map_err(|e| Error::invalid("Invalid next_hop.connection", e, Some(hop_path("connection"))))?;
        let connector = client.list_connectors(region, vpc, Some(target)).await?.into_iter().next().ok_or_else(|| {
            Error::invalid(
                "No connector for this route",
                format!("VPC {vpc} has no connector toward VPC {target} yet; create the peering_connection (with this VPC on our side, or managed) first."),
                Some(hop_path("connection")),
            )
        })?;
        return Ok(RouteFields { nexthop_vpc_connector_id: Some(connector.id), ..Default::default() });
    }
    if let Attr::Known(pn) = &hop.private_network_id {
        let resource = match &hop.resource_id {
            Attr::Known(r) => Some(uuid("resource_id", r)?),
            _ => None,
        };
        return Ok(RouteFields {
            nexthop_private_network_id: Some(uuid("private_network_id", pn)?),
            nexthop_resource_id: resource,
            ..Default::default()
        });
    }
    if let Attr::Known(resource) = &hop.resource_id {
        return Ok(RouteFields { nexthop_resource_id: Some(uuid("resource_id", resource)?), ..Default::default() });
    }
    Err(Error::invalid(
        "No next hop",
        "A Scaleway route needs next_hop.connection, next_hop.private_network_id or next_hop.resource_id.",
        Some(AttrPath::root("next_hop")),
    ))
}

/// Plan-time checks: the VPC exists; a Private Network next hop is one of its own. Warnings for
/// a route that cannot carry traffic: a destination within the VPC's own subnets (traffic to it
/// never leaves the VPC), or one beyond the VPC across the connection whose middle VPC does not
/// let traffic through (`transitivity_enabled = false`).
pub(super) async fn check(
    client: &ScalewayClient,
    region: &str,
    vpc: Uuid,
    planned: &Route,
) -> Result<Diagnostics, Error> {
    let mut diags = Diagnostics::default();
    match client.get_vpc(region, vpc).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => {
            let path = AttrPath::root("route_table").attr("scaleway").attr("vpc_id");
            diags.push(Diagnostic::error("Scaleway VPC not found", client.missing_vpc(region, vpc).await?).at(path));
            return Ok(diags);
        }
        Err(e) => return Err(e.into()),
    }
    let hop = planned.next_hop.known();
    let destination = planned.destination.known().and_then(|d| d.parse::<IpNet>().ok());
    let pns = client.list_private_networks(region, vpc).await?;
    if let Some(Attr::Known(pn)) = hop.map(|h| &h.private_network_id)
        && let Ok(pn_id) = WrittenId::scaleway_local(pn, region.parse().ok())
        && !pns.iter().any(|p| p.id == pn_id)
    {
        let names: Vec<String> = pns.iter().map(|p| format!("{} ({})", p.id, p.name)).collect();
        diags.push(
            Diagnostic::error(
                "Private Network not in this VPC",
                format!("{pn} is not a Private Network of VPC {vpc}. Its Private Networks: {}.", names.join(", ")),
            )
            .at(hop_path("private_network_id")),
        );
    }
    let Some(destination) = destination else { return Ok(diags) };
    if let Some((subnet, name)) = subnet_holding(&pns, &destination) {
        diags.push(
            Diagnostic::warning(
                "Destination inside the route's own VPC",
                format!(
                    "{destination} overlaps {subnet}, a subnet of this VPC's Private Network {name}. Traffic to it stays \
                     in the VPC, so this route carries nothing there."
                ),
            )
            .at(AttrPath::root("destination")),
        );
    }
    if let Some(Attr::Known(connection)) = hop.map(|h| &h.connection)
        && let Ok(middle) = other_side(connection, region, vpc)
    {
        let (middle_vpc, middle_pns) =
            tokio::try_join!(client.get_vpc(region, middle), client.list_private_networks(region, middle))?;
        let beyond = subnet_holding(&middle_pns, &destination).is_none();
        if beyond && middle_vpc.transitivity_enabled == Some(false) {
            diags.push(
                Diagnostic::warning(
                    "The next VPC does not let traffic through",
                    format!(
                        "{destination} is not in VPC {middle} ({}), so traffic would cross it toward another VPC, but its \
                         transitivity_enabled is false: Scaleway drops transit traffic there. Set enable_transitivity \
                         when that VPC is created (it cannot be changed after), or route to a VPC it peers with directly.",
                        middle_vpc.name
                    ),
                )
                .at(AttrPath::root("destination")),
            );
        }
    }
    Ok(diags)
}

/// The first subnet of `pns` that overlaps `destination`, with its Private Network's name.
fn subnet_holding(pns: &[peering_clouds::scaleway::PrivateNetwork], destination: &IpNet) -> Option<(IpNet, String)> {
    pns.iter()
        .flat_map(|p| p.subnets.iter().map(move |s| (s.subnet, p.name.clone())))
        .find(|(s, _)| peering_net::overlaps(s, destination))
}

/// The id in state: `scaleway/REGION/ROUTE_ID`.
pub(super) fn route_id(region: &str, route: &ScwRoute) -> String {
    format!("scaleway/{region}/{}", route.id)
}

/// A Scaleway route id as import takes it: `scaleway/REGION/ROUTE_ID`, `REGION/ROUTE_ID` (the
/// official provider's form) or a bare `ROUTE_ID` (region `None`: looked for in every region).
pub(super) fn parse_route_id(text: &str) -> Option<(Option<ScalewayRegion>, ScalewayRouteId)> {
    let rest = text.strip_prefix("scaleway/").unwrap_or(text);
    match rest.split_once('/') {
        Some((region, id)) => Some((Some(region.parse().ok()?), id.parse().ok()?)),
        None => Some((None, rest.parse().ok()?)),
    }
}

/// The state for a route as Scaleway has it.
pub(super) async fn observe(
    client: &ScalewayClient,
    region: &str,
    mut state: Route,
    route: &ScwRoute,
) -> Result<Route, Error> {
    state.id = Attr::Known(route_id(region, route));
    let table = match region.parse() {
        Ok(region) => Table::Scaleway { region, vpc_id: ScalewayVpcId(route.vpc_id) },
        Err(e) => return Err(Error::failed("Scaleway answered for an unknown region", e)),
    };
    // The table and ids stay written as the configuration wrote them (`fr-par/UUID` or bare).
    if state.table().as_ref() != Some(&table) {
        state.route_table = Attr::Known(table_attr(&table));
    }
    state.destination = Attr::Known(route.destination.to_string());
    let prior_hop = state.next_hop.known().cloned().unwrap_or_default();
    let connection = match route.nexthop_vpc_connector_id {
        Some(id) => {
            let connector = client.get_connector(region, id).await?;
            let same_pair = prior_hop
                .connection
                .known()
                .is_some_and(|c| other_side(c, region, route.vpc_id) == Ok(connector.target_vpc_id));
            if same_pair {
                prior_hop.connection.clone()
            } else {
                Attr::Known(format!(
                    "scaleway/{region}/{}:scaleway/{region}/{}",
                    connector.vpc_id, connector.target_vpc_id
                ))
            }
        }
        None => Attr::Null,
    };
    state.next_hop = Attr::Known(NextHop {
        connection,
        ip: Attr::Null,
        private_network_id: as_written(&prior_hop.private_network_id, route.nexthop_private_network_id),
        resource_id: as_written(&prior_hop.resource_id, route.nexthop_resource_id),
    });
    let defaulted = state.description.is_null() && route.description == DEFAULT_DESCRIPTION;
    if !defaulted {
        state.description = Attr::Known(route.description.clone());
    }
    state.name = Attr::Known(route.description.clone());
    // No tags configured and none there reads as unset, not as an empty map; the ownership
    // marker is the provider's.
    let tags = without_marker(&tag_map(&route.tags));
    state.tags = match (&state.tags, tags.is_empty()) {
        (Attr::Null, true) => Attr::Null,
        _ => Attr::Known(tags),
    };
    Ok(state)
}

/// An id read back, written as state had it when it names the same object.
fn as_written(prior: &Attr<String>, read: Option<Uuid>) -> Attr<String> {
    match (prior, read) {
        (Attr::Known(text), Some(id)) if WrittenId::scaleway_local(text, None).is_ok_and(|w| w == id) => prior.clone(),
        (_, read) => read.map(|id| id.to_string()).into(),
    }
}

/// The route's tags as Scaleway stores them, with the ownership marker; none configured clears
/// any set by hand.
fn wanted_tags(state: &Route, mark: &Mark) -> Vec<String> {
    tag_strings(&mark.with(&state.tags.known().cloned().unwrap_or_default()))
}

/// The ownership marker a route carries among its tags.
pub(super) fn mark_of(route: &ScwRoute) -> Mark {
    Mark::of(&tag_map(&route.tags))
}

/// Whether a route carries what `fields` ask for (next hop, description, the user's tags).
fn as_planned(route: &ScwRoute, fields: &RouteFields) -> bool {
    let user_tags = |tags: &[String]| without_marker(&tag_map(tags));
    route.nexthop_vpc_connector_id == fields.nexthop_vpc_connector_id
        && route.nexthop_private_network_id == fields.nexthop_private_network_id
        && route.nexthop_resource_id == fields.nexthop_resource_id
        && fields.description.as_ref().is_none_or(|d| {
            let wanted = if d.is_empty() { DEFAULT_DESCRIPTION } else { d.as_str() };
            wanted == route.description
        })
        && fields.tags.as_deref().is_none_or(|t| user_tags(t) == user_tags(&route.tags))
}

/// The custom route of `vpc` to `destination` a create finds, if any, judged by the ownership
/// rule: an earlier unfinished create's route as planned is resumed; any other is someone
/// else's ("already exists … import").
async fn look_before_create(
    ctx: &Ctx<'_>,
    client: &ScalewayClient,
    region: &str,
    vpc: Uuid,
    fields: &RouteFields,
    first_look: bool,
) -> Result<Option<ScwRoute>, Error> {
    let Some(destination) = fields.destination else { return Ok(None) };
    let Some(found) = find(client, region, vpc, destination).await? else { return Ok(None) };
    match ctx.ownership().judge(&mark_of(&found), first_look, as_planned(&found, fields)) {
        Verdict::Foreign(why) => Err(Error::AlreadyExists {
            kind: "Scaleway route",
            object: format!("{} to {} in VPC {vpc} of {region}", found.id, found.destination),
            import_id: format!("scaleway/{region}/{}", found.id),
            why,
        }),
        verdict => {
            if verdict == Verdict::Resume {
                ctx.note_adopted("Scaleway route", &format!("{} to {} in VPC {vpc}", found.id, found.destination));
            }
            Ok(Some(found))
        }
    }
}

/// Creates the route: one found by the ownership rule is taken, and a create whose answer was
/// lost is found again rather than made twice. [`finish`] then marks it as this resource's.
pub(super) async fn create(
    ctx: &Ctx<'_>,
    client: &ScalewayClient,
    region: &str,
    vpc: Uuid,
    state: &Route,
) -> Result<ScwRoute, Error> {
    let hop = state.next_hop.known().cloned().unwrap_or_default();
    let destination: IpNet = state
        .destination
        .known()
        .and_then(|d| d.parse().ok())
        .ok_or_else(|| Error::invalid("No destination", "", None))?;
    let token = ctx.owner_token();
    let fields = RouteFields {
        description: Some(state.description.known().cloned().unwrap_or_default()),
        tags: Some(wanted_tags(state, &Mark::Creating(token.clone()))),
        vpc_id: Some(vpc),
        destination: Some(destination),
        ..resolve(client, region, vpc, &hop).await?
    };
    let mut found = look_before_create(ctx, client, region, vpc, &fields, true).await?;
    let mut last_error = None;
    for _ in 0..6 {
        let made = match found.take() {
            Some(route) => route,
            None => match client.create_route(region, &fields).await {
                Ok(route) => route,
                Err(e) if e.outcome_unknown() => {
                    found = look_before_create(ctx, client, region, vpc, &fields, false).await?;
                    last_error = Some(e);
                    continue;
                }
                Err(e) => return Err(e.into()),
            },
        };
        return Ok(made);
    }
    Err(last_error.map(Error::from).unwrap_or_else(|| Error::failed("Scaleway route create failed", "no answer")))
}

/// Marks a made route as this resource's finished work (its tags, with the finished marker).
pub(super) async fn finish(
    ctx: &Ctx<'_>,
    client: &ScalewayClient,
    region: &str,
    route: &ScwRoute,
    state: &Route,
) -> Result<(), Error> {
    let id: Uuid =
        route.id.parse().map_err(|_| Error::failed("Scaleway answered a route without an id", route.id.clone()))?;
    let tags = wanted_tags(state, &Mark::Owned(ctx.owner_token()));
    client.update_route(region, id, &RoutePatch::tags(tags)).await?;
    Ok(())
}

/// Changes destination, description and next hop in place; what the route has of another next
/// hop is cleared (a PATCH keeps what it omits). The route is read first: a next hop added by
/// hand since the last refresh is cleared too.
pub(super) async fn update(
    ctx: &Ctx<'_>,
    client: &ScalewayClient,
    region: &str,
    id: ScalewayRouteId,
    vpc: Uuid,
    state: &Route,
) -> Result<ScwRoute, Error> {
    let present = match get(client, region, id).await? {
        Some(route) => HopsSet::of(&route),
        None => {
            let gone = peering_clouds::scaleway::ScalewayError::NotFound {
                resource: "route".into(),
                resource_id: id.to_string(),
            };
            return Err(gone.into());
        }
    };
    let hop = state.next_hop.known().cloned().unwrap_or_default();
    let fields = RouteFields {
        description: Some(state.description.known().cloned().unwrap_or_default()),
        tags: Some(wanted_tags(state, &Mark::Owned(ctx.owner_token()))),
        destination: state.destination.known().and_then(|d| d.parse().ok()),
        ..resolve(client, region, vpc, &hop).await?
    };
    Ok(client.update_route(region, id.0, &RoutePatch::toward(present, fields)).await?)
}

pub(super) async fn get(client: &ScalewayClient, region: &str, id: ScalewayRouteId) -> Result<Option<ScwRoute>, Error> {
    crate::resources::unless_gone(client.get_route(region, id.0).await)
}

pub(super) async fn delete(client: &ScalewayClient, region: &str, id: ScalewayRouteId) -> Result<(), Error> {
    crate::resources::unless_gone(client.delete_route(region, id.0).await).map(drop)
}

/// The custom route of `vpc` toward `destination`, for import by identity.
pub(super) async fn find(
    client: &ScalewayClient,
    region: &str,
    vpc: Uuid,
    destination: IpNet,
) -> Result<Option<ScwRoute>, Error> {
    let routes = client.routes_with_nexthop(region, vpc).await?;
    Ok(routes
        .into_iter()
        .map(|r| r.route)
        .find(|r| !r.is_read_only && !r.id.is_empty() && r.destination == destination))
}

/// One Scaleway VPC's custom routes.
pub(super) struct VpcRoutes<'c> {
    pub client: &'c ScalewayClient,
    pub region: ScalewayRegion,
    pub vpc: ScalewayVpcId,
}

impl VpcRoutes<'_> {
    fn route_of(&self, stored: &Route) -> Result<ScalewayRouteId, Error> {
        stored.id.known().and_then(|id| parse_route_id(id)).map(|(_, id)| id).ok_or_else(malformed)
    }
}

#[async_trait]
impl Routes for VpcRoutes<'_> {
    fn destination_names_route(&self) -> bool {
        false
    }

    async fn check(&self, planned: &Route) -> Result<Diagnostics, Error> {
        check(self.client, self.region.as_str(), self.vpc.0, planned).await
    }

    async fn put(&self, ctx: &Ctx<'_>, prior: Option<&Route>, state: Route) -> Result<Route, Error> {
        let (region, vpc) = (self.region.as_str(), self.vpc.0);
        match prior {
            Some(prior) => {
                let route = update(ctx, self.client, region, self.route_of(prior)?, vpc, &state).await?;
                observe(self.client, region, state, &route).await
            }
            None => {
                let route = create(ctx, self.client, region, vpc, &state).await?;
                // Read for state first: a read that fails leaves the route an unfinished
                // create's, for the next apply to resume.
                let observed = observe(self.client, region, state.clone(), &route).await?;
                finish(ctx, self.client, region, &route, &state).await?;
                Ok(observed)
            }
        }
    }

    async fn read(&self, state: Route) -> Result<Option<Route>, Error> {
        match get(self.client, self.region.as_str(), self.route_of(&state)?).await? {
            Some(route) => Ok(Some(observe(self.client, self.region.as_str(), state, &route).await?)),
            None => Ok(None),
        }
    }

    async fn find(&self, ctx: &Ctx<'_>, destination: IpNet) -> Result<Option<Route>, Error> {
        match find(self.client, self.region.as_str(), self.vpc.0, destination).await? {
            Some(route) => {
                ctx.set_owner(mark_of(&route).owner());
                Ok(Some(observe(self.client, self.region.as_str(), Route::default(), &route).await?))
            }
            None => Ok(None),
        }
    }

    async fn remove(&self, prior: &Route) -> Result<(), Error> {
        delete(self.client, self.region.as_str(), self.route_of(prior)?).await
    }
}
