//! The internal model every OpenAPI version is read into: documents and their
//! operations, with parameters, security, request bodies and responses, each
//! schema already compiled into a validator.

use std::fmt;
use std::sync::Arc;

use serde_json::Value;

use super::refs::{FileSet, Loc};

/// Which OpenAPI version a document was written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SpecVersion {
    /// Swagger 2.0, upgraded to the 3.0 model at load.
    Swagger2,
    /// OpenAPI 3.0.x; schemas converted to JSON Schema 2020-12 at load.
    OpenApi30,
    /// OpenAPI 3.1.x; schemas are JSON Schema 2020-12 already.
    OpenApi31,
}

impl fmt::Display for SpecVersion {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            SpecVersion::Swagger2 => "Swagger 2.0",
            SpecVersion::OpenApi30 => "OpenAPI 3.0",
            SpecVersion::OpenApi31 => "OpenAPI 3.1",
        })
    }
}

/// One loaded document.
#[derive(Debug)]
pub struct Document {
    /// The document's name: its file stem (`unleash`).
    pub name: String,
    /// Where it came from, for messages (`specs/unleash.yaml`, `bundled:unleash.yaml`).
    pub display: String,
    /// The version it was written in.
    pub version: SpecVersion,
    /// `info.title`.
    pub title: String,
    /// The first server URL as written (Swagger 2.0: built from host and basePath).
    pub server_url: Option<String>,
    /// The path prefix its operations are served under (`/api/v2`, or `""`).
    pub base_path: String,
    /// Its operations, in document order.
    pub operations: Vec<Arc<Operation>>,
    /// The requests it sends its consumer: operations' callbacks and 3.1 webhooks.
    pub callbacks: Vec<super::Callback>,
    /// The document and the files it references, upgraded and converted.
    pub files: FileSet,
    /// Problems that do not stop serving but fail `validate` (an example that
    /// breaks its schema, an operation left out).
    pub warnings: Vec<super::LoadError>,
    /// Problems that do not fail `validate` either (a vendor extension's
    /// example that breaks its schema): logged at `serve`.
    pub notices: Vec<super::LoadError>,
    /// Its compiled schema nodes: the validators refer into them, so the
    /// document keeps them alive.
    pub compiled: super::Compiled,
}

impl Document {
    /// How many validators loading built: one per distinct schema node and
    /// view, however many places refer to it (a diagnostic).
    pub fn compiled_validators(&self) -> usize {
        self.compiled.builds
    }
}

impl Document {
    /// Operations that could not be built and answer 501.
    pub fn left_out(&self) -> usize {
        self.operations
            .iter()
            .filter(|o| o.unavailable.is_some())
            .count()
    }
}

/// An HTTP method an operation can be declared for.
pub type Method = hyper::Method;

/// Keys whose values are secrets, compared case-insensitively: a path
/// parameter so named is marked secret at load, and `redact` removes body
/// values under them.
pub const SECRET_KEYS: &[&str] = &["token", "secret", "password", "apikey", "key"];

/// True for a key named like a secret.
pub fn is_secret_key(name: &str) -> bool {
    SECRET_KEYS.iter().any(|k| k.eq_ignore_ascii_case(name))
}

