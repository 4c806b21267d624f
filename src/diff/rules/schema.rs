//! The schema walk: two JSON Schemas (already converted to 2020-12 at
//! load, `$ref`s left in place) compared side by side, property by
//! property, for a request (what the client sends) or a response (what it
//! reads). Refs are followed through the document's files; a schema that
//! reaches itself is compared once per branch (the walk keeps the pairs on
//! its current path and stops at a repeat, and at a depth bound).

use std::collections::BTreeSet;

use serde_json::Value;

use super::{Pair, field};
use crate::diff::{Severity, Touch};
use crate::spec::{FileSet, Loc};

/// How deep a walk goes: far past any real body, short of a pathological one.
const MAX_DEPTH: usize = 32;

/// What a schema says, with `allOf` merged and a converted `nullable` ref
/// (`anyOf: [X, {type: null}]`) seen through.
#[derive(Debug, Clone, Default)]
pub struct View {
    /// Where the schema's own keywords are (after `$ref`).
    pub loc: Option<Loc>,
    /// Its types, `null` aside.
    pub types: BTreeSet<String>,
    /// `null` is allowed.
    pub nullable: bool,
    /// `format`.
    pub format: Option<String>,
    /// `enum`, `null` aside.
    pub enumeration: Option<Vec<Value>>,
    /// `maxLength`, `maximum`, `maxItems`.
    pub max_length: Option<f64>,
    /// `maximum`.
    pub maximum: Option<f64>,
    /// `maxItems`.
    pub max_items: Option<f64>,
    /// `minLength`.
    pub min_length: Option<f64>,
    /// `minimum`.
    pub minimum: Option<f64>,
    /// `pattern`.
    pub pattern: Option<String>,
    /// `readOnly: true`.
    pub read_only: bool,
    /// `writeOnly: true`.
    pub write_only: bool,
    /// Declared properties, with where each schema is.
    pub properties: Vec<(String, Loc)>,
    /// `required`.
    pub required: BTreeSet<String>,
    /// `additionalProperties` as a schema.
    pub additional: Option<Loc>,
    /// `additionalProperties: false`.
    pub closed: bool,
    /// `items`.
    pub items: Option<Loc>,
}

impl View {
    /// The schema of a declared property.
    pub fn property(&self, name: &str) -> Option<&Loc> {
        self.properties
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, l)| l)
    }
}

/// The view of the schema at `loc` (an unresolvable schema views as empty:
/// the loader has said why already).
pub fn view(files: &FileSet, loc: &Loc) -> View {
    let mut v = View::default();
    gather(files, loc, &mut v, 0);
    v
}

fn number(v: &Value, key: &str) -> Option<f64> {
    v.get(key).and_then(Value::as_f64)
}

