//! `receive`: headers and body. Never a panic; a forged or replayed delivery is
//! never accepted; an authentic one is accepted exactly when the parser
//! accepts its body.
#![no_main]

use arbitrary::Arbitrary;
use chrono::{DateTime, Utc};
use kit_webhooks::{ReceiveError, Receiver, Signer, Verifier};
use libfuzzer_sys::fuzz_target;

#[derive(Arbitrary, Debug)]
struct Input<'a> {
    sign: bool,
    skew_seconds: i16,
    timestamp: Option<&'a str>,
    signature: Option<&'a [u8]>,
    event: Option<&'a [u8]>,
    repeat_signature: bool,
    body: &'a [u8],
}

const SECRET: &str = "whsec_fuzz";

fuzz_target!(|input: Input<'_>| {
    let now: DateTime<Utc> = "2025-06-01T12:00:00Z".parse().unwrap();
    let at = now + chrono::Duration::seconds(i64::from(input.skew_seconds));
    let timestamp = input
        .timestamp
        .map_or_else(|| kit_webhooks::signature::format_timestamp(at), str::to_owned);
    let mut headers = http::HeaderMap::new();
    if let Ok(value) = http::HeaderValue::from_str(&timestamp) {
        headers.insert("X-Webhook-Timestamp", value);
    }
    let signature = if input.sign {
        Some(Signer::new(SECRET).sign(&timestamp, input.body).into_bytes())
    } else {
        input.signature.map(<[u8]>::to_vec)
    };
    if let Some(value) = signature
        .as_deref()
        .and_then(|s| http::HeaderValue::from_bytes(s).ok())
    {
        headers.insert("X-Webhook-Signature", value.clone());
        if input.repeat_signature {
            headers.append("X-Webhook-Signature", value);
        }
    }
    if let Some(value) = input.event.and_then(|e| http::HeaderValue::from_bytes(e).ok()) {
        headers.insert("X-Webhook-Event", value);
    }
    let receiver = Receiver::new(Verifier::new(SECRET));
    let result = receiver.receive_at(&headers, input.body, now);
    let authentic = input.sign && !input.repeat_signature && input.skew_seconds.unsigned_abs() <= 300;
    match &result {
        Ok(_) => {
            assert!(input.sign, "accepted without a real signature");
            assert!(
                receiver.parse(input.body).is_ok(),
                "accepted what the parser refuses"
            );
        }
        Err(ReceiveError::Invalid { .. }) => assert!(input.sign && receiver.parse(input.body).is_err()),
        Err(_) => {}
    }
    if authentic && input.timestamp.is_none() && input.body.len() <= 1 << 20 {
        // Authentic with Kit's headers: never refused as forged or replayed.
        assert!(
            !matches!(
                result,
                Err(ReceiveError::Verify(kit_webhooks::VerifyError::Mismatch))
            ),
            "{result:?}"
        );
    }
});
