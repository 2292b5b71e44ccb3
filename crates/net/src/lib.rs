//! Typed network values shared by the provider, the clients and the emulator: CIDRs, cloud
//! object ids and the endpoints a peering connects.

#![warn(unreachable_pub)]

use std::fmt;
use std::str::FromStr;

pub use ipnet::IpNet;
use uuid::Uuid;

/// True when the two prefixes share any address.
pub fn overlaps(a: &IpNet, b: &IpNet) -> bool {
    match (a, b) {
        (IpNet::V4(a), IpNet::V4(b)) => a.contains(&b.network()) || b.contains(&a.network()),
        (IpNet::V6(a), IpNet::V6(b)) => a.contains(&b.network()) || b.contains(&a.network()),
        _ => false,
    }
}

/// The first pair `(ours, theirs)` that overlaps, if any.
pub fn first_overlap<'a>(ours: &'a [IpNet], theirs: &'a [IpNet]) -> Option<(&'a IpNet, &'a IpNet)> {
    ours.iter().find_map(|a| theirs.iter().find(|b| overlaps(a, b)).map(|b| (a, b)))
}

/// Where an Aiven `upcloud-*` cloud puts a project VPC: the city its name says, and the UpCloud
/// zones of that city it may use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AivenCloudZones {
    /// `fi-hel` for `upcloud-fi-hel`, `upcloud-fi-hel1` and `upcloud-fi-hel2`.
    pub city: String,
    pub zones: Vec<String>,
    /// Whether Aiven documents the zones; else they follow the name (UNVERIFIED).
    pub documented: bool,
}

impl AivenCloudZones {
    /// Whether an UpCloud zone is in the cloud's city at all (`de-fra1` is not in `fi-hel`).
    pub fn same_city(&self, zone: &str) -> bool {
        zone.strip_prefix(self.city.as_str()).is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
    }
}

/// The UpCloud zones of an Aiven cloud. Documented: `upcloud-fi-hel` spans `fi-hel1` and
/// `fi-hel2` (aiven/devportal `docs/platform/concepts/availability-zones.rst`). The rest follow
/// the name, UNVERIFIED: `upcloud-de-fra` → `de-fra1`, `upcloud-fi-hel2` → `fi-hel2`. `None`
/// for clouds of other providers.
pub fn aiven_cloud_zones(cloud_name: &str) -> Option<AivenCloudZones> {
    let region = cloud_name.strip_prefix("upcloud-")?;
    let (country, place) = region.split_once('-')?;
    if country.len() != 2 || place.is_empty() || !region.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-') {
        return None;
    }
    let city_end = place.trim_end_matches(|c: char| c.is_ascii_digit());
    if city_end.is_empty() {
        return None;
    }
    let city = format!("{country}-{city_end}");
    let (zones, documented) = match (region, city_end.len() == place.len()) {
        ("fi-hel", _) => (vec!["fi-hel1".to_string(), "fi-hel2".to_string()], true),
        (_, true) => (vec![format!("{city}1")], false),
        (zone, false) => (vec![zone.to_string()], false),
    };
    Some(AivenCloudZones { city, zones, documented })
}

macro_rules! uuid_id {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, serde::Serialize, serde::Deserialize)]
        #[serde(transparent)]
        pub struct $name(pub Uuid);

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                self.0.hyphenated().fmt(f)
            }
        }

        impl FromStr for $name {
            type Err = uuid::Error;

            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Uuid::parse_str(s).map($name)
            }
        }
    };
}

uuid_id!(
    /// An UpCloud SDN network (UUIDs start with `03`).
    UpcloudNetworkId
);
uuid_id!(
    /// An UpCloud router (UUIDs start with `04`).
    UpcloudRouterId
);
uuid_id!(
    /// An UpCloud network peering.
    UpcloudPeeringId
);
uuid_id!(
    /// An Aiven project VPC (`project_vpc_id`).
    AivenVpcId
);
uuid_id!(
    /// A Scaleway VPC.
    ScalewayVpcId
);
uuid_id!(
    /// A Scaleway custom route.
    ScalewayRouteId
);

