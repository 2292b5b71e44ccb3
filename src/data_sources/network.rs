//! `peering_network`: one network of any cloud, by id or by name, with what a peering needs to
//! know of it. Its `endpoint` goes straight into `peering_connection`'s `network`.

use async_trait::async_trait;

use super::DataSource;
use crate::resources::connection::{Endpoint, endpoint_attribute, endpoint_of};
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_clouds::aiven::wire::VpcState;
use peering_net::{AivenVpcId, IdError, NetworkRef, ScalewayRegion, ScalewayVpcId, UpcloudNetworkId, WrittenId};
use tfplugin6::schema::Attribute;
use tfplugin6::tf_object;
use tfplugin6::{Attr, AttrPath, Block, Diagnostic, Diagnostics, Schema, Type};

tf_object! {
    pub struct UpcloudQuery { network_id: Attr<String>, name: Attr<String>, zone: Attr<String> }
}

tf_object! {
    pub struct AivenQuery { project: Attr<String>, vpc_id: Attr<String>, cloud_name: Attr<String> }
}

tf_object! {
    pub struct ScalewayQuery { vpc_id: Attr<String>, name: Attr<String>, region: Attr<String> }
}

tf_object! {
    pub struct Server { id: Attr<String>, title: Attr<String> }
}

tf_object! {
    pub struct Found {
        upcloud: Attr<UpcloudQuery>,
        aiven: Attr<AivenQuery>,
        scaleway: Attr<ScalewayQuery>,
        id: Attr<String>,
        name: Attr<String>,
        location: Attr<String>,
        state: Attr<String>,
        ipv4_cidrs: Attr<Vec<String>>,
        ipv6_cidrs: Attr<Vec<String>>,
        router_id: Attr<String>,
        servers: Attr<Vec<Server>>,
        aiven_network_id: Attr<String>,
        transitivity_enabled: Attr<bool>,
        private_network_ids: Attr<Vec<String>>,
        endpoint: Attr<Endpoint>,
    }
}

/// What one cloud says of the network, before it is written into the answer.
struct Facts {
    network: NetworkRef,
    name: Option<String>,
    location: String,
    state: Option<String>,
    cidrs: Vec<ipnet::IpNet>,
    router_id: Option<String>,
    servers: Vec<Server>,
    aiven_network_id: Option<String>,
    /// A Scaleway VPC: whether traffic between its peers may cross it (`None`: not said).
    transitivity_enabled: Option<bool>,
    /// A Scaleway VPC's Private Networks.
    private_network_ids: Option<Vec<String>>,
}

impl Facts {
    fn new(network: NetworkRef, location: String) -> Facts {
        Facts {
            network,
            location,
            name: None,
            state: None,
            cidrs: Vec::new(),
            router_id: None,
            servers: Vec::new(),
            aiven_network_id: None,
            transitivity_enabled: None,
            private_network_ids: None,
        }
    }
}

pub struct Network {
    schema: Schema,
}

fn lookup(name: &str, description: &str, keys: [(&str, &str); 3]) -> Attribute {
    Attribute::nested(
        name,
        keys.iter().map(|(key, what)| Attribute::string(key, what).optional()).collect(),
        description,
    )
    .optional()
}

