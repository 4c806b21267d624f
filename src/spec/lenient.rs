//! What the loader forgives: constructs real documents hold that are sloppy
//! but clear. Each is taken as its author meant it, with a warning naming the
//! place, so `serve` works and `validate` still says what to fix.

use serde_json::{Map, Value};

use super::LoadError;
use super::refs::{FileSet, Loc};

/// Marks a media type whose example came from a vendor extension
/// (`x-examples`), so a mismatch is a notice, not an error.
pub const EXAMPLE_FROM_EXTENSION: &str = "x-specmock-example-from-extension";

/// Boolean `exclusiveMinimum`/`exclusiveMaximum` (the 3.0 form) in a 3.1
/// document: converted to the 2020-12 number form, with a warning each.
pub fn bounds_31(files: &mut FileSet) -> Vec<LoadError> {
    // Look first without writing (the whole document is walked, and almost
    // no 3.1 document has the 3.0 form), then fix the few places found.
    let mut places = Vec::new();
    for (file, v) in &files.files {
        find_bounds(v, &mut Vec::new(), &mut |tokens| {
            let fragment = super::pointer(tokens.iter().map(|t| t.as_ref()));
            places.push(Loc::new(file, &fragment[1..]))
        });
    }
    places.sort();
    let mut out = Vec::new();
    for loc in places {
        if let Some(Value::Object(map)) = files.get_mut(&loc) {
            fix_bounds(map);
        }
        out.push(files.error(
            &loc,
            "boolean exclusiveMinimum/exclusiveMaximum is OpenAPI 3.0's form (3.1 takes the bound itself): converted",
        ));
    }
    out
}

/// Tokens borrow the keys; only array indexes are made (arrays of objects
/// are few in a document).
fn find_bounds<'v>(
    v: &'v Value,
    path: &mut Vec<std::borrow::Cow<'v, str>>,
    found: &mut dyn FnMut(&[std::borrow::Cow<'v, str>]),
) {
    match v {
        Value::Object(map) => {
            if matches!(map.get("exclusiveMinimum"), Some(Value::Bool(_)))
                || matches!(map.get("exclusiveMaximum"), Some(Value::Bool(_)))
            {
                found(path);
            }
            for (k, child) in map {
                if child.is_object() || child.is_array() {
                    path.push(std::borrow::Cow::Borrowed(k));
                    find_bounds(child, path, found);
                    path.pop();
                }
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                if child.is_object() || child.is_array() {
                    path.push(std::borrow::Cow::Owned(i.to_string()));
                    find_bounds(child, path, found);
                    path.pop();
                }
            }
        }
        _ => {}
    }
}

/// `{minimum: 1, exclusiveMinimum: true}` → `{exclusiveMinimum: 1}`;
/// `exclusiveMinimum: false` is dropped. True when anything changed.
fn fix_bounds(map: &mut Map<String, Value>) -> bool {
    let mut changed = false;
    for (bound, exclusive) in [
        ("minimum", "exclusiveMinimum"),
        ("maximum", "exclusiveMaximum"),
    ] {
        let Some(Value::Bool(flag)) = map.get(exclusive).cloned() else {
            continue;
        };
        changed = true;
        map.remove(exclusive);
        if flag && let Some(n) = map.remove(bound) {
            map.insert(exclusive.to_string(), n);
        }
    }
    changed
}

/// True when the example at `loc` was taken from a vendor extension.
pub fn from_extension(files: &FileSet, loc: &Loc) -> bool {
    let Some((parent, _)) = loc.pointer.rsplit_once('/') else {
        return false;
    };
    files
        .get(&Loc::new(&loc.file, parent))
        .and_then(|m| m.get(EXAMPLE_FROM_EXTENSION))
        .is_some()
}

/// An example a vendor extension holds as a JSON string (`x-examples:
/// {application/json: '{"id": 1}'}`), parsed when its schema does not take a
/// string; as written otherwise.
pub fn example_value(raw: &Value, schema: &Value) -> Value {
    let Value::String(text) = raw else {
        return raw.clone();
    };
    if schema.get("type").and_then(Value::as_str) == Some("string") {
        return raw.clone();
    }
    let t = text.trim_start();
    if !(t.starts_with('{') || t.starts_with('[')) {
        return raw.clone();
    }
    serde_json::from_str(text).unwrap_or_else(|_| raw.clone())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn boolean_bounds_become_numbers() {
        let mut m = json!({"type": "integer", "minimum": 0, "exclusiveMinimum": true, "maximum": 9, "exclusiveMaximum": false});
        assert!(fix_bounds(m.as_object_mut().unwrap()));
        assert_eq!(
            m,
            json!({"type": "integer", "exclusiveMinimum": 0, "maximum": 9})
        );
        let mut n = json!({"exclusiveMinimum": 3});
        assert!(!fix_bounds(n.as_object_mut().unwrap()));
    }

    #[test]
    fn json_strings_in_extensions_are_parsed_unless_the_schema_takes_a_string() {
        let raw = json!("{\"id\": 1}");
        assert_eq!(
            example_value(&raw, &json!({"type": "object"})),
            json!({"id": 1})
        );
        assert_eq!(example_value(&raw, &json!({"type": "string"})), raw);
        assert_eq!(
            example_value(&json!("not json"), &json!({})),
            json!("not json")
        );
    }
}
