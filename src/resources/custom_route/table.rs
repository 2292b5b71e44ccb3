//! One route table, whatever its cloud: an UpCloud router's static routes or a Scaleway VPC's
//! routes. Each cloud implements [`Routes`]; the resource writes, reads, finds and removes a
//! route the same way for every cloud.

use async_trait::async_trait;

use super::model::Route;
use crate::resources::{Ctx, Error};
use peering_net::IpNet;
use tfplugin6::Diagnostics;

#[async_trait]
pub(super) trait Routes: Send + Sync {
    /// Whether the destination names the route (UpCloud), so a new destination is a new route;
    /// else the route has an id of its own, known once made (Scaleway).
    fn destination_names_route(&self) -> bool;

    /// Plan-time checks of a planned route; only reads. Errors stop the plan, warnings are said.
    async fn check(&self, planned: &Route) -> Result<Diagnostics, Error>;

    /// Makes the route (`prior` is `None`) or brings it to `state`; the route as the cloud now
    /// has it.
    async fn put(&self, ctx: &Ctx<'_>, prior: Option<&Route>, state: Route) -> Result<Route, Error>;

    /// The stored route as the cloud has it now; `None` when it is gone.
    async fn read(&self, state: Route) -> Result<Option<Route>, Error>;

    /// The route to `destination`, for an import: the ownership marker it carries becomes the
    /// importing instance's.
    async fn find(&self, ctx: &Ctx<'_>, destination: IpNet) -> Result<Option<Route>, Error>;

    /// Removes the stored route; gone already is done.
    async fn remove(&self, prior: &Route) -> Result<(), Error>;
}

/// The error for a stored route whose table or id does not parse.
pub(super) fn malformed() -> Error {
    Error::invalid("The stored route is malformed", "", None)
}
