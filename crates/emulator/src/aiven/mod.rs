//! Aiven's `/v1/project/{project}/vpcs` API: project VPCs and their peering connections, with
//! Aiven's error bodies and `aivenv1` (or bearer) token auth.

use std::sync::Arc;

use axum::extract::{Path, Request, State};
use axum::http::{StatusCode, header};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde_json::json;
use uuid::Uuid;

pub mod clouds;
pub mod state;
pub mod wire;

use state::{AivenPeeringRecord, VpcRecord};
use wire::{CreatePeeringRequest, CreateVpcRequest, PeeringState, StateInfo, VpcList, VpcState};

use super::Emulator;
use super::clock::timestamp;
use super::world::World;
use peering_net::{IpNet, UpcloudNetworkId};

type Shared = State<Arc<Emulator>>;
type Answer = Result<Response, ApiError>;

pub fn routes(emulator: Arc<Emulator>) -> Router<Arc<Emulator>> {
    let vpc = "/v1/project/{project}/vpcs/{vpc}";
    let peerings = format!("{vpc}/peering-connections");
    Router::new()
        .route("/v1/project", get(list_projects))
        .route("/v1/project/{project}/vpcs", get(list_vpcs).post(create_vpc))
        .route(vpc, get(get_vpc).delete(delete_vpc))
        .route(&peerings, post(create_peering))
        .route(&format!("{peerings}/refresh"), post(refresh))
        .route(&format!("{peerings}/peer-accounts/{{account}}/peer-vpcs/{{peer_vpc}}"), delete(delete_peering))
        .route(
            &format!("{peerings}/peer-accounts/{{account}}/peer-vpcs/{{peer_vpc}}/peer-regions/{{region}}"),
            delete(delete_peering_in_region),
        )
        .route(
            &format!("{peerings}/peer-accounts/{{account}}/peer-resource-groups/{{group}}/peer-vpcs/{{peer_vpc}}"),
            delete(delete_peering_in_group),
        )
        .route_layer(middleware::from_fn_with_state(emulator, authenticate))
}

/// An Aiven error: `{"message", "errors": [{"message", "status"}]}`.
#[derive(Debug)]
pub struct ApiError {
    status: StatusCode,
    message: String,
}

fn error(status: StatusCode, message: impl Into<String>) -> ApiError {
    ApiError { status, message: message.into() }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body =
            json!({"message": self.message, "errors": [{"message": self.message, "status": self.status.as_u16()}]});
        (self.status, [(header::CONTENT_TYPE, "application/json")], body.to_string()).into_response()
    }
}

/// Injected faults in Aiven's error body. UNVERIFIED: Aiven publishes no 429 or 5xx example;
/// its SDK retries both and honours `Retry-After` (shared/docs/api-aiven.md).
pub struct Faults;

impl crate::faults::FaultAnswers for Faults {
    fn rate_limited(retry_after: bool) -> Response {
        let mut response = error(StatusCode::TOO_MANY_REQUESTS, "Rate limit exceeded").into_response();
        if retry_after {
            response.headers_mut().insert(header::RETRY_AFTER, header::HeaderValue::from_static("1"));
        }
        response
    }

    fn server_error(status: StatusCode) -> Response {
        error(status, "Internal server error").into_response()
    }
}

fn ok<T: serde::Serialize>(body: T) -> Answer {
    Ok((StatusCode::OK, Json(body)).into_response())
}

/// A token the emulator takes as one that has expired.
pub const EXPIRED_TOKEN: &str = "expired-aiven-token";

async fn authenticate(State(emulator): Shared, request: Request, next: Next) -> Response {
    let header = request.headers().get(header::AUTHORIZATION).and_then(|h| h.to_str().ok()).unwrap_or_default();
    let token = header.strip_prefix("aivenv1 ").or_else(|| header.strip_prefix("Bearer ")).map(str::trim);
    if token == Some(emulator.credentials.aiven_token.as_str()) {
        next.run(request).await
    } else if token == Some(EXPIRED_TOKEN) {
        // aiven/terraform-provider-aiven#647: `401: {"errors":[{"message":"Missing (expired) db
        // token","status":401}],"message":"Missing (expired) db token"}`.
        error(StatusCode::UNAUTHORIZED, "Missing (expired) db token").into_response()
    } else {
        // UNVERIFIED: the status of an unknown token ("Invalid token" is the text Aiven's own
        // operator matches, aiven/aiven-operator `controllers/basic_controller.go`).
        error(StatusCode::FORBIDDEN, "Invalid token").into_response()
    }
}

