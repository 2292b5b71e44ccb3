//! UpCloud: SDN networks, routers and network peerings (`/1.3/…`).

mod client;
pub mod wire;

pub use client::{CREDENTIAL_SETTINGS, UpcloudClient, UpcloudError};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.upcloud.com";
