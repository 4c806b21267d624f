//! What can be generated, decided once per document at load, over the plans.
//!
//! A *context* is the list of schemas one value must satisfy, as generation
//! forms it: a media type's schema, or the schemas a property or an item gets
//! from the rules merged at its parent. For each context the analysis keeps
//! the *alternatives* (its `anyOf`/`oneOf`/`if` groups resolved one way, in
//! the order `resolve` meets them) whose merged constraints agree, and for
//! each JSON type an alternative can take, its *rank*: how deep the smallest
//! such value nests (required properties, `minItems` items). Ranks are the
//! least fixed point of "one more than the deepest requirement", so required
//! members that recurse forever never get one.
//!
//! Generation only takes an alternative and a type whose rank fits the depth
//! left before [`HARD_DEPTH`], so every required member is always made and
//! recursion still ends. A context with no alternative is ungeneratable, and
//! keeps why.

use std::collections::HashMap;

use serde_json::Value;

use super::check::matches_type;
use super::facts::{Facts, Group};
use super::numbers::{integer_fits, number_fits};
use super::plan::{PlanId, Plans, T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR};
use super::{Gen, HARD_DEPTH, MAX_GROUPS, MAX_ITEMS, MAX_STRING_CHARS};
use crate::spec::{Direction, Loc};

/// No value: the alternative or type is impossible, or nests too deep.
pub(super) const NO: u8 = u8::MAX;
/// The deepest a value made at depth 0 may nest (generation stops nesting there).
pub(super) const MAX_RANK: u8 = HARD_DEPTH as u8;
/// Most alternatives kept per context (combinations of several groups' branches).
const MAX_ALTS: usize = 64;

/// The types in bit order: a type's index in [`Alt::ranks`] is its bit's position.
const KINDS: [u8; 7] = [T_NULL, T_BOOL, T_OBJ, T_ARR, T_NUM, T_INT, T_STR];

/// The rank a value made at `depth` may have.
pub(super) fn budget(depth: usize) -> u8 {
    MAX_RANK.saturating_sub(u8::try_from(depth).unwrap_or(u8::MAX))
}

/// The analysis for one direction (which of `writeOnly`/`readOnly` is hidden).
#[derive(Default)]
pub(super) struct Analysis {
    /// Context of each plan alone, by plan id.
    single: Vec<u32>,
    /// Contexts of several plans, keyed in the order generation lists them.
    multi: HashMap<Box<[PlanId]>, u32>,
    ctxs: Vec<Ctx>,
}

pub(super) struct Ctx {
    pub alts: Box<[Alt]>,
    /// The smallest rank of any alternative and type ([`NO`]: none).
    pub rank: u8,
    /// Why no value can be made, when none can.
    pub why: Option<Box<str>>,
}

pub(super) struct Alt {
    /// The branch taken at each group, in the order `resolve` meets them
    /// (for `if`: 0 merges `if` and `then`, 1 leaves them to the check).
    pub choices: Box<[u16]>,
    /// The rank of each type, by bit position; [`NO`] where impossible.
    pub ranks: [u8; 7],
}

impl Alt {
    pub fn rank(&self) -> u8 {
        self.ranks.iter().copied().min().unwrap_or(NO)
    }

    /// The type bits whose rank fits `budget`.
    pub fn kinds(&self, budget: u8) -> u8 {
        let mut m = 0;
        for (i, r) in self.ranks.iter().enumerate() {
            if *r <= budget {
                m |= 1 << i;
            }
        }
        m
    }
}

impl Ctx {
    /// Every type bit some alternative can take (a number may be an integer).
    pub fn kinds(&self) -> u8 {
        let m = self.alts.iter().fold(0, |m, a| m | a.kinds(MAX_RANK));
        if m & T_NUM != 0 { m | T_INT } else { m }
    }
}

impl Analysis {
    /// The context generation forms for `roots`, when the analysis met it.
    pub(super) fn ctx(&self, roots: &[PlanId]) -> Option<&Ctx> {
        let id = match roots {
            [one] => *self.single.get(*one as usize)?,
            _ => *self.multi.get(roots)?,
        };
        self.ctxs.get(id as usize)
    }

