//! Loading documents: YAML or JSON; Swagger 2.0, OpenAPI 3.0 and 3.1 read into
//! one model ([`Document`]); `$ref`s resolved inside the document's folder;
//! schemas converted to JSON Schema 2020-12 and compiled into validators, once.
//!
//! ```
//! use specmock::spec::{load_document, SpecSource};
//!
//! let src = SpecSource::from_text("pets.yaml", r#"
//! openapi: 3.0.3
//! info: {title: Pets, version: "1"}
//! servers: [{url: "https://pets.example.com/v1"}]
//! paths:
//!   /pets/{id}:
//!     get:
//!       operationId: getPet
//!       parameters: [{name: id, in: path, required: true, schema: {type: integer}}]
//!       responses:
//!         "200": {description: ok}
//! "#);
//! let doc = load_document(&src).unwrap();
//! assert_eq!(doc.base_path, "/v1");
//! assert_eq!(doc.operations[0].route(), "/v1/pets/{id}");
//! ```

mod build;
mod callbacks;
mod compile;
mod encoding;
mod error;
mod lenient;
mod model;
mod paths;
mod postman;
mod refs;
mod schema;
mod shape;
mod source;
mod split_parse;
mod upgrade;

use std::sync::Arc;

use serde_json::Value;

pub use callbacks::{Callback, CallbackKind};
pub use compile::{Compiled, Validator, locate};
pub use error::{LoadError, LoadErrors, RefError, escape_token, pointer, unescape_token};
pub use model::*;
pub use paths::{derive_operation_id, join_route, server_base_path};
pub use refs::{FileSet, Loc};
pub use schema::{Direction, convert_schema};
pub use source::{LoadOptions, MAX_DOCUMENT_BYTES, SpecSource, expand_paths, parse_text, stem};

/// Read, upgrade, resolve, convert and compile one document, on its own
/// (every operation named by its bare id).
pub fn load_document(src: &SpecSource) -> Result<Document, LoadErrors> {
    read_document(src).map(|d| d.seal(|_| false, 0))
}

/// A document read and compiled whose operations are not shared yet: the
/// contract names them (bare or qualified ids, which depend on the other
/// documents) before sealing them behind `Arc`s.
#[derive(Debug)]
pub struct Unsealed {
    document: Document,
    operations: Vec<Operation>,
}

impl Unsealed {
    /// How many operations it has.
    pub fn len(&self) -> usize {
        self.operations.len()
    }

    /// True when it has none.
    pub fn is_empty(&self) -> bool {
        self.operations.is_empty()
    }

    /// The `operationId` of every operation, in document order.
    pub fn operation_ids(&self) -> impl Iterator<Item = &str> {
        self.operations.iter().map(|o| o.operation_id.as_str())
    }

    /// Name the operations (qualified where `shared(id)`: another document
    /// uses the same id), number them from `first` (their places in the
    /// contract) and share them; nothing changes them afterwards.
    pub fn seal(mut self, shared: impl Fn(&str) -> bool, first: usize) -> Document {
        for (i, op) in self.operations.iter_mut().enumerate() {
            op.index = first + i;
            op.qualified = format!("{}/{}", op.document, op.operation_id).into();
            if shared(&op.operation_id) {
                op.display_id = op.qualified.to_string();
            }
            op.display_header = hyper::header::HeaderValue::from_str(&op.display_id).ok();
        }
        self.document.operations = self.operations.into_iter().map(Arc::new).collect();
        self.document
    }
}

/// [`load_document`] up to naming the operations: see [`Unsealed`].
pub fn read_document(src: &SpecSource) -> Result<Unsealed, LoadErrors> {
    let value = parse_text(&src.display, &src.text)?;
    // A Postman collection becomes an OpenAPI document, loaded as any other;
    // what it could not carry over is noted, never an error.
    if let Some((openapi, notes)) = postman::as_openapi(src, &value)? {
        let mut read = load_value(src, openapi)?;
        read.document.notices.splice(0..0, notes);
        return Ok(read);
    }
    load_value(src, value)
}

