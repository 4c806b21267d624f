//! Objects and arrays: which properties and how many items, each made by `node`.

use serde_json::{Map, Value};

use super::analysis::budget;
use super::check::json_eq;
use super::facts::Facts;
use super::plan::PlanId;
use super::strings::WORDS;
use super::{Gen, MAX_ITEMS, MAX_OPTIONAL, Mode};

impl<'a> Gen<'a> {
    pub(super) fn object(&mut self, f: &Facts<'a>, depth: usize, mode: Mode) -> Value {
        if mode == Mode::Bare {
            return Value::Object(Map::new());
        }
        // Declared names in schema order, then required names declared nowhere.
        let mut names: Vec<&'a str> = Vec::new();
        for r in &f.objects {
            for (k, _) in &r.obj.props {
                if !names.contains(&&**k) {
                    names.push(k);
                }
            }
        }
        let hidden = |n: &str| f.objects.iter().any(|r| r.hidden.iter().any(|h| &**h == n));
        let max = usize::try_from(f.max_props.unwrap_or(u64::MAX)).unwrap_or(usize::MAX);
        let mut chosen: Vec<&'a str> = Vec::new();
        let mut optional = 0usize;
        for &n in &names {
            if f.required.contains(&n) {
                chosen.push(n);
            } else if hidden(n) || self.forbidden(f, n) {
                continue;
            } else if depth == 0 && self.hint(n).is_some() {
                if self.fits(&self.prop_schemas(f, n), depth + 1) {
                    chosen.push(n);
                }
            } else if mode == Mode::Full
                && (!self.sparse || optional < MAX_OPTIONAL && self.rng.chance(1, 2))
                && self.fits(&self.prop_schemas(f, n), depth + 1)
            {
                // Dense: every declared property (the node budget bounds the whole).
                chosen.push(n);
                optional += 1;
            }
        }
        for &r in &f.required {
            if !chosen.contains(&r) {
                chosen.push(r);
            }
        }
        // maxProperties: drop optional names from the end.
        while chosen.len() > max {
            match chosen.iter().rposition(|n| !f.required.contains(n)) {
                Some(i) => {
                    chosen.remove(i);
                }
                None => break,
            }
        }
        // dependentRequired: a present name brings the names it needs.
        for _ in 0..8 {
            let mut added = false;
            for (k, needs) in &f.dependent {
                if chosen.contains(k) {
                    for n in needs.iter().map(|n| &**n) {
                        if !chosen.contains(&n) {
                            chosen.push(n);
                            added = true;
                        }
                    }
                }
            }
            if !added {
                break;
            }
        }
        // Sized once: growing a map rehashes it, a quarter of the cost of
        // a large generated body.
        let min = usize::try_from(f.min_props)
            .unwrap_or(usize::MAX)
            .min(MAX_ITEMS);
        let mut out = Map::with_capacity(chosen.len().max(min));
        for &n in &chosen {
            let schemas = self.prop_schemas(f, n);
            self.name = Some(n);
            let v = match (depth, self.hint(n)) {
                (0, Some(h)) => self
                    .hinted(&schemas, h)
                    .unwrap_or_else(|| self.node(&schemas, depth + 1)),
                _ => self.node(&schemas, depth + 1),
            };
            self.name = None;
            out.insert(n.to_string(), v);
        }
        // minProperties: the remaining declared names, then names of our own.
        let mut extra = names
            .iter()
            .filter(|n| !out.contains_key(**n) && !hidden(n))
            .copied()
            .collect::<Vec<_>>();
        extra.reverse();
        let mut tries = 0;
        while out.len() < min && tries < 4 * min + 16 {
            tries += 1;
            let name = match extra.pop() {
                Some(n) => n.to_string(),
                None => self.property_name(f),
            };
            if out.contains_key(&name) || self.forbidden(f, &name) {
                continue;
            }
            let schemas = self.prop_schemas(f, &name);
            if !self.fits(&schemas, depth + 1) {
                continue;
            }
            let v = self.node(&schemas, depth + 1);
            out.insert(name, v);
        }
        Value::Object(out)
    }

    /// A value of these schemas can be made at `depth`, as far as the
    /// analysis knows (a context it did not meet is tried).
    fn fits(&self, schemas: &[PlanId], depth: usize) -> bool {
        self.an
            .and_then(|an| an.ctx(schemas))
            .is_none_or(|c| c.rank <= budget(depth))
    }

