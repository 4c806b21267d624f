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
//! assert_eq!(routed.operation.operation_id(), "regenerateAPIToken");
//!
//! let server = specmock::start(contract, &config).await.unwrap();
//! println!("mocking on {}", server.url());
//! server.shutdown().await;
//! # }
//! ```
//!
//! A request flows one way through the pipeline ([`run`]): route → validate →
//! answer source → respond. Each stage is a module with one job; ARCHITECTURE.md is the map.

mod admin;
mod app;
mod callback;
mod chaos;
// The binary's entry point (`main.rs`) and the settings model's key list.
#[doc(hidden)]
pub mod cli;
mod clock;
mod contract;
mod cors;
mod delivery;
mod diff;
mod export;
mod fixtures;
pub mod generate;
mod har;
mod heap;
mod idle;
pub mod instance;
mod journal;
mod limits;
mod logline;
mod media;
mod mock_server;
mod pipeline;
mod problem;
mod record;
mod redact;
mod report;
mod request;
mod respond;
mod route;
mod segments;
mod server;
pub mod spec;
mod state;
mod upstream;
mod usage;
mod validate;
mod watch;

pub use callback::{Scheduled as ScheduledWebhook, Settings as CallbackSettings};
/// A chaos rule for [`ServeConfig::chaos`]: `"rate=0.2,statuses=503".parse::<ChaosRule>()`.
pub use chaos::ChaosRule;
pub use contract::{BUNDLED_SPECS, Contract, FixturePaths, SpecPaths};
pub use fixtures::{
    CheckReport, FixtureSource, FixtureStore, SequenceCursors, check as check_fixtures,
};
pub use journal::MinCoverage;
pub use journal::{
    CallbackInfo, Count, Coverage, CoverageSummary, JournalEntry, JournalLimits, OperationCoverage,
    Pairs, Timestamp, Unrouted, Verification, VerifyResult,
};
pub use limits::Limits;
pub use mock_server::MockServer;
pub use pipeline::{Outcome, PipelineOptions, Runtime, Step, Upstream, run, run_with, step};
pub use problem::{Problem, ProblemKind};
pub use report::ReportPaths;
pub use request::Request;
pub use respond::{Answer, RespondOptions};
pub use route::{RouteTable, Routed};
pub use server::start;
pub use server::{RecordConfig, RunningServer, ServeConfig, TlsSource};
pub use spec::{LoadError, LoadErrors, LoadOptions};
pub use usage::FieldCoverage;
pub use validate::{Checked, RequestBody, ValidateOptions, Violation, validate};
