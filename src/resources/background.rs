//! Cloud writes that outlive the call that started them (an UpCloud route's finishing marker,
//! written once Terraform has the route in state): the process waits for them, a bounded
//! while, before it exits.

use std::future::Future;
use std::sync::OnceLock;
use std::time::Duration;

use tokio_util::task::TaskTracker;

fn tracker() -> &'static TaskTracker {
    static TRACKER: OnceLock<TaskTracker> = OnceLock::new();
    TRACKER.get_or_init(TaskTracker::new)
}

/// Runs `work` on its own; [`drain`] waits for it.
pub fn spawn<F>(work: F)
where
    F: Future<Output = ()> + Send + 'static,
{
    tracker().spawn(work);
}

/// Waits up to `limit` for the work still running; whether it all ended.
pub async fn drain(limit: Duration) -> bool {
    let tracker = tracker();
    tracker.close();
    tokio::time::timeout(limit, tracker.wait()).await.is_ok()
}
