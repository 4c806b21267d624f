//! Validation, end to end against the bundled specs on a real server: every
//! violation listed with its location, answered with the vendor's own status
//! and the body shape the contract declares for it.

use crate::common::{Reply, Specmock, send};
use serde_json::Value;
use specmock::Contract;
use specmock::spec::StatusKey;

const JSON: (&str, &str) = ("content-type", "application/json");

fn violations(r: &Reply) -> Vec<Value> {
    let h = r
        .header("x-specmock-violations")
        .unwrap_or_else(|| panic!("no violations header: {r:?}"));
    serde_json::from_str::<Value>(h)
        .expect("header is JSON")
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn locations(r: &Reply) -> Vec<String> {
    violations(r)
        .iter()
        .map(|v| v["location"].as_str().unwrap_or("").to_string())
        .collect()
}

// ---------------------------------------------------------------- Unleash

const UNLEASH: &str = "/api/admin/api-tokens/abc";

#[test]
fn unleash_without_authorization_is_401_with_empty_body() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url(UNLEASH),
        &[JSON],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 401);
    assert_eq!(r.body, "", "Unleash declares 401 with no content");
    assert_eq!(r.header("content-type"), None);
    assert_eq!(locations(&r), vec!["header.authorization"]);
}

#[test]
fn unleash_security_first_but_every_violation_listed() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url(UNLEASH),
        &[JSON],
        Some(r#"{"expiresAt":"tomorrow"}"#),
    );
    assert_eq!(r.status, 401);
    assert_eq!(
        locations(&r),
        vec!["header.authorization", "body/expiresAt"]
    );
}

#[test]
fn unleash_wrong_content_type_is_415() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url(UNLEASH),
        &[
            ("authorization", "*:*.admin"),
            ("content-type", "text/plain"),
        ],
        Some("hello"),
    );
    assert_eq!(r.status, 415);
    assert_eq!(r.body, "");
    assert_eq!(locations(&r), vec!["header.content-type"]);
}