/// One operation: a method on a path of a document.
#[derive(Debug)]
pub struct Operation {
    /// The document's name.
    pub(crate) document: String,
    /// The `operationId`, or one derived from method and path when the document gives none.
    pub(crate) operation_id: String,
    /// True when `operation_id` was derived.
    pub(crate) id_derived: bool,
    /// How the operation is named to users: the bare id when unique across the
    /// loaded documents, else `document/operationId`.
    pub(crate) display_id: String,
    /// The method.
    pub(crate) method: Method,
    /// The path template as the document writes it (`/tokens/{id}/regenerate`).
    pub(crate) path: String,
    /// The path it is served at: base path + path (`/v2/tokens/{id}/regenerate`).
    pub(crate) route: String,
    /// Where it is in the document.
    pub(crate) loc: Loc,
    /// `summary`, if any.
    pub(crate) summary: Option<String>,
    /// Path, query, header and cookie parameters (path-level merged in).
    pub(crate) parameters: Vec<Parameter>,
    /// Alternatives; one must be satisfied. Empty: no security.
    pub(crate) security: Vec<SecurityRequirement>,
    /// The request body, if the operation takes one.
    pub(crate) request_body: Option<RequestBody>,
    /// Declared responses, in document order.
    pub(crate) responses: Vec<Response>,
    /// Why the operation cannot be served, when it cannot (a `$ref` that does
    /// not resolve, a schema that does not compile, no responses): it is
    /// still routed, and answered with a 501 problem saying this.
    pub(crate) unavailable: Option<String>,
    /// `document/operationId`, made when the operation is sealed (it keys
    /// journal counters and fixtures on every request).
    pub(crate) qualified: std::sync::Arc<str>,
    /// Its place among every operation of the contract (set when sealed):
    /// what per-operation tables of the contract are indexed by.
    pub(crate) index: usize,
    /// `display_id` as the `X-Specmock-Operation` header's value, made when
    /// sealed so no answer copies and checks it again; `None` before, or
    /// when the id is not a valid header value.
    pub(crate) display_header: Option<hyper::header::HeaderValue>,
    /// The route's segments (0-based) that hold a secret path parameter,
    /// found once at load: the journal writes them as their template.
    pub(crate) secret_segments: Vec<u16>,
}

impl Operation {
    /// The document's name.
    pub fn document(&self) -> &str {
        &self.document
    }

    /// The `operationId`, or one derived from method and path when the document gives none.
    pub fn operation_id(&self) -> &str {
        &self.operation_id
    }

    /// True when `operation_id` was derived.
    pub fn id_derived(&self) -> bool {
        self.id_derived
    }

    /// How the operation is named to users: the bare id when unique across the
    /// loaded documents, else `document/operationId`.
    pub fn display_id(&self) -> &str {
        &self.display_id
    }

    /// The method.
    pub fn method(&self) -> &Method {
        &self.method
    }

    /// The path template as the document writes it (`/tokens/{id}/regenerate`).
    pub fn path(&self) -> &str {
        &self.path
    }

    /// The path it is served at: base path + path (`/v2/tokens/{id}/regenerate`).
    pub fn route(&self) -> &str {
        &self.route
    }

    /// Where it is in the document.
    pub fn loc(&self) -> &Loc {
        &self.loc
    }

    /// `summary`, if any.
    pub fn summary(&self) -> Option<&str> {
        self.summary.as_deref()
    }

    /// Path, query, header and cookie parameters (path-level merged in).
    pub fn parameters(&self) -> &[Parameter] {
        &self.parameters
    }

    /// Alternatives; one must be satisfied. Empty: no security.
    pub fn security(&self) -> &[SecurityRequirement] {
        &self.security
    }

    /// The request body, if the operation takes one.
    pub fn request_body(&self) -> Option<&RequestBody> {
        self.request_body.as_ref()
    }

    /// Declared responses, in document order.
    pub fn responses(&self) -> &[Response] {
        &self.responses
    }

    /// Why the operation cannot be served, when it cannot (a `$ref` that does
    /// not resolve, a schema that does not compile, no responses): it is
    /// still routed, and answered with a 501 problem saying this.
    pub fn unavailable(&self) -> Option<&str> {
        self.unavailable.as_deref()
    }

    /// `document/operationId`: unique across every loaded document.
    pub fn qualified_id(&self) -> String {
        self.qualified().to_string()
    }

    /// [`Operation::display_id`] as a header value, made once when sealed.
    pub fn display_header(&self) -> Option<hyper::header::HeaderValue> {
        match &self.display_header {
            Some(v) => Some(v.clone()),
            None => hyper::header::HeaderValue::from_str(&self.display_id).ok(),
        }
    }

    /// `document/operationId`, shared (a reference count, no copy: every
    /// journal entry names its operation).
    pub fn qualified_shared(&self) -> std::sync::Arc<str> {
        self.qualified.clone()
    }

