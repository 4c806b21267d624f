//! Response-body generation over the bundled documents: every schema of every
//! operation (responses and request bodies) gets bodies that validate against
//! the validator the loader compiled for it, for many seeds; the output is
//! pinned byte for byte for one seed.

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::Value;
use specmock::Contract;
use specmock::respond::generate::{Hints, Plans, derive_seed, generate, generate_for};
use specmock::spec::{Direction, FileSet, Schema};

fn contract() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| Contract::bundled().expect("the bundled specs load"))
}

/// One schema to generate for: where it is, which side of the exchange, and
/// the request that would ask for it.
struct Case {
    label: String,
    files: &'static FileSet,
    plans: &'static Plans,
    schema: &'static Schema,
    dir: Direction,
    operation: String,
    path: String,
    params: Vec<(String, String)>,
}

/// Every response and request-body media type that has a schema, of every
/// operation of every bundled document.
fn cases() -> &'static [Case] {
    static CASES: OnceLock<Vec<Case>> = OnceLock::new();
    CASES.get_or_init(|| {
        let mut out = Vec::new();
        for doc in contract().documents() {
            for op in &doc.operations {
                let params: Vec<(String, String)> = op
                    .parameters
                    .iter()
                    .filter(|p| p.location == specmock::spec::ParamIn::Path)
                    .map(|p| (p.name.clone(), format!("{}-42", p.name)))
                    .collect();
                let mut path = op.route.clone();
                for (k, v) in &params {
                    path = path.replace(&format!("{{{k}}}"), v);
                }
                let mut push = |what: String, schema: &'static Schema, dir| {
                    out.push(Case {
                        label: format!("{} {what}", op.qualified_id()),
                        files: &doc.files,
                        plans: &doc.plans,
                        schema,
                        dir,
                        operation: op.qualified_id(),
                        path: path.clone(),
                        params: params.clone(),
                    });
                };
                for r in &op.responses {
                    for m in &r.content {
                        if let Some(s) = &m.schema {
                            push(
                                format!("{} {}", r.status, m.media_type),
                                s,
                                Direction::Response,
                            );
                        }
                    }
                }
                if let Some(body) = &op.request_body {
                    for m in &body.content {
                        if let Some(s) = &m.schema {
                            push(format!("request {}", m.media_type), s, Direction::Request);
                        }
                    }
                }
            }
        }
        out
    })
}

fn gen_case(c: &Case, seed: u64) -> Value {
    let hints = Hints {
        path_params: &c.params,
    };
    generate_for(c.plans, &c.schema.loc, seed, &hints, c.dir)
}

/// Panics with the first error, the seed and the value when `v` is invalid.
fn assert_valid(c: &Case, seed: u64, v: &Value) {
    if let Some(e) = c.schema.validator.iter_errors(v).next() {
        panic!(
            "{}: seed {seed}: generated body is invalid at {:?}: {e}\nbody: {}",
            c.label,
            e.instance_path().to_string(),
            serde_json::to_string_pretty(v).unwrap()
        );
    }
}

#[test]
fn the_bundled_documents_have_schemas_to_generate_for() {
    let cases = cases();
    // Adafruit alone has 26 operations, every response with a schema but
    // destroyFeed's 200 (no body).
    assert!(cases.len() > 60, "{} cases", cases.len());
    for doc in ["adafruit-io", "axiom", "softwareone", "unleash"] {
        assert!(
            cases
                .iter()
                .any(|c| c.operation.starts_with(&format!("{doc}/"))),
            "no schema in {doc}"
        );
    }
}

#[test]
fn every_schema_gets_1000_valid_bodies() {
    for c in cases() {
        for seed in 0..1000 {
            let v = gen_case(c, seed);
            assert_valid(c, seed, &v);
        }
    }
}

#[test]
fn bodies_vary_with_the_seed() {
    // Each object schema with properties gets more than one distinct body over 50 seeds.
    for c in cases() {
        let (_, s) = c.files.deref(&c.schema.loc).unwrap();
        let declares = s
            .get("properties")
            .is_some_and(|p| p.as_object().is_some_and(|p| !p.is_empty()))
            || s.get("allOf").is_some()
            || s.get("type") == Some(&Value::String("string".into()));
        if !declares {
            continue;
        }
        let mut seen: Vec<String> = (0..50).map(|seed| gen_case(c, seed).to_string()).collect();
        seen.sort();
        seen.dedup();
        assert!(seen.len() > 1, "{}: always {}", c.label, seen[0]);
    }
}

