//! Sending one callback or webhook: the request from its operation (an
//! example, else a body generated with the seed rules; its content type and
//! required header parameters), then the consumer's answer, bounded, checked
//! and journalled (redacted like every exchange).

use std::time::{Duration, Instant};

use bytes::Bytes;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use hyper::{Method, StatusCode};
use serde_json::Value;

use crate::contract::Contract;
use crate::generate::{Hints, derive_seed, generate_for};
use crate::journal::{CallbackInfo, Journal, JournalEntry, journal_entry};
use crate::pipeline::Outcome;
use crate::request::Request;
use crate::respond::Answer;
use crate::spec::{Callback, Direction, ParamIn};

/// Most bytes of a consumer's answer read; a longer answer is a failure.
pub const MAX_ANSWER: usize = 1024 * 1024;

/// What to send besides the callback's own request.
#[derive(Debug, Clone, Default)]
pub struct Choice {
    /// A named example of the request body.
    pub example: Option<String>,
    /// The body to send instead of an example or a generated one.
    pub body: Option<Value>,
}

/// The request a callback sends, built from its operation.
#[derive(Debug, Clone)]
pub struct Outgoing {
    /// The callback's method.
    pub method: Method,
    /// Headers: the body's content type and the required header parameters.
    pub headers: HeaderMap,
    /// The body (empty when the operation takes none).
    pub body: Bytes,
}

