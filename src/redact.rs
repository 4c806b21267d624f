//! Redaction: credentials and secrets never reach the journal, the reports,
//! the logs or a fixture file. Everything those read goes through here first.
//!
//! Replaced: `Authorization`, `Proxy-Authorization`, `Cookie`, `Set-Cookie`;
//! every header, query parameter and cookie a document declares as an apiKey
//! security scheme; path parameters that hold secrets (marked
//! `x-specmock-secret: true`, or named `token`, `secret`, `password`,
//! `apiKey` or `key`), written as their template (`{token}`); and body values
//! under keys named exactly (case-insensitive) `token`, `secret`, `password`,
//! `apiKey` or `key`.

use serde_json::Value;

use crate::spec::{Operation, ParamIn, SecurityScheme};

/// What a redacted value is replaced with.
pub const REDACTED: &str = "<redacted>";

pub use crate::spec::is_secret_key;

/// Headers that always carry credentials.
pub const CREDENTIAL_HEADERS: &[&str] = &[
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
];

/// Every credential name the loaded documents declare (apiKey schemes), plus
/// the headers that always carry credentials.
#[derive(Debug, Clone, Default)]
pub struct Credentials {
    /// Parsed names: the journal looks up every request header, and a
    /// standard name hashes as a small number, not as its text.
    header_names: foldhash::HashSet<hyper::header::HeaderName>,
    query: foldhash::HashSet<String>,
    cookies: foldhash::HashSet<String>,
    extra_keys: Vec<String>,
}

impl Credentials {
    /// Gather the apiKey names of every operation of the contract.
    pub fn of<'o>(operations: impl IntoIterator<Item = &'o Operation>) -> Credentials {
        let mut c = Credentials::default();
        for h in CREDENTIAL_HEADERS {
            c.header_names
                .insert(hyper::header::HeaderName::from_static(h));
        }
        for op in operations {
            for req in &op.security {
                for (_, scheme) in &req.schemes {
                    if let SecurityScheme::ApiKey { name, location, .. } = scheme {
                        match location {
                            // A name that is no header name can never arrive.
                            ParamIn::Header => {
                                if let Ok(h) =
                                    hyper::header::HeaderName::from_bytes(name.as_bytes())
                                {
                                    c.header_names.insert(h);
                                }
                            }
                            ParamIn::Query => {
                                c.query.insert(name.clone());
                            }
                            ParamIn::Cookie => {
                                c.cookies.insert(name.clone());
                            }
                            ParamIn::Path => {}
                        }
                    }
                }
            }
        }
        c
    }

    /// Also redact body values under these keys (`--redact KEY`).
    pub fn with_keys(mut self, keys: &[String]) -> Credentials {
        self.extra_keys
            .extend(keys.iter().map(|k| k.to_ascii_lowercase()));
        self
    }

    /// True when a header's value must not be recorded.
    pub fn is_secret_header(&self, name: &str) -> bool {
        // Parsing lower-cases it, as the names in the set are.
        hyper::header::HeaderName::from_bytes(name.as_bytes())
            .is_ok_and(|h| self.header_names.contains(&h))
    }

    /// True when a query parameter's value must not be recorded.
    pub fn is_secret_query(&self, name: &str) -> bool {
        self.query.contains(name) || is_secret_key(name) || self.is_extra(name)
    }

    /// True when a body member's value must not be recorded.
    pub fn is_secret_body_key(&self, name: &str) -> bool {
        is_secret_key(name) || self.is_extra(name)
    }

    fn is_extra(&self, name: &str) -> bool {
        self.extra_keys.iter().any(|k| k.eq_ignore_ascii_case(name))
    }

    /// A raw query string with secret values replaced.
    pub fn query(&self, raw: &str) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(raw.as_bytes()) {
            if self.is_secret_query(&k) {
                out.append_pair(&k, REDACTED);
            } else {
                out.append_pair(&k, &v);
            }
        }
        out.finish()
    }

    /// A request header's value as the journal records it: redacted when
    /// it carries a credential, `<binary>` when it is not UTF-8.
    pub fn header_text<'v>(
        &self,
        name: &hyper::header::HeaderName,
        value: &'v hyper::header::HeaderValue,
    ) -> &'v str {
        if self.header_names.contains(name) {
            REDACTED
        } else {
            // Visible ASCII nearly always: `to_str` is the cheaper check.
            value
                .to_str()
                .or_else(|_| std::str::from_utf8(value.as_bytes()))
                .unwrap_or("<binary>")
        }
    }

    /// False when a JSON body cannot hold a secret-named key, so it can be
    /// recorded as sent, unparsed. A cheap lexical pass: with no backslash in
    /// the text (an escaped key could spell a secret name), every string
    /// followed by `:` is a key, and none may be named like a secret. Text
    /// that is not JSON is never parsed anyway.
    pub fn body_may_hold_secrets(&self, raw: &str) -> bool {
        let bytes = raw.as_bytes();
        if memchr::memchr(b'\\', bytes).is_some() {
            return true;
        }
        // Text, checked once by the caller: quotes are ASCII, so every
        // slice between them is text too.
        let mut quotes = memchr::memchr_iter(b'"', bytes);
        while let (Some(open), Some(close)) = (quotes.next(), quotes.next()) {
            let next = bytes[close + 1..].iter().find(|b| !b.is_ascii_whitespace());
            if next == Some(&b':') && self.is_secret_body_key(&raw[open + 1..close]) {
                return true;
            }
        }
        false
    }

    /// True when some object in `body` has a secret-named key: what
    /// [`Self::body_may_hold_secrets`] guesses from the text, read from
    /// the body the validate stage parsed (escaped keys unescaped).
    pub fn has_secret_keys(&self, body: crate::instance::Node<'_>) -> bool {
        body.any_member_name(|k| self.is_secret_body_key(k))
    }

    /// Replace secret values anywhere in a JSON body, in place.
    pub fn body(&self, v: &mut Value) {
        match v {
            Value::Object(map) => {
                for (k, child) in map.iter_mut() {
                    if self.is_secret_body_key(k) && !child.is_null() {
                        *child = Value::String(REDACTED.into());
                    } else {
                        self.body(child);
                    }
                }
            }
            Value::Array(items) => items.iter_mut().for_each(|c| self.body(c)),
            _ => {}
        }
    }

    /// A form-encoded body with secret values replaced.
    pub fn form(&self, raw: &[u8]) -> String {
        let mut out = form_urlencoded::Serializer::new(String::new());
        for (k, v) in form_urlencoded::parse(raw) {
            if self.is_secret_body_key(&k) || self.is_secret_query(&k) {
                out.append_pair(&k, REDACTED);
            } else {
                out.append_pair(&k, &v);
            }
        }
        out.finish()
    }
}

