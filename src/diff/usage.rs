//! What this consumer uses, from its fixtures (`--fixtures DIR`) and the
//! JSON report of its `specmock run` (`--report FILE`), and which breaking
//! changes that makes `used`.
//!
//! Field names are the coverage report's: `<in>/<name>` for parameters
//! (header names lower-cased), `request/` + the property path for the
//! request body, `response/<status key as declared>/` + the property path
//! for responses, array items folded to `[]`, additional-properties keys to
//! `*`. A report without field usage (`operations[].fields`) still says
//! which operations were called and which statuses answered: a field change
//! of a called operation then counts as used.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::rules::schema::view;
use super::{Diff, Severity, Touch, op_document, op_parameters, op_request_body};
use crate::contract::Contract;
use crate::fixtures::{FixtureSource, FixtureStore};
use crate::spec::{FileSet, Loc, Operation, ParamIn, StatusKey};

/// What one source says one operation of OLD was used for.
#[derive(Debug, Clone)]
pub struct Evidence {
    /// `fixture FILE` or `report FILE`.
    pub source: String,
    /// OLD's `document/operationId`.
    pub op: String,
    /// The field names touched; `None`: not known (every field counts).
    pub fields: Option<BTreeSet<String>>,
    /// Field prefixes whose use is not known (`request` for a fixture that
    /// matches any body).
    pub unknown: Vec<String>,
    /// Enum values sent or served, by field; `None`: not known.
    pub enums: Option<BTreeMap<String, Vec<Value>>>,
    /// Declared status keys answered.
    pub statuses: BTreeSet<String>,
}

impl Evidence {
    fn known(&self, field: &str) -> Option<&BTreeSet<String>> {
        let unknown = self.unknown.iter().any(|u| under(field, u));
        self.fields.as_ref().filter(|_| !unknown)
    }

    fn status_allows(&self, field: &str) -> bool {
        match field.strip_prefix("response/") {
            Some(rest) => {
                let key = rest.split('/').next().unwrap_or("");
                self.statuses.contains(key)
            }
            None => true,
        }
    }

    fn touches_field(&self, field: &str) -> bool {
        if !self.status_allows(field) {
            return false;
        }
        match self.known(field) {
            None => true,
            Some(fields) => touched(fields, field),
        }
    }

    /// True when this evidence touches what the change is about.
    pub fn touches(&self, t: &Touch) -> bool {
        match t {
            Touch::Operation => true,
            Touch::Status { status } => self.statuses.contains(status),
            Touch::Field { field } => self.touches_field(field),
            Touch::Missing { field } => {
                let parent = field.rsplit_once('/').map_or("", |(p, _)| p);
                // `request/x` and `query/x` hang off the call itself.
                let parent_touched = !parent.contains('/') || self.touches_field(parent);
                let sends_it = self.known(field).is_some_and(|f| touched(f, field));
                parent_touched && !sends_it
            }
            Touch::Enum { field, value } => match (&self.enums, self.known(field)) {
                (Some(enums), Some(_)) => enums.get(field).is_some_and(|v| v.contains(value)),
                _ => self.touches_field(field),
            },
        }
    }
}

/// `field` is `prefix` or under it.
fn under(field: &str, prefix: &str) -> bool {
    field == prefix || (field.starts_with(prefix) && field[prefix.len()..].starts_with('/'))
}

/// Some touched name is `field` or under it.
fn touched(fields: &BTreeSet<String>, field: &str) -> bool {
    fields
        .range(field.to_string()..)
        .take_while(|g| g.starts_with(field))
        .any(|g| under(g, field))
}

/// Mark every change some evidence touches; returns the OLD operations used.
pub fn mark(diff: &mut Diff, evidence: &[Evidence]) -> BTreeSet<String> {
    let mut by_op: BTreeMap<&str, Vec<&Evidence>> = BTreeMap::new();
    for e in evidence {
        by_op.entry(e.op.as_str()).or_default().push(e);
    }
    // Only breaking changes are marked: the others break nobody.
    for c in diff
        .changes
        .iter_mut()
        .filter(|c| c.severity == Severity::Breaking)
    {
        let mut who: BTreeSet<String> = BTreeSet::new();
        match (&c.old_op, &c.old_doc) {
            (Some(op), _) => {
                for e in by_op.get(op.as_str()).into_iter().flatten() {
                    if e.touches(&c.touches) {
                        who.insert(e.source.clone());
                    }
                }
            }
            // Document-wide: used by whoever uses any of its operations.
            (None, Some(doc)) => {
                let prefix = format!("{doc}/");
                for e in evidence.iter().filter(|e| e.op.starts_with(&prefix)) {
                    who.insert(e.source.clone());
                }
            }
            (None, None) => {}
        }
        c.used_by = who.into_iter().collect();
    }
    by_op.keys().map(|k| k.to_string()).collect()
}

