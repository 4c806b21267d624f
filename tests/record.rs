//! Record and playback, end to end, against an upstream started on 127.0.0.1
//! by the test: secrets never reach a fixture file or its name, fixtures
//! replay offline, `fixtures check` reports a fixture that breaks the
//! contract, and a recorder killed mid-run leaves only whole files.

use std::fs;

use crate::common::{Answer, Specmock, Upstream, files_under, record, run, send};
use serde_json::Value;

const JSON: (&str, &str) = ("content-type", "application/json");

fn vendor(method: &str, path: &str, _head: &str) -> Answer {
    let json = ("content-type".to_string(), "application/json".to_string());
    let cookie = (
        "set-cookie".to_string(),
        "session=upstream-cookie-secret; HttpOnly".to_string(),
    );
    match (method, path) {
        ("POST", p) if p.starts_with("/tokens/bad/") => (200, vec![json], r#"{"id": 5}"#.into()),
        ("POST", p) if p.starts_with("/tokens/") => (
            200,
            vec![json, cookie],
            r#"{"id":"tok1","name":"ci","datasetCapabilities":{},"orgCapabilities":{"apiTokens":["read"]},"token":"upstream-secret-token-value"}"#.into(),
        ),
        ("PUT", p) if p.starts_with("/api/admin/api-tokens/") => (200, vec![json], "{}".into()),
        _ => (404, vec![], String::new()),
    }
}

fn all_text(dir: &std::path::Path) -> String {
    files_under(dir)
        .iter()
        .map(|p| {
            format!(
                "{}\n{}\n",
                p.display(),
                fs::read_to_string(p).unwrap_or_default()
            )
        })
        .collect()
}

const REGEN: &str = r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#;

#[test]
fn recording_redacts_every_secret_and_replays_offline() {
    let up = Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let fx = dir.path().to_str().unwrap();
    let rec = record(&["--fixtures", fx, "--upstream", &up.url]);
    let r = send(
        "POST",
        &rec.url("/v2/tokens/tok1/regenerate"),
        &[JSON, ("authorization", "Bearer client-secret-bearer")],
        Some(REGEN),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.json()["token"],
        "upstream-secret-token-value",
        "the client gets what the upstream said"
    );
    assert_eq!(
        r.header("set-cookie"),
        Some("session=upstream-cookie-secret; HttpOnly")
    );
    assert_eq!(r.header("x-specmock-operation"), Some("regenerateAPIToken"));
    // The upstream got the request at its own path, credentials included.
    let seen = up.seen.lock().unwrap().join("\n");
    assert!(seen.starts_with("POST /tokens/tok1/regenerate"), "{seen}");
    assert!(seen.contains("Bearer client-secret-bearer"));

    // Unleash: the token in the path is the token's secret.
    let r = send(
        "PUT",
        &rec.url("/api/admin/api-tokens/path-secret-abc123"),
        &[JSON, ("authorization", "*:*.admin-secret")],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200);
    drop(rec);

    let files = files_under(dir.path());
    assert_eq!(files.len(), 2, "{files:?}");
    let text = all_text(dir.path());
    for secret in [
        "client-secret-bearer",
        "upstream-secret-token-value",
        "upstream-cookie-secret",
        "path-secret-abc123",
        "admin-secret",
    ] {
        assert!(!text.contains(secret), "{secret} leaked into:\n{text}");
    }
    for f in &files {
        let v: Value = serde_json::from_str(&fs::read_to_string(f).unwrap()).unwrap();
        assert!(v["request"].is_object() && v["response"].is_object());
    }
    let unleash = files
        .iter()
        .find(|f| f.to_string_lossy().contains("update-api-token"))
        .unwrap();
    let v: Value = serde_json::from_str(&fs::read_to_string(unleash).unwrap()).unwrap();
    assert_eq!(v["request"]["path"], "/api/admin/api-tokens/{token}");
    let axiom = files
        .iter()
        .find(|f| f.to_string_lossy().contains("regenerateAPIToken"))
        .unwrap();
    let v: Value = serde_json::from_str(&fs::read_to_string(axiom).unwrap()).unwrap();
    assert!(
        v["redacted"]
            .as_array()
            .unwrap()
            .contains(&Value::from("response.body/token")),
        "{v}"
    );

    // Playback with the upstream gone.
    drop(up);
    let s = Specmock::serve(&["--fixtures", fx, "--fixtures-only"]);
    let r = send(
        "POST",
        &s.url("/v2/tokens/tok1/regenerate"),
        &[JSON, ("authorization", "Bearer other")],
        Some(REGEN),
    );
    assert_eq!(r.status, 200);
    assert_eq!(r.json()["id"], "tok1");
    assert_eq!(r.json()["name"], "ci");
    // The Unleash fixture replays for any token.
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/any-other-token"),
        &[JSON, ("authorization", "x")],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert!(r.header("x-specmock-fixture").is_some());
    // --fixtures-only: an unmatched request names the closest fixture.
    let r = send(
        "POST",
        &s.url("/v2/tokens/other/regenerate"),
        &[JSON, ("authorization", "Bearer x")],
        Some(REGEN),
    );
    assert_eq!(r.status, 404);
    assert!(
        r.json()["detail"].as_str().unwrap().contains("closest"),
        "{}",
        r.body
    );

    // The recorded folder passes the contract check.
    let out = run(&["fixtures", "check", "--fixtures", fx]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
}

#[test]
fn identical_exchanges_are_written_once() {
    let up = Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let rec = record(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--upstream",
        &up.url,
    ]);
    for _ in 0..3 {
        let r = send(
            "POST",
            &rec.url("/v2/tokens/tok1/regenerate"),
            &[JSON, ("authorization", "Bearer t")],
            Some(REGEN),
        );
        assert_eq!(r.status, 200);
    }
    assert_eq!(files_under(dir.path()).len(), 1);
}

#[test]
fn an_upstream_outside_its_contract_is_reported_and_flagged() {
    let up = Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let fx = dir.path().to_str().unwrap();
    let rec = record(&["--fixtures", fx, "--upstream", &up.url]);
    let r = send(
        "POST",
        &rec.url("/v2/tokens/bad/regenerate"),
        &[JSON, ("authorization", "Bearer t")],
        Some(REGEN),
    );
    assert_eq!(r.status, 200);
    assert_eq!(
        r.json()["id"],
        5,
        "the client still gets what the upstream said"
    );
    let j = send("GET", &rec.url("/__specmock/requests"), &[], None).json();
    let rv = &j["requests"][0]["response_violations"];
    assert!(rv.as_array().is_some_and(|a| !a.is_empty()), "{j}");
    let (_, stderr) = rec.terminate();
    assert!(stderr.contains("broke the contract"), "{stderr}");
    let files = files_under(dir.path());
    let v: Value = serde_json::from_str(&fs::read_to_string(&files[0]).unwrap()).unwrap();
    assert!(v["contractViolations"].is_array(), "{v}");
    let out = run(&["fixtures", "check", "--fixtures", fx]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stdout.contains(&files[0].display().to_string()),
        "{}",
        out.stdout
    );
}

#[test]
fn fixtures_check_names_the_file_and_pointer() {
    let out = run(&["fixtures", "check"]);
    assert_eq!(
        out.code,
        Some(0),
        "bundled fixtures: {}{}",
        out.stdout,
        out.stderr
    );
    let out = run(&[
        "fixtures",
        "check",
        "--fixtures",
        concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures"),
    ]);
    assert_eq!(out.code, Some(0), "{}{}", out.stdout, out.stderr);
    let dir = tempfile::tempdir().unwrap();
    let bad = dir.path().join("axiom/regenerateAPIToken/broken.json");
    fs::create_dir_all(bad.parent().unwrap()).unwrap();
    fs::write(
        &bad,
        r#"{"request": {"method": "POST", "path": "/v2/tokens/x/regenerate"},
            "response": {"status": 200, "headers": {"content-type": "application/json"},
                         "body": {"id": "x", "name": "n", "datasetCapabilities": {}, "orgCapabilities": {"billing": ["delete"]}}}}"#,
    )
    .unwrap();
    let out = run(&[
        "fixtures",
        "check",
        "--fixtures",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(1));
    assert!(out.stdout.contains("broken.json"), "{}", out.stdout);
    assert!(
        out.stdout
            .contains("response.body/orgCapabilities/billing/0"),
        "{}",
        out.stdout
    );
}

#[test]
fn an_unreachable_upstream_is_a_502_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    // A port nothing listens on: bind, note it, close.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let upstream = format!("http://127.0.0.1:{port}");
    let rec = record(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--upstream",
        &upstream,
    ]);
    let r = send(
        "POST",
        &rec.url("/v2/tokens/tok1/regenerate"),
        &[JSON, ("authorization", "Bearer t")],
        Some(REGEN),
    );
    assert_eq!(r.status, 502);
    assert!(
        r.json()["detail"].as_str().unwrap().contains(&upstream),
        "{}",
        r.body
    );
    assert!(files_under(dir.path()).is_empty());
}

