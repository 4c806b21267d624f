//! A request's `url` (a string, or an object of `protocol`, `host`, `port`,
//! `path`, `query` and `variable`) split into the base URL its host names,
//! a path template and its parameters. `:name` and `{{name}}` path segments
//! become `{name}` templates (their known values the examples); variables in
//! the host are substituted, so `{{baseUrl}}` names the server.

use serde_json::Value;

use super::variables::{Variables, scalar_text, unresolved};

/// One `key=value` of a query, header list or form.
#[derive(Debug, Clone, PartialEq)]
pub(super) struct Pair {
    /// The name.
    pub key: String,
    /// The declared value (variables substituted), if any.
    pub value: Option<String>,
    /// Its description.
    pub description: Option<String>,
    /// `disabled: true`: declared but not sent.
    pub disabled: bool,
    /// Form data only: `file` parts.
    pub file: bool,
}

/// A path template variable: its name, example value and description.
pub(super) type PathParam = (String, Option<String>, Option<String>);

/// A request URL, read.
#[derive(Debug, Clone)]
pub(super) struct Url {
    /// The base URL the host resolves to (`https://api.example.com/v1`), or
    /// the variables left unresolved in it (empty: the URL names no host).
    pub base: Result<String, Vec<String>>,
    /// The path template, `/users/{id}`.
    pub path: String,
    /// The template's variables, with their example values and descriptions.
    pub path_params: Vec<PathParam>,
    /// The declared query parameters.
    pub query: Vec<Pair>,
}

/// Read a `url` (`None` for a request without one).
pub(super) fn read(url: &Value, vars: &Variables) -> Url {
    let (host, segments, query) = match url {
        Value::String(raw) => split_raw(raw),
        Value::Object(o) if o.contains_key("host") || o.contains_key("path") => {
            let mut host = match o.get("host") {
                Some(Value::Array(parts)) => parts
                    .iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join("."),
                Some(Value::String(h)) => h.clone(),
                _ => String::new(),
            };
            if let Some(p) = o.get("protocol").and_then(Value::as_str)
                && !host.is_empty()
            {
                host = format!("{p}://{host}");
            }
            if let Some(port) = o
                .get("port")
                .and_then(scalar_text)
                .filter(|p| !p.is_empty())
            {
                host = format!("{host}:{port}");
            }
            let segments = match o.get("path") {
                Some(Value::Array(parts)) => parts
                    .iter()
                    .map(|p| match p {
                        Value::Object(seg) => seg
                            .get("value")
                            .and_then(Value::as_str)
                            .unwrap_or("")
                            .to_string(),
                        other => scalar_text(other).unwrap_or_default(),
                    })
                    .collect(),
                Some(Value::String(p)) => p
                    .trim_start_matches('/')
                    .split('/')
                    .map(str::to_string)
                    .collect(),
                _ => Vec::new(),
            };
            let raw_query = o
                .get("raw")
                .and_then(Value::as_str)
                .map(|r| split_raw(r).2)
                .unwrap_or_default();
            (host, segments, raw_query)
        }
        Value::Object(o) => split_raw(o.get("raw").and_then(Value::as_str).unwrap_or("")),
        _ => (String::new(), Vec::new(), Vec::new()),
    };
    let query = match url.get("query").and_then(Value::as_array) {
        Some(list) => pairs(list, vars),
        None => query
            .into_iter()
            .map(|(k, v)| Pair {
                key: vars.resolve(&k),
                value: Some(vars.resolve(&v)),
                description: None,
                disabled: false,
                file: false,
            })
            .collect(),
    };
    let declared = url.get("variable").and_then(Value::as_array);
    let (path, path_params) = template(&segments, declared, vars);
    Url {
        base: base_url(&host, vars),
        path,
        path_params,
        query,
    }
}

/// `[{key, value, description, disabled}]` (query, headers, form fields).
pub(super) fn pairs(list: &[Value], vars: &Variables) -> Vec<Pair> {
    list.iter()
        .filter_map(|p| {
            let key = p.get("key").and_then(Value::as_str)?;
            let file = p.get("type").and_then(Value::as_str) == Some("file");
            let value = if file {
                // A file part names its file in `src` (a list for several,
                // none when no file was chosen): its example is that name.
                Some(
                    match p.get("src") {
                        Some(Value::Array(list)) => list.first().and_then(scalar_text),
                        Some(v) => scalar_text(v),
                        None => None,
                    }
                    .unwrap_or_default(),
                )
            } else {
                p.get("value").and_then(scalar_text)
            };
            Some(Pair {
                key: vars.resolve(key),
                value: value.map(|v| vars.resolve(&v)),
                description: p.get("description").and_then(description),
                disabled: p.get("disabled").and_then(Value::as_bool) == Some(true),
                file,
            })
        })
        .collect()
}

/// A `description`: a string or `{content}`.
pub(super) fn description(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Object(o) => o.get("content").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

type Split = (String, Vec<String>, Vec<(String, String)>);

/// A raw URL as host, path segments and query pairs.
fn split_raw(raw: &str) -> Split {
    let raw = raw.trim();
    let (before_hash, _) = raw.split_once('#').unwrap_or((raw, ""));
    let (before_query, query) = before_hash.split_once('?').unwrap_or((before_hash, ""));
    let host_end = match before_query.find("://") {
        Some(i) => before_query[i + 3..].find('/').map(|j| i + 3 + j),
        None => before_query.find('/'),
    }
    .unwrap_or(before_query.len());
    let host = before_query[..host_end].to_string();
    let path = &before_query[host_end..];
    let segments = if path.is_empty() {
        Vec::new()
    } else {
        path.trim_start_matches('/')
            .split('/')
            .map(str::to_string)
            .collect()
    };
    let query = query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|p| {
            let (k, v) = p.split_once('=').unwrap_or((p, ""));
            (k.to_string(), v.to_string())
        })
        .collect();
    (host, segments, query)
}