fn gather(files: &FileSet, loc: &Loc, out: &mut View, depth: usize) {
    if depth > 8 {
        return;
    }
    let Ok((here, v)) = files.deref(loc) else {
        return;
    };
    if out.loc.is_none() {
        out.loc = Some(here.clone());
    }
    // A converted `nullable` on a ref: anyOf [X, {type: null}].
    if let Some(Value::Array(any)) = v.get("anyOf").or_else(|| v.get("oneOf"))
        && any.len() == 2
    {
        let key = if v.get("anyOf").is_some() {
            "anyOf"
        } else {
            "oneOf"
        };
        let is_null = |s: &Value| s.get("type").and_then(Value::as_str) == Some("null");
        if let Some(i) = any.iter().position(is_null) {
            out.nullable = true;
            let other = here.child(key).child(&(1 - i).to_string());
            out.loc = None;
            gather(files, &other, out, depth + 1);
            return;
        }
    }
    match v.get("type") {
        Some(Value::String(t)) => add_type(out, t),
        Some(Value::Array(ts)) => ts
            .iter()
            .filter_map(Value::as_str)
            .for_each(|t| add_type(out, t)),
        _ => {}
    }
    if let Some(Value::Array(values)) = v.get("enum") {
        let (nulls, rest): (Vec<&Value>, Vec<&Value>) = values.iter().partition(|x| x.is_null());
        if !nulls.is_empty() {
            out.nullable = true;
        }
        out.enumeration
            .get_or_insert_with(Vec::new)
            .extend(rest.into_iter().cloned());
    }
    let s = |k: &str| v.get(k).and_then(Value::as_str).map(str::to_string);
    out.format = out.format.take().or_else(|| s("format"));
    out.pattern = out.pattern.take().or_else(|| s("pattern"));
    out.max_length = out.max_length.or_else(|| number(v, "maxLength"));
    out.maximum = out.maximum.or_else(|| number(v, "maximum"));
    out.max_items = out.max_items.or_else(|| number(v, "maxItems"));
    out.min_length = out.min_length.or_else(|| number(v, "minLength"));
    out.minimum = out.minimum.or_else(|| number(v, "minimum"));
    out.read_only |= v.get("readOnly") == Some(&Value::Bool(true));
    out.write_only |= v.get("writeOnly") == Some(&Value::Bool(true));
    if let Some(Value::Object(props)) = v.get("properties") {
        let at = here.child("properties");
        for name in props.keys() {
            if out.property(name).is_none() {
                out.properties.push((name.clone(), at.child(name)));
            }
        }
    }
    if let Some(Value::Array(req)) = v.get("required") {
        out.required
            .extend(req.iter().filter_map(Value::as_str).map(str::to_string));
    }
    match v.get("additionalProperties") {
        Some(Value::Bool(false)) => out.closed = true,
        Some(Value::Object(_)) if out.additional.is_none() => {
            out.additional = Some(here.child("additionalProperties"));
        }
        _ => {}
    }
    if v.get("items").is_some_and(Value::is_object) && out.items.is_none() {
        out.items = Some(here.child("items"));
    }
    if let Some(Value::Array(all)) = v.get("allOf") {
        for i in 0..all.len() {
            gather(
                files,
                &here.child("allOf").child(&i.to_string()),
                out,
                depth + 1,
            );
        }
    }
}

fn add_type(out: &mut View, t: &str) {
    if t == "null" {
        out.nullable = true;
    } else {
        out.types.insert(t.to_string());
    }
}

/// What the walk compares: a request body or parameter (the client
/// writes it) or a response body (the client reads it).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Side {
    /// A parameter's value.
    Parameter,
    /// A request body.
    Request,
    /// A response body.
    Response,
}

impl Side {
    fn rule(
        self,
        request: &'static str,
        parameter: &'static str,
        response: &'static str,
    ) -> &'static str {
        match self {
            Side::Request => request,
            Side::Parameter => parameter,
            Side::Response => response,
        }
    }
}

/// Compare the schemas at `old` and `new` for `side`, naming fields from `prefix`.
pub fn compare(p: &mut Pair, side: Side, old: &Loc, new: &Loc, prefix: &str) {
    let (o, n) = (view(&p.old_doc.files, old), view(&p.new_doc.files, new));
    let mut path = Vec::new();
    walk(p, side, &o, &n, prefix, &mut path);
}

/// True when every value of type `t` is one of `types` (an integer is a number).
fn covered(t: &str, types: &BTreeSet<String>) -> bool {
    types.contains(t) || (t == "integer" && types.contains("number"))
}

fn show_types(t: &BTreeSet<String>) -> String {
    t.iter().cloned().collect::<Vec<_>>().join("|")
}

