//! Chaos that keeps the contract, end to end on the real binary: at rate 1
//! every answer is one of the operation's own declared errors with a body
//! its schema accepts; an undeclared 429 only when allowed; an outage
//! window seen coming and going; `Prefer: chaos=off`; a seed replays the
//! same sequence; profiles from `specmock.toml`.

use std::io::{Read, Write};
use std::time::{Duration, Instant};

use serde_json::Value;
use specmock::{Contract, SpecPaths};

use crate::common::{Specmock, get, run_in, send};

const DOC: &str = "tests/documents/chaos.yaml";

fn contract() -> Contract {
    Contract::load(&SpecPaths {
        paths: vec![DOC.into()],
        mounts: Vec::new(),
        options: Default::default(),
    })
    .unwrap()
}

/// The body is valid against the schema the operation declares for `status`.
fn assert_declared_and_valid(c: &Contract, op: &str, status: u16, body: &str) {
    let op = c.operation(op).unwrap();
    let declared = op
        .declared_for(status)
        .unwrap_or_else(|| panic!("{status} is not declared by {}", op.qualified_id()));
    let schema = declared.content[0].schema.as_ref().unwrap();
    let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{e}: {body}"));
    if let Some(e) = schema.iter_errors(&v).next() {
        panic!("{status} body {v} breaks its schema: {e}");
    }
}

#[test]
fn at_rate_one_every_answer_is_a_declared_error_with_a_valid_body() {
    let c = contract();
    let s = Specmock::serve(&[DOC, "--chaos", "rate=1", "--seed", "11"]);
    let mut seen = std::collections::BTreeSet::new();
    for i in 0..40 {
        let (path, op) = if i % 2 == 0 {
            (format!("/orders/{i}"), "chaos/getOrder")
        } else {
            ("/orders".to_string(), "chaos/listOrders")
        };
        let r = get(&s.url(&path));
        assert!(r.status >= 400, "{path}: {} {}", r.status, r.body);
        assert_declared_and_valid(&c, op, r.status, &r.body);
        assert_eq!(
            r.header("x-specmock-chaos"),
            Some(format!("status {}", r.status).as_str())
        );
        if r.status == 429 {
            assert_eq!(r.header("retry-after"), Some("1"), "{:?}", r.headers);
        }
        seen.insert((op, r.status));
    }
    // Each operation's own errors, and only those: listOrders declares 500 only.
    let statuses: Vec<u16> = seen.iter().map(|(_, s)| *s).collect();
    assert!(
        seen.iter()
            .all(|(op, s)| *op != "chaos/listOrders" || *s == 500)
    );
    assert!(
        statuses.iter().any(|s| [404, 429, 503].contains(s)),
        "{seen:?}"
    );
    // Counted apart: called 20 times each, no status exercised by chaos.
    let cov = get(&s.url("/__specmock/coverage")).json();
    assert_eq!(cov["summary"]["chaos_requests"], 40, "{}", cov["summary"]);
    assert_eq!(cov["summary"]["statuses_exercised"], 0);
    for o in cov["operations"].as_array().unwrap() {
        assert_eq!(o["called"], 20);
        assert_eq!(o["chaos"], 20);
    }
    let journal = get(&s.url("/__specmock/requests")).json();
    let entries = journal["requests"]
        .as_array()
        .unwrap_or_else(|| panic!("{journal}"));
    assert!(
        entries.iter().all(|e| e["chaos"]
            .as_str()
            .is_some_and(|c| c.starts_with("status "))),
        "{journal}"
    );
}

#[test]
fn an_undeclared_429_only_with_allow_undeclared() {
    // listOrders declares no 429: chaos leaves its answers alone...
    let s = Specmock::serve(&[DOC, "--chaos", "rate=1,statuses=429", "--seed", "1"]);
    assert_eq!(get(&s.url("/orders")).status, 200);
    // ...while getOrder, which declares it, gets it with Retry-After.
    let r = get(&s.url("/orders/1"));
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    assert_declared_and_valid(&contract(), "chaos/getOrder", 429, &r.body);
    drop(s);
    let s = Specmock::serve(&[
        DOC,
        "--chaos",
        "rate=1,statuses=429",
        "--chaos-allow-undeclared",
    ]);
    let r = get(&s.url("/orders"));
    assert_eq!((r.status, r.header("retry-after")), (429, Some("1")));
    assert_eq!(r.json()["type"], "urn:specmock:problem:chaos", "{}", r.body);
}

