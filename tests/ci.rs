//! CI contract testing, end to end: the journal, verification, coverage,
//! reset, reports and `specmock run`.

use std::fs;

use crate::common::{Specmock, get, run, send};
use serde_json::{Value, json};

const JSON: (&str, &str) = ("content-type", "application/json");
const AUTH: (&str, &str) = ("authorization", "*:*.very-secret-admin-token");

fn unleash(s: &Specmock, token: &str, body: &str) -> u16 {
    send(
        "PUT",
        &s.url(&format!("/api/admin/api-tokens/{token}")),
        &[JSON, AUTH],
        Some(body),
    )
    .status
}

#[test]
fn journal_coverage_verify_and_reset() {
    let s = Specmock::serve(&[]);
    assert_eq!(
        unleash(&s, "tok-a", r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
        200
    );
    assert_eq!(
        unleash(&s, "tok-b", r#"{"expiresAt":"2031-01-01T00:00:00Z"}"#),
        200
    );
    assert_eq!(unleash(&s, "tok-c", r#"{"expiresAt":"tomorrow"}"#), 422);

    let r = get(&s.url("/__specmock/requests"));
    assert_eq!(r.status, 200);
    assert!(
        r.headers
            .iter()
            .all(|(k, _)| !k.starts_with("access-control-")),
        "no CORS on admin: {r:?}"
    );
    let entries = r.json()["requests"].as_array().cloned().unwrap();
    assert_eq!(entries.len(), 3);
    assert_eq!(entries[2]["violations"][0]["location"], "body/expiresAt");
    assert_eq!(entries[0]["operation"], "unleash/update-api-token");
    // Credentials and the secret path parameter never enter the journal.
    let text = r.body.clone();
    assert!(!text.contains("very-secret-admin-token"), "{text}");
    assert!(!text.contains("tok-a"), "{text}");
    assert_eq!(entries[0]["path"], "/api/admin/api-tokens/{token}");

    let only_bad = get(&s.url("/__specmock/requests?violations=true")).json();
    assert_eq!(only_bad["requests"].as_array().unwrap().len(), 1);
    let by_status =
        get(&s.url("/__specmock/requests?operation=update-api-token&status=200")).json();
    assert_eq!(by_status["requests"].as_array().unwrap().len(), 2);
    // A limit keeps the newest, listed oldest first, after the filter.
    let last = get(&s.url("/__specmock/requests?limit=2")).json();
    let ids: Vec<_> = last["requests"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["id"].clone())
        .collect();
    assert_eq!(ids, [json!(2), json!(3)]);
    let last_ok = get(&s.url("/__specmock/requests?status=200&limit=1")).json();
    assert_eq!(last_ok["requests"][0]["id"], 2);
    assert_eq!(last_ok["requests"].as_array().unwrap().len(), 1);

    let cov = get(&s.url("/__specmock/coverage")).json();
    let op = |id: &str| {
        cov["operations"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["operation"] == id)
            .cloned()
            .unwrap()
    };
    let u = op("update-api-token");
    assert_eq!(u["called"], 3);
    assert_eq!(u["statuses"], json!({"200": 2, "422": 1}));
    assert_eq!(u["violations"], 1);
    assert_eq!(u["unexercised"], json!(["401", "403", "415"]));
    assert_eq!(op("regenerateAPIToken")["called"], 0);
    assert!(
        cov["uncovered"]
            .as_array()
            .unwrap()
            .contains(&json!("regenerateAPIToken"))
    );

    let verify = |body: Value| {
        send(
            "POST",
            &s.url("/__specmock/verify"),
            &[JSON],
            Some(&body.to_string()),
        )
    };
    let r = verify(json!({"operation": "update-api-token", "count": {"atLeast": 1}}));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["seen"], 3);
    let r = verify(
        json!({"operation": "update-api-token", "violations": true, "count": {"exactly": 1}}),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = verify(json!({"operation": "regenerateAPIToken", "count": {"atLeast": 1}}));
    assert_eq!(r.status, 417);
    assert_eq!(r.json()["seen"], 0);
    let r = verify(json!({"operation": "no-such-op"}));
    assert_eq!(r.status, 417);
    let r = send(
        "POST",
        &s.url("/__specmock/verify"),
        &[JSON],
        Some("{not json"),
    );
    assert_eq!(r.status, 400);

    assert_eq!(
        send("POST", &s.url("/__specmock/reset"), &[], None).status,
        200
    );
    assert_eq!(
        get(&s.url("/__specmock/requests")).json()["requests"],
        json!([])
    );
    assert_eq!(
        get(&s.url("/__specmock/coverage")).json()["summary"]["requests"],
        0
    );
}

#[test]
fn unmatched_requests_are_counted() {
    let s = Specmock::serve(&[]);
    assert_eq!(get(&s.url("/not/in/the/contract")).status, 404);
    let cov = get(&s.url("/__specmock/coverage")).json();
    assert_eq!(cov["unrouted"][0]["path"], "/not/in/the/contract");
    assert_eq!(cov["summary"]["unrouted_requests"], 1);
}

#[test]
fn the_ring_wraps_but_the_counters_keep_counting() {
    let s = Specmock::serve(&["--journal-size", "16KiB"]);
    let url = s.url("/api/v2/me/tokens/1");
    let n = 20_000;
    for _ in 0..n {
        send("GET", &url, &[("x-aio-key", "k")], None);
    }
    let r = get(&s.url("/__specmock/requests")).json();
    let stats = &r["journal"];
    assert!(stats["bytes"].as_u64().unwrap() <= 16 * 1024, "{stats}");
    assert!(stats["dropped"].as_u64().unwrap() > 0, "{stats}");
    assert_eq!(stats["requests"], n);
    let cov = get(&s.url("/__specmock/coverage")).json();
    let op = cov["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "getToken")
        .cloned()
        .unwrap();
    assert_eq!(op["called"], n);
    let r = send(
        "POST",
        &s.url("/__specmock/verify"),
        &[("content-type", "application/json")],
        Some(&json!({"operation": "getToken", "count": {"exactly": n}}).to_string()),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

fn parse_xml(path: &std::path::Path) -> (usize, usize, String) {
    let text = fs::read_to_string(path).unwrap();
    let mut reader = quick_xml::Reader::from_str(&text);
    let (mut cases, mut failures) = (0, 0);
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) | Ok(quick_xml::events::Event::Empty(e)) => {
                match e.name().as_ref() {
                    b"testcase" => cases += 1,
                    b"failure" => failures += 1,
                    _ => {}
                }
            }
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!(
                "not well-formed XML at {}: {e}\n{text}",
                reader.buffer_position()
            ),
        }
    }
    (cases, failures, text)
}

const VALID: &str = r#"curl -fsS -o /dev/null -X PUT "$SPECMOCK_URL_UNLEASH/api/admin/api-tokens/abc" -H 'authorization: x' -H 'content-type: application/json' -d '{"expiresAt":"2030-01-01T00:00:00Z"}'"#;
const INVALID: &str = r#"curl -sS -o /dev/null -X PUT "$SPECMOCK_URL/api/admin/api-tokens/abc" -H 'authorization: x' -H 'content-type: application/json' -d '{"expiresAt":"tomorrow"}'"#;

#[test]
fn run_passes_when_the_contract_holds() {
    let dir = tempfile::tempdir().unwrap();
    let (j, r) = (dir.path().join("j.xml"), dir.path().join("r.json"));
    let out = run(&[
        "run",
        "--report-junit",
        j.to_str().unwrap(),
        "--report-json",
        r.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        VALID,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let (cases, failures, _) = parse_xml(&j);
    assert!(cases >= 1);
    assert_eq!(failures, 0);
    let report: Value = serde_json::from_str(&fs::read_to_string(&r).unwrap()).unwrap();
    assert_eq!(report["passed"], true);
    assert_eq!(report["summary"]["requests"], 1);
}

#[test]
fn run_fails_when_a_request_breaks_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.xml");
    let out = run(&[
        "run",
        "--report-junit",
        j.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        INVALID,
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let (_, failures, text) = parse_xml(&j);
    assert_eq!(failures, 1, "{text}");
    assert!(text.contains("expiresAt"), "{text}");
    assert!(out.stderr.contains("broke the contract"), "{}", out.stderr);
    // --allow-violations only reports.
    let out = run(&["run", "--allow-violations", "--", "sh", "-c", INVALID]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
}

#[test]
fn run_fails_on_a_request_outside_the_contract() {
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.xml");
    let out = run(&[
        "run",
        "--report-junit",
        j.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        r#"curl -s -o /dev/null "$SPECMOCK_URL/nope""#,
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    let (_, failures, text) = parse_xml(&j);
    assert_eq!(failures, 1);
    assert!(text.contains("GET /nope"), "{text}");
}

#[test]
fn run_exits_with_the_commands_own_code() {
    let out = run(&["run", "--", "sh", "-c", "exit 3"]);
    assert_eq!(out.code, Some(3));
    let out = run(&["run", "--", "/no/such/program"]);
    assert_eq!(out.code, Some(127), "{}", out.stderr);
}

#[test]
fn report_on_demand() {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path().join("sub/r.json");
    let s = Specmock::serve(&["--report-json", r.to_str().unwrap()]);
    assert_eq!(
        send("POST", &s.url("/__specmock/report"), &[], None).status,
        200
    );
    let report: Value = serde_json::from_str(&fs::read_to_string(&r).unwrap()).unwrap();
    assert_eq!(report["summary"]["operations"], 29);
}

#[test]
fn admin_api_is_closed_off_loopback_without_a_token() {
    // Unit-level rule tested in server.rs; here: a token protects it.
    let s = Specmock::serve(&["--admin-token", "letmein"]);
    assert_eq!(get(&s.url("/__specmock/requests")).status, 401);
    let r = send(
        "GET",
        &s.url("/__specmock/requests"),
        &[("authorization", "Bearer letmein")],
        None,
    );
    assert_eq!(r.status, 200);
    // The mocked API itself is unaffected.
    assert_eq!(
        send(
            "GET",
            &s.url("/api/v2/me/tokens/1"),
            &[("x-aio-key", "k")],
            None
        )
        .status,
        200
    );
}
