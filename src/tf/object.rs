//! Typed views of values: the tri-state [`Attr`] and conversions between Rust structs and
//! Terraform objects.

use std::collections::BTreeMap;

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

/// A value's shape did not match the Rust type reading it.
#[derive(Debug, thiserror::Error)]
#[error("{path}: expected {expected}")]
pub struct ShapeError {
    pub path: String,
    pub expected: &'static str,
}

impl ShapeError {
    pub fn new(expected: &'static str) -> Self {
        ShapeError { path: String::new(), expected }
    }

    pub fn within(mut self, name: &str) -> Self {
        self.path = if self.path.is_empty() { name.to_string() } else { format!("{name}.{}", self.path) };
        self
    }
}

/// Reads a Rust value out of a (known, non-null) Terraform value.
pub trait FromValue: Sized {
    fn from_value(value: &Value) -> Result<Self, ShapeError>;
}

/// Writes a Rust value as a Terraform value.
pub trait IntoValue {
    fn into_value(self) -> Value;
}

impl FromValue for String {
    fn from_value(value: &Value) -> Result<Self, ShapeError> {
        value.as_str().map(str::to_string).ok_or_else(|| ShapeError::new("a string"))
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
            _ => Err(ShapeError::new("a bool")),
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
            _ => Err(ShapeError::new("a list")),
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
                items.iter().map(|(k, v)| Ok((k.clone(), T::from_value(v).map_err(|e| e.within(k))?))).collect()
            }
            _ => Err(ShapeError::new("a map")),
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
            v => T::from_value(v).map(Attr::Known),
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

        impl $crate::tf::FromValue for $name {
            fn from_value(value: &$crate::tf::Value) -> Result<Self, $crate::tf::object::ShapeError> {
                if !matches!(value, $crate::tf::Value::Object(_)) {
                    return Err($crate::tf::object::ShapeError::new("an object"));
                }
                Ok($name { $($field: <$ty as $crate::tf::FromValue>::from_value(value.get(stringify!($field)))
                    .map_err(|e| e.within(stringify!($field)))?),* })
            }
        }

        impl $crate::tf::IntoValue for $name {
            fn into_value(self) -> $crate::tf::Value {
                $crate::tf::Value::Object([
                    $((stringify!($field).to_string(), $crate::tf::IntoValue::into_value(self.$field))),*
                ].into_iter().collect())
            }
        }
    };
}
