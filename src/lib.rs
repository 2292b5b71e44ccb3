//! terraform-provider-peering: a Terraform provider for private network peerings between
//! Aiven, UpCloud and Scaleway, and a local emulator of the three clouds' APIs.
//!
//! The layers, outermost first:
//! * [`plugin`]: go-plugin handshake, listener (unix socket, or TCP on Windows), AutoMTLS, side services.
//! * [`tf`]: Terraform's protocol types, values and their codecs, schemas, diagnostics.
//! * [`provider`]: the tfplugin6 service, provider configuration, dispatch to resources.
//! * [`resources`]: `peering_connection` and `peering_custom_route`, over the typed resource
//!   contract.
//! * [`data_sources`]: `peering_preflight`, read-only lookups over the same checks.
//! * [`clouds`]: HTTP with retries and redaction, and one typed client per cloud.
//! * [`net`]: typed values every layer shares (CIDRs, ids, endpoints).
//! * [`emulator`]: a local stand-in for the clouds' APIs over one shared world; it shares only
//!   [`net`] with the rest, never the clients' wire types.
//!
//! Dependencies point one way; `tests/layers.rs` fails on an import against it.

#![warn(unreachable_pub)]

pub mod clouds;
pub mod data_sources;
pub mod emulator;
pub mod logging;
pub mod net;
pub mod plugin;
pub mod provider;
pub mod resources;
pub mod tf;

/// The provider's local name and resource type prefix.
pub const PROVIDER_NAME: &str = "peering";
/// The one source address used in examples, docs and tests.
pub const SOURCE_ADDRESS: &str = "registry.terraform.io/peering-dev/peering";
