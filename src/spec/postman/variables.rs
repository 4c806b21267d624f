//! `{{name}}` variables: the collection's `variable[]`, then each
//! `--postman-env` file's enabled values (later ones win, as Postman's
//! environment wins over the collection). A name nobody defines, and
//! Postman's dynamic `{{$guid}}`-style variables, stay as written; so do
//! secrets (`type: secret`, or a name like `token` or `apiKey`), which keeps
//! their values out of the contract's examples and everything printed from it.

use std::cell::Cell;
use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value;

use crate::spec::LoadError;

/// Known variable values, by name.
#[derive(Debug, Clone, Default)]
pub(super) struct Variables {
    values: BTreeMap<String, String>,
    /// Bytes substituted so far, against [`MAX_TOTAL`].
    spent: Cell<usize>,
    /// A substitution was refused for a budget.
    stopped: Cell<bool>,
}

/// How many times a value may refer to another before substitution stops
/// (`{{a}}` → `{{b}}` → ...): a loop must not hang the loader.
const MAX_DEPTH: usize = 8;

/// The longest text substitution may produce: values that refer to each
/// other twice over (`a` = `{{b}}{{b}}`, ...) must not blow memory up.
const MAX_RESOLVED: usize = 1 << 20;

/// The most bytes substitution may add over a whole collection (as much as
/// the largest document): many references to a large value stop there.
const MAX_TOTAL: usize = super::super::MAX_DOCUMENT_BYTES as usize;

impl Variables {
    /// Add a `variable[]` (collection) or `values[]` (environment) list;
    /// disabled entries are left out.
    pub(super) fn add_list(&mut self, list: Option<&Value>) {
        for v in list.and_then(Value::as_array).into_iter().flatten() {
            let disabled = v.get("disabled").and_then(Value::as_bool) == Some(true)
                || v.get("enabled").and_then(Value::as_bool) == Some(false);
            let Some(key) = v.get("key").or_else(|| v.get("id")).and_then(Value::as_str) else {
                continue;
            };
            if disabled {
                continue;
            }
            if v.get("type").and_then(Value::as_str) == Some("secret") || looks_secret(key) {
                // An earlier, plain value of the same name must not stand in for it.
                self.values.remove(key);
                continue;
            }
            if let Some(value) = v.get("value").and_then(scalar_text) {
                self.values.insert(key.to_string(), value);
            }
        }
    }

    /// Read a Postman environment file (`{name, values: [{key, value, enabled}]}`).
    pub(super) fn add_environment(&mut self, path: &Path) -> Result<(), LoadError> {
        let shown = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| {
            LoadError::new(&shown, format!("--postman-env: cannot read: {e}"))
                .hint("give the path of a Postman environment file (exported as JSON)")
        })?;
        let value: Value = serde_json::from_str(&text).map_err(|e| {
            LoadError::new(&shown, format!("--postman-env: invalid JSON: {e}")).at(format!(
                "line {} column {}",
                e.line(),
                e.column()
            ))
        })?;
        let Some(values) = value.get("values").filter(|v| v.is_array()) else {
            return Err(LoadError::new(
                &shown,
                "--postman-env: not a Postman environment: no `values` list at the top level",
            )
            .at("#/values")
            .hint("export the environment from Postman (Environments > ... > Export)"));
        };
        self.add_list(Some(values));
        Ok(())
    }

    /// Whether substitution stopped somewhere for the budgets.
    pub(super) fn exhausted(&self) -> bool {
        self.stopped.get()
    }

    /// The value of one variable, if known.
    pub(super) fn get(&self, name: &str) -> Option<&str> {
        self.values.get(name).map(String::as_str)
    }

    /// `text` with every known `{{name}}` replaced (values may use others).
    pub(super) fn resolve(&self, text: &str) -> String {
        let mut out = text.to_string();
        for _ in 0..MAX_DEPTH {
            if !out.contains("{{") {
                break;
            }
            let next = self.resolve_once(&out);
            if next == out || self.stopped.get() {
                out = next;
                break;
            }
            out = next;
        }
        out
    }

    fn resolve_once(&self, text: &str) -> String {
        let mut out = String::with_capacity(text.len());
        let mut rest = text;
        while let Some(start) = rest.find("{{") {
            out.push_str(&rest[..start]);
            let after = &rest[start + 2..];
            match after.find("}}") {
                Some(end) => {
                    let name = after[..end].trim();
                    match self.get(name) {
                        Some(v)
                            if out.len() + v.len() <= MAX_RESOLVED
                                && self.spent.get() + v.len() <= MAX_TOTAL =>
                        {
                            self.spent.set(self.spent.get() + v.len());
                            out.push_str(v)
                        }
                        Some(_) => {
                            // Over a budget: the rest stays as written.
                            self.stopped.set(true);
                            out.push_str(&rest[start..]);
                            return out;
                        }
                        None => out.push_str(&rest[start..start + 2 + end + 2]),
                    }
                    rest = &after[end + 2..];
                }
                None => {
                    out.push_str(&rest[start..]);
                    rest = "";
                }
            }
        }
        out.push_str(rest);
        out
    }
}

