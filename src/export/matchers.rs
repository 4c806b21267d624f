//! Pact matching rules derived from the schema, not from the values: a
//! consumer's interaction says "an integer", "a string like this pattern",
//! "one of these enum values", so the provider's real answers match it, not
//! only the bytes the mock happened to serve.
//!
//! Rules are keyed by Pact's JSON paths (`$.a.b`, `$.items[*].id`,
//! `$['odd key']`). A value walked alongside its schema follows `$ref`,
//! `allOf` (all branches), `oneOf`/`anyOf` (the branch the value fits best),
//! `items` and `additionalProperties`. Where several array items would give
//! one path different rules, the path falls back to a type match.

use serde_json::{Map, Value, json};

use crate::redact::REDACTED;
use crate::spec::{FileSet, Loc};

/// Deepest schema walk (against recursive schemas and deep values).
const MAX_DEPTH: usize = 48;

/// Rules of one category, by path.
#[derive(Debug, Default)]
pub struct Rules(Map<String, Value>);

impl Rules {
    /// Set one matcher at a path; a different one already there (array items
    /// of different shapes) makes the path a plain type match.
    pub fn set(&mut self, path: &str, matcher: Value) {
        let group = json!({"combine": "AND", "matchers": [matcher]});
        match self.0.get(path) {
            Some(old) if *old != group => {
                self.0.insert(path.to_string(), type_group());
            }
            Some(_) => {}
            None => {
                self.0.insert(path.to_string(), group);
            }
        }
    }

    /// The rules as Pact writes a category.
    pub fn into_json(self) -> Option<Value> {
        (!self.0.is_empty()).then_some(Value::Object(self.0))
    }
}

fn type_group() -> Value {
    json!({"combine": "AND", "matchers": [{"match": "type"}]})
}

/// A Pact JSON path one object key deeper.
pub fn child_path(path: &str, key: &str) -> String {
    let plain = key
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
    if plain {
        format!("{path}.{key}")
    } else {
        let escaped = key.replace('\\', "\\\\").replace('\'', "\\'");
        format!("{path}['{escaped}']")
    }
}

/// Body rules for `value`, an instance of the schema at `schema` (none: type
/// matches from the value's own shape).
pub fn body_rules(files: &FileSet, schema: Option<&Loc>, value: &Value) -> Rules {
    let mut rules = Rules::default();
    walk(files, schema, value, "$", &mut rules, 0);
    rules
}

fn walk(
    files: &FileSet,
    schema: Option<&Loc>,
    value: &Value,
    path: &str,
    rules: &mut Rules,
    depth: usize,
) {
    let nodes = match schema {
        Some(loc) if depth < MAX_DEPTH => effective(files, loc, value, 0),
        _ => Vec::new(),
    };
    match value {
        Value::Object(map) => {
            // A map (`additionalProperties` only, no key declared): its keys
            // are the consumer's data, so the rule is on the values.
            let declared = |k: &str| {
                nodes
                    .iter()
                    .any(|(_, v)| v.get("properties").and_then(|p| p.get(k)).is_some())
            };
            let values = nodes
                .iter()
                .find(|(_, v)| v.get("additionalProperties").is_some_and(Value::is_object))
                .map(|(l, _)| l.child("additionalProperties"))
                .filter(|_| !map.is_empty() && !map.keys().any(|k| declared(k)));
            if let Some(each) = values {
                rules.set(path, json!({"match": "values"}));
                let item_path = format!("{path}.*");
                for child in map.values() {
                    walk(files, Some(&each), child, &item_path, rules, depth + 1);
                }
                return;
            }
            if path != "$" {
                rules.set(path, json!({"match": "type"}));
            }
            for (k, child) in map {
                let sub = property_schema(&nodes, k);
                walk(
                    files,
                    sub.as_ref(),
                    child,
                    &child_path(path, k),
                    rules,
                    depth + 1,
                );
            }
        }
        Value::Array(items) => {
            rules.set(path, json!({"match": "type"}));
            let sub = nodes
                .iter()
                .find_map(|(l, v)| v.get("items").map(|_| l.child("items")));
            let item_path = format!("{path}[*]");
            for item in items {
                walk(files, sub.as_ref(), item, &item_path, rules, depth + 1);
            }
        }
        scalar => rules.set(path, scalar_matcher(&nodes, scalar)),
    }
}

