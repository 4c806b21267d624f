//! Form and multipart bodies checked like JSON ones, end to end: fields read
//! by their encoding (styles, JSON fields, Swagger 2.0 collectionFormat),
//! empty values and unencoded reserved characters where the contract says
//! no, `format: byte`, each violation located at `body/<field>`.

use crate::common::{Reply, Specmock, send};

fn docs() -> [String; 2] {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/documents");
    [format!("{dir}/forms.yaml"), format!("{dir}/form-data.yaml")]
}

fn serve() -> Specmock {
    let [a, b] = docs();
    Specmock::serve(&[&a, &b])
}

fn form(s: &Specmock, path: &str, body: &str) -> Reply {
    send(
        "POST",
        &s.url(path),
        &[("content-type", "application/x-www-form-urlencoded")],
        Some(body),
    )
}

const BOUNDARY: &str = "specmock-test-boundary";

/// A multipart/form-data body of text parts.
fn multipart(s: &Specmock, path: &str, parts: &[(&str, &str)]) -> Reply {
    let mut body = String::new();
    for (name, value) in parts {
        body.push_str(&format!(
            "--{BOUNDARY}\r\nContent-Disposition: form-data; name=\"{name}\"\r\n\r\n{value}\r\n"
        ));
    }
    body.push_str(&format!("--{BOUNDARY}--\r\n"));
    send(
        "POST",
        &s.url(path),
        &[(
            "content-type",
            &format!("multipart/form-data; boundary={BOUNDARY}"),
        )],
        Some(&body),
    )
}