impl Default for Network {
    fn default() -> Self {
        let endpoint_type = endpoint_attribute("endpoint", "").implied_type();
        let server = Type::object([("id", Type::String), ("title", Type::String)]);
        let attributes = vec![
            lookup(
                "upcloud",
                "An UpCloud SDN network: `network_id`, or `name` (with `zone` where names repeat).",
                [
                    ("network_id", "UUID of the network."),
                    ("name", "Its name, matched exactly."),
                    ("zone", "Its zone, e.g. `de-fra1`; narrows a name lookup."),
                ],
            ),
            lookup(
                "aiven",
                "An Aiven project VPC: `project`, and `vpc_id` or `cloud_name` (the console shows the cloud, not the UUID).",
                [
                    ("project", "Name of the Aiven project (required)."),
                    ("vpc_id", "`project_vpc_id` of the VPC, or `PROJECT/UUID`."),
                    ("cloud_name", "Its cloud, e.g. `upcloud-de-fra`."),
                ],
            ),
            lookup(
                "scaleway",
                "A Scaleway VPC: `vpc_id`, or `name`; in `region` (default: the provider's Scaleway region).",
                [
                    ("vpc_id", "The VPC's UUID, or `REGION/UUID`."),
                    ("name", "Its name, matched exactly."),
                    ("region", "Its region, e.g. `fr-par`."),
                ],
            ),
            Attribute::string("id", "The network as `peering_connection` ids write it: `upcloud/…`, `aiven/PROJECT/…`, `scaleway/REGION/…`.").computed(),
            Attribute::string("name", "Its name (Aiven VPCs have none: null).").computed(),
            Attribute::string("location", "UpCloud zone, Scaleway region or Aiven cloud.").computed(),
            Attribute::string("state", "Aiven's VPC state (`APPROVED`, `ACTIVE`, …); null for clouds without one.").computed(),
            Attribute::plain("ipv4_cidrs", Type::list(Type::String), "Its IPv4 address ranges (a Scaleway VPC: its Private Networks' subnets).").computed(),
            Attribute::plain("ipv6_cidrs", Type::list(Type::String), "Its IPv6 address ranges.").computed(),
            Attribute::string("router_id", "The UpCloud router attached, null when none (a peering needs one).").computed(),
            Attribute::plain("servers", Type::list(server), "UpCloud servers attached to the network: `id` and `title`; they renew DHCP leases after a peering.").computed(),
            Attribute::string("aiven_network_id", "For an Aiven VPC, the UpCloud network behind it, when a peering of the VPC has reported it; else null.").computed(),
            Attribute::plain("transitivity_enabled", Type::Bool, "A Scaleway VPC: whether traffic between its peers may cross it (`enable_transitivity`, set when the VPC is made); null for other clouds, or when Scaleway does not say.").computed(),
            Attribute::plain("private_network_ids", Type::list(Type::String), "A Scaleway VPC: the ids of its Private Networks (next hops for `peering_custom_route`); null for other clouds.").computed(),
            Attribute::plain("endpoint", endpoint_type, "The network written as `peering_connection`'s `network` or `peer_network`.").computed(),
        ];
        Network {
            schema: Schema {
                version: 0,
                block: Block::new(
                    "One network of any cloud, found by id or by name, with what a peering needs to know of it. \
                     Not found, or a name that matches more than one network, is an error that lists the candidates.",
                    attributes,
                ),
            },
        }
    }
}

fn invalid(path: AttrPath, summary: &str, detail: impl Into<String>) -> Error {
    Error::Invalid { summary: summary.to_string(), detail: detail.into(), path: Some(path) }
}

/// The one network whose candidates `matches` left, or an error naming them.
/// `others` names what the lookup could have found instead, for a lookup that found nothing.
fn only<T>(
    mut matches: Vec<T>,
    others: &[String],
    path: AttrPath,
    what: &str,
    describe: impl Fn(&T) -> String,
) -> Result<T, Error> {
    match matches.len() {
        1 => Ok(matches.remove(0)),
        0 if others.is_empty() => Err(invalid(path, "Network not found", format!("There is no {what}."))),
        0 => Err(invalid(
            path,
            "Network not found",
            format!(
                "There is no {what}; there are: {}.",
                others.iter().take(20).cloned().collect::<Vec<_>>().join(", ")
            ),
        )),
        _ => {
            let names: Vec<String> = matches.iter().map(describe).collect();
            Err(invalid(
                path,
                "More than one network matches",
                format!("{} {what}s match: {}. Narrow the lookup, or use the id.", names.len(), names.join(", ")),
            ))
        }
    }
}

fn given(attr: &Attr<String>) -> Option<&str> {
    attr.known().map(String::as_str).filter(|s| !s.is_empty())
}

