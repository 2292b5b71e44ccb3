//! The `peering_custom_route` schema and its typed model.

use std::collections::BTreeMap;

use peering_net::{IpNet, RouteTableRef, ScalewayVpcId, UpcloudRouterId, WrittenId};
use tfplugin6::schema::{Attribute, IdentityAttribute, IdentitySchema};
use tfplugin6::tf_object;
use tfplugin6::{Attr, AttrPath, Block, Schema, Type};

pub(super) const TYPE_NAME: &str = "peering_custom_route";

tf_object! {
    /// `{ router_id = "04…" }`
    pub struct UpcloudTable { router_id: Attr<String> }
}

tf_object! {
    /// `{ region = "fr-par", vpc_id = "…" }`; the region defaults to the provider's.
    pub struct ScalewayTable { region: Attr<String>, vpc_id: Attr<String> }
}

tf_object! {
    /// Exactly one cloud's route table.
    pub struct RouteTable { scaleway: Attr<ScalewayTable>, upcloud: Attr<UpcloudTable> }
}

tf_object! {
    /// Where matching traffic goes: one kind per cloud.
    pub struct NextHop {
        connection: Attr<String>,
        ip: Attr<String>,
        private_network_id: Attr<String>,
        resource_id: Attr<String>,
    }
}

tf_object! {
    pub struct Route {
        id: Attr<String>,
        route_table: Attr<RouteTable>,
        destination: Attr<String>,
        next_hop: Attr<NextHop>,
        description: Attr<String>,
        name: Attr<String>,
        tags: Attr<BTreeMap<String, String>>,
    }
}

tf_object! {
    /// `identity = { route_table = "upcloud/04…", destination = "10.20.0.0/22" }`
    pub struct Identity { route_table: Attr<String>, destination: Attr<String> }
}

/// Every optional attribute is optional+computed only so that generated configuration (Terraform
/// 1.14+) leaves the unset ones out instead of writing `= null`; a plan always takes them from the
/// configuration ([`Route::keep_configured`]).
/// The attributes' own checks, declared on the schema (each runs on its value alone).
mod validators {
    use peering_net::{IpNet, ScalewayRegion, UpcloudRouterId};
    use tfplugin6::Value;

    type Checked = Result<(), (String, String)>;

    fn text(value: &Value) -> &str {
        value.as_str().unwrap_or_default()
    }

    pub(super) fn router_id(value: &Value) -> Checked {
        let id = text(value);
        id.parse::<UpcloudRouterId>()
            .map(drop)
            .map_err(|_| ("Invalid router_id".into(), format!("{id:?} is not a UUID.")))
    }

    pub(super) fn scaleway_region(value: &Value) -> Checked {
        text(value).parse::<ScalewayRegion>().map(drop).map_err(|e| ("Invalid Scaleway region".into(), format!("{e}.")))
    }

    pub(super) fn destination(value: &Value) -> Checked {
        let text = text(value);
        match text.parse::<IpNet>() {
            Ok(net) if net.trunc() == net => Ok(()),
            Ok(net) => Err((
                "Destination is not a network address".into(),
                format!("{text} has host bits set; write {}.", net.trunc()),
            )),
            Err(_) => Err(("Invalid destination".into(), format!("{text:?} is not a CIDR such as 10.20.0.0/22."))),
        }
    }

    pub(super) fn ip_address(value: &Value) -> Checked {
        let ip = text(value);
        ip.parse::<std::net::IpAddr>()
            .map(drop)
            .map_err(|_| ("Invalid next hop".into(), format!("{ip:?} is not an IP address.")))
    }

    pub(super) fn description(value: &Value) -> Checked {
        match crate::resources::text_problem(text(value)) {
            Some(problem) => Err(("Invalid description".into(), problem)),
            None => Ok(()),
        }
    }
}

