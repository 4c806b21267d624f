//! Unit tests of the analysis: branch choice under merged constraints (an
//! `anyOf` branch, such as the `null` one OpenAPI 3.0's `nullable` on a
//! `$ref` becomes, is never chosen when what is merged excludes it), the
//! schemas found ungeneratable and why, and bodies over many seeds, dense
//! and sparse, for the constructs that need the analysis most.

use super::tests::{Planned, doc, doc_in, schema_of};
use super::*;
use serde_json::json;

/// An OpenAPI 3.0 document with each schema under `components/schemas` and
/// one operation `GET /<name>` answering it.
pub(super) fn doc30(schemas: Value) -> Planned {
    doc_in("3.0.3", schemas)
}

/// `levels` objects, each requiring `d`, around `leaf`.
fn deep(levels: usize, leaf: Value) -> Value {
    (0..levels).fold(
        leaf,
        |inner, _| json!({"type": "object", "required": ["d"], "properties": {"d": inner}}),
    )
}

fn nullable_members() -> Planned {
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
            if let Some(e) = s.iter_errors(&v).next() {
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

/// Why the schema `name` cannot be generated, if it cannot.
fn reason(d: &Planned, name: &str) -> Option<String> {
    d.plans
        .ungeneratable(&schema_of(d, name).loc, Direction::Response)
        .map(str::to_string)
}

/// Bodies for `seeds` seeds, dense and sparse, each valid against the real
/// validator; the schema is not reported ungeneratable.
fn valid_bodies(d: &Planned, name: &str, seeds: u64) -> Vec<Value> {
    assert_eq!(reason(d, name), None, "{name}");
    let s = schema_of(d, name);
    let mut out = Vec::new();
    for density in [Density::Dense, Density::Sparse] {
        for seed in 0..seeds {
            let v = generate_as(
                &d.plans,
                &s.loc,
                seed,
                &Hints::NONE,
                Direction::Response,
                density,
            );
            if let Some(e) = s.iter_errors(&v).next() {
                panic!(
                    "{name} {density:?}: seed {seed}: invalid at {}: {e}\n{v}",
                    e.instance_path()
                );
            }
            out.push(v);
        }
    }
    out
}

#[test]
fn contradictions_and_endless_recursion_are_found_with_the_place_and_why() {
    let d = doc(json!({
        "Types": {"type": "object", "required": ["v"], "properties": {
            "v": {"allOf": [{"type": "string"}, {"type": "integer"}]}}},
        "Consts": {"allOf": [{"const": "a"}, {"const": "b"}]},
        "Enum": {"type": "string", "enum": ["a", "bb"], "minLength": 3},
        "ConstRest": {"const": "abc", "maxLength": 2},
        "Loop": {"type": "object", "required": ["next"], "properties": {
            "next": {"$ref": "#/components/schemas/Loop"}}},
        "Lists": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Lists"}},
        "Items": {"type": "array", "minItems": 3, "maxItems": 2},
        "Many": {"type": "array", "minItems": 5000},
        "Long": {"type": "string", "minLength": 100000},
        "Closed": {"type": "object", "required": ["x"], "properties": {"a": {}}, "additionalProperties": false},
        "MaxProps": {"type": "object", "required": ["a", "b"], "maxProperties": 1},
        // Two members declare `a` and close the object: one property at most.
        "MinProps": {"type": "object", "minProperties": 2, "allOf": [
            {"properties": {"a": {}}, "additionalProperties": false},
            {"properties": {"a": {}}, "additionalProperties": false}]},
        "Range": {"type": "integer", "minimum": 5, "maximum": 1},
        "Grid": {"type": "integer", "multipleOf": 7, "minimum": 1, "maximum": 6},
        "Branches": {"type": "object", "oneOf": [{"type": "string"}, {"type": "integer"}]},
        "Deep": deep(60, json!({"type": "string"})),
    }));
    for (name, why) in [
        (
            "Types",
            "share no type (string at #/components/schemas/Types/properties/v/allOf/0; integer at",
        ),
        ("Types", "(through required property `v`)"),
        ("Consts", "two different `const`s"),
        ("Enum", "no `enum` value satisfies the other constraints"),
        ("ConstRest", "its `const` \"abc\" does not satisfy"),
        ("Loop", "recurse without end"),
        ("Lists", "recurse without end"),
        (
            "Items",
            "it needs 3 items (minItems/contains) and allows at most 2",
        ),
        ("Many", "more than the 1000 generation makes"),
        ("Long", "minLength 100000 is more than"),
        ("Closed", "required property `x` is not allowed"),
        ("MaxProps", "requires 2 properties and allows at most 1"),
        (
            "MinProps",
            "minProperties 2 asks for more properties than the 1 it allows",
        ),
        ("Range", "no integer satisfies"),
        ("Grid", "no integer satisfies"),
        ("Branches", "no branch of its anyOf/oneOf fits the rest"),
        ("Deep", "nest deeper than the 48 levels"),
    ] {
        let r = reason(&d, name).unwrap_or_else(|| panic!("{name} is not found ungeneratable"));
        assert!(r.contains(why), "{name}: {r}");
        assert!(r.starts_with("#/components/schemas/"), "{name}: {r}");
    }
}

#[test]
fn recursion_that_can_end_is_generated_in_every_shape_it_can_take() {
    let d = doc30(json!({
        "Tree": {"type": "object", "required": ["value"], "properties": {
            "value": {"type": "integer"},
            "children": {"type": "array", "items": {"$ref": "#/components/schemas/Tree"}}}},
        "List": {"type": "object", "required": ["next"], "properties": {
            "next": {"$ref": "#/components/schemas/List", "nullable": true}}},
        "Expr": {"anyOf": [{"type": "number"}, {"$ref": "#/components/schemas/Binary"}]},
        "Binary": {"type": "object", "required": ["op", "left", "right"], "properties": {
            "op": {"type": "string", "enum": ["+", "*"]},
            "left": {"$ref": "#/components/schemas/Expr"}, "right": {"$ref": "#/components/schemas/Expr"}}},
        // An object needs another Either: a string is the way out.
        "Either": {"type": ["object", "string"], "required": ["again"], "properties": {
            "again": {"$ref": "#/components/schemas/Either"}}},
        "Person": {"type": "object", "required": ["name", "manager"], "properties": {
            "name": {"type": "string"},
            "manager": {"allOf": [{"$ref": "#/components/schemas/Person"}], "nullable": true},
            "reports": {"type": "array", "minItems": 1, "items": {"$ref": "#/components/schemas/Person"}}}},
        "Ping": {"type": "object", "properties": {"pong": {"$ref": "#/components/schemas/Pong"}}},
        "Pong": {"type": "object", "required": ["ping"], "properties": {"ping": {"$ref": "#/components/schemas/Ping"}}},
    }));
    for name in ["Tree", "List", "Expr", "Either", "Person", "Ping", "Pong"] {
        valid_bodies(&d, name, 200);
    }
    let exprs = valid_bodies(&d, "Expr", 200);
    assert!(exprs.iter().any(Value::is_number));
    assert!(
        exprs
            .iter()
            .any(|v| v["left"].is_object() || v["right"].is_object()),
        "the recursive branch is taken, nested"
    );
    let either = valid_bodies(&d, "Either", 50);
    assert!(either.iter().any(Value::is_string) && either.iter().any(Value::is_object));
    let people = valid_bodies(&d, "Person", 50);
    assert!(people.iter().any(|v| v["manager"].is_object()));
}

#[test]
fn nullable_branches_discriminators_and_maps_validate_for_every_seed() {
    let d = doc30(json!({
        "A": {"type": "object", "required": ["a"], "properties": {"a": {"type": "string"}}},
        "NullableA": {"nullable": true, "allOf": [{"$ref": "#/components/schemas/A"}]},
        "NullableObj": {"type": "object", "nullable": true, "properties": {"n": {"type": "integer"}}},
        "Both": {"allOf": [{"$ref": "#/components/schemas/NullableA"}, {"$ref": "#/components/schemas/NullableObj"}]},
        "OneNullable": {"oneOf": [{"$ref": "#/components/schemas/NullableA"}, {"type": "integer"}]},
        "AnyNullable": {"anyOf": [{"$ref": "#/components/schemas/A"}, {"$ref": "#/components/schemas/NullableObj"}],
                        "nullable": true},
        "Pet": {"type": "object", "required": ["petType"], "properties": {"petType": {"type": "string"}},
                "discriminator": {"propertyName": "petType"}},
        "Cat": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object", "required": ["meow"],
                "properties": {"meow": {"type": "boolean"}, "petType": {"type": "string", "enum": ["cat"]}}}]},
        "Dog": {"allOf": [{"$ref": "#/components/schemas/Pet"}, {"type": "object",
                "properties": {"bark": {"type": "string"}, "petType": {"type": "string", "enum": ["dog"]}}}]},
        "AnyPet": {"oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
                   "discriminator": {"propertyName": "petType",
                       "mapping": {"cat": "#/components/schemas/Cat", "dog": "#/components/schemas/Dog"}}},
        "MaybePet": {"nullable": true, "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}]},
        "Owner": {"type": "object", "required": ["pet"], "properties": {
            "pet": {"allOf": [{"$ref": "#/components/schemas/AnyPet"}, {"$ref": "#/components/schemas/NullableObj"}]},
            "pets": {"type": "array", "items": {"$ref": "#/components/schemas/MaybePet"}},
            "byName": {"type": "object", "additionalProperties": {"$ref": "#/components/schemas/Cat"}},
            "counts": {"type": "object", "minProperties": 2, "additionalProperties": {"type": "integer", "nullable": true}},
            "tagged": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}},
                       "additionalProperties": {"$ref": "#/components/schemas/NullableA"}}}},
    }));
    for name in [
        "Both",
        "OneNullable",
        "AnyNullable",
        "Cat",
        "Dog",
        "AnyPet",
        "MaybePet",
        "Owner",
    ] {
        valid_bodies(&d, name, 300);
    }
    let owners = valid_bodies(&d, "Owner", 100);
    assert!(
        owners.iter().all(|v| v["pet"].is_object()),
        "a merged nullable member is not null"
    );
    let pets = valid_bodies(&d, "AnyPet", 100);
    assert!(
        pets.iter().any(|v| v["petType"] == "cat") && pets.iter().any(|v| v["petType"] == "dog")
    );
    let both = valid_bodies(&d, "Both", 100);
    assert!(both.iter().any(Value::is_null) && both.iter().any(Value::is_object));
}
