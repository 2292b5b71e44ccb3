//! Polling with capped backoff, bounded by one deadline per operation and by `StopProvider`.

use std::time::{Duration, Instant};

use crate::resources::{Ctx, Error};

/// When an operation must be done: the whole create (or update, or delete) shares one, so
/// every phase of it waits within the `timeouts` the user set, not each phase anew.
#[derive(Debug, Clone, Copy)]
pub struct Deadline {
    at: Instant,
    limit: Duration,
}

impl Deadline {
    pub fn after(limit: Duration) -> Deadline {
        Deadline { at: Instant::now() + limit, limit }
    }

    pub fn remaining(&self) -> Duration {
        self.at.saturating_duration_since(Instant::now())
    }

    pub fn timeout_error(&self, what: String) -> Error {
        Error::Timeout { what, after: self.limit }
    }
}

/// The shortest and longest pause between two looks.
const FIRST_PAUSE: Duration = Duration::from_millis(100);
const LONGEST_PAUSE: Duration = Duration::from_secs(5);
/// Each pause is this fraction of the time waited so far.
const PACE_DIVISOR: u32 = 8;

/// Paces the looks at something the cloud is changing. A pause is an eighth of the time waited
/// so far (within 100 ms..5 s), so a change that takes the cloud `t` is seen at most `t/8`
/// late: ≤ 0.125 s for UpCloud's second-long transitions, while a minutes-long Aiven wait
/// settles at one look every 5 s. (The 1.5× curve from 100 ms it replaces saw a 1 s change
/// 0.32 s late; see docs/guides/benchmarks.md.)
pub(super) struct Poller {
    deadline: Deadline,
    started: Instant,
}

impl Poller {
    pub(super) fn new(deadline: Deadline) -> Poller {
        Poller { deadline, started: Instant::now() }
    }

    /// The pause after waiting `waited`.
    fn pause(waited: Duration) -> Duration {
        (waited / PACE_DIVISOR).clamp(FIRST_PAUSE, LONGEST_PAUSE)
    }

    /// Sleeps before the next look, never past the deadline. `what` names what is awaited when
    /// the time is up.
    pub(super) async fn wait(&mut self, ctx: &Ctx<'_>, what: impl FnOnce() -> String) -> Result<(), Error> {
        let remaining = self.deadline.remaining();
        if remaining.is_zero() {
            return Err(self.deadline.timeout_error(what()));
        }
        let pause = Self::pause(self.started.elapsed());
        tokio::select! {
            () = ctx.stop.cancelled() => return Err(Error::Cancelled),
            () = tokio::time::sleep(pause.min(remaining)) => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pauses_keep_pace_with_the_time_waited() {
        assert_eq!(Poller::pause(Duration::ZERO), FIRST_PAUSE);
        assert_eq!(Poller::pause(Duration::from_millis(799)), FIRST_PAUSE);
        assert_eq!(Poller::pause(Duration::from_secs(2)), Duration::from_millis(250));
        assert_eq!(Poller::pause(Duration::from_secs(600)), LONGEST_PAUSE);
        // A change after 1 s is seen by 1.125 s; the looks in that second number about ten.
        let (mut at, mut looks) = (Duration::ZERO, 0);
        while at < Duration::from_secs(1) {
            at += Poller::pause(at);
            looks += 1;
        }
        assert!(at <= Duration::from_millis(1125), "{at:?}");
        assert_eq!(looks, 10);
    }
}
