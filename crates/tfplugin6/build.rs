//! Compiles `proto/` with the pure-Rust `protox` compiler, so no `protoc` is needed.

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let protos = ["proto/tfplugin6.proto", "proto/go_plugin.proto"];
    for proto in protos {
        println!("cargo:rerun-if-changed={proto}");
    }
    let descriptors = protox::compile(protos, ["proto"])?;
    tonic_prost_build::configure()
        .build_client(true)
        .build_server(true)
        // RPCs for features we declare none of (functions, state stores, actions…) answer Unimplemented,
        // which Terraform never sees because it looks types up in our schema first.
        .generate_default_stubs(true)
        .compile_fds(descriptors)?;
    Ok(())
}
