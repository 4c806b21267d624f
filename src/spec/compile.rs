//! Compiling schemas: once per schema node, whatever refers to it.
//!
//! A JSON Schema validator compiles everything a `$ref` reaches into itself,
//! so a hundred inline schemas that wrap `$ref`s into one component graph
//! would each hold their own copy of the graph (a gigabyte for a large
//! vendor document). Instead every schema node is compiled alone, with each
//! `$ref` it holds rewritten to the keyword [`REF_KEYWORD`], whose value
//! names the compiled node it points at (a slot filled once that node is
//! compiled, so recursion is fine). The request and response views
//! (`readOnly`/`writeOnly`) are compiled apart only for nodes whose
//! reachable schemas mark a property so.
//!
//! A node that needs the validator's own `$ref` machinery (`$id`, anchors,
//! `$dynamicRef`, `unevaluated*`, whose annotations cross refs) is compiled
//! the old way, against a registry of the document's files.

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, OnceLock, Weak};

use jsonschema::{Draft, Keyword, Registry, ValidationError};
use percent_encoding::{NON_ALPHANUMERIC, utf8_percent_encode};
use serde_json::{Map, Value, json};

use super::LoadError;
use super::model::{Schema, Shape};
use super::refs::{FileSet, Loc};
use super::schema::{Direction, SUBSCHEMA_MANY, SUBSCHEMA_MAP, SUBSCHEMA_ONE, direction_view};
use crate::instance::{Instance, Node as InstanceNode};

/// The keyword a rewritten `$ref` becomes; its value is a slot number.
pub const REF_KEYWORD: &str = "x-specmock-ref";

/// Separates the inner location from the message in the errors a
/// [`REF_KEYWORD`] reports (the validator re-locates custom errors at the
/// keyword, so the inner place travels in the message).
const SEP: char = '\u{1f}';

/// A compiled schema: it validates request bodies read into a tape and
/// `serde_json::Value`s alike.
pub type Validator = jsonschema::Validator<Instance>;

type Slot = OnceLock<Arc<Validator>>;

/// The compiled nodes of one document, held by the document: validators
/// point back into it weakly, so recursive schemas are no reference cycle.
#[derive(Default)]
pub struct Compiled {
    slots: Vec<Arc<Slot>>,
    /// How many validators were built (for diagnostics and tests).
    pub builds: usize,
}

impl std::fmt::Debug for Compiled {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "Compiled({} nodes, {} builds)",
            self.slots.len(),
            self.builds
        )
    }
}

/// Which view a node is compiled in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum View {
    /// Nothing it reaches marks a property readOnly or writeOnly.
    Both,
    Request,
    Response,
}

/// What one node holds, read once from the raw document.
#[derive(Debug, Clone, Default)]
struct Node {
    /// It marks a property `readOnly` or `writeOnly` itself.
    marks: bool,
    /// It needs the validator's own ref machinery.
    fallback: bool,
    /// The nodes its `$ref`s point at.
    targets: Vec<Loc>,
}

/// Compiles schemas of one document.
pub struct Compiler {
    base: String,
    compiled: Compiled,
    /// Slot number of a node in a view.
    index: HashMap<(Loc, View), usize>,
    nodes: HashMap<Loc, Node>,
    sensitive: HashMap<Loc, bool>,
    failed: HashMap<Loc, LoadError>,
    /// Validators by rewritten text: the same schema written in a thousand
    /// places is one validator.
    by_content: HashMap<String, Arc<Validator>>,
    /// The registries of the old way, built only when a node needs them.
    registries: Option<(Registry<'static>, Registry<'static>)>,
    /// Shapes and merged examples of schemas already seen.
    pub(super) shapes: HashMap<Loc, Shape>,
    /// Shapes handed out, one per node.
    pub(super) shared_shapes: HashMap<Loc, Arc<Shape>>,
    pub(super) examples: HashMap<Loc, Option<Value>>,
}

impl Compiler {
    /// A compiler for one document's files.
    pub fn new(doc_name: &str) -> Compiler {
        Compiler {
            base: format!(
                "json-schema:///specmock/{}",
                utf8_percent_encode(doc_name, NON_ALPHANUMERIC)
            ),
            compiled: Compiled::default(),
            index: HashMap::new(),
            nodes: HashMap::new(),
            sensitive: HashMap::new(),
            failed: HashMap::new(),
            by_content: HashMap::new(),
            registries: None,
            shapes: HashMap::new(),
            shared_shapes: HashMap::new(),
            examples: HashMap::new(),
        }
    }