/// The OLD operation a method and path (or template) route to, else the one
/// of that `document/operationId`.
fn find_op(
    old: &Contract,
    method: &str,
    path: &str,
    qualified: Option<&str>,
) -> Option<std::sync::Arc<Operation>> {
    let routed = method
        .to_ascii_uppercase()
        .parse::<hyper::Method>()
        .ok()
        .and_then(|m| old.routes().route(&m, path).ok())
        .map(|r| r.operation);
    routed.or_else(|| {
        qualified.and_then(|q| old.operation(q).filter(|o| o.qualified_id() == q).cloned())
    })
}

/// The declared status key a status code falls under, as the report names it.
fn declared_key(op: &Operation, code: &str) -> Option<String> {
    if let Some(k) = StatusKey::parse(code)
        && op.response(k).is_some()
    {
        return Some(k.to_string());
    }
    let code: u16 = code.parse().ok()?;
    op.declared_for(code).map(|r| r.status.to_string())
}

/// Evidence from the JSON report of `specmock run` / `serve --report-json`.
pub fn from_report(path: &Path, old: &Contract) -> Result<Vec<Evidence>, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
    let v: Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{}: line {}: not JSON: {e} (give the file `--report-json` wrote)",
            path.display(),
            e.line()
        )
    })?;
    let Some(ops) = v.get("operations").and_then(Value::as_array) else {
        return Err(format!(
            "{}: #/operations: no operations array: not a specmock report (give the file `specmock run --report-json FILE` wrote)",
            path.display()
        ));
    };
    let source = format!("report {}", path.display());
    // A run with --no-field-coverage lists fields, none used: read it as
    // "field usage unknown", never as "no field used".
    let counted = v
        .pointer("/summary/fields_counted")
        .and_then(Value::as_bool)
        != Some(false);
    let mut out = Vec::new();
    for (i, o) in ops.iter().enumerate() {
        if o.get("called").and_then(Value::as_u64).unwrap_or(0) == 0 {
            continue;
        }
        let s = |k: &str| o.get(k).and_then(Value::as_str);
        let (Some(method), Some(route)) = (s("method"), s("path")) else {
            return Err(format!(
                "{}: #/operations/{i}: no method or path",
                path.display()
            ));
        };
        let Some(op) = find_op(old, method, route, s("qualified")) else {
            continue;
        };
        let statuses = o
            .get("statuses")
            .and_then(Value::as_object)
            .map(|m| m.keys().filter_map(|k| declared_key(&op, k)).collect())
            .unwrap_or_default();
        let fields = o
            .pointer("/fields/used")
            .filter(|_| counted)
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(str::to_string)
                    .collect::<BTreeSet<_>>()
            });
        // `fields.enums` lists a string value as itself and any other as its
        // JSON text (`1`, `true`).
        let enums = o
            .pointer("/fields/enums")
            .or_else(|| o.get("enums"))
            .filter(|_| counted)
            .and_then(Value::as_object)
            .map(|m| {
                m.iter()
                    .map(|(k, v)| {
                        let values = v.as_array().into_iter().flatten().map(|x| match x {
                            Value::String(t) => serde_json::from_str::<Value>(t)
                                .ok()
                                .filter(|p| !p.is_string())
                                .into_iter()
                                .chain([x.clone()])
                                .collect::<Vec<_>>(),
                            other => vec![other.clone()],
                        });
                        (k.clone(), values.flatten().collect())
                    })
                    .collect::<BTreeMap<_, _>>()
            });
        out.push(Evidence {
            source: source.clone(),
            op: op.qualified_id(),
            fields,
            unknown: Vec::new(),
            enums,
            statuses,
        });
    }
    Ok(out)
}

/// Every fixture file under the folders, sorted, each once.
pub fn fixture_sources(dirs: &[std::path::PathBuf]) -> Result<Vec<FixtureSource>, String> {
    let mut all = Vec::new();
    for d in dirs {
        let s = FixtureStore::dir_sources(d)
            .map_err(|e| format!("--fixtures: {e} ({})", crate::fixtures::FOLDER_HINT))?;
        all.extend(s);
    }
    Ok(crate::fixtures::dedupe(all))
}

