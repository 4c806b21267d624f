//! Export what the consumer used, end to end: a real server journals real
//! requests, the JSON report carries the exchanges, and `specmock export`
//! turns them into a Pact v4 file (checked with the Pact Foundation's own
//! Rust core, `pact_models` to read it and `pact_matching` to run its rules)
//! and into an OpenAPI subset that `specmock validate` and `routes` accept.

use std::fs;
use std::path::Path;

use pact_models::bodies::OptionalBody;
use pact_models::content_types::JSON as JSON_TYPE;
use pact_models::pact::{Pact, read_pact};
use pact_models::{PactSpecification, interaction::Interaction};
use serde_json::{Value, json};

use crate::common::{Answer, Specmock, Upstream, get, record, run, send};

const JSON: (&str, &str) = ("content-type", "application/json");

/// A document of our own, small enough to say exactly what was used.
const PETS: &str = r##"openapi: 3.0.3
info: {title: Pets, version: "1"}
paths:
  /pets/{id}:
    get:
      operationId: getPet
      parameters:
        - {name: id, in: path, required: true, schema: {type: integer}}
        - {name: verbose, in: query, schema: {type: boolean}}
        - {name: offset, in: query, schema: {type: integer}}
        - {name: X-Trace, in: header, schema: {type: string}}
      responses:
        "200":
          description: the pet
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
              example: {id: 1, name: Rex, kind: dog}
        "404": {description: no such pet}
  /pets:
    get:
      operationId: listPets
      responses:
        "200":
          description: the pets
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Pet"}}
    post:
      operationId: createPet
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: "#/components/schemas/NewPet"}
      responses:
        "201":
          description: created
          content:
            application/json:
              schema: {$ref: "#/components/schemas/Pet"}
              example: {id: 2, name: Tom, kind: cat}
components:
  schemas:
    Pet:
      type: object
      required: [id, name, tags]
      additionalProperties: false
      properties:
        id: {type: integer}
        name: {type: string, pattern: "^[A-Z][a-z]+$"}
        kind: {type: string, enum: [dog, cat]}
        owner: {$ref: "#/components/schemas/Owner"}
        tags: {type: array, items: {type: string}}
    Owner:
      type: object
      properties:
        name: {type: string}
        email: {type: string, format: email}
    NewPet:
      type: object
      required: [name]
      properties:
        name: {type: string}
        kind: {type: string, enum: [dog, cat]}
        notes: {type: string}
        owner: {$ref: "#/components/schemas/Owner"}
"##;

/// Serve `spec` (or the bundled specs) writing a JSON report into `dir`.
fn serve_with_report(dir: &Path, spec: Option<&Path>) -> (Specmock, String) {
    let report = dir.join("report.json").to_string_lossy().into_owned();
    let mut args = vec!["--seed", "7", "--report-json", report.as_str()];
    if let Some(s) = spec {
        args.push(s.to_str().unwrap());
    }
    (Specmock::serve(&args), report)
}

fn write_report(s: &Specmock) {
    let r = send("POST", &s.url("/__specmock/report"), &[], None);
    assert_eq!(r.status, 200, "{r:?}");
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&fs::read_to_string(path).unwrap()).unwrap()
}

/// Every mismatch `pact_matching` finds between interaction `i`'s expected
/// response (its body and matching rules) and one whose body is `body`.
fn response_mismatches(pact: &dyn Pact, i: usize, body: &Value) -> Vec<String> {
    let interactions = pact.interactions();
    let http = interactions[i]
        .as_v4_http()
        .expect("a Synchronous/HTTP interaction");
    let mut actual = http.response.clone();
    actual.body = OptionalBody::Present(
        body.to_string().into_bytes().into(),
        Some(JSON_TYPE.clone()),
        None,
    );
    let boxed = pact.boxed();
    let interaction: Box<dyn Interaction + Send + Sync + std::panic::RefUnwindSafe> =
        interactions[i].boxed();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(pact_matching::match_response(
        http.response.clone(),
        actual,
        &boxed,
        &interaction,
    ))
    .unwrap()
    .iter()
    .map(|m| m.description())
    .collect()
}

