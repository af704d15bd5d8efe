//! Stage 1: the schema set, read with [`crate::set`], and kit-webhooks'
//! conventions checked: a schema that breaks one stops the build with the
//! file and JSON pointer at fault, never with errors in generated code.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use super::set::{Def, SchemaSet};
use super::{forms, keywords, walk};
use super::{pascal, Result, DIALECT, UNKNOWN_DEF};

/// The base of every `$id`, from the file that defines the envelope
/// (`common/envelope.json`, whose `$id` is the base and its path).
fn base_of(set: &SchemaSet) -> Result<String> {
    let def = set.defs.get(UNKNOWN_DEF).ok_or_else(|| {
        format!("schemas/common/: no definition {UNKNOWN_DEF:?} (the envelope of any event)")
    })?;
    let file = &set.files[def.file];
    let id = file.doc.get("$id").and_then(Value::as_str).unwrap_or_default();
    id.strip_suffix(&format!("/{}", file.rel))
        .map(str::to_owned)
        .ok_or_else(|| {
            format!(
                "schemas/{}: /$id {id:?} does not end with the file's path",
                file.rel
            )
        })
}

/// One event, as the generator needs it.
#[derive(Clone, Debug)]
pub struct EventInfo {
    /// `offer.accepted`.
    pub name: String,
    /// The Rust type and `WebhookEvent` variant: `OfferAccepted` (the schema's title).
    pub title: String,
    /// The index of its file in the set.
    pub file: usize,
    /// The definition its `data` refers to (`OfferData`).
    pub data: String,
    /// The schema's description.
    pub description: String,
}

/// The schema set and its events, checked.
#[derive(Clone, Debug)]
pub struct Model {
    /// Everything read.
    pub set: SchemaSet,
    /// The events, in the order of their files.
    pub events: Vec<EventInfo>,
    /// What every `$id` starts with, read from the schemas: the `$id` of the
    /// file that defines the envelope, without that file's path.
    pub base: String,
}

impl Model {
    /// Reads `dir` (the source layout) and checks every convention.
    pub fn read(dir: &Path) -> Result<Model> {
        let set = SchemaSet::read_source(dir).map_err(|e| e.to_string())?;
        Model::new(set)
    }

    /// Checks the conventions of a set already read.
    pub fn new(set: SchemaSet) -> Result<Model> {
        let base = base_of(&set)?;
        let mut model = Model {
            set,
            events: Vec::new(),
            base,
        };
        model.check_files()?;
        model.check_defs()?;
        model.collect_events()?;
        model.check_schemas()?;
        Ok(model)
    }

    /// The path of file `index` relative to `schemas/` (`events/test.ping.json`).
    pub fn rel(&self, index: usize) -> &str {
        &self.set.files[index].rel
    }

    /// `schemas/events/test.ping.json`, for messages.
    pub fn shown(&self, index: usize) -> String {
        format!("schemas/{}", self.rel(index))
    }

    /// The `$id` of file `index`.
    pub fn id(&self, index: usize) -> String {
        format!("{}/{}", self.base, self.rel(index))
    }

    /// The `$id` of file `index` in the strict form.
    pub fn strict_id(&self, index: usize) -> String {
        crate::forms::strict_id(&self.base, self.rel(index))
    }

    /// The `$id` of a file this generator adds (`webhook.json`), in the
    /// lenient form or the strict.
    pub fn derived_id(&self, rel: &str, strict: bool) -> String {
        if strict {
            crate::forms::strict_id(&self.base, rel)
        } else {
            format!("{}/{rel}", self.base)
        }
    }

    /// The definitions that are closed lists of strings: each becomes an
    /// open Rust enum.
    pub fn string_enums(&self) -> impl Iterator<Item = (&String, &Def)> {
        self.set
            .defs
            .iter()
            .filter(|(_, def)| def.schema.as_object().is_some_and(forms::is_string_enum))
    }

    /// Whether a definition is inlined where it is used (a timestamp, a
    /// bounded integer) rather than named in Rust (objects and enums).
    pub fn is_simple(&self, name: &str) -> bool {
        self.set
            .defs
            .get(name)
            .is_some_and(|def| !is_named_shape(&def.schema))
    }

