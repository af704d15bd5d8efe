//! Property tests: deliveries generated from the schemas validate, parse and
//! round-trip; random mutations never make validation and parsing disagree;
//! a signature verifies with its secret and no other.

use chrono::DateTime;
use kit_webhooks::{Mode, Parser, Signer, Verifier, VerifyError, WebhookEvent};
use proptest::prelude::*;

mod support;
use support::generate::{any_delivery, any_mutation, mutate};
use support::judge::{self, boon};

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    #[test]
    fn documented_deliveries_validate_parse_and_round_trip_in_both_modes((event, doc) in any_delivery(Mode::Strict)) {
        let body = serde_json::to_vec(&doc).unwrap();
        for mode in [Mode::Lenient, Mode::Strict] {
            let parsed = Parser::new().mode(mode).parse(&body);
            prop_assert!(parsed.is_ok(), "{mode:?}: {:?}\n{}", parsed, String::from_utf8_lossy(&body));
            let parsed = parsed.unwrap();
            prop_assert_eq!(parsed.event_type(), Some(event));
            prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), doc.clone());
        }
        // Judged independently: boon, and serde's derived decoding of the event's type.
        prop_assert!(judge::verdict(boon(Mode::Strict), &doc));
        prop_assert_eq!(serde_json::to_value(WebhookEvent::from_slice(&body).unwrap()).unwrap(), doc.clone());
        // The fast path is an optimisation: the full path gives the same value.
        prop_assert_eq!(Parser::new().fast_path(false).parse(&body).unwrap(), Parser::new().parse(&body).unwrap());
    }

    /// Values Kit may add to a documented list: lenient keeps them, and
    /// strict refuses exactly what boon's strict schemas refuse.
    #[test]
    fn undocumented_values_pass_lenient_and_strict_agrees_with_boon((event, doc) in any_delivery(Mode::Lenient)) {
        let body = serde_json::to_vec(&doc).unwrap();
        let parsed = Parser::new().parse(&body);
        prop_assert!(parsed.is_ok(), "{:?}\n{}", parsed, String::from_utf8_lossy(&body));
        let parsed = parsed.unwrap();
        prop_assert_eq!(parsed.event_type(), Some(event));
        prop_assert_eq!(serde_json::to_value(&parsed).unwrap(), doc.clone());
        let strict = Parser::new().mode(Mode::Strict).validate(&body).is_ok();
        prop_assert_eq!(strict, judge::verdict(boon(Mode::Strict), &doc), "{}", String::from_utf8_lossy(&body));
    }

    /// Validation, parsing and an independent judge (boon, then serde_json's
    /// own typed decoding) give one verdict on mutated deliveries.
    #[test]
    fn mutated_deliveries_get_the_judges_verdict(
        (_, doc) in any_delivery(Mode::Lenient),
        changes in proptest::collection::vec((any::<usize>(), any_mutation()), 1..4),
    ) {
        let mut doc = doc;
        for (pick, mutation) in &changes {
            mutate(&mut doc, *pick, mutation);
        }
        let body = serde_json::to_vec(&doc).unwrap();
        for mode in [Mode::Lenient, Mode::Strict] {
            let parser = Parser::new().mode(mode);
            let expected = judge::verdict(boon(mode), &doc);
            let validated = parser.validate(&body);
            let parsed = parser.parse(&body);
            prop_assert_eq!(validated.is_ok(), expected, "{:?} validate: {:?}\n{}", mode, validated, String::from_utf8_lossy(&body));
            prop_assert_eq!(parsed.is_ok(), expected, "{:?} parse: {:?}", mode, parsed);
            // The fast path never changes a verdict, or a value.
            let full = parser.fast_path(false).parse(&body);
            prop_assert_eq!(&parsed.as_ref().ok(), &full.as_ref().ok(), "fast and full paths differ");
            if let (Err(a), Err(b)) = (&parsed, &full) {
                prop_assert_eq!(a, b, "both paths report the same errors");
            }
            if let Err(err) = &parsed {
                prop_assert!(!err.violations().is_empty() || matches!(err, kit_webhooks::Error::Json(_)));
            }
            if let Ok(event) = parsed {
                let again = serde_json::to_vec(&event).unwrap();
                prop_assert_eq!(parser.parse(&again).unwrap(), event);
            }
        }
        // The typed decoding, from bytes or from a value, gives the judge's
        // verdict (boon alone for JSON Schema; serde's derived decoding of the
        // event's type for what the types hold).
        let typed = judge::decodes(&doc);
        prop_assert_eq!(WebhookEvent::from_slice(&body).is_ok(), typed, "from_slice\n{}", String::from_utf8_lossy(&body));
        prop_assert_eq!(WebhookEvent::from_value(&doc).is_ok(), typed, "from_value");
    }

    #[test]
    fn a_signature_verifies_with_its_secret_and_no_other(
        body in proptest::collection::vec(any::<u8>(), 0..2048),
        secret in ".{1,40}",
        other in ".{1,40}",
        offset in -300i64..=300,
    ) {
        let timestamp = "2025-01-15T14:30:00Z";
        let now = timestamp.parse::<DateTime<chrono::Utc>>().unwrap() + chrono::Duration::seconds(offset);
        let signature = Signer::new(&secret).sign(timestamp, &body);
        prop_assert_eq!(Verifier::new(&secret).verify_at(timestamp, &signature, &body, now).map(|v| v.secret_index), Ok(0));
        if other != secret {
            prop_assert_eq!(Verifier::new(&other).verify_at(timestamp, &signature, &body, now), Err(VerifyError::Mismatch));
        }
    }
}
