//! A whole provider on this crate, and a real Terraform using it: one data source,
//! `hello_greeting`, whose `text` greets its `name`. The provider is the `Hello` impl below;
//! the rest is the test driving it through `TF_REATTACH_PROVIDERS` (`PEERING_TERRAFORM` names
//! the Terraform launcher, as for the workspace's other tests).

use std::collections::BTreeMap;

use tfplugin6::proto::provider_server::Provider;
use tfplugin6::proto::{self, DynamicValue};
use tfplugin6::{Attribute, Block, Schema, Value};
use tonic::{Request, Response, Status};

struct Hello;

fn greeting() -> Schema {
    let attributes =
        vec![Attribute::string("name", "Who.").required(), Attribute::string("text", "Hello, who.").computed()];
    Schema { version: 0, block: Block::new("A greeting.", attributes) }
}

#[tonic::async_trait]
impl Provider for Hello {
    async fn get_provider_schema(
        &self,
        _: Request<proto::get_provider_schema::Request>,
    ) -> Result<Response<proto::get_provider_schema::Response>, Status> {
        let provider = Some(Schema { version: 0, block: Block::new("Says hello.", vec![]) }.to_proto());
        let data_source_schemas = [("hello_greeting".to_string(), greeting().to_proto())].into();
        Ok(Response::new(proto::get_provider_schema::Response { provider, data_source_schemas, ..Default::default() }))
    }
    async fn validate_provider_config(
        &self,
        _: Request<proto::validate_provider_config::Request>,
    ) -> Result<Response<proto::validate_provider_config::Response>, Status> {
        Ok(Response::new(Default::default()))
    }
    async fn validate_data_resource_config(
        &self,
        _: Request<proto::validate_data_resource_config::Request>,
    ) -> Result<Response<proto::validate_data_resource_config::Response>, Status> {
        Ok(Response::new(Default::default()))
    }
    async fn configure_provider(
        &self,
        _: Request<proto::configure_provider::Request>,
    ) -> Result<Response<proto::configure_provider::Response>, Status> {
        Ok(Response::new(Default::default()))
    }
    async fn read_data_source(
        &self,
        request: Request<proto::read_data_source::Request>,
    ) -> Result<Response<proto::read_data_source::Response>, Status> {
        let ty = greeting().implied_type();
        let config = request
            .into_inner()
            .config
            .map(|c| Value::from_msgpack(&c.msgpack, &ty))
            .transpose()
            .map_err(|e| Status::invalid_argument(e.to_string()))?;
        let name = config.as_ref().and_then(|c| c.get("name").as_str()).unwrap_or("nobody").to_string();
        let state = Value::Object(BTreeMap::from([
            ("name".into(), Value::string(&name)),
            ("text".into(), Value::string(format!("Hello, {name}!"))),
        ]));
        let msgpack = state.to_msgpack(&ty).map_err(|e| Status::internal(e.to_string()))?;
        Ok(Response::new(proto::read_data_source::Response {
            state: Some(DynamicValue { msgpack, json: Vec::new() }),
            ..Default::default()
        }))
    }
}

#[test]
fn a_real_terraform_reads_the_example_providers_data_source() {
    use tfplugin6::plugin::{listener::PluginListener, server};
    let terraform = std::env::var_os("PEERING_TERRAFORM")
        .expect("PEERING_TERRAFORM names the Terraform launcher (make test sets it)");
    let runtime = tokio::runtime::Runtime::new().unwrap();
    let listener = runtime.block_on(async { PluginListener::for_debug() }).unwrap();
    let reattach = server::reattach_value("registry.terraform.io/example/hello", &listener.address);
    let shutdown = tokio_util::sync::CancellationToken::new();
    let serving = runtime.spawn(server::serve(listener, None, Hello, shutdown.clone()));

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("main.tf"),
        "terraform {\n  required_providers {\n    hello = { source = \"example/hello\" }\n  }\n}\n\
         data \"hello_greeting\" \"world\" {\n  name = \"world\"\n}\n\
         output \"text\" {\n  value = data.hello_greeting.world.text\n}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("cli.tfrc"), "").unwrap();
    let run = |args: &[&str]| {
        let output = std::process::Command::new(&terraform)
            .args(args)
            .current_dir(dir.path())
            .env("TF_REATTACH_PROVIDERS", &reattach)
            .env("TF_CLI_CONFIG_FILE", dir.path().join("cli.tfrc"))
            .env("TF_IN_AUTOMATION", "1")
            .env("CHECKPOINT_DISABLE", "1")
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            output.status.success(),
            "terraform {args:?} failed:\n{stdout}{}",
            String::from_utf8_lossy(&output.stderr)
        );
        stdout
    };
    run(&["init", "-input=false"]);
    run(&["apply", "-auto-approve", "-input=false"]);
    assert_eq!(run(&["output", "-raw", "text"]), "Hello, world!");

    shutdown.cancel();
    runtime.block_on(serving).unwrap().unwrap();
}
