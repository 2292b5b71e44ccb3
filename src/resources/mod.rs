//! Managed resources. Each one implements the typed [`Resource`] contract the way
//! terraform-plugin-framework splits the work: schema, validate, plan, apply (create / update /
//! delete), read and import; [`DynResource`] is the border where Terraform's values are decoded
//! once.

pub mod connection;
mod contract;
pub mod custom_route;
mod error;
pub mod list;

use tokio_util::sync::CancellationToken;

pub use contract::{Applied, DynApplied, DynPlanned, DynResource, ImportTarget, Planned, Resource};
pub use error::{Error, need, unless_gone};

use crate::clouds::Clients;
use crate::clouds::aiven::AivenClient;
use crate::clouds::scaleway::ScalewayClient;
use crate::clouds::upcloud::UpcloudClient;
use crate::net::Cloud;
use crate::tf::{AttrPath, Diagnostics};

/// What every operation gets: the configured clients and the cancellation of `StopProvider`.
pub struct Ctx<'a> {
    pub clients: &'a Clients,
    pub stop: CancellationToken,
    /// Warnings gathered along the way (errors travel as `Err`); shared by concurrent steps
    /// and by contexts made with other clients for the same operation.
    warnings: std::sync::Arc<std::sync::Mutex<Diagnostics>>,
}

impl<'a> Ctx<'a> {
    pub fn new(clients: &'a Clients, stop: CancellationToken) -> Ctx<'a> {
        Ctx { clients, stop, warnings: Default::default() }
    }

    /// A context for the same operation with other clients; what it warns goes with this one's.
    pub fn with_clients<'b>(&self, clients: &'b Clients) -> Ctx<'b> {
        Ctx { clients, stop: self.stop.clone(), warnings: self.warnings.clone() }
    }

    pub fn warn(&self, summary: impl Into<String>, detail: impl Into<String>) {
        self.say(crate::tf::Diagnostic::warning(summary, detail));
    }

    /// Passes a warning (with its attribute, if any) on to Terraform.
    pub fn say(&self, warning: crate::tf::Diagnostic) {
        self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner).push(warning);
    }

    /// Whether the provider has a client for `cloud`; else an error on `path` saying why not.
    pub fn cloud_ready(&self, cloud: Cloud, path: &AttrPath) -> Result<(), Error> {
        self.clients.unavailable(cloud).map_or(Ok(()), |why| Err(error::unavailable(why, cloud, path)))
    }

    /// The UpCloud client, or an error on `path` saying why there is none.
    pub fn upcloud(&self, path: &AttrPath) -> Result<&'a UpcloudClient, Error> {
        need(&self.clients.upcloud, Cloud::Upcloud, path)
    }

    /// The Aiven client, or an error on `path` saying why there is none.
    pub fn aiven(&self, path: &AttrPath) -> Result<&'a AivenClient, Error> {
        need(&self.clients.aiven, Cloud::Aiven, path)
    }

    /// The Scaleway client, or an error on `path` saying why there is none.
    pub fn scaleway(&self, path: &AttrPath) -> Result<&'a ScalewayClient, Error> {
        need(&self.clients.scaleway, Cloud::Scaleway, path)
    }

    /// Says that a create took over an object it found instead of making one: it may belong
    /// to someone else, and destroying the resource now deletes it.
    pub fn warn_adopted(&self, kind: &str, object: &str) {
        self.warn(
            format!("Adopted an existing {kind}"),
            format!(
                "{kind} {object} already existed, so this resource took it over instead of making another. It was \
                 made outside this resource: by hand, by another Terraform configuration, or by an earlier apply that \
                 did not finish. Destroying this resource deletes it; if another configuration manages it too, remove \
                 it from one of them."
            ),
        );
    }

    /// The warnings gathered so far.
    pub fn into_warnings(self) -> Diagnostics {
        std::mem::take(&mut *self.warnings.lock().unwrap_or_else(std::sync::PoisonError::into_inner))
    }
}

/// One cloud object a resource manages, in words: two resources must not claim the same one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Claim {
    /// The object, e.g. `the UpCloud peering half from upcloud/03… toward upcloud/03…`.
    pub object: String,
    /// The resource, for the other one's error: e.g. `peering_connection "db-to-app"`.
    pub holder: String,
    /// Where the error points in the configuration.
    pub path: AttrPath,
}

/// What is wrong with a name, description or tag the clouds would store, if anything: control
/// characters (a NUL, a newline) are refused by the clouds or break their consoles.
pub fn text_problem(text: &str) -> Option<String> {
    let bad = text.chars().find(|c| c.is_control())?;
    Some(format!("{text:?} contains the control character {bad:?}; use printable characters only."))
}
