//! Operations and paths: removed, added, a method removed, the base path
//! the operations are served under, the operationId.

use super::Pair;
use crate::diff::{Change, Severity, Touch, at, describe, op_id, op_id_derived, op_loc};
use crate::spec::{Document, Operation};

/// An OLD operation NEW does not have (`api-path-removed`, `api-method-removed`).
pub fn removed(doc: &Document, op: &Operation, rule: &'static str, why: &str) -> Change {
    Change {
        rule,
        severity: Severity::Breaking,
        operation: describe(op),
        old_op: Some(op.qualified_id()),
        old_doc: Some(doc.name.clone()),
        old: Some(at(doc, op_loc(op))),
        new: None,
        message: format!("the operation is removed: {why}"),
        touches: Touch::Operation,
        used_by: Vec::new(),
    }
}

/// A NEW operation OLD did not have.
pub fn added(doc: &Document, op: &Operation) -> Change {
    Change {
        rule: "api-operation-added",
        severity: Severity::NonBreaking,
        operation: describe(op),
        old_op: None,
        old_doc: None,
        old: None,
        new: Some(at(doc, op_loc(op))),
        message: "a new operation".into(),
        touches: Touch::Operation,
        used_by: Vec::new(),
    }
}

/// The base path every operation is served under changed (`/v1` -> `/v2`):
/// one change for the document, used when any of its operations is.
pub fn base_path(old: &Document, new: &Document) -> Option<Change> {
    if old.base_path == new.base_path {
        return None;
    }
    let show = |p: &str| {
        if p.is_empty() {
            "/".to_string()
        } else {
            p.to_string()
        }
    };
    let loc = crate::spec::Loc::new(old.files.root.clone(), "/servers/0/url");
    let nloc = crate::spec::Loc::new(new.files.root.clone(), "/servers/0/url");
    Some(Change {
        rule: "api-base-path-changed",
        severity: Severity::Breaking,
        operation: format!("document {}", old.name),
        old_op: None,
        old_doc: Some(old.name.clone()),
        old: Some(at(old, &loc)),
        new: Some(at(new, &nloc)),
        message: format!(
            "every operation moved from base path {} to {}",
            show(&old.base_path),
            show(&new.base_path)
        ),
        touches: Touch::Operation,
        used_by: Vec::new(),
    })
}

/// What belongs to the operation itself: its operationId.
pub fn operation(p: &mut Pair) {
    if op_id(p.old) != op_id(p.new) && !(op_id_derived(p.old) && op_id_derived(p.new)) {
        let message = format!(
            "operationId {} is now {} (generated clients rename the method)",
            op_id(p.old),
            op_id(p.new)
        );
        p.push(
            "api-operation-id-changed",
            Severity::Info,
            Touch::Operation,
            Some(op_loc(p.old)),
            Some(op_loc(p.new)),
            message,
        );
    }
}
