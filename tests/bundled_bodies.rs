//! 1,000 seeds of every bundled schema, dense (the default) and sparse:
//! every body validates against the compiled validator, none of the schemas
//! is ungeneratable, and dense bodies carry every declared property at the
//! top level and in the objects of its properties and array items, five
//! levels down.
//!
//! The expected properties are read from the documents themselves (the
//! `properties` of the schema and of its `$ref`/`allOf` closure), not from
//! the generator's plans.

use serde_json::Value;
use specmock::generate::{Density, Hints, generate_as};
use specmock::spec::{Direction, FileSet, Loc};

use crate::generation::{Case, cases};

const SEEDS: u64 = 1000;
/// Nesting checked for every declared property. Deeper, a schema that
/// recurs among a value's ancestors (SoftwareOne's Audit -> Actor -> Audit)
/// is made with its required members only, by design: that is what keeps a
/// recursive schema finite.
const CHECK_DEPTH: u32 = 5;

/// The declared properties of the schema at `loc` (following `$ref` and
/// `allOf`, and the one non-null branch of a nullable `anyOf`), with where
/// each property's schema is, less those hidden in `dir` and `false` ones.
fn declared(files: &FileSet, loc: &Loc, dir: Direction, out: &mut Vec<(String, Loc)>, hops: u32) {
    let Ok((loc, v)) = files.deref(loc) else {
        return;
    };
    if hops > 16 {
        return;
    }
    let hidden = match dir {
        Direction::Response => "writeOnly",
        Direction::Request => "readOnly",
    };
    if let Some(Value::Object(props)) = v.get("properties") {
        for (name, p) in props {
            let hide = p.get(hidden) == Some(&Value::Bool(true)) || p == &Value::Bool(false);
            if !hide && !out.iter().any(|(n, _)| n == name) {
                out.push((name.clone(), loc.child("properties").child(name)));
            }
        }
    }
    if let Some(Value::Array(all)) = v.get("allOf") {
        for i in 0..all.len() {
            declared(
                files,
                &loc.child("allOf").child(&i.to_string()),
                dir,
                out,
                hops + 1,
            );
        }
    }
    if let Some(Value::Array(any)) = v.get("anyOf") {
        let not_null: Vec<usize> = (0..any.len())
            .filter(|i| any[*i].get("type") != Some(&Value::String("null".into())))
            .collect();
        if let [one] = not_null[..] {
            declared(
                files,
                &loc.child("anyOf").child(&one.to_string()),
                dir,
                out,
                hops + 1,
            );
        }
    }
}

/// Where the items of the array schema at `loc` are.
fn items_of(files: &FileSet, loc: &Loc) -> Option<Loc> {
    let (loc, v) = files.deref(loc).ok()?;
    if v.get("items").is_some_and(Value::is_object) {
        return Some(loc.child("items"));
    }
    let any = v.get("anyOf")?.as_array()?;
    let i = any
        .iter()
        .position(|b| b.get("type") != Some(&Value::String("null".into())))?;
    items_of(files, &loc.child("anyOf").child(&i.to_string()))
}

/// Every declared property is in `v` (when an object), and in the objects
/// its properties and items hold, down to [`CHECK_DEPTH`]. Returns how many
/// objects it checked.
fn carries_every_property(c: &Case, loc: &Loc, v: &Value, depth: u32, path: &str) -> usize {
    match v {
        Value::Object(obj) => {
            let mut props = Vec::new();
            declared(c.files, loc, c.dir, &mut props, 0);
            let mut checked = 1;
            for (name, at) in props {
                let Some(pv) = obj.get(&name) else {
                    panic!("{}: dense body lacks `{name}` at {path:?}: {v}", c.label);
                };
                if depth < CHECK_DEPTH {
                    checked +=
                        carries_every_property(c, &at, pv, depth + 1, &format!("{path}/{name}"));
                }
            }
            checked
        }
        Value::Array(items) if depth < CHECK_DEPTH => {
            let Some(at) = items_of(c.files, loc) else {
                return 0;
            };
            items
                .iter()
                .enumerate()
                .map(|(i, item)| {
                    carries_every_property(c, &at, item, depth + 1, &format!("{path}/{i}"))
                })
                .sum()
        }
        _ => 0,
    }
}

/// The distinct schemas to generate for: operations that share a schema
/// and path parameters get the same bodies for the same seed, so one
/// stands for all (the work shared, not the seeds cut).
fn distinct() -> Vec<&'static Case> {
    let mut out: Vec<&Case> = Vec::new();
    for c in cases() {
        let same = |o: &&Case| {
            std::ptr::eq(o.plans, c.plans)
                && o.schema.loc == c.schema.loc
                && o.dir == c.dir
                && o.params == c.params
        };
        if !out.iter().any(same) {
            out.push(c);
        }
    }
    out
}

#[test]
fn every_bundled_schema_gets_1000_valid_dense_and_sparse_bodies() {
    let all = distinct();
    assert!(all.len() > 25, "{} schemas", all.len());
    for c in &all {
        assert_eq!(
            c.plans.ungeneratable(&c.schema.loc, c.dir),
            None,
            "{}",
            c.label
        );
    }
    let started = std::time::Instant::now();
    // Two workers: the machine this runs on has two cores.
    let objects: usize = std::thread::scope(|s| {
        let workers: Vec<_> = (0..2)
            .map(|w| {
                let all = &all;
                s.spawn(move || {
                    let mut objects = 0;
                    for c in all.iter().skip(w).step_by(2) {
                        objects += check(c);
                    }
                    objects
                })
            })
            .collect();
        workers.into_iter().map(|w| w.join().unwrap()).sum()
    });
    eprintln!(
        "{} schemas ({} media types and request bodies) x {SEEDS} seeds x 2 densities, {objects} dense objects checked for every property, in {:?}",
        all.len(),
        cases().len(),
        started.elapsed()
    );
}

/// 1,000 seeds of one schema, both densities; the dense objects checked.
fn check(c: &Case) -> usize {
    let hints = Hints {
        path_params: &c.params,
    };
    let mut objects = 0;
    for density in [Density::Dense, Density::Sparse] {
        for seed in 0..SEEDS {
            let v = generate_as(c.plans, &c.schema.loc, seed, &hints, c.dir, density);
            if let Some(e) = c.schema.iter_errors(&v).next() {
                panic!(
                    "{} {density:?}: seed {seed}: invalid at {:?}: {e}\nbody: {}",
                    c.label,
                    e.instance_path().to_string(),
                    serde_json::to_string_pretty(&v).unwrap()
                );
            }
            if density == Density::Dense {
                objects += carries_every_property(c, &c.schema.loc, &v, 0, "");
            }
        }
    }
    objects
}
