//! One cloud object, one resource: two resources that would manage the same peering half or the
//! same route are refused at plan time, before either writes.
//!
//! Terraform tells a provider neither resource addresses nor which calls belong to one resource
//! instance, so each instance carries a token in its private state; a plan that re-plans one
//! instance (a replacement plans twice) keeps its token and never conflicts with itself. The
//! register covers one graph walk: `ConfigureProvider` starts a new one.

use std::collections::HashMap;
use std::sync::Mutex;

use serde::{Deserialize, Serialize};

use crate::resources::Claim;
use crate::resources::ownership::{Ownership, Token};
use tfplugin6::{Diagnostic, Diagnostics};

/// What this provider keeps in a resource instance's private state: the instance token (this
/// file) and the ownership evidence ([`crate::resources::ownership`]).
#[derive(Debug, Default, Clone, Serialize, Deserialize)]
pub(super) struct Private {
    #[serde(default)]
    instance: Option<String>,
    /// The token on the instance's cloud objects.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    owner: Option<Token>,
    /// In a create's plan: the token of the object it replaces.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    replacing: Option<Token>,
}

impl Private {
    /// What Terraform handed back; unreadable bytes (another provider's) read as nothing.
    pub(super) fn decode(bytes: &[u8]) -> Private {
        serde_json::from_slice(bytes).unwrap_or_default()
    }

    pub(super) fn encode(&self) -> Vec<u8> {
        serde_json::to_vec(self).unwrap_or_default()
    }

    /// The ownership an operation on the stored object starts from.
    pub(super) fn ownership(&self) -> Ownership {
        Ownership { owner: self.owner.clone(), replacing: self.replacing.clone(), ..Default::default() }
    }

    /// The token on the instance's objects.
    pub(super) fn owner(&self) -> Option<&Token> {
        self.owner.as_ref()
    }

    /// A create's plan: Terraform hands a replacement's second plan the first plan's private
    /// state, so a token there is the replaced object's.
    pub(super) fn for_create_plan(mut self) -> Private {
        self.replacing = self.owner.take().or(self.replacing);
        self
    }

    /// The private state after an operation that ended with `ownership`.
    pub(super) fn with(mut self, ownership: Ownership) -> Private {
        self.owner = ownership.owner;
        self.replacing = None;
        self
    }
}

/// The instance token carried in `private`, or a new one; and the private state to plan.
pub(super) fn instance_token(mut private: Private) -> (String, Private) {
    let token = private.instance.get_or_insert_with(|| uuid::Uuid::new_v4().to_string()).clone();
    (token, private)
}

#[derive(Debug, Clone)]
struct Holder {
    instance: String,
    description: String,
}

/// How a plan met an owner token ([`crate::resources::ownership`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Met {
    /// A plan destroys the object that holds it.
    Destroyed,
    /// A create's plan found objects it marks (another resource instance's).
    FoundByCreate,
}

/// Who has claimed what in the current walk, and the owner tokens its plans met.
#[derive(Debug, Default)]
pub(super) struct Register(Mutex<HashMap<String, Holder>>, Mutex<HashMap<Token, Met>>);

impl Register {
    pub(super) fn reset(&self) {
        self.lock().clear();
        self.owners().clear();
    }

