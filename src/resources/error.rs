//! Resource errors as values, and the one place they become Terraform diagnostics.

use std::time::Duration;

use super::ownership::Foreign;
use peering_clouds::{CloudError, CloudFailure, Unavailable, credential_settings};
use peering_net::Cloud;
use tfplugin6::object::ShapeError;
use tfplugin6::{AttrPath, CodecError, Diagnostic, Diagnostics};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration asks for something that cannot be.
    #[error("{summary}: {detail}")]
    Invalid { summary: String, detail: String, path: Option<AttrPath> },
    #[error("no {cloud} credentials")]
    MissingCredentials { cloud: &'static str, setting: &'static str, env: &'static str, path: AttrPath },
    /// What a cloud answered (or did not), in its own words.
    #[error(transparent)]
    Cloud(#[from] CloudError),
    /// A cloud object reached a state that waiting will not fix.
    #[error("{summary}: {detail}")]
    Failed { summary: String, detail: String },
    #[error("timed out after {after:?} waiting for {what}")]
    Timeout { what: String, after: Duration },
    #[error("cancelled by Terraform")]
    Cancelled,
    #[error("value does not match the schema: {0}")]
    Codec(#[from] CodecError),
    #[error("value does not match the schema: {0}")]
    Shape(#[from] ShapeError),
    /// Plan-time checks found problems, each with its own attribute.
    #[error("{} plan-time check(s) failed", .0.0.len())]
    Rejected(Diagnostics),
    /// An object to be made exists already and is not this resource's to take (the ownership
    /// rule, [`super::ownership`]): nothing was written.
    #[error("{kind} {object} already exists")]
    AlreadyExists { kind: &'static str, object: String, import_id: String, why: Foreign },
    /// Another run made the same half at the same moment, and ours was taken back: the
    /// creator looks again and decides by the ownership rule.
    #[error("another run made the same {kind} at the same moment")]
    Raced { kind: &'static str },
    /// The cloud changed between the plan and its apply, so what the apply found and did
    /// differs from the values the plan showed.
    #[error("changed since the plan: {}", .changes.join("; "))]
    ChangedSincePlan { changes: Vec<String> },
    /// A create stopped before it was done (timeout, stop, a cloud that kept failing); what it
    /// made so far stays in the clouds for the next apply to adopt.
    #[error("{cause}")]
    Unfinished { cause: Box<Error>, left: Vec<String> },
}

impl Error {
    pub fn invalid(summary: impl Into<String>, detail: impl Into<String>, path: Option<AttrPath>) -> Error {
        Error::Invalid { summary: summary.into(), detail: detail.into(), path }
    }

    pub fn failed(summary: impl Into<String>, detail: impl Into<String>) -> Error {
        Error::Failed { summary: summary.into(), detail: detail.into() }
    }

    /// A write went unanswered and may have taken effect.
    pub fn outcome_unknown(&self) -> bool {
        match self {
            Error::Cloud(e) => e.outcome_unknown(),
            _ => false,
        }
    }

    /// Whether trying again later may succeed: the cloud was slow or failing, or Terraform
    /// stopped us. Anything else (a refusal, a failure state) needs a change first.
    pub fn is_resumable(&self) -> bool {
        match self {
            Error::Timeout { .. } | Error::Cancelled | Error::Raced { .. } => true,
            Error::Cloud(e) => e.is_transient(),
            Error::Unfinished { cause, .. } => cause.is_resumable(),
            _ => false,
        }
    }

    /// The diagnostics Terraform shows for this error.
    pub fn to_diagnostics(&self) -> Diagnostics {
        match self {
            Error::Rejected(diags) => diags.clone(),
            Error::Shape(shape) => shape.diagnostics(),
            other => other.to_diagnostic().into(),
        }
    }

    /// The diagnostic Terraform shows for this error.
    pub fn to_diagnostic(&self) -> Diagnostic {
        match self {
            Error::Rejected(diags) => {
                diags.0.first().cloned().unwrap_or_else(|| Diagnostic::error("Plan rejected", ""))
            }
            Error::Invalid { summary, detail, path } => {
                let d = Diagnostic::error(summary.clone(), detail.clone());
                match path {
                    Some(p) => d.at(p.clone()),
                    None => d,
                }
            }
            Error::MissingCredentials { cloud, setting, env, path } => Diagnostic::error(
                format!("Missing {cloud} credentials"),
                format!(
                    "This resource uses {cloud}, but the provider has no {cloud} credentials. Set {setting} in the \
                     provider \"peering\" block, or the environment variables {env}."
                ),
            )
            .at(path.clone()),
            Error::Cloud(e) if e.is_auth_failure() => Diagnostic::error(
                format!("{} rejected the {}", e.cloud().display_name(), e.credentials_noun()),
                format!("{}. Check {}.", e.to_string().trim_end_matches('.'), e.credentials_hint()),
            ),
            Error::Cloud(e) => Diagnostic::error(format!("{} API error", e.cloud().display_name()), e.to_string()),
            Error::Failed { summary, detail } => Diagnostic::error(summary.clone(), detail.clone()),
            Error::Timeout { what, after } => Diagnostic::error(
                "Timed out",
                format!("Waited {} for {what}. Raise the resource's timeouts if the cloud is slow.", humanize(*after)),
            ),
            Error::Cancelled => Diagnostic::error("Cancelled", "Terraform asked the provider to stop."),
            Error::Raced { kind } => Diagnostic::error(
                format!("{kind} made twice"),
                format!("Another run kept making the same {kind} at the same moment. Apply again."),
            ),
            Error::AlreadyExists { kind, object, import_id, why } => Diagnostic::error(
                format!("{kind} already exists"),
                format!(
                    "{kind} {object} already exists, and {}. Nothing was changed. To manage it with this resource \
                     instead, remove it from whatever manages it now and import it (terraform import ADDRESS \
                     {import_id}, or an import block with id = \"{import_id}\").",
                    whose(*why)
                ),
            ),
            Error::ChangedSincePlan { changes } => Diagnostic::error(
                "Changed since the plan",
                format!(
                    "The clouds changed between this plan and its apply (a half deleted or changed by hand, say), so \
                     the apply did what the configuration asks but the result differs from what the plan showed:\n  \
                     - {}\nState now records what exists. Run terraform plan again: it shows what, if anything, \
                     remains to do.",
                    changes.join("\n  - ")
                ),
            ),
            Error::Unfinished { cause, left } => {
                let mut d = cause.to_diagnostic();
                if left.is_empty() {
                    d.detail.push_str("\n\nNothing was created yet; the next apply starts again.");
                } else {
                    d.detail.push_str(&format!(
                        "\n\nThe peering is not finished, so it is not recorded in state. What exists so far stays in \
                         place:\n  - {}\nThe next apply continues with these (it adopts them; nothing is deleted or \
                         made twice). To give up instead, delete them in the clouds' consoles or APIs.",
                        left.join("\n  - ")
                    ));
                }
                d
            }
            Error::Codec(e) => Diagnostic::error("Provider value error", e.to_string()),
            Error::Shape(e) => Diagnostic::error("Provider value error", e.to_string()),
        }
    }
}

/// Why an object found is someone else's, in words.
fn whose(why: Foreign) -> &'static str {
    match why {
        Foreign::Unmarked => {
            "it carries no marker of this provider: it was made by hand, by another tool (an official provider, a \
             CLI), or by a version of this provider from before markers"
        }
        Foreign::Owned => {
            "it belongs to a finished create of another Terraform state or resource (another workspace or \
             configuration, or another address in this one). If you renamed this resource or its for_each or \
             count key, add a moved block instead. If this create replaces this resource's own object with \
             lifecycle create_before_destroy, remove create_before_destroy: the clouds allow one peering between \
             two networks and one route per destination, so the new one can only be made once the old one is gone \
             (Terraform keeps the old one meanwhile). If an apply was killed between its last write and saving state, this is that apply's \
             object: import it"
        }
        Foreign::BeingCreated => {
            "another apply is creating it at this moment (it appeared while this one was making it); let that \
             apply finish"
        }
        Foreign::Different => {
            "an unfinished create made it with another name or other tags than this resource plans, so it is not \
             this resource's to finish"
        }
        Foreign::Mismatch => {
            "it differs from what this resource plans (another next hop or name), so it was made by hand, by \
             another tool or by another Terraform state"
        }
    }
}

/// `90s` → `1m30s`, as a user would write it.
fn humanize(d: Duration) -> String {
    let secs = d.as_secs();
    match (secs / 3600, secs % 3600 / 60, secs % 60) {
        (0, 0, 0) => format!("{}ms", d.as_millis()),
        (0, 0, s) => format!("{s}s"),
        (0, m, 0) => format!("{m}m"),
        (0, m, s) => format!("{m}m{s}s"),
        (h, m, _) => format!("{h}h{m}m"),
    }
}

/// A cloud's client, or an error on `path` saying why the provider has none.
pub fn need<'c, C>(client: &'c Result<C, Unavailable>, cloud: Cloud, path: &AttrPath) -> Result<&'c C, Error> {
    client.as_ref().map_err(|why| unavailable(why, cloud, path))
}

/// Why the provider has no client for `cloud`, as an error on `path`.
pub(super) fn unavailable(why: &Unavailable, cloud: Cloud, path: &AttrPath) -> Error {
    let name = cloud.display_name();
    match why {
        Unavailable::MissingCredentials => {
            let (setting, env) = credential_settings(cloud);
            Error::MissingCredentials { cloud: name, setting, env, path: path.clone() }
        }
        Unavailable::Invalid(reason) => {
            Error::invalid(format!("Invalid {name} provider settings"), reason.clone(), Some(path.clone()))
        }
        Unavailable::NotYetKnown => Error::invalid(
            format!("{name} provider settings are not known yet"),
            "The provider block depends on values known only after apply; apply those first.",
            Some(path.clone()),
        ),
    }
}

/// A cloud answer, `None` when the object is gone (404 is an answer, not a failure).
pub fn unless_gone<T, E: CloudFailure>(result: Result<T, E>) -> Result<Option<T>, Error>
where
    Error: From<E>,
{
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Each cloud's error is a resource error, tagged by its cloud. (One impl per cloud: a blanket
/// impl over `CloudFailure` would overlap the `#[from]`s above, types of other crates.)
macro_rules! from_cloud_errors {
    ($($error:ty),*) => {$(
        impl From<$error> for Error {
            fn from(error: $error) -> Self {
                Error::Cloud(error.into())
            }
        }
    )*};
}
from_cloud_errors!(
    peering_clouds::aiven::AivenError,
    peering_clouds::upcloud::UpcloudError,
    peering_clouds::scaleway::ScalewayError
);
