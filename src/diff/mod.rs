//! `specmock diff OLD NEW`: what a new version of a vendor's document breaks
//! for this consumer.
//!
//! Both sides go through the loader; operations are matched by method and
//! path template (parameter names normalised, `/pets/{id}` is
//! `/pets/{petId}`), and each pair is compared by the rule families in
//! [`rules`]. Every change names its rule, a severity for a client of the
//! API, and both places (`file: pointer`). [`usage`] then marks the breaking
//! changes this consumer touches (its fixtures, the report of its
//! `specmock run`), and [`output`] writes text, JSON, JUnit or Markdown.

pub mod output;
pub mod rules;
pub mod usage;

#[cfg(test)]
mod tests;

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;
use serde_json::Value;

use crate::contract::Contract;
use crate::spec::{Document, Loc, Operation};

/// How a change affects a client of the API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Severity {
    /// A client written against OLD may fail against NEW.
    Breaking,
    /// NEW accepts and answers everything OLD did.
    NonBreaking,
    /// Worth knowing; changes nothing on the wire for a client.
    Info,
}

/// What part of the consumer's traffic a change is about, so usage can say
/// whether this consumer touches it.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase", tag = "kind")]
pub enum Touch {
    /// Every call of the operation (a removed operation, a new required
    /// request body, a changed security requirement).
    Operation,
    /// A parameter or body property, by its field name: `query/limit`,
    /// `request/owner/name`, `response/200/items/[]/id`.
    Field {
        /// The field name.
        field: String,
    },
    /// A field NEW requires that a caller might not send: used by every call
    /// that sends its parent but not it.
    Missing {
        /// The field name.
        field: String,
    },
    /// One enum value of a field: used when it was sent or served.
    Enum {
        /// The field name.
        field: String,
        /// The value.
        value: Value,
    },
    /// A declared response (`200`, `4XX`, `default`): used when it was answered.
    Status {
        /// The status key as declared.
        status: String,
    },
}

/// One difference between the two contracts.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Change {
    /// The rule's id (`request-property-became-required`).
    pub rule: &'static str,
    /// For a client of the API.
    pub severity: Severity,
    /// `METHOD /route (operationId)`, or the document for document-wide changes.
    pub operation: String,
    /// OLD's `document/operationId`; `None` for what only NEW has.
    #[serde(skip)]
    pub old_op: Option<String>,
    /// The OLD document, for document-wide changes (a base path).
    #[serde(skip)]
    pub old_doc: Option<String>,
    /// Where it is in OLD: `file: #/pointer`.
    pub old: Option<String>,
    /// Where it is in NEW: `file: #/pointer`.
    pub new: Option<String>,
    /// What changed, in words.
    pub message: String,
    /// What traffic it is about.
    pub touches: Touch,
    /// Who uses it: `fixture FILE`, `report FILE`; empty when nobody does
    /// (or no usage was given).
    pub used_by: Vec<String>,
}

impl Change {
    /// True when a fixture or a journalled request touches it.
    pub fn used(&self) -> bool {
        !self.used_by.is_empty()
    }
}

/// An operation that could not be compared (it failed to build on a side).
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct NotCompared {
    /// `METHOD /route (operationId)`.
    pub operation: String,
    /// `old` or `new`: the side it could not be built on.
    pub side: &'static str,
    /// The loader's reason.
    pub reason: String,
}

/// Everything `compare` found.
#[derive(Debug, Clone, Default)]
pub struct Diff {
    /// The changes, OLD's document order.
    pub changes: Vec<Change>,
    /// Operations built on neither or only one side.
    pub not_compared: Vec<NotCompared>,
    /// Operation pairs compared.
    pub compared: usize,
    /// OLD document name -> the NEW document it was compared with.
    pub documents: BTreeMap<String, String>,
}

// The fields of `Operation` are read here and only here, so a change to how
// the model exposes them is a one-place fix.
pub(crate) fn op_document(op: &Operation) -> &str {
    &op.document
}
pub(crate) fn op_method(op: &Operation) -> &hyper::Method {
    &op.method
}
pub(crate) fn op_path(op: &Operation) -> &str {
    &op.path
}
pub(crate) fn op_route(op: &Operation) -> &str {
    &op.route
}
pub(crate) fn op_id(op: &Operation) -> &str {
    &op.operation_id
}
pub(crate) fn op_id_derived(op: &Operation) -> bool {
    op.id_derived
}
pub(crate) fn op_loc(op: &Operation) -> &Loc {
    &op.loc
}
pub(crate) fn op_unavailable(op: &Operation) -> Option<&str> {
    op.unavailable.as_deref()
}
pub(crate) fn op_parameters(op: &Operation) -> &[crate::spec::Parameter] {
    &op.parameters
}
pub(crate) fn op_security(op: &Operation) -> &[crate::spec::SecurityRequirement] {
    &op.security
}
pub(crate) fn op_request_body(op: &Operation) -> Option<&crate::spec::RequestBody> {
    op.request_body.as_ref()
}
pub(crate) fn op_responses(op: &Operation) -> &[crate::spec::Response] {
    &op.responses
}

