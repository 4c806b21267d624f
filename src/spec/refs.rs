//! `$ref` handling: a document and the files it references, read once.
//!
//! Rules: local pointers (`#/components/schemas/API tokens_x`, `~0`/`~1`
//! escapes), relative files inside the document's folder (never outside it,
//! never over the network), cycles allowed (nothing here follows a schema ref
//! recursively; `deref` is bounded). Raw characters that are not allowed in a
//! URI (a space in a schema name) are percent-encoded so that the JSON Schema
//! resolver accepts the ref.

use std::collections::{HashMap, VecDeque};
use std::path::{Component, Path, PathBuf};

use percent_encoding::{AsciiSet, CONTROLS, percent_decode_str, utf8_percent_encode};
use serde_json::Value;

use super::error::{LoadError, RefError, escape_token};
use super::source::{MAX_DOCUMENT_BYTES, parse_text};

/// Characters percent-encoded in a `$ref` (RFC 3986 does not allow them raw).
const REF_ENCODE: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'<')
    .add(b'>')
    .add(b'\\')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// How many `$ref` hops `deref` follows before calling it a cycle.
const MAX_REF_HOPS: usize = 64;

/// Characters percent-encoded in a fragment built from a decoded pointer: a
/// path key such as `/files/{id}#add_link` or `/100%` must not end the
/// fragment or start an escape.
const FRAGMENT_ENCODE: &AsciiSet = &REF_ENCODE.add(b'#').add(b'%').add(b'[').add(b']');

/// Most files one document may pull in through `$ref` by default
/// (`--max-ref-files`): one vendor's split document has 2,850.
pub const DEFAULT_MAX_REF_FILES: usize = 10_000;

/// The key a `$ref` that cannot be followed is renamed to (outside
/// `--strict-load`): the schema holding it still compiles, and the operations
/// that reach it are left out (see [`FileSet::reaches_broken`]).
pub const BROKEN_REF: &str = "x-specmock-broken-ref";

/// A place in a file: the file's path relative to the document's folder and a
/// decoded JSON pointer (`/components/schemas/Token`, empty for the root).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Loc {
    /// The file's path, relative to the document's folder.
    pub file: String,
    /// The decoded JSON pointer within the file (empty for the root).
    pub pointer: String,
}

impl Loc {
    /// A place from a file path and a decoded JSON pointer.
    pub fn new(file: impl Into<String>, pointer: impl Into<String>) -> Loc {
        Loc {
            file: file.into(),
            pointer: pointer.into(),
        }
    }

    /// A location one token deeper.
    pub fn child(&self, token: &str) -> Loc {
        let mut pointer = String::with_capacity(self.pointer.len() + 1 + token.len());
        pointer.push_str(&self.pointer);
        pointer.push('/');
        if token.contains(['~', '/']) {
            pointer.push_str(&escape_token(token));
        } else {
            pointer.push_str(token);
        }
        Loc {
            file: self.file.clone(),
            pointer,
        }
    }

    /// `#/a/b` form for messages.
    pub fn fragment(&self) -> String {
        format!("#{}", self.pointer)
    }

    /// The fragment percent-encoded for use inside a URI.
    pub fn uri_fragment(&self) -> String {
        utf8_percent_encode(&self.pointer, FRAGMENT_ENCODE).to_string()
    }
}

/// A document's root file and every file its `$ref`s reach.
#[derive(Debug, Clone)]
pub struct FileSet {
    /// Name shown in messages for the root file.
    pub display: String,
    /// The root file's path relative to `dir`.
    pub root: String,
    /// The folder files are confined to; `None` for in-memory documents.
    pub dir: Option<PathBuf>,
    /// Parsed files by relative path.
    pub files: HashMap<String, Value>,
    /// Most files `load_refs` reads.
    pub max_files: usize,
    /// `$ref`s that could not be followed, by the object that held them
    /// (renamed to `BROKEN_REF` there), with why.
    pub broken: HashMap<Loc, LoadError>,
}

impl FileSet {
    /// A file set holding only the root document, before its refs are followed.
    pub fn new(display: &str, root: &str, dir: Option<PathBuf>, value: Value) -> FileSet {
        let mut files = HashMap::new();
        files.insert(root.to_string(), value);
        FileSet {
            display: display.to_string(),
            root: root.to_string(),
            dir,
            files,
            max_files: DEFAULT_MAX_REF_FILES,
            broken: HashMap::new(),
        }
    }

    /// The root document.
    pub fn root_value(&self) -> &Value {
        &self.files[&self.root]
    }

