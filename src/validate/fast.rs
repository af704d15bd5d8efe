//! The fast path of lenient parsing: serde_json straight into the typed
//! value, in one pass, then only what the type does not prove (the residual,
//! derived from the schemas at build time: `codegen/residual.rs`). It only
//! ever says "valid": a body it cannot vouch for, for whatever reason, goes
//! to the full path, which decides and reports. So it changes no verdict;
//! the differential tests and fuzz targets hold it to the full path.
//!
//! The typed decoding is `crate::quick`'s, which also keeps the document's
//! two rules beyond serde (UTF-8, no key twice in an object).

use std::sync::OnceLock;

use serde_json::Value;

use crate::WebhookEvent;

include!(concat!(env!("OUT_DIR"), "/residual.rs"));

/// The typed value of a body the full path would accept, or `None`.
pub(super) fn parse(body: &[u8]) -> Option<WebhookEvent> {
    crate::quick::decode(body).filter(|event| residual(event, &has_format))
}

/// Whether `text` is a plain address that jsonschema's `email` format
/// certainly accepts: an ASCII local part of letters, digits and `._+-`
/// (dots only between others), and a domain of at least two labels of
/// letters, digits and single inner hyphens, the last with a letter; at most
/// 254 bytes in all. Whatever this
/// does not vouch for goes to jsonschema's own check; `tests/formats.rs`
/// holds it to a subset of that check.
pub(crate) fn is_plain_email(text: &str) -> bool {
    let Some((local, domain)) = text.split_once('@') else {
        return false;
    };
    let local_ok = (1..=64).contains(&local.len())
        && local.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'-'))
        });
    let labels = || domain.split('.');
    let domain_ok = text.len() <= 254
        && (3..=253).contains(&domain.len())
        && labels().count() >= 2
        && labels().all(|label| {
            (1..=63).contains(&label.len())
                && label.bytes().all(|c| c.is_ascii_alphanumeric() || c == b'-')
                && !label.starts_with('-')
                && !label.ends_with('-')
                // `xn--` and the like are reserved for IDNA (RFC 5891).
                && !label.contains("--")
        })
        && labels()
            .next_back()
            .is_some_and(|tld| tld.bytes().any(|c| c.is_ascii_alphabetic()));
    local_ok && domain_ok
}

/// jsonschema's own check of one `format` (asserted, as the validators do).
fn has_format(format: &'static str, value: &str) -> bool {
    if format == "email" && is_plain_email(value) {
        return true;
    }
    static CHECKS: OnceLock<Vec<(&'static str, jsonschema::Validator)>> = OnceLock::new();
    let checks = CHECKS.get_or_init(|| {
        RESIDUAL_FORMATS
            .iter()
            .map(|format| {
                let validator = jsonschema::options()
                    .should_validate_formats(true)
                    .build(&serde_json::json!({ "format": format }))
                    .unwrap_or_else(|e| panic!("the format {format:?} does not compile: {e}"));
                (*format, validator)
            })
            .collect()
    });
    checks
        .iter()
        .find(|(name, _)| *name == format)
        .is_some_and(|(_, validator)| validator.is_valid(&Value::String(value.to_owned())))
}
