//! A response against the contract: the one check behind an upstream's
//! recorded answer (`specmock record`) and a fixture's response (at load and
//! in `specmock fixtures check`). It finds what is wrong and where; each
//! caller words it (an upstream "answered", a fixture "has"), so recorded
//! fixtures and `fixtures check` keep the messages they always printed.

use serde_json::Value;

use crate::media::{is_json, match_media_type};
use crate::spec::{MediaType, Operation, Response};

/// A response body, as the caller holds it.
#[derive(Debug, Clone, Copy)]
pub enum ResponseBody<'b> {
    /// No body at all.
    Absent,
    /// Bytes as they came over the wire (an upstream's answer): parsed by
    /// the content type (see [`parse_body`]); empty is no body.
    Raw(&'b [u8]),
    /// A body already held as JSON (a fixture's), checked whatever the
    /// media type. `null` on a status without content is no body: that is
    /// how a fixture says "none".
    Json(&'b Value),
}

/// One way a response breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ResponseViolation {
    /// Neither the status, its range (`4XX`) nor `default` is declared.
    UndeclaredStatus {
        /// The status keys the operation declares, in order.
        declared: Vec<String>,
    },
    /// The status is declared with no content, yet there is a body.
    UnexpectedBody,
    /// The content type is none of those the status declares.
    UndeclaredMediaType {
        /// The response's content type.
        content_type: String,
        /// The declared media types, in order.
        declared: Vec<String>,
    },
    /// A JSON content type whose body does not parse.
    NotJson,
    /// The body breaks its schema at `pointer` (empty: the body itself).
    Schema {
        /// JSON pointer into the body.
        pointer: String,
        /// What the schema says is wrong.
        message: String,
    },
}

impl ResponseViolation {
    /// Where, as recordings store it and `fixtures check` prints it:
    /// `response.status`, `response.header.content-type`, `response.body`
    /// or `response.body/<json pointer>`.
    pub fn location(&self) -> String {
        match self {
            ResponseViolation::UndeclaredStatus { .. } => "response.status".into(),
            ResponseViolation::UndeclaredMediaType { .. } => "response.header.content-type".into(),
            ResponseViolation::UnexpectedBody | ResponseViolation::NotJson => {
                "response.body".into()
            }
            ResponseViolation::Schema { pointer, .. } => format!("response.body{pointer}"),
        }
    }
}

/// What checking a response found.
#[derive(Debug, Clone)]
pub struct ResponseCheck<'o> {
    /// The declared response the status falls under (exact, `NXX`, `default`).
    pub declared: Option<&'o Response>,
    /// The declared media type the body was checked against; `None` when
    /// there is no body or the status declares no content.
    pub media: Option<&'o MediaType>,
    /// Empty when the response keeps the contract.
    pub violations: Vec<ResponseViolation>,
}

