//! The fast path of lenient parsing: serde_json straight into the typed
//! value, in one pass, then only what the type does not prove (the residual,
//! derived from the schemas at build time: `schema-model/src/codegen/residual.rs`). It only
//! ever says "valid": a body it cannot vouch for, for whatever reason, goes
//! to the full path, which decides and reports. So it changes no verdict;
//! the differential tests and fuzz targets hold it to the full path.
//!
//! The typed decoding is [`super::quick`]'s, which also keeps the document's
//! two rules beyond serde (UTF-8, no key twice in an object).

use std::sync::OnceLock;

use serde_json::Value;

use crate::drift::EMBEDDED;
use crate::{Drift, Mode, WebhookEvent};

include!(concat!(env!("OUT_DIR"), "/residual.rs"));

/// The typed value and drift of a body the full path would accept in
/// `mode`, or `None` to leave the body to the full path. In strict mode the
/// fast path answers only for a delivery without drift (lenient-valid and
/// fully documented is strict-valid).
pub(crate) fn parse(body: &[u8], mode: Mode) -> Option<(WebhookEvent, Drift)> {
    let (event, drift) =
        super::quick::decode_with_drift(body).filter(|(event, _)| residual(event, &has_format))?;
    // The pass could not follow the body's shape (`data` before `event`):
    // the body is valid, so its `Value` is read for the drift.
    let drift = match drift {
        Some(drift) => drift,
        None => EMBEDDED.drift(&serde_json::from_slice(body).ok()?),
    };
    match mode {
        Mode::Strict if !drift.is_empty() => None,
        _ => Some((event, drift)),
    }
}

/// Whether `text` is a plain address that jsonschema's `email` format
/// certainly accepts: an ASCII local part of letters, digits and `._+-`
/// (dots only between others), and a domain of at least two labels of
/// letters, digits and single inner hyphens, the last with a letter; at most
/// 254 bytes in all. Whatever this
/// does not vouch for goes to jsonschema's own check; `tests/formats.rs`
/// holds it to a subset of that check.
pub(crate) fn is_plain_email(text: &str) -> bool {
    let bytes = text.as_bytes();
    let Some(at) = bytes.iter().position(|&c| c == b'@') else {
        return false;
    };
    let (local, domain) = (&bytes[..at], &bytes[at + 1..]);
    if bytes.len() > 254 || !(1..=64).contains(&local.len()) || !(3..=253).contains(&domain.len()) {
        return false;
    }
    // Dot-separated parts, none empty.
    let mut after_dot = true;
    for &c in local {
        if c == b'.' {
            if after_dot {
                return false;
            }
            after_dot = true;
        } else if c.is_ascii_alphanumeric() || matches!(c, b'_' | b'+' | b'-') {
            after_dot = false;
        } else {
            return false;
        }
    }
    if after_dot {
        return false;
    }
    // Labels of 1 to 63 letters, digits and single inner hyphens (`--` is
    // reserved for IDNA, RFC 5891); the last with a letter.
    let (mut labels, mut length, mut previous, mut letter) = (1, 0, b'.', false);
    for &c in domain {
        match c {
            b'.' if length > 0 && previous != b'-' => {
                labels += 1;
                length = 0;
                letter = false;
            }
            b'-' if length > 0 && previous != b'-' => length += 1,
            c if c.is_ascii_alphanumeric() => {
                length += 1;
                letter |= c.is_ascii_alphabetic();
            }
            _ => return false,
        }
        if length > 63 {
            return false;
        }
        previous = c;
    }
    labels >= 2 && length > 0 && previous != b'-' && letter
}

/// jsonschema's own check of one `format` (asserted, as the validators do).
pub(crate) fn has_format(format: &'static str, value: &str) -> bool {
    if format == "email" && is_plain_email(value) {
        return true;
    }
    format_check(format).is_some_and(|validator| validator.is_valid(&Value::String(value.to_owned())))
}

/// Compiles the format checks now.
pub(crate) fn warm_up() {
    for format in RESIDUAL_FORMATS {
        format_check(format);
    }
}

/// The compiled check of one of [`RESIDUAL_FORMATS`].
fn format_check(format: &str) -> Option<&'static jsonschema::Validator> {
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
        .map(|(_, validator)| validator)
}
