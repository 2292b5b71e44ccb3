//! HTTP for every cloud client: one reqwest client per provider process, request timeouts,
//! retries with jittered exponential backoff, and credentials that never leave the header.
//!
//! What is retried: connection failures, 408, 429 (after `Retry-After` when given) and 5xx
//! other than 501. Writes that are not idempotent (POST) are retried only when the request
//! surely did not take effect (a refused connection, a 429); otherwise the error says the
//! outcome is unknown and the caller looks before it creates again.

use std::net::IpAddr;
use std::time::Duration;

use futures_util::FutureExt;
use rand::Rng;
use reqwest::{Method, StatusCode, Url};

use super::Secret;
use super::roots::RootsSource;
use super::shared::{Freshness, SharedReads};

/// How hard to try.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    pub max_retries: u32,
    pub base_delay: Duration,
    pub max_delay: Duration,
    pub request_timeout: Duration,
}

/// The largest answer body read: a page of 100 Scaleway objects is some 100 KB, Aiven's and
/// UpCloud's lists a few hundred KB for accounts of hundreds of networks; a cloud answering more
/// than this is cut off, not buffered.
pub const MAX_BODY: usize = 16 * 1024 * 1024;

/// An operation (one logical request with its retries) ends after this many request timeouts,
/// however many retries are left: a server that stalls cannot hold a plan for 11 timeouts.
pub const OPERATION_TIMEOUTS: u32 = 3;

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 10,
            base_delay: Duration::from_millis(200),
            max_delay: Duration::from_secs(20),
            request_timeout: Duration::from_secs(60),
        }
    }
}

impl RetryPolicy {
    /// How long one operation may take across its retries.
    pub fn operation_deadline(&self) -> Duration {
        self.request_timeout.saturating_mul(OPERATION_TIMEOUTS)
    }

    /// Full-jitter exponential backoff for the given retry (0-based), in `[d/2, d]`.
    pub fn backoff(&self, retry: u32) -> Duration {
        let exp = self.base_delay.saturating_mul(1u32 << retry.min(16));
        let capped = exp.min(self.max_delay);
        let half = capped / 2;
        half + Duration::from_micros(rand::rng().random_range(0..=half.as_micros() as u64))
    }
}

/// How a request authenticates.
#[derive(Debug, Clone)]
pub enum Auth {
    Basic {
        username: String,
        password: Secret,
    },
    Bearer(Secret),
    /// A bespoke header, such as Scaleway's `X-Auth-Token` or Aiven's `aivenv1` scheme.
    Header {
        name: &'static str,
        value: Secret,
    },
}

#[derive(Debug, Clone, thiserror::Error)]
pub enum HttpError {
    #[error("{url} is plain http:// to a host that is not loopback; credentials are only sent over https")]
    InsecureUrl { url: String },
    /// Never quotes the text as given: it may hold a secret the user mistyped into it.
    #[error("invalid API URL: {reason}")]
    BadUrl { reason: String },
    #[error(
        "the API URL carries a user name or password (scheme://user:password@host); credentials go in the \
         provider block's own settings, never in a URL, so this URL is not used"
    )]
    CredentialsInUrl,
    #[error("nothing answers at {url} ({setting}): {reason}. Check that setting, and that the service is up")]
    Unreachable { url: String, setting: &'static str, reason: String },
    #[error(
        "the certificate of {url} ({setting}) is not trusted: {reason}. For a private or corporate certificate \
         authority, set SSL_CERT_FILE to a PEM file of the authorities to trust (docs/guides/install.md)"
    )]
    Untrusted { url: String, setting: &'static str, reason: String },
    #[error(
        "the API at {url} ({setting}) answered with a redirect to {to}; API requests follow no redirect, so that \
         credentials never leave the origin that setting names. Check that setting"
    )]
    Redirected { url: String, setting: &'static str, to: String },
    #[error(
        "{method} /{path}: the answer is larger than {limit} bytes and was not read ({setting}); no API this provider uses answers so much"
    )]
    TooLarge { method: Method, path: String, limit: usize, setting: &'static str },
    #[error(
        "{method} /{path}: no answer within {seconds} s, across retries ({setting}; request_timeout sets it): {message}"
    )]
    TimedOut { method: Method, path: String, seconds: u64, setting: &'static str, message: String },
    #[error("{method} /{path}: {message}")]
    Transport {
        method: Method,
        path: String,
        message: String,
        /// The request may have reached the server and taken effect.
        outcome_unknown: bool,
    },
    #[error("{method} /{path}: HTTP {status}")]
    Status {
        method: Method,
        path: String,
        status: StatusCode,
        body: bytes::Bytes,
        /// A write answered with a 5xx may or may not have taken effect.
        outcome_unknown: bool,
    },
}

