//! The receive API (verify → validate → parse) and the axum extractors.
#![cfg(feature = "axum")]

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::{DateTime, Duration, Utc};
use http_body_util::BodyExt;
use kit_webhooks::axum::{AuthenticDelivery, KitEvent};
mod support;
use support::fixture;

use kit_webhooks::signature::Header;
use kit_webhooks::{DeliveryHeaders, ReceiveError, Receiver, Signer, Verifier, VerifyError, WebhookEvent};
use tower::ServiceExt;

const SECRET: &str = "whsec_test_secret";

fn signed(body: &[u8], at: DateTime<Utc>) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in Signer::new(SECRET).headers(&support::event_of(body), at, body) {
        headers.insert(name, HeaderValue::from_str(&value).unwrap());
    }
    headers
}

fn receiver() -> Receiver {
    Receiver::new(Verifier::new(SECRET))
}

#[test]
fn every_valid_fixture_is_received_typed() {
    let now = Utc::now();
    for entry in std::fs::read_dir(format!("{}/tests/fixtures/valid", env!("CARGO_MANIFEST_DIR"))).unwrap() {
        let body = std::fs::read(entry.unwrap().path()).unwrap();
        let event = receiver().receive_at(&signed(&body, now), &body, now).unwrap();
        assert!(event.event_type().is_some());
        assert_eq!(
            receiver()
                .verify(&signed(&body, Utc::now()), &body)
                .unwrap()
                .secret_index,
            0
        );
    }
}

#[test]
fn headers_are_checked_and_named() {
    let body = fixture("valid/test.ping");
    let now = Utc::now();
    let base = signed(&body, now);
    let receive = |headers: &HeaderMap| receiver().receive_at(headers, &body, now).unwrap_err();

    let mut h = base.clone();
    h.remove("X-Webhook-Signature");
    assert_eq!(
        receive(&h),
        ReceiveError::Verify(VerifyError::MissingHeader(Header::Signature))
    );
    assert_eq!(receive(&h).status(), 401);

    let mut h = base.clone();
    h.remove("X-Webhook-Timestamp");
    assert_eq!(
        receive(&h),
        ReceiveError::Verify(VerifyError::MissingHeader(Header::Timestamp))
    );
    assert_eq!(receive(&h).status(), 400);

    let mut h = base.clone();
    h.remove("X-Webhook-Event");
    assert_eq!(
        receive(&h),
        ReceiveError::Verify(VerifyError::MissingHeader(Header::Event))
    );
    assert_eq!(receive(&h).status(), 400);

    let mut h = base.clone();
    h.append("X-Webhook-Signature", HeaderValue::from_static("00"));
    assert_eq!(
        receive(&h),
        ReceiveError::Verify(VerifyError::RepeatedHeader(Header::Signature))
    );
    assert_eq!(receive(&h).status(), 401);

    let mut h = base.clone();
    h.insert(
        "X-Webhook-Timestamp",
        HeaderValue::from_bytes("2025-01-15T14:30:00Z\u{e9}".as_bytes()).unwrap(),
    );
    assert_eq!(
        receive(&h),
        ReceiveError::Verify(VerifyError::MalformedHeader(Header::Timestamp))
    );

    let mut h = base.clone();
    h.insert(
        "X-Webhook-Signature",
        HeaderValue::from_str(&"a".repeat(100_000)).unwrap(),
    );
    assert_eq!(
        receive(&h),
        ReceiveError::Verify(VerifyError::MalformedHeader(Header::Signature))
    );
}

#[test]
fn an_unsigned_event_header_must_agree_with_the_signed_body() {
    let body = fixture("valid/test.ping");
    let now = Utc::now();
    let mut h = signed(&body, now);
    h.insert(
        "X-Webhook-Event",
        HeaderValue::from_static("application.submitted"),
    );
    let err = receiver().receive_at(&h, &body, now).unwrap_err();
    assert_eq!(
        err,
        ReceiveError::EventMismatch {
            header: "application.submitted".into(),
            body: "test.ping".into()
        }
    );
    assert_eq!(err.status(), 400);
}

