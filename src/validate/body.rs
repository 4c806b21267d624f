//! Content type and body: the media type must be one the operation declares
//! (wildcards and parameters handled), a required body must be there, and
//! the body must parse and match its schema. A `Content-Type` on an empty
//! body is not a violation: SDKs send one on GET and DELETE.

use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::request::Request;
use crate::spec::{MediaType, Operation, Shape};

use super::{ValidateOptions, Violation, ViolationKind, schema_violations};

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

/// The essence of a media type: lower-case `type/subtype`, parameters dropped.
pub fn essence(media_type: &str) -> String {
    media_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase()
}

/// Does `declared` (possibly with wildcards) cover `actual`?
pub fn match_media_type(declared: &str, actual: &str) -> Option<MediaMatch> {
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

/// The declared media type that best covers `actual`.
fn best_media<'o>(content: &'o [MediaType], actual: &str) -> Option<&'o MediaType> {
    content
        .iter()
        .filter_map(|m| match_media_type(&m.media_type, actual).map(|q| (q, m)))
        .max_by_key(|(q, _)| *q)
        .map(|(_, m)| m)
}

pub fn check(
    op: &Operation,
    req: &Request,
    options: &ValidateOptions,
    out: &mut Vec<Violation>,
    warnings: &mut Vec<Violation>,
) -> (Option<Value>, Option<String>) {
    let Some(body_spec) = &op.request_body else {
        return (None, None);
    };
    // An empty form-encoded body is the form encoding of `{}`, not a missing body.
    let empty_form = req.body.is_empty()
        && req
            .header_str("content-type")
            .is_some_and(|ct| essence(ct) == "application/x-www-form-urlencoded")
        && body_spec
            .content
            .iter()
            .any(|m| essence(&m.media_type) == "application/x-www-form-urlencoded");
    if req.body.is_empty() && !empty_form {
        if body_spec.required {
            let types: Vec<&str> = body_spec
                .content
                .iter()
                .map(|m| m.media_type.as_str())
                .collect();
            out.push(Violation::new(
                ViolationKind::Body,
                "body",
                format!("a request body is required ({})", types.join(", ")),
            ));
        }
        return (None, None);
    }
    let declared: Vec<&str> = body_spec
        .content
        .iter()
        .map(|m| m.media_type.as_str())
        .collect();
    let Some(content_type) = req.header_str("content-type") else {
        out.push(Violation::new(
            ViolationKind::ContentType,
            "header.content-type",
            format!(
                "the request has a body but no Content-Type; send one of: {}",
                declared.join(", ")
            ),
        ));
        return (None, None);
    };
    let Some(media) = best_media(&body_spec.content, content_type) else {
        out.push(Violation::new(
            ViolationKind::ContentType,
            "header.content-type",
            format!(
                "media type \"{}\" is not accepted by this operation; send one of: {}",
                essence(content_type),
                declared.join(", ")
            ),
        ));
        return (None, None);
    };
    let parsed = match parse(media, content_type, &req.body) {
        Ok(v) => v,
        Err(message) => {
            out.push(Violation::new(ViolationKind::Body, "body", message));
            return (None, Some(media.media_type.clone()));
        }
    };
    if let (Some(value), Some(schema)) = (&parsed, &media.schema) {
        let mut found = Vec::new();
        schema_violations(
            &schema.validator,
            value,
            ViolationKind::Body,
            "body",
            &mut found,
        );
        if options.tolerate_nulls && !found.is_empty() {
            // Drop the nulls the schema refused and check again: what still
            // fails is a real violation; the dropped nulls become warnings.
            let mut without = value.clone();
            let mut tolerated = Vec::new();
            for v in &found {
                let pointer = v.location.trim_start_matches("body");
                if value.pointer(pointer) == Some(&Value::Null) && remove_at(&mut without, pointer)
                {
                    tolerated.push(v.clone());
                }
            }
            if !tolerated.is_empty() {
                found.clear();
                schema_violations(
                    &schema.validator,
                    &without,
                    ViolationKind::Body,
                    "body",
                    &mut found,
                );
                for t in tolerated {
                    if !found.iter().any(|f| f.location == t.location) {
                        warnings.push(Violation::new(
                            ViolationKind::Body,
                            t.location,
                            format!(
                                "null tolerated for an optional property (--tolerate-nulls): {}",
                                t.message
                            ),
                        ));
                    }
                }
            }
        }
        out.extend(found);
    }
    (parsed, Some(media.media_type.clone()))
}

