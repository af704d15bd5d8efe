//! The shape of a schema set, as drift needs it: for each event, a graph of
//! nodes that says which keys an object documents (and whether strict mode
//! closes it), which strings a documented list holds, and what the items of
//! an array are. Strict mode differs from lenient in exactly these places
//! (see `forms.rs`), so a lenient-valid delivery is strict-valid exactly when
//! a walk over these nodes finds nothing undocumented.
//!
//! Derived from the source form (lists closed), by the build script for the
//! embedded schemas and at run time for a schema set read from a directory.
//! A keyword whose effect on strict mode this derivation cannot state
//! (`allOf`, `patternProperties`, ...) is refused with the file and pointer.

use std::collections::BTreeMap;

use serde_json::{Map, Value};

use crate::forms;
use crate::keywords;
use crate::set::{LoadError, SchemaSet};
use crate::walk;

/// The node that tracks nothing (a leaf, or a value no schema describes).
pub const ANY: u32 = 0;

/// One node of a shape.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ShapeNode {
    /// The keys an object documents (`properties`), in schema order, each
    /// with the node of its value.
    pub props: Vec<(String, u32)>,
    /// Whether strict mode closes the object: a key not in `props` is then
    /// a field Kit added.
    pub closes: bool,
    /// The node of the values of other keys, when they are allowed and
    /// described (`additionalProperties: {...}`).
    pub others: u32,
    /// The node of an array's items.
    pub items: u32,
    /// The values of a documented list of strings; any other string is a
    /// value Kit added.
    pub values: Vec<String>,
    /// Where the schema is written: the index of its file in the set and
    /// the JSON pointer in that file.
    pub origin: Option<(usize, String)>,
}

impl ShapeNode {
    /// Whether this node tracks nothing.
    pub fn is_leaf(&self) -> bool {
        self.props.is_empty()
            && !self.closes
            && self.others == ANY
            && self.items == ANY
            && self.values.is_empty()
    }
}

/// The shape of every event of a set.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// Every node; [`ANY`] first.
    pub nodes: Vec<ShapeNode>,
    /// Each event's name and the node of its whole delivery, in name order.
    pub events: Vec<(String, u32)>,
}

/// Derives the shape of every event of `set`.
///
/// # Errors
///
/// A keyword whose effect on strict mode cannot be stated here, with the
/// file and pointer at fault.
pub fn derive(set: &SchemaSet) -> Result<Shape, LoadError> {
    let mut builder = Builder {
        set,
        nodes: vec![ShapeNode::default()],
        defs: BTreeMap::new(),
    };
    let mut events = Vec::new();
    for event in set.events.values() {
        let mut schema = event.schema.clone();
        forms::close(&mut schema);
        let node = builder.node(&schema, event.file, "")?;
        events.push((event.name.clone(), node));
    }
    Ok(compact(Shape {
        nodes: builder.nodes,
        events,
    }))
}

/// The same shape without the nodes that track nothing (definitions of
/// timestamps, integers, ...): every reference to one becomes [`ANY`].
fn compact(shape: Shape) -> Shape {
    let mut renumbered = vec![ANY; shape.nodes.len()];
    let mut next = 1;
    for (old, node) in shape.nodes.iter().enumerate().skip(1) {
        if !node.is_leaf() {
            renumbered[old] = next;
            next += 1;
        }
    }
    let map = |index: u32| renumbered[index as usize];
    let nodes = shape
        .nodes
        .into_iter()
        .enumerate()
        .filter(|(old, node)| *old == 0 || !node.is_leaf())
        .map(|(_, mut node)| {
            for (_, child) in &mut node.props {
                *child = map(*child);
            }
            node.others = map(node.others);
            node.items = map(node.items);
            node
        })
        .collect();
    let events = shape
        .events
        .into_iter()
        .map(|(name, root)| (name, map(root)))
        .collect();
    Shape { nodes, events }
}

struct Builder<'a> {
    set: &'a SchemaSet,
    nodes: Vec<ShapeNode>,
    /// Definitions already derived (or being derived), by name.
    defs: BTreeMap<String, u32>,
}

