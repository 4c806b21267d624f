//! Form bodies (`application/x-www-form-urlencoded`, `multipart/form-data`)
//! read into JSON as their Encoding Objects say, so that the schema checks
//! them like a JSON body; and what only a form can get wrong: an empty value
//! where `allowEmptyValue` is false, a reserved character sent unencoded
//! where `allowReserved` is false, a field that is not the JSON its encoding
//! says, a delimited field sent more than once.
//!
//! Fields without an Encoding Object (or one with only `contentType`) are
//! read by content, as OpenAPI 3.0.4/3.1.1 recommend: primitives as text,
//! objects as JSON (or, as 3.0.3 describes them, exploded into their own
//! keys), arrays as repeated keys or parts. With `style`, `explode` or
//! `allowReserved` written they are read by style, as query parameters are.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::task::{Context, Poll, Waker};

use bytes::Bytes;
use serde_json::{Map, Value};

use crate::spec::{FieldEncoding, MediaType, Shape, Style, escape_token};

use super::params::split_delimited;
use super::{Violation, ViolationKind};

/// The characters RFC 3986 reserves, less `&` (it cannot be in a value as
/// sent) and `+` (the form encoding of a space).
const RESERVED: &str = ":/?#[]@!$'()*,;=";

/// One field as sent.
#[derive(Debug)]
pub(super) struct Field {
    pub name: String,
    /// Percent-decoded (`+` as a space); a multipart part's text.
    pub value: String,
    /// The value before percent-decoding (url-encoded bodies only).
    pub raw: Option<String>,
}

/// A form body read: the value its schema is checked against, and what the
/// form itself got wrong.
#[derive(Debug, Default)]
pub(super) struct Form {
    pub value: Value,
    pub violations: Vec<Violation>,
    /// Locations whose schema violations only repeat a form one (an empty
    /// integer is also "not an integer"): dropped, with what is under them.
    pub superseded: Vec<String>,
}

impl Form {
    fn flag(&mut self, location: &str, message: String, supersedes: bool) {
        self.violations
            .push(Violation::new(ViolationKind::Body, location, message));
        if supersedes {
            self.superseded.push(location.to_string());
        }
    }
}

/// The fields of a url-encoded body, in order, each with its raw value.
pub(super) fn urlencoded_fields(body: &[u8]) -> Vec<Field> {
    body.split(|b| *b == b'&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = form_urlencoded::parse(pair).next().unwrap_or_default();
            let raw = match pair.iter().position(|b| *b == b'=') {
                Some(i) => &pair[i + 1..],
                None => &[][..],
            };
            Field {
                name: name.into_owned(),
                value: value.into_owned(),
                raw: Some(String::from_utf8_lossy(raw).into_owned()),
            }
        })
        .collect()
}

/// The parts of a multipart/form-data body (a binary part as a placeholder).
pub(super) fn multipart_fields(content_type: &str, body: &Bytes) -> Result<Vec<Field>, String> {
    let boundary = multer::parse_boundary(content_type)
        .map_err(|e| format!("multipart body without a usable boundary: {e}"))?;
    let stream = futures_util::stream::iter([Ok::<Bytes, std::io::Error>(body.clone())]);
    let mut mp = multer::Multipart::new(stream, boundary);
    let mut fields = Vec::new();
    // The whole body is already in memory, so every future below is ready at
    // once: poll with a no-op waker instead of needing an executor here.
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        let field = match std::pin::pin!(mp.next_field()).poll(&mut cx) {
            Poll::Ready(Ok(Some(f))) => f,
            Poll::Ready(Ok(None)) => break,
            Poll::Ready(Err(e)) => return Err(format!("malformed multipart body: {e}")),
            Poll::Pending => return Err("malformed multipart body: truncated".into()),
        };
        let name = field.name().unwrap_or("").to_string();
        let bytes = match std::pin::pin!(field.bytes()).poll(&mut cx) {
            Poll::Ready(Ok(b)) => b,
            Poll::Ready(Err(e)) => {
                return Err(format!("malformed multipart field \"{name}\": {e}"));
            }
            Poll::Pending => return Err("malformed multipart body: truncated".into()),
        };
        let value = String::from_utf8(bytes.to_vec()).unwrap_or_else(|_| "<binary>".to_string());
        fields.push(Field {
            name,
            value,
            raw: None,
        });
    }
    Ok(fields)
}

