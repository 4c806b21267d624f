//! The OpenAPI subset the consumer used: the called operations, with the
//! parameters sent, the statuses answered and their schemas trimmed to the
//! properties used; the `components` still reachable, nothing else.
//!
//! What was used comes from the report: an operation's `fields.used` names
//! (`query/limit`, `request/owner/name`, `response/200/items/[]/id`) when
//! the report has them, and the names read off its interactions' bodies in
//! any case. A schema node is trimmed to the properties used at it (a
//! component shared by two operations keeps the union); `required` keeps
//! only what stays; an object that lost properties no longer forbids
//! additional ones, so the provider's full answers still validate.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet, VecDeque};

use serde_json::{Map, Value};

use super::ExportError;
use crate::contract::Contract;
use crate::spec::{FileSet, Loc, Operation, StatusKey, escape_token};

/// Deepest `$ref` inlining (a ref to another file, or outside `components`).
const MAX_INLINE: usize = 32;

/// What one operation used.
#[derive(Debug, Default)]
struct Use {
    names: BTreeSet<String>,
    statuses: BTreeSet<u16>,
    request_body: bool,
}

/// The subset of one document.
pub fn subset(
    contract: &Contract,
    report: &Value,
    document: Option<&str>,
) -> Result<Value, ExportError> {
    let uses = uses(contract, report)?;
    let mut docs: BTreeSet<&str> = BTreeSet::new();
    for q in uses.keys() {
        if let Some(op) = contract.operation(q) {
            docs.insert(op.document.as_str());
        }
    }
    let name = match (document, docs.len()) {
        (Some(d), _) => {
            if !docs.contains(d) {
                return Err(ExportError(format!(
                    "no operation of document \"{d}\" was called (called: {})",
                    list(&docs)
                )));
            }
            d.to_string()
        }
        (None, 0) => {
            return Err(ExportError(match uses.keys().min() {
                Some(q) => format!(
                    "the report's operations (\"{q}\", ...) are not in the loaded documents: \
                     export with the documents the report was made with"
                ),
                None => "no operation was called: the report records no request to export".into(),
            }));
        }
        (None, 1) => docs
            .iter()
            .next()
            .map(|d| d.to_string())
            .unwrap_or_default(),
        (None, _) => {
            return Err(ExportError(format!(
                "operations of several documents were called ({}): choose one with --document-name NAME",
                list(&docs)
            )));
        }
    };
    let doc = contract
        .document(&name)
        .ok_or_else(|| ExportError(format!("document \"{name}\" is not loaded")))?;
    let files = &doc.files;
    let ops: Vec<(&Operation, &Use)> = doc
        .operations
        .iter()
        .filter_map(|op| uses.get(op.qualified()).map(|u| (op.as_ref(), u)))
        .collect();

    let mut trim = Trim::default();
    for (op, u) in &ops {
        trim.mark(files, op, u);
    }
    let mut copier = Copier {
        files,
        trim: &trim,
        pending: VecDeque::new(),
    };
    let root = files.root_value();
    let mut out = Map::new();
    for key in [
        "openapi",
        "info",
        "jsonSchemaDialect",
        "servers",
        "security",
        "tags",
        "externalDocs",
    ] {
        if root.get(key).is_some() {
            let loc = Loc::new(files.root.clone(), format!("/{key}"));
            out.insert(key.into(), copier.copy(&loc, 0));
        }
    }
    // In the document's order (operations are listed in it).
    let mut paths: Vec<(String, Map<String, Value>)> = Vec::new();
    let mut schemes: BTreeSet<String> = BTreeSet::new();
    collect_schemes(root.get("security"), &mut schemes);
    for (op, u) in &ops {
        let item_loc = Loc::new(files.root.clone(), "/paths").child(&op.path);
        let Ok((item_loc, item)) = files.deref(&item_loc) else {
            continue;
        };
        let at = match paths.iter().position(|(p, _)| *p == op.path) {
            Some(i) => i,
            None => {
                paths.push((op.path.clone(), Map::new()));
                paths.len() - 1
            }
        };
        let entry = &mut paths[at].1;
        if entry.is_empty() {
            for key in ["summary", "description", "servers"] {
                if item.get(key).is_some() {
                    entry.insert(key.into(), copier.copy(&item_loc.child(key), 0));
                }
            }
            if let Some(p) = copier.parameters(&item_loc.child("parameters"), u) {
                entry.insert("parameters".into(), p);
            }
        }
        let method = op.method.as_str().to_ascii_lowercase();
        let Ok((op_loc, body)) = files.deref(&item_loc.child(&method)) else {
            continue;
        };
        collect_schemes(body.get("security"), &mut schemes);
        let mut o = Map::new();
        for key in body
            .as_object()
            .map(|m| m.keys().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            match key.as_str() {
                "callbacks" => {}
                "parameters" => {
                    if let Some(p) = copier.parameters(&op_loc.child("parameters"), u) {
                        o.insert(key, p);
                    }
                }
                "requestBody" if !u.request_body => {}
                "responses" => {
                    o.insert(key, copier.responses(&op_loc.child("responses"), u));
                }
                _ => {
                    let v = copier.copy(&op_loc.child(&key), 0);
                    o.insert(key, v);
                }
            }
        }
        entry.insert(method, Value::Object(o));
    }
    out.insert(
        "paths".into(),
        Value::Object(
            paths
                .into_iter()
                .map(|(k, v)| (k, Value::Object(v)))
                .collect(),
        ),
    );
    let components = copier.components(&schemes);
    if !components.is_empty() {
        out.insert("components".into(), Value::Object(components));
    }
    Ok(Value::Object(out))
}

