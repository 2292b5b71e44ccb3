//! The `tfplugin6.Provider` service: decodes requests against the schemas, dispatches to the
//! resources, and turns their results and errors into responses with diagnostics (never a gRPC
//! error for an RPC Terraform calls).

mod claims;
pub mod config;
mod guard;
mod handlers;
mod list;

pub use guard::install_panic_hook;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::data_sources::DynDataSource;
use crate::resources::connection::{ConnectionList, PeeringConnection};
use crate::resources::custom_route::{CustomRoute, RouteList};
use crate::resources::list::DynList;
use crate::resources::ownership::Ownership;
use crate::resources::{Ctx, DynApplied, DynResource, Error, ImportTarget};
use peering_clouds::Clients;
use tfplugin6::proto::{self, provider_server::Provider};
use tfplugin6::{CodecError, Diagnostic, Diagnostics, Type, Value};

type Rpc<T> = Result<Response<T>, Status>;

/// How long an operation may go on after `StopProvider` to report where it stopped.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// The provider process's state: its resources, its clients once configured, and the token
/// that `StopProvider` cancels.
pub struct ProviderService {
    resources: BTreeMap<&'static str, Arc<dyn DynResource>>,
    data_sources: BTreeMap<&'static str, Arc<dyn DynDataSource>>,
    lists: BTreeMap<&'static str, Arc<dyn DynList>>,
    clients: RwLock<Option<Arc<Clients>>>,
    stop: Mutex<CancellationToken>,
    /// Which resource instance manages which cloud object, in this walk.
    claims: claims::Register,
}

impl Default for ProviderService {
    fn default() -> Self {
        Self::new()
    }
}

fn decode(value: Option<&proto::DynamicValue>, ty: &Type) -> Result<Value, CodecError> {
    match value {
        Some(v) if !v.msgpack.is_empty() => Value::from_msgpack(&v.msgpack, ty),
        Some(v) if !v.json.is_empty() => Value::from_json(&v.json, ty),
        _ => Ok(Value::Null),
    }
}

fn encode(value: &Value, ty: &Type) -> Result<proto::DynamicValue, CodecError> {
    Ok(proto::DynamicValue { msgpack: value.to_msgpack(ty)?, json: Vec::new() })
}

fn identity_data(value: Option<Value>, ty: &Type) -> Option<proto::ResourceIdentityData> {
    let value = value?;
    encode(&value, ty).ok().map(|dv| proto::ResourceIdentityData { identity_data: Some(dv) })
}

fn codec_diagnostics(e: CodecError) -> Vec<proto::Diagnostic> {
    vec![Diagnostic::error("Invalid value from Terraform", e.to_string()).to_proto()]
}

impl ProviderService {
    pub fn new() -> ProviderService {
        let resources: [Arc<dyn DynResource>; 2] =
            [Arc::new(PeeringConnection::default()), Arc::new(CustomRoute::default())];
        ProviderService {
            resources: resources.into_iter().map(|r| (r.type_name(), r)).collect(),
            data_sources: crate::data_sources::all().into_iter().map(|d| (d.type_name(), d)).collect(),
            lists: [Arc::new(ConnectionList::default()) as Arc<dyn DynList>, Arc::new(RouteList::default())]
                .into_iter()
                .map(|l| (l.type_name(), l))
                .collect(),
            clients: RwLock::new(None),
            stop: Mutex::new(CancellationToken::new()),
            claims: claims::Register::default(),
        }
    }

    fn resource(&self, type_name: &str) -> Result<&Arc<dyn DynResource>, Vec<proto::Diagnostic>> {
        self.resources.get(type_name).ok_or_else(|| {
            vec![
                Diagnostic::error(
                    "Unknown resource type",
                    format!("This provider has no resource type {type_name:?}."),
                )
                .to_proto(),
            ]
        })
    }

    fn data_source(&self, type_name: &str) -> Result<&Arc<dyn DynDataSource>, Vec<proto::Diagnostic>> {
        self.data_sources.get(type_name).ok_or_else(|| {
            vec![
                Diagnostic::error("Unknown data source", format!("This provider has no data source {type_name:?}."))
                    .to_proto(),
            ]
        })
    }

    fn list(&self, type_name: &str) -> Result<&Arc<dyn DynList>, Vec<proto::Diagnostic>> {
        self.lists.get(type_name).ok_or_else(|| {
            vec![
                Diagnostic::error("Unknown list resource", format!("This provider cannot list {type_name:?}."))
                    .to_proto(),
            ]
        })
    }

    fn clients(&self) -> Arc<Clients> {
        let configured = self.clients.read().expect("clients lock").clone();
        // Validation and upgrades run unconfigured; a resource asking for a client then learns why.
        configured.unwrap_or_else(|| Arc::new(config::configure(&Value::Null)))
    }

    fn stop_token(&self) -> CancellationToken {
        self.stop.lock().expect("stop lock").clone()
    }

