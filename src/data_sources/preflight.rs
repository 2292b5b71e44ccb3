//! `peering_preflight`: the plan-time checks of a `peering_connection`, as data. Written with
//! `network` and `peer_network` exactly as in the resource, it answers `ok` and the `problems`
//! found (each with the attribute it is on), so a `precondition` or a `check` block can stop a
//! plan, or warn, before anything is created. It only reads.

use async_trait::async_trait;

use super::DataSource;
use crate::resources::connection::{self, Connection, PeerSide, endpoint_attribute};
use crate::resources::{Ctx, Error};
use tfplugin6::schema::Attribute;
use tfplugin6::tf_object;
use tfplugin6::{Attr, Block, Diagnostics, Schema, Severity, Type};

tf_object! {
    /// One problem a check found.
    pub struct Problem { attribute: Attr<String>, severity: Attr<String>, summary: Attr<String>, detail: Attr<String> }
}

tf_object! {
    pub struct Check {
        network: Attr<connection::Endpoint>,
        peer_network: Attr<connection::Endpoint>,
        peer_side: Attr<PeerSide>,
        ok: Attr<bool>,
        problems: Attr<Vec<Problem>>,
    }
}

pub struct Preflight {
    schema: Schema,
}

impl Default for Preflight {
    fn default() -> Self {
        let problem = Type::object([
            ("attribute", Type::String),
            ("severity", Type::String),
            ("summary", Type::String),
            ("detail", Type::String),
        ]);
        let attributes = vec![
            endpoint_attribute("network", "Our side, written as in `peering_connection`."),
            endpoint_attribute("peer_network", "The other side, written as in `peering_connection`."),
            Attribute::string(
                "peer_side",
                "`managed` (default) or `external`, as in `peering_connection`: an external peer may be invisible.",
            )
            .optional(),
            Attribute::plain("ok", Type::Bool, "True when no check found an error (warnings allowed).").computed(),
            Attribute::plain(
                "problems",
                Type::list(problem),
                "What the checks found: `attribute` (e.g. `peer_network.upcloud.network_id`, empty when none), \
                 `severity` (`error` or `warning`), `summary` and `detail`, in the words `terraform plan` would use.",
            )
            .computed(),
        ];
        Preflight {
            schema: Schema {
                version: 0,
                block: Block::new(
                    "The plan-time checks of a `peering_connection` between two networks, as data: the pair is \
                     supported, both networks exist, zones or regions match, address ranges do not overlap, \
                     routers are attached, the Aiven VPC can peer, and an external Aiven side has made its half. \
                     It only reads; use it in a `precondition` or a `check` block.",
                    attributes,
                ),
            },
        }
    }
}

#[async_trait]
impl DataSource for Preflight {
    type Model = Check;

    const TYPE_NAME: &'static str = "peering_preflight";

    fn schema(&self) -> &Schema {
        &self.schema
    }

    fn validate(&self, config: &Check) -> Diagnostics {
        let as_resource = Connection {
            name: Attr::Known("preflight".into()),
            network: config.network.clone(),
            peer_network: config.peer_network.clone(),
            peer_side: config.peer_side.clone(),
            ..Default::default()
        };
        connection::validate_endpoints(&as_resource)
    }

    async fn read(&self, ctx: &Ctx<'_>, config: Check) -> Result<Check, Error> {
        let as_resource = Connection {
            name: Attr::Known("preflight".into()),
            network: config.network.clone(),
            peer_network: config.peer_network.clone(),
            peer_side: config.peer_side.clone(),
            ..Default::default()
        };
        let found = connection::preflight(ctx, as_resource).await?;
        let problems: Vec<Problem> = found
            .0
            .iter()
            .map(|d| Problem {
                attribute: Attr::Known(d.path.as_ref().map(ToString::to_string).unwrap_or_default()),
                severity: Attr::Known(if d.severity == Severity::Error { "error" } else { "warning" }.into()),
                summary: Attr::Known(d.summary.clone()),
                detail: Attr::Known(d.detail.clone()),
            })
            .collect();
        Ok(Check { ok: Attr::Known(!found.has_errors()), problems: Attr::Known(problems), ..config })
    }
}
