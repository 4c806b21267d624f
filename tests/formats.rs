//! OpenAPI's formats as the contract (`int32`/`int64` are ranges, `byte` is
//! base64), and which declared status answers a request that kept it.

use crate::common::{Specmock, send};

fn doc() -> String {
    concat!(env!("CARGO_MANIFEST_DIR"), "/tests/documents/formats.yaml").to_string()
}

fn locations(body: &str) -> Vec<String> {
    let v: serde_json::Value = serde_json::from_str(body).unwrap_or_default();
    v["violations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|x| x["location"].as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn int32_and_int64_are_ranges_in_parameters() {
    let s = Specmock::serve(&[&doc()]);
    let status = |q: &str| send("GET", &s.url(&format!("/items?{q}")), &[], None);
    assert_eq!(status("offset=9223372036854775807").status, 200);
    let r = status("offset=9223372036854775808");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(locations(&r.body), ["query.offset"]);
    assert_eq!(status("small=-2147483648").status, 200);
    let r = status("small=2147483648");
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(locations(&r.body), ["query.small"]);
}

#[test]
fn int32_bounds_and_base64_bytes_in_bodies() {
    let s = Specmock::serve(&[&doc()]);
    let post = |body: &str| {
        send(
            "POST",
            &s.url("/items"),
            &[("content-type", "application/json")],
            Some(body),
        )
    };
    assert_eq!(post(r#"{"n": 3, "blob": "aGVsbG8="}"#).status, 200);
    let r = post(r#"{"n": 3000000000, "blob": "!!not base64"}"#);
    assert_eq!(r.status, 422, "{}", r.body);
    assert_eq!(locations(&r.body), ["body/n", "body/blob"]);
}

#[test]
fn an_explicit_success_code_wins_over_a_range() {
    let dir = tempfile::tempdir().unwrap();
    let doc = dir.path().join("created.yaml");
    std::fs::write(
        &doc,
        r#"openapi: 3.0.3
info: {title: created, version: "1"}
paths:
  /things:
    post:
      responses:
        "2XX": {description: any success, content: {application/json: {example: {range: true}}}}
        "201": {description: created, content: {application/json: {example: {created: true}}}}
  /others:
    post:
      responses:
        "2XX": {description: any success, content: {application/json: {example: {range: true}}}}
"#,
    )
    .unwrap();
    let s = Specmock::serve(&[doc.to_str().unwrap()]);
    let r = send("POST", &s.url("/things"), &[], None);
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body, r#"{"created":true}"#);
    // A range alone is answered as its lowest code.
    let r = send("POST", &s.url("/others"), &[], None);
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body, r#"{"range":true}"#);
}