    /// Analyse every plan of `plans` (each alone, and every context generation
    /// forms below them) for one direction.
    pub(super) fn build(plans: &Plans, dir: Direction, root_file: &str) -> Analysis {
        let mut locs: Vec<Option<&Loc>> = vec![None; plans.plans.len()];
        for (loc, id) in plans.locations() {
            let slot = &mut locs[id as usize];
            if slot.is_none_or(|l| loc < l) {
                *slot = Some(loc);
            }
        }
        let mut b = Build {
            g: Gen::probe(plans, dir),
            keys: Vec::new(),
            single: vec![u32::MAX; plans.plans.len()],
            multi: HashMap::new(),
            local: Vec::new(),
            locs,
            root_file,
        };
        for p in 0..plans.plans.len() {
            b.intern(&[p as PlanId]);
        }
        // Contexts are found while evaluating others: evaluate until none is new.
        while b.local.len() < b.keys.len() {
            let l = b.eval(b.local.len());
            b.local.push(l);
        }
        let rank = b.ranks();
        let ctxs = (0..b.keys.len()).map(|c| b.finish(c, &rank)).collect();
        Analysis {
            single: b.single,
            multi: b.multi,
            ctxs,
        }
    }
}

/// What one type of one alternative needs.
enum Need {
    /// Nothing can be made (why).
    No(String),
    /// The contexts of the members it cannot do without, with what each is.
    Members(Vec<(String, u32)>),
}

struct LocalAlt {
    choices: Vec<u16>,
    /// The types generation may pick here, by bit position.
    kinds: Vec<(usize, Need)>,
    /// Why no type at all can be made (a conflict before any type is chosen).
    fail: Option<String>,
}

/// A context as evaluated alone (what it needs, not yet whether that can be had).
struct Local {
    alts: Vec<LocalAlt>,
    /// Why no combination of branches agrees, when none does.
    why: Option<String>,
}

struct Build<'a> {
    /// A generator that is never drawn from: it merges plans as generation does.
    g: Gen<'a>,
    keys: Vec<Box<[PlanId]>>,
    single: Vec<u32>,
    multi: HashMap<Box<[PlanId]>, u32>,
    local: Vec<Local>,
    /// Where each plan is (its least location), for messages.
    locs: Vec<Option<&'a Loc>>,
    root_file: &'a str,
}

impl<'a> Build<'a> {
    fn intern(&mut self, roots: &[PlanId]) -> u32 {
        let known = match roots {
            [one] => Some(self.single[*one as usize]).filter(|c| *c != u32::MAX),
            _ => self.multi.get(roots).copied(),
        };
        if let Some(c) = known {
            return c;
        }
        let c = u32::try_from(self.keys.len()).expect("fewer than 2^32 contexts");
        self.keys.push(roots.into());
        match roots {
            [one] => self.single[*one as usize] = c,
            _ => {
                self.multi.insert(roots.into(), c);
            }
        }
        c
    }

    fn eval(&mut self, c: usize) -> Local {
        let roots = self.keys[c].clone();
        let mut base = Facts::default();
        for r in roots.iter() {
            self.g.collect(*r, &mut base);
        }
        let mut leaves = Vec::new();
        let mut why = None;
        self.expand(base, 0, &mut Vec::new(), &mut leaves, &mut why);
        let alts = leaves
            .into_iter()
            .map(|(choices, f)| self.alternative(choices, &f, &roots))
            .collect();
        Local { alts, why }
    }

