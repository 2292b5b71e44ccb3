//! The golden checks (tests/golden.rs), on any folder of exchanges in the golden format: the
//! kept recordings, or a recorded acceptance run (tests/acceptance).

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use serde_json::Value as J;

use crate::common::*;
use peering_clouds::http::{ApiClient, Auth, RetryPolicy};
use peering_clouds::{Secret, aiven as av, scaleway as sw, upcloud as up};
use peering_emulator::world::{World, demo};

#[derive(Clone)]
pub struct Exchange {
    file: String,
    /// Recorded traffic, not written from an SDK's types.
    verified: bool,
    pub cloud: String,
    method: String,
    path: String,
    query: BTreeMap<String, String>,
    request: J,
    pub status: u16,
    response: J,
}

impl Exchange {
    /// Whether the cloud answered with a body (a 204 has none to read).
    #[allow(dead_code)] // tests/golden.rs uses it; tests/acceptance shares this file
    pub fn has_body(&self) -> bool {
        !self.response.is_null()
    }
}

/// The recordings kept with the sources (`tests/golden/`).
pub fn kept() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

/// Every exchange under `root`, one folder per cloud: whatever folders there are.
pub fn exchanges_in(root: &std::path::Path) -> Vec<Exchange> {
    let mut clouds: Vec<String> = std::fs::read_dir(root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    clouds.sort();
    let mut all = Vec::new();
    for cloud in &clouds {
        let mut files: Vec<_> = std::fs::read_dir(root.join(cloud)).unwrap().map(|e| e.unwrap().path()).collect();
        files.sort();
        for path in files {
            let json: J = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
            assert!(json["source"].as_str().is_some_and(|s| s.contains('@')), "{} names its source", path.display());
            let request = &json["request"];
            all.push(Exchange {
                file: format!("{cloud}/{}", path.file_name().unwrap().to_string_lossy()),
                verified: json["verified"].as_bool().unwrap_or(false),
                cloud: cloud.to_string(),
                method: request["method"].as_str().unwrap().to_string(),
                path: request["path"].as_str().unwrap().to_string(),
                query: serde_json::from_value(request["query"].clone()).unwrap_or_default(),
                request: request["body"].clone(),
                status: json["response"]["status"].as_u64().unwrap() as u16,
                response: json["response"]["body"].clone(),
            });
        }
    }
    all
}

/// What an exchange is about: the resource after the API prefix, and whether an id follows.
fn resource(e: &Exchange) -> (String, bool) {
    let parts: Vec<&str> = e.path.trim_matches('/').split('/').collect();
    let rest: &[&str] = match e.cloud.as_str() {
        "scaleway" => &parts[4..],
        _ => &parts[1..],
    };
    let name = match (e.cloud.as_str(), parts.len()) {
        // /v1/project/{project}/vpcs/{vpc}/peering-connections/…
        ("aiven", 2) => "projects".to_string(),
        ("aiven", 4) => "vpcs".to_string(),
        ("aiven", 5) => "vpc".to_string(),
        ("aiven", _) => "peering-connections".to_string(),
        _ => rest[0].to_string(),
    };
    (name, e.cloud != "aiven" && rest.len() > 1 && !rest[1].is_empty())
}

fn parse<T: serde::de::DeserializeOwned>(e: &Exchange, body: &J) {
    if let Err(err) = serde_json::from_value::<T>(body.clone()) {
        panic!("{}: the client cannot read the recorded answer: {err}", e.file);
    }
}

/// A list under `key` read item by item, as the Scaleway client pages it.
fn parse_items<T: serde::de::DeserializeOwned>(e: &Exchange, body: &J, key: &str) {
    parse::<Vec<T>>(e, &body[key]);
    assert!(body["total_count"].is_u64(), "{}: total_count", e.file);
}

/// Reads every recorded answer with the clients' types; the count per cloud.
pub fn clients_read(all: &[Exchange]) -> BTreeMap<String, usize> {
    let mut read = BTreeMap::<String, usize>::new();
    for e in all {
        let e = e.clone();
        let body = &e.response;
        if body.is_null() {
            continue;
        }
        let (name, one) = resource(&e);
        match (e.cloud.as_str(), e.status, name.as_str(), one) {
            ("upcloud", 200..=299, "network", true) => parse::<up::NetworkEnvelope>(&e, body),
            ("upcloud", 200..=299, "network", false) if e.method == "POST" => parse::<up::NetworkEnvelope>(&e, body),
            ("upcloud", 200..=299, "network", false) => parse::<up::NetworkList>(&e, body),
            ("upcloud", 200..=299, "router", true) => parse::<up::RouterEnvelope>(&e, body),
            ("upcloud", 200..=299, "router", false) if e.method == "POST" => parse::<up::RouterEnvelope>(&e, body),
            ("upcloud", 200..=299, "router", false) => parse::<up::RouterList>(&e, body),
            ("upcloud", 200..=299, "network-peering", true) => parse::<up::PeeringEnvelope>(&e, body),
            ("upcloud", 200..=299, "network-peering", false) if e.method == "POST" => {
                parse::<up::PeeringEnvelope>(&e, body)
            }
            ("upcloud", 200..=299, "network-peering", false) => parse::<up::PeeringList>(&e, body),
            ("upcloud", _, _, _) => parse::<up::ErrorBody>(&e, body),
            ("scaleway", 200..=299, "vpcs", false) if e.method == "GET" => parse_items::<sw::Vpc>(&e, body, "vpcs"),
            ("scaleway", 200..=299, "vpcs", _) => parse::<sw::Vpc>(&e, body),
            ("scaleway", 200..=299, "private-networks", false) if e.method == "GET" => {
                parse_items::<sw::PrivateNetwork>(&e, body, "private_networks")
            }
            ("scaleway", 200..=299, "private-networks", _) => parse::<sw::PrivateNetwork>(&e, body),
            ("scaleway", 200..=299, "vpc-connectors", false) if e.method == "GET" => {
                parse_items::<sw::VpcConnector>(&e, body, "vpc_connectors")
            }
            ("scaleway", 200..=299, "vpc-connectors", _) => parse::<sw::VpcConnector>(&e, body),
            ("scaleway", 200..=299, "routes", _) => parse::<sw::Route>(&e, body),
            ("scaleway", 200..=299, "routes-with-nexthop", _) => {
                parse_items::<sw::RouteWithNexthop>(&e, body, "routes")
            }
            ("scaleway", _, _, _) => parse::<sw::ErrorBody>(&e, body),
            ("aiven", 200..=299, "projects", _) => parse::<av::ProjectList>(&e, body),
            ("aiven", 200..=299, "vpcs", _) if e.method == "GET" => parse::<av::VpcList>(&e, body),
            ("aiven", 200..=299, "vpcs" | "vpc", _) => parse::<av::Vpc>(&e, body),
            // `POST …/peering-connections/refresh` answers the VPC.
            ("aiven", 200..=299, "peering-connections", _) if e.path.ends_with("/refresh") => {
                parse::<av::Vpc>(&e, body)
            }
            ("aiven", 200..=299, "peering-connections", _) => parse::<av::PeeringConnection>(&e, body),
            ("aiven", _, _, _) => parse::<av::ErrorBody>(&e, body),
            (cloud, status, name, _) => panic!("{}: no reader for {cloud} {status} {name}", e.file),
        }
        *read.entry(e.cloud.clone()).or_default() += 1;
    }
    read
}

/// Whether the client sent what the real client sent: every key of the recording and no other,
/// every array element in order, each value equal (the client is built from the recorded
/// values, so anything else is a field it drops, adds or rewrites). A key the client leaves out
/// on purpose is listed in `UNSENT`, with why.
fn same_request(file: &str, ours: &J, recorded: &J, path: &str, problems: &mut Vec<String>) {
    match (ours, recorded) {
        (J::Object(a), J::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(r) => same_request(file, v, r, &format!("{path}.{k}"), problems),
                    None => problems.push(format!("{path}.{k} is sent but never recorded")),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                if !unsent(file, &format!("{path}.{k}")) {
                    problems.push(format!("{path}.{k} is recorded but not sent"));
                }
            }
        }
        (J::Array(a), J::Array(b)) => {
            if a.len() != b.len() {
                problems.push(format!("{path} has {} elements, recorded {}", a.len(), b.len()));
            }
            for (i, (x, y)) in a.iter().zip(b).enumerate() {
                same_request(file, x, y, &format!("{path}[{i}]"), problems);
            }
        }
        (a, b) if kind(a) != kind(b) => problems.push(format!("{path} is {} but recorded as {}", kind(a), kind(b))),
        (J::Number(a), J::Number(b)) if a.as_f64() != b.as_f64() => {
            problems.push(format!("{path} is {a} but recorded as {b}"))
        }
        (a, b) if !a.is_number() && a != b => problems.push(format!("{path} is {a} but recorded as {b}")),
        _ => {}
    }
}

