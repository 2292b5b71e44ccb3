//! Terraform's plugin protocol 6 for providers written in Rust. It knows nothing of any
//! particular provider:
//!
//! * [`proto`]: the tfplugin6 service and messages, generated from `proto/tfplugin6.proto`.
//! * [`value`], [`types`], [`object`]: Terraform's value model, its types and typed decoding
//!   (`tf_object!`, `tf_enum!`, `tf_text!`), with the msgpack and JSON codecs behind them.
//! * [`schema`], [`diagnostics`], [`duration`]: schemas with plan modifiers, diagnostics with
//!   attribute paths, and Terraform's duration strings.
//! * [`plugin`]: the go-plugin handshake, listener, AutoMTLS and the server, managed by Terraform
//!   or in `--debug` mode.
//!
//! A provider implements [`proto::provider_server::Provider`] and hands it to
//! [`plugin::server::serve_managed`]; `tests/example_provider.rs` is a whole one, driven by a
//! real Terraform.

#![warn(unreachable_pub)]

pub mod diagnostics;
pub mod duration;
mod json;
mod msgpack;
pub mod object;
pub mod plugin;
pub mod schema;
pub mod types;
pub mod value;

/// Code generated from `proto/tfplugin6.proto`.
#[allow(clippy::all, missing_docs)]
pub mod proto {
    tonic::include_proto!("tfplugin6");
}

pub use diagnostics::{AttrPath, Diagnostic, Diagnostics, Severity};
pub use object::{Attr, FromValue, IntoValue};
pub use schema::{Attribute, Block, Schema};
pub use types::Type;
pub use value::{CodecError, Number, Value};
