//! Arbitrary bytes as one fixture file (JSON or YAML) loaded against the
//! bundled contract: `FixtureStore::load` (parse, route, check the response
//! against its declaration) and `fixtures::check` (the request side through
//! the validator). A fixture that loads is then matched against the request
//! it describes (`find`, `has_match`, `closest`).

#![no_main]

mod common;

use bytes::Bytes;
use hyper::header::{HeaderName, HeaderValue};
use libfuzzer_sys::fuzz_target;
use specmock::Request;
use specmock::{FixtureSource, FixtureStore, check_fixtures};

fuzz_target!(|data: &[u8]| {
    let contract = common::contract();
    let text = String::from_utf8_lossy(data).into_owned();
    let sources = [FixtureSource::new("fuzz.json", text)];
    let (store, warnings) = FixtureStore::load(&sources, contract.loaded());
    std::hint::black_box(&warnings);
    std::hint::black_box(check_fixtures(&sources, contract.loaded()));

    for f in store.all() {
        let Some(op) = contract.operation(&f.operation) else {
            continue;
        };
        let mut req = Request::new(f.method.clone(), &f.path);
        if !f.query.is_empty() {
            req.query = Some(
                f.query
                    .iter()
                    .map(|(k, v)| format!("{}={}", common::pct(k), common::pct(v)))
                    .collect::<Vec<_>>()
                    .join("&"),
            );
        }
        for (k, v) in &f.headers {
            if let (Ok(k), Ok(v)) = (
                HeaderName::from_bytes(k.as_bytes()),
                HeaderValue::from_str(v),
            ) {
                req.headers.append(k, v);
            }
        }
        if let Some(b) = &f.body {
            req.body = Bytes::from(b.to_string());
        }
        let body = f.body.clone().map(specmock::RequestBody::from);
        let body = body.as_ref();
        std::hint::black_box(store.has_match(op, &req, body));
        std::hint::black_box(
            store
                .find(op, &req, body, &specmock::SequenceCursors::default())
                .map(|m| m.status),
        );
        std::hint::black_box(store.closest(op, &req, body).map(|(m, d)| (m.status, d)));
    }
});