impl HttpError {
    /// No connection could be made (refused, no such host, a certificate not trusted): a wrong
    /// URL, trust store or a service that is down, which waiting longer in this run does not mend.
    /// Also an answer that cannot be taken (a redirect, a body too large): the same next time.
    pub fn is_unreachable(&self) -> bool {
        matches!(
            self,
            HttpError::Unreachable { .. }
                | HttpError::Untrusted { .. }
                | HttpError::Redirected { .. }
                | HttpError::TooLarge { .. }
        )
    }

    pub fn outcome_unknown(&self) -> bool {
        matches!(
            self,
            HttpError::Transport { outcome_unknown: true, .. } | HttpError::Status { outcome_unknown: true, .. }
        )
    }
}

/// A successful response.
#[derive(Debug, Clone)]
pub struct Response {
    pub status: StatusCode,
    pub body: bytes::Bytes,
}

/// Which shared reads (by path) a write to a path may change; a cloud's client narrows the
/// default, which is all of them.
pub type WriteChanges = fn(write: &str, read: &str) -> bool;

fn changes_everything(_: &str, _: &str) -> bool {
    true
}

/// Which error statuses of an idempotent request are worth another try (429 always is).
pub type RetryStatus = fn(&Method, StatusCode) -> bool;

/// The common rule: 408 and 5xx other than 501.
pub fn retry_timeouts_and_server_errors(_: &Method, status: StatusCode) -> bool {
    status == StatusCode::REQUEST_TIMEOUT || (status.is_server_error() && status != StatusCode::NOT_IMPLEMENTED)
}

/// A base URL with credentials and a retry policy, sharing the process-wide connection pool.
#[derive(Clone)]
pub struct ApiClient {
    http: reqwest::Client,
    base: Url,
    auth: Auth,
    policy: RetryPolicy,
    retry_status: RetryStatus,
    reads: SharedReads<Response, HttpError>,
    write_changes: WriteChanges,
    /// Where the user sets the base URL, named when it cannot be reached.
    url_setting: &'static str,
    /// The cloud's folder in a recording (`PEERING_RECORD`); none records nothing.
    recorded_as: Option<&'static str>,
}

impl std::fmt::Debug for ApiClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiClient").field("base", &self.base.as_str()).field("auth", &self.auth).finish()
    }
}

/// The one reqwest client of this process (its pool is shared by every cloud client), trusting
/// the roots [`super::roots`] loads. Roots that cannot be loaded leave it trusting nothing, and
/// the reason is said with every certificate then refused; plain http to loopback still works.
/// It follows no redirect: the clouds' APIs answer these calls directly, and a redirect would
/// take the credentials to another origin.
pub fn shared_http_client() -> reqwest::Client {
    http_clients().0.clone()
}

/// The same for loopback URLs, never through a proxy (`HTTP_PROXY` would see the credentials
/// of a plain http request).
fn loopback_http_client() -> reqwest::Client {
    http_clients().1.clone()
}

