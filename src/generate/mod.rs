//! Data generated from a JSON Schema (2020-12, as the loader leaves every
//! schema): response bodies when a document has no example, deterministic for
//! a seed.
//!
//! ```
//! use specmock::generate::{Hints, derive_seed, generate};
//!
//! let contract = specmock::Contract::bundled().unwrap();
//! let op = contract.operation("softwareone/put-public-v1-accounts-api-tokens-id").unwrap();
//! let plans = contract.plans(op.document()).unwrap();
//! let schema = op.responses()[0].content[0].schema.as_ref().unwrap();
//! let path = "/public/v1/accounts/api-tokens/TKN-1";
//! let params = [("id".into(), "TKN-1".to_string())];
//! let hints = Hints { path_params: &params };
//! let seed = derive_seed(7, &op.qualified_id(), path);
//! let body = generate(plans, &schema.loc, seed, &hints);
//! assert!(schema.is_valid(&body));
//! assert_eq!(body["id"], "TKN-1"); // the path parameter comes back
//! assert_eq!(body, generate(plans, &schema.loc, seed, &hints)); // same seed, same body
//! ```
//!
//! What is generated:
//! - `type` (one type or several, `null` included), `enum`, `const`;
//! - strings: `minLength`/`maxLength` (in characters), `pattern` (through
//!   `rand_regex`, after the ECMA-262 translation jsonschema itself uses;
//!   patterns it cannot handle fall back to the schema's examples, a witness
//!   string and plain text, each checked), and the formats `date-time`, `date`,
//!   `time`, `duration`, `uuid`, `email`, `uri`, `uri-reference`, `iri`,
//!   `uri-template`, `hostname`, `ipv4`, `ipv6`, `byte`, `json-pointer`,
//!   `relative-json-pointer` and `regex`;
//! - numbers: `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`,
//!   `multipleOf` (exact in decimal, as jsonschema checks it), and the
//!   `int32`/`int64` ranges;
//! - arrays: `items`, `prefixItems`, `minItems`/`maxItems`, `uniqueItems`,
//!   `contains`; by default `max(minItems, 1)` items (within `maxItems`),
//!   [`Density::Sparse`]: `minItems` to `minItems + 4`;
//! - objects: by default every declared property, required or optional
//!   (bodies look like the vendor's documentation, which SDKs are written
//!   against); [`Density::Sparse`] (`--sparse`, `Prefer: dynamic=sparse`):
//!   required properties always, optional ones with probability 1/2 (at most
//!   [`MAX_OPTIONAL`] per object). Either way no `additionalProperties`
//!   unless `minProperties` asks for more, `maxProperties` (optional ones
//!   dropped from the end), `dependentRequired`; `writeOnly` properties are
//!   left out of responses (`readOnly` ones out of requests, with
//!   [`generate_for`]), and so is a property no value can be made for (a
//!   `false` schema, or one the analysis finds ungeneratable);
//! - `allOf` is merged into one set of constraints; `anyOf` and `oneOf` pick a
//!   branch and merge it, only among the branches that agree with what is
//!   merged (an allOf member's `type: object` rules out the `null` branch a
//!   3.0 `nullable` on a `$ref` becomes); a `oneOf` value is checked not to
//!   match the other branches, and redrawn when it does; `not` and
//!   `if`/`then`/`else` are checked after the fact; `$ref` is followed
//!   across files.
//!
//! What can be generated is decided once per document at load
//! ([`Plans::ungeneratable`]): for each schema, the combinations of its
//! branches that do not contradict (types, `const`s, `enum`s, numeric and
//! length ranges, `minItems`/`maxItems`, `maxProperties`, required
//! properties a closed object forbids) and how deep the smallest value of
//! each type nests. A schema with none (say `allOf` of `type: string` and
//! `type: integer`, or required properties that recurse forever) is
//! ungeneratable, with the JSON pointer and the reason; the server answers
//! a request that needs it with a 500 problem and `specmock validate`
//! reports it. Otherwise generation only takes what the analysis found
//! possible, and every body validates.
//!
//! Bounds: below depth [`SOFT_DEPTH`], while a schema appears at most twice
//! among a value's ancestors (recursion) and while fewer than 10,000 values
//! have been made, generation is free; past any of them only required
//! properties and `minItems` items are made, and `null` is chosen where
//! allowed. Past depth 48 or 100,000 values nothing more is nested (an object
//! gets no property, an array no item); a value only takes a branch or type
//! whose required members fit in the depth left, so the bound never cuts a
//! required member. Arrays get at most [`MAX_ITEMS`] items and strings at
//! most [`MAX_STRING_CHARS`] characters (a schema that asks for more is
//! ungeneratable).
//!
//! Generation walks the document's [`Plans`] (one per schema node, built at
//! load: `$ref`s resolved, keywords read, patterns compiled), never the raw
//! JSON.
//!
//! Determinism: one ChaCha8 stream per call, seeded from the `u64` seed by
//! SplitMix64; objects are built in the schema's own property order; nothing
//! iterates a hash map. The same seed and documents give byte-identical JSON
//! on every run and platform (for a given version of specmock and its lock
//! file).