    fn check_files(&self) -> Result<()> {
        for (index, file) in self.set.files.iter().enumerate() {
            let shown = self.shown(index);
            let expected = self.id(index);
            match file.doc.get("$id").and_then(Value::as_str) {
                Some(id) if id == expected => {}
                Some(id) => {
                    return Err(format!(
                        "{shown}: /$id is {id:?}, expected {expected:?} (the $id mirrors the file's path)"
                    ))
                }
                None => return Err(format!("{shown}: /$id is missing (expected {expected:?})")),
            }
            if file.doc.get("$schema").and_then(Value::as_str) != Some(DIALECT) {
                return Err(format!("{shown}: /$schema must be {DIALECT:?}"));
            }
            if file.rel.starts_with("events/") && file.doc.get("$defs").is_some() {
                return Err(format!(
                    "{shown}: /$defs: event files hold no definitions; put shared shapes in schemas/common/"
                ));
            }
        }
        Ok(())
    }

    fn check_defs(&self) -> Result<()> {
        for (name, def) in &self.set.defs {
            let valid = name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                && name.chars().all(|c| c.is_ascii_alphanumeric());
            if !valid {
                return Err(format!(
                    "{}: /$defs/{name}: definition names are PascalCase Rust type names",
                    self.shown(def.file)
                ));
            }
        }
        let Some(unknown) = self.set.defs.get(UNKNOWN_DEF) else {
            return Err(format!(
                "schemas/common/: the envelope definition $defs/{UNKNOWN_DEF} is missing"
            ));
        };
        // `WebhookEvent::Unknown` answers `event_name()` and `created_at()`
        // like every event, so the catch-all requires what every event does.
        let required: Vec<&str> = unknown
            .schema
            .get("required")
            .and_then(Value::as_array)
            .map(|list| list.iter().filter_map(Value::as_str).collect())
            .unwrap_or_default();
        for field in ["event", "created_at", "data"] {
            if !required.contains(&field) {
                return Err(format!(
                    "{}: /$defs/{UNKNOWN_DEF} must require {field:?}, as every event does",
                    self.shown(unknown.file)
                ));
            }
        }
        Ok(())
    }