/// Keys a recorded request has that the clients leave out on purpose: (files, key, why).
const UNSENT: &[(&[&str], &str, &str)] = &[
    (
        &["*"],
        "ip_network.dhcp_dns",
        "the clients make networks only for tests and acceptance runs, whose DHCP hands out UpCloud's own DNS",
    ),
    (&["*"], "ip_network.dhcp_routes", "as dhcp_dns: no network the clients make pushes DHCP routes"),
];

fn unsent(file: &str, path: &str) -> bool {
    listed(UNSENT, file, path)
}

/// Whether a list of (files, key, why) names `path` (array positions, `[]` or `[3]`, left out)
/// for `file`.
fn listed(list: &[(&[&str], &str, &str)], file: &str, path: &str) -> bool {
    let path: String = path.split('[').map(|part| part.split_once(']').map_or(part, |(_, rest)| rest)).collect();
    list.iter().any(|(files, k, _)| (files.contains(&file) || files == &["*"]) && path.ends_with(&format!(".{k}")))
}

fn kind(v: &J) -> &'static str {
    match v {
        J::Null => "null",
        J::Bool(_) => "bool",
        J::Number(_) => "number",
        J::String(_) => "string",
        J::Array(_) => "array",
        J::Object(_) => "object",
    }
}

/// A server that records what a client sends and answers with the recorded answer.
struct Capture {
    runtime: tokio::runtime::Runtime,
    url: String,
    sent: Arc<Mutex<Vec<J>>>,
    answer: Arc<Mutex<(u16, J)>>,
}

