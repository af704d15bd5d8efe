//! The errors of reading a delivery: too large, not JSON, or not valid.

use std::fmt;

use serde::Serialize;

use crate::document::decode::DecodeError;
use crate::json::JsonError;

/// Why a delivery body was not accepted.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The body is larger than the configured limit; it was not parsed.
    #[error("the body is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The body's size in bytes.
        size: usize,
        /// The configured limit.
        limit: usize,
    },
    /// The body is not well-formed JSON (or has a duplicated key).
    #[error(transparent)]
    Json(#[from] JsonError),
    /// The body is JSON but does not satisfy the event's schema.
    #[error(transparent)]
    Invalid(#[from] Invalid),
}

impl Error {
    /// The schema violations, empty unless this is [`Error::Invalid`].
    pub fn violations(&self) -> &[Violation] {
        match self {
            Error::Invalid(invalid) => &invalid.violations,
            _ => &[],
        }
    }

    /// Every error as violations, for reports that list them alike: the
    /// schema's violations, or one violation at the root with the keyword
    /// `json` (malformed JSON, with its line and column) or `size`.
    ///
    /// ```
    /// let err = kit_webhooks::parse(b"{\"event\": ").unwrap_err();
    /// let violations = err.to_violations();
    /// assert_eq!(violations[0].keyword, "json");
    /// assert_eq!(violations[0].instance_path, "");
    /// ```
    pub fn to_violations(&self) -> Vec<Violation> {
        match self {
            Error::Invalid(invalid) => invalid.violations.clone(),
            Error::Json(json) => vec![Violation::new("", Keyword::Json, json.to_string())],
            Error::TooLarge { .. } => vec![Violation::new("", Keyword::Size, self.to_string())],
        }
    }
}

/// A delivery that is JSON but breaks its schema: every violation found.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[non_exhaustive]
pub struct Invalid {
    /// The delivery's `event`, when it is a string.
    pub event: Option<String>,
    /// Every violation, in document order; never empty.
    pub violations: Vec<Violation>,
}

impl Invalid {
    pub(crate) fn single(event: Option<String>, violation: Violation) -> Self {
        Invalid {
            event,
            violations: vec![violation],
        }
    }
}

impl fmt::Display for Invalid {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.event {
            Some(event) => write!(f, "invalid {event:?} delivery")?,
            None => f.write_str("invalid delivery")?,
        }
        if let Some(first) = self.violations.first() {
            write!(f, ": {first}")?;
        }
        if self.violations.len() > 1 {
            write!(f, " (and {} more)", self.violations.len() - 1)?;
        }
        Ok(())
    }
}

impl std::error::Error for Invalid {}

/// One way a document breaks its schema.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize)]
#[non_exhaustive]
pub struct Violation {
    /// JSON pointer to the offending value (`/data/candidate/email`; empty for the root).
    pub instance_path: String,
    /// What failed: a keyword of the schema (`type`, `required`, `enum`,
    /// `format`, ...) or one of the crate's own checks (`json`, `size`,
    /// `duplicate`). Compares with, and serialises as, its name.
    pub keyword: Keyword,
    /// What is wrong, for people.
    pub message: String,
}

impl Violation {
    pub(crate) fn new(
        instance_path: impl Into<String>,
        keyword: Keyword,
        message: impl Into<String>,
    ) -> Self {
        Violation {
            instance_path: instance_path.into(),
            keyword,
            message: message.into(),
        }
    }

    /// A violation of the schema's `keyword`.
    pub(crate) fn schema(
        instance_path: impl Into<String>,
        keyword: impl Into<String>,
        message: impl Into<String>,
    ) -> Self {
        Violation::new(instance_path, Keyword::Schema(keyword.into()), message)
    }

    pub(crate) fn required(instance_path: &str, property: &str) -> Self {
        Violation::schema(
            instance_path,
            "required",
            format!("\"{property}\" is a required property"),
        )
    }

    /// A failure of the typed decoding, where it happened.
    pub(crate) fn from_decode(error: &DecodeError) -> Self {
        Violation::new(error.pointer(), error.keyword(), error.message.clone())
    }
}

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {} [{}]", self.message, self.keyword)
    }
}

/// What a [`Violation`] breaks: a keyword of the event's JSON Schema, or one
/// of this crate's own checks on a body. It compares with, displays as and
/// serialises as its name, as in `--format json`.
///
/// ```
/// use kit_webhooks::Keyword;
///
/// let err = kit_webhooks::parse(br#"{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z"}"#).unwrap_err();
/// let keyword = &err.violations()[0].keyword;
/// assert_eq!(keyword, &Keyword::Schema("required".into()));
/// assert_eq!(*keyword, "required");
/// assert!(keyword.is_schema());
/// assert_eq!(serde_json::to_string(keyword)?, r#""required""#);
///
/// let err = kit_webhooks::parse(b"{").unwrap_err();
/// assert_eq!(err.to_violations()[0].keyword, Keyword::Json);
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Keyword {
    /// A keyword of the schema (`type`, `required`, `enum`, `format`,
    /// `additionalProperties`, ...).
    Schema(String),
    /// The body is not JSON, or not UTF-8 (`json`).
    Json,
    /// The body is over the size limit (`size`).
    Size,
    /// An object has a key twice (`duplicate`): valid JSON Schema, but two
    /// readers may read two values.
    Duplicate,
    /// The validator refused without naming a keyword (`schema`).
    Unnamed,
}

impl Keyword {
    /// The name: the schema keyword, or `json`, `size`, `duplicate`, `schema`.
    pub fn as_str(&self) -> &str {
        match self {
            Keyword::Schema(keyword) => keyword,
            Keyword::Json => "json",
            Keyword::Size => "size",
            Keyword::Duplicate => "duplicate",
            Keyword::Unnamed => "schema",
        }
    }

    /// Whether this is a keyword of the schema, not one of the crate's checks.
    pub fn is_schema(&self) -> bool {
        matches!(self, Keyword::Schema(_))
    }
}

impl fmt::Display for Keyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Keyword {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl PartialEq<str> for Keyword {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Keyword {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Keyword {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other
    }
}
