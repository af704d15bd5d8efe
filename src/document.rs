//! The parsed delivery: a compact, read-only JSON document that the validator
//! reads (through jsonschema's `Json` trait) and the typed value is decoded
//! from (through serde), so a delivery is parsed exactly once.
//!
//! The document is one flat tape of slots plus one text buffer: a few
//! allocations per delivery instead of one per string and map node, which is
//! what makes validation cheap next to the typed parse. It is built by
//! serde_json's own tokenizer, so strings and numbers read exactly as
//! serde_json reads them, and an object with a repeated key is refused.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use jsonschema::json::{Array, Json, JsonNumber, Node, NodeIdentity, Object};
use jsonschema::JsonType;
use serde::de::{self, DeserializeSeed, IntoDeserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

use crate::json::JsonError;

/// Objects with more keys than this check duplicates with a hash set.
const LINEAR_DUPLICATE_CHECK: usize = 16;

#[derive(Clone, Copy, Debug)]
enum Slot {
    Null,
    Bool(bool),
    I64(i64),
    U64(u64),
    F64(f64),
    Str {
        start: u32,
        end: u32,
    },
    /// `len` elements follow; `end` is the index just past the last one's subtree.
    Array {
        len: u32,
        end: u32,
    },
    /// `len` (key, value) pairs follow, each key a `Key` slot.
    Object {
        len: u32,
        end: u32,
    },
    Key {
        start: u32,
        end: u32,
    },
}

/// A parsed JSON document.
#[derive(Clone, Debug, Default)]
pub(crate) struct Document {
    tape: Vec<Slot>,
    text: String,
}

impl Document {
    /// Parses `bytes` (which must be UTF-8; see [`crate::json`]), refusing
    /// duplicate keys, trailing characters and nesting deeper than 128.
    pub(crate) fn parse(bytes: &[u8]) -> Result<Document, JsonError> {
        let mut document = Document::default();
        document.rebuild(bytes)?;
        Ok(document)
    }

    /// Parses `bytes` into a per-thread scratch document (reusing its
    /// buffers, so a delivery costs no allocation for its document) and calls
    /// `f` with the root. Falls back to a fresh document if called re-entrantly.
    pub(crate) fn with_parsed<T>(bytes: &[u8], f: impl FnOnce(NodeRef<'_>) -> T) -> Result<T, JsonError> {
        thread_local! {
            static SCRATCH: std::cell::RefCell<Document> = std::cell::RefCell::new(Document::default());
        }
        /// Buffers larger than this are not kept for the next delivery.
        const KEEP: usize = 64 * 1024;
        SCRATCH.with(|scratch| match scratch.try_borrow_mut() {
            Ok(mut doc) => {
                let result = doc.rebuild(bytes).map(|()| f(doc.root()));
                if doc.text.capacity() > KEEP || doc.tape.capacity() > KEEP / 8 {
                    *doc = Document::default();
                }
                result
            }
            Err(_) => Document::parse(bytes).map(|doc| f(doc.root())),
        })
    }

    fn rebuild(&mut self, bytes: &[u8]) -> Result<(), JsonError> {
        crate::json::check_utf8(bytes)?;
        self.tape.clear();
        self.text.clear();
        self.tape.reserve(bytes.len() / 8 + 4);
        self.text.reserve(bytes.len());
        let mut deserializer = serde_json::Deserializer::from_slice(bytes);
        Builder { doc: self }
            .deserialize(&mut deserializer)
            .and_then(|()| deserializer.end())
            .and_then(|()| self.check_size())
            .map_err(|e| JsonError::from_serde(&e))
    }

    /// The document of an already-parsed [`Value`].
    pub(crate) fn from_value(value: &Value) -> Result<Document, serde_json::Error> {
        let mut document = Document::default();
        Builder { doc: &mut document }.deserialize(value)?;
        document.check_size()?;
        Ok(document)
    }

    pub(crate) fn root(&self) -> NodeRef<'_> {
        NodeRef { doc: self, at: 0 }
    }

    /// Offsets are `u32`: a document past 4 GiB (far beyond any size limit)
    /// is refused once it is built, since its offsets would have wrapped.
    fn check_size<E: de::Error>(&self) -> Result<(), E> {
        if u32::try_from(self.text.len()).is_err() || u32::try_from(self.tape.len()).is_err() {
            return Err(E::custom("the document is larger than 4 GiB"));
        }
        Ok(())
    }

    #[allow(clippy::cast_possible_truncation)]
    fn push_text(&mut self, text: &str) -> (u32, u32) {
        let start = self.text.len() as u32;
        self.text.push_str(text);
        (start, self.text.len() as u32)
    }

    #[allow(clippy::cast_possible_truncation)]
    fn index(&self) -> u32 {
        self.tape.len() as u32
    }

    /// The index just past the subtree at `at`.
    fn skip(&self, at: u32) -> u32 {
        match self.tape[at as usize] {
            Slot::Array { end, .. } | Slot::Object { end, .. } => end,
            _ => at + 1,
        }
    }

    fn str_at(&self, start: u32, end: u32) -> &str {
        &self.text[start as usize..end as usize]
    }
}

// ---------------------------------------------------------------------------
// Building
// ---------------------------------------------------------------------------

struct Builder<'d> {
    doc: &'d mut Document,
}

