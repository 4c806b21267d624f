//! The HTTP server: hyper 1.x on tokio. Per request: read the body, run the
//! pipeline (route → validate → respond), record the exchange in the journal,
//! answer. The admin API lives under `/__specmock/` on the same listener.

use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arc_swap::ArcSwap;
use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::{Value, json};
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::contract::Contract;
use crate::journal::{Filter, Journal, JournalEntry, JournalLimits, Verification, micros};
use crate::pipeline::{self, Outcome, PipelineOptions};
use crate::problem::Problem;
use crate::redact::{self, Credentials};
use crate::report::{ReportPaths, write_reports};
use crate::request::Request;
use crate::respond::Answer;

pub use crate::pipeline::OPERATION_HEADER;

/// The inspector page served at `GET /__specmock/`.
const INSPECTOR_HTML: &str = include_str!("admin/inspector.html");

/// The prefix of the admin API; no vendor uses it.
pub const ADMIN_PREFIX: &str = "/__specmock";

/// Who may use the admin API.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum AdminAccess {
    /// Anyone who can reach the server (the default on loopback).
    #[default]
    Open,
    /// Requests must carry `Authorization: Bearer <token>` (or `x-specmock-admin-token`).
    Token(String),
    /// Refused: bound off loopback with neither `--admin-token` nor `--admin-open`.
    Closed,
}

/// How to listen and what to do with requests.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to bind; loopback unless the user says otherwise.
    pub host: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// What the pipeline does with each request.
    pub pipeline: PipelineOptions,
    /// Bounds of the request journal.
    pub journal: JournalLimits,
    /// `--admin-token`.
    pub admin_token: Option<String>,
    /// `--admin-open`: no token needed even off loopback.
    pub admin_open: bool,
    /// Reports written on shutdown and on `POST /__specmock/report`.
    pub reports: ReportPaths,
    /// Extra body keys to redact (`--redact KEY`).
    pub redact: Vec<String>,
    /// Record mode: proxy to the upstream and write fixtures.
    pub record: Option<RecordConfig>,
    /// CORS for the mocked API (never for the admin API). On by default.
    pub cors: bool,
    /// Added latency for every response: a fixed or a random (seeded) number
    /// of milliseconds in `[min, max]`.
    pub latency: Option<(u64, u64)>,
    /// Probability (0..=1) that a response is replaced by a fault (reset or empty), seeded.
    pub fault_rate: f64,
    /// Stateful CRUD over the resources the paths describe.
    pub stateful: bool,
    /// Request limits.
    pub limits: Limits,
}

pub use crate::limits::Limits;
use crate::limits::{HYPER_MAX_BUF, check_head, over_limit};

/// `specmock record` settings.
#[derive(Debug, Clone)]
pub struct RecordConfig {
    /// Where fixtures are written.
    pub dir: PathBuf,
    /// Replaces every document's server URL.
    pub upstream: Option<String>,
    /// Per document (by name): replaces that document's server URL (wins over `upstream`).
    pub upstreams: std::collections::HashMap<String, String>,
    /// Refuse requests that break the contract instead of forwarding them.
    pub strict: bool,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 4010,
            pipeline: PipelineOptions::default(),
            journal: JournalLimits::default(),
            admin_token: None,
            admin_open: false,
            reports: ReportPaths::default(),
            redact: Vec::new(),
            record: None,
            cors: true,
            latency: None,
            fault_rate: 0.0,
            stateful: false,
            limits: Limits::default(),
        }
    }
}

impl ServeConfig {
    /// The admin access rule this configuration implies.
    pub fn admin_access(&self) -> AdminAccess {
        match (&self.admin_token, self.admin_open, self.host.is_loopback()) {
            (Some(t), _, _) => AdminAccess::Token(t.clone()),
            (None, true, _) | (None, false, true) => AdminAccess::Open,
            (None, false, false) => AdminAccess::Closed,
        }
    }
}

