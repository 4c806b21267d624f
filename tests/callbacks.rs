//! Callbacks and webhooks end to end: the real binary answers a
//! subscription, then calls back a receiver of the test's own on 127.0.0.1;
//! the receiver's answer is checked against the callback's declared
//! responses, journalled, counted in coverage and judged by `specmock run`.
//! Waits are generous polls (a loaded CI machine is slow), counts bounded.

use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Answer, Specmock, Upstream, get, run, send};

const SUBSCRIPTIONS: &str = "tests/documents/callbacks/subscriptions.yaml";
const PETS: &str = "tests/documents/callbacks/pets-webhooks.yaml";
const WEBHOOKS_ONLY: &str = "tests/documents/callbacks/webhooks-only.yaml";
const PATIENCE: Duration = Duration::from_secs(20);

/// The consumer's receiver: `/ok...` answers 204, `/note` 200 with a body
/// that breaks the declared one, `/bad...` an undeclared 418.
fn receiver(_method: &str, path: &str, _head: &str) -> Answer {
    if path.starts_with("/secret") {
        let headers = vec![
            ("Content-Type".into(), "application/json".into()),
            ("Set-Cookie".into(), "session=abc123".into()),
        ];
        (200, headers, r#"{"accepted":true,"token":"abc123"}"#.into())
    } else if path.starts_with("/bad") {
        (418, vec![], "teapot".into())
    } else if path.starts_with("/note") {
        let ct = vec![("Content-Type".into(), "application/json".into())];
        (200, ct, r#"{"accepted":"yes"}"#.into())
    } else {
        (204, vec![], String::new())
    }
}

/// Poll until `done` holds, up to [`PATIENCE`]; the last value either way.
fn poll<T>(mut what: impl FnMut() -> T, done: impl Fn(&T) -> bool) -> T {
    let until = Instant::now() + PATIENCE;
    loop {
        let v = what();
        if done(&v) || Instant::now() > until {
            return v;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// The journal's callback and webhook entries.
fn callback_entries(s: &Specmock) -> Vec<Value> {
    let all = get(&s.url("/__specmock/requests")).json();
    all["requests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e.get("callback").is_some())
        .cloned()
        .collect()
}

fn subscribe(s: &Specmock, callback_url: &str, prefer: Option<&str>) -> u16 {
    let body = json!({"callbackUrl": callback_url, "events": ["created"]}).to_string();
    let mut headers = vec![("content-type", "application/json")];
    if let Some(p) = prefer {
        headers.push(("prefer", p));
    }
    send("POST", &s.url("/subscriptions"), &headers, Some(&body)).status
}

/// The request body of each request the receiver saw.
fn bodies(up: &Upstream) -> Vec<(String, String)> {
    up.seen
        .lock()
        .unwrap()
        .iter()
        .map(|r| {
            let (head, body) = r.split_once("\r\n\n").unwrap_or((r, ""));
            let line = head.lines().next().unwrap_or("").to_string();
            (line, body.to_string())
        })
        .collect()
}

#[test]
fn a_subscription_calls_back_with_a_body_valid_against_its_schema() {
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[SUBSCRIPTIONS, "--callbacks-to", "loopback", "--seed", "7"]);
    assert_eq!(subscribe(&s, &format!("{}/ok/hooks", up.url), None), 201);
    let seen = poll(|| bodies(&up), |b| b.len() >= 2);
    assert_eq!(seen.len(), 2, "{seen:?}");
    let event = seen
        .iter()
        .find(|(line, _)| line.starts_with("POST /ok/hooks "))
        .unwrap_or_else(|| panic!("no onEvent callback: {seen:?}"));
    // The document's Event schema, as the consumer's own validator would read it.
    let schema = json!({
        "type": "object",
        "required": ["id", "type", "subscription", "occurredAt"],
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "type": {"enum": ["created", "deleted"]},
            "subscription": {"type": "string"},
            "occurredAt": {"type": "string", "format": "date-time"},
            "count": {"type": "integer", "minimum": 1}
        }
    });
    let body: Value = serde_json::from_str(&event.1).unwrap();
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap();
    assert!(validator.is_valid(&body), "{body}");
    // The second callback's URL reads the response body: {$response.body#/id}.
    let cancel = seen
        .iter()
        .find(|(line, _)| line.contains("/ok/hooks/cancelled?subscription=sub-42 "))
        .unwrap_or_else(|| panic!("no onCancel callback: {seen:?}"));
    assert_eq!(cancel.1, r#"{"subscription":"sub-42"}"#);

    let entries = poll(|| callback_entries(&s), |e| e.len() >= 2);
    assert_eq!(entries.len(), 2, "{entries:?}");
    for e in &entries {
        assert_eq!(e["status"], 204, "{e}");
        assert_eq!(e["violations"], json!([]), "{e}");
        assert_eq!(e["callback"]["kind"], "callback", "{e}");
        assert_eq!(e["callback"]["trigger"], 1, "{e}");
    }
    let cov = get(&s.url("/__specmock/coverage")).json();
    let ops = cov["operations"].as_array().unwrap();
    let on_event = ops
        .iter()
        .find(|o| o["operation"] == "createSubscription.onEvent")
        .unwrap();
    assert_eq!(on_event["kind"], "callback");
    assert_eq!(on_event["called"], 1);
    assert_eq!(on_event["statuses"], json!({"204": 1}));
    assert_eq!(on_event["unexercised"], json!(["200"]));
    assert_eq!(cov["summary"]["callbacks"], 2);
    assert_eq!(cov["summary"]["requests"], 1);
    // Verification reads callbacks like operations.
    let verify = |body: Value| {
        let r = send(
            "POST",
            &s.url("/__specmock/verify"),
            &[("content-type", "application/json")],
            Some(&body.to_string()),
        );
        (r.status, r.json())
    };
    let (status, r) = verify(
        json!({"operation": "createSubscription.onEvent", "status": 204, "count": {"exactly": 1}}),
    );
    assert_eq!(status, 200, "{r}");
    let (status, r) =
        verify(json!({"operation": "createSubscription.onEvent", "violations": true}));
    assert_eq!(status, 417, "{r}");
}

#[test]
fn prefer_sends_no_callback_or_only_the_one_named() {
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--callback-delay",
        "0",
    ]);
    let url = format!("{}/ok/hooks", up.url);
    assert_eq!(subscribe(&s, &url, Some("callbacks=none")), 201);
    assert_eq!(subscribe(&s, &url, Some("callbacks=onCancel")), 201);
    let entries = poll(|| callback_entries(&s), |e| !e.is_empty());
    // Settle: anything the first request would have sent has been sent by now.
    std::thread::sleep(Duration::from_millis(500));
    let entries = if entries.len() == 1 {
        callback_entries(&s)
    } else {
        entries
    };
    assert_eq!(entries.len(), 1, "{entries:?}");
    assert_eq!(entries[0]["callback"]["name"], "onCancel");
    assert_eq!(entries[0]["callback"]["trigger"], 2);
    assert_eq!(bodies(&up).len(), 1);
}

#[test]
fn an_answer_outside_the_contract_is_a_violation_in_the_journal() {
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--callback-delay",
        "0",
    ]);
    assert_eq!(
        subscribe(&s, &format!("{}/note", up.url), Some("callbacks=onEvent")),
        201
    );
    let entries = poll(|| callback_entries(&s), |e| !e.is_empty());
    let e = &entries[0];
    assert_eq!(e["status"], 200, "{e}");
    assert_eq!(
        e["violations"][0]["location"], "answer.body/accepted",
        "{e}"
    );
    assert_eq!(e["callback"]["answer_body"], r#"{"accepted":"yes"}"#, "{e}");
    // A receiver that is not there is no answer: a violation too.
    let gone = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let port = gone.local_addr().unwrap().port();
    drop(gone);
    let url = format!("http://127.0.0.1:{port}/ok");
    assert_eq!(subscribe(&s, &url, Some("callbacks=onEvent")), 201);
    let entries = poll(|| callback_entries(&s), |e| e.len() >= 2);
    let e = &entries[1];
    assert_eq!(e["status"], 0, "{e}");
    assert_eq!(e["violations"][0]["location"], "answer", "{e}");
    assert!(e["callback"]["error"].as_str().is_some(), "{e}");
}

#[test]
fn credentials_in_callbacks_and_answers_are_redacted() {
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--callback-delay",
        "0",
    ]);
    let url = format!("{}/secret?token=abc123&x=1", up.url);
    assert_eq!(subscribe(&s, &url, Some("callbacks=onEvent")), 201);
    let entries = poll(|| callback_entries(&s), |e| !e.is_empty());
    let e = &entries[0];
    assert_eq!(e["status"], 200, "{e}");
    assert_eq!(e["violations"], json!([]), "{e}");
    // The receiver did get the secret: only what specmock keeps is redacted.
    assert!(up.seen.lock().unwrap()[0].contains("token=abc123"));
    assert!(
        e["callback"]["url"]
            .as_str()
            .unwrap()
            .contains("token=%3Credacted%3E"),
        "{e}"
    );
    assert!(
        e["callback"]["answer_body"]
            .as_str()
            .unwrap()
            .contains("<redacted>"),
        "{e}"
    );
    // The triggering request's own body holds the URL as the client sent it:
    // a query in a body member is the client's data. Callback entries hold none.
    for c in &entries {
        assert!(!c.to_string().contains("abc123"), "{c}");
    }
    let (_, log) = s.terminate();
    let callback_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("callback POST"))
        .collect();
    assert!(!callback_lines.is_empty(), "{log}");
    assert!(
        callback_lines.iter().all(|l| !l.contains("abc123")),
        "{log}"
    );
}