/// A name that says its value is a credential: `token`, `clientSecret`,
/// `password`, `apiKey`, `X-Api-Key`, `sessionId`... (compared without case).
pub(super) fn looks_secret(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    [
        "token",
        "secret",
        "password",
        "passwd",
        "credential",
        "session",
        "cookie",
        "authoriz",
    ]
    .iter()
    .any(|w| n.contains(w))
        || n.ends_with("key")
        || n.ends_with("auth")
}

/// The names of the `{{name}}` variables still in `text`.
pub(super) fn unresolved(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(start) = rest.find("{{") {
        let after = &rest[start + 2..];
        let Some(end) = after.find("}}") else { break };
        out.push(after[..end].trim());
        rest = &after[end + 2..];
    }
    out
}

/// A variable's value as text: strings as they are, numbers and booleans
/// printed (v2.1 lets a value be any JSON).
pub(super) fn scalar_text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn vars(list: Value) -> Variables {
        let mut v = Variables::default();
        v.add_list(Some(&list));
        v
    }

    #[test]
    fn known_names_are_replaced_and_unknown_ones_kept() {
        let v = vars(json!([
            {"key": "host", "value": "api.example.com"},
            {"key": "base", "value": "https://{{host}}/v1"},
            {"key": "off", "value": "x", "disabled": true}
        ]));
        assert_eq!(
            v.resolve("{{base}}/users"),
            "https://api.example.com/v1/users"
        );
        assert_eq!(v.resolve("{{off}}/{{$guid}}"), "{{off}}/{{$guid}}");
        assert_eq!(unresolved("{{off}}/{{ $guid }}"), vec!["off", "$guid"]);
    }

    #[test]
    fn values_that_multiply_at_every_level_stop_at_the_budget() {
        // v3 would be 100^3 copies of 4 KiB: 4 GB.
        let mut list = vec![json!({"key": "v0", "value": "x".repeat(4096)})];
        for i in 1..4 {
            let refs = format!("{{{{v{}}}}}", i - 1).repeat(100);
            list.push(json!({"key": format!("v{i}"), "value": refs}));
        }
        let v = vars(Value::Array(list));
        assert!(!v.exhausted());
        let out = v.resolve("{{v3}}");
        assert!(out.len() <= 3 * MAX_RESOLVED, "{}", out.len());
        assert!(v.exhausted());
    }

    #[test]
    fn secrets_are_never_substituted() {
        let v = vars(json!([
            {"key": "token", "value": "t-123"},
            {"key": "clientSecret", "value": "s-456"},
            {"key": "X-Api-Key", "value": "k-789"},
            {"key": "pin", "value": "0000", "type": "secret"},
            {"key": "monkey", "value": "also a key"},
            {"key": "user", "value": "ada"}
        ]));
        let text = "{{token}} {{clientSecret}} {{X-Api-Key}} {{pin}} {{user}}";
        assert_eq!(
            v.resolve(text),
            "{{token}} {{clientSecret}} {{X-Api-Key}} {{pin}} ada"
        );
        assert_eq!(v.get("pin"), None);
        assert!(!looks_secret("userId") && !looks_secret("author"));
        assert!(
            looks_secret("Authorization") && looks_secret("api_key") && looks_secret("basicAuth")
        );
    }

    #[test]
    fn a_loop_of_variables_stops() {
        let v = vars(json!([{"key": "a", "value": "{{b}}"}, {"key": "b", "value": "{{a}}"}]));
        assert!(v.resolve("{{a}}").starts_with("{{"));
    }

    #[test]
    fn environment_values_win_and_disabled_ones_do_not() {
        let mut v = vars(json!([{"key": "region", "value": "collection"}]));
        v.add_list(Some(&json!([
            {"key": "region", "value": "env", "enabled": true},
            {"key": "other", "value": "no", "enabled": false},
            {"key": "n", "value": 3}
        ])));
        assert_eq!(v.get("region"), Some("env"));
        assert_eq!(v.get("other"), None);
        assert_eq!(v.get("n"), Some("3"));
    }
}
