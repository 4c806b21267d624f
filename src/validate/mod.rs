//! The validate stage: does a routed request keep the contract?
//!
//! Checks, in order, security, parameters (path, query, header, cookie, with
//! OpenAPI style/explode), content type, then the body, and collects every
//! violation (not just the first), each with a location (`path.id`,
//! `query.limit`, `header.authorization`, `body/expiresAt`) and a message.
//! What the client gets back for them is the respond stage's business.

mod body;
mod form;
mod params;
pub mod response;
mod security;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::instance::Node;
use crate::request::Request;
use crate::route::Routed;

pub use body::RequestBody;
pub use response::{ResponseBody, ResponseViolation, check_response};

/// What a violation is about: it decides the status the client gets.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ViolationKind {
    /// Missing or malformed credentials.
    Security,
    /// A path, query, header or cookie parameter.
    Parameter,
    /// A body whose media type the operation does not declare.
    ContentType,
    /// A missing required body, or a body that breaks its schema.
    #[default]
    Body,
}

/// One way a request breaks the contract.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Violation {
    /// Where: `path.id`, `query.limit`, `header.x-aio-key`, `cookie.session`,
    /// `body` or `body/<json pointer>`.
    pub location: String,
    /// What is wrong, in words a person understands.
    pub message: String,
    /// What the violation is about; it decides the status (not serialised).
    #[serde(skip, default)]
    pub kind: ViolationKind,
}

impl Violation {
    /// A violation of a kind, at a location, with a message.
    pub fn new(
        kind: ViolationKind,
        location: impl Into<String>,
        message: impl Into<String>,
    ) -> Violation {
        Violation {
            location: location.into(),
            message: message.into(),
            kind,
        }
    }
}

/// `location: message`, as the log, the problem's `detail` and reports show it.
impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.location, self.message)
    }
}

/// Options of the validate stage.
#[derive(Debug, Clone, Default)]
pub struct ValidateOptions {
    /// Accept `null` for optional properties whose schema does not allow it
    /// (some SDKs send `null` for every unset field); they are still listed
    /// as warnings.
    pub tolerate_nulls: bool,
}

/// A routed request and what validation found.
#[derive(Debug, Clone)]
pub struct Checked {
    /// The request as routed.
    pub routed: Routed,
    /// Every violation, security first.
    pub violations: Vec<Violation>,
    /// Tolerated deviations (nulls accepted under `--tolerate-nulls`).
    pub warnings: Vec<Violation>,
    /// The body, when it was parsed (JSON, form, multipart, text).
    pub body: Option<RequestBody>,
    /// The declared media type the body matched, if any.
    pub media_type: Option<String>,
}

impl Checked {
    /// True when the request kept the contract.
    pub fn is_valid(&self) -> bool {
        self.violations.is_empty()
    }

    /// The body as a `serde_json::Value`, when it was parsed (built on the
    /// first call: most requests never need one).
    pub fn body_value(&self) -> Option<&Value> {
        self.body.as_ref().map(RequestBody::value)
    }
}

/// Check a routed request against its operation.
pub fn validate(routed: Routed, req: &Request, options: &ValidateOptions) -> Checked {
    let op = routed.operation.clone();
    let mut violations = Vec::new();
    let mut warnings = Vec::new();
    security::check(&op, req, &mut violations);
    params::check(&op, &routed.path_params, req, &mut violations);
    let (body, media_type) = body::check(&op, req, options, &mut violations, &mut warnings);
    Checked {
        routed,
        violations,
        warnings,
        body,
        media_type,
    }
}

/// Violations of a value against a compiled schema, located under `prefix`
/// (`body`, `query.ids`) with the JSON pointer of each failing instance.
pub(crate) fn schema_violations(
    validator: &crate::spec::Validator,
    value: Node<'_>,
    kind: ViolationKind,
    prefix: &str,
    out: &mut Vec<Violation>,
) {
    // Most requests keep the contract: `is_valid` stops at nothing and
    // builds no error iterator.
    if validator.is_valid(value) {
        return;
    }
    for err in validator.iter_errors(value) {
        // Located through rewritten `$ref`s; a missing required property
        // where it should have been.
        let (pointer, message) = crate::spec::locate(&err);
        let location = if pointer.is_empty() {
            prefix.to_string()
        } else if prefix == "body" {
            format!("body{pointer}")
        } else {
            format!("{prefix}{pointer}")
        };
        out.push(Violation::new(kind, location, message));
    }
}
