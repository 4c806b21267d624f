//! One pair of tiny documents per rule: the rule fires with its severity,
//! and names both places.

use super::{Severity, Touch, compare};
use crate::contract::Contract;
use crate::spec::SpecSource;

/// A document of one `/pets/{id}` operation whose body is `op` (YAML,
/// indented under the method), with `schemas` as its components.
fn doc(method: &str, path: &str, op: &str, schemas: &str) -> String {
    format!(
        "openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\nservers: [{{url: 'https://x.example.com/v1'}}]\npaths:\n  {path}:\n    {method}:\n      operationId: op\n{op}\ncomponents:\n  schemas:\n    Any: {{}}\n{schemas}"
    )
}

fn load(name: &str, text: &str) -> Contract {
    Contract::from_sources(vec![SpecSource::from_text(name, text)])
        .expect("the test document loads")
}

/// (rule, severity) of every change between two documents.
fn rules(old: &str, new: &str) -> Vec<(&'static str, Severity)> {
    let d = compare(&load("old.yaml", old), &load("new.yaml", new));
    for c in &d.changes {
        assert!(
            c.old
                .as_deref()
                .is_none_or(|o| o.starts_with("bundled:old.yaml: #/"))
                && c.new
                    .as_deref()
                    .is_none_or(|n| n.starts_with("bundled:new.yaml: #/")),
            "{c:?}"
        );
    }
    d.changes.iter().map(|c| (c.rule, c.severity)).collect()
}

fn has(old: &str, new: &str, rule: &str, sev: Severity) {
    let r = rules(old, new);
    assert!(
        r.iter().any(|(r2, s)| *r2 == rule && *s == sev),
        "{rule} {sev:?} not in {r:?}"
    );
}

const OK: &str = "      responses:\n        '200': {description: ok}";

fn with_params(params: &str) -> String {
    format!("      parameters:\n{params}\n{OK}")
}

fn body(required: bool, media: &str, schema: &str) -> String {
    format!(
        "      requestBody:\n        required: {required}\n        content:\n          {media}:\n            schema: {schema}\n{OK}"
    )
}

fn response(schema: &str) -> String {
    format!(
        "      responses:\n        '200':\n          description: ok\n          content:\n            application/json:\n              schema: {schema}"
    )
}

#[test]
fn the_same_document_has_no_changes() {
    let d = doc(
        "get",
        "/pets/{id}",
        &with_params("        - {name: id, in: path, required: true, schema: {type: string}}"),
        "",
    );
    assert_eq!(rules(&d, &d), vec![]);
}

#[test]
fn paths_and_methods_removed_and_added() {
    let old = doc("get", "/pets", OK, "");
    has(
        &old,
        &doc("get", "/cats", OK, ""),
        "api-path-removed",
        Severity::Breaking,
    );
    has(
        &old,
        &doc("get", "/cats", OK, ""),
        "api-operation-added",
        Severity::NonBreaking,
    );
    has(
        &old,
        &doc("post", "/pets", OK, ""),
        "api-method-removed",
        Severity::Breaking,
    );
}

#[test]
fn a_base_path_change_is_one_breaking_change() {
    let old = doc("get", "/pets", OK, "");
    let new = old.replace("/v1'", "/v2'");
    assert_eq!(
        rules(&old, &new),
        vec![("api-base-path-changed", Severity::Breaking)]
    );
}

#[test]
fn renamed_path_parameters_are_the_same_path() {
    let p = |n: &str| {
        doc(
            "get",
            &format!("/pets/{{{n}}}"),
            &with_params(&format!(
                "        - {{name: {n}, in: path, required: true, schema: {{type: string}}}}"
            )),
            "",
        )
    };
    assert_eq!(
        rules(&p("id"), &p("petId")),
        vec![("request-path-parameter-renamed", Severity::Info)]
    );
}

#[test]
fn parameters_added_removed_moved_renamed_required() {
    let q = |rest: &str| doc("get", "/pets", &with_params(rest), "");
    let limit = "        - {name: limit, in: query, schema: {type: integer}}";
    has(
        &q(limit),
        &q(&format!(
            "{limit}\n        - {{name: sort, in: query, required: true, schema: {{type: string}}}}"
        )),
        "new-required-request-parameter",
        Severity::Breaking,
    );
    has(
        &q(limit),
        &q(&format!(
            "{limit}\n        - {{name: sort, in: query, schema: {{type: string}}}}"
        )),
        "new-optional-request-parameter",
        Severity::NonBreaking,
    );
    let two = format!("{limit}\n        - {{name: page, in: query, schema: {{type: boolean}}}}");
    has(
        &q(&two),
        &q(limit),
        "request-parameter-removed",
        Severity::Breaking,
    );
    has(
        &q(limit),
        &q("        - {name: limit, in: header, schema: {type: integer}}"),
        "request-parameter-moved",
        Severity::Breaking,
    );
    has(
        &q(limit),
        &q("        - {name: max, in: query, schema: {type: integer}}"),
        "request-parameter-renamed",
        Severity::Breaking,
    );
    has(
        &q(limit),
        &q("        - {name: limit, in: query, required: true, schema: {type: integer}}"),
        "request-parameter-became-required",
        Severity::Breaking,
    );
}

