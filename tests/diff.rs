//! `specmock diff OLD NEW`, end to end: the real binary on our two versions
//! of a small pet store (tests/documents/diff/), usage from real fixture
//! files and from the report of a real server, every output format parsed.

use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::common::{Run, Specmock, run, send};

fn docs(v: &str) -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/documents/diff/").to_string() + v
}

fn diff(extra: &[&str]) -> Run {
    let (old, new) = (docs("v1"), docs("v2"));
    let mut args = vec!["diff", old.as_str(), new.as_str()];
    args.extend_from_slice(extra);
    run(&args)
}

fn json(r: &Run) -> Value {
    serde_json::from_str(&r.stdout).unwrap_or_else(|e| panic!("not JSON ({e}): {}", r.output()))
}

/// The rules of the breaking changes marked used / not used.
fn used(report: &Value, is_used: bool) -> Vec<String> {
    report["changes"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|c| c["severity"] == "breaking" && c["used"] == is_used)
        .map(|c| c["rule"].as_str().unwrap().to_string())
        .collect()
}

/// A fixture of createPet written against v1: it sends a cat, no owner.
fn fixture_dir() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("pets/createPet");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(
        at.join("tom.json"),
        r#"{"request": {"method": "POST", "path": "/v1/pets", "body": {"name": "Tom", "kind": "cat"}},
            "response": {"status": 201, "headers": {"content-type": "application/json"},
                         "body": {"id": "p1", "name": "Tom", "kind": "cat"}}}"#,
    )
    .unwrap();
    dir
}

#[test]
fn without_usage_every_breaking_change_fails_and_names_both_places() {
    let r = diff(&["--format", "json"]);
    assert_eq!(r.code, Some(1), "{}", r.output());
    let v = json(&r);
    assert_eq!(v["summary"]["breaking"], 4, "{v}");
    assert_eq!(v["failOn"], "breaking");
    let rules: Vec<&str> = v["changes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["rule"].as_str().unwrap())
        .collect();
    for rule in [
        "request-parameter-max-decreased",
        "request-property-enum-value-removed",
        "new-required-request-property",
        "response-property-removed",
        "request-path-parameter-renamed",
    ] {
        assert!(rules.contains(&rule), "{rule} missing: {rules:?}");
    }
    let c = &v["changes"][0];
    assert!(
        c["old"].as_str().unwrap().contains("v1/pets.yaml: #/"),
        "{c}"
    );
    assert!(
        c["new"].as_str().unwrap().contains("v2/pets.yaml: #/"),
        "{c}"
    );
    // --fail-on none only reports.
    assert_eq!(diff(&["--fail-on", "none"]).code, Some(0));
}

#[test]
fn a_fixture_marks_what_it_touches_and_nothing_else() {
    let dir = fixture_dir();
    let r = diff(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v = json(&r);
    // It sends no owner: the new required owner breaks it. It sends a cat,
    // not a bird; it never lists or reads a pet.
    assert_eq!(used(&v, true), vec!["new-required-request-property"], "{v}");
    let unused = used(&v, false);
    assert!(
        unused.contains(&"request-property-enum-value-removed".to_string()),
        "{unused:?}"
    );
    assert!(
        unused.contains(&"request-parameter-max-decreased".to_string()),
        "{unused:?}"
    );
    assert!(
        v["changes"][0]["usedBy"][0]
            .as_str()
            .unwrap()
            .contains("tom.json"),
        "{v}"
    );
    assert_eq!(v["failOn"], "used");
    // The fixture is also checked against v2 (it has no owner: v2 refuses it).
    assert_eq!(v["summary"]["fixturesChecked"], 1, "{v}");
    assert!(
        v["fixtureProblems"][0]
            .as_str()
            .unwrap()
            .contains("request.body/owner"),
        "{v}"
    );
    assert_eq!(r.code, Some(1), "{}", r.output());
}

#[test]
fn nobody_touches_it_so_the_default_passes() {
    // A fixture of getPet's 404 only: getPet's breaking change is in its 200.
    let dir = tempfile::tempdir().unwrap();
    let at = dir.path().join("pets/getPet");
    std::fs::create_dir_all(&at).unwrap();
    std::fs::write(
        at.join("gone.json"),
        r#"{"request": {"method": "GET", "path": "/v1/pets/p9"}, "response": {"status": 404}}"#,
    )
    .unwrap();
    let r = diff(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--format",
        "json",
    ]);
    let v = json(&r);
    assert_eq!(used(&v, true), Vec::<String>::new(), "{v}");
    assert_eq!(v["summary"]["fixtureProblems"], 0, "{v}");
    assert_eq!(r.code, Some(0), "{}", r.output());
    // Any breaking change still fails when asked.
    let strict = diff(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--fail-on",
        "breaking",
    ]);
    assert_eq!(strict.code, Some(1));
}

