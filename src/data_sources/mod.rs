//! Data sources: read-only lookups a configuration uses in expressions, `precondition`s and
//! `check` blocks. Each one implements [`DataSource`] over its own typed object, decoded once at
//! the [`DynDataSource`] border, like the resources' contract. None ever writes to a cloud.

mod network;
mod preflight;

use std::sync::Arc;

use async_trait::async_trait;

pub use network::Network;
pub use preflight::Preflight;

use crate::resources::{Ctx, Error};
use tfplugin6::object::Object;
use tfplugin6::{Diagnostics, FromValue, IntoValue, Schema, Value};

#[async_trait]
pub trait DataSource: Send + Sync + 'static {
    /// Its typed value: configuration and result alike (the result fills the computed
    /// attributes).
    type Model: Object;

    const TYPE_NAME: &'static str;

    fn schema(&self) -> &Schema;

    /// Static checks of a configuration that may hold unknowns.
    fn validate(&self, config: &Self::Model) -> Diagnostics;

    /// Reads; Terraform calls it once the configuration is wholly known.
    async fn read(&self, ctx: &Ctx<'_>, config: Self::Model) -> Result<Self::Model, Error>;
}

/// A data source as the provider service calls it: Terraform's values in and out.
#[async_trait]
pub trait DynDataSource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// The attributes of the typed value the schema describes ([`tfplugin6::object::Object::FIELDS`]).
    fn fields(&self) -> &'static [&'static str];
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn read(&self, ctx: &Ctx<'_>, config: &Value) -> Result<Value, Error>;
}

#[async_trait]
impl<D: DataSource> DynDataSource for D {
    fn type_name(&self) -> &'static str {
        D::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        DataSource::schema(self)
    }

    fn fields(&self) -> &'static [&'static str] {
        D::Model::FIELDS
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let (config, problems) = D::Model::decode(config);
        let mut diags = problems.diagnostics();
        diags.extend(DataSource::validate(self, &config));
        diags
    }

    async fn read(&self, ctx: &Ctx<'_>, config: &Value) -> Result<Value, Error> {
        let config = D::Model::from_value(config).map_err(Error::Shape)?;
        Ok(DataSource::read(self, ctx, config).await?.into_value())
    }
}

/// Every data source of the provider.
pub fn all() -> Vec<Arc<dyn DynDataSource>> {
    vec![Arc::new(Network::default()), Arc::new(Preflight::default())]
}
