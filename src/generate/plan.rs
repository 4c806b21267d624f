//! Generation plans: every schema node an operation reaches, read once at
//! load into what generation and its checks need, `$ref`s resolved into plan
//! references (so a recursive schema is a cycle in the graph, not a copy).

use std::collections::HashMap;
use std::hash::BuildHasherDefault;
use std::sync::{Arc, OnceLock};

use serde_json::{Map, Value};

use super::analysis::Analysis;
use super::keywords::{branch_cost, int_bound, keywords, member};
use super::numbers::{max_i, min_i};
use super::strings::{Format, Pattern};
use crate::spec::{Direction, FileSet, Loc, Operation};

/// A plan's index in its store.
pub(super) type PlanId = u32;

// JSON types as bits. "number" is NUM|INT: an integer is a number.
pub(super) const T_NULL: u8 = 1;
pub(super) const T_BOOL: u8 = 2;
pub(super) const T_OBJ: u8 = 4;
pub(super) const T_ARR: u8 = 8;
pub(super) const T_NUM: u8 = 16;
pub(super) const T_INT: u8 = 32;
pub(super) const T_STR: u8 = 64;

/// The generation plans of one document: one per schema node (a node reached
/// twice, by `$ref` or otherwise, has one plan), built at load, read-only after.
#[derive(Default)]
pub struct Plans {
    pub(super) plans: Vec<Plan>,
    /// Every location a node was reached at (what callers name a schema by).
    at: HashMap<Loc, PlanId>,
    /// The root file of the document (locations elsewhere name their file in messages).
    root: String,
    /// What can be generated for responses: analysed at load...
    response: Analysis,
    /// ...and for requests, analysed when first asked for (only the library API generates requests).
    request: OnceLock<Analysis>,
}

impl std::fmt::Debug for Plans {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Plans")
            .field("plans", &self.plans.len())
            .finish()
    }
}

impl Plans {
    /// The plans of every schema the operations' parameters, request bodies
    /// and responses use, and of every node those reach.
    pub fn for_operations<'a>(
        files: &FileSet,
        operations: impl IntoIterator<Item = &'a Operation>,
    ) -> Plans {
        let mut roots: Vec<&Loc> = Vec::new();
        for op in operations {
            roots.extend(
                op.parameters
                    .iter()
                    .filter_map(|p| p.schema.as_ref().map(|s| &s.loc)),
            );
            let bodies = op.request_body.iter().flat_map(|b| &b.content);
            roots.extend(
                op.responses
                    .iter()
                    .flat_map(|r| &r.headers)
                    .filter_map(|h| h.schema.as_ref()),
            );
            let responses = op.responses.iter().flat_map(|r| &r.content);
            roots.extend(
                bodies
                    .chain(responses)
                    .filter_map(|m| m.schema.as_ref().map(|s| &s.loc)),
            );
        }
        Plans::build(files, roots)
    }

    /// The plans of the schemas at `roots` and of every node they reach.
    pub fn build<'l>(files: &FileSet, roots: impl IntoIterator<Item = &'l Loc>) -> Plans {
        let mut b = Builder {
            files,
            plans: Vec::new(),
            by_addr: HashMap::default(),
            refs: HashMap::new(),
            at: HashMap::new(),
            queue: Vec::new(),
            patterns: HashMap::new(),
            formats: HashMap::new(),
        };
        for loc in roots {
            // Operations share their components: most roots are known already.
            if b.at.contains_key(loc) {
                continue;
            }
            if let Some((file, v)) = b.value_at(loc) {
                b.intern(file, v, loc.clone());
            }
        }
        while let Some((id, file, v, loc)) = b.queue.pop() {
            b.plans[id as usize] = b.compile(file, v, &loc);
        }
        let mut plans = Plans {
            plans: b.plans,
            at: b.at,
            root: files.root.clone(),
            response: Analysis::default(),
            request: OnceLock::new(),
        };
        plans.response = Analysis::build(&plans, Direction::Response, &plans.root);
        plans
    }

    /// The analysis of what can be generated in one direction.
    pub(super) fn analysis(&self, dir: Direction) -> &Analysis {
        match dir {
            Direction::Response => &self.response,
            Direction::Request => self
                .request
                .get_or_init(|| Analysis::build(self, Direction::Request, &self.root)),
        }
    }

    /// Why no value of the schema at `loc` can be generated (for `dir`), when
    /// none can: its constraints contradict one another, or its required
    /// members recurse without end. `None` for a schema that can be, and for
    /// a location no plan was built for.
    pub fn ungeneratable(&self, loc: &Loc, dir: Direction) -> Option<&str> {
        let id = self.at(loc)?;
        self.analysis(dir).ctx(&[id])?.why.as_deref()
    }

    /// Every location a plan was reached at.
    pub(super) fn locations(&self) -> impl Iterator<Item = (&Loc, PlanId)> {
        self.at.iter().map(|(l, id)| (l, *id))
    }

    /// How many schema nodes have a plan (a diagnostic).
    pub fn len(&self) -> usize {
        self.plans.len()
    }

    /// True when no schema has a plan.
    pub fn is_empty(&self) -> bool {
        self.plans.is_empty()
    }

    /// The plan of the schema at `loc`, if a plan was built for it.
    pub(super) fn at(&self, loc: &Loc) -> Option<PlanId> {
        self.at.get(loc).copied()
    }

    pub(super) fn plan(&self, id: PlanId) -> &Plan {
        &self.plans[id as usize]
    }

    /// The schema object behind a plan, if it is one (not `true`/`false`).
    pub(super) fn node(&self, id: PlanId) -> Option<&Node> {
        match &self.plans[id as usize].kind {
            Kind::Schema(n) => Some(n),
            _ => None,
        }
    }

    /// The plan is the `false` schema.
    pub(super) fn is_false(&self, id: PlanId) -> bool {
        matches!(self.plans[id as usize].kind, Kind::Never)
    }
}