/// What every request handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The contract in force; swapped whole on reload.
    pub contract: ArcSwap<Contract>,
    /// Credential names of the contract in force (for redaction).
    pub credentials: ArcSwap<Credentials>,
    /// Pipeline options.
    pub options: PipelineOptions,
    /// The request journal and coverage counters.
    pub journal: Journal,
    pub admin: AdminAccess,
    pub reports: ReportPaths,
    /// Record mode.
    pub recorder: Option<crate::record::Recorder>,
    pub cors: bool,
    pub latency: Option<(u64, u64)>,
    pub fault_rate: f64,
    /// Requests answered so far: the random stream of latency and faults is
    /// derived from the seed and this count, so a run is reproducible.
    counter: std::sync::atomic::AtomicU64,
    /// Stateful mode's resources (empty and unused unless `--stateful`).
    pub resources: crate::state::ResourceStore,
    pub limits: Limits,
    extra_redact: Vec<String>,
    /// What `--watch` did (reloads, file checks), beside the contract it replaces.
    pub watch: crate::watch::WatchCounters,
    /// The inspector's browser session (`--admin-token`).
    session: crate::admin_login::Session,
}

impl AppState {
    /// Build the state for a contract.
    pub fn new(contract: Contract, config: &ServeConfig) -> io::Result<AppState> {
        let credentials = Credentials::of(&contract).with_keys(&config.redact);
        let recorder = match &config.record {
            Some(r) => Some(
                crate::record::Recorder::new(r.dir.clone(), r.upstream.clone(), r.strict)
                    .map(|rec| rec.with_upstreams(r.upstreams.clone()))
                    .map_err(io::Error::other)?,
            ),
            None => None,
        };
        Ok(AppState {
            contract: ArcSwap::from_pointee(contract),
            credentials: ArcSwap::from_pointee(credentials),
            options: config.pipeline.clone(),
            journal: Journal::new(config.journal),
            admin: config.admin_access(),
            reports: config.reports.clone(),
            recorder,
            cors: config.cors,
            latency: config.latency,
            fault_rate: config.fault_rate,
            counter: std::sync::atomic::AtomicU64::new(0),
            resources: crate::state::ResourceStore::new(config.stateful),
            limits: config.limits,
            extra_redact: config.redact.clone(),
            watch: crate::watch::WatchCounters::default(),
            session: crate::admin_login::Session::new()?.for_port(config.port),
        })
    }

    /// Swap in a new contract (hot reload); the journal is kept.
    pub fn replace_contract(&self, contract: Contract) {
        self.credentials.store(Arc::new(
            Credentials::of(&contract).with_keys(&self.extra_redact),
        ));
        self.contract.store(Arc::new(contract));
    }

    /// Write the reports asked for now.
    pub fn write_reports(&self) -> io::Result<Vec<PathBuf>> {
        write_reports(&self.reports, &self.contract.load(), &self.journal)
    }
}

/// A server running in the background of the current tokio runtime. Dropping
/// it stops it.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    state: Arc<AppState>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`.
    pub fn url(&self) -> String {
        format!("http://{}", self.addr)
    }

    /// The shared state (the contract in force, the journal).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stop accepting, let requests in flight finish (up to 5 s), write the
    /// reports, and return.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }
}

impl Drop for RunningServer {
    fn drop(&mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
    }
}

/// Bind and start serving `contract` in the background.
pub async fn start(contract: Contract, config: &ServeConfig) -> io::Result<RunningServer> {
    let listener = TcpListener::bind((config.host, config.port))
        .await
        .map_err(|e| bind_error(config.host, config.port, &e))?;
    let addr = listener.local_addr()?;
    let mut state = AppState::new(contract, config)?;
    state.session = state.session.clone().for_port(addr.port());
    let state = Arc::new(state);
    if state.admin == AdminAccess::Closed {
        tracing::warn!(
            "listening on {addr}, off loopback: the admin API ({ADMIN_PREFIX}/) is closed; give --admin-token TOKEN (or --admin-open) to use it"
        );
    }
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, state.clone(), rx));
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
        state,
    })
}

/// Why the listener could not be opened, and what to do about it.
fn bind_error(host: IpAddr, port: u16, e: &io::Error) -> io::Error {
    let what = match e.kind() {
        io::ErrorKind::AddrInUse => format!(
            "port {port} is already in use (another specmock, or another server); stop it, \
             or give another port: --port {} or --port 0 for a free one",
            port.wrapping_add(1).max(1024)
        ),
        io::ErrorKind::PermissionDenied if port < 1024 => format!(
            "port {port} needs privileges to listen on; give a port from 1024 up (--port 4010) or --port 0 for a free one"
        ),
        io::ErrorKind::AddrNotAvailable => {
            format!("{host} is not an address of this machine; give one it has (--host 127.0.0.1)")
        }
        _ => e.to_string(),
    };
    io::Error::new(e.kind(), format!("cannot listen on {host}:{port}: {what}"))
}

