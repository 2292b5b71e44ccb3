//! HTTPS on loopback for tests: a throwaway certificate authority, and a TLS front that passes
//! each connection on to a plain loopback server (the emulator, or a directory of files).

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};

/// A certificate authority that exists for one test, and the certificate it signed for
/// `localhost` / `127.0.0.1`.
pub struct ThrowawayCa {
    dir: tempfile::TempDir,
    server_chain: Vec<CertificateDer<'static>>,
    server_key: Vec<u8>,
}

impl ThrowawayCa {
    pub fn new() -> ThrowawayCa {
        let ca_key = rcgen::KeyPair::generate().unwrap();
        let mut ca_params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        ca_params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        ca_params.distinguished_name.push(rcgen::DnType::CommonName, "peering test CA");
        let ca = rcgen::CertifiedIssuer::self_signed(ca_params, ca_key).unwrap();
        let key = rcgen::KeyPair::generate().unwrap();
        let params = rcgen::CertificateParams::new(vec!["localhost".to_string(), "127.0.0.1".to_string()]).unwrap();
        let server = params.signed_by(&key, &ca).unwrap();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("ca.pem"), ca.pem()).unwrap();
        std::fs::write(dir.path().join("server.pem"), server.pem()).unwrap();
        std::fs::write(dir.path().join("server-key.pem"), key.serialize_pem()).unwrap();
        ThrowawayCa { dir, server_chain: vec![server.der().clone()], server_key: key.serialize_der() }
    }

    /// The server's certificate and key as PEM files, for `peering-emulator --tls-cert --tls-key`.
    pub fn server_files(&self) -> peering_emulator::tls::TlsFiles {
        peering_emulator::tls::TlsFiles {
            cert: self.dir.path().join("server.pem"),
            key: self.dir.path().join("server-key.pem"),
        }
    }

    /// The CA's certificate as a PEM file, for `SSL_CERT_FILE`.
    pub fn pem_file(&self) -> PathBuf {
        self.dir.path().join("ca.pem")
    }

    fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        let key = PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(self.server_key.clone()));
        let provider = Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let config = rustls::ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .unwrap()
            .with_no_client_auth()
            .with_single_cert(self.server_chain.clone(), key)
            .unwrap();
        tokio_rustls::TlsAcceptor::from(Arc::new(config))
    }
}

/// `https://127.0.0.1:PORT/` in front of a plain loopback server; stops when dropped.
pub struct TlsFront {
    runtime: Option<tokio::runtime::Runtime>,
    pub url: String,
}

impl TlsFront {
    /// Terminates TLS with `ca`'s server certificate and passes the bytes on to `backend`.
    pub fn start(ca: &ThrowawayCa, backend: SocketAddr) -> TlsFront {
        TlsFront::front(runtime(), ca, backend)
    }

    /// Files under `root` over HTTPS (GET only), as an internal mirror serves them.
    pub fn serve_files(ca: &ThrowawayCa, root: &Path) -> TlsFront {
        let runtime = runtime();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let address = listener.local_addr().unwrap();
        let root = root.to_path_buf();
        let app = axum::Router::new().fallback(move |uri: axum::http::Uri| {
            let root = root.clone();
            async move {
                let relative = uri.path().trim_start_matches('/');
                if relative.split('/').any(|part| part == "..") {
                    return Err(axum::http::StatusCode::BAD_REQUEST);
                }
                let bytes = std::fs::read(root.join(relative)).map_err(|_| axum::http::StatusCode::NOT_FOUND)?;
                // Terraform reads a mirror's index only as application/json, as file servers label it.
                let kind = if relative.ends_with(".json") { "application/json" } else { "application/zip" };
                Ok(([(axum::http::header::CONTENT_TYPE, kind)], bytes))
            }
        });
        runtime.spawn(async move { axum::serve(listener, app).await });
        TlsFront::front(runtime, ca, address)
    }

    fn front(runtime: tokio::runtime::Runtime, ca: &ThrowawayCa, backend: SocketAddr) -> TlsFront {
        let acceptor = ca.acceptor();
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("https://{}/", listener.local_addr().unwrap());
        runtime.spawn(async move {
            while let Ok((client, _)) = listener.accept().await {
                let acceptor = acceptor.clone();
                tokio::spawn(async move {
                    // A client that refuses our certificate ends its handshake here.
                    let Ok(mut client) = acceptor.accept(client).await else { return };
                    if let Ok(mut upstream) = tokio::net::TcpStream::connect(backend).await {
                        let _ = tokio::io::copy_bidirectional(&mut client, &mut upstream).await;
                    }
                });
            }
        });
        TlsFront { runtime: Some(runtime), url }
    }
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap()
}

impl Drop for TlsFront {
    fn drop(&mut self) {
        if let Some(runtime) = self.runtime.take() {
            runtime.shutdown_background();
        }
    }
}
