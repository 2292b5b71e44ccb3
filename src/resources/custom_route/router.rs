//! An UpCloud router's static routes as this resource sees them: the user's own, never the
//! service routes UpCloud adds; shared by the route reads and the router's writer.

use super::model::router_path;
use crate::resources::Error;
use peering_clouds::upcloud::{Router, StaticRoute};
use peering_net::{IpNet, UpcloudRouterId};

/// A route UpCloud keeps for a service (a NAT gateway's), not the user's to manage.
pub(super) fn is_service(route: &StaticRoute) -> bool {
    route.kind.as_deref() == Some("service")
}

/// The user routes, ready to send back (UpCloud refuses to be told a route's type).
pub(super) fn user_routes(router: &Router) -> Vec<StaticRoute> {
    router.static_routes.iter().filter(|r| !is_service(r)).map(|r| StaticRoute { kind: None, ..r.clone() }).collect()
}

/// The user route for `destination`, as the router has it.
pub(super) fn find(router: &Router, destination: &IpNet) -> Option<StaticRoute> {
    router.static_routes.iter().find(|r| !is_service(r) && r.route == *destination).cloned()
}

/// The error for a router that cannot be seen.
pub(super) fn missing_router(router: UpcloudRouterId) -> Error {
    Error::invalid(
        "UpCloud router not found",
        format!("No UpCloud router {router} is visible with these credentials."),
        Some(router_path()),
    )
}

/// UpCloud's own name for an unnamed route.
pub(super) fn is_default_name(name: &str) -> bool {
    name.strip_prefix("static-route-").is_some_and(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
}
