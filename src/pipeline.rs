//! One request through the stages, in one direction:
//! route → validate → respond. Plain values in, plain values out, so the
//! whole pipeline can be driven without a socket (tests, benchmarks).

use std::sync::Arc;

use hyper::header::{ALLOW, HeaderName, HeaderValue};

use crate::contract::Contract;
use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::respond::prefer::Preferences;
use crate::respond::{self, Answer, RespondOptions};
use crate::route::NotRouted;
use crate::spec::Operation;
use crate::usage::Hits;
use crate::validate::{self, ValidateOptions, Violation};

/// The header naming the operation a request was routed to.
pub const OPERATION_HEADER: &str = "x-specmock-operation";

/// Options of the whole pipeline.
#[derive(Debug, Clone, Default)]
pub struct PipelineOptions {
    /// Route `/feeds/` as `/feeds` when no route has the trailing slash
    /// (`--ignore-trailing-slash`; some SDKs add one to every path).
    pub ignore_trailing_slash: bool,
    /// Options of the validate stage.
    pub validate: ValidateOptions,
    /// Options of the respond stage.
    pub respond: RespondOptions,
    /// Whether the upstream (the real API) answers instead of the mock.
    pub upstream: Upstream,
    /// Count the fields each exchange uses (`Outcome::request_fields`; off:
    /// `--no-field-coverage`, and for the library's one-off [`run`]).
    pub field_usage: bool,
}

/// When the upstream answers a routed request instead of the mock: the
/// first answer source when set (fixtures are not one then: every request
/// is forwarded).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Upstream {
    /// Never: the mock answers everything.
    #[default]
    Never,
    /// `specmock record`: every routed request is forwarded; with `strict`,
    /// one that broke the contract is refused instead.
    Record {
        /// Refuse requests that break the contract (`record --strict`).
        strict: bool,
    },
    /// Partial mocking (`--upstream-unmatched URL`): a request no operation
    /// matches, and every request to a `--passthrough` operation, goes to
    /// the real API; the rest is mocked.
    Partial {
        /// Operations always forwarded (`operationId`, `document/operationId`).
        passthrough: Vec<String>,
    },
}

/// Why a request goes to the upstream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ForwardReason {
    /// `specmock record`.
    Record,
    /// No operation matches it (partial mocking).
    Unmatched,
    /// Its operation is listed with `--passthrough`.
    Passthrough,
}

/// What the pipeline decided for one request.
#[derive(Debug)]
pub enum Step {
    /// Answered here.
    Answered(Outcome),
    /// The upstream answers: the caller forwards the request and finishes
    /// the outcome with what came back.
    Forward(Forwarding),
}

/// A request the upstream is to answer.
#[derive(Debug)]
pub struct Forwarding {
    /// The operation it was routed to (`None`: no operation matches it).
    pub operation: Option<Arc<Operation>>,
    /// Why it is forwarded.
    pub reason: ForwardReason,
    outcome: Outcome,
}

impl Forwarding {
    /// The outcome, with the upstream's answer and how that answer broke the
    /// contract.
    pub fn finish(self, mut answer: Answer, response_violations: Vec<Violation>) -> Outcome {
        if let Some(op) = &self.operation {
            name_operation(&mut answer, op);
        }
        Outcome {
            answer,
            response_violations,
            forwarded: self.reason != ForwardReason::Record,
            ..self.outcome
        }
    }
}

/// What happened to one request.
#[derive(Debug, Clone)]
pub struct Outcome {
    /// What to send back.
    pub answer: Answer,
    /// The operation it was routed to (`None`: 404/405).
    pub operation: Option<Arc<Operation>>,
    /// The path parameters as routing bound them, under the matched
    /// template's names (empty when not routed).
    pub path_params: Vec<(std::sync::Arc<str>, String)>,
    /// How it broke the contract (empty: it kept it).
    pub violations: Vec<Violation>,
    /// Tolerated deviations.
    pub warnings: Vec<Violation>,
    /// How an upstream's answer broke the contract (recording only).
    pub response_violations: Vec<Violation>,
    /// What the request asked for with `Prefer` (delivery reads `delay`
    /// and `fault` from here).
    pub preferences: Preferences,
    /// The fields of the operation the request used (the answer's are
    /// counted where the exchange is journalled).
    pub request_fields: Hits,
    /// The real API answered it (partial mocking), not the mock: counted
    /// apart in coverage.
    pub forwarded: bool,
    /// The body as the validate stage read it (the journal checks its keys
    /// for secrets without reading the body again).
    pub request_body: Option<validate::RequestBody>,
}

