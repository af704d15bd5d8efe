//! The judge of the parsed document: serde_json's own `Value`, plus the two
//! rules the document adds (no key twice in an object, after unescaping; at
//! most 128 levels of nesting), decided here without the crate's code.
//! Shared by `tests/document.rs` and the `document` fuzz target.
#![allow(dead_code)]

use std::collections::HashSet;
use std::fmt;

use serde::de::{self, Deserialize, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::Value;

/// The deepest nesting the document accepts.
pub const MAX_DEPTH: usize = 128;

/// What the document must make of some bytes.
#[derive(Debug, PartialEq)]
pub enum Verdict {
    /// This value (numbers compared by what they are, see [`same`]).
    Value(Value),
    /// Refused: not UTF-8.
    NotUtf8,
    /// Refused: a key twice in one object.
    DuplicateKey,
    /// Refused, whatever the reason: not JSON, or nested deeper than
    /// [`MAX_DEPTH`] (then the document's own test names the kind).
    Refused,
}

/// The deepest nesting of arrays and objects in `text`, counted outside
/// strings, without recursion (so that any input is safe to measure).
pub fn depth(text: &str) -> usize {
    let (mut depth, mut max, mut in_string, mut escaped) = (0usize, 0usize, false, false);
    for byte in text.bytes() {
        match (in_string, escaped, byte) {
            (true, true, _) => escaped = false,
            (true, false, b'\\') => escaped = true,
            (true, false, b'"') => in_string = false,
            (true, false, _) => {}
            (false, _, b'"') => in_string = true,
            (false, _, b'[' | b'{') => {
                depth += 1;
                max = max.max(depth);
            }
            (false, _, b']' | b'}') => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    max
}

pub fn verdict(bytes: &[u8]) -> Verdict {
    let Ok(text) = std::str::from_utf8(bytes) else {
        return Verdict::NotUtf8;
    };
    if depth(text) > MAX_DEPTH {
        return Verdict::Refused;
    }
    let parse = || {
        let mut deserializer = serde_json::Deserializer::from_str(text);
        deserializer.disable_recursion_limit();
        let value = Value::deserialize(&mut deserializer)?;
        deserializer.end().map(|()| value)
    };
    let Ok(value) = parse() else {
        return Verdict::Refused;
    };
    // The first problem in the text decides, as it does for the document.
    let mut deserializer = serde_json::Deserializer::from_str(text);
    deserializer.disable_recursion_limit();
    match DuplicateCheck.deserialize(&mut deserializer) {
        Ok(Some(Problem::DuplicateKey)) => Verdict::DuplicateKey,
        Ok(Some(Problem::Number)) => Verdict::Refused,
        _ => Verdict::Value(value),
    }
}

/// The first problem serde_json's `Value` lets through.
enum Problem {
    DuplicateKey,
    /// A number no `f64` holds, kept as text under `arbitrary_precision`.
    Number,
}

/// Whether two values are the same JSON: numbers by their value (`1e2` and
/// `100.0` are one number; an integer and a float are not).
pub fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            let integer =
                |n: &serde_json::Number| n.as_i64().map(i128::from).or_else(|| n.as_u64().map(i128::from));
            match (integer(x), integer(y)) {
                (Some(i), Some(j)) => i == j,
                (None, None) => x.as_f64() == y.as_f64(),
                // `-0`: a float to serde_json (and the document), an integer
                // to serde_json with `arbitrary_precision`.
                (Some(0), None) | (None, Some(0)) => x.as_f64() == Some(0.0) && y.as_f64() == Some(0.0),
                _ => false,
            }
        }
        (Value::Array(x), Value::Array(y)) => x.len() == y.len() && x.iter().zip(y).all(|(a, b)| same(a, b)),
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().all(|(k, v)| y.get(k).is_some_and(|w| same(v, w)))
        }
        _ => a == b,
    }
}

/// Reads any JSON and finds its first problem, in text order.
struct DuplicateCheck;

type Found = Option<Problem>;

impl<'de> DeserializeSeed<'de> for DuplicateCheck {
    type Value = Found;

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<Found, D::Error> {
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for DuplicateCheck {
    type Value = Found;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON")
    }

    fn visit_bool<E>(self, _: bool) -> Result<Found, E> {
        Ok(None)
    }
    fn visit_i64<E>(self, _: i64) -> Result<Found, E> {
        Ok(None)
    }
    fn visit_u64<E>(self, _: u64) -> Result<Found, E> {
        Ok(None)
    }
    fn visit_f64<E>(self, _: f64) -> Result<Found, E> {
        Ok(None)
    }
    fn visit_str<E>(self, _: &str) -> Result<Found, E> {
        Ok(None)
    }
    fn visit_unit<E>(self) -> Result<Found, E> {
        Ok(None)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Found, A::Error> {
        let mut first = None;
        while let Some(inner) = seq.next_element_seed(DuplicateCheck)? {
            first = first.or(inner);
        }
        Ok(first)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Found, A::Error> {
        let mut keys = HashSet::new();
        let mut first = None;
        while let Some(key) = map.next_key::<String>()? {
            // `arbitrary_precision` numbers arrive as a map holding their text.
            if key == "$serde_json::private::Number" {
                let text = map.next_value::<String>()?;
                let finite = text.parse::<f64>().is_ok_and(f64::is_finite);
                return Ok((!finite).then_some(Problem::Number));
            }
            if !keys.insert(key) {
                first = first.or(Some(Problem::DuplicateKey));
            }
            let inner = map.next_value_seed(DuplicateCheck)?;
            first = first.or(inner);
        }
        Ok(first)
    }
}
