//! OpenAPI 3.0 schemas → JSON Schema 2020-12, at load.
//!
//! Rules (OAS 3.1 schemas already are 2020-12 and are left alone):
//! - `nullable: true` adds `"null"` to `type` (and `null` to `enum`); on a
//!   schema with no `type` (a `$ref`, an `allOf`), the schema becomes
//!   `anyOf: [<it>, {type: null}]`.
//! - boolean `exclusiveMinimum`/`exclusiveMaximum` become the numeric form.
//! - `example` becomes `examples: [example]`.
//! - `x-` keywords are dropped (they are annotations for other tools).
//!
//! Only schema positions are converted: `components.schemas`, parameter,
//! header and media-type schemas, and everything those reach through `$ref`
//! (in any file), each place once, so recursive schemas are fine.

use std::collections::{BTreeSet, VecDeque};

use serde_json::{Map, Value, json};

use super::refs::{FileSet, Loc};

/// What kind of OpenAPI object sits at a location, so its schemas can be found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Kind {
    Schema,
    Parameter,
    RequestBody,
    Response,
    Header,
    PathItem,
}

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Keywords whose value is one subschema (or, for `items`, a draft 4 tuple).
pub(super) const SUBSCHEMA_ONE: &[&str] = ONE;
/// Keywords whose value is an array of subschemas.
pub(super) const SUBSCHEMA_MANY: &[&str] = MANY;
/// Keywords whose value is a map of subschemas.
pub(super) const SUBSCHEMA_MAP: &[&str] = MAP;

/// Keywords whose value is one subschema.
const ONE: &[&str] = &[
    "additionalProperties",
    "items",
    "not",
    "contains",
    "if",
    "then",
    "else",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
    "additionalItems",
];
/// Keywords whose value is an array of subschemas.
const MANY: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value is a map of subschemas.
const MAP: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
];

/// The JSON Schema type names; any other `type` value does not compile.
pub const TYPES: &[&str] = &[
    "string", "number", "integer", "boolean", "array", "object", "null",
];

/// The first `type` value that is not a JSON Schema type in the schema at
/// `loc` or anything it reaches (subschemas, `$ref`s in any file): where it
/// is and what it says. Run only when a schema fails to compile, so the
/// message can name the value and its place instead of the validator's
/// bare "Unexpected type".
pub fn unknown_type(files: &FileSet, loc: &Loc) -> Option<(Loc, String)> {
    let mut seen = BTreeSet::new();
    let mut stack = vec![loc.clone()];
    while let Some(next) = stack.pop() {
        let Ok((here, v)) = files.deref(&next) else {
            continue;
        };
        if !seen.insert(here.clone()) {
            continue;
        }
        let Some(map) = v.as_object() else { continue };
        match map.get("type") {
            Some(Value::String(t)) if !TYPES.contains(&t.as_str()) => {
                return Some((here.child("type"), t.clone()));
            }
            Some(Value::Array(list)) => {
                for (i, t) in list.iter().enumerate() {
                    if let Some(t) = t.as_str()
                        && !TYPES.contains(&t)
                    {
                        return Some((here.child("type").child(&i.to_string()), t.to_string()));
                    }
                }
            }
            _ => {}
        }
        for (k, sub) in map {
            let k = k.as_str();
            if ONE.contains(&k) {
                stack.push(here.child(k));
            } else if MANY.contains(&k) {
                let n = sub.as_array().map_or(0, Vec::len);
                stack.extend((0..n).map(|i| here.child(k).child(&i.to_string())));
            } else if MAP.contains(&k)
                && let Some(m) = sub.as_object()
            {
                stack.extend(m.keys().map(|name| here.child(k).child(name)));
            }
        }
    }
    None
}

/// The message for an unknown `type` value: the value, the closest type
/// when one is near, and every allowed type.
pub fn unknown_type_message(bad: &str) -> String {
    let closest = TYPES
        .iter()
        .map(|t| {
            (
                strsim::damerau_levenshtein(&bad.to_ascii_lowercase(), t),
                *t,
            )
        })
        .min()
        .filter(|(d, _)| *d <= 2)
        .map(|(_, t)| format!(" (did you mean `{t}`?)"))
        .unwrap_or_default();
    format!(
        "unknown type `{bad}`{closest}; `type` must be one of {}",
        TYPES
            .iter()
            .map(|t| format!("`{t}`"))
            .collect::<Vec<_>>()
            .join(", ")
    )
}

