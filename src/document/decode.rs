//! Decoding the typed value from a [`Document`]: a serde `Deserializer` over
//! its nodes. Its error, [`DecodeError`], records which check failed (a
//! required field, a type, a value) as serde reports it, through the methods
//! of `serde::de::Error`, so the crate never reads that back from a message;
//! and where: each array and object it passes on its way out adds its index
//! or key, so a path costs nothing until something fails.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Expected, IntoDeserializer, MapAccess, SeqAccess, Unexpected, Visitor,
};

use super::{Elements, Members, NodeRef, Slot};
use crate::error::Keyword;

/// What the typed decoding refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DecodeKind {
    /// A required field is missing.
    Required,
    /// A value of the wrong JSON type (an integer written as `42.0` included).
    Type,
    /// A value of the right type that its Rust type refuses; the JSON Schema
    /// keyword that says the same.
    Value(&'static str),
    /// A field twice (the document refuses repeated keys before this).
    Duplicate,
    /// A value its type's own check refused (a date-time chrono cannot read).
    Custom,
}

/// Why a document does not decode into its type.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct DecodeError {
    pub(crate) kind: DecodeKind,
    pub(crate) message: String,
    /// Where, innermost first: object keys and array indices.
    path: Vec<Segment>,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Segment {
    Key(String),
    Index(usize),
}

impl DecodeError {
    fn new(kind: DecodeKind, message: impl fmt::Display) -> Self {
        DecodeError {
            kind,
            message: message.to_string(),
            path: Vec::new(),
        }
    }

    fn within(mut self, segment: Segment) -> Self {
        self.path.push(segment);
        self
    }

    /// The JSON pointer of the failing value (for a missing field, of the
    /// object that lacks it).
    pub(crate) fn pointer(&self) -> String {
        let mut pointer = String::new();
        for segment in self.path.iter().rev() {
            pointer.push('/');
            match segment {
                Segment::Key(key) => pointer.push_str(&key.replace('~', "~0").replace('/', "~1")),
                Segment::Index(index) => pointer.push_str(&index.to_string()),
            }
        }
        pointer
    }

    /// The JSON Schema keyword for the same check, or the crate's own.
    pub(crate) fn keyword(&self) -> Keyword {
        match self.kind {
            DecodeKind::Required => Keyword::Schema("required".into()),
            DecodeKind::Type => Keyword::Schema("type".into()),
            DecodeKind::Value(keyword) => Keyword::Schema(keyword.into()),
            DecodeKind::Duplicate => Keyword::Duplicate,
            DecodeKind::Custom => Keyword::Schema("format".into()),
        }
    }
}

impl fmt::Display for DecodeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DecodeError {}

impl de::Error for DecodeError {
    fn custom<T: fmt::Display>(message: T) -> Self {
        DecodeError::new(DecodeKind::Custom, message)
    }

    fn invalid_type(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        DecodeError::new(
            DecodeKind::Type,
            format_args!("invalid type: {unexpected}, expected {expected}"),
        )
    }

    fn invalid_value(unexpected: Unexpected<'_>, expected: &dyn Expected) -> Self {
        let keyword = match unexpected {
            Unexpected::Str(_) => "const",
            Unexpected::Unsigned(_) => "maximum",
            Unexpected::Signed(_) => "minimum",
            _ => "type",
        };
        DecodeError::new(
            DecodeKind::Value(keyword),
            format_args!("invalid value: {unexpected}, expected {expected}"),
        )
    }

    fn invalid_length(len: usize, expected: &dyn Expected) -> Self {
        DecodeError::new(
            DecodeKind::Type,
            format_args!("invalid length {len}, expected {expected}"),
        )
    }

    fn unknown_variant(variant: &str, expected: &'static [&'static str]) -> Self {
        DecodeError::new(
            DecodeKind::Value("enum"),
            format_args!("{variant:?} is not one of {expected:?}"),
        )
    }

    fn unknown_field(field: &str, _expected: &'static [&'static str]) -> Self {
        DecodeError::new(
            DecodeKind::Value("additionalProperties"),
            format_args!("{field:?} is not a documented field"),
        )
    }

    fn missing_field(field: &'static str) -> Self {
        DecodeError::new(
            DecodeKind::Required,
            format_args!("{field:?} is a required property"),
        )
    }

    fn duplicate_field(field: &'static str) -> Self {
        DecodeError::new(DecodeKind::Duplicate, format_args!("{field:?} appears twice"))
    }
}