    /// `document/operationId`, borrowed.
    pub fn qualified(&self) -> &str {
        &self.qualified
    }

    /// The response declared for a status key, if any.
    pub fn response(&self, key: StatusKey) -> Option<&Response> {
        self.responses.iter().find(|r| r.status == key)
    }

    /// The declared response a status falls under: exact, then `NXX`, then
    /// `default`.
    pub fn declared_for(&self, code: u16) -> Option<&Response> {
        self.response(StatusKey::Code(code))
            .or_else(|| self.response(StatusKey::Range((code / 100) as u8)))
            .or_else(|| self.response(StatusKey::Default))
    }
}

/// Where a parameter travels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ParamIn {
    /// In the path (`/tokens/{token}`).
    Path,
    /// In the query string.
    Query,
    /// In a request header.
    Header,
    /// In a cookie.
    Cookie,
}

impl ParamIn {
    /// The name used in violation locations (`path.id`, `query.limit`).
    pub fn as_str(self) -> &'static str {
        match self {
            ParamIn::Path => "path",
            ParamIn::Query => "query",
            ParamIn::Header => "header",
            ParamIn::Cookie => "cookie",
        }
    }
}

/// OpenAPI serialisation styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Style {
    /// `simple`: `a,b,c` (the default for path and header).
    Simple,
    /// `label`: `.a.b.c`.
    Label,
    /// `matrix`: `;id=a,b,c`.
    Matrix,
    /// `form`: `id=a&id=b` (the default for query and cookie).
    Form,
    /// `spaceDelimited`: `a%20b%20c`.
    SpaceDelimited,
    /// `pipeDelimited`: `a|b|c`.
    PipeDelimited,
    /// `deepObject`: `id[key]=value`.
    DeepObject,
}

/// A compiled schema: where it is, and its validator.
#[derive(Clone)]
pub struct Schema {
    /// Where the schema is (after following a leading `$ref`).
    pub loc: Loc,
    /// The validator, compiled once at load. It reads any
    /// [`crate::instance::Node`]: `schema.validator.is_valid((&value).into())`,
    /// or [`Schema::is_valid`] for a `Value`.
    pub validator: Arc<super::compile::Validator>,
}

impl Schema {
    /// True when `value` keeps the schema.
    pub fn is_valid(&self, value: &Value) -> bool {
        self.validator.is_valid(value.into())
    }

    /// Every way `value` breaks the schema.
    pub fn iter_errors<'v>(&'v self, value: &'v Value) -> jsonschema::ErrorIterator<'v> {
        self.validator.iter_errors(value.into())
    }
}

impl fmt::Debug for Schema {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Schema").field("loc", &self.loc).finish()
    }
}

/// What a schema says a value looks like, as far as turning strings (query,
/// path, header, cookie values and form fields) into JSON goes. Computed once
/// at load from the schema, following `$ref`, `allOf` and type lists.
#[derive(Debug, Clone, Default, PartialEq)]
pub enum Shape {
    /// No type constraint: keep the string.
    #[default]
    Any,
    /// A string.
    String,
    /// An integer.
    Integer,
    /// Any number.
    Number,
    /// `true` or `false`.
    Boolean,
    /// `null`.
    Null,
    /// An array of items of one shape.
    Array(Box<Shape>),
    /// An object: known properties, and the shape of any other property.
    Object(Vec<(String, Shape)>, Box<Shape>),
    /// One of several types (`type: [integer, "null"]`, `anyOf`): tried in order.
    Either(Vec<Shape>),
}

impl Shape {
    /// The shape of an object's property (the additional-properties shape when undeclared).
    pub fn property(&self, name: &str) -> &Shape {
        match self {
            Shape::Object(props, rest) => props
                .iter()
                .find(|(n, _)| n == name)
                .map(|(_, s)| s)
                .unwrap_or(rest),
            Shape::Either(options) => options
                .iter()
                .find(|o| matches!(o, Shape::Object(..)))
                .map(|o| o.property(name))
                .unwrap_or(&Shape::Any),
            _ => &Shape::Any,
        }
    }

