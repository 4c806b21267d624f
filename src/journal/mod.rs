//! The request journal and coverage counters.
//!
//! Every request is appended to a ring bounded in entries and in bytes (bodies
//! truncated), redacted before it enters; coverage counters (calls, statuses,
//! violations per operation, unmatched requests) are kept apart so they are
//! never lost when the ring wraps. The admin API, the reports and
//! `MockServer` all read from here.

mod coverage;
mod entry;
mod pairs;
mod text;
mod timestamp;
mod wire;

pub use coverage::{Coverage, CoverageSummary, MinCoverage, OperationCoverage, Unrouted};
pub use entry::{ServedResponse, journal_entry, redacted_headers};
pub use pairs::{Pairs, PairsRef};
use text::EntryText;
pub use timestamp::Timestamp;

use std::collections::{BTreeMap, VecDeque};
use std::sync::Mutex;
use std::time::{Duration, SystemTime};

use serde::{Deserialize, Serialize};

use crate::contract::Contract;
use crate::validate::Violation;

/// Bounds of the journal.
#[derive(Debug, Clone, Copy)]
pub struct JournalLimits {
    /// Total bytes of entries kept (approximate: strings and bodies).
    pub max_bytes: usize,
    /// Entries kept.
    pub max_entries: usize,
    /// Bytes of a body kept in one entry; the rest is cut.
    pub max_body: usize,
}

impl Default for JournalLimits {
    fn default() -> Self {
        JournalLimits {
            max_bytes: 2 * 1024 * 1024,
            max_entries: 10_000,
            max_body: 8 * 1024,
        }
    }
}

/// One request as recorded (credentials already redacted).
///
/// Its path, query, body, headers and path parameters are held in one
/// buffer and read through methods ([`JournalEntry::path`]...); as JSON
/// they are fields like the others.
#[derive(Debug, Clone, Deserialize, PartialEq)]
#[serde(from = "wire::In")]
pub struct JournalEntry {
    /// Increasing from 1 since start (or the last reset).
    pub id: u64,
    /// When it was journalled (RFC 3339, UTC, when serialised).
    pub time: Timestamp,
    /// The request method (a standard one is held without an allocation).
    pub method: hyper::Method,
    /// The path, query, body, headers and path parameters.
    text: EntryText,
    /// The body was longer than the journal keeps.
    pub body_truncated: bool,
    /// `document/operationId`; `None` when no operation matched.
    pub operation: Option<std::sync::Arc<str>>,
    /// The status answered.
    pub status: u16,
    /// How the request broke the contract (empty: it kept it).
    pub violations: Vec<Violation>,
    /// Tolerated deviations (nulls accepted under `--tolerate-nulls`).
    pub warnings: Vec<Violation>,
    /// Recording: how the upstream's answer broke the contract.
    pub response_violations: Vec<Violation>,
    /// The real API answered it (partial mocking), not the mock.
    pub forwarded: bool,
    /// Time spent answering, microseconds.
    pub duration_us: u64,
    /// What `--chaos` did instead of the mock's answer (`status 503`,
    /// `outage reset`, `fault empty`); the status is then chaos's, and
    /// coverage counts it apart.
    pub chaos: Option<String>,
    /// A request specmock sent its consumer (a callback or a webhook):
    /// `status` and `violations` are then the consumer's answer and how it
    /// broke the callback's declared responses. `None` for served requests.
    /// Boxed: served requests, nearly every entry, pay one pointer for it.
    pub callback: Option<Box<CallbackInfo>>,
    /// The answer's media type and body, for the exports. Never serialised:
    /// the export module redacts it before it leaves the process.
    pub response: ServedResponse,
}

/// What a callback or webhook entry adds to the exchange.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Default)]
pub struct CallbackInfo {
    /// `callback` or `webhook`.
    pub kind: String,
    /// Its name in the document (`onEvent`).
    pub name: String,
    /// The URL it was sent to (or would have been), its query redacted.
    pub url: String,
    /// Why it was not sent (`--callbacks-to` does not list the target...);
    /// a refused callback is not counted as a call.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub refused: Option<String>,
    /// Why no answer came (timeout, connection refused, answer too large).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub error: Option<String>,
    /// The consumer's answer: its headers (credentials redacted)...
    #[serde(skip_serializing_if = "Pairs::is_empty", default)]
    pub answer_headers: Pairs,
    /// ...and its body as text (cut to the journal's bound, credentials redacted).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub answer_body: Option<String>,
    /// The journal id of the request whose answer triggered it (callbacks).
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub trigger: Option<u64>,
}