/// Check a response against `op`: the status must be declared, a body must
/// be allowed, its content type declared and the body valid against that
/// media type's schema. `content_type: None` means the response does not say
/// (a fixture naming none): the first declared media type is taken. An
/// upstream that sent no `Content-Type` passes `Some("")`, which only a
/// wildcard covers.
pub fn check_response<'o>(
    op: &'o Operation,
    status: u16,
    content_type: Option<&str>,
    body: ResponseBody<'_>,
) -> ResponseCheck<'o> {
    let mut check = ResponseCheck {
        declared: op.declared_for(status),
        media: None,
        violations: Vec::new(),
    };
    let Some(declared) = check.declared else {
        check.violations.push(ResponseViolation::UndeclaredStatus {
            declared: op.responses.iter().map(|r| r.status.to_string()).collect(),
        });
        return check;
    };
    let present = match body {
        ResponseBody::Absent => false,
        ResponseBody::Raw(b) => !b.is_empty(),
        ResponseBody::Json(v) => !(v.is_null() && declared.content.is_empty()),
    };
    if declared.content.is_empty() {
        if present {
            check.violations.push(ResponseViolation::UnexpectedBody);
        }
        return check;
    }
    if !present {
        return check;
    }
    // The first declared media type that covers it, as both callers always
    // chose (not the most specific one).
    let media = match content_type {
        Some(ct) => declared
            .content
            .iter()
            .find(|m| match_media_type(&m.media_type, ct).is_some()),
        None => declared.content.first(),
    };
    let Some(media) = media else {
        check
            .violations
            .push(ResponseViolation::UndeclaredMediaType {
                content_type: content_type.unwrap_or_default().to_string(),
                declared: declared
                    .content
                    .iter()
                    .map(|m| m.media_type.clone())
                    .collect(),
            });
        return check;
    };
    check.media = Some(media);
    let Some(schema) = &media.schema else {
        return check;
    };
    let parsed;
    let value = match body {
        ResponseBody::Json(v) => v,
        ResponseBody::Raw(bytes) => {
            let ct = content_type.unwrap_or(&media.media_type);
            match parse_body(ct, bytes) {
                Some(v) => {
                    parsed = v;
                    &parsed
                }
                None if is_json(ct) => {
                    check.violations.push(ResponseViolation::NotJson);
                    return check;
                }
                // Binary: not looked inside.
                None => return check,
            }
        }
        ResponseBody::Absent => return check,
    };
    for err in schema.iter_errors(value) {
        // Located through rewritten `$ref`s, as request violations are.
        let (pointer, message) = crate::spec::locate(&err);
        check
            .violations
            .push(ResponseViolation::Schema { pointer, message });
    }
    check
}

/// Who answered, as violations of their answer are worded: the upstream
/// when recording or forwarding, the consumer for a callback.
#[derive(Debug, Clone, Copy)]
pub struct Answerer {
    /// "the upstream", "the consumer".
    pub name: &'static str,
    /// "the upstream body", "the consumer's body".
    pub body: &'static str,
    /// Where violations are located: "response", "answer".
    pub location: &'static str,
}

/// How an answer that came over the wire (status, headers, raw body) broke
/// the operation's declared responses, worded for who sent it.
pub fn answer_violations(
    op: &Operation,
    status: u16,
    headers: &hyper::HeaderMap,
    body: &[u8],
    who: Answerer,
) -> Vec<super::Violation> {
    use super::{Violation, ViolationKind};
    let ct = headers
        .get(hyper::header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let checked = check_response(op, status, Some(ct), ResponseBody::Raw(body));
    checked
        .violations
        .into_iter()
        .map(|v| {
            let name = who.name;
            let message = match &v {
                ResponseViolation::UndeclaredStatus { declared } => format!(
                    "{name} answered {status}, which {} does not declare ({})",
                    op.display_id,
                    declared.join(", ")
                ),
                ResponseViolation::UnexpectedBody => {
                    format!("{status} is declared with no content, but {name} sent a body")
                }
                ResponseViolation::UndeclaredMediaType {
                    content_type,
                    declared,
                } => format!(
                    "{name} sent \"{content_type}\"; {status} declares {}",
                    declared.join(", ")
                ),
                ResponseViolation::NotJson => format!("{} is not valid JSON", who.body),
                ResponseViolation::Schema { message, .. } => message.clone(),
            };
            let location = v.location().replacen("response", who.location, 1);
            Violation::new(ViolationKind::Body, location, message)
        })
        .collect()
}

/// A body read by its content type: JSON parsed, `text/*` as a string;
/// `None` for other types and for JSON that does not parse.
pub fn parse_body(content_type: &str, body: &[u8]) -> Option<Value> {
    if is_json(content_type) {
        serde_json::from_slice(body).ok()
    } else if content_type.starts_with("text/") {
        std::str::from_utf8(body)
            .ok()
            .map(|s| Value::String(s.to_string()))
    } else {
        None
    }
}

/// One operation declaring every case (JSON and text on 200, no content on
/// 204, binary on 4XX), for the tests of each caller's wording.
#[cfg(test)]
pub(crate) fn sample_spec() -> crate::spec::SpecSource {
    const SPEC: &str = r#"{
      "openapi": "3.0.3",
      "info": {"title": "t", "version": "1"},
      "paths": {"/things": {"get": {"operationId": "getThings", "responses": {
        "200": {"description": "ok", "content": {
          "application/json": {"schema": {"type": "object", "required": ["id"],
            "properties": {"id": {"type": "integer"}, "n": {"type": "string"}}}},
          "text/plain": {"schema": {"type": "string", "maxLength": 3}}}},
        "204": {"description": "none"},
        "4XX": {"description": "client", "content": {"application/octet-stream": {
          "schema": {"type": "string", "format": "binary"}}}}
      }}}}
    }"#;
    crate::spec::SpecSource::from_text("t.json", SPEC)
}

