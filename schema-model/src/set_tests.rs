//! The unit tests of `set.rs` (a file of their own, to keep each under 600 lines).
use super::*;
use serde_json::json;

fn file(rel: &str, doc: Value) -> File {
    File { rel: rel.into(), doc }
}

fn event(name: &str, data_ref: &str) -> Value {
    json!({
        "type": "object",
        "properties": {"event": {"const": name}, "data": {"$ref": data_ref}}
    })
}

#[test]
fn references_across_files_become_local() {
    let set = SchemaSet::from_files(
        Path::new("s"),
        Layout::Source,
        vec![
            file(
                "common/a.json",
                json!({"$defs": {"A": {"$ref": "b.json#/$defs/B"}}}),
            ),
            file(
                "common/b.json",
                json!({"$id": "https://x/common/b.json", "$defs": {"B": {"type": "string"}}}),
            ),
            file("events/e.json", event("e", "../common/a.json#/$defs/A")),
            file("events/f.json", event("f", "https://x/common/b.json#/$defs/B")),
        ],
    )
    .unwrap();
    assert_eq!(set.events["e"].schema["properties"]["data"]["$ref"], "#/$defs/A");
    assert_eq!(set.events["f"].schema["properties"]["data"]["$ref"], "#/$defs/B");
    assert_eq!(set.defs["A"].schema["$ref"], "#/$defs/B");
    let bundled = set.bundled("e").unwrap();
    assert_eq!(bundled["$defs"].as_object().unwrap().len(), 2);
    assert_eq!(set.events_using("B"), ["e", "f"]);
    assert_eq!(set.events_using("A"), ["e"]);
}

#[test]
fn a_bad_reference_names_the_file_and_pointer() {
    let err = SchemaSet::from_files(
        Path::new("s"),
        Layout::Source,
        vec![
            file("common/a.json", json!({"$defs": {"A": {"type": "string"}}})),
            file("events/e.json", event("e", "../common/a.json#/$defs/Missing")),
        ],
    )
    .unwrap_err();
    assert_eq!(err.path, "s/events/e.json");
    assert_eq!(err.pointer, "/properties/data/$ref");
    assert!(err.message.contains("has no $defs/Missing"), "{err}");
}

#[test]
fn duplicate_definition_names_are_refused_in_the_source_layout() {
    let err = SchemaSet::from_files(
        Path::new("s"),
        Layout::Source,
        vec![
            file("common/a.json", json!({"$defs": {"A": {"type": "string"}}})),
            file("common/b.json", json!({"$defs": {"A": {"type": "string"}}})),
            file("events/e.json", event("e", "../common/a.json#/$defs/A")),
        ],
    )
    .unwrap_err();
    assert_eq!(err.pointer, "/$defs/A");
}

#[test]
fn an_export_shares_equal_definitions() {
    let one = |name: &str| {
        let mut doc = event(name, "#/$defs/A");
        doc["$defs"] = json!({"A": {"type": "string"}});
        doc
    };
    let set = SchemaSet::from_files(
        Path::new("d"),
        Layout::Export,
        vec![file("e.json", one("e")), file("f.json", one("f"))],
    )
    .unwrap();
    assert_eq!(set.events.len(), 2);
    assert_eq!(set.defs.len(), 1);
    assert!(set.events["e"].schema.get("$defs").is_none());
}

#[test]
fn an_export_file_with_its_own_copy_keeps_it_to_itself() {
    let one = |name: &str, def: Value| {
        let mut doc = event(name, "#/$defs/A");
        doc["$defs"] = json!({"A": {"$ref": "#/$defs/B"}, "B": def});
        doc
    };
    let set = SchemaSet::from_files(
        Path::new("d"),
        Layout::Export,
        vec![
            file("e.json", one("e", json!({"type": "string"}))),
            file("f.json", one("f", json!({"type": "integer"}))),
        ],
    )
    .unwrap();
    assert_eq!(set.events["e"].schema["properties"]["data"]["$ref"], "#/$defs/A");
    assert_eq!(
        set.events["f"].schema["properties"]["data"]["$ref"],
        "#/$defs/A@f"
    );
    assert_eq!(set.defs["A@f"].schema["$ref"], "#/$defs/B@f");
    assert_eq!(set.defs["B@f"].schema["type"], "integer");
    assert_eq!(base_name("B@f"), "B");
}

#[test]
fn relative_paths_resolve_like_urls() {
    assert_eq!(
        join_relative("events/a.json", "../common/b.json").unwrap(),
        "common/b.json"
    );
    assert_eq!(join_relative("common/a.json", "b.json").unwrap(), "common/b.json");
    assert_eq!(
        join_relative("common/a.json", "./b.json").unwrap(),
        "common/b.json"
    );
    assert!(join_relative("a.json", "../../b.json").is_err());
}