impl CallbackInfo {
    fn size(&self) -> usize {
        heap(self.kind.capacity())
            + heap(self.name.capacity())
            + heap(self.url.capacity())
            + self.refused.as_ref().map_or(0, |r| heap(r.capacity()))
            + self.error.as_ref().map_or(0, |r| heap(r.capacity()))
            + pairs_size(&self.answer_headers)
            + self.answer_body.as_ref().map_or(0, |b| heap(b.capacity()))
    }
}

impl JournalEntry {
    /// The path, secret path parameters written as their template.
    pub fn path(&self) -> &str {
        self.text.path()
    }

    /// The raw query string, without `?`.
    pub fn query(&self) -> Option<&str> {
        self.text.query()
    }

    /// Request headers, credential values redacted.
    pub fn headers(&self) -> PairsRef<'_> {
        self.text.headers()
    }

    /// The body as text (cut to the journal's bound, credentials redacted).
    pub fn body(&self) -> Option<&str> {
        self.text.body()
    }

    /// Path parameters under the names of the template that matched (a
    /// secret one redacted).
    pub fn path_params(&self) -> PairsRef<'_> {
        self.text.path_params()
    }

    /// Keep only the first `keep` bytes of the path, saying how long it was
    /// (a refused request's path can be as long as the head limit).
    pub fn cut_path(&mut self, keep: usize) {
        let path = self.path();
        if path.len() <= keep {
            return;
        }
        let mut end = keep;
        while !path.is_char_boundary(end) {
            end -= 1;
        }
        let cut = format!("{}...({} bytes)", &path[..end], path.len());
        self.text = self.text.with_path(&cut);
    }

    /// What the entry holds in memory, allocator overhead included: the
    /// budget is real bytes, so `--journal-size` bounds the process's growth.
    fn size(&self) -> usize {
        let violations = |list: &Vec<Violation>| {
            list.capacity() * std::mem::size_of::<Violation>()
                + list
                    .iter()
                    .map(|v| heap(v.location.capacity()) + heap(v.message.capacity()))
                    .sum::<usize>()
        };
        // `operation` is shared with the contract's operation: not counted.
        // Its slot in the ring is counted with the ring's spare ones, its
        // text as its part of a chunk. `http` keeps a method name of up to
        // 15 bytes inline.
        heap(if self.method.as_str().len() > 15 {
            self.method.as_str().len()
        } else {
            0
        }) + self.text.heap_bytes()
            + self.chaos.as_ref().map_or(0, |c| heap(c.capacity()))
            + heap(violations(&self.violations))
            + heap(violations(&self.warnings))
            + heap(violations(&self.response_violations))
            + self.response.size()
            + self
                .callback
                .as_ref()
                .map_or(0, |c| heap(std::mem::size_of::<CallbackInfo>()) + c.size())
    }
}

/// Heap bytes of a pair list: its one allocation.
fn pairs_size(h: &Pairs) -> usize {
    heap(h.heap_bytes())
}

/// Bytes the allocator takes for an allocation of `n` bytes: glibc and most
/// allocators round to 16 with 8 bytes of header and a 32-byte minimum.
fn heap(n: usize) -> usize {
    if n == 0 {
        0
    } else {
        ((n + 8 + 15) & !15).max(32)
    }
}

#[derive(Debug, Default, Clone)]
struct Counter {
    calls: u64,
    /// Of those, answered by the real API (partial mocking): their
    /// statuses are not the mock's, so they are not counted as exercised.
    forwarded: u64,
    statuses: BTreeMap<u16, u64>,
    violating: u64,
    /// Answers chaos replaced (or faulted).
    chaos: u64,
    /// A few violation messages, for reports after the ring has wrapped.
    samples: Vec<String>,
}

impl Counter {
    /// Count one request of this operation.
    fn count(&mut self, entry: &JournalEntry) {
        self.calls += 1;
        // A status chaos put in, or the real API's, is not one the mock was
        // seen to answer.
        if entry.chaos.is_some() {
            self.chaos += 1;
        } else if entry.forwarded {
            self.forwarded += 1;
        } else {
            *self.statuses.entry(entry.status).or_default() += 1;
        }
        if !entry.violations.is_empty() {
            self.violating += 1;
            for v in &entry.violations {
                let s = v.to_string();
                if self.samples.len() < MAX_SAMPLES && !self.samples.contains(&s) {
                    self.samples.push(s);
                }
            }
        }
    }
}

const MAX_SAMPLES: usize = 10;
const MAX_UNROUTED_KINDS: usize = 1_000;

