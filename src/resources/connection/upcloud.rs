//! UpCloud halves: plan-time checks, create-or-adopt, waiting, repair and teardown.
//!
//! A peering between two UpCloud networks is two `network-peering` objects, one from each
//! network; it is `active` once both exist and are enabled.

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::half::{Half, Phase, Wanted};
use super::pair::Symmetric;
use super::poll::{Deadline, Poller};
use super::status::Status;
use crate::resources::ownership::{Mark, without_marker};
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_clouds::upcloud::{
    ConfiguredStatus, CreatePeering, Label, Network, NetworkPeering, NetworkUuid, PeeringNetwork, PeeringPatch,
    PeeringState, UpcloudClient, UpcloudError,
};
use peering_net::{UpcloudNetworkId, UpcloudPeeringId, first_overlap};
use tfplugin6::{AttrPath, Diagnostic, Diagnostics};

/// Where each endpoint's UpCloud network id sits in the configuration.
pub(super) fn network_id_path(root: &str) -> AttrPath {
    AttrPath::root(root).attr("upcloud").attr("network_id")
}

/// Reads a network for a plan-time check, turning "not found" into a diagnostic on `root`.
async fn network_for_check(
    client: &UpcloudClient,
    id: UpcloudNetworkId,
    root: &str,
) -> Result<Result<Network, Diagnostic>, Error> {
    match client.get_network(id).await {
        Ok(network) => Ok(Ok(network)),
        Err(e) if e.is_not_visible() => Ok(Err(missing_network(client, id, root).await?)),
        Err(e) => Err(e.into()),
    }
}

/// "Network not found" on `root`'s network id, saying where the lookup looked and what to try.
pub(super) async fn missing_network(
    client: &UpcloudClient,
    id: UpcloudNetworkId,
    root: &str,
) -> Result<Diagnostic, Error> {
    Ok(Diagnostic::error("UpCloud network not found", client.missing_network(id).await?).at(network_id_path(root)))
}