/// Convert every schema of an OpenAPI 3.0 document (root and referenced files).
pub fn convert_document(files: &mut FileSet) {
    let root = files.root.clone();
    let mut queue: VecDeque<(Loc, Kind)> = VecDeque::new();
    let top = Loc::new(&root, "");
    if let Some(schemas) = files
        .get(&top.child("components").child("schemas"))
        .and_then(Value::as_object)
    {
        for name in schemas.keys() {
            queue.push_back((
                top.child("components").child("schemas").child(name),
                Kind::Schema,
            ));
        }
    }
    for (section, kind) in [
        ("parameters", Kind::Parameter),
        ("requestBodies", Kind::RequestBody),
        ("responses", Kind::Response),
        ("headers", Kind::Header),
    ] {
        let loc = top.child("components").child(section);
        if let Some(map) = files.get(&loc).and_then(Value::as_object) {
            for name in map.keys() {
                queue.push_back((loc.child(name), kind));
            }
        }
    }
    if let Some(paths) = files.get(&top.child("paths")).and_then(Value::as_object) {
        for p in paths.keys() {
            queue.push_back((top.child("paths").child(p), Kind::PathItem));
        }
    }
    let mut done: BTreeSet<(Loc, Kind)> = BTreeSet::new();
    while let Some((loc, kind)) = queue.pop_front() {
        if !done.insert((loc.clone(), kind)) {
            continue;
        }
        let Some(value) = files.get(&loc) else {
            continue;
        };
        if let Some(r) = value.get("$ref").and_then(Value::as_str)
            && let Ok(target) = files.target_of(&loc.file, r)
        {
            queue.push_back((target, kind));
            if kind != Kind::Schema {
                continue;
            }
        }
        match kind {
            Kind::Schema => {
                let mut refs = Vec::new();
                if let Some(v) = files.get_mut(&loc) {
                    convert_schema(v, &mut |r| refs.push(r.to_string()));
                }
                for r in refs {
                    if let Ok(t) = files.target_of(&loc.file, &r) {
                        queue.push_back((t, Kind::Schema));
                    }
                }
            }
            Kind::Parameter | Kind::Header => {
                queue.push_back((loc.child("schema"), Kind::Schema));
                push_content(files, &loc, &mut queue);
            }
            Kind::RequestBody => push_content(files, &loc, &mut queue),
            Kind::Response => {
                push_content(files, &loc, &mut queue);
                if let Some(h) = files.get(&loc.child("headers")).and_then(Value::as_object) {
                    for name in h.keys() {
                        queue.push_back((loc.child("headers").child(name), Kind::Header));
                    }
                }
            }
            Kind::PathItem => {
                push_list(files, &loc.child("parameters"), Kind::Parameter, &mut queue);
                for m in METHODS {
                    let mut op = loc.child(m);
                    let Some(raw) = files.get(&op) else { continue };
                    // A `$ref` on an operation object (split documents).
                    if let Some(r) = raw.get("$ref").and_then(Value::as_str)
                        && let Ok(t) = files.target_of(&op.file, r)
                    {
                        op = t;
                    }
                    push_list(files, &op.child("parameters"), Kind::Parameter, &mut queue);
                    if files.get(&op.child("requestBody")).is_some() {
                        queue.push_back((op.child("requestBody"), Kind::RequestBody));
                    }
                    if let Some(r) = files.get(&op.child("responses")).and_then(Value::as_object) {
                        for code in r.keys() {
                            queue.push_back((op.child("responses").child(code), Kind::Response));
                        }
                    }
                    // Callbacks' path items: their schemas are converted like the paths'.
                    if let Some(cbs) = files.get(&op.child("callbacks")).and_then(Value::as_object)
                    {
                        for name in cbs.keys() {
                            let mut cb = op.child("callbacks").child(name);
                            if let Some(r) = cbs[name].get("$ref").and_then(Value::as_str)
                                && let Ok(t) = files.target_of(&cb.file, r)
                            {
                                cb = t;
                            }
                            if let Some(exprs) = files.get(&cb).and_then(Value::as_object) {
                                for e in exprs.keys().filter(|k| !k.starts_with("x-")) {
                                    queue.push_back((cb.child(e), Kind::PathItem));
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

fn push_content(files: &FileSet, loc: &Loc, queue: &mut VecDeque<(Loc, Kind)>) {
    if let Some(c) = files.get(&loc.child("content")).and_then(Value::as_object) {
        for mt in c.keys() {
            queue.push_back((loc.child("content").child(mt).child("schema"), Kind::Schema));
        }
    }
}

fn push_list(files: &FileSet, loc: &Loc, kind: Kind, queue: &mut VecDeque<(Loc, Kind)>) {
    if let Some(items) = files.get(loc).and_then(Value::as_array) {
        for i in 0..items.len() {
            queue.push_back((loc.child(&i.to_string()), kind));
        }
    }
}

/// Convert one schema in place, recursing into its subschemas (not through
/// `$ref`: each ref is reported to `on_ref` so the caller converts its target
/// once).
pub fn convert_schema(v: &mut Value, on_ref: &mut dyn FnMut(&str)) {
    let Value::Object(map) = v else { return };
    if let Some(Value::String(r)) = map.get("$ref") {
        on_ref(r);
    }
    for key in ONE {
        if let Some(child) = map.get_mut(*key) {
            if child.is_object() {
                convert_schema(child, on_ref);
            } else if let Value::Array(items) = child {
                // Draft 4 tuple-form `items`.
                items.iter_mut().for_each(|c| convert_schema(c, on_ref));
            }
        }
    }
    for key in MANY {
        if let Some(Value::Array(items)) = map.get_mut(*key) {
            items.iter_mut().for_each(|c| convert_schema(c, on_ref));
        }
    }
    for key in MAP {
        if let Some(Value::Object(children)) = map.get_mut(*key) {
            children
                .values_mut()
                .for_each(|c| convert_schema(c, on_ref));
        }
    }
    convert_keywords(map);
}

/// The keyword rewrites of one schema object (subschemas already done).
fn convert_keywords(map: &mut Map<String, Value>) {
    // Extensions go, but not the mark of a broken `$ref` (what leaves out
    // the operations that reach it).
    map.retain(|k, _| !k.starts_with("x-") || k == super::refs::BROKEN_REF);
    for (bound, flag) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        if let Some(Value::Bool(b)) = map.get(flag).cloned() {
            map.remove(flag);
            if b && let Some(n) = map.remove(bound) {
                map.insert(flag.to_string(), n);
            }
        }
    }
    if let Some(ex) = map.remove("example")
        && !map.contains_key("examples")
    {
        map.insert("examples".into(), json!([ex]));
    }
    if map.get("type").and_then(Value::as_str) == Some("file") {
        map.insert("type".into(), json!("string"));
        map.insert("format".into(), json!("binary"));
    }
    if map.remove("nullable") == Some(Value::Bool(true)) {
        make_nullable(map);
    }
}

fn make_nullable(map: &mut Map<String, Value>) {
    if let Some(Value::Array(e)) = map.get_mut("enum")
        && !e.contains(&Value::Null)
    {
        e.push(Value::Null);
    }
    match map.get_mut("type") {
        Some(Value::String(t)) => {
            let t = std::mem::take(t);
            map.insert("type".into(), json!([t, "null"]));
        }
        Some(Value::Array(ts)) => {
            if !ts.contains(&json!("null")) {
                ts.push(json!("null"));
            }
        }
        _ => {
            if map.contains_key("$ref")
                || map.contains_key("allOf")
                || map.contains_key("oneOf")
                || map.contains_key("anyOf")
            {
                let inner = std::mem::take(map);
                map.insert(
                    "anyOf".into(),
                    json!([Value::Object(inner), {"type": "null"}]),
                );
            }
        }
    }
}

/// Which side of the exchange a schema view is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// Request bodies and parameters: `readOnly` properties are not required.
    Request,
    /// Responses: `writeOnly` properties are not required.
    Response,
}

/// Make a copy of a file's JSON in which properties marked `readOnly`
/// (requests) or `writeOnly` (responses) are no longer required.
pub fn direction_view(v: &Value, dir: Direction) -> Value {
    let mut out = v.clone();
    relax_required(&mut out, dir);
    out
}

fn relax_required(v: &mut Value, dir: Direction) {
    match v {
        Value::Object(map) => {
            let flag = match dir {
                Direction::Request => "readOnly",
                Direction::Response => "writeOnly",
            };
            let hidden: Vec<String> = map
                .get("properties")
                .and_then(Value::as_object)
                .map(|props| {
                    props
                        .iter()
                        .filter(|(_, s)| s.get(flag) == Some(&Value::Bool(true)))
                        .map(|(k, _)| k.clone())
                        .collect()
                })
                .unwrap_or_default();
            if !hidden.is_empty()
                && let Some(Value::Array(req)) = map.get_mut("required")
            {
                req.retain(|r| !r.as_str().is_some_and(|r| hidden.iter().any(|h| h == r)));
            }
            map.values_mut().for_each(|c| relax_required(c, dir));
        }
        Value::Array(items) => items.iter_mut().for_each(|c| relax_required(c, dir)),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn conv(mut v: Value) -> Value {
        convert_schema(&mut v, &mut |_| {});
        v
    }

    #[test]
    fn nullable_string() {
        assert_eq!(
            conv(json!({"type": "string", "nullable": true})),
            json!({"type": ["string", "null"]})
        );
    }

    #[test]
    fn nullable_enum_gets_null() {
        assert_eq!(
            conv(json!({"type": "string", "enum": ["a"], "nullable": true})),
            json!({"type": ["string", "null"], "enum": ["a", null]})
        );
    }

    #[test]
    fn nullable_false_is_dropped() {
        assert_eq!(
            conv(json!({"type": "string", "nullable": false})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn nullable_ref_becomes_any_of() {
        assert_eq!(
            conv(json!({"$ref": "#/x", "nullable": true})),
            json!({"anyOf": [{"$ref": "#/x"}, {"type": "null"}]})
        );
    }

    #[test]
    fn exclusive_bounds() {
        assert_eq!(
            conv(
                json!({"type": "number", "minimum": 1, "exclusiveMinimum": true, "maximum": 5, "exclusiveMaximum": false})
            ),
            json!({"type": "number", "exclusiveMinimum": 1, "maximum": 5})
        );
    }

    #[test]
    fn example_becomes_examples() {
        assert_eq!(
            conv(json!({"type": "string", "example": "x"})),
            json!({"type": "string", "examples": ["x"]})
        );
    }

    #[test]
    fn x_keywords_dropped() {
        assert_eq!(
            conv(json!({"type": "string", "x-foo": 1})),
            json!({"type": "string"})
        );
    }

    #[test]
    fn nested_subschemas_converted() {
        let v = conv(
            json!({"type": "object", "properties": {"a": {"type": "array", "items": {"type": "integer", "nullable": true}}},
            "allOf": [{"type": "object", "properties": {"b": {"type": "string", "nullable": true}}}]}),
        );
        assert_eq!(
            v["properties"]["a"]["items"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(
            v["allOf"][0]["properties"]["b"]["type"],
            json!(["string", "null"])
        );
    }

    #[test]
    fn unknown_type_found_through_refs_and_named_with_every_allowed_type() {
        let fs = FileSet::new(
            "t.yaml",
            "t.yaml",
            None,
            json!({
                "paths": {"/a": {"get": {"responses": {"200": {"content": {"application/json": {"schema": {"type": "object", "properties": {"n": {"$ref": "#/components/schemas/N"}}}}}}}}}},
                "components": {"schemas": {"N": {"type": "object", "properties": {"v": {"type": ["strin", "null"]}}}}}
            }),
        );
        let at = Loc::new(
            "t.yaml",
            "/paths/~1a/get/responses/200/content/application~1json/schema",
        );
        let (loc, bad) = unknown_type(&fs, &at).unwrap();
        assert_eq!(bad, "strin");
        assert_eq!(loc.pointer, "/components/schemas/N/properties/v/type/0");
        assert_eq!(
            unknown_type_message("strin"),
            "unknown type `strin` (did you mean `string`?); `type` must be one of `string`, `number`, `integer`, `boolean`, `array`, `object`, `null`"
        );
        assert!(!unknown_type_message("date").contains("did you mean"));
        let ok = Loc::new("t.yaml", "/components/schemas/N/properties");
        assert!(unknown_type(&fs, &ok).is_none());
    }

    #[test]
    fn read_only_not_required_in_requests() {
        let v = json!({"type": "object", "required": ["id", "name"], "properties": {"id": {"readOnly": true}, "name": {}}});
        assert_eq!(
            direction_view(&v, Direction::Request)["required"],
            json!(["name"])
        );
        assert_eq!(
            direction_view(&v, Direction::Response)["required"],
            json!(["id", "name"])
        );
    }

    #[test]
    fn document_conversion_reaches_refs_once() {
        let mut fs = FileSet::new(
            "t.yaml",
            "t.yaml",
            None,
            json!({
                "openapi": "3.0.3",
                "paths": {"/a": {"get": {"parameters": [{"name": "q", "in": "query", "schema": {"type": "integer", "nullable": true}}],
                    "responses": {"200": {"description": "", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/N"}}}}}}}},
                "components": {"schemas": {"N": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/N"}, "v": {"type": "string", "nullable": true}}}}}
            }),
        );
        convert_document(&mut fs);
        let v = fs.root_value();
        assert_eq!(
            v["paths"]["/a"]["get"]["parameters"][0]["schema"]["type"],
            json!(["integer", "null"])
        );
        assert_eq!(
            v["components"]["schemas"]["N"]["properties"]["v"]["type"],
            json!(["string", "null"])
        );
    }
}
