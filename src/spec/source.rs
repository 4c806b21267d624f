//! Where documents come from (files, folders, the bundled set) and how their text
//! is parsed (YAML or JSON) into `serde_json::Value`, with budgets that refuse
//! alias bombs and absurd nesting quickly.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::error::LoadError;

/// Largest document file specmock reads (a spec larger than this is almost
/// certainly not a spec).
pub const MAX_DOCUMENT_BYTES: u64 = 64 * 1024 * 1024;

/// One document to load.
#[derive(Debug, Clone)]
pub struct SpecSource {
    /// Name shown in messages: the path as given, or `bundled:<file>`.
    pub display: String,
    /// The document's name: its file stem (`unleash` for `specs/unleash.yaml`).
    pub name: String,
    /// The text.
    pub text: String,
    /// The folder relative `$ref`s resolve in; `None` for bundled documents.
    pub dir: Option<PathBuf>,
    /// The file's path relative to `dir`.
    pub file_name: String,
    /// Mount prefix given by the user (`--mount FILE=/prefix`), replacing the
    /// document's server base path.
    pub mount: Option<String>,
    /// How forgiving loading is.
    pub options: LoadOptions,
}

/// How documents are loaded (`--strict-load`, `--max-ref-files`, `--ref-root`, `--postman-env`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LoadOptions {
    /// Refuse a whole document when any of its operations cannot be built
    /// (by default such an operation is left out, with a warning, and the
    /// rest is served).
    pub strict: bool,
    /// Most files one document may pull in through `$ref`.
    pub max_ref_files: usize,
    /// The folder `$ref`s may reach (default: the document's own folder).
    pub ref_root: Option<PathBuf>,
    /// Postman environment files whose values fill a collection's
    /// `{{variables}}` (`--postman-env`; later files win).
    pub postman_env: Vec<PathBuf>,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            strict: false,
            max_ref_files: super::refs::DEFAULT_MAX_REF_FILES,
            ref_root: None,
            postman_env: Vec::new(),
        }
    }
}

const EXTENSIONS: &[&str] = &["yaml", "yml", "json"];

impl SpecSource {
    /// Read one file.
    pub fn from_file(path: &Path) -> Result<SpecSource, LoadError> {
        let display = path.display().to_string();
        let meta = std::fs::metadata(path).map_err(|e| {
            LoadError::new(&display, format!("cannot read: {e}"))
                .hint("check the path; specmock takes spec files or folders of them")
        })?;
        if meta.len() > MAX_DOCUMENT_BYTES {
            return Err(LoadError::new(
                &display,
                format!(
                    "file is {} bytes, over the {} byte limit for a document",
                    meta.len(),
                    MAX_DOCUMENT_BYTES
                ),
            ));
        }
        let text = std::fs::read_to_string(path).map_err(|e| {
            LoadError::new(&display, format!("cannot read: {e}"))
                .hint("documents must be UTF-8 YAML or JSON")
        })?;
        let canonical = path
            .canonicalize()
            .map_err(|e| LoadError::new(&display, format!("cannot resolve the path: {e}")))?;
        let dir = canonical
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("/"));
        let file_name = canonical
            .file_name()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        Ok(SpecSource {
            display,
            name: stem(&file_name),
            text,
            dir: Some(dir),
            file_name,
            mount: None,
            options: LoadOptions::default(),
        })
    }

    /// Load with these options; with a `ref_root`, `$ref`s may reach any file
    /// under it (the document must be inside it too).
    pub fn with_options(mut self, options: LoadOptions) -> Result<SpecSource, LoadError> {
        if let (Some(root), Some(dir)) = (&options.ref_root, &self.dir) {
            let root = root.canonicalize().map_err(|e| {
                LoadError::new(
                    root.display().to_string(),
                    format!("--ref-root: cannot read the folder: {e}"),
                )
            })?;
            let rel = dir.join(&self.file_name);
            let Ok(inside) = rel.strip_prefix(&root) else {
                return Err(LoadError::new(
                    &self.display,
                    format!("the document is outside --ref-root {}", root.display()),
                )
                .hint(
                    "give a --ref-root folder that holds the document and every file it refers to",
                ));
            };
            self.file_name = inside.to_string_lossy().replace('\\', "/");
            self.dir = Some(root);
        }
        self.options = options;
        Ok(self)
    }

    /// A document held in memory (the bundled specs, tests).
    pub fn from_text(file_name: &str, text: impl Into<String>) -> SpecSource {
        SpecSource {
            display: format!("bundled:{file_name}"),
            name: stem(file_name),
            text: text.into(),
            dir: None,
            file_name: file_name.to_string(),
            mount: None,
            options: LoadOptions::default(),
        }
    }

    /// Give the document a mount prefix instead of its server base path.
    pub fn with_mount(mut self, prefix: impl Into<String>) -> SpecSource {
        self.mount = Some(prefix.into());
        self
    }
}

