//! The RPCs themselves: each decodes its request against the schemas, calls the resource and
//! answers with diagnostics, never a gRPC error for an RPC Terraform calls. [`super::Provider`]
//! runs each behind the panic guard.

use std::sync::Arc;

use tonic::{Request, Response};

use super::{
    CodecError, Diagnostic, Diagnostics, DynApplied, Error, ImportTarget, Ownership, ProviderService, Rpc, Value,
    capabilities, claims, codec_diagnostics, config, decode, encode, identity_data, proto, with_warnings,
};

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

/// The RPCs themselves; [`Provider`] runs each behind [`guard::guarded`].
impl ProviderService {
    pub(super) async fn handle_get_metadata(
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
            data_sources: self
                .data_sources
                .keys()
                .map(|name| proto::get_metadata::DataSourceMetadata { type_name: name.to_string() })
                .collect(),
            list_resources: self
                .lists
                .keys()
                .map(|name| proto::get_metadata::ListResourceMetadata { type_name: name.to_string() })
                .collect(),
            ..Default::default()
        }))
    }

    pub(super) async fn handle_get_provider_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Rpc<proto::get_provider_schema::Response> {
        tracing::debug!("GetProviderSchema");
        Ok(Response::new(self.schema_response()))
    }

    pub(super) async fn handle_get_resource_identity_schemas(
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

    pub(super) async fn handle_validate_provider_config(
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

    pub(super) async fn handle_configure_provider(
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

    pub(super) async fn handle_validate_resource_config(
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

    pub(super) async fn handle_validate_data_resource_config(
        &self,
        request: Request<proto::validate_data_resource_config::Request>,
    ) -> Rpc<proto::validate_data_resource_config::Response> {
        let request = request.into_inner();
        let diagnostics = match self.data_source(&request.type_name) {
            Ok(source) => match decode(request.config.as_ref(), &source.schema().implied_type()) {
                Ok(cfg) => source.validate(&cfg).to_proto(),
                Err(e) => codec_diagnostics(e),
            },
            Err(d) => d,
        };
        Ok(Response::new(proto::validate_data_resource_config::Response { diagnostics }))
    }

    pub(super) async fn handle_read_data_source(
        &self,
        request: Request<proto::read_data_source::Request>,
    ) -> Rpc<proto::read_data_source::Response> {
        let request = request.into_inner();
        let mut response = proto::read_data_source::Response::default();
        let source = or_answer!(self.data_source(&request.type_name).cloned(), response);
        let ty = source.schema().implied_type();
        tracing::debug!(type_name = %request.type_name, "ReadDataSource");
        let config = or_answer!(decode(request.config.as_ref(), &ty).map_err(codec_diagnostics), response);
        let (result, warnings) = self.run(async |ctx| source.read(ctx, &config).await, || Err(Error::Cancelled)).await;
        let mut diags = Diagnostics::default();
        match result.and_then(|state| encode(&state, &ty).map_err(Error::Codec)) {
            Ok(dv) => response.state = Some(dv),
            Err(e) => diags.extend(e.to_diagnostics()),
        }
        response.diagnostics = with_warnings(diags, warnings);
        Ok(Response::new(response))
    }

    pub(super) async fn handle_upgrade_resource_state(
        &self,
        request: Request<proto::upgrade_resource_state::Request>,
    ) -> Rpc<proto::upgrade_resource_state::Response> {
        let request = request.into_inner();
        let mut response = proto::upgrade_resource_state::Response::default();
        let resource = or_answer!(self.resource(&request.type_name).cloned(), response);
        let ty = resource.schema().implied_type();
        let raw = request.raw_state.unwrap_or_default();
        // Read with the current schema (attributes an older one lacked are null), then brought up
        // to date by the resource.
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
            Value::from_json(&raw.json, &ty).map_err(codec_diagnostics).and_then(|v| {
                let upgraded = resource.upgrade(request.version, &v).map_err(|e| e.to_diagnostics().to_proto())?;
                encode(&upgraded, &ty).map_err(codec_diagnostics)
            })
        };
        match upgraded {
            Ok(state) => response.upgraded_state = Some(state),
            Err(d) => response.diagnostics = d,
        }
        Ok(Response::new(response))
    }

    pub(super) async fn handle_upgrade_resource_identity(
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

    pub(super) async fn handle_read_resource(
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

    pub(super) async fn handle_plan_resource_change(
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
            let private = claims::Private::decode(&request.prior_private);
            let (_, mut diags, _) =
                self.run_owned(private.ownership(), async |ctx| resource.plan_destroy(ctx, &prior).await, || ()).await;
            if let Some(refused) = private.owner().and_then(|owner| self.claims.met(owner, true)) {
                diags.push(refused);
            }
            response.diagnostics = diags.to_proto();
            return Ok(Response::new(response));
        }
        let private = claims::Private::decode(&request.prior_private);
        let private = if prior.is_null() { private.for_create_plan() } else { private };
        let (result, warnings, met) = self
            .run_owned(
                private.ownership(),
                async |ctx| resource.plan(ctx, &prior, &proposed, &config).await,
                || Err(Error::Cancelled),
            )
            .await;
        let mut diags = Diagnostics::default();
        for token in &met.found {
            diags.extend(self.claims.met(token, false).into_iter().collect());
        }
        let (instance, private) = claims::instance_token(private);
        response.planned_private = private.encode();
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

    pub(super) async fn handle_apply_resource_change(
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
        let private = claims::Private::decode(&request.planned_private);
        let (applied, warnings, ownership) = self
            .run_owned(
                private.ownership(),
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
        response.private = private.with(ownership).encode();
        let mut diags = Diagnostics::default();
        if let Err(e) = &applied.result {
            let mut errors = e.to_diagnostics();
            // Terraform shows a destroy's errors with no resource beside them: each names its
            // object itself.
            if planned.is_null()
                && let Some(id) = prior.get("id").as_str()
            {
                for d in &mut errors.0 {
                    d.detail = format!("{} {id}: {}", request.type_name, d.detail);
                }
            }
            diags.extend(errors);
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

    pub(super) async fn handle_import_resource_state(
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
        let (result, warnings, ownership) = self
            .run_owned(Ownership::default(), async |ctx| resource.import(ctx, target).await, || Err(Error::Cancelled))
            .await;
        let mut diags = Diagnostics::default();
        match result.and_then(|state| Ok((encode(&state, &resource.schema().implied_type())?, state))) {
            Ok((dv, state)) => response.imported_resources.push(proto::import_resource_state::ImportedResource {
                type_name: request.type_name.clone(),
                state: Some(dv),
                private: claims::Private::default().with(ownership).encode(),
                identity: identity_data(resource.identity(&state), &identity_ty),
            }),
            Err(e) => diags.extend(e.to_diagnostics()),
        }
        response.diagnostics = with_warnings(diags, warnings);
        Ok(Response::new(response))
    }

    pub(super) async fn handle_generate_resource_config(
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

    pub(super) async fn handle_move_resource_state(
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

    pub(super) async fn handle_get_functions(
        &self,
        _: Request<proto::get_functions::Request>,
    ) -> Rpc<proto::get_functions::Response> {
        Ok(Response::new(proto::get_functions::Response::default()))
    }

    pub(super) async fn handle_stop_provider(
        &self,
        _: Request<proto::stop_provider::Request>,
    ) -> Rpc<proto::stop_provider::Response> {
        tracing::info!("StopProvider: cancelling in-flight operations");
        let previous = std::mem::take(&mut *self.stop.lock().expect("stop lock"));
        previous.cancel();
        Ok(Response::new(proto::stop_provider::Response::default()))
    }
}
