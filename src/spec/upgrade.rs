//! Swagger 2.0 → OpenAPI 3.0, at load, into the same shape the rest of the
//! loader reads.
//!
//! What moves where: `host`/`basePath`/`schemes` → `servers`; `definitions` →
//! `components.schemas`; `securityDefinitions` → `components.securitySchemes`;
//! a `body` parameter → `requestBody`, its schema applying to every media type
//! the operation `consumes` (form-encoded included, as Adafruit's clients send
//! it); `formData` parameters → a form `requestBody`; `produces` × response
//! `schema` → response `content`, with `examples` keyed by media type;
//! `collectionFormat` → `style`/`explode` (for formData, in the media type's
//! `encoding`, with `allowEmptyValue`); `x-nullable` → `nullable`.

use serde_json::{Map, Value, json};

use super::error::LoadError;
use super::refs::{FileSet, Loc};

const METHODS: &[&str] = &["get", "put", "post", "delete", "options", "head", "patch"];

/// Keys of a Swagger 2.0 non-body parameter that belong in its `schema`.
const SCHEMA_KEYS: &[&str] = &[
    "type",
    "format",
    "items",
    "enum",
    "default",
    "maximum",
    "exclusiveMaximum",
    "minimum",
    "exclusiveMinimum",
    "maxLength",
    "minLength",
    "pattern",
    "maxItems",
    "minItems",
    "uniqueItems",
    "multipleOf",
    "x-nullable",
];

/// Upgrade the root document of `files` in place.
pub fn upgrade_swagger2(files: &mut FileSet) -> Result<(), Vec<LoadError>> {
    let display = files.display.clone();
    let root = files.root.clone();
    let old = std::mem::take(files.root_value_mut());
    let mut errors = Vec::new();
    let upgraded = Upgrader {
        files,
        old: &old,
        errors: &mut errors,
        display: &display,
        root: &root,
    }
    .run();
    *files.root_value_mut() = upgraded;
    rewrite_refs(files.root_value_mut());
    if errors.is_empty() {
        Ok(())
    } else {
        Err(errors)
    }
}

struct Upgrader<'a> {
    files: &'a FileSet,
    old: &'a Value,
    errors: &'a mut Vec<LoadError>,
    display: &'a str,
    root: &'a str,
}