async fn accept_loop(listener: TcpListener, state: Arc<AppState>, mut stop: oneshot::Receiver<()>) {
    let limits = state.limits;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(HYPER_MAX_BUF.max(limits.max_header_bytes + limits.max_url + 8192))
        .max_headers(limits.max_headers.saturating_mul(4).saturating_add(64));
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    loop {
        // At the connection limit, wait for a slot before accepting more.
        let permit = tokio::select! {
            p = slots.clone().acquire_owned() => match p {
                Ok(p) => p,
                Err(_) => break,
            },
            _ = &mut stop => break,
        };
        tokio::select! {
            accepted = listener.accept() => {
                let stream = match accepted {
                    Ok((s, _)) => s,
                    Err(e) => {
                        // Out of file descriptors and the like: wait, never stop serving.
                        tracing::warn!("accept failed: {e}");
                        tokio::time::sleep(Duration::from_millis(50)).await;
                        continue;
                    }
                };
                let _ = stream.set_nodelay(true);
                let st = state.clone();
                let activity = Arc::new(crate::idle::Activity::new());
                let io = TokioIo::new(crate::idle::Tracked::new(stream, activity.clone()));
                let svc = service_fn(move |req| handle(st.clone(), req));
                let conn = builder.serve_connection(io, svc).into_owned();
                let conn = graceful.watch(conn);
                let idle = limits.idle_timeout;
                tokio::spawn(async move {
                    let _permit = permit;
                    tokio::select! {
                        r = conn => if let Err(e) = r {
                            tracing::debug!("connection ended: {e}");
                        },
                        _ = activity.idle_for(idle) => tracing::debug!("closing a connection idle for {idle:?}"),
                    }
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    if tokio::time::timeout(Duration::from_secs(5), graceful.shutdown())
        .await
        .is_err()
    {
        tracing::warn!("requests still in flight after 5 s; closing anyway");
    }
    match state.write_reports() {
        Ok(files) => {
            for f in files {
                tracing::info!("report written: {}", f.display());
            }
        }
        Err(e) => tracing::error!("could not write the reports: {e}"),
    }
}

/// Longest path a refused request keeps in the journal and the log: a 414's
/// path is what was too long, and must not flood either.
const REFUSED_PATH_KEEP: usize = 256;

/// A request refused before the pipeline (a limit, an unreadable body) is
/// journalled and logged like every other answer. Why it was refused goes in
/// as a warning: it is specmock's limit, not the contract, so it does not
/// fail `specmock run`. The head of a 414 or 431 is what was too large, so
/// its query and headers are left out and its path is cut.
fn refuse(
    state: &AppState,
    parts: &hyper::http::request::Parts,
    answer: Answer,
    started: Instant,
) -> Answer {
    let path = parts.uri.path();
    if path == ADMIN_PREFIX || path.starts_with("/__specmock/") {
        return answer; // admin calls are never journalled
    }
    let status = answer.status.as_u16();
    let whole_head = status != 414 && status != 431;
    let request = Request {
        method: parts.method.clone(),
        path: path.to_string(),
        query: whole_head
            .then(|| parts.uri.query().map(str::to_string))
            .flatten(),
        headers: if whole_head {
            parts.headers.clone()
        } else {
            hyper::HeaderMap::new()
        },
        body: Bytes::new(),
    };
    let operation = state
        .contract
        .load()
        .routes()
        .route(&request.method, &request.path)
        .ok()
        .map(|r| r.operation);
    let detail = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_string))
        .unwrap_or_default();
    let outcome = Outcome {
        answer,
        operation,
        path_params: Vec::new(),
        violations: Vec::new(),
        warnings: vec![crate::validate::Violation::new(
            crate::validate::ViolationKind::default(),
            "limit",
            detail,
        )],
        response_violations: Vec::new(),
    };
    let mut entry = journal_entry(state, &request, &outcome, started.elapsed());
    if entry.path.len() > REFUSED_PATH_KEEP {
        let mut end = REFUSED_PATH_KEEP;
        while !entry.path.is_char_boundary(end) {
            end -= 1;
        }
        let total = entry.path.len();
        entry.path.truncate(end);
        entry.path.push_str(&format!("...({total} bytes)"));
    }
    crate::logline::log_exchange(&entry);
    state.journal.record(entry);
    outcome.answer
}

/// The error that makes hyper close a connection without answering
/// (`Prefer: fault=reset`).
#[derive(Debug)]
pub struct ResetConnection;

impl std::fmt::Display for ResetConnection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection reset on purpose (fault injection)")
    }
}

impl std::error::Error for ResetConnection {}

/// Headers specmock adds that a browser may read across origins.
const EXPOSED: &str = "x-specmock-operation, x-specmock-violations, x-specmock-fixture, preference-applied, location, www-authenticate, allow, content-length, content-type";

/// The longest delay a request may ask for.
const MAX_DELAY_MS: u64 = 5 * 60 * 1000;

async fn handle(
    state: Arc<AppState>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, ResetConnection> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    if let Some(refused) = check_head(&state.limits, &parts) {
        return Ok(into_response(refuse(&state, &parts, refused, started)));
    }
    let max_body = state.limits.max_body;
    let body = match http_body_util::Limited::new(body, max_body).collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) if e.is::<http_body_util::LengthLimitError>() => {
            let a = over_limit(
                413,
                "body-too-large",
                "The request body is too large",
                format!("the body is over the {max_body}-byte limit (--max-body-size)"),
            );
            return Ok(into_response(refuse(&state, &parts, a, started)));
        }
        Err(e) => {
            let p = Problem::new(
                400,
                "bad-request",
                "The request body could not be read",
                e.to_string(),
            );
            let a = Answer::problem(&p);
            return Ok(into_response(refuse(&state, &parts, a, started)));
        }
    };
    let request = Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    };
    if request.path == ADMIN_PREFIX || request.path.starts_with("/__specmock/") {
        // Never CORS: a web page in the user's browser must not read or reset it.
        return Ok(into_response(admin(&state, &request)));
    }
    let contract = state.contract.load();
    let origin = request.header_str("origin").map(str::to_string);
    if state.cors
        && request.method == hyper::Method::OPTIONS
        && let Some(o) = origin.as_deref()
        && let Some(wanted) = request.header_str("access-control-request-method")
    {
        return Ok(into_response(preflight(&contract, &request, wanted, o)));
    }
    let outcome = match &state.recorder {
        Some(rec) => crate::record::proxy(&state, rec, &contract, &request).await,
        None => {
            // A bug in a stage must cost one request a 500, never the server.
            let run = std::panic::AssertUnwindSafe(|| {
                pipeline::run_with(&contract, &request, &state.options, Some(&state.resources))
            });
            match std::panic::catch_unwind(run) {
                Ok(o) => o,
                Err(panic) => {
                    let what = panic
                        .downcast_ref::<&str>()
                        .map(|s| s.to_string())
                        .or_else(|| panic.downcast_ref::<String>().cloned())
                        .unwrap_or_else(|| "unknown panic".into());
                    tracing::error!(
                        "a request handler panicked: {what}; answered 500 and kept serving"
                    );
                    pipeline::Outcome {
                        answer: Answer::problem(&Problem::new(
                            500,
                            "internal-error",
                            "specmock failed on this request",
                            format!("this is a specmock bug, please report it: {what}"),
                        )),
                        operation: None,
                        path_params: Vec::new(),
                        violations: Vec::new(),
                        warnings: Vec::new(),
                        response_violations: Vec::new(),
                    }
                }
            }
        }
    };
    let entry = journal_entry(&state, &request, &outcome, started.elapsed());
    crate::logline::log_exchange(&entry);
    state.journal.record(entry);
    let mut answer = outcome.answer;

    // Latency and faults, per request (Prefer) or for all (flags, seeded).
    let prefs = crate::respond::prefer::Preferences::from_request(&request);
    let n = state
        .counter
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let seed = state.options.respond.seed;
    let delay = prefs.delay_ms.or_else(|| {
        state.latency.map(|(min, max)| {
            let r = crate::respond::generate::derive_seed(seed, "latency", &n.to_string());
            min + r % (max.saturating_sub(min) + 1)
        })
    });
    if let Some(ms) = delay.filter(|ms| *ms > 0) {
        tokio::time::sleep(Duration::from_millis(ms.min(MAX_DELAY_MS))).await;
    }
    let fault = prefs.fault.or_else(|| {
        if state.fault_rate <= 0.0 {
            return None;
        }
        let r = crate::respond::generate::derive_seed(seed, "fault", &n.to_string());
        let p = (r >> 11) as f64 / (1u64 << 53) as f64;
        (p < state.fault_rate).then_some(if r & 1 == 0 {
            crate::respond::prefer::Fault::Reset
        } else {
            crate::respond::prefer::Fault::Empty
        })
    });
    match fault {
        Some(crate::respond::prefer::Fault::Reset) => return Err(ResetConnection),
        Some(crate::respond::prefer::Fault::Empty) => answer.body = Bytes::new(),
        None => {}
    }
    if state.cors
        && let Some(o) = &origin
    {
        cors_headers(&mut answer.headers, o);
    }
    Ok(into_response(answer))
}

