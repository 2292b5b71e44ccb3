//! `peering_connection`: a whole peering between two networks.
//!
//! The schema and typed model live in [`model`]. Every cloud's half of a peering implements one
//! trait ([`half::Half`]: [`upcloud`], [`scaleway`], [`aiven`]), so finding or creating, waiting
//! and removing are written once ([`half`]). A kind of peering ([`kind::Kind`], chosen once from
//! the two ends) implements [`peering::Peering`]: symmetric pairs are one generic
//! [`pair::SymmetricPair`], Aiven ↔ UpCloud the asymmetric [`pair_aiven::AivenUpcloud`]. This
//! file validates and plans, and asks the kind for everything else.

mod aiven;
mod half;
mod import;
mod kind;
mod list;
mod model;
mod pair;
mod pair_aiven;
mod peering;
mod poll;
mod scaleway;
mod seam;
mod status;
mod upcloud;

use async_trait::async_trait;

use kind::{PairKind, unsupported_pair};
pub use list::ConnectionList;
pub use model::{Connection, Endpoint, PeerSide, schema};
use model::{End, Identity, TYPE_NAME, WaitFor, endpoint_ref};
pub(crate) use model::{endpoint_attribute, endpoint_of};
use status::Status;

use crate::resources::{Applied, Claim, Ctx, Error, ImportTarget, Planned, Resource};
use peering_net::{Cloud, ConnectionId, UpcloudNetworkId};
use tfplugin6::schema::IdentitySchema;
use tfplugin6::{Attr, AttrPath, Diagnostic, Diagnostics, Schema};

pub struct PeeringConnection {
    schema: Schema,
    identity: IdentitySchema,
}

impl Default for PeeringConnection {
    fn default() -> Self {
        PeeringConnection { schema: model::schema(), identity: model::identity_schema() }
    }
}

/// Whether `planned` is `prior` written the other way round, with both halves ours both times
/// (with an external peer, which end is ours matters).
fn is_reoriented(prior: &Connection, planned: &Connection) -> bool {
    planned.is_swap_of(prior) && prior.is_managed() && planned.is_managed()
}

/// A peering that went into conflict since the last apply (a subnet added later that overlaps
/// the other side), said as at create: which ranges clash, not only a status that moved.
fn warn_new_conflict(ctx: &Ctx<'_>, now: &Connection) {
    let ranges = |a: &Attr<Vec<String>>| -> Vec<peering_net::IpNet> {
        a.known().into_iter().flatten().filter_map(|c| c.parse().ok()).collect()
    };
    let (ours, theirs) = (ranges(&now.network_cidrs), ranges(&now.peer_network_cidrs));
    let clashes: Vec<String> = ours
        .iter()
        .flat_map(|a| theirs.iter().filter(|b| peering_net::overlaps(a, b)).map(move |b| format!("{a} with {b}")))
        .collect();
    let id = now.id.known().cloned().unwrap_or_default();
    let message = now.status_message.known().cloned().unwrap_or_default();
    let overlapping = if clashes.is_empty() { String::new() } else { format!(" Overlapping: {}.", clashes.join("; ")) };
    ctx.warn(
        "Peering now in conflict",
        format!(
            "Peering {id} has gone into conflict since it was applied: {message}{overlapping} Traffic does not flow \
             until the overlapping subnet is removed (subnets cannot be changed in place)."
        ),
    );
}

/// Every cloud credential the peering needs and the provider lacks, all in one run: each end's
/// cloud when both halves are ours, our end's alone with an external peer.
fn missing_credentials(ctx: &Ctx<'_>, id: &ConnectionId, managed: bool) -> Diagnostics {
    let mut ends = vec![("network", &id.network)];
    if managed {
        ends.push(("peer_network", &id.peer_network));
    }
    let mut diags = Diagnostics::default();
    let mut seen = Vec::new();
    for (root, end) in ends {
        let cloud = end.cloud();
        if seen.contains(&cloud) {
            continue;
        }
        seen.push(cloud);
        let path = AttrPath::root(root);
        let result = ctx.cloud_ready(cloud, &path);
        if let Err(e) = result {
            diags.extend(e.to_diagnostics());
        }
    }
    diags
}

