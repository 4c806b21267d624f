//! Security: the operation's requirements (or the document's), alternatives
//! OR-ed, schemes within one requirement AND-ed. Any well-formed credential
//! is accepted: this is a mock.

use crate::request::Request;
use crate::spec::{Operation, ParamIn, SecurityScheme};

use super::{Violation, ViolationKind};

/// Add a violation when no requirement is satisfied.
pub fn check(op: &Operation, req: &Request, out: &mut Vec<Violation>) {
    if op.security.is_empty() {
        return;
    }
    let mut failures: Vec<Vec<(String, String, &str)>> = Vec::new();
    for requirement in &op.security {
        let problems: Vec<(String, String, &str)> = requirement
            .schemes
            .iter()
            .filter_map(|(name, scheme)| {
                scheme_problem(scheme, req).map(|(loc, msg)| (loc, msg, name.as_str()))
            })
            .collect();
        if problems.is_empty() {
            return;
        }
        failures.push(problems);
    }
    // Report the first alternative's problems, and name the others so the
    // client knows every way in.
    let Some(first) = failures.first() else {
        return;
    };
    let others: Vec<String> = op
        .security
        .iter()
        .skip(1)
        .map(|r| {
            r.schemes
                .iter()
                .map(|(n, s)| format!("{} ({n})", describe(s)))
                .collect::<Vec<_>>()
                .join(" + ")
        })
        .collect();
    for (location, message, name) in first {
        let message = if others.is_empty() {
            format!("{message} (security scheme {name})")
        } else {
            format!(
                "{message} (security scheme {name}; or send {})",
                others.join(", or ")
            )
        };
        out.push(Violation::new(
            ViolationKind::Security,
            location.clone(),
            message,
        ));
    }
}

/// What a scheme expects, in words.
pub fn describe(s: &SecurityScheme) -> String {
    match s {
        SecurityScheme::ApiKey { name, location, .. } => {
            format!("{} {name}", location_word(*location))
        }
        SecurityScheme::Bearer => "an Authorization: Bearer token".into(),
        SecurityScheme::Basic => "Authorization: Basic credentials".into(),
        SecurityScheme::Http { scheme } => format!("Authorization: {scheme} credentials"),
        SecurityScheme::MutualTls => "a client certificate".into(),
    }
}

fn location_word(l: ParamIn) -> &'static str {
    match l {
        ParamIn::Header => "header",
        ParamIn::Query => "query parameter",
        ParamIn::Cookie => "cookie",
        ParamIn::Path => "path parameter",
    }
}

/// `None` when the request carries a well-formed credential for the scheme.
fn scheme_problem(s: &SecurityScheme, req: &Request) -> Option<(String, String)> {
    match s {
        SecurityScheme::ApiKey {
            name,
            location,
            header,
        } => {
            let present = match location {
                // No parsed name: not a header name, so never sent.
                ParamIn::Header => header
                    .as_ref()
                    .and_then(|h| req.header_str(h))
                    .is_some_and(|v| !v.trim().is_empty()),
                ParamIn::Query => req
                    .query_pairs()
                    .iter()
                    .any(|(k, v)| k == name && !v.is_empty()),
                ParamIn::Cookie => req
                    .cookies()
                    .iter()
                    .any(|(k, v)| k == name && !v.is_empty()),
                ParamIn::Path => true,
            };
            (!present).then(|| {
                let loc = match location {
                    ParamIn::Header => format!("header.{}", name.to_ascii_lowercase()),
                    other => format!("{}.{name}", other.as_str()),
                };
                (
                    loc,
                    format!(
                        "missing API key: {} {name} is required",
                        location_word(*location)
                    ),
                )
            })
        }
        SecurityScheme::Bearer => authorization(req, "bearer", well_formed_token68),
        SecurityScheme::Basic => authorization(req, "basic", well_formed_basic),
        SecurityScheme::Http { scheme } => authorization(req, scheme, |c| !c.trim().is_empty()),
        SecurityScheme::MutualTls => None,
    }
}

fn authorization(req: &Request, scheme: &str, ok: fn(&str) -> bool) -> Option<(String, String)> {
    let loc = "header.authorization".to_string();
    let Some(value) = req.headers.get(hyper::header::AUTHORIZATION) else {
        return Some((
            loc,
            format!(
                "missing credentials: an Authorization: {} header is required",
                title(scheme)
            ),
        ));
    };
    let Ok(value) = value.to_str() else {
        return Some((loc, "the Authorization header is not valid text".into()));
    };
    let (given, credentials) = value.trim().split_once(' ').unwrap_or((value.trim(), ""));
    if !given.eq_ignore_ascii_case(scheme) {
        return Some((
            loc,
            format!(
                "the Authorization header uses the \"{given}\" scheme; {} is required",
                title(scheme)
            ),
        ));
    }
    if !ok(credentials.trim()) {
        return Some((
            loc,
            format!(
                "the {} credentials in the Authorization header are malformed",
                title(scheme)
            ),
        ));
    }
    None
}

fn title(scheme: &str) -> String {
    let mut c = scheme.chars();
    match c.next() {
        Some(f) => f.to_ascii_uppercase().to_string() + c.as_str(),
        None => String::new(),
    }
}

/// RFC 6750 `b64token`: `1*( ALPHA / DIGIT / "-" / "." / "_" / "~" / "+" / "/" ) *"="`.
fn well_formed_token68(t: &str) -> bool {
    let body = t.trim_end_matches('=');
    !body.is_empty()
        && body.bytes().all(|b| {
            b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b'+' | b'/')
        })
}

/// `Basic base64(user:password)`.
fn well_formed_basic(t: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(t)
        .ok()
        .and_then(|b| String::from_utf8(b).ok())
        .is_some_and(|s| s.contains(':'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens() {
        assert!(well_formed_token68("abc.def-ghi_jkl~+/=="));
        assert!(!well_formed_token68(""));
        assert!(!well_formed_token68("a b"));
        assert!(well_formed_basic("dXNlcjpwYXNz"));
        assert!(!well_formed_basic("dXNlcg=="));
        assert!(!well_formed_basic("%%%"));
    }
}
