//! Hardening: hostile requests and documents, limits, timeouts, exposure.
//! Every wait here is generous; nothing measures speed.

use std::fs;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::{Duration, Instant};

use crate::common::{Specmock, get, run, send};

/// Send raw bytes on a fresh connection; the answer's status (None: no answer).
fn raw(base: &str, bytes: &[u8]) -> (Option<u16>, String) {
    let addr = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(addr).expect("connect");
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    // Write in chunks; the server may answer (and close) before reading it all.
    for chunk in bytes.chunks(64 * 1024) {
        if s.write_all(chunk).is_err() {
            break;
        }
    }
    let mut out = Vec::new();
    let mut buf = [0u8; 8192];
    loop {
        match s.read(&mut buf) {
            Ok(0) | Err(_) => break,
            Ok(n) => {
                out.extend_from_slice(&buf[..n]);
                if out.windows(4).any(|w| w == b"\r\n\r\n") && out.len() > 12 {
                    // Headers are in; read the rest of a small body if any.
                    let text = String::from_utf8_lossy(&out);
                    if let Some(len) = text.lines().find_map(|l| {
                        l.to_ascii_lowercase()
                            .strip_prefix("content-length:")
                            .map(|v| v.trim().parse::<usize>().unwrap_or(0))
                    }) {
                        let head = text.find("\r\n\r\n").unwrap() + 4;
                        if out.len() >= head + len {
                            break;
                        }
                    }
                }
            }
        }
    }
    let text = String::from_utf8_lossy(&out).into_owned();
    let status = text.split_whitespace().nth(1).and_then(|s| s.parse().ok());
    (status, text)
}

fn alive(s: &Specmock) {
    assert_eq!(
        get(&s.url("/__specmock/health")).status,
        200,
        "the server stopped answering"
    );
}

const PUT_HEAD: &str = "PUT /api/admin/api-tokens/abc HTTP/1.1\r\nHost: x\r\nAuthorization: k\r\nContent-Type: application/json\r\nConnection: close\r\n";

#[test]
fn a_20_mb_body_is_413() {
    let s = Specmock::serve(&[]);
    let body = vec![b'a'; 20 * 1024 * 1024];
    let mut req = format!("{PUT_HEAD}Content-Length: {}\r\n\r\n", body.len()).into_bytes();
    req.extend_from_slice(&body);
    let (status, text) = raw(&s.url(""), &req);
    assert_eq!(status, Some(413), "{}", &text[..text.len().min(300)]);
    assert!(text.contains("--max-body-size"), "{text}");
    alive(&s);
}

#[test]
fn deep_json_is_a_4xx_and_the_server_lives() {
    let s = Specmock::serve(&[]);
    let deep = "[".repeat(100_000) + &"]".repeat(100_000);
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/abc"),
        &[("authorization", "k"), ("content-type", "application/json")],
        Some(&deep),
    );
    assert!((400..500).contains(&r.status), "{}", r.status);
    assert!(r.body.contains("recursion limit"), "{}", r.body);
    alive(&s);
}

#[test]
fn a_200_kb_header_is_431() {
    let s = Specmock::serve(&[]);
    let big = "x".repeat(200 * 1024);
    let req = format!(
        "GET /api/v2/me/tokens/1 HTTP/1.1\r\nHost: x\r\nX-AIO-Key: k\r\nX-Big: {big}\r\nConnection: close\r\n\r\n"
    );
    let (status, text) = raw(&s.url(""), req.as_bytes());
    assert_eq!(status, Some(431), "{}", &text[..text.len().min(300)]);
    assert!(text.contains("--max-header-size"), "{text}");
    // Too many headers.
    let many: String = (0..150).map(|i| format!("X-H{i}: v\r\n")).collect();
    let req =
        format!("GET /api/v2/me/tokens/1 HTTP/1.1\r\nHost: x\r\n{many}Connection: close\r\n\r\n");
    let (status, text) = raw(&s.url(""), req.as_bytes());
    assert_eq!(status, Some(431), "{text}");
    assert!(text.contains("--max-headers"), "{text}");
    alive(&s);
}

