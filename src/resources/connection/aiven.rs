//! Aiven halves: plan-time checks, create-or-adopt, waiting and teardown. An Aiven peering has
//! no GET of its own; it is found in its VPC by peering id, else by the UpCloud network it
//! points at.

use uuid::Uuid;

use std::collections::BTreeMap;

use async_trait::async_trait;

use super::half::{Half, Phase, Wanted};
use super::poll::{Deadline, Poller};
use super::status::Status;
use crate::resources::list::reads_in_order;
use crate::resources::{Ctx, Error};
use peering_clouds::CloudFailure as _;
use peering_clouds::aiven::{
    AivenClient, AivenError, PeeringConnection, PeeringState, Vpc, VpcState, aiven_cloud_zones,
};
use peering_clouds::upcloud::NetworkPeering;
use peering_net::{AivenVpcId, UpcloudNetworkId};
use tfplugin6::{AttrPath, Diagnostic};

/// A project VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct VpcRef {
    pub project: String,
    pub vpc: AivenVpcId,
}

impl std::fmt::Display for VpcRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in project {}", self.vpc, self.project)
    }
}

pub(super) fn vpc_id_path(root: &str) -> AttrPath {
    AttrPath::root(root).attr("aiven").attr("vpc_id")
}

/// The VPC for a plan-time check: a diagnostic when it cannot take part in an UpCloud peering.
pub(super) async fn vpc_for_check(
    client: &AivenClient,
    vref: &VpcRef,
    root: &str,
) -> Result<Result<Vpc, Diagnostic>, Error> {
    let vpc = match client.get_vpc_shared(&vref.project, vref.vpc.0).await {
        Ok(vpc) => vpc,
        Err(e) if e.is_auth_failure() => return Err(e.into()),
        Err(e) if e.is_not_found() => {
            let detail = client.missing_vpc(&vref.project, vref.vpc.0).await?;
            return Ok(Err(Diagnostic::error("Aiven project VPC not found", detail).at(vpc_id_path(root))));
        }
        Err(peering_clouds::aiven::AivenError::Api { status: 403, message }) => {
            return Ok(Err(Diagnostic::error(
                "No access to the Aiven project",
                format!("Aiven refuses project {:?} to this token: {message}.", vref.project),
            )
            .at(AttrPath::root(root).attr("aiven").attr("project"))));
        }
        Err(e) => return Err(e.into()),
    };
    if matches!(vpc.state, VpcState::Deleting | VpcState::Deleted) {
        return Ok(Err(Diagnostic::error(
            "Aiven project VPC is being deleted",
            format!("Project VPC {vref} is deleting."),
        )
        .at(vpc_id_path(root))));
    }
    if aiven_cloud_zones(&vpc.cloud_name).is_none() {
        return Ok(Err(Diagnostic::error(
            "Aiven project VPC is not in an UpCloud cloud",
            format!(
                "Project VPC {vref} is in cloud {}; only a VPC in an upcloud-* cloud peers with UpCloud.",
                vpc.cloud_name
            ),
        )
        .at(vpc_id_path(root))));
    }
    Ok(Ok(vpc))
}

/// How an Aiven peering connection is known: by its `peering_connection_id` when Aiven gives
/// one, else by the UpCloud network it goes toward. The id is optional in Aiven's own API types
/// (aiven/go-client-codegen `handler/vpc/vpc.go`, `PeeringConnectionId *string …omitempty`) and
/// absent from the client the official provider uses, which finds a peering by
/// `(peer_cloud_account, peer_vpc)`; a VPC holds one live peering toward a network.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum AivenPeeringKey {
    Id(Uuid),
    Toward(UpcloudNetworkId),
}

impl AivenPeeringKey {
    pub(super) fn of(peering: &PeeringConnection) -> Option<AivenPeeringKey> {
        match peering.peering_connection_id {
            Some(id) => Some(AivenPeeringKey::Id(id)),
            None if peering.peer_cloud_account == "upcloud" => {
                peering.peer_vpc.parse().ok().map(AivenPeeringKey::Toward)
            }
            None => None,
        }
    }

