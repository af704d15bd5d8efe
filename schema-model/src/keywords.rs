//! Every keyword of JSON Schema Draft 2020-12 (and the two older ones the
//! walker still recognises so that it can refuse them), and what each part of
//! kit-webhooks makes of it, in one table. The walker, the generator's checks,
//! the fast path's residual checks, drift's shapes and `diff` all read it, so
//! a keyword is never known to one of them and missed by another.
//!
//! ```
//! use kit_webhooks_schema_model::keywords::{self, Diff, Holds, Rust};
//!
//! let not = keywords::get("not").unwrap();
//! assert_eq!(not.holds, Some(Holds::One));
//! assert_eq!(not.diff, Diff::Narrowing);
//! assert_eq!(keywords::get("patternProperties").unwrap().rust, Rust::Unsupported);
//! assert!(keywords::get("x-vendor").is_none());
//! ```

/// How a keyword holds its subschemas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Holds {
    /// One schema (`not`, `items`, `additionalProperties`, ...).
    One,
    /// An array of schemas (`allOf`, `prefixItems`, ...).
    Array,
    /// An object whose values are schemas (`properties`, `$defs`, ...).
    Map,
}

/// How `diff` compares a keyword between two schemas.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Diff {
    /// Identifies, holds or references schemas rather than constraining a
    /// value (`$id`, `$ref`, `$defs`): compared through what it identifies.
    Structural,
    /// Documentation only: changing it changes no verdict and no Rust type.
    Annotation,
    /// Compared by rules of its own (`type`, `enum`, `properties`, ...).
    OwnRule,
    /// A lower bound: a larger value tightens.
    LowerBound,
    /// An upper bound: a smaller value tightens.
    UpperBound,
    /// A constraint without an order: added tightens, dropped relaxes,
    /// changed may do either.
    Constraint,
    /// Its subschemas are compared, and it only ever narrows what passes:
    /// adding it tightens, dropping it relaxes.
    Narrowing,
    /// Its subschemas are compared; adding or dropping it is unproven.
    Subschemas,
    /// Any change is unproven.
    Unproven,
}

/// What the generated Rust makes of a keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Rust {
    /// typify cannot generate types for it: the generator refuses it.
    Unsupported,
    /// The generated type proves it (or it documents only).
    Proven,
    /// The generated type proves it in the forms this crate writes (a closed
    /// list of strings, an open list, a boolean `additionalProperties`, an
    /// integer bound at the integer's limit, a `format` the type parses);
    /// the fast path's residual checks decide by its value.
    Conditional,
    /// Generated, but not proven by the type: an event using it is
    /// validated in full, without the fast path.
    Unproven,
}

/// Which evaluations a keyword contributes, for `unevaluatedProperties`
/// and `unevaluatedItems`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Evaluates {
    /// None of its own.
    Nothing,
    /// An in-place applicator: its subschemas' evaluations count as the
    /// schema's own, for properties and items alike.
    InPlace,
    /// It evaluates properties.
    Properties,
    /// It evaluates items.
    Items,
}

/// One keyword and what each part of the crate makes of it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Keyword {
    /// As written in a schema.
    pub name: &'static str,
    /// How it holds subschemas, if it does.
    pub holds: Option<Holds>,
    /// How `diff` compares it.
    pub diff: Diff,
    /// What the generated Rust makes of it.
    pub rust: Rust,
    /// What it evaluates, for the `unevaluated*` keywords.
    pub evaluates: Evaluates,
    /// Whether it constrains a value alike in the lenient and strict forms
    /// (or only documents it), so that drift's shapes need not follow it.
    pub drift_neutral: bool,
}

const fn k(
    name: &'static str,
    holds: Option<Holds>,
    diff: Diff,
    rust: Rust,
    evaluates: Evaluates,
    drift_neutral: bool,
) -> Keyword {
    Keyword {
        name,
        holds,
        diff,
        rust,
        evaluates,
        drift_neutral,
    }
}

use Diff as D;
use Evaluates as E;
use Holds as H;
use Rust as R;

