//! The HTTP server: hyper 1.x on tokio. It owns the listener, the request
//! limits, timeouts and shutdown; per request it reads the body, hands it to
//! the pipeline (route → validate → respond), journals and logs the
//! exchange, and writes the answer. The admin API (`admin`) shares the
//! listener under `/__specmock/`.

use std::io;
use std::net::{IpAddr, SocketAddr};
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::{Response, StatusCode};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use hyper_util::server::graceful::GracefulShutdown;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::admin::{self, ADMIN_PREFIX};
use crate::contract::Contract;
use crate::journal::journal_entry;
use crate::limits::{HYPER_MAX_BUF, check_head, over_limit};
use crate::pipeline::{self, Outcome};
use crate::problem::{Problem, ProblemKind};
use crate::request::Request;
use crate::respond::Answer;
use crate::respond::prefer::Fault;

pub use crate::app::{AdminAccess, AppState, Limits, RecordConfig, ServeConfig, TlsSource};

mod connection;
mod tls;
pub use tls::SELF_SIGNED_NAMES;

/// A server running in the background of the current tokio runtime. Dropping
/// it stops it.
pub struct RunningServer {
    addr: SocketAddr,
    shutdown: Option<oneshot::Sender<()>>,
    task: Option<JoinHandle<()>>,
    state: Arc<AppState>,
    /// The certificate a client should trust (`--tls-self-signed`).
    ca: Option<std::path::PathBuf>,
}

impl RunningServer {
    /// The address it listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://host:port`, or `https://` when serving TLS.
    pub fn url(&self) -> String {
        let scheme = if self.state.tls { "https" } else { "http" };
        format!("{scheme}://{}", self.addr)
    }

    /// The self-signed certificate's file (`--tls-self-signed`): what a
    /// client trusts to reach this server.
    pub fn ca_path(&self) -> Option<&std::path::Path> {
        self.ca.as_deref()
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
    let tls = config.tls.as_ref().map(tls::Tls::new).transpose()?;
    let ca = tls.as_ref().and_then(|t| t.ca.clone());
    let mut state = AppState::new(contract, config)?;
    state.tls = tls.is_some();
    state.session = state.session.clone().for_port(addr.port());
    let state = Arc::new(state);
    let weak = Arc::downgrade(&state);
    (state.callbacks).schedule(move || weak.upgrade().map(|s| s.contract.load_full()));
    if state.admin == AdminAccess::Closed {
        tracing::warn!(
            "listening on {addr}, off loopback: the admin API ({ADMIN_PREFIX}/) is closed; give --admin-token TOKEN (or --admin-open) to use it"
        );
    }
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, state.clone(), tls, rx));
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
        state,
        ca,
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

