//! The JSON a schema validator reads: a request body parsed into a
//! [`Tape`] (no tree of allocations to build and free per request), or a
//! `serde_json::Value` (examples, fixtures, parameters, responses). Every
//! schema is compiled once for [`Instance`], so both kinds of value share
//! one set of validators.
//!
//! [`Node`] is also what the field-usage walk reads, so a body is parsed
//! once per request and turned into a `Value` only when a stage asks
//! (the validate stage's `RequestBody::value`).

mod scan;
mod tape;

use std::borrow::Cow;

use jsonschema::JsonType;
use jsonschema::json::{self, NodeIdentity};
use serde_json::{Map, Number, Value};

pub use tape::Tape;
use tape::Tok;

/// The representation every compiled schema validates.
pub struct Instance;

/// One value: in a tape, in a `serde_json::Value`, or a bare string (a
/// property name under `propertyNames`).
#[derive(Debug, Clone, Copy)]
pub enum Node<'a> {
    /// A `serde_json::Value`.
    Value(&'a Value),
    /// The token at an index of a tape.
    Tape(&'a Tape, u32),
    /// A string that is not in either (a property name).
    Name(&'a str),
}

impl<'a> From<&'a Value> for Node<'a> {
    fn from(v: &'a Value) -> Self {
        Node::Value(v)
    }
}

impl<'a> From<&'a Tape> for Node<'a> {
    fn from(t: &'a Tape) -> Self {
        Node::Tape(t, 0)
    }
}

/// An object, read in place.
#[derive(Debug, Clone, Copy)]
pub enum Members<'a> {
    /// A `serde_json` map.
    Value(&'a Map<String, Value>),
    /// The object token at an index of a tape.
    Tape(&'a Tape, u32),
}

/// An array, read in place.
#[derive(Debug, Clone, Copy)]
pub enum Elements<'a> {
    /// A `serde_json` array.
    Value(&'a [Value]),
    /// The array token at an index of a tape.
    Tape(&'a Tape, u32),
}

impl<'a> Node<'a> {
    /// The members, when it is an object.
    pub fn object(self) -> Option<Members<'a>> {
        match self {
            Node::Value(Value::Object(m)) => Some(Members::Value(m)),
            Node::Tape(t, i) if matches!(t.tok(i), Tok::Obj { .. }) => Some(Members::Tape(t, i)),
            _ => None,
        }
    }

    /// The elements, when it is an array.
    pub fn array(self) -> Option<Elements<'a>> {
        match self {
            Node::Value(Value::Array(a)) => Some(Elements::Value(a)),
            Node::Tape(t, i) if matches!(t.tok(i), Tok::Arr { .. }) => Some(Elements::Tape(t, i)),
            _ => None,
        }
    }

    /// The text, when it is a string.
    pub fn str(self) -> Option<&'a str> {
        match self {
            Node::Value(Value::String(s)) => Some(s),
            Node::Tape(t, i) if matches!(t.tok(i), Tok::Str { .. }) => Some(t.str_at(i)),
            Node::Name(s) => Some(s),
            _ => None,
        }
    }

    /// The number, when it is one.
    pub fn number(self) -> Option<&'a Number> {
        match self {
            Node::Value(Value::Number(n)) => Some(n),
            Node::Tape(t, i) => match t.tok(i) {
                Tok::Num(k) => Some(t.number(k)),
                _ => None,
            },
            _ => None,
        }
    }

    /// Its JSON type (numbers are `Number`, integers included).
    pub fn kind(self) -> JsonType {
        match self {
            Node::Value(v) => match v {
                Value::Null => JsonType::Null,
                Value::Bool(_) => JsonType::Boolean,
                Value::Number(_) => JsonType::Number,
                Value::String(_) => JsonType::String,
                Value::Array(_) => JsonType::Array,
                Value::Object(_) => JsonType::Object,
            },
            Node::Tape(t, i) => match t.tok(i) {
                Tok::Null => JsonType::Null,
                Tok::Bool(_) => JsonType::Boolean,
                Tok::Num(_) => JsonType::Number,
                Tok::Str { .. } | Tok::Key { .. } => JsonType::String,
                Tok::Arr { .. } => JsonType::Array,
                Tok::Obj { .. } => JsonType::Object,
            },
            Node::Name(_) => JsonType::String,
        }
    }

    /// Equal to `v` as `serde_json::Value`'s `==` says (numbers by
    /// representation, objects whatever their order).
    pub fn same_as(self, v: &Value) -> bool {
        match (self, v) {
            (Node::Value(a), b) => a == b,
            (_, Value::String(b)) => self.str() == Some(b.as_str()),
            (_, Value::Number(b)) => self.number() == Some(b),
            (Node::Tape(..), Value::Array(_) | Value::Object(_)) => self.to_owned_value() == *v,
            (Node::Tape(t, i), Value::Bool(b)) => matches!(t.tok(i), Tok::Bool(x) if x == *b),
            (Node::Tape(t, i), Value::Null) => matches!(t.tok(i), Tok::Null),
            _ => false,
        }
    }

    /// True when some object in it (itself included, at any depth) has a
    /// member whose name `hit` says yes to: on a tape, one pass over its
    /// tokens.
    pub fn any_member_name(self, mut hit: impl FnMut(&str) -> bool) -> bool {
        fn in_value(v: &Value, hit: &mut impl FnMut(&str) -> bool) -> bool {
            match v {
                Value::Object(m) => m.iter().any(|(k, v)| hit(k) || in_value(v, hit)),
                Value::Array(items) => items.iter().any(|v| in_value(v, hit)),
                _ => false,
            }
        }
        match self {
            Node::Value(v) => in_value(v, &mut hit),
            Node::Tape(t, i) => t.any_name_within(i, hit),
            Node::Name(_) => false,
        }
    }

    /// A `serde_json::Value` of it.
    pub fn to_owned_value(self) -> Value {
        match self {
            Node::Value(v) => v.clone(),
            Node::Tape(t, i) => t.value_at(i),
            Node::Name(s) => Value::String(s.to_owned()),
        }
    }
}

