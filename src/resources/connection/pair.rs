//! A symmetric peering: one half of the same kind from each network toward the other (UpCloud ↔
//! UpCloud, Scaleway ↔ Scaleway). Written once for every such cloud; a cloud says how to make its
//! half and what its networks look like through [`Symmetric`].

use std::fmt::Display;

use async_trait::async_trait;

use super::half::{self, Goal, Half, Phase, Wanted, Watch, Watched};
use super::model::{Connection, End, HalfState, PeerSide, half_id};
use super::peering::Peering;
use super::poll::Deadline;
use super::status::Status;
use crate::resources::ownership::{Mark, Verdict};
use crate::resources::{Ctx, Error};
use tfplugin6::{Attr, Diagnostics};

type Remote<C> = <<C as Symmetric>::Half as Half>::Remote;
type HalfId<C> = <<C as Symmetric>::Half as Half>::Id;

/// A cloud whose peerings are two halves of one kind.
#[async_trait]
pub(super) trait Symmetric: Send + Sync + Clone {
    type Network: Copy + PartialEq + Display + Send + Sync;
    type Half: Half;

    /// The half from `from` toward `to`.
    fn half(&self, from: Self::Network, to: Self::Network) -> Self::Half;
    /// The whole peering's status, as our half tells it.
    fn status(ours: &Remote<Self>) -> Status;
    /// Plan-time checks of the two networks; only reads.
    async fn check(&self, local: Self::Network, peer: Self::Network, managed: bool) -> Result<Diagnostics, Error>;
    /// The address ranges of both networks.
    async fn cidrs(
        &self,
        local: Self::Network,
        peer: Self::Network,
        ours: &Remote<Self>,
        theirs: Option<&Remote<Self>>,
    ) -> Result<(Vec<String>, Vec<String>), Error>;
    /// What the clouds say about the peering, in words.
    fn message(&self, ours: &Remote<Self>, theirs: Option<&Remote<Self>>, managed: bool) -> String;
    /// The warning for an external peer whose owner must now make the reverse half.
    fn owner_must_act(&self, ours: &Remote<Self>) -> Option<(String, String)>;
    /// Said once the peering carries traffic on new routes (UpCloud: renew DHCP leases).
    async fn after_active(&self, ctx: &Ctx<'_>, networks: &[Self::Network]);
}

/// The two networks of one cloud, ours first.
pub(super) struct SymmetricPair<C: Symmetric> {
    pub cloud: C,
    pub local: C::Network,
    pub peer: C::Network,
}

impl<C: Symmetric> SymmetricPair<C> {
    /// The same pair seen from the peer's network.
    fn swapped(&self) -> SymmetricPair<C> {
        SymmetricPair { cloud: self.cloud.clone(), local: self.peer, peer: self.local }
    }

    /// The networks whose halves this resource manages: both, or ours alone (external peer).
    fn networks(&self, managed: bool) -> Vec<C::Network> {
        if managed { vec![self.local, self.peer] } else { vec![self.local] }
    }

    fn ours(&self) -> C::Half {
        self.cloud.half(self.local, self.peer)
    }

    fn theirs(&self) -> C::Half {
        self.cloud.half(self.peer, self.local)
    }

    /// Fills every computed attribute from what the cloud says, keeping the configured ones.
    async fn observe(
        &self,
        mut state: Connection,
        ours: &Remote<C>,
        theirs: Option<&Remote<C>>,
    ) -> Result<Connection, Error> {
        state.status = Attr::Known(C::status(ours));
        state.status_message = Attr::Known(self.cloud.message(ours, theirs, state.is_managed()));
        half::record::<C::Half>(&mut state, End::Network, Some(ours));
        half::record::<C::Half>(&mut state, End::Peer, theirs);
        let (network_cidrs, peer_cidrs) = self.cloud.cidrs(self.local, self.peer, ours, theirs).await?;
        state.network_cidrs = Attr::Known(network_cidrs);
        state.peer_network_cidrs = Attr::Known(peer_cidrs);
        state.aiven_network_id = Attr::Null;
        Ok(state)
    }

