//! Every field an operation declares, named and numbered once (on first
//! use, from the generation plans): what a request or response is walked
//! against to say which fields it used.
//!
//! A field is a (schema node, property) pair named by where it sits:
//! `path/id`, `query/limit`, `header/x-api-key` for parameters;
//! `request/owner/name` for request body properties; `response/200/items/[]/id`
//! for response body properties (the status key as declared). Array items
//! fold to `[]`, `additionalProperties` keys to `*`, and a schema node met
//! again below itself (recursion) is not entered again, so the set is finite.

use std::collections::HashMap;

use serde_json::Value;

use crate::generate::{Plans, SchemaView};
use crate::spec::{Direction, Operation, ParamIn};

/// Index of a mark in its catalogue.
pub type MarkId = u32;

/// Most marks one operation gets (a vendor's giant response schema expanded
/// along every path would otherwise cost memory for little insight).
pub const MAX_MARKS: usize = 1024;

/// Most walk nodes one catalogue builds. A node is built per place a schema
/// sits (fields are named by their path), so a graph of shared components
/// unrolls; past the marks' bound a node could name nothing new anyway.
const MAX_NODES: usize = 2 * MAX_MARKS;

/// What a mark counts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MarkKind {
    /// A parameter or a body property.
    Field,
    /// One value of a field's `enum` (the field's mark, the value as JSON).
    EnumValue(MarkId, String),
    /// One `oneOf`/`anyOf` branch below a field (`oneOf/0`).
    Branch(MarkId, String),
}

/// One thing a request or response can use.
#[derive(Debug, Clone)]
pub struct Mark {
    /// Its name ([`Catalog::mark_name`]): a field's (`request/owner/name`),
    /// or the field an enum value or branch belongs to.
    name: Span,
    /// What it counts.
    pub kind: MarkKind,
}

/// A piece of [`Catalog::text`]: every name of a catalogue sits in one
/// buffer, not a `String` each (catalogues live as long as the server,
/// one per operation used, and thousands of names add up).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Span {
    at: u32,
    len: u32,
}

/// A schema node as the walk sees it.
#[derive(Debug, Default)]
pub(super) struct Node {
    /// Declared properties: name, its mark, the node below (if any).
    pub props: Vec<(Span, MarkId, Option<usize>)>,
    /// `additionalProperties`: its `*` mark and the node below.
    pub additional: Option<(MarkId, Option<usize>)>,
    /// Array members.
    pub items: Option<usize>,
    /// `enum` values and their marks, when the node has an enum.
    pub enums: EnumMarks,
    /// `oneOf`/`anyOf` branches: mark, required names, the node of the branch.
    pub branches: Vec<Branch>,
}

/// One branch, with what tells a value of it apart: the JSON types it
/// admits, the members it requires, and (in the node below) single-valued
/// enums such as a discriminator's.
#[derive(Debug)]
pub(super) struct Branch {
    pub mark: MarkId,
    /// `oneOf` branches are exclusive: the first that fits is the one.
    pub exclusive: bool,
    pub required: Vec<Box<str>>,
    pub node: usize,
    /// [`type_bit`]s the branch admits.
    pub types: u8,
}

/// A value's JSON type as a bit (integers apart from other numbers).
pub(super) fn type_bit(v: crate::instance::Node<'_>) -> u8 {
    use jsonschema::JsonType;
    match v.kind() {
        JsonType::Null => 1,
        JsonType::Boolean => 2,
        JsonType::Object => 4,
        JsonType::Array => 8,
        JsonType::Number if v.number().is_some_and(|n| n.is_i64() || n.is_u64()) => 32,
        JsonType::Number | JsonType::Integer => 64,
        JsonType::String => 16,
    }
}

/// The [`type_bit`]s every node of `merged` admits.
fn admitted(merged: &[SchemaView]) -> u8 {
    let samples = [
        Value::Null,
        Value::Bool(true),
        Value::Object(Default::default()),
        Value::Array(Vec::new()),
        Value::String(String::new()),
        Value::from(1),
        Value::from(1.5),
    ];
    samples
        .iter()
        .filter(|v| merged.iter().all(|m| m.admits_type(v)))
        .fold(0, |acc, v| acc | type_bit(v.into()))
}

/// Enum values and their marks.
pub(super) type EnumMarks = Vec<(Value, MarkId)>;

/// A parameter: where, its name (lower-cased for headers), its mark, its enum.
#[derive(Debug)]
pub(super) struct Param {
    pub at: ParamIn,
    pub name: String,
    pub mark: MarkId,
    pub enums: EnumMarks,
}

/// Every field of one operation.
#[derive(Debug, Default)]
pub struct Catalog {
    pub(super) marks: Vec<Mark>,
    /// The marks' and properties' names, one after another.
    text: String,
    /// Parameters: where, the name (lower-cased for headers), the mark, its enum.
    pub(super) params: Vec<Param>,
    /// The request body's root node per media type.
    pub(super) request: Vec<(String, usize)>,
    /// Response roots: status key as declared, media type, node.
    pub(super) responses: Vec<(String, String, usize)>,
    pub(super) nodes: Vec<Node>,
    /// True when [`MAX_MARKS`] cut the catalogue.
    pub truncated: bool,
}

