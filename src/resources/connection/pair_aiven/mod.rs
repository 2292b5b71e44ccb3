//! Aiven ↔ UpCloud, as Aiven's UpCloud guide does it by hand: the Aiven half first; once it is
//! `PENDING_PEER`, the Aiven network ID it reports; then the UpCloud half toward that network;
//! both `active`.

mod check;

use async_trait::async_trait;

use super::aiven::{self, VpcRef};
use super::aiven::{AivenHalf, AivenPeeringKey};
use super::half::{self, Goal, Half, Phase, Wanted, Watch, Watched};
use super::model::{Connection, End, PeerSide, half_id};
use super::peering::Peering;
use super::poll::Deadline;
use super::status::Status;
use super::upcloud::{self, UpcloudHalf, cidrs_of};
use crate::resources::ownership::Mark;
use crate::resources::{Ctx, Error};
use peering_clouds::Clients;
use peering_clouds::CloudFailure as _;
use peering_clouds::aiven::{AivenClient, PeeringConnection, PeeringState as AivenState, Vpc};
use peering_clouds::upcloud::{NetworkPeering, PeeringState, UpcloudClient};
use peering_net::Cloud;
use peering_net::{UpcloudNetworkId, UpcloudPeeringId};
use tfplugin6::{Attr, AttrPath, Diagnostics};

/// An Aiven project VPC and an UpCloud network, in either orientation.
#[derive(Debug, Clone)]
pub(super) struct AivenUpcloud {
    pub vpc: VpcRef,
    pub network: UpcloudNetworkId,
    /// The Aiven VPC is `network` (ours), not `peer_network`.
    pub aiven_is_network: bool,
}

/// What is known of both halves at one moment.
#[derive(Debug, Default)]
struct Seen {
    vpc: Option<Vpc>,
    aiven: Option<PeeringConnection>,
    upcloud: Option<NetworkPeering>,
    aiven_network_id: Option<UpcloudNetworkId>,
}

