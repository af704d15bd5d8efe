//! Reading delivery bytes into a JSON document, once, refusing what parsers
//! disagree on (duplicate keys) and what serde_json cannot hold.

use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Number, Value};

/// Why a body is not well-formed JSON, or not JSON this crate will read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// Not JSON: a syntax error, or trailing characters after the document.
    Syntax,
    /// The body ends in the middle of a document (this includes an empty body).
    Eof,
    /// The body is not valid UTF-8.
    Encoding,
    /// An object has the same key twice. Parsers disagree about which copy
    /// wins, so such a body is never accepted.
    DuplicateKey,
    /// Arrays and objects are nested deeper than the recursion limit (128).
    TooDeep,
    /// A number that a JSON parser cannot hold (for example `1e999`).
    Number,
}

/// A body that is not well-formed JSON, with where the problem was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed JSON at line {line}, column {column}: {message}")]
#[non_exhaustive]
pub struct JsonError {
    /// What kind of problem it is.
    pub kind: JsonErrorKind,
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
    /// What is wrong, for people.
    pub message: String,
}

impl JsonError {
    pub(crate) fn from_serde(error: &serde_json::Error) -> Self {
        let message = error.to_string();
        // serde_json appends " at line L column C"; the position is kept apart.
        let text = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message.clone(),
        };
        let kind = if text.starts_with(DUPLICATE_KEY) {
            JsonErrorKind::DuplicateKey
        } else if text.contains("recursion limit exceeded") {
            JsonErrorKind::TooDeep
        } else if text.contains("invalid unicode code point") || text.contains("invalid UTF-8") {
            JsonErrorKind::Encoding
        } else if text.contains("number out of range") {
            JsonErrorKind::Number
        } else if error.is_eof() {
            JsonErrorKind::Eof
        } else {
            JsonErrorKind::Syntax
        };
        JsonError {
            kind,
            line: error.line(),
            column: error.column(),
            message: text,
        }
    }
}

const DUPLICATE_KEY: &str = "duplicate key";

/// Parses `bytes` into a [`Value`], rejecting duplicate object keys.
pub(crate) fn parse_document(bytes: &[u8]) -> Result<Value, JsonError> {
    if let Err(e) = std::str::from_utf8(bytes) {
        let (line, column) = position(bytes, e.valid_up_to());
        return Err(JsonError {
            kind: JsonErrorKind::Encoding,
            line,
            column,
            message: format!("the body is not valid UTF-8 (byte {})", e.valid_up_to()),
        });
    }
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = DocumentSeed
        .deserialize(&mut deserializer)
        .and_then(|value| deserializer.end().map(|()| value))
        .map_err(|e| JsonError::from_serde(&e))?;
    Ok(value)
}

/// 1-based line and column of byte `offset`.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

/// Builds a [`Value`] like serde_json does, but fails on a repeated key.
struct DocumentSeed;

impl<'de> DeserializeSeed<'de> for DocumentSeed {
    type Value = Value;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        deserializer.deserialize_any(DocumentVisitor)
    }
}

struct DocumentVisitor;

impl<'de> Visitor<'de> for DocumentVisitor {
    type Value = Value;

    fn expecting(&self, formatter: &mut fmt::Formatter<'_>) -> fmt::Result {
        formatter.write_str("any JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Value, E> {
        Ok(Value::Bool(v))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Value, E> {
        Ok(Value::Number(v.into()))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        Number::from_f64(v)
            .map(Value::Number)
            .ok_or_else(|| E::custom("number out of range"))
    }

    fn visit_str<E>(self, v: &str) -> Result<Value, E> {
        Ok(Value::String(v.to_owned()))
    }

    fn visit_string<E>(self, v: String) -> Result<Value, E> {
        Ok(Value::String(v))
    }

    fn visit_unit<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_none<E>(self) -> Result<Value, E> {
        Ok(Value::Null)
    }

    fn visit_some<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Value, D::Error> {
        DocumentSeed.deserialize(deserializer)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(64));
        while let Some(item) = seq.next_element_seed(DocumentSeed)? {
            items.push(item);
        }
        Ok(Value::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        let mut object = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if object.contains_key(&key) {
                return Err(de::Error::custom(format_args!(
                    "{DUPLICATE_KEY} {key:?} in an object"
                )));
            }
            let value = map.next_value_seed(DocumentSeed)?;
            object.insert(key, value);
        }
        Ok(Value::Object(object))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_their_position() {
        let err = parse_document(br#"{"event": "a", "event": "b"}"#).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey);
        assert_eq!(err.line, 1);
        assert!(err.message.contains("\"event\""), "{err}");
    }

    #[test]
    fn nested_duplicates_are_refused_too() {
        let err = parse_document(br#"{"data": {"id": 1, "id": 1}}"#).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey);
    }

    #[test]
    fn kinds_name_the_problem() {
        assert_eq!(parse_document(b"").unwrap_err().kind, JsonErrorKind::Eof);
        assert_eq!(parse_document(b"{\"a\":").unwrap_err().kind, JsonErrorKind::Eof);
        assert_eq!(parse_document(b"{} x").unwrap_err().kind, JsonErrorKind::Syntax);
        assert_eq!(
            parse_document(b"\xff{}").unwrap_err().kind,
            JsonErrorKind::Encoding
        );
        assert_eq!(parse_document(b"1e999").unwrap_err().kind, JsonErrorKind::Number);
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse_document(deep.as_bytes()).unwrap_err().kind,
            JsonErrorKind::TooDeep
        );
    }

    #[test]
    fn line_and_column_point_at_the_problem() {
        let err = parse_document(b"{\n  \"a\": 1,\n  \"b\": }").unwrap_err();
        assert_eq!((err.line, err.column), (3, 8));
        let err = parse_document(b"{\n\"a\": \"\xff\"}").unwrap_err();
        assert_eq!((err.kind, err.line, err.column), (JsonErrorKind::Encoding, 2, 7));
    }

    #[test]
    fn values_come_out_as_serde_json_reads_them() {
        let text = r#"{"a": [1, -2, 3.5, true, null, "x"], "b": {"c": 18446744073709551615}}"#;
        let expected: Value = serde_json::from_str(text).unwrap();
        assert_eq!(parse_document(text.as_bytes()).unwrap(), expected);
    }
}
