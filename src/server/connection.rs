//! One accepted connection, plain or TLS, served by the shared hyper
//! builder (HTTP/1.1, or HTTP/2 when the client opens with its preface, as
//! ALPN's `h2` makes it do) until it ends, idles out or the server stops.

use std::sync::Arc;
use std::time::Duration;

use hyper::service::service_fn;
use hyper_util::rt::TokioExecutor;
use hyper_util::server::conn::auto;

use super::{AppState, handle};

/// One accepted connection (plain or TLS), served until it ends, idles out
/// or the server stops.
pub(super) struct Connection {
    pub(super) builder: Arc<auto::Builder<TokioExecutor>>,
    pub(super) watcher: hyper_util::server::graceful::Watcher,
    pub(super) activity: Arc<crate::idle::Activity>,
    pub(super) idle: Duration,
}

impl Connection {
    pub(super) async fn serve<I>(self, io: I, state: Arc<AppState>)
    where
        I: hyper::rt::Read + hyper::rt::Write + Unpin + Send + 'static,
    {
        let svc = service_fn(move |req| handle(state.clone(), req));
        let conn = self.builder.serve_connection(io, svc).into_owned();
        let idle = self.idle;
        tokio::select! {
            r = self.watcher.watch(conn) => if let Err(e) = r {
                tracing::debug!("connection ended: {e}");
            },
            _ = self.activity.idle_for(idle) => tracing::debug!("closing a connection idle for {idle:?}"),
        }
    }
}
