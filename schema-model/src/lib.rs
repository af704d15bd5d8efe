//! The schema model behind [kit-webhooks](https://docs.rs/kit-webhooks): one
//! owner for what the crate, its build script, its `diff` and its project
//! tasks know about a set of JSON Schemas (Draft 2020-12).
//!
//! - [`keywords`]: every keyword of the dialect, and what each part of
//!   kit-webhooks makes of it (one table, read by everyone);
//! - [`walk`]: where subschemas are, and visiting them;
//! - [`set`]: a directory of schemas read into events and definitions, every
//!   `$ref` resolved into one namespace;
//! - [`forms`]: the open (lenient) and strict forms derived from the source;
//! - [`shape`]: what each event documents, for drift;
//! - `codegen` (feature `codegen`): the generator the build script runs.
//!
//! It is published so that kit-webhooks can be; it follows kit-webhooks'
//! version, which depends on it exactly (`=x.y.z`). Its API is for that crate.
//!
//! ```
//! use kit_webhooks_schema_model::keywords;
//!
//! assert!(keywords::get("unevaluatedProperties").is_some());
//! assert!(keywords::holds("properties").is_some());
//! assert!(keywords::is_annotation("description"));
//! ```

#![forbid(unsafe_code)]
#![warn(missing_docs)]

pub mod forms;
pub mod keywords;
pub mod set;
pub mod shape;
pub mod walk;

#[cfg(feature = "codegen")]
pub mod codegen;

pub use set::{LoadError, SchemaSet};

/// A name as the generator makes Rust type and variant names of it:
/// `outreach.message.sent` → `OutreachMessageSent`; `no_show` → `NoShow`.
pub fn pascal(name: &str) -> String {
    name.split(['.', '_', '-', ' '])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect()
}
