//! The plugin process as go-plugin's client sees it: handshake, AutoMTLS with a pinned
//! client certificate, health, stdio and prompt shutdown.

mod common;

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use base64::Engine;
use hyper_util::rt::TokioIo;
use rustls::client::danger::{HandshakeSignatureValid, ServerCertVerified, ServerCertVerifier};
use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer, ServerName, UnixTime};
use rustls::{ClientConfig, DigitallySignedStruct, SignatureScheme};
use tfplugin6::plugin::handshake::MAGIC_COOKIE_VALUE;
use tfplugin6::plugin::proto::grpc_controller_client::GrpcControllerClient;
use tfplugin6::plugin::proto::grpc_stdio_client::GrpcStdioClient;
use tfplugin6::proto::provider_client::ProviderClient;
use tonic::transport::{Channel, Endpoint, Uri};

fn provider() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_terraform-provider-peering"))
}

/// A client certificate like go-plugin's: ECDSA P-521, self-signed, marked as a CA.
fn client_certificate() -> (String, CertificateDer<'static>, PrivateKeyDer<'static>) {
    let mut params = rcgen::CertificateParams::new(vec!["localhost".to_string()]).unwrap();
    params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
    params.extended_key_usages =
        vec![rcgen::ExtendedKeyUsagePurpose::ClientAuth, rcgen::ExtendedKeyUsagePurpose::ServerAuth];
    let key = rcgen::KeyPair::generate_for(&rcgen::PKCS_ECDSA_P521_SHA512).unwrap();
    let cert = params.self_signed(&key).unwrap();
    (cert.pem(), cert.der().clone(), PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(key.serialize_der())))
}

struct Plugin {
    child: Child,
    socket: PathBuf,
    server_cert: Vec<u8>,
    _dir: tempfile::TempDir,
}

impl Drop for Plugin {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn launch(client_cert_pem: Option<&str>) -> Plugin {
    let dir = tempfile::tempdir().unwrap();
    let mut command = Command::new(provider());
    command
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5,6")
        .env("PLUGIN_UNIX_SOCKET_DIR", dir.path())
        .env_remove("PLUGIN_CLIENT_CERT")
        .stdout(Stdio::piped())
        .stderr(Stdio::null());
    if let Some(pem) = client_cert_pem {
        command.env("PLUGIN_CLIENT_CERT", pem);
    }
    let mut child = command.spawn().unwrap();
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let parts: Vec<&str> = line.trim_end().split('|').collect();
    assert_eq!(parts.len(), 6, "{line:?}");
    assert_eq!(&parts[..3], &["1", "6", "unix"]);
    assert_eq!(parts[4], "grpc");
    let socket = PathBuf::from(parts[3]);
    assert!(socket.starts_with(dir.path()), "socket {socket:?} under PLUGIN_UNIX_SOCKET_DIR");
    assert!(!parts[5].contains('='), "certificate must be unpadded base64");
    let server_cert = base64::engine::general_purpose::STANDARD_NO_PAD.decode(parts[5]).unwrap();
    Plugin { child, socket, server_cert, _dir: dir }
}

/// Trusts exactly the certificate from the handshake line, as go-plugin's client does.
#[derive(Debug)]
struct PinnedServer(Vec<u8>);

impl ServerCertVerifier for PinnedServer {
    fn verify_server_cert(
        &self,
        end_entity: &CertificateDer<'_>,
        _: &[CertificateDer<'_>],
        name: &ServerName<'_>,
        _: &[u8],
        _: UnixTime,
    ) -> Result<ServerCertVerified, rustls::Error> {
        assert_eq!(name.to_str(), "localhost");
        if end_entity.as_ref() == self.0.as_slice() {
            Ok(ServerCertVerified::assertion())
        } else {
            Err(rustls::Error::General("unexpected server certificate".into()))
        }
    }

    fn verify_tls12_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls12_signature(m, c, d, &algs)
    }

    fn verify_tls13_signature(
        &self,
        m: &[u8],
        c: &CertificateDer<'_>,
        d: &DigitallySignedStruct,
    ) -> Result<HandshakeSignatureValid, rustls::Error> {
        let algs = rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms;
        rustls::crypto::verify_tls13_signature(m, c, d, &algs)
    }

    fn supported_verify_schemes(&self) -> Vec<SignatureScheme> {
        rustls::crypto::aws_lc_rs::default_provider().signature_verification_algorithms.supported_schemes()
    }
}

fn tls_config(
    server_cert: &[u8],
    client: Option<(CertificateDer<'static>, PrivateKeyDer<'static>)>,
) -> Arc<ClientConfig> {
    let builder = ClientConfig::builder_with_provider(Arc::new(rustls::crypto::aws_lc_rs::default_provider()))
        .with_safe_default_protocol_versions()
        .unwrap()
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(PinnedServer(server_cert.to_vec())));
    let mut config = match client {
        Some((cert, key)) => builder.with_client_auth_cert(vec![cert], key).unwrap(),
        None => builder.with_no_client_auth(),
    };
    config.alpn_protocols = vec![b"h2".to_vec()];
    Arc::new(config)
}