fn project_exists(world: &World, project: &str) -> Result<(), ApiError> {
    if world.aiven.projects.iter().any(|p| p == project) {
        Ok(())
    } else {
        Err(error(StatusCode::FORBIDDEN, format!("Project '{project}' does not exist or you have no access to it")))
    }
}

fn vpc_mut<'w>(world: &'w mut World, project: &str, vpc: &str) -> Result<&'w mut VpcRecord, ApiError> {
    project_exists(world, project)?;
    let not_found = || error(StatusCode::NOT_FOUND, format!("Project VPC {vpc} does not exist"));
    let id: Uuid = vpc.parse().map_err(|_| not_found())?;
    world.aiven.vpcs.get_mut(&id).filter(|v| v.project == project && v.state != VpcState::Deleted).ok_or_else(not_found)
}

/// `GET /v1/project`, with the required fields of aiven/go-client-codegen's `ProjectOut`
/// (`handler/project/project.go`); the billing values are the emulator's own placeholders.
async fn list_projects(State(emulator): Shared) -> Answer {
    let world = emulator.lock_world();
    let projects: Vec<_> = world
        .aiven
        .projects
        .iter()
        .map(|name| {
            json!({
                "account_id": "a0000000demo", "billing_address": "", "billing_emails": [],
                "billing_group_id": "00000000-0000-4000-8000-000000000000", "billing_group_name": "emulator",
                "country": "", "country_code": "", "default_cloud": "upcloud-de-fra", "estimated_balance": "0.00",
                "organization_id": "org00000demo", "payment_method": "no_payment_expected", "project_name": name,
                "vat_id": "",
            })
        })
        .collect();
    let membership: serde_json::Map<String, serde_json::Value> =
        world.aiven.projects.iter().map(|p| (p.clone(), json!("admin"))).collect();
    let memberships: serde_json::Map<String, serde_json::Value> =
        world.aiven.projects.iter().map(|p| (p.clone(), json!(["admin"]))).collect();
    ok(json!({"project_membership": membership, "project_memberships": memberships, "projects": projects}))
}

async fn list_vpcs(State(emulator): Shared, Path(project): Path<String>) -> Answer {
    let world = emulator.lock_world();
    project_exists(&world, &project)?;
    let vpcs = world.aiven.vpcs.values().filter(|v| v.project == project).map(VpcRecord::summary).collect();
    ok(VpcList { vpcs })
}

/// Reads a request body strictly: a missing or unknown field is refused with Aiven's error body.
fn parse_body<T: serde::de::DeserializeOwned>(body: serde_json::Value) -> Result<T, ApiError> {
    serde_json::from_value(body).map_err(|e| error(StatusCode::BAD_REQUEST, format!("Invalid input: {e}")))
}

async fn create_vpc(
    State(emulator): Shared,
    Path(project): Path<String>,
    Json(body): Json<serde_json::Value>,
) -> Answer {
    let request: CreateVpcRequest = parse_body(body)?;
    if clouds::zones(&request.cloud_name).is_none() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            format!("Cloud {} is not supported by this emulator", request.cloud_name),
        ));
    }
    let cidr: IpNet = match request.network_cidr.parse() {
        Ok(IpNet::V4(net)) => IpNet::V4(net.trunc()),
        _ => return Err(error(StatusCode::BAD_REQUEST, format!("Invalid network_cidr {:?}", request.network_cidr))),
    };
    let vpc = emulator.new_uuid(0xb0);
    let network = UpcloudNetworkId(emulator.new_uuid(0x03));
    let mut world = emulator.lock_world();
    project_exists(&world, &project)?;
    let omits = world.aiven.omits_peering_ids;
    let record = world.add_vpc(&project, vpc, network, &request.cloud_name, cidr, emulator.clock.now_ms());
    ok(record.view(omits))
}

async fn get_vpc(State(emulator): Shared, Path((project, vpc)): Path<(String, String)>) -> Answer {
    let mut world = emulator.lock_world();
    let omits = world.aiven.omits_peering_ids;
    ok(vpc_mut(&mut world, &project, &vpc)?.view(omits))
}

