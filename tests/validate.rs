//! Validation: the named bad deliveries, the two modes, hostile input, and a
//! second, independent Draft 2020-12 implementation (boon) as a cross-check.

use std::collections::BTreeMap;
use std::fs;

use kit_webhooks::{schema, Error, EventType, JsonErrorKind, Mode, Parser, WebhookEvent};
use serde::Deserialize;
use serde_json::{json, Value};

mod support;
use support::judge::Boon;
use support::root;

#[derive(Deserialize)]
struct Expected {
    rule: String,
    instance_path: String,
    keyword: String,
    strict_only: bool,
}

fn invalid_fixtures() -> BTreeMap<String, (Expected, Vec<u8>)> {
    let manifest: BTreeMap<String, Expected> =
        serde_json::from_slice(&fs::read(root().join("tests/fixtures/invalid.json")).unwrap()).unwrap();
    let on_disk = support::json_files("tests/fixtures/invalid");
    assert_eq!(
        on_disk.len(),
        manifest.len(),
        "every invalid fixture is in tests/fixtures/invalid.json"
    );
    manifest
        .into_iter()
        .map(|(name, expected)| {
            let body = fs::read(root().join(format!("tests/fixtures/invalid/{name}.json")))
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            (name, (expected, body))
        })
        .collect()
}

fn valid_fixtures() -> Vec<(String, Vec<u8>)> {
    support::json_files("tests/fixtures/valid")
        .into_iter()
        .map(|(name, path)| (name, fs::read(path).unwrap()))
        .collect()
}

#[test]
fn every_valid_fixture_passes_both_modes() {
    for (name, body) in valid_fixtures() {
        for mode in [Mode::Lenient, Mode::Strict] {
            let event = Parser::new()
                .mode(mode)
                .validate(&body)
                .unwrap_or_else(|e| panic!("{name}: {e}"));
            assert_eq!(event.map(EventType::as_str), Some(name.as_str()));
        }
    }
}

#[test]
fn every_named_bad_delivery_is_rejected_at_its_pointer() {
    let fixtures = invalid_fixtures();
    let families: std::collections::BTreeSet<&str> =
        fixtures.keys().map(|n| n.split('.').next().unwrap()).collect();
    for family in [
        "application",
        "offer",
        "interview",
        "code_assignment",
        "review",
        "job_posting",
        "test",
    ] {
        assert!(families.contains(family), "no bad deliveries for {family}");
    }
    for (name, (expected, body)) in &fixtures {
        let strict = Parser::new().mode(Mode::Strict).parse(body).unwrap_err();
        let lenient = Parser::new().parse(body);
        if expected.strict_only {
            assert!(lenient.is_ok(), "{name}: lenient mode accepts it: {lenient:?}");
        }
        let errors = [Some(strict), lenient.err()];
        for err in errors.iter().flatten() {
            let Error::Invalid(invalid) = err else {
                panic!("{name}: {err:?}")
            };
            assert!(
                invalid
                    .violations
                    .iter()
                    .any(|v| v.instance_path == expected.instance_path && v.keyword == expected.keyword),
                "{name} ({}): expected {} at {:?}, got {:#?}",
                expected.rule,
                expected.keyword,
                expected.instance_path,
                invalid.violations
            );
        }
    }
}

#[test]
fn errors_carry_pointer_keyword_and_message() {
    let body = fs::read(root().join("tests/fixtures/invalid/application.bad-email.json")).unwrap();
    let err = kit_webhooks::validate(&body).unwrap_err();
    let Error::Invalid(invalid) = &err else {
        panic!("{err:?}")
    };
    assert_eq!(invalid.event.as_deref(), Some("application.submitted"));
    assert_eq!(invalid.violations.len(), 1);
    let v = &invalid.violations[0];
    assert_eq!(v.instance_path, "/data/candidate/email");
    assert_eq!(v.keyword, "format");
    assert!(v.message.contains("jane.example.com"), "{}", v.message);
    assert!(err.to_string().contains("/data/candidate/email"), "{err}");
}