    /// Runs a resource operation, abandoning it when Terraform sends `StopProvider`.
    async fn run<T>(&self, op: impl AsyncFnOnce(&Ctx<'_>) -> T, on_stop: impl FnOnce() -> T) -> (T, Diagnostics) {
        let (result, warnings, _) = self.run_owned(Ownership::default(), op, on_stop).await;
        (result, warnings)
    }

    /// [`ProviderService::run`] for an operation on a resource instance whose private state
    /// carries `ownership`; also answers the ownership it ended with.
    async fn run_owned<T>(
        &self,
        ownership: Ownership,
        op: impl AsyncFnOnce(&Ctx<'_>) -> T,
        on_stop: impl FnOnce() -> T,
    ) -> (T, Diagnostics, Ownership) {
        let clients = self.clients();
        let stop = self.stop_token();
        let ctx = Ctx::with_ownership(&clients, stop.clone(), ownership);
        let result = {
            let op = op(&ctx);
            tokio::pin!(op);
            tokio::select! {
                result = &mut op => result,
                // Waits notice the stop themselves and report what they leave behind; give them
                // a moment, then abandon whatever is still in flight.
                () = stop.cancelled() => match tokio::time::timeout(STOP_GRACE, op).await {
                    Ok(result) => result,
                    Err(_) => on_stop(),
                },
            }
        };
        let ownership = ctx.ownership();
        (result, ctx.into_warnings(), ownership)
    }

    fn schema_response(&self) -> proto::get_provider_schema::Response {
        proto::get_provider_schema::Response {
            provider: Some(config::schema().to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, r)| (name.to_string(), r.schema().to_proto()))
                .collect(),
            data_source_schemas: self
                .data_sources
                .iter()
                .map(|(name, d)| (name.to_string(), d.schema().to_proto()))
                .collect(),
            list_resource_schemas: self
                .lists
                .iter()
                .map(|(name, l)| (name.to_string(), l.schema().to_proto()))
                .collect(),
            server_capabilities: Some(capabilities()),
            ..Default::default()
        }
    }
}

fn capabilities() -> proto::ServerCapabilities {
    proto::ServerCapabilities {
        plan_destroy: true,
        get_provider_schema_optional: false,
        move_resource_state: false,
        generate_resource_config: true,
    }
}

fn with_warnings(mut diags: Diagnostics, warnings: Diagnostics) -> Vec<proto::Diagnostic> {
    diags.extend(warnings);
    diags.to_proto()
}

/// The tonic service: each RPC delegates to its handler behind the panic guard.
macro_rules! guarded_rpcs {
    ($($rpc:ident => $handler:ident, $name:ident, $module:ident;)*) => {
        #[tonic::async_trait]
        impl Provider for ProviderService {
            $(async fn $rpc(&self, request: Request<proto::$module::Request>) -> Rpc<proto::$module::Response> {
                guard::guarded(stringify!($name), self.$handler(request)).await
            })*

            // A stream: its handler guards the listing itself and reports a panic as an event.
            async fn list_resource(
                &self,
                request: Request<proto::list_resource::Request>,
            ) -> Rpc<std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<proto::list_resource::Event, Status>> + Send>>> {
                self.handle_list_resource(request).await
            }
        }
    };
}

guarded_rpcs! {
    get_metadata => handle_get_metadata, GetMetadata, get_metadata;
    get_provider_schema => handle_get_provider_schema, GetProviderSchema, get_provider_schema;
    get_resource_identity_schemas => handle_get_resource_identity_schemas, GetResourceIdentitySchemas, get_resource_identity_schemas;
    validate_provider_config => handle_validate_provider_config, ValidateProviderConfig, validate_provider_config;
    configure_provider => handle_configure_provider, ConfigureProvider, configure_provider;
    validate_resource_config => handle_validate_resource_config, ValidateResourceConfig, validate_resource_config;
    validate_data_resource_config => handle_validate_data_resource_config, ValidateDataResourceConfig, validate_data_resource_config;
    read_data_source => handle_read_data_source, ReadDataSource, read_data_source;
    validate_list_resource_config => handle_validate_list_resource_config, ValidateListResourceConfig, validate_list_resource_config;
    upgrade_resource_state => handle_upgrade_resource_state, UpgradeResourceState, upgrade_resource_state;
    upgrade_resource_identity => handle_upgrade_resource_identity, UpgradeResourceIdentity, upgrade_resource_identity;
    read_resource => handle_read_resource, ReadResource, read_resource;
    plan_resource_change => handle_plan_resource_change, PlanResourceChange, plan_resource_change;
    apply_resource_change => handle_apply_resource_change, ApplyResourceChange, apply_resource_change;
    import_resource_state => handle_import_resource_state, ImportResourceState, import_resource_state;
    generate_resource_config => handle_generate_resource_config, GenerateResourceConfig, generate_resource_config;
    move_resource_state => handle_move_resource_state, MoveResourceState, move_resource_state;
    get_functions => handle_get_functions, GetFunctions, get_functions;
    stop_provider => handle_stop_provider, StopProvider, stop_provider;
}

#[cfg(test)]
mod tests {
    use super::ProviderService;

    /// Every typed value the provider decodes declares exactly the attributes of its schema:
    /// the schema and the struct are written apart, and this ties them together.
    #[test]
    fn every_schema_declares_the_fields_of_its_type() {
        let provider = ProviderService::new();
        let mut checked = Vec::new();
        let resources = provider.resources.values().map(|r| (r.type_name(), r.schema(), r.fields()));
        let data_sources = provider.data_sources.values().map(|d| (d.type_name(), d.schema(), d.fields()));
        let lists = provider.lists.values().map(|l| (l.type_name(), l.schema(), l.fields()));
        for (name, schema, fields) in resources.chain(data_sources).chain(lists) {
            let mut declared = schema.block.names();
            let mut typed = fields.to_vec();
            declared.sort_unstable();
            typed.sort_unstable();
            assert_eq!(declared, typed, "{name}: schema attributes vs. the fields of its type");
            checked.push(name);
        }
        assert_eq!(checked.len(), 6, "{checked:?}");
    }
}