/// CORS headers for an answer to a cross-origin request: the origin echoed
/// (credentials cannot be used with `*`), and specmock's headers exposed.
fn cors_headers(headers: &mut hyper::HeaderMap, origin: &str) {
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
fn preflight(contract: &Contract, req: &Request, wanted: &str, origin: &str) -> Answer {
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
            404,
            "no-route",
            "No operation matches this path",
            format!(
                "preflight for {wanted} {}: no operation of the loaded documents has this path",
                req.path
            ),
        ));
        cors_headers(&mut a.headers, origin);
        return a;
    }
    let mut a = Answer::empty(204);
    cors_headers(&mut a.headers, origin);
    if let Ok(v) = HeaderValue::from_str(wanted) {
        a.headers.insert(header::ACCESS_CONTROL_ALLOW_METHODS, v);
    }
    if let Some(h) = req.header_str("access-control-request-headers")
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

/// The exchange as the journal keeps it: credentials and secrets redacted.
pub fn journal_entry(
    state: &AppState,
    req: &Request,
    outcome: &Outcome,
    took: Duration,
) -> JournalEntry {
    let creds = state.credentials.load();
    let headers = req
        .headers
        .iter()
        .map(|(k, v)| {
            let v = v.to_str().unwrap_or("<binary>");
            (
                k.as_str().to_string(),
                creds.header_value(k.as_str(), v).to_string(),
            )
        })
        .collect();
    let (body, body_truncated) = if req.body.is_empty() {
        (None, false)
    } else {
        let ct = req.header_str("content-type").unwrap_or("");
        let text = if crate::media::is_json(ct) {
            match std::str::from_utf8(&req.body) {
                // Nothing secret-named in it: kept as sent, unparsed.
                Ok(raw) if !creds.body_may_hold_secrets(&req.body) => raw.to_string(),
                _ => match serde_json::from_slice::<Value>(&req.body) {
                    Ok(mut v) => {
                        creds.body(&mut v);
                        v.to_string()
                    }
                    Err(_) => String::from_utf8_lossy(&req.body).into_owned(),
                },
            }
        } else if ct.starts_with("application/x-www-form-urlencoded") {
            creds.form(&req.body)
        } else if ct.starts_with("text/")
            || std::str::from_utf8(&req.body).is_ok() && !ct.starts_with("multipart/")
        {
            String::from_utf8_lossy(&req.body).into_owned()
        } else {
            format!("<{} bytes of {ct}>", req.body.len())
        };
        let (t, cut) = state.journal.cut_body(text);
        (Some(t), cut)
    };
    JournalEntry {
        id: 0,
        time: String::new(),
        method: req.method.to_string(),
        path: redact::path(outcome.operation.as_deref(), &req.path),
        query: req.query.as_deref().map(|q| creds.query(q)),
        headers,
        body,
        body_truncated,
        operation: outcome.operation.as_ref().map(|o| o.qualified_id()),
        path_params: journal_path_params(outcome),
        status: outcome.answer.status.as_u16(),
        violations: outcome.violations.clone(),
        warnings: outcome.warnings.clone(),
        response_violations: outcome.response_violations.clone(),
        duration_us: micros(took),
    }
}

