//! RFC 9457 problem details (`application/problem+json`), the body of every
//! error specmock itself produces.

use serde_json::{Map, Value, json};

/// The media type of a problem body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// A problem: `type`, `title`, `status`, `detail`, and extension members.
#[derive(Debug, Clone)]
pub struct Problem {
    pub status: u16,
    pub kind: &'static str,
    pub title: String,
    pub detail: String,
    pub extensions: Map<String, Value>,
}

impl Problem {
    /// A problem of a specmock kind (`urn:specmock:problem:<kind>`).
    pub fn new(
        status: u16,
        kind: &'static str,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Problem {
        Problem {
            status,
            kind,
            title: title.into(),
            detail: detail.into(),
            extensions: Map::new(),
        }
    }

    /// Add an extension member.
    pub fn with(mut self, key: &str, value: impl Into<Value>) -> Problem {
        self.extensions.insert(key.to_string(), value.into());
        self
    }

    /// The body as JSON.
    pub fn to_json(&self) -> Value {
        let mut v = json!({
            "type": format!("urn:specmock:problem:{}", self.kind),
            "title": self.title,
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
