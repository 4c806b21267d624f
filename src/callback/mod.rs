//! Callbacks and webhooks: the mock calls the consumer back, and checks the
//! answer.
//!
//! After answering (2xx, contract kept) a request to an operation that
//! declares `callbacks`, each callback's URL is filled from the exchange
//! (runtime expressions), then, after `--callback-delay`, the callback's
//! request is sent, only to targets `--callbacks-to` lists (the resolved
//! address is checked). The consumer's answer is checked against the
//! callback's declared responses and journalled as a `callback` entry;
//! coverage counts callbacks as operations. 3.1 `webhooks` are sent on
//! demand (admin API) or on a schedule (`--webhook`).
//!
//! This module names the contract, the journal and the stages it reuses;
//! none of them names it. The server hands it each answered exchange.

mod check;
mod expression;
mod send;
mod targets;
mod webhooks;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use crate::contract::Contract;
use crate::journal::Journal;
use crate::pipeline::Outcome;
use crate::request::Request;
use crate::spec::{Callback, CallbackKind};

pub use send::Choice;
pub use targets::Targets;
pub use webhooks::{Scheduled, parse_webhook};

/// Most callbacks and webhooks in flight at once; more are refused (journalled).
pub const MAX_IN_FLIGHT: usize = 64;

/// What `--callbacks-to`, `--callback-delay`, `--callback-timeout` and
/// `--webhook` say.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Where callbacks may go (checked when the flags are read).
    pub targets: Vec<String>,
    /// Between the answer and its callbacks.
    pub delay: Duration,
    /// How long the consumer has to answer.
    pub timeout: Duration,
    /// Webhooks sent on a schedule.
    pub webhooks: Vec<Scheduled>,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            targets: Vec::new(),
            delay: Duration::from_millis(100),
            timeout: send::DEFAULT_TIMEOUT,
            webhooks: Vec::new(),
        }
    }
}

/// Check one `--callbacks-to` entry (the flag's value parser).
pub fn parse_target(s: &str) -> Result<String, String> {
    Targets::parse(&[s.to_string()]).map(|_| s.to_string())
}

/// Sends callbacks and webhooks, and keeps what a run waits for.
#[derive(Debug)]
pub struct Dispatcher {
    inner: Arc<Inner>,
}

#[derive(Debug)]
struct Inner {
    targets: Arc<Targets>,
    /// Built on the first callback: a server that sends none never pays for it.
    client: std::sync::OnceLock<Result<reqwest::Client, String>>,
    timeout: Duration,
    delay: Duration,
    permits: Arc<Semaphore>,
    in_flight: AtomicUsize,
    journal: Arc<Journal>,
    seed: u64,
    scheduled: Vec<Scheduled>,
}

impl Dispatcher {
    /// A dispatcher journalling into `journal`, generating bodies from `seed`.
    pub fn new(
        settings: &Settings,
        journal: Arc<Journal>,
        seed: u64,
    ) -> std::io::Result<Dispatcher> {
        let mut targets = Targets::parse(&settings.targets).map_err(std::io::Error::other)?;
        // A URL the user gave with --webhook is the user's word: listed.
        for w in &settings.webhooks {
            targets.allow_url(&w.url);
        }
        Ok(Dispatcher {
            inner: Arc::new(Inner {
                targets: Arc::new(targets),
                client: std::sync::OnceLock::new(),
                timeout: settings.timeout,
                delay: settings.delay,
                permits: Arc::new(Semaphore::new(MAX_IN_FLIGHT)),
                in_flight: AtomicUsize::new(0),
                journal,
                seed,
                scheduled: settings.webhooks.clone(),
            }),
        })
    }

