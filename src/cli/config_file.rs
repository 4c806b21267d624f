//! `specmock.toml`: the command line's flags as keys.
//!
//! ripgrep's way: the file's keys become arguments placed before the command
//! line's, so a key is parsed, checked and documented by the flag it names
//! (there is no second list of keys to keep in step). A flag given on the
//! command line (or by its environment variable) wins: its key is left out.
//! Per-document options live in `[[document]]` tables and become `specs`,
//! `--mount`, `--fixtures` and `record`'s per-document upstream;
//! `[[chaos-rule]]` tables become the rules of the profiles `--chaos NAME` picks.
//!
//! ```toml
//! specs = ["specs/"]
//! port = 4010
//! seed = 7
//!
//! [[document]]
//! path = "specs/axiom.yaml"
//! prefix = "/axiom"
//! ```

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use clap::{ArgAction, ValueHint};

use super::args::NOT_KEYS;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "specmock.toml";

/// The subcommands whose flags are keys.
const WITH_KEYS: &[&[&str]] = &[
    &["serve"],
    &["run"],
    &["record"],
    &["routes"],
    &["validate"],
    &["fixtures", "check"],
    &["export", "pact"],
    &["export", "openapi"],
    &["diff"],
];

/// Keys that hold tables, not flags.
const TABLES: &[&str] = &["document", "chaos-rule"];

/// Keys of a `[[document]]` table.
const DOCUMENT_KEYS: &[&str] = &["path", "prefix", "fixtures", "upstream", "passthrough"];

/// A parsed config file.
#[derive(Debug)]
pub struct ConfigFile {
    /// Where it was read from (named in every error).
    pub path: PathBuf,
    /// Relative paths in it are relative to this folder; `None` when it is
    /// the working directory (they stay as written, so `--print-config`
    /// shows them as the user wrote them).
    base: Option<PathBuf>,
    table: toml::Table,
}

/// What a config file contributes to one command line.
#[derive(Debug, Default)]
pub struct Injected {
    /// Positional values (documents), used when the command line names none.
    pub positionals: Vec<String>,
    /// `--key=value` tokens.
    pub options: Vec<String>,
    /// The long names these came from (to blame the file for a bad value).
    pub keys: BTreeSet<String>,
}

impl ConfigFile {
    /// `--config FILE`, else `./specmock.toml` when it exists.
    pub fn find(
        explicit: Option<&Path>,
        root: &clap::Command,
    ) -> Result<Option<ConfigFile>, String> {
        match explicit {
            Some(p) => ConfigFile::load(p, root).map(Some),
            None => {
                let p = Path::new(DEFAULT_FILE);
                if p.is_file() {
                    ConfigFile::load(p, root).map(Some)
                } else {
                    Ok(None)
                }
            }
        }
    }

