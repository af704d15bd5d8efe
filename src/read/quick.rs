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

use std::borrow::Cow;

use serde::Deserialize;
use serde_json::Value;

use crate::drift::{escape, Addition, Drift, DriftKind, Node, Shapes, ANY, EMBEDDED, NO_SHAPE};
use crate::{EventType, WebhookEvent};

/// The typed value of a body, or `None` to leave it to the document.
pub(crate) fn decode(body: &[u8]) -> Option<WebhookEvent> {
    let text = std::str::from_utf8(body).ok()?;
    let scan = scan(text, None, PENDING)?;
    typed(text, &scan)
}

/// The typed value of a body and its drift from the embedded schemas (`None`
/// for the drift when the pass could not follow the body's shape: the
/// caller finds it another way), or `None` to leave the body to the document.
pub(crate) fn decode_with_drift(body: &[u8]) -> Option<(WebhookEvent, Option<Drift>)> {
    let text = std::str::from_utf8(body).ok()?;
    // The shape to follow is the event's: found first where Kit puts it, or
    // guessed (the last `"event"` key, where keys in alphabetical order put
    // it); the scan says which event the body really has.
    let guess = guess_event(text);
    // The typed decoding first, as the guess says: a body its type refuses
    // (an invalid delivery, or a wrong guess) goes to the document before
    // any scan. Its value is trusted only once the scan vouches for the body.
    let early = match guess {
        Some(known) => Some(typed_as(text, known)?),
        None => None,
    };
    let guessed_root = guess.map_or(PENDING, |known| EMBEDDED.events[known.index()].1);
    let mut found = scan(text, Some(&EMBEDDED), guessed_root)?;
    if found.event != guess.map(EventType::as_str) && found.unique_keys {
        if let Some(known) = found.event.and_then(EventType::from_name) {
            found = scan(text, Some(&EMBEDDED), EMBEDDED.events[known.index()].1)?;
        }
    }
    let scan = found;
    let event = match early {
        Some(event) if scan.unique_keys && scan.event == guess.map(EventType::as_str) => event,
        _ => typed(text, &scan)?,
    };
    let drift = match scan.found {
        Found::None => Some(Drift::default()),
        Found::Some(found) => Some(Drift::from_additions(
            found
                .into_iter()
                .map(|f| f.addition(text))
                .collect::<Option<_>>()?,
        )),
        Found::Unknown => None,
    };
    Some((event, drift))
}

/// The event a body most likely has, found cheaply: the first key when it
/// is `"event"`, else the string after the last `"event"` key. A guess only.
fn guess_event(text: &str) -> Option<EventType> {
    const KEY: &[u8] = b"\"event\"";
    let after_key = match text.trim_start().strip_prefix("{\"event\"") {
        Some(rest) => rest,
        None => {
            // Back from the end, quote by quote.
            let bytes = text.as_bytes();
            let mut end = bytes.len();
            loop {
                let quote = bytes[..end].iter().rposition(|&b| b == b'"')?;
                if quote >= 6 && &bytes[quote - 6..=quote] == KEY {
                    break &text[quote + 1..];
                }
                end = quote;
            }
        }
    };
    let value = after_key
        .trim_start()
        .strip_prefix(':')?
        .trim_start()
        .strip_prefix('"')?;
    EventType::from_name(&value[..value.find('"')?])
}

/// The typed decoding of a body the scan vouched for.
fn typed(text: &str, scan: &Scan<'_>) -> Option<WebhookEvent> {
    if !scan.unique_keys {
        return None;
    }
    typed_as(text, EventType::from_name(scan.event?)?)
}

/// The typed decoding of a body as a delivery of `event`.
fn typed_as(text: &str, event: EventType) -> Option<WebhookEvent> {
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
    /// What the body carries that the shape does not document.
    pub(crate) found: Found,
}

/// The drift a scan found.
pub(crate) enum Found {
    /// Nothing undocumented (or no shape was followed).
    None,
    /// These additions.
    Some(Vec<Spot>),
    /// The scan could not follow the shape (`data` before `event`, say).
    Unknown,
}

/// Where one addition is in the text.
pub(crate) struct Spot {
    kind: DriftKind,
    pointer: String,
    instance_path: String,
    /// A field's value starts after its key's `:`, from here; a value added
    /// is the string from here to `end`.
    start: usize,
    end: usize,
}

impl Spot {
    fn addition(self, text: &str) -> Option<Addition> {
        let value = match self.kind {
            DriftKind::ValueAdded => Value::String(text.get(self.start..self.end)?.to_owned()),
            _ => {
                let rest = text
                    .get(self.start..)?
                    .trim_start_matches(|c: char| c.is_ascii_whitespace());
                let mut deserializer = serde_json::Deserializer::from_str(rest.strip_prefix(':')?);
                Value::deserialize(&mut deserializer).ok()?
            }
        };
        Some(Addition {
            kind: self.kind,
            pointer: self.pointer,
            instance_path: self.instance_path,
            value,
        })
    }
}

