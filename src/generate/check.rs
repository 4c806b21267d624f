//! The validity check generation runs after the fact, over plans, where it
//! cannot construct a value by design (`oneOf` exclusivity, `not`,
//! path-parameter hints, enum values under other constraints). `pattern` and
//! `format` are checked by jsonschema itself (compiled once per document, in
//! the plans), so they agree with the compiled validators exactly.
//! `unevaluated*` and `$dynamicRef` are not checked.

use serde_json::{Map, Number, Value};

use super::MAX_CHECK_DEPTH;
use super::plan::{Kind, Node, PlanId, Plans, T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR};

impl Plans {
    pub(super) fn valid_all(&self, roots: &[PlanId], v: &Value) -> bool {
        roots.iter().all(|s| self.valid(*s, v, 0))
    }

    pub(super) fn valid(&self, s: PlanId, v: &Value, depth: u32) -> bool {
        let k = match &self.plan(s).kind {
            Kind::Never => return false,
            Kind::Any => return true,
            Kind::Schema(k) => k,
        };
        if depth > MAX_CHECK_DEPTH {
            return true;
        }
        let d = depth + 1;
        if let Some(t) = k.reference
            && !self.valid(t, v, d)
        {
            return false;
        }
        if k.types.is_some_and(|t| !matches_type(t, v))
            || k.rare().konst.as_ref().is_some_and(|c| !json_eq(c, v))
            || k.enumeration
                .as_ref()
                .is_some_and(|e| !e.iter().any(|x| json_eq(x, v)))
        {
            return false;
        }
        let ok = match v {
            Value::Number(n) => valid_number(k, n),
            Value::String(st) => valid_string(k, st),
            Value::Array(items) => self.valid_array(k, items, d),
            Value::Object(obj) => self.valid_object(k, obj, d),
            _ => true,
        };
        if !ok {
            return false;
        }
        let valid = |x: &PlanId| self.valid(*x, v, d);
        if !k.all_of.iter().all(valid)
            || k.rare()
                .any_of
                .as_ref()
                .is_some_and(|any| !any.iter().any(valid))
            || k.rare()
                .one_of
                .as_ref()
                .is_some_and(|one| one.iter().filter(|x| valid(x)).count() != 1)
            || k.rare().not.as_ref().is_some_and(valid)
        {
            return false;
        }
        if let Some(i) = &k.rare().if_ {
            let branch = if valid(i) {
                k.rare().then
            } else {
                k.rare().else_
            };
            if branch.as_ref().is_some_and(|b| !valid(b)) {
                return false;
            }
        }
        true
    }

    fn valid_array(&self, k: &Node, items: &[Value], d: u32) -> bool {
        let n = items.len() as u64;
        if k.rare().min_items.is_some_and(|b| n < b) || k.rare().max_items.is_some_and(|b| n > b) {
            return false;
        }
        if k.unique {
            for (i, a) in items.iter().enumerate() {
                if items[..i].iter().any(|b| json_eq(a, b)) {
                    return false;
                }
            }
        }
        if let Some(a) = &k.array {
            for (i, item) in items.iter().enumerate() {
                if let Some(sc) = a.prefix.get(i).copied().or(a.items)
                    && !self.valid(sc, item, d)
                {
                    return false;
                }
            }
        }
        if let Some(c) = k.rare().contains {
            let hits = items.iter().filter(|x| self.valid(c, x, d)).count() as u64;
            if hits < k.rare().min_contains.unwrap_or(1)
                || k.rare().max_contains.is_some_and(|b| hits > b)
            {
                return false;
            }
        }
        true
    }

