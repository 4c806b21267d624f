//! Adoption: specmock.toml, shell completions, the man page, logging.

use std::fs;
use std::process::{Command, Stdio};

use crate::common::{Specmock, bin, run, send};
use serde_json::Value;

fn print_config(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String, String) {
    let out = Command::new(bin())
        .current_dir(dir)
        .args(["serve", "--print-config"])
        .args(args)
        .stdin(Stdio::null())
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

#[test]
fn a_complete_config_file_equals_the_flags() {
    let dir = tempfile::tempdir().unwrap();
    let specs = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");
    let axiom = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/axiom.yaml");
    let d = dir.path().display();
    fs::create_dir_all(dir.path().join("fx")).unwrap();
    fs::write(
        dir.path().join("specmock.toml"),
        format!(
            r#"# every serve key
specs = ["{specs}"]
host = "127.0.0.1"
port = 0
fixtures = ["fx"]
no-fixtures = true
fixtures-only = false
seed = 7
dynamic = true
tolerate-nulls = true
journal-size = "1MiB"
admin-token = "s3cret"
admin-open = false
report-json = "r.json"
report-junit = "j.xml"
no-cors = true
latency = "5..10"
fault-rate = 0.25
stateful = true
watch = true
log-format = "json"

[[document]]
path = "{axiom}"
prefix = "/axiom"
"#
        ),
    )
    .unwrap();
    let (code, from_file, err) = print_config(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    let flags = [
        specs,
        "--host",
        "127.0.0.1",
        "--port",
        "0",
        "--fixtures",
        &format!("{d}/fx"),
        "--no-fixtures",
        "--seed",
        "7",
        "--dynamic",
        "--tolerate-nulls",
        "--journal-size",
        "1MiB",
        "--admin-token",
        "s3cret",
        "--report-json",
        &format!("{d}/r.json"),
        "--report-junit",
        &format!("{d}/j.xml"),
        "--no-cors",
        "--latency",
        "5..10",
        "--fault-rate",
        "0.25",
        "--stateful",
        "--watch",
        "--mount",
        &format!("{axiom}=/axiom"),
    ];
    let empty = tempfile::tempdir().unwrap();
    let (code, from_flags, err) = print_config(empty.path(), &flags);
    assert_eq!(code, Some(0), "{err}");
    let (a, b): (Value, Value) = (
        serde_json::from_str(&from_file).unwrap(),
        serde_json::from_str(&from_flags).unwrap(),
    );
    assert_eq!(a, b, "file:\n{from_file}\nflags:\n{from_flags}");
    assert_eq!(a["admin_token"], "<redacted>");
    // Flags win over the file.
    let (_, over, _) = print_config(dir.path(), &["--seed", "9"]);
    assert_eq!(serde_json::from_str::<Value>(&over).unwrap()["seed"], 9);
    // And the server built from the file runs: the document under its prefix.
    let s = Specmock::serve_in(
        &[
            "--config",
            dir.path().join("specmock.toml").to_str().unwrap(),
            "--latency",
            "0",
        ],
        Some(dir.path()),
    );
    let r = send(
        "POST",
        &s.url("/axiom/tokens/t/regenerate"),
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer t"),
        ],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn a_misspelt_key_fails_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("specmock.toml"), "prot = 4010\n").unwrap();
    let (code, _, err) = print_config(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(
        err.contains("unknown key `prot` (did you mean `port`?)"),
        "{err}"
    );
    fs::write(
        dir.path().join("specmock.toml"),
        "[[document]]\npath = 'a.yaml'\nprfix = '/a'\n",
    )
    .unwrap();
    let (code, _, err) = print_config(dir.path(), &[]);
    assert_eq!(code, Some(2));
    assert!(err.contains("did you mean `document[0].prefix`"), "{err}");
}

#[test]
fn completions_and_man_page_are_generated() {
    for shell in ["bash", "zsh", "fish"] {
        let r = run(&["completions", shell]);
        assert_eq!(r.code, Some(0), "{shell}: {}", r.stderr);
        for sub in ["serve", "record", "fixtures", "validate"] {
            assert!(r.stdout.contains(sub), "{shell} completions lack {sub}");
        }
    }
    let r = run(&["man"]);
    assert_eq!(r.code, Some(0));
    assert!(
        r.stdout.starts_with(".ie") || r.stdout.contains(".TH specmock 1"),
        "{}",
        &r.stdout[..200.min(r.stdout.len())]
    );
    assert!(r.stdout.contains("serve"));
}

#[test]
fn json_logs_are_one_object_per_line_and_hold_no_secret() {
    let s = Specmock::serve(&["--log-format", "json"]);
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/path-secret-xyz"),
        &[
            ("authorization", "*:*.header-secret"),
            ("content-type", "application/json"),
        ],
        Some(r#"{"expiresAt":"tomorrow"}"#),
    );
    assert_eq!(r.status, 422);
    let (_, stderr) = s.terminate();
    let lines: Vec<Value> = stderr
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect();
    assert!(
        lines.iter().any(|l| l["fields"]["message"]
            .as_str()
            .is_some_and(|m| m.contains("1 violation(s)") && m.contains("expiresAt"))),
        "{stderr}"
    );
    assert!(
        !stderr.contains("path-secret-xyz") && !stderr.contains("header-secret"),
        "{stderr}"
    );
}

#[test]
fn every_subcommand_help_has_examples() {
    for sub in ["serve", "run", "record", "routes", "validate"] {
        let r = run(&[sub, "--help"]);
        assert_eq!(r.code, Some(0));
        assert!(r.stdout.contains("Example"), "{sub} --help has no example");
    }
}
