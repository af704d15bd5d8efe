//! The differ's soundness, generatively: random pairs of small schemas
//! built from the keywords the walker knows, and the real schemas changed one
//! way; for every verdict of "safe", every value NEW accepts (random values;
//! generated deliveries) is accepted by OLD, as boon judges.
#![cfg(feature = "diff")]

use std::path::Path;

use kit_webhooks::diff::{self, File, Layout, SchemaSet};
use proptest::prelude::*;
use serde_json::{json, Value};

mod support;
use support::schema_pair::{report, Judge};

// The generative test: small schemas built from the keywords the walker
// knows, changed one way; random small values.

fn leaf() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(json!({"type": "string"})),
        Just(json!({"type": "integer"})),
        Just(json!({"type": ["string", "null"]})),
        (0u8..4).prop_map(|n| json!({"type": "string", "maxLength": n})),
        (0u8..4).prop_map(|n| json!({"type": "string", "minLength": n})),
        (-2i8..3).prop_map(|n| json!({"minimum": n})),
        (-2i8..3).prop_map(|n| json!({"exclusiveMaximum": n})),
        Just(json!({"pattern": "^a"})),
        Just(json!({"enum": ["a", "b", 1]})),
        Just(json!({"const": "a"})),
        Just(json!({"multipleOf": 2})),
        Just(json!(true)),
        Just(json!(false)),
    ]
}

fn any_schema() -> impl Strategy<Value = Value> {
    leaf().prop_recursive(3, 16, 3, |inner| {
        prop_oneof![
            inner.clone().prop_map(|s| json!({"not": s})),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(|b| json!({"anyOf": b})),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(|b| json!({"allOf": b})),
            proptest::collection::vec(inner.clone(), 1..3).prop_map(|b| json!({"oneOf": b})),
            (inner.clone(), inner.clone()).prop_map(|(i, t)| json!({"if": i, "then": t})),
            (
                inner.clone(),
                inner.clone(),
                proptest::option::of(inner.clone()),
                any::<bool>()
            )
                .prop_map(|(a, b, extra, closed)| {
                    let mut s =
                        json!({"type": "object", "properties": {"a": a}, "patternProperties": {"^b": b}});
                    if let Some(extra) = extra {
                        s["additionalProperties"] = extra;
                    } else if closed {
                        s["unevaluatedProperties"] = json!(false);
                    }
                    s
                }),
            // What `unevaluated*` sees through in-place subschemas.
            (inner.clone(), any::<bool>()).prop_map(|(c, closed)| {
                let mut s = json!({"type": "object", "properties": {"a": {}},
                    "allOf": [{"properties": {"c": c}}],
                    "dependentSchemas": {"a": {"properties": {"d": {}}}}});
                if closed {
                    s["unevaluatedProperties"] = json!(false);
                }
                s
            }),
            (inner.clone(), any::<bool>()).prop_map(|(c, closed)| {
                let mut s = json!({"type": "array", "prefixItems": [{}], "allOf": [{"contains": c}]});
                if closed {
                    s["unevaluatedItems"] = json!(false);
                }
                s
            }),
            (inner.clone(), 0u8..3)
                .prop_map(|(c, m)| json!({"type": "array", "contains": c, "maxContains": m})),
            (inner.clone(), inner)
                .prop_map(|(p, i)| json!({"type": "array", "prefixItems": [p], "items": i})),
        ]
    })
}

