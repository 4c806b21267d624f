//! Arbitrary bytes as a document that loads, then served: the contract is
//! built from it (route table included) and every operation (the first 16)
//! is called once with `dynamic` on, so the body generator runs on the
//! schemas the fuzzer invents (patterns, bounds, composition, recursion),
//! and once with examples preferred. Loading must not panic (as in
//! `load_document`); neither must routing, validation or generation, and
//! generation must stay bounded in time and memory.

#![no_main]

mod common;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use specmock::Contract;
use specmock::Request;
use specmock::spec::SpecSource;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data).into_owned();
    let Ok(contract) = Contract::from_sources(vec![SpecSource::from_text("fuzz.yaml", text)])
    else {
        return;
    };
    let seed = data.len() as u64;
    for op in contract.operations().take(16) {
        let path = common::fill_template(&op.route(), &[], true);
        let mut req = Request::new(op.method().clone(), &path);
        // A body from the operation's own example, when it has one.
        if let Some(rb) = &op.request_body()
            && let Some(m) = rb.content.first()
        {
            if let Some(e) = m.examples.first() {
                req.body = Bytes::from(e.value.to_string());
            }
            if let Ok(v) = hyper::header::HeaderValue::from_str(&m.media_type) {
                req.headers.insert(hyper::header::CONTENT_TYPE, v);
            }
        }
        for dynamic in [true, false] {
            let options = common::options(seed, false, dynamic, false);
            common::consume(&specmock::run(&contract, &req, &options), &req);
        }
    }
});
