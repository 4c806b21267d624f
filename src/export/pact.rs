//! A Pact v4 file from the exchanges that kept the contract: one
//! `Synchronous/HTTP` interaction per distinct exchange, with matching rules
//! from the schema (see [`super::matchers`]) so the provider is held to the
//! contract's types and patterns, not to the mock's sample values.
//!
//! Bodies are the journal's (redacted). A body the journal cut is replaced by
//! a value generated from its schema, matched by the schema's rules only, and
//! the interaction says so in its `comments`.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use super::matchers::{self, Rules};
use super::{ExportError, Names};
use crate::contract::Contract;
use crate::generate::{self, Hints, Plans};
use crate::redact::REDACTED;
use crate::spec::{Direction, Document, MediaType, Operation, ParamIn};

/// The Pact file for these interactions (the JSON report's `interactions`).
pub fn pact(
    contract: &Contract,
    interactions: &[Value],
    names: &Names,
) -> Result<Value, ExportError> {
    let mut out = Vec::new();
    let mut descriptions: HashMap<String, usize> = HashMap::new();
    for (i, it) in interactions.iter().enumerate() {
        let id = it["operation"].as_str().unwrap_or_default();
        let Some(op) = contract.operation(id) else {
            return Err(ExportError(format!(
                "interactions[{i}] names operation \"{id}\", which the loaded documents do not have: \
                 export with the documents the report was made with"
            )));
        };
        let Some(doc) = contract.document(&op.document) else {
            continue;
        };
        let doc = Doc {
            document: doc,
            plans: contract.plans(&doc.name),
        };
        let mut comments = Vec::new();
        let request = request(doc, op, &it["request"], &mut comments);
        let response = response(doc, op, &it["response"], &mut comments);
        let base = format!(
            "{}: {} {} -> {}",
            op.display_id,
            it["request"]["method"].as_str().unwrap_or_default(),
            it["request"]["path"].as_str().unwrap_or_default(),
            it["response"]["status"]
        );
        let n = descriptions.entry(base.clone()).or_insert(0);
        *n += 1;
        let description = if *n == 1 {
            base
        } else {
            format!("{base} ({n})")
        };
        let mut interaction = json!({
            "type": "Synchronous/HTTP",
            "description": description,
            "pending": false,
            "request": request,
            "response": response,
        });
        if !comments.is_empty() {
            interaction["comments"] = json!({"text": comments});
        }
        out.push(interaction);
    }
    Ok(json!({
        "consumer": {"name": names.consumer},
        "provider": {"name": names.provider},
        "interactions": out,
        "metadata": {
            "pactSpecification": {"version": "4.0"},
            "specmock": {"version": env!("CARGO_PKG_VERSION")},
        },
    }))
}

fn request(doc: Doc<'_>, op: &Operation, r: &Value, comments: &mut Vec<String>) -> Value {
    let mut out = json!({
        "method": r["method"],
        "path": r["path"],
    });
    let mut rules = Map::new();
    if let Some(path_rule) = matchers::path_matcher(&op.route) {
        rules.insert("path".into(), path_rule);
    }
    if let Some(q) = r["query"].as_str() {
        let mut query: Map<String, Value> = Map::new();
        let mut query_rules = Rules::default();
        for (k, v) in form_urlencoded::parse(q.as_bytes()) {
            let values = query.entry(k.to_string()).or_insert_with(|| json!([]));
            if let Some(list) = values.as_array_mut() {
                list.push(json!(v));
            }
            let matcher = if v == REDACTED {
                json!({"match": "type"})
            } else {
                let schema = param(op, ParamIn::Query, &k).and_then(|p| p.schema.as_ref());
                matchers::parameter_matcher(&doc.files, schema.map(|s| &s.loc))
            };
            query_rules.set(&k, matcher);
        }
        out["query"] = Value::Object(query);
        if let Some(q) = query_rules.into_json() {
            rules.insert("query".into(), q);
        }
    }
    let mut content_type = String::new();
    if let Some(headers) = r["headers"].as_object() {
        let mut header_rules = Rules::default();
        let mut h = Map::new();
        for (k, v) in headers {
            let value = v.as_str().unwrap_or_default();
            if k == "content-type" {
                content_type = value.to_string();
            }
            h.insert(k.clone(), json!([value]));
            if value == REDACTED {
                header_rules.set(k, json!({"match": "type"}));
            } else if let Some(p) = param(op, ParamIn::Header, k) {
                let schema = p.schema.as_ref().map(|s| &s.loc);
                header_rules.set(k, matchers::parameter_matcher(&doc.files, schema));
            }
        }
        out["headers"] = Value::Object(h);
        if let Some(hr) = header_rules.into_json() {
            rules.insert("header".into(), hr);
        }
    }
    let media = op
        .request_body
        .as_ref()
        .and_then(|b| media_for(&b.content, &content_type));
    if let Some((body, body_rules)) = body(
        doc,
        media,
        &r["body"],
        r["bodyTruncated"] == true,
        &content_type,
        Direction::Request,
        "request",
        comments,
    ) {
        out["body"] = body;
        if let Some(b) = body_rules {
            rules.insert("body".into(), b);
        }
    }
    if !rules.is_empty() {
        out["matchingRules"] = Value::Object(rules);
    }
    out
}

