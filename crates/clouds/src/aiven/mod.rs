//! Aiven: project VPCs and their peering connections (`/v1/project/{project}/vpcs/…`).

mod client;
pub mod wire;

pub use client::{AivenClient, AivenError, CREDENTIAL_SETTINGS};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.aiven.io";

/// The environment variables the provider block's `aiven` settings default to.
pub mod env {
    pub const TOKEN: &str = "AIVEN_TOKEN";
    pub const API_URL: &str = "AIVEN_WEB_URL";
    /// Every one of them.
    pub const ALL: &[&str] = &[TOKEN, API_URL];
}

pub use peering_net::{AivenCloudZones, aiven_cloud_zones};