#[test]
fn path_parameters_come_back_in_the_body() {
    let c = contract();
    for (op, param, value) in [
        (
            "softwareone/put-public-v1-accounts-api-tokens-id",
            "id",
            "TKN-1",
        ),
        (
            "axiom/regenerateAPIToken",
            "id",
            "6f1d2c3b-8a4e-4b7f-9c2d-1e0a5b4c3d2e",
        ),
    ] {
        let op = c.operation(op).unwrap();
        let doc = c
            .documents()
            .iter()
            .find(|d| d.name == op.document)
            .unwrap();
        let schema = op.responses[0].content[0].schema.as_ref().unwrap();
        let params = [(param.to_string(), value.to_string())];
        let hints = Hints {
            path_params: &params,
        };
        for seed in 0..100 {
            let v = generate(&doc.plans, &schema.loc, seed, &hints);
            assert_eq!(v[param], value, "{}: seed {seed}: {v}", op.qualified_id());
            assert!(schema.validator.is_valid(&v));
        }
    }
}

/// The SoftwareOne ApiToken body (200 of `put-public-v1-accounts-api-tokens-id`)
/// for user seed 7 and `/public/v1/accounts/api-tokens/TKN-1`.
fn api_token(user_seed: u64) -> String {
    let c = contract();
    let op = c
        .operation("softwareone/put-public-v1-accounts-api-tokens-id")
        .unwrap();
    let doc = c
        .documents()
        .iter()
        .find(|d| d.name == "softwareone")
        .unwrap();
    let schema = op.responses[0].content[0].schema.as_ref().unwrap();
    let path = "/public/v1/accounts/api-tokens/TKN-1";
    let params = [("id".to_string(), "TKN-1".to_string())];
    let hints = Hints {
        path_params: &params,
    };
    let seed = derive_seed(user_seed, &op.qualified_id(), path);
    let v = generate(&doc.plans, &schema.loc, seed, &hints);
    assert!(schema.validator.is_valid(&v), "{v}");
    serde_json::to_string(&v).unwrap()
}

/// Any change to the generator's output (the RNG, the order of draws, the
/// data) breaks this on purpose: generated bodies are part of what users pin
/// in their own tests with `--seed`.
#[test]
fn golden_api_token_body_for_seed_7() {
    const GOLDEN: &str = concat!(
        r#"{"id":"TKN-1","name":"cedar meadow maple","description":"amber ember","#,
        r#""icon":"https://example.com/orbit/5232","lastAccessAt":"2030-07-13T00:41:03+07:00","#,
        r#""modules":[{"name":"orbit raven"},{"description":"amber","name":"harbor kestrel fable"}]}"#,
    );
    assert_eq!(api_token(7), GOLDEN);
}

#[test]
fn seeds_7_and_8_give_different_bodies() {
    assert_ne!(api_token(7), api_token(8));
    assert_eq!(api_token(7), api_token(7));
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// Any seed, any schema of the bundled documents, any path-parameter
    /// value: the body validates, and the same inputs give the same bytes.
    #[test]
    fn generated_bodies_validate(
        case in 0..cases().len(),
        seed in any::<u64>(),
        value in "[A-Za-z0-9._~:-]{0,24}",
    ) {
        let c = &cases()[case];
        let params: Vec<(String, String)> = c.params.iter().map(|(k, _)| (k.clone(), value.clone())).collect();
        let hints = Hints { path_params: &params };
        let seed = derive_seed(seed, &c.operation, &c.path);
        let v = generate_for(c.plans, &c.schema.loc, seed, &hints, c.dir);
        if let Some(e) = c.schema.validator.iter_errors(&v).next() {
            prop_assert!(false, "{}: seed {}: invalid at {}: {}\n{}", c.label, seed, e.instance_path(), e, v);
        }
        let again = generate_for(c.plans, &c.schema.loc, seed, &hints, c.dir);
        prop_assert_eq!(v.to_string(), again.to_string());
    }
}
