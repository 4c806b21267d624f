//! The fixture store: recorded or hand-written exchanges, one file each,
//! matched against requests that kept the contract.
//!
//! Format (JSON or YAML):
//!
//! ```json
//! {"request":  {"method": "PUT", "path": "/api/admin/api-tokens/expired-token",
//!               "query": {"dryRun": "true"}, "headers": {"x-tenant": "a"},
//!               "body": {"expiresAt": "2030-01-01T00:00:00Z"}},
//!  "response": {"status": 200, "headers": {"content-type": "application/json"},
//!               "body": {}}}
//! ```
//!
//! Matching is explicit: method and path always (a path segment may be a
//! template such as `{token}`, matching any value); query, headers and body
//! only where the fixture names them (query and headers: every named one
//! present with that value; body: a JSON subset). The most specific fixture
//! wins: more literal path segments first, then more named constraints; ties
//! go to the file name that sorts first. A fixture whose response breaks the
//! contract is skipped with a warning naming the file and the violation.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use bytes::Bytes;
use hyper::Method;
use percent_encoding::percent_decode_str;
use serde_json::Value;

use crate::contract::Contract;
use crate::request::Request;
use crate::respond::{is_json, serialize_for};
use crate::spec::{Operation, StatusKey, parse_text};
use crate::validate::match_media_type;

/// The fixtures shipped with the bundled specs (embedded in the binary).
pub const BUNDLED_FIXTURES: &[(&str, &str)] = &[
    (
        "adafruit-io/getToken/TKN-NOT-FOUND.json",
        include_str!("../fixtures/adafruit-io/getToken/TKN-NOT-FOUND.json"),
    ),
    (
        "adafruit-io/getToken/TKN-FORBIDDEN.json",
        include_str!("../fixtures/adafruit-io/getToken/TKN-FORBIDDEN.json"),
    ),
    (
        "adafruit-io/destroyToken/TKN-SERVER-ERROR.json",
        include_str!("../fixtures/adafruit-io/destroyToken/TKN-SERVER-ERROR.json"),
    ),
    (
        "unleash/update-api-token/expired-token.json",
        include_str!("../fixtures/unleash/update-api-token/expired-token.json"),
    ),
    (
        "unleash/update-api-token/forbidden-token.json",
        include_str!("../fixtures/unleash/update-api-token/forbidden-token.json"),
    ),
    (
        "softwareone/put-public-v1-accounts-api-tokens-id/TKN-NOT-FOUND.json",
        include_str!(
            "../fixtures/softwareone/put-public-v1-accounts-api-tokens-id/TKN-NOT-FOUND.json"
        ),
    ),
    (
        "softwareone/put-public-v1-accounts-api-tokens-id/TKN-0042-0042.json",
        include_str!(
            "../fixtures/softwareone/put-public-v1-accounts-api-tokens-id/TKN-0042-0042.json"
        ),
    ),
    (
        "axiom/regenerateAPIToken/expired-token.json",
        include_str!("../fixtures/axiom/regenerateAPIToken/expired-token.json"),
    ),
];

/// One path segment of a fixture.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    /// `{name}`: any value.
    Any,
}

/// One exchange.
#[derive(Debug, Clone)]
pub struct Fixture {
    /// Where it came from (path or `bundled:...`).
    pub file: String,
    /// The operation it answers for (`document/operationId`).
    pub operation: String,
    pub method: Method,
    pub path: String,
    segments: Vec<Segment>,
    pub query: Vec<(String, String)>,
    /// Header names lower-case.
    pub headers: Vec<(String, String)>,
    pub body: Option<Value>,
    pub status: u16,
    /// Response headers to send (content-type included when given).
    pub response_headers: Vec<(String, String)>,
    /// The response body, serialised once at load.
    pub response_body: Bytes,
    /// Recorded order: equally matching fixtures are served in this order,
    /// then the last one keeps answering (polling the same URL).
    pub sequence: Option<u64>,
}

impl Fixture {
    fn literal_segments(&self) -> usize {
        self.segments
            .iter()
            .filter(|s| matches!(s, Segment::Literal(_)))
            .count()
    }