impl AivenUpcloud {
    fn aiven_root(&self) -> &'static str {
        if self.aiven_is_network { "network" } else { "peer_network" }
    }

    fn upcloud_root(&self) -> &'static str {
        if self.aiven_is_network { "peer_network" } else { "network" }
    }

    /// Whether a half is broken or, when managed, missing (the Aiven half where the VPC is).
    pub(in crate::resources::connection) fn needs_repair(&self, state: &Connection) -> bool {
        if self.aiven_is_network {
            half::needs_repair::<AivenHalf<'_>, UpcloudHalf<'_>>(state)
        } else {
            half::needs_repair::<UpcloudHalf<'_>, AivenHalf<'_>>(state)
        }
    }

    fn manages_aiven(&self, state: &Connection) -> bool {
        state.is_managed() || self.aiven_is_network
    }

    fn manages_upcloud(&self, state: &Connection) -> bool {
        state.is_managed() || !self.aiven_is_network
    }

    fn aiven_client<'c>(&self, clients: &'c Clients) -> Result<&'c AivenClient, Error> {
        crate::resources::need(&clients.aiven, Cloud::Aiven, &AttrPath::root(self.aiven_root()))
    }

    fn upcloud_client<'c>(&self, clients: &'c Clients) -> Result<&'c UpcloudClient, Error> {
        crate::resources::need(&clients.upcloud, Cloud::Upcloud, &AttrPath::root(self.upcloud_root()))
    }

    fn aiven_end(&self) -> End {
        if self.aiven_is_network { End::Network } else { End::Peer }
    }

    fn upcloud_end(&self) -> End {
        if self.aiven_is_network { End::Peer } else { End::Network }
    }

    fn known_network_id(state: &Connection) -> Option<UpcloudNetworkId> {
        state.aiven_network_id.known()?.parse().ok()
    }

    /// Fills the computed attributes from what both clouds say.
    fn observe(&self, mut state: Connection, seen: &Seen) -> Connection {
        let mut statuses = Vec::new();
        let mut words = Vec::new();
        if self.manages_aiven(&state) {
            statuses.push(seen.aiven.as_ref().map_or(Status::PendingPeer, |p| super::aiven::status_of(p.state)));
            if let Some(p) = seen.aiven.as_ref().filter(|p| p.state != AivenState::Active) {
                let mut text = format!("Aiven reports {}", p.state.as_str());
                if let Some(m) = p.message() {
                    text.push_str(&format!(": {m}"));
                }
                text.extend(p.warnings().iter().map(|w| format!(" ({w})")));
                words.push(text);
            }
        }
        if self.manages_upcloud(&state) {
            statuses.push(seen.upcloud.as_ref().map_or(Status::PendingPeer, |p| super::upcloud::status_of(p.state)));
            match &seen.upcloud {
                Some(p) if p.state != PeeringState::Active => {
                    words.push(format!("UpCloud reports {}: {}", p.state.as_str(), p.state.explanation()));
                }
                None => words.push("The UpCloud half does not exist yet".to_string()),
                _ => {}
            }
        }
        let status = Status::combine(statuses);
        let message = if status == Status::Active {
            "Both halves are active; traffic flows between the networks.".to_string()
        } else {
            format!("{}.", words.join("; "))
        };
        state.status = Attr::Known(status);
        state.status_message = Attr::Known(message);
        // The network ID is kept once seen: Aiven stops reporting it after PENDING_PEER.
        if let Some(id) = seen.aiven_network_id {
            state.aiven_network_id = Attr::Known(id.to_string());
        } else if !matches!(state.aiven_network_id, Attr::Known(_)) {
            state.aiven_network_id = Attr::Null;
        }
        let aiven_cidrs = match (&seen.vpc, &seen.upcloud) {
            (Some(vpc), _) => vec![vpc.network_cidr.to_string()],
            (None, Some(up)) => cidrs_of(&up.peer_network),
            (None, None) => Vec::new(),
        };
        let upcloud_cidrs = seen.upcloud.as_ref().map(|up| cidrs_of(&up.network)).unwrap_or_default();
        let (network_cidrs, peer_cidrs) =
            if self.aiven_is_network { (aiven_cidrs, upcloud_cidrs) } else { (upcloud_cidrs, aiven_cidrs) };
        half::record::<AivenHalf>(&mut state, self.aiven_end(), seen.aiven.as_ref());
        half::record::<UpcloudHalf>(&mut state, self.upcloud_end(), seen.upcloud.as_ref());
        state.network_cidrs = Attr::Known(network_cidrs);
        state.peer_network_cidrs = Attr::Known(peer_cidrs);
        state
    }

    /// Brings both halves into being (or adopts them) and waits as configured.
    async fn converge(
        &self,
        ctx: &Ctx<'_>,
        state: &Connection,
        creating: bool,
        deadline: Deadline,
        routes_change: bool,
    ) -> (Seen, Result<(), Error>) {
        let mut seen = Seen { aiven_network_id: Self::known_network_id(state), ..Default::default() };
        // The UpCloud half's name and tags; the Aiven half carries none.
        let wanted = Wanted::of(ctx, state, self.upcloud_end(), creating);
        let result = self.converge_into(ctx, state, &wanted, deadline, routes_change, &mut seen).await;
        (seen, result)
    }

    /// Before a create writes: an Aiven half found between the networks has no marker, so its
    /// UpCloud partner decides whose it is. A partner another state holds makes the Aiven half
    /// theirs too ("already exists"); an unfinished partner, or none (the create stopped between
    /// the two halves), leaves it to resume. With an external UpCloud side the partner is the
    /// peer owner's and says nothing of the Aiven half.
    async fn judge_found_aiven_half(
        &self,
        ctx: &Ctx<'_>,
        state: &Connection,
        wanted: &Wanted,
        seen: &mut Seen,
    ) -> Result<(), Error> {
        let client = self.aiven_client(ctx.clients)?;
        let half = self.aiven_half(client);
        let Some(found) = half.find().await? else { return Ok(()) };
        if state.is_managed()
            && let Ok(upcloud) = self.upcloud_client(ctx.clients)
            && let Some((partner_half, partner)) =
                self.partner(upcloud, seen.vpc.clone(), Some(&found), seen.aiven_network_id).await?
            && let Err(Error::AlreadyExists { why, .. }) = half::judge(ctx, &partner_half, &partner, wanted, true)
        {
            return Err(half::already_exists(&half, &found, why));
        }
        // A dead or failed one is made again, not adopted (`half::ensure`).
        if !matches!(AivenHalf::phase(&found), Phase::Dead | Phase::Failed) {
            ctx.note_adopted(AivenHalf::NOUN, &half.describe(&found));
        }
        Ok(())
    }

    async fn converge_into(
        &self,
        ctx: &Ctx<'_>,
        state: &Connection,
        wanted: &Wanted,
        deadline: Deadline,
        routes_change: bool,
        seen: &mut Seen,
    ) -> Result<(), Error> {
        let clients = ctx.clients;
        if self.manages_aiven(state) {
            let client = self.aiven_client(clients)?;
            seen.vpc = Some(aiven::wait_vpc_active(ctx, client, &self.vpc, deadline).await?);
            let half = self.aiven_half(client);
            let known = half_id::<AivenPeeringKey>(state.half(self.aiven_end()));
            if known.is_none() && matches!(wanted.mark, Mark::Creating(_)) {
                self.judge_found_aiven_half(ctx, state, wanted, seen).await?;
            }
            seen.aiven = Some(half::ensure(ctx, &half, known, wanted, deadline).await?);
            let built = self.wait_built(ctx, &half, seen, deadline).await?;
            seen.aiven_network_id = built.aiven_network_id().map(UpcloudNetworkId).or(seen.aiven_network_id);
        } else if seen.aiven_network_id.is_none()
            && let Ok(client) = clients.aiven.as_ref()
        {
            // The owner's half: wait until Aiven has built it and names its network.
            let half = self.aiven_half(client);
            seen.aiven = half.find().await?;
            if seen.aiven.is_some() {
                let built = self.wait_built(ctx, &half, seen, deadline).await?;
                seen.aiven_network_id = built.aiven_network_id().map(UpcloudNetworkId);
            }
        }
        if seen.aiven_network_id.is_none() && self.manages_upcloud(state) {
            // Aiven stops reporting the network ID once the peering is ACTIVE (after a crash, say):
            // our UpCloud half toward the VPC's address range tells it.
            seen.aiven_network_id = self.network_id_from_upcloud_half(ctx, seen).await?;
        }
        let aiven_network = match seen.aiven_network_id {
            Some(id) => id,
            None if !self.manages_upcloud(state) => {
                self.wait(ctx, state, deadline, seen).await?;
                return Ok(());
            }
            None => {
                return Err(Error::failed(
                    "No Aiven network ID",
                    format!(
                        "Aiven did not report the Aiven network ID of the peering from {} to {}, and no UpCloud half \
                         toward the VPC's range exists. Set aiven_network_id to the ID shown in the Aiven console.",
                        self.vpc, self.network
                    ),
                ));
            }
        };
        if self.manages_upcloud(state) {
            let client = self.upcloud_client(clients)?;
            let half = UpcloudHalf { client, from: self.network, to: aiven_network };
            let known = half_id::<UpcloudPeeringId>(state.half(self.upcloud_end()));
            seen.upcloud = Some(half::ensure(ctx, &half, known, wanted, deadline).await?);
            let aiven_active = seen.aiven.as_ref().is_some_and(|p| p.state == AivenState::Active);
            if !aiven_active && let Ok(aiven) = clients.aiven.as_ref() {
                // Ask Aiven to look at the UpCloud side now rather than on its own schedule.
                let _ = aiven.refresh_peerings(&self.vpc.project, self.vpc.vpc.0).await;
            }
        }
        self.wait(ctx, state, deadline, seen).await?;
        if let Some(upcloud) = seen.upcloud.clone()
            && let Ok(client) = self.upcloud_client(clients)
        {
            let half = UpcloudHalf { client, from: self.network, to: aiven_network };
            seen.upcloud = Some(half::finish(&half, upcloud, wanted).await?);
        }
        self.warn_next_steps(ctx, state, seen, aiven_network, routes_change).await;
        Ok(())
    }

    /// The Aiven network ID as the peer of our UpCloud half toward the VPC's address range.
    async fn network_id_from_upcloud_half(
        &self,
        ctx: &Ctx<'_>,
        seen: &mut Seen,
    ) -> Result<Option<UpcloudNetworkId>, Error> {
        let Ok(upcloud) = ctx.clients.upcloud.as_ref() else { return Ok(None) };
        if seen.vpc.is_none()
            && let Ok(aiven) = ctx.clients.aiven.as_ref()
        {
            seen.vpc = Some(aiven.get_vpc(&self.vpc.project, self.vpc.vpc.0).await?);
        }
        Ok(self.find_upcloud_half(upcloud, seen).await?.map(|half| half.peer_network.uuid))
    }

    fn aiven_half<'c>(&self, client: &'c AivenClient) -> AivenHalf<'c> {
        AivenHalf { client, vpc: self.vpc.clone(), network: self.network }
    }

    /// Waits until Aiven has built its half (`PENDING_PEER`, or already `ACTIVE`); a dead state
    /// ends the wait at once with Aiven's explanation.
    async fn wait_built(
        &self,
        ctx: &Ctx<'_>,
        half: &AivenHalf<'_>,
        seen: &mut Seen,
        deadline: Deadline,
    ) -> Result<PeeringConnection, Error> {
        let Some(watched) = seen.aiven.clone().and_then(|p| Watched::new(half, p)) else {
            return Err(Error::failed("Aiven peering has no id", format!("The peering from {} has no id.", self.vpc)));
        };
        let result = half::wait(ctx, &[&watched], Goal::Settled, deadline).await;
        seen.aiven = Some(watched.last());
        result.map(|()| watched.last())
    }

    /// Waits on both halves we manage, at once, until the configured goal; a failure on either
    /// ends it.
    async fn wait(&self, ctx: &Ctx<'_>, state: &Connection, deadline: Deadline, seen: &mut Seen) -> Result<(), Error> {
        let goal = if state.is_managed() && state.waits_for_active() { Goal::Active } else { Goal::Settled };
        let aiven_half = self.aiven_client(ctx.clients).ok().map(|client| self.aiven_half(client));
        let watched_aiven = match (&aiven_half, &seen.aiven) {
            (Some(half), Some(object)) if self.manages_aiven(state) => Watched::new(half, object.clone()),
            _ => None,
        };
        let upcloud_half = match (self.upcloud_client(ctx.clients), &seen.upcloud) {
            (Ok(client), Some(object)) if self.manages_upcloud(state) => {
                Some(UpcloudHalf { client, from: object.network.uuid, to: object.peer_network.uuid })
            }
            _ => None,
        };
        let watched_upcloud = match (&upcloud_half, &seen.upcloud) {
            (Some(half), Some(object)) => Watched::new(half, object.clone()),
            _ => None,
        };
        let mut watches: Vec<&dyn Watch> = Vec::new();
        watches.extend(watched_aiven.as_ref().map(|w| w as &dyn Watch));
        watches.extend(watched_upcloud.as_ref().map(|w| w as &dyn Watch));
        let result = half::wait(ctx, &watches, goal, deadline).await;
        if let Some(w) = watched_aiven {
            seen.aiven = Some(w.last());
        }
        if let Some(w) = watched_upcloud {
            seen.upcloud = Some(w.last());
        }
        result
    }

    /// Tells the user what the other side must do, or that servers need new leases.
    async fn warn_next_steps(
        &self,
        ctx: &Ctx<'_>,
        state: &Connection,
        seen: &Seen,
        aiven_network: UpcloudNetworkId,
        routes_change: bool,
    ) {
        let mut aiven_pending = seen.aiven.as_ref().is_some_and(|p| p.state == AivenState::PendingPeer);
        let partner_owns_upcloud = !state.is_managed() && self.aiven_is_network;
        if partner_owns_upcloud
            && aiven_pending
            && let Ok(aiven) = self.aiven_client(ctx.clients)
            && let Ok(vpc) = aiven.refresh_peerings(&self.vpc.project, self.vpc.vpc.0).await
        {
            // The owner may have made the UpCloud half first: Aiven turns ACTIVE once it looks.
            aiven_pending = aiven::find_half(&vpc, self.network, None).is_none_or(|p| p.state != AivenState::Active);
            if !aiven_pending && routes_change {
                warn_partner_dhcp(ctx, self.network);
            }
        }
        if partner_owns_upcloud && aiven_pending {
            ctx.warn(
                "Peering waits for the UpCloud network's owner",
                format!(
                    "The Aiven half is PENDING_PEER. Aiven network ID: {aiven_network}. The owner of UpCloud network {network} \
                     must now create the UpCloud half: POST /1.3/network-peering with \
                     {{\"network_peering\": {{\"name\": \"…\", \"network\": {{\"uuid\": \"{network}\"}}, \"peer_network\": {{\"uuid\": \"{aiven_network}\"}}}}}} \
                     — or, with this provider: peering_connection with network = {{ upcloud = {{ network_id = \"{network}\" }} }}, \
                     peer_network = {{ aiven = {{ project = \"{project}\", vpc_id = \"{vpc}\" }} }}, peer_side = \"external\" and \
                     aiven_network_id = \"{aiven_network}\".",
                    network = self.network,
                    project = self.vpc.project,
                    vpc = self.vpc.vpc,
                ),
            );
        }
        let upcloud_pending = seen.upcloud.as_ref().is_some_and(|p| p.state == PeeringState::PendingPeer);
        if !state.is_managed() && !self.aiven_is_network && upcloud_pending {
            ctx.warn(
                "Peering waits for the Aiven VPC's owner",
                format!(
                    "The UpCloud half toward Aiven network {aiven_network} exists. The owner of Aiven project VPC {} must \
                     create the Aiven half: POST /v1/project/{}/vpcs/{}/peering-connections with \
                     {{\"peer_cloud_account\": \"upcloud\", \"peer_vpc\": \"{}\"}}.",
                    self.vpc, self.vpc.project, self.vpc.vpc, self.network
                ),
            );
        }
        // Traffic flows once both halves are active: an Aiven half still PENDING_PEER (an apply
        // that returns once the halves exist) says nothing yet; the refresh that sees it active
        // does (`Peering::became_active`).
        if routes_change
            && self.manages_upcloud(state)
            && seen.upcloud.as_ref().is_some_and(|p| p.state == PeeringState::Active)
            && seen.aiven.as_ref().is_none_or(|p| p.state == AivenState::Active)
            && let Ok(client) = self.upcloud_client(ctx.clients)
        {
            upcloud::warn_dhcp(ctx, client, &[self.network]).await;
        }
    }

    /// The UpCloud half that says whose an Aiven half (`found`) is: ours toward the Aiven network
    /// it names (else `network_id`, else the VPC's address range).
    async fn partner<'c>(
        &self,
        client: &'c UpcloudClient,
        vpc: Option<Vpc>,
        found: Option<&PeeringConnection>,
        network_id: Option<UpcloudNetworkId>,
    ) -> Result<Option<(UpcloudHalf<'c>, NetworkPeering)>, Error> {
        let aiven_network_id = found.and_then(PeeringConnection::aiven_network_id).map(UpcloudNetworkId).or(network_id);
        let probe = Seen { vpc, aiven_network_id, ..Default::default() };
        Ok(self
            .find_upcloud_half(client, &probe)
            .await?
            .map(|partner| (UpcloudHalf { client, from: self.network, to: partner.peer_network.uuid }, partner)))
    }

    /// Our UpCloud half toward the Aiven network: by the Aiven network ID when known, else the
    /// half from our network whose peer has exactly the VPC's address range (Aiven stops
    /// reporting the network ID once the peering is active).
    async fn find_upcloud_half(&self, client: &UpcloudClient, seen: &Seen) -> Result<Option<NetworkPeering>, Error> {
        if let Some(aiven_network) = seen.aiven_network_id {
            return UpcloudHalf { client, from: self.network, to: aiven_network }.find().await;
        }
        let Some(vpc) = &seen.vpc else { return Ok(None) };
        let cidr = vpc.network_cidr.trunc();
        let halves = client.list_peerings(Some(self.network), None).await?;
        Ok(halves.into_iter().find(|h| {
            h.peer_network
                .ip_networks
                .as_ref()
                .is_some_and(|ips| ips.ip_network.iter().any(|a| a.address.trunc() == cidr))
        }))
    }
}

