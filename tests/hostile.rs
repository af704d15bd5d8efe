//! Hostile and malformed input, one named test each, through every library
//! entry point: validate, parse, the typed decoding, verify, receive and the
//! axum extractors. Each answers with a typed error; none panics or hangs.
//! (The CLI gets the same battery in `tests/cli.rs`.)
#![cfg(feature = "axum")]

use axum::body::Body;
use axum::http::{HeaderMap, HeaderValue, Request, StatusCode};
use axum::routing::post;
use axum::Router;
use chrono::Utc;
use kit_webhooks::axum::{AuthenticDelivery, KitEvent};
use kit_webhooks::{
    Error, JsonErrorKind, ReceiveError, Receiver, Signer, Verifier, VerifyError, WebhookEvent,
};
use tower::ServiceExt;

mod support;

const SECRET: &str = "whsec_hostile";

fn signed(body: &[u8]) -> HeaderMap {
    let mut headers = HeaderMap::new();
    for (name, value) in Signer::new(SECRET).headers(&support::event_of(body), Utc::now(), body) {
        headers.insert(
            name,
            HeaderValue::from_str(&value).unwrap_or(HeaderValue::from_static("x")),
        );
    }
    // A body without a string `event` has an empty event header: say something.
    if headers.get("X-Webhook-Event").is_none_or(|v| v.is_empty()) {
        headers.insert("X-Webhook-Event", HeaderValue::from_static("test.ping"));
    }
    headers
}

async fn status(path: &str, headers: HeaderMap, body: Vec<u8>) -> StatusCode {
    async fn typed(KitEvent(_): KitEvent) -> StatusCode {
        StatusCode::OK
    }
    async fn kept(delivery: AuthenticDelivery) -> StatusCode {
        if delivery.event.is_ok() {
            StatusCode::OK
        } else {
            StatusCode::ACCEPTED
        }
    }
    let app = Router::new()
        .route("/typed", post(typed))
        .route("/kept", post(kept))
        .with_state(Receiver::new(Verifier::new(SECRET)));
    let mut request = Request::post(path).body(Body::from(body)).unwrap();
    *request.headers_mut() = headers;
    app.oneshot(request).await.unwrap().status()
}

/// Runs `body` through every entry point; `json` is the expected JSON error
/// kind, or `None` when the body is JSON but not a valid delivery.
fn refused_everywhere(body: &[u8], json: Option<JsonErrorKind>) {
    let started = std::time::Instant::now();
    let parsed = kit_webhooks::parse(body).unwrap_err();
    match (&parsed, json) {
        (Error::Json(e), Some(kind)) => assert_eq!(e.kind, kind, "{e}"),
        (Error::Invalid(invalid), None) => assert!(!invalid.violations.is_empty()),
        (Error::TooLarge { .. }, _) => {}
        other => panic!("unexpected {other:?}"),
    }
    assert!(!parsed.to_string().is_empty());
    assert_eq!(kit_webhooks::validate(body).unwrap_err(), parsed);
    assert!(WebhookEvent::from_slice(body).is_err());
    // Forged: refused before the body is looked at.
    let forged = Verifier::new(SECRET).verify(
        &kit_webhooks::signature::format_timestamp(Utc::now()),
        &"0".repeat(64),
        body,
    );
    assert_eq!(forged, Err(VerifyError::Mismatch));
    // Authentic: kept apart, never refused as forged, never a 4xx.
    let receiver = Receiver::new(Verifier::new(SECRET));
    match receiver.receive(&signed(body), body) {
        Err(err @ ReceiveError::Invalid { .. }) => assert_eq!(err.status(), 500),
        Err(ReceiveError::TooLarge { .. }) => {}
        other => panic!("unexpected {other:?}"),
    }
    let runtime = tokio::runtime::Builder::new_current_thread().build().unwrap();
    let (typed, kept) = runtime.block_on(async {
        (
            status("/typed", signed(body), body.to_vec()).await,
            status("/kept", signed(body), body.to_vec()).await,
        )
    });
    if body.len()
        > Receiver::new(Verifier::new(SECRET))
            .parser()
            .current_max_body_size()
    {
        assert_eq!(
            (typed, kept),
            (StatusCode::PAYLOAD_TOO_LARGE, StatusCode::PAYLOAD_TOO_LARGE)
        );
    } else {
        assert_eq!(
            typed,
            StatusCode::INTERNAL_SERVER_ERROR,
            "authentic but invalid: Kit retries a 5xx"
        );
        assert_eq!(
            kept,
            StatusCode::ACCEPTED,
            "authentic but invalid: handed to the handler"
        );
    }
    assert!(started.elapsed().as_secs() < 20, "answered quickly");
}

macro_rules! hostile {
    ($($name:ident: $body:expr, $kind:expr;)*) => {
        $(
            #[test]
            fn $name() {
                let body: Vec<u8> = $body;
                refused_everywhere(&body, $kind);
            }
        )*
    };
}

fn with_data_field(value: &str) -> Vec<u8> {
    format!(
        r#"{{"event":"interview.scheduled","created_at":"2025-01-16T09:00:00Z","data":{{"id":{value},"status":"scheduled","scheduled_at":null,"duration_minutes":60,"candidate":{{"id":7,"name":"J","email":"j@example.com"}},"job_posting":{{"id":3,"title":"T"}}}}}}"#
    )
    .into_bytes()
}

