//! Request bodies (`raw` with its language, `urlencoded`, `formdata`,
//! `file`, `graphql`) and saved responses, read into media types with
//! example values; the schemas are inferred once every request merged
//! into an operation has been read (see `convert`).

use serde_json::{Map, Value, json};

use super::url::{Pair, description, pairs};
use super::variables::{Variables, scalar_text};

/// One request's body.
#[derive(Debug, Clone)]
pub(super) enum Body {
    /// A JSON body, parsed (variables substituted first).
    Json { media: String, value: Value },
    /// A JSON media type whose text does not parse: declared without a schema.
    BrokenJson { media: String, error: String },
    /// Any other raw text.
    Text { media: String, text: String },
    /// `urlencoded` or `formdata` fields.
    Form { media: String, fields: Vec<Pair> },
    /// `file`: bytes of any kind.
    File,
}

impl Body {
    /// The media type it is sent as.
    pub(super) fn media(&self) -> &str {
        match self {
            Body::Json { media, .. }
            | Body::BrokenJson { media, .. }
            | Body::Text { media, .. }
            | Body::Form { media, .. } => media,
            Body::File => "application/octet-stream",
        }
    }
}

/// A media type that carries JSON.
pub(super) fn is_json(media: &str) -> bool {
    media == "application/json" || media.ends_with("+json")
}

/// Postman's `raw` languages and `_postman_previewlanguage` values.
fn language_media(language: &str) -> Option<&'static str> {
    Some(match language {
        "json" => "application/json",
        "xml" => "application/xml",
        "html" => "text/html",
        "javascript" => "application/javascript",
        "text" => "text/plain",
        "graphql" => "application/graphql",
        _ => return None,
    })
}

/// Read a request's `body`; `content_type` is its `Content-Type` header, if declared.
pub(super) fn request_body(
    body: Option<&Value>,
    content_type: Option<&str>,
    vars: &Variables,
) -> Option<Body> {
    let body = body.filter(|b| b.is_object())?;
    if body.get("disabled").and_then(Value::as_bool) == Some(true) {
        return None;
    }
    let declared = content_type
        .map(|c| crate::media::essence(c).into_owned())
        .filter(|m| !m.is_empty());
    match body.get("mode").and_then(Value::as_str)? {
        "raw" => {
            let raw = vars.resolve(body.get("raw").and_then(Value::as_str).unwrap_or(""));
            if raw.trim().is_empty() {
                return None;
            }
            let language = body
                .pointer("/options/raw/language")
                .and_then(Value::as_str)
                .and_then(language_media);
            let parsed = serde_json::from_str::<Value>(&raw);
            let media =
                declared
                    .or(language.map(str::to_string))
                    .unwrap_or_else(|| match &parsed {
                        Ok(v) if v.is_object() || v.is_array() => "application/json".into(),
                        _ => "text/plain".into(),
                    });
            Some(if is_json(&media) {
                match parsed {
                    Ok(value) => Body::Json { media, value },
                    Err(e) => Body::BrokenJson {
                        media,
                        error: e.to_string(),
                    },
                }
            } else {
                Body::Text { media, text: raw }
            })
        }
        mode @ ("urlencoded" | "formdata") => {
            let list = body.get(mode).and_then(Value::as_array)?;
            let media = if mode == "urlencoded" {
                "application/x-www-form-urlencoded"
            } else {
                "multipart/form-data"
            };
            Some(Body::Form {
                media: media.into(),
                fields: pairs(list, vars),
            })
        }
        "file" => Some(Body::File),
        "graphql" => {
            let g = body.get("graphql")?;
            let query = g.get("query").and_then(Value::as_str).unwrap_or("");
            let variables = match g.get("variables") {
                Some(Value::String(s)) if !s.trim().is_empty() => {
                    serde_json::from_str(&vars.resolve(s)).unwrap_or(Value::Null)
                }
                Some(v @ Value::Object(_)) => v.clone(),
                _ => Value::Null,
            };
            let mut value = json!({ "query": vars.resolve(query) });
            if !variables.is_null() {
                value["variables"] = variables;
            }
            Some(Body::Json {
                media: "application/json".into(),
                value,
            })
        }
        _ => None,
    }
}

/// A saved response.
#[derive(Debug, Clone)]
pub(super) struct Saved {
    /// Its name in the collection: the example's name.
    pub name: String,
    /// The status code.
    pub code: u16,
    /// The status line's text (`Not Found`), for the description.
    pub status: Option<String>,
    /// Its headers (not the ones that describe the transfer).
    pub headers: Vec<Pair>,
    /// The body, by media type: parsed JSON, or text.
    pub body: Option<(String, Value)>,
    /// A JSON media type whose body did not parse: why.
    pub broken: Option<String>,
}

/// Headers that describe one transfer rather than the API: never declared.
const TRANSFER_HEADERS: &[&str] = &[
    "content-type",
    "content-length",
    "transfer-encoding",
    "connection",
    "keep-alive",
    "date",
    "content-encoding",
];

/// Header lists: `[{key, value}]`, or the string form `Name: value\n...`.
pub(super) fn headers(h: Option<&Value>, vars: &Variables) -> Vec<Pair> {
    match h {
        Some(Value::Array(list)) => {
            let objects: Vec<Value> = list.iter().filter(|v| v.is_object()).cloned().collect();
            let mut out = pairs(&objects, vars);
            out.extend(
                list.iter()
                    .filter_map(Value::as_str)
                    .filter_map(|l| line(l, vars)),
            );
            out
        }
        Some(Value::String(s)) => s.lines().filter_map(|l| line(l, vars)).collect(),
        _ => Vec::new(),
    }
}

