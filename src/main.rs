//! `terraform-provider-peering`: started by Terraform (go-plugin handshake), or by a person
//! with `--debug` to serve Terraform through `TF_REATTACH_PROVIDERS`.

use peering::provider::ProviderService;
use tfplugin6::plugin::handshake::HandshakeError;
use tfplugin6::plugin::server::{self, ServeError};

const USAGE: &str = "\
Terraform provider for private network peerings (Aiven, UpCloud, Scaleway)

Usage: terraform-provider-peering [--debug]

Options:
      --debug    Serve plaintext (on a unix socket; loopback TCP on Windows) and print the
                 TF_REATTACH_PROVIDERS value to export
  -h, --help     Print help
  -V, --version  Print version
";

/// What the command line asks for: one flag needs no argument parser.
enum Mode {
    Managed,
    Debug,
}

fn mode() -> Mode {
    let mut mode = Mode::Managed;
    for arg in std::env::args_os().skip(1) {
        match arg.to_str() {
            Some("--debug") => mode = Mode::Debug,
            Some("-h" | "--help") => {
                print!("{USAGE}");
                std::process::exit(0);
            }
            Some("-V" | "--version") => {
                println!("terraform-provider-peering {}", env!("CARGO_PKG_VERSION"));
                std::process::exit(0);
            }
            _ => {
                eprintln!("error: unexpected argument {arg:?}\n\n{USAGE}");
                std::process::exit(2);
            }
        }
    }
    mode
}

/// How long the process waits, after Shutdown, for cloud writes still under way.
const DRAIN: std::time::Duration = std::time::Duration::from_millis(1500);

fn main() {
    let mode = mode();
    peering::logging::init("provider.terraform-provider-peering");
    peering::provider::install_panic_hook();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().expect("tokio runtime");
    let result = runtime.block_on(async {
        let provider = ProviderService::new();
        match mode {
            Mode::Debug => server::serve_debug(provider, peering::SOURCE_ADDRESS).await,
            Mode::Managed => server::serve_managed(provider).await,
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
            if e == HandshakeError::NotLaunchedByTerraform {
                eprintln!("Run terraform-provider-peering --debug for that; see the README for `make demo`.");
            }
            std::process::exit(1);
        }
        Err(e) => {
            eprintln!("terraform-provider-peering: {e}");
            std::process::exit(1);
        }
    }
}
