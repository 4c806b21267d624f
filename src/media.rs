//! Media-type helpers shared by the loader (examples are serialised once, at
//! load) and the respond stage.

use bytes::Bytes;
use serde_json::Value;

/// `application/json`, `application/problem+json`, `text/json`, `*/*+json`.
pub fn is_json(media_type: &str) -> bool {
    let mt = media_type.split(';').next().unwrap_or("").trim();
    mt.ends_with("/json") || mt.ends_with("+json")
}

/// Serialise a value for a media type: a string as itself for non-JSON
/// types (`text/plain`), everything else as JSON.
pub fn serialize_for(media_type: &str, value: &Value) -> Bytes {
    if !is_json(media_type)
        && let Value::String(s) = value
    {
        return Bytes::from(s.clone());
    }
    Bytes::from(serde_json::to_vec(value).unwrap_or_default())
}

/// The concrete type to put in `Content-Type` for a declared one
/// (`application/*+json` → `application/json`).
pub fn concrete(media_type: &str) -> &str {
    if media_type.contains('*') {
        if is_json(media_type) {
            "application/json"
        } else {
            "application/octet-stream"
        }
    } else {
        media_type
    }
}