    /// Read a file and check every key against the flags of `root`.
    pub fn load(path: &Path, root: &clap::Command) -> Result<ConfigFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut cfg =
            ConfigFile::parse(&text, root).map_err(|e| format!("{}: {e}", path.display()))?;
        cfg.path = path.to_path_buf();
        let folder = path
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().map(Path::to_path_buf));
        let cwd = std::env::current_dir()
            .ok()
            .and_then(|d| d.canonicalize().ok());
        cfg.base = folder.filter(|f| Some(f) != cwd.as_ref());
        Ok(cfg)
    }

    /// Parse config text, refusing unknown keys with a suggestion.
    pub fn parse(text: &str, root: &clap::Command) -> Result<ConfigFile, String> {
        let table: toml::Table = text
            .parse()
            .map_err(|e: toml::de::Error| format!("invalid TOML: {}", e.message()))?;
        let known = known_keys(root);
        for key in table.keys() {
            if !TABLES.contains(&key.as_str()) && !known.contains(key.as_str()) {
                return Err(unknown(
                    key,
                    known
                        .iter()
                        .map(String::as_str)
                        .chain(TABLES.iter().copied()),
                    "",
                ));
            }
        }
        chaos_tables(&table)?;
        if let Some(docs) = table.get("document") {
            let toml::Value::Array(docs) = docs else {
                return Err("document: expected [[document]] tables".into());
            };
            for (i, d) in docs.iter().enumerate() {
                let toml::Value::Table(t) = d else {
                    return Err(format!("document[{i}]: expected a table"));
                };
                for key in t.keys() {
                    if !DOCUMENT_KEYS.contains(&key.as_str()) {
                        return Err(unknown(
                            key,
                            DOCUMENT_KEYS.iter().copied(),
                            &format!("document[{i}]."),
                        ));
                    }
                }
                for key in DOCUMENT_KEYS {
                    match t.get(*key) {
                        Some(toml::Value::String(_)) if *key != "passthrough" => {}
                        Some(toml::Value::Array(a))
                            if *key == "passthrough" && a.iter().all(toml::Value::is_str) => {}
                        None if *key != "path" => {}
                        None => return Err(format!("document[{i}]: `path` is required")),
                        Some(v) => {
                            let wanted = if *key == "passthrough" {
                                "a list of operation ids"
                            } else {
                                "a string"
                            };
                            return Err(format!(
                                "document[{i}].{key}: expected {wanted}, found {}",
                                describe(v)
                            ));
                        }
                    }
                }
            }
        }
        Ok(ConfigFile {
            path: PathBuf::from(DEFAULT_FILE),
            base: None,
            table,
        })
    }

    /// The arguments this file adds to `sub`'s command line. `given(id)`
    /// says whether the command line (or an environment variable) set that
    /// flag already; those keys are left out.
    pub fn arguments(
        &self,
        root: &clap::Command,
        sub: &clap::Command,
        given: &dyn Fn(&str) -> bool,
    ) -> Result<Injected, String> {
        let mut out = Injected::default();
        for (key, value) in &self.table {
            if TABLES.contains(&key.as_str()) {
                continue;
            }
            // Global flags (log-format) are accepted after the subcommand too.
            let Some(arg) = find_arg(sub, key).or_else(|| find_arg(root, key)) else {
                continue; // a key of another subcommand
            };
            if given(arg.get_id().as_str()) {
                continue;
            }
            let tokens = self.values(arg, key, value)?;
            if tokens.is_empty() {
                continue;
            }
            out.keys.insert(key.clone());
            let switch = matches!(arg.get_action(), ArgAction::SetTrue);
            match arg.get_long() {
                Some(long) if switch => out.options.push(format!("--{long}")),
                Some(long) => out
                    .options
                    .extend(tokens.into_iter().map(|v| format!("--{long}={v}"))),
                None => out.positionals.extend(tokens),
            }
        }
        self.documents(sub, given, &mut out);
        if sub.get_arguments().any(|a| a.get_id() == "chaos_profile") {
            for text in chaos_tables(&self.table)? {
                out.options.push(format!("--chaos-profile={text}"));
            }
        }
        Ok(out)
    }

    /// `[[document]]` tables as the flags they stand for.
    fn documents(&self, sub: &clap::Command, given: &dyn Fn(&str) -> bool, out: &mut Injected) {
        let Some(toml::Value::Array(docs)) = self.table.get("document") else {
            return;
        };
        // By id, hidden flags included (`document_upstream` is one).
        let has = |id: &str| sub.get_arguments().any(|a| a.get_id() == id) && !given(id);
        for d in docs {
            let get = |k: &str| d.get(k).and_then(toml::Value::as_str);
            let Some(path) = get("path") else { continue };
            let path = self.rebase(path);
            if has("specs") {
                let covered = out.positionals.iter().any(|s| {
                    let s = Path::new(s);
                    s == Path::new(&path) || (s.is_dir() && Path::new(&path).starts_with(s))
                });
                if !covered {
                    out.positionals.push(path.clone());
                }
            }
            if let Some(prefix) = get("prefix")
                && has("mount")
            {
                out.options.push(format!("--mount={path}={prefix}"));
                out.keys.insert("mount".into());
            }
            if let Some(dir) = get("fixtures")
                && has("fixtures")
            {
                out.options.push(format!("--fixtures={}", self.rebase(dir)));
                out.keys.insert("fixtures".into());
            }
            if let Some(url) = get("upstream")
                && has("document_upstream")
            {
                let name = crate::spec::stem(&path);
                out.options
                    .push(format!("--document-upstream={name}={url}"));
            }
            // `passthrough = ["getUser"]`: that document's operations, qualified.
            if let Some(toml::Value::Array(ops)) = d.get("passthrough")
                && has("passthrough")
            {
                let name = crate::spec::stem(&path);
                for op in ops.iter().filter_map(toml::Value::as_str) {
                    out.options.push(format!("--passthrough={name}/{op}"));
                }
                out.keys.insert("passthrough".into());
            }
        }
    }

    /// A key's value as the flag's value strings (none: a `false` switch).
    fn values(
        &self,
        arg: &clap::Arg,
        key: &str,
        value: &toml::Value,
    ) -> Result<Vec<String>, String> {
        let switch = matches!(arg.get_action(), ArgAction::SetTrue);
        if switch {
            return match value {
                toml::Value::Boolean(true) => Ok(vec!["true".into()]),
                toml::Value::Boolean(false) => Ok(Vec::new()),
                v => Err(format!(
                    "{key}: expected true or false, found {}",
                    describe(v)
                )),
            };
        }
        let many = matches!(arg.get_action(), ArgAction::Append) || arg.get_long().is_none();
        let items: Vec<&toml::Value> = match value {
            toml::Value::Array(a) if many => a.iter().collect(),
            toml::Value::Array(_) => {
                return Err(format!("{key}: expected one value, found a list"));
            }
            v => vec![v],
        };
        let path_like = matches!(
            arg.get_value_hint(),
            ValueHint::AnyPath | ValueHint::FilePath | ValueHint::DirPath
        );
        items
            .into_iter()
            .map(|v| {
                let s = match v {
                    toml::Value::String(s) => s.clone(),
                    toml::Value::Integer(i) => i.to_string(),
                    toml::Value::Float(f) => f.to_string(),
                    toml::Value::Boolean(b) => b.to_string(),
                    other => {
                        return Err(format!(
                            "{key}: expected a value, found {}",
                            describe(other)
                        ));
                    }
                };
                Ok(match (path_like, s.rsplit_once('=')) {
                    // `FILE=/PREFIX`: only the file is a path.
                    (true, Some((file, prefix))) if key == "mount" => {
                        format!("{}={prefix}", self.rebase(file))
                    }
                    (true, _) => self.rebase(&s),
                    _ => s,
                })
            })
            .collect()
    }

    /// A relative path in the file is relative to the file's folder.
    fn rebase(&self, p: &str) -> String {
        match &self.base {
            Some(base) if Path::new(p).is_relative() => base.join(p).to_string_lossy().into_owned(),
            _ => p.to_string(),
        }
    }
}

