//! The differ is never wrong about safety: each case is a pair of small
//! schemas (the `data` of one event) and a witness. boon, which shares no
//! code with the differ, shows whether the witness is valid under NEW and
//! refused by OLD; when it is, the differ must call the change breaking.
//! Then the changes it must not call breaking, the reasons it must state
//! right, and the input it must refuse. Two generative tests close: random
//! pairs of small schemas built from the keywords the walker knows, and the
//! real schemas changed one way; for every verdict of "safe", every value
//! NEW accepts (random values; generated deliveries) is accepted by OLD.
#![cfg(feature = "diff")]

use std::path::Path;

use kit_webhooks::diff::{self, File, Kind, Layout, Report, SchemaSet};
use proptest::prelude::*;
use serde_json::{json, Value};

mod support;

/// A one-event set whose `data` is `data`.
fn set(data: &Value) -> SchemaSet {
    let event = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/x.y.json",
        "type": "object",
        "required": ["event", "created_at", "data"],
        "properties": {
            "event": {"const": "x.y"},
            "created_at": {"type": "string", "format": "date-time"},
            "data": data,
        }
    });
    SchemaSet::from_files(
        Path::new("mem"),
        Layout::Export,
        vec![File {
            rel: "x.y.json".into(),
            doc: event,
        }],
    )
    .unwrap()
}

fn report(old: &Value, new: &Value) -> Report {
    diff::diff(&set(old), &set(new))
}

/// A schema compiled by boon.
struct Judge {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Judge {
    fn new(schema: &Value) -> Judge {
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        let mut schemas = boon::Schemas::new();
        let mut schema = schema.clone();
        if let Value::Object(map) = &mut schema {
            map.insert(
                "$schema".into(),
                json!("https://json-schema.org/draft/2020-12/schema"),
            );
        }
        compiler
            .add_resource("https://example.invalid/s.json", schema)
            .unwrap();
        let index = compiler
            .compile("https://example.invalid/s.json", &mut schemas)
            .unwrap();
        Judge { schemas, index }
    }

