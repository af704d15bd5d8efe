//! The receive path: verify, then validate, then parse, in one call.

use crate::error::Error;
use crate::headers::{DeliveryHeaders, MAX_HEADER_LEN};
use crate::read::Refusal;
use crate::signature::{Header, Verified, Verifier, VerifyError};
use crate::{Drift, Parser, WebhookEvent};
use chrono::{DateTime, Utc};

/// Why a delivery was not received.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The body is over the size limit; it was neither verified nor parsed.
    #[error("the body is {size} bytes, over the limit of {limit} bytes")]
    TooLarge {
        /// The body's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The body could not be read to its end: the connection failed or
    /// closed before the body was whole. Nothing was received.
    #[error("the body could not be read to its end: {0}")]
    Unreadable(#[source] BodyError),
    /// The delivery is not authentic, or its headers are missing or malformed.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// Authentic, but the unsigned `X-Webhook-Event` header names another event
    /// than the signed body.
    #[error("the X-Webhook-Event header says {header:?} but the signed body says {body:?}")]
    EventMismatch {
        /// The header's event.
        header: String,
        /// The body's event.
        body: String,
    },
    /// Authentic, but the body is not a valid delivery. Kit will not resend
    /// it after a 4xx answer: keep it (see [`ReceiveError::is_authentic`]).
    #[error("authentic delivery, but {error}")]
    Invalid {
        /// The successful verification.
        verified: Verified,
        /// What is wrong with the body.
        error: Error,
    },
}

impl ReceiveError {
    /// Whether the delivery was proven to come from Kit (so it must not be
    /// lost: quarantine it, or answer 5xx so that Kit retries).
    pub fn is_authentic(&self) -> bool {
        matches!(
            self,
            ReceiveError::Invalid { .. } | ReceiveError::EventMismatch { .. }
        )
    }

    /// The HTTP status to answer with by default. Kit retries a 5xx and never
    /// a 4xx, so only what is not authentic, or not a well-formed request,
    /// gets a 4xx:
    ///
    /// | status | error |
    /// |---|---|
    /// | 401 | not proven authentic: the `X-Webhook-Signature` header missing, repeated or malformed, a malformed or mismatching signature, and (the signature having matched) a timestamp that does not parse or is outside the replay window |
    /// | 400 | a malformed request: the `X-Webhook-Timestamp` or `X-Webhook-Event` header missing, repeated or malformed, a header/body event mismatch, or a body that could not be read to its end |
    /// | 413 | the body is over the size limit |
    /// | 500 | authentic, but the body is not a valid delivery: Kit will retry it |
    ///
    /// ```
    /// use kit_webhooks::signature::{Header, SignatureFormat};
    /// use kit_webhooks::{BodyError, ReceiveError, VerifyError};
    ///
    /// let status = |e: VerifyError| ReceiveError::from(e).status();
    /// for header in [Header::Signature] {
    ///     assert_eq!(status(VerifyError::MissingHeader(header)), 401);
    ///     assert_eq!(status(VerifyError::RepeatedHeader(header)), 401);
    ///     assert_eq!(status(VerifyError::MalformedHeader(header)), 401);
    /// }
    /// assert_eq!(status(VerifyError::MalformedSignature(SignatureFormat::NotHex)), 401);
    /// assert_eq!(status(VerifyError::Mismatch), 401);
    /// assert_eq!(status(VerifyError::MalformedTimestamp), 401);
    /// assert_eq!(status(VerifyError::Stale { age_seconds: 600, tolerance_seconds: 300 }), 401);
    /// assert_eq!(status(VerifyError::Future { ahead_seconds: 600, tolerance_seconds: 300 }), 401);
    /// for header in [Header::Timestamp, Header::Event] {
    ///     assert_eq!(status(VerifyError::MissingHeader(header)), 400);
    ///     assert_eq!(status(VerifyError::RepeatedHeader(header)), 400);
    ///     assert_eq!(status(VerifyError::MalformedHeader(header)), 400);
    /// }
    /// let mismatch = ReceiveError::EventMismatch { header: "a".into(), body: "b".into() };
    /// assert_eq!(mismatch.status(), 400);
    /// assert_eq!(ReceiveError::TooLarge { size: 2, limit: 1 }.status(), 413);
    /// let reset = std::io::Error::from(std::io::ErrorKind::ConnectionReset);
    /// assert_eq!(ReceiveError::Unreadable(BodyError::new(reset)).status(), 400);
    ///
    /// // Authentic, but `created_at` is not a date-time.
    /// use kit_webhooks::{DeliveryHeaders, Receiver, Signer, Verifier};
    /// let body = br#"{"event":"test.ping","created_at":"yesterday","data":{}}"#;
    /// let at = "2025-01-15T14:30:00Z";
    /// let signature = Signer::new("s").sign(at, body);
    /// let headers = DeliveryHeaders { timestamp: Some(at), signature: Some(&signature), event: Some("test.ping") };
    /// let receiver = Receiver::new(Verifier::new("s"));
    /// let err = receiver.receive_parts_at(headers, body, at.parse().unwrap()).unwrap_err();
    /// assert!(err.is_authentic());
    /// assert_eq!(err.status(), 500);
    /// ```
    pub fn status(&self) -> u16 {
        match self {
            ReceiveError::TooLarge { .. } => 413,
            ReceiveError::Verify(
                VerifyError::MissingHeader(Header::Signature)
                | VerifyError::RepeatedHeader(Header::Signature)
                | VerifyError::MalformedHeader(Header::Signature)
                | VerifyError::MalformedSignature(_)
                | VerifyError::Mismatch
                | VerifyError::MalformedTimestamp
                | VerifyError::Stale { .. }
                | VerifyError::Future { .. },
            ) => 401,
            ReceiveError::Verify(_) | ReceiveError::EventMismatch { .. } | ReceiveError::Unreadable(_) => 400,
            ReceiveError::Invalid { .. } => 500,
        }
    }
}

/// Verifies, validates and parses deliveries.
///
/// ```
/// use kit_webhooks::{DeliveryHeaders, Receiver, Signer, Verifier, WebhookEvent};
///
/// let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;
/// let now: chrono::DateTime<chrono::Utc> = "2025-01-15T14:30:05Z".parse().unwrap();
/// let signature = Signer::new("whsec").sign("2025-01-15T14:30:00Z", body);
///
/// let receiver = Receiver::new(Verifier::new("whsec"));
/// let headers = DeliveryHeaders {
///     timestamp: Some("2025-01-15T14:30:00Z"),
///     signature: Some(&signature),
///     event: Some("test.ping"),
/// };
/// let event = receiver.receive_parts_at(headers, body, now)?;
/// assert!(matches!(event, WebhookEvent::TestPing(_)));
/// # Ok::<(), kit_webhooks::ReceiveError>(())
/// ```
#[derive(Clone, Debug)]
pub struct Receiver {
    verifier: Verifier,
    parser: Parser,
}

impl Receiver {
    /// A receiver with a lenient [`Parser`] and its default size limit.
    pub fn new(verifier: Verifier) -> Self {
        Receiver {
            verifier,
            parser: Parser::new(),
        }
    }

    /// Uses `parser` (mode, size limit) for the body.
    #[must_use]
    pub fn with_parser(mut self, parser: Parser) -> Self {
        self.parser = parser;
        self
    }

    /// The verifier.
    pub fn verifier(&self) -> &Verifier {
        &self.verifier
    }

    /// The parser.
    pub fn parser(&self) -> &Parser {
        &self.parser
    }

    /// Verifies, validates and parses a delivery given its header values.
    ///
    /// # Errors
    ///
    /// See [`ReceiveError`].
    pub fn receive_parts(
        &self,
        headers: DeliveryHeaders<'_>,
        body: &[u8],
    ) -> Result<WebhookEvent, ReceiveError> {
        self.receive_parts_at(headers, body, Utc::now())
    }

    /// As [`Receiver::receive_parts`], as of `now`.
    ///
    /// # Errors
    ///
    /// See [`ReceiveError`].
    pub fn receive_parts_at(
        &self,
        headers: DeliveryHeaders<'_>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<WebhookEvent, ReceiveError> {
        self.receive_parts_with_drift_at(headers, body, now)
            .map(|(event, _)| event)
    }

    /// As [`Receiver::receive_parts`], and what the delivery carries that the
    /// schemas do not document (see [`Drift`]).
    ///
    /// # Errors
    ///
    /// See [`ReceiveError`].
    pub fn receive_parts_with_drift(
        &self,
        headers: DeliveryHeaders<'_>,
        body: &[u8],
    ) -> Result<(WebhookEvent, Drift), ReceiveError> {
        self.receive_parts_with_drift_at(headers, body, Utc::now())
    }

    /// As [`Receiver::receive_parts_with_drift`], as of `now`.
    ///
    /// ```
    /// use kit_webhooks::{DeliveryHeaders, Receiver, Signer, Verifier};
    ///
    /// let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"note":"new"}}"#;
    /// let at = "2025-01-15T14:30:00Z";
    /// let signature = Signer::new("whsec").sign(at, body);
    /// let headers = DeliveryHeaders { timestamp: Some(at), signature: Some(&signature), event: Some("test.ping") };
    /// let receiver = Receiver::new(Verifier::new("whsec"));
    /// let (_, drift) = receiver.receive_parts_with_drift_at(headers, body, at.parse().unwrap())?;
    /// assert_eq!(drift.additions()[0].pointer, "/data/note");
    /// # Ok::<(), kit_webhooks::ReceiveError>(())
    /// ```
    ///
    /// # Errors
    ///
    /// See [`ReceiveError`].
    pub fn receive_parts_with_drift_at(
        &self,
        headers: DeliveryHeaders<'_>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<(WebhookEvent, Drift), ReceiveError> {
        let verified = self.verify_parts_at(headers, body, now)?;
        let header_event = headers.event.ok_or(VerifyError::MissingHeader(Header::Event))?;
        self.parse_verified(header_event, body)?
            .map_err(|error| ReceiveError::Invalid { verified, error })
    }

    /// Reads an authentic body: refuses a header/body event mismatch, then
    /// validates and parses.
    pub(crate) fn parse_verified(
        &self,
        header_event: &str,
        body: &[u8],
    ) -> Result<Result<(WebhookEvent, Drift), Error>, ReceiveError> {
        match self.parser.read(body, Some(header_event)) {
            Ok(read) => Ok(Ok(read)),
            Err(Refusal::Failed(error)) => Ok(Err(error)),
            Err(Refusal::Mismatch(body_event)) => Err(ReceiveError::EventMismatch {
                header: header_event.to_owned(),
                body: body_event,
            }),
        }
    }

    /// Verifies a delivery without parsing it (to queue the body for later).
    ///
    /// # Errors
    ///
    /// [`ReceiveError::TooLarge`] or [`ReceiveError::Verify`].
    pub fn verify_parts(&self, headers: DeliveryHeaders<'_>, body: &[u8]) -> Result<Verified, ReceiveError> {
        self.verify_parts_at(headers, body, Utc::now())
    }

    /// As [`Receiver::verify_parts`], as of `now`.
    ///
    /// # Errors
    ///
    /// [`ReceiveError::TooLarge`] or [`ReceiveError::Verify`].
    pub fn verify_parts_at(
        &self,
        headers: DeliveryHeaders<'_>,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Verified, ReceiveError> {
        let limit = self.parser.current_max_body_size();
        if body.len() > limit {
            return Err(ReceiveError::TooLarge {
                size: body.len(),
                limit,
            });
        }
        let signature = headers
            .signature
            .ok_or(VerifyError::MissingHeader(Header::Signature))?;
        let timestamp = headers
            .timestamp
            .ok_or(VerifyError::MissingHeader(Header::Timestamp))?;
        for (name, value) in [(Header::Signature, signature), (Header::Timestamp, timestamp)] {
            if value.len() > MAX_HEADER_LEN {
                return Err(VerifyError::MalformedHeader(name).into());
            }
        }
        Ok(self.verifier.verify_at(timestamp, signature, body, now)?)
    }

    /// Validates and parses a body that was verified earlier.
    ///
    /// # Errors
    ///
    /// See [`Parser::parse`].
    pub fn parse(&self, body: &[u8]) -> Result<WebhookEvent, Error> {
        self.parser.parse(body)
    }
}

#[cfg(feature = "http")]
mod http_headers {
    use super::*;
    use http::HeaderMap;

    #[cfg_attr(docsrs, doc(cfg(feature = "http")))]
    impl Receiver {
        /// Verifies, validates and parses a delivery (feature `http`).
        ///
        /// # Errors
        ///
        /// See [`ReceiveError`].
        pub fn receive(&self, headers: &HeaderMap, body: &[u8]) -> Result<WebhookEvent, ReceiveError> {
            self.receive_at(headers, body, Utc::now())
        }

        /// As [`Receiver::receive`], as of `now`.
        ///
        /// # Errors
        ///
        /// See [`ReceiveError`].
        pub fn receive_at(
            &self,
            headers: &HeaderMap,
            body: &[u8],
            now: DateTime<Utc>,
        ) -> Result<WebhookEvent, ReceiveError> {
            self.receive_parts_at(DeliveryHeaders::from_header_map(headers)?, body, now)
        }

        /// As [`Receiver::receive`], and what the delivery carries that the
        /// schemas do not document (see [`Drift`]).
        ///
        /// # Errors
        ///
        /// See [`ReceiveError`].
        pub fn receive_with_drift(
            &self,
            headers: &HeaderMap,
            body: &[u8],
        ) -> Result<(WebhookEvent, Drift), ReceiveError> {
            self.receive_parts_with_drift_at(DeliveryHeaders::from_header_map(headers)?, body, Utc::now())
        }

        /// Verifies a delivery without parsing it (feature `http`).
        ///
        /// # Errors
        ///
        /// [`ReceiveError::TooLarge`] or [`ReceiveError::Verify`].
        pub fn verify(&self, headers: &HeaderMap, body: &[u8]) -> Result<Verified, ReceiveError> {
            self.verify_parts(DeliveryHeaders::from_header_map(headers)?, body)
        }
    }
}

/// Why a body could not be read to its end: the transport's own error, kept
/// whole (read it with [`BodyError::get_ref`] and `downcast_ref`). Two are
/// equal when they are the same error or say the same.
///
/// ```
/// use kit_webhooks::BodyError;
/// use std::io::{Error, ErrorKind};
///
/// let error = BodyError::new(Error::from(ErrorKind::ConnectionReset));
/// let io = error.get_ref().downcast_ref::<Error>().unwrap();
/// assert_eq!(io.kind(), ErrorKind::ConnectionReset);
/// ```
#[derive(Clone, Debug)]
pub struct BodyError(std::sync::Arc<dyn std::error::Error + Send + Sync>);

impl BodyError {
    /// Wraps the transport's error.
    pub fn new(error: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        BodyError(std::sync::Arc::from(error.into()))
    }

    /// The transport's error.
    pub fn get_ref(&self) -> &(dyn std::error::Error + Send + Sync + 'static) {
        &*self.0
    }
}

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for BodyError {}

impl PartialEq for BodyError {
    fn eq(&self, other: &Self) -> bool {
        std::sync::Arc::ptr_eq(&self.0, &other.0) || self.0.to_string() == other.0.to_string()
    }
}