/// The plan-time checks that stop a repair, each saying what to do instead.
fn cannot_repair(mut diags: Diagnostics) -> Diagnostics {
    for d in diags.0.iter_mut().filter(|d| d.severity == tfplugin6::Severity::Error) {
        d.detail.push_str(
            " A half of this peering is missing or broken, and it cannot be made again while this holds: remove \
             the peering from the configuration (or terraform destroy -target it) and its remaining half is \
             deleted; or point it at a network that exists.",
        );
    }
    diags
}

/// A create's checks that stop its plan also stop `terraform destroy`: Terraform plans every
/// configured resource before a destroy, in a plan the provider cannot tell from any other
/// (hashicorp/terraform `destroyPlan`, `PreDestroyRefresh`). Each error says the way out.
fn never_made(mut diags: Diagnostics) -> Diagnostics {
    for d in diags.0.iter_mut().filter(|d| d.severity == tfplugin6::Severity::Error) {
        d.detail.push_str(
            " This peering does not exist yet. To run terraform destroy meanwhile, remove it from the \
             configuration or run terraform destroy -refresh=false: Terraform plans every configured resource \
             before a destroy.",
        );
    }
    diags
}

/// The ends that differ from `prior` (re-oriented already): each forces replacement.
fn moved_ends(prior: Option<&Connection>, planned: &Connection) -> Vec<AttrPath> {
    let ends = |p: &Connection| [("network", p.network.clone()), ("peer_network", p.peer_network.clone())];
    let Some(prior) = prior else { return Vec::new() };
    ends(prior)
        .into_iter()
        .zip(ends(planned))
        .filter(|((_, before), (_, after))| !model::same_network(before, after))
        .map(|((name, _), _)| AttrPath::root(name))
        .collect()
}

/// A peering whose halves are both ours has no direction: written the other way round it is the
/// same one, re-oriented in place (nothing is written to the clouds). The prior state, turned
/// to match `planned`, which takes its halves and ranges.
fn reoriented(prior: Connection, planned: &mut Connection) -> Connection {
    if !is_reoriented(&prior, planned) {
        return prior;
    }
    let prior = prior.swapped();
    planned.network_half = prior.network_half.clone();
    planned.peer_half = prior.peer_half.clone();
    planned.network_cidrs = prior.network_cidrs.clone();
    planned.peer_network_cidrs = prior.peer_network_cidrs.clone();
    prior
}

/// An update in place: which observations stay known, and what a repair would meet.
async fn plan_update(ctx: &Ctx<'_>, prior: &Connection, planned: &mut Connection, id: Option<&ConnectionId>) {
    // A missing or broken half is repaired by an in-place update. Otherwise what the
    // clouds report stays known only when it cannot move during the update: an active
    // peering keeps its halves and status; pausing or resuming a settled one moves only
    // the states.
    let pausing = prior.is_enabled() != planned.is_enabled();
    let settled = prior.has_status(Status::Active) || prior.has_status(Status::Disabled);
    // A peer side changed in place makes or lets go of the reverse half.
    let peer_side_moves = prior.peer_side != planned.peer_side;
    let repairing = PairKind::of_state(prior).is_ok_and(|kind| kind.needs_repair(prior));
    if repairing && let Some(id) = id {
        // A half is remade only toward networks that still exist: a network its
        // owner deleted is said now, by its id, not as the apply's 404. A warning:
        // the same plan runs before every `terraform destroy`, which must work.
        let found = match check(ctx, id, planned).await {
            Ok(diags) => cannot_repair(diags),
            Err(e) => e.to_diagnostics(),
        };
        for mut d in found.0 {
            if d.severity == tfplugin6::Severity::Error {
                d.severity = tfplugin6::Severity::Warning;
                d.detail.push_str(" The apply stops at this resource before writing anything.");
            }
            ctx.say(d);
        }
    }
    if repairing || peer_side_moves {
        planned.mark_observations_unknown();
    } else if pausing && settled {
        planned.mark_states_unknown();
    } else if *planned != *prior && (pausing || !prior.has_status(Status::Active)) {
        planned.mark_observations_unknown();
    }
}