impl<'a> Members<'a> {
    /// How many members.
    pub fn len(self) -> usize {
        match self {
            Members::Value(m) => m.len(),
            Members::Tape(t, i) => match t.tok(i) {
                Tok::Obj { len, .. } => len as usize,
                _ => 0,
            },
        }
    }

    /// True when it has none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Each member, in the order written.
    pub fn iter(self) -> MembersIter<'a> {
        match self {
            Members::Value(m) => MembersIter(MembersOf::Value(m.iter())),
            Members::Tape(t, i) => MembersIter(MembersOf::Tape {
                tape: t,
                at: i + 1,
                left: self.len(),
            }),
        }
    }

    /// The member named `name`.
    pub fn get(self, name: &str) -> Option<Node<'a>> {
        match self {
            // A scan beats hashing for the small objects bodies hold.
            Members::Value(m) if m.len() <= 16 => m
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| Node::Value(v)),
            Members::Value(m) => m.get(name).map(Node::Value),
            Members::Tape(..) => self.iter().find(|(k, _)| *k == name).map(|(_, v)| v),
        }
    }
}

/// The members of an object.
pub struct MembersIter<'a>(MembersOf<'a>);

enum MembersOf<'a> {
    Value(serde_json::map::Iter<'a>),
    Tape {
        tape: &'a Tape,
        at: u32,
        left: usize,
    },
}

impl<'a> Iterator for MembersIter<'a> {
    type Item = (&'a str, Node<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            MembersOf::Value(it) => it.next().map(|(k, v)| (k.as_str(), Node::Value(v))),
            MembersOf::Tape { tape, at, left } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let key = *at;
                *at = tape.skip(key + 1);
                Some((tape.str_at(key), Node::Tape(tape, key + 1)))
            }
        }
    }
}

impl<'a> Elements<'a> {
    /// How many elements.
    pub fn len(self) -> usize {
        match self {
            Elements::Value(a) => a.len(),
            Elements::Tape(t, i) => match t.tok(i) {
                Tok::Arr { len, .. } => len as usize,
                _ => 0,
            },
        }
    }

    /// True when it has none.
    pub fn is_empty(self) -> bool {
        self.len() == 0
    }

    /// Each element, in order.
    pub fn iter(self) -> ElementsIter<'a> {
        match self {
            Elements::Value(a) => ElementsIter(ElementsOf::Value(a.iter())),
            Elements::Tape(t, i) => ElementsIter(ElementsOf::Tape {
                tape: t,
                at: i + 1,
                left: self.len(),
            }),
        }
    }
}

/// The elements of an array.
pub struct ElementsIter<'a>(ElementsOf<'a>);

enum ElementsOf<'a> {
    Value(std::slice::Iter<'a, Value>),
    Tape {
        tape: &'a Tape,
        at: u32,
        left: usize,
    },
}

impl<'a> Iterator for ElementsIter<'a> {
    type Item = Node<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        match &mut self.0 {
            ElementsOf::Value(it) => it.next().map(Node::Value),
            ElementsOf::Tape { tape, at, left } => {
                if *left == 0 {
                    return None;
                }
                *left -= 1;
                let item = *at;
                *at = tape.skip(item);
                Some(Node::Tape(tape, item))
            }
        }
    }
}

impl json::Json for Instance {
    type Node<'a> = Node<'a>;
    type PreparedKey = Box<str>;
    type StringBuffer = ();
    // A lookup is a scan of the members: one pass over them is never worse.
    const KEYS_PER_LOOKUP: usize = 8;
    // Neither a tape nor a `Value` holds itself.
    const ACYCLIC: bool = true;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>((): &mut (), string: &str, f: impl FnOnce(Node<'_>) -> T) -> T {
        f(Node::Name(string))
    }
}

impl<'a> json::Node<'a, Instance> for Node<'a> {
    type Object = Members<'a>;
    type Array = Elements<'a>;
    type Number = &'a Number;