/// One schema node.
pub(super) struct Plan {
    pub kind: Kind,
    /// Only `null` is valid (`type: null`, `const: null`, `enum: [null]`):
    /// the branch minimal values take.
    pub null_only: bool,
    /// How far a branch is from the smallest value: scalars first.
    pub cost: u8,
}

pub(super) enum Kind {
    /// `true`, or anything that is not a schema object: accepts all.
    Any,
    /// `false`: accepts nothing.
    Never,
    Schema(Box<Node>),
}

/// The keywords of one schema object, as generation and the check read them.
/// What most nodes have is inline; numeric bounds and the rarer keywords are
/// boxed apart, so a document's many small schemas stay small.
#[derive(Default)]
pub(super) struct Node {
    /// Where `$ref` leads (`None`: no `$ref`, or one that does not resolve).
    pub reference: Option<PlanId>,
    pub types: Option<u8>,
    /// Type bits the keywords present suggest (`properties` -> object...).
    pub inferred: u8,
    pub unique: bool,
    /// Some constraint is only checked after the fact (`oneOf`, `not`, ...).
    pub needs_check: bool,
    pub pattern: Option<Arc<Pattern>>,
    pub format: Option<Arc<Format>>,
    pub min_length: Option<u64>,
    pub max_length: Option<u64>,
    /// `required` names (entries that are not strings dropped: they constrain nothing).
    pub required: Box<[Box<str>]>,
    pub all_of: Box<[PlanId]>,
    pub enumeration: Option<Box<[Value]>>,
    /// `examples`, then `default`.
    pub examples: Box<[Value]>,
    pub array: Option<Box<ArrayPlan>>,
    pub object: Option<Box<ObjectPlan>>,
    numbers: Option<Box<Numbers>>,
    rare: Option<Box<Rare>>,
}

/// Numeric bounds.
#[derive(Default)]
pub(super) struct Numbers {
    pub minimum: Option<f64>,
    pub maximum: Option<f64>,
    pub ex_min: Option<f64>,
    pub ex_max: Option<f64>,
    /// The bounds as integers, exact (f64 cannot hold every i64).
    pub int_lo: Option<i128>,
    pub int_hi: Option<i128>,
    pub multiple_of: Option<f64>,
}

/// The keywords few schemas use.
#[derive(Default)]
pub(super) struct Rare {
    pub konst: Option<Value>,
    pub min_items: Option<u64>,
    pub max_items: Option<u64>,
    pub contains: Option<PlanId>,
    pub min_contains: Option<u64>,
    pub max_contains: Option<u64>,
    pub min_properties: Option<u64>,
    pub max_properties: Option<u64>,
    pub property_names: Option<PlanId>,
    /// `dependentRequired` entries whose value is a list (of its string names).
    pub dependent_required: Vec<(Box<str>, Vec<Box<str>>)>,
    pub dependent_schemas: Vec<(Box<str>, PlanId)>,
    pub any_of: Option<Box<[PlanId]>>,
    pub one_of: Option<Box<[PlanId]>>,
    pub not: Option<PlanId>,
    pub if_: Option<PlanId>,
    pub then: Option<PlanId>,
    pub else_: Option<PlanId>,
    /// Declared properties left out of responses (`writeOnly`)...
    pub hidden_response: Vec<Box<str>>,
    /// ...and out of requests (`readOnly`).
    pub hidden_request: Vec<Box<str>>,
}

