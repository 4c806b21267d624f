//! Export what the consumer used: the exchanges that kept the contract as a
//! Pact v4 file, and the used part of the documents as an OpenAPI subset.
//!
//! Both read the JSON report (its `operations` and `interactions`), whether
//! it comes from a file (`specmock export ... --report FILE`) or from a
//! running server (`GET /__specmock/export/...`, `MockServer`, through
//! `report::live_report`): one input, so the file and the live answer agree.
//! The report reads [`interactions`] from here; nothing here reads the
//! report module back.

mod interactions;
mod matchers;
mod openapi;
mod pact;

pub use interactions::interactions;

use serde_json::Value;

use crate::contract::Contract;

/// Who the Pact is between.
#[derive(Debug, Clone)]
pub struct Names {
    /// The consumer: the application whose tests made the requests.
    pub consumer: String,
    /// The provider: the API the documents describe.
    pub provider: String,
}

impl Default for Names {
    fn default() -> Self {
        Names {
            consumer: "consumer".into(),
            provider: "provider".into(),
        }
    }
}

/// Why an export could not be made, in words that say what to do.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ExportError(pub String);

/// A Pact v4 file from a JSON report.
pub fn pact(contract: &Contract, report: &Value, names: &Names) -> Result<Value, ExportError> {
    let list = report["interactions"].as_array().ok_or_else(|| {
        ExportError(
            "the report has no \"interactions\" array: write it with this specmock's --report-json"
                .into(),
        )
    })?;
    pact::pact(contract, list, names)
}

/// The OpenAPI subset of one document that the report's requests used;
/// `document` picks one when several were used.
pub fn openapi(
    contract: &Contract,
    report: &Value,
    document: Option<&str>,
) -> Result<Value, ExportError> {
    openapi::subset(contract, report, document)
}

/// The provider a report's interactions talked to: the document of the
/// first of them (documents are named after their files).
pub fn provider_name(contract: &Contract, report: &Value) -> Option<String> {
    report["interactions"]
        .as_array()?
        .iter()
        .find_map(|i| contract.operation(i["operation"].as_str()?))
        .map(|op| op.document.clone())
}
