//! Field usage counters, kept beside the journal (not in its bounded ring:
//! nothing is lost when it wraps), and the field coverage they give.

use std::collections::BTreeMap;
use std::hash::BuildHasher;
use std::sync::Mutex;

use foldhash::HashMap;

use serde::Serialize;
use serde_json::Value;

use super::catalog::{Catalog, MarkKind};
use super::observe::Hits;
use crate::spec::Operation;

/// Distinct response bodies remembered per operation: an example or a
/// fixture is walked once, not on every request.
const MAX_CACHED_BODIES: usize = 256;

/// Largest response body walked for field usage.
const MAX_WALKED_BODY: usize = 1 << 20;

#[derive(Debug, Default)]
struct OpUsage {
    counts: Vec<u64>,
    /// (status, body hash) -> the marks that body hit.
    bodies: HashMap<(u16, u64), Vec<u32>>,
}

/// Field usage of every operation since start or the last reset.
#[derive(Debug, Default)]
pub struct Usage {
    ops: Mutex<HashMap<String, OpUsage>>,
    /// Whether exchanges are counted at all (`--no-field-coverage` turns it off).
    counting: std::sync::atomic::AtomicBool,
}

/// What one answer was, as the usage counters read it.
#[derive(Debug, Clone, Copy)]
pub struct Served<'a> {
    /// The status answered.
    pub status: u16,
    /// Its `Content-Type`, if any.
    pub content_type: Option<&'a str>,
    /// Its body.
    pub body: &'a [u8],
}

impl Usage {
    /// Count one exchange: the request's hits and the response's.
    pub fn record(&self, op: &Operation, catalog: &Catalog, request: &Hits, served: Served) {
        let mut ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        let u = match ops.get_mut(op.qualified()) {
            Some(u) => u,
            None => ops.entry(op.qualified().to_string()).or_default(),
        };
        if u.counts.len() < catalog.marks().len() {
            u.counts.resize(catalog.marks().len(), 0);
        }
        // `get_mut`: hits of another contract's catalogue (a reload between
        // the request and its count) cost a miscount, never a panic.
        for m in &request.0 {
            if let Some(c) = u.counts.get_mut(*m as usize) {
                *c += 1;
            }
        }
        let Some(declared) = op.declared_for(served.status) else {
            return;
        };
        let media = served.content_type.unwrap_or("");
        if served.body.is_empty()
            || served.body.len() > MAX_WALKED_BODY
            || !crate::media::is_json(media)
        {
            return;
        }
        let key = (served.status, hash(served.body));
        let OpUsage { counts, bodies } = u;
        if let Some(marks) = bodies.get(&key) {
            for m in marks {
                if let Some(c) = counts.get_mut(*m as usize) {
                    *c += 1;
                }
            }
            return;
        }
        let marks = {
            {
                // Parsed only when it is a new body; onto a tape, as request
                // bodies are (a large generated answer parses 5x faster).
                let Ok(tape) = crate::instance::Tape::parse(served.body) else {
                    return;
                };
                let mut hits = Hits::default();
                let status = declared.status.to_string();
                catalog.observe_response(&status, media, (&tape).into(), &mut hits);
                if bodies.len() < MAX_CACHED_BODIES {
                    bodies.insert(key, hits.0.clone());
                }
                hits.0
            }
        };
        for m in marks {
            if let Some(c) = counts.get_mut(m as usize) {
                *c += 1;
            }
        }
    }

    /// Say whether exchanges are counted (coverage says so, so that "not
    /// counted" never reads as "nothing used").
    pub fn set_counting(&self, on: bool) {
        self.counting
            .store(on, std::sync::atomic::Ordering::Relaxed);
    }

    /// True when exchanges are counted.
    pub fn counting(&self) -> bool {
        self.counting.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// Forget everything counted.
    pub fn reset(&self) {
        self.ops.lock().unwrap_or_else(|p| p.into_inner()).clear();
    }

    /// The field coverage of one operation.
    pub fn coverage(&self, op: &Operation, catalog: &Catalog) -> FieldCoverage {
        let ops = self.ops.lock().unwrap_or_else(|p| p.into_inner());
        let counts = ops
            .get(op.qualified())
            .map(|u| &u.counts[..])
            .unwrap_or(&[]);
        FieldCoverage::of(catalog, counts)
    }
}

fn hash(bytes: &[u8]) -> u64 {
    foldhash::fast::FixedState::default().hash_one(bytes)
}

/// Which fields of one operation were used.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct FieldCoverage {
    /// Fields declared (parameters and body properties).
    pub total: usize,
    /// Fields used at least once, by name, in catalogue order.
    pub used: Vec<String>,
    /// Fields never used.
    pub unused: Vec<String>,
    /// `used / total`, floored to a whole percent (100 when nothing is declared).
    pub percent: u64,
    /// Enum values used, by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub enums: BTreeMap<String, Vec<String>>,
    /// Enum values never used, by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub enums_unused: BTreeMap<String, Vec<String>>,
    /// `oneOf`/`anyOf` branches matched or served (`oneOf/0`), by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub branches: BTreeMap<String, Vec<String>>,
    /// Branches never matched or served, by field.
    #[serde(skip_serializing_if = "BTreeMap::is_empty")]
    pub branches_unused: BTreeMap<String, Vec<String>>,
    /// True when the operation declares more fields than are tracked.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub truncated: bool,
}

impl FieldCoverage {
    fn of(catalog: &Catalog, counts: &[u64]) -> FieldCoverage {
        let mut c = FieldCoverage {
            truncated: catalog.truncated,
            ..FieldCoverage::default()
        };
        for (i, m) in catalog.marks().iter().enumerate() {
            let used = counts.get(i).is_some_and(|n| *n > 0);
            match &m.kind {
                MarkKind::Field => {
                    c.total += 1;
                    if used { &mut c.used } else { &mut c.unused }
                        .push(catalog.mark_name(m).to_owned());
                }
                MarkKind::EnumValue(_, v) => {
                    let shown = serde_json::from_str::<Value>(v)
                        .ok()
                        .and_then(|v| v.as_str().map(str::to_string))
                        .unwrap_or_else(|| v.clone());
                    if used {
                        &mut c.enums
                    } else {
                        &mut c.enums_unused
                    }
                    .entry(catalog.mark_name(m).to_owned())
                    .or_default()
                    .push(shown);
                }
                MarkKind::Branch(_, b) => {
                    if used {
                        &mut c.branches
                    } else {
                        &mut c.branches_unused
                    }
                    .entry(catalog.mark_name(m).to_owned())
                    .or_default()
                    .push(b.clone());
                }
            }
        }
        c.percent = match c.total {
            0 => 100,
            t => (c.used.len() as u64 * 100) / t as u64,
        };
        c
    }
}