/// One change to `schema`, at a node picked by `pick`.
fn mutate(schema: &mut Value, pick: usize, replacement: &Value, kind: u8) {
    /// The pointers of every schema in `v` (a schema itself).
    fn nodes(v: &Value, at: String, out: &mut Vec<String>) {
        out.push(at.clone());
        let Value::Object(map) = v else { return };
        for (k, c) in map {
            match k.as_str() {
                "not"
                | "if"
                | "then"
                | "else"
                | "contains"
                | "items"
                | "additionalProperties"
                | "unevaluatedProperties"
                | "unevaluatedItems" => nodes(c, format!("{at}/{k}"), out),
                "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                    for (i, b) in c.as_array().into_iter().flatten().enumerate() {
                        nodes(b, format!("{at}/{k}/{i}"), out);
                    }
                }
                "properties" | "patternProperties" | "dependentSchemas" | "$defs" => {
                    for (name, b) in c.as_object().into_iter().flatten() {
                        nodes(
                            b,
                            format!("{at}/{k}/{}", name.replace('~', "~0").replace('/', "~1")),
                            out,
                        );
                    }
                }
                _ => {}
            }
        }
    }
    let mut schemas = Vec::new();
    nodes(schema, String::new(), &mut schemas);
    let at = schemas[pick % schemas.len()].clone();
    let target = schema.pointer_mut(&at).unwrap();
    match (kind % 4, target) {
        (0, target) => *target = replacement.clone(),
        (1, Value::Object(map)) => {
            if let Value::Object(extra) = replacement {
                for (k, v) in extra {
                    map.insert(k.clone(), v.clone());
                }
            }
        }
        (2, Value::Object(map)) if map.contains_key("properties") => {
            map["properties"]["bar"] = replacement.clone();
        }
        (_, target) => *target = json!({"allOf": [target.clone(), replacement]}),
    }
}

fn any_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        (-3i64..12).prop_map(Value::from),
        Just(json!(2.5)),
        "(a|b|ab|abcd|ba|bar|x)?".prop_map(Value::from),
    ];
    leaf.prop_recursive(2, 12, 4, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..4).prop_map(Value::from),
            proptest::collection::btree_map("(a|b|bar|b2|c|d)", inner, 0..4)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// jsonschema's experimental canonical form: does OLD cover NEW? `None`
/// where it declines.
fn second_opinion(old: &Value, new: &Value) -> Option<jsonschema::canonical::Containment> {
    let with_draft = |s: &Value| {
        let mut s = s.clone();
        if let Some(map) = s.as_object_mut() {
            map.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
        }
        s
    };
    let old = jsonschema::canonicalize(&with_draft(old)).ok()?;
    let new = jsonschema::canonicalize(&with_draft(new)).ok()?;
    old.covers(&new).ok()
}

/// Wherever the differ says "safe", no value NEW accepts is refused by OLD:
/// boon judges 300 random values per pair. Prints the counts.
#[test]
fn safe_verdicts_have_no_witness() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;
    let (pairs, safe, checked, accepted) =
        (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
    let table = std::cell::RefCell::new([[0u64; 4]; 2]);
    let covers_checked = Cell::new((0u64, 0u64));
    let mut runner = TestRunner::new(Config {
        cases: 600,
        ..Config::default()
    });
    let strategy = (
        any_schema(),
        any::<usize>(),
        leaf(),
        any::<u8>(),
        proptest::collection::vec(any_value(), 300),
    );
    runner
        .run(&strategy, |(old, pick, replacement, kind, values)| {
            let mut new = old.clone();
            mutate(&mut new, pick, &replacement, kind);
            pairs.set(pairs.get() + 1);
            let report = report(&old, &new);
            let opinion = second_opinion(&old, &new);
            let row = usize::from(report.breaking);
            let col = match opinion {
                Some(jsonschema::canonical::Containment::Yes) => 0,
                Some(jsonschema::canonical::Containment::No) => 1,
                Some(jsonschema::canonical::Containment::Unknown) => 2,
                None => 3,
            };
            table.borrow_mut()[row][col] += 1;
            // A proof from the second opinion that some value NEW accepts
            // OLD refuses: the differ must not call the change safe.
            prop_assert!(
                report.breaking || col != 1,
                "called safe, but jsonschema's covers finds a value valid under NEW that OLD refuses\nOLD {}\nNEW {}\n{}",
                old,
                new,
                report.to_text()
            );
            // How far the second opinion can be trusted: its "yes" against
            // boon's verdicts on the random values.
            if col == 0 {
                let (o, n) = (Judge::new(&old), Judge::new(&new));
                let mut t = covers_checked.get();
                for value in &values {
                    if n.valid(value) {
                        t.0 += 1;
                        if !o.valid(value) {
                            t.1 += 1;
                        }
                    }
                }
                covers_checked.set(t);
            }
            if !report.breaking {
                safe.set(safe.get() + 1);
                let (o, n) = (Judge::new(&old), Judge::new(&new));
                for value in &values {
                    checked.set(checked.get() + 1);
                    if n.valid(value) {
                        accepted.set(accepted.get() + 1);
                        prop_assert!(
                            o.valid(value),
                            "called safe, but {} is valid under NEW and refused by OLD\nOLD {}\nNEW {}\n{}",
                            value,
                            old,
                            new,
                            report.to_text()
                        );
                    }
                }
            }
            Ok(())
        })
        .unwrap();
    eprintln!(
        "soundness: {} pairs, {} called safe; {} values checked against them, {} of them valid under NEW and all accepted by OLD",
        pairs.get(),
        safe.get(),
        checked.get(),
        accepted.get()
    );
    let table = table.borrow();
    eprintln!(
        "second opinion, jsonschema's covers (yes / no / unknown / declined): on the {} called safe {:?}; on the {} called breaking {:?}; where it said yes, {} values valid under NEW, {} of them refused by OLD",
        safe.get(),
        table[0],
        pairs.get() - safe.get(),
        table[1],
        covers_checked.get().0,
        covers_checked.get().1
    );
    assert!(safe.get() > 50, "too few safe verdicts to judge: {}", safe.get());
    assert!(
        accepted.get() > 1000,
        "too few values valid under NEW: {}",
        accepted.get()
    );
}

