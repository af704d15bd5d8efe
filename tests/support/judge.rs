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

/// The generated event types, each decoded by serde's *derived*
/// `Deserialize` straight from bytes; `WebhookEvent`'s own impl (the crate's
/// decoder, fast path and all) is never used here.
macro_rules! typed_events {
    ($($ty:ident),* $(,)?) => {
        /// Each event's name (its type's `TypedEvent::TYPE`) and the derived decoding of its type.
        pub fn typed_decoders() -> Vec<(&'static str, fn(&[u8]) -> bool)> {
            use kit_webhooks::TypedEvent;
            vec![$((
                <kit_webhooks::types::$ty as TypedEvent>::TYPE.as_str(),
                |bytes: &[u8]| serde_json::from_slice::<kit_webhooks::types::$ty>(bytes).is_ok(),
            ),)*]
        }
    };
}

// Every generated event type, listed by the generator (no hand-written list
// to forget an event in); each is decoded by its own derived `Deserialize`.
kit_webhooks::__for_each_event_type!(typed_events);

/// Whether the delivery decodes into its event's generated type (or, for an
/// event no type names, `types::UnknownEvent`), dispatching on `event` here.
pub fn decodes(doc: &Value) -> bool {
    let bytes = serde_json::to_vec(doc).unwrap();
    let event = doc.get("event").and_then(Value::as_str);
    match typed_decoders()
        .into_iter()
        .find(|(name, _)| Some(*name) == event)
    {
        Some((_, decode)) => decode(&bytes),
        None => serde_json::from_slice::<kit_webhooks::types::UnknownEvent>(&bytes).is_ok(),
    }
}

/// The verdict of a pipeline that shares no code with the crate's parser:
/// boon over the union, then serde's derived decoding of the generated type
/// ([`decodes`]), which holds the one rule beyond JSON Schema: an integer
/// field holds an integer literal that fits `i64`, so `42.0` passes JSON
/// Schema but not the types.
pub fn verdict(boon: &Boon, doc: &Value) -> bool {
    boon.by_union(doc) && decodes(doc)
}
