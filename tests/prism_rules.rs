//! Where the contract is silent, specmock answers as Prism does (its users
//! expect it), and error bodies keep the error schema the vendor declares:
//! end to end, on `tests/documents/prism-rules.yaml`.

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use serde_json::{Value, json};
use specmock::Contract;
use specmock::spec::{SpecSource, StatusKey};

use crate::common::{Specmock, get, run, send};

const JSON: (&str, &str) = ("content-type", "application/json");

fn doc() -> String {
    format!(
        "{}/tests/documents/prism-rules.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

fn serve(extra: &[&str]) -> Specmock {
    let d = doc();
    let mut args = vec![d.as_str()];
    args.extend_from_slice(extra);
    Specmock::serve(&args)
}

/// The document's own validator for `operation`'s `status` JSON response.
fn assert_valid(operation: &str, status: u16, body: &Value) {
    let text = std::fs::read_to_string(doc()).unwrap();
    let contract =
        Contract::from_sources(vec![SpecSource::from_text("prism-rules.yaml", &text)]).unwrap();
    let op = contract
        .operations()
        .find(|o| o.operation_id() == operation)
        .unwrap();
    let schema = op.response(StatusKey::Code(status)).unwrap().content[0]
        .schema
        .as_ref()
        .unwrap();
    let errors: Vec<String> = schema.iter_errors(body).map(|e| e.to_string()).collect();
    assert!(
        errors.is_empty(),
        "{operation} {status}: {errors:?} in {body}"
    );
}

/// A request written by hand, so that no client library adds a Content-Type.
fn raw(s: &Specmock, request: &str) -> String {
    let addr = s.url.trim_start_matches("http://").trim_end_matches('/');
    let mut conn = TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    conn.write_all(request.as_bytes()).unwrap();
    let mut out = String::new();
    let _ = conn.read_to_string(&mut out);
    out
}

#[test]
fn a_body_without_content_type_is_415() {
    let s = serve(&[]);
    let body = r#"{"name":"Rex"}"#;
    let reply = raw(
        &s,
        &format!(
            "POST /pets HTTP/1.1\r\nhost: x\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{body}",
            body.len()
        ),
    );
    assert!(reply.starts_with("HTTP/1.1 415"), "{reply}");
    assert!(reply.contains("no Content-Type"), "{reply}");
    // With one it is created.
    let r = send("POST", &s.url("/pets"), &[JSON], Some(body));
    assert_eq!(r.status, 201, "{r:?}");
}

#[test]
fn an_object_as_plain_text_warns_at_load_and_answers_500() {
    let s = serve(&[]);
    for (path, media) in [("/report", "text/plain"), ("/page", "text/html")] {
        let r = get(&s.url(path));
        assert_eq!(r.status, 500, "{path}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        let p = r.json();
        assert_eq!(p["type"], "urn:specmock:problem:unserialisable-response");
        assert_eq!(p["mediaType"], media);
        assert!(p["detail"].as_str().unwrap().contains(media), "{p}");
    }
    // A string schema as text/plain is served as text.
    let r = get(&s.url("/motd"));
    assert_eq!((r.status, r.body.as_str()), (200, "Hello"));
    let (_, log) = s.terminate();
    assert!(
        log.contains("getReport declares an object schema for text/plain"),
        "{log}"
    );
    assert!(log.contains("getPage declares an array schema for text/html"));
    // `validate` refuses what `serve` forgives, with the place.
    let v = run(&["validate", &doc()]);
    assert_ne!(v.code, Some(0), "{}", v.output());
    assert!(
        v.output()
            .contains("getReport declares an object schema for text/plain"),
        "{}",
        v.output()
    );
}

#[test]
fn prefer_example_naming_no_example_is_404_listing_the_names() {
    let s = serve(&[]);
    let r = send(
        "GET",
        &s.url("/pets/1"),
        &[("prefer", "example=nope")],
        None,
    );
    assert_eq!(r.status, 404, "{r:?}");
    let p = r.json();
    assert_eq!(p["type"], "urn:specmock:problem:no-such-example");
    assert_eq!(p["examples"], json!(["rex", "broken"]));
    let r = send("GET", &s.url("/pets/1"), &[("prefer", "example=rex")], None);
    assert_eq!((r.status, r.json()), (200, json!({"id": 1, "name": "Rex"})));
}

#[test]
fn accept_no_declared_media_type_satisfies_is_406() {
    let s = serve(&[]);
    for (path, accept) in [
        ("/pets/1", "application/xml"),
        ("/pets/1", "inv/alid"),
        ("/pets/1", "application/json;q=0"),
        ("/bare", "text/html"),
        ("/motd", "application/json"),
        ("/pets/1/photos/a", "application/json"),
    ] {
        let r = send("GET", &s.url(path), &[("accept", accept)], None);
        assert_eq!(r.status, 406, "{path} Accept: {accept}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
        assert!(r.json()["available"].is_array());
    }
    // What fits is served; a response without content takes any Accept.
    let r = send(
        "GET",
        &s.url("/pets/1"),
        &[("accept", "application/*")],
        None,
    );
    assert_eq!(r.status, 200);
    let r = send(
        "DELETE",
        &s.url("/nothing"),
        &[("accept", "application/xml")],
        None,
    );
    assert_eq!((r.status, r.body.as_str()), (204, ""));
}

#[test]
fn an_empty_templated_segment_names_the_missing_parameter() {
    let s = serve(&[]);
    // getPhoto declares no error response: Prism's 422.
    let r = get(&s.url("/pets//photos/a"));
    assert_eq!(r.status, 422, "{r:?}");
    let p = r.json();
    assert_eq!(p["violations"][0]["location"], "path.id");
    assert!(
        p["violations"][0]["message"]
            .as_str()
            .unwrap()
            .contains("\"id\" is empty")
    );
    assert_eq!(r.header("x-specmock-operation"), Some("getPhoto"));
    let r = get(&s.url("/pets/1/photos/"));
    assert_eq!(r.status, 422);
    assert_eq!(r.json()["violations"][0]["location"], "path.photo");
    // getPet declares 400: the vendor's code, in the vendor's error shape.
    let r = get(&s.url("/pets/"));
    assert_eq!(r.status, 400, "{r:?}");
    let body = r.json();
    assert_valid("getPet", 400, &body);
    assert!(
        body["message"]
            .as_str()
            .unwrap()
            .contains("\"id\" is empty")
    );
    // Everything else about the trailing slash stays significant.
    assert_eq!(get(&s.url("/motd/")).status, 404);
}

#[test]
fn errors_flag_refuses_an_example_that_breaks_its_schema() {
    // Without --errors the example is served (the load warned about it).
    let s = serve(&[]);
    let r = get(&s.url("/broken"));
    assert_eq!((r.status, r.json()), (200, json!({"name": [1, 2]})));
    drop(s);
    let s = serve(&["--errors"]);
    let r = get(&s.url("/broken"));
    assert_eq!(r.status, 500, "{r:?}");
    let p = r.json();
    assert_eq!(p["type"], "urn:specmock:problem:example-breaks-schema");
    assert_eq!(p["violations"][0]["location"], "response/name");
    let header: Value = serde_json::from_str(r.header("x-specmock-violations").unwrap()).unwrap();
    assert_eq!(header[0]["location"], "response/name");
    // A named example is judged alone: the good one is served.
    let url = s.url("/pets/1");
    let r = send("GET", &url, &[("prefer", "example=broken")], None);
    assert_eq!(r.status, 500);
    let p = r.json();
    let locations: Vec<&str> = p["violations"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["location"].as_str().unwrap())
        .collect();
    assert_eq!(locations, ["response/id", "response/name"]);
    let r = send("GET", &url, &[("prefer", "example=rex")], None);
    assert_eq!(r.status, 200);
    // The config file takes the same key.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("specmock.toml"), "errors = true\n").unwrap();
    let s = Specmock::serve_in(&[&doc()], Some(dir.path()));
    assert_eq!(get(&s.url("/broken")).status, 500);
}

#[test]
fn a_rejection_keeps_the_declared_error_schema_required_members_included() {
    let s = serve(&[]);
    // Axiom-like: the 400 schema requires `code` and forbids anything else.
    let r = send("POST", &s.url("/pets"), &[JSON], Some(r#"{"name": 5}"#));
    assert_eq!(r.status, 400, "{r:?}");
    let body = r.json();
    assert_valid("createPet", 400, &body);
    assert_eq!(body["code"], 400);
    assert!(
        body["message"].as_str().unwrap().contains("body/name"),
        "{body}"
    );
    // The violations ride only in the header, as the schema allows no member for them.
    assert!(body.get("violations").is_none());
    let header: Value = serde_json::from_str(r.header("x-specmock-violations").unwrap()).unwrap();
    assert_eq!(header[0]["location"], "body/name");
}

#[test]
fn int64_and_int32_are_ranges_in_the_query() {
    let s = serve(&[]);
    let r = get(&s.url("/search?offset=9223372036854775808"));
    assert_eq!(r.status, 400, "{r:?}");
    let body = r.json();
    assert_valid("search", 400, &body);
    assert!(body["message"].as_str().unwrap().contains("query.offset"));
    assert_eq!(
        get(&s.url("/search?offset=9223372036854775807")).status,
        200
    );
    assert_eq!(get(&s.url("/search?limit=2147483648")).status, 400);
    assert_eq!(get(&s.url("/search?limit=-2147483648")).status, 200);
}

fn doc_2_0() -> String {
    format!(
        "{}/tests/documents/prism-rules-2.0.yaml",
        env!("CARGO_MANIFEST_DIR")
    )
}

#[test]
fn swagger_examples_alone_say_what_the_response_can_be() {
    let s = Specmock::serve(&[&doc_2_0()]);
    let r = get(&s.url("/hello"));
    assert_eq!(
        (r.status, r.header("content-type"), r.body.as_str()),
        (200, Some("text/plain"), "hello")
    );
    let r = send(
        "GET",
        &s.url("/hello"),
        &[("accept", "application/json")],
        None,
    );
    assert_eq!(r.status, 406, "{r:?}");
    // An example keyed by a range covers the declared type.
    let r = get(&s.url("/ranged"));
    assert_eq!((r.status, r.body.as_str()), (200, "hello"));
}

#[test]
fn a_stray_parameter_schema_in_swagger_is_honoured() {
    let s = Specmock::serve(&[&doc_2_0()]);
    let r = get(&s.url("/pet?age=old"));
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.json()["violations"][0]["location"], "query.age");
    assert_eq!(get(&s.url("/pet?age=3.5")).status, 200);
}

#[test]
fn no_success_to_mock_is_500_and_a_body_nobody_asked_for_is_415() {
    let s = Specmock::serve(&[&doc_2_0()]);
    let r = get(&s.url("/only-error"));
    assert_eq!(r.status, 500, "{r:?}");
    let p = r.json();
    assert_eq!(p["type"], "urn:specmock:problem:no-success-response");
    assert_eq!(p["declared"], json!(["405"]));
    // The declared error is still there for the asking.
    let r = send(
        "GET",
        &s.url("/only-error"),
        &[("prefer", "code=405")],
        None,
    );
    assert_eq!(r.status, 405);
    let r = send(
        "POST",
        &s.url("/nobody"),
        &[("content-type", "text/plain")],
        Some("empty"),
    );
    assert_eq!(r.status, 415, "{r:?}");
    assert!(
        r.json()["detail"]
            .as_str()
            .unwrap()
            .contains("declares no request body")
    );
    // A Content-Type without a body is what SDKs send: fine.
    let r = send(
        "POST",
        &s.url("/nobody"),
        &[("content-type", "application/json")],
        None,
    );
    assert_eq!(r.status, 200);
}

#[test]
fn multipart_without_a_boundary_is_read_as_a_url_encoded_form() {
    let s = Specmock::serve(&[&doc_2_0()]);
    let form = ("content-type", "multipart/form-data");
    let r = send("POST", &s.url("/upload"), &[form], Some("id=123"));
    assert_eq!(r.status, 200, "{r:?}");
    let r = send("POST", &s.url("/upload"), &[form], Some("id=abc"));
    assert_eq!(r.status, 422, "{r:?}");
    assert_eq!(r.json()["violations"][0]["location"], "body/id");
    let journal = get(&s.url("/__specmock/requests")).json();
    let warning = &journal["requests"][0]["warnings"][0]["message"];
    assert!(
        warning.as_str().unwrap().contains("without a boundary"),
        "{journal}"
    );
}
