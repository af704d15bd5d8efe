//! Why a body is not JSON this crate will read: the error type of the parse
//! in [`crate::document`].

/// Why a body is not well-formed JSON, or not JSON this crate will read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// Not JSON: a syntax error, or trailing characters after the document.
    Syntax,
    /// The body ends in the middle of a document (this includes an empty body).
    Eof,
    /// The body is not valid UTF-8.
    Encoding,
    /// An object has the same key twice. Parsers disagree about which copy
    /// wins, so such a body is never accepted.
    DuplicateKey,
    /// Arrays and objects are nested deeper than the recursion limit (128).
    TooDeep,
    /// A number that a JSON parser cannot hold (for example `1e999`).
    Number,
}

/// A body that is not well-formed JSON, with where the problem was found.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("malformed JSON at line {line}, column {column}: {message}")]
#[non_exhaustive]
pub struct JsonError {
    /// What kind of problem it is.
    pub kind: JsonErrorKind,
    /// 1-based line of the problem (0 when unknown).
    pub line: usize,
    /// 1-based column of the problem (0 when unknown).
    pub column: usize,
    /// What is wrong, for people.
    pub message: String,
}

impl JsonError {
    pub(crate) fn from_serde(error: &serde_json::Error) -> Self {
        let message = error.to_string();
        // serde_json appends " at line L column C"; the position is kept apart.
        let text = match message.rfind(" at line ") {
            Some(at) => message[..at].to_owned(),
            None => message.clone(),
        };
        let kind = if text.starts_with(DUPLICATE_KEY) {
            JsonErrorKind::DuplicateKey
        } else if text.contains("recursion limit exceeded") {
            JsonErrorKind::TooDeep
        } else if text.contains("invalid unicode code point") || text.contains("invalid UTF-8") {
            JsonErrorKind::Encoding
        } else if text.contains("number out of range") {
            JsonErrorKind::Number
        } else if error.is_eof() {
            JsonErrorKind::Eof
        } else {
            JsonErrorKind::Syntax
        };
        JsonError {
            kind,
            line: error.line(),
            column: error.column(),
            message: text,
        }
    }
}

pub(crate) const DUPLICATE_KEY: &str = "duplicate key";

/// Refuses a body that is not UTF-8, with the position of the first bad byte.
pub(crate) fn check_utf8(bytes: &[u8]) -> Result<(), JsonError> {
    std::str::from_utf8(bytes).map(drop).map_err(|e| {
        let (line, column) = position(bytes, e.valid_up_to());
        JsonError {
            kind: JsonErrorKind::Encoding,
            line,
            column,
            message: format!("the body is not valid UTF-8 (byte {})", e.valid_up_to()),
        }
    })
}

/// 1-based line and column of byte `offset`.
fn position(bytes: &[u8], offset: usize) -> (usize, usize) {
    let before = &bytes[..offset.min(bytes.len())];
    let line = before.iter().filter(|&&b| b == b'\n').count() + 1;
    let column = before.iter().rev().take_while(|&&b| b != b'\n').count() + 1;
    (line, column)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Document;

    fn parse_document(bytes: &[u8]) -> Result<Document, JsonError> {
        Document::parse(bytes)
    }

    #[test]
    fn duplicate_keys_are_refused_with_their_position() {
        let err = parse_document(br#"{"event": "a", "event": "b"}"#).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey);
        assert_eq!(err.line, 1);
        assert!(err.message.contains("\"event\""), "{err}");
    }

    #[test]
    fn nested_duplicates_are_refused_too() {
        let err = parse_document(br#"{"data": {"id": 1, "id": 1}}"#).unwrap_err();
        assert_eq!(err.kind, JsonErrorKind::DuplicateKey);
    }

    #[test]
    fn kinds_name_the_problem() {
        assert_eq!(parse_document(b"").unwrap_err().kind, JsonErrorKind::Eof);
        assert_eq!(parse_document(b"{\"a\":").unwrap_err().kind, JsonErrorKind::Eof);
        assert_eq!(parse_document(b"{} x").unwrap_err().kind, JsonErrorKind::Syntax);
        assert_eq!(
            parse_document(b"\xff{}").unwrap_err().kind,
            JsonErrorKind::Encoding
        );
        assert_eq!(parse_document(b"1e999").unwrap_err().kind, JsonErrorKind::Number);
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse_document(deep.as_bytes()).unwrap_err().kind,
            JsonErrorKind::TooDeep
        );
    }

    #[test]
    fn line_and_column_point_at_the_problem() {
        let err = parse_document(b"{\n  \"a\": 1,\n  \"b\": }").unwrap_err();
        assert_eq!((err.line, err.column), (3, 8));
        let err = parse_document(b"{\n\"a\": \"\xff\"}").unwrap_err();
        assert_eq!((err.kind, err.line, err.column), (JsonErrorKind::Encoding, 2, 7));
    }
}
