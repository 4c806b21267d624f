//! Partial mocking end to end: what no operation matches, and the
//! operations listed with --passthrough, go to a real API (an upstream the
//! test starts on 127.0.0.1); the rest is mocked. Forwarded requests are
//! journalled as such, redacted, and counted apart in coverage.

use serde_json::Value;

use crate::common::{Answer, Specmock, Upstream, get, run, send};

const DOC: &str = "tests/documents/fields.yaml";

fn real_api(method: &str, path: &str, _head: &str) -> Answer {
    let json = ("content-type".to_string(), "application/json".to_string());
    match (method, path) {
        ("GET", p) if p.starts_with("/v1/orders") => (200, vec![json], r#"[{"order":1}]"#.into()),
        // Breaks putPet's contract: `name` is required.
        ("PUT", p) if p.starts_with("/v1/pets/") => (200, vec![json], r#"{"kind":"dog"}"#.into()),
        _ => (418, vec![], "the real API".into()),
    }
}

fn journal(s: &Specmock) -> Vec<Value> {
    get(&s.url("/__specmock/requests")).json()["requests"]
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn what_no_operation_matches_goes_to_the_real_api_and_the_rest_is_mocked() {
    let up = Upstream::start(real_api);
    let s = Specmock::serve(&[DOC, "--upstream-unmatched", &up.url]);
    let r = send(
        "GET",
        &s.url("/v1/orders?page=2"),
        &[("authorization", "Bearer real-api-secret-token")],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.body, r#"[{"order":1}]"#);
    let seen = up.seen.lock().unwrap().join("\n---\n");
    assert!(seen.contains("GET /v1/orders?page=2"), "{seen}");
    // A mocked operation is not forwarded.
    assert_eq!(get(&s.url("/v1/pets")).status, 200);
    assert!(
        !up.seen.lock().unwrap().join("\n").contains("GET /v1/pets "),
        "mocked, not forwarded"
    );
    let entries = journal(&s);
    let fwd = entries.iter().find(|e| e["path"] == "/v1/orders").unwrap();
    assert_eq!(fwd["forwarded"], true, "{fwd}");
    let text = serde_json::to_string(&entries).unwrap();
    assert!(
        !text.contains("real-api-secret-token"),
        "the journal is redacted: {text}"
    );
    let c = get(&s.url("/__specmock/coverage")).json();
    assert_eq!(c["summary"]["unrouted_requests"], 0, "{c}");
    assert_eq!(c["summary"]["forwarded_requests"], 1, "{c}");
    assert_eq!(c["forwarded"][0]["path"], "/v1/orders");
    assert!(c["unrouted"].as_array().unwrap().is_empty());
}

#[test]
fn a_passthrough_operation_is_forwarded_and_its_answer_checked() {
    let up = Upstream::start(real_api);
    let s = Specmock::serve(&[
        DOC,
        "--upstream-unmatched",
        &up.url,
        "--passthrough",
        "putPet",
    ]);
    let r = send(
        "PUT",
        &s.url("/v1/pets/7"),
        &[("content-type", "application/json")],
        Some(r#"{"name":"Rex"}"#),
    );
    assert_eq!((r.status, r.body.as_str()), (200, r#"{"kind":"dog"}"#));
    assert_eq!(r.header("x-specmock-operation"), Some("putPet"));
    let entries = journal(&s);
    let e = entries.iter().find(|e| e["method"] == "PUT").unwrap();
    assert_eq!(e["forwarded"], true);
    let rv = serde_json::to_string(&e["response_violations"]).unwrap();
    assert!(
        rv.contains("name"),
        "the real API broke the contract, and it is said: {rv}"
    );
    let c = get(&s.url("/__specmock/coverage")).json();
    let op = c["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "putPet")
        .unwrap();
    assert_eq!(
        (op["called"].as_u64(), op["forwarded"].as_u64()),
        (Some(1), Some(1)),
        "{op}"
    );
    assert_eq!(
        op["statuses"],
        serde_json::json!({}),
        "the real API's status is not the mock's: {op}"
    );
}

#[test]
fn run_does_not_fail_on_forwarded_requests_and_bad_flags_are_refused() {
    let up = Upstream::start(real_api);
    let out = run(&[
        "run",
        DOC,
        "--upstream-unmatched",
        &up.url,
        "--",
        "sh",
        "-c",
        r#"curl -fsS -o /dev/null "$SPECMOCK_URL/v1/orders""#,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let alone = run(&["serve", DOC, "--passthrough", "putPet", "--port", "0"]);
    assert_eq!(alone.code, Some(2), "{}", alone.stderr);
    assert!(alone.stderr.contains("give both"), "{}", alone.stderr);
    let unknown = run(&[
        "serve",
        DOC,
        "--upstream-unmatched",
        &up.url,
        "--passthrough",
        "nope",
        "--port",
        "0",
    ]);
    assert_eq!(unknown.code, Some(2), "{}", unknown.stderr);
    assert!(
        unknown.stderr.contains("--passthrough nope"),
        "{}",
        unknown.stderr
    );
}

#[test]
fn a_document_table_lists_its_passthrough_operations() {
    let up = Upstream::start(real_api);
    let dir = tempfile::tempdir().unwrap();
    let doc = std::fs::canonicalize(DOC).unwrap();
    std::fs::write(
        dir.path().join("specmock.toml"),
        format!(
            "upstream-unmatched = \"{}\"\n\n[[document]]\npath = \"{}\"\npassthrough = [\"putPet\"]\n",
            up.url,
            doc.display()
        ),
    )
    .unwrap();
    let s = Specmock::serve_in(&[], Some(dir.path()));
    let r = send(
        "PUT",
        &s.url("/v1/pets/7"),
        &[("content-type", "application/json")],
        Some(r#"{"name":"Rex"}"#),
    );
    assert_eq!(r.body, r#"{"kind":"dog"}"#, "forwarded: {r:?}");
    assert_eq!(get(&s.url("/v1/pets")).status, 200, "the rest is mocked");
}