impl Upgrader<'_> {
    fn err(&mut self, pointer: &str, message: impl Into<String>) {
        self.errors
            .push(LoadError::new(self.display, message).at(format!("#{pointer}")));
    }

    fn run(mut self) -> Value {
        let old = self.old;
        let mut out = Map::new();
        out.insert("openapi".into(), json!("3.0.3"));
        out.insert("x-specmock-upgraded-from".into(), json!("2.0"));
        for key in ["info", "tags", "externalDocs", "security"] {
            if let Some(v) = old.get(key) {
                out.insert(key.into(), v.clone());
            }
        }
        // Vendor extensions at the top level carry over.
        if let Some(obj) = old.as_object() {
            for (k, v) in obj {
                if k.starts_with("x-") {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        let base_path = old.get("basePath").and_then(Value::as_str).unwrap_or("");
        let host = old.get("host").and_then(Value::as_str);
        let scheme = old
            .get("schemes")
            .and_then(Value::as_array)
            .and_then(|s| s.first())
            .and_then(Value::as_str)
            .unwrap_or("https");
        let url = match host {
            Some(h) => format!("{scheme}://{h}{base_path}"),
            None => base_path.to_string(),
        };
        out.insert(
            "servers".into(),
            json!([{ "url": if url.is_empty() { "/".to_string() } else { url } }]),
        );

        let global_consumes = mime_list(old.get("consumes"));
        let global_produces = mime_list(old.get("produces"));

        let mut components = Map::new();
        if let Some(defs) = old.get("definitions") {
            components.insert("schemas".into(), defs.clone());
        }
        if let Some(sd) = old.get("securityDefinitions").and_then(Value::as_object) {
            let mut schemes = Map::new();
            for (name, s) in sd {
                schemes.insert(name.clone(), security_scheme(s));
            }
            components.insert("securitySchemes".into(), Value::Object(schemes));
        }
        if let Some(params) = old.get("parameters").and_then(Value::as_object) {
            let mut out_params = Map::new();
            for (name, p) in params {
                if p.get("in").and_then(Value::as_str) != Some("body") {
                    out_params.insert(name.clone(), parameter(p));
                }
            }
            components.insert("parameters".into(), Value::Object(out_params));
        }
        if let Some(resps) = old.get("responses").and_then(Value::as_object) {
            let mut out_resps = Map::new();
            for (name, r) in resps {
                out_resps.insert(name.clone(), response(r, &global_produces));
            }
            components.insert("responses".into(), Value::Object(out_resps));
        }
        if !components.is_empty() {
            out.insert("components".into(), Value::Object(components));
        }

        let mut paths = Map::new();
        if let Some(old_paths) = old.get("paths").and_then(Value::as_object) {
            for (path, item) in old_paths {
                let item_ptr = format!("/paths/{}", super::error::escape_token(path));
                let mut new_item = Map::new();
                let shared = item.get("parameters").and_then(Value::as_array);
                for (k, v) in item.as_object().into_iter().flatten() {
                    if k.starts_with("x-") || k == "summary" || k == "description" {
                        new_item.insert(k.clone(), v.clone());
                    }
                }
                for method in METHODS {
                    let Some(op) = item.get(*method) else {
                        continue;
                    };
                    let op_ptr = format!("{item_ptr}/{method}");
                    let new_op =
                        self.operation(op, shared, &op_ptr, &global_consumes, &global_produces);
                    new_item.insert((*method).to_string(), new_op);
                }
                paths.insert(path.clone(), Value::Object(new_item));
            }
        }
        out.insert("paths".into(), Value::Object(paths));
        Value::Object(out)
    }

    /// Resolve a Swagger 2.0 parameter that may be a `$ref` (into the original,
    /// not-yet-upgraded document).
    fn param_target(&mut self, p: &Value, ptr: &str) -> Option<Value> {
        match p.get("$ref").and_then(Value::as_str) {
            None => Some(p.clone()),
            Some(r) => {
                let target = match self.files.target_of(self.root, r) {
                    Ok(t) => t,
                    Err(m) => {
                        self.err(ptr, m.to_string());
                        return None;
                    }
                };
                let found = if target.file == self.root {
                    self.old.pointer(&target.pointer).cloned()
                } else {
                    // Other files are loaded later; leave the ref for them.
                    return Some(p.clone());
                };
                if found.is_none() {
                    self.err(
                        ptr,
                        format!(
                            "cannot resolve $ref \"{r}\": nothing at {}",
                            Loc::new("", target.pointer).fragment()
                        ),
                    );
                }
                found
            }
        }
    }

    fn operation(
        &mut self,
        op: &Value,
        shared: Option<&Vec<Value>>,
        op_ptr: &str,
        global_consumes: &[String],
        global_produces: &[String],
    ) -> Value {
        let mut out = Map::new();
        for (k, v) in op.as_object().into_iter().flatten() {
            match k.as_str() {
                "parameters" | "responses" | "consumes" | "produces" | "schemes" => {}
                _ => {
                    out.insert(k.clone(), v.clone());
                }
            }
        }
        let consumes = op
            .get("consumes")
            .map(|c| mime_list(Some(c)))
            .unwrap_or_else(|| global_consumes.to_vec());
        let consumes = if consumes.is_empty() {
            vec!["application/json".to_string()]
        } else {
            consumes
        };
        let produces = op
            .get("produces")
            .map(|p| mime_list(Some(p)))
            .unwrap_or_else(|| global_produces.to_vec());

        // Operation parameters override path-level ones with the same name and location.
        let mut merged: Vec<(String, Value)> = Vec::new();
        let lists = [
            (
                shared.cloned().unwrap_or_default(),
                format!(
                    "{}/parameters",
                    op_ptr.rsplit_once('/').map_or("", |(a, _)| a)
                ),
            ),
            (
                op.get("parameters")
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
                format!("{op_ptr}/parameters"),
            ),
        ];
        for (list, base) in lists {
            for (i, p) in list.iter().enumerate() {
                let ptr = format!("{base}/{i}");
                let Some(resolved) = self.param_target(p, &ptr) else {
                    continue;
                };
                let key = format!(
                    "{}:{}",
                    resolved.get("in").and_then(Value::as_str).unwrap_or(""),
                    resolved.get("name").and_then(Value::as_str).unwrap_or("")
                );
                // Keep the original (possibly $ref) form for non-body params so
                // the component stays shared; body/formData are inlined.
                let is_body_like = matches!(
                    resolved.get("in").and_then(Value::as_str),
                    Some("body") | Some("formData")
                );
                let keep = if is_body_like { resolved } else { p.clone() };
                merged.retain(|(k, _)| *k != key);
                merged.push((key, keep));
            }
        }

        let mut params = Vec::new();
        let mut form_props = Map::new();
        let mut form_required = Vec::new();
        let mut form_encoding = Map::new();
        let mut has_file = false;
        for (_, p) in merged {
            match p.get("in").and_then(Value::as_str) {
                Some("body") => {
                    let schema = p.get("schema").cloned().unwrap_or_else(|| json!({}));
                    let mut content = Map::new();
                    let examples = p.get("x-examples");
                    for mime in &consumes {
                        let mut media = Map::new();
                        media.insert("schema".into(), schema.clone());
                        if let Some(ex) = examples.and_then(|e| e.get(mime.as_str())) {
                            // A vendor extension: JSON as a string is parsed, and a
                            // mismatch is only a notice.
                            media.insert(
                                "example".into(),
                                super::lenient::example_value(ex, &schema),
                            );
                            media.insert(
                                super::lenient::EXAMPLE_FROM_EXTENSION.into(),
                                Value::Bool(true),
                            );
                        }
                        content.insert(mime.clone(), Value::Object(media));
                    }
                    let mut body = Map::new();
                    if let Some(d) = p.get("description") {
                        body.insert("description".into(), d.clone());
                    }
                    body.insert("content".into(), Value::Object(content));
                    body.insert(
                        "required".into(),
                        json!(p.get("required").and_then(Value::as_bool).unwrap_or(false)),
                    );
                    body.insert(
                        "x-specmock-body-name".into(),
                        p.get("name").cloned().unwrap_or(Value::Null),
                    );
                    out.insert("requestBody".into(), Value::Object(body));
                }
                Some("formData") => {
                    let name = p
                        .get("name")
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    if p.get("type").and_then(Value::as_str) == Some("file") {
                        has_file = true;
                    }
                    if p.get("required").and_then(Value::as_bool).unwrap_or(false) {
                        form_required.push(json!(name));
                    }
                    form_encoding.insert(name.clone(), form_field_encoding(&p));
                    form_props.insert(name, param_schema(&p));
                }
                _ => {
                    if p.get("$ref").is_some() {
                        params.push(p);
                    } else {
                        params.push(parameter(&p));
                    }
                }
            }
        }
        if !form_props.is_empty() && !out.contains_key("requestBody") {
            let mut schema = json!({"type": "object", "properties": form_props});
            if !form_required.is_empty() {
                schema["required"] = Value::Array(form_required.clone());
            }
            let mimes: Vec<String> = if has_file {
                vec!["multipart/form-data".into()]
            } else {
                consumes
                    .iter()
                    .filter(|m| m.contains("form"))
                    .cloned()
                    .collect::<Vec<_>>()
            };
            let mimes = if mimes.is_empty() {
                vec!["application/x-www-form-urlencoded".to_string()]
            } else {
                mimes
            };
            let content: Map<String, Value> = mimes
                .into_iter()
                .map(|m| {
                    (
                        m,
                        json!({ "schema": schema.clone(), "encoding": form_encoding }),
                    )
                })
                .collect();
            out.insert(
                "requestBody".into(),
                json!({"content": content, "required": !form_required.is_empty()}),
            );
        }
        if !params.is_empty() {
            out.insert("parameters".into(), Value::Array(params));
        }
        let mut responses = Map::new();
        for (code, r) in op
            .get("responses")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
        {
            if r.get("$ref").is_some() {
                responses.insert(code.clone(), r.clone());
            } else {
                responses.insert(code.clone(), response(r, &produces));
            }
        }
        out.insert("responses".into(), Value::Object(responses));
        if op.get("produces").is_some() {
            out.insert("x-specmock-produces".into(), json!(produces));
        }
        Value::Object(out)
    }
}

fn mime_list(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_array)
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
        .unwrap_or_default()
}

fn security_scheme(s: &Value) -> Value {
    match s.get("type").and_then(Value::as_str) {
        Some("basic") => {
            let mut out = json!({"type": "http", "scheme": "basic"});
            if let Some(d) = s.get("description") {
                out["description"] = d.clone();
            }
            out
        }
        Some("oauth2") => {
            let flow = s.get("flow").and_then(Value::as_str).unwrap_or("implicit");
            let flow_name = match flow {
                "accessCode" => "authorizationCode",
                "application" => "clientCredentials",
                other => other,
            };
            let mut f = Map::new();
            for key in ["authorizationUrl", "tokenUrl", "scopes"] {
                if let Some(v) = s.get(key) {
                    f.insert(key.into(), v.clone());
                }
            }
            if !f.contains_key("scopes") {
                f.insert("scopes".into(), json!({}));
            }
            json!({"type": "oauth2", "flows": {flow_name: f}})
        }
        _ => s.clone(),
    }
}

/// A non-body Swagger 2.0 parameter as an OpenAPI 3.0 parameter.
fn parameter(p: &Value) -> Value {
    let mut out = Map::new();
    for key in [
        "name",
        "in",
        "description",
        "required",
        "deprecated",
        "allowEmptyValue",
    ] {
        if let Some(v) = p.get(key) {
            out.insert(key.into(), v.clone());
        }
    }
    if let Some(obj) = p.as_object() {
        for (k, v) in obj {
            if k.starts_with("x-") && k != "x-example" && k != "x-nullable" {
                out.insert(k.clone(), v.clone());
            }
        }
    }
    let schema = param_schema(p);
    if let Some(ex) = p.get("x-example") {
        out.insert("example".into(), super::lenient::example_value(ex, &schema));
    }
    out.insert("schema".into(), schema);
    let location = p.get("in").and_then(Value::as_str).unwrap_or("");
    if p.get("type").and_then(Value::as_str) == Some("array") {
        let (style, explode) = match p.get("collectionFormat").and_then(Value::as_str) {
            Some("multi") => ("form", true),
            Some("ssv") => ("spaceDelimited", false),
            Some("pipes") => ("pipeDelimited", false),
            Some("tsv") => ("x-tsv", false),
            _ if location == "query" || location == "cookie" => ("form", false),
            _ => ("simple", false),
        };
        if style == "x-tsv" {
            out.insert("x-specmock-collection-format".into(), json!("tsv"));
            out.insert(
                "style".into(),
                json!(if location == "query" {
                    "form"
                } else {
                    "simple"
                }),
            );
        } else {
            out.insert("style".into(), json!(style));
        }
        out.insert("explode".into(), json!(explode));
    }
    Value::Object(out)
}

/// A Swagger 2.0 formData parameter's serialisation as an OpenAPI 3 Encoding
/// Object: `collectionFormat` (default `csv`) as `style`/`explode`, and
/// `allowEmptyValue` (default false) kept, which the Encoding Object has no
/// field for but the validator reads.
fn form_field_encoding(p: &Value) -> Value {
    let mut out = Map::new();
    let allow_empty = p
        .get("allowEmptyValue")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    out.insert("allowEmptyValue".into(), json!(allow_empty));
    if p.get("type").and_then(Value::as_str) == Some("array") {
        let (style, explode) = match p.get("collectionFormat").and_then(Value::as_str) {
            Some("multi") => ("form", true),
            Some("ssv") => ("spaceDelimited", false),
            Some("pipes") => ("pipeDelimited", false),
            Some("tsv") => {
                out.insert("x-specmock-collection-format".into(), json!("tsv"));
                ("form", false)
            }
            _ => ("form", false),
        };
        out.insert("style".into(), json!(style));
        out.insert("explode".into(), json!(explode));
        // Swagger 2.0 has no rule on reserved characters in form values; a
        // style written here must not bring in OpenAPI 3's.
        out.insert("allowReserved".into(), json!(true));
    }
    Value::Object(out)
}

/// The schema part of a Swagger 2.0 non-body parameter.
fn param_schema(p: &Value) -> Value {
    // A 3.0-style `schema` on a 2.0 parameter that has no `type` of its own
    // (a mistake generators make): honoured, as Prism does, rather than
    // leaving the parameter untyped.
    if p.get("type").is_none()
        && let Some(s) = p.get("schema").filter(|s| s.is_object())
    {
        return s.clone();
    }
    let mut schema = Map::new();
    for key in SCHEMA_KEYS {
        if let Some(v) = p.get(*key) {
            schema.insert((*key).to_string(), v.clone());
        }
    }
    if schema.get("type").and_then(Value::as_str) == Some("file") {
        schema.insert("type".into(), json!("string"));
        schema.insert("format".into(), json!("binary"));
    }
    Value::Object(schema)
}

fn response(r: &Value, produces: &[String]) -> Value {
    let mut out = Map::new();
    out.insert(
        "description".into(),
        r.get("description").cloned().unwrap_or_else(|| json!("")),
    );
    if let Some(headers) = r.get("headers").and_then(Value::as_object) {
        let mut hs = Map::new();
        for (name, h) in headers {
            let mut header = Map::new();
            if let Some(d) = h.get("description") {
                header.insert("description".into(), d.clone());
            }
            header.insert("schema".into(), param_schema(h));
            hs.insert(name.clone(), Value::Object(header));
        }
        out.insert("headers".into(), Value::Object(hs));
    }
    let schema = r.get("schema");
    let examples = r.get("examples").and_then(Value::as_object);
    if schema.is_some() || examples.is_some() {
        // No `produces`: the examples' media types are what the response
        // can be (Prism's reading: `examples: {text/plain: hello}` alone
        // makes a text/plain response, and Accept: application/json a 406).
        let mimes: Vec<String> = match examples {
            _ if !produces.is_empty() => produces.to_vec(),
            Some(e) if !e.is_empty() && schema.is_none() => e.keys().cloned().collect(),
            _ => vec!["application/json".into()],
        };
        let mut content = Map::new();
        for m in mimes {
            let mut media = Map::new();
            if let Some(s) = schema {
                media.insert("schema".into(), s.clone());
            }
            // The example for this type: keyed by it, else by a range that
            // covers it (`*/*: hello` beside `produces: [text/plain]`).
            let example = examples.and_then(|e| {
                e.get(&m).or_else(|| {
                    e.iter()
                        .find(|(k, _)| crate::media::match_media_type(k, &m).is_some())
                        .map(|(_, v)| v)
                })
            });
            if let Some(ex) = example {
                media.insert("example".into(), ex.clone());
            }
            content.insert(m, Value::Object(media));
        }
        out.insert("content".into(), Value::Object(content));
    }
    Value::Object(out)
}

/// Point refs at their new homes, and turn `x-nullable` into `nullable`.
fn rewrite_refs(v: &mut Value) {
    match v {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get_mut("$ref") {
                for (from, to) in [
                    ("#/definitions/", "#/components/schemas/"),
                    ("#/parameters/", "#/components/parameters/"),
                    ("#/responses/", "#/components/responses/"),
                ] {
                    if let Some(rest) = r.strip_prefix(from) {
                        *r = format!("{to}{rest}");
                        break;
                    }
                }
            }
            if let Some(n) = map.remove("x-nullable") {
                map.insert("nullable".into(), n);
            }
            for child in map.values_mut() {
                rewrite_refs(child);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(rewrite_refs),
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn up(v: Value) -> Value {
        let mut fs = FileSet::new("t.yaml", "t.yaml", None, v);
        upgrade_swagger2(&mut fs).unwrap();
        fs.root_value().clone()
    }

    #[test]
    fn servers_from_host_and_base_path() {
        let v = up(
            json!({"swagger": "2.0", "host": "io.adafruit.com", "basePath": "/api/v2", "schemes": ["https"], "paths": {}}),
        );
        assert_eq!(v["servers"][0]["url"], "https://io.adafruit.com/api/v2");
    }

    #[test]
    fn body_schema_applies_to_every_consumed_type() {
        let v = up(json!({"swagger": "2.0",
            "consumes": ["application/json", "application/x-www-form-urlencoded"],
            "definitions": {"Token": {"type": "object"}},
            "paths": {"/t": {"post": {"parameters": [
                {"in": "body", "name": "token", "required": true, "schema": {"$ref": "#/definitions/Token"}}
            ], "responses": {"200": {"description": "ok", "schema": {"$ref": "#/definitions/Token"}, "examples": {"application/json": {"token": "x"}}}}}}}}));
        let content = &v["paths"]["/t"]["post"]["requestBody"]["content"];
        assert_eq!(
            content["application/json"]["schema"]["$ref"],
            "#/components/schemas/Token"
        );
        assert_eq!(
            content["application/x-www-form-urlencoded"]["schema"]["$ref"],
            "#/components/schemas/Token"
        );
        assert_eq!(v["paths"]["/t"]["post"]["requestBody"]["required"], true);
        let resp = &v["paths"]["/t"]["post"]["responses"]["200"]["content"]["application/json"];
        assert_eq!(resp["example"]["token"], "x");
    }

    #[test]
    fn operation_produces_overrides_global() {
        let v = up(json!({"swagger": "2.0", "produces": ["application/json"],
            "paths": {"/t": {"delete": {"produces": ["text/plain"],
                "responses": {"200": {"description": "ok", "schema": {"type": "string"}}}}}}}));
        let content = v["paths"]["/t"]["delete"]["responses"]["200"]["content"]
            .as_object()
            .unwrap();
        assert_eq!(content.keys().collect::<Vec<_>>(), vec!["text/plain"]);
    }

    #[test]
    fn collection_formats_become_styles() {
        let v = up(
            json!({"swagger": "2.0", "paths": {"/t": {"get": {"parameters": [
            {"in": "query", "name": "a", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
            {"in": "query", "name": "b", "type": "array", "items": {"type": "string"}, "collectionFormat": "pipes"},
            {"in": "query", "name": "c", "type": "array", "items": {"type": "integer"}}
        ], "responses": {}}}}}),
        );
        let ps = &v["paths"]["/t"]["get"]["parameters"];
        assert_eq!(ps[0]["style"], "form");
        assert_eq!(ps[0]["explode"], true);
        assert_eq!(ps[1]["style"], "pipeDelimited");
        assert_eq!(ps[2]["style"], "form");
        assert_eq!(ps[2]["explode"], false);
        assert_eq!(ps[2]["schema"]["items"]["type"], "integer");
    }

    #[test]
    fn security_definitions_become_schemes() {
        let v = up(
            json!({"swagger": "2.0", "paths": {}, "securityDefinitions": {
            "k": {"type": "apiKey", "in": "header", "name": "X-AIO-Key"},
            "b": {"type": "basic"}}}),
        );
        assert_eq!(v["components"]["securitySchemes"]["k"]["name"], "X-AIO-Key");
        assert_eq!(v["components"]["securitySchemes"]["b"]["scheme"], "basic");
    }

    #[test]
    fn form_data_becomes_form_body() {
        let v = up(
            json!({"swagger": "2.0", "consumes": ["application/x-www-form-urlencoded"], "paths": {"/t": {"post": {"parameters": [
            {"in": "formData", "name": "value", "type": "string", "required": true}
        ], "responses": {}}}}}),
        );
        let body = &v["paths"]["/t"]["post"]["requestBody"];
        assert_eq!(
            body["content"]["application/x-www-form-urlencoded"]["schema"]["required"][0],
            "value"
        );
    }

    #[test]
    fn form_data_serialisation_goes_into_the_encoding() {
        let v = up(
            json!({"swagger": "2.0", "consumes": ["multipart/form-data"], "paths": {"/t": {"post": {"parameters": [
            {"in": "formData", "name": "a", "type": "array", "items": {"type": "string"}},
            {"in": "formData", "name": "b", "type": "array", "items": {"type": "string"}, "collectionFormat": "multi"},
            {"in": "formData", "name": "c", "type": "array", "items": {"type": "string"}, "collectionFormat": "tsv"},
            {"in": "formData", "name": "d", "type": "string", "allowEmptyValue": true}
        ], "responses": {}}}}}),
        );
        let enc =
            &v["paths"]["/t"]["post"]["requestBody"]["content"]["multipart/form-data"]["encoding"];
        assert_eq!(
            enc["a"],
            json!({"allowEmptyValue": false, "style": "form", "explode": false, "allowReserved": true})
        );
        assert_eq!(enc["b"]["explode"], true);
        assert_eq!(enc["c"]["x-specmock-collection-format"], "tsv");
        assert_eq!(enc["d"], json!({"allowEmptyValue": true}));
    }

    #[test]
    fn x_nullable_becomes_nullable() {
        let v = up(
            json!({"swagger": "2.0", "paths": {}, "definitions": {"D": {"type": "object", "properties": {"c": {"type": "string", "x-nullable": true}}}}}),
        );
        assert_eq!(
            v["components"]["schemas"]["D"]["properties"]["c"]["nullable"],
            true
        );
    }
}
