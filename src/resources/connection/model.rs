//! The `peering_connection` schema and its typed model.

use std::collections::BTreeMap;

use peering_net::{
    AivenVpcId, Cloud, ConnectionId, IdError, NetworkRef, ScalewayRegion, ScalewayVpcId, UpcloudNetworkId, WrittenId,
};
use tfplugin6::schema::{Attribute, IdentityAttribute, IdentitySchema};
use tfplugin6::tf_object;
use tfplugin6::{Attr, AttrPath, Block, Schema, Type, Value};

pub(super) const TYPE_NAME: &str = "peering_connection";

tfplugin6::tf_enum! {
    /// Who makes the reverse half.
    pub enum PeerSide {
        /// This provider, with its own credentials for the peer's cloud.
        Managed = "managed",
        /// The peer network's owner; we manage our half only.
        External = "external",
    }
}

tfplugin6::tf_enum! {
    /// What an apply waits for.
    pub enum WaitFor {
        /// Traffic can flow.
        Active = "active",
        /// The halves exist.
        Created = "created",
    }
}

tf_object! {
    /// `{ network_id = "03…" }`
    pub struct UpcloudEndpoint { network_id: Attr<String> }
}

tf_object! {
    /// `{ project = "acme-prod", vpc_id = "b032dfbf-…" }`
    pub struct AivenEndpoint { project: Attr<String>, vpc_id: Attr<String> }
}

tf_object! {
    /// `{ region = "fr-par", vpc_id = "…" }`; the region defaults to the provider's.
    pub struct ScalewayEndpoint { region: Attr<String>, vpc_id: Attr<String> }
}

tf_object! {
    /// Exactly one cloud's endpoint is set.
    pub struct Endpoint { aiven: Attr<AivenEndpoint>, scaleway: Attr<ScalewayEndpoint>, upcloud: Attr<UpcloudEndpoint> }
}

tf_object! {
    /// One half of the peering as its cloud sees it, with the name and tags it carries.
    pub struct HalfState { id: Attr<String>, state: Attr<String>, name: Attr<String>, tags: Attr<BTreeMap<String, String>> }
}

/// The end a half goes from: `network` (toward `peer_network`) or `peer_network` (back).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    Network,
    Peer,
}

impl End {
    pub const BOTH: [End; 2] = [End::Network, End::Peer];

    /// The attribute that holds the half from this end.
    pub fn half_attribute(self) -> &'static str {
        match self {
            End::Network => "network_half",
            End::Peer => "peer_half",
        }
    }
}

tf_object! {
    pub struct Timeouts { create: Attr<String>, update: Attr<String>, delete: Attr<String> }
}

tf_object! {
    pub struct Connection {
        id: Attr<String>,
        name: Attr<String>,
        network: Attr<Endpoint>,
        peer_network: Attr<Endpoint>,
        peer_side: Attr<PeerSide>,
        wait_for: Attr<WaitFor>,
        enabled: Attr<bool>,
        tags: Attr<BTreeMap<String, String>>,
        timeouts: Attr<Timeouts>,
        status: Attr<super::status::Status>,
        status_message: Attr<String>,
        network_half: Attr<HalfState>,
        peer_half: Attr<HalfState>,
        network_cidrs: Attr<Vec<String>>,
        peer_network_cidrs: Attr<Vec<String>>,
        aiven_network_id: Attr<String>,
    }
}

tf_object! {
    /// `identity = { network = "upcloud/03…", peer_network = "aiven/PROJECT/VPC" }`
    pub struct Identity { network: Attr<String>, peer_network: Attr<String> }
}

/// The three cloud objects are optional+computed only so that generated configuration
/// (Terraform 1.14+) leaves the unset ones out instead of writing `aiven = null`; a plan always
/// takes them from the configuration (`Endpoint::keep_configured_clouds`).
pub(crate) fn endpoint_attribute(name: &str, description: &str) -> Attribute {
    // One object per cloud, named by its key, in the schema's alphabetical order.
    let mut clouds: Vec<Attribute> = Cloud::ALL.iter().map(|&cloud| cloud_endpoint_attribute(cloud)).collect();
    clouds.sort_by(|a, b| a.name.cmp(&b.name));
    Attribute::nested(name, clouds, description).required()
}

