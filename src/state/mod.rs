//! Stateful mode (`--stateful`): resources inferred from the paths.
//!
//! `POST /x` creates (an id that follows the id's schema: 1, 2, 3... for
//! integer ids, the parameter's format for strings; returned in `Location`
//! and in the body as `id`), `GET /x/{id}` reads, `PUT` replaces, `PATCH`
//! merges, `DELETE` removes, `GET /x` lists. A collection is its concrete
//! path (`/api/v2/alice/tokens`), so each parent has its own, and starts with
//! what the documents' item examples and fixtures seed ([`plan`]). A missing
//! id gets the vendor's 404 where it declares one, else what the document
//! says anyway (Unleash answers 200 for an unknown token). Bodies stay valid
//! against the response schemas: a stored resource is served only where the
//! schema takes it, else it is laid over the usual answer where that stays
//! valid.

pub mod plan;

use std::collections::HashMap;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::generate::{self, Plans};
use crate::media::{concrete, is_json, serialize_for};
use crate::request::Request;
use crate::respond::prefer::Preferences;
use crate::respond::{Answer, RespondOptions};
use crate::spec::{Operation, StatusKey};
use crate::validate::Checked;

pub use plan::{Crud, IdKind, ListShape, OpPlan, Plan};

/// One collection's resources, by id key, in insertion order.
#[derive(Debug, Default)]
struct Collection {
    items: Vec<(String, Value)>,
    /// The next integer id: above every seeded one, never reused.
    next: i64,
}

impl Collection {
    /// A collection as the plan seeds it (empty when nothing does).
    fn seeded(plan: &Plan, path: &str) -> Collection {
        let items = plan
            .seeded(path)
            .map(|s| s.items.clone())
            .unwrap_or_default();
        let top = items
            .iter()
            .filter_map(|(k, _)| k.parse::<i64>().ok())
            .max()
            .unwrap_or(0);
        Collection {
            items,
            next: top.max(0) + 1,
        }
    }
}

/// The stored resources, by collection path. A collection is seeded when a
/// request first touches it, from the contract in force then: reset and
/// reloads need no walk over every seed.
#[derive(Debug, Default)]
pub struct ResourceStore {
    enabled: bool,
    collections: Mutex<HashMap<String, Collection>>,
    created: AtomicU64,
}

impl ResourceStore {
    pub fn new(enabled: bool) -> ResourceStore {
        ResourceStore {
            enabled,
            ..ResourceStore::default()
        }
    }

    /// True in `--stateful` mode.
    pub fn enabled(&self) -> bool {
        self.enabled
    }

    /// Forget every change: collections start again from their seeds.
    pub fn reset(&self) {
        self.lock().clear();
    }

