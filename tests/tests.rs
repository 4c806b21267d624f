//! The one integration-test binary (ripgrep's layout): every end-to-end suite
//! is a module here, sharing the helpers in `common`, so the test build links
//! once instead of once per file.

mod common;

mod adoption;
mod architecture;
mod browser;
mod bundled_bodies;
mod callbacks;
mod chaos;
mod ci;
mod diff;
mod examples;
mod export;
mod field_coverage;
mod formats;
mod forms;
mod foundation;
mod frontend;
mod generation;
mod har;
mod hardening;
mod messages;
mod partial;
mod playback;
mod postman;
mod prism_rules;
mod real_documents;
mod record;
mod responses;
mod rust_api;
mod stateful;
mod tls;
mod validation;
mod watch;

/// The Rust test-API example a consumer would copy (`examples/rust/`).
#[path = "../examples/rust/contract_test.rs"]
mod example_rust;