/// One cloud's endpoint object.
fn cloud_endpoint_attribute(cloud: Cloud) -> Attribute {
    match cloud {
        Cloud::Aiven => Attribute::nested(
            "aiven",
            vec![
                Attribute::string("project", "Name of the Aiven project.").required(),
                Attribute::string(
                    "vpc_id",
                    "`project_vpc_id` of the project VPC (a UUID), or `PROJECT/UUID` as `aiven_project_vpc.id` gives \
                     it. Its cloud must be `upcloud-*`.",
                )
                .required(),
            ],
            "An Aiven project VPC in an UpCloud cloud.",
        )
        .optional_computed(),
        Cloud::Scaleway => Attribute::nested(
            "scaleway",
            vec![
                Attribute::string(
                    "region",
                    "Region of the VPC, e.g. `fr-par`. Default: the provider's Scaleway region. Both VPCs of a \
                     peering must be in one region.",
                )
                .optional_computed(),
                Attribute::string(
                    "vpc_id",
                    "The Scaleway VPC: its UUID, or `REGION/UUID` as `scaleway_vpc.id` gives it (a region left out is \
                     taken from it; one given must agree).",
                )
                .required(),
            ],
            "A Scaleway VPC.",
        )
        .optional_computed(),
        Cloud::Upcloud => Attribute::nested(
            "upcloud",
            vec![
                Attribute::string(
                    "network_id",
                    "UUID of the UpCloud SDN network (starts with `03`). It needs a router.",
                )
                .required(),
            ],
            "An UpCloud SDN network.",
        )
        .optional_computed(),
    }
}

fn half_attribute(name: &str, description: &str) -> Attribute {
    Attribute::nested(
        name,
        vec![
            Attribute::string("id", "The cloud's own id of this half (an UpCloud network peering UUID).").computed(),
            Attribute::string("state", "The cloud's own state of this half, e.g. `active` or `pending-peer`.")
                .computed(),
            Attribute::string(
                "name",
                "The name of this half. Default: the peering's `name`. Set it to keep a name per direction (`a-to-b`, \
                 `b-to-a`), as peerings made by hand or by the official providers have. Only halves the provider \
                 manages in UpCloud or Scaleway carry one.",
            )
            .optional_computed(),
            Attribute::plain("tags", Type::map(Type::String), "The tags of this half. Default: the peering's `tags`.")
                .optional_computed(),
        ],
        description,
    )
    .optional_computed()
}