static NO_NUMBERS: Numbers = Numbers {
    minimum: None,
    maximum: None,
    ex_min: None,
    ex_max: None,
    int_lo: None,
    int_hi: None,
    multiple_of: None,
};

static NO_RARE: Rare = Rare {
    konst: None,
    min_items: None,
    max_items: None,
    contains: None,
    min_contains: None,
    max_contains: None,
    min_properties: None,
    max_properties: None,
    property_names: None,
    dependent_required: Vec::new(),
    dependent_schemas: Vec::new(),
    any_of: None,
    one_of: None,
    not: None,
    if_: None,
    then: None,
    else_: None,
    hidden_response: Vec::new(),
    hidden_request: Vec::new(),
};

impl Node {
    pub fn numbers(&self) -> &Numbers {
        self.numbers.as_deref().unwrap_or(&NO_NUMBERS)
    }

    pub fn rare(&self) -> &Rare {
        self.rare.as_deref().unwrap_or(&NO_RARE)
    }
}

/// Items: 2020-12 `prefixItems` + `items`, or a draft 4 tuple `items` + `additionalItems`.
pub(super) struct ArrayPlan {
    pub prefix: Vec<PlanId>,
    pub items: Option<PlanId>,
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema.
pub(super) struct ObjectPlan {
    /// In the schema's own order (the order of the generated object).
    pub props: Vec<(Box<str>, PlanId)>,
    /// Name -> index into `props`, for objects with many properties.
    index: Option<HashMap<Box<str>, usize>>,
    pub patterns: Vec<(Arc<Pattern>, PlanId)>,
    pub additional: Option<PlanId>,
}

/// Past this many properties, look names up by hash rather than by scanning.
const SCAN_PROPS: usize = 16;

impl ObjectPlan {
    pub fn prop(&self, name: &str) -> Option<PlanId> {
        match &self.index {
            Some(ix) => ix.get(name).map(|&i| self.props[i].1),
            None => self
                .props
                .iter()
                .find(|(n, _)| &**n == name)
                .map(|(_, p)| *p),
        }
    }
}

// ------------------------------------------------------------------ building

struct Builder<'f> {
    files: &'f FileSet,
    plans: Vec<Plan>,
    /// Nodes by their address in the file set: one plan per node, however reached.
    by_addr: HashMap<usize, PlanId, BuildHasherDefault<AddrHasher>>,
    /// `$ref`s already resolved: (the file they are written in, the reference).
    refs: HashMap<(&'f str, &'f str), Option<PlanId>>,
    at: HashMap<Loc, PlanId>,
    /// Nodes with an id and no plan yet: (id, the file its refs are relative to, node, where).
    queue: Vec<(PlanId, &'f str, &'f Value, Loc)>,
    /// Patterns and formats compiled once per document, whatever repeats them.
    patterns: HashMap<String, Arc<Pattern>>,
    formats: HashMap<String, Arc<Format>>,
}

impl<'f> Builder<'f> {
    fn value_at(&self, loc: &Loc) -> Option<(&'f str, &'f Value)> {
        let (file, root) = self.files.files.get_key_value(&loc.file)?;
        Some((file, root.pointer(&loc.pointer)?))
    }

    /// The plan of the node `v` (found at `loc`), queued for compiling when new.
    fn intern(&mut self, file: &'f str, v: &'f Value, loc: Loc) -> PlanId {
        let key = std::ptr::from_ref(v) as usize;
        let id = match self.by_addr.get(&key) {
            Some(id) => *id,
            None => {
                let id = PlanId::try_from(self.plans.len()).expect("fewer than 2^32 schema nodes");
                self.by_addr.insert(key, id);
                self.plans.push(Plan {
                    kind: Kind::Any,
                    null_only: false,
                    cost: 4,
                });
                self.queue.push((id, file, v, loc.clone()));
                id
            }
        };
        self.at.entry(loc).or_insert(id);
        id
    }

    fn child(&mut self, file: &'f str, v: &'f Value, loc: &Loc, key: &str) -> PlanId {
        self.intern(file, v, loc.child(key))
    }

