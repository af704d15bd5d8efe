//! An independent judge: boon, a second implementation of JSON Schema
//! 2020-12, over the crate's own schema files.
#![allow(dead_code)]

use std::collections::BTreeMap;

use kit_webhooks::{schema, EventType, Mode};
use serde_json::{json, Value};

/// boon's validators for one mode: the union and every event's schema.
pub struct Boon {
    schemas: boon::Schemas,
    union: boon::SchemaIndex,
    per_event: BTreeMap<String, boon::SchemaIndex>,
}

impl Boon {
    /// The validators of `mode`, from [`schema::files`] and [`schema::union`].
    pub fn new(mode: Mode) -> Boon {
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        let mut schemas = boon::Schemas::new();
        for file in schema::files(mode) {
            compiler
                .add_resource(file.id, serde_json::from_str(file.text).unwrap())
                .unwrap();
        }
        let union_id = "https://example.invalid/union.json";
        let mut union: Value = serde_json::from_str(schema::union(mode)).unwrap();
        union["$id"] = json!(union_id);
        compiler.add_resource(union_id, union).unwrap();
        let union = compiler.compile(union_id, &mut schemas).unwrap();
        let mut per_event = BTreeMap::new();
        for &event in EventType::ALL {
            let file = schema::files(mode)
                .into_iter()
                .find(|f| f.path == format!("events/{event}.json"))
                .unwrap();
            per_event.insert(
                event.to_string(),
                compiler.compile(file.id, &mut schemas).unwrap(),
            );
        }
        Boon {
            schemas,
            union,
            per_event,
        }
    }

    /// boon's verdict through the union.
    pub fn by_union(&self, doc: &Value) -> bool {
        self.schemas.validate(doc, self.union).is_ok()
    }

    /// boon's verdict through the event's own schema, when the event is known.
    pub fn by_event(&self, doc: &Value) -> Option<bool> {
        let index = doc
            .get("event")
            .and_then(Value::as_str)
            .and_then(|e| self.per_event.get(e))?;
        Some(self.schemas.validate(doc, *index).is_ok())
    }
}

/// boon, built once per mode and test process.
pub fn boon(mode: Mode) -> &'static Boon {
    static LENIENT: std::sync::OnceLock<Boon> = std::sync::OnceLock::new();
    static STRICT: std::sync::OnceLock<Boon> = std::sync::OnceLock::new();
    match mode {
        Mode::Lenient => LENIENT.get_or_init(|| Boon::new(Mode::Lenient)),
        _ => STRICT.get_or_init(|| Boon::new(Mode::Strict)),
    }
}

/// The verdict of a pipeline that shares no code with the crate's parser:
/// boon over the union, then serde_json's own decoding of the `Value` into
/// the generated types (which holds the one rule beyond JSON Schema: an
/// integer field holds an integer literal that fits `i64`, so `42.0` passes
/// JSON Schema but not the types).
pub fn verdict(boon: &Boon, doc: &Value) -> bool {
    boon.by_union(doc) && serde_json::from_value::<kit_webhooks::WebhookEvent>(doc.clone()).is_ok()
}
