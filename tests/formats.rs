//! The `date-time` check of the typed decoding against jsonschema's own
//! (formats asserted): the same verdict on generated strings near the
//! grammar, and chrono reads every string that passes. The typed decoding
//! proves this format itself, so the fast path need not ask the validator.
#![cfg(feature = "validate")]

use kit_webhooks::__private::is_date_time;
use proptest::prelude::*;
use serde_json::{json, Value};

fn jsonschema_says(text: &str) -> bool {
    thread_local! {
        static VALIDATOR: jsonschema::Validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&json!({"format": "date-time"}))
            .unwrap();
    }
    VALIDATOR.with(|v| v.is_valid(&Value::String(text.to_owned())))
}

/// Date-times, mostly well formed, each part sometimes out of range or odd.
fn near_date_time() -> impl Strategy<Value = String> {
    let year = prop_oneof![
        "[0-9]{4}",
        Just("2024".to_owned()),
        Just("1900".to_owned()),
        Just("2000".to_owned()),
        "[0-9]{3,5}"
    ];
    let two = |max: u32| {
        prop_oneof![
            (0..=max).prop_map(|n| format!("{n:02}")),
            "[0-9]{1,3}",
            Just("0a".to_owned())
        ]
    };
    let fraction = prop_oneof![Just(String::new()), "\\.[0-9]{1,12}", Just(".".to_owned())];
    let offset = prop_oneof![
        Just("Z".to_owned()),
        Just("z".to_owned()),
        (prop::sample::select(vec!['+', '-']), 0u32..26, 0u32..62)
            .prop_map(|(s, h, m)| format!("{s}{h:02}:{m:02}")),
        Just("+0100".to_owned()),
        Just(String::new()),
    ];
    let separator = prop::sample::select(vec!["T", "t", " ", "_"]);
    (
        year,
        two(13),
        two(32),
        separator,
        two(25),
        two(61),
        two(61),
        fraction,
        offset,
    )
        .prop_map(|(y, mo, d, t, h, mi, s, f, o)| format!("{y}-{mo}-{d}{t}{h}:{mi}:{s}{f}{o}"))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 20_000, ..ProptestConfig::default() })]

    #[test]
    fn the_typed_decoding_judges_date_times_as_jsonschema_does(text in near_date_time()) {
        prop_assert_eq!(is_date_time(&text), jsonschema_says(&text), "{}", text);
        if is_date_time(&text) {
            prop_assert!(chrono::DateTime::parse_from_rfc3339(&text).is_ok(), "chrono refuses {}", text);
        }
    }

    #[test]
    fn any_string_too(text in ".{0,32}") {
        prop_assert_eq!(is_date_time(&text), jsonschema_says(&text), "{}", text);
    }
}

#[test]
fn leap_seconds_and_calendars() {
    for text in [
        "1998-12-31T23:59:60Z",
        "1998-12-31T15:59:60-08:00",
        "1998-12-31T23:59:60+01:00",
        "2000-02-29T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2025-04-31T00:00:00Z",
    ] {
        assert_eq!(is_date_time(text), jsonschema_says(text), "{text}");
    }
}
