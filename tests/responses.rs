//! Responses, end to end: status choice, Prefer, content negotiation, seeded
//! generation, fixtures; bodies checked with the contract's own validators.

use std::fs;

use crate::common::{Specmock, send};
use serde_json::Value;
use specmock::Contract;
use specmock::spec::StatusKey;

const JSON: (&str, &str) = ("content-type", "application/json");
const BEARER: (&str, &str) = ("authorization", "Bearer xaat-123");
const KEY: (&str, &str) = ("x-aio-key", "k");

fn assert_valid(op_id: &str, code: u16, body: &Value) {
    let contract = Contract::bundled().unwrap();
    let op = contract.operation(op_id).unwrap();
    let resp = op.response(StatusKey::Code(code)).unwrap();
    let schema = resp.content[0].schema.as_ref().unwrap();
    let errors: Vec<String> = schema.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{op_id} {code} body breaks its schema: {errors:?}\n{body}"
    );
}

#[test]
fn axiom_regenerate_answers_a_valid_create_api_token_response() {
    let s = Specmock::serve(&[]);
    let r = send(
        "POST",
        &s.url("/v2/tokens/tok1/regenerate"),
        &[JSON, BEARER],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("content-type"), Some("application/json"));
    assert_eq!(
        r.header("content-length")
            .map(|l| l.parse::<usize>().unwrap()),
        Some(r.body.len())
    );
    assert_valid("regenerateAPIToken", 200, &r.json());
}

#[test]
fn prefer_code_picks_a_declared_status() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/abc"),
        &[JSON, ("authorization", "x"), ("prefer", "code=403")],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 403);
    assert_eq!(r.body, "");
    assert_eq!(r.header("content-type"), None);
    assert_eq!(r.header("preference-applied"), Some("code=403"));

    let r = send(
        "GET",
        &s.url("/api/v2/me/tokens/1"),
        &[KEY, ("prefer", "code=404")],
        None,
    );
    assert_eq!(r.status, 404);
    assert_valid("getToken", 404, &r.json());
    let r = send(
        "GET",
        &s.url("/api/v2/me/tokens/1?__code=404"),
        &[KEY],
        None,
    );
    assert_eq!(r.status, 404);
}

#[test]
fn an_undeclared_code_is_refused_naming_the_declared_ones() {
    let s = Specmock::serve(&[]);
    let r = send(
        "GET",
        &s.url("/api/v2/me/tokens/1"),
        &[KEY, ("prefer", "code=299")],
        None,
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let p = r.json();
    assert_eq!(
        p["declared"],
        serde_json::json!(["200", "401", "403", "404", "500"])
    );
}

#[test]
fn accept_negotiates_and_406_when_nothing_fits() {
    let s = Specmock::serve(&[]);
    let r = send(
        "GET",
        &s.url("/api/v2/me/tokens/1"),
        &[KEY, ("accept", "application/xml")],
        None,
    );
    assert_eq!(r.status, 406);
    // destroyToken answers text/plain first, JSON when asked.
    let r = send("DELETE", &s.url("/api/v2/me/tokens/1"), &[KEY], None);
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("text/plain"))
    );
    assert!(
        !r.body.starts_with('"'),
        "text/plain is not JSON-quoted: {:?}",
        r.body
    );
    let r = send(
        "DELETE",
        &s.url("/api/v2/me/tokens/1"),
        &[KEY, ("accept", "application/json")],
        None,
    );
    assert_eq!(
        (r.status, r.header("content-type")),
        (200, Some("application/json"))
    );
}

#[test]
fn head_has_headers_and_no_body() {
    let s = Specmock::serve(&[]);
    let get = send("GET", &s.url("/api/v2/me/tokens/1"), &[KEY], None);
    let head = send("HEAD", &s.url("/api/v2/me/tokens/1"), &[KEY], None);
    assert_eq!(head.status, 200);
    assert_eq!(head.body, "");
    assert_eq!(
        head.header("content-length"),
        Some(get.body.len().to_string().as_str())
    );
}

