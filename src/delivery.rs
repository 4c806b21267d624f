//! How an answer is delivered: added latency and injected faults, per
//! request (`Prefer: delay=`, `Prefer: fault=`) or for every request
//! (`--latency`, `--fault-rate`, which are the simplest rules of
//! `chaos`: the decision is made there, seeded from `--seed` and
//! the request's number; the server waits and misbehaves as it says).

use std::time::Duration;

/// The longest delay a request may ask for.
pub const MAX_DELAY: Duration = Duration::from_secs(5 * 60);
