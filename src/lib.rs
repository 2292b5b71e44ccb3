//! terraform-provider-peering: a Terraform provider for private network peerings between
//! Aiven, UpCloud and Scaleway, and a local emulator of the three clouds' APIs.
//!
//! The provider is the top of the workspace; the layers below it are crates, so the compiler
//! holds their direction:
//! * `tfplugin6`: Terraform's protocol, values, schemas, diagnostics and the plugin server.
//! * `peering_net`: typed values every layer shares (CIDRs, ids, endpoints).
//! * `peering_clouds`: HTTP with retries, bounds and redaction, and one typed client per cloud.
//! * `peering_emulator` (tests only): the clouds' APIs on loopback.
//!
//! In this crate:
//! * [`provider`]: the tfplugin6 service, provider configuration, dispatch to resources.
//! * [`resources`]: `peering_connection` and `peering_custom_route`, over the typed resource
//!   contract.
//! * [`data_sources`]: `peering_network` and `peering_preflight`, read-only lookups over the
//!   same checks.
//! * [`logging`]: go-plugin's JSON log lines on stderr.
//!
//! Inside the crate, `tests/layers.rs` fails on a circle between modules.

#![warn(unreachable_pub)]

pub mod data_sources;
pub mod logging;
pub mod provider;
pub mod resources;

/// The provider's local name and resource type prefix.
pub const PROVIDER_NAME: &str = "peering";
/// The one source address used in examples, docs and tests.
pub const SOURCE_ADDRESS: &str = "registry.terraform.io/peering-dev/peering";
