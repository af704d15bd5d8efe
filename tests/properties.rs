//! Property tests: deliveries generated from the schemas validate, parse and
//! round-trip; random mutations never make validation and parsing disagree;
//! a signature verifies with its secret and no other.

use chrono::{DateTime, SecondsFormat};
use kit_webhooks::{EventType, Mode, Parser, Signer, Verifier, VerifyError, WebhookEvent};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// A strategy for documents valid against `schema` (a bundled event schema,
/// `root` holding its `$defs`).
fn from_schema(root: &Value, schema: &Value) -> BoxedStrategy<Value> {
    if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
        let name = target.trim_start_matches("#/$defs/");
        let mut merged = root["$defs"][name].clone();
        // A field's own keywords refine the definition it refers to.
        if let (Some(merged), Some(own)) = (merged.as_object_mut(), schema.as_object()) {
            for (k, v) in own.iter().filter(|(k, _)| *k != "$ref") {
                merged.insert(k.clone(), v.clone());
            }
        }
        return from_schema(root, &merged);
    }
    if let Some(constant) = schema.get("const") {
        return Just(constant.clone()).boxed();
    }
    if let Some(values) = schema.get("enum").and_then(Value::as_array) {
        return proptest::sample::select(values.clone()).boxed();
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec!["object"],
    };
    let non_null = types.iter().copied().find(|t| *t != "null").unwrap_or("null");
    let strategy: BoxedStrategy<Value> = match (non_null, schema.get("format").and_then(Value::as_str)) {
        ("string", Some("date-time")) => (0i64..4_102_444_800, 0u32..1_000_000_000, any::<bool>())
            .prop_map(|(secs, nanos, whole)| {
                let at = DateTime::from_timestamp(secs, if whole { 0 } else { nanos }).unwrap();
                Value::String(at.to_rfc3339_opts(SecondsFormat::AutoSi, true))
            })
            .boxed(),
        ("string", Some("email")) => ("[a-z][a-z0-9_+-]{0,12}", "[a-z][a-z0-9]{0,10}", "[a-z]{2,6}")
            .prop_map(|(local, domain, tld)| Value::String(format!("{local}@{domain}.{tld}")))
            .boxed(),
        ("string", _) => any::<String>().prop_map(Value::String).boxed(),
        ("integer", _) => any::<i64>().prop_map(Value::from).boxed(),
        ("boolean", _) => any::<bool>().prop_map(Value::Bool).boxed(),
        ("object", _) => {
            let properties = schema
                .get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_default();
            let fields: Vec<BoxedStrategy<(String, Value)>> = properties
                .iter()
                .map(|(name, field)| {
                    let name = name.clone();
                    from_schema(root, field)
                        .prop_map(move |v| (name.clone(), v))
                        .boxed()
                })
                .collect();
            fields
                .prop_map(|pairs| Value::Object(pairs.into_iter().collect::<Map<String, Value>>()))
                .boxed()
        }
        _ => Just(Value::Null).boxed(),
    };
    if types.contains(&"null") && non_null != "null" {
        prop_oneof![1 => Just(Value::Null), 3 => strategy].boxed()
    } else {
        strategy
    }
}

fn any_delivery() -> BoxedStrategy<(EventType, Value)> {
    let per_event: Vec<BoxedStrategy<(EventType, Value)>> = EventType::ALL
        .iter()
        .map(|&event| {
            let schema: Value = serde_json::from_str(event.bundled_schema(Mode::Lenient)).unwrap();
            from_schema(&schema, &schema)
                .prop_map(move |doc| (event, doc))
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(per_event).boxed()
}

/// One random change somewhere in a document.
#[derive(Clone, Debug)]
enum Mutation {
    Remove,
    Replace(Value),
    Add(String, Value),
}

fn any_leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        Just(Value::from(u64::MAX)),
        Just(Value::from(42.0)),
        ".{0,8}".prop_map(Value::String),
        Just(Value::String("2025-13-45T99:99:99Z".into())),
        Just(Value::String("not-an-email".into())),
        Just(Value::Array(vec![])),
        Just(Value::Object(Map::new())),
    ]
}