    /// Every way of resolving the groups from the `i`th on that does not
    /// contradict what is merged, as `resolve` would merge them.
    fn expand(
        &self,
        f: Facts<'a>,
        i: usize,
        choices: &mut Vec<u16>,
        out: &mut Vec<(Vec<u16>, Facts<'a>)>,
        why: &mut Option<String>,
    ) {
        if out.len() >= MAX_ALTS {
            return;
        }
        if i >= f.groups.len() || i >= MAX_GROUPS {
            out.push((choices.clone(), f));
            return;
        }
        match f.groups[i] {
            Group::AnyOf(branches) | Group::OneOf(branches) => {
                for (k, &p) in branches.iter().enumerate().take(usize::from(u16::MAX)) {
                    let mut g = f.clone();
                    self.g.collect(p, &mut g);
                    if let Some(w) = conflict(&g) {
                        why.get_or_insert_with(|| {
                            format!("no branch of its anyOf/oneOf fits the rest (branch {k}: {w})")
                        });
                        continue;
                    }
                    choices.push(k as u16);
                    self.expand(g, i + 1, choices, out, why);
                    choices.pop();
                }
            }
            Group::IfThen(cond, then) => {
                let mut g = f.clone();
                self.g.collect(cond, &mut g);
                self.g.collect(then, &mut g);
                if conflict(&g).is_none() {
                    choices.push(0);
                    self.expand(g, i + 1, choices, out, why);
                    choices.pop();
                }
                choices.push(1);
                self.expand(f, i + 1, choices, out, why);
                choices.pop();
            }
        }
    }

    /// What each type generation may pick for merged constraints needs.
    fn alternative(&mut self, choices: Vec<u16>, f: &Facts<'a>, roots: &[PlanId]) -> LocalAlt {
        let mut alt = LocalAlt {
            choices,
            kinds: Vec::new(),
            fail: None,
        };
        if f.types == Some(0) {
            alt.fail = Some(self.no_common_type(f));
            return alt;
        }
        if let Some(w) = conflict(f) {
            alt.fail = Some(w.to_string());
            return alt;
        }
        // A const or an enum value is the whole value: valid or not, nothing nests.
        if let Some(c) = f.konst {
            if self.g.plans.valid_all(roots, c) {
                alt.kinds.push((kind_of(c), Need::Members(Vec::new())));
            } else {
                alt.fail = Some(format!(
                    "its `const` {} does not satisfy the other constraints merged here",
                    short(c)
                ));
            }
            return alt;
        }
        if let Some(e) = &f.enums {
            for x in e {
                if f.types.is_none_or(|t| matches_type(t, x)) && self.g.plans.valid_all(roots, x) {
                    let k = kind_of(x);
                    if !alt.kinds.iter().any(|(p, _)| *p == k) {
                        alt.kinds.push((k, Need::Members(Vec::new())));
                    }
                }
            }
            if alt.kinds.is_empty() {
                alt.fail =
                    Some("no `enum` value satisfies the other constraints merged here".into());
            }
            return alt;
        }
        let mask = match f.types {
            Some(t) => t,
            None if f.inferred != 0 => f.inferred,
            None => T_STR,
        };
        for (pos, k) in KINDS.iter().enumerate() {
            // As `Gen::kind` picks: "number" (NUM|INT) is made as a number.
            if mask & k == 0 || (*k == T_INT && mask & T_NUM != 0) {
                continue;
            }
            let need = match *k {
                T_NULL | T_BOOL => Need::Members(Vec::new()),
                T_INT if integer_fits(f) => Need::Members(Vec::new()),
                T_INT => Need::No("no integer satisfies its bounds and multipleOf".into()),
                T_NUM if number_fits(f) => Need::Members(Vec::new()),
                T_NUM => Need::No("no number satisfies its bounds and multipleOf".into()),
                T_STR => string_need(f),
                T_ARR => self.array_need(f),
                _ => self.object_need(f),
            };
            alt.kinds.push((pos, need));
        }
        alt
    }

    fn array_need(&mut self, f: &Facts<'a>) -> Need {
        let mut limit = f.max_items.unwrap_or(u64::MAX);
        for r in &f.arrays {
            if r.items.is_some_and(|i| self.g.plans.is_false(i)) {
                limit = limit.min(r.prefix.len() as u64);
            }
        }
        let need = if f.contains.is_empty() {
            0
        } else {
            f.min_contains.max(1)
        };
        let lo = f.min_items.max(need);
        if lo > limit {
            return Need::No(format!(
                "it needs {lo} items (minItems/contains) and allows at most {limit}"
            ));
        }
        if lo > MAX_ITEMS as u64 {
            return Need::No(format!(
                "it needs {lo} items, more than the {MAX_ITEMS} generation makes in one array"
            ));
        }
        let (lo, need) = (lo as usize, need as usize);
        let mut needs: Vec<(String, u32)> = Vec::new();
        for i in 0..lo {
            let mut schemas = self.g.item_schemas(f, i);
            if i < need {
                schemas.extend(f.contains.iter().copied());
            }
            let c = self.intern(&schemas);
            if !needs.iter().any(|(_, n)| *n == c) {
                needs.push((format!("item {i}"), c));
            }
        }
        // The items generation may add past the minimum (four at most).
        let extra = usize::try_from(limit).unwrap_or(usize::MAX).min(lo + 5);
        for i in lo..extra {
            let schemas = self.g.item_schemas(f, i);
            self.intern(&schemas);
        }
        Need::Members(needs)
    }

    fn object_need(&mut self, f: &Facts<'a>) -> Need {
        let mut needs = Vec::new();
        for &r in &f.required {
            if self.g.forbidden(f, r) {
                return Need::No(format!(
                    "its required property `{r}` is not allowed (a `false` schema or additionalProperties: false)"
                ));
            }
            let schemas = self.g.prop_schemas(f, r);
            needs.push((format!("required property `{r}`"), self.intern(&schemas)));
        }
        let required = f.required.len() as u64;
        if let Some(max) = f.max_props {
            if required > max {
                return Need::No(format!(
                    "it requires {required} properties and allows at most {max} (maxProperties)"
                ));
            }
            if f.min_props > max {
                return Need::No(format!(
                    "minProperties {} is above maxProperties {max}",
                    f.min_props
                ));
            }
        }
        // The optional members generation may add (a name declared by
        // several merged schemas once).
        let mut optional: Vec<&str> = Vec::new();
        for r in &f.objects {
            for (name, _) in &r.obj.props {
                let hidden = f.objects.iter().any(|o| o.hidden.contains(name));
                if f.required.contains(&&**name)
                    || optional.contains(&&**name)
                    || hidden
                    || self.g.forbidden(f, name)
                {
                    continue;
                }
                optional.push(name);
                let schemas = self.g.prop_schemas(f, name);
                self.intern(&schemas);
            }
        }
        let optional = optional.len() as u64;
        let open = f.objects.iter().all(|r| {
            !r.obj.patterns.is_empty() || r.obj.additional.is_none_or(|a| !self.g.plans.is_false(a))
        });
        if f.min_props > required + optional && !open {
            return Need::No(format!(
                "minProperties {} asks for more properties than the {} it allows",
                f.min_props,
                required + optional
            ));
        }
        Need::Members(needs)
    }

    /// The least ranks: relaxed from "none" until nothing changes.
    fn ranks(&self) -> Vec<u8> {
        let mut rank = vec![NO; self.keys.len()];
        loop {
            let mut changed = false;
            // Children are found after their parents: later contexts first.
            for c in (0..self.keys.len()).rev() {
                let r = self.local[c]
                    .alts
                    .iter()
                    .flat_map(|a| &a.kinds)
                    .map(|(_, need)| need_rank(need, &rank))
                    .min()
                    .unwrap_or(NO);
                if r < rank[c] {
                    rank[c] = r;
                    changed = true;
                }
            }
            if !changed {
                return rank;
            }
        }
    }

    fn finish(&self, c: usize, rank: &[u8]) -> Ctx {
        let mut alts = Vec::new();
        for a in &self.local[c].alts {
            let mut ranks = [NO; 7];
            for (pos, need) in &a.kinds {
                ranks[*pos] = need_rank(need, rank);
            }
            if ranks.iter().any(|r| *r != NO) {
                alts.push(Alt {
                    choices: a.choices.clone().into(),
                    ranks,
                });
            }
        }
        Ctx {
            alts: alts.into(),
            rank: rank[c],
            why: (rank[c] == NO).then(|| self.explain(c, rank).into()),
        }
    }

    /// Why context `c` has no value: the first failing requirement followed
    /// down to a conflict, a cycle or the depth bound.
    fn explain(&self, c: usize, rank: &[u8]) -> String {
        let mut cur = c;
        let mut via: Vec<&str> = Vec::new();
        let mut seen = vec![c];
        let through = |via: &[&str]| {
            if via.is_empty() {
                String::new()
            } else {
                format!(" (through {})", via.join(" > "))
            }
        };
        loop {
            let local = &self.local[cur];
            let Some(alt) = local.alts.first() else {
                let why = local
                    .why
                    .as_deref()
                    .unwrap_or("no combination of its anyOf/oneOf branches fits the rest");
                return format!("{}: {why}{}", self.place(cur), through(&via));
            };
            let others = if local.alts.len() > 1 {
                " (nor does any other combination of its anyOf/oneOf branches)"
            } else {
                ""
            };
            if let Some(w) = &alt.fail {
                return format!("{}: {w}{others}{}", self.place(cur), through(&via));
            }
            let mut local_why = None;
            let mut next = None;
            let mut deep = false;
            for (_, need) in &alt.kinds {
                match need {
                    Need::No(w) => {
                        local_why.get_or_insert(w.as_str());
                    }
                    Need::Members(v) => {
                        for (label, n) in v {
                            match rank[*n as usize] {
                                NO => {
                                    next = Some((label.as_str(), *n as usize));
                                    break;
                                }
                                r if r >= MAX_RANK => deep = true,
                                _ => {}
                            }
                        }
                    }
                }
                if next.is_some() {
                    break;
                }
            }
            match next {
                Some((label, n)) => {
                    via.push(label);
                    if seen.contains(&n) {
                        return format!(
                            "{}: its required members recurse without end, so no finite value has them all{}",
                            self.place(n),
                            through(&via)
                        );
                    }
                    seen.push(n);
                    cur = n;
                }
                None if deep => {
                    return format!(
                        "{}: its required members nest deeper than the {MAX_RANK} levels generation makes{}",
                        self.place(cur),
                        through(&via)
                    );
                }
                None => {
                    let w = local_why.unwrap_or("no type it allows can be made");
                    return format!("{}: {w}{others}{}", self.place(cur), through(&via));
                }
            }
        }
    }

    /// Where a context's first schema is, as a JSON pointer (with its file
    /// when that is not the document's own).
    fn place(&self, c: usize) -> String {
        let Some(loc) = self.keys[c].first().and_then(|p| self.locs[*p as usize]) else {
            return "a value".into();
        };
        self.at(loc)
    }

    fn at(&self, loc: &Loc) -> String {
        if loc.file == self.root_file {
            loc.fragment()
        } else {
            format!("{}{}", loc.file, loc.fragment())
        }
    }

    /// "share no type", with the type each merged schema allows.
    fn no_common_type(&self, f: &Facts<'a>) -> String {
        let mut parts = Vec::new();
        for p in &f.seen {
            if let Some(t) = self.g.plans.node(*p).and_then(|n| n.types) {
                let place = self.locs[*p as usize].map_or(String::new(), |l| self.at(l));
                parts.push(format!("{} at {place}", type_names(t)));
            }
        }
        parts.truncate(4);
        format!(
            "the schemas merged here share no type ({})",
            parts.join("; ")
        )
    }
}

fn need_rank(need: &Need, rank: &[u8]) -> u8 {
    match need {
        Need::No(_) => NO,
        Need::Members(v) => {
            let mut r = 0u8;
            for (_, c) in v {
                let x = rank[*c as usize];
                if x >= MAX_RANK {
                    return NO;
                }
                r = r.max(x + 1);
            }
            r
        }
    }
}

fn string_need(f: &Facts<'_>) -> Need {
    if let Some(max) = f.max_len
        && f.min_len > max
    {
        return Need::No(format!("minLength {} is above maxLength {max}", f.min_len));
    }
    if f.min_len > MAX_STRING_CHARS as u64 {
        return Need::No(format!(
            "minLength {} is more than the {MAX_STRING_CHARS} characters generation makes",
            f.min_len
        ));
    }
    Need::Members(Vec::new())
}

/// Contradictions visible as soon as constraints are merged.
fn conflict(f: &Facts<'_>) -> Option<&'static str> {
    if f.unsat {
        Some("it merges the `false` schema, or two different `const`s")
    } else if f.types == Some(0) {
        Some("the schemas merged here share no type")
    } else if f.enums.as_ref().is_some_and(Vec::is_empty) {
        Some("the merged `enum`s share no value")
    } else if let (Some(c), Some(t)) = (f.konst, f.types)
        && !matches_type(t, c)
    {
        Some("its `const` is not of the type merged here")
    } else {
        None
    }
}

/// The bit position of a value's type.
fn kind_of(v: &Value) -> usize {
    let bit = KINDS
        .iter()
        .copied()
        .find(|k| matches_type(*k, v))
        .unwrap_or(T_STR);
    bit.trailing_zeros() as usize
}

fn type_names(mask: u8) -> String {
    let names: Vec<&str> = [
        (T_NULL, "null"),
        (T_BOOL, "boolean"),
        (T_OBJ, "object"),
        (T_ARR, "array"),
        (T_NUM, "number"),
        (T_INT, "integer"),
        (T_STR, "string"),
    ]
    .iter()
    .filter(|(b, n)| mask & b != 0 && !(*n == "integer" && mask & T_NUM != 0))
    .map(|(_, n)| *n)
    .collect();
    if names.is_empty() {
        "no type".into()
    } else {
        names.join(" or ")
    }
}

/// A value for a message, cut short.
fn short(v: &Value) -> String {
    let s = v.to_string();
    match s.char_indices().nth(60) {
        Some((i, _)) => format!("{}...", &s[..i]),
        None => s,
    }
}
