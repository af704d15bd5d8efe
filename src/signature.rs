//! Signature verification and signing: HMAC-SHA256 over
//! `<X-Webhook-Timestamp>.<raw body>`, lowercase hex, a replay window, and
//! several secrets at once for rotation.

use std::fmt;
use std::time::Duration;

use chrono::{DateTime, SecondsFormat, Utc};
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

/// `Content-Type`: always `application/json`.
pub const CONTENT_TYPE: &str = "Content-Type";
/// `X-Webhook-Event`: the event name. Not signed; the signed body's `event` is the truth.
pub const EVENT_HEADER: &str = "X-Webhook-Event";
/// `X-Webhook-Signature`: the lowercase hex HMAC-SHA256 digest (64 characters).
pub const SIGNATURE_HEADER: &str = "X-Webhook-Signature";
/// `X-Webhook-Timestamp`: the RFC 3339 timestamp that is signed with the body.
pub const TIMESTAMP_HEADER: &str = "X-Webhook-Timestamp";
/// `User-Agent`: `Kit-Webhooks/1.0`.
pub const USER_AGENT: &str = "User-Agent";
/// The `User-Agent` Kit sends.
pub const KIT_USER_AGENT: &str = "Kit-Webhooks/1.0";

/// A header the receive path reads.
///
/// ```
/// use kit_webhooks::signature::Header;
///
/// assert_eq!(Header::Signature.name(), "X-Webhook-Signature");
/// assert_eq!(Header::Timestamp.to_string(), "X-Webhook-Timestamp");
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Header {
    /// `X-Webhook-Timestamp`: signed with the body.
    Timestamp,
    /// `X-Webhook-Signature`: the HMAC.
    Signature,
    /// `X-Webhook-Event`: not signed; must agree with the body's `event`.
    Event,
}

impl Header {
    /// The header's name, as Kit sends it.
    pub const fn name(self) -> &'static str {
        match self {
            Header::Timestamp => TIMESTAMP_HEADER,
            Header::Signature => SIGNATURE_HEADER,
            Header::Event => EVENT_HEADER,
        }
    }
}

impl fmt::Display for Header {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The default replay window: 5 minutes, either way.
pub const DEFAULT_TOLERANCE: Duration = Duration::from_secs(5 * 60);

/// A signing secret. Its bytes are used as-is (UTF-8 text of the secret, no
/// base64, no prefix). `Debug` never shows it.
#[derive(Clone)]
struct Key {
    mac: HmacSha256,
}

impl Key {
    fn new(secret: &[u8]) -> Self {
        Key {
            mac: HmacSha256::new_from_slice(secret).expect("HMAC takes keys of any length"),
        }
    }

    fn digest(&self, timestamp: &str, body: &[u8]) -> [u8; 32] {
        let mut mac = self.mac.clone();
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.finalize().into_bytes().into()
    }

    fn matches(&self, timestamp: &str, body: &[u8], expected: &[u8; 32]) -> bool {
        let mut mac = self.mac.clone();
        mac.update(timestamp.as_bytes());
        mac.update(b".");
        mac.update(body);
        mac.verify_slice(expected).is_ok()
    }
}

/// Why a delivery is not authentic, one variant per failed check.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// A required header is absent.
    #[error("the {0} header is missing")]
    MissingHeader(Header),
    /// A header appears more than once.
    #[error("the {0} header appears more than once")]
    RepeatedHeader(Header),
    /// A header value is not visible ASCII, or is far too long to be Kit's.
    #[error("the {0} header is not a plausible value")]
    MalformedHeader(Header),
    /// The signature is not 64 lowercase or uppercase hex digits.
    #[error("the signature is malformed: {0}")]
    MalformedSignature(SignatureFormat),
    /// No secret produces this signature for this timestamp and body.
    #[error("the signature does not match the body and timestamp")]
    Mismatch,
    /// The timestamp is not an RFC 3339 date-time.
    #[error("the timestamp is not an RFC 3339 date-time")]
    MalformedTimestamp,
    /// The timestamp is older than the tolerance allows.
    #[error("the timestamp is {age_seconds} s old, beyond the {tolerance_seconds} s tolerance")]
    Stale {
        /// How old the timestamp is, in whole seconds.
        age_seconds: u64,
        /// The tolerance, in seconds.
        tolerance_seconds: u64,
    },
    /// The timestamp is further in the future than the tolerance allows.
    #[error("the timestamp is {ahead_seconds} s in the future, beyond the {tolerance_seconds} s tolerance")]
    Future {
        /// How far ahead the timestamp is, in whole seconds.
        ahead_seconds: u64,
        /// The tolerance, in seconds.
        tolerance_seconds: u64,
    },
}

/// What is wrong with the form of a signature.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SignatureFormat {
    /// It contains a character that is not a hex digit.
    #[error("not hex")]
    NotHex,
    /// It is not 64 hex digits long.
    #[error("{0} characters, expected 64")]
    WrongLength(usize),
}

