//! The resource contract: what a resource implements ([`Resource`], over its own typed state and
//! identity), and the one border where Terraform's values become those types and back
//! ([`DynResource`], which the provider service calls). A resource never sees a raw value; what
//! follows from the schema (which attributes force replacement) is done here, once.

use async_trait::async_trait;

use super::{Claim, Ctx, Error};
use tfplugin6::object::Object;
use tfplugin6::schema::IdentitySchema;
use tfplugin6::{AttrPath, Diagnostics, IntoValue, Schema, Value};

/// A planned object, and the attributes beyond the schema's own that force its replacement.
pub struct Planned<S> {
    pub state: S,
    pub requires_replace: Vec<AttrPath>,
}

impl<S> Planned<S> {
    pub fn new(state: S) -> Planned<S> {
        Planned { state, requires_replace: Vec::new() }
    }
}

/// The result of an apply: the object to store (`None`: nothing to store), which survives a
/// failure so nothing is lost.
pub struct Applied<S> {
    pub state: Option<S>,
    pub result: Result<(), Error>,
}

/// How an import names its object.
pub enum ImportTarget<I> {
    Id(String),
    Identity(I),
}

/// A managed resource, as terraform-plugin-framework splits one: schema, validate, plan, apply
/// (create, update, delete), read, import; all over its typed state.
#[async_trait]
pub trait Resource: Send + Sync + 'static {
    type State: Object;
    type Identity: Object;

    const TYPE_NAME: &'static str;

    fn schema(&self) -> &Schema;
    fn identity_schema(&self) -> &IdentitySchema;

    /// Static checks of a configuration that may hold unknowns (values that did not fit their
    /// types are reported already, and unset here).
    fn validate(&self, config: &Self::State) -> Diagnostics;

    /// Plans a create (`prior` is `None`) or an update; destroys never reach here.
    async fn plan(
        &self,
        ctx: &Ctx<'_>,
        prior: Option<Self::State>,
        proposed: Self::State,
        config: Self::State,
    ) -> Result<Planned<Self::State>, Error>;

    async fn create(&self, ctx: &Ctx<'_>, planned: Self::State) -> Applied<Self::State>;
    async fn update(&self, ctx: &Ctx<'_>, prior: Self::State, planned: Self::State) -> Applied<Self::State>;
    async fn delete(&self, ctx: &Ctx<'_>, prior: Self::State) -> Result<(), Error>;

    /// Refreshes; `None` when the object is gone.
    async fn read(&self, ctx: &Ctx<'_>, state: Self::State) -> Result<Option<Self::State>, Error>;

    async fn import(&self, ctx: &Ctx<'_>, target: ImportTarget<Self::Identity>) -> Result<Self::State, Error>;

    /// The identity of a stored object.
    fn identity(&self, state: &Self::State) -> Option<Self::Identity>;

    /// The smallest configuration that describes a stored object.
    fn generate_config(&self, state: Self::State) -> Self::State;

    /// What a plan that destroys `prior` should say before the apply meets it (warnings go
    /// through `ctx`); only reads.
    async fn plan_destroy(&self, _ctx: &Ctx<'_>, _prior: Self::State) {}

    /// A state written under schema `version` (older than the schema's), already read into the
    /// current shape (attributes it lacks are null), brought up to date.
    fn upgrade(&self, _version: i64, state: Self::State) -> Self::State {
        state
    }

    /// The cloud objects a planned object would manage, which no other resource may manage.
    fn claims(&self, _planned: &Self::State) -> Vec<Claim> {
        Vec::new()
    }
}

/// A resource as the provider service calls it: Terraform's values in and out.
#[async_trait]
pub trait DynResource: Send + Sync {
    fn type_name(&self) -> &'static str;
    fn schema(&self) -> &Schema;
    /// The attributes of the typed value the schema describes ([`tfplugin6::object::Object::FIELDS`]).
    fn fields(&self) -> &'static [&'static str];
    fn identity_schema(&self) -> &IdentitySchema;
    fn validate(&self, config: &Value) -> Diagnostics;
    async fn plan(&self, ctx: &Ctx<'_>, prior: &Value, proposed: &Value, config: &Value) -> Result<DynPlanned, Error>;
    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> DynApplied;
    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value) -> DynApplied;
    async fn delete(&self, ctx: &Ctx<'_>, prior: &Value) -> Result<(), Error>;
    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Error>;
    async fn import(&self, ctx: &Ctx<'_>, target: ImportTarget<Value>) -> Result<Value, Error>;
    fn identity(&self, state: &Value) -> Option<Value>;
    fn generate_config(&self, state: &Value) -> Value;
    fn upgrade(&self, version: i64, state: &Value) -> Result<Value, Error>;
    async fn plan_destroy(&self, ctx: &Ctx<'_>, prior: &Value);
    fn claims(&self, planned: &Value) -> Vec<Claim>;
}

/// A plan in Terraform's values, with every attribute whose change forces replacement.
pub struct DynPlanned {
    pub state: Value,
    pub requires_replace: Vec<AttrPath>,
}

/// An apply's result in Terraform's values; a null state means nothing is stored.
pub struct DynApplied {
    pub state: Value,
    pub result: Result<(), Error>,
}

/// An apply that succeeded but returns other values than its plan promised (the clouds changed
/// since a saved plan was made) is an error naming each one, never Terraform's "inconsistent
/// result": the state still records what exists.
fn as_planned(planned: &Value, state: &Value, result: Result<(), Error>) -> Result<(), Error> {
    if result.is_err() || state.is_null() {
        return result;
    }
    let changes = planned.departures(state);
    if changes.is_empty() { Ok(()) } else { Err(Error::ChangedSincePlan { changes }) }
}

fn decoded<S: Object>(value: &Value) -> Result<S, Error> {
    S::from_value(value).map_err(Error::Shape)
}

fn stored<S: Object>(state: Option<S>) -> Value {
    state.map_or(Value::Null, IntoValue::into_value)
}

#[async_trait]
impl<R: Resource> DynResource for R {
    fn type_name(&self) -> &'static str {
        R::TYPE_NAME
    }

    fn schema(&self) -> &Schema {
        Resource::schema(self)
    }

    fn fields(&self) -> &'static [&'static str] {
        R::State::FIELDS
    }

    fn identity_schema(&self) -> &IdentitySchema {
        Resource::identity_schema(self)
    }

    fn validate(&self, config: &Value) -> Diagnostics {
        let mut diags = Resource::schema(self).validate_attributes(config);
        let (config, problems) = R::State::decode(config);
        diags.extend(problems.diagnostics());
        diags.extend(Resource::validate(self, &config));
        diags
    }

    async fn plan(&self, ctx: &Ctx<'_>, prior: &Value, proposed: &Value, config: &Value) -> Result<DynPlanned, Error> {
        let schema = Resource::schema(self);
        let proposed = schema.with_defaults(proposed, config);
        let prior_state = if prior.is_null() { None } else { Some(decoded(prior)?) };
        let planned = Resource::plan(self, ctx, prior_state, decoded(&proposed)?, decoded(config)?).await?;
        let mut requires_replace = schema.replacing_paths();
        requires_replace.extend(planned.requires_replace);
        let state = schema.with_prior_kept(prior, &planned.state.into_value(), &requires_replace);
        let state = schema.with_config_unknowns(config, &state);
        Ok(DynPlanned { state, requires_replace })
    }

    async fn create(&self, ctx: &Ctx<'_>, planned: &Value) -> DynApplied {
        let planned_value = planned;
        match decoded::<R::State>(planned) {
            Ok(planned) => {
                // Every create marks what it makes with a token of its own (`super::ownership`).
                ctx.new_owner_token();
                let applied = Resource::create(self, ctx, planned).await;
                if applied.result.is_ok() {
                    ctx.say_adopted();
                }
                let state = stored(applied.state);
                let result = as_planned(planned_value, &state, applied.result);
                DynApplied { state, result }
            }
            Err(e) => DynApplied { state: Value::Null, result: Err(e) },
        }
    }

    async fn update(&self, ctx: &Ctx<'_>, prior: &Value, planned: &Value) -> DynApplied {
        let planned_value = planned;
        let (prior_state, planned) = match (decoded::<R::State>(prior), decoded::<R::State>(planned)) {
            (Ok(prior), Ok(planned)) => (prior, planned),
            (Err(e), _) | (_, Err(e)) => return DynApplied { state: prior.clone(), result: Err(e) },
        };
        let applied = Resource::update(self, ctx, prior_state, planned).await;
        if applied.result.is_ok() {
            ctx.say_adopted();
        }
        // No new object: the prior one is still what exists.
        let state = applied.state.map_or_else(|| prior.clone(), IntoValue::into_value);
        let result = as_planned(planned_value, &state, applied.result);
        DynApplied { state, result }
    }

    async fn delete(&self, ctx: &Ctx<'_>, prior: &Value) -> Result<(), Error> {
        Resource::delete(self, ctx, decoded(prior)?).await
    }

    async fn read(&self, ctx: &Ctx<'_>, state: &Value) -> Result<Option<Value>, Error> {
        Ok(Resource::read(self, ctx, decoded(state)?).await?.map(IntoValue::into_value))
    }

    async fn import(&self, ctx: &Ctx<'_>, target: ImportTarget<Value>) -> Result<Value, Error> {
        let target = match target {
            ImportTarget::Id(id) => ImportTarget::Id(id),
            ImportTarget::Identity(identity) => ImportTarget::Identity(decoded(&identity)?),
        };
        Ok(Resource::import(self, ctx, target).await?.into_value())
    }

    fn identity(&self, state: &Value) -> Option<Value> {
        let state = decoded::<R::State>(state).ok()?;
        Resource::identity(self, &state).map(IntoValue::into_value)
    }

    fn generate_config(&self, state: &Value) -> Value {
        decoded::<R::State>(state).map_or(Value::Null, |s| Resource::generate_config(self, s).into_value())
    }

    async fn plan_destroy(&self, ctx: &Ctx<'_>, prior: &Value) {
        if let Ok(prior) = decoded::<R::State>(prior) {
            Resource::plan_destroy(self, ctx, prior).await;
        }
    }

    fn upgrade(&self, version: i64, state: &Value) -> Result<Value, Error> {
        if version >= Resource::schema(self).version || state.is_null() {
            return Ok(state.clone());
        }
        Ok(Resource::upgrade(self, version, decoded(state)?).into_value())
    }

    fn claims(&self, planned: &Value) -> Vec<Claim> {
        decoded::<R::State>(planned).map(|s| Resource::claims(self, &s)).unwrap_or_default()
    }
}

/// Plans an update from `prior` to `config` through the border, with the proposal Terraform
/// would send: plan rules tested without Terraform.
#[cfg(test)]
pub(crate) fn plan_update_at_border<R: Resource>(
    resource: &R,
    clients: &peering_clouds::Clients,
    prior: &R::State,
    config: &R::State,
) -> R::State
where
    R::State: Clone,
{
    let ctx = Ctx::new(clients, Default::default());
    let (prior, config) = (prior.clone().into_value(), config.clone().into_value());
    let proposed = DynResource::schema(resource).proposed_new(&prior, &config);
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let planned = runtime.block_on(DynResource::plan(resource, &ctx, &prior, &proposed, &config)).unwrap();
    let (state, problems) = R::State::decode(&planned.state);
    assert!(!problems.diagnostics().has_errors(), "{problems:?}");
    state
}
