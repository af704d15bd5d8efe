//! axum integration (feature `axum`): extractors that verify, validate and
//! parse a delivery, with secrets taken from the router's state.
//!
//! - [`KitEvent`] yields the typed event and rejects everything else.
//! - [`AuthenticDelivery`] rejects only what is not authentic (401) or is a
//!   malformed request (400, 413), and hands an authentic delivery to the
//!   handler even when its body is invalid, so that the handler can keep it.
//!   Kit never retries a 4xx, so an authentic delivery must not be answered
//!   4xx just because the schemas did not understand it.
//!
//! ```
//! use axum::{routing::post, Router};
//! use kit_webhooks::axum::{AuthenticDelivery, KitEvent};
//! use kit_webhooks::{Receiver, Verifier, WebhookEvent};
//!
//! async fn typed(KitEvent(event): KitEvent) -> &'static str {
//!     match event {
//!         WebhookEvent::ApplicationSubmitted(delivery) => println!("{}", delivery.data.candidate.name),
//!         other => println!("{}", other.event_name()),
//!     }
//!     "ok"
//! }
//!
//! async fn keep_everything(delivery: AuthenticDelivery) -> &'static str {
//!     for addition in &delivery.drift {
//!         println!("Kit added something the schemas do not document: {addition}");
//!     }
//!     match delivery.event {
//!         Ok(event) => println!("{}", event.event_name()),
//!         // Authentic but not understood: store `delivery.body` for later.
//!         Err(error) => eprintln!("quarantined: {error}"),
//!     }
//!     "ok"
//! }
//!
//! let receiver = Receiver::new(Verifier::new("old-secret").with_secret("new-secret"));
//! let app: Router = Router::new()
//!     .route("/webhooks/kit", post(typed))
//!     .route("/webhooks/kit/all", post(keep_everything))
//!     .with_state(receiver);
//! ```

use axum::extract::{FromRef, FromRequest, Request};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use bytes::Bytes;

use crate::{DeliveryHeaders, Drift, Error, ReceiveError, Receiver, Verified, VerifyError, WebhookEvent};

/// The verified, validated, typed event of a request.
#[derive(Clone, Debug)]
pub struct KitEvent(pub WebhookEvent);

/// An authentic delivery: verified, with its raw body and the outcome of
/// validating and parsing it.
#[derive(Clone, Debug)]
#[non_exhaustive]
pub struct AuthenticDelivery {
    /// The raw body, exactly as received and signed.
    pub body: Bytes,
    /// Which secret matched, and the signed time.
    pub verified: Verified,
    /// The typed event, or why the body is not a valid delivery.
    pub event: Result<WebhookEvent, Error>,
    /// What a valid delivery carries that the schemas do not document
    /// (empty for an invalid one): see [`Drift`].
    pub drift: Drift,
}

/// Why a request was refused. Its response has the status of
/// [`ReceiveError::status`] and the reason as plain text; no secret ever
/// appears in it.
#[derive(Debug)]
pub struct Rejection(pub ReceiveError);

impl IntoResponse for Rejection {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::BAD_REQUEST);
        (status, self.0.to_string()).into_response()
    }
}

impl std::fmt::Display for Rejection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for Rejection {}

/// Reads the whole body, refusing it as soon as it grows over `limit`. A read
/// that fails (the connection reset or closed early) is
/// [`ReceiveError::Unreadable`], not an over-size body.
async fn read_body(mut body: axum::body::Body, limit: usize) -> Result<Bytes, Rejection> {
    use axum::body::HttpBody as _;
    // A body in one frame (the usual case) is kept as it came, without a copy.
    let mut chunks: Vec<Bytes> = Vec::new();
    let mut size = 0usize;
    while let Some(frame) = std::future::poll_fn(|cx| std::pin::Pin::new(&mut body).poll_frame(cx)).await {
        let frame = frame.map_err(|e| Rejection(ReceiveError::Unreadable(crate::BodyError::new(e))))?;
        if let Ok(data) = frame.into_data() {
            size = size.saturating_add(data.len());
            if size > limit {
                return Err(Rejection(ReceiveError::TooLarge { size, limit }));
            }
            chunks.push(data);
        }
    }
    Ok(match chunks.len() {
        0 => Bytes::new(),
        1 => chunks.swap_remove(0),
        _ => Bytes::from(chunks.concat()),
    })
}

/// Reads the body (within the parser's limit) and verifies it.
async fn verified_body(req: Request, receiver: &Receiver) -> Result<(Bytes, Verified, String), Rejection> {
    let (parts, body) = req.into_parts();
    let limit = receiver.parser().current_max_body_size();
    let headers = DeliveryHeaders::from_header_map(&parts.headers).map_err(|e| Rejection(e.into()))?;
    if let Some(length) = parts
        .headers
        .get(axum::http::header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<usize>().ok())
    {
        if length > limit {
            return Err(Rejection(ReceiveError::TooLarge { size: length, limit }));
        }
    }
    let body = read_body(body, limit).await?;
    let verified = receiver.verify_parts(headers, &body).map_err(Rejection)?;
    let event = headers.event.ok_or(Rejection(
        VerifyError::MissingHeader(crate::signature::Header::Event).into(),
    ))?;
    Ok((body, verified, event.to_owned()))
}

impl<S> FromRequest<S> for AuthenticDelivery
where
    Receiver: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let receiver = Receiver::from_ref(state);
        let (body, verified, header_event) = verified_body(req, &receiver).await?;
        let (event, drift) = match receiver.parse_verified(&header_event, &body).map_err(Rejection)? {
            Ok((event, drift)) => (Ok(event), drift),
            Err(error) => (Err(error), Drift::default()),
        };
        Ok(AuthenticDelivery {
            body,
            verified,
            event,
            drift,
        })
    }
}

impl<S> FromRequest<S> for KitEvent
where
    Receiver: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Rejection;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let delivery = AuthenticDelivery::from_request(req, state).await?;
        delivery.event.map(KitEvent).map_err(|error| {
            Rejection(ReceiveError::Invalid {
                verified: delivery.verified,
                error,
            })
        })
    }
}
