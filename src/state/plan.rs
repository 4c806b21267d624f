//! What stateful mode knows of a contract, worked out once per contract (at
//! load and on every reload, never per request): which operations are CRUD
//! on which collection, what their ids look like, how their lists are
//! shaped, and the resources the documents' examples and fixtures seed.

use std::collections::HashMap;
use std::sync::Arc;

use hyper::Method;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

use crate::fixtures::FixtureStore;
use crate::media::is_json;
use crate::spec::{Document, MediaType, Operation, ParamIn, Parameter, Shape, StatusKey};

/// What an operation does to a resource collection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Crud {
    Create,
    List,
    Read,
    Replace,
    Merge,
    Delete,
}

/// What a collection's ids are: they follow the id's schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// `integer`: 1, 2, 3... above any seeded id, stored as JSON numbers.
    Integer,
    /// Anything else: strings in the id parameter's format (uuid...).
    Text,
}

impl IdKind {
    /// The key an id from a URL segment (already decoded) is stored under:
    /// `007` and `7` are the same integer id.
    pub fn key(self, raw: &str) -> String {
        match self {
            IdKind::Integer => raw
                .parse::<i64>()
                .map(|n| n.to_string())
                .unwrap_or_else(|_| raw.to_string()),
            IdKind::Text => raw.to_string(),
        }
    }

    /// The JSON value of an id key, in the schema's type.
    pub fn value(self, key: &str) -> Value {
        match self {
            IdKind::Integer => key
                .parse::<i64>()
                .map(Value::from)
                .unwrap_or_else(|_| Value::String(key.to_string())),
            IdKind::Text => Value::String(key.to_string()),
        }
    }
}

/// How a list operation's response holds the resources.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ListShape {
    /// The body is the array.
    Bare,
    /// An object with the array under `property` (`{"data": [...]}`), and an
    /// integer `count` property (`total`) set to the array's length, if any.
    Wrapped {
        property: String,
        count: Option<String>,
    },
    /// Not known from the schema: tried as a bare array.
    Unknown,
}

/// One CRUD operation.
#[derive(Debug, Clone)]
pub struct OpPlan {
    pub crud: Crud,
    pub id_kind: IdKind,
    /// Create: the item route's id parameter, to generate ids in its format.
    pub id_param: Option<Parameter>,
    /// List: where the resources go in the body.
    pub list: ListShape,
}

/// Every CRUD operation of a contract and the resources it starts with.
#[derive(Debug, Default)]
pub struct Plan {
    /// By `document/operationId`.
    ops: HashMap<String, OpPlan>,
    /// Collection path (as requests spell it) → its id kind and seeded
    /// resources (id key, resource), in order.
    seeds: HashMap<String, Seeded>,
}

/// A collection's starting content.
#[derive(Debug, Clone)]
pub struct Seeded {
    pub id_kind: IdKind,
    pub items: Vec<(String, Value)>,
}

/// What a path segment may hold unencoded (RFC 3986 `pchar`): the minus of a
/// negative id or the dashes of a uuid stay as they are.
pub const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'.')
    .remove(b'_')
    .remove(b'~')
    .remove(b'!')
    .remove(b'$')
    .remove(b'&')
    .remove(b'\'')
    .remove(b'(')
    .remove(b')')
    .remove(b'*')
    .remove(b'+')
    .remove(b',')
    .remove(b';')
    .remove(b'=')
    .remove(b':')
    .remove(b'@');

impl Plan {
    /// Classify every operation and gather the seeds.
    pub fn build(documents: &[Document], fixtures: &FixtureStore) -> Plan {
        let mut plan = Plan::default();
        for doc in documents {
            plan.add_document(doc);
        }
        plan.add_fixtures(fixtures);
        plan
    }

    /// The CRUD shape of an operation, if it has one.
    pub fn op(&self, op: &Operation) -> Option<&OpPlan> {
        self.ops.get(op.qualified())
    }

    /// The resources a collection starts with (none when nothing seeds it).
    pub fn seeded(&self, collection: &str) -> Option<&Seeded> {
        self.seeds.get(collection)
    }

    /// Every seeded collection.
    pub fn seeded_collections(&self) -> impl Iterator<Item = (&String, &Seeded)> {
        self.seeds.iter()
    }

