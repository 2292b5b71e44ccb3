//! MessagePack encoding of values, as go-cty reads and writes it.

use std::collections::BTreeMap;

use rmpv::Value as Mp;

use super::types::Type;
use super::value::{CodecError, Number, Value};

/// Plain unknown: fixext1, type 0, one zero byte (`d4 00 00`).
const UNKNOWN_EXT: i8 = 0;

pub(super) fn decode(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
    let mut cursor = bytes;
    let raw = rmpv::decode::read_value(&mut cursor).map_err(|e| CodecError::Msgpack(e.to_string()))?;
    if !cursor.is_empty() {
        return Err(CodecError::Msgpack(format!("{} trailing bytes", cursor.len())));
    }
    from_mp(&raw, ty, &mut String::new())
}

pub(super) fn encode(value: &Value, ty: &Type) -> Result<Vec<u8>, CodecError> {
    let raw = to_mp(value, ty, &mut String::new())?;
    let mut out = Vec::with_capacity(64);
    rmpv::encode::write_value(&mut out, &raw).map_err(|e| CodecError::Msgpack(e.to_string()))?;
    Ok(out)
}

fn mismatch(path: &str, ty: &Type, found: &Mp) -> CodecError {
    CodecError::Mismatch { path: display_path(path), expected: ty.to_json().to_string(), found: format!("{found}") }
}

pub(super) fn display_path(path: &str) -> String {
    if path.is_empty() { "(root)".to_string() } else { path.to_string() }
}

fn with_segment<T>(path: &mut String, segment: &str, f: impl FnOnce(&mut String) -> T) -> T {
    let len = path.len();
    path.push_str(segment);
    let out = f(path);
    path.truncate(len);
    out
}

fn from_mp(raw: &Mp, ty: &Type, path: &mut String) -> Result<Value, CodecError> {
    // Any extension is an unknown, refined (type 12) or not; refinements are dropped.
    if let Mp::Ext(code, payload) = raw {
        if payload.len() > 1 {
            tracing::trace!(ext = code, bytes = payload.len(), path = %display_path(path), "decoded a refined unknown");
        }
        return Ok(Value::Unknown);
    }
    if let Mp::Nil = raw {
        return Ok(Value::Null);
    }
    match ty {
        Type::String => match raw {
            Mp::String(s) => s.as_str().map(Value::string).ok_or_else(|| mismatch(path, ty, raw)),
            _ => Err(mismatch(path, ty, raw)),
        },
        Type::Bool => raw.as_bool().map(Value::Bool).ok_or_else(|| mismatch(path, ty, raw)),
        Type::Number => number_from_mp(raw).map(Value::Number).ok_or_else(|| mismatch(path, ty, raw)),
        Type::List(elem) | Type::Set(elem) => {
            let Mp::Array(items) = raw else {
                return Err(mismatch(path, ty, raw));
            };
            let values = items
                .iter()
                .enumerate()
                .map(|(i, item)| with_segment(path, &format!("[{i}]"), |p| from_mp(item, elem, p)))
                .collect::<Result<Vec<_>, _>>()?;
            Ok(if matches!(ty, Type::Set(_)) { Value::Set(values) } else { Value::List(values) })
        }
        Type::Tuple(elems) => {
            let Mp::Array(items) = raw else {
                return Err(mismatch(path, ty, raw));
            };
            if items.len() != elems.len() {
                return Err(mismatch(path, ty, raw));
            }
            items
                .iter()
                .zip(elems)
                .enumerate()
                .map(|(i, (item, t))| with_segment(path, &format!("[{i}]"), |p| from_mp(item, t, p)))
                .collect::<Result<Vec<_>, _>>()
                .map(Value::List)
        }
        Type::Map(elem) => {
            let entries = map_entries(raw, ty, path)?;
            entries
                .into_iter()
                .map(|(k, v)| {
                    let decoded = with_segment(path, &format!("[{k:?}]"), |p| from_mp(v, elem, p))?;
                    Ok((k, decoded))
                })
                .collect::<Result<BTreeMap<_, _>, _>>()
                .map(Value::Map)
        }
        Type::Object(attrs) => {
            let entries = map_entries(raw, ty, path)?;
            let mut out = BTreeMap::new();
            for (name, v) in entries {
                let Some(attr_ty) = attrs.get(&name) else {
                    return Err(CodecError::UnsupportedAttribute { path: display_path(path), name });
                };
                let decoded = with_segment(path, &format!(".{name}"), |p| from_mp(v, attr_ty, p))?;
                out.insert(name, decoded);
            }
            for name in attrs.keys() {
                out.entry(name.clone()).or_insert(Value::Null);
            }
            Ok(Value::Object(out))
        }
        Type::Dynamic => {
            let Mp::Array(pair) = raw else {
                return Err(mismatch(path, ty, raw));
            };
            let [type_json, value] = pair.as_slice() else {
                return Err(mismatch(path, ty, raw));
            };
            let type_bytes = match type_json {
                Mp::Binary(b) => b.as_slice(),
                Mp::String(s) => s.as_bytes(),
                _ => return Err(mismatch(path, ty, raw)),
            };
            let inner_ty = serde_json::from_slice(type_bytes)
                .ok()
                .and_then(|j| Type::from_json(&j))
                .ok_or_else(|| mismatch(path, ty, raw))?;
            let inner = from_mp(value, &inner_ty, path)?;
            Ok(Value::Dynamic(inner_ty, Box::new(inner)))
        }
    }
}

