//! List resources (`list` blocks in `*.tfquery.hcl`, `terraform query`): a resource type's
//! objects as the clouds hold them, each with its identity, a display name and, when asked, its
//! full state. A lister finds objects and hands them to a [`Sink`] as they are found; the sink
//! writes them in Terraform's values, so results stream while the listing goes on.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Ctx, Error, Resource};
use crate::tf::object::Object;
use crate::tf::{Diagnostics, IntoValue, Schema, Value};

/// One object found, in Terraform's values.
pub struct Listed {
    pub identity: Option<Value>,
    pub display_name: String,
    pub state: Option<Value>,
}

/// Where a lister puts what it finds.
pub struct Sink<'a, R: Resource> {
    resource: &'a R,
    include_state: bool,
    out: &'a mpsc::Sender<Listed>,
}

impl<R: Resource> Sink<'_, R> {
    /// Sends one object; false once nobody listens any more (the limit was reached).
    pub async fn send(&self, state: R::State, display_name: String) -> bool {
        let identity = self.resource.identity(&state).map(IntoValue::into_value);
        let state = self.include_state.then(|| state.into_value());
        self.out.send(Listed { identity, display_name, state }).await.is_ok()
    }
}

/// A resource type's list, over its typed filter (the `config` block of a `list` block).
#[async_trait]
pub trait List: Send + Sync + 'static {
    type Resource: Resource;
    type Filter: Object + Default;

    fn resource(&self) -> &Self::Resource;

    /// The schema of the `config` block; Terraform wraps it.
    fn schema(&self) -> &Schema;

    fn validate(&self, filter: &Self::Filter) -> Diagnostics;

    /// Finds every object the filter admits; a null filter admits all.
    async fn list(&self, ctx: &Ctx<'_>, filter: Self::Filter, found: &Sink<'_, Self::Resource>) -> Result<(), Error>;
}

/// A list as the provider service calls it.
#[async_trait]
pub trait DynList: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    fn validate(&self, filter: &Value) -> Diagnostics;
    async fn list(
        &self,
        ctx: &Ctx<'_>,
        filter: &Value,
        include_state: bool,
        out: &mpsc::Sender<Listed>,
    ) -> Result<(), Error>;
}

#[async_trait]
impl<L: List> DynList for L {
    fn type_name(&self) -> &'static str {
        <L::Resource as Resource>::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        List::schema(self)
    }

    fn validate(&self, filter: &Value) -> Diagnostics {
        if filter.is_null() {
            return Diagnostics::default();
        }
        let (filter, problems) = L::Filter::decode(filter);
        let mut diags = problems.diagnostics();
        diags.extend(List::validate(self, &filter));
        diags
    }

    async fn list(
        &self,
        ctx: &Ctx<'_>,
        filter: &Value,
        include_state: bool,
        out: &mpsc::Sender<Listed>,
    ) -> Result<(), Error> {
        let filter = if filter.is_null() { L::Filter::default() } else { L::Filter::decode(filter).0 };
        let sink = Sink { resource: self.resource(), include_state, out };
        List::list(self, ctx, filter, &sink).await
    }
}
