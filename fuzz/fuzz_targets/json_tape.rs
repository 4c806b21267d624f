//! Raw bytes as a JSON request body, read into the tape the validators read
//! and by `serde_json::from_slice`: both must accept the same inputs, refuse
//! the rest with the same message, and agree on the value (the tape's
//! `serde_json::Value` equal to serde_json's own).

#![no_main]

use libfuzzer_sys::fuzz_target;
use specmock::instance::{Node, Tape};

fuzz_target!(|data: &[u8]| {
    let ours = Tape::parse(data);
    let theirs = serde_json::from_slice::<serde_json::Value>(data);
    match (ours, theirs) {
        (Ok(tape), Ok(value)) => {
            // A repeated key: the last one wins in both.
            let node = Node::from(&tape);
            assert_eq!(node.to_owned_value(), value);
            assert!(node.same_as(&value));
        }
        (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
        (a, b) => panic!("tape {:?} but serde_json {:?}", a.is_ok(), b.is_ok()),
    }
});