#[test]
fn without_callbacks_to_a_callback_is_refused_journalled_and_never_sent() {
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[SUBSCRIPTIONS, "--callback-delay", "0"]);
    assert_eq!(subscribe(&s, &format!("{}/ok/hooks", up.url), None), 201);
    let entries = poll(|| callback_entries(&s), |e| e.len() >= 2);
    assert_eq!(entries.len(), 2, "{entries:?}");
    for e in &entries {
        let why = e["callback"]["refused"]
            .as_str()
            .unwrap_or_else(|| panic!("{e}"));
        assert!(why.contains("no --callbacks-to"), "{why}");
        assert_eq!(e["status"], 0);
    }
    // The decision is journalled instead of sending: nothing went out.
    assert!(up.seen.lock().unwrap().is_empty());
    // A refused callback is no call.
    let cov = get(&s.url("/__specmock/coverage")).json();
    let on_event = cov["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == "createSubscription.onEvent")
        .unwrap()
        .clone();
    assert_eq!(on_event["called"], 0, "{on_event}");
    let (_, log) = s.terminate();
    assert!(log.contains("refused, not sent"), "{log}");
}

#[test]
fn the_resolved_address_is_checked_not_only_the_name() {
    let up = Upstream::start(receiver);
    let port = up.url.rsplit(':').next().unwrap().to_string();
    let s = Specmock::serve(&[
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--callback-delay",
        "0",
    ]);
    // 0.0.0.0 reaches this machine's listeners on Linux, but it is not loopback.
    let sneaky = format!("http://0.0.0.0:{port}/ok");
    assert_eq!(subscribe(&s, &sneaky, Some("callbacks=onEvent")), 201);
    let entries = poll(|| callback_entries(&s), |e| !e.is_empty());
    let why = entries[0]["callback"]["refused"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        why.contains("0.0.0.0") && why.contains("not listed"),
        "{entries:?}"
    );
    // A name is resolved: localhost is loopback, so it goes...
    let by_name = format!("http://localhost:{port}/ok");
    assert_eq!(subscribe(&s, &by_name, Some("callbacks=onEvent")), 201);
    let entries = poll(|| callback_entries(&s), |e| e.len() >= 2);
    assert_eq!(entries[1]["status"], 204, "{entries:?}");
    assert_eq!(up.seen.lock().unwrap().len(), 1);
    drop(s);
    // ...and with only a range listed, a name resolving outside it is refused.
    let s = Specmock::serve(&[
        SUBSCRIPTIONS,
        "--callbacks-to",
        "192.0.2.0/24",
        "--callback-delay",
        "0",
    ]);
    assert_eq!(subscribe(&s, &by_name, Some("callbacks=onEvent")), 201);
    let entries = poll(|| callback_entries(&s), |e| !e.is_empty());
    let why = entries[0]["callback"]["refused"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        why.contains("localhost") && why.contains("127.0.0.1"),
        "{why}"
    );
    assert_eq!(up.seen.lock().unwrap().len(), 1);
}

