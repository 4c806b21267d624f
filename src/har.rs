//! `specmock fixtures import FILE.har`: a browser's or a proxy's HAR export
//! (HTTP Archive 1.2) turned into fixtures of the loaded documents, through
//! the recorder's redaction and contract checks: secrets in the HAR never
//! reach a fixture file, and what matches no operation is listed, not kept.

use std::path::{Path, PathBuf};

use bytes::Bytes;
use hyper::header::{HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use serde_json::Value;

use crate::contract::Contract;
use crate::record::{Upstreamed, fixture_for, response_violations, write_fixture};
use crate::request::Request;

/// What an import did.
#[derive(Debug, Default)]
pub struct Imported {
    /// Fixture files written.
    pub written: Vec<PathBuf>,
    /// Entries whose fixture was there already (same request, same answer).
    pub already: usize,
    /// Entries left out, each with why (`GET /x: no operation matches`).
    pub skipped: Vec<String>,
}

/// Why a HAR file cannot be imported at all.
#[derive(Debug, thiserror::Error)]
pub enum HarError {
    /// The file could not be read.
    #[error("{file}: {source}")]
    Read {
        /// The HAR file.
        file: String,
        /// What reading said.
        source: std::io::Error,
    },
    /// Not JSON, or not a HAR (`log.entries` missing).
    #[error(
        "{file}: {why}; a HAR file is JSON with log.entries (export it from the browser's network panel or a proxy)"
    )]
    Format {
        /// The HAR file.
        file: String,
        /// What is wrong, with its place.
        why: String,
    },
}

/// Import every entry of `har` into fixtures under `dir`.
pub fn import(contract: &Contract, har: &Path, dir: &Path) -> Result<Imported, HarError> {
    let file = har.display().to_string();
    let text = std::fs::read_to_string(har).map_err(|source| HarError::Read {
        file: file.clone(),
        source,
    })?;
    let v: Value = serde_json::from_str(&text).map_err(|e| HarError::Format {
        file: file.clone(),
        why: format!("line {} column {}: {e}", e.line(), e.column()),
    })?;
    let Some(entries) = v.pointer("/log/entries").and_then(Value::as_array) else {
        return Err(HarError::Format {
            file,
            why: "no log.entries array".into(),
        });
    };
    let mut out = Imported::default();
    for (i, e) in entries.iter().enumerate() {
        match entry(contract, e) {
            Err(why) => out.skipped.push(format!("entries[{i}]: {why}")),
            Ok((req, up)) => {
                let Ok(routed) = contract.routes().route(&req.method, &req.path) else {
                    out.skipped.push(format!(
                        "entries[{i}]: {} {}: no operation matches",
                        req.method, req.path
                    ));
                    continue;
                };
                let op = routed.operation.clone();
                let checked = crate::validate::validate(routed, &req, &Default::default());
                if !checked.is_valid() {
                    let first = checked.violations[0].to_string();
                    out.skipped.push(format!(
                        "entries[{i}]: {} {}: the request breaks the contract ({first}), so no request could match the fixture",
                        req.method, req.path
                    ));
                    continue;
                }
                let rv = response_violations(&op, up.status.as_u16(), &up.headers, &up.body);
                let (rel, fixture) =
                    fixture_for(contract, &op, contract.credentials(), &req, &up, &rv);
                match write_fixture(dir, &rel, fixture) {
                    Ok(Some(p)) => out.written.push(p),
                    Ok(None) => out.already += 1,
                    Err(e) => out
                        .skipped
                        .push(format!("entries[{i}]: cannot write {}: {e}", rel.display())),
                }
            }
        }
    }
    Ok(out)
}

