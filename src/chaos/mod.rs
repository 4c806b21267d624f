//! Chaos that keeps the contract: per operation or for all, a seeded share
//! of answers replaced by one of the operation's own declared error
//! statuses (its example or a generated body, valid against its schema),
//! outage windows (the declared 503, else a connection reset), and added
//! latency. `--latency` and `--fault-rate` are the simplest rules of the
//! same mechanism; `Prefer: chaos=off` exempts one request.
//!
//! Rules are read once at start; per request the decision is a few draws
//! from the seed and the request's number, so a run with `--seed` replays
//! the same sequence.

mod replace;
mod rule;

use std::time::{Duration, Instant};

pub use replace::apply;
pub use rule::{ChaosRule, RULE_KEYS, parse_latency, table_to_text};

use crate::generate::derive_seed;
use crate::respond::prefer::Fault;
use crate::spec::{Operation, StatusKey};

/// The chaos of a server: its rules, the seed, and when it started (outage
/// windows count from there).
#[derive(Debug, Clone)]
pub struct Chaos {
    rules: Vec<ChaosRule>,
    seed: u64,
    allow_undeclared: bool,
    started: Instant,
}

impl Default for Chaos {
    fn default() -> Self {
        Chaos::new(Vec::new(), None, 0.0, 0, false)
    }
}

/// What happens to one answer instead of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Answer this status: declared by the operation unless `declared` is
    /// false (`--chaos-allow-undeclared`). `outage`: how long the outage
    /// has left (its `Retry-After`).
    Status {
        /// The status.
        status: u16,
        /// The operation declares it.
        declared: bool,
        /// In an outage, the time it has left.
        outage: Option<Duration>,
    },
    /// Close the connection without answering: an outage where the
    /// operation declares no 503.
    Reset,
    /// `--fault-rate`: a reset or an empty body.
    Fault(Fault),
}

/// What chaos decided for one answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Decision {
    /// Wait this long first.
    pub delay: Option<Duration>,
    /// Replace the answer.
    pub action: Option<Action>,
}

impl Chaos {
    /// The rules in force: the chosen profile's (or the inline rule), then
    /// `--latency` and `--fault-rate` as rules for every operation.
    pub fn new(
        mut rules: Vec<ChaosRule>,
        latency: Option<(u64, u64)>,
        fault_rate: f64,
        seed: u64,
        allow_undeclared: bool,
    ) -> Chaos {
        if latency.is_some() {
            rules.push(ChaosRule {
                name: "--latency".into(),
                latency,
                ..ChaosRule::default()
            });
        }
        if fault_rate > 0.0 {
            rules.push(ChaosRule {
                name: "--fault-rate".into(),
                rate: fault_rate,
                faults: true,
                ..ChaosRule::default()
            });
        }
        Chaos {
            rules,
            seed,
            allow_undeclared,
            started: Instant::now(),
        }
    }

    /// True when no rule is in force.
    pub fn is_off(&self) -> bool {
        self.rules.is_empty()
    }

    /// The decision for the `n`th answer, now.
    pub fn decide(&self, op: Option<&Operation>, kept_contract: bool, n: u64) -> Decision {
        // No chaos asked for: no clock read on the request path.
        if self.rules.is_empty() {
            return Decision::default();
        }
        self.decide_at(op, kept_contract, n, self.started.elapsed())
    }

