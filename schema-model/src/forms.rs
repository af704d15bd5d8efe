//! The forms a schema is served in, each derived mechanically from the
//! source form (the plain, documented schemas under `schemas/`):
//!
//! - **open** (lenient mode): a closed list of strings (`enum`) also admits
//!   any other string, so a value Kit adds later is accepted. The known values
//!   stay listed, for code generators and documentation:
//!   `{"type": "string", "anyOf": [{"enum": [...]}, {"type": "string"}]}`.
//! - **strict** (contract tests): every object that documents its fields
//!   rejects any other field (`additionalProperties: false`); lists stay closed.

use serde_json::{json, Map, Value};

use crate::walk;

/// Whether `schema` is a closed list of strings: an `enum` whose values are
/// all strings. Such lists are opened in lenient mode.
pub fn is_string_enum(schema: &Map<String, Value>) -> bool {
    schema
        .get("enum")
        .and_then(Value::as_array)
        .is_some_and(|values| !values.is_empty() && values.iter().all(Value::is_string))
}

/// The known values of an open list, if `schema` is one (as [`open`] writes it).
pub fn open_values(schema: &Map<String, Value>) -> Option<&Vec<Value>> {
    let Some(Value::Array(branches)) = schema.get("anyOf") else {
        return None;
    };
    match &branches[..] {
        [Value::Object(known), Value::Object(any)]
            if known.len() == 1
                && any.len() == 1
                && any.get("type") == Some(&json!("string"))
                && is_string_enum(known) =>
        {
            known.get("enum").and_then(Value::as_array)
        }
        _ => None,
    }
}

/// The open form: every closed list of strings also admits any string.
pub fn open(schema: &mut Value) {
    // Found first, changed after: the known values of an opened list are a
    // closed list again, which must stay as it is.
    let mut lists = Vec::new();
    let _ = walk::visit(schema, "", &mut |map, pointer| {
        if is_string_enum(map) && !map.contains_key("anyOf") {
            lists.push(pointer.to_owned());
        }
        Ok::<(), ()>(())
    });
    for pointer in lists {
        if let Some(Value::Object(map)) = schema.pointer_mut(&pointer) {
            let values = map.get("enum").cloned().unwrap_or_default();
            replace_key(
                map,
                "enum",
                "anyOf",
                json!([{ "enum": values }, { "type": "string" }]),
            );
        }
    }
}

/// The inverse of [`open`]: an open list back to its plain `enum`.
pub fn close(schema: &mut Value) {
    let _ = walk::visit_mut(schema, "", &mut |map, _| {
        if let Some(values) = open_values(map).cloned() {
            replace_key(map, "anyOf", "enum", Value::Array(values));
        }
        Ok::<(), ()>(())
    });
}

/// The strict form: every object schema that lists `properties` and says
/// nothing of other fields gets `additionalProperties: false`. A free-form
/// object (an unknown event's `data`) stays free-form.
pub fn strict(schema: &mut Value) {
    let _ = walk::visit_mut(schema, "", &mut |map, _| {
        let is_object = walk::types(map).is_some_and(|types| types.contains(&"object"));
        if is_object && map.contains_key("properties") && !map.contains_key("additionalProperties") {
            map.insert("additionalProperties".into(), Value::Bool(false));
        }
        Ok::<(), ()>(())
    });
}

/// The `$id` of the strict form of the file at `rel` (`events/x.json`)
/// under `base`: `{base}/strict/{rel}`. The one place that says where the
/// strict forms live.
pub fn strict_id(base: &str, rel: &str) -> String {
    format!("{base}/strict/{rel}")
}

/// Replaces the member `old` by `new: value`, in the same place (whether or
/// not `serde_json` keeps the order of members).
pub fn replace_key(map: &mut Map<String, Value>, old: &str, new: &str, value: Value) {
    let mut value = Some(value);
    *map = std::mem::take(map)
        .into_iter()
        .filter_map(|(key, v)| match key == old {
            true => value.take().map(|value| (new.to_owned(), value)),
            false => Some((key, v)),
        })
        .collect();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn open_and_close_are_inverses() {
        let source = json!({
            "$defs": {"S": {"type": "string", "enum": ["a", "b"], "description": "d"}},
            "properties": {"k": {"const": "x"}, "n": {"enum": [1, 2]}}
        });
        let mut opened = source.clone();
        open(&mut opened);
        assert_eq!(
            opened["$defs"]["S"],
            json!({"type": "string", "anyOf": [{"enum": ["a", "b"]}, {"type": "string"}], "description": "d"})
        );
        // Constants and lists of other values stay closed.
        assert_eq!(opened["properties"], source["properties"]);
        let mut closed = opened.clone();
        close(&mut closed);
        assert_eq!(closed, source);
    }

    #[test]
    fn strict_closes_documented_objects_only() {
        let mut schema = json!({
            "type": "object",
            "properties": {
                "data": {"type": "object", "additionalProperties": true},
                "inner": {"type": ["object", "null"], "properties": {"a": {}}}
            }
        });
        strict(&mut schema);
        assert_eq!(schema["additionalProperties"], false);
        assert_eq!(schema["properties"]["data"]["additionalProperties"], true);
        assert_eq!(schema["properties"]["inner"]["additionalProperties"], false);
    }
}
