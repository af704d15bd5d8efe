//! Stage 4: the forms the crate serves and exports, each derived from the
//! source schemas (see `crate::forms` for the open and strict forms):
//!
//! - `open/<file>`: every source file, lists open (the lenient validators);
//! - `strict/<file>`: every source file, objects closed, `$id` under `/strict/`;
//! - `bundled/<event>.json` and `bundled/strict/<event>.json`: one
//!   self-contained schema per event, lenient (open) and strict;
//! - `union.json`, `strict/union.json`: every event in one document;
//! - `codegen.json`: the lenient union simplified for code generators.

use std::collections::BTreeMap;

use serde_json::{json, Map, Value};

use super::forms;
use super::model::Model;
use super::{types, DIALECT, UNKNOWN_DEF};

/// Every derived schema, by its path under `OUT_DIR/schemas/`.
pub fn generate(model: &Model) -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    for (index, file) in model.set.files.iter().enumerate() {
        let mut open = file.doc.clone();
        forms::open(&mut open);
        out.insert(format!("open/{}", file.rel), open);
        let mut strict = file.doc.clone();
        forms::strict(&mut strict);
        strict["$id"] = json!(model.strict_id(index));
        out.insert(format!("strict/{}", file.rel), strict);
    }
    for event in &model.events {
        let bundled = model.set.bundled(&event.name).unwrap_or_default();
        let mut open = bundled.clone();
        forms::open(&mut open);
        out.insert(format!("bundled/{}.json", event.name), open);
        let mut strict = bundled;
        forms::strict(&mut strict);
        strict["$id"] = json!(model.strict_id(event.file));
        out.insert(format!("bundled/strict/{}.json", event.name), strict);
    }
    let lenient = union(model, true);
    out.insert("codegen.json".into(), codegen(model, &lenient));
    out.insert("union.json".into(), lenient);
    out.insert("strict/union.json".into(), union(model, false));
    out
}

/// Every event in one document: `$defs` per event (by its Rust name) and a
/// `oneOf` with one branch each. The lenient union is open, and also admits
/// an event it does not know, by its envelope; the strict one is closed.
fn union(model: &Model, lenient: bool) -> Value {
    let mut defs: Map<String, Value> = model
        .set
        .defs
        .iter()
        .map(|(name, def)| (name.clone(), def.schema.clone()))
        .collect();
    for event in &model.events {
        let mut schema = model.set.events[&event.name].schema.clone();
        if let Value::Object(map) = &mut schema {
            // An embedded `$id` would make `#/$defs/…` inside resolve against
            // the event's own document instead of the union.
            map.remove("$schema");
            map.remove("$id");
        }
        defs.insert(event.title.clone(), schema);
    }
    for schema in defs.values_mut() {
        if lenient {
            forms::open(schema);
        } else {
            forms::strict(schema);
        }
    }
    let mut branches: Vec<Value> = model
        .events
        .iter()
        .map(|e| json!({ "$ref": format!("#/$defs/{}", e.title) }))
        .collect();
    let (id, description) = if lenient {
        let names: Vec<&str> = model.events.iter().map(|e| e.name.as_str()).collect();
        // `allOf` rather than `$ref` with siblings, so that draft-7 tools
        // (which ignore a `$ref`'s siblings) read it the same way. Added
        // after the lists are opened: this list of names stays closed.
        branches.push(json!({
            "description": "An event this version of the schemas does not know: only its envelope is checked.",
            "allOf": [
                { "$ref": format!("#/$defs/{UNKNOWN_DEF}") },
                { "properties": { "event": { "not": { "enum": names } } } }
            ]
        }));
        (
            model.derived_id("webhook.json", false),
            "Any Kit webhook delivery: one branch per event, selected by `event`. Lenient: a value Kit adds to a documented list, a field it adds, and an event this version does not know (by its envelope) are accepted.",
        )
    } else {
        (
            model.derived_id("webhook.json", true),
            "Any Kit webhook delivery, strictly: one branch per known event, selected by `event`; undocumented values, fields and events are rejected.",
        )
    };
    json!({
        "$schema": DIALECT,
        "$id": id,
        "title": "Kit webhook delivery",
        "description": description,
        "type": "object",
        "required": ["event", "created_at", "data"],
        "oneOf": branches,
        "$defs": defs,
    })
}

