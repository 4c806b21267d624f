//! Recording: specmock as a reverse proxy in front of the real API. Each
//! request is routed and validated as usual (violations journalled, blocking
//! only with `--strict`), forwarded upstream, and the upstream's answer is
//! checked against the operation's responses (the vendor drifting from its
//! own contract is reported), returned to the client unchanged but for
//! specmock's own headers, and written as a fixture: redacted first, atomically.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap};
use serde_json::{Map, Value, json};

use crate::contract::Contract;
use crate::generate;
use crate::journal::rfc3339;
use crate::problem::{Problem, ProblemKind};
use crate::redact::{self, Credentials, REDACTED};
use crate::request::Request;
use crate::respond::Answer;
use crate::spec::{Document, Loc, Operation};
use crate::validate::Violation;
use crate::validate::response::parse_body;
use crate::validate::response::{Answerer, answer_violations};

pub use crate::upstream::{UpstreamClient, UpstreamError as RecordError, Upstreamed};

/// How the recorder reaches the upstream and where it writes.
#[derive(Debug)]
pub struct Recorder {
    client: UpstreamClient,
    /// Replaces every document's whole server URL (scheme, host and base path).
    pub upstream: Option<String>,
    /// Where fixtures are written: `DIR/<document>/<operationId>/`.
    pub dir: PathBuf,
    /// Per-document upstreams (by document name), winning over `upstream`.
    pub upstreams: std::collections::HashMap<String, String>,
}

impl Recorder {
    /// Give documents their own upstreams.
    pub fn with_upstreams(
        mut self,
        upstreams: std::collections::HashMap<String, String>,
    ) -> Recorder {
        self.upstreams = upstreams;
        self
    }

    /// A recorder with a client that times out (10 s to connect, 60 s in all)
    /// and does not follow redirects (the client sees what the API said).
    pub fn new(dir: PathBuf, upstream: Option<String>) -> Result<Recorder, RecordError> {
        let client = UpstreamClient::new()?;
        sweep_temp_files(&dir, 0);
        Ok(Recorder {
            client,
            upstream,
            dir,
            upstreams: Default::default(),
        })
    }

    /// The upstream URL a request to `op` goes to.
    pub fn upstream_url(&self, doc: &Document, req: &Request) -> Result<String, RecordError> {
        let base = match (
            self.upstreams.get(&doc.name).or(self.upstream.as_ref()),
            &doc.server_url,
        ) {
            (Some(u), _) => u.clone(),
            (None, Some(u)) if u.starts_with("http://") || u.starts_with("https://") => u.clone(),
            _ => {
                return Err(RecordError::NoServerUrl {
                    document: doc.name.clone(),
                });
            }
        };
        let rest = req
            .path
            .strip_prefix(doc.base_path.as_str())
            .unwrap_or(&req.path);
        let mut url = format!(
            "{}/{}",
            base.trim_end_matches('/'),
            rest.trim_start_matches('/')
        );
        if let Some(q) = &req.query {
            url.push('?');
            url.push_str(q);
        }
        Ok(url)
    }

    /// Forward a request upstream; the answer as it came back.
    pub async fn forward(&self, url: &str, req: &Request) -> Result<Upstreamed, RecordError> {
        self.client.forward(url, req).await
    }
}

/// Remove the temp files (`.tmp*`) a killed recorder left behind: only whole
/// fixtures stay.
fn sweep_temp_files(dir: &Path, depth: usize) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let p = e.path();
        if p.is_dir() && depth < 8 {
            sweep_temp_files(&p, depth + 1);
        } else if p
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with(".tmp"))
        {
            let _ = std::fs::remove_file(&p);
        }
    }
}

/// A 502 naming the upstream.
pub fn bad_gateway(url: &str, why: &str) -> Answer {
    Answer::problem(
        &Problem::new(ProblemKind::UpstreamUnreachable, format!("{url}: {why}"))
            .with("upstream", url),
    )
}