hostile! {
    empty_body: Vec::new(), Some(JsonErrorKind::Eof);
    whitespace_only: b" \n\t\r ".to_vec(), Some(JsonErrorKind::Eof);
    null_root: b"null".to_vec(), None;
    array_root: b"[1, 2, 3]".to_vec(), None;
    number_root: b"42".to_vec(), None;
    string_root: b"\"test.ping\"".to_vec(), None;
    empty_object: b"{}".to_vec(), None;
    truncated_json: br#"{"event": "test.ping", "created_at": "2025-01-15T14:"#.to_vec(), Some(JsonErrorKind::Eof);
    trailing_garbage: br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}} {}"#.to_vec(), Some(JsonErrorKind::Syntax);
    invalid_utf8: b"{\"event\": \"test.ping\xff\", \"created_at\": \"2025-01-15T14:30:00Z\", \"data\": {}}".to_vec(), Some(JsonErrorKind::Encoding);
    raw_nul_byte_in_a_string: b"{\"event\": \"test\x00ping\", \"created_at\": \"2025-01-15T14:30:00Z\", \"data\": {}}".to_vec(), Some(JsonErrorKind::Syntax);
    escaped_nul_in_the_data: br#"{"event":"review.submitted","created_at":"2025-01-23T11:00:00Z","data":{"id":9,"recommendation":"yes\u0000","reviewer":"A","candidate":{"id":7,"name":"J","email":"j@example.com"},"job_posting":{"id":3,"title":"T"}}}"#.to_vec(), None;
    nesting_100k_arrays: "[".repeat(100_000).into_bytes(), Some(JsonErrorKind::TooDeep);
    nesting_100k_objects: "{\"a\":".repeat(100_000).into_bytes(), Some(JsonErrorKind::TooDeep);
    nesting_100k_inside_data: format!(r#"{{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{{"x":{}}}}}"#, "[".repeat(100_000)).into_bytes(), Some(JsonErrorKind::TooDeep);
    integer_beyond_64_bits: with_data_field("123456789012345678901234567890"), None;
    integer_just_beyond_i64: with_data_field("9223372036854775808"), None;
    number_beyond_f64: with_data_field("1e400"), Some(JsonErrorKind::Syntax);
    float_where_an_integer_belongs: with_data_field("28.5"), None;
    integral_float_where_an_integer_belongs: with_data_field("28.0"), None;
    exponent_where_an_integer_belongs: with_data_field("2.8e1"), None;
    duplicate_event_key: br#"{"event":"test.ping","event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#.to_vec(), Some(JsonErrorKind::DuplicateKey);
    duplicate_key_deep_inside: br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"a":{"b":1,"b":2}}}"#.to_vec(), Some(JsonErrorKind::DuplicateKey);
    event_not_a_string: br#"{"event":7,"created_at":"2025-01-15T14:30:00Z","data":{}}"#.to_vec(), None;
    event_null: br#"{"event":null,"created_at":"2025-01-15T14:30:00Z","data":{}}"#.to_vec(), None;
    impossible_date: br#"{"event":"test.ping","created_at":"2025-13-45T99:99:99Z","data":{}}"#.to_vec(), None;
    date_without_time_zone: br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00","data":{}}"#.to_vec(), None;
    body_over_the_limit_20_mb: vec![b' '; 20 * 1024 * 1024], None;
}

#[tokio::test]
async fn header_values_that_are_not_ascii_or_huge_or_repeated() {
    let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#.to_vec();
    let base = signed(&body);
    let mut cases: Vec<(&str, HeaderMap, StatusCode)> = Vec::new();
    let mut h = base.clone();
    h.insert(
        "X-Webhook-Signature",
        HeaderValue::from_bytes("é".repeat(32).as_bytes()).unwrap(),
    );
    cases.push(("non-ASCII signature", h, StatusCode::UNAUTHORIZED));
    let mut h = base.clone();
    h.insert(
        "X-Webhook-Timestamp",
        HeaderValue::from_bytes("2025-01-15T14:30:00Z\u{feff}".as_bytes()).unwrap(),
    );
    cases.push(("non-ASCII timestamp", h, StatusCode::BAD_REQUEST));
    let mut h = base.clone();
    h.insert(
        "X-Webhook-Event",
        HeaderValue::from_bytes("tést.ping".as_bytes()).unwrap(),
    );
    cases.push(("non-ASCII event", h, StatusCode::BAD_REQUEST));
    let mut h = base.clone();
    let sig = h.get("X-Webhook-Signature").unwrap().clone();
    h.append("X-Webhook-Signature", sig);
    cases.push(("two signature headers", h, StatusCode::UNAUTHORIZED));
    let mut h = base.clone();
    h.insert(
        "X-Webhook-Signature",
        HeaderValue::from_str(&"ab".repeat(500_000)).unwrap(),
    );
    cases.push(("1 MB signature header", h, StatusCode::UNAUTHORIZED));
    let mut h = base.clone();
    h.insert(
        "X-Webhook-Timestamp",
        HeaderValue::from_str(&"9".repeat(100_000)).unwrap(),
    );
    cases.push(("100 KB timestamp header", h, StatusCode::BAD_REQUEST));
    for (name, headers, expected) in cases {
        for path in ["/typed", "/kept"] {
            assert_eq!(
                status(path, headers.clone(), body.clone()).await,
                expected,
                "{name} via {path}"
            );
        }
        let err = Receiver::new(Verifier::new(SECRET))
            .receive(&headers, &body)
            .unwrap_err();
        assert_eq!(err.status(), expected.as_u16(), "{name}: {err}");
    }
}
