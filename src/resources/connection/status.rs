//! The normalised status of a whole peering, in the same words for every cloud. Each cloud's
//! half says which of these words its own states are (`connection/<cloud>.rs`).

tfplugin6::tf_enum! {
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
    }
}
