//! Content type and body: the media type must be one the operation declares
//! (wildcards and parameters handled), a required body must be there, and
//! the body must parse and match its schema. A `Content-Type` on an empty
//! body is not a violation: SDKs send one on GET and DELETE.

use std::sync::OnceLock;

use bytes::Bytes;
use serde_json::Value;

use crate::instance::{Node, Tape};
use crate::media::{essence, match_media_type};
use crate::request::Request;
use crate::spec::{MediaType, Operation};

use super::{ValidateOptions, Violation, ViolationKind, form, schema_violations};

/// A request body as validation read it: a JSON body stays a [`Tape`]
/// until a stage asks for a `Value`.
#[derive(Debug, Clone)]
pub struct RequestBody {
    tape: Option<Tape>,
    value: OnceLock<Value>,
}

impl RequestBody {
    /// The body as a `serde_json::Value` (built from the tape on the first call).
    pub fn value(&self) -> &Value {
        self.value.get_or_init(|| match &self.tape {
            Some(t) => Node::from(t).to_owned_value(),
            None => Value::Null,
        })
    }

    /// The body as validators and the field-usage walk read it: as
    /// `serde_json` would, so of a repeated key only the last counts.
    pub fn node(&self) -> Node<'_> {
        match &self.tape {
            Some(t) if !t.has_duplicate_keys() => t.into(),
            _ => self.value().into(),
        }
    }

    /// A JSON body as written, every repeated key kept (what redaction
    /// must see); `None` for a body that was not JSON.
    pub fn as_written(&self) -> Option<Node<'_>> {
        self.tape.as_ref().map(Node::from)
    }
}

impl From<Value> for RequestBody {
    fn from(v: Value) -> Self {
        RequestBody {
            tape: None,
            value: OnceLock::from(v),
        }
    }
}

impl From<Tape> for RequestBody {
    fn from(t: Tape) -> Self {
        // Validated as `serde_json` reads it: the last of each repeated key.
        let value = match t.has_duplicate_keys() {
            true => OnceLock::from(Node::from(&t).to_owned_value()),
            false => OnceLock::new(),
        };
        RequestBody {
            tape: Some(t),
            value,
        }
    }
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
) -> (Option<RequestBody>, Option<String>) {
    let Some(body_spec) = &op.request_body else {
        // A body the operation does not take: 415, as Prism answers (a
        // client sending one has misread the contract). An empty body with
        // a Content-Type is fine: SDKs send one on every request.
        if !req.body.is_empty() {
            out.push(Violation::new(
                ViolationKind::ContentType,
                "body",
                format!(
                    "{} {} declares no request body, but the request has {} bytes of {}; send none",
                    op.method,
                    op.route,
                    req.body.len(),
                    req.header_str(hyper::header::CONTENT_TYPE)
                        .unwrap_or("content without a Content-Type")
                ),
            ));
        }
        return (None, None);
    };
    // An empty form-encoded body is the form encoding of `{}`, not a missing body.
    let empty_form = req.body.is_empty()
        && req
            .header_str(hyper::header::CONTENT_TYPE)
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
    // Listed only in an error: no list per request that keeps the contract.
    let declared = || {
        body_spec
            .content
            .iter()
            .map(|m| m.media_type.as_str())
            .collect::<Vec<_>>()
            .join(", ")
    };
    let Some(content_type) = req.header_str(hyper::header::CONTENT_TYPE) else {
        out.push(Violation::new(
            ViolationKind::ContentType,
            "header.content-type",
            format!(
                "the request has a body but no Content-Type; send one of: {}",
                declared()
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
                declared()
            ),
        ));
        return (None, None);
    };
    let mut superseded = Vec::new();
    // multipart/form-data with no boundary cannot be multipart: what clients
    // send that way (curl -H 'Content-Type: multipart/form-data' --data) is
    // URL-encoded, and is read so, as Prism does, with a warning.
    let mt = essence(content_type);
    let unbounded = mt == "multipart/form-data" && multer::parse_boundary(content_type).is_err();
    if unbounded {
        warnings.push(Violation::new(
            ViolationKind::ContentType,
            "header.content-type",
            "multipart/form-data without a boundary parameter: the body was read as application/x-www-form-urlencoded; send the boundary, or that Content-Type",
        ));
    }
    let (read_as, read_mt) = if unbounded {
        (
            "application/x-www-form-urlencoded",
            "application/x-www-form-urlencoded",
        )
    } else {
        (content_type, &*mt)
    };
    let parsed = match parse(media, (read_as, read_mt), &req.body, out, &mut superseded) {
        Ok(v) => v,
        Err(message) => {
            out.push(Violation::new(ViolationKind::Body, "body", message));
            return (None, Some(media.media_type.clone()));
        }
    };
    if let (Some(body), Some(schema)) = (&parsed, &media.schema) {
        let mut found = Vec::new();
        schema_violations(
            &schema.validator,
            body.node(),
            ViolationKind::Body,
            "body",
            &mut found,
        );
        found.retain(|v| !under_any(&v.location, &superseded));
        if options.tolerate_nulls && !found.is_empty() {
            // Drop the nulls the schema refused and check again: what still
            // fails is a real violation; the dropped nulls become warnings.
            let value = body.value();
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
                    (&without).into(),
                    ViolationKind::Body,
                    "body",
                    &mut found,
                );
                found.retain(|v| !under_any(&v.location, &superseded));
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

/// Is `location` one of `prefixes`, or under one?
fn under_any(location: &str, prefixes: &[String]) -> bool {
    prefixes.iter().any(|p| {
        location
            .strip_prefix(p.as_str())
            .is_some_and(|rest| rest.is_empty() || rest.starts_with('/'))
    })
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
/// not look inside (binary), accepted as is. A form body's own violations go
/// to `out`; `superseded` gets the locations whose schema violations they replace.
fn parse(
    media: &MediaType,
    (content_type, mt): (&str, &str),
    body: &Bytes,
    out: &mut Vec<Violation>,
    superseded: &mut Vec<String>,
) -> Result<Option<RequestBody>, String> {
    if mt.ends_with("/json") || mt.ends_with("+json") {
        // serde_json's parser fills the tape: nesting deeper than 128
        // levels is an error, never a stack overflow.
        return Tape::parse(body)
            .map(|t| Some(t.into()))
            .map_err(|e| format!("the body is not valid JSON: {e}"));
    }
    let multipart = mt == "multipart/form-data";
    if multipart || mt == "application/x-www-form-urlencoded" {
        let fields = if multipart {
            form::multipart_fields(content_type, body)?
        } else {
            form::urlencoded_fields(body)
        };
        let read = form::read(media, &fields, multipart);
        out.extend(read.violations);
        superseded.extend(read.superseded);
        return Ok(Some(read.value.into()));
    }
    if mt.starts_with("text/") {
        return std::str::from_utf8(body)
            .map(|s| Some(Value::String(s.to_string()).into()))
            .map_err(|e| format!("the body is not valid UTF-8: {e}"));
    }
    Ok(None)
}
