//! The consumer's answer to a callback or webhook, against the responses
//! the callback declares: outside them is a violation of the contract, as
//! an upstream's answer is when recording.

use bytes::Bytes;
use hyper::HeaderMap;

use crate::spec::Operation;
use crate::validate::response::Answerer;
use crate::validate::{Violation, ViolationKind};

/// How the consumer's answer broke the callback's declared responses,
/// worded for the consumer (`answer.status`, `answer.body/...`).
pub fn answer_violations(
    op: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: &Bytes,
) -> Vec<Violation> {
    let consumer = Answerer {
        name: "the consumer",
        body: "the consumer's body",
        location: "answer",
    };
    crate::validate::response::answer_violations(op, status, headers, body, consumer)
}

/// No answer at all (timeout, connection refused, too large): the
/// consumer's receiver did not keep the contract either.
pub fn no_answer(why: &str) -> Violation {
    Violation::new(
        ViolationKind::Body,
        "answer",
        format!("the consumer did not answer: {why}"),
    )
}