impl<'de> DeserializeSeed<'de> for Builder<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl Builder<'_> {
    fn push<E>(&mut self, slot: Slot) -> Result<(), E> {
        self.doc.tape.push(slot);
        Ok(())
    }

    fn string<E>(&mut self, v: &str) -> Result<(), E> {
        let (start, end) = self.doc.push_text(v);
        self.push(Slot::Str { start, end })
    }
}

impl<'de> Visitor<'de> for Builder<'_> {
    type Value = ();

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(mut self, v: bool) -> Result<(), E> {
        self.push(Slot::Bool(v))
    }

    fn visit_i64<E: de::Error>(mut self, v: i64) -> Result<(), E> {
        self.push(Slot::I64(v))
    }

    fn visit_u64<E: de::Error>(mut self, v: u64) -> Result<(), E> {
        match i64::try_from(v) {
            Ok(v) => self.push(Slot::I64(v)),
            Err(_) => self.push(Slot::U64(v)),
        }
    }

    fn visit_f64<E: de::Error>(mut self, v: f64) -> Result<(), E> {
        if !v.is_finite() {
            return Err(E::custom("number out of range"));
        }
        self.push(Slot::F64(v))
    }

    fn visit_str<E: de::Error>(mut self, v: &str) -> Result<(), E> {
        self.string(v)
    }

    fn visit_unit<E: de::Error>(mut self) -> Result<(), E> {
        self.push(Slot::Null)
    }

    fn visit_none<E: de::Error>(mut self) -> Result<(), E> {
        self.push(Slot::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
    }

    fn visit_seq<A: SeqAccess<'de>>(mut self, mut seq: A) -> Result<(), A::Error> {
        let at = self.doc.index();
        self.push(Slot::Array { len: 0, end: 0 })?;
        let mut len = 0u32;
        while seq.next_element_seed(Builder { doc: self.doc })?.is_some() {
            len += 1;
        }
        let end = self.doc.index();
        self.doc.tape[at as usize] = Slot::Array { len, end };
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        let at = self.doc.index();
        self.push(Slot::Object { len: 0, end: 0 })?;
        let mut many: Option<HashSet<String>> = None;
        let mut len = 0u32;
        while let Some((start, end)) = map.next_key_seed(KeySeed { doc: self.doc })? {
            let doc = &*self.doc;
            let key = doc.str_at(start, end);
            let repeated = match &mut many {
                Some(set) => !set.insert(key.to_owned()),
                None => {
                    // Walk the members read so far: no allocation for small objects.
                    let mut members = Members {
                        doc,
                        next: at + 1,
                        left: len,
                    };
                    let repeated = members.any(|(k, _)| k == key);
                    if len as usize >= LINEAR_DUPLICATE_CHECK {
                        let earlier = Members {
                            doc,
                            next: at + 1,
                            left: len,
                        };
                        many = Some(
                            earlier
                                .map(|(k, _)| k.to_owned())
                                .chain([key.to_owned()])
                                .collect(),
                        );
                    }
                    repeated
                }
            };
            if repeated {
                return Err(de::Error::custom(format_args!(
                    "{} {key:?} in an object",
                    crate::json::DUPLICATE_KEY
                )));
            }
            map.next_value_seed(Builder { doc: self.doc })?;
            len += 1;
        }
        let end = self.doc.index();
        self.doc.tape[at as usize] = Slot::Object { len, end };
        Ok(())
    }
}

