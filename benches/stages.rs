//! Micro-benchmarks of the pipeline's stages on the bundled specs, each stage
//! alone, so a regression shows up per stage. Run: `cargo bench --bench stages`.
//! (Whole-server load scripts: `bench/logging-cost`, `bench/soak`.)

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use hyper::Method;
use specmock::Contract;
use specmock::pipeline::{self, PipelineOptions};
use specmock::request::Request;
use specmock::respond::generate;
use specmock::validate::{ValidateOptions, validate};

const AXIOM_BODY: &str = r#"{"existingTokenExpiresAt":"2023-11-07T05:31:56Z","newToken":{"name":"ingest","description":"CI ingest token","expiresAt":"2024-11-07T05:31:56Z","datasetCapabilities":{"logs":{"ingest":["create"],"query":["read"]}},"orgCapabilities":{"annotations":["create"],"apiTokens":["read"],"auditLog":["read"],"billing":["read"],"dashboards":["create","read"],"datasets":["read"],"monitors":["read"],"users":["read"]},"viewCapabilities":{}},"newTokenExpiresAt":"2024-11-07T05:31:56Z"}"#;

fn axiom_request() -> Request {
    Request::new(Method::POST, "/v2/tokens/tok1/regenerate")
        .header("authorization", "Bearer xaat-0123456789")
        .header("content-type", "application/json")
        .body(AXIOM_BODY)
}

fn stages(c: &mut Criterion) {
    let contract = Contract::bundled().expect("bundled specs load");
    let req = axiom_request();

    c.bench_function("route/axiom-regenerate", |b| {
        b.iter(|| {
            contract
                .routes()
                .route(black_box(&req.method), black_box(&req.path))
                .is_ok()
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
        b.iter(|| pipeline::run(&contract, black_box(&req), &popts))
    });

    // Generation: one SoftwareOne ApiToken body (the 200 of the PUT), as `Prefer: dynamic=true` does.
    let op = contract
        .operation("put-public-v1-accounts-api-tokens-id")
        .expect("the SoftwareOne operation");
    let doc = contract.document(&op.document).expect("its document");
    let schema = op.responses[0].content[0]
        .schema
        .clone()
        .expect("the ApiToken schema");
    let params = vec![("id".to_string(), "TKN-1".to_string())];
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
                &doc.files,
                &schema.loc,
                seed,
                &generate::Hints {
                    path_params: &params,
                },
            )
        })
    });

    let invalid = Request::new(Method::PUT, "/api/admin/api-tokens/abc")
        .header("authorization", "*:*.admin")
        .header("content-type", "application/json")
        .body(r#"{"expiresAt":"tomorrow"}"#);
    c.bench_function("pipeline/unleash-invalid", |b| {
        b.iter(|| pipeline::run(&contract, black_box(&invalid), &popts))
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
