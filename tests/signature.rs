//! Signatures: the committed known-answer vectors, and every failed check by name.

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use kit_webhooks::signature::SignatureFormat;
use kit_webhooks::{delivery_key, Signer, Verifier, VerifyError};
use serde_json::Value;

struct Vector {
    description: String,
    secret: String,
    timestamp: String,
    body: Vec<u8>,
    signature: String,
}

fn vectors() -> Vec<Vector> {
    let file: Value = serde_json::from_str(
        &std::fs::read_to_string(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/signatures.json"
        ))
        .unwrap(),
    )
    .unwrap();
    file["vectors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| Vector {
            description: v["description"].as_str().unwrap().to_owned(),
            secret: v["secret"].as_str().unwrap().to_owned(),
            timestamp: v["timestamp"].as_str().unwrap().to_owned(),
            body: match (v.get("body"), v.get("body_base64")) {
                (Some(text), None) => text.as_str().unwrap().as_bytes().to_vec(),
                (None, Some(b64)) => base64::engine::general_purpose::STANDARD
                    .decode(b64.as_str().unwrap())
                    .unwrap(),
                _ => panic!("a vector has body or body_base64"),
            },
            signature: v["signature"].as_str().unwrap().to_owned(),
        })
        .collect()
}

fn at(text: &str) -> DateTime<Utc> {
    text.parse().unwrap()
}

#[test]
fn known_answer_vectors_sign_and_verify() {
    let vectors = vectors();
    assert!(vectors.len() >= 10);
    for v in vectors {
        assert_eq!(
            Signer::new(&v.secret).sign(&v.timestamp, &v.body),
            v.signature,
            "{}",
            v.description
        );
        let now = DateTime::parse_from_rfc3339(&v.timestamp)
            .unwrap()
            .with_timezone(&Utc);
        let verified = Verifier::new(&v.secret).verify_at(&v.timestamp, &v.signature, &v.body, now);
        assert_eq!(verified.map(|ok| ok.secret_index), Ok(0), "{}", v.description);
    }
}

const SECRET: &str = "whsec_test_secret";
const TS: &str = "2025-01-15T14:30:00Z";
const BODY: &[u8] = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;

fn check(timestamp: &str, signature: &str, body: &[u8], now: DateTime<Utc>) -> Result<usize, VerifyError> {
    Verifier::new(SECRET)
        .verify_at(timestamp, signature, body, now)
        .map(|v| v.secret_index)
}

fn good() -> String {
    Signer::new(SECRET).sign(TS, BODY)
}

#[test]
fn the_authentic_delivery_verifies_within_the_window_both_ways() {
    let t = at(TS);
    for offset in [0, 1, 299, 300, -1, -300] {
        assert_eq!(
            check(TS, &good(), BODY, t + Duration::seconds(offset)),
            Ok(0),
            "{offset} s"
        );
    }
    // Uppercase hex is the same digest.
    assert_eq!(check(TS, &good().to_uppercase(), BODY, t), Ok(0));
}

#[test]
fn a_tampered_body_fails() {
    for i in [0, BODY.len() / 2, BODY.len() - 1] {
        let mut body = BODY.to_vec();
        body[i] ^= 0x01;
        assert_eq!(
            check(TS, &good(), &body, at(TS)),
            Err(VerifyError::Mismatch),
            "byte {i}"
        );
    }
}

#[test]
fn a_wrong_secret_fails() {
    let signature = Signer::new("another secret").sign(TS, BODY);
    assert_eq!(check(TS, &signature, BODY, at(TS)), Err(VerifyError::Mismatch));
}

#[test]
fn stale_and_future_are_distinct_errors() {
    assert_eq!(
        check(TS, &good(), BODY, at(TS) + Duration::seconds(301)),
        Err(VerifyError::Stale {
            age_seconds: 301,
            tolerance_seconds: 300
        })
    );
    assert_eq!(
        check(TS, &good(), BODY, at(TS) - Duration::seconds(301)),
        Err(VerifyError::Future {
            ahead_seconds: 301,
            tolerance_seconds: 300
        })
    );
}

#[test]
fn the_tolerance_is_configurable() {
    let verifier = Verifier::new(SECRET).tolerance(std::time::Duration::from_secs(10));
    assert!(verifier
        .verify_at(TS, &good(), BODY, at(TS) + Duration::seconds(10))
        .is_ok());
    assert!(matches!(
        verifier.verify_at(TS, &good(), BODY, at(TS) + Duration::seconds(11)),
        Err(VerifyError::Stale {
            age_seconds: 11,
            tolerance_seconds: 10
        })
    ));
}