impl Outcome {
    /// An answer no operation gave: 404/405, a refused request, a failure.
    pub fn unrouted(answer: Answer) -> Outcome {
        Outcome {
            answer,
            operation: None,
            path_params: Vec::new(),
            violations: Vec::new(),
            warnings: Vec::new(),
            response_violations: Vec::new(),
            preferences: Preferences::default(),
            request_fields: Hits::default(),
            forwarded: false,
            request_body: None,
        }
    }

    /// An operation's answer, with the path parameters routing bound.
    pub fn answered(
        answer: Answer,
        operation: Arc<Operation>,
        path_params: Vec<(std::sync::Arc<str>, String)>,
    ) -> Outcome {
        Outcome {
            operation: Some(operation),
            path_params,
            ..Outcome::unrouted(answer)
        }
    }

    /// How the request broke the contract, and what was tolerated.
    pub fn with_violations(
        mut self,
        violations: Vec<Violation>,
        warnings: Vec<Violation>,
    ) -> Outcome {
        self.violations = violations;
        self.warnings = warnings;
        self
    }

    /// The fields the request used.
    pub fn with_fields(mut self, fields: Hits) -> Outcome {
        self.request_fields = fields;
        self
    }

    /// The body as validation read it.
    pub fn with_body(mut self, body: Option<validate::RequestBody>) -> Outcome {
        self.request_body = body;
        self
    }
}

/// What changes while serving, kept beside the contract (never in it).
#[derive(Debug, Clone, Copy)]
pub struct Runtime<'a> {
    /// Stateful mode's resources (`--stateful`).
    pub resources: &'a crate::state::ResourceStore,
    /// Where recorded fixture sequences are.
    pub sequences: &'a crate::fixtures::SequenceCursors,
}

/// Route, validate and answer one request.
pub fn run(contract: &Contract, req: &Request, options: &PipelineOptions) -> Outcome {
    // No state kept between calls: sequences start over, nothing is stored.
    let resources = crate::state::ResourceStore::new(false);
    let sequences = crate::fixtures::SequenceCursors::default();
    run_with(
        contract,
        req,
        options,
        Runtime {
            resources: &resources,
            sequences: &sequences,
        },
    )
}

/// [`run`] with the run-time state of a server (stateful store, fixture
/// sequences). A request the upstream is to answer ([`Upstream`]) gets a
/// 502 here: use [`step`] to forward it.
pub fn run_with(
    contract: &Contract,
    req: &Request,
    options: &PipelineOptions,
    runtime: Runtime<'_>,
) -> Outcome {
    match step(contract, req, options, runtime) {
        Step::Answered(o) => o,
        Step::Forward(f) => {
            let p = Problem::new(
                ProblemKind::UpstreamUnreachable,
                "this caller of the pipeline cannot reach an upstream",
            );
            f.finish(Answer::problem(&p), Vec::new())
        }
    }
}

/// Route and validate one request and pick its answer source: answered
/// here, or to be forwarded to the upstream.
pub fn step(
    contract: &Contract,
    req: &Request,
    options: &PipelineOptions,
    runtime: Runtime<'_>,
) -> Step {
    // Parsed once: the respond stage, the stateful store and delivery
    // (latency, faults) all read these.
    let prefs = Preferences::from_request(req);
    let mut step = run_parsed(contract, req, &prefs, options, runtime);
    match &mut step {
        Step::Answered(o) => o.preferences = prefs,
        Step::Forward(f) => f.outcome.preferences = prefs,
    }
    step
}