    /// Brings both halves (ours only, for an external peer) to the configuration, at once;
    /// waits as configured; says what the user must do next.
    async fn converge(
        &self,
        ctx: &Ctx<'_>,
        prior: Option<&Connection>,
        state: Connection,
        deadline: Deadline,
        routes_change: bool,
    ) -> (Option<Connection>, Result<(), Error>) {
        let creating = prior.is_none();
        let (wanted_ours, wanted_theirs) =
            (Wanted::of(ctx, &state, End::Network, creating), Wanted::of(ctx, &state, End::Peer, creating));
        let managed = state.is_managed();
        let known = |half: fn(&Connection) -> &Attr<HalfState>| prior.and_then(|p| half_id::<HalfId<C>>(half(p)));
        let (ours_half, theirs_half) = (self.ours(), self.theirs());
        let new_pair = prior.is_none() && managed;
        // A new pair's halves are looked for together (one read), then made one after the other.
        let (looked_ours, looked_theirs) = if new_pair {
            let looked = match tokio::try_join!(ours_half.find(), theirs_half.find()) {
                Ok(found) => found,
                Err(e) => return (None, Err(e)),
            };
            let found = [(&ours_half, &looked.0, &wanted_ours), (&theirs_half, &looked.1, &wanted_theirs)];
            // A create killed between its two finishing writes left one half finished and one
            // not, both with its token: the unfinished one shows that create never ended, so the
            // finished one is resumed with it.
            for (half, found, wanted) in found {
                if let Some(object) = found
                    && let Ok(Some(Verdict::Resume)) = half::judge(ctx, half, object, wanted, true)
                    && let Some(Mark::Creating(token)) = C::Half::mark(object)
                {
                    ctx.note_resumed(token);
                }
            }
            // Another state's half, either one, stops the create before any write.
            let judged = found
                .into_iter()
                .filter_map(|(half, found, wanted)| {
                    found.as_ref().map(|object| half::judge(ctx, half, object, wanted, true))
                })
                .collect::<Result<Vec<_>, Error>>();
            if let Err(e) = judged {
                return (None, Err(e));
            }
            (Some(looked.0), Some(looked.1))
        } else {
            (None, None)
        };
        let ensure_ours =
            half::ensure_looked(ctx, &ours_half, known(|p| &p.network_half), looked_ours, &wanted_ours, deadline);
        let ensure_theirs = async {
            if managed {
                half::ensure_looked(ctx, &theirs_half, known(|p| &p.peer_half), looked_theirs, &wanted_theirs, deadline)
                    .await
                    .map(Some)
            } else {
                Ok(theirs_half.find().await.ok().flatten())
            }
        };
        let (ours, theirs) = if new_pair {
            // One half first, the same one in every run (from the lower network), so that two
            // runs making the same peering at once meet at that half and the ownership rule
            // settles it before the other half is touched.
            if self.local.to_string() <= self.peer.to_string() {
                let ours = ensure_ours.await;
                let theirs = if ours.is_ok() { ensure_theirs.await } else { Ok(None) };
                (ours, theirs)
            } else {
                match ensure_theirs.await {
                    Ok(theirs) => (ensure_ours.await, Ok(theirs)),
                    Err(e) => return (None, Err(e)),
                }
            }
        } else {
            tokio::join!(ensure_ours, ensure_theirs)
        };
        let (ours, theirs) = match (ours, theirs) {
            (Ok(ours), Ok(theirs)) => (ours, theirs),
            // A create that meets another's half (another run making the same peering at this
            // moment) records nothing: what it made or resumed still carries an unfinished
            // create's marker, for whichever apply finishes it.
            (Ok(_), Err(e)) | (Err(e), _) if prior.is_none() && matches!(e, Error::AlreadyExists { .. }) => {
                return (None, Err(e));
            }
            (Ok(ours), Err(e)) => return (self.observe(state, &ours, None).await.ok(), Err(e)),
            (Err(e), theirs) => {
                // Record the reverse half if it was made: the next apply adopts it.
                let mut partial = state;
                half::record::<C::Half>(&mut partial, End::Peer, theirs.ok().flatten().as_ref());
                return (Some(partial).filter(|p| !p.peer_half.is_null()), Err(e));
            }
        };
        let goal = if managed && state.waits_for_active() && state.is_enabled() { Goal::Active } else { Goal::Settled };
        let (ours, theirs, result) = {
            let watched_ours = Watched::new(&ours_half, ours.clone());
            let watched_theirs = theirs.clone().and_then(|t| Watched::new(&theirs_half, t));
            let mut watches: Vec<&dyn Watch> = Vec::new();
            watches.extend(watched_ours.as_ref().map(|w| w as &dyn Watch));
            watches.extend(watched_theirs.as_ref().map(|w| w as &dyn Watch));
            let result = half::wait(ctx, &watches, goal, deadline).await;
            (watched_ours.map_or(ours, |w| w.last()), watched_theirs.map(|w| w.last()).or(theirs), result)
        };
        // What the state will say is read before the create marks its halves finished: a read
        // that fails then leaves halves an unfinished create's marker, for the next apply.
        let observed = match self.observe(state, &ours, theirs.as_ref()).await {
            Ok(observed) => observed,
            Err(e) => return (None, Err(result.err().unwrap_or(e))),
        };
        // The create is done: its halves become this instance's finished work, one after the
        // other, so that a run killed between the two leaves one unfinished, which shows the next
        // create this one never ended (it then resumes both).
        let result = match result {
            Ok(()) => match half::finish(&ours_half, ours.clone(), &wanted_ours).await {
                Ok(_) => match theirs.clone().filter(|_| managed) {
                    Some(t) => half::finish(&theirs_half, t, &wanted_theirs).await.map(drop),
                    None => Ok(()),
                },
                Err(e) => Err(e),
            },
            failed => failed,
        };
        // Halves another run took over while this create made them are that run's, not ours.
        if prior.is_none() && matches!(result, Err(Error::AlreadyExists { .. })) {
            return (None, result);
        }
        if result.is_ok() {
            if !managed && let Some((summary, detail)) = self.cloud.owner_must_act(&ours) {
                ctx.warn(summary, detail);
            }
            if routes_change && C::Half::phase(&ours) == Phase::Active {
                self.cloud.after_active(ctx, &self.networks(managed)).await;
            }
        }
        (Some(observed), result)
    }
}

#[async_trait]
impl<C: Symmetric> Peering for SymmetricPair<C> {
    async fn check(&self, _: &Ctx<'_>, planned: &Connection) -> Result<Diagnostics, Error> {
        self.cloud.check(self.local, self.peer, planned.is_managed()).await
    }

