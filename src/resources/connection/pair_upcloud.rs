//! UpCloud ↔ UpCloud: one `network-peering` object from each network toward the other.

use crate::clouds::upcloud::{NetworkPeering, PeeringState, UpcloudClient};
use crate::net::{NetworkId, PeeringId};
use crate::resources::{Ctx, Error};
use crate::tf::{Attr, Diagnostics};

use super::model::*;
use super::poll::Deadline;
use super::status::Status;
use super::upcloud::{self, cidrs_of, half_of, wanted_labels};

/// The two networks, ours first.
#[derive(Debug, Clone, Copy)]
pub struct Pair {
    pub local: NetworkId,
    pub peer: NetworkId,
}

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

/// Fills every computed attribute from what UpCloud says, keeping the configured ones.
fn observe(mut state: Connection, ours: &NetworkPeering, theirs: Option<&NetworkPeering>) -> Connection {
    let (status, message) = summarize(ours, theirs, state.is_managed());
    upcloud::read_name_and_tags(&mut state, ours);
    state.status = Attr::Known(status.as_str().to_string());
    state.status_message = Attr::Known(message);
    state.network_half = half_of(Some(ours));
    state.peer_half = half_of(theirs);
    state.network_cidrs = Attr::Known(cidrs_of(&ours.network));
    let peer_cidrs = theirs.map(|t| cidrs_of(&t.network)).unwrap_or_else(|| cidrs_of(&ours.peer_network));
    state.peer_network_cidrs = Attr::Known(peer_cidrs);
    state.aiven_network_id = Attr::Null;
    state
}

impl Pair {
    pub async fn check(&self, client: &UpcloudClient, managed: bool) -> Result<Diagnostics, Error> {
        upcloud::check_pair(client, self.local, self.peer, managed).await
    }

    /// Waits as the configuration asks, then warns about what the user must do next.
    #[allow(clippy::too_many_arguments)]
    async fn settle(
        &self,
        ctx: &mut Ctx<'_>,
        client: &UpcloudClient,
        state: &Connection,
        ours: NetworkPeering,
        theirs: Option<NetworkPeering>,
        deadline: Deadline,
        routes_change: bool,
    ) -> (Connection, Result<(), Error>) {
        let managed = state.is_managed();
        let goal = if managed && state.waits_for_active() { upcloud::Goal::Active } else { upcloud::Goal::Settled };
        let ids: Vec<PeeringId> = std::iter::once(ours.uuid).chain(theirs.as_ref().map(|t| t.uuid)).collect();
        let (ours, theirs) = match upcloud::wait_for(ctx, client, &ids, goal, deadline).await {
            Ok(mut halves) => {
                let theirs = (halves.len() > 1).then(|| halves.remove(1));
                (halves.remove(0), theirs)
            }
            Err(e) => return (observe(state.clone(), &ours, theirs.as_ref()), Err(e)),
        };
        if !managed && ours.state == PeeringState::PendingPeer {
            ctx.warn(
                "Peering waits for the peer network's owner",
                format!(
                    "Our half {} exists. The owner of network {peer} must now create the reverse peering: \
                     POST /1.3/network-peering with network.uuid = {peer} and peer_network.uuid = {local} (or a \
                     peering_connection with network = {{ upcloud = {{ network_id = \"{peer}\" }} }} and peer_network = \
                     {{ upcloud = {{ network_id = \"{local}\" }} }}).",
                    ours.uuid,
                    peer = self.peer,
                    local = self.local,
                ),
            );
        }
        // Servers learn new routes only from a new lease: say so when routes appeared.
        if routes_change && ours.state == PeeringState::Active {
            let networks: Vec<NetworkId> = if managed { vec![self.local, self.peer] } else { vec![self.local] };
            upcloud::warn_dhcp(ctx, client, &networks).await;
        }
        (observe(state.clone(), &ours, theirs.as_ref()), Ok(()))
    }