impl<'de> de::Deserializer<'de> for NodeRef<'de> {
    type Error = DecodeError;

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
                let mut elements = self.array().map(|a| a.elements()).unwrap_or(Elements {
                    doc: self.doc,
                    next: 0,
                    left: 0,
                });
                let value = visitor.visit_seq(SeqReader {
                    elements: &mut elements,
                    index: 0,
                })?;
                match elements.left {
                    0 => Ok(value),
                    left => Err(de::Error::invalid_length(left as usize, &"fewer elements")),
                }
            }
            Slot::Object { .. } => visitor.visit_map(MapReader {
                members: self.object().map(|o| o.members()).unwrap_or(Members {
                    doc: self.doc,
                    next: 0,
                    left: 0,
                }),
                value: None,
            }),
        }
    }

    /// Only an object is a map, as serde_json reads it: a map's visitor
    /// would otherwise take `null` as an empty map.
    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, Self::Error> {
        match self.slot() {
            Slot::Object { .. } => self.deserialize_any(visitor),
            Slot::Null => Err(de::Error::invalid_type(de::Unexpected::Unit, &visitor)),
            Slot::Bool(v) => Err(de::Error::invalid_type(de::Unexpected::Bool(v), &visitor)),
            Slot::I64(v) => Err(de::Error::invalid_type(de::Unexpected::Signed(v), &visitor)),
            Slot::U64(v) => Err(de::Error::invalid_type(de::Unexpected::Unsigned(v), &visitor)),
            Slot::F64(v) => Err(de::Error::invalid_type(de::Unexpected::Float(v), &visitor)),
            Slot::Str { start, end } | Slot::Key { start, end } => Err(de::Error::invalid_type(
                de::Unexpected::Str(self.doc.str_at(start, end)),
                &visitor,
            )),
            Slot::Array { .. } => Err(de::Error::invalid_type(de::Unexpected::Seq, &visitor)),
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
        bytes byte_buf unit unit_struct seq tuple tuple_struct struct identifier ignored_any
    }
}

struct SeqReader<'r, 'de> {
    elements: &'r mut Elements<'de>,
    index: usize,
}

impl<'de> SeqAccess<'de> for SeqReader<'_, 'de> {
    type Error = DecodeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DecodeError> {
        let index = self.index;
        self.index += 1;
        self.elements
            .next()
            .map(|node| {
                seed.deserialize(node)
                    .map_err(|e| e.within(Segment::Index(index)))
            })
            .transpose()
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.elements.left as usize)
    }
}

struct MapReader<'de> {
    members: Members<'de>,
    value: Option<(&'de str, NodeRef<'de>)>,
}

impl<'de> MapAccess<'de> for MapReader<'de> {
    type Error = DecodeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>, DecodeError> {
        match self.members.next() {
            Some((key, value)) => {
                self.value = Some((key, value));
                seed.deserialize(de::value::BorrowedStrDeserializer::new(key))
                    .map(Some)
            }
            None => Ok(None),
        }
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DecodeError> {
        match self.value.take() {
            Some((key, node)) => seed
                .deserialize(node)
                .map_err(|e| e.within(Segment::Key(key.to_owned()))),
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
    use crate::document::Document;
    use serde::Deserialize;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Shape {
        id: i64,
        at: chrono::DateTime<chrono::Utc>,
    }

    fn decode(text: &str) -> DecodeError {
        let doc = Document::parse(text.as_bytes()).unwrap();
        Shape::deserialize(doc.root()).unwrap_err()
    }

    #[test]
    fn each_failure_is_classified_by_the_check_that_made_it() {
        assert_eq!(decode(r#"{"at": "2025-01-15T14:30:00Z"}"#).keyword(), "required");
        assert_eq!(
            decode(r#"{"id": 42.0, "at": "2025-01-15T14:30:00Z"}"#).keyword(),
            "type"
        );
        assert_eq!(
            decode(r#"{"id": "7", "at": "2025-01-15T14:30:00Z"}"#).keyword(),
            "type"
        );
        assert_eq!(
            decode(r#"{"id": 18446744073709551615, "at": "2025-01-15T14:30:00Z"}"#).keyword(),
            "maximum"
        );
        assert_eq!(decode(r#"{"id": 1, "at": "yesterday"}"#).keyword(), "format");
        let missing = decode(r#"{"id": 1}"#);
        assert_eq!(
            (missing.kind, missing.message.as_str()),
            (DecodeKind::Required, "\"at\" is a required property")
        );
    }
}
