//! Building a [`Document`] from serde_json's tokenizer: a visitor that
//! appends slots to the tape. It refuses, with a kind of its own kept in the
//! document (serde_json only carries the message): an object with a repeated
//! key, and nesting deeper than [`MAX_DEPTH`].
//!
//! With serde_json's `arbitrary_precision` feature (which any crate in a
//! build can turn on), numbers arrive as a one-member map holding their
//! text; they are read back into the same slots as without it.

use std::borrow::Cow;
use std::collections::HashSet;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};

use super::{Document, Members, Slot, MAX_DEPTH};
use crate::json::JsonErrorKind;

/// Objects with more keys than this check duplicates with a hash set.
const LINEAR_DUPLICATE_CHECK: usize = 16;

/// serde_json's name for a number's text under `arbitrary_precision`.
const NUMBER_TOKEN: &str = "$serde_json::private::Number";

pub(super) struct Builder<'d> {
    doc: &'d mut Document,
}

impl<'d> Builder<'d> {
    pub(super) fn new(doc: &'d mut Document) -> Self {
        Builder { doc }
    }

    fn push<E>(&mut self, slot: Slot) -> Result<(), E> {
        self.doc.tape.push(slot);
        Ok(())
    }

    /// Refuses the body, keeping why.
    fn refuse<E: de::Error>(&mut self, kind: JsonErrorKind, message: fmt::Arguments<'_>) -> E {
        self.doc.failure = Some(kind);
        E::custom(message)
    }

    fn enter<E: de::Error>(&mut self) -> Result<(), E> {
        self.doc.depth += 1;
        if self.doc.depth > MAX_DEPTH {
            return Err(self.refuse(
                JsonErrorKind::TooDeep,
                format_args!("arrays and objects are nested deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    /// A number from its text (`arbitrary_precision`), read as serde_json
    /// reads it without that feature.
    fn number<E: de::Error>(&mut self, text: &str) -> Result<(), E> {
        let float = || match text.parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(Slot::F64(v)),
            _ => Err(E::custom(format_args!("number out of range: {text}"))),
        };
        let slot = if text.contains(['.', 'e', 'E']) {
            float()?
        } else if text.starts_with('-') {
            // serde_json reads `-0` as a float, and so do integers below i64::MIN.
            match text.parse::<i64>() {
                Ok(0) | Err(_) => float()?,
                Ok(v) => Slot::I64(v),
            }
        } else {
            match text.parse::<u64>() {
                Ok(v) => i64::try_from(v).map_or(Slot::U64(v), Slot::I64),
                Err(_) => float()?,
            }
        };
        self.push(slot)
    }
}

impl<'de> DeserializeSeed<'de> for Builder<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_any(self)
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
        let (start, end) = self.doc.push_text(v);
        self.push(Slot::Str { start, end })
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
        self.enter()?;
        let at = self.doc.index();
        self.push(Slot::Array { len: 0, end: 0 })?;
        let mut len = 0u32;
        while seq.next_element_seed(Builder { doc: self.doc })?.is_some() {
            len += 1;
        }
        let end = self.doc.index();
        self.doc.tape[at as usize] = Slot::Array { len, end };
        self.doc.depth -= 1;
        Ok(())
    }

    fn visit_map<A: MapAccess<'de>>(mut self, mut map: A) -> Result<(), A::Error> {
        self.enter()?;
        let at = self.doc.index();
        let text_at = self.doc.text.len();
        self.push(Slot::Object { len: 0, end: 0 })?;
        let mut many: Option<HashSet<String>> = None;
        let mut len = 0u32;
        while let Some((start, end)) = map.next_key_seed(KeySeed { doc: self.doc })? {
            let doc = &*self.doc;
            let key = doc.str_at(start, end);
            if len == 0 && key == NUMBER_TOKEN {
                // `arbitrary_precision`: this "object" is a number.
                self.doc.tape.truncate(at as usize);
                self.doc.text.truncate(text_at);
                self.doc.depth -= 1;
                let text: Cow<'de, str> = map.next_value()?;
                return self.number(&text);
            }
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
                let key = key.to_owned();
                return Err(self.refuse(
                    JsonErrorKind::DuplicateKey,
                    format_args!("duplicate key {key:?} in an object"),
                ));
            }
            map.next_value_seed(Builder { doc: self.doc })?;
            len += 1;
        }
        let end = self.doc.index();
        self.doc.tape[at as usize] = Slot::Object { len, end };
        self.doc.depth -= 1;
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
