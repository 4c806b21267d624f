//! The distinct exchanges that kept the contract, as the JSON report lists
//! them (`"interactions"`): what the exports (Pact, the OpenAPI subset) are
//! made from, whether they read a live server or a report file.
//!
//! The request is the journal's (already redacted); the response body is
//! redacted here, the first time it leaves the journal. A body the journal
//! cut and that cannot be redacted as JSON is left out and flagged, never
//! written half-redacted.

use std::collections::HashMap;

use serde_json::{Map, Value, json};

use crate::contract::Contract;
use crate::journal::{Filter, Journal, JournalEntry};
use crate::redact::Credentials;

/// True when a header is left out of the exports: those that describe one
/// connection (never forwarded either), `date`, and specmock's own.
pub fn exported_header(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    !crate::upstream::HOP_BY_HOP.contains(&lower.as_str())
        && lower != "date"
        && !lower.starts_with("x-specmock-")
}

/// The distinct exchanges of the journal that kept the contract (request
/// and, when recording, the upstream's answer), oldest first, each with how
/// many times it was seen.
pub fn interactions(contract: &Contract, journal: &Journal) -> Vec<Value> {
    let creds = contract.credentials();
    let mut out: Vec<Value> = Vec::new();
    let mut seen: HashMap<String, usize> = HashMap::new();
    for e in journal.entries(&Filter::default()) {
        if e.operation.is_none() || !e.violations.is_empty() || !e.response_violations.is_empty() {
            continue;
        }
        // A callback is a request the API sends, not one the consumer made:
        // no interaction of the consumer's (the exports describe those).
        if e.callback.is_some() {
            continue;
        }
        let mut one = interaction(&e, creds);
        let key = one.to_string();
        match seen.get(&key) {
            Some(&i) => {
                if let Some(n) = out[i]["count"].as_u64() {
                    out[i]["count"] = json!(n + 1);
                }
            }
            None => {
                seen.insert(key, out.len());
                one["count"] = json!(1);
                out.push(one);
            }
        }
    }
    out
}

/// One exchange: the journal's request, the response body redacted.
fn interaction(e: &JournalEntry, creds: &Credentials) -> Value {
    let headers: Map<String, Value> = e
        .headers()
        .iter()
        .filter(|(k, _)| exported_header(k))
        .map(|(k, v)| (k.to_ascii_lowercase(), json!(v)))
        .collect();
    let mut request = json!({"method": e.method.as_str(), "path": e.path()});
    if let Some(q) = e.query() {
        request["query"] = json!(q);
    }
    if !headers.is_empty() {
        request["headers"] = Value::Object(headers);
    }
    if let Some(b) = e.body() {
        request["body"] = json!(b);
    }
    if e.body_truncated {
        request["bodyTruncated"] = json!(true);
    }
    if !e.path_params().is_empty() {
        request["pathParams"] = Value::Object(
            e.path_params()
                .iter()
                .map(|(k, v)| (k.to_string(), json!(v)))
                .collect(),
        );
    }
    let r = &e.response;
    let ct = r
        .content_type
        .as_ref()
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let mut response = json!({"status": e.status});
    if !ct.is_empty() {
        response["contentType"] = json!(ct);
    }
    if !r.body.is_empty() {
        match response_body(ct, &r.body, r.truncated, creds) {
            Some(text) => response["body"] = json!(text),
            None if r.truncated => {}
            None => response["body"] = json!(format!("<{} bytes of {ct}>", r.body.len())),
        }
    }
    if r.truncated {
        response["bodyTruncated"] = json!(true);
    }
    json!({"operation": e.operation, "request": request, "response": response})
}

/// The response body as it may be written: JSON parsed and redacted, a form
/// redacted, other text as it is; `None` for bytes that are not text and for
/// a cut body that cannot be redacted.
fn response_body(ct: &str, body: &[u8], truncated: bool, creds: &Credentials) -> Option<String> {
    if crate::media::is_json(ct) {
        return match serde_json::from_slice::<Value>(body) {
            Ok(mut v) => {
                creds.body(&mut v);
                Some(v.to_string())
            }
            // Cut JSON cannot be redacted: left out rather than risk a secret.
            Err(_) => None,
        };
    }
    if ct.starts_with("application/x-www-form-urlencoded") {
        return (!truncated).then(|| creds.form(body));
    }
    let text = std::str::from_utf8(body).ok()?;
    (ct.starts_with("text/") || ct.is_empty()).then(|| text.to_string())
}
