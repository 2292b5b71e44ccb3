//! The provider block: per-cloud credentials and endpoints, retry knobs, and the clients
//! built from them.

use std::time::Duration;

use peering_clouds::aiven::{self, AivenClient};
use peering_clouds::http::{ApiClient, Auth, HttpError, RetryPolicy};
use peering_clouds::scaleway::{self, ScalewayClient};
use peering_clouds::upcloud::{self, UpcloudClient};
use peering_clouds::{Clients, Secret, Unavailable};
use peering_net::Cloud;
use tfplugin6::schema::Attribute;
use tfplugin6::{AttrPath, Block, Diagnostic, Diagnostics, Schema, Type, Value};

/// One cloud's block of the provider configuration.
fn cloud_block(cloud: Cloud) -> Block {
    match cloud {
        Cloud::Aiven => Block::new(
            "Aiven credentials.",
            vec![
                Attribute::string("token", "Aiven API token. Default: `AIVEN_TOKEN`.").optional().sensitive(),
                Attribute::string(
                    "api_url",
                    "Base URL of the Aiven API. Default: `AIVEN_WEB_URL`, else `https://api.aiven.io`. Plain `http://` is \
                     allowed only for loopback addresses, such as the emulator.",
                )
                .optional(),
            ],
        ),
        Cloud::Scaleway => Block::new(
            "Scaleway credentials. Each setting is taken from the block, else the environment, else the profile in \
             Scaleway's CLI configuration file.",
            vec![
                Attribute::string("access_key", "Access key (an identifier; not sent to the API). Default: `SCW_ACCESS_KEY`.")
                    .optional(),
                Attribute::string("secret_key", "Secret key, sent as `X-Auth-Token`. Default: `SCW_SECRET_KEY`.")
                    .optional()
                    .sensitive(),
                Attribute::string(
                    "project_id",
                    "Project that lookups and listings are limited to: existing connectors found before a create, \
                     `terraform query`, `peering_network` by name. New connectors belong to their VPC's project \
                     whatever this says. Default: `SCW_DEFAULT_PROJECT_ID`, else the profile's `default_project_id`.",
                )
                    .optional(),
                Attribute::string("region", "Default region, e.g. `fr-par`. Default: `SCW_DEFAULT_REGION`, else `fr-par`.")
                    .optional(),
                Attribute::string(
                    "profile",
                    "Profile of `~/.config/scw/config.yaml` (or `SCW_CONFIG_PATH`). Default: `SCW_PROFILE`, else the file's \
                     `active_profile`.",
                )
                .optional(),
                Attribute::string(
                    "api_url",
                    "Base URL of the Scaleway API. Default: `SCW_API_URL`, else `https://api.scaleway.com`. Plain `http://` \
                     only for loopback addresses.",
                )
                .optional(),
            ],
        ),
        Cloud::Upcloud => Block::new(
            "UpCloud credentials. Use `token`, or `username` and `password` of an account with API access.",
            vec![
                Attribute::string("username", "API user name. Default: `UPCLOUD_USERNAME`.").optional(),
                Attribute::string("password", "API password. Default: `UPCLOUD_PASSWORD`.").optional().sensitive(),
                Attribute::string(
                    "token",
                    "API token (`ucat_…`); wins over username and password. Default: `UPCLOUD_TOKEN`.",
                )
                .optional()
                .sensitive(),
                Attribute::string(
                    "api_url",
                    "Base URL of the UpCloud API. Default: `UPCLOUD_API_URL`, else `https://api.upcloud.com`. \
                     Plain `http://` is allowed only for loopback addresses, such as the emulator.",
                )
                .optional(),
            ],
        ),
    }
}

pub fn schema() -> Schema {
    let mut schema = Schema {
        version: 0,
        block: Block::new(
            "Private network peerings between Aiven, UpCloud and Scaleway. Each cloud block is optional: \
             credentials are needed only for the clouds a configuration uses.",
            vec![
                Attribute::plain(
                    "max_retries",
                    Type::Number,
                    "How many times a failed API request (connection error, 408, 429, 5xx) is retried. Default: 10.",
                )
                .optional(),
                Attribute::string(
                    "request_timeout",
                    "Timeout of one API request, as a duration such as `30s` or `2m`. Default: `60s`.",
                )
                .optional(),
                Attribute::plain(
                    "max_parallel_reads",
                    Type::Number,
                    "How many objects a listing (`terraform query`) reads from the clouds at once, 1 to 64. \
                     Default: 8. No cloud publishes a rate limit for these APIs; a 429 answer is waited out and \
                     retried as any failed request is.",
                )
                .optional(),
            ],
        ),
    };
    // One block per cloud, named by its key, in alphabetical order.
    let mut clouds = Cloud::ALL.to_vec();
    clouds.sort_by_key(|cloud| cloud.key());
    for cloud in clouds {
        schema.block = schema.block.with_block(cloud.key(), cloud_block(cloud));
    }
    schema
}