#[test]
fn forged_stale_and_future_deliveries_are_401() {
    let body = fixture("valid/test.ping");
    let now = Utc::now();
    let forged = Receiver::new(Verifier::new("other"))
        .receive_at(&signed(&body, now), &body, now)
        .unwrap_err();
    assert_eq!((forged.status(), forged.is_authentic()), (401, false));
    let stale = receiver()
        .receive_at(&signed(&body, now - Duration::seconds(301)), &body, now)
        .unwrap_err();
    assert!(matches!(stale, ReceiveError::Verify(VerifyError::Stale { .. })) && stale.status() == 401);
    let future = receiver()
        .receive_at(&signed(&body, now + Duration::seconds(301)), &body, now)
        .unwrap_err();
    assert!(matches!(future, ReceiveError::Verify(VerifyError::Future { .. })) && future.status() == 401);
}

#[test]
fn an_authentic_invalid_delivery_is_marked_authentic_and_kept_out_of_4xx() {
    let body = fixture("invalid/offer.bad-email");
    let now = Utc::now();
    let err = receiver()
        .receive_at(&signed(&body, now), &body, now)
        .unwrap_err();
    let ReceiveError::Invalid { verified, error } = &err else {
        panic!("{err:?}")
    };
    assert_eq!(verified.secret_index, 0);
    assert_eq!(error.violations()[0].instance_path, "/data/candidate/email");
    assert!(err.is_authentic());
    assert_eq!(err.status(), 500, "never a 4xx: Kit would drop it");
    // Not JSON at all, but authentic: still an Invalid, not a 4xx.
    let body = b"\xff not json";
    let mut h = signed(body, now);
    h.insert("X-Webhook-Event", HeaderValue::from_static("test.ping"));
    assert!(receiver().receive_at(&h, body, now).unwrap_err().is_authentic());
}

#[test]
fn the_size_limit_comes_before_the_hmac() {
    let body = vec![b' '; 2 * 1024 * 1024];
    let now = Utc::now();
    let err = receiver()
        .receive_at(&signed(&body, now), &body, now)
        .unwrap_err();
    assert_eq!(
        err,
        ReceiveError::TooLarge {
            size: body.len(),
            limit: 1024 * 1024
        }
    );
    assert_eq!(err.status(), 413);
}

#[test]
fn plain_header_values_work_without_a_header_map() {
    let body = fixture("valid/interview.no_show");
    let now = Utc::now();
    let ts = kit_webhooks::signature::format_timestamp(now);
    let sig = Signer::new(SECRET).sign(&ts, &body);
    let headers = DeliveryHeaders {
        timestamp: Some(&ts),
        signature: Some(&sig),
        event: Some("interview.no_show"),
    };
    assert!(matches!(
        receiver().receive_parts(headers, &body).unwrap(),
        WebhookEvent::InterviewNoShow(_)
    ));
    // Verify-only, then parse later (a queue in between).
    let verified = receiver().verify_parts(headers, &body).unwrap();
    assert_eq!(verified.secret_index, 0);
    assert!(matches!(
        receiver().parse(&body).unwrap(),
        WebhookEvent::InterviewNoShow(_)
    ));
}

// ---------------------------------------------------------------------------
// axum
// ---------------------------------------------------------------------------

fn app() -> Router {
    async fn typed(KitEvent(event): KitEvent) -> String {
        event.event_name().to_owned()
    }
    async fn all(delivery: AuthenticDelivery) -> (StatusCode, String) {
        match delivery.event {
            Ok(event) => (StatusCode::OK, event.event_name().to_owned()),
            Err(error) => (
                StatusCode::ACCEPTED,
                format!("kept {} bytes: {error}", delivery.body.len()),
            ),
        }
    }
    Router::new()
        .route("/typed", post(typed))
        .route("/all", post(all))
        .with_state(receiver())
}

async fn call(path: &str, headers: HeaderMap, body: Vec<u8>) -> (StatusCode, String) {
    let mut request = Request::post(path).body(Body::from(body)).unwrap();
    *request.headers_mut() = headers;
    let response = app().oneshot(request).await.unwrap();
    let status = response.status();
    let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, text)
}

/// Calls the app with a body sent in `chunks`, then cut off with `error`
/// (or ended, when there is none), without a Content-Length.
async fn call_streamed(
    chunks: &[&[u8]],
    error: Option<std::io::Error>,
    headers: HeaderMap,
) -> (StatusCode, String) {
    let (mut sender, channel) =
        http_body_util::channel::Channel::<bytes::Bytes, std::io::Error>::new(chunks.len() + 1);
    for chunk in chunks {
        sender
            .send_data(bytes::Bytes::copy_from_slice(chunk))
            .await
            .unwrap();
    }
    match error {
        Some(error) => sender.abort(error),
        None => drop(sender),
    }
    let mut request = Request::post("/all").body(Body::new(channel)).unwrap();
    *request.headers_mut() = headers;
    let response = app().oneshot(request).await.unwrap();
    let status = response.status();
    let text = String::from_utf8(response.into_body().collect().await.unwrap().to_bytes().to_vec()).unwrap();
    (status, text)
}

