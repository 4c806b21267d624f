//! What the client asked for: the `Prefer` header (RFC 7240) and its query
//! equivalents for clients that cannot set headers (`__code`, `__example`,
//! `__dynamic`, `__seed`).
//!
//! Tokens: `code=404` (a status the operation declares: exact, then `4XX`,
//! then `default`), `example=NAME` (a named example), `dynamic=true`
//! (generate from the schema), `callbacks=none|NAME` (send no callback, or only
//! that one), `dynamic=sparse` (generate a sparse body:
//! optional properties by chance), `seed=N` (the generator's seed for this
//! response). Tokens combine: `Prefer: code=404, dynamic=true`.

use crate::request::Request;

/// The preferences of one request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Preferences {
    /// `code=N`: answer with this declared status.
    pub code: Option<u16>,
    /// A `code=` value that is not a status code: refused like an undeclared one.
    pub bad_code: Option<String>,
    /// `example=NAME`: serve this named example.
    pub example: Option<String>,
    /// `dynamic=true|false`: generate from the schema instead of serving an example (or not).
    pub dynamic: Option<bool>,
    /// `dynamic=sparse`: generate, with optional properties by chance.
    pub sparse: Option<bool>,
    /// `seed=N`: the generator's seed for this response.
    pub seed: Option<u64>,
    /// `delay=MS`: wait this long before answering (not standard RFC 7240; specmock's own).
    pub delay_ms: Option<u64>,
    /// `fault=reset|empty`: misbehave on purpose, for resilience tests.
    pub fault: Option<Fault>,
    /// `chaos=off`: no `--chaos` (nor `--latency`, `--fault-rate`) for this request.
    pub chaos_off: bool,
    /// `callbacks=none` (send none) or `callbacks=NAME` (only that one).
    pub callbacks: Option<String>,
}

/// A fault to inject instead of a proper answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// Close the connection without answering.
    Reset,
    /// Send the status line and headers, and no body.
    Empty,
}

/// Built once: a `&str` name is parsed on every lookup.
const PREFER: hyper::header::HeaderName = hyper::header::HeaderName::from_static("prefer");

impl Preferences {
    /// Read `Prefer` headers, then the `__` query parameters (which win).
    pub fn from_request(req: &Request) -> Preferences {
        let mut p = Preferences::default();
        for value in req.headers.get_all(PREFER) {
            let Ok(value) = value.to_str() else { continue };
            for token in value.split(',') {
                // Parameters after `;` are ignored.
                let token = token.split(';').next().unwrap_or("").trim();
                let (name, val) = match token.split_once('=') {
                    Some((n, v)) => (n.trim(), v.trim().trim_matches('"')),
                    None => (token, ""),
                };
                p.set(&name.to_ascii_lowercase(), val);
            }
        }
        if req.query.as_deref().is_some_and(|q| q.contains("__")) {
            for (k, v) in req.query_pairs() {
                if let Some(name) = k.strip_prefix("__") {
                    p.set(name, &v);
                }
            }
        }
        p
    }

    fn set(&mut self, name: &str, value: &str) {
        match name {
            "code" => match value.parse::<u16>() {
                Ok(c) if (100..600).contains(&c) => {
                    self.code = Some(c);
                    self.bad_code = None;
                }
                _ => self.bad_code = Some(value.to_string()),
            },
            "example" if !value.is_empty() => self.example = Some(value.to_string()),
            "dynamic" => {
                let sparse = value.eq_ignore_ascii_case("sparse");
                self.dynamic =
                    Some(sparse || value.is_empty() || value.eq_ignore_ascii_case("true"));
                self.sparse = sparse.then_some(true);
            }
            "seed" => self.seed = value.parse().ok(),
            "callbacks" if !value.is_empty() => self.callbacks = Some(value.to_string()),
            "delay" => self.delay_ms = value.parse().ok(),
            "fault" => {
                self.fault = match value.to_ascii_lowercase().as_str() {
                    "reset" => Some(Fault::Reset),
                    "empty" => Some(Fault::Empty),
                    _ => None,
                }
            }
            "chaos" => self.chaos_off = value.eq_ignore_ascii_case("off"),
            _ => {}
        }
    }

    /// True when nothing was asked for (`chaos=off` asks nothing of the answer).
    pub fn is_empty(&self) -> bool {
        *self
            == Preferences {
                chaos_off: self.chaos_off,
                ..Preferences::default()
            }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use hyper::Method;

    #[test]
    fn header_tokens_combine() {
        let r = Request::new(Method::GET, "/x").header(
            "prefer",
            "code=404, dynamic=true; x=1, seed=7, example=\"ok\", delay=250, fault=reset",
        );
        let p = Preferences::from_request(&r);
        assert_eq!(p.code, Some(404));
        assert_eq!(p.dynamic, Some(true));
        assert_eq!(p.seed, Some(7));
        assert_eq!(p.example.as_deref(), Some("ok"));
        assert_eq!(p.delay_ms, Some(250));
        assert_eq!(p.fault, Some(Fault::Reset));
        let p = Preferences::from_request(
            &Request::new(Method::GET, "/x").header("prefer", "chaos=off"),
        );
        assert!(p.chaos_off && p.is_empty());
        let r = Request::new(Method::GET, "/x").header("prefer", "callbacks=onEvent");
        let p = Preferences::from_request(&r);
        assert_eq!(p.callbacks.as_deref(), Some("onEvent"));
    }

    #[test]
    fn sparse_is_a_kind_of_dynamic() {
        let p = Preferences::from_request(
            &Request::new(Method::GET, "/x").header("prefer", "dynamic=sparse"),
        );
        assert_eq!((p.dynamic, p.sparse), (Some(true), Some(true)));
        let p = Preferences::from_request(&Request::new(Method::GET, "/x?__dynamic=SPARSE"));
        assert_eq!((p.dynamic, p.sparse), (Some(true), Some(true)));
        // A later token wins, as for every other preference.
        let p = Preferences::from_request(
            &Request::new(Method::GET, "/x").header("prefer", "dynamic=sparse, dynamic=true"),
        );
        assert_eq!((p.dynamic, p.sparse), (Some(true), None));
    }

    #[test]
    fn query_equivalents_win() {
        let r =
            Request::new(Method::GET, "/x?__code=500&__dynamic=false").header("prefer", "code=404");
        let p = Preferences::from_request(&r);
        assert_eq!(p.code, Some(500));
        assert_eq!(p.dynamic, Some(false));
    }

    #[test]
    fn bad_codes_are_kept_for_the_error() {
        let p = Preferences::from_request(
            &Request::new(Method::GET, "/x").header("prefer", "code=abc"),
        );
        assert_eq!(p.code, None);
        assert_eq!(p.bad_code.as_deref(), Some("abc"));
        let p = Preferences::from_request(
            &Request::new(Method::GET, "/x").header("prefer", "code=299"),
        );
        assert_eq!(p.code, Some(299));
    }
}