pub fn schema() -> Schema {
    let attributes = vec![
        Attribute::string(
            "id",
            "Canonical id `NETWORK:PEER_NETWORK`, each side written as `upcloud/NETWORK_ID`. Use it to import.",
        )
        .computed(),
        Attribute::string("name", "Name of the peering, given to each half the provider creates. Updates in place.")
            .required(),
        endpoint_attribute(
            "network",
            "Our side of the peering: exactly one of `aiven = { project, vpc_id }`, `scaleway = { region, vpc_id }` or \
             `upcloud = { network_id }`.",
        ),
        endpoint_attribute(
            "peer_network",
            "The other side, in the same form as `network`. Changing either network replaces the peering; writing \
             the two the other way round does not (a peering has no direction, unless `peer_side = \"external\"`).",
        ),
        Attribute::string(
            "peer_side",
            "`managed` (default): also create the reverse half with this provider's credentials. `external`: the \
             peer's owner creates it; only our half is managed, and a pending peer is reported as a warning. Changes \
             in place: to `managed`, the reverse half is made (or the existing one taken on); to `external`, the \
             reverse half is left in place for its owner and no longer managed.",
        )
        .default(Value::String(PeerSide::Managed.to_string())),
        Attribute::string(
            "wait_for",
            "`active` (default): apply returns once traffic can flow. `created`: return as soon as the halves exist.",
        )
        .default(Value::String(WaitFor::Active.to_string())),
        Attribute::plain(
            "enabled",
            Type::Bool,
            "`true` (default): the peering carries traffic. `false`: paused — UpCloud halves are kept with \
             `configured_status = disabled` (status `disabled`, not drift); back to `true` re-enables them. Only \
             UpCloud ↔ UpCloud peerings can be paused.",
        )
        .default(Value::Bool(true)),
        // Optional+computed only so that generated configuration leaves them out when unset; the
        // plan always takes them from the configuration.
        Attribute::plain(
            "tags",
            Type::map(Type::String),
            "Put on each half the provider manages: UpCloud labels, Scaleway connector tags (written `key=value`; a \
             bare Scaleway tag `critical` reads as `critical = \"\"`). Aiven halves carry none. Update in place.",
        )
        .optional_computed(),
        Attribute::nested(
            "timeouts",
            vec![
                Attribute::string("create", "How long create waits, e.g. `20m` (default).").optional(),
                Attribute::string("update", "How long update waits, e.g. `20m` (default).").optional(),
                Attribute::string("delete", "How long delete waits, e.g. `10m` (default).").optional(),
            ],
            "How long to wait for the clouds.",
        )
        .optional_computed(),
        Attribute::string(
            "status",
            "Normalised state of the whole peering: `provisioning`, `pending_peer`, `active`, `disabled`, `conflict` \
             or `error`.",
        )
        .computed(),
        Attribute::string("status_message", "What the clouds say about the state, in words.").computed(),
        half_attribute("network_half", "The half created from `network` toward `peer_network`."),
        half_attribute(
            "peer_half",
            "The reverse half, from `peer_network` toward `network` (null when `peer_side = \"external\"` and it \
             does not exist yet).",
        ),
        Attribute::plain("network_cidrs", Type::list(Type::String), "Address ranges of `network`.").computed(),
        Attribute::plain("peer_network_cidrs", Type::list(Type::String), "Address ranges of `peer_network`.")
            .computed(),
        Attribute::string(
            "aiven_network_id",
            "The Aiven network ID: the UpCloud network behind the Aiven VPC, which the UpCloud half peers with. \
             Read from Aiven once its half is `PENDING_PEER`, and kept. Set it only when the UpCloud side is ours, \
             the Aiven side is `external` and the provider has no Aiven credentials.",
        )
        .optional_computed()
        .keep_prior(),
    ];
    Schema {
        // 1: each half's own `name` and `tags` ([`upgrade`]).
        version: 1,
        block: Block::new(
            "A private network peering between two networks: both halves when the provider holds both clouds' \
             credentials, or our half only (`peer_side = \"external\"`). Supported pairs: Aiven ↔ UpCloud (either side \
             may be `network`), UpCloud ↔ UpCloud and Scaleway ↔ Scaleway (one region).",
            attributes,
        ),
    }
}

pub(super) fn identity_schema() -> IdentitySchema {
    IdentitySchema {
        version: 0,
        attributes: vec![
            IdentityAttribute { name: "network".into(), description: "Our side, e.g. `upcloud/03…`.".into() },
            IdentityAttribute {
                name: "peer_network".into(),
                description: "The other side, e.g. `upcloud/03…`.".into(),
            },
        ],
    }
}

/// Tags as the cloud has them: none read back as unset, unless `{}` was what state held.
fn tags_as_read(
    stored: &Attr<BTreeMap<String, String>>,
    remote: BTreeMap<String, String>,
) -> Attr<BTreeMap<String, String>> {
    let stored_empty = matches!(stored, Attr::Known(t) if t.is_empty());
    if remote.is_empty() && !stored_empty { Attr::Null } else { Attr::Known(remote) }
}

/// The cloud's id of a stored half, when there is one and it parses.
pub(super) fn half_id<T: std::str::FromStr>(half: &Attr<HalfState>) -> Option<T> {
    half.known()?.id.known()?.parse().ok()
}

/// Whether two endpoints name one network, however each id is written (`fr-par/UUID` or the
/// bare UUID); endpoints that do not parse yet are compared as written.
pub(super) fn same_network(a: &Attr<Endpoint>, b: &Attr<Endpoint>) -> bool {
    let network = |e: &Attr<Endpoint>| endpoint_ref(e.known()?, "network").ok()?;
    match (network(a), network(b)) {
        (Some(a), Some(b)) => a == b,
        _ => a == b,
    }
}

