//! The cases the kits are held to (part of `cargo xtask interop`): every
//! fixture, bodies JSON parsers disagree on, emails and timestamps format
//! checks disagree on, deliveries generated from the schemas, and deliveries
//! with drift, each with the Rust crate's verdicts (`kit-cases.json`).

use std::path::{Path, PathBuf};

use base64::Engine as _;
use kit_webhooks::{Mode, Parser};
use serde_json::{json, Value};

use crate::{root, tools};

/// The deliveries the property tests generate from the schemas, and their mutations.
#[path = "../../tests/support/generate.rs"]
#[allow(dead_code)]
mod generate;

/// Bodies on which JSON parsers differ from serde_json, with what each holds.
pub const HOSTILE: &[(&str, &[u8])] = &[
    (
        "duplicate-key",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{},"data":{}}"#,
    ),
    (
        "duplicate-nested-key",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"a":1,"a":2}}"#,
    ),
    (
        "not-utf-8",
        b"{\"event\":\"test.ping\",\"created_at\":\"2025-01-15T14:30:00Z\",\"data\":{\"x\":\"\xff\"}}",
    ),
    (
        "byte-order-mark",
        b"\xef\xbb\xbf{\"event\":\"test.ping\",\"created_at\":\"2025-01-15T14:30:00Z\",\"data\":{}}",
    ),
    (
        "lone-surrogate",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":"\ud800"}}"#,
    ),
    (
        "number-out-of-range",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":1e999}}"#,
    ),
    (
        "nan-literal",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":NaN}}"#,
    ),
    ("empty", b""),
    (
        "trailing-garbage",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}} x"#,
    ),
    (
        "escaped-key-repeat",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{},"d\u0061ta":{}}"#,
    ),
    (
        "surrogate-pair",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":"\ud83d\ude00"}}"#,
    ),
    (
        "unknown-event",
        br#"{"event":"candidate.hired","created_at":"2025-01-15T14:30:00Z","data":{"id":1}}"#,
    ),
    (
        "leap-second",
        br#"{"event":"test.ping","created_at":"2016-12-31T23:59:60Z","data":{}}"#,
    ),
];

/// Emails and timestamps on which format checks differ (ajv-formats,
/// python-jsonschema and the Rust validator each have their own), set into
/// `valid/application.submitted` as the candidate's email and `submitted_at`.
pub const EMAILS: &[&str] = &[
    "jane@localhost",
    "Jane Smith <jane@example.com>",
    "<jane@example.com>",
    "jane..smith@example.com",
    ".jane@example.com",
    "\"jane smith\"@example.com",
    "\"\"@example.com",
    "jane@[127.0.0.1]",
    "jane@[IPv6:::1]",
    "jane@[300.0.0.1]",
    "jane@-example.com",
    "jan\u{e9}@example.com",
    "jane@ex\u{e4}mple.com",
    "jane@xn--exmple-cua.com",
    "jane@ab--cd.com",
    "jane@example.com.",
    "jane@example..com",
    "jane@",
    "@example.com",
    "a@b",
];
pub const TIMESTAMPS: &[&str] = &[
    "2025-01-15 14:30:00Z",
    "2025-01-15t14:30:00z",
    "2025-01-15T14:30:00.123456789+05:30",
    "2024-02-29T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2025-01-15T14:30:00.Z",
    "2025-01-15T14:30:00",
    "2016-12-31T23:59:60Z",
    "2016-12-31T22:59:60-01:00",
    "2016-12-31T23:58:60Z",
    "2025-01-15T14:30:00+24:00",
    "2025-01-15T24:00:00Z",
    "2025-1-15T14:30:00Z",
];

/// Generated deliveries renamed to an event the schemas do not know, for drift.
pub const DRIFT_EVENTS: usize = 40;

/// How many deliveries to generate from the schemas: documented values only,
/// with values Kit may add, and with one to three random changes.
pub const GENERATED: [usize; 3] = [300, 300, 600];

/// Deliveries generated from the schemas by the property tests' strategies,
/// with a fixed seed (the same cases on every run).
fn generated() -> Result<Vec<(String, Vec<u8>)>, String> {
    use proptest::prelude::any;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    let schemas = |mode: Mode| -> Vec<(String, Value)> {
        kit_webhooks::EventType::ALL
            .iter()
            .map(|e| {
                (
                    e.to_string(),
                    serde_json::from_str(e.bundled_schema(mode)).expect("JSON"),
                )
            })
            .collect()
    };
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    let encode = |doc: &Value| serde_json::to_vec(doc).map_err(|e| e.to_string());
    for (mode, label, count) in [
        (Mode::Strict, "documented", GENERATED[0]),
        (Mode::Lenient, "open", GENERATED[1]),
    ] {
        let strategy = generate::deliveries(schemas(mode));
        for i in 0..count {
            let (event, doc) = strategy
                .new_tree(&mut runner)
                .map_err(|e| e.to_string())?
                .current();
            out.push((format!("generated/{label}-{i}: {event}"), encode(&doc)?));
        }
    }
    let strategy = (
        generate::deliveries(schemas(Mode::Lenient)),
        proptest::collection::vec((any::<usize>(), generate::any_mutation()), 1..4),
    );
    for i in 0..GENERATED[2] {
        let ((event, mut doc), changes) = strategy
            .new_tree(&mut runner)
            .map_err(|e| e.to_string())?
            .current();
        for (pick, change) in &changes {
            generate::mutate(&mut doc, *pick, change);
        }
        out.push((format!("generated/changed-{i}: {event}"), encode(&doc)?));
    }
    Ok(out)
}