/// Check an upstream answer against the operation's declared responses,
/// worded for the upstream (these messages are stored in the fixture).
pub fn response_violations(
    op: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: &Bytes,
) -> Vec<Violation> {
    let upstream = Answerer {
        name: "the upstream",
        body: "the upstream body",
        location: "response",
    };
    answer_violations(op, status, headers, body, upstream)
}

/// Build the fixture file for an exchange, redacted: nothing in it (nor in its
/// name) holds a credential or a secret path parameter. Returns the relative
/// path and the JSON.
pub fn fixture_for(
    contract: &Contract,
    op: &Operation,
    creds: &Credentials,
    req: &Request,
    up: &Upstreamed,
    violations: &[Violation],
) -> (PathBuf, Value) {
    let (status, resp_headers, resp_body) = (up.status.as_u16(), &up.headers, &up.body);
    let mut redacted: Vec<String> = Vec::new();
    let path = redact::path(Some(op), &req.path);
    if path != req.path {
        redacted.push("request.path".into());
    }
    let mut request = Map::new();
    request.insert("method".into(), json!(req.method.as_str()));
    request.insert("path".into(), json!(path));
    // Query: secret parameters are left out entirely (they would never match again).
    let mut query = Map::new();
    for (k, v) in req.query_pairs() {
        if creds.is_secret_query(&k) {
            redacted.push(format!("request.query.{k}"));
        } else {
            query.insert(k, json!(v));
        }
    }
    if !query.is_empty() {
        request.insert("query".into(), Value::Object(query));
    }
    let req_ct = req.header_str(hyper::header::CONTENT_TYPE).unwrap_or("");
    if !req.body.is_empty() {
        let body = if req_ct.starts_with("application/x-www-form-urlencoded") {
            let mut map = Map::new();
            for (k, v) in form_urlencoded::parse(&req.body) {
                map.insert(k.into_owned(), json!(v));
            }
            Some(Value::Object(map))
        } else {
            parse_body(req_ct, &req.body)
        };
        if let Some(mut b) = body {
            stand_in(
                contract,
                op,
                None,
                &mut b,
                creds,
                "request.body",
                &mut redacted,
            );
            request.insert("body".into(), b);
            request.insert("headers".into(), json!({"content-type": req_ct}));
        }
    }
    let mut response = Map::new();
    response.insert("status".into(), json!(status));
    let resp_ct = resp_headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !resp_ct.is_empty() {
        response.insert("headers".into(), json!({"content-type": resp_ct}));
    }
    if !resp_body.is_empty() {
        match parse_body(resp_ct, resp_body) {
            Some(mut b) => {
                stand_in(
                    contract,
                    op,
                    Some(status),
                    &mut b,
                    creds,
                    "response.body",
                    &mut redacted,
                );
                response.insert("body".into(), b);
            }
            None => {
                response.insert(
                    "body".into(),
                    json!(format!("<{} bytes not recorded>", resp_body.len())),
                );
            }
        }
    }
    let mut fixture = Map::new();
    fixture.insert("request".into(), Value::Object(request));
    fixture.insert("response".into(), Value::Object(response));
    if !redacted.is_empty() {
        redacted.sort();
        redacted.dedup();
        fixture.insert("redacted".into(), json!(redacted));
    }
    if !violations.is_empty() {
        fixture.insert("contractViolations".into(), json!(violations));
    }
    let identity = serde_json::to_string(&fixture).unwrap_or_default();
    let hash = generate::derive_seed(0, "fixture", &identity);
    let slug: String = path
        .trim_matches('/')
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_lowercase()
            } else {
                '-'
            }
        })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let slug: String = slug.chars().take(60).collect();
    let name = format!(
        "{}-{slug}-{status}-{:08x}.json",
        req.method.as_str().to_ascii_lowercase(),
        hash as u32
    );
    let rel = Path::new(&op.document).join(&op.operation_id).join(name);
    (rel, Value::Object(fixture))
}