impl Network {
    async fn upcloud(ctx: &Ctx<'_>, q: &UpcloudQuery) -> Result<Facts, Error> {
        let path = AttrPath::root("upcloud");
        let client = ctx.upcloud(&path)?;
        let network = match (given(&q.network_id), given(&q.name)) {
            (Some(id), _) => {
                let id: UpcloudNetworkId =
                    id.parse().map_err(|_| invalid(path.clone().attr("network_id"), "Invalid id", "Not a UUID."))?;
                client.get_network(id).await.map_err(|e| {
                    if e.is_not_found() {
                        invalid(
                            path.clone().attr("network_id"),
                            "Network not found",
                            format!("UpCloud has no network {id}."),
                        )
                    } else {
                        e.into()
                    }
                })?
            }
            (None, Some(name)) => {
                let (named, others): (Vec<_>, Vec<_>) = (client.list_networks(given(&q.zone)).await?.into_iter())
                    .filter(|n| n.kind == "private")
                    .partition(|n| n.name == name);
                let others: Vec<String> = others.iter().map(|n| format!("{:?} in {}", n.name, n.zone)).collect();
                only(named, &others, path.clone().attr("name"), &format!("UpCloud SDN network named {name:?}"), |n| {
                    format!("{} in {}", n.uuid, n.zone)
                })?
            }
            (None, None) => return Err(invalid(path, "Nothing to look up", "Set `network_id` or `name`.")),
        };
        Ok(Facts {
            cidrs: network.cidrs(),
            name: Some(network.name),
            router_id: network.router.map(|r| r.to_string()),
            servers: (network.servers.server.into_iter())
                .map(|s| Server { id: Attr::Known(s.uuid), title: Attr::Known(s.title) })
                .collect(),
            ..Facts::new(NetworkRef::Upcloud { network_id: network.uuid }, network.zone)
        })
    }

    async fn aiven(ctx: &Ctx<'_>, q: &AivenQuery) -> Result<Facts, Error> {
        let path = AttrPath::root("aiven");
        let client = ctx.aiven(&path)?;
        let Some(project) = given(&q.project) else {
            return Err(invalid(path.clone().attr("project"), "Missing project", "An Aiven lookup needs `project`."));
        };
        let id = match (given(&q.vpc_id), given(&q.cloud_name)) {
            (Some(id), _) => WrittenId::aiven_in(id, project)
                .map_err(|e| invalid(path.clone().attr("vpc_id"), "Invalid id", format!("{e}.")))?,
            (None, Some(cloud)) => {
                let (live, others): (Vec<_>, Vec<_>) = (client.list_vpcs(project).await?.into_iter())
                    .filter(|v| !matches!(v.state, VpcState::Deleting | VpcState::Deleted))
                    .partition(|v| v.cloud_name == cloud);
                let others: Vec<String> =
                    others.iter().map(|v| format!("{} in {}", v.project_vpc_id, v.cloud_name)).collect();
                let what = format!("VPC of project {project:?} in {cloud}");
                only(live, &others, path.clone().attr("cloud_name"), &what, |v| {
                    format!("{} ({})", v.project_vpc_id, v.network_cidr)
                })?
                .project_vpc_id
            }
            (None, None) => return Err(invalid(path, "Nothing to look up", "Set `vpc_id` or `cloud_name`.")),
        };
        let vpc = client.get_vpc(project, id).await.map_err(|e| {
            if e.is_not_found() {
                invalid(
                    path.clone().attr("vpc_id"),
                    "Network not found",
                    format!("Project {project:?} has no VPC {id}."),
                )
            } else {
                e.into()
            }
        })?;
        let state = serde_json::to_value(vpc.state).ok().and_then(|v| v.as_str().map(str::to_string));
        Ok(Facts {
            state,
            cidrs: vec![vpc.network_cidr],
            aiven_network_id: vpc.peering_connections.iter().find_map(|p| p.aiven_network_id()).map(|u| u.to_string()),
            ..Facts::new(
                NetworkRef::Aiven { project: project.to_string(), vpc_id: AivenVpcId(id) },
                vpc.cloud_name.clone(),
            )
        })
    }