fn list(names: &BTreeSet<&str>) -> String {
    names.iter().copied().collect::<Vec<_>>().join(", ")
}

fn collect_schemes(security: Option<&Value>, out: &mut BTreeSet<String>) {
    for req in security.and_then(Value::as_array).into_iter().flatten() {
        if let Some(m) = req.as_object() {
            out.extend(m.keys().cloned());
        }
    }
}

/// What each called operation used, by `document/operationId`.
fn uses(contract: &Contract, report: &Value) -> Result<HashMap<String, Use>, ExportError> {
    let ops = report["operations"].as_array().ok_or_else(|| {
        ExportError(
            "the report has no \"operations\" array: give a specmock JSON report (--report-json)"
                .into(),
        )
    })?;
    let mut out: HashMap<String, Use> = HashMap::new();
    for o in ops {
        if o["called"].as_u64().unwrap_or(0) == 0 {
            continue;
        }
        let Some(q) = o["qualified"].as_str() else {
            continue;
        };
        let u = out.entry(q.to_string()).or_default();
        for (code, _) in o["statuses"].as_object().into_iter().flatten() {
            if let Ok(c) = code.parse() {
                u.statuses.insert(c);
            }
        }
        for n in o["fields"]["used"].as_array().into_iter().flatten() {
            if let Some(n) = n.as_str() {
                u.request_body |= n.starts_with("request/");
                u.names.insert(n.to_string());
            }
        }
    }
    for it in report["interactions"].as_array().into_iter().flatten() {
        let Some(op) = it["operation"].as_str().and_then(|q| contract.operation(q)) else {
            continue;
        };
        let u = out.entry(op.qualified_id()).or_default();
        let r = &it["request"];
        for (k, _) in r["query"]
            .as_str()
            .map(|q| form_urlencoded::parse(q.as_bytes()))
            .into_iter()
            .flatten()
        {
            u.names.insert(format!("query/{k}"));
        }
        for (k, _) in r["headers"].as_object().into_iter().flatten() {
            u.names.insert(format!("header/{}", k.to_ascii_lowercase()));
        }
        if let Some(b) = r["body"].as_str() {
            u.request_body = true;
            if let Ok(v) = serde_json::from_str::<Value>(b) {
                names_in(&v, "request", &mut u.names);
            }
        }
        let status = it["response"]["status"].as_u64().unwrap_or(0) as u16;
        u.statuses.insert(status);
        if let (Some(b), Some(resp)) = (it["response"]["body"].as_str(), op.declared_for(status))
            && let Ok(v) = serde_json::from_str::<Value>(b)
        {
            names_in(&v, &format!("response/{}", resp.status), &mut u.names);
        }
    }
    Ok(out)
}

/// The field names a body uses: `prefix/a/b`, array items as `[]`.
fn names_in(v: &Value, prefix: &str, out: &mut BTreeSet<String>) {
    match v {
        Value::Object(m) => {
            for (k, child) in m {
                let name = format!("{prefix}/{k}");
                names_in(child, &name, out);
                out.insert(name);
            }
        }
        Value::Array(items) => {
            let name = format!("{prefix}/[]");
            for child in items {
                names_in(child, &name, out);
            }
        }
        _ => {}
    }
}

/// Which properties stay at which schema node.
#[derive(Debug, Default)]
struct Trim {
    /// Nodes a used body reaches: these are trimmed.
    reached: HashSet<Loc>,
    /// Properties kept at a node.
    kept: HashMap<Loc, BTreeSet<String>>,
}

