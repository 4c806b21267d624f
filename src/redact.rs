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
    headers: foldhash::HashSet<String>,
    query: foldhash::HashSet<String>,
    cookies: foldhash::HashSet<String>,
    extra_keys: Vec<String>,
}

impl Credentials {
    /// Gather the apiKey names of every operation of the contract.
    pub fn of<'o>(operations: impl IntoIterator<Item = &'o Operation>) -> Credentials {
        let mut c = Credentials::default();
        for h in CREDENTIAL_HEADERS {
            c.headers.insert((*h).to_string());
        }
        for op in operations {
            for req in &op.security {
                for (_, scheme) in &req.schemes {
                    if let SecurityScheme::ApiKey { name, location } = scheme {
                        match location {
                            ParamIn::Header => {
                                c.headers.insert(name.to_ascii_lowercase());
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
        // Header names arrive lower-cased (hyper): no copy in the usual case.
        if name.bytes().any(|b| b.is_ascii_uppercase()) {
            self.headers.contains(&name.to_ascii_lowercase())
        } else {
            self.headers.contains(name)
        }
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

    /// A header value as it may be recorded.
    pub fn header_value<'v>(&self, name: &str, value: &'v str) -> &'v str {
        if self.is_secret_header(name)
            || (name.eq_ignore_ascii_case("cookie") && !self.cookies.is_empty())
        {
            REDACTED
        } else {
            value
        }
    }

    /// False when a JSON body cannot hold a secret-named key, so it can be
    /// recorded as sent, unparsed. A cheap lexical pass: with no backslash in
    /// the text (an escaped key could spell a secret name), every string
    /// followed by `:` is a key, and none may be named like a secret. Text
    /// that is not JSON is never parsed anyway.
    pub fn body_may_hold_secrets(&self, raw: &[u8]) -> bool {
        if raw.contains(&b'\\') {
            return true;
        }
        let mut rest = raw;
        while let Some(open) = rest.iter().position(|&b| b == b'"') {
            let after = &rest[open + 1..];
            let Some(close) = after.iter().position(|&b| b == b'"') else {
                return false;
            };
            let text = &after[..close];
            rest = &after[close + 1..];
            let next = rest.iter().find(|b| !b.is_ascii_whitespace());
            if next == Some(&b':')
                && std::str::from_utf8(text).is_ok_and(|k| self.is_secret_body_key(k))
            {
                return true;
            }
        }
        false
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

/// The request path with every secret path parameter written as its template
/// (`/api/admin/api-tokens/{token}`), so the recorded path still matches.
pub fn path(op: Option<&Operation>, raw: &str) -> String {
    let Some(op) = op else { return raw.to_string() };
    let secret = |p: &&crate::spec::Parameter| p.location == ParamIn::Path && p.secret;
    if !op.parameters.iter().any(|p| secret(&p)) {
        return raw.to_string();
    }
    let slashes = |s: &str| s.bytes().filter(|&b| b == b'/').count();
    if slashes(&op.route) != slashes(raw) || !raw.starts_with('/') || !op.route.starts_with('/') {
        return raw.to_string();
    }
    // No Vec of segments and byte searches only: this runs for every request
    // to an operation with a secret path parameter (Unleash's `{token}`).
    let mut out = String::with_capacity(raw.len() + 16);
    for (seg, tpl) in crate::segments::split(raw).zip(crate::segments::split(&op.route)) {
        out.push('/');
        let hidden = tpl.as_bytes().contains(&b'{')
            && op
                .parameters
                .iter()
                .filter(secret)
                .any(|p| names_variable(tpl, &p.name));
        out.push_str(if hidden { tpl } else { seg });
    }
    out
}

/// True when a template segment holds the variable `{name}`.
fn names_variable(template: &str, name: &str) -> bool {
    let bytes = template.as_bytes();
    (0..bytes.len()).filter(|&i| bytes[i] == b'{').any(|i| {
        template[i + 1..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('}'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn only_secret_named_keys_need_the_slow_path() {
        let c = Credentials::default();
        let may = |t: &str| c.body_may_hold_secrets(t.as_bytes());
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
