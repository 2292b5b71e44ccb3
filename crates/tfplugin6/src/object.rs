//! Typed views of values: the tri-state [`Attr`] and conversions between Rust structs and
//! Terraform objects.

use std::collections::BTreeMap;

use super::diagnostics::{AttrPath, Step};
use super::value::Value;

/// A value that Terraform may leave null or not yet known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Attr<T> {
    Known(T),
    #[default]
    Null,
    Unknown,
}

impl<T> Attr<T> {
    pub fn known(&self) -> Option<&T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn into_known(self) -> Option<T> {
        match self {
            Attr::Known(v) => Some(v),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Attr::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Attr::Unknown)
    }

    pub fn map<U>(self, f: impl FnOnce(T) -> U) -> Attr<U> {
        match self {
            Attr::Known(v) => Attr::Known(f(v)),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }

    pub fn as_ref(&self) -> Attr<&T> {
        match self {
            Attr::Known(v) => Attr::Known(v),
            Attr::Null => Attr::Null,
            Attr::Unknown => Attr::Unknown,
        }
    }

    /// This value unless it is null, in which case `fallback`.
    pub fn or(self, fallback: Attr<T>) -> Attr<T> {
        if self.is_null() { fallback } else { self }
    }
}

impl<T> From<Option<T>> for Attr<T> {
    fn from(v: Option<T>) -> Self {
        v.map_or(Attr::Null, Attr::Known)
    }
}

/// A value's shape did not match the Rust type reading it: every problem found, each with the
/// attribute it is on, so a configuration's mistakes are all reported at once, where they are.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct ShapeError {
    pub problems: Vec<(AttrPath, String)>,
}

impl std::fmt::Display for ShapeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let texts: Vec<String> = self
            .problems
            .iter()
            .map(|(path, message)| if path.0.is_empty() { message.clone() } else { format!("{path}: {message}") })
            .collect();
        f.write_str(&texts.join("; "))
    }
}

impl std::error::Error for ShapeError {}

impl ShapeError {
    pub fn new(message: impl Into<String>) -> Self {
        ShapeError { problems: vec![(AttrPath::default(), message.into())] }
    }

    /// The same problems, one attribute further in.
    pub fn within(mut self, name: &str) -> Self {
        for (path, _) in &mut self.problems {
            path.0.insert(0, Step::Attribute(name.to_string()));
        }
        self
    }

    /// The same problems, under one map key.
    pub fn under_key(mut self, key: &str) -> Self {
        for (path, _) in &mut self.problems {
            path.0.insert(0, Step::Key(key.to_string()));
        }
        self
    }

    pub fn extend(&mut self, other: ShapeError) {
        self.problems.extend(other.problems);
    }
}

/// Reads a Rust value out of a (known, non-null) Terraform value.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self, ShapeError>;
}

/// A Terraform object type mirrored by a Rust struct (`tf_object!` implements it).
pub trait Object: FromValue + IntoValue + Clone + Default + Send + Sync + 'static {
    /// The attribute names, in declaration order: what the schema must declare, no more.
    const FIELDS: &'static [&'static str];

    /// Reads what fits, leaving the rest unset, with every problem found.
    fn decode(value: &Value) -> (Self, ShapeError);
}

/// Writes a Rust value as a Terraform value.
pub trait IntoValue {
    fn into_value(self) -> Value;
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, ShapeError> {
        value.as_str().map(str::to_string).ok_or_else(|| ShapeError::new("expected a string"))
    }
}

impl IntoValue for String {
    fn into_value(self) -> Value {
        Value::String(self)
    }
}

impl FromValue for bool {
    fn from_value(value: &Value) -> Result<Self, ShapeError> {
        match value {
            Value::Bool(b) => Ok(*b),
            _ => Err(ShapeError::new("expected a bool")),
        }
    }
}

impl IntoValue for bool {
    fn into_value(self) -> Value {
        Value::Bool(self)
    }
}

impl<T: FromValue> FromValue for Vec<T> {
    fn from_value(value: &Value) -> Result<Self, ShapeError> {
        match value {
            Value::List(items) | Value::Set(items) => items.iter().map(T::from_value).collect(),
            _ => Err(ShapeError::new("expected a list")),
        }
    }
}

impl<T: IntoValue> IntoValue for Vec<T> {
    fn into_value(self) -> Value {
        Value::List(self.into_iter().map(IntoValue::into_value).collect())
    }
}

impl<T: FromValue> FromValue for BTreeMap<String, T> {
    fn from_value(value: &Value) -> Result<Self, ShapeError> {
        match value {
            Value::Map(items) | Value::Object(items) => {
                items.iter().map(|(k, v)| Ok((k.clone(), T::from_value(v).map_err(|e| e.under_key(k))?))).collect()
            }
            _ => Err(ShapeError::new("expected a map")),
        }
    }
}

impl<T: IntoValue> IntoValue for BTreeMap<String, T> {
    fn into_value(self) -> Value {
        Value::Map(self.into_iter().map(|(k, v)| (k, v.into_value())).collect())
    }
}

