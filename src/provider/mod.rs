//! The `tfplugin6.Provider` service: decodes requests against the schemas, dispatches to the
//! resources, and turns their results and errors into responses with diagnostics (never a gRPC
//! error for an RPC Terraform calls).

mod claims;
pub mod config;
mod guard;

pub use guard::install_panic_hook;

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, RwLock};

use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use crate::clouds::Clients;
use crate::resources::connection::PeeringConnection;
use crate::resources::custom_route::CustomRoute;
use crate::resources::{Ctx, DynApplied, DynResource, Error, ImportTarget};
use crate::tf::proto::{self, provider_server::Provider};
use crate::tf::{CodecError, Diagnostic, Diagnostics, Type, Value};

type Rpc<T> = Result<Response<T>, Status>;

/// How long an operation may go on after `StopProvider` to report where it stopped.
const STOP_GRACE: std::time::Duration = std::time::Duration::from_secs(1);

/// The provider process's state: its resources, its clients once configured, and the token
/// that `StopProvider` cancels.
pub struct ProviderService {
    resources: BTreeMap<&'static str, Arc<dyn DynResource>>,
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

/// Unwraps a step of an RPC, or answers at once with the diagnostics that stopped it.
macro_rules! or_answer {
    ($step:expr, $response:ident) => {
        match $step {
            Ok(value) => value,
            Err(diagnostics) => {
                $response.diagnostics = diagnostics;
                return Ok(Response::new($response));
            }
        }
    };
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
        let clients = self.clients();
        let stop = self.stop_token();
        let ctx = Ctx::new(&clients, stop.clone());
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
        (result, ctx.into_warnings())
    }

