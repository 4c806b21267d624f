//! A consumer's Rust integration test using specmock's `MockServer`: the
//! client under test talks to a real server on 127.0.0.1; afterwards the test
//! checks what it sent kept the contract. (Run by `cargo test` as the
//! `example_rust` module of the one test binary, `tests/tests.rs`.)

use specmock::{MockServer, Verification};

/// The client under test: regenerates an Axiom token.
fn regenerate(base: &str, id: &str) -> Result<u16, String> {
    let agent: ureq::Agent = ureq::Agent::config_builder()
        .http_status_as_error(false)
        .build()
        .into();
    agent
        .post(&format!("{base}/v2/tokens/{id}/regenerate"))
        .header("authorization", "Bearer xaat-test")
        .header("content-type", "application/json")
        .send(r#"{"existingTokenExpiresAt":"2030-01-08T00:00:00Z","newToken":{"name":"ingest"}}"#)
        .map(|r| r.status().as_u16())
        .map_err(|e| e.to_string())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_client_keeps_the_axiom_contract() {
    let server = MockServer::bundled().await;
    let base = server.uri();
    let status = tokio::task::spawn_blocking(move || regenerate(&base, "ingest-token"))
        .await
        .unwrap();
    assert_eq!(status, Ok(200));
    server
        .verify(Verification::operation("regenerateAPIToken").times(1))
        .unwrap();
    let requests = server.received_requests();
    assert!(
        requests.iter().all(|r| r.violations.is_empty()),
        "{requests:?}"
    );
}
