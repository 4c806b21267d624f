//! The constraints on one value: the plans at its place merged (`$ref`s and
//! `allOf`s followed), and a branch of each `anyOf`/`oneOf` chosen.

use serde_json::Value;

use super::analysis::Ctx;
use super::check::json_eq;
use super::numbers::{max_f, max_i, min_f, min_i, min_opt};
use super::plan::{ArrayPlan, Kind, ObjectPlan, PlanId};
use super::strings::{Format, Pattern};
use super::{Gen, MAX_GROUPS, MAX_MERGED, Mode};
use crate::spec::Direction;

/// What one object schema says about properties.
#[derive(Clone)]
pub(super) struct ObjRule<'a> {
    pub obj: &'a ObjectPlan,
    /// Properties of this schema left out in this direction (`writeOnly` in responses).
    pub hidden: &'a [Box<str>],
}

/// A choice still to make.
#[derive(Clone, Copy)]
pub(super) enum Group<'a> {
    AnyOf(&'a [PlanId]),
    OneOf(&'a [PlanId]),
    IfThen(PlanId, PlanId),
}

/// Every constraint that applies to one value.
#[derive(Default, Clone)]
pub(super) struct Facts<'a> {
    pub seen: Vec<PlanId>,
    pub unsat: bool,
    pub types: Option<u8>,
    pub inferred: u8,
    pub konst: Option<&'a Value>,
    pub enums: Option<Vec<&'a Value>>,
    pub min_len: u64,
    pub max_len: Option<u64>,
    pub patterns: Vec<&'a Pattern>,
    pub formats: Vec<&'a Format>,
    pub minimum: Option<f64>,
    pub ex_min: Option<f64>,
    /// The bounds as integers, exact (f64 cannot hold every i64).
    pub int_lo: Option<i128>,
    pub int_hi: Option<i128>,
    pub maximum: Option<f64>,
    pub ex_max: Option<f64>,
    pub multiple_of: Vec<f64>,
    pub min_items: u64,
    pub max_items: Option<u64>,
    pub unique: bool,
    pub arrays: Vec<&'a ArrayPlan>,
    pub contains: Vec<PlanId>,
    pub min_contains: u64,
    pub objects: Vec<ObjRule<'a>>,
    pub required: Vec<&'a str>,
    pub min_props: u64,
    pub max_props: Option<u64>,
    pub dependent: Vec<(&'a str, &'a [Box<str>])>,
    pub groups: Vec<Group<'a>>,
    /// The branch chosen for each `anyOf`/`oneOf`: (its list's address, index).
    pub choices: Vec<(usize, usize)>,
    pub examples: Vec<&'a Value>,
    /// Some constraint is only checked after the fact (`oneOf`, `not`, ...).
    pub needs_check: bool,
}

/// The identity of a list of branches (stable: it lives in the plans).
fn addr_of_slice(v: &[PlanId]) -> usize {
    v.as_ptr() as usize
}

