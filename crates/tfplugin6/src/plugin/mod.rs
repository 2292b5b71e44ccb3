//! The go-plugin side of the process: how Terraform starts us, finds us and talks to us.
//!
//! * [`handshake`]: the magic cookie, protocol negotiation and the one stdout line.
//! * [`listener`]: a unix socket in a private temporary directory (loopback TCP on Windows).
//! * [`tls`]: AutoMTLS with a pinned client certificate.
//! * [`parent`]: exiting when Terraform is gone.
//! * [`services`]: `GRPCController`, `GRPCStdio` and health, beside the provider service.
//! * [`server`]: wiring it all into one tonic server, managed or in `--debug` mode.

pub mod handshake;
pub mod listener;
pub mod parent;
pub mod server;
pub mod services;
pub mod tls;

/// Generated go-plugin service code (`proto/go_plugin.proto`).
#[allow(clippy::all, missing_docs)]
pub mod proto {
    tonic::include_proto!("plugin");
}

/// Terraform sends whole states; the reference Go server allows 256 MiB messages.
pub const MAX_MESSAGE_BYTES: usize = 256 << 20;
