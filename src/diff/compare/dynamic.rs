//! Keywords whose effect depends on more than the schema object that holds
//! them: `unevaluatedProperties` and `unevaluatedItems` refuse what no
//! in-place subschema evaluated, so a change anywhere in those subschemas
//! (a branch of `allOf`, an `if`, a referenced definition) can let through
//! what the old schema refused; and `$dynamicRef`, which resolves at
//! validation time, along a path this differ does not follow.

use super::*;
use kit_webhooks_schema_model::keywords::Evaluates;

/// How deep references are followed when two subschemas are compared whole.
const MAX_DEPTH: usize = 32;

impl Differ<'_> {
    /// The rules for one compared position, before its keywords are
    /// compared one by one. `o` and `n` are the schemas as written there.
    pub(super) fn whole_node(
        &mut self,
        owner: &Owner,
        pointer: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
    ) {
        if let Some(reference) = o.get("$dynamicRef").or_else(|| n.get("$dynamicRef")) {
            self.push(
                owner,
                pointer,
                Kind::Unproven,
                true,
                format!(
                    "$dynamicRef {reference} resolves at validation time, to a schema this differ does not follow"
                ),
            );
        }
        let checks =
            |m: &Map<String, Value>, keyword: &str| m.get(keyword).is_some_and(|v| v != &Value::Bool(true));
        let same_definition = ref_name(o).is_some() && ref_name(o) == ref_name(n);
        let beside = ["unevaluatedProperties", "unevaluatedItems"]
            .iter()
            .any(|k| checks(o, k));
        // A definition referenced on both sides is compared on its own,
        // where its own `unevaluated*` keywords are seen.
        if same_definition && !beside {
            return;
        }
        let (ro, rn) = (self.resolve(self.old, o), self.resolve(self.new, n));
        for (keyword, evaluates) in [
            ("unevaluatedProperties", Evaluates::Properties),
            ("unevaluatedItems", Evaluates::Items),
        ] {
            if !checks(&ro, keyword) {
                continue;
            }
            // What the keyword sees evaluated: its own kind of evaluator and
            // the in-place applicators (the keyword table's column).
            let changed: Vec<&str> =
                keywords::all(|k| k.evaluates == evaluates || k.evaluates == Evaluates::InPlace)
                    .filter(|k| {
                        let old = ro.get(*k).map(|v| expanded(self.old, v, 0));
                        let new = rn.get(*k).map(|v| expanded(self.new, v, 0));
                        old != new
                    })
                    .collect();
            // Added fields are judged against `unevaluatedProperties` where
            // they are added (see `field_added`).
            let changed: Vec<&str> = changed
                .into_iter()
                .filter(|k| *k != "properties" || !added_only(&ro, &rn))
                .collect();
            if !changed.is_empty() {
                self.push(
                    owner,
                    pointer,
                    Kind::Unproven,
                    true,
                    format!(
                        "{} changed beside the old `{keyword}`, which refuses what no in-place subschema evaluates: the change can let through what it refused",
                        changed.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ")
                    ),
                );
            }
        }
    }
}

/// Whether `properties` only gained fields (and `field_added` judges them).
fn added_only(o: &Map<String, Value>, n: &Map<String, Value>) -> bool {
    let (Some(Value::Object(a)), Some(Value::Object(b))) = (o.get("properties"), n.get("properties")) else {
        return false;
    };
    a.keys().all(|k| b.contains_key(k)) && a.len() < b.len()
}

/// `value` with every reference to a definition replaced by the
/// definition, to compare two subschemas with what they refer to.
fn expanded(set: &SchemaSet, value: &Value, depth: usize) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = Map::new();
            for (key, v) in map {
                let v = match (key.as_str(), ref_name(map)) {
                    ("$ref", Some(name)) if depth < MAX_DEPTH => match set.defs.get(name) {
                        Some(def) => expanded(set, &def.schema, depth + 1),
                        None => v.clone(),
                    },
                    _ => expanded(set, v, depth),
                };
                out.insert(key.clone(), v);
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|v| expanded(set, v, depth)).collect()),
        other => other.clone(),
    }
}
