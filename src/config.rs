//! `specmock.toml`: every `serve`, `run` and `record` flag as a key (the same
//! name, kebab-case), per-document options in `[[document]]` tables; flags
//! given on the command line win over the file. An unknown key is an error
//! naming it and the closest known one.
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

use std::path::{Path, PathBuf};

use serde::Deserialize;

/// The file looked for in the working directory when `--config` is not given.
pub const DEFAULT_FILE: &str = "specmock.toml";

/// Every top-level key.
pub const KEYS: &[&str] = &[
    "specs",
    "mount",
    "host",
    "port",
    "fixtures",
    "no-fixtures",
    "fixtures-only",
    "seed",
    "dynamic",
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
    "allow-violations",
    "upstream",
    "strict",
    "redact",
    "document",
];

/// Keys of a `[[document]]` table.
pub const DOCUMENT_KEYS: &[&str] = &["path", "prefix", "fixtures", "upstream"];

/// The file's contents. Every field is optional: a flag or the default fills the rest.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct ConfigFile {
    pub specs: Option<Vec<PathBuf>>,
    /// `FILE=/prefix` strings, as on the command line.
    pub mount: Option<Vec<String>>,
    pub host: Option<String>,
    pub port: Option<u16>,
    pub fixtures: Option<Vec<PathBuf>>,
    pub no_fixtures: Option<bool>,
    pub fixtures_only: Option<bool>,
    pub seed: Option<u64>,
    pub dynamic: Option<bool>,
    pub tolerate_nulls: Option<bool>,
    pub journal_size: Option<String>,
    pub admin_token: Option<String>,
    pub admin_open: Option<bool>,
    pub report_json: Option<PathBuf>,
    pub report_junit: Option<PathBuf>,
    pub no_cors: Option<bool>,
    /// `"300"` or `"100..500"`.
    pub latency: Option<String>,
    pub fault_rate: Option<f64>,
    pub stateful: Option<bool>,
    pub watch: Option<bool>,
    pub log_format: Option<String>,
    /// Limits: sizes as `10MiB`, timeouts in seconds.
    pub max_body_size: Option<String>,
    pub max_header_size: Option<String>,
    pub max_headers: Option<usize>,
    pub max_url_length: Option<String>,
    pub header_timeout: Option<u64>,
    pub idle_timeout: Option<u64>,
    pub max_connections: Option<usize>,
    /// `run` only.
    pub allow_violations: Option<bool>,
    /// `record` only.
    pub upstream: Option<String>,
    pub strict: Option<bool>,
    pub redact: Option<Vec<String>>,
    /// Per-document options.
    pub document: Option<Vec<DocumentConfig>>,
}

/// Options of one document.
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, rename_all = "kebab-case")]
pub struct DocumentConfig {
    /// The document's file (added to `specs` if not there).
    pub path: PathBuf,
    /// Serve it under this prefix instead of its server base path.
    pub prefix: Option<String>,
    /// Its fixtures folder.
    pub fixtures: Option<PathBuf>,
    /// `record`: forward its requests here.
    pub upstream: Option<String>,
}

impl ConfigFile {
    /// Read and check a config file; relative paths in it are relative to
    /// the file's folder.
    pub fn load(path: &Path) -> Result<ConfigFile, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("{}: cannot read: {e}", path.display()))?;
        let mut cfg = ConfigFile::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        // Paths in the file are relative to its folder, wherever specmock runs.
        if let Some(base) = path.canonicalize().ok().as_deref().and_then(Path::parent) {
            cfg.rebase(base);
        }
        Ok(cfg)
    }

    /// Parse config text, refusing unknown keys with a suggestion.
    pub fn parse(text: &str) -> Result<ConfigFile, String> {
        let table: toml::Table =
            toml::from_str(text).map_err(|e| format!("invalid TOML: {}", e.message()))?;
        check_keys(&table, KEYS, "")?;
        if let Some(toml::Value::Array(docs)) = table.get("document") {
            for (i, d) in docs.iter().enumerate() {
                if let toml::Value::Table(t) = d {
                    check_keys(t, DOCUMENT_KEYS, &format!("document[{i}]."))?;
                }
            }
        }
        toml::from_str(text).map_err(|e| e.message().to_string())
    }

    fn rebase(&mut self, base: &Path) {
        let fix = |p: &mut PathBuf| {
            if p.is_relative() {
                *p = base.join(&*p);
            }
        };
        self.specs.iter_mut().flatten().for_each(fix);
        self.fixtures.iter_mut().flatten().for_each(fix);
        if let Some(p) = &mut self.report_json {
            fix(p);
        }
        if let Some(p) = &mut self.report_junit {
            fix(p);
        }
        for d in self.document.iter_mut().flatten() {
            fix(&mut d.path);
            if let Some(f) = &mut d.fixtures {
                fix(f);
            }
        }
    }
}

fn check_keys(table: &toml::Table, known: &[&str], prefix: &str) -> Result<(), String> {
    for key in table.keys() {
        if !known.contains(&key.as_str()) {
            let closest = known
                .iter()
                .map(|k| (strsim::damerau_levenshtein(key, k), *k))
                .min()
                .filter(|(d, _)| *d <= 3)
                .map(|(_, k)| format!(" (did you mean `{prefix}{k}`?)"))
                .unwrap_or_default();
            return Err(format!("unknown key `{prefix}{key}`{closest}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn misspelt_keys_get_a_suggestion() {
        let e = ConfigFile::parse("prot = 4010\n").unwrap_err();
        assert_eq!(e, "unknown key `prot` (did you mean `port`?)");
        let e = ConfigFile::parse("[[document]]\npath = 'a.yaml'\nprefx = '/a'\n").unwrap_err();
        assert!(e.contains("document[0].prefix"), "{e}");
        let e = ConfigFile::parse("zzzzzzzzzz = 1\n").unwrap_err();
        assert_eq!(e, "unknown key `zzzzzzzzzz`");
    }

    #[test]
    fn a_complete_file_parses() {
        let c = ConfigFile::parse(
            "specs = ['specs/']\nport = 0\nseed = 7\nlatency = '10..20'\nfault-rate = 0.5\n[[document]]\npath = 'specs/axiom.yaml'\nprefix = '/axiom'\n",
        )
        .unwrap();
        assert_eq!(c.port, Some(0));
        assert_eq!(c.document.unwrap()[0].prefix.as_deref(), Some("/axiom"));
    }

    #[test]
    fn wrong_types_are_named() {
        let e = ConfigFile::parse("port = 'x'\n").unwrap_err();
        assert!(e.contains("port") || e.contains("u16"), "{e}");
    }

    #[test]
    fn every_key_is_a_field() {
        // A key list entry without a field would be refused by deny_unknown_fields.
        for k in KEYS.iter().filter(|k| **k != "document") {
            let v = match *k {
                "specs" | "fixtures" | "redact" | "mount" => "[]",
                "port" | "seed" | "max-headers" | "header-timeout" | "idle-timeout"
                | "max-connections" => "1",
                "fault-rate" => "0.5",
                "host" | "journal-size" | "admin-token" | "report-json" | "report-junit"
                | "latency" | "log-format" | "upstream" | "max-body-size" | "max-header-size"
                | "max-url-length" => "'x'",
                _ => "true",
            };
            ConfigFile::parse(&format!("{k} = {v}\n")).unwrap_or_else(|e| panic!("{k}: {e}"));
        }
    }
}