/// The shared clients (with proxies from the environment, and without), and why no roots could
/// be loaded for them (if so).
fn http_clients() -> &'static (reqwest::Client, reqwest::Client, Option<String>) {
    static CLIENTS: std::sync::OnceLock<(reqwest::Client, reqwest::Client, Option<String>)> =
        std::sync::OnceLock::new();
    CLIENTS.get_or_init(|| {
        let (roots, problem) = match RootsSource::from_env().load() {
            Ok(roots) => (roots, None),
            Err(e) => (rustls::RootCertStore::empty(), Some(e.to_string())),
        };
        let provider = std::sync::Arc::new(rustls::crypto::aws_lc_rs::default_provider());
        let tls = rustls::ClientConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("aws-lc-rs supports the default protocol versions")
            .with_root_certificates(roots)
            .with_no_client_auth();
        let builder = || {
            reqwest::Client::builder()
                .use_preconfigured_tls(tls.clone())
                .user_agent(concat!("terraform-provider-peering/", env!("CARGO_PKG_VERSION")))
                .redirect(reqwest::redirect::Policy::none())
                .pool_idle_timeout(Duration::from_secs(30))
                .connect_timeout(Duration::from_secs(10))
        };
        let client = builder().build().expect("the HTTP client builds with static settings");
        let loopback = builder().no_proxy().build().expect("the HTTP client builds with static settings");
        (client, loopback, problem)
    })
}

/// Refuses to send credentials over plain http to anything but loopback, and refuses URLs that
/// carry credentials themselves. Errors never repeat what was given: it may hold a secret.
pub fn check_base_url(url: &str) -> Result<Url, HttpError> {
    let parsed = Url::parse(url).map_err(|e| HttpError::BadUrl { reason: e.to_string() })?;
    if !parsed.username().is_empty() || parsed.password().is_some() {
        return Err(HttpError::CredentialsInUrl);
    }
    let shown = || parsed.origin().ascii_serialization();
    match parsed.scheme() {
        "https" => Ok(parsed),
        "http" if is_loopback(&parsed) => Ok(parsed),
        "http" => Err(HttpError::InsecureUrl { url: shown() }),
        other => Err(HttpError::BadUrl { reason: format!("{}: unsupported scheme {other}", shown()) }),
    }
}

fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(url::Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip).is_loopback(),
        Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip).is_loopback(),
        None => false,
    }
}

impl ApiClient {
    pub fn new(base_url: &str, auth: Auth, policy: RetryPolicy) -> Result<ApiClient, HttpError> {
        let mut base = check_base_url(base_url)?;
        if !base.path().ends_with('/') {
            let path = format!("{}/", base.path());
            base.set_path(&path);
        }
        let http = if is_loopback(&base) { loopback_http_client() } else { shared_http_client() };
        Ok(ApiClient {
            http,
            base,
            auth,
            policy,
            retry_status: retry_timeouts_and_server_errors,
            reads: SharedReads::default(),
            write_changes: changes_everything,
            url_setting: "api_url",
            recorded_as: None,
        })
    }

    /// Replaces the rule for which statuses are retried (a cloud's own client may know better).
    pub fn with_retry_status(mut self, rule: RetryStatus) -> ApiClient {
        self.retry_status = rule;
        self
    }

    /// Names the setting that holds the base URL (`upcloud { api_url }` / `UPCLOUD_API_URL`), for
    /// the error when nothing answers there.
    pub fn with_url_setting(mut self, setting: &'static str) -> ApiClient {
        self.url_setting = setting;
        self
    }

    /// Names the cloud's folder when `PEERING_RECORD` records the exchanges ([`super::record`]).
    pub fn recorded_as(mut self, cloud: &'static str) -> ApiClient {
        self.recorded_as = Some(cloud);
        self
    }

    /// Replaces the rule for which shared reads a write makes stale.
    pub fn with_write_changes(mut self, rule: WriteChanges) -> ApiClient {
        self.write_changes = rule;
        self
    }

    pub fn policy(&self) -> &RetryPolicy {
        &self.policy
    }

    /// A GET shared with other callers of this client as `freshness` allows (see
    /// [`super::shared`]).
    pub async fn get_shared(
        &self,
        path: &str,
        query: &[(&str, String)],
        freshness: Freshness,
    ) -> Result<Response, HttpError> {
        let owned: Vec<(String, String)> = query.iter().map(|(k, v)| (k.to_string(), v.clone())).collect();
        let key = format!("{path}?{}", owned.iter().map(|(k, v)| format!("{k}={v}")).collect::<Vec<_>>().join("&"));
        let (client, path) = (self.clone(), path.to_string());
        let fetch = move || {
            async move {
                let query: Vec<(&str, String)> = owned.iter().map(|(k, v)| (k.as_str(), v.clone())).collect();
                client.exchange(Method::GET, &path, &query, None, false).await
            }
            .boxed()
        };
        self.reads.read(key, freshness, fetch).await
    }

