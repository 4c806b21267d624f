//! A mock server for Rust tests, in the manner of wiremock-rs: start it on a
//! random loopback port, point the client under test at [`MockServer::uri`],
//! then check what it received. It stops when dropped.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use specmock::{MockServer, Verification};
//!
//! let server = MockServer::bundled().await;
//! // The client under test would do this:
//! let url = format!("{}/v2/tokens/tok1/regenerate", server.uri());
//! let status = tokio::task::spawn_blocking(move || {
//!     use std::io::{Read, Write};
//!     let addr = url.trim_start_matches("http://").split('/').next().unwrap().to_string();
//!     let body = r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#;
//!     let mut s = std::net::TcpStream::connect(addr).unwrap();
//!     write!(s, "POST /v2/tokens/tok1/regenerate HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer t\r\n\
//!                Content-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}", body.len()).unwrap();
//!     let mut reply = String::new();
//!     s.read_to_string(&mut reply).unwrap();
//!     reply[9..12].to_string()
//! }).await.unwrap();
//! assert_eq!(status, "200");
//!
//! let seen = server.received_requests();
//! assert_eq!(seen.len(), 1);
//! assert!(seen[0].violations.is_empty());
//! server.verify(Verification::operation("regenerateAPIToken").times(1)).unwrap();
//! assert!(server.coverage().uncovered.contains(&"update-api-token".to_string()));
//! # }
//! ```

use std::path::PathBuf;

use crate::contract::{Contract, FixturePaths, SpecPaths};
use crate::journal::{Coverage, Filter, JournalEntry, Verification, VerifyResult};
use crate::server::{self, RunningServer, ServeConfig};
use crate::spec::LoadErrors;

/// A running mock of one or more documents, on 127.0.0.1 and a free port.
pub struct MockServer {
    server: RunningServer,
}

impl MockServer {
    /// Mock the four bundled vendor documents (with their fixtures).
    ///
    /// # Panics
    /// If the bundled documents fail to load or no loopback port is free:
    /// both are bugs or a broken machine, not something a test can handle.
    pub async fn bundled() -> MockServer {
        MockServer::start(Vec::<PathBuf>::new())
            .await
            .expect("the bundled specs load")
    }

    /// Mock the given documents (files or folders). Loading is strict here
    /// (`--strict-load`): a test's own document that has an operation which
    /// cannot be built fails the test loudly instead of answering 501.
    pub async fn start(
        specs: impl IntoIterator<Item = impl Into<PathBuf>>,
    ) -> Result<MockServer, LoadErrors> {
        let paths = SpecPaths {
            paths: specs.into_iter().map(Into::into).collect(),
            options: crate::spec::LoadOptions {
                strict: true,
                ..Default::default()
            },
            ..SpecPaths::default()
        };
        let (contract, _) = Contract::load_with_fixtures(&paths, &FixturePaths::default())?;
        MockServer::with_contract(
            contract,
            ServeConfig {
                port: 0,
                pipeline: crate::pipeline::PipelineOptions {
                    field_usage: true,
                    ..Default::default()
                },
                ..ServeConfig::default()
            },
        )
        .await
    }

    /// Mock an already loaded contract with a configuration of your choosing.
    pub async fn with_contract(
        contract: Contract,
        config: ServeConfig,
    ) -> Result<MockServer, LoadErrors> {
        let server = server::start(contract, &config).await.map_err(|e| {
            LoadErrors(vec![crate::spec::LoadError::new(
                "specmock",
                format!("cannot start the server: {e}"),
            )])
        })?;
        Ok(MockServer { server })
    }

    /// `http://127.0.0.1:PORT`: the base URL to give the client under test.
    pub fn uri(&self) -> String {
        self.server.url()
    }

    /// Every request received so far (oldest first, credentials redacted).
    pub fn received_requests(&self) -> Vec<JournalEntry> {
        let mut all = self.server.state().journal.entries(&Filter::default());
        all.retain(|e| e.callback.is_none());
        all
    }

    /// The callbacks and webhooks sent so far (and those refused, with the
    /// reason): each entry holds the request sent, the consumer's status and
    /// answer (`callback`) and how the answer broke the contract (`violations`).
    pub fn callbacks(&self) -> Vec<JournalEntry> {
        let mut all = self.server.state().journal.entries(&Filter::default());
        all.retain(|e| e.callback.is_some());
        all
    }

    /// Wait, at most `max`, for the callbacks and webhooks in flight to be
    /// answered and journalled; true when none is left.
    pub async fn wait_for_callbacks(&self, max: std::time::Duration) -> bool {
        self.server.state().callbacks.wait(max).await
    }

    /// Coverage of the mocked operations.
    pub fn coverage(&self) -> Coverage {
        let state = self.server.state();
        state.journal.coverage(&state.contract.load())
    }

    /// Which fields of one operation (by `operationId`, `document/operationId`
    /// or display id) the requests and answers used so far; `None` for an
    /// operation the contract does not have.
    pub fn field_coverage(&self, operation: &str) -> Option<crate::usage::FieldCoverage> {
        let state = self.server.state();
        let contract = state.contract.load();
        let op = contract.operation(operation)?;
        Some(state.journal.usage().coverage(op, contract.catalog(op)))
    }

    /// Check an expectation; `Err` carries what was seen.
    pub fn verify(&self, v: Verification) -> Result<VerifyResult, VerifyResult> {
        let state = self.server.state();
        let r = state.journal.verify(&state.contract.load(), &v);
        if r.ok { Ok(r) } else { Err(r) }
    }

    /// The exchanges received so far that kept the contract, as a Pact v4
    /// file (see `specmock export pact`).
    pub fn export_pact(&self, consumer: &str, provider: &str) -> serde_json::Value {
        let state = self.server.state();
        let contract = state.contract.load();
        let report = crate::report::live_report(&contract, &state.journal);
        let names = crate::export::Names {
            consumer: consumer.to_string(),
            provider: provider.to_string(),
        };
        // Every interaction names an operation of this very contract.
        crate::export::pact(&contract, &report, &names).unwrap_or_default()
    }

    /// The subset of the mocked document that the requests so far used (see
    /// `specmock export openapi`); `Err` says why there is none (nothing
    /// called, or several documents: name one with `document`).
    pub fn export_openapi(
        &self,
        document: Option<&str>,
    ) -> Result<serde_json::Value, crate::export::ExportError> {
        let state = self.server.state();
        let contract = state.contract.load();
        let report = crate::report::live_report(&contract, &state.journal);
        crate::export::openapi(&contract, &report, document)
    }

    /// Forget every request received so far.
    pub fn reset(&self) {
        self.server.state().journal.reset();
    }

    /// Stop now (dropping the server stops it too).
    pub async fn stop(self) {
        self.server.shutdown().await;
    }
}