#[test]
fn a_long_url_is_414_and_nul_in_the_path_is_400() {
    let s = Specmock::serve(&[]);
    let long = "a".repeat(20_000);
    let (status, text) = raw(
        &s.url(""),
        format!("GET /api/v2/me/tokens/{long} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
            .as_bytes(),
    );
    assert_eq!(status, Some(414), "{}", &text[..text.len().min(300)]);
    let r = get(&s.url("/api/v2/me/tokens/a%00b"));
    assert_eq!(r.status, 400, "{r:?}");
    alive(&s);
}

#[test]
fn invalid_utf8_is_a_4xx() {
    let s = Specmock::serve(&[]);
    let mut req = format!("{PUT_HEAD}Content-Length: 18\r\n\r\n").into_bytes();
    req.extend_from_slice(b"{\"expiresAt\":\"\xff\xfe\"}");
    let (status, _) = raw(&s.url(""), &req);
    assert!(
        status.is_some_and(|s| (400..500).contains(&s)),
        "{status:?}"
    );
    // Invalid UTF-8 in a header value or a text body.
    let req = b"GET /api/v2/me/tokens/1 HTTP/1.1\r\nHost: x\r\nX-AIO-Key: \xff\xfe\r\nConnection: close\r\n\r\n";
    let (status, _) = raw(&s.url(""), req);
    assert!(status.is_some_and(|s| s < 500), "{status:?}");
    alive(&s);
}

/// A small deterministic generator, so a failure can be replayed.
struct Lcg(u64);
impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() as usize) % xs.len()]
    }
}

#[test]
fn two_thousand_malformed_requests_get_no_5xx_and_no_dropped_connection() {
    let s = Specmock::serve(&[]);
    let mut rng = Lcg(20261123);
    let routes = [
        ("PUT", "/api/admin/api-tokens/{}"),
        ("PUT", "/public/v1/accounts/api-tokens/{}"),
        ("POST", "/v2/tokens/{}/regenerate"),
        ("POST", "/api/v2/{}/tokens"),
        ("PATCH", "/api/v2/u/tokens/{}"),
        ("GET", "/api/v2/u/feeds/f/data?limit={}"),
        ("POST", "/api/v2/u/feeds/f/data/batch"),
        ("DELETE", "/api/v2/u/tokens/{}"),
        ("GET", "/nope/{}"),
    ];
    let segs = [
        "x",
        "%25",
        "%2F..%2F",
        "a%20b",
        "%C3%A9",
        "-1",
        "99999999999999999999",
        "%ff",
        "{id}",
        "..",
        "%3Cscript%3E",
    ];
    let types = [
        "application/json",
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=zz",
        "multipart/form-data",
        "application/json; charset=latin1",
        "*/*",
        "",
        "application/merge-patch+json",
    ];
    let bodies = [
        "",
        "{",
        "{\"expiresAt\":",
        "null",
        "[]",
        "{\"expiresAt\": 5}",
        "{\"name\": {\"a\": [1, {\"b\": null}]}}",
        "token=a&token=b&token",
        "--zz\r\nContent-Disposition: form-data; name=\"token\"\r\n\r\nv\r\n--zz",
        "\u{0}\u{1}\u{2}",
        "{\"existingTokenExpiresAt\":\"2030-01-01T00:00:00Z\",\"newToken\":{\"name\":7,\"orgCapabilities\":{\"billing\":[\"x\"]}}}",
        "1e999999",
        "\"\\ud800\"",
        "{\"a\":1,\"a\":2}",
    ];
    let auths = [
        "",
        "Authorization: Bearer \r\n",
        "Authorization: Bearer t\r\n",
        "Authorization: Basic %%%\r\n",
        "X-AIO-Key: k\r\n",
        "Authorization: x\r\n",
    ];
    let (mut fives, mut dropped) = (Vec::new(), 0);
    for i in 0..2000 {
        let (method, route) = routes[(rng.next() as usize) % routes.len()];
        let path = route.replace("{}", rng.pick(&segs));
        let body = rng.pick(&bodies);
        let ct = rng.pick(&types);
        let ct = if ct.is_empty() {
            String::new()
        } else {
            format!("Content-Type: {ct}\r\n")
        };
        let req = format!(
            "{method} {path} HTTP/1.1\r\nHost: x\r\n{}{ct}Prefer: {}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
            rng.pick(&auths),
            rng.pick(&[
                "",
                "code=500",
                "dynamic=true",
                "code=abc",
                "example=nope",
                "seed=18446744073709551615"
            ]),
            body.len()
        );
        match raw(&s.url(""), req.as_bytes()).0 {
            Some(st) if st >= 500 && !req.contains("code=500") => {
                fives.push(format!("#{i} {st}: {req:?}"))
            }
            Some(_) => {}
            None => dropped += 1,
        }
    }
    assert!(fives.is_empty(), "5xx answers:\n{}", fives.join("\n"));
    assert_eq!(dropped, 0, "connections dropped without an answer");
    alive(&s);
}