/// Every mismatch `pact_matching` finds between interaction `i`'s expected
/// request and one with this path, query and body.
fn request_mismatches(
    pact: &dyn Pact,
    i: usize,
    path: &str,
    query: Option<(&str, &str)>,
    body: Option<&Value>,
) -> Vec<String> {
    let interactions = pact.interactions();
    let http = interactions[i]
        .as_v4_http()
        .expect("a Synchronous/HTTP interaction");
    let mut actual = http.request.clone();
    actual.path = path.to_string();
    if let Some((k, v)) = query {
        actual.query = Some(
            [(k.to_string(), vec![Some(v.to_string())])]
                .into_iter()
                .collect(),
        );
    }
    if let Some(b) = body {
        actual.body = OptionalBody::Present(
            b.to_string().into_bytes().into(),
            Some(JSON_TYPE.clone()),
            None,
        );
    }
    let boxed = pact.boxed();
    let interaction = interactions[i].boxed();
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    rt.block_on(pact_matching::match_request(
        http.request.clone(),
        actual,
        &boxed,
        &interaction,
    ))
    .unwrap()
    .mismatches()
    .iter()
    .map(|m| m.description())
    .collect()
}

#[test]
fn pact_of_a_run_over_the_bundled_specs_carries_no_secret_and_its_rules_hold() {
    let dir = tempfile::tempdir().unwrap();
    let (s, report) = serve_with_report(dir.path(), None);
    // Axiom: a bearer token in, the new token's secret value out.
    let regen = r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#;
    for _ in 0..2 {
        let r = send(
            "POST",
            &s.url("/v2/tokens/tok1/regenerate"),
            &[JSON, ("authorization", "Bearer client-secret-bearer")],
            Some(regen),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }
    // Unleash: the token in the path is the token's secret.
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/path-secret-abc123"),
        &[JSON, ("authorization", "*:*.admin-secret")],
        Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    // Adafruit: the key in a header and in the query.
    let r = send(
        "GET",
        &s.url("/api/v2/jdoe/feeds?X-AIO-Key=query-secret-key"),
        &[("X-AIO-Key", "header-secret-key")],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    // Broke the contract: no interaction.
    let r = send(
        "PUT",
        &s.url("/api/admin/api-tokens/abc"),
        &[JSON, ("authorization", "*:*.admin-secret")],
        Some(r#"{"expiresAt":"tomorrow"}"#),
    );
    assert_eq!(r.status, 422);
    write_report(&s);

    let pact_file = dir.path().join("web-vendors.json");
    let out = run(&[
        "export",
        "pact",
        "--report",
        &report,
        "--consumer",
        "web",
        "--provider",
        "vendors",
        "-o",
        pact_file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    assert!(
        out.stderr
            .contains("wrote 3 interaction(s) between web and vendors"),
        "{}",
        out.stderr
    );

    let bytes = fs::read_to_string(&pact_file).unwrap();
    for secret in [
        "client-secret-bearer",
        "admin-secret",
        "path-secret-abc123",
        "header-secret-key",
        "query-secret-key",
        // The generated Axiom token's value (its example) never leaves.
        "xaat-",
    ] {
        assert!(
            !bytes.contains(secret),
            "{secret} leaked into the Pact file:\n{bytes}"
        );
    }

    // The reference implementation reads it as a V4 pact.
    let pact = read_pact(&pact_file).expect("pact_models reads the file");
    assert_eq!(pact.specification_version(), PactSpecification::V4);
    assert_eq!(pact.consumer().name, "web");
    assert_eq!(pact.provider().name, "vendors");
    let interactions = pact.interactions();
    let descriptions: Vec<String> = interactions.iter().map(|i| i.description()).collect();
    assert_eq!(
        descriptions,
        [
            "regenerateAPIToken: POST /v2/tokens/tok1/regenerate -> 200",
            "update-api-token: PUT /api/admin/api-tokens/{token} -> 200",
            "allFeeds: GET /api/v2/jdoe/feeds -> 200",
        ]
    );
    let axiom = interactions[0].as_v4_http().unwrap();
    assert_eq!(axiom.request.method, "POST");
    let rules = axiom.request.matching_rules.rules_for_category("path");
    assert!(rules.is_some(), "a templated path gets a regex");

    // Its rules accept every recorded body, through pact_matching.
    let report_json = read_json(Path::new(&report));
    let recorded = report_json["interactions"].as_array().unwrap();
    assert_eq!(recorded.len(), 3);
    assert_eq!(
        recorded[0]["count"], 2,
        "two identical exchanges, one interaction"
    );
    for (i, r) in recorded.iter().enumerate() {
        let body: Value = serde_json::from_str(r["response"]["body"].as_str().unwrap()).unwrap();
        let m = response_mismatches(pact.as_ref(), i, &body);
        assert!(m.is_empty(), "interaction {i}: {m:?}");
    }
    // And they are rules, not literals: other values of the same types
    // pass, a value of the wrong type does not.
    let mut other: Value =
        serde_json::from_str(recorded[0]["response"]["body"].as_str().unwrap()).unwrap();
    other["name"] = json!("another-name");
    other["samlAuthenticated"] = json!(true);
    // A map's keys are the consumer's data (Axiom's datasets): any dataset.
    other["datasetCapabilities"] =
        json!({"another-dataset": {"ingest": ["create"], "query": ["read"]}});
    let m = response_mismatches(pact.as_ref(), 0, &other);
    assert!(m.is_empty(), "{m:?}");
    other["samlAuthenticated"] = json!("yes");
    assert!(!response_mismatches(pact.as_ref(), 0, &other).is_empty());

    // The live export says the same.
    let live = get(&s.url("/__specmock/export/pact?consumer=web&provider=vendors"));
    assert_eq!(live.status, 200);
    let file: Value = serde_json::from_str(&bytes).unwrap();
    assert_eq!(live.json()["interactions"], file["interactions"]);
}

#[test]
fn field_rules_and_the_openapi_subset_of_our_own_document() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("pets.yaml");
    fs::write(&spec, PETS).unwrap();
    let (s, report) = serve_with_report(dir.path(), Some(&spec));
    let r = send(
        "GET",
        &s.url("/pets/1?verbose=true"),
        &[("X-Trace", "t-1")],
        None,
    );
    assert_eq!(r.status, 200, "{r:?}");
    let r = send(
        "POST",
        &s.url("/pets"),
        &[JSON],
        Some(r#"{"name":"Tom","owner":{"name":"Ann"}}"#),
    );
    assert_eq!(r.status, 201, "{r:?}");
    write_report(&s);
    let spec_arg = spec.to_str().unwrap();

    // The Pact: rules from the schema for the path, query, header and bodies.
    let pact_file = dir.path().join("pets.pact.json");
    let out = run(&[
        "export",
        "pact",
        spec_arg,
        "--report",
        &report,
        "-o",
        pact_file.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let p = read_json(&pact_file);
    assert_eq!(
        p["provider"]["name"], "pets",
        "the document's name by default"
    );
    let get_pet = &p["interactions"][0];
    let rules = &get_pet["request"]["matchingRules"];
    assert_eq!(rules["path"]["matchers"][0]["regex"], "^/pets/[^/]+$");
    assert_eq!(
        rules["query"]["verbose"]["matchers"][0]["regex"],
        "^(true|false)$"
    );
    assert_eq!(rules["header"]["x-trace"]["matchers"][0]["match"], "type");
    assert_eq!(get_pet["request"]["query"], json!({"verbose": ["true"]}));
    let body_rules = &get_pet["response"]["matchingRules"]["body"];
    assert_eq!(body_rules["$.id"]["matchers"][0]["match"], "integer");
    assert_eq!(
        body_rules["$.name"]["matchers"][0]["regex"],
        "^[A-Z][a-z]+$"
    );
    assert_eq!(body_rules["$.kind"]["matchers"][0]["regex"], "^(dog|cat)$");
    let create = &p["interactions"][1];
    assert_eq!(
        create["request"]["body"]["content"],
        json!({"name": "Tom", "owner": {"name": "Ann"}})
    );
    assert_eq!(
        create["request"]["matchingRules"]["body"]["$.owner.name"]["matchers"][0]["match"],
        "type"
    );
    let pact = read_pact(&pact_file).unwrap();
    let m = response_mismatches(
        pact.as_ref(),
        0,
        &json!({"id": 9, "name": "Max", "kind": "cat"}),
    );
    assert!(m.is_empty(), "{m:?}");
    let m = response_mismatches(
        pact.as_ref(),
        0,
        &json!({"id": 9, "name": "max", "kind": "cat"}),
    );
    assert!(!m.is_empty(), "the name's pattern is a rule");
    // The request side too: another id and flag pass, a flag that is no boolean fails.
    let m = request_mismatches(
        pact.as_ref(),
        0,
        "/pets/42",
        Some(("verbose", "false")),
        None,
    );
    assert!(m.is_empty(), "{m:?}");
    let m = request_mismatches(
        pact.as_ref(),
        0,
        "/pets/42",
        Some(("verbose", "maybe")),
        None,
    );
    assert!(!m.is_empty(), "verbose is a boolean");
    let m = request_mismatches(
        pact.as_ref(),
        0,
        "/cats/42",
        Some(("verbose", "true")),
        None,
    );
    assert!(!m.is_empty(), "the path is the template's");
    let other = json!({"name": "Max", "owner": {"name": "Bob"}});
    let m = request_mismatches(pact.as_ref(), 1, "/pets", None, Some(&other));
    assert!(m.is_empty(), "{m:?}");
    let wrong = json!({"name": 5, "owner": {"name": "Bob"}});
    assert!(!request_mismatches(pact.as_ref(), 1, "/pets", None, Some(&wrong)).is_empty());

    // The subset: exactly the used operations, parameters, statuses, properties.
    let subset = dir.path().join("pets-used.json");
    let out = run(&[
        "export",
        "openapi",
        spec_arg,
        "--report",
        &report,
        "-o",
        subset.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let v = run(&["validate", subset.to_str().unwrap()]);
    assert_eq!(v.code, Some(0), "{}", v.output());
    let routes = run(&["routes", subset.to_str().unwrap()]);
    assert_eq!(routes.code, Some(0), "{}", routes.output());
    let ops: Vec<String> = routes
        .stdout
        .lines()
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect();
    assert_eq!(ops, ["GET /pets/{id} getPet", "POST /pets createPet"]);
    let doc = read_json(&subset);
    let params: Vec<&str> = doc["paths"]["/pets/{id}"]["get"]["parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        params,
        ["id", "verbose", "X-Trace"],
        "offset was never sent"
    );
    let statuses: Vec<&String> = doc["paths"]["/pets/{id}"]["get"]["responses"]
        .as_object()
        .unwrap()
        .keys()
        .collect();
    assert_eq!(statuses, ["200"], "404 was never answered");
    let schemas = &doc["components"]["schemas"];
    let keys = |v: &Value| {
        v["properties"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect::<Vec<_>>()
    };
    assert_eq!(keys(&schemas["Pet"]), ["id", "name", "kind"]);
    assert_eq!(
        schemas["Pet"]["required"],
        json!(["id", "name"]),
        "required keeps what stays"
    );
    assert!(
        schemas["Pet"].get("additionalProperties").is_none(),
        "the provider's full answers still validate"
    );
    assert_eq!(keys(&schemas["NewPet"]), ["name", "owner"]);
    assert_eq!(keys(&schemas["Owner"]), ["name"]);

    // The live subset is the same document.
    let live = get(&s.url("/__specmock/export/openapi"));
    assert_eq!(live.status, 200, "{live:?}");
    assert_eq!(live.json(), doc);
}

#[test]
fn a_body_the_journal_cut_is_exported_from_its_schema_and_flagged() {
    let dir = tempfile::tempdir().unwrap();
    let spec = dir.path().join("pets.yaml");
    fs::write(&spec, PETS).unwrap();
    let (s, _) = serve_with_report(dir.path(), Some(&spec));
    let notes = "n".repeat(20_000);
    let body = json!({"name": "Tom", "notes": notes}).to_string();
    let r = send("POST", &s.url("/pets"), &[JSON], Some(&body));
    assert_eq!(r.status, 201, "{r:?}");
    let p = get(&s.url("/__specmock/export/pact")).json();
    let it = &p["interactions"][0];
    let comments = it["comments"]["text"].to_string();
    assert!(
        comments.contains("the journal cut the request body"),
        "{comments}"
    );
    let content = &it["request"]["body"]["content"];
    assert!(
        content["name"].is_string(),
        "a value generated from NewPet: {content}"
    );
    assert!(!content.to_string().contains(&"n".repeat(100)));
    assert!(it["request"]["matchingRules"]["body"]["$.name"].is_object());
}

#[test]
fn exports_say_what_is_wrong_and_what_to_do() {
    let dir = tempfile::tempdir().unwrap();
    let (s, report) = serve_with_report(dir.path(), None);
    for (method, path, body) in [
        (
            "PUT",
            "/api/admin/api-tokens/abc",
            r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#,
        ),
        (
            "POST",
            "/v2/tokens/tok1/regenerate",
            r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#,
        ),
    ] {
        let r = send(
            method,
            &s.url(path),
            &[JSON, ("authorization", "Bearer x")],
            Some(body),
        );
        assert_eq!(r.status, 200, "{r:?}");
    }
    write_report(&s);
    let out = run(&["export", "openapi", "--report", &report]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("several documents were called (axiom, unleash)"),
        "{}",
        out.stderr
    );
    assert!(
        out.stderr.contains("--document-name NAME"),
        "{}",
        out.stderr
    );
    let live = get(&s.url("/__specmock/export/openapi"));
    assert_eq!(live.status, 400);
    assert!(
        live.json()["type"]
            .as_str()
            .unwrap()
            .ends_with("export-failed"),
        "{live:?}"
    );
    let out = run(&[
        "export",
        "openapi",
        "--report",
        &report,
        "--document-name",
        "unleash",
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    assert!(
        out.stdout.contains("\"/api/admin/api-tokens/{token}\""),
        "{}",
        out.stdout
    );

    // The report of the bundled specs, exported against another document.
    let pets = dir.path().join("pets.yaml");
    fs::write(&pets, PETS).unwrap();
    let pets = pets.to_str().unwrap();
    let out = run(&["export", "openapi", pets, "--report", &report]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("are not in the loaded documents"),
        "{}",
        out.stderr
    );
    let out = run(&["export", "pact", pets, "--report", &report]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr
            .contains("export with the documents the report was made with"),
        "{}",
        out.stderr
    );

    let missing = dir.path().join("nope.json");
    let out = run(&["export", "pact", "--report", missing.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(
        out.stderr.contains("cannot read the report") && out.stderr.contains("--report-json"),
        "{}",
        out.stderr
    );
    let bad = dir.path().join("bad.json");
    fs::write(&bad, "{\n  \"interactions\": [,]\n}").unwrap();
    let out = run(&["export", "pact", "--report", bad.to_str().unwrap()]);
    assert_eq!(out.code, Some(1));
    assert!(out.stderr.contains("line 2"), "{}", out.stderr);
}

fn vendor(method: &str, path: &str, _head: &str) -> Answer {
    let json = ("content-type".to_string(), "application/json".to_string());
    match (method, path) {
        ("POST", p) if p.starts_with("/tokens/") => (
            200,
            vec![json],
            r#"{"id":"tok1","name":"from-upstream","datasetCapabilities":{},"orgCapabilities":{"apiTokens":["read"]},"token":"upstream-secret-token-value"}"#.into(),
        ),
        _ => (404, vec![], String::new()),
    }
}

#[test]
fn recorded_traffic_is_exported_too() {
    let up = Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let fx = dir.path().to_str().unwrap();
    let rec = record(&["--fixtures", fx, "--upstream", &up.url]);
    let r = send(
        "POST",
        &rec.url("/v2/tokens/tok1/regenerate"),
        &[JSON, ("authorization", "Bearer client-secret-bearer")],
        Some(r#"{"existingTokenExpiresAt":"2030-01-01T00:00:00Z"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    let live = get(&rec.url("/__specmock/export/pact"));
    assert_eq!(live.status, 200);
    for secret in ["client-secret-bearer", "upstream-secret-token-value"] {
        assert!(
            !live.body.contains(secret),
            "{secret} leaked: {}",
            live.body
        );
    }
    let p = live.json();
    let response = &p["interactions"][0]["response"]["body"]["content"];
    assert_eq!(
        response["name"], "from-upstream",
        "the upstream's answer, not a mock's"
    );
    assert_eq!(response["token"], "<redacted>");
    let subset = get(&rec.url("/__specmock/export/openapi")).json();
    assert_eq!(subset["paths"].as_object().unwrap().len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn mock_server_exports_for_test_assertions() {
    let server = specmock::MockServer::bundled().await;
    let url = format!("{}/api/admin/api-tokens/abc", server.uri());
    let status = tokio::task::spawn_blocking(move || {
        send(
            "PUT",
            &url,
            &[JSON, ("authorization", "*:*.admin")],
            Some(r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#),
        )
        .status
    })
    .await
    .unwrap();
    assert_eq!(status, 200);
    let pact = server.export_pact("web", "unleash");
    assert_eq!(pact["interactions"].as_array().unwrap().len(), 1);
    assert_eq!(pact["metadata"]["pactSpecification"]["version"], "4.0");
    let subset = server.export_openapi(None).unwrap();
    assert_eq!(
        subset["paths"]
            .as_object()
            .unwrap()
            .keys()
            .collect::<Vec<_>>(),
        ["/api/admin/api-tokens/{token}"]
    );
    server.reset();
    let e = server.export_openapi(None).unwrap_err();
    assert!(e.to_string().contains("no operation was called"), "{e}");
}