    fn add_document(&mut self, doc: &Document) {
        // Item routes by their collection's route: `/pets` → `/pets/{petId}`.
        let mut items: HashMap<&str, (&str, Vec<&Arc<Operation>>)> = HashMap::new();
        // Operations by route, so a large document is one pass, not a square.
        let mut by_route: HashMap<&str, Vec<&Arc<Operation>>> = HashMap::new();
        for op in &doc.operations {
            if let Some((parent, name)) = item_route(&op.route) {
                items.entry(parent).or_insert((name, Vec::new())).1.push(op);
            }
            by_route.entry(op.route.as_str()).or_default().push(op);
        }
        for (parent, (name, item_ops)) in &items {
            // Every item route under one collection should agree; the first wins.
            let item_ops: Vec<&Arc<Operation>> = item_ops
                .iter()
                .filter(|o| item_route(&o.route).is_some_and(|(_, n)| n == *name))
                .copied()
                .collect();
            let id_param = item_ops.iter().find_map(|o| {
                o.parameters
                    .iter()
                    .find(|p| p.location == ParamIn::Path && p.name == *name)
            });
            let read = item_ops.iter().find(|o| o.method == Method::GET);
            let id_kind = id_kind(id_param, read.and_then(|o| success_json(o)));
            for op in &item_ops {
                let crud = match op.method {
                    Method::GET => Crud::Read,
                    Method::PUT => Crud::Replace,
                    Method::PATCH => Crud::Merge,
                    Method::DELETE => Crud::Delete,
                    _ => continue,
                };
                self.insert(op, crud, id_kind, None, ListShape::Unknown);
            }
            for op in by_route.get(parent).into_iter().flatten() {
                match op.method {
                    Method::POST => {
                        self.insert(op, Crud::Create, id_kind, id_param, ListShape::Unknown)
                    }
                    Method::GET => {
                        let list = list_shape(success_json(op));
                        self.insert(op, Crud::List, id_kind, None, list)
                    }
                    _ => {}
                }
            }
            if let Some(read) = read {
                self.seed_from_example(doc, parent, read, id_param, id_kind);
            }
        }
    }

    fn insert(
        &mut self,
        op: &Operation,
        crud: Crud,
        id_kind: IdKind,
        id_param: Option<&Parameter>,
        list: ListShape,
    ) {
        self.ops.insert(
            op.qualified().to_string(),
            OpPlan {
                crud,
                id_kind,
                id_param: id_param.cloned(),
                list,
            },
        );
    }

    /// The item GET's example is a resource of its collection, under the
    /// path parameters' own examples (`/{username}/tokens` → `/jdoe/tokens`).
    fn seed_from_example(
        &mut self,
        doc: &Document,
        parent: &str,
        read: &Operation,
        id_param: Option<&Parameter>,
        id_kind: IdKind,
    ) {
        let Some(Value::Object(example)) = success_json(read)
            .and_then(|m| m.examples.first())
            .map(|e| e.value.clone())
        else {
            return;
        };
        let Some(collection) = concrete_path(doc, parent, read) else {
            return;
        };
        let id = example
            .get("id")
            .filter(|v| v.is_string() || v.is_number())
            .cloned()
            .or_else(|| id_param.and_then(|p| param_example(doc, p)));
        let Some(id) = id else { return };
        let key = id_kind.key(&scalar_text(&id));
        self.seed(collection, id_kind, key, Value::Object(example));
    }

    /// A fixture of an item GET that answers 2xx with a JSON object seeds
    /// that resource under its concrete path (templated paths seed nothing).
    fn add_fixtures(&mut self, fixtures: &FixtureStore) {
        let mut fixtures: Vec<_> = fixtures
            .all()
            .filter(|f| f.method == Method::GET && (200..300).contains(&f.status))
            .filter(|f| !f.path.contains('{'))
            .filter(|f| self.ops.get(&f.operation).map(|p| p.crud) == Some(Crud::Read))
            .collect();
        // The store is a HashMap: sort so seeds come in the same order every time.
        fixtures.sort_by(|a, b| a.file.cmp(&b.file));
        for f in fixtures {
            let Some(id_kind) = self.ops.get(&f.operation).map(|p| p.id_kind) else {
                continue;
            };
            let Ok(Value::Object(body)) = serde_json::from_slice::<Value>(&f.response_body) else {
                continue;
            };
            let Some((collection, last)) = f.path.trim_end_matches('/').rsplit_once('/') else {
                continue;
            };
            let key = id_kind.key(&percent_decode_str(last).decode_utf8_lossy());
            self.seed(collection.to_string(), id_kind, key, Value::Object(body));
        }
    }

    /// Store a seed; a later one with the same id replaces the earlier.
    fn seed(&mut self, collection: String, id_kind: IdKind, key: String, mut resource: Value) {
        if let Value::Object(m) = &mut resource {
            m.entry("id").or_insert_with(|| id_kind.value(&key));
        }
        let seeded = self.seeds.entry(collection).or_insert(Seeded {
            id_kind,
            items: Vec::new(),
        });
        match seeded.items.iter_mut().find(|(k, _)| *k == key) {
            Some(slot) => slot.1 = resource,
            None => seeded.items.push((key, resource)),
        }
    }
}

/// `/pets/{petId}` → (`/pets`, `petId`): a route whose last segment is one
/// whole template.
fn item_route(route: &str) -> Option<(&str, &str)> {
    let (parent, last) = route.rsplit_once('/')?;
    let name = last.strip_prefix('{')?.strip_suffix('}')?;
    (!name.contains(['{', '}'])).then_some((parent, name))
}

