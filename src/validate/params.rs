//! Parameters: path, query, header and cookie values, split by their OpenAPI
//! `style`/`explode` (Swagger 2.0 `collectionFormat` already mapped onto
//! them), coerced from strings by the schema's shape, then validated.

use serde_json::{Map, Value};

use crate::request::Request;
use crate::spec::{Operation, ParamIn, Parameter, Shape, Style};

use super::{Violation, ViolationKind, schema_violations};

pub fn check(
    op: &Operation,
    path_params: &[(std::sync::Arc<str>, String)],
    req: &Request,
    out: &mut Vec<Violation>,
) {
    if op.parameters.is_empty() {
        return;
    }
    let query = req.query_pairs();
    let cookies = if op.parameters.iter().any(|p| p.location == ParamIn::Cookie) {
        req.cookies()
    } else {
        Vec::new()
    };
    for p in &op.parameters {
        // Named only when something is wrong: most requests keep the contract.
        let location = || match p.location {
            ParamIn::Header => format!("header.{}", p.name.to_ascii_lowercase()),
            other => format!("{}.{}", other.as_str(), p.name),
        };
        // A schema every string keeps: present is valid, no value to build.
        let presence_only = p.any_string && p.location != ParamIn::Query;
        let value = match p.location {
            ParamIn::Path if presence_only => {
                if path_params.iter().any(|(n, _)| **n == *p.name) {
                    continue;
                }
                None
            }
            ParamIn::Header if presence_only => {
                let mut values = req.headers.get_all(p.name.as_str()).iter();
                if values.any(|v| v.to_str().is_ok()) {
                    continue;
                }
                None
            }
            ParamIn::Cookie if presence_only => {
                if cookies.iter().any(|(k, _)| *k == p.name) {
                    continue;
                }
                None
            }
            ParamIn::Path => path_params
                .iter()
                .find(|(n, _)| **n == *p.name)
                .map(|(_, v)| simple_like(p, v)),
            ParamIn::Query => query_value(p, &query),
            ParamIn::Header => {
                let values: Vec<&str> = req
                    .headers
                    .get_all(p.name.as_str())
                    .iter()
                    .filter_map(|v| v.to_str().ok())
                    .collect();
                if values.is_empty() {
                    None
                } else {
                    Some(simple_like(p, &values.join(",")))
                }
            }
            ParamIn::Cookie => cookies
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| split_values(p, v, ',')),
        };
        let Some(value) = value else {
            if p.required {
                out.push(Violation::new(
                    ViolationKind::Parameter,
                    location(),
                    format!(
                        "required {} parameter \"{}\" is missing",
                        p.location.as_str(),
                        p.name
                    ),
                ));
            }
            continue;
        };
        if let Some(schema) = &p.schema {
            schema_violations(
                &schema.validator,
                (&value).into(),
                ViolationKind::Parameter,
                &location(),
                out,
            );
        }
    }
}

/// Path and header values: `simple`, `label` and `matrix` styles.
fn simple_like(p: &Parameter, raw: &str) -> Value {
    match p.style {
        Style::Label => {
            let s = raw.strip_prefix('.').unwrap_or(raw);
            if p.explode && (p.shape.is_array() || p.shape.is_object()) {
                split_values(p, s, '.')
            } else {
                split_values(p, s, ',')
            }
        }
        Style::Matrix => {
            // ;id=5  ;id=3,4,5  ;id=3;id=4 (explode)  ;role=admin;name=x (object, explode)
            let s = raw.strip_prefix(';').unwrap_or(raw);
            if p.shape.is_object() && p.explode {
                let mut map = Map::new();
                for pair in s.split(';') {
                    if let Some((k, v)) = pair.split_once('=') {
                        map.insert(k.to_string(), p.shape.property(k).coerce(v));
                    }
                }
                return Value::Object(map);
            }
            let prefix = format!("{}=", p.name);
            if p.shape.is_array() && p.explode {
                let items: Vec<Value> = s
                    .split(';')
                    .map(|part| part.strip_prefix(prefix.as_str()).unwrap_or(part))
                    .map(|v| p.shape.items().coerce(v))
                    .collect();
                return Value::Array(items);
            }
            split_values(p, s.strip_prefix(prefix.as_str()).unwrap_or(s), ',')
        }
        _ => {
            if p.shape.is_object() && p.explode {
                // k=v,k2=v2
                let mut map = Map::new();
                for pair in raw.split(',') {
                    let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
                    map.insert(k.to_string(), p.shape.property(k).coerce(v));
                }
                return Value::Object(map);
            }
            split_values(p, raw, ',')
        }
    }
}

