//! A collection's `auth` as OpenAPI security: `bearer` (and `oauth2`, whose
//! requests carry a bearer token) becomes `http bearer`, `basic` and `digest`
//! their `http` schemes, `apikey` an `apiKey` in its header or query
//! parameter. v2.1 holds the attributes as `[{key, value}]`, v2.0 as an
//! object; both are read. An item without `auth` inherits its folder's,
//! then the collection's; `noauth` turns it off.

use serde_json::{Value, json};

use super::variables::Variables;

/// What one item's `auth` says.
#[derive(Debug, Clone, PartialEq)]
pub(super) enum Auth {
    /// `noauth`: no credentials (stops inheritance).
    None,
    /// A scheme, under its `components.securitySchemes` name.
    Scheme {
        /// The name in `components.securitySchemes`.
        name: String,
        /// The OpenAPI security scheme object.
        scheme: Value,
    },
    /// A type specmock does not check (awsv4, hawk, ntlm, oauth1, ...).
    Unchecked(String),
}

/// Read an `auth` object; `None` means "inherit" (absent, null, or `inherit`).
pub(super) fn read(auth: Option<&Value>, vars: &Variables) -> Option<Auth> {
    let auth = auth.filter(|a| a.is_object())?;
    let kind = auth.get("type").and_then(Value::as_str).unwrap_or("");
    let attr = |key: &str| attribute(auth, kind, key).map(|v| vars.resolve(&v));
    Some(match kind {
        "inherit" | "" => return None,
        "noauth" => Auth::None,
        "bearer" | "oauth2" | "jwt" => Auth::Scheme {
            name: "bearerAuth".into(),
            scheme: json!({"type": "http", "scheme": "bearer"}),
        },
        "basic" => Auth::Scheme {
            name: "basicAuth".into(),
            scheme: json!({"type": "http", "scheme": "basic"}),
        },
        "digest" => Auth::Scheme {
            name: "digestAuth".into(),
            scheme: json!({"type": "http", "scheme": "digest"}),
        },
        "apikey" => {
            let name = attr("key")
                .filter(|k| !k.is_empty())
                .unwrap_or_else(|| "X-API-Key".into());
            let location = match attr("in").as_deref() {
                Some("query") => "query",
                _ => "header",
            };
            Auth::Scheme {
                name: format!("apiKey-{location}-{}", scheme_key(&name)),
                scheme: json!({"type": "apiKey", "in": location, "name": name}),
            }
        }
        other => Auth::Unchecked(other.to_string()),
    })
}

/// One attribute of an auth type: v2.1's `[{key, value}]` or v2.0's object.
fn attribute(auth: &Value, kind: &str, key: &str) -> Option<String> {
    let attrs = auth.get(kind)?;
    let v = match attrs {
        Value::Array(list) => list
            .iter()
            .find(|a| a.get("key").and_then(Value::as_str) == Some(key))?
            .get("value")?,
        Value::Object(o) => o.get(key)?,
        _ => return None,
    };
    super::variables::scalar_text(v)
}

/// A header or parameter name as a scheme-name part: letters, digits, `-`, `_`, `.`.
fn scheme_key(name: &str) -> String {
    name.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "-_.".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_versions_of_apikey_read_the_same() {
        let vars = Variables::default();
        let v21 = json!({"type": "apikey", "apikey": [
            {"key": "key", "value": "X-Token"}, {"key": "in", "value": "query"}, {"key": "value", "value": "s"}
        ]});
        let v20 =
            json!({"type": "apikey", "apikey": {"key": "X-Token", "in": "query", "value": "s"}});
        let a = read(Some(&v21), &vars).unwrap();
        assert_eq!(a, read(Some(&v20), &vars).unwrap());
        let Auth::Scheme { name, scheme } = a else {
            panic!("{a:?}")
        };
        assert_eq!(name, "apiKey-query-X-Token");
        assert_eq!(
            scheme,
            json!({"type": "apiKey", "in": "query", "name": "X-Token"})
        );
    }

    #[test]
    fn inherit_none_and_unchecked() {
        let vars = Variables::default();
        assert_eq!(read(None, &vars), None);
        assert_eq!(read(Some(&Value::Null), &vars), None);
        assert_eq!(read(Some(&json!({"type": "inherit"})), &vars), None);
        assert_eq!(
            read(Some(&json!({"type": "noauth"})), &vars),
            Some(Auth::None)
        );
        assert_eq!(
            read(Some(&json!({"type": "hawk", "hawk": []})), &vars),
            Some(Auth::Unchecked("hawk".into()))
        );
    }
}
