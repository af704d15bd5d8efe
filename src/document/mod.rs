//! The parsed delivery: a compact, read-only JSON document that the typed
//! value is decoded from (through serde, `decode.rs`) with errors that name
//! the field and the check, and that the full validator reads as a `Value`.
//!
//! The document is one flat tape of slots plus one text buffer: a few
//! allocations per delivery instead of one per string and map node. It is
//! built (`builder.rs`) by serde_json's own tokenizer, so strings and numbers
//! read exactly as serde_json reads them, and an object with a repeated key
//! or nesting deeper than [`MAX_DEPTH`] is refused, with a kind that says so.

mod builder;
pub(crate) mod decode;
use serde::de::DeserializeSeed;
use serde_json::{Map, Number, Value};

use crate::json::{JsonError, JsonErrorKind};

/// Arrays and objects nested deeper than this are refused.
pub(crate) const MAX_DEPTH: u32 = 128;

#[derive(Clone, Copy, Debug)]
pub(crate) enum Slot {
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
    /// While building: how deep the builder is.
    depth: u32,
    /// While building: why the builder refused the body, when it did (its
    /// errors reach serde_json as custom messages; this keeps their kind).
    failure: Option<JsonErrorKind>,
}

impl Document {
    /// Parses `bytes`, refusing what [`crate::json::JsonErrorKind`] lists.
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

    fn clear(&mut self) {
        self.tape.clear();
        self.text.clear();
        self.depth = 0;
        self.failure = None;
    }

    fn rebuild(&mut self, bytes: &[u8]) -> Result<(), JsonError> {
        let text = crate::json::check_utf8(bytes)?;
        self.clear();
        self.tape.reserve(bytes.len() / 8 + 4);
        self.text.reserve(bytes.len());
        let mut deserializer = serde_json::Deserializer::from_str(text);
        // The builder keeps its own limit, which names the problem.
        deserializer.disable_recursion_limit();
        let built = builder::Builder::new(self)
            .deserialize(&mut deserializer)
            .and_then(|()| deserializer.end());
        match built {
            Ok(()) => self.check_size(),
            Err(e) => Err(JsonError::from_parse(&e, self.failure.take())),
        }
    }

    /// The document of an already-parsed [`Value`].
    pub(crate) fn from_value(value: &Value) -> Result<Document, JsonError> {
        let mut document = Document::default();
        let built = builder::Builder::new(&mut document).deserialize(value);
        match built {
            Ok(()) => document.check_size().map(|()| document),
            Err(e) => Err(JsonError::from_parse(&e, document.failure.take())),
        }
    }

    pub(crate) fn root(&self) -> NodeRef<'_> {
        NodeRef { doc: self, at: 0 }
    }

    /// Offsets are `u32`: a document past 4 GiB (far beyond any size limit)
    /// is refused once it is built, since its offsets would have wrapped.
    fn check_size(&self) -> Result<(), JsonError> {
        if u32::try_from(self.text.len()).is_err() || u32::try_from(self.tape.len()).is_err() {
            return Err(JsonError::new(
                JsonErrorKind::TooLarge,
                0,
                0,
                "the document is larger than 4 GiB",
            ));
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
        self.object()?.members().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The number of members, if this is an object.
    pub(crate) fn as_object_len(&self) -> Option<usize> {
        self.object().map(|o| o.len())
    }

    /// The string, if this is one.
    pub(crate) fn as_str(&self) -> Option<&'a str> {
        match self.slot() {
            Slot::Str { start, end } | Slot::Key { start, end } => Some(self.doc.str_at(start, end)),
            _ => None,
        }
    }

    pub(crate) fn object(&self) -> Option<ObjectRef<'a>> {
        matches!(self.slot(), Slot::Object { .. }).then_some(ObjectRef {
            doc: self.doc,
            at: self.at,
        })
    }

    pub(crate) fn array(&self) -> Option<ArrayRef<'a>> {
        matches!(self.slot(), Slot::Array { .. }).then_some(ArrayRef {
            doc: self.doc,
            at: self.at,
        })
    }

    /// The value as serde_json holds it.
    pub(crate) fn to_value(self) -> Value {
        match self.slot() {
            Slot::Null => Value::Null,
            Slot::Bool(v) => Value::Bool(v),
            Slot::I64(v) => Value::Number(v.into()),
            Slot::U64(v) => Value::Number(v.into()),
            Slot::F64(v) => Number::from_f64(v).map_or(Value::Null, Value::Number),
            Slot::Str { start, end } | Slot::Key { start, end } => {
                Value::String(self.doc.str_at(start, end).to_owned())
            }
            Slot::Array { .. } => Value::Array(
                self.array()
                    .into_iter()
                    .flat_map(|a| a.elements())
                    .map(NodeRef::to_value)
                    .collect(),
            ),
            Slot::Object { .. } => Value::Object(
                self.object()
                    .into_iter()
                    .flat_map(|o| o.members())
                    .map(|(k, v)| (k.to_owned(), v.to_value()))
                    .collect::<Map<String, Value>>(),
            ),
        }
    }
}