    /// The new state (`None` when nothing was created) and how the create went.
    pub async fn create(
        &self,
        ctx: &mut Ctx<'_>,
        client: &UpcloudClient,
        state: Connection,
    ) -> (Option<Connection>, Result<(), Error>) {
        let name = state.wanted_name();
        let labels = wanted_labels(&state);
        let ours = match upcloud::ensure_half(ctx, client, self.local, self.peer, &name, &labels).await {
            Ok(ours) => ours,
            Err(e) => return (None, Err(e)),
        };
        let theirs = if state.is_managed() {
            match upcloud::ensure_half(ctx, client, self.peer, self.local, &name, &labels).await {
                Ok(t) => Some(t),
                Err(e) => return (Some(observe(state, &ours, None)), Err(e)),
            }
        } else {
            upcloud::find_half(client, self.peer, self.local).await.ok().flatten()
        };
        let deadline = state.deadline(|t| &t.create, 20);
        let (state, result) = self.settle(ctx, client, &state, ours, theirs, deadline, true).await;
        (Some(state), result)
    }

    /// Renames, relabels, re-enables, and recreates a missing half.
    pub async fn update(
        &self,
        ctx: &mut Ctx<'_>,
        client: &UpcloudClient,
        prior: &Connection,
        planned: Connection,
    ) -> Result<(Connection, Result<(), Error>), Error> {
        let name = planned.wanted_name();
        let labels = wanted_labels(&planned);
        let ours = self.refresh_half(ctx, client, &prior.network_half, self.local, self.peer, &name, &labels).await?;
        let theirs = if planned.is_managed() {
            Some(self.refresh_half(ctx, client, &prior.peer_half, self.peer, self.local, &name, &labels).await?)
        } else {
            upcloud::find_half(client, self.peer, self.local).await?
        };
        let deadline = planned.deadline(|t| &t.update, 20);
        Ok(self.settle(ctx, client, &planned, ours, theirs, deadline, prior.needs_repair()).await)
    }

    /// The known half brought up to date, or a new one when it is gone.
    #[allow(clippy::too_many_arguments)]
    async fn refresh_half(
        &self,
        ctx: &Ctx<'_>,
        client: &UpcloudClient,
        known: &Attr<Half>,
        from: NetworkId,
        to: NetworkId,
        name: &str,
        labels: &[crate::clouds::upcloud::Label],
    ) -> Result<NetworkPeering, Error> {
        let existing = match half_id::<PeeringId>(known) {
            Some(id) => upcloud::get_half(client, id).await?,
            None => None,
        };
        match existing {
            Some(half) => upcloud::align_half(client, half, name, labels).await,
            None => upcloud::ensure_half(ctx, client, from, to, name, labels).await,
        }
    }

    pub async fn delete(&self, ctx: &mut Ctx<'_>, client: &UpcloudClient, prior: &Connection) -> Result<(), Error> {
        let deadline = prior.deadline(|t| &t.delete, 10);
        let mut halves = vec![(half_id::<PeeringId>(&prior.network_half), self.local, self.peer)];
        if prior.is_managed() {
            halves.push((half_id::<PeeringId>(&prior.peer_half), self.peer, self.local));
        }
        for (known, from, to) in halves {
            upcloud::delete_half_of(ctx, client, known, from, to, deadline).await?;
        }
        Ok(())
    }

    pub async fn read(&self, client: &UpcloudClient, state: Connection) -> Result<Option<Connection>, Error> {
        let ours = match half_id::<PeeringId>(&state.network_half) {
            Some(h) => upcloud::get_half(client, h).await?,
            None => upcloud::find_half(client, self.local, self.peer).await?,
        };
        let Some(ours) = ours else { return Ok(None) };
        let theirs = match half_id::<PeeringId>(&state.peer_half) {
            Some(h) if state.is_managed() => upcloud::get_half(client, h).await?,
            _ => upcloud::find_half(client, self.peer, self.local).await?,
        };
        Ok(Some(observe(state, &ours, theirs.as_ref())))
    }

    pub async fn import(&self, client: &UpcloudClient, state: Connection) -> Result<Connection, Error> {
        let ours = upcloud::find_half(client, self.local, self.peer).await?.ok_or_else(|| {
            Error::invalid(
                "Nothing to import",
                format!("No UpCloud peering from network {} toward {} exists.", self.local, self.peer),
                None,
            )
        })?;
        let theirs = upcloud::find_half(client, self.peer, self.local).await?;
        let mut state = state;
        state.peer_side = Attr::Known(if theirs.is_some() { PEER_SIDE_MANAGED } else { PEER_SIDE_EXTERNAL }.into());
        Ok(observe(state, &ours, theirs.as_ref()))
    }
}
