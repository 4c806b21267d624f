//! OpenAPI runtime expressions: a callback's URL is written with them
//! (`{$request.body#/callbackUrl}`, `https://x.test/hook?id={$response.body#/id}`)
//! and filled from the exchange that triggered it.

use serde_json::Value;

/// The exchange a callback's expressions read.
#[derive(Debug, Default)]
pub struct Exchange<'a> {
    /// The request's URL as the client sent it (`http://host/path?query`).
    pub url: String,
    /// The request method, upper-case.
    pub method: &'a str,
    /// Path parameters under the template's names.
    pub path_params: &'a [(std::sync::Arc<str>, String)],
    /// Query parameters, decoded.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: Option<&'a hyper::HeaderMap>,
    /// The request body, parsed (JSON), if any.
    pub body: Option<Value>,
    /// The status answered.
    pub status: u16,
    /// Response headers.
    pub response_headers: Option<&'a hyper::HeaderMap>,
    /// The response body, parsed (JSON), if any.
    pub response_body: Option<Value>,
}

/// Fill a callback key: every `{$...}` replaced by its value; a key that
/// is one bare expression (`$request.query.url`) is that value.
pub fn evaluate(template: &str, ex: &Exchange) -> Result<String, String> {
    if template.starts_with('$') {
        return one(template, ex);
    }
    let mut out = String::with_capacity(template.len());
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let after = &rest[start + 1..];
        let Some(end) = after.find('}') else {
            return Err(format!("\"{template}\": a `{{` is never closed"));
        };
        let expr = &after[..end];
        if expr.starts_with('$') {
            out.push_str(&one(expr, ex)?);
        } else {
            // Not an expression: kept as written.
            out.push('{');
            out.push_str(expr);
            out.push('}');
        }
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    Ok(out)
}

/// One expression's value, as text.
fn one(expr: &str, ex: &Exchange) -> Result<String, String> {
    let missing = |what: &str| format!("{expr}: the exchange has no {what}");
    match expr {
        "$url" => return Ok(ex.url.clone()),
        "$method" => return Ok(ex.method.to_string()),
        "$statusCode" => return Ok(ex.status.to_string()),
        _ => {}
    }
    let (source, rest) = if let Some(r) = expr.strip_prefix("$request.") {
        ("request", r)
    } else if let Some(r) = expr.strip_prefix("$response.") {
        ("response", r)
    } else {
        return Err(format!(
            "{expr}: not a runtime expression ($url, $method, $statusCode, $request.<query|header|path|body>..., $response.<header|body>...)"
        ));
    };
    let request = source == "request";
    if let Some(pointer) = rest.strip_prefix("body") {
        let body = if request { &ex.body } else { &ex.response_body };
        let body = body.as_ref().ok_or_else(|| missing("JSON body"))?;
        let pointer = pointer.strip_prefix('#').unwrap_or(pointer);
        let v = body
            .pointer(pointer)
            .ok_or_else(|| missing(&format!("{source} body member at \"{pointer}\"")))?;
        return Ok(text(v));
    }
    if let Some(name) = rest.strip_prefix("header.") {
        let headers = if request {
            ex.headers
        } else {
            ex.response_headers
        };
        return headers
            .and_then(|h| h.get(name))
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
            .ok_or_else(|| missing(&format!("{source} header {name}")));
    }
    if request && let Some(name) = rest.strip_prefix("query.") {
        return ex
            .query
            .iter()
            .find(|(k, _)| **k == *name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| missing(&format!("query parameter {name}")));
    }
    if request && let Some(name) = rest.strip_prefix("path.") {
        return ex
            .path_params
            .iter()
            .find(|(k, _)| **k == *name)
            .map(|(_, v)| v.clone())
            .ok_or_else(|| missing(&format!("path parameter {name}")));
    }
    Err(format!("{expr}: unknown source `{rest}`"))
}

/// A JSON value as URL text: strings bare, the rest as JSON.
fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn exchange(headers: &hyper::HeaderMap) -> Exchange<'_> {
        Exchange {
            url: "http://127.0.0.1:4010/subscriptions?x=1".into(),
            method: "POST",
            path_params: &[],
            query: vec![("url".into(), "http://127.0.0.1:9/q".into())],
            headers: Some(headers),
            body: Some(json!({"callbackUrl": "http://127.0.0.1:9/hook", "n": 3})),
            status: 201,
            response_headers: None,
            response_body: Some(json!({"id": "sub-1"})),
        }
    }

    #[test]
    fn every_source_the_spec_defines() {
        let mut h = hyper::HeaderMap::new();
        h.insert("x-hook", "http://127.0.0.1:9/h".parse().unwrap());
        let ex = exchange(&h);
        let cases = [
            ("{$request.body#/callbackUrl}", "http://127.0.0.1:9/hook"),
            ("$request.body#/callbackUrl", "http://127.0.0.1:9/hook"),
            ("{$request.query.url}", "http://127.0.0.1:9/q"),
            ("{$request.header.X-Hook}", "http://127.0.0.1:9/h"),
            (
                "http://127.0.0.1:9/e?id={$response.body#/id}&n={$request.body#/n}",
                "http://127.0.0.1:9/e?id=sub-1&n=3",
            ),
            ("{$url}", "http://127.0.0.1:4010/subscriptions?x=1"),
            (
                "http://h.test/{$method}/{$statusCode}",
                "http://h.test/POST/201",
            ),
            ("http://h.test/{id}", "http://h.test/{id}"),
        ];
        for (template, want) in cases {
            assert_eq!(evaluate(template, &ex).as_deref(), Ok(want), "{template}");
        }
    }

    #[test]
    fn what_is_missing_is_named() {
        let h = hyper::HeaderMap::new();
        let ex = exchange(&h);
        let e = evaluate("{$request.body#/nope}", &ex).unwrap_err();
        assert!(e.contains("\"/nope\""), "{e}");
        let e = evaluate("{$request.header.X-Hook}", &ex).unwrap_err();
        assert!(e.contains("header X-Hook"), "{e}");
        let e = evaluate("{$requests.body}", &ex).unwrap_err();
        assert!(e.contains("not a runtime expression"), "{e}");
        let e = evaluate("http://x/{$url", &ex).unwrap_err();
        assert!(e.contains("never closed"), "{e}");
    }
}
