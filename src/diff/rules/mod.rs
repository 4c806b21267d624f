//! The rules, one file per family. Each compares one part of an OLD
//! operation with its NEW match and pushes [`Change`]s onto the [`Pair`].

pub mod parameters;
pub mod paths;
pub mod request_body;
pub mod responses;
pub mod schema;
pub mod security;

use super::{Change, Severity, Touch, at, describe};
use crate::spec::{Document, Loc, Operation};

/// An OLD operation and its NEW match, and the changes found between them.
pub struct Pair<'a> {
    /// OLD's document.
    pub old_doc: &'a Document,
    /// NEW's document.
    pub new_doc: &'a Document,
    /// The OLD operation.
    pub old: &'a Operation,
    /// The NEW operation.
    pub new: &'a Operation,
    /// What was found.
    pub changes: Vec<Change>,
}

impl<'a> Pair<'a> {
    /// A pair with nothing found yet.
    pub fn new(
        old_doc: &'a Document,
        new_doc: &'a Document,
        old: &'a Operation,
        new: &'a Operation,
    ) -> Pair<'a> {
        Pair {
            old_doc,
            new_doc,
            old,
            new,
            changes: Vec::new(),
        }
    }

    /// Run every rule family.
    pub fn compare(&mut self) {
        paths::operation(self);
        security::compare(self);
        parameters::compare(self);
        request_body::compare(self);
        responses::compare(self);
    }

    /// Record a change at these places.
    pub fn push(
        &mut self,
        rule: &'static str,
        severity: Severity,
        touches: Touch,
        old: Option<&Loc>,
        new: Option<&Loc>,
        message: String,
    ) {
        self.changes.push(Change {
            rule,
            severity,
            operation: describe(self.old),
            old_op: Some(self.old.qualified_id()),
            old_doc: Some(self.old_doc.name.clone()),
            old: old.map(|l| at(self.old_doc, l)),
            new: new.map(|l| at(self.new_doc, l)),
            message,
            touches,
            used_by: Vec::new(),
        });
    }
}

/// Touch one field.
pub fn field(name: impl Into<String>) -> Touch {
    Touch::Field { field: name.into() }
}
