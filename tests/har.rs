//! HAR import end to end: a HAR file of our own (a browser's export shape,
//! with an Authorization header and a token in a response body) imported as
//! fixtures of the bundled documents with both redacted, then served.

use std::fs;

use serde_json::{Value, json};

use crate::common::{Specmock, files_under, run, send};

fn har() -> Value {
    json!({"log": {"version": "1.2", "creator": {"name": "Firefox", "version": "133"}, "entries": [
        {
            "request": {
                "method": "POST",
                "url": "https://api.axiom.co/v2/tokens/tok1/regenerate",
                "httpVersion": "HTTP/2",
                "headers": [
                    {"name": ":authority", "value": "api.axiom.co"},
                    {"name": "authorization", "value": "Bearer har-secret-bearer"},
                    {"name": "content-type", "value": "application/json"}
                ],
                "queryString": [],
                "postData": {"mimeType": "application/json",
                             "text": "{\"existingTokenExpiresAt\":\"2030-01-01T00:00:00Z\"}"}
            },
            "response": {
                "status": 200, "statusText": "OK", "httpVersion": "HTTP/2",
                "headers": [{"name": "content-type", "value": "application/json"},
                            {"name": "content-length", "value": "120"}],
                "content": {"size": 120, "mimeType": "application/json",
                            "text": "{\"id\":\"tok1\",\"name\":\"ci\",\"datasetCapabilities\":{},\"orgCapabilities\":{\"apiTokens\":[\"read\"]},\"token\":\"har-secret-token-value\"}"}
            }
        },
        {
            "request": {"method": "GET", "url": "https://cdn.example.com/app.js", "headers": []},
            "response": {"status": 200, "headers": [], "content": {"mimeType": "text/javascript", "text": "x"}}
        }
    ]}})
}

#[test]
fn a_har_file_becomes_redacted_fixtures_that_are_served() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("session.har");
    fs::write(&file, serde_json::to_vec(&har()).unwrap()).unwrap();
    let fx = dir.path().join("fixtures");
    let out = run(&[
        "fixtures",
        "import",
        file.to_str().unwrap(),
        "--fixtures",
        fx.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    assert!(
        out.stdout.contains("1 fixture(s) written"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout.contains("GET /app.js: no operation matches"),
        "the entry of no operation is listed: {}",
        out.stdout
    );
    let files = files_under(&fx);
    assert_eq!(files.len(), 1, "{files:?}");
    let text = fs::read_to_string(&files[0]).unwrap();
    for secret in ["har-secret-bearer", "har-secret-token-value"] {
        assert!(
            !text.contains(secret),
            "{secret} reached the fixture:\n{text}"
        );
    }
    let v: Value = serde_json::from_str(&text).unwrap();
    assert!(
        v["redacted"]
            .as_array()
            .unwrap()
            .contains(&Value::from("response.body/token")),
        "{v}"
    );
    // Imported twice: nothing new.
    let again = run(&[
        "fixtures",
        "import",
        file.to_str().unwrap(),
        "--fixtures",
        fx.to_str().unwrap(),
    ]);
    assert!(
        again
            .stdout
            .contains("0 fixture(s) written, 1 already there"),
        "{}",
        again.stdout
    );
    // Served, offline.
    let s = Specmock::serve(&["--fixtures", fx.to_str().unwrap(), "--fixtures-only"]);
    let r = send(
        "POST",
        &s.url("/v2/tokens/tok1/regenerate"),
        &[
            ("content-type", "application/json"),
            ("authorization", "Bearer other"),
        ],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.header("x-specmock-fixture").is_some(), "{r:?}");
    assert_eq!(r.json()["name"], "ci");
    assert_ne!(r.json()["token"], "har-secret-token-value");
    // And `fixtures check` passes them.
    let check = run(&["fixtures", "check", "--fixtures", fx.to_str().unwrap()]);
    assert_eq!(check.code, Some(0), "{}", check.output());
}

#[test]
fn a_file_that_is_no_har_is_refused_saying_so() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("x.har");
    fs::write(&file, "{\"log\": {}}").unwrap();
    let out = run(&[
        "fixtures",
        "import",
        file.to_str().unwrap(),
        "--fixtures",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(1), "{}", out.output());
    assert!(
        out.stderr.contains("no log.entries array"),
        "{}",
        out.stderr
    );
    let none = run(&["fixtures", "import", file.to_str().unwrap()]);
    assert_eq!(none.code, Some(2), "{}", none.output());
    assert!(
        none.stderr.contains("needs --fixtures DIR"),
        "{}",
        none.stderr
    );
}