/// A region the Scaleway VPC API serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ScalewayRegion {
    FrPar,
    NlAms,
    PlWaw,
    ItMil,
}

impl ScalewayRegion {
    pub const ALL: [ScalewayRegion; 4] =
        [ScalewayRegion::FrPar, ScalewayRegion::NlAms, ScalewayRegion::PlWaw, ScalewayRegion::ItMil];

    /// Every region, `first` first: where an id without its region is looked for.
    pub fn search_order(first: &str) -> Vec<ScalewayRegion> {
        let first = first.parse().ok();
        first.into_iter().chain(ScalewayRegion::ALL.into_iter().filter(|r| Some(*r) != first)).collect()
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ScalewayRegion::FrPar => "fr-par",
            ScalewayRegion::NlAms => "nl-ams",
            ScalewayRegion::PlWaw => "pl-waw",
            ScalewayRegion::ItMil => "it-mil",
        }
    }
}

impl ScalewayRegion {
    /// The region of a Scaleway locality: the region itself, or one of its zones (`fr-par-1`).
    pub fn of_locality(locality: &str) -> Option<ScalewayRegion> {
        locality.parse().ok().or_else(|| {
            let (region, n) = locality.rsplit_once('-')?;
            (!n.is_empty() && n.bytes().all(|b| b.is_ascii_digit())).then_some(())?;
            region.parse().ok()
        })
    }
}

impl fmt::Display for ScalewayRegion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ScalewayRegion {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        ScalewayRegion::ALL.into_iter().find(|r| r.as_str() == s).ok_or_else(|| {
            let all: Vec<&str> = ScalewayRegion::ALL.iter().map(|r| r.as_str()).collect();
            format!("{s:?} is not a Scaleway VPC region: one of {all:?}")
        })
    }
}