/// The host with variables substituted, as a URL with a scheme.
fn base_url(host: &str, vars: &Variables) -> Result<String, Vec<String>> {
    let resolved = vars.resolve(host);
    let left: Vec<String> = unresolved(&resolved)
        .into_iter()
        .map(str::to_string)
        .collect();
    if !left.is_empty() {
        return Err(left);
    }
    let mut resolved = resolved.trim().trim_end_matches('/');
    // `protocol` given and a host variable holding a whole URL: the variable's scheme wins.
    if let Some(i) = resolved.find("://")
        && resolved[i + 3..].contains("://")
    {
        resolved = &resolved[i + 3..];
    }
    if resolved.is_empty() {
        return Err(Vec::new());
    }
    Ok(if resolved.contains("://") {
        resolved.to_string()
    } else {
        // Postman sends a URL without a scheme over http.
        format!("http://{resolved}")
    })
}

/// Path segments as a template: `:id` and `{{id}}` become `{id}`.
fn template(
    segments: &[String],
    declared: Option<&Vec<Value>>,
    vars: &Variables,
) -> (String, Vec<PathParam>) {
    let mut params: Vec<PathParam> = Vec::new();
    let mut path = String::new();
    let mut add = |name: &str, value: Option<String>, desc: Option<String>| -> String {
        let mut name = param_name(name);
        let base = name.clone();
        let mut n = 2;
        while params.iter().any(|(p, _, _)| *p == name) {
            name = format!("{base}{n}");
            n += 1;
        }
        params.push((name.clone(), value, desc));
        format!("{{{name}}}")
    };
    for seg in segments {
        path.push('/');
        if let Some(name) = seg.strip_prefix(':').filter(|n| !n.is_empty()) {
            let decl = declared
                .into_iter()
                .flatten()
                .find(|v| v.get("key").and_then(Value::as_str) == Some(name));
            let value = decl
                .and_then(|d| d.get("value"))
                .and_then(scalar_text)
                .map(|v| vars.resolve(&v))
                .filter(|v| !v.is_empty() && !v.contains("{{"));
            let desc = decl
                .and_then(|d| d.get("description"))
                .and_then(description);
            path.push_str(&add(name, value, desc));
            continue;
        }
        let mut rest = seg.as_str();
        while let Some(start) = rest.find("{{") {
            let Some(end) = rest[start + 2..].find("}}") else {
                break;
            };
            path.push_str(&rest[..start]);
            let name = rest[start + 2..start + 2 + end].trim();
            let value = vars
                .get(name)
                .map(|v| vars.resolve(v))
                .filter(|v| !v.contains("{{"));
            path.push_str(&add(name, value, None));
            rest = &rest[start + 2 + end + 2..];
        }
        path.push_str(rest);
    }
    if path.is_empty() {
        path.push('/');
    }
    (path, params)
}

/// A template variable's name: what OpenAPI and the router take (`$guid` → `guid`).
fn param_name(name: &str) -> String {
    let cleaned: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || "-_.".contains(*c))
        .collect();
    if cleaned.is_empty() {
        "param".into()
    } else {
        cleaned
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars() -> Variables {
        let mut v = Variables::default();
        v.add_list(Some(&json!([
            {"key": "baseUrl", "value": "https://api.example.com/v1"},
            {"key": "userId", "value": "42"}
        ])));
        v
    }

    #[test]
    fn raw_urls_give_base_template_and_query() {
        let u = read(
            &json!("{{baseUrl}}/users/:id/posts/{{userId}}?limit=10&q"),
            &vars(),
        );
        assert_eq!(u.base, Ok("https://api.example.com/v1".into()));
        assert_eq!(u.path, "/users/{id}/posts/{userId}");
        assert_eq!(u.path_params[1], ("userId".into(), Some("42".into()), None));
        assert_eq!(u.query.len(), 2);
        assert_eq!(u.query[0].value.as_deref(), Some("10"));
    }

    #[test]
    fn object_urls_use_their_parts() {
        let u = read(
            &json!({
                "raw": "https://{{host}}:8080/a/:id",
                "protocol": "https", "host": ["{{host}}"], "port": "8080",
                "path": ["a", ":id"],
                "variable": [{"key": "id", "value": "7", "description": "the id"}],
                "query": [{"key": "x", "value": "1", "disabled": true}]
            }),
            &vars(),
        );
        assert_eq!(u.base, Err(vec!["host".to_string()]));
        assert_eq!(u.path, "/a/{id}");
        assert_eq!(
            u.path_params[0],
            ("id".into(), Some("7".into()), Some("the id".into()))
        );
        assert!(u.query[0].disabled);
    }

    #[test]
    fn a_protocol_before_a_variable_holding_a_url_is_dropped() {
        let u = read(
            &json!({"protocol": "https", "host": ["{{baseUrl}}"], "path": ["users"]}),
            &vars(),
        );
        assert_eq!(u.base, Ok("https://api.example.com/v1".into()));
    }

    #[test]
    fn a_host_without_scheme_is_http_and_no_path_is_root() {
        let u = read(&json!("example.com"), &Variables::default());
        assert_eq!(u.base, Ok("http://example.com".into()));
        assert_eq!(u.path, "/");
        let u = read(&json!("/only/path"), &Variables::default());
        assert_eq!(u.base, Err(vec![]));
        assert_eq!(u.path, "/only/path");
    }
}
