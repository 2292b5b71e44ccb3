//! The HTTP layer under scripted faults: what is retried, what is not, and what never leaks.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::Router;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::any;
use peering_clouds::Secret;
use peering_clouds::http::{ApiClient, Auth, HttpError, RetryPolicy};
use peering_clouds::upcloud::{UpcloudClient, UpcloudError};
use peering_emulator::faults::{broken_connection, reset};

/// A server answering from a script, one entry per request, then 200 `{"ok":true}`.
struct Script {
    steps: Mutex<Vec<fn() -> Response>>,
    hits: AtomicUsize,
}

async fn start(steps: Vec<fn() -> Response>) -> (String, Arc<Script>) {
    let script = Arc::new(Script { steps: Mutex::new(steps.into_iter().rev().collect()), hits: AtomicUsize::new(0) });
    let shared = script.clone();
    let app = Router::new().route(
        "/{*path}",
        any(move || {
            let script = shared.clone();
            async move {
                script.hits.fetch_add(1, Ordering::SeqCst);
                let step = script.steps.lock().unwrap().pop();
                match step {
                    Some(step) => step(),
                    None => {
                        (StatusCode::OK, [(header::CONTENT_TYPE, "application/json")], r#"{"ok":true}"#).into_response()
                    }
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, script)
}

fn client(url: &str) -> ApiClient {
    let policy = RetryPolicy {
        max_retries: 4,
        base_delay: Duration::from_millis(5),
        max_delay: Duration::from_millis(50),
        request_timeout: Duration::from_secs(5),
    };
    ApiClient::new(url, Auth::Basic { username: "user".into(), password: Secret::new("s3cret-password") }, policy)
        .unwrap()
}

fn status(code: StatusCode) -> Response {
    (code, [(header::CONTENT_TYPE, "application/json")], r#"{"error":{"error_code":"X","error_message":"y"}}"#)
        .into_response()
}

#[tokio::test]
async fn reads_retry_429_5xx_and_dropped_connections() {
    // Four faults and the answer: 429, 503, a body cut off, a connection closed before any answer.
    let (url, script) = start(vec![
        || status(StatusCode::TOO_MANY_REQUESTS),
        || status(StatusCode::SERVICE_UNAVAILABLE),
        broken_connection,
        || reset(),
    ])
    .await;
    let response = client(&url).send(reqwest::Method::GET, "1.3/network", &[], None).await.unwrap();
    assert_eq!(response.status, StatusCode::OK);
    assert_eq!(script.hits.load(Ordering::SeqCst), 5);
}

#[tokio::test]
async fn retry_after_is_honoured() {
    let (url, script) =
        start(vec![|| (StatusCode::TOO_MANY_REQUESTS, [(header::RETRY_AFTER, "1")], "").into_response()]).await;
    let started = Instant::now();
    client(&url).send(reqwest::Method::GET, "x", &[], None).await.unwrap();
    assert!(started.elapsed() >= Duration::from_millis(50), "waited for Retry-After (capped by max_delay)");
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn gives_up_after_max_retries_and_never_retries_501() {
    let (url, script) = start(vec![|| status(StatusCode::INTERNAL_SERVER_ERROR); 10]).await;
    let error = client(&url).send(reqwest::Method::GET, "x", &[], None).await.unwrap_err();
    assert!(matches!(error, HttpError::Status { status: StatusCode::INTERNAL_SERVER_ERROR, .. }));
    assert_eq!(script.hits.load(Ordering::SeqCst), 5, "one try and four retries");

    let (url, script) = start(vec![|| status(StatusCode::NOT_IMPLEMENTED)]).await;
    assert!(client(&url).send(reqwest::Method::GET, "x", &[], None).await.is_err());
    assert_eq!(script.hits.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn creates_are_not_blindly_retried() {
    // A 5xx or a dropped connection on POST may have committed: report "outcome unknown".
    let (url, script) = start(vec![|| status(StatusCode::SERVICE_UNAVAILABLE)]).await;
    let error = client(&url).send(reqwest::Method::POST, "x", &[], Some(&serde_json::json!({}))).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 1);

    let (url, script) = start(vec![broken_connection]).await;
    let error = client(&url).send(reqwest::Method::POST, "x", &[], Some(&serde_json::json!({}))).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 1);

    // Closed before any answer (the send itself fails): the request was received, maybe acted on.
    let (url, script) = start(vec![|| reset()]).await;
    let error = client(&url).send(reqwest::Method::POST, "x", &[], Some(&serde_json::json!({}))).await.unwrap_err();
    assert!(error.outcome_unknown(), "{error}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 1);

    // 429 means the server did nothing: safe to retry even a create.
    let (url, script) = start(vec![|| status(StatusCode::TOO_MANY_REQUESTS)]).await;
    client(&url).send(reqwest::Method::POST, "x", &[], Some(&serde_json::json!({}))).await.unwrap();
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
}

#[tokio::test]
async fn connection_refused_is_reported_naming_the_url_setting_without_credentials() {
    // Bind then drop: nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let url = format!("http://127.0.0.1:{port}");
    let error = client(&url)
        .with_url_setting("upcloud { api_url } / UPCLOUD_API_URL")
        .send(reqwest::Method::POST, "x", &[], None)
        .await
        .unwrap_err();
    assert!(!error.outcome_unknown(), "a refused connection never reached the server");
    assert!(error.is_unreachable(), "{error:?}");
    let said = error.to_string();
    assert!(said.contains(&format!("nothing answers at {url} (upcloud {{ api_url }} / UPCLOUD_API_URL)")), "{said}");
    let upcloud = UpcloudError::from(error);
    let text = format!("{upcloud} {upcloud:?}");
    assert!(!text.contains("s3cret-password"), "{text}");
}

#[tokio::test]
async fn upcloud_errors_carry_the_error_code() {
    let (url, _) = start(vec![|| {
        (
            StatusCode::CONFLICT,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"error":{"error_code":"PEERING_CONFLICT","error_message":"exists"}}"#,
        )
            .into_response()
    }])
    .await;
    let upcloud = UpcloudClient::new(client(&url));
    let error = upcloud.get_peering("0f000000-0000-4000-8000-000000000001".parse().unwrap()).await.unwrap_err();
    assert_eq!(error.code(), Some("PEERING_CONFLICT"));
    assert!(error.to_string().contains("exists"));
}

#[test]
fn credentials_go_only_over_https_or_loopback() {
    let auth = Auth::Bearer(Secret::new("ucat_x"));
    let error = ApiClient::new("http://api.example.com", auth.clone(), RetryPolicy::default()).unwrap_err();
    assert!(matches!(error, HttpError::InsecureUrl { .. }));
    assert!(ApiClient::new("https://api.upcloud.com", auth.clone(), RetryPolicy::default()).is_ok());
    assert!(ApiClient::new("http://127.0.0.1:8787", auth, RetryPolicy::default()).is_ok());
}

fn aiven(url: &str) -> peering_clouds::aiven::AivenClient {
    peering_clouds::aiven::AivenClient::new(client(url))
}

#[tokio::test]
async fn aiven_retries_501_and_417_on_delete_as_its_own_client_does() {
    let (url, script) =
        start(vec![|| status(StatusCode::NOT_IMPLEMENTED), || status(StatusCode::REQUEST_TIMEOUT)]).await;
    let _ = aiven(&url).list_vpcs("p").await;
    assert_eq!(script.hits.load(Ordering::SeqCst), 3, "501 and 408 retried");

    let (url, script) = start(vec![|| status(StatusCode::EXPECTATION_FAILED)]).await;
    let _ = aiven(&url).delete_upcloud_peering("p", uuid::Uuid::nil(), "03000000-0000-4000-8000-000000000001").await;
    assert_eq!(script.hits.load(Ordering::SeqCst), 2, "417 on DELETE retried");

    let (url, script) = start(vec![|| status(StatusCode::EXPECTATION_FAILED)]).await;
    let _ = aiven(&url).list_vpcs("p").await;
    assert_eq!(script.hits.load(Ordering::SeqCst), 1, "417 on GET is final");
}

#[tokio::test]
async fn concurrent_reads_of_one_vpc_share_a_request() {
    // The first answer is slow so that all twenty reads overlap it.
    let (url, script) = start(vec![|| {
        std::thread::sleep(Duration::from_millis(100));
        (
            StatusCode::OK,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"project_vpc_id":"b0000000-0000-4000-8000-0000000000a1","cloud_name":"upcloud-de-fra","network_cidr":"10.1.0.0/24","state":"ACTIVE","peering_connections":[]}"#,
        )
            .into_response()
    }])
    .await;
    let client = aiven(&url);
    let vpc: uuid::Uuid = "b0000000-0000-4000-8000-0000000000a1".parse().unwrap();
    let reads = (0..20).map(|_| {
        let client = client.clone();
        tokio::spawn(async move { client.get_vpc_shared("p", vpc).await })
    });
    for read in reads {
        assert_eq!(read.await.unwrap().unwrap().project_vpc_id, vpc);
    }
    assert_eq!(script.hits.load(Ordering::SeqCst), 1, "twenty concurrent reads, one request");
    // A fresh read always goes to the API.
    let _ = client.get_vpc("p", vpc).await;
    assert_eq!(script.hits.load(Ordering::SeqCst), 2);
}

fn scaleway(url: &str) -> peering_clouds::scaleway::ScalewayClient {
    peering_clouds::scaleway::ScalewayClient::new(client(url), None, "fr-par".into())
}

#[tokio::test]
async fn scaleway_retries_transient_state_and_bare_429s() {
    let (url, script) = start(vec![
        || (StatusCode::TOO_MANY_REQUESTS, [("x-envoy-ratelimited", "true")], "").into_response(),
        || {
            (
                StatusCode::CONFLICT,
                [(header::CONTENT_TYPE, "application/json")],
                r#"{"current_state":"configuring","message":"resource is in a transient state","resource":"vpc_connector","resource_id":"x","type":"transient_state"}"#,
            )
                .into_response()
        },
    ])
    .await;
    // After the 429 (retried by the HTTP layer) and the transient state (retried by the client),
    // the scripted default answer is not a connector: a decode error proves the third call ran.
    let result = scaleway(&url).get_connector("fr-par", uuid::Uuid::nil()).await;
    assert!(matches!(result, Err(peering_clouds::scaleway::ScalewayError::Decode { .. })), "{result:?}");
    assert_eq!(script.hits.load(Ordering::SeqCst), 3);
}

#[tokio::test]
async fn scaleway_error_types_keep_their_details() {
    let (url, _) = start(vec![|| {
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"details":[{"argument_name":"destination","help_message":"must be a CIDR","reason":"format"}],"message":"invalid argument(s)","type":"invalid_arguments"}"#,
        )
            .into_response()
    }])
    .await;
    let error = scaleway(&url).get_vpc("fr-par", uuid::Uuid::nil()).await.unwrap_err();
    let text = error.to_string();
    assert!(text.contains("destination: format: must be a CIDR"), "{text}");
    let (url, _) = start(vec![|| {
        (
            StatusCode::FORBIDDEN,
            [(header::CONTENT_TYPE, "application/json")],
            r#"{"details":[{"action":"read","resource":"vpc"}],"message":"insufficient permissions","type":"permissions_denied"}"#,
        )
            .into_response()
    }])
    .await;
    let error = scaleway(&url).get_vpc("fr-par", uuid::Uuid::nil()).await.unwrap_err();
    assert!(matches!(error, peering_clouds::scaleway::ScalewayError::PermissionsDenied { .. }), "{error}");
}