/// A create (or a replacement): everything observed is unknown, and the plan-time checks say
/// now what the apply would meet.
async fn plan_create(
    ctx: &Ctx<'_>,
    planned: &mut Connection,
    config: &Connection,
    id: Option<&ConnectionId>,
) -> Result<(), Error> {
    planned.mark_observations_unknown();
    // The checks see the configured network ID (null when the user set none).
    planned.aiven_network_id = config.aiven_network_id.clone();
    if let Some(id) = id {
        let missing = missing_credentials(ctx, id, planned.is_managed());
        if missing.has_errors() {
            return Err(Error::Rejected(missing));
        }
        // The checks, and halves someone else holds between the networks (said now,
        // refused at apply), read side by side.
        let peering = PairKind::of(id)?.peering(ctx)?;
        let (diags, others) = tokio::join!(check(ctx, id, planned), peering.look_for_others(ctx, planned));
        let diags = diags?;
        if diags.has_errors() {
            return Err(Error::Rejected(never_made(diags)));
        }
        for warning in diags.0.into_iter().chain(others?.0) {
            ctx.say(warning);
        }
    }
    Ok(())
}

/// Each of the peering's clouds warns of what deleting it would meet.
async fn warn_deleting(ctx: &Ctx<'_>, prior: &Connection, why: seam::Deleting) {
    let Some(id) = prior.connection_id() else { return };
    for cloud in seam::clouds_of(&id) {
        seam::seam(cloud).warn_deleting(ctx, prior, why).await;
    }
}

/// The plan-time checks of a pair of networks, as the configuration states it; only reads.
/// The same checks back `peering_preflight`.
pub(crate) async fn check(ctx: &Ctx<'_>, id: &ConnectionId, planned: &Connection) -> Result<Diagnostics, Error> {
    PairKind::of(id)?.peering(ctx)?.check(ctx, planned).await
}

/// Everything `check` finds, errors that stop a plan included, as diagnostics: what a
/// `peering_preflight` reports. Cloud failures (not findings) stay errors.
pub(crate) async fn preflight(ctx: &Ctx<'_>, mut conn: Connection) -> Result<Diagnostics, Error> {
    for seam in seam::seams() {
        // Without a cloud's credentials its defaults stay unfilled, and its checks say so.
        let _ = seam.plan_defaults(ctx, &mut conn);
    }
    conn.peer_side = conn.peer_side.clone().or(Attr::Known(PeerSide::Managed));
    let Some(id) = conn.connection_id() else {
        return Ok(Diagnostics::default());
    };
    match check(ctx, &id, &conn).await {
        Ok(diags) => Ok(diags),
        Err(e @ (Error::Invalid { .. } | Error::MissingCredentials { .. } | Error::Rejected(_))) => {
            Ok(e.to_diagnostics())
        }
        Err(e) => Err(e),
    }
}

/// The cloud an endpoint names, when it names exactly one.
/// The static checks of `network` and `peer_network`: each names one cloud and well-formed ids.
pub(crate) fn validate_endpoints(conn: &Connection) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for (root, endpoint) in [("network", &conn.network), ("peer_network", &conn.peer_network)] {
        if let Attr::Known(endpoint) = endpoint
            && let Err((path, detail)) = endpoint_ref(endpoint, root)
        {
            diags.push(Diagnostic::error(format!("Invalid {root}"), detail).at(path));
        }
    }
    match conn.connection_id() {
        Some(id) => {
            if let Err(e) = PairKind::of(&id) {
                diags.push(e.to_diagnostic());
            }
        }
        // A Scaleway region still to default: the clouds alone say whether the pair exists.
        None => {
            let clouds =
                (conn.network.known().and_then(Endpoint::cloud), conn.peer_network.known().and_then(Endpoint::cloud));
            if let (Some(a), Some(b)) = clouds
                && !PairKind::supports(a, b)
            {
                diags.push(unsupported_pair(a, b).to_diagnostic());
            }
        }
    }
    diags
}

/// A name the clouds would refuse, on its attribute.
fn name_problem(name: &Attr<String>, path: AttrPath) -> Option<Diagnostic> {
    let name = name.known()?;
    let problem = if name.is_empty() || name.chars().count() > 255 {
        "A peering name has 1 to 255 characters.".to_string()
    } else {
        super::text_problem(name)?
    };
    Some(Diagnostic::error("Invalid name", problem).at(path))
}

