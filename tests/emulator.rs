//! The emulator's UpCloud API: envelopes, errors, auth and the peering state machine.

mod common;

use std::time::Duration;

use common::*;
use peering_clouds::CloudFailure as _;
use peering_clouds::upcloud::{
    ConfiguredStatus, CreateNetwork, CreatePeering, IpNetwork, IpNetworks, NetworkPeering, NetworkUuid, PeeringPatch,
    PeeringState, RouterFields, UpcloudClient, UpcloudError,
};
use peering_emulator::world::{World, demo};
use peering_net::{UpcloudNetworkId, UpcloudPeeringId};

fn nid(s: &str) -> UpcloudNetworkId {
    s.parse().unwrap()
}

fn create(from: &str, to: &str) -> CreatePeering {
    CreatePeering {
        name: format!("{from}->{to}"),
        configured_status: ConfiguredStatus::Active,
        network: NetworkUuid { uuid: nid(from) },
        peer_network: NetworkUuid { uuid: nid(to) },
        labels: vec![],
    }
}

/// The peering's state once the emulator's time has moved on by `wait`.
async fn state_after(
    emulator: &Emulator,
    client: &UpcloudClient,
    id: UpcloudPeeringId,
    wait: Duration,
) -> NetworkPeering {
    emulator.advance(wait);
    client.get_peering(id).await.unwrap()
}

fn code(result: Result<impl std::fmt::Debug, UpcloudError>) -> (u16, String) {
    match result.unwrap_err() {
        UpcloudError::Api { status, code, .. } => (status, code),
        other => panic!("expected an API error, got {other}"),
    }
}

const SETTLE: Duration = Duration::from_millis(80);

#[test]
fn peering_state_machine() {
    let emulator = Emulator::start_stopped(World::demo());
    let client = emulator.upcloud();
    emulator.block_on(async {
        // A one-way create answers `pending-peer` (the documented 201).
        let a = client.create_peering(&create(demo::NETWORK_APP, demo::NETWORK_DB)).await.unwrap();
        assert_eq!(a.state, PeeringState::PendingPeer);
        assert!(a.peer_network.ip_networks.is_none(), "peer addresses hidden while one-sided");
        assert_eq!(state_after(&emulator, &client, a.uuid, SETTLE).await.state, PeeringState::PendingPeer);

        let b = client.create_peering(&create(demo::NETWORK_DB, demo::NETWORK_APP)).await.unwrap();
        let a_now = state_after(&emulator, &client, a.uuid, SETTLE).await;
        assert_eq!(a_now.state, PeeringState::Active);
        assert!(a_now.peer_network.ip_networks.is_some(), "peer addresses visible once both sides exist");
        assert_eq!(client.get_peering(b.uuid).await.unwrap().state, PeeringState::Active);

        // Delete needs disable first.
        assert_eq!(code(client.delete_peering(a.uuid).await), (409, "PEERING_NOT_DISABLED".into()));
        let disable = PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
        emulator.hold_transitions(true);
        assert_eq!(client.modify_peering(a.uuid, &disable).await.unwrap().state, PeeringState::Provisioning);
        assert_eq!(
            code(client.delete_peering(a.uuid).await),
            (409, "PEERING_NOT_DISABLED".into()),
            "not while provisioning"
        );
        emulator.hold_transitions(false);
        assert_eq!(state_after(&emulator, &client, a.uuid, SETTLE).await.state, PeeringState::Disabled);
        assert_eq!(client.get_peering(b.uuid).await.unwrap().state, PeeringState::PeerDisabled);
        client.delete_peering(a.uuid).await.unwrap();
        assert_eq!(code(client.get_peering(a.uuid).await), (404, "PEERING_NOT_FOUND".into()));
        assert_eq!(client.get_peering(b.uuid).await.unwrap().state, PeeringState::PendingPeer);

        // Filters.
        let listed = client.list_peerings(Some(nid(demo::NETWORK_DB)), None).await.unwrap();
        assert_eq!(listed.len(), 1);
        assert!(client.list_peerings(Some(nid(demo::NETWORK_APP)), None).await.unwrap().is_empty());
    });
}