async fn connect(socket: &Path, tls: Option<Arc<ClientConfig>>) -> Result<Channel, tonic::transport::Error> {
    let socket = socket.to_path_buf();
    Endpoint::try_from("http://localhost")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let socket = socket.clone();
            let tls = tls.clone();
            async move {
                let stream = tokio::net::UnixStream::connect(socket).await?;
                let io: Box<dyn peering_io::Io> = match tls {
                    Some(config) => {
                        let name = ServerName::try_from("localhost").unwrap();
                        Box::new(tokio_rustls::TlsConnector::from(config).connect(name, stream).await?)
                    }
                    None => Box::new(stream),
                };
                Ok::<_, std::io::Error>(TokioIo::new(io))
            }
        }))
        .await
}

mod peering_io {
    pub trait Io: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin {}
    impl<T: tokio::io::AsyncRead + tokio::io::AsyncWrite + Send + Unpin> Io for T {}
}

async fn schema_call(channel: Channel) -> Result<usize, tonic::Status> {
    let response = ProviderClient::new(channel)
        .get_provider_schema(tfplugin6::proto::get_provider_schema::Request {})
        .await?
        .into_inner();
    assert!(response.provider.and_then(|p| p.block).is_some(), "provider schema has a block");
    Ok(response.resource_schemas.len())
}

#[tokio::test]
async fn automtls_serves_only_the_pinned_client_certificate() {
    let (pem, cert, key) = client_certificate();
    let plugin = launch(Some(&pem));

    let good = connect(&plugin.socket, Some(tls_config(&plugin.server_cert, Some((cert, key))))).await.unwrap();
    assert_eq!(schema_call(good.clone()).await.unwrap(), 2);
    let health = tonic_health::pb::health_client::HealthClient::new(good.clone())
        .check(tonic_health::pb::HealthCheckRequest { service: "plugin".into() })
        .await
        .unwrap()
        .into_inner();
    assert_eq!(health.status, tonic_health::pb::health_check_response::ServingStatus::Serving as i32);

    let (_, other_cert, other_key) = client_certificate();
    let other = connect(&plugin.socket, Some(tls_config(&plugin.server_cert, Some((other_cert, other_key))))).await;
    let refused = match other {
        Ok(channel) => schema_call(channel).await.is_err(),
        Err(_) => true,
    };
    assert!(refused, "a different client certificate must be refused");

    let anonymous = connect(&plugin.socket, Some(tls_config(&plugin.server_cert, None))).await;
    assert!(
        match anonymous {
            Ok(channel) => schema_call(channel).await.is_err(),
            Err(_) => true,
        },
        "a client without a certificate must be refused"
    );

    let plaintext = connect(&plugin.socket, None).await;
    assert!(
        match plaintext {
            Ok(channel) => schema_call(channel).await.is_err(),
            Err(_) => true,
        },
        "plaintext must be refused when PLUGIN_CLIENT_CERT is set"
    );

    // The good connection still works after the refusals.
    assert_eq!(schema_call(good).await.unwrap(), 2);
}

#[tokio::test]
async fn shutdown_ends_the_process_while_a_stdio_stream_is_open() {
    let (pem, cert, key) = client_certificate();
    let mut plugin = launch(Some(&pem));
    let channel = connect(&plugin.socket, Some(tls_config(&plugin.server_cert, Some((cert, key))))).await.unwrap();
    // An open stdio stream, as Terraform keeps one, must not hold the process.
    let mut stdio = GrpcStdioClient::new(channel.clone()).stream_stdio(()).await.unwrap().into_inner();
    GrpcControllerClient::new(channel).shutdown(tfplugin6::plugin::proto::Empty {}).await.unwrap();
    // The process ends while our end of the stream is still open: nothing waits for it to close.
    // (The bound only stops a hung test; Terraform would kill a lingering provider after 2 s.)
    let waited = tokio::task::spawn_blocking(move || {
        let status = plugin.child.wait();
        (status, plugin)
    });
    let (status, plugin) = tokio::time::timeout(Duration::from_secs(60), waited).await.expect("process exits").unwrap();
    assert!(status.unwrap().success());
    assert!(stdio.message().await.map(|m| m.is_none()).unwrap_or(true), "stdio stream ends");
    assert!(!plugin.socket.exists(), "socket removed on exit");
}

