//! Walking a collection's items into operations: folders become tags, each
//! request an operation, requests with the same method and path template
//! merge into one (their examples, parameters and responses together).

use std::collections::{BTreeSet, HashMap, HashSet};

use serde_json::Value;

use super::auth::{self, Auth};
use super::body::{self, Body, Saved};
use super::url::{self, Pair};
use super::variables::Variables;
use crate::spec::LoadError;

/// Methods an OpenAPI 3.0 path item holds.
const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// One operation being gathered from its requests.
#[derive(Debug)]
pub(super) struct Op {
    pub method: String,
    pub path: String,
    pub operation_id: String,
    pub summary: String,
    pub description: Option<String>,
    pub tag: Option<String>,
    pub path_params: Vec<url::PathParam>,
    pub query: Vec<Pair>,
    pub headers: Vec<Pair>,
    /// Each merged request's body (`None`: it sent none), with its item name.
    pub bodies: Vec<(String, Option<Body>)>,
    /// Each merged request's security scheme (`None`: no credentials).
    pub security: Vec<Option<String>>,
    pub responses: Vec<Saved>,
}

/// What a walk through the items gathers.
pub(super) struct Walk<'a> {
    display: &'a str,
    vars: Variables,
    pub ops: Vec<Op>,
    pub schemes: serde_json::Map<String, Value>,
    pub tags: Vec<(String, Option<String>)>,
    pub notices: Vec<LoadError>,
    /// The first base URL a request's host resolved to: the server.
    pub server: Option<String>,
    other_bases: BTreeSet<String>,
    unresolved: BTreeSet<String>,
    no_response: Vec<String>,
    /// Index into `ops` by merge key, and the ids taken: a large collection
    /// is read in linear time.
    by_key: HashMap<String, usize>,
    ids: HashSet<String>,
    /// The first path written for each shape (`/users/{}`): another method
    /// on the same shape takes its template names, as OpenAPI wants.
    shapes: HashMap<String, (String, Vec<String>)>,
}

/// Where an item sits: its JSON pointer and the folder names above it.
#[derive(Clone)]
struct Place {
    pointer: String,
    folders: Vec<String>,
    auth: Option<Auth>,
}

impl<'a> Walk<'a> {
    pub(super) fn new(display: &'a str, vars: Variables) -> Self {
        Walk {
            display,
            vars,
            ops: Vec::new(),
            schemes: serde_json::Map::new(),
            tags: Vec::new(),
            notices: Vec::new(),
            server: None,
            other_bases: BTreeSet::new(),
            unresolved: BTreeSet::new(),
            no_response: Vec::new(),
            by_key: HashMap::new(),
            ids: HashSet::new(),
            shapes: HashMap::new(),
        }
    }

    /// Walk the whole collection.
    pub(super) fn collection(&mut self, c: &Value) {
        self.scripts(c, "", "the collection");
        let place = Place {
            pointer: String::new(),
            folders: Vec::new(),
            auth: auth::read(c.get("auth"), &self.vars),
        };
        if let Some(Auth::Unchecked(kind)) = &place.auth {
            self.unchecked_auth(kind, "#/auth", "the collection");
        }
        self.items(c.get("item"), &place);
        self.closing_notes();
    }

    fn note(&mut self, at: String, message: String, hint: &str) {
        let e = LoadError::new(self.display, message).at(at);
        self.notices
            .push(if hint.is_empty() { e } else { e.hint(hint) });
    }

    fn items(&mut self, items: Option<&Value>, parent: &Place) {
        let Some(items) = items.and_then(Value::as_array) else {
            return;
        };
        for (i, item) in items.iter().enumerate() {
            let pointer = format!("{}/item/{i}", parent.pointer);
            let name = item
                .get("name")
                .and_then(Value::as_str)
                .unwrap_or("(unnamed)")
                .to_string();
            let mut names = parent.folders.clone();
            names.push(name.clone());
            let shown = format!("\"{}\"", names.join(" / "));
            self.scripts(item, &pointer, &shown);
            if item.get("item").is_some() {
                let own = auth::read(item.get("auth"), &self.vars);
                if let Some(Auth::Unchecked(kind)) = &own {
                    self.unchecked_auth(kind, &format!("#{pointer}/auth"), &shown);
                }
                let tag = names.join(" / ");
                if !self.tags.iter().any(|(t, _)| *t == tag) {
                    let desc = body::item_description(item.get("description"));
                    self.tags.push((tag, desc));
                }
                let place = Place {
                    pointer,
                    folders: names,
                    auth: own.or_else(|| parent.auth.clone()),
                };
                self.items(item.get("item"), &place);
            } else if let Some(request) = item.get("request") {
                let place = Place {
                    pointer,
                    folders: parent.folders.clone(),
                    auth: parent.auth.clone(),
                };
                self.request(item, request, &name, &shown, &place);
            }
        }
    }

