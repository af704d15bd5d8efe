//! `document`: any bytes. The parsed document holds what serde_json's
//! `Value` holds, and refuses exactly what serde_json refuses plus a key twice
//! in an object (after unescaping) and nesting deeper than 128 levels.
#![no_main]

use kit_webhooks::__private::parse_document;
use kit_webhooks::JsonErrorKind;
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/json.rs"]
mod json;

fuzz_target!(|bytes: &[u8]| {
    match (json::verdict(bytes), parse_document(bytes)) {
        (json::Verdict::Value(expected), Ok(value)) => assert!(json::same(&expected, &value), "{expected} != {value}"),
        (json::Verdict::NotUtf8, Err(e)) => assert_eq!(e.kind, JsonErrorKind::Encoding),
        (json::Verdict::DuplicateKey, Err(e)) => assert_eq!(e.kind, JsonErrorKind::DuplicateKey),
        (json::Verdict::Refused, Err(_)) => {}
        (expected, ours) => panic!("{expected:?} but {ours:?}"),
    }
});