impl Capture {
    fn start() -> Capture {
        let runtime = tokio::runtime::Builder::new_multi_thread().worker_threads(1).enable_all().build().unwrap();
        let sent = Arc::new(Mutex::new(Vec::new()));
        let answer = Arc::new(Mutex::new((200, J::Null)));
        let (sent2, answer2) = (sent.clone(), answer.clone());
        let app = axum::Router::new().fallback(move |body: axum::body::Bytes| {
            let (sent, answer) = (sent2.clone(), answer2.clone());
            async move {
                sent.lock().unwrap().push(serde_json::from_slice(&body).unwrap_or(J::Null));
                let (status, body) = answer.lock().unwrap().clone();
                (axum::http::StatusCode::from_u16(status).unwrap(), axum::Json(body))
            }
        });
        let listener = runtime.block_on(tokio::net::TcpListener::bind("127.0.0.1:0")).unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        runtime.spawn(async move { axum::serve(listener, app).await.unwrap() });
        Capture { runtime, url, sent, answer }
    }

    fn api(&self, auth: Auth) -> ApiClient {
        ApiClient::new(&self.url, auth, RetryPolicy { max_retries: 0, ..Default::default() }).unwrap()
    }
}

fn from<T: serde::de::DeserializeOwned>(e: &Exchange, value: &J) -> T {
    serde_json::from_value(value.clone()).unwrap_or_else(|err| panic!("{}: recorded request: {err}", e.file))
}

fn id<T: std::str::FromStr>(e: &Exchange) -> T
where
    T::Err: std::fmt::Debug,
{
    e.path.trim_end_matches('/').rsplit('/').next().unwrap().parse().unwrap()
}

