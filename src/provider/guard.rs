//! No panic kills the provider: every RPC runs behind [`guarded`], which turns a panic into an
//! error diagnostic ("internal error in the provider … please report") in a normal response,
//! and the process goes on serving.

use std::any::Any;
use std::cell::RefCell;
use std::future::Future;
use std::panic::AssertUnwindSafe;

use futures_util::FutureExt;
use tonic::Response;

use tfplugin6::Diagnostic;
use tfplugin6::proto;

thread_local! {
    /// Where the last panic on this thread happened, for the diagnostic.
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Logs panics as hclog error lines (Terraform shows them with `TF_LOG`) instead of raw stderr
/// text, and remembers where they happened for the diagnostic.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let location = info.location().map(|l| format!("{}:{}", l.file(), l.line())).unwrap_or_default();
        let message = payload_text(info.payload());
        tracing::error!(%location, panic = %message, "internal error in the provider");
        LAST_PANIC.with(|last| *last.borrow_mut() = Some(location));
    }));
}

fn payload_text(payload: &(dyn Any + Send)) -> String {
    payload
        .downcast_ref::<&str>()
        .map(|s| s.to_string())
        .or_else(|| payload.downcast_ref::<String>().cloned())
        .unwrap_or_else(|| "(no message)".to_string())
}

/// A response that can carry diagnostics, so a panic can be answered with one.
pub(super) trait Answer: Default {
    fn with_error(diagnostic: proto::Diagnostic) -> Self;
}

macro_rules! answers {
    ($($module:ident),* $(,)?) => {
        $(impl Answer for proto::$module::Response {
            fn with_error(diagnostic: proto::Diagnostic) -> Self {
                let mut answer = Self::default();
                answer.diagnostics = vec![diagnostic];
                answer
            }
        })*
    };
}

answers!(
    get_metadata,
    get_provider_schema,
    get_resource_identity_schemas,
    validate_provider_config,
    configure_provider,
    validate_resource_config,
    validate_data_resource_config,
    read_data_source,
    validate_list_resource_config,
    upgrade_resource_state,
    upgrade_resource_identity,
    read_resource,
    plan_resource_change,
    apply_resource_change,
    import_resource_state,
    generate_resource_config,
    move_resource_state,
    get_functions,
);

impl Answer for proto::stop_provider::Response {
    fn with_error(diagnostic: proto::Diagnostic) -> Self {
        Self { error: diagnostic.detail }
    }
}

/// Runs one RPC; a panic inside becomes an error diagnostic in the RPC's own response.
pub(super) async fn guarded<R: Answer>(
    rpc: &'static str,
    call: impl Future<Output = Result<Response<R>, tonic::Status>>,
) -> Result<Response<R>, tonic::Status> {
    let call = async move {
        forced_panic(rpc);
        call.await
    };
    match AssertUnwindSafe(call).catch_unwind().await {
        Ok(answer) => answer,
        Err(payload) => {
            let location = LAST_PANIC.with(|last| last.borrow_mut().take()).unwrap_or_default();
            let detail = format!(
                "{rpc} failed: {} (at {location}). This is a bug in terraform-provider-peering {}, not in your \
                 configuration; please report it with this message. The provider keeps serving; nothing more was \
                 changed in the clouds by this call.",
                payload_text(&*payload),
                env!("CARGO_PKG_VERSION"),
            );
            Ok(Response::new(R::with_error(Diagnostic::error("Internal error in the provider", detail).to_proto())))
        }
    }
}

/// Test builds only: `PEERING_TEST_PANIC_IN=PlanResourceChange` makes the first call of that
/// RPC panic, so tests can show a panic ends as a diagnostic while the process serves on.
#[cfg(debug_assertions)]
fn forced_panic(rpc: &str) {
    static DONE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if std::env::var("PEERING_TEST_PANIC_IN").is_ok_and(|wanted| wanted == rpc)
        && !DONE.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        panic!("forced panic in {rpc} (PEERING_TEST_PANIC_IN)");
    }
}

#[cfg(not(debug_assertions))]
fn forced_panic(_: &str) {}
