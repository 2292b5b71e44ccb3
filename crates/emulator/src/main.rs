//! `peering-emulator`: the Aiven, UpCloud and Scaleway APIs this provider uses, on loopback,
//! over one shared world. See `--help`; the flags are a stable contract.

use std::net::SocketAddr;
use std::path::PathBuf;

use clap::Parser;

use peering_emulator::clock::ClockMode;
use peering_emulator::faults::FaultSettings;
use peering_emulator::world::World;
use peering_emulator::{Config, Credentials};

#[derive(Parser)]
#[command(version, about = "Local emulator of the Aiven, UpCloud and Scaleway APIs used by terraform-provider-peering")]
struct Cli {
    /// Address to listen on (loopback only). `127.0.0.1:0` picks a free port; the first stdout
    /// line is `listening on http://ADDR` with the real port.
    #[arg(long, default_value = "127.0.0.1:8787")]
    listen: SocketAddr,
    /// Start from this world (JSON, as `GET /_emulator/world` prints it) instead of the demo world.
    #[arg(long, value_name = "FILE", conflicts_with = "empty")]
    seed: Option<PathBuf>,
    /// Start with no networks (the Aiven project `demo` still exists).
    #[arg(long)]
    empty: bool,
    /// Delay of each asynchronous state transition, in milliseconds.
    #[arg(long, default_value_t = 100)]
    transition_ms: u64,
    /// Keep the emulator's time stopped: it moves only by `POST /_emulator/advance {"ms": N}`.
    #[arg(long)]
    stopped_clock: bool,
    /// Added to every cloud API response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    latency_ms: u64,
    /// Share of cloud API requests that get an injected fault (429, 5xx, dropped connection,
    /// lost response), from 0 to 1.
    #[arg(long, default_value_t = 0.0)]
    fault_rate: f64,
    /// Seed of the random draws (faults, ids), for repeatable runs.
    #[arg(long, default_value_t = 0)]
    rng_seed: u64,
    /// Accepted Aiven token.
    #[arg(long, default_value = "demo-aiven-token")]
    aiven_token: String,
    /// Accepted UpCloud user name (basic auth).
    #[arg(long, default_value = "demo")]
    upcloud_username: String,
    /// Accepted UpCloud password (basic auth).
    #[arg(long, default_value = "demo-password")]
    upcloud_password: String,
    /// Accepted UpCloud API token (bearer auth).
    #[arg(long, default_value = "ucat_demo_token")]
    upcloud_token: String,
    /// Serve HTTPS with this certificate chain (PEM), e.g. one signed by a private CA that
    /// clients trust through `SSL_CERT_FILE`. Needs `--tls-key`.
    #[arg(long, value_name = "FILE", requires = "tls_key")]
    tls_cert: Option<PathBuf>,
    /// The private key of `--tls-cert` (PEM).
    #[arg(long, value_name = "FILE", requires = "tls_cert")]
    tls_key: Option<PathBuf>,
    /// Accepted Scaleway secret key.
    #[arg(long, default_value = "11111111-2222-4333-8444-555555555555")]
    scaleway_secret_key: String,
}

fn load_world(cli: &Cli) -> Result<World, String> {
    match (&cli.seed, cli.empty) {
        (Some(path), _) => {
            let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
            serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
        }
        (None, true) => Ok(World::empty()),
        (None, false) => Ok(World::demo()),
    }
}

#[tokio::main]
async fn main() {
    let cli = Cli::parse();
    if !(0.0..=1.0).contains(&cli.fault_rate) {
        eprintln!("peering-emulator: --fault-rate must be between 0 and 1");
        std::process::exit(2);
    }
    let world = load_world(&cli).unwrap_or_else(|e| {
        eprintln!("peering-emulator: cannot load the seed world: {e}");
        std::process::exit(2);
    });
    let config = Config {
        listen: cli.listen,
        world,
        transition_ms: cli.transition_ms,
        clock: if cli.stopped_clock { ClockMode::Stopped } else { ClockMode::Wall },
        faults: FaultSettings {
            fault_rate: cli.fault_rate,
            rng_seed: Some(cli.rng_seed),
            latency_ms: cli.latency_ms,
            hold_after_writes: None,
            gather_writes: None,
        },
        credentials: Credentials {
            upcloud_username: cli.upcloud_username,
            upcloud_password: cli.upcloud_password,
            upcloud_token: cli.upcloud_token,
            aiven_token: cli.aiven_token,
            scaleway_secret_key: cli.scaleway_secret_key,
        },
        tls: cli.tls_cert.zip(cli.tls_key).map(|(cert, key)| peering_emulator::tls::TlsFiles { cert, key }),
    };
    let handle = peering_emulator::start(config).await.unwrap_or_else(|e| {
        eprintln!("peering-emulator: cannot listen on {}: {e}", cli.listen);
        std::process::exit(1);
    });
    println!("listening on {}", handle.url());
    let _ = tokio::signal::ctrl_c().await;
    handle.stop().await;
}