/// Build the request of `cb` for `url` (the seed makes generated bodies
/// reproducible, as for answers).
pub fn outgoing(
    contract: &Contract,
    cb: &Callback,
    url: &reqwest::Url,
    seed: u64,
    choice: &Choice,
) -> Result<Outgoing, String> {
    let op = &cb.operation;
    let plans = contract.plans(op.document());
    let seed = derive_seed(seed, op.qualified(), url.path());
    let mut headers = HeaderMap::new();
    headers.insert(
        hyper::header::USER_AGENT,
        HeaderValue::from_static("specmock"),
    );
    let mut body = Bytes::new();
    if let Some(rb) = op.request_body() {
        let media = rb
            .content
            .iter()
            .find(|m| crate::media::is_json(&m.media_type))
            .or_else(|| rb.content.first());
        if let Some(media) = media {
            let value = if let Some(v) = &choice.body {
                Some(v.clone())
            } else if let Some(name) = &choice.example {
                let ex = media
                    .examples
                    .iter()
                    .find(|e| e.name.as_deref() == Some(name.as_str()));
                match ex {
                    Some(e) => Some(e.value.clone()),
                    None => {
                        let names: Vec<&str> = media
                            .examples
                            .iter()
                            .filter_map(|e| e.name.as_deref())
                            .collect();
                        return Err(format!(
                            "{} has no example \"{name}\" (it has: {})",
                            op.display_id(),
                            if names.is_empty() {
                                "none".into()
                            } else {
                                names.join(", ")
                            }
                        ));
                    }
                }
            } else if let Some(e) = media.examples.first() {
                Some(e.value.clone())
            } else {
                match (&media.schema, plans) {
                    (Some(s), Some(p)) => Some(generate_for(
                        p,
                        &s.loc,
                        seed,
                        &Hints::NONE,
                        Direction::Request,
                    )),
                    _ => None,
                }
            };
            if let Some(v) = value {
                body = crate::media::serialize_for(&media.media_type, &v);
            }
            // A range (`application/*`) is no content type to send.
            let ct = if media.media_type.contains('*') {
                "application/json"
            } else {
                media.media_type.as_str()
            };
            if let Ok(v) = HeaderValue::from_str(ct) {
                headers.insert(CONTENT_TYPE, v);
            }
        }
    }
    for p in op
        .parameters()
        .iter()
        .filter(|p| p.location == ParamIn::Header && p.required)
    {
        let value = match (&p.schema, plans) {
            (Some(s), Some(plans)) => {
                match generate_for(plans, &s.loc, seed, &Hints::NONE, Direction::Request) {
                    Value::String(s) => s,
                    Value::Null => String::new(),
                    other => other.to_string(),
                }
            }
            _ => String::new(),
        };
        if let (Ok(n), Ok(v)) = (
            HeaderName::from_bytes(p.name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            headers.insert(n, v);
        }
    }
    Ok(Outgoing {
        method: op.method().clone(),
        headers,
        body,
    })
}

/// The consumer's answer, read within [`MAX_ANSWER`].
pub struct Answered {
    /// Its status.
    pub status: StatusCode,
    /// Its headers.
    pub headers: HeaderMap,
    /// Its body.
    pub body: Bytes,
}

/// Send and read the answer (the client follows no redirect and has a timeout).
pub async fn send(
    client: &reqwest::Client,
    url: &reqwest::Url,
    out: &Outgoing,
) -> Result<Answered, String> {
    let mut resp = client
        .request(out.method.clone(), url.clone())
        .headers(out.headers.clone())
        .body(out.body.clone())
        .send()
        .await
        .map_err(describe)?;
    let status = resp.status();
    let headers = resp.headers().clone();
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await.map_err(describe)? {
        if body.len() + chunk.len() > MAX_ANSWER {
            return Err(format!("the answer is over {MAX_ANSWER} bytes"));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(Answered {
        status,
        headers,
        body: Bytes::from(body),
    })
}

/// A transport error in words, with its causes (reqwest's own message is terse).
fn describe(e: reqwest::Error) -> String {
    let mut s = if e.is_timeout() {
        "no answer within --callback-timeout".to_string()
    } else {
        e.to_string()
    };
    let mut source = std::error::Error::source(&e);
    while let Some(cause) = source {
        s.push_str(": ");
        s.push_str(&cause.to_string());
        source = cause.source();
    }
    s
}

/// A URL for the journal and the log: no user info, secret query values redacted.
pub fn safe_url(url: &reqwest::Url) -> String {
    let mut u = url.clone();
    let _ = u.set_username("");
    let _ = u.set_password(None);
    u.set_query(None);
    let mut s = u.to_string();
    if let Some(q) = url.query() {
        s.push('?');
        s.push_str(q);
    }
    s
}

/// What happened to one callback, as the journal keeps it.
pub struct Record<'a> {
    /// The contract it was sent under (its credentials redact the entry).
    pub contract: &'a Contract,
    /// The callback.
    pub callback: &'a Callback,
    /// Where it went (or would have).
    pub url: String,
    /// The request sent (or that would have been).
    pub outgoing: Option<&'a Outgoing>,
    /// Why it was not sent.
    pub refused: Option<String>,
    /// The answer, or why none came.
    pub answer: Option<Result<Answered, String>>,
    /// The request that triggered it.
    pub trigger: Option<u64>,
    /// When it started.
    pub started: Instant,
}

/// The journal entry of a callback: the request sent, redacted as served
/// requests are; the consumer's status and answer; how it broke the contract.
pub fn entry(journal: &Journal, r: Record<'_>) -> JournalEntry {
    let creds = r.contract.credentials();
    let op = &r.callback.operation;
    let parsed: Option<reqwest::Url> = r.url.parse().ok();
    let request = Request {
        method: op.method().clone(),
        path: parsed
            .as_ref()
            .map_or_else(String::new, |u| u.path().to_string()),
        query: parsed.as_ref().and_then(|u| u.query().map(str::to_string)),
        headers: r.outgoing.map(|o| o.headers.clone()).unwrap_or_default(),
        body: r.outgoing.map(|o| o.body.clone()).unwrap_or_default(),
    };
    let (status, headers, body, violations, error) = match r.answer {
        Some(Ok(a)) => {
            let v = super::check::answer_violations(op, a.status.as_u16(), &a.headers, &a.body);
            (a.status, a.headers, a.body, v, None)
        }
        Some(Err(why)) => (
            StatusCode::from_u16(599).unwrap_or(StatusCode::BAD_GATEWAY),
            HeaderMap::new(),
            Bytes::new(),
            vec![super::check::no_answer(&why)],
            Some(why),
        ),
        None => (
            StatusCode::OK,
            HeaderMap::new(),
            Bytes::new(),
            Vec::new(),
            None,
        ),
    };
    let outcome = Outcome {
        operation: Some(op.clone()),
        ..Outcome::unrouted(Answer {
            status,
            headers: headers.clone(),
            body: body.clone(),
        })
    };
    let mut e = journal_entry(creds, journal, &request, &outcome, r.started.elapsed());
    // Refused, or no answer: no status to record.
    if r.refused.is_some() || error.is_some() {
        e.status = 0;
    }
    e.violations = violations;
    let answer_headers = crate::journal::redacted_headers(creds, &headers);
    let answer_body = (!body.is_empty()).then(|| {
        let text = match serde_json::from_slice::<Value>(&body) {
            Ok(mut v) => {
                creds.body(&mut v);
                v.to_string()
            }
            Err(_) => String::from_utf8_lossy(&body).into_owned(),
        };
        journal.cut_body(text).0
    });
    let safe = parsed.as_ref().map_or(r.url.clone(), |u| {
        let mut s = safe_url(u);
        if let Some(q) = u.query() {
            s.truncate(s.len() - q.len());
            s.push_str(&creds.query(q));
        }
        s
    });
    e.callback = Some(Box::new(CallbackInfo {
        kind: r.callback.kind.as_str().to_string(),
        name: r.callback.name.clone(),
        url: safe,
        refused: r.refused,
        error,
        answer_headers,
        answer_body,
        trigger: r.trigger,
    }));
    e
}

/// How long to wait at most for one callback's answer by default.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(5);
