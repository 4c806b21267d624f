//! Helpers shared by the fuzz targets: the bundled contract built once, and
//! small encoders that turn structured fuzz input into the raw strings a
//! client would send.

#![allow(dead_code)]

use std::sync::OnceLock;

use specmock::Contract;
use specmock::FixtureStore;
use specmock::PipelineOptions;
use specmock::RespondOptions;
use specmock::ValidateOptions;

/// The bundled specs, without fixtures (what `Contract::bundled()` gives).
pub fn contract() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| Contract::bundled().expect("the bundled specs load"))
}

/// The bundled specs with the bundled fixtures loaded, so the responder's
/// fixture matching (and `fixtures_only`'s closest-fixture search) runs too.
pub fn contract_with_fixtures() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| {
        let mut c = Contract::bundled().expect("the bundled specs load");
        let warnings = c.load_fixtures(&FixtureStore::bundled_sources());
        assert!(warnings.is_empty(), "bundled fixtures load: {warnings:?}");
        c
    })
}

/// Pipeline options from fuzz input; the seed is never random, so a crash
/// replays exactly.
pub fn options(
    seed: u64,
    tolerate_nulls: bool,
    dynamic: bool,
    fixtures_only: bool,
) -> PipelineOptions {
    PipelineOptions {
        // Both routings of a trailing slash, by the seed the input chose.
        ignore_trailing_slash: seed % 4 >= 2,
        validate: ValidateOptions { tolerate_nulls },
        respond: RespondOptions {
            seed,
            dynamic,
            // Both densities of generated bodies, by the seed the input chose.
            sparse: seed % 2 == 1,
            fixtures_only,
            ..RespondOptions::default()
        },
        ..PipelineOptions::default()
    }
}

/// Percent-encode everything but RFC 3986 unreserved characters, as a
/// client's URL builder would (so the path/query is one hyper could receive).
pub fn pct(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Like [`pct`] but keeps the delimiters styles use inside one value
/// (`,` for form/simple arrays, `|`, space as `+`, `[`/`]` for deepObject),
/// so the validator's style splitting sees them.
pub fn pct_keep_delims(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric()
            || matches!(
                b,
                b'-' | b'.' | b'_' | b'~' | b',' | b'|' | b'[' | b']' | b':' | b'*'
            )
        {
            out.push(b as char);
        } else if b == b' ' {
            out.push('+');
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A template path (`/api/v2/{username}/tokens`) with its `{...}` segments
/// filled from `fill` (cycled; a placeholder when it runs out).
pub fn fill_template(route: &str, fill: &[String], encode: bool) -> String {
    let mut out = String::with_capacity(route.len() + 16);
    let mut i = 0;
    let mut rest = route;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let Some(close) = rest[open..].find('}') else {
            break;
        };
        let value = fill.get(i).map(String::as_str).unwrap_or("x1");
        i += 1;
        if encode {
            out.push_str(&pct(value));
        } else {
            out.push_str(value);
        }
        rest = &rest[open + close + 1..];
    }
    out.push_str(rest);
    out
}

/// A multipart/form-data body.
pub fn multipart(boundary: &str, parts: &[(String, Option<String>, Vec<u8>)]) -> Vec<u8> {
    let mut out = Vec::new();
    for (name, filename, bytes) in parts {
        out.extend_from_slice(format!("--{boundary}\r\n").as_bytes());
        match filename {
            Some(f) => out.extend_from_slice(
                format!(
                    "Content-Disposition: form-data; name=\"{name}\"; filename=\"{f}\"\r\n\
                     Content-Type: application/octet-stream\r\n\r\n"
                )
                .as_bytes(),
            ),
            None => out.extend_from_slice(
                format!("Content-Disposition: form-data; name=\"{name}\"\r\n\r\n").as_bytes(),
            ),
        }
        out.extend_from_slice(bytes);
        out.extend_from_slice(b"\r\n");
    }
    out.extend_from_slice(format!("--{boundary}--\r\n").as_bytes());
    out
}

/// Look at every part of an answer, so nothing the responder built lazily
/// escapes the run. With `SPECMOCK_FUZZ_TRACE` set (replaying a corpus:
/// `target/.../validate_request -runs=0 DIR`), one line per outcome on
/// stderr: status, operation, violations and the request, to see what a corpus reaches.
pub fn consume(outcome: &specmock::Outcome, req: &specmock::Request) {
    static TRACE: OnceLock<bool> = OnceLock::new();
    let a = &outcome.answer;
    std::hint::black_box((a.status.as_u16(), a.headers.len(), a.body.len()));
    if *TRACE.get_or_init(|| std::env::var_os("SPECMOCK_FUZZ_TRACE").is_some()) {
        eprintln!(
            "trace: {} {} violations={} first={:?} {} {:?} query={:?}",
            a.status.as_u16(),
            outcome
                .operation
                .as_ref()
                .map_or("-".to_string(), |o| o.qualified_id()),
            outcome.violations.len(),
            outcome
                .violations
                .first()
                .map(|v| v.location.as_str())
                .unwrap_or(""),
            req.method,
            req.path,
            req.query
        );
    }
    for v in outcome.violations.iter().chain(&outcome.warnings) {
        std::hint::black_box((&v.location, &v.message));
    }
}
