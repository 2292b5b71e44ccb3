//! Aiven: project VPCs and their peering connections (`/v1/project/{project}/vpcs/…`).

mod client;
pub mod wire;

pub use client::{AivenClient, AivenError, CREDENTIAL_SETTINGS};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.aiven.io";

pub use peering_net::{AivenCloudZones, aiven_cloud_zones};