struct KeySeed<'d> {
    doc: &'d mut Document,
}

impl<'de> DeserializeSeed<'de> for KeySeed<'_> {
    type Value = (u32, u32);

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(u32, u32), D::Error> {
        deserializer.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for KeySeed<'_> {
    type Value = (u32, u32);

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("an object key")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<(u32, u32), E> {
        let (start, end) = self.doc.push_text(v);
        self.doc.tape.push(Slot::Key { start, end });
        Ok((start, end))
    }
}

// ---------------------------------------------------------------------------
// Reading: nodes for jsonschema
// ---------------------------------------------------------------------------

/// The document representation jsonschema validates.
pub(crate) struct Tape;

/// One value in a [`Document`].
#[derive(Clone, Copy, Debug)]
pub(crate) struct NodeRef<'a> {
    doc: &'a Document,
    at: u32,
}

impl<'a> NodeRef<'a> {
    fn slot(&self) -> Slot {
        self.doc.tape[self.at as usize]
    }

    /// The value of member `key`, if this is an object that has it.
    pub(crate) fn get(&self, key: &str) -> Option<NodeRef<'a>> {
        let Slot::Object { .. } = self.slot() else {
            return None;
        };
        ObjectRef {
            doc: self.doc,
            at: self.at,
        }
        .members()
        .find(|(k, _)| *k == key)
        .map(|(_, v)| v)
    }

    /// The number of members, if this is an object.
    pub(crate) fn as_object_len(&self) -> Option<usize> {
        match self.slot() {
            Slot::Object { len, .. } => Some(len as usize),
            _ => None,
        }
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match self.slot() {
            Slot::Str { start, end } | Slot::Key { start, end } => Some(self.doc.str_at(start, end)),
            _ => None,
        }
    }
}

/// An object in a [`Document`].
#[derive(Clone, Copy)]
pub(crate) struct ObjectRef<'a> {
    doc: &'a Document,
    at: u32,
}

/// An array in a [`Document`].
#[derive(Clone, Copy)]
pub(crate) struct ArrayRef<'a> {
    doc: &'a Document,
    at: u32,
}

pub(crate) struct Members<'a> {
    doc: &'a Document,
    next: u32,
    left: u32,
}

impl<'a> Iterator for Members<'a> {
    type Item = (&'a str, NodeRef<'a>);

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let Slot::Key { start, end } = self.doc.tape[self.next as usize] else {
            return None;
        };
        let value = self.next + 1;
        self.next = self.doc.skip(value);
        Some((
            self.doc.str_at(start, end),
            NodeRef {
                doc: self.doc,
                at: value,
            },
        ))
    }
}

pub(crate) struct Elements<'a> {
    doc: &'a Document,
    next: u32,
    left: u32,
}