#[test]
fn a_bad_callbacks_to_entry_is_refused_at_start() {
    let out = run(&["serve", SUBSCRIPTIONS, "--callbacks-to", "10.0.0.0/99"]);
    assert_eq!(out.code, Some(2), "{}", out.stderr);
    assert!(out.stderr.contains("CIDR ranges"), "{}", out.stderr);
    let out = run(&["serve", PETS, "--webhook", "newPet"]);
    assert!(out.stderr.contains("NAME=URL"), "{}", out.stderr);
}

#[test]
fn a_webhook_fired_through_the_admin_api() {
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[PETS, "--callbacks-to", "loopback"]);
    let post = |name: &str, body: Value| {
        send(
            "POST",
            &s.url(&format!("/__specmock/webhooks/{name}")),
            &[("content-type", "application/json")],
            Some(&body.to_string()),
        )
    };
    let target = format!("{}/ok/pets", up.url);
    let r = post("newPet", json!({"url": target, "example": "tom"}));
    assert_eq!(r.status, 202, "{}", r.body);
    let seen = poll(|| bodies(&up), |b| !b.is_empty());
    assert_eq!(seen[0].0, "POST /ok/pets HTTP/1.1");
    assert_eq!(
        serde_json::from_str::<Value>(&seen[0].1).unwrap(),
        json!({"id": 2, "name": "Tom", "status": "adopted"})
    );
    let entries = poll(|| callback_entries(&s), |e| !e.is_empty());
    assert_eq!(entries[0]["callback"]["kind"], "webhook");
    assert_eq!(entries[0]["operation"], "pets-webhooks/webhook.newPet");
    // 204 is not declared (only 200 is): the answer broke the contract.
    assert_eq!(entries[0]["violations"][0]["location"], "answer.status");

    let r = post("oldPet", json!({"url": target}));
    assert_eq!(r.status, 400);
    assert!(r.body.contains("newPet"), "{}", r.body);
    let r = post("newPet", json!({"url": target, "example": "nope"}));
    assert_eq!(r.status, 202);
    let entries = poll(|| callback_entries(&s), |e| e.len() >= 2);
    let why = entries[1]["callback"]["refused"]
        .as_str()
        .unwrap_or_default();
    assert!(why.contains("rex, tom"), "{why}");
    drop(s);
    // The admin API's target must be listed too.
    let s = Specmock::serve(&[PETS]);
    let r = send(
        "POST",
        &s.url("/__specmock/webhooks/newPet"),
        &[],
        Some(&json!({"url": target}).to_string()),
    );
    assert_eq!(r.status, 400);
    assert!(r.body.contains("no --callbacks-to"), "{}", r.body);
}