    fn list(&mut self, file: &'f str, vs: &'f [Value], loc: &Loc, key: &str) -> Vec<PlanId> {
        let base = loc.child(key);
        vs.iter()
            .enumerate()
            .map(|(i, v)| self.intern(file, v, base.child(&i.to_string())))
            .collect()
    }

    fn members(
        &mut self,
        file: &'f str,
        m: &'f Map<String, Value>,
        loc: &Loc,
        key: &str,
    ) -> Vec<(Box<str>, PlanId)> {
        let base = loc.child(key);
        m.iter()
            .map(|(k, v)| (k.as_str().into(), self.intern(file, v, base.child(k))))
            .collect()
    }

    fn pattern(&mut self, p: &str) -> Arc<Pattern> {
        self.patterns
            .entry(p.to_string())
            .or_insert_with(|| Arc::new(Pattern::new(p)))
            .clone()
    }

    fn compile(&mut self, file: &'f str, v: &'f Value, loc: &Loc) -> Plan {
        let null_only = member(v, "type").and_then(Value::as_str) == Some("null")
            || member(v, "const") == Some(&Value::Null)
            || member(v, "enum").is_some_and(|e| e.as_array().is_some_and(|e| e == &[Value::Null]));
        let kind = match v {
            Value::Bool(false) => Kind::Never,
            Value::Object(m) => Kind::Schema(Box::new(self.node(file, m, loc))),
            _ => Kind::Any,
        };
        Plan {
            kind,
            null_only,
            cost: branch_cost(v),
        }
    }