impl Catalog {
    /// The catalogue of an operation, from its document's plans.
    pub fn build(op: &Operation, plans: Option<&Plans>) -> Catalog {
        let mut b = Builder {
            cat: Catalog::default(),
            names: foldhash::HashMap::default(),
            key: String::new(),
            roots: HashMap::new(),
            plans,
        };
        for p in op.parameters() {
            let name = match p.location {
                ParamIn::Header => p.name.to_ascii_lowercase(),
                _ => p.name.clone(),
            };
            let full = format!("{}/{name}", p.location.as_str());
            let Some(mark) = b.field(&full) else { break };
            let enums = match (plans, &p.schema) {
                (Some(pl), Some(s)) => pl
                    .view(&s.loc)
                    .map(|v| b.enum_marks(&full, mark, &v))
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            b.cat.params.push(Param {
                at: p.location,
                name,
                mark,
                enums,
            });
        }
        for m in op.request_body().iter().flat_map(|r| &r.content) {
            let root = b.root(
                m.schema.as_ref().map(|s| &s.loc),
                "request",
                Direction::Request,
            );
            b.cat.request.push((m.media_type.clone(), root));
        }
        for r in op.responses() {
            let key = r.status.to_string();
            for m in &r.content {
                let prefix = format!("response/{key}");
                let root = b.root(
                    m.schema.as_ref().map(|s| &s.loc),
                    &prefix,
                    Direction::Response,
                );
                b.cat
                    .responses
                    .push((key.clone(), m.media_type.clone(), root));
            }
        }
        // Kept for the server's life, one per operation used: no slack.
        b.cat.marks.shrink_to_fit();
        b.cat.nodes.shrink_to_fit();
        b.cat.text.shrink_to_fit();
        b.cat
    }

    /// Every mark, by id.
    pub fn marks(&self) -> &[Mark] {
        &self.marks
    }

    /// A mark's name.
    pub fn mark_name(&self, m: &Mark) -> &str {
        self.text(m.name)
    }

    /// `s` names `name` (lengths compared first: the walk asks this of
    /// every declared property until one matches).
    pub(super) fn names_equal(&self, s: Span, name: &str) -> bool {
        s.len as usize == name.len() && self.text(s) == name
    }

    pub(super) fn text(&self, s: Span) -> &str {
        &self.text[s.at as usize..(s.at + s.len) as usize]
    }

    fn push_text(&mut self, name: &str) -> Span {
        // Bounded by MAX_MARKS names of a document's own text.
        let span = Span {
            at: self.text.len() as u32,
            len: name.len() as u32,
        };
        self.text.push_str(name);
        span
    }
}

struct Builder<'a> {
    cat: Catalog,
    /// Name (or name + kind) -> mark: the same field reached through two
    /// branches or two media types is one field.
    /// (Keyed by name, a NUL, and the kind: `key` is the buffer a lookup
    /// is written into, so finding a mark allocates nothing.)
    names: foldhash::HashMap<String, MarkId>,
    key: String,
    /// Roots already built, by schema, name and direction: a response
    /// declared under 900 media types with one schema is walked once.
    roots: HashMap<(Option<crate::spec::Loc>, String, bool), usize>,
    plans: Option<&'a Plans>,
}

impl<'a> Builder<'a> {
    fn mark(&mut self, name: &str, kind: MarkKind) -> Option<MarkId> {
        self.key.clear();
        self.key.push_str(name);
        self.key.push('\0');
        match &kind {
            MarkKind::Field => {}
            MarkKind::EnumValue(_, v) => {
                self.key.push_str("enum ");
                self.key.push_str(v);
            }
            MarkKind::Branch(_, b) => {
                self.key.push_str("branch ");
                self.key.push_str(b);
            }
        }
        if let Some(id) = self.names.get(self.key.as_str()) {
            return Some(*id);
        }
        if self.cat.marks.len() >= MAX_MARKS {
            self.cat.truncated = true;
            return None;
        }
        let id = self.cat.marks.len() as MarkId;
        // An enum value or a branch is named by its field: one copy.
        let owner = match &kind {
            MarkKind::Field => None,
            MarkKind::EnumValue(f, _) | MarkKind::Branch(f, _) => self.cat.marks.get(*f as usize),
        };
        let name = match owner {
            Some(f) if self.cat.text(f.name) == name => f.name,
            _ => self.cat.push_text(name),
        };
        self.cat.marks.push(Mark { name, kind });
        self.names.insert(self.key.clone(), id);
        Some(id)
    }

    fn field(&mut self, name: &str) -> Option<MarkId> {
        self.mark(name, MarkKind::Field)
    }

    fn enum_marks(&mut self, name: &str, field: MarkId, v: &SchemaView) -> EnumMarks {
        let mut out = Vec::new();
        for s in v.merged() {
            for value in s.enumeration().into_iter().flatten() {
                let shown = value.to_string();
                if let Some(m) = self.mark(name, MarkKind::EnumValue(field, shown)) {
                    out.push((value.clone(), m));
                }
            }
        }
        out
    }

