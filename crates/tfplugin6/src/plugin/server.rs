//! One tonic server carrying the provider and go-plugin's side services, over the plugin
//! listener (a unix socket; loopback TCP on Windows), with AutoMTLS when Terraform asks for it.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll};
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::sync::mpsc;
use tokio_rustls::TlsAcceptor;
use tokio_rustls::server::TlsStream;
use tokio_stream::wrappers::ReceiverStream;
use tokio_util::sync::CancellationToken;
use tonic::transport::server::Connected;

use super::handshake::{self, Address, HandshakeError};
use super::listener::{PluginListener, PluginStream};
use super::services::{Controller, Stdio};
use super::tls::{self, TlsError};
use super::{MAX_MESSAGE_BYTES, proto};
use crate::proto::provider_server::{Provider, ProviderServer};

#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    #[error(transparent)]
    Handshake(#[from] HandshakeError),
    #[error(transparent)]
    Tls(#[from] TlsError),
    #[error("listener: {0}")]
    Io(#[from] io::Error),
    #[error("gRPC server: {0}")]
    Transport(#[from] tonic::transport::Error),
}

/// How long a shutdown waits for open calls before the process ends anyway.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(50);

/// Serves a Terraform-managed provider process: checks the handshake environment, listens,
/// prints the handshake line and serves until `GRPCController.Shutdown`.
pub async fn serve_managed<P: Provider>(provider: P) -> Result<(), ServeError> {
    let cookie = std::env::var(handshake::MAGIC_COOKIE_KEY).ok();
    let versions = std::env::var("PLUGIN_PROTOCOL_VERSIONS").ok();
    handshake::check_environment(cookie.as_deref(), versions.as_deref())?;

    let listener = PluginListener::from_environment()?;
    let tls = match std::env::var("PLUGIN_CLIENT_CERT") {
        Ok(pem) if !pem.trim().is_empty() => Some(tls::server_tls(&pem)?),
        _ => None,
    };
    let line = handshake::handshake_line(&listener.address, tls.as_ref().map(|t| t.cert_der.as_slice()));
    ignore_interrupts();
    super::parent::exit_with_parent();

    let shutdown = CancellationToken::new();
    let acceptor = tls.map(|t| TlsAcceptor::from(t.config));
    let serving = serve(listener, acceptor, provider, shutdown.clone());
    handshake::announce(&line)?;
    run_until_shutdown(serving, shutdown).await
}

/// Serves plaintext for `TF_REATTACH_PROVIDERS` until Ctrl-C; one process serves many runs.
pub async fn serve_debug<P: Provider>(provider: P, source_address: &str) -> Result<(), ServeError> {
    let listener = PluginListener::for_debug()?;
    let reattach = reattach_value(source_address, &listener.address);
    println!(
        "Provider started in debug mode. To attach Terraform, export:\n\n\tTF_REATTACH_PROVIDERS='{reattach}'\n\n\
         Press Ctrl-C to stop."
    );
    let shutdown = CancellationToken::new();
    let on_interrupt = shutdown.clone();
    tokio::spawn(async move {
        let _ = tokio::signal::ctrl_c().await;
        on_interrupt.cancel();
    });
    let serving = serve(listener, None, provider, shutdown.clone());
    run_until_shutdown(serving, shutdown).await
}

/// The JSON Terraform reads from `TF_REATTACH_PROVIDERS`. `Test` must be true for protocol 6.
pub fn reattach_value(source_address: &str, address: &Address) -> String {
    serde_json::json!({
        source_address: {
            "Protocol": "grpc",
            "ProtocolVersion": handshake::APP_PROTOCOL_VERSION,
            "Pid": std::process::id(),
            "Test": true,
            "Addr": {"Network": address.network(), "String": address.address()},
        }
    })
    .to_string()
}

async fn run_until_shutdown(
    serving: impl std::future::Future<Output = Result<(), tonic::transport::Error>>,
    shutdown: CancellationToken,
) -> Result<(), ServeError> {
    tokio::select! {
        result = serving => result?,
        // Terraform waits 2 s before SIGKILL; do not let a lingering stream hold us up.
        () = async { shutdown.cancelled().await; tokio::time::sleep(SHUTDOWN_GRACE).await } => {}
    }
    Ok(())
}

/// Ctrl-C reaches the whole process group; Terraform answers it with `StopProvider`, so the
/// provider itself must not die of SIGINT (as go-plugin servers do).
#[cfg(unix)]
fn ignore_interrupts() {
    if let Ok(mut interrupts) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::interrupt()) {
        tokio::spawn(async move {
            while interrupts.recv().await.is_some() {
                tracing::debug!("ignoring SIGINT; Terraform sends StopProvider");
            }
        });
    }
}

#[cfg(windows)]
fn ignore_interrupts() {
    if let Ok(mut interrupts) = tokio::signal::windows::ctrl_c() {
        tokio::spawn(async move {
            while interrupts.recv().await.is_some() {
                tracing::debug!("ignoring Ctrl-C; Terraform sends StopProvider");
            }
        });
    }
}

/// Serves every service on `listener` until `shutdown` is cancelled.
pub async fn serve<P: Provider>(
    listener: PluginListener,
    acceptor: Option<TlsAcceptor>,
    provider: P,
    shutdown: CancellationToken,
) -> Result<(), tonic::transport::Error> {
    let incoming = accept_connections(listener, acceptor, shutdown.clone());
    let (health, health_service) = tonic_health::server::health_reporter();
    health.set_service_status("plugin", tonic_health::ServingStatus::Serving).await;

    tonic::transport::Server::builder()
        .add_service(health_service)
        .add_service(proto::grpc_controller_server::GrpcControllerServer::new(Controller {
            shutdown: shutdown.clone(),
        }))
        .add_service(proto::grpc_stdio_server::GrpcStdioServer::new(Stdio { shutdown: shutdown.clone() }))
        .add_service(
            ProviderServer::new(provider)
                .max_decoding_message_size(MAX_MESSAGE_BYTES)
                .max_encoding_message_size(MAX_MESSAGE_BYTES),
        )
        .serve_with_incoming_shutdown(incoming, shutdown.cancelled_owned())
        .await
}

/// Accepts connections, completing each TLS handshake in its own task so that one slow or
/// refused client never blocks another.
fn accept_connections(
    listener: PluginListener,
    acceptor: Option<TlsAcceptor>,
    shutdown: CancellationToken,
) -> ReceiverStream<io::Result<Connection>> {
    let (tx, rx) = mpsc::channel(16);
    tokio::spawn(async move {
        loop {
            let stream = tokio::select! {
                () = shutdown.cancelled() => break,
                accepted = listener.accept() => match accepted {
                    Ok(stream) => stream,
                    Err(e) => { tracing::warn!(error = %e, "accept failed"); continue; }
                },
            };
            let tx = tx.clone();
            match acceptor.clone() {
                None => {
                    let _ = tx.send(Ok(Connection::Plain(stream))).await;
                }
                Some(acceptor) => {
                    tokio::spawn(async move {
                        match acceptor.accept(stream).await {
                            Ok(tls) => {
                                let _ = tx.send(Ok(Connection::Tls(Box::new(tls)))).await;
                            }
                            Err(e) => tracing::warn!(error = %e, "refused a TLS connection"),
                        }
                    });
                }
            }
        }
    });
    ReceiverStream::new(rx)
}

/// A client connection, plaintext or TLS.
pub enum Connection {
    Plain(PluginStream),
    Tls(Box<TlsStream<PluginStream>>),
}

impl Connected for Connection {
    type ConnectInfo = ();

    fn connect_info(&self) {}
}

impl AsyncRead for Connection {
    fn poll_read(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_read(cx, buf),
            Connection::Tls(s) => Pin::new(s).poll_read(cx, buf),
        }
    }
}

impl AsyncWrite for Connection {
    fn poll_write(self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_write(cx, buf),
            Connection::Tls(s) => Pin::new(s).poll_write(cx, buf),
        }
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_flush(cx),
            Connection::Tls(s) => Pin::new(s).poll_flush(cx),
        }
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        match self.get_mut() {
            Connection::Plain(s) => Pin::new(s).poll_shutdown(cx),
            Connection::Tls(s) => Pin::new(s).poll_shutdown(cx),
        }
    }
}
