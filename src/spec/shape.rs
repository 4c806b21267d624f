//! What the loader reads from a schema besides its validator: its shape
//! (how a parameter's text is typed) and its merged example, each once per
//! schema node (a large document's operations share a few hundred
//! components).

use std::collections::HashMap;
use std::sync::Arc;

use serde_json::Value;

use super::compile::Compiler;
use super::model::Shape;
use super::refs::{FileSet, Loc};

impl Compiler {
    /// The shape of the schema at `loc`, once per schema node, shared by
    /// every parameter and media type that refers to it.
    pub fn shape(&mut self, files: &FileSet, loc: &Loc) -> Arc<Shape> {
        if let Some(s) = self.shared_shapes.get(loc) {
            return s.clone();
        }
        let s = Arc::new(shape_in(files, loc, 0, &mut self.shapes));
        self.shared_shapes.insert(loc.clone(), s.clone());
        s
    }

    /// The merged example of the schema at `loc`, once per location.
    pub fn example(&mut self, files: &FileSet, loc: &Loc) -> Option<Value> {
        if let Some(v) = self.examples.get(loc) {
            return v.clone();
        }
        let v = example_in(files, loc, 0, &mut self.examples);
        self.examples.insert(loc.clone(), v.clone());
        v
    }
}

/// A schema's example: its own `examples[0]` (OAS 3.0 `example` was converted
/// to that) or `const`, else an object merged from its properties' examples
/// (through `allOf` too), else an array of its items' example.
fn example_in(
    files: &FileSet,
    loc: &Loc,
    depth: usize,
    seen: &mut HashMap<Loc, Option<Value>>,
) -> Option<Value> {
    remembered(files, loc, seen, |seen| {
        example_uncached(files, loc, depth, seen)
    })
    .flatten()
}

/// `compute()` for the schema at `loc`, remembered in `seen` under its `$ref`
/// target when `loc` is a `$ref`: a large document's operations share a few
/// hundred components. `None` when the location or its ref is broken.
fn remembered<T: Clone>(
    files: &FileSet,
    loc: &Loc,
    seen: &mut HashMap<Loc, T>,
    compute: impl FnOnce(&mut HashMap<Loc, T>) -> T,
) -> Option<T> {
    let (target, _) = files.deref(loc).ok()?;
    if target == *loc {
        return Some(compute(seen));
    }
    if let Some(v) = seen.get(&target) {
        return Some(v.clone());
    }
    let v = compute(seen);
    seen.insert(target, v.clone());
    Some(v)
}

fn example_uncached(
    files: &FileSet,
    loc: &Loc,
    depth: usize,
    seen: &mut HashMap<Loc, Option<Value>>,
) -> Option<Value> {
    if depth > MAX_SHAPE_DEPTH {
        return None;
    }
    let (loc, schema) = files.deref(loc).ok()?;
    let obj = schema.as_object()?;
    if let Some(Value::Array(ex)) = obj.get("examples")
        && let Some(first) = ex.first()
    {
        return Some(first.clone());
    }
    if let Some(c) = obj.get("const") {
        return Some(c.clone());
    }
    let mut merged = serde_json::Map::new();
    if let Some(props) = obj.get("properties").and_then(Value::as_object) {
        for name in props.keys() {
            if let Some(v) =
                example_in(files, &loc.child("properties").child(name), depth + 1, seen)
            {
                merged.insert(name.clone(), v);
            }
        }
    }
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        for i in 0..all.len() {
            if let Some(Value::Object(part)) = example_in(
                files,
                &loc.child("allOf").child(&i.to_string()),
                depth + 1,
                seen,
            ) {
                for (k, v) in part {
                    merged.entry(k).or_insert(v);
                }
            }
        }
    }
    if !merged.is_empty() {
        return Some(Value::Object(merged));
    }
    if obj.contains_key("items") {
        return example_in(files, &loc.child("items"), depth + 1, seen)
            .map(|v| Value::Array(vec![v]));
    }
    None
}

/// How deep `shape_in` and `example_in` follows nested schemas (recursive schemas stop here).
const MAX_SHAPE_DEPTH: usize = 8;

/// The shape of the schema at `loc`: its type(s), items and properties.
/// Remembers the shapes of `$ref` targets in `seen`: a large document's
/// operations share their components.
fn shape_in(files: &FileSet, loc: &Loc, depth: usize, seen: &mut HashMap<Loc, Shape>) -> Shape {
    remembered(files, loc, seen, |seen| {
        shape_uncached(files, loc, depth, seen)
    })
    .unwrap_or(Shape::Any)
}

