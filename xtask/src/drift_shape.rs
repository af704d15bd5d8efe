//! `drift-shape.json`: the shape the Rust crate's drift report walks (stage 6
//! of the generator, `kit_webhooks_schema_model::shape`, derived here by the same code
//! from `schemas/`), for the kits' `drift(body)`, so that every language
//! reports the same additions at the same pointers.
//!
//! `{"nodes": [...], "events": {"name": root}}`; node 0 tracks nothing; each
//! node has `props` (`[[key, node], ...]`, the documented keys), `closes` (a
//! key not in `props` is a field Kit added), `others` (the node of other
//! keys' values), `items` (the node of an array's items) and `values` (a
//! documented list: any other string is a value Kit added). Defaults (empty,
//! `false`, `0`) are left out.

use serde_json::{json, Map, Value};

use crate::root;
use kit_webhooks_schema_model::{set::SchemaSet, shape};

pub fn json() -> Result<Vec<u8>, String> {
    let set = SchemaSet::read_source(&root().join("schemas")).map_err(|e| e.to_string())?;
    let shape = shape::derive(&set).map_err(|e| e.to_string())?;
    let nodes: Vec<Value> = shape
        .nodes
        .iter()
        .map(|node| {
            let mut out = Map::new();
            if !node.props.is_empty() {
                let props: Vec<Value> = node.props.iter().map(|(k, n)| json!([k, n])).collect();
                out.insert("props".into(), Value::Array(props));
            }
            if node.closes {
                out.insert("closes".into(), Value::Bool(true));
            }
            if node.others != 0 {
                out.insert("others".into(), json!(node.others));
            }
            if node.items != 0 {
                out.insert("items".into(), json!(node.items));
            }
            if !node.values.is_empty() {
                out.insert("values".into(), json!(node.values));
            }
            Value::Object(out)
        })
        .collect();
    let events: Map<String, Value> = shape
        .events
        .iter()
        .map(|(name, root)| (name.clone(), json!(root)))
        .collect();
    let mut text =
        serde_json::to_vec(&json!({ "nodes": nodes, "events": events })).map_err(|e| e.to_string())?;
    text.push(b'\n');
    Ok(text)
}
