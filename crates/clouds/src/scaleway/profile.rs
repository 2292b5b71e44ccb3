//! Scaleway's CLI configuration file (`~/.config/scw/config.yaml`): top-level settings, named
//! `profiles`, and the `active_profile`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The settings one profile holds; every one optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Deserialize)]
pub struct Profile {
    pub access_key: Option<String>,
    pub secret_key: Option<String>,
    pub default_project_id: Option<String>,
    pub default_region: Option<String>,
    pub api_url: Option<String>,
}

#[derive(Debug, Default, Deserialize)]
struct ConfigFile {
    #[serde(flatten)]
    top: Profile,
    active_profile: Option<String>,
    #[serde(default)]
    profiles: BTreeMap<String, Profile>,
}

/// Where the file is, as the scw CLI looks: `SCW_CONFIG_PATH`, else
/// `$XDG_CONFIG_HOME/scw/config.yaml`, else `.config/scw/config.yaml` in the home directory
/// (`HOME`; `USERPROFILE` on Windows).
pub fn config_path() -> Option<PathBuf> {
    if let Some(path) = std::env::var_os(super::env::CONFIG_PATH) {
        return Some(PathBuf::from(path));
    }
    let home = if cfg!(windows) { "USERPROFILE" } else { "HOME" };
    let config_home = std::env::var_os("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os(home).map(|home| PathBuf::from(home).join(".config")))?;
    Some(config_home.join("scw").join("config.yaml"))
}

#[derive(Debug, thiserror::Error)]
pub enum ProfileError {
    #[error("cannot read {path}: {reason}")]
    Unreadable { path: String, reason: String },
    #[error("profile {name:?} is not in {path}")]
    NoSuchProfile { name: String, path: String },
}

/// The profile to use: `wanted` (the provider's `profile`, else `SCW_PROFILE`), else the file's
/// `active_profile`, else its top-level settings; a named profile falls back to the top level
/// key by key. A missing file is an empty profile unless a profile was asked for by name.
pub fn load(path: &Path, wanted: Option<&str>) -> Result<Profile, ProfileError> {
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound && wanted.is_none() => return Ok(Profile::default()),
        Err(e) => return Err(ProfileError::Unreadable { path: path.display().to_string(), reason: e.to_string() }),
    };
    let file: ConfigFile = serde_norway::from_str(&text)
        .map_err(|e| ProfileError::Unreadable { path: path.display().to_string(), reason: e.to_string() })?;
    let name = wanted.map(str::to_string).or(file.active_profile.clone());
    let Some(name) = name else { return Ok(file.top) };
    let named = file
        .profiles
        .get(&name)
        .ok_or_else(|| ProfileError::NoSuchProfile { name: name.clone(), path: path.display().to_string() })?;
    Ok(Profile {
        access_key: named.access_key.clone().or(file.top.access_key),
        secret_key: named.secret_key.clone().or(file.top.secret_key),
        default_project_id: named.default_project_id.clone().or(file.top.default_project_id),
        default_region: named.default_region.clone().or(file.top.default_region),
        api_url: named.api_url.clone().or(file.top.api_url),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const FILE: &str = "
access_key: SCWTOPLEVEL000000000
secret_key: 11111111-0000-4000-8000-000000000000
default_region: fr-par
active_profile: work
profiles:
  work:
    secret_key: 22222222-0000-4000-8000-000000000000
    default_project_id: 33333333-0000-4000-8000-000000000000
  amsterdam:
    default_region: nl-ams
";

    #[test]
    fn profiles_fall_back_to_the_top_level() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("config.yaml");
        std::fs::write(&path, FILE).unwrap();
        let active = load(&path, None).unwrap();
        assert_eq!(active.secret_key.as_deref(), Some("22222222-0000-4000-8000-000000000000"));
        assert_eq!(active.default_region.as_deref(), Some("fr-par"));
        let named = load(&path, Some("amsterdam")).unwrap();
        assert_eq!(named.default_region.as_deref(), Some("nl-ams"));
        assert_eq!(named.secret_key.as_deref(), Some("11111111-0000-4000-8000-000000000000"));
        assert!(matches!(load(&path, Some("nope")), Err(ProfileError::NoSuchProfile { .. })));
        assert_eq!(load(&dir.path().join("missing.yaml"), None).unwrap(), Profile::default());
    }
}
