//! One half of a peering, whatever its cloud: the object made from one network toward the
//! other (an UpCloud network peering, a Scaleway VPC connector, an Aiven peering connection).
//! Each cloud implements [`Half`]; finding or creating, waiting and removing are written once
//! here, for every cloud.

use std::collections::BTreeMap;
use std::fmt::Display;
use std::str::FromStr;
use std::sync::Mutex;
use std::time::Duration;

use rand::Rng;

use async_trait::async_trait;

use super::model::{self, End};
use super::poll::{Deadline, Poller};
use crate::resources::ownership::{Foreign, Mark, Verdict};
use crate::resources::{Ctx, Error};
use tfplugin6::Attr;

/// How the configuration wants a half to look.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Wanted {
    pub name: String,
    /// The user's tags (the ownership marker travels beside them, in `mark`).
    pub tags: BTreeMap<String, String>,
    /// Carrying traffic (`enabled = true`), or paused where the cloud can pause a half.
    pub enabled: bool,
    /// The ownership marker to write where the cloud keeps tags ([`crate::resources::ownership`]).
    pub mark: Mark,
}

impl Wanted {
    /// The half from `end` of `state` as a create (`creating`) or an update of this instance
    /// writes it.
    pub(super) fn of(ctx: &Ctx<'_>, state: &model::Connection, end: End, creating: bool) -> Wanted {
        let token = ctx.owner_token();
        Wanted {
            name: state.half_name(end),
            tags: state.half_tags(end),
            enabled: state.is_enabled(),
            mark: if creating { Mark::Creating(token) } else { Mark::Owned(token) },
        }
    }

    /// The tags to write: the user's, with the marker.
    pub(super) fn cloud_tags(&self) -> BTreeMap<String, String> {
        self.mark.with(&self.tags)
    }
}

/// A half's state in the same words for every cloud.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Phase {
    /// The cloud is still building or changing it.
    Provisioning,
    /// Built, and waiting for the reverse half.
    WaitingForPeer,
    Active,
    /// Switched off (UpCloud `disabled`, `peer-disabled`): an update turns it back on.
    Disabled,
    /// Beyond repair in place (Aiven `DELETED_BY_PEER`): removed and made again.
    Dead,
    /// A state waiting cannot fix (overlapping ranges, a missing router): the cloud's words end
    /// the wait.
    Failed,
}

impl Phase {
    /// Whether an in-place update repairs a half in this phase.
    pub(super) fn needs_repair(self) -> bool {
        matches!(self, Phase::Disabled | Phase::Dead)
    }
}

/// Whether a half of `state` is in a state that an in-place update repairs, or missing (ours,
/// or the peer's when managed): `N` is the kind of half at `network`, `P` at `peer_network`.
pub(super) fn needs_repair<N: Half, P: Half>(state: &model::Connection) -> bool {
    // Each half says its state in its own cloud's words; a paused peering's disabled halves are
    // as asked, not broken.
    let repairable = |h: &Attr<model::HalfState>, phase: fn(&str) -> Option<Phase>| {
        state.is_enabled()
            && h.known().and_then(|h| h.state.known()).and_then(|native| phase(native)).is_some_and(Phase::needs_repair)
    };
    state.network_half.is_null()
        || repairable(&state.network_half, N::stored_phase)
        || (state.is_managed() && (state.peer_half.is_null() || repairable(&state.peer_half, P::stored_phase)))
}

/// One cloud's half from one network toward another: its client and both ends.
#[async_trait]
pub(super) trait Half: Send + Sync {
    /// The cloud's object.
    type Remote: Clone + Send + Sync;
    /// The cloud's id of the object, as state stores it.
    type Id: Copy + PartialEq + Display + FromStr + Send + Sync;
    /// What the object is called, e.g. `UpCloud network peering`.
    const NOUN: &'static str;

    fn id(object: &Self::Remote) -> Option<Self::Id>;
    /// The cloud's own word for the object's state, as state stores it.
    fn native_state(object: &Self::Remote) -> String;
    fn phase(object: &Self::Remote) -> Phase;
    /// The phase of a half from the word state stores for it ([`Half::native_state`]).
    fn stored_phase(native: &str) -> Option<Phase>;
    /// The name and the user's tags the object carries (`None` where the cloud has none).
    fn name_and_tags(object: &Self::Remote) -> Option<(String, BTreeMap<String, String>)>;
    /// The ownership marker the object carries; `None` where its cloud keeps no tags (its
    /// partner half decides for it).
    fn mark(_object: &Self::Remote) -> Option<Mark> {
        None
    }
    /// The object in words a user can look up: id, name, ends.
    fn describe(&self, object: &Self::Remote) -> String;
    /// The `terraform import` id that takes the peering over by this half.
    fn import_id(&self, object: &Self::Remote) -> String;