fn response(doc: Doc<'_>, op: &Operation, r: &Value, comments: &mut Vec<String>) -> Value {
    let status = r["status"].as_u64().unwrap_or(0) as u16;
    let mut out = json!({"status": status});
    let content_type = r["contentType"].as_str().unwrap_or_default().to_string();
    if !content_type.is_empty() {
        out["headers"] = json!({"content-type": [content_type]});
    }
    let media = op
        .declared_for(status)
        .and_then(|resp| media_for(&resp.content, &content_type));
    if let Some((body, rules)) = body(
        doc,
        media,
        &r["body"],
        r["bodyTruncated"] == true,
        &content_type,
        Direction::Response,
        "response",
        comments,
    ) {
        out["body"] = body;
        if let Some(b) = rules {
            out["matchingRules"] = json!({"body": b});
        }
    }
    out
}

/// A Pact body and its rules. JSON is parsed and matched by its schema; a
/// body the journal cut becomes a value generated from the schema (flagged);
/// other text is kept as it is, matched literally.
#[allow(clippy::too_many_arguments)]
fn body(
    doc: Doc<'_>,
    media: Option<&MediaType>,
    text: &Value,
    truncated: bool,
    content_type: &str,
    dir: Direction,
    side: &str,
    comments: &mut Vec<String>,
) -> Option<(Value, Option<Value>)> {
    let schema = media.and_then(|m| m.schema.as_ref()).map(|s| &s.loc);
    let json_type = if content_type.is_empty() {
        "application/json"
    } else {
        content_type
    };
    let parsed = text
        .as_str()
        .filter(|_| crate::media::is_json(json_type) && !truncated)
        .and_then(|t| serde_json::from_str::<Value>(t).ok());
    let value = match (parsed, truncated) {
        (Some(v), _) => v,
        (None, true) => {
            let Some(loc) = schema else {
                comments.push(format!(
                    "specmock: the journal cut the {side} body and its media type has no schema: the body is left out"
                ));
                return None;
            };
            comments.push(format!(
                "specmock: the journal cut the {side} body; it is a value generated from the schema, matched by the schema's rules only"
            ));
            let plans = doc.plans?;
            generate::generate_for(plans, loc, 0x9ac7, &Hints::NONE, dir)
        }
        (None, false) => {
            let t = text.as_str()?;
            let body = json!({"content": t, "contentType": content_type, "encoded": false});
            return Some((body, None));
        }
    };
    let rules = matchers::body_rules(&doc.files, schema, &value).into_json();
    let body = json!({"content": value, "contentType": json_type, "encoded": false});
    Some((body, rules))
}

/// The media type of a body: the one named like the content type, else the
/// first with a schema.
fn media_for<'m>(content: &'m [MediaType], content_type: &str) -> Option<&'m MediaType> {
    let base = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    content
        .iter()
        .find(|m| m.media_type.eq_ignore_ascii_case(&base))
        .or_else(|| content.iter().find(|m| m.schema.is_some()))
}

fn param<'o>(
    op: &'o Operation,
    location: ParamIn,
    name: &str,
) -> Option<&'o crate::spec::Parameter> {
    op.parameters.iter().find(|p| {
        p.location == location
            && if location == ParamIn::Header {
                p.name.eq_ignore_ascii_case(name)
            } else {
                p.name == name
            }
    })
}

/// A document with its generation plans (a body the journal cut is
/// generated from them).
#[derive(Clone, Copy)]
struct Doc<'a> {
    document: &'a Document,
    plans: Option<&'a Plans>,
}

impl std::ops::Deref for Doc<'_> {
    type Target = Document;
    fn deref(&self) -> &Document {
        self.document
    }
}
