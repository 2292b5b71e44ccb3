//! Where the provider listens, as go-plugin servers do: a unix socket in a private temporary
//! directory on unix; loopback TCP on the first free port of `PLUGIN_MIN_PORT..=PLUGIN_MAX_PORT`
//! on Windows, where tokio has no unix sockets (go-plugin's own TCP fallback there).

use std::io;
use std::net::{Ipv4Addr, SocketAddr};

use super::handshake::Address;

/// One accepted connection from Terraform.
#[cfg(unix)]
pub type PluginStream = tokio::net::UnixStream;
/// One accepted connection from Terraform.
#[cfg(not(unix))]
pub type PluginStream = tokio::net::TcpStream;

/// A bound listener and the address the handshake line tells Terraform; a unix socket's
/// directory is removed when this is dropped.
pub struct PluginListener {
    #[cfg(unix)]
    listener: tokio::net::UnixListener,
    #[cfg(not(unix))]
    listener: tokio::net::TcpListener,
    pub address: Address,
    #[cfg(unix)]
    _dir: tempfile::TempDir,
}

impl PluginListener {
    /// Listens where the environment Terraform set asks (`PLUGIN_UNIX_SOCKET_DIR` on unix,
    /// `PLUGIN_MIN_PORT`/`PLUGIN_MAX_PORT` on Windows).
    pub fn from_environment() -> io::Result<PluginListener> {
        #[cfg(unix)]
        {
            let dir = std::env::var_os("PLUGIN_UNIX_SOCKET_DIR").map(std::path::PathBuf::from);
            PluginListener::unix(dir.as_deref())
        }
        #[cfg(not(unix))]
        {
            let range = port_range(std::env::var("PLUGIN_MIN_PORT").ok(), std::env::var("PLUGIN_MAX_PORT").ok())?;
            PluginListener::tcp(range)
        }
    }

    /// For `--debug`: anywhere private (the system temporary directory, or any free port).
    pub fn for_debug() -> io::Result<PluginListener> {
        #[cfg(unix)]
        {
            PluginListener::unix(None)
        }
        #[cfg(not(unix))]
        {
            PluginListener::tcp(0..=0)
        }
    }

    /// Binds `plugin.sock` in a fresh `0700` directory under `parent` (or the system temporary
    /// directory).
    #[cfg(unix)]
    fn unix(parent: Option<&std::path::Path>) -> io::Result<PluginListener> {
        use std::os::unix::fs::PermissionsExt;
        let parent = parent.map(std::path::Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::Builder::new().prefix("tfplugin6-").tempdir_in(parent)?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
        let path = dir.path().join("plugin.sock");
        let listener = tokio::net::UnixListener::bind(&path)?;
        Ok(PluginListener { listener, address: Address::Unix(path), _dir: dir })
    }

    #[cfg(not(unix))]
    fn tcp(ports: std::ops::RangeInclusive<u16>) -> io::Result<PluginListener> {
        let listener = bind_loopback(ports)?;
        listener.set_nonblocking(true)?;
        let address = Address::Tcp(listener.local_addr()?);
        Ok(PluginListener { listener: tokio::net::TcpListener::from_std(listener)?, address })
    }

    pub async fn accept(&self) -> io::Result<PluginStream> {
        let (stream, _) = self.listener.accept().await?;
        // Go sets TCP_NODELAY on every connection; gRPC's small frames must not wait on Nagle.
        #[cfg(not(unix))]
        stream.set_nodelay(true)?;
        Ok(stream)
    }
}

/// go-plugin's port range: each bound defaults to 0 when unset (so `0..=0`, any free port);
/// a bound that is not a port, or a minimum above the maximum, is refused.
pub fn port_range(min: Option<String>, max: Option<String>) -> io::Result<std::ops::RangeInclusive<u16>> {
    let parse = |name: &str, value: Option<String>| -> io::Result<u16> {
        match value.as_deref().map(str::trim) {
            None | Some("") => Ok(0),
            Some(text) => text.parse().map_err(|_| {
                io::Error::new(io::ErrorKind::InvalidInput, format!("{name} is not a port number: {text:?}"))
            }),
        }
    };
    let (min, max) = (parse("PLUGIN_MIN_PORT", min)?, parse("PLUGIN_MAX_PORT", max)?);
    if min > max {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            format!("PLUGIN_MIN_PORT ({min}) is greater than PLUGIN_MAX_PORT ({max})"),
        ));
    }
    Ok(min..=max)
}

/// The first port of `ports` free on 127.0.0.1.
pub fn bind_loopback(ports: std::ops::RangeInclusive<u16>) -> io::Result<std::net::TcpListener> {
    let (first, last) = (*ports.start(), *ports.end());
    ports
        .into_iter()
        .find_map(|port| std::net::TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port))).ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::AddrInUse, format!("no free loopback port in {first}..={last}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unset_bounds_mean_any_free_port() {
        assert_eq!(port_range(None, None).unwrap(), 0..=0);
        assert_eq!(port_range(Some(String::new()), Some("25000".into())).unwrap(), 0..=25000);
        assert_eq!(port_range(Some("10000".into()), Some("25000".into())).unwrap(), 10000..=25000);
    }

    #[test]
    fn bad_bounds_are_refused_by_name() {
        let low = port_range(Some("25000".into()), Some("10000".into())).unwrap_err();
        assert!(low.to_string().contains("PLUGIN_MIN_PORT (25000) is greater than PLUGIN_MAX_PORT (10000)"), "{low}");
        let text = port_range(Some("ten".into()), None).unwrap_err();
        assert!(text.to_string().contains("PLUGIN_MIN_PORT is not a port number"), "{text}");
        assert!(port_range(None, Some("70000".into())).is_err());
    }

    #[test]
    fn a_taken_port_moves_on_to_a_later_one_and_only_loopback_is_bound() {
        let taken = bind_loopback(0..=0).unwrap();
        let port = taken.local_addr().unwrap().port();
        // Ephemeral ports end well below 65535, and one of the next fifty is free.
        let listener = bind_loopback(port..=port.saturating_add(50)).unwrap();
        let addr = listener.local_addr().unwrap();
        assert!(addr.port() > port, "{addr} after the taken {port}");
        assert!(addr.ip().is_loopback());
        let only = bind_loopback(port..=port).unwrap_err();
        assert!(only.to_string().contains(&format!("no free loopback port in {port}..={port}")), "{only}");
    }
}