#[test]
fn slow_headers_and_idle_connections_are_closed() {
    let s = Specmock::serve(&["--header-timeout", "1", "--idle-timeout", "2"]);
    let addr = s.url("").trim_start_matches("http://").to_string();
    // Slowloris: half a request, then nothing.
    let mut slow = TcpStream::connect(&addr).unwrap();
    slow.write_all(b"GET /api/v2/me/tokens/1 HTTP/1.1\r\nHost: x\r\n")
        .unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let t = Instant::now();
    let mut buf = [0u8; 1024];
    let n = slow.read(&mut buf).unwrap_or(0);
    assert!(
        t.elapsed() < Duration::from_secs(25),
        "the slow connection was not closed"
    );
    let _ = n; // hyper may send a 408 or just close; either way the connection ends.
    // Idle keep-alive: one request, then silence.
    let mut idle = TcpStream::connect(&addr).unwrap();
    idle.write_all(b"GET /__specmock/health HTTP/1.1\r\nHost: x\r\n\r\n")
        .unwrap();
    idle.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let n = idle.read(&mut buf).unwrap();
    assert!(String::from_utf8_lossy(&buf[..n]).starts_with("HTTP/1.1 200"));
    let t = Instant::now();
    let mut rest = Vec::new();
    let _ = idle.read_to_end(&mut rest);
    assert!(
        t.elapsed() < Duration::from_secs(25),
        "the idle connection was not closed"
    );
    alive(&s);
}

#[test]
fn connections_beyond_the_limit_wait_their_turn() {
    let s = Specmock::serve(&["--max-connections", "2", "--idle-timeout", "3"]);
    let addr = s.url("").trim_start_matches("http://").to_string();
    let _a = TcpStream::connect(&addr).unwrap();
    let _b = TcpStream::connect(&addr).unwrap();
    // A third connection is not served while two are held, and is once they go idle and close.
    let t = Instant::now();
    let r = get(&s.url("/__specmock/health"));
    assert_eq!(r.status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(500),
        "the third connection was served at once"
    );
}

fn write(dir: &std::path::Path, name: &str, text: &str) -> String {
    let p = dir.join(name);
    fs::write(&p, text).unwrap();
    p.display().to_string()
}

const HEAD: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n";

