//! Unit tests of branch choice under merged constraints: an `anyOf` branch
//! (such as the `null` one OpenAPI 3.0's `nullable` on a `$ref` becomes) is
//! never chosen when what is merged already excludes it.

use super::*;
use crate::spec::{Document, SpecSource, load_document};
use serde_json::json;

/// An OpenAPI 3.0 document with each schema under `components/schemas` and
/// one operation `GET /<name>` answering it.
pub(super) fn doc30(schemas: Value) -> Document {
    let mut paths = serde_json::Map::new();
    for name in schemas.as_object().unwrap().keys() {
        paths.insert(
            format!("/{name}"),
            json!({"get": {"operationId": name, "responses": {"200": {"description": "ok",
                "content": {"application/json": {"schema": {"$ref": format!("#/components/schemas/{name}")}}}}}}}),
        );
    }
    let text = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": paths, "components": {"schemas": schemas}});
    load_document(&SpecSource::from_text("t.json", text.to_string())).unwrap()
}

fn schema_of<'d>(d: &'d Document, name: &str) -> &'d crate::spec::Schema {
    let op = d
        .operations
        .iter()
        .find(|o| o.operation_id == name)
        .unwrap();
    op.responses[0].content[0].schema.as_ref().unwrap()
}

/// `levels` objects, each requiring `d`, around `leaf`.
fn deep(levels: usize, leaf: Value) -> Value {
    (0..levels).fold(
        leaf,
        |inner, _| json!({"type": "object", "required": ["d"], "properties": {"d": inner}}),
    )
}

fn nullable_members() -> Document {
    doc30(json!({
        "A": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
        "B": {"type": "object", "properties": {"b": {"type": "integer"}}},
        // `nullable` beside `allOf`: becomes anyOf [{allOf: [B]}, {type: null}].
        "NullableB": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/B"}]},
        "Outer": {"type": "object", "required": ["inner", "list"], "properties": {
            "inner": {"allOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/NullableB"}]},
            "list": {"type": "array", "minItems": 1, "items": {"allOf": [
                {"$ref": "#/components/schemas/NullableB"}, {"$ref": "#/components/schemas/A"}]}},
            "maybe": {"allOf": [{"$ref": "#/components/schemas/A"}], "nullable": true}}},
        // Past SOFT_DEPTH generation is minimal, where null-only branches used to win always.
        "Deep": deep(SOFT_DEPTH + 1, json!({"$ref": "#/components/schemas/Outer"})),
    }))
}

#[test]
fn a_null_branch_is_not_chosen_where_the_merged_types_exclude_null() {
    let d = nullable_members();
    for name in ["Outer", "Deep"] {
        let s = schema_of(&d, name);
        for seed in 0..64 {
            let v = generate(&d.plans, &s.loc, seed, &Hints::NONE);
            if let Some(e) = s.validator.iter_errors(&v).next() {
                panic!(
                    "{name}: seed {seed}: invalid at {}: {e}\n{v}",
                    e.instance_path()
                );
            }
        }
    }
    let s = schema_of(&d, "Outer");
    for seed in 0..64 {
        let v = generate(&d.plans, &s.loc, seed, &Hints::NONE);
        assert!(v["inner"].is_object(), "seed {seed}: {v}");
        assert!(v["list"][0].is_object(), "seed {seed}: {v}");
    }
}