#[test]
fn create_errors_and_failure_states() {
    let emulator = Emulator::start_stopped(World::demo());
    let client = emulator.upcloud();
    emulator.block_on(async {
        let missing = "03ffffff-0000-4000-8000-000000000000";
        assert_eq!(
            code(client.create_peering(&create(missing, demo::NETWORK_DB)).await),
            (404, "NETWORK_NOT_FOUND".into())
        );
        assert_eq!(
            code(client.create_peering(&create(demo::NETWORK_APP, missing)).await),
            (404, "PEER_NETWORK_NOT_FOUND".into())
        );
        assert_eq!(
            code(client.create_peering(&create(demo::NETWORK_NO_ROUTER, demo::NETWORK_DB)).await),
            (409, "LOCAL_NETWORK_NO_ROUTER".into())
        );
        client.create_peering(&create(demo::NETWORK_APP, demo::NETWORK_DB)).await.unwrap();
        assert_eq!(
            code(client.create_peering(&create(demo::NETWORK_APP, demo::NETWORK_DB)).await),
            (409, "PEERING_CONFLICT".into())
        );

        let overlap = client.create_peering(&create(demo::NETWORK_APP, demo::NETWORK_OVERLAP)).await.unwrap();
        assert_eq!(state_after(&emulator, &client, overlap.uuid, SETTLE).await.state, PeeringState::ConflictSubnet);
        let no_router = client.create_peering(&create(demo::NETWORK_DB, demo::NETWORK_NO_ROUTER)).await.unwrap();
        assert_eq!(
            state_after(&emulator, &client, no_router.uuid, SETTLE).await.state,
            PeeringState::MissingPeerRouter
        );

        // A network and router made through the API, as a user would; then the peer disappears.
        let router =
            client.create_router(&RouterFields { name: Some("r".into()), ..Default::default() }).await.unwrap();
        assert!(router.uuid.to_string().starts_with("04"));
        let network = client
            .create_network(&CreateNetwork {
                name: "temp".into(),
                zone: "de-fra1".into(),
                router: Some(router.uuid),
                ip_networks: IpNetworks {
                    ip_network: vec![IpNetwork {
                        address: "10.99.0.0/24".parse().unwrap(),
                        family: peering_clouds::upcloud::Family::IPv4,
                        dhcp: Some(peering_clouds::upcloud::YesNo::Yes),
                        dhcp_default_route: None,
                        gateway: None,
                    }],
                },
                labels: vec![],
            })
            .await
            .unwrap();
        assert!(network.uuid.to_string().starts_with("03"));
        assert_eq!(code(client.delete_router(router.uuid).await), (409, "ROUTER_ATTACHED".into()));
        let dangling = client.create_peering(&create(demo::NETWORK_DB, &network.uuid.to_string())).await.unwrap();
        client.delete_network(network.uuid).await.unwrap();
        assert_eq!(
            state_after(&emulator, &client, dangling.uuid, SETTLE).await.state,
            PeeringState::DeletedPeerNetwork
        );
        client.delete_router(router.uuid).await.unwrap();

        // Detaching the local router shows up on existing peerings.
        let detached = client.set_network_router(nid(demo::NETWORK_APP), None).await.unwrap();
        assert!(detached.router.is_none());
        let listed = client.list_peerings(Some(nid(demo::NETWORK_APP)), Some(nid(demo::NETWORK_DB))).await.unwrap();
        assert_eq!(listed[0].state, PeeringState::MissingLocalRouter);
    });
    let requests = emulator.requests();
    assert!(requests.writes["POST /1.3/network-peering"] >= 6, "{requests:?}");
    assert!(requests.reads.contains_key("GET /1.3/network-peering/{uuid}"), "{requests:?}");
}

#[test]
fn auth_is_required() {
    let emulator = Emulator::start_stopped(World::demo());
    let policy = peering_clouds::http::RetryPolicy { max_retries: 0, ..Default::default() };
    let wrong =
        peering_clouds::http::Auth::Basic { username: USERNAME.into(), password: peering_clouds::Secret::new("nope") };
    let bad = UpcloudClient::new(peering_clouds::http::ApiClient::new(&emulator.url(), wrong, policy.clone()).unwrap());
    let token = peering_clouds::http::Auth::Bearer(peering_clouds::Secret::new("ucat_demo_token"));
    let good = UpcloudClient::new(peering_clouds::http::ApiClient::new(&emulator.url(), token, policy).unwrap());
    emulator.block_on(async {
        let (status, code) = code(bad.list_networks(None).await);
        assert_eq!((status, code.as_str()), (401, "AUTHENTICATION_FAILED"));
        assert_eq!(good.list_networks(Some("fi-hel1")).await.unwrap().len(), 1);
        assert!(good.account().await.unwrap()["account"]["resource_limits"]["network_peerings"].is_number());
    });
}

