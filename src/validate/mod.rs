//! Validation with the same schemas the types come from: [`Parser`], which
//! reads bodies by the crate's one route (`crate::read`), and the checks of a
//! parsed document (`validators.rs`, then the typed decoding).

mod validators;

use validators::validators;
#[cfg(feature = "runtime-schemas")]
pub(crate) use validators::violations;

use serde_json::Value;

use crate::document::{Document, NodeRef};
use crate::drift::{Drift, EMBEDDED};
use crate::error::{Error, Invalid, Violation};
use crate::event::{EventType, WebhookEvent};
use crate::read::{fast, route, Refusal};
use crate::Mode;

/// Validates and parses delivery bodies. Cheap to create and to copy; the
/// compiled validators are shared by the whole process.
///
/// ```
/// use kit_webhooks::{Mode, Parser, WebhookEvent};
///
/// let body = br#"{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z", "data": {}}"#;
/// let event = Parser::new().parse(body)?;
/// assert!(matches!(event, WebhookEvent::TestPing(_)));
///
/// // A field Kit may add later: fine for a receiver, refused by a contract test.
/// let newer = br#"{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z", "data": {"new": 1}}"#;
/// assert!(Parser::new().validate(newer).is_ok());
/// let err = Parser::new().mode(Mode::Strict).validate(newer).unwrap_err();
/// assert_eq!(err.violations()[0].keyword, "additionalProperties");
/// # Ok::<(), kit_webhooks::Error>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Parser {
    mode: Mode,
    max_body_size: usize,
    all_errors: bool,
    fast_path: bool,
}

impl Default for Parser {
    fn default() -> Self {
        Parser::new()
    }
}

impl Parser {
    /// The default body size limit: 1 MiB. Kit's deliveries are a few hundred bytes.
    pub const DEFAULT_MAX_BODY_SIZE: usize = 1024 * 1024;

    /// A lenient parser with the default size limit.
    pub const fn new() -> Self {
        Parser {
            mode: Mode::Lenient,
            max_body_size: Self::DEFAULT_MAX_BODY_SIZE,
            all_errors: true,
            fast_path: true,
        }
    }

    /// Whether lenient parsing tries the fast path first (the default). For
    /// the tests and benchmarks that hold it to the full path.
    #[doc(hidden)]
    #[must_use]
    pub const fn fast_path(mut self, on: bool) -> Self {
        self.fast_path = on;
        self
    }

    /// Reads a body by the crate's one route (`crate::read`): the size
    /// limit, the fast path when this parser uses it, otherwise the document,
    /// validated and decoded. A body whose event is not `expect` is refused.
    pub(crate) fn read(
        &self,
        body: &[u8],
        expect: Option<&str>,
    ) -> Result<(WebhookEvent, Drift), Refusal<Error>> {
        if body.len() > self.max_body_size {
            return Err(Refusal::Failed(Error::TooLarge {
                size: body.len(),
                limit: self.max_body_size,
            }));
        }
        let fast = |body: &[u8]| {
            if self.fast_path {
                fast::parse(body, self.mode)
            } else {
                None
            }
        };
        route(
            body,
            expect,
            fast,
            |document| self.check_document(document),
            |(event, _)| event.event_name(),
        )
    }

    /// Sets the mode.
    #[must_use]
    pub const fn mode(mut self, mode: Mode) -> Self {
        self.mode = mode;
        self
    }

    /// Sets the largest body accepted, in bytes.
    #[must_use]
    pub const fn max_body_size(mut self, bytes: usize) -> Self {
        self.max_body_size = bytes;
        self
    }

    /// Whether an invalid delivery reports every violation (the default) or
    /// stops at the first, which is cheaper when only the verdict matters.
    #[must_use]
    pub const fn all_errors(mut self, all: bool) -> Self {
        self.all_errors = all;
        self
    }

    /// The mode in use.
    pub const fn current_mode(&self) -> Mode {
        self.mode
    }

    /// The size limit in use.
    pub const fn current_max_body_size(&self) -> usize {
        self.max_body_size
    }

    /// Checks a delivery body: size, JSON, and the schema of its own event
    /// (picked by `event`). Returns the event, or `None` for an event this
    /// crate does not know (lenient mode only).
    ///
    /// Whatever this accepts, [`Parser::parse`] turns into a typed value.
    ///
    /// # Errors
    ///
    /// [`Error::TooLarge`], [`Error::Json`] or [`Error::Invalid`] with every violation.
    pub fn validate(&self, body: &[u8]) -> Result<Option<EventType>, Error> {
        self.parse(body).map(|event| event.event_type())
    }

    /// Validates a delivery body and deserialises it into [`WebhookEvent`],
    /// with one verdict: a valid lenient delivery in one pass straight into
    /// its type plus the checks its type does not prove; anything else
    /// through a parsed document that is validated and decoded, which names
    /// every violation. Duplicate keys are refused.
    ///
    /// # Errors
    ///
    /// As [`Parser::validate`]: a failed validation returns the schema's
    /// violations, never a serde message.
    pub fn parse(&self, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.parse_with_drift(body).map(|(event, _)| event)
    }

