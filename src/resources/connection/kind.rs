//! The kinds of peering this resource makes. The kind is
//! chosen once from the two ends ([`PairKind::of`]); everything after asks the
//! [`super::peering::Peering`] it gives, so the resource's generic code never names a cloud.

use super::half;
use super::model::Connection;
use super::peering::Peering;
use super::scaleway::ScalewayHalf;
use super::upcloud::UpcloudHalf;
use super::{aiven, pair, pair_aiven, scaleway, upcloud};
use crate::resources::{Ctx, Error};
use peering_net::{AivenVpcId, Cloud, ConnectionId, NetworkRef, ScalewayRegion, ScalewayVpcId, UpcloudNetworkId};
use tfplugin6::AttrPath;

/// A supported pair of clouds and its two networks; no client yet.
pub(super) enum PairKind {
    Upcloud { local: UpcloudNetworkId, peer: UpcloudNetworkId },
    Scaleway { region: ScalewayRegion, local: ScalewayVpcId, peer: ScalewayVpcId },
    AivenUpcloud(pair_aiven::AivenUpcloud),
}

impl PairKind {
    /// The pairs of clouds there is a kind for, either way round. Every pair is named, with no
    /// catch-all: a new cloud does not compile until its pairs are decided.
    pub(super) fn supports(a: Cloud, b: Cloud) -> bool {
        use Cloud::{Aiven, Scaleway, Upcloud};
        match (a, b) {
            (Aiven, Upcloud) | (Upcloud, Aiven) | (Upcloud, Upcloud) | (Scaleway, Scaleway) => true,
            (Aiven, Aiven) | (Aiven, Scaleway) | (Upcloud, Scaleway) | (Scaleway, Aiven) | (Scaleway, Upcloud) => false,
        }
    }

    pub(super) fn of(id: &ConnectionId) -> Result<PairKind, Error> {
        let aiven_upcloud = |project: &String, vpc_id: &AivenVpcId, network: &UpcloudNetworkId, aiven_is_network| {
            PairKind::AivenUpcloud(pair_aiven::AivenUpcloud {
                vpc: aiven::VpcRef { project: project.clone(), vpc: *vpc_id },
                network: *network,
                aiven_is_network,
            })
        };
        match (&id.network, &id.peer_network) {
            (NetworkRef::Upcloud { network_id: local }, NetworkRef::Upcloud { network_id: peer }) => {
                Ok(PairKind::Upcloud { local: *local, peer: *peer })
            }
            (NetworkRef::Aiven { project, vpc_id }, NetworkRef::Upcloud { network_id }) => {
                Ok(aiven_upcloud(project, vpc_id, network_id, true))
            }
            (NetworkRef::Upcloud { network_id }, NetworkRef::Aiven { project, vpc_id }) => {
                Ok(aiven_upcloud(project, vpc_id, network_id, false))
            }
            (
                NetworkRef::Scaleway { region, vpc_id: local },
                NetworkRef::Scaleway { region: peer_region, vpc_id: peer },
            ) => {
                if region != peer_region {
                    return Err(Error::invalid(
                        "VPCs in different regions",
                        format!(
                            "network is in {region} and peer_network in {peer_region}. Scaleway peers VPCs of one region only \
                             (cross-region peering is not supported)."
                        ),
                        Some(AttrPath::root("peer_network").attr("scaleway").attr("region")),
                    ));
                }
                Ok(PairKind::Scaleway { region: *region, local: *local, peer: *peer })
            }
            // Every other pair, named (no catch-all, as in `supports`).
            (a @ NetworkRef::Aiven { .. }, b @ (NetworkRef::Aiven { .. } | NetworkRef::Scaleway { .. }))
            | (a @ NetworkRef::Upcloud { .. }, b @ NetworkRef::Scaleway { .. })
            | (a @ NetworkRef::Scaleway { .. }, b @ (NetworkRef::Aiven { .. } | NetworkRef::Upcloud { .. })) => {
                Err(unsupported_pair(a.cloud(), b.cloud()))
            }
        }
    }

    /// The kind of a stored or planned state.
    pub(super) fn of_state(state: &Connection) -> Result<PairKind, Error> {
        let id = state.connection_id().ok_or_else(|| Error::invalid("The endpoints are not known", "", None))?;
        PairKind::of(&id)
    }

    /// Whether the peering has an Aiven network ID to plan.
    pub(super) fn has_aiven_network_id(&self) -> bool {
        matches!(self, PairKind::AivenUpcloud(_))
    }

    /// Whether a half of `state` (a peering of this kind) is broken or, when managed, missing:
    /// what an in-place update repairs.
    pub(super) fn needs_repair(&self, state: &Connection) -> bool {
        match self {
            PairKind::Upcloud { .. } => half::needs_repair::<UpcloudHalf<'_>, UpcloudHalf<'_>>(state),
            PairKind::Scaleway { .. } => half::needs_repair::<ScalewayHalf<'_>, ScalewayHalf<'_>>(state),
            PairKind::AivenUpcloud(pair) => pair.needs_repair(state),
        }
    }

    /// The peering of this kind, with the clients it needs from `ctx`.
    pub(super) fn peering<'a>(self, ctx: &Ctx<'a>) -> Result<Box<dyn Peering + 'a>, Error> {
        let path = AttrPath::root("network");
        Ok(match self {
            PairKind::Upcloud { local, peer } => {
                Box::new(pair::SymmetricPair { cloud: upcloud::Upcloud { client: ctx.upcloud(&path)? }, local, peer })
            }
            PairKind::Scaleway { region, local, peer } => Box::new(pair::SymmetricPair {
                cloud: scaleway::Scaleway { client: ctx.scaleway(&path)?, region },
                local,
                peer,
            }),
            PairKind::AivenUpcloud(pair) => Box::new(pair),
        })
    }
}

/// The error for two clouds no kind peers.
pub(super) fn unsupported_pair(a: Cloud, b: Cloud) -> Error {
    Error::invalid(
        "Unsupported peering pair",
        format!(
            "{} ↔ {} cannot be peered by this provider. Supported pairs: Aiven ↔ UpCloud (Aiven peers only with \
             UpCloud networks of its VPC's zone), UpCloud ↔ UpCloud and Scaleway ↔ Scaleway (VPC connectors).",
            a.display_name(),
            b.display_name()
        ),
        Some(AttrPath::root("peer_network")),
    )
}
