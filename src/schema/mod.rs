//! The schemas as data: the source files, a self-contained schema per event,
//! and the union of all events. For one event's schemas see
//! [`EventType::schema_source`](crate::EventType::schema_source) and
//! [`EventType::bundled_schema`](crate::EventType::bundled_schema).
//!
//! ```
//! use kit_webhooks::{schema, EventType, Mode};
//!
//! let bundled: serde_json::Value =
//!     serde_json::from_str(EventType::TestPing.bundled_schema(Mode::Lenient)).unwrap();
//! assert_eq!(bundled["$id"], "https://kit-webhooks.github.io/schemas/v1/events/test.ping.json");
//! assert!(schema::union(Mode::Strict).contains("\"oneOf\""));
//! assert_eq!(schema::files(Mode::Lenient).len(), schema::files(Mode::Strict).len());
//! ```

use crate::event::{OPEN_FILES, SOURCE_FILES, STRICT_FILES, UNION_SCHEMAS};
use crate::Mode;

#[cfg(feature = "runtime-schemas")]
mod runtime;

#[cfg(any(feature = "diff", feature = "runtime-schemas"))]
#[cfg_attr(docsrs, doc(cfg(any(feature = "diff", feature = "runtime-schemas"))))]
pub use kit_webhooks_schema_model::LoadError;
#[cfg(feature = "runtime-schemas")]
#[cfg_attr(docsrs, doc(cfg(feature = "runtime-schemas")))]
pub use runtime::{SchemaDir, Validated};

/// One schema file: where it lives under `schemas/`, its `$id`, and its text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SchemaFile {
    /// Path relative to `schemas/` (`events/test.ping.json`).
    pub path: &'static str,
    /// The absolute `$id`.
    pub id: &'static str,
    /// The JSON text.
    pub text: &'static str,
}

/// Every schema file, in the form the validators of `mode` read, derived
/// mechanically at build time from the files under `schemas/`: in
/// [`Mode::Lenient`] every list of values is open (any other string passes);
/// in [`Mode::Strict`] every object is closed and `$id`s are under `/strict/`.
/// [`EventType::schema_source`](crate::EventType::schema_source) has the
/// source text.
pub fn files(mode: Mode) -> Vec<SchemaFile> {
    let files: &[(&str, &str, &str)] = match mode {
        Mode::Lenient => &OPEN_FILES,
        Mode::Strict => &STRICT_FILES,
    };
    files
        .iter()
        .map(|&(path, id, text)| SchemaFile { path, id, text })
        .collect()
}

/// Every schema file exactly as under `schemas/`: the source form, whose
/// lists of values are closed (the validators read [`files`]).
pub fn sources() -> Vec<SchemaFile> {
    SOURCE_FILES
        .iter()
        .map(|&(path, id, text)| SchemaFile { path, id, text })
        .collect()
}

/// One self-contained schema of every delivery: `$defs` per event and a
/// `oneOf` with one branch per event. The lenient union also has a branch for
/// an event it does not know, checked by its envelope alone.
pub fn union(mode: Mode) -> &'static str {
    match mode {
        Mode::Lenient => UNION_SCHEMAS[0],
        Mode::Strict => UNION_SCHEMAS[1],
    }
}

/// The lenient union simplified for code generators (json-schema-to-typescript,
/// datamodel-code-generator, typify): simple definitions such as timestamps and
/// bounded integers are inlined, references carry no sibling keywords, and the
/// unknown-event branch is the plain envelope. It describes the same documents
/// as [`union`]`(Mode::Lenient)` except that it does not exclude the known
/// event names from the unknown branch; validate with [`union`].
pub fn codegen() -> &'static str {
    UNION_SCHEMAS[2]
}
