//! `ListResource` (a server stream) and `ValidateListResourceConfig`: `terraform query`.

use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use tokio::sync::mpsc;
use tonic::{Request, Response, Status};

use super::{ProviderService, Rpc, codec_diagnostics, decode, encode};
use crate::resources::Ctx;
use crate::resources::list::Listed;
use tfplugin6::proto;
use tfplugin6::{Diagnostic, Diagnostics};

type Events = std::pin::Pin<Box<dyn futures_util::Stream<Item = Result<proto::list_resource::Event, Status>> + Send>>;

fn only_diagnostics(diagnostic: Vec<proto::Diagnostic>) -> proto::list_resource::Event {
    proto::list_resource::Event { diagnostic, ..Default::default() }
}

fn one_event(event: proto::list_resource::Event) -> Events {
    Box::pin(futures_util::stream::iter([Ok(event)]))
}

impl ProviderService {
    pub(super) async fn handle_validate_list_resource_config(
        &self,
        request: Request<proto::validate_list_resource_config::Request>,
    ) -> Rpc<proto::validate_list_resource_config::Response> {
        let request = request.into_inner();
        let diagnostics = match self.list(&request.type_name) {
            Ok(list) => match decode(request.config.as_ref(), &list.schema().implied_type()) {
                Ok(filter) => list.validate(&filter).to_proto(),
                Err(e) => codec_diagnostics(e),
            },
            Err(d) => d,
        };
        Ok(Response::new(proto::validate_list_resource_config::Response { diagnostics }))
    }

    /// Streams each object as the lister finds it; the cloud warnings and any error come last.
    /// A panic in the listing becomes an error event, like any RPC's.
    pub(super) async fn handle_list_resource(&self, request: Request<proto::list_resource::Request>) -> Rpc<Events> {
        let request = request.into_inner();
        let list = match self.list(&request.type_name) {
            Ok(list) => list.clone(),
            Err(d) => return Ok(Response::new(one_event(only_diagnostics(d)))),
        };
        let resource = match self.resource(&request.type_name) {
            Ok(resource) => resource.clone(),
            Err(d) => return Ok(Response::new(one_event(only_diagnostics(d)))),
        };
        let filter = match decode(request.config.as_ref(), &list.schema().implied_type()) {
            Ok(filter) => filter,
            Err(e) => return Ok(Response::new(one_event(only_diagnostics(codec_diagnostics(e))))),
        };
        tracing::debug!(type_name = %request.type_name, limit = request.limit, "ListResource");
        let (clients, stop) = (self.clients(), self.stop_token());
        let (include_state, limit) = (request.include_resource_object, request.limit);
        let (events, receiver) = mpsc::channel(16);
        tokio::spawn(async move {
            let (found, mut listed) = mpsc::channel::<Listed>(16);
            let listing = async {
                let ctx = Ctx::new(&clients, stop);
                let run = AssertUnwindSafe(list.list(&ctx, &filter, include_state, &found)).catch_unwind().await;
                drop(found);
                let mut diags = Diagnostics::default();
                match run {
                    Ok(Ok(())) => {}
                    Ok(Err(e)) => diags.extend(e.to_diagnostics()),
                    Err(_) => diags.push(Diagnostic::error(
                        "Internal error in the provider",
                        "Listing stopped on a bug in terraform-provider-peering; please report it.",
                    )),
                }
                diags.extend(ctx.into_warnings());
                diags
            };
            let (identity_ty, state_ty) = (resource.identity_schema().implied_type(), resource.schema().implied_type());
            let forward = async {
                let mut sent = 0;
                while let Some(item) = listed.recv().await {
                    if limit > 0 && sent >= limit {
                        break;
                    }
                    let encoded =
                        item.identity.as_ref().map(|v| encode(v, &identity_ty)).transpose().and_then(|identity| {
                            Ok((identity, item.state.as_ref().map(|v| encode(v, &state_ty)).transpose()?))
                        });
                    let (identity, state) = match encoded {
                        Ok(both) => both,
                        Err(e) => {
                            let bug = Diagnostic::error("Provider produced an invalid result", e.to_string());
                            let _ = events.send(Ok(only_diagnostics(vec![bug.to_proto()]))).await;
                            break;
                        }
                    };
                    let event = proto::list_resource::Event {
                        identity: identity.map(|dv| proto::ResourceIdentityData { identity_data: Some(dv) }),
                        display_name: item.display_name,
                        resource_object: state,
                        diagnostic: Vec::new(),
                    };
                    if events.send(Ok(event)).await.is_err() {
                        break;
                    }
                    sent += 1;
                }
                // Closing our end stops the lister at its next find.
                drop(listed);
            };
            let (diags, ()) = tokio::join!(listing, forward);
            if !diags.0.is_empty() {
                let _ = events.send(Ok(only_diagnostics(diags.to_proto()))).await;
            }
        });
        Ok(Response::new(Box::pin(tokio_stream::wrappers::ReceiverStream::new(receiver))))
    }
}