fn string_attr(value: &Value, name: &str) -> Result<Option<String>, ()> {
    match value.get(name) {
        Value::Unknown => Err(()),
        Value::String(s) if !s.is_empty() => Ok(Some(s.clone())),
        _ => Ok(None),
    }
}

fn setting(block: &Value, name: &str, env: &str) -> Result<Option<String>, ()> {
    Ok(string_attr(block, name)?.or_else(|| std::env::var(env).ok().filter(|v| !v.is_empty())))
}

/// Checks what can be checked without the environment: durations and retry counts.
pub fn validate(config: &Value) -> Diagnostics {
    let mut diags = Diagnostics::default();
    if let Value::String(s) = config.get("request_timeout")
        && let Err(e) = tfplugin6::duration::parse_duration(s)
    {
        diags.push(Diagnostic::error("Invalid request_timeout", e).at(AttrPath::root("request_timeout")));
    }
    if let Value::Number(n) = config.get("max_retries")
        && !matches!(n.to_string().parse::<u32>(), Ok(0..=20))
    {
        diags.push(
            Diagnostic::error("Invalid max_retries", format!("{n} is not a whole number from 0 to 20."))
                .at(AttrPath::root("max_retries")),
        );
    }
    if let Value::Number(n) = config.get("max_parallel_reads")
        && !matches!(n.to_string().parse::<usize>(), Ok(1..=MAX_PARALLEL_READS))
    {
        diags.push(
            Diagnostic::error(
                "Invalid max_parallel_reads",
                format!("{n} is not a whole number from 1 to {MAX_PARALLEL_READS}."),
            )
            .at(AttrPath::root("max_parallel_reads")),
        );
    }
    if let Value::String(region) = config.get("scaleway").get("region")
        && let Err(e) = region.parse::<peering_net::ScalewayRegion>()
    {
        diags.push(
            Diagnostic::error("Invalid Scaleway region", format!("{e}.")).at(AttrPath::root("scaleway").attr("region")),
        );
    }
    for cloud in Cloud::ALL {
        let block = cloud.key();
        if let Value::String(url) = config.get(block).get("api_url")
            && let Err(e) = peering_clouds::http::check_base_url(url)
        {
            // Terraform quotes the configuration line an attribute error points at: a URL that
            // may hold a secret gets its error on the block instead.
            let path = match e {
                HttpError::InsecureUrl { .. } => AttrPath::root(block).attr("api_url"),
                _ => AttrPath::root(block),
            };
            diags.push(Diagnostic::error(format!("Invalid {} api_url", cloud.display_name()), e.to_string()).at(path));
        }
    }
    diags
}

fn retry_policy(config: &Value) -> RetryPolicy {
    let mut policy = RetryPolicy::default();
    if let Value::Number(n) = config.get("max_retries")
        && let Ok(n) = n.to_string().parse()
    {
        policy.max_retries = n;
    }
    if let Some(timeout) =
        config.get("request_timeout").as_str().and_then(|s| tfplugin6::duration::parse_duration(s).ok())
    {
        policy.request_timeout = timeout.max(Duration::from_secs(1));
    }
    policy
}

fn upcloud_client(config: &Value, policy: RetryPolicy) -> Result<UpcloudClient, Unavailable> {
    let block = config.get("upcloud");
    let unknown = |_| Unavailable::NotYetKnown;
    let token = setting(block, "token", upcloud::env::TOKEN).map_err(unknown)?;
    let username = setting(block, "username", upcloud::env::USERNAME).map_err(unknown)?;
    let password = setting(block, "password", upcloud::env::PASSWORD).map_err(unknown)?;
    let api_url = setting(block, "api_url", upcloud::env::API_URL)
        .map_err(unknown)?
        .unwrap_or_else(|| upcloud::DEFAULT_API_URL.to_string());
    // As UpCloud's own tools do, a token wins over a user name and password.
    let auth = match (token, username, password) {
        (Some(token), _, _) => Auth::Bearer(Secret::new(token)),
        (None, Some(username), Some(password)) => Auth::Basic { username, password: Secret::new(password) },
        (None, Some(_), None) => {
            return Err(Unavailable::Invalid(
                "upcloud.username is set but upcloud.password (UPCLOUD_PASSWORD) is not.".into(),
            ));
        }
        (None, None, Some(_)) => {
            return Err(Unavailable::Invalid(
                "upcloud.password is set but upcloud.username (UPCLOUD_USERNAME) is not; set both, or \
                 upcloud.token (UPCLOUD_TOKEN) instead."
                    .into(),
            ));
        }
        _ => return Err(Unavailable::MissingCredentials),
    };
    ApiClient::new(&api_url, auth, policy).map(UpcloudClient::new).map_err(|e| Unavailable::Invalid(e.to_string()))
}

