//! Two schema sets that differ in one event's `data`, for the differ's
//! soundness tests, and boon (which shares no code with the differ) as the
//! judge of values under each.

use std::path::Path;

use kit_webhooks::diff::{self, File, Layout, Report, SchemaSet};
use serde_json::{json, Value};

/// A one-event set whose `data` is `data`.
pub fn set(data: &Value) -> SchemaSet {
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

pub fn report(old: &Value, new: &Value) -> Report {
    diff::diff(&set(old), &set(new))
}

/// A schema compiled by boon.
pub struct Judge {
    schemas: boon::Schemas,
    index: boon::SchemaIndex,
}

impl Judge {
    pub fn new(schema: &Value) -> Judge {
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

    pub fn valid(&self, value: &Value) -> bool {
        self.schemas.validate(value, self.index).is_ok()
    }
}

/// boon's verdict on `value` under `schema`.
pub fn valid(schema: &Value, value: &Value) -> bool {
    Judge::new(schema).valid(value)
}