pub fn schema() -> Schema {
    let attributes = vec![
        Attribute::string("id", "`upcloud/ROUTER_ID/DESTINATION` or `scaleway/REGION/ROUTE_ID`. Use it to import.")
            .computed()
            .keep_prior(),
        Attribute::nested(
            "route_table",
            vec![
                Attribute::nested(
                    "scaleway",
                    vec![
                        Attribute::string("region", "Region of the VPC. Default: the provider's Scaleway region.")
                            .optional_computed()
                            .validate(validators::scaleway_region),
                        Attribute::string(
                            "vpc_id",
                            "The Scaleway VPC: its UUID, or `REGION/UUID` as `scaleway_vpc.id` gives it.",
                        )
                        .required(),
                    ],
                    "A Scaleway VPC: the route is one of its custom routes.",
                )
                .optional_computed(),
                Attribute::nested(
                    "upcloud",
                    vec![
                        Attribute::string("router_id", "UUID of the UpCloud router (starts with `04`).")
                            .required()
                            .validate(validators::router_id),
                    ],
                    "An UpCloud router: the route is one user entry of its `static_routes`.",
                )
                .optional_computed(),
            ],
            "The route table the route goes in: exactly one of `scaleway = { region, vpc_id }` or \
             `upcloud = { router_id }`.",
        )
        // Replaces when it names another table, however the ids are written (`Route::plan`).
        .required(),
        Attribute::string(
            "destination",
            "Destination CIDR, IPv4 or IPv6, e.g. `10.20.0.0/22`. Updates in place on Scaleway; replaces the \
             route on UpCloud, where it names the route.",
        )
        .required()
        .validate(validators::destination),
        Attribute::nested(
            "next_hop",
            vec![
                Attribute::string(
                    "connection",
                    "Scaleway: the `id` of a `peering_connection` with this VPC on one side; the route goes through \
                     the connector from this VPC toward the other side.",
                )
                .optional_computed(),
                Attribute::string(
                    "ip",
                    "UpCloud: an address inside a network attached to the router, of the destination's family.",
                )
                .optional_computed()
                .validate(validators::ip_address),
                Attribute::string(
                    "private_network_id",
                    "Scaleway: a Private Network of this VPC (its UUID, or `REGION/UUID`).",
                )
                .optional_computed(),
                Attribute::string(
                    "resource_id",
                    "Scaleway: a resource (e.g. an instance's private NIC: UUID, `ZONE/UUID` or `ZONE/SERVER_ID/NIC_ID`) \
                     to route through, with its `private_network_id`.",
                )
                .optional_computed(),
            ],
            "Where matching traffic goes: on UpCloud `ip`; on Scaleway `connection`, or `private_network_id` \
             and/or `resource_id`. Updates in place.",
        )
        .required(),
        Attribute::string(
            "description",
            "UpCloud: the route's name (unset: UpCloud names it `static-route-N`). Scaleway: its description \
             (unset: `Custom route`). Updates in place.",
        )
        .optional_computed()
        .validate(validators::description),
        Attribute::string("name", "The route's name (UpCloud) or description (Scaleway) as the cloud reports it.")
            .computed(),
        Attribute::plain(
            "tags",
            Type::map(Type::String),
            "Scaleway: tags on the route, written `key=value` (a bare Scaleway tag such as `critical` reads as \
             `critical = \"\"`). UpCloud routes have none. Updates in place.",
        )
        .optional_computed(),
    ];
    Schema {
        version: 0,
        block: Block::new(
            "One route in a route table: a custom route of a Scaleway VPC, or a user static route of an UpCloud \
             router. Routes of one UpCloud router are changed one at a time, so many can be applied in parallel; \
             managed, read-only and service routes are never touched.",
            attributes,
        ),
    }
}

pub(super) fn identity_schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute {
                name: "route_table".into(),
                description: "`upcloud/ROUTER_ID` or `scaleway/REGION/VPC_ID`.".into(),
            },
            IdentityAttribute { name: "destination".into(), description: "The destination CIDR.".into() },
        ],
    }
}

/// Where a route lives and what it matches: its identity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteKey {
    pub router: UpcloudRouterId,
    pub destination: IpNet,
}