    /// True when the value is (or may be) an array.
    pub fn is_array(&self) -> bool {
        match self {
            Shape::Array(_) => true,
            Shape::Either(o) => o.iter().any(Shape::is_array),
            _ => false,
        }
    }

    /// True when the value is (or may be) an object.
    pub fn is_object(&self) -> bool {
        match self {
            Shape::Object(..) => true,
            Shape::Either(o) => o.iter().any(Shape::is_object),
            _ => false,
        }
    }

    /// The item shape of an array shape.
    pub fn items(&self) -> &Shape {
        match self {
            Shape::Array(i) => i,
            Shape::Either(o) => o
                .iter()
                .find(|s| s.is_array())
                .map(|s| s.items())
                .unwrap_or(&Shape::Any),
            _ => &Shape::Any,
        }
    }

    /// Turn one raw string into the JSON value the schema most likely means;
    /// a string that does not parse stays a string (the validator then says
    /// what is wrong with it).
    pub fn coerce(&self, raw: &str) -> Value {
        match self {
            Shape::Integer => raw
                .parse::<i64>()
                .map(Value::from)
                .or_else(|_| raw.parse::<u64>().map(Value::from))
                // Beyond 64 bits, or written `24.0`: still an integer to JSON Schema.
                .or_else(|_| match raw.parse::<f64>() {
                    Ok(f) if f.is_finite() && f.fract() == 0.0 => {
                        serde_json::Number::from_f64(f).map(Value::Number).ok_or(())
                    }
                    _ => Err(()),
                })
                .unwrap_or_else(|_| Value::String(raw.to_string())),
            Shape::Number => match raw.parse::<i64>() {
                Ok(i) => Value::from(i),
                Err(_) => raw
                    .parse::<f64>()
                    .ok()
                    .filter(|f| f.is_finite())
                    .and_then(serde_json::Number::from_f64)
                    .map(Value::Number)
                    .unwrap_or_else(|| Value::String(raw.to_string())),
            },
            Shape::Boolean => match raw {
                "true" => Value::Bool(true),
                "false" => Value::Bool(false),
                _ => Value::String(raw.to_string()),
            },
            Shape::Null => {
                if raw.is_empty() || raw == "null" {
                    Value::Null
                } else {
                    Value::String(raw.to_string())
                }
            }
            Shape::Either(options) => {
                // Prefer a typed reading; a plain string only when nothing else parses.
                for o in options {
                    if matches!(o, Shape::String | Shape::Any) {
                        continue;
                    }
                    let v = o.coerce(raw);
                    if !v.is_string() {
                        return v;
                    }
                }
                Value::String(raw.to_string())
            }
            _ => Value::String(raw.to_string()),
        }
    }
}

/// One parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// The parameter's name as declared.
    pub name: String,
    /// Where it travels.
    pub location: ParamIn,
    /// A request without it breaks the contract.
    pub required: bool,
    /// How its value is serialised.
    pub style: Style,
    /// `explode`: arrays and objects as separate values.
    pub explode: bool,
    /// Swagger 2.0 `collectionFormat: tsv`, the one format OpenAPI 3 has no style for.
    pub tab_separated: bool,
    /// The schema its value must keep, if any.
    pub schema: Option<Schema>,
    /// The schema's shape, for turning the raw strings into JSON values.
    pub shape: std::sync::Arc<Shape>,
    /// The schema is `type: string` and nothing that narrows it (or there is
    /// none): every path, header or cookie value keeps it, so those are only
    /// checked for presence, without building a value to validate.
    pub any_string: bool,
    /// The value is a secret (Unleash's `{token}`): redacted in journals and recordings.
    pub secret: bool,
    /// Where it is declared.
    pub loc: Loc,
}

