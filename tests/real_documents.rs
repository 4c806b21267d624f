//! The documents vendors really publish, end to end: one small document per
//! construct under `tests/documents/real/`, loaded by the real binary,
//! routed and requested over real HTTP on 127.0.0.1.

use serde_json::Value;

use crate::common::{Reply, Specmock, get, run, send};

const JSON: (&str, &str) = ("content-type", "application/json");

/// A document of `tests/documents/real/`, as an absolute path.
fn doc(name: &str) -> String {
    format!("{}/tests/documents/real/{name}", env!("CARGO_MANIFEST_DIR"))
}

fn put_json(url: &str, body: &str) -> Reply {
    send("PUT", url, &[JSON], Some(body))
}

fn post_json(url: &str, body: &str) -> Reply {
    send("POST", url, &[JSON], Some(body))
}

/// The journal, oldest first.
fn journal(s: &Specmock) -> Vec<Value> {
    let r = get(&s.url("/__specmock/requests"));
    assert_eq!(r.status, 200, "{r:?}");
    r.json()["requests"].as_array().expect("requests").clone()
}

/// The journal entry of `method path` (the path as journalled).
fn entry<'a>(entries: &'a [Value], method: &str, path: &str) -> &'a Value {
    entries
        .iter()
        .find(|e| e["method"] == method && e["path"] == path)
        .unwrap_or_else(|| panic!("no {method} {path} in the journal: {entries:?}"))
}

fn health(s: &Specmock) -> Value {
    let r = get(&s.url("/__specmock/health"));
    assert_eq!(r.status, 200, "{r:?}");
    r.json()
}

