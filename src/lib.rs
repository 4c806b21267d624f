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
//! let server = specmock::server::start(contract, &config).await.unwrap();
//! println!("mocking on {}", server.url());
//!
//! // The route table answers without a network round trip too.
//! let contract = server.state().contract.load();
//! let routed = contract
//!     .routes()
//!     .route(&hyper::Method::POST, "/v2/tokens/tok1/regenerate")
//!     .unwrap();
//! assert_eq!(routed.operation.operation_id, "regenerateAPIToken");
//! server.shutdown().await;
//! # }
//! ```
//!
//! A request flows one way through the pipeline: [`route`] → validate →
//! [`respond`] → record. Each stage is a module with one job.

pub mod admin;
pub mod app;
pub mod cli;
pub mod clock;
pub mod contract;
pub mod cors;
pub mod delivery;
pub mod fixtures;
pub mod idle;
pub mod journal;
pub mod limits;
pub mod logline;
pub mod media;
pub mod mock_server;
pub mod pipeline;
pub mod problem;
pub mod record;
pub mod redact;
pub mod report;
pub mod request;
pub mod respond;
pub mod route;
pub mod server;
pub mod spec;
pub mod state;
pub mod validate;
pub mod watch;

pub use contract::{BUNDLED_SPECS, Contract, SpecPaths};
pub use journal::{Coverage, JournalEntry, Verification};
pub use mock_server::MockServer;
pub use server::{RunningServer, ServeConfig};