#[test]
fn a_webhook_on_a_schedule() {
    let up = Upstream::start(receiver);
    let target = format!("orderShipped={}/ok/orders@200ms", up.url);
    // No --callbacks-to: a URL given with --webhook is the user's word.
    let s = Specmock::serve(&[WEBHOOKS_ONLY, "--webhook", &target]);
    let seen = poll(|| bodies(&up), |b| b.len() >= 3);
    assert!(seen.len() >= 3, "{seen:?}");
    let schema = json!({"type": "object", "required": ["order", "carrier"],
        "properties": {"order": {"type": "string"}, "carrier": {"enum": ["post", "courier"]}}});
    let validator = jsonschema::validator_for(&schema).unwrap();
    for (_, body) in &seen {
        assert!(
            validator.is_valid(&serde_json::from_str(body).unwrap()),
            "{body}"
        );
    }
    drop(s);
    // Stopped with the server: the count stays bounded.
    std::thread::sleep(Duration::from_millis(600));
    let n = up.seen.lock().unwrap().len();
    std::thread::sleep(Duration::from_millis(600));
    assert_eq!(up.seen.lock().unwrap().len(), n);
}

#[test]
fn run_fails_when_the_receiver_answers_an_undeclared_status() {
    let up = Upstream::start(receiver);
    let dir = tempfile::tempdir().unwrap();
    let j = dir.path().join("j.xml");
    let script = |path: &str| {
        format!(
            r#"curl -s -o /dev/null -X POST -H 'content-type: application/json' -d '{{"callbackUrl":"{}{path}","events":["created"]}}' "$SPECMOCK_URL/subscriptions""#,
            up.url
        )
    };
    let bad = script("/bad");
    let out = run(&[
        "run",
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--report-junit",
        j.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        &bad,
    ]);
    assert_eq!(out.code, Some(1), "{}", out.stderr);
    assert!(
        out.stderr.contains("answered outside the contract"),
        "{}",
        out.stderr
    );
    let junit = std::fs::read_to_string(&j).unwrap();
    assert!(
        junit.contains("callback POST {$request.body#/callbackUrl} (createSubscription.onEvent)"),
        "{junit}"
    );
    assert!(junit.contains("the consumer answered 418"), "{junit}");
    assert!(
        junit.contains("answer(s) of the consumer broke the contract"),
        "{junit}"
    );

    let good = script("/ok");
    let report = dir.path().join("r.json");
    let out = run(&[
        "run",
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--report-json",
        report.to_str().unwrap(),
        "--report-junit",
        j.to_str().unwrap(),
        "--",
        "sh",
        "-c",
        &good,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    assert!(
        out.stderr
            .contains("2 callback(s) and webhook(s) sent; 0 answered outside"),
        "{}",
        out.stderr
    );
    // Callbacks are the API's requests, not the consumer's: the Pact holds
    // only the subscription, and exporting does not trip over them.
    let pact = run(&[
        "export",
        "pact",
        "--report",
        report.to_str().unwrap(),
        SUBSCRIPTIONS,
    ]);
    assert_eq!(pact.code, Some(0), "{}", pact.stderr);
    let pact: Value = serde_json::from_str(&pact.stdout).unwrap();
    assert_eq!(pact["interactions"].as_array().unwrap().len(), 1, "{pact}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_server_exposes_the_callbacks_and_their_answers() {
    let up = Upstream::start(receiver);
    let contract = specmock::Contract::load(&specmock::SpecPaths {
        paths: vec![SUBSCRIPTIONS.into()],
        ..Default::default()
    })
    .unwrap();
    let config = specmock::ServeConfig {
        port: 0,
        callbacks: specmock::CallbackSettings {
            targets: vec!["loopback".into()],
            delay: Duration::ZERO,
            ..Default::default()
        },
        ..Default::default()
    };
    let server = specmock::MockServer::with_contract(contract, config)
        .await
        .unwrap();
    let url = format!("{}/subscriptions", server.uri());
    let hook = format!("{}/ok", up.url);
    let status = tokio::task::spawn_blocking(move || {
        let body = json!({"callbackUrl": hook, "events": ["deleted"]}).to_string();
        send(
            "POST",
            &url,
            &[("content-type", "application/json")],
            Some(&body),
        )
        .status
    })
    .await
    .unwrap();
    assert_eq!(status, 201);
    let mut sent = server.callbacks();
    let until = Instant::now() + PATIENCE;
    while sent.len() < 2 && Instant::now() < until {
        assert!(server.wait_for_callbacks(PATIENCE).await);
        tokio::time::sleep(Duration::from_millis(20)).await;
        sent = server.callbacks();
    }
    assert_eq!(sent.len(), 2, "{sent:?}");
    assert!(
        sent.iter()
            .all(|e| e.status == 204 && e.violations.is_empty())
    );
    assert_eq!(server.received_requests().len(), 1);
    server.stop().await;
}

#[test]
#[cfg_attr(
    specmock_skip_browser,
    ignore = "SPECMOCK_SKIP_BROWSER=1: the browser test is skipped"
)]
fn the_inspector_lists_callbacks_apart_from_requests() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let script = root.join("tests/browser/callbacks.mjs");
    assert!(
        root.join("tests/browser/node_modules/playwright-core")
            .is_dir(),
        "run tests/browser/install (or set SPECMOCK_SKIP_BROWSER=1)"
    );
    let up = Upstream::start(receiver);
    let s = Specmock::serve(&[
        SUBSCRIPTIONS,
        "--callbacks-to",
        "loopback",
        "--callback-delay",
        "0",
    ]);
    assert_eq!(subscribe(&s, &format!("{}/bad", up.url), None), 201);
    assert_eq!(poll(|| callback_entries(&s), |e| e.len() >= 2).len(), 2);
    let shot = root.join("target/inspector-callbacks.png");
    let out = std::process::Command::new("node")
        .arg(&script)
        .arg(&s.url)
        .arg(&shot)
        .current_dir(root)
        .output()
        .expect("spawn node");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(out.status.success(), "{text}");
}

#[test]
fn a_webhook_example_that_breaks_its_schema_fails_validate() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(PETS).unwrap();
    let broken = text.replace("{id: 2, name: Tom", "{id: two, name: Tom");
    assert_ne!(broken, text);
    let f = dir.path().join("pets.yaml");
    std::fs::write(&f, broken).unwrap();
    let out = run(&["validate", f.to_str().unwrap()]);
    assert_eq!(out.code, Some(1), "{}", out.output());
    assert!(
        out.output()
            .contains("#/webhooks/newPet/post/requestBody/content/application~1json/examples/tom/value: example does not match its schema at /id"),
        "{}",
        out.output()
    );
    assert_eq!(run(&["validate", PETS]).code, Some(0));
}
