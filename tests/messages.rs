//! Messages a user can act on: each names the problem, the place and what
//! to do, as the user sees it (stderr, the HTTP answer, the journal, the log).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use crate::common::{Specmock, get, run, send};

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    std::fs::write(&p, text).unwrap();
    p.display().to_string()
}

/// One raw HTTP/1.1 exchange on a fresh connection (no redirect following,
/// every header as sent): the status line, the headers and the body.
fn raw(base: &str, request: &[u8]) -> (u16, String, String) {
    let mut s = TcpStream::connect(base.trim_start_matches("http://")).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    for chunk in request.chunks(64 * 1024) {
        if s.write_all(chunk).is_err() {
            break; // answered (and closed) before reading it all
        }
    }
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    let text = String::from_utf8_lossy(&out).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    (status, head.to_string(), body.to_string())
}

fn header<'h>(head: &'h str, name: &str) -> Option<&'h str> {
    head.lines().find_map(|l| {
        let (k, v) = l.split_once(':')?;
        k.eq_ignore_ascii_case(name).then(|| v.trim())
    })
}

#[test]
fn a_port_in_use_names_the_port_and_suggests_another() {
    let taken = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = taken.local_addr().unwrap().port().to_string();
    let r = run(&["serve", "--host", "127.0.0.1", "--port", &port]);
    assert_ne!(r.code, Some(0), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!("port {port} is already in use")),
        "{}",
        r.stderr
    );
    assert!(r.stderr.contains("--port 0"), "{}", r.stderr);
    assert!(!r.stderr.contains("os error"), "{}", r.stderr);
}

#[test]
fn a_duplicate_yaml_key_names_the_key_file_line_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "dup.yaml",
        "openapi: 3.0.3\ninfo: {title: t, version: \"1\"}\npaths:\n  /a:\n    get:\n      responses: {\"200\": {description: ok}}\n  /a:\n    put:\n      responses: {\"200\": {description: ok}}\n",
    );
    let r = run(&["validate", &file]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    assert!(
        r.stderr.contains(&format!(
            "{file}: line 7 column 3: invalid YAML: duplicate key `/a`"
        )),
        "{}",
        r.stderr
    );
    assert!(!r.stderr.contains("DuplicateKeyPolicy"), "{}", r.stderr);
}

#[test]
fn an_unknown_schema_type_names_the_value_the_types_the_pointer_and_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let file = write(
        dir.path(),
        "strin.yaml",
        r##"openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /a:
    get:
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Thing"}
components:
  schemas:
    Thing:
      type: object
      properties:
        name: {type: strin}
"##,
    );
    let r = run(&["validate", &file]);
    assert_eq!(r.code, Some(1), "{}", r.stderr);
    let want = format!(
        "{file}: #/components/schemas/Thing/properties/name/type: unknown type `strin` (did you mean `string`?); \
         `type` must be one of `string`, `number`, `integer`, `boolean`, `array`, `object`, `null`"
    );
    assert!(r.output().contains(&want), "{}", r.output());
}

#[test]
fn a_path_no_operation_has_gets_a_404_naming_the_closest_route() {
    let s = Specmock::serve(&[]);
    let r = send("POST", &s.url("/v2/tokens/abc/regenerat"), &[], None);
    assert_eq!(r.status, 404, "{}", r.body);
    let p = r.json();
    assert_eq!(p["type"], "urn:specmock:problem:no-route");
    assert_eq!(p["closest"]["method"], "POST");
    assert_eq!(p["closest"]["path"], "/v2/tokens/{id}/regenerate");
    let detail = p["detail"].as_str().unwrap();
    assert!(
        detail.ends_with("the closest route is POST /v2/tokens/{id}/regenerate"),
        "{detail}"
    );
    let r = get(&s.url("/api/admin/api-token/abc"));
    assert_eq!(r.json()["closest"]["path"], "/api/admin/api-tokens/{token}");
}