fn walk(p: &mut Pair, side: Side, o: &View, n: &View, f: &str, path: &mut Vec<(Loc, Loc)>) {
    let (Some(ol), Some(nl)) = (o.loc.clone(), n.loc.clone()) else {
        return;
    };
    if path.len() >= MAX_DEPTH || path.iter().any(|(a, b)| *a == ol && *b == nl) {
        return;
    }
    path.push((ol.clone(), nl.clone()));
    let reads = side == Side::Response;
    let at = (Some(&ol), Some(&nl));
    let mut push = |p: &mut Pair, rule: &'static str, sev: Severity, touch: Touch, msg: String| {
        p.push(rule, sev, touch, at.0, at.1, msg);
    };
    // Types: a request may no longer send what it did; a response may send
    // what the client never saw.
    if !o.types.is_empty() && !n.types.is_empty() && o.types != n.types {
        let broken = if reads {
            n.types.iter().any(|t| !covered(t, &o.types))
        } else {
            o.types.iter().any(|t| !covered(t, &n.types))
        };
        let rule = side.rule(
            "request-property-type-changed",
            "request-parameter-type-changed",
            "response-property-type-changed",
        );
        let sev = if broken {
            Severity::Breaking
        } else {
            Severity::NonBreaking
        };
        push(
            p,
            rule,
            sev,
            field(f),
            format!(
                "{f}: type {} is now {}",
                show_types(&o.types),
                show_types(&n.types)
            ),
        );
    } else if o.types.is_empty() && !n.types.is_empty() && !reads {
        let rule = side.rule(
            "request-property-type-changed",
            "request-parameter-type-changed",
            "response-property-type-changed",
        );
        push(
            p,
            rule,
            Severity::Breaking,
            field(f),
            format!("{f}: any type is now {}", show_types(&n.types)),
        );
    }
    if o.format != n.format {
        let broken = if reads {
            o.format.is_some()
        } else {
            n.format.is_some()
        };
        let rule = side.rule(
            "request-property-format-changed",
            "request-parameter-format-changed",
            "response-property-format-changed",
        );
        let sev = if broken {
            Severity::Breaking
        } else {
            Severity::NonBreaking
        };
        let show = |x: &Option<String>| x.clone().unwrap_or_else(|| "none".into());
        push(
            p,
            rule,
            sev,
            field(f),
            format!("{f}: format {} is now {}", show(&o.format), show(&n.format)),
        );
    }
    if reads && !o.nullable && n.nullable {
        push(
            p,
            "response-property-became-nullable",
            Severity::Breaking,
            field(f),
            format!("{f} may now be null"),
        );
    }
    if !reads && o.nullable && !n.nullable {
        let rule = side.rule(
            "request-property-became-not-nullable",
            "request-parameter-became-not-nullable",
            "",
        );
        push(
            p,
            rule,
            Severity::Breaking,
            field(f),
            format!("{f} may no longer be null"),
        );
    }
    enums(p, side, o, n, f, &mut push);
    if !reads {
        bounds(p, side, o, n, f, &mut push);
    }
    if side == Side::Request && !o.read_only && n.read_only {
        push(
            p,
            "request-property-became-read-only",
            Severity::Breaking,
            field(f),
            format!("{f} is now readOnly: the server ignores or refuses it in a request"),
        );
    }
    if reads && !o.write_only && n.write_only {
        push(
            p,
            "response-property-became-write-only",
            Severity::Breaking,
            field(f),
            format!("{f} is now writeOnly: responses no longer carry it"),
        );
    }
    if (side == Side::Request && o.read_only && !n.read_only)
        || (reads && o.write_only && !n.write_only)
    {
        let what = if reads { "writeOnly" } else { "readOnly" };
        push(
            p,
            "property-access-changed",
            Severity::Info,
            field(f),
            format!("{f} is no longer {what}"),
        );
    }
    properties(p, side, o, n, f, path);
    if let (Some(oi), Some(ni)) = (&o.items, &n.items) {
        let (a, b) = (view(&p.old_doc.files, oi), view(&p.new_doc.files, ni));
        walk(p, side, &a, &b, &format!("{f}/[]"), path);
    }
    if let (Some(oa), Some(na)) = (&o.additional, &n.additional) {
        let (a, b) = (view(&p.old_doc.files, oa), view(&p.new_doc.files, na));
        walk(p, side, &a, &b, &format!("{f}/*"), path);
    }
    path.pop();
}