/// The DHCP step for servers in an UpCloud network someone else owns (the peer of our Aiven
/// VPC): its owner must renew their leases, and only they can see which servers.
fn warn_partner_dhcp(ctx: &Ctx<'_>, network: UpcloudNetworkId) {
    ctx.warn(
        "The UpCloud network's owner must renew DHCP leases",
        format!(
            "The peering is active. Servers in UpCloud network {network} (its owner's) learn the route to the Aiven VPC \
             only from a new DHCP lease: its owner should run `dhclient -r IFACE && dhclient IFACE` for the private \
             interface on each server attached before the peering (or reboot them)."
        ),
    );
}

#[async_trait]
impl Peering for AivenUpcloud {
    async fn check(&self, ctx: &Ctx<'_>, planned: &Connection) -> Result<Diagnostics, Error> {
        self.check_networks(ctx.clients, planned).await
    }

    /// The UpCloud half judges for both (the Aiven half has no marker): an Aiven half alone is
    /// an unfinished create's, resumed.
    async fn look_for_others(&self, ctx: &Ctx<'_>, planned: &Connection) -> Result<Diagnostics, Error> {
        let mut diags = Diagnostics::default();
        if !self.manages_upcloud(planned) {
            return Ok(diags);
        }
        let wanted = Wanted::of(ctx, planned, self.upcloud_end(), true);
        let (Ok(upcloud), Ok(aiven)) = (self.upcloud_client(ctx.clients), self.aiven_client(ctx.clients)) else {
            return Ok(diags);
        };
        let vpc = match aiven.get_vpc_shared(&self.vpc.project, self.vpc.vpc.0).await {
            Ok(vpc) => vpc,
            Err(e) if e.is_not_found() => return Ok(diags),
            Err(e) => return Err(e.into()),
        };
        let found = aiven::find_half(&vpc, self.network, None);
        if let Some((half, partner)) = self.partner(upcloud, Some(vpc), found.as_ref(), None).await? {
            diags.extend(half::foreign_warning(ctx, &half, Some(&partner), &wanted).into_iter().collect());
        }
        Ok(diags)
    }