    /// As [`Parser::parse`], and what the delivery carries that the schemas
    /// do not document: see [`Drift`]. In strict mode a delivery with drift
    /// is invalid, so the drift of a strict parse is always empty.
    ///
    /// ```
    /// use kit_webhooks::{DriftKind, Parser};
    ///
    /// let body = br#"{"event": "interview.cancelled", "created_at": "2025-01-16T09:00:00Z",
    ///   "data": {"id": 28, "status": "rescheduled", "scheduled_at": "2025-01-20T14:00:00Z",
    ///            "duration_minutes": 60,
    ///            "candidate": {"id": 7, "name": "Jane Smith", "email": "jane@example.com"},
    ///            "job_posting": {"id": 3, "title": "Senior Engineer"}}}"#;
    /// let (_, drift) = Parser::new().parse_with_drift(body)?;
    /// assert_eq!(drift.additions()[0].kind, DriftKind::ValueAdded);
    /// assert_eq!(drift.additions()[0].pointer, "/data/status");
    /// # Ok::<(), kit_webhooks::Error>(())
    /// ```
    ///
    /// # Errors
    ///
    /// As [`Parser::parse`].
    pub fn parse_with_drift(&self, body: &[u8]) -> Result<(WebhookEvent, Drift), Error> {
        self.read(body, None).map_err(Refusal::into_error)
    }

    /// Validates an already-parsed document and deserialises it.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with every violation.
    pub fn parse_value(&self, document: &Value) -> Result<WebhookEvent, Error> {
        let document = Document::from_value(document)?;
        self.check_document(document.root()).map(|(event, _)| event)
    }

    /// Validates a parsed document, then decodes the typed value from it and
    /// finds its drift: the route's second step.
    pub(crate) fn check_document(&self, document: NodeRef<'_>) -> Result<(WebhookEvent, Drift), Error> {
        let name = document.get("event").and_then(|event| event.as_str());
        let event = name.and_then(EventType::from_name);
        let invalid = |violations| {
            Error::Invalid(Invalid {
                event: name.map(str::to_owned),
                violations,
            })
        };
        // An event this crate does not know is checked by its envelope. Strict
        // mode refuses it in any case, and says why next to any envelope error.
        let strict_unknown = event.is_none() && self.mode == Mode::Strict;
        // For the first error only, the typed decoding speaks first: what it
        // refuses, both modes refuse (see below), and it is far cheaper than
        // the validator.
        let mut decoded = None;
        if !self.all_errors && !strict_unknown {
            match WebhookEvent::from_document(event, document) {
                Ok(typed) => decoded = Some(typed),
                Err(violation) => return Err(invalid(vec![violation])),
            }
        }
        let validators = validators(if strict_unknown { Mode::Lenient } else { self.mode });
        let validator = validators.get(event);
        let value = document.to_value();
        if !validator.is_valid(&value) || strict_unknown {
            let mut found = validators::violations(validator, &value, self.all_errors);
            if let (true, Some(name)) = (strict_unknown, name) {
                refuse_event(
                    &mut found,
                    format!(
                        "{name:?} is not a documented Kit event (strict mode accepts only the {} known events)",
                        EventType::ALL.len()
                    ),
                );
            }
            return Err(invalid(found));
        }
        // The schema held. The typed decoding proves the rest the Rust types
        // need (an integer written as `42.0` is valid JSON Schema but not an
        // i64, for example), so validation and parsing never disagree.
        let typed = match decoded {
            Some(typed) => typed,
            None => {
                WebhookEvent::from_document(event, document).map_err(|violation| invalid(vec![violation]))?
            }
        };
        // Strict validation refused anything undocumented, so only a lenient
        // delivery can carry drift.
        let drift = match self.mode {
            Mode::Lenient => EMBEDDED.drift(&value),
            _ => Drift::default(),
        };
        Ok((typed, drift))
    }

    /// Compiles every validator of this parser's mode now, instead of on first
    /// use of each event. Receivers may call it at start-up. Returns how many
    /// validators are ready: one per event, and the envelope's.
    ///
    /// ```
    /// use kit_webhooks::{EventType, Parser};
    ///
    /// assert_eq!(Parser::new().warm_up(), EventType::ALL.len() + 1);
    /// ```
    pub fn warm_up(&self) -> usize {
        let ready = validators(self.mode).warm_up();
        // The fast path's format checks compile on first use too.
        fast::warm_up();
        ready
    }
}

/// The embedded lenient validator of any event's envelope.
#[cfg(feature = "runtime-schemas")]
pub(crate) fn envelope_validator() -> &'static jsonschema::Validator {
    validators(Mode::Lenient).get(None)
}

/// Strict mode refuses an event it does not know: that comes first, in
/// place of what the envelope's check said of `/event`.
pub(crate) fn refuse_event(found: &mut Vec<Violation>, message: String) {
    found.retain(|v| v.instance_path != "/event");
    found.insert(0, Violation::schema("/event", "enum", message));
}

/// Compiles every validator of `mode` afresh, bypassing the process-wide
/// cache, and returns how many. For the cold-start benchmark only.
#[doc(hidden)]
pub fn __compile_all_uncached(mode: Mode) -> usize {
    validators::compile_all_uncached(mode)
}