/// Makes each recorded write with the clients, holding what they send to the recorded request;
/// the count per cloud.
pub fn clients_send(all: &[Exchange]) -> BTreeMap<String, usize> {
    let capture = Capture::start();
    let upcloud = up::UpcloudClient::new(capture.api(Auth::Bearer(Secret::new("t"))));
    let scaleway = sw::ScalewayClient::new(
        capture.api(Auth::Header { name: "x-auth-token", value: Secret::new("t") }),
        None,
        "fr-par".into(),
    );
    let aiven = av::AivenClient::new(capture.api(Auth::Header { name: "authorization", value: Secret::new("t") }));
    let mut compared = BTreeMap::<String, usize>::new();
    for e in all {
        let e = e.clone();
        if e.request.is_null() || !(200..300).contains(&e.status) {
            continue;
        }
        *capture.answer.lock().unwrap() = (e.status, e.response.clone());
        capture.sent.lock().unwrap().clear();
        let (name, one) = resource(&e);
        let region = || e.path.split('/').nth(4).unwrap().to_string();
        let b = &e.request;
        // Each recorded write the clients make, made by the client from the recorded values.
        let made = capture.runtime.block_on(async {
            let answered = match (e.cloud.as_str(), e.method.as_str(), name.as_str(), one) {
                ("upcloud", "POST", "network", _) => {
                    upcloud.create_network(&from(&e, &b["network"])).await.map(drop).is_ok()
                }
                ("upcloud", "PUT", "network", true)
                    if b["network"].as_object().is_some_and(|n| n.keys().eq(["router"])) =>
                {
                    upcloud.set_network_router(id(&e), from(&e, &b["network"]["router"])).await.is_ok()
                }
                ("upcloud", "POST", "router", _) => upcloud.create_router(&from(&e, &b["router"])).await.is_ok(),
                ("upcloud", "PATCH", "router", true) => {
                    upcloud.modify_router(id(&e), &from(&e, &b["router"])).await.is_ok()
                }
                ("upcloud", "POST", "network-peering", _) => {
                    upcloud.create_peering(&from(&e, &b["network_peering"])).await.is_ok()
                }
                ("upcloud", "PATCH", "network-peering", true) => {
                    let fake = "0f000000-0000-4000-8000-000000000001".parse().unwrap();
                    upcloud.modify_peering(fake, &from(&e, &b["network_peering"])).await.is_ok()
                }
                ("scaleway", "POST", "vpcs", _) => scaleway.create_vpc(&region(), &from(&e, b)).await.is_ok(),
                ("scaleway", "POST", "private-networks", _) if b["vpc_id"].is_string() => {
                    scaleway.create_private_network(&region(), &from(&e, b)).await.is_ok()
                }
                ("scaleway", "POST", "vpc-connectors", _) => {
                    scaleway.create_connector(&region(), &from(&e, b)).await.is_ok()
                }
                ("scaleway", "PATCH", "vpc-connectors", true) => {
                    scaleway.update_connector(&region(), id(&e), &from(&e, b)).await.is_ok()
                }
                ("scaleway", "POST", "routes", _) => scaleway.create_route(&region(), &from(&e, b)).await.is_ok(),
                ("scaleway", "PATCH", "routes", true) => {
                    scaleway.update_route(&region(), id(&e), &from(&e, b)).await.is_ok()
                }
                ("aiven", "POST", "vpcs", _) => aiven.create_vpc("demo", &from(&e, b)).await.is_ok(),
                ("aiven", "POST", "peering-connections", _) => {
                    let vpc = e.path.split('/').nth(5).unwrap().parse().unwrap();
                    aiven.create_upcloud_peering("demo", vpc, b["peer_vpc"].as_str().unwrap()).await.is_ok()
                }
                // Writes the clients never make (renaming networks or VPCs, a Private Network in the
                // default VPC): nothing to compare.
                _ => return None,
            };
            Some(answered)
        });
        let Some(answered) = made else { continue };
        assert!(answered, "{}: the client could not read the recorded answer to its own request", e.file);
        let sent = capture.sent.lock().unwrap().last().cloned().unwrap_or(J::Null);
        let mut problems = Vec::new();
        same_request(&e.file, &sent, b, "body", &mut problems);
        assert!(
            problems.is_empty(),
            "{}: the client's request differs from the recorded one: {problems:?}\n{sent}",
            e.file
        );
        *compared.entry(e.cloud.clone()).or_default() += 1;
    }
    compared
}