/// The matcher for a scalar: an enum of strings or a pattern or format as a
/// regex, an integer, a number, a boolean; else a type match. A redacted
/// value only promises its type.
fn scalar_matcher(nodes: &[(Loc, &Value)], value: &Value) -> Value {
    match value {
        Value::String(s) if s == REDACTED => json!({"match": "type"}),
        Value::String(_) => {
            for (_, n) in nodes {
                if let Some(options) = n.get("enum").and_then(Value::as_array)
                    && options.iter().all(Value::is_string)
                    && !options.is_empty()
                {
                    let alternatives: Vec<String> = options
                        .iter()
                        .filter_map(Value::as_str)
                        .map(regex_syntax::escape)
                        .collect();
                    return json!({"match": "regex", "regex": format!("^({})$", alternatives.join("|"))});
                }
            }
            for (_, n) in nodes {
                if let Some(p) = n.get("pattern").and_then(Value::as_str) {
                    return json!({"match": "regex", "regex": p});
                }
            }
            for (_, n) in nodes {
                if let Some(re) = n
                    .get("format")
                    .and_then(Value::as_str)
                    .and_then(format_regex)
                {
                    return json!({"match": "regex", "regex": re});
                }
            }
            json!({"match": "type"})
        }
        Value::Number(n) if n.is_i64() || n.is_u64() => {
            let declared_number = nodes.iter().any(|(_, s)| has_type(s, "number"));
            if declared_number {
                json!({"match": "number"})
            } else {
                json!({"match": "integer"})
            }
        }
        Value::Number(_) => json!({"match": "number"}),
        Value::Bool(_) => json!({"match": "boolean"}),
        _ => json!({"match": "type"}),
    }
}

/// A matcher for a query or header parameter's value (always a string in
/// Pact) from its schema: integers, numbers, booleans, enums, patterns and
/// formats as a regex, anything else a type match.
pub fn parameter_matcher(files: &FileSet, schema: Option<&Loc>) -> Value {
    let nodes = match schema {
        Some(loc) => effective(files, loc, &Value::Null, 0),
        None => Vec::new(),
    };
    let any = |t: &str| nodes.iter().any(|(_, n)| has_type(n, t));
    if nodes.iter().any(|(_, n)| n.get("enum").is_some()) {
        let options: Vec<String> = nodes
            .iter()
            .filter_map(|(_, n)| n.get("enum").and_then(Value::as_array))
            .flatten()
            .map(|v| match v {
                Value::String(s) => regex_syntax::escape(s),
                other => regex_syntax::escape(&other.to_string()),
            })
            .collect();
        return json!({"match": "regex", "regex": format!("^({})$", options.join("|"))});
    }
    if any("integer") {
        return json!({"match": "regex", "regex": "^-?[0-9]+$"});
    }
    if any("number") {
        return json!({"match": "regex", "regex": "^-?[0-9]+(\\.[0-9]+)?([eE][+-]?[0-9]+)?$"});
    }
    if any("boolean") {
        return json!({"match": "regex", "regex": "^(true|false)$"});
    }
    let scalar = scalar_matcher(&nodes, &Value::String(String::new()));
    if scalar["match"] == "regex" {
        return scalar;
    }
    json!({"match": "type"})
}

/// The path rule for a templated route: each `{parameter}` one segment.
pub fn path_matcher(route: &str) -> Option<Value> {
    if !route.contains('{') {
        return None;
    }
    let mut re = String::from("^");
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        re.push_str(&regex_syntax::escape(&rest[..open]));
        match rest[open..].find('}') {
            Some(close) => {
                re.push_str("[^/]+");
                rest = &rest[open + close + 1..];
            }
            None => {
                rest = &rest[open..];
                break;
            }
        }
    }
    re.push_str(&regex_syntax::escape(rest));
    re.push('$');
    Some(json!({"combine": "AND", "matchers": [{"match": "regex", "regex": re}]}))
}

/// Regexes for the string formats a provider's values are checked against.
fn format_regex(format: &str) -> Option<&'static str> {
    Some(match format {
        "date-time" => {
            "^[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt ][0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})$"
        }
        "date" => "^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
        "time" => "^[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?$",
        "uuid" => "^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$",
        "email" => "^[^@\\s]+@[^@\\s]+$",
        "ipv4" => "^([0-9]{1,3}\\.){3}[0-9]{1,3}$",
        "uri" | "url" => "^[A-Za-z][A-Za-z0-9+.-]*:",
        _ => return None,
    })
}

/// True when a schema declares this type (`type: x` or `type: [x, ...]`).
fn has_type(schema: &Value, t: &str) -> bool {
    match schema.get("type") {
        Some(Value::String(s)) => s == t,
        Some(Value::Array(list)) => list.iter().any(|v| v.as_str() == Some(t)),
        _ => false,
    }
}

/// The schema nodes that together describe `value`: the node itself (after
/// `$ref`), every `allOf` branch, and the `oneOf`/`anyOf` branch it fits best.
pub fn effective<'f>(
    files: &'f FileSet,
    loc: &Loc,
    value: &Value,
    depth: usize,
) -> Vec<(Loc, &'f Value)> {
    let Ok((loc, node)) = files.deref(loc) else {
        return Vec::new();
    };
    if depth > 8 {
        return vec![(loc, node)];
    }
    let mut out = vec![(loc.clone(), node)];
    if let Some(all) = node.get("allOf").and_then(Value::as_array) {
        for i in 0..all.len() {
            let branch = loc.child("allOf").child(&i.to_string());
            out.extend(effective(files, &branch, value, depth + 1));
        }
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(list) = node.get(key).and_then(Value::as_array) {
            let best = (0..list.len())
                .map(|i| loc.child(key).child(&i.to_string()))
                .max_by_key(|b| fit(files, b, value));
            if let Some(b) = best {
                out.extend(effective(files, &b, value, depth + 1));
            }
        }
    }
    out
}