/// An id as an attribute holds it: a bare UUID, or the form the official providers give,
/// with the object's locality or owner in front — Scaleway's `fr-par/UUID` (regional) and
/// `fr-par-1/UUID` (zonal), Aiven's `PROJECT/UUID` (`aiven_project_vpc.id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WrittenId<'a> {
    pub scope: Option<&'a str>,
    pub uuid: Uuid,
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum IdError {
    #[error("{value:?} is not a UUID, nor {form}/UUID")]
    Malformed { value: String, form: &'static str },
    #[error("{value:?} is in {written}, but {given_what} is {given}; make the two agree")]
    Disagrees { value: String, written: String, given_what: &'static str, given: String },
}

impl<'a> WrittenId<'a> {
    /// `UUID` or `SCOPE/UUID`; `form` names the scope in errors (`REGION`, `PROJECT`).
    pub fn parse(value: &'a str, form: &'static str) -> Result<WrittenId<'a>, IdError> {
        let malformed = || IdError::Malformed { value: value.to_string(), form };
        let (scope, uuid) = match value.rsplit_once('/') {
            Some((scope, uuid)) if !scope.is_empty() && !scope.contains('/') => (Some(scope), uuid),
            Some(_) => return Err(malformed()),
            None => (None, value),
        };
        let uuid = Uuid::parse_str(uuid).map_err(|_| malformed())?;
        Ok(WrittenId { scope, uuid })
    }

    /// A Scaleway regional id (`fr-par/UUID` or a bare UUID) and the region it is written in.
    pub fn scaleway_regional(value: &'a str) -> Result<(Option<ScalewayRegion>, Uuid), IdError> {
        let id = WrittenId::parse(value, "REGION")?;
        let region = match id.scope {
            Some(scope) => Some(
                scope
                    .parse::<ScalewayRegion>()
                    .map_err(|_| IdError::Malformed { value: value.into(), form: "REGION" })?,
            ),
            None => None,
        };
        Ok((region, id.uuid))
    }

    /// A Scaleway regional id whose region, when written, must be `region`.
    pub fn scaleway_in(value: &'a str, region: ScalewayRegion) -> Result<Uuid, IdError> {
        match WrittenId::scaleway_regional(value)? {
            (Some(written), _) if written != region => Err(IdError::Disagrees {
                value: value.into(),
                written: written.to_string(),
                given_what: "the region",
                given: region.to_string(),
            }),
            (_, uuid) => Ok(uuid),
        }
    }

    /// A Scaleway id of an object in a region or one of its zones (`fr-par/UUID`,
    /// `fr-par-1/UUID`, or a bare UUID): a Private Network, an Instance. A private NIC's
    /// `ZONE/SERVER_ID/NIC_ID` (`scaleway_instance_private_nic.id`) names the NIC, as the
    /// official provider reads it (terraform-provider-scaleway `vpc/helpers.go`).
    pub fn scaleway_local(value: &'a str, region: Option<ScalewayRegion>) -> Result<Uuid, IdError> {
        let parts: Vec<&str> = value.split('/').collect();
        let value: std::borrow::Cow<str> = match parts.as_slice() {
            [zone, server, nic] if Uuid::parse_str(server).is_ok() => format!("{zone}/{nic}").into(),
            _ => value.into(),
        };
        let value = value.as_ref();
        let id = WrittenId::parse(value, "REGION or ZONE")?;
        let Some(scope) = id.scope else { return Ok(id.uuid) };
        let written = ScalewayRegion::of_locality(scope)
            .ok_or_else(|| IdError::Malformed { value: value.into(), form: "REGION or ZONE" })?;
        match region {
            Some(region) if region != written => Err(IdError::Disagrees {
                value: value.into(),
                written: scope.to_string(),
                given_what: "the route's region",
                given: region.to_string(),
            }),
            _ => Ok(id.uuid),
        }
    }

    /// An Aiven project VPC id (`PROJECT/UUID` or a bare UUID) of `project`.
    pub fn aiven_in(value: &'a str, project: &str) -> Result<Uuid, IdError> {
        let id = WrittenId::parse(value, "PROJECT")?;
        match id.scope {
            Some(written) if written != project => Err(IdError::Disagrees {
                value: value.into(),
                written: format!("project {written:?}"),
                given_what: "project",
                given: format!("{project:?}"),
            }),
            _ => Ok(id.uuid),
        }
    }
}

/// The enum of clouds and its list of every cloud, written from one list of names: a new
/// cloud cannot be left out of `Cloud::ALL`.
macro_rules! clouds {
    ($($cloud:ident),+ $(,)?) => {
        /// The clouds a peering endpoint can live in.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub enum Cloud {
            $($cloud),+
        }

        impl Cloud {
            /// Every cloud, in declaration order.
            pub const ALL: &'static [Cloud] = &[$(Cloud::$cloud),+];
        }
    };
}

clouds!(Aiven, Upcloud, Scaleway);

impl Cloud {
    /// The cloud a configuration names by its key (`"upcloud"`).
    pub fn from_key(key: &str) -> Option<Cloud> {
        Cloud::ALL.iter().copied().find(|c| c.key() == key)
    }

    pub fn key(self) -> &'static str {
        match self {
            Cloud::Aiven => "aiven",
            Cloud::Upcloud => "upcloud",
            Cloud::Scaleway => "scaleway",
        }
    }

    /// Whether its peering halves can be paused and resumed (UpCloud's `configured_status`).
    pub fn pauses(self) -> bool {
        match self {
            Cloud::Upcloud => true,
            Cloud::Aiven | Cloud::Scaleway => false,
        }
    }

    /// Whether its peering halves carry a name and tags (an Aiven peering connection has none).
    pub fn names_halves(self) -> bool {
        match self {
            Cloud::Aiven => false,
            Cloud::Upcloud | Cloud::Scaleway => true,
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            Cloud::Aiven => "Aiven",
            Cloud::Upcloud => "UpCloud",
            Cloud::Scaleway => "Scaleway",
        }
    }
}