fn run_parsed(
    contract: &Contract,
    req: &Request,
    prefs: &Preferences,
    options: &PipelineOptions,
    runtime: Runtime<'_>,
) -> Step {
    let routed = match route(contract, req, options) {
        Ok(r) => r,
        Err(NotRouted::NotFound)
            if let Some((op, empty)) =
                contract.routes().empty_parameters(&req.method, &req.path) =>
        {
            return Step::Answered(empty_parameters(contract, req, op, &empty));
        }
        Err(_) if matches!(options.upstream, Upstream::Partial { .. }) => {
            return Step::Forward(Forwarding {
                operation: None,
                reason: ForwardReason::Unmatched,
                outcome: Outcome::unrouted(Answer::empty(502)),
            });
        }
        Err(not) => {
            return Step::Answered(Outcome::unrouted(not_routed(contract, req, not)));
        }
    };
    let op = routed.operation.clone();
    if let Some(why) = &op.unavailable {
        return Step::Answered(Outcome::answered(
            unavailable(&op, why),
            op,
            routed.path_params,
        ));
    }
    let checked = validate::validate(routed, req, &options.validate);
    let fields = if options.field_usage {
        contract.catalog(&op).observe_request(
            req,
            checked.media_type.as_deref(),
            checked.body.as_ref().map(validate::RequestBody::node),
        )
    } else {
        Hits::default()
    };
    let reason = match &options.upstream {
        Upstream::Record { strict } if checked.is_valid() || !strict => Some(ForwardReason::Record),
        Upstream::Partial { passthrough }
            if passthrough
                .iter()
                .any(|p| *p == op.operation_id || p == op.qualified() || *p == op.display_id) =>
        {
            Some(ForwardReason::Passthrough)
        }
        _ => None,
    };
    if let Some(reason) = reason {
        let outcome = Outcome::answered(Answer::empty(502), op.clone(), checked.routed.path_params)
            .with_violations(checked.violations, checked.warnings)
            .with_fields(fields)
            .with_body(checked.body);
        return Step::Forward(Forwarding {
            operation: Some(op),
            reason,
            outcome,
        });
    }
    let mut answer = if checked.is_valid() {
        answer(contract, &checked, req, prefs, options, runtime)
    } else {
        respond::reject::rejection(
            contract.plans(&op.document),
            &op,
            req.method.as_str(),
            &checked.violations,
        )
    };
    name_operation(&mut answer, &op);
    Step::Answered(
        Outcome::answered(answer, op, checked.routed.path_params)
            .with_violations(checked.violations, checked.warnings)
            .with_fields(fields)
            .with_body(checked.body),
    )
}

/// The answer to a request that kept the contract, from the first source
/// that has one, in this order (the upstream, when recording, comes before
/// all of them: see [`run_parsed`]): a matching fixture; the stateful store
/// (`--stateful`, when the request states no preference); under
/// `--fixtures-only` a 404 naming the closest fixture; else the document
/// (its example or a generated body).
fn answer(
    contract: &Contract,
    checked: &validate::Checked,
    req: &Request,
    prefs: &Preferences,
    options: &PipelineOptions,
    runtime: Runtime<'_>,
) -> Answer {
    let op = &checked.routed.operation;
    let body = checked.body.as_ref();
    if let Some(f) = contract.fixtures().find(op, req, body, runtime.sequences) {
        return f.answer();
    }
    if runtime.resources.enabled()
        && prefs.is_empty()
        && let Some(a) = runtime.resources.answer(
            (contract.resource_plan(), contract.plans(&op.document)),
            checked,
            req,
            &options.respond,
        )
    {
        return a;
    }
    if options.respond.fixtures_only {
        return crate::fixtures::no_fixture(contract.fixtures(), checked, req);
    }
    respond::respond(
        contract.plans(&checked.routed.operation.document),
        checked,
        req,
        prefs,
        &options.respond,
    )
}

