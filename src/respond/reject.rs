//! The answer to a request that broke the contract.
//!
//! Status: the vendor's own when the operation declares a fitting one —
//! security: 401, then 403; content type: 415; parameters and body: 422, then
//! 400 — then a declared `4XX` or `default` response (answered with the
//! fallback code); otherwise the fallback, as Prism does: 401 for security,
//! 415 for content type, 422 for the rest.
//!
//! Body: the contract's shape for that status, because the client under test
//! was written against it. Declared with no content: no body. Declared with
//! a schema: a body valid against that schema — the RFC 9457 problem when the
//! schema takes it (extension members such as `violations` kept where the
//! schema allows them, an `error`/`message` member filled where the schema
//! has one); else a body generated from the schema (its required members
//! included, Axiom's `code` say) with the problem's facts written into the
//! members that take them; else the response's example. Not declared:
//! `application/problem+json`. Either way the violations travel in
//! `x-specmock-violations`.

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue, WWW_AUTHENTICATE};
use serde_json::{Map, Value, json};

use crate::problem::{PROBLEM_JSON, Problem, ProblemKind};
use crate::spec::{MediaType, Operation, Response, SecurityScheme, StatusKey};
use crate::validate::{Violation, ViolationKind};

use super::{Answer, is_json};

/// The header carrying the violations as compact JSON.
pub const VIOLATIONS_HEADER: &str = "x-specmock-violations";

/// Bound on `x-specmock-violations`, well under common proxy header limits.
pub const MAX_VIOLATIONS_HEADER: usize = 4096;

/// Which status a set of violations gets for an operation, and the declared
/// response that status falls under (if any).
pub fn choose_status<'o>(
    op: &'o Operation,
    violations: &[Violation],
) -> (u16, Option<&'o Response>) {
    let has = |k: ViolationKind| violations.iter().any(|v| v.kind == k);
    let (preferred, fallback): (&[u16], u16) = if has(ViolationKind::Security) {
        (&[401, 403], 401)
    } else if has(ViolationKind::ContentType) {
        (&[415], 415)
    } else {
        (&[422, 400], 422)
    };
    for code in preferred {
        if let Some(r) = op.response(StatusKey::Code(*code)) {
            return (*code, Some(r));
        }
    }
    if let Some(r) = op
        .response(StatusKey::Range(4))
        .or_else(|| op.response(StatusKey::Default))
    {
        return (fallback, Some(r));
    }
    (fallback, None)
}