#[tokio::test]
async fn a_body_cut_off_is_unreadable_not_too_large_and_a_chunked_body_is_held_to_the_limit() {
    let body = fixture("valid/application.submitted");
    let headers = signed(&body, Utc::now());
    let (half, rest) = body.split_at(body.len() / 2);
    let reset = std::io::Error::new(std::io::ErrorKind::ConnectionReset, "connection reset by peer");
    let (status, text) = call_streamed(&[half], Some(reset), headers.clone()).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{text}");
    assert!(text.contains("could not be read to its end"), "{text}");
    // The same body whole, in two chunks: received.
    let (status, text) = call_streamed(&[half, rest], None, headers.clone()).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "application.submitted"));
    // Chunks past the limit (1 MiB by default), with no Content-Length to warn: 413.
    let big = vec![b' '; 600 * 1024];
    let (status, text) = call_streamed(&[&big, &big], None, headers).await;
    assert_eq!(status, StatusCode::PAYLOAD_TOO_LARGE, "{text}");
}

#[tokio::test]
async fn the_extractor_yields_typed_events() {
    let body = fixture("valid/application.submitted");
    let (status, text) = call("/typed", signed(&body, Utc::now()), body).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "application.submitted"));
}

#[tokio::test]
async fn the_extractor_rejects_what_is_not_authentic_with_401_and_malformed_requests_with_400() {
    let body = fixture("valid/test.ping");
    let now = Utc::now();
    for path in ["/typed", "/all"] {
        let mut forged = signed(&body, now);
        forged.insert(
            "X-Webhook-Signature",
            HeaderValue::from_str(&"0".repeat(64)).unwrap(),
        );
        assert_eq!(call(path, forged, body.clone()).await.0, StatusCode::UNAUTHORIZED);
        let stale = signed(&body, now - Duration::minutes(10));
        assert_eq!(call(path, stale, body.clone()).await.0, StatusCode::UNAUTHORIZED);
        let mut unsigned = signed(&body, now);
        unsigned.remove("X-Webhook-Signature");
        assert_eq!(
            call(path, unsigned, body.clone()).await.0,
            StatusCode::UNAUTHORIZED
        );
        let mut mismatch = signed(&body, now);
        mismatch.insert("X-Webhook-Event", HeaderValue::from_static("offer.accepted"));
        assert_eq!(
            call(path, mismatch, body.clone()).await.0,
            StatusCode::BAD_REQUEST
        );
        let mut no_time = signed(&body, now);
        no_time.remove("X-Webhook-Timestamp");
        let (status, text) = call(path, no_time, body.clone()).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert!(!text.contains(SECRET));
        let big = vec![b' '; 2 * 1024 * 1024];
        assert_eq!(
            call(path, signed(&big, now), big).await.0,
            StatusCode::PAYLOAD_TOO_LARGE
        );
    }
}

#[tokio::test]
async fn authentic_invalid_deliveries_reach_the_handler_or_get_a_5xx_never_a_4xx() {
    let body = fixture("invalid/interview.null-not-nullable-status");
    let (status, text) = call("/all", signed(&body, Utc::now()), body.clone()).await;
    assert_eq!(status, StatusCode::ACCEPTED);
    assert!(text.contains("kept") && text.contains("/data/status"), "{text}");
    let (status, _) = call("/typed", signed(&body, Utc::now()), body).await;
    assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR, "Kit retries a 5xx");
}

#[tokio::test]
async fn a_value_kit_adds_later_is_received_not_refused() {
    let body = fixture("invalid/interview.undocumented-enum-status");
    let (status, text) = call("/typed", signed(&body, Utc::now()), body.clone()).await;
    assert_eq!((status, text.as_str()), (StatusCode::OK, "interview.scheduled"));
    let event = receiver().receive(&signed(&body, Utc::now()), &body).unwrap();
    let WebhookEvent::InterviewScheduled(delivery) = event else {
        panic!("{event:?}")
    };
    assert_eq!(
        delivery.data.status,
        kit_webhooks::types::InterviewStatus::from("rescheduled")
    );
    assert!(!delivery.data.status.is_known());
}
