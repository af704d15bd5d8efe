//! Deliveries generated from a schema (proptest strategies): every value the
//! schema describes can come out, and nothing else; and random changes to
//! them. Shared by the property tests and `cargo xtask interop` (the kits'
//! cases), which includes this file.

use chrono::{DateTime, SecondsFormat};
use kit_webhooks::{EventType, Mode};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Documents valid against `schema`, a schema inside `root` (a bundled
/// event schema whose `$defs` hold every definition it refers to).
pub fn from_schema(root: &Value, schema: &Value) -> BoxedStrategy<Value> {
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
    for keyword in ["anyOf", "oneOf"] {
        if let Some(branches) = schema.get(keyword).and_then(Value::as_array) {
            // Each branch with the schema's other keywords.
            let strategies: Vec<BoxedStrategy<Value>> = branches
                .iter()
                .map(|branch| {
                    let mut merged = schema.clone();
                    merged.as_object_mut().unwrap().remove(keyword);
                    for (k, v) in branch.as_object().into_iter().flatten() {
                        merged[k] = v.clone();
                    }
                    from_schema(root, &merged)
                })
                .collect();
            return proptest::strategy::Union::new(strategies).boxed();
        }
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
        ("integer", _) => {
            let min = schema.get("minimum").and_then(Value::as_i64).unwrap_or(i64::MIN);
            let max = schema.get("maximum").and_then(Value::as_i64).unwrap_or(i64::MAX);
            (min..=max).prop_map(Value::from).boxed()
        }
        ("boolean", _) => any::<bool>().prop_map(Value::Bool).boxed(),
        ("object", _) => object(root, schema),
        _ => Just(Value::Null).boxed(),
    };
    if types.contains(&"null") && non_null != "null" {
        prop_oneof![1 => Just(Value::Null), 3 => strategy].boxed()
    } else {
        strategy
    }
}

/// An object: every required field, and each optional one three times in four.
fn object(root: &Value, schema: &Value) -> BoxedStrategy<Value> {
    let properties = schema
        .get("properties")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    let required: Vec<&str> = schema
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let fields: Vec<BoxedStrategy<Option<(String, Value)>>> = properties
        .iter()
        .map(|(name, field)| {
            let name = name.clone();
            let value = from_schema(root, field);
            if required.contains(&name.as_str()) {
                value.prop_map(move |v| Some((name.clone(), v))).boxed()
            } else {
                proptest::option::weighted(0.75, value)
                    .prop_map(move |v| v.map(|v| (name.clone(), v)))
                    .boxed()
            }
        })
        .collect();
    fields
        .prop_map(|pairs| Value::Object(pairs.into_iter().flatten().collect::<Map<String, Value>>()))
        .boxed()
}

/// Deliveries of every event of a schema set, each with its event name:
/// `schemas` are the bundled (self-contained) event schemas.
pub fn deliveries(schemas: Vec<(String, Value)>) -> BoxedStrategy<(String, Value)> {
    let per_event: Vec<BoxedStrategy<(String, Value)>> = schemas
        .into_iter()
        .map(|(name, schema)| {
            from_schema(&schema, &schema)
                .prop_map(move |doc| (name.clone(), doc))
                .boxed()
        })
        .collect();
    proptest::strategy::Union::new(per_event).boxed()
}

/// One random change somewhere in a document.
#[derive(Clone, Debug)]
pub enum Mutation {
    Remove,
    Replace(Value),
    Add(String, Value),
}

pub fn any_leaf() -> impl Strategy<Value = Value> {
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

pub fn any_mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        Just(Mutation::Remove),
        any_leaf().prop_map(Mutation::Replace),
        ("[a-z_]{1,8}", any_leaf()).prop_map(|(k, v)| Mutation::Add(k, v)),
    ]
}

/// Applies `mutation` at the `pick`-th node of `doc` (depth first).
pub fn mutate(doc: &mut Value, pick: usize, mutation: &Mutation) {
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

/// Deliveries of every event, generated from its bundled schema in `mode`:
/// strict schemas have closed lists, lenient ones also any other string.
pub fn any_delivery(mode: Mode) -> BoxedStrategy<(EventType, Value)> {
    let schemas = EventType::ALL
        .iter()
        .map(|event| {
            let schema: Value = serde_json::from_str(event.bundled_schema(mode)).unwrap();
            (event.to_string(), schema)
        })
        .collect();
    deliveries(schemas)
        .prop_map(|(name, doc)| (EventType::from_name(&name).unwrap(), doc))
        .boxed()
}