#[test]
fn prefer_example_picks_a_named_example() {
    let s = Specmock::serve(&[]);
    let body = r#"{"name":"x"}"#;
    let url = s.url("/public/v1/accounts/api-tokens/TKN-1");
    let r = send(
        "PUT",
        &url,
        &[JSON, ("prefer", "code=404, example=not-found")],
        Some(body),
    );
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(
        r.header("preference-applied"),
        Some("code=404, example=not-found")
    );
    let r = send("PUT", &url, &[JSON, ("prefer", "example=nope")], Some(body));
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["type"], "urn:specmock:problem:no-such-example");
}

#[test]
fn seeded_generation_is_byte_identical_across_processes() {
    let a = Specmock::serve(&["--seed", "7"]);
    let b = Specmock::serve(&["--seed", "7"]);
    let c = Specmock::serve(&["--seed", "8"]);
    let path = "/public/v1/accounts/api-tokens/TKN-1";
    let get = |s: &Specmock| {
        send(
            "PUT",
            &s.url(path),
            &[JSON, ("prefer", "dynamic=true")],
            Some("{}"),
        )
    };
    let (ra, rb, rc) = (get(&a), get(&b), get(&c));
    assert_eq!(ra.status, 200);
    assert_eq!(ra.body, rb.body, "same seed, same bytes");
    assert_ne!(ra.body, rc.body, "another seed, another body");
    let op = "put-public-v1-accounts-api-tokens-id";
    for r in [&ra, &rb, &rc] {
        assert_eq!(r.header("preference-applied"), Some("dynamic=true"));
        assert_valid(op, 200, &r.json());
        // The path parameter comes back as the token's id.
        assert_eq!(r.json()["id"], "TKN-1");
    }
    // The same request gives the same body whatever came before it.
    let _ = send(
        "PUT",
        &a.url("/public/v1/accounts/api-tokens/other"),
        &[JSON, ("prefer", "dynamic=true")],
        Some("{}"),
    );
    assert_eq!(get(&a).body, ra.body);
    // Prefer: seed overrides --seed.
    let r = send(
        "PUT",
        &c.url(path),
        &[JSON, ("prefer", "dynamic=true, seed=7")],
        Some("{}"),
    );
    let r7 = send(
        "PUT",
        &a.url(path),
        &[JSON, ("prefer", "dynamic=true, seed=7")],
        Some("{}"),
    );
    assert_eq!(r.body, r7.body);
}

#[test]
fn dynamic_flag_generates_for_every_request() {
    let s = Specmock::serve(&["--dynamic", "--seed", "1"]);
    let r = send(
        "POST",
        &s.url("/v2/tokens/abc/regenerate"),
        &[JSON, BEARER],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200);
    assert_valid("regenerateAPIToken", 200, &r.json());
    assert_eq!(r.json()["id"], "abc");
}

