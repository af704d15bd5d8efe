//! The rules that keep the differ sound where a keyword changes what a
//! change means: the polarity of a subschema (`not` reverses a change; an
//! `if` condition, a `oneOf` branch, or a `contains` under `maxContains`
//! moves the accepted values either way), the fields an old object already
//! checked (`additionalProperties`, `patternProperties`,
//! `unevaluatedProperties`), bounds that trade `minimum` for
//! `exclusiveMinimum`, a one-branch `allOf`, and input that is not Draft
//! 2020-12.

use serde_json::{Map, Value};

use super::Kind;
use kit_webhooks_schema_model::set::{LoadError, SchemaSet};
use kit_webhooks_schema_model::walk;

/// Where a change is found, as it bears on deliveries.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Context {
    /// Under an odd number of `not`s: a change means its opposite.
    pub(super) negated: bool,
    /// Under a keyword whose effect has no one direction: which one.
    pub(super) obscured: Option<&'static str>,
}

impl Context {
    /// The context of `keyword`'s subschemas, `old` and `new` being the
    /// schemas that hold it.
    pub(super) fn enter(self, keyword: &str, old: &Map<String, Value>, new: &Map<String, Value>) -> Context {
        let obscuring = match keyword {
            "if" => Some("if"),
            "oneOf" => Some("oneOf"),
            "contains" if old.contains_key("maxContains") || new.contains_key("maxContains") => {
                Some("contains")
            }
            _ => None,
        };
        Context {
            negated: self.negated ^ (keyword == "not"),
            obscured: self.obscured.or(obscuring),
        }
    }

    /// A change as it bears on deliveries here: reversed under `not`,
    /// unproven where no direction holds.
    pub(super) fn apply(self, kind: Kind, breaking: bool, message: String) -> (Kind, bool, String) {
        if kind == Kind::Documentation {
            return (kind, breaking, message);
        }
        if let Some(keyword) = self.obscured {
            return (
                Kind::Unproven,
                true,
                format!(
                    "{message}, under `{keyword}`, where a change can let through values it refused before"
                ),
            );
        }
        if !self.negated {
            return (kind, breaking, message);
        }
        match kind {
            Kind::ConstraintTightened => (
                Kind::ConstraintRelaxed,
                true,
                format!("{message} under `not`, which reverses it: the schema now allows values old receivers refuse"),
            ),
            Kind::ConstraintRelaxed => (
                Kind::ConstraintTightened,
                false,
                format!("{message} under `not`, which reverses it: the schema now allows fewer values"),
            ),
            Kind::FieldsClosed => (
                Kind::FieldsOpened,
                true,
                format!("{message} under `not`, which reverses it: the schema now allows values old receivers refuse"),
            ),
            Kind::FieldsOpened => (
                Kind::FieldsClosed,
                false,
                format!("{message} under `not`, which reverses it: the schema now allows fewer values"),
            ),
            _ => (
                Kind::Unproven,
                true,
                format!("{message}, under `not`, which reverses what it does"),
            ),
        }
    }
}

/// An effective bound: its value and whether it is exclusive.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) struct Bound {
    pub(super) value: f64,
    pub(super) exclusive: bool,
}

/// The tightest lower (`lower`) or upper bound of a number a schema sets
/// with `minimum` / `exclusiveMinimum` (or the maximums).
pub(super) fn bound(schema: &Map<String, Value>, lower: bool) -> Option<Bound> {
    let (inclusive, exclusive) = if lower {
        ("minimum", "exclusiveMinimum")
    } else {
        ("maximum", "exclusiveMaximum")
    };
    let a = schema.get(inclusive).and_then(Value::as_f64).map(|value| Bound {
        value,
        exclusive: false,
    });
    let b = schema.get(exclusive).and_then(Value::as_f64).map(|value| Bound {
        value,
        exclusive: true,
    });
    match (a, b) {
        (Some(a), Some(b)) => Some(if tighter(a, b, lower) { a } else { b }),
        (a, b) => a.or(b),
    }
}

/// Whether bound `a` rules out at least what `b` does (and more).
pub(super) fn tighter(a: Bound, b: Bound, lower: bool) -> bool {
    if a.value == b.value {
        a.exclusive && !b.exclusive
    } else {
        (a.value > b.value) == lower
    }
}

