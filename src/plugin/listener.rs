//! A unix socket in a private temporary directory, as go-plugin servers listen on Linux.

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use tokio::net::UnixListener;

/// The socket and its directory; both are removed when this is dropped.
pub struct SocketListener {
    pub listener: UnixListener,
    pub path: PathBuf,
    _dir: tempfile::TempDir,
}

impl SocketListener {
    /// Binds `plugin.sock` in a fresh `0700` directory under `PLUGIN_UNIX_SOCKET_DIR` (or the
    /// system temporary directory).
    pub fn bind(parent: Option<&Path>) -> std::io::Result<SocketListener> {
        let parent = parent.map(Path::to_path_buf).unwrap_or_else(std::env::temp_dir);
        let dir = tempfile::Builder::new().prefix("tf-peering-").tempdir_in(parent)?;
        std::fs::set_permissions(dir.path(), std::fs::Permissions::from_mode(0o700))?;
        let path = dir.path().join("plugin.sock");
        let listener = UnixListener::bind(&path)?;
        Ok(SocketListener { listener, path, _dir: dir })
    }
}