/// Where a field goes in the body's object.
#[derive(Debug, PartialEq)]
enum Part {
    /// Under its own name: `tags=a`.
    Own,
    /// A key of an object property: `filter[size]=2` (deepObject), or `size=2`
    /// for `filter` exploded into its own keys.
    Key(String),
}

/// A property and the fields that carry it, in the order they came.
struct Claim<'f> {
    prop: String,
    parts: Vec<(Part, &'f Field)>,
}

/// Read fields into the body's value by the media type's schema shape and
/// encodings; `multipart` when they are parts (nothing is percent-encoded).
pub(super) fn read(media: &MediaType, fields: &[Field], multipart: bool) -> Form {
    let declared = declared(&media.shape);
    // Indexed: a body may hold many thousands of fields.
    let sent: HashSet<&str> = fields.iter().map(|f| f.name.as_str()).collect();
    let mut claims: Vec<Claim> = Vec::new();
    let mut index: HashMap<String, usize> = HashMap::new();
    for f in fields {
        let (prop, part) = claim(media, declared, &sent, &f.name);
        match index.get(&prop) {
            Some(&i) => claims[i].parts.push((part, f)),
            None => {
                index.insert(prop.clone(), claims.len());
                claims.push(Claim {
                    prop,
                    parts: vec![(part, f)],
                });
            }
        }
    }
    let mut form = Form::default();
    let mut map = Map::new();
    for c in &claims {
        let value = property(media, c, multipart, &mut form);
        map.insert(c.prop.clone(), value);
    }
    form.value = Value::Object(map);
    form
}

/// The declared properties of an object shape.
fn declared(shape: &Shape) -> &[(String, Shape)] {
    match shape {
        Shape::Object(props, _) => props,
        Shape::Either(options) => options
            .iter()
            .find_map(|o| match o {
                Shape::Object(props, _) => Some(props.as_slice()),
                _ => None,
            })
            .unwrap_or(&[]),
        _ => &[],
    }
}

/// Which property a field named `name` belongs to.
fn claim(
    media: &MediaType,
    declared: &[(String, Shape)],
    sent: &HashSet<&str>,
    name: &str,
) -> (String, Part) {
    if declared.iter().any(|(n, _)| n == name) {
        return (name.to_string(), Part::Own);
    }
    // filter[size]: one level, as OpenAPI defines deepObject.
    if let Some((base, rest)) = name.split_once('[')
        && let Some(key) = rest.strip_suffix(']')
        && !key.contains(['[', ']'])
    {
        let enc = media.field_encoding(base);
        if enc.styled && enc.style == Style::DeepObject {
            return (base.to_string(), Part::Key(key.to_string()));
        }
    }
    // An object property exploded into its own keys, when it was not sent
    // under its own name.
    for (prop, shape) in declared {
        let enc = media.field_encoding(prop);
        if object_like(shape)
            && !enc.json
            && enc.style == Style::Form
            && enc.explode
            && declared_key(shape, name)
            && !sent.contains(prop.as_str())
        {
            return (prop.clone(), Part::Key(name.to_string()));
        }
    }
    (name.to_string(), Part::Own)
}

fn declared_key(shape: &Shape, name: &str) -> bool {
    declared(shape).iter().any(|(n, _)| n == name)
}

