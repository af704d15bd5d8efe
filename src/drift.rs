//! Drift: what a delivery carries that the schemas do not document. Kit adds
//! an event, a field or a value to a documented list; a lenient receiver
//! accepts the delivery, and the drift report says what was new:
//!
//! ```
//! use kit_webhooks::{DriftKind, Parser};
//!
//! let body = br#"{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z", "data": {"bonus": 1}}"#;
//! let (event, drift) = Parser::new().parse_with_drift(body)?;
//! assert_eq!(event.event_name(), "test.ping");
//! let added = &drift.additions()[0];
//! assert_eq!(added.kind, DriftKind::FieldAdded);
//! assert_eq!(added.pointer, "/data/bonus");
//! assert_eq!(added.value, serde_json::json!(1));
//! # Ok::<(), kit_webhooks::Error>(())
//! ```
//!
//! A delivery is valid in [`Mode::Strict`](crate::Mode::Strict) exactly when
//! it is valid in lenient mode and has no drift. Both come from the shape of
//! the schemas the build script derives (the keys each object documents, the
//! values of each documented list): one cheap walk beside the typed
//! decoding, not a second validation.

use std::borrow::Cow;
use std::fmt;

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// What kind of thing Kit added.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum DriftKind {
    /// An event this version does not know (`pointer` is empty; `value` is
    /// its `data`).
    EventAdded,
    /// A key no schema documents, in an object whose fields are documented
    /// (`value` is its value). What lies inside it is part of it.
    FieldAdded,
    /// A string outside a documented list of values (`value` is the string).
    ValueAdded,
}

impl DriftKind {
    /// `event-added`, `field-added` or `value-added`.
    pub const fn as_str(self) -> &'static str {
        match self {
            DriftKind::EventAdded => "event-added",
            DriftKind::FieldAdded => "field-added",
            DriftKind::ValueAdded => "value-added",
        }
    }
}

impl fmt::Display for DriftKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One thing a delivery carries that the schemas do not document.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct Addition {
    /// What was added.
    pub kind: DriftKind,
    /// Where, as a JSON pointer with every array index written `*`, so that
    /// the same addition in different deliveries has one pointer (empty for
    /// an added event).
    pub pointer: String,
    /// Where in this delivery, as a plain JSON pointer.
    pub instance_path: String,
    /// The value: the added field's, the added string, or an added event's `data`.
    pub value: Value,
}

impl fmt::Display for Addition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.kind {
            DriftKind::EventAdded => write!(f, "event added, with data {}", self.value),
            DriftKind::FieldAdded => write!(f, "field added at {}: {}", self.instance_path, self.value),
            DriftKind::ValueAdded => write!(f, "value added at {}: {}", self.instance_path, self.value),
        }
    }
}

/// Everything one delivery carries that the schemas do not document, by
/// JSON pointer; empty for a fully documented delivery. See the
/// [module documentation](crate::drift).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Drift {
    additions: Vec<Addition>,
}

impl Drift {
    /// Whether the delivery is fully documented.
    pub fn is_empty(&self) -> bool {
        self.additions.is_empty()
    }

    /// How many additions.
    pub fn len(&self) -> usize {
        self.additions.len()
    }

    /// The additions, ordered by `instance_path`.
    pub fn additions(&self) -> &[Addition] {
        &self.additions
    }

    /// The additions, owned.
    pub fn into_additions(self) -> Vec<Addition> {
        self.additions
    }

    pub(crate) fn from_additions(mut additions: Vec<Addition>) -> Self {
        additions.sort_by(|a, b| a.instance_path.cmp(&b.instance_path));
        Drift { additions }
    }
}

impl<'a> IntoIterator for &'a Drift {
    type Item = &'a Addition;
    type IntoIter = std::slice::Iter<'a, Addition>;

    fn into_iter(self) -> Self::IntoIter {
        self.additions.iter()
    }
}

/// The node that tracks nothing.
pub(crate) const ANY: u32 = 0;

/// One node of a shape (see `kit_webhooks_schema_model::shape`, which derives them).
#[derive(Clone, Debug)]
pub(crate) struct Node {
    /// The documented keys, each with its value's node.
    pub(crate) props: Cow<'static, [(Cow<'static, str>, u32)]>,
    /// Whether a key not in `props` is a field Kit added.
    pub(crate) closes: bool,
    /// The node of other keys' values, when they are described.
    pub(crate) others: u32,
    /// The node of an array's items.
    pub(crate) items: u32,
    /// A documented list of strings.
    pub(crate) values: Cow<'static, [Cow<'static, str>]>,
}

impl Node {
    /// The position and node of a documented key.
    pub(crate) fn prop(&self, key: &str) -> Option<(usize, u32)> {
        self.props
            .iter()
            .position(|(k, _)| k == key)
            .map(|i| (i, self.props[i].1))
    }

    /// Whether the node says anything about an object's keys.
    pub(crate) fn is_object(&self) -> bool {
        !self.props.is_empty() || self.closes || self.others != ANY
    }

    /// Whether `text` is a value Kit added to this node's list.
    pub(crate) fn adds_value(&self, text: &str) -> bool {
        !self.values.is_empty() && !self.values.iter().any(|v| v == text)
    }
}

mod tables {
    use super::{Cow, Node};
    include!(concat!(env!("OUT_DIR"), "/shapes.rs"));
}

/// The shape of a schema set: the embedded one, or one read at run time.
#[derive(Clone, Debug)]
pub(crate) struct Shapes {
    pub(crate) nodes: Cow<'static, [Node]>,
    /// Each event's name and root node, in name order.
    pub(crate) events: Cow<'static, [(Cow<'static, str>, u32)]>,
}

