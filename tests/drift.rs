//! The drift report: what a delivery carries that the schemas do not
//! document. Named cases for each kind, through `Parser`, `Receiver` and the
//! axum extractor, and the property that defines it, judged by boon: a
//! delivery is strict-valid exactly when it is lenient-valid and has no drift.

use kit_webhooks::{DriftKind, Error, Mode, Parser, WebhookEvent};
use proptest::prelude::*;
use serde_json::{json, Value};

mod support;
use support::generate::{any_delivery, any_leaf, any_mutation, mutate};
use support::judge::{self, boon};

fn offer() -> Value {
    support::read_json(&support::root().join("tests/fixtures/valid/offer.accepted.json"))
}

/// (kind, pointer, value) of each addition, through the fast path and the
/// full path (which must agree).
fn drift_of(doc: &Value) -> Vec<(DriftKind, String, Value)> {
    let body = serde_json::to_vec(doc).unwrap();
    let (event, drift) = Parser::new().parse_with_drift(&body).unwrap();
    let full = Parser::new().fast_path(false).parse_with_drift(&body).unwrap();
    assert_eq!((event, drift.clone()), full, "fast and full paths agree");
    drift
        .additions()
        .iter()
        .map(|a| (a.kind, a.pointer.clone(), a.value.clone()))
        .collect()
}

#[test]
fn a_documented_delivery_has_no_drift() {
    for path in support::fixture_paths("valid") {
        let doc = support::read_json(&path);
        let undocumented_status = path.to_string_lossy().contains("undocumented");
        assert_eq!(
            drift_of(&doc).is_empty(),
            !undocumented_status,
            "{}",
            path.display()
        );
    }
}

#[test]
fn a_field_added_is_found_at_any_depth_with_its_value() {
    let mut doc = offer();
    doc["data"]["bonus"] = json!({"amount": 5000, "currency": "USD"});
    doc["data"]["candidate"]["phone"] = json!(null);
    doc["trace"] = json!("abc");
    assert_eq!(
        drift_of(&doc),
        [
            (
                DriftKind::FieldAdded,
                "/data/bonus".into(),
                json!({"amount": 5000, "currency": "USD"})
            ),
            (DriftKind::FieldAdded, "/data/candidate/phone".into(), json!(null)),
            (DriftKind::FieldAdded, "/trace".into(), json!("abc")),
        ]
    );
}

#[test]
fn a_value_added_to_a_documented_list_is_found() {
    let mut doc = offer();
    doc["data"]["status"] = json!("rescinded");
    assert_eq!(
        drift_of(&doc),
        [(DriftKind::ValueAdded, "/data/status".into(), json!("rescinded"))]
    );
}

#[test]
fn an_event_added_is_one_finding_with_its_data() {
    let doc = json!({"event": "candidate.merged", "created_at": "2025-02-01T10:00:00Z",
        "data": {"from": 1, "into": {"id": 2, "extra": true}}, "more": 1});
    assert_eq!(
        drift_of(&doc),
        [(
            DriftKind::EventAdded,
            String::new(),
            json!({"from": 1, "into": {"id": 2, "extra": true}})
        )]
    );
}

#[test]
fn keys_that_need_escaping_are_written_as_json_pointers() {
    let mut doc = offer();
    doc["data"]["a/b~c"] = json!(1);
    let found = drift_of(&doc);
    assert_eq!(found[0].1, "/data/a~1b~0c");
}

#[test]
fn data_before_event_gives_the_same_drift() {
    let body = br#"{"data": {"extra": [1, 2]}, "created_at": "2025-01-15T14:30:00Z", "event": "test.ping"}"#;
    let (_, drift) = Parser::new().parse_with_drift(body).unwrap();
    assert_eq!(drift.additions()[0].pointer, "/data/extra");
    assert_eq!(drift.additions()[0].value, json!([1, 2]));
    assert!(Parser::new().mode(Mode::Strict).parse(body).is_err());
}

#[test]
fn strict_mode_refuses_drift_with_the_validators_reasons() {
    let mut doc = offer();
    doc["data"]["bonus"] = json!(1);
    let body = serde_json::to_vec(&doc).unwrap();
    let err = Parser::new().mode(Mode::Strict).parse(&body).unwrap_err();
    assert_eq!(err.violations()[0].keyword, "additionalProperties");
    assert_eq!(err.violations()[0].instance_path, "/data");
    // A strict parse that succeeds has, by definition, no drift.
    let plain = serde_json::to_vec(&offer()).unwrap();
    let (_, drift) = Parser::new().mode(Mode::Strict).parse_with_drift(&plain).unwrap();
    assert!(drift.is_empty());
}

#[test]
fn an_invalid_delivery_reports_no_drift_but_its_errors() {
    let mut doc = offer();
    doc["data"]["bonus"] = json!(1);
    doc["data"]["id"] = json!("x");
    let body = serde_json::to_vec(&doc).unwrap();
    assert!(matches!(
        Parser::new().parse_with_drift(&body),
        Err(Error::Invalid(_))
    ));
}

#[test]
fn the_report_serialises_with_kebab_case_kinds() {
    let mut doc = offer();
    doc["data"]["status"] = json!("rescinded");
    let body = serde_json::to_vec(&doc).unwrap();
    let (_, drift) = Parser::new().parse_with_drift(&body).unwrap();
    assert_eq!(
        serde_json::to_value(&drift).unwrap(),
        json!([{"kind": "value-added", "pointer": "/data/status", "instance_path": "/data/status", "value": "rescinded"}])
    );
    let back: kit_webhooks::Drift = serde_json::from_value(serde_json::to_value(&drift).unwrap()).unwrap();
    assert_eq!(back, drift);
}

