//! The dynamic value tree every DynamicValue decodes into, typed by the schema.

use std::collections::BTreeMap;
use std::fmt;

use super::types::Type;

/// A Terraform value. Unknown carries no refinements: we accept refined unknowns on input and
/// drop the refinements, which Terraform allows.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Unknown,
    Bool(bool),
    Number(Number),
    String(String),
    /// Lists and tuples.
    List(Vec<Value>),
    Set(Vec<Value>),
    Map(BTreeMap<String, Value>),
    Object(BTreeMap<String, Value>),
    /// A value of a `dynamic` attribute, with the concrete type it was sent with.
    Dynamic(Type, Box<Value>),
}

/// A number, kept exact: integers as integers, anything beyond 64-bit floats as its decimal text.
#[derive(Debug, Clone, PartialEq)]
pub enum Number {
    Int(i64),
    UInt(u64),
    Float(f64),
    /// Decimal text of a number that fits neither a 64-bit integer nor a float64 exactly.
    Big(String),
}

impl fmt::Display for Number {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Number::Int(n) => write!(f, "{n}"),
            Number::UInt(n) => write!(f, "{n}"),
            Number::Float(n) => write!(f, "{n}"),
            Number::Big(s) => f.write_str(s),
        }
    }
}

impl Number {
    /// Parses decimal text the way Terraform sends numbers it cannot fit elsewhere.
    pub fn parse(text: &str) -> Option<Number> {
        let text = text.trim();
        if let Ok(n) = text.parse::<i64>() {
            return Some(Number::Int(n));
        }
        if let Ok(n) = text.parse::<u64>() {
            return Some(Number::UInt(n));
        }
        let float: f64 = text.parse().ok()?;
        // Keep the text when the float would round it, so big numbers survive untouched.
        if float.is_finite() && float.to_string() == text {
            Some(Number::Float(float))
        } else if float.is_finite() {
            Some(Number::Big(text.to_string()))
        } else {
            Some(Number::Float(float))
        }
    }
}

/// A value in a line of text, as a user reads it.
fn brief(value: &Value) -> String {
    match value {
        Value::Null => "null".to_string(),
        Value::Unknown => "(known after apply)".to_string(),
        Value::String(s) => format!("{s:?}"),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        other => format!("{other:?}"),
    }
}

/// A value that does not fit the type it is decoded or encoded against.
#[derive(Debug, thiserror::Error)]
pub enum CodecError {
    #[error("malformed msgpack: {0}")]
    Msgpack(String),
    #[error("malformed JSON: {0}")]
    Json(#[from] serde_json::Error),
    #[error("at {path}: expected {expected}, found {found}")]
    Mismatch { path: String, expected: String, found: String },
    #[error("at {path}: unsupported attribute {name:?}")]
    UnsupportedAttribute { path: String, name: String },
    #[error("at {path}: unknown values cannot be stored as JSON")]
    UnknownInJson { path: String },
}

impl Value {
    pub fn string(s: impl Into<String>) -> Value {
        Value::String(s.into())
    }

    pub fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    pub fn is_unknown(&self) -> bool {
        matches!(self, Value::Unknown)
    }

    /// True when no unknown hides anywhere inside.
    pub fn is_wholly_known(&self) -> bool {
        match self {
            Value::Unknown => false,
            Value::List(items) | Value::Set(items) => items.iter().all(Value::is_wholly_known),
            Value::Map(items) | Value::Object(items) => items.values().all(Value::is_wholly_known),
            Value::Dynamic(_, v) => v.is_wholly_known(),
            _ => true,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    /// Where `actual` departs from what this planned value promised: every known part of a plan
    /// must come true, as Terraform checks after an apply. Each entry names the path, the planned
    /// value and the actual one.
    pub fn departures(&self, actual: &Value) -> Vec<String> {
        let mut found = Vec::new();
        self.depart(actual, "", &mut found);
        found
    }

    fn depart(&self, actual: &Value, path: &str, found: &mut Vec<String>) {
        match (self, actual) {
            (Value::Unknown, _) => {}
            (Value::Object(planned), Value::Object(actual)) | (Value::Map(planned), Value::Map(actual))
                if planned.len() == actual.len() || matches!(self, Value::Object(_)) =>
            {
                for (name, planned) in planned {
                    let child = if path.is_empty() { name.clone() } else { format!("{path}.{name}") };
                    planned.depart(actual.get(name).unwrap_or(&Value::Null), &child, found);
                }
            }
            (Value::List(planned), Value::List(actual)) if planned.len() == actual.len() => {
                for (i, (planned, actual)) in planned.iter().zip(actual).enumerate() {
                    planned.depart(actual, &format!("{path}[{i}]"), found);
                }
            }
            (Value::Set(_), _) if !self.is_wholly_known() => {}
            (planned, actual) if planned != actual => {
                found.push(format!("{path}: planned {}, now {}", brief(planned), brief(actual)));
            }
            _ => {}
        }
    }

    /// An attribute of an object value; null for anything else.
    pub fn get(&self, name: &str) -> &Value {
        match self {
            Value::Object(attrs) => attrs.get(name).unwrap_or(&Value::Null),
            _ => &Value::Null,
        }
    }
}
