//! Reading one schema object's keywords: done once per node, when its plan is built.

use serde_json::{Map, Value};

use super::plan::{T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR};

pub(super) fn type_bits(name: &str) -> u8 {
    match name {
        "null" => T_NULL,
        "boolean" => T_BOOL,
        "object" => T_OBJ,
        "array" => T_ARR,
        "number" => T_NUM | T_INT,
        "integer" => T_INT,
        "string" => T_STR,
        _ => 0,
    }
}

pub(super) fn type_mask(t: &Value) -> Option<u8> {
    match t {
        Value::String(s) => Some(type_bits(s)),
        Value::Array(ts) => Some(
            ts.iter()
                .filter_map(Value::as_str)
                .map(type_bits)
                .fold(0, |a, b| a | b),
        ),
        _ => None,
    }
}

/// The keywords of one schema object, read in one pass over its members
/// (looking each up by name would hash every key of every schema, every time).
#[derive(Default)]
pub(super) struct Kw<'a> {
    pub reference: Option<&'a str>,
    pub types: Option<u8>,
    pub konst: Option<&'a Value>,
    pub enumeration: Option<&'a [Value]>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    pub pattern: Option<&'a str>,
    pub format: Option<&'a str>,
    pub minimum: Option<&'a Value>,
    pub maximum: Option<&'a Value>,
    pub ex_min: Option<&'a Value>,
    pub ex_max: Option<&'a Value>,
    pub multiple_of: Option<f64>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub unique: bool,
    pub items: Option<&'a Value>,
    pub prefix_items: Option<&'a [Value]>,
    pub additional_items: Option<&'a Value>,
    pub contains: Option<&'a Value>,
    pub min_contains: Option<u64>,
    pub max_contains: Option<u64>,
    pub properties: Option<&'a Map<String, Value>>,
    pub pattern_properties: Option<&'a Map<String, Value>>,
    pub additional_properties: Option<&'a Value>,
    pub required: Option<&'a [Value]>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub property_names: Option<&'a Value>,
    pub dependent_required: Option<&'a Map<String, Value>>,
    pub dependent_schemas: Option<&'a Map<String, Value>>,
    pub all_of: Option<&'a [Value]>,
    pub any_of: Option<&'a [Value]>,
    pub one_of: Option<&'a [Value]>,
    pub not: Option<&'a Value>,
    pub if_: Option<&'a Value>,
    pub then: Option<&'a Value>,
    pub else_: Option<&'a Value>,
    pub examples: Option<&'a [Value]>,
    pub default: Option<&'a Value>,
    /// Type bits the keywords present suggest (`properties` -> object...).
    pub inferred: u8,
}

pub(super) fn keywords(m: &Map<String, Value>) -> Kw<'_> {
    fn arr(v: &Value) -> Option<&[Value]> {
        v.as_array().map(Vec::as_slice)
    }
    let mut k = Kw::default();
    for (key, v) in m {
        match key.as_str() {
            "$ref" => k.reference = v.as_str(),
            "type" => k.types = type_mask(v),
            "const" => k.konst = Some(v),
            "enum" => k.enumeration = arr(v),
            "minLength" => k.min_length = v.as_u64(),
            "maxLength" => k.max_length = v.as_u64(),
            "pattern" => k.pattern = v.as_str(),
            "format" => k.format = v.as_str(),
            "minimum" => k.minimum = Some(v),
            "maximum" => k.maximum = Some(v),
            "exclusiveMinimum" => k.ex_min = Some(v),
            "exclusiveMaximum" => k.ex_max = Some(v),
            "multipleOf" => k.multiple_of = v.as_f64().filter(|x| *x > 0.0),
            "minItems" => k.min_items = v.as_u64(),
            "maxItems" => k.max_items = v.as_u64(),
            "uniqueItems" => k.unique = v == &Value::Bool(true),
            "items" => k.items = Some(v),
            "prefixItems" => k.prefix_items = arr(v),
            "additionalItems" => k.additional_items = Some(v),
            "contains" => k.contains = Some(v),
            "minContains" => k.min_contains = v.as_u64(),
            "maxContains" => k.max_contains = v.as_u64(),
            "properties" => k.properties = v.as_object(),
            "patternProperties" => k.pattern_properties = v.as_object(),
            "additionalProperties" => k.additional_properties = Some(v),
            "required" => k.required = arr(v),
            "minProperties" => k.min_properties = v.as_u64(),
            "maxProperties" => k.max_properties = v.as_u64(),
            "propertyNames" => k.property_names = Some(v),
            "dependentRequired" => k.dependent_required = v.as_object(),
            "dependentSchemas" => k.dependent_schemas = v.as_object(),
            "allOf" => k.all_of = arr(v),
            "anyOf" => k.any_of = arr(v),
            "oneOf" => k.one_of = arr(v),
            "not" => k.not = Some(v),
            "if" => k.if_ = Some(v),
            "then" => k.then = Some(v),
            "else" => k.else_ = Some(v),
            "examples" => k.examples = arr(v),
            "default" => k.default = Some(v),
            _ => continue,
        }
        k.inferred |= match key.as_str() {
            "properties"
            | "required"
            | "additionalProperties"
            | "patternProperties"
            | "minProperties" => T_OBJ,
            "items" | "prefixItems" | "minItems" | "maxItems" | "contains" | "uniqueItems" => T_ARR,
            "pattern" | "format" | "minLength" | "maxLength" => T_STR,
            "minimum" | "maximum" | "exclusiveMinimum" | "exclusiveMaximum" | "multipleOf" => {
                T_NUM | T_INT
            }
            _ => 0,
        };
    }
    k
}

/// A member of a small map, found by scanning (no hashing).
pub(super) fn member<'a>(v: &'a Value, key: &str) -> Option<&'a Value> {
    v.as_object()?
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
}

/// How far a branch is from the smallest value: scalars first.
pub(super) fn branch_cost(b: &Value) -> u8 {
    if member(b, "enum").is_some() || member(b, "const").is_some() {
        return 0;
    }
    match member(b, "type").and_then(type_mask) {
        Some(t) if t & (T_NULL | T_BOOL | T_NUM | T_INT | T_STR) != 0 => 1,
        Some(t) if t & T_ARR != 0 => 2,
        Some(_) => 3,
        None => 4,
    }
}

/// A numeric bound as the nearest integer inside it: `minimum: 1.5` -> 2,
/// `exclusiveMinimum: 3` -> 4, `maximum: 2.5` -> 2, `exclusiveMaximum: 3` -> 2.
pub(super) fn int_bound(v: &Value, exclusive: bool, lower: bool) -> Option<i128> {
    let Value::Number(n) = v else { return None };
    let exact = n
        .as_i64()
        .map(i128::from)
        .or_else(|| n.as_u64().map(i128::from));
    let x = match exact {
        Some(i) => i,
        None => {
            let f = n.as_f64()?.clamp(-1e36, 1e36);
            // A fractional bound: the first integer inside is the same whether exclusive or not.
            if f.fract() != 0.0 {
                return Some(if lower {
                    f.ceil() as i128
                } else {
                    f.floor() as i128
                });
            }
            f as i128
        }
    };
    Some(match (exclusive, lower) {
        (false, _) => x,
        (true, true) => x + 1,
        (true, false) => x - 1,
    })
}