/// Aiven's side of the world: VPC and peering state machines, backed by UpCloud networks.
#[test]
fn aiven_vpc_and_peering_state_machine() {
    use peering_clouds::aiven::{CreateVpc, PeeringState as A, VpcState};

    let emulator = Emulator::start_stopped(World::demo());
    let aiven = emulator.aiven();
    let upcloud = emulator.upcloud();
    let project = demo::AIVEN_PROJECT;
    emulator.block_on(async {
        let request = CreateVpc {
            cloud_name: "upcloud-de-fra".into(),
            network_cidr: "10.80.0.0/24".into(),
            peering_connections: vec![],
        };
        emulator.hold_transitions(true);
        let vpc = aiven.create_vpc(project, &request).await.unwrap();
        assert_eq!(vpc.state, VpcState::Approved);
        let error = aiven.create_upcloud_peering(project, vpc.project_vpc_id, demo::NETWORK_DB).await.unwrap_err();
        assert!(error.to_string().contains("is in state APPROVED, not ACTIVE"), "{error}");
        emulator.hold_transitions(false);
        emulator.advance(SETTLE);
        assert_eq!(aiven.get_vpc(project, vpc.project_vpc_id).await.unwrap().state, VpcState::Active);

        // APPROVED → PENDING_PEER with the Aiven network ID → ACTIVE once our UpCloud half exists.
        let fra: uuid::Uuid = demo::AIVEN_VPC_FRA.parse().unwrap();
        let created = aiven.create_upcloud_peering(project, fra, demo::NETWORK_DB).await.unwrap();
        assert_eq!(created.state, A::Approved);
        assert!(aiven.create_upcloud_peering(project, fra, demo::NETWORK_DB).await.unwrap_err().is_conflict());
        emulator.advance(SETTLE);
        let vpc_now = aiven.get_vpc(project, fra).await.unwrap();
        let pending = &vpc_now.peering_connections[0];
        assert_eq!(pending.state, A::PendingPeer);
        // The SDK's StateInfoOut keys, and the network ID under `to-network-id` (as Aiven gives
        // Azure's, aiven/terraform-provider-aiven#304) and in the message.
        let info = pending.state_info.as_ref().unwrap();
        assert_eq!(info.keys().map(String::as_str).collect::<Vec<_>>(), ["message", "type", "to-network-id"]);
        assert_eq!(info["to-network-id"], demo::AIVEN_NETWORK_FRA);
        assert!(info["message"].as_str().unwrap().contains(demo::AIVEN_NETWORK_FRA), "{info:?}");
        assert_eq!(pending.aiven_network_id().unwrap().to_string(), demo::AIVEN_NETWORK_FRA);
        // Aiven's network is not the user's: invisible, yet a valid peer.
        assert!(upcloud.get_network(nid(demo::AIVEN_NETWORK_FRA)).await.unwrap_err().is_not_found());
        let half = upcloud.create_peering(&create(demo::NETWORK_DB, demo::AIVEN_NETWORK_FRA)).await.unwrap();
        emulator.advance(SETTLE);
        assert_eq!(upcloud.get_peering(half.uuid).await.unwrap().state, PeeringState::Active);
        let active = &aiven.get_vpc(project, fra).await.unwrap().peering_connections[0];
        assert_eq!(active.state, A::Active);
        assert!(active.aiven_network_id().is_none(), "Aiven stops reporting the network ID once active");

        // The UpCloud half goes away: DELETED_BY_PEER.
        let disable = PeeringPatch { configured_status: Some(ConfiguredStatus::Disabled), ..Default::default() };
        upcloud.modify_peering(half.uuid, &disable).await.unwrap();
        emulator.advance(SETTLE);
        upcloud.delete_peering(half.uuid).await.unwrap();
        let by_peer = &aiven.get_vpc(project, fra).await.unwrap().peering_connections[0];
        assert_eq!(by_peer.state, A::DeletedByPeer);

        // DELETING → DELETED → gone.
        assert_eq!(aiven.delete_upcloud_peering(project, fra, demo::NETWORK_DB).await.unwrap().state, A::Deleting);
        emulator.advance(SETTLE);
        assert_eq!(aiven.get_vpc(project, fra).await.unwrap().peering_connections[0].state, A::Deleted);
        emulator.advance(SETTLE);
        assert!(aiven.get_vpc(project, fra).await.unwrap().peering_connections.is_empty());
        assert!(aiven.delete_upcloud_peering(project, fra, demo::NETWORK_DB).await.unwrap_err().is_not_found());

        // INVALID_SPECIFICATION, in Aiven's words: overlap, other zone, missing network.
        for (network, why) in
            [(demo::NETWORK_HELSINKI, "is in zone fi-hel1"), ("03ffffff-0000-4000-8000-000000000000", "does not exist")]
        {
            aiven.create_upcloud_peering(project, fra, network).await.unwrap();
            emulator.advance(SETTLE);
            let vpc = aiven.get_vpc(project, fra).await.unwrap();
            let p = vpc.peering_connections.iter().find(|p| p.peer_vpc == network).unwrap();
            assert_eq!(p.state, A::InvalidSpecification);
            assert!(p.message().unwrap().contains(why), "{:?}", p.message());
        }
        let overlapping = CreateVpc {
            cloud_name: "upcloud-de-fra".into(),
            network_cidr: "10.10.0.0/16".into(),
            peering_connections: vec![],
        };
        let wide = aiven.create_vpc(project, &overlapping).await.unwrap().project_vpc_id;
        emulator.advance(SETTLE);
        aiven.create_upcloud_peering(project, wide, demo::NETWORK_APP).await.unwrap();
        emulator.advance(SETTLE);
        let p = aiven.get_vpc(project, wide).await.unwrap().peering_connections.remove(0);
        assert_eq!(p.state, A::InvalidSpecification);
        assert!(p.message().unwrap().contains("overlaps"), "{:?}", p.message());
    });
}

