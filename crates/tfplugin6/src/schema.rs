//! Schemas: what resources and the provider declare, their implied value types and their
//! protocol form. Every attribute carries a markdown description.

use super::diagnostics::{AttrPath, Diagnostic, Diagnostics, Step};
use super::proto;
use super::types::Type;
use super::value::Value;

/// How an attribute is set: by the user, by the provider, or either.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Required,
    Optional,
    Computed,
    OptionalComputed,
}

/// The type of an attribute: a plain type, or nested attributes (protocol 6).
#[derive(Debug, Clone)]
pub enum Kind {
    Plain(Type),
    SingleNested(Vec<Attribute>),
}

/// A check of one attribute's known value, declared on its schema (terraform-plugin-framework's
/// validators): `Err((summary, detail))` refuses it, at the attribute's path.
pub type Validator = fn(&Value) -> Result<(), (String, String)>;

#[derive(Debug, Clone)]
pub struct Attribute {
    pub name: String,
    pub kind: Kind,
    pub mode: Mode,
    pub description: String,
    pub sensitive: bool,
    /// A change of this attribute replaces the object (Terraform cannot update it in place).
    pub requires_replace: bool,
    /// What the plan holds when the configuration leaves this (optional and computed)
    /// attribute out; applied to every resource's plan before it is decoded.
    pub default: Option<Value>,
    /// While the object is not replaced, a plan that leaves this computed attribute unknown
    /// keeps the prior value, a null one too (the framework's `UseStateForUnknown` keeps only a
    /// known one, which would plan a value nobody will read again as unknown forever).
    pub keep_prior: bool,
    /// Checks of its value when known and set ([`Schema::validate_attributes`]).
    pub validators: Vec<Validator>,
}

impl Attribute {
    fn new(name: &str, kind: Kind, description: &str) -> Attribute {
        Attribute {
            name: name.to_string(),
            kind,
            mode: Mode::Optional,
            description: description.to_string(),
            sensitive: false,
            requires_replace: false,
            default: None,
            keep_prior: false,
            validators: Vec::new(),
        }
    }

    pub fn plain(name: &str, ty: Type, description: &str) -> Attribute {
        Attribute::new(name, Kind::Plain(ty), description)
    }

    pub fn string(name: &str, description: &str) -> Attribute {
        Attribute::plain(name, Type::String, description)
    }

    pub fn nested(name: &str, attributes: Vec<Attribute>, description: &str) -> Attribute {
        Attribute::new(name, Kind::SingleNested(attributes), description)
    }

    pub fn required(mut self) -> Self {
        self.mode = Mode::Required;
        self
    }

    pub fn optional(mut self) -> Self {
        self.mode = Mode::Optional;
        self
    }

    pub fn computed(mut self) -> Self {
        self.mode = Mode::Computed;
        self
    }

    pub fn optional_computed(mut self) -> Self {
        self.mode = Mode::OptionalComputed;
        self
    }

    /// Unset in the configuration, it is planned as `value` (so it must also be computed).
    pub fn default(mut self, value: impl Into<Value>) -> Self {
        self.mode = Mode::OptionalComputed;
        self.default = Some(value.into());
        self
    }

    /// Planned unknown, it stays what it was unless the object is replaced.
    pub fn keep_prior(mut self) -> Self {
        self.keep_prior = true;
        self
    }

    /// Its value, when known and set, must pass `check`.
    pub fn validate(mut self, check: Validator) -> Self {
        self.validators.push(check);
        self
    }

    pub fn sensitive(mut self) -> Self {
        self.sensitive = true;
        self
    }

    /// Changing it replaces the object; the description says so.
    pub fn requires_replace(mut self) -> Self {
        self.requires_replace = true;
        self.description.push_str(" Changing it replaces the resource.");
        self
    }

    pub fn implied_type(&self) -> Type {
        match &self.kind {
            Kind::Plain(ty) => ty.clone(),
            Kind::SingleNested(attrs) => object_type(attrs),
        }
    }

    /// Whether a value the configuration sets is planned as set: a plain attribute the
    /// configuration may set.
    fn decided_by_config(&self) -> bool {
        matches!(self.kind, Kind::Plain(_)) && self.mode != Mode::Computed
    }

    /// Nested attributes, for a single-nested attribute.
    pub fn children(&self) -> &[Attribute] {
        match &self.kind {
            Kind::SingleNested(attrs) => attrs,
            Kind::Plain(_) => &[],
        }
    }