/// Replace secret values with stand-ins that still satisfy the schema,
/// recording where (`response.body/token`).
fn stand_in(
    contract: &Contract,
    op: &Operation,
    status: Option<u16>,
    body: &mut Value,
    creds: &Credentials,
    prefix: &str,
    redacted: &mut Vec<String>,
) {
    let mut pointers = Vec::new();
    collect_secret_pointers(body, creds, &mut String::new(), &mut pointers);
    if pointers.is_empty() {
        return;
    }
    // The schema this body is checked against, if any.
    let schema = match status {
        Some(s) => op
            .declared_for(s)
            .and_then(|r| r.content.iter().find_map(|m| m.schema.clone())),
        None => op
            .request_body
            .as_ref()
            .and_then(|b| b.content.iter().find_map(|m| m.schema.clone())),
    };
    let doc = contract.document(&op.document);
    let plans = contract.plans(&op.document);
    for p in pointers {
        let placeholder = Value::String(REDACTED.to_string());
        let replacement = match (&schema, doc, plans) {
            (Some(s), Some(d), Some(plans)) => {
                let mut candidate = body.clone();
                if let Some(slot) = candidate.pointer_mut(&p) {
                    *slot = placeholder.clone();
                }
                let fails_here = s
                    .iter_errors(&candidate)
                    .any(|e| crate::spec::locate(&e).0 == p);
                if fails_here {
                    subschema_at(&d.files, &s.loc, &p)
                        .map(|loc| {
                            generate::generate(plans, &loc, 0x5ec2e7, &generate::Hints::NONE)
                        })
                        .unwrap_or(placeholder)
                } else {
                    placeholder
                }
            }
            _ => placeholder,
        };
        if let Some(slot) = body.pointer_mut(&p) {
            *slot = replacement;
        }
        redacted.push(format!("{prefix}{p}"));
    }
}

