//! UpCloud halves: plan-time checks, create-or-adopt, waiting, repair and teardown.
//!
//! A peering between two UpCloud networks is two `network-peering` objects, one from each
//! network; it is `active` once both exist and are enabled.

use std::collections::BTreeMap;

use super::model::{Connection, Half};
use super::poll::{Deadline, Poller};
use crate::clouds::upcloud::{
    ConfiguredStatus, CreatePeering, Label, Network, NetworkPeering, NetworkUuid, PeeringNetwork, PeeringPatch,
    PeeringState, UpcloudClient, UpcloudError,
};
use crate::net::{NetworkId, PeeringId, first_overlap};
use crate::resources::{Ctx, Error};
use crate::tf::{Attr, AttrPath, Diagnostic, Diagnostics};

/// Where each endpoint's UpCloud network id sits in the configuration.
pub fn network_id_path(root: &str) -> AttrPath {
    AttrPath::root(root).attr("upcloud").attr("network_id")
}

/// Reads a network for a plan-time check, turning "not found" into a diagnostic on `root`.
async fn network_for_check(
    client: &UpcloudClient,
    id: NetworkId,
    root: &str,
) -> Result<Result<Network, Diagnostic>, Error> {
    match client.get_network(id).await {
        Ok(network) => Ok(Ok(network)),
        Err(e) if e.is_not_found() => Ok(Err(Diagnostic::error(
            "UpCloud network not found",
            format!("No UpCloud network {id} is visible with these credentials."),
        )
        .at(network_id_path(root)))),
        Err(e) => Err(e.into()),
    }
}

/// Checks, before anything is created, what would make the peering fail: missing networks or
/// routers, different zones and overlapping address ranges. Only reads.
pub async fn check_pair(
    client: &UpcloudClient,
    local: NetworkId,
    peer: NetworkId,
    peer_is_ours: bool,
) -> Result<Diagnostics, Error> {
    let mut diags = Diagnostics::default();
    if local == peer {
        diags.push(
            Diagnostic::error(
                "A network cannot peer with itself",
                format!("network and peer_network are both {local}."),
            )
            .at(AttrPath::root("peer_network")),
        );
        return Ok(diags);
    }
    let (ours, theirs) =
        tokio::try_join!(network_for_check(client, local, "network"), network_for_check(client, peer, "peer_network"))?;
    let ours = ours.map_err(|d| diags.push(d)).ok();
    // An external peer may live in another account: not seeing it is no error there.
    let theirs = match theirs {
        Ok(n) => Some(n),
        Err(d) if peer_is_ours => {
            diags.push(d);
            None
        }
        Err(_) => None,
    };
    if let Some(ours) = &ours
        && ours.router.is_none()
    {
        diags.push(no_router(ours, "network"));
    }
    if let (Some(ours), Some(theirs)) = (&ours, &theirs) {
        if peer_is_ours && theirs.router.is_none() {
            diags.push(no_router(theirs, "peer_network"));
        }
        if ours.zone != theirs.zone {
            diags.push(
                Diagnostic::error(
                    "Networks are in different zones",
                    format!(
                        "network {} is in zone {} but peer_network {} is in zone {}. UpCloud peers networks of one zone.",
                        ours.uuid, ours.zone, theirs.uuid, theirs.zone
                    ),
                )
                .at(network_id_path("peer_network")),
            );
        }
        if let Some((a, b)) = first_overlap(&ours.cidrs(), &theirs.cidrs()) {
            diags.push(
                Diagnostic::error(
                    "Network address ranges overlap",
                    format!(
                        "network {} has {a} and peer_network {} has {b}; peered networks must not overlap \
                         (UpCloud would report conflict-subnet).",
                        ours.uuid, theirs.uuid
                    ),
                )
                .at(network_id_path("peer_network")),
            );
        }
    }
    Ok(diags)
}

fn no_router(network: &Network, root: &str) -> Diagnostic {
    Diagnostic::error(
        "Network has no router",
        format!(
            "UpCloud network {} ({}) has no router attached; peering needs one on each side. Attach a router \
             (upcloud_router and the network's `router` attribute) first.",
            network.uuid, network.name
        ),
    )
    .at(network_id_path(root))
}