#[test]
fn a_fixture_answers_its_path_only() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir
        .path()
        .join("softwareone/put-public-v1-accounts-api-tokens-id/TKN-FIXTURE.json");
    fs::create_dir_all(f.parent().unwrap()).unwrap();
    fs::write(
        &f,
        r#"{"request": {"method": "PUT", "path": "/public/v1/accounts/api-tokens/TKN-FIXTURE"},
            "response": {"status": 404, "headers": {"content-type": "application/json"},
                         "body": {"title": "Not Found", "status": 404, "detail": "no TKN-FIXTURE here"}}}"#,
    )
    .unwrap();
    let s = Specmock::serve(&["--fixtures", dir.path().to_str().unwrap()]);
    let r = send(
        "PUT",
        &s.url("/public/v1/accounts/api-tokens/TKN-FIXTURE"),
        &[JSON],
        Some(r#"{"name":"x"}"#),
    );
    assert_eq!(r.status, 404);
    assert_eq!(r.json()["detail"], "no TKN-FIXTURE here");
    assert_eq!(r.header("x-specmock-fixture"), Some("TKN-FIXTURE.json"));
    let r = send(
        "PUT",
        &s.url("/public/v1/accounts/api-tokens/TKN-OTHER"),
        &[JSON],
        Some(r#"{"name":"x"}"#),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-specmock-fixture"), None);
    assert_valid("put-public-v1-accounts-api-tokens-id", 200, &r.json());
}

#[test]
fn bundled_fixtures_are_served_unless_turned_off() {
    let s = Specmock::serve(&[]);
    let r = send(
        "GET",
        &s.url("/api/v2/me/tokens/TKN-NOT-FOUND"),
        &[KEY],
        None,
    );
    assert_eq!(r.status, 404);
    assert!(r.json()["error"].as_str().unwrap().contains("not found"));
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/forbidden-token"),
        &[JSON, ("authorization", "x")],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!((r.status, r.body.as_str()), (403, ""));
    // An ordinary id is never shadowed.
    assert_eq!(
        send("GET", &s.url("/api/v2/me/tokens/1"), &[KEY], None).status,
        200
    );
    // A fixture only answers requests that keep the contract.
    assert_eq!(
        send("GET", &s.url("/api/v2/me/tokens/TKN-NOT-FOUND"), &[], None).status,
        401
    );
    let off = Specmock::serve(&["--no-fixtures"]);
    assert_eq!(
        send(
            "GET",
            &off.url("/api/v2/me/tokens/TKN-NOT-FOUND"),
            &[KEY],
            None
        )
        .status,
        200
    );
}

#[test]
fn a_fixture_that_breaks_the_contract_is_skipped_and_the_server_starts() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("bad.json"),
        r#"{"request": {"method": "POST", "path": "/v2/tokens/bad/regenerate"},
            "response": {"status": 200, "body": {"id": 5}}}"#,
    )
    .unwrap();
    let s = Specmock::serve(&["--fixtures", dir.path().to_str().unwrap()]);
    let r = send(
        "POST",
        &s.url("/v2/tokens/bad/regenerate"),
        &[JSON, BEARER],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.header("x-specmock-fixture"), None);
    assert_valid("regenerateAPIToken", 200, &r.json());
}

fn headers_doc() -> String {
    format!(
        "{}/tests/documents/headers.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn declared_response_headers_are_sent_from_examples_or_their_schemas() {
    let d = headers_doc();
    let s = Specmock::serve(&[&d, "--seed", "3"]);
    let r = send("GET", &s.url("/api/feeds"), &[], None);
    assert_eq!(r.status, 200, "{r:?}");
    // The default is the example; an integer's range is kept.
    assert_eq!(r.header("x-pagination-limit"), Some("100"));
    let total: i64 = r.header("x-pagination-total").unwrap().parse().unwrap();
    assert!((0..=1000).contains(&total), "{total}");
    assert!(!r.header("link").unwrap_or("").is_empty());
    // An array in the simple style; Content-Type stays the body's own.
    assert_eq!(r.header("x-tags"), Some("a,a"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    // Seeded like the body.
    let again = send("GET", &s.url("/api/feeds"), &[], None);
    assert_eq!(again.header("link"), r.header("link"));
}

#[test]
fn a_trailing_slash_is_significant_unless_ignored() {
    let d = headers_doc();
    let s = Specmock::serve(&[&d]);
    let r = send("POST", &s.url("/api/feeds/"), &[JSON], Some("{}"));
    assert_eq!(r.status, 404, "{r:?}");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("without the trailing slash: send it without, or start specmock with --ignore-trailing-slash"),
        "{}",
        r.body
    );
    drop(s);
    let s = Specmock::serve(&[&d, "--ignore-trailing-slash"]);
    let r = send("POST", &s.url("/api/feeds/"), &[JSON], Some("{}"));
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("createFeed"));
    // A listing with the slash is the listing, not a blank {key}.
    let r = send("GET", &s.url("/api/feeds/"), &[], None);
    assert_eq!(
        (r.status, r.header("x-specmock-operation")),
        (200, Some("listFeeds"))
    );
    assert_eq!(send("GET", &s.url("/api/feeds/k/"), &[], None).status, 200);
}