#[test]
fn unleash_bad_bodies_are_problem_json_naming_the_field() {
    let s = Specmock::serve(&[]);
    let auth = ("authorization", "*:*.admin");
    for (body, location, needle) in [
        (r#"{"expiresAt":"tomorrow"}"#, "body/expiresAt", "date-time"),
        ("{}", "body/expiresAt", "expiresAt"),
        (r#"{"expiresAt":"#, "body", "line 1 column 13"),
    ] {
        let r = send("PUT", &s.url(UNLEASH), &[auth, JSON], Some(body));
        assert_eq!(r.status, 422, "{body}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let p = r.json();
        assert_eq!(p["status"], 422);
        assert_eq!(p["operation"], "unleash/update-api-token");
        assert_eq!(p["violations"][0]["location"], location, "{body}");
        assert!(
            p["violations"][0]["message"]
                .as_str()
                .unwrap()
                .contains(needle),
            "{body}: {p}"
        );
    }
}

/// A JSON body is read once into a tape, not a `serde_json::Value`: what
/// the validators make of it must not change. A repeated key counts as
/// serde_json reads it (the last one), escapes are unescaped, a nested
/// violation is located through `$ref`s and `additionalProperties`.
#[test]
fn json_bodies_are_judged_as_serde_json_reads_them() {
    let s = Specmock::serve(&[]);
    let unleash = [("authorization", "*:*.admin"), JSON];
    for (body, want) in [
        (
            r#"{"expiresAt":5,"expiresAt":"2023-09-04T11:26:24+02:00"}"#,
            200,
        ),
        (
            r#"{"expiresAt":"2023-09-04T11:26:24+02:00","expiresAt":5}"#,
            422,
        ),
        (r#"{"expires\u0041t":"2023-09-04T11:26:24+02:00"}"#, 200),
        (r#"{"expiresAt":"2023-09-04T11:26:24+02:00"} x"#, 422),
    ] {
        let r = send("PUT", &s.url(UNLEASH), &unleash, Some(body));
        assert_eq!(r.status, want, "{body}: {r:?}");
    }
    let axiom = [
        (
            "authorization",
            "Bearer xaat-3f9c2e71-5a4b-4d8e-b6c1-0e2f7a9d8b35",
        ),
        JSON,
    ];
    let body = r#"{"existingTokenExpiresAt":"2025-03-08T12:00:00Z","newToken":{"name":"n","datasetCapabilities":{"logs":{"ingest":["create","fly"]}}}}"#;
    let r = send(
        "POST",
        &s.url("/v2/tokens/t1/regenerate"),
        &axiom,
        Some(body),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(
        locations(&r),
        ["body/newToken/datasetCapabilities/logs/ingest/1"],
        "{r:?}"
    );
}

#[test]
fn unleash_valid_request_is_200() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url(UNLEASH),
        &[
            ("authorization", "*:*.admin"),
            ("content-type", "application/json; charset=utf-8"),
        ],
        Some(r#"{"expiresAt":"2023-09-04T11:26:24+02:00"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-violations"), None);
}

#[test]
fn content_type_on_an_empty_body_is_not_a_violation() {
    let s = Specmock::serve(&[]);
    // SDKs send Content-Type: application/json on GET and DELETE.
    let r = send(
        "GET",
        &s.url("/api/v2/me/tokens/1"),
        &[("x-aio-key", "k"), JSON],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = send(
        "DELETE",
        &s.url("/api/v2/me/tokens/1"),
        &[("x-aio-key", "k"), JSON],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn a_missing_required_body_is_a_violation() {
    let s = Specmock::serve(&[]);
    let r = send("PUT", &s.url(UNLEASH), &[("authorization", "x")], None);
    assert_eq!(r.status, 422);
    assert_eq!(locations(&r), vec!["body"]);
}

// ---------------------------------------------------------------- Axiom

const AXIOM: &str = "/v2/tokens/tok1/regenerate";

#[test]
fn axiom_without_bearer_is_401_with_challenge() {
    let s = Specmock::serve(&[]);
    let r = send(
        "POST",
        &s.url(AXIOM),
        &[JSON],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 401);
    assert!(
        r.header("www-authenticate").unwrap().starts_with("Bearer"),
        "{r:?}"
    );
    // Axiom declares no 401: the Prism-style problem+json.
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    // A malformed bearer is refused too.
    let r = send(
        "POST",
        &s.url(AXIOM),
        &[JSON, ("authorization", "Bearer ")],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 401);
    let r = send(
        "POST",
        &s.url(AXIOM),
        &[JSON, ("authorization", "Basic dTpw")],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 401);
}

#[test]
fn axiom_two_errors_in_one_response() {
    let s = Specmock::serve(&[]);
    let body = r#"{"existingTokenExpiresAt": 5, "newToken": {"name": "ci", "orgCapabilities": {"apiTokens": ["fly"]}}}"#;
    let r = send(
        "POST",
        &s.url(AXIOM),
        &[JSON, ("authorization", "Bearer xaat-123")],
        Some(body),
    );
    assert_eq!(r.status, 422);
    let p = r.json();
    let locs: Vec<&str> = p["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["location"].as_str().unwrap())
        .collect();
    assert_eq!(
        locs,
        vec![
            "body/existingTokenExpiresAt",
            "body/newToken/orgCapabilities/apiTokens/0"
        ]
    );
    assert_eq!(locations(&r), locs);
}

#[test]
fn axiom_nullable_new_token_expiry_is_200() {
    let s = Specmock::serve(&[]);
    let r = send(
        "POST",
        &s.url(AXIOM),
        &[JSON, ("authorization", "Bearer xaat-123")],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z","newTokenExpiresAt":null}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

// ---------------------------------------------------------------- SoftwareOne

const SWO: &str = "/public/v1/accounts/api-tokens/TKN-1";

#[test]
fn softwareone_nullable_fields_accept_null() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url(SWO),
        &[JSON],
        Some(r#"{"name":"ci","description":null,"icon":null,"modules":null}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // The vendor's other JSON media types are accepted too.
    let r = send(
        "PUT",
        &s.url(SWO),
        &[("content-type", "application/vnd.swo+json")],
        Some(r#"{"name":"ci"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = send(
        "PUT",
        &s.url(SWO),
        &[("content-type", "text/json")],
        Some(r#"{"name":"ci"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn softwareone_bad_name_gets_the_vendors_400_valid_against_problem_details() {
    let s = Specmock::serve(&[]);
    let r = send("PUT", &s.url(SWO), &[JSON], Some(r#"{"name": 5}"#));
    assert_eq!(r.status, 400, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/json"));
    let body = r.json();
    let contract = Contract::bundled().unwrap();
    let op = contract
        .operation("put-public-v1-accounts-api-tokens-id")
        .unwrap();
    let resp = op.response(StatusKey::Code(400)).unwrap();
    let schema = resp.content[0].schema.as_ref().unwrap();
    assert!(schema.is_valid(&body), "not a ProblemDetails: {body}");
    // The violations ride in an extension member (ProblemDetails allows them).
    assert_eq!(body["violations"][0]["location"], "body/name");
    // Unknown properties are refused (additionalProperties: false).
    let r = send("PUT", &s.url(SWO), &[JSON], Some(r#"{"nmae": "x"}"#));
    assert_eq!(r.status, 400);
}

#[test]
fn tolerate_nulls_accepts_optional_nulls_as_warnings() {
    let body = r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z","newToken":{"name":"ci","description":null}}"#;
    let strict = Specmock::serve(&[]);
    let r = send(
        "POST",
        &strict.url(AXIOM),
        &[JSON, ("authorization", "Bearer t")],
        Some(body),
    );
    assert_eq!(r.status, 422, "description is not nullable: {r:?}");
    assert_eq!(locations(&r), vec!["body/newToken/description"]);
    let lenient = Specmock::serve(&["--tolerate-nulls"]);
    let r = send(
        "POST",
        &lenient.url(AXIOM),
        &[JSON, ("authorization", "Bearer t")],
        Some(body),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // A null for a required property is still a violation.
    let r = send(
        "POST",
        &lenient.url(AXIOM),
        &[JSON, ("authorization", "Bearer t")],
        Some(r#"{"existingTokenExpiresAt":null}"#),
    );
    assert_eq!(r.status, 422);
}

// ---------------------------------------------------------------- Adafruit

const ADA: &str = "/api/v2/me/tokens";

#[test]
fn adafruit_without_key_is_401_in_the_vendors_error_shape() {
    let s = Specmock::serve(&[]);
    let r = send("GET", &s.url(ADA), &[], None);
    assert_eq!(r.status, 401);
    let body = r.json();
    // Adafruit's clients read `error`; the document's Error schema has it.
    assert!(
        body["error"].as_str().unwrap().contains("X-AIO-Key"),
        "{body}"
    );
    assert_eq!(locations(&r), vec!["header.x-aio-key"]);
}

#[test]
fn adafruit_key_in_header_or_query_or_signature_is_200() {
    let s = Specmock::serve(&[]);
    assert_eq!(
        send("GET", &s.url(ADA), &[("X-AIO-Key", "k")], None).status,
        200
    );
    assert_eq!(
        send("GET", &s.url(&format!("{ADA}?X-AIO-Key=k")), &[], None).status,
        200
    );
    assert_eq!(
        send("GET", &s.url(ADA), &[("X-AIO-Signature", "sig")], None).status,
        200
    );
    assert_eq!(
        send("GET", &s.url(&format!("{ADA}?X-AIO-Key=")), &[], None).status,
        401
    );
}

#[test]
fn adafruit_create_token_form_and_json() {
    let s = Specmock::serve(&[]);
    let key = ("X-AIO-Key", "k");
    let r = send(
        "POST",
        &s.url(ADA),
        &[key, ("content-type", "application/x-www-form-urlencoded")],
        Some("token=abc"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = send(
        "POST",
        &s.url(ADA),
        &[key, JSON],
        Some(r#"{"token":"abc"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn adafruit_update_token_with_a_number_names_token() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PATCH",
        &s.url(&format!("{ADA}/1")),
        &[("X-AIO-Key", "k"), JSON],
        Some(r#"{"token": 7}"#),
    );
    assert!((400..500).contains(&r.status), "{r:?}");
    assert_eq!(locations(&r), vec!["body/token"]);
}

#[test]
fn adafruit_query_parameters_are_coerced_and_checked() {
    let s = Specmock::serve(&[]);
    let url = |q: &str| s.url(&format!("/api/v2/me/feeds/temp/data?X-AIO-Key=k&{q}"));
    assert_eq!(send("GET", &url("limit=10"), &[], None).status, 200);
    let r = send("GET", &url("limit=abc"), &[], None);
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(locations(&r), vec!["query.limit"]);
    let r = send("GET", &url("limit=5000&start_time=yesterday"), &[], None);
    assert_eq!(locations(&r), vec!["query.start_time", "query.limit"]);
}

#[test]
fn malformed_utf8_json_is_a_violation_not_a_500() {
    let s = Specmock::serve(&[]);
    let r = send(
        "PUT",
        &s.url(UNLEASH),
        &[("authorization", "x"), JSON],
        Some("{\"expiresAt\": \"\\udc00\"}"),
    );
    assert!((400..500).contains(&r.status), "{r:?}");
}

#[test]
fn an_empty_form_is_an_empty_object_and_big_integers_are_integers() {
    let s = Specmock::serve(&[]);
    let r = send(
        "POST",
        &s.url(ADA),
        &[
            ("X-AIO-Key", "k"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some(""),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = send(
        "GET",
        &s.url("/api/v2/me/feeds/f/data/chart?X-AIO-Key=k&hours=18446744073709551616"),
        &[],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = send(
        "GET",
        &s.url("/api/v2/me/feeds/f/data/chart?X-AIO-Key=k&hours=2.5"),
        &[],
        None,
    );
    assert_eq!(r.status, 422, "{r:?}");
}

// ------------------------------------------------- presence-only parameters

/// A string parameter whose schema narrows nothing is checked for presence
/// only (no value is built per request); one that narrows it still has every
/// value validated.
#[test]
fn plain_string_parameters_need_presence_narrowed_ones_a_valid_value() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("params.yaml");
    std::fs::write(
        &doc,
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /items/{slug}/{name}:\n    get:\n      parameters:\n        - {name: slug, in: path, required: true, schema: {type: string, pattern: '^[a-z]+$'}}\n        - {name: name, in: path, required: true, schema: {type: string, description: any, x-note: kept}}\n        - {name: X-Plain, in: header, required: true, schema: {type: string, example: p}}\n        - {name: X-Short, in: header, schema: {type: string, maxLength: 3}}\n        - {name: session, in: cookie, required: true, schema: {type: string}}\n      responses: {'204': {description: ok}}\n",
    )
    .unwrap();
    let s = Specmock::serve(&[doc.to_str().unwrap()]);
    let ok = send(
        "GET",
        &s.url("/items/abc/ANY%20THING"),
        &[("x-plain", ""), ("cookie", "session=any")],
        None,
    );
    assert_eq!(ok.status, 204, "{ok:?}");
    let bad = send(
        "GET",
        &s.url("/items/ABC/x"),
        &[("x-short", "toolong")],
        None,
    );
    assert_eq!(bad.status, 422, "{bad:?}");
    let mut got = locations(&bad);
    got.sort();
    assert_eq!(
        got,
        [
            "cookie.session",
            "header.x-plain",
            "header.x-short",
            "path.slug"
        ]
    );
}
