//! The DynamicValue codec against bytes as Terraform (go-cty) writes them.

use std::collections::BTreeMap;

use tfplugin6::{Number, Type, Value};

fn obj<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(entries.into_iter().map(|(k, v)| (k.to_string(), v)).collect())
}

#[test]
fn plain_unknown_is_d4_00_00_both_ways() {
    assert_eq!(Value::Unknown.to_msgpack(&Type::String).unwrap(), vec![0xd4, 0x00, 0x00]);
    assert_eq!(Value::from_msgpack(&[0xd4, 0x00, 0x00], &Type::String).unwrap(), Value::Unknown);
}

#[test]
fn refined_unknowns_as_terraform_sends_them() {
    // Not null, string prefix "pre": ext8, type 12, payload {1: false, 2: "pre"}.
    let prefix = [0xc7, 0x08, 0x0c, 0x82, 0x01, 0xc2, 0x02, 0xa3, b'p', b'r', b'e'];
    assert_eq!(Value::from_msgpack(&prefix, &Type::String).unwrap(), Value::Unknown);
    // Not null only: payload of 3 bytes, still ext8.
    let not_null = [0xc7, 0x03, 0x0c, 0x81, 0x01, 0xc2];
    assert_eq!(Value::from_msgpack(&not_null, &Type::Number).unwrap(), Value::Unknown);
    // Collection length bounds {5: 1, 6: 3}.
    let length = [0xc7, 0x05, 0x0c, 0x82, 0x05, 0x01, 0x06, 0x03];
    assert_eq!(Value::from_msgpack(&length, &Type::list(Type::String)).unwrap(), Value::Unknown);
    // Number bounds [0, true] / [10, false]: {3: [0, true], 4: [10, false]}.
    let bounds = [0xc7, 0x09, 0x0c, 0x82, 0x03, 0x92, 0x00, 0xc3, 0x04, 0x92, 0x0a, 0xc2];
    assert_eq!(Value::from_msgpack(&bounds, &Type::Number).unwrap(), Value::Unknown);
    // Inside an object, next to known values.
    let ty = Type::object([("id", Type::String), ("name", Type::String)]);
    let mut bytes = vec![0x82, 0xa2, b'i', b'd'];
    bytes.extend_from_slice(&prefix);
    bytes.extend_from_slice(&[0xa4, b'n', b'a', b'm', b'e', 0xa1, b'x']);
    let value = Value::from_msgpack(&bytes, &ty).unwrap();
    assert_eq!(value, obj([("id", Value::Unknown), ("name", Value::string("x"))]));
    assert!(!value.is_wholly_known());
}

#[test]
fn numbers_accept_every_encoding_and_keep_big_ones_exact() {
    let cases: Vec<(Vec<u8>, Number)> = vec![
        (vec![0x05], Number::Int(5)),
        (vec![0xd0, 0xfb], Number::Int(-5)),
        (vec![0xcd, 0x01, 0x00], Number::Int(256)),
        (vec![0xcf, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff], Number::UInt(u64::MAX)),
        (vec![0xca, 0x3f, 0xc0, 0x00, 0x00], Number::Float(1.5)),
        (vec![0xcb, 0x3f, 0xf8, 0, 0, 0, 0, 0, 0], Number::Float(1.5)),
    ];
    for (bytes, expected) in cases {
        assert_eq!(Value::from_msgpack(&bytes, &Type::Number).unwrap(), Value::Number(expected.clone()), "{bytes:x?}");
    }
    // Terraform writes numbers beyond float64 as decimal strings; they round-trip exactly.
    let big = "123456789012345678901234567890.000000000000000000001";
    let mut bytes = vec![0xd9, big.len() as u8];
    bytes.extend_from_slice(big.as_bytes());
    let value = Value::from_msgpack(&bytes, &Type::Number).unwrap();
    assert_eq!(value, Value::Number(Number::Big(big.to_string())));
    assert_eq!(value.to_msgpack(&Type::Number).unwrap(), bytes);
    let json = value.to_json(&Type::Number).unwrap();
    assert_eq!(String::from_utf8(json.clone()).unwrap(), big);
    assert_eq!(Value::from_json(&json, &Type::Number).unwrap(), value);
    // Integers go out compact; fractions as float64.
    assert_eq!(Value::Number(Number::Int(7)).to_msgpack(&Type::Number).unwrap(), vec![0x07]);
    assert_eq!(Value::Number(Number::Float(2.0)).to_msgpack(&Type::Number).unwrap(), vec![0x02]);
    assert_eq!(Value::Number(Number::Float(0.5)).to_msgpack(&Type::Number).unwrap()[0], 0xcb);
}

