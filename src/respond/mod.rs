//! The respond stage: what a request that reached an operation gets back.
//!
//! For now (until content negotiation and generation land) the answer is the
//! lowest declared 2xx response, with its first example serialised for its
//! first media type, or no body when it has none.

pub mod generate;
pub mod reject;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderValue};
use serde_json::Value;

use crate::spec::{Operation, StatusKey};

/// What the server sends back.
#[derive(Debug, Clone)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

impl Answer {
    /// An answer with a JSON body of the given content type.
    pub fn json(status: u16, content_type: &str, body: &Value) -> Answer {
        let mut headers = HeaderMap::new();
        if let Ok(v) = HeaderValue::from_str(content_type) {
            headers.insert(CONTENT_TYPE, v);
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers,
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        }
    }

    /// A problem+json answer.
    pub fn problem(p: &crate::problem::Problem) -> Answer {
        Answer::json(p.status, crate::problem::PROBLEM_JSON, &p.to_json())
    }
}

/// The lowest 2xx (a `2XX` range counts), else `default`, else the first
/// declared response.
pub fn default_response(op: &Operation) -> Option<&crate::spec::Response> {
    let mut best: Option<(u16, &crate::spec::Response)> = None;
    for r in &op.responses {
        let code = match r.status {
            StatusKey::Code(c) if (200..300).contains(&c) => c,
            StatusKey::Range(2) => 200,
            _ => continue,
        };
        if best.is_none_or(|(b, _)| code < b) {
            best = Some((code, r));
        }
    }
    best.map(|(_, r)| r)
        .or_else(|| op.response(StatusKey::Default))
        .or_else(|| op.responses.first())
}

/// Serialise a value for a media type: strings as-is for non-JSON types,
/// everything else as JSON.
pub fn serialize_for(media_type: &str, value: &Value) -> Bytes {
    if !is_json(media_type)
        && let Value::String(s) = value
    {
        return Bytes::from(s.clone());
    }
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

/// `application/json`, `application/problem+json`, `text/json`, `*/*+json`.
pub fn is_json(media_type: &str) -> bool {
    let mt = media_type.split(';').next().unwrap_or("").trim();
    mt.ends_with("/json") || mt.ends_with("+json")
}

/// The answer for an operation: its default response's first example.
pub fn first_example(op: &Operation) -> Answer {
    let Some(resp) = default_response(op) else {
        return Answer {
            status: StatusCode::OK,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        };
    };
    let status = match resp.status {
        StatusKey::Code(c) => c,
        StatusKey::Range(r) => r as u16 * 100,
        StatusKey::Default => 200,
    };
    let status = StatusCode::from_u16(status).unwrap_or(StatusCode::OK);
    let mut headers = HeaderMap::new();
    let mut body = Bytes::new();
    if let Some(media) = resp.content.first() {
        if let Ok(v) = HeaderValue::from_str(&media.media_type) {
            headers.insert(CONTENT_TYPE, v);
        }
        if let Some(ex) = media.examples.first() {
            body = serialize_for(&media.media_type, &ex.value);
        } else if is_json(&media.media_type) {
            body = Bytes::from_static(b"{}");
        }
    }
    Answer {
        status,
        headers,
        body,
    }
}
