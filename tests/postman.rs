//! Postman collections as documents, end to end: collections we wrote
//! (`tests/documents/postman/`), loaded by the real binary and talked to
//! over real HTTP. Path variables in both syntaxes, folder auth inherited,
//! saved responses chosen with `Prefer`, bodies validated, variables from an
//! environment file, scripts as notices, and every command reading a
//! collection like any document.

use std::fs;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::common::{Answer, Specmock, Upstream, files_under, get, record, run, send};

const DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/documents/postman");
const SHOP: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/documents/postman/shop.json"
);
const NOTES: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/documents/postman/notes-v20.json"
);
const ENV: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/documents/postman/env/shop-local.json"
);
const BEARER: (&str, &str) = ("authorization", "Bearer a-token");

fn shop() -> Specmock {
    Specmock::serve(&[SHOP, "--postman-env", ENV])
}

#[test]
fn validate_and_routes_read_collections_of_both_versions() {
    let out = run(&["validate", DIR, "--postman-env", ENV]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    assert!(
        out.stdout
            .contains("notes-v20.json: ok (OpenAPI 3.0, 1 operations)"),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("shop.json: ok (OpenAPI 3.0, 6 operations)"),
        "{}",
        out.stdout
    );
    // What a collection cannot express is a note naming the item, not an error.
    assert!(
        out.stdout.contains("note: ")
            && out.stdout.contains(
                "#/item/1/item/0/event/0: \"Public / Sign up\": its pre-request script is not run"
            ),
        "{}",
        out.stdout
    );
    assert!(
        out.stdout
            .contains("\"Users / Create user\": its test script is not run"),
        "{}",
        out.stdout
    );

    let out = run(&["routes", DIR, "--postman-env", ENV]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let rows: Vec<Vec<&str>> = out
        .stdout
        .lines()
        .map(|l| l.split_whitespace().collect())
        .collect();
    let has = |method: &str, path: &str, id: &str| {
        rows.iter()
            .any(|r| r[0] == method && r[1] == path && r[2] == id)
    };
    assert!(has("GET", "/v1/users/{id}", "get-user"), "{}", out.stdout);
    assert!(
        has("GET", "/v1/users/{userId}/posts", "list-posts-of-a-user"),
        "{}",
        out.stdout
    );
    assert!(has("POST", "/v1/signup", "sign-up"), "{}", out.stdout);
    assert!(has("GET", "/v1/health", "health"), "{}", out.stdout);
    assert!(
        has("GET", "/api/notes/{noteId}", "read-a-note"),
        "{}",
        out.stdout
    );
    // `Get the admin` (`/users/:userId`) merged into `Get user` (`/users/:id`).
    assert_eq!(
        rows.iter()
            .filter(|r| r[1].starts_with("/v1/users/{"))
            .count(),
        2,
        "{}",
        out.stdout
    );
    assert_eq!(rows.len(), 7, "{}", out.stdout);
}

#[test]
fn path_variables_in_both_syntaxes_and_saved_responses_chosen_with_prefer() {
    let s = shop();
    // `:id`: the saved 200 is the default answer, with its declared header.
    let r = send("GET", &s.url("/v1/users/42"), &[BEARER], None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(
        r.json(),
        json!({"id": 42, "name": "Ada", "email": "ada@example.com"})
    );
    assert_eq!(r.header("x-request-id"), Some("req-1"));
    assert_eq!(r.header("content-type"), Some("application/json"));
    // The saved 404, by status; the merged request's response, by name.
    let r = send(
        "GET",
        &s.url("/v1/users/42"),
        &[BEARER, ("prefer", "code=404")],
        None,
    );
    assert_eq!(
        (r.status, r.json()),
        (404, json!({"error": "no such user"}))
    );
    let r = send(
        "GET",
        &s.url("/v1/users/1"),
        &[BEARER, ("prefer", "example=Admin")],
        None,
    );
    assert_eq!(r.json()["admin"], true, "{r:?}");
    // A status no saved response has is refused, naming the declared ones.
    let r = send(
        "GET",
        &s.url("/v1/users/42"),
        &[BEARER, ("prefer", "code=500")],
        None,
    );
    assert!(r.status >= 400 && r.body.contains("404"), "{r:?}");
    // `{{userId}}`: a template too.
    let r = send("GET", &s.url("/v1/users/anyone/posts"), &[BEARER], None);
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json()[1]["title"], "Again");
    // A generated body follows the schema inferred from the examples.
    let r = send(
        "GET",
        &s.url("/v1/users/42"),
        &[BEARER, ("prefer", "dynamic=true")],
        None,
    );
    let v = r.json();
    assert!(
        v["id"].is_i64() && v["name"].is_string() && v["email"].is_string(),
        "{v}"
    );
    // Outside the collection: 404.
    assert_eq!(
        send("GET", &s.url("/v1/orders"), &[BEARER], None).status,
        404
    );
}

#[test]
fn a_folders_bearer_auth_is_inherited_noauth_stops_it_and_the_collections_apikey_applies() {
    let s = shop();
    let r = get(&s.url("/v1/users/42"));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(
        r.body.contains("Bearer") && r.body.contains("bearerAuth"),
        "{}",
        r.body
    );
    let r = send(
        "GET",
        &s.url("/v1/users/42"),
        &[("authorization", "Basic YTpi")],
        None,
    );
    assert_eq!(
        r.status, 401,
        "a Basic credential is not a bearer token: {r:?}"
    );
    // The Public folder says noauth.
    let form = ("content-type", "application/x-www-form-urlencoded");
    let r = send(
        "POST",
        &s.url("/v1/signup"),
        &[form],
        Some("name=Ada&email=ada%40example.com"),
    );
    assert_eq!(r.status, 201, "{r:?}");
    // Health sits at the top: the collection's apikey header.
    let r = get(&s.url("/v1/health"));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r.body.contains("X-Api-Key"), "{}", r.body);
    let r = send("GET", &s.url("/v1/health"), &[("x-api-key", "k")], None);
    assert_eq!(
        (r.status, r.body.as_str()),
        (200, ""),
        "no saved response: 200, empty"
    );
}

#[test]
fn bodies_are_validated_urlencoded_json_and_formdata() {
    let s = shop();
    let form = ("content-type", "application/x-www-form-urlencoded");
    let r = send("POST", &s.url("/v1/signup"), &[form], Some("name=Ada"));
    assert_eq!(r.status, 422, "{r:?}");
    assert!(
        r.body.contains("body/email") && r.body.contains("required"),
        "{}",
        r.body
    );
    // The disabled field is declared, not required.
    let r = send(
        "POST",
        &s.url("/v1/signup"),
        &[form],
        Some("name=Ada&email=a%40b&newsletter=no"),
    );
    assert_eq!((r.status, r.json()), (201, json!({"ok": true})));
    let r = send(
        "POST",
        &s.url("/v1/signup"),
        &[("content-type", "application/json")],
        Some("{}"),
    );
    assert_eq!(r.status, 415, "{r:?}");

    // JSON: the schema inferred from the raw example.
    let json_type = ("content-type", "application/json");
    let r = send(
        "POST",
        &s.url("/v1/users"),
        &[BEARER, json_type],
        Some(r#"{"name": 1}"#),
    );
    assert_eq!(r.status, 422, "{r:?}");
    assert!(
        r.body.contains("body/name") && r.body.contains("body/email"),
        "{}",
        r.body
    );
    let r = send(
        "POST",
        &s.url("/v1/users"),
        &[BEARER, json_type],
        Some(r#"{"name": "Bo", "email": "bo@example.com"}"#),
    );
    assert_eq!(r.status, 201, "{r:?}");
    assert_eq!(r.json()["id"], 43);

    // formdata: a text field and a file part, both sent by the request.
    let multipart = ("content-type", "multipart/form-data; boundary=XX");
    let both = "--XX\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n42\r\n--XX\r\nContent-Disposition: form-data; name=\"image\"; filename=\"a.png\"\r\nContent-Type: image/png\r\n\r\nPNG\r\n--XX--\r\n";
    let r = send("POST", &s.url("/v1/avatars"), &[multipart], Some(both));
    assert_eq!(r.status, 204, "{r:?}");
    let one = "--XX\r\nContent-Disposition: form-data; name=\"user\"\r\n\r\n42\r\n--XX--\r\n";
    let r = send("POST", &s.url("/v1/avatars"), &[multipart], Some(one));
    assert_eq!(r.status, 422, "{r:?}");
    assert!(r.body.contains("body/image"), "{}", r.body);
}

#[test]
fn variables_come_from_the_environment_file() {
    // Without it `{{baseUrl}}` is unknown: the paths are served from the
    // root, and the log says why.
    let s = Specmock::serve(&[SHOP]);
    assert_eq!(
        send("GET", &s.url("/users/42"), &[BEARER], None).status,
        200
    );
    assert_eq!(
        send("GET", &s.url("/v1/users/42"), &[BEARER], None).status,
        404
    );
    let (_, stderr) = s.terminate();
    assert!(
        stderr.contains("the host of some requests uses {{baseUrl}}, which no variable defines: they are served from the root path /"),
        "{stderr}"
    );
    // The environment's baseUrl uses the collection's apiVersion (its own
    // apiVersion is disabled).
    let s = shop();
    assert_eq!(
        send("GET", &s.url("/v1/users/42"), &[BEARER], None).status,
        200
    );
    assert_eq!(
        send("GET", &s.url("/v9/users/42"), &[BEARER], None).status,
        404
    );
    drop(s);
    // A second environment wins over the first.
    let dir = tempfile::tempdir().unwrap();
    let staging = dir.path().join("staging.json");
    let env = json!({"name": "staging", "values": [{"key": "baseUrl", "value": "https://staging.example.com/api/v2", "enabled": true}]});
    fs::write(&staging, env.to_string()).unwrap();
    let s = Specmock::serve(&[
        SHOP,
        "--postman-env",
        ENV,
        "--postman-env",
        staging.to_str().unwrap(),
    ]);
    assert_eq!(
        send("GET", &s.url("/api/v2/users/42"), &[BEARER], None).status,
        200
    );
    drop(s);
    // A missing environment file is an error naming it; so is an
    // environment given as a document.
    let out = run(&["validate", SHOP, "--postman-env", "no-such-env.json"]);
    assert_eq!(out.code, Some(1), "{}", out.output());
    assert!(
        out.stderr
            .contains("no-such-env.json: --postman-env: cannot read"),
        "{}",
        out.stderr
    );
    let out = run(&["validate", ENV]);
    assert_eq!(out.code, Some(1), "{}", out.output());
    assert!(
        out.stderr.contains("this is a Postman environment, not a collection or an OpenAPI document (give it with --postman-env FILE"),
        "{}",
        out.stderr
    );
}

#[test]
fn scripts_are_warnings_naming_the_item_and_never_stop_serving() {
    let s = shop();
    assert_eq!(
        send("GET", &s.url("/v1/users/42"), &[BEARER], None).status,
        200
    );
    let (_, stderr) = s.terminate();
    let warned = |needle: &str| {
        stderr
            .lines()
            .any(|l| l.contains("WARN") && l.contains(needle))
    };
    assert!(
        warned(
            "shop.json: #/item/1/item/0/event/0: \"Public / Sign up\": its pre-request script is not run"
        ),
        "{stderr}"
    );
    assert!(
        warned("\"Users / Create user\": its test script is not run"),
        "{stderr}"
    );
    assert!(
        warned("1 request(s) have no saved response and answer 200 with an empty body: \"Health\""),
        "{stderr}"
    );
}

#[test]
fn a_v2_0_collection_basic_auth_and_host_parts() {
    let s = Specmock::serve(&[NOTES]);
    let r = get(&s.url("/api/notes/n1"));
    assert_eq!(r.status, 401, "{r:?}");
    assert!(r.body.contains("Basic"), "{}", r.body);
    let r = send(
        "GET",
        &s.url("/api/notes/n1"),
        &[("authorization", "Basic YWRhOnNlY3JldA==")],
        None,
    );
    assert_eq!(
        (r.status, r.json()["text"].clone()),
        (200, json!("buy milk"))
    );
}

/// Poll `url` until `done` holds for its answer; fail after a generous minute.
fn wait_until(url: &str, what: &str, done: impl Fn(&crate::common::Reply) -> bool) {
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = send("GET", url, &[BEARER], None);
        if done(&r) {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "waited a minute for {what}; last answer {r:?}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
}

#[test]
fn watch_reloads_an_edited_collection_and_its_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (f, env) = (
        dir.path().join("shop.json"),
        dir.path().join("env/local.json"),
    );
    fs::create_dir_all(dir.path().join("env")).unwrap();
    let text = fs::read_to_string(SHOP).unwrap();
    fs::write(&f, &text).unwrap();
    let env_text = fs::read_to_string(ENV).unwrap();
    fs::write(&env, &env_text).unwrap();
    let s = Specmock::serve(&[
        f.to_str().unwrap(),
        "--postman-env",
        env.to_str().unwrap(),
        "--watch",
    ]);
    assert_eq!(
        send("GET", &s.url("/v1/users/42"), &[BEARER], None).json()["name"],
        "Ada"
    );
    fs::write(
        &f,
        text.replace(
            r#"\"name\": \"Ada\", \"email\""#,
            r#"\"name\": \"Grace\", \"email\""#,
        ),
    )
    .unwrap();
    wait_until(&s.url("/v1/users/42"), "the collection's edit", |r| {
        r.status == 200 && r.json()["name"] == "Grace"
    });
    // The environment sits under the collection's folder: its edit reloads too.
    fs::write(
        &env,
        env_text.replace("shop.example.com/{{apiVersion}}", "shop.example.com/v2"),
    )
    .unwrap();
    wait_until(&s.url("/v2/users/42"), "the environment's edit", |r| {
        r.status == 200
    });
    let (_, stderr) = s.terminate();
    assert!(stderr.contains("reloaded after"), "{stderr}");
}

#[test]
fn fixtures_of_a_collection_operation_are_checked_and_served() {
    let dir = tempfile::tempdir().unwrap();
    let op = dir.path().join("shop/get-user");
    fs::create_dir_all(&op).unwrap();
    let grace = json!({
        "request": {"method": "GET", "path": "/v1/users/5"},
        "response": {"status": 200, "headers": {"content-type": "application/json"},
                     "body": {"id": 5, "name": "Grace", "email": "grace@example.com"}}
    });
    fs::write(op.join("grace.json"), grace.to_string()).unwrap();
    let fx = dir.path().to_str().unwrap();
    let out = run(&[
        "fixtures",
        "check",
        "--fixtures",
        fx,
        SHOP,
        "--postman-env",
        ENV,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let s = Specmock::serve(&[SHOP, "--postman-env", ENV, "--fixtures", fx]);
    let r = send("GET", &s.url("/v1/users/5"), &[BEARER], None);
    assert_eq!(r.json()["name"], "Grace", "{r:?}");
    drop(s);
    // A fixture whose body breaks the inferred schema (no `email`) fails the check.
    let broken = json!({
        "request": {"method": "GET", "path": "/v1/users/6"},
        "response": {"status": 200, "headers": {"content-type": "application/json"}, "body": {"id": 6, "name": "Nobody"}}
    });
    fs::write(op.join("broken.json"), broken.to_string()).unwrap();
    let out = run(&[
        "fixtures",
        "check",
        "--fixtures",
        fx,
        SHOP,
        "--postman-env",
        ENV,
    ]);
    assert_eq!(out.code, Some(1), "{}", out.output());
    assert!(
        out.output().contains("broken.json") && out.output().contains("email"),
        "{}",
        out.output()
    );
}

#[test]
fn run_checks_a_command_against_a_collection() {
    let ok = r#"curl -fsS -o /dev/null -H 'authorization: Bearer t' "$SPECMOCK_URL/v1/users/42""#;
    let out = run(&["run", SHOP, "--postman-env", ENV, "--", "sh", "-c", ok]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let bad = r#"curl -sS -o /dev/null -X POST -H 'authorization: Bearer t' -H 'content-type: application/json' -d '{}' "$SPECMOCK_URL/v1/users""#;
    let out = run(&["run", SHOP, "--postman-env", ENV, "--", "sh", "-c", bad]);
    assert_eq!(out.code, Some(1), "{}", out.output());
    assert!(out.stderr.contains("broke the contract"), "{}", out.stderr);
}

fn vendor(method: &str, path: &str, _head: &str) -> Answer {
    match (method, path) {
        ("GET", "/users/8") => (
            200,
            vec![("content-type".into(), "application/json".into())],
            r#"{"id": 8, "name": "Lin", "email": "lin@example.com"}"#.into(),
        ),
        _ => (404, vec![], String::new()),
    }
}

#[test]
fn record_forwards_a_collections_requests_and_writes_checked_fixtures() {
    let up = Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let fx = dir.path().to_str().unwrap();
    let rec = record(&[
        SHOP,
        "--postman-env",
        ENV,
        "--fixtures",
        fx,
        "--upstream",
        &up.url,
    ]);
    let r = send(
        "GET",
        &rec.url("/v1/users/8"),
        &[("authorization", "Bearer secret-bearer-value")],
        None,
    );
    assert_eq!(
        (r.status, r.json()["name"].clone()),
        (200, json!("Lin")),
        "{r:?}"
    );
    drop(rec);
    // --upstream replaces the base URL the environment gave (`.../v1`).
    let seen = up.seen.lock().unwrap().join("\n");
    assert!(seen.starts_with("GET /users/8 "), "{seen}");
    let files = files_under(dir.path());
    assert_eq!(files.len(), 1, "{files:?}");
    assert!(
        files[0].to_string_lossy().contains("shop/get-user/"),
        "{files:?}"
    );
    let text = fs::read_to_string(&files[0]).unwrap();
    assert!(!text.contains("secret-bearer-value"), "{text}");
    let v: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(v["response"]["body"]["email"], "lin@example.com");
    let out = run(&[
        "fixtures",
        "check",
        "--fixtures",
        fx,
        SHOP,
        "--postman-env",
        ENV,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
}

#[test]
fn the_inspectors_coverage_lists_the_collections_operations() {
    let s = shop();
    send("GET", &s.url("/v1/users/42"), &[BEARER], None);
    let cov = get(&s.url("/__specmock/coverage")).json();
    let ops: Vec<&str> = cov["operations"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|o| o["operation"].as_str())
        .collect();
    for id in [
        "get-user",
        "list-posts-of-a-user",
        "create-user",
        "sign-up",
        "upload-avatar",
        "health",
    ] {
        assert!(ops.contains(&id), "{id} not in {ops:?}");
    }
    let page = get(&s.url("/__specmock/inspector"));
    assert_eq!(page.status, 200);
}

/// The README's `validate` and `routes` lines under "Postman collections",
/// run from the repository folder, print exactly what the README shows.
#[test]
fn the_readmes_postman_output_is_what_the_commands_print() {
    let root = env!("CARGO_MANIFEST_DIR");
    let readme = fs::read_to_string(format!("{root}/README.md")).unwrap();
    let section = readme
        .split("## Postman collections\n")
        .nth(1)
        .expect("the README has a Postman section");
    let block = section
        .split("```\n")
        .nth(1)
        .expect("the section shows a session");
    let mut checked = 0;
    let lines: Vec<&str> = block.lines().collect();
    for (i, line) in lines.iter().enumerate() {
        let Some(cmd) = line.strip_prefix("$ specmock ") else {
            continue;
        };
        let args: Vec<&str> = cmd.split_whitespace().collect();
        if !matches!(args[0], "validate" | "routes") {
            continue;
        }
        let shown: Vec<&str> = lines[i + 1..]
            .iter()
            .take_while(|l| !l.starts_with("$ "))
            .copied()
            .collect();
        let out = crate::common::run_in(Some(std::path::Path::new(root)), &args);
        assert_eq!(out.code, Some(0), "{cmd}: {}", out.output());
        assert_eq!(out.stdout.lines().collect::<Vec<_>>(), shown, "{cmd}");
        checked += 1;
    }
    assert_eq!(checked, 2, "the README shows validate and routes");
}

#[test]
fn a_folder_of_postman_exports_loads_the_collection_and_skips_the_environment() {
    let dir = tempfile::tempdir().unwrap();
    let (c, e) = (
        dir.path().join("Shop.postman_collection.json"),
        dir.path().join("Shop local.postman_environment.json"),
    );
    fs::copy(SHOP, &c).unwrap();
    fs::copy(ENV, &e).unwrap();
    let folder = dir.path().to_str().unwrap();
    let env = e.to_str().unwrap();
    let out = run(&["routes", folder, "--postman-env", env]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    assert_eq!(out.stdout.lines().count(), 6, "{}", out.stdout);
    // The document is named by its file stem; `run` exports its URL (with
    // the base path) so.
    let check = r#"curl -fsS -o /dev/null -H 'x-api-key: k' "$SPECMOCK_URL_SHOP_POSTMAN_COLLECTION/health""#;
    let out = run(&["run", folder, "--postman-env", env, "--", "sh", "-c", check]);
    assert_eq!(out.code, Some(0), "{}", out.output());
}

#[test]
fn export_openapi_writes_the_used_part_of_a_collection_as_a_document() {
    let dir = tempfile::tempdir().unwrap();
    let (report, used) = (dir.path().join("r.json"), dir.path().join("used.json"));
    let calls = r#"curl -fsS -o /dev/null -H 'authorization: Bearer t' "$SPECMOCK_URL/v1/users/42" && curl -fsS -o /dev/null -d 'name=A&email=b' "$SPECMOCK_URL/v1/signup""#;
    let r = report.to_str().unwrap();
    let out = run(&[
        "run",
        SHOP,
        "--postman-env",
        ENV,
        "--report-json",
        r,
        "--",
        "sh",
        "-c",
        calls,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let u = used.to_str().unwrap();
    let out = run(&[
        "export",
        "openapi",
        "--report",
        r,
        SHOP,
        "--postman-env",
        ENV,
        "-o",
        u,
    ]);
    assert_eq!(out.code, Some(0), "{}", out.output());
    let text = fs::read_to_string(&used).unwrap();
    let doc: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(doc["servers"][0]["url"], "https://shop.example.com/v1");
    let paths: Vec<&String> = doc["paths"].as_object().unwrap().keys().collect();
    assert_eq!(paths, ["/users/{id}", "/signup"], "{text}");
    // The environment's token is a secret: it is in no example.
    assert!(!text.contains("local-token"), "{text}");
    let out = run(&["validate", u]);
    assert_eq!(out.code, Some(0), "{}", out.output());
}
