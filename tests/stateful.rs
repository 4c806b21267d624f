//! Stateful mode (`--stateful`) end to end: integer ids that follow the id's
//! schema, string (uuid) ids, lists in the list schema's shape, and the
//! resources the documents' examples and fixtures seed.

use serde_json::{Value, json};

use crate::common::{Specmock, get, send};

const JSON: (&str, &str) = ("content-type", "application/json");

fn document(name: &str) -> String {
    format!("{}/tests/documents/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The types the `Pet` schema declares, and nothing that breaks them.
fn assert_pet(v: &Value) {
    assert!(v["id"].is_i64(), "id is an integer: {v}");
    assert!(v["name"].is_string(), "name is a string: {v}");
    assert!(v.get("tag").is_none_or(Value::is_string), "tag: {v}");
}

#[test]
fn petstore_with_integer_ids() {
    let spec = document("petstore.yaml");
    let s = Specmock::serve(&[&spec, "--stateful"]);
    let pets = s.url("/v1/pets");

    // The GET item example is there from the start, under its own id.
    let list = get(&pets);
    assert_eq!(list.status, 200, "{list:?}");
    assert_eq!(list.json(), json!([{"id": 1, "name": "Rex", "tag": "dog"}]));
    let state = get(&s.url("/__specmock/state")).json();
    assert_eq!(state["resources"]["/v1/pets"][0]["id"], 1, "{state}");

    // Create: the body, Location and the store agree on an integer id above the seed.
    let r = send(
        "POST",
        &pets,
        &[JSON],
        Some(r#"{"name":"Tom","tag":"cat"}"#),
    );
    assert_eq!(r.status, 201, "{r:?}");
    let created = r.json();
    assert_pet(&created);
    assert_eq!(created["id"], 2, "{created}");
    assert_eq!(created["name"], "Tom");
    let location = r.header("location").expect("a Location header").to_string();
    assert_eq!(location, "/v1/pets/2");
    let r = send("POST", &pets, &[JSON], Some(r#"{"name":"Kit"}"#));
    assert_eq!(r.json()["id"], 3, "{}", r.body);
    assert_eq!(r.header("location"), Some("/v1/pets/3"));

    // Read by the Location: the same body, the same integer id.
    let r = get(&s.url(&location));
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json(), created);
    // The seed reads back too.
    assert_eq!(get(&s.url("/v1/pets/1")).json()["name"], "Rex");

    // The list is the store, in order.
    let list = get(&pets).json();
    let items = list.as_array().expect("a bare array, as the schema says");
    items.iter().for_each(assert_pet);
    let ids: Vec<i64> = items.iter().map(|p| p["id"].as_i64().unwrap()).collect();
    assert_eq!(ids, vec![1, 2, 3]);

    // Replace: the URL's id, as an integer, whatever the body says.
    let r = send(
        "PUT",
        &s.url(&location),
        &[JSON],
        Some(r#"{"name":"Thomas"}"#),
    );
    assert_eq!(r.status, 200, "{r:?}");
    assert_eq!(r.json(), json!({"id": 2, "name": "Thomas"}));
    assert_eq!(
        get(&s.url(&location)).json(),
        json!({"id": 2, "name": "Thomas"})
    );

    // Delete, then the vendor's declared 404 with its Error shape.
    let r = send("DELETE", &s.url(&location), &[], None);
    assert_eq!((r.status, r.body.as_str()), (204, ""), "{r:?}");
    let r = get(&s.url(&location));
    assert_eq!(r.status, 404, "{r:?}");
    let err = r.json();
    assert!(err["code"].is_i64() && err["message"].is_string(), "{err}");
    assert_eq!(
        send("PUT", &s.url(&location), &[JSON], Some(r#"{"name":"x"}"#)).status,
        404
    );
    let ids: Vec<Value> = get(&pets)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(1), json!(3)]);

    // Ids are never reused; reset brings the seed back and starts again above it.
    let r = send("POST", &pets, &[JSON], Some(r#"{"name":"Max"}"#));
    assert_eq!(r.json()["id"], 4, "{}", r.body);
    send("POST", &s.url("/__specmock/reset"), &[], None);
    assert_eq!(
        get(&pets).json(),
        json!([{"id": 1, "name": "Rex", "tag": "dog"}])
    );
    let r = send("POST", &pets, &[JSON], Some(r#"{"name":"Max"}"#));
    assert_eq!(r.json()["id"], 2, "{}", r.body);
}

#[test]
fn fixtures_of_item_gets_seed_the_store() {
    let dir = tempfile::tempdir().unwrap();
    let fixture = json!({
        "request": {"method": "GET", "path": "/v1/pets/7"},
        "response": {"status": 200, "headers": {"content-type": "application/json"},
                     "body": {"id": 7, "name": "Fido"}}
    });
    std::fs::write(dir.path().join("fido.json"), fixture.to_string()).unwrap();
    let spec = document("petstore.yaml");
    let fixtures = dir.path().to_str().unwrap();
    let s = Specmock::serve(&[&spec, "--fixtures", fixtures, "--stateful"]);
    let pets = s.url("/v1/pets");
    let ids: Vec<Value> = get(&pets)
        .json()
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["id"].clone())
        .collect();
    assert_eq!(ids, vec![json!(1), json!(7)]);
    let r = send("POST", &pets, &[JSON], Some(r#"{"name":"Bo"}"#));
    assert_eq!(
        (r.json()["id"].clone(), r.header("location")),
        (json!(8), Some("/v1/pets/8"))
    );
}

#[test]
fn uuid_ids_and_a_wrapped_list() {
    let spec = document("notes.yaml");
    let s = Specmock::serve(&[&spec, "--stateful"]);
    // Seeded under the path parameters' own examples.
    let notes = s.url("/users/ada/notes");
    let list = get(&notes).json();
    assert_eq!(
        list,
        json!({"data": [{"id": "6f1c2a8e-3b4d-4e5f-8a9b-0c1d2e3f4a5b", "text": "Buy milk"}], "total": 1})
    );
    let r = send("POST", &notes, &[JSON], Some(r#"{"text":"Call Bob"}"#));
    assert_eq!(r.status, 201, "{r:?}");
    let id = r.json()["id"].as_str().expect("a string id").to_string();
    assert!(uuid_shaped(&id), "{id}");
    assert_eq!(
        r.header("location"),
        Some(format!("/users/ada/notes/{id}").as_str())
    );
    let r = send(
        "PATCH",
        &format!("{notes}/{id}"),
        &[JSON],
        Some(r#"{"text":"Call Bob at 5"}"#),
    );
    assert_eq!(r.json(), json!({"id": id, "text": "Call Bob at 5"}));
    let list = get(&notes).json();
    assert_eq!(list["total"], 2, "{list}");
    assert_eq!(list["data"][1]["text"], "Call Bob at 5");
    // Another user's notes are another collection, seeded with nothing.
    assert_eq!(
        get(&s.url("/users/bob/notes")).json(),
        json!({"data": [], "total": 0})
    );
    // A missing note: the declared 404 on GET; PATCH declares none, so it
    // gets what the document says (its 200).
    let missing = format!("{notes}/00000000-0000-4000-8000-000000000000");
    assert_eq!(get(&missing).status, 404);
    let r = send("PATCH", &missing, &[JSON], Some(r#"{"text":"x"}"#));
    assert_eq!(r.status, 200, "{r:?}");
}

fn uuid_shaped(s: &str) -> bool {
    let parts: Vec<usize> = s.split('-').map(str::len).collect();
    parts == [8, 4, 4, 4, 12] && s.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

#[test]
fn adafruit_tokens_are_seeded_under_the_parameters_examples() {
    let s = Specmock::serve(&["--stateful"]);
    let key = ("x-aio-key", "aio_test_key");
    let list = send("GET", &s.url("/api/v2/jdoe_maker/tokens"), &[key], None).json();
    assert_eq!(
        list,
        json!([{"id": "48213", "token": "a1b2c3d4e5f60718293a4b5c6d7e8f90"}])
    );
}
