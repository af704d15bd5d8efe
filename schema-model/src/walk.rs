//! The one place that knows which JSON Schema (Draft 2020-12) keywords hold
//! subschemas. Every transformation of the schemas (bundling, the strict and
//! open forms, the typify input, the differ) walks them through this module,
//! so a keyword is never known to one pass and missed by another.
//!
//! Which keywords hold subschemas, and how, is the [keyword
//! table](crate::keywords)'s knowledge.

use serde_json::{Map, Value};

/// A schema object, as `serde_json` holds it.
pub type Object = Map<String, Value>;

pub use crate::keywords::Holds;

/// How `keyword` holds subschemas, if it does (the [keyword table](crate::keywords)'s word).
pub fn holds(keyword: &str) -> Option<Holds> {
    crate::keywords::holds(keyword)
}

/// Appends one reference token to a JSON pointer, escaped (RFC 6901).
pub fn push_token(pointer: &str, token: &str) -> String {
    format!("{pointer}/{}", token.replace('~', "~0").replace('/', "~1"))
}

/// The direct subschemas of `schema`, with the pointer suffix of each.
pub fn children(schema: &Map<String, Value>) -> Vec<(String, &Value)> {
    let mut out = Vec::new();
    for (keyword, value) in schema {
        let Some(kind) = holds(keyword) else { continue };
        let base = push_token("", keyword);
        match (kind, value) {
            (Holds::Map, Value::Object(map)) => {
                out.extend(map.iter().map(|(name, child)| (push_token(&base, name), child)));
            }
            // Draft 7 `items` may be an array; read it as one.
            (Holds::Array | Holds::One, Value::Array(items)) => {
                out.extend(
                    items
                        .iter()
                        .enumerate()
                        .map(|(i, child)| (format!("{base}/{i}"), child)),
                );
            }
            (Holds::One, child) => out.push((base, child)),
            _ => {}
        }
    }
    out
}

/// Calls `f` on every schema object in `schema` (booleans are schemas too but
/// hold nothing), parents before children, with each one's JSON pointer from
/// `pointer`. `f` may change the object; its children are read afterwards.
pub fn visit_mut<E>(
    schema: &mut Value,
    pointer: &str,
    f: &mut dyn FnMut(&mut Object, &str) -> Result<(), E>,
) -> Result<(), E> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    f(map, pointer)?;
    for (keyword, value) in map.iter_mut() {
        let Some(kind) = holds(keyword) else { continue };
        let base = push_token(pointer, keyword);
        match (kind, value) {
            (Holds::Map, Value::Object(children)) => {
                for (name, child) in children.iter_mut() {
                    visit_mut(child, &push_token(&base, name), f)?;
                }
            }
            (Holds::Array | Holds::One, Value::Array(items)) => {
                for (i, child) in items.iter_mut().enumerate() {
                    visit_mut(child, &format!("{base}/{i}"), f)?;
                }
            }
            (Holds::One, child) => visit_mut(child, &base, f)?,
            _ => {}
        }
    }
    Ok(())
}

/// As [`visit_mut`], reading only.
pub fn visit<E>(
    schema: &Value,
    pointer: &str,
    f: &mut dyn FnMut(&Object, &str) -> Result<(), E>,
) -> Result<(), E> {
    let Value::Object(map) = schema else {
        return Ok(());
    };
    f(map, pointer)?;
    for (suffix, child) in children(map) {
        visit(child, &format!("{pointer}{suffix}"), f)?;
    }
    Ok(())
}

/// The JSON types a schema's `type` admits (`None`: any type).
pub fn types(schema: &Map<String, Value>) -> Option<Vec<&str>> {
    match schema.get("type")? {
        Value::String(t) => Some(vec![t.as_str()]),
        Value::Array(ts) => Some(ts.iter().filter_map(Value::as_str).collect()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn every_subschema_is_visited_with_its_pointer() {
        let schema = json!({
            "properties": {"a/b": {"items": {"type": "string"}}},
            "contains": {"if": {"const": 1}},
            "anyOf": [{"not": {}}],
            "enum": [{"properties": {}}],
            "examples": [{"type": "object"}]
        });
        let mut seen = Vec::new();
        visit(&schema, "", &mut |_, pointer| {
            seen.push(pointer.to_owned());
            Ok::<(), ()>(())
        })
        .unwrap();
        seen.sort();
        assert_eq!(
            seen,
            [
                "",
                "/anyOf/0",
                "/anyOf/0/not",
                "/contains",
                "/contains/if",
                "/properties/a~1b",
                "/properties/a~1b/items"
            ]
        );
    }

    #[test]
    fn visit_mut_reads_children_after_the_change() {
        let mut schema = json!({"properties": {"x": {"type": "string"}}});
        let mut count = 0;
        visit_mut(&mut schema, "", &mut |map, _| {
            count += 1;
            if map.contains_key("properties") {
                map.insert("not".into(), json!({"type": "null"}));
            }
            Ok::<(), ()>(())
        })
        .unwrap();
        assert_eq!(count, 3);
    }

    #[test]
    fn data_keywords_are_not_schemas() {
        for keyword in ["enum", "const", "examples", "default", "required", "type"] {
            assert_eq!(holds(keyword), None, "{keyword}");
        }
    }
}