/// How well a value fits a branch: its type must agree; an object scores
/// its required members present and its keys the branch declares.
fn fit(files: &FileSet, loc: &Loc, value: &Value) -> i64 {
    let Ok((_, node)) = files.deref(loc) else {
        return i64::MIN;
    };
    let kind = match value {
        Value::Object(_) => "object",
        Value::Array(_) => "array",
        Value::String(_) => "string",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_f64() => "number",
        Value::Number(_) => "integer",
        Value::Null => "null",
    };
    let typed = node.get("type").is_some();
    let agrees = has_type(node, kind)
        || (kind == "integer" && has_type(node, "number"))
        || (kind == "null" && node.get("nullable") == Some(&Value::Bool(true)));
    if typed && !agrees {
        return -1_000;
    }
    let mut score = if agrees { 10 } else { 0 };
    if let (Value::Object(map), Some(props)) =
        (value, node.get("properties").and_then(Value::as_object))
    {
        score += map.keys().filter(|k| props.contains_key(*k)).count() as i64;
        if let Some(required) = node.get("required").and_then(Value::as_array) {
            let missing = required
                .iter()
                .filter_map(Value::as_str)
                .filter(|r| !map.contains_key(*r))
                .count() as i64;
            score -= 100 * missing;
        }
    }
    score
}

/// The schema of an object's member: a declared property of any of the
/// nodes, else their `additionalProperties` schema.
pub fn property_schema(nodes: &[(Loc, &Value)], key: &str) -> Option<Loc> {
    nodes
        .iter()
        .find_map(|(l, v)| {
            v.get("properties")
                .and_then(|p| p.get(key))
                .map(|_| l.child("properties").child(key))
        })
        .or_else(|| {
            nodes.iter().find_map(|(l, v)| {
                v.get("additionalProperties")
                    .filter(|a| a.is_object())
                    .map(|_| l.child("additionalProperties"))
            })
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_quote_keys_that_are_not_identifiers() {
        assert_eq!(child_path("$", "name"), "$.name");
        assert_eq!(child_path("$.a", "x-rate"), "$.a['x-rate']");
        assert_eq!(child_path("$", "it's"), "$['it\\'s']");
    }

    #[test]
    fn templated_routes_become_one_segment_per_parameter() {
        let r = path_matcher("/v2/tokens/{id}/regenerate").unwrap();
        assert_eq!(r["matchers"][0]["regex"], "^/v2/tokens/[^/]+/regenerate$");
        assert!(path_matcher("/v2/tokens").is_none());
    }

    #[test]
    fn rules_follow_the_schema_not_the_values() {
        let doc = json!({"components": {"schemas": {
            "T": {"type": "object", "properties": {
                "id": {"type": "integer"},
                "kind": {"type": "string", "enum": ["a", "b.c"]},
                "at": {"type": "string", "format": "date-time"},
                "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                "caps": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string", "enum": ["read"]}}}
            }},
            "Tag": {"type": "object", "properties": {"name": {"type": "string", "pattern": "^[a-z]+$"}}}
        }}});
        let files = FileSet::new("t.yaml", "t.yaml", None, doc);
        let loc = Loc::new("t.yaml", "/components/schemas/T");
        let v = json!({"id": 3, "kind": "a", "at": "2030-01-01T00:00:00Z", "tags": [{"name": "x"}], "token": REDACTED, "caps": {"ds-1": ["read"]}});
        let rules = body_rules(&files, Some(&loc), &v).into_json().unwrap();
        assert_eq!(rules["$.id"]["matchers"][0]["match"], "integer");
        assert_eq!(rules["$.kind"]["matchers"][0]["regex"], "^(a|b\\.c)$");
        assert!(
            rules["$.at"]["matchers"][0]["regex"]
                .as_str()
                .unwrap()
                .starts_with("^[0-9]{4}")
        );
        assert_eq!(rules["$.tags"]["matchers"][0]["match"], "type");
        assert_eq!(rules["$.tags[*].name"]["matchers"][0]["regex"], "^[a-z]+$");
        assert_eq!(rules["$.token"]["matchers"][0]["match"], "type");
        // A map's keys are data: its values are matched, whatever their key.
        assert_eq!(rules["$.caps"]["matchers"][0]["match"], "values");
        assert_eq!(rules["$.caps.*[*]"]["matchers"][0]["regex"], "^(read)$");
        assert!(rules.get("$.caps['ds-1']").is_none());
    }
}