    fn to_proto(&self) -> proto::schema::Attribute {
        let (ty, nested_type) = match &self.kind {
            Kind::Plain(ty) => (ty.to_json().to_string().into_bytes(), None),
            Kind::SingleNested(attrs) => (
                Vec::new(),
                Some(proto::schema::Object {
                    attributes: attrs.iter().map(Attribute::to_proto).collect(),
                    nesting: proto::schema::object::NestingMode::Single as i32,
                    ..Default::default()
                }),
            ),
        };
        proto::schema::Attribute {
            name: self.name.clone(),
            r#type: ty,
            nested_type,
            description: self.description.clone(),
            description_kind: proto::StringKind::Markdown as i32,
            required: self.mode == Mode::Required,
            optional: matches!(self.mode, Mode::Optional | Mode::OptionalComputed),
            computed: matches!(self.mode, Mode::Computed | Mode::OptionalComputed),
            sensitive: self.sensitive,
            ..Default::default()
        }
    }
}

fn object_type(attrs: &[Attribute]) -> Type {
    Type::object(attrs.iter().map(|a| (a.name.clone(), a.implied_type())))
}

/// A block: attributes, and (for the provider's per-cloud settings) single nested blocks.
#[derive(Debug, Clone, Default)]
pub struct Block {
    pub attributes: Vec<Attribute>,
    /// `name { … }` blocks that appear at most once; null when absent.
    pub single_blocks: Vec<(String, Block)>,
    pub description: String,
}

impl Block {
    pub fn new(description: &str, attributes: Vec<Attribute>) -> Block {
        Block { attributes, single_blocks: Vec::new(), description: description.to_string() }
    }

    pub fn with_block(mut self, name: &str, block: Block) -> Block {
        self.single_blocks.push((name.to_string(), block));
        self
    }

    pub fn implied_type(&self) -> Type {
        let attrs = self.attributes.iter().map(|a| (a.name.clone(), a.implied_type()));
        let blocks = self.single_blocks.iter().map(|(name, b)| (name.clone(), b.implied_type()));
        Type::object(attrs.chain(blocks))
    }

    /// The names this block declares at its top: attributes and single blocks.
    pub fn names(&self) -> Vec<&str> {
        let attributes = self.attributes.iter().map(|a| a.name.as_str());
        attributes.chain(self.single_blocks.iter().map(|(name, _)| name.as_str())).collect()
    }

    /// Looks up an attribute by a dotted path such as `network.upcloud.network_id`.
    pub fn attribute(&self, dotted: &str) -> Option<&Attribute> {
        let mut attrs = self.attributes.as_slice();
        let mut found = None;
        for part in dotted.split('.') {
            let attr = attrs.iter().find(|a| a.name == part)?;
            attrs = attr.children();
            found = Some(attr);
        }
        found
    }

    fn to_proto(&self) -> proto::schema::Block {
        proto::schema::Block {
            attributes: self.attributes.iter().map(Attribute::to_proto).collect(),
            block_types: self
                .single_blocks
                .iter()
                .map(|(name, block)| proto::schema::NestedBlock {
                    type_name: name.clone(),
                    block: Some(block.to_proto()),
                    nesting: proto::schema::nested_block::NestingMode::Single as i32,
                    // Terraform wants min == max for single blocks; 0/0 means optional.
                    min_items: 0,
                    max_items: 0,
                })
                .collect(),
            description: self.description.clone(),
            description_kind: proto::StringKind::Markdown as i32,
            ..Default::default()
        }
    }
}

#[derive(Debug, Clone, Default)]
pub struct Schema {
    pub version: i64,
    pub block: Block,
}

impl Schema {
    pub fn to_proto(&self) -> proto::Schema {
        proto::Schema { version: self.version, block: Some(self.block.to_proto()) }
    }

    pub fn implied_type(&self) -> Type {
        self.block.implied_type()
    }

    /// What the attributes' declared validators refuse in `config`, each at its attribute's
    /// path; unknown and null values are not checked (Terraform validates again once known).
    pub fn validate_attributes(&self, config: &Value) -> Diagnostics {
        let mut diags = Diagnostics::default();
        validate_in(&self.block.attributes, config, &AttrPath::default(), &mut diags);
        diags
    }

    /// `proposed` with the declared default of every top-level attribute `config` leaves unset.
    pub fn with_defaults(&self, proposed: &Value, config: &Value) -> Value {
        let Value::Object(attrs) = proposed else { return proposed.clone() };
        let mut attrs = attrs.clone();
        for attribute in &self.block.attributes {
            if let Some(default) = &attribute.default
                && config.get(&attribute.name).is_null()
            {
                attrs.insert(attribute.name.clone(), default.clone());
            }
        }
        Value::Object(attrs)
    }

