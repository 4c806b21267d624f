//! RFC 9457 problem details (`application/problem+json`), the body of every
//! error specmock itself produces. Each kind of problem is a [`ProblemKind`],
//! which owns its `type` URI (`urn:specmock:problem:<slug>`), its usual
//! status and its title, so no call site spells them.

use serde_json::{Map, Value, json};

/// The media type of a problem body.
pub const PROBLEM_JSON: &str = "application/problem+json";

macro_rules! problem_kinds {
    ($($name:ident => ($slug:literal, $status:literal, $title:literal),)*) => {
        /// Every kind of problem specmock answers with.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum ProblemKind {
            $(
                #[doc = $title]
                $name,
            )*
        }

        impl ProblemKind {
            /// Every kind, for documentation and tests.
            pub const ALL: &[ProblemKind] = &[$(ProblemKind::$name,)*];

            /// The last part of the `type` URI: `no-route`.
            pub fn slug(self) -> &'static str {
                match self { $(ProblemKind::$name => $slug,)* }
            }

            /// The status it is usually answered with.
            pub fn status(self) -> u16 {
                match self { $(ProblemKind::$name => $status,)* }
            }

            /// Its title, the same for every problem of the kind (RFC 9457).
            pub fn title(self) -> &'static str {
                match self { $(ProblemKind::$name => $title,)* }
            }
        }
    };
}

problem_kinds! {
    AdminClosed => ("admin-closed", 403, "The admin API is closed off loopback"),
    AdminCrossOrigin => ("admin-cross-origin", 403, "The admin session cookie only works from the inspector itself"),
    AdminNotFound => ("admin-not-found", 404, "No such admin endpoint"),
    AdminUnauthorized => ("admin-unauthorized", 401, "The admin API needs its token"),
    BadPath => ("bad-path", 400, "The path holds a NUL byte"),
    BadRequest => ("bad-request", 400, "The request body could not be read"),
    BadVerification => ("bad-verification", 400, "The verification is not valid JSON of the expected shape"),
    Chaos => ("chaos", 503, "An error injected by --chaos"),
    BodyTooLarge => ("body-too-large", 413, "The request body is too large"),
    ExportFailed => ("export-failed", 400, "What the consumer used cannot be exported as asked"),
    ExampleBreaksSchema => ("example-breaks-schema", 500, "The document's example breaks its response schema"),
    HttpsRequired => ("https-required", 400, "This port speaks HTTPS"),
    HeadersTooLarge => ("headers-too-large", 431, "The request headers are too large"),
    InternalError => ("internal-error", 500, "specmock failed on this request"),
    MethodNotAllowed => ("method-not-allowed", 405, "The path exists but not with this method"),
    NoFixture => ("no-fixture", 404, "No fixture matches this request"),
    NoRoute => ("no-route", 404, "No operation matches this path"),
    NoSuccessResponse => ("no-success-response", 500, "The operation declares no success response to mock"),
    NoSuchExample => ("no-such-example", 404, "The operation has no example of that name"),
    NotAcceptable => ("not-acceptable", 406, "No declared media type is acceptable"),
    OperationUnavailable => ("operation-unavailable", 501, "The operation could not be built from its document"),
    ReportFailed => ("report-failed", 500, "The reports could not be written"),
    RequestValidation => ("request-validation", 422, "Request does not match the contract"),
    TooManyHeaders => ("too-many-headers", 431, "Too many request headers"),
    UndeclaredStatus => ("undeclared-status", 404, "The operation does not declare that status"),
    UngeneratableSchema => ("ungeneratable-schema", 500, "The response schema cannot be generated"),
    UnserialisableResponse => ("unserialisable-response", 500, "The response cannot be serialised as its media type"),
    UpstreamUnreachable => ("upstream-unreachable", 502, "The upstream did not answer"),
    UriTooLong => ("uri-too-long", 414, "The request target is too long"),
    WebhookFailed => ("webhook-failed", 400, "The webhook cannot be sent as asked"),
}

impl ProblemKind {
    /// `urn:specmock:problem:<slug>`.
    pub fn type_uri(self) -> String {
        format!("urn:specmock:problem:{}", self.slug())
    }
}

/// A problem: `type`, `title`, `status`, `detail`, and extension members.
#[derive(Debug, Clone)]
pub struct Problem {
    /// The HTTP status the problem is answered with.
    pub status: u16,
    /// What went wrong; it gives the `type` and `title`.
    pub kind: ProblemKind,
    /// What went wrong in this request, in words.
    pub detail: String,
    /// Extension members added to the problem document (`violations`, ...).
    pub extensions: Map<String, Value>,
}

impl Problem {
    /// A problem of a kind, with its usual status.
    pub fn new(kind: ProblemKind, detail: impl Into<String>) -> Problem {
        Problem {
            status: kind.status(),
            kind,
            detail: detail.into(),
            extensions: Map::new(),
        }
    }

    /// Answer with another status than the kind's usual one (a request
    /// validation problem under the vendor's 400).
    pub fn with_status(mut self, status: u16) -> Problem {
        self.status = status;
        self
    }

    /// Add an extension member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Problem {
        self.extensions.insert(key.to_string(), value.into());
        self
    }

    /// The body as JSON, taking the extension members instead of copying
    /// them (a rejection's violations can be long).
    pub fn into_json(self) -> Value {
        let mut map = Map::with_capacity(4 + self.extensions.len());
        map.insert("type".into(), Value::String(self.kind.type_uri()));
        map.insert("title".into(), Value::String(self.kind.title().into()));
        map.insert("status".into(), Value::from(self.status));
        map.insert("detail".into(), Value::String(self.detail));
        map.extend(self.extensions);
        Value::Object(map)
    }

    /// The body as JSON.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "type": self.kind.type_uri(),
            "title": self.kind.title(),
            "status": self.status,
            "detail": self.detail,
        });
        if let Value::Object(map) = &mut v {
            for (k, val) in &self.extensions {
                map.insert(k.clone(), val.clone());
            }
        }
        v
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_have_distinct_slugs_and_a_title() {
        let mut slugs: Vec<&str> = ProblemKind::ALL.iter().map(|k| k.slug()).collect();
        slugs.sort_unstable();
        slugs.dedup();
        assert_eq!(slugs.len(), ProblemKind::ALL.len());
        assert!(ProblemKind::ALL.iter().all(|k| !k.title().is_empty()));
        let p = Problem::new(ProblemKind::NoRoute, "x").to_json();
        assert_eq!(p["type"], "urn:specmock:problem:no-route");
        assert_eq!(p["status"], 404);
    }
}
