//! Paths as documents write them: template variable names, operation ids
//! derived from method and path, routes joined from a base path, and the
//! base path of a server URL.

use serde_json::Value;

/// `{name}` variables of a path template, in order.
pub fn template_names(path: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = path;
    while let Some(start) = rest.find('{') {
        let Some(end) = rest[start..].find('}') else {
            break;
        };
        out.push(rest[start + 1..start + end].to_string());
        rest = &rest[start + end + 1..];
    }
    out
}

/// The operationId used when a document gives none: the lower-case method,
/// then each path segment, braces dropped, every run of characters other
/// than ASCII letters, digits and `_` turned into one `-`. `PUT /public/v1/accounts/api-tokens/{id}` →
/// `put-public-v1-accounts-api-tokens-id`.
pub fn derive_operation_id(method: &str, path: &str) -> String {
    let mut out = method.to_ascii_lowercase();
    let mut dash = true;
    for c in path.chars() {
        if c.is_ascii_alphanumeric() || c == '_' {
            if dash {
                out.push('-');
                dash = false;
            }
            out.push(c.to_ascii_lowercase());
        } else {
            dash = true;
        }
    }
    out
}

/// Base path + path, with exactly one slash between them.
pub fn join_route(base: &str, path: &str) -> String {
    let base = base.trim_end_matches('/');
    if path.is_empty() || path == "/" {
        return if base.is_empty() {
            "/".to_string()
        } else {
            base.to_string()
        };
    }
    format!("{base}/{}", path.trim_start_matches('/'))
}

/// The path part of a server URL (`https://api.axiom.co/v2/` → `/v2`), with
/// server variables replaced by their defaults.
pub fn server_base_path(url: &str, variables: Option<&Value>) -> String {
    let mut url = url.to_string();
    if let Some(vars) = variables.and_then(Value::as_object) {
        for (name, var) in vars {
            if let Some(d) = var.get("default").and_then(Value::as_str) {
                url = url.replace(&format!("{{{name}}}"), d);
            }
        }
    }
    let after_scheme = match url.find("://") {
        Some(i) => match url[i + 3..].find('/') {
            Some(j) => url[i + 3 + j..].to_string(),
            None => String::new(),
        },
        None => url,
    };
    let path = after_scheme.split(['?', '#']).next().unwrap_or("");
    let trimmed = path.trim_end_matches('/');
    if trimmed.is_empty() {
        String::new()
    } else if trimmed.starts_with('/') {
        trimmed.to_string()
    } else {
        format!("/{trimmed}")
    }
}

/// The segments of `route` (0-based) that hold a secret path parameter.
pub(crate) fn secret_segments(route: &str, params: &[super::Parameter]) -> Vec<u16> {
    let secret: Vec<&str> = params
        .iter()
        .filter(|p| p.location == super::ParamIn::Path && p.secret)
        .map(|p| p.name.as_str())
        .collect();
    if secret.is_empty() {
        return Vec::new();
    }
    crate::segments::split(route)
        .enumerate()
        .filter(|(_, tpl)| secret.iter().any(|name| names_variable(tpl, name)))
        .filter_map(|(i, _)| u16::try_from(i).ok())
        .collect()
}

/// True when a template segment holds the variable `{name}`.
fn names_variable(template: &str, name: &str) -> bool {
    let bytes = template.as_bytes();
    (0..bytes.len()).filter(|&i| bytes[i] == b'{').any(|i| {
        template[i + 1..]
            .strip_prefix(name)
            .is_some_and(|rest| rest.starts_with('}'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn derived_ids() {
        assert_eq!(
            derive_operation_id("put", "/public/v1/accounts/api-tokens/{id}"),
            "put-public-v1-accounts-api-tokens-id"
        );
        assert_eq!(derive_operation_id("get", "/"), "get");
    }

    #[test]
    fn base_paths() {
        assert_eq!(server_base_path("https://api.axiom.co/v2/", None), "/v2");
        assert_eq!(
            server_base_path("https://app.unleash-instance.example.com", None),
            ""
        );
        assert_eq!(server_base_path("/api/v2", None), "/api/v2");
        assert_eq!(server_base_path("api/v2", None), "/api/v2");
        assert_eq!(
            server_base_path(
                "https://{host}/{ver}",
                Some(&json!({"ver": {"default": "v9"}, "host": {"default": "x"}}))
            ),
            "/v9"
        );
    }

    #[test]
    fn routes_join_cleanly() {
        assert_eq!(join_route("/v2", "/tokens/{id}"), "/v2/tokens/{id}");
        assert_eq!(join_route("/v2/", "/tokens"), "/v2/tokens");
        assert_eq!(join_route("", "/tokens"), "/tokens");
        assert_eq!(join_route("/v2", "/"), "/v2");
    }

    #[test]
    fn template_variables() {
        assert_eq!(
            template_names("/{username}/feeds/{feed_key}/data"),
            vec!["username", "feed_key"]
        );
    }
}
