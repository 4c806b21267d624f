//! The consumer's answer to a callback or webhook, against the responses
//! the callback declares: outside them is a violation of the contract, as
//! an upstream's answer is when recording.

use bytes::Bytes;
use hyper::HeaderMap;
use hyper::header::CONTENT_TYPE;

use crate::spec::Operation;
use crate::validate::{ResponseBody, ResponseViolation, Violation, ViolationKind, check_response};

/// How the consumer's answer broke the callback's declared responses,
/// worded for the consumer (`answer.status`, `answer.body/...`).
pub fn answer_violations(
    op: &Operation,
    status: u16,
    headers: &HeaderMap,
    body: &Bytes,
) -> Vec<Violation> {
    let ct = headers
        .get(CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    let checked = check_response(op, status, Some(ct), ResponseBody::Raw(body));
    checked
        .violations
        .into_iter()
        .map(|v| {
            let message = match &v {
                ResponseViolation::UndeclaredStatus { declared } => format!(
                    "the consumer answered {status}, which {} does not declare ({})",
                    op.display_id(),
                    declared.join(", ")
                ),
                ResponseViolation::UnexpectedBody => {
                    format!("{status} is declared with no content, but the consumer sent a body")
                }
                ResponseViolation::UndeclaredMediaType {
                    content_type,
                    declared,
                } => format!(
                    "the consumer sent \"{content_type}\"; {status} declares {}",
                    declared.join(", ")
                ),
                ResponseViolation::NotJson => "the consumer's body is not valid JSON".to_string(),
                ResponseViolation::Schema { message, .. } => message.clone(),
            };
            let location = v.location().replacen("response", "answer", 1);
            Violation::new(ViolationKind::Body, location, message)
        })
        .collect()
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