/// The bound path parameters for the journal; a secret one (Unleash's
/// `{token}`) as `<redacted>`, as in the logged path.
fn journal_path_params(outcome: &Outcome) -> Vec<(String, String)> {
    let Some(op) = &outcome.operation else {
        return Vec::new();
    };
    outcome
        .path_params
        .iter()
        .map(|(name, value)| {
            let secret = op
                .parameters
                .iter()
                .any(|p| p.secret && p.location == crate::spec::ParamIn::Path && &p.name == name);
            let value = if secret {
                redact::REDACTED.to_string()
            } else {
                value.clone()
            };
            (name.clone(), value)
        })
        .collect()
}

fn admin_json(status: u16, v: &Value) -> Answer {
    Answer::json(status, "application/json", v)
}

fn admin(state: &AppState, req: &Request) -> Answer {
    use crate::admin_login as login;
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
                    403,
                    "admin-cross-origin",
                    "The admin session cookie only works from the inspector itself",
                    "this request changes something and carries the session cookie but no Origin of this server; send Authorization: Bearer <the --admin-token value>, or use the inspector page",
                ));
            }
        }
        AdminAccess::Token(_) if page => return login::login_page(401, ""),
        AdminAccess::Closed => {
            return Answer::problem(&Problem::new(
                403,
                "admin-closed",
                "The admin API is closed off loopback",
                "specmock listens on a non-loopback address; restart it with --admin-token TOKEN (or --admin-open) to use the admin API",
            ));
        }
        AdminAccess::Token(_) => {
            let mut a = Answer::problem(&Problem::new(
                401,
                "admin-unauthorized",
                "The admin API needs its token",
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
                400,
                "bad-verification",
                "The verification is not valid JSON of the expected shape",
                format!(
                    "{e}; expected e.g. {{\"operation\": \"update-api-token\", \"count\": {{\"atLeast\": 1}}}}"
                ),
            )),
        },
        ("GET", "coverage") => admin_json(
            200,
            &serde_json::to_value(state.journal.coverage(&contract)).unwrap_or(Value::Null),
        ),
        ("GET", "state") => admin_json(
            200,
            &json!({"stateful": state.resources.enabled(), "resources": state.resources.snapshot(&contract)}),
        ),
        ("POST", "reset") => {
            state.journal.reset();
            state.resources.reset();
            admin_json(200, &json!({"reset": true}))
        }
        ("POST", "report") => match state.write_reports() {
            Ok(files) => admin_json(200, &json!({"written": files})),
            Err(e) => Answer::problem(&Problem::new(
                500,
                "report-failed",
                "The reports could not be written",
                e.to_string(),
            )),
        },
        _ => Answer::problem(&Problem::new(
            404,
            "admin-not-found",
            "No such admin endpoint",
            format!(
                "{} {} is not part of the admin API (GET health, GET requests, POST verify, GET coverage, POST reset, POST report)",
                req.method, req.path
            ),
        )),
    }
}