/// An open array or object during a scan.
#[derive(Clone, Copy, Default)]
struct Frame {
    object: bool,
    /// Where this object's keys start in the scan's key list.
    first: usize,
    /// Whether a key comes next.
    key_next: bool,
    /// The shape node of this array or object.
    node: u32,
    /// The documented keys seen (bit `i` for the node's `i`th key).
    seen: u64,
    /// Where the next documented key is looked for first.
    cursor: usize,
    /// The node of the current member's value.
    child: u32,
    /// The current key (as offsets) or array index.
    key: (u32, u32),
    index: u32,
}

/// The root frame's node before the event is known.
const PENDING: u32 = u32::MAX;

/// Finds the event and whether no object has a key twice, or `None` when
/// this cheap scan cannot vouch for the body. With a shape, it also follows
/// the event's shape (from `root`, or from the `event` it finds when `root`
/// is [`PENDING`]) and notes every key and value it does not document.
///
/// The typed decoding skips the fields it does not know without reading
/// them as closely as the document does, so the scan also leaves to the
/// document what only the document refuses there: any escape (a lone surrogate
/// passes serde_json's skipping), a number with an exponent or very many
/// digits (`1e999` too), and deep nesting. And an object with many keys, a
/// string that does not end. The text need not be JSON; what is not,
/// the typed decoding refuses.
#[allow(clippy::too_many_lines)]
pub(crate) fn scan<'a>(text: &'a str, shapes: Option<&Shapes>, root: u32) -> Option<Scan<'a>> {
    /// Objects with more keys than this go to the full path.
    const MANY: usize = 32;
    /// Nesting deeper than this goes to the full path.
    const DEEP: usize = 16;
    /// Integers with more digits than this might not fit an `f64`.
    const LONG: usize = 300;
    /// Keys held at once (of the objects open), at most.
    const KEYS: usize = 64;
    let bytes = text.as_bytes();
    // On the stack: the keys of the open objects that no node documents (as
    // offsets), and the open arrays and objects.
    let mut keys = [(0u32, 0u32); KEYS];
    let mut key_count = 0usize;
    let mut frames = [Frame::default(); DEEP];
    let mut depth = 0usize;
    let mut event = None;
    // Whether the last top-level key was `event`.
    let mut event_next = false;
    let mut found = Found::None;
    let mut shapes = shapes;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                let start = i + 1;
                let end = string_end(bytes, start)?;
                if bytes[end] == b'\\' {
                    return None;
                }
                let span = (u32::try_from(start).ok()?, u32::try_from(end).ok()?);
                let top = depth == 1;
                let shape = shapes.unwrap_or(&NO_SHAPE);
                if depth > 0 && frames[depth - 1].object && frames[depth - 1].key_next {
                    let key = &bytes[start..end];
                    let f = depth - 1;
                    event_next = top && key == b"event";
                    frames[f].key_next = false;
                    frames[f].key = span;
                    let node = frames[f].node;
                    let documented = shape.node(if node == PENDING { ANY } else { node });
                    let known = if top || !documented.is_object() {
                        None
                    } else {
                        find(&documented.props, key, &mut frames[f].cursor)
                    };
                    if let Some(index) = known {
                        // A documented key: seen once, by its bit.
                        let bit = 1u64 << index;
                        if frames[f].seen & bit != 0 {
                            return Some(Scan::repeated());
                        }
                        frames[f].seen |= bit;
                        frames[f].child = documented.props[index].1;
                    } else {
                        let first = frames[f].first;
                        let seen = keys[first..key_count]
                            .iter()
                            .any(|&(s, e)| same(&bytes[s as usize..e as usize], key));
                        if seen {
                            return Some(Scan::repeated());
                        }
                        if key_count - first >= MANY || key_count == KEYS {
                            return None;
                        }
                        keys[key_count] = span;
                        key_count += 1;
                        let mut child = ANY;
                        if shapes.is_some() {
                            if top && node == PENDING {
                                if !event_next {
                                    // The event's shape is not known yet.
                                    found = Found::Unknown;
                                    shapes = None;
                                }
                            } else if let Some(next) = find_top(documented, key, top) {
                                child = next;
                            } else if documented.closes {
                                found.push(Spot::at(
                                    &frames[..depth],
                                    text,
                                    DriftKind::FieldAdded,
                                    end + 1,
                                    end + 1,
                                ));
                            } else {
                                child = documented.others;
                            }
                        }
                        frames[f].child = child;
                    }
                } else {
                    if top && event_next {
                        event = Some(&text[start..end]);
                        event_next = false;
                        if let (Some(shape), PENDING) = (shapes, frames[0].node) {
                            match EventType::from_name(&text[start..end]) {
                                Some(known) => frames[0].node = shape.events[known.index()].1,
                                None => {
                                    found = Found::Unknown;
                                    shapes = None;
                                }
                            }
                        }
                    } else if shapes.is_some() && depth > 0 {
                        let node = value_node(shape, &frames[depth - 1]);
                        if shape.node(node).adds_value(&text[start..end]) {
                            found.push(Spot::at(
                                &frames[..depth],
                                text,
                                DriftKind::ValueAdded,
                                start,
                                end,
                            ));
                        }
                    }
                }
                // A key's `:` right after it is skipped with it.
                i = if bytes.get(end + 1) == Some(&b':') {
                    end + 2
                } else {
                    end + 1
                };
            }
            open @ (b'{' | b'[') => {
                if depth == DEEP {
                    return None;
                }
                let node = match depth {
                    0 => root,
                    _ => value_node(shapes.unwrap_or(&NO_SHAPE), &frames[depth - 1]),
                };
                frames[depth] = Frame {
                    object: open == b'{',
                    first: key_count,
                    key_next: open == b'{',
                    node,
                    ..Frame::default()
                };
                depth += 1;
                i += 1;
            }
            b'-' | b'0'..=b'9' => {
                let start = i;
                while let Some(&b) = bytes.get(i) {
                    match b {
                        b'0'..=b'9' | b'-' | b'+' | b'.' => i += 1,
                        b'e' | b'E' => return None,
                        _ => break,
                    }
                }
                if i - start > LONG {
                    return None;
                }
            }
            // In JSON (and only JSON gets past the typed decoding) these
            // start `true`, `false` and `null`.
            b't' | b'n' => i += 4,
            b'f' => i += 5,
            b'}' | b']' => {
                if depth > 0 {
                    depth -= 1;
                    key_count = frames[depth].first;
                }
                i += 1;
            }
            b',' => {
                if let Some(frame) = frames[..depth].last_mut() {
                    if frame.object {
                        frame.key_next = true;
                    } else {
                        frame.index += 1;
                    }
                }
                i += 1;
            }
            _ => i += 1,
        }
    }
    Some(Scan {
        unique_keys: true,
        event,
        found,
    })
}