    /// The request's value for a path parameter named `name`, if any.
    fn hint(&self, name: &str) -> Option<&'a str> {
        self.hints
            .iter()
            .find(|(k, _)| **k == *name)
            .map(|(_, v)| v.as_str())
    }

    /// A path parameter's value as the property's value, when the property's
    /// schemas allow it: as a string, else as an integer or boolean.
    fn hinted(&self, schemas: &[PlanId], h: &str) -> Option<Value> {
        let mut candidates = vec![Value::String(h.to_string())];
        if let Ok(i) = h.parse::<i64>() {
            candidates.push(Value::from(i));
        }
        if let Ok(b) = h.parse::<bool>() {
            candidates.push(Value::Bool(b));
        }
        candidates
            .into_iter()
            .find(|c| self.plans.valid_all(schemas, c))
    }

    /// Every schema a property named `name` must satisfy: `properties` where
    /// declared, matching `patternProperties`, else `additionalProperties`.
    pub(super) fn prop_schemas(&self, f: &Facts<'a>, name: &str) -> Vec<PlanId> {
        let mut out = Vec::new();
        for r in &f.objects {
            let mut matched = false;
            if let Some(p) = r.obj.prop(name) {
                out.push(p);
                matched = true;
            }
            for (pat, p) in &r.obj.patterns {
                if pat.matches(name) {
                    out.push(*p);
                    matched = true;
                }
            }
            if !matched && let Some(a) = r.obj.additional {
                out.push(a);
            }
        }
        out
    }

    /// A property that no value can satisfy (`false` schema, closed object).
    pub(super) fn forbidden(&self, f: &Facts<'a>, name: &str) -> bool {
        self.prop_schemas(f, name)
            .iter()
            .any(|s| self.plans.is_false(*s))
    }

    /// A new property name: from a `patternProperties` pattern when there is one.
    fn property_name(&mut self, f: &Facts<'a>) -> String {
        let pattern = f
            .objects
            .iter()
            .flat_map(|r| r.obj.patterns.iter().map(|(p, _)| &**p))
            .next();
        if let Some(p) = pattern {
            let mut pf = Facts::default();
            pf.patterns.push(p);
            return self.string(&pf, None);
        }
        let w = WORDS[self.rng.index(WORDS.len())];
        format!("{w}{}", self.rng.below(1000))
    }

    pub(super) fn array(&mut self, f: &Facts<'a>, depth: usize, mode: Mode) -> Value {
        if mode == Mode::Bare {
            return Value::Array(Vec::new());
        }
        // `items: false` closes the array after its prefix.
        let mut limit = f
            .max_items
            .map_or(usize::MAX, |m| usize::try_from(m).unwrap_or(usize::MAX));
        for r in &f.arrays {
            if r.items.is_some_and(|i| self.plans.is_false(i)) {
                limit = limit.min(r.prefix.len());
            }
        }
        let lo = usize::try_from(f.min_items)
            .unwrap_or(usize::MAX)
            .min(MAX_ITEMS);
        let need = if f.contains.is_empty() {
            0
        } else {
            usize::try_from(f.min_contains.max(1))
                .unwrap_or(1)
                .min(MAX_ITEMS)
        };
        let lo = lo.max(need.min(limit));
        let hi = limit.min(MAX_ITEMS).max(lo);
        let len = match mode {
            Mode::Full if self.sparse => lo + self.rng.index((hi - lo).min(4) + 1),
            // Dense: one item where none is required, as a vendor's example shows.
            Mode::Full => lo.max(1).min(hi),
            _ => lo,
        };
        let mut items: Vec<Value> = Vec::with_capacity(len);
        for i in 0..len {
            let mut schemas = self.item_schemas(f, i);
            if i < need {
                schemas.extend(f.contains.iter().copied());
            }
            // Past the minimum, only items that can be made at this depth.
            if i >= lo && !self.fits(&schemas, depth + 1) {
                break;
            }
            let mut v = self.node(&schemas, depth + 1);
            if f.unique {
                let mut tries = 0;
                while items.iter().any(|x| json_eq(x, &v)) && tries < 8 {
                    v = self.node(&schemas, depth + 1);
                    tries += 1;
                }
                if items.iter().any(|x| json_eq(x, &v)) && items.len() >= lo {
                    break; // the item schema has run out of distinct values
                }
            }
            items.push(v);
        }
        Value::Array(items)
    }

    pub(super) fn item_schemas(&self, f: &Facts<'a>, i: usize) -> Vec<PlanId> {
        f.arrays
            .iter()
            .filter_map(|r| r.prefix.get(i).copied().or(r.items))
            .collect()
    }
}
