//! The certificate authorities the cloud clients trust.
//!
//! `SSL_CERT_FILE` and `SSL_CERT_DIR`, read as OpenSSL and Go read them, replace the default
//! for a private or corporate CA. Otherwise: the operating system's store on Linux and Windows;
//! Mozilla's roots compiled in on macOS, whose own store is reached only through
//! Security.framework, which a build without the macOS SDK cannot link (docs/guides/install.md).

use std::path::{Path, PathBuf};

use rustls::RootCertStore;
use rustls::pki_types::CertificateDer;
use rustls::pki_types::pem::PemObject;

/// Why no trust store could be made; the message names the variable and path to fix.
#[derive(Debug, Clone, thiserror::Error)]
pub enum RootsError {
    #[error("{variable}={}: {reason}", path.display())]
    Unreadable { variable: &'static str, path: PathBuf, reason: String },
    #[error("{variable}={}: no PEM certificate (-----BEGIN CERTIFICATE-----) in it", path.display())]
    NoCertificate { variable: &'static str, path: PathBuf },
    #[error("the system's certificate store: {0}")]
    System(String),
}

/// Where the trusted roots come from, as the environment says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RootsSource {
    /// `SSL_CERT_FILE` and/or the directories of `SSL_CERT_DIR`.
    Environment { file: Option<PathBuf>, dirs: Vec<PathBuf> },
    /// The platform's default (see the module comment).
    Default,
}

impl RootsSource {
    pub fn from_env() -> RootsSource {
        let var = |name| std::env::var_os(name).filter(|v| !v.is_empty());
        let file = var("SSL_CERT_FILE").map(PathBuf::from);
        let dirs: Vec<PathBuf> = var("SSL_CERT_DIR").map(|v| std::env::split_paths(&v).collect()).unwrap_or_default();
        if file.is_none() && dirs.is_empty() { RootsSource::Default } else { RootsSource::Environment { file, dirs } }
    }

    pub fn load(&self) -> Result<RootCertStore, RootsError> {
        let certs = match self {
            RootsSource::Environment { file, dirs } => {
                let mut certs = Vec::new();
                if let Some(file) = file {
                    let found = pem_file("SSL_CERT_FILE", file)?;
                    if found.is_empty() {
                        return Err(RootsError::NoCertificate { variable: "SSL_CERT_FILE", path: file.clone() });
                    }
                    certs.extend(found);
                }
                for dir in dirs {
                    let found = pem_dir(dir)?;
                    if found.is_empty() {
                        return Err(RootsError::NoCertificate { variable: "SSL_CERT_DIR", path: dir.clone() });
                    }
                    certs.extend(found);
                }
                certs
            }
            RootsSource::Default => return platform_roots(),
        };
        let mut store = RootCertStore::empty();
        // A certificate rustls cannot use (an unsupported key type, say) is left out, as OpenSSL
        // leaves out what it cannot parse; the rest still count.
        store.add_parsable_certificates(certs);
        Ok(store)
    }
}

fn pem_file(variable: &'static str, path: &Path) -> Result<Vec<CertificateDer<'static>>, RootsError> {
    let unreadable = |reason: String| RootsError::Unreadable { variable, path: path.to_path_buf(), reason };
    let bytes = std::fs::read(path).map_err(|e| unreadable(e.to_string()))?;
    CertificateDer::pem_slice_iter(&bytes).collect::<Result<Vec<_>, _>>().map_err(|e| unreadable(e.to_string()))
}

/// Every certificate in the files of `dir` (OpenSSL's hashed `<hash>.0` links included; a
/// file holding no certificate, such as a CRL, is passed over).
fn pem_dir(dir: &Path) -> Result<Vec<CertificateDer<'static>>, RootsError> {
    let unreadable =
        |reason: String| RootsError::Unreadable { variable: "SSL_CERT_DIR", path: dir.to_path_buf(), reason };
    let mut entries: Vec<PathBuf> =
        std::fs::read_dir(dir).map_err(|e| unreadable(e.to_string()))?.filter_map(|e| Some(e.ok()?.path())).collect();
    entries.sort();
    let mut certs = Vec::new();
    for path in entries.iter().filter(|p| p.is_file()) {
        if let Ok(found) = pem_file("SSL_CERT_DIR", path) {
            certs.extend(found);
        }
    }
    Ok(certs)
}

#[cfg(target_os = "macos")]
fn platform_roots() -> Result<RootCertStore, RootsError> {
    Ok(RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() })
}

#[cfg(not(target_os = "macos"))]
fn platform_roots() -> Result<RootCertStore, RootsError> {
    let found = rustls_native_certs::load_native_certs();
    let mut store = RootCertStore::empty();
    let (added, _) = store.add_parsable_certificates(found.certs);
    if added == 0 {
        let why = found.errors.first().map_or_else(|| "no certificate found".to_string(), ToString::to_string);
        return Err(RootsError::System(format!("{why}; set SSL_CERT_FILE to a PEM file of the CAs to trust")));
    }
    Ok(store)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ca_pem() -> String {
        let key = rcgen::KeyPair::generate().unwrap();
        let mut params = rcgen::CertificateParams::new(Vec::<String>::new()).unwrap();
        params.is_ca = rcgen::IsCa::Ca(rcgen::BasicConstraints::Unconstrained);
        params.self_signed(&key).unwrap().pem()
    }

    #[test]
    fn a_cert_file_and_a_cert_dir_are_both_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("corporate.pem");
        std::fs::write(&file, ca_pem()).unwrap();
        let certs = dir.path().join("certs");
        std::fs::create_dir(&certs).unwrap();
        std::fs::write(certs.join("a.pem"), ca_pem() + &ca_pem()).unwrap();
        std::fs::write(certs.join("README"), "not a certificate").unwrap();
        let source = RootsSource::Environment { file: Some(file), dirs: vec![certs] };
        assert_eq!(source.load().unwrap().len(), 3);
    }

    #[test]
    fn a_file_without_certificates_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("empty.pem");
        std::fs::write(&file, "nothing here\n").unwrap();
        let source = RootsSource::Environment { file: Some(file.clone()), dirs: vec![] };
        let message = source.load().unwrap_err().to_string();
        assert!(message.starts_with(&format!("SSL_CERT_FILE={}: no PEM certificate", file.display())), "{message}");
        let missing = RootsSource::Environment { file: Some(dir.path().join("nope.pem")), dirs: vec![] };
        assert!(missing.load().unwrap_err().to_string().contains("nope.pem"));
    }
}
