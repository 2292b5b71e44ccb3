//! `peering_custom_route`: one route in a route table (today: a user static route of an
//! UpCloud router).

mod model;
mod upcloud;

use std::collections::BTreeMap;

use async_trait::async_trait;

pub use model::schema;
use model::*;

use crate::clouds::upcloud::{StaticRoute, UpcloudClient};
use crate::net::IpNet;
use crate::resources::{Applied, Ctx, Error, ImportTarget, Planned, Resource};
use crate::tf::schema::IdentitySchema;
use crate::tf::{Attr, AttrPath, Diagnostic, Diagnostics, FromValue, IntoValue, Schema, Value};

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

fn client<'c>(ctx: &Ctx<'c>) -> Result<&'c UpcloudClient, Error> {
    ctx.clients.upcloud(&AttrPath::root("route_table"))
}

/// The state for a route as the router has it; `description` follows the remote name unless
/// the user left it unset and UpCloud named the route itself.
fn observe(mut state: Route, key: &RouteKey, route: &StaticRoute) -> Route {
    let remote = route.name.clone().unwrap_or_default();
    state.id = Attr::Known(key.to_string());
    state.destination = Attr::Known(key.destination.to_string());
    state.next_hop = Attr::Known(NextHop { ip: Attr::Known(route.nexthop.clone()) });
    let unset_and_defaulted =
        state.description.is_null() && (upcloud::is_default_name(&remote) || state.name.known() == Some(&remote));
    if !unset_and_defaulted {
        state.description = Attr::Known(remote.clone());
    }
    state.name = Attr::Known(remote);
    state
}

fn table_of(key: &RouteKey) -> RouteTable {
    RouteTable { upcloud: Attr::Known(UpcloudTable { router_id: Attr::Known(key.router.to_string()) }) }
}

impl CustomRoute {
    async fn apply_route(&self, ctx: &Ctx<'_>, state: Route) -> Result<Route, Error> {
        let key = state.key().ok_or_else(|| Error::invalid("The route is not known", "", None))?;
        let nexthop = state
            .next_hop_ip()
            .ok_or_else(|| Error::invalid("No next hop", "Set next_hop.ip.", Some(model::next_hop_path())))?;
        let route =
            upcloud::upsert(&self.locks, client(ctx)?, &key, &nexthop, state.description.known().map(String::as_str))
                .await?;
        Ok(observe(state, &key, &route))
    }
}