/// Evidence from fixture files: what each one's request and response touch
/// of the OLD operation it routes to. Returns the evidence and the files no
/// OLD operation answers.
pub fn from_fixtures(sources: &[FixtureSource], old: &Contract) -> (Vec<Evidence>, Vec<String>) {
    let (mut out, mut unmatched) = (Vec::new(), Vec::new());
    for src in sources {
        let Ok(v) = crate::spec::parse_text(&src.display, &src.text) else {
            unmatched.push(src.display.clone());
            continue;
        };
        let s = |p: &str| v.pointer(p).and_then(Value::as_str);
        let (Some(method), Some(raw_path)) = (s("/request/method"), s("/request/path")) else {
            unmatched.push(src.display.clone());
            continue;
        };
        let (path, inline_query) = raw_path.split_once('?').unwrap_or((raw_path, ""));
        let Some(op) = find_op(old, method, path, None) else {
            unmatched.push(src.display.clone());
            continue;
        };
        let doc = old.document(op_document(&op));
        let mut fields = BTreeSet::new();
        let mut enums: BTreeMap<String, Vec<Value>> = BTreeMap::new();
        for p in op_parameters(&op)
            .iter()
            .filter(|p| p.location == ParamIn::Path)
        {
            fields.insert(format!("path/{}", p.name));
        }
        let mut note = |f: String, value: Option<&Value>, fields: &mut BTreeSet<String>| {
            if let Some(Value::String(_) | Value::Number(_) | Value::Bool(_)) = value {
                enums
                    .entry(f.clone())
                    .or_default()
                    .push(value.cloned().unwrap_or(Value::Null));
            }
            fields.insert(f);
        };
        for (k, val) in form_urlencoded::parse(inline_query.as_bytes()) {
            note(
                format!("query/{k}"),
                Some(&Value::String(val.into_owned())),
                &mut fields,
            );
        }
        for (area, key) in [
            ("query", "/request/query"),
            ("header", "/request/headers"),
            ("cookie", "/request/cookies"),
        ] {
            for (k, val) in v
                .pointer(key)
                .and_then(Value::as_object)
                .into_iter()
                .flatten()
            {
                let name = if area == "header" {
                    k.to_ascii_lowercase()
                } else {
                    k.clone()
                };
                note(format!("{area}/{name}"), Some(val), &mut fields);
            }
        }
        let mut unknown = Vec::new();
        match (v.pointer("/request/body"), doc) {
            (Some(body), Some(doc)) => {
                let schema = op_request_body(&op)
                    .and_then(|b| b.content.first())
                    .and_then(|m| m.schema.as_ref());
                name_fields(
                    &doc.files,
                    schema.map(|s| &s.loc),
                    body,
                    "request",
                    &mut fields,
                    &mut enums,
                    0,
                );
            }
            // A fixture that names no body matches any: what is sent is not known.
            _ => unknown.push("request".to_string()),
        }
        let mut statuses = BTreeSet::new();
        if let Some(code) = v.pointer("/response/status").and_then(Value::as_u64)
            && let Some(resp) = op.declared_for(code as u16)
        {
            let key = resp.status.to_string();
            statuses.insert(key.clone());
            if let (Some(body), Some(doc)) = (v.pointer("/response/body"), doc) {
                let schema = resp.content.first().and_then(|m| m.schema.as_ref());
                let prefix = format!("response/{key}");
                name_fields(
                    &doc.files,
                    schema.map(|s| &s.loc),
                    body,
                    &prefix,
                    &mut fields,
                    &mut enums,
                    0,
                );
            }
        }
        out.push(Evidence {
            source: format!("fixture {}", src.display),
            op: op.qualified_id(),
            fields: Some(fields),
            unknown,
            enums: Some(enums),
            statuses,
        });
    }
    (out, unmatched)
}

/// The field names a JSON value touches, named as its schema declares them
/// (an undeclared key under `additionalProperties` is `*`).
fn name_fields(
    files: &FileSet,
    schema: Option<&Loc>,
    value: &Value,
    prefix: &str,
    fields: &mut BTreeSet<String>,
    enums: &mut BTreeMap<String, Vec<Value>>,
    depth: usize,
) {
    if depth > 64 {
        return;
    }
    let v = schema.map(|l| view(files, l)).unwrap_or_default();
    match value {
        Value::Object(map) => {
            for (k, child) in map {
                let (name, loc) = match (v.property(k), &v.additional) {
                    (Some(l), _) => (k.as_str(), Some(l.clone())),
                    (None, Some(a)) => ("*", Some(a.clone())),
                    (None, None) => (k.as_str(), None),
                };
                let f = format!("{prefix}/{name}");
                fields.insert(f.clone());
                name_fields(files, loc.as_ref(), child, &f, fields, enums, depth + 1);
            }
        }
        Value::Array(items) => {
            let f = format!("{prefix}/[]");
            fields.insert(f.clone());
            for item in items {
                name_fields(files, v.items.as_ref(), item, &f, fields, enums, depth + 1);
            }
        }
        Value::Null => {}
        scalar => {
            let seen = enums.entry(prefix.to_string()).or_default();
            if !seen.contains(scalar) {
                seen.push(scalar.clone());
            }
        }
    }
}