/// One property's value, with the form's own checks on its fields.
fn property(media: &MediaType, c: &Claim, multipart: bool, form: &mut Form) -> Value {
    let enc = media.field_encoding(&c.prop);
    let shape = media.shape.property(&c.prop);
    let at = format!("body/{}", escape_token(&c.prop));
    let exploded_array = shape.is_array() && exploded(enc);
    let mut own = 0;
    for (part, f) in &c.parts {
        let location = match part {
            Part::Key(k) => format!("{at}/{}", escape_token(k)),
            Part::Own if exploded_array => {
                own += 1;
                format!("{at}/{}", own - 1)
            }
            Part::Own => at.clone(),
        };
        if !enc.allow_empty && f.value.is_empty() {
            form.flag(
                &location,
                format!(
                    "\"{}\" is sent with an empty value, which this field does not allow (allowEmptyValue is false): send a value or leave the field out",
                    f.name
                ),
                true,
            );
        }
        if !multipart
            && enc.styled
            && !enc.allow_reserved
            && let Some(raw) = &f.raw
        {
            reserved(&f.name, raw, shape, enc, &location, form);
        }
    }
    let keys: Vec<(&str, &Field)> = c
        .parts
        .iter()
        .filter_map(|(p, f)| match p {
            Part::Key(k) => Some((k.as_str(), *f)),
            Part::Own => None,
        })
        .collect();
    let owns: Vec<&Field> = c
        .parts
        .iter()
        .filter(|(p, _)| *p == Part::Own)
        .map(|(_, f)| *f)
        .collect();
    if !keys.is_empty() {
        let mut map = Map::new();
        for (k, f) in keys {
            push(&mut map, k, shape.property(k).coerce(&f.value));
        }
        return Value::Object(map);
    }
    if enc.styled && enc.style == Style::DeepObject && shape.is_object() {
        form.flag(
            &at,
            format!(
                "\"{}\" is sent as one value, but its encoding is style deepObject: send each property as {}[name]=value",
                c.prop, c.prop
            ),
            true,
        );
    }
    let json_items = enc.json || (!enc.styled && object_like(item_shape(shape)));
    if json_items {
        return json_value(&c.prop, shape, &owns, enc, &at, form);
    }
    if (shape.is_array() || shape.is_object()) && !exploded(enc) {
        let sep = delimiter(enc);
        if owns.len() > 1 {
            form.flag(
                &at,
                format!(
                    "\"{}\" is sent {} times, but it is one delimited value (style {}, explode false; Swagger 2.0's collectionFormat {}): send it once, its values separated by {} ({}=a{}b)",
                    c.prop,
                    owns.len(),
                    style_name(enc.style),
                    collection_format(enc),
                    separator_name(sep),
                    c.prop,
                    separator_sent(sep)
                ),
                true,
            );
        }
        return split_delimited(shape, &owns[0].value, sep);
    }
    if shape.is_array() {
        return Value::Array(
            owns.iter()
                .map(|f| shape.items().coerce(&f.value))
                .collect(),
        );
    }
    match owns.as_slice() {
        [one] => shape.coerce(&one.value),
        // Sent more than once: an array, which the schema then refuses.
        many => Value::Array(many.iter().map(|f| shape.coerce(&f.value)).collect()),
    }
}

/// Insert, a repeated key becoming an array.
fn push(map: &mut Map<String, Value>, key: &str, value: Value) {
    match map.get_mut(key) {
        Some(Value::Array(items)) => items.push(value),
        Some(existing) => *existing = Value::Array(vec![existing.take(), value]),
        None => {
            map.insert(key.to_string(), value);
        }
    }
}

/// Each value of an array is its own field (`a=1&a=2`, repeated parts).
fn exploded(enc: &FieldEncoding) -> bool {
    !enc.styled || enc.explode || enc.style == Style::DeepObject
}

fn delimiter(enc: &FieldEncoding) -> char {
    if enc.tab_separated {
        return '\t';
    }
    match enc.style {
        Style::SpaceDelimited => ' ',
        Style::PipeDelimited => '|',
        _ => ',',
    }
}

fn style_name(style: Style) -> &'static str {
    match style {
        Style::SpaceDelimited => "spaceDelimited",
        Style::PipeDelimited => "pipeDelimited",
        Style::DeepObject => "deepObject",
        _ => "form",
    }
}

fn separator_name(sep: char) -> &'static str {
    match sep {
        ' ' => "spaces",
        '|' => "pipes",
        '\t' => "tabs",
        _ => "commas",
    }
}

/// The separator as it is sent in a url-encoded body.
fn separator_sent(sep: char) -> &'static str {
    match sep {
        ' ' => "%20",
        '|' => "|",
        '\t' => "%09",
        _ => ",",
    }
}

/// The Swagger 2.0 name of a non-exploded style.
fn collection_format(enc: &FieldEncoding) -> &'static str {
    if enc.tab_separated {
        return "tsv";
    }
    match enc.style {
        Style::SpaceDelimited => "ssv",
        Style::PipeDelimited => "pipes",
        _ => "csv",
    }
}