#[tokio::test]
async fn plaintext_without_client_cert() {
    let plugin = launch(None);
    assert!(plugin.server_cert.is_empty(), "no certificate in the line without AutoMTLS");
    let channel = connect(&plugin.socket, None).await.unwrap();
    assert_eq!(schema_call(channel).await.unwrap(), 2);
}

#[test]
fn refuses_to_run_outside_terraform() {
    let output = Command::new(provider()).env_remove("TF_PLUGIN_MAGIC_COOKIE").output().unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty(), "nothing on stdout");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("This binary is a plugin") && stderr.contains("Terraform starts"), "{stderr}");

    let output = Command::new(provider())
        .env("TF_PLUGIN_MAGIC_COOKIE", MAGIC_COOKIE_VALUE)
        .env("PLUGIN_PROTOCOL_VERSIONS", "5")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(1));
    assert!(output.stdout.is_empty());
    assert!(String::from_utf8_lossy(&output.stderr).contains("only protocol 6"));
}

#[test]
fn version_flag() {
    let output = Command::new(provider()).arg("--version").output().unwrap();
    assert!(output.status.success());
    assert!(String::from_utf8_lossy(&output.stdout).contains(env!("CARGO_PKG_VERSION")));
}

#[test]
fn sigint_is_ignored() {
    let mut plugin = launch(None);
    let status = Command::new("kill").args(["-INT", &plugin.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    std::thread::sleep(Duration::from_millis(200));
    assert!(plugin.child.try_wait().unwrap().is_none(), "SIGINT must not end the provider");
}

fn msgpack(value: &tfplugin6::Value, ty: &tfplugin6::Type) -> Option<tfplugin6::proto::DynamicValue> {
    Some(tfplugin6::proto::DynamicValue { msgpack: value.to_msgpack(ty).unwrap(), json: vec![] })
}

#[test]
fn stop_provider_cancels_in_flight_work() {
    use tfplugin6::{FromValue, IntoValue, Value, proto};

    let emulator = common::Emulator::start(peering_emulator::world::World::demo());
    // Answers take an hour: a read that returns was abandoned, not waited out.
    let slow = peering_emulator::faults::FaultSettings { latency_ms: 3_600_000, ..Default::default() };
    emulator.handle.as_ref().unwrap().emulator.faults.lock().unwrap().update(slow);
    let plugin = launch(None);
    emulator.block_on(async {
        let channel = connect(&plugin.socket, None).await.unwrap();
        let mut client = ProviderClient::new(channel);
        let provider_ty = peering::provider::config::schema().implied_type();
        let config = Value::Object(
            [(
                "upcloud".to_string(),
                Value::Object(
                    [
                        ("username".to_string(), Value::string(common::USERNAME)),
                        ("password".to_string(), Value::string(common::PASSWORD)),
                        ("api_url".to_string(), Value::string(emulator.url())),
                    ]
                    .into_iter()
                    .collect(),
                ),
            )]
            .into_iter()
            .collect(),
        );
        let configured = client
            .configure_provider(proto::configure_provider::Request { config: msgpack(&config, &provider_ty), ..Default::default() })
            .await
            .unwrap()
            .into_inner();
        assert!(configured.diagnostics.is_empty(), "{:?}", configured.diagnostics);

        let ty = peering::resources::connection::schema().implied_type();
        let state = format!(
            r#"{{"id":"x","name":"n","network":{{"upcloud":{{"network_id":"{}"}}}},"peer_network":{{"upcloud":{{"network_id":"{}"}}}},"peer_side":"managed","network_half":{{"id":"0f000000-0000-4000-8000-000000000001","state":"active"}}}}"#,
            peering_emulator::world::demo::NETWORK_APP,
            peering_emulator::world::demo::NETWORK_DB
        );
        let state = peering::resources::connection::Connection::from_value(&Value::from_json(state.as_bytes(), &ty).unwrap())
            .unwrap()
            .into_value();
        let mut reader = client.clone();
        let request = proto::read_resource::Request {
            type_name: "peering_connection".into(),
            current_state: msgpack(&state, &ty),
            ..Default::default()
        };
        let read = tokio::spawn(async move { reader.read_resource(request).await.unwrap().into_inner() });
        tokio::time::sleep(Duration::from_millis(200)).await;
        client.stop_provider(proto::stop_provider::Request {}).await.unwrap();
        // The minute guards against a hang; any answer before the hour is the abandoned read.
        let response = tokio::time::timeout(Duration::from_secs(60), read)
            .await
            .expect("the read was abandoned, not waited out")
            .unwrap();
        let summaries: Vec<_> = response.diagnostics.iter().map(|d| d.summary.as_str()).collect();
        assert_eq!(summaries, ["Cancelled"]);
        assert_eq!(response.new_state, msgpack(&state, &ty), "state is kept as it was");
    });
}