/// Split a serialised array or object by `sep` and coerce; primitives as-is.
fn split_values(p: &Parameter, raw: &str, sep: char) -> Value {
    let sep = if p.tab_separated { '\t' } else { sep };
    split_delimited(&p.shape, raw, sep)
}

/// A value of `shape` serialised as one string: an array's items or an
/// object's `k,v,k2,v2` split by `sep` and coerced; a primitive coerced whole.
pub(super) fn split_delimited(shape: &Shape, raw: &str, sep: char) -> Value {
    // A value that may be an array or a scalar is an array only when it holds a separator.
    let either = matches!(shape, Shape::Either(_));
    if shape.is_array() && (!either || raw.contains(sep)) {
        let items = if raw.is_empty() {
            Vec::new()
        } else {
            raw.split(sep).map(|v| shape.items().coerce(v)).collect()
        };
        return Value::Array(items);
    }
    if shape.is_object() {
        // k,v,k2,v2
        let parts: Vec<&str> = raw.split(sep).collect();
        let mut map = Map::new();
        for pair in parts.chunks(2) {
            let k = pair[0];
            let v = pair.get(1).copied().unwrap_or("");
            map.insert(k.to_string(), shape.property(k).coerce(v));
        }
        return Value::Object(map);
    }
    shape.coerce(raw)
}

