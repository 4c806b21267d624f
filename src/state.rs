//! Stateful mode (`--stateful`): resources inferred from the paths.
//!
//! `POST /x` creates (an id generated in the path parameter's schema format,
//! returned in `Location` and in the body as `id` where the schema has or
//! allows it), `GET /x/{id}` reads, `PUT` replaces, `PATCH` merges, `DELETE`
//! removes, `GET /x` lists. A collection is its concrete path
//! (`/api/v2/alice/tokens`), so each parent has its own. A missing id gets the
//! vendor's 404 where it declares one, else what the document says anyway
//! (Unleash answers 200 for an unknown token). Bodies stay valid against the
//! response schemas: a stored resource is served only where the schema takes
//! it, else it is laid over the usual answer where that stays valid.

use std::collections::HashMap;
use std::sync::Mutex;

use bytes::Bytes;
use hyper::Method;
use hyper::header::{HeaderName, HeaderValue};
use serde_json::{Map, Value};

use crate::contract::Contract;
use crate::media::{concrete, is_json, serialize_for};
use crate::request::Request;
use crate::respond::{Answer, RespondOptions, generate};
use crate::spec::{Operation, ParamIn, StatusKey};
use crate::validate::Checked;

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

/// The stored resources, by collection path then id (insertion order kept).
#[derive(Debug, Default)]
pub struct ResourceStore {
    enabled: bool,
    collections: Mutex<HashMap<String, Vec<(String, Value)>>>,
    created: std::sync::atomic::AtomicU64,
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

    /// Forget every resource.
    pub fn reset(&self) {
        self.lock().clear();
    }