    fn as_object(&self) -> Option<Members<'a>> {
        self.object()
    }

    fn as_array(&self) -> Option<Elements<'a>> {
        self.array()
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<&'a Number> {
        self.number()
    }

    fn as_boolean(&self) -> Option<bool> {
        match *self {
            Node::Value(Value::Bool(b)) => Some(*b),
            Node::Tape(t, i) => match t.tok(i) {
                Tok::Bool(b) => Some(b),
                _ => None,
            },
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        self.kind() == JsonType::Null
    }

    fn json_type(&self) -> JsonType {
        self.kind()
    }

    fn string_length_within(&self, min: u64, max: u64) -> Option<bool> {
        let s = self.str()?;
        // A code point is one to four bytes: the byte count often decides.
        let bytes = s.len() as u64;
        if bytes < min || bytes.div_ceil(4) > max {
            return Some(false);
        }
        if min <= bytes.div_ceil(4) && bytes <= max {
            return Some(true);
        }
        Some((min..=max).contains(&(s.chars().count() as u64)))
    }

    fn equals_value(&self, expected: &Value) -> bool {
        match (*self, expected) {
            (Node::Value(v), _) => json::cmp::equal(v, expected),
            (_, Value::Number(e)) => self
                .number()
                .is_some_and(|n| json::cmp::equal_numbers(&n, e)),
            (_, Value::Array(_) | Value::Object(_)) => {
                json::cmp::equal(&self.to_owned_value(), expected)
            }
            _ => self.same_as(expected),
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        match *self {
            Node::Value(v) => Cow::Borrowed(v),
            other => Cow::Owned(other.to_owned_value()),
        }
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(match *self {
            Node::Value(v) => NodeIdentity::new(std::ptr::from_ref(v) as usize),
            Node::Tape(t, i) => NodeIdentity::tagged(std::ptr::from_ref(t) as usize, i),
            Node::Name(s) => NodeIdentity::tagged(s.as_ptr() as usize, u32::MAX),
        })
    }
}

impl<'a> json::Object<'a, Instance> for Members<'a> {
    type Node = Node<'a>;
    type MemberName = &'a str;
    type MembersIter = MembersIter<'a>;

    fn len(&self) -> usize {
        Members::len(*self)
    }

    fn get(&self, key: &Box<str>) -> Option<Node<'a>> {
        Members::get(*self, key)
    }

    fn members(&self) -> MembersIter<'a> {
        self.iter()
    }
}

impl<'a> json::Array<'a, Instance> for Elements<'a> {
    type Node = Node<'a>;
    type ElementsIter = ElementsIter<'a>;

    fn len(&self) -> usize {
        Elements::len(*self)
    }

    fn elements(&self) -> ElementsIter<'a> {
        self.iter()
    }

    fn is_unique(&self) -> bool {
        match *self {
            Elements::Value(a) => json::unique::is_unique(a),
            Elements::Tape(..) => {
                let values: Vec<Value> = self.iter().map(Node::to_owned_value).collect();
                json::unique::is_unique(&values)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tape_and_value_keep_the_validators_contract() {
        let doc = json::conformance::document();
        json::conformance::assert_conformance::<Instance>(&Node::Value(&doc));
        let tape = Tape::parse(doc.to_string().as_bytes()).unwrap();
        json::conformance::assert_conformance::<Instance>(&Node::from(&tape));
    }

    #[test]
    fn a_validator_reads_a_tape_as_it_reads_the_value() {
        let schema = serde_json::json!({
            "type": "object",
            "required": ["a"],
            "properties": {
                "a": {"type": "array", "items": {"enum": ["x", 1, {"k": [1]}]}, "uniqueItems": true},
                "b": {"type": "integer", "minimum": 2},
                "c": {"type": "string", "maxLength": 2, "format": "date"}
            },
            "propertyNames": {"maxLength": 3},
            "additionalProperties": {"type": "null"}
        });
        let v = jsonschema::options_for::<Instance>()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        for body in [
            r#"{"a":["x",1,{"k":[1]}]}"#,
            r#"{"a":["x","x"]}"#,
            r#"{"a":[1.0],"b":2.0}"#,
            r#"{"a":[],"b":1}"#,
            r#"{"a":[],"c":"xyz"}"#,
            r#"{"a":[],"long":null}"#,
            r#"{"a":[],"d":1}"#,
            r#"{"b":3}"#,
            r#"[1]"#,
        ] {
            let value: Value = serde_json::from_str(body).unwrap();
            let tape = Tape::parse(body.as_bytes()).unwrap();
            let on_value: Vec<String> = v
                .iter_errors(Node::from(&value))
                .map(|e| format!("{} {e}", e.instance_path()))
                .collect();
            let on_tape: Vec<String> = v
                .iter_errors(Node::from(&tape))
                .map(|e| format!("{} {e}", e.instance_path()))
                .collect();
            assert_eq!(on_value, on_tape, "{body}");
            assert_eq!(v.is_valid(Node::from(&value)), on_tape.is_empty(), "{body}");
            assert_eq!(v.is_valid(Node::from(&tape)), on_tape.is_empty(), "{body}");
        }
    }
}