    fn schema_response(&self) -> proto::get_provider_schema::Response {
        proto::get_provider_schema::Response {
            provider: Some(config::schema().to_proto()),
            resource_schemas: self
                .resources
                .iter()
                .map(|(name, r)| (name.to_string(), r.schema().to_proto()))
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

/// The RPCs themselves; [`Provider`] runs each behind [`guard::guarded`].
impl ProviderService {
    async fn handle_get_metadata(
        &self,
        _: Request<proto::get_metadata::Request>,
    ) -> Rpc<proto::get_metadata::Response> {
        Ok(Response::new(proto::get_metadata::Response {
            server_capabilities: Some(capabilities()),
            resources: self
                .resources
                .keys()
                .map(|name| proto::get_metadata::ResourceMetadata { type_name: name.to_string() })
                .collect(),
            ..Default::default()
        }))
    }

    async fn handle_get_provider_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Rpc<proto::get_provider_schema::Response> {
        tracing::debug!("GetProviderSchema");
        Ok(Response::new(self.schema_response()))
    }

    async fn handle_get_resource_identity_schemas(
        &self,
        _: Request<proto::get_resource_identity_schemas::Request>,
    ) -> Rpc<proto::get_resource_identity_schemas::Response> {
        Ok(Response::new(proto::get_resource_identity_schemas::Response {
            identity_schemas: self
                .resources
                .iter()
                .map(|(name, r)| (name.to_string(), r.identity_schema().to_proto()))
                .collect(),
            diagnostics: Vec::new(),
        }))
    }

    async fn handle_validate_provider_config(
        &self,
        request: Request<proto::validate_provider_config::Request>,
    ) -> Rpc<proto::validate_provider_config::Response> {
        let request = request.into_inner();
        let diagnostics = match decode(request.config.as_ref(), &config::schema().implied_type()) {
            Ok(cfg) => config::validate(&cfg).to_proto(),
            Err(e) => codec_diagnostics(e),
        };
        Ok(Response::new(proto::validate_provider_config::Response { diagnostics }))
    }

    async fn handle_configure_provider(
        &self,
        request: Request<proto::configure_provider::Request>,
    ) -> Rpc<proto::configure_provider::Response> {
        let request = request.into_inner();
        tracing::debug!(terraform_version = %request.terraform_version, "ConfigureProvider");
        // A new walk begins (a provider started with --debug serves many).
        self.claims.reset();
        let diagnostics = match decode(request.config.as_ref(), &config::schema().implied_type()) {
            Ok(cfg) => {
                let diags = config::validate(&cfg);
                if !diags.has_errors() {
                    *self.clients.write().expect("clients lock") = Some(Arc::new(config::configure(&cfg)));
                }
                diags.to_proto()
            }
            Err(e) => codec_diagnostics(e),
        };
        Ok(Response::new(proto::configure_provider::Response { diagnostics }))
    }

    async fn handle_validate_resource_config(
        &self,
        request: Request<proto::validate_resource_config::Request>,
    ) -> Rpc<proto::validate_resource_config::Response> {
        let request = request.into_inner();
        let diagnostics = match self.resource(&request.type_name) {
            Ok(resource) => match decode(request.config.as_ref(), &resource.schema().implied_type()) {
                Ok(cfg) => resource.validate(&cfg).to_proto(),
                Err(e) => codec_diagnostics(e),
            },
            Err(d) => d,
        };
        Ok(Response::new(proto::validate_resource_config::Response { diagnostics }))
    }

    async fn handle_upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> Rpc<proto::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let mut response = proto::upgrade_resource_state::Response::default();
        let resource = or_answer!(self.resource(&request.type_name).cloned(), response);
        let ty = resource.schema().implied_type();
        let raw = request.raw_state.unwrap_or_default();
        // Same schema version: decode with the current schema and hand back the full object.
        let upgraded = if raw.json.is_empty() {
            Err(vec![
                Diagnostic::error("Unsupported state format", "This provider reads only JSON state (Terraform 0.12+).")
                    .to_proto(),
            ])
        } else if request.version > resource.schema().version {
            Err(vec![
                Diagnostic::error(
                    "State from a newer provider",
                    format!("State schema version {} is newer than this provider's.", request.version),
                )
                .to_proto(),
            ])
        } else {
            Value::from_json(&raw.json, &ty).and_then(|v| encode(&v, &ty)).map_err(codec_diagnostics)
        };
        match upgraded {
            Ok(state) => response.upgraded_state = Some(state),
            Err(d) => response.diagnostics = d,
        }
        Ok(Response::new(response))
    }

    async fn handle_upgrade_resource_identity(
        &self,
        request: Request<proto::upgrade_resource_identity::Request>,
    ) -> Rpc<proto::upgrade_resource_identity::Response> {
        let request = request.into_inner();
        let mut response = proto::upgrade_resource_identity::Response::default();
        match self.resource(&request.type_name) {
            Ok(resource) => {
                let ty = resource.identity_schema().implied_type();
                let raw = request.raw_identity.unwrap_or_default();
                match Value::from_json(&raw.json, &ty).and_then(|v| encode(&v, &ty)) {
                    Ok(dv) => {
                        response.upgraded_identity = Some(proto::ResourceIdentityData { identity_data: Some(dv) })
                    }
                    Err(e) => response.diagnostics = codec_diagnostics(e),
                }
            }
            Err(d) => response.diagnostics = d,
        }
        Ok(Response::new(response))
    }

    async fn handle_read_resource(
        &self,
        request: Request<proto::read_resource::Request>,
    ) -> Rpc<proto::read_resource::Response> {
        let request = request.into_inner();
        let mut response = proto::read_resource::Response {
            private: request.private.clone(),
            new_state: request.current_state.clone(),
            new_identity: request.current_identity.clone(),
            ..Default::default()
        };
        let resource = or_answer!(self.resource(&request.type_name).cloned(), response);
        let ty = resource.schema().implied_type();
        tracing::debug!(type_name = %request.type_name, "ReadResource");
        let state = or_answer!(decode(request.current_state.as_ref(), &ty).map_err(codec_diagnostics), response);
        let (result, warnings) = self.run(async |ctx| resource.read(ctx, &state).await, || Err(Error::Cancelled)).await;
        let mut diags = Diagnostics::default();
        match result {
            Ok(Some(new_state)) => match encode(&new_state, &ty) {
                Ok(dv) => {
                    response.new_state = Some(dv);
                    response.new_identity =
                        identity_data(resource.identity(&new_state), &resource.identity_schema().implied_type());
                }
                Err(e) => diags.push(Diagnostic::error("Provider produced an invalid state", e.to_string())),
            },
            Ok(None) => {
                response.new_state = None;
                response.new_identity = None;
            }
            Err(e) => diags.extend(e.to_diagnostics()),
        }
        response.diagnostics = with_warnings(diags, warnings);
        Ok(Response::new(response))
    }

    async fn handle_plan_resource_change(
        &self,
        request: Request<proto::plan_resource_change::Request>,
    ) -> Rpc<proto::plan_resource_change::Response> {
        let request = request.into_inner();
        let mut response = proto::plan_resource_change::Response {
            planned_private: request.prior_private.clone(),
            ..Default::default()
        };
        let resource = or_answer!(self.resource(&request.type_name).cloned(), response);
        let ty = resource.schema().implied_type();
        let decoded = (|| {
            Ok::<_, CodecError>((
                decode(request.prior_state.as_ref(), &ty)?,
                decode(request.proposed_new_state.as_ref(), &ty)?,
                decode(request.config.as_ref(), &ty)?,
            ))
        })();
        let (prior, proposed, config) = or_answer!(decoded.map_err(codec_diagnostics), response);
        tracing::debug!(type_name = %request.type_name, destroy = proposed.is_null(), create = prior.is_null(), "PlanResourceChange");
        if proposed.is_null() {
            // Destroy: plan the absence and keep the identity of what goes away.
            response.planned_state = encode(&Value::Null, &ty).ok();
            response.planned_identity = request.prior_identity;
            return Ok(Response::new(response));
        }
        let (result, warnings) =
            self.run(async |ctx| resource.plan(ctx, &prior, &proposed, &config).await, || Err(Error::Cancelled)).await;
        let mut diags = Diagnostics::default();
        let (instance, private) = claims::instance_token(&request.prior_private);
        response.planned_private = private;
        match result {
            Ok(planned) => match encode(&planned.state, &ty) {
                Ok(dv) => {
                    diags.extend(self.claims.claim(&instance, resource.claims(&planned.state)));
                    response.planned_state = Some(dv);
                    response.requires_replace = planned.requires_replace.iter().map(|p| p.to_proto()).collect();
                    if planned.state.is_wholly_known() || !prior.is_null() {
                        response.planned_identity = identity_data(
                            resource.identity(&planned.state),
                            &resource.identity_schema().implied_type(),
                        )
                        .or(request.prior_identity);
                    }
                }
                Err(e) => diags.push(Diagnostic::error("Provider produced an invalid plan", e.to_string())),
            },
            Err(e) => diags.extend(e.to_diagnostics()),
        }
        response.diagnostics = with_warnings(diags, warnings);
        Ok(Response::new(response))
    }

    async fn handle_apply_resource_change(
        &self,
        request: Request<proto::apply_resource_change::Request>,
    ) -> Rpc<proto::apply_resource_change::Response> {
        let request = request.into_inner();
        let mut response =
            proto::apply_resource_change::Response { private: request.planned_private.clone(), ..Default::default() };
        let resource = or_answer!(self.resource(&request.type_name).cloned(), response);
        let ty = resource.schema().implied_type();
        let decoded = (|| {
            Ok::<_, CodecError>((
                decode(request.prior_state.as_ref(), &ty)?,
                decode(request.planned_state.as_ref(), &ty)?,
            ))
        })();
        let (prior, planned) = match decoded {
            Ok(values) => values,
            Err(e) => {
                response.diagnostics = codec_diagnostics(e);
                response.new_state = request.prior_state;
                return Ok(Response::new(response));
            }
        };
        tracing::debug!(type_name = %request.type_name, delete = planned.is_null(), create = prior.is_null(), "ApplyResourceChange");
        let on_stop = {
            let prior = prior.clone();
            move || DynApplied { state: prior, result: Err(Error::Cancelled) }
        };
        let started = std::time::Instant::now();
        let (applied, warnings) = self
            .run(
                async |ctx| {
                    if planned.is_null() {
                        let result = resource.delete(ctx, &prior).await;
                        // A failed delete leaves the object in place, and so in state.
                        let state = if result.is_ok() { Value::Null } else { prior.clone() };
                        DynApplied { state, result }
                    } else if prior.is_null() {
                        resource.create(ctx, &planned).await
                    } else {
                        resource.update(ctx, &prior, &planned).await
                    }
                },
                on_stop,
            )
            .await;
        tracing::debug!(
            type_name = %request.type_name,
            elapsed_ms = started.elapsed().as_millis() as u64,
            ok = applied.result.is_ok(),
            "ApplyResourceChange finished"
        );
        let mut diags = Diagnostics::default();
        if let Err(e) = &applied.result {
            diags.extend(e.to_diagnostics());
        }
        match encode(&applied.state, &ty) {
            Ok(dv) => response.new_state = Some(dv),
            Err(e) => diags.push(Diagnostic::error("Provider produced an invalid state", e.to_string())),
        }
        response.new_identity =
            identity_data(resource.identity(&applied.state), &resource.identity_schema().implied_type());
        response.diagnostics = with_warnings(diags, warnings);
        Ok(Response::new(response))
    }

    async fn handle_import_resource_state(
        &self,
        request: Request<proto::import_resource_state::Request>,
    ) -> Rpc<proto::import_resource_state::Response> {
        let request = request.into_inner();
        let mut response = proto::import_resource_state::Response::default();
        let resource = or_answer!(self.resource(&request.type_name).cloned(), response);
        tracing::debug!(type_name = %request.type_name, by_identity = request.id.is_empty(), "ImportResourceState");
        let identity_ty = resource.identity_schema().implied_type();
        let target = match request.identity.as_ref().and_then(|i| i.identity_data.as_ref()) {
            Some(identity) if request.id.is_empty() => ImportTarget::Identity(or_answer!(
                decode(Some(identity), &identity_ty).map_err(codec_diagnostics),
                response
            )),
            _ => ImportTarget::Id(request.id.clone()),
        };
        let (result, warnings) =
            self.run(async |ctx| resource.import(ctx, target).await, || Err(Error::Cancelled)).await;
        let mut diags = Diagnostics::default();
        match result.and_then(|state| Ok((encode(&state, &resource.schema().implied_type())?, state))) {
            Ok((dv, state)) => response.imported_resources.push(proto::import_resource_state::ImportedResource {
                type_name: request.type_name.clone(),
                state: Some(dv),
                private: Vec::new(),
                identity: identity_data(resource.identity(&state), &identity_ty),
            }),
            Err(e) => diags.extend(e.to_diagnostics()),
        }
        response.diagnostics = with_warnings(diags, warnings);
        Ok(Response::new(response))
    }

    async fn handle_generate_resource_config(
        &self,
        request: Request<proto::generate_resource_config::Request>,
    ) -> Rpc<proto::generate_resource_config::Response> {
        let request = request.into_inner();
        let mut response = proto::generate_resource_config::Response::default();
        match self.resource(&request.type_name) {
            Ok(resource) => {
                let ty = resource.schema().implied_type();
                match decode(request.state.as_ref(), &ty).and_then(|s| encode(&resource.generate_config(&s), &ty)) {
                    Ok(dv) => response.config = Some(dv),
                    Err(e) => response.diagnostics = codec_diagnostics(e),
                }
            }
            Err(d) => response.diagnostics = d,
        }
        Ok(Response::new(response))
    }

    async fn handle_move_resource_state(
        &self,
        request: Request<proto::move_resource_state::Request>,
    ) -> Rpc<proto::move_resource_state::Response> {
        let request = request.into_inner();
        Ok(Response::new(proto::move_resource_state::Response {
            diagnostics: vec![
                Diagnostic::error(
                    "Moving state is not supported",
                    format!("{} cannot take over state from {}.", request.target_type_name, request.source_type_name),
                )
                .to_proto(),
            ],
            ..Default::default()
        }))
    }

    async fn handle_get_functions(
        &self,
        _: Request<proto::get_functions::Request>,
    ) -> Rpc<proto::get_functions::Response> {
        Ok(Response::new(proto::get_functions::Response::default()))
    }

    async fn handle_stop_provider(
        &self,
        _: Request<proto::stop_provider::Request>,
    ) -> Rpc<proto::stop_provider::Response> {
        tracing::info!("StopProvider: cancelling in-flight operations");
        let previous = std::mem::take(&mut *self.stop.lock().expect("stop lock"));
        previous.cancel();
        Ok(Response::new(proto::stop_provider::Response::default()))
    }
}

/// The tonic service: each RPC delegates to its handler behind the panic guard.
macro_rules! guarded_rpcs {
    ($($rpc:ident => $handler:ident, $name:ident, $module:ident;)*) => {
        #[tonic::async_trait]
        impl Provider for ProviderService {
            $(async fn $rpc(&self, request: Request<proto::$module::Request>) -> Rpc<proto::$module::Response> {
                guard::guarded(stringify!($name), self.$handler(request)).await
            })*
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