impl Trim {
    fn mark(&mut self, files: &FileSet, op: &Operation, u: &Use) {
        let body_names: Vec<Vec<&str>> = u
            .names
            .iter()
            .filter_map(|n| n.strip_prefix("request/"))
            .map(|n| n.split('/').collect())
            .collect();
        if u.request_body
            && let Some(b) = &op.request_body
        {
            for m in &b.content {
                if let Some(s) = &m.schema {
                    self.walk(files, &s.loc, &[], 0);
                    for tokens in &body_names {
                        self.walk(files, &s.loc, tokens, 0);
                    }
                }
            }
        }
        for r in &op.responses {
            if !u
                .statuses
                .iter()
                .any(|c| op.declared_for(*c).is_some_and(|d| d.status == r.status))
            {
                continue;
            }
            let prefix = format!("response/{}/", r.status);
            let names: Vec<Vec<&str>> = u
                .names
                .iter()
                .filter_map(|n| n.strip_prefix(prefix.as_str()))
                .map(|n| n.split('/').collect())
                .collect();
            for m in &r.content {
                if let Some(s) = &m.schema {
                    self.walk(files, &s.loc, &[], 0);
                    for tokens in &names {
                        self.walk(files, &s.loc, tokens, 0);
                    }
                }
            }
        }
    }

    /// Follow a field name down the schema, marking the nodes on the way and
    /// the property used at each.
    fn walk(&mut self, files: &FileSet, loc: &Loc, tokens: &[&str], depth: usize) {
        if depth > 64 {
            return;
        }
        let nodes = all_nodes(files, loc, 0);
        for (l, _) in &nodes {
            self.reached.insert(l.clone());
        }
        let Some((first, rest)) = tokens.split_first() else {
            return;
        };
        let mut next: Vec<Loc> = Vec::new();
        match *first {
            "[]" => next.extend(
                nodes
                    .iter()
                    .filter(|(_, v)| v.get("items").is_some())
                    .map(|(l, _)| l.child("items")),
            ),
            "*" => {}
            name => {
                for (l, v) in &nodes {
                    if v.get("properties").and_then(|p| p.get(name)).is_some() {
                        self.kept
                            .entry(l.clone())
                            .or_default()
                            .insert(name.to_string());
                        next.push(l.child("properties").child(name));
                    }
                }
            }
        }
        if next.is_empty() && *first != "[]" {
            next.extend(
                nodes
                    .iter()
                    .filter(|(_, v)| v.get("additionalProperties").is_some_and(Value::is_object))
                    .map(|(l, _)| l.child("additionalProperties")),
            );
        }
        for n in next {
            self.walk(files, &n, rest, depth + 1);
        }
    }
}

/// A node after `$ref` and every branch of its `allOf`/`oneOf`/`anyOf`.
fn all_nodes<'f>(files: &'f FileSet, loc: &Loc, depth: usize) -> Vec<(Loc, &'f Value)> {
    let Ok((loc, node)) = files.deref(loc) else {
        return Vec::new();
    };
    let mut out = vec![(loc.clone(), node)];
    if depth > 8 {
        return out;
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for i in 0..node.get(key).and_then(Value::as_array).map_or(0, Vec::len) {
            out.extend(all_nodes(
                files,
                &loc.child(key).child(&i.to_string()),
                depth + 1,
            ));
        }
    }
    out
}

/// Copies parts of the document, trimming schemas, keeping `$ref`s into
/// `components` (and queueing them) and inlining any other.
struct Copier<'a> {
    files: &'a FileSet,
    trim: &'a Trim,
    pending: VecDeque<Loc>,
}

