//! Scaleway: VPCs, Private Networks, VPC connectors (peering) and routes (`/vpc/v2/regions/…`).

mod client;
pub mod profile;
pub mod wire;

pub use client::{CREDENTIAL_SETTINGS, ScalewayClient, ScalewayError};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.scaleway.com";
pub const DEFAULT_REGION: &str = "fr-par";

use std::collections::BTreeMap;

/// Tags as Scaleway stores them: strings, written `key=value` (a bare `key` for an empty value).
pub fn tag_strings(tags: &BTreeMap<String, String>) -> Vec<String> {
    tags.iter().map(|(k, v)| if v.is_empty() { k.clone() } else { format!("{k}={v}") }).collect()
}

/// Scaleway's tag strings as a map; a bare tag `critical` reads as `critical = ""`.
pub fn tag_map(tags: &[String]) -> BTreeMap<String, String> {
    tags.iter()
        .map(|t| t.split_once('=').map_or((t.clone(), String::new()), |(k, v)| (k.to_string(), v.to_string())))
        .collect()
}
