//! `peering_connection`: a whole peering between two networks.

mod model;
mod upcloud;

use std::collections::BTreeMap;

use async_trait::async_trait;

use model::*;
pub use model::{Connection, schema};

use crate::clouds::upcloud::{NetworkPeering, PeeringState, UpcloudClient};
use crate::net::{Cloud, ConnectionId, NetworkId, NetworkRef, PeeringId};
use crate::provider::config::Clients;
use crate::resources::{Applied, Ctx, Error, ImportTarget, Planned, Resource};
use crate::tf::schema::IdentitySchema;
use crate::tf::{Attr, AttrPath, Diagnostic, Diagnostics, FromValue, IntoValue, Schema, Value};

pub struct PeeringConnection {
    schema: Schema,
    identity: IdentitySchema,
}

impl Default for PeeringConnection {
    fn default() -> Self {
        PeeringConnection { schema: model::schema(), identity: model::identity_schema() }
    }
}

const ONE_OF: &[(&str, &[&str])] =
    &[("peer_side", &[PEER_SIDE_MANAGED, PEER_SIDE_EXTERNAL]), ("wait_for", &[WAIT_FOR_ACTIVE, WAIT_FOR_CREATED])];

/// The two UpCloud networks of a pair, or why this pair is not supported.
fn upcloud_pair(id: &ConnectionId) -> Result<(NetworkId, NetworkId), Error> {
    match (&id.network, &id.peer_network) {
        (NetworkRef::Upcloud { network_id: a }, NetworkRef::Upcloud { network_id: b }) => Ok((*a, *b)),
        (a, b) => Err(Error::invalid(
            "Unsupported peering pair",
            format!(
                "{} ↔ {} cannot be peered by this provider. Supported pairs: UpCloud ↔ UpCloud.",
                a.cloud().display_name(),
                b.cloud().display_name()
            ),
            Some(AttrPath::root("peer_network")),
        )),
    }
}

fn parse_half_id(half: &Attr<Half>) -> Option<PeeringId> {
    half.known()?.id.known()?.parse().ok()
}

/// The normalised status of a whole peering, the same words for every cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Status {
    Provisioning,
    PendingPeer,
    Active,
    Disabled,
    Conflict,
    Error,
}

impl Status {
    fn as_str(self) -> &'static str {
        match self {
            Status::Provisioning => "provisioning",
            Status::PendingPeer => "pending_peer",
            Status::Active => "active",
            Status::Disabled => "disabled",
            Status::Conflict => "conflict",
            Status::Error => "error",
        }
    }

    fn of_upcloud(state: PeeringState) -> Status {
        match state {
            PeeringState::Active => Status::Active,
            PeeringState::Provisioning => Status::Provisioning,
            PeeringState::PendingPeer => Status::PendingPeer,
            PeeringState::Disabled | PeeringState::PeerDisabled => Status::Disabled,
            PeeringState::ConflictSubnet => Status::Conflict,
            _ => Status::Error,
        }
    }
}

/// The status of the whole peering and what to say about it, from the state of our half.
fn summarize(ours: &NetworkPeering, theirs: Option<&NetworkPeering>, managed: bool) -> (Status, String) {
    let status = Status::of_upcloud(ours.state);
    let message = match (ours.state, theirs, managed) {
        (PeeringState::Active, _, _) => "Both halves are active; traffic flows between the networks.".to_string(),
        (PeeringState::PendingPeer, None, false) => format!(
            "Waiting for the owner of network {} to create the reverse peering toward {}.",
            ours.peer_network.uuid, ours.network.uuid
        ),
        (state, _, _) => format!("UpCloud reports {}: {}.", state.as_str(), state.explanation()),
    };
    (status, message)
}

fn half_of(p: Option<&NetworkPeering>) -> Attr<Half> {
    p.map(|p| Half { id: Attr::Known(p.uuid.to_string()), state: Attr::Known(p.state.as_str().to_string()) }).into()
}

fn cidrs_of(network: &crate::clouds::upcloud::PeeringNetwork) -> Vec<String> {
    network
        .ip_networks
        .as_ref()
        .map(|ips| ips.ip_network.iter().map(|ip| ip.address.to_string()).collect())
        .unwrap_or_default()
}