/// Each half's own name and tags: well formed, and only on a half that carries them.
fn validate_half_labels(conn: &Connection) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for end in End::BOTH {
        let Attr::Known(half) = conn.half(end) else { continue };
        let root = AttrPath::root(end.half_attribute());
        for (field, set) in [("name", !half.name.is_null()), ("tags", !half.tags.is_null())] {
            if !set {
                continue;
            }
            let path = root.clone().attr(field);
            let why = match (conn.names_half(end), conn.peer_side.known()) {
                (_, Some(PeerSide::External)) if end == End::Peer => Some(
                    "With peer_side = \"external\" the reverse half is its owner's: it keeps the name and tags \
                     they give it. Remove peer_half, or manage both halves (peer_side = \"managed\").",
                ),
                (Some(false), _) => Some(
                    "An Aiven peering connection carries no name or tags. Set them on the UpCloud half only, \
                     or remove them.",
                ),
                _ => None,
            };
            if let Some(why) = why {
                diags.push(
                    Diagnostic::error(format!("{} {field} not supported here", end.half_attribute()), why).at(path),
                );
            }
        }
        if let Some(problem) = name_problem(&half.name, root.clone().attr("name")) {
            diags.push(problem);
        }
        diags.extend(super::tag_problems(&half.tags, root.attr("tags")));
    }
    diags
}

/// The outcome of a create. One that stopped before it was done (timed out, cancelled, a cloud
/// that kept failing) returns no object: Terraform would taint it and the next apply would
/// destroy what the next apply can simply adopt and finish. The error names what was left.
fn created(state: Option<Connection>, result: Result<(), Error>) -> Applied<Connection> {
    match result {
        Err(cause) if cause.is_resumable() => {
            let left = state.as_ref().map(Connection::halves_left).unwrap_or_default();
            Applied { state: None, result: Err(Error::Unfinished { cause: Box::new(cause), left }) }
        }
        result => Applied { state, result },
    }
}

#[async_trait]
impl Resource for PeeringConnection {
    type State = Connection;
    type Identity = Identity;

    const TYPE_NAME: &'static str = TYPE_NAME;

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn identity_schema(&self) -> &IdentitySchema {
        &self.identity
    }

    fn validate(&self, conn: &Connection) -> Diagnostics {
        let mut diags = validate_endpoints(conn);
        if let Some(problem) = name_problem(&conn.name, AttrPath::root("name")) {
            diags.push(problem);
        }
        diags.extend(super::tag_problems(&conn.tags, AttrPath::root("tags")));
        diags.extend(validate_half_labels(conn));
        if let Attr::Known(t) = &conn.timeouts {
            for (which, v) in [("create", &t.create), ("update", &t.update), ("delete", &t.delete)] {
                if let Attr::Known(text) = v
                    && let Err(e) = tfplugin6::duration::parse_duration(text)
                {
                    diags.push(Diagnostic::error("Invalid timeout", e).at(AttrPath::root("timeouts").attr(which)));
                }
            }
        }
        // A region is not needed to see the cloud, nor whether its halves can pause.
        let pausable = [&conn.network, &conn.peer_network]
            .iter()
            .all(|e| e.known().and_then(Endpoint::cloud).is_none_or(Cloud::pauses));
        match conn.connection_id().map(|id| PairKind::of(&id)) {
            Some(Err(_)) => {} // reported by validate_endpoints
            _ if !pausable && conn.enabled == Attr::Known(false) => diags.push(
                Diagnostic::error(
                    "This peering cannot be paused",
                    "Only UpCloud ↔ UpCloud peerings can be paused (UpCloud keeps a half with configured_status = \
                     disabled). Aiven peerings and Scaleway connectors have no pause: remove `enabled = false`, or \
                     destroy the peering to stop traffic.",
                )
                .at(AttrPath::root("enabled")),
            ),
            _ => {}
        }
        if let Attr::Known(text) = &conn.aiven_network_id {
            let involves_aiven = conn
                .connection_id()
                .is_none_or(|id| id.network.cloud() == Cloud::Aiven || id.peer_network.cloud() == Cloud::Aiven);
            if text.parse::<UpcloudNetworkId>().is_err() {
                diags.push(
                    Diagnostic::error("Invalid aiven_network_id", format!("{text:?} is not a UUID."))
                        .at(AttrPath::root("aiven_network_id")),
                );
            } else if !involves_aiven {
                diags.push(
                    Diagnostic::error(
                        "aiven_network_id without an Aiven side",
                        "Only a peering with an Aiven VPC has an Aiven network ID.",
                    )
                    .at(AttrPath::root("aiven_network_id")),
                );
            }
        }
        diags
    }

