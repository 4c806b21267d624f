#![warn(missing_docs)]
//! specmock: a contract-testing mock server generated from OpenAPI documents.
//!
//! Load documents into a [`Contract`], then serve it: every request is routed
//! to an operation of the contract and answered with the vendor's own status
//! codes and examples.
//!
//! ```
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() {
//! use specmock::{Contract, ServeConfig};
//!
//! // The four bundled vendor documents; `Contract::load` reads your own files.
//! let contract = Contract::bundled().expect("the bundled specs load");
//! let config = ServeConfig { port: 0, ..ServeConfig::default() };
//!
//! // The route table answers without a network round trip.
//! let routed = contract
//!     .routes()
//!     .route(&hyper::Method::POST, "/v2/tokens/tok1/regenerate")
//!     .unwrap();
//! assert_eq!(routed.operation.operation_id, "regenerateAPIToken");
//!
//! let server = specmock::start(contract, &config).await.unwrap();
//! println!("mocking on {}", server.url());
//! server.shutdown().await;
//! # }
//! ```
//!
//! A request flows one way through the pipeline: [`route`] → validate →
//! [`respond`] → record. Each stage is a module with one job.

#[doc(hidden)]
pub mod admin;
#[doc(hidden)]
pub mod app;
#[doc(hidden)]
pub mod cli;
#[doc(hidden)]
pub mod clock;
pub mod contract;
#[doc(hidden)]
pub mod cors;
#[doc(hidden)]
pub mod delivery;
#[doc(hidden)]
pub mod diff;
pub mod fixtures;
#[doc(hidden)]
pub mod idle;
pub mod journal;
#[doc(hidden)]
pub mod limits;
#[doc(hidden)]
pub mod logline;
pub mod media;
#[doc(hidden)]
pub mod mock_server;
pub mod pipeline;
pub mod problem;
#[doc(hidden)]
pub mod record;
#[doc(hidden)]
pub mod redact;
#[doc(hidden)]
pub mod report;
pub mod request;
pub mod respond;
pub mod route;
#[doc(hidden)]
pub mod server;
pub mod spec;
#[doc(hidden)]
pub mod state;
pub mod validate;
#[doc(hidden)]
pub mod watch;

pub use contract::{BUNDLED_SPECS, Contract, FixturePaths, SpecPaths};
pub use journal::{
    Count, Coverage, CoverageSummary, JournalEntry, JournalLimits, OperationCoverage, Unrouted,
    Verification, VerifyResult,
};
pub use limits::Limits;
pub use mock_server::MockServer;
pub use pipeline::{Outcome, PipelineOptions, run};
pub use problem::{Problem, ProblemKind};
pub use report::ReportPaths;
pub use request::Request;
pub use server::start;
pub use server::{RecordConfig, RunningServer, ServeConfig};
pub use spec::{LoadError, LoadErrors, LoadOptions};
pub use validate::Violation;