/// Reads an endpoint, reporting malformed values on the attribute that holds them.
pub(super) fn endpoint_ref(endpoint: &Endpoint, root: &str) -> Result<Option<NetworkRef>, (AttrPath, String)> {
    match endpoint.cloud() {
        Some(cloud) => cloud_ref(endpoint, cloud, root),
        None if Cloud::ALL.iter().filter(|&&c| endpoint.sets(c)).count() > 1 => {
            let mut keys: Vec<&str> = Cloud::ALL.iter().map(|c| c.key()).collect();
            keys.sort();
            let last = keys.pop().unwrap_or_default();
            Err((AttrPath::root(root), format!("Set exactly one endpoint: {} or {last}.", keys.join(", "))))
        }
        // Not known yet: decided once it is.
        None if Cloud::ALL.iter().any(|&c| endpoint.unknown(c)) => Ok(None),
        None => Err((
            AttrPath::root(root),
            "Set exactly one endpoint: aiven = { project, vpc_id }, scaleway = { region, vpc_id } or upcloud = { network_id }."
                .to_string(),
        )),
    }
}

/// The network the endpoint's one cloud object names; `None` while a part is not known.
fn cloud_ref(endpoint: &Endpoint, cloud: Cloud, root: &str) -> Result<Option<NetworkRef>, (AttrPath, String)> {
    let at = |field: &str| AttrPath::root(root).attr(cloud.key()).attr(field);
    match cloud {
        Cloud::Aiven => {
            let Attr::Known(aiven) = &endpoint.aiven else { return Ok(None) };
            match (&aiven.project, &aiven.vpc_id) {
                (Attr::Known(project), Attr::Known(vpc)) => {
                    if !peering_net::is_aiven_project_name(project) {
                        return Err((at("project"), format!("{project:?} is not an Aiven project name.")));
                    }
                    let vpc_id = WrittenId::aiven_in(vpc, project).map_err(|e| {
                        (
                            at("vpc_id"),
                            format!(
                                "{e}. Aiven project VPC ids look like b032dfbf-b035-4cf5-8b15-b7cd6a68aabd, or \
                                 PROJECT/b032dfbf-… as aiven_project_vpc.id gives them."
                            ),
                        )
                    })?;
                    Ok(Some(NetworkRef::Aiven { project: project.clone(), vpc_id: AivenVpcId(vpc_id) }))
                }
                _ => Ok(None),
            }
        }
        Cloud::Scaleway => {
            let Attr::Known(scaleway) = &endpoint.scaleway else { return Ok(None) };
            let region = match &scaleway.region {
                Attr::Known(region) => {
                    Some(region.parse::<ScalewayRegion>().map_err(|e| (at("region"), format!("{e}.")))?)
                }
                _ => None,
            };
            let Attr::Known(vpc) = &scaleway.vpc_id else { return Ok(None) };
            let bad_vpc = |e: IdError| {
                (
                    at("vpc_id"),
                    format!("{e}. Scaleway VPC ids are UUIDs, or REGION/UUID as scaleway_vpc.id gives them."),
                )
            };
            let (written, vpc_id) = WrittenId::scaleway_regional(vpc).map_err(bad_vpc)?;
            match (region, written) {
                (Some(region), _) => {
                    let vpc_id = WrittenId::scaleway_in(vpc, region).map_err(bad_vpc)?;
                    Ok(Some(NetworkRef::Scaleway { region, vpc_id: ScalewayVpcId(vpc_id) }))
                }
                // The id says its region when `region` is left to default.
                (None, Some(written)) if scaleway.region.is_null() => {
                    Ok(Some(NetworkRef::Scaleway { region: written, vpc_id: ScalewayVpcId(vpc_id) }))
                }
                (None, _) => Ok(None),
            }
        }
        Cloud::Upcloud => {
            let Attr::Known(upcloud) = &endpoint.upcloud else { return Ok(None) };
            let Attr::Known(id) = &upcloud.network_id else { return Ok(None) };
            id.parse::<UpcloudNetworkId>().map(|network_id| Some(NetworkRef::Upcloud { network_id })).map_err(|_| {
                (
                    at("network_id"),
                    format!(
                        "{id:?} is not a UUID; UpCloud network ids look like 03126dc1-a69f-4bc2-8b24-e31c22d64712."
                    ),
                )
            })
        }
    }
}