/// Differences between the emulator's answers and the recordings that are not the emulator's
/// mistakes, each for the exchanges it was found in: `(files, end of the key's JSON path, why)`.
const KNOWN: &[(&[&str], &str, &str)] = &[
    (
        &["*"],
        "state_info.to-network-id",
        "the Aiven network ID is said while a peering is PENDING_PEER only; a replay meets another state",
    ),
    (
        &["*"],
        "peer_network.ip_networks",
        "the peer's addresses show once both halves exist; a replay aimed at the emulator's peering may complete a \
         pair the recording did not",
    ),
    (&["*"], "ip_network.gateway", "present only when the network was made with a gateway"),
    (&["*"], "network.servers", "present only while servers are attached"),
    (&["*"], "network.router", "present only while a router is attached"),
    (
        &["*"],
        "peer_info",
        "a connector's peer_info is there while it is peered only (\"Available when status is Peered\", \
         scaleway-sdk-go); a replay meets another status",
    ),
    (
        &["upcloud/router_create_static_route_unattached_nexthop.json", "upcloud/router_modify_name.json"],
        "type",
        "UNVERIFIED: static routes carry `type` (`user`, `service`) in the SDK's own tests; these recordings predate it",
    ),
    (
        &[
            "upcloud/network_attach_router.json",
            "upcloud/network_create.json",
            "upcloud/network_detach_router.json",
            "upcloud/network_get_with_router.json",
            "upcloud/network_get_with_servers.json",
            "upcloud/peering_list.json",
            "upcloud/router_create_plain_2023.json",
            "upcloud/router_get_service.json",
        ],
        "labels",
        "recordings made before UpCloud added labels lack them; newer ones always carry them",
    ),
    (
        &[
            "upcloud/router_create_labels.json",
            "upcloud/router_create_plain_2023.json",
            "upcloud/router_get_service.json",
            "upcloud/router_modify_labels.json",
        ],
        "attached_network_gateways",
        "recordings made before NAT gateways lack it; router_create.json and router_list.json carry it",
    ),
    (
        &[
            "upcloud/network_attach_router.json",
            "upcloud/network_detach_router.json",
            "upcloud/network_get_with_router.json",
            "upcloud/network_get_with_servers.json",
            "upcloud/network_modify_name.json",
        ],
        "dhcp_dns",
        "present only when set: the recorded networks were made with DNS servers",
    ),
    (&["upcloud/network_modify_name.json"], "dhcp_routes", "present only when set"),
    (&["upcloud/network_modify_name.json"], "router", "present only when a router is attached"),
    (
        &["upcloud/peering_get.json", "upcloud/peering_list.json", "upcloud/peering_modify.json"],
        "peer_network.ip_networks",
        "the peer's addresses show once both halves exist; the SDK's bodies show an active peering",
    ),
    (
        &["scaleway/vpc_create.json", "scaleway/vpc_get_after_pn_create.json", "scaleway/vpc_patch_tags.json"],
        "s3_integration_enabled",
        "recordings before the S3 integration lack it",
    ),
    (
        &["scaleway/vpc_create.json", "scaleway/vpc_get_after_pn_create.json", "scaleway/vpc_patch_tags.json"],
        "transitivity_enabled",
        "recordings before transitivity lack it",
    ),
    (
        &["scaleway/pn_create.json", "scaleway/pn_create_default_vpc.json", "scaleway/pn_get.json"],
        "has_s3_integration",
        "recordings before the S3 integration lack it",
    ),
    (
        &["scaleway/pn_create.json", "scaleway/pn_create_default_vpc.json", "scaleway/pn_get.json"],
        "region",
        "subnets of recordings before mid-2026 lack it",
    ),
];

fn known(file: &str, path: &str) -> bool {
    listed(KNOWN, file, path)
}

/// The JSON paths (per cloud) that some recording answers with `null` and another with a value:
/// only there may the emulator's `null` stand for a value, or the other way round.
fn nullable_paths(all: &[Exchange]) -> std::collections::BTreeSet<String> {
    fn walk(value: &J, path: &str, kinds: &mut BTreeMap<String, (bool, bool)>) {
        let seen = kinds.entry(path.to_string()).or_default();
        if value.is_null() {
            seen.0 = true
        } else {
            seen.1 = true
        }
        match value {
            J::Object(map) => map.iter().for_each(|(k, v)| walk(v, &format!("{path}.{k}"), kinds)),
            J::Array(items) => items.iter().for_each(|v| walk(v, &format!("{path}[]"), kinds)),
            _ => {}
        }
    }
    let mut kinds = BTreeMap::new();
    for e in all {
        walk(&e.response, &format!("{}:body", e.cloud), &mut kinds);
    }
    kinds.into_iter().filter(|(_, (null, value))| *null && *value).map(|(path, _)| path).collect()
}

/// What the comparison knows besides the two bodies.
struct Shapes<'a> {
    file: &'a str,
    cloud: &'a str,
    nullable: &'a std::collections::BTreeSet<String>,
}

/// Objects keyed by names of the account (Aiven's projects), not by fields: their values compared.
const KEYED_BY_NAME: &[&str] = &[".project_membership", ".project_memberships"];