impl<T: FromValue> FromValue for Attr<T> {
    fn from_value(value: &Value) -> Result<Self, ShapeError> {
        match value {
            Value::Null => Ok(Attr::Null),
            Value::Unknown => Ok(Attr::Unknown),
            v => match T::from_value(v) {
                Ok(known) => Ok(Attr::Known(known)),
                // A map or list with unknown elements (`{ team = var.team }` before apply) is
                // unknown as a whole to a type that cannot hold an unknown element.
                Err(_) if !v.is_wholly_known() => Ok(Attr::Unknown),
                Err(e) => Err(e),
            },
        }
    }
}

impl<T: IntoValue> IntoValue for Attr<T> {
    fn into_value(self) -> Value {
        match self {
            Attr::Known(v) => v.into_value(),
            Attr::Null => Value::Null,
            Attr::Unknown => Value::Unknown,
        }
    }
}

/// Declares a struct that mirrors a Terraform object attribute for attribute, with
/// [`FromValue`] and [`IntoValue`] keyed by the field names.
#[macro_export]
macro_rules! tf_object {
    ($(#[$meta:meta])* $vis:vis struct $name:ident { $($(#[$fmeta:meta])* $field:ident : $ty:ty),* $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Default)]
        $vis struct $name { $($(#[$fmeta])* pub $field: $ty),* }

        impl $crate::object::Object for $name {
            const FIELDS: &'static [&'static str] = &[$(stringify!($field)),*];

            /// Reads what can be read: every field that fits, the others left unset, and the
            /// problems of all of them (validation reports them all and checks the rest).
            fn decode(value: &$crate::Value) -> ($name, $crate::object::ShapeError) {
                let mut problems = $crate::object::ShapeError::default();
                if !matches!(value, $crate::Value::Object(_)) {
                    problems.extend($crate::object::ShapeError::new("expected an object"));
                    return (Default::default(), problems);
                }
                let object = $name { $($field: match <$ty as $crate::FromValue>::from_value(value.get(stringify!($field))) {
                    Ok(field) => field,
                    Err(e) => {
                        problems.extend(e.within(stringify!($field)));
                        Default::default()
                    }
                }),* };
                (object, problems)
            }
        }

        impl $crate::FromValue for $name {
            /// Reads every field, reporting the problems of all of them at once.
            fn from_value(value: &$crate::Value) -> Result<Self, $crate::object::ShapeError> {
                let (object, problems) = <$name as $crate::object::Object>::decode(value);
                if problems.problems.is_empty() { Ok(object) } else { Err(problems) }
            }
        }

        impl $crate::IntoValue for $name {
            fn into_value(self) -> $crate::Value {
                $crate::Value::Object([
                    $((stringify!($field).to_string(), $crate::IntoValue::into_value(self.$field))),*
                ].into_iter().collect())
            }
        }
    };
}

/// Gives a type that is text in Terraform ([`std::str::FromStr`] + [`std::fmt::Display`]: ids,
/// enums) [`FromValue`] and [`IntoValue`]; a parse error is a shape error with its message.
#[macro_export]
macro_rules! tf_text {
    ($($ty:ty),* $(,)?) => {$(
        impl $crate::FromValue for $ty {
            fn from_value(value: &$crate::Value) -> Result<Self, $crate::object::ShapeError> {
                let text = value.as_str().ok_or_else(|| $crate::object::ShapeError::new("expected a string"))?;
                text.parse().map_err(|e| $crate::object::ShapeError::new(format!("{e}")))
            }
        }

        impl $crate::IntoValue for $ty {
            fn into_value(self) -> $crate::Value {
                $crate::Value::String(self.to_string())
            }
        }
    )*};
}

/// Declares an enum whose values are fixed words in Terraform (`peer_side = "external"`), with
/// `FromStr` (refusing other words, naming the allowed ones), `Display`, `WORDS` and the
/// [`FromValue`]/[`IntoValue`] of [`tf_text!`].
#[macro_export]
macro_rules! tf_enum {
    ($(#[$meta:meta])* $vis:vis enum $name:ident { $($(#[$vmeta:meta])* $variant:ident = $word:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name { $($(#[$vmeta])* $variant),+ }

        impl $name {
            /// Every word, in order.
            pub const WORDS: &'static [&'static str] = &[$($word),+];

            pub fn as_str(self) -> &'static str {
                match self { $($name::$variant => $word),+ }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = String;

            fn from_str(text: &str) -> Result<Self, String> {
                match text {
                    $($word => Ok($name::$variant),)+
                    other => Err(format!("{other:?} is not one of {:?}", $name::WORDS)),
                }
            }
        }

        $crate::tf_text!($name);
    };
}

impl ShapeError {
    /// One error diagnostic per problem, on its attribute.
    pub fn diagnostics(&self) -> super::Diagnostics {
        self.problems
            .iter()
            .map(|(path, message)| {
                let summary = if path.0.is_empty() { "Invalid value".to_string() } else { format!("Invalid {path}") };
                let diagnostic = super::Diagnostic::error(summary, format!("{message}."));
                if path.0.is_empty() { diagnostic } else { diagnostic.at(path.clone()) }
            })
            .collect()
    }
}