    /// After an answer: send the callbacks its operation declares (those
    /// `Prefer: callbacks=` leaves), in the background. `trigger` is the
    /// journal id of the exchange.
    pub fn after(&self, contract: &Arc<Contract>, req: &Request, outcome: &Outcome, trigger: u64) {
        let Some(op) = &outcome.operation else { return };
        // The real API answered a forwarded request: its callbacks are its own.
        if outcome.forwarded
            || !outcome.answer.status.is_success()
            || !outcome.violations.is_empty()
        {
            return;
        }
        let wanted = outcome.preferences.callbacks.as_deref();
        if wanted == Some("none") {
            return;
        }
        let mut found = contract
            .callbacks_of(op)
            .filter(|c| wanted.is_none_or(|w| w == c.name))
            .peekable();
        if found.peek().is_none() {
            return;
        }
        let body = serde_json::from_slice(&req.body).ok();
        let response_body = serde_json::from_slice(&outcome.answer.body).ok();
        let query = req.query_pairs();
        let ex = expression::Exchange {
            url: format!(
                "http://{}{}{}",
                req.header_str(hyper::header::HOST).unwrap_or("localhost"),
                req.path,
                req.query
                    .as_deref()
                    .map(|q| format!("?{q}"))
                    .unwrap_or_default()
            ),
            method: req.method.as_str(),
            path_params: &outcome.path_params,
            query,
            headers: Some(&req.headers),
            body,
            status: outcome.answer.status.as_u16(),
            response_headers: Some(&outcome.answer.headers),
            response_body,
        };
        for (i, cb) in found.enumerate() {
            let url = expression::evaluate(&cb.expression, &ex);
            let index = contract
                .callbacks()
                .position(|c| std::ptr::eq(c, cb))
                .unwrap_or(i);
            self.spawn(
                contract.clone(),
                index,
                url,
                Choice::default(),
                Some(trigger),
                true,
            );
        }
    }

    /// Send webhook `name` to `url` now (the admin API). Refused at once
    /// when no target is listed at all.
    pub fn webhook(
        &self,
        contract: &Arc<Contract>,
        name: &str,
        url: &str,
        choice: Choice,
    ) -> Result<(), String> {
        let Some(index) = contract
            .callbacks()
            .position(|c| c.kind == CallbackKind::Webhook && c.name == name)
        else {
            let names: Vec<&str> = contract
                .callbacks()
                .filter(|c| c.kind == CallbackKind::Webhook)
                .map(|c| c.name.as_str())
                .collect();
            return Err(format!(
                "no loaded document declares the webhook \"{name}\" (declared: {})",
                if names.is_empty() {
                    "none".into()
                } else {
                    names.join(", ")
                }
            ));
        };
        if self.inner.targets.is_empty() {
            return Err("no --callbacks-to is given: webhooks go nowhere unless it lists their targets (hosts, host:port, CIDR ranges or loopback)".into());
        }
        let parsed: reqwest::Url = url
            .parse()
            .map_err(|e| format!("\"{url}\" is not a URL: {e}"))?;
        self.spawn(
            contract.clone(),
            index,
            Ok(parsed.to_string()),
            choice,
            None,
            false,
        );
        Ok(())
    }

    /// Send callback `index` of the contract to `url` in the background.
    fn spawn(
        &self,
        contract: Arc<Contract>,
        index: usize,
        url: Result<String, String>,
        choice: Choice,
        trigger: Option<u64>,
        delayed: bool,
    ) {
        let inner = self.inner.clone();
        let permit = inner.permits.clone().try_acquire_owned();
        inner.in_flight.fetch_add(1, Ordering::SeqCst);
        tokio::spawn(async move {
            if delayed && !inner.delay.is_zero() {
                tokio::time::sleep(inner.delay).await;
            }
            let started = Instant::now();
            if let Some(cb) = contract.callbacks().nth(index) {
                let entry = deliver(
                    &inner,
                    &contract,
                    cb,
                    url,
                    &choice,
                    trigger,
                    permit.is_ok(),
                    started,
                )
                .await;
                log(&entry);
                inner.journal.record(entry);
            }
            drop(permit);
            inner.in_flight.fetch_sub(1, Ordering::SeqCst);
        });
    }

    /// Callbacks and webhooks not answered yet.
    pub fn in_flight(&self) -> usize {
        self.inner.in_flight.load(Ordering::SeqCst)
    }