/// An object in a [`Document`].
#[derive(Clone, Copy)]
pub(crate) struct ObjectRef<'a> {
    doc: &'a Document,
    at: u32,
}

impl<'a> ObjectRef<'a> {
    pub(crate) fn len(&self) -> usize {
        match self.doc.tape[self.at as usize] {
            Slot::Object { len, .. } => len as usize,
            _ => 0,
        }
    }

    pub(crate) fn members(&self) -> Members<'a> {
        Members {
            doc: self.doc,
            next: self.at + 1,
            left: u32::try_from(self.len()).unwrap_or(0),
        }
    }
}

/// An array in a [`Document`].
#[derive(Clone, Copy)]
pub(crate) struct ArrayRef<'a> {
    doc: &'a Document,
    at: u32,
}

impl<'a> ArrayRef<'a> {
    pub(crate) fn len(&self) -> usize {
        match self.doc.tape[self.at as usize] {
            Slot::Array { len, .. } => len as usize,
            _ => 0,
        }
    }

    pub(crate) fn elements(&self) -> Elements<'a> {
        Elements {
            doc: self.doc,
            next: self.at + 1,
            left: u32::try_from(self.len()).unwrap_or(0),
        }
    }
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

#[cfg(test)]
mod tests {
    use super::*;
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
            assert_eq!(doc.root().to_value(), expected, "{text}");
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
        let keys: Vec<&str> = root.object().unwrap().members().map(|(k, _)| k).collect();
        assert_eq!(keys, ["a", "b", "c"]);
        assert_eq!(root.get("c").unwrap().as_str(), Some("z"));
        let b = root.get("b").unwrap().array().unwrap();
        assert_eq!(b.len(), 2);
        assert_eq!(b.elements().nth(1).unwrap().array().unwrap().len(), 2);
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

    #[test]
    fn nesting_is_limited_to_max_depth() {
        let nested = |depth: usize| format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert!(Document::parse(nested(MAX_DEPTH as usize).as_bytes()).is_ok());
        let err = Document::parse(nested(MAX_DEPTH as usize + 1).as_bytes()).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::TooDeep);
        let deep: Value = serde_json::from_str(&nested(100)).unwrap();
        let mut deeper = deep.clone();
        for _ in 0..40 {
            deeper = Value::Array(vec![deeper]);
        }
        assert!(Document::from_value(&deep).is_ok());
        assert_eq!(
            Document::from_value(&deeper).unwrap_err().kind,
            JsonErrorKind::TooDeep
        );
    }

    #[test]
    fn numbers_keep_their_kind() {
        let doc = Document::parse(b"[1, 1.0, 18446744073709551615, -1, -0]").unwrap();
        let slots: Vec<Slot> = doc.root().array().unwrap().elements().map(|n| n.slot()).collect();
        assert!(matches!(slots[0], Slot::I64(1)));
        assert!(matches!(slots[1], Slot::F64(f) if f == 1.0));
        assert!(matches!(slots[2], Slot::U64(u64::MAX)));
        assert!(matches!(slots[3], Slot::I64(-1)));
        assert!(matches!(slots[4], Slot::F64(f) if f == 0.0 && f.is_sign_negative()));
        assert!(i64::deserialize(doc.root().array().unwrap().elements().nth(1).unwrap()).is_err());
    }
}