/// Keys must match both ways, kinds must; `null` only where a recording shows it too.
fn same_shape(at: &Shapes, ours: &J, recorded: &J, path: &str, problems: &mut Vec<String>) {
    match (ours, recorded) {
        (J::Object(a), J::Object(b)) if KEYED_BY_NAME.iter().any(|k| path.ends_with(k)) => {
            if let Some(r) = b.values().next() {
                a.values().for_each(|v| same_shape(at, v, r, &format!("{path}.*"), problems));
            }
        }
        (J::Object(a), J::Object(b)) => {
            for (k, v) in a {
                match b.get(k) {
                    Some(r) => same_shape(at, v, r, &format!("{path}.{k}"), problems),
                    None if known(at.file, &format!("{path}.{k}")) => {}
                    None => problems.push(format!("{path}.{k} is answered but never recorded")),
                }
            }
            for k in b.keys().filter(|k| !a.contains_key(*k)) {
                if !known(at.file, &format!("{path}.{k}")) {
                    problems.push(format!("{path}.{k} is recorded but not answered"));
                }
            }
        }
        // Every element of ours against the recorded element at the same place (the first when
        // the recording has fewer): a list's later items may not drift in shape.
        (J::Array(a), J::Array(b)) => {
            for (i, x) in a.iter().enumerate() {
                if let Some(y) = b.get(i).or(b.first()) {
                    same_shape(at, x, y, &format!("{path}[]"), problems);
                }
            }
        }
        (J::Null, J::Null) => {}
        (J::Null, _) | (_, J::Null) if at.nullable.contains(&format!("{}:{path}", at.cloud)) => {}
        (J::Null, b) => problems.push(format!("{path} is null but recorded as {}", kind(b))),
        (a, J::Null) => problems.push(format!("{path} is {} but recorded as null", kind(a))),
        (a, b) if kind(a) != kind(b) => problems.push(format!("{path} is {} but recorded as {}", kind(a), kind(b))),
        // Times are written as the cloud writes them (Scaleway: microseconds).
        (J::String(a), J::String(b))
            if (path.ends_with("_at") || path.ends_with("_time")) && digits(a) != digits(b) =>
        {
            problems.push(format!("{path} is written {a:?}, recorded {b:?}"))
        }
        _ => {}
    }
}

/// A text's layout, digits blurred: `2026-03-24T12:03:23.700558Z` → `0000-00-00T00:00:00.000000Z`.
fn digits(text: &str) -> String {
    text.chars().map(|c| if c.is_ascii_digit() { '0' } else { c }).collect()
}

/// The emulator's object of each kind that a recorded id stands for.
struct Fixtures {
    scw_connector: String,
    scw_route: String,
    /// A route through the connector, for recordings of one.
    scw_route_via_connector: String,
    up_peering: String,
    /// For a recorded DELETE, an object of its kind nothing holds on to (an empty VPC, a free
    /// router, a disabled peering), so that the emulator may delete it as the cloud did.
    deletable: Option<String>,
}

fn fixtures(emulator: &Emulator, e: &Exchange) -> Fixtures {
    let (scw, up, aiven) = (emulator.scaleway(), emulator.upcloud(), emulator.aiven());
    emulator.block_on(async {
        let a = demo::SCALEWAY_VPC_A.parse().unwrap();
        let b = demo::SCALEWAY_VPC_B.parse().unwrap();
        let connector = scw
            .create_connector(
                "fr-par",
                &sw::CreateConnector { name: "c".into(), tags: vec![], vpc_id: a, target_vpc_id: b },
            )
            .await
            .unwrap();
        let route = sw::RouteFields {
            description: Some("r".into()),
            vpc_id: Some(a),
            destination: Some("10.77.0.0/24".parse().unwrap()),
            nexthop_private_network_id: Some(demo::SCALEWAY_PN_A.parse().unwrap()),
            ..Default::default()
        };
        // Only for a recording of such a route: lists of the VPC's routes stay as recorded.
        let via_connector = if e.response["nexthop_vpc_connector_id"].is_string() {
            let fields = sw::RouteFields {
                description: Some("c".into()),
                vpc_id: Some(a),
                destination: Some("10.78.0.0/24".parse().unwrap()),
                nexthop_vpc_connector_id: Some(connector.id),
                ..Default::default()
            };
            scw.create_route("fr-par", &fields).await.unwrap().id
        } else {
            String::new()
        };
        let route = scw.create_route("fr-par", &route).await.unwrap();
        let peering = up
            .create_peering(&up::CreatePeering {
                name: "p".into(),
                configured_status: up::ConfiguredStatus::Active,
                network: up::NetworkUuid { uuid: demo::NETWORK_APP.parse().unwrap() },
                peer_network: up::NetworkUuid { uuid: demo::NETWORK_DB.parse().unwrap() },
                labels: vec![up::Label { key: "k".into(), value: "v".into() }],
            })
            .await
            .unwrap();
        let vpc = demo::AIVEN_VPC_FRA.parse().unwrap();
        aiven.create_upcloud_peering(demo::AIVEN_PROJECT, vpc, demo::NETWORK_APP).await.unwrap();
        let deletable = match (e.method.as_str(), resource(e).0.as_str()) {
            ("DELETE", "vpcs") if e.cloud == "scaleway" => {
                let empty = sw::CreateVpc {
                    name: "empty".into(),
                    project_id: demo::SCALEWAY_PROJECT.into(),
                    ..Default::default()
                };
                Some(scw.create_vpc("fr-par", &empty).await.unwrap().id.to_string())
            }
            ("DELETE", "private-networks") => Some(demo::SCALEWAY_PN_B.to_string()),
            ("DELETE", "network") => Some(demo::NETWORK_NO_ROUTER.to_string()),
            ("DELETE", "router") => {
                let free = up::RouterFields { name: Some("free".into()), ..Default::default() };
                Some(up.create_router(&free).await.unwrap().uuid.to_string())
            }
            ("DELETE", "network-peering") => {
                let off =
                    up::PeeringPatch { configured_status: Some(up::ConfiguredStatus::Disabled), ..Default::default() };
                up.modify_peering(peering.uuid, &off).await.unwrap();
                Some(peering.uuid.to_string())
            }
            _ => None,
        };
        Fixtures {
            deletable,
            scw_connector: connector.id.to_string(),
            scw_route: route.id,
            scw_route_via_connector: via_connector,
            up_peering: peering.uuid.to_string(),
        }
    })
}

