//! Managed resources. Each one splits its work the way terraform-plugin-framework does:
//! schema, validate, plan, apply (create / update / delete), read and import.

pub mod connection;
pub mod custom_route;
mod error;

use std::time::Duration;

use async_trait::async_trait;
use tokio_util::sync::CancellationToken;

pub use error::{Error, unless_gone};

use crate::provider::config::Clients;
use crate::tf::schema::IdentitySchema;
use crate::tf::{AttrPath, Diagnostics, Schema, Value};

/// What every operation gets: the configured clients and the cancellation of `StopProvider`.
pub struct Ctx<'a> {
    pub clients: &'a Clients,
    pub stop: CancellationToken,
    /// Warnings gathered along the way (errors travel as `Err`).
    pub warnings: Diagnostics,
}

impl Ctx<'_> {
    pub fn warn(&mut self, summary: impl Into<String>, detail: impl Into<String>) {
        self.warnings.push(crate::tf::Diagnostic::warning(summary, detail));
    }
}

/// A planned change as the resource decided it.
pub struct Planned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// The result of an apply: the state to store, which survives a failure so nothing is lost.
pub struct Applied {
    pub state: Value,
    pub result: Result<(), Error>,
}

/// How an import names its object.
pub enum ImportTarget {
    Id(String),
    Identity(Value),
}

#[async_trait]
pub trait Resource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    fn identity_schema(&self) -> &IdentitySchema;

    /// Static checks on a configuration that may hold unknowns.
    fn validate(&self, config: &Value) -> Diagnostics;

    /// Plans a create or update (prior may be null); destroys never reach here.
    async fn plan(&self, ctx: &mut Ctx<'_>, prior: &Value, proposed: &Value, config: &Value) -> Result<Planned, Error>;

    async fn create(&self, ctx: &mut Ctx<'_>, planned: &Value) -> Applied;
    async fn update(&self, ctx: &mut Ctx<'_>, prior: &Value, planned: &Value) -> Applied;
    async fn delete(&self, ctx: &mut Ctx<'_>, prior: &Value) -> Result<(), Error>;

    /// Refreshes state; `None` when the object is gone.
    async fn read(&self, ctx: &mut Ctx<'_>, state: &Value) -> Result<Option<Value>, Error>;

    async fn import(&self, ctx: &mut Ctx<'_>, target: ImportTarget) -> Result<Value, Error>;

    /// The identity of a stored object.
    fn identity(&self, state: &Value) -> Option<Value>;

    /// The smallest configuration that describes a stored object.
    fn generate_config(&self, state: &Value) -> Value;
}

/// Parses a Go-style duration: `45s`, `20m`, `1h30m`, `500ms`.
pub fn parse_duration(text: &str) -> Result<Duration, String> {
    let invalid = || format!("{text:?} is not a duration such as \"30s\", \"20m\" or \"1h30m\".");
    let mut rest = text.trim();
    if rest.is_empty() {
        return Err(invalid());
    }
    let mut total = Duration::ZERO;
    while !rest.is_empty() {
        let digits = rest.find(|c: char| !(c.is_ascii_digit() || c == '.')).ok_or_else(invalid)?;
        let (number, tail) = rest.split_at(digits);
        let number: f64 = number.parse().map_err(|_| invalid())?;
        let unit_len = tail.find(|c: char| c.is_ascii_digit()).unwrap_or(tail.len());
        let (unit, tail) = tail.split_at(unit_len);
        let seconds = match unit {
            "ms" => number / 1000.0,
            "s" => number,
            "m" => number * 60.0,
            "h" => number * 3600.0,
            _ => return Err(invalid()),
        };
        total += Duration::from_secs_f64(seconds);
        rest = tail;
    }
    Ok(total)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("20m"), Ok(Duration::from_secs(1200)));
        assert_eq!(parse_duration("1h30m"), Ok(Duration::from_secs(5400)));
        assert_eq!(parse_duration("500ms"), Ok(Duration::from_millis(500)));
        assert_eq!(parse_duration("1.5s"), Ok(Duration::from_millis(1500)));
        assert!(parse_duration("20").is_err());
        assert!(parse_duration("abc").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("5d").is_err());
    }
}