    async fn look_for_others(&self, ctx: &Ctx<'_>, planned: &Connection) -> Result<Diagnostics, Error> {
        let (ours_half, theirs_half) = (self.ours(), self.theirs());
        let (ours, theirs) = tokio::try_join!(ours_half.find(), async {
            if planned.is_managed() { theirs_half.find().await } else { Ok(None) }
        })?;
        let mut diags = Diagnostics::default();
        let warnings = [
            half::foreign_warning(ctx, &ours_half, ours.as_ref(), &Wanted::of(ctx, planned, End::Network, true)),
            half::foreign_warning(ctx, &theirs_half, theirs.as_ref(), &Wanted::of(ctx, planned, End::Peer, true)),
        ];
        for warning in warnings.into_iter().flatten() {
            diags.push(warning);
        }
        Ok(diags)
    }

    async fn became_active(&self, ctx: &Ctx<'_>, state: &Connection) {
        self.cloud.after_active(ctx, &self.networks(state.is_managed())).await;
    }

    /// The new state (`None` when nothing was made) and how the create went.
    async fn create(&self, ctx: &Ctx<'_>, state: Connection) -> (Option<Connection>, Result<(), Error>) {
        let deadline = state.deadline(|t| &t.create, 20);
        self.converge(ctx, None, state, deadline, true).await
    }