    /// Every collection and its resources (for the admin API): those touched
    /// so far, and the seeded ones no request has touched yet.
    pub fn snapshot(&self, plan: &Plan) -> Value {
        let store = self.lock();
        let mut map: Map<String, Value> = store
            .iter()
            .map(|(k, c)| (k.clone(), list_of(&c.items)))
            .collect();
        if self.enabled {
            for (path, seeded) in plan.seeded_collections() {
                if !store.contains_key(path) {
                    map.insert(path.clone(), list_of(&seeded.items));
                }
            }
        }
        Value::Object(map)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Collection>> {
        self.collections.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answer a request that kept the contract from the store, when the
    /// operation is one of the CRUD shapes; `None`: answer as usual.
    pub fn answer(
        &self,
        (plan, plans): (&Plan, Option<&Plans>),
        checked: &Checked,
        req: &Request,
        options: &RespondOptions,
    ) -> Option<Answer> {
        if !self.enabled {
            return None;
        }
        let op = &checked.routed.operation;
        let how = plan.op(op)?;
        let kind = how.id_kind;
        let path = req.path.trim_end_matches('/');
        let (collection, key) = match how.crud {
            Crud::Create | Crud::List => (path, None),
            _ => {
                let (c, last) = path.rsplit_once('/')?;
                let raw = percent_encoding::percent_decode_str(last).decode_utf8_lossy();
                (c, Some(kind.key(&raw)))
            }
        };
        let body = checked.body_value().cloned().filter(Value::is_object);
        let mut store = self.lock();
        let coll = store
            .entry(collection.to_string())
            .or_insert_with(|| Collection::seeded(plan, collection));
        let position = key
            .as_ref()
            .and_then(|k| coll.items.iter().position(|(s, _)| s == k));
        let ctx = Ctx {
            plans,
            op,
            checked,
            req,
            options,
        };
        match how.crud {
            Crud::Create => {
                let (key, id) = self.new_id(&ctx, how, coll);
                let mut resource = body.unwrap_or_default();
                if let Value::Object(m) = &mut resource {
                    m.insert("id".into(), id);
                }
                coll.items.push((key.clone(), resource.clone()));
                drop(store);
                let mut a = ctx.success(Body::Resource(&resource));
                let location = format!(
                    "{collection}/{}",
                    percent_encoding::utf8_percent_encode(&key, plan::SEGMENT)
                );
                if let Ok(v) = HeaderValue::from_str(&location) {
                    a.headers.insert(HeaderName::from_static("location"), v);
                }
                Some(a)
            }
            Crud::List => {
                let all: Vec<Value> = coll.items.iter().map(|(_, v)| v.clone()).collect();
                drop(store);
                Some(ctx.success(Body::List(all, &how.list)))
            }
            Crud::Read | Crud::Replace | Crud::Merge | Crud::Delete => {
                let Some(i) = position else {
                    drop(store);
                    return ctx.not_found();
                };
                let resource = match how.crud {
                    Crud::Read => Some(coll.items[i].1.clone()),
                    Crud::Replace | Crud::Merge => {
                        let mut next = if how.crud == Crud::Merge {
                            coll.items[i].1.clone()
                        } else {
                            Value::Object(Map::new())
                        };
                        if let (Value::Object(dst), Some(Value::Object(src))) = (&mut next, body) {
                            for (k, v) in src {
                                dst.insert(k, v);
                            }
                            // The id is the URL's, in the schema's type, whatever the body says.
                            dst.insert("id".into(), kind.value(&coll.items[i].0));
                        }
                        coll.items[i].1 = next.clone();
                        Some(next)
                    }
                    _ => {
                        coll.items.remove(i);
                        None
                    }
                };
                drop(store);
                Some(match &resource {
                    Some(r) => ctx.success(Body::Resource(r)),
                    None => ctx.success(Body::Usual),
                })
            }
        }
    }

    /// A fresh id (its key and its JSON value) that follows the id's schema.
    fn new_id(&self, ctx: &Ctx, how: &OpPlan, coll: &mut Collection) -> (String, Value) {
        if how.id_kind == IdKind::Integer {
            // Above anything stored too: a seed may have come in after `next` was set.
            let top = coll
                .items
                .iter()
                .filter_map(|(k, _)| k.parse::<i64>().ok())
                .max()
                .unwrap_or(0);
            let n = coll.next.max(top.saturating_add(1)).max(1);
            coll.next = n.saturating_add(1);
            return (n.to_string(), Value::from(n));
        }
        let schema = how.id_param.as_ref().and_then(|p| p.schema.as_ref());
        // An id ends up in a URL: keep generated ones that are URL-safe as they are.
        let url_safe = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        let mut seed = 0;
        for _ in 0..8 {
            let n = self.created.fetch_add(1, Ordering::Relaxed);
            seed = generate::derive_seed(ctx.options.seed, "stateful-id", &n.to_string());
            let generated = match (ctx.plans, schema) {
                (Some(plans), Some(s)) => Some(generate::generate(
                    plans,
                    &s.loc,
                    seed,
                    &generate::Hints::NONE,
                )),
                _ => None,
            };
            let key = match generated {
                Some(Value::String(s)) if !s.is_empty() && url_safe(&s) => s,
                _ => format!("{:012x}", seed & 0xffff_ffff_ffff),
            };
            if !coll.items.iter().any(|(k, _)| *k == key) {
                return (key.clone(), Value::String(key));
            }
        }
        let key = format!("{seed:016x}");
        (key.clone(), Value::String(key))
    }
}

fn list_of(items: &[(String, Value)]) -> Value {
    Value::Array(items.iter().map(|(_, v)| v.clone()).collect())
}

/// What the store puts in a success answer.
enum Body<'a> {
    /// The usual answer (a delete).
    Usual,
    Resource(&'a Value),
    /// The collection's resources, in the list schema's shape.
    List(Vec<Value>, &'a ListShape),
}

/// One request being answered from the store.
struct Ctx<'a> {
    plans: Option<&'a Plans>,
    op: &'a Operation,
    checked: &'a Checked,
    req: &'a Request,
    options: &'a RespondOptions,
}

impl Ctx<'_> {
    /// The usual success answer, with the store's body where the response
    /// schema takes it (or laid over the usual body where that stays valid).
    fn success(&self, body: Body) -> Answer {
        let mut a = crate::respond::respond(
            self.plans,
            self.checked,
            self.req,
            &Preferences::default(),
            self.options,
        );
        if matches!(body, Body::Usual) {
            return a;
        }
        let Some(declared) = self.op.declared_for(a.status.as_u16()) else {
            return a;
        };
        let ct = a
            .headers
            .get(hyper::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
            .to_string();
        let Some(media) = declared
            .content
            .iter()
            .find(|m| concrete(&m.media_type) == ct || m.media_type == ct)
        else {
            return a;
        };
        if !is_json(&media.media_type) {
            return a;
        }
        let usual = serde_json::from_slice::<Value>(&a.body).ok();
        let valid = |v: &Value| media.schema.as_ref().is_none_or(|s| s.is_valid(v));
        let chosen = candidates(body, usual).into_iter().find(|c| valid(c));
        if let Some(v) = chosen {
            a.body = serialize_for(&media.media_type, &v);
        }
        a
    }

    /// The vendor's 404 for a missing resource; `None` when it declares none
    /// (the usual answer then, as the document says).
    fn not_found(&self) -> Option<Answer> {
        self.op.response(StatusKey::Code(404))?;
        let forced = Preferences {
            code: Some(404),
            ..Preferences::default()
        };
        let mut a =
            crate::respond::respond(self.plans, self.checked, self.req, &forced, self.options);
        a.headers.remove("preference-applied");
        Some(a)
    }
}

/// The bodies to try, best first; the first the schema takes is served.
fn candidates(body: Body, usual: Option<Value>) -> Vec<Value> {
    let overlay = |over: &Value| match (&usual, over) {
        (Some(Value::Object(base)), Value::Object(over)) => {
            let mut m = base.clone();
            for (k, v) in over {
                m.insert(k.clone(), v.clone());
            }
            Some(Value::Object(m))
        }
        _ => None,
    };
    match body {
        Body::Usual => Vec::new(),
        Body::Resource(r) => std::iter::once(r.clone()).chain(overlay(r)).collect(),
        Body::List(items, ListShape::Wrapped { property, count }) => {
            let mut wrapper = match &usual {
                Some(Value::Object(m)) => m.clone(),
                _ => Map::new(),
            };
            if let Some(c) = count {
                wrapper.insert(c.clone(), Value::from(items.len()));
            }
            wrapper.insert(property.clone(), Value::Array(items.clone()));
            let mut bare = Map::new();
            bare.insert(property.clone(), Value::Array(items));
            vec![Value::Object(wrapper), Value::Object(bare)]
        }
        Body::List(items, _) => vec![Value::Array(items)],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn lists_take_the_schema_shape() {
        let shape = ListShape::Wrapped {
            property: "data".into(),
            count: Some("total".into()),
        };
        let got = candidates(
            Body::List(vec![json!({"id": 1})], &shape),
            Some(json!({"data": [{"id": 9}, {"id": 8}], "total": 2, "page": 1})),
        );
        assert_eq!(got[0], json!({"data": [{"id": 1}], "total": 1, "page": 1}));
        let got = candidates(Body::List(vec![json!(1)], &ListShape::Bare), None);
        assert_eq!(got, vec![json!([1])]);
    }

    #[test]
    fn a_resource_is_tried_alone_then_over_the_usual_body() {
        let r = json!({"name": "Rex"});
        let got = candidates(Body::Resource(&r), Some(json!({"name": "x", "age": 3})));
        assert_eq!(got, vec![r.clone(), json!({"name": "Rex", "age": 3})]);
    }
}
