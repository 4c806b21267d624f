//! Field usage: which parameters, body properties, enum values and
//! `oneOf`/`anyOf` branches of each operation the consumer's requests and
//! the answers used. The [`Catalog`] of an operation is built once (on
//! first use, from the generation plans); each exchange is walked against
//! it ([`Catalog::observe_request`], and the response in [`Usage::record`],
//! which walks a distinct body once) and counted beside the journal.

mod catalog;
mod counts;
mod observe;

pub use catalog::Catalog;
pub use counts::{FieldCoverage, Served, Usage};
pub use observe::Hits;

#[cfg(test)]
mod tests;