/// The answer for a request with violations.
pub fn rejection(
    plans: Option<&crate::generate::Plans>,
    op: &Operation,
    method: &str,
    violations: &[Violation],
) -> Answer {
    let (status, declared) = choose_status(op, violations);
    let problem = problem_body(op, method, status, violations);
    let mut headers = HeaderMap::new();
    let body = match declared {
        None => {
            headers.insert(CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
            Bytes::from(serde_json::to_vec(&problem).unwrap_or_default())
        }
        Some(r) if r.content.is_empty() => Bytes::new(),
        Some(r) => {
            let (media, body) = shaped_body(r, problem, plans, op, status);
            if let Ok(v) = HeaderValue::from_str(&media.media_type) {
                headers.insert(CONTENT_TYPE, v);
            }
            body
        }
    };
    if let Some(v) = violations_header(violations) {
        headers.insert(HeaderName::from_static(VIOLATIONS_HEADER), v);
    }
    if violations.iter().any(|v| v.kind == ViolationKind::Security)
        && let Some(challenge) = challenge(op)
    {
        headers.insert(WWW_AUTHENTICATE, challenge);
    }
    Answer {
        status: StatusCode::from_u16(status).unwrap_or(StatusCode::UNPROCESSABLE_ENTITY),
        headers,
        body,
    }
}

/// The RFC 9457 problem listing every violation.
pub fn problem_body(op: &Operation, method: &str, status: u16, violations: &[Violation]) -> Value {
    let n = violations.len();
    let detail = format!(
        "{n} violation{} in {method} {}: {}",
        if n == 1 { "" } else { "s" },
        op.route,
        violations
            .iter()
            .map(|v| v.to_string())
            .collect::<Vec<_>>()
            .join("; ")
    );
    Problem::new(ProblemKind::RequestValidation, detail)
        .with_status(status)
        .with("operation", op.qualified_id())
        .with(
            "violations",
            serde_json::to_value(violations).unwrap_or_default(),
        )
        .into_json()
}

/// A body for a declared response: the problem if the schema takes it (with
/// an `error`/`message` member where the schema has one), else a smaller
/// problem, else one generated from the schema with the problem's facts
/// written in where they fit, else the response's example, else the problem
/// anyway (a schema nothing satisfies).
fn shaped_body<'r>(
    r: &'r Response,
    problem: Value,
    plans: Option<&crate::generate::Plans>,
    op: &Operation,
    status: u16,
) -> (&'r MediaType, Bytes) {
    let media = r
        .content
        .iter()
        .find(|m| m.media_type == PROBLEM_JSON)
        .or_else(|| r.content.iter().find(|m| is_json(&m.media_type)))
        .unwrap_or(&r.content[0]);
    let Some(schema) = &media.schema else {
        return (
            media,
            Bytes::from(serde_json::to_vec(&problem).unwrap_or_default()),
        );
    };
    // Candidates in order of preference, each built only when the one before
    // it does not fit the schema (the first one nearly always does). The
    // problem is extended in place, not copied: taking the added members
    // out again gives it back.
    let mut full = problem;
    let mut added: Vec<&str> = Vec::new();
    if media.shape.is_object() {
        for key in ["error", "message"] {
            if property_declared(&media.shape, key)
                && let Value::Object(map) = &mut full
            {
                let detail = map.get("detail").cloned().unwrap_or_default();
                map.insert(key.into(), detail);
                added.push(key);
            }
        }
    }
    let fits = |v: &Value| schema.is_valid(v);
    let chosen = if fits(&full) {
        full
    } else if let Some(problem) = (!added.is_empty())
        .then(|| without(&full, &added))
        .filter(fits)
    {
        problem
    } else {
        let mut minimal = Map::new();
        for key in ["type", "title", "status", "detail"] {
            minimal.insert(key.into(), full[key].clone());
        }
        let minimal = Value::Object(minimal);
        if fits(&minimal) {
            minimal
        } else if let Some(v) = plans
            .map(|p| from_schema(p, &schema.loc, &full, op, status, &fits))
            .filter(|v| fits(v))
        {
            v
        } else {
            match media.examples.first() {
                Some(ex) if fits(&ex.value) => ex.value.clone(),
                _ => full,
            }
        }
    };
    (media, super::serialize_for(&media.media_type, &chosen))
}

/// `problem` without the members named (the ones [`shaped_body`] added).
fn without(problem: &Value, added: &[&str]) -> Value {
    let mut v = problem.clone();
    if let Value::Object(map) = &mut v {
        for key in added {
            map.shift_remove(*key);
        }
    }
    v
}

/// An error body made from the declared schema: generated (every declared
/// member, required ones included), then each fact of the problem written
/// into the member that means it, kept only while the body stays valid. The
/// seed comes from the operation and status, so the body is the same on
/// every run.
fn from_schema(
    plans: &crate::generate::Plans,
    loc: &crate::spec::Loc,
    problem: &Value,
    op: &Operation,
    status: u16,
    fits: &dyn Fn(&Value) -> bool,
) -> Value {
    use crate::generate::{Hints, derive_seed, generate};
    let seed = derive_seed(0, op.qualified(), &status.to_string());
    let mut body = generate(plans, loc, seed, &Hints::NONE);
    if !fits(&body) {
        return body;
    }
    let Value::Object(_) = &body else {
        return body;
    };
    let detail = &problem["detail"];
    let slug = problem["type"]
        .as_str()
        .and_then(|t| t.rsplit(':').next())
        .unwrap_or("request-validation");
    // (member, value): the problem's facts under the names vendors give them.
    let facts: Vec<(&str, Value)> = vec![
        ("type", problem["type"].clone()),
        ("title", problem["title"].clone()),
        ("status", json!(status)),
        ("detail", detail.clone()),
        ("violations", problem["violations"].clone()),
        ("operation", problem["operation"].clone()),
        ("message", detail.clone()),
        ("error", detail.clone()),
        ("error_description", detail.clone()),
        ("description", detail.clone()),
        ("code", json!(status)),
        ("code", json!(slug)),
        ("status_code", json!(status)),
        ("statusCode", json!(status)),
        ("errors", problem["violations"].clone()),
    ];
    let mut written: Vec<&str> = Vec::new();
    for (key, value) in facts {
        let Value::Object(map) = &mut body else { break };
        if written.contains(&key) {
            continue;
        }
        let before = map.insert(key.to_string(), value);
        if !fits(&body) {
            let Value::Object(map) = &mut body else { break };
            match before {
                Some(b) => {
                    map.insert(key.to_string(), b);
                }
                None => {
                    map.shift_remove(key);
                }
            }
        } else {
            written.push(key);
        }
    }
    body
}

