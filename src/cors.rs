//! CORS for the mocked API (never for the admin API): answers to
//! cross-origin requests echo the origin and expose specmock's headers;
//! preflights on any path of the contract get a 204.

use crate::contract::Contract;
use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::respond::Answer;

/// Headers specmock adds that a browser may read across origins.
const EXPOSED: &str = "x-specmock-operation, x-specmock-violations, x-specmock-fixture, preference-applied, location, www-authenticate, allow, content-length, content-type";

/// CORS headers for an answer to a cross-origin request: the origin echoed
/// (credentials cannot be used with `*`), and specmock's headers exposed.
pub fn headers(headers: &mut hyper::HeaderMap, origin: &str) {
    use hyper::header::{self, HeaderValue};
    if let Ok(v) = HeaderValue::from_str(origin) {
        headers.insert(header::ACCESS_CONTROL_ALLOW_ORIGIN, v);
        headers.insert(
            header::ACCESS_CONTROL_ALLOW_CREDENTIALS,
            HeaderValue::from_static("true"),
        );
        headers.insert(
            header::ACCESS_CONTROL_EXPOSE_HEADERS,
            HeaderValue::from_static(EXPOSED),
        );
        headers.append(header::VARY, HeaderValue::from_static("Origin"));
    }
}

/// A CORS preflight: 204 on any path of the contract, echoing the method and
/// headers asked for.
pub fn preflight(contract: &Contract, req: &Request, wanted: &str, origin: &str) -> Answer {
    use hyper::header::{self, HeaderValue};
    let method = wanted
        .parse::<hyper::Method>()
        .unwrap_or(hyper::Method::GET);
    let known = !matches!(
        contract.routes().route(&method, &req.path),
        Err(crate::route::NotRouted::NotFound)
    );
    if !known {
        let mut a = Answer::problem(&Problem::new(
            ProblemKind::NoRoute,
            format!(
                "preflight for {wanted} {}: no operation of the loaded documents has this path",
                req.path
            ),
        ));
        headers(&mut a.headers, origin);
        return a;
    }
    let mut a = Answer::empty(204);
    headers(&mut a.headers, origin);
    if let Ok(v) = HeaderValue::from_str(wanted) {
        a.headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
    }
    if let Some(h) = req.header_str(hyper::header::ACCESS_CONTROL_REQUEST_HEADERS)
        && let Ok(v) = HeaderValue::from_str(h)
    {
        a.headers.insert(header::ACCESS_CONTROL_ALLOW_HEADERS, v);
    }
    a.headers.insert(
        header::ACCESS_CONTROL_MAX_AGE,
        HeaderValue::from_static("86400"),
    );
    a.headers.append(
        header::VARY,
        HeaderValue::from_static("Access-Control-Request-Method, Access-Control-Request-Headers"),
    );
    a
}
