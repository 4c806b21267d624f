//! Coverage: which operations were called, which declared statuses
//! answered, which fields used; from the counters beside the ring.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Journal;
use crate::contract::Contract;
use crate::spec::StatusKey;

impl Journal {
    /// Coverage of every operation of the contract.
    pub fn coverage(&self, contract: &Contract) -> Coverage {
        let inner = self.lock();
        let mut operations = Vec::new();
        let mut uncovered = Vec::new();
        // Callbacks and webhooks are operations of the contract too: the
        // consumer answers them.
        let sent = contract
            .callbacks()
            .map(|c| (&c.operation, Some(c.kind.as_str())));
        let served = contract.operations().map(|o| (o, None));
        for (op, kind) in served.chain(sent) {
            let qualified = op.qualified_id();
            let c = inner.counters.get(&qualified).cloned().unwrap_or_default();
            let declared: Vec<String> = op.responses.iter().map(|r| r.status.to_string()).collect();
            let explicit: Vec<u16> = op
                .responses
                .iter()
                .filter_map(|r| {
                    if let StatusKey::Code(c) = r.status {
                        Some(c)
                    } else {
                        None
                    }
                })
                .collect();
            let unexercised = op
                .responses
                .iter()
                .filter(|r| match r.status {
                    StatusKey::Code(code) => !c.statuses.contains_key(&code),
                    StatusKey::Range(n) => !c
                        .statuses
                        .keys()
                        .any(|s| s / 100 == n as u16 && !explicit.contains(s)),
                    StatusKey::Default => !c.statuses.keys().any(|s| {
                        !op.responses
                            .iter()
                            .any(|r| r.status != StatusKey::Default && r.status.covers(*s))
                    }),
                })
                .map(|r| r.status.to_string())
                .collect();
            if c.calls == 0 {
                uncovered.push(op.display_id.clone());
            }
            operations.push(OperationCoverage {
                kind,
                operation: op.display_id.clone(),
                qualified,
                document: op.document.clone(),
                method: op.method.to_string(),
                path: op.route.clone(),
                called: c.calls,
                forwarded: c.forwarded,
                statuses: c
                    .statuses
                    .iter()
                    .map(|(k, v)| (k.to_string(), *v))
                    .collect(),
                declared,
                unexercised,
                violations: c.violating,
                chaos: c.chaos,
                violation_samples: c.samples.clone(),
                fields: self.usage.coverage(op, contract.catalog(op)),
            });
        }
        let listed = |map: &BTreeMap<(String, String), (u64, u16)>| -> Vec<Unrouted> {
            map.iter()
                .map(|((m, p), (n, s))| Unrouted {
                    method: m.clone(),
                    path: p.clone(),
                    count: *n,
                    status: *s,
                })
                .collect()
        };
        let unrouted = listed(&inner.unrouted);
        let forwarded = listed(&inner.forwarded);
        let covered = operations.iter().filter(|o| o.called > 0).count();
        let statuses = operations.iter().map(|o| o.declared.len()).sum::<usize>();
        let unexercised = operations
            .iter()
            .map(|o| o.unexercised.len())
            .sum::<usize>();
        Coverage {
            summary: CoverageSummary {
                operations: operations.len(),
                covered,
                requests: inner.requests,
                violating_requests: inner.violating,
                callbacks: inner.callbacks,
                violating_callbacks: inner.violating_callbacks,
                unrouted_requests: unrouted.iter().map(|u| u.count).sum(),
                statuses,
                statuses_exercised: statuses - unexercised,
                fields: operations.iter().map(|o| o.fields.total).sum(),
                fields_used: operations.iter().map(|o| o.fields.used.len()).sum(),
                fields_counted: self.usage().counting(),
                chaos_requests: operations.iter().map(|o| o.chaos).sum(),
                forwarded_requests: inner.forwarded.values().map(|(n, _)| n).sum::<u64>()
                    + inner.counters.values().map(|c| c.forwarded).sum::<u64>(),
            },
            operations,
            uncovered,
            unrouted,
            forwarded,
        }
    }
}

/// Coverage of the loaded operations.
#[derive(Debug, Clone, Serialize)]
pub struct Coverage {
    /// Totals over the whole contract.
    pub summary: CoverageSummary,
    /// Each loaded operation, called or not.
    pub operations: Vec<OperationCoverage>,
    /// Operations never called.
    pub uncovered: Vec<String>,
    /// Requests that matched no operation.
    pub unrouted: Vec<Unrouted>,
    /// Requests that matched no operation and were answered by the real
    /// API (`--upstream-unmatched`): the mock's coverage does not count them.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub forwarded: Vec<Unrouted>,
}