/// Fills every computed attribute from what the cloud says, keeping the configured ones.
fn observe(mut state: Connection, ours: &NetworkPeering, theirs: Option<&NetworkPeering>) -> Connection {
    let managed = state.is_managed();
    let (status, message) = summarize(ours, theirs, managed);
    state.name = Attr::Known(ours.name.clone());
    let remote_tags = upcloud::tags(&ours.labels);
    state.tags = if remote_tags.is_empty() && !matches!(&state.tags, Attr::Known(t) if t.is_empty()) {
        Attr::Null
    } else {
        Attr::Known(remote_tags)
    };
    state.status = Attr::Known(status.as_str().to_string());
    state.status_message = Attr::Known(message);
    state.network_half = half_of(Some(ours));
    state.peer_half = half_of(theirs);
    state.network_cidrs = Attr::Known(cidrs_of(&ours.network));
    let peer_cidrs = theirs.map(|t| cidrs_of(&t.network)).unwrap_or_else(|| cidrs_of(&ours.peer_network));
    state.peer_network_cidrs = Attr::Known(peer_cidrs);
    state
}

/// State for a create that failed part-way: everything known so far, nothing unknown.
fn partial(mut state: Connection, ours: Option<&NetworkPeering>, theirs: Option<&NetworkPeering>) -> Connection {
    match ours {
        Some(ours) => observe(state, ours, theirs),
        None => {
            state.status = Attr::Known(Status::Error.as_str().to_string());
            state.status_message = Attr::Known("The peering could not be created.".into());
            state.network_half = Attr::Null;
            state.peer_half = half_of(theirs);
            state.network_cidrs = Attr::Known(Vec::new());
            state.peer_network_cidrs = Attr::Known(Vec::new());
            state
        }
    }
}

fn wanted_labels(state: &Connection) -> Vec<crate::clouds::upcloud::Label> {
    state.tags.known().map(upcloud::labels).unwrap_or_default()
}

fn needs_repair(prior: &Connection) -> bool {
    let disabled = |h: &Attr<Half>| h.known().and_then(|h| h.state.known()).is_some_and(|s| s == "disabled");
    disabled(&prior.network_half) || (prior.is_managed() && (prior.peer_half.is_null() || disabled(&prior.peer_half)))
}

impl PeeringConnection {
    fn client<'c>(&self, clients: &'c Clients, id: &ConnectionId) -> Result<&'c UpcloudClient, Error> {
        let path = if id.network.cloud() == Cloud::Upcloud { "network" } else { "peer_network" };
        clients.upcloud(&AttrPath::root(path))
    }

    /// Waits as the configuration asks, then warns about what the user must do next.
    async fn settle(
        &self,
        ctx: &mut Ctx<'_>,
        client: &UpcloudClient,
        state: &Connection,
        ours: NetworkPeering,
        theirs: Option<NetworkPeering>,
        timeout: std::time::Duration,
    ) -> (Connection, Result<(), Error>) {
        let managed = state.is_managed();
        let goal = if managed && state.waits_for_active() { upcloud::Goal::Active } else { upcloud::Goal::Settled };
        let ids: Vec<PeeringId> = std::iter::once(ours.uuid).chain(theirs.as_ref().map(|t| t.uuid)).collect();
        let waited = upcloud::wait_for(ctx, client, &ids, goal, timeout).await;
        let (ours, theirs) = match waited {
            Ok(mut halves) => {
                let theirs = (halves.len() > 1).then(|| halves.remove(1));
                (halves.remove(0), theirs)
            }
            Err(e) => return (partial(state.clone(), Some(&ours), theirs.as_ref()), Err(e)),
        };
        if !managed && ours.state == PeeringState::PendingPeer {
            ctx.warn(
                "Peering waits for the peer network's owner",
                format!(
                    "Our half {} exists. The owner of network {} must now create the reverse peering: \
                     POST /1.3/network-peering with network.uuid = {} and peer_network.uuid = {} (or a \
                     peering_connection with network = {{ upcloud = {{ network_id = \"{}\" }} }} and peer_network = \
                     {{ upcloud = {{ network_id = \"{}\" }} }}).",
                    ours.uuid,
                    ours.peer_network.uuid,
                    ours.peer_network.uuid,
                    ours.network.uuid,
                    ours.peer_network.uuid,
                    ours.network.uuid
                ),
            );
        }
        if ours.state == PeeringState::Active {
            self.warn_dhcp(ctx, client, &ours, managed).await;
        }
        (observe(state.clone(), &ours, theirs.as_ref()), Ok(()))
    }

    async fn warn_dhcp(&self, ctx: &mut Ctx<'_>, client: &UpcloudClient, ours: &NetworkPeering, managed: bool) {
        let mut networks = vec![ours.network.uuid];
        if managed {
            networks.push(ours.peer_network.uuid);
        }
        let mut servers = Vec::new();
        for network in networks {
            if let Ok(found) = upcloud::attached_servers(client, network).await {
                servers.extend(found.into_iter().map(|s| format!("{s} on network {network}")));
            }
        }
        if !servers.is_empty() {
            ctx.warn(
                "Renew DHCP leases on existing servers",
                format!(
                    "Servers attached before the peering learn its routes only from a new DHCP lease. On each of: {} \
                     run `dhclient -r IFACE && dhclient IFACE` for the private interface (or reboot).",
                    servers.join("; ")
                ),
            );
        }
    }

    async fn create_halves(&self, ctx: &mut Ctx<'_>, state: Connection) -> Applied {
        let Some(id) = state.connection_id() else {
            return Applied {
                state: state.into_value(),
                result: Err(Error::invalid("Endpoints unknown at apply", "", None)),
            };
        };
        let result = async {
            let (local, peer) = upcloud_pair(&id)?;
            let client = self.client(ctx.clients, &id)?;
            let name = state.name.known().cloned().unwrap_or_default();
            let labels = wanted_labels(&state);
            let ours = match upcloud::ensure_half(client, local, peer, &name, &labels).await {
                Ok(ours) => ours,
                Err(e) => return Ok((partial(state.clone(), None, None), Err(e))),
            };
            let theirs = if state.is_managed() {
                match upcloud::ensure_half(client, peer, local, &name, &labels).await {
                    Ok(t) => Some(t),
                    Err(e) => return Ok((partial(state.clone(), Some(&ours), None), Err(e))),
                }
            } else {
                upcloud::find_half(client, peer, local).await.ok().flatten()
            };
            let timeout = state.timeout(|t| &t.create, 20);
            Ok(self.settle(ctx, client, &state, ours, theirs, timeout).await)
        }
        .await;
        match result {
            Ok((state, result)) => Applied { state: state.into_value(), result },
            Err(e) => Applied { state: Value::Null, result: Err(e) },
        }
    }
}

