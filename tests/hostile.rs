//! A hostile API (issue 29): a server in front of the clouds' URLs that redirects elsewhere,
//! streams endless and oversized bodies, stalls after its headers, answers with escape-laden and
//! huge error text or with another object than the one asked for — and captures every request.
//! Each test says what reaches it, and what the user sees.

mod common;

use std::sync::{Arc, Mutex};

use axum::body::Body;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use common::*;
use peering_emulator::world::demo;

/// What the hostile server does with every request.
#[derive(Clone)]
enum Behaviour {
    RedirectTo(String),
    EndlessBody,
    HugeContentLength,
    StallAfterHeaders,
    EscapesInErrors,
    AnotherObject,
    Plain,
}

/// A request as it reached the server.
#[derive(Debug, Clone)]
struct Seen {
    method: Method,
    path: String,
    headers: HeaderMap,
}

struct Hostile {
    /// Serves while the value lives.
    _runtime: tokio::runtime::Runtime,
    url: String,
    seen: Arc<Mutex<Vec<Seen>>>,
}

impl Hostile {
    fn start(behaviour: Behaviour) -> Hostile {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let log = seen.clone();
        let app = axum::Router::new().fallback(move |method: Method, uri: Uri, headers: HeaderMap| {
            let (log, behaviour) = (log.clone(), behaviour.clone());
            async move {
                log.lock().unwrap().push(Seen { method, path: uri.path().to_string(), headers });
                answer(&behaviour, uri.path())
            }
        });
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Hostile { _runtime: runtime, url, seen }
    }

    fn seen(&self) -> Vec<Seen> {
        self.seen.lock().unwrap().clone()
    }
}

fn upcloud_network(uuid: &str) -> serde_json::Value {
    serde_json::json!({"network": {"uuid": uuid, "name": "n", "zone": "de-fra1", "type": "private",
        "ip_networks": {"ip_network": [{"address": "10.1.0.0/24", "family": "IPv4", "dhcp": "yes"}]},
        "labels": [], "servers": {"server": []}}})
}

fn answer(behaviour: &Behaviour, path: &str) -> Response {
    match behaviour {
        Behaviour::RedirectTo(to) => {
            (StatusCode::FOUND, [(axum::http::header::LOCATION, format!("{to}{path}"))]).into_response()
        }
        Behaviour::EndlessBody => {
            let chunk = bytes::Bytes::from(vec![b'x'; 64 * 1024]);
            let stream = futures_util::stream::repeat_with(move || Ok::<_, std::io::Error>(chunk.clone()));
            Response::builder().header("content-type", "application/json").body(Body::from_stream(stream)).unwrap()
        }
        Behaviour::HugeContentLength => Response::builder()
            .header("content-type", "application/json")
            .header("content-length", (500u64 * 1024 * 1024).to_string())
            .body(Body::from_stream(futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>()))
            .unwrap(),
        Behaviour::StallAfterHeaders => Response::builder()
            .header("content-type", "application/json")
            .body(Body::from_stream(futures_util::stream::pending::<Result<bytes::Bytes, std::io::Error>>()))
            .unwrap(),
        Behaviour::EscapesInErrors => {
            let evil = format!(
                "\u{1b}]0;owned\u{7}\u{1b}[2J\u{1b}[31mFAKE: Apply complete!\r\u{0}\u{202e}{}",
                "y".repeat(2 * 1024 * 1024)
            );
            let body =
                serde_json::json!({"error": {"error_code": "\u{1b}[31mNETWORK_FORBIDDEN", "error_message": evil}});
            (StatusCode::BAD_REQUEST, axum::Json(body)).into_response()
        }
        // Every network read answers about the same other network.
        Behaviour::AnotherObject if path.starts_with("/1.3/network/") => {
            axum::Json(upcloud_network("03000000-0000-4000-8000-0000000000ff")).into_response()
        }
        Behaviour::AnotherObject | Behaviour::Plain => {
            let id = path.rsplit('/').next().unwrap_or_default().to_string();
            axum::Json(upcloud_network(&id)).into_response()
        }
    }
}

