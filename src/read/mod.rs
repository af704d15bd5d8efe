//! The one route from bytes to a typed event, which every reader takes:
//! [`WebhookEvent::from_slice`] (the typed decoding alone), [`Parser`]
//! (the schemas too), and [`Receiver`] and the axum extractors (after the
//! signature, holding the body to the header's event name).
//!
//! 1. The fast path, straight from the bytes: [`quick`]'s one-pass typed
//!    decoding and, when the schemas are checked, [`fast`]'s checks of what
//!    the type does not prove. It only ever vouches; whatever it cannot vouch
//!    for goes on.
//! 2. The document (`crate::document`), which names what is wrong: the typed
//!    decoding of it, or the validators and then the typed decoding
//!    (`Parser::check_document`).
//!
//! [`Parser`]: crate::Parser
//! [`Receiver`]: crate::Receiver

#[cfg(feature = "validate")]
pub(crate) mod fast;
#[cfg(feature = "validate")]
pub(crate) mod quick;

use crate::document::{Document, NodeRef};
use crate::error::{Error, Invalid, Violation};
use crate::WebhookEvent;

/// Why a read stopped.
#[derive(Debug)]
pub(crate) enum Refusal<E> {
    /// The body names another event than the one expected (the header's).
    Mismatch(String),
    /// The body is not what it should be.
    Failed(E),
}

/// The route: `fast` first, then `full` on the parsed document; a body
/// whose event is not `expect` is refused as soon as its name is read.
pub(crate) fn route<T, E: From<Error>>(
    body: &[u8],
    expect: Option<&str>,
    fast: impl FnOnce(&[u8]) -> Option<T>,
    full: impl FnOnce(NodeRef<'_>) -> Result<T, E>,
    event_of: impl Fn(&T) -> &str,
) -> Result<T, Refusal<E>> {
    let mismatch = |found: &str| match expect {
        Some(expected) if expected != found => Some(Refusal::Mismatch(found.to_owned())),
        _ => None,
    };
    if let Some(read) = fast(body) {
        return match mismatch(event_of(&read)) {
            Some(refusal) => Err(refusal),
            None => Ok(read),
        };
    }
    Document::with_parsed(body, |document| {
        if let Some(refusal) = document.get("event").and_then(|e| e.as_str()).and_then(mismatch) {
            return Err(refusal);
        }
        full(document).map_err(Refusal::Failed)
    })
    .unwrap_or_else(|error| Err(Refusal::Failed(Error::from(error).into())))
}

/// The typed decoding alone (no schemas): [`WebhookEvent::from_slice`].
pub(crate) fn decode(bytes: &[u8]) -> Result<WebhookEvent, Error> {
    // Straight from the bytes when the quick pass vouches for them (with
    // `validate`, whose fast path compiles that decoding anyway; without
    // it, the document alone keeps the build lean).
    #[cfg(feature = "validate")]
    let fast = quick::decode;
    #[cfg(not(feature = "validate"))]
    let fast = |_: &[u8]| None;
    route(
        bytes,
        None,
        fast,
        WebhookEvent::from_document_root,
        WebhookEvent::event_name,
    )
    .map_err(Refusal::into_error)
}

impl Refusal<Error> {
    /// The error of a read that expected no event in particular (so a
    /// mismatch cannot happen; said as a violation all the same).
    pub(crate) fn into_error(self) -> Error {
        match self {
            Refusal::Failed(error) => error,
            Refusal::Mismatch(found) => Error::Invalid(Invalid::single(
                Some(found),
                Violation::schema("/event", "const", "not the event expected"),
            )),
        }
    }
}
