//! The gathered operations written out as an OpenAPI 3.0.3 document, which
//! the normal loader then reads like any other: JSON schemas inferred from
//! the examples, forms' schemas from their fields, saved responses by status.

use std::collections::BTreeMap;

use serde_json::{Map, Value, json};

use super::body::{Body, Saved, form_example, form_schema, is_json};
use super::convert::{Op, Walk};
use super::infer::schema_of;
use super::url::Pair;
use super::variables::looks_secret;

/// The OpenAPI document for a walked collection.
pub(super) fn openapi(collection: &Value, walk: &Walk<'_>, fallback_title: &str) -> Value {
    let info = collection.get("info");
    let title = info
        .and_then(|i| i.get("name"))
        .and_then(Value::as_str)
        .unwrap_or(fallback_title);
    let version = info
        .and_then(|i| i.get("version"))
        .and_then(|v| match v {
            Value::String(s) => Some(s.clone()),
            Value::Object(o) => Some(format!(
                "{}.{}.{}",
                o.get("major").and_then(Value::as_u64).unwrap_or(0),
                o.get("minor").and_then(Value::as_u64).unwrap_or(0),
                o.get("patch").and_then(Value::as_u64).unwrap_or(0)
            )),
            _ => None,
        })
        .unwrap_or_else(|| "1".into());
    let mut doc = json!({
        "openapi": "3.0.3",
        "info": {"title": title, "version": version},
        "paths": {},
    });
    if let Some(d) = info
        .and_then(|i| i.get("description"))
        .and_then(super::url::description)
    {
        doc["info"]["description"] = Value::String(d);
    }
    if let Some(server) = &walk.server {
        doc["servers"] = json!([{ "url": server }]);
    }
    if !walk.tags.is_empty() {
        doc["tags"] = walk
            .tags
            .iter()
            .map(|(name, desc)| match desc {
                Some(d) => json!({"name": name, "description": d}),
                None => json!({ "name": name }),
            })
            .collect();
    }
    if !walk.schemes.is_empty() {
        doc["components"] = json!({ "securitySchemes": walk.schemes });
    }
    let paths = doc["paths"].as_object_mut().expect("paths is an object");
    for op in &walk.ops {
        let item = paths
            .entry(op.path.clone())
            .or_insert_with(|| Value::Object(Map::new()));
        item[&op.method] = operation(op);
    }
    doc
}

fn operation(op: &Op) -> Value {
    let mut o = json!({
        "operationId": op.operation_id,
        "summary": op.summary,
        "parameters": parameters(op),
        "responses": responses(&op.responses),
        "security": security(&op.security),
    });
    if let Some(d) = &op.description {
        o["description"] = Value::String(d.clone());
    }
    if let Some(t) = &op.tag {
        o["tags"] = json!([t]);
    }
    if let Some(b) = request_body(&op.bodies) {
        o["requestBody"] = b;
    }
    o
}

/// An example value worth showing: not a `{{variable}}` nobody defined.
fn example(v: &Option<String>) -> Option<Value> {
    v.as_ref()
        .filter(|v| !v.contains("{{"))
        .map(|v| Value::String(v.clone()))
}

fn parameters(op: &Op) -> Value {
    let mut out = Vec::new();
    for (name, value, desc) in &op.path_params {
        let mut p =
            json!({"name": name, "in": "path", "required": true, "schema": {"type": "string"}});
        if let Some(v) = example(value) {
            p["example"] = v;
        }
        if let Some(d) = desc {
            p["description"] = Value::String(d.clone());
        }
        out.push(p);
    }
    let mut declared = |list: &[Pair], location: &str| {
        for q in list {
            let mut p = json!({"name": q.key, "in": location, "required": false, "schema": {"type": "string"}});
            // A credential's value is no example: it stays out of the contract.
            if let Some(v) = example(&q.value).filter(|_| !looks_secret(&q.key)) {
                p["example"] = v;
            }
            if let Some(d) = &q.description {
                p["description"] = Value::String(d.clone());
            }
            out.push(p);
        }
    };
    declared(&op.query, "query");
    declared(&op.headers, "header");
    Value::Array(out)
}

/// Unique example names: a second `Get user` becomes `Get user (2)`.
fn add_example(examples: &mut Map<String, Value>, name: &str, value: Value) {
    let mut key = name.to_string();
    let mut n = 2;
    while examples.contains_key(&key) {
        key = format!("{name} ({n})");
        n += 1;
    }
    examples.insert(key, json!({ "value": value }));
}