/// A resource with a list block, a set block, a map and a dynamic attribute.
fn nested_type() -> Type {
    let rule = Type::object([("cidr", Type::String), ("port", Type::Number)]);
    Type::object([
        ("name", Type::String),
        ("rules", Type::list(rule.clone())),
        ("tags_set", Type::set(Type::String)),
        ("labels", Type::map(Type::String)),
        ("single", rule),
        ("extra", Type::Dynamic),
    ])
}

#[test]
fn nested_blocks_sets_maps_and_dynamic_round_trip() {
    let ty = nested_type();
    let rule = |cidr: &str, port: i64| obj([("cidr", Value::string(cidr)), ("port", Value::Number(Number::Int(port)))]);
    let value = obj([
        ("name", Value::string("x")),
        ("rules", Value::List(vec![rule("10.0.0.0/8", 22), rule("fd00::/8", 443)])),
        ("tags_set", Value::Set(vec![Value::string("a"), Value::string("b")])),
        ("labels", Value::Map(BTreeMap::from([("k".to_string(), Value::string("v"))]))),
        ("single", Value::Null),
        ("extra", Value::Dynamic(Type::list(Type::Bool), Box::new(Value::List(vec![Value::Bool(true)])))),
    ]);
    let packed = value.to_msgpack(&ty).unwrap();
    assert_eq!(Value::from_msgpack(&packed, &ty).unwrap(), value);
    let json = value.to_json(&ty).unwrap();
    let back = Value::from_json(&json, &ty).unwrap();
    assert_eq!(back, value);
    let text = String::from_utf8(json).unwrap();
    assert!(text.contains(r#""extra":{"type":["list","bool"],"value":[true]}"#), "{text}");
}

#[test]
fn objects_always_carry_every_attribute() {
    let ty = nested_type();
    // Only `name` given: the encoding still has all six keys, the others nil.
    let packed = obj([("name", Value::string("x"))]).to_msgpack(&ty).unwrap();
    assert_eq!(packed[0], 0x86, "fixmap of 6 entries");
    // An empty list block stays an empty array, not nil.
    let with_empty = obj([("rules", Value::List(vec![]))]).to_msgpack(&ty).unwrap();
    let decoded = Value::from_msgpack(&with_empty, &ty).unwrap();
    assert_eq!(decoded.get("rules"), &Value::List(vec![]));
    assert_eq!(decoded.get("labels"), &Value::Null);
}

#[test]
fn json_state_fills_missing_attributes_and_rejects_strangers() {
    let ty = Type::object([("a", Type::String), ("b", Type::list(Type::String))]);
    let value = Value::from_json(br#"{"a":"x"}"#, &ty).unwrap();
    assert_eq!(value, obj([("a", Value::string("x")), ("b", Value::Null)]));
    assert!(Value::from_json(br#"{"a":"x","zzz":1}"#, &ty).is_err());
    assert!(Value::Unknown.to_json(&Type::String).is_err(), "unknowns cannot be stored");
}

#[test]
fn type_mismatches_name_the_path() {
    let ty = Type::object([("outer", Type::object([("inner", Type::String)]))]);
    let bytes = [0x81, 0xa5, b'o', b'u', b't', b'e', b'r', 0x81, 0xa5, b'i', b'n', b'n', b'e', b'r', 0x05];
    let error = Value::from_msgpack(&bytes, &ty).unwrap_err().to_string();
    assert!(error.contains(".outer.inner"), "{error}");
}