#[test]
fn all_violations_are_reported_not_just_the_first() {
    let mut doc: Value = serde_json::from_slice(&valid_fixtures()[0].1).unwrap();
    doc["data"]["id"] = json!("x");
    doc["data"]["candidate"]["email"] = json!("nope");
    doc["data"].as_object_mut().unwrap().remove("offered");
    let err = Parser::new().parse_value(&doc).unwrap_err();
    let mut paths: Vec<&str> = err
        .violations()
        .iter()
        .map(|v| v.instance_path.as_str())
        .collect();
    paths.sort_unstable();
    assert_eq!(paths, ["/data", "/data/candidate/email", "/data/id"]);
}

#[test]
fn a_float_in_an_integer_field_is_rejected_even_when_integral() {
    for value in [json!(42.5), json!(42.0), json!(4.2e1), json!(1e300)] {
        let mut doc: Value = serde_json::from_slice(
            &fs::read(root().join("tests/fixtures/valid/interview.scheduled.json")).unwrap(),
        )
        .unwrap();
        doc["data"]["duration_minutes"] = value.clone();
        let body = serde_json::to_vec(&doc).unwrap();
        let err = kit_webhooks::validate(&body).unwrap_err();
        assert_eq!(
            err.violations()[0].instance_path,
            "/data/duration_minutes",
            "{value}: {err}"
        );
        assert!(kit_webhooks::parse(&body).is_err());
    }
}

#[test]
fn integers_beyond_64_bits_are_rejected() {
    for literal in [
        "9223372036854775808",
        "18446744073709551616",
        "-9223372036854775809",
        "1e400",
    ] {
        let body = format!(
            r#"{{"event":"review.submitted","created_at":"2025-01-23T11:00:00Z","data":{{"id":{literal},"recommendation":"yes","reviewer":"A","candidate":{{"id":7,"name":"J","email":"j@example.com"}},"job_posting":{{"id":3,"title":"T"}},"stage":"S"}}}}"#
        );
        let err = kit_webhooks::parse(body.as_bytes()).unwrap_err();
        match &err {
            Error::Invalid(invalid) => {
                assert_eq!(invalid.violations[0].instance_path, "/data/id", "{literal}")
            }
            Error::Json(json) => assert_eq!(json.kind, JsonErrorKind::Syntax, "{literal}"),
            other => panic!("{literal}: {other:?}"),
        }
    }
    // The bounds themselves are accepted and parse.
    let body = br#"{"event":"review.submitted","created_at":"2025-01-23T11:00:00Z","data":{"id":-9223372036854775808,"recommendation":"yes","reviewer":"A","candidate":{"id":9223372036854775807,"name":"J","email":"j@example.com"},"job_posting":{"id":0,"title":"T"},"stage":"S"}}"#;
    let WebhookEvent::ReviewSubmitted(review) = kit_webhooks::parse(body).unwrap() else {
        panic!()
    };
    assert_eq!((review.data.id, review.data.candidate.id), (i64::MIN, i64::MAX));
}

#[test]
fn lenient_accepts_later_fields_and_unknown_events_strict_does_not() {
    let body = br#"{"event": "candidate.merged", "created_at": "2026-05-01T12:00:00Z", "data": {"id": 1}}"#;
    assert_eq!(kit_webhooks::validate(body).unwrap(), None);
    assert!(matches!(
        kit_webhooks::parse(body).unwrap(),
        WebhookEvent::Unknown(_)
    ));
    let err = Parser::new().mode(Mode::Strict).parse(body).unwrap_err();
    assert_eq!(err.violations()[0].instance_path, "/event");
    assert_eq!(err.violations()[0].keyword, "enum");
}

