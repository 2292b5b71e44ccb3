//! Whose a cloud object is. Terraform tells a provider no workspace, state or resource address,
//! so the evidence lives on the objects themselves and in each resource instance's private state:
//!
//! - a create writes the marker tag `peering-owner = creating-TOKEN` on every object it makes (in
//!   the same request that makes it), and `peering-owner = TOKEN` once the whole create has
//!   finished; TOKEN is new for each create and kept in the instance's private state;
//! - an object marked `creating-…` found at a create's first look, carrying the planned name and
//!   tags, is an earlier create that never finished (its answer lost, the run killed or timed
//!   out): it is resumed. Found after our own create was refused, another run is making it now;
//! - an object marked with a finished TOKEN belongs to whichever state holds that token; one with
//!   no marker was made by hand, by another tool or before markers. Either is "already exists …
//!   import". A plan that replaces this very object (its private state names the token) expects
//!   the object and says nothing; the apply then deletes the old object first. With
//!   `create_before_destroy` Terraform asks for the new object while the old one stands and
//!   tells the provider nothing of the old one at that moment, so the create refuses (Terraform
//!   keeps the old object) and says to remove `create_before_destroy`: the clouds allow one
//!   peering between two networks.
//!
//! An Aiven peering has no tags: its UpCloud partner half judges for it. An UpCloud router
//! static route has none either: a label of its router carries its marker.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// Whether runs guard against each other: markers judged, and router writes looked at again
/// after the settle window (`custom_route/router_writes.rs`). Test builds can switch both off
/// with `PEERING_TEST_WITHOUT_CROSS_RUN_PROTOCOL=1`, to show that the many-runs tests
/// (`tests/e2e_many_runs.rs`) fail without them; release builds always guard.
#[cfg(debug_assertions)]
pub fn cross_run_protocol() -> bool {
    std::env::var_os("PEERING_TEST_WITHOUT_CROSS_RUN_PROTOCOL").is_none()
}

#[cfg(not(debug_assertions))]
pub fn cross_run_protocol() -> bool {
    true
}

/// The tag (UpCloud label, Scaleway `key=value` tag) that carries the marker.
pub const OWNER_TAG: &str = "peering-owner";
const CREATING: &str = "creating-";

/// One create's token: new for every create, kept in the instance's private state.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Token(String);

impl Token {
    pub fn new() -> Token {
        Token(uuid::Uuid::new_v4().simple().to_string())
    }
}

impl Default for Token {
    fn default() -> Self {
        Token::new()
    }
}

impl std::fmt::Display for Token {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The marker an object carries.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Mark {
    Unmarked,
    /// Made by a create that has not finished (or never will: killed, timed out).
    Creating(Token),
    /// Held by the state whose finished create (or later update) wrote this token.
    Owned(Token),
}

impl Mark {
    /// The marker among an object's tags.
    pub fn of(tags: &BTreeMap<String, String>) -> Mark {
        match tags.get(OWNER_TAG) {
            None => Mark::Unmarked,
            Some(value) => match value.strip_prefix(CREATING) {
                Some(token) => Mark::Creating(Token(token.to_string())),
                None => Mark::Owned(Token(value.clone())),
            },
        }
    }

    /// The token an imported object carries: the state that imports it holds it from then on.
    pub fn owner(&self) -> Option<Token> {
        self.token().cloned()
    }

    fn token(&self) -> Option<&Token> {
        match self {
            Mark::Unmarked => None,
            Mark::Creating(t) | Mark::Owned(t) => Some(t),
        }
    }

    /// The user's tags with this marker beside them: what is written to the cloud.
    pub fn with(&self, tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
        let mut all = without_marker(tags);
        match self {
            Mark::Unmarked => {}
            Mark::Creating(t) => {
                all.insert(OWNER_TAG.to_string(), format!("{CREATING}{t}"));
            }
            Mark::Owned(t) => {
                all.insert(OWNER_TAG.to_string(), t.0.clone());
            }
        }
        all
    }
}

/// An object's tags as the user sees them: the marker is the provider's.
pub fn without_marker(tags: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    tags.iter().filter(|(k, _)| k.as_str() != OWNER_TAG).map(|(k, v)| (k.clone(), v.clone())).collect()
}

/// One resource instance's evidence, as its private state carries it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Ownership {
    /// The token on this object's cloud objects (`None`: made before markers, or imported
    /// unmarked).
    pub owner: Option<Token>,
    /// For a create planned to replace an object: that object's token.
    pub replacing: Option<Token>,
    /// Tokens of unfinished creates this one resumed: their other objects are this create's
    /// to take too (re-marked as it takes them, so that their creator, should it still run,
    /// gives way when it finishes).
    pub resumed: Vec<Token>,
    /// At plan time: the tokens of other instances' finished objects a create found.
    pub found: Vec<Token>,
}

