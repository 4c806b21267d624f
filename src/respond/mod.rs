//! The respond stage: what a request that kept the contract gets back.
//!
//! Status: a matching fixture first; else what the client asked for with
//! `Prefer: code=N` (exact, then `NXX`, then `default`; a code the operation
//! does not declare is refused with a 404 problem naming the declared ones);
//! else the lowest explicit 2xx, else a `2XX` range, else `default`, else the first
//! declared response. Media type: by `Accept` (406 when nothing fits).
//! Body: `Prefer: example=NAME`; else generated when `dynamic=true` (or
//! `--dynamic`); else the document's example (serialised once at load); else
//! data generated from the schema, seeded from `--seed` (or `Prefer: seed=`),
//! the operation and the request path: every declared property, or sparse
//! with `--sparse` (`Prefer: dynamic=sparse`). A schema found ungeneratable
//! at load is a 500 problem instead. A response declared with no content
//! gets no body and no `Content-Type`.

pub mod prefer;
pub mod reject;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::{CONTENT_TYPE, HeaderMap, HeaderName, HeaderValue};
use serde_json::Value;

pub use crate::media::{is_json, serialize_for};

use crate::generate::{self, Plans};
use crate::media;
use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::spec::{Example, MediaType, Operation, Response, StatusKey};
use crate::validate::{Checked, Violation, ViolationKind};

use prefer::Preferences;

/// Options of the respond stage.
#[derive(Debug, Clone)]
pub struct RespondOptions {
    /// The seed generated bodies derive from (random per process unless `--seed`).
    pub seed: u64,
    /// Always generate bodies, ignoring examples (`--dynamic`).
    pub dynamic: bool,
    /// Generate sparse bodies (`--sparse`): optional properties by chance.
    pub sparse: bool,
    /// Answer only from fixtures: an unmatched request is a 404 naming the closest fixture.
    pub fixtures_only: bool,
    /// An example from the document that breaks its response schema is
    /// answered 500 listing how, instead of served (`--errors`).
    pub errors: bool,
}

impl Default for RespondOptions {
    fn default() -> Self {
        RespondOptions {
            seed: process_seed(),
            dynamic: false,
            sparse: false,
            fixtures_only: false,
            errors: false,
        }
    }
}

/// A seed that differs between processes (no `--seed` given).
pub fn process_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    h.write_u128(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0),
    );
    h.write_u32(std::process::id());
    h.finish()
}

/// Header naming the fixture file that answered.
pub const FIXTURE_HEADER: &str = "x-specmock-fixture";