#[test]
fn malformed_signatures_are_named() {
    let good = good();
    let not_hex = format!("{}zz", &good[..62]);
    let truncated = &good[..63];
    let extra = format!("{good}00");
    assert_eq!(
        check(TS, &not_hex, BODY, at(TS)),
        Err(VerifyError::MalformedSignature(SignatureFormat::NotHex))
    );
    assert_eq!(
        check(TS, truncated, BODY, at(TS)),
        Err(VerifyError::MalformedSignature(SignatureFormat::WrongLength(63)))
    );
    assert_eq!(
        check(TS, &extra, BODY, at(TS)),
        Err(VerifyError::MalformedSignature(SignatureFormat::WrongLength(66)))
    );
    assert_eq!(
        check(TS, "", BODY, at(TS)),
        Err(VerifyError::MalformedSignature(SignatureFormat::WrongLength(0)))
    );
    assert_eq!(
        check(TS, &format!("sha256={good}"), BODY, at(TS)),
        Err(VerifyError::MalformedSignature(SignatureFormat::NotHex))
    );
}

#[test]
fn a_changed_timestamp_header_fails_the_signature() {
    // Moving the timestamp (to slip a replay into the window) breaks the signature.
    assert_eq!(
        check("2025-01-15T14:35:00Z", &good(), BODY, at("2025-01-15T14:35:00Z")),
        Err(VerifyError::Mismatch)
    );
    // The signed text is the header as written: an equal instant written differently is another text.
    assert_eq!(
        check("2025-01-15T15:30:00+01:00", &good(), BODY, at(TS)),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn the_signature_is_checked_before_the_timestamp() {
    // Forged and stale: reported as forged.
    assert_eq!(
        check(TS, &"0".repeat(64), BODY, at(TS) + Duration::hours(1)),
        Err(VerifyError::Mismatch)
    );
    // A timestamp that is not a date: the signature still comes first.
    assert_eq!(
        check("yesterday", &good(), BODY, at(TS)),
        Err(VerifyError::Mismatch)
    );
    let signed = Signer::new(SECRET).sign("yesterday", BODY);
    assert_eq!(
        check("yesterday", &signed, BODY, at(TS)),
        Err(VerifyError::MalformedTimestamp)
    );
}

#[test]
fn raw_bytes_are_verified_without_utf8_or_json() {
    let body = b"\xff\xfe not json \x00";
    let signature = Signer::new(SECRET).sign(TS, body);
    assert_eq!(check(TS, &signature, body, at(TS)), Ok(0));
    let mut newline = BODY.to_vec();
    newline.push(b'\n');
    assert_eq!(
        check(TS, &good(), &newline, at(TS)),
        Err(VerifyError::Mismatch),
        "a trailing newline is part of the body"
    );
    let signature = Signer::new(SECRET).sign(TS, &newline);
    assert_eq!(check(TS, &signature, &newline, at(TS)), Ok(0));
}

#[test]
fn rotation_accepts_either_secret_and_says_which() {
    let verifier = Verifier::new("old").with_secret("new");
    for (secret, index) in [("old", 0), ("new", 1)] {
        let signature = Signer::new(secret).sign(TS, BODY);
        assert_eq!(
            verifier
                .verify_at(TS, &signature, BODY, at(TS))
                .unwrap()
                .secret_index,
            index
        );
    }
    let signature = Signer::new("neither").sign(TS, BODY);
    assert_eq!(
        verifier.verify_at(TS, &signature, BODY, at(TS)),
        Err(VerifyError::Mismatch)
    );
}

#[test]
fn errors_and_debug_never_show_secrets() {
    let verifier = Verifier::new("s3cr3t-value-1").with_secret("s3cr3t-value-2");
    let text = format!("{verifier:?}");
    assert!(!text.contains("s3cr3t"), "{text}");
    for err in [
        verifier.verify_at(TS, &good(), BODY, at(TS)).unwrap_err(),
        verifier.verify_at(TS, "xyz", BODY, at(TS)).unwrap_err(),
    ] {
        assert!(!err.to_string().contains("s3cr3t") && !format!("{err:?}").contains("s3cr3t"));
    }
}

#[test]
fn the_signer_builds_kits_five_headers() {
    let headers = Signer::new(SECRET).headers("test.ping", at(TS), BODY);
    let names: Vec<&str> = headers.iter().map(|(n, _)| *n).collect();
    assert_eq!(
        names,
        [
            "Content-Type",
            "X-Webhook-Event",
            "X-Webhook-Signature",
            "X-Webhook-Timestamp",
            "User-Agent"
        ]
    );
    assert_eq!(headers[0].1, "application/json");
    assert_eq!(headers[1].1, "test.ping");
    assert_eq!(headers[2].1, good());
    assert_eq!(headers[3].1, TS);
    assert_eq!(headers[4].1, "Kit-Webhooks/1.0");
}

#[test]
fn delivery_keys_are_stable_and_distinct() {
    assert_eq!(delivery_key(BODY), delivery_key(BODY));
    assert_ne!(delivery_key(BODY), delivery_key(&BODY[1..]));
    assert_eq!(
        delivery_key(b""),
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    );
}