#[test]
fn journal_sizes_take_decimal_and_binary_units_and_a_bad_one_lists_them() {
    let r = run(&["serve", "--journal-size", "2MB", "--print-config"]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    assert!(r.stdout.contains("2000000"), "{}", r.stdout);
    let r = run(&["serve", "--journal-size", "2MiB", "--print-config"]);
    assert!(r.stdout.contains("2097152"), "{}", r.stdout);
    let r = run(&["serve", "--journal-size", "2XB"]);
    assert_ne!(r.code, Some(0));
    for unit in ["kB", "MB", "GB", "KiB", "MiB", "GiB", "bytes"] {
        assert!(r.stderr.contains(unit), "{unit}: {}", r.stderr);
    }
}

#[test]
fn refused_requests_are_journalled_and_logged_like_every_answer() {
    let s = Specmock::serve(&["--max-body-size", "1KiB"]);
    let body = "a".repeat(4096);
    let put = format!(
        "PUT /api/admin/api-tokens/refused-secret HTTP/1.1\r\nHost: x\r\nAuthorization: k\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    assert_eq!(raw(&s.url(""), put.as_bytes()).0, 413);
    let long = "b".repeat(20_000);
    let url =
        format!("GET /api/v2/me/tokens/{long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    assert_eq!(raw(&s.url(""), url.as_bytes()).0, 414);
    let big = "c".repeat(100 * 1024);
    let head = format!(
        "GET /api/v2/me/tokens/1 HTTP/1.1\r\nHost: x\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"
    );
    assert_eq!(raw(&s.url(""), head.as_bytes()).0, 431);

    let j = get(&s.url("/__specmock/requests")).json();
    let entries = j["requests"].as_array().unwrap();
    let statuses: Vec<u64> = entries
        .iter()
        .map(|e| e["status"].as_u64().unwrap())
        .collect();
    assert_eq!(statuses, [413, 414, 431], "{j:#}");
    let e413 = &entries[0];
    assert_eq!(e413["operation"], "unleash/update-api-token");
    assert_eq!(e413["path"], "/api/admin/api-tokens/{token}");
    assert!(
        e413["warnings"][0]["message"]
            .as_str()
            .unwrap()
            .contains("--max-body-size"),
        "{e413}"
    );
    // The oversized part of a refused head is not kept.
    assert!(
        entries[1]["path"].as_str().unwrap().len() < 400,
        "{}",
        entries[1]
    );
    assert!(!j.to_string().contains(&big[..1000]));
    // A limit is not the contract: the requests do not count as violating.
    assert_eq!(j["journal"]["violating_requests"], 0);

    let (_, logs) = s.terminate();
    assert!(
        logs.contains("PUT /api/admin/api-tokens/{token} -> 413 unleash/update-api-token"),
        "{logs}"
    );
    assert!(logs.contains(" -> 414 "), "{logs}");
    assert!(logs.contains("GET /api/v2/me/tokens/1 -> 431 "), "{logs}");
    assert!(!logs.contains("refused-secret"), "{logs}");
}

#[test]
fn json_logs_put_each_fact_of_a_request_in_its_own_field() {
    let s = Specmock::serve(&["--log-format", "json"]);
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/abc"),
        &[
            ("authorization", "*:*.admin"),
            ("content-type", "application/json"),
        ],
        Some(r#"{"expiresAt":"tomorrow"}"#),
    );
    assert_eq!(r.status, 422, "{}", r.body);
    let (_, logs) = s.terminate();
    let line = logs
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["target"] == "specmock::request")
        .unwrap_or_else(|| panic!("no JSON request line in:\n{logs}"));
    let f = &line["fields"];
    assert_eq!(f["method"], "PUT", "{line}");
    assert_eq!(f["path"], "/api/admin/api-tokens/{token}", "{line}");
    assert_eq!(f["status"], 422, "{line}");
    assert_eq!(f["operation"], "unleash/update-api-token", "{line}");
    assert!(f["duration_us"].is_u64(), "{line}");
    let v: serde_json::Value = serde_json::from_str(f["violations"].as_str().unwrap()).unwrap();
    assert_eq!(v[0]["location"], "body/expiresAt", "{line}");
}

#[test]
fn the_inspector_opens_in_a_browser_with_the_admin_token() {
    const TOKEN: &str = "browser-s3cret-token";
    let s = Specmock::serve(&["--admin-token", TOKEN]);
    let base = s.url("");
    let host = base.trim_start_matches("http://").to_string();

    // No credentials: a small, self-contained login form.
    let page = get(&s.url("/__specmock/"));
    assert_eq!(page.status, 401);
    assert!(
        page.header("content-type")
            .unwrap()
            .starts_with("text/html")
    );
    assert!(
        page.body
            .contains(r#"<form method="post" action="/__specmock/login">"#)
    );
    for external in ["<script", "<link", "src=", "http://", "https://"] {
        assert!(!page.body.contains(external), "{external} in the form");
    }
    // Health stays open, the rest of the API is closed.
    assert_eq!(get(&s.url("/__specmock/health")).status, 200);
    assert_eq!(get(&s.url("/__specmock/requests")).status, 401);

    let login = |token: &str| {
        let body = format!("token={token}");
        let req = format!(
            "POST /__specmock/login HTTP/1.1\r\nHost: {host}\r\nOrigin: http://{host}\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            body.len()
        );
        raw(&base, req.as_bytes())
    };
    let (status, head, body) = login("wrong");
    assert_eq!(status, 401, "{head}");
    assert!(header(&head, "set-cookie").is_none(), "{head}");
    assert!(body.contains("not the admin token"), "{body}");

    let (status, head, _) = login(TOKEN);
    assert_eq!(status, 303, "{head}");
    assert_eq!(header(&head, "location"), Some("/__specmock/"));
    let set = header(&head, "set-cookie").expect("a session cookie");
    assert!(set.contains("; HttpOnly"), "{set}");
    assert!(set.contains("; SameSite=Strict"), "{set}");
    assert!(set.contains("; Path=/__specmock"), "{set}");
    assert!(!set.contains(TOKEN), "{set}");
    let cookie = set.split(';').next().unwrap().to_string();

    // The cookie opens the page and the API the page fetches.
    let c = [("cookie", cookie.as_str())];
    let page = send("GET", &s.url("/__specmock/"), &c, None);
    assert_eq!(page.status, 200);
    assert!(!page.body.contains("action=\"/__specmock/login\""));
    assert_eq!(
        send("GET", &s.url("/__specmock/requests"), &c, None).status,
        200
    );
    assert_eq!(
        send("GET", &s.url("/__specmock/coverage"), &c, None).status,
        200
    );
    let own = format!("http://{host}");
    let reset = [("cookie", cookie.as_str()), ("origin", own.as_str())];
    assert_eq!(
        send("POST", &s.url("/__specmock/reset"), &reset, None).status,
        200
    );
    // Another page of this host cannot use the cookie to change anything.
    let foreign = [
        ("cookie", cookie.as_str()),
        ("origin", "http://127.0.0.1:3000"),
    ];
    let r = send("POST", &s.url("/__specmock/reset"), &foreign, None);
    assert_eq!(r.status, 403, "{}", r.body);
    // A wrong cookie is no session; the bearer header still works.
    let bad = [("cookie", "specmock_admin_1=00")];
    assert_eq!(
        send("GET", &s.url("/__specmock/requests"), &bad, None).status,
        401
    );
    let bearer = format!("Bearer {TOKEN}");
    let auth = [("authorization", bearer.as_str())];
    let j = send("GET", &s.url("/__specmock/requests"), &auth, None);
    assert_eq!(j.status, 200);
    assert!(!j.body.contains(TOKEN));

    let (_, logs) = s.terminate();
    assert!(!logs.contains(TOKEN), "{logs}");
}
