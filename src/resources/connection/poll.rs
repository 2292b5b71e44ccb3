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

pub(super) struct Poller {
    deadline: Deadline,
    delay: Duration,
}

impl Poller {
    pub(super) fn new(deadline: Deadline) -> Poller {
        Poller { deadline, delay: Duration::from_millis(100) }
    }

    /// Sleeps before the next look: short first, growing to 5 s, never past the deadline.
    /// `what` names what is awaited when the time is up.
    pub(super) async fn wait(&mut self, ctx: &Ctx<'_>, what: impl FnOnce() -> String) -> Result<(), Error> {
        let remaining = self.deadline.remaining();
        if remaining.is_zero() {
            return Err(self.deadline.timeout_error(what()));
        }
        tokio::select! {
            () = ctx.stop.cancelled() => return Err(Error::Cancelled),
            () = tokio::time::sleep(self.delay.min(remaining)) => {}
        }
        self.delay = (self.delay * 3 / 2).min(Duration::from_secs(5));
        Ok(())
    }
}
