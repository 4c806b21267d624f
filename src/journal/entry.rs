//! The exchange as the journal keeps it: one [`JournalEntry`] per answered
//! request, credentials and secrets redacted before anything is stored.

use std::borrow::Cow;
use std::time::Duration;

use bytes::Bytes;
use hyper::HeaderMap;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use serde_json::Value;

use super::text::EntryText;
use super::{Journal, JournalEntry, Pairs, micros};
use crate::pipeline::Outcome;
use crate::redact::{self, Credentials};
use crate::request::Request;

/// The exchange as the journal keeps it: credentials and secrets redacted.
pub fn journal_entry(
    creds: &Credentials,
    journal: &Journal,
    req: &Request,
    outcome: &Outcome,
    took: Duration,
) -> JournalEntry {
    let body = kept_body(creds, req, outcome);
    let (body_text, body_truncated) = match &body {
        Some(b) => {
            let (kept, cut) = journal.body_kept(b);
            (Some(kept), cut)
        }
        None => (None, false),
    };
    let op = outcome.operation.as_deref();
    let headers = &req.headers;
    let header_bytes: usize = headers
        .iter()
        .map(|(k, v)| 8 + k.as_str().len() + v.len())
        .sum();
    let params = &outcome.path_params;
    let param_bytes: usize = params.iter().map(|(k, v)| 8 + k.len() + v.len()).sum();
    // Room for a redacted value or two too: one allocation, no regrowth.
    let room = req.path.len()
        + req.query.as_ref().map_or(0, String::len)
        + body_text.map_or(0, str::len)
        + header_bytes
        + param_bytes
        + 2 * redact::REDACTED.len();
    let mut text = EntryText::writer(room);
    redact::path_with(op, &req.path, |piece| text.push_path(piece));
    match &req.query {
        Some(q) => text.query(Some(&creds.query(q))),
        None => text.query(None),
    }
    text.body(body_text);
    for (k, v) in headers {
        text.header(k.as_str(), creds.header_text(k, v));
    }
    if let Some(op) = op {
        for (name, value) in params {
            let secret = op
                .parameters
                .iter()
                .any(|p| p.secret && p.location == crate::spec::ParamIn::Path && *p.name == **name);
            text.path_param(name, if secret { redact::REDACTED } else { value });
        }
    }
    JournalEntry {
        id: 0,
        time: Default::default(),
        method: req.method.clone(),
        text: text.finish(),
        body_truncated,
        operation: outcome.operation.as_ref().map(|o| o.qualified_shared()),
        status: outcome.answer.status.as_u16(),
        violations: outcome.violations.clone(),
        warnings: outcome.warnings.clone(),
        response_violations: outcome.response_violations.clone(),
        forwarded: outcome.forwarded,
        duration_us: micros(took),
        chaos: None,
        response: ServedResponse::of(journal, &outcome.answer),
        callback: None,
    }
}

/// The request body as the journal keeps it (before the bound): as sent when
/// nothing secret-named can be in it, else redacted.
fn kept_body<'r>(creds: &Credentials, req: &'r Request, outcome: &Outcome) -> Option<Cow<'r, str>> {
    if req.body.is_empty() {
        return None;
    }
    let ct = req.header_str(hyper::header::CONTENT_TYPE).unwrap_or("");
    Some(if crate::media::is_json(ct) {
        // Nothing secret-named in it: kept as sent. The keys are read
        // from the body validation parsed, else guessed from the text.
        let secret_free =
            |raw: &str| match outcome.request_body.as_ref().and_then(|b| b.as_written()) {
                Some(body) => !creds.has_secret_keys(body),
                None => !creds.body_may_hold_secrets(raw),
            };
        match std::str::from_utf8(&req.body) {
            Ok(raw) if secret_free(raw) => Cow::Borrowed(raw),
            _ => match serde_json::from_slice::<Value>(&req.body) {
                Ok(mut v) => {
                    creds.body(&mut v);
                    Cow::Owned(v.to_string())
                }
                Err(_) => String::from_utf8_lossy(&req.body),
            },
        }
    } else if ct.starts_with("application/x-www-form-urlencoded") {
        Cow::Owned(creds.form(&req.body))
    } else if ct.starts_with("text/")
        || std::str::from_utf8(&req.body).is_ok() && !ct.starts_with("multipart/")
    {
        String::from_utf8_lossy(&req.body)
    } else {
        Cow::Owned(format!("<{} bytes of {ct}>", req.body.len()))
    })
}

/// Headers as the journal keeps them: one buffer, credential values
/// redacted, a value that is not text as `<binary>`.
pub fn redacted_headers(creds: &Credentials, headers: &HeaderMap) -> Pairs {
    // Room for a redacted value or two too: one allocation, no regrowth.
    let bytes: usize = headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len())
        .sum();
    let mut list = Pairs::with_capacity(headers.len(), bytes + 2 * redact::REDACTED.len());
    for (k, v) in headers {
        list.push(k.as_str(), creds.header_text(k, v));
    }
    list
}

/// The answer as served, kept for the exports (Pact, the JSON report's
/// interactions): its media type and its body cut to the journal's bound.
/// Not redacted here (that would parse every answer on the hot path): the
/// exports redact it, and nothing serialises it before they do.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ServedResponse {
    /// The `Content-Type` answered.
    pub content_type: Option<HeaderValue>,
    /// The body, cut to the journal's bound.
    pub body: Bytes,
    /// The body was longer than the journal keeps.
    pub truncated: bool,
}

impl ServedResponse {
    /// A body the contract or a fixture holds is shared (a reference count,
    /// no copy); one made for this request, or a longer one (up to the
    /// bound, so the journal never holds more than it counts), is copied
    /// into the journal's chunks rather than kept in its own allocation.
    fn of(journal: &Journal, answer: &crate::respond::Answer) -> ServedResponse {
        let max = journal.limits().max_body;
        let (body, truncated) = if answer.body.len() > max {
            (super::text::chunk_copy(&answer.body[..max]), true)
        } else if answer.body.is_unique() && !answer.body.is_empty() {
            (super::text::chunk_copy(&answer.body), false)
        } else {
            (answer.body.clone(), false)
        };
        ServedResponse {
            content_type: answer.headers.get(CONTENT_TYPE).cloned(),
            body,
            truncated,
        }
    }

    /// Bytes held (the body's, counted whole even when shared).
    pub(super) fn size(&self) -> usize {
        super::heap(self.body.len()) + self.content_type.as_ref().map_or(0, |v| v.len())
    }
}
