//! Aiven's UpCloud clouds and the UpCloud zones each may put a project VPC in: the emulator's own
//! table, never the provider's reading of the names.
//!
//! Names: aiven/aiven-docs `static/includes/clouds-list.md` (2026-08, commit 073a07fc). Zones:
//! `upcloud-fi-hel` spans fi-hel1 and fi-hel2 (aiven/devportal
//! `docs/platform/concepts/availability-zones.rst`); the others are one zone each, taken from
//! the name (UNVERIFIED, docs/guides/emulator.md).

/// `(cloud, zones)`; a VPC's backing network is in the first zone.
const CLOUDS: &[(&str, &[&str])] = &[
    ("upcloud-au-syd", &["au-syd1"]),
    ("upcloud-de-fra", &["de-fra1"]),
    ("upcloud-dk-cph", &["dk-cph1"]),
    ("upcloud-es-mad", &["es-mad1"]),
    ("upcloud-fi-hel", &["fi-hel1", "fi-hel2"]),
    ("upcloud-fi-hel1", &["fi-hel1"]),
    ("upcloud-fi-hel2", &["fi-hel2"]),
    ("upcloud-nl-ams", &["nl-ams1"]),
    ("upcloud-no-svg", &["no-svg1"]),
    ("upcloud-pl-waw", &["pl-waw1"]),
    ("upcloud-se-sto", &["se-sto1"]),
    ("upcloud-sg-sin", &["sg-sin1"]),
    ("upcloud-uk-lon", &["uk-lon1"]),
    ("upcloud-us-chi", &["us-chi1"]),
    ("upcloud-us-nyc", &["us-nyc1"]),
    ("upcloud-us-sjo", &["us-sjo1"]),
];

/// The UpCloud zones of an Aiven cloud; `None` for a cloud that is not one of Aiven's on UpCloud.
pub fn zones(cloud: &str) -> Option<&'static [&'static str]> {
    CLOUDS.iter().find(|(name, _)| *name == cloud).map(|(_, zones)| *zones)
}

#[cfg(test)]
mod tests {
    #[test]
    fn helsinki_spans_two_zones() {
        assert_eq!(super::zones("upcloud-fi-hel"), Some(&["fi-hel1", "fi-hel2"][..]));
        assert_eq!(super::zones("upcloud-de-fra"), Some(&["de-fra1"][..]));
        assert_eq!(super::zones("aws-eu-west-1"), None);
    }
}