/// Answer a request that passed validation and no fixture or stored
/// resource answered, from the document: the status `prefs` ask for (or the
/// usual success), the media type `Accept` picks, the example or a
/// generated body, the declared headers.
pub fn respond(
    plans: Option<&Plans>,
    checked: &Checked,
    req: &Request,
    prefs: &Preferences,
    options: &RespondOptions,
) -> Answer {
    let op = &checked.routed.operation;
    let mut applied: Vec<String> = Vec::new();
    if let Some(bad) = &prefs.bad_code {
        return undeclared_code(op, bad);
    }
    let (status, resp) = match prefs.code {
        Some(code) => match op.declared_for(code) {
            Some(r) => {
                applied.push(format!("code={code}"));
                (code, r)
            }
            None => return undeclared_code(op, &code.to_string()),
        },
        None => match default_response(op) {
            Some(r) => (status_of(r), r),
            None => return no_success_response(op),
        },
    };
    let mut answer = if resp.content.is_empty() {
        Answer::empty(status)
    } else {
        let Some(media) =
            media::accept::choose(&resp.content, req.header_str(hyper::header::ACCEPT))
        else {
            let offered: Vec<&str> = resp.content.iter().map(|m| m.media_type.as_str()).collect();
            return Answer::problem(
                &Problem::new(
                    ProblemKind::NotAcceptable,
                    format!(
                        "Accept: {} matches none of the media types {} declares for {status}: {}",
                        req.header_str(hyper::header::ACCEPT).unwrap_or(""),
                        op.display_id,
                        offered.join(", ")
                    ),
                )
                .with("available", offered.clone()),
            );
        };
        let dynamic = prefs.dynamic.unwrap_or(options.dynamic);
        let example = if let Some(name) = &prefs.example {
            match media
                .examples
                .iter()
                .find(|e| e.name.as_deref() == Some(name.as_str()))
            {
                Some(e) => {
                    applied.push(format!("example={name}"));
                    Some(e)
                }
                None => return no_such_example(op, status, media, name),
            }
        } else if dynamic && media.schema.is_some() {
            if prefs.sparse == Some(true) {
                applied.push("dynamic=sparse".into());
            } else if prefs.dynamic == Some(true) {
                applied.push("dynamic=true".into());
            }
            None
        } else {
            media.examples.first()
        };
        let body = match example {
            Some(e) => {
                if options.errors && !e.breaks.is_empty() {
                    return broken_example(op, status, media, e);
                }
                if (e.value.is_object() || e.value.is_array()) && media.plain_text {
                    return unserialisable(op, status, media);
                }
                e.body.clone()
            }
            None if media.schema.is_some() => {
                let value = match generated(
                    plans,
                    checked,
                    req,
                    (status, media),
                    prefs,
                    options,
                    &mut applied,
                ) {
                    Ok(v) => v,
                    Err(problem) => return Answer::problem(&problem),
                };
                if (value.is_object() || value.is_array()) && media.plain_text {
                    return unserialisable(op, status, media);
                }
                serialize_for(&media.media_type, &value)
            }
            None => Bytes::new(),
        };
        let mut a = Answer::empty(status);
        if let Some(v) = &media.content_type {
            a.headers.insert(CONTENT_TYPE, v.clone());
        }
        a.body = body;
        a
    };
    declared_headers(plans, checked, req, resp, options, prefs, &mut answer);
    if !applied.is_empty()
        && let Ok(v) = HeaderValue::from_str(&applied.join(", "))
    {
        answer
            .headers
            .insert(HeaderName::from_static("preference-applied"), v);
    }
    answer
}

/// A body generated from the media type's schema, or the 500 problem that
/// says why none can be (found at load: the schema contradicts itself, or
/// its required members recurse without end): never a body that breaks it.
fn generated(
    plans: Option<&Plans>,
    checked: &Checked,
    req: &Request,
    (status, media): (u16, &crate::spec::MediaType),
    prefs: &Preferences,
    options: &RespondOptions,
    applied: &mut Vec<String>,
) -> Result<Value, Box<Problem>> {
    let op = &checked.routed.operation;
    let (Some(schema), Some(plans)) = (&media.schema, plans) else {
        return Ok(Value::Null);
    };
    let dir = crate::spec::Direction::Response;
    if let Some(why) = plans.ungeneratable(&schema.loc, dir) {
        return Err(Box::new(
            Problem::new(
                ProblemKind::UngeneratableSchema,
                format!(
                    "{} {status} {}: no body can be generated for its schema: {why}",
                    op.display_id, media.media_type
                ),
            )
            .with("operation", op.display_id.as_str())
            .with("reason", why),
        ));
    }
    let seed = match prefs.seed {
        Some(s) => {
            applied.push(format!("seed={s}"));
            s
        }
        None => options.seed,
    };
    let seed = generate::derive_seed(seed, op.qualified(), &req.path);
    let hints = generate::Hints {
        path_params: &checked.routed.path_params,
    };
    let density = if prefs.sparse.unwrap_or(options.sparse) {
        generate::Density::Sparse
    } else {
        generate::Density::Dense
    };
    Ok(generate::generate_as(
        plans,
        &schema.loc,
        seed,
        &hints,
        dir,
        density,
    ))
}

