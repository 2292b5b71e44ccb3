//! JSON encoding of values, as Terraform stores state (`RawState.json`).

use std::collections::BTreeMap;

use serde_json::Value as J;

use super::msgpack::display_path;
use super::types::Type;
use super::value::{CodecError, Number, Value};

pub(super) fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let raw: J = serde_json::from_slice(bytes)?;
    from_json(&raw, ty, "")
}

pub(super) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    Ok(serde_json::to_vec(&to_json(value, ty, "")?)?)
}

fn mismatch(path: &str, ty: &Type, found: &J) -> CodecError {
    CodecError::Mismatch { path: display_path(path), expected: ty.to_json().to_string(), found: found.to_string() }
}

fn from_json(raw: &J, ty: &Type, path: &str) -> Result<Value, CodecError> {
    if raw.is_null() {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => raw.as_str().map(Value::string).ok_or_else(|| mismatch(path, ty, raw)),
        Type::Bool => raw.as_bool().map(Value::Bool).ok_or_else(|| mismatch(path, ty, raw)),
        Type::Number => match raw {
            // arbitrary_precision keeps the exact digits Terraform wrote.
            J::Number(n) => Number::parse(&n.to_string()).map(Value::Number),
            J::String(s) => Number::parse(s).map(Value::Number),
            _ => None,
        }
        .ok_or_else(|| mismatch(path, ty, raw)),
        Type::List(elem) | Type::Set(elem) => {
            let items = raw.as_array().ok_or_else(|| mismatch(path, ty, raw))?;
            let values = items
                .iter()
                .enumerate()
                .map(|(i, v)| from_json(v, elem, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) { Value::Set(values) } else { Value::List(values) })
        }
        Type::Tuple(elems) => {
            let items = raw.as_array().filter(|a| a.len() == elems.len()).ok_or_else(|| mismatch(path, ty, raw))?;
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (v, t))| from_json(v, t, &format!("{path}[{i}]")))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List)
        }
        Type::Map(elem) => {
            let entries = raw.as_object().ok_or_else(|| mismatch(path, ty, raw))?;
            entries
                .iter()
                .map(|(k, v)| Ok((k.clone(), from_json(v, elem, &format!("{path}[{k:?}]"))?)))
                .collect::<Result<BTreeMap<_, _>, CodecError>>()
                .map(Value::Map)
        }
        Type::Object(attrs) => {
            let entries = raw.as_object().ok_or_else(|| mismatch(path, ty, raw))?;
            if let Some(extra) = entries.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::UnsupportedAttribute { path: display_path(path), name: extra.clone() });
            }
            attrs
                .iter()
                .map(|(name, t)| {
                    let v = entries.get(name).unwrap_or(&J::Null);
                    Ok((name.clone(), from_json(v, t, &format!("{path}.{name}"))?))
                })
                .collect::<Result<BTreeMap<_, _>, CodecError>>()
                .map(Value::Object)
        }
        Type::Dynamic => {
            let inner_ty = raw.get("type").and_then(Type::from_json).ok_or_else(|| mismatch(path, ty, raw))?;
            let inner = from_json(raw.get("value").unwrap_or(&J::Null), &inner_ty, path)?;
            Ok(Value::Dynamic(inner_ty, Box::new(inner)))
        }
    }
}

fn to_json(value: &Value, ty: &Type, path: &str) -> Result<J, CodecError> {
    Ok(match (value, ty) {
        (Value::Null, _) => J::Null,
        (Value::Unknown, _) => {
            return Err(CodecError::UnknownInJson { path: display_path(path) });
        }
        (Value::String(s), Type::String) => J::String(s.clone()),
        (Value::Bool(b), Type::Bool) => J::Bool(*b),
        (Value::Number(n), Type::Number) => serde_json::from_str(&n.to_string())?,
        (Value::List(items) | Value::Set(items), Type::List(elem) | Type::Set(elem)) => J::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| to_json(v, elem, &format!("{path}[{i}]")))
                .collect::<Result<_, _>>()?,
        ),
        (Value::List(items), Type::Tuple(elems)) => {
            J::Array(items.iter().zip(elems).map(|(v, t)| to_json(v, t, path)).collect::<Result<_, _>>()?)
        }
        (Value::Map(items), Type::Map(elem)) => J::Object(
            items
                .iter()
                .map(|(k, v)| Ok((k.clone(), to_json(v, elem, &format!("{path}[{k:?}]"))?)))
                .collect::<Result<_, CodecError>>()?,
        ),
        (Value::Object(items), Type::Object(attrs)) => J::Object(
            attrs
                .iter()
                .map(|(name, t)| {
                    let v = items.get(name).unwrap_or(&Value::Null);
                    Ok((name.clone(), to_json(v, t, &format!("{path}.{name}"))?))
                })
                .collect::<Result<_, CodecError>>()?,
        ),
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
            serde_json::json!({"type": inner_ty.to_json(), "value": to_json(inner, inner_ty, path)?})
        }
        _ => {
            return Err(CodecError::Mismatch {
                path: display_path(path),
                expected: ty.to_json().to_string(),
                found: format!("{value:?}"),
            });
        }
    })
}

/// Terraform's JSON state encoding of a value (beside the codec, as for msgpack).
impl Value {
    /// Decodes Terraform's JSON state encoding; missing object attributes become null.
    pub fn from_json(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
        decode(bytes, ty)
    }

    pub fn to_json(&self, ty: &Type) -> Result<Vec<u8>, CodecError> {
        encode(self, ty)
    }
}