    fn root(&mut self, loc: Option<&crate::spec::Loc>, prefix: &str, dir: Direction) -> usize {
        let key = (loc.cloned(), prefix.to_string(), dir == Direction::Request);
        if let Some(&id) = self.roots.get(&key) {
            return id;
        }
        let view = match (self.plans, loc) {
            (Some(p), Some(l)) => p.view(l),
            _ => None,
        };
        let mut path = Vec::new();
        let id = self.node_or_empty(view, prefix, None, dir, &mut path);
        self.roots.insert(key, id);
        id
    }

    /// [`Self::node`], or an empty node where nothing is below (roots and
    /// branches are always walked into).
    fn node_or_empty(
        &mut self,
        view: Option<SchemaView<'a>>,
        prefix: &str,
        field: Option<MarkId>,
        dir: Direction,
        path: &mut Vec<u32>,
    ) -> usize {
        match self.node(view, prefix, field, dir, path) {
            Some(id) => id,
            None => {
                self.cat.nodes.push(Node::default());
                self.cat.nodes.len() - 1
            }
        }
    }

    /// The node for `view` named `prefix`; `field` is the mark of the
    /// property it is the value of (enum values and branches hang on it).
    /// `None` when the walk would find nothing there (a plain string, say):
    /// most fields are leaves, and a leaf needs no node.
    fn node(
        &mut self,
        view: Option<SchemaView<'a>>,
        prefix: &str,
        field: Option<MarkId>,
        dir: Direction,
        path: &mut Vec<u32>,
    ) -> Option<usize> {
        if self.cat.nodes.len() >= MAX_NODES || self.cat.marks.len() >= MAX_MARKS {
            // Nothing below could get a mark: no descent.
            self.cat.truncated = true;
            return None;
        }
        let view = view?;
        let merged = view.merged();
        // Recursion: a node already on the way down is not entered again.
        if merged.iter().any(|m| path.contains(&m.id())) || path.len() > 32 {
            return None;
        }
        path.extend(merged.iter().map(|m| m.id()));
        let mut node = Node::default();
        if let Some(f) = field {
            node.enums = self.enum_marks(prefix, f, &view);
        }
        let mut seen_props: Vec<&str> = Vec::new();
        for s in &merged {
            for (name, child) in s.properties(dir) {
                if seen_props.contains(&name) {
                    continue;
                }
                seen_props.push(name);
                let segment = escape(name);
                let full = format!("{prefix}/{segment}");
                let Some(mark) = self.field(&full) else { break };
                // The name ends the mark's name, unless escaping changed it.
                let named = match segment {
                    std::borrow::Cow::Borrowed(_) => {
                        let m = self.cat.marks[mark as usize].name;
                        Span {
                            at: m.at + m.len - name.len() as u32,
                            len: name.len() as u32,
                        }
                    }
                    std::borrow::Cow::Owned(_) => self.cat.push_text(name),
                };
                let below = self.node(Some(child), &full, Some(mark), dir, path);
                node.props.push((named, mark, below));
            }
            if node.additional.is_none()
                && let Some(extra) = s.additional()
            {
                let full = format!("{prefix}/*");
                if let Some(mark) = self.field(&full) {
                    let below = self.node(Some(extra), &full, Some(mark), dir, path);
                    node.additional = Some((mark, below));
                }
            }
            if node.items.is_none()
                && let Some(item) = s.items().first().copied()
            {
                let full = format!("{prefix}/[]");
                node.items = self.node(Some(item), &full, field, dir, path);
            }
            for (i, (comb, branch)) in s.branches().into_iter().enumerate() {
                let Some(owner) = field.or_else(|| self.field(prefix)) else {
                    break;
                };
                let label = format!("{}/{i}", comb.keyword());
                let Some(mark) = self.mark(prefix, MarkKind::Branch(owner, label)) else {
                    break;
                };
                let below = self.node_or_empty(Some(branch), prefix, field, dir, path);
                let members = branch.merged();
                let required = members
                    .iter()
                    .flat_map(|m| m.required())
                    .map(Into::into)
                    .collect();
                node.branches.push(Branch {
                    mark,
                    exclusive: comb == crate::generate::Combinator::OneOf,
                    required,
                    node: below,
                    types: admitted(&members),
                });
            }
        }
        path.truncate(path.len() - merged.len());
        let leaf = node.props.is_empty()
            && node.additional.is_none()
            && node.items.is_none()
            && node.enums.is_empty()
            && node.branches.is_empty();
        if leaf {
            return None;
        }
        self.cat.nodes.push(node);
        Some(self.cat.nodes.len() - 1)
    }
}

/// A property name as a path segment: `/` and `~` escaped as in JSON pointers.
fn escape(name: &str) -> std::borrow::Cow<'_, str> {
    if name.contains(['/', '~']) {
        name.replace('~', "~0").replace('/', "~1").into()
    } else {
        name.into()
    }
}
