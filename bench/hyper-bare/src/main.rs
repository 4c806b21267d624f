//! A bare hyper 1.x server: every request gets 200 with a fixed small JSON
//! body. The same stack as specmock's server (tokio multi-thread runtime with
//! one worker per core, hyper_util's auto::Builder with TokioExecutor,
//! TCP_NODELAY, keep-alive) and nothing else, so it measures the ceiling.
//!
//! Usage: hyper-bare [PORT]   (0 or none: any free port). Listens on
//! 127.0.0.1 only and prints `http://127.0.0.1:PORT` on stdout once listening.

use std::convert::Infallible;
use std::io::Write;

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::header::{CONTENT_TYPE, HeaderValue};
use hyper::service::service_fn;
use hyper::{Request, Response};
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tokio::net::TcpListener;

const BODY: &[u8] = br#"{"ok":true}"#;

async fn hello(req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Infallible> {
    // Read (and drop) the request body, as any server that looks at it must.
    let _ = req.into_body().collect().await;
    let mut res = Response::new(Full::new(Bytes::from_static(BODY)));
    res.headers_mut()
        .insert(CONTENT_TYPE, HeaderValue::from_static("application/json"));
    Ok(res)
}

#[tokio::main(flavor = "multi_thread")]
async fn main() -> std::io::Result<()> {
    let port: u16 = match std::env::args().nth(1) {
        Some(p) => p.parse().map_err(|_| {
            std::io::Error::new(std::io::ErrorKind::InvalidInput, format!("bad port: {p}"))
        })?,
        None => 0,
    };
    let listener = TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    {
        let mut out = std::io::stdout().lock();
        writeln!(out, "http://{addr}")?;
        out.flush()?;
    }
    let builder = auto::Builder::new(TokioExecutor::new());
    loop {
        let (stream, _) = match listener.accept().await {
            Ok(s) => s,
            Err(e) => {
                eprintln!("accept failed: {e}");
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let builder = builder.clone();
        tokio::spawn(async move {
            let io = TokioIo::new(stream);
            let _ = builder.serve_connection(io, service_fn(hello)).await;
        });
    }
}
