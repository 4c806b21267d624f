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

/// Text media types that have no serialisation for objects and arrays
/// (`text/plain`, `text/html`): Prism answers 500 rather than send JSON
/// labelled as text, and so does specmock.
pub fn is_plain_text(media_type: &str) -> bool {
    let mt = media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    mt == "text/plain" || mt == "text/html"
}

/// Why a response media type cannot carry its schema's values, if it
/// cannot: "an object" or "an array" schema declared for plain text.
pub fn unserialisable(media: &crate::spec::MediaType) -> Option<&'static str> {
    if !is_plain_text(&media.media_type) {
        return None;
    }
    match &*media.shape {
        crate::spec::Shape::Object(..) => Some("an object"),
        crate::spec::Shape::Array(..) => Some("an array"),
        _ => None,
    }
}