#[cfg(feature = "axum")]
#[tokio::test]
async fn the_axum_extractor_and_the_receiver_carry_the_drift() {
    use axum::body::Body;
    use axum::extract::FromRequest;
    use kit_webhooks::axum::AuthenticDelivery;
    use kit_webhooks::{Receiver, Signer, Verifier};

    let mut doc = offer();
    doc["data"]["bonus"] = json!(1);
    let body = serde_json::to_vec(&doc).unwrap();
    let now = chrono::Utc::now();
    let at = kit_webhooks::signature::format_timestamp(now);
    let signature = Signer::new("s").sign(&at, &body);
    let receiver = Receiver::new(Verifier::new("s"));
    let headers = kit_webhooks::DeliveryHeaders {
        timestamp: Some(&at),
        signature: Some(&signature),
        event: Some("offer.accepted"),
    };
    let (_, drift) = receiver.receive_parts_with_drift_at(headers, &body, now).unwrap();
    assert_eq!(drift.additions()[0].pointer, "/data/bonus");
    let request = axum::http::Request::post("/")
        .header("X-Webhook-Timestamp", &at)
        .header("X-Webhook-Signature", &signature)
        .header("X-Webhook-Event", "offer.accepted")
        .body(Body::from(body))
        .unwrap();
    let delivery = AuthenticDelivery::from_request(request, &receiver).await.unwrap();
    assert!(delivery.event.is_ok());
    assert_eq!(delivery.drift, drift);
}

/// Adds `key: value` to the `pick`-th object of `doc` (the root included).
fn add_field(doc: &mut Value, pick: usize, key: &str, value: Value) {
    fn paths(value: &Value, at: String, out: &mut Vec<String>) {
        if let Value::Object(map) = value {
            out.push(at.clone());
            for (k, v) in map {
                paths(
                    v,
                    format!("{at}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
    }
    let mut pointers = Vec::new();
    paths(doc, String::new(), &mut pointers);
    let at = &pointers[pick % pointers.len()];
    if let Some(Value::Object(map)) = doc.pointer_mut(at) {
        map.insert(key.to_owned(), value);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 768, ..ProptestConfig::default() })]

    /// The definition of drift, with boon as the judge of strict validity, on
    /// documented deliveries, deliveries with fields, values and events
    /// added, and broken ones; the fast and full paths report the same drift,
    /// and every addition is where it says, with the value it says.
    #[test]
    fn strict_valid_is_lenient_valid_without_drift(
        doc in any_delivery(Mode::Lenient).prop_map(|(_, doc)| doc),
        added in proptest::collection::vec((any::<usize>(), "[a-z_]{1,8}", any_leaf()), 0..3),
        renamed in proptest::option::weighted(0.1, "[a-z]{1,8}\\.[a-z_]{1,8}"),
        broken in proptest::collection::vec((any::<usize>(), any_mutation()), 0..2),
    ) {
        let mut doc = doc;
        for (pick, key, value) in &added {
            add_field(&mut doc, *pick, key, value.clone());
        }
        if let Some(name) = renamed {
            doc["event"] = Value::String(name);
        }
        for (pick, mutation) in &broken {
            mutate(&mut doc, *pick, mutation);
        }
        let body = serde_json::to_vec(&doc).unwrap();
        let strict_judged = judge::verdict(boon(Mode::Strict), &doc);
        let strict = Parser::new().mode(Mode::Strict).parse(&body);
        prop_assert_eq!(strict.is_ok(), strict_judged, "strict: {:?}\n{}", strict, String::from_utf8_lossy(&body));
        let lenient = Parser::new().parse_with_drift(&body);
        let full = Parser::new().fast_path(false).parse_with_drift(&body);
        prop_assert_eq!(lenient.as_ref().ok(), full.as_ref().ok(), "fast and full paths differ");
        match lenient {
            Ok((_, drift)) => {
                prop_assert_eq!(drift.is_empty(), strict_judged, "drift {:?}\n{}", drift, String::from_utf8_lossy(&body));
                for addition in &drift {
                    match addition.kind {
                        DriftKind::EventAdded => prop_assert_eq!(Some(&addition.value), doc.get("data")),
                        _ => prop_assert_eq!(doc.pointer(&addition.instance_path), Some(&addition.value)),
                    }
                }
                // Without its added fields, a delivery of a known event is
                // strict-valid unless it also carries a value Kit added.
                if !drift.additions().iter().any(|a| a.kind == DriftKind::EventAdded) {
                    let mut repaired = doc.clone();
                    for addition in drift.additions().iter().filter(|a| a.kind == DriftKind::FieldAdded) {
                        let (parent, key) = addition.instance_path.rsplit_once('/').unwrap();
                        let key = key.replace("~1", "/").replace("~0", "~");
                        repaired.pointer_mut(parent).unwrap().as_object_mut().unwrap().remove(&key);
                    }
                    let values_added = drift.additions().iter().any(|a| a.kind == DriftKind::ValueAdded);
                    prop_assert_eq!(judge::verdict(boon(Mode::Strict), &repaired), !values_added);
                }
            }
            Err(_) => prop_assert!(!strict_judged),
        }
    }
}

#[test]
fn documented_deliveries_round_trip_as_the_typed_value_says() {
    // The typed value of a delivery with drift is the delivery without it.
    let mut doc = offer();
    doc["data"]["bonus"] = json!(1);
    let body = serde_json::to_vec(&doc).unwrap();
    let (event, _) = Parser::new().parse_with_drift(&body).unwrap();
    assert!(matches!(event, WebhookEvent::OfferAccepted(_)));
    assert_eq!(serde_json::to_value(&event).unwrap(), offer());
}