fn is_zero(n: &u64) -> bool {
    *n == 0
}

/// Totals of a [`Coverage`].
#[derive(Debug, Clone, Serialize)]
pub struct CoverageSummary {
    /// Operations loaded.
    pub operations: usize,
    /// Operations called at least once.
    pub covered: usize,
    /// Requests received since start or the last reset.
    pub requests: u64,
    /// Of those, requests that broke the contract.
    pub violating_requests: u64,
    /// Of those, requests that matched no operation.
    pub unrouted_requests: u64,
    /// Callbacks and webhooks sent (a refused one is not).
    pub callbacks: u64,
    /// Of those, the ones the consumer's answer broke the contract in.
    pub violating_callbacks: u64,
    /// Declared status keys, over every operation.
    pub statuses: usize,
    /// Of those, answered at least once.
    pub statuses_exercised: usize,
    /// Declared fields (parameters, body properties), over every operation.
    pub fields: usize,
    /// Of those, used at least once.
    pub fields_used: usize,
    /// False when field usage is not counted (`--no-field-coverage`): the
    /// fields are listed, none as used.
    pub fields_counted: bool,
    /// Requests the real API answered (partial mocking).
    pub forwarded_requests: u64,
    /// Answers `--chaos` (or `--fault-rate`) replaced: their statuses are
    /// not counted as exercised.
    #[serde(skip_serializing_if = "is_zero")]
    pub chaos_requests: u64,
}

impl CoverageSummary {
    /// Operations called, in whole percent (floored; 100 of nothing).
    pub fn operations_percent(&self) -> u64 {
        percent(self.covered, self.operations)
    }

    /// Declared statuses answered, in whole percent.
    pub fn statuses_percent(&self) -> u64 {
        percent(self.statuses_exercised, self.statuses)
    }

    /// Declared fields used, in whole percent.
    pub fn fields_percent(&self) -> u64 {
        percent(self.fields_used, self.fields)
    }
}

/// `part / whole` in whole percent, floored; 100 when there is nothing.
pub fn percent(part: usize, whole: usize) -> u64 {
    match whole {
        0 => 100,
        w => (part as u64 * 100) / w as u64,
    }
}

/// Coverage of one operation.
#[derive(Debug, Clone, Serialize)]
pub struct OperationCoverage {
    /// `callback` or `webhook` for a request the API sends; absent for an operation it serves.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<&'static str>,
    /// How the operation is named to users: the bare `operationId` when unique, else `document/operationId`.
    pub operation: String,
    /// `document/operationId`.
    pub qualified: String,
    /// The document it belongs to.
    pub document: String,
    /// Its method, upper-case.
    pub method: String,
    /// Its path template, as routed.
    pub path: String,
    /// Requests routed to it.
    pub called: u64,
    /// Of those, answered by the real API (`--passthrough`); their
    /// statuses are not counted as exercised.
    #[serde(skip_serializing_if = "is_zero")]
    pub forwarded: u64,
    /// Status codes answered, with counts.
    pub statuses: BTreeMap<String, u64>,
    /// Status keys the document declares.
    pub declared: Vec<String>,
    /// Declared status keys never answered.
    pub unexercised: Vec<String>,
    /// Requests that broke the contract.
    pub violations: u64,
    /// Answers chaos replaced (not counted in `statuses`).
    #[serde(skip_serializing_if = "is_zero")]
    pub chaos: u64,
    /// A few of the violations seen, as `location: message`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub violation_samples: Vec<String>,
    /// Which of its fields (parameters, body properties, enum values,
    /// branches) requests and answers used.
    pub fields: crate::usage::FieldCoverage,
}

/// Requests that matched no operation, counted by method and path.
#[derive(Debug, Clone, Serialize)]
pub struct Unrouted {
    /// The request method.
    pub method: String,
    /// The request path.
    pub path: String,
    /// Requests seen with this method and path.
    pub count: u64,
    /// The status the first of them was answered with (404 or 405).
    pub status: u16,
}