/// A schema with the branches of its `allOf` written into it where that
/// changes nothing: a branch whose keywords the schema does not have and
/// that works alone. `{"allOf": [X, Y]}` is then `X` and `Y` side by side,
/// and `X` wrapped in an `allOf` beside `Y` reads as `Y` added to `X`.
///
/// A branch stays where it is when it shares a keyword with the schema, when
/// one of its keywords reads a partner the schema has (`additionalProperties`
/// reads `properties` and `patternProperties`, `items` reads `prefixItems`,
/// `then` and `else` read `if`, `minContains` and `maxContains` read
/// `contains`), when it has `unevaluated*` (which would then see the
/// schema's other keywords), or when it sets a scope (`$id`, an anchor,
/// `$defs`, `$schema`, `$vocabulary`). A nested `allOf` is flattened into
/// this one.
pub(super) fn normalized(mut schema: Map<String, Value>) -> Map<String, Value> {
    loop {
        let branches: Vec<Map<String, Value>> = match schema.get("allOf") {
            Some(Value::Array(branches)) => match branches.iter().map(|b| b.as_object().cloned()).collect() {
                Some(branches) => branches,
                None => return schema,
            },
            _ => return schema,
        };
        // A branch moves when it fits the schema and clashes with no other
        // branch, so that which ones move does not depend on their order.
        let moves: Vec<bool> = branches
            .iter()
            .enumerate()
            .map(|(i, branch)| {
                fits(&schema, branch)
                    && branches
                        .iter()
                        .enumerate()
                        .all(|(j, other)| i == j || apart(branch, other))
            })
            .collect();
        if !moves.contains(&true) {
            return schema;
        }
        let mut rest = Vec::new();
        for (mut branch, moved) in branches.into_iter().zip(moves) {
            if moved {
                if let Some(Value::Array(nested)) = branch.remove("allOf") {
                    rest.extend(nested);
                }
                schema.extend(branch);
            } else {
                rest.push(Value::Object(branch));
            }
        }
        if rest.is_empty() {
            schema.remove("allOf");
        } else {
            schema.insert("allOf".into(), Value::Array(rest));
        }
    }
}

/// Keywords that read each other within one schema object.
const PARTNERS: &[&[&str]] = &[
    &["properties", "patternProperties", "additionalProperties"],
    &["prefixItems", "items"],
    &["if", "then", "else"],
    &["contains", "minContains", "maxContains"],
];

/// Keywords a branch keeps to itself: they set a scope, or see what the
/// schema around them evaluates.
const KEPT: &[&str] = &[
    "$id",
    "$anchor",
    "$dynamicAnchor",
    "$defs",
    "$schema",
    "$vocabulary",
    "unevaluatedProperties",
    "unevaluatedItems",
];

/// Whether `branch` (one of `schema`'s `allOf`) can be written into `schema`.
fn fits(schema: &Map<String, Value>, branch: &Map<String, Value>) -> bool {
    // A nested `allOf` joins the outer one, so it clashes with nothing.
    let has = |map: &Map<String, Value>, group: &[&str]| group.iter().any(|k| map.contains_key(*k));
    !has(branch, KEPT) && apart(schema, branch)
}

/// Whether two schemas share no keyword (but `allOf`) and no partners.
fn apart(a: &Map<String, Value>, b: &Map<String, Value>) -> bool {
    let has = |map: &Map<String, Value>, group: &[&str]| group.iter().any(|k| map.contains_key(*k));
    !b.keys().any(|k| k != "allOf" && a.contains_key(k))
        && !PARTNERS.iter().any(|group| has(a, group) && has(b, group))
}

/// Whether `pattern` (ECMA-262, read by the `regex` crate) matches `name`;
/// `None` when it does not compile here.
pub(super) fn matches(pattern: &str, name: &str) -> Option<bool> {
    regex::Regex::new(pattern).ok().map(|re| re.is_match(name))
}

/// Refuses what is not Draft 2020-12: the keywords earlier drafts had in
/// its place, and a keyword holding something a schema cannot be.
pub(super) fn check_2020_12(set: &SchemaSet) -> Result<(), LoadError> {
    for (index, file) in set.files.iter().enumerate() {
        walk::visit(&file.doc, "", &mut |map, pointer| {
            let refuse = |keyword: &str, why: &str| {
                Err(LoadError::new(
                    set.path_of(index),
                    walk::push_token(pointer, keyword),
                    format!("not Draft 2020-12: {why}"),
                ))
            };
            if map.get("items").is_some_and(Value::is_array) {
                return refuse(
                    "items",
                    "a tuple `items` array is written `prefixItems` in 2020-12",
                );
            }
            for &(old, new) in kit_webhooks_schema_model::keywords::OLDER_DRAFTS {
                if map.contains_key(old) {
                    return refuse(old, &format!("`{old}` is written {new} in 2020-12"));
                }
            }
            for (keyword, value) in map {
                let fits = match walk::holds(keyword) {
                    Some(walk::Holds::Map) => value.as_object().is_some_and(|m| m.values().all(is_schema)),
                    Some(walk::Holds::Array) => value
                        .as_array()
                        .is_some_and(|a| !a.is_empty() && a.iter().all(is_schema)),
                    Some(walk::Holds::One) => is_schema(value),
                    None => true,
                };
                if !fits {
                    return refuse(
                        keyword,
                        &format!("`{keyword}` holds something that is not a schema"),
                    );
                }
            }
            Ok(())
        })?;
    }
    Ok(())
}

fn is_schema(value: &Value) -> bool {
    value.is_object() || value.is_boolean()
}