/// `Prefer: example=NAME` naming no example of the chosen response: 404
/// listing the names there are, as Prism does.
fn no_such_example(op: &Operation, status: u16, media: &MediaType, name: &str) -> Answer {
    let names: Vec<&str> = media
        .examples
        .iter()
        .filter_map(|e| e.name.as_deref())
        .collect();
    Answer::problem(
        &Problem::new(
            ProblemKind::NoSuchExample,
            format!(
                "{} has no example \"{name}\" for {status} {}; named examples: {}",
                op.display_id,
                media.media_type,
                if names.is_empty() {
                    "none".to_string()
                } else {
                    names.join(", ")
                }
            ),
        )
        .with("examples", names.clone()),
    )
}

/// `--errors`: the document's example breaks its own response schema, so it
/// is not served; the 500 lists how (and so does `x-specmock-violations`).
fn broken_example(op: &Operation, status: u16, media: &MediaType, e: &Example) -> Answer {
    let violations: Vec<Violation> = e
        .breaks
        .iter()
        .map(|(at, message)| {
            Violation::new(
                ViolationKind::Body,
                format!("response{at}"),
                message.clone(),
            )
        })
        .collect();
    let name = e
        .name
        .as_deref()
        .map(|n| format!(" \"{n}\""))
        .unwrap_or_default();
    let mut a = Answer::problem(
        &Problem::new(
            ProblemKind::ExampleBreaksSchema,
            format!(
                "--errors: the example{name} of {} for {status} {} breaks its schema: {}",
                op.display_id,
                media.media_type,
                violations
                    .iter()
                    .map(|v| v.to_string())
                    .collect::<Vec<_>>()
                    .join("; ")
            ),
        )
        .with("operation", op.display_id.as_str())
        .with(
            "violations",
            serde_json::to_value(&violations).unwrap_or_default(),
        ),
    );
    if let Some(v) = reject::violations_header(&violations) {
        a.headers
            .insert(HeaderName::from_static(reject::VIOLATIONS_HEADER), v);
    }
    a
}

/// An object or array for `text/plain`/`text/html`: there is no way to write
/// it as text, so the answer is a 500 naming the media type (as Prism does),
/// never JSON labelled as text.
fn unserialisable(op: &Operation, status: u16, media: &MediaType) -> Answer {
    Answer::problem(
        &Problem::new(ProblemKind::UnserialisableResponse, format!(
                "{} declares {} for {status}, but its schema's values are objects or arrays, which have no {} form; declare application/json for it, or a string schema",
                op.display_id, media.media_type, media.media_type
            ),
        )
        .with("operation", op.display_id.as_str())
        .with("mediaType", media.media_type.as_str()),
    )
}

/// The headers the response declares (Adafruit's `Link`, the
/// `X-Pagination-*` counts), as real clients read them: the document's
/// example, else a value generated from the header's schema with the body's
/// seed. A header already set (`Location` from the stateful store) is kept.
fn declared_headers(
    plans: Option<&Plans>,
    checked: &Checked,
    req: &Request,
    resp: &Response,
    options: &RespondOptions,
    prefs: &Preferences,
    answer: &mut Answer,
) {
    if resp.headers.is_empty() {
        return;
    }
    let op = &checked.routed.operation;
    for h in &resp.headers {
        let Ok(name) = HeaderName::from_bytes(h.name.as_bytes()) else {
            continue;
        };
        if answer.headers.contains_key(&name) {
            continue;
        }
        let value = match (&h.example, &h.schema, plans) {
            (Some(v), _, _) => v.clone(),
            (None, Some(loc), Some(plans)) => {
                let seed = generate::derive_seed(
                    prefs.seed.unwrap_or(options.seed),
                    op.qualified(),
                    &format!("{}\u{ff}{}", req.path, h.name),
                );
                generate::generate(plans, loc, seed, &generate::Hints::NONE)
            }
            _ => continue,
        };
        if let Some(text) = header_text(&value)
            && let Ok(v) = HeaderValue::from_str(&text)
        {
            answer.headers.insert(name, v);
        }
    }
}