#[async_trait]
impl Resource for PeeringConnection {
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
        let conn = match Connection::from_value(config) {
            Ok(c) => c,
            Err(e) => return Diagnostic::error("Invalid configuration", e.to_string()).into(),
        };
        for (root, endpoint) in [("network", &conn.network), ("peer_network", &conn.peer_network)] {
            if let Attr::Known(endpoint) = endpoint
                && let Err((path, detail)) = endpoint_ref(endpoint, root)
            {
                diags.push(Diagnostic::error(format!("Invalid {root}"), detail).at(path));
            }
        }
        for (name, allowed) in ONE_OF {
            if let Value::String(v) = config.get(name)
                && !allowed.contains(&v.as_str())
            {
                diags.push(
                    Diagnostic::error(format!("Invalid {name}"), format!("{v:?} is not one of {allowed:?}."))
                        .at(AttrPath::root(name)),
                );
            }
        }
        if let Value::String(name) = config.get("name")
            && (name.is_empty() || name.chars().count() > 255)
        {
            diags.push(
                Diagnostic::error("Invalid name", "A peering name has 1 to 255 characters.").at(AttrPath::root("name")),
            );
        }
        if let Attr::Known(t) = &conn.timeouts {
            for (which, v) in [("create", &t.create), ("update", &t.update), ("delete", &t.delete)] {
                if let Attr::Known(text) = v
                    && let Err(e) = super::parse_duration(text)
                {
                    diags.push(Diagnostic::error("Invalid timeout", e).at(AttrPath::root("timeouts").attr(which)));
                }
            }
        }
        if let Some(id) = conn.connection_id()
            && let Err(e) = upcloud_pair(&id)
        {
            diags.push(e.to_diagnostic());
        }
        diags
    }

    async fn plan(&self, ctx: &mut Ctx<'_>, prior: &Value, proposed: &Value, config: &Value) -> Result<Planned, Error> {
        let config = Connection::from_value(config)?;
        let mut planned = Connection::from_value(proposed)?;
        planned.peer_side = config.peer_side.clone().or(Attr::Known(PEER_SIDE_MANAGED.into()));
        planned.wait_for = config.wait_for.clone().or(Attr::Known(WAIT_FOR_ACTIVE.into()));
        planned.tags = config.tags.clone();
        planned.timeouts = config.timeouts.clone();
        let id = planned.connection_id();
        planned.id = id.as_ref().map(ToString::to_string).map_or(Attr::Unknown, Attr::Known);
        let requires_replace =
            vec![AttrPath::root("network"), AttrPath::root("peer_network"), AttrPath::root("peer_side")];

        let prior = if prior.is_null() { None } else { Some(Connection::from_value(prior)?) };
        let replacing = prior.as_ref().is_some_and(|p| {
            p.network != planned.network || p.peer_network != planned.peer_network || p.peer_side != planned.peer_side
        });
        match prior {
            Some(prior) if !replacing => {
                // A missing or disabled half is repaired by an in-place update. Otherwise what the
                // clouds report stays known only when it cannot move during the update: an active
                // peering keeps its halves and status.
                let active = prior.status.known().is_some_and(|s| s == Status::Active.as_str());
                if needs_repair(&prior) || (planned != prior && !active) {
                    planned.mark_observations_unknown();
                }
            }
            _ => {
                planned.mark_observations_unknown();
                if let Some(id) = &id {
                    let (local, peer) = upcloud_pair(id)?;
                    let client = self.client(ctx.clients, id)?;
                    let diags = upcloud::check_pair(client, local, peer, planned.is_managed()).await?;
                    if diags.has_errors() {
                        return Err(Error::Rejected(diags));
                    }
                }
            }
        }
        Ok(Planned { state: planned.into_value(), requires_replace })
    }

    async fn create(&self, ctx: &mut Ctx<'_>, planned: &Value) -> Applied {
        match Connection::from_value(planned) {
            Ok(state) => self.create_halves(ctx, state).await,
            Err(e) => Applied { state: Value::Null, result: Err(e.into()) },
        }
    }

    async fn update(&self, ctx: &mut Ctx<'_>, prior: &Value, planned: &Value) -> Applied {
        let (prior, planned) = match (Connection::from_value(prior), Connection::from_value(planned)) {
            (Ok(p), Ok(n)) => (p, n),
            (Err(e), _) | (_, Err(e)) => {
                return Applied { state: prior.clone(), result: Err(e.into()) };
            }
        };
        let fallback = prior.clone().into_value();
        let result = async {
            let id = planned.connection_id().ok_or_else(|| Error::invalid("Endpoints unknown at apply", "", None))?;
            let (local, peer) = upcloud_pair(&id)?;
            let client = self.client(ctx.clients, &id)?;
            let name = planned.name.known().cloned().unwrap_or_default();
            let labels = wanted_labels(&planned);
            let ours = match parse_half_id(&prior.network_half) {
                Some(h) => upcloud::get_half(client, h).await?,
                None => None,
            };
            let ours = match ours {
                Some(h) => upcloud::align_half(client, h, &name, &labels).await?,
                None => upcloud::ensure_half(client, local, peer, &name, &labels).await?,
            };
            let theirs = if planned.is_managed() {
                let known = match parse_half_id(&prior.peer_half) {
                    Some(h) => upcloud::get_half(client, h).await?,
                    None => None,
                };
                Some(match known {
                    Some(h) => upcloud::align_half(client, h, &name, &labels).await?,
                    None => upcloud::ensure_half(client, peer, local, &name, &labels).await?,
                })
            } else {
                upcloud::find_half(client, peer, local).await?
            };
            let timeout = planned.timeout(|t| &t.update, 20);
            Ok(self.settle(ctx, client, &planned, ours, theirs, timeout).await)
        }
        .await;
        match result {
            Ok((state, result)) => Applied { state: state.into_value(), result },
            Err(e) => Applied { state: fallback, result: Err(e) },
        }
    }

    async fn delete(&self, ctx: &mut Ctx<'_>, prior: &Value) -> Result<(), Error> {
        let prior = Connection::from_value(prior)?;
        let id = prior.connection_id().ok_or_else(|| Error::invalid("Stored endpoints are malformed", "", None))?;
        let (local, peer) = upcloud_pair(&id)?;
        let client = self.client(ctx.clients, &id)?;
        let timeout = prior.timeout(|t| &t.delete, 10);
        let mut halves = vec![(parse_half_id(&prior.network_half), local, peer)];
        if prior.is_managed() {
            halves.push((parse_half_id(&prior.peer_half), peer, local));
        }
        for (known, from, to) in halves {
            let id = match known {
                Some(id) => Some(id),
                None => upcloud::find_half(client, from, to).await?.map(|h| h.uuid),
            };
            if let Some(id) = id {
                upcloud::delete_half(ctx, client, id, timeout).await?;
            }
        }
        Ok(())
    }

    async fn read(&self, ctx: &mut Ctx<'_>, state: &Value) -> Result<Option<Value>, Error> {
        let state = Connection::from_value(state)?;
        let id = state.connection_id().ok_or_else(|| Error::invalid("Stored endpoints are malformed", "", None))?;
        let (local, peer) = upcloud_pair(&id)?;
        let client = self.client(ctx.clients, &id)?;
        let ours = match parse_half_id(&state.network_half) {
            Some(h) => upcloud::get_half(client, h).await?,
            None => upcloud::find_half(client, local, peer).await?,
        };
        let Some(ours) = ours else { return Ok(None) };
        let theirs = match parse_half_id(&state.peer_half) {
            Some(h) if state.is_managed() => upcloud::get_half(client, h).await?,
            _ => upcloud::find_half(client, peer, local).await?,
        };
        Ok(Some(observe(state, &ours, theirs.as_ref()).into_value()))
    }

    async fn import(&self, ctx: &mut Ctx<'_>, target: ImportTarget) -> Result<Value, Error> {
        let id = match target {
            ImportTarget::Id(text) => import_id(ctx, &text).await?,
            ImportTarget::Identity(identity) => {
                let field = |name: &str| identity.get(name).as_str().unwrap_or_default().to_string();
                format!("{}:{}", field("network"), field("peer_network"))
                    .parse::<ConnectionId>()
                    .map_err(|e| Error::invalid("Invalid import identity", e.to_string(), None))?
            }
        };
        let (local, peer) = upcloud_pair(&id)?;
        let client = self.client(ctx.clients, &id)?;
        let ours = upcloud::find_half(client, local, peer).await?.ok_or_else(|| {
            Error::invalid(
                "Nothing to import",
                format!("No UpCloud peering from network {local} toward {peer} exists."),
                None,
            )
        })?;
        let theirs = upcloud::find_half(client, peer, local).await?;
        let state = Connection {
            id: Attr::Known(id.to_string()),
            network: Attr::Known(endpoint_of(&id.network)),
            peer_network: Attr::Known(endpoint_of(&id.peer_network)),
            peer_side: Attr::Known(if theirs.is_some() { PEER_SIDE_MANAGED } else { PEER_SIDE_EXTERNAL }.into()),
            wait_for: Attr::Known(WAIT_FOR_ACTIVE.into()),
            ..Default::default()
        };
        Ok(observe(state, &ours, theirs.as_ref()).into_value())
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        let id: ConnectionId = state.get("id").as_str()?.parse().ok()?;
        Some(Value::Object(BTreeMap::from([
            ("network".to_string(), Value::string(id.network.to_string())),
            ("peer_network".to_string(), Value::string(id.peer_network.to_string())),
        ])))
    }

    fn generate_config(&self, state: &Value) -> Value {
        let Ok(state) = Connection::from_value(state) else {
            return Value::Null;
        };
        let non_default = |v: Attr<String>, default: &str| match v {
            Attr::Known(s) if s != default => Attr::Known(s),
            _ => Attr::Null,
        };
        Connection {
            name: state.name,
            network: state.network,
            peer_network: state.peer_network,
            peer_side: non_default(state.peer_side, PEER_SIDE_MANAGED),
            wait_for: non_default(state.wait_for, WAIT_FOR_ACTIVE),
            tags: state.tags,
            ..Default::default()
        }
        .into_value()
    }
}

