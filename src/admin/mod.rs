//! The admin API under `/__specmock/`: the inspector page, health, the
//! journal, verification, coverage, the exports, the stateful store, reset
//! and reports.
//! Never CORS; open on loopback, behind `--admin-token` (or a browser session
//! from the login page) elsewhere.

pub mod login;

use bytes::Bytes;
use serde_json::{Value, json};

use crate::app::{AdminAccess, AppState};
use crate::journal::{Filter, Verification};
use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::respond::Answer;

/// The inspector page served at `GET /__specmock/`.
const INSPECTOR_HTML: &str = include_str!("inspector.html");

/// The prefix of the admin API; no vendor uses it.
pub const ADMIN_PREFIX: &str = "/__specmock";

/// Is this request for the admin API?
pub fn is_admin(path: &str) -> bool {
    path == ADMIN_PREFIX || path.starts_with("/__specmock/")
}

fn admin_json(status: u16, v: &Value) -> Answer {
    Answer::json(status, "application/json", v)
}

/// Answer a request under [`ADMIN_PREFIX`].
pub fn answer(state: &AppState, req: &Request) -> Answer {
    let sub = req
        .path
        .trim_start_matches(ADMIN_PREFIX)
        .trim_start_matches('/');
    let page = req.method == hyper::Method::GET && matches!(sub, "" | "inspector" | "login");
    // Health says nothing secret: open to monitors whatever the access rule.
    let health = req.method == hyper::Method::GET && sub == "health";
    match &state.admin {
        _ if health => {}
        AdminAccess::Open => {}
        AdminAccess::Token(want) if req.method == hyper::Method::POST && sub == "login" => {
            return login::login(&state.session, want, req);
        }
        AdminAccess::Token(want) if login::bearer_matches(req, want) => {}
        AdminAccess::Token(_) if state.session.admits(req) => {
            let reads = matches!(req.method, hyper::Method::GET | hyper::Method::HEAD);
            if !reads && !login::from_own_origin(req) {
                return Answer::problem(&Problem::new(
                    ProblemKind::AdminCrossOrigin,
                    "this request changes something and carries the session cookie but no Origin of this server; send Authorization: Bearer <the --admin-token value>, or use the inspector page",
                ));
            }
        }
        AdminAccess::Token(_) if page => return login::login_page(401, ""),
        AdminAccess::Closed => {
            return Answer::problem(&Problem::new(
                ProblemKind::AdminClosed,
                "specmock listens on a non-loopback address; restart it with --admin-token TOKEN (or --admin-open) to use the admin API",
            ));
        }
        AdminAccess::Token(_) => {
            let mut a = Answer::problem(&Problem::new(
                ProblemKind::AdminUnauthorized,
                "send Authorization: Bearer <the --admin-token value>, or log in at /__specmock/ in a browser",
            ));
            a.headers.insert(
                hyper::header::WWW_AUTHENTICATE,
                hyper::header::HeaderValue::from_static("Bearer realm=\"specmock-admin\""),
            );
            return a;
        }
    }
    let contract = state.contract.load();
    match (req.method.as_str(), sub) {
        ("GET", "") | ("GET", "inspector") | ("GET", "login") => {
            // One self-contained page (no CDN), embedded in the binary.
            let mut a = Answer::empty(200);
            a.headers.insert(
                hyper::header::CONTENT_TYPE,
                hyper::header::HeaderValue::from_static("text/html; charset=utf-8"),
            );
            a.headers.insert(
                hyper::header::HeaderName::from_static("content-security-policy"),
                hyper::header::HeaderValue::from_static(
                    "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; frame-ancestors 'none'",
                ),
            );
            a.body = Bytes::from_static(INSPECTOR_HTML.as_bytes());
            a
        }
        ("GET", "health") => {
            let docs: Vec<_> = contract
                .documents()
                .iter()
                .map(|d| json!({"name": d.name, "title": d.title, "basePath": d.base_path, "operations": d.operations.len(), "leftOut": d.left_out()}))
                .collect();
            let left_out: usize = contract.documents().iter().map(|d| d.left_out()).sum();
            admin_json(
                200,
                &json!({"status": "ok", "operations": contract.operations().count(), "leftOut": left_out, "fixtures": contract.fixtures().len(), "documents": docs, "watch": state.watch.to_json()}),
            )
        }
        ("GET", "requests") => {
            let mut filter = Filter::default();
            for (k, v) in req.query_pairs() {
                match k.as_str() {
                    "operation" => filter.operation = Some(v),
                    "status" => filter.status = v.parse().ok(),
                    "violations" => filter.violations = v == "true" || v == "1" || v.is_empty(),
                    "limit" => filter.limit = v.parse().ok(),
                    _ => {}
                }
            }
            let entries = state.journal.entries(&filter);
            admin_json(
                200,
                &json!({"requests": entries, "journal": state.journal.stats()}),
            )
        }
        ("POST", "verify") => match serde_json::from_slice::<Verification>(&req.body) {
            Ok(v) => {
                let result = state.journal.verify(&contract, &v);
                let mut body = serde_json::to_value(&result).unwrap_or(Value::Null);
                if !result.ok
                    && let Some(op) = &result.operation
                {
                    body["requests"] = json!(state.journal.entries(&Filter {
                        operation: Some(op.clone()),
                        limit: Some(20),
                        ..Filter::default()
                    }));
                }
                admin_json(if result.ok { 200 } else { 417 }, &body)
            }
            Err(e) => Answer::problem(&Problem::new(
                ProblemKind::BadVerification,
                format!(
                    "{e}; expected e.g. {{\"operation\": \"update-api-token\", \"count\": {{\"atLeast\": 1}}}}"
                ),
            )),
        },
        ("GET", "coverage") => {
            let coverage = state.journal.coverage(&contract);
            // Field lists only when asked for: they can be long.
            let detail = req
                .query
                .as_deref()
                .is_some_and(|q| q.split('&').any(|kv| kv == "detail=fields"));
            let coverage = if detail {
                coverage
            } else {
                coverage.without_field_detail()
            };
            admin_json(200, &serde_json::to_value(coverage).unwrap_or(Value::Null))
        }
        ("GET", "export/pact") | ("GET", "export/openapi") => export(state, &contract, req, sub),
        ("GET", "state") => admin_json(
            200,
            &json!({"stateful": state.resources.enabled(), "resources": state.resources.snapshot(contract.resource_plan())}),
        ),
        ("POST", "reset") => {
            state.journal.reset();
            state.resources.reset();
            state.sequences.reset();
            admin_json(200, &json!({"reset": true}))
        }
        ("POST", w) if w.starts_with("webhooks/") => webhook(state, req, &w["webhooks/".len()..]),
        ("POST", "report") => match state.write_reports() {
            Ok(files) => admin_json(200, &json!({"written": files})),
            Err(e) => Answer::problem(&Problem::new(ProblemKind::ReportFailed, e.to_string())),
        },
        _ => Answer::problem(&Problem::new(
            ProblemKind::AdminNotFound,
            format!(
                "{} {} is not part of the admin API (GET health, GET requests, POST verify, GET coverage, GET export/pact, GET export/openapi, POST webhooks/NAME, POST reset, POST report)",
                req.method, req.path
            ),
        )),
    }
}

