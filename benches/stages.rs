//! Micro-benchmarks of the pipeline's stages on the bundled specs, each stage
//! alone, so a regression shows up per stage; and routing and validation on a
//! generated 2,000-operation document (`bench/gen_spec.py`, needs python3),
//! whose cost must not grow with the spec. Run: `cargo bench --bench stages`.
//! (Whole-server measurements: `bench/run`, `bench/callgrind`,
//! `bench/logging-cost`, `bench/soak`.)

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hyper::Method;
use specmock::Contract;
use specmock::generate;
use specmock::{PipelineOptions, Request, ValidateOptions, validate};

const AXIOM_BODY: &str = r#"{"existingTokenExpiresAt":"2023-11-07T05:31:56Z","newToken":{"name":"ingest","description":"CI ingest token","expiresAt":"2024-11-07T05:31:56Z","datasetCapabilities":{"logs":{"ingest":["create"],"query":["read"]}},"orgCapabilities":{"annotations":["create"],"apiTokens":["read"],"auditLog":["read"],"billing":["read"],"dashboards":["create","read"],"datasets":["read"],"monitors":["read"],"users":["read"]},"viewCapabilities":{}},"newTokenExpiresAt":"2024-11-07T05:31:56Z"}"#;

fn axiom_request() -> Request {
    Request::new(Method::POST, "/v2/tokens/tok1/regenerate")
        .header("authorization", "Bearer xaat-0123456789")
        .header("content-type", "application/json")
        .body(AXIOM_BODY)
}

fn bench_route(c: &mut Criterion, name: &str, contract: &Contract, req: &Request) {
    c.bench_function(name, |b| {
        b.iter(|| {
            contract
                .routes()
                .route(black_box(&req.method), black_box(&req.path))
                .is_ok()
        })
    });
}

fn stages(c: &mut Criterion) {
    let contract = Contract::bundled().expect("bundled specs load");
    let req = axiom_request();

    bench_route(c, "route/axiom-regenerate", &contract, &req);

    // A request body read into a tape, beside serde_json reading it into a Value.
    c.bench_function("parse/axiom-body/tape", |b| {
        b.iter(|| specmock::instance::Tape::parse(black_box(AXIOM_BODY.as_bytes())).is_ok())
    });
    c.bench_function("parse/axiom-body/serde_json-value", |b| {
        b.iter(|| {
            serde_json::from_slice::<serde_json::Value>(black_box(AXIOM_BODY.as_bytes())).is_ok()
        })
    });

    let routed = contract
        .routes()
        .route(&req.method, &req.path)
        .expect("routed");
    let options = ValidateOptions::default();
    c.bench_function("validate/axiom-regenerate", |b| {
        b.iter(|| {
            let checked = validate(black_box(routed.clone()), black_box(&req), &options);
            assert!(checked.is_valid());
            checked
        })
    });

    let popts = PipelineOptions::default();
    c.bench_function("pipeline/axiom-regenerate", |b| {
        b.iter(|| specmock::run(&contract, black_box(&req), &popts))
    });

    // Generation: one SoftwareOne ApiToken body (the 200 of the PUT), as `Prefer: dynamic=true` does.
    let op = contract
        .operation("put-public-v1-accounts-api-tokens-id")
        .expect("the SoftwareOne operation");
    let plans = contract.plans(op.document()).expect("its plans");
    let schema = op.responses()[0].content[0]
        .schema
        .clone()
        .expect("the ApiToken schema");
    let params = vec![(std::sync::Arc::<str>::from("id"), "TKN-1".to_string())];
    let mut n = 0u64;
    c.bench_function("generate/softwareone-api-token", |b| {
        b.iter(|| {
            n += 1;
            let seed = generate::derive_seed(
                7,
                "softwareone/put-public-v1-accounts-api-tokens-id",
                &n.to_string(),
            );
            generate::generate(
                plans,
                &schema.loc,
                seed,
                &generate::Hints {
                    path_params: &params,
                },
            )
        })
    });

    // The same body serialised, as the response writer does (what was once an
    // `#[ignore]`d measurement in the test suite).
    c.bench_function("generate/softwareone-api-token+json", |b| {
        b.iter(|| {
            n += 1;
            let seed = generate::derive_seed(
                7,
                "softwareone/put-public-v1-accounts-api-tokens-id",
                &n.to_string(),
            );
            let v = generate::generate(
                plans,
                &schema.loc,
                seed,
                &generate::Hints {
                    path_params: &params,
                },
            );
            serde_json::to_vec(&v).map(|b| b.len())
        })
    });

    let invalid = Request::new(Method::PUT, "/api/admin/api-tokens/abc")
        .header("authorization", "*:*.admin")
        .header("content-type", "application/json")
        .body(r#"{"expiresAt":"tomorrow"}"#);
    c.bench_function("pipeline/unleash-invalid", |b| {
        b.iter(|| specmock::run(&contract, black_box(&invalid), &popts))
    });
}

/// Routing and validating the Unleash PUT with the bundled specs and inside a
/// generated 2,000-operation document: the two should cost the same.
fn large_spec(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let big = dir.path().join("big.yaml");
    let generated = std::process::Command::new("python3")
        .arg(concat!(env!("CARGO_MANIFEST_DIR"), "/bench/gen_spec.py"))
        .arg(&big)
        .status()
        .is_ok_and(|s| s.success());
    if !generated {
        eprintln!("python3 bench/gen_spec.py failed: skipping the 2,000-operation benchmarks");
        return;
    }
    let large = Contract::load(&specmock::SpecPaths {
        paths: vec![big],
        ..Default::default()
    })
    .expect("the generated document loads");
    let bundled = Contract::bundled().expect("bundled specs load");
    let req = Request::new(Method::PUT, "/api/admin/api-tokens/bench-token")
        .header("authorization", "*:*.964a287e1b728cb5f4f3e0120df92cb5")
        .header("content-type", "application/json")
        .body(r#"{"expiresAt":"2023-09-04T11:26:24+02:00"}"#);
    for (name, contract) in [("bundled", &bundled), ("2000-ops", &large)] {
        bench_route(c, &format!("route/unleash-put/{name}"), contract, &req);
        let routed = contract
            .routes()
            .route(&req.method, &req.path)
            .expect("routed");
        let vopts = ValidateOptions::default();
        c.bench_function(&format!("validate/unleash-put/{name}"), |b| {
            b.iter(|| validate(black_box(routed.clone()), black_box(&req), &vopts).is_valid())
        });
    }
}

criterion_group!(benches, stages, large_spec);
criterion_main!(benches);