fn line(l: &str, vars: &Variables) -> Option<Pair> {
    let (k, v) = l.split_once(':')?;
    Some(Pair {
        key: k.trim().to_string(),
        value: Some(vars.resolve(v.trim())),
        description: None,
        disabled: false,
        file: false,
    })
}

/// Read one entry of an item's `response[]`.
pub(super) fn saved(r: &Value, index: usize, vars: &Variables) -> Option<Saved> {
    let code = r.get("code").and_then(Value::as_u64).unwrap_or(200);
    let code = u16::try_from(code)
        .ok()
        .filter(|c| (100..600).contains(c))?;
    let all = headers(r.get("header"), vars);
    let content_type = all
        .iter()
        .find(|h| h.key.eq_ignore_ascii_case("content-type"))
        .and_then(|h| h.value.as_deref())
        .map(|c| crate::media::essence(c).into_owned());
    let text = r.get("body").and_then(Value::as_str).unwrap_or("");
    let parsed = serde_json::from_str::<Value>(text);
    let media = content_type
        .or_else(|| {
            r.get("_postman_previewlanguage")
                .and_then(Value::as_str)
                .and_then(language_media)
                .map(str::to_string)
        })
        .unwrap_or_else(|| match &parsed {
            Ok(v) if v.is_object() || v.is_array() => "application/json".into(),
            _ => "text/plain".into(),
        });
    let (mut body, mut broken) = (None, None);
    if !text.trim().is_empty() {
        if is_json(&media) {
            match parsed {
                Ok(v) => body = Some((media, v)),
                Err(e) => {
                    broken = Some(e.to_string());
                    body = Some(("text/plain".into(), Value::String(text.into())));
                }
            }
        } else {
            body = Some((media, Value::String(text.into())));
        }
    }
    let name = r
        .get("name")
        .and_then(Value::as_str)
        .filter(|n| !n.trim().is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("response {}", index + 1));
    Some(Saved {
        name,
        code,
        status: r.get("status").and_then(scalar_text),
        headers: all
            .into_iter()
            .filter(|h| !TRANSFER_HEADERS.contains(&h.key.to_ascii_lowercase().as_str()))
            .collect(),
        body,
        broken,
    })
}

/// A form's schema: every field a string (a file part binary), `required`
/// the enabled fields every body sent.
pub(super) fn form_schema(bodies: &[&[Pair]]) -> Value {
    let mut properties = Map::new();
    for f in bodies.iter().copied().flatten() {
        properties.entry(f.key.clone()).or_insert_with(|| {
            let mut s = if f.file {
                json!({"type": "string", "format": "binary"})
            } else {
                json!({"type": "string"})
            };
            if let Some(d) = &f.description {
                s["description"] = Value::String(d.clone());
            }
            s
        });
    }
    let required: Vec<Value> = properties
        .keys()
        .filter(|k| {
            bodies
                .iter()
                .all(|b| b.iter().any(|f| &f.key == *k && !f.disabled))
        })
        .map(|k| Value::String(k.clone()))
        .collect();
    let mut schema = json!({"type": "object", "properties": properties});
    if !required.is_empty() {
        schema["required"] = Value::Array(required);
    }
    schema
}

/// A form's example: its enabled fields (a file part as its file's name).
pub(super) fn form_example(fields: &[Pair]) -> Value {
    Value::Object(
        fields
            .iter()
            .filter(|f| !f.disabled)
            .filter_map(|f| Some((f.key.clone(), Value::String(f.value.clone()?))))
            .collect(),
    )
}

/// An item's `description`, if any.
pub(super) fn item_description(v: Option<&Value>) -> Option<String> {
    v.and_then(description)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn raw_bodies_take_the_header_then_the_language_then_a_look() {
        let v = Variables::default();
        let b =
            json!({"mode": "raw", "raw": "{\"a\": 1}", "options": {"raw": {"language": "json"}}});
        assert!(matches!(
            request_body(Some(&b), None, &v),
            Some(Body::Json { .. })
        ));
        let b = json!({"mode": "raw", "raw": "<a/>"});
        let got = request_body(Some(&b), Some("application/xml; charset=utf-8"), &v).unwrap();
        assert_eq!(got.media(), "application/xml");
        let b = json!({"mode": "raw", "raw": "[1]"});
        assert_eq!(
            request_body(Some(&b), None, &v).unwrap().media(),
            "application/json"
        );
        let b = json!({"mode": "raw", "raw": "{\"n\": {{n}}}", "options": {"raw": {"language": "json"}}});
        assert!(matches!(
            request_body(Some(&b), None, &v),
            Some(Body::BrokenJson { .. })
        ));
    }

    #[test]
    fn forms_require_what_every_body_sent() {
        let v = Variables::default();
        let a = pairs(
            &[
                json!({"key": "name", "value": "x"}),
                json!({"key": "note", "value": "y"}),
            ],
            &v,
        );
        let b = pairs(
            &[
                json!({"key": "name", "value": "z"}),
                json!({"key": "note", "disabled": true}),
            ],
            &v,
        );
        let s = form_schema(&[&a, &b]);
        assert_eq!(s["required"], json!(["name"]));
        assert_eq!(form_example(&b), json!({"name": "z"}));
    }

    #[test]
    fn saved_responses_keep_status_media_and_api_headers() {
        let r = json!({"name": "Not found", "code": 404, "status": "Not Found",
            "header": [{"key": "Content-Type", "value": "application/json"}, {"key": "X-Request-Id", "value": "r1"}],
            "body": "{\"error\": \"no such user\"}"});
        let s = saved(&r, 0, &Variables::default()).unwrap();
        assert_eq!(s.code, 404);
        assert_eq!(s.headers.len(), 1);
        assert_eq!(s.body.unwrap().1["error"], "no such user");
    }
}