    fn constraints(&self) -> usize {
        self.query.len() + self.headers.len() + self.body.as_ref().map_or(0, count_leaves)
    }

    /// Literal segments equal (percent-decoded), template segments anything.
    fn path_matches(&self, path: &str) -> bool {
        let mut segs = path.strip_prefix('/').unwrap_or(path).split('/');
        for want in &self.segments {
            let Some(s) = segs.next() else { return false };
            if let Segment::Literal(l) = want {
                // Decode only when there is something to decode.
                let equal = if s.contains('%') {
                    percent_decode_str(s).decode_utf8_lossy() == l.as_str()
                } else {
                    s == l
                };
                if !equal {
                    return false;
                }
            }
        }
        segs.next().is_none()
    }

    fn matches(&self, req: &Request, body: Option<&Value>) -> bool {
        if self.method != req.method && !(req.method == Method::HEAD && self.method == Method::GET)
        {
            return false;
        }
        if !self.path_matches(&req.path) {
            return false;
        }
        if !self.query.is_empty() {
            let pairs = req.query_pairs();
            if !self.query.iter().all(|q| pairs.contains(q)) {
                return false;
            }
        }
        for (name, value) in &self.headers {
            if req.header_str(name) != Some(value.as_str()) {
                return false;
            }
        }
        match (&self.body, body) {
            (None, _) => true,
            (Some(want), Some(got)) => is_subset(want, got),
            (Some(_), None) => false,
        }
    }
}

fn count_leaves(v: &Value) -> usize {
    match v {
        Value::Object(m) => m.values().map(count_leaves).sum::<usize>().max(1),
        Value::Array(a) => a.iter().map(count_leaves).sum::<usize>().max(1),
        _ => 1,
    }
}

/// `want` is a subset of `got`: every member of an object is there (recursively); arrays and scalars are equal.
pub fn is_subset(want: &Value, got: &Value) -> bool {
    match (want, got) {
        (Value::Object(w), Value::Object(g)) => w
            .iter()
            .all(|(k, v)| g.get(k).is_some_and(|gv| is_subset(v, gv))),
        _ => want == got,
    }
}

/// Every fixture, by operation.
#[derive(Debug, Default, Clone)]
pub struct FixtureStore {
    by_operation: HashMap<String, Vec<Fixture>>,
    count: usize,
    /// Where each group of equally matching recorded fixtures is in its sequence.
    cursors: std::sync::Arc<std::sync::Mutex<HashMap<String, usize>>>,
}

/// A fixture file to load.
#[derive(Debug, Clone)]
pub struct FixtureSource {
    pub display: String,
    pub text: String,
}

impl FixtureStore {
    /// The bundled fixtures as sources.
    pub fn bundled_sources() -> Vec<FixtureSource> {
        BUNDLED_FIXTURES
            .iter()
            .map(|(name, text)| FixtureSource {
                display: format!("bundled:fixtures/{name}"),
                text: text.to_string(),
            })
            .collect()
    }

    /// Every `.json`, `.yaml` and `.yml` file under `dir`, recursively, sorted by path.
    pub fn dir_sources(dir: &Path) -> Result<Vec<FixtureSource>, String> {
        let mut files = Vec::new();
        walk(dir, &mut files, 0)
            .map_err(|e| format!("{}: cannot read fixtures: {e}", dir.display()))?;
        files.sort();
        let mut out = Vec::new();
        for f in files {
            let text = std::fs::read_to_string(&f)
                .map_err(|e| format!("{}: cannot read: {e}", f.display()))?;
            out.push(FixtureSource {
                display: f.display().to_string(),
                text,
            });
        }
        Ok(out)
    }