pub(crate) fn endpoint_of(network: &NetworkRef) -> Endpoint {
    match network {
        NetworkRef::Upcloud { network_id } => Endpoint {
            upcloud: Attr::Known(UpcloudEndpoint { network_id: Attr::Known(network_id.to_string()) }),
            ..Default::default()
        },
        NetworkRef::Aiven { project, vpc_id } => Endpoint {
            aiven: Attr::Known(AivenEndpoint {
                project: Attr::Known(project.clone()),
                vpc_id: Attr::Known(vpc_id.to_string()),
            }),
            ..Default::default()
        },
        NetworkRef::Scaleway { region, vpc_id } => Endpoint {
            scaleway: Attr::Known(ScalewayEndpoint {
                region: Attr::Known(region.to_string()),
                vpc_id: Attr::Known(vpc_id.to_string()),
            }),
            ..Default::default()
        },
    }
}

impl Endpoint {
    /// Whether the endpoint sets `cloud`'s object (known or not).
    fn sets(&self, cloud: Cloud) -> bool {
        match cloud {
            Cloud::Aiven => !self.aiven.is_null(),
            Cloud::Scaleway => !self.scaleway.is_null(),
            Cloud::Upcloud => !self.upcloud.is_null(),
        }
    }

    /// Whether `cloud`'s object is not known yet.
    fn unknown(&self, cloud: Cloud) -> bool {
        match cloud {
            Cloud::Aiven => self.aiven.is_unknown(),
            Cloud::Scaleway => self.scaleway.is_unknown(),
            Cloud::Upcloud => self.upcloud.is_unknown(),
        }
    }

    fn clear(&mut self, cloud: Cloud) {
        match cloud {
            Cloud::Aiven => self.aiven = Attr::Null,
            Cloud::Scaleway => self.scaleway = Attr::Null,
            Cloud::Upcloud => self.upcloud = Attr::Null,
        }
    }

    /// The one cloud the endpoint names; `None` for none or several.
    pub fn cloud(&self) -> Option<Cloud> {
        let mut set = Cloud::ALL.iter().copied().filter(|&cloud| self.sets(cloud));
        match (set.next(), set.next()) {
            (Some(cloud), None) => Some(cloud),
            _ => None,
        }
    }

    /// Clouds the configuration leaves unset stay unset. Terraform proposes the prior value for an
    /// unset optional+computed attribute, which would keep the old cloud when an endpoint moves.
    fn keep_configured_clouds(&mut self, config: &Endpoint) {
        for &cloud in Cloud::ALL {
            if !config.sets(cloud) {
                self.clear(cloud);
            }
        }
    }
}

impl Connection {
    /// Each endpoint names only the cloud its configuration names.
    pub fn keep_configured_clouds(&mut self, config: &Connection) {
        for (planned, config) in [(&mut self.network, &config.network), (&mut self.peer_network, &config.peer_network)]
        {
            if let (Attr::Known(planned), Attr::Known(config)) = (planned, config) {
                planned.keep_configured_clouds(config);
            }
        }
    }

    /// Everything read back from the clouds becomes "known after apply".
    pub fn mark_observations_unknown(&mut self) {
        self.status = Attr::Unknown;
        self.status_message = Attr::Unknown;
        self.network_half = Attr::Unknown;
        self.peer_half = Attr::Unknown;
        self.network_cidrs = Attr::Unknown;
        self.peer_network_cidrs = Attr::Unknown;
    }

    /// A pause or resume moves only the states: the halves and the networks stay as they are.
    pub fn mark_states_unknown(&mut self) {
        self.status = Attr::Unknown;
        self.status_message = Attr::Unknown;
        for half in [&mut self.network_half, &mut self.peer_half] {
            if let Attr::Known(half) = half {
                half.state = Attr::Unknown;
            }
        }
    }

    /// Fills a Scaleway endpoint's unset region with the provider's default.
    pub fn default_scaleway_regions(&mut self, region: &str) {
        for endpoint in [&mut self.network, &mut self.peer_network] {
            if let Attr::Known(Endpoint { scaleway: Attr::Known(scw), .. }) = endpoint
                && scw.region.is_null()
            {
                // `fr-par/UUID` (the official provider's id) says its own region.
                let written = scw.vpc_id.known().and_then(|v| WrittenId::scaleway_regional(v).ok()?.0);
                scw.region = Attr::Known(written.map_or_else(|| region.to_string(), |r| r.to_string()));
            }
        }
    }

