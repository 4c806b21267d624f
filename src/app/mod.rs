//! What a running server holds: its settings ([`ServeConfig`]), and what
//! every request handler shares ([`AppState`]): the contract in force
//! (swapped whole on reload) and the run-time state beside it (journal,
//! stateful store, recorder, counters). The server, the admin API and
//! `--watch` all use it; it uses none of them.

mod config;
pub mod session;

use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use arc_swap::ArcSwap;

use crate::contract::Contract;
use crate::journal::Journal;
use crate::pipeline::PipelineOptions;
use crate::report::{ReportPaths, write_reports};
pub use config::{AdminAccess, Limits, RecordConfig, ServeConfig, TlsSource};

/// What every request handler shares.
#[derive(Debug)]
pub struct AppState {
    /// The contract in force; swapped whole on reload.
    pub contract: ArcSwap<Contract>,
    /// Pipeline options.
    pub options: PipelineOptions,
    /// The request journal and coverage counters (shared with the callbacks, which journal too).
    pub journal: Arc<Journal>,
    /// Callbacks and webhooks sent to the consumer.
    pub callbacks: crate::callback::Dispatcher,
    pub admin: AdminAccess,
    pub reports: ReportPaths,
    /// Record mode.
    pub recorder: Option<crate::record::Recorder>,
    /// Partial mocking: the client and the URL unmatched requests go to.
    pub partial: Option<(crate::upstream::UpstreamClient, String)>,
    pub cors: bool,
    /// Chaos, latency and faults (`--chaos`, `--latency`, `--fault-rate`, the seed).
    pub chaos: crate::chaos::Chaos,
    /// Requests answered so far: the random stream of chaos, latency and faults is
    /// derived from the seed and this count, so a run is reproducible.
    pub(crate) counter: std::sync::atomic::AtomicU64,
    /// Stateful mode's resources (empty and unused unless `--stateful`).
    pub resources: crate::state::ResourceStore,
    /// Where recorded fixture sequences are (started over on reload).
    pub sequences: crate::fixtures::SequenceCursors,
    pub limits: Limits,
    extra_redact: Vec<String>,
    /// What `--watch` did (reloads, file checks), beside the contract it replaces.
    pub watch: WatchCounters,
    /// The inspector's browser session (`--admin-token`).
    pub(crate) session: session::Session,
    /// Served over TLS (`--tls-cert`, `--tls-self-signed`): URLs say `https`.
    pub tls: bool,
}

impl AppState {
    /// Build the state for a contract.
    pub fn new(contract: Contract, config: &ServeConfig) -> io::Result<AppState> {
        let recorder = match &config.record {
            Some(r) => Some(
                crate::record::Recorder::new(r.dir.clone(), r.upstream.clone())
                    .map(|rec| rec.with_upstreams(r.upstreams.clone()))
                    .map_err(io::Error::other)?,
            ),
            None => None,
        };
        let mut options = config.pipeline.clone();
        if let Some(r) = &config.record {
            options.upstream = crate::pipeline::Upstream::Record { strict: r.strict };
        }
        let partial = match &config.upstream_unmatched {
            Some(url) if config.record.is_none() => {
                options.upstream = crate::pipeline::Upstream::Partial {
                    passthrough: config.passthrough.clone(),
                };
                let client = crate::upstream::UpstreamClient::new().map_err(io::Error::other)?;
                Some((client, url.clone()))
            }
            _ => None,
        };
        let journal = Arc::new(Journal::new(config.journal));
        let callbacks = crate::callback::Dispatcher::new(
            &config.callbacks,
            journal.clone(),
            config.pipeline.respond.seed,
        )?;
        journal.usage().set_counting(options.field_usage);
        Ok(AppState {
            contract: ArcSwap::from_pointee(contract.redacting(&config.redact)),
            options,
            journal,
            callbacks,
            admin: config.admin_access(),
            reports: config.reports.clone(),
            recorder,
            partial,
            cors: config.cors,
            chaos: crate::chaos::Chaos::new(
                config.chaos.clone(),
                config.latency,
                config.fault_rate,
                config.pipeline.respond.seed,
                config.chaos_allow_undeclared,
            ),
            counter: std::sync::atomic::AtomicU64::new(0),
            resources: crate::state::ResourceStore::new(config.stateful),
            sequences: Default::default(),
            limits: config.limits,
            extra_redact: config.redact.clone(),
            watch: WatchCounters::default(),
            session: session::Session::new()?.for_port(config.port),
            tls: config.tls.is_some(),
        })
    }

    /// Swap in a new contract (hot reload), its credentials with it in one
    /// store; the journal is kept.
    pub fn replace_contract(&self, contract: Contract) {
        self.contract
            .store(Arc::new(contract.redacting(&self.extra_redact)));
        self.sequences.reset();
        // Field counts are numbered by the old documents' catalogues.
        self.journal.usage().reset();
    }

    /// The run-time state the pipeline reads and moves on.
    pub fn runtime(&self) -> crate::pipeline::Runtime<'_> {
        crate::pipeline::Runtime {
            resources: &self.resources,
            sequences: &self.sequences,
        }
    }

    /// Write the reports asked for now.
    pub fn write_reports(&self) -> io::Result<Vec<PathBuf>> {
        write_reports(&self.reports, &self.contract.load(), &self.journal)
    }
}

/// What the watch did, for `GET /__specmock/health`. Kept in the server state,
/// beside the contract: reloads replace the contract, not these.
#[derive(Debug, Default)]
pub struct WatchCounters {
    pub(crate) active: AtomicBool,
    pub(crate) reloads: AtomicU64,
    pub(crate) failed_reloads: AtomicU64,
    pub(crate) file_checks: AtomicU64,
}

impl WatchCounters {
    /// `{"active", "reloads", "failedReloads", "fileChecks"}`: contracts swapped
    /// in, reloads refused (the old contract kept), and files whose content was
    /// compared after an event. None grows while nobody edits.
    pub fn to_json(&self) -> serde_json::Value {
        serde_json::json!({
            "active": self.active.load(Ordering::Relaxed),
            "reloads": self.reloads.load(Ordering::Relaxed),
            "failedReloads": self.failed_reloads.load(Ordering::Relaxed),
            "fileChecks": self.file_checks.load(Ordering::Relaxed),
        })
    }
}
