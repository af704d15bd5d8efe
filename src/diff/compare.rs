//! The comparison: both sets are walked in parallel from each event's root,
//! with the JSON pointer in the delivery. A definition referenced by the same
//! name on both sides is compared once, and its changes are reported at every
//! place deliveries reach it.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value};

use super::rules::{self, Context};
use super::{Change, Kind};

impl Change {
    pub(super) fn summary(&self) -> &str {
        &self.summary
    }
}
use kit_webhooks_schema_model::keywords::{self, Diff};
use kit_webhooks_schema_model::set::{base_name, Layout, SchemaSet};
use kit_webhooks_schema_model::walk::{self, Holds};

mod dynamic;
mod envelope;
mod leaves;
mod objects;

/// Formats whose values Rust holds in a type of their own (typify's mapping).
const RUST_TYPED_FORMATS: &[(&str, &str)] = &[
    ("date-time", "chrono::DateTime<Utc>"),
    ("date", "chrono::NaiveDate"),
    ("uuid", "uuid::Uuid"),
    ("ip", "std::net::IpAddr"),
    ("ipv4", "std::net::Ipv4Addr"),
    ("ipv6", "std::net::Ipv6Addr"),
];

/// Who a change belongs to before it is placed in deliveries.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Owner {
    Event(String),
    Def(String),
}

struct Raw {
    owner: Owner,
    pointer: String,
    kind: Kind,
    breaking: bool,
    message: String,
}

struct Differ<'a> {
    old: &'a SchemaSet,
    new: &'a SchemaSet,
    raw: Vec<Raw>,
    /// `owner` refers to definition `def` at `pointer` on both sides.
    edges: Vec<(Owner, String, String)>,
    queued: BTreeSet<String>,
    todo: Vec<String>,
    /// Pairs of definitions being compared inline, against reference cycles.
    inline: Vec<(String, String)>,
    /// The polarity of the subschemas being compared.
    context: Context,
    /// Comparing what deliveries may carry only (a new field against what
    /// OLD's `additionalProperties` allowed): what typify makes of it is
    /// another position's business.
    wire_only: bool,
}

/// Every change from `old` to `new`.
pub(super) fn changes(old: &SchemaSet, new: &SchemaSet) -> Vec<Change> {
    let mut differ = Differ {
        old,
        new,
        raw: Vec::new(),
        edges: Vec::new(),
        queued: BTreeSet::new(),
        todo: Vec::new(),
        inline: Vec::new(),
        context: Context::default(),
        wire_only: false,
    };
    let names: BTreeSet<&String> = old.events.keys().chain(new.events.keys()).collect();
    for name in names {
        let owner = Owner::Event(name.clone());
        match (old.events.get(name), new.events.get(name)) {
            (Some(o), Some(n)) => differ.compare(&owner, "", &o.schema, &n.schema),
            (None, Some(n)) => match differ.envelope_mismatch(&n.schema) {
                None => differ.push(
                    &owner,
                    "",
                    Kind::EventAdded,
                    false,
                    format!("new event {name:?}; receivers built on the old schemas read it as WebhookEvent::Unknown"),
                ),
                Some(why) => differ.push(
                    &owner,
                    "",
                    Kind::EventAdded,
                    true,
                    format!("new event {name:?}, but receivers built on the old schemas check an event they do not know by its envelope, and {why}"),
                ),
            },
            (Some(_), None) => differ.push(
                &owner,
                "",
                Kind::EventRemoved,
                true,
                format!("event {name:?} removed: its WebhookEvent variant and payload type disappear"),
            ),
            (None, None) => {}
        }
    }
    while let Some(def) = differ.todo.pop() {
        let owner = Owner::Def(def.clone());
        differ.compare(&owner, "", &old.defs[&def].schema, &new.defs[&def].schema);
    }
    // Definitions no event reaches (the envelope of an unknown event, say)
    // are Rust types all the same: compared as they are, or gone.
    // An export carries none: each event holds copies of those it uses.
    let sources = old.layout == Layout::Source && new.layout == Layout::Source;
    let unreached: Vec<String> = old
        .defs
        .keys()
        .filter(|def| sources && !differ.queued.contains(*def))
        .cloned()
        .collect();
    for def in unreached {
        differ.queued.insert(def.clone());
        let owner = Owner::Def(def.clone());
        match new.defs.get(&def) {
            Some(now) => {
                differ.compare(&owner, "", &old.defs[&def].schema, &now.schema);
                while let Some(next) = differ.todo.pop() {
                    let owner = Owner::Def(next.clone());
                    differ.compare(&owner, "", &old.defs[&next].schema, &new.defs[&next].schema);
                }
            }
            None => differ.push(
                &owner,
                "",
                Kind::TypeChanged,
                true,
                format!(
                    "definition {def:?}, which no event uses, removed: the Rust type made of it disappears"
                ),
            ),
        }
    }
    differ.place()
}

