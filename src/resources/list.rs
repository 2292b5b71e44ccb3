//! List resources (`list` blocks in `*.tfquery.hcl`, `terraform query`): a resource type's
//! objects as the clouds hold them, each with its identity, a display name and, when asked, its
//! full state. A lister finds objects and hands them to a [`Sink`] as they are found; the sink
//! writes them in Terraform's values, so results stream while the listing goes on.

use async_trait::async_trait;
use tokio::sync::mpsc;

use super::{Ctx, Error, Resource};
use peering_net::{Cloud, ScalewayRegion};
use tfplugin6::object::Object;
use tfplugin6::schema::Attribute;
use tfplugin6::{Attr, AttrPath, Diagnostic, Diagnostics, IntoValue, Schema, Type, Value};

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
    /// The attributes of the typed value the schema describes ([`tfplugin6::object::Object::FIELDS`]).
    fn fields(&self) -> &'static [&'static str];
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

    fn fields(&self) -> &'static [&'static str] {
        L::Filter::FIELDS
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

/// An optional `List of String` filter.
pub fn string_list(name: &str, description: &str) -> Attribute {
    Attribute::plain(name, Type::list(Type::String), description).optional()
}

/// Whether a `clouds` filter (unset: every cloud) takes in `cloud`.
pub fn scans(clouds: &Attr<Vec<String>>, cloud: Cloud) -> bool {
    clouds.known().is_none_or(|keys| keys.iter().any(|k| Cloud::from_key(k) == Some(cloud)))
}

/// `read` of every listed id, `at_once` at a time (the provider's `max_parallel_reads`),
/// yielded in listing order: a result goes out as soon as it and those before it are read.
/// Dropping the stream (a `limit` reached) drops the reads still pending.
pub fn reads_in_order<'f, I: 'f, T, F: std::future::Future<Output = T> + 'f>(
    ids: Vec<I>,
    at_once: usize,
    read: impl FnMut(I) -> F + 'f,
) -> impl futures_util::Stream<Item = T> + 'f {
    use futures_util::StreamExt;
    futures_util::stream::iter(ids).map(read).buffered(at_once.max(1))
}

/// The regions a `scaleway_regions` filter names (unset: all of them).
pub fn regions(filter: &Attr<Vec<String>>) -> Vec<ScalewayRegion> {
    match filter.known() {
        Some(names) => names.iter().filter_map(|r| r.parse().ok()).collect(),
        None => ScalewayRegion::ALL.to_vec(),
    }
}

/// Checks the filters every list has: `clouds` among `allowed`, and `scaleway_regions`.
pub fn validate_scope(clouds: &Attr<Vec<String>>, allowed: &[Cloud], regions: &Attr<Vec<String>>) -> Diagnostics {
    let mut diags = Diagnostics::default();
    let keys: Vec<String> = allowed.iter().map(|c| format!("{:?}", c.key())).collect();
    for (i, cloud) in clouds.known().into_iter().flatten().enumerate() {
        if Cloud::from_key(cloud).is_none_or(|c| !allowed.contains(&c)) {
            diags.push(
                Diagnostic::error("Unknown cloud", format!("{cloud:?}: one of {}.", keys.join(", ")))
                    .at(AttrPath::root("clouds").index(i)),
            );
        }
    }
    for (i, region) in regions.known().into_iter().flatten().enumerate() {
        if let Err(e) = region.parse::<ScalewayRegion>() {
            diags.push(Diagnostic::error("Invalid region", e).at(AttrPath::root("scaleway_regions").index(i)));
        }
    }
    diags
}

/// What one cloud's listing found, or nothing and a warning that it could not be listed.
pub fn or_warn<T>(ctx: &Ctx<'_>, what: String, found: Result<Vec<T>, Error>) -> Vec<T> {
    found.unwrap_or_else(|e| {
        ctx.warn(format!("Could not list {what}"), e.to_string());
        Vec::new()
    })
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use futures_util::StreamExt;

    use super::reads_in_order;

    #[test]
    fn reads_go_at_most_at_once_as_asked_and_come_out_in_listing_order() {
        let (running, most) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let runtime = tokio::runtime::Builder::new_current_thread().enable_time().build().unwrap();
        let read = |i: u64| {
            let (running, most) = (&running, &most);
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                // Later ids finish first: the order out must still be the listing's.
                tokio::time::sleep(std::time::Duration::from_millis(20 - i)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                i
            }
        };
        let out: Vec<u64> = runtime.block_on(reads_in_order((0..20).collect(), 3, read).collect());
        assert_eq!(out, (0..20).collect::<Vec<_>>());
        assert_eq!(most.load(Ordering::SeqCst), 3);
    }
}