#[test]
fn hostile_documents_are_refused_or_bounded() {
    let dir = tempfile::tempdir().unwrap();
    // Deep nesting.
    let deep = format!(
        "{HEAD}x: {}{}\npaths: {{}}\n",
        "[".repeat(5000),
        "]".repeat(5000)
    );
    let r = run(&["validate", &write(dir.path(), "deep.yaml", &deep)]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.stderr.contains("deep.yaml") && r.stderr.contains("line"),
        "{}",
        r.stderr
    );
    // A huge scalar (10 MB) loads without trouble: it is data, not structure.
    let huge = format!(
        "{HEAD}x: \"{}\"\npaths: {{}}\n",
        "a".repeat(10 * 1024 * 1024)
    );
    let r = run(&["validate", &write(dir.path(), "huge.yaml", &huge)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    // $ref cycles through files: schemas may recurse; refs that are only refs may not.
    write(
        dir.path(),
        "a.yaml",
        "A: {type: object, properties: {b: {$ref: 'b.yaml#/B'}}}\n",
    );
    write(
        dir.path(),
        "b.yaml",
        "B: {type: object, properties: {a: {$ref: 'a.yaml#/A'}}}\n",
    );
    let ok = format!(
        "{HEAD}paths:\n  /x:\n    get:\n      responses: {{'200': {{description: ok, content: {{application/json: {{schema: {{$ref: 'a.yaml#/A'}}}}}}}}}}\n"
    );
    let r = run(&["validate", &write(dir.path(), "cyc.yaml", &ok)]);
    assert_eq!(r.code, Some(0), "{}", r.stderr);
    write(dir.path(), "p.yaml", "P: {$ref: 'q.yaml#/Q'}\n");
    write(dir.path(), "q.yaml", "Q: {$ref: 'p.yaml#/P'}\n");
    let bad = format!(
        "{HEAD}paths:\n  /x:\n    get:\n      parameters: [{{$ref: 'p.yaml#/P'}}]\n      responses: {{'200': {{description: ok}}}}\n"
    );
    let r = run(&["validate", &write(dir.path(), "pure.yaml", &bad)]);
    assert_eq!(r.code, Some(1));
    assert!(r.output().contains("cycle"), "{}", r.output());
    // Duplicate operationIds.
    let dup = format!(
        "{HEAD}paths:\n  /a:\n    get: {{operationId: same, responses: {{'200': {{description: ok}}}}}}\n  /b:\n    get: {{operationId: same, responses: {{'200': {{description: ok}}}}}}\n"
    );
    let r = run(&["validate", &write(dir.path(), "dup.yaml", &dup)]);
    assert_eq!(r.code, Some(1));
    assert!(
        r.output().contains("operationId \"same\" is used twice"),
        "{}",
        r.output()
    );
    // An invalid regex, and one over the regex size limit.
    for (name, pattern) in [
        ("re1.yaml", "(unclosed"),
        ("re2.yaml", "((a{1000}){1000}){1000}"),
    ] {
        let doc = format!(
            "{HEAD}paths:\n  /a:\n    get:\n      parameters: [{{name: q, in: query, schema: {{type: string, pattern: '{pattern}'}}}}]\n      responses: {{'200': {{description: ok}}}}\n"
        );
        let r = run(&["validate", &write(dir.path(), name, &doc)]);
        assert_eq!(r.code, Some(1), "{name}: {}", r.stdout);
        assert!(
            r.output().contains(name) && r.output().contains("schema does not compile"),
            "{}",
            r.stderr
        );
    }
}

#[test]
fn absurd_min_items_is_bounded_in_generation() {
    let dir = tempfile::tempdir().unwrap();
    let doc = format!(
        "{HEAD}paths:\n  /many:\n    get:\n      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {{type: array, minItems: 1000000000, items: {{type: string, minLength: 1000000000}}}}\n"
    );
    let f = write(dir.path(), "many.yaml", &doc);
    let s = Specmock::serve(&[&f]);
    let r = send("GET", &s.url("/many"), &[("prefer", "dynamic=true")], None);
    // More than generation makes (1,000 items): found at load, answered
    // with a problem saying so, not with a body that breaks the schema.
    assert_eq!(r.status, 500, "{}", r.body);
    assert_eq!(
        r.json()["type"],
        "urn:specmock:problem:ungeneratable-schema"
    );
    assert!(r.body.len() < 64 * 1024, "{} bytes", r.body.len());
    alive(&s);
}

#[test]
fn secrets_in_query_strings_form_bodies_and_paths_never_reach_journal_or_logs() {
    let s = Specmock::serve(&[]);
    let _ = send(
        "GET",
        &s.url("/api/v2/me/tokens/1?X-AIO-Key=query-secret-1"),
        &[],
        None,
    );
    let _ = send(
        "POST",
        &s.url("/api/v2/me/tokens"),
        &[
            ("x-aio-key", "header-secret-2"),
            ("content-type", "application/x-www-form-urlencoded"),
        ],
        Some("token=form-secret-3"),
    );
    let _ = send(
        "PUT",
        &s.url("/api/admin/api-tokens/path-secret-4"),
        &[
            ("authorization", "auth-secret-5"),
            ("content-type", "application/json"),
        ],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    let _ = send(
        "GET",
        &s.url("/api/v2/me/tokens/1"),
        &[("x-aio-key", "k"), ("cookie", "session=cookie-secret-6")],
        None,
    );
    // JSON bodies: a nested secret key, one under a key the body repeats
    // (serde_json keeps only the last, the text keeps both), an escaped one.
    for body in [
        r#"{"expiresAt":"2030-01-01T00:00:00Z","x":[{"password":"json-secret-7"}]}"#,
        r#"{"a":{"token":"dup-secret-8"},"a":1,"expiresAt":"2030-01-01T00:00:00Z"}"#,
        r#"{"expiresAt":"2030-01-01T00:00:00Z","pass\u0077ord":"escaped-secret-9"}"#,
    ] {
        let _ = send(
            "PUT",
            &s.url("/api/admin/api-tokens/t"),
            &[
                ("authorization", "*:*.x"),
                ("content-type", "application/json"),
            ],
            Some(body),
        );
    }
    let journal = get(&s.url("/__specmock/requests")).body;
    let dir = tempfile::tempdir().unwrap();
    let report = dir.path().join("r.json");
    let _ = send("POST", &s.url("/__specmock/report"), &[], None);
    let (_, logs) = s.terminate();
    let _ = report;
    for secret in [
        "query-secret-1",
        "header-secret-2",
        "form-secret-3",
        "path-secret-4",
        "auth-secret-5",
        "cookie-secret-6",
        "json-secret-7",
        "dup-secret-8",
        "escaped-secret-9",
    ] {
        assert!(
            !journal.contains(secret),
            "{secret} in the journal:\n{journal}"
        );
        assert!(!logs.contains(secret), "{secret} in the logs:\n{logs}");
    }
}
