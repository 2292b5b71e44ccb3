//! A stand-in for the official UpCloud and Scaleway providers in tests (tests/e2e_take_over.rs):
//! it declares `upcloud_network_peering`, `scaleway_vpc_connector` and `scaleway_vpc_route` (an
//! `id` and a `name`), imports any id and keeps what Terraform plans, touching no cloud. Enough
//! for a state that holds the official providers' resources, to test taking them over in
//! configuration (`removed` + `import` blocks). Served through this crate's plugin layer.

use tfplugin6::proto::provider_server::Provider;
use tfplugin6::proto::{self, DynamicValue};
use tfplugin6::schema::Attribute;
use tfplugin6::{Block, Schema};
use tonic::{Request, Response, Status};

const TYPES: [&str; 3] = ["upcloud_network_peering", "scaleway_vpc_connector", "scaleway_vpc_route"];

struct StandIn;

fn schema() -> proto::Schema {
    let attributes = vec![
        Attribute::string("id", "The cloud's id.").computed(),
        Attribute::string("name", "The object's name.").optional(),
    ];
    Schema { version: 0, block: Block::new("A stand-in.", attributes) }.to_proto()
}

type Rpc<T> = Result<Response<T>, Status>;

#[tonic::async_trait]
impl Provider for StandIn {
    async fn get_metadata(&self, _: Request<proto::get_metadata::Request>) -> Rpc<proto::get_metadata::Response> {
        Ok(Response::new(proto::get_metadata::Response {
            resources: TYPES
                .iter()
                .map(|t| proto::get_metadata::ResourceMetadata { type_name: t.to_string() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn get_provider_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Rpc<proto::get_provider_schema::Response> {
        Ok(Response::new(proto::get_provider_schema::Response {
            provider: Some(Schema { version: 0, block: Block::new("A stand-in.", Vec::new()) }.to_proto()),
            resource_schemas: TYPES.iter().map(|t| (t.to_string(), schema())).collect(),
            ..Default::default()
        }))
    }

    async fn validate_provider_config(
        &self,
        _: Request<proto::validate_provider_config::Request>,
    ) -> Rpc<proto::validate_provider_config::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn validate_resource_config(
        &self,
        _: Request<proto::validate_resource_config::Request>,
    ) -> Rpc<proto::validate_resource_config::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn configure_provider(
        &self,
        _: Request<proto::configure_provider::Request>,
    ) -> Rpc<proto::configure_provider::Response> {
        Ok(Response::new(Default::default()))
    }

    async fn upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> Rpc<proto::upgrade_resource_state::Response> {
        let json = request.into_inner().raw_state.map(|raw| raw.json).unwrap_or_default();
        Ok(Response::new(proto::upgrade_resource_state::Response {
            upgraded_state: Some(DynamicValue { json, ..Default::default() }),
            ..Default::default()
        }))
    }

    async fn read_resource(
        &self,
        request: Request<proto::read_resource::Request>,
    ) -> Rpc<proto::read_resource::Response> {
        let request = request.into_inner();
        Ok(Response::new(proto::read_resource::Response {
            new_state: request.current_state,
            private: request.private,
            ..Default::default()
        }))
    }

    async fn plan_resource_change(
        &self,
        request: Request<proto::plan_resource_change::Request>,
    ) -> Rpc<proto::plan_resource_change::Response> {
        let request = request.into_inner();
        Ok(Response::new(proto::plan_resource_change::Response {
            planned_state: request.proposed_new_state,
            planned_private: request.prior_private,
            ..Default::default()
        }))
    }

    async fn apply_resource_change(
        &self,
        request: Request<proto::apply_resource_change::Request>,
    ) -> Rpc<proto::apply_resource_change::Response> {
        let request = request.into_inner();
        Ok(Response::new(proto::apply_resource_change::Response {
            new_state: request.planned_state,
            private: request.planned_private,
            ..Default::default()
        }))
    }

    async fn import_resource_state(
        &self,
        request: Request<proto::import_resource_state::Request>,
    ) -> Rpc<proto::import_resource_state::Response> {
        let request = request.into_inner();
        let state = serde_json::json!({ "id": request.id, "name": null });
        Ok(Response::new(proto::import_resource_state::Response {
            imported_resources: vec![proto::import_resource_state::ImportedResource {
                type_name: request.type_name,
                state: Some(DynamicValue { json: state.to_string().into_bytes(), ..Default::default() }),
                ..Default::default()
            }],
            ..Default::default()
        }))
    }

    async fn stop_provider(&self, _: Request<proto::stop_provider::Request>) -> Rpc<proto::stop_provider::Response> {
        Ok(Response::new(Default::default()))
    }
}

#[tokio::main]
async fn main() {
    if let Err(e) = tfplugin6::plugin::server::serve_managed(StandIn).await {
        eprintln!("official-standin: {e}");
        std::process::exit(1);
    }
}
