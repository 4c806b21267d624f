//! Raw bytes as a query string, an application/x-www-form-urlencoded body or
//! a multipart/form-data body, against Adafruit IO's `createToken`
//! (`POST /api/v2/{username}/tokens`), `createData` and `allData`
//! (`GET /api/v2/{username}/feeds/{feed_key}/data?...`), through the whole
//! pipeline.
//!
//! Input layout (raw bytes, so seeds are readable files): the first byte
//! picks the mode (below, modulo their count); the rest is the payload.
//!
//! The bundled Adafruit document consumes JSON and form bodies only, so a
//! multipart body sent to it stops at the content-type check. The multipart
//! modes therefore also run against a copy of the document whose `consumes`
//! adds `multipart/form-data` and `text/plain`, so the multipart parser and
//! the form-field coercion run on every such input.

#![no_main]

mod common;

use std::sync::OnceLock;

use bytes::Bytes;
use libfuzzer_sys::fuzz_target;
use specmock::Contract;
use specmock::Request;
use specmock::spec::{Method, SpecSource};

/// Adafruit IO with multipart/form-data and text/plain added to `consumes`.
fn multipart_contract() -> &'static Contract {
    static C: OnceLock<Contract> = OnceLock::new();
    C.get_or_init(|| {
        let (_, text) = specmock::BUNDLED_SPECS
            .iter()
            .find(|(n, _)| *n == "adafruit-io.yaml")
            .expect("adafruit-io.yaml is bundled");
        let anchor = "consumes:\n  - application/json\n";
        assert!(text.contains(anchor), "adafruit-io.yaml declares consumes");
        let text = text.replacen(
            anchor,
            "consumes:\n  - application/json\n  - multipart/form-data\n  - text/plain\n",
            1,
        );
        let c = Contract::from_sources(vec![SpecSource::from_text("adafruit-io.yaml", text)])
            .expect("the extended Adafruit document loads");
        let op = c.operation("createToken").expect("createToken");
        let body = op.request_body().expect("createToken takes a body");
        assert!(
            body.content
                .iter()
                .any(|m| m.media_type == "multipart/form-data"),
            "createToken accepts multipart in the extended document: {:?}",
            body.content
                .iter()
                .map(|m| &m.media_type)
                .collect::<Vec<_>>()
        );
        c
    })
}

const MODES: u8 = 8;

fn run(contract: &Contract, req: &Request, seed: u8) {
    let options = common::options(seed as u64, seed & 1 == 1, false, false);
    common::consume(&specmock::run(contract, req, &options), req);
}

fn post(path: &str, content_type: &str, body: &[u8]) -> Request {
    Request::new(Method::POST, path)
        .header("x-aio-key", "aio_FUZZ0123456789")
        .header("content-type", content_type)
        .body(Bytes::copy_from_slice(body))
}

fuzz_target!(|data: &[u8]| {
    let Some((&mode, payload)) = data.split_first() else {
        return;
    };
    let text = String::from_utf8_lossy(payload);
    let bundled = common::contract();
    match mode % MODES {
        // allData: the payload is the query string (keyed by header).
        0 => {
            let mut req = Request::new(Method::GET, "/api/v2/jdoe/feeds/temperature/data")
                .header("x-aio-key", "aio_FUZZ0123456789");
            req.query = Some(text.into_owned());
            run(bundled, &req, mode);
        }
        // allData: the payload is the whole query, credentials (X-AIO-Key) included or not.
        1 => {
            let mut req = Request::new(Method::GET, "/api/v2/jdoe/feeds/temperature/data");
            req.query = Some(text.into_owned());
            run(bundled, &req, mode);
        }
        // createToken: form body.
        2 => {
            let req = post(
                "/api/v2/jdoe/tokens",
                "application/x-www-form-urlencoded",
                payload,
            );
            run(bundled, &req, mode);
        }
        // createToken: the payload as both the query string and the form body.
        3 => {
            let mut req = post(
                "/api/v2/jdoe/tokens",
                "application/x-www-form-urlencoded; charset=utf-8",
                payload,
            );
            req.query = Some(text.into_owned());
            run(bundled, &req, mode);
        }
        // createToken: multipart with a fixed boundary (bundled: refused; extended: parsed).
        4 => {
            let req = post(
                "/api/v2/jdoe/tokens",
                "multipart/form-data; boundary=XyZ",
                payload,
            );
            run(bundled, &req, mode);
            run(multipart_contract(), &req, mode);
        }
        // createToken: multipart; the payload's first line is the rest of the
        // Content-Type (boundary and other parameters), the remainder the body.
        5 => {
            let (params, body) = match payload.iter().position(|&b| b == b'\n') {
                Some(i) => (&payload[..i], &payload[i + 1..]),
                None => (payload, &[][..]),
            };
            let ct = format!("multipart/form-data;{}", String::from_utf8_lossy(params));
            let mut req = post("/api/v2/jdoe/tokens", "multipart/form-data", body);
            match hyper::header::HeaderValue::from_str(&ct) {
                Ok(v) => {
                    req.headers.insert(hyper::header::CONTENT_TYPE, v);
                }
                Err(_) => return,
            }
            run(multipart_contract(), &req, mode);
        }
        // createData (numbers, date-times): form body.
        6 => {
            let req = post(
                "/api/v2/jdoe/feeds/temperature/data",
                "application/x-www-form-urlencoded",
                payload,
            );
            run(bundled, &req, mode);
        }
        // createData: multipart with a fixed boundary.
        _ => {
            let req = post(
                "/api/v2/jdoe/feeds/temperature/data",
                "multipart/form-data; boundary=XyZ",
                payload,
            );
            run(multipart_contract(), &req, mode);
        }
    }
});