fn remove_at(v: &mut Value, pointer: &str) -> bool {
    let Some((parent, last)) = pointer.rsplit_once('/') else {
        return false;
    };
    let key = crate::spec::unescape_token(last);
    match v.pointer_mut(parent) {
        Some(Value::Object(map)) => map.shift_remove(key.as_ref()).is_some(),
        _ => false,
    }
}

/// Parse a body by its media type. `Ok(None)`: a media type specmock does
/// not look inside (binary), accepted as is.
fn parse(media: &MediaType, content_type: &str, body: &Bytes) -> Result<Option<Value>, String> {
    let mt = essence(content_type);
    if mt.ends_with("/json") || mt.ends_with("+json") {
        // serde_json refuses nesting deeper than 128 levels with an error,
        // never a stack overflow.
        return serde_json::from_slice::<Value>(body)
            .map(Some)
            .map_err(|e| format!("the body is not valid JSON: {e}"));
    }
    if mt == "application/x-www-form-urlencoded" {
        return Ok(Some(form_object(
            &media.shape,
            form_urlencoded::parse(body).into_owned(),
        )));
    }
    if mt == "multipart/form-data" {
        return multipart(&media.shape, content_type, body).map(Some);
    }
    if mt.starts_with("text/") {
        return std::str::from_utf8(body)
            .map(|s| Some(Value::String(s.to_string())))
            .map_err(|e| format!("the body is not valid UTF-8: {e}"));
    }
    Ok(None)
}

/// Form fields as an object, each coerced by its property's shape; a field
/// sent more than once is an array.
fn form_object(shape: &Shape, pairs: impl Iterator<Item = (String, String)>) -> Value {
    let mut map: Map<String, Value> = Map::new();
    for (k, v) in pairs {
        let prop = shape.property(&k);
        if prop.is_array() {
            let item = prop.items().coerce(&v);
            match map.get_mut(&k) {
                Some(Value::Array(items)) => items.push(item),
                _ => {
                    map.insert(k, Value::Array(vec![item]));
                }
            }
        } else if let Some(existing) = map.get_mut(&k) {
            let item = prop.coerce(&v);
            match existing {
                Value::Array(items) => items.push(item),
                other => *other = Value::Array(vec![other.take(), item]),
            }
        } else {
            map.insert(k, prop.coerce(&v));
        }
    }
    Value::Object(map)
}

/// multipart/form-data fields (files as their text, or a placeholder when binary).
fn multipart(shape: &Shape, content_type: &str, body: &Bytes) -> Result<Value, String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| format!("multipart body without a usable boundary: {e}"))?;
    let stream = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(body.clone())]);
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut pairs = Vec::new();
    // The whole body is already in memory, so every future below is ready at
    // once: poll with a no-op waker instead of needing an executor here.
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        let field = match std::pin::pin!(mp.next_field()).poll(&mut cx) {
            Poll::Ready(Ok(Some(f))) => f,
            Poll::Ready(Ok(None)) => break,
            Poll::Ready(Err(e)) => return Err(format!("malformed multipart body: {e}")),
            Poll::Pending => return Err("malformed multipart body: truncated".into()),
        };
        let name = field.name().unwrap_or("").to_string();
        let bytes = match std::pin::pin!(field.bytes()).poll(&mut cx) {
            Poll::Ready(Ok(b)) => b,
            Poll::Ready(Err(e)) => {
                return Err(format!("malformed multipart field \"{name}\": {e}"));
            }
            Poll::Pending => return Err("malformed multipart body: truncated".into()),
        };
        let text = String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| "<binary>".to_string());
        pairs.push((name, text));
    }
    Ok(form_object(shape, pairs.into_iter()))
}

use std::future::Future;

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

    #[test]
    fn form_coercion() {
        let shape = Shape::Object(
            vec![
                ("n".into(), Shape::Integer),
                ("tags".into(), Shape::Array(Box::new(Shape::String))),
            ],
            Box::new(Shape::Any),
        );
        let v = form_object(
            &shape,
            form_urlencoded::parse(b"n=5&tags=a&tags=b&x=y").into_owned(),
        );
        assert_eq!(v, serde_json::json!({"n": 5, "tags": ["a", "b"], "x": "y"}));
    }

    #[test]
    fn multipart_fields() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--XyZ--\r\n",
        );
        let v = multipart(&Shape::Any, "multipart/form-data; boundary=XyZ", &body).unwrap();
        assert_eq!(v, serde_json::json!({"token": "abc"}));
        assert!(multipart(&Shape::Any, "multipart/form-data", &body).is_err());
    }
}
