//! `schema::SchemaDir`: a schema set read at run time, in both layouts,
//! gives the verdicts boon gives over the embedded files (strict and
//! lenient) and the drift the embedded parser reports; named bad sets are
//! refused with the file at fault.
#![cfg(feature = "runtime-schemas")]

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use kit_webhooks::schema::SchemaDir;
use kit_webhooks::{DriftKind, EventType, Mode, Parser};
use proptest::prelude::*;
use serde_json::{json, Value};

mod support;
use support::generate::{any_delivery, any_leaf, any_mutation, mutate};
use support::judge::boon;

fn source() -> &'static SchemaDir {
    static SOURCE: OnceLock<SchemaDir> = OnceLock::new();
    SOURCE.get_or_init(|| SchemaDir::read(support::root().join("schemas")).unwrap())
}

/// An export written from the crate's own bundled (open) schemas, one file
/// per event, as `cargo xtask export` lays them out.
fn export() -> &'static SchemaDir {
    static EXPORT: OnceLock<SchemaDir> = OnceLock::new();
    EXPORT.get_or_init(|| {
        let dir = scratch();
        let schemas = dir.join("schemas");
        std::fs::create_dir(&schemas).unwrap();
        for &event in EventType::ALL {
            std::fs::write(
                schemas.join(format!("{event}.json")),
                event.bundled_schema(Mode::Lenient),
            )
            .unwrap();
        }
        SchemaDir::read(&dir).unwrap()
    })
}

