//! Foundation, end to end: the bundled specs load, route and serve on a real
//! server on 127.0.0.1; `routes` and `validate` report what the issue asks.

use std::fs;

use crate::common::{Specmock, get, run, send};

#[test]
fn routes_lists_every_vendor_operation() {
    let r = run(&["routes"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    let lines: Vec<Vec<&str>> = r
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let has =
        |m: &str, p: &str, id: &str| lines.iter().any(|l| l[0] == m && l[1] == p && l[2] == id);
    for (m, p, id) in [
        ("GET", "/api/v2/{username}/tokens", "allTokens"),
        ("POST", "/api/v2/{username}/tokens", "createToken"),
        ("GET", "/api/v2/{username}/tokens/{id}", "getToken"),
        ("PUT", "/api/v2/{username}/tokens/{id}", "replaceToken"),
        ("PATCH", "/api/v2/{username}/tokens/{id}", "updateToken"),
        ("DELETE", "/api/v2/{username}/tokens/{id}", "destroyToken"),
        ("PUT", "/api/admin/api-tokens/{token}", "update-api-token"),
        (
            "PUT",
            "/public/v1/accounts/api-tokens/{id}",
            "put-public-v1-accounts-api-tokens-id",
        ),
        ("POST", "/v2/tokens/{id}/regenerate", "regenerateAPIToken"),
    ] {
        assert!(has(m, p, id), "missing {m} {p} {id} in:\n{}", r.stdout);
    }
    // Each line names the file it came from.
    assert!(
        lines
            .iter()
            .all(|l| l.len() == 4 && l[3].starts_with("bundled:")),
        "{}",
        r.stdout
    );
}

#[test]
fn unknown_path_is_404_problem_json() {
    let s = Specmock::serve(&[]);
    let r = get(&s.url("/no/such/path"));
    assert_eq!(r.status, 404);
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    let p = r.json();
    assert_eq!(p["status"], 404);
    assert!(p["detail"].as_str().unwrap().contains("/no/such/path"));
}

#[test]
fn wrong_method_is_405_with_allow() {
    let s = Specmock::serve(&[]);
    let r = send("DELETE", &s.url("/v2/tokens/x/regenerate"), &[], None);
    assert_eq!(r.status, 405);
    assert_eq!(r.header("allow"), Some("POST"));
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.json()["allow"][0], "POST");
}

#[test]
fn literal_segments_win_over_templates() {
    let s = Specmock::serve(&[]);
    let r = get(&s.url("/api/v2/u/feeds/f/data/first"));
    assert_eq!(r.header("x-specmock-operation"), Some("firstData"), "{r:?}");
    let r = get(&s.url("/api/v2/u/feeds/f/data/42"));
    assert_eq!(r.header("x-specmock-operation"), Some("getData"));
    // DELETE is declared on the template only: it falls through to it.
    let r = send("DELETE", &s.url("/api/v2/u/feeds/f/data/first"), &[], None);
    assert_eq!(r.header("x-specmock-operation"), Some("destroyData"));
}

#[test]
fn every_routed_response_names_its_operation_and_health_answers() {
    let s = Specmock::serve(&[]);
    let h = get(&s.url("/__specmock/health"));
    assert_eq!(h.status, 200);
    assert_eq!(h.json()["operations"], 29);
    for (m, p, id) in [
        ("PUT", "/api/admin/api-tokens/abc", "update-api-token"),
        (
            "PUT",
            "/public/v1/accounts/api-tokens/TKN-1",
            "put-public-v1-accounts-api-tokens-id",
        ),
        ("POST", "/v2/tokens/tok1/regenerate", "regenerateAPIToken"),
        ("GET", "/api/v2/me/tokens", "allTokens"),
    ] {
        let r = send(m, &s.url(p), &[], None);
        assert_eq!(r.header("x-specmock-operation"), Some(id), "{m} {p}: {r:?}");
    }
}

#[test]
fn sigterm_stops_the_server_cleanly() {
    let s = Specmock::serve(&[]);
    assert_eq!(get(&s.url("/__specmock/health")).status, 200);
    let (status, stderr) = s.terminate();
    assert!(status.success(), "exit {status:?}, stderr:\n{stderr}");
    assert!(stderr.contains("shutting down"), "{stderr}");
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    if let Some(parent) = p.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(&p, text).unwrap();
    p.display().to_string()
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn validate_accepts_the_bundled_specs() {
    let r = run(&["validate"]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    assert_eq!(
        r.stdout.lines().filter(|l| l.contains(": ok (")).count(),
        4,
        "{}",
        r.stdout
    );
}

#[test]
fn validate_accepts_the_specs_folder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/specs");
    let r = run(&["validate", dir]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
}

#[test]
fn validate_refuses_a_broken_ref_naming_file_and_pointer() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "broken.yaml",
        &format!(
            "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '#/components/schemas/Missing'}}\n"
        ),
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1));
    assert!(r.output().contains("broken.yaml"), "{}", r.output());
    assert!(
        r.output()
            .contains("#/paths/~1a/get/responses/200/content/application~1json/schema/$ref"),
        "{}",
        r.output()
    );
    assert!(
        r.output().contains("#/components/schemas/Missing"),
        "{}",
        r.output()
    );
}