fn shape_uncached(
    files: &FileSet,
    loc: &Loc,
    depth: usize,
    seen: &mut HashMap<Loc, Shape>,
) -> Shape {
    if depth > MAX_SHAPE_DEPTH {
        return Shape::Any;
    }
    let Ok((loc, schema)) = files.deref(loc) else {
        return Shape::Any;
    };
    let Some(obj) = schema.as_object() else {
        return Shape::Any;
    };
    let mut options: Vec<Shape> = Vec::new();
    let types: Vec<&str> = match obj.get("type") {
        Some(Value::String(t)) => vec![t.as_str()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).collect(),
        _ => Vec::new(),
    };
    for t in &types {
        options.push(match *t {
            "string" => Shape::String,
            "integer" => Shape::Integer,
            "number" => Shape::Number,
            "boolean" => Shape::Boolean,
            "null" => Shape::Null,
            "array" => Shape::Array(Box::new(if obj.contains_key("items") {
                shape_in(files, &loc.child("items"), depth + 1, seen)
            } else {
                Shape::Any
            })),
            "object" => object_shape(files, &loc, obj, depth, seen),
            _ => Shape::Any,
        });
    }
    if types.is_empty()
        && (obj.contains_key("properties") || obj.contains_key("additionalProperties"))
    {
        options.push(object_shape(files, &loc, obj, depth, seen));
    }
    if types.is_empty() && obj.contains_key("items") {
        options.push(Shape::Array(Box::new(shape_in(
            files,
            &loc.child("items"),
            depth + 1,
            seen,
        ))));
    }
    // allOf: the parts describe one value; merge object parts, else take the first typed part.
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        let parts: Vec<Shape> = (0..all.len())
            .map(|i| {
                shape_in(
                    files,
                    &loc.child("allOf").child(&i.to_string()),
                    depth + 1,
                    seen,
                )
            })
            .collect();
        if let Some(merged) = merge_objects(&parts) {
            options.push(merged);
        } else if let Some(first) = parts.into_iter().find(|p| *p != Shape::Any) {
            options.push(first);
        }
    }
    for key in ["anyOf", "oneOf"] {
        if let Some(alts) = obj.get(key).and_then(Value::as_array) {
            for i in 0..alts.len() {
                let s = shape_in(
                    files,
                    &loc.child(key).child(&i.to_string()),
                    depth + 1,
                    seen,
                );
                if s != Shape::Any {
                    options.push(s);
                }
            }
        }
    }
    if let Some(Value::Array(values)) = obj.get("enum")
        && types.is_empty()
        && options.is_empty()
    {
        for v in values {
            let s = match v {
                Value::Bool(_) => Shape::Boolean,
                Value::Number(n) if n.is_i64() || n.is_u64() => Shape::Integer,
                Value::Number(_) => Shape::Number,
                Value::Null => Shape::Null,
                _ => Shape::String,
            };
            if !options.contains(&s) {
                options.push(s);
            }
        }
    }
    match options.len() {
        0 => Shape::Any,
        1 => options.pop().unwrap_or_default(),
        _ => Shape::Either(options),
    }
}

fn object_shape(
    files: &FileSet,
    loc: &Loc,
    obj: &serde_json::Map<String, Value>,
    depth: usize,
    seen: &mut HashMap<Loc, Shape>,
) -> Shape {
    let mut props = Vec::new();
    if let Some(p) = obj.get("properties").and_then(Value::as_object) {
        for name in p.keys() {
            props.push((
                name.clone(),
                shape_in(files, &loc.child("properties").child(name), depth + 1, seen),
            ));
        }
    }
    let rest = match obj.get("additionalProperties") {
        Some(Value::Object(_)) => {
            shape_in(files, &loc.child("additionalProperties"), depth + 1, seen)
        }
        _ => Shape::Any,
    };
    Shape::Object(props, Box::new(rest))
}

fn merge_objects(parts: &[Shape]) -> Option<Shape> {
    let mut props: Vec<(String, Shape)> = Vec::new();
    let mut any_object = false;
    for p in parts {
        if let Shape::Object(ps, _) = p {
            any_object = true;
            for (n, s) in ps {
                if !props.iter().any(|(m, _)| m == n) {
                    props.push((n.clone(), s.clone()));
                }
            }
        }
    }
    any_object.then(|| Shape::Object(props, Box::new(Shape::Any)))
}