    /// The root document, mutably.
    pub fn root_value_mut(&mut self) -> &mut Value {
        self.files
            .get_mut(&self.root)
            .expect("the root file is always present")
    }

    /// The display name of a file of this set.
    pub fn display_of(&self, file: &str) -> String {
        if file == self.root {
            self.display.clone()
        } else {
            match &self.dir {
                Some(d) => d.join(file).display().to_string(),
                None => file.to_string(),
            }
        }
    }

    /// An error located at `loc`.
    pub fn error(&self, loc: &Loc, message: impl Into<String>) -> LoadError {
        LoadError::new(self.display_of(&loc.file), message).at(loc.fragment())
    }

    /// The value at a location.
    pub fn get(&self, loc: &Loc) -> Option<&Value> {
        walk(self.files.get(&loc.file)?, &loc.pointer)
    }

    /// The value at a location, mutably.
    pub fn get_mut(&mut self, loc: &Loc) -> Option<&mut Value> {
        self.files.get_mut(&loc.file)?.pointer_mut(&loc.pointer)
    }

    /// Follow every `$ref` of every file, loading the files they name, checking
    /// each target exists and percent-encoding refs in place. Collects every
    /// broken ref rather than stopping at the first. `$ref`s under a vendor
    /// extension (`x-...`) are not followed: they are the vendor's business.
    ///
    /// Outside `strict`, a broken ref is not an error here: it is renamed to
    /// `BROKEN_REF` and remembered in `broken`, so the operations that
    /// reach it can be left out and the rest served.
    pub fn load_refs(&mut self, strict: bool) -> Result<(), Vec<LoadError>> {
        let mut errors: Vec<(Loc, LoadError)> = Vec::new();
        let mut queue: VecDeque<String> = VecDeque::from([self.root.clone()]);
        let mut pending_checks: Vec<(Loc, String, Loc)> = Vec::new();
        while let Some(file) = queue.pop_front() {
            let mut refs = Vec::new();
            if let Some(v) = self.files.get_mut(&file) {
                collect_refs(v, &mut String::new(), &mut refs);
            }
            for (ptr, raw) in refs {
                let holder = Loc::new(&file, ptr);
                let at = holder.child("$ref");
                match self.target_of(&file, &raw) {
                    Ok(target) => {
                        if !self.files.contains_key(&target.file) {
                            // The root document is not a referenced file.
                            if self.files.len() > self.max_files {
                                let e = self.error(&at, format!(
                                    "more than {} files referenced; refusing to read more",
                                    self.max_files
                                )).hint("raise the bound with --max-ref-files N (config key max-ref-files)");
                                errors.push((holder, e));
                                continue;
                            }
                            match self.read_file(&target.file) {
                                Ok(v) => {
                                    self.files.insert(target.file.clone(), v);
                                    queue.push_back(target.file.clone());
                                }
                                Err(e) => {
                                    errors.push((holder, e.at(at.fragment())));
                                    continue;
                                }
                            }
                        }
                        // Rewrite the ref into URI-safe form.
                        let encoded = encode_ref(&raw);
                        if encoded != raw
                            && let Some(slot) = self.get_mut(&at)
                        {
                            *slot = Value::String(encoded);
                        }
                        pending_checks.push((holder, raw, target));
                    }
                    Err(why) => {
                        let e = self.error(&at, why.to_string());
                        errors.push((holder, e));
                    }
                }
            }
        }
        for (holder, raw, target) in pending_checks {
            if self.files.contains_key(&target.file) && self.get(&target).is_none() {
                let file = if target.file == holder.file {
                    "this file".to_string()
                } else {
                    self.display_of(&target.file)
                };
                let e = self
                    .error(
                        &holder.child("$ref"),
                        format!(
                            "cannot resolve $ref \"{raw}\": nothing at {} in {file}",
                            target.fragment()
                        ),
                    )
                    .hint("fix the pointer or add the missing definition");
                errors.push((holder, e));
            }
        }
        if errors.is_empty() {
            return Ok(());
        }
        if strict {
            return Err(errors.into_iter().map(|(_, e)| e).collect());
        }
        for (holder, e) in errors {
            if let Some(Value::Object(map)) = self.get_mut(&holder)
                && let Some(raw) = map.remove("$ref")
            {
                map.insert(BROKEN_REF.to_string(), raw);
            }
            self.broken.insert(holder, e);
        }
        Ok(())
    }