    /// Renames, retags, re-enables, and remakes a missing half; `None` keeps the prior state.
    async fn update(
        &self,
        ctx: &Ctx<'_>,
        prior: &Connection,
        planned: Connection,
    ) -> (Option<Connection>, Result<(), Error>) {
        let deadline = planned.deadline(|t| &t.update, 20);
        // Routes come back with a repaired half, or when a paused peering resumes.
        let routes_change =
            half::needs_repair::<C::Half, C::Half>(prior) || (!prior.is_enabled() && planned.is_enabled());
        self.converge(ctx, Some(prior), planned, deadline, routes_change).await
    }

    /// Removes our half, and the peer's when it is ours too, both at once.
    async fn delete(&self, ctx: &Ctx<'_>, prior: &Connection) -> Result<(), Error> {
        let deadline = prior.deadline(|t| &t.delete, 10);
        let (ours_half, theirs_half) = (self.ours(), self.theirs());
        let (ours, theirs) =
            tokio::join!(half::remove(ctx, &ours_half, half_id(&prior.network_half), deadline), async {
                if prior.is_managed() {
                    half::remove(ctx, &theirs_half, half_id(&prior.peer_half), deadline).await
                } else {
                    Ok(())
                }
            });
        ours.and(theirs)
    }

    /// Refreshes; `None` when no half it manages is left.
    async fn read(&self, _: &Ctx<'_>, state: Connection) -> Result<Option<Connection>, Error> {
        let (ours_half, theirs_half) = (self.ours(), self.theirs());
        let peer_known = half_id(&state.peer_half).filter(|_| state.is_managed());
        let (ours, theirs) = tokio::try_join!(
            half::locate(&ours_half, half_id(&state.network_half)),
            half::locate(&theirs_half, peer_known)
        )?;
        match (ours, theirs) {
            (Some(ours), theirs) => Ok(Some(self.observe(state, &ours, theirs.as_ref()).await?)),
            // Present while any half it manages is: a destroy cut short finishes with the next
            // one, and an apply remakes our half. An external peer's half is not ours to keep.
            (None, Some(theirs)) if state.is_managed() => {
                let mut state = self.swapped().observe(state.swapped(), &theirs, None).await?.swapped();
                state.network_half = Attr::Null;
                Ok(Some(state))
            }
            (None, _) => Ok(None),
        }
    }

    /// Takes over the halves that exist: both (managed), or ours alone (external).
    async fn import(&self, ctx: &Ctx<'_>, mut state: Connection) -> Result<Connection, Error> {
        let (ours_half, theirs_half) = (self.ours(), self.theirs());
        let (ours, theirs) = tokio::try_join!(ours_half.find(), theirs_half.find())?;
        let ours = ours.ok_or_else(|| {
            Error::invalid(
                "Nothing to import",
                format!("No {} from {} toward {} exists.", <C::Half as Half>::NOUN, self.local, self.peer),
                None,
            )
        })?;
        state.peer_side = Attr::Known(if theirs.is_some() { PeerSide::Managed } else { PeerSide::External });
        state.enabled = Attr::Known(C::Half::phase(&ours) != Phase::Disabled);
        // The marker they carry is this state's from now on: a create elsewhere meets it.
        ctx.set_owner(C::Half::mark(&ours).and_then(|m| m.owner()));
        // The peering is called as our half is; a reverse half named otherwise keeps its name.
        if let Some((name, tags)) = C::Half::name_and_tags(&ours) {
            state.name = Attr::Known(name);
            state.read_tags(tags);
        }
        self.observe(state, &ours, theirs.as_ref()).await
    }
}