/// A security scheme, as far as a mock needs to know it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SecurityScheme {
    /// An API key in a header, query parameter or cookie.
    ApiKey {
        /// The header, query parameter or cookie name.
        name: String,
        /// Where the key travels.
        location: ParamIn,
        /// `name` parsed as a header name when the key travels in a header
        /// (and the name is a valid one): looked up on every request.
        header: Option<hyper::header::HeaderName>,
    },
    /// `Authorization: Bearer ...` (http bearer, oauth2, openIdConnect).
    Bearer,
    /// `Authorization: Basic ...`.
    Basic,
    /// Another `Authorization` scheme (`http` with a scheme such as `digest`).
    Http {
        /// The scheme name, as in `Authorization: <scheme> ...`.
        scheme: String,
    },
    /// Mutual TLS: nothing a mock can check.
    MutualTls,
}

/// Schemes that must all be satisfied together.
#[derive(Debug, Clone)]
pub struct SecurityRequirement {
    /// The schemes, by their name in `securitySchemes`.
    pub schemes: Vec<(String, SecurityScheme)>,
}

/// A request body.
#[derive(Debug, Clone)]
pub struct RequestBody {
    /// A request without a body breaks the contract.
    pub required: bool,
    /// The media types it may be sent as.
    pub content: Vec<MediaType>,
    /// Where it is declared.
    pub loc: Loc,
}

/// A media type of a body, with its schema and examples.
#[derive(Debug, Clone)]
pub struct MediaType {
    /// As declared: `application/json`, `application/*+json`, `text/plain`.
    pub media_type: String,
    /// The schema the body must keep, if any.
    pub schema: Option<Schema>,
    /// The schema's shape, for coercing form fields.
    pub shape: std::sync::Arc<Shape>,
    /// Named examples (`examples`), or one unnamed (`example`).
    pub examples: Vec<Example>,
    /// How each form or multipart field is serialised, by field name: the
    /// request body's `encoding` (Swagger 2.0 `formData` carried into it).
    /// Empty for other media types and for fields left to the defaults.
    pub encoding: Vec<(String, FieldEncoding)>,
    /// The `Content-Type` an answer of this type carries, built once at load
    /// (`None` when the declared type makes no valid header value).
    pub(crate) content_type: Option<hyper::header::HeaderValue>,
    /// A text type with no serialisation for objects and arrays
    /// ([`crate::media::is_plain_text`]), decided once at load.
    pub(crate) plain_text: bool,
}

impl MediaType {
    /// The encoding of a form field (the defaults when none is declared).
    pub fn field_encoding(&self, name: &str) -> &FieldEncoding {
        self.encoding
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, e)| e)
            .unwrap_or(&FieldEncoding::DEFAULT)
    }
}

/// One field's Encoding Object, read once at load.
#[derive(Debug, Clone, PartialEq)]
pub struct FieldEncoding {
    /// `style`, `explode` or `allowReserved` is written: RFC 6570 style-based
    /// serialisation, where `contentType` is ignored (OpenAPI 3.0.4/3.1.1).
    pub styled: bool,
    /// How the field's value is serialised.
    pub style: Style,
    /// `explode`: arrays and objects as separate fields.
    pub explode: bool,
    /// Swagger 2.0 `collectionFormat: tsv`.
    pub tab_separated: bool,
    /// Reserved characters may be sent unencoded; only read when `styled`.
    pub allow_reserved: bool,
    /// False when the encoding says `allowEmptyValue: false` (Swagger 2.0
    /// formData's default, carried over at load).
    pub allow_empty: bool,
    /// `contentType` names a JSON media type: the field's text is JSON.
    pub json: bool,
}

impl FieldEncoding {
    /// A field with no Encoding Object.
    pub const DEFAULT: FieldEncoding = FieldEncoding {
        styled: false,
        style: Style::Form,
        explode: true,
        tab_separated: false,
        allow_reserved: false,
        allow_empty: true,
        json: false,
    };
}

impl crate::media::accept::Declared for MediaType {
    fn media_type(&self) -> &str {
        &self.media_type
    }
}

impl MediaType {
    /// Why this response media type cannot carry its schema's values, if it
    /// cannot: "an object" or "an array" schema declared for plain text
    /// (`text/plain`, `text/html`), which has no form for them.
    pub fn unserialisable(&self) -> Option<&'static str> {
        if !crate::media::is_plain_text(&self.media_type) {
            return None;
        }
        match &*self.shape {
            Shape::Object(..) => Some("an object"),
            Shape::Array(..) => Some("an array"),
            _ => None,
        }
    }
}