/// A new empty directory of this test process.
fn scratch() -> PathBuf {
    static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
    let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
    let dir = std::env::temp_dir().join(format!("kit-webhooks-runtime-{}-{n}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn copy_schemas() -> PathBuf {
    let dir = scratch();
    for sub in ["events", "common"] {
        let to = dir.join(sub);
        std::fs::create_dir(&to).unwrap();
        for entry in std::fs::read_dir(support::root().join("schemas").join(sub)).unwrap() {
            let entry = entry.unwrap();
            std::fs::copy(entry.path(), to.join(entry.file_name())).unwrap();
        }
    }
    dir
}

fn edit(path: PathBuf, change: impl FnOnce(&mut Value)) {
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    change(&mut doc);
    std::fs::write(&path, serde_json::to_string_pretty(&doc).unwrap()).unwrap();
}

#[test]
fn both_layouts_read_every_event() {
    for set in [source(), export()] {
        let names: Vec<&str> = set.event_names().collect();
        let known: Vec<String> = EventType::ALL.iter().map(ToString::to_string).collect();
        assert_eq!(names, known);
    }
}

#[test]
fn every_fixture_has_the_embedded_verdict() {
    for dir in ["valid", "invalid"] {
        for path in support::fixture_paths(dir) {
            let body = std::fs::read(&path).unwrap();
            for mode in [Mode::Lenient, Mode::Strict] {
                let embedded = Parser::new().mode(mode).parse_with_drift(&body);
                for set in [source(), export()] {
                    let runtime = set.validate(&body, mode).map(|v| v.drift);
                    assert_eq!(
                        runtime.as_ref().ok(),
                        embedded.as_ref().ok().map(|(_, drift)| drift),
                        "{} {mode:?} {runtime:?}",
                        path.display()
                    );
                }
            }
        }
    }
}

#[test]
fn an_unknown_event_is_lenient_with_drift_and_refused_strictly() {
    let body = br#"{"event": "offer.rescinded", "created_at": "2025-01-15T14:30:00Z", "data": {"id": 1}}"#;
    let drift = source().validate(body, Mode::Lenient).unwrap().drift;
    assert_eq!(drift.additions()[0].kind, DriftKind::EventAdded);
    assert_eq!(drift.additions()[0].value, json!({"id": 1}));
    let err = source().validate(body, Mode::Strict).unwrap_err();
    assert_eq!(err.violations()[0].instance_path, "/event");
    assert!(err.to_string().contains("offer.rescinded"), "{err}");
    // The envelope still holds an unknown event to its form.
    let bad = br#"{"event": "offer.rescinded", "created_at": "yesterday", "data": {}}"#;
    assert_eq!(
        source().validate(bad, Mode::Lenient).unwrap_err().violations()[0].instance_path,
        "/created_at"
    );
}

#[test]
fn an_edited_set_changes_the_verdict() {
    let dir = copy_schemas();
    edit(dir.join("common/offer.json"), |doc| {
        doc["$defs"]["OfferStatus"]["enum"]
            .as_array_mut()
            .unwrap()
            .push(json!("rescinded"));
        doc["$defs"]["OfferData"]["properties"]["bonus"] =
            json!({"type": "integer", "description": "A bonus."});
    });
    let set = SchemaDir::read(&dir).unwrap();
    let mut doc = support::read_json(&support::root().join("tests/fixtures/valid/offer.accepted.json"));
    doc["data"]["status"] = json!("rescinded");
    doc["data"]["bonus"] = json!(5);
    let body = serde_json::to_vec(&doc).unwrap();
    assert!(Parser::new().mode(Mode::Strict).parse(&body).is_err());
    assert!(set.validate(&body, Mode::Strict).unwrap().drift.is_empty());
    assert!(set.validate(&body, Mode::Lenient).unwrap().drift.is_empty());
    doc["data"]["bonus"] = json!("five");
    let body = serde_json::to_vec(&doc).unwrap();
    let err = set.validate(&body, Mode::Lenient).unwrap_err();
    assert_eq!(err.violations()[0].instance_path, "/data/bonus");
}

#[test]
fn bad_sets_are_refused_with_the_file_at_fault() {
    let missing = SchemaDir::read(Path::new("/nonexistent/kit-schemas")).unwrap_err();
    assert!(missing.to_string().contains("not a directory"), "{missing}");

    let dir = copy_schemas();
    edit(dir.join("events/offer.accepted.json"), |doc| {
        doc["properties"]["data"]["$ref"] = json!("../common/offer.json#/$defs/NoSuchThing");
    });
    let err = SchemaDir::read(&dir).unwrap_err();
    assert!(err.path.ends_with("offer.accepted.json"), "{err}");

    let dir = copy_schemas();
    edit(dir.join("common/offer.json"), |doc| {
        doc["$defs"]["OfferData"]["allOf"] = json!([{"required": ["id"]}]);
    });
    let err = SchemaDir::read(&dir).unwrap_err();
    assert!(err.path.ends_with("common/offer.json"), "{err}");
    assert!(err.pointer.contains("OfferData"), "{err}");

    let dir = copy_schemas();
    std::fs::write(dir.join("events/test.ping.json"), "{").unwrap();
    let err = SchemaDir::read(&dir).unwrap_err();
    assert!(err.path.ends_with("test.ping.json"), "{err}");
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    /// Both layouts agree with boon over the embedded files in both modes,
    /// and report the drift the embedded parser reports.
    #[test]
    fn runtime_verdicts_are_boons(
        doc in any_delivery(Mode::Lenient).prop_map(|(_, doc)| doc),
        added in proptest::option::of((any::<usize>(), "[a-z_]{1,8}", any_leaf())),
        renamed in proptest::option::weighted(0.1, "[a-z]{1,8}\\.[a-z_]{1,8}"),
        broken in proptest::option::weighted(0.3, (any::<usize>(), any_mutation())),
    ) {
        let mut doc = doc;
        if let Some((pick, key, value)) = added {
            let objects: Vec<String> = ["", "/data"].iter().map(|s| s.to_string()).collect();
            if let Some(Value::Object(map)) = doc.pointer_mut(&objects[pick % 2]) {
                map.insert(key, value);
            }
        }
        if let Some(name) = renamed {
            doc["event"] = Value::String(name);
        }
        if let Some((pick, mutation)) = broken {
            mutate(&mut doc, pick, &mutation);
        }
        let body = serde_json::to_vec(&doc).unwrap();
        for set in [source(), export()] {
            for mode in [Mode::Lenient, Mode::Strict] {
                let runtime = set.validate(&body, mode);
                prop_assert_eq!(runtime.is_ok(), boon(mode).by_union(&doc), "{:?} {:?}\n{}", mode, runtime, String::from_utf8_lossy(&body));
            }
            if let (Ok(valid), Ok((_, embedded))) = (set.validate(&body, Mode::Lenient), Parser::new().parse_with_drift(&body)) {
                prop_assert_eq!(valid.drift, embedded);
            }
        }
    }
}