    fn node(&mut self, file: &'f str, m: &'f Map<String, Value>, loc: &Loc) -> Node {
        let k = keywords(m);
        let num = |v: Option<&Value>| v.and_then(Value::as_f64);
        let bound = |v: Option<&Value>, ex, lower| v.and_then(|v| int_bound(v, ex, lower));
        let mut n = Node {
            types: k.types,
            inferred: k.inferred,
            unique: k.unique,
            min_length: k.min_length,
            max_length: k.max_length,
            enumeration: k.enumeration.map(Into::into),
            ..Node::default()
        };
        let numbers = Numbers {
            minimum: num(k.minimum),
            maximum: num(k.maximum),
            ex_min: num(k.ex_min),
            ex_max: num(k.ex_max),
            int_lo: max_i(bound(k.minimum, false, true), bound(k.ex_min, true, true)),
            int_hi: min_i(bound(k.maximum, false, false), bound(k.ex_max, true, false)),
            multiple_of: k.multiple_of,
        };
        let numeric = k.minimum.is_some()
            || k.maximum.is_some()
            || k.ex_min.is_some()
            || k.ex_max.is_some()
            || k.multiple_of.is_some();
        n.numbers = numeric.then(|| Box::new(numbers));
        if let Some(r) = k.reference {
            n.reference = self.reference(file, r);
        }
        n.pattern = k.pattern.map(|p| self.pattern(p));
        n.format = k.format.map(|f| {
            self.formats
                .entry(f.to_string())
                .or_insert_with(|| Arc::new(Format::new(f)))
                .clone()
        });
        // Arrays.
        let array = match (k.prefix_items, k.items) {
            (Some(p), it) => Some(ArrayPlan {
                prefix: self.list(file, p, loc, "prefixItems"),
                items: it.map(|v| self.child(file, v, loc, "items")),
            }),
            (None, Some(Value::Array(p))) => Some(ArrayPlan {
                prefix: self.list(file, p, loc, "items"),
                items: k
                    .additional_items
                    .map(|v| self.child(file, v, loc, "additionalItems")),
            }),
            (None, Some(v)) => Some(ArrayPlan {
                prefix: Vec::new(),
                items: Some(self.child(file, v, loc, "items")),
            }),
            (None, None) => None,
        };
        n.array = array.map(Box::new);
        let mut r = Rare {
            konst: k.konst.cloned(),
            min_items: k.min_items,
            max_items: k.max_items,
            contains: k.contains.map(|v| self.child(file, v, loc, "contains")),
            min_contains: k.min_contains,
            max_contains: k.max_contains,
            min_properties: k.min_properties,
            max_properties: k.max_properties,
            ..Rare::default()
        };
        // Objects.
        let flagged = |flag: &str| -> Vec<Box<str>> {
            k.properties
                .into_iter()
                .flatten()
                .filter(|(_, p)| member(p, flag) == Some(&Value::Bool(true)))
                .map(|(name, _)| name.as_str().into())
                .collect()
        };
        r.hidden_response = flagged("writeOnly");
        r.hidden_request = flagged("readOnly");
        n.required = k
            .required
            .into_iter()
            .flatten()
            .filter_map(Value::as_str)
            .map(Into::into)
            .collect();
        if k.properties.is_some()
            || k.pattern_properties.is_some()
            || k.additional_properties.is_some()
        {
            let props = match k.properties {
                Some(p) => self.members(file, p, loc, "properties"),
                None => Vec::new(),
            };
            let index = (props.len() > SCAN_PROPS).then(|| {
                props
                    .iter()
                    .enumerate()
                    .map(|(i, (name, _))| (name.clone(), i))
                    .collect()
            });
            let mut patterns = Vec::new();
            if let Some(pp) = k.pattern_properties {
                let base = loc.child("patternProperties");
                for (pat, v) in pp {
                    let id = self.intern(file, v, base.child(pat));
                    patterns.push((self.pattern(pat), id));
                }
            }
            n.object = Some(Box::new(ObjectPlan {
                props,
                index,
                patterns,
                additional: k
                    .additional_properties
                    .map(|v| self.child(file, v, loc, "additionalProperties")),
            }));
        }
        r.property_names = k
            .property_names
            .map(|v| self.child(file, v, loc, "propertyNames"));
        r.dependent_required = k
            .dependent_required
            .into_iter()
            .flatten()
            .filter_map(|(name, needs)| {
                let needs = needs.as_array()?;
                let needs = needs.iter().filter_map(Value::as_str).map(Into::into);
                Some((name.as_str().into(), needs.collect()))
            })
            .collect();
        if let Some(d) = k.dependent_schemas {
            r.dependent_schemas = self.members(file, d, loc, "dependentSchemas");
        }
        // Combinators.
        if let Some(all) = k.all_of {
            n.all_of = self.list(file, all, loc, "allOf").into();
        }
        r.any_of = k.any_of.map(|b| self.list(file, b, loc, "anyOf").into());
        r.one_of = k.one_of.map(|b| self.list(file, b, loc, "oneOf").into());
        r.not = k.not.map(|v| self.child(file, v, loc, "not"));
        r.if_ = k.if_.map(|v| self.child(file, v, loc, "if"));
        r.then = k.then.map(|v| self.child(file, v, loc, "then"));
        r.else_ = k.else_.map(|v| self.child(file, v, loc, "else"));
        let mut examples: Vec<Value> = k.examples.into_iter().flatten().cloned().collect();
        examples.extend(k.default.cloned());
        n.examples = examples.into();
        n.needs_check = k.unique
            || k.contains.is_some()
            || k.min_properties.is_some()
            || k.max_properties.is_some()
            || k.dependent_required.is_some()
            || k.dependent_schemas.is_some()
            || k.property_names.is_some()
            || k.not.is_some()
            || k.one_of.is_some()
            || k.if_.is_some();
        let rare = r.konst.is_some()
            || k.min_items.is_some()
            || k.max_items.is_some()
            || r.contains.is_some()
            || k.min_contains.is_some()
            || k.max_contains.is_some()
            || k.min_properties.is_some()
            || k.max_properties.is_some()
            || r.property_names.is_some()
            || !r.dependent_required.is_empty()
            || !r.dependent_schemas.is_empty()
            || r.any_of.is_some()
            || r.one_of.is_some()
            || r.not.is_some()
            || r.if_.is_some()
            || r.then.is_some()
            || r.else_.is_some()
            || !r.hidden_response.is_empty()
            || !r.hidden_request.is_empty();
        n.rare = rare.then(|| Box::new(r));
        n
    }

    /// Where a `$ref` written in `file` leads, resolved once per distinct
    /// reference (a large document refers to its components many times).
    fn reference(&mut self, file: &'f str, raw: &'f str) -> Option<PlanId> {
        if let Some(hit) = self.refs.get(&(file, raw)) {
            return *hit;
        }
        let target = self
            .files
            .target_of(file, raw)
            .ok()
            .and_then(|t| Some((self.value_at(&t)?, t)))
            .map(|((tfile, tv), t)| self.intern(tfile, tv, t));
        self.refs.insert((file, raw), target);
        target
    }
}

/// A hasher for addresses: one multiply, no SipHash.
#[derive(Default)]
struct AddrHasher(u64);

impl std::hash::Hasher for AddrHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 = (self.0 ^ u64::from(*b)).wrapping_mul(0x0000_0100_0000_01b3);
        }
    }
    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
}
