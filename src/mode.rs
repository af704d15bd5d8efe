//! Lenient and strict: how much of a delivery must be documented.

/// How much of a delivery must be known to this crate.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Mode {
    /// For receivers (the default). Documented fields must be right; fields
    /// Kit adds later are accepted, and an event this crate does not know is
    /// accepted when its envelope is well formed (it parses to
    /// [`WebhookEvent::Unknown`](crate::WebhookEvent::Unknown)).
    #[default]
    Lenient,
    /// For contract tests and CI. As lenient, and unknown fields and unknown
    /// events are rejected too.
    Strict,
}
