//! `PEERING_RECORD=DIR`: every exchange with a cloud written to `DIR/CLOUD/` in the golden format
//! of `tests/golden/README.md`, so that one run against a real account turns the emulator's
//! guesses into recorded evidence. Headers are never kept (the credentials live there); account
//! ids and names in paths, queries and bodies are scrubbed.

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicU64, Ordering};

use serde_json::{Value, json};

/// Body keys whose values name the account, replaced in recordings.
const ACCOUNT_KEYS: &[&str] = &[
    "organization_id",
    "project_id",
    "project_name",
    "username",
    "email",
    "account_id",
    "tenant_id",
    "billing_group_id",
    "billing_group_name",
    "billing_address",
    "billing_emails",
    "billing_extra_text",
    "vat_id",
    "account_name",
    "company",
    "user_email",
    "last4",
    "peer_azure_app_id",
    "peer_azure_tenant_id",
    "peer_resource_group",
];

/// Body keys naming the account only when they hold something else than a cloud's name: an
/// Aiven peer's `peer_cloud_account` is `upcloud`, or an AWS account number.
const ACCOUNT_UNLESS: &[(&str, &[&str])] = &[("peer_cloud_account", &["upcloud", "aws", "google", "azure"])];

/// Body keys whose objects are keyed by project names (Aiven's `GET /v1/project`).
const KEYED_BY_PROJECT: &[&str] = &["project_membership", "project_memberships"];

/// What a scrubbed UUID reads as.
pub const SCRUBBED_ID: &str = "00000000-0000-4000-8000-000000000000";
/// What a scrubbed name reads as.
pub const SCRUBBED_NAME: &str = "scrubbed";

pub struct Recorder {
    dir: PathBuf,
    next: AtomicU64,
}

/// Set once this process has stopped recording ([`stop`]).
static STOPPED: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// Stops recording in this process: what follows (a test harness checking the recording with
/// clients of its own) is not part of it.
pub fn stop() {
    STOPPED.store(true, Ordering::SeqCst);
}

/// The recorder of this process, when `PEERING_RECORD` names a folder.
pub fn active() -> Option<&'static Recorder> {
    if STOPPED.load(Ordering::SeqCst) {
        return None;
    }
    static RECORDER: OnceLock<Option<Recorder>> = OnceLock::new();
    RECORDER
        .get_or_init(|| {
            let dir = PathBuf::from(std::env::var_os("PEERING_RECORD").filter(|d| !d.is_empty())?);
            // Several processes (the provider, a test harness) may record into one folder.
            let start = u64::from(std::process::id()) * 100_000;
            Some(Recorder { dir, next: AtomicU64::new(start) })
        })
        .as_ref()
}

/// One exchange as it went.
pub struct Exchange<'a> {
    pub cloud: &'static str,
    pub method: &'a str,
    pub url: &'a url::Url,
    pub query: &'a [(&'a str, String)],
    pub request: Option<&'a Value>,
    pub status: u16,
    pub response: &'a [u8],
}

impl Recorder {
    /// Writes one exchange; a recording that cannot be written is logged, never an error of the
    /// request.
    pub fn record(&self, exchange: &Exchange<'_>) {
        let n = self.next.fetch_add(1, Ordering::SeqCst);
        let path = scrub_path(exchange.cloud, exchange.url.path());
        let resource = path.split('/').rev().find(|s| !s.is_empty() && uuid::Uuid::parse_str(s).is_err());
        let resource = resource.unwrap_or("root").replace(|c: char| !c.is_ascii_alphanumeric(), "-");
        let gone = if exchange.status == 404 { "_not_found" } else { "" };
        let name = format!("{n:010}_{}_{resource}{gone}.json", exchange.method.to_ascii_lowercase());
        let query: serde_json::Map<String, Value> = exchange
            .query
            .iter()
            .map(|(k, v)| (k.to_string(), Value::String(if is_account_key(k) { scrub(v) } else { v.clone() })))
            .collect();
        let mut request = exchange.request.cloned().unwrap_or(Value::Null);
        scrub_body(&mut request);
        let mut response = serde_json::from_slice(exchange.response).unwrap_or(Value::Null);
        scrub_body(&mut response);
        let host = exchange.url.host_str().unwrap_or("unknown");
        let file = json!({
            "source": format!("terraform-provider-peering PEERING_RECORD@{host} (exchange {n})"),
            "verified": true,
            "request": {"method": exchange.method, "path": path, "query": query, "body": request},
            "response": {"status": exchange.status, "body": response},
        });
        let dir = self.dir.join(exchange.cloud);
        let written = std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(dir.join(name), serde_json::to_vec_pretty(&file).unwrap_or_default()));
        if let Err(e) = written {
            tracing::warn!(error = %e, dir = %self.dir.display(), "PEERING_RECORD: cannot write a recording");
        }
    }
}