impl<'a> Iterator for Elements<'a> {
    type Item = NodeRef<'a>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.left == 0 {
            return None;
        }
        self.left -= 1;
        let at = self.next;
        self.next = self.doc.skip(at);
        Some(NodeRef { doc: self.doc, at })
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
    fn number(self) -> Number {
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
        matches!(self.slot(), Slot::Object { .. }).then_some(ObjectRef {
            doc: self.doc,
            at: self.at,
        })
    }

    fn as_array(&self) -> Option<ArrayRef<'a>> {
        matches!(self.slot(), Slot::Array { .. }).then_some(ArrayRef {
            doc: self.doc,
            at: self.at,
        })
    }

    fn as_string(&self) -> Option<Cow<'a, str>> {
        self.as_str().map(Cow::Borrowed)
    }

    fn as_number(&self) -> Option<NumberRef> {
        match self.slot() {
            Slot::I64(v) => Some(NumberRef::I64(v)),
            Slot::U64(v) => Some(NumberRef::U64(v)),
            Slot::F64(v) => Some(NumberRef::F64(v)),
            _ => None,
        }
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
        Cow::Owned(match self.slot() {
            Slot::Null => Value::Null,
            Slot::Bool(v) => Value::Bool(v),
            Slot::I64(v) => Value::Number(v.into()),
            Slot::U64(v) => Value::Number(v.into()),
            Slot::F64(v) => Number::from_f64(v).map_or(Value::Null, Value::Number),
            Slot::Str { start, end } | Slot::Key { start, end } => {
                Value::String(self.doc.str_at(start, end).to_owned())
            }
            Slot::Array { .. } => Value::Array(
                ArrayRef {
                    doc: self.doc,
                    at: self.at,
                }
                .elements()
                .map(|e| e.to_value().into_owned())
                .collect(),
            ),
            Slot::Object { .. } => Value::Object(
                ObjectRef {
                    doc: self.doc,
                    at: self.at,
                }
                .members()
                .map(|(k, v)| (k.to_owned(), v.to_value().into_owned()))
                .collect::<Map<String, Value>>(),
            ),
        })
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
        match self.doc.tape[self.at as usize] {
            Slot::Object { len, .. } => len as usize,
            _ => 0,
        }
    }

    fn get(&self, key: &Box<str>) -> Option<NodeRef<'a>> {
        self.members().find(|(k, _)| *k == &**key).map(|(_, v)| v)
    }

    fn members(&self) -> Members<'a> {
        Members {
            doc: self.doc,
            next: self.at + 1,
            left: u32::try_from(self.len()).unwrap_or(0),
        }
    }
}

impl<'a> Array<'a, Tape> for ArrayRef<'a> {
    type Node = NodeRef<'a>;
    type ElementsIter = Elements<'a>;

    fn len(&self) -> usize {
        match self.doc.tape[self.at as usize] {
            Slot::Array { len, .. } => len as usize,
            _ => 0,
        }
    }

    fn elements(&self) -> Elements<'a> {
        Elements {
            doc: self.doc,
            next: self.at + 1,
            left: u32::try_from(self.len()).unwrap_or(0),
        }
    }
}

// ---------------------------------------------------------------------------
// Reading: a serde Deserializer for the typed value
// ---------------------------------------------------------------------------

impl<'de> de::Deserializer<'de> for NodeRef<'de> {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.slot() {
            Slot::Null => visitor.visit_unit(),
            Slot::Bool(v) => visitor.visit_bool(v),
            Slot::I64(v) => visitor.visit_i64(v),
            Slot::U64(v) => visitor.visit_u64(v),
            Slot::F64(v) => visitor.visit_f64(v),
            Slot::Str { start, end } | Slot::Key { start, end } => {
                visitor.visit_borrowed_str(self.doc.str_at(start, end))
            }
            Slot::Array { .. } => {
                let mut elements = ArrayRef {
                    doc: self.doc,
                    at: self.at,
                }
                .elements();
                let value = visitor.visit_seq(SeqReader {
                    elements: &mut elements,
                })?;
                match elements.left {
                    0 => Ok(value),
                    _ => Err(de::Error::invalid_length(
                        elements.left as usize,
                        &"fewer elements",
                    )),
                }
            }
            Slot::Object { .. } => visitor.visit_map(MapReader {
                members: ObjectRef {
                    doc: self.doc,
                    at: self.at,
                }
                .members(),
                value: None,
            }),
        }
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.slot() {
            Slot::Null => visitor.visit_none(),
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        match self.as_str() {
            Some(variant) => visitor.visit_enum(variant.into_deserializer()),
            None => self.deserialize_any(visitor),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map struct identifier ignored_any
    }
}

struct SeqReader<'r, 'de> {
    elements: &'r mut Elements<'de>,
}