/// The file name without its extension.
pub fn stem(file_name: &str) -> String {
    let base = file_name.rsplit('/').next().unwrap_or(file_name);
    match base.rsplit_once('.') {
        Some((s, ext)) if EXTENSIONS.contains(&ext.to_ascii_lowercase().as_str()) => s.to_string(),
        _ => base.to_string(),
    }
}

/// Expand the paths given on the command line: files as they are, folders into
/// their `*.yaml`, `*.yml` and `*.json` files (not recursively: a folder's
/// subfolders usually hold the files its documents `$ref`), sorted by name.
/// Postman's environment and globals exports (`*.postman_environment.json`,
/// `*.postman_globals.json`) beside a collection are no documents: skipped.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, LoadError> {
    let mut out = Vec::new();
    for p in paths {
        if p.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| LoadError::new(p.display().to_string(), format!("cannot list: {e}")))?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| {
                    let name = f.file_name().and_then(|n| n.to_str()).unwrap_or("");
                    f.is_file()
                        && !name.ends_with(".postman_environment.json")
                        && !name.ends_with(".postman_globals.json")
                        && f.extension()
                            .and_then(|x| x.to_str())
                            .is_some_and(|x| EXTENSIONS.contains(&x.to_ascii_lowercase().as_str()))
                })
                .collect();
            found.sort();
            if found.is_empty() {
                return Err(LoadError::new(
                    p.display().to_string(),
                    "folder holds no .yaml, .yml or .json document",
                ));
            }
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// YAML text as a value, with the budgets (node counts, nesting, alias
/// replays) that refuse hostile documents quickly.
pub(super) fn parse_yaml_text(text: &str) -> Result<Value, serde_saphyr::Error> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        with_snippet: false,
        // Room for large real documents (thousands of operations) ...
        budget: serde_saphyr::budget! {
            max_events: 10_000_000,
            max_nodes: 2_000_000,
            max_depth: 256,
        },
        // ... but aliases may replay only so much: a nine-level alias bomb is
        // refused after 200k replayed events (~0.1 s in a release build).
        alias_limits: serde_saphyr::alias_limits! {
            max_total_replayed_events: 200_000,
        },
    };
    serde_saphyr::from_str_with_options(text, options)
}