fn config(extra_provider: &str) -> String {
    format!(
        r#"terraform {{
  required_providers {{
    peering = {{ source = "peering-dev/peering" }}
  }}
}}
provider "peering" {{
{extra_provider}
}}
resource "peering_connection" "this" {{
  name         = "app-db"
  network      = {{ upcloud = {{ network_id = "{}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{}" }} }}
}}
"#,
        demo::NETWORK_APP,
        demo::NETWORK_DB
    )
}

fn plan_against(url: &str, extra_provider: &str) -> Run {
    let ws = Workspace::new(url);
    ws.write("main.tf", &config(extra_provider));
    ws.terraform(&["plan", "-no-color", "-input=false"])
}

/// A redirect to another origin takes no credential there: it is not followed at all, and the
/// error names the setting to check.
#[test]
fn a_redirect_is_not_followed_with_the_credentials() {
    let elsewhere = Hostile::start(Behaviour::Plain);
    let hostile = Hostile::start(Behaviour::RedirectTo(elsewhere.url.clone()));
    let plan = plan_against(&hostile.url, "");
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("answered with a redirect"), "{plan:?}");
    assert!(plan.flat().contains("UPCLOUD_API_URL"), "{plan:?}");
    assert!(elsewhere.seen().is_empty(), "nothing, no credential, reaches the other origin: {:?}", elsewhere.seen());
    let first = &hostile.seen()[0];
    assert_eq!(first.method, Method::GET);
    assert!(first.headers.contains_key("authorization"), "the API itself is asked, as configured");
}

fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap();
    let line = status.lines().find(|l| l.starts_with("VmHWM:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// An endless answer is cut off at the cap, not buffered: the provider's peak resident memory
/// (VmHWM of its process, read from /proc) stays under 128 MB; it is not retried.
#[test]
fn an_endless_body_is_cut_off_and_memory_stays_bounded() {
    let hostile = Hostile::start(Behaviour::EndlessBody);
    let provider = DebugProvider::start(&hostile.url, &[]);
    let mut ws = Workspace::new(&hostile.url);
    ws.attach(&provider);
    ws.write("main.tf", &config(""));
    let plan = ws.terraform(&["plan", "-no-color", "-input=false"]);
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("larger than 16777216 bytes"), "{plan:?}");
    let peak = peak_rss_kib(provider.pid());
    println!("provider peak RSS under an endless body: {peak} KiB");
    assert!(peak < 128 * 1024, "peak RSS {peak} KiB");
    let mut paths: Vec<String> = hostile.seen().into_iter().map(|s| s.path).collect();
    let asked = paths.len();
    paths.sort();
    paths.dedup();
    assert_eq!(paths.len(), asked, "no read is retried: {paths:?}");
}

/// An answer that says it is 500 MB is refused before its body is read.
#[test]
fn an_oversized_answer_is_refused_unread() {
    let hostile = Hostile::start(Behaviour::HugeContentLength);
    let plan = plan_against(&hostile.url, "");
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("larger than 16777216 bytes"), "{plan:?}");
}

/// A server that sends its headers and then nothing holds one operation for a few request
/// timeouts, not for every retry.
#[test]
fn a_stalled_answer_ends_at_the_operation_deadline() {
    let hostile = Hostile::start(Behaviour::StallAfterHeaders);
    let plan = plan_against(&hostile.url, "  request_timeout = \"1s\"");
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("no answer within 3 s, across retries"), "{plan:?}");
    let attempts = hostile.seen().len();
    // Two networks read, each at most a few times; without the deadline, 11 attempts each.
    assert!(attempts < 2 * 11, "{attempts} attempts");
}

