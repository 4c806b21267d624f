//! Postman Collections (v2.0 and v2.1, JSON) read as documents. A collection
//! is recognised by content (`info.schema` naming the collection format) and
//! converted into an OpenAPI 3.0.3 document that the normal loader reads,
//! so every command treats it like any other. What a collection cannot say
//! in OpenAPI terms (scripts, auth types specmock does not check) is a
//! notice naming the item, never an error.

mod auth;
mod body;
mod convert;
mod document;
mod infer;
mod url;
mod variables;

use serde_json::Value;

use super::{LoadError, LoadErrors, SpecSource};

/// What kind of Postman file a value is.
enum Kind {
    /// A collection of a version read here.
    Collection,
    /// A collection of another version (`info.schema` says which).
    OtherCollection(String),
    /// A Postman Collection v1 export (`requests` and `order`).
    V1,
    /// An environment file (`values`), given where a document was expected.
    Environment,
}

/// Schema URLs name the format as `.../json/collection/vX.Y.Z/...`.
fn kind(v: &Value) -> Option<Kind> {
    if let Some(schema) = v.pointer("/info/schema").and_then(Value::as_str) {
        let lower = schema.to_ascii_lowercase();
        if !(lower.contains("getpostman.com") || lower.contains("postman.com")) {
            return None;
        }
        let version = lower
            .split("/collection/")
            .nth(1)
            .and_then(|rest| rest.split('/').next())
            .unwrap_or("");
        return Some(
            if version.starts_with("v2.0.") || version.starts_with("v2.1.") {
                Kind::Collection
            } else {
                Kind::OtherCollection(schema.to_string())
            },
        );
    }
    if v.get("openapi").is_some() || v.get("swagger").is_some() {
        return None;
    }
    if v.get("requests").is_some_and(Value::is_array) && v.get("order").is_some() {
        return Some(Kind::V1);
    }
    if v.get("values").is_some_and(Value::is_array)
        && (v.get("_postman_variable_scope").is_some() || v.get("name").is_some())
    {
        return Some(Kind::Environment);
    }
    None
}

/// A collection as an OpenAPI document and the notices about what did not
/// carry over; `None` when the value is no Postman file.
pub(super) fn as_openapi(
    src: &SpecSource,
    value: &Value,
) -> Result<Option<(Value, Vec<LoadError>)>, LoadErrors> {
    let display = src.display.as_str();
    match kind(value) {
        None => Ok(None),
        Some(Kind::Environment) => Err(LoadError::new(
            display,
            "this is a Postman environment, not a collection or an OpenAPI document",
        )
        .hint("give it with --postman-env FILE next to the collection that uses it")
        .into()),
        Some(Kind::V1) => Err(LoadError::new(
            display,
            "a Postman Collection v1 export is not read",
        )
        .hint("export the collection again from Postman as Collection v2.1")
        .into()),
        Some(Kind::OtherCollection(schema)) => Err(LoadError::new(
            display,
            format!("Postman collection format {schema} is not read"),
        )
        .at("#/info/schema")
        .hint("specmock reads Collection v2.0 and v2.1; export the collection as v2.1")
        .into()),
        Some(Kind::Collection) => {
            let mut vars = variables::Variables::default();
            vars.add_list(value.get("variable"));
            let errors: Vec<LoadError> = src
                .options
                .postman_env
                .iter()
                .filter_map(|env| vars.add_environment(env).err())
                .collect();
            if !errors.is_empty() {
                return Err(LoadErrors(errors));
            }
            let mut walk = convert::Walk::new(display, vars);
            walk.collection(value);
            let doc = document::openapi(value, &walk, &src.name);
            Ok(Some((doc, walk.notices)))
        }
    }
}
