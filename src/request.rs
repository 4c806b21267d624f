//! The request as plain data, read once from the wire and handed from stage
//! to stage.

use bytes::Bytes;
use hyper::HeaderMap;

use crate::spec::Method;

/// A request, body read whole.
#[derive(Debug, Clone)]
pub struct Request {
    /// The request method.
    pub method: Method,
    /// The raw path, percent-encoded as sent.
    pub path: String,
    /// The raw query string, without `?`.
    pub query: Option<String>,
    /// The request headers.
    pub headers: HeaderMap,
    /// The body, read whole.
    pub body: Bytes,
}

impl Request {
    /// A request with no headers and no body (handy in tests).
    pub fn new(method: Method, path_and_query: &str) -> Request {
        let (path, query) = match path_and_query.split_once('?') {
            Some((p, q)) => (p.to_string(), Some(q.to_string())),
            None => (path_and_query.to_string(), None),
        };
        Request {
            method,
            path,
            query,
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// Add a header (builder style).
    pub fn header(mut self, name: &'static str, value: &str) -> Request {
        if let Ok(v) = value.parse() {
            self.headers.append(name, v);
        }
        self
    }

    /// Set the body (builder style).
    pub fn body(mut self, body: impl Into<Bytes>) -> Request {
        self.body = body.into();
        self
    }

    /// A header's value as text, if present and valid.
    /// Pass a [`hyper::header`] constant where there is one: a `&str` is
    /// parsed into a header name on every call.
    pub fn header_str(&self, name: impl hyper::header::AsHeaderName) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// Query pairs, percent- and `+`-decoded, in order.
    pub fn query_pairs(&self) -> Vec<(String, String)> {
        match &self.query {
            Some(q) => form_urlencoded::parse(q.as_bytes()).into_owned().collect(),
            None => Vec::new(),
        }
    }

    /// Cookies from every `Cookie` header, in order.
    pub fn cookies(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for v in self.headers.get_all(hyper::header::COOKIE) {
            let Ok(s) = v.to_str() else { continue };
            for pair in s.split(';') {
                if let Some((k, v)) = pair.trim().split_once('=') {
                    out.push((k.trim().to_string(), v.trim().trim_matches('"').to_string()));
                }
            }
        }
        out
    }
}
