//! Terraform's type system (cty types) and their JSON spelling in schemas.

use std::collections::BTreeMap;

use serde_json::json;

/// A Terraform type, as schemas declare it and as values are decoded against it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Type {
    String,
    Number,
    Bool,
    Dynamic,
    List(Box<Type>),
    Set(Box<Type>),
    Map(Box<Type>),
    Object(BTreeMap<String, Type>),
    Tuple(Vec<Type>),
}

impl Type {
    pub fn list(element: Type) -> Type {
        Type::List(Box::new(element))
    }

    pub fn set(element: Type) -> Type {
        Type::Set(Box::new(element))
    }

    pub fn map(element: Type) -> Type {
        Type::Map(Box::new(element))
    }

    pub fn object<I, K>(attributes: I) -> Type
    where
        I: IntoIterator<Item = (K, Type)>,
        K: Into<String>,
    {
        Type::Object(attributes.into_iter().map(|(k, t)| (k.into(), t)).collect())
    }

    /// The JSON type syntax Terraform expects in `Schema.Attribute.type`.
    pub fn to_json(&self) -> serde_json::Value {
        match self {
            Type::String => json!("string"),
            Type::Number => json!("number"),
            Type::Bool => json!("bool"),
            Type::Dynamic => json!("dynamic"),
            Type::List(t) => json!(["list", t.to_json()]),
            Type::Set(t) => json!(["set", t.to_json()]),
            Type::Map(t) => json!(["map", t.to_json()]),
            Type::Object(attrs) => {
                let attrs: serde_json::Map<_, _> = attrs.iter().map(|(k, t)| (k.clone(), t.to_json())).collect();
                json!(["object", attrs])
            }
            Type::Tuple(elems) => {
                json!(["tuple", elems.iter().map(Type::to_json).collect::<Vec<_>>()])
            }
        }
    }

    /// Parses the JSON type syntax (used for `dynamic` values, which carry their type).
    pub fn from_json(value: &serde_json::Value) -> Option<Type> {
        use serde_json::Value as J;
        match value {
            J::String(s) => match s.as_str() {
                "string" => Some(Type::String),
                "number" => Some(Type::Number),
                "bool" => Some(Type::Bool),
                "dynamic" => Some(Type::Dynamic),
                _ => None,
            },
            J::Array(parts) => match (parts.first()?.as_str()?, parts.get(1)?) {
                ("list", t) => Some(Type::list(Type::from_json(t)?)),
                ("set", t) => Some(Type::set(Type::from_json(t)?)),
                ("map", t) => Some(Type::map(Type::from_json(t)?)),
                ("object", J::Object(attrs)) => attrs
                    .iter()
                    .map(|(k, t)| Some((k.clone(), Type::from_json(t)?)))
                    .collect::<Option<BTreeMap<_, _>>>()
                    .map(Type::Object),
                ("tuple", J::Array(elems)) => {
                    elems.iter().map(Type::from_json).collect::<Option<Vec<_>>>().map(Type::Tuple)
                }
                _ => None,
            },
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_round_trip() {
        let ty = Type::object([
            ("a", Type::list(Type::String)),
            ("b", Type::map(Type::set(Type::Number))),
            ("c", Type::Tuple(vec![Type::Bool, Type::Dynamic])),
        ]);
        let text = ty.to_json().to_string();
        assert_eq!(
            text,
            r#"["object",{"a":["list","string"],"b":["map",["set","number"]],"c":["tuple",["bool","dynamic"]]}]"#
        );
        assert_eq!(Type::from_json(&ty.to_json()), Some(ty));
    }
}