    /// What was compiled, for the document to keep.
    pub fn finish(self) -> Compiled {
        self.compiled
    }

    /// Compile the schema at `loc` (following a leading `$ref`, so a shared
    /// component is one node) and every node it reaches, each once.
    pub fn compile(
        &mut self,
        files: &FileSet,
        loc: &Loc,
        dir: Direction,
    ) -> Result<Schema, LoadError> {
        let (target, _) = files.deref(loc)?;
        let slot = self.ensure(files, &target, dir)?;
        let validator = self.compiled.slots[slot]
            .get()
            .cloned()
            .ok_or_else(|| files.error(&target, "schema did not compile"))?;
        if let Some(e) = self.reaches_failure(files, &target) {
            return Err(e);
        }
        Ok(Schema {
            loc: target,
            validator,
        })
    }

    /// The slot of `loc` in `dir`, compiling it and what it reaches first.
    fn ensure(&mut self, files: &FileSet, loc: &Loc, dir: Direction) -> Result<usize, LoadError> {
        let view = self.view_of(files, loc, dir);
        if let Some(&i) = self.index.get(&(loc.clone(), view)) {
            return Ok(i);
        }
        // Assign slots to everything reachable first (recursion is fine:
        // a slot exists before the node that fills it compiles), then
        // compile each node once.
        let mut order = Vec::new();
        let mut stack = vec![loc.clone()];
        while let Some(here) = stack.pop() {
            let v = self.view_of(files, &here, dir);
            if self.index.contains_key(&(here.clone(), v)) {
                continue;
            }
            let i = self.new_slot();
            self.index.insert((here.clone(), v), i);
            order.push((here.clone(), v, i));
            let node = self.node(files, &here).clone();
            if !node.fallback {
                stack.extend(node.targets);
            }
        }
        let mut first_error = None;
        for (here, view, i) in order.into_iter().rev() {
            match self.build(files, &here, view, dir) {
                Ok(v) => {
                    let _ = self.compiled.slots[i].set(v);
                }
                Err(e) => {
                    self.failed.insert(here.clone(), e.clone());
                    first_error.get_or_insert(e);
                }
            }
        }
        let i = self.index[&(loc.clone(), view)];
        match first_error {
            Some(e) if self.compiled.slots[i].get().is_none() => Err(e),
            _ => Ok(i),
        }
    }

    fn new_slot(&mut self) -> usize {
        self.compiled.slots.push(Arc::new(Slot::new()));
        self.compiled.slots.len() - 1
    }

    /// The first failed node `loc` reaches, if any (nothing to do when none failed).
    fn reaches_failure(&mut self, files: &FileSet, loc: &Loc) -> Option<LoadError> {
        if self.failed.is_empty() {
            return None;
        }
        let mut seen = HashSet::new();
        let mut stack = vec![loc.clone()];
        while let Some(here) = stack.pop() {
            if !seen.insert(here.clone()) {
                continue;
            }
            if let Some(e) = self.failed.get(&here) {
                return Some(e.clone());
            }
            stack.extend(self.node(files, &here).targets.clone());
        }
        None
    }

    /// The view a node compiles in: its own only when something it reaches
    /// marks a property readOnly or writeOnly.
    fn view_of(&mut self, files: &FileSet, loc: &Loc, dir: Direction) -> View {
        if !self.is_sensitive(files, loc) {
            return View::Both;
        }
        match dir {
            Direction::Request => View::Request,
            Direction::Response => View::Response,
        }
    }

    /// Whether `loc` reaches a node that marks a property. A search that
    /// finds none has seen the whole closure of every node it visited, so
    /// all of them are insensitive.
    fn is_sensitive(&mut self, files: &FileSet, loc: &Loc) -> bool {
        if let Some(&s) = self.sensitive.get(loc) {
            return s;
        }
        let mut seen: Vec<Loc> = Vec::new();
        let mut seen_set = HashSet::new();
        let mut stack = vec![loc.clone()];
        let mut found = false;
        while let Some(here) = stack.pop() {
            if !seen_set.insert(here.clone()) {
                continue;
            }
            match self.sensitive.get(&here) {
                Some(true) => {
                    found = true;
                    break;
                }
                Some(false) => continue,
                None => {}
            }
            let node = self.node(files, &here).clone();
            seen.push(here);
            if node.marks || node.fallback {
                found = true;
                break;
            }
            stack.extend(node.targets);
        }
        if found {
            self.sensitive.insert(loc.clone(), true);
        } else {
            for l in seen {
                self.sensitive.insert(l, false);
            }
        }
        found
    }