/// Serve v1 with a JSON report, make the requests, stop it: the report it writes.
fn journal_report(requests: &[(&str, &str, Option<&str>)]) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("run.json");
    let v1 = docs("v1/pets.yaml");
    let server = Specmock::serve(&[&v1, "--report-json", report.to_str().unwrap()]);
    for (method, path, body) in requests {
        let headers: &[(&str, &str)] = if body.is_some() {
            &[("content-type", "application/json")]
        } else {
            &[]
        };
        let reply = send(method, &server.url(path), headers, *body);
        assert!(reply.status < 400, "{method} {path}: {reply:?}");
    }
    let (status, err) = server.terminate();
    assert!(status.success(), "{err}");
    assert!(report.exists(), "no report written: {err}");
    (dir, report)
}

#[test]
fn the_journal_of_a_real_run_marks_the_operations_it_called() {
    let (_dir, report) = journal_report(&[("GET", "/v1/pets?limit=10", None)]);
    let r = diff(&["--report", report.to_str().unwrap(), "--format", "json"]);
    let v = json(&r);
    assert_eq!(
        used(&v, true),
        vec!["request-parameter-max-decreased"],
        "{v}"
    );
    assert_eq!(r.code, Some(1), "{}", r.output());
    // getPet was never called: its removed response property is nobody's.
    assert!(used(&v, false).contains(&"response-property-removed".to_string()));
}

#[test]
fn field_level_usage_in_a_report_is_precise() {
    // The coverage report's field usage (`fields.used`, `enums`): this
    // client sends owner already, and a bird.
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("fields.json");
    std::fs::write(
        &report,
        r#"{"operations": [{"operation": "createPet", "qualified": "pets/createPet", "method": "POST",
             "path": "/v1/pets", "called": 3, "statuses": {"201": 3},
             "fields": {"used": ["request/name", "request/kind", "request/owner"], "unused": [], "percent": 100},
             "enums": {"request/kind": ["bird"]}}]}"#,
    )
    .unwrap();
    let v = json(&diff(&[
        "--report",
        report.to_str().unwrap(),
        "--format",
        "json",
    ]));
    assert_eq!(
        used(&v, true),
        vec!["request-property-enum-value-removed"],
        "{v}"
    );
}

