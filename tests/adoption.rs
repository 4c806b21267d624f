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
sparse = true
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
        "--log-format",
        "json",
        "--fixtures",
        "fx",
        "--no-fixtures",
        "--seed",
        "7",
        "--dynamic",
        "--sparse",
        "--tolerate-nulls",
        "--journal-size",
        "1MiB",
        "--admin-token",
        "s3cret",
        "--report-json",
        "r.json",
        "--report-junit",
        "j.xml",
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
    // The same flags, from the same folder with the file out of the way.
    fs::rename(
        dir.path().join("specmock.toml"),
        dir.path().join("off.toml"),
    )
    .unwrap();
    let (code, from_flags, err) = print_config(dir.path(), &flags);
    fs::rename(
        dir.path().join("off.toml"),
        dir.path().join("specmock.toml"),
    )
    .unwrap();
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(
        from_file, from_flags,
        "file:\n{from_file}\nflags:\n{from_flags}"
    );
    // The secret is never printed, only that it is set.
    assert!(!from_file.contains("s3cret"), "{from_file}");
    assert!(from_file.contains("admin-token is set"), "{from_file}");
    // Flags win over the file.
    let (_, over, _) = print_config(dir.path(), &["--seed", "9"]);
    assert!(over.contains("\nseed = 9\n"), "{over}");
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
    // One page per command, and every page the top one names exists.
    let dir = tempfile::tempdir().unwrap();
    let r = run(&["man", dir.path().to_str().unwrap()]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let top = fs::read_to_string(dir.path().join("specmock.1")).unwrap();
    assert!(
        top.contains(".TH specmock 1"),
        "{}",
        &top[..200.min(top.len())]
    );
    for page in [
        "specmock-serve.1",
        "specmock-run.1",
        "specmock-record.1",
        "specmock-fixtures-check.1",
    ] {
        let text =
            fs::read_to_string(dir.path().join(page)).unwrap_or_else(|e| panic!("{page}: {e}"));
        assert!(text.contains(".TH"), "{page}");
    }
    for referenced in top.split("specmock\\-").skip(1) {
        let name = referenced.split('(').next().unwrap().replace("\\-", "-");
        if name.chars().all(|c| c.is_ascii_lowercase() || c == '-') && !name.is_empty() {
            assert!(
                dir.path().join(format!("specmock-{name}.1")).exists(),
                "specmock.1 names specmock-{name}(1), which was not written"
            );
        }
    }
    // A folder that does not exist is refused with what to do.
    let r = run(&["man", dir.path().join("nope").to_str().unwrap()]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("mkdir -p"), "{}", r.stderr);
}

#[test]
fn print_config_loads_back_as_the_same_settings() {
    let dir = tempfile::tempdir().unwrap();
    let specs = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");
    let (code, printed, err) = print_config(
        dir.path(),
        &[
            specs,
            "--stateful",
            "--seed",
            "11",
            "--latency",
            "5..9",
            "--journal-size",
            "3MB",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    // TOML has no null: an unset option is left out, not printed empty.
    assert!(printed.parse::<toml::Table>().is_ok(), "{printed}");
    assert!(!printed.contains("port"), "{printed}");
    fs::write(dir.path().join("specmock.toml"), &printed).unwrap();
    let (code, again, err) = print_config(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(printed, again);
}

#[test]
fn a_config_value_of_the_wrong_type_names_the_key() {
    let dir = tempfile::tempdir().unwrap();
    for (text, want) in [
        (
            "port = \"abc\"\n",
            "port: expected an integer from 0 to 65535, found \"abc\"",
        ),
        (
            "stateful = \"yes\"\n",
            "stateful: expected true or false, found \"yes\"",
        ),
        (
            "fault-rate = 3\n",
            "fault-rate: expected a probability from 0 to 1, found \"3\"",
        ),
    ] {
        fs::write(dir.path().join("specmock.toml"), text).unwrap();
        let (code, _, err) = print_config(dir.path(), &[]);
        assert_eq!(code, Some(2), "{text}: {err}");
        assert!(err.contains(want), "{text}: {err}");
    }
}

#[test]
fn routes_and_validate_honour_the_config_files_specs_and_mounts() {
    let dir = tempfile::tempdir().unwrap();
    fs::create_dir_all(dir.path().join("conf")).unwrap();
    fs::copy(
        concat!(env!("CARGO_MANIFEST_DIR"), "/specs/axiom.yaml"),
        dir.path().join("conf/axiom.yaml"),
    )
    .unwrap();
    // Paths in the file (specs and mounts alike) are relative to its folder.
    fs::write(
        dir.path().join("conf/specmock.toml"),
        "specs = [\"axiom.yaml\"]\nmount = [\"axiom.yaml=/ax\"]\n",
    )
    .unwrap();
    let cfg = dir.path().join("conf/specmock.toml");
    let out = Command::new(bin())
        .current_dir(dir.path())
        .args(["--config", cfg.to_str().unwrap(), "routes"])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(stdout.lines().count(), 1, "{stdout}");
    assert!(stdout.contains("/ax/tokens/{id}/regenerate"), "{stdout}");
    let out = Command::new(bin())
        .current_dir(dir.path())
        .args(["validate", "--config", cfg.to_str().unwrap()])
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("axiom.yaml: ok"), "{stdout}");
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

#[test]
fn the_readmes_every_key_example_lists_every_key_and_loads() {
    let readme = include_str!("../README.md");
    let start = readme
        .find("# specmock.toml: every key")
        .expect("the README's every-key example");
    let block = &readme[start..start + readme[start..].find("```").unwrap()];
    let mut listed = std::collections::BTreeSet::new();
    let mut table = String::new();
    for line in block.lines() {
        let line = line.trim();
        if let Some(name) = line.strip_prefix("[[").and_then(|l| l.split_once("]]")) {
            table = format!("{}.", name.0);
        } else if let Some((key, _)) = line.split_once(" = ") {
            listed.insert(format!("{table}{}", key.trim()));
        }
    }
    assert_eq!(
        listed,
        specmock::cli::every_key(),
        "README keys vs the flags' keys"
    );
    // And it loads: every value has the type its flag takes.
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("specmock.toml"), block).unwrap();
    let (code, printed, err) = print_config(dir.path(), &[]);
    assert_eq!(code, Some(0), "{err}");
    assert!(printed.contains("strict-load = false"), "{printed}");
}