/// One end of a peering: a network in one cloud.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NetworkRef {
    Aiven { project: String, vpc_id: AivenVpcId },
    Upcloud { network_id: UpcloudNetworkId },
    Scaleway { region: ScalewayRegion, vpc_id: ScalewayVpcId },
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EndpointError {
    #[error("{0:?} is not an endpoint: expected aiven/PROJECT/VPC_ID, upcloud/NETWORK_ID or scaleway/REGION/VPC_ID")]
    Malformed(String),
    #[error("{value:?} is not a UUID")]
    BadUuid { value: String },
    #[error("{0}")]
    BadRegion(String),
}

fn parse_uuid(value: &str) -> Result<Uuid, EndpointError> {
    Uuid::parse_str(value).map_err(|_| EndpointError::BadUuid { value: value.to_string() })
}

impl NetworkRef {
    pub fn cloud(&self) -> Cloud {
        match self {
            NetworkRef::Aiven { .. } => Cloud::Aiven,
            NetworkRef::Upcloud { .. } => Cloud::Upcloud,
            NetworkRef::Scaleway { .. } => Cloud::Scaleway,
        }
    }

    pub fn upcloud_network(&self) -> Option<UpcloudNetworkId> {
        match self {
            NetworkRef::Upcloud { network_id } => Some(*network_id),
            _ => None,
        }
    }
}

/// `upcloud/NETWORK_ID`, `aiven/PROJECT/VPC_ID`, `scaleway/REGION/VPC_ID`.
impl fmt::Display for NetworkRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            NetworkRef::Aiven { project, vpc_id } => write!(f, "aiven/{project}/{vpc_id}"),
            NetworkRef::Upcloud { network_id } => write!(f, "upcloud/{network_id}"),
            NetworkRef::Scaleway { region, vpc_id } => write!(f, "scaleway/{region}/{vpc_id}"),
        }
    }
}

impl FromStr for NetworkRef {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let parts: Vec<&str> = s.split('/').collect();
        match parts.as_slice() {
            ["upcloud", id] => Ok(NetworkRef::Upcloud { network_id: UpcloudNetworkId(parse_uuid(id)?) }),
            ["aiven", project, vpc] if is_aiven_project_name(project) => {
                Ok(NetworkRef::Aiven { project: project.to_string(), vpc_id: AivenVpcId(parse_uuid(vpc)?) })
            }
            ["scaleway", region, vpc] => Ok(NetworkRef::Scaleway {
                region: region.parse().map_err(EndpointError::BadRegion)?,
                vpc_id: ScalewayVpcId(parse_uuid(vpc)?),
            }),
            _ => Err(EndpointError::Malformed(s.to_string())),
        }
    }
}

/// Whether a text can name an Aiven project in a URL path: not empty, one segment, not `.`/`..`.
pub fn is_aiven_project_name(name: &str) -> bool {
    !name.is_empty() && !name.contains(['/', ':', '\\', '?', '#']) && name != "." && name != ".."
}

/// A route table: an UpCloud router's static routes, or a Scaleway VPC's routes. Written like
/// an endpoint: `upcloud/ROUTER_ID`, `scaleway/REGION/VPC_ID`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RouteTableRef {
    Upcloud { router: UpcloudRouterId },
    Scaleway { region: ScalewayRegion, vpc_id: ScalewayVpcId },
}

impl fmt::Display for RouteTableRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RouteTableRef::Upcloud { router } => write!(f, "upcloud/{router}"),
            RouteTableRef::Scaleway { region, vpc_id } => {
                NetworkRef::Scaleway { region: *region, vpc_id: *vpc_id }.fmt(f)
            }
        }
    }
}