/// The recorded request, aimed at the emulator's objects.
fn aimed(e: &Exchange, f: &Fixtures) -> (String, Vec<(String, String)>, J) {
    let missing = e.file.contains("not_found");
    let stand_in = |kind: &str| -> String {
        if missing {
            return "0badbad0-0000-4000-8000-000000000000".into();
        }
        if let Some(id) = &f.deletable {
            return id.clone();
        }
        match kind {
            "vpcs" => demo::SCALEWAY_VPC_A.into(),
            "private-networks" => demo::SCALEWAY_PN_A.into(),
            "vpc-connectors" => f.scw_connector.clone(),
            "routes" if e.response["nexthop_vpc_connector_id"].is_string() => f.scw_route_via_connector.clone(),
            "routes" => f.scw_route.clone(),
            "router" => demo::ROUTER_A.into(),
            "network" if e.response.to_string().contains("\"servers\"") => demo::NETWORK_APP.into(),
            "network" => demo::NETWORK_DB.into(),
            "network-peering" => f.up_peering.clone(),
            _ => kind.into(),
        }
    };
    let parts: Vec<&str> = e.path.split('/').collect();
    let path = match e.cloud.as_str() {
        "scaleway" if parts.len() > 6 => {
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            p[6] = stand_in(parts[5]);
            p.join("/")
        }
        "upcloud" if parts.len() > 3 && !parts[3].is_empty() => {
            format!("/1.3/{}/{}", parts[2], stand_in(parts[2]))
        }
        "aiven" if parts.len() > 5 => {
            let mut p: Vec<String> = parts.iter().map(|s| s.to_string()).collect();
            p[3] = demo::AIVEN_PROJECT.into();
            p[5] = if missing { stand_in("") } else { demo::AIVEN_VPC_FRA.into() };
            // A peering is named by the network it goes toward: the fixture's.
            if let Some(at) = p.iter().position(|s| s == "peer-vpcs") {
                p[at + 1] = demo::NETWORK_APP.into();
            }
            p.join("/")
        }
        "aiven" if parts.len() > 3 => format!("/v1/project/{}/vpcs", demo::AIVEN_PROJECT),
        _ => e.path.clone(),
    };
    let query = e
        .query
        .iter()
        .filter(|(k, _)| !k.ends_with("project_id"))
        .map(|(k, v)| (k.clone(), if k == "vpc_id" { demo::SCALEWAY_VPC_A.to_string() } else { v.clone() }))
        .collect();
    let mut body = e.request.clone();
    aim_body(&mut body, f);
    (path, query, body)
}