/// The table.
pub const KEYWORDS: &[Keyword] = &[
    // Core.
    k("$schema", None, D::Structural, R::Proven, E::Nothing, true),
    k("$id", None, D::Structural, R::Proven, E::Nothing, true),
    k("$ref", None, D::Structural, R::Proven, E::Nothing, false),
    k("$anchor", None, D::Structural, R::Unproven, E::Nothing, true),
    k("$vocabulary", None, D::Structural, R::Unproven, E::Nothing, false),
    k("$defs", Some(H::Map), D::Structural, R::Proven, E::Nothing, true),
    k("$comment", None, D::Annotation, R::Proven, E::Nothing, true),
    k(
        "$dynamicRef",
        None,
        D::Unproven,
        R::Unsupported,
        E::InPlace,
        false,
    ),
    k(
        "$dynamicAnchor",
        None,
        D::Unproven,
        R::Unsupported,
        E::Nothing,
        false,
    ),
    // Draft 7's names, recognised so that they can be refused.
    k(
        "definitions",
        Some(H::Map),
        D::Structural,
        R::Unproven,
        E::Nothing,
        false,
    ),
    k(
        "additionalItems",
        Some(H::One),
        D::Subschemas,
        R::Unproven,
        E::Nothing,
        false,
    ),
    // Applicators.
    k(
        "allOf",
        Some(H::Array),
        D::Narrowing,
        R::Unproven,
        E::InPlace,
        false,
    ),
    k(
        "anyOf",
        Some(H::Array),
        D::Subschemas,
        R::Conditional,
        E::InPlace,
        false,
    ),
    k(
        "oneOf",
        Some(H::Array),
        D::Subschemas,
        R::Unproven,
        E::InPlace,
        false,
    ),
    k("not", Some(H::One), D::Narrowing, R::Unproven, E::Nothing, false),
    k(
        "if",
        Some(H::One),
        D::Narrowing,
        R::Unsupported,
        E::InPlace,
        false,
    ),
    k(
        "then",
        Some(H::One),
        D::Narrowing,
        R::Unsupported,
        E::InPlace,
        false,
    ),
    k(
        "else",
        Some(H::One),
        D::Narrowing,
        R::Unsupported,
        E::InPlace,
        false,
    ),
    k(
        "dependentSchemas",
        Some(H::Map),
        D::Subschemas,
        R::Unsupported,
        E::InPlace,
        false,
    ),
    k(
        "prefixItems",
        Some(H::Array),
        D::Subschemas,
        R::Unproven,
        E::Items,
        false,
    ),
    k("items", Some(H::One), D::Subschemas, R::Unproven, E::Items, false),
    k(
        "contains",
        Some(H::One),
        D::Narrowing,
        R::Unproven,
        E::Items,
        false,
    ),
    k(
        "properties",
        Some(H::Map),
        D::OwnRule,
        R::Proven,
        E::Properties,
        false,
    ),
    k(
        "patternProperties",
        Some(H::Map),
        D::Subschemas,
        R::Unsupported,
        E::Properties,
        false,
    ),
    k(
        "additionalProperties",
        Some(H::One),
        D::OwnRule,
        R::Conditional,
        E::Properties,
        false,
    ),
    k(
        "propertyNames",
        Some(H::One),
        D::Narrowing,
        R::Unproven,
        E::Nothing,
        false,
    ),
    // Unevaluated.
    k(
        "unevaluatedItems",
        Some(H::One),
        D::Subschemas,
        R::Unsupported,
        E::Nothing,
        false,
    ),
    k(
        "unevaluatedProperties",
        Some(H::One),
        D::Subschemas,
        R::Unsupported,
        E::Nothing,
        false,
    ),
    // Validation.
    k("type", None, D::OwnRule, R::Proven, E::Nothing, true),
    k("enum", None, D::OwnRule, R::Conditional, E::Nothing, false),
    k("const", None, D::OwnRule, R::Proven, E::Nothing, true),
    k("multipleOf", None, D::Constraint, R::Unproven, E::Nothing, true),
    k("maximum", None, D::UpperBound, R::Conditional, E::Nothing, true),
    k(
        "exclusiveMaximum",
        None,
        D::UpperBound,
        R::Unproven,
        E::Nothing,
        true,
    ),
    k("minimum", None, D::LowerBound, R::Conditional, E::Nothing, true),
    k(
        "exclusiveMinimum",
        None,
        D::LowerBound,
        R::Unproven,
        E::Nothing,
        true,
    ),
    k("maxLength", None, D::UpperBound, R::Unproven, E::Nothing, true),
    k("minLength", None, D::LowerBound, R::Unproven, E::Nothing, true),
    k("pattern", None, D::Constraint, R::Unproven, E::Nothing, true),
    k("maxItems", None, D::UpperBound, R::Unproven, E::Nothing, true),
    k("minItems", None, D::LowerBound, R::Unproven, E::Nothing, true),
    k("uniqueItems", None, D::Constraint, R::Unproven, E::Nothing, true),
    k("maxContains", None, D::UpperBound, R::Unproven, E::Nothing, false),
    k("minContains", None, D::LowerBound, R::Unproven, E::Nothing, false),
    k(
        "maxProperties",
        None,
        D::UpperBound,
        R::Unproven,
        E::Nothing,
        true,
    ),
    k(
        "minProperties",
        None,
        D::LowerBound,
        R::Unproven,
        E::Nothing,
        true,
    ),
    k("required", None, D::OwnRule, R::Proven, E::Nothing, true),
    k(
        "dependentRequired",
        None,
        D::Constraint,
        R::Unproven,
        E::Nothing,
        false,
    ),
    // Format and content.
    k("format", None, D::OwnRule, R::Conditional, E::Nothing, true),
    k(
        "contentEncoding",
        None,
        D::Unproven,
        R::Unproven,
        E::Nothing,
        true,
    ),
    k(
        "contentMediaType",
        None,
        D::Unproven,
        R::Unproven,
        E::Nothing,
        true,
    ),
    k(
        "contentSchema",
        Some(H::One),
        D::Subschemas,
        R::Unproven,
        E::Nothing,
        false,
    ),
    // Meta-data.
    k("title", None, D::Annotation, R::Proven, E::Nothing, true),
    k("description", None, D::Annotation, R::Proven, E::Nothing, true),
    k("default", None, D::Annotation, R::Proven, E::Nothing, true),
    k("deprecated", None, D::Annotation, R::Proven, E::Nothing, true),
    k("readOnly", None, D::Annotation, R::Proven, E::Nothing, true),
    k("writeOnly", None, D::Annotation, R::Proven, E::Nothing, true),
    k("examples", None, D::Annotation, R::Proven, E::Nothing, true),
];

