//! The parsed document against serde_json's `Value` on arbitrary JSON text:
//! the same value whenever serde_json reads the text, refused exactly when
//! serde_json refuses it or the document's own rules do (a key twice after
//! unescaping, too deep). Numbers (`-0`, `1.0`, `1e400`, beyond `u64`),
//! escapes and surrogates are generated on purpose.

use kit_webhooks::__private::parse_document;
use kit_webhooks::JsonErrorKind;
use proptest::prelude::*;

mod support;
use support::json::{same, verdict, Verdict};

/// Number literals that parsers disagree on, and ordinary ones.
fn number() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec![
            "-0",
            "0",
            "1.0",
            "-0.0",
            "1e400",
            "-1e400",
            "1E2",
            "1e-400",
            "0.1",
            "18446744073709551615",
            "18446744073709551616",
            "-9223372036854775808",
            "-9223372036854775809",
            "123456789012345678901234567890",
            "01",
            "1.",
            ".5",
            "-",
            "+1",
            "1e",
            "NaN",
        ])
        .prop_map(str::to_owned),
        any::<i64>().prop_map(|n| n.to_string()),
        any::<u64>().prop_map(|n| n.to_string()),
        any::<f64>().prop_map(|f| f.to_string()),
    ]
}

/// String literals with escapes: valid, surrogate pairs, lone surrogates,
/// raw control characters, and plain text.
fn string() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        "[a-zA-Z0-9 é€😀]{0,3}",
        prop::sample::select(vec![
            "\\n",
            "\\\"",
            "\\\\",
            "\\/",
            "\\u0061",
            "\\u00e9",
            "\\ud83d\\ude00",
            "\\ud800",
            "\\udc00",
            "\\u12",
            "\\x",
            "\t",
            "\u{1}",
        ])
        .prop_map(str::to_owned),
    ];
    prop::collection::vec(piece, 0..4).prop_map(|pieces| format!("\"{}\"", pieces.concat()))
}

/// Keys that are often equal after unescaping (`"a"` and `"\u0061"`).
fn key() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => prop::sample::select(vec!["\"a\"", "\"\\u0061\"", "\"b\"", "\"\\u0062\"", "\"\""]).prop_map(str::to_owned),
        1 => string(),
    ]
}

fn json() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        number(),
        string(),
        prop::sample::select(vec!["true", "false", "null", "nul", "tru"]).prop_map(str::to_owned),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(|items| format!("[{}]", items.join(","))),
            prop::collection::vec((key(), inner), 0..5).prop_map(|members| {
                let members: Vec<String> = members.into_iter().map(|(k, v)| format!("{k}: {v}")).collect();
                format!("{{{}}}", members.join(", "))
            }),
        ]
    })
}

fn check(bytes: &[u8]) -> Result<(), TestCaseError> {
    let ours = parse_document(bytes);
    match (verdict(bytes), ours) {
        (Verdict::Value(expected), Ok(value)) => {
            prop_assert!(
                same(&expected, &value),
                "{expected} != {value} for {}",
                String::from_utf8_lossy(bytes)
            );
        }
        (Verdict::NotUtf8, Err(e)) => prop_assert_eq!(e.kind, JsonErrorKind::Encoding),
        (Verdict::DuplicateKey, Err(e)) => prop_assert_eq!(e.kind, JsonErrorKind::DuplicateKey),
        (Verdict::Refused, Err(_)) => {}
        (expected, ours) => prop_assert!(
            false,
            "{expected:?} but {ours:?} for {:?}",
            String::from_utf8_lossy(bytes)
        ),
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2048, ..ProptestConfig::default() })]

    #[test]
    fn the_document_reads_json_as_serde_json_does(text in json(), pad in "[ \t\n\r]{0,2}") {
        check(format!("{pad}{text}{pad}").as_bytes())?;
    }

    #[test]
    fn any_bytes_get_the_same_verdict(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        check(&bytes)?;
    }
}

#[test]
fn the_named_cases() {
    for text in [
        "-0",
        "1.0",
        "1e400",
        "18446744073709551616",
        r#"{"a": 1, "\u0061": 2}"#,
        r#""\ud83d\ude00""#,
        r#""\ud800""#,
        "[1, 2",
        "{} {}",
    ] {
        check(text.as_bytes()).unwrap_or_else(|e| panic!("{text}: {e}"));
    }
    let deep = format!("{}{}", "[".repeat(129), "]".repeat(129));
    assert_eq!(
        parse_document(deep.as_bytes()).unwrap_err().kind,
        JsonErrorKind::TooDeep
    );
    check(deep.as_bytes()).unwrap();
    assert_eq!(
        parse_document(br#"{"a": 1, "\u0061": 2}"#).unwrap_err().kind,
        JsonErrorKind::DuplicateKey
    );
}