/// (location, message) of each violation in a 422 problem body.
fn violations(r: &Reply) -> Vec<(String, String)> {
    assert_eq!(r.status, 422, "{r:?}");
    r.json()["violations"]
        .as_array()
        .map(|a| {
            a.iter()
                .map(|v| {
                    (
                        v["location"].as_str().unwrap_or("").to_string(),
                        v["message"].as_str().unwrap_or("").to_string(),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

fn locations(r: &Reply) -> Vec<String> {
    violations(r).into_iter().map(|(l, _)| l).collect()
}

fn ok(r: Reply) {
    assert_eq!(r.status, 200, "{r:?}");
}

#[test]
fn an_empty_value_is_refused_where_the_encoding_says_allow_empty_value_false() {
    let s = serve();
    // `note` has no encoding: an empty string is a string.
    ok(form(&s, "/empty", "name=x&note="));
    let r = form(&s, "/empty", "name=&note=");
    assert_eq!(locations(&r), ["body/name"]);
    assert!(violations(&r)[0].1.contains("allowEmptyValue is false"));
    // A name with no `=` is an empty value too.
    assert_eq!(locations(&form(&s, "/empty", "name")), ["body/name"]);

    ok(multipart(&s, "/empty", &[("name", "x"), ("note", "")]));
    let r = multipart(&s, "/empty", &[("name", ""), ("note", "")]);
    assert_eq!(locations(&r), ["body/name"]);
}

#[test]
fn swagger_form_data_refuses_empty_values_unless_allow_empty_value_is_true() {
    let s = serve();
    // Swagger 2.0's default is false; `note` says true.
    ok(form(&s, "/v2/empty", "name=x&note="));
    let r = form(&s, "/v2/empty", "name=&note");
    assert_eq!(locations(&r), ["body/name"]);
    ok(multipart(&s, "/v2/empty", &[("name", "x"), ("note", "")]));
    let r = multipart(&s, "/v2/empty", &[("name", "")]);
    assert_eq!(locations(&r), ["body/name"]);
}

#[test]
fn reserved_characters_must_be_encoded_where_the_style_is_written() {
    let s = serve();
    // `plain` has no encoding (read by content, allowReserved does not
    // apply); `open` allows them; `strict` sends them encoded.
    ok(form(
        &s,
        "/reserved",
        "strict=a%3Ab%2Fc&open=a:b/c&plain=a:b/c",
    ));
    let r = form(&s, "/reserved", "strict=a:b/c%40d&open=a:b");
    let v = violations(&r);
    assert_eq!(locations(&r), ["body/strict"]);
    assert!(
        v[0].1.contains("(\":\", \"/\")") && v[0].1.contains("%3A, %2F"),
        "{v:?}"
    );
    // `+` is a space in this media type, not a reserved character.
    ok(form(&s, "/reserved", "strict=a+b"));
    // A part of a multipart body is not percent-encoded at all.
    ok(multipart(&s, "/reserved", &[("strict", "a:b/c?d")]));
}

#[test]
fn format_byte_is_base64_in_form_fields_and_parts() {
    let s = serve();
    ok(form(&s, "/bytes", "blob=aGVsbG8%3D"));
    let r = form(&s, "/bytes", "blob=not*base64");
    assert_eq!(locations(&r), ["body/blob"]);
    assert!(violations(&r)[0].1.contains("byte"), "{r:?}");
    ok(multipart(&s, "/bytes", &[("blob", "aGVsbG8=")]));
    assert_eq!(
        locations(&multipart(&s, "/bytes", &[("blob", "!!")])),
        ["body/blob"]
    );
}

#[test]
fn form_fields_are_read_by_their_style() {
    let s = serve();
    let point = "%7B%22x%22%3A1%2C%22y%22%3A2%7D";
    ok(form(
        &s,
        "/styles",
        &format!(
            "ids=1&ids=2&csv=3,4&ssv=5%206&pipes=7|8&point={point}&points={point}&points={point}\
             &filter%5Bsize%5D=3&filter[color]=red&range=min,1,max,5&meta=%7B%22v%22%3A1%7D"
        ),
    ));
    // An object with no encoding may also come exploded into its own keys.
    ok(form(&s, "/styles", "x=1&y=2"));
    let cases = [
        ("ids=1&ids=x", "body/ids/1"),
        ("csv=3,x", "body/csv/1"),
        ("ssv=5%20x", "body/ssv/1"),
        ("pipes=7|x", "body/pipes/1"),
        (
            "point=%7B%22x%22%3A%22a%22%2C%22y%22%3A2%7D",
            "body/point/x",
        ),
        ("x=a&y=2", "body/point/x"),
        ("filter[size]=big", "body/filter/size"),
        ("range=min,a,max,5", "body/range/min"),
        ("meta=%7B%7D", "body/meta/v"),
    ];
    for (body, location) in cases {
        assert_eq!(locations(&form(&s, "/styles", body)), [location], "{body}");
    }
}

#[test]
fn a_form_field_sent_against_its_style_says_how_to_send_it() {
    let s = serve();
    let cases = [
        ("csv=3&csv=4", "body/csv", "explode false"),
        ("filter=3", "body/filter", "filter[name]=value"),
        ("meta=v1", "body/meta", "not valid JSON"),
        ("point=x", "body/point", "declared an object"),
    ];
    for (body, location, says) in cases {
        let v = violations(&form(&s, "/styles", body));
        assert_eq!(v.len(), 1, "{body}: {v:?}");
        assert_eq!(v[0].0, location, "{body}");
        assert!(v[0].1.contains(says), "{body}: {v:?}");
    }
}

#[test]
fn multipart_objects_are_json_parts_and_arrays_repeated_parts() {
    let s = serve();
    let point = r#"{"x":1,"y":2}"#;
    ok(multipart(
        &s,
        "/styles",
        &[
            ("ids", "1"),
            ("ids", "2"),
            ("csv", "3,4"),
            ("point", point),
            ("points", point),
            ("points", point),
            ("filter", r#"{"size":3}"#),
        ],
    ));
    let cases: [(&[(&str, &str)], &str); 5] = [
        (&[("ids", "1"), ("ids", "x")], "body/ids/1"),
        (&[("csv", "3,x")], "body/csv/1"),
        (&[("point", "x")], "body/point"),
        (&[("point", r#"{"x":1}"#)], "body/point/y"),
        (&[("points", point), ("points", "{")], "body/points/1"),
    ];
    for (parts, location) in cases {
        assert_eq!(
            locations(&multipart(&s, "/styles", parts)),
            [location],
            "{parts:?}"
        );
    }
}

#[test]
fn swagger_collection_formats_split_form_data_arrays() {
    let s = serve();
    // csv is Swagger 2.0's default.
    ok(form(
        &s,
        "/v2/collections",
        "csv=1,2&ssv=3%204&tsv=5%096&pipes=7|8&multi=9&multi=10",
    ));
    let cases = [
        ("csv=1,x", "body/csv/1"),
        ("ssv=3%20x", "body/ssv/1"),
        ("tsv=5%09x", "body/tsv/1"),
        ("pipes=7|x", "body/pipes/1"),
        ("multi=9&multi=x", "body/multi/1"),
        // Not csv: one value per field.
        ("csv=1&csv=2", "body/csv"),
    ];
    for (body, location) in cases {
        assert_eq!(
            locations(&form(&s, "/v2/collections", body)),
            [location],
            "{body}"
        );
    }
    ok(multipart(
        &s,
        "/v2/collections",
        &[
            ("csv", "1,2"),
            ("pipes", "7|8"),
            ("multi", "9"),
            ("multi", "10"),
        ],
    ));
    let r = multipart(&s, "/v2/collections", &[("csv", "1"), ("csv", "2")]);
    assert_eq!(locations(&r), ["body/csv"]);
    let r = multipart(&s, "/v2/collections", &[("multi", "9"), ("multi", "x")]);
    assert_eq!(locations(&r), ["body/multi/1"]);
}