    /// The peering this key names among a VPC's; toward a network, a live one before a dead one
    /// (a rejected or deleted-by-peer peering may stay listed beside its successor).
    fn find_in(self, peerings: &[PeeringConnection]) -> Option<&PeeringConnection> {
        let mut named = peerings.iter().filter(|p| self.matches(p));
        match self {
            AivenPeeringKey::Id(_) => named.next(),
            AivenPeeringKey::Toward(_) => {
                let all: Vec<&PeeringConnection> = named.collect();
                all.iter().find(|p| !p.state.is_dead()).or(all.first()).copied()
            }
        }
    }

    fn matches(self, peering: &PeeringConnection) -> bool {
        match self {
            AivenPeeringKey::Id(id) => peering.peering_connection_id == Some(id),
            AivenPeeringKey::Toward(network) => {
                peering.is_upcloud_peering_to(&network.to_string()) && peering.state != PeeringState::Deleted
            }
        }
    }
}

/// State stores the id, or `upcloud/NETWORK` when Aiven gave none.
impl std::fmt::Display for AivenPeeringKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            AivenPeeringKey::Id(id) => id.fmt(f),
            AivenPeeringKey::Toward(network) => write!(f, "upcloud/{network}"),
        }
    }
}

impl std::str::FromStr for AivenPeeringKey {
    type Err = uuid::Error;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("upcloud/") {
            Some(network) => network.parse().map(AivenPeeringKey::Toward),
            None => s.parse().map(AivenPeeringKey::Id),
        }
    }
}

/// Our peering in the VPC: by its key when known, else the live one toward `network`.
pub(super) fn find_half(
    vpc: &Vpc,
    network: UpcloudNetworkId,
    known: Option<AivenPeeringKey>,
) -> Option<PeeringConnection> {
    let by_key = known.and_then(|key| key.find_in(&vpc.peering_connections));
    by_key.or_else(|| AivenPeeringKey::Toward(network).find_in(&vpc.peering_connections)).cloned()
}

async fn get_vpc(client: &AivenClient, vref: &VpcRef) -> Result<Vpc, Error> {
    Ok(client.get_vpc(&vref.project, vref.vpc.0).await?)
}

/// Waits until the VPC is `ACTIVE` (a new VPC is `APPROVED` while Aiven builds it).
pub(super) async fn wait_vpc_active(
    ctx: &Ctx<'_>,
    client: &AivenClient,
    vref: &VpcRef,
    deadline: Deadline,
) -> Result<Vpc, Error> {
    let mut poller = Poller::new(deadline);
    loop {
        let vpc = get_vpc(client, vref).await?;
        match vpc.state {
            VpcState::Active => return Ok(vpc),
            VpcState::Deleting | VpcState::Deleted => {
                return Err(Error::failed(
                    "Aiven project VPC is being deleted",
                    format!("Project VPC {vref} is deleting."),
                ));
            }
            _ => poller.wait(ctx, || format!("Aiven project VPC {vref} to become ACTIVE")).await?,
        }
    }
}

/// The error for a peering that reached a dead state, in Aiven's words.
pub(super) fn failure(vref: &VpcRef, half: &PeeringConnection) -> Error {
    let mut detail =
        format!("The Aiven peering from VPC {vref} to UpCloud network {} is {}", half.peer_vpc, half.state.as_str());
    if let Some(message) = half.message() {
        detail.push_str(&format!(": {message}"));
    }
    for warning in half.warnings() {
        detail.push_str(&format!(" ({warning})"));
    }
    detail.push('.');
    Error::failed(format!("Aiven peering is {}", half.state.as_str()), detail)
}

/// The Aiven half: the peering connection of a project VPC toward an UpCloud network. It has no
/// GET of its own, no name and no tags; it is read from its VPC.
pub(super) struct AivenHalf<'c> {
    pub client: &'c AivenClient,
    pub vpc: VpcRef,
    pub network: UpcloudNetworkId,
}

