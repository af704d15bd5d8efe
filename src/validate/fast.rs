//! The fast path of lenient parsing: serde_json straight into the typed
//! value, in one pass, then only what the type does not prove (the residual,
//! derived from the schemas at build time: `codegen/residual.rs`). It only
//! ever says "valid": a body it cannot vouch for, for whatever reason, goes
//! to the full path, which decides and reports. So it changes no verdict;
//! the differential tests and fuzz targets hold it to the full path.
//!
//! Besides the typed decoding it checks, cheaply, the two rules the document
//! keeps beyond serde: the body is UTF-8, and no object has a key twice.

use std::sync::OnceLock;

use serde_json::Value;

use crate::{EventType, WebhookEvent};

include!(concat!(env!("OUT_DIR"), "/residual.rs"));

/// The typed value of a body the full path would accept, or `None`.
pub(super) fn parse(body: &[u8]) -> Option<WebhookEvent> {
    let text = std::str::from_utf8(body).ok()?;
    let event = EventType::from_name(first_event(text)?)?;
    if !unique_keys(text)? {
        return None;
    }
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = WebhookEvent::deserialize_known(event, &mut deserializer).ok()?;
    deserializer.end().ok()?;
    residual(&parsed, &has_format).then_some(parsed)
}

/// JSON's whitespace.
const WHITESPACE: [char; 4] = [' ', '\t', '\n', '\r'];

/// The event of a body whose first member is `"event": "name"` (as Kit
/// writes it), without escapes. The typed decoding checks it again.
fn first_event(text: &str) -> Option<&str> {
    let rest = text.trim_start_matches(WHITESPACE).strip_prefix('{')?;
    let rest = rest.trim_start_matches(WHITESPACE).strip_prefix("\"event\"")?;
    let rest = rest.trim_start_matches(WHITESPACE).strip_prefix(':')?;
    let rest = rest.trim_start_matches(WHITESPACE).strip_prefix('"')?;
    let end = rest.find(['"', '\\'])?;
    (rest.as_bytes()[end] == b'"').then(|| &rest[..end])
}

/// Whether no object has a key twice: `Some(true)` or `Some(false)`, or
/// `None` when this cheap scan cannot vouch for the body.
///
/// The typed decoding skips the fields it does not know without reading
/// them as closely as the document does, so the scan also leaves to the full
/// path what only the document refuses there: any escape (a lone surrogate
/// passes serde_json's skipping), a number with an exponent or very many
/// digits (`1e999` too), and deep nesting. And an object with many keys, a
/// string that does not end. The text need not be JSON; what is not, the
/// typed decoding refuses.
fn unique_keys(text: &str) -> Option<bool> {
    /// Objects with more keys than this go to the full path.
    const MANY: usize = 64;
    /// Nesting deeper than this goes to the full path.
    const DEEP: usize = 64;
    /// Integers with more digits than this might not fit an `f64`.
    const LONG: usize = 300;
    let bytes = text.as_bytes();
    let mut keys: Vec<&[u8]> = Vec::with_capacity(32);
    // Per open array or object: whether it is an object, where its keys
    // start in `keys`, and whether a key comes next.
    let mut frames: Vec<(bool, usize, bool)> = Vec::with_capacity(8);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let end = start + memchr::memchr2(b'"', b'\\', bytes.get(start..)?)?;
                if bytes[end] == b'\\' {
                    return None;
                }
                if let Some((true, first, key_next @ true)) = frames.last_mut() {
                    let key = &bytes[start..end];
                    if keys[*first..].contains(&key) {
                        return Some(false);
                    }
                    if keys.len() - *first >= MANY {
                        return None;
                    }
                    keys.push(key);
                    *key_next = false;
                }
                i = end + 1;
            }
            open @ (b'{' | b'[') => {
                if frames.len() >= DEEP {
                    return None;
                }
                frames.push((open == b'{', keys.len(), open == b'{'));
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let length = bytes[i..]
                    .iter()
                    .take_while(|b| matches!(b, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
                    .count();
                let number = &bytes[i..i + length];
                if number.iter().any(|b| matches!(b, b'e' | b'E')) || length > LONG {
                    return None;
                }
                i += length;
            }
            b'}' | b']' => {
                if let Some((_, first, _)) = frames.pop() {
                    keys.truncate(first);
                }
                i += 1;
            }
            b',' => {
                if let Some((true, _, key_next)) = frames.last_mut() {
                    *key_next = true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Some(true)
}

/// jsonschema's own check of one `format` (asserted, as the validators do).
fn has_format(format: &'static str, value: &str) -> bool {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_member_names_the_event() {
        assert_eq!(
            first_event(r#" { "event" : "test.ping", "data": {}}"#),
            Some("test.ping")
        );
        assert_eq!(first_event(r#"{"data": {}, "event": "test.ping"}"#), None);
        assert_eq!(first_event(r#"{"event": "test\u002eping"}"#), None);
        assert_eq!(first_event(r#"{"event": 1}"#), None);
    }

    #[test]
    fn repeated_keys_are_found_at_any_depth() {
        assert_eq!(
            unique_keys(r#"{"a": 1, "b": {"a": 2}, "c": [{"a": 1}, {"a": 2}]}"#),
            Some(true)
        );
        assert_eq!(unique_keys(r#"{"a": 1, "b": {"x": 2, "x": 3}}"#), Some(false));
        assert_eq!(unique_keys(r#"{"a": "a", "a": 1}"#), Some(false));
        assert_eq!(
            unique_keys(r#"{"a": "x", "b": [1, -2.5, true, null]}"#),
            Some(true)
        );
    }

    #[test]
    fn what_only_the_document_refuses_goes_to_the_full_path() {
        assert_eq!(unique_keys(r#"{"a": 1, "\u0061": 2}"#), None);
        assert_eq!(unique_keys(r#"{"a": "\ud800"}"#), None);
        assert_eq!(unique_keys(r#"{"n": 1e999}"#), None);
        assert_eq!(unique_keys(r#"{"n": 1E2}"#), None);
        assert_eq!(unique_keys(&format!(r#"{{"n": {}}}"#, "9".repeat(400))), None);
        let deep = format!("{}{}", "[".repeat(100), "]".repeat(100));
        assert_eq!(unique_keys(&deep), None);
        assert_eq!(unique_keys(r#"{"a": "unterminated"#), None);
        let many: Vec<String> = (0..100).map(|i| format!("\"k{i}\": {i}")).collect();
        assert_eq!(unique_keys(&format!("{{{}}}", many.join(","))), None);
    }
}
