//! Recorded-fixture playback as the README shows it, run from the repository
//! folder (where `fixtures/` holds every vendor's bundled fixtures), and the
//! bundled fixtures served when the specs are named by path.

use std::path::Path;
use std::process::Command;

use crate::common::{Answer, Run, Specmock, Upstream, files_under, get, send};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
const JSON: (&str, &str) = ("content-type", "application/json");
const BEARER: (&str, &str) = ("authorization", "Bearer xaat-client-secret");
const REGEN: &str = r#"{"existingTokenExpiresAt":"2030-01-08T00:00:00Z"}"#;
const SKIPPED_LINE: &str = "7 fixtures of documents not loaded were skipped";

/// A stand-in for Axiom: regenerating a token answers a valid `ApiToken`.
fn axiom(method: &str, path: &str, _head: &str) -> Answer {
    match (method, path) {
        ("POST", p) if p.starts_with("/tokens/") => (
            200,
            vec![("content-type".into(), "application/json".into())],
            r#"{"id":"ingest-token","name":"ci","datasetCapabilities":{},"orgCapabilities":{"apiTokens":["read"]},"token":"xaat-live-secret"}"#.into(),
        ),
        _ => (404, vec![], String::new()),
    }
}

/// `specmock ARGS...` to completion, from the repository folder.
fn run_in_repo(args: &[String]) -> Run {
    crate::common::run_in(Some(std::path::Path::new(ROOT)), args)
}

/// A long-running `specmock ARGS...` (serve, record) from the repository folder.
fn start_in_repo(args: &[String]) -> Specmock {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_specmock"));
    cmd.args(args)
        .args(["--host", "127.0.0.1", "--port", "0"])
        .current_dir(ROOT);
    Specmock::spawn(cmd)
}

/// The commands of the README's "For recorded fixture playback" block, as
/// argument lists (comments dropped).
fn readme_playback_commands() -> Vec<Vec<String>> {
    let readme = std::fs::read_to_string(Path::new(ROOT).join("README.md")).unwrap();
    let section = readme
        .split("## For recorded fixture playback")
        .nth(1)
        .expect("the README has a playback section");
    let block = section
        .split("```sh")
        .nth(1)
        .and_then(|b| b.split("```").next())
        .expect("the playback section shows its commands");
    block
        .lines()
        .map(|l| l.split(" #").next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| {
            let words: Vec<String> = l.split_whitespace().map(str::to_string).collect();
            assert_eq!(words[0], "specmock", "{l}");
            words[1..].to_vec()
        })
        .collect()
}

fn health_fixtures(s: &Specmock) -> u64 {
    get(&s.url("/__specmock/health")).json()["fixtures"]
        .as_u64()
        .expect("health counts fixtures")
}