fn property_declared(shape: &crate::spec::Shape, key: &str) -> bool {
    match shape {
        crate::spec::Shape::Object(props, _) => props.iter().any(|(n, _)| n == key),
        crate::spec::Shape::Either(options) => options.iter().any(|o| property_declared(o, key)),
        _ => false,
    }
}

/// Compact JSON of the violations, ASCII only (header values must be), bounded.
pub fn violations_header(violations: &[Violation]) -> Option<HeaderValue> {
    if violations.is_empty() {
        return None;
    }
    #[derive(serde::Serialize)]
    struct Item<'a> {
        location: &'a str,
        message: &'a str,
    }
    let note = |rest: usize| {
        ascii_json(&Item {
            location: "",
            message: &format!("{rest}{MORE_VIOLATIONS}"),
        })
    };
    // Room is kept for the longest note ("N more"), made only when needed.
    let note_room = note_len(violations.len()) + 1;
    let mut out = String::with_capacity(64 * violations.len().min(64));
    out.push('[');
    for (i, v) in violations.iter().enumerate() {
        let item = ascii_json(&Item {
            location: &v.location,
            message: &v.message,
        });
        let room = if i + 1 == violations.len() {
            1
        } else {
            1 + note_room
        };
        if out.len() + item.len() + room > MAX_VIOLATIONS_HEADER {
            out.push_str(&note(violations.len() - i));
            break;
        }
        out.push_str(&item);
        out.push(',');
    }
    if out.ends_with(',') {
        out.pop();
    }
    out.push(']');
    HeaderValue::from_str(&out).ok()
}

const MORE_VIOLATIONS: &str = " more violations in the body and the journal";

/// The length of [`violations_header`]'s note for `rest` violations, without
/// making it: `{"location":"","message":"N more ..."}`, all ASCII.
fn note_len(rest: usize) -> usize {
    let digits = rest.checked_ilog10().map_or(1, |d| d as usize + 1);
    r#"{"location":"","message":""}"#.len() + digits + MORE_VIOLATIONS.len()
}

/// JSON with every non-ASCII character escaped as `\uXXXX` (still valid JSON).
fn ascii_json(v: &impl serde::Serialize) -> String {
    let s = serde_json::to_string(v).unwrap_or_default();
    // serde_json escapes control characters below 0x20 itself.
    if s.bytes().all(|b| (0x20..0x7f).contains(&b)) {
        return s;
    }
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if c.is_ascii() && !c.is_ascii_control() {
            out.push(c);
        } else {
            let mut buf = [0u16; 2];
            for unit in c.encode_utf16(&mut buf) {
                out.push_str(&format!("\\u{unit:04x}"));
            }
        }
    }
    out
}