fn aim_body(body: &mut J, f: &Fixtures) {
    let J::Object(map) = body else { return };
    for (key, value) in map.iter_mut() {
        let stand_in = match key.as_str() {
            "vpc_id" => Some(demo::SCALEWAY_VPC_A.to_string()),
            "target_vpc_id" => Some(demo::SCALEWAY_VPC_B.to_string()),
            "nexthop_private_network_id" => Some(demo::SCALEWAY_PN_A.to_string()),
            "nexthop_vpc_connector_id" => Some(f.scw_connector.clone()),
            "router" if value.is_string() => Some(demo::ROUTER_A.to_string()),
            "peer_vpc" => Some(demo::NETWORK_DB.to_string()),
            // A peering from db toward app: the fixture is the other direction.
            "network" if value.get("uuid").is_some() => {
                *value = serde_json::json!({"uuid": demo::NETWORK_DB});
                None
            }
            "peer_network" if value.get("uuid").is_some() => {
                *value = serde_json::json!({"uuid": demo::NETWORK_APP});
                None
            }
            _ => {
                aim_body(value, f);
                None
            }
        };
        if let Some(id) = stand_in
            && value.is_string()
        {
            *value = J::String(id);
        }
    }
}

/// Sends each recorded request to a fresh emulator, aimed at its objects, and compares the
/// answers' shapes; the count per cloud and kind, or what differs.
pub fn emulator_answers(all: &[Exchange]) -> Result<BTreeMap<String, usize>, Vec<String>> {
    let mut replayed = BTreeMap::<String, usize>::new();
    let mut failures = Vec::new();
    let nullable = nullable_paths(all);
    for e in all {
        // A peering is deleted once disabled, which takes the emulator no time here.
        let emulator = Emulator::start_with(World::demo(), if e.method == "DELETE" { 0 } else { 50 });
        let f = fixtures(&emulator, e);
        let (path, query, body) = aimed(e, &f);
        let auth = match e.cloud.as_str() {
            "upcloud" => ("authorization", format!("Basic {}", base64_basic())),
            "aiven" => ("authorization", format!("aivenv1 {AIVEN_TOKEN}")),
            _ => ("x-auth-token", SCALEWAY_SECRET.to_string()),
        };
        let (status, answer) = emulator.block_on(async {
            let client = peering_clouds::http::shared_http_client();
            let method = reqwest::Method::from_bytes(e.method.as_bytes()).unwrap();
            let mut request =
                client.request(method, format!("{}{path}", emulator.url())).query(&query).header(auth.0, &auth.1);
            if !body.is_null() {
                request = request.json(&body);
            }
            let response = request.send().await.unwrap();
            let status = response.status().as_u16();
            (status, response.json::<J>().await.unwrap_or(J::Null))
        });
        let mut problems = Vec::new();
        if status != e.status {
            problems.push(format!("status {status}, recorded {}: {answer}", e.status));
        }
        let at = Shapes { file: &e.file, cloud: &e.cloud, nullable: &nullable };
        same_shape(&at, &answer, &e.response, "body", &mut problems);
        if problems.is_empty() {
            let kind = if e.verified { "recorded" } else { "from SDK types" };
            *replayed.entry(format!("{} {kind}", e.cloud)).or_default() += 1;
        } else {
            failures.push(format!("{}: {problems:?}", e.file));
        }
    }
    if failures.is_empty() { Ok(replayed) } else { Err(failures) }
}

fn base64_basic() -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(format!("{USERNAME}:{PASSWORD}"))
}

#[test]
fn a_dropped_field_element_or_value_is_a_difference() {
    let recorded = serde_json::json!({"a": 1, "b": [{"x": "p"}, {"x": "q"}], "c": null});
    let problems = |sent: J| {
        let mut found = Vec::new();
        same_request("f.json", &sent, &recorded, "body", &mut found);
        found
    };
    assert!(problems(recorded.clone()).is_empty());
    assert_eq!(
        problems(serde_json::json!({"b": [{"x": "p"}, {"x": "q"}], "c": null})),
        ["body.a is recorded but not sent"]
    );
    assert_eq!(
        problems(serde_json::json!({"a": 1, "b": [{"x": "p"}], "c": null})),
        ["body.b has 1 elements, recorded 2"]
    );
    assert_eq!(
        problems(serde_json::json!({"a": 1, "b": [{"x": "p"}, {"x": "r"}], "c": null})),
        ["body.b[1].x is \"r\" but recorded as \"q\""]
    );
    assert_eq!(
        problems(serde_json::json!({"a": 1, "b": [{"x": "p"}, {"x": "q"}], "c": "v"})),
        ["body.c is string but recorded as null"]
    );
}