impl<'a> Gen<'a> {
    /// Merge one plan (and everything it brings by `$ref`/`allOf`) into
    /// `f`: its own keywords first, then its `$ref`'s, then its `allOf`'s (so
    /// an object's own properties come first in the output).
    pub(super) fn collect(&self, s: PlanId, f: &mut Facts<'a>) {
        let k = match &self.plans.plan(s).kind {
            Kind::Never => {
                f.unsat = true;
                return;
            }
            Kind::Schema(k) => k,
            Kind::Any => return,
        };
        if f.seen.contains(&s) || f.seen.len() >= MAX_MERGED {
            return;
        }
        f.seen.push(s);
        f.inferred |= k.inferred;
        if let Some(mask) = k.types {
            f.types = Some(f.types.map_or(mask, |t| t & mask));
        }
        if let Some(c) = &k.rare().konst {
            match f.konst {
                Some(prev) if !json_eq(prev, c) => f.unsat = true,
                _ => f.konst = Some(c),
            }
        }
        if let Some(e) = &k.enumeration {
            f.enums = Some(match f.enums.take() {
                None => e.iter().collect(),
                Some(prev) => prev
                    .into_iter()
                    .filter(|x| e.iter().any(|y| json_eq(x, y)))
                    .collect(),
            });
        }
        // Strings.
        f.min_len = f.min_len.max(k.min_length.unwrap_or(0));
        f.max_len = min_opt(f.max_len, k.max_length);
        f.patterns.extend(k.pattern.as_deref());
        f.formats.extend(k.format.as_deref());
        // Numbers.
        f.minimum = max_f(f.minimum, k.numbers().minimum);
        f.ex_min = max_f(f.ex_min, k.numbers().ex_min);
        f.maximum = min_f(f.maximum, k.numbers().maximum);
        f.ex_max = min_f(f.ex_max, k.numbers().ex_max);
        f.int_lo = max_i(f.int_lo, k.numbers().int_lo);
        f.int_hi = min_i(f.int_hi, k.numbers().int_hi);
        f.multiple_of.extend(k.numbers().multiple_of);
        // Arrays.
        f.min_items = f.min_items.max(k.rare().min_items.unwrap_or(0));
        f.max_items = min_opt(f.max_items, k.rare().max_items);
        f.unique |= k.unique;
        f.arrays.extend(k.array.as_deref());
        if let Some(c) = k.rare().contains {
            f.contains.push(c);
            f.min_contains = f.min_contains.max(k.rare().min_contains.unwrap_or(1));
        }
        // Objects.
        f.min_props = f.min_props.max(k.rare().min_properties.unwrap_or(0));
        f.max_props = min_opt(f.max_props, k.rare().max_properties);
        let hidden = match self.dir {
            Direction::Request => &k.rare().hidden_request,
            Direction::Response => &k.rare().hidden_response,
        };
        for r in &k.required {
            if !hidden.contains(r) && !f.required.contains(&&**r) {
                f.required.push(r);
            }
        }
        if let Some(obj) = &k.object {
            f.objects.push(ObjRule { obj, hidden });
        }
        for (name, needs) in &k.rare().dependent_required {
            f.dependent.push((name, needs));
        }
        // Choices, made later by `resolve`.
        if let Some(b) = &k.rare().any_of {
            f.groups.push(Group::AnyOf(b));
        }
        if let Some(b) = &k.rare().one_of {
            f.groups.push(Group::OneOf(b));
        }
        if let (Some(cond), Some(then)) = (k.rare().if_, k.rare().then) {
            f.groups.push(Group::IfThen(cond, then));
        }
        f.needs_check |= k.needs_check;
        f.examples.extend(&k.examples);
        // Then what the schema brings in.
        if let Some(t) = k.reference {
            self.collect(t, f);
        }
        for x in &k.all_of {
            self.collect(*x, f);
        }
    }