    /// Sends one logical request, retrying what is safe to retry. Every write makes later
    /// shared reads fresh.
    pub async fn send(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
    ) -> Result<Response, HttpError> {
        self.send_with(method, path, query, body, false).await
    }

    /// Sends a write exactly once, never retried here: for a body built from a read, which a
    /// retry must build again from a fresh read (an UpCloud router's whole route list). Any
    /// failure after the request was sent says the outcome is unknown.
    pub async fn send_once(
        &self,
        method: Method,
        path: &str,
        body: Option<&serde_json::Value>,
    ) -> Result<Response, HttpError> {
        self.send_with(method, path, &[], body, true).await
    }

    async fn send_with(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        once: bool,
    ) -> Result<Response, HttpError> {
        if method == Method::GET || method == Method::HEAD {
            self.exchange(method, path, query, body, once).await
        } else {
            let rule = self.write_changes;
            self.reads.write(|read| rule(path, read), self.exchange(method, path, query, body, once)).await
        }
    }

    /// One logical request: attempts and retries (none when `once`).
    async fn exchange(
        &self,
        method: Method,
        path: &str,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        once: bool,
    ) -> Result<Response, HttpError> {
        // A value put into the path is one segment: `.` and `..` (also percent-encoded, which the
        // URL rules read alike) would move the request elsewhere, so they are refused unsent.
        if let Some(bad) = path.split('/').find(|segment| is_dot_segment(segment)) {
            return Err(HttpError::BadUrl { reason: format!("a path segment may not be {bad:?} (in {path:?})") });
        }
        let url = self
            .base
            .join(path.trim_start_matches('/'))
            .map_err(|e| HttpError::BadUrl { reason: format!("{path}: {e}") })?;
        // A write sent once is as good as not idempotent: nothing here repeats it.
        let idempotent = method != Method::POST && !once;
        let max_retries = if once { 0 } else { self.policy.max_retries };
        let deadline = tokio::time::Instant::now() + self.policy.operation_deadline();
        let mut retry = 0;
        let mut refused = 0;
        loop {
            let left = deadline.saturating_duration_since(tokio::time::Instant::now());
            let failure = match self.attempt(&method, &url, query, body, left.min(self.policy.request_timeout)).await {
                Ok(response) => return Ok(response),
                Err(failure) => failure,
            };
            let delay = match &failure {
                Attempt::Status { status, retry_after, .. } => {
                    let retryable = *status == StatusCode::TOO_MANY_REQUESTS
                        || (idempotent && (self.retry_status)(&method, *status));
                    retryable.then(|| retry_after.unwrap_or_else(|| self.policy.backoff(retry)))
                }
                // A connection that cannot be made is tried a little, not for minutes.
                Attempt::Transport { sent: false, .. } => {
                    refused += 1;
                    (refused <= CONNECT_RETRIES).then(|| self.policy.backoff(retry))
                }
                Attempt::Transport { .. } => idempotent.then(|| self.policy.backoff(retry)),
                // Trust does not come with time, nor does another origin or a smaller answer.
                Attempt::Untrusted { .. } | Attempt::Redirected { .. } | Attempt::TooLarge => None,
            };
            let error = failure.into_error(self, &method, path, idempotent);
            match delay.map(|d| d.min(self.policy.max_delay)) {
                Some(delay) if retry < max_retries && tokio::time::Instant::now() + delay >= deadline => {
                    return Err(self.timed_out(&method, path, error));
                }
                Some(delay) if retry < max_retries => {
                    tracing::debug!(%method, path, retry, delay_ms = delay.as_millis() as u64, "retrying");
                    tokio::time::sleep(delay).await;
                    retry += 1;
                }
                _ => return Err(error),
            }
        }
    }

    /// The error of an operation whose deadline came before its retries ran out.
    fn timed_out(&self, method: &Method, path: &str, last: HttpError) -> HttpError {
        HttpError::TimedOut {
            method: method.clone(),
            path: path.trim_start_matches('/').to_string(),
            seconds: self.policy.operation_deadline().as_secs(),
            setting: self.url_setting,
            message: last.to_string(),
        }
    }