/// Why an object found is not this resource's to take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Foreign {
    /// No marker: made by hand, by another tool, or before markers.
    Unmarked,
    /// Another state's finished create holds it.
    Owned,
    /// Another run is making it right now.
    BeingCreated,
    /// An unfinished create with another name or tags than planned.
    Different,
    /// An object without room for a marker (an UpCloud static route) that is not as planned.
    Mismatch,
}

/// What a create may do with an object it found where it would make one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// This object's own (its token).
    Ours,
    /// An earlier create that never finished: resume it.
    Resume,
    /// The object this plan replaces holds it (the apply deletes that one first).
    Replaced,
    Foreign(Foreign),
}

impl Ownership {
    /// Judges an object found where a create would make one. `first_look`: found before this
    /// create wrote anything (else another run made it meanwhile); `as_planned`: it carries the
    /// planned name and tags.
    pub fn judge(&self, mark: &Mark, first_look: bool, as_planned: bool) -> Verdict {
        if !cross_run_protocol() {
            // Switched off (test builds): whatever is found is taken for this create's own.
            return Verdict::Ours;
        }
        if mark.token().is_some() && mark.token() == self.owner.as_ref() {
            return Verdict::Ours;
        }
        // An unfinished create this one resumes: its halves are this one's, and one still
        // unfinished at first sight is said as adopted.
        if mark.token().is_some() && self.resumed.iter().any(|t| mark.token() == Some(t)) {
            return match mark {
                Mark::Creating(_) if first_look && as_planned => Verdict::Resume,
                _ => Verdict::Ours,
            };
        }
        if mark.token().is_some() && mark.token() == self.replacing.as_ref() {
            return Verdict::Replaced;
        }
        match mark {
            Mark::Creating(_) if first_look && as_planned => Verdict::Resume,
            Mark::Creating(_) if !as_planned => Verdict::Foreign(Foreign::Different),
            Mark::Creating(_) => Verdict::Foreign(Foreign::BeingCreated),
            Mark::Owned(_) => Verdict::Foreign(Foreign::Owned),
            Mark::Unmarked => Verdict::Foreign(Foreign::Unmarked),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tags(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect()
    }

    #[test]
    fn the_marker_round_trips_beside_the_users_tags() {
        let token = Token::new();
        let user = tags(&[("team", "db")]);
        for mark in [Mark::Creating(token.clone()), Mark::Owned(token.clone()), Mark::Unmarked] {
            let written = mark.with(&user);
            assert_eq!(Mark::of(&written), mark);
            assert_eq!(without_marker(&written), user);
        }
        assert_eq!(Mark::Owned(token.clone()).with(&user).len(), 2);
    }

    #[test]
    fn a_create_resumes_only_unfinished_work_and_expects_only_what_it_replaces() {
        let (ours, theirs, replaced) = (Token::new(), Token::new(), Token::new());
        let create = Ownership { owner: Some(ours.clone()), replacing: Some(replaced.clone()), ..Default::default() };
        assert_eq!(create.judge(&Mark::Creating(ours.clone()), false, false), Verdict::Ours);
        assert_eq!(create.judge(&Mark::Owned(ours), false, false), Verdict::Ours);
        assert_eq!(create.judge(&Mark::Creating(theirs.clone()), true, true), Verdict::Resume);
        assert_eq!(create.judge(&Mark::Creating(theirs.clone()), false, true), Verdict::Foreign(Foreign::BeingCreated));
        assert_eq!(create.judge(&Mark::Creating(theirs.clone()), true, false), Verdict::Foreign(Foreign::Different));
        assert_eq!(create.judge(&Mark::Owned(theirs), true, true), Verdict::Foreign(Foreign::Owned));
        assert_eq!(create.judge(&Mark::Unmarked, true, true), Verdict::Foreign(Foreign::Unmarked));
        assert_eq!(create.judge(&Mark::Owned(replaced), true, false), Verdict::Replaced);
    }
}
