//! The HTTP server: hyper 1.x on tokio, the request pipeline per request, and
//! the admin API under `/__specmock/`.

use std::convert::Infallible;
use std::io;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
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
use serde_json::json;
use tokio::net::TcpListener;
use tokio::sync::oneshot;
use tokio::task::JoinHandle;

use crate::contract::Contract;
use crate::pipeline::{self, PipelineOptions};
use crate::problem::Problem;
use crate::request::Request;
use crate::respond::Answer;

/// The prefix of the admin API; no vendor uses it.
pub const ADMIN_PREFIX: &str = "/__specmock";

pub use crate::pipeline::OPERATION_HEADER;

/// How to listen.
#[derive(Debug, Clone)]
pub struct ServeConfig {
    /// Address to bind; loopback unless the user says otherwise.
    pub host: IpAddr,
    /// Port; 0 picks a free one.
    pub port: u16,
    /// What the pipeline does with each request.
    pub pipeline: PipelineOptions,
}

impl Default for ServeConfig {
    fn default() -> Self {
        ServeConfig {
            host: IpAddr::V4(Ipv4Addr::LOCALHOST),
            port: 4010,
            pipeline: PipelineOptions::default(),
        }
    }
}

/// What every request handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The contract in force; swapped whole on reload.
    pub contract: ArcSwap<Contract>,
    /// Pipeline options.
    pub options: PipelineOptions,
}

/// A server running in the background of the current tokio runtime.
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

    /// The shared state (the contract in force).
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// Stop accepting, let requests in flight finish (up to 5 s), and return.
    pub async fn shutdown(mut self) {
        if let Some(tx) = self.shutdown.take() {
            let _ = tx.send(());
        }
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Run until the server stops (it stops on `shutdown` only).
    pub async fn wait(mut self) {
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
        .map_err(|e| {
            io::Error::new(
                e.kind(),
                format!("cannot listen on {}:{}: {e}", config.host, config.port),
            )
        })?;
    let addr = listener.local_addr()?;
    let state = Arc::new(AppState {
        contract: ArcSwap::from_pointee(contract),
        options: config.pipeline.clone(),
    });
    let (tx, rx) = oneshot::channel();
    let task = tokio::spawn(accept_loop(listener, state.clone(), rx));
    Ok(RunningServer {
        addr,
        shutdown: Some(tx),
        task: Some(task),
        state,
    })
}

async fn accept_loop(listener: TcpListener, state: Arc<AppState>, mut stop: oneshot::Receiver<()>) {
    let builder = auto::Builder::new(TokioExecutor::new());
    let graceful = GracefulShutdown::new();
    loop {
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
                let svc = service_fn(move |req| handle(st.clone(), req));
                let conn = builder.serve_connection(TokioIo::new(stream), svc).into_owned();
                let conn = graceful.watch(conn);
                tokio::spawn(async move {
                    if let Err(e) = conn.await {
                        tracing::debug!("connection ended: {e}");
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
}

async fn handle(
    state: Arc<AppState>,
    req: hyper::Request<Incoming>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let started = Instant::now();
    let (parts, body) = req.into_parts();
    let body = match body.collect().await {
        Ok(b) => b.to_bytes(),
        Err(e) => {
            let p = Problem::new(
                400,
                "bad-request",
                "The request body could not be read",
                e.to_string(),
            );
            return Ok(into_response(Answer::problem(&p)));
        }
    };
    let request = Request {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().map(str::to_string),
        headers: parts.headers,
        body,
    };
    let contract = state.contract.load();
    if request.path == ADMIN_PREFIX || request.path.starts_with("/__specmock/") {
        return Ok(into_response(admin(&contract, &request)));
    }
    let outcome = pipeline::run(&contract, &request, &state.options);
    let op_name = outcome
        .operation
        .as_ref()
        .map(|o| o.display_id.as_str())
        .unwrap_or("-");
    if outcome.violations.is_empty() {
        tracing::info!(
            target: "specmock::request",
            "{} {} -> {} {} ({} us)",
            request.method,
            request.path,
            outcome.answer.status.as_u16(),
            op_name,
            started.elapsed().as_micros()
        );
    } else {
        let list: Vec<String> = outcome
            .violations
            .iter()
            .map(|v| format!("{}: {}", v.location, v.message))
            .collect();
        tracing::info!(
            target: "specmock::request",
            "{} {} -> {} {} ({} us) {} violation(s): {}",
            request.method,
            request.path,
            outcome.answer.status.as_u16(),
            op_name,
            started.elapsed().as_micros(),
            list.len(),
            list.join("; ")
        );
    }
    let mut resp = into_response(outcome.answer);
    if request.method == hyper::Method::HEAD {
        *resp.body_mut() = Full::new(Bytes::new());
    }
    Ok(resp)
}

fn admin(contract: &Contract, req: &Request) -> Answer {
    let sub = req
        .path
        .trim_start_matches(ADMIN_PREFIX)
        .trim_start_matches('/');
    match (req.method.as_str(), sub) {
        ("GET", "health") => {
            let docs: Vec<_> = contract
                .documents()
                .iter()
                .map(|d| json!({"name": d.name, "title": d.title, "basePath": d.base_path, "operations": d.operations.len()}))
                .collect();
            Answer::json(
                200,
                "application/json",
                &json!({"status": "ok", "operations": contract.operations().count(), "documents": docs}),
            )
        }
        _ => Answer::problem(&Problem::new(
            404,
            "admin-not-found",
            "No such admin endpoint",
            format!("{} {} is not part of the admin API", req.method, req.path),
        )),
    }
}

fn into_response(a: Answer) -> Response<Full<Bytes>> {
    let mut resp = Response::new(Full::new(a.body));
    *resp.status_mut() = a.status;
    *resp.headers_mut() = a.headers;
    if resp.status() == StatusCode::NO_CONTENT {
        *resp.body_mut() = Full::new(Bytes::new());
    }
    resp
}