/// Parse document text: JSON when it looks like JSON, else YAML.
///
/// YAML is read with serde-saphyr under a node budget (alias bombs are refused
/// with the line and column of the alias, in well under a second), strict
/// booleans (`yes` stays a string, as YAML 1.2 says) and duplicate keys refused.
pub fn parse_text(display: &str, text: &str) -> Result<Value, LoadError> {
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    if trimmed.starts_with('{') {
        let mut de = serde_json::Deserializer::from_str(trimmed);
        // serde_json's own recursion limit (128) refuses absurd nesting.
        let v = serde::Deserialize::deserialize(&mut de).and_then(|v: Value| {
            de.end()?;
            Ok(v)
        });
        let yaml_file = {
            let lower = display.to_ascii_lowercase();
            lower.ends_with(".yaml") || lower.ends_with(".yml")
        };
        match v {
            Ok(v) => return Ok(v),
            // A .yaml file that starts with `{` may be YAML's flow style
            // (trailing commas, comments): read it as YAML.
            Err(_) if yaml_file => {}
            Err(e) => {
                return Err(
                    LoadError::new(display, format!("invalid JSON: {e}")).at(format!(
                        "line {} column {}",
                        e.line(),
                        e.column()
                    )),
                );
            }
        }
    }
    // A large block-style document is parsed on every core; any doubt, or
    // an error, and it is parsed whole (the error then has its true place).
    if let Some(v) = super::split_parse::parse_in_pieces(trimmed, &|t| parse_yaml_text(t).ok()) {
        return Ok(v);
    }
    let value: Value = parse_yaml_text(trimmed).map_err(|e| {
        let full = e.to_string();
        let first = full
            .lines()
            .next()
            .unwrap_or("")
            .trim_start_matches("error: ");
        // The message ends with " at line L, column C" (or starts with
        // "line L column C: "); the location is reported separately.
        let msg = match first.find(" at line ") {
            Some(i) => &first[..i],
            None => first
                .split_once(": ")
                .filter(|(l, _)| l.starts_with("line "))
                .map_or(first, |(_, m)| m),
        };
        let msg = if let serde_saphyr::Error::DuplicateMappingKey { key, .. } = &e {
            // The library's own text advises a parser option the user cannot set.
            match key {
                Some(k) => format!(
                    "duplicate key `{k}`: a mapping may hold each key once; remove or rename one of them"
                ),
                None => "duplicate key: a mapping may hold each key once; remove or rename one of them".to_string(),
            }
        } else if full.contains("budget breached") || full.contains("alias replay limit") {
            format!("{msg}: the YAML expands to too many nodes (an alias bomb?) and was refused")
        } else {
            msg.to_string()
        };
        let err = LoadError::new(display, format!("invalid YAML: {msg}"));
        match e.location() {
            Some(l) => err.at(format!("line {} column {}", l.line(), l.column())),
            None => err,
        }
    })?;
    if value.is_null() {
        return Err(LoadError::new(display, "the document is empty"));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_numeric_keys_become_strings() {
        let v = parse_text("t.yaml", "responses:\n  200: {description: ok}\n").unwrap();
        assert!(v["responses"]["200"].is_object());
    }

    #[test]
    fn yaml_one_one_booleans_stay_strings() {
        let v = parse_text("t.yaml", "a: yes\nb: true\n").unwrap();
        assert_eq!(v["a"], "yes");
        assert_eq!(v["b"], true);
    }

    #[test]
    fn duplicate_keys_refused_with_line() {
        let e = parse_text("t.yaml", "a: 1\na: 2\n").unwrap_err();
        assert_eq!(e.at.as_deref(), Some("line 2 column 1"));
        assert!(e.message.contains("duplicate"), "{e}");
    }

    #[test]
    fn duplicate_key_names_the_key_file_line_and_column_without_parser_advice() {
        let text = "paths:\n  /a: {}\n  /b: {}\n  /a: {}\n";
        let e = parse_text("specs/x.yaml", text).unwrap_err();
        let shown = e.to_string();
        assert!(
            shown.starts_with("specs/x.yaml: line 4 column 3: invalid YAML: duplicate key `/a`"),
            "{shown}"
        );
        assert!(!shown.contains("DuplicateKeyPolicy"), "{shown}");
        assert!(!shown.contains("Options"), "{shown}");
    }

    #[test]
    fn a_yaml_file_in_json_form_with_trailing_commas_is_read_as_yaml() {
        let text = "{\"openapi\": \"3.0.3\", \"paths\": {},}\n";
        assert!(parse_text("t.json", text).is_err());
        let v = parse_text("t.yaml", text).unwrap();
        assert_eq!(v["openapi"], "3.0.3");
    }

    #[test]
    fn json_error_has_position() {
        let e = parse_text("t.json", "{\"a\": }").unwrap_err();
        assert!(e.at.unwrap().starts_with("line 1 column"));
    }

    #[test]
    fn stems() {
        assert_eq!(stem("specs/adafruit-io.yaml"), "adafruit-io");
        assert_eq!(stem("x.JSON"), "x");
        assert_eq!(stem("noext"), "noext");
    }
}
