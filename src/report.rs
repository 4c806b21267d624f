//! Reports for CI: JSON (coverage, counters, the requests that broke the
//! contract) and JUnit XML (one test case per operation: failed when a request
//! to it broke the contract, skipped when never called; one more for
//! requests that matched no operation). Written atomically on shutdown and on
//! `POST /__specmock/report`.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use crate::contract::Contract;
use crate::journal::{Coverage, Filter, Journal, rfc3339};

/// Where to write reports.
#[derive(Debug, Clone, Default)]
pub struct ReportPaths {
    /// The JSON report (`--report-json FILE`).
    pub json: Option<PathBuf>,
    /// The JUnit XML report (`--report-junit FILE`).
    pub junit: Option<PathBuf>,
}

impl ReportPaths {
    /// True when no report is asked for.
    pub fn is_empty(&self) -> bool {
        self.json.is_none() && self.junit.is_none()
    }
}

/// Write every report asked for; returns the files written.
pub fn write_reports(
    paths: &ReportPaths,
    contract: &Contract,
    journal: &Journal,
) -> std::io::Result<Vec<PathBuf>> {
    let mut written = Vec::new();
    if paths.is_empty() {
        return Ok(written);
    }
    let coverage = journal.coverage(contract);
    if let Some(p) = &paths.json {
        let v = json_report(&coverage, journal, contract);
        write_atomic(p, &serde_json::to_vec_pretty(&v).unwrap_or_default())?;
        written.push(p.clone());
    }
    if let Some(p) = &paths.junit {
        write_atomic(p, junit(&coverage).as_bytes())?;
        written.push(p.clone());
    }
    Ok(written)
}

/// The JSON report; its `interactions` (the distinct exchanges that kept
/// the contract, redacted) are what `specmock export` reads.
pub fn json_report(coverage: &Coverage, journal: &Journal, contract: &Contract) -> Value {
    let failing = journal.entries(&Filter {
        violations: true,
        limit: Some(200),
        ..Filter::default()
    });
    json!({
        "generated": rfc3339(std::time::SystemTime::now()),
        "passed": coverage.summary.violating_requests == 0 && coverage.summary.unrouted_requests == 0,
        "summary": coverage.summary,
        "journal": journal.stats(),
        "operations": coverage.operations,
        "uncovered": coverage.uncovered,
        "unrouted": coverage.unrouted,
        "violatingRequests": failing,
        "interactions": crate::export::interactions(contract, journal),
    })
}

/// The JSON report a live server would write now: what the live exports
/// (`GET /__specmock/export/...`, `MockServer`) read.
pub fn live_report(contract: &Contract, journal: &Journal) -> Value {
    json_report(&journal.coverage(contract), journal, contract)
}

/// The JUnit XML report (the Surefire schema that Jenkins, GitLab CI, GitHub
/// Actions reporters, Azure Pipelines and CircleCI read).
pub fn junit(coverage: &Coverage) -> String {
    let mut cases = String::new();
    let (mut failures, mut skipped, mut tests) = (0usize, 0usize, 0usize);
    for op in &coverage.operations {
        tests += 1;
        let name = match op.kind {
            // A request the API sends: the consumer's answers are what is judged.
            Some(kind) => format!("{kind} {} {} ({})", op.method, op.path, op.operation),
            None => format!("{} {} ({})", op.method, op.path, op.operation),
        };
        cases.push_str(&format!(
            "    <testcase classname=\"specmock.{}\" name=\"{}\" time=\"0\">\n",
            xml(&op.document),
            xml(&name)
        ));
        if op.called == 0 {
            skipped += 1;
            cases.push_str("      <skipped message=\"never called\"/>\n");
        } else if op.violations > 0 {
            failures += 1;
            let what = if op.kind.is_some() {
                "answer(s) of the consumer"
            } else {
                "request(s)"
            };
            let message = format!(
                "{} of {} {what} broke the contract",
                op.violations, op.called
            );
            cases.push_str(&format!(
                "      <failure message=\"{}\" type=\"ContractViolation\">{}</failure>\n",
                xml(&message),
                xml(&op.violation_samples.join("\n"))
            ));
        }
        let statuses: Vec<String> = op
            .statuses
            .iter()
            .map(|(k, v)| format!("{k} x{v}"))
            .collect();
        cases.push_str(&format!(
            "      <system-out>{}</system-out>\n    </testcase>\n",
            xml(&format!(
                "called {} time(s); statuses: {}; never answered: {}; fields used: {}/{} ({}%); never used: {}",
                op.called,
                if statuses.is_empty() {
                    "none".into()
                } else {
                    statuses.join(", ")
                },
                if op.unexercised.is_empty() {
                    "none".into()
                } else {
                    op.unexercised.join(", ")
                },
                op.fields.used.len(),
                op.fields.total,
                op.fields.percent,
                if op.fields.unused.is_empty() {
                    "none".into()
                } else {
                    op.fields.unused.join(", ")
                }
            ))
        ));
    }
    tests += 1;
    cases.push_str("    <testcase classname=\"specmock\" name=\"requests matched an operation of the contract\" time=\"0\">\n");
    if !coverage.unrouted.is_empty() {
        failures += 1;
        let list: Vec<String> = coverage
            .unrouted
            .iter()
            .map(|u| format!("{} {} -> {} (x{})", u.method, u.path, u.status, u.count))
            .collect();
        cases.push_str(&format!(
            "      <failure message=\"{}\" type=\"UnmatchedRequest\">{}</failure>\n",
            xml(&format!(
                "{} request(s) matched no operation",
                coverage.summary.unrouted_requests
            )),
            xml(&list.join("\n"))
        ));
    }
    cases.push_str("    </testcase>\n");
    format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"specmock\" tests=\"{tests}\" failures=\"{failures}\" skipped=\"{skipped}\">\n  <testsuite name=\"specmock contract\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"{skipped}\" timestamp=\"{}\">\n{cases}  </testsuite>\n</testsuites>\n",
        xml(&rfc3339(std::time::SystemTime::now()))
    )
}

/// Escape text for XML content and attributes; drop characters XML 1.0 forbids.
pub(crate) fn xml(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            '\t' | '\n' | '\r' => out.push(c),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => {}
            c => out.push(c),
        }
    }
    out
}

/// Write a file atomically: a temporary file in the same folder, then rename.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir)?;
    let mut tmp = tempfile::NamedTempFile::new_in(dir)?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn xml_escaping() {
        assert_eq!(xml("a<b>&\"c'\u{1}"), "a&lt;b&gt;&amp;&quot;c&apos;");
    }
}