    /// Scripts are not run: say so, naming the item.
    fn scripts(&mut self, item: &Value, pointer: &str, shown: &str) {
        let Some(events) = item.get("event").and_then(Value::as_array) else {
            return;
        };
        for (i, e) in events.iter().enumerate() {
            let exec = e.pointer("/script/exec");
            let has_code = match exec {
                Some(Value::Array(lines)) => lines
                    .iter()
                    .any(|l| l.as_str().is_some_and(|l| !l.trim().is_empty())),
                Some(Value::String(s)) => !s.trim().is_empty(),
                _ => false,
            };
            if !has_code {
                continue;
            }
            let what = match e.get("listen").and_then(Value::as_str) {
                Some("prerequest") => "pre-request script",
                Some("test") => "test script",
                _ => "script",
            };
            self.note(
                format!("#{pointer}/event/{i}"),
                format!("{shown}: its {what} is not run: specmock does not execute collection scripts"),
                "what the script sets or checks is not part of the contract; declare it as variables or saved responses",
            );
        }
    }

    fn unchecked_auth(&mut self, kind: &str, at: &str, shown: &str) {
        self.note(
            at.to_string(),
            format!("{shown}: auth type `{kind}` is not checked (specmock checks apikey, bearer, basic, digest and oauth2)"),
            "",
        );
    }

    fn request(&mut self, item: &Value, request: &Value, name: &str, shown: &str, place: &Place) {
        // A request given as a string is a GET of that URL.
        let (method, url_value) = match request {
            Value::String(u) => ("get".to_string(), Value::String(u.clone())),
            r => (
                r.get("method")
                    .and_then(Value::as_str)
                    .unwrap_or("GET")
                    .to_ascii_lowercase(),
                r.get("url").cloned().unwrap_or(Value::Null),
            ),
        };
        if !METHODS.contains(&method.as_str()) {
            self.note(
                format!("#{}/request/method", place.pointer),
                format!("{shown}: method {} has no place in an OpenAPI document; the request is left out", method.to_ascii_uppercase()),
                "",
            );
            return;
        }
        let url = url::read(&url_value, &self.vars);
        match &url.base {
            Ok(b) if self.server.is_none() => self.server = Some(b.clone()),
            Ok(b) if self.server.as_ref() != Some(b) => {
                self.other_bases.insert(b.clone());
            }
            Err(names) => self.unresolved.extend(names.iter().cloned()),
            Ok(_) => {}
        }
        let headers = body::headers(request.get("header"), &self.vars);
        let content_type = headers
            .iter()
            .find(|h| h.key.eq_ignore_ascii_case("content-type") && !h.disabled)
            .and_then(|h| h.value.clone());
        let req_body = body::request_body(request.get("body"), content_type.as_deref(), &self.vars);
        if let Some(Body::BrokenJson { media, error }) = &req_body {
            self.note(
                format!("#{}/request/body/raw", place.pointer),
                format!("{shown}: the {media} body does not parse once variables are substituted ({error}); it is declared without a schema"),
                "define the variables it uses (collection variables or --postman-env), or quote them",
            );
        }
        let own_auth = auth::read(request.get("auth"), &self.vars);
        if let Some(Auth::Unchecked(kind)) = &own_auth {
            self.unchecked_auth(kind, &format!("#{}/request/auth", place.pointer), shown);
        }
        let (security, credential) = match own_auth.or_else(|| place.auth.clone()) {
            Some(Auth::Scheme { name, scheme }) => {
                let credential = (scheme["type"] == "apiKey").then(|| {
                    (
                        scheme["in"].as_str().unwrap_or("").to_string(),
                        scheme["name"].as_str().unwrap_or("").to_ascii_lowercase(),
                    )
                });
                self.schemes.entry(name.clone()).or_insert(scheme);
                (Some(name), credential)
            }
            _ => (None, None),
        };
        let is_credential = |location: &str, key: &str| {
            credential
                .as_ref()
                .is_some_and(|(l, n)| l == location && *n == key.to_ascii_lowercase())
        };
        let header_params: Vec<Pair> = headers
            .into_iter()
            .filter(|h| {
                let k = h.key.to_ascii_lowercase();
                !matches!(k.as_str(), "accept" | "content-type" | "authorization")
                    && !is_credential("header", &k)
            })
            .collect();
        let query: Vec<Pair> = url
            .query
            .into_iter()
            .filter(|q| !q.key.starts_with("__") && !is_credential("query", &q.key))
            .collect();
        let mut responses = Vec::new();
        for (i, r) in item
            .get("response")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .enumerate()
        {
            let Some(s) = body::saved(r, i, &self.vars) else {
                continue;
            };
            if let Some(error) = &s.broken {
                self.note(
                    format!("#{}/response/{i}/body", place.pointer),
                    format!("{shown}: saved response \"{}\" is declared JSON but does not parse ({error}); served as text/plain", s.name),
                    "",
                );
            }
            responses.push(s);
        }
        if responses.is_empty() {
            self.no_response.push(shown.to_string());
        }
        // The method and the path with template names blanked: what merges requests.
        let shape = blank_templates(&url.path);
        let key = format!("{method} {shape}");
        let description = body::item_description(request.get("description"))
            .or_else(|| body::item_description(item.get("description")));
        if let Some(op) = self.by_key.get(&key).map(|&i| &mut self.ops[i]) {
            for q in query {
                if !op.query.iter().any(|p| p.key == q.key) {
                    op.query.push(q);
                }
            }
            for h in header_params {
                if !op
                    .headers
                    .iter()
                    .any(|p| p.key.eq_ignore_ascii_case(&h.key))
                {
                    op.headers.push(h);
                }
            }
            for (p, (_, value, _)) in op.path_params.iter_mut().zip(url.path_params) {
                if p.1.is_none() {
                    p.1 = value;
                }
            }
            op.bodies.push((name.to_string(), req_body));
            op.security.push(security);
            op.responses.extend(responses);
            op.summary = format!("{}; {name}", op.summary);
            return;
        }
        let operation_id = self.operation_id(name, &method, &url.path);
        self.ids.insert(operation_id.clone());
        self.by_key.insert(key, self.ops.len());
        let (path, mut path_params) = (url.path, url.path_params);
        let path = match self.shapes.get(&shape) {
            Some((first, names)) => {
                for (p, name) in path_params.iter_mut().zip(names) {
                    p.0 = name.clone();
                }
                first.clone()
            }
            None => {
                let names = path_params.iter().map(|p| p.0.clone()).collect();
                self.shapes.insert(shape, (path.clone(), names));
                path
            }
        };
        let tag = (!place.folders.is_empty()).then(|| place.folders.join(" / "));
        self.ops.push(Op {
            method,
            path,
            operation_id,
            summary: name.to_string(),
            description,
            tag,
            path_params,
            query,
            headers: header_params,
            bodies: vec![(name.to_string(), req_body)],
            security: vec![security],
            responses,
        });
    }