    fn node(&mut self, files: &FileSet, loc: &Loc) -> &Node {
        if !self.nodes.contains_key(loc) {
            let mut node = Node::default();
            if let Some(v) = files.get(loc) {
                scan(files, loc, v, &mut node);
            }
            self.nodes.insert(loc.clone(), node);
        }
        &self.nodes[loc]
    }

    /// Build the validator of one node in one view.
    fn build(
        &mut self,
        files: &FileSet,
        loc: &Loc,
        view: View,
        dir: Direction,
    ) -> Result<Arc<Validator>, LoadError> {
        let raw = files
            .get(loc)
            .ok_or_else(|| files.error(loc, "nothing at this location"))?;
        if self.node(files, loc).fallback {
            return self.build_with_registry(files, loc, dir);
        }
        let mut value = match view {
            View::Both => raw.clone(),
            View::Request => direction_view(raw, Direction::Request),
            View::Response => direction_view(raw, Direction::Response),
        };
        let mut targets = Vec::new();
        self.rewrite(files, loc, &mut value, dir, &mut targets);
        format_bounds(&mut value);
        let text = value.to_string();
        if let Some(v) = self.by_content.get(&text) {
            return Ok(v.clone());
        }
        // The slots this node's keywords point at, held weakly.
        let slots: Arc<HashMap<u64, Weak<Slot>>> = Arc::new(
            targets
                .into_iter()
                .map(|i| (i as u64, Arc::downgrade(&self.compiled.slots[i])))
                .collect(),
        );
        let validator = jsonschema::options_for::<Instance>()
            .with_draft(Draft::Draft202012)
            .should_validate_formats(true)
            .with_format("byte", is_base64)
            .with_keyword(
                REF_KEYWORD,
                move |_: &Map<String, Value>, value: &Value, _: jsonschema::paths::Location| {
                    let slot = value
                        .as_u64()
                        .and_then(|i| slots.get(&i))
                        .cloned()
                        .unwrap_or_default();
                    Ok(Box::new(RefKeyword { slot }) as Box<dyn for<'i> Keyword<'i, Instance>>)
                },
            )
            .build(&value)
            .map_err(|e| compile_error(files, loc, &e))?;
        self.compiled.builds += 1;
        let v = Arc::new(validator);
        self.by_content.insert(text, v.clone());
        Ok(v)
    }

    /// Every `$ref` of a node (in schema positions) becomes the keyword
    /// naming its target's slot; the slots go into `targets`.
    fn rewrite(
        &mut self,
        files: &FileSet,
        loc: &Loc,
        v: &mut Value,
        dir: Direction,
        targets: &mut Vec<usize>,
    ) {
        let Value::Object(map) = v else { return };
        if let Some(Value::String(raw)) = map.get("$ref").cloned()
            && let Ok(target) = files.target_of(&loc.file, &raw)
        {
            let view = self.view_of(files, &target, dir);
            if let Some(&i) = self.index.get(&(target, view)) {
                map.remove("$ref");
                map.insert(REF_KEYWORD.into(), json!(i));
                targets.push(i);
            }
        }
        for_each_subschema(map, &mut |child| {
            self.rewrite(files, loc, child, dir, targets)
        });
    }

    /// The old way: against a registry of every file (in the view asked).
    fn build_with_registry(
        &mut self,
        files: &FileSet,
        loc: &Loc,
        dir: Direction,
    ) -> Result<Arc<Validator>, LoadError> {
        if self.registries.is_none() {
            let make = |view: &str, d: Direction| -> Result<Registry<'static>, LoadError> {
                let mut builder = Registry::new().draft(Draft::Draft202012);
                for (rel, value) in &files.files {
                    let uri = format!("{}/{view}/{}", self.base, super::refs::encode_ref(rel));
                    builder = builder.add(uri, direction_view(value, d)).map_err(|e| {
                        LoadError::new(
                            &files.display,
                            format!("cannot register the document for validation: {e}"),
                        )
                    })?;
                }
                builder.prepare().map_err(|e| {
                    LoadError::new(
                        &files.display,
                        format!("cannot prepare the document's schemas: {e}"),
                    )
                    .hint("a $ref or $id inside a schema could not be resolved")
                })
            };
            self.registries = Some((
                make("request", Direction::Request)?,
                make("response", Direction::Response)?,
            ));
        }
        let (request, response) = self.registries.as_ref().expect("built above");
        let (view, registry) = match dir {
            Direction::Request => ("request", request),
            Direction::Response => ("response", response),
        };
        let uri = format!(
            "{}/{view}/{}#{}",
            self.base,
            super::refs::encode_ref(&loc.file),
            loc.uri_fragment()
        );
        let validator = jsonschema::options_for::<Instance>()
            .with_draft(Draft::Draft202012)
            .with_registry(registry)
            .should_validate_formats(true)
            .with_format("byte", is_base64)
            .build(&json!({ "$ref": uri }))
            .map_err(|e| compile_error(files, loc, &e))?;
        self.compiled.builds += 1;
        Ok(Arc::new(validator))
    }
}