/// The loader, from the parsed document on.
fn load_value(src: &SpecSource, value: Value) -> Result<Unsealed, LoadErrors> {
    let version = detect_version(&src.display, &value)?;
    let mut files = FileSet::new(&src.display, &src.file_name, src.dir.clone(), value);
    if version == SpecVersion::Swagger2 {
        upgrade::upgrade_swagger2(&mut files).map_err(LoadErrors)?;
    }
    files.max_files = src.options.max_ref_files;
    files.load_refs(src.options.strict).map_err(LoadErrors)?;
    let lenient_warnings = if version == SpecVersion::OpenApi31 {
        lenient::bounds_31(&mut files)
    } else {
        schema::convert_document(&mut files);
        Vec::new()
    };
    let root = files.root_value();
    let title = root
        .pointer("/info/title")
        .and_then(Value::as_str)
        .unwrap_or(&src.name)
        .to_string();
    let server = root.pointer("/servers/0");
    let server_url = server
        .and_then(|s| s.get("url"))
        .and_then(Value::as_str)
        .map(str::to_string);
    let base_path = match &src.mount {
        Some(m) => paths::server_base_path(m, None),
        None => server_url
            .as_deref()
            .map(|u| paths::server_base_path(u, server.and_then(|s| s.get("variables"))))
            .unwrap_or_default(),
    };
    let compiler = build::Compiler::new(&src.name);
    let mut builder = build::Builder {
        files: &files,
        doc_name: &src.name,
        base_path: &base_path,
        version,
        strict: src.options.strict,
        compiler,
        errors: Vec::new(),
        warnings: Vec::new(),
    };
    let mut operations = builder.operations();
    let mut callbacks = builder.callbacks(&operations);
    callbacks.extend(builder.webhooks());
    if !builder.errors.is_empty() {
        return Err(LoadErrors(builder.errors));
    }
    let builder_warnings = std::mem::take(&mut builder.warnings);
    let compiled = builder.compiler.finish();
    // Broken refs first (file and pointer), then what they left out.
    let mut warnings: Vec<LoadError> = files.broken.values().cloned().collect();
    warnings.sort_by(|a, b| (&a.file, &a.at).cmp(&(&b.file, &b.at)));
    warnings.extend(lenient_warnings);
    warnings.extend(builder_warnings);
    let (example_warnings, mut notices) = check_examples(&files, &mut operations);
    warnings.extend(example_warnings);
    // A callback's examples are what specmock sends: checked the same way.
    for cb in &mut callbacks {
        let (w, n) = check_examples(&files, std::slice::from_mut(&mut cb.operation));
        warnings.extend(w);
        notices.extend(n);
    }
    let document = Document {
        name: src.name.clone(),
        display: src.display.clone(),
        version,
        title,
        server_url,
        base_path,
        operations: Vec::new(),
        callbacks: callbacks::seal(callbacks),
        files,
        warnings,
        notices,
        compiled,
    };
    Ok(Unsealed {
        document,
        operations,
    })
}

fn detect_version(display: &str, v: &Value) -> Result<SpecVersion, LoadError> {
    if !v.is_object() {
        return Err(LoadError::new(
            display,
            "not an OpenAPI document: the top level is not a mapping",
        ));
    }
    if let Some(s) = v.get("swagger") {
        return match s.as_str() {
            Some("2.0") => Ok(SpecVersion::Swagger2),
            _ => Err(
                LoadError::new(display, format!("unsupported swagger version {s}"))
                    .at("#/swagger")
                    .hint("specmock reads Swagger 2.0 and OpenAPI 3.0/3.1"),
            ),
        };
    }
    match v.get("openapi").and_then(Value::as_str) {
        Some(s) if s.starts_with("3.0.") || s == "3.0" => Ok(SpecVersion::OpenApi30),
        Some(s) if s.starts_with("3.1.") || s == "3.1" => Ok(SpecVersion::OpenApi31),
        Some(s) => Err(
            LoadError::new(display, format!("unsupported OpenAPI version \"{s}\""))
                .at("#/openapi")
                .hint("specmock reads Swagger 2.0 and OpenAPI 3.0/3.1"),
        ),
        None => Err(LoadError::new(
            display,
            "not an OpenAPI document: no `openapi` or `swagger` field at the top level",
        )),
    }
}