#[async_trait]
impl Half for AivenHalf<'_> {
    type Remote = PeeringConnection;
    type Id = AivenPeeringKey;
    const NOUN: &'static str = "Aiven peering connection";

    fn id(object: &PeeringConnection) -> Option<AivenPeeringKey> {
        AivenPeeringKey::of(object)
    }

    fn native_state(object: &PeeringConnection) -> String {
        object.state.as_str().to_string()
    }

    fn phase(object: &PeeringConnection) -> Phase {
        phase_of(object.state)
    }

    fn stored_phase(native: &str) -> Option<Phase> {
        serde_json::from_value(serde_json::Value::String(native.to_string())).ok().map(phase_of)
    }

    fn name_and_tags(_: &PeeringConnection) -> Option<(String, BTreeMap<String, String>)> {
        None
    }

    fn describe(&self, object: &PeeringConnection) -> String {
        match object.peering_connection_id {
            Some(id) => format!("{id} of project VPC {} toward UpCloud network {}", self.vpc, self.network),
            None => format!("of project VPC {} toward UpCloud network {}", self.vpc, self.network),
        }
    }

    fn import_id(&self, _: &PeeringConnection) -> String {
        format!("aiven/{}/{}:upcloud/{}", self.vpc.project, self.vpc.vpc, self.network)
    }

    /// A VPC that is gone holds no half.
    async fn find(&self) -> Result<Option<PeeringConnection>, Error> {
        match self.client.get_vpc(&self.vpc.project, self.vpc.vpc.0).await {
            Ok(vpc) => Ok(find_half(&vpc, self.network, None)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    async fn get(&self, key: AivenPeeringKey) -> Result<Option<PeeringConnection>, Error> {
        let vpc = match self.client.get_vpc(&self.vpc.project, self.vpc.vpc.0).await {
            Ok(vpc) => vpc,
            Err(e) if e.is_not_found() => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        Ok(key.find_in(&vpc.peering_connections).cloned())
    }

    /// Aiven refuses (409) while the VPC is still being built; then it waits for the VPC.
    async fn create(&self, ctx: &Ctx<'_>, _: &Wanted, deadline: Deadline) -> Result<PeeringConnection, Error> {
        let vref = &self.vpc;
        match self.client.create_upcloud_peering(&vref.project, vref.vpc.0, &self.network.to_string()).await {
            Ok(created) => Ok(created),
            Err(e) if e.is_conflict() => {
                wait_vpc_active(ctx, self.client, vref, deadline).await?;
                Err(e.into())
            }
            Err(e) => Err(e.into()),
        }
    }

    fn may_exist_after(error: &Error) -> bool {
        matches!(error, Error::Cloud(e) if e.downcast_ref::<AivenError>().is_some_and(|e| e.outcome_unknown() || e.is_conflict()))
    }

    async fn align(&self, object: PeeringConnection, _: &Wanted) -> Result<PeeringConnection, Error> {
        Ok(object)
    }

    /// Deletes the half toward the network and waits until Aiven no longer lists it.
    async fn remove(&self, ctx: &Ctx<'_>, _: PeeringConnection, deadline: Deadline) -> Result<(), Error> {
        let vref = &self.vpc;
        match self.client.delete_upcloud_peering(&vref.project, vref.vpc.0, &self.network.to_string()).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        }
        let mut poller = Poller::new(deadline);
        loop {
            let vpc = match self.client.get_vpc(&vref.project, vref.vpc.0).await {
                Ok(vpc) => vpc,
                Err(e) if e.is_not_found() => return Ok(()),
                Err(e) => return Err(e.into()),
            };
            let network = self.network.to_string();
            let remaining = vpc
                .peering_connections
                .iter()
                .any(|p| p.is_upcloud_peering_to(&network) && p.state != PeeringState::Deleted);
            if !remaining {
                return Ok(());
            }
            poller.wait(ctx, || format!("the Aiven peering from {vref} to {network} to be deleted")).await?;
        }
    }

    async fn failure(&self, object: &PeeringConnection) -> Error {
        failure(&self.vpc, object)
    }
}

/// Aiven's peering states in the words every cloud shares.
pub(super) fn phase_of(state: PeeringState) -> Phase {
    match state {
        PeeringState::Approved | PeeringState::ApprovedPeerRequested | PeeringState::Unrecognised => {
            Phase::Provisioning
        }
        PeeringState::PendingPeer => Phase::WaitingForPeer,
        PeeringState::Active => Phase::Active,
        PeeringState::DeletedByPeer | PeeringState::RejectedByPeer | PeeringState::Deleting | PeeringState::Deleted => {
            Phase::Dead
        }
        PeeringState::InvalidSpecification | PeeringState::Error => Phase::Failed,
    }
}

/// Every project VPC in an UpCloud cloud, with its peerings, in `projects` (default: every
/// project the token lists): the projects' VPC lists, then the VPCs, each `at_once` at a time.
pub(super) async fn upcloud_vpcs(
    client: &AivenClient,
    projects: Option<&[String]>,
    at_once: usize,
) -> Result<Vec<(String, Vpc)>, Error> {
    use futures_util::StreamExt;
    let projects = match projects {
        Some(projects) => projects.to_vec(),
        None => client.list_projects().await?,
    };
    let listed: Vec<Result<(String, Vec<Vpc>), AivenError>> = reads_in_order(projects, at_once, |project| async move {
        client.list_vpcs(&project).await.map(|vpcs| (project, vpcs))
    })
    .collect()
    .await;
    let mut wanted = Vec::new();
    for found in listed {
        let (project, summaries) = found?;
        let in_upcloud = summaries.into_iter().filter(|s| aiven_cloud_zones(&s.cloud_name).is_some());
        wanted.extend(in_upcloud.map(|s| (project.clone(), s.project_vpc_id)));
    }
    let vpcs: Vec<Result<(String, Vpc), AivenError>> = reads_in_order(wanted, at_once, |(project, id)| async move {
        client.get_vpc(&project, id).await.map(|vpc| (project, vpc))
    })
    .collect()
    .await;
    Ok(vpcs.into_iter().collect::<Result<_, _>>()?)
}

/// The project VPC an UpCloud half peers with, among `vpcs`: the one with a peering toward the
/// half's network that names the half's peer as its Aiven network ID, or whose address range is
/// the peer's (Aiven stops naming it once ACTIVE). Two candidates would be a guess: none.
pub(super) fn vpc_behind_in(vpcs: &[(String, Vpc)], half: &NetworkPeering) -> Option<VpcRef> {
    let peer_ranges: Vec<peering_net::IpNet> = half
        .peer_network
        .ip_networks
        .as_ref()
        .map(|ips| ips.ip_network.iter().map(|a| a.address.trunc()).collect())
        .unwrap_or_default();
    let mut found: Vec<VpcRef> = vpcs
        .iter()
        .filter(|(_, vpc)| {
            find_half(vpc, half.network.uuid, None).is_some_and(|peering| {
                peering.aiven_network_id() == Some(half.peer_network.uuid.0)
                    || peer_ranges.contains(&vpc.network_cidr.trunc())
            })
        })
        .map(|(project, vpc)| VpcRef { project: project.clone(), vpc: AivenVpcId(vpc.project_vpc_id) })
        .collect();
    if found.len() == 1 { found.pop() } else { None }
}

/// [`vpc_behind_in`] every VPC the token can see.
pub(super) async fn vpc_behind(
    client: &AivenClient,
    half: &NetworkPeering,
    at_once: usize,
) -> Result<Option<VpcRef>, Error> {
    Ok(vpc_behind_in(&upcloud_vpcs(client, None, at_once).await?, half))
}

/// An Aiven half's state in the provider's status words.
pub(super) fn status_of(state: PeeringState) -> Status {
    match state {
        PeeringState::Active => Status::Active,
        PeeringState::Approved => Status::Provisioning,
        PeeringState::PendingPeer | PeeringState::ApprovedPeerRequested => Status::PendingPeer,
        PeeringState::Deleting | PeeringState::Deleted => Status::Disabled,
        _ => Status::Error,
    }
}
