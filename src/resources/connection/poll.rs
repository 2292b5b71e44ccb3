//! Polling with capped backoff, bounded by a timeout and by `StopProvider`.

use std::time::{Duration, Instant};

use crate::resources::{Ctx, Error};

pub struct Poller {
    started: Instant,
    delay: Duration,
    timeout: Duration,
}

impl Poller {
    pub fn new(timeout: Duration) -> Poller {
        Poller { started: Instant::now(), delay: Duration::from_millis(100), timeout }
    }

    /// Sleeps before the next look: short first, growing to 5 s. `what` names what is awaited
    /// when the time is up.
    pub async fn wait(&mut self, ctx: &Ctx<'_>, what: impl FnOnce() -> String) -> Result<(), Error> {
        if self.started.elapsed() >= self.timeout {
            return Err(Error::Timeout { what: what(), after: self.timeout });
        }
        tokio::select! {
            () = ctx.stop.cancelled() => return Err(Error::Cancelled),
            () = tokio::time::sleep(self.delay) => {}
        }
        self.delay = (self.delay * 3 / 2).min(Duration::from_secs(5));
        Ok(())
    }
}
