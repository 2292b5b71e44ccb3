//! The `peering_custom_route` schema and its typed model.

use crate::net::{IpNet, RouterId};
use crate::tf::schema::{Attribute, IdentityAttribute, IdentitySchema};
use crate::tf::{Attr, AttrPath, Block, Schema};
use crate::tf_object;

pub const TYPE_NAME: &str = "peering_custom_route";

tf_object! {
    /// `{ router_id = "04…" }`
    pub struct UpcloudTable { router_id: Attr<String> }
}

tf_object! {
    /// Exactly one cloud's route table.
    pub struct RouteTable { upcloud: Attr<UpcloudTable> }
}

tf_object! {
    /// Where matching traffic goes.
    pub struct NextHop { ip: Attr<String> }
}

tf_object! {
    pub struct Route {
        id: Attr<String>,
        route_table: Attr<RouteTable>,
        destination: Attr<String>,
        next_hop: Attr<NextHop>,
        description: Attr<String>,
        name: Attr<String>,
    }
}

pub fn schema() -> Schema {
    let attributes = vec![
        Attribute::string("id", "`upcloud/ROUTER_ID/DESTINATION`. Use it to import.").computed(),
        Attribute::nested(
            "route_table",
            vec![
                Attribute::nested(
                    "upcloud",
                    vec![Attribute::string("router_id", "UUID of the UpCloud router (starts with `04`).").required()],
                    "An UpCloud router: the route is one user entry of its `static_routes`.",
                )
                .optional(),
            ],
            "The route table the route goes in: `upcloud = { router_id }`. Changing it replaces the route.",
        )
        .required(),
        Attribute::string(
            "destination",
            "Destination CIDR, IPv4 or IPv6, e.g. `10.20.0.0/22`. Changing it replaces the route.",
        )
        .required(),
        Attribute::nested(
            "next_hop",
            vec![
                Attribute::string(
                    "ip",
                    "UpCloud: an address inside a network attached to the router, of the destination's family. \
                     Updates in place.",
                )
                .optional(),
            ],
            "Where matching traffic goes: `ip = \"…\"` on UpCloud.",
        )
        .required(),
        Attribute::string(
            "description",
            "Name of the route at UpCloud. When unset, UpCloud names it `static-route-N`. Updates in place.",
        )
        .optional(),
        Attribute::string("name", "The route's name as the cloud reports it.").computed(),
    ];
    Schema {
        version: 0,
        block: Block::new(
            "One route in a route table: a user static route of an UpCloud router. Routes of one router are \
             changed one at a time, so many routes on one router can be applied in parallel; routes added by \
             UpCloud services are never touched.",
            attributes,
        ),
    }
}

pub fn identity_schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute { name: "route_table".into(), description: "e.g. `upcloud/04…`.".into() },
            IdentityAttribute { name: "destination".into(), description: "The destination CIDR.".into() },
        ],
    }
}

/// Where a route lives and what it matches: its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteKey {
    pub router: RouterId,
    pub destination: IpNet,
}

impl RouteKey {
    pub fn table(&self) -> String {
        format!("upcloud/{}", self.router)
    }

    /// `upcloud/ROUTER_ID/DESTINATION`.
    pub fn parse(text: &str) -> Result<RouteKey, String> {
        let invalid = || format!("{text:?} is not a route id: expected upcloud/ROUTER_ID/DESTINATION");
        let rest = text.strip_prefix("upcloud/").ok_or_else(invalid)?;
        let (router, destination) = rest.split_once('/').ok_or_else(invalid)?;
        Ok(RouteKey {
            router: router.parse().map_err(|_| invalid())?,
            destination: destination.parse().map_err(|_| invalid())?,
        })
    }
}

impl std::fmt::Display for RouteKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "upcloud/{}/{}", self.router, self.destination)
    }
}

pub fn router_path() -> AttrPath {
    AttrPath::root("route_table").attr("upcloud").attr("router_id")
}

pub fn next_hop_path() -> AttrPath {
    AttrPath::root("next_hop").attr("ip")
}

impl Route {
    /// The router and destination, when known and well-formed.
    pub fn key(&self) -> Option<RouteKey> {
        let router = self.route_table.known()?.upcloud.known()?.router_id.known()?.parse().ok()?;
        let destination = self.destination.known()?.parse().ok()?;
        Some(RouteKey { router, destination })
    }

    pub fn next_hop_ip(&self) -> Option<String> {
        self.next_hop.known()?.ip.known().cloned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn route_ids_round_trip() {
        let id = "upcloud/04000000-0000-4000-8000-0000000000a1/10.20.0.0/22";
        let key = RouteKey::parse(id).unwrap();
        assert_eq!(key.to_string(), id);
        assert_eq!(key.table(), "upcloud/04000000-0000-4000-8000-0000000000a1");
        assert!(RouteKey::parse("upcloud/04000000-0000-4000-8000-0000000000a1").is_err());
        assert!(RouteKey::parse("scaleway/x/y").is_err());
        assert_eq!(
            RouteKey::parse("upcloud/04000000-0000-4000-8000-0000000000a1/fd00::/64").unwrap().destination.to_string(),
            "fd00::/64"
        );
    }
}