/// One HAR entry as the request specmock would have received and the
/// answer the upstream gave.
fn entry(contract: &Contract, e: &Value) -> Result<(Request, Upstreamed), String> {
    let str_at = |p: &str| e.pointer(p).and_then(Value::as_str);
    let method = str_at("/request/method").ok_or("request.method is missing")?;
    let method =
        Method::from_bytes(method.as_bytes()).map_err(|_| format!("bad method {method:?}"))?;
    let url = str_at("/request/url").ok_or("request.url is missing")?;
    let (path, query) = split_url(contract, url);
    let mut headers = HeaderMap::new();
    for h in pairs(e.pointer("/request/headers")) {
        // HTTP/2 pseudo-headers (`:authority`) are no headers of the request.
        if let (false, Ok(k), Ok(v)) = (
            h.0.starts_with(':'),
            HeaderName::from_bytes(h.0.as_bytes()),
            HeaderValue::from_str(h.1),
        ) {
            headers.append(k, v);
        }
    }
    if let Some(mime) = str_at("/request/postData/mimeType")
        && !headers.contains_key(hyper::header::CONTENT_TYPE)
        && let Ok(v) = HeaderValue::from_str(mime)
    {
        headers.insert(hyper::header::CONTENT_TYPE, v);
    }
    let body = str_at("/request/postData/text").unwrap_or("");
    let req = Request {
        method,
        path,
        query,
        headers,
        body: Bytes::copy_from_slice(body.as_bytes()),
    };
    let status = e
        .pointer("/response/status")
        .and_then(Value::as_u64)
        .and_then(|s| u16::try_from(s).ok())
        .and_then(|s| StatusCode::from_u16(s).ok())
        .ok_or(
            "response.status is missing or no HTTP status (0: the request never got an answer)",
        )?;
    let mut resp_headers = HeaderMap::new();
    for h in pairs(e.pointer("/response/headers")) {
        let hop = [
            "content-length",
            "transfer-encoding",
            "connection",
            "content-encoding",
        ];
        if hop.contains(&h.0.to_ascii_lowercase().as_str()) || h.0.starts_with(':') {
            continue;
        }
        if let (Ok(k), Ok(v)) = (
            HeaderName::from_bytes(h.0.as_bytes()),
            HeaderValue::from_str(h.1),
        ) {
            resp_headers.append(k, v);
        }
    }
    if let Some(mime) = str_at("/response/content/mimeType")
        && !mime.is_empty()
        && !resp_headers.contains_key(hyper::header::CONTENT_TYPE)
        && let Ok(v) = HeaderValue::from_str(mime)
    {
        resp_headers.insert(hyper::header::CONTENT_TYPE, v);
    }
    let text = str_at("/response/content/text").unwrap_or("");
    let body = if str_at("/response/content/encoding") == Some("base64") {
        use base64::Engine;
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .map_err(|_| "response.content.text is not valid base64")?
    } else {
        text.as_bytes().to_vec()
    };
    Ok((
        req,
        Upstreamed {
            status,
            headers: resp_headers,
            body: Bytes::from(body),
        },
    ))
}

/// `[{name, value}]` pairs.
fn pairs(v: Option<&Value>) -> impl Iterator<Item = (&str, &str)> {
    v.and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|h| Some((h.get("name")?.as_str()?, h.get("value")?.as_str()?)))
}

/// The path and query of a captured URL, as specmock serves it: the real
/// API's base path (a document's server URL) is the one its routes carry,
/// unless the document is mounted elsewhere, then it is swapped for that.
fn split_url(contract: &Contract, url: &str) -> (String, Option<String>) {
    let no_fragment = url.split('#').next().unwrap_or(url);
    let rest = no_fragment
        .split_once("://")
        .map(|(_, r)| r.find('/').map_or("/", |i| &r[i..]))
        .unwrap_or(no_fragment);
    let (path, query) = match rest.split_once('?') {
        Some((p, q)) => (p.to_string(), Some(q.to_string())),
        None => (rest.to_string(), None),
    };
    for d in contract.documents() {
        let server_path = d
            .server_url
            .as_deref()
            .map(|u| crate::spec::server_base_path(u, None))
            .unwrap_or_default();
        if server_path != d.base_path
            && !server_path.is_empty()
            && let Some(tail) = path.strip_prefix(&server_path)
        {
            return (format!("{}{tail}", d.base_path), query);
        }
    }
    (path, query)
}