    async fn scaleway(ctx: &Ctx<'_>, q: &ScalewayQuery) -> Result<Facts, Error> {
        let path = AttrPath::root("scaleway");
        let client = ctx.scaleway(&path)?;
        let bad_id = |e: IdError| invalid(path.clone().attr("vpc_id"), "Invalid id", format!("{e}."));
        // `fr-par/UUID` (the official provider's id) says its own region.
        let written = given(&q.vpc_id).map(WrittenId::scaleway_regional).transpose().map_err(bad_id)?;
        let region: ScalewayRegion = match (given(&q.region), written.and_then(|(r, _)| r)) {
            (Some(region), _) => {
                region.parse().map_err(|e: String| invalid(path.clone().attr("region"), "Invalid region", e))?
            }
            (None, Some(written)) => written,
            (None, None) => client
                .default_region()
                .parse()
                .map_err(|e: String| invalid(path.clone().attr("region"), "Invalid region", e))?,
        };
        let vpc = match (given(&q.vpc_id), given(&q.name)) {
            (Some(id), _) => {
                let id = WrittenId::scaleway_in(id, region).map_err(bad_id)?;
                client.get_vpc(region.as_str(), id).await.map_err(|e| {
                    if e.is_not_found() {
                        invalid(
                            path.clone().attr("vpc_id"),
                            "Network not found",
                            format!("Scaleway has no VPC {id} in {region}."),
                        )
                    } else {
                        e.into()
                    }
                })?
            }
            (None, Some(name)) => {
                let named: Vec<_> = client
                    .list_vpcs(region.as_str(), Some(name))
                    .await?
                    .into_iter()
                    .filter(|v| v.name == name)
                    .collect();
                // Only a lookup that failed pays for the list of what there is.
                let others: Vec<String> = if named.is_empty() {
                    client.list_vpcs(region.as_str(), None).await?.iter().map(|v| format!("{:?}", v.name)).collect()
                } else {
                    Vec::new()
                };
                only(
                    named,
                    &others,
                    path.clone().attr("name"),
                    &format!("Scaleway VPC named {name:?} in {region}"),
                    |v| v.id.to_string(),
                )?
            }
            (None, None) => return Err(invalid(path, "Nothing to look up", "Set `vpc_id` or `name`.")),
        };
        let subnets = client.list_private_networks(region.as_str(), vpc.id).await?;
        Ok(Facts {
            name: Some(vpc.name),
            transitivity_enabled: vpc.transitivity_enabled,
            private_network_ids: Some(subnets.iter().map(|pn| pn.id.to_string()).collect()),
            cidrs: subnets.into_iter().flat_map(|pn| pn.subnets).map(|s| s.subnet).collect(),
            ..Facts::new(NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(vpc.id) }, region.to_string())
        })
    }
}

#[async_trait]
impl DataSource for Network {
    type Model = Found;