fn request_body(bodies: &[(String, Option<Body>)]) -> Option<Value> {
    let sent: Vec<(&str, &Body)> = bodies
        .iter()
        .filter_map(|(n, b)| b.as_ref().map(|b| (n.as_str(), b)))
        .collect();
    if sent.is_empty() {
        return None;
    }
    let mut by_media: BTreeMap<&str, Vec<(&str, &Body)>> = BTreeMap::new();
    for (n, b) in &sent {
        by_media.entry(b.media()).or_default().push((n, b));
    }
    let mut content = Map::new();
    for (media, list) in by_media {
        let mut examples = Map::new();
        let schema = match list[0].1 {
            Body::Json { .. } => {
                let values: Vec<&Value> = list
                    .iter()
                    .filter_map(|(_, b)| match b {
                        Body::Json { value, .. } => Some(value),
                        _ => None,
                    })
                    .collect();
                for (n, b) in &list {
                    if let Body::Json { value, .. } = b {
                        add_example(&mut examples, n, value.clone());
                    }
                }
                Some(schema_of(&values))
            }
            Body::Form { .. } => {
                let forms: Vec<&[Pair]> = list
                    .iter()
                    .filter_map(|(_, b)| match b {
                        Body::Form { fields, .. } => Some(fields.as_slice()),
                        _ => None,
                    })
                    .collect();
                for (n, f) in list.iter().zip(&forms) {
                    add_example(&mut examples, n.0, form_example(f));
                }
                Some(form_schema(&forms))
            }
            Body::Text { .. } => {
                for (n, b) in &list {
                    if let Body::Text { text, .. } = b {
                        add_example(&mut examples, n, Value::String(text.clone()));
                    }
                }
                Some(json!({"type": "string"}))
            }
            Body::File => Some(json!({"type": "string", "format": "binary"})),
            Body::BrokenJson { .. } => None,
        };
        let mut m = Map::new();
        if let Some(s) = schema {
            m.insert("schema".into(), s);
        }
        if !examples.is_empty() {
            m.insert("examples".into(), Value::Object(examples));
        }
        content.insert(media.to_string(), Value::Object(m));
    }
    Some(json!({"required": sent.len() == bodies.len(), "content": content}))
}

fn responses(saved: &[Saved]) -> Value {
    if saved.is_empty() {
        return json!({"200": {"description": "no saved response in the collection"}});
    }
    let mut by_code: BTreeMap<u16, Vec<&Saved>> = BTreeMap::new();
    for s in saved {
        by_code.entry(s.code).or_default().push(s);
    }
    let mut out = Map::new();
    for (code, list) in by_code {
        let description = list
            .iter()
            .map(|s| match &s.status {
                Some(st) if !st.is_empty() => format!("{} ({st})", s.name),
                _ => s.name.clone(),
            })
            .collect::<Vec<_>>()
            .join("; ");
        let mut r = json!({ "description": description });
        let mut headers = Map::new();
        for h in list.iter().flat_map(|s| &s.headers) {
            if headers.keys().any(|k| k.eq_ignore_ascii_case(&h.key)) {
                continue;
            }
            let mut d = json!({"schema": {"type": "string"}});
            if let Some(v) = example(&h.value).filter(|_| !looks_secret(&h.key)) {
                d["example"] = v;
            }
            headers.insert(h.key.clone(), d);
        }
        if !headers.is_empty() {
            r["headers"] = Value::Object(headers);
        }
        let mut by_media: BTreeMap<&str, Vec<(&str, &Value)>> = BTreeMap::new();
        for s in &list {
            if let Some((media, value)) = &s.body {
                by_media
                    .entry(media.as_str())
                    .or_default()
                    .push((s.name.as_str(), value));
            }
        }
        let mut content = Map::new();
        for (media, bodies) in by_media {
            let schema = if is_json(media) {
                schema_of(&bodies.iter().map(|(_, v)| *v).collect::<Vec<_>>())
            } else {
                json!({"type": "string"})
            };
            let mut examples = Map::new();
            for (n, v) in bodies {
                add_example(&mut examples, n, v.clone());
            }
            content.insert(
                media.to_string(),
                json!({"schema": schema, "examples": examples}),
            );
        }
        if !content.is_empty() {
            r["content"] = Value::Object(content);
        }
        out.insert(code.to_string(), r);
    }
    Value::Object(out)
}

/// Each distinct scheme an alternative; a request without credentials makes
/// them optional (`{}`), none at all is `[]`.
fn security(requests: &[Option<String>]) -> Value {
    let mut alternatives: Vec<Value> = Vec::new();
    for r in requests {
        let alt = match r {
            Some(name) => json!({ name: [] }),
            None => json!({}),
        };
        if !alternatives.contains(&alt) {
            alternatives.push(alt);
        }
    }
    if alternatives
        .iter()
        .all(|a| a.as_object().is_some_and(Map::is_empty))
    {
        return json!([]);
    }
    Value::Array(alternatives)
}