    /// Load fixtures for a contract; returns the store and a warning per skipped file.
    pub fn load(sources: &[FixtureSource], contract: &Contract) -> (FixtureStore, Vec<String>) {
        let mut store = FixtureStore::default();
        let mut warnings = Vec::new();
        for src in sources {
            match parse_fixture(src, contract) {
                Ok(f) => {
                    store.count += 1;
                    store
                        .by_operation
                        .entry(f.operation.clone())
                        .or_default()
                        .push(f);
                }
                Err(e) => warnings.push(format!("{}: fixture skipped: {e}", src.display)),
            }
        }
        (store, warnings)
    }

    /// How many fixtures are loaded.
    pub fn len(&self) -> usize {
        self.count
    }

    /// True when none are loaded.
    pub fn is_empty(&self) -> bool {
        self.count == 0
    }

    /// True when some fixture matches (without advancing a recorded sequence).
    pub fn has_match(&self, op: &Operation, req: &Request, body: Option<&Value>) -> bool {
        self.by_operation
            .get(op.qualified())
            .is_some_and(|l| l.iter().any(|f| f.matches(req, body)))
    }

    /// The best fixture for a request routed to `op`, if any matches.
    pub fn find(&self, op: &Operation, req: &Request, body: Option<&Value>) -> Option<&Fixture> {
        if self.by_operation.is_empty() {
            return None;
        }
        let list = self.by_operation.get(op.qualified())?;
        let matching: Vec<&Fixture> = list.iter().filter(|f| f.matches(req, body)).collect();
        if matching.len() < 2 {
            return matching.first().copied();
        }
        let best = matching
            .iter()
            .map(|f| (f.literal_segments(), f.constraints()))
            .max()?;
        let mut top: Vec<&Fixture> = matching
            .into_iter()
            .filter(|f| (f.literal_segments(), f.constraints()) == best)
            .collect();
        if top.len() > 1 && top.iter().all(|f| f.sequence.is_some()) {
            // A recorded sequence (polling): serve in order, then stay on the last.
            top.sort_by_key(|f| f.sequence);
            let key: String = top
                .iter()
                .map(|f| f.file.as_str())
                .collect::<Vec<_>>()
                .join("|");
            let mut cursors = self.cursors.lock().unwrap_or_else(|p| p.into_inner());
            let cursor = cursors.entry(key).or_insert(0);
            let pick = top[(*cursor).min(top.len() - 1)];
            *cursor += 1;
            return Some(pick);
        }
        top.first().copied()
    }

    /// The fixture of this operation (else of any) closest to a request that
    /// matched none, and what differs, for `--fixtures-only` errors.
    pub fn closest(
        &self,
        op: &Operation,
        req: &Request,
        body: Option<&Value>,
    ) -> Option<(&Fixture, String)> {
        let own = self.by_operation.get(op.qualified());
        let candidates: Vec<&Fixture> = match own {
            Some(l) if !l.is_empty() => l.iter().collect(),
            _ => self.by_operation.values().flatten().collect(),
        };
        candidates
            .into_iter()
            .map(|f| {
                let diffs = f.differences(req, body);
                (diffs.len(), f, diffs)
            })
            .min_by_key(|(n, f, _)| (*n, f.file.clone()))
            .map(|(_, f, d)| (f, d.join(", ")))
    }

    /// Every fixture, for checks.
    pub fn all(&self) -> impl Iterator<Item = &Fixture> {
        self.by_operation.values().flatten()
    }
}

impl Fixture {
    /// What keeps this fixture from matching a request.
    fn differences(&self, req: &Request, body: Option<&Value>) -> Vec<String> {
        let mut out = Vec::new();
        if self.method != req.method {
            out.push(format!(
                "method {} (fixture) vs {}",
                self.method, req.method
            ));
        }
        let path_ok = self.path_matches(&req.path);
        if !path_ok {
            out.push(format!("path {} (fixture) vs {}", self.path, req.path));
        }
        let pairs = req.query_pairs();
        for q in &self.query {
            if !pairs.contains(q) {
                out.push(format!("query {}={}", q.0, q.1));
            }
        }
        for (name, value) in &self.headers {
            if req.header_str(name) != Some(value.as_str()) {
                out.push(format!("header {name}: {value}"));
            }
        }
        if let Some(want) = &self.body
            && !body.is_some_and(|b| is_subset(want, b))
        {
            out.push("body".to_string());
        }
        out
    }
}

