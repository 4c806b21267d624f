//! Arbitrary bytes as a YAML/JSON OpenAPI or Swagger document through the
//! whole loader: parse, detect the version, upgrade Swagger 2.0, resolve
//! `$ref`s, convert schemas and compile validators. It must return
//! `Ok`/`Err`, never panic, hang or exhaust memory.

#![no_main]

use libfuzzer_sys::fuzz_target;
use specmock::spec::{SpecSource, load_document};

fuzz_target!(|data: &[u8]| {
    // Documents are read as UTF-8 text; invalid sequences become U+FFFD
    // rather than wasting the input.
    let text = String::from_utf8_lossy(data).into_owned();
    let src = SpecSource::from_text("fuzz.yaml", text);
    match load_document(&src) {
        Ok(doc) => {
            for op in &doc.operations {
                std::hint::black_box((&op.route(), op.parameters().len(), op.responses().len()));
            }
        }
        Err(errors) => {
            // Rendering the errors is part of the contract too.
            std::hint::black_box(errors.to_string());
        }
    }
});
