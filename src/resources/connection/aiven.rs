//! Aiven halves: plan-time checks, create-or-adopt, waiting and teardown. An Aiven peering has
//! no GET of its own; it is found in its VPC by peering id, else by the UpCloud network it
//! points at.

use std::sync::Arc;

use uuid::Uuid;

use super::poll::{Deadline, Poller};
use crate::clouds::aiven::{AivenClient, PeeringConnection, PeeringState, Vpc, VpcState, upcloud_zone};
use crate::clouds::upcloud::NetworkPeering;
use crate::net::NetworkId;
use crate::resources::{Ctx, Error};
use crate::tf::{AttrPath, Diagnostic};

/// A project VPC.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VpcRef {
    pub project: String,
    pub vpc: Uuid,
}

impl std::fmt::Display for VpcRef {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} in project {}", self.vpc, self.project)
    }
}

pub fn vpc_id_path(root: &str) -> AttrPath {
    AttrPath::root(root).attr("aiven").attr("vpc_id")
}

/// The VPC for a plan-time check: a diagnostic when it cannot take part in an UpCloud peering.
pub async fn vpc_for_check(
    client: &AivenClient,
    vref: &VpcRef,
    root: &str,
) -> Result<Result<Arc<Vpc>, Diagnostic>, Error> {
    let vpc = match client.get_vpc_shared(&vref.project, vref.vpc).await {
        Ok(vpc) => vpc,
        Err(e) if e.is_auth_failure() => return Err(e.into()),
        Err(e) if e.is_not_found() => {
            return Ok(Err(Diagnostic::error(
                "Aiven project VPC not found",
                format!("No project VPC {vref} is visible: {e}."),
            )
            .at(vpc_id_path(root))));
        }
        Err(crate::clouds::aiven::AivenError::Api { status: 403, message }) => {
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
    if upcloud_zone(&vpc.cloud_name).is_none() {
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

/// Our peering in the VPC: by its id when known, else the live one toward `network`.
pub fn find_half(vpc: &Vpc, network: NetworkId, known: Option<Uuid>) -> Option<PeeringConnection> {
    let by_id = known.and_then(|id| vpc.peering_connections.iter().find(|p| p.peering_connection_id == Some(id)));
    by_id
        .or_else(|| {
            let network = network.to_string();
            vpc.peering_connections
                .iter()
                .find(|p| p.is_upcloud_peering_to(&network) && p.state != PeeringState::Deleted)
        })
        .cloned()
}

async fn get_vpc(client: &AivenClient, vref: &VpcRef) -> Result<Vpc, Error> {
    Ok(client.get_vpc(&vref.project, vref.vpc).await?)
}

/// Waits until the VPC is `ACTIVE` (a new VPC is `APPROVED` while Aiven builds it).
pub async fn wait_vpc_active(
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
pub fn failure(vref: &VpcRef, half: &PeeringConnection) -> Error {
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

/// Finds the live Aiven half toward `network`, creating it only when there is none. A dead one
/// (e.g. `DELETED_BY_PEER`) is deleted first; a create whose answer was lost is looked for again.
pub async fn ensure_half(
    ctx: &Ctx<'_>,
    client: &AivenClient,
    vref: &VpcRef,
    network: NetworkId,
    deadline: Deadline,
) -> Result<PeeringConnection, Error> {
    const ATTEMPTS: usize = 6;
    let mut last_error = None;
    for attempt in 0..ATTEMPTS {
        let vpc = get_vpc(client, vref).await?;
        if let Some(existing) = find_half(&vpc, network, None) {
            if !existing.state.is_dead() {
                if attempt == 0 {
                    let id = existing.peering_connection_id.map(|id| id.to_string()).unwrap_or_default();
                    ctx.warn_adopted(
                        "Aiven peering connection",
                        &format!("{id} of project VPC {vref} toward UpCloud network {network}"),
                    );
                }
                return Ok(existing);
            }
            delete_half(ctx, client, vref, network, deadline).await?;
            continue;
        }
        match client.create_upcloud_peering(&vref.project, vref.vpc, &network.to_string()).await {
            Ok(created) => return Ok(created),
            Err(e) if e.outcome_unknown() || e.is_conflict() => {
                tracing::debug!(error = %e, "Aiven peering create did not answer or conflicted; looking again");
                if e.is_conflict() && vpc.state != VpcState::Active {
                    wait_vpc_active(ctx, client, vref, deadline).await?;
                }
                last_error = Some(e);
            }
            Err(e) => return Err(e.into()),
        }
    }
    Err(last_error.map(Error::from).unwrap_or_else(|| Error::failed("Aiven peering create failed", "no answer")))
}

/// Polls the half until Aiven has built its side (`PENDING_PEER`, or already `ACTIVE`); a dead
/// state ends the wait at once with Aiven's explanation.
pub async fn wait_built(
    ctx: &Ctx<'_>,
    client: &AivenClient,
    vref: &VpcRef,
    network: NetworkId,
    known: Option<Uuid>,
    deadline: Deadline,
) -> Result<PeeringConnection, Error> {
    let mut poller = Poller::new(deadline);
    loop {
        let vpc = get_vpc(client, vref).await?;
        let Some(half) = find_half(&vpc, network, known) else {
            return Err(Error::failed(
                "Aiven peering disappeared",
                format!("The peering from {vref} to {network} is gone."),
            ));
        };
        if half.state.is_dead() {
            return Err(failure(vref, &half));
        }
        if matches!(half.state, PeeringState::PendingPeer | PeeringState::Active) {
            return Ok(half);
        }
        poller
            .wait(ctx, || format!("the Aiven peering from {vref} to {network} (now {})", half.state.as_str()))
            .await?;
    }
}

/// Deletes the half toward `network` and waits until Aiven no longer lists it. Gone is done.
pub async fn delete_half(
    ctx: &Ctx<'_>,
    client: &AivenClient,
    vref: &VpcRef,
    network: NetworkId,
    deadline: Deadline,
) -> Result<(), Error> {
    match client.delete_upcloud_peering(&vref.project, vref.vpc, &network.to_string()).await {
        Ok(_) => {}
        Err(e) if e.is_not_found() => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let mut poller = Poller::new(deadline);
    loop {
        let vpc = match client.get_vpc(&vref.project, vref.vpc).await {
            Ok(vpc) => vpc,
            Err(e) if e.is_not_found() => return Ok(()),
            Err(e) => return Err(e.into()),
        };
        let network_text = network.to_string();
        let remaining = vpc
            .peering_connections
            .iter()
            .find(|p| p.is_upcloud_peering_to(&network_text) && p.state != PeeringState::Deleted);
        if remaining.is_none() {
            return Ok(());
        }
        poller.wait(ctx, || format!("the Aiven peering from {vref} to {network} to be deleted")).await?;
    }
}

/// The project VPC an UpCloud half peers with, found among every VPC the token can see: the
/// one with a peering toward the half's network that names the half's peer as its Aiven
/// network ID, or whose address range is the peer's (Aiven stops naming it once ACTIVE).
pub async fn vpc_behind(client: &AivenClient, half: &NetworkPeering) -> Result<Option<VpcRef>, Error> {
    let peer_ranges: Vec<crate::net::IpNet> = half
        .peer_network
        .ip_networks
        .as_ref()
        .map(|ips| ips.ip_network.iter().map(|a| a.address.trunc()).collect())
        .unwrap_or_default();
    let mut found = Vec::new();
    for project in client.list_projects().await? {
        for summary in client.list_vpcs(&project).await? {
            if upcloud_zone(&summary.cloud_name).is_none() {
                continue;
            }
            let same_range = peer_ranges.contains(&summary.network_cidr.trunc());
            let vpc = client.get_vpc(&project, summary.project_vpc_id).await?;
            let Some(peering) = find_half(&vpc, half.network.uuid, None) else { continue };
            let names_peer = peering.aiven_network_id() == Some(half.peer_network.uuid.0);
            if names_peer || same_range {
                found.push(VpcRef { project: project.clone(), vpc: vpc.project_vpc_id });
            }
        }
    }
    // Two candidates would be a guess: let the user import by id instead.
    Ok(if found.len() == 1 { found.pop() } else { None })
}
