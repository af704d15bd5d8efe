//! A JSON Schema inferred from every value seen at one place: the types
//! (with `null` when seen), `format: date-time` / `email` when every string
//! sample has it, the properties of objects (required when every object had
//! them) and the items of arrays. Every sample validates against the result,
//! in strict mode too (objects list every key seen).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use serde_json::{json, Map, Value};

/// What the samples at one place looked like.
#[derive(Clone, Debug, Default)]
pub struct Inferred {
    samples: u64,
    null: bool,
    boolean: bool,
    /// Integers that fit `i64`.
    integer: bool,
    /// Other numbers (fractions, and integers beyond `i64`).
    number: bool,
    strings: u64,
    date_times: u64,
    emails: u64,
    objects: u64,
    /// Per key: how many objects had it, and its values.
    properties: BTreeMap<String, (u64, Inferred)>,
    arrays: u64,
    items: Option<Box<Inferred>>,
}

impl Inferred {
    /// Adds one sample.
    pub fn add(&mut self, value: &Value) {
        self.samples += 1;
        match value {
            Value::Null => self.null = true,
            Value::Bool(_) => self.boolean = true,
            Value::Number(n) if n.is_i64() => self.integer = true,
            Value::Number(_) => self.number = true,
            Value::String(text) => {
                self.strings += 1;
                if has_format("date-time", text) {
                    self.date_times += 1;
                }
                if has_format("email", text) {
                    self.emails += 1;
                }
            }
            Value::Object(members) => {
                self.objects += 1;
                for (key, member) in members {
                    let (seen, inferred) = self.properties.entry(key.clone()).or_default();
                    *seen += 1;
                    inferred.add(member);
                }
            }
            Value::Array(items) => {
                self.arrays += 1;
                for item in items {
                    self.items.get_or_insert_with(Box::default).add(item);
                }
            }
        }
    }

    /// Adds every sample `other` saw.
    pub fn merge(&mut self, other: &Inferred) {
        self.samples += other.samples;
        self.null |= other.null;
        self.boolean |= other.boolean;
        self.integer |= other.integer;
        self.number |= other.number;
        self.strings += other.strings;
        self.date_times += other.date_times;
        self.emails += other.emails;
        self.objects += other.objects;
        for (key, (seen, inferred)) in &other.properties {
            let (mine, merged) = self.properties.entry(key.clone()).or_default();
            *mine += seen;
            merged.merge(inferred);
        }
        self.arrays += other.arrays;
        if let Some(items) = &other.items {
            self.items.get_or_insert_with(Box::default).merge(items);
        }
    }

    /// The schema: `describe(pointer)` gives the description of each
    /// property (the schemas need one on every field).
    pub fn schema(&self, describe: &dyn Fn(&str) -> Option<String>) -> Value {
        self.schema_at("", describe)
    }

    fn schema_at(&self, at: &str, describe: &dyn Fn(&str) -> Option<String>) -> Value {
        let mut types = Vec::new();
        if self.objects > 0 {
            types.push("object");
        }
        if self.arrays > 0 {
            types.push("array");
        }
        if self.strings > 0 {
            types.push("string");
        }
        if self.number {
            types.push("number");
        } else if self.integer {
            types.push("integer");
        }
        if self.boolean {
            types.push("boolean");
        }
        if self.null {
            types.push("null");
        }
        let mut schema = Map::new();
        match types[..] {
            [] => {}
            [one] => {
                schema.insert("type".into(), json!(one));
            }
            _ => {
                schema.insert("type".into(), json!(types));
            }
        }
        if self.strings > 0 && self.date_times == self.strings {
            schema.insert("format".into(), json!("date-time"));
        } else if self.strings > 0 && self.emails == self.strings {
            schema.insert("format".into(), json!("email"));
        }
        if self.objects > 0 && !self.properties.is_empty() {
            let mut properties = Map::new();
            let mut required = Vec::new();
            for (key, (seen, inferred)) in &self.properties {
                let pointer = format!("{at}/{}", key.replace('~', "~0").replace('/', "~1"));
                let mut property = inferred.schema_at(&pointer, describe);
                if let Some(description) = describe(&pointer) {
                    property["description"] = json!(description);
                }
                properties.insert(key.clone(), property);
                if *seen == self.objects {
                    required.push(key.clone());
                }
            }
            if !required.is_empty() {
                schema.insert("required".into(), json!(required));
            }
            schema.insert("properties".into(), Value::Object(properties));
        }
        if let Some(items) = &self.items {
            schema.insert("items".into(), items.schema_at(&format!("{at}/*"), describe));
        }
        Value::Object(schema)
    }
}

/// Whether `text` has `format` as the validators assert it (jsonschema,
/// the library's own validator).
fn has_format(format: &str, text: &str) -> bool {
    static DATE_TIME: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    static EMAIL: OnceLock<Option<jsonschema::Validator>> = OnceLock::new();
    let cell = if format == "date-time" { &DATE_TIME } else { &EMAIL };
    let validator = cell.get_or_init(|| {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(&json!({ "format": format }))
            .ok()
    });
    validator
        .as_ref()
        .is_some_and(|v| v.is_valid(&Value::String(text.to_owned())))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn infer(samples: &[Value]) -> Value {
        let mut inferred = Inferred::default();
        for sample in samples {
            inferred.add(sample);
        }
        inferred.schema(&|pointer| Some(format!("at {pointer}")))
    }

    #[test]
    fn types_nulls_and_formats() {
        assert_eq!(infer(&[json!(1), json!(2)]), json!({"type": "integer"}));
        assert_eq!(infer(&[json!(1), json!(2.5)]), json!({"type": "number"}));
        assert_eq!(infer(&[json!(u64::MAX)]), json!({"type": "number"}));
        assert_eq!(
            infer(&[json!("2025-01-15T14:30:00Z"), json!(null)]),
            json!({"type": ["string", "null"], "format": "date-time"})
        );
        assert_eq!(
            infer(&[json!("a@example.com")]),
            json!({"type": "string", "format": "email"})
        );
        assert_eq!(
            infer(&[json!("a@example.com"), json!("x")]),
            json!({"type": "string"})
        );
    }

    #[test]
    fn merged_samples_infer_as_one() {
        let mut a = Inferred::default();
        a.add(&json!({"x": 1}));
        let mut b = Inferred::default();
        b.add(&json!({"x": null, "y": "2025-01-15T14:30:00Z"}));
        a.merge(&b);
        assert_eq!(
            a.schema(&|_| None),
            json!({
                "type": "object",
                "required": ["x"],
                "properties": {
                    "x": {"type": ["integer", "null"]},
                    "y": {"type": "string", "format": "date-time"}
                }
            })
        );
    }

    #[test]
    fn objects_and_arrays() {
        assert_eq!(
            infer(&[json!({"a": 1, "b": [true]}), json!({"a": 2})]),
            json!({
                "type": "object",
                "required": ["a"],
                "properties": {
                    "a": {"type": "integer", "description": "at /a"},
                    "b": {"type": "array", "items": {"type": "boolean"}, "description": "at /b"}
                }
            })
        );
        assert_eq!(infer(&[json!([])]), json!({"type": "array"}));
        assert_eq!(infer(&[json!({})]), json!({"type": "object"}));
    }
}