impl Builder<'_> {
    fn error(&self, file: usize, pointer: &str, message: impl Into<String>) -> LoadError {
        LoadError::new(self.set.path_of(file), pointer, message)
    }

    /// The node of a definition, derived once (a reference to itself, at any
    /// depth, reaches the same node).
    fn def(&mut self, name: &str, file: usize, pointer: &str) -> Result<u32, LoadError> {
        if let Some(&node) = self.defs.get(name) {
            return Ok(node);
        }
        let def = self
            .set
            .defs
            .get(name)
            .ok_or_else(|| self.error(file, pointer, format!("no definition {name:?}")))?;
        let index = u32::try_from(self.nodes.len()).unwrap_or(u32::MAX);
        self.nodes.push(ShapeNode::default());
        self.defs.insert(name.to_owned(), index);
        let mut schema = def.schema.clone();
        forms::close(&mut schema);
        let own_pointer = walk::push_token("/$defs", crate::set::base_name(name));
        let node = self.shape(&schema, def.file, &own_pointer)?;
        self.nodes[index as usize] = node;
        Ok(index)
    }

    /// The node of a schema written in `file` at `pointer`.
    fn node(&mut self, schema: &Value, file: usize, pointer: &str) -> Result<u32, LoadError> {
        if let Some(target) = schema.get("$ref").and_then(Value::as_str) {
            let map = schema.as_object().cloned().unwrap_or_default();
            if let Some(other) = map
                .keys()
                .find(|k| *k != "$ref" && !keywords::get(k).is_some_and(|k| k.drift_neutral))
            {
                return Err(self.error(
                    file,
                    &walk::push_token(pointer, other),
                    "drift cannot be derived for a `$ref` beside this keyword",
                ));
            }
            let name = target.trim_start_matches("#/$defs/");
            return self.def(name, file, &walk::push_token(pointer, "$ref"));
        }
        let node = self.shape(schema, file, pointer)?;
        if node.is_leaf() {
            return Ok(ANY);
        }
        self.nodes.push(node);
        Ok(u32::try_from(self.nodes.len() - 1).unwrap_or(u32::MAX))
    }

    /// The node of a schema without a `$ref`.
    fn shape(&mut self, schema: &Value, file: usize, pointer: &str) -> Result<ShapeNode, LoadError> {
        let Value::Object(map) = schema else {
            // `true` and `false` track nothing.
            return Ok(ShapeNode::default());
        };
        if map.contains_key("$ref") {
            // A definition that is itself a reference: its target's node.
            let target = self.node(schema, file, pointer)?;
            return Ok(self.nodes[target as usize].clone());
        }
        let mut node = ShapeNode {
            origin: Some((file, pointer.to_owned())),
            ..ShapeNode::default()
        };
        for (keyword, value) in map {
            let at = walk::push_token(pointer, keyword);
            match keyword.as_str() {
                k if keywords::get(k).is_some_and(|k| k.drift_neutral) => {}
                "properties" | "additionalProperties" => {}
                "enum" => {
                    if forms::is_string_enum(map) {
                        node.values = value
                            .as_array()
                            .into_iter()
                            .flatten()
                            .filter_map(Value::as_str)
                            .map(str::to_owned)
                            .collect();
                    }
                }
                "items" if value.is_object() || value.is_boolean() => {
                    node.items = self.node(value, file, &at)?;
                }
                "items" => {
                    return Err(self.error(
                        file,
                        &at,
                        "`items` must be a schema in Draft 2020-12 (a list of schemas is `prefixItems`)",
                    ))
                }
                other => {
                    return Err(self.error(
                        file,
                        &at,
                        format!("drift cannot be derived for a schema that uses `{other}`"),
                    ))
                }
            }
        }
        self.object(map, file, pointer, &mut node)?;
        Ok(node)
    }

    /// `properties` and `additionalProperties`, closed as `forms::strict` closes them.
    fn object(
        &mut self,
        map: &Map<String, Value>,
        file: usize,
        pointer: &str,
        node: &mut ShapeNode,
    ) -> Result<(), LoadError> {
        if let Some(properties) = map.get("properties") {
            let at = walk::push_token(pointer, "properties");
            let properties = properties
                .as_object()
                .ok_or_else(|| self.error(file, &at, "must be an object"))?;
            for (name, child) in properties {
                let child = self.node(child, file, &walk::push_token(&at, name))?;
                node.props.push((name.clone(), child));
            }
        }
        let is_object = walk::types(map).is_some_and(|types| types.contains(&"object"));
        match map.get("additionalProperties") {
            None => node.closes = is_object && map.contains_key("properties"),
            Some(Value::Bool(_)) => {}
            Some(other) => {
                let at = walk::push_token(pointer, "additionalProperties");
                node.others = self.node(other, file, &at)?;
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::set::{File, Layout};
    use serde_json::json;
    use std::path::Path;

    /// One event `e`, whose `data` is `$defs/Data`, and the definitions `defs`.
    fn fixture(defs: Value) -> SchemaSet {
        let files = vec![
            File {
                rel: "common/c.json".into(),
                doc: json!({ "$defs": defs }),
            },
            File {
                rel: "events/e.json".into(),
                doc: json!({"type": "object", "properties": {
                    "event": {"const": "e"},
                    "data": {"$ref": "../common/c.json#/$defs/Data"}
                }}),
            },
        ];
        SchemaSet::from_files(Path::new("s"), Layout::Source, files).unwrap()
    }

    fn shape(defs: Value) -> Result<Shape, LoadError> {
        derive(&fixture(defs))
    }

    fn node<'a>(shape: &'a Shape, event: &str) -> &'a ShapeNode {
        let (_, index) = shape.events.iter().find(|(name, _)| name == event).unwrap();
        &shape.nodes[*index as usize]
    }

    /// The node of `key` in `node` (whatever the order of keys).
    fn child<'a>(shape: &'a Shape, node: &ShapeNode, key: &str) -> &'a ShapeNode {
        &shape.nodes[prop(node, key) as usize]
    }

    fn prop(node: &ShapeNode, key: &str) -> u32 {
        node.props.iter().find(|(k, _)| k == key).unwrap().1
    }

    #[test]
    fn objects_lists_and_items_are_tracked() {
        let shape = shape(json!({
            "Status": {"type": "string", "enum": ["a", "b"]},
            "Data": {"type": "object", "properties": {
                "status": {"$ref": "#/$defs/Status", "description": "s"},
                "tags": {"type": "array", "items": {"type": "object", "properties": {"k": {"type": "string"}}}},
                "free": {"type": "object", "additionalProperties": true},
                "map": {"type": "object", "additionalProperties": {"$ref": "#/$defs/Status"}}
            }}
        }))
        .unwrap();
        let root = node(&shape, "e");
        assert!(root.closes);
        let data = child(&shape, root, "data");
        assert!(data.closes);
        assert_eq!(data.origin, Some((0, "/$defs/Data".to_owned())));
        assert_eq!(child(&shape, data, "status").values, ["a", "b"]);
        let tags = child(&shape, data, "tags");
        let item = &shape.nodes[tags.items as usize];
        assert!(item.closes);
        assert_eq!(
            item.origin.as_ref().unwrap().1,
            "/$defs/Data/properties/tags/items"
        );
        assert_eq!(prop(data, "free"), ANY, "a free-form object tracks nothing");
        let map = child(&shape, data, "map");
        assert!(!map.closes);
        assert_eq!(shape.nodes[map.others as usize].values, ["a", "b"]);
    }

    #[test]
    fn what_cannot_be_stated_is_refused_with_its_pointer() {
        let err = shape(json!({"Data": {"type": "object", "properties": {
            "x": {"allOf": [{"type": "string"}], "description": "x"}
        }}}))
        .unwrap_err();
        assert_eq!(err.pointer, "/$defs/Data/properties/x/allOf");
        assert!(err.message.contains("allOf"), "{err}");
        let err = shape(json!({"Data": {"type": "object", "properties": {
            "x": {"type": "array", "items": [{"type": "string"}], "description": "x"}
        }}}))
        .unwrap_err();
        assert!(err.message.contains("prefixItems"), "{err}");
    }

    #[test]
    fn a_recursive_definition_reaches_itself() {
        let shape = shape(json!({"Data": {"type": "object", "properties": {
            "child": {"$ref": "#/$defs/Data", "description": "c"}
        }}}))
        .unwrap();
        let data = prop(node(&shape, "e"), "data");
        assert_eq!(prop(&shape.nodes[data as usize], "child"), data);
    }
}
