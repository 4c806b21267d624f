//! Security: a requirement added where there was none, an alternative a
//! client may have used gone (or its scheme changed), one added.

use super::Pair;
use crate::diff::{Severity, Touch, op_loc, op_security};
use crate::spec::{SecurityRequirement, SecurityScheme};

fn scheme(s: &SecurityScheme) -> String {
    match s {
        SecurityScheme::ApiKey { name, location, .. } => {
            format!("API key {} {name}", location.as_str())
        }
        SecurityScheme::Bearer => "bearer".into(),
        SecurityScheme::Basic => "basic".into(),
        SecurityScheme::Http { scheme } => format!("http {scheme}"),
        SecurityScheme::MutualTls => "mutual TLS".into(),
    }
}

/// One alternative as words: `bearerAuth (bearer) + key (API key header x-key)`.
fn alternative(r: &SecurityRequirement) -> String {
    let mut parts: Vec<String> = r
        .schemes
        .iter()
        .map(|(n, s)| format!("{n} ({})", scheme(s)))
        .collect();
    parts.sort();
    parts.join(" + ")
}

/// Compare the security requirements of a pair.
pub fn compare(p: &mut Pair) {
    let old: Vec<String> = op_security(p.old).iter().map(alternative).collect();
    let new: Vec<String> = op_security(p.new).iter().map(alternative).collect();
    let (ol, nl) = (op_loc(p.old).clone(), op_loc(p.new).clone());
    let show = |v: &[String]| {
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join(" or ")
        }
    };
    if old.is_empty() && !new.is_empty() {
        let msg = format!("security is added: requests now need {}", show(&new));
        p.push(
            "api-security-added",
            Severity::Breaking,
            Touch::Operation,
            Some(&ol),
            Some(&nl),
            msg,
        );
        return;
    }
    if !old.is_empty() && new.is_empty() {
        let msg = format!("security is removed (was {})", show(&old));
        p.push(
            "api-security-removed",
            Severity::NonBreaking,
            Touch::Operation,
            Some(&ol),
            Some(&nl),
            msg,
        );
        return;
    }
    for gone in old.iter().filter(|a| !new.contains(a)) {
        let msg = format!(
            "security alternative {gone} is gone: NEW accepts {}",
            show(&new)
        );
        p.push(
            "api-security-changed",
            Severity::Breaking,
            Touch::Operation,
            Some(&ol),
            Some(&nl),
            msg,
        );
    }
    for extra in new.iter().filter(|a| !old.contains(a)) {
        let msg = format!("security alternative {extra} is added");
        p.push(
            "api-security-alternative-added",
            Severity::NonBreaking,
            Touch::Operation,
            Some(&ol),
            Some(&nl),
            msg,
        );
    }
}