/// The lenient union for code generators (json-schema-to-typescript,
/// datamodel-code-generator): simple definitions inlined, references without
/// siblings, the unknown-event branch as its plain envelope, and each open
/// list typed for TypeScript as its known values or any other string.
fn codegen(model: &Model, lenient: &Value) -> Value {
    let mut codegen = lenient.clone();
    if let Some(Value::Array(branches)) = codegen.get_mut("oneOf") {
        if let Some(last) = branches.last_mut() {
            *last = json!({ "$ref": format!("#/$defs/{UNKNOWN_DEF}") });
        }
    }
    let simple: BTreeMap<String, Value> = model
        .set
        .defs
        .iter()
        .filter(|(name, _)| model.is_simple(name))
        .map(|(name, def)| (name.clone(), def.schema.clone()))
        .collect();
    if let Some(Value::Object(all)) = codegen.get_mut("$defs") {
        all.retain(|name, _| !simple.contains_key(name));
        for schema in all.values_mut() {
            if let Some(map) = schema.as_object_mut() {
                if let Some(values) = forms::open_values(map) {
                    let known: Vec<String> = values.iter().map(|v| v.to_string()).collect();
                    map.insert(
                        "tsType".into(),
                        json!(format!("{} | (string & {{}})", known.join(" | "))),
                    );
                }
            }
        }
    }
    types::simplify_refs(&mut codegen, &|name| simple.get(name));
    codegen["$id"] = json!(model.derived_id("webhook.codegen.json", false));
    codegen["description"] = json!("Any Kit webhook delivery, simplified for code generators: simple definitions (timestamps, integers) inlined, open lists typed as their known values or any other string. Validate with webhook.json; generate types from this file.");
    codegen
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::set::{Layout, SchemaSet};
    use crate::codegen::BASE;
    use std::path::Path;

    fn derived() -> BTreeMap<String, Value> {
        let set = SchemaSet::from_files(
            Path::new("schemas"),
            Layout::Source,
            crate::codegen::model::tests::files(),
        )
        .unwrap();
        generate(&Model::new(set).unwrap())
    }

    /// The `$id`s of every derived form come from the schemas' own base.
    #[test]
    fn ids_follow_the_base_the_schemas_use() {
        let mut files = crate::codegen::model::tests::files();
        for file in &mut files {
            let id = file.doc["$id"]
                .as_str()
                .unwrap()
                .replace(BASE, "https://example.com/hooks");
            file.doc["$id"] = json!(id);
        }
        let set = SchemaSet::from_files(Path::new("schemas"), Layout::Source, files).unwrap();
        let all = generate(&Model::new(set).unwrap());
        assert_eq!(
            all["strict/common/c.json"]["$id"],
            "https://example.com/hooks/strict/common/c.json"
        );
        assert_eq!(all["union.json"]["$id"], "https://example.com/hooks/webhook.json");
        assert_eq!(
            all["strict/union.json"]["$id"],
            "https://example.com/hooks/strict/webhook.json"
        );
    }

    #[test]
    fn lenient_forms_are_open_and_strict_forms_closed() {
        let all = derived();
        let open = &all["open/common/c.json"]["$defs"]["Status"];
        assert_eq!(
            open["anyOf"],
            json!([{"enum": ["new", "old"]}, {"type": "string"}])
        );
        let strict = &all["strict/common/c.json"];
        assert_eq!(strict["$defs"]["Status"]["enum"], json!(["new", "old"]));
        assert_eq!(strict["$defs"]["PingData"]["additionalProperties"], false);
        assert_eq!(strict["$id"], format!("{BASE}/strict/common/c.json"));
        assert_eq!(
            all["bundled/strict/test.ping.json"]["$id"],
            format!("{BASE}/strict/events/test.ping.json")
        );
        assert_eq!(
            all["bundled/test.ping.json"]["$id"],
            format!("{BASE}/events/test.ping.json")
        );
        assert_eq!(
            all["union.json"]["$defs"]["Status"]["anyOf"][1],
            json!({"type": "string"})
        );
        assert_eq!(
            all["strict/union.json"]["$defs"]["PingData"]["additionalProperties"],
            false
        );
        assert_eq!(
            all["strict/union.json"]["$defs"]["Status"]["enum"],
            json!(["new", "old"])
        );
        let unknown = &all["union.json"]["oneOf"][1]["allOf"][1]["properties"]["event"]["not"];
        assert_eq!(
            unknown,
            &json!({"enum": ["test.ping"]}),
            "the known event names stay a closed list"
        );
    }

    #[test]
    fn codegen_types_open_lists_for_typescript() {
        let all = derived();
        let status = &all["codegen.json"]["$defs"]["Status"];
        assert_eq!(status["tsType"], "\"new\" | \"old\" | (string & {})");
        assert!(all["codegen.json"]["$defs"].get("Timestamp").is_none());
    }
}