#[derive(Debug, Default)]
struct Inner {
    /// Its slots, spare ones too, count toward the budget: a ring rotates
    /// through all of its capacity, so every slot it grew to is resident.
    entries: VecDeque<JournalEntry>,
    bytes: usize,
    next_id: u64,
    dropped: u64,
    counters: foldhash::HashMap<String, Counter>,
    unrouted: BTreeMap<(String, String), (u64, u16)>,
    /// Requests no operation matched that the real API answered.
    forwarded: BTreeMap<(String, String), (u64, u16)>,
    requests: u64,
    violating: u64,
    /// Callbacks and webhooks sent, and those whose answer broke the contract.
    callbacks: u64,
    violating_callbacks: u64,
}

impl Inner {
    /// Bytes the ring holds: its entries and all its slots.
    fn held(&self) -> usize {
        self.bytes + heap(self.entries.capacity() * std::mem::size_of::<JournalEntry>())
    }
}

/// The journal: entries in a bounded ring, counters apart.
#[derive(Debug)]
pub struct Journal {
    inner: Mutex<Inner>,
    limits: JournalLimits,
    /// Field usage, counted apart from the ring.
    usage: crate::usage::Usage,
}

/// Which entries to list.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Filter {
    /// `operationId`, `document/operationId`.
    pub operation: Option<String>,
    /// Only requests answered with this status.
    pub status: Option<u16>,
    /// Only requests that broke the contract.
    #[serde(default)]
    pub violations: bool,
    /// At most this many, newest last.
    pub limit: Option<usize>,
}

impl Journal {
    /// An empty journal with these bounds.
    pub fn new(limits: JournalLimits) -> Journal {
        Journal {
            inner: Mutex::new(Inner {
                next_id: 1,
                ..Inner::default()
            }),
            limits,
            usage: Default::default(),
        }
    }

    /// The limits in force.
    pub fn limits(&self) -> JournalLimits {
        self.limits
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        // A panic while holding the lock cannot leave the ring inconsistent in
        // a way that matters; keep serving.
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Cut a body to the journal's bound (on a character boundary).
    pub fn cut_body(&self, body: String) -> (String, bool) {
        match self.body_kept(&body) {
            (_, false) => (body, false),
            (kept, true) => (kept.to_string(), true),
        }
    }

    /// What the journal keeps of a body: its first bytes up to the bound,
    /// and whether it was cut.
    pub fn body_kept<'b>(&self, body: &'b str) -> (&'b str, bool) {
        if body.len() <= self.limits.max_body {
            return (body, false);
        }
        let mut end = self.limits.max_body;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        (&body[..end], true)
    }

    /// Append an entry (its `id` and `time` are set here) and count it.
    pub fn record(&self, mut entry: JournalEntry) -> u64 {
        entry.time = Timestamp::now();
        let mut inner = self.lock();
        entry.id = inner.next_id;
        inner.next_id += 1;
        let violating = !entry.violations.is_empty();
        // A callback is counted apart from the requests served; a refused
        // one (never sent) is no call at all.
        let refused = match &entry.callback {
            None => {
                inner.requests += 1;
                inner.violating += u64::from(violating);
                false
            }
            Some(cb) if cb.refused.is_some() => true,
            Some(_) => {
                inner.callbacks += 1;
                inner.violating_callbacks += u64::from(violating);
                false
            }
        };
        match &entry.operation {
            _ if refused => {}
            Some(op) => {
                // Looked up first: no key allocated on the hot path.
                match inner.counters.get_mut(&**op) {
                    Some(c) => c.count(&entry),
                    None => {
                        let mut c = Counter::default();
                        c.count(&entry);
                        inner.counters.insert(op.to_string(), c);
                    }
                }
            }
            None => {
                let key = (entry.method.to_string(), entry.path().to_string());
                let map = if entry.forwarded {
                    &mut inner.forwarded
                } else {
                    &mut inner.unrouted
                };
                let known = map.contains_key(&key);
                if known || map.len() < MAX_UNROUTED_KINDS {
                    let slot = map.entry(key).or_insert((0, entry.status));
                    slot.0 += 1;
                }
            }
        }
        let size = entry.size();
        let id = entry.id;
        inner.bytes += size;
        inner.entries.push_back(entry);
        while inner.entries.len() > self.limits.max_entries || inner.held() > self.limits.max_bytes
        {
            match inner.entries.pop_front() {
                Some(old) => {
                    inner.bytes = inner.bytes.saturating_sub(old.size());
                    inner.dropped += 1;
                }
                None => break,
            }
        }
        id
    }