    async fn plan(
        &self,
        ctx: &Ctx<'_>,
        prior: Option<Connection>,
        mut planned: Connection,
        config: Connection,
    ) -> Result<Planned<Connection>, Error> {
        planned.keep_configured_clouds(&config);
        for seam in seam::seams() {
            seam.plan_defaults(ctx, &mut planned)?;
        }
        let prior = prior.map(|p| reoriented(p, &mut planned));
        // `peer_side`, `wait_for` and `enabled` come with their schema defaults; a state written
        // before `enabled` existed keeps it unset (no diff).
        if config.enabled.is_null() && prior.as_ref().is_some_and(|p| p.enabled.is_null()) {
            planned.enabled = Attr::Null;
        }
        planned.tags = config.tags.clone();
        planned.timeouts = config.timeouts.clone();
        planned.plan_half_labels(&config);
        let id = planned.connection_id();
        planned.id = id.as_ref().map(ToString::to_string).map_or(Attr::Unknown, Attr::Known);
        let involves_aiven =
            id.as_ref().is_none_or(|id| PairKind::of(id).is_ok_and(|kind| kind.has_aiven_network_id()));
        let moved_ends = moved_ends(prior.as_ref(), &planned);
        let replacing = !moved_ends.is_empty();
        if replacing && let Some(prior) = prior.as_ref() {
            warn_deleting(ctx, prior, seam::Deleting::Replaced).await;
        }
        match prior {
            Some(prior) if !replacing => plan_update(ctx, &prior, &mut planned, id.as_ref()).await,
            _ => plan_create(ctx, &mut planned, &config, id.as_ref()).await?,
        }
        // Halves about to be made or read again still carry the planned names and tags.
        planned.plan_half_labels(&config);
        // A configured Aiven network ID wins; otherwise it is read once the Aiven half is
        // PENDING_PEER and kept from then on (the schema keeps the prior value).
        planned.aiven_network_id =
            config.aiven_network_id.clone().or(if involves_aiven { Attr::Unknown } else { Attr::Null });
        Ok(Planned { state: planned, requires_replace: moved_ends })
    }

    async fn create(&self, ctx: &Ctx<'_>, state: Connection) -> Applied<Connection> {
        let peering = match PairKind::of_state(&state).and_then(|kind| kind.peering(ctx)) {
            Ok(peering) => peering,
            Err(e) => return Applied { state: None, result: Err(e) },
        };
        let (state, result) = peering.create(ctx, state).await;
        created(state, result)
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: Connection, planned: Connection) -> Applied<Connection> {
        let prior = if is_reoriented(&prior, &planned) { prior.swapped() } else { prior };
        let found = PairKind::of_state(&planned).and_then(|kind| Ok((kind.needs_repair(&prior), kind.peering(ctx)?)));
        let (repairing, peering) = match found {
            Ok(found) => found,
            Err(e) => return Applied { state: None, result: Err(e) },
        };
        // A repair runs the plan's checks again before it writes: a network gone stops it here.
        if repairing {
            match peering.check(ctx, &planned).await {
                Ok(diags) if diags.has_errors() => {
                    return Applied { state: None, result: Err(Error::Rejected(cannot_repair(diags))) };
                }
                Ok(_) => {}
                Err(e) => return Applied { state: None, result: Err(e) },
            }
        }
        let (state, result) = peering.update(ctx, &prior, planned).await;
        Applied { state, result }
    }

    async fn delete(&self, ctx: &Ctx<'_>, prior: Connection) -> Result<(), Error> {
        PairKind::of_state(&prior)?.peering(ctx)?.delete(ctx, &prior).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: Connection) -> Result<Option<Connection>, Error> {
        let was_in_conflict = state.has_status(Status::Conflict);
        let was_waiting = state.has_status(Status::PendingPeer) || state.has_status(Status::Provisioning);
        let clients = ctx.clients.for_refresh();
        let reading = ctx.with_clients(&clients);
        let peering = PairKind::of_state(&state)?.peering(&reading)?;
        let read = peering.read(&reading, state).await?;
        if let Some(now) = read.as_ref().filter(|now| now.has_status(Status::Conflict) && !was_in_conflict) {
            warn_new_conflict(ctx, now);
        }
        if let Some(now) = read.as_ref().filter(|now| now.has_status(Status::Active) && was_waiting) {
            peering.became_active(&reading, now).await;
        }
        Ok(read)
    }