/// Check fixtures against the contract: every problem of every file
/// (`file: pointer: message`), the ones the loader would skip and the
/// violations a recording flagged included.
pub fn check(sources: &[FixtureSource], contract: &Contract) -> Vec<String> {
    let mut problems = Vec::new();
    for src in sources {
        let v = match parse_text(&src.display, &src.text) {
            Ok(v) => v,
            Err(e) => {
                problems.push(format!("{}: {}", src.display, e.message));
                continue;
            }
        };
        if let Some(Value::Array(flagged)) = v.get("contractViolations") {
            for f in flagged {
                problems.push(format!(
                    "{}: {}: {} (recorded from the upstream)",
                    src.display,
                    f.get("location")
                        .and_then(Value::as_str)
                        .unwrap_or("response"),
                    f.get("message").and_then(Value::as_str).unwrap_or("")
                ));
            }
        }
        let fixture = match parse_fixture(src, contract) {
            Ok(f) => f,
            Err(e) => {
                if v.get("contractViolations").is_none() {
                    problems.push(format!("{}: {e}", src.display));
                }
                continue;
            }
        };
        // The request side: what a client sending this request would be told
        // (credentials are never recorded, so security is not checked).
        let Ok(routed) = contract.routes().route(&fixture.method, &fixture.path) else {
            continue;
        };
        let op = routed.operation.clone();
        let mut req = Request::new(fixture.method.clone(), &fixture.path);
        if !fixture.query.is_empty() {
            let mut q = form_urlencoded::Serializer::new(String::new());
            for (k, v) in &fixture.query {
                q.append_pair(k, v);
            }
            req.query = Some(q.finish());
        }
        for (k, v) in &fixture.headers {
            if let (Ok(k), Ok(v)) = (
                hyper::header::HeaderName::from_bytes(k.as_bytes()),
                hyper::header::HeaderValue::from_str(v),
            ) {
                req.headers.insert(k, v);
            }
        }
        if let (Some(body), Some(decl)) = (&fixture.body, &op.request_body) {
            let mt = decl
                .content
                .first()
                .map(|m| m.media_type.clone())
                .unwrap_or_else(|| "application/json".into());
            let (ct, bytes) = if mt.starts_with("application/x-www-form-urlencoded") {
                let mut f = form_urlencoded::Serializer::new(String::new());
                for (k, v) in body.as_object().into_iter().flatten() {
                    f.append_pair(
                        k,
                        &v.as_str()
                            .map(str::to_string)
                            .unwrap_or_else(|| v.to_string()),
                    );
                }
                (mt.clone(), Bytes::from(f.finish()))
            } else {
                (
                    crate::media::concrete(&mt).to_string(),
                    Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
                )
            };
            if let Ok(v) = hyper::header::HeaderValue::from_str(&ct) {
                req.headers.insert(hyper::header::CONTENT_TYPE, v);
            }
            req.body = bytes;
        }
        let checked =
            crate::validate::validate(routed, &req, &crate::validate::ValidateOptions::default());
        for v in checked.violations {
            if v.kind == crate::validate::ViolationKind::Security {
                continue;
            }
            // A template segment ({token}) stands for any value, and a fixture
            // that names no body matches any body.
            if v.location.starts_with("path.") && fixture.segments.contains(&Segment::Any) {
                continue;
            }
            if v.location.starts_with("body") && fixture.body.is_none() {
                continue;
            }
            problems.push(format!(
                "{}: request.{}: {}",
                src.display, v.location, v.message
            ));
        }
    }
    problems
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>, depth: usize) -> std::io::Result<()> {
    if depth > 16 {
        return Ok(());
    }
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            walk(&path, out, depth + 1)?;
        } else if path
            .file_name()
            .and_then(|n| n.to_str())
            .is_some_and(|n| n.starts_with('.'))
        {
            // Hidden files: editors' swap files, and the temp files of a write
            // that a crash interrupted.
            continue;
        } else if path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| matches!(e, "json" | "yaml" | "yml"))
        {
            out.push(path);
        }
    }
    Ok(())
}

