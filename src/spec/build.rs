//! Reading operations out of an upgraded, converted document, and compiling
//! each schema once.

use std::collections::HashMap;

use serde_json::Value;

use super::LoadError;
use super::model::*;
use super::paths::{derive_operation_id, join_route, template_names};
use super::refs::{FileSet, Loc};
use super::schema::Direction;
use crate::media::serialize_for;

const METHODS: &[&str] = &[
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// Header parameters OpenAPI says to ignore: they are described elsewhere
/// (security schemes, content negotiation).
const IGNORED_HEADERS: &[&str] = &["accept", "content-type", "authorization"];

pub use super::compile::Compiler;

/// Everything needed to read one document's operations.
pub struct Builder<'a> {
    pub files: &'a FileSet,
    pub doc_name: &'a str,
    pub base_path: &'a str,
    pub version: SpecVersion,
    /// `--strict-load`: what would leave an operation out refuses the document.
    pub strict: bool,
    pub compiler: Compiler,
    /// What refuses the document.
    pub errors: Vec<LoadError>,
    /// What is forgiven (an operation left out, a sloppy but clear
    /// construct): served with a warning, an error for `validate`.
    pub warnings: Vec<LoadError>,
}

impl Builder<'_> {
    fn err(&mut self, loc: &Loc, message: impl Into<String>) {
        let e = self.files.error(loc, message);
        self.errors.push(e);
    }

    fn warn(&mut self, loc: &Loc, message: impl Into<String>) {
        let e = self.files.error(loc, message);
        self.warnings.push(e);
    }

    /// Every operation of the document. One that cannot be built is kept,
    /// marked `unavailable` with the first reason (it routes, and answers
    /// 501), unless `strict`.
    pub fn operations(&mut self) -> Vec<Operation> {
        let root = self.files.root.clone();
        let top = Loc::new(&root, "");
        let mut out = Vec::new();
        let global_security = self.files.root_value().get("security").cloned();
        let Some(paths) = self
            .files
            .root_value()
            .get("paths")
            .and_then(Value::as_object)
        else {
            if self.version == SpecVersion::OpenApi31 {
                // 3.1 makes `paths` optional: a webhooks- or components-only document.
                self.warn(
                    &top,
                    "the document has no `paths`: it loads with no routes (webhooks are not served: they are sent, see POST /__specmock/webhooks/{name} and --webhook)",
                );
            } else {
                self.err(&top, "the document has no `paths`");
            }
            return out;
        };
        let paths: Vec<String> = paths.keys().cloned().collect();
        for path in paths {
            let item_loc = top.child("paths").child(&path);
            if !path.starts_with('/') {
                self.left_out_path(&item_loc, format!("path \"{path}\" must start with '/'"));
                continue;
            }
            let files = self.files;
            let (item_loc, item) = match files.deref(&item_loc) {
                Ok((l, v)) => (l, v),
                Err(e) => {
                    self.left_out_path(&item_loc, e.to_string());
                    continue;
                }
            };
            for m in METHODS {
                let Some(raw) = item.get(*m) else { continue };
                let mut op_loc = item_loc.child(m);
                let before = self.errors.len();
                // Split documents put a `$ref` on the operation object too.
                if raw.get("$ref").is_some() {
                    match files.deref(&op_loc) {
                        Ok((l, _)) => op_loc = l,
                        Err(e) => self.errors.push(e),
                    }
                }
                let op = self.operation(&path, &item_loc, &op_loc, m, global_security.as_ref());
                let mut problems = self.errors.split_off(before);
                for at in [op_loc.clone(), item_loc.child("parameters")] {
                    if let Some(broken) = files.reaches_broken(&at) {
                        problems.insert(0, broken.clone());
                        break;
                    }
                }
                let Some(mut op) = op else {
                    self.errors.extend(problems);
                    continue;
                };
                if !problems.is_empty() {
                    if self.strict {
                        self.errors.extend(problems);
                        continue;
                    }
                    let reason = problems[0].to_string();
                    let more = match problems.len() {
                        1 => String::new(),
                        n => format!(" (and {} more problem(s))", n - 1),
                    };
                    let e = files
                        .error(
                            &op_loc,
                            format!(
                                "{} {path} ({}) is left out: {reason}{more}",
                                op.method, op.operation_id
                            ),
                        )
                        .hint("requests to it are answered 501; fix the document, or pass --strict-load to refuse it whole");
                    self.warnings.push(e);
                    op.unavailable = Some(reason);
                }
                out.push(op);
            }
        }
        self.dedupe_operation_ids(&mut out);
        out
    }

    /// A path item that cannot be read: nothing of it is served.
    fn left_out_path(&mut self, loc: &Loc, reason: String) {
        if self.strict {
            self.err(loc, reason);
        } else {
            let e = self
                .files
                .error(loc, format!("the path is left out: {reason}"))
                .hint("fix the document, or pass --strict-load to refuse it whole");
            self.warnings.push(e);
        }
    }

    /// Duplicate operationIds within one document make `doc/operationId`
    /// ambiguous: the first keeps its id, each other one gets the id derived
    /// from its method and path (the rule for operations without an id).
    fn dedupe_operation_ids(&mut self, ops: &mut [Operation]) {
        let mut seen: HashMap<String, Loc> = HashMap::new();
        for op in ops.iter_mut() {
            let Some(first) = seen.get(&op.operation_id).cloned() else {
                seen.insert(op.operation_id.clone(), op.loc.clone());
                continue;
            };
            let mut derived = derive_operation_id(op.method.as_str(), &op.path);
            let mut n = 2;
            while seen.contains_key(&derived) {
                derived = format!("{}-{n}", derive_operation_id(op.method.as_str(), &op.path));
                n += 1;
            }
            let msg = format!(
                "operationId \"{}\" is used twice (first at {}); this one is served as \"{derived}\"",
                op.operation_id,
                first.fragment()
            );
            let e = self
                .files
                .error(&op.loc, msg)
                .hint("operationIds must be unique within a document");
            if self.strict {
                self.errors.push(e);
            } else {
                self.warnings.push(e);
            }
            op.operation_id = derived.clone();
            op.display_id = derived.clone();
            op.id_derived = true;
            seen.insert(derived, op.loc.clone());
        }
    }

    pub(super) fn operation(
        &mut self,
        path: &str,
        item_loc: &Loc,
        op_loc: &Loc,
        method: &str,
        global_security: Option<&Value>,
    ) -> Option<Operation> {
        let files = self.files;
        let op = files.get(op_loc)?;
        let (operation_id, id_derived) = match op.get("operationId").and_then(Value::as_str) {
            Some(id) if !id.is_empty() => (id.to_string(), false),
            _ => (derive_operation_id(method, path), true),
        };
        let method_upper = method.to_ascii_uppercase();
        let Ok(http_method) = method_upper.parse::<Method>() else {
            self.err(op_loc, format!("unknown method {method}"));
            return None;
        };

        // Parameters: path-level first, then operation-level overriding by (name, in).
        let mut params: Vec<Parameter> = Vec::new();
        for list_loc in [item_loc.child("parameters"), op_loc.child("parameters")] {
            let n = self
                .files
                .get(&list_loc)
                .and_then(Value::as_array)
                .map_or(0, Vec::len);
            for i in 0..n {
                if let Some(p) = self.parameter(&list_loc.child(&i.to_string())) {
                    params.retain(|q| !(q.name == p.name && q.location == p.location));
                    params.push(p);
                }
            }
        }
        // Every template variable needs a path parameter: one that has none
        // is a required string (as Prism does), with a warning.
        let template_vars = template_names(path);
        for var in &template_vars {
            if !params
                .iter()
                .any(|p| p.location == ParamIn::Path && &p.name == var)
            {
                self.warn(
                    op_loc,
                    format!("path template variable {{{var}}} has no path parameter; it is taken as a required string"),
                );
                params.push(Parameter {
                    name: var.clone(),
                    location: ParamIn::Path,
                    required: true,
                    style: Style::Simple,
                    explode: false,
                    tab_separated: false,
                    schema: None,
                    shape: std::sync::Arc::new(Shape::String),
                    any_string: true,
                    secret: super::model::is_secret_key(var),
                    loc: op_loc.clone(),
                });
            }
        }
        let mut stray = Vec::new();
        params.retain(|p| {
            let keep = p.location != ParamIn::Path || template_vars.contains(&p.name);
            if !keep {
                stray.push((p.loc.clone(), p.name.clone()));
            }
            keep
        });
        for (loc, name) in stray {
            self.warn(
                &loc,
                format!("path parameter \"{name}\" is not in the path {path}; it is ignored"),
            );
        }

        let security = match op.get("security") {
            Some(s) => self.security(s, &op_loc.child("security")),
            None => match global_security {
                Some(s) => self.security(s, &Loc::new(&self.files.root, "/security")),
                None => Vec::new(),
            },
        };

        let request_body = if op.get("requestBody").is_some() {
            self.request_body(&op_loc.child("requestBody"))
        } else {
            None
        };

        let mut responses = Vec::new();
        if let Some(rs) = op.get("responses").and_then(Value::as_object) {
            for code in rs.keys() {
                let loc = op_loc.child("responses").child(code);
                let Some(status) = StatusKey::parse(code) else {
                    self.err(
                        &loc,
                        format!("\"{code}\" is not a status code, NXX range or `default`"),
                    );
                    continue;
                };
                if let Some(r) = self.response(&loc, status) {
                    responses.push(r);
                }
            }
        }
        if responses.is_empty() {
            // 3.1 makes `responses` optional; either way there is nothing to answer with.
            self.err(op_loc, "the operation declares no responses");
        }

        let route = join_route(self.base_path, path);
        Some(Operation {
            document: self.doc_name.to_string(),
            qualified: Default::default(),
            index: 0,
            display_header: None,
            secret_segments: super::paths::secret_segments(&route, &params),
            display_id: operation_id.clone(),
            operation_id,
            id_derived,
            method: http_method,
            path: path.to_string(),
            route,
            loc: op_loc.clone(),
            summary: op
                .get("summary")
                .and_then(Value::as_str)
                .map(str::to_string),
            parameters: params,
            security,
            request_body,
            responses,
            unavailable: None,
        })
    }

    fn parameter(&mut self, loc: &Loc) -> Option<Parameter> {
        let (loc, p) = match self.files.deref(loc) {
            Ok((l, v)) => (l, v.clone()),
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        let name = p
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let location = match p.get("in").and_then(Value::as_str) {
            Some("path") => ParamIn::Path,
            Some("query") => ParamIn::Query,
            Some("header") => ParamIn::Header,
            Some("cookie") => ParamIn::Cookie,
            other => {
                self.err(
                    &loc,
                    format!("parameter \"{name}\" has unknown location {other:?}"),
                );
                return None;
            }
        };
        if name.is_empty() {
            self.err(&loc, "parameter has no name");
            return None;
        }
        if location == ParamIn::Header
            && IGNORED_HEADERS.contains(&name.to_ascii_lowercase().as_str())
        {
            // OpenAPI: such header parameters are ignored (security schemes and
            // content negotiation describe them).
            return None;
        }
        let style = match p.get("style").and_then(Value::as_str) {
            Some("simple") => Style::Simple,
            Some("label") => Style::Label,
            Some("matrix") => Style::Matrix,
            Some("form") => Style::Form,
            Some("spaceDelimited") => Style::SpaceDelimited,
            Some("pipeDelimited") => Style::PipeDelimited,
            Some("deepObject") => Style::DeepObject,
            Some(other) => {
                self.err(&loc.child("style"), format!("unknown style \"{other}\""));
                return None;
            }
            None => match location {
                ParamIn::Query | ParamIn::Cookie => Style::Form,
                ParamIn::Path | ParamIn::Header => Style::Simple,
            },
        };
        let explode = p
            .get("explode")
            .and_then(Value::as_bool)
            .unwrap_or(style == Style::Form);
        let schema_loc = if p.get("schema").is_some() {
            Some(loc.child("schema"))
        } else {
            p.get("content")
                .and_then(Value::as_object)
                .and_then(|c| c.keys().next())
                .map(|mt| loc.child("content").child(mt).child("schema"))
                .filter(|l| self.files.get(l).is_some())
        };
        let schema = match schema_loc {
            Some(l) => match self.compiler.compile(self.files, &l, Direction::Request) {
                Ok(s) => Some(s),
                Err(e) => {
                    self.errors.push(e);
                    None
                }
            },
            None => None,
        };
        let shape = schema
            .as_ref()
            .map(|s| self.compiler.shape(self.files, &s.loc))
            .unwrap_or_default();
        let any_string = schema
            .as_ref()
            .is_none_or(|s| self.files.get(&s.loc).is_some_and(takes_any_string));
        // A secret: marked so, or named like one (Unleash's `{token}` is the token's secret).
        let secret = p
            .get("x-specmock-secret")
            .and_then(Value::as_bool)
            .unwrap_or_else(|| super::model::is_secret_key(&name));
        Some(Parameter {
            required: location == ParamIn::Path
                || p.get("required").and_then(Value::as_bool).unwrap_or(false),
            name,
            location,
            style,
            explode,
            tab_separated: p
                .get("x-specmock-collection-format")
                .and_then(Value::as_str)
                == Some("tsv"),
            schema,
            shape,
            any_string,
            secret,
            loc,
        })
    }

    fn security(&mut self, list: &Value, loc: &Loc) -> Vec<SecurityRequirement> {
        let mut out = Vec::new();
        let Some(items) = list.as_array() else {
            self.err(loc, "`security` must be a list of requirements");
            return out;
        };
        for (i, req) in items.iter().enumerate() {
            let Some(map) = req.as_object() else { continue };
            let mut schemes = Vec::new();
            for name in map.keys() {
                let scheme_loc =
                    Loc::new(&self.files.root, "/components/securitySchemes").child(name);
                let scheme = match self.files.deref(&scheme_loc) {
                    Ok((_, s)) => s.clone(),
                    Err(_) => {
                        self.err(
                            &loc.child(&i.to_string()),
                            format!("security scheme \"{name}\" is not defined in components.securitySchemes"),
                        );
                        continue;
                    }
                };
                match parse_scheme(&scheme) {
                    Ok(s) => schemes.push((name.clone(), s)),
                    Err(m) => self.err(&scheme_loc, m),
                }
            }
            // An empty requirement `{}` makes security optional: keep it (it
            // is always satisfied).
            out.push(SecurityRequirement { schemes });
        }
        out
    }

    fn request_body(&mut self, loc: &Loc) -> Option<RequestBody> {
        let (loc, body) = match self.files.deref(loc) {
            Ok((l, v)) => (l, v.clone()),
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        let content = self.content(&loc, &body, Direction::Request);
        Some(RequestBody {
            required: body
                .get("required")
                .and_then(Value::as_bool)
                .unwrap_or(false),
            content,
            loc,
        })
    }

    fn response(&mut self, loc: &Loc, status: StatusKey) -> Option<Response> {
        let (loc, r) = match self.files.deref(loc) {
            Ok((l, v)) => (l, v.clone()),
            Err(e) => {
                self.errors.push(e);
                return None;
            }
        };
        let content = self.content(&loc, &r, Direction::Response);
        let headers = self.response_headers(&loc, &r);
        Some(Response {
            status,
            headers,
            description: r
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_string(),
            content,
            loc,
        })
    }

    fn response_headers(&mut self, loc: &Loc, r: &Value) -> Vec<ResponseHeader> {
        let Some(map) = r.get("headers").and_then(Value::as_object) else {
            return Vec::new();
        };
        let mut out = Vec::new();
        for name in map.keys() {
            if name.eq_ignore_ascii_case("content-type") {
                continue;
            }
            let (hloc, h) = match self.files.deref(&loc.child("headers").child(name)) {
                Ok((l, v)) => (l, v.clone()),
                Err(e) => {
                    self.warnings.push(e);
                    continue;
                }
            };
            let schema = h.get("schema").map(|_| hloc.child("schema"));
            let schema_value = schema
                .as_ref()
                .and_then(|l| self.files.deref(l).ok())
                .map(|(_, v)| v.clone());
            let example = h
                .get("example")
                .cloned()
                .or_else(|| {
                    h.get("examples")
                        .and_then(Value::as_object)
                        .and_then(|m| m.values().find_map(|e| e.get("value").cloned()))
                })
                .or_else(|| {
                    let s = schema_value.as_ref()?;
                    s.get("example")
                        .cloned()
                        .or_else(|| s.get("examples")?.as_array()?.first().cloned())
                        .or_else(|| s.get("default").cloned())
                });
            out.push(ResponseHeader {
                name: name.clone(),
                required: h.get("required").and_then(Value::as_bool) == Some(true),
                example,
                schema,
            });
        }
        out
    }

    fn content(&mut self, loc: &Loc, obj: &Value, dir: Direction) -> Vec<MediaType> {
        let mut out = Vec::new();
        let Some(content) = obj.get("content").and_then(Value::as_object) else {
            return out;
        };
        for (mt, media) in content {
            let mloc = loc.child("content").child(mt);
            let schema = if media.get("schema").is_some() {
                match self
                    .compiler
                    .compile(self.files, &mloc.child("schema"), dir)
                {
                    Ok(s) => Some(s),
                    Err(e) => {
                        self.errors.push(e);
                        None
                    }
                }
            } else {
                None
            };
            let mut examples = Vec::new();
            if let Some(ex) = media.get("example") {
                examples.push(Example {
                    name: None,
                    body: serialize_for(mt, ex),
                    value: ex.clone(),
                    loc: mloc.child("example"),
                    breaks: Vec::new(),
                });
            }
            if let Some(named) = media.get("examples").and_then(Value::as_object) {
                for name in named.keys() {
                    let eloc = mloc.child("examples").child(name);
                    match self.files.deref(&eloc) {
                        Ok((l, e)) => {
                            if let Some(v) = e.get("value") {
                                examples.push(Example {
                                    name: Some(name.clone()),
                                    body: serialize_for(mt, v),
                                    value: v.clone(),
                                    loc: l.child("value"),
                                    breaks: Vec::new(),
                                });
                            }
                        }
                        Err(e) => self.errors.push(e),
                    }
                }
            }
            // No example on the media type: the schema's own example, or one
            // merged from its properties' examples, when that is valid.
            if examples.is_empty()
                && dir == Direction::Response
                && let Some(s) = &schema
                && let Some(v) = self.compiler.example(self.files, &s.loc)
                && s.is_valid(&v)
            {
                examples.push(Example {
                    name: None,
                    body: serialize_for(mt, &v),
                    value: v,
                    loc: s.loc.clone(),
                    breaks: Vec::new(),
                });
            }
            let shape = schema
                .as_ref()
                .map(|s| self.compiler.shape(self.files, &s.loc))
                .unwrap_or_default();
            let media_type = mt.to_ascii_lowercase();
            let encoding = if dir == Direction::Request && is_form(&media_type) {
                super::encoding::read(self.files, &mloc, media, &mut self.warnings)
            } else {
                Vec::new()
            };
            out.push(MediaType {
                content_type: crate::media::content_type(&media_type),
                plain_text: crate::media::is_plain_text(&media_type),
                media_type,
                schema,
                shape,
                examples,
                encoding,
            });
        }
        out
    }
}

/// The media types whose fields an Encoding Object describes.
fn is_form(media_type: &str) -> bool {
    let essence = media_type.split(';').next().unwrap_or("").trim();
    essence == "application/x-www-form-urlencoded" || essence.starts_with("multipart/")
}

fn parse_scheme(s: &Value) -> Result<SecurityScheme, String> {
    match s.get("type").and_then(Value::as_str) {
        Some("apiKey") => {
            let name = s
                .get("name")
                .and_then(Value::as_str)
                .ok_or("apiKey scheme has no `name`")?;
            let location = match s.get("in").and_then(Value::as_str) {
                Some("header") => ParamIn::Header,
                Some("query") => ParamIn::Query,
                Some("cookie") => ParamIn::Cookie,
                other => return Err(format!("apiKey scheme has unknown `in`: {other:?}")),
            };
            Ok(SecurityScheme::ApiKey {
                name: name.to_string(),
                location,
                header: (location == ParamIn::Header)
                    .then(|| hyper::header::HeaderName::from_bytes(name.as_bytes()).ok())
                    .flatten(),
            })
        }
        Some("http") => {
            let scheme = s
                .get("scheme")
                .and_then(Value::as_str)
                .unwrap_or("")
                .to_ascii_lowercase();
            Ok(match scheme.as_str() {
                "bearer" => SecurityScheme::Bearer,
                "basic" => SecurityScheme::Basic,
                "" => return Err("http scheme has no `scheme`".into()),
                _ => SecurityScheme::Http { scheme },
            })
        }
        Some("oauth2") | Some("openIdConnect") => Ok(SecurityScheme::Bearer),
        Some("mutualTLS") => Ok(SecurityScheme::MutualTls),
        other => Err(format!("unknown security scheme type {other:?}")),
    }
}

/// Keywords that describe a value without narrowing it.
const ANNOTATIONS: &[&str] = &[
    "type",
    "title",
    "description",
    "example",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
    "nullable",
    "externalDocs",
    "xml",
    "$comment",
];

/// `type: string` with annotations only (no `format`, `pattern`, length,
/// `enum`, `$ref`...): every string keeps it.
fn takes_any_string(schema: &Value) -> bool {
    schema.as_object().is_some_and(|map| {
        map.get("type").and_then(Value::as_str) == Some("string")
            && map
                .keys()
                .all(|k| k.starts_with("x-") || ANNOTATIONS.contains(&k.as_str()))
    })
}
