//! Media types, in one place: what a media type is (its essence, JSON or
//! text), how a declared one covers a request's (`match_media_type`), how a
//! response's is chosen by `Accept` ([`accept`]), and how a value is written
//! for one. Used by the loader (examples are serialised once, at load), the
//! validate and respond stages, fixtures and recording; it depends on none
//! of them.

pub mod accept;

use bytes::Bytes;
use serde_json::Value;

/// `application/json`, `application/problem+json`, `text/json`, `*/*+json`.
pub fn is_json(media_type: &str) -> bool {
    let mt = bare(media_type);
    mt.ends_with("/json") || mt.ends_with("+json")
}

/// `type/subtype` as written: parameters dropped, trimmed. A byte search:
/// `str::split(';')`'s char searcher cost more, on every request.
fn bare(media_type: &str) -> &str {
    let end = media_type
        .bytes()
        .position(|b| b == b';')
        .unwrap_or(media_type.len());
    media_type[..end].trim()
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

/// `Content-Type` for a declared media type ([`concrete`]). The usual ones
/// are static values: no copy per answer, and the journal's clone of one is
/// free (a value built from a string is promoted to a shared buffer, an
/// allocation, when first cloned).
pub fn content_type(media_type: &str) -> Option<hyper::header::HeaderValue> {
    const COMMON: &[&str] = &[
        "application/json",
        "application/problem+json",
        "text/plain",
        "application/xml",
        "text/html",
        "application/octet-stream",
    ];
    let concrete = concrete(media_type);
    match COMMON.iter().find(|c| **c == concrete) {
        Some(c) => Some(hyper::header::HeaderValue::from_static(c)),
        None => hyper::header::HeaderValue::from_str(concrete).ok(),
    }
}

/// Text media types that have no serialisation for objects and arrays
/// (`text/plain`, `text/html`): Prism answers 500 rather than send JSON
/// labelled as text, and so does specmock.
pub fn is_plain_text(media_type: &str) -> bool {
    // Asked on every answer with an example: no allocation.
    let mt = bare(media_type);
    mt.eq_ignore_ascii_case("text/plain") || mt.eq_ignore_ascii_case("text/html")
}

/// How well a declared media type matches the request's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum MediaMatch {
    /// `*/*`
    Any,
    /// `application/*`
    Type,
    /// `application/*+json`
    Suffix,
    /// `application/json`
    Exact,
}

/// The essence of a media type: lower-case `type/subtype`, parameters
/// dropped; borrowed when it is lower-case already (nearly always: no copy
/// per request).
pub fn essence(media_type: &str) -> std::borrow::Cow<'_, str> {
    // One pass finds the `;` and any upper-case letter before it.
    let bytes = media_type.as_bytes();
    let mut end = bytes.len();
    let mut upper = false;
    for (i, &b) in bytes.iter().enumerate() {
        if b == b';' {
            end = i;
            break;
        }
        upper |= b.is_ascii_uppercase();
    }
    let e = media_type[..end].trim();
    if upper {
        std::borrow::Cow::Owned(e.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(e)
    }
}

/// Does `declared` (possibly with wildcards) cover `actual`?
pub fn match_media_type(declared: &str, actual: &str) -> Option<MediaMatch> {
    // Nearly always the request sends what the document declares, byte for byte.
    if declared == actual {
        return Some(MediaMatch::Exact);
    }
    let declared = essence(declared);
    let actual = essence(actual);
    if declared == actual {
        return Some(MediaMatch::Exact);
    }
    if declared == "*/*" || declared == "*" {
        return Some(MediaMatch::Any);
    }
    let (dt, ds) = declared.split_once('/')?;
    let (at, asub) = actual.split_once('/')?;
    if dt != at && dt != "*" {
        return None;
    }
    if ds == "*" {
        return Some(MediaMatch::Type);
    }
    // application/*+json covers application/vnd.x+json and application/json.
    if let Some(suffix) = ds.strip_prefix("*+")
        && (asub == suffix || asub.ends_with(&format!("+{suffix}")))
    {
        return Some(MediaMatch::Suffix);
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_type_matching() {
        assert_eq!(
            match_media_type("application/json", "application/json; charset=utf-8"),
            Some(MediaMatch::Exact)
        );
        assert_eq!(
            match_media_type("application/*+json", "application/merge-patch+json"),
            Some(MediaMatch::Suffix)
        );
        assert_eq!(
            match_media_type("application/*+json", "application/json"),
            Some(MediaMatch::Suffix)
        );
        assert_eq!(
            match_media_type("application/*", "application/xml"),
            Some(MediaMatch::Type)
        );
        assert_eq!(match_media_type("*/*", "text/plain"), Some(MediaMatch::Any));
        assert_eq!(match_media_type("application/json", "text/plain"), None);
        assert_eq!(match_media_type("text/json", "application/json"), None);
        assert_eq!(
            match_media_type("Application/JSON", "application/json"),
            Some(MediaMatch::Exact)
        );
    }
}