async fn delete_vpc(State(emulator): Shared, Path((project, vpc)): Path<(String, String)>) -> Answer {
    let mut world = emulator.lock_world();
    let omits = world.aiven.omits_peering_ids;
    let record = vpc_mut(&mut world, &project, &vpc)?;
    if record.state != VpcState::Deleting {
        record.set_state(VpcState::Deleting, emulator.clock.now_ms());
    }
    ok(record.view(omits))
}

async fn create_peering(
    State(emulator): Shared,
    Path((project, vpc)): Path<(String, String)>,
    Json(body): Json<serde_json::Value>,
) -> Answer {
    let request: CreatePeeringRequest = parse_body(body)?;
    let id = emulator.new_uuid(0x5e);
    let mut world = emulator.lock_world();
    let record = vpc_mut(&mut world, &project, &vpc)?;
    if record.state != VpcState::Active {
        let state = serde_json::to_value(record.state).unwrap_or_default();
        let state = state.as_str().unwrap_or_default();
        return Err(error(StatusCode::CONFLICT, format!("Project VPC {vpc} is in state {state}, not ACTIVE")));
    }
    if request.peer_cloud_account != "upcloud" || request.peer_region.is_some() {
        return Err(error(
            StatusCode::BAD_REQUEST,
            "This emulator peers project VPCs with UpCloud networks only (no peer_region)",
        ));
    }
    let existing = record.peerings.iter().any(|p| {
        p.peer_cloud_account == request.peer_cloud_account
            && p.peer_vpc.eq_ignore_ascii_case(&request.peer_vpc)
            && !matches!(p.state, PeeringState::Deleting | PeeringState::Deleted)
    });
    if existing {
        return Err(error(StatusCode::CONFLICT, format!("Peering connection to {} already exists", request.peer_vpc)));
    }
    let now = emulator.clock.now_ms();
    let peering = AivenPeeringRecord {
        peering_connection_id: id,
        peer_cloud_account: request.peer_cloud_account,
        peer_vpc: request.peer_vpc,
        state: PeeringState::Approved,
        since_ms: now,
        state_info: Some(StateInfo {
            message: "Peering connection is being created".into(),
            kind: "approved".into(),
            to_network_id: None,
        }),
        create_time: timestamp(now),
        update_time: timestamp(now),
    };
    let view = peering.view(world.aiven.omits_peering_ids);
    let record = vpc_mut(&mut world, &project, &vpc)?;
    record.peerings.push(peering);
    ok(view)
}

fn remove_peering(emulator: &Emulator, project: &str, vpc: &str, account: &str, peer_vpc: &str) -> Answer {
    let mut world = emulator.lock_world();
    let omits = world.aiven.omits_peering_ids;
    let record = vpc_mut(&mut world, project, vpc)?;
    let peering = record
        .peerings
        .iter_mut()
        .find(|p| {
            p.peer_cloud_account == account
                && p.peer_vpc.eq_ignore_ascii_case(peer_vpc)
                && p.state != PeeringState::Deleted
        })
        .ok_or_else(|| error(StatusCode::NOT_FOUND, "Peering connection does not exist"))?;
    if peering.state != PeeringState::Deleting {
        peering.state = PeeringState::Deleting;
        peering.since_ms = emulator.clock.now_ms();
        peering.update_time = timestamp(peering.since_ms);
    }
    let view = peering.view(omits);
    // The hidden UpCloud half goes with it.
    world.advance(emulator.clock.now_ms(), emulator.transition_ms);
    ok(view)
}

async fn delete_peering(
    State(emulator): Shared,
    Path((project, vpc, account, peer_vpc)): Path<(String, String, String, String)>,
) -> Answer {
    remove_peering(&emulator, &project, &vpc, &account, &peer_vpc)
}

async fn delete_peering_in_region(
    State(emulator): Shared,
    Path((project, vpc, account, peer_vpc, _region)): Path<(String, String, String, String, String)>,
) -> Answer {
    remove_peering(&emulator, &project, &vpc, &account, &peer_vpc)
}

async fn delete_peering_in_group(
    State(emulator): Shared,
    Path((project, vpc, account, _group, peer_vpc)): Path<(String, String, String, String, String)>,
) -> Answer {
    remove_peering(&emulator, &project, &vpc, &account, &peer_vpc)
}

async fn refresh(State(emulator): Shared, Path((project, vpc)): Path<(String, String)>) -> Answer {
    let mut world = emulator.lock_world();
    let omits = world.aiven.omits_peering_ids;
    ok(vpc_mut(&mut world, &project, &vpc)?.view(omits))
}