impl FromStr for RouteTableRef {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.strip_prefix("upcloud/") {
            Some(router) => Ok(RouteTableRef::Upcloud { router: UpcloudRouterId(parse_uuid(router)?) }),
            None => match s.parse()? {
                NetworkRef::Scaleway { region, vpc_id } => Ok(RouteTableRef::Scaleway { region, vpc_id }),
                _ => Err(EndpointError::Malformed(s.to_string())),
            },
        }
    }
}

/// The two ends of a peering; its canonical id is `NETWORK:PEER_NETWORK`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConnectionId {
    pub network: NetworkRef,
    pub peer_network: NetworkRef,
}

impl ConnectionId {
    /// Whether the ends stand in the one order used when nothing else says which is which (an
    /// import by a half's own id, a listing): an Aiven VPC first, else the lower id first.
    pub fn is_canonical(&self) -> bool {
        let rank = |end: &NetworkRef| (!matches!(end, NetworkRef::Aiven { .. }), end.to_string());
        rank(&self.network) <= rank(&self.peer_network)
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.network, self.peer_network)
    }
}

impl FromStr for ConnectionId {
    type Err = EndpointError;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let (a, b) = s.split_once(':').ok_or_else(|| EndpointError::Malformed(s.to_string()))?;
        Ok(ConnectionId { network: a.parse()?, peer_network: b.parse()? })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn net(s: &str) -> IpNet {
        s.parse().unwrap()
    }

    #[test]
    fn overlap_is_symmetric_and_family_aware() {
        assert!(overlaps(&net("10.0.0.0/16"), &net("10.0.3.0/24")));
        assert!(overlaps(&net("10.0.3.0/24"), &net("10.0.0.0/16")));
        assert!(!overlaps(&net("10.0.0.0/24"), &net("10.0.1.0/24")));
        assert!(overlaps(&net("fd00::/48"), &net("fd00:0:0:1::/64")));
        assert!(!overlaps(&net("10.0.0.0/8"), &net("fd00::/8")));
    }

    #[test]
    fn cloud_names_map_to_zones() {
        let zones = |cloud: &str| aiven_cloud_zones(cloud).map(|z| z.zones);
        assert_eq!(zones("upcloud-de-fra"), Some(vec!["de-fra1".to_string()]));
        assert_eq!(zones("upcloud-fi-hel2"), Some(vec!["fi-hel2".to_string()]));
        assert_eq!(zones("upcloud-fi-hel"), Some(vec!["fi-hel1".to_string(), "fi-hel2".to_string()]));
        assert!(aiven_cloud_zones("upcloud-fi-hel").unwrap().documented);
        assert!(aiven_cloud_zones("upcloud-fi-hel").unwrap().same_city("fi-hel2"));
        assert!(!aiven_cloud_zones("upcloud-fi-hel").unwrap().same_city("de-fra1"));
        assert_eq!(aiven_cloud_zones("aws-eu-west-1"), None);
        assert_eq!(aiven_cloud_zones("upcloud-"), None);
        assert_eq!(aiven_cloud_zones("upcloud-fi-1"), None);
    }

    #[test]
    fn connection_ids_round_trip() {
        let id = "upcloud/03000000-0000-4000-8000-000000000001:aiven/acme-prod/b032dfbf-8a9e-4c55-8f1d-4f9a2e1c7d10";
        let parsed: ConnectionId = id.parse().unwrap();
        assert_eq!(parsed.network.cloud(), Cloud::Upcloud);
        assert_eq!(parsed.peer_network.cloud(), Cloud::Aiven);
        assert_eq!(parsed.to_string(), id);
        assert!("upcloud/not-a-uuid:upcloud/x".parse::<ConnectionId>().is_err());
        assert!("gcp/x".parse::<NetworkRef>().is_err());
    }
}
