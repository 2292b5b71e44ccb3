//! Scaleway: VPCs, Private Networks, VPC connectors (peering) and routes (`/vpc/v2/regions/…`).

mod client;
pub mod profile;
pub mod wire;

pub use client::{ScalewayClient, ScalewayError};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.scaleway.com";
pub const DEFAULT_REGION: &str = "fr-par";