/// `[[chaos-rule]]` tables, checked, as the `--chaos-profile` values they stand for.
fn chaos_tables(table: &toml::Table) -> Result<Vec<String>, String> {
    let Some(tables) = table.get("chaos-rule") else {
        return Ok(Vec::new());
    };
    let toml::Value::Array(tables) = tables else {
        return Err("chaos-rule: expected [[chaos-rule]] tables (a profile's rules)".into());
    };
    tables
        .iter()
        .enumerate()
        .map(|(i, t)| match t {
            toml::Value::Table(t) => {
                crate::chaos::table_to_text(t).map_err(|e| format!("chaos-rule[{i}]: {e}"))
            }
            _ => Err(format!("chaos-rule[{i}]: expected a table")),
        })
        .collect()
}

/// A flag by the name a key uses: its long name, or a positional's id.
fn find_arg<'a>(cmd: &'a clap::Command, key: &str) -> Option<&'a clap::Arg> {
    cmd.get_arguments().find(|a| {
        !a.is_hide_set()
            && !a.is_last_set()
            && match a.get_long() {
                Some(long) => long == key || a.get_id() == key,
                None => a.get_id() == key,
            }
    })
}

/// Every key of `specmock.toml` (the `[[document]]` table's as
/// `document.KEY`), for documentation checks.
pub fn every_key() -> BTreeSet<String> {
    use clap::CommandFactory;
    let mut keys = known_keys(&super::Cli::command());
    keys.extend(DOCUMENT_KEYS.iter().map(|k| format!("document.{k}")));
    keys.extend(
        crate::chaos::RULE_KEYS
            .iter()
            .map(|k| format!("chaos-rule.{k}")),
    );
    keys
}

/// Every key: the flags of the subcommands that take them, and the global ones.
fn known_keys(root: &clap::Command) -> BTreeSet<String> {
    let mut keys = BTreeSet::new();
    let mut add = |cmd: &clap::Command| {
        for a in cmd.get_arguments() {
            if a.is_hide_set() || a.is_last_set() {
                continue;
            }
            let name = a
                .get_long()
                .map(str::to_string)
                .unwrap_or_else(|| a.get_id().to_string());
            if !NOT_KEYS.contains(&name.as_str()) {
                keys.insert(name);
            }
        }
    };
    add(root);
    for path in WITH_KEYS {
        let mut cmd = Some(root);
        for name in *path {
            cmd = cmd.and_then(|c| c.find_subcommand(name));
        }
        if let Some(c) = cmd {
            add(c);
        }
    }
    keys
}

fn unknown<'a>(key: &str, known: impl Iterator<Item = &'a str>, prefix: &str) -> String {
    let closest = known
        .map(|k| (strsim::damerau_levenshtein(key, k), k))
        .min()
        .filter(|(d, _)| *d <= 3)
        .map(|(_, k)| format!(" (did you mean `{prefix}{k}`?)"))
        .unwrap_or_default();
    format!("unknown key `{prefix}{key}`{closest}")
}

