//! `parse`: any bytes. Never a panic; validation and parsing agree; whatever
//! parses serialises to JSON that parses again to the same value; anything
//! serde_json refuses is refused too.
#![no_main]

use kit_webhooks::{Error, Mode, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|body: &[u8]| {
    for mode in [Mode::Lenient, Mode::Strict] {
        let parser = Parser::new().mode(mode);
        let parsed = parser.parse(body);
        let validated = parser.validate(body);
        assert_eq!(parsed.is_ok(), validated.is_ok(), "validate and parse disagree");
        if serde_json::from_slice::<serde_json::Value>(body).is_err() {
            assert!(
                matches!(parsed, Err(Error::Json(_)) | Err(Error::TooLarge { .. })),
                "{parsed:?}"
            );
        }
        if let Ok(event) = parsed {
            let again = serde_json::to_vec(&event).expect("a parsed event serialises");
            let reparsed = parser.parse(&again).expect("a serialised event parses again");
            assert_eq!(reparsed, event, "round trip");
        }
    }
});
