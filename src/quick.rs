//! One cheap pass over a body, and the typed decoding straight from its
//! bytes (serde_json into the generated type, no document in between) when
//! that pass vouches for it. It answers only for bodies the document would
//! read to the same value; anything else, malformed or merely unusual, is
//! left to the document, which decides and says why. Used by the fast path of
//! lenient parsing and, in builds with `validate`, by
//! [`WebhookEvent::from_slice`].
//!
//! Besides the typed decoding, the pass checks the two rules the document
//! keeps beyond serde: the body is UTF-8, and no object has a key twice.

use crate::{EventType, WebhookEvent};

/// The typed value of a body, or `None` to leave it to the document.
pub(crate) fn decode(body: &[u8]) -> Option<WebhookEvent> {
    let text = std::str::from_utf8(body).ok()?;
    let scan = scan(text)?;
    if !scan.unique_keys {
        return None;
    }
    let event = EventType::from_name(scan.event?)?;
    let mut deserializer = serde_json::Deserializer::from_str(text);
    let parsed = WebhookEvent::deserialize_known(event, &mut deserializer).ok()?;
    deserializer.end().ok()?;
    Some(parsed)
}

/// What one cheap pass over a body finds.
pub(crate) struct Scan<'a> {
    /// Whether no object has a key twice.
    pub(crate) unique_keys: bool,
    /// The top-level `event`, when it is a string without escapes. The typed
    /// decoding checks it again.
    pub(crate) event: Option<&'a str>,
}

/// Finds the event and whether no object has a key twice, or `None` when
/// this cheap scan cannot vouch for the body.
///
/// The typed decoding skips the fields it does not know without reading
/// them as closely as the document does, so the scan also leaves to the
/// document what only the document refuses there: any escape (a lone surrogate
/// passes serde_json's skipping), a number with an exponent or very many
/// digits (`1e999` too), and deep nesting. And an object with many keys, a
/// string that does not end. The text need not be JSON; what is not,
/// the typed decoding refuses.
pub(crate) fn scan(text: &str) -> Option<Scan<'_>> {
    /// Objects with more keys than this go to the full path.
    const MANY: usize = 32;
    /// Nesting deeper than this goes to the full path.
    const DEEP: usize = 16;
    /// Integers with more digits than this might not fit an `f64`.
    const LONG: usize = 300;
    /// Keys held at once (of the objects open), at most.
    const KEYS: usize = 64;
    let bytes = text.as_bytes();
    // On the stack: the keys of the open objects (as offsets), and per open
    // array or object whether it is an object, where its keys start in
    // `keys`, and whether a key comes next.
    let mut keys = [(0u32, 0u32); KEYS];
    let mut key_count = 0usize;
    let mut frames = [(false, 0usize, false); DEEP];
    let mut depth = 0usize;
    let mut event = None;
    // Whether the last top-level key was `event`.
    let mut event_next = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let end = string_end(bytes, start)?;
                if bytes[end] == b'\\' {
                    return None;
                }
                let top = depth == 1;
                match frames[..depth].last_mut() {
                    Some((true, first, key_next @ true)) => {
                        let key = &bytes[start..end];
                        let seen = keys[*first..key_count]
                            .iter()
                            .any(|&(s, e)| &bytes[s as usize..e as usize] == key);
                        if seen {
                            return Some(Scan {
                                unique_keys: false,
                                event: None,
                            });
                        }
                        if key_count - *first >= MANY || key_count == KEYS {
                            return None;
                        }
                        // Bodies are far below 4 GiB (the size limit).
                        keys[key_count] = (u32::try_from(start).ok()?, u32::try_from(end).ok()?);
                        key_count += 1;
                        *key_next = false;
                        event_next = top && key == b"event";
                    }
                    _ if top && event_next => {
                        event = Some(&text[start..end]);
                        event_next = false;
                    }
                    _ => {}
                }
                i = end + 1;
            }
            open @ (b'{' | b'[') => {
                if depth == DEEP {
                    return None;
                }
                frames[depth] = (open == b'{', key_count, open == b'{');
                depth += 1;
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
                if depth > 0 {
                    depth -= 1;
                    key_count = frames[depth].1;
                }
                i += 1;
            }
            b',' => {
                if let Some((true, _, key_next)) = frames[..depth].last_mut() {
                    *key_next = true;
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Some(Scan {
        unique_keys: true,
        event,
    })
}

/// The index of the first `"` or `\\` at or after `i`: eight bytes at a time.
fn string_end(bytes: &[u8], mut i: usize) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    const QUOTES: u64 = ONES * b'"' as u64;
    const BACKSLASHES: u64 = ONES * b'\\' as u64;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let word = u64::from_le_bytes(chunk.try_into().ok()?);
        let (q, b) = (word ^ QUOTES, word ^ BACKSLASHES);
        // The lowest byte flagged is the first that is zero in `q` or `b`.
        let found = ((q.wrapping_sub(ONES) & !q) | (b.wrapping_sub(ONES) & !b)) & HIGH;
        if found != 0 {
            return Some(i + (found.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    bytes
        .get(i..)?
        .iter()
        .position(|&c| c == b'"' || c == b'\\')
        .map(|p| i + p)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn unique_keys(text: &str) -> Option<bool> {
        scan(text).map(|s| s.unique_keys)
    }

    #[test]
    fn the_top_level_event_is_found_anywhere() {
        fn event(text: &str) -> Option<&str> {
            scan(text).and_then(|s| s.event)
        }
        assert_eq!(
            event(r#" { "event" : "test.ping", "data": {}}"#),
            Some("test.ping")
        );
        assert_eq!(
            event(r#"{"data": {"event": "no"}, "event": "test.ping"}"#),
            Some("test.ping")
        );
        assert_eq!(event(r#"{"event": 1, "data": "x"}"#), None);
        assert_eq!(event(r#"{"data": {"event": "no"}}"#), None);
        assert_eq!(event(r#"{"event": "test\u002eping"}"#), None);
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
    fn string_ends_are_found_in_any_position() {
        for text in [
            "\"",
            "ab\"",
            "abcdefgh\"",
            "abcdefghi\\",
            "a\u{e9}\u{1f600}bcdefghijklmno\"x",
            "no end",
        ] {
            let expected = text.bytes().position(|c| c == b'"' || c == b'\\');
            assert_eq!(string_end(text.as_bytes(), 0), expected, "{text:?}");
        }
        for start in 0..20 {
            let text = format!("{}\"", "x".repeat(start));
            assert_eq!(string_end(text.as_bytes(), 0), Some(start));
        }
    }

    #[test]
    fn what_only_the_document_refuses_is_left_to_it() {
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