impl Coverage {
    /// Only the operations `scope` names (bare, qualified or display ids; an
    /// empty scope keeps all), the summary's operation, status and field
    /// totals recounted over them (request counts stay whole).
    pub fn scoped(mut self, scope: &[String]) -> Coverage {
        if scope.is_empty() {
            return self;
        }
        let named = |o: &OperationCoverage| {
            scope.iter().any(|s| {
                *s == o.operation
                    || *s == o.qualified
                    || o.qualified.rsplit_once('/').is_some_and(|(_, id)| id == s)
            })
        };
        self.operations.retain(named);
        self.uncovered = self
            .operations
            .iter()
            .filter(|o| o.called == 0)
            .map(|o| o.operation.clone())
            .collect();
        let ops = &self.operations;
        let s = &mut self.summary;
        s.operations = ops.len();
        s.covered = ops.iter().filter(|o| o.called > 0).count();
        s.statuses = ops.iter().map(|o| o.declared.len()).sum();
        s.statuses_exercised = s.statuses - ops.iter().map(|o| o.unexercised.len()).sum::<usize>();
        s.fields = ops.iter().map(|o| o.fields.total).sum();
        s.fields_used = ops.iter().map(|o| o.fields.used.len()).sum();
        self
    }

    /// The field lists left out (totals and percentages kept): what
    /// `GET /__specmock/coverage` answers without `?detail=fields`.
    pub fn without_field_detail(mut self) -> Coverage {
        for o in &mut self.operations {
            o.fields = crate::usage::FieldCoverage {
                total: o.fields.total,
                percent: o.fields.percent,
                truncated: o.fields.truncated,
                ..Default::default()
            };
        }
        self
    }
}

/// `--min-coverage operations=80,statuses=50,fields=60`: the least coverage
/// `specmock run` accepts, in whole percent.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct MinCoverage {
    /// Operations called.
    pub operations: Option<u64>,
    /// Declared statuses answered.
    pub statuses: Option<u64>,
    /// Declared fields used.
    pub fields: Option<u64>,
}

impl std::str::FromStr for MinCoverage {
    type Err = String;

    fn from_str(s: &str) -> Result<MinCoverage, String> {
        let mut m = MinCoverage::default();
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            let (k, v) = part
                .split_once('=')
                .ok_or_else(|| format!("{part:?}: expected KIND=PERCENT, e.g. operations=80"))?;
            let n: u64 = v
                .trim()
                .trim_end_matches('%')
                .parse()
                .ok()
                .filter(|n| *n <= 100)
                .ok_or_else(|| format!("{part:?}: the percentage must be a whole number 0-100"))?;
            match k.trim() {
                "operations" => m.operations = Some(n),
                "statuses" => m.statuses = Some(n),
                "fields" => m.fields = Some(n),
                other => {
                    return Err(format!(
                        "{other:?} is no coverage kind: use operations, statuses or fields"
                    ));
                }
            }
        }
        Ok(m)
    }
}

/// Most missing items a shortfall lists.
const MAX_LISTED: usize = 20;

impl MinCoverage {
    /// Each threshold `coverage` falls below, with what is missing.
    pub fn shortfalls(&self, coverage: &Coverage) -> Vec<String> {
        let s = &coverage.summary;
        let mut out = Vec::new();
        let listed = |items: Vec<String>| {
            let n = items.len();
            let mut text = items
                .into_iter()
                .take(MAX_LISTED)
                .collect::<Vec<_>>()
                .join(", ");
            if n > MAX_LISTED {
                text.push_str(&format!(", and {} more", n - MAX_LISTED));
            }
            text
        };
        if let Some(min) = self.operations
            && s.operations_percent() < min
        {
            out.push(format!(
                "operations {}% ({}/{}) is below {min}%; never called: {}",
                s.operations_percent(),
                s.covered,
                s.operations,
                listed(coverage.uncovered.clone())
            ));
        }
        if let Some(min) = self.statuses
            && s.statuses_percent() < min
        {
            let missing = coverage
                .operations
                .iter()
                .filter(|o| !o.unexercised.is_empty())
                .map(|o| format!("{} {}", o.operation, o.unexercised.join("/")))
                .collect();
            out.push(format!(
                "statuses {}% ({}/{}) is below {min}%; never answered: {}",
                s.statuses_percent(),
                s.statuses_exercised,
                s.statuses,
                listed(missing)
            ));
        }
        if let Some(min) = self.fields
            && s.fields_percent() < min
        {
            let missing = coverage
                .operations
                .iter()
                .flat_map(|o| {
                    o.fields
                        .unused
                        .iter()
                        .map(move |f| format!("{} {f}", o.operation))
                })
                .collect();
            out.push(format!(
                "fields {}% ({}/{}) is below {min}%; never used: {}",
                s.fields_percent(),
                s.fields_used,
                s.fields,
                listed(missing)
            ));
        }
        out
    }
}