    /// Entries matching a filter, oldest first.
    pub fn entries(&self, filter: &Filter) -> Vec<JournalEntry> {
        let inner = self.lock();
        // Newest first, so that a limit clones only what it keeps.
        let mut out: Vec<JournalEntry> = inner
            .entries
            .iter()
            .rev()
            .filter(|e| {
                filter.operation.as_ref().is_none_or(|want| {
                    e.operation.as_deref().is_some_and(|op| {
                        op == want || op.rsplit('/').next() == Some(want.as_str())
                    })
                }) && filter.status.is_none_or(|s| e.status == s)
                    && (!filter.violations || !e.violations.is_empty())
            })
            .take(filter.limit.unwrap_or(usize::MAX))
            .cloned()
            .collect();
        out.reverse();
        out
    }

    /// How many entries the ring holds, and how many it has dropped.
    pub fn stats(&self) -> JournalStats {
        let inner = self.lock();
        JournalStats {
            entries: inner.entries.len(),
            bytes: inner.held(),
            dropped: inner.dropped,
            requests: inner.requests,
            violating_requests: inner.violating,
            unrouted_requests: inner.unrouted.values().map(|(n, _)| n).sum(),
            callbacks: inner.callbacks,
            violating_callbacks: inner.violating_callbacks,
        }
    }

    /// Forget everything: entries and counters.
    pub fn reset(&self) {
        let mut inner = self.lock();
        *inner = Inner {
            next_id: 1,
            ..Inner::default()
        };
        self.usage.reset();
    }

    /// The field usage counters.
    pub fn usage(&self) -> &crate::usage::Usage {
        &self.usage
    }

    /// Check that requests to an operation were seen as expected. Counts come
    /// from the counters (exact even after the ring wrapped) unless the
    /// expectation filters on something only entries know.
    pub fn verify(&self, contract: &Contract, v: &Verification) -> VerifyResult {
        let qualified = contract
            .operation(&v.operation)
            .or_else(|| contract.callback_operation(&v.operation))
            .map(|o| o.qualified_id());
        let seen = match &qualified {
            None => 0,
            Some(q) => {
                let inner = self.lock();
                let c = inner.counters.get(q);
                match (v.status, v.violations) {
                    (None, None) => c.map_or(0, |c| c.calls),
                    (Some(s), None) => c.and_then(|c| c.statuses.get(&s).copied()).unwrap_or(0),
                    (None, Some(true)) => c.map_or(0, |c| c.violating),
                    (None, Some(false)) => c.map_or(0, |c| c.calls - c.violating),
                    (Some(s), Some(flag)) => inner
                        .entries
                        .iter()
                        .filter(|e| {
                            e.operation.as_deref() == Some(q)
                                && e.status == s
                                && e.violations.is_empty() != flag
                        })
                        .count() as u64,
                }
            }
        };
        let count = v.count.unwrap_or(Count {
            at_least: Some(1),
            at_most: None,
            exactly: None,
        });
        let ok = qualified.is_some()
            && count.exactly.is_none_or(|n| seen == n)
            && count.at_least.is_none_or(|n| seen >= n)
            && count.at_most.is_none_or(|n| seen <= n);
        let message = match &qualified {
            None => format!("no loaded operation is called \"{}\"", v.operation),
            Some(q) => format!(
                "{q}: seen {seen} matching request(s), expected {}",
                count.describe()
            ),
        };
        VerifyResult {
            ok,
            seen,
            expected: count,
            operation: qualified,
            message,
        }
    }
}

/// What `verify` checks.
#[derive(Debug, Clone, Deserialize, Serialize)]
pub struct Verification {
    /// `operationId` or `document/operationId`.
    pub operation: String,
    /// Only requests answered with this status.
    #[serde(default)]
    pub status: Option<u16>,
    /// `true`: only requests that broke the contract; `false`: only ones that kept it.
    #[serde(default)]
    pub violations: Option<bool>,
    /// Default: at least one.
    #[serde(default)]
    pub count: Option<Count>,
}

impl Verification {
    /// Expect requests to an operation (at least one unless `count` says otherwise).
    pub fn operation(id: &str) -> Verification {
        Verification {
            operation: id.to_string(),
            status: None,
            violations: None,
            count: None,
        }
    }

    /// Expect exactly `n`.
    pub fn times(mut self, n: u64) -> Verification {
        self.count = Some(Count {
            exactly: Some(n),
            at_least: None,
            at_most: None,
        });
        self
    }
}

/// Bounds on a count.
#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct Count {
    /// At least this many.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at_least: Option<u64>,
    /// At most this many.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub at_most: Option<u64>,
    /// Exactly this many.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub exactly: Option<u64>,
}

