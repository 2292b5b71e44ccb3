//! The go-plugin handshake: environment checks and the line Terraform reads from stdout.

use std::io::Write;

use base64::Engine;

pub const MAGIC_COOKIE_KEY: &str = "TF_PLUGIN_MAGIC_COOKIE";
pub const MAGIC_COOKIE_VALUE: &str = "d602bf8f470bc67ca7faa0386276bbdd4330efaf76d1a219cb4d6991ca9872b2";
/// go-plugin's own protocol version, the first field of the line.
const CORE_PROTOCOL_VERSION: u32 = 1;
/// The only Terraform plugin protocol we speak.
pub const APP_PROTOCOL_VERSION: u32 = 6;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum HandshakeError {
    #[error(
        "This binary is a plugin. These are not meant to be executed directly.\n\
         Terraform starts it itself, or it serves Terraform in debug mode through TF_REATTACH_PROVIDERS."
    )]
    NotLaunchedByTerraform,
    #[error(
        "Terraform offers plugin protocol versions {offered:?}, but this provider speaks only protocol 6 \
         (Terraform 1.0 or later)"
    )]
    UnsupportedProtocol { offered: String },
}

/// Checks that Terraform started us and offers protocol 6.
pub fn check_environment(cookie: Option<&str>, versions: Option<&str>) -> Result<u32, HandshakeError> {
    if cookie != Some(MAGIC_COOKIE_VALUE) {
        return Err(HandshakeError::NotLaunchedByTerraform);
    }
    negotiate(versions.unwrap_or_default())
}

/// Picks protocol 6 from a `PLUGIN_PROTOCOL_VERSIONS` list such as `5,6` or `6,5`.
pub fn negotiate(offered: &str) -> Result<u32, HandshakeError> {
    let supports_6 = offered.split(',').any(|v| v.trim().parse::<u32>() == Ok(APP_PROTOCOL_VERSION));
    if supports_6 {
        Ok(APP_PROTOCOL_VERSION)
    } else {
        Err(HandshakeError::UnsupportedProtocol { offered: offered.to_string() })
    }
}

/// Where Terraform should dial.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Address {
    Unix(std::path::PathBuf),
    Tcp(std::net::SocketAddr),
}

impl Address {
    pub fn network(&self) -> &'static str {
        match self {
            Address::Unix(_) => "unix",
            Address::Tcp(_) => "tcp",
        }
    }

    pub fn address(&self) -> String {
        match self {
            Address::Unix(p) => p.display().to_string(),
            Address::Tcp(a) => a.to_string(),
        }
    }
}

/// `1|6|unix|/tmp/…/plugin.sock|grpc|<unpadded base64 DER>`; the certificate field stays empty
/// when serving plaintext.
pub fn handshake_line(address: &Address, server_cert_der: Option<&[u8]>) -> String {
    let cert =
        server_cert_der.map(|der| base64::engine::general_purpose::STANDARD_NO_PAD.encode(der)).unwrap_or_default();
    format!("{CORE_PROTOCOL_VERSION}|{APP_PROTOCOL_VERSION}|{}|{}|grpc|{cert}", address.network(), address.address())
}

/// Prints the line as the first and only thing on stdout.
pub fn announce(line: &str) -> std::io::Result<()> {
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{line}")?;
    stdout.flush()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requires_cookie_and_protocol_6() {
        assert_eq!(check_environment(None, Some("6")), Err(HandshakeError::NotLaunchedByTerraform));
        assert_eq!(check_environment(Some("nope"), Some("6")), Err(HandshakeError::NotLaunchedByTerraform));
        assert_eq!(check_environment(Some(MAGIC_COOKIE_VALUE), Some("6,5")), Ok(6));
        assert_eq!(check_environment(Some(MAGIC_COOKIE_VALUE), Some("5, 6")), Ok(6));
        assert!(matches!(
            check_environment(Some(MAGIC_COOKIE_VALUE), Some("5")),
            Err(HandshakeError::UnsupportedProtocol { .. })
        ));
        assert!(check_environment(Some(MAGIC_COOKIE_VALUE), None).is_err());
    }

    #[test]
    fn line_uses_unpadded_base64() {
        let addr = Address::Unix("/tmp/x/plugin.sock".into());
        // 4 bytes encode to 6 chars plus "==" when padded.
        let line = handshake_line(&addr, Some(&[1, 2, 3, 4]));
        assert_eq!(line, "1|6|unix|/tmp/x/plugin.sock|grpc|AQIDBA");
        assert_eq!(handshake_line(&addr, None), "1|6|unix|/tmp/x/plugin.sock|grpc|");
    }

    #[test]
    fn a_tcp_listener_is_announced_as_go_plugin_on_windows_does() {
        let addr = Address::Tcp("127.0.0.1:10000".parse().unwrap());
        assert_eq!(handshake_line(&addr, None), "1|6|tcp|127.0.0.1:10000|grpc|");
    }
}