fn string_map(v: Option<&Value>, what: &str) -> Result<Vec<(String, String)>, String> {
    let Some(v) = v else { return Ok(Vec::new()) };
    let map = v
        .as_object()
        .ok_or_else(|| format!("`{what}` must be a mapping of names to values"))?;
    map.iter()
        .map(|(k, v)| match v {
            Value::String(s) => Ok((k.clone(), s.clone())),
            Value::Number(_) | Value::Bool(_) => Ok((k.clone(), v.to_string())),
            _ => Err(format!("`{what}.{k}` must be a string")),
        })
        .collect()
}

fn parse_fixture(src: &FixtureSource, contract: &Contract) -> Result<Fixture, String> {
    let v = parse_text(&src.display, &src.text).map_err(|e| {
        let at = e.at.map(|a| format!("{a}: ")).unwrap_or_default();
        format!("{at}{}", e.message)
    })?;
    if let Some(Value::Array(flagged)) = v.get("contractViolations")
        && !flagged.is_empty()
    {
        let list: Vec<String> = flagged
            .iter()
            .map(|f| {
                format!(
                    "{}: {}",
                    f.get("location")
                        .and_then(Value::as_str)
                        .unwrap_or("response"),
                    f.get("message").and_then(Value::as_str).unwrap_or("")
                )
            })
            .collect();
        return Err(format!(
            "the recorded response broke the contract: {}",
            list.join("; ")
        ));
    }
    let req = v.get("request").ok_or("no `request` member")?;
    let resp = v.get("response").ok_or("no `response` member")?;
    let method: Method = req
        .get("method")
        .and_then(Value::as_str)
        .ok_or("`request.method` is missing")?
        .to_ascii_uppercase()
        .parse()
        .map_err(|_| "`request.method` is not an HTTP method")?;
    let path = req
        .get("path")
        .and_then(Value::as_str)
        .ok_or("`request.path` is missing")?
        .to_string();
    if !path.starts_with('/') {
        return Err(format!("`request.path` must start with '/': {path}"));
    }
    let (path, inline_query) = match path.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (path, None),
    };
    let mut query = string_map(req.get("query"), "request.query")?;
    if let Some(q) = inline_query {
        query.extend(form_urlencoded::parse(q.as_bytes()).into_owned());
    }
    let headers = string_map(req.get("headers"), "request.headers")?
        .into_iter()
        .map(|(k, v)| (k.to_ascii_lowercase(), v))
        .collect();
    // Route the fixture's path like a request (a `{name}` segment routes as any value).
    let routed = contract
        .routes()
        .route(&method, &path)
        .map_err(|_| format!("{method} {path} matches no operation of the loaded documents"))?;
    let op = routed.operation;
    let segments = path
        .strip_prefix('/')
        .unwrap_or(&path)
        .split('/')
        .map(|s| {
            if s.starts_with('{') && s.ends_with('}') && s.len() > 2 {
                Segment::Any
            } else {
                Segment::Literal(percent_decode_str(s).decode_utf8_lossy().into_owned())
            }
        })
        .collect();

    let status = resp
        .get("status")
        .and_then(Value::as_u64)
        .filter(|s| (100..600).contains(s))
        .ok_or("`response.status` must be a status code")? as u16;
    let mut response_headers: Vec<(String, String)> =
        string_map(resp.get("headers"), "response.headers")?
            .into_iter()
            .map(|(k, v)| (k.to_ascii_lowercase(), v))
            .collect();
    let declared = op
        .response(StatusKey::Code(status))
        .or_else(|| op.response(StatusKey::Range((status / 100) as u8)))
        .or_else(|| op.response(StatusKey::Default))
        .ok_or_else(|| {
            format!(
                "status {status} is not declared by {} (it declares {})",
                op.qualified_id(),
                op.responses
                    .iter()
                    .map(|r| r.status.to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            )
        })?;
    let body = resp.get("body").cloned();
    let content_type = response_headers
        .iter()
        .find(|(k, _)| k == "content-type")
        .map(|(_, v)| v.clone());
    let response_body = match (&body, declared.content.is_empty()) {
        (None, _) | (Some(Value::Null), true) => Bytes::new(),
        (Some(_), true) => {
            return Err(format!(
                "{} declares status {status} with no content, but the fixture has a body",
                op.qualified_id()
            ));
        }
        (Some(b), false) => {
            let media = match &content_type {
                Some(ct) => declared
                    .content
                    .iter()
                    .find(|m| match_media_type(&m.media_type, ct).is_some())
                    .ok_or_else(|| {
                        format!("content-type {ct} is not declared for status {status}")
                    })?,
                None => &declared.content[0],
            };
            if let Some(schema) = &media.schema {
                let errors: Vec<String> = schema
                    .validator
                    .iter_errors(b)
                    .map(|e| format!("response.body{}: {e}", e.instance_path()))
                    .collect();
                if !errors.is_empty() {
                    return Err(format!(
                        "response breaks the contract: {}",
                        errors.join("; ")
                    ));
                }
            }
            if content_type.is_none() {
                let ct = if media.media_type.contains('*') && is_json(&media.media_type) {
                    "application/json".to_string()
                } else {
                    media.media_type.clone()
                };
                response_headers.push(("content-type".into(), ct));
            }
            serialize_for(&media.media_type, b)
        }
    };
    // Values redacted when recorded never match again: leave them out of matching.
    let mut body = req.get("body").cloned();
    if let (Some(b), Some(Value::Array(redacted))) = (&mut body, v.get("redacted")) {
        for r in redacted.iter().filter_map(Value::as_str) {
            if let Some(ptr) = r.strip_prefix("request.body")
                && let Some((parent, last)) = ptr.rsplit_once('/')
                && let Some(Value::Object(map)) = b.pointer_mut(parent)
            {
                map.shift_remove(crate::spec::unescape_token(last).as_ref());
            }
        }
    }
    Ok(Fixture {
        file: src.display.clone(),
        operation: op.qualified_id(),
        method,
        path,
        segments,
        query,
        headers,
        body,
        status,
        response_headers,
        response_body,
        sequence: v.get("sequence").and_then(Value::as_u64),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn subset_matching() {
        assert!(is_subset(&json!({"a": 1}), &json!({"a": 1, "b": 2})));
        assert!(is_subset(
            &json!({"a": {"b": 1}}),
            &json!({"a": {"b": 1, "c": 2}})
        ));
        assert!(!is_subset(&json!({"a": 2}), &json!({"a": 1})));
        assert!(!is_subset(&json!([1]), &json!([1, 2])));
    }

    #[test]
    fn bundled_fixtures_all_load() {
        let contract = Contract::bundled().unwrap();
        let (store, warnings) = FixtureStore::load(&FixtureStore::bundled_sources(), &contract);
        assert!(warnings.is_empty(), "{warnings:?}");
        assert_eq!(store.len(), BUNDLED_FIXTURES.len());
    }

    #[test]
    fn every_file_in_fixtures_is_bundled() {
        let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let on_disk = FixtureStore::dir_sources(&dir).unwrap();
        assert_eq!(
            on_disk.len(),
            BUNDLED_FIXTURES.len(),
            "add new fixture files to BUNDLED_FIXTURES"
        );
    }

    #[test]
    fn a_fixture_breaking_the_contract_is_skipped_with_the_reason() {
        let contract = Contract::bundled().unwrap();
        let bad = FixtureSource {
            display: "bad.json".into(),
            text: r#"{"request": {"method": "POST", "path": "/v2/tokens/x/regenerate"},
                      "response": {"status": 200, "body": {"id": 5}}}"#
                .into(),
        };
        let (store, warnings) = FixtureStore::load(&[bad], &contract);
        assert!(store.is_empty());
        assert!(
            warnings[0].contains("bad.json") && warnings[0].contains("body/id"),
            "{warnings:?}"
        );
    }
}