fn compile_error(files: &FileSet, loc: &Loc, e: &ValidationError<'_>) -> LoadError {
    match super::schema::unknown_type(files, loc) {
        Some((at, bad)) => files
            .error(&at, super::schema::unknown_type_message(&bad))
            .hint(format!(
                "in the schema at {}; fix the schema, specmock validates against it",
                loc.fragment()
            )),
        None => files
            .error(loc, format!("schema does not compile: {e}"))
            .hint("fix the schema; specmock validates against it"),
    }
}

/// OpenAPI's `int32` and `int64` formats are ranges (JSON Schema knows
/// neither): each becomes `minimum`/`maximum` in the compiled node, kept
/// where the document gives a tighter bound.
fn format_bounds(v: &mut Value) {
    let Value::Object(map) = v else { return };
    let range = match map.get("format").and_then(Value::as_str) {
        Some("int32") => Some((i64::from(i32::MIN), i64::from(i32::MAX))),
        Some("int64") => Some((i64::MIN, i64::MAX)),
        _ => None,
    };
    if let Some((lo, hi)) = range {
        let bound = |key: &str| map.get(key).and_then(Value::as_f64);
        let raise_min =
            !map.contains_key("exclusiveMinimum") && bound("minimum").is_none_or(|b| b < lo as f64);
        let lower_max =
            !map.contains_key("exclusiveMaximum") && bound("maximum").is_none_or(|b| b > hi as f64);
        if raise_min {
            map.insert("minimum".into(), json!(lo));
        }
        if lower_max {
            map.insert("maximum".into(), json!(hi));
        }
    }
    for_each_subschema(map, &mut format_bounds);
}

/// `format: byte`: base64 (RFC 4648, padded), as OpenAPI says.
fn is_base64(s: &str) -> bool {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.decode(s).is_ok()
}

/// Call `f` on every direct subschema of a schema object.
fn for_each_subschema(map: &mut Map<String, Value>, f: &mut dyn FnMut(&mut Value)) {
    for key in SUBSCHEMA_ONE {
        match map.get_mut(*key) {
            Some(Value::Array(items)) => items.iter_mut().for_each(&mut *f),
            Some(child) => f(child),
            None => {}
        }
    }
    for key in SUBSCHEMA_MANY {
        if let Some(Value::Array(items)) = map.get_mut(*key) {
            items.iter_mut().for_each(&mut *f);
        }
    }
    for key in SUBSCHEMA_MAP {
        if let Some(Value::Object(children)) = map.get_mut(*key) {
            children.values_mut().for_each(&mut *f);
        }
    }
}

/// Read one node: its marks, whether it needs the fallback, its ref targets.
fn scan(files: &FileSet, loc: &Loc, v: &Value, node: &mut Node) {
    let Value::Object(map) = v else { return };
    for key in [
        "$id",
        "$anchor",
        "$dynamicRef",
        "$dynamicAnchor",
        "$recursiveRef",
        "$recursiveAnchor",
        "unevaluatedProperties",
        "unevaluatedItems",
    ] {
        if map.contains_key(key) {
            node.fallback = true;
        }
    }
    if let Some(Value::String(raw)) = map.get("$ref") {
        match files.target_of(&loc.file, raw) {
            Ok(t) if files.get(&t).is_some() => node.targets.push(t),
            _ => node.fallback = true,
        }
    }
    if let Some(Value::Object(props)) = map.get("properties")
        && props.values().any(|p| {
            p.get("readOnly") == Some(&Value::Bool(true))
                || p.get("writeOnly") == Some(&Value::Bool(true))
        })
    {
        node.marks = true;
    }
    let mut children: Vec<&Value> = Vec::new();
    for key in SUBSCHEMA_ONE {
        match map.get(*key) {
            Some(Value::Array(items)) => children.extend(items),
            Some(child) => children.push(child),
            None => {}
        }
    }
    for key in SUBSCHEMA_MANY {
        if let Some(Value::Array(items)) = map.get(*key) {
            children.extend(items);
        }
    }
    for key in SUBSCHEMA_MAP {
        if let Some(Value::Object(c)) = map.get(*key) {
            children.extend(c.values());
        }
    }
    for c in children {
        scan(files, loc, c, node);
    }
}

