//! Terraform's side of the wire: generated protocol types, the value model and its codecs,
//! schemas, attribute paths and diagnostics.

pub mod diagnostics;
pub mod duration;
mod json;
mod msgpack;
pub mod object;
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
