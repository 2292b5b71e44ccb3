//! The emulator's clock, and times written as each cloud writes them.

/// Milliseconds since the Unix epoch; object timers use it so a dumped world stays meaningful.
pub fn now_ms() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis() as u64).unwrap_or(0)
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
