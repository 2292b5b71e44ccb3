//! Aiven's seam.

use async_trait::async_trait;
use uuid::Uuid;

use super::super::model::Connection;
use super::{CloudSeam, Deleting};
use crate::resources::{Ctx, Error};

/// Aiven's part of the resource's generic code ([`CloudSeam`]): an Aiven half has no id of its
/// own to import by (it imports by its networks), and nothing to default or warn of.
pub(super) struct AivenSeam;

#[async_trait]
impl CloudSeam for AivenSeam {
    fn import_forms(&self) -> Option<&'static str> {
        None
    }

    async fn import_by_half_id(&self, _: &Ctx<'_>, _: &str) -> Option<Result<peering_net::ConnectionId, Error>> {
        None
    }

    fn bare_uuid_names(&self) -> Option<&'static str> {
        None
    }

    async fn import_by_uuid(&self, _: &Ctx<'_>, _: Uuid) -> Result<Option<peering_net::ConnectionId>, Error> {
        Ok(None)
    }

    fn plan_defaults(&self, _: &Ctx<'_>, _: &mut Connection) -> Result<(), Error> {
        Ok(())
    }

    async fn warn_deleting(&self, _: &Ctx<'_>, _: &Connection, _: Deleting) {}
}