/// Resolves `NETWORK:PEER_NETWORK` or `upcloud-peering/UUID` to the pair of networks.
async fn import_id(ctx: &Ctx<'_>, text: &str) -> Result<ConnectionId, Error> {
    if let Some(uuid) = text.strip_prefix("upcloud-peering/") {
        let id: PeeringId = uuid.parse().map_err(|_| {
            Error::invalid("Invalid import id", format!("{uuid:?} is not a UUID (upcloud-peering/PEERING_UUID)."), None)
        })?;
        let client = ctx.clients.upcloud(&AttrPath::root("network"))?;
        let half = upcloud::get_half(client, id)
            .await?
            .ok_or_else(|| Error::invalid("Nothing to import", format!("No UpCloud peering {id} exists."), None))?;
        return Ok(ConnectionId {
            network: NetworkRef::Upcloud { network_id: half.network.uuid },
            peer_network: NetworkRef::Upcloud { network_id: half.peer_network.uuid },
        });
    }
    text.parse().map_err(|e: crate::net::EndpointError| {
        Error::invalid(
            "Invalid import id",
            format!(
                "{e}. Import by NETWORK:PEER_NETWORK (e.g. upcloud/03…:upcloud/03…) or upcloud-peering/PEERING_UUID."
            ),
            None,
        )
    })
}