    /// `planned` with every plain attribute the configuration sets taken whole from `config`
    /// where the configuration is partly unknown (a map with an unknown element): Terraform
    /// requires a configured value to be planned as configured, element by element, and the
    /// typed model holds a partly unknown map only as wholly unknown. Nested attributes keep
    /// their unknown parts field by field already.
    pub fn with_config_unknowns(&self, config: &Value, planned: &Value) -> Value {
        let (Value::Object(config_attrs), Value::Object(attrs)) = (config, planned) else { return planned.clone() };
        let mut attrs = attrs.clone();
        for attribute in self.block.attributes.iter().filter(|a| a.decided_by_config()) {
            if let Some(value) = config_attrs.get(&attribute.name).filter(|v| !v.is_wholly_known()) {
                attrs.insert(attribute.name.clone(), value.clone());
            }
        }
        Value::Object(attrs)
    }

    /// `planned` with every keep-prior attribute it leaves unknown set back to its `prior` value,
    /// unless one of `replacing` differs between the two (the object is replaced).
    pub fn with_prior_kept(&self, prior: &Value, planned: &Value, replacing: &[AttrPath]) -> Value {
        let (Value::Object(prior_attrs), Value::Object(attrs)) = (prior, planned) else { return planned.clone() };
        if replacing.iter().any(|path| value_at(prior, path) != value_at(planned, path)) {
            return planned.clone();
        }
        let mut attrs = attrs.clone();
        for attribute in self.block.attributes.iter().filter(|a| a.keep_prior) {
            if attrs.get(&attribute.name).is_some_and(Value::is_unknown) {
                attrs.insert(attribute.name.clone(), prior_attrs.get(&attribute.name).cloned().unwrap_or(Value::Null));
            }
        }
        Value::Object(attrs)
    }

    /// What Terraform proposes for an update (its `objchange.ProposedNew`, for the nestings we
    /// use): the configuration, with each computed attribute it leaves unset taken from `prior`.
    /// For a provider's unit tests, which plan without a Terraform.
    pub fn proposed_new(&self, prior: &Value, config: &Value) -> Value {
        proposed_attributes(&self.block.attributes, prior, config)
    }

    /// The attributes whose change forces replacement (Terraform keeps those that changed).
    pub fn replacing_paths(&self) -> Vec<AttrPath> {
        self.block.attributes.iter().filter(|a| a.requires_replace).map(|a| AttrPath::root(&a.name)).collect()
    }
}

fn validate_in(attributes: &[Attribute], value: &Value, path: &AttrPath, diags: &mut Diagnostics) {
    for attribute in attributes {
        let value = value.get(&attribute.name);
        if value.is_null() || !value.is_wholly_known() && attribute.children().is_empty() {
            continue;
        }
        let at = path.clone().attr(&attribute.name);
        if value.is_wholly_known() {
            for check in &attribute.validators {
                if let Err((summary, detail)) = check(value) {
                    diags.push(Diagnostic::error(summary, detail).at(at.clone()));
                }
            }
        }
        validate_in(attribute.children(), value, &at, diags);
    }
}

fn proposed_attributes(attributes: &[Attribute], prior: &Value, config: &Value) -> Value {
    let computed = |a: &Attribute| matches!(a.mode, Mode::Computed | Mode::OptionalComputed);
    let proposed = attributes.iter().map(|a| {
        let (prior, config) = (prior.get(&a.name), config.get(&a.name));
        let value = match &a.kind {
            _ if config.is_null() && computed(a) => prior.clone(),
            Kind::SingleNested(children) if !config.is_null() => proposed_attributes(children, prior, config),
            _ => config.clone(),
        };
        (a.name.clone(), value)
    });
    Value::Object(proposed.collect())
}

/// The value `path` points to inside `value`; null where it leads nowhere.
fn value_at<'v>(value: &'v Value, path: &AttrPath) -> &'v Value {
    path.0.iter().fold(value, |value, step| match (step, value) {
        (Step::Attribute(name), _) => value.get(name),
        (Step::Key(key), Value::Map(items)) => items.get(key).unwrap_or(&Value::Null),
        (Step::Index(i), Value::List(items)) => {
            usize::try_from(*i).ok().and_then(|i| items.get(i)).unwrap_or(&Value::Null)
        }
        _ => &Value::Null,
    })
}

/// One attribute of a resource identity (strings only: Terraform refuses collections).
#[derive(Debug, Clone)]
pub struct IdentityAttribute {
    pub name: String,
    pub description: String,
}

#[derive(Debug, Clone)]
pub struct IdentitySchema {
    pub version: i64,
    pub attributes: Vec<IdentityAttribute>,
}

impl IdentitySchema {
    pub fn implied_type(&self) -> Type {
        Type::object(self.attributes.iter().map(|a| (a.name.clone(), Type::String)))
    }

