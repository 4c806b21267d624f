//! Unit tests of field catalogues and of what an exchange uses.

use serde_json::{Value, json};

use super::*;
use crate::contract::Contract;
use crate::request::Request;
use crate::spec::{Method, SpecSource};

const DOC: &str = r##"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /pets/{id}:
    put:
      operationId: putPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: string}}
        - {name: sort, in: query, schema: {type: string, enum: [asc, desc]}}
        - {name: X-Trace, in: header, schema: {type: string}}
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
        default:
          description: error
          content:
            application/json:
              schema:
                type: object
                properties: {message: {type: string}}
components:
  schemas:
    Pet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        kind: {type: string, enum: [cat, dog]}
        tags: {type: array, items: {type: object, properties: {label: {type: string}}}}
        labels: {type: object, additionalProperties: {type: string}}
        parent: {$ref: "#/components/schemas/Pet"}
        owner:
          oneOf:
            - {type: object, required: [person], properties: {type: {const: person, enum: [person]}, person: {type: string}}}
            - {type: object, required: [company], properties: {type: {enum: [company]}, company: {type: string}}}
"##;

fn contract() -> Contract {
    Contract::from_sources(vec![SpecSource::from_text("pets.yaml", DOC)]).unwrap()
}

fn names(c: &Catalog) -> Vec<&str> {
    let mut v: Vec<&str> = c
        .marks()
        .iter()
        .filter(|m| m.kind == catalog::MarkKind::Field)
        .map(|m| c.mark_name(m))
        .collect();
    v.sort();
    v
}

#[test]
fn the_catalogue_names_every_field_once_with_arrays_maps_and_recursion_folded() {
    let c = contract();
    let op = c.operation("putPet").unwrap();
    let cat = c.catalog(op);
    let got = names(cat);
    for want in [
        "path/id",
        "query/sort",
        "header/x-trace",
        "request/name",
        "request/kind",
        "request/tags",
        "request/tags/[]/label",
        "request/labels",
        "request/labels/*",
        "request/parent",
        "request/owner",
        "request/owner/person",
        "request/owner/company",
        "request/owner/type",
        "response/200/name",
        "response/200/parent",
        "response/default/message",
    ] {
        assert!(got.contains(&want), "{want} missing from {got:?}");
    }
    // Recursion folded: `parent` is not entered again below itself.
    assert!(!got.iter().any(|n| n.contains("parent/name")), "{got:?}");
    assert!(std::ptr::eq(cat, c.catalog(op)), "built once");
}

fn hits_of(c: &Contract, req: &Request, body: Option<Value>) -> FieldCoverage {
    let op = c.operation("putPet").unwrap();
    let cat = c.catalog(op);
    let usage = Usage::default();
    let hits = cat.observe_request(req, Some("application/json"), body.as_ref().map(Into::into));
    let served = json!({"name": "Rex", "kind": "dog"}).to_string();
    usage.record(
        op,
        cat,
        &hits,
        Served {
            status: 200,
            content_type: Some("application/json"),
            body: served.as_bytes(),
        },
    );
    usage.coverage(op, cat)
}

fn assert_used(cov: &FieldCoverage, wants: &[&str]) {
    for want in wants {
        assert!(
            cov.used.contains(&want.to_string()),
            "{want} not in {:?}",
            cov.used
        );
    }
}

#[test]
fn a_request_uses_the_parameters_present_and_the_properties_sent() {
    let c = contract();
    let req = Request::new(Method::PUT, "/pets/1?sort=asc").header("x-trace", "t");
    let body = json!({"name": "Rex", "tags": [{"label": "a"}], "labels": {"k": "v"},
        "owner": {"type": "company", "company": "ACME"}});
    let cov = hits_of(&c, &req, Some(body));
    assert_used(
        &cov,
        &[
            "path/id",
            "query/sort",
            "header/x-trace",
            "request/name",
            "request/tags",
            "request/tags/[]/label",
            "request/labels/*",
            "request/owner/company",
            "response/200/name",
            "response/200/kind",
        ],
    );
    assert!(cov.unused.contains(&"request/kind".to_string()));
    assert!(cov.unused.contains(&"response/default/message".to_string()));
    assert_eq!(cov.enums["query/sort"], ["asc"]);
    assert_eq!(cov.enums_unused["query/sort"], ["desc"]);
    assert_eq!(cov.enums["response/200/kind"], ["dog"]);
    // The discriminating `type` picks the company branch, not the person one.
    assert_eq!(cov.branches["request/owner"], ["oneOf/1"]);
    assert_eq!(cov.branches_unused["request/owner"], ["oneOf/0"]);
    assert_eq!(cov.percent, (cov.used.len() * 100 / cov.total) as u64);
}

