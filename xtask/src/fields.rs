//! The fields of an event's data, as the human reference (`events.md`, by
//! the export) and the event catalog (by the kits) list them, read from a
//! bundled schema. Both read this module; neither reads the other.

use serde_json::Value;

/// Resolves a local `$ref` in a bundled schema.
pub fn resolve<'a>(root: &'a Value, schema: &'a Value) -> &'a Value {
    match schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
    {
        Some(name) => &root["$defs"][name],
        None => schema,
    }
}

/// The type column: `string | null`, `integer`, `string (date-time)`, ...
pub fn type_of(root: &Value, field: &Value) -> String {
    let target = resolve(root, field);
    let types: Vec<String> = match target.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_owned).collect(),
        _ => vec!["any".into()],
    };
    let mut text = types.join(" \\| ");
    if let Some(format) = target.get("format").and_then(Value::as_str) {
        text = text.replacen("string", &format!("string ({format})"), 1);
    }
    text
}

fn enum_of(root: &Value, field: &Value) -> String {
    let target = resolve(root, field);
    // Lenient schemas keep a list open: its known values are the first branch.
    let (values, open) = match target.get("enum") {
        Some(values) => (values, false),
        None => match target.pointer("/anyOf/0/enum") {
            Some(values) => (values, true),
            None => return String::new(),
        },
    };
    let mut text = values
        .as_array()
        .into_iter()
        .flatten()
        .map(|v| format!("`{}`", v.as_str().unwrap_or_default()))
        .collect::<Vec<_>>()
        .join(", ");
    if open {
        text.push_str(", or a value Kit adds later (strict: refused)");
    }
    text
}

/// One row of a field table: a field of an event's data, nested fields
/// under their parent as `parent.child`.
pub struct Field {
    pub path: String,
    pub ty: String,
    pub nullable: bool,
    pub values: String,
    pub description: String,
}

/// The fields of `object` (a schema in `root`), depth first, in schema order.
pub fn fields(root: &Value, object: &Value, prefix: &str, out: &mut Vec<Field>) {
    let object = resolve(root, object);
    let required: Vec<&str> = object
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    for name in required {
        let field = &object["properties"][name];
        let path = format!("{prefix}{name}");
        let ty = type_of(root, field);
        let description = field
            .get("description")
            .or_else(|| resolve(root, field).get("description"))
            .and_then(Value::as_str)
            .unwrap_or_default();
        out.push(Field {
            nullable: ty.contains("null"),
            ty,
            values: enum_of(root, field),
            description: description.to_owned(),
            path: path.clone(),
        });
        let target = resolve(root, field);
        if target.get("type").and_then(Value::as_str) == Some("object") && target.get("properties").is_some()
        {
            fields(root, field, &format!("{path}."), out);
        }
    }
}