#[test]
fn aiven_auth_and_errors() {
    let emulator = Emulator::start_stopped(World::demo());
    let policy = peering_clouds::http::RetryPolicy { max_retries: 0, ..Default::default() };
    let bad = peering_clouds::aiven::AivenClient::new(
        peering_clouds::http::ApiClient::new(
            &emulator.url(),
            peering_clouds::http::Auth::Header {
                name: "authorization",
                value: peering_clouds::Secret::new("aivenv1 nope"),
            },
            policy,
        )
        .unwrap(),
    );
    emulator.block_on(async {
        let error = bad.list_vpcs(demo::AIVEN_PROJECT).await.unwrap_err();
        assert!(matches!(error, peering_clouds::aiven::AivenError::Api { status: 403, .. }), "{error}");
        let good = emulator.aiven();
        assert_eq!(good.list_vpcs(demo::AIVEN_PROJECT).await.unwrap().len(), 2);
        assert!(good.list_vpcs("someone-else").await.is_err());
        let missing = good.get_vpc(demo::AIVEN_PROJECT, uuid::Uuid::nil()).await.unwrap_err();
        assert!(missing.is_not_found(), "{missing}");
    });
}

/// Scaleway: Private Network subnets chosen or checked, connector statuses, routes and the
/// managed routes beside them, errors and pagination.
#[test]
fn scaleway_vpcs_connectors_and_routes() {
    use peering_clouds::scaleway::{
        ConnectorStatus, CreateConnector, CreatePrivateNetwork, CreateVpc, RouteFields, RouteType, ScalewayError,
    };

    let emulator = Emulator::start_stopped(World::demo());
    let client = emulator.scaleway();
    emulator.block_on(async {
        let vpc = client.create_vpc("pl-waw", &CreateVpc { name: "w".into(), ..Default::default() }).await.unwrap().id;
        let pn = client
            .create_private_network(
                "pl-waw",
                &CreatePrivateNetwork { name: "auto".into(), vpc_id: vpc, ..Default::default() },
            )
            .await
            .unwrap();
        let kinds: Vec<(bool, u8)> =
            pn.subnets.iter().map(|s| (matches!(s.subnet, peering_net::IpNet::V4(_)), s.subnet.prefix_len())).collect();
        assert_eq!(kinds, [(true, 22), (false, 64)], "an IPv4 /22 and an IPv6 /64 when none are given");
        let clash = CreatePrivateNetwork {
            name: "clash".into(),
            vpc_id: vpc,
            subnets: Some(vec![pn.subnets[0].subnet]),
            ..Default::default()
        };
        let error = client.create_private_network("pl-waw", &clash).await.unwrap_err();
        assert!(
            matches!(&error, ScalewayError::InvalidArguments { details, .. } if details[0].contains("overlaps")),
            "{error}"
        );

        // Connector statuses.
        let (a, b, d): (uuid::Uuid, uuid::Uuid, uuid::Uuid) = (
            demo::SCALEWAY_VPC_A.parse().unwrap(),
            demo::SCALEWAY_VPC_B.parse().unwrap(),
            demo::SCALEWAY_VPC_D.parse().unwrap(),
        );
        let connect = |from, to| CreateConnector { name: String::new(), tags: vec![], vpc_id: from, target_vpc_id: to };
        let ab = client.create_connector("fr-par", &connect(a, b)).await.unwrap();
        assert_eq!(ab.status, ConnectorStatus::Orphan);
        assert!(ab.name.starts_with("connector-"));
        client.create_connector("fr-par", &connect(b, a)).await.unwrap();
        let peered = client.get_connector("fr-par", ab.id).await.unwrap();
        assert_eq!(peered.status, ConnectorStatus::Peered);
        assert_eq!(peered.peer_info.unwrap().vpc_name, "vpc-b");
        // Overlapping VPCs: `orphan` while one-sided, `conflict` on both once paired.
        let ad = client.create_connector("fr-par", &connect(a, d)).await.unwrap();
        assert_eq!(ad.status, ConnectorStatus::Orphan);
        let da = client.create_connector("fr-par", &connect(d, a)).await.unwrap();
        assert_eq!(da.status, ConnectorStatus::Conflict);
        assert_eq!(client.get_connector("fr-par", ad.id).await.unwrap().status, ConnectorStatus::Conflict);
        let overlaps = client.subnet_overlaps("fr-par", ad.id).await.unwrap();
        assert_eq!(overlaps.len(), 1);
        assert_eq!(overlaps[0].target_subnet.to_string(), "172.16.0.0/23");
        let e: uuid::Uuid = demo::SCALEWAY_VPC_E.parse().unwrap();
        assert!(matches!(
            client.create_connector("fr-par", &connect(a, e)).await.unwrap_err(),
            ScalewayError::InvalidArguments { .. }
        ));

        // Routes: through a connector (accepted while orphan), listed beside the managed ones.
        let c: uuid::Uuid = demo::SCALEWAY_VPC_C.parse().unwrap();
        let orphan = client.create_connector("fr-par", &connect(a, c)).await.unwrap();
        let fields = RouteFields {
            vpc_id: Some(a),
            destination: Some("172.16.8.0/22".parse().unwrap()),
            nexthop_vpc_connector_id: Some(orphan.id),
            description: Some(String::new()),
            ..Default::default()
        };
        let route = client.create_route("fr-par", &fields).await.unwrap();
        assert_eq!(route.description, "Custom route");
        assert_eq!(route.kind, RouteType::Custom);
        let listed = client.routes_with_nexthop("fr-par", a).await.unwrap();
        let managed: Vec<_> = listed.iter().filter(|r| r.route.id.is_empty()).collect();
        assert_eq!(managed.len(), 2, "one managed route per subnet of pn-a");
        assert!(managed.iter().all(|r| r.route.is_read_only && r.route.tags == ["MANAGED"]));
        let foreign_hop = RouteFields { vpc_id: Some(b), nexthop_vpc_connector_id: Some(orphan.id), ..fields.clone() };
        assert!(client.create_route("fr-par", &foreign_hop).await.is_err(), "a connector of another VPC");
        let busy = client.delete_connector("fr-par", orphan.id).await.unwrap_err();
        assert!(matches!(busy, ScalewayError::PreconditionFailed { .. }), "{busy}");
        let route_id: uuid::Uuid = route.id.parse().unwrap();
        client.delete_route("fr-par", route_id).await.unwrap();
        assert!(client.get_route("fr-par", route_id).await.unwrap_err().is_not_found());
        client.delete_connector("fr-par", orphan.id).await.unwrap();

        // Pagination to the end: 30 connectors listed through pages of at most 100, asked 20 by 20 by the server.
        for i in 0..30 {
            let target = client
                .create_vpc("fr-par", &CreateVpc { name: format!("t{i}"), ..Default::default() })
                .await
                .unwrap()
                .id;
            client.create_connector("fr-par", &connect(c, target)).await.unwrap();
        }
        assert_eq!(client.list_connectors("fr-par", c, None).await.unwrap().len(), 30);
    });
    // A page is at most what was asked for, and total_count tells the rest.
    let (_, page) =
        emulator.get("/vpc/v2/regions/fr-par/vpcs?page=2&page_size=10", &[("x-auth-token", SCALEWAY_SECRET)]);
    assert_eq!(page["vpcs"].as_array().unwrap().len(), 10);
    assert_eq!(page["total_count"], 34, "4 demo VPCs in fr-par and 30 more");
    let (denied, _) = emulator.get("/vpc/v2/regions/fr-par/vpcs", &[]);
    assert_eq!(denied, 401);
}