    const TYPE_NAME: &'static str = "peering_network";

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Found) -> Diagnostics {
        let mut diags = Diagnostics::default();
        let set = [
            ("upcloud", !config.upcloud.is_null()),
            ("aiven", !config.aiven.is_null()),
            ("scaleway", !config.scaleway.is_null()),
        ];
        if set.iter().filter(|(_, on)| *on).count() != 1 {
            diags.push(Diagnostic::error("Exactly one cloud", "Set exactly one of `upcloud`, `aiven` or `scaleway`."));
        }
        let pick = |diags: &mut Diagnostics, root: &str, pairs: [(&str, &Attr<String>); 2]| {
            let known: Vec<&str> = pairs.iter().filter(|(_, a)| !a.is_null()).map(|(n, _)| *n).collect();
            if known.len() != 1 && pairs.iter().all(|(_, a)| !matches!(a, Attr::Unknown)) {
                diags.push(
                    Diagnostic::error(
                        "Exactly one way to look up",
                        format!("Set exactly one of `{}` or `{}`.", pairs[0].0, pairs[1].0),
                    )
                    .at(AttrPath::root(root)),
                );
            }
            for (name, attr) in pairs {
                // Bare UUIDs, or SCOPE/UUID as the official providers give them (checked in full on read).
                if name.ends_with("_id")
                    && let Attr::Known(text) = attr
                    && let Err(problem) = match root {
                        "aiven" => WrittenId::parse(text, "PROJECT").map(drop).map_err(|e| e.to_string()),
                        "scaleway" => WrittenId::scaleway_regional(text).map(drop).map_err(|e| e.to_string()),
                        _ => uuid::Uuid::parse_str(text).map(drop).map_err(|_| format!("{text:?} is not a UUID")),
                    }
                {
                    diags.push(
                        Diagnostic::error("Invalid id", format!("{problem}.")).at(AttrPath::root(root).attr(name)),
                    );
                }
            }
        };
        if let Attr::Known(q) = &config.upcloud {
            pick(&mut diags, "upcloud", [("network_id", &q.network_id), ("name", &q.name)]);
        }
        if let Attr::Known(q) = &config.aiven {
            pick(&mut diags, "aiven", [("vpc_id", &q.vpc_id), ("cloud_name", &q.cloud_name)]);
            if q.project.is_null() {
                diags.push(
                    Diagnostic::error("Missing project", "An Aiven lookup needs `project`.")
                        .at(AttrPath::root("aiven").attr("project")),
                );
            }
            if let Attr::Known(project) = &q.project
                && !peering_net::is_aiven_project_name(project)
            {
                diags.push(
                    Diagnostic::error("Invalid project", format!("{project:?} is not an Aiven project name."))
                        .at(AttrPath::root("aiven").attr("project")),
                );
            }
        }
        if let Attr::Known(q) = &config.scaleway {
            pick(&mut diags, "scaleway", [("vpc_id", &q.vpc_id), ("name", &q.name)]);
            if let Attr::Known(region) = &q.region
                && let Err(e) = region.parse::<ScalewayRegion>()
            {
                diags.push(Diagnostic::error("Invalid region", e).at(AttrPath::root("scaleway").attr("region")));
            }
        }
        diags
    }

    async fn read(&self, ctx: &Ctx<'_>, config: Found) -> Result<Found, Error> {
        let facts = match (&config.upcloud, &config.aiven, &config.scaleway) {
            (Attr::Known(q), _, _) => Network::upcloud(ctx, q).await?,
            (_, Attr::Known(q), _) => Network::aiven(ctx, q).await?,
            (_, _, Attr::Known(q)) => Network::scaleway(ctx, q).await?,
            _ => return Err(invalid(AttrPath::root("upcloud"), "Exactly one cloud", "Set one of the clouds.")),
        };
        let network = &facts.network;
        let (v4, v6): (Vec<_>, Vec<_>) = facts.cidrs.iter().partition(|c| matches!(c, ipnet::IpNet::V4(_)));
        let text = |v: Vec<&ipnet::IpNet>| Attr::Known(v.iter().map(ToString::to_string).collect());
        let known = |v: Option<String>| v.map_or(Attr::Null, Attr::Known);
        Ok(Found {
            id: Attr::Known(network.to_string()),
            name: known(facts.name),
            location: Attr::Known(facts.location),
            state: known(facts.state),
            ipv4_cidrs: text(v4),
            ipv6_cidrs: text(v6),
            router_id: known(facts.router_id),
            servers: Attr::Known(facts.servers),
            aiven_network_id: known(facts.aiven_network_id),
            transitivity_enabled: facts.transitivity_enabled.map_or(Attr::Null, Attr::Known),
            private_network_ids: facts.private_network_ids.map_or(Attr::Null, Attr::Known),
            endpoint: Attr::Known(endpoint_of(network)),
            ..config
        })
    }
}