#[async_trait]
impl Resource for CustomRoute {
    fn type_name(&self) -> &'static str {
        TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn identity_schema(&self) -> &IdentitySchema {
        &self.identity
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let route = match Route::from_value(config) {
            Ok(r) => r,
            Err(e) => return Diagnostic::error("Invalid configuration", e.to_string()).into(),
        };
        if let Attr::Known(table) = &route.route_table {
            match &table.upcloud {
                Attr::Known(up) => {
                    if let Attr::Known(id) = &up.router_id
                        && id.parse::<crate::net::RouterId>().is_err()
                    {
                        diags.push(
                            Diagnostic::error("Invalid router_id", format!("{id:?} is not a UUID.")).at(router_path()),
                        );
                    }
                }
                Attr::Null => diags.push(
                    Diagnostic::error("No route table", "Set route_table = { upcloud = { router_id = \"…\" } }.")
                        .at(AttrPath::root("route_table")),
                ),
                Attr::Unknown => {}
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
        match route.next_hop.known().map(|h| &h.ip) {
            Some(Attr::Known(ip)) => match ip.parse::<std::net::IpAddr>() {
                Ok(addr) if destination.is_some_and(|d| matches!(d, IpNet::V4(_)) != addr.is_ipv4()) => diags.push(
                    Diagnostic::error(
                        "Next hop of the wrong family",
                        format!(
                            "{addr} cannot be the next hop of an {} route.",
                            if addr.is_ipv4() { "IPv6" } else { "IPv4" }
                        ),
                    )
                    .at(model::next_hop_path()),
                ),
                Ok(_) => {}
                Err(_) => diags.push(
                    Diagnostic::error("Invalid next hop", format!("{ip:?} is not an IP address."))
                        .at(model::next_hop_path()),
                ),
            },
            Some(Attr::Null) => diags.push(
                Diagnostic::error("No next hop", "An UpCloud route needs next_hop = { ip = \"…\" }.")
                    .at(AttrPath::root("next_hop")),
            ),
            _ => {}
        }
        diags
    }

    async fn plan(&self, ctx: &mut Ctx<'_>, prior: &Value, proposed: &Value, config: &Value) -> Result<Planned, Error> {
        let config = Route::from_value(config)?;
        let mut planned = Route::from_value(proposed)?;
        let key = planned.key();
        planned.id = key.as_ref().map_or(Attr::Unknown, |k| Attr::Known(k.to_string()));
        let requires_replace = vec![AttrPath::root("route_table"), AttrPath::root("destination")];
        let prior = if prior.is_null() { None } else { Some(Route::from_value(prior)?) };
        let same_route = prior
            .as_ref()
            .is_some_and(|p| p.route_table == planned.route_table && p.destination == planned.destination);
        planned.name = match (&config.description, &prior) {
            (Attr::Known(d), _) => Attr::Known(d.clone()),
            (Attr::Null, Some(p)) if same_route && p.description.is_null() => p.name.clone(),
            _ => Attr::Unknown,
        };
        let next_hop_changed = prior.as_ref().is_none_or(|p| !same_route || p.next_hop != planned.next_hop);
        if let (Some(key), true) = (&key, next_hop_changed) {
            let diags = upcloud::check(client(ctx)?, key, planned.next_hop_ip().as_deref()).await?;
            if diags.has_errors() {
                return Err(Error::Rejected(diags));
            }
        }
        Ok(Planned { state: planned.into_value(), requires_replace })
    }

    async fn create(&self, ctx: &mut Ctx<'_>, planned: &Value) -> Applied {
        match Route::from_value(planned) {
            Ok(state) => match self.apply_route(ctx, state).await {
                Ok(route) => Applied { state: route.into_value(), result: Ok(()) },
                Err(e) => Applied { state: Value::Null, result: Err(e) },
            },
            Err(e) => Applied { state: Value::Null, result: Err(e.into()) },
        }
    }

    async fn update(&self, ctx: &mut Ctx<'_>, prior: &Value, planned: &Value) -> Applied {
        match Route::from_value(planned) {
            Ok(state) => match self.apply_route(ctx, state).await {
                Ok(route) => Applied { state: route.into_value(), result: Ok(()) },
                Err(e) => Applied { state: prior.clone(), result: Err(e) },
            },
            Err(e) => Applied { state: prior.clone(), result: Err(e.into()) },
        }
    }

    async fn delete(&self, ctx: &mut Ctx<'_>, prior: &Value) -> Result<(), Error> {
        let prior = Route::from_value(prior)?;
        let key = prior.key().ok_or_else(|| Error::invalid("The stored route is malformed", "", None))?;
        upcloud::remove(&self.locks, client(ctx)?, &key).await
    }

    async fn read(&self, ctx: &mut Ctx<'_>, state: &Value) -> Result<Option<Value>, Error> {
        let state = Route::from_value(state)?;
        let key = state.key().ok_or_else(|| Error::invalid("The stored route is malformed", "", None))?;
        let Some(router) = upcloud::get_router(client(ctx)?, key.router).await? else { return Ok(None) };
        Ok(upcloud::find(&router, &key.destination).map(|route| observe(state, &key, &route).into_value()))
    }

    async fn import(&self, ctx: &mut Ctx<'_>, target: ImportTarget) -> Result<Value, Error> {
        let text = match target {
            ImportTarget::Id(id) => id,
            ImportTarget::Identity(identity) => format!(
                "{}/{}",
                identity.get("route_table").as_str().unwrap_or_default(),
                identity.get("destination").as_str().unwrap_or_default()
            ),
        };
        let key = RouteKey::parse(&text).map_err(|e| Error::invalid("Invalid import id", e, None))?;
        let router = upcloud::get_router(client(ctx)?, key.router).await?;
        let route = router.as_ref().and_then(|r| upcloud::find(r, &key.destination)).ok_or_else(|| {
            Error::invalid(
                "Nothing to import",
                format!("Router {} has no user route to {}.", key.router, key.destination),
                None,
            )
        })?;
        let state = Route { route_table: Attr::Known(table_of(&key)), ..Default::default() };
        Ok(observe(state, &key, &route).into_value())
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        let key = RouteKey::parse(state.get("id").as_str()?).ok()?;
        Some(Value::Object(BTreeMap::from([
            ("route_table".to_string(), Value::string(key.table())),
            ("destination".to_string(), Value::string(key.destination.to_string())),
        ])))
    }

    fn generate_config(&self, state: &Value) -> Value {
        let Ok(state) = Route::from_value(state) else { return Value::Null };
        Route {
            route_table: state.route_table,
            destination: state.destination,
            next_hop: state.next_hop,
            description: state.description,
            ..Default::default()
        }
        .into_value()
    }
}