/// Writes the cases (every fixture, [`HOSTILE`], [`EMAILS`],
/// [`TIMESTAMPS`] and [`generated`] deliveries) with the Rust verdicts.
pub fn cases(work: &Path) -> Result<(PathBuf, usize), String> {
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in ["valid", "invalid"] {
        for file in tools::fixtures(dir)? {
            let name = format!("{dir}/{}", file.file_name().unwrap_or_default().to_string_lossy());
            bodies.push((
                name,
                std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?,
            ));
        }
    }
    for (name, body) in HOSTILE {
        bodies.push((format!("hostile/{name}"), body.to_vec()));
    }
    // Integers as the crate reads them: written without a fraction or exponent.
    let submitted = r#"{"event":"application.submitted","created_at":"2025-01-15T14:30:00Z","data":{"id":ID,"candidate":{"id":7,"name":"Jane Smith","email":"jane@example.com"},"job_posting":{"id":3,"title":"Senior Engineer"},"current_stage":"Applied","submitted_at":"2025-01-15T14:30:00Z","rejected":false,"withdrawn":false,"offered":false,"note":NOTE}}"#;
    for (name, id, note) in [
        ("integer-42", "42", "1"),
        ("integer-written-42.0", "42.0", "1"),
        ("integer-written-4.2e1", "4.2e1", "1"),
        ("integer-written-minus-0", "-0", "1"),
        ("integer-0", "0", "1"),
        ("unknown-field-42.0", "42", "42.0"),
        ("unknown-field-minus-0", "42", "-0"),
    ] {
        let body = submitted.replace("ID", id).replace("NOTE", note);
        bodies.push((format!("hostile/{name}"), body.into_bytes()));
    }
    // Nesting: the root, `data`, then arrays, to 128 levels and one more.
    for levels in [128, 129] {
        let arrays = levels - 2;
        let body = format!(
            r#"{{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{{"x":{}{}}}}}"#,
            "[".repeat(arrays),
            "]".repeat(arrays)
        );
        bodies.push((format!("hostile/nested-{levels}-levels"), body.into_bytes()));
    }
    let base: Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/fixtures/valid/application.submitted.json"))
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    for (i, email) in EMAILS.iter().enumerate() {
        let mut value = base.clone();
        value["data"]["candidate"]["email"] = (*email).into();
        bodies.push((
            format!("email/{i}: {email}"),
            serde_json::to_vec(&value).map_err(|e| e.to_string())?,
        ));
    }
    for (i, timestamp) in TIMESTAMPS.iter().enumerate() {
        let mut value = base.clone();
        value["data"]["submitted_at"] = (*timestamp).into();
        bodies.push((
            format!("date-time/{i}: {timestamp}"),
            serde_json::to_vec(&value).map_err(|e| e.to_string())?,
        ));
    }
    bodies.extend(generated()?);
    // Drift: events, fields (at every depth, keys that need escaping) and
    // values Kit added.
    let offer = std::fs::read_to_string(root().join("tests/fixtures/valid/offer.accepted.json"))
        .map_err(|e| e.to_string())?;
    let mut offer: Value = serde_json::from_str(&offer).map_err(|e| e.to_string())?;
    offer["data"]["status"] = "rescinded".into();
    offer["data"]["candidate"]["a/b~c"] = json!({"deep": [1, {"x": null}]});
    offer["extra"] = json!(true);
    bodies.push((
        "drift/offer-added-everywhere".into(),
        serde_json::to_vec(&offer).map_err(|e| e.to_string())?,
    ));
    let generated_drift = bodies
        .iter()
        .filter(|(name, _)| name.starts_with("generated/documented-"))
        .take(DRIFT_EVENTS)
        .enumerate()
        .filter_map(|(i, (_, body))| {
            let mut doc: Value = serde_json::from_slice(body).ok()?;
            doc["event"] = format!("kit.added_{i}").into();
            Some((format!("drift/event-added-{i}"), serde_json::to_vec(&doc).ok()?))
        })
        .collect::<Vec<_>>();
    bodies.extend(generated_drift);
    let lenient = Parser::new();
    let strict = Parser::new().mode(Mode::Strict);
    let cases: Vec<Value> = bodies
        .iter()
        .map(|(name, body)| {
            let text = std::str::from_utf8(body).ok();
            let lenient = lenient.validate(body);
            // JSON as Rust reads it: serde_json alone takes a repeated key.
            let json = !lenient
                .as_ref()
                .is_err_and(|e| e.to_violations().iter().any(|v| v.keyword == "json"));
            let parsed: Option<Value> = text.filter(|_| json).and_then(|t| {
                // As deep as the crate reads (serde_json alone stops at 128).
                let mut reader = serde_json::Deserializer::from_str(t);
                reader.disable_recursion_limit();
                serde::Deserialize::deserialize(&mut reader).ok()
            });
            let mut case = json!({
                "name": name,
                "body_base64": base64::engine::general_purpose::STANDARD.encode(body),
                "lenient": lenient.is_ok(),
                "strict": strict.validate(body).is_ok(),
                "event": parsed.as_ref().and_then(|v| v.get("event")).and_then(Value::as_str),
                "utf8": text.is_some(),
                "json": parsed.is_some(),
                // Numbers written with a fraction or an exponent (or -0),
                // which a parsed value in JavaScript no longer shows.
                "floats": parsed.as_ref().is_some_and(has_float),
            });
            if let Some(text) = text {
                case["body"] = text.into();
            }
            // The drift report every kit must give for a lenient-valid delivery.
            if let Ok((_, drift)) = Parser::new().parse_with_drift(body) {
                case["drift"] = serde_json::to_value(&drift).unwrap_or(Value::Null);
            }
            case
        })
        .collect();
    let path = work.join("kit-cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    Ok((path, cases.len()))
}

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}
