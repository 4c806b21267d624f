//! What the plans found at load about a document's responses: schemas no
//! body can be generated for. The contract adds these to the document's
//! warnings (`validate` fails, `serve` logs) once, when it builds the plans.

use super::plan::Plans;
use crate::spec::{Direction, Document, LoadError};

/// Every response media type whose schema no value can be generated for
/// (the plans' analysis says why): a warning when it has no example, since
/// `serve` then answers such a request 500 (an error for `validate`); a
/// notice when it has one, which is what is served.
pub fn load_findings(doc: &Document, plans: &Plans) -> (Vec<LoadError>, Vec<LoadError>) {
    let files = &doc.files;
    let (mut warnings, mut notices) = (Vec::new(), Vec::new());
    for op in doc.operations.iter().filter(|o| o.unavailable.is_none()) {
        for r in &op.responses {
            for m in &r.content {
                let Some(schema) = &m.schema else { continue };
                let Some(why) = plans.ungeneratable(&schema.loc, Direction::Response) else {
                    continue;
                };
                let at = r.loc.child("content").child(&m.media_type);
                let what = format!(
                    "{} {} ({}) {} {}: no body can be generated for this schema: {why}",
                    op.method, op.path, op.operation_id, r.status, m.media_type
                );
                if m.examples.is_empty() {
                    warnings.push(files.error(&at, what).hint(
                        "serve answers it 500; give the response an example or fix the schema",
                    ));
                } else {
                    notices.push(files.error(&at, format!(
                        "{what}; its example is served (--dynamic or Prefer: dynamic=true answers 500)"
                    )));
                }
            }
        }
    }
    (warnings, notices)
}