    pub fn to_proto(&self) -> proto::ResourceIdentitySchema {
        proto::ResourceIdentitySchema {
            version: self.version,
            identity_attributes: self
                .attributes
                .iter()
                .map(|a| proto::resource_identity_schema::IdentityAttribute {
                    name: a.name.clone(),
                    r#type: Type::String.to_json().to_string().into_bytes(),
                    required_for_import: true,
                    optional_for_import: false,
                    description: a.description.clone(),
                })
                .collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn declared_validators_check_known_values_at_their_path() {
        fn cidr(value: &Value) -> Result<(), (String, String)> {
            match value.as_str() {
                Some(text) if text.contains('/') => Ok(()),
                _ => Err(("Invalid destination".into(), "not a CIDR".into())),
            }
        }
        let schema = Schema {
            version: 0,
            block: Block::new(
                "",
                vec![
                    Attribute::string("destination", "").validate(cidr),
                    Attribute::nested("hop", vec![Attribute::string("ip", "").validate(cidr)], ""),
                ],
            ),
        };
        let config = |destination: Value, ip: Value| {
            Value::Object(
                [
                    ("destination".to_string(), destination),
                    ("hop".to_string(), Value::Object([("ip".to_string(), ip)].into())),
                ]
                .into(),
            )
        };
        let refused = schema.validate_attributes(&config(Value::string("10.0.0.0"), Value::string("x")));
        let paths: Vec<Option<AttrPath>> = refused.0.iter().map(|d| d.path.clone()).collect();
        assert_eq!(paths, [Some(AttrPath::root("destination")), Some(AttrPath::root("hop").attr("ip"))]);
        assert!(schema.validate_attributes(&config(Value::Unknown, Value::Null)).is_empty());
        assert!(schema.validate_attributes(&config(Value::string("10.0.0.0/8"), Value::string("1/2"))).is_empty());
    }
    use super::*;

    #[test]
    fn a_declared_default_fills_only_what_the_configuration_leaves_out() {
        let schema = Schema {
            version: 0,
            block: Block::new(
                "",
                vec![
                    Attribute::string("mode", "").default(Value::String("managed".into())),
                    Attribute::string("name", "").optional(),
                ],
            ),
        };
        let object =
            |pairs: &[(&str, Value)]| Value::Object(pairs.iter().map(|(k, v)| (k.to_string(), v.clone())).collect());
        let proposed = object(&[("mode", Value::Null), ("name", Value::String("a".into()))]);
        let unset = object(&[("mode", Value::Null), ("name", Value::String("a".into()))]);
        let planned = schema.with_defaults(&proposed, &unset);
        assert_eq!(planned.get("mode"), &Value::String("managed".into()));
        assert_eq!(planned.get("name"), &Value::String("a".into()));
        let set = object(&[("mode", Value::String("external".into())), ("name", Value::Null)]);
        let proposed = object(&[("mode", Value::String("external".into())), ("name", Value::Null)]);
        assert_eq!(schema.with_defaults(&proposed, &set).get("mode"), &Value::String("external".into()));
        assert_eq!(schema.block.attributes[0].mode, Mode::OptionalComputed);
    }

    #[test]
    fn a_kept_attribute_stays_what_it_was_unless_the_object_is_replaced() {
        let schema = Schema {
            version: 0,
            block: Block::new(
                "",
                vec![
                    Attribute::string("id", "").computed().keep_prior(),
                    Attribute::string("status", "").computed(),
                    Attribute::string("home", "").required().requires_replace(),
                ],
            ),
        };
        let object = |id: Value, home: &str| {
            Value::Object(
                [("id", id), ("status", Value::Unknown), ("home", Value::String(home.into()))]
                    .into_iter()
                    .map(|(k, v)| (k.to_string(), v))
                    .collect(),
            )
        };
        let prior = object(Value::String("a".into()), "x");
        let replacing = schema.replacing_paths();
        let kept = schema.with_prior_kept(&prior, &object(Value::Unknown, "x"), &replacing);
        assert_eq!(kept.get("id"), &Value::String("a".into()));
        assert_eq!(kept.get("status"), &Value::Unknown, "only declared attributes are kept");
        let moved = schema.with_prior_kept(&prior, &object(Value::Unknown, "y"), &replacing);
        assert_eq!(moved.get("id"), &Value::Unknown, "a replaced object gets a new id");
        let known = schema.with_prior_kept(&prior, &object(Value::String("b".into()), "x"), &replacing);
        assert_eq!(known.get("id"), &Value::String("b".into()), "a known plan wins");
        assert_eq!(
            schema.with_prior_kept(&Value::Null, &object(Value::Unknown, "x"), &replacing).get("id"),
            &Value::Unknown
        );
        let unset = schema.with_prior_kept(&object(Value::Null, "x"), &object(Value::Unknown, "x"), &replacing);
        assert_eq!(unset.get("id"), &Value::Null, "a value never read stays unset, not unknown forever");
    }
}
