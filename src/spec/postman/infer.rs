//! A schema inferred from example bodies, so a collection's JSON bodies are
//! validated and can be generated: types only (never formats, lengths or
//! enums, which one example cannot tell), an object's `required` holding
//! the members every example has, array items from every element seen.
//! The result is OpenAPI 3.0: one `type`, `nullable` where `null` was seen.

use serde_json::{Map, Value, json};

/// The schema every one of `examples` satisfies (an empty schema, which
/// allows anything, when they disagree on the type).
pub(super) fn schema_of(examples: &[&Value]) -> Value {
    let nullable = examples.iter().any(|v| v.is_null());
    let present: Vec<&Value> = examples.iter().copied().filter(|v| !v.is_null()).collect();
    let mut schema = match kind_of(&present) {
        Some("object") => object_schema(&present),
        Some("array") => {
            let items: Vec<&Value> = present
                .iter()
                .filter_map(|v| v.as_array())
                .flatten()
                .collect();
            let items = if items.is_empty() {
                json!({})
            } else {
                schema_of(&items)
            };
            json!({"type": "array", "items": items})
        }
        Some(t) => json!({ "type": t }),
        None => json!({}),
    };
    if nullable
        && !present.is_empty()
        && let Some(o) = schema.as_object_mut()
        && o.contains_key("type")
    {
        o.insert("nullable".into(), Value::Bool(true));
    }
    schema
}

/// The one type all values share (integers widen to number), if any.
fn kind_of(values: &[&Value]) -> Option<&'static str> {
    let mut kind: Option<&'static str> = None;
    for v in values {
        let k = match v {
            Value::Object(_) => "object",
            Value::Array(_) => "array",
            Value::String(_) => "string",
            Value::Bool(_) => "boolean",
            Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
            Value::Number(_) => "number",
            Value::Null => continue,
        };
        kind = match (kind, k) {
            (None, k) => Some(k),
            (Some(a), b) if a == b => Some(a),
            (Some("integer" | "number"), "integer" | "number") => Some("number"),
            _ => return None,
        };
    }
    kind
}

fn object_schema(objects: &[&Value]) -> Value {
    let maps: Vec<&Map<String, Value>> = objects.iter().filter_map(|v| v.as_object()).collect();
    // Members in the order first seen, so the schema reads like the examples.
    let mut names: Vec<&String> = Vec::new();
    for m in &maps {
        for k in m.keys() {
            if !names.contains(&k) {
                names.push(k);
            }
        }
    }
    let mut properties = Map::new();
    let mut required = Vec::new();
    for name in names {
        let values: Vec<&Value> = maps.iter().filter_map(|m| m.get(name)).collect();
        if values.len() == maps.len() {
            required.push(Value::String(name.clone()));
        }
        properties.insert(name.clone(), schema_of(&values));
    }
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn members_every_example_has_are_required() {
        let a = json!({"id": 1, "name": "Ada", "tags": ["x"]});
        let b = json!({"id": 2, "tags": [], "score": 1.5});
        let s = schema_of(&[&a, &b]);
        assert_eq!(s["type"], "object");
        assert_eq!(s["required"], json!(["id", "tags"]));
        assert_eq!(s["properties"]["id"]["type"], "integer");
        assert_eq!(s["properties"]["name"]["type"], "string");
        assert_eq!(s["properties"]["tags"]["items"]["type"], "string");
        assert_eq!(s["properties"]["score"]["type"], "number");
    }

    #[test]
    fn integers_and_floats_widen_and_null_makes_nullable() {
        let s = schema_of(&[&json!(1), &json!(2.5), &Value::Null]);
        assert_eq!(s, json!({"type": "number", "nullable": true}));
    }

    #[test]
    fn disagreeing_types_allow_anything() {
        assert_eq!(schema_of(&[&json!("a"), &json!(1)]), json!({}));
        assert_eq!(schema_of(&[&Value::Null]), json!({}));
        let s = schema_of(&[&json!([])]);
        assert_eq!(s, json!({"type": "array", "items": {}}));
    }

    #[test]
    fn nested_objects_in_arrays_merge() {
        let s = schema_of(&[&json!([{"a": 1}, {"a": 2, "b": true}])]);
        assert_eq!(s["items"]["required"], json!(["a"]));
        assert_eq!(s["items"]["properties"]["b"]["type"], "boolean");
    }
}