fn is_account_key(key: &str) -> bool {
    ACCOUNT_KEYS.contains(&key) || key.ends_with("project_id")
}

fn scrub(value: &str) -> String {
    if uuid::Uuid::parse_str(value).is_ok() { SCRUBBED_ID.to_string() } else { SCRUBBED_NAME.to_string() }
}

/// Aiven's project name sits in its paths: `/v1/project/NAME/…`.
fn scrub_path(cloud: &str, path: &str) -> String {
    let mut parts: Vec<String> = path.split('/').map(str::to_string).collect();
    if cloud == "aiven" && parts.get(2).is_some_and(|p| p == "project") && parts.len() > 3 {
        parts[3] = SCRUBBED_NAME.to_string();
    }
    parts.join("/")
}

fn scrub_body(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, value) in map.iter_mut() {
                let names_account = |s: &str| ACCOUNT_UNLESS.iter().any(|(k, clouds)| k == key && !clouds.contains(&s));
                match value {
                    Value::String(s) if is_account_key(key) || names_account(s) => *s = scrub(s),
                    Value::Array(items) if is_account_key(key) => {
                        for item in items.iter_mut() {
                            if let Value::String(s) = item {
                                *s = scrub(s);
                            }
                        }
                    }
                    Value::Object(by_project) if KEYED_BY_PROJECT.contains(&key.as_str()) => {
                        let entries = std::mem::take(by_project);
                        for (i, (_, v)) in entries.into_iter().enumerate() {
                            let name = if i == 0 { SCRUBBED_NAME.to_string() } else { format!("{SCRUBBED_NAME}-{i}") };
                            by_project.insert(name, v);
                        }
                    }
                    other => scrub_body(other),
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(scrub_body),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids_and_names_are_scrubbed() {
        let mut body = json!({"billing_emails": ["a@b.c"], "peerings": [{"peer_cloud_account": "123456789012"}, {"peer_cloud_account": "upcloud"}],
            "vpcs": [{"project_id": "5ca1e000-0000-4000-8000-000000000001", "name": "kept",
            "peer_info": {"organization_id": "5ca1e000-0000-4000-8000-000000000002"}}], "projects": [{"project_name": "acme"}], "project_membership": {"acme": "admin"}});
        scrub_body(&mut body);
        assert_eq!(body["vpcs"][0]["project_id"], SCRUBBED_ID);
        assert_eq!(body["vpcs"][0]["peer_info"]["organization_id"], SCRUBBED_ID);
        assert_eq!(body["vpcs"][0]["name"], "kept");
        assert_eq!(body["projects"][0]["project_name"], SCRUBBED_NAME);
        assert_eq!(body["project_membership"], json!({"scrubbed": "admin"}));
        assert_eq!(body["billing_emails"], json!(["scrubbed"]));
        assert_eq!(body["peerings"][0]["peer_cloud_account"], SCRUBBED_NAME);
        assert_eq!(body["peerings"][1]["peer_cloud_account"], "upcloud");
        assert_eq!(scrub_path("aiven", "/v1/project/acme/vpcs"), "/v1/project/scrubbed/vpcs");
        assert_eq!(scrub_path("upcloud", "/1.3/network/x"), "/1.3/network/x");
    }
}