/// A 422 naming exactly these violation locations.
fn assert_violations(r: &Reply, locations: &[&str]) {
    assert_eq!(r.status, 422, "{r:?}");
    let got: Vec<String> = r.json()["violations"]
        .as_array()
        .expect("violations")
        .iter()
        .map(|v| v["location"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(got, locations, "{}", r.body);
}

/// The 501 problem of an operation the loader left out.
fn assert_unavailable(r: &Reply, operation: &str, why: &str) {
    assert_eq!(r.status, 501, "{r:?}");
    assert_eq!(r.header("content-type"), Some("application/problem+json"));
    assert_eq!(r.header("x-specmock-operation"), Some(operation));
    let p = r.json();
    assert_eq!(
        p["type"], "urn:specmock:problem:operation-unavailable",
        "{p}"
    );
    assert_eq!(p["status"], 501);
    assert_eq!(p["operation"], operation, "{p}");
    let detail = p["detail"].as_str().unwrap_or_default();
    assert!(
        detail.contains(operation) && detail.contains(why),
        "{detail}"
    );
}

/// Stop the server and return what it logged.
fn stderr_of(s: Specmock) -> String {
    let (status, err) = s.terminate();
    assert!(status.success(), "exit {status:?}:\n{err}");
    err
}

/// The log lines at WARN level.
fn warnings(stderr: &str) -> Vec<&str> {
    stderr.lines().filter(|l| l.contains(" WARN ")).collect()
}

// 1. Sibling templates keep their own parameter names.

#[test]
fn sibling_templates_bind_values_under_their_own_names() {
    let s = Specmock::serve(&[&doc("siblings.yaml")]);
    let body = r#"{"expiresAt":"2030-01-01T00:00:00Z"}"#;

    // PUT /api-tokens/{token} beside GET /api-tokens/{name}.
    let r = put_json(&s.url("/api-tokens/abc"), body);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("updateToken"));
    // The generated body takes the value of the parameter named `token`.
    assert_eq!(r.json()["token"], "abc", "{}", r.body);
    // `token` is validated under its own schema (minLength 3).
    assert_violations(&put_json(&s.url("/api-tokens/ab"), body), &["path.token"]);
    let r = get(&s.url("/api-tokens/abc"));
    assert_eq!(r.header("x-specmock-operation"), Some("getTokenByName"));
    assert_eq!(r.json()["name"], "abc", "{}", r.body);

    // A shared templated prefix, different names below it.
    let r = get(&s.url("/accounts/42/gateway"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["account_id"], 42);
    let r = get(&s.url("/accounts/abc/pages"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["account_identifier"], "abc");
    assert_violations(&get(&s.url("/accounts/abc/gateway")), &["path.account_id"]);
    assert_violations(
        &get(&s.url("/accounts/42/pages")),
        &["path.account_identifier"],
    );

    // Depth 3: every value under the PUT template's names.
    let r = send("PUT", &s.url("/a/1/b/2/c/3"), &[], None);
    assert_eq!(r.header("x-specmock-operation"), Some("putDeep"), "{r:?}");
    assert_eq!(r.json()["q"], "2");
    assert_eq!(r.json()["r"], 3);
    assert_eq!(get(&s.url("/a/1/b/2/c/3")).json()["z"], "3");
    assert_violations(&send("PUT", &s.url("/a/1/b/2/c/x"), &[], None), &["path.r"]);

    // Literal before template, each with its own names.
    let r = get(&s.url("/a/1/b/mine/c/only"));
    assert_eq!(r.header("x-specmock-operation"), Some("getMine"), "{r:?}");
    assert_eq!(r.json()["w"], "only");
    assert_violations(&get(&s.url("/a/1/b/mine/c/3")), &["path.w"]);
    // A method the literal route lacks falls through to the template.
    let r = send("PUT", &s.url("/a/1/b/mine/c/3"), &[], None);
    assert_eq!(r.header("x-specmock-operation"), Some("putDeep"), "{r:?}");
    assert_eq!(r.json()["q"], "mine");

    // The journal: the PUT kept the contract, its secret-named `{token}`
    // written as its template; the GET's `{name}` is not a secret.
    let entries = journal(&s);
    let put = entry(&entries, "PUT", "/api-tokens/{token}");
    assert_eq!(put["operation"], "siblings/updateToken");
    assert_eq!(put["status"], 200);
    assert_eq!(put["violations"], serde_json::json!([]));
    // Bound as `token` (the PUT template's name), its value redacted as a secret.
    assert_eq!(
        put["path_params"],
        serde_json::json!({"token": "<redacted>"})
    );
    let got = entry(&entries, "GET", "/api-tokens/abc");
    assert_eq!(got["operation"], "siblings/getTokenByName");
    assert_eq!(got["violations"], serde_json::json!([]));
    assert_eq!(got["path_params"], serde_json::json!({"name": "abc"}));
    let pages = entry(&entries, "GET", "/accounts/abc/pages");
    assert_eq!(
        pages["path_params"],
        serde_json::json!({"account_identifier": "abc"})
    );
    let deep = entry(&entries, "PUT", "/a/1/b/2/c/3");
    assert_eq!(
        deep["path_params"],
        serde_json::json!({"p": "1", "q": "2", "r": "3"})
    );
}

// 2. One bad operation does not sink a document.

const DANGLING_REF: &str =
    "#/paths/~1dangling/get/responses/200/content/application~1json/schema/$ref";
const UNCOMPILABLE: &str =
    "#/paths/~1uncompilable/post/requestBody/content/application~1json/schema";

#[test]
fn a_bad_operation_is_left_out_and_answers_501() {
    let bad = doc("left-out.yaml");
    let s = Specmock::serve(&[&bad, &doc("siblings.yaml")]);
    let h = health(&s);
    assert_eq!(h["leftOut"], 2, "{h}");
    let per_doc: Vec<(String, u64)> = h["documents"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["name"].as_str().unwrap().into(),
                d["leftOut"].as_u64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        per_doc,
        [("left-out".to_string(), 2), ("siblings".to_string(), 0)],
        "{h}"
    );
    // The others are served.
    let r = get(&s.url("/fine"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["fine"], true);
    assert_eq!(get(&s.url("/api-tokens/x")).status, 200);
    assert_unavailable(&get(&s.url("/dangling")), "getDangling", "Missing");
    assert_unavailable(
        &post_json(&s.url("/uncompilable"), "{}"),
        "postUncompilable",
        "does not compile",
    );

    let err = stderr_of(s);
    let warns = warnings(&err);
    for (pointer, what) in [
        (DANGLING_REF, "cannot resolve"),
        ("#/paths/~1dangling/get", "left out"),
        (UNCOMPILABLE, "does not compile"),
    ] {
        assert!(
            warns
                .iter()
                .any(|w| w.contains("left-out.yaml") && w.contains(pointer) && w.contains(what)),
            "no warning naming {pointer}:\n{err}"
        );
    }
}

#[test]
fn validate_and_strict_load_refuse_a_bad_operation() {
    let bad = doc("left-out.yaml");
    let r = run(&["validate", &bad]);
    assert_eq!(r.code, Some(1), "{}", r.output());
    assert!(r.stdout.contains(DANGLING_REF), "{}", r.stdout);
    assert!(r.stdout.contains(UNCOMPILABLE), "{}", r.stdout);
    assert!(
        r.stdout
            .contains("left-out.yaml: 2 of 3 operations cannot be built"),
        "{}",
        r.stdout
    );
    let r = run(&["serve", "--strict-load", &bad, "--port", "0"]);
    assert_ne!(r.code, Some(0), "{}", r.output());
    assert!(r.stdout.is_empty(), "no address is printed: {}", r.stdout);
    assert!(
        r.stderr.contains("left-out.yaml") && r.stderr.contains(DANGLING_REF),
        "{}",
        r.stderr
    );
}

// 3. OpenAPI 3.1.

#[test]
fn a_webhooks_only_document_serves_no_operation() {
    let s = Specmock::serve(&[&doc("webhooks-only.yaml")]);
    let h = health(&s);
    assert_eq!(h["operations"], 0, "{h}");
    assert_eq!(h["documents"][0]["name"], "webhooks-only", "{h}");
    assert_eq!(get(&s.url("/newPet")).status, 404);
    let err = stderr_of(s);
    assert!(
        warnings(&err)
            .iter()
            .any(|w| w.contains("webhooks-only.yaml") && w.contains("no `paths`")),
        "{err}"
    );
}

#[test]
fn openapi31_without_responses_and_with_boolean_bounds() {
    let s = Specmock::serve(&[&doc("openapi31.yaml")]);
    assert_unavailable(&get(&s.url("/silent")), "getSilent", "no responses");
    assert_violations(&get(&s.url("/count?n=0")), &["query.n"]);
    assert_violations(&get(&s.url("/count?n=-1")), &["query.n"]);
    let r = get(&s.url("/count?n=1"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["counted"], true);
    let err = stderr_of(s);
    let warns = warnings(&err);
    assert!(
        warns
            .iter()
            .any(|w| w.contains("#/paths/~1count/get/parameters/0/schema")
                && w.contains("exclusiveMinimum")),
        "{err}"
    );
    assert!(
        warns
            .iter()
            .any(|w| w.contains("#/paths/~1silent/get") && w.contains("no responses")),
        "{err}"
    );
}

// 4. Path keys with URI-special characters.

#[test]
fn path_keys_with_uri_special_characters_route_and_validate() {
    let s = Specmock::serve(&[&doc("special-paths.yaml")]);
    let link = r#"{"shared_link": {"access": "open"}}"#;

    // `#` in the key: a client sends it as %23.
    let r = put_json(&s.url("/files/123%23add_shared_link"), link);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("addSharedLink"));
    assert_eq!(r.json()["file_id"], 123);
    assert_violations(
        &put_json(&s.url("/files/abc%23add_shared_link"), link),
        &["path.file_id"],
    );
    // The body schema under that key compiles and validates.
    assert_violations(
        &put_json(
            &s.url("/files/123%23add_shared_link"),
            r#"{"shared_link": {"access": "nobody"}}"#,
        ),
        &["body/shared_link/access"],
    );
    assert_eq!(put_json(&s.url("/files/123"), link).status, 404);

    // Custom methods after a colon.
    let r = post_json(&s.url("/pets:search"), r#"{"query": "r"}"#);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("searchPets"));
    assert_violations(&post_json(&s.url("/pets:search"), "{}"), &["body/query"]);
    let r = send("POST", &s.url("/ops/7:cancel"), &[], None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["id"], 7);
    assert_violations(
        &send("POST", &s.url("/ops/x:cancel"), &[], None),
        &["path.id"],
    );

    // A mixed segment: two variables split at the dot.
    let r = get(&s.url("/reports/q3.csv"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["name"], "q3");
    assert_eq!(r.json()["format"], "csv");
    assert_eq!(get(&s.url("/reports/q3.json")).status, 200);
    assert_violations(&get(&s.url("/reports/q3.xml")), &["path.format"]);
}

// 5. References as real documents use them.

#[test]
fn refs_inside_vendor_extensions_are_ignored() {
    let f = doc("x-extension-refs.yaml");
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(0), "{}", r.output());
    assert!(!r.output().contains("does/not/exist"), "{}", r.output());
    let s = Specmock::serve(&[&f]);
    assert_eq!(health(&s)["leftOut"], 0);
    let r = get(&s.url("/widgets/5"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("getWidget"));
    assert_eq!(r.json()["id"], 5);
    assert_violations(&get(&s.url("/widgets/x")), &["path.id"]);
    let err = stderr_of(s);
    assert!(warnings(&err).is_empty(), "{err}");
    assert!(
        !err.contains("does/not/exist") && !err.contains("nowhere.yaml"),
        "{err}"
    );
}

#[test]
fn a_ref_on_the_operation_object_is_served() {
    let f = doc("op-ref/api.yaml");
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(0), "{}", r.output());
    let s = Specmock::serve(&[&f]);
    let r = get(&s.url("/v2/pets/1"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("getPet"));
    assert_eq!(r.json()["name"], "Rex");
    // The parameters come from the referenced file.
    assert_violations(&get(&s.url("/v2/pets/rex")), &["path.id"]);
    assert!(warnings(&stderr_of(s)).is_empty());
}

#[test]
fn a_split_document_needs_ref_root() {
    let f = doc("split/openapi/api.yaml");
    let root = doc("split");

    // By default: the operation reaching ../common is left out, naming --ref-root.
    let s = Specmock::serve(&[&f]);
    assert_eq!(health(&s)["leftOut"], 1);
    assert_eq!(get(&s.url("/things")).status, 200);
    assert_unavailable(&get(&s.url("/things/1")), "getThing", "--ref-root");
    let err = stderr_of(s);
    assert!(
        warnings(&err).iter().any(|w| w.contains("api.yaml")
            && w.contains("../common/Error.yaml")
            && w.contains("--ref-root")),
        "{err}"
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1), "{}", r.output());
    assert!(r.stdout.contains("--ref-root"), "{}", r.stdout);
    let r = run(&["serve", "--strict-load", &f, "--port", "0"]);
    assert_ne!(r.code, Some(0));
    assert!(r.stderr.contains("--ref-root"), "{}", r.stderr);

    // With --ref-root at the parent folder: loads whole, no warning.
    let r = run(&["validate", "--ref-root", &root, &f]);
    assert_eq!(r.code, Some(0), "{}", r.output());
    let s = Specmock::serve(&["--ref-root", &root, &f]);
    assert_eq!(health(&s)["leftOut"], 0);
    let r = get(&s.url("/things/1"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("getThing"));
    // The 404 is the shared Error schema's example.
    let r = send("GET", &s.url("/things/1"), &[("prefer", "code=404")], None);
    assert_eq!(r.status, 404, "{r:?}");
    assert_eq!(r.json()["message"], "no such thing", "{}", r.body);
    assert!(warnings(&stderr_of(s)).is_empty());
}

#[test]
fn max_ref_files_bounds_the_files_a_document_pulls_in() {
    let f = doc("many-refs/api.yaml");
    let s = Specmock::serve(&["--max-ref-files", "2", &f]);
    let h = health(&s);
    assert!(h["leftOut"].as_u64().unwrap() >= 1, "{h}");
    // Whatever was read first is served; what is past the bound is 501.
    assert_eq!(get(&s.url("/a")).status, 200);
    assert_unavailable(&get(&s.url("/c")), "getC", "--max-ref-files");
    let err = stderr_of(s);
    assert!(
        warnings(&err)
            .iter()
            .any(|w| w.contains("api.yaml") && w.contains("--max-ref-files")),
        "{err}"
    );
    let r = run(&[
        "serve",
        "--strict-load",
        "--max-ref-files",
        "2",
        &f,
        "--port",
        "0",
    ]);
    assert_ne!(r.code, Some(0));
    assert!(r.stderr.contains("--max-ref-files"), "{}", r.stderr);
    // The default bound reads all three.
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(0), "{}", r.output());
}

#[test]
fn max_ref_files_allows_exactly_that_many_files() {
    // many-refs/api.yaml pulls in a.yaml, b.yaml and c.yaml: three files.
    let r = run(&[
        "validate",
        "--max-ref-files",
        "3",
        &doc("many-refs/api.yaml"),
    ]);
    assert_eq!(r.code, Some(0), "{}", r.output());
}

// 6. Forgiving.

#[test]
fn duplicate_operation_ids_are_both_served() {
    let f = doc("duplicate-ids.yaml");
    let s = Specmock::serve(&[&f]);
    let r = get(&s.url("/users"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("list"));
    let r = get(&s.url("/groups/3/members"));
    assert_eq!(r.status, 200, "{r:?}");
    // The second gets the id derived from its method and path.
    let derived = "get-groups-groupid-members";
    assert_eq!(r.header("x-specmock-operation"), Some(derived));
    assert_eq!(r.json()[0], "member");
    let entries = journal(&s);
    assert_eq!(
        entry(&entries, "GET", "/users")["operation"],
        "duplicate-ids/list"
    );
    assert_eq!(
        entry(&entries, "GET", "/groups/3/members")["operation"],
        format!("duplicate-ids/{derived}")
    );
    let err = stderr_of(s);
    assert!(
        warnings(&err)
            .iter()
            .any(|w| w.contains("\"list\" is used twice") && w.contains(derived)),
        "{err}"
    );
    let r = run(&["validate", &f]);
    assert_eq!(r.code, Some(1), "{}", r.output());
    assert!(r.stdout.contains("used twice"), "{}", r.stdout);
}

#[test]
fn swagger2_x_examples_as_json_strings_are_parsed() {
    // Parsed: the example matches its object schema, so nothing is said.
    let r = run(&["validate", &doc("swagger-x-examples.yaml")]);
    assert_eq!(r.code, Some(0), "{}", r.output());
    assert!(!r.output().contains("does not match"), "{}", r.output());
    assert!(!r.stdout.contains("note:"), "{}", r.stdout);
    // Parsed, and breaking its schema at /name: a note, not a failure.
    let r = run(&["validate", &doc("swagger-x-examples-broken.yaml")]);
    assert_eq!(r.code, Some(0), "{}", r.output());
    let note = r
        .stdout
        .lines()
        .find(|l| l.starts_with("note: "))
        .unwrap_or_else(|| panic!("no note: {}", r.stdout));
    assert!(
        note.contains("swagger-x-examples-broken.yaml")
            && note.contains("#/paths/~1pets/post/requestBody/content/application~1json/example")
            && note.contains("at /name"),
        "{note}"
    );
    let s = Specmock::serve(&[&doc("swagger-x-examples.yaml")]);
    let r = post_json(&s.url("/v1/pets"), r#"{"name": "x"}"#);
    assert_eq!(r.status, 201, "{r:?}");
    assert_violations(
        &post_json(&s.url("/v1/pets"), r#"{"name": 5}"#),
        &["body/name"],
    );
}

#[test]
fn a_yaml_file_in_json_form_with_trailing_commas_loads() {
    let f = doc("trailing-comma.yaml");
    assert_eq!(run(&["validate", &f]).code, Some(0));
    let s = Specmock::serve(&[&f]);
    let r = get(&s.url("/notes/1"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()["note"], "hi");
    assert_violations(&get(&s.url("/notes/x")), &["path.id"]);
}

#[test]
fn a_template_variable_without_a_parameter_is_a_string() {
    let f = doc("undeclared-var.yaml");
    let s = Specmock::serve(&[&f]);
    let r = get(&s.url("/users/abc/posts"));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.header("x-specmock-operation"), Some("listPosts"));
    assert_eq!(r.json()["user_id"], "abc", "{}", r.body);
    // The declared parameters are still checked.
    assert_violations(&get(&s.url("/users/abc/posts?limit=x")), &["query.limit"]);
    let err = stderr_of(s);
    assert!(
        warnings(&err)
            .iter()
            .any(|w| w.contains("undeclared-var.yaml")
                && w.contains("{user_id} has no path parameter")),
        "{err}"
    );
    assert_eq!(run(&["validate", &f]).code, Some(1));
}

#[test]
fn a_root_path_under_a_base_path_answers_with_and_without_the_slash() {
    let s = Specmock::serve(&[&doc("root-path.yaml")]);
    for path in ["/ds-api", "/ds-api/"] {
        let r = get(&s.url(path));
        assert_eq!(r.status, 200, "{path}: {r:?}");
        assert_eq!(r.header("x-specmock-operation"), Some("getRoot"), "{path}");
        assert_eq!(r.json()["root"], true);
    }
    let r = get(&s.url("/ds-api/x"));
    assert_eq!(r.header("x-specmock-operation"), Some("getX"), "{r:?}");
    // Elsewhere the trailing slash still counts.
    for path in ["/ds-api/x/", "/ds-api/y", "/", "/ds-api//"] {
        let r = get(&s.url(path));
        assert_eq!(r.status, 404, "{path}: {r:?}");
        assert_eq!(r.header("content-type"), Some("application/problem+json"));
    }
}
