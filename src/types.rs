//! The payload types, generated from `schemas/` at build time (typify, then
//! finished by the generator (`schema-model/src/codegen/`); the output is committed for review under
//! `tests/snapshots/types.rs`). Families that share a data shape share one
//! type: every `application.*` event carries [`ApplicationData`].
//!
//! Every struct and enum is `#[non_exhaustive]`, so that a field or value Kit
//! adds is a minor release. Build values in your own tests with the
//! generated builders, or parse a fixture with
//! [`WebhookEvent::from_slice`](crate::WebhookEvent::from_slice):
//!
//! ```
//! use kit_webhooks::types::{Candidate, JobPostingSummary, OfferAccepted, OfferData, OfferStatus};
//! use kit_webhooks::WebhookEvent;
//!
//! let data: OfferData = OfferData::builder()
//!     .id(15)
//!     .status(OfferStatus::Accepted)
//!     .details(Some("Senior Engineer — $150k base".to_owned()))
//!     .extended_at(Some("2025-01-18T09:00:00Z".parse()?))
//!     .expires_at(Some("2025-01-25T23:59:59Z".parse()?))
//!     .accepted_at(Some("2025-01-19T15:00:00Z".parse()?))
//!     .declined_at(None)
//!     .candidate(Candidate::builder().id(7).name("Jane Smith").email("jane@example.com"))
//!     .job_posting(JobPostingSummary::builder().id(3).title("Senior Engineer"))
//!     .try_into()?;
//! let event = WebhookEvent::from(OfferAccepted::new("2025-01-19T15:00:00Z".parse()?, data));
//!
//! // A status Kit adds later is kept, not refused: match with a wildcard arm.
//! match &event {
//!     WebhookEvent::OfferAccepted(delivery) => match &delivery.data.status {
//!         OfferStatus::Accepted => println!("accepted"),
//!         OfferStatus::Unknown(other) => println!("a new status: {other}"),
//!         other => println!("{other}"),
//!     },
//!     _ => unreachable!(),
//! }
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

use std::fmt;
use std::marker::PhantomData;

use crate::{EventType, TypedEvent};

include!(concat!(env!("OUT_DIR"), "/types.rs"));

/// The `event` field of a known event's payload type: always that event's
/// name, checked when it is read. It takes no space.
///
/// ```
/// use kit_webhooks::types::{EventName, TestPing};
///
/// let name = EventName::<TestPing>::new();
/// assert_eq!(name.as_str(), "test.ping");
/// assert_eq!(serde_json::to_string(&name)?, r#""test.ping""#);
/// assert!(serde_json::from_str::<EventName<TestPing>>(r#""offer.accepted""#).is_err());
/// # Ok::<(), serde_json::Error>(())
/// ```
pub struct EventName<E>(PhantomData<fn() -> E>);

impl<E: TypedEvent> EventName<E> {
    /// The name of event `E`.
    pub const fn new() -> Self {
        EventName(PhantomData)
    }

    /// The event.
    pub const fn event_type(self) -> EventType {
        E::TYPE
    }

    /// The name, as Kit sends it.
    pub const fn as_str(self) -> &'static str {
        E::TYPE.as_str()
    }
}

impl<E: TypedEvent> Default for EventName<E> {
    fn default() -> Self {
        EventName::new()
    }
}

impl<E> Clone for EventName<E> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<E> Copy for EventName<E> {}

impl<E> PartialEq for EventName<E> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<E> Eq for EventName<E> {}

impl<E> std::hash::Hash for EventName<E> {
    fn hash<H: std::hash::Hasher>(&self, _: &mut H) {}
}

impl<E: TypedEvent> fmt::Debug for EventName<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EventName({:?})", E::TYPE.as_str())
    }
}

impl<E: TypedEvent> fmt::Display for EventName<E> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(E::TYPE.as_str())
    }
}