/// Checks, before anything is created, what would make the peering fail: missing networks or
/// routers, different zones and overlapping address ranges. Only reads.
pub(super) async fn check_pair(
    client: &UpcloudClient,
    local: UpcloudNetworkId,
    peer: UpcloudNetworkId,
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
        // Whether UpCloud peers networks of two zones is documented nowhere (UpCloud's API
        // reference and SDKs say nothing either way): the cloud decides, the plan only warns.
        if ours.zone != theirs.zone {
            diags.push(
                Diagnostic::warning(
                    "Networks are in different zones",
                    format!(
                        "network {} is in zone {} but peer_network {} is in zone {}. Whether UpCloud peers networks \
                         of different zones is not documented; UpCloud decides when the halves are made.",
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

pub(super) fn labels(tags: &BTreeMap<String, String>) -> Vec<Label> {
    tags.iter().map(|(key, value)| Label { key: key.clone(), value: value.clone() }).collect()
}

pub(super) fn tags(labels: &[Label]) -> BTreeMap<String, String> {
    labels.iter().map(|l| (l.key.clone(), l.value.clone())).collect()
}

/// The UpCloud half from network `from` toward network `to`: one `network-peering` object.
pub(super) struct UpcloudHalf<'c> {
    pub client: &'c UpcloudClient,
    pub from: UpcloudNetworkId,
    pub to: UpcloudNetworkId,
}

#[async_trait]
impl Half for UpcloudHalf<'_> {
    type Remote = NetworkPeering;
    type Id = UpcloudPeeringId;
    const NOUN: &'static str = "UpCloud network peering";

    fn id(object: &NetworkPeering) -> Option<UpcloudPeeringId> {
        Some(object.uuid)
    }

    fn native_state(object: &NetworkPeering) -> String {
        object.state.as_str().to_string()
    }

    fn phase(object: &NetworkPeering) -> Phase {
        phase_of(object.state)
    }

    fn stored_phase(native: &str) -> Option<Phase> {
        serde_json::from_value(serde_json::Value::String(native.to_string())).ok().map(phase_of)
    }

    fn name_and_tags(object: &NetworkPeering) -> Option<(String, BTreeMap<String, String>)> {
        Some((object.name.clone(), without_marker(&tags(&object.labels))))
    }

    fn mark(object: &NetworkPeering) -> Option<Mark> {
        Some(Mark::of(&tags(&object.labels)))
    }

    fn describe(&self, object: &NetworkPeering) -> String {
        format!("{} ({:?}) from network {} toward {}", object.uuid, object.name, self.from, self.to)
    }

    fn import_id(&self, object: &NetworkPeering) -> String {
        format!("upcloud-peering/{}", object.uuid)
    }

    async fn find(&self) -> Result<Option<NetworkPeering>, Error> {
        Ok(self.client.list_peerings(Some(self.from), Some(self.to)).await?.into_iter().next())
    }

    async fn get(&self, id: UpcloudPeeringId) -> Result<Option<NetworkPeering>, Error> {
        crate::resources::unless_gone(self.client.get_peering(id).await)
    }

    async fn create(&self, _: &Ctx<'_>, wanted: &Wanted, _: Deadline) -> Result<NetworkPeering, Error> {
        let request = CreatePeering {
            name: wanted.name.clone(),
            configured_status: configured(wanted),
            network: NetworkUuid { uuid: self.from },
            peer_network: NetworkUuid { uuid: self.to },
            labels: labels(&wanted.cloud_tags()),
        };
        Ok(self.client.create_peering(&request).await?)
    }

    fn may_exist_after(error: &Error) -> bool {
        matches!(error, Error::Cloud(e) if e.downcast_ref::<UpcloudError>().is_some_and(|e| e.outcome_unknown() || e.code() == Some("PEERING_CONFLICT")))
    }

    async fn align(&self, half: NetworkPeering, wanted: &Wanted) -> Result<NetworkPeering, Error> {
        let patch = PeeringPatch {
            name: (half.name != wanted.name).then(|| wanted.name.clone()),
            configured_status: (half.configured_status != configured(wanted)).then_some(configured(wanted)),
            labels: (tags(&half.labels) != wanted.cloud_tags()).then(|| labels(&wanted.cloud_tags())),
        };
        if patch == PeeringPatch::default() {
            return Ok(half);
        }
        Ok(self.client.modify_peering(half.uuid, &patch).await?)
    }

    /// Disable → wait for `disabled` → delete, as UpCloud requires. A half already gone is done.
    async fn remove(&self, ctx: &Ctx<'_>, half: NetworkPeering, deadline: Deadline) -> Result<(), Error> {
        let id = half.uuid;
        let mut poller = Poller::new(deadline);
        let mut current = Some(half);
        loop {
            let Some(half) = current.take() else { return Ok(()) };
            // UpCloud deletes a disabled half; one switched off may report another settled state
            // (`deleted-peer-network` once the peer network is gone), so it is asked, and a
            // refusal (`PEERING_NOT_DISABLED`) waits.
            let switched_off =
                half.configured_status == ConfiguredStatus::Disabled && half.state != PeeringState::Provisioning;
            if half.state == PeeringState::Disabled || switched_off {
                match self.client.delete_peering(id).await {
                    Ok(()) => return Ok(()),
                    Err(e) if e.is_not_found() => return Ok(()),
                    Err(e) if e.code() == Some("PEERING_NOT_DISABLED") => {}
                    Err(e) => return Err(e.into()),
                }
            } else if half.configured_status != ConfiguredStatus::Disabled && half.state != PeeringState::Provisioning {
                match self.client.modify_peering(id, &disable()).await {
                    Ok(_) => {}
                    Err(e) if e.is_not_found() => return Ok(()),
                    Err(e) => return Err(e.into()),
                }
            }
            poller.wait(ctx, || format!("UpCloud peering {id} to be disabled and deleted")).await?;
            current = self.get(id).await?;
        }
    }

    /// Switches the half off first: the answer says whether it can go at once, and a destroy
    /// needs no read of what the refresh just read.
    async fn remove_known(&self, ctx: &Ctx<'_>, id: UpcloudPeeringId, deadline: Deadline) -> Result<(), Error> {
        match self.client.modify_peering(id, &disable()).await {
            Ok(half) => self.remove(ctx, half, deadline).await,
            Err(e) if e.is_not_found() => Ok(()),
            // Refused (still provisioning, say): read it and go the long way.
            Err(e)
                if matches!(e, UpcloudError::Api { status: 400..500, .. })
                    && !e.is_transient()
                    && !e.is_auth_failure() =>
            {
                match self.get(id).await? {
                    Some(half) => self.remove(ctx, half, deadline).await,
                    None => Ok(()),
                }
            }
            Err(e) => Err(e.into()),
        }
    }

    async fn failure(&self, failed: &NetworkPeering) -> Error {
        failure(failed)
    }
}

fn disable() -> PeeringPatch {
    PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() }
}

/// `enabled = false` pauses a half: UpCloud keeps it, `disabled`.
fn configured(wanted: &Wanted) -> ConfiguredStatus {
    if wanted.enabled { ConfiguredStatus::Active } else { ConfiguredStatus::Disabled }
}

/// UpCloud's peering states in the words every cloud shares. A disabled peer is the peer
/// owner's business: our half waits for it.
pub(super) fn phase_of(state: PeeringState) -> Phase {
    match state {
        PeeringState::Provisioning | PeeringState::Unrecognised => Phase::Provisioning,
        PeeringState::PendingPeer | PeeringState::PeerDisabled => Phase::WaitingForPeer,
        PeeringState::Active => Phase::Active,
        PeeringState::Disabled => Phase::Disabled,
        _ if state.is_failure() => Phase::Failed,
        _ => Phase::Provisioning,
    }
}

/// The error for a half in a failure state, in UpCloud's words.
pub(super) fn failure(failed: &NetworkPeering) -> Error {
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

/// Servers on the network, for the DHCP-renewal warning.
async fn attached_servers(client: &UpcloudClient, network: UpcloudNetworkId) -> Result<Vec<String>, UpcloudError> {
    let network = client.get_network(network).await?;
    Ok(network
        .servers
        .server
        .iter()
        .map(|s| if s.title.is_empty() { s.uuid.clone() } else { format!("{} ({})", s.title, s.uuid) })
        .collect())
}

/// Warns that servers on these (our) networks need a new DHCP lease to learn the peering's routes.
pub(super) async fn warn_dhcp(ctx: &Ctx<'_>, client: &UpcloudClient, networks: &[UpcloudNetworkId]) {
    let found = futures_util::future::join_all(networks.iter().map(|n| attached_servers(client, *n))).await;
    let servers: Vec<String> = networks
        .iter()
        .zip(found)
        .filter_map(|(network, found)| Some(found.ok()?.into_iter().map(move |s| format!("{s} on network {network}"))))
        .flatten()
        .collect();
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

pub(super) fn cidrs_of(network: &PeeringNetwork) -> Vec<String> {
    network
        .ip_networks
        .as_ref()
        .map(|ips| ips.ip_network.iter().map(|ip| ip.address.to_string()).collect())
        .unwrap_or_default()
}

/// UpCloud networks, for the symmetric pair.
#[derive(Clone)]
pub(super) struct Upcloud<'c> {
    pub client: &'c UpcloudClient,
}

#[async_trait]
impl<'c> Symmetric for Upcloud<'c> {
    type Network = UpcloudNetworkId;
    type Half = UpcloudHalf<'c>;

    fn half(&self, from: UpcloudNetworkId, to: UpcloudNetworkId) -> UpcloudHalf<'c> {
        UpcloudHalf { client: self.client, from, to }
    }

    fn status(ours: &NetworkPeering) -> Status {
        status_of(ours.state)
    }

    async fn check(
        &self,
        local: UpcloudNetworkId,
        peer: UpcloudNetworkId,
        managed: bool,
    ) -> Result<Diagnostics, Error> {
        check_pair(self.client, local, peer, managed).await
    }

    async fn cidrs(
        &self,
        _: UpcloudNetworkId,
        _: UpcloudNetworkId,
        ours: &NetworkPeering,
        theirs: Option<&NetworkPeering>,
    ) -> Result<(Vec<String>, Vec<String>), Error> {
        let peer = theirs.map(|t| cidrs_of(&t.network)).unwrap_or_else(|| cidrs_of(&ours.peer_network));
        Ok((cidrs_of(&ours.network), peer))
    }

    fn message(&self, ours: &NetworkPeering, theirs: Option<&NetworkPeering>, managed: bool) -> String {
        match (ours.state, theirs, managed) {
            (PeeringState::Active, _, _) => "Both halves are active; traffic flows between the networks.".to_string(),
            (PeeringState::PendingPeer, None, false) => format!(
                "Waiting for the owner of network {} to create the reverse peering toward {}.",
                ours.peer_network.uuid, ours.network.uuid
            ),
            (state, _, _) => format!("UpCloud reports {}: {}.", state.as_str(), state.explanation()),
        }
    }

    fn owner_must_act(&self, ours: &NetworkPeering) -> Option<(String, String)> {
        (ours.state == PeeringState::PendingPeer).then(|| {
            (
                "Peering waits for the peer network's owner".to_string(),
                format!(
                    "Our half {} exists. The owner of network {peer} must now create the reverse peering: \
                     POST /1.3/network-peering with network.uuid = {peer} and peer_network.uuid = {local} (or a \
                     peering_connection with network = {{ upcloud = {{ network_id = \"{peer}\" }} }} and peer_network = \
                     {{ upcloud = {{ network_id = \"{local}\" }} }}).",
                    ours.uuid,
                    peer = ours.peer_network.uuid,
                    local = ours.network.uuid,
                ),
            )
        })
    }

    async fn after_active(&self, ctx: &Ctx<'_>, networks: &[UpcloudNetworkId]) {
        warn_dhcp(ctx, self.client, networks).await;
    }
}

/// An UpCloud half's state in the provider's status words.
pub(super) fn status_of(state: PeeringState) -> Status {
    match state {
        PeeringState::Active => Status::Active,
        PeeringState::Provisioning => Status::Provisioning,
        PeeringState::PendingPeer => Status::PendingPeer,
        PeeringState::Disabled | PeeringState::PeerDisabled => Status::Disabled,
        PeeringState::ConflictSubnet => Status::Conflict,
        _ => Status::Error,
    }
}