    async fn became_active(&self, ctx: &Ctx<'_>, state: &Connection) {
        if !self.manages_upcloud(state) {
            warn_partner_dhcp(ctx, self.network);
        } else if let Ok(client) = self.upcloud_client(ctx.clients) {
            upcloud::warn_dhcp(ctx, client, &[self.network]).await;
        }
    }

    /// The new state (`None` when nothing was created) and how the create went.
    async fn create(&self, ctx: &Ctx<'_>, state: Connection) -> (Option<Connection>, Result<(), Error>) {
        let (seen, result) = self.converge(ctx, &state, true, state.deadline(|t| &t.create, 20), true).await;
        // The UpCloud half decides whose an adopted Aiven half is (it has no name): another
        // configuration's peering leaves nothing of it in this state.
        if (seen.aiven.is_none() && seen.upcloud.is_none()) || matches!(result, Err(Error::AlreadyExists { .. })) {
            return (None, result);
        }
        (Some(self.observe(state, &seen)), result)
    }

    /// Renames and relabels the UpCloud half, and recreates a half that is gone or dead.
    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Connection,
        planned: Connection,
    ) -> (Option<Connection>, Result<(), Error>) {
        let deadline = planned.deadline(|t| &t.update, 20);
        let (seen, result) = self.converge(ctx, &planned, false, deadline, self.needs_repair(prior)).await;
        (Some(self.observe(planned, &seen)), result)
    }

    /// Removes the halves we manage, both at once.
    async fn delete(&self, ctx: &Ctx<'_>, prior: &Connection) -> Result<(), Error> {
        let deadline = prior.deadline(|t| &t.delete, 10);
        let upcloud = async {
            if !self.manages_upcloud(prior) {
                return Ok(());
            }
            let client = self.upcloud_client(ctx.clients)?;
            let known = half_id::<UpcloudPeeringId>(prior.half(self.upcloud_end()));
            match Self::known_network_id(prior) {
                Some(aiven_network) => {
                    let half = UpcloudHalf { client, from: self.network, to: aiven_network };
                    half::remove(ctx, &half, known, deadline).await
                }
                // Without the Aiven network ID the half can be found by its id only.
                None => match known {
                    Some(id) => match crate::resources::unless_gone(client.get_peering(id).await)? {
                        Some(object) => {
                            let half = UpcloudHalf { client, from: self.network, to: object.peer_network.uuid };
                            half.remove(ctx, object, deadline).await
                        }
                        None => Ok(()),
                    },
                    None => Ok(()),
                },
            }
        };
        let aiven = async {
            if !self.manages_aiven(prior) {
                return Ok(());
            }
            let half = self.aiven_half(self.aiven_client(ctx.clients)?);
            half::remove(ctx, &half, None, deadline).await
        };
        let (upcloud, aiven) = tokio::join!(upcloud, aiven);
        upcloud.and(aiven)
    }

    /// Refreshes; `None` only when no half we manage is left: a destroy cut short (a timeout,
    /// a stop) or a half deleted by hand leaves the other to the next destroy or apply.
    async fn read(&self, ctx: &Ctx<'_>, state: Connection) -> Result<Option<Connection>, Error> {
        let mut seen = Seen { aiven_network_id: Self::known_network_id(&state), ..Default::default() };
        if self.manages_aiven(&state) {
            let client = self.aiven_client(ctx.clients)?;
            let vpc = match client.get_vpc_shared(&self.vpc.project, self.vpc.vpc.0).await {
                Ok(vpc) => Some(vpc),
                Err(e) if e.is_not_found() => None,
                Err(e) => return Err(e.into()),
            };
            let known = half_id::<AivenPeeringKey>(state.half(self.aiven_end()));
            seen.aiven = vpc
                .as_ref()
                .and_then(|v| aiven::find_half(v, self.network, known))
                .filter(|p| p.state != AivenState::Deleted);
            seen.vpc = vpc;
            if let Some(id) = seen.aiven.as_ref().and_then(PeeringConnection::aiven_network_id) {
                seen.aiven_network_id = Some(UpcloudNetworkId(id));
            }
        }
        if self.manages_upcloud(&state) {
            let client = self.upcloud_client(ctx.clients)?;
            seen.upcloud = match half_id::<UpcloudPeeringId>(state.half(self.upcloud_end())) {
                Some(id) => crate::resources::unless_gone(client.get_peering(id).await)?,
                None => self.find_upcloud_half(client, &seen).await?,
            };
        }
        if seen.aiven.is_none() && seen.upcloud.is_none() {
            return Ok(None);
        }
        Ok(Some(self.observe(state, &seen)))
    }

    async fn import(&self, ctx: &Ctx<'_>, mut state: Connection) -> Result<Connection, Error> {
        let mut seen = Seen::default();
        if let Ok(client) = ctx.clients.aiven.as_ref() {
            let vpc = client.get_vpc(&self.vpc.project, self.vpc.vpc.0).await?;
            seen.aiven = aiven::find_half(&vpc, self.network, None)
                .filter(|p| !matches!(p.state, AivenState::Deleting | AivenState::Deleted));
            seen.aiven_network_id =
                seen.aiven.as_ref().and_then(PeeringConnection::aiven_network_id).map(UpcloudNetworkId);
            seen.vpc = Some(vpc);
        } else if self.aiven_is_network {
            return Err(self.aiven_client(ctx.clients).unwrap_err());
        }
        if let Ok(client) = ctx.clients.upcloud.as_ref()
            && (seen.aiven_network_id.is_some() || seen.vpc.is_some())
        {
            seen.upcloud = self.find_upcloud_half(client, &seen).await?;
            if seen.aiven_network_id.is_none() {
                seen.aiven_network_id = seen.upcloud.as_ref().map(|h| h.peer_network.uuid);
            }
        } else if !self.aiven_is_network {
            return Err(Error::invalid(
                "Cannot import",
                "Importing an UpCloud half toward an Aiven VPC needs both Aiven and UpCloud credentials, to find the Aiven network ID.",
                None,
            ));
        }
        let ours_exists = if self.aiven_is_network { seen.aiven.is_some() } else { seen.upcloud.is_some() };
        if !ours_exists {
            return Err(Error::invalid(
                "Nothing to import",
                format!("No peering between Aiven VPC {} and UpCloud network {} exists.", self.vpc, self.network),
                None,
            ));
        }
        // The UpCloud half's marker is this state's from now on.
        ctx.set_owner(seen.upcloud.as_ref().and_then(UpcloudHalf::mark).and_then(|m| m.owner()));
        let both = seen.aiven.is_some() && seen.upcloud.is_some();
        state.peer_side = Attr::Known(if both { PeerSide::Managed } else { PeerSide::External });
        if let Some((name, tags)) = seen.upcloud.as_ref().and_then(UpcloudHalf::name_and_tags) {
            state.name = Attr::Known(name);
            state.read_tags(tags);
        } else {
            // The Aiven half carries no name; the Aiven peering id stands in for it.
            let id = seen.aiven.as_ref().and_then(|p| p.peering_connection_id).map(|id| id.to_string());
            state.name = Attr::Known(id.unwrap_or_else(|| format!("aiven-{}-{}", self.vpc.vpc, self.network)));
        }
        Ok(self.observe(state, &seen))
    }
}