    async fn import(&self, ctx: &Ctx<'_>, target: ImportTarget<Identity>) -> Result<Connection, Error> {
        let native_id = matches!(&target, ImportTarget::Id(text) if !text.contains(':'));
        let id = match target {
            ImportTarget::Id(text) => import::import_id(ctx, &text).await?,
            ImportTarget::Identity(identity) => {
                let field = |v: Attr<String>| v.into_known().unwrap_or_default();
                format!("{}:{}", field(identity.network), field(identity.peer_network))
                    .parse::<ConnectionId>()
                    .map_err(|e| Error::invalid("Invalid import identity", e.to_string(), None))?
            }
        };
        let state = Connection {
            id: Attr::Known(id.to_string()),
            network: Attr::Known(endpoint_of(&id.network)),
            peer_network: Attr::Known(endpoint_of(&id.peer_network)),
            wait_for: Attr::Known(WaitFor::Active),
            enabled: Attr::Known(true),
            ..Default::default()
        };
        let state = PairKind::of(&id)?.peering(ctx)?.import(ctx, state).await?;
        // Imported by a half's own id, nothing says which end is which: the canonical order.
        Ok(if native_id { state.in_canonical_order() } else { state })
    }

    fn identity(&self, state: &Connection) -> Option<Identity> {
        let id: ConnectionId = state.id.known()?.parse().ok()?;
        Some(Identity {
            network: Attr::Known(id.network.to_string()),
            peer_network: Attr::Known(id.peer_network.to_string()),
        })
    }

    fn claims(&self, state: &Connection) -> Vec<Claim> {
        let Some(id) = state.connection_id() else { return Vec::new() };
        let holder = format!("peering_connection {:?} ({id})", state.wanted_name());
        let mut halves = vec![(&id.network, &id.peer_network)];
        if state.is_managed() {
            halves.push((&id.peer_network, &id.network));
        }
        halves
            .into_iter()
            .map(|(from, to)| Claim {
                object: format!("The peering half from {from} toward {to}"),
                holder: holder.clone(),
                path: AttrPath::root("peer_network"),
            })
            .collect()
    }

    /// What deleting the peering would meet in its clouds (a Scaleway connector still used by
    /// routes cannot be deleted): said now.
    async fn plan_destroy(&self, ctx: &Ctx<'_>, prior: Connection) {
        warn_deleting(ctx, &prior, seam::Deleting::Removed).await;
    }

    /// Version 0 had one name and one set of tags for the whole peering: each half it names
    /// carried them.
    fn upgrade(&self, version: i64, mut state: Connection) -> Connection {
        if version < 1 {
            for end in End::BOTH {
                let named = state.names_half(end) == Some(true);
                let (name, tags) = (state.name.clone(), state.tags.clone());
                if let Attr::Known(half) = state.half_mut(end)
                    && named
                {
                    half.name = name;
                    half.tags = tags;
                }
            }
        }
        state
    }

    fn generate_config(&self, state: Connection) -> Connection {
        // Only an external Aiven peer, without Aiven credentials, needs its network ID configured.
        let network_id_configured = state.peer_side.known() == Some(&PeerSide::External)
            && state.peer_network.known().is_some_and(|e| e.aiven.known().is_some());
        fn non_default<T: PartialEq>(value: Attr<T>, default: T) -> Attr<T> {
            match value {
                Attr::Known(v) if v != default => Attr::Known(v),
                _ => Attr::Null,
            }
        }
        let mut state = state;
        state.half_labels_to_configure();
        Connection {
            name: state.name,
            network_half: state.network_half,
            peer_half: state.peer_half,
            network: state.network,
            peer_network: state.peer_network,
            peer_side: non_default(state.peer_side, PeerSide::Managed),
            wait_for: non_default(state.wait_for, WaitFor::Active),
            enabled: non_default(state.enabled, true),
            tags: state.tags,
            aiven_network_id: if network_id_configured { state.aiven_network_id } else { Attr::Null },
            ..Default::default()
        }
    }
}

#[cfg(test)]
mod tests;
