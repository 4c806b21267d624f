//! The HTTP client that reaches a real API (recording, partial mocking):
//! timeouts, no redirects followed, no proxy, hop-by-hop headers dropped,
//! a bound on the answer's size. It goes only where the user said.

use std::time::Duration;

use bytes::Bytes;
use hyper::StatusCode;
use hyper::header::HeaderMap;

use crate::request::Request;

/// Headers that belong to one connection, never forwarded (RFC 9110 §7.6.1).
pub const HOP_BY_HOP: &[&str] = &[
    "connection",
    "keep-alive",
    "proxy-connection",
    "te",
    "trailer",
    "transfer-encoding",
    "upgrade",
    "host",
    "content-length",
];

/// Largest upstream body taken.
pub const MAX_UPSTREAM_BODY: usize = 10 * 1024 * 1024;

/// What the upstream answered.
#[derive(Debug, Clone)]
pub struct Upstreamed {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Bytes,
}

/// A client for upstreams.
#[derive(Debug, Clone)]
pub struct UpstreamClient {
    client: reqwest::Client,
}

impl UpstreamClient {
    /// A client that times out (10 s to connect, 60 s in all) and does not
    /// follow redirects (the client sees what the API said).
    pub fn new() -> Result<UpstreamClient, UpstreamError> {
        // One process-wide crypto provider for rustls; a second install is a no-op.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::builder()
            .connect_timeout(Duration::from_secs(10))
            .timeout(Duration::from_secs(60))
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .build()
            .map_err(UpstreamError::Client)?;
        Ok(UpstreamClient { client })
    }

    /// Forward a request upstream; the answer as it came back.
    pub async fn forward(&self, url: &str, req: &Request) -> Result<Upstreamed, UpstreamError> {
        let mut builder = self.client.request(req.method.clone(), url);
        for (k, v) in &req.headers {
            if !HOP_BY_HOP.contains(&k.as_str()) {
                builder = builder.header(k, v);
            }
        }
        let resp = builder
            .body(req.body.clone())
            .send()
            .await
            .map_err(UpstreamError::from_exchange)?;
        let status = resp.status();
        let mut headers = resp.headers().clone();
        for h in HOP_BY_HOP {
            headers.remove(*h);
        }
        let body = resp.bytes().await.map_err(UpstreamError::from_exchange)?;
        if body.len() > MAX_UPSTREAM_BODY {
            return Err(UpstreamError::BodyTooLarge {
                limit: MAX_UPSTREAM_BODY,
            });
        }
        Ok(Upstreamed {
            status,
            headers,
            body,
        })
    }
}

/// Why an upstream could not be set up or did not answer.
/// Every per-request variant is answered 502 today; `Timeout` is told apart
/// so that it could become a 504.
///
/// The reqwest errors are held, not exposed as `source`: the message already
/// carries their whole chain (as it always did), and a chain printer would
/// repeat it.
#[derive(Debug, thiserror::Error)]
pub enum UpstreamError {
    /// The HTTP client could not be built (the TLS provider, at start-up).
    #[error("cannot build the HTTP client: {0}")]
    Client(reqwest::Error),
    /// No `--upstream` and the document's server URL is relative.
    #[error("document {document} has no absolute server URL to forward to; give --upstream URL")]
    NoServerUrl { document: String },
    /// The upstream did not answer in time (10 s to connect, 60 s in all).
    #[error("{}", describe_error(.0))]
    Timeout(reqwest::Error),
    /// Any other failure of the exchange: refused, reset, DNS, TLS.
    #[error("{}", describe_error(.0))]
    Transport(reqwest::Error),
    /// The answer is larger than specmock records.
    #[error("the upstream body is over {limit} bytes")]
    BodyTooLarge { limit: usize },
}

impl UpstreamError {
    fn from_exchange(e: reqwest::Error) -> UpstreamError {
        if e.is_timeout() {
            UpstreamError::Timeout(e)
        } else {
            UpstreamError::Transport(e)
        }
    }
}

fn describe_error(e: &reqwest::Error) -> String {
    let mut msg = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        msg.push_str(": ");
        msg.push_str(&s.to_string());
        source = s.source();
    }
    msg
}