/// Query values: `form` (exploded or not), `spaceDelimited`, `pipeDelimited`, `deepObject`.
fn query_value(p: &Parameter, pairs: &[(String, String)]) -> Option<Value> {
    match p.style {
        Style::DeepObject => {
            let prefix = format!("{}[", p.name);
            let mut map = Map::new();
            for (k, v) in pairs {
                if let Some(rest) = k.strip_prefix(prefix.as_str())
                    && let Some(prop) = rest.strip_suffix(']')
                {
                    map.insert(prop.to_string(), p.shape.property(prop).coerce(v));
                }
            }
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Style::Form if p.explode && p.shape.is_object() && !p.shape.is_array() => {
            // Each property is its own query parameter.
            let Shape::Object(props, _) = &*p.shape else {
                return None;
            };
            let mut map = Map::new();
            for (k, v) in pairs {
                if let Some((_, s)) = props.iter().find(|(n, _)| n == k) {
                    map.insert(k.clone(), s.coerce(v));
                }
            }
            (!map.is_empty()).then_some(Value::Object(map))
        }
        Style::Form if p.explode && p.shape.is_array() => {
            let items: Vec<Value> = pairs
                .iter()
                .filter(|(k, _)| *k == p.name)
                .map(|(_, v)| p.shape.items().coerce(v))
                .collect();
            (!items.is_empty()).then_some(Value::Array(items))
        }
        _ => {
            let sep = match p.style {
                Style::SpaceDelimited => ' ',
                Style::PipeDelimited => '|',
                _ => ',',
            };
            let raw = pairs
                .iter()
                .find(|(k, _)| *k == p.name)
                .map(|(_, v)| v.as_str())?;
            Some(split_values(p, raw, sep))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::Loc;
    use serde_json::json;

    fn param(location: ParamIn, style: Style, explode: bool, shape: Shape) -> Parameter {
        Parameter {
            name: "id".into(),
            location,
            required: false,
            style,
            explode,
            tab_separated: false,
            schema: None,
            shape: shape.into(),
            any_string: false,
            secret: false,
            loc: Loc::new("t", ""),
        }
    }

    fn ints() -> Shape {
        Shape::Array(Box::new(Shape::Integer))
    }

    fn obj() -> Shape {
        Shape::Object(
            vec![("role".into(), Shape::String), ("n".into(), Shape::Integer)],
            Box::new(Shape::Any),
        )
    }

    fn pairs(q: &str) -> Vec<(String, String)> {
        form_urlencoded::parse(q.as_bytes()).into_owned().collect()
    }

    #[test]
    fn simple_style() {
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Simple, false, Shape::Integer),
                "5"
            ),
            json!(5)
        );
        assert_eq!(
            simple_like(&param(ParamIn::Path, Style::Simple, false, ints()), "3,4,5"),
            json!([3, 4, 5])
        );
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Simple, false, obj()),
                "role,admin,n,5"
            ),
            json!({"role": "admin", "n": 5})
        );
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Simple, true, obj()),
                "role=admin,n=5"
            ),
            json!({"role": "admin", "n": 5})
        );
    }

    #[test]
    fn label_style() {
        assert_eq!(
            simple_like(&param(ParamIn::Path, Style::Label, false, ints()), ".3,4,5"),
            json!([3, 4, 5])
        );
        assert_eq!(
            simple_like(&param(ParamIn::Path, Style::Label, true, ints()), ".3.4.5"),
            json!([3, 4, 5])
        );
    }

    #[test]
    fn matrix_style() {
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Matrix, false, Shape::Integer),
                ";id=5"
            ),
            json!(5)
        );
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Matrix, false, ints()),
                ";id=3,4,5"
            ),
            json!([3, 4, 5])
        );
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Matrix, true, ints()),
                ";id=3;id=4;id=5"
            ),
            json!([3, 4, 5])
        );
        assert_eq!(
            simple_like(
                &param(ParamIn::Path, Style::Matrix, true, obj()),
                ";role=admin;n=5"
            ),
            json!({"role": "admin", "n": 5})
        );
    }

    #[test]
    fn form_style() {
        let p = param(ParamIn::Query, Style::Form, true, ints());
        assert_eq!(
            query_value(&p, &pairs("id=3&id=4&x=1")),
            Some(json!([3, 4]))
        );
        let p = param(ParamIn::Query, Style::Form, false, ints());
        assert_eq!(query_value(&p, &pairs("id=3,4,5")), Some(json!([3, 4, 5])));
        let p = param(ParamIn::Query, Style::Form, true, obj());
        assert_eq!(
            query_value(&p, &pairs("role=admin&n=5&other=1")),
            Some(json!({"role": "admin", "n": 5}))
        );
        let p = param(ParamIn::Query, Style::Form, false, Shape::Boolean);
        assert_eq!(query_value(&p, &pairs("id=true")), Some(json!(true)));
        assert_eq!(query_value(&p, &pairs("x=true")), None);
    }

    #[test]
    fn delimited_and_deep_object_styles() {
        let p = param(ParamIn::Query, Style::SpaceDelimited, false, ints());
        assert_eq!(
            query_value(&p, &pairs("id=3%204%205")),
            Some(json!([3, 4, 5]))
        );
        let p = param(ParamIn::Query, Style::PipeDelimited, false, ints());
        assert_eq!(query_value(&p, &pairs("id=3|4|5")), Some(json!([3, 4, 5])));
        let p = param(ParamIn::Query, Style::DeepObject, true, obj());
        assert_eq!(
            query_value(&p, &pairs("id%5Brole%5D=admin&id[n]=5")),
            Some(json!({"role": "admin", "n": 5}))
        );
    }

    #[test]
    fn tab_separated_collection_format() {
        let mut p = param(ParamIn::Query, Style::Form, false, ints());
        p.tab_separated = true;
        assert_eq!(query_value(&p, &pairs("id=3%094")), Some(json!([3, 4])));
    }

    #[test]
    fn coercion_keeps_what_does_not_parse() {
        assert_eq!(Shape::Integer.coerce("x"), json!("x"));
        assert_eq!(Shape::Number.coerce("1.5"), json!(1.5));
        assert_eq!(
            Shape::Either(vec![Shape::Integer, Shape::Null]).coerce(""),
            json!(null)
        );
        assert_eq!(
            Shape::Either(vec![Shape::String, Shape::Integer]).coerce("7"),
            json!(7)
        );
    }
}