/// The shape each field holds: an array's items, else the property's own.
fn item_shape(shape: &Shape) -> &Shape {
    if shape.is_array() {
        shape.items()
    } else {
        shape
    }
}

/// An object, or a nullable one (`type: [object, "null"]`).
fn object_like(shape: &Shape) -> bool {
    match shape {
        Shape::Object(..) => true,
        Shape::Either(options) => {
            options.iter().any(|o| matches!(o, Shape::Object(..)))
                && options
                    .iter()
                    .all(|o| matches!(o, Shape::Object(..) | Shape::Null))
        }
        _ => false,
    }
}

/// A property whose fields are JSON text: its encoding's `contentType` says
/// so, or it is an object (or array of objects) with no style written,
/// whose default content type is application/json.
fn json_value(
    prop: &str,
    shape: &Shape,
    owns: &[&Field],
    enc: &FieldEncoding,
    at: &str,
    form: &mut Form,
) -> Value {
    let why = if enc.json {
        "its encoding's contentType is JSON"
    } else {
        "it is declared an object, and objects are sent as JSON"
    };
    let array = shape.is_array();
    let mut items = Vec::new();
    for (i, f) in owns.iter().enumerate() {
        match serde_json::from_str::<Value>(&f.value) {
            Ok(v) => items.push(v),
            Err(e) => {
                let location = if array && owns.len() > 1 {
                    format!("{at}/{i}")
                } else {
                    at.to_string()
                };
                form.flag(
                    &location,
                    format!("\"{prop}\" is not valid JSON ({e}), but {why}: send it as JSON text"),
                    true,
                );
                items.push(Value::String(f.value.clone()));
            }
        }
    }
    match items.len() {
        // One field holding the whole array as JSON, or one item.
        1 if array => match items.pop().unwrap_or_default() {
            Value::Array(all) => Value::Array(all),
            one => Value::Array(vec![one]),
        },
        1 => items.pop().unwrap_or_default(),
        _ if array => Value::Array(items),
        // Sent more than once: an array, which the schema then refuses.
        _ => Value::Array(items),
    }
}

