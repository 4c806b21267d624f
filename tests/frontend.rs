//! Local frontend development, end to end: CORS, latency, faults, hot reload,
//! stateful CRUD.

use std::fs;
use std::time::{Duration, Instant};

use crate::common::{Specmock, get, send};
use serde_json::Value;

const ORIGIN: (&str, &str) = ("origin", "http://localhost:5173");
const KEY: (&str, &str) = ("x-aio-key", "k");

#[test]
fn preflight_and_cors_headers() {
    let s = Specmock::serve(&[]);
    let r = send(
        "OPTIONS",
        &s.url("/api/admin/api-tokens/abc"),
        &[
            ORIGIN,
            ("access-control-request-method", "PUT"),
            ("access-control-request-headers", "authorization"),
        ],
        None,
    );
    assert!((200..300).contains(&r.status), "{r:?}");
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert_eq!(
        r.header("access-control-allow-headers"),
        Some("authorization")
    );
    assert_eq!(r.header("access-control-allow-methods"), Some("PUT"));
    assert_eq!(r.header("access-control-allow-credentials"), Some("true"));
    assert!(r.header("access-control-max-age").is_some());

    let r = send("GET", &s.url("/api/v2/me/tokens/1"), &[ORIGIN, KEY], None);
    assert_eq!(r.status, 200);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    assert!(
        r.headers
            .iter()
            .any(|(k, v)| k == "vary" && v.contains("Origin"))
    );
    assert!(
        r.header("access-control-expose-headers")
            .unwrap()
            .contains("x-specmock-violations")
    );
    // Errors carry CORS too, so the page can read them.
    let r = send("GET", &s.url("/api/v2/me/tokens/1"), &[ORIGIN], None);
    assert_eq!(r.status, 401);
    assert_eq!(
        r.header("access-control-allow-origin"),
        Some("http://localhost:5173")
    );
    // Never on the admin API.
    let r = send("GET", &s.url("/__specmock/requests"), &[ORIGIN], None);
    assert!(
        r.headers
            .iter()
            .all(|(k, _)| !k.starts_with("access-control-")),
        "{r:?}"
    );
    let r = send(
        "OPTIONS",
        &s.url("/__specmock/reset"),
        &[ORIGIN, ("access-control-request-method", "POST")],
        None,
    );
    assert!(
        r.headers
            .iter()
            .all(|(k, _)| !k.starts_with("access-control-")),
        "{r:?}"
    );

    let off = Specmock::serve(&["--no-cors"]);
    let r = send("GET", &off.url("/api/v2/me/tokens/1"), &[ORIGIN, KEY], None);
    assert_eq!(r.header("access-control-allow-origin"), None);
}

#[test]
fn latency_delays_without_queueing() {
    let s = Specmock::serve(&["--latency", "300"]);
    let url = s.url("/api/v2/me/tokens/1");
    let t = Instant::now();
    assert_eq!(send("GET", &url, &[KEY], None).status, 200);
    assert!(
        t.elapsed() >= Duration::from_millis(300),
        "{:?}",
        t.elapsed()
    );
    // 20 requests in parallel: each waits 300 ms, but not behind the others.
    let t = Instant::now();
    let handles: Vec<_> = (0..20)
        .map(|_| {
            let u = url.clone();
            std::thread::spawn(move || send("GET", &u, &[KEY], None).status)
        })
        .collect();
    for h in handles {
        assert_eq!(h.join().unwrap(), 200);
    }
    let took = t.elapsed();
    assert!(
        took < Duration::from_millis(20 * 300 / 2),
        "20 parallel requests took {took:?}: they queued"
    );
    assert!(took >= Duration::from_millis(300));
}

#[test]
fn prefer_delay_and_faults() {
    let s = Specmock::serve(&[]);
    let url = s.url("/api/v2/me/tokens/1");
    let t = Instant::now();
    assert_eq!(
        send("GET", &url, &[KEY, ("prefer", "delay=200")], None).status,
        200
    );
    assert!(t.elapsed() >= Duration::from_millis(200));
    let r = send("GET", &url, &[KEY, ("prefer", "fault=empty")], None);
    assert_eq!((r.status, r.body.as_str()), (200, ""));
    // fault=reset closes the connection without an answer.
    let raw = raw_get(
        &s.url(""),
        "/api/v2/me/tokens/1",
        "Prefer: fault=reset\r\nX-AIO-Key: k\r\n",
    );
    assert!(raw.is_empty(), "expected no answer, got {raw:?}");
    // The server keeps serving.
    assert_eq!(send("GET", &url, &[KEY], None).status, 200);
}

