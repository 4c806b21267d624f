//! Responses: a status removed, a media type removed, a header removed or
//! made optional, and the schema of each media type both sides declare.

use super::Pair;
use super::schema::{self, Side};
use crate::diff::{Severity, Touch, op_responses};
use crate::spec::{Response, StatusKey};

fn status(key: StatusKey) -> Touch {
    Touch::Status {
        status: key.to_string(),
    }
}

/// Compare the responses of a pair.
pub fn compare(p: &mut Pair) {
    let old: Vec<Response> = op_responses(p.old).to_vec();
    let new: Vec<Response> = op_responses(p.new).to_vec();
    for or in &old {
        let key = or.status;
        let Some(nr) = new.iter().find(|r| r.status == key) else {
            let success = matches!(key, StatusKey::Code(200..=299) | StatusKey::Range(2));
            let rule = if success {
                "response-success-status-removed"
            } else {
                "response-non-success-status-removed"
            };
            let msg = format!("response {key} is removed");
            p.push(
                rule,
                Severity::Breaking,
                status(key),
                Some(&or.loc),
                None,
                msg,
            );
            continue;
        };
        for om in &or.content {
            let at = or.loc.child("content").child(&om.media_type);
            let Some(nm) = nr
                .content
                .iter()
                .find(|m| m.media_type.eq_ignore_ascii_case(&om.media_type))
            else {
                let msg = format!("response {key}: media type {} is removed", om.media_type);
                p.push(
                    "response-media-type-removed",
                    Severity::Breaking,
                    status(key),
                    Some(&at),
                    Some(&nr.loc),
                    msg,
                );
                continue;
            };
            if let (Some(a), Some(b)) = (&om.schema, &nm.schema) {
                schema::compare(
                    p,
                    Side::Response,
                    &a.loc,
                    &b.loc,
                    &format!("response/{key}"),
                );
            }
        }
        for oh in &or.headers {
            let hat = or.loc.child("headers").child(&oh.name);
            match nr
                .headers
                .iter()
                .find(|h| h.name.eq_ignore_ascii_case(&oh.name))
            {
                None => {
                    let msg = format!("response {key}: header {} is removed", oh.name);
                    p.push(
                        "response-header-removed",
                        Severity::Breaking,
                        status(key),
                        Some(&hat),
                        Some(&nr.loc),
                        msg,
                    );
                }
                Some(nh) if oh.required && !nh.required => {
                    let nat = nr.loc.child("headers").child(&nh.name);
                    let msg = format!("response {key}: header {} became optional", oh.name);
                    p.push(
                        "response-header-became-optional",
                        Severity::Breaking,
                        status(key),
                        Some(&hat),
                        Some(&nat),
                        msg,
                    );
                }
                Some(_) => {}
            }
        }
        for nh in nr.headers.iter().filter(|h| {
            !or.headers
                .iter()
                .any(|o| o.name.eq_ignore_ascii_case(&h.name))
        }) {
            let nat = nr.loc.child("headers").child(&nh.name);
            let msg = format!("response {key}: header {} is added", nh.name);
            p.push(
                "response-header-added",
                Severity::Info,
                status(key),
                Some(&or.loc),
                Some(&nat),
                msg,
            );
        }
    }
    for nr in new
        .iter()
        .filter(|r| !old.iter().any(|o| o.status == r.status))
    {
        let msg = format!("response {} is added", nr.status);
        p.push(
            "response-status-added",
            Severity::NonBreaking,
            status(nr.status),
            None,
            Some(&nr.loc),
            msg,
        );
    }
}