use serde_json::Value;

use crate::spec::{Direction, Loc};

mod analysis;
mod check;
mod facts;
mod findings;
mod keywords;
mod numbers;
mod objects;
mod plan;
mod rng;
mod strings;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod tests_analysis;
mod view;

use analysis::Analysis;
use check::matches_type;
use facts::Facts;
pub use findings::load_findings;
pub use plan::Plans;
use plan::{PlanId, T_ARR, T_BOOL, T_INT, T_NULL, T_NUM, T_OBJ, T_STR};
use rng::Rng;
pub use view::{Combinator, SchemaView};

/// Inputs that make generated bodies fit the request.
#[derive(Debug, Clone, Copy, Default)]
pub struct Hints<'a> {
    /// The request's path parameters, `(name, value)`, percent-decoded. A
    /// top-level property of the same name takes the value when its schema
    /// allows it, so `PUT /tokens/abc` answers with `"token": "abc"`.
    pub path_params: &'a [(std::sync::Arc<str>, String)],
}

impl Hints<'static> {
    /// No hints.
    pub const NONE: Hints<'static> = Hints { path_params: &[] };
}

/// Most items generated in one array, whatever `minItems` asks (a body past
/// it does not validate; no real contract asks for that many).
pub const MAX_ITEMS: usize = 1_000;

/// Most characters generated in one string (64 Ki), whatever `minLength` asks.
pub const MAX_STRING_CHARS: usize = 64 * 1024;

/// Nesting depth past which only required properties and `minItems` items
/// are generated.
pub const SOFT_DEPTH: usize = 8;

/// Most optional properties generated in one sparse object (a dense one has
/// them all).
pub const MAX_OPTIONAL: usize = 32;

/// Nesting depth past which nothing more is nested.
const HARD_DEPTH: usize = 48;
/// Values made before generation turns minimal...
const SOFT_NODES: usize = 10_000;
/// ...and before it stops nesting at all (bounds the body's size).
const HARD_NODES: usize = 100_000;
/// How often one schema may appear among a value's ancestors before the
/// value is made minimal (bounds recursive schemas such as Actor -> Audit -> Actor).
const MAX_REPEATS: usize = 2;
/// Draws of one value whose constraints are checked after the fact (`oneOf`, `not`...).
const ATTEMPTS: usize = 6;
/// Most schema objects merged into one value's constraints (`allOf` chains).
const MAX_MERGED: usize = 256;
/// Most `anyOf`/`oneOf`/`if` groups resolved for one value.
const MAX_GROUPS: usize = 64;
/// Depth bound of the after-the-fact checker (schema hops plus value depth).
const MAX_CHECK_DEPTH: u32 = 128;

/// How full generated objects and arrays are.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Density {
    /// Every declared property, arrays of at least one item: bodies that
    /// look like the vendor's documentation.
    #[default]
    Dense,
    /// Optional properties with probability 1/2, arrays of varied lengths
    /// from `minItems` on (`--sparse`, `Prefer: dynamic=sparse`).
    Sparse,
}

/// Generate a value valid against the schema at `loc`, deterministic for
/// `seed`, for a response (`writeOnly` properties left out).
///
/// `loc` is a schema location of the document whose `plans` these are (for
/// instance `Schema::loc` of a response media type); a location no plan was
/// built for gives `null`. See the module docs for what is supported and the
/// bounds that apply.
pub fn generate(plans: &Plans, loc: &Loc, seed: u64, hints: &Hints) -> Value {
    generate_as(plans, loc, seed, hints, Direction::Response, Density::Dense)
}