impl<E: TypedEvent> serde::Serialize for EventName<E> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(E::TYPE.as_str())
    }
}

impl<'de, E: TypedEvent> serde::Deserialize<'de> for EventName<E> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Expect<E>(PhantomData<fn() -> E>);
        impl<E: TypedEvent> serde::de::Visitor<'_> for Expect<E> {
            type Value = EventName<E>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "the event name {:?}", E::TYPE.as_str())
            }
            fn visit_str<Er: serde::de::Error>(self, v: &str) -> Result<EventName<E>, Er> {
                if v == E::TYPE.as_str() {
                    Ok(EventName::new())
                } else {
                    Err(Er::invalid_value(serde::de::Unexpected::Str(v), &self))
                }
            }
        }
        deserializer.deserialize_str(Expect(PhantomData))
    }
}

/// Why a builder could not build a payload: the field, and what was wrong
/// with it.
///
/// ```
/// use kit_webhooks::types::{BuildCause, JobPostingSummary};
///
/// let err = JobPostingSummary::try_from(JobPostingSummary::builder().id(3)).unwrap_err();
/// assert_eq!(err.field(), "title");
/// assert_eq!(err.cause(), &BuildCause::Missing);
/// assert_eq!(err.to_string(), "no value supplied for title");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct BuildError {
    field: &'static str,
    cause: BuildCause,
}

/// What was wrong with a builder's field.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum BuildCause {
    /// A required field was not set.
    Missing,
    /// The value given did not convert to the field's type (a nested
    /// builder that failed, or a number out of range); the conversion's
    /// message.
    Invalid(String),
}

impl BuildError {
    /// The field, by its name in the schema.
    pub fn field(&self) -> &'static str {
        self.field
    }

    /// What was wrong with it.
    pub fn cause(&self) -> &BuildCause {
        &self.cause
    }

    pub(crate) fn missing(field: &'static str) -> Self {
        BuildError {
            field,
            cause: BuildCause::Missing,
        }
    }

    pub(crate) fn invalid(field: &'static str, error: impl fmt::Display) -> Self {
        BuildError {
            field,
            cause: BuildCause::Invalid(error.to_string()),
        }
    }
}

impl fmt::Display for BuildError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.cause {
            BuildCause::Missing => write!(f, "no value supplied for {}", self.field),
            BuildCause::Invalid(why) => write!(f, "the value for {} does not convert: {why}", self.field),
        }
    }
}

impl std::error::Error for BuildError {}

/// A value Kit sent that a documented list does not hold (the payload of
/// the `Unknown` variant of every generated enum). It is made only by
/// parsing, which maps every documented value to its own variant, so it
/// never holds one: `OfferStatus::from("accepted")` is
/// `OfferStatus::Accepted`, and two equal values are equal enums.
///
/// ```
/// use kit_webhooks::types::OfferStatus;
///
/// let status = OfferStatus::from("rescinded");
/// match &status {
///     OfferStatus::Unknown(value) => assert_eq!(value.as_str(), "rescinded"),
///     other => panic!("{other}"),
/// }
/// assert_eq!(status, OfferStatus::from("rescinded".to_owned()));
/// assert_eq!(OfferStatus::from("accepted"), OfferStatus::Accepted);
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct UnknownValue(String);

impl UnknownValue {
    /// Only the generated enums make one, for a value they do not list.
    pub(crate) fn new(value: String) -> Self {
        UnknownValue(value)
    }

    /// The value, as Kit sent it.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for UnknownValue {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for UnknownValue {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl PartialEq<str> for UnknownValue {
    fn eq(&self, other: &str) -> bool {
        self.0 == other
    }
}

impl PartialEq<&str> for UnknownValue {
    fn eq(&self, other: &&str) -> bool {
        self.0 == *other
    }
}