#[test]
fn hostile_bodies_get_typed_errors() {
    let json_kind = |body: &[u8]| match kit_webhooks::parse(body) {
        Err(Error::Json(e)) => Some(e.kind),
        Err(Error::Invalid(_)) => None,
        other => panic!("{body:?}: {other:?}"),
    };
    assert_eq!(json_kind(b""), Some(JsonErrorKind::Eof));
    assert_eq!(json_kind(b"  \n "), Some(JsonErrorKind::Eof));
    assert_eq!(json_kind(b"{\"event\": \"test.ping\""), Some(JsonErrorKind::Eof));
    assert_eq!(json_kind(b"\xff\xfe{}"), Some(JsonErrorKind::Encoding));
    assert_eq!(json_kind(&b"[".repeat(100_000)), Some(JsonErrorKind::TooDeep));
    assert_eq!(
        json_kind(&[b"{\"a\":".repeat(100_000), b"1".to_vec()].concat()),
        Some(JsonErrorKind::TooDeep)
    );
    assert_eq!(
        json_kind(
            br#"{"event": "test.ping", "event": "x", "created_at": "2025-01-15T14:30:00Z", "data": {}}"#
        ),
        Some(JsonErrorKind::DuplicateKey)
    );
    for body in [&b"null"[..], b"[]", b"42", b"\"x\"", b"{}", b"true"] {
        assert_eq!(json_kind(body), None, "{body:?} is JSON, but not a delivery");
    }
    // A NUL byte inside a string is JSON (escaped) or a control character (raw).
    assert!(kit_webhooks::parse(b"{\"event\": \"a\x00b\"}").is_err());
    let body = br#"{"event": "test.ping\u0000", "created_at": "2025-01-15T14:30:00Z", "data": {}}"#;
    assert!(matches!(
        kit_webhooks::parse(body).unwrap(),
        WebhookEvent::Unknown(_)
    ));
    assert!(Parser::new().mode(Mode::Strict).parse(body).is_err());
    // Impossible dates.
    let body = br#"{"event": "test.ping", "created_at": "2025-13-45T99:99:99Z", "data": {}}"#;
    assert_eq!(
        kit_webhooks::parse(body).unwrap_err().violations()[0].keyword,
        "format"
    );
}

#[test]
fn the_size_limit_refuses_before_parsing() {
    let big = vec![b' '; 20 * 1024 * 1024];
    assert_eq!(
        kit_webhooks::parse(&big).unwrap_err(),
        Error::TooLarge {
            size: big.len(),
            limit: Parser::DEFAULT_MAX_BODY_SIZE
        }
    );
    let fixture = &valid_fixtures()[0].1;
    let small = Parser::new().max_body_size(fixture.len() - 1);
    assert!(matches!(small.parse(fixture), Err(Error::TooLarge { .. })));
    assert!(Parser::new().max_body_size(fixture.len()).parse(fixture).is_ok());
}