/// An Aiven project named `.` or `..` would move a request to another path: refused at validate,
/// and no request leaves.
#[test]
fn a_dot_project_never_leaves_its_path_segment() {
    let hostile = Hostile::start(Behaviour::Plain);
    let ws = Workspace::new(&hostile.url);
    for project in [".", ".."] {
        ws.write(
            "main.tf",
            &format!(
                r#"{PROVIDER_HEADER}
resource "peering_connection" "this" {{
  name         = "db"
  network      = {{ aiven = {{ project = "{project}", vpc_id = "{vpc}" }} }}
  peer_network = {{ upcloud = {{ network_id = "{net}" }} }}
}}
"#,
                vpc = demo::AIVEN_VPC_FRA,
                net = demo::NETWORK_APP
            ),
        );
        let plan = ws.terraform(&["plan", "-no-color"]);
        assert_eq!(plan.code, 1, "{plan:?}");
        assert!(plan.flat().contains("is not an Aiven project name"), "{plan:?}");
        let import = ws.terraform(&[
            "import",
            "-no-color",
            "peering_connection.this",
            &format!("aiven/{project}/{}:upcloud/{}", demo::AIVEN_VPC_FRA, demo::NETWORK_APP),
        ]);
        assert_eq!(import.code, 1, "{import:?}");
    }
    assert!(hostile.seen().iter().all(|s| !s.path.starts_with("/v1")), "{:?}", hostile.seen());
}

/// A cloud's error text reaches the terminal as data: escapes written out, cut to a sane length.
#[test]
fn api_text_reaches_the_terminal_escaped_and_cut() {
    let hostile = Hostile::start(Behaviour::EscapesInErrors);
    let plan = plan_against(&hostile.url, "");
    assert_eq!(plan.code, 1, "{plan:?}");
    let all = plan.all();
    assert!(!all.contains('\u{1b}') && !all.contains('\r') && !all.contains('\u{0}') && !all.contains('\u{202e}'));
    assert!(all.contains("\\u{1b}[2J"), "the escape is shown as text: {}", &all[..all.len().min(2000)]);
    assert!(all.len() < 100_000, "a 2 MB message is cut: {} bytes", all.len());
    assert!(all.contains("more characters not shown"));
}

/// A read answered with another object's id is no answer about the object asked for.
#[test]
fn an_answer_about_another_object_is_an_error() {
    let hostile = Hostile::start(Behaviour::AnotherObject);
    let plan = plan_against(&hostile.url, "");
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(
        plan.flat()
            .contains(&format!("asked for {}, answered about 03000000-0000-4000-8000-0000000000ff", demo::NETWORK_APP))
            || plan.flat().contains(&format!(
                "asked for {}, answered about 03000000-0000-4000-8000-0000000000ff",
                demo::NETWORK_DB
            )),
        "{plan:?}"
    );
}

/// A loopback API URL is never sent through HTTP_PROXY, which would see its credentials.
#[test]
fn loopback_is_never_proxied() {
    let proxy = Hostile::start(Behaviour::Plain);
    let hostile = Hostile::start(Behaviour::Plain);
    let mut ws = Workspace::new(&hostile.url);
    for var in ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "ALL_PROXY"] {
        ws.set_env(var, &proxy.url);
    }
    ws.write("main.tf", &config(""));
    let _ = ws.terraform(&["plan", "-no-color"]);
    assert!(proxy.seen().is_empty(), "{:?}", proxy.seen());
    assert!(!hostile.seen().is_empty());
}

/// "Nothing answers at" names the setting and the origin, not the URL's path and query.
#[test]
fn errors_name_the_setting_not_the_urls_path() {
    let plan = plan_against("http://127.0.0.1:9/secret-path?token=abc", "");
    assert_eq!(plan.code, 1, "{plan:?}");
    assert!(plan.flat().contains("UPCLOUD_API_URL"), "{plan:?}");
    assert!(!plan.flat().contains("secret-path") && !plan.flat().contains("token=abc"), "{plan:?}");
}

/// A bidirectional control in a name the provider would write is refused at validate.
#[test]
fn bidirectional_controls_are_refused_in_names() {
    let hostile = Hostile::start(Behaviour::Plain);
    let ws = Workspace::new(&hostile.url);
    ws.write("main.tf", &connection_config("app\u{202e}gnp.exe", demo::NETWORK_APP, demo::NETWORK_DB, ""));
    let validate = ws.terraform(&["validate", "-no-color"]);
    assert_eq!(validate.code, 1, "{validate:?}");
    assert!(validate.flat().contains("bidirectional control"), "{validate:?}");
    assert!(hostile.seen().is_empty());
}
