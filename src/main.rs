//! `terraform-provider-peering`: started by Terraform (go-plugin handshake), or by a person
//! with `--debug` to serve Terraform through `TF_REATTACH_PROVIDERS`.

use clap::Parser;

use peering::plugin::server::{self, ServeError};
use peering::provider::ProviderService;

#[derive(Parser)]
#[command(version, about = "Terraform provider for private network peerings (Aiven, UpCloud, Scaleway)")]
struct Cli {
    /// Serve plaintext (on a unix socket; loopback TCP on Windows) and print the
    /// TF_REATTACH_PROVIDERS value to export.
    #[arg(long)]
    debug: bool,
}

/// How long the process waits, after Shutdown, for cloud writes still under way.
const DRAIN: std::time::Duration = std::time::Duration::from_millis(1500);

fn main() {
    let cli = Cli::parse();
    peering::logging::init("provider.terraform-provider-peering");
    peering::provider::install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async {
        let provider = ProviderService::new();
        if cli.debug {
            server::serve_debug(provider, peering::SOURCE_ADDRESS).await
        } else {
            server::serve_managed(provider).await
        }
    });
    // Writes still going out (a route's finishing marker) get most of the 2 s Terraform allows
    // after Shutdown; open connections or idle streams must not keep the process alive.
    runtime.block_on(peering::resources::background::drain(DRAIN));
    runtime.shutdown_background();
    match result {
        Ok(()) => std::process::exit(0),
        Err(ServeError::Handshake(e)) => {
            eprintln!("{e}");
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("terraform-provider-peering: {e}");
            std::process::exit(1);
        }
    }
}