#[test]
fn parameter_schemas_narrowed() {
    let q = |schema: &str| {
        doc(
            "get",
            "/pets",
            &with_params(&format!(
                "        - {{name: limit, in: query, schema: {schema}}}"
            )),
            "",
        )
    };
    has(
        &q("{type: number}"),
        &q("{type: integer}"),
        "request-parameter-type-changed",
        Severity::Breaking,
    );
    has(
        &q("{type: integer}"),
        &q("{type: number}"),
        "request-parameter-type-changed",
        Severity::NonBreaking,
    );
    has(
        &q("{type: string}"),
        &q("{type: string, format: uuid}"),
        "request-parameter-format-changed",
        Severity::Breaking,
    );
    has(
        &q("{type: string, maxLength: 10}"),
        &q("{type: string, maxLength: 5}"),
        "request-parameter-max-length-decreased",
        Severity::Breaking,
    );
    has(
        &q("{type: integer, maximum: 100}"),
        &q("{type: integer, maximum: 50}"),
        "request-parameter-max-decreased",
        Severity::Breaking,
    );
    has(
        &q("{type: string}"),
        &q("{type: string, pattern: '^a'}"),
        "request-parameter-pattern-added",
        Severity::Breaking,
    );
    has(
        &q("{type: string, enum: [a, b]}"),
        &q("{type: string, enum: [a]}"),
        "request-parameter-enum-value-removed",
        Severity::Breaking,
    );
    // Loosened: nothing breaking.
    let r = rules(
        &q("{type: string, maxLength: 5}"),
        &q("{type: string, maxLength: 10}"),
    );
    assert!(r.iter().all(|(_, s)| *s != Severity::Breaking), "{r:?}");
}

#[test]
fn request_bodies() {
    let schema = "{type: object}";
    let none = doc("post", "/pets", OK, "");
    has(
        &none,
        &doc("post", "/pets", &body(true, "application/json", schema), ""),
        "request-body-added-required",
        Severity::Breaking,
    );
    has(
        &doc(
            "post",
            "/pets",
            &body(false, "application/json", schema),
            "",
        ),
        &doc("post", "/pets", &body(true, "application/json", schema), ""),
        "request-body-became-required",
        Severity::Breaking,
    );
    has(
        &doc("post", "/pets", &body(true, "application/json", schema), ""),
        &doc("post", "/pets", &body(true, "application/xml", schema), ""),
        "request-body-media-type-removed",
        Severity::Breaking,
    );
}

fn req(schema: &str, schemas: &str) -> String {
    doc(
        "post",
        "/pets",
        &body(true, "application/json", schema),
        schemas,
    )
}

#[test]
fn request_properties() {
    let pet = |props: &str, required: &str| {
        req(
            "{$ref: '#/components/schemas/Pet'}",
            &format!(
                "    Pet:\n      type: object\n      required: [{required}]\n      properties:\n{props}\n"
            ),
        )
    };
    let name = "        name: {type: string}";
    let kind = "        kind: {type: string, enum: [cat, dog]}";
    let both = format!("{name}\n{kind}");
    has(
        &pet(name, ""),
        &pet(name, "name"),
        "request-property-became-required",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet(&both, "kind"),
        "new-required-request-property",
        Severity::Breaking,
    );
    has(
        &pet(&both, ""),
        &pet(
            &format!("{name}\n        kind: {{type: string, enum: [cat]}}"),
            "",
        ),
        "request-property-enum-value-removed",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, maxLength: 3}", ""),
        "request-property-max-length-decreased",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: integer}", ""),
        "request-property-type-changed",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, format: email}", ""),
        "request-property-format-changed",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, minLength: 2}", ""),
        "request-property-min-length-increased",
        Severity::Breaking,
    );
    has(
        &pet("        age: {type: integer}", ""),
        &pet("        age: {type: integer, maximum: 30}", ""),
        "request-property-max-decreased",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, pattern: '^[a-z]+$'}", ""),
        "request-property-pattern-added",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, readOnly: true}", ""),
        "request-property-became-read-only",
        Severity::Breaking,
    );
    has(
        &pet("        name: {type: string, nullable: true}", ""),
        &pet(name, ""),
        "request-property-became-not-nullable",
        Severity::Breaking,
    );
    // A readOnly property made required is not the client's to send.
    let r = rules(
        &pet("        id: {type: string, readOnly: true}", ""),
        &pet("        id: {type: string, readOnly: true}", "id"),
    );
    assert_eq!(r, vec![]);
}