    fn collect_events(&mut self) -> Result<()> {
        let mut events = Vec::new();
        for event in self.set.events.values() {
            let shown = self.shown(event.file);
            let name = &event.name;
            let stem = self
                .rel(event.file)
                .trim_start_matches("events/")
                .trim_end_matches(".json");
            if name != stem {
                return Err(format!(
                    "{shown}: /properties/event/const is {name:?} but the file is named after {stem:?}"
                ));
            }
            let title = event
                .schema
                .get("title")
                .and_then(Value::as_str)
                .unwrap_or_default();
            if title != pascal(name) {
                return Err(format!(
                    "{shown}: /title is {title:?}, expected {:?} (the Rust type name of the event)",
                    pascal(name)
                ));
            }
            if self.set.defs.contains_key(title) {
                return Err(format!("{shown}: /title {title:?} is also a definition name"));
            }
            let envelope = ["event", "created_at", "data"];
            let required: BTreeSet<&str> = event
                .schema
                .get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).collect())
                .unwrap_or_default();
            let properties: BTreeSet<&str> = event
                .schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|p| p.keys().map(String::as_str).collect())
                .unwrap_or_default();
            let expected: BTreeSet<&str> = envelope.into_iter().collect();
            // Kit may add a field to the envelope: an optional one beside
            // the three is allowed (and becomes an `Option` field).
            if required != expected || !properties.is_superset(&expected) {
                return Err(format!(
                    "{shown}: an event has the envelope's three fields, all required, and any others optional: /required must be {envelope:?} and /properties must hold them"
                ));
            }
            let data = event
                .schema
                .pointer("/properties/data/$ref")
                .and_then(Value::as_str)
                .and_then(|r| r.strip_prefix("#/$defs/"))
                .filter(|name| !self.is_simple(name))
                .ok_or_else(|| {
                    format!(
                        "{shown}: /properties/data must be a $ref to an object definition in schemas/common/"
                    )
                })?;
            events.push((
                event.file,
                EventInfo {
                    name: name.clone(),
                    title: title.to_owned(),
                    file: event.file,
                    data: data.to_owned(),
                    description: event
                        .schema
                        .get("description")
                        .and_then(Value::as_str)
                        .unwrap_or_default()
                        .to_owned(),
                },
            ));
        }
        events.sort_by_key(|(file, _)| *file);
        self.events = events.into_iter().map(|(_, event)| event).collect();
        Ok(())
    }

    /// Rules on every subschema: no keyword typify cannot handle, closed
    /// lists only as definitions of their own, and a description on every
    /// field (it becomes the Rust field's documentation).
    fn check_schemas(&self) -> Result<()> {
        let mut roots: Vec<(String, String, &Value)> = Vec::new();
        for (name, def) in &self.set.defs {
            roots.push((
                self.shown(def.file),
                walk::push_token("/$defs", name),
                &def.schema,
            ));
        }
        for event in &self.events {
            roots.push((
                self.shown(event.file),
                String::new(),
                &self.set.events[&event.name].schema,
            ));
        }
        for (shown, base, schema) in roots {
            let root = base.clone();
            walk::visit(schema, &base, &mut |map, pointer| {
                for keyword in map.keys() {
                    if keywords::rust(keyword) == keywords::Rust::Unsupported {
                        return Err(format!(
                            "{shown}: {pointer}/{keyword}: typify cannot generate types for this keyword"
                        ));
                    }
                }
                if forms::is_string_enum(map) && (pointer != root || root.is_empty()) {
                    return Err(format!(
                        "{shown}: {pointer}/enum: a closed list of strings must be a definition of its own in $defs, so that it becomes a named Rust enum that keeps values Kit adds later"
                    ));
                }
                if let Some(Value::Object(properties)) = map.get("properties") {
                    for (field, schema) in properties {
                        if schema.get("description").and_then(Value::as_str).is_none() {
                            return Err(format!(
                                "{shown}: {}/description: every field needs a description (it documents the Rust field)",
                                walk::push_token(&format!("{pointer}/properties"), field)
                            ));
                        }
                    }
                }
                Ok(())
            })?;
        }
        for (name, def) in self.string_enums() {
            super::enums::variants(name, &def.schema)
                .map_err(|why| format!("{}: /$defs/{name}/enum: {why}", self.shown(def.file)))?;
        }
        Ok(())
    }
}