/// The same over the real schemas: an export of this crate's lenient
/// schemas, one event's schema changed one way. For every change called
/// safe, deliveries generated from the changed schema that boon finds valid
/// under it must be accepted by a lenient receiver built on today's schemas
/// (boon over the embedded union, then serde_json into the generated types).
#[test]
fn safe_verdicts_on_the_real_schemas_have_no_witness() {
    use kit_webhooks::{EventType, Mode};
    use proptest::strategy::ValueTree;
    use proptest::test_runner::{Config, TestRunner};

    let export: Vec<File> = EventType::ALL
        .iter()
        .map(|event| File {
            rel: format!("{event}.json"),
            doc: serde_json::from_str(event.bundled_schema(Mode::Lenient)).unwrap(),
        })
        .collect();
    let old = SchemaSet::from_files(Path::new("mem"), Layout::Export, export.clone()).unwrap();
    let receiver = support::judge::boon(Mode::Lenient);
    let mut runner = TestRunner::new(Config {
        cases: 200,
        ..Config::default()
    });
    let (mut pairs, mut safe, mut checked) = (0u64, 0u64, 0u64);
    let changes = (any::<usize>(), any::<usize>(), leaf(), any::<u8>());
    for _ in 0..200 {
        let (which, pick, replacement, kind) = changes.new_tree(&mut runner).unwrap().current();
        let index = which % export.len();
        let mut files = export.clone();
        mutate(&mut files[index].doc, pick, &replacement, kind);
        let Ok(new) = SchemaSet::from_files(Path::new("mem"), Layout::Export, files.clone()) else {
            continue;
        };
        pairs += 1;
        let report = diff::diff(&old, &new);
        if report.breaking {
            continue;
        }
        safe += 1;
        let changed = &files[index].doc;
        let judge = Judge::new(changed);
        let deliveries = support::generate::from_schema(changed, changed);
        for _ in 0..60 {
            let delivery = deliveries.new_tree(&mut runner).unwrap().current();
            if !judge.valid(&delivery) {
                continue;
            }
            checked += 1;
            assert!(
                support::judge::verdict(receiver, &delivery),
                "called safe, but {delivery} is valid under NEW and refused by a receiver built on OLD\n{}\n{}",
                serde_json::to_string(changed).unwrap(),
                report.to_text()
            );
        }
    }
    eprintln!("soundness on the real schemas: {pairs} changed sets, {safe} called safe, {checked} deliveries valid under NEW and all accepted by OLD");
    assert!(
        safe > 20 && checked > 500,
        "too little was judged: {safe} safe, {checked} deliveries"
    );
}