type Push<'x> = dyn FnMut(&mut Pair, &'static str, Severity, Touch, String) + 'x;

fn enums(p: &mut Pair, side: Side, o: &View, n: &View, f: &str, push: &mut Push) {
    match (&o.enumeration, &n.enumeration) {
        (Some(ov), Some(nv)) => {
            for v in ov.iter().filter(|v| !nv.contains(v)) {
                let (rule, sev) = match side {
                    Side::Response => (
                        "response-property-enum-value-removed",
                        Severity::NonBreaking,
                    ),
                    Side::Request => ("request-property-enum-value-removed", Severity::Breaking),
                    Side::Parameter => ("request-parameter-enum-value-removed", Severity::Breaking),
                };
                let touch = Touch::Enum {
                    field: f.to_string(),
                    value: v.clone(),
                };
                push(
                    p,
                    rule,
                    sev,
                    touch,
                    format!("{f}: enum value {v} is removed"),
                );
            }
            for v in nv.iter().filter(|v| !ov.contains(v)) {
                let (rule, sev) = match side {
                    // A strict client (a generated enum type) fails on a value it does not know.
                    Side::Response => ("response-property-enum-value-added", Severity::Breaking),
                    Side::Request => ("request-property-enum-value-added", Severity::NonBreaking),
                    Side::Parameter => {
                        ("request-parameter-enum-value-added", Severity::NonBreaking)
                    }
                };
                push(
                    p,
                    rule,
                    sev,
                    field(f),
                    format!("{f}: enum value {v} is added"),
                );
            }
        }
        (None, Some(nv)) if side != Side::Response => {
            let rule = side.rule(
                "request-property-enum-added",
                "request-parameter-enum-added",
                "",
            );
            let list: Vec<String> = nv.iter().map(Value::to_string).collect();
            push(
                p,
                rule,
                Severity::Breaking,
                field(f),
                format!("{f} is now limited to [{}]", list.join(", ")),
            );
        }
        _ => {}
    }
}

/// The rules for a bound tightened: (request body, parameter).
const BOUND_RULES: [(&str, &str); 5] = [
    (
        "request-property-max-length-decreased",
        "request-parameter-max-length-decreased",
    ),
    (
        "request-property-max-decreased",
        "request-parameter-max-decreased",
    ),
    (
        "request-property-max-items-decreased",
        "request-parameter-max-items-decreased",
    ),
    (
        "request-property-min-length-increased",
        "request-parameter-min-length-increased",
    ),
    (
        "request-property-min-increased",
        "request-parameter-min-increased",
    ),
];

fn bounds(p: &mut Pair, side: Side, o: &View, n: &View, f: &str, push: &mut Push) {
    let param = side == Side::Parameter;
    let tighter_max =
        |a: Option<f64>, b: Option<f64>| matches!((a, b), (_, Some(b)) if a.is_none_or(|a| b < a));
    let tighter_min =
        |a: Option<f64>, b: Option<f64>| matches!((a, b), (_, Some(b)) if a.is_none_or(|a| b > a));
    let show = |x: Option<f64>| x.map_or("none".to_string(), |v| v.to_string());
    // (keyword, body rule, parameter rule, the bound on each side, tighter)
    let checks = [
        (
            "maxLength",
            BOUND_RULES[0],
            o.max_length,
            n.max_length,
            tighter_max(o.max_length, n.max_length),
        ),
        (
            "maximum",
            BOUND_RULES[1],
            o.maximum,
            n.maximum,
            tighter_max(o.maximum, n.maximum),
        ),
        (
            "maxItems",
            BOUND_RULES[2],
            o.max_items,
            n.max_items,
            tighter_max(o.max_items, n.max_items),
        ),
        (
            "minLength",
            BOUND_RULES[3],
            o.min_length,
            n.min_length,
            tighter_min(o.min_length, n.min_length),
        ),
        (
            "minimum",
            BOUND_RULES[4],
            o.minimum,
            n.minimum,
            tighter_min(o.minimum, n.minimum),
        ),
    ];
    for (kw, (body_rule, param_rule), a, b, tighter) in checks {
        if tighter {
            let rule = if param { param_rule } else { body_rule };
            push(
                p,
                rule,
                Severity::Breaking,
                field(f),
                format!("{f}: {kw} {} is now {}", show(a), show(b)),
            );
        }
    }
    if n.pattern.is_some() && o.pattern != n.pattern {
        let rule = match (param, o.pattern.is_some()) {
            (false, true) => "request-property-pattern-changed",
            (false, false) => "request-property-pattern-added",
            (true, true) => "request-parameter-pattern-changed",
            (true, false) => "request-parameter-pattern-added",
        };
        let old = o.pattern.clone().unwrap_or_else(|| "none".into());
        let new = n.pattern.clone().unwrap_or_default();
        push(
            p,
            rule,
            Severity::Breaking,
            field(f),
            format!("{f}: pattern {old} is now {new}"),
        );
    }
}