#[test]
fn response_statuses_media_types_and_headers() {
    let two =
        "      responses:\n        '200': {description: ok}\n        '404': {description: gone}";
    has(
        &doc("get", "/pets", two, ""),
        &doc("get", "/pets", OK, ""),
        "response-non-success-status-removed",
        Severity::Breaking,
    );
    has(
        &doc("get", "/pets", OK, ""),
        &doc(
            "get",
            "/pets",
            "      responses:\n        '201': {description: ok}",
            "",
        ),
        "response-success-status-removed",
        Severity::Breaking,
    );
    let media = |m: &str| {
        doc(
            "get",
            "/pets",
            &format!(
                "      responses:\n        '200':\n          description: ok\n          content:\n            {m}: {{schema: {{type: string}}}}"
            ),
            "",
        )
    };
    has(
        &media("application/json"),
        &media("text/plain"),
        "response-media-type-removed",
        Severity::Breaking,
    );
    let header = |h: &str| {
        doc(
            "get",
            "/pets",
            &format!(
                "      responses:\n        '200':\n          description: ok\n          headers:\n{h}"
            ),
            "",
        )
    };
    let link = "            Link: {required: true, schema: {type: string}}";
    has(
        &header(link),
        &header("            Other: {schema: {type: string}}"),
        "response-header-removed",
        Severity::Breaking,
    );
    has(
        &header(link),
        &header("            Link: {schema: {type: string}}"),
        "response-header-became-optional",
        Severity::Breaking,
    );
}

#[test]
fn response_properties() {
    let pet = |props: &str, required: &str| {
        doc(
            "get",
            "/pets",
            &response("{$ref: '#/components/schemas/Pet'}"),
            &format!(
                "    Pet:\n      type: object\n      required: [{required}]\n      properties:\n{props}\n"
            ),
        )
    };
    let name = "        name: {type: string}";
    let both = format!("{name}\n        age: {{type: integer}}");
    has(
        &pet(&both, ""),
        &pet(name, ""),
        "response-property-removed",
        Severity::Breaking,
    );
    has(
        &pet(name, "name"),
        &pet(name, ""),
        "response-property-became-optional",
        Severity::Breaking,
    );
    has(
        &pet("        age: {type: integer}", ""),
        &pet("        age: {type: number}", ""),
        "response-property-type-changed",
        Severity::Breaking,
    );
    has(
        &pet("        age: {type: number}", ""),
        &pet("        age: {type: integer}", ""),
        "response-property-type-changed",
        Severity::NonBreaking,
    );
    has(
        &pet("        kind: {type: string, enum: [cat]}", ""),
        &pet("        kind: {type: string, enum: [cat, dog]}", ""),
        "response-property-enum-value-added",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, nullable: true}", ""),
        "response-property-became-nullable",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet("        name: {type: string, writeOnly: true}", ""),
        "response-property-became-write-only",
        Severity::Breaking,
    );
    has(
        &pet(name, ""),
        &pet(&both, ""),
        "response-property-added",
        Severity::Info,
    );
}

#[test]
fn security_requirements() {
    let sec = |schemes: &str, security: &str| {
        let d = doc(
            "get",
            "/pets",
            &format!("      security: {security}\n{OK}"),
            "",
        );
        d.replace(
            "components:\n",
            &format!("components:\n  securitySchemes:\n{schemes}\n"),
        )
    };
    let bearer = "    b: {type: http, scheme: bearer}";
    let both = format!("{bearer}\n    k: {{type: apiKey, in: header, name: x-key}}");
    has(
        &sec(bearer, "[]"),
        &sec(bearer, "[{b: []}]"),
        "api-security-added",
        Severity::Breaking,
    );
    has(
        &sec(&both, "[{b: []}]"),
        &sec(&both, "[{k: []}]"),
        "api-security-changed",
        Severity::Breaking,
    );
    has(
        &sec(&both, "[{b: []}]"),
        &sec(&both, "[{b: []}, {k: []}]"),
        "api-security-alternative-added",
        Severity::NonBreaking,
    );
}

#[test]
fn recursive_schemas_are_walked_once_per_branch() {
    let node = |extra: &str| {
        req(
            "{$ref: '#/components/schemas/Node'}",
            &format!(
                "    Node:\n      type: object\n      properties:\n        children: {{type: array, items: {{$ref: '#/components/schemas/Node'}}}}\n        name: {{type: string{extra}}}\n"
            ),
        )
    };
    let r = rules(&node(""), &node(", maxLength: 3"));
    // Found at the top node; the children's items are the same pair of
    // schemas, where the walk stops instead of recursing forever.
    assert_eq!(
        r,
        vec![("request-property-max-length-decreased", Severity::Breaking)]
    );
}

