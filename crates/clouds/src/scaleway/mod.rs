//! Scaleway: VPCs, Private Networks, VPC connectors (peering) and routes (`/vpc/v2/regions/…`).

mod client;
pub mod profile;
pub mod wire;

pub use client::{CREDENTIAL_SETTINGS, ScalewayClient, ScalewayError};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.scaleway.com";
pub const DEFAULT_REGION: &str = "fr-par";

/// The environment variables the provider block's `scaleway` settings default to, as
/// Scaleway's own tools read them, and where its CLI configuration file is.
pub mod env {
    pub const ACCESS_KEY: &str = "SCW_ACCESS_KEY";
    pub const SECRET_KEY: &str = "SCW_SECRET_KEY";
    pub const PROJECT_ID: &str = "SCW_DEFAULT_PROJECT_ID";
    pub const REGION: &str = "SCW_DEFAULT_REGION";
    pub const PROFILE: &str = "SCW_PROFILE";
    pub const API_URL: &str = "SCW_API_URL";
    pub const CONFIG_PATH: &str = "SCW_CONFIG_PATH";
    /// Every one of them.
    pub const ALL: &[&str] = &[ACCESS_KEY, SECRET_KEY, PROJECT_ID, REGION, PROFILE, API_URL, CONFIG_PATH];
}

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