fn properties(p: &mut Pair, side: Side, o: &View, n: &View, f: &str, path: &mut Vec<(Loc, Loc)>) {
    let reads = side == Side::Response;
    let (of, nf) = (&p.old_doc.files, &p.new_doc.files);
    for (name, oloc) in &o.properties {
        let child = format!("{f}/{name}");
        let ov = view(of, oloc);
        let Some(nloc) = n.property(name) else {
            let removed_loc = (Some(oloc), n.loc.as_ref());
            if reads && !ov.write_only {
                let msg = format!("{child} is removed: responses no longer carry it");
                p.push(
                    "response-property-removed",
                    Severity::Breaking,
                    field(&child),
                    removed_loc.0,
                    removed_loc.1,
                    msg,
                );
            } else if !reads && !ov.read_only {
                // Still sent by clients: refused where NEW closes the object.
                let sev = if n.closed && n.additional.is_none() {
                    Severity::Breaking
                } else {
                    Severity::NonBreaking
                };
                let msg = format!("{child} is removed from the request schema");
                p.push(
                    "request-property-removed",
                    sev,
                    field(&child),
                    removed_loc.0,
                    removed_loc.1,
                    msg,
                );
            }
            continue;
        };
        let nv = view(nf, nloc);
        let (was, is) = (o.required.contains(name), n.required.contains(name));
        if !reads && !was && is && !nv.read_only {
            let msg = format!("{child} became required");
            p.push(
                "request-property-became-required",
                Severity::Breaking,
                Touch::Missing {
                    field: child.clone(),
                },
                Some(oloc),
                Some(nloc),
                msg,
            );
        }
        if reads && was && !is && !nv.write_only {
            let msg = format!("{child} became optional: responses may leave it out");
            p.push(
                "response-property-became-optional",
                Severity::Breaking,
                field(&child),
                Some(oloc),
                Some(nloc),
                msg,
            );
        }
        walk(p, side, &ov, &nv, &child, path);
    }
    for (name, nloc) in &n.properties {
        if o.property(name).is_some() {
            continue;
        }
        let child = format!("{f}/{name}");
        let nv = view(nf, nloc);
        let at = (o.loc.as_ref(), Some(nloc));
        if reads {
            p.push(
                "response-property-added",
                Severity::Info,
                field(&child),
                at.0,
                at.1,
                format!("{child} is added"),
            );
        } else if n.required.contains(name) && !nv.read_only {
            let msg = format!("{child} is added as required");
            p.push(
                "new-required-request-property",
                Severity::Breaking,
                Touch::Missing { field: child },
                at.0,
                at.1,
                msg,
            );
        } else {
            p.push(
                "new-optional-request-property",
                Severity::NonBreaking,
                field(&child),
                at.0,
                at.1,
                format!("{child} is added (optional)"),
            );
        }
    }
}
