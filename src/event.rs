//! The typed event API: [`EventType`] and [`WebhookEvent`], generated from the
//! schemas by `build.rs`, and the typed decoding of a delivery.

use std::borrow::Cow;
use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Deserializer};
use serde_json::Value;

use crate::document::NodeRef;
use crate::error::{Error, Invalid, Violation};

/// The text of a schema file, by its path under `schemas/`.
macro_rules! source_schema {
    ($rel:literal) => {
        include_str!(concat!(env!("CARGO_MANIFEST_DIR"), "/schemas/", $rel))
    };
}

/// The text of a schema the build script derived, by its path under `OUT_DIR/schemas/`.
macro_rules! derived_schema {
    ($rel:literal) => {
        include_str!(concat!(env!("OUT_DIR"), "/schemas/", $rel))
    };
}

/// What every known event's payload type gets: [`TypedEvent`], a
/// conversion into [`WebhookEvent`], and a constructor.
macro_rules! typed_event {
    ($variant:ident, $name:literal, $data:ident $(, $extra:ident)*) => {
        impl Sealed for crate::types::$variant {}

        impl TypedEvent for crate::types::$variant {
            const TYPE: EventType = EventType::$variant;
        }

        impl From<crate::types::$variant> for WebhookEvent {
            fn from(delivery: crate::types::$variant) -> Self {
                WebhookEvent::$variant(delivery)
            }
        }

        impl crate::types::$variant {
            #[doc = concat!("A `", $name, "` delivery that occurred at `created_at`, with `data`.")]
            pub fn new(created_at: chrono::DateTime<chrono::Utc>, data: crate::types::$data) -> Self {
                crate::types::$variant {
                    event: crate::types::EventName::new(),
                    created_at,
                    data,
                    $($extra: None,)*
                }
            }
        }
    };
}

include!(concat!(env!("OUT_DIR"), "/registry.rs"));

/// A payload type of one known event ([`types::OfferAccepted`](crate::types::OfferAccepted),
/// ...), which knows its event at compile time. Implemented by the generated
/// types only.
///
/// ```
/// use kit_webhooks::{types, EventType, TypedEvent};
///
/// fn name_of<E: TypedEvent>() -> &'static str {
///     E::TYPE.as_str()
/// }
/// assert_eq!(name_of::<types::InterviewNoShow>(), "interview.no_show");
/// assert_eq!(types::OfferRevised::TYPE, EventType::OfferRevised);
/// ```
pub trait TypedEvent:
    Sealed + serde::Serialize + serde::de::DeserializeOwned + Into<WebhookEvent> + Clone + fmt::Debug
{
    /// The event this type is the payload of.
    const TYPE: EventType;
}

/// Keeps [`TypedEvent`] for the generated types.
pub trait Sealed {}

/// An event name this crate does not know.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown Kit webhook event {name:?}")]
pub struct UnknownEventType {
    /// The name that was given.
    pub name: String,
}

impl FromStr for EventType {
    type Err = UnknownEventType;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        EventType::from_name(name).ok_or_else(|| UnknownEventType {
            name: name.to_owned(),
        })
    }
}

impl fmt::Display for EventType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl serde::Serialize for EventType {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for EventType {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let name = Cow::<str>::deserialize(deserializer)?;
        name.parse().map_err(serde::de::Error::custom)
    }
}

/// The `event` of [`types::UnknownEvent`](crate::types::UnknownEvent): any
/// name but a documented one, which has its own type.
pub(crate) fn unknown_event_name<'de, D: Deserializer<'de>>(deserializer: D) -> Result<String, D::Error> {
    let name = String::deserialize(deserializer)?;
    if EventType::from_name(&name).is_some() {
        return Err(serde::de::Error::custom(format_args!(
            "{name:?} is a documented event, with its own type: read it as a WebhookEvent"
        )));
    }
    Ok(name)
}

impl WebhookEvent {
    /// Decodes delivery bytes into the typed event, dispatching on `event`,
    /// in one pass straight into that event's type (no buffering, as serde's
    /// tagged enums do). A body that is not UTF-8, repeats a key in an object,
    /// or nests deeper than 128 levels is refused. An event name this crate
    /// does not know gives [`WebhookEvent::Unknown`].
    ///
    /// This is the typed decoding alone. It checks what the Rust types hold
    /// (required fields, types, timestamps as RFC 3339 date-times) but not
    /// the rest of the schema (for example `format: email`). For deliveries from the network
    /// use [`crate::parse`], which validates against the schemas first.
    ///
    /// ```
    /// use kit_webhooks::WebhookEvent;
    ///
    /// let body = br#"{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z", "data": {}}"#;
    /// let event = WebhookEvent::from_slice(body)?;
    /// assert!(matches!(event, WebhookEvent::TestPing(_)));
    /// assert_eq!(event.event_name(), "test.ping");
    /// # Ok::<(), kit_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// [`Error::Json`] for malformed JSON, [`Error::Invalid`] (naming the field)
    /// when the body does not fit the event's type.
    pub fn from_slice(bytes: &[u8]) -> Result<Self, Error> {
        crate::read::decode(bytes)
    }

    /// The typed decoding of a parsed document, dispatching on its `event`.
    pub(crate) fn from_document_root(document: NodeRef<'_>) -> Result<Self, Error> {
        let name = document.get("event").and_then(|event| event.as_str());
        if name.is_none() {
            let violation = match document.get("event") {
                None if document.as_object_len().is_some() => Violation::required("", "event"),
                None => Violation::schema("", "type", "the delivery is not a JSON object"),
                Some(_) => Violation::schema("/event", "type", "\"event\" is not a string"),
            };
            return Err(Error::Invalid(Invalid::single(None, violation)));
        }
        let event = name.and_then(EventType::from_name);
        Self::from_document(event, document)
            .map_err(|violation| Error::Invalid(Invalid::single(name.map(str::to_owned), violation)))
    }

    /// Decodes an already-parsed document into the typed event, dispatching on
    /// `event`. Like [`WebhookEvent::from_slice`], this is the typed decoding
    /// alone; [`crate::Parser::parse_value`] validates first.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`], naming the field, when the document does not fit the
    /// event's type; [`Error::Json`] for nesting deeper than the parser's limit.
    pub fn from_value(document: &Value) -> Result<Self, Error> {
        let document = crate::document::Document::from_value(document)?;
        let root = document.root();
        let name = root.get("event").and_then(|event| event.as_str());
        let event = name.and_then(EventType::from_name);
        Self::from_document(event, root)
            .map_err(|violation| Error::Invalid(Invalid::single(name.map(str::to_owned), violation)))
    }

    /// The typed decoding of a parsed document whose event is already known;
    /// a failure names the field.
    pub(crate) fn from_document(event: Option<EventType>, document: NodeRef<'_>) -> Result<Self, Violation> {
        let decoded = match event {
            Some(event) => WebhookEvent::deserialize_known(event, document),
            None => crate::types::UnknownEvent::deserialize(document).map(WebhookEvent::Unknown),
        };
        decoded.map_err(|error| Violation::from_decode(&error))
    }
}

/// Deserialising a `WebhookEvent` from any serde format buffers the value
/// first, because the event name decides the type. From bytes,
/// [`WebhookEvent::from_slice`] avoids that.
impl<'de> Deserialize<'de> for WebhookEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let document = Value::deserialize(deserializer)?;
        WebhookEvent::from_value(&document).map_err(serde::de::Error::custom)
    }
}