/// Check every example of request and response bodies against its schema:
/// a standard `example`/`examples` that breaks it is a warning (an error for
/// `validate`); one taken from a vendor extension (Swagger 2.0 `x-examples`)
/// is only a notice. Each example keeps how it breaks its schema, for
/// `--errors`. A response media type that cannot carry its schema's values
/// (an object as `text/plain`) is a warning too.
fn check_examples(files: &FileSet, ops: &mut [Operation]) -> (Vec<LoadError>, Vec<LoadError>) {
    let (mut warnings, mut notices) = (Vec::new(), Vec::new());
    let mut check = |media: &mut MediaType| {
        let Some(schema) = &media.schema else { return };
        for ex in &mut media.examples {
            ex.breaks = schema
                .iter_errors(&ex.value)
                .map(|err| locate(&err))
                .collect();
            if let Some((at, message)) = ex.breaks.first() {
                let at = if at.is_empty() {
                    String::new()
                } else {
                    format!(" at {at}")
                };
                let e = files.error(
                    &ex.loc,
                    format!("example does not match its schema{at}: {message}"),
                );
                if lenient::from_extension(files, &ex.loc) {
                    notices.push(e);
                } else {
                    warnings.push(e);
                }
            }
        }
    };
    for op in ops.iter_mut() {
        if let Some(body) = &mut op.request_body {
            body.content.iter_mut().for_each(&mut check);
        }
        for r in &mut op.responses {
            r.content.iter_mut().for_each(&mut check);
        }
    }
    for op in ops.iter() {
        for r in &op.responses {
            for media in &r.content {
                if let Some(kind) = media.unserialisable()
                    && let Some(schema) = &media.schema
                {
                    warnings.push(
                        files
                            .error(
                                &schema.loc,
                                format!(
                                    "{} declares {kind} schema for {} ({} {}), which cannot be serialised as text; a request for it is answered 500",
                                    op.display_id, media.media_type, r.status, op.route
                                ),
                            )
                            .hint("declare application/json for it, or a string schema"),
                    );
                }
            }
        }
    }
    (warnings, notices)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load(text: &str) -> Result<Document, LoadErrors> {
        load_document(&SpecSource::from_text("t.yaml", text))
    }

    const OAS31: &str = r#"
openapi: 3.1.1
info: {title: t, version: "1"}
servers: [{url: "https://x.example.com"}]
paths:
  /a/{token}:
    put:
      operationId: put-a
      parameters:
        - {name: token, in: path, required: true, schema: {type: string}}
        - {name: Authorization, in: header, required: true, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/In put'}
            example: {expiresAt: "2023-09-04T11:26:24+02:00"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: '#/components/schemas/API tokens_Out'}
        "401": {description: no, content: {}}
components:
  schemas:
    In put:
      type: object
      required: [expiresAt]
      properties: {expiresAt: {type: string, format: date-time}}
    API tokens_Out: {type: object, properties: {}}
"#;

    #[test]
    fn oas31_with_spaces_in_refs() {
        let doc = load(OAS31).unwrap();
        assert_eq!(doc.version, SpecVersion::OpenApi31);
        let op = &doc.operations[0];
        assert_eq!(op.route, "/a/{token}");
        // The Authorization header parameter is ignored, as OpenAPI says.
        assert_eq!(op.parameters.len(), 1);
        let body = op.request_body.as_ref().unwrap();
        let v = &body.content[0].schema.as_ref().unwrap();
        assert!(v.is_valid(&serde_json::json!({"expiresAt": "2023-09-04T11:26:24+02:00"})));
        assert!(!v.is_valid(&serde_json::json!({"expiresAt": "tomorrow"})));
        assert!(!v.is_valid(&serde_json::json!({})));
        assert!(doc.warnings.is_empty(), "{:?}", doc.warnings);
        assert!(op.responses[1].content.is_empty());
    }

    #[test]
    fn oas30_nullable_and_derived_id() {
        let doc = load(
            r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /public/v1/x/{id}:
    put:
      parameters: [{name: id, in: path, required: true, schema: {type: string}}]
      requestBody:
        content:
          application/json:
            schema:
              type: object
              additionalProperties: false
              properties: {d: {type: string, nullable: true}}
      responses: {"200": {description: ok}}
"#,
        )
        .unwrap();
        let op = &doc.operations[0];
        assert_eq!(op.operation_id, "put-public-v1-x-id");
        assert!(op.id_derived);
        let v = &op.request_body.as_ref().unwrap().content[0]
            .schema
            .as_ref()
            .unwrap();
        assert!(v.is_valid(&serde_json::json!({"d": null})));
        assert!(!v.is_valid(&serde_json::json!({"e": 1})));
    }

    #[test]
    fn swagger2_upgraded() {
        let doc = load(r#"
swagger: "2.0"
info: {title: t, version: "1"}
host: io.example.com
basePath: /api/v2
consumes: [application/json, application/x-www-form-urlencoded]
securityDefinitions:
  HeaderKey: {type: apiKey, in: header, name: X-AIO-Key}
security: [{HeaderKey: []}]
paths:
  /{username}/tokens:
    parameters: [{name: username, in: path, required: true, type: string}]
    post:
      operationId: createToken
      parameters: [{name: token, in: body, required: true, schema: {$ref: '#/definitions/Token'}}]
      responses:
        "200": {description: ok, schema: {$ref: '#/definitions/Token'}, examples: {application/json: {token: abc}}}
definitions:
  Token: {type: object, properties: {token: {type: string}}}
"#).unwrap();
        assert_eq!(doc.version, SpecVersion::Swagger2);
        assert_eq!(doc.base_path, "/api/v2");
        let op = &doc.operations[0];
        assert_eq!(op.route, "/api/v2/{username}/tokens");
        let body = op.request_body.as_ref().unwrap();
        assert!(body.required);
        let types: Vec<_> = body.content.iter().map(|m| m.media_type.as_str()).collect();
        assert_eq!(
            types,
            vec!["application/json", "application/x-www-form-urlencoded"]
        );
        assert_eq!(op.security.len(), 1);
        assert_eq!(op.responses[0].content[0].examples[0].value["token"], "abc");
    }

    #[test]
    fn broken_example_is_a_warning() {
        let doc = load(&OAS31.replace("2023-09-04T11:26:24+02:00", "tomorrow")).unwrap();
        assert_eq!(doc.warnings.len(), 1);
        assert!(
            doc.warnings[0]
                .to_string()
                .contains("example does not match"),
            "{}",
            doc.warnings[0]
        );
    }

    #[test]
    fn not_openapi() {
        let e = load("a: 1\n").unwrap_err();
        assert!(e.to_string().contains("not an OpenAPI document"), "{e}");
    }

    fn strict(text: &str) -> Result<Document, LoadErrors> {
        let mut src = SpecSource::from_text("t.yaml", text);
        src.options.strict = true;
        load_document(&src)
    }

    fn warned(d: &Document, what: &str) -> bool {
        d.warnings.iter().any(|w| w.to_string().contains(what))
    }

    #[test]
    fn a_template_variable_without_a_parameter_is_a_required_string() {
        let d = load(
            r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a/{id}:
    get:
      responses: {"200": {description: ok}}
"#,
        )
        .unwrap();
        assert!(warned(&d, "{id} has no path parameter"), "{:?}", d.warnings);
        let p = &d.operations[0].parameters[0];
        assert_eq!(
            (p.name.as_str(), p.location, p.required),
            ("id", ParamIn::Path, true)
        );
        assert_eq!(d.left_out(), 0);
    }

    #[test]
    fn an_operation_that_does_not_compile_is_left_out_and_the_rest_served() {
        let text = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters: [{name: q, in: query, schema: {type: string, pattern: "(unclosed"}}]
      responses: {"200": {description: ok}}
  /b:
    get:
      responses: {"200": {description: ok}}
"#;
        let d = load(text).unwrap();
        assert_eq!(d.operations.len(), 2);
        let a = &d.operations[0];
        let why = a.unavailable.as_deref().unwrap();
        assert!(why.contains("schema does not compile"), "{why}");
        assert!(why.contains("#/paths/~1a/get/parameters/0/schema"), "{why}");
        assert!(warned(&d, "GET /a (get-a) is left out"), "{:?}", d.warnings);
        assert!(d.operations[1].unavailable.is_none());
        // --strict-load refuses the document.
        let e = strict(text).unwrap_err();
        assert!(e.to_string().contains("schema does not compile"), "{e}");
    }

    #[test]
    fn a_ref_that_does_not_resolve_leaves_out_only_what_reaches_it() {
        let text = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content: {application/json: {schema: {$ref: "#/components/schemas/Missing"}}}
  /b:
    get:
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/B"}}}}}
components:
  schemas:
    B: {type: object, x-vendor: {$ref: "#/nowhere"}}
"##;
        let d = load(text).unwrap();
        assert!(
            d.operations[0]
                .unavailable
                .as_deref()
                .unwrap()
                .contains("cannot resolve $ref")
        );
        // A `$ref` under a vendor extension is never followed, never an error.
        assert!(
            d.operations[1].unavailable.is_none(),
            "{:?}",
            d.operations[1].unavailable
        );
        assert!(
            warned(
                &d,
                "#/paths/~1a/get/responses/200/content/application~1json/schema/$ref"
            ),
            "{:?}",
            d.warnings
        );
        assert!(!warned(&d, "nowhere"), "{:?}", d.warnings);
        assert!(strict(text).is_err());
    }

    #[test]
    fn duplicate_operation_ids_keep_the_first_and_derive_the_others() {
        let text = r#"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a: {get: {operationId: same, responses: {"200": {description: ok}}}}
  /b: {get: {operationId: same, responses: {"200": {description: ok}}}}
"#;
        let d = load(text).unwrap();
        assert_eq!(d.operations[0].operation_id, "same");
        assert_eq!(d.operations[1].operation_id, "get-b");
        assert!(warned(&d, "used twice"), "{:?}", d.warnings);
        assert!(strict(text).is_err());
    }

    #[test]
    fn openapi_31_as_written() {
        // Only webhooks: loads with no routes and a warning.
        let d = load(
            r#"
openapi: 3.1.0
info: {title: t, version: "1"}
webhooks:
  newPet: {post: {requestBody: {content: {application/json: {schema: {type: object}}}}}}
"#,
        )
        .unwrap();
        assert!(d.operations.is_empty());
        assert!(warned(&d, "no `paths`"), "{:?}", d.warnings);
        // No responses: routed, answered 501; boolean exclusiveMinimum converted.
        let d = load(
            r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /a:
    get:
      parameters: [{name: n, in: query, schema: {type: integer, minimum: 0, exclusiveMinimum: true}}]
"#,
        )
        .unwrap();
        assert!(
            d.operations[0]
                .unavailable
                .as_deref()
                .unwrap()
                .contains("declares no responses")
        );
        assert!(warned(&d, "exclusiveMinimum"), "{:?}", d.warnings);
        let schema = d.operations[0].parameters[0].schema.as_ref().unwrap();
        assert!(!schema.is_valid(&serde_json::json!(0)));
        assert!(schema.is_valid(&serde_json::json!(1)));
    }

    #[test]
    fn path_keys_with_uri_special_characters_compile() {
        let d = load(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /files/{file_id}#add_shared_link:
    put:
      parameters: [{name: file_id, in: path, required: true, schema: {type: integer}}]
      requestBody: {content: {application/json: {schema: {type: object, properties: {a: {type: string}}}}}}
      responses: {"200": {description: ok}}
  /pets:search:
    post:
      requestBody: {content: {application/json: {schema: {type: object}}}}
      responses: {"200": {description: ok}}
  /100%/{x y}:
    get:
      parameters: [{name: x y, in: path, required: true, schema: {type: string}}]
      responses: {"200": {description: ok}}
"##,
        )
        .unwrap();
        assert_eq!(d.left_out(), 0, "{:?}", d.warnings);
    }

    /// A document whose 900 media types each wrap the same component in an
    /// inline schema: one validator for the wrapper, one for the component,
    /// however many places and views refer to them.
    #[test]
    fn a_schema_nine_hundred_media_types_refer_to_compiles_once() {
        let mut content = String::new();
        for i in 0..900 {
            content.push_str(&format!(
                "            application/vnd.x.v{i}+json: {{schema: {{type: object, properties: {{item: {{$ref: '#/components/schemas/Item'}}}}}}}}\n"
            ));
        }
        let text = format!(
            r#"
openapi: 3.0.3
info: {{title: t, version: "1"}}
paths:
  /items:
    post:
      requestBody:
        content:
          application/json: {{schema: {{$ref: '#/components/schemas/Item'}}}}
      responses:
        "200":
          description: ok
          content:
{content}
components:
  schemas:
    Item:
      type: object
      required: [id, name]
      properties:
        id: {{type: integer}}
        name: {{type: string, minLength: 1}}
        parts: {{type: array, items: {{$ref: '#/components/schemas/Part'}}}}
    Part: {{type: object, properties: {{of: {{$ref: '#/components/schemas/Item'}}}}}}
"#
        );
        let d = load(&text).unwrap();
        assert_eq!(d.left_out(), 0, "{:?}", d.warnings);
        let media = &d.operations[0].responses[0].content;
        assert_eq!(media.len(), 900);
        // Item, Part and the one inline wrapper.
        assert_eq!(d.compiled_validators(), 3);
        // And they validate through the shared nodes, every violation located.
        let v = &media[899].schema.as_ref().unwrap();
        let bad = serde_json::json!({"item": {"id": "x", "parts": [{"of": {"id": 1}}]}});
        let mut found: Vec<String> = v.iter_errors(&bad).map(|e| locate(&e).0).collect();
        found.sort();
        assert_eq!(found, ["/item/id", "/item/name", "/item/parts/0/of/name"]);
        assert!(v.is_valid(&serde_json::json!({"item": {"id": 1, "name": "a"}})));
    }

    /// readOnly and writeOnly make views apart only where they are marked.
    #[test]
    fn views_differ_only_where_read_only_or_write_only_is_marked() {
        let d = load(
            r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    put:
      requestBody: {content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}
      responses: {"200": {description: ok, content: {application/json: {schema: {$ref: "#/components/schemas/Pet"}}}}}
components:
  schemas:
    Pet:
      type: object
      required: [id, name, tag]
      properties:
        id: {type: integer, readOnly: true}
        name: {type: string}
        tag: {$ref: "#/components/schemas/Tag"}
    Tag: {type: object, required: [label], properties: {label: {type: string}}}
"##,
        )
        .unwrap();
        // Pet twice (request, response), Tag once.
        assert_eq!(d.compiled_validators(), 3);
        let op = &d.operations[0];
        let request = &op.request_body.as_ref().unwrap().content[0]
            .schema
            .as_ref()
            .unwrap();
        let response = &op.responses[0].content[0].schema.as_ref().unwrap();
        let no_id = serde_json::json!({"name": "a", "tag": {"label": "x"}});
        assert!(request.is_valid(&no_id));
        assert!(!response.is_valid(&no_id));
    }
}
