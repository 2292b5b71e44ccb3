//! Cloud API clients: shared HTTP plumbing ([`http`]) and one typed client per cloud.

#![warn(unreachable_pub)]

pub mod aiven;

/// A read answered about another object than the one asked for is no answer about it: why not,
/// for the cloud's own decode error.
pub fn same_object<T: PartialEq + std::fmt::Display>(asked: T, answered: T) -> Result<(), String> {
    if asked == answered { Ok(()) } else { Err(format!("asked for {asked}, answered about {answered}")) }
}
pub mod http;
pub mod record;
pub mod roots;
pub mod scaleway;
pub mod shared;
pub mod upcloud;

use std::fmt;

/// Every environment variable a cloud's provider settings read: a run that must not inherit the
/// machine's clouds clears them all.
pub fn environment(cloud: peering_net::Cloud) -> &'static [&'static str] {
    match cloud {
        peering_net::Cloud::Aiven => aiven::env::ALL,
        peering_net::Cloud::Upcloud => upcloud::env::ALL,
        peering_net::Cloud::Scaleway => scaleway::env::ALL,
    }
}

/// The configured provider's clients: one per cloud that has credentials, or why there is none.
#[derive(Debug, Clone)]
pub struct Clients {
    pub aiven: Result<aiven::AivenClient, Unavailable>,
    pub scaleway: Result<scaleway::ScalewayClient, Unavailable>,
    pub upcloud: Result<upcloud::UpcloudClient, Unavailable>,
    /// How many objects a listing reads from the clouds at once (`max_parallel_reads`).
    pub parallel_reads: usize,
}

impl Clients {
    /// Why the provider has no client for `cloud`, or `None` when it has one.
    pub fn unavailable(&self, cloud: peering_net::Cloud) -> Option<&Unavailable> {
        match cloud {
            peering_net::Cloud::Aiven => self.aiven.as_ref().err(),
            peering_net::Cloud::Upcloud => self.upcloud.as_ref().err(),
            peering_net::Cloud::Scaleway => self.scaleway.as_ref().err(),
        }
    }

    /// The clients of one listing: a result's read takes what the listing has just read
    /// (UpCloud's peering list, Aiven's VPCs, each Scaleway region's connectors and Private
    /// Networks) instead of asking again.
    pub fn for_listing(&self) -> Clients {
        Clients {
            aiven: self.aiven.as_ref().map(aiven::AivenClient::reusing_recent_vpcs).map_err(Clone::clone),
            scaleway: self.scaleway.as_ref().map(scaleway::ScalewayClient::for_listing).map_err(Clone::clone),
            upcloud: self.upcloud.as_ref().map(upcloud::UpcloudClient::reusing_recent_lists).map_err(Clone::clone),
            parallel_reads: self.parallel_reads,
        }
    }

    /// The clients of a refresh: reads a moment old will do, so the refreshes of one walk share
    /// them (UpCloud's peering and router lists; Aiven's VPCs already are).
    pub fn for_refresh(&self) -> Clients {
        Clients {
            upcloud: self.upcloud.as_ref().map(upcloud::UpcloudClient::reusing_recent_lists).map_err(Clone::clone),
            ..self.clone()
        }
    }

    /// Whether the provider has a usable client for `cloud`.
    pub fn configured(&self, cloud: peering_net::Cloud) -> bool {
        self.unavailable(cloud).is_none()
    }
}

/// What any cloud's client error says about itself. Each cloud implements it beside its client
/// (`clouds::<cloud>::client`), so its words stay with it; the layers above see one type.
pub trait CloudFailure: std::error::Error + Send + Sync + 'static {
    fn cloud(&self) -> peering_net::Cloud;
    /// The object asked for does not exist.
    fn is_not_found(&self) -> bool;
    /// The object is not there for these credentials: not found, or (where the cloud says so
    /// about an object of another account) forbidden.
    fn is_not_visible(&self) -> bool {
        self.is_not_found()
    }
    /// The cloud failed, was busy or unreachable, rather than refusing the request.
    fn is_transient(&self) -> bool;
    /// The credentials were refused.
    fn is_auth_failure(&self) -> bool;
    /// A write may have taken effect although no answer came.
    fn outcome_unknown(&self) -> bool;
    /// What this cloud's credentials are called: "token", "secret key".
    fn credentials_noun(&self) -> &'static str;
    /// The settings and variables that hold this cloud's credentials, for a refusal.
    fn credentials_hint(&self) -> &'static str;
}

/// A cloud's error, tagged by its cloud.
#[derive(Debug)]
pub struct CloudError(Box<dyn CloudFailure>);

impl fmt::Display for CloudError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for CloudError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        self.0.source()
    }
}

impl CloudError {
    /// The cloud's own error type, for a caller that knows which cloud it asked.
    pub fn downcast_ref<E: CloudFailure>(&self) -> Option<&E> {
        (self.0.as_ref() as &dyn std::error::Error).downcast_ref::<E>()
    }
}

impl std::ops::Deref for CloudError {
    type Target = dyn CloudFailure;

    fn deref(&self) -> &Self::Target {
        self.0.as_ref()
    }
}

impl<E: CloudFailure> From<E> for CloudError {
    fn from(error: E) -> Self {
        CloudError(Box::new(error))
    }
}

/// The provider settings and environment variables that hold `cloud`'s credentials.
pub fn credential_settings(cloud: peering_net::Cloud) -> (&'static str, &'static str) {
    match cloud {
        peering_net::Cloud::Aiven => aiven::CREDENTIAL_SETTINGS,
        peering_net::Cloud::Upcloud => upcloud::CREDENTIAL_SETTINGS,
        peering_net::Cloud::Scaleway => scaleway::CREDENTIAL_SETTINGS,
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