/// The operation of [`sample_spec`].
#[cfg(test)]
pub(crate) fn sample() -> std::sync::Arc<Operation> {
    let doc = crate::spec::load_document(&sample_spec()).unwrap();
    doc.operations[0].clone()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::sync::Arc;

    fn op() -> Arc<Operation> {
        sample()
    }

    fn raw(status: u16, ct: &str, body: &str) -> Vec<ResponseViolation> {
        let op = op();
        check_response(&op, status, Some(ct), ResponseBody::Raw(body.as_bytes())).violations
    }

    #[test]
    fn a_valid_json_body_passes_and_names_its_media_type() {
        let op = op();
        let c = check_response(
            &op,
            200,
            Some("application/json; charset=utf-8"),
            ResponseBody::Raw(br#"{"id": 1}"#),
        );
        assert!(c.violations.is_empty(), "{:?}", c.violations);
        assert_eq!(c.media.unwrap().media_type, "application/json");
    }

    #[test]
    fn an_undeclared_status_lists_the_declared_ones() {
        assert_eq!(
            raw(500, "application/json", "{}"),
            [ResponseViolation::UndeclaredStatus {
                declared: vec!["200".into(), "204".into(), "4XX".into()]
            }]
        );
        // 404 falls under 4XX.
        assert!(raw(404, "application/octet-stream", "\0\x01").is_empty());
    }

    #[test]
    fn a_body_on_a_status_without_content_is_flagged() {
        assert_eq!(raw(204, "", "x"), [ResponseViolation::UnexpectedBody]);
        assert!(raw(204, "", "").is_empty());
        let op = op();
        let null = json!(null);
        let c = check_response(&op, 204, None, ResponseBody::Json(&null));
        assert!(c.violations.is_empty(), "a fixture's null is no body");
    }

    #[test]
    fn an_undeclared_content_type_names_the_declared_ones() {
        let v = raw(200, "application/xml", "<a/>");
        assert_eq!(
            v,
            [ResponseViolation::UndeclaredMediaType {
                content_type: "application/xml".into(),
                declared: vec!["application/json".into(), "text/plain".into()]
            }]
        );
        assert_eq!(v[0].location(), "response.header.content-type");
    }

    #[test]
    fn schema_violations_are_located_under_response_body() {
        let v = raw(200, "application/json", r#"{"id": "x"}"#);
        assert_eq!(v.len(), 1, "{v:?}");
        assert_eq!(v[0].location(), "response.body/id");
        assert_eq!(
            raw(200, "application/json", "{")[0],
            ResponseViolation::NotJson
        );
        // Text is checked as a string.
        assert_eq!(
            raw(200, "text/plain", "toolong")[0].location(),
            "response.body"
        );
        assert!(raw(200, "text/plain", "ok").is_empty());
    }

    #[test]
    fn a_fixture_naming_no_content_type_gets_the_first_declared() {
        let op = op();
        let body = json!({"id": "x"});
        let c = check_response(&op, 200, None, ResponseBody::Json(&body));
        assert_eq!(c.media.unwrap().media_type, "application/json");
        assert_eq!(c.violations[0].location(), "response.body/id");
        // Absent: nothing to check, no media type chosen.
        let c = check_response(&op, 200, None, ResponseBody::Absent);
        assert!(c.violations.is_empty() && c.media.is_none());
    }
}