    /// Tags as the cloud has them ([`tags_as_read`]).
    pub fn read_tags(&mut self, remote: BTreeMap<String, String>) {
        self.tags = tags_as_read(&self.tags, remote);
    }

    pub fn has_status(&self, status: super::status::Status) -> bool {
        self.status.known() == Some(&status)
    }

    /// The halves this state knows of, in words a user can look up in the clouds' consoles.
    /// The half from `network` lives in `network`'s cloud, the reverse one in the peer's.
    pub fn halves_left(&self) -> Vec<String> {
        let Some(id) = self.connection_id() else { return Vec::new() };
        [(&self.network_half, &id.network, &id.peer_network), (&self.peer_half, &id.peer_network, &id.network)]
            .into_iter()
            .filter_map(|(half, from, to)| {
                let half = half.known()?;
                let native = half.id.known().map_or("(id not reported yet)", String::as_str);
                let state = half.state.known().map_or("unknown", String::as_str);
                Some(match from {
                    NetworkRef::Upcloud { network_id } => {
                        format!(
                            "UpCloud network peering {native} from network {network_id} toward {to} (state {state})"
                        )
                    }
                    NetworkRef::Aiven { project, vpc_id } => format!(
                        "Aiven peering connection {native} of project VPC {vpc_id} in project {project}, toward {to} \
                         (state {state})"
                    ),
                    NetworkRef::Scaleway { region, vpc_id } => {
                        format!(
                            "Scaleway VPC connector {native} in {region} from VPC {vpc_id} toward {to} (state {state})"
                        )
                    }
                })
            })
            .collect()
    }

    /// The peering's own name (each half's default).
    pub fn wanted_name(&self) -> String {
        self.name.known().cloned().unwrap_or_default()
    }

    pub fn half(&self, end: End) -> &Attr<HalfState> {
        match end {
            End::Network => &self.network_half,
            End::Peer => &self.peer_half,
        }
    }

    pub fn half_mut(&mut self, end: End) -> &mut Attr<HalfState> {
        match end {
            End::Network => &mut self.network_half,
            End::Peer => &mut self.peer_half,
        }
    }

    /// Whether the half from `end` carries a name and tags this resource writes: a half it
    /// manages (ours; the peer's when managed) in a cloud whose halves have names. `None` while
    /// the end's cloud is unknown.
    pub fn names_half(&self, end: End) -> Option<bool> {
        let endpoint = match end {
            End::Network => &self.network,
            End::Peer => &self.peer_network,
        };
        let cloud = endpoint.known().and_then(Endpoint::cloud)?;
        Some(cloud.names_halves() && (end == End::Network || self.is_managed()))
    }

    /// The name the half from `end` is to carry: its own, else the peering's.
    pub fn half_name(&self, end: End) -> String {
        self.half(end).known().and_then(|h| h.name.known().cloned()).unwrap_or_else(|| self.wanted_name())
    }

    /// The user's tags the half from `end` is to carry: its own, else the peering's.
    pub fn half_tags(&self, end: End) -> BTreeMap<String, String> {
        let own = self.half(end).known().and_then(|h| h.tags.known().cloned());
        own.or_else(|| self.tags.known().cloned()).unwrap_or_default()
    }

    /// Plans each half's name and tags: the half's own from `config`, else the peering's; none
    /// on a half that carries none (Aiven's, an external peer's). A half about to be made is
    /// known to carry them before it exists.
    pub fn plan_half_labels(&mut self, config: &Connection) {
        for end in End::BOTH {
            let named = self.names_half(end);
            let own = config.half(end).known().cloned().unwrap_or_default();
            let name = match own.name {
                Attr::Null => config.name.clone(),
                own => own,
            };
            let tags = match own.tags {
                Attr::Null => config.tags.clone(),
                own => own,
            };
            let half = self.half_mut(end);
            match (named, &mut *half) {
                (Some(true), Attr::Known(h)) => {
                    h.name = name;
                    h.tags = tags;
                }
                (Some(true), _) => {
                    *half = Attr::Known(HalfState { id: Attr::Unknown, state: Attr::Unknown, name, tags });
                }
                (Some(false), Attr::Known(h)) => {
                    h.name = Attr::Null;
                    h.tags = Attr::Null;
                }
                _ => {}
            }
        }
    }