/// A successful verification: which secret matched, and the signed time.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Verified {
    /// The position of the matching secret, in the order they were given to the [`Verifier`].
    pub secret_index: usize,
    /// The signed `X-Webhook-Timestamp`.
    pub timestamp: DateTime<Utc>,
}

/// Checks delivery signatures against one or more secrets.
///
/// ```
/// use chrono::{DateTime, Utc};
/// use kit_webhooks::{Signer, Verifier, VerifyError};
///
/// let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;
/// let timestamp = "2025-01-15T14:30:00Z";
/// let signature = Signer::new("new-secret").sign(timestamp, body);
///
/// // During a rotation, accept both secrets; `secret_index` says which matched.
/// let verifier = Verifier::new("old-secret").with_secret("new-secret");
/// let now: DateTime<Utc> = "2025-01-15T14:31:00Z".parse().unwrap();
/// let verified = verifier.verify_at(timestamp, &signature, body, now)?;
/// assert_eq!(verified.secret_index, 1);
///
/// // The same delivery ten minutes later is a replay.
/// let later: DateTime<Utc> = "2025-01-15T14:40:00Z".parse().unwrap();
/// assert!(matches!(verifier.verify_at(timestamp, &signature, body, later), Err(VerifyError::Stale { .. })));
/// # Ok::<(), VerifyError>(())
/// ```
#[derive(Clone)]
pub struct Verifier {
    keys: std::sync::Arc<[Key]>,
    tolerance: Duration,
}

impl fmt::Debug for Verifier {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Verifier")
            .field("secrets", &format_args!("[REDACTED; {}]", self.keys.len()))
            .field("tolerance", &self.tolerance)
            .finish()
    }
}

impl Verifier {
    /// A verifier for one secret, with the default 5-minute tolerance.
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Verifier {
            keys: vec![Key::new(secret.as_ref())].into(),
            tolerance: DEFAULT_TOLERANCE,
        }
    }

    /// Also accepts signatures made with `secret` (for rotation: old and new).
    #[must_use]
    pub fn with_secret(mut self, secret: impl AsRef<[u8]>) -> Self {
        let mut keys = self.keys.to_vec();
        keys.push(Key::new(secret.as_ref()));
        self.keys = keys.into();
        self
    }

    /// Sets the replay window, applied to both the past and the future.
    #[must_use]
    pub fn tolerance(mut self, tolerance: Duration) -> Self {
        self.tolerance = tolerance;
        self
    }

    /// The replay window in use.
    pub fn current_tolerance(&self) -> Duration {
        self.tolerance
    }

    /// Verifies a delivery against the current time.
    ///
    /// # Errors
    ///
    /// The first failed check, in this order: the signature's form, the
    /// signature itself, the timestamp's form, the replay window.
    pub fn verify(&self, timestamp: &str, signature: &str, body: &[u8]) -> Result<Verified, VerifyError> {
        self.verify_at(timestamp, signature, body, Utc::now())
    }

    /// Verifies a delivery as of `now` (for tests and replays).
    ///
    /// # Errors
    ///
    /// As [`Verifier::verify`].
    pub fn verify_at(
        &self,
        timestamp: &str,
        signature: &str,
        body: &[u8],
        now: DateTime<Utc>,
    ) -> Result<Verified, VerifyError> {
        let expected = decode_hex(signature).map_err(VerifyError::MalformedSignature)?;
        let secret_index = self
            .keys
            .iter()
            .position(|key| key.matches(timestamp, body, &expected))
            .ok_or(VerifyError::Mismatch)?;
        let signed_at = DateTime::parse_from_rfc3339(timestamp)
            .map_err(|_| VerifyError::MalformedTimestamp)?
            .with_timezone(&Utc);
        let tolerance_seconds = self.tolerance.as_secs();
        let tolerance = chrono::Duration::from_std(self.tolerance).unwrap_or(chrono::Duration::MAX);
        let delta = now.signed_duration_since(signed_at);
        if delta > tolerance {
            return Err(VerifyError::Stale {
                age_seconds: seconds(delta),
                tolerance_seconds,
            });
        }
        if -delta > tolerance {
            return Err(VerifyError::Future {
                ahead_seconds: seconds(-delta),
                tolerance_seconds,
            });
        }
        Ok(Verified {
            secret_index,
            timestamp: signed_at,
        })
    }
}

fn seconds(delta: chrono::Duration) -> u64 {
    u64::try_from(delta.num_seconds()).unwrap_or(0)
}

/// Signs deliveries the way Kit does, for testing your own receiver.
///
/// ```
/// use kit_webhooks::Signer;
///
/// let signer = Signer::new("whsec_test");
/// let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;
/// let timestamp: chrono::DateTime<chrono::Utc> = "2025-01-15T14:30:00Z".parse().unwrap();
/// let headers = signer.headers("test.ping", timestamp, body);
/// assert_eq!(headers[1], ("X-Webhook-Event", "test.ping".to_owned()));
/// assert_eq!(headers[3], ("X-Webhook-Timestamp", "2025-01-15T14:30:00Z".to_owned()));
/// assert_eq!(headers[2].1, signer.sign("2025-01-15T14:30:00Z", body));
/// ```
#[derive(Clone)]
pub struct Signer {
    key: Key,
}