#[test]
fn members_in_any_order_are_all_used() {
    // The schema's order reversed: the search for each member wraps around.
    let c = contract();
    let body = json!({"labels": {"k": "v"}, "tags": [], "kind": "cat", "name": "Rex"});
    let cov = hits_of(&c, &Request::new(Method::PUT, "/pets/1"), Some(body));
    assert_used(
        &cov,
        &[
            "request/labels/*",
            "request/tags",
            "request/kind",
            "request/name",
        ],
    );
}

#[test]
fn nothing_sent_uses_only_the_path_and_what_was_served() {
    let c = contract();
    let cov = hits_of(&c, &Request::new(Method::PUT, "/pets/1"), None);
    assert_eq!(
        cov.used,
        ["path/id", "response/200/name", "response/200/kind"]
    );
}

/// A response declared under hundreds of media types with one schema (as
/// some vendors write versioned types) is walked once: one root, the
/// same marks, whatever the count.
#[test]
fn media_types_sharing_a_schema_share_one_root() {
    let types: String = (1..=300)
        .map(|i| format!("            application/vnd.x.v{i}+json: {{schema: {{$ref: \"#/components/schemas/Pet\"}}}}\n"))
        .collect();
    let doc = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: \"1\"}}\npaths:\n  /pets:\n    get:\n      operationId: getPets\n      responses:\n        \"200\":\n          description: ok\n          content:\n{types}components:\n  schemas:\n    Pet:\n      type: object\n      properties:\n        name: {{type: string}}\n        parent: {{$ref: \"#/components/schemas/Pet\"}}\n"
    );
    let c = Contract::from_sources(vec![SpecSource::from_text("many.yaml", &doc)]).unwrap();
    let cat = c.catalog(c.operation("getPets").unwrap());
    assert_eq!(cat.responses.len(), 300);
    let roots: std::collections::HashSet<usize> = cat.responses.iter().map(|r| r.2).collect();
    assert_eq!(roots.len(), 1, "one root for one schema");
    assert!(cat.nodes.len() < 10, "{} nodes", cat.nodes.len());
    assert_eq!(names(cat), ["response/200/name", "response/200/parent"]);
}

/// Components that refer to each other many times over unroll into a tree
/// (fields are named by their path); the tree stops where the marks do.
#[test]
fn a_wide_component_graph_stays_within_the_bounds() {
    let mut schemas = String::new();
    for i in 0..40 {
        let (a, b) = (i + 1, i + 2);
        schemas.push_str(&format!(
            "    C{i}:\n      type: object\n      properties:\n        x: {{type: string}}\n        l: {{$ref: \"#/components/schemas/C{a}\"}}\n        r: {{$ref: \"#/components/schemas/C{b}\"}}\n"
        ));
    }
    schemas.push_str("    C40: {type: string}\n    C41: {type: string}\n");
    let doc = format!(
        "openapi: 3.1.0\ninfo: {{title: t, version: \"1\"}}\npaths:\n  /g:\n    get:\n      operationId: getGraph\n      responses:\n        \"200\":\n          description: ok\n          content:\n            application/json: {{schema: {{$ref: \"#/components/schemas/C0\"}}}}\ncomponents:\n  schemas:\n{schemas}"
    );
    let c = Contract::from_sources(vec![SpecSource::from_text("graph.yaml", &doc)]).unwrap();
    let cat = c.catalog(c.operation("getGraph").unwrap());
    assert!(cat.truncated, "2^40 paths cannot all be named");
    assert!(cat.marks().len() <= catalog::MAX_MARKS);
    assert!(
        cat.nodes.len() <= 2 * catalog::MAX_MARKS + 2,
        "{} nodes",
        cat.nodes.len()
    );
}

#[test]
fn property_names_that_need_escaping_are_matched_as_sent() {
    let doc = r#"
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /x:
    post:
      operationId: postX
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                "a/b~c": {type: object, properties: {"é": {type: string}}}
                plain: {type: string}
      responses:
        "204": {description: ok}
"#;
    let c = Contract::from_sources(vec![SpecSource::from_text("x.yaml", doc)]).unwrap();
    let op = c.operation("postX").unwrap();
    let cat = c.catalog(op);
    let req = Request::new(Method::POST, "/x");
    let body = json!({"a/b~c": {"é": "x"}});
    let hits = cat.observe_request(&req, Some("application/json"), Some((&body).into()));
    let usage = Usage::default();
    let served = Served {
        status: 204,
        content_type: None,
        body: b"",
    };
    usage.record(op, cat, &hits, served);
    let cov = usage.coverage(op, cat);
    assert_eq!(
        cov.used,
        ["request/a~1b~0c", "request/a~1b~0c/é"],
        "{cov:?}"
    );
    assert_eq!(cov.unused, ["request/plain"], "{cov:?}");
}
