//! `validate`: bytes shaped like deliveries (a fixture's envelope with fuzzed
//! data), so the fuzzer reaches the schemas quickly. Never a panic; every
//! violation has a JSON pointer that exists in the document or is its parent.
#![no_main]

use kit_webhooks::{EventType, Mode, Parser};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|input: (u8, bool, &[u8])| {
    let (event, strict, data) = input;
    let event = EventType::ALL[usize::from(event) % EventType::ALL.len()];
    let mut body = format!(r#"{{"event":"{event}","created_at":"2025-01-15T14:30:00Z","data":"#).into_bytes();
    body.extend_from_slice(data);
    body.push(b'}');
    let parser = Parser::new().mode(if strict { Mode::Strict } else { Mode::Lenient });
    match parser.validate(&body) {
        Ok(found) => assert_eq!(found, Some(event)),
        Err(err) => {
            for violation in err.violations() {
                assert!(violation.instance_path.is_empty() || violation.instance_path.starts_with('/'));
                assert!(!violation.keyword.as_str().is_empty());
            }
        }
    }
});
