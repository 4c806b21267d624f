//! The request body: added as required, made required, removed, a media
//! type removed, and the schema of each media type both sides declare.

use super::Pair;
use super::schema::{self, Side};
use crate::diff::{Severity, Touch, op_request_body};
use crate::spec::MediaType;

fn find<'a>(content: &'a [MediaType], media: &str) -> Option<&'a MediaType> {
    content
        .iter()
        .find(|m| m.media_type.eq_ignore_ascii_case(media))
}

/// Compare the request bodies of a pair.
pub fn compare(p: &mut Pair) {
    let (old, new) = (
        op_request_body(p.old).cloned(),
        op_request_body(p.new).cloned(),
    );
    match (old, new) {
        (None, None) => {}
        (None, Some(nb)) => {
            let (rule, sev, what) = if nb.required {
                (
                    "request-body-added-required",
                    Severity::Breaking,
                    "a required request body is added",
                )
            } else {
                (
                    "request-body-added-optional",
                    Severity::NonBreaking,
                    "an optional request body is added",
                )
            };
            p.push(
                rule,
                sev,
                Touch::Operation,
                None,
                Some(&nb.loc),
                what.to_string(),
            );
        }
        (Some(ob), None) => {
            let msg = "the request body is removed: NEW takes none".to_string();
            p.push(
                "request-body-removed",
                Severity::Breaking,
                Touch::Operation,
                Some(&ob.loc),
                None,
                msg,
            );
        }
        (Some(ob), Some(nb)) => {
            if !ob.required && nb.required {
                let msg = "the request body became required".to_string();
                p.push(
                    "request-body-became-required",
                    Severity::Breaking,
                    Touch::Operation,
                    Some(&ob.loc),
                    Some(&nb.loc),
                    msg,
                );
            }
            for om in &ob.content {
                let at = ob.loc.child("content").child(&om.media_type);
                let Some(nm) = find(&nb.content, &om.media_type) else {
                    let msg = format!("request media type {} is removed", om.media_type);
                    p.push(
                        "request-body-media-type-removed",
                        Severity::Breaking,
                        Touch::Operation,
                        Some(&at),
                        Some(&nb.loc),
                        msg,
                    );
                    continue;
                };
                if let (Some(a), Some(b)) = (&om.schema, &nm.schema) {
                    schema::compare(p, Side::Request, &a.loc, &b.loc, "request");
                }
            }
            for nm in nb
                .content
                .iter()
                .filter(|m| find(&ob.content, &m.media_type).is_none())
            {
                let at = nb.loc.child("content").child(&nm.media_type);
                let msg = format!("request media type {} is added", nm.media_type);
                p.push(
                    "request-body-media-type-added",
                    Severity::NonBreaking,
                    Touch::Operation,
                    Some(&ob.loc),
                    Some(&at),
                    msg,
                );
            }
        }
    }
}
