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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::spec::load_document;
    use serde_json::json;

    fn refused(v: Value) -> String {
        let src = SpecSource::from_text("c.json", v.to_string());
        match load_document(&src) {
            Err(e) => e.0[0].to_string(),
            Ok(_) => panic!("{v} loaded"),
        }
    }

    #[test]
    fn other_postman_files_are_refused_saying_what_to_do() {
        let e = refused(
            json!({"info": {"name": "x", "schema": "https://schema.getpostman.com/json/collection/v1.0.0/collection.json"}, "item": []}),
        );
        assert!(
            e.contains("#/info/schema") && e.contains("export the collection as v2.1"),
            "{e}"
        );
        let e = refused(json!({"id": "1", "name": "old", "order": [], "requests": []}));
        assert!(e.contains("Collection v1 export is not read"), "{e}");
        let e = refused(json!({"name": "dev", "values": []}));
        assert!(e.contains("--postman-env FILE"), "{e}");
    }

    #[test]
    fn an_empty_collection_is_a_document_without_operations() {
        let v = json!({"info": {"name": "Empty", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"}, "item": []});
        let doc = load_document(&SpecSource::from_text("e.json", v.to_string())).unwrap();
        assert_eq!(doc.title, "Empty");
        assert!(doc.operations.is_empty());
        // A non-Postman `info.schema` is left to the OpenAPI reader.
        let v = json!({"openapi": "3.0.3", "info": {"title": "t", "version": "1", "schema": "x"}, "paths": {}});
        assert!(load_document(&SpecSource::from_text("o.json", v.to_string())).is_ok());
    }

    #[test]
    fn secret_values_stay_out_of_the_converted_document() {
        let dir = tempfile::tempdir().unwrap();
        let env = dir.path().join("env.json");
        let values = json!({"name": "e", "values": [
            {"key": "apiKey", "value": "env-api-key-value", "enabled": true},
            {"key": "pin", "value": "env-pin-value", "type": "secret", "enabled": true},
            {"key": "password", "value": "env-password-value", "enabled": true},
            {"key": "host", "value": "https://x.test", "enabled": true}
        ]});
        std::fs::write(&env, values.to_string()).unwrap();
        let c = json!({
            "info": {"name": "S", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [{"name": "Login", "request": {
                "method": "POST",
                "url": "{{host}}/login?pin={{pin}}",
                "header": [{"key": "X-Api-Key", "value": "{{apiKey}}"}, {"key": "X-Session-Token", "value": "literal-session-value"}],
                "body": {"mode": "raw", "raw": "{\"user\": \"ada\", \"password\": \"{{password}}\"}"}
            }, "response": [{"name": "ok", "code": 200,
                "header": [{"key": "Set-Cookie", "value": "sid=literal-cookie-value"}], "body": "{}"}]}]
        });
        let mut src = SpecSource::from_text("s.json", c.to_string());
        src.options.postman_env = vec![env];
        let (doc, _) = as_openapi(&src, &c).unwrap().unwrap();
        let text = doc.to_string();
        for secret in [
            "env-api-key-value",
            "env-pin-value",
            "env-password-value",
            "literal-session-value",
            "literal-cookie-value",
        ] {
            assert!(!text.contains(secret), "{secret} in {text}");
        }
        assert!(text.contains("https://x.test"), "{text}");
    }

    #[test]
    fn same_method_and_template_merge_and_ids_stay_unique() {
        let v = json!({
            "info": {"name": "M", "schema": "https://schema.getpostman.com/json/collection/v2.1.0/collection.json"},
            "item": [
                {"name": "Get", "request": {"method": "GET", "url": "http://x.test/a/:id"}},
                {"name": "Get", "request": {"method": "GET", "url": "http://x.test/a/:other"}},
                {"name": "Get", "request": {"method": "GET", "url": "http://x.test/b"}},
                {"name": "Purge", "request": {"method": "PURGE", "url": "http://x.test/b"}},
                {"name": "Put", "request": {"method": "PUT", "url": "http://x.test/a/{{third}}"}}
            ]
        });
        let doc = load_document(&SpecSource::from_text("m.json", v.to_string())).unwrap();
        let ids: Vec<&str> = doc
            .operations
            .iter()
            .map(|o| o.operation_id.as_str())
            .collect();
        assert_eq!(ids, ["get", "put", "get-b"]);
        // Another method on the same shape takes the first one's template names.
        let paths: Vec<&str> = doc.operations.iter().map(|o| o.path.as_str()).collect();
        assert_eq!(paths, ["/a/{id}", "/a/{id}", "/b"]);
        assert!(
            doc.notices
                .iter()
                .any(|n| n.message.contains("method PURGE")),
            "{:?}",
            doc.notices
        );
    }
}
