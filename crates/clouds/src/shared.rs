//! Reads that callers share: a read of a path already in flight is joined rather than sent
//! again, and (where the caller allows) a moment-old answer is reused. Refreshing ten routes on
//! one router, or both halves of a peering looking for themselves, costs one request.
//!
//! Writes never read stale: a write forgets every shared read it may change (by default all of
//! them), both when it begins and when it ends, so a read begun before or during a write is
//! never handed out after it. A read-before-write asks for [`Freshness::Joined`], which never
//! reuses an answer older than its own request.

use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use futures_util::future::{BoxFuture, Shared};

/// How old a shared answer may be.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Freshness {
    /// Only a read in flight right now is joined.
    Joined,
    /// An answer up to [`RECENT`] old is reused too: refreshes and plan-time checks.
    Recent,
}

/// How long a [`Freshness::Recent`] answer lasts. Long enough for a plan-time check and the
/// apply that follows in the same walk, short enough that a change made elsewhere shows up in
/// the next command.
pub const RECENT: Duration = Duration::from_secs(2);

type Read<V, E> = Shared<BoxFuture<'static, Result<V, E>>>;

struct Reads<V, E> {
    /// Tells a read in flight from a newer one of the same key.
    next_ticket: u64,
    in_flight: HashMap<String, (u64, Read<V, E>)>,
    answered: HashMap<String, (Instant, V)>,
}

/// Shared reads keyed by what was asked (a path and its query).
pub struct SharedReads<V, E> {
    reads: Arc<Mutex<Reads<V, E>>>,
}

impl<V, E> Clone for SharedReads<V, E> {
    fn clone(&self) -> Self {
        SharedReads { reads: self.reads.clone() }
    }
}

impl<V, E> Default for SharedReads<V, E> {
    fn default() -> Self {
        SharedReads {
            reads: Arc::new(Mutex::new(Reads { next_ticket: 0, in_flight: HashMap::new(), answered: HashMap::new() })),
        }
    }
}

impl<V: Clone + Send + Sync + 'static, E: Clone + Send + Sync + 'static> SharedReads<V, E> {
    fn lock(&self) -> std::sync::MutexGuard<'_, Reads<V, E>> {
        self.reads.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The answer to `key`: joined, reused or read now with `fetch`.
    pub async fn read<F>(&self, key: String, freshness: Freshness, fetch: F) -> Result<V, E>
    where
        F: FnOnce() -> BoxFuture<'static, Result<V, E>>,
    {
        let (ticket, read) = {
            let mut reads = self.lock();
            if freshness == Freshness::Recent
                && let Some((at, value)) = reads.answered.get(&key)
                && at.elapsed() < RECENT
            {
                return Ok(value.clone());
            }
            match reads.in_flight.get(&key) {
                Some((ticket, read)) => (*ticket, read.clone()),
                None => {
                    let ticket = reads.next_ticket;
                    reads.next_ticket += 1;
                    let read = fetch().shared();
                    reads.in_flight.insert(key.clone(), (ticket, read.clone()));
                    (ticket, read)
                }
            }
        };
        let result = read.await;
        let mut reads = self.lock();
        // Still ours: no write forgot it meanwhile, so its answer may be shared on.
        if reads.in_flight.get(&key).is_some_and(|(t, _)| *t == ticket) {
            reads.in_flight.remove(&key);
            if let Ok(value) = &result {
                // A long-lived provider (`--debug`) must not keep every answer it ever had.
                reads.answered.retain(|_, (at, _)| at.elapsed() < RECENT);
                reads.answered.insert(key, (Instant::now(), value.clone()));
            }
        }
        result
    }

    /// Runs a write that may change the reads whose keys `changes` holds for: none of them
    /// begun before the write ends is handed out after it.
    pub async fn write<T>(&self, changes: impl Fn(&str) -> bool, write: impl Future<Output = T>) -> T {
        self.forget(&changes);
        let result = write.await;
        self.forget(&changes);
        result
    }

    fn forget(&self, changes: &impl Fn(&str) -> bool) {
        let mut reads = self.lock();
        reads.in_flight.retain(|key, _| !changes(key));
        reads.answered.retain(|key, _| !changes(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    fn counting(count: &Arc<AtomicUsize>, value: u32) -> impl FnOnce() -> BoxFuture<'static, Result<u32, ()>> {
        let count = count.clone();
        move || {
            async move {
                count.fetch_add(1, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_millis(20)).await;
                Ok(value)
            }
            .boxed()
        }
    }

    #[tokio::test]
    async fn concurrent_reads_of_one_key_are_one_request() {
        let reads = SharedReads::<u32, ()>::default();
        let count = Arc::new(AtomicUsize::new(0));
        let (a, b) = tokio::join!(
            reads.read("k".into(), Freshness::Joined, counting(&count, 1)),
            reads.read("k".into(), Freshness::Joined, counting(&count, 2))
        );
        assert_eq!((a, b, count.load(Ordering::SeqCst)), (Ok(1), Ok(1), 1));
        // Joined never reuses a finished answer; Recent does.
        assert_eq!(reads.read("k".into(), Freshness::Joined, counting(&count, 3)).await, Ok(3));
        assert_eq!(reads.read("k".into(), Freshness::Recent, counting(&count, 4)).await, Ok(3));
        assert_eq!(count.load(Ordering::SeqCst), 2);
    }

    #[tokio::test]
    async fn a_write_makes_every_later_read_fresh() {
        let reads = SharedReads::<u32, ()>::default();
        let count = Arc::new(AtomicUsize::new(0));
        assert_eq!(reads.read("k".into(), Freshness::Recent, counting(&count, 1)).await, Ok(1));
        reads.write(|key| key == "other", async {}).await;
        assert_eq!(reads.read("k".into(), Freshness::Recent, counting(&count, 9)).await, Ok(1));
        reads.write(|_| true, async {}).await;
        assert_eq!(reads.read("k".into(), Freshness::Recent, counting(&count, 2)).await, Ok(2));
        // A read in flight while a write runs is not joined after it.
        let slow = reads.read("k2".into(), Freshness::Joined, counting(&count, 3));
        let later = async {
            tokio::time::sleep(Duration::from_millis(5)).await;
            reads.write(|_| true, async {}).await;
            reads.read("k2".into(), Freshness::Joined, counting(&count, 4)).await
        };
        let (first, second) = tokio::join!(slow, later);
        assert_eq!((first, second), (Ok(3), Ok(4)));
        assert_eq!(reads.read("k2".into(), Freshness::Recent, counting(&count, 5)).await, Ok(4));
        assert_eq!(count.load(Ordering::SeqCst), 4);
    }
}