    /// Choose a branch of every `anyOf`/`oneOf` (and whether to take the
    /// `then` of an `if`) and merge it in; branches may bring choices of
    /// their own. With the analysis of the value's context, only among its
    /// alternatives whose rank fits `budget` (not those in `avoid_alts`,
    /// which failed the check, while others remain): the alternative taken
    /// is returned. Without it (a context the analysis did not meet), among
    /// the branches whose types fit what is merged, not in `avoid`.
    pub(super) fn resolve(
        &mut self,
        f: &mut Facts<'a>,
        mode: Mode,
        ctx: Option<&'a Ctx>,
        budget: u8,
        avoid_alts: &[usize],
        avoid: &[(usize, usize)],
    ) -> Option<usize> {
        let mut cands: Vec<usize> = Vec::new();
        if let Some(c) = ctx {
            let fits = |a: &usize| c.alts[*a].rank() <= budget;
            cands = (0..c.alts.len())
                .filter(|a| fits(a) && !avoid_alts.contains(a))
                .collect();
            if cands.is_empty() {
                cands = (0..c.alts.len()).filter(fits).collect();
            }
        }
        let guided = ctx.filter(|_| !cands.is_empty());
        let mut i = 0;
        while i < f.groups.len() && i < MAX_GROUPS {
            // The branches the remaining alternatives take here.
            let open: Option<Vec<usize>> = guided.map(|c| {
                let mut o: Vec<usize> = cands
                    .iter()
                    .filter_map(|a| c.alts[*a].choices.get(i).map(|b| usize::from(*b)))
                    .collect();
                o.sort_unstable();
                o.dedup();
                o
            });
            let taken = match f.groups[i] {
                Group::AnyOf(branches) | Group::OneOf(branches) => {
                    let open = match open {
                        Some(o) => o,
                        None => self.open_branches(f, branches, avoid),
                    };
                    let b = self.branch(branches, mode, &open);
                    if let Some(b) = b {
                        f.choices.push((addr_of_slice(branches), b));
                        self.collect(branches[b], f);
                    }
                    b
                }
                Group::IfThen(cond, then) => {
                    // Satisfying `if` and `then` together satisfies the pair;
                    // the else side is left to chance and the check.
                    let both = open.as_ref().is_none_or(|o| o.len() > 1);
                    let take =
                        self.rng.chance(3, 4) && both || open.as_ref().is_some_and(|o| o == &[0]);
                    if take {
                        self.collect(cond, f);
                        self.collect(then, f);
                    }
                    Some(usize::from(!take))
                }
            };
            if let (Some(c), Some(b)) = (guided, taken) {
                cands.retain(|a| c.alts[*a].choices.get(i).map(|x| usize::from(*x)) == Some(b));
            }
            i += 1;
        }
        guided.and_then(|_| cands.first().copied())
    }

    /// The branches not in `avoid` (choices that already failed; all when
    /// every one did) whose types can meet what is merged so far, as the
    /// analysis of each branch alone found them.
    fn open_branches(
        &self,
        f: &Facts<'a>,
        branches: &'a [PlanId],
        avoid: &[(usize, usize)],
    ) -> Vec<usize> {
        let id = addr_of_slice(branches);
        let mut open: Vec<usize> = (0..branches.len())
            .filter(|i| !avoid.contains(&(id, *i)))
            .collect();
        if open.is_empty() {
            open = (0..branches.len()).collect();
        }
        let merged = f.types.unwrap_or(u8::MAX);
        let fits = |i: &usize| {
            self.an
                .and_then(|an| an.ctx(&branches[*i..=*i]))
                .is_none_or(|c| c.kinds() & merged != 0)
        };
        let fitting: Vec<usize> = open.iter().copied().filter(fits).collect();
        if fitting.is_empty() { open } else { fitting }
    }

    /// The index of a branch of `anyOf`/`oneOf`, among `open`: a `null`-only
    /// branch seldom (1 in 8) in full mode and always in minimal mode, where
    /// otherwise the simplest branch wins; uniformly among the others.
    fn branch(&mut self, branches: &'a [PlanId], mode: Mode, open: &[usize]) -> Option<usize> {
        if open.is_empty() {
            return None;
        }
        let plans = self.plans;
        let (nulls, others): (Vec<usize>, Vec<usize>) = open
            .iter()
            .partition(|i| plans.plan(branches[**i]).null_only);
        if mode != Mode::Full {
            if let Some(n) = nulls.first() {
                return Some(*n);
            }
            return others
                .iter()
                .min_by_key(|i| plans.plan(branches[**i]).cost)
                .copied();
        }
        if others.is_empty() || (!nulls.is_empty() && self.rng.chance(1, 8)) {
            return Some(nulls[self.rng.index(nulls.len())]);
        }
        Some(others[self.rng.index(others.len())])
    }
}
