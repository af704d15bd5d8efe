//! `diff`: a pair of schemas and some values, as JSON `[OLD, NEW, [VALUE...]]`.
//! Wherever the differ calls the change safe, every value boon finds valid
//! under NEW is valid under OLD too (boon shares no code with the differ).
//! Never a panic, on any pair boon accepts as Draft 2020-12.
#![no_main]

use std::path::Path;

use kit_webhooks::diff::{self, File, Layout, SchemaSet};
use libfuzzer_sys::fuzz_target;
use serde_json::{json, Value};

fn set(data: &Value) -> Option<SchemaSet> {
    let event = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://example.invalid/x.y.json",
        "type": "object",
        "required": ["event", "created_at", "data"],
        "properties": {"event": {"const": "x.y"}, "created_at": {"type": "string"}, "data": data}
    });
    SchemaSet::from_files(Path::new("mem"), Layout::Export, vec![File { rel: "x.y.json".into(), doc: event }]).ok()
}

fn judge(schema: &Value) -> Option<(boon::Schemas, boon::SchemaIndex)> {
    let mut compiler = boon::Compiler::new();
    compiler.enable_format_assertions();
    let mut schemas = boon::Schemas::new();
    let mut schema = schema.clone();
    if let Value::Object(map) = &mut schema {
        map.insert("$schema".into(), json!("https://json-schema.org/draft/2020-12/schema"));
        // Only local references: nothing is fetched.
        if serde_json::to_string(map).ok()?.contains("\"$ref\"") {
            return None;
        }
    }
    compiler.add_resource("https://example.invalid/s.json", schema).ok()?;
    let index = compiler.compile("https://example.invalid/s.json", &mut schemas).ok()?;
    Some((schemas, index))
}

fuzz_target!(|data: &[u8]| {
    let Ok(Value::Array(parts)) = serde_json::from_slice::<Value>(data) else { return };
    let [old, new, Value::Array(values)] = &parts[..] else { return };
    let (Some((os, oi)), Some((ns, ni))) = (judge(old), judge(new)) else { return };
    let (Some(old_set), Some(new_set)) = (set(old), set(new)) else { return };
    let report = diff::diff(&old_set, &new_set);
    if report.breaking {
        return;
    }
    for value in values {
        if ns.validate(value, ni).is_ok() {
            assert!(
                os.validate(value, oi).is_ok(),
                "called safe, but {value} is valid under NEW and refused by OLD\nOLD {old}\nNEW {new}\n{}",
                report.to_text()
            );
        }
    }
});
