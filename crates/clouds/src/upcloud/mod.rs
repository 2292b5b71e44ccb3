//! UpCloud: SDN networks, routers and network peerings (`/1.3/…`).

mod client;
pub mod wire;

pub use client::{CREDENTIAL_SETTINGS, UpcloudClient, UpcloudError};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.upcloud.com";

/// The environment variables the provider block's `upcloud` settings default to.
pub mod env {
    pub const TOKEN: &str = "UPCLOUD_TOKEN";
    pub const USERNAME: &str = "UPCLOUD_USERNAME";
    pub const PASSWORD: &str = "UPCLOUD_PASSWORD";
    pub const API_URL: &str = "UPCLOUD_API_URL";
    /// Every one of them.
    pub const ALL: &[&str] = &[TOKEN, USERNAME, PASSWORD, API_URL];
}
