//! The Rust test API (`MockServer`), end to end over real HTTP.

use specmock::{MockServer, Verification};

fn put(url: String, body: &'static str) -> u16 {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .put(&url)
        .header("authorization", "*:*.admin")
        .header("content-type", "application/json")
        .send(body)
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_server_records_and_verifies() {
    let server = MockServer::bundled().await;
    let base = server.uri();
    assert!(base.starts_with("http://127.0.0.1:"));
    let (ok, bad) = tokio::task::spawn_blocking(move || {
        (
            put(
                format!("{base}/api/admin/api-tokens/abc"),
                r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#,
            ),
            put(
                format!("{base}/api/admin/api-tokens/abc"),
                r#"{"expiresAt":"soon"}"#,
            ),
        )
    })
    .await
    .unwrap();
    assert_eq!((ok, bad), (200, 422));
    let seen = server.received_requests();
    assert_eq!(seen.len(), 2);
    assert_eq!(seen[1].violations[0].location, "body/expiresAt");
    server
        .verify(Verification::operation("update-api-token").times(2))
        .unwrap();
    let err = server
        .verify(Verification::operation("regenerateAPIToken"))
        .unwrap_err();
    assert_eq!(err.seen, 0);
    let cov = server.coverage();
    assert_eq!(cov.summary.covered, 1);
    server.reset();
    assert!(server.received_requests().is_empty());
    server.stop().await;
}

#[tokio::test]
async fn mock_server_refuses_a_broken_document() {
    let dir = tempfile::tempdir().unwrap();
    let f = dir.path().join("x.yaml");
    std::fs::write(&f, "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths: {/a: {get: {responses: {'200': {$ref: '#/nope'}}}}}\n").unwrap();
    let err = MockServer::start([f]).await.err().expect("refused");
    assert!(err.to_string().contains("#/nope"), "{err}");
}