impl fmt::Debug for Signer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Signer")
            .field("secret", &format_args!("[REDACTED]"))
            .finish()
    }
}

impl Signer {
    /// A signer for `secret`.
    pub fn new(secret: impl AsRef<[u8]>) -> Self {
        Signer {
            key: Key::new(secret.as_ref()),
        }
    }

    /// The lowercase hex signature of `body` signed at `timestamp` (the exact
    /// header text).
    pub fn sign(&self, timestamp: &str, body: &[u8]) -> String {
        encode_hex(&self.key.digest(timestamp, body))
    }

    /// The five headers Kit sends with `body`, a delivery of `event`, at
    /// `timestamp`, in the order `Content-Type`, `X-Webhook-Event`,
    /// `X-Webhook-Signature`, `X-Webhook-Timestamp`, `User-Agent`. The signer
    /// signs bytes and never reads the payload: the caller names the event
    /// (as Kit does, from the event it is delivering).
    pub fn headers(&self, event: &str, timestamp: DateTime<Utc>, body: &[u8]) -> [(&'static str, String); 5] {
        let timestamp = format_timestamp(timestamp);
        [
            (CONTENT_TYPE, "application/json".to_owned()),
            (EVENT_HEADER, event.to_owned()),
            (SIGNATURE_HEADER, self.sign(&timestamp, body)),
            (TIMESTAMP_HEADER, timestamp),
            (USER_AGENT, KIT_USER_AGENT.to_owned()),
        ]
    }
}

/// A timestamp as Kit writes it in `X-Webhook-Timestamp` (`2025-01-15T14:30:00Z`).
pub fn format_timestamp(timestamp: DateTime<Utc>) -> String {
    timestamp.to_rfc3339_opts(SecondsFormat::AutoSi, true)
}

/// A stable key for a delivery, for idempotent processing: the lowercase hex
/// SHA-256 of the raw body. Kit retries a delivery (after a 5xx or a timeout)
/// with the same body, so a retry has the same key, while two distinct
/// deliveries differ at least in their `created_at` or `data`. The timestamp
/// header is left out on purpose: a retry may be signed again at a new time.
///
/// ```
/// let key = kit_webhooks::delivery_key(b"{}");
/// assert_eq!(key.len(), 64);
/// assert_eq!(key, kit_webhooks::delivery_key(b"{}"));
/// assert_ne!(key, kit_webhooks::delivery_key(b"{ }"));
/// ```
pub fn delivery_key(body: &[u8]) -> String {
    encode_hex(&Sha256::digest(body).into())
}

fn encode_hex(bytes: &[u8; 32]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut out = String::with_capacity(64);
    for &b in bytes {
        out.push(char::from(DIGITS[usize::from(b >> 4)]));
        out.push(char::from(DIGITS[usize::from(b & 15)]));
    }
    out
}

fn decode_hex(text: &str) -> Result<[u8; 32], SignatureFormat> {
    let bytes = text.as_bytes();
    if !bytes.iter().all(u8::is_ascii_hexdigit) {
        return Err(SignatureFormat::NotHex);
    }
    if bytes.len() != 64 {
        return Err(SignatureFormat::WrongLength(text.chars().count()));
    }
    let mut out = [0u8; 32];
    for (i, pair) in bytes.chunks_exact(2).enumerate() {
        out[i] = (nibble(pair[0]) << 4) | nibble(pair[1]);
    }
    Ok(out)
}

fn nibble(digit: u8) -> u8 {
    match digit {
        b'0'..=b'9' => digit - b'0',
        b'a'..=b'f' => digit - b'a' + 10,
        _ => digit - b'A' + 10,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hex_round_trips() {
        let bytes: [u8; 32] = core::array::from_fn(|i| (i * 37) as u8);
        assert_eq!(decode_hex(&encode_hex(&bytes)).unwrap(), bytes);
        assert_eq!(decode_hex(&encode_hex(&bytes).to_uppercase()).unwrap(), bytes);
        assert_eq!(decode_hex("zz"), Err(SignatureFormat::NotHex));
        assert_eq!(decode_hex("ab"), Err(SignatureFormat::WrongLength(2)));
        assert_eq!(decode_hex(""), Err(SignatureFormat::WrongLength(0)));
    }

    #[test]
    fn debug_never_shows_a_secret() {
        let verifier = Verifier::new("super-secret-value").with_secret("another-secret-value");
        let signer = Signer::new("super-secret-value");
        for text in [
            format!("{verifier:?}"),
            format!("{signer:?}"),
            format!("{verifier:#?}"),
        ] {
            assert!(
                !text.contains("super-secret") && !text.contains("another-secret"),
                "{text}"
            );
            assert!(text.contains("REDACTED"), "{text}");
        }
    }
}
