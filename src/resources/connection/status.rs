//! The normalised status of a whole peering, in the same words for every cloud.

use crate::clouds::aiven::PeeringState as AivenState;
use crate::clouds::scaleway::ConnectorStatus;
use crate::clouds::upcloud::PeeringState as UpcloudState;

crate::tf_enum! {
    /// Ordered from best to worst: the whole peering is as good as its worst half.
    pub enum Status {
        Active = "active",
        PendingPeer = "pending_peer",
        Provisioning = "provisioning",
        Disabled = "disabled",
        Conflict = "conflict",
        Error = "error",
    }
}

impl Status {
    pub fn of_upcloud(state: UpcloudState) -> Status {
        match state {
            UpcloudState::Active => Status::Active,
            UpcloudState::Provisioning => Status::Provisioning,
            UpcloudState::PendingPeer => Status::PendingPeer,
            UpcloudState::Disabled | UpcloudState::PeerDisabled => Status::Disabled,
            UpcloudState::ConflictSubnet => Status::Conflict,
            _ => Status::Error,
        }
    }

    pub fn of_aiven(state: AivenState) -> Status {
        match state {
            AivenState::Active => Status::Active,
            AivenState::Approved => Status::Provisioning,
            AivenState::PendingPeer | AivenState::ApprovedPeerRequested => Status::PendingPeer,
            AivenState::Deleting | AivenState::Deleted => Status::Disabled,
            _ => Status::Error,
        }
    }

    pub fn of_scaleway(status: ConnectorStatus) -> Status {
        match status {
            ConnectorStatus::Peered => Status::Active,
            ConnectorStatus::Orphan => Status::PendingPeer,
            ConnectorStatus::Conflict => Status::Conflict,
            ConnectorStatus::UnknownVpcConnectorStatus => Status::Error,
        }
    }

    /// The status of a peering whose halves are in these states.
    pub fn combine(halves: impl IntoIterator<Item = Status>) -> Status {
        halves.into_iter().max().unwrap_or(Status::Error)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_worst_half_wins() {
        assert_eq!(Status::combine([Status::Active, Status::Active]), Status::Active);
        assert_eq!(Status::combine([Status::Active, Status::PendingPeer]), Status::PendingPeer);
        assert_eq!(Status::combine([Status::Provisioning, Status::Conflict]), Status::Conflict);
        assert_eq!(Status::of_aiven(AivenState::InvalidSpecification), Status::Error);
        assert_eq!(Status::of_upcloud(UpcloudState::ConflictSubnet), Status::Conflict);
    }
}