/// `METHOD /route (operationId)`: how an operation is named in every output.
pub fn describe(op: &Operation) -> String {
    format!("{} {} ({})", op_method(op), op_route(op), op_id(op))
}

/// The path template with every `{name}` written `{}`: the key operations
/// are matched by.
pub fn normalise(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut in_param = false;
    for c in path.chars() {
        match c {
            '{' => {
                in_param = true;
                out.push('{');
            }
            '}' if in_param => {
                in_param = false;
                out.push('}');
            }
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// `file: #/pointer` for a place in a document.
pub fn at(doc: &Document, loc: &Loc) -> String {
    format!("{}: {}", doc.files.display_of(&loc.file), loc.fragment())
}

/// Which NEW document each OLD document is compared with: the only one
/// with the only one, else the one of the same name.
fn pair_documents<'a>(
    old: &'a Contract,
    new: &'a Contract,
) -> Vec<(&'a Document, Option<&'a Document>)> {
    let (o, n) = (old.documents(), new.documents());
    if o.len() == 1 && n.len() == 1 {
        return vec![(&o[0], Some(&n[0]))];
    }
    o.iter().map(|d| (d, new.document(&d.name))).collect()
}

/// Compare two loaded contracts, operation by operation.
pub fn compare(old: &Contract, new: &Contract) -> Diff {
    let mut diff = Diff::default();
    let pairs = pair_documents(old, new);
    let mut paired_new: Vec<&str> = Vec::new();
    for (od, nd) in &pairs {
        match nd {
            Some(nd) => {
                paired_new.push(&nd.name);
                diff.documents.insert(od.name.clone(), nd.name.clone());
                compare_documents(od, nd, &mut diff);
            }
            None => {
                for op in &od.operations {
                    diff.changes.push(rules::paths::removed(
                        od,
                        op,
                        "api-path-removed",
                        "the whole document is gone from NEW",
                    ));
                }
            }
        }
    }
    for nd in new
        .documents()
        .iter()
        .filter(|d| !paired_new.contains(&d.name.as_str()))
    {
        for op in &nd.operations {
            diff.changes.push(rules::paths::added(nd, op));
        }
    }
    diff
}

fn compare_documents(od: &Document, nd: &Document, diff: &mut Diff) {
    if let Some(c) = rules::paths::base_path(od, nd) {
        diff.changes.push(c);
    }
    let key = |op: &Operation| (op_method(op).clone(), normalise(op_path(op)));
    let new_ops: HashMap<_, &Operation> =
        nd.operations.iter().map(|o| (key(o), o.as_ref())).collect();
    let new_paths: std::collections::HashSet<String> = nd
        .operations
        .iter()
        .map(|o| normalise(op_path(o)))
        .collect();
    let mut matched = std::collections::HashSet::new();
    for op in &od.operations {
        let k = key(op);
        let Some(nop) = new_ops.get(&k) else {
            // Left out on OLD and gone from NEW is still gone.
            let (rule, why) = if new_paths.contains(&k.1) {
                (
                    "api-method-removed",
                    "NEW declares the path without this method",
                )
            } else {
                ("api-path-removed", "NEW does not declare this path")
            };
            diff.changes.push(rules::paths::removed(od, op, rule, why));
            continue;
        };
        matched.insert(k);
        if let Some(why) = op_unavailable(op) {
            diff.not_compared.push(NotCompared {
                operation: describe(op),
                side: "old",
                reason: why.to_string(),
            });
            continue;
        }
        if let Some(why) = op_unavailable(nop) {
            diff.not_compared.push(NotCompared {
                operation: describe(nop),
                side: "new",
                reason: why.to_string(),
            });
            continue;
        }
        diff.compared += 1;
        let mut pair = rules::Pair::new(od, nd, op, nop);
        pair.compare();
        diff.changes.extend(pair.changes);
    }
    for op in nd.operations.iter().filter(|o| !matched.contains(&key(o))) {
        diff.changes.push(rules::paths::added(nd, op));
    }
}

/// What `specmock diff` is asked to compare and with what usage.
#[derive(Debug, Clone)]
pub struct Inputs {
    /// The version the consumer was written against.
    pub old: std::path::PathBuf,
    /// The vendor's new version.
    pub new: std::path::PathBuf,
    /// Fixture folders (`--fixtures`).
    pub fixtures: Vec<std::path::PathBuf>,
    /// JSON reports of `specmock run` (`--report`).
    pub reports: Vec<std::path::PathBuf>,
    /// `--fail-on`; `None`: `used` with usage input, else `breaking`.
    pub fail_on: Option<output::FailOn>,
    /// How documents are loaded (`--max-ref-files`, `--ref-root`).
    pub load: crate::spec::LoadOptions,
}

fn load_side(
    side: &str,
    path: &std::path::Path,
    load: &crate::spec::LoadOptions,
) -> Result<Contract, Vec<String>> {
    let spec = crate::contract::SpecPaths {
        paths: vec![path.to_path_buf()],
        mounts: Vec::new(),
        // Never strict here: an operation that cannot be built is listed
        // as not compared, and the rest of the document is.
        options: crate::spec::LoadOptions {
            strict: false,
            ..load.clone()
        },
    };
    Contract::load(&spec).map_err(|errors| {
        let mut out = vec![format!("{side} ({}) did not load:", path.display())];
        out.extend(errors.0.iter().map(|e| format!("  {e}")));
        out
    })
}

/// Load both sides, compare them, read the usage, mark it, and check every
/// fixture against NEW. Errors are the lines to print (bad input: exit 2).
pub fn run(inputs: &Inputs) -> Result<output::Outcome, Vec<String>> {
    let old = load_side("OLD", &inputs.old, &inputs.load)?;
    let new = load_side("NEW", &inputs.new, &inputs.load)?;
    let mut diff = compare(&old, &new);
    let mut evidence = Vec::new();
    let mut usage = Vec::new();
    for r in &inputs.reports {
        evidence.extend(usage::from_report(r, &old).map_err(|e| vec![e])?);
        usage.push(format!("report {}", r.display()));
    }
    let sources = usage::fixture_sources(&inputs.fixtures).map_err(|e| vec![e])?;
    if !inputs.fixtures.is_empty() && sources.is_empty() {
        // A mistyped folder must not pass as "nothing here is used".
        let dirs: Vec<String> = inputs
            .fixtures
            .iter()
            .map(|d| d.display().to_string())
            .collect();
        return Err(vec![format!(
            "--fixtures: no fixture was found in {}: fixtures are .json, .yaml or .yml files (DIR/<document>/<operationId>/<name>.json); check the folder name",
            dirs.join(", ")
        )]);
    }
    let (fixture_evidence, unmatched_fixtures) = usage::from_fixtures(&sources, &old);
    // The OLD document each fixture answers for, by file.
    let fixture_doc: HashMap<String, String> = fixture_evidence
        .iter()
        .filter_map(|e| {
            let file = e.source.strip_prefix("fixture ")?;
            Some((file.to_string(), e.op.split('/').next()?.to_string()))
        })
        .collect();
    evidence.extend(fixture_evidence);
    usage.extend(
        inputs
            .fixtures
            .iter()
            .map(|d| format!("fixtures {}", d.display())),
    );
    let used_ops = usage::mark(&mut diff, &evidence);
    let used_names = used_ops
        .iter()
        .map(|q| {
            (
                q.clone(),
                old.operation(q).map_or_else(|| q.clone(), |o| describe(o)),
            )
        })
        .collect();
    // Every fixture against NEW, filed under the NEW document its OLD one
    // is compared with (a renamed file keeps its fixtures).
    let (mut fixtures_checked, mut fixture_problems) = (0, Vec::new());
    if !inputs.fixtures.is_empty() {
        let moved: Vec<crate::fixtures::FixtureSource> = sources
            .into_iter()
            .map(|mut s| {
                let old_doc = fixture_doc.get(&s.display).or(s.document.as_ref());
                if let Some(d) = old_doc.and_then(|d| diff.documents.get(d)) {
                    s.document = Some(d.clone());
                }
                s
            })
            .collect();
        let report = crate::fixtures::check(&moved, new.loaded());
        fixtures_checked = report.checked;
        fixture_problems = report.problems;
    }
    let fail_on = inputs.fail_on.unwrap_or(if usage.is_empty() {
        output::FailOn::Breaking
    } else {
        output::FailOn::Used
    });
    let display = |c: &Contract| c.documents().iter().map(|d| d.display.clone()).collect();
    Ok(output::Outcome {
        old: display(&old),
        new: display(&new),
        diff,
        usage,
        used_ops,
        used_names,
        unmatched_fixtures,
        fixtures_checked,
        fixture_problems,
        fail_on,
    })
}