impl<'de> SeqAccess<'de> for SeqReader<'_, 'de> {
    type Error = serde_json::Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, Self::Error> {
        self.elements
            .next()
            .map(|node| seed.deserialize(node))
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.elements.left as usize)
    }
}

struct MapReader<'de> {
    members: Members<'de>,
    value: Option<NodeRef<'de>>,
}

impl<'de> MapAccess<'de> for MapReader<'de> {
    type Error = serde_json::Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, Self::Error> {
        match self.members.next() {
            Some((key, value)) => {
                self.value = Some(value);
                seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, Self::Error> {
        match self.value.take() {
            Some(node) => seed.deserialize(node),
            None => Err(de::Error::custom("a map value was read before its key")),
        }
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.members.left as usize)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::json::JsonErrorKind;
    use serde::Deserialize;

    fn round_trip(text: &str) -> Value {
        let doc = Document::parse(text.as_bytes()).unwrap();
        Value::deserialize(doc.root()).unwrap()
    }

    #[test]
    fn values_read_back_as_serde_json_reads_them() {
        for text in [
            r#"{"a": [1, -2, 3.5, true, false, null, "x\u00e9\n"], "b": {"c": 18446744073709551615, "d": {}}, "e": []}"#,
            "[]",
            "\"just a string\"",
            "-9223372036854775808",
            "0.5",
            r#"[[[]], [{}], {"k": [{"k": 1}]}]"#,
        ] {
            let expected: Value = serde_json::from_str(text).unwrap();
            assert_eq!(round_trip(text), expected, "{text}");
            let doc = Document::parse(text.as_bytes()).unwrap();
            assert_eq!(doc.root().to_value().into_owned(), expected, "{text}");
            assert_eq!(
                Value::deserialize(Document::from_value(&expected).unwrap().root()).unwrap(),
                expected
            );
        }
    }

    #[test]
    fn members_and_elements_skip_nested_subtrees() {
        let doc = Document::parse(br#"{"a": {"x": [1, {"y": 2}]}, "b": [3, [4, 5]], "c": "z"}"#).unwrap();
        let root = doc.root();
        let keys: Vec<&str> = root.as_object().unwrap().members().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(root.get("c").unwrap().as_str(), Some("z"));
        let b = root.get("b").unwrap().as_array().unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b.elements().nth(1).unwrap().as_array().unwrap().len(), 2);
        assert!(root.get("missing").is_none());
    }

    #[test]
    fn duplicate_keys_are_refused_in_small_and_large_objects() {
        let err = Document::parse(br#"{"event": "a", "event": "b"}"#).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey);
        let mut many: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        assert!(Document::parse(format!("{{{}}}", many.join(",")).as_bytes()).is_ok());
        many.push("\"k7\": 0".into());
        let err = Document::parse(format!("{{{}}}", many.join(",")).as_bytes()).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey);
        assert!(err.message.contains("\"k7\""), "{err}");
    }

    /// jsonschema's own check of a representation's accessor contract.
    #[test]
    fn the_document_conforms_to_jsonschemas_json_contract() {
        let doc = Document::from_value(&jsonschema::json::conformance::document()).unwrap();
        jsonschema::json::conformance::assert_conformance::<Tape>(&doc.root());
    }

    #[test]
    fn numbers_keep_their_kind() {
        let doc = Document::parse(b"[1, 1.0, 18446744073709551615, -1]").unwrap();
        let numbers: Vec<NumberRef> = doc
            .root()
            .as_array()
            .unwrap()
            .elements()
            .map(|n| n.as_number().unwrap())
            .collect();
        assert!(numbers[0].is_written_as_integer() && numbers[0].is_integer());
        assert!(!numbers[1].is_written_as_integer() && numbers[1].is_integer());
        assert_eq!(numbers[2].as_u64(), Some(u64::MAX));
        assert_eq!(numbers[2].as_i64(), None);
        assert_eq!(numbers[3].as_i64(), Some(-1));
        assert!(i64::deserialize(doc.root().as_array().unwrap().elements().nth(1).unwrap()).is_err());
    }
}
