//! The `date-time` check of the typed decoding against jsonschema's own
//! (formats asserted): the same verdict on generated strings near the
//! grammar, and chrono reads every string that passes. The typed decoding
//! proves this format itself, so the fast path need not ask the validator.
#![cfg(feature = "validate")]

use kit_webhooks::__private::{is_date_time, is_plain_email};
use proptest::prelude::*;
use serde_json::{json, Value};

fn jsonschema_says(text: &str) -> bool {
    format_is("date-time", text)
}

fn format_is(format: &str, text: &str) -> bool {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&json!({ "format": format }))
        .unwrap();
    validator.is_valid(&Value::String(text.to_owned()))
}

/// Addresses near the plain ones: every part sometimes odd.
fn near_email() -> impl Strategy<Value = String> {
    let local = prop_oneof![
        "[a-z0-9._+-]{0,12}",
        "[a-zA-Z0-9!#$%&'*/=?^_`{|}~.-]{1,10}",
        Just("\"quoted\"".to_owned()),
        Just("a".repeat(65)),
        Just(".a".to_owned()),
        Just("a..b".to_owned()),
    ];
    let label = prop_oneof![
        "[a-z0-9-]{0,10}",
        Just("-a".to_owned()),
        Just("a-".to_owned()),
        Just("x".repeat(64)),
        Just("münchen".to_owned()),
        "[0-9]{1,3}",
        "[a-z0-9]{0,3}-{1,3}[a-z0-9]{0,3}",
        Just("xn--nxasmq6b".to_owned()),
    ];
    let domain = prop_oneof![
        prop::collection::vec(label, 1..5).prop_map(|labels| labels.join(".")),
        Just("[127.0.0.1]".to_owned()),
        Just("[IPv6:::1]".to_owned()),
    ];
    (local, prop::sample::select(vec!["@", "@@", ""]), domain).prop_map(|(l, at, d)| format!("{l}{at}{d}"))
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

    /// The fast path's shortcut never vouches for an address jsonschema refuses.
    #[test]
    fn plain_emails_are_emails_to_jsonschema(text in near_email()) {
        if is_plain_email(&text) {
            prop_assert!(format_is("email", &text), "jsonschema refuses {}", text);
        }
    }

    #[test]
    fn any_string_too(text in ".{0,32}") {
        prop_assert_eq!(is_date_time(&text), jsonschema_says(&text), "{}", text);
        if is_plain_email(&text) {
            prop_assert!(format_is("email", &text), "jsonschema refuses {}", text);
        }
    }
}

#[test]
fn plain_emails() {
    for plain in [
        "jane@example.com",
        "j.smith+kit@mail.example.co.uk",
        "a_b-c@x1.io",
    ] {
        assert!(is_plain_email(plain) && format_is("email", plain), "{plain}");
    }
    for other in [
        "jane@localhost",
        "\"j s\"@example.com",
        "jane@[127.0.0.1]",
        "a@b.123",
        ".a@b.co",
        "a@-b.co",
        "a@b@c.co",
    ] {
        assert!(!is_plain_email(other), "{other}");
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
