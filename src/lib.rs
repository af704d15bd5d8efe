//! Typed, schema-validated, signature-checked Kit webhook deliveries.
//!
//! Kit POSTs JSON deliveries (`{"event", "created_at", "data"}`) for 28 events.
//! This crate's types, validators and published schemas all come from one set
//! of JSON Schemas under `schemas/`: `build.rs` generates the Rust types with
//! typify, and the same files validate each delivery at run time.
//!
//! Receiving is three lines: build a [`Receiver`] from your secret(s), hand it
//! the request's headers and raw body, and match on the typed event.
//!
//! ```
//! # use kit_webhooks::{DeliveryHeaders, Signer};
//! use kit_webhooks::{Receiver, Verifier, WebhookEvent};
//! # let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;
//! # let ts = kit_webhooks::signature::format_timestamp(chrono::Utc::now());
//! # let sig = Signer::new("whsec_…").sign(&ts, body);
//! # let headers = DeliveryHeaders { timestamp: Some(&ts), signature: Some(&sig), event: Some("test.ping") };
//!
//! let receiver = Receiver::new(Verifier::new("whsec_…"));
//! match receiver.receive_parts(headers, body) {
//!     Ok(WebhookEvent::TestPing(_)) => println!("pong"),
//!     Ok(event) => println!("{} at {}", event.event_name(), event.created_at()),
//!     Err(err) => eprintln!("answer {}: {err}", err.status()),
//! }
//! ```
//!
//! Without signatures, [`parse`] validates and types a body:
//!
//! ```
//! use kit_webhooks::WebhookEvent;
//!
//! let body = br#"{
//!   "event": "application.submitted",
//!   "created_at": "2025-01-15T14:30:00Z",
//!   "data": {
//!     "id": 42,
//!     "candidate": {"id": 7, "name": "Jane Smith", "email": "jane@example.com"},
//!     "job_posting": {"id": 3, "title": "Senior Engineer"},
//!     "current_stage": "Applied",
//!     "submitted_at": "2025-01-15T14:30:00Z",
//!     "rejected": false,
//!     "withdrawn": false,
//!     "offered": false
//!   }
//! }"#;
//!
//! match kit_webhooks::parse(body)? {
//!     WebhookEvent::ApplicationSubmitted(delivery) => {
//!         assert_eq!(delivery.data.candidate.email, "jane@example.com");
//!     }
//!     WebhookEvent::Unknown(other) => println!("new event {}", other.event()),
//!     _ => {}
//! }
//! # Ok::<(), kit_webhooks::Error>(())
//! ```
//!
//! Features:
//! - `validate` (default): validation with the schemas, through jsonschema:
//!   [`Parser`], [`parse`], [`validate`] and [`Receiver`]. Without it
//!   (`default-features = false`) the crate is the generated [`types`],
//!   [`WebhookEvent`] and [`EventType`], the typed decoding
//!   ([`WebhookEvent::from_slice`]) and the [`signature`]s, at a fraction of
//!   the build time.
//! - `http`: the headers from an `http::HeaderMap` ([`DeliveryHeaders`], and
//!   `Receiver::receive`).
//! - `axum`: extractors, see the `axum` module.
//! - `diff`: what a change to the schemas breaks (`kit_webhooks::diff`).
//! - `cli`: the `kit-webhooks` binary.
//!
//! None of them brings an async runtime, HTTP stack, TLS or C library into the
//! default build.
#![forbid(unsafe_code)]
#![cfg_attr(docsrs, feature(doc_cfg))]
#![warn(missing_docs)]

#[cfg(feature = "axum")]
#[cfg_attr(docsrs, doc(cfg(feature = "axum")))]
pub mod axum;
#[cfg(feature = "diff")]
#[cfg_attr(docsrs, doc(cfg(feature = "diff")))]
pub mod diff;
mod document;
#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
pub mod drift;
mod error;
mod event;
mod format;
mod headers;
mod json;
mod mode;
mod read;
#[cfg(feature = "validate")]
mod receive;
pub mod schema;
pub mod signature;
pub mod types;
#[cfg(feature = "validate")]
mod validate;

#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
pub use drift::{Addition, Drift, DriftKind};
pub use error::{Error, Invalid, Keyword, Violation};
pub use event::{EventType, TypedEvent, UnknownEventType, WebhookEvent};
pub use headers::{DeliveryHeaders, MAX_HEADER_LEN};
pub use json::{JsonError, JsonErrorKind};
pub use mode::Mode;
#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
pub use receive::{BodyError, ReceiveError, Receiver};
pub use signature::{delivery_key, Signer, Verified, Verifier, VerifyError};
#[cfg(feature = "validate")]
#[doc(hidden)]
pub use validate::__compile_all_uncached;

/// For the crate's own differential tests and fuzz targets; not part of the API.
#[doc(hidden)]
pub mod __private {
    /// Whether a string is a `date-time` as the typed decoding reads it.
    pub fn is_date_time(text: &str) -> bool {
        crate::format::is_date_time(text)
    }

    /// Whether the fast path vouches for an email address without asking jsonschema.
    #[cfg(feature = "validate")]
    pub fn is_plain_email(text: &str) -> bool {
        crate::read::fast::is_plain_email(text)
    }

    /// The document a body parses into, as a `Value`.
    pub fn parse_document(bytes: &[u8]) -> Result<serde_json::Value, crate::JsonError> {
        crate::document::Document::parse(bytes).map(|doc| doc.root().to_value())
    }
}
#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
pub use validate::Parser;

/// This crate's version, which is also the version of its published schemas.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
/// Validates a delivery body (lenient) and returns its typed event.
/// Shorthand for [`Parser::new().parse(body)`](Parser::parse).
///
/// # Errors
///
/// [`Error::TooLarge`], [`Error::Json`] or [`Error::Invalid`].
pub fn parse(body: &[u8]) -> Result<WebhookEvent, Error> {
    Parser::new().parse(body)
}

#[cfg(feature = "validate")]
#[cfg_attr(docsrs, doc(cfg(feature = "validate")))]
/// Validates a delivery body (lenient). Shorthand for
/// [`Parser::new().validate(body)`](Parser::validate).
///
/// # Errors
///
/// [`Error::TooLarge`], [`Error::Json`] or [`Error::Invalid`].
pub fn validate(body: &[u8]) -> Result<Option<EventType>, Error> {
    Parser::new().validate(body)
}

/// The README's examples are compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