impl RouteKey {
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

pub(super) fn router_path() -> AttrPath {
    AttrPath::root("route_table").attr("upcloud").attr("router_id")
}

pub(super) fn next_hop_path() -> AttrPath {
    AttrPath::root("next_hop").attr("ip")
}

/// A route table of either cloud (`upcloud/ROUTER_ID`, `scaleway/REGION/VPC_ID`).
pub(super) type Table = RouteTableRef;

/// The configuration's form of a route table.
pub(super) fn table_attr(table: &Table) -> RouteTable {
    match table {
        Table::Upcloud { router } => RouteTable {
            upcloud: Attr::Known(UpcloudTable { router_id: Attr::Known(router.to_string()) }),
            ..Default::default()
        },
        Table::Scaleway { region, vpc_id } => RouteTable {
            scaleway: Attr::Known(ScalewayTable {
                region: Attr::Known(region.to_string()),
                vpc_id: Attr::Known(vpc_id.to_string()),
            }),
            ..Default::default()
        },
    }
}

impl NextHop {
    /// ` via …`, for messages.
    pub(super) fn describe(&self) -> String {
        [&self.ip, &self.connection, &self.private_network_id, &self.resource_id]
            .into_iter()
            .filter_map(|v| v.known())
            .map(|v| format!(" via {v}"))
            .collect()
    }
}

impl Route {
    /// What the configuration leaves unset stays unset: Terraform proposes the prior value for
    /// an unset optional+computed attribute.
    pub fn keep_configured(&mut self, config: &Route) {
        if let (Attr::Known(planned), Attr::Known(config)) = (&mut self.route_table, &config.route_table) {
            if config.scaleway.is_null() {
                planned.scaleway = Attr::Null;
            }
            if config.upcloud.is_null() {
                planned.upcloud = Attr::Null;
            }
        }
        if let (Attr::Known(planned), Attr::Known(config)) = (&mut self.next_hop, &config.next_hop) {
            *planned = config.clone();
        }
        self.description = config.description.clone();
        self.tags = config.tags.clone();
    }

    /// The route table, when known and well-formed.
    pub fn table(&self) -> Option<Table> {
        let table = self.route_table.known()?;
        if let Attr::Known(up) = &table.upcloud {
            return Some(Table::Upcloud { router: up.router_id.known()?.parse().ok()? });
        }
        let scw = table.scaleway.known()?;
        let region = scw.region.known()?.parse().ok()?;
        let vpc_id = ScalewayVpcId(WrittenId::scaleway_in(scw.vpc_id.known()?, region).ok()?);
        Some(Table::Scaleway { region, vpc_id })
    }

    /// The router and destination of an UpCloud route, when known and well-formed.
    pub fn key(&self) -> Option<RouteKey> {
        let Table::Upcloud { router } = self.table()? else { return None };
        let destination = self.destination.known()?.parse().ok()?;
        Some(RouteKey { router, destination })
    }

    /// Fills a Scaleway route table's unset region: the region of the connection the route goes
    /// through, when it names one (a connection exists in one region only), else the provider's.
    /// While the connection is not known yet (made in the same apply), neither is the region.
    pub fn default_region(&mut self, provider_region: &str) {
        let connection_unknown =
            self.next_hop.is_unknown() || self.next_hop.known().is_some_and(|hop| hop.connection.is_unknown());
        let from_connection = self.connection_region();
        if let Attr::Known(RouteTable { scaleway: Attr::Known(scw), .. }) = &mut self.route_table
            && scw.region.is_null()
        {
            // `fr-par/UUID` (the official provider's id) says its own region.
            let written = scw.vpc_id.known().and_then(|v| WrittenId::scaleway_regional(v).ok()?.0);
            scw.region = if let Some(written) = written {
                Attr::Known(written.to_string())
            } else if connection_unknown {
                Attr::Unknown
            } else {
                Attr::Known(from_connection.map_or(provider_region, |r| r.as_str()).to_string())
            };
        }
    }

    /// The Scaleway region of the connection in `next_hop.connection`, if it names one.
    fn connection_region(&self) -> Option<peering_net::ScalewayRegion> {
        let id: peering_net::ConnectionId = self.next_hop.known()?.connection.known()?.parse().ok()?;
        match id.network {
            peering_net::NetworkRef::Scaleway { region, .. } => Some(region),
            _ => None,
        }
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
        assert_eq!(key.router.to_string(), "04000000-0000-4000-8000-0000000000a1");
        assert!(RouteKey::parse("upcloud/04000000-0000-4000-8000-0000000000a1").is_err());
        assert!(RouteKey::parse("scaleway/x/y").is_err());
        assert_eq!(
            RouteKey::parse("upcloud/04000000-0000-4000-8000-0000000000a1/fd00::/64").unwrap().destination.to_string(),
            "fd00::/64"
        );
    }
}
