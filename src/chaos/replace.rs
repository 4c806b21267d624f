//! Applying a chaos decision to one answer: a declared status is built by
//! the respond stage (as `Prefer: code=N` would: its example or a generated,
//! schema-valid body, its declared headers), so a replaced answer keeps the
//! contract; the request's own `Prefer` wins over chaos.

use std::time::Duration;

use hyper::header::{HeaderName, HeaderValue, RETRY_AFTER};

use super::{Action, Chaos};
use crate::contract::Contract;
use crate::delivery::MAX_DELAY;
use crate::pipeline::Outcome;
use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::respond::prefer::{Fault, Preferences};
use crate::respond::{Answer, RespondOptions};
use crate::route::Routed;
use crate::validate::Checked;

/// The header saying what chaos did to an answer.
pub const CHAOS_HEADER: &str = "x-specmock-chaos";

/// What chaos did to one answer: the delay and fault delivery applies, and
/// what the journal says (`None`: the answer is the mock's own).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Applied {
    /// Wait this long before answering.
    pub delay: Option<Duration>,
    /// Misbehave instead of answering.
    pub fault: Option<Fault>,
    /// `status 503`, `outage 503`, `outage reset`, `fault reset`, ...
    pub label: Option<String>,
}

/// Decide for the `n`th answer and apply it: a replaced status goes into
/// `outcome.answer`; the delay and a fault are for delivery. The request's
/// own `Prefer` (`delay=`, `fault=`, `code=`, `example=`) wins;
/// `Prefer: chaos=off` leaves only those.
pub fn apply(
    chaos: &Chaos,
    contract: &Contract,
    req: &Request,
    outcome: &mut Outcome,
    n: u64,
    options: &RespondOptions,
) -> Applied {
    let prefs = &outcome.preferences;
    let decision = if prefs.chaos_off {
        super::Decision::default()
    } else {
        // The real API's answers (partial mocking) are its own, never replaced.
        let mocked = outcome.violations.is_empty() && !outcome.forwarded;
        chaos.decide(outcome.operation.as_deref(), mocked, n)
    };
    let mut applied = Applied {
        delay: prefs
            .delay_ms
            .map(Duration::from_millis)
            .or(decision.delay)
            .filter(|d| !d.is_zero())
            .map(|d| d.min(MAX_DELAY)),
        fault: prefs.fault,
        label: None,
    };
    // What the request asked for itself is not replaced.
    if prefs.fault.is_some() || prefs.code.is_some() || prefs.example.is_some() {
        return applied;
    }
    match decision.action {
        None => {}
        Some(Action::Fault(f)) => {
            applied.fault = Some(f);
            applied.label = Some(match f {
                Fault::Reset => "fault reset".into(),
                Fault::Empty => "fault empty".into(),
            });
        }
        Some(Action::Reset) => {
            applied.fault = Some(Fault::Reset);
            applied.label = Some("outage reset".into());
        }
        Some(Action::Status {
            status,
            declared,
            outage,
        }) => {
            let Some(mut answer) = replacement(contract, req, outcome, status, declared, options)
            else {
                return applied;
            };
            let label = match outage {
                Some(_) => format!("outage {status}"),
                None => format!("status {status}"),
            };
            let retry = match outage {
                Some(left) => Some(left.as_secs_f64().ceil().max(1.0) as u64),
                None => (status == 429).then_some(1),
            };
            // Chaos knows when it ends: its Retry-After wins over a generated one.
            if let Some(secs) = retry {
                answer.headers.insert(RETRY_AFTER, HeaderValue::from(secs));
            }
            if let Ok(v) = HeaderValue::from_str(&label) {
                answer
                    .headers
                    .insert(HeaderName::from_static(CHAOS_HEADER), v);
            }
            outcome.answer = answer;
            applied.label = Some(label);
        }
    }
    applied
}

/// The operation's answer with `status`, built by the respond stage; `None`
/// when it cannot be had in that status (no media type the client accepts,
/// an ungeneratable schema): the usual answer is kept, never one the client
/// could not parse.
fn replacement(
    contract: &Contract,
    req: &Request,
    outcome: &Outcome,
    status: u16,
    declared: bool,
    options: &RespondOptions,
) -> Option<Answer> {
    let op = outcome.operation.clone()?;
    let mut answer = if declared {
        let checked = Checked {
            routed: Routed {
                operation: op.clone(),
                path_params: outcome.path_params.clone(),
            },
            violations: Vec::new(),
            warnings: Vec::new(),
            body: None,
            media_type: None,
        };
        let prefs = Preferences {
            code: Some(status),
            seed: outcome.preferences.seed,
            dynamic: outcome.preferences.dynamic,
            ..Preferences::default()
        };
        let a =
            crate::respond::respond(contract.plans(&op.document), &checked, req, &prefs, options);
        let mut a = (a.status.as_u16() == status).then_some(a)?;
        // The client asked for nothing: no `Preference-Applied: code=`.
        a.headers.remove("preference-applied");
        a
    } else {
        // --chaos-allow-undeclared: not the contract's, so said to be specmock's.
        Answer::problem(
            &Problem::new(
                ProblemKind::Chaos,
                format!(
                    "{status} injected by --chaos; {} does not declare it (--chaos-allow-undeclared)",
                    op.display_id
                ),
            )
            .with_status(status),
        )
    };
    // Which operation answered, as on every answer of the operation.
    if let Some(v) = outcome
        .answer
        .headers
        .get(crate::pipeline::OPERATION_HEADER)
    {
        answer.headers.insert(
            HeaderName::from_static(crate::pipeline::OPERATION_HEADER),
            v.clone(),
        );
    }
    Some(answer)
}