fn map_entries<'a>(raw: &'a Mp, ty: &Type, path: &str) -> Result<Vec<(String, &'a Mp)>, CodecError> {
    let Mp::Map(entries) = raw else {
        return Err(mismatch(path, ty, raw));
    };
    entries
        .iter()
        .map(|(k, v)| match k.as_str() {
            Some(k) => Ok((k.to_string(), v)),
            None => Err(mismatch(path, ty, raw)),
        })
        .collect()
}

fn number_from_mp(raw: &Mp) -> Option<Number> {
    match raw {
        Mp::Integer(n) => n.as_i64().map(Number::Int).or_else(|| n.as_u64().map(Number::UInt)),
        Mp::F32(f) => Some(Number::Float(f64::from(*f))),
        Mp::F64(f) => Some(Number::Float(*f)),
        Mp::String(s) => s.as_str().and_then(Number::parse),
        _ => None,
    }
}

fn number_to_mp(n: &Number) -> Mp {
    match n {
        Number::Int(i) => Mp::from(*i),
        Number::UInt(u) => Mp::from(*u),
        // Integral floats go out as integers, as Terraform's own encoder does.
        Number::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Mp::from(*f as i64),
        Number::Float(f) => Mp::F64(*f),
        Number::Big(s) => Mp::from(s.as_str()),
    }
}

fn to_mp(value: &Value, ty: &Type, path: &mut String) -> Result<Mp, CodecError> {
    let wrong = |path: &str| CodecError::Mismatch {
        path: display_path(path),
        expected: ty.to_json().to_string(),
        found: format!("{value:?}"),
    };
    Ok(match (value, ty) {
        (Value::Null, _) => Mp::Nil,
        (Value::Unknown, _) => Mp::Ext(UNKNOWN_EXT, vec![0]),
        (Value::String(s), Type::String) => Mp::from(s.as_str()),
        (Value::Bool(b), Type::Bool) => Mp::Boolean(*b),
        (Value::Number(n), Type::Number) => number_to_mp(n),
        (Value::List(items) | Value::Set(items), Type::List(elem) | Type::Set(elem)) => Mp::Array(
            items
                .iter()
                .enumerate()
                .map(|(i, v)| with_segment(path, &format!("[{i}]"), |p| to_mp(v, elem, p)))
                .collect::<Result<_, _>>()?,
        ),
        (Value::List(items), Type::Tuple(elems)) if items.len() == elems.len() => {
            Mp::Array(items.iter().zip(elems).map(|(v, t)| to_mp(v, t, path)).collect::<Result<_, _>>()?)
        }
        (Value::Map(items), Type::Map(elem)) => Mp::Map(
            items
                .iter()
                .map(|(k, v)| {
                    Ok((Mp::from(k.as_str()), with_segment(path, &format!("[{k:?}]"), |p| to_mp(v, elem, p))?))
                })
                .collect::<Result<_, CodecError>>()?,
        ),
        (Value::Object(items), Type::Object(attrs)) => {
            if let Some(extra) = items.keys().find(|k| !attrs.contains_key(*k)) {
                return Err(CodecError::UnsupportedAttribute { path: display_path(path), name: extra.clone() });
            }
            // Every attribute of the type, null where the value has none: Terraform insists.
            Mp::Map(
                attrs
                    .iter()
                    .map(|(name, attr_ty)| {
                        let v = items.get(name).unwrap_or(&Value::Null);
                        let encoded = with_segment(path, &format!(".{name}"), |p| to_mp(v, attr_ty, p))?;
                        Ok((Mp::from(name.as_str()), encoded))
                    })
                    .collect::<Result<_, CodecError>>()?,
            )
        }
        (Value::Dynamic(inner_ty, inner), Type::Dynamic) => {
            Mp::Array(vec![Mp::Binary(inner_ty.to_json().to_string().into_bytes()), to_mp(inner, inner_ty, path)?])
        }
        _ => return Err(wrong(path)),
    })
}

/// Terraform's msgpack wire form of a value (written here, beside the codec, so that `value`
/// does not depend on its codecs).
impl Value {
    /// Decodes msgpack against `ty`.
    pub fn from_msgpack(bytes: &[u8], ty: &Type) -> Result<Value, CodecError> {
        decode(bytes, ty)
    }

    /// Encodes as msgpack for `ty`, emitting every object attribute (null where absent).
    pub fn to_msgpack(&self, ty: &Type) -> Result<Vec<u8>, CodecError> {
        encode(self, ty)
    }
}