fn aiven_client(config: &Value, policy: RetryPolicy) -> Result<AivenClient, Unavailable> {
    let block = config.get("aiven");
    let unknown = |_| Unavailable::NotYetKnown;
    let token = setting(block, "token", aiven::env::TOKEN).map_err(unknown)?.ok_or(Unavailable::MissingCredentials)?;
    let api_url = setting(block, "api_url", aiven::env::API_URL)
        .map_err(unknown)?
        .unwrap_or_else(|| aiven::DEFAULT_API_URL.to_string());
    let auth = Auth::Header { name: "authorization", value: Secret::new(format!("aivenv1 {token}")) };
    ApiClient::new(&api_url, auth, policy).map(AivenClient::new).map_err(|e| Unavailable::Invalid(e.to_string()))
}

/// Precedence, for each setting: the provider block, then the environment, then the profile.
fn scaleway_client(config: &Value, policy: RetryPolicy) -> Result<ScalewayClient, Unavailable> {
    let block = config.get("scaleway");
    let unknown = |_| Unavailable::NotYetKnown;
    let wanted = setting(block, "profile", scaleway::env::PROFILE).map_err(unknown)?;
    let profile = match scaleway::profile::config_path() {
        Some(path) => {
            scaleway::profile::load(&path, wanted.as_deref()).map_err(|e| Unavailable::Invalid(e.to_string()))?
        }
        None => Default::default(),
    };
    let profile_name = wanted.clone().unwrap_or_else(|| "the active".to_string());
    // Each setting with where it came from, for an error that names it (never the value).
    let sourced =
        |name: &str, env: &str, from_profile: Option<String>| -> Result<Option<(String, String)>, Unavailable> {
            if let Some(value) = string_attr(block, name).map_err(unknown)? {
                return Ok(Some((value, format!("scaleway.{name} in the provider block"))));
            }
            if let Some(value) = std::env::var(env).ok().filter(|v| !v.is_empty()) {
                return Ok(Some((value, format!("the environment variable {env}"))));
            }
            Ok(from_profile
                .map(|value| (value, format!("{name} of {profile_name} profile of the Scaleway CLI configuration"))))
        };
    let pick = |name: &str, env: &str, from_profile: Option<String>| -> Result<Option<String>, Unavailable> {
        Ok(sourced(name, env, from_profile)?.map(|(value, _)| value))
    };
    let (secret, secret_from) =
        sourced("secret_key", scaleway::env::SECRET_KEY, profile.secret_key)?.ok_or(Unavailable::MissingCredentials)?;
    // Scaleway's own SDK refuses these before any request (scw/client_option.go `validateAuth`);
    // so do we, without repeating the value.
    if uuid::Uuid::try_parse(&secret).is_err() || secret.len() != 36 {
        return Err(Unavailable::Invalid(format!(
            "The Scaleway secret key from {secret_from} is not a UUID (xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx), as \
             Scaleway secret keys are; it was not sent. Check that value."
        )));
    }
    if let Some((access, access_from)) = sourced("access_key", scaleway::env::ACCESS_KEY, profile.access_key)?
        && !is_scaleway_access_key(&access)
    {
        return Err(Unavailable::Invalid(format!(
            "The Scaleway access key from {access_from} is not of the form SCWXXXXXXXXXXXXXXXXX (SCW and 17 capital \
             letters or digits). Check that value, or leave the access key unset: only the secret key is sent."
        )));
    }
    let project = pick("project_id", scaleway::env::PROJECT_ID, profile.default_project_id)?;
    let api_url = pick("api_url", scaleway::env::API_URL, profile.api_url)?
        .unwrap_or_else(|| scaleway::DEFAULT_API_URL.to_string());
    let region = pick("region", scaleway::env::REGION, profile.default_region)?
        .unwrap_or_else(|| scaleway::DEFAULT_REGION.to_string());
    let auth = Auth::Header { name: "x-auth-token", value: Secret::new(secret) };
    ApiClient::new(&api_url, auth, policy)
        .map(|api| ScalewayClient::new(api, project, region))
        .map_err(|e| Unavailable::Invalid(e.to_string()))
}

/// `SCW` and 17 capital letters or digits, as Scaleway's SDK checks (`validation.IsAccessKey`).
fn is_scaleway_access_key(key: &str) -> bool {
    key.len() == 20 && key.starts_with("SCW") && key[3..].chars().all(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
}

/// Reads a listing makes at once unless `max_parallel_reads` says otherwise, and the most it may.
const DEFAULT_PARALLEL_READS: usize = 8;
const MAX_PARALLEL_READS: usize = 64;

/// Builds the clients from a `ConfigureProvider` config.
pub fn configure(config: &Value) -> Clients {
    let policy = retry_policy(config);
    let parallel_reads = match config.get("max_parallel_reads") {
        Value::Number(n) => n.to_string().parse().unwrap_or(DEFAULT_PARALLEL_READS).clamp(1, MAX_PARALLEL_READS),
        _ => DEFAULT_PARALLEL_READS,
    };
    Clients {
        aiven: aiven_client(config, policy.clone()),
        scaleway: scaleway_client(config, policy.clone()),
        upcloud: upcloud_client(config, policy),
        parallel_reads,
    }
}