async fn accept_loop(
    listener: TcpListener,
    state: Arc<AppState>,
    tls: Option<tls::Tls>,
    mut stop: oneshot::Receiver<()>,
) {
    let limits = state.limits;
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder
        .http1()
        .timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(limits.header_timeout)
        .max_buf_size(HYPER_MAX_BUF.max(limits.max_header_bytes + limits.max_url + 8192))
        .max_headers(limits.max_headers.saturating_mul(4).saturating_add(64));
    let builder = Arc::new(builder);
    let graceful = GracefulShutdown::new();
    let slots = Arc::new(tokio::sync::Semaphore::new(limits.max_connections.max(1)));
    // The accept loop holds one permit while it waits for the next connection.
    let none_open = {
        let (slots, max) = (slots.clone(), limits.max_connections.max(1));
        move || slots.available_permits() + 1 >= max
    };
    let catch_up = {
        let none_open = none_open.clone();
        tokio::spawn(async move {
            let mut tick = tokio::time::interval(crate::heap::QUIET_EVERY);
            loop {
                tick.tick().await;
                crate::heap::catch_up(!none_open());
            }
        })
    };
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
                let tracked = crate::idle::Tracked::new(stream, activity.clone());
                let (builder, watcher) = (builder.clone(), graceful.watcher());
                let handshake = tls.as_ref().map(|t| t.acceptor.clone());
                let none_open = none_open.clone();
                tokio::spawn(async move {
                    let conn = connection::Connection { builder, watcher, activity, idle: limits.idle_timeout };
                    match handshake {
                        None => conn.serve(TokioIo::new(tracked), st).await,
                        Some(acceptor) => {
                            if let Some(s) = tls::handshake(&acceptor, tracked, limits.header_timeout).await {
                                conn.serve(TokioIo::new(s), st).await;
                            }
                        }
                    }
                    drop(permit);
                    // The last connection closed: what the burst freed goes back.
                    if none_open() {
                        crate::heap::quiet();
                    }
                });
            }
            _ = &mut stop => break,
        }
    }
    drop(listener);
    catch_up.abort();
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
    if admin::is_admin(path) {
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
    let contract = state.contract.load();
    let operation = contract
        .routes()
        .route(&request.method, &request.path)
        .ok()
        .map(|r| r.operation);
    let detail = serde_json::from_slice::<Value>(&answer.body)
        .ok()
        .and_then(|v| v["detail"].as_str().map(str::to_string))
        .unwrap_or_default();
    let limit =
        crate::validate::Violation::new(crate::validate::ViolationKind::default(), "limit", detail);
    let outcome = Outcome {
        operation,
        ..Outcome::unrouted(answer)
    }
    .with_violations(Vec::new(), vec![limit]);
    let mut entry = journal_entry(
        contract.credentials(),
        &state.journal,
        &request,
        &outcome,
        started.elapsed(),
    );
    entry.cut_path(REFUSED_PATH_KEEP);
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
                ProblemKind::BodyTooLarge,
                format!("the body is over the {max_body}-byte limit (--max-body-size)"),
            );
            return Ok(into_response(refuse(&state, &parts, a, started)));
        }
        Err(e) => {
            let p = Problem::new(ProblemKind::BadRequest, e.to_string());
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
    if admin::is_admin(&request.path) {
        // Never CORS: a web page in the user's browser must not read or reset it.
        return Ok(into_response(admin::answer(&state, &request)));
    }
    let contract = state.contract.load();
    let origin = request
        .header_str(hyper::header::ORIGIN)
        .map(str::to_string);
    if state.cors
        && request.method == hyper::Method::OPTIONS
        && let Some(o) = origin.as_deref()
        && let Some(wanted) = request.header_str(hyper::header::ACCESS_CONTROL_REQUEST_METHOD)
    {
        return Ok(into_response(crate::cors::preflight(
            &contract, &request, wanted, o,
        )));
    }
    // A bug in a stage must cost one request a 500, never the server.
    let step = std::panic::AssertUnwindSafe(|| {
        pipeline::step(&contract, &request, &state.options, state.runtime())
    });
    let outcome = match std::panic::catch_unwind(step) {
        Ok(pipeline::Step::Answered(o)) => o,
        Ok(pipeline::Step::Forward(f)) => {
            let (answer, broke) = match (&state.recorder, &state.partial, &f.operation) {
                (Some(rec), _, Some(op)) => {
                    crate::record::exchange(rec, &contract, &request, op).await
                }
                (_, Some((client, url)), op) => {
                    crate::record::pass(client, url, &request, op.as_deref()).await
                }
                _ => (
                    crate::record::bad_gateway("(none)", "no upstream is configured"),
                    Vec::new(),
                ),
            };
            f.finish(answer, broke)
        }
        Err(panic) => {
            let what = panic
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| panic.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".into());
            tracing::error!("a request handler panicked: {what}; answered 500 and kept serving");
            pipeline::Outcome::unrouted(Answer::problem(&Problem::new(
                ProblemKind::InternalError,
                format!("this is a specmock bug, please report it: {what}"),
            )))
        }
    };
    // Chaos, latency and faults: per request (Prefer) or for all (flags, seeded).
    let n = state
        .counter
        .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let mut outcome = outcome;
    let respond = &state.options.respond;
    let chaos = crate::chaos::apply(&state.chaos, &contract, &request, &mut outcome, n, respond);
    let mut entry = journal_entry(
        contract.credentials(),
        &state.journal,
        &request,
        &outcome,
        started.elapsed(),
    );
    entry.chaos = chaos.label.clone();
    crate::logline::log_exchange(&entry);
    let id = state.journal.record(entry);
    // A reset connection never gave the client its answer: no callbacks follow it.
    if !matches!(chaos.fault, Some(Fault::Reset)) {
        state.callbacks.after(&contract, &request, &outcome, id);
    }
    if let Some(op) = outcome
        .operation
        .as_ref()
        .filter(|_| state.options.field_usage)
    {
        // A body chaos put in uses no field of the operation's answer.
        let (none, injected) = (Bytes::new(), chaos.label.is_some());
        let served = crate::usage::Served {
            status: outcome.answer.status.as_u16(),
            content_type: outcome
                .answer
                .headers
                .get(hyper::header::CONTENT_TYPE)
                .and_then(|v| v.to_str().ok()),
            body: if injected {
                &none
            } else {
                &outcome.answer.body
            },
        };
        let catalog = contract.catalog(op);
        (state.journal.usage()).record(op, catalog, &outcome.request_fields, served);
    }
    let mut answer = outcome.answer;
    if let Some(d) = chaos.delay {
        tokio::time::sleep(d).await;
    }
    match chaos.fault {
        Some(Fault::Reset) => return Err(ResetConnection),
        Some(Fault::Empty) => answer.body = Bytes::new(),
        None => {}
    }
    if state.cors
        && let Some(o) = &origin
    {
        crate::cors::headers(&mut answer.headers, o);
    }
    Ok(into_response(answer))
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