    async fn attempt(
        &self,
        method: &Method,
        url: &Url,
        query: &[(&str, String)],
        body: Option<&serde_json::Value>,
        timeout: Duration,
    ) -> Result<Response, Attempt> {
        let mut request = self
            .http
            .request(method.clone(), url.clone())
            .timeout(timeout.max(Duration::from_millis(1)))
            .header(reqwest::header::ACCEPT, "application/json");
        if !query.is_empty() {
            request = request.query(query);
        }
        request = match &self.auth {
            Auth::Basic { username, password } => request.basic_auth(username, Some(password.expose())),
            Auth::Bearer(token) => request.bearer_auth(token.expose()),
            Auth::Header { name, value } => request.header(*name, value.expose()),
        };
        if let Some(body) = body {
            request = request.json(body);
        }
        let response = request.send().await.map_err(|e| match untrusted_certificate(&e) {
            Some(reason) => match &http_clients().2 {
                Some(problem) => Attempt::Untrusted { reason: format!("{reason} (no authorities loaded: {problem})") },
                None => Attempt::Untrusted { reason },
            },
            // A refused connection never reached the server. The URL is left out: the setting's
            // path and query are the user's, and the request's path is said beside.
            None => Attempt::Transport { sent: !e.is_connect(), message: describe(&e.without_url()) },
        })?;
        let status = response.status();
        if status.is_redirection() {
            let to = (response.headers().get(reqwest::header::LOCATION))
                .and_then(|l| l.to_str().ok())
                .and_then(|l| url.join(l).ok())
                .map_or_else(|| "an unnamed place".to_string(), |to| to.origin().ascii_serialization());
            return Err(Attempt::Redirected { to });
        }
        let retry_after = retry_after(response.headers());
        let body_bytes = read_bounded(response).await?;
        tracing::debug!(%method, path = url.path(), status = status.as_u16(), "cloud API response");
        if let (Some(recorder), Some(cloud)) = (super::record::active(), self.recorded_as) {
            recorder.record(&super::record::Exchange {
                cloud,
                method: method.as_str(),
                url,
                query,
                request: body,
                status: status.as_u16(),
                response: &body_bytes,
            });
        }
        let body = body_bytes;
        if status.is_success() {
            Ok(Response { status, body })
        } else {
            Err(Attempt::Status { status, retry_after, body })
        }
    }
}

/// `.`, `..` and their percent-encoded spellings.
pub fn is_dot_segment(segment: &str) -> bool {
    let decoded = segment.to_ascii_lowercase().replace("%2e", ".");
    decoded == "." || decoded == ".."
}