/// Objects and enums become named Rust types; everything else is inlined.
pub fn is_named_shape(schema: &Value) -> bool {
    schema.get("enum").is_some() || schema.get("type").and_then(Value::as_str) == Some("object")
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::codegen::set::{File, Layout};
    use crate::codegen::BASE;
    use serde_json::json;

    /// A minimal valid set: one event, its data, the envelope.
    pub(crate) fn files() -> Vec<File> {
        let common = json!({
            "$schema": DIALECT,
            "$id": format!("{BASE}/common/c.json"),
            "$defs": {
                "Timestamp": {"type": "string", "format": "date-time"},
                "PingData": {"description": "d", "type": "object", "properties": {}},
                "Status": {"description": "s", "type": "string", "enum": ["new", "old"]},
                "UnknownEvent": {"type": "object", "required": ["event", "created_at", "data"], "properties": {
                    "event": {"type": "string", "description": "e"},
                    "created_at": {"$ref": "#/$defs/Timestamp", "description": "c"},
                    "data": {"type": "object", "description": "d"}
                }}
            }
        });
        let event = json!({
            "$schema": DIALECT,
            "$id": format!("{BASE}/events/test.ping.json"),
            "title": "TestPing",
            "description": "A ping.",
            "type": "object",
            "required": ["event", "created_at", "data"],
            "properties": {
                "event": {"const": "test.ping", "description": "e"},
                "created_at": {"$ref": "../common/c.json#/$defs/Timestamp", "description": "c"},
                "data": {"$ref": "../common/c.json#/$defs/PingData", "description": "d"}
            }
        });
        vec![
            File {
                rel: "common/c.json".into(),
                doc: common,
            },
            File {
                rel: "events/test.ping.json".into(),
                doc: event,
            },
        ]
    }

    fn model(files: Vec<File>) -> Result<Model> {
        let set =
            SchemaSet::from_files(Path::new("schemas"), Layout::Source, files).map_err(|e| e.to_string())?;
        Model::new(set)
    }

    #[test]
    fn a_conforming_set_is_read() {
        let model = model(files()).unwrap();
        assert_eq!(model.events.len(), 1);
        assert_eq!(model.events[0].title, "TestPing");
        assert_eq!(model.events[0].data, "PingData");
        assert_eq!(
            model.string_enums().map(|(n, _)| n.as_str()).collect::<Vec<_>>(),
            ["Status"]
        );
        assert!(model.is_simple("Timestamp") && !model.is_simple("PingData"));
    }

    fn refused(change: impl FnOnce(&mut Vec<File>)) -> String {
        let mut files = files();
        change(&mut files);
        model(files).unwrap_err()
    }

    #[test]
    fn each_convention_names_the_file_and_pointer() {
        let err = refused(|f| f[1].doc["$id"] = json!("https://elsewhere/x.json"));
        assert!(err.starts_with("schemas/events/test.ping.json: /$id is"), "{err}");
        let err = refused(|f| f[1].doc["title"] = json!("Ping"));
        assert!(err.contains("/title is \"Ping\", expected \"TestPing\""), "{err}");
        let err = refused(|f| {
            f[1].doc["properties"]["extra"] = json!({"type": "string", "description": "x"});
            f[1].doc["required"].as_array_mut().unwrap().push(json!("extra"));
        });
        assert!(err.contains("/required must be"), "{err}");
        let err = refused(|f| {
            f[1].doc["properties"].as_object_mut().unwrap().remove("data");
        });
        assert!(err.contains("/properties must hold them"), "{err}");
        let err = refused(|f| f[0].doc["$defs"]["bad_name"] = json!({}));
        assert!(
            err.contains("/$defs/bad_name: definition names are PascalCase"),
            "{err}"
        );
    }

    /// An `if` under `contains` (missed by an older hand-written walker) is found.
    #[test]
    fn unsupported_keywords_are_found_at_any_depth() {
        let err = refused(|f| {
            f[0].doc["$defs"]["PingData"]["properties"]["list"] = json!({
                "type": "array", "description": "l", "contains": {"if": {"type": "string"}}
            })
        });
        assert_eq!(
            err,
            "schemas/common/c.json: /$defs/PingData/properties/list/contains/if: typify cannot generate types for this keyword"
        );
    }

    #[test]
    fn inline_closed_lists_and_undocumented_fields_are_refused() {
        let err = refused(|f| {
            f[0].doc["$defs"]["PingData"]["properties"]["kind"] =
                json!({"type": "string", "enum": ["a"], "description": "k"})
        });
        assert!(
            err.contains("/$defs/PingData/properties/kind/enum: a closed list"),
            "{err}"
        );
        let err = refused(|f| f[0].doc["$defs"]["PingData"]["properties"]["x"] = json!({"type": "string"}));
        assert!(
            err.contains("/$defs/PingData/properties/x/description: every field needs"),
            "{err}"
        );
    }

    #[test]
    fn enum_values_must_make_distinct_variants() {
        let err = refused(|f| f[0].doc["$defs"]["Status"]["enum"] = json!(["no_show", "no-show"]));
        assert!(err.contains("/$defs/Status/enum:"), "{err}");
        let err = refused(|f| f[0].doc["$defs"]["Status"]["enum"] = json!(["unknown"]));
        assert!(err.contains("Unknown"), "{err}");
    }

    #[test]
    fn the_catch_all_envelope_requires_what_every_event_does() {
        let err = refused(|f| f[0].doc["$defs"]["UnknownEvent"]["required"] = json!(["event", "data"]));
        assert!(
            err.contains("/$defs/UnknownEvent must require \"created_at\""),
            "{err}"
        );
    }
}