    /// The half from our network toward the other, if one exists.
    async fn find(&self) -> Result<Option<Self::Remote>, Error>;
    async fn get(&self, id: Self::Id) -> Result<Option<Self::Remote>, Error>;
    /// Creates the half. An error for which [`Half::may_exist_after`] holds may have taken
    /// effect: the caller looks again before another create.
    async fn create(&self, ctx: &Ctx<'_>, wanted: &Wanted, deadline: Deadline) -> Result<Self::Remote, Error>;
    fn may_exist_after(error: &Error) -> bool;
    /// Brings an existing half to the wanted name and tags, switched on.
    async fn align(&self, object: Self::Remote, wanted: &Wanted) -> Result<Self::Remote, Error>;
    /// Removes the half and waits until it is gone; gone already is done.
    async fn remove(&self, ctx: &Ctx<'_>, object: Self::Remote, deadline: Deadline) -> Result<(), Error>;
    /// Removes the half state knows by id. Reads it first, unless the cloud can start the
    /// removal from the id alone and save that read.
    async fn remove_known(&self, ctx: &Ctx<'_>, id: Self::Id, deadline: Deadline) -> Result<(), Error> {
        match self.get(id).await? {
            Some(object) => self.remove(ctx, object, deadline).await,
            None => Ok(()),
        }
    }
    /// The error for a half in a failed or dead phase, in the cloud's words.
    async fn failure(&self, object: &Self::Remote) -> Error;
}

/// How often a create whose answer was lost is looked for and tried again.
const CREATE_ATTEMPTS: usize = 6;

/// The half as the configuration wants it: the known one (by id) brought up to date, else an
/// existing one this instance may take by the ownership rule (and said once held), else a new
/// one. A create whose answer was lost, or that raced another, is followed by another look, so a
/// retry never makes a duplicate; a dead or failed half found is removed and made again.
pub(super) async fn ensure<H: Half>(
    ctx: &Ctx<'_>,
    half: &H,
    known: Option<H::Id>,
    wanted: &Wanted,
    deadline: Deadline,
) -> Result<H::Remote, Error> {
    ensure_looked(ctx, half, known, None, wanted, deadline).await
}

/// [`ensure`], with the first look already made (`looked`: what [`Half::find`] answered just
/// before), so that halves looked for together share one read.
pub(super) async fn ensure_looked<H: Half>(
    ctx: &Ctx<'_>,
    half: &H,
    known: Option<H::Id>,
    mut looked: Option<Option<H::Remote>>,
    wanted: &Wanted,
    deadline: Deadline,
) -> Result<H::Remote, Error> {
    if let Some(id) = known
        && let Some(object) = half.get(id).await?
        && H::phase(&object) != Phase::Dead
    {
        return half.align(object, wanted).await;
    }
    let mut last_error = None;
    // Until this create has written, a half found is someone's earlier work; after, another
    // run's (ours is known by its token).
    let mut first_look = true;
    for attempt in 0..CREATE_ATTEMPTS {
        let found = match looked.take() {
            Some(found) => found,
            None => half.find().await?,
        };
        if let Some(existing) = found {
            let verdict = judge(ctx, half, &existing, wanted, first_look)?;
            let failed_elsewhere = H::phase(&existing) == Phase::Failed && H::id(&existing) != known;
            if H::phase(&existing) == Phase::Dead || failed_elsewhere {
                // A dead half, or a failed one this instance did not make, is made again, not
                // adopted.
                half.remove(ctx, existing, deadline).await?;
                continue;
            }
            if verdict == Some(Verdict::Resume) {
                ctx.note_adopted(H::NOUN, &half.describe(&existing));
                // Its creator's other halves are this create's to take too; and should that
                // creator still run, it finds them re-marked and gives way (`finish`).
                if let Some(Mark::Creating(theirs)) = H::mark(&existing) {
                    ctx.note_resumed(theirs);
                }
            }
            return half.align(existing, wanted).await;
        }
        match half.create(ctx, wanted, deadline).await {
            Ok(created) => return Ok(created),
            Err(e) if H::may_exist_after(&e) || matches!(e, Error::Raced { .. }) => {
                tracing::debug!(error = %e, kind = H::NOUN, "create did not answer or raced; looking again");
                if matches!(e, Error::Raced { .. }) {
                    // Two runs that both gave way try again apart, not in step.
                    let pause = Duration::from_millis(50 << attempt.min(4)).mul_f64(rand::rng().random_range(0.5..1.5));
                    tokio::time::sleep(pause).await;
                }
                first_look = false;
                last_error = Some(e);
            }
            Err(e) => return Err(e),
        }
    }
    Err(last_error.unwrap_or_else(|| Error::failed(format!("{} create failed", H::NOUN), "no answer")))
}

/// Whether this instance may take a half found between its networks, by the ownership rule
/// ([`crate::resources::ownership`]): its own, an earlier unfinished create's with the planned
/// name and tags (`Resume`), or, at plan time, the replaced object's. Anything else is
/// Terraform's "already exists", with nothing written. `None`: the half's cloud keeps no marker
/// (Aiven), and its partner half decides.
pub(super) fn judge<H: Half>(
    ctx: &Ctx<'_>,
    half: &H,
    existing: &H::Remote,
    wanted: &Wanted,
    first_look: bool,
) -> Result<Option<Verdict>, Error> {
    let Some(mark) = H::mark(existing) else { return Ok(None) };
    let as_planned = H::name_and_tags(existing).is_none_or(|(name, tags)| name == wanted.name && tags == wanted.tags);
    match ctx.ownership().judge(&mark, first_look, as_planned) {
        Verdict::Foreign(why) => Err(already_exists(half, existing, why)),
        verdict => Ok(Some(verdict)),
    }
}

/// At plan time: a warning when `found` is a half a create of `wanted` may not take.
pub(super) fn foreign_warning<H: Half>(
    ctx: &Ctx<'_>,
    half: &H,
    found: Option<&H::Remote>,
    wanted: &Wanted,
) -> Option<tfplugin6::Diagnostic> {
    let found = found?;
    let error = judge(ctx, half, found, wanted, true).err()?;
    if let Some(Mark::Owned(token)) = H::mark(found) {
        ctx.note_found_owner(token);
    }
    Some(plan_warning(&error))
}

/// An "already exists" found at plan time, as the warning the plan shows: the create would
/// stop there, and Terraform keeps whatever it replaces.
fn plan_warning(error: &Error) -> tfplugin6::Diagnostic {
    let d = error.to_diagnostic();
    tfplugin6::Diagnostic::warning(
        d.summary,
        format!("{} The apply will stop at this resource, before writing anything.", d.detail),
    )
}

/// Terraform's "already exists" for a half found that is not this instance's.
pub(super) fn already_exists<H: Half>(half: &H, existing: &H::Remote, why: Foreign) -> Error {
    Error::AlreadyExists { kind: H::NOUN, object: half.describe(existing), import_id: half.import_id(existing), why }
}

/// Ends a create: each half it made or resumed is marked as this instance's finished work, so
/// that no other state takes it. A half another run finished meanwhile is that run's: this
/// create gives it up.
pub(super) async fn finish<H: Half>(half: &H, object: H::Remote, wanted: &Wanted) -> Result<H::Remote, Error> {
    let (Some(_), Mark::Creating(token)) = (H::mark(&object), &wanted.mark) else { return Ok(object) };
    // Read again just before the write: another run may have finished it meanwhile.
    let object = match H::id(&object) {
        Some(id) => half.get(id).await?.unwrap_or(object),
        None => object,
    };
    let Some(mark) = H::mark(&object) else { return Ok(object) };
    match mark {
        Mark::Owned(t) if &t == token => Ok(object),
        Mark::Creating(t) if &t == token => {
            half.align(object, &Wanted { mark: Mark::Owned(token.clone()), ..wanted.clone() }).await
        }
        _ => Err(already_exists(half, &object, Foreign::BeingCreated)),
    }
}

/// The half known by id, else the one found between its networks; `None` when there is none.
pub(super) async fn locate<H: Half>(half: &H, known: Option<H::Id>) -> Result<Option<H::Remote>, Error> {
    match known {
        Some(id) => half.get(id).await,
        None => half.find().await,
    }
}

/// Removes the half known by id, or else the one found between its networks, if any.
pub(super) async fn remove<H: Half>(
    ctx: &Ctx<'_>,
    half: &H,
    known: Option<H::Id>,
    deadline: Deadline,
) -> Result<(), Error> {
    match known {
        Some(id) => half.remove_known(ctx, id, deadline).await,
        None => match half.find().await? {
            Some(object) => half.remove(ctx, object, deadline).await,
            None => Ok(()),
        },
    }
}

/// A half being waited on, as the wait sees every cloud alike.
#[async_trait]
pub(super) trait Watch: Send + Sync {
    /// Reads the half again: its phase, or the error that ends the wait.
    async fn look(&self) -> Result<Phase, Error>;
    /// The phase of the half as last read.
    fn phase(&self) -> Phase;
    /// What the half is now, for a timeout's message.
    fn now(&self) -> String;
}

/// One half waited on, keeping the last object read.
pub(super) struct Watched<'h, H: Half> {
    half: &'h H,
    id: H::Id,
    last: Mutex<H::Remote>,
}

impl<'h, H: Half> Watched<'h, H> {
    pub(super) fn new(half: &'h H, object: H::Remote) -> Option<Watched<'h, H>> {
        Some(Watched { half, id: H::id(&object)?, last: Mutex::new(object) })
    }

    pub(super) fn last(&self) -> H::Remote {
        self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }
}

#[async_trait]
impl<H: Half> Watch for Watched<'_, H> {
    async fn look(&self) -> Result<Phase, Error> {
        let Some(object) = self.half.get(self.id).await? else {
            return Err(Error::failed(
                format!("{} disappeared", H::NOUN),
                format!("{} {} was deleted while waiting for it.", H::NOUN, self.id),
            ));
        };
        let phase = H::phase(&object);
        *self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner) = object.clone();
        if matches!(phase, Phase::Failed | Phase::Dead) {
            return Err(self.half.failure(&object).await);
        }
        Ok(phase)
    }

