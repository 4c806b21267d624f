//! A form or multipart request body's `encoding`: how each field is
//! serialised, read once at load into [`FieldEncoding`]s.

use serde_json::Value;

use super::LoadError;
use super::model::{FieldEncoding, Style};
use super::refs::{FileSet, Loc};

/// The encodings declared on the media type at `mloc` (`media` is its value).
/// A style the form media types cannot use is a warning, read as `form`.
pub(super) fn read(
    files: &FileSet,
    mloc: &Loc,
    media: &Value,
    warnings: &mut Vec<LoadError>,
) -> Vec<(String, FieldEncoding)> {
    let Some(map) = media.get("encoding").and_then(Value::as_object) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (name, e) in map {
        let eloc = mloc.child("encoding").child(name);
        let Some(obj) = e.as_object() else {
            warnings.push(files.error(&eloc, "an encoding must be an object; ignored"));
            continue;
        };
        let style = match obj.get("style").and_then(Value::as_str) {
            None | Some("form") => Style::Form,
            Some("spaceDelimited") => Style::SpaceDelimited,
            Some("pipeDelimited") => Style::PipeDelimited,
            Some("deepObject") => Style::DeepObject,
            Some(other) => {
                warnings.push(files.error(
                    &eloc.child("style"),
                    format!(
                        "style \"{other}\" is not one a form field can use (form, spaceDelimited, pipeDelimited, deepObject); read as form"
                    ),
                ));
                Style::Form
            }
        };
        let flag = |key: &str| obj.get(key).and_then(Value::as_bool);
        out.push((
            name.clone(),
            FieldEncoding {
                styled: ["style", "explode", "allowReserved"]
                    .iter()
                    .any(|k| obj.contains_key(*k)),
                style,
                explode: flag("explode").unwrap_or(style == Style::Form),
                tab_separated: obj
                    .get("x-specmock-collection-format")
                    .and_then(Value::as_str)
                    == Some("tsv"),
                allow_reserved: flag("allowReserved").unwrap_or(false),
                allow_empty: flag("allowEmptyValue").unwrap_or(true),
                json: obj
                    .get("contentType")
                    .and_then(Value::as_str)
                    .is_some_and(|ct| ct.split(',').any(crate::media::is_json)),
            },
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn read_one(encoding: Value) -> (FieldEncoding, Vec<LoadError>) {
        let media = json!({"encoding": {"f": encoding}});
        let files = FileSet::new("t.yaml", "t.yaml", None, media.clone());
        let mut warnings = Vec::new();
        let mut got = read(&files, &Loc::new("t.yaml", ""), &media, &mut warnings);
        (got.remove(0).1, warnings)
    }

    #[test]
    fn defaults_follow_the_style() {
        let (e, w) = read_one(json!({"style": "deepObject"}));
        assert!(w.is_empty());
        assert!(e.styled && !e.explode && !e.allow_reserved && e.allow_empty);
        let (e, _) = read_one(json!({"contentType": "text/plain, application/json"}));
        assert!(!e.styled && e.explode && e.json);
        let (e, _) = read_one(json!({"allowReserved": true, "allowEmptyValue": false}));
        assert!(e.styled && e.allow_reserved && !e.allow_empty);
    }

    #[test]
    fn a_path_style_is_a_warning() {
        let (e, w) = read_one(json!({"style": "matrix"}));
        assert_eq!(e.style, Style::Form);
        assert!(w[0].to_string().contains("matrix"), "{:?}", w);
    }
}