#[test]
fn the_readmes_playback_commands_work_as_written() {
    let commands = readme_playback_commands();
    let verbs: Vec<&str> = commands.iter().map(|c| c[0].as_str()).collect();
    assert_eq!(verbs, ["record", "serve", "fixtures"], "{commands:?}");
    // The folder the README records into is the user's own, never the bundled one.
    let folder = {
        let c = &commands[0];
        let i = c
            .iter()
            .position(|a| a == "--fixtures")
            .expect("--fixtures");
        c[i + 1].clone()
    };
    assert_ne!(folder.trim_end_matches('/'), "fixtures", "{commands:?}");
    for c in &commands {
        assert!(c.contains(&folder), "{c:?} uses {folder}");
    }
    // A temp folder stands for the user's own.
    let own = tempfile::tempdir().unwrap();
    let own_path = own.path().to_str().unwrap().to_string();
    let as_run = |c: &Vec<String>| -> Vec<String> {
        c.iter()
            .map(|a| {
                if *a == folder {
                    own_path.clone()
                } else {
                    a.clone()
                }
            })
            .collect()
    };

    let up = Upstream::start(axiom);
    let mut record = as_run(&commands[0]);
    record.extend(["--upstream".to_string(), up.url.clone()]);
    let rec = start_in_repo(&record);
    let live = send(
        "POST",
        &rec.url("/v2/tokens/ingest-token/regenerate"),
        &[JSON, BEARER],
        Some(REGEN),
    );
    assert_eq!(live.status, 200, "{}", live.body);
    let (_, rec_log) = rec.terminate();
    drop(up);
    assert_eq!(files_under(own.path()).len(), 1, "{rec_log}");
    assert!(!rec_log.contains("fixture skipped"), "{rec_log}");

    // Playback with the upstream gone.
    let s = start_in_repo(&as_run(&commands[1]));
    let r = send(
        "POST",
        &s.url("/v2/tokens/ingest-token/regenerate"),
        &[JSON, ("authorization", "Bearer anything")],
        Some(REGEN),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert!(r.header("x-specmock-fixture").is_some(), "{:?}", r.headers);
    assert_eq!(r.json()["id"], "ingest-token");
    // The recording, and Axiom's bundled fixture (specs/axiom.yaml is the bundled document).
    assert_eq!(health_fixtures(&s), 2);
    let (status, log) = s.terminate();
    assert!(status.success(), "{log}");
    assert!(!log.contains("fixture skipped"), "{log}");
    assert!(!log.contains("not loaded"), "{log}");

    let out = run_in_repo(&as_run(&commands[2]));
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let lines: Vec<&str> = out.stdout.lines().collect();
    assert_eq!(
        lines,
        ["1 fixture(s) checked, 0 problem(s)"],
        "{}",
        out.stderr
    );
}

#[test]
fn the_bundled_folder_with_one_document_is_one_summary_line() {
    let args: Vec<String> = [
        "serve",
        "specs/axiom.yaml",
        "--fixtures",
        "fixtures/",
        "--fixtures-only",
    ]
    .map(String::from)
    .to_vec();
    let s = start_in_repo(&args);
    // Axiom's fixture once: the folder's copy stands for the bundled one.
    assert_eq!(health_fixtures(&s), 1);
    let r = send(
        "POST",
        &s.url("/v2/tokens/expired-token/regenerate"),
        &[JSON, BEARER],
        Some(REGEN),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-specmock-fixture"), Some("expired-token.json"));
    let (_, log) = s.terminate();
    let summaries: Vec<&str> = log.lines().filter(|l| l.contains("not loaded")).collect();
    assert_eq!(summaries.len(), 1, "{log}");
    assert!(summaries[0].contains(SKIPPED_LINE), "{log}");
    assert!(!log.contains("fixture skipped"), "{log}");

    let check = [
        "fixtures",
        "check",
        "--fixtures",
        "fixtures/",
        "specs/axiom.yaml",
    ]
    .map(String::from)
    .to_vec();
    let out = run_in_repo(&check);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("1 fixture(s) checked, 0 problem(s)")
            && out.stdout.contains(SKIPPED_LINE),
        "{}",
        out.stdout
    );
}

#[test]
fn fixtures_check_that_finds_no_fixture_fails_saying_so() {
    let empty = tempfile::tempdir().unwrap();
    let dir = empty.path().to_str().unwrap();
    let out = run_in_repo(
        &["fixtures", "check", "--fixtures", dir, "specs/axiom.yaml"].map(String::from),
    );
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stdout.contains("no fixture was found") && out.stdout.contains(dir),
        "{}",
        out.stdout
    );
    // A mistyped folder says which and what to do.
    let missing = empty.path().join("fixturez");
    let missing = missing.to_str().unwrap();
    let out = run_in_repo(&["fixtures", "check", "--fixtures", missing].map(String::from));
    assert_eq!(out.code, Some(1), "{}{}", out.stdout, out.stderr);
    assert!(
        out.stderr.contains(missing) && out.stderr.contains("check the folder name"),
        "{}",
        out.stderr
    );
}

#[test]
fn serving_specs_by_path_serves_the_bundled_fixtures() {
    let s = start_in_repo(&["serve", "specs/"].map(String::from));
    assert_eq!(health_fixtures(&s), 8);
    let r = send(
        "PUT",
        &s.url("/public/v1/accounts/api-tokens/TKN-NOT-FOUND"),
        &[JSON],
        Some(r#"{"name":"x"}"#),
    );
    assert_eq!(r.status, 404, "{}", r.body);
    assert_eq!(r.header("x-specmock-fixture"), Some("TKN-NOT-FOUND.json"));
    assert_eq!(r.json()["detail"], "API token TKN-NOT-FOUND was not found.");
    let off = start_in_repo(&["serve", "specs/", "--no-fixtures"].map(String::from));
    assert_eq!(health_fixtures(&off), 0);
}

#[test]
fn a_mounted_document_keeps_its_bundled_fixture() {
    let s =
        start_in_repo(&["serve", "specs/", "--mount", "specs/axiom.yaml=/axiom"].map(String::from));
    assert_eq!(health_fixtures(&s), 8);
    let r = send(
        "POST",
        &s.url("/axiom/tokens/expired-token/regenerate"),
        &[JSON, BEARER],
        Some(REGEN),
    );
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.header("x-specmock-fixture"), Some("expired-token.json"));
    assert_eq!(r.json()["name"], "legacy-ingest");
    let (_, log) = s.terminate();
    assert!(!log.contains("fixture skipped"), "{log}");
}

#[test]
fn the_bundled_folder_with_the_bundled_specs_gives_no_duplicates() {
    for args in [
        &["serve", "specs/", "--fixtures", "fixtures/"][..],
        &["serve", "--fixtures", "fixtures/"][..],
    ] {
        let s = start_in_repo(&args.iter().map(|a| a.to_string()).collect::<Vec<_>>());
        assert_eq!(health_fixtures(&s), 8, "{args:?}");
        let (_, log) = s.terminate();
        assert!(!log.contains("fixture skipped"), "{args:?}: {log}");
    }
}
