//! Opening the inspector in a browser when `--admin-token` is set.
//!
//! A browser cannot add `Authorization: Bearer` to a page load, so
//! `GET /__specmock/` without credentials answers a small login form;
//! `POST /__specmock/login` checks the token (constant time) and sets a
//! session cookie, then redirects to the inspector, whose own fetches carry
//! the cookie. The cookie's value is a random value drawn once per process,
//! never the token, so the token appears in no URL, cookie, log or journal.
//! A restart draws a new value: the browser logs in again.

use bytes::Bytes;
use hyper::header::{self, HeaderValue};

use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::respond::Answer;

pub use crate::app::session::{Session, token_matches};

/// Does the request carry the token itself (`Authorization: Bearer` or
/// `x-specmock-admin-token`)?
pub fn bearer_matches(req: &Request, want: &str) -> bool {
    let given = req
        .header_str("x-specmock-admin-token")
        .or_else(|| {
            req.header_str(hyper::header::AUTHORIZATION)
                .and_then(|a| a.strip_prefix("Bearer "))
        })
        .unwrap_or("");
    token_matches(given, want)
}

/// A cookie rides along on any request the browser makes to this host, even
/// one a page of another port (the frontend under test) submits: SameSite
/// treats ports of one host as one site. So a request that changes something
/// and is authorized by the cookie alone must come from the inspector's own
/// origin, which browsers state in `Origin` on every POST.
pub fn from_own_origin(req: &Request) -> bool {
    match (
        req.header_str(hyper::header::ORIGIN),
        req.header_str(hyper::header::HOST),
    ) {
        (Some(origin), Some(host)) => origin
            .strip_prefix("http://")
            .is_some_and(|o| o.eq_ignore_ascii_case(host)),
        _ => false,
    }
}

/// `POST /__specmock/login` with a form body `token=...`.
pub fn login(session: &Session, want: &str, req: &Request) -> Answer {
    let given = form_urlencoded::parse(&req.body)
        .find(|(k, _)| k == "token")
        .map(|(_, v)| v.into_owned())
        .unwrap_or_default();
    if !token_matches(&given, want) {
        return login_page(
            401,
            "That is not the admin token. Give the value of --admin-token (or SPECMOCK_ADMIN_TOKEN).",
        );
    }
    let mut a = Answer::empty(303);
    a.headers
        .insert(header::LOCATION, HeaderValue::from_static("/__specmock/"));
    match session.set_cookie() {
        Some(c) => {
            a.headers.insert(header::SET_COOKIE, c);
        }
        None => {
            return Answer::problem(&Problem::new(
                ProblemKind::InternalError,
                "this is a specmock bug, please report it; meanwhile use Authorization: Bearer",
            ));
        }
    }
    no_store(&mut a);
    a
}

/// The login form, answered to a browser that opens the inspector without
/// credentials (401: the page is not served without the token).
pub fn login_page(status: u16, note: &str) -> Answer {
    let note = if note.is_empty() {
        String::new()
    } else {
        format!("<p class=\"note\">{}</p>", escape_html(note))
    };
    let html = format!("{LOGIN_HEAD}{note}{LOGIN_FORM}");
    let mut a = Answer::empty(status);
    a.headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/html; charset=utf-8"),
    );
    // Nothing external: no script at all, inline style, and the form may
    // only post back here.
    a.headers.insert(
        header::HeaderName::from_static("content-security-policy"),
        HeaderValue::from_static(
            "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
        ),
    );
    if status == 401 {
        a.headers.insert(
            header::WWW_AUTHENTICATE,
            HeaderValue::from_static("Bearer realm=\"specmock-admin\""),
        );
    }
    no_store(&mut a);
    a.body = Bytes::from(html);
    a
}

fn no_store(a: &mut Answer) {
    a.headers
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const LOGIN_HEAD: &str = r#"<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>specmock inspector: log in</title>
<style>
body{font:16px/1.5 system-ui,sans-serif;max-width:28rem;margin:4rem auto;padding:0 1rem;color:#222}
h1{font-size:1.3rem}label{display:block;margin:1rem 0 .3rem}
input{font:inherit;width:100%;box-sizing:border-box;padding:.4rem}
button{font:inherit;margin-top:1rem;padding:.4rem 1.2rem}.note{color:#a00}
code{background:#f3f3f3;padding:0 .2rem}
</style></head><body>
<h1>specmock inspector</h1>
<p>This server was started with <code>--admin-token</code>. Give that token to open the inspector in this browser.</p>
"#;

const LOGIN_FORM: &str = r#"<form method="post" action="/__specmock/login">
<label for="token">Admin token</label>
<input id="token" name="token" type="password" autocomplete="current-password" required autofocus>
<button type="submit">Open the inspector</button>
</form>
<p>Scripts can keep sending <code>Authorization: Bearer TOKEN</code> instead.</p>
</body></html>
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn req(headers: &[(&'static str, &str)], body: &str) -> Request {
        let mut h = hyper::HeaderMap::new();
        for (k, v) in headers {
            h.append(*k, HeaderValue::from_str(v).unwrap());
        }
        Request {
            method: hyper::Method::POST,
            path: "/__specmock/login".into(),
            query: None,
            headers: h,
            body: Bytes::from(body.to_string()),
        }
    }

    #[test]
    fn token_comparison() {
        assert!(token_matches("abc", "abc"));
        assert!(!token_matches("abd", "abc"));
        assert!(!token_matches("ab", "abc"));
        assert!(!token_matches("", "abc"));
    }

    #[test]
    fn sessions_are_random_and_the_cookie_is_never_the_token() {
        let s = Session::new().unwrap().for_port(4010);
        let t = Session::new().unwrap();
        assert_ne!(s.value, t.value);
        assert_eq!(s.value.len(), 64);
        let ok = login(&s, "s3cret", &req(&[], "token=s3cret"));
        assert_eq!(ok.status.as_u16(), 303);
        assert_eq!(ok.headers[header::LOCATION], "/__specmock/");
        let cookie = ok.headers[header::SET_COOKIE].to_str().unwrap();
        assert!(!cookie.contains("s3cret"), "{cookie}");
        assert!(cookie.starts_with("specmock_admin_4010="), "{cookie}");
        assert!(cookie.ends_with("; HttpOnly; SameSite=Strict; Path=/__specmock"));
        let pair = cookie.split(';').next().unwrap();
        assert!(s.admits(&req(&[("cookie", &format!("a=b; {pair}"))], "")));
        assert!(!t.for_port(4010).admits(&req(&[("cookie", pair)], "")));
        assert!(!s.admits(&req(&[("cookie", "specmock_admin_4010=00")], "")));
    }

    #[test]
    fn a_wrong_token_gets_the_form_again() {
        let s = Session::new().unwrap();
        let no = login(&s, "s3cret", &req(&[], "token=guess"));
        assert_eq!(no.status.as_u16(), 401);
        assert!(no.headers.get(header::SET_COOKIE).is_none());
        let body = std::str::from_utf8(&no.body).unwrap();
        assert!(body.contains("not the admin token") && body.contains("<form"));
        assert!(!body.contains("guess"));
    }

    #[test]
    fn own_origin_only() {
        let r = |o: &str| req(&[("origin", o), ("host", "127.0.0.1:4010")], "");
        assert!(from_own_origin(&r("http://127.0.0.1:4010")));
        assert!(!from_own_origin(&r("http://127.0.0.1:3000")));
        assert!(!from_own_origin(&req(&[("host", "127.0.0.1:4010")], "")));
    }
}