#[test]
fn validate_refuses_a_ref_outside_the_folder() {
    let dir = tempfile::tempdir().unwrap();
    write(dir.path(), "secret.yaml", "Token: {type: object}\n");
    let f = write(
        dir.path(),
        "spec/api.yaml",
        &format!(
            "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: '../secret.yaml#/Token'}}\n"
        ),
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1));
    assert!(r.output().contains("api.yaml"), "{}", r.output());
    assert!(r.output().contains("outside the folder"), "{}", r.output());
    assert!(
        r.output()
            .contains("#/paths/~1a/get/responses/200/content/application~1json/schema/$ref"),
        "{}",
        r.output()
    );
}

#[test]
fn validate_refuses_url_refs() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "api.yaml",
        &format!(
            "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: 'https://example.com/x.json#/Token'}}\n"
        ),
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.output().contains("never fetches over the network"),
        "{}",
        r.output()
    );
}

#[test]
fn validate_refuses_a_yaml_alias_bomb_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    let mut bomb =
        String::from("openapi: 3.0.3\na0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("*a{}", i - 1); 9].join(", ");
        bomb.push_str(&format!("a{i}: &a{i} [{refs}]\n"));
    }
    let f = write(dir.path(), "bomb.yaml", &bomb);
    // `run` fails the test if this takes over two minutes: generous, not a timing assertion.
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("bomb.yaml"), "{}", r.stderr);
    assert!(
        r.stderr.contains("line ") && r.stderr.contains("column "),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("alias"), "{}", r.stderr);
}

#[test]
fn validate_reports_yaml_syntax_with_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "bad.yaml",
        "openapi: 3.0.3\ninfo:\n  title: t\n    version: 1\n",
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1));
    assert!(r.stderr.contains("bad.yaml: line 4 column"), "{}", r.stderr);
}

#[test]
fn validate_fails_on_an_example_that_breaks_its_schema() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "ex.yaml",
        &format!(
            "{HEAD}paths:\n  /a:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: object, properties: {{n: {{type: integer}}}}}}\n              example: {{n: nope}}\n"
        ),
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("#/paths/~1a/get/responses/200/content/application~1json/example"),
        "{}",
        r.stdout
    );
    // serve only warns.
    let s = Specmock::serve(&[&f]);
    assert_eq!(get(&s.url("/a")).status, 200);
}

#[test]
fn relative_file_refs_inside_the_folder_are_followed() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "schemas/token.yaml",
        "Token:\n  type: object\n  required: [token]\n  properties:\n    token: {type: string}\n    next: {$ref: '#/Token'}\n",
    );
    let f = write(
        dir.path(),
        "api.yaml",
        &format!(
            "{HEAD}servers: [{{url: 'https://x.example.com/base/'}}]\npaths:\n  /t/{{id}}:\n    get:\n      parameters: [{{name: id, in: path, required: true, schema: {{type: string}}}}]\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{$ref: 'schemas/token.yaml#/Token'}}\n              example: {{token: abc}}\n"
        ),
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(0), "{}{}", r.stdout, r.stderr);
    let s = Specmock::serve(&[&f]);
    let r = get(&s.url("/base/t/1"));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["token"], "abc");
}

#[test]
fn two_documents_on_one_route_need_a_mount() {
    let dir = tempfile::tempdir().unwrap();
    let doc = |id: &str| {
        format!(
            "{HEAD}paths:\n  /same:\n    get:\n      operationId: {id}\n      responses: {{'200': {{description: ok}}}}\n"
        )
    };
    let a = write(dir.path(), "one.yaml", &doc("a"));
    let b = write(dir.path(), "two.yaml", &doc("b"));
    let r = run(&["routes", &a, &b]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("one/a") && r.stderr.contains("two/b"),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--mount"), "{}", r.stderr);
    let mount = format!("{b}=/two");
    let r = run(&["routes", &a, &b, "--mount", &mount]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("/two/same"), "{}", r.stdout);
    let s = Specmock::serve(&[&a, &b, "--mount", &mount]);
    assert_eq!(
        get(&s.url("/two/same")).header("x-specmock-operation"),
        Some("b")
    );
    assert_eq!(
        get(&s.url("/same")).header("x-specmock-operation"),
        Some("a")
    );
}

#[test]
fn swagger2_json_is_served_under_its_base_path() {
    let dir = tempfile::tempdir().unwrap();
    let f = write(
        dir.path(),
        "s.json",
        r#"{"swagger": "2.0", "info": {"title": "t", "version": "1"}, "basePath": "/api/v9",
        "paths": {"/things/{id}": {"get": {"operationId": "getThing",
          "parameters": [{"name": "id", "in": "path", "required": true, "type": "integer"}],
          "responses": {"200": {"description": "ok", "schema": {"type": "object"}, "examples": {"application/json": {"id": 1}}}}}}}}"#,
    );
    let s = Specmock::serve(&[&f]);
    let r = get(&s.url("/api/v9/things/1"));
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], 1);
}