impl Scan<'_> {
    fn repeated() -> Self {
        Scan {
            unique_keys: false,
            event: None,
            found: Found::None,
        }
    }
}

impl Found {
    fn push(&mut self, spot: Option<Spot>) {
        match (&mut *self, spot) {
            (Found::None, Some(spot)) => *self = Found::Some(vec![spot]),
            (Found::Some(spots), Some(spot)) => spots.push(spot),
            // A pointer the scan could not write: the caller finds the drift another way.
            (_, None) => *self = Found::Unknown,
            (Found::Unknown, Some(_)) => {}
        }
    }
}

impl Spot {
    /// The addition at the current member of the innermost of `frames`.
    fn at(frames: &[Frame], text: &str, kind: DriftKind, start: usize, end: usize) -> Option<Spot> {
        let mut pointer = String::new();
        let mut instance_path = String::new();
        for frame in frames {
            if frame.object {
                let key = text.get(frame.key.0 as usize..frame.key.1 as usize)?;
                let token = escape(key);
                for path in [&mut pointer, &mut instance_path] {
                    path.push('/');
                    path.push_str(&token);
                }
            } else {
                pointer.push_str("/*");
                instance_path.push('/');
                instance_path.push_str(&frame.index.to_string());
            }
        }
        Some(Spot {
            kind,
            pointer,
            instance_path,
            start,
            end,
        })
    }
}

/// The node of the value that starts now inside `frame`.
fn value_node(shapes: &Shapes, frame: &Frame) -> u32 {
    if frame.node == PENDING {
        ANY
    } else if frame.object {
        frame.child
    } else {
        shapes.node(frame.node).items
    }
}

/// The node of a documented key of the delivery's root object.
fn find_top(node: &Node, key: &[u8], top: bool) -> Option<u32> {
    if !top {
        return None;
    }
    node.props
        .iter()
        .find(|(k, _)| same(k.as_bytes(), key))
        .map(|(_, child)| *child)
}

/// Whether two keys are equal: lengths, then the first and last bytes,
/// inline (which tells most different keys apart), then the rest.
#[inline]
fn same(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len()
        && match (a.first(), b.first(), a.last(), b.last()) {
            (Some(a0), Some(b0), Some(a1), Some(b1)) => a0 == b0 && a1 == b1 && a == b,
            _ => true,
        }
}

/// The position of `key` among the documented keys, looked for first where
/// the last one found leaves off (Kit writes them in the documented order).
fn find(props: &[(Cow<'static, str>, u32)], key: &[u8], cursor: &mut usize) -> Option<usize> {
    if props.get(*cursor).is_some_and(|(k, _)| same(k.as_bytes(), key)) {
        *cursor += 1;
        return Some(*cursor - 1);
    }
    let found = props.iter().position(|(k, _)| same(k.as_bytes(), key))?;
    *cursor = found + 1;
    Some(found)
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
        scan(text, None, PENDING).map(|s| s.unique_keys)
    }

    #[test]
    fn the_top_level_event_is_found_anywhere() {
        fn event(text: &str) -> Option<&str> {
            scan(text, None, PENDING).and_then(|s| s.event)
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