    /// The decision for the `n`th answer, `elapsed` after the start. Rules
    /// naming the operation come before rules for all; of those, the first
    /// with an outage in progress, else the first with a rate, decides the
    /// replacement, and the first with a latency the delay. Statuses and
    /// outages touch only answers of an operation to requests that kept the
    /// contract (a broken request keeps its rejection); `--fault-rate` and
    /// latency touch every answer.
    pub fn decide_at(
        &self,
        op: Option<&Operation>,
        kept_contract: bool,
        n: u64,
        elapsed: Duration,
    ) -> Decision {
        if self.rules.is_empty() {
            return Decision::default();
        }
        let applies = |r: &ChaosRule| match (&r.operation, op) {
            (None, _) => true,
            (Some(id), Some(op)) => {
                *id == op.display_id
                    || id == op.qualified()
                    || op
                        .qualified()
                        .rsplit_once('/')
                        .is_some_and(|(_, bare)| bare == id)
            }
            (Some(_), None) => false,
        };
        let ordered = || {
            let specific = self
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.operation.is_some());
            let general = self
                .rules
                .iter()
                .enumerate()
                .filter(|(_, r)| r.operation.is_none());
            specific.chain(general).filter(move |(_, r)| applies(r))
        };
        let draw = |i: usize, r: &ChaosRule, what: &str| {
            // `--latency` and `--fault-rate` draw as they always did.
            let key = match r.name.as_str() {
                "--latency" | "--fault-rate" => what.to_string(),
                _ => format!("chaos{i}/{what}"),
            };
            derive_seed(self.seed, &key, &n.to_string())
        };
        let delay = ordered()
            .find_map(|(i, r)| r.latency.map(|l| (i, r, l)))
            .filter(|(i, r, _)| r.slow >= 1.0 || unit(draw(*i, r, "slow")) < r.slow)
            .map(|(i, r, (min, max))| {
                let ms = min + draw(i, r, "latency") % (max.saturating_sub(min) + 1);
                Duration::from_millis(ms)
            })
            .filter(|d| !d.is_zero());
        let routed = op.filter(|_| kept_contract);
        let outage = routed.and_then(|op| {
            ordered()
                .find_map(|(_, r)| r.outage.and_then(|o| o.left(elapsed)))
                .map(|left| match declares(op, 503) {
                    true => Action::Status {
                        status: 503,
                        declared: true,
                        outage: Some(left),
                    },
                    false => Action::Reset,
                })
        });
        let action = outage.or_else(|| {
            let (i, r) = ordered().find(|(_, r)| r.rate > 0.0)?;
            let x = draw(i, r, if r.faults { "fault" } else { "rate" });
            if unit(x) >= r.rate {
                return None;
            }
            if r.faults {
                return Some(Action::Fault(if x & 1 == 0 {
                    Fault::Reset
                } else {
                    Fault::Empty
                }));
            }
            let op = routed?;
            let candidates: Vec<u16> = if r.statuses.is_empty() {
                declared_errors(op)
            } else {
                (r.statuses.iter().copied())
                    .filter(|s| self.allow_undeclared || declares(op, *s))
                    .collect()
            };
            let pick = draw(i, r, "status") as usize % candidates.len().max(1);
            let status = *candidates.get(pick)?;
            Some(Action::Status {
                status,
                declared: op.declared_for(status).is_some(),
                outage: None,
            })
        });
        Decision { delay, action }
    }
}

/// A draw as a number in `[0, 1)`.
fn unit(x: u64) -> f64 {
    (x >> 11) as f64 / (1u64 << 53) as f64
}

/// The operation declares this status itself (exactly or by its range;
/// `default` declares no particular status).
fn declares(op: &Operation, status: u16) -> bool {
    op.response(StatusKey::Code(status)).is_some()
        || op
            .response(StatusKey::Range((status / 100) as u8))
            .is_some()
}

/// The error statuses an operation declares: its 4xx and 5xx codes, `4XX`
/// as 400, `5XX` as 500, and `default` as 500 when nothing else is a 5xx.
pub fn declared_errors(op: &Operation) -> Vec<u16> {
    let mut out: Vec<u16> = Vec::new();
    for r in &op.responses {
        let s = match r.status {
            StatusKey::Code(c) if c >= 400 => c,
            StatusKey::Range(n @ (4 | 5)) => u16::from(n) * 100,
            _ => continue,
        };
        if !out.contains(&s) {
            out.push(s);
        }
    }
    if !out.iter().any(|s| *s >= 500) && op.response(StatusKey::Default).is_some() {
        out.push(500);
    }
    out
}

#[cfg(test)]
mod tests;