impl Count {
    fn describe(&self) -> String {
        let mut parts = Vec::new();
        if let Some(n) = self.exactly {
            parts.push(format!("exactly {n}"));
        }
        if let Some(n) = self.at_least {
            parts.push(format!("at least {n}"));
        }
        if let Some(n) = self.at_most {
            parts.push(format!("at most {n}"));
        }
        if parts.is_empty() {
            "any number".into()
        } else {
            parts.join(" and ")
        }
    }
}

/// The outcome of `verify`.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyResult {
    /// The expectation was met.
    pub ok: bool,
    /// How many matching requests were seen.
    pub seen: u64,
    /// The count that was expected.
    pub expected: Count,
    /// The operation as `document/operationId`; `None` when no loaded operation has that id.
    pub operation: Option<String>,
    /// What was seen against what was expected, in words.
    pub message: String,
}

/// Journal occupancy.
#[derive(Debug, Clone, Serialize)]
pub struct JournalStats {
    /// Entries the ring holds now.
    pub entries: usize,
    /// Bytes those entries take.
    pub bytes: usize,
    /// Entries dropped from the ring to stay within its bounds.
    pub dropped: u64,
    /// Requests received since start or the last reset.
    pub requests: u64,
    /// Of those, requests that broke the contract.
    pub violating_requests: u64,
    /// Of those, requests that matched no operation.
    pub unrouted_requests: u64,
    /// Callbacks and webhooks sent (refused ones are not).
    pub callbacks: u64,
    /// Of those, the ones whose answer broke the contract.
    pub violating_callbacks: u64,
}

/// RFC 3339 in UTC with milliseconds.
pub fn rfc3339(t: SystemTime) -> String {
    crate::clock::rfc3339_millis(t)
}

/// Microseconds of a duration, saturating.
pub fn micros(d: Duration) -> u64 {
    u64::try_from(d.as_micros()).unwrap_or(u64::MAX)
}

/// The units a size may carry, longest first so `MiB` is not read as `B`:
/// decimal (kB, MB, GB: powers of 1000) and binary (KiB, MiB, GiB: powers
/// of 1024); a plain number is bytes.
const SIZE_UNITS: &[(&str, usize)] = &[
    ("gib", 1 << 30),
    ("mib", 1 << 20),
    ("kib", 1 << 10),
    ("gb", 1_000_000_000),
    ("mb", 1_000_000),
    ("kb", 1_000),
    ("b", 1),
];

/// Parse a size such as `2MB` (2,000,000 bytes), `2MiB` (2,097,152),
/// `512KiB` or `100000` (bytes); units in any case.
pub fn parse_size(s: &str) -> Result<usize, String> {
    let t = s.trim();
    let lower = t.to_ascii_lowercase();
    let (num, mult) = SIZE_UNITS
        .iter()
        .find_map(|(suffix, m)| lower.strip_suffix(suffix).map(|n| (n.trim(), *m)))
        .unwrap_or((lower.as_str(), 1));
    let bad = || {
        format!(
            "\"{t}\" is not a size: give a whole number of bytes (100000) or one with a unit, \
             decimal kB, MB, GB (1000, 1000^2, 1000^3 bytes) or binary KiB, MiB, GiB (1024, 1024^2, 1024^3), e.g. 2MB or 4MiB"
        )
    };
    let n: usize = num.parse().map_err(|_| bad())?;
    n.checked_mul(mult)
        .ok_or_else(|| format!("\"{t}\" is too large a size"))
}

#[cfg(test)]
mod tests {
    use super::parse_size;

    #[test]
    fn sizes_decimal_binary_and_bytes() {
        assert_eq!(parse_size("2MB"), Ok(2_000_000));
        assert_eq!(parse_size("2mb"), Ok(2_000_000));
        assert_eq!(parse_size("2 MiB"), Ok(2 * 1024 * 1024));
        assert_eq!(parse_size("3kB"), Ok(3_000));
        assert_eq!(parse_size("3KiB"), Ok(3_072));
        assert_eq!(parse_size("1GB"), Ok(1_000_000_000));
        assert_eq!(parse_size("1GiB"), Ok(1 << 30));
        assert_eq!(parse_size("100000"), Ok(100_000));
        assert_eq!(parse_size("7B"), Ok(7));
    }

    #[test]
    fn a_bad_size_lists_the_accepted_units() {
        let e = parse_size("2XB").unwrap_err();
        assert!(e.starts_with("\"2XB\" is not a size"), "{e}");
        for unit in ["kB", "MB", "GB", "KiB", "MiB", "GiB", "bytes"] {
            assert!(e.contains(unit), "{unit} missing from: {e}");
        }
        assert!(parse_size("MB").is_err());
        assert!(parse_size("-1MB").is_err());
    }
}