impl Copier<'_> {
    fn copy(&mut self, loc: &Loc, depth: usize) -> Value {
        let Some(v) = self.files.get(loc) else {
            return Value::Null;
        };
        match v {
            Value::Object(m) => {
                if let Some(raw) = m.get("$ref").and_then(Value::as_str) {
                    match self.files.target_of(&loc.file, raw) {
                        Ok(t)
                            if t.file == self.files.root
                                && t.pointer.starts_with("/components/") =>
                        {
                            self.pending.push_back(t);
                            return v.clone();
                        }
                        Ok(t) if depth < MAX_INLINE => return self.copy(&t, depth + 1),
                        _ => return v.clone(),
                    }
                }
                let mut out = Map::new();
                let reached = self.trim.reached.contains(loc);
                let empty = BTreeSet::new();
                let kept = self.trim.kept.get(loc).unwrap_or(&empty);
                let mut trimmed = false;
                for (k, child) in m {
                    let here = loc.child(k);
                    if reached && k == "properties" && child.is_object() {
                        let mut props = Map::new();
                        let discriminator = m
                            .get("discriminator")
                            .and_then(|d| d.get("propertyName"))
                            .and_then(Value::as_str);
                        for (name, _) in child.as_object().into_iter().flatten() {
                            if kept.contains(name) || discriminator == Some(name.as_str()) {
                                props.insert(name.clone(), self.copy(&here.child(name), depth));
                            } else {
                                trimmed = true;
                            }
                        }
                        out.insert(k.clone(), Value::Object(props));
                        continue;
                    }
                    if k == "discriminator" {
                        for target in child["mapping"]
                            .as_object()
                            .into_iter()
                            .flatten()
                            .filter_map(|(_, t)| t.as_str())
                        {
                            let raw = if target.contains('#') || target.contains('/') {
                                target.to_string()
                            } else {
                                format!("#/components/schemas/{}", escape_token(target))
                            };
                            if let Ok(t) = self.files.target_of(&loc.file, &raw) {
                                self.pending.push_back(t);
                            }
                        }
                    }
                    out.insert(k.clone(), self.copy(&here, depth));
                }
                if reached && trimmed {
                    let props: Vec<String> = out
                        .get("properties")
                        .and_then(Value::as_object)
                        .map(|p| p.keys().cloned().collect())
                        .unwrap_or_default();
                    if let Some(Value::Array(req)) = out.get_mut("required") {
                        req.retain(|r| r.as_str().is_some_and(|r| props.iter().any(|p| p == r)));
                        if req.is_empty() {
                            out.remove("required");
                        }
                    }
                    for closed in ["additionalProperties", "unevaluatedProperties"] {
                        if out.get(closed) == Some(&Value::Bool(false)) {
                            out.remove(closed);
                        }
                    }
                }
                Value::Object(out)
            }
            Value::Array(items) => Value::Array(
                (0..items.len())
                    .map(|i| self.copy(&loc.child(&i.to_string()), depth))
                    .collect(),
            ),
            other => other.clone(),
        }
    }

    /// The parameters used: path parameters always, others when sent.
    fn parameters(&mut self, loc: &Loc, u: &Use) -> Option<Value> {
        let list = self.files.get(loc)?.as_array()?;
        let mut out = Vec::new();
        for i in 0..list.len() {
            let at = loc.child(&i.to_string());
            let Ok((_, p)) = self.files.deref(&at) else {
                continue;
            };
            let (Some(name), Some(place)) = (p["name"].as_str(), p["in"].as_str()) else {
                continue;
            };
            let key = if place == "header" {
                format!("header/{}", name.to_ascii_lowercase())
            } else {
                format!("{place}/{name}")
            };
            if place == "path" || u.names.contains(&key) {
                out.push(self.copy(&at, 0));
            }
        }
        (!out.is_empty()).then_some(Value::Array(out))
    }

    /// The responses answered (by their declared keys).
    fn responses(&mut self, loc: &Loc, u: &Use) -> Value {
        let keys: Vec<String> = self
            .files
            .get(loc)
            .and_then(Value::as_object)
            .map(|m| m.keys().cloned().collect())
            .unwrap_or_default();
        let answered = |key: &StatusKey| {
            u.statuses.iter().any(|c| {
                key.covers(*c)
                    && keys
                        .iter()
                        .filter_map(|k| StatusKey::parse(k))
                        .filter(|k| k.covers(*c))
                        .min_by_key(|k| match k {
                            StatusKey::Code(_) => 0,
                            StatusKey::Range(_) => 1,
                            StatusKey::Default => 2,
                        })
                        == Some(*key)
            })
        };
        let mut out = Map::new();
        for k in &keys {
            if StatusKey::parse(k).is_some_and(|key| answered(&key)) {
                out.insert(k.clone(), self.copy(&loc.child(k), 0));
            }
        }
        if out.is_empty()
            && let Some(first) = keys.first()
        {
            // A document must declare a response; keep the first rather than none.
            out.insert(first.clone(), self.copy(&loc.child(first), 0));
        }
        Value::Object(out)
    }

    /// Every component reached, and the security schemes named.
    fn components(&mut self, schemes: &BTreeSet<String>) -> Map<String, Value> {
        let root = self.files.root.clone();
        for s in schemes {
            self.pending
                .push_back(Loc::new(root.clone(), "/components/securitySchemes").child(s));
        }
        let mut out: BTreeMap<String, BTreeMap<String, Value>> = BTreeMap::new();
        let mut done: HashSet<String> = HashSet::new();
        while let Some(t) = self.pending.pop_front() {
            let tokens: Vec<&str> = t.pointer.split('/').skip(2).take(2).collect();
            let [kind, name] = tokens[..] else { continue };
            let key = format!("{kind}/{name}");
            if !done.insert(key) {
                continue;
            }
            let at = Loc::new(root.clone(), format!("/components/{kind}/{name}"));
            if self.files.get(&at).is_none() {
                continue;
            }
            let v = self.copy(&at, 0);
            let unescaped = crate::spec::unescape_token(name).into_owned();
            out.entry(kind.to_string())
                .or_default()
                .insert(unescaped, v);
        }
        out.into_iter()
            .map(|(k, m)| (k, Value::Object(m.into_iter().collect())))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn body_names_fold_array_items() {
        let mut out = BTreeSet::new();
        names_in(
            &json!({"a": [{"b": 1}], "c": {"d": null}}),
            "request",
            &mut out,
        );
        let got: Vec<&str> = out.iter().map(String::as_str).collect();
        assert_eq!(
            got,
            ["request/a", "request/a/[]/b", "request/c", "request/c/d"]
        );
    }

    const DOC: &str = r##"openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: verbose, in: query, schema: {type: boolean}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        "200":
          description: the pet
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
        "404": {description: none}
  /owners:
    get:
      operationId: listOwners
      responses:
        "200": {description: owners, content: {application/json: {schema: {type: array, items: {$ref: "#/components/schemas/Owner"}}}}}
components:
  schemas:
    Pet:
      allOf:
        - {$ref: "#/components/schemas/Named"}
        - type: object
          required: [id, owner]
          properties:
            id: {type: integer}
            owner: {$ref: "#/components/schemas/Owner"}
            labels: {type: object, additionalProperties: {$ref: "#/components/schemas/Label"}}
            history: {type: array, items: {$ref: "#/components/schemas/Event"}}
    Named:
      type: object
      properties: {name: {type: string}, nick: {type: string}}
    Owner:
      type: object
      properties: {name: {type: string}, email: {type: string}}
    Label:
      type: object
      additionalProperties: false
      properties: {text: {type: string}, color: {type: string}}
    Event:
      type: object
      properties: {at: {type: string}, what: {type: string}}
    Unused:
      type: object
"##;

    /// The names the lead's field counters write (`fields.used`), with no
    /// interaction to read them from: the subset follows the names alone.
    #[test]
    fn field_names_trim_through_refs_all_of_maps_and_arrays() {
        let src = crate::spec::SpecSource::from_text("pets.yaml", DOC);
        let contract = Contract::from_sources(vec![src]).unwrap();
        let report = json!({"operations": [
            {"qualified": "pets/getPet", "called": 2, "statuses": {"200": 2},
             "fields": {"used": ["path/id", "header/x-trace", "response/200/id", "response/200/name",
                                 "response/200/owner/name", "response/200/labels/*/text",
                                 "response/200/history/[]/at"]}},
            {"qualified": "pets/listOwners", "called": 0, "statuses": {}}
        ]});
        let doc = subset(&contract, &report, None).unwrap();
        let keys = |v: &Value| -> Vec<String> {
            v["properties"]
                .as_object()
                .unwrap()
                .keys()
                .cloned()
                .collect()
        };
        let s = &doc["components"]["schemas"];
        assert_eq!(keys(&s["Named"]), ["name"]);
        assert_eq!(
            keys(&s["Pet"]["allOf"][1]),
            ["id", "owner", "labels", "history"]
        );
        assert_eq!(s["Pet"]["allOf"][1]["required"], json!(["id", "owner"]));
        assert_eq!(keys(&s["Owner"]), ["name"]);
        assert_eq!(keys(&s["Label"]), ["text"]);
        assert!(s["Label"].get("additionalProperties").is_none());
        assert_eq!(keys(&s["Event"]), ["at"]);
        assert!(s.get("Unused").is_none(), "unreachable components go");
        let op = &doc["paths"]["/pets/{id}"]["get"];
        let params: Vec<&str> = op["parameters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert_eq!(params, ["id", "X-Trace"]);
        assert_eq!(op["responses"].as_object().unwrap().len(), 1);
        assert!(doc["paths"].get("/owners").is_none());
    }
}
