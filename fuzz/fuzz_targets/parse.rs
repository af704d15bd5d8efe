//! `parse`: any bytes. Never a panic; `validate` and `parse` give the verdict
//! of an independent judge (serde_json's `Value` with the document's two
//! rules, then boon over the crate's schemas, then serde_json's own typed
//! decoding), and the fast path of lenient parsing gives the full path's;
//! whatever parses serialises to JSON that parses again to the same value.
#![no_main]

use std::sync::OnceLock;

use kit_webhooks::{Mode, Parser};
use libfuzzer_sys::fuzz_target;

#[path = "../../tests/support/judge.rs"]
mod judge;
#[path = "../../tests/support/json.rs"]
mod json;

fn boon(mode: Mode) -> &'static judge::Boon {
    static LENIENT: OnceLock<judge::Boon> = OnceLock::new();
    static STRICT: OnceLock<judge::Boon> = OnceLock::new();
    match mode {
        Mode::Lenient => LENIENT.get_or_init(|| judge::Boon::new(Mode::Lenient)),
        _ => STRICT.get_or_init(|| judge::Boon::new(Mode::Strict)),
    }
}

fuzz_target!(|body: &[u8]| {
    for mode in [Mode::Lenient, Mode::Strict] {
        let parser = Parser::new().mode(mode);
        let expected = match json::verdict(body) {
            json::Verdict::Value(document) => judge::verdict(boon(mode), &document),
            _ => false,
        };
        let parsed = parser.parse(body);
        let validated = parser.validate(body);
        assert_eq!(parsed.is_ok(), expected, "parse: {parsed:?}");
        assert_eq!(validated.is_ok(), expected, "validate: {validated:?}");
        // The fast path of lenient parsing never changes a verdict or a value.
        let full = parser.fast_path(false).parse(body);
        assert_eq!(parsed.as_ref().ok(), full.as_ref().ok(), "fast and full paths differ");
        if let Ok(event) = parsed {
            let again = serde_json::to_vec(&event).expect("a parsed event serialises");
            let reparsed = parser.parse(&again).expect("a serialised event parses again");
            assert_eq!(reparsed, event, "round trip");
        }
    }
});