#[test]
fn prefer_chaos_off_and_the_seed_replays_the_sequence() {
    let statuses = |s: &Specmock| -> Vec<u16> {
        (0..20)
            .map(|i| get(&s.url(&format!("/orders/{i}"))).status)
            .collect()
    };
    let a = Specmock::serve(&[DOC, "--chaos", "rate=0.5", "--seed", "9"]);
    let b = Specmock::serve(&[DOC, "--chaos", "rate=0.5", "--seed", "9"]);
    let first = statuses(&a);
    assert_eq!(first, statuses(&b));
    let replaced = first.iter().filter(|s| **s != 200).count();
    assert!((3..18).contains(&replaced), "{first:?}");
    for i in 0..10 {
        let r = send(
            "GET",
            &a.url(&format!("/orders/{i}")),
            &[("prefer", "chaos=off")],
            None,
        );
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.header("x-specmock-chaos"), None);
    }
    // The request's own Prefer: code= is never replaced.
    let s = Specmock::serve(&[DOC, "--chaos", "rate=1"]);
    let r = send("GET", &s.url("/orders/1"), &[("prefer", "code=200")], None);
    assert_eq!(r.status, 200);
}

/// A raw HTTP/1.1 GET: `Some(status line)`, or `None` when the connection
/// was closed without an answer.
fn raw_get(base: &str, path: &str) -> Option<String> {
    let addr = base.trim_start_matches("http://");
    let mut conn = std::net::TcpStream::connect(addr).unwrap();
    conn.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let req = format!("GET {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n");
    conn.write_all(req.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = conn.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf);
    text.lines()
        .next()
        .filter(|l| !l.is_empty())
        .map(str::to_string)
}

#[test]
fn an_outage_window_comes_and_goes() {
    // Up for 2 s, down for 2 s, from the start. Waits are generous: the
    // test polls for up to 20 s and asserts only what it saw.
    let s = Specmock::serve(&[DOC, "--chaos", "outage=every 4s for 2s"]);
    let deadline = Instant::now() + Duration::from_secs(20);
    let mut states: Vec<u16> = Vec::new();
    let mut reset_in_outage = None;
    while Instant::now() < deadline {
        let r = get(&s.url("/orders/1"));
        if r.status == 503 {
            // getOrder declares 503: the outage is its 503, body valid, Retry-After set.
            assert_declared_and_valid(&contract(), "chaos/getOrder", 503, &r.body);
            let secs: u64 = r.header("retry-after").unwrap().parse().unwrap();
            assert!((1..=2).contains(&secs), "{secs}");
            assert_eq!(r.header("x-specmock-chaos"), Some("outage 503"));
            // listOrders declares no 503: the connection is reset instead.
            if reset_in_outage.is_none() {
                reset_in_outage = Some(raw_get(&s.url, "/orders"));
            }
        } else {
            assert_eq!(r.status, 200, "{}", r.body);
        }
        if states.last() != Some(&r.status) {
            states.push(r.status);
        }
        if states.len() >= 3 && reset_in_outage.is_some() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert!(states.len() >= 3, "up, down and up again: saw {states:?}");
    assert!(states.contains(&503) && states.contains(&200), "{states:?}");
    // Either the outage was still on (no answer) or it had just ended (200).
    match reset_in_outage.flatten() {
        None => {}
        Some(line) => assert!(line.contains(" 200 "), "{line}"),
    }
    let journal = get(&s.url("/__specmock/requests")).json();
    let chaos: Vec<&str> = journal["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["chaos"].as_str())
        .collect();
    assert!(chaos.contains(&"outage 503"), "{chaos:?}");
}

#[test]
fn profiles_come_from_specmock_toml_tables() {
    let dir = tempfile::tempdir().unwrap();
    let doc = std::fs::canonicalize(DOC).unwrap();
    std::fs::write(
        dir.path().join("specmock.toml"),
        format!(
            "specs = [{doc:?}]\n\n[[chaos-rule]]\nname = \"flaky\"\noperation = \"getOrder\"\nrate = 1.0\nstatuses = [404]\n\n[[chaos-rule]]\nname = \"slow\"\nlatency = \"1..2\"\n"
        ),
    )
    .unwrap();
    let s = Specmock::serve_in(&["--chaos", "flaky"], Some(dir.path()));
    let r = get(&s.url("/orders/1"));
    assert_eq!(r.status, 404);
    assert_eq!(r.header("x-specmock-chaos"), Some("status 404"));
    assert_eq!(get(&s.url("/orders")).status, 200);
    drop(s);
    let r = run_in(Some(dir.path()), &["serve", "--chaos", "flakey"]);
    assert_eq!(r.code, Some(2), "{}", r.output());
    assert!(
        r.stderr.contains("no [[chaos-rule]] table") && r.stderr.contains("flaky, slow"),
        "{}",
        r.stderr
    );
    std::fs::write(
        dir.path().join("specmock.toml"),
        "[[chaos-rule]]\nname = \"x\"\nrate = 2\n",
    )
    .unwrap();
    let r = run_in(Some(dir.path()), &["serve"]);
    assert_eq!(r.code, Some(2), "{}", r.output());
    assert!(
        r.stderr
            .contains("chaos-rule[0]: rate: expected a probability"),
        "{}",
        r.stderr
    );
}
