//! Field coverage end to end: which parameters, body properties, enum
//! values and branches the requests and answers used, in the coverage
//! endpoint, the reports and the `--min-coverage` threshold of `run`.

use serde_json::Value;

use crate::common::{Specmock, get, run, send};

const DOC: &str = "tests/documents/fields.yaml";

const BODY: &str = r#"{"name":"Rex","tags":[{"label":"a"}],"labels":{"k":"v"},"owner":{"type":"company","company":"ACME"}}"#;

fn put_pet(s: &Specmock) {
    let r = send(
        "PUT",
        &s.url("/v1/pets/7?sort=asc"),
        &[("x-trace", "t1"), ("content-type", "application/json")],
        Some(BODY),
    );
    assert_eq!(r.status, 200, "{}", r.body);
}

fn coverage(s: &Specmock, query: &str) -> Value {
    let r = get(&s.url(&format!("/__specmock/coverage{query}")));
    assert_eq!(r.status, 200, "{}", r.body);
    serde_json::from_str(&r.body).unwrap()
}

fn op<'a>(c: &'a Value, id: &str) -> &'a Value {
    c["operations"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["operation"] == id)
        .unwrap()
}

fn strings(v: &Value) -> Vec<String> {
    let mut out: Vec<String> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    out.sort();
    out
}

#[test]
fn coverage_lists_exactly_the_fields_sent_and_served() {
    let s = Specmock::serve(&[DOC]);
    put_pet(&s);
    let c = coverage(&s, "?detail=fields");
    let f = &op(&c, "putPet")["fields"];
    let mut want = vec![
        "path/id",
        "query/sort",
        "header/x-trace",
        "request/name",
        "request/tags",
        "request/tags/[]/label",
        "request/labels",
        "request/labels/*",
        "request/owner",
        "request/owner/type",
        "request/owner/company",
        "response/200/name",
        "response/200/kind",
    ];
    want.sort();
    assert_eq!(strings(&f["used"]), want, "{f:#}");
    let unused = strings(&f["unused"]);
    for never in [
        "request/kind",
        "request/parent",
        "request/owner/person",
        "response/default/message",
    ] {
        assert!(
            unused.contains(&never.to_string()),
            "{never} not in {unused:?}"
        );
    }
    assert!(
        !unused.iter().any(|u| u.contains("parent/parent")),
        "recursion is folded: {unused:?}"
    );
    assert_eq!(f["total"], want.len() + unused.len());
    assert_eq!(
        f["percent"],
        (want.len() * 100 / (want.len() + unused.len())) as u64
    );
    assert_eq!(f["enums"]["query/sort"], serde_json::json!(["asc"]));
    assert_eq!(f["enums_unused"]["query/sort"], serde_json::json!(["desc"]));
    assert_eq!(f["enums"]["response/200/kind"], serde_json::json!(["dog"]));
    assert_eq!(
        f["branches"]["request/owner"],
        serde_json::json!(["oneOf/1"])
    );
    assert_eq!(
        f["branches_unused"]["request/owner"],
        serde_json::json!(["oneOf/0"])
    );
    // Never called: nothing used, everything listed as unused.
    let list = &op(&c, "listPets")["fields"];
    assert_eq!(list["used"], serde_json::json!([]));
    assert!(strings(&list["unused"]).contains(&"response/200/[]/name".to_string()));
    // Without ?detail=fields: the totals only.
    let short = coverage(&s, "");
    let f = &op(&short, "putPet")["fields"];
    assert!(
        f.get("used").is_none() || f["used"] == serde_json::json!([]),
        "{f}"
    );
    assert_eq!(f["percent"], op(&c, "putPet")["fields"]["percent"]);
    assert!(short["summary"]["fields_used"].as_u64().unwrap() >= want.len() as u64);
}

#[test]
fn counters_survive_the_journal_ring_and_go_with_reset() {
    // A journal of one entry: the ring wraps on every request, the field
    // counters do not.
    let s = Specmock::serve(&[DOC, "--journal-size", "1"]);
    put_pet(&s);
    assert_eq!(get(&s.url("/v1/pets")).status, 200);
    let c = coverage(&s, "?detail=fields");
    assert!(strings(&op(&c, "putPet")["fields"]["used"]).contains(&"query/sort".to_string()));
    assert_eq!(
        op(&c, "listPets")["fields"]["used"],
        serde_json::json!(["response/200/[]/name"])
    );
    let r = send("POST", &s.url("/__specmock/reset"), &[], None);
    assert!(r.status < 300, "{}", r.body);
    let c = coverage(&s, "?detail=fields");
    assert_eq!(op(&c, "putPet")["fields"]["used"], serde_json::json!([]));
}