/// Injected faults speak each cloud's error format: UpCloud's `error.error_code`, Aiven's
/// `message` and `errors`, Scaleway's bare 429 from its edge (`X-Envoy-Ratelimited`).
#[test]
fn faults_come_in_each_clouds_format() {
    let emulator = Emulator::start_stopped(World::demo());
    emulator.set_fault_rate(1.0, 7);
    let paths = [
        ("upcloud", "/1.3/network".to_string()),
        ("aiven", format!("/v1/project/{}/vpcs", demo::AIVEN_PROJECT)),
        ("scaleway", "/vpc/v2/regions/fr-par/vpcs".to_string()),
    ];
    for (cloud, path) in paths {
        let (mut limited, mut failed) = (None, None);
        for _ in 0..200 {
            let answer = emulator.block_on(async {
                let response = peering_clouds::http::shared_http_client()
                    .get(format!("{}{path}", emulator.url()))
                    .send()
                    .await
                    .ok()?;
                let (status, headers) = (response.status().as_u16(), response.headers().clone());
                Some((status, headers, response.text().await.ok()?))
            });
            match answer {
                Some((429, headers, body)) if limited.is_none() => limited = Some((headers, body)),
                Some((status, _, body)) if status >= 500 && failed.is_none() => failed = Some(body),
                _ => {}
            }
            if limited.is_some() && failed.is_some() {
                break;
            }
        }
        let (headers, limited) = limited.unwrap_or_else(|| panic!("{cloud}: no 429 in 200 faults"));
        let failed = failed.unwrap_or_else(|| panic!("{cloud}: no 5xx in 200 faults"));
        let json = |body: &str| serde_json::from_str::<serde_json::Value>(body).unwrap_or_default();
        match cloud {
            "upcloud" => {
                assert!(json(&limited)["error"]["error_code"].is_string(), "{limited}");
                assert!(json(&failed)["error"]["error_code"].is_string(), "{failed}");
            }
            "aiven" => {
                assert!(json(&limited)["message"].is_string() && json(&limited)["errors"].is_array(), "{limited}");
                assert!(json(&failed)["errors"][0]["status"].as_u64().is_some_and(|s| s >= 500), "{failed}");
            }
            _ => {
                assert_eq!(limited, "", "Scaleway's edge answers 429 with no body");
                assert_eq!(headers.get("x-envoy-ratelimited").map(|v| v.to_str().unwrap()), Some("true"));
            }
        }
    }
}

