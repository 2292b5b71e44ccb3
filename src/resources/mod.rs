//! Managed resources. Each one implements the typed [`Resource`] contract the way
//! terraform-plugin-framework splits the work: schema, validate, plan, apply (create / update /
//! delete), read and import; [`DynResource`] is the border where Terraform's values are decoded
//! once.

pub mod background;
pub mod connection;
mod contract;
pub mod custom_route;
mod error;
pub mod list;
pub mod ownership;

use tokio_util::sync::CancellationToken;

pub use contract::{Applied, DynApplied, DynPlanned, DynResource, ImportTarget, Planned, Resource};
pub use error::{Error, need, unless_gone};

use ownership::{Ownership, Token};
use peering_clouds::Clients;
use peering_clouds::aiven::AivenClient;
use peering_clouds::scaleway::ScalewayClient;
use peering_clouds::upcloud::UpcloudClient;
use peering_net::Cloud;
use tfplugin6::{AttrPath, Diagnostics};

/// What every operation gets: the configured clients and the cancellation of `StopProvider`.
pub struct Ctx<'a> {
    pub clients: &'a Clients,
    pub stop: CancellationToken,
    /// Warnings gathered along the way (errors travel as `Err`); shared by concurrent steps
    /// and by contexts made with other clients for the same operation.
    warnings: std::sync::Arc<std::sync::Mutex<Diagnostics>>,
    /// Whose objects these are, from and back to the instance's private state.
    ownership: std::sync::Arc<std::sync::Mutex<Ownership>>,
    /// Objects a create or update took over, said only once it holds them.
    adopted: std::sync::Arc<std::sync::Mutex<Vec<(String, String)>>>,
}

impl<'a> Ctx<'a> {
    pub fn new(clients: &'a Clients, stop: CancellationToken) -> Ctx<'a> {
        Ctx::with_ownership(clients, stop, Ownership::default())
    }

    /// A context for an operation on an instance whose private state carries `ownership`.
    pub fn with_ownership(clients: &'a Clients, stop: CancellationToken, ownership: Ownership) -> Ctx<'a> {
        Ctx {
            clients,
            stop,
            warnings: Default::default(),
            ownership: std::sync::Arc::new(std::sync::Mutex::new(ownership)),
            adopted: Default::default(),
        }
    }

    /// A context for the same operation with other clients; what it warns goes with this one's.
    pub fn with_clients<'b>(&self, clients: &'b Clients) -> Ctx<'b> {
        Ctx {
            clients,
            stop: self.stop.clone(),
            warnings: self.warnings.clone(),
            ownership: self.ownership.clone(),
            adopted: self.adopted.clone(),
        }
    }

    /// The instance's ownership evidence as it stands.
    pub fn ownership(&self) -> Ownership {
        self.ownership.lock().unwrap_or_else(std::sync::PoisonError::into_inner).clone()
    }

    /// This instance's token, made now if it has none: what its objects are marked with.
    pub fn owner_token(&self) -> Token {
        let mut ownership = self.ownership.lock().unwrap_or_else(std::sync::PoisonError::into_inner);
        ownership.owner.get_or_insert_with(Token::new).clone()
    }

    /// Starts a create: a new token, whatever the instance carried.
    pub fn new_owner_token(&self) -> Token {
        let token = Token::new();
        self.ownership.lock().unwrap_or_else(std::sync::PoisonError::into_inner).owner = Some(token.clone());
        token
    }

    /// Notes the token of an unfinished create this one resumed ([`Ownership::resumed`]).
    pub fn note_resumed(&self, token: Token) {
        self.ownership.lock().unwrap_or_else(std::sync::PoisonError::into_inner).resumed.push(token);
    }

    /// Notes, at plan time, the token of another instance's finished object a create found.
    pub fn note_found_owner(&self, token: Token) {
        self.ownership.lock().unwrap_or_else(std::sync::PoisonError::into_inner).found.push(token);
    }

    /// Sets the token an imported object's objects carry.
    pub fn set_owner(&self, owner: Option<Token>) {
        self.ownership.lock().unwrap_or_else(std::sync::PoisonError::into_inner).owner = owner;
    }

    pub fn warn(&self, summary: impl Into<String>, detail: impl Into<String>) {
        self.say(tfplugin6::Diagnostic::warning(summary, detail));
    }

    /// Passes a warning (with its attribute, if any) on to Terraform.
    pub fn say(&self, warning: tfplugin6::Diagnostic) {
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

    /// Notes that a create resumed an object an earlier, unfinished create made; said with
    /// [`Ctx::say_adopted`] once the object is held.
    pub fn note_adopted(&self, kind: &str, object: &str) {
        self.adopted
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .push((kind.to_string(), object.to_string()));
    }

    /// Says what was resumed, now that the apply holds it.
    pub fn say_adopted(&self) {
        let adopted = std::mem::take(&mut *self.adopted.lock().unwrap_or_else(std::sync::PoisonError::into_inner));
        for (kind, object) in adopted {
            self.warn(
                format!("Adopted an existing {kind}"),
                format!(
                    "{kind} {object} was made by an earlier apply that did not finish (its answer was lost, or the \
                     run was stopped or timed out) and still carried its unfinished-create marker, so this apply \
                     finished it instead of making another. It is now this resource's: destroying the resource \
                     deletes it."
                ),
            );
        }
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

/// The problems of configured tags, each on its key: an empty key, control characters, or the
/// key the provider keeps for its ownership marker ([`ownership::OWNER_TAG`]).
pub fn tag_problems(tags: &tfplugin6::Attr<std::collections::BTreeMap<String, String>>, path: AttrPath) -> Diagnostics {
    let mut diags = Diagnostics::default();
    for (key, value) in tags.known().into_iter().flatten() {
        let problem = if key.is_empty() {
            Some("A tag key cannot be empty.".to_string())
        } else if key == ownership::OWNER_TAG {
            Some(format!(
                "{:?} is the provider's own tag: it marks whose finished create made the object. Use another key.",
                ownership::OWNER_TAG
            ))
        } else {
            text_problem(key).or_else(|| text_problem(value))
        };
        if let Some(problem) = problem {
            diags.push(tfplugin6::Diagnostic::error("Invalid tag", problem).at(path.clone().key(key)));
        }
    }
    diags
}

/// What is wrong with a name, description or tag the clouds would store, if anything: control
/// characters (a NUL, a newline) are refused by the clouds or break their consoles.
pub fn text_problem(text: &str) -> Option<String> {
    if let Some(bad) = text.chars().find(|c| tfplugin6::diagnostics::is_bidi_control(*c)) {
        return Some(format!(
            "{text:?} contains the bidirectional control {bad:?}, which makes a name read differently from what it \
             is; leave it out."
        ));
    }
    let bad = text.chars().find(|c| c.is_control())?;
    Some(format!("{text:?} contains the control character {bad:?}; use printable characters only."))
}