#[test]
fn fault_rate_one_faults_every_response() {
    let s = Specmock::serve(&["--fault-rate", "1", "--seed", "3"]);
    for _ in 0..5 {
        let raw = raw_get(&s.url(""), "/api/v2/me/tokens/1", "X-AIO-Key: k\r\n");
        // Either no answer at all, or headers with an empty body.
        assert!(raw.is_empty() || raw.ends_with("\r\n\r\n"), "{raw:?}");
    }
}

/// One request on a fresh connection; what came back before it closed.
fn raw_get(base: &str, path: &str, headers: &str) -> String {
    use std::io::{Read, Write};
    let addr = base.trim_start_matches("http://").trim_end_matches('/');
    let mut s = std::net::TcpStream::connect(addr).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n{headers}\r\n"
    )
    .unwrap();
    let mut out = Vec::new();
    let _ = s.read_to_end(&mut out);
    String::from_utf8_lossy(&out).into_owned()
}

fn wait_for(what: &str, mut ok: impl FnMut() -> bool) -> Duration {
    let t = Instant::now();
    while !ok() {
        assert!(
            t.elapsed() < Duration::from_secs(30),
            "gave up waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    t.elapsed()
}

const SPEC: &str = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /one:\n    get:\n      operationId: one\n      responses: {'200': {description: ok, content: {application/json: {example: {n: 1}}}}}\n";

#[test]
fn watch_reloads_and_a_broken_edit_keeps_the_old_routes() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("api.yaml");
    fs::write(&f, SPEC).unwrap();
    let s = Specmock::serve(&[dir.path().to_str().unwrap(), "--watch"]);
    assert_eq!(get(&s.url("/one")).status, 200);
    assert_eq!(get(&s.url("/two")).status, 404);
    // Journal entries survive reloads.
    let two = "  /two:\n    get:\n      operationId: two\n      responses: {'200': {description: ok, content: {application/json: {example: {n: 2}}}}}\n";
    fs::write(&f, format!("{SPEC}{two}")).unwrap();
    let took = wait_for("/two to be served", || get(&s.url("/two")).status == 200);
    println!("new path served {took:?} after the write");
    assert_eq!(get(&s.url("/two")).json()["n"], 2);
    // A broken edit: the old routes keep serving.
    fs::write(&f, "openapi: 3.0.3\npaths:\n  /one: [unclosed\n").unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    assert_eq!(get(&s.url("/one")).status, 200);
    assert_eq!(get(&s.url("/two")).status, 200);
    let journal = get(&s.url("/__specmock/requests")).json();
    assert!(journal["requests"].as_array().unwrap().len() >= 4);
    let (_, stderr) = s.terminate();
    assert!(
        stderr.contains("reload failed") && stderr.contains("api.yaml"),
        "{stderr}"
    );
}

#[test]
fn stateful_adafruit_tokens() {
    let s = Specmock::serve(&["--stateful"]);
    let base = s.url("/api/v2/alice/tokens");
    let r = send(
        "POST",
        &base,
        &[KEY, ("content-type", "application/x-www-form-urlencoded")],
        Some("token=abc"),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let created = r.json();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(created["token"], "abc");
    assert_eq!(
        r.header("location"),
        Some(format!("/api/v2/alice/tokens/{id}").as_str())
    );
    let r = send(
        "POST",
        &base,
        &[KEY, ("content-type", "application/json")],
        Some(r#"{"token":"json-one"}"#),
    );
    let second = r.json()["id"].as_str().unwrap().to_string();
    assert_ne!(id, second);

    let r = send("GET", &format!("{base}/{id}"), &[KEY], None);
    assert_eq!(
        (r.status, r.json()["token"].clone()),
        (200, Value::from("abc"))
    );
    let list = send("GET", &base, &[KEY], None).json();
    let ids: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, vec![id.as_str(), second.as_str()]);
    // Another user's tokens are another collection.
    assert_eq!(
        send("GET", &s.url("/api/v2/bob/tokens"), &[KEY], None).json(),
        Value::Array(vec![])
    );

    let r = send(
        "PATCH",
        &format!("{base}/{id}"),
        &[KEY, ("content-type", "application/json")],
        Some(r#"{"token":"patched"}"#),
    );
    assert_eq!(r.json()["token"], "patched");
    assert_eq!(
        send("DELETE", &format!("{base}/{id}"), &[KEY], None).status,
        200
    );
    let r = send("GET", &format!("{base}/{id}"), &[KEY], None);
    assert_eq!(r.status, 404);
    assert!(
        r.json()["error"].is_string(),
        "the vendor's 404 shape: {}",
        r.body
    );

    // Reset empties the state.
    send("POST", &s.url("/__specmock/reset"), &[], None);
    assert_eq!(
        send("GET", &base, &[KEY], None).json(),
        Value::Array(vec![])
    );
}