/// Route a request; with `--ignore-trailing-slash`, a path no route has
/// is tried again without its trailing slash.
fn route(
    contract: &Contract,
    req: &Request,
    options: &PipelineOptions,
) -> Result<crate::route::Routed, NotRouted> {
    let routes = contract.routes();
    match routes.route(&req.method, &req.path) {
        Ok(r) => Ok(r),
        Err(not) => match req.path.strip_suffix('/') {
            Some(trimmed) if options.ignore_trailing_slash && !trimmed.is_empty() => {
                routes.route(&req.method, trimmed).map_err(|_| not)
            }
            _ => Err(not),
        },
    }
}

/// Say which operation answered (`x-specmock-operation`).
fn name_operation(answer: &mut Answer, op: &Operation) {
    if let Some(v) = op.display_header() {
        answer
            .headers
            .insert(HeaderName::from_static(OPERATION_HEADER), v);
    }
}

/// `/pets/` where the document has `/pets/{id}`: the request reached the
/// operation but left a path parameter blank, a violation like any other.
fn empty_parameters(
    contract: &Contract,
    req: &Request,
    op: Arc<Operation>,
    empty: &[String],
) -> Outcome {
    let violations: Vec<Violation> = empty
        .iter()
        .map(|name| {
            Violation::new(
                validate::ViolationKind::Parameter,
                format!("path.{name}"),
                format!(
                    "the path parameter \"{name}\" is empty: {} leaves its segment of {} blank; send a value",
                    req.path, op.route
                ),
            )
        })
        .collect();
    let mut answer = respond::reject::rejection(
        contract.plans(&op.document),
        &op,
        req.method.as_str(),
        &violations,
    );
    name_operation(&mut answer, &op);
    Outcome::answered(answer, op, Vec::new()).with_violations(violations, Vec::new())
}

/// An operation the loader could not build (or that declares no responses):
/// routed, so the client learns why instead of getting a 404.
fn unavailable(op: &Operation, why: &str) -> Answer {
    let mut a = Answer::problem(
        &Problem::new(
            ProblemKind::OperationUnavailable,
            format!(
                "{} {} ({}) is not served: {why}",
                op.method, op.route, op.display_id
            ),
        )
        .with("operation", op.display_id.as_str()),
    );
    name_operation(&mut a, op);
    a
}

fn not_routed(contract: &Contract, req: &Request, not: NotRouted) -> Answer {
    let path = req.path.as_str();
    match not {
        NotRouted::NotFound => {
            let mut detail = format!("no operation of the loaded documents has the path {path}");
            let mut p = Problem::new(ProblemKind::NoRoute, "")
                .with("method", req.method.as_str())
                .with("path", path);
            if let Some(trimmed) = path.strip_suffix('/').filter(|t| !t.is_empty())
                && contract.routes().route(&req.method, trimmed).is_ok()
            {
                detail.push_str(&format!(
                    "; the document declares {} {trimmed} without the trailing slash: send it without, or start specmock with --ignore-trailing-slash",
                    req.method
                ));
            } else if let Some((m, route)) = contract.routes().closest(&req.method, path) {
                detail.push_str(&format!("; the closest route is {m} {route}"));
                p = p.with(
                    "closest",
                    serde_json::json!({"method": m.as_str(), "path": route}),
                );
            }
            p.detail = detail;
            Answer::problem(&p)
        }
        NotRouted::MethodNotAllowed { allow } => {
            let allowed: Vec<&str> = allow.iter().map(|m| m.as_str()).collect();
            let p = Problem::new(
                ProblemKind::MethodNotAllowed,
                format!(
                    "{} is not declared for {path}; declared: {}",
                    req.method,
                    allowed.join(", ")
                ),
            )
            .with("allow", allowed.clone());
            let mut a = Answer::problem(&p);
            if let Ok(v) = HeaderValue::from_str(&allowed.join(", ")) {
                a.headers.insert(ALLOW, v);
            }
            a
        }
    }
}