    fn phase(&self) -> Phase {
        H::phase(&self.last.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }

    fn now(&self) -> String {
        format!("{} {} is {}", H::NOUN, self.id, H::native_state(&self.last()))
    }
}

/// What a wait is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Goal {
    /// Every half active.
    Active,
    /// No half still provisioning (a pending peer is fine).
    Settled,
}

impl Goal {
    /// Whether a half in `phase` needs no more looking at.
    fn reached_by(self, phase: Phase) -> bool {
        match self {
            Goal::Active => phase == Phase::Active,
            Goal::Settled => matches!(phase, Phase::WaitingForPeer | Phase::Active | Phase::Disabled),
        }
    }
}

/// Reads the halves not yet at `goal`, all at once, until every one is, a failure, the deadline
/// or a stop. A half whose last answer (a create's, say) already reached it is not read again.
pub(super) async fn wait(ctx: &Ctx<'_>, halves: &[&dyn Watch], goal: Goal, deadline: Deadline) -> Result<(), Error> {
    let mut poller = Poller::new(deadline);
    let mut pending: Vec<&dyn Watch> = halves.iter().copied().filter(|h| !goal.reached_by(h.phase())).collect();
    while !pending.is_empty() {
        let looks = futures_util::future::join_all(pending.iter().map(|h| h.look())).await;
        let phases = looks.into_iter().collect::<Result<Vec<_>, _>>()?;
        pending =
            pending.into_iter().zip(phases).filter(|(_, phase)| !goal.reached_by(*phase)).map(|(h, _)| h).collect();
        if pending.is_empty() {
            break;
        }
        let awaited = match goal {
            Goal::Active => "the peering to become active",
            Goal::Settled => "the peering's halves to be built",
        };
        poller
            .wait(ctx, || format!("{awaited} (now: {})", halves.iter().map(|h| h.now()).collect::<Vec<_>>().join("; ")))
            .await?;
    }
    Ok(())
}

/// Records the half from `end` in `state` as its cloud has it (`None`: there is none): id,
/// state, and the name and tags it carries.
pub(super) fn record<H: Half>(state: &mut model::Connection, end: End, object: Option<&H::Remote>) {
    let planned = state.half(end).known().cloned().unwrap_or_default();
    *state.half_mut(end) = object
        .map(|o| model::HalfState {
            id: H::id(o).map(|id| id.to_string()).into(),
            state: Attr::Known(H::native_state(o)),
            ..planned
        })
        .into();
    state.read_half_labels(end, object.and_then(H::name_and_tags));
}