fn any_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        any_leaf().prop_map(Mutation::Replace),
        ("[a-z_]{1,8}", any_leaf()).prop_map(|(k, v)| Mutation::Add(k, v)),
    ]
}

/// Applies `mutation` at the `pick`-th node of `doc` (depth first).
fn mutate(doc: &mut Value, pick: usize, mutation: &Mutation) {
    fn paths(value: &Value, path: Vec<String>, out: &mut Vec<Vec<String>>) {
        out.push(path.clone());
        if let Value::Object(map) = value {
            for (k, v) in map {
                let mut p = path.clone();
                p.push(k.clone());
                paths(v, p, out);
            }
        }
    }
    let mut all = Vec::new();
    paths(doc, Vec::new(), &mut all);
    let path = &all[pick % all.len()];
    let Some((last, parent_path)) = path.split_last() else {
        if let Mutation::Replace(v) = mutation {
            *doc = v.clone();
        }
        return;
    };
    let mut parent = &mut *doc;
    for key in parent_path {
        parent = &mut parent[key.as_str()];
    }
    let Value::Object(map) = parent else { return };
    match mutation {
        Mutation::Remove => {
            map.remove(last);
        }
        Mutation::Replace(v) => {
            map.insert(last.clone(), v.clone());
        }
        Mutation::Add(k, v) => {
            if let Some(Value::Object(child)) = map.get_mut(last) {
                child.insert(k.clone(), v.clone());
            }
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn generated_deliveries_validate_parse_and_round_trip((event, doc) in any_delivery()) {
        let body = serde_json::to_vec(&doc).unwrap();
        for mode in [Mode::Lenient, Mode::Strict] {
            let parsed = Parser::new().mode(mode).parse(&body);
            prop_assert!(parsed.is_ok(), "{mode:?}: {:?}\n{}", parsed, String::from_utf8_lossy(&body));
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.event_type(), Some(event));
            prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), doc.clone());
        }
        prop_assert_eq!(WebhookEvent::from_slice(&body).unwrap(), Parser::new().parse(&body).unwrap());
    }

    #[test]
    fn mutations_never_make_validation_and_parsing_disagree(
        (_, doc) in any_delivery(),
        changes in proptest::collection::vec((any::<usize>(), any_mutation()), 1..4),
    ) {
        let mut doc = doc;
        for (pick, mutation) in &changes {
            mutate(&mut doc, *pick, mutation);
        }
        let body = serde_json::to_vec(&doc).unwrap();
        for mode in [Mode::Lenient, Mode::Strict] {
            let parser = Parser::new().mode(mode);
            let validated = parser.validate(&body);
            let parsed = parser.parse(&body);
            prop_assert_eq!(validated.is_ok(), parsed.is_ok(), "{:?} vs {:?}", validated, parsed);
            if let Err(err) = &parsed {
                prop_assert!(!err.violations().is_empty() || matches!(err, kit_webhooks::Error::Json(_)));
            }
            if let Ok(event) = parsed {
                let again = serde_json::to_vec(&event).unwrap();
                prop_assert_eq!(parser.parse(&again).unwrap(), event);
            }
        }
    }

    #[test]
    fn a_signature_verifies_with_its_secret_and_no_other(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        secret in ".{1,40}",
        other in ".{1,40}",
        offset in -300i64..=300,
    ) {
        let timestamp = "2025-01-15T14:30:00Z";
        let now = timestamp.parse::<DateTime<chrono::Utc>>().unwrap() + chrono::Duration::seconds(offset);
        let signature = Signer::new(&secret).sign(timestamp, &body);
        prop_assert_eq!(Verifier::new(&secret).verify_at(timestamp, &signature, &body, now).map(|v| v.secret_index), Ok(0));
        if other != secret {
            prop_assert_eq!(Verifier::new(&other).verify_at(timestamp, &signature, &body, now), Err(VerifyError::Mismatch));
        }
    }
}