/// [`generate`] for either side of the exchange: `Direction::Request` leaves
/// `readOnly` properties out instead of `writeOnly` ones, matching the
/// request view the loader compiles request schemas in.
pub fn generate_for(plans: &Plans, loc: &Loc, seed: u64, hints: &Hints, dir: Direction) -> Value {
    generate_as(plans, loc, seed, hints, dir, Density::Dense)
}

/// [`generate_for`] with the density of objects and arrays chosen.
///
/// A schema [`Plans::ungeneratable`] names has no valid value: what this
/// gives for it is not one.
pub fn generate_as(
    plans: &Plans,
    loc: &Loc,
    seed: u64,
    hints: &Hints,
    dir: Direction,
    density: Density,
) -> Value {
    let Some(root) = plans.at(loc) else {
        // No plan there: not a schema an operation uses (a caller's typo).
        return Value::Null;
    };
    let mut g = Gen {
        plans,
        an: Some(plans.analysis(dir)),
        rng: Rng::new(seed),
        dir,
        sparse: density == Density::Sparse,
        hints: hints.path_params,
        nodes: 0,
        stack: Vec::new(),
        name: None,
    };
    g.node(&[root], 0)
}

/// Derive a per-response seed from a user seed, an operation id and the
/// request path, so that different requests get different bodies and the same
/// request gets the same one.
///
/// Stable across runs, platforms and Rust versions: FNV-1a over the seed's
/// little-endian bytes and the two strings (separated by `0xff`, a byte UTF-8
/// never contains), finished with SplitMix64. std's hashers are not used, as
/// their output may change between releases.
pub fn derive_seed(seed: u64, operation: &str, path: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    seed.to_le_bytes().into_iter().for_each(&mut eat);
    eat(0xff);
    operation.bytes().for_each(&mut eat);
    eat(0xff);
    path.bytes().for_each(&mut eat);
    splitmix64(h)
}

pub(super) fn splitmix64(x: u64) -> u64 {
    let mut z = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// How much to generate for one value.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// Optional properties and varied array lengths.
    Full,
    /// Required properties, `minItems` items, `null` where allowed.
    Minimal,
    /// Nothing nested at all.
    Bare,
}

struct Gen<'a> {
    plans: &'a Plans,
    /// What the analysis found can be generated (`None` while it runs).
    an: Option<&'a Analysis>,
    rng: Rng,
    dir: Direction,
    /// [`Density::Sparse`].
    sparse: bool,
    hints: &'a [(std::sync::Arc<str>, String)],
    /// Values made so far in this call.
    nodes: usize,
    /// Identities of the schemas of the values being made (recursion bound).
    stack: Vec<usize>,
    /// The name of the property the next `node` makes, for names that say
    /// what a string holds (`id`, `token`, `url`); taken by that `node`.
    name: Option<&'a str>,
}

