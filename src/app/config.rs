//! What `serve`, `run` and `record` tell the server: how to listen, what the
//! pipeline does, who may use the admin API. Built from the settings model
//! (`cli::args`); plain data, read once at start.

use std::net::{IpAddr, Ipv4Addr};
use std::path::PathBuf;

use crate::journal::JournalLimits;
use crate::pipeline::PipelineOptions;
use crate::report::ReportPaths;

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
    /// Serve HTTPS with this certificate (none: plain HTTP).
    pub tls: Option<TlsSource>,
    /// `--chaos`: the rules in force (`--latency` and `--fault-rate` are added to them).
    pub chaos: Vec<crate::chaos::ChaosRule>,
    /// `--chaos-allow-undeclared`: statuses the operation does not declare may be injected.
    pub chaos_allow_undeclared: bool,
    /// Partial mocking: where requests no operation matches (and
    /// `--passthrough` operations) go.
    pub upstream_unmatched: Option<String>,
    /// Operations always forwarded under partial mocking.
    pub passthrough: Vec<String>,
    /// Callbacks and webhooks: where they may go, when, how long to wait.
    pub callbacks: crate::callback::Settings,
}

pub use crate::limits::Limits;

/// Where a server's certificate and key come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TlsSource {
    /// PEM files: the certificate chain (leaf first) and its private key.
    Files {
        /// `--tls-cert`.
        cert: PathBuf,
        /// `--tls-key`.
        key: PathBuf,
    },
    /// Generated at start for localhost and 127.0.0.1 (`--tls-self-signed`).
    SelfSigned {
        /// Where to write the certificate (`--tls-self-signed-out`); none: the temp folder.
        out: Option<PathBuf>,
    },
}

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
            tls: None,
            chaos: Vec::new(),
            chaos_allow_undeclared: false,
            upstream_unmatched: None,
            passthrough: Vec::new(),
            callbacks: Default::default(),
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
}