/// The path as the journal and the log write it: a segment that holds a
/// secret path parameter (Unleash's `{token}`) as its template. The
/// segments are found once at load (`Operation::secret_segments`), so this is one walk.
pub fn path(op: Option<&Operation>, raw: &str) -> String {
    let mut out = String::with_capacity(raw.len() + 16);
    path_with(op, raw, |piece| out.push_str(piece));
    out
}

/// [`path`], handed over in pieces (to be written where the caller keeps it).
pub fn path_with(op: Option<&Operation>, raw: &str, mut push: impl FnMut(&str)) {
    match op.filter(|op| !op.secret_segments.is_empty()) {
        Some(op) if raw.starts_with('/') && op.route.starts_with('/') => {
            // The same number of segments as the template, or it is not the
            // path the template matched: then it is kept as sent.
            // Short strings: a plain count beats a vector search's set-up.
            let slashes = |p: &str| p.bytes().filter(|&b| b == b'/').count();
            if slashes(raw) != slashes(&op.route) {
                return push(raw);
            }
            let template = crate::segments::split(&op.route);
            for (i, (seg, tpl)) in crate::segments::split(raw).zip(template).enumerate() {
                push("/");
                let hidden = u16::try_from(i).is_ok_and(|i| op.secret_segments.contains(&i));
                push(if hidden { tpl } else { seg });
            }
        }
        _ => push(raw),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_secret_named_keys_need_the_slow_path() {
        let c = Credentials::default();
        let may = |t: &str| c.body_may_hold_secrets(t);
        assert!(!may(
            r#"{"newToken":{"name":"token","apiTokens":["read"]}}"#
        ));
        assert!(may(r#"{"newToken":{"token" : "s3cr3t"}}"#));
        assert!(may(r#"{"a":[{"Password":1}]}"#));
        assert!(may(r#"{"tok\u0065n":"s3cr3t"}"#));
        assert!(!may(r#"["token", "secret"]"#));
        assert!(!may(r#"{"unterminated"#));
    }

    #[test]
    fn secret_paths_become_templates() {
        let contract = crate::contract::Contract::bundled().unwrap();
        let op = contract.operation("update-api-token").unwrap();
        assert_eq!(
            path(Some(op), "/api/admin/api-tokens/s3cr3t"),
            "/api/admin/api-tokens/{token}"
        );
        let op = contract.operation("regenerateAPIToken").unwrap();
        assert_eq!(
            path(Some(op), "/v2/tokens/tok1/regenerate"),
            "/v2/tokens/tok1/regenerate"
        );
    }

    #[test]
    fn credentials_of_the_bundled_specs() {
        let contract = crate::contract::Contract::bundled().unwrap();
        let c = contract.credentials();
        assert!(c.is_secret_header("X-AIO-Key"));
        assert!(c.is_secret_header("authorization"));
        assert!(!c.is_secret_header("content-type"));
        let key = hyper::header::HeaderName::from_static("x-aio-key");
        let value = hyper::header::HeaderValue::from_static("k");
        assert_eq!(c.header_text(&key, &value), REDACTED);
        assert_eq!(c.header_text(&hyper::header::COOKIE, &value), REDACTED);
        assert_eq!(c.header_text(&hyper::header::ACCEPT, &value), "k");
        let latin1 = hyper::header::HeaderValue::from_bytes(b"caf\xe9").unwrap();
        assert_eq!(c.header_text(&hyper::header::ACCEPT, &latin1), "<binary>");
        assert_eq!(
            c.query("X-AIO-Key=abc&limit=5"),
            "X-AIO-Key=%3Credacted%3E&limit=5"
        );
        let mut body =
            json!({"token": "abc", "nested": [{"Password": "p", "name": "n"}], "key": null});
        c.body(&mut body);
        assert_eq!(
            body,
            json!({"token": REDACTED, "nested": [{"Password": REDACTED, "name": "n"}], "key": null})
        );
        assert_eq!(c.form(b"token=abc&name=x"), "token=%3Credacted%3E&name=x");
    }
}