    /// Wait (at most `max`) until no callback is in flight; true when none is.
    pub async fn wait(&self, max: Duration) -> bool {
        let until = Instant::now() + max;
        while self.in_flight() > 0 {
            if Instant::now() >= until {
                return false;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        true
    }

    /// Start the `--webhook` schedules; `contract` gives the contract in
    /// force at each tick (`None` once the server is gone, which ends them).
    pub fn schedule(&self, contract: impl Fn() -> Option<Arc<Contract>> + Send + Sync + 'static) {
        webhooks::schedule(self, Arc::new(contract));
    }
}

impl Inner {
    /// The client: a timeout, no redirects, no proxy, and a resolver that
    /// connects only to addresses the targets allow.
    fn client(&self) -> Result<&reqwest::Client, String> {
        self.client
            .get_or_init(|| {
                // One process-wide crypto provider for rustls; a second install is a no-op.
                let _ = rustls::crypto::ring::default_provider().install_default();
                reqwest::Client::builder()
                    .connect_timeout(self.timeout)
                    .timeout(self.timeout)
                    .redirect(reqwest::redirect::Policy::none())
                    .no_proxy()
                    .dns_resolver(targets::CheckedResolver(self.targets.clone()))
                    .build()
                    .map_err(|e| format!("cannot build the HTTP client: {e}"))
            })
            .as_ref()
            .map_err(Clone::clone)
    }
}

/// Check the target, send, read and check the answer: the journal entry.
#[allow(clippy::too_many_arguments)]
async fn deliver(
    inner: &Inner,
    contract: &Contract,
    cb: &Callback,
    url: Result<String, String>,
    choice: &Choice,
    trigger: Option<u64>,
    permitted: bool,
    started: Instant,
) -> crate::journal::JournalEntry {
    let mut record = send::Record {
        contract,
        callback: cb,
        url: url.clone().unwrap_or_default(),
        outgoing: None,
        refused: None,
        answer: None,
        trigger,
        started,
    };
    let parsed = url.and_then(|u| {
        u.parse::<reqwest::Url>()
            .map_err(|e| format!("the callback URL \"{u}\" is not a URL: {e}"))
    });
    let parsed = match parsed {
        Ok(u) => u,
        Err(why) => {
            record.refused = Some(why);
            return send::entry(&inner.journal, record);
        }
    };
    let out = send::outgoing(contract, cb, &parsed, inner.seed, choice);
    let why = if !permitted {
        Some(format!("{MAX_IN_FLIGHT} callbacks are in flight already"))
    } else {
        inner.targets.check(&parsed).await.err()
    };
    match (&out, why) {
        (Err(e), _) => record.refused = Some(e.clone()),
        (Ok(o), Some(why)) => {
            record.outgoing = Some(o);
            record.refused = Some(why);
        }
        (Ok(o), None) => {
            record.outgoing = Some(o);
            record.answer = Some(match inner.client() {
                Ok(client) => send::send(client, &parsed, o).await,
                Err(e) => Err(e),
            });
        }
    }
    send::entry(&inner.journal, record)
}

/// One log line per callback: sent (and how it was answered) or refused.
fn log(e: &crate::journal::JournalEntry) {
    let Some(cb) = &e.callback else { return };
    let op = e.operation.as_deref().unwrap_or("-");
    if let Some(why) = &cb.refused {
        tracing::warn!(target: "specmock::callback", "{} {} {} {}: refused, not sent: {why}", cb.kind, e.method, cb.url, op);
    } else if e.violations.is_empty() {
        tracing::info!(target: "specmock::callback", "{} {} {} -> {} {op}", cb.kind, e.method, cb.url, e.status);
    } else {
        let list: Vec<String> = e.violations.iter().map(|v| v.to_string()).collect();
        tracing::warn!(target: "specmock::callback", "{} {} {} -> {} {op}: the answer broke the contract: {}", cb.kind, e.method, cb.url, e.status, list.join("; "));
    }
}