/// Flag reserved characters sent unencoded in a raw value; the delimiters of
/// a non-exploded array or object are not values and may be sent as they are.
fn reserved(
    name: &str,
    raw: &str,
    shape: &Shape,
    enc: &FieldEncoding,
    location: &str,
    form: &mut Form,
) {
    let delimited = (shape.is_array() || shape.is_object()) && !exploded(enc);
    let sep = delimiter(enc);
    let mut found: Vec<char> = Vec::new();
    for c in raw.chars() {
        if RESERVED.contains(c) && !(delimited && c == sep) && !found.contains(&c) {
            found.push(c);
        }
    }
    if found.is_empty() {
        return;
    }
    let chars: Vec<String> = found.iter().map(|c| format!("\"{c}\"")).collect();
    let encoded: Vec<String> = found
        .iter()
        .map(|c| format!("%{:02X}", *c as u32))
        .collect();
    form.flag(
        location,
        format!(
            "\"{name}\" has reserved characters sent unencoded ({}), which its encoding does not allow (allowReserved is false): percent-encode them ({})",
            chars.join(", "),
            encoded.join(", ")
        ),
        false,
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn media(shape: Shape, encoding: Vec<(&str, FieldEncoding)>) -> MediaType {
        MediaType {
            media_type: "application/x-www-form-urlencoded".into(),
            schema: None,
            shape: shape.into(),
            content_type: None,
            plain_text: false,
            examples: vec![],
            encoding: encoding
                .into_iter()
                .map(|(n, e)| (n.to_string(), e))
                .collect(),
        }
    }

    fn styled(style: Style, explode: bool) -> FieldEncoding {
        FieldEncoding {
            styled: true,
            style,
            explode,
            ..FieldEncoding::DEFAULT
        }
    }

    fn obj(props: Vec<(&str, Shape)>) -> Shape {
        Shape::Object(
            props.into_iter().map(|(n, s)| (n.to_string(), s)).collect(),
            Box::new(Shape::Any),
        )
    }

    fn ints() -> Shape {
        Shape::Array(Box::new(Shape::Integer))
    }

    fn read_body(m: &MediaType, body: &str) -> Form {
        read(m, &urlencoded_fields(body.as_bytes()), false)
    }

    #[test]
    fn defaults_coerce_and_repeat() {
        let m = media(obj(vec![("n", Shape::Integer), ("tags", ints())]), vec![]);
        let f = read_body(&m, "n=5&tags=1&tags=2&x=y");
        assert_eq!(f.value, json!({"n": 5, "tags": [1, 2], "x": "y"}));
        assert!(f.violations.is_empty());
    }

    #[test]
    fn styles_split_as_declared() {
        let pt = obj(vec![("x", Shape::Integer), ("y", Shape::Integer)]);
        let m = media(
            obj(vec![
                ("csv", ints()),
                ("ssv", ints()),
                ("pipes", ints()),
                ("o", pt.clone()),
                ("deep", pt.clone()),
            ]),
            vec![
                ("csv", styled(Style::Form, false)),
                ("ssv", styled(Style::SpaceDelimited, false)),
                ("pipes", styled(Style::PipeDelimited, false)),
                ("o", styled(Style::Form, false)),
                ("deep", styled(Style::DeepObject, false)),
            ],
        );
        let f = read_body(
            &m,
            "csv=1,2&ssv=3%204&pipes=5|6&o=x,1,y,2&deep%5Bx%5D=7&deep[y]=8",
        );
        assert_eq!(
            f.value,
            json!({"csv": [1, 2], "ssv": [3, 4], "pipes": [5, 6], "o": {"x": 1, "y": 2}, "deep": {"x": 7, "y": 8}})
        );
        assert!(f.violations.is_empty(), "{:?}", f.violations);
        let f = read_body(&m, "csv=1&csv=2");
        assert_eq!(f.superseded, ["body/csv"]);
    }

    #[test]
    fn objects_are_json_or_exploded_keys() {
        let pt = obj(vec![("x", Shape::Integer), ("y", Shape::Integer)]);
        let m = media(obj(vec![("p", pt), ("n", Shape::Integer)]), vec![]);
        assert_eq!(
            read_body(&m, "p=%7B%22x%22%3A1%7D&n=2").value,
            json!({"p": {"x": 1}, "n": 2})
        );
        assert_eq!(
            read_body(&m, "x=1&y=2&n=3").value,
            json!({"p": {"x": 1, "y": 2}, "n": 3})
        );
        let f = read_body(&m, "p=x");
        assert_eq!(f.superseded, ["body/p"]);
        assert!(f.violations[0].message.contains("not valid JSON"));
    }

    #[test]
    fn reserved_characters_only_where_the_style_is_written() {
        let mut strict = styled(Style::Form, true);
        strict.allow_reserved = false;
        let m = media(
            obj(vec![
                ("a", Shape::String),
                ("b", Shape::String),
                ("c", ints()),
            ]),
            vec![("a", strict), ("c", styled(Style::Form, false))],
        );
        let f = read_body(&m, "a=x:y/z&b=x:y&c=1,2");
        assert_eq!(f.violations.len(), 1, "{:?}", f.violations);
        assert_eq!(f.violations[0].location, "body/a");
        assert!(f.violations[0].message.contains("%3A, %2F"));
        assert!(read_body(&m, "a=x%3Ay+z").violations.is_empty());
    }

    #[test]
    fn empty_values_where_not_allowed() {
        let mut no_empty = FieldEncoding::DEFAULT;
        no_empty.allow_empty = false;
        let m = media(
            obj(vec![("a", Shape::String), ("b", Shape::String)]),
            vec![("a", no_empty)],
        );
        let f = read_body(&m, "a&b=");
        assert_eq!(f.superseded, ["body/a"]);
        assert_eq!(f.value, json!({"a": "", "b": ""}));
    }

    #[test]
    fn multipart_parts() {
        let body = Bytes::from_static(
            b"--XyZ\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nabc\r\n--XyZ--\r\n",
        );
        let fields = multipart_fields("multipart/form-data; boundary=XyZ", &body).unwrap();
        assert_eq!(fields[0].name, "token");
        assert_eq!(fields[0].value, "abc");
        assert!(multipart_fields("multipart/form-data", &body).is_err());
    }
}