#[test]
fn polling_replays_in_recorded_order_then_stays_on_the_last() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().join("unleash/update-api-token");
    fs::create_dir_all(&d).unwrap();
    // File names sort the other way round: the recorded sequence decides.
    fs::write(
        d.join("b-first.json"),
        r#"{"request": {"method": "PUT", "path": "/api/admin/api-tokens/poll"},
            "response": {"status": 403}, "sequence": 1}"#,
    )
    .unwrap();
    fs::write(
        d.join("a-second.json"),
        r#"{"request": {"method": "PUT", "path": "/api/admin/api-tokens/poll"},
            "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": {}}, "sequence": 2}"#,
    )
    .unwrap();
    let s = Specmock::serve(&["--fixtures", dir.path().to_str().unwrap()]);
    let put = || {
        send(
            "PUT",
            &s.url("/api/admin/api-tokens/poll"),
            &[JSON, ("authorization", "x")],
            Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
        )
        .status
    };
    assert_eq!([put(), put(), put()], [403, 200, 200]);
}

#[test]
fn a_recorder_killed_mid_run_leaves_only_whole_fixtures() {
    let up = Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let rec = record(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--upstream",
        &up.url,
    ]);
    let url = rec.url("/v2/tokens/");
    let pid = rec.pid();
    // Errors before the kill (a slow machine) are retried; after it, the
    // client stops.
    let killed = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let stop = killed.clone();
    let client = std::thread::spawn(move || {
        for i in 0..200 {
            let u = format!("{url}tok{i}/regenerate");
            let r = std::panic::catch_unwind(|| {
                send(
                    "POST",
                    &u,
                    &[JSON, ("authorization", "Bearer t")],
                    Some(REGEN),
                )
            });
            if r.is_err() && stop.load(std::sync::atomic::Ordering::SeqCst) {
                break;
            }
        }
    });
    // Let some exchanges be written, then kill hard (no graceful shutdown).
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    // Whole fixtures only: a hidden temp file is a write still under way.
    let whole = |d: &std::path::Path| {
        files_under(d)
            .into_iter()
            .filter(|f| !f.file_name().unwrap().to_string_lossy().starts_with('.'))
            .count()
    };
    while whole(dir.path()) < 5 && std::time::Instant::now() < deadline {
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    killed.store(true, std::sync::atomic::Ordering::SeqCst);
    let _ = std::process::Command::new("kill")
        .args(["-KILL", &pid.to_string()])
        .status();
    let _ = client.join();
    // Every fixture file is whole JSON; a write the kill interrupted can only
    // leave a hidden temp file, which the loader ignores.
    let fixtures: Vec<_> = files_under(dir.path())
        .into_iter()
        .filter(|f| !f.file_name().unwrap().to_string_lossy().starts_with('.'))
        .collect();
    assert!(fixtures.len() >= 5, "{fixtures:?}");
    for f in &fixtures {
        assert!(
            f.extension().is_some_and(|e| e == "json"),
            "unexpected file {f:?}"
        );
        let text = fs::read_to_string(f).unwrap();
        serde_json::from_str::<Value>(&text)
            .unwrap_or_else(|e| panic!("{f:?} is not whole JSON ({e}): {text}"));
    }
    let out = run(&[
        "fixtures",
        "check",
        "--fixtures",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stdout);
    // A new recorder sweeps the leftovers.
    let again = record(&[
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--upstream",
        &up.url,
    ]);
    drop(again);
    assert!(
        files_under(dir.path()).iter().all(|f| !f
            .file_name()
            .unwrap()
            .to_string_lossy()
            .starts_with(".tmp"))
    );
}
