//! What `specmock diff` writes: text (default), JSON, JUnit XML (one test
//! case per used operation, a failure per used breaking change) and
//! Markdown (a pull-request comment). Used breaking changes lead each.

use std::collections::BTreeSet;
use std::fmt::Write;

use serde_json::{Value, json};

use super::{Change, Diff, Severity};

/// When `specmock diff` exits 1.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum FailOn {
    /// A breaking change this consumer uses (the default with usage input).
    Used,
    /// Any breaking change (the default without usage input).
    Breaking,
    /// Never: only report.
    None,
}

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Format {
    /// Lines for a terminal.
    Text,
    /// One JSON object.
    Json,
    /// JUnit XML for CI test reporters.
    Junit,
    /// A pull-request comment.
    Markdown,
}

/// A finished comparison, with what usage and the fixture check found.
#[derive(Debug)]
pub struct Outcome {
    /// The changes and what was not compared.
    pub diff: Diff,
    /// What OLD was read from.
    pub old: Vec<String>,
    /// What NEW was read from.
    pub new: Vec<String>,
    /// The usage inputs given (`fixture DIR`, `report FILE`); empty: none.
    pub usage: Vec<String>,
    /// OLD operations some usage touches, as `document/operationId`.
    pub used_ops: BTreeSet<String>,
    /// How each used operation is named (`METHOD /route (id)`), same order.
    pub used_names: Vec<(String, String)>,
    /// Fixtures no OLD operation answers.
    pub unmatched_fixtures: Vec<String>,
    /// Fixtures checked against NEW, and each problem (`file: pointer: message`).
    pub fixtures_checked: usize,
    /// The problems of the fixtures against NEW.
    pub fixture_problems: Vec<String>,
    /// When to fail.
    pub fail_on: FailOn,
}

impl Outcome {
    fn count(&self, s: Severity) -> usize {
        self.diff.changes.iter().filter(|c| c.severity == s).count()
    }

    /// Breaking changes some usage touches.
    pub fn used_breaking(&self) -> Vec<&Change> {
        self.breaking().filter(|c| c.used()).collect()
    }

    fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.diff
            .changes
            .iter()
            .filter(|c| c.severity == Severity::Breaking)
    }

    /// True when the exit status is 1.
    pub fn failed(&self) -> bool {
        match self.fail_on {
            FailOn::Used => !self.used_breaking().is_empty() || !self.fixture_problems.is_empty(),
            FailOn::Breaking => {
                self.breaking().next().is_some() || !self.fixture_problems.is_empty()
            }
            FailOn::None => false,
        }
    }

    /// The one-line summary every format leads with.
    pub fn summary(&self) -> String {
        let mut s = String::new();
        if !self.usage.is_empty() {
            let _ = write!(
                s,
                "{} used breaking change(s); ",
                self.used_breaking().len()
            );
        }
        let _ = write!(
            s,
            "{} breaking, {} non-breaking, {} info across {} operation(s) compared",
            self.count(Severity::Breaking),
            self.count(Severity::NonBreaking),
            self.count(Severity::Info),
            self.diff.compared
        );
        if !self.diff.not_compared.is_empty() {
            let _ = write!(s, "; {} not compared", self.diff.not_compared.len());
        }
        if self.fixtures_checked > 0 || !self.fixture_problems.is_empty() {
            let _ = write!(
                s,
                "; {} fixture(s) checked against NEW, {} problem(s)",
                self.fixtures_checked,
                self.fixture_problems.len()
            );
        }
        s
    }

    /// The changes in the order every format lists them: used breaking,
    /// other breaking, non-breaking, info (each in document order).
    pub fn ordered(&self) -> Vec<&Change> {
        let mut v: Vec<&Change> = self.diff.changes.iter().collect();
        v.sort_by_key(|c| (!c.used() || c.severity != Severity::Breaking, c.severity));
        v
    }

    /// Render in a format.
    pub fn render(&self, format: Format) -> String {
        match format {
            Format::Text => self.text(),
            Format::Json => serde_json::to_string_pretty(&self.json()).unwrap_or_default() + "\n",
            Format::Junit => self.junit(),
            Format::Markdown => self.markdown(),
        }
    }

    fn text(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "{}", self.summary());
        let mut section = "";
        for c in self.ordered() {
            let heading = match (c.severity, c.used()) {
                (Severity::Breaking, true) => "USED BREAKING CHANGES (this consumer touches them)",
                (Severity::Breaking, false) if self.usage.is_empty() => "BREAKING CHANGES",
                (Severity::Breaking, false) => "BREAKING CHANGES nobody here uses",
                (Severity::NonBreaking, _) => "NON-BREAKING CHANGES",
                (Severity::Info, _) => "INFO",
            };
            if heading != section {
                let _ = writeln!(out, "\n{heading}");
                section = heading;
            }
            let _ = writeln!(out, "  {} [{}] {}", c.operation, c.rule, c.message);
            if let Some(o) = &c.old {
                let _ = writeln!(out, "      old: {o}");
            }
            if let Some(n) = &c.new {
                let _ = writeln!(out, "      new: {n}");
            }
            for u in &c.used_by {
                let _ = writeln!(out, "      used by {u}");
            }
        }
        if !self.diff.not_compared.is_empty() {
            let _ = writeln!(
                out,
                "\nNOT COMPARED (an operation that cannot be built is not called removed)"
            );
            for n in &self.diff.not_compared {
                let _ = writeln!(
                    out,
                    "  {} (cannot be built in {}): {}",
                    n.operation,
                    n.side.to_uppercase(),
                    n.reason
                );
            }
        }
        if !self.fixture_problems.is_empty() {
            let _ = writeln!(out, "\nFIXTURES THAT BREAK NEW");
            for p in &self.fixture_problems {
                let _ = writeln!(out, "  {p}");
            }
        }
        if !self.unmatched_fixtures.is_empty() {
            let _ = writeln!(
                out,
                "\nFIXTURES NO OLD OPERATION ANSWERS (not counted as usage)"
            );
            for f in &self.unmatched_fixtures {
                let _ = writeln!(out, "  {f}");
            }
        }
        out
    }

    fn json(&self) -> Value {
        let changes: Vec<Value> = self
            .ordered()
            .into_iter()
            .map(|c| {
                let mut v = serde_json::to_value(c).unwrap_or_default();
                v["used"] = Value::Bool(c.used());
                v
            })
            .collect();
        json!({
            "old": self.old,
            "new": self.new,
            "usage": self.usage,
            "failOn": self.fail_on,
            "failed": self.failed(),
            "summary": {
                "usedBreaking": self.used_breaking().len(),
                "breaking": self.count(Severity::Breaking),
                "nonBreaking": self.count(Severity::NonBreaking),
                "info": self.count(Severity::Info),
                "compared": self.diff.compared,
                "notCompared": self.diff.not_compared.len(),
                "usedOperations": self.used_ops.len(),
                "fixturesChecked": self.fixtures_checked,
                "fixtureProblems": self.fixture_problems.len(),
            },
            "changes": changes,
            "notCompared": self.diff.not_compared,
            "fixtureProblems": self.fixture_problems,
            "unmatchedFixtures": self.unmatched_fixtures,
        })
    }

    fn junit(&self) -> String {
        let mut cases = String::new();
        let (mut tests, mut failures) = (0usize, 0usize);
        // With usage: the operations it touches; without: every operation with a change.
        let ops: Vec<(String, String)> = if self.usage.is_empty() {
            let mut seen = BTreeSet::new();
            self.diff
                .changes
                .iter()
                .filter_map(|c| c.old_op.clone().map(|o| (o, c.operation.clone())))
                .filter(|(o, _)| seen.insert(o.clone()))
                .collect()
        } else {
            self.used_names.clone()
        };
        for (op, name) in &ops {
            tests += 1;
            let doc = op.split('/').next().unwrap_or("");
            let _ = writeln!(
                cases,
                "    <testcase classname=\"specmock.diff.{}\" name=\"{}\" time=\"0\">",
                crate::report::xml(doc),
                crate::report::xml(name)
            );
            for c in self.breaking().filter(|c| {
                let this = c.old_op.as_deref() == Some(op.as_str())
                    || (c.old_op.is_none() && c.old_doc.as_deref() == Some(doc));
                this && (self.usage.is_empty() || c.used())
            }) {
                failures += 1;
                let mut body = format!(
                    "{}\nold: {}\nnew: {}",
                    c.message,
                    c.old.as_deref().unwrap_or("-"),
                    c.new.as_deref().unwrap_or("-")
                );
                for u in &c.used_by {
                    let _ = write!(body, "\nused by {u}");
                }
                let _ = writeln!(
                    cases,
                    "      <failure message=\"{}\" type=\"{}\">{}</failure>",
                    crate::report::xml(&c.message),
                    crate::report::xml(c.rule),
                    crate::report::xml(&body)
                );
            }
            let _ = writeln!(cases, "    </testcase>");
        }
        if !self.fixture_problems.is_empty() || self.fixtures_checked > 0 {
            tests += 1;
            let _ = writeln!(
                cases,
                "    <testcase classname=\"specmock.diff\" name=\"fixtures against NEW\" time=\"0\">"
            );
            if !self.fixture_problems.is_empty() {
                failures += 1;
                let message = format!(
                    "{} fixture problem(s) against NEW",
                    self.fixture_problems.len()
                );
                let _ = writeln!(
                    cases,
                    "      <failure message=\"{}\" type=\"FixtureCheck\">{}</failure>",
                    crate::report::xml(&message),
                    crate::report::xml(&self.fixture_problems.join("\n"))
                );
            }
            let _ = writeln!(cases, "    </testcase>");
        }
        format!(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"specmock diff\" tests=\"{tests}\" failures=\"{failures}\">\n  <testsuite name=\"specmock diff\" tests=\"{tests}\" failures=\"{failures}\" errors=\"0\" skipped=\"0\">\n    <system-out>{}</system-out>\n{cases}  </testsuite>\n</testsuites>\n",
            crate::report::xml(&self.summary())
        )
    }

    fn markdown(&self) -> String {
        let mut out = String::new();
        let verdict = if self.failed() { "fails" } else { "passes" };
        let _ = writeln!(out, "### specmock diff: {verdict}\n\n{}\n", self.summary());
        let used = self.used_breaking();
        if !used.is_empty() {
            let _ = writeln!(out, "#### Breaking changes this consumer uses\n");
            table(&mut out, &used, true);
        }
        let other: Vec<&Change> = self.breaking().filter(|c| !c.used()).collect();
        if !other.is_empty() {
            let title = if self.usage.is_empty() {
                "Breaking changes"
            } else {
                "Breaking changes nobody here uses"
            };
            let _ = writeln!(
                out,
                "<details><summary>{title} ({})</summary>\n",
                other.len()
            );
            table(&mut out, &other, false);
            let _ = writeln!(out, "</details>\n");
        }
        let rest: Vec<&Change> = self
            .diff
            .changes
            .iter()
            .filter(|c| c.severity != Severity::Breaking)
            .collect();
        if !rest.is_empty() {
            let _ = writeln!(
                out,
                "<details><summary>Non-breaking and info ({})</summary>\n",
                rest.len()
            );
            table(&mut out, &rest, false);
            let _ = writeln!(out, "</details>\n");
        }
        if !self.fixture_problems.is_empty() {
            let _ = writeln!(out, "#### Fixtures that break NEW\n");
            for p in &self.fixture_problems {
                let _ = writeln!(out, "- `{}`", p.replace('`', "'"));
            }
            out.push('\n');
        }
        if !self.diff.not_compared.is_empty() {
            let _ = writeln!(out, "#### Not compared\n");
            for n in &self.diff.not_compared {
                let _ = writeln!(
                    out,
                    "- {} (cannot be built in {}): {}",
                    cell(&n.operation),
                    n.side.to_uppercase(),
                    cell(&n.reason)
                );
            }
        }
        out
    }
}