#[test]
fn junit_has_a_case_per_used_operation_and_a_failure_per_used_breaking_change() {
    use quick_xml::events::Event;
    let dir = fixture_dir();
    let (_rdir, report) = journal_report(&[("GET", "/v1/pets?limit=10", None)]);
    let r = diff(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--report",
        report.to_str().unwrap(),
        "--format",
        "junit",
    ]);
    assert_eq!(r.code, Some(1), "{}", r.output());
    let mut reader = quick_xml::Reader::from_str(&r.stdout);
    let (mut cases, mut failures) = (Vec::new(), Vec::new());
    loop {
        match reader.read_event() {
            Ok(Event::Start(e)) | Ok(Event::Empty(e)) => {
                let attr = |name: &[u8]| {
                    e.attributes()
                        .flatten()
                        .find(|a| a.key.as_ref() == name)
                        .map(|a| a.unescape_value().unwrap().into_owned())
                };
                match e.name().as_ref() {
                    b"testcase" => cases.push(attr(b"name").unwrap()),
                    b"failure" => failures.push(attr(b"type").unwrap()),
                    _ => {}
                }
            }
            Ok(Event::Eof) => break,
            Err(e) => panic!("not XML: {e}: {}", r.stdout),
            _ => {}
        }
    }
    assert!(cases.iter().any(|c| c.contains("createPet")), "{cases:?}");
    assert!(cases.iter().any(|c| c.contains("listPets")), "{cases:?}");
    assert!(!cases.iter().any(|c| c.contains("getPet")), "{cases:?}");
    // createPet's new owner, listPets' limit, and the fixture v2 refuses.
    assert!(
        failures.contains(&"new-required-request-property".to_string()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"request-parameter-max-decreased".to_string()),
        "{failures:?}"
    );
    assert!(
        failures.contains(&"FixtureCheck".to_string()),
        "{failures:?}"
    );
}

#[test]
fn markdown_is_a_pull_request_comment_leading_with_used_changes() {
    let dir = fixture_dir();
    let r = diff(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--format",
        "markdown",
    ]);
    let md = &r.stdout;
    assert!(md.starts_with("### specmock diff: fails"), "{md}");
    let used = md
        .find("#### Breaking changes this consumer uses")
        .expect("used section");
    let others = md
        .find("Breaking changes nobody here uses")
        .expect("others");
    assert!(used < others, "{md}");
    assert!(
        md.contains("| POST /v1/pets (createPet) | `new-required-request-property` |"),
        "{md}"
    );
}

#[test]
fn a_side_that_does_not_load_is_a_clear_error() {
    let missing = docs("v3/pets.yaml");
    let r = run(&["diff", &docs("v1"), &missing]);
    assert_eq!(r.code, Some(2), "{}", r.output());
    assert!(
        r.stderr.contains("NEW (") && r.stderr.contains("v3/pets.yaml"),
        "{}",
        r.stderr
    );
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("r.json");
    std::fs::write(&bad, "{\"not\": \"a report\"}").unwrap();
    let r = diff(&["--report", bad.to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.output());
    assert!(
        r.stderr.contains("#/operations") && r.stderr.contains("--report-json"),
        "{}",
        r.stderr
    );
    // An empty (or mistyped) fixture folder is not "nothing is used".
    let empty = tempfile::tempdir().unwrap();
    let r = diff(&["--fixtures", empty.path().to_str().unwrap()]);
    assert_eq!(r.code, Some(2), "{}", r.output());
    assert!(r.stderr.contains("no fixture was found"), "{}", r.stderr);
}

#[test]
fn the_drift_example_shows_the_bundled_axiom_document_against_its_next_version() {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/drift/show");
    let mut child = std::process::Command::new("bash")
        .arg(&script)
        .env("SPECMOCK_BIN", crate::common::bin())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("bash");
    let (out, err) = (child.stdout.take().unwrap(), child.stderr.take().unwrap());
    let out = std::thread::spawn(move || std::io::read_to_string(out).unwrap_or_default());
    let err = std::thread::spawn(move || std::io::read_to_string(err).unwrap_or_default());
    let status = crate::common::wait_with_timeout(&mut child, crate::common::COMMAND_TIMEOUT)
        .expect("the example finished in time");
    let text = out.join().unwrap();
    assert!(status.success(), "{text}{}", err.join().unwrap());
    assert!(text.contains("USED BREAKING CHANGES"), "{text}");
    assert!(
        text.contains("request/newTokenExpiresAt became required"),
        "{text}"
    );
    assert!(
        text.contains(
            "used by fixture examples/drift/fixtures/axiom/regenerateAPIToken/rotate-ingest.json"
        ),
        "{text}"
    );
    assert!(text.contains("BREAKING CHANGES nobody here uses"), "{text}");
    assert!(text.contains("### specmock diff: fails"), "{text}");
}
