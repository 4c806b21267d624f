//! A journal entry as JSON (the admin API, the reports, `MockServer`'s
//! client): the shape of the entry's fields, whatever its memory layout.

use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::pairs::{self, Pairs, PairsRef};
use super::text::EntryText;
use super::{CallbackInfo, JournalEntry, ServedResponse, Timestamp};
use crate::validate::Violation;

/// Borrowed from the entry: serialising it copies nothing.
#[derive(Serialize)]
struct Out<'a> {
    id: u64,
    time: &'a Timestamp,
    method: &'a str,
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    query: Option<&'a str>,
    headers: PairsRef<'a>,
    #[serde(skip_serializing_if = "Option::is_none")]
    body: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    body_truncated: bool,
    operation: Option<&'a str>,
    #[serde(
        skip_serializing_if = "PairsRef::is_empty",
        serialize_with = "pairs::as_object"
    )]
    path_params: PairsRef<'a>,
    status: u16,
    violations: &'a [Violation],
    #[serde(skip_serializing_if = "none")]
    warnings: &'a [Violation],
    #[serde(skip_serializing_if = "none")]
    response_violations: &'a [Violation],
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    forwarded: bool,
    duration_us: u64,
    #[serde(skip_serializing_if = "Option::is_none")]
    chaos: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback: Option<&'a CallbackInfo>,
}

fn none(list: &&[Violation]) -> bool {
    list.is_empty()
}

impl Serialize for JournalEntry {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        Out {
            id: self.id,
            time: &self.time,
            method: self.method.as_str(),
            path: self.path(),
            query: self.query(),
            headers: self.headers(),
            body: self.body(),
            body_truncated: self.body_truncated,
            operation: self.operation.as_deref(),
            path_params: self.path_params(),
            status: self.status,
            violations: &self.violations,
            warnings: &self.warnings,
            response_violations: &self.response_violations,
            forwarded: self.forwarded,
            duration_us: self.duration_us,
            chaos: self.chaos.as_deref(),
            callback: self.callback.as_deref(),
        }
        .serialize(s)
    }
}

/// An entry read back (from the admin API's JSON).
#[derive(Deserialize)]
pub(super) struct In {
    id: u64,
    time: Timestamp,
    #[serde(with = "method_text")]
    method: hyper::Method,
    path: String,
    #[serde(default)]
    query: Option<String>,
    headers: Pairs,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    body_truncated: bool,
    operation: Option<Arc<str>>,
    #[serde(default, deserialize_with = "pairs::from_object")]
    path_params: Pairs,
    status: u16,
    violations: Vec<Violation>,
    #[serde(default)]
    warnings: Vec<Violation>,
    #[serde(default)]
    response_violations: Vec<Violation>,
    #[serde(default)]
    forwarded: bool,
    duration_us: u64,
    #[serde(default)]
    chaos: Option<String>,
    #[serde(default)]
    callback: Option<Box<CallbackInfo>>,
}

impl From<In> for JournalEntry {
    fn from(e: In) -> JournalEntry {
        let mut w = EntryText::writer(0);
        w.push_path(&e.path);
        w.query(e.query.as_deref());
        w.body(e.body.as_deref());
        for (k, v) in e.headers.iter() {
            w.header(k, v);
        }
        for (k, v) in e.path_params.iter() {
            w.path_param(k, v);
        }
        JournalEntry {
            id: e.id,
            time: e.time,
            method: e.method,
            text: w.finish(),
            body_truncated: e.body_truncated,
            operation: e.operation,
            status: e.status,
            violations: e.violations,
            warnings: e.warnings,
            response_violations: e.response_violations,
            forwarded: e.forwarded,
            duration_us: e.duration_us,
            chaos: e.chaos,
            callback: e.callback,
            response: ServedResponse::default(),
        }
    }
}

/// A method as its name in JSON (`"GET"`).
mod method_text {
    use hyper::Method;
    use serde::{Deserialize, Deserializer};

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Method, D::Error> {
        let text = std::borrow::Cow::<str>::deserialize(d)?;
        Method::from_bytes(text.as_bytes()).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_entry_reads_back_as_it_was_written() {
        let json = serde_json::json!({
            "id": 7, "time": "2026-12-03T00:21:48.951Z", "method": "PUT",
            "path": "/api/admin/api-tokens/{token}", "query": "x=1",
            "headers": [["host", "127.0.0.1"], ["authorization", "<redacted>"]],
            "body": "{\"expiresAt\":\"2023-09-04T11:26:24+02:00\"}",
            "operation": "unleash/updateApiToken",
            "path_params": {"token": "<redacted>"},
            "status": 200, "violations": [], "duration_us": 3,
            "chaos": "status 503"
        });
        let entry: JournalEntry = serde_json::from_value(json.clone()).unwrap();
        assert_eq!(entry.path(), "/api/admin/api-tokens/{token}");
        assert_eq!(entry.headers().get("Authorization"), Some("<redacted>"));
        assert_eq!(entry.path_params().get("token"), Some("<redacted>"));
        assert_eq!(serde_json::to_value(&entry).unwrap(), json);
    }
}