    fn owners(&self) -> std::sync::MutexGuard<'_, HashMap<Token, Met>> {
        self.1.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// A plan destroys the object holding `token`, or a create's plan found objects it marks:
    /// both in one walk is one peering destroyed and made again by another address (a renamed
    /// resource or for_each key), which Terraform would do at the same moment. The second of
    /// the two plans is refused.
    pub(super) fn met(&self, token: &Token, destroyed: bool) -> Option<Diagnostic> {
        let met = if destroyed { Met::Destroyed } else { Met::FoundByCreate };
        let mut owners = self.owners();
        match owners.get(token) {
            Some(other) if *other != met => Some(Diagnostic::error(
                "Destroyed and made again under another address",
                "This plan destroys a peering or route at one address and creates the same one at another (a \
                 renamed resource, or a renamed for_each or count key). Terraform would do both at once, and the \
                 clouds allow one peering between two networks, so the apply would fail half-way or leave the \
                 networks unpeered. Add a moved block from the old address to the new one: nothing is then \
                 destroyed or made. Or apply in two steps: the removal first.",
            )),
            _ => {
                owners.insert(token.clone(), met);
                None
            }
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Holder>> {
        self.0.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Records the claims of one instance; one error per other resource it collides with,
    /// naming every object they share (a peering declared twice shares both its halves).
    pub(super) fn claim(&self, instance: &str, claims: Vec<Claim>) -> Diagnostics {
        let mut held = self.lock();
        // Per other holder: the objects shared with it, and where the first one points.
        let mut shared: Vec<(String, Vec<String>, tfplugin6::AttrPath)> = Vec::new();
        for claim in claims {
            match held.get(&claim.object) {
                Some(other) if other.instance != instance => {
                    match shared.iter_mut().find(|(holder, _, _)| *holder == other.description) {
                        Some((_, objects, _)) => objects.push(claim.object),
                        None => shared.push((other.description.clone(), vec![claim.object], claim.path)),
                    }
                }
                Some(_) => {}
                None => {
                    held.insert(claim.object, Holder { instance: instance.to_string(), description: claim.holder });
                }
            }
        }
        let mut diags = Diagnostics::default();
        for (other, objects, path) in shared {
            let (what, verb) = match objects.as_slice() {
                [one] => (one.clone(), "is"),
                [first @ .., last] => (format!("{} and {}", first.join(", "), lowercase_first(last)), "are"),
                [] => continue,
            };
            diags.push(
                Diagnostic::error(
                    "Declared twice",
                    format!(
                        "{what} {verb} also managed by {other} in this configuration. Two resources managing one \
                         object undo each other on every apply, and destroying either removes it from both. Keep one \
                         of them (Terraform does not tell providers resource addresses: look for the other by the \
                         values above)."
                    ),
                )
                .at(path),
            );
        }
        diags
    }
}

/// "The route …" → "the route …", for an object named after the first in a sentence.
fn lowercase_first(text: &str) -> String {
    let mut chars = text.chars();
    chars.next().map(|c| c.to_lowercase().chain(chars).collect()).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use tfplugin6::AttrPath;

    fn claim(object: &str) -> Claim {
        Claim { object: object.into(), holder: format!("holder of {object}"), path: AttrPath::root("x") }
    }

    #[test]
    fn a_second_instance_is_refused_and_the_same_one_is_not() {
        let register = Register::default();
        let (a, private_a) = instance_token(Private::default());
        let (b, _) = instance_token(Private::default());
        assert_ne!(a, b);
        assert!(register.claim(&a, vec![claim("half 1"), claim("half 2")]).is_empty());
        // The same instance planned again (a replacement) keeps its token.
        let (again, _) = instance_token(Private::decode(&private_a.encode()));
        assert_eq!(again, a);
        assert!(register.claim(&again, vec![claim("half 1")]).is_empty());
        let refused = register.claim(&b, vec![claim("half 2"), claim("half 3")]);
        assert_eq!(refused.0.len(), 1);
        assert!(refused.0[0].detail.contains("holder of half 2"), "{refused:?}");
        register.reset();
        assert!(register.claim(&b, vec![claim("half 2")]).is_empty());
    }

    #[test]
    fn one_collision_is_one_error_naming_every_shared_object() {
        let register = Register::default();
        let of_a =
            |object: &str| Claim { object: object.into(), holder: "peering a".into(), path: AttrPath::root("x") };
        let (a, _) = instance_token(Private::default());
        let (b, _) = instance_token(Private::default());
        assert!(register.claim(&a, vec![of_a("The half one way"), of_a("The half the other way")]).is_empty());
        let refused = register.claim(&b, vec![claim("The half one way"), claim("The half the other way")]);
        assert_eq!(refused.0.len(), 1, "{refused:?}");
        assert!(
            refused.0[0]
                .detail
                .starts_with("The half one way and the half the other way are also managed by peering a"),
            "{refused:?}"
        );
    }
}
