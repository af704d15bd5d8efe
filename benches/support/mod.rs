//! The deliveries both benchmarks measure, with their baselines.

use kit_webhooks::{types, WebhookEvent};
use serde::Serialize;

/// One delivery to measure.
pub struct Delivery {
    pub name: &'static str,
    pub body: Vec<u8>,
    /// The baseline: one serde_json parse straight into the generated type.
    pub baseline: fn(&[u8]) -> WebhookEvent,
    /// The same delivery made invalid three ways, where one is measured.
    pub invalid: Option<Vec<u8>>,
}

/// `body` with three violations: `data.id` a string, the candidate's email
/// not an email, and the required `offered` missing.
fn invalid(body: &[u8]) -> Vec<u8> {
    let mut bad: serde_json::Value = serde_json::from_slice(body).unwrap();
    bad["data"]["id"] = "x".into();
    bad["data"]["candidate"]["email"] = "nope".into();
    bad["data"].as_object_mut().unwrap().remove("offered");
    serde_json::to_vec(&bad).unwrap()
}

/// A fixture without its whitespace, its keys in the order written (the
/// documented order, `event` first, as Kit sends them).
fn compact(path: &str) -> Vec<u8> {
    let text = std::fs::read(format!("{}/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let mut out = Vec::with_capacity(text.len());
    let (mut in_string, mut escaped) = (false, false);
    for b in text {
        if in_string {
            out.push(b);
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_string = false;
            }
        } else if !b.is_ascii_whitespace() {
            out.push(b);
            in_string = b == b'"';
        }
    }
    out
}

/// The same delivery with its keys sorted (as serde_json writes a `Value`).
fn sorted(body: &[u8]) -> Vec<u8> {
    let value: serde_json::Value = serde_json::from_slice(body).unwrap();
    let mut sorted = Vec::new();
    sort(&value)
        .serialize(&mut serde_json::Serializer::new(&mut sorted))
        .unwrap();
    sorted
}

fn sort(value: &serde_json::Value) -> std::collections::BTreeMap<String, serde_json::Value> {
    value
        .as_object()
        .unwrap()
        .iter()
        .map(|(k, v)| {
            let v = if v.is_object() {
                serde_json::to_value(sort(v)).unwrap()
            } else {
                v.clone()
            };
            (k.clone(), v)
        })
        .collect()
}

fn application(body: &[u8]) -> WebhookEvent {
    WebhookEvent::from(serde_json::from_slice::<types::ApplicationSubmitted>(body).unwrap())
}

fn offer(body: &[u8]) -> WebhookEvent {
    WebhookEvent::from(serde_json::from_slice::<types::OfferCandidateAccepted>(body).unwrap())
}

/// The 318-byte `application.submitted`, the 390-byte offer, and a 4 KB
/// delivery of the first shape with long strings.
pub fn deliveries() -> Vec<Delivery> {
    let submitted = compact("tests/fixtures/valid/application.submitted.json");
    let mut long: serde_json::Value = serde_json::from_slice(&submitted).unwrap();
    long["data"]["current_stage"] = "Technical interview with the platform team — ".repeat(30).into();
    long["data"]["candidate"]["name"] = "Jane Q. Smith-Johnson ".repeat(40).into();
    long["data"]["job_posting"]["title"] = "Senior Staff Engineer, Distributed Systems ".repeat(30).into();
    vec![
        Delivery {
            name: "application.submitted",
            invalid: Some(invalid(&submitted)),
            body: submitted,
            baseline: application,
        },
        Delivery {
            name: "offer.candidate_accepted",
            body: compact("tests/fixtures/valid/offer.candidate_accepted.json"),
            baseline: offer,
            invalid: None,
        },
        Delivery {
            name: "application.submitted, keys sorted",
            body: sorted(&compact("tests/fixtures/valid/application.submitted.json")),
            baseline: application,
            invalid: None,
        },
        Delivery {
            name: "application.submitted, 4 KB",
            body: serde_json::to_vec(&long).unwrap(),
            baseline: application,
            invalid: None,
        },
    ]
}