fn into_response(a: Answer) -> Response<Full<Bytes>> {
    // For HEAD, hyper sends the headers (Content-Length included) and drops the body.
    let mut resp = Response::new(Full::new(a.body));
    *resp.status_mut() = a.status;
    *resp.headers_mut() = a.headers;
    if resp.status() == StatusCode::NO_CONTENT {
        *resp.body_mut() = Full::new(Bytes::new());
    }
    resp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admin_access_rule() {
        let mut c = ServeConfig::default();
        assert_eq!(c.admin_access(), AdminAccess::Open);
        c.host = "0.0.0.0".parse().unwrap();
        assert_eq!(c.admin_access(), AdminAccess::Closed);
        c.admin_open = true;
        assert_eq!(c.admin_access(), AdminAccess::Open);
        c.admin_token = Some("t".into());
        assert_eq!(c.admin_access(), AdminAccess::Token("t".into()));
    }

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
        assert_eq!(admin(&closed, &get("/__specmock/health")).status, 200);
        assert_eq!(admin(&closed, &get("/__specmock/requests")).status, 403);
        c.admin_token = Some("t".into());
        let token = AppState::new(Contract::bundled().unwrap(), &c).unwrap();
        assert_eq!(admin(&token, &get("/__specmock/health")).status, 200);
        assert_eq!(admin(&token, &get("/__specmock/requests")).status, 401);
    }
}