/// The methods and trait impls of an open string enum (generated in
/// `schema-model/src/codegen/enums.rs`, one per closed list of strings in the schemas).
macro_rules! open_enum {
    ($name:ident { $($variant:ident = $value:literal,)* }) => {
        impl $name {
            /// Every documented value, in the schema's order.
            pub const KNOWN: &'static [$name] = &[$($name::$variant,)*];

            /// The value, as Kit sends it.
            pub fn as_str(&self) -> &str {
                match self {
                    $($name::$variant => $value,)*
                    $name::Unknown(value) => value.as_str(),
                }
            }

            /// Whether this is a documented value (not [`Self::Unknown`]).
            pub fn is_known(&self) -> bool {
                !matches!(self, $name::Unknown(_))
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl From<&str> for $name {
            fn from(value: &str) -> Self {
                match value {
                    $($value => $name::$variant,)*
                    other => $name::Unknown(crate::types::UnknownValue::new(other.to_owned())),
                }
            }
        }

        impl From<String> for $name {
            fn from(value: String) -> Self {
                match value.as_str() {
                    $($value => $name::$variant,)*
                    _ => $name::Unknown(crate::types::UnknownValue::new(value)),
                }
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::convert::Infallible;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                Ok($name::from(value))
            }
        }

        impl ::serde::Serialize for $name {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $name {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                struct Values;
                impl ::serde::de::Visitor<'_> for Values {
                    type Value = $name;
                    fn expecting(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                        f.write_str(concat!("a string (", stringify!($name), ")"))
                    }
                    fn visit_str<E: ::serde::de::Error>(self, value: &str) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                    fn visit_string<E: ::serde::de::Error>(self, value: String) -> Result<$name, E> {
                        Ok($name::from(value))
                    }
                }
                deserializer.deserialize_str(Values)
            }
        }
    };
}
pub(crate) use open_enum;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unknown_value_round_trips_unchanged() {
        let status: OfferStatus = serde_json::from_str(r#""rescinded""#).unwrap();
        assert!(matches!(&status, OfferStatus::Unknown(v) if v == "rescinded"));
        // A documented value never lands in `Unknown`, however it is made.
        assert_eq!(OfferStatus::from("accepted".to_owned()), OfferStatus::Accepted);
        assert_eq!(serde_json::to_string(&status).unwrap(), r#""rescinded""#);
        assert_eq!(status.to_string(), "rescinded");
        assert!(!status.is_known());
        let known: OfferStatus = "candidate_accepted".parse().unwrap();
        assert_eq!(known, OfferStatus::CandidateAccepted);
        assert_eq!(known.as_str(), "candidate_accepted");
        assert_eq!(OfferStatus::KNOWN.len(), 6);
        assert!(serde_json::from_str::<OfferStatus>("3").is_err());
    }

    #[test]
    fn a_builder_names_the_missing_field() {
        let err = JobPostingSummary::try_from(JobPostingSummary::builder().id(3)).unwrap_err();
        assert_eq!(err.to_string(), "no value supplied for title");
        assert_eq!((err.field(), err.cause()), ("title", &BuildCause::Missing));
    }

    /// A nested builder's failure is the outer field's, with the inner
    /// message as its cause.
    #[test]
    fn a_builder_names_the_field_whose_value_does_not_convert() {
        let err = OfferData::try_from(
            OfferData::builder()
                .id(15)
                .status(OfferStatus::Accepted)
                .details(None)
                .extended_at(None)
                .expires_at(None)
                .accepted_at(None)
                .declined_at(None)
                .candidate(Candidate::builder().id(7).name("Jane Smith"))
                .job_posting(JobPostingSummary::builder().id(3).title("Senior Engineer")),
        )
        .unwrap_err();
        assert_eq!(err.field(), "candidate");
        assert_eq!(
            err.cause(),
            &BuildCause::Invalid("no value supplied for email".to_owned())
        );
        assert_eq!(
            err.to_string(),
            "the value for candidate does not convert: no value supplied for email"
        );
    }
}