/// Integer ids where the path parameter (or else the resource's `id`) is an
/// integer; strings otherwise.
fn id_kind(param: Option<&Parameter>, read: Option<&MediaType>) -> IdKind {
    let integer = |s: &Shape| match s {
        Shape::Integer => true,
        Shape::Either(o) => o.contains(&Shape::Integer) && !o.contains(&Shape::String),
        _ => false,
    };
    match param.map(|p| &*p.shape) {
        Some(s) if integer(s) => IdKind::Integer,
        Some(Shape::String) => IdKind::Text,
        _ if read.is_some_and(|m| integer(m.shape.property("id"))) => IdKind::Integer,
        _ => IdKind::Text,
    }
}

/// The JSON media type of the lowest 2xx response.
fn success_json(op: &Operation) -> Option<&MediaType> {
    let mut ok: Vec<_> = op
        .responses
        .iter()
        .filter(|r| match r.status {
            StatusKey::Code(c) => (200..300).contains(&c),
            StatusKey::Range(2) => true,
            _ => false,
        })
        .collect();
    ok.sort_by_key(|r| r.status);
    ok.into_iter()
        .find_map(|r| r.content.iter().find(|m| is_json(&m.media_type)))
}

/// How the list's schema holds its items.
fn list_shape(media: Option<&MediaType>) -> ListShape {
    let Some(media) = media else {
        return ListShape::Unknown;
    };
    match &*media.shape {
        Shape::Array(_) => ListShape::Bare,
        Shape::Object(props, _) => {
            let arrays: Vec<&str> = props
                .iter()
                .filter(|(_, s)| s.is_array())
                .map(|(n, _)| n.as_str())
                .collect();
            const USUAL: &[&str] = &["data", "items", "results", "records", "content", "values"];
            let property = USUAL
                .iter()
                .find(|u| arrays.contains(u))
                .copied()
                .or_else(|| arrays.first().copied());
            let count = props
                .iter()
                .find(|(n, s)| {
                    matches!(n.as_str(), "total" | "count" | "totalCount" | "total_count")
                        && *s == Shape::Integer
                })
                .map(|(n, _)| n.clone());
            match property {
                Some(p) => ListShape::Wrapped {
                    property: p.to_string(),
                    count,
                },
                None => ListShape::Unknown,
            }
        }
        s if s.is_array() => ListShape::Bare,
        _ => ListShape::Unknown,
    }
}

/// A route with its templates filled from the parameters' examples, encoded
/// as a request would spell it; `None` when one has no example.
fn concrete_path(doc: &Document, route: &str, op: &Operation) -> Option<String> {
    let mut out = String::new();
    for (i, seg) in route.split('/').enumerate() {
        if i > 0 {
            out.push('/');
        }
        match seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
            Some(name) => {
                let p = op
                    .parameters
                    .iter()
                    .find(|p| p.location == ParamIn::Path && p.name == name)?;
                let v = param_example(doc, p)?;
                out.extend(utf8_percent_encode(&scalar_text(&v), SEGMENT));
            }
            None => out.push_str(seg),
        }
    }
    Some(out)
}

/// A path parameter's example: its own `example`, its first `examples`
/// entry, or its schema's example (a string or a number).
fn param_example(doc: &Document, p: &Parameter) -> Option<Value> {
    let own = doc.files.deref(&p.loc).ok().map(|(_, v)| v);
    let from_param = own.and_then(|v| {
        v.get("example").cloned().or_else(|| {
            v.get("examples")?
                .as_object()?
                .values()
                .find_map(|e| e.get("value").cloned())
        })
    });
    let from_schema = || {
        let s = doc.files.get(&p.schema.as_ref()?.loc)?;
        s.get("examples")
            .and_then(|e| e.get(0))
            .or_else(|| s.get("example"))
            .cloned()
    };
    from_param
        .or_else(from_schema)
        .filter(|v| v.is_string() || v.is_number())
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_keys_and_values() {
        assert_eq!(IdKind::Integer.key("007"), "7");
        assert_eq!(IdKind::Integer.value("7"), Value::from(7));
        assert_eq!(IdKind::Integer.key("x"), "x");
        assert_eq!(IdKind::Text.value("7"), Value::from("7"));
    }

    #[test]
    fn item_routes() {
        assert_eq!(item_route("/pets/{petId}"), Some(("/pets", "petId")));
        assert_eq!(
            item_route("/{username}/tokens/{id}"),
            Some(("/{username}/tokens", "id"))
        );
        assert_eq!(item_route("/pets"), None);
        assert_eq!(item_route("/files/{name}.json"), None);
    }

    #[test]
    fn segments_keep_what_a_path_allows() {
        let enc = |s: &str| utf8_percent_encode(s, SEGMENT).to_string();
        assert_eq!(enc("-3546"), "-3546");
        assert_eq!(enc("a b/c?d#e%"), "a%20b%2Fc%3Fd%23e%25");
    }
}