fn schema_map(value: &Value) -> Map<String, Value> {
    match value {
        Value::Object(map) => map.clone(),
        Value::Bool(false) => [("not".to_owned(), Value::Object(Map::new()))]
            .into_iter()
            .collect(),
        _ => Map::new(),
    }
}

fn ref_name(schema: &Map<String, Value>) -> Option<&str> {
    schema.get("$ref")?.as_str()?.strip_prefix("#/$defs/")
}

/// `"a"`, `1`: a JSON value in a message.
fn show(value: &Value) -> String {
    value.to_string()
}

/// The JSON types a schema admits, `integer` counted within `number`.
/// `added`, `removed` or `changed`, for a keyword's two values.
fn what_changed(old: Option<&Value>, new: Option<&Value>) -> &'static str {
    match (old, new) {
        (None, Some(_)) => "added",
        (Some(_), None) => "removed",
        _ => "changed",
    }
}

fn types(schema: &Map<String, Value>) -> Option<BTreeSet<String>> {
    walk::types(schema).map(|ts| ts.into_iter().map(str::to_owned).collect())
}

impl Differ<'_> {
    /// A change to the generated Rust type alone: breaking, unless only
    /// deliveries are being compared.
    fn push_rust(&mut self, owner: &Owner, pointer: &str, message: String) {
        if !self.wire_only {
            self.push(owner, pointer, Kind::TypeChanged, true, message);
        }
    }

    fn push(&mut self, owner: &Owner, pointer: &str, kind: Kind, breaking: bool, message: String) {
        let (kind, breaking, message) = self.context.apply(kind, breaking, message);
        self.raw.push(Raw {
            owner: owner.clone(),
            pointer: pointer.to_owned(),
            kind,
            breaking,
            message,
        });
    }

    /// Compares one position: references first, then the schemas themselves.
    fn compare(&mut self, owner: &Owner, pointer: &str, old: &Value, new: &Value) {
        let (o, n) = (
            rules::normalized(schema_map(old)),
            rules::normalized(schema_map(new)),
        );
        self.annotations(owner, pointer, &o, &n);
        self.whole_node(owner, pointer, &o, &n);
        match (ref_name(&o), ref_name(&n)) {
            (Some(a), Some(b))
                if a == b && self.old.defs.contains_key(a) && self.new.defs.contains_key(b) =>
            {
                self.edges.push((owner.clone(), pointer.to_owned(), a.to_owned()));
                if self.queued.insert(a.to_owned()) {
                    self.todo.push(a.to_owned());
                }
                // Keywords beside the reference refine it.
                let siblings = |m: &Map<String, Value>| -> Map<String, Value> {
                    m.iter()
                        .filter(|(k, _)| *k != "$ref" && !keywords::is_annotation(k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect()
                };
                let (os, ns) = (siblings(&o), siblings(&n));
                if os.is_empty() != ns.is_empty() {
                    // typify merges a reference and the keywords beside it
                    // into a type of its own.
                    let (from, to) = if os.is_empty() {
                        (base_name(a), "a type of its own")
                    } else {
                        ("a type of its own", base_name(a))
                    };
                    self.push_rust(
                        owner,
                        pointer,
                        format!("keywords beside the reference to {} come or go, so typify's Rust type changes from {from} to {to}", base_name(a)),
                    );
                }
                if !os.is_empty() || !ns.is_empty() {
                    self.node(owner, pointer, &os, &ns);
                }
            }
            (a, b) => {
                if let (Some(a), Some(b)) = (a, b) {
                    let named =
                        |set: &SchemaSet, name: &str| set.defs.get(name).is_some_and(|d| is_named(&d.schema));
                    if named(self.old, a) && named(self.new, b) && base_name(a) != base_name(b) {
                        self.push(
                            owner,
                            pointer,
                            Kind::TypeRenamed,
                            true,
                            format!(
                                "refers to {} instead of {}: the Rust type changes",
                                base_name(b),
                                base_name(a)
                            ),
                        );
                    }
                    let pair = (a.to_owned(), b.to_owned());
                    if self.inline.contains(&pair) {
                        return;
                    }
                    self.inline.push(pair);
                    let (ro, rn) = (self.resolve(self.old, &o), self.resolve(self.new, &n));
                    self.node(owner, pointer, &ro, &rn);
                    self.inline.pop();
                } else {
                    let (ro, rn) = (self.resolve(self.old, &o), self.resolve(self.new, &n));
                    self.node(owner, pointer, &ro, &rn);
                }
            }
        }
    }

    /// Why a new event's deliveries may fail the envelope that old lenient
    /// receivers check an unknown event against (`event` a string,
    /// `created_at` a `date-time` string, `data` an object, all three
    /// required), or `None` when they all fit it.
    /// A schema with its reference replaced by the definition (its own
    /// keywords win), without annotations.
    fn resolve(&self, set: &SchemaSet, schema: &Map<String, Value>) -> Map<String, Value> {
        let mut out = match ref_name(schema).and_then(|name| set.defs.get(name)) {
            Some(def) => {
                let mut merged = schema_map(&def.schema);
                // A chain of references resolves one step at a time.
                if ref_name(&merged).is_some() && ref_name(&merged) != ref_name(schema) {
                    merged = self.resolve(set, &merged);
                }
                merged
            }
            None => Map::new(),
        };
        for (key, value) in schema {
            if key != "$ref" {
                out.insert(key.clone(), value.clone());
            }
        }
        out.retain(|key, _| !keywords::is_annotation(key));
        out
    }

    fn annotations(&mut self, owner: &Owner, pointer: &str, o: &Map<String, Value>, n: &Map<String, Value>) {
        for keyword in keywords::all(|k| k.diff == Diff::Annotation) {
            if o.get(keyword) != n.get(keyword) {
                let what = what_changed(o.get(keyword), n.get(keyword));
                self.push(
                    owner,
                    pointer,
                    Kind::Documentation,
                    false,
                    format!("{keyword} {what}"),
                );
            }
        }
    }

    /// Compares two schemas without references.
    fn node(&mut self, owner: &Owner, pointer: &str, o: &Map<String, Value>, n: &Map<String, Value>) {
        let (o, n) = (&rules::normalized(o.clone()), &rules::normalized(n.clone()));
        if o.contains_key("$ref") || n.contains_key("$ref") {
            // A one-branch `allOf` held a reference: compare it as one.
            self.compare(
                owner,
                pointer,
                &Value::Object(o.clone()),
                &Value::Object(n.clone()),
            );
            return;
        }
        self.types(owner, pointer, o, n);
        match (o.get("const"), n.get("const")) {
            (a, b) if a == b => {}
            // The same single value, written another way.
            (None, Some(b)) if o.get("enum") == Some(&Value::Array(vec![b.clone()])) => {}
            (None, Some(b)) => self.push(
                owner,
                pointer,
                Kind::ConstraintTightened,
                true,
                format!(
                    "const {} added: receivers accept fewer values, but typify makes a constant a type of its own, so the Rust type changes",
                    show(b)
                ),
            ),
            (Some(a), None) => self.push(
                owner,
                pointer,
                Kind::ConstraintRelaxed,
                true,
                format!("const {} dropped: old receivers refuse any other value", show(a)),
            ),
            (Some(a), Some(b)) => self.push(
                owner,
                pointer,
                Kind::ConstChanged,
                true,
                format!("the constant changes from {} to {}", show(a), show(b)),
            ),
            (None, None) => {}
        }
        self.values(owner, pointer, o, n);
        self.format(owner, pointer, o, n);
        self.bounds(owner, pointer, o, n);
        self.object(owner, pointer, o, n);
        // Every other subschema keyword, and every other keyword.
        let keywords: BTreeSet<&String> = o.keys().chain(n.keys()).collect();
        for keyword in keywords {
            let k = keyword.as_str();
            let rule = keywords::diff(k);
            if matches!(
                rule,
                Diff::OwnRule
                    | Diff::Structural
                    | Diff::Annotation
                    | Diff::LowerBound
                    | Diff::UpperBound
                    | Diff::Constraint
            ) {
                continue;
            }
            let (a, b) = (o.get(k), n.get(k));
            if a == b && walk::holds(k).is_none() {
                continue;
            }
            let outer = self.context;
            self.context = outer.enter(k, o, n);
            match (walk::holds(k), a, b) {
                (Some(Holds::One), Some(a), Some(b)) => {
                    let at = if matches!(k, "items" | "additionalItems" | "contains" | "unevaluatedItems") {
                        format!("{pointer}/*")
                    } else {
                        pointer.to_owned()
                    };
                    self.compare(owner, &at, a, b);
                }
                (Some(Holds::Array), Some(Value::Array(a)), Some(Value::Array(b))) => {
                    self.branches(owner, pointer, k, a, b, o);
                }
                (Some(Holds::Map), Some(Value::Object(a)), Some(Value::Object(b))) => {
                    self.context = outer;
                    self.schema_map_keyword(owner, pointer, k, a, b);
                }
                // Keywords that only ever narrow what passes.
                (_, a, b) if rule == Diff::Narrowing && a.is_none() != b.is_none() => {
                    self.context = outer;
                    let added = a.is_none();
                    let (kind, what) = if added {
                        (Kind::ConstraintTightened, "added")
                    } else {
                        (Kind::ConstraintRelaxed, "removed")
                    };
                    self.push(owner, pointer, kind, !added, format!("{k} {what}"));
                }
                _ => {
                    self.context = outer;
                    let what = what_changed(a, b);
                    self.push(
                        owner,
                        pointer,
                        Kind::Unproven,
                        true,
                        format!("{k} {what}, in a way this differ cannot prove safe"),
                    );
                }
            }
            self.context = outer;
        }
    }

    /// Places every change in deliveries: a definition's changes at each
    /// pointer where events reach it.
    fn place(self) -> Vec<Change> {
        let mut sites: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
        for def in &self.queued {
            let mut found = Vec::new();
            collect_sites(&self.edges, def, "", &mut found, 0);
            found.sort();
            found.dedup();
            sites.insert(def.clone(), found);
        }
        let mut out = Vec::new();
        for raw in self.raw {
            match &raw.owner {
                Owner::Event(event) => out.push(Change {
                    event: Some(event.clone()),
                    pointer: raw.pointer,
                    kind: raw.kind,
                    breaking: raw.breaking,
                    summary: raw.message.clone(),
                    message: raw.message,
                    definition: None,
                    reaches: Vec::new(),
                }),
                Owner::Def(def) => {
                    let name = base_name(def);
                    // Group the events by the pointer at which they reach the definition.
                    let mut by_prefix: BTreeMap<&str, Vec<String>> = BTreeMap::new();
                    for (event, prefix) in sites.get(def).into_iter().flatten() {
                        by_prefix.entry(prefix).or_default().push(event.clone());
                    }
                    if by_prefix.is_empty() {
                        // A definition no event reaches: said where it is.
                        out.push(Change {
                            event: None,
                            pointer: format!("/$defs/{name}{}", raw.pointer),
                            kind: raw.kind,
                            breaking: raw.breaking,
                            message: format!("{} (in {name}, which no event uses)", raw.message),
                            summary: raw.message.clone(),
                            definition: Some(name.to_owned()),
                            reaches: Vec::new(),
                        });
                    }
                    for (prefix, events) in by_prefix {
                        let shared = events.len() > 1;
                        let message = if shared {
                            format!(
                                "{} (in {name}, shared by {} events: {})",
                                raw.message,
                                events.len(),
                                events.join(", ")
                            )
                        } else {
                            format!("{} (in {name})", raw.message)
                        };
                        out.push(Change {
                            event: (!shared).then(|| events[0].clone()),
                            pointer: format!("{prefix}{}", raw.pointer),
                            kind: raw.kind,
                            breaking: raw.breaking,
                            message,
                            summary: raw.message.clone(),
                            definition: Some(name.to_owned()),
                            reaches: if shared { events } else { Vec::new() },
                        });
                    }
                }
            }
        }
        out.sort_by(|a, b| {
            (a.event.is_none(), &a.event, &a.pointer, a.kind).cmp(&(
                b.event.is_none(),
                &b.event,
                &b.pointer,
                b.kind,
            ))
        });
        out.dedup();
        out
    }
}

/// Where events reach definition `def`: (event, pointer in the delivery).
fn collect_sites(
    edges: &[(Owner, String, String)],
    def: &str,
    suffix: &str,
    out: &mut Vec<(String, String)>,
    depth: usize,
) {
    if depth > 32 {
        return;
    }
    for (owner, pointer, target) in edges {
        if target != def {
            continue;
        }
        match owner {
            Owner::Event(event) => out.push((event.clone(), format!("{pointer}{suffix}"))),
            Owner::Def(parent) => collect_sites(edges, parent, &format!("{pointer}{suffix}"), out, depth + 1),
        }
    }
}

/// Whether a definition becomes a named Rust type (an object or a list of values).
fn is_named(schema: &Value) -> bool {
    schema.get("enum").is_some() || schema.get("type").and_then(Value::as_str) == Some("object")
}

/// The Rust integer type typify gives a field, from its `format` and bounds
/// (a port of typify 0.8's `convert_integer`).
#[allow(clippy::cast_precision_loss)]
fn rust_integer(schema: &Map<String, Value>) -> &'static str {
    const TYPES: &[(&str, &str, &str, f64, f64)] = &[
        ("int8", "i8", "NonZeroU8", i8::MIN as f64, i8::MAX as f64),
        ("uint8", "u8", "NonZeroU8", u8::MIN as f64, u8::MAX as f64),
        ("int16", "i16", "NonZeroU16", i16::MIN as f64, i16::MAX as f64),
        ("uint16", "u16", "NonZeroU16", u16::MIN as f64, u16::MAX as f64),
        ("int", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
        ("int32", "i32", "NonZeroU32", i32::MIN as f64, i32::MAX as f64),
        ("uint", "u32", "NonZeroU32", u32::MIN as f64, u32::MAX as f64),
        ("uint32", "u32", "NonZeroU32", u32::MIN as f64, u32::MAX as f64),
        ("int64", "i64", "NonZeroU64", i64::MIN as f64, i64::MAX as f64),
        ("uint64", "u64", "NonZeroU64", u64::MIN as f64, u64::MAX as f64),
    ];
    let number = |k: &str| schema.get(k).and_then(Value::as_f64);
    let mut min = match (number("minimum"), number("exclusiveMinimum")) {
        (None, None) => None,
        (None, Some(e)) => Some(e + 1.0),
        (Some(m), None) => Some(m),
        (Some(m), Some(e)) => Some(m.max(e + 1.0)),
    };
    let mut max = match (number("maximum"), number("exclusiveMaximum")) {
        (None, None) => None,
        (None, Some(e)) => Some(e - 1.0),
        (Some(m), None) => Some(m),
        (Some(m), Some(e)) => Some(m.min(e - 1.0)),
    };
    let multiple = schema.get("multipleOf").is_some();
    if let Some(format) = schema.get("format").and_then(Value::as_str) {
        if let Some((_, ty, nz, lo, hi)) = TYPES.iter().find(|(f, ..)| *f == format) {
            let fits = min.is_none_or(|m| m >= *lo) && max.is_none_or(|m| m <= *hi);
            if !multiple && fits {
                return if min == Some(1.0) { nz } else { ty };
            }
            min = min.or(Some(*lo));
            max = max.or(Some(*hi));
        }
    }
    let same = |a: f64, b: f64| (a - b).abs() <= f64::EPSILON;
    let found = match (min, max) {
        (None, Some(max)) => TYPES.iter().rev().find(|t| same(t.4, max)).map(|t| t.1),
        (Some(min), _) if same(min, 1.0) => Some("NonZeroU64"),
        (Some(min), None) => TYPES.iter().rev().find(|t| same(t.3, min)).map(|t| t.1),
        (Some(min), Some(max)) => TYPES
            .iter()
            .rev()
            .find(|t| same(t.3, min) && same(t.4, max))
            .map(|t| t.1),
        (None, None) => None,
    };
    found.unwrap_or("i64")
}