    fn valid(&self, value: &Value) -> bool {
        self.schemas.validate(value, self.index).is_ok()
    }
}

/// boon's verdict on `value` under `schema`.
fn valid(schema: &Value, value: &Value) -> bool {
    Judge::new(schema).valid(value)
}

/// The witness shows the change breaks; the differ must say so, with `kind`.
fn breaks(old: Value, new: Value, witness: Value, kind: Kind) {
    assert!(valid(&new, &witness), "the witness is not valid under NEW");
    assert!(!valid(&old, &witness), "the witness is not refused by OLD");
    let report = report(&old, &new);
    assert!(
        report.breaking,
        "called safe, but {witness} breaks it:\n{}",
        report.to_text()
    );
    assert!(
        report.changes.iter().any(|c| c.breaking && c.kind == kind),
        "no breaking {kind}:\n{}",
        report.to_text()
    );
}

fn kinds(report: &Report) -> Vec<(Kind, bool)> {
    report.changes.iter().map(|c| (c.kind, c.breaking)).collect()
}

#[test]
fn a_field_added_where_old_checked_undocumented_fields() {
    let old = json!({"type": "object", "properties": {"foo": {"type": "string"}}, "additionalProperties": {"type": "string"}});
    let mut new = old.clone();
    new["properties"]["bar"] = json!({"type": "number"});
    breaks(old.clone(), new.clone(), json!({"bar": 1}), Kind::FieldAdded);
    new["additionalProperties"] = json!(false);
    breaks(old.clone(), new, json!({"bar": 1}), Kind::FieldAdded);
    // Within what `additionalProperties` allowed: safe.
    let mut new = old.clone();
    new["properties"]["bar"] = json!({"type": "string", "maxLength": 3});
    let r = report(&old, &new);
    assert!(!r.breaking, "{}", r.to_text());

    let old =
        json!({"type": "object", "properties": {"foo": {"type": "string"}}, "unevaluatedProperties": false});
    let mut new = old.clone();
    new["properties"]["bar"] = json!({"type": "number"});
    breaks(old, new, json!({"bar": 1}), Kind::FieldAdded);
}

#[test]
fn polarity_under_not_if_one_of_and_contains() {
    breaks(
        json!({"type": "string", "not": {"maxLength": 5}}),
        json!({"type": "string", "not": {"maxLength": 3}}),
        json!("abcd"),
        Kind::ConstraintRelaxed,
    );
    breaks(
        json!({"type": "string", "not": {"minLength": 1}}),
        json!({"type": "string", "not": {"minLength": 1, "pattern": "^a"}}),
        json!("b"),
        Kind::ConstraintRelaxed,
    );
    breaks(
        json!({"oneOf": [{"type": "integer"}, {"minimum": 0}]}),
        json!({"oneOf": [{"type": "integer", "maximum": 3}, {"minimum": 0}]}),
        json!(5),
        Kind::Unproven,
    );
    breaks(
        json!({"type": "integer", "if": {"minimum": 0}, "then": {"multipleOf": 2}}),
        json!({"type": "integer", "if": {"minimum": 10}, "then": {"multipleOf": 2}}),
        json!(3),
        Kind::Unproven,
    );
    breaks(
        json!({"type": "array", "contains": {"type": "integer"}, "maxContains": 1}),
        json!({"type": "array", "contains": {"type": "integer", "minimum": 5}, "maxContains": 1}),
        json!([1, 2, 7]),
        Kind::Unproven,
    );
    breaks(
        json!({"type": "array", "prefixItems": [{"type": "string"}], "items": {"type": "string"}}),
        json!({"type": "array", "prefixItems": [{"type": "string"}, {"type": "integer"}], "items": {"type": "string"}}),
        json!(["a", 1]),
        Kind::Unproven,
    );
    // Relaxing under `not` narrows what passes: safe, and said so.
    let r = report(
        &json!({"type": "string", "not": {"maxLength": 3}}),
        &json!({"type": "string", "not": {"maxLength": 5}}),
    );
    assert_eq!(kinds(&r), [(Kind::ConstraintTightened, false)], "{}", r.to_text());
    // Twice negated is positive again.
    let r = report(
        &json!({"not": {"not": {"maxLength": 5}}}),
        &json!({"not": {"not": {"maxLength": 3}}}),
    );
    assert_eq!(kinds(&r), [(Kind::ConstraintTightened, false)], "{}", r.to_text());
}

#[test]
fn unchanged_keywords_are_no_change() {
    for schema in [
        json!({"type": "object", "patternProperties": {"^x_": {"type": "integer"}}}),
        json!({"type": "object", "dependentSchemas": {"a": {"required": ["b"]}}}),
        json!({"allOf": [{"type": "string"}, {"minLength": 1}]}),
    ] {
        let r = report(&schema, &schema);
        assert!(r.changes.is_empty(), "{schema}: {}", r.to_text());
    }
}

#[test]
fn reasons_state_what_changed() {
    // A one-branch `allOf` is its branch.
    let r = report(
        &json!({"allOf": [{"type": "string", "minLength": 2}]}),
        &json!({"type": "string", "minLength": 2}),
    );
    assert!(r.changes.is_empty(), "{}", r.to_text());
    // Branch order does not matter.
    for keyword in ["allOf", "anyOf", "oneOf"] {
        let r = report(
            &json!({ keyword: [{"type": "string"}, {"type": "integer"}] }),
            &json!({ keyword: [{"type": "integer"}, {"type": "string"}] }),
        );
        assert!(r.changes.is_empty(), "{keyword}: {}", r.to_text());
    }
    // `minimum` → `exclusiveMinimum` with the same value tightens.
    let r = report(
        &json!({"type": "number", "minimum": 5}),
        &json!({"type": "number", "exclusiveMinimum": 5}),
    );
    assert_eq!(kinds(&r), [(Kind::ConstraintTightened, false)], "{}", r.to_text());
    let r = report(
        &json!({"type": "number", "exclusiveMaximum": 5}),
        &json!({"type": "number", "maximum": 5}),
    );
    assert_eq!(kinds(&r), [(Kind::ConstraintRelaxed, true)], "{}", r.to_text());
    // A closed object's new property that its patternProperties allowed is
    // not a field added.
    let old = json!({"type": "object", "patternProperties": {"^b": {"type": "number"}}, "additionalProperties": false});
    let mut new = old.clone();
    new["properties"] = json!({"bar": {"type": "integer"}});
    let r = report(&old, &new);
    assert_eq!(kinds(&r), [(Kind::ConstraintTightened, false)], "{}", r.to_text());
    // A branch of anyOf added lets more through; of allOf, less.
    let r = report(
        &json!({"anyOf": [{"type": "string"}]}),
        &json!({"anyOf": [{"type": "string"}, {"type": "null"}]}),
    );
    assert!(r.breaking, "{}", r.to_text());
    let r = report(
        &json!({"allOf": [{"type": "string"}, {"minLength": 1}]}),
        &json!({"allOf": [{"type": "string"}, {"minLength": 1}, {"maxLength": 9}]}),
    );
    assert!(!r.breaking, "{}", r.to_text());
}

#[test]
fn input_that_is_not_2020_12_is_refused() {
    for (name, data) in [
        ("tuple", json!({"type": "array", "items": [{"type": "string"}]})),
        ("definitions", json!({"definitions": {"A": {"type": "string"}}})),
        ("dependencies", json!({"dependencies": {"a": ["b"]}})),
        ("not-a-schema", json!({"not": 5})),
    ] {
        let dir = std::env::temp_dir().join(format!("kit-webhooks-diff-2020-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        let mut doc = json!({
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": "https://example.invalid/x.y.json",
            "type": "object",
            "required": ["event", "created_at", "data"],
            "properties": {"event": {"const": "x.y"}, "created_at": {"type": "string"}, "data": {}}
        });
        std::fs::write(dir.join("x.y.json"), doc.to_string()).unwrap();
        doc["properties"]["data"] = data;
        let new = dir.join("new");
        std::fs::create_dir_all(&new).unwrap();
        std::fs::write(new.join("x.y.json"), doc.to_string()).unwrap();
        let err = diff::diff_dirs(&dir, &new).unwrap_err();
        assert!(err.to_string().contains("not Draft 2020-12"), "{name}: {err}");
        let output = std::process::Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
            .args(["diff", dir.to_str().unwrap(), new.to_str().unwrap()])
            .output()
            .unwrap();
        assert_eq!(output.status.code(), Some(2), "{name}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

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

/// Wherever the differ says "safe", no value NEW accepts is refused by OLD:
/// boon judges 300 random values per pair. Prints the counts.
#[test]
fn safe_verdicts_have_no_witness() {
    use proptest::test_runner::{Config, TestRunner};
    use std::cell::Cell;
    let (pairs, safe, checked, accepted) =
        (Cell::new(0u64), Cell::new(0u64), Cell::new(0u64), Cell::new(0u64));
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

/// The keywords whose effect reaches past their own schema object
/// (`unevaluated*` through in-place subschemas, `$dynamicRef`), and the
/// other object and array keywords: each change that a witness shows
/// breaking is called breaking.
#[test]
fn changes_seen_through_unevaluated_dynamic_and_dependent_keywords() {
    let mut failures = Vec::new();
    let cases: Vec<(Value, Value, Value)> = vec![
        // A field evaluated by a new in-place branch escapes `unevaluatedProperties`.
        (
            json!({"type": "object", "properties": {"a": {}}, "unevaluatedProperties": false}),
            json!({"type": "object", "properties": {"a": {}}, "allOf": [{"properties": {"b": {}}}], "unevaluatedProperties": false}),
            json!({"b": 1}),
        ),
        (
            json!({"type": "object", "properties": {"a": {}}, "unevaluatedProperties": false}),
            json!({"type": "object", "properties": {"a": {}}, "dependentSchemas": {"a": {"properties": {"b": {}}}}, "unevaluatedProperties": false}),
            json!({"a": 1, "b": 1}),
        ),
        (
            json!({"type": "object", "properties": {"a": {}}, "unevaluatedProperties": false}),
            json!({"type": "object", "properties": {"a": {}}, "if": {"required": ["a"]}, "then": {"properties": {"b": {}}}, "unevaluatedProperties": false}),
            json!({"a": 1, "b": 1}),
        ),
        (
            json!({"type": "object", "allOf": [{"properties": {"a": {}}}], "unevaluatedProperties": false}),
            json!({"type": "object", "allOf": [{"properties": {"a": {}, "b": {"type": "integer"}}}], "unevaluatedProperties": false}),
            json!({"b": 1}),
        ),
        (
            json!({"type": "object", "properties": {"a": {}}, "patternProperties": {"^x": {}}, "unevaluatedProperties": false}),
            json!({"type": "object", "properties": {"a": {}}, "patternProperties": {"^x": {}, "^y": {}}, "unevaluatedProperties": false}),
            json!({"y": 1}),
        ),
        (
            json!({"type": "array", "prefixItems": [{}], "unevaluatedItems": false}),
            json!({"type": "array", "prefixItems": [{}], "allOf": [{"prefixItems": [{}, {}]}], "unevaluatedItems": false}),
            json!([1, 2]),
        ),
        (
            json!({"type": "array", "prefixItems": [{}], "unevaluatedItems": false}),
            json!({"type": "array", "prefixItems": [{}], "contains": {"type": "integer"}, "unevaluatedItems": false}),
            json!([1, 2]),
        ),
        (
            json!({"type": "object", "dependentRequired": {"a": ["b"]}}),
            json!({"type": "object", "dependentRequired": {"a": []}}),
            json!({"a": 1}),
        ),
        (
            json!({"type": "object", "dependentRequired": {"a": ["b"]}}),
            json!({"type": "object", "dependentRequired": {"c": ["b"]}}),
            json!({"a": 1}),
        ),
        (
            json!({"type": "object", "propertyNames": {"maxLength": 2}}),
            json!({"type": "object", "propertyNames": {"maxLength": 3}}),
            json!({"abc": 1}),
        ),
        (
            json!({"type": "object", "minProperties": 1, "properties": {"a": {}}}),
            json!({"type": "object", "properties": {"a": {}}}),
            json!({}),
        ),
        (
            json!({"$defs": {"n": {"$dynamicAnchor": "n", "type": "string"}}, "$dynamicRef": "#n"}),
            json!({"$defs": {"n": {"$dynamicAnchor": "n", "type": ["string", "integer"]}}, "$dynamicRef": "#n"}),
            json!(1),
        ),
        (
            json!({"type": "array", "items": {"type": "string"}, "uniqueItems": true}),
            json!({"type": "array", "items": {"type": "string"}}),
            json!(["a", "a"]),
        ),
        (
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}]}),
            json!({"anyOf": [{"type": "string"}, {"type": "integer"}, {"type": "null"}]}),
            json!(null),
        ),
        (
            json!({"type": "object", "properties": {"a": {"type": "integer"}}, "required": ["a"]}),
            json!({"type": "object", "properties": {"a": {"type": "integer"}}}),
            json!({}),
        ),
        (
            json!({"type": "object", "additionalProperties": false, "properties": {"a": {}}}),
            json!({"type": "object", "additionalProperties": false, "properties": {"a": {}}, "patternProperties": {"^b": {}}}),
            json!({"b": 1}),
        ),
        (
            json!({"type": "integer", "if": {"maximum": 0}, "else": {"minimum": 3}}),
            json!({"type": "integer", "else": {"minimum": 3}}),
            json!(1),
        ),
        (
            json!({"type": "integer", "if": {"maximum": 0}, "then": {"minimum": -3}}),
            json!({"type": "integer", "if": {"maximum": 0}}),
            json!(-5),
        ),
    ];
    for (old, new, witness) in cases {
        assert!(valid(&new, &witness), "bad witness {witness} for {new}");
        assert!(!valid(&old, &witness), "bad witness {witness} for {old}");
        let r = report(&old, &new);
        if !r.breaking {
            failures.push(format!("{old}\n -> {new}\n witness {witness}\n{}", r.to_text()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
