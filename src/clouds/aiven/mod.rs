//! Aiven: project VPCs and their peering connections (`/v1/project/{project}/vpcs/…`).

mod client;
pub mod wire;

pub use client::{AivenClient, AivenError};
pub use wire::*;

/// The real API.
pub const DEFAULT_API_URL: &str = "https://api.aiven.io";

/// The UpCloud zone an Aiven cloud lives in: `upcloud-de-fra` → `de-fra1`,
/// `upcloud-fi-hel2` → `fi-hel2`. `None` for clouds of other providers.
pub fn upcloud_zone(cloud_name: &str) -> Option<String> {
    let region = cloud_name.strip_prefix("upcloud-")?;
    let (country, city) = region.split_once('-')?;
    if country.len() != 2 || city.is_empty() {
        return None;
    }
    Some(if city.ends_with(|c: char| c.is_ascii_digit()) {
        format!("{country}-{city}")
    } else {
        format!("{country}-{city}1")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cloud_names_map_to_zones() {
        assert_eq!(upcloud_zone("upcloud-de-fra").as_deref(), Some("de-fra1"));
        assert_eq!(upcloud_zone("upcloud-fi-hel2").as_deref(), Some("fi-hel2"));
        assert_eq!(upcloud_zone("upcloud-fi-hel").as_deref(), Some("fi-hel1"));
        assert_eq!(upcloud_zone("aws-eu-west-1"), None);
        assert_eq!(upcloud_zone("upcloud-"), None);
    }
}