/// `WWW-Authenticate` for http and oauth2 schemes (apiKey schemes have no challenge).
fn challenge(op: &Operation) -> Option<HeaderValue> {
    let mut parts: Vec<String> = Vec::new();
    for req in &op.security {
        for (_, s) in &req.schemes {
            let c = match s {
                SecurityScheme::Bearer => "Bearer realm=\"specmock\"".to_string(),
                SecurityScheme::Basic => "Basic realm=\"specmock\"".to_string(),
                SecurityScheme::Http { scheme } => format!("{scheme} realm=\"specmock\""),
                _ => continue,
            };
            if !parts.contains(&c) {
                parts.push(c);
            }
        }
    }
    if parts.is_empty() {
        return None;
    }
    HeaderValue::from_str(&parts.join(", ")).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Loc;

    #[test]
    fn the_note_is_as_long_as_reckoned() {
        for rest in [0, 1, 9, 10, 99, 100, 12_345, usize::MAX] {
            let note = ascii_json(&serde_json::json!({
                "location": "",
                "message": format!("{rest}{MORE_VIOLATIONS}"),
            }));
            assert_eq!(note_len(rest), note.len(), "{note}");
        }
    }

    fn op(codes: &[&str]) -> Operation {
        Operation {
            document: "d".into(),
            qualified: "d/o".into(),
            display_header: None,
            secret_segments: vec![],
            index: 0,
            operation_id: "o".into(),
            id_derived: false,
            display_id: "o".into(),
            method: hyper::Method::PUT,
            path: "/x".into(),
            route: "/x".into(),
            loc: Loc::new("t", ""),
            summary: None,
            parameters: vec![],
            security: vec![],
            request_body: None,
            responses: codes
                .iter()
                .map(|c| Response {
                    headers: vec![],
                    status: StatusKey::parse(c).unwrap(),
                    description: String::new(),
                    content: vec![],
                    loc: Loc::new("t", ""),
                })
                .collect(),
            unavailable: None,
        }
    }

    fn v(kind: ViolationKind) -> Violation {
        Violation::new(kind, "body", "x")
    }

    #[test]
    fn status_choice_rule() {
        use ViolationKind::*;
        // Security: 401, then 403, then 4XX/default, else 401.
        assert_eq!(
            choose_status(&op(&["200", "401", "403"]), &[v(Security), v(Body)]).0,
            401
        );
        assert_eq!(choose_status(&op(&["200", "403"]), &[v(Security)]).0, 403);
        let o = op(&["200"]);
        let (code, r) = choose_status(&o, &[v(Security)]);
        assert_eq!((code, r.is_none()), (401, true));
        // Content type: 415.
        assert_eq!(
            choose_status(&op(&["200", "415"]), &[v(ContentType)]).0,
            415
        );
        assert_eq!(choose_status(&op(&["200"]), &[v(ContentType)]).0, 415);
        // Parameters and body: 422, then 400, then 4XX, then default, else 422.
        assert_eq!(
            choose_status(&op(&["200", "400", "422"]), &[v(Body)]).0,
            422
        );
        assert_eq!(choose_status(&op(&["200", "400"]), &[v(Parameter)]).0, 400);
        let o = op(&["200", "4XX"]);
        let (code, r) = choose_status(&o, &[v(Body)]);
        assert_eq!(
            (code, r.map(|r| r.status)),
            (422, Some(StatusKey::Range(4)))
        );
        let o = op(&["200", "default"]);
        assert_eq!(
            choose_status(&o, &[v(Body)]).1.map(|r| r.status),
            Some(StatusKey::Default)
        );
        let o = op(&["200", "404"]);
        let (code, r) = choose_status(&o, &[v(Body)]);
        assert_eq!((code, r.is_none()), (422, true));
    }

    #[test]
    fn header_is_ascii_and_bounded() {
        let vs: Vec<Violation> = (0..500)
            .map(|i| {
                Violation::new(
                    ViolationKind::Body,
                    format!("body/{i}"),
                    "ünïcode \"quoted\"",
                )
            })
            .collect();
        let h = violations_header(&vs).unwrap();
        let s = h.to_str().unwrap();
        assert!(s.len() <= MAX_VIOLATIONS_HEADER, "{}", s.len());
        let parsed: Value = serde_json::from_str(s).unwrap();
        let arr = parsed.as_array().unwrap();
        assert!(arr.len() < 500);
        assert!(
            arr.last().unwrap()["message"]
                .as_str()
                .unwrap()
                .contains("more violations")
        );
        assert_eq!(arr[0]["message"], "ünïcode \"quoted\"");
    }
}
