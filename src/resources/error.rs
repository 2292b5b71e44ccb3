//! Resource errors as values, and the one place they become Terraform diagnostics.

use std::time::Duration;

use crate::clouds::aiven::AivenError;
use crate::clouds::scaleway::ScalewayError;
use crate::clouds::upcloud::UpcloudError;
use crate::tf::object::ShapeError;
use crate::tf::{AttrPath, CodecError, Diagnostic, Diagnostics};

#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The configuration asks for something that cannot be.
    #[error("{summary}: {detail}")]
    Invalid { summary: String, detail: String, path: Option<AttrPath> },
    #[error("no {cloud} credentials")]
    MissingCredentials { cloud: &'static str, setting: &'static str, env: &'static str, path: AttrPath },
    #[error(transparent)]
    Upcloud(#[from] UpcloudError),
    #[error(transparent)]
    Aiven(#[from] AivenError),
    #[error(transparent)]
    Scaleway(#[from] ScalewayError),
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
}

impl Error {
    pub fn invalid(summary: impl Into<String>, detail: impl Into<String>, path: Option<AttrPath>) -> Error {
        Error::Invalid { summary: summary.into(), detail: detail.into(), path }
    }

    pub fn failed(summary: impl Into<String>, detail: impl Into<String>) -> Error {
        Error::Failed { summary: summary.into(), detail: detail.into() }
    }

    /// The diagnostics Terraform shows for this error.
    pub fn to_diagnostics(&self) -> Diagnostics {
        match self {
            Error::Rejected(diags) => diags.clone(),
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
            Error::Upcloud(e) => Diagnostic::error("UpCloud API error", e.to_string()),
            Error::Aiven(e) => Diagnostic::error("Aiven API error", e.to_string()),
            Error::Scaleway(e) => Diagnostic::error("Scaleway API error", e.to_string()),
            Error::Failed { summary, detail } => Diagnostic::error(summary.clone(), detail.clone()),
            Error::Timeout { what, after } => Diagnostic::error(
                "Timed out",
                format!(
                    "Waited {}s for {what}. Raise the resource's timeouts if the cloud is slow; the state records \
                     what exists so far, and the next apply continues from there.",
                    after.as_secs()
                ),
            ),
            Error::Cancelled => Diagnostic::error(
                "Cancelled",
                "Terraform asked the provider to stop; the state records what exists so far.",
            ),
            Error::Codec(e) => Diagnostic::error("Provider value error", e.to_string()),
            Error::Shape(e) => Diagnostic::error("Provider value error", e.to_string()),
        }
    }
}

/// Cloud errors that can say "that object does not exist".
pub trait NotFound {
    fn is_not_found(&self) -> bool;
}

impl NotFound for UpcloudError {
    fn is_not_found(&self) -> bool {
        UpcloudError::is_not_found(self)
    }
}

impl NotFound for AivenError {
    fn is_not_found(&self) -> bool {
        AivenError::is_not_found(self)
    }
}

impl NotFound for ScalewayError {
    fn is_not_found(&self) -> bool {
        ScalewayError::is_not_found(self)
    }
}

/// A cloud answer, `None` when the object is gone (404 is an answer, not a failure).
pub fn unless_gone<T, E: NotFound + Into<Error>>(result: Result<T, E>) -> Result<Option<T>, Error> {
    match result {
        Ok(value) => Ok(Some(value)),
        Err(e) if e.is_not_found() => Ok(None),
        Err(e) => Err(e.into()),
    }
}