/// Keywords of earlier drafts that Draft 2020-12 writes otherwise, with the
/// 2020-12 way: a set that uses one is not 2020-12, and `diff` refuses it.
pub const OLDER_DRAFTS: &[(&str, &str)] = &[
    ("definitions", "`$defs`"),
    ("dependencies", "`dependentRequired` or `dependentSchemas`"),
    ("additionalItems", "`items` beside `prefixItems`"),
    ("$recursiveRef", "`$dynamicRef`"),
    ("$recursiveAnchor", "`$dynamicAnchor`"),
];

/// The row of `name`, if it is a keyword.
pub fn get(name: &str) -> Option<&'static Keyword> {
    KEYWORDS.iter().find(|k| k.name == name)
}

/// How `name` holds subschemas, if it is a keyword that does.
pub fn holds(name: &str) -> Option<Holds> {
    get(name).and_then(|k| k.holds)
}

/// Whether `name` only documents a schema.
pub fn is_annotation(name: &str) -> bool {
    get(name).is_some_and(|k| k.diff == Diff::Annotation)
}

/// How `diff` compares `name`; a word that is no keyword is unproven.
pub fn diff(name: &str) -> Diff {
    get(name).map_or(Diff::Unproven, |k| k.diff)
}

/// What the generated Rust makes of `name`; a word that is no keyword is
/// ignored by validators and by typify alike, and proves nothing.
pub fn rust(name: &str) -> Rust {
    get(name).map_or(Rust::Unproven, |k| k.rust)
}

/// Every keyword whose row says `pick`.
pub fn all(pick: impl Fn(&Keyword) -> bool) -> impl Iterator<Item = &'static str> {
    KEYWORDS.iter().filter(move |k| pick(k)).map(|k| k.name)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_keyword_once() {
        let mut names: Vec<&str> = KEYWORDS.iter().map(|k| k.name).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(before, names.len());
    }

    /// A keyword whose subschemas `diff` walks holds subschemas, and one
    /// compared as a bound or a constraint holds none.
    #[test]
    fn the_columns_agree_with_one_another() {
        for k in KEYWORDS {
            match k.diff {
                Diff::Narrowing | Diff::Subschemas => assert!(k.holds.is_some(), "{}", k.name),
                Diff::LowerBound | Diff::UpperBound | Diff::Constraint | Diff::Annotation => {
                    assert!(k.holds.is_none(), "{}", k.name)
                }
                _ => {}
            }
            if k.evaluates != Evaluates::Nothing && k.name != "$dynamicRef" {
                assert!(k.holds.is_some(), "{}", k.name);
            }
        }
    }
}