/// A value as a header carries it (OpenAPI's `simple` style): arrays and
/// objects comma-separated, `null` not at all.
fn header_text(v: &Value) -> Option<String> {
    let scalar = |v: &Value| match v {
        Value::String(s) => Some(s.clone()),
        Value::Null => None,
        other => Some(other.to_string()),
    };
    match v {
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(scalar)
                .collect::<Vec<_>>()
                .join(","),
        ),
        Value::Object(m) => Some(
            m.iter()
                .filter_map(|(k, v)| Some(format!("{k},{}", scalar(v)?)))
                .collect::<Vec<_>>()
                .join(","),
        ),
        other => scalar(other),
    }
}

fn undeclared_code(op: &Operation, code: &str) -> Answer {
    let declared: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
    Answer::problem(
        &Problem::new(
            ProblemKind::UndeclaredStatus,
            format!(
                "{} does not declare status {code}; it declares {}",
                op.display_id,
                declared.join(", ")
            ),
        )
        .with("declared", declared.clone()),
    )
}

/// The code to answer for a declared response key.
fn status_of(r: &Response) -> u16 {
    match r.status {
        StatusKey::Code(c) => c,
        StatusKey::Range(n) => n as u16 * 100,
        StatusKey::Default => 200,
    }
}

/// What the server sends back.
#[derive(Debug, Clone)]
pub struct Answer {
    /// The status code.
    pub status: StatusCode,
    /// The response headers.
    pub headers: HeaderMap,
    /// The response body.
    pub body: Bytes,
}

impl Answer {
    /// An answer with a JSON body of the given content type.
    pub fn json(status: u16, content_type: &str, body: &Value) -> Answer {
        let mut headers = HeaderMap::new();
        if let Some(v) = crate::media::content_type(content_type) {
            headers.insert(CONTENT_TYPE, v);
        }
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
            headers,
            body: Bytes::from(serde_json::to_vec(body).unwrap_or_default()),
        }
    }

    /// An answer with a status and nothing else.
    pub fn empty(status: u16) -> Answer {
        Answer {
            status: StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            headers: HeaderMap::new(),
            body: Bytes::new(),
        }
    }

    /// A problem+json answer.
    pub fn problem(p: &crate::problem::Problem) -> Answer {
        Answer::json(p.status, crate::problem::PROBLEM_JSON, &p.to_json())
    }
}

/// An operation that declares no success to mock (only `405`, say): a 500
/// naming what it does declare, as Prism answers, rather than serving an
/// error the client did not provoke.
fn no_success_response(op: &Operation) -> Answer {
    let declared: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
    Answer::problem(
        &Problem::new(
            ProblemKind::NoSuccessResponse,
            format!(
                "{} declares no 2xx, 2XX or default response to answer with; it declares {}: ask for one with Prefer: code=N",
                op.display_id,
                declared.join(", ")
            ),
        )
        .with("declared", declared.clone()),
    )
}

/// The lowest explicit 2xx, else a `2XX` range (answered as 200), else
/// `default`; `None` when the operation declares none of them. An explicit
/// code wins over the range (`201` beside `2XX` answers 201, as Prism does).
pub fn default_response(op: &Operation) -> Option<&crate::spec::Response> {
    let mut best: Option<(u16, &crate::spec::Response)> = None;
    for r in &op.responses {
        let code = match r.status {
            StatusKey::Code(c) if (200..300).contains(&c) => c,
            StatusKey::Range(2) => 300,
            _ => continue,
        };
        if best.is_none_or(|(b, _)| code < b) {
            best = Some((code, r));
        }
    }
    best.map(|(_, r)| r)
        .or_else(|| op.response(StatusKey::Default))
}
