//! hclog-style JSON log lines on stderr, which Terraform re-logs under `provider.<binary>`.
//!
//! The level comes from `TF_LOG_PROVIDER`, else `TF_LOG` (as Terraform itself reads them);
//! unset means off. Credentials never reach a log: the clients hold them in
//! `clouds::Secret`, whose `Debug` and `Display` print a placeholder.

use std::io::Write;

use serde_json::{Map, Value as J};
use time::format_description::well_known::Rfc3339;
use tracing::field::{Field, Visit};
use tracing::{Event, Level, Subscriber};
use tracing_subscriber::Layer;
use tracing_subscriber::layer::Context;
use tracing_subscriber::prelude::*;

/// Reads the level Terraform would give the provider's logger.
pub fn level_from_env() -> Option<Level> {
    let raw = std::env::var("TF_LOG_PROVIDER").or_else(|_| std::env::var("TF_LOG")).ok()?;
    parse_level(&raw)
}

fn parse_level(raw: &str) -> Option<Level> {
    match raw.trim().to_ascii_uppercase().as_str() {
        "" | "OFF" => None,
        "ERROR" => Some(Level::ERROR),
        "WARN" => Some(Level::WARN),
        "INFO" => Some(Level::INFO),
        "DEBUG" => Some(Level::DEBUG),
        // TRACE, JSON and anything Terraform does not recognise all mean trace.
        _ => Some(Level::TRACE),
    }
}

/// Installs the JSON layer on stderr, at the level from the environment.
pub fn init(module: &'static str) {
    if let Some(level) = level_from_env() {
        let layer = HclogLayer { module, max_level: level };
        let _ = tracing_subscriber::registry().with(layer).try_init();
    }
}

struct HclogLayer {
    module: &'static str,
    max_level: Level,
}

impl<S: Subscriber> Layer<S> for HclogLayer {
    fn enabled(&self, metadata: &tracing::Metadata<'_>, _: Context<'_, S>) -> bool {
        // Libraries (HTTP/2 frames, TLS) speak only of warnings and errors: their debug output
        // is noise, and we cannot vouch that it never echoes a header.
        let ours = ["peering", "tfplugin6"].iter().any(|crate_name| metadata.target().starts_with(crate_name));
        *metadata.level() <= self.max_level && (ours || *metadata.level() <= Level::WARN)
    }

    fn on_event(&self, event: &Event<'_>, _: Context<'_, S>) {
        let mut fields = FieldsToJson(Map::new());
        event.record(&mut fields);
        let mut line = Map::new();
        line.insert("@level".into(), J::from(hclog_level(*event.metadata().level())));
        let message = fields.0.remove("message").unwrap_or(J::String(String::new()));
        let message = match message {
            J::String(s) => s,
            other => other.to_string(),
        };
        line.insert("@message".into(), J::String(message));
        line.insert("@module".into(), J::from(self.module));
        line.insert("@timestamp".into(), J::String(timestamp()));
        line.extend(fields.0);
        let mut text = J::Object(line).to_string();
        text.push('\n');
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }
}

fn hclog_level(level: Level) -> &'static str {
    match level {
        Level::ERROR => "error",
        Level::WARN => "warn",
        Level::INFO => "info",
        Level::DEBUG => "debug",
        Level::TRACE => "trace",
    }
}

/// hclog's layout: `2006-01-02T15:04:05.000000Z07:00`.
fn timestamp() -> String {
    let now = time::OffsetDateTime::now_utc();
    let micros = now.microsecond();
    let base = now.replace_nanosecond(0).unwrap_or(now).format(&Rfc3339).unwrap_or_default();
    // Rfc3339 without fraction ends in `Z`; insert exactly six digits before it.
    format!("{}.{micros:06}Z", base.trim_end_matches('Z'))
}

struct FieldsToJson(Map<String, J>);

impl Visit for FieldsToJson {
    fn record_debug(&mut self, field: &Field, value: &dyn std::fmt::Debug) {
        self.0.insert(field.name().to_string(), J::String(format!("{value:?}")));
    }

    fn record_str(&mut self, field: &Field, value: &str) {
        self.0.insert(field.name().to_string(), J::String(value.to_string()));
    }

    fn record_i64(&mut self, field: &Field, value: i64) {
        self.0.insert(field.name().to_string(), J::from(value));
    }

    fn record_u64(&mut self, field: &Field, value: u64) {
        self.0.insert(field.name().to_string(), J::from(value));
    }

    fn record_bool(&mut self, field: &Field, value: bool) {
        self.0.insert(field.name().to_string(), J::from(value));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_follow_terraform() {
        assert_eq!(parse_level("debug"), Some(Level::DEBUG));
        assert_eq!(parse_level("JSON"), Some(Level::TRACE));
        assert_eq!(parse_level("off"), None);
        assert_eq!(parse_level("bogus"), Some(Level::TRACE));
    }

    #[test]
    fn timestamp_has_hclog_layout() {
        let ts = timestamp();
        // 2026-11-23T08:55:01.123456Z
        assert_eq!(ts.len(), 27, "{ts}");
        assert_eq!(&ts[19..20], ".");
        assert!(ts.ends_with('Z'));
    }
}
