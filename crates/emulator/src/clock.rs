//! The emulator's clock, and times written as each cloud writes them.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

/// Milliseconds since the Unix epoch on the wall clock.
fn wall_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
}

/// How the emulator's time runs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ClockMode {
    /// With the wall clock, moved on by whatever [`Clock::advance`] added.
    #[default]
    Wall,
    /// Stopped at the wall time of the start: only [`Clock::advance`] moves it.
    Stopped,
}

/// The emulator's time, in milliseconds since the Unix epoch (object timers use it, so a dumped
/// world stays meaningful). Tests move it with [`Clock::advance`] instead of sleeping.
#[derive(Debug)]
pub struct Clock {
    mode: ClockMode,
    /// The stopped clock's start, in wall milliseconds.
    started_ms: u64,
    advanced_ms: AtomicU64,
}

impl Clock {
    pub fn new(mode: ClockMode) -> Clock {
        Clock { mode, started_ms: wall_ms(), advanced_ms: AtomicU64::new(0) }
    }

    pub fn now_ms(&self) -> u64 {
        let base = match self.mode {
            ClockMode::Wall => wall_ms(),
            ClockMode::Stopped => self.started_ms,
        };
        base + self.advanced_ms.load(Ordering::SeqCst)
    }

    /// Moves time on by `by` (whole milliseconds); the transitions that fall due happen at the
    /// next look at the world. Returns the new time.
    pub fn advance(&self, by: Duration) -> u64 {
        self.advanced_ms.fetch_add(u64::try_from(by.as_millis()).unwrap_or(u64::MAX / 2), Ordering::SeqCst);
        self.now_ms()
    }
}

/// RFC 3339 time as Aiven writes it.
pub fn timestamp(ms: u64) -> String {
    let t = time::OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000)
        .unwrap_or(time::OffsetDateTime::UNIX_EPOCH);
    t.replace_nanosecond(0).unwrap_or(t).format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// RFC 3339 time with microseconds, as Scaleway writes it (`2026-03-24T12:03:23.700558Z`).
pub fn timestamp_micros(ms: u64) -> String {
    let seconds = timestamp(ms);
    format!("{}.{:06}Z", seconds.trim_end_matches('Z'), (ms % 1000) * 1000)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stopped_clock_moves_only_when_advanced() {
        let clock = Clock::new(ClockMode::Stopped);
        let start = clock.now_ms();
        assert_eq!(clock.now_ms(), start);
        assert_eq!(clock.advance(Duration::from_millis(1500)), start + 1500);
        assert_eq!(clock.now_ms(), start + 1500);
    }

    #[test]
    fn the_wall_clock_is_moved_on_by_advance() {
        let clock = Clock::new(ClockMode::Wall);
        let before = wall_ms();
        clock.advance(Duration::from_secs(3600));
        assert!(clock.now_ms() >= before + 3_600_000);
    }
}
