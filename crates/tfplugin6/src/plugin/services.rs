//! go-plugin's side services: the controller Terraform uses to stop us, and an idle stdio
//! stream (we never write to stdout after the handshake).

use std::pin::Pin;

use futures_util::Stream;
use tokio_util::sync::CancellationToken;
use tonic::{Request, Response, Status};

use super::proto;

/// `plugin.GRPCController`: `Shutdown` ends the whole server.
pub struct Controller {
    pub shutdown: CancellationToken,
}

#[tonic::async_trait]
impl proto::grpc_controller_server::GrpcController for Controller {
    async fn shutdown(&self, _: Request<proto::Empty>) -> Result<Response<proto::Empty>, Status> {
        tracing::debug!("shutdown requested by Terraform");
        self.shutdown.cancel();
        Ok(Response::new(proto::Empty {}))
    }
}

/// `plugin.GRPCStdio`: a stream that stays open and silent until shutdown.
pub struct Stdio {
    pub shutdown: CancellationToken,
}

type StdioStream = Pin<Box<dyn Stream<Item = Result<proto::StdioData, Status>> + Send>>;

#[tonic::async_trait]
impl proto::grpc_stdio_server::GrpcStdio for Stdio {
    async fn stream_stdio(&self, _: Request<()>) -> Result<Response<StdioStream>, Status> {
        let shutdown = self.shutdown.clone();
        let idle = futures_util::stream::once(async move {
            shutdown.cancelled_owned().await;
            None
        });
        let stream = futures_util::StreamExt::filter_map(idle, |item| async move { item });
        Ok(Response::new(Box::pin(stream)))
    }
}