    /// The item's name as an id (`Get user` → `get-user`), unless taken.
    fn operation_id(&self, name: &str, method: &str, path: &str) -> String {
        let mut id = String::new();
        for word in name
            .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .filter(|w| !w.is_empty())
        {
            if !id.is_empty() {
                id.push('-');
            }
            id.push_str(&word.to_ascii_lowercase());
        }
        let taken = |id: &str| self.ids.contains(id);
        if id.is_empty() || taken(&id) {
            id = crate::spec::derive_operation_id(method, path);
        }
        let (base, mut n) = (id.clone(), 2);
        while taken(&id) {
            id = format!("{base}-{n}");
            n += 1;
        }
        id
    }

    /// What is only known once every item is read.
    fn closing_notes(&mut self) {
        if self.vars.exhausted() {
            self.note(
                "#/variable".into(),
                "variables refer to each other so much that substituting them all would take more than 1 MiB for one value or 64 MiB in all; the rest are left as written".into(),
                "check the collection and environment variables for values that repeat other variables",
            );
        }
        if !self.unresolved.is_empty() {
            let names: Vec<String> = self
                .unresolved
                .iter()
                .map(|n| format!("{{{{{n}}}}}"))
                .collect();
            let served = match &self.server {
                Some(s) => format!("served under the base path of {s}"),
                None => "served from the root path /".to_string(),
            };
            self.note(
                "#/item".into(),
                format!("the host of some requests uses {}, which no variable defines: they are {served}", names.join(", ")),
                "define it in the collection's variables or in an environment given with --postman-env FILE",
            );
        }
        if let Some(server) = &self.server
            && !self.other_bases.is_empty()
        {
            let others: Vec<&str> = self.other_bases.iter().map(String::as_str).collect();
            self.note(
                "#/item".into(),
                format!("requests name other hosts than the first one ({server}): {}; all are served under its base path", others.join(", ")),
                "mount another copy of the collection with --mount to serve them elsewhere",
            );
        }
        if !self.no_response.is_empty() {
            let n = self.no_response.len();
            let list = self.no_response.join(", ");
            self.note(
                "#/item".into(),
                format!("{n} request(s) have no saved response and answer 200 with an empty body: {list}"),
                "save an example response in Postman to give them a body",
            );
        }
    }
}

/// `/users/{id}` → `/users/{}`: two templates that route alike merge.
fn blank_templates(path: &str) -> String {
    let mut out = String::with_capacity(path.len());
    let mut inside = false;
    for c in path.chars() {
        match c {
            '{' => {
                inside = true;
                out.push_str("{}");
            }
            '}' => inside = false,
            c if !inside => out.push(c),
            _ => {}
        }
    }
    out
}