#[test]
fn an_operation_that_cannot_be_built_is_not_compared_not_removed() {
    let old = doc(
        "get",
        "/pets",
        &response("{$ref: '#/components/schemas/Pet'}"),
        "    Pet: {type: object}\n",
    );
    let new = doc(
        "get",
        "/pets",
        &response("{$ref: '#/components/schemas/Missing'}"),
        "",
    );
    let d = compare(&load("old.yaml", &old), &load("new.yaml", &new));
    assert!(d.changes.is_empty(), "{:?}", d.changes);
    assert_eq!(d.not_compared.len(), 1);
    assert_eq!(d.not_compared[0].side, "new");
}

#[test]
fn required_fields_touch_what_callers_leave_out() {
    let pet = |required: &str| {
        req(
            "{$ref: '#/components/schemas/Pet'}",
            &format!(
                "    Pet:\n      type: object\n      required: [{required}]\n      properties:\n        name: {{type: string}}\n"
            ),
        )
    };
    let d = compare(&load("old.yaml", &pet("")), &load("new.yaml", &pet("name")));
    assert_eq!(
        d.changes[0].touches,
        Touch::Missing {
            field: "request/name".into()
        }
    );
}

#[test]
fn usage_marks_by_field_enum_value_status_and_missing_field() {
    use super::usage::Evidence;
    let fields = |f: &[&str]| Some(f.iter().map(|s| s.to_string()).collect());
    let e = Evidence {
        source: "fixture f.json".into(),
        op: "pets/createPet".into(),
        fields: fields(&[
            "request/owner",
            "request/owner/name",
            "request/kind",
            "response/201/id",
        ]),
        unknown: Vec::new(),
        enums: Some([("request/kind".to_string(), vec![serde_json::json!("cat")])].into()),
        statuses: ["201".to_string()].into(),
    };
    let field = |f: &str| Touch::Field { field: f.into() };
    assert!(e.touches(&field("request/owner")));
    assert!(e.touches(&field("request/owner/name")));
    assert!(
        !e.touches(&field("request/ownerId")),
        "a prefix of a name is not the field"
    );
    assert!(e.touches(&field("response/201/id")));
    assert!(
        !e.touches(&field("response/200/id")),
        "a status never answered"
    );
    assert!(e.touches(&Touch::Enum {
        field: "request/kind".into(),
        value: serde_json::json!("cat")
    }));
    assert!(!e.touches(&Touch::Enum {
        field: "request/kind".into(),
        value: serde_json::json!("bird")
    }));
    // Required now: breaks a caller that leaves it out, under a parent it sends.
    assert!(e.touches(&Touch::Missing {
        field: "request/age".into()
    }));
    assert!(!e.touches(&Touch::Missing {
        field: "request/kind".into()
    }));
    assert!(e.touches(&Touch::Missing {
        field: "request/owner/email".into()
    }));
    assert!(
        !e.touches(&Touch::Missing {
            field: "request/address/zip".into()
        }),
        "no address sent"
    );
    assert!(e.touches(&Touch::Status {
        status: "201".into()
    }));
    assert!(!e.touches(&Touch::Status {
        status: "404".into()
    }));
    // Without field usage, every field of the call counts.
    let coarse = Evidence {
        fields: None,
        enums: None,
        ..e
    };
    assert!(coarse.touches(&field("request/anything")));
    assert!(coarse.touches(&Touch::Enum {
        field: "request/kind".into(),
        value: serde_json::json!("bird")
    }));
}

#[test]
fn a_markdown_table_stops_at_fifty_rows_and_says_how_many_more() {
    use super::output::{FailOn, Format, Outcome};
    let change = |i: usize| super::Change {
        rule: "api-path-removed",
        severity: Severity::Breaking,
        operation: format!("GET /p{i} (op{i})"),
        old_op: Some(format!("d/op{i}")),
        old_doc: Some("d".into()),
        old: Some("d.yaml: #/paths/~1p".into()),
        new: None,
        message: "the operation is removed".into(),
        touches: Touch::Operation,
        used_by: Vec::new(),
    };
    let outcome = Outcome {
        diff: super::Diff {
            changes: (0..60).map(change).collect(),
            ..Default::default()
        },
        old: vec!["d.yaml".into()],
        new: vec!["e.yaml".into()],
        usage: Vec::new(),
        used_ops: Default::default(),
        used_names: Vec::new(),
        unmatched_fixtures: Vec::new(),
        fixtures_checked: 0,
        fixture_problems: Vec::new(),
        fail_on: FailOn::Breaking,
    };
    let md = outcome.render(Format::Markdown);
    assert_eq!(md.matches("| GET /p").count(), 50, "{md}");
    assert!(md.contains("... and 10 more"), "{md}");
    assert!(outcome.failed());
}
