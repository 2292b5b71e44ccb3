//! Cloud API clients: shared HTTP plumbing ([`http`]) and one typed client per cloud.

pub mod aiven;
pub mod http;
pub mod scaleway;
pub mod upcloud;

use std::fmt;

/// A credential. It prints as a placeholder everywhere, so it cannot leak through a log line,
/// an error or a `Debug` dump; only the HTTP layer reads it, to build the auth header.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct Secret(String);

impl Secret {
    pub fn new(value: impl Into<String>) -> Secret {
        Secret(value.into())
    }

    /// The raw value, for building an auth header and nothing else.
    pub fn expose(&self) -> &str {
        &self.0
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret(***)")
    }
}

impl fmt::Display for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}