    /// Records the name and tags the half from `end` carries (none for a half this resource
    /// does not name).
    pub fn read_half_labels(&mut self, end: End, label: Option<(String, BTreeMap<String, String>)>) {
        let named = self.names_half(end) == Some(true);
        let Attr::Known(half) = self.half_mut(end) else { return };
        match label.filter(|_| named) {
            Some((name, tags)) => {
                half.name = Attr::Known(name);
                half.tags = tags_as_read(&half.tags, tags);
            }
            None => {
                half.name = Attr::Null;
                half.tags = Attr::Null;
            }
        }
    }

    /// The configuration of each half's name and tags that differ from the peering's, for
    /// generated configuration: a half that carries the peering's own writes nothing.
    pub fn half_labels_to_configure(&mut self) {
        let (name, tags) = (self.name.clone(), self.tags.clone());
        for end in End::BOTH {
            let half = self.half_mut(end);
            let own = half.known().map(|h| {
                let tags_differ =
                    h.tags.known().unwrap_or(&BTreeMap::new()) != tags.known().unwrap_or(&BTreeMap::new());
                HalfState {
                    name: match &h.name {
                        Attr::Known(own) if name.known() != Some(own) => Attr::Known(own.clone()),
                        _ => Attr::Null,
                    },
                    tags: if tags_differ { h.tags.clone() } else { Attr::Null },
                    ..Default::default()
                }
            });
            *half = match own {
                Some(own) if !own.name.is_null() || !own.tags.is_null() => Attr::Known(own),
                _ => Attr::Null,
            };
        }
    }

    /// Both endpoints, when known and well-formed.
    pub fn connection_id(&self) -> Option<ConnectionId> {
        let network = endpoint_ref(self.network.known()?, "network").ok()??;
        let peer_network = endpoint_ref(self.peer_network.known()?, "peer_network").ok()??;
        Some(ConnectionId { network, peer_network })
    }

    /// The same two networks as `other`, written the other way round.
    pub(super) fn is_swap_of(&self, other: &Connection) -> bool {
        !same_network(&self.network, &self.peer_network)
            && same_network(&self.network, &other.peer_network)
            && same_network(&self.peer_network, &other.network)
    }

    /// The same peering written the other way round: ends, halves and ranges change places.
    pub(super) fn swapped(mut self) -> Connection {
        std::mem::swap(&mut self.network, &mut self.peer_network);
        std::mem::swap(&mut self.network_half, &mut self.peer_half);
        std::mem::swap(&mut self.network_cidrs, &mut self.peer_network_cidrs);
        if let Some(id) = self.connection_id() {
            self.id = Attr::Known(id.to_string());
        }
        self
    }

    /// A peering whose halves are both ours has no direction: written in the canonical order
    /// ([`ConnectionId::is_canonical`]). One with an external peer keeps ours first.
    pub(super) fn in_canonical_order(self) -> Connection {
        match self.connection_id() {
            Some(id) if self.is_managed() && !id.is_canonical() => self.swapped(),
            _ => self,
        }
    }

    pub fn is_managed(&self) -> bool {
        self.peer_side.known().is_none_or(|s| *s == PeerSide::Managed)
    }

    /// Carrying traffic, not paused (`enabled` defaults to true).
    pub fn is_enabled(&self) -> bool {
        self.enabled.known().is_none_or(|e| *e)
    }

    pub fn waits_for_active(&self) -> bool {
        self.wait_for.known().is_none_or(|s| *s == WaitFor::Active)
    }

    /// The deadline of an operation starting now, from `timeouts` or the default.
    pub fn deadline(&self, which: fn(&Timeouts) -> &Attr<String>, default_minutes: u64) -> super::poll::Deadline {
        let limit = self
            .timeouts
            .known()
            .and_then(|t| which(t).known().cloned())
            .and_then(|s| tfplugin6::duration::parse_duration(&s).ok())
            .unwrap_or(std::time::Duration::from_secs(default_minutes * 60));
        super::poll::Deadline::after(limit)
    }
}