/// A PATCH of a connector moves its `updated_at` and keeps `created_at`, as recorded
/// (terraform-provider-scaleway `vpc-connector-basic` cassette, interaction 13).
#[test]
fn a_connector_patch_moves_updated_at() {
    let emulator = Emulator::start_stopped(World::demo());
    let (a, b) = (demo::SCALEWAY_VPC_A, demo::SCALEWAY_VPC_B);
    let auth = [("x-auth-token", SCALEWAY_SECRET)];
    let send = |method: reqwest::Method, path: String, body: serde_json::Value| -> serde_json::Value {
        emulator.block_on(async {
            let client = peering_clouds::http::shared_http_client();
            let request = client.request(method, format!("{}{path}", emulator.url())).header(auth[0].0, auth[0].1);
            request.json(&body).send().await.unwrap().json().await.unwrap()
        })
    };
    let base = "/vpc/v2/regions/fr-par/vpc-connectors";
    let made = send(
        reqwest::Method::POST,
        base.into(),
        serde_json::json!({"name": "c", "tags": [], "vpc_id": a, "target_vpc_id": b}),
    );
    let id = made["id"].as_str().unwrap();
    emulator.advance(Duration::from_millis(5));
    let patched = send(reqwest::Method::PATCH, format!("{base}/{id}"), serde_json::json!({"name": "renamed"}));
    assert_eq!(patched["created_at"], made["created_at"]);
    assert!(patched["updated_at"].as_str().unwrap() > made["updated_at"].as_str().unwrap(), "{made} {patched}");
}
