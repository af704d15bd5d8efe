//! Why a body is not JSON this crate will read: the error type of the parse
//! in [`crate::document`].

/// Why a body is not well-formed JSON, or not JSON this crate will read.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum JsonErrorKind {
    /// Not JSON: a syntax error, trailing characters after the document, or
    /// a number no JSON parser can hold (`1e999`).
    Syntax,
    /// The body ends in the middle of a document (this includes an empty body).
    Eof,
    /// The body is not valid UTF-8.
    Encoding,
    /// An object has the same key twice. Parsers disagree about which copy
    /// wins, so such a body is never accepted.
    DuplicateKey,
    /// Arrays and objects are nested deeper than 128 levels.
    TooDeep,
    /// The document's text passes 4 GiB (far beyond any body size limit).
    TooLarge,
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
    pub(crate) fn new(kind: JsonErrorKind, line: usize, column: usize, message: impl Into<String>) -> Self {
        JsonError {
            kind,
            line,
            column,
            message: message.into(),
        }
    }

    /// The error of a parse that failed: `kind` when the document's builder
    /// refused the body itself, else serde_json's category.
    pub(crate) fn from_parse(error: &serde_json::Error, kind: Option<JsonErrorKind>) -> Self {
        let kind = kind.unwrap_or(match error.classify() {
            serde_json::error::Category::Eof => JsonErrorKind::Eof,
            _ => JsonErrorKind::Syntax,
        });
        // serde_json's message ends with the position, which is kept apart.
        let message = error.to_string();
        let position = format!(" at line {} column {}", error.line(), error.column());
        let message = message.strip_suffix(&position).unwrap_or(&message);
        JsonError::new(kind, error.line(), error.column(), message)
    }
}

/// The body as text, or the position of its first byte that is not UTF-8.
pub(crate) fn check_utf8(bytes: &[u8]) -> Result<&str, JsonError> {
    std::str::from_utf8(bytes).map_err(|e| {
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
        assert_eq!(parse_document(b"1e999").unwrap_err().kind, JsonErrorKind::Syntax);
        assert_eq!(
            parse_document(br#""\ud800""#).unwrap_err().kind,
            JsonErrorKind::Syntax
        );
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