fn describe(v: &toml::Value) -> String {
    match v {
        toml::Value::String(s) => format!("\"{s}\""),
        toml::Value::Array(_) => "a list".into(),
        toml::Value::Table(_) => "a table".into(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    fn parse(text: &str) -> Result<ConfigFile, String> {
        ConfigFile::parse(text, &super::super::Cli::command())
    }

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        let e = parse("prot = 4010\n").unwrap_err();
        assert_eq!(e, "unknown key `prot` (did you mean `port`?)");
        let e = parse("[[document]]\npath = 'a.yaml'\nprefx = '/a'\n").unwrap_err();
        assert!(e.contains("document[0].prefix"), "{e}");
        let e = parse("zzzzzzzzzz = 1\n").unwrap_err();
        assert_eq!(e, "unknown key `zzzzzzzzzz`");
        // Not keys: what only makes sense on a command line.
        assert!(parse("print-config = true\n").is_err());
        assert!(parse("command = ['x']\n").is_err());
    }

    #[test]
    fn every_flag_of_serve_run_and_record_is_a_key() {
        let root = super::super::Cli::command();
        let keys = known_keys(&root);
        for k in [
            "specs",
            "mount",
            "postman-env",
            "host",
            "port",
            "fixtures",
            "no-fixtures",
            "fixtures-only",
            "seed",
            "dynamic",
            "errors",
            "sparse",
            "no-field-coverage",
            "tolerate-nulls",
            "journal-size",
            "admin-token",
            "admin-open",
            "report-json",
            "report-junit",
            "no-cors",
            "latency",
            "fault-rate",
            "stateful",
            "watch",
            "log-format",
            "max-body-size",
            "max-header-size",
            "max-headers",
            "max-url-length",
            "header-timeout",
            "idle-timeout",
            "max-connections",
            "tls-cert",
            "tls-key",
            "tls-self-signed",
            "tls-self-signed-out",
            "chaos",
            "chaos-allow-undeclared",
            "callbacks-to",
            "callback-delay",
            "callback-timeout",
            "webhook",
            "callback-wait",
            "allow-violations",
            "upstream-unmatched",
            "passthrough",
            "min-coverage",
            "coverage-scope",
            "upstream",
            "strict",
            "redact",
            "consumer",
            "provider",
            "format",
            "fail-on",
        ] {
            assert!(keys.contains(k), "{k} is not a key: {keys:?}");
        }
        assert!(!keys.contains("document-upstream"));
        // An export's input and output are named on the command line only.
        for k in ["report", "output", "document-name"] {
            assert!(!keys.contains(k), "{k} should not be a key");
        }
    }

    #[test]
    fn keys_become_the_flags_they_name() {
        let root = super::super::Cli::command();
        let serve = root.find_subcommand("serve").unwrap();
        let cfg = parse(
            "specs = ['a.yaml']\nport = 0\nstateful = true\nwatch = false\nfixtures = ['f', 'g']\nstrict = true\n[[document]]\npath = 'b.yaml'\nprefix = '/b'\n",
        )
        .unwrap();
        let inj = cfg.arguments(&root, serve, &|_| false).unwrap();
        assert_eq!(inj.positionals, ["a.yaml", "b.yaml"]);
        // In the file's order; `strict` is record's: left out of serve's;
        // `watch = false` adds nothing.
        assert_eq!(
            inj.options,
            [
                "--port=0",
                "--stateful",
                "--fixtures=f",
                "--fixtures=g",
                "--mount=b.yaml=/b"
            ]
        );
        // The command line wins.
        let inj = cfg.arguments(&root, serve, &|id| id == "port").unwrap();
        assert!(!inj.options.iter().any(|o| o.starts_with("--port")));
    }

    #[test]
    fn wrong_types_name_the_key() {
        let root = super::super::Cli::command();
        let serve = root.find_subcommand("serve").unwrap();
        let e = parse("stateful = 'yes'\n")
            .unwrap()
            .arguments(&root, serve, &|_| false)
            .unwrap_err();
        assert_eq!(e, "stateful: expected true or false, found \"yes\"");
        let e = parse("port = [1, 2]\n")
            .unwrap()
            .arguments(&root, serve, &|_| false)
            .unwrap_err();
        assert_eq!(e, "port: expected one value, found a list");
        let e = parse("[[document]]\nprefix = '/a'\n").err().unwrap();
        assert_eq!(e, "document[0]: `path` is required");
    }
}