/// Timestamps at the edges of RFC 3339, judged by boon (a second JSON
/// Schema implementation, formats asserted) and serde's derived decoding of
/// `types::TestPing`: validation and parsing both give that verdict.
#[test]
fn date_time_edge_cases_get_the_judges_verdict() {
    let boon = support::judge::boon(Mode::Lenient);
    let mut accepted = 0;
    for stamp in [
        "2025-01-15T14:30:00Z",
        "2025-01-15t14:30:00z",
        "2025-01-15T14:30:00.123456789Z",
        "2025-01-15T14:30:00+05:45",
        "2025-01-15T14:30:00-00:00",
        "2016-12-31T23:59:60Z",
        "0001-01-01T00:00:00Z",
        "9999-12-31T23:59:59Z",
        "2025-02-29T00:00:00Z",
        "2024-02-29T00:00:00Z",
        "2025-01-15 14:30:00Z",
        "2025-01-15T14:30Z",
        "2025-01-15T24:00:00Z",
        "2025-01-15T14:30:00+24:00",
        "+2025-01-15T14:30:00Z",
    ] {
        let body = format!(r#"{{"event": "test.ping", "created_at": "{stamp}", "data": {{}}}}"#);
        let doc: Value = serde_json::from_str(&body).unwrap();
        let judged = support::judge::verdict(boon, &doc);
        accepted += usize::from(judged);
        assert_eq!(
            kit_webhooks::validate(body.as_bytes()).is_ok(),
            judged,
            "validate {stamp}"
        );
        assert_eq!(
            kit_webhooks::parse(body.as_bytes()).is_ok(),
            judged,
            "parse {stamp}"
        );
        assert_eq!(
            WebhookEvent::from_value(&doc).is_ok(),
            judged,
            "from_value {stamp}"
        );
    }
    // Both kinds are there: the judge is not trivially one-sided.
    assert_eq!(accepted, 9);
}

#[test]
fn the_union_and_bundled_schemas_are_self_contained() {
    for mode in [Mode::Lenient, Mode::Strict] {
        let union: Value = serde_json::from_str(schema::union(mode)).unwrap();
        assert_eq!(
            union["oneOf"].as_array().unwrap().len(),
            EventType::ALL.len() + usize::from(mode == Mode::Lenient)
        );
        for &event in EventType::ALL {
            let text = event.bundled_schema(mode);
            assert!(!text.contains(".json#"), "{event}: no reference leaves the file");
            let bundled: Value = serde_json::from_str(text).unwrap();
            assert_eq!(bundled["properties"]["event"]["const"], json!(event.as_str()));
        }
        assert!(!schema::union(mode).contains(".json#"));
    }
}

// ---------------------------------------------------------------------------
// boon: an independent implementation must give the same verdicts.
// ---------------------------------------------------------------------------

#[test]
fn boon_agrees_with_our_validator_on_every_fixture() {
    let mut all: Vec<(String, Vec<u8>)> = valid_fixtures();
    all.extend(
        invalid_fixtures()
            .into_iter()
            .map(|(name, (_, body))| (name, body)),
    );
    assert!(all.len() > EventType::ALL.len() + 50);
    for mode in [Mode::Lenient, Mode::Strict] {
        let boon = Boon::new(mode);
        for (name, body) in &all {
            let ours = Parser::new().mode(mode).validate(body).is_ok();
            let doc: Value = serde_json::from_slice(body).unwrap();
            let by_union = boon.by_union(&doc);
            assert_eq!(
                ours, by_union,
                "{name} ({mode:?}): ours {ours}, boon's union {by_union}"
            );
            if let Some(by_event) = boon.by_event(&doc) {
                assert_eq!(
                    ours, by_event,
                    "{name} ({mode:?}): ours {ours}, boon's event schema {by_event}"
                );
            }
        }
    }
}

#[test]
fn warm_up_compiles_every_validator() {
    // One validator per event and the envelope of an unknown event, per mode.
    assert_eq!(Parser::new().warm_up(), EventType::ALL.len() + 1);
    assert_eq!(
        Parser::new().mode(Mode::Strict).warm_up(),
        EventType::ALL.len() + 1
    );
}

/// Whatever features serde_json has in the build (Cargo merges them; CI also
/// runs this with `arbitrary_precision`), a number reads as a number.
#[test]
fn a_fractional_number_in_an_integer_field_is_named_as_a_number() {
    let body = br#"{"event": "interview.scheduled", "created_at": "2025-01-16T09:00:00Z",
      "data": {"id": 28, "status": "scheduled", "scheduled_at": null, "duration_minutes": 60.5,
               "candidate": {"id": 7, "name": "J", "email": "j@example.com"},
               "job_posting": {"id": 3, "title": "T"}}}"#;
    let err = kit_webhooks::parse(body).unwrap_err();
    let violation = &err.violations()[0];
    assert_eq!(violation.instance_path, "/data/duration_minutes");
    assert_eq!(violation.keyword, "type");
    assert!(
        violation.message.starts_with("60.5 is not of type"),
        "{violation}"
    );
    assert!(!violation.message.contains("serde_json"), "{violation}");
}