    /// Every collection and its resources (for the admin API).
    pub fn snapshot(&self) -> Value {
        let map: Map<String, Value> = self
            .lock()
            .iter()
            .map(|(k, items)| {
                (
                    k.clone(),
                    Value::Array(items.iter().map(|(_, v)| v.clone()).collect()),
                )
            })
            .collect();
        Value::Object(map)
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, HashMap<String, Vec<(String, Value)>>> {
        self.collections.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Answer a request that kept the contract from the store, when the
    /// operation is one of the CRUD shapes; `None`: answer as usual.
    pub fn answer(
        &self,
        contract: &Contract,
        checked: &Checked,
        req: &Request,
        options: &RespondOptions,
    ) -> Option<Answer> {
        if !self.enabled || !crate::respond::prefer::Preferences::from_request(req).is_empty() {
            return None;
        }
        let op = &checked.routed.operation;
        let (crud, id_param) = classify(contract, op)?;
        let (collection, id) = match id_param {
            Some(_) => {
                let (c, last) = req.path.rsplit_once('/')?;
                let id = percent_encoding::percent_decode_str(last)
                    .decode_utf8_lossy()
                    .into_owned();
                (c.to_string(), Some(id))
            }
            None => (req.path.trim_end_matches('/').to_string(), None),
        };
        let body = checked.body.clone().filter(Value::is_object);
        let mut store = self.lock();
        let items = store.entry(collection.clone()).or_default();
        let position = id
            .as_ref()
            .and_then(|id| items.iter().position(|(k, _)| k == id));
        match crud {
            Crud::Create => {
                let id = self.new_id(contract, op, options);
                let mut resource = body.unwrap_or_default();
                if let Value::Object(m) = &mut resource {
                    m.insert("id".into(), Value::String(id.clone()));
                }
                items.push((id.clone(), resource.clone()));
                let mut a = success(contract, op, checked, req, options, Some(&resource));
                let location = format!(
                    "{collection}/{}",
                    percent_encoding::utf8_percent_encode(&id, percent_encoding::NON_ALPHANUMERIC)
                );
                if let Ok(v) = HeaderValue::from_str(&location) {
                    a.headers.insert(HeaderName::from_static("location"), v);
                }
                Some(a)
            }
            Crud::List => {
                let all = Value::Array(items.iter().map(|(_, v)| v.clone()).collect());
                Some(success(contract, op, checked, req, options, Some(&all)))
            }
            Crud::Read | Crud::Replace | Crud::Merge | Crud::Delete => {
                let Some(i) = position else {
                    return not_found(contract, op, checked, req, options);
                };
                match crud {
                    Crud::Read => {
                        let r = items[i].1.clone();
                        Some(success(contract, op, checked, req, options, Some(&r)))
                    }
                    Crud::Replace | Crud::Merge => {
                        let id = items[i].0.clone();
                        let mut next = if crud == Crud::Merge {
                            items[i].1.clone()
                        } else {
                            Value::Object(Map::new())
                        };
                        if let (Value::Object(dst), Some(Value::Object(src))) = (&mut next, body) {
                            for (k, v) in src {
                                dst.insert(k, v);
                            }
                            dst.insert("id".into(), Value::String(id));
                        }
                        items[i].1 = next.clone();
                        Some(success(contract, op, checked, req, options, Some(&next)))
                    }
                    _ => {
                        items.remove(i);
                        Some(success(contract, op, checked, req, options, None))
                    }
                }
            }
        }
    }

    /// A fresh id in the format of the item route's path parameter.
    fn new_id(&self, contract: &Contract, op: &Operation, options: &RespondOptions) -> String {
        let n = self
            .created
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let item_param = contract
            .operations()
            .filter(|o| o.document == op.document)
            .find_map(|o| {
                let rest = o
                    .route
                    .strip_prefix(op.route.trim_end_matches('/'))?
                    .strip_prefix('/')?;
                let name = rest.strip_prefix('{')?.strip_suffix('}')?;
                o.parameters
                    .iter()
                    .find(|p| p.location == ParamIn::Path && p.name == name)
                    .cloned()
            });
        let seed = generate::derive_seed(options.seed, "stateful-id", &n.to_string());
        let generated = item_param.and_then(|p| {
            let schema = p.schema?;
            let doc = contract.document(&op.document)?;
            Some(generate::generate(
                &doc.files,
                &schema.loc,
                seed,
                &generate::Hints::NONE,
            ))
        });
        // An id ends up in a URL: keep generated ones that are URL-safe as they are.
        let url_safe = |s: &str| {
            s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        };
        match generated {
            Some(Value::String(s)) if !s.is_empty() && url_safe(&s) => s,
            Some(Value::Number(n)) => n.to_string(),
            _ => format!("{:012x}", seed & 0xffff_ffff_ffff),
        }
    }
}

/// Which CRUD shape an operation has, and its id parameter for item routes.
pub fn classify(contract: &Contract, op: &Operation) -> Option<(Crud, Option<String>)> {
    let last = op.route.rsplit('/').next()?;
    if let Some(name) = last.strip_prefix('{').and_then(|l| l.strip_suffix('}')) {
        let crud = match op.method {
            Method::GET => Crud::Read,
            Method::PUT => Crud::Replace,
            Method::PATCH => Crud::Merge,
            Method::DELETE => Crud::Delete,
            _ => return None,
        };
        return Some((crud, Some(name.to_string())));
    }
    // A collection only when an item route hangs below it.
    let prefix = format!("{}/{{", op.route.trim_end_matches('/'));
    let has_items = contract.operations().any(|o| {
        o.document == op.document
            && o.route.starts_with(&prefix)
            && !o.route[prefix.len()..].contains('/')
    });
    if !has_items {
        return None;
    }
    match op.method {
        Method::POST => Some((Crud::Create, None)),
        Method::GET => Some((Crud::List, None)),
        _ => None,
    }
}

/// The usual success answer, with the stored resource as its body where the
/// response schema takes it (or laid over the usual body where that stays valid).
fn success(
    contract: &Contract,
    op: &Operation,
    checked: &Checked,
    req: &Request,
    options: &RespondOptions,
    resource: Option<&Value>,
) -> Answer {
    let mut a = crate::respond::respond(contract, checked, req, options);
    let Some(resource) = resource else { return a };
    let Some(declared) = crate::respond::declared_for(op, a.status.as_u16()) else {
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
    let Some(schema) = &media.schema else {
        a.body = serialize_for(&media.media_type, resource);
        return a;
    };
    if schema.validator.is_valid(resource) {
        a.body = serialize_for(&media.media_type, resource);
        return a;
    }
    if let (Ok(Value::Object(mut base)), Value::Object(over)) =
        (serde_json::from_slice::<Value>(&a.body), resource)
    {
        for (k, v) in over {
            base.insert(k.clone(), v.clone());
        }
        let merged = Value::Object(base);
        if schema.validator.is_valid(&merged) {
            a.body = Bytes::from(serde_json::to_vec(&merged).unwrap_or_default());
        }
    }
    a
}

/// The vendor's 404 for a missing resource; `None` when it declares none
/// (the usual answer then, as the document says).
fn not_found(
    contract: &Contract,
    op: &Operation,
    checked: &Checked,
    req: &Request,
    options: &RespondOptions,
) -> Option<Answer> {
    op.response(StatusKey::Code(404))?;
    let mut forced = req.clone();
    if let Ok(v) = HeaderValue::from_str("code=404") {
        forced.headers.insert(HeaderName::from_static("prefer"), v);
    }
    let mut a = crate::respond::respond(contract, checked, &forced, options);
    a.headers.remove("preference-applied");
    Some(a)
}
