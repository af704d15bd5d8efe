//! The differ is never wrong about safety: each case is a pair of small
//! schemas (the `data` of one event) and a witness. boon, which shares no
//! code with the differ, shows whether the witness is valid under NEW and
//! refused by OLD; when it is, the differ must call the change breaking.
//! Then the changes it must not call breaking, the reasons it must state
//! right, and the input it must refuse. The generative tests are in
//! `tests/diff_generative.rs`.
#![cfg(feature = "diff")]

use kit_webhooks::diff::{self, Kind, Report};
use serde_json::{json, Value};

mod support;
use support::schema_pair::{report, valid};

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
    // A schema kept as a branch of `allOf` beside another reads as the
    // other's keywords added, never as its own dropped.
    let r = report(
        &json!({"type": "string", "maxLength": 3}),
        &json!({"allOf": [{"type": "string", "maxLength": 3}, {"pattern": "^a"}]}),
    );
    assert_eq!(kinds(&r), [(Kind::ConstraintTightened, false)], "{}", r.to_text());
    assert!(r.changes[0].message.contains("pattern"), "{}", r.to_text());
    let r = report(
        &json!({"not": {"type": "string"}}),
        &json!({"allOf": [{"not": {"type": "string"}}, {"minimum": 1}]}),
    );
    assert_eq!(kinds(&r), [(Kind::ConstraintTightened, false)], "{}", r.to_text());
    // A branch whose keyword reads a partner the schema has stays a branch:
    // `additionalProperties: false` alone refuses every field, `a` too.
    breaks(
        json!({"type": "object", "properties": {"a": {}}, "allOf": [{"additionalProperties": false}]}),
        json!({"type": "object", "properties": {"a": {}}, "additionalProperties": false}),
        json!({"a": 1}),
        Kind::ConstraintRelaxed,
    );
}

/// What typify makes of a keyword is part of the verdict: a length or a
/// pattern on a plain string, or `propertyNames` on a map, changes the Rust
/// type (typify makes a type of its own), though receivers accept fewer
/// values.
#[test]
fn constraints_that_change_the_rust_type_are_breaking() {
    for (old, new) in [
        (
            json!({"type": "string"}),
            json!({"type": "string", "minLength": 1}),
        ),
        (
            json!({"type": ["string", "null"]}),
            json!({"type": ["string", "null"], "pattern": "^a"}),
        ),
        (
            json!({"type": "string", "maxLength": 9}),
            json!({"type": "string"}),
        ),
        (
            json!({"type": "object", "additionalProperties": {"type": "string"}}),
            json!({"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"maxLength": 5}}),
        ),
        (
            json!({"type": "object", "additionalProperties": {"type": "string"}}),
            json!({"type": "object", "additionalProperties": {"type": "string"}, "propertyNames": {"format": "uuid"}}),
        ),
    ] {
        let r = report(&old, &new);
        assert!(
            r.changes
                .iter()
                .any(|c| c.kind == Kind::TypeChanged && c.breaking),
            "{old} → {new}: {}",
            r.to_text()
        );
    }
    // Where typify's type stays: a list of values, a parsed format, a
    // string already constrained.
    for (old, new) in [
        (
            json!({"type": "string", "enum": ["a", "bb"]}),
            json!({"type": "string", "enum": ["a", "bb"], "minLength": 1}),
        ),
        (
            json!({"type": "string", "format": "date-time"}),
            json!({"type": "string", "format": "date-time", "maxLength": 40}),
        ),
        (
            json!({"type": "string", "maxLength": 5}),
            json!({"type": "string", "maxLength": 3}),
        ),
    ] {
        let r = report(&old, &new);
        assert_eq!(
            kinds(&r),
            [(Kind::ConstraintTightened, false)],
            "{old} → {new}: {}",
            r.to_text()
        );
    }
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

/// Probes of the kind compatibility checkers' suites hold
/// (`tests/fixtures/diff-probes.json`: type, enum and const changes, the
/// combinators, objects and arrays, bounds, formats, `not` in depth): for
/// each, every witness valid under NEW and refused by a lenient receiver on
/// OLD (boon on OLD's open form, where a list of strings admits any string)
/// proves the change breaking, and the differ must say so.
#[test]
fn no_probe_with_a_witness_is_called_safe() {
    let probes: Vec<Value> = serde_json::from_str(
        &std::fs::read_to_string(support::root().join("tests/fixtures/diff-probes.json")).unwrap(),
    )
    .unwrap();
    let (mut proofs, mut failures) = (0, Vec::new());
    for probe in &probes {
        let (name, old, new) = (&probe["name"], &probe["old"], &probe["new"]);
        let mut lenient = old.clone();
        kit_webhooks_schema_model::forms::open(&mut lenient);
        let r = report(old, new);
        for witness in probe["witnesses"].as_array().unwrap() {
            if valid(new, witness) && !valid(&lenient, witness) {
                proofs += 1;
                if !r.breaking {
                    failures.push(format!(
                        "{name}: {old} -> {new}, witness {witness}\n{}",
                        r.to_text()
                    ));
                }
            }
        }
    }
    eprintln!("{} probes, {proofs} witnesses that prove a break", probes.len());
    assert!(failures.is_empty(), "called safe:\n{}", failures.join("\n\n"));
    // The witnesses still prove what they were written to prove.
    assert!(proofs >= 60, "only {proofs} witnesses prove a break");
}
