//! Limits on what one request or connection may use, and the checks of the
//! request head against them. Every refusal is a problem+json that names
//! the limit and the flag that raises it.

use std::time::Duration;

use crate::problem::{Problem, ProblemKind};
use crate::respond::Answer;

/// Limits on what one request or connection may use, each answered with a
/// problem+json that says which limit and how to raise it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Largest request body (413 beyond).
    pub max_body: usize,
    /// Largest total size of the request headers (431 beyond).
    pub max_header_bytes: usize,
    /// Most request headers (431 beyond).
    pub max_headers: usize,
    /// Longest request target, path and query (414 beyond).
    pub max_url: usize,
    /// How long a client may take to send a request's headers (slowloris).
    pub header_timeout: Duration,
    /// How long a keep-alive connection may sit idle before it is closed.
    pub idle_timeout: Duration,
    /// Most connections served at once; more wait to be accepted.
    pub max_connections: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_body: 10 * 1024 * 1024,
            max_header_bytes: 64 * 1024,
            max_headers: 100,
            max_url: 8 * 1024,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            max_connections: 1024,
        }
    }
}

/// hyper's own limits sit above specmock's, so a client gets specmock's
/// explanation instead of hyper's bare 431 or close: hyper's read buffer (1 MiB
/// or more) and header count (4 x --max-headers + 64) bound what can be
/// explained; beyond those, hyper answers on its own.
pub const HYPER_MAX_BUF: usize = 1024 * 1024;

/// A limit a request went over, as the problem the client gets.
pub fn over_limit(kind: ProblemKind, detail: String) -> Answer {
    Answer::problem(&Problem::new(kind, detail))
}

/// Checks that need only the request head: URL length, a NUL in the path,
/// header count and size.
pub fn check_head(limits: &Limits, parts: &hyper::http::request::Parts) -> Option<Answer> {
    let target = parts.uri.path_and_query().map_or(0, |p| p.as_str().len());
    if target > limits.max_url {
        return Some(over_limit(
            ProblemKind::UriTooLong,
            format!(
                "the path and query are {target} bytes; the limit is {} (--max-url-length)",
                limits.max_url
            ),
        ));
    }
    let path = parts.uri.path();
    if path.contains("%00") || path.contains('\0') {
        return Some(over_limit(
            ProblemKind::BadPath,
            "a path may not contain %00".to_string(),
        ));
    }
    let count = parts.headers.len();
    if count > limits.max_headers {
        return Some(over_limit(
            ProblemKind::TooManyHeaders,
            format!(
                "{count} headers; the limit is {} (--max-headers)",
                limits.max_headers
            ),
        ));
    }
    let bytes: usize = parts
        .headers
        .iter()
        .map(|(k, v)| k.as_str().len() + v.len() + 4)
        .sum();
    if bytes > limits.max_header_bytes {
        return Some(over_limit(
            ProblemKind::HeadersTooLarge,
            format!(
                "the headers are {bytes} bytes; the limit is {} (--max-header-size)",
                limits.max_header_bytes
            ),
        ));
    }
    None
}