/// `POST /__specmock/webhooks/{name}` with `{"url": ..., "example"?: ...,
/// "body"?: ...}` (or `?url=`): send a declared webhook to a target
/// `--callbacks-to` lists; 202, the exchange lands in the journal.
fn webhook(state: &AppState, req: &Request, name: &str) -> Answer {
    #[derive(serde::Deserialize, Default)]
    #[serde(deny_unknown_fields)]
    struct Ask {
        url: Option<String>,
        example: Option<String>,
        body: Option<Value>,
    }
    let ask: Ask = if req.body.is_empty() {
        Ask::default()
    } else {
        match serde_json::from_slice(&req.body) {
            Ok(a) => a,
            Err(e) => {
                return Answer::problem(&Problem::new(
                    ProblemKind::WebhookFailed,
                    format!(
                        "{e}; expected e.g. {{\"url\": \"http://127.0.0.1:3000/hooks\", \"example\": \"adopted\"}}"
                    ),
                ));
            }
        }
    };
    let query_url = req
        .query_pairs()
        .into_iter()
        .find(|(k, _)| k == "url")
        .map(|(_, v)| v);
    let Some(url) = ask.url.or(query_url) else {
        return Answer::problem(&Problem::new(
            ProblemKind::WebhookFailed,
            "give the target: {\"url\": \"http://127.0.0.1:3000/hooks\"} (it must be listed in --callbacks-to)",
        ));
    };
    let choice = crate::callback::Choice {
        example: ask.example,
        body: ask.body,
    };
    let contract = state.contract.load_full();
    match state.callbacks.webhook(&contract, name, &url, choice) {
        Ok(()) => admin_json(
            202,
            &json!({"webhook": name, "url": url, "journal": "/__specmock/requests"}),
        ),
        Err(e) => {
            Answer::problem(&Problem::new(ProblemKind::WebhookFailed, e).with("webhook", name))
        }
    }
}

/// `GET /__specmock/export/pact?consumer=&provider=` and
/// `GET /__specmock/export/openapi?document=`: what `specmock export`
/// writes from a report, made from the live journal.
fn export(
    state: &AppState,
    contract: &crate::contract::Contract,
    req: &Request,
    sub: &str,
) -> Answer {
    let report = crate::report::live_report(contract, &state.journal);
    let arg = |name: &str| {
        req.query_pairs()
            .into_iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v)
    };
    let made = if sub == "export/pact" {
        let defaults = crate::export::Names::default();
        let names = crate::export::Names {
            consumer: arg("consumer").unwrap_or(defaults.consumer),
            provider: arg("provider")
                .or_else(|| crate::export::provider_name(contract, &report))
                .unwrap_or(defaults.provider),
        };
        crate::export::pact(contract, &report, &names)
    } else {
        crate::export::openapi(contract, &report, arg("document").as_deref())
    };
    match made {
        Ok(v) => admin_json(200, &v),
        Err(e) => Answer::problem(&Problem::new(ProblemKind::ExportFailed, e.to_string())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::app::ServeConfig;
    use crate::contract::Contract;
    use bytes::Bytes;

    #[test]
    fn health_is_open_off_loopback_with_or_without_a_token() {
        let get = |path: &str| Request {
            method: hyper::Method::GET,
            path: path.into(),
            query: None,
            headers: hyper::HeaderMap::new(),
            body: Bytes::new(),
        };
        let mut c = ServeConfig {
            host: "0.0.0.0".parse().unwrap(),
            ..ServeConfig::default()
        };
        let closed = AppState::new(Contract::bundled().unwrap(), &c).unwrap();
        assert_eq!(closed.admin, AdminAccess::Closed);
        assert_eq!(answer(&closed, &get("/__specmock/health")).status, 200);
        assert_eq!(answer(&closed, &get("/__specmock/requests")).status, 403);
        c.admin_token = Some("t".into());
        let token = AppState::new(Contract::bundled().unwrap(), &c).unwrap();
        assert_eq!(answer(&token, &get("/__specmock/health")).status, 200);
        assert_eq!(answer(&token, &get("/__specmock/requests")).status, 401);
    }
}