impl<'a> Gen<'a> {
    /// A generator the analysis merges plans with (it draws nothing).
    pub(super) fn probe(plans: &'a Plans, dir: Direction) -> Gen<'a> {
        Gen {
            plans,
            an: None,
            rng: Rng::new(0),
            dir,
            sparse: false,
            hints: &[],
            nodes: 0,
            stack: Vec::new(),
            name: None,
        }
    }

    /// One value valid against every schema in `roots`, at nesting `depth`.
    pub(super) fn node(&mut self, roots: &[PlanId], depth: usize) -> Value {
        self.nodes += 1;
        let name = self.name.take();
        let id = self.identity(roots);
        let repeats = self.stack.iter().filter(|&&x| x == id).count();
        let mode = if depth >= HARD_DEPTH || self.nodes >= HARD_NODES {
            Mode::Bare
        } else if depth >= SOFT_DEPTH || self.nodes >= SOFT_NODES || repeats >= MAX_REPEATS {
            Mode::Minimal
        } else {
            Mode::Full
        };
        let ctx = self.an.and_then(|an| an.ctx(roots));
        let budget = analysis::budget(depth);
        self.stack.push(id);
        let mut value = Value::Null;
        // Alternatives (or, unguided, branch choices) that gave a value
        // failing the check, not to be taken again.
        let mut avoid_alts: Vec<usize> = Vec::new();
        let mut avoid: Vec<(usize, usize)> = Vec::new();
        for attempt in 1..=ATTEMPTS {
            let mut facts = Facts::default();
            for r in roots {
                self.collect(*r, &mut facts);
            }
            let alt = self.resolve(&mut facts, mode, ctx, budget, &avoid_alts, &avoid);
            let allowed = match (ctx, alt) {
                (Some(c), Some(a)) => c.alts[a].kinds(budget),
                _ => u8::MAX,
            };
            // Unguided, a choice can still contradict what is merged: choose again.
            let contradicted = alt.is_none() && (facts.types == Some(0) || facts.unsat);
            if contradicted && !facts.choices.is_empty() && attempt < ATTEMPTS {
                avoid.extend(facts.choices);
                continue;
            }
            value = self.value(&facts, roots, depth, mode, name, allowed);
            if !facts.needs_check || mode == Mode::Bare || self.plans.valid_all(roots, &value) {
                break;
            }
            match alt {
                Some(a) => avoid_alts.push(a),
                None => avoid.extend(facts.choices),
            }
        }
        self.stack.pop();
        value
    }

    /// The schema a value is "of", for recursion detection: the first root
    /// with leading `$ref`s followed.
    fn identity(&self, roots: &[PlanId]) -> usize {
        let Some(mut s) = roots.first().copied() else {
            return usize::MAX;
        };
        for _ in 0..8 {
            match self.plans.node(s).and_then(|n| n.reference) {
                Some(t) => s = t,
                None => break,
            }
        }
        s as usize
    }
    /// A value for merged constraints, of a type among `allowed` (the
    /// types the analysis found can be made at this depth).
    fn value(
        &mut self,
        f: &Facts<'a>,
        roots: &[PlanId],
        depth: usize,
        mode: Mode,
        name: Option<&str>,
        allowed: u8,
    ) -> Value {
        if f.unsat {
            return Value::Null;
        }
        if let Some(c) = f.konst {
            return c.clone();
        }
        if let Some(e) = &f.enums {
            return self.pick_enum(e, f, roots);
        }
        if mode == Mode::Full && !f.examples.is_empty() && self.rng.chance(1, 4) {
            let ex = f.examples[self.rng.index(f.examples.len())];
            // A dense body has every declared property: not an example's
            // object (or array of them), which may leave some out.
            let whole = self.sparse || !(ex.is_object() || ex.is_array());
            if whole && self.plans.valid_all(roots, ex) {
                return ex.clone();
            }
        }
        let mask = match f.types {
            Some(t) => t,
            None if f.inferred != 0 => f.inferred,
            None => T_STR,
        };
        let mask = match mask & allowed {
            0 => mask,
            m => m,
        };
        match self.kind(mask, mode) {
            T_NULL => Value::Null,
            T_BOOL => Value::Bool(self.rng.chance(1, 2)),
            T_OBJ => self.object(f, depth, mode),
            T_ARR => self.array(f, depth, mode),
            T_NUM => self.number(f),
            T_INT => self.integer(f),
            T_STR => Value::String(self.string(f, name)),
            _ => Value::Null, // no type allowed: nothing is valid
        }
    }

    /// The one type to generate: `null` seldom (1 in 8) unless it is the only
    /// choice, always in minimal mode.
    fn kind(&mut self, mask: u8, mode: Mode) -> u8 {
        if mask & T_NULL != 0 && (mode != Mode::Full || mask == T_NULL || self.rng.chance(1, 8)) {
            return T_NULL;
        }
        let mut kinds = Vec::with_capacity(6);
        for k in [T_BOOL, T_OBJ, T_ARR, T_NUM, T_STR] {
            if mask & k != 0 {
                kinds.push(k);
            }
        }
        if mask & T_INT != 0 && mask & T_NUM == 0 {
            kinds.push(T_INT);
        }
        if kinds.is_empty() {
            return 0;
        }
        kinds[self.rng.index(kinds.len())]
    }

    /// An enum value that also satisfies everything else (the first one when none does).
    fn pick_enum(&mut self, e: &[&'a Value], f: &Facts<'a>, roots: &[PlanId]) -> Value {
        if e.is_empty() {
            return Value::Null;
        }
        let start = self.rng.index(e.len());
        for i in 0..e.len() {
            let c = e[(start + i) % e.len()];
            if f.types.is_none_or(|t| matches_type(t, c)) && self.plans.valid_all(roots, c) {
                return c.clone();
            }
        }
        e[0].clone()
    }
}