fn collect_secret_pointers(
    v: &Value,
    creds: &Credentials,
    path: &mut String,
    out: &mut Vec<String>,
) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let len = path.len();
                path.push('/');
                path.push_str(&crate::spec::escape_token(k));
                if creds.is_secret_body_key(k) && !child.is_null() {
                    out.push(path.clone());
                } else {
                    collect_secret_pointers(child, creds, path, out);
                }
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                collect_secret_pointers(child, creds, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// The schema that governs the value at a JSON pointer inside an instance of
/// the schema at `loc` (following `$ref`, `properties`, `items`,
/// `additionalProperties` and the branches of `allOf`/`anyOf`/`oneOf`).
pub fn subschema_at(files: &crate::spec::FileSet, loc: &Loc, pointer: &str) -> Option<Loc> {
    let tokens: Vec<String> = pointer
        .split('/')
        .skip(1)
        .map(|t| crate::spec::unescape_token(t).into_owned())
        .collect();
    walk(files, loc, &tokens, 0)
}

fn walk(files: &crate::spec::FileSet, loc: &Loc, tokens: &[String], depth: usize) -> Option<Loc> {
    if depth > 32 {
        return None;
    }
    let (loc, schema) = files.deref(loc).ok()?;
    let Some((first, rest)) = tokens.split_first() else {
        return Some(loc);
    };
    let obj = schema.as_object()?;
    if let Some(props) = obj.get("properties").and_then(Value::as_object)
        && props.contains_key(first.as_str())
    {
        return walk(
            files,
            &loc.child("properties").child(first),
            rest,
            depth + 1,
        );
    }
    if first.parse::<usize>().is_ok() && obj.contains_key("items") {
        return walk(files, &loc.child("items"), rest, depth + 1);
    }
    for key in ["allOf", "anyOf", "oneOf"] {
        if let Some(branches) = obj.get(key).and_then(Value::as_array) {
            for i in 0..branches.len() {
                if let Some(found) = walk(
                    files,
                    &loc.child(key).child(&i.to_string()),
                    tokens,
                    depth + 1,
                ) {
                    return Some(found);
                }
            }
        }
    }
    if obj
        .get("additionalProperties")
        .is_some_and(Value::is_object)
    {
        return walk(files, &loc.child("additionalProperties"), rest, depth + 1);
    }
    None
}

/// Write a fixture unless an identical one is there; returns the path when written.
pub fn write_fixture(
    dir: &Path,
    rel: &Path,
    mut fixture: Value,
) -> std::io::Result<Option<PathBuf>> {
    let path = dir.join(rel);
    if path.exists() {
        return Ok(None);
    }
    // Playback serves equally matching exchanges in recorded order.
    let sequence = path
        .parent()
        .and_then(|p| std::fs::read_dir(p).ok())
        .map(|d| {
            d.filter_map(Result::ok)
                .filter(|e| e.path().extension().is_some_and(|x| x == "json"))
                .count()
        })
        .unwrap_or(0)
        + 1;
    if let Value::Object(map) = &mut fixture {
        map.insert(
            "recorded".into(),
            json!(rfc3339(std::time::SystemTime::now())),
        );
        map.insert("sequence".into(), json!(sequence));
    }
    let bytes = serde_json::to_vec_pretty(&fixture).unwrap_or_default();
    crate::report::write_atomic(&path, &bytes)?;
    Ok(Some(path))
}

/// The upstream's answer as it came (the pipeline adds specmock's own headers).
pub fn answer_from_upstream(up: Upstreamed) -> Answer {
    Answer {
        status: up.status,
        headers: up.headers,
        body: up.body,
    }
}

/// Partial mocking: the real API at `base` answers (the request's path and
/// query appended); its answer is checked against the operation, when the
/// request matched one, and nothing is written.
pub async fn pass(
    client: &UpstreamClient,
    base: &str,
    req: &Request,
    op: Option<&Operation>,
) -> (Answer, Vec<Violation>) {
    let mut url = format!("{}{}", base.trim_end_matches('/'), req.path);
    if let Some(q) = &req.query {
        url.push('?');
        url.push_str(q);
    }
    let shown = url.split('?').next().unwrap_or(&url).to_string();
    match client.forward(&url, req).await {
        Ok(up) => {
            let rv = op
                .map(|op| response_violations(op, up.status.as_u16(), &up.headers, &up.body))
                .unwrap_or_default();
            (answer_from_upstream(up), rv)
        }
        Err(why) => {
            tracing::warn!(target: "specmock::forward", "{shown}: {why}");
            (bad_gateway(&shown, &why.to_string()), Vec::new())
        }
    }
}

/// The upstream as an answer source (the pipeline decided it answers
/// `req`, routed to `op`): forward, check its answer against the
/// contract, write the fixture (redacted), and hand back the answer and
/// how it broke the contract.
pub async fn exchange(
    rec: &Recorder,
    contract: &Contract,
    req: &Request,
    op: &Operation,
) -> (Answer, Vec<Violation>) {
    let Some(doc) = contract.document(&op.document) else {
        return (
            bad_gateway("(none)", "the operation's document is not loaded"),
            Vec::new(),
        );
    };
    let url = match rec.upstream_url(doc, req) {
        Ok(u) => u,
        Err(why) => return (bad_gateway("(none)", &why.to_string()), Vec::new()),
    };
    let up = match rec.forward(&url, req).await {
        Ok(x) => x,
        Err(why) => {
            // Name the upstream without its query string (it may carry a key).
            let shown = url.split('?').next().unwrap_or(&url);
            tracing::warn!(target: "specmock::record", "{shown}: {why}");
            return (bad_gateway(shown, &why.to_string()), Vec::new());
        }
    };
    let rv = response_violations(op, up.status.as_u16(), &up.headers, &up.body);
    let (rel, fixture) = fixture_for(contract, op, contract.credentials(), req, &up, &rv);
    match write_fixture(&rec.dir, &rel, fixture) {
        Ok(Some(p)) => tracing::info!(target: "specmock::record", "recorded {}", p.display()),
        Ok(None) => {
            tracing::debug!(target: "specmock::record", "already recorded: {}", rel.display())
        }
        Err(e) => {
            tracing::error!(target: "specmock::record", "could not write {}: {e}", rel.display())
        }
    }
    (answer_from_upstream(up), rv)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_errors_keep_their_messages() {
        let e = RecordError::NoServerUrl {
            document: "axiom".into(),
        };
        assert_eq!(
            e.to_string(),
            "document axiom has no absolute server URL to forward to; give --upstream URL"
        );
        let e = RecordError::BodyTooLarge {
            limit: crate::upstream::MAX_UPSTREAM_BODY,
        };
        assert_eq!(e.to_string(), "the upstream body is over 10485760 bytes");
    }

    #[tokio::test]
    async fn a_refused_connection_is_a_transport_error_not_a_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let rec = Recorder::new(dir.path().to_path_buf(), None).unwrap();
        // A port just freed: nothing listens there.
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let req = Request::new(hyper::Method::GET, "/");
        let err = rec
            .forward(&format!("http://127.0.0.1:{port}/"), &req)
            .await
            .unwrap_err();
        assert!(matches!(err, RecordError::Transport(_)), "{err:?}");
        assert!(err.to_string().contains("error sending request"), "{err}");
    }

    /// The upstream's words for each way an answer breaks the contract (they
    /// are stored in the fixture), as before the check moved to `validate::response`.
    #[test]
    fn upstream_violations_keep_their_words() {
        let op = crate::validate::response::sample();
        let check = |status: u16, ct: Option<&'static str>, body: &'static str| {
            let mut headers = HeaderMap::new();
            if let Some(ct) = ct {
                headers.insert(CONTENT_TYPE, hyper::header::HeaderValue::from_static(ct));
            }
            let v = response_violations(&op, status, &headers, &Bytes::from(body));
            v.iter().map(|v| v.to_string()).collect::<Vec<_>>()
        };
        let json = Some("application/json");
        assert_eq!(
            check(500, None, "{}"),
            [
                "response.status: the upstream answered 500, which getThings does not declare (200, 204, 4XX)"
            ]
        );
        assert_eq!(
            check(204, None, "x"),
            ["response.body: 204 is declared with no content, but the upstream sent a body"]
        );
        assert_eq!(
            check(200, Some("application/xml"), "<a/>"),
            [
                r#"response.header.content-type: the upstream sent "application/xml"; 200 declares application/json, text/plain"#
            ]
        );
        assert_eq!(
            check(200, None, "{}"),
            [
                r#"response.header.content-type: the upstream sent ""; 200 declares application/json, text/plain"#
            ]
        );
        assert_eq!(
            check(200, json, "{"),
            ["response.body: the upstream body is not valid JSON"]
        );
        assert_eq!(
            check(200, json, r#"{"id": "x", "n": 3}"#),
            [
                r#"response.body/id: "x" is not of type "integer""#,
                r#"response.body/n: 3 is not of type "string""#
            ]
        );
        assert_eq!(
            check(200, Some("text/plain"), "toolong"),
            [r#"response.body: "toolong" is longer than 3 characters"#]
        );
        assert_eq!(
            check(404, Some("image/png"), "\u{0}"),
            [
                r#"response.header.content-type: the upstream sent "image/png"; 404 declares application/octet-stream"#
            ]
        );
        for (status, ct, body) in [
            (204, None, ""),
            (200, json, ""),
            (200, json, r#"{"id": 1}"#),
            (200, Some("text/plain; charset=utf-8"), "ok"),
            (404, Some("application/octet-stream"), "\u{0}\u{1}"),
        ] {
            assert!(check(status, ct, body).is_empty(), "{status} {body}");
        }
    }
}
