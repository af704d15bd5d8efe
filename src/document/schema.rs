//! The document as jsonschema reads it: its `Json` trait, implemented over
//! the tape, so that the validator walks the same parse the typed value is
//! decoded from.

use std::borrow::Cow;

use jsonschema::json::{Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde_json::{Number, Value};

use super::{ArrayRef, Document, Elements, Members, NodeRef, ObjectRef, Slot};

/// The document representation jsonschema validates.
pub(crate) struct Tape;

impl NodeRef<'_> {
    pub(crate) fn number(&self) -> Option<NumberRef> {
        match self.slot() {
            Slot::I64(v) => Some(NumberRef::I64(v)),
            Slot::U64(v) => Some(NumberRef::U64(v)),
            Slot::F64(v) => Some(NumberRef::F64(v)),
            _ => None,
        }
    }
}

/// A number in a [`Document`].
#[derive(Clone, Copy, Debug)]
pub(crate) enum NumberRef {
    I64(i64),
    U64(u64),
    F64(f64),
}

impl NumberRef {
    pub(crate) fn number(self) -> Number {
        match self {
            NumberRef::I64(v) => v.into(),
            NumberRef::U64(v) => v.into(),
            NumberRef::F64(v) => Number::from_f64(v).unwrap_or_else(|| 0.into()),
        }
    }
}

impl JsonNumber for NumberRef {
    fn as_u64(&self) -> Option<u64> {
        match *self {
            NumberRef::I64(v) => u64::try_from(v).ok(),
            NumberRef::U64(v) => Some(v),
            NumberRef::F64(_) => None,
        }
    }

    fn as_i64(&self) -> Option<i64> {
        match *self {
            NumberRef::I64(v) => Some(v),
            NumberRef::U64(v) => i64::try_from(v).ok(),
            NumberRef::F64(_) => None,
        }
    }

    fn as_f64(&self) -> Option<f64> {
        #[allow(clippy::cast_precision_loss)]
        Some(match *self {
            NumberRef::I64(v) => v as f64,
            NumberRef::U64(v) => v as f64,
            NumberRef::F64(v) => v,
        })
    }

    fn as_str(&self) -> Cow<'_, str> {
        Cow::Owned(self.number().to_string())
    }

    fn to_number(&self) -> Cow<'_, Number> {
        Cow::Owned(self.number())
    }

    fn is_integer(&self) -> bool {
        match *self {
            NumberRef::I64(_) | NumberRef::U64(_) => true,
            NumberRef::F64(v) => v.fract() == 0.0,
        }
    }

    fn is_written_as_integer(&self) -> bool {
        !matches!(self, NumberRef::F64(_))
    }
}

impl Json for Tape {
    type Node<'a> = NodeRef<'a>;
    type PreparedKey = Box<str>;
    type StringBuffer = Document;
    const ACYCLIC: bool = true;
    // Lookups scan the members; a members pass pays off early (measured: 4).
    const KEYS_PER_LOOKUP: usize = 4;

    fn prepare_key(key: &str) -> Box<str> {
        key.into()
    }

    fn with_string_node<T>(buffer: &mut Document, string: &str, f: impl FnOnce(NodeRef<'_>) -> T) -> T {
        buffer.tape.clear();
        buffer.text.clear();
        buffer.text.push_str(string);
        let end = u32::try_from(string.len()).unwrap_or(u32::MAX);
        buffer.tape.push(Slot::Str { start: 0, end });
        f(buffer.root())
    }
}

impl<'a> Node<'a, Tape> for NodeRef<'a> {
    type Object = ObjectRef<'a>;
    type Array = ArrayRef<'a>;
    type Number = NumberRef;

    fn as_object(&self) -> Option<ObjectRef<'a>> {
        self.object()
    }

    fn as_array(&self) -> Option<ArrayRef<'a>> {
        self.array()
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.as_str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<NumberRef> {
        self.number()
    }

    fn as_boolean(&self) -> Option<bool> {
        match self.slot() {
            Slot::Bool(v) => Some(v),
            _ => None,
        }
    }

    fn is_null(&self) -> bool {
        matches!(self.slot(), Slot::Null)
    }

    fn json_type(&self) -> JsonType {
        match self.slot() {
            Slot::Null => JsonType::Null,
            Slot::Bool(_) => JsonType::Boolean,
            Slot::I64(_) | Slot::U64(_) | Slot::F64(_) => JsonType::Number,
            Slot::Str { .. } | Slot::Key { .. } => JsonType::String,
            Slot::Array { .. } => JsonType::Array,
            Slot::Object { .. } => JsonType::Object,
        }
    }

    fn to_value(&self) -> Cow<'a, Value> {
        Cow::Owned(NodeRef::to_value(*self))
    }

    fn identity(&self) -> Option<NodeIdentity> {
        Some(NodeIdentity::tagged(
            std::ptr::from_ref(self.doc) as usize,
            self.at,
        ))
    }
}

impl<'a> Object<'a, Tape> for ObjectRef<'a> {
    type Node = NodeRef<'a>;
    type MemberName = &'a str;
    type MembersIter = Members<'a>;

    fn len(&self) -> usize {
        ObjectRef::len(self)
    }

    fn get(&self, key: &Box<str>) -> Option<NodeRef<'a>> {
        self.members().find(|(k, _)| *k == &**key).map(|(_, v)| v)
    }

    fn members(&self) -> Members<'a> {
        ObjectRef::members(self)
    }
}

impl<'a> Array<'a, Tape> for ArrayRef<'a> {
    type Node = NodeRef<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        ArrayRef::len(self)
    }

    fn elements(&self) -> Elements<'a> {
        ArrayRef::elements(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// jsonschema's own check of a representation's accessor contract.
    #[test]
    fn the_document_conforms_to_jsonschemas_json_contract() {
        let doc = Document::from_value(&jsonschema::json::conformance::document()).unwrap();
        jsonschema::json::conformance::assert_conformance::<Tape>(&doc.root());
    }
}