/// A rewritten `$ref`: validates against the compiled target. It holds its
/// slot weakly: the document owns the slots, so recursion is no cycle.
struct RefKeyword {
    slot: Weak<Slot>,
}

thread_local! {
    /// The (slot, instance) pairs being validated on this thread: a schema
    /// that refers back to itself without descending into the instance
    /// (`A: {allOf: [{$ref: A}, ...]}`) adds nothing the second time round.
    static ACTIVE: std::cell::RefCell<Vec<(usize, Option<jsonschema::json::NodeIdentity>)>> = const { std::cell::RefCell::new(Vec::new()) };
}

impl RefKeyword {
    /// Run `f` on the target unless this very instance is already being
    /// validated against it further up (then `None`).
    fn enter<T>(
        &self,
        instance: InstanceNode<'_>,
        f: impl FnOnce(&Validator) -> T,
    ) -> Option<Option<T>> {
        let slot = self.slot.upgrade()?;
        let v = slot.get()?;
        let key = (
            Arc::as_ptr(&slot) as usize,
            jsonschema::json::Node::identity(&instance),
        );
        let again = ACTIVE.with(|a| {
            let mut a = a.borrow_mut();
            if a.contains(&key) {
                true
            } else {
                a.push(key);
                false
            }
        });
        if again {
            return Some(None);
        }
        // Popped on the way out, a panic included.
        struct Leave;
        impl Drop for Leave {
            fn drop(&mut self) {
                ACTIVE.with(|a| a.borrow_mut().pop());
            }
        }
        let _leave = Leave;
        Some(Some(f(v)))
    }
}

impl<'i> Keyword<'i, Instance> for RefKeyword {
    fn validate(&self, instance: InstanceNode<'i>) -> Result<(), ValidationError<'i>> {
        match self.iter_errors(instance).next() {
            Some(e) => Err(e),
            None => Ok(()),
        }
    }

    fn is_valid(&self, instance: InstanceNode<'i>) -> bool {
        match self.enter(instance, |v| v.is_valid(instance)) {
            Some(Some(ok)) => ok,
            Some(None) => true,
            None => false,
        }
    }

    fn iter_errors(
        &self,
        instance: InstanceNode<'i>,
    ) -> Box<dyn Iterator<Item = ValidationError<'i>> + 'i> {
        let errors = self.enter(instance, |v| {
            v.iter_errors(instance)
                .map(|e| {
                    let (pointer, message) = locate(&e);
                    ValidationError::custom(format!("{pointer}{SEP}{message}"))
                })
                .collect::<Vec<ValidationError<'i>>>()
        });
        match errors {
            Some(Some(errors)) => Box::new(errors.into_iter()),
            Some(None) => Box::new(std::iter::empty()),
            None => Box::new(std::iter::once(ValidationError::custom(format!(
                "{SEP}the schema this $ref points at is not loaded"
            )))),
        }
    }
}

/// Where an error is (a JSON pointer into the instance; a missing required
/// property located where it should have been) and what it says, through
/// any number of rewritten `$ref`s.
pub fn locate(err: &ValidationError<'_>) -> (String, String) {
    use jsonschema::error::ValidationErrorKind;
    let mut pointer = err.instance_path().to_string();
    match err.kind() {
        ValidationErrorKind::Custom { keyword, message } if keyword == REF_KEYWORD => {
            match message.split_once(SEP) {
                Some((inner, msg)) => (format!("{pointer}{inner}"), msg.to_string()),
                None => (pointer, message.clone()),
            }
        }
        ValidationErrorKind::Required { property } => {
            if let Some(name) = property.as_str() {
                pointer = format!("{pointer}/{}", super::escape_token(name));
            }
            (pointer, err.to_string())
        }
        _ => (pointer, err.to_string()),
    }
}