/// The shape of the embedded schemas; `EMBEDDED.events` is in the order of
/// `EventType::ALL`.
pub(crate) static EMBEDDED: Shapes = Shapes {
    nodes: Cow::Borrowed(tables::NODES),
    events: Cow::Borrowed(tables::EVENTS),
};

/// A shape that tracks nothing: its one node is [`ANY`].
pub(crate) static NO_SHAPE: Shapes = Shapes {
    nodes: Cow::Borrowed(&[Node {
        props: Cow::Borrowed(&[]),
        closes: false,
        others: ANY,
        items: ANY,
        values: Cow::Borrowed(&[]),
    }]),
    events: Cow::Borrowed(&[]),
};

impl Shapes {
    pub(crate) fn node(&self, index: u32) -> &Node {
        &self.nodes[index as usize]
    }

    /// The root node of an event, if the set has it.
    pub(crate) fn root(&self, event: &str) -> Option<u32> {
        self.events
            .binary_search_by(|(name, _)| name.as_ref().cmp(event))
            .ok()
            .map(|i| self.events[i].1)
    }

    /// The drift of a parsed delivery (a JSON object with a string `event`).
    pub(crate) fn drift(&self, delivery: &Value) -> Drift {
        let event = delivery.get("event").and_then(Value::as_str).unwrap_or_default();
        let mut additions = Vec::new();
        match self.root(event) {
            Some(root) => {
                let mut paths = Paths::default();
                self.walk(root, delivery, &mut paths, &mut additions);
            }
            None => additions.push(Addition {
                kind: DriftKind::EventAdded,
                pointer: String::new(),
                instance_path: String::new(),
                value: delivery.get("data").cloned().unwrap_or(Value::Null),
            }),
        }
        Drift::from_additions(additions)
    }

    fn walk(&self, node: u32, value: &Value, paths: &mut Paths, out: &mut Vec<Addition>) {
        if node == ANY {
            return;
        }
        let shape = self.node(node);
        match value {
            Value::Object(members) if shape.is_object() => {
                for (key, child) in members {
                    let token = escape(key);
                    paths.push(&token, &token);
                    match shape.prop(key) {
                        Some((_, next)) => self.walk(next, child, paths, out),
                        None if shape.closes => {
                            out.push(paths.addition(DriftKind::FieldAdded, child.clone()))
                        }
                        None => self.walk(shape.others, child, paths, out),
                    }
                    paths.pop();
                }
            }
            Value::Array(items) if shape.items != ANY => {
                for (i, item) in items.iter().enumerate() {
                    paths.push(&i.to_string(), "*");
                    self.walk(shape.items, item, paths, out);
                    paths.pop();
                }
            }
            Value::String(text) if shape.adds_value(text) => {
                out.push(paths.addition(DriftKind::ValueAdded, value.clone()));
            }
            _ => {}
        }
    }
}

/// The instance path and the pointer (indices as `*`) of a walk, with the
/// length of each before its last token, to pop back to.
#[derive(Default)]
struct Paths {
    instance: String,
    pattern: String,
    marks: Vec<(usize, usize)>,
}

impl Paths {
    fn push(&mut self, instance: &str, pattern: &str) {
        self.marks.push((self.instance.len(), self.pattern.len()));
        self.instance.push('/');
        self.instance.push_str(instance);
        self.pattern.push('/');
        self.pattern.push_str(pattern);
    }

    fn pop(&mut self) {
        if let Some((instance, pattern)) = self.marks.pop() {
            self.instance.truncate(instance);
            self.pattern.truncate(pattern);
        }
    }

    fn addition(&self, kind: DriftKind, value: Value) -> Addition {
        Addition {
            kind,
            pointer: self.pattern.clone(),
            instance_path: self.instance.clone(),
            value,
        }
    }
}

/// A JSON pointer's reference token for `key` (RFC 6901).
pub(crate) fn escape(key: &str) -> Cow<'_, str> {
    if key.contains(['~', '/']) {
        Cow::Owned(key.replace('~', "~0").replace('/', "~1"))
    } else {
        Cow::Borrowed(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_embedded_events_are_in_name_order() {
        let names: Vec<&str> = EMBEDDED.events.iter().map(|(n, _)| n.as_ref()).collect();
        let mut sorted = names.clone();
        sorted.sort_unstable();
        assert_eq!(names, sorted);
        assert_eq!(names.len(), crate::EventType::ALL.len());
        for (i, event) in crate::EventType::ALL.iter().enumerate() {
            assert_eq!(names[i], event.as_str());
        }
    }

    #[test]
    fn fields_values_and_events_are_found_by_pointer() {
        let drift = EMBEDDED.drift(&json!({
            "event": "offer.accepted", "created_at": "2025-01-19T15:00:00Z", "extra": true,
            "data": {"id": 1, "status": "rescinded", "candidate": {"id": 7, "a/b": {"deep": 1}}}
        }));
        let found: Vec<(DriftKind, &str, &Value)> = drift
            .additions()
            .iter()
            .map(|a| (a.kind, a.pointer.as_str(), &a.value))
            .collect();
        assert_eq!(
            found,
            [
                (DriftKind::FieldAdded, "/data/candidate/a~1b", &json!({"deep": 1})),
                (DriftKind::ValueAdded, "/data/status", &json!("rescinded")),
                (DriftKind::FieldAdded, "/extra", &json!(true)),
            ]
        );
        let drift = EMBEDDED.drift(&json!({"event": "candidate.merged", "data": {"x": 1}}));
        assert_eq!(drift.additions()[0].kind, DriftKind::EventAdded);
        assert_eq!(drift.additions()[0].value, json!({"x": 1}));
        assert!(EMBEDDED
            .drift(&json!({"event": "test.ping", "created_at": "x", "data": {}}))
            .is_empty());
    }
}
