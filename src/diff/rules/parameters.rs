//! Parameters: added as required, removed, moved to another `in`, renamed,
//! made required, and their schemas narrowed (the schema walk, on the
//! parameter's value). Path parameters are matched by position, so a
//! renamed `{id}` -> `{petId}` is the same parameter (and only worth an info).

use super::schema::{self, Side};
use super::{Pair, field};
use crate::diff::{Severity, Touch, op_parameters, op_path};
use crate::spec::{ParamIn, Parameter};

/// The field name of a parameter: `<in>/<name>`, header names lower-cased.
pub fn field_name(p: &Parameter) -> String {
    let name = if p.location == ParamIn::Header {
        p.name.to_ascii_lowercase()
    } else {
        p.name.clone()
    };
    format!("{}/{name}", p.location.as_str())
}

fn same(a: &Parameter, b: &Parameter) -> bool {
    a.location == b.location
        && if a.location == ParamIn::Header {
            a.name.eq_ignore_ascii_case(&b.name)
        } else {
            a.name == b.name
        }
}

/// The names of a template's parameters, in order.
fn template_names(path: &str) -> Vec<&str> {
    path.split('/')
        .filter_map(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .collect()
}

/// The schema of a parameter's value, as the model keeps it.
fn schema_of(p: &Parameter) -> Option<&crate::spec::Loc> {
    p.schema.as_ref().map(|s| &s.loc)
}

/// The schema a parameter declares, resolved, to tell a rename from a
/// removal plus an unrelated addition.
fn schema_value<'a>(
    files: &'a crate::spec::FileSet,
    p: &Parameter,
) -> Option<&'a serde_json::Value> {
    files.deref(schema_of(p)?).ok().map(|(_, v)| v)
}

/// Compare the parameters of a pair.
pub fn compare(p: &mut Pair) {
    let old: Vec<Parameter> = op_parameters(p.old).to_vec();
    let new: Vec<Parameter> = op_parameters(p.new).to_vec();
    // Path parameters by position.
    let (on, nn) = (
        template_names(op_path(p.old)),
        template_names(op_path(p.new)),
    );
    let mut pairs: Vec<(&Parameter, &Parameter)> = Vec::new();
    for (a, b) in on.iter().zip(&nn) {
        let (Some(op), Some(np)) = (
            old.iter()
                .find(|x| x.location == ParamIn::Path && x.name == *a),
            new.iter()
                .find(|x| x.location == ParamIn::Path && x.name == *b),
        ) else {
            continue;
        };
        if a != b {
            let msg = format!(
                "path parameter {{{a}}} is renamed {{{b}}} (same position: requests are unchanged)"
            );
            p.push(
                "request-path-parameter-renamed",
                Severity::Info,
                field(field_name(op)),
                Some(&op.loc),
                Some(&np.loc),
                msg,
            );
        }
        pairs.push((op, np));
    }
    let others_old: Vec<&Parameter> = old.iter().filter(|x| x.location != ParamIn::Path).collect();
    let others_new: Vec<&Parameter> = new.iter().filter(|x| x.location != ParamIn::Path).collect();
    let mut removed: Vec<&Parameter> = Vec::new();
    let mut taken: Vec<&Parameter> = Vec::new();
    for op in &others_old {
        if let Some(np) = others_new.iter().find(|x| same(op, x)) {
            pairs.push((op, np));
            taken.push(np);
        } else if let Some(np) = others_new.iter().find(|x| {
            x.name.eq_ignore_ascii_case(&op.name) && !others_old.iter().any(|o| same(o, x))
        }) {
            let msg = format!(
                "parameter {} moved from {} to {}",
                op.name,
                op.location.as_str(),
                np.location.as_str()
            );
            p.push(
                "request-parameter-moved",
                Severity::Breaking,
                field(field_name(op)),
                Some(&op.loc),
                Some(&np.loc),
                msg,
            );
            taken.push(np);
        } else {
            removed.push(op);
        }
    }
    let mut added: Vec<&Parameter> = others_new
        .iter()
        .copied()
        .filter(|x| !taken.iter().any(|t| std::ptr::eq(*t, *x)))
        .collect();
    // A rename: the one parameter removed from a location, and the one added
    // to it, with the same schema.
    removed.retain(|op| {
        let in_loc = |v: &Vec<&Parameter>| v.iter().filter(|x| x.location == op.location).count();
        let candidates: Vec<&Parameter> = added
            .iter()
            .copied()
            .filter(|x| x.location == op.location)
            .collect();
        if in_loc(&removed_snapshot(&others_old, &others_new, op.location)) != 1
            || candidates.len() != 1
        {
            return true;
        }
        let np = candidates[0];
        if schema_value(&p.old_doc.files, op) != schema_value(&p.new_doc.files, np) {
            return true;
        }
        let msg = format!(
            "{} parameter {} is renamed {}",
            op.location.as_str(),
            op.name,
            np.name
        );
        p.push(
            "request-parameter-renamed",
            Severity::Breaking,
            field(field_name(op)),
            Some(&op.loc),
            Some(&np.loc),
            msg,
        );
        added.retain(|x| !std::ptr::eq(*x, np));
        false
    });
    for op in removed {
        let msg = format!("{} parameter {} is removed", op.location.as_str(), op.name);
        p.push(
            "request-parameter-removed",
            Severity::Breaking,
            field(field_name(op)),
            Some(&op.loc),
            None,
            msg,
        );
    }
    for np in added {
        let f = field_name(np);
        if np.required {
            let msg = format!(
                "{} parameter {} is added as required",
                np.location.as_str(),
                np.name
            );
            p.push(
                "new-required-request-parameter",
                Severity::Breaking,
                Touch::Missing { field: f },
                None,
                Some(&np.loc),
                msg,
            );
        } else {
            let msg = format!(
                "{} parameter {} is added (optional)",
                np.location.as_str(),
                np.name
            );
            p.push(
                "new-optional-request-parameter",
                Severity::NonBreaking,
                field(f),
                None,
                Some(&np.loc),
                msg,
            );
        }
    }
    for (op, np) in pairs {
        let f = field_name(op);
        if !op.required && np.required {
            let msg = format!(
                "{} parameter {} became required",
                op.location.as_str(),
                op.name
            );
            p.push(
                "request-parameter-became-required",
                Severity::Breaking,
                Touch::Missing { field: f.clone() },
                Some(&op.loc),
                Some(&np.loc),
                msg,
            );
        }
        if let (Some(a), Some(b)) = (schema_of(op), schema_of(np)) {
            schema::compare(p, Side::Parameter, a, b, &f);
        }
    }
}

/// The OLD parameters of one location that NEW has no parameter of the same name for.
fn removed_snapshot<'a>(
    old: &[&'a Parameter],
    new: &[&'a Parameter],
    at: ParamIn,
) -> Vec<&'a Parameter> {
    old.iter()
        .copied()
        .filter(|o| o.location == at && !new.iter().any(|n| n.name.eq_ignore_ascii_case(&o.name)))
        .collect()
}
