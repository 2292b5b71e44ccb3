//! Cloud API clients: shared HTTP plumbing ([`http`]) and one typed client per cloud.

pub mod aiven;
pub mod http;
pub mod roots;
pub mod scaleway;
pub mod shared;
pub mod upcloud;

use std::fmt;

/// The configured provider's clients: one per cloud that has credentials, or why there is none.
#[derive(Debug, Clone)]
pub struct Clients {
    pub aiven: Result<aiven::AivenClient, Unavailable>,
    pub scaleway: Result<scaleway::ScalewayClient, Unavailable>,
    pub upcloud: Result<upcloud::UpcloudClient, Unavailable>,
}

impl Clients {
    /// Whether the provider has a usable client for `cloud`.
    pub fn configured(&self, cloud: crate::net::Cloud) -> bool {
        match cloud {
            crate::net::Cloud::Aiven => self.aiven.is_ok(),
            crate::net::Cloud::Upcloud => self.upcloud.is_ok(),
            crate::net::Cloud::Scaleway => self.scaleway.is_ok(),
        }
    }
}

/// Why a cloud's client could not be built; reported where a resource needs it.
#[derive(Debug, Clone)]
pub enum Unavailable {
    MissingCredentials,
    Invalid(String),
    /// The provider configuration still holds unknown values (first plan of a new dependency).
    NotYetKnown,
}

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