/// An example value from the document.
#[derive(Debug, Clone)]
pub struct Example {
    /// The name under `examples`; `None` for a lone `example`.
    pub name: Option<String>,
    /// The example value, as JSON.
    pub value: Value,
    /// The value serialised for its media type, once, at load.
    pub body: bytes::Bytes,
    /// Where it is declared.
    pub loc: Loc,
    /// How the value breaks its schema, found once at load: `(JSON pointer
    /// in the value, message)`; empty when it keeps it. `--errors` answers
    /// such an example with a 500 instead of serving it.
    pub breaks: Vec<(String, String)>,
}

/// A response status key: `200`, `2XX` or `default`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum StatusKey {
    /// An exact status code.
    Code(u16),
    /// `NXX`: the hundreds digit.
    Range(u8),
    /// `default`: any status not otherwise declared.
    Default,
}

impl StatusKey {
    /// Parse a key of `responses`.
    pub fn parse(s: &str) -> Option<StatusKey> {
        if s == "default" {
            return Some(StatusKey::Default);
        }
        let b = s.as_bytes();
        if b.len() == 3 && (b'1'..=b'5').contains(&b[0]) {
            if b[1..].eq_ignore_ascii_case(b"XX") {
                return Some(StatusKey::Range(b[0] - b'0'));
            }
            if let Ok(n) = s.parse::<u16>() {
                return Some(StatusKey::Code(n));
            }
        }
        None
    }

    /// True when this key covers a status code.
    pub fn covers(self, code: u16) -> bool {
        match self {
            StatusKey::Code(c) => c == code,
            StatusKey::Range(r) => code / 100 == r as u16,
            StatusKey::Default => true,
        }
    }
}

impl fmt::Display for StatusKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            StatusKey::Code(c) => write!(f, "{c}"),
            StatusKey::Range(r) => write!(f, "{r}XX"),
            StatusKey::Default => f.write_str("default"),
        }
    }
}

/// A declared response.
#[derive(Debug, Clone)]
pub struct Response {
    /// The status key it is declared under.
    pub status: StatusKey,
    /// The response's `description`.
    pub description: String,
    /// Empty: the response has no body.
    pub content: Vec<MediaType>,
    /// The headers it declares (`Content-Type` aside, which the spec says to
    /// ignore here), sent with the answer.
    pub headers: Vec<ResponseHeader>,
    /// Where it is declared.
    pub loc: Loc,
}

/// A header a response declares (Adafruit's `Link`, `X-Pagination-Total`).
#[derive(Debug, Clone)]
pub struct ResponseHeader {
    /// As declared (header names are case-insensitive on the wire).
    pub name: String,
    /// The header must be sent with the response.
    pub required: bool,
    /// The document's example: the header's own `example`/`examples`, else
    /// its schema's `example`/`examples`/`default`.
    pub example: Option<Value>,
    /// Where its schema is, to generate a value when there is no example.
    pub schema: Option<Loc>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_keys() {
        assert_eq!(StatusKey::parse("200"), Some(StatusKey::Code(200)));
        assert_eq!(
            Shape::Integer.coerce("18446744073709551616"),
            serde_json::json!(18446744073709551616.0)
        );
        assert_eq!(Shape::Integer.coerce("24.0"), serde_json::json!(24.0));
        assert_eq!(Shape::Integer.coerce("2.5"), serde_json::json!("2.5"));
        assert_eq!(StatusKey::parse("2XX"), Some(StatusKey::Range(2)));
        assert_eq!(StatusKey::parse("4xx"), Some(StatusKey::Range(4)));
        assert_eq!(StatusKey::parse("default"), Some(StatusKey::Default));
        assert_eq!(StatusKey::parse("600"), None);
        assert_eq!(StatusKey::parse("abc"), None);
        assert!(StatusKey::Range(4).covers(404));
        assert!(!StatusKey::Range(4).covers(500));
    }
}