pub fn labels(tags: &BTreeMap<String, String>) -> Vec<Label> {
    tags.iter().map(|(key, value)| Label { key: key.clone(), value: value.clone() }).collect()
}

pub fn tags(labels: &[Label]) -> BTreeMap<String, String> {
    labels.iter().map(|l| (l.key.clone(), l.value.clone())).collect()
}

fn same_labels(a: &[Label], b: &[Label]) -> bool {
    tags(a) == tags(b)
}

/// The one half from `from` toward `to`, if it exists.
pub async fn find_half(
    client: &UpcloudClient,
    from: NetworkId,
    to: NetworkId,
) -> Result<Option<NetworkPeering>, Error> {
    Ok(client.list_peerings(Some(from), Some(to)).await?.into_iter().next())
}

/// Reads a half by id; `None` when it is gone.
pub async fn get_half(client: &UpcloudClient, id: PeeringId) -> Result<Option<NetworkPeering>, Error> {
    crate::resources::unless_gone(client.get_peering(id).await)
}

/// Looks for the half, creating it only when it is not there. A create whose answer was lost,
/// or that raced another, is followed by another look, so a retry never makes a duplicate.
pub async fn ensure_half(
    ctx: &Ctx<'_>,
    client: &UpcloudClient,
    from: NetworkId,
    to: NetworkId,
    name: &str,
    labels: &[Label],
) -> Result<NetworkPeering, Error> {
    const ATTEMPTS: usize = 6;
    let mut last_error = None;
    for attempt in 0..ATTEMPTS {
        if let Some(existing) = find_half(client, from, to).await? {
            if attempt == 0 {
                ctx.warn_adopted(
                    "UpCloud network peering",
                    &format!("{} ({:?}) from network {from} toward {to}", existing.uuid, existing.name),
                );
            }
            return align_half(client, existing, name, labels).await;
        }
        let request = CreatePeering {
            name: name.to_string(),
            configured_status: ConfiguredStatus::Active,
            network: NetworkUuid { uuid: from },
            peer_network: NetworkUuid { uuid: to },
            labels: labels.to_vec(),
        };
        match client.create_peering(&request).await {
            Ok(created) => return Ok(created),
            Err(e) if e.outcome_unknown() || e.code() == Some("PEERING_CONFLICT") => {
                tracing::debug!(error = %e, "peering create outcome unknown; looking again");
                last_error = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(last_error.map(Error::from).unwrap_or_else(|| Error::failed("UpCloud peering create failed", "no answer")))
}

/// Brings an existing half to the wanted name, labels and `active` configuration.
pub async fn align_half(
    client: &UpcloudClient,
    half: NetworkPeering,
    name: &str,
    labels: &[Label],
) -> Result<NetworkPeering, Error> {
    let patch = PeeringPatch {
        name: (half.name != name).then(|| name.to_string()),
        configured_status: (half.configured_status != ConfiguredStatus::Active).then_some(ConfiguredStatus::Active),
        labels: (!same_labels(&half.labels, labels)).then(|| labels.to_vec()),
    };
    if patch == PeeringPatch::default() {
        return Ok(half);
    }
    Ok(client.modify_peering(half.uuid, &patch).await?)
}

/// What a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Goal {
    /// Every half `active`.
    Active,
    /// No half `provisioning` (a pending peer is fine).
    Settled,
}

/// Polls the halves until `goal`, a failure state, the deadline or a stop.
pub async fn wait_for(
    ctx: &Ctx<'_>,
    client: &UpcloudClient,
    halves: &[PeeringId],
    goal: Goal,
    deadline: Deadline,
) -> Result<Vec<NetworkPeering>, Error> {
    let mut poller = Poller::new(deadline);
    loop {
        let mut current = Vec::with_capacity(halves.len());
        for id in halves {
            match get_half(client, *id).await? {
                Some(p) => current.push(p),
                None => {
                    return Err(Error::failed(
                        "UpCloud peering disappeared",
                        format!("Peering {id} was deleted while waiting for it."),
                    ));
                }
            }
        }
        if let Some(failed) = current.iter().find(|p| p.state.is_failure()) {
            return Err(failure(failed));
        }
        let done = match goal {
            Goal::Active => current.iter().all(|p| p.state == PeeringState::Active),
            Goal::Settled => current.iter().all(|p| p.state != PeeringState::Provisioning),
        };
        if done {
            return Ok(current);
        }
        poller
            .wait(ctx, || {
                let states: Vec<String> =
                    current.iter().map(|p| format!("{} is {}", p.uuid, p.state.as_str())).collect();
                format!("UpCloud peering ({})", states.join(", "))
            })
            .await?;
    }
}

/// The error for a half in a failure state, in UpCloud's words.
pub fn failure(failed: &NetworkPeering) -> Error {
    Error::failed(
        format!("UpCloud peering {} is {}", failed.name, failed.state.as_str()),
        format!(
            "Peering {} from network {} to {} reports `{}`: {}.",
            failed.uuid,
            failed.network.uuid,
            failed.peer_network.uuid,
            failed.state.as_str(),
            failed.state.explanation()
        ),
    )
}

/// Deletes the half known by id, or else the one found from `from` toward `to`, if any.
pub async fn delete_half_of(
    ctx: &Ctx<'_>,
    client: &UpcloudClient,
    known: Option<PeeringId>,
    from: NetworkId,
    to: NetworkId,
    deadline: Deadline,
) -> Result<(), Error> {
    let id = match known {
        Some(id) => Some(id),
        None => find_half(client, from, to).await?.map(|h| h.uuid),
    };
    match id {
        Some(id) => delete_half(ctx, client, id, deadline).await,
        None => Ok(()),
    }
}

/// Disable → wait for `disabled` → delete, as UpCloud requires. A half already gone is done.
pub async fn delete_half(
    ctx: &Ctx<'_>,
    client: &UpcloudClient,
    id: PeeringId,
    deadline: Deadline,
) -> Result<(), Error> {
    let mut poller = Poller::new(deadline);
    loop {
        let Some(half) = get_half(client, id).await? else { return Ok(()) };
        if half.state == PeeringState::Disabled {
            match client.delete_peering(id).await {
                Ok(()) => return Ok(()),
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) if e.code() == Some("PEERING_NOT_DISABLED") => {}
                Err(e) => return Err(e.into()),
            }
        } else if half.configured_status != ConfiguredStatus::Disabled && half.state != PeeringState::Provisioning {
            let patch = PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
            match client.modify_peering(id, &patch).await {
                Ok(_) => {}
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(e.into()),
            }
        }
        poller.wait(ctx, || format!("UpCloud peering {id} to be disabled and deleted")).await?;
    }
}

/// Servers on the network, for the DHCP-renewal warning.
async fn attached_servers(client: &UpcloudClient, network: NetworkId) -> Result<Vec<String>, UpcloudError> {
    let network = client.get_network(network).await?;
    Ok(network
        .servers
        .server
        .iter()
        .map(|s| if s.title.is_empty() { s.uuid.clone() } else { format!("{} ({})", s.title, s.uuid) })
        .collect())
}

/// Warns that servers on these (our) networks need a new DHCP lease to learn the peering's routes.
pub async fn warn_dhcp(ctx: &Ctx<'_>, client: &UpcloudClient, networks: &[NetworkId]) {
    let mut servers = Vec::new();
    for network in networks {
        if let Ok(found) = attached_servers(client, *network).await {
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

/// The peering's name and tags, as our UpCloud half carries them.
pub fn read_name_and_tags(state: &mut Connection, half: &NetworkPeering) {
    state.name = Attr::Known(half.name.clone());
    state.read_tags(tags(&half.labels));
}

pub fn half_of(p: Option<&NetworkPeering>) -> Attr<Half> {
    p.map(|p| Half { id: Attr::Known(p.uuid.to_string()), state: Attr::Known(p.state.as_str().to_string()) }).into()
}

pub fn cidrs_of(network: &PeeringNetwork) -> Vec<String> {
    network
        .ip_networks
        .as_ref()
        .map(|ips| ips.ip_network.iter().map(|ip| ip.address.to_string()).collect())
        .unwrap_or_default()
}

pub fn wanted_labels(state: &Connection) -> Vec<Label> {
    state.tags.known().map(labels).unwrap_or_default()
}