    /// The first broken `$ref` reachable from `loc` (through `$ref`s, not
    /// into vendor extensions), if any: what an operation that reaches it
    /// cannot be built without. Free when nothing is broken.
    pub fn reaches_broken(&self, loc: &Loc) -> Option<&LoadError> {
        if self.broken.is_empty() {
            return None;
        }
        let mut seen = std::collections::HashSet::new();
        let mut stack = vec![loc.clone()];
        while let Some(here) = stack.pop() {
            if !seen.insert(here.clone()) {
                continue;
            }
            let Some(v) = self.get(&here) else { continue };
            let parent = here.pointer.rsplit('/').next().unwrap_or("").to_string();
            let mut inner = vec![(here.pointer.clone(), parent, v)];
            while let Some((ptr, parent, v)) = inner.pop() {
                match v {
                    Value::Object(map) => {
                        if map.contains_key(BROKEN_REF) {
                            return self.broken.get(&Loc::new(&here.file, ptr));
                        }
                        if let Some(Value::String(raw)) = map.get("$ref")
                            && let Ok(t) = self.target_of(&here.file, raw)
                        {
                            stack.push(t);
                        }
                        for (k, child) in map {
                            if !is_extension(&parent, k) && k != "$ref" {
                                let p = format!("{ptr}/{}", escape_token(k));
                                inner.push((p, k.clone(), child));
                            }
                        }
                    }
                    Value::Array(items) => {
                        for (i, child) in items.iter().enumerate() {
                            inner.push((format!("{ptr}/{i}"), String::new(), child));
                        }
                    }
                    _ => {}
                }
            }
        }
        None
    }

    /// Where a `$ref` written in `file` points. Refuses URLs and paths that
    /// leave the document's folder.
    pub fn target_of(&self, file: &str, raw: &str) -> Result<Loc, RefError> {
        let (path_part, frag) = match raw.split_once('#') {
            Some((p, f)) => (p, f),
            None => (raw, ""),
        };
        let raw = || raw.to_string();
        if has_scheme(path_part) {
            return Err(RefError::Url { raw: raw() });
        }
        let pointer = percent_decode_str(frag).decode_utf8_lossy().into_owned();
        if !pointer.is_empty() && !pointer.starts_with('/') {
            return Err(RefError::NotAPointer { raw: raw() });
        }
        if path_part.is_empty() {
            return Ok(Loc::new(file, pointer));
        }
        if self.dir.is_none() {
            return Err(RefError::NoFolder { raw: raw() });
        }
        let path_part = percent_decode_str(path_part)
            .decode_utf8_lossy()
            .into_owned();
        if Path::new(&path_part).is_absolute() {
            return Err(RefError::Absolute { raw: raw() });
        }
        let base = Path::new(file).parent().unwrap_or(Path::new(""));
        match normalize(&base.join(&path_part)) {
            Some(rel) => Ok(Loc::new(rel, pointer)),
            None => Err(RefError::Outside {
                raw: raw(),
                folder: self.dir_name(),
            }),
        }
    }

    /// The folder references are confined to, for messages.
    fn dir_name(&self) -> String {
        match &self.dir {
            Some(d) => format!("the folder {}", d.display()),
            None => "the document's folder".to_string(),
        }
    }

    /// Read a referenced file, confined to the folder (symlinks included).
    fn read_file(&self, rel: &str) -> Result<Value, LoadError> {
        let dir = self.dir.as_ref().ok_or_else(|| {
            LoadError::new(
                &self.display,
                "file refs need a document read from a folder",
            )
        })?;
        let path = dir.join(rel);
        let display = path.display().to_string();
        let real = path.canonicalize().map_err(|e| {
            LoadError::new(
                &self.display,
                format!("cannot read referenced file {display}: {e}"),
            )
        })?;
        if !real.starts_with(dir) {
            return Err(LoadError::new(
                &self.display,
                format!(
                    "referenced file {display} resolves outside {} (a symlink?)",
                    self.dir_name()
                ),
            ));
        }
        let meta = std::fs::metadata(&real)
            .map_err(|e| LoadError::new(&display, format!("cannot read: {e}")))?;
        if meta.len() > MAX_DOCUMENT_BYTES {
            return Err(LoadError::new(&display, "referenced file is too large"));
        }
        let text = std::fs::read_to_string(&real)
            .map_err(|e| LoadError::new(&display, format!("cannot read: {e}")))?;
        parse_text(&display, &text)
    }

