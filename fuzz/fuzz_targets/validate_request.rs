//! Structured requests against the bundled specs through the whole pipeline:
//! route → validate (security, parameters with their styles, content type,
//! JSON/form/multipart/text bodies) → respond (fixtures, examples, generated
//! bodies, `Prefer`). Most inputs pick a real operation and fill its path
//! template, its parameters and its credentials, so the validator and the
//! responder are reached rather than the 404 path.
//!
//! Two input forms: bytes starting with `HTTP\n` are a plain-text request
//! (`METHOD /path?query`, header lines, a blank line, the body), which is
//! what the hand-written seeds in corpus/validate_request use; anything else
//! is decoded with `arbitrary` into [`Input`].

#![no_main]

mod common;

use arbitrary::{Arbitrary, Unstructured};
use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use specmock::Request;
use specmock::spec::{Method, ParamIn, SecurityScheme};

#[derive(Arbitrary, Debug)]
enum Name {
    /// One of the operation's parameters (of any location).
    Param(u8),
    /// A preference parameter (`__code`, `__example`, ...).
    Preference(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
struct QueryPair {
    name: Name,
    value: String,
    /// Keep style delimiters (`,`, `|`, `[`, `]`) unencoded.
    keep_delims: bool,
}

#[derive(Arbitrary, Debug)]
enum HeaderChoice {
    Param(u8),
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum ContentType {
    None,
    /// One the operation declares.
    Declared(u8),
    Known(u8),
    Other(String),
}

#[derive(Arbitrary, Debug)]
enum Json {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Array(Vec<Json>),
    Object(Vec<(String, Json)>),
}

#[derive(Arbitrary, Debug)]
enum Body {
    Empty,
    Raw(Vec<u8>),
    /// The operation's request example with some members replaced.
    Example {
        edits: Vec<(Name, Json)>,
    },
    Json(Json),
    Form(Vec<(Name, String)>),
    Multipart {
        boundary: u8,
        parts: Vec<(Name, Option<String>, Vec<u8>)>,
    },
}

/// Weighted choices are plain bytes (`arbitrary` picks enum variants
/// uniformly): most inputs should reach a real operation with credentials,
/// so the parameter and body checks run rather than the 404 or 401 paths.
#[derive(Arbitrary, Debug)]
struct Input {
    /// `< 208`: a bundled operation's route, template segments filled and
    /// percent-encoded; `< 240`: segments inserted raw (`/`, `%`, `?`
    /// included); else `raw_path` as is.
    path_kind: u8,
    /// Which bundled operation (modulo their count).
    op: u8,
    segments: Vec<String>,
    raw_path: String,
    /// `< 208`: the operation's own method; `< 240`: a common method picked
    /// by `method`; else `method_name` (when it is a valid token).
    method_kind: u8,
    method: u8,
    method_name: String,
    query: Vec<QueryPair>,
    raw_query: Option<String>,
    headers: Vec<(HeaderChoice, String)>,
    /// `< 224`: satisfy security requirement `requirement` (modulo their
    /// count) with `credential` (a fixed key when empty); else send none.
    credentials: u8,
    requirement: u8,
    credential: String,
    content_type: ContentType,
    charset: bool,
    accept: Option<String>,
    prefer: Option<String>,
    body: Body,
    seed: u64,
    /// Bit 0: tolerate nulls; bit 1: dynamic; bit 2: the bundled fixtures
    /// loaded; bits 3-5 all set (1 in 8): fixtures only.
    flags: u8,
}

const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS", "TRACE",
];
const PREFERENCES: &[&str] = &[
    "__code",
    "__example",
    "__dynamic",
    "__seed",
    "__delay",
    "__fault",
];
const HEADERS: &[&str] = &[
    "content-type",
    "accept",
    "prefer",
    "authorization",
    "cookie",
    "x-aio-key",
    "x-aio-signature",
    "content-length",
    "origin",
];
const CONTENT_TYPES: &[&str] = &[
    "application/json",
    "application/merge-patch+json",
    "application/x-www-form-urlencoded",
    "multipart/form-data; boundary=XyZ",
    "multipart/form-data",
    "text/plain",
    "application/octet-stream",
    "*/*",
    "application/*",
];
const BOUNDARIES: &[&str] = &["XyZ", "----b", "a", "=\"q\""];

fn to_value(j: &Json, depth: usize) -> serde_json::Value {
    use serde_json::Value;
    if depth > 8 {
        return Value::Null;
    }
    match j {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Int(i) => Value::from(*i),
        Json::Float(f) => serde_json::Number::from_f64(*f).map_or(Value::Null, Value::Number),
        Json::Str(s) => Value::String(s.clone()),
        Json::Array(a) => Value::Array(a.iter().map(|x| to_value(x, depth + 1)).collect()),
        Json::Object(m) => Value::Object(
            m.iter()
                .map(|(k, v)| (k.clone(), to_value(v, depth + 1)))
                .collect(),
        ),
    }
}

fuzz_target!(|data: &[u8]| {
    if let Some(text) = data.strip_prefix(b"HTTP\n") {
        plain_request(text);
        return;
    }
    let Ok(input) = Input::arbitrary_take_rest(Unstructured::new(data)) else {
        return;
    };
    structured(input);
});

/// `METHOD /path?query`, `name: value` lines, a blank line, the body; run
/// with and without the bundled fixtures.
fn plain_request(data: &[u8]) {
    let (head, body) = match data.windows(2).position(|w| w == b"\n\n") {
        Some(i) => (&data[..i], &data[i + 2..]),
        None => (data, &[][..]),
    };
    let head = String::from_utf8_lossy(head);
    let mut lines = head.lines();
    let Some(first) = lines.next() else { return };
    let (method, target) = first.split_once(' ').unwrap_or((first, "/"));
    let Ok(method) = Method::from_bytes(method.as_bytes()) else {
        return;
    };
    let mut req = Request::new(method, target);
    for line in lines {
        if let Some((n, v)) = line.split_once(':')
            && let (Ok(n), Ok(v)) = (
                HeaderName::from_bytes(n.trim().as_bytes()),
                HeaderValue::from_str(v.trim()),
            )
        {
            req.headers.append(n, v);
        }
    }
    req.body = Bytes::copy_from_slice(body);
    let seed = data.len() as u64;
    for contract in [common::contract(), common::contract_with_fixtures()] {
        let options = common::options(seed, false, false, false);
        common::consume(&specmock::run(contract, &req, &options), &req);
    }
}

fn structured(input: Input) {
    let with_fixtures = input.flags & 4 != 0;
    let fixtures_only = with_fixtures && input.flags & 0b11_1000 == 0b11_1000;
    let contract = if with_fixtures {
        common::contract_with_fixtures()
    } else {
        common::contract()
    };
    let ops: Vec<_> = contract.operations().collect();
    let pick = |i: u8| ops[i as usize % ops.len()];
    let op = pick(input.op);
    let path = match input.path_kind {
        0..208 => {
            // Empty segments would only ever 404 here; the raw kind keeps them.
            let segments: Vec<String> = input
                .segments
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        "x1".to_string()
                    } else {
                        s.clone()
                    }
                })
                .collect();
            common::fill_template(&op.route(), &segments, true)
        }
        208..240 => common::fill_template(&op.route(), &input.segments, false),
        _ => input.raw_path.clone(),
    };
    let name_of = |n: &Name| -> String {
        match n {
            Name::Param(i) if !op.parameters().is_empty() => op.parameters()
                [*i as usize % op.parameters().len()]
            .name
            .clone(),
            Name::Param(_) => "id".into(),
            Name::Preference(i) => PREFERENCES[*i as usize % PREFERENCES.len()].into(),
            Name::Other(s) => s.clone(),
        }
    };
    let method = match input.method_kind {
        0..208 => op.method().clone(),
        208..240 => METHODS[input.method as usize % METHODS.len()]
            .parse()
            .unwrap(),
        _ => match Method::from_bytes(input.method_name.as_bytes()) {
            Ok(m) => m,
            Err(_) => return,
        },
    };

    // Query: parameters by name, then anything raw.
    let mut query: Vec<String> = input
        .query
        .iter()
        .map(|q| {
            let v = if q.keep_delims {
                common::pct_keep_delims(&q.value)
            } else {
                common::pct(&q.value)
            };
            format!("{}={v}", common::pct_keep_delims(&name_of(&q.name)))
        })
        .collect();
    let mut headers = hyper::HeaderMap::new();
    let mut add_header = |name: &str, value: &[u8]| {
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_bytes(value),
        ) {
            headers.append(n, v);
        }
    };
    // Credentials for one of the operation's security requirements.
    let mut cookies = Vec::new();
    if input.credentials < 224 && !op.security().is_empty() {
        let value = if input.credential.is_empty() {
            "fuzz-key-0123456789"
        } else {
            input.credential.as_str()
        };
        let req = &op.security()[input.requirement as usize % op.security().len()];
        for (_, scheme) in &req.schemes {
            match scheme {
                SecurityScheme::ApiKey { name, location, .. } => match location {
                    ParamIn::Header => add_header(name, value.as_bytes()),
                    ParamIn::Query => {
                        query.push(format!("{}={}", common::pct(name), common::pct(value)))
                    }
                    ParamIn::Cookie => cookies.push(format!("{name}={value}")),
                    ParamIn::Path => {}
                },
                SecurityScheme::Bearer => {
                    add_header("authorization", format!("Bearer {value}").as_bytes())
                }
                SecurityScheme::Basic => {
                    add_header("authorization", format!("Basic {value}").as_bytes())
                }
                SecurityScheme::Http { scheme } => {
                    add_header("authorization", format!("{scheme} {value}").as_bytes())
                }
                SecurityScheme::MutualTls => {}
            }
        }
    }
    if !cookies.is_empty() {
        add_header("cookie", cookies.join("; ").as_bytes());
    }
    for (h, value) in &input.headers {
        let name = match h {
            HeaderChoice::Param(i) => {
                let hs: Vec<_> = op
                    .parameters()
                    .iter()
                    .filter(|p| matches!(p.location, ParamIn::Header | ParamIn::Cookie))
                    .collect();
                if hs.is_empty() {
                    continue;
                }
                let p = hs[*i as usize % hs.len()];
                if p.location == ParamIn::Cookie {
                    add_header("cookie", format!("{}={value}", p.name).as_bytes());
                    continue;
                }
                p.name.clone()
            }
            HeaderChoice::Known(i) => HEADERS[*i as usize % HEADERS.len()].into(),
            HeaderChoice::Other(s) => s.clone(),
        };
        add_header(&name, value.as_bytes());
    }
    if let Some(a) = &input.accept {
        add_header("accept", a.as_bytes());
    }
    if let Some(p) = &input.prefer {
        add_header("prefer", p.as_bytes());
    }

    // Content type and body.
    let declared: Vec<String> = op
        .request_body()
        .iter()
        .flat_map(|b| b.content.iter().map(|m| m.media_type.clone()))
        .collect();
    let mut content_type = match &input.content_type {
        ContentType::None => None,
        ContentType::Declared(i) if !declared.is_empty() => {
            Some(declared[*i as usize % declared.len()].clone())
        }
        ContentType::Declared(i) | ContentType::Known(i) => {
            Some(CONTENT_TYPES[*i as usize % CONTENT_TYPES.len()].to_string())
        }
        ContentType::Other(s) => Some(s.clone()),
    };
    let body: Vec<u8> = match &input.body {
        Body::Empty => Vec::new(),
        Body::Raw(b) => b.clone(),
        Body::Json(j) => serde_json::to_vec(&to_value(j, 0)).unwrap(),
        Body::Example { edits } => {
            let mut v = op
                .request_body()
                .iter()
                .flat_map(|b| b.content.iter())
                .flat_map(|m| m.examples.iter())
                .map(|e| e.value.clone())
                .next()
                .unwrap_or_else(|| serde_json::json!({}));
            if let Some(obj) = v.as_object_mut() {
                for (name, j) in edits {
                    let key = match name {
                        // Prefer the example's own members.
                        Name::Param(i) if !obj.is_empty() => {
                            obj.keys().nth(*i as usize % obj.len()).unwrap().clone()
                        }
                        other => name_of(other),
                    };
                    obj.insert(key, to_value(j, 0));
                }
            }
            serde_json::to_vec(&v).unwrap()
        }
        Body::Form(pairs) => pairs
            .iter()
            .map(|(n, v)| {
                format!(
                    "{}={}",
                    common::pct(&name_of(n)),
                    common::pct_keep_delims(v)
                )
            })
            .collect::<Vec<_>>()
            .join("&")
            .into_bytes(),
        Body::Multipart { boundary, parts } => {
            let b = BOUNDARIES[*boundary as usize % BOUNDARIES.len()];
            let parts: Vec<_> = parts
                .iter()
                .map(|(n, f, bytes)| (name_of(n), f.clone(), bytes.clone()))
                .collect();
            if content_type
                .as_deref()
                .is_some_and(|c| c.starts_with("multipart/form-data"))
                && !c_has_boundary(content_type.as_deref().unwrap())
            {
                content_type = Some(format!("multipart/form-data; boundary={b}"));
            }
            common::multipart(b, &parts)
        }
    };
    if let Some(mut ct) = content_type {
        if input.charset {
            ct.push_str("; charset=utf-8");
        }
        add_header("content-type", ct.as_bytes());
    }

    let mut q: Option<String> = if query.is_empty() {
        None
    } else {
        Some(query.join("&"))
    };
    if let Some(raw) = &input.raw_query {
        q = Some(match q {
            Some(q) => format!("{q}&{raw}"),
            None => raw.clone(),
        });
    }
    let req = Request {
        method,
        path,
        query: q,
        headers,
        body: Bytes::from(body),
    };
    let options = common::options(
        input.seed,
        input.flags & 1 != 0,
        input.flags & 2 != 0,
        fixtures_only,
    );
    let outcome = specmock::run(contract, &req, &options);
    common::consume(&outcome, &req);
}

fn c_has_boundary(ct: &str) -> bool {
    ct.contains("boundary=")
}
