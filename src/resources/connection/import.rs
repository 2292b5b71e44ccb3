//! Import by id: `NETWORK:PEER_NETWORK`, or a half's own id in its cloud's forms (each cloud's
//! seam parses what its `Half::import_id` renders: `upcloud-peering/UUID`,
//! `scaleway-connector/REGION/ID` or Scaleway's own `REGION/ID`, or a bare UUID), resolved to
//! the networks it joins.

use super::seam::seams;
use crate::resources::{Ctx, Error};
use peering_net::ConnectionId;

/// Resolves an import id to the pair of networks.
pub(super) async fn import_id(ctx: &Ctx<'_>, text: &str) -> Result<ConnectionId, Error> {
    for seam in seams() {
        if let Some(found) = seam.import_by_half_id(ctx, text).await {
            return found;
        }
    }
    if let Ok(id) = text.parse::<uuid::Uuid>() {
        for seam in seams() {
            if let Some(ends) = seam.import_by_uuid(ctx, id).await? {
                return Ok(ends);
            }
        }
        let names: Vec<&str> = seams().filter_map(|seam| seam.bare_uuid_names()).collect();
        return Err(Error::invalid(
            "Nothing to import",
            format!("Nothing with the id {id} is visible with the provider's credentials: no {}.", names.join(", no ")),
            None,
        ));
    }
    text.parse().map_err(|e: peering_net::EndpointError| {
        let forms: Vec<&str> = seams().filter_map(|seam| seam.import_forms()).collect();
        Error::invalid(
            "Invalid import id",
            format!(
                "{e}. Import by NETWORK:PEER_NETWORK (e.g. upcloud/03…:upcloud/03… or aiven/PROJECT/VPC_ID:upcloud/03…), \
                 {}, or a half's bare UUID.",
                forms.join(", ")
            ),
            None,
        )
    })
}