    /// Follow `$ref` from `loc` until a value without one, at most 64 hops.
    pub fn deref(&self, loc: &Loc) -> Result<(Loc, &Value), LoadError> {
        let mut here = loc.clone();
        for _ in 0..MAX_REF_HOPS {
            let v = self
                .get(&here)
                .ok_or_else(|| self.error(&here, "nothing at this location"))?;
            match v.get("$ref").and_then(Value::as_str) {
                Some(raw) => {
                    here = self
                        .target_of(&here.file, raw)
                        .map_err(|m| self.error(&here, m.to_string()))?;
                }
                None => return Ok((here, v)),
            }
        }
        Err(self.error(
            loc,
            "$ref chain does not end (a cycle of refs that are nothing but refs)",
        ))
    }
}

/// `Value::pointer`, without unescaping (and allocating) tokens that hold no
/// `~`: loading a large document resolves millions of pointers.
fn walk<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    if pointer.is_empty() {
        return Some(root);
    }
    let mut here = root;
    for token in pointer.strip_prefix('/')?.split('/') {
        let token = super::unescape_token(token);
        here = match here {
            Value::Object(map) => map.get(token.as_ref())?,
            Value::Array(items) => {
                // As RFC 6901: no sign, no leading zero.
                if token.starts_with('+') || (token.len() > 1 && token.starts_with('0')) {
                    return None;
                }
                items.get(token.parse::<usize>().ok()?)?
            }
            _ => return None,
        };
    }
    Some(here)
}

/// Objects whose keys are names the document chose (a property called
/// `x-request-id`, a header `x-rate-limit`), not fixed fields: an `x-` key
/// there is not a vendor extension.
const NAME_MAPS: &[&str] = &[
    "properties",
    "patternProperties",
    "dependentSchemas",
    "$defs",
    "definitions",
    "schemas",
    "headers",
    "responses",
    "parameters",
    "examples",
    "requestBodies",
    "securitySchemes",
    "links",
    "callbacks",
    "pathItems",
    "content",
    "encoding",
    "variables",
    "webhooks",
    "paths",
    "mapping",
];

/// True when `key`, written in an object found under `parent`, is a vendor
/// extension (`x-...` among fixed fields).
pub fn is_extension(parent: &str, key: &str) -> bool {
    key.starts_with("x-") && !NAME_MAPS.contains(&parent)
}

/// Collect `(pointer of the holder, ref)` for every string-valued `$ref` in a
/// value, outside vendor extensions (a `$ref` under `x-...` is the vendor's
/// business, not a reference specmock follows).
fn collect_refs(v: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
    collect_refs_under("", v, path, out)
}

fn collect_refs_under(parent: &str, v: &Value, path: &mut String, out: &mut Vec<(String, String)>) {
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                if k == "$ref" {
                    if let Value::String(s) = child {
                        out.push((path.clone(), s.clone()));
                    }
                    continue;
                }
                if is_extension(parent, k) {
                    continue;
                }
                let len = path.len();
                path.push('/');
                path.push_str(&escape_token(k));
                collect_refs_under(k, child, path, out);
                path.truncate(len);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                let len = path.len();
                path.push('/');
                path.push_str(&i.to_string());
                collect_refs_under("", child, path, out);
                path.truncate(len);
            }
        }
        _ => {}
    }
}

/// Percent-encode what a URI reference cannot hold raw, leaving existing
/// escapes alone.
pub fn encode_ref(raw: &str) -> String {
    utf8_percent_encode(raw, REF_ENCODE).to_string()
}

fn has_scheme(s: &str) -> bool {
    // RFC 3986 scheme: ALPHA *( ALPHA / DIGIT / "+" / "-" / "." ) ":"
    if s.starts_with("//") {
        return true;
    }
    match s.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'))
        }
        None => false,
    }
}

