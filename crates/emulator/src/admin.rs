//! `/_emulator/…`: inspect and steer the world (tests and curious users).

use std::sync::Arc;

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::IntoResponse;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde_json::json;

use super::Emulator;
use super::faults::FaultSettings;

pub(super) fn routes() -> Router<Arc<Emulator>> {
    Router::new()
        .route("/_emulator/world", get(world))
        .route("/_emulator/reset", post(reset))
        .route("/_emulator/requests", get(requests))
        .route("/_emulator/faults", get(get_faults).put(put_faults))
        .route("/_emulator/advance", post(advance))
}

/// `{"ms": N}`: moves the emulator's time on by N milliseconds, instead of waiting for it.
#[derive(serde::Deserialize)]
struct Advance {
    ms: u64,
}

async fn advance(State(emulator): State<Arc<Emulator>>, Json(by): Json<Advance>) -> impl IntoResponse {
    let now_ms = emulator.clock.advance(std::time::Duration::from_millis(by.ms));
    Json(json!({ "now_ms": now_ms }))
}

/// The stored world, plus each UpCloud peering's state and each Scaleway connector's status as
/// the API would report them now.
async fn world(State(emulator): State<Arc<Emulator>>) -> impl IntoResponse {
    let world = emulator.lock_world();
    let now = emulator.clock.now_ms();
    let states: serde_json::Map<_, _> = world
        .upcloud
        .peerings
        .values()
        .map(|p| (p.uuid.to_string(), json!(world.upcloud.peering_state(p, now).as_str())))
        .collect();
    // Connector statuses are derived (from the reverse connector and the subnets), not stored.
    let connector_statuses: serde_json::Map<_, _> = world
        .scaleway
        .connectors
        .iter()
        .map(|(id, c)| (id.to_string(), json!(world.scaleway.connector_view(c).status.as_str())))
        .collect();
    let mut dump = serde_json::to_value(&*world).unwrap_or_default();
    dump["upcloud"]["peering_states"] = json!(states);
    dump["scaleway"]["connector_statuses"] = json!(connector_statuses);
    Json(dump)
}

async fn reset(State(emulator): State<Arc<Emulator>>) -> impl IntoResponse {
    emulator.reset();
    StatusCode::NO_CONTENT
}

async fn requests(State(emulator): State<Arc<Emulator>>) -> impl IntoResponse {
    Json(emulator.requests())
}

async fn get_faults(State(emulator): State<Arc<Emulator>>) -> impl IntoResponse {
    Json(emulator.faults.lock().expect("faults lock").settings.clone())
}

async fn put_faults(State(emulator): State<Arc<Emulator>>, Json(settings): Json<FaultSettings>) -> impl IntoResponse {
    if !(0.0..=1.0).contains(&settings.fault_rate) {
        return (StatusCode::BAD_REQUEST, Json(json!({"error": "fault_rate must be between 0 and 1"}))).into_response();
    }
    let mut faults = emulator.faults.lock().expect("faults lock");
    faults.update(settings);
    Json(faults.settings.clone()).into_response()
}