/// Most rows one Markdown table shows: a pull-request comment has a size
/// limit (GitHub's is 65,536 characters), and the JSON output has them all.
const MAX_ROWS: usize = 50;

fn table(out: &mut String, changes: &[&Change], with_users: bool) {
    let _ = writeln!(
        out,
        "| operation | rule | change | old | new |{}",
        if with_users { " used by |" } else { "" }
    );
    let _ = writeln!(
        out,
        "|---|---|---|---|---|{}",
        if with_users { "---|" } else { "" }
    );
    for c in changes.iter().take(MAX_ROWS) {
        let loc = |l: &Option<String>| {
            l.as_deref()
                .map_or("-".to_string(), |s| format!("`{}`", s.replace('`', "'")))
        };
        let _ = write!(
            out,
            "| {} | `{}` | {} | {} | {} |",
            cell(&c.operation),
            c.rule,
            cell(&c.message),
            loc(&c.old),
            loc(&c.new)
        );
        if with_users {
            let _ = write!(out, " {} |", cell(&c.used_by.join("<br>")));
        }
        out.push('\n');
    }
    if changes.len() > MAX_ROWS {
        let _ = writeln!(
            out,
            "\n... and {} more (`specmock diff --format json` lists every change)",
            changes.len() - MAX_ROWS
        );
    }
    out.push('\n');
}

/// A Markdown table cell: pipes escaped, one line.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}