/// The body, read chunk by chunk up to [`MAX_BODY`]: a larger or endless answer is cut off.
async fn read_bounded(mut response: reqwest::Response) -> Result<bytes::Bytes, Attempt> {
    if response.content_length().is_some_and(|n| n > MAX_BODY as u64) {
        return Err(Attempt::TooLarge);
    }
    let mut body = bytes::BytesMut::new();
    while let Some(chunk) =
        response.chunk().await.map_err(|e| Attempt::Transport { sent: true, message: describe(&e.without_url()) })?
    {
        if body.len() + chunk.len() > MAX_BODY {
            return Err(Attempt::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body.freeze())
}

/// How often a connection that could not be made is tried again.
const CONNECT_RETRIES: u32 = 2;

/// One failed attempt, before deciding whether to retry.
enum Attempt {
    Transport {
        sent: bool,
        message: String,
    },
    Status {
        status: StatusCode,
        retry_after: Option<Duration>,
        body: bytes::Bytes,
    },
    /// The server's certificate is not signed by an authority we trust (or not for its name).
    Untrusted {
        reason: String,
    },
    /// A redirect, to the origin named, not followed.
    Redirected {
        to: String,
    },
    /// An answer larger than [`MAX_BODY`].
    TooLarge,
}

impl Attempt {
    fn into_error(self, client: &ApiClient, method: &Method, path: &str, idempotent: bool) -> HttpError {
        // The origin only: the setting's path and query are the user's, not worth repeating.
        let (url, setting) = (client.base.origin().ascii_serialization(), client.url_setting);
        match self {
            Attempt::Redirected { to } => HttpError::Redirected { url, setting, to },
            Attempt::TooLarge => {
                HttpError::TooLarge { method: method.clone(), path: path.to_string(), limit: MAX_BODY, setting }
            }
            Attempt::Transport { sent: false, message } => HttpError::Unreachable { url, setting, reason: message },
            Attempt::Untrusted { reason } => HttpError::Untrusted { url, setting, reason },
            Attempt::Transport { sent, message } => HttpError::Transport {
                method: method.clone(),
                path: path.to_string(),
                message,
                outcome_unknown: sent && !idempotent,
            },
            Attempt::Status { status, body, .. } => HttpError::Status {
                method: method.clone(),
                path: path.to_string(),
                status,
                body,
                outcome_unknown: !idempotent && status.is_server_error(),
            },
        }
    }
}

/// reqwest's message without the URL's query (never holds credentials, but stays short).
fn describe(error: &reqwest::Error) -> String {
    let mut message = error.to_string();
    let mut source = std::error::Error::source(error);
    while let Some(cause) = source {
        message.push_str(": ");
        message.push_str(&cause.to_string());
        source = cause.source();
    }
    message
}

/// rustls's words when the server's certificate was refused. The error sits behind one or more
/// `io::Error`s (hyper-rustls wraps tokio-rustls's), whose `source()` skips what they hold, so
/// each is opened by hand.
fn untrusted_certificate(error: &reqwest::Error) -> Option<String> {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(current) = cause {
        let mut held = Some(current);
        while let Some(inner) = held {
            if let Some(tls @ rustls::Error::InvalidCertificate(_)) = inner.downcast_ref::<rustls::Error>() {
                return Some(tls.to_string());
            }
            held = inner.downcast_ref::<std::io::Error>().and_then(|io| io.get_ref()).map(|e| e as &_);
        }
        cause = current.source();
    }
    None
}

fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    let value = headers.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?;
    value.trim().parse::<u64>().ok().map(Duration::from_secs)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_http_only_to_loopback() {
        assert!(check_base_url("http://127.0.0.1:8787").is_ok());
        assert!(check_base_url("http://localhost:8787/").is_ok());
        assert!(check_base_url("http://[::1]:8787/").is_ok());
        assert!(check_base_url("https://api.upcloud.com").is_ok());
        assert!(matches!(check_base_url("http://api.upcloud.com"), Err(HttpError::InsecureUrl { .. })));
        assert!(matches!(check_base_url("http://10.0.0.1"), Err(HttpError::InsecureUrl { .. })));
        assert!(matches!(check_base_url("ftp://x"), Err(HttpError::BadUrl { .. })));
    }

    #[test]
    fn credentials_in_urls_are_refused_without_repeating_them() {
        for url in ["http://user:hunter2@127.0.0.1:8787", "https://hunter2@api.upcloud.com", "https://:hunter2@x.io"] {
            let error = check_base_url(url).unwrap_err();
            assert!(matches!(error, HttpError::CredentialsInUrl), "{url}: {error}");
            assert!(!error.to_string().contains("hunter2"), "{error}");
        }
        for url in ["http://10.0.0.1/hunter2?x=hunter2", "not a url hunter2", "ftp://h/hunter2"] {
            let error = check_base_url(url).unwrap_err();
            assert!(!error.to_string().contains("hunter2"), "{url}: {error}");
        }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let policy = RetryPolicy {
            base_delay: Duration::from_millis(100),
            max_delay: Duration::from_secs(1),
            ..Default::default()
        };
        for retry in 0..10 {
            let d = policy.backoff(retry);
            let full = (Duration::from_millis(100) * (1 << retry)).min(Duration::from_secs(1));
            assert!(d >= full / 2 && d <= full, "retry {retry}: {d:?} vs {full:?}");
        }
    }

    #[test]
    fn secrets_do_not_print() {
        let auth = Auth::Basic { username: "u".into(), password: Secret::new("hunter2") };
        assert!(!format!("{auth:?}").contains("hunter2"));
    }
}