#[test]
fn no_field_coverage_counts_nothing() {
    let s = Specmock::serve(&[DOC, "--no-field-coverage"]);
    put_pet(&s);
    let c = coverage(&s, "?detail=fields");
    assert_eq!(op(&c, "putPet")["fields"]["used"], serde_json::json!([]));
    assert_eq!(
        c["summary"]["fields_counted"], false,
        "not counted is said, never read as unused"
    );
    let on = Specmock::serve(&[DOC]);
    assert_eq!(coverage(&on, "")["summary"]["fields_counted"], true);
}

const PUT: &str = r#"curl -fsS -o /dev/null -X PUT "$SPECMOCK_URL/v1/pets/7?sort=asc" -H 'x-trace: t1' -H 'content-type: application/json' -d '{"name":"Rex","tags":[{"label":"a"}],"labels":{"k":"v"},"owner":{"type":"company","company":"ACME"}}'"#;

fn run_with(extra: &[&str]) -> crate::common::Run {
    let mut args = vec!["run", DOC];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--", "sh", "-c", PUT]);
    run(&args)
}

/// The scoped field percentage `run` reports.
fn measured(stderr: &str) -> u64 {
    let line = stderr
        .lines()
        .find(|l| l.contains("coverage"))
        .expect(stderr);
    let at = line.find("fields ").expect(line) + 7;
    line[at..].split('%').next().unwrap().parse().expect(line)
}

#[test]
fn min_coverage_passes_at_the_measured_figure_and_fails_one_point_above() {
    let first = run_with(&["--coverage-scope", "putPet"]);
    assert_eq!(first.code, Some(0), "{}", first.stderr);
    let fields = measured(&first.stderr);
    assert!(fields > 0 && fields < 100, "{}", first.stderr);
    let at = format!("operations=100,statuses=50,fields={fields}");
    let pass = run_with(&["--coverage-scope", "putPet", "--min-coverage", &at]);
    assert_eq!(pass.code, Some(0), "{}", pass.stderr);
    let above = format!("fields={}", fields + 1);
    let fail = run_with(&["--coverage-scope", "putPet", "--min-coverage", &above]);
    assert_eq!(fail.code, Some(1), "{}", fail.stderr);
    assert!(fail.stderr.contains("is below"), "{}", fail.stderr);
    assert!(
        fail.stderr.contains("putPet request/kind"),
        "what is missing is listed: {}",
        fail.stderr
    );
    // Unscoped, listPets was never called: operations=100 fails naming it.
    let all = run_with(&["--min-coverage", "operations=100"]);
    assert_eq!(all.code, Some(1), "{}", all.stderr);
    assert!(
        all.stderr.contains("never called: listPets"),
        "{}",
        all.stderr
    );
    // A threshold that is not one is refused, saying how to write it.
    let bad = run_with(&["--min-coverage", "lines=80"]);
    assert_eq!(bad.code, Some(2), "{}", bad.stderr);
    assert!(
        bad.stderr.contains("use operations, statuses or fields"),
        "{}",
        bad.stderr
    );
}

#[test]
fn reports_carry_field_coverage() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("r.json");
    let junit = dir.path().join("r.xml");
    let out = run_with(&[
        "--report-json",
        json.to_str().unwrap(),
        "--report-junit",
        junit.to_str().unwrap(),
    ]);
    assert_eq!(out.code, Some(0), "{}", out.stderr);
    let r: Value = serde_json::from_slice(&std::fs::read(&json).unwrap()).unwrap();
    let f = &op(&r, "putPet")["fields"];
    assert!(
        strings(&f["used"]).contains(&"request/owner/company".to_string()),
        "{f}"
    );
    let xml = std::fs::read_to_string(&junit).unwrap();
    assert!(xml.contains("fields used: 13/"), "{xml}");
}

fn vendor(method: &str, path: &str, _head: &str) -> crate::common::Answer {
    let json = ("content-type".to_string(), "application/json".to_string());
    match (method, path) {
        ("PUT", p) if p.starts_with("/v1/pets/") => (
            200,
            vec![json],
            r#"{"name":"Rex","kind":"cat","labels":{"a":"b"}}"#.into(),
        ),
        _ => (404, vec![], String::new()),
    }
}

#[test]
fn recorded_traffic_counts_its_fields_too() {
    let up = crate::common::Upstream::start(vendor);
    let dir = tempfile::tempdir().unwrap();
    let rec = crate::common::record(&[
        DOC,
        "--fixtures",
        dir.path().to_str().unwrap(),
        "--upstream",
        &format!("{}/v1", up.url),
    ]);
    put_pet(&rec);
    let c = coverage(&rec, "?detail=fields");
    let f = &op(&c, "putPet")["fields"];
    let used = strings(&f["used"]);
    for want in [
        "query/sort",
        "request/owner/company",
        "response/200/kind",
        "response/200/labels/*",
    ] {
        assert!(used.contains(&want.to_string()), "{want} not in {used:?}");
    }
    assert_eq!(f["enums"]["response/200/kind"], serde_json::json!(["cat"]));
}