    fn valid_object(&self, k: &Node, obj: &Map<String, Value>, d: u32) -> bool {
        let n = obj.len() as u64;
        if k.rare().min_properties.is_some_and(|b| n < b)
            || k.rare().max_properties.is_some_and(|b| n > b)
        {
            return false;
        }
        let has_all = |names: &[Box<str>]| names.iter().all(|r| obj.contains_key(&**r));
        if !has_all(&k.required) {
            return false;
        }
        for (key, val) in obj {
            if let Some(o) = &k.object {
                let mut matched = false;
                if let Some(p) = o.prop(key) {
                    matched = true;
                    if !self.valid(p, val, d) {
                        return false;
                    }
                }
                for (pat, p) in &o.patterns {
                    if pat.matches(key) {
                        matched = true;
                        if !self.valid(*p, val, d) {
                            return false;
                        }
                    }
                }
                if !matched
                    && let Some(a) = o.additional
                    && !self.valid(a, val, d)
                {
                    return false;
                }
            }
            if let Some(pn) = k.rare().property_names
                && !self.valid(pn, &Value::String(key.clone()), d)
            {
                return false;
            }
        }
        for (key, needs) in &k.rare().dependent_required {
            if obj.contains_key(&**key) && !has_all(needs) {
                return false;
            }
        }
        if !k.rare().dependent_schemas.is_empty() {
            let whole = Value::Object(obj.clone());
            for (key, sc) in &k.rare().dependent_schemas {
                if obj.contains_key(&**key) && !self.valid(*sc, &whole, d) {
                    return false;
                }
            }
        }
        true
    }
}

fn valid_number(k: &Node, n: &Number) -> bool {
    let Some(x) = n.as_f64() else { return true };
    if k.numbers().minimum.is_some_and(|b| x < b)
        || k.numbers().maximum.is_some_and(|b| x > b)
        || k.numbers().ex_min.is_some_and(|b| x <= b)
        || k.numbers().ex_max.is_some_and(|b| x >= b)
    {
        return false;
    }
    k.numbers().multiple_of.is_none_or(|mo| is_multiple(x, mo))
}

fn valid_string(k: &Node, st: &str) -> bool {
    let len = st.chars().count() as u64;
    if k.min_length.is_some_and(|b| len < b) || k.max_length.is_some_and(|b| len > b) {
        return false;
    }
    k.pattern.as_ref().is_none_or(|p| p.matches(st))
        && k.format.as_ref().is_none_or(|f| f.matches(st))
}

pub(super) fn matches_type(mask: u8, v: &Value) -> bool {
    let bit = match v {
        Value::Null => T_NULL,
        Value::Bool(_) => T_BOOL,
        Value::Object(_) => T_OBJ,
        Value::Array(_) => T_ARR,
        Value::String(_) => T_STR,
        Value::Number(n) => {
            let integral = n.is_i64() || n.is_u64() || n.as_f64().is_some_and(|f| f.fract() == 0.0);
            if integral { T_INT } else { T_NUM }
        }
    };
    mask & bit != 0
}

/// JSON Schema equality: numbers compare by value (`1` equals `1.0`), object
/// members in any order.
pub(super) fn json_eq(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            match (x.as_i64(), y.as_i64(), x.as_u64(), y.as_u64()) {
                (Some(p), Some(q), _, _) => p == q,
                (_, _, Some(p), Some(q)) => p == q,
                _ => x.as_f64() == y.as_f64(),
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_eq(p, q))
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_eq(v, w)))
        }
        _ => a == b,
    }
}

/// A number's shortest decimal form as `(mantissa, decimals)`: 2.5 -> (25, 1).
pub(super) fn decimal_parts(x: f64) -> Option<(i128, u32)> {
    if !x.is_finite() {
        return None;
    }
    let s = format!("{x}");
    let (int, frac) = s.split_once('.').unwrap_or((&s, ""));
    if int.len() + frac.len() > 36 {
        return None;
    }
    let digits: i128 = format!("{int}{frac}").parse().ok()?;
    Some((digits, frac.len() as u32))
}

/// `x` is a multiple of `m`, decided in decimal the way jsonschema decides it.
pub(super) fn is_multiple(x: f64, m: f64) -> bool {
    if m <= 0.0 {
        return true;
    }
    if x == 0.0 {
        return true;
    }
    if x.abs() < m {
        return false;
    }
    if let (Some((a, da)), Some((b, db))) = (decimal_parts(x), decimal_parts(m)) {
        let shared = da.min(db);
        let scale = |v: i128, p: u32| {
            10i128
                .checked_pow(p - shared)
                .and_then(|t| v.checked_mul(t))
        };
        if let (Some(num), Some(den)) = (scale(a, db), scale(b, da))
            && den != 0
        {
            return num % den == 0;
        }
    }
    (x / m).fract() == 0.0
}