/// Lexically normalise a relative path; `None` when it climbs above its root.
fn normalize(p: &Path) -> Option<String> {
    let mut parts: Vec<String> = Vec::new();
    for c in p.components() {
        match c {
            Component::Normal(s) => parts.push(s.to_string_lossy().into_owned()),
            Component::CurDir => {}
            Component::ParentDir => {
                parts.pop()?;
            }
            Component::RootDir | Component::Prefix(_) => return None,
        }
    }
    Some(parts.join("/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn walk_agrees_with_serde_json_pointer() {
        let v = serde_json::json!({"a/b": {"c~d": [1, {"e": 2}]}, "": {"x": 3}, "01": 4});
        for p in [
            "",
            "/a~1b",
            "/a~1b/c~0d",
            "/a~1b/c~0d/1/e",
            "/a~1b/c~0d/01",
            "/a~1b/c~0d/+1",
            "/a~1b/c~0d/7",
            "//x",
            "/01",
            "/missing",
            "no-slash",
            "/a~1b/c~0d/0/deeper",
        ] {
            assert_eq!(walk(&v, p), v.pointer(p), "{p}");
        }
    }
    use serde_json::json;

    fn set(v: Value) -> FileSet {
        FileSet::new("t.yaml", "t.yaml", None, v)
    }

    #[test]
    fn refused_refs_say_why_and_what_to_do() {
        let held = set(json!({}));
        let in_dir = FileSet::new("t.yaml", "t.yaml", Some(PathBuf::from("/specs")), json!({}));
        let why = |files: &FileSet, raw: &str| files.target_of("t.yaml", raw).unwrap_err();
        assert_eq!(
            why(&held, "https://x/y.yaml").to_string(),
            "$ref \"https://x/y.yaml\" points at a URL; specmock never fetches over the network (copy the target into the spec folder and use a relative path)"
        );
        assert!(matches!(
            why(&held, "#anchor"),
            RefError::NotAPointer { .. }
        ));
        assert!(matches!(why(&held, "a.yaml"), RefError::NoFolder { .. }));
        assert!(matches!(
            why(&in_dir, "/etc/a.yaml"),
            RefError::Absolute { .. }
        ));
        assert_eq!(
            why(&in_dir, "../a.yaml").to_string(),
            "$ref \"../a.yaml\" points outside the folder /specs; specmock only reads files inside it (to allow a wider folder, pass --ref-root DIR, config key ref-root)"
        );
    }

    #[test]
    fn local_ref_with_space_is_encoded_and_resolved() {
        let mut fs = set(json!({
            "a": {"$ref": "#/components/schemas/API tokens_x"},
            "components": {"schemas": {"API tokens_x": {"type": "object"}}}
        }));
        fs.load_refs(true).unwrap();
        assert_eq!(
            fs.root_value()["a"]["$ref"],
            "#/components/schemas/API%20tokens_x"
        );
        let (loc, v) = fs.deref(&Loc::new("t.yaml", "/a")).unwrap();
        assert_eq!(loc.pointer, "/components/schemas/API tokens_x");
        assert_eq!(v["type"], "object");
    }

    #[test]
    fn escaped_tokens_resolve() {
        let mut fs = set(json!({
            "a": {"$ref": "#/paths/~1x~1{id}/a~0b"},
            "paths": {"/x/{id}": {"a~b": {"ok": true}}}
        }));
        fs.load_refs(true).unwrap();
        let (_, v) = fs.deref(&Loc::new("t.yaml", "/a")).unwrap();
        assert_eq!(v["ok"], true);
    }

    #[test]
    fn broken_ref_names_pointer() {
        let mut fs = set(json!({"a": {"$ref": "#/definitions/Nope"}}));
        let errs = fs.load_refs(true).unwrap_err();
        assert_eq!(errs.len(), 1);
        assert_eq!(errs[0].at.as_deref(), Some("#/a/$ref"));
        assert!(
            errs[0].message.contains("#/definitions/Nope"),
            "{}",
            errs[0]
        );
    }

    #[test]
    fn url_refs_refused() {
        let mut fs = set(json!({"a": {"$ref": "https://example.com/x.json#/a"}}));
        let errs = fs.load_refs(true).unwrap_err();
        assert!(errs[0].message.contains("URL"), "{}", errs[0]);
    }

    #[test]
    fn cycles_of_pure_refs_end() {
        let mut fs = set(json!({"a": {"$ref": "#/b"}, "b": {"$ref": "#/a"}}));
        fs.load_refs(true).unwrap();
        let e = fs.deref(&Loc::new("t.yaml", "/a")).unwrap_err();
        assert!(e.message.contains("cycle"), "{e}");
    }

    #[test]
    fn recursive_schema_refs_are_fine() {
        let mut fs = set(json!({"components": {"schemas": {
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}}
        }}}));
        fs.load_refs(true).unwrap();
    }

    #[test]
    fn normalize_refuses_escape() {
        assert_eq!(
            normalize(Path::new("a/../b.yaml")).as_deref(),
            Some("b.yaml")
        );
        assert_eq!(normalize(Path::new("../b.yaml")), None);
        assert_eq!(normalize(Path::new("a/../../b.yaml")), None);
    }

    #[test]
    fn scheme_detection() {
        assert!(has_scheme("http://x"));
        assert!(has_scheme("urn:x"));
        assert!(has_scheme("//host/x"));
        assert!(!has_scheme("schemas/x.yaml"));
        assert!(!has_scheme(""));
    }
}
