//! A schema set read from a directory at run time, validated the way the
//! build validates with the embedded one: each event's bundled schema in its
//! open form (lenient) or closed form (strict), derived by the same code
//! (`forms.rs`), formats asserted, and the drift report from the shape of
//! the same set (`shape.rs`).

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::document::Document;
use crate::drift::{Drift, Node, Shapes};
use crate::error::{Error, Invalid};
use crate::Mode;
use kit_webhooks_schema_model::set::{LoadError, SchemaSet};
use kit_webhooks_schema_model::{forms, shape};

/// The name of the definition of any event's envelope, in the source layout.
const UNKNOWN_DEF: &str = "UnknownEvent";

/// A schema set read from a directory at run time, in either layout: the
/// source (`events/`, `common/`, as this crate's `schemas/`) or an export
/// (one self-contained schema per event, as `cargo xtask export` writes).
/// This is how a change to the schemas is tried before anyone builds it: it
/// validates deliveries against the set in lenient or strict mode, with the
/// lenient and strict forms derived exactly as the build derives the
/// embedded ones, and reports the drift against it.
///
/// ```
/// use kit_webhooks::{schema::SchemaDir, Mode};
///
/// let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
/// let schemas = SchemaDir::read(&dir)?;
/// assert_eq!(schemas.event_names().count(), kit_webhooks::EventType::ALL.len());
///
/// let body = br#"{"event": "test.ping", "created_at": "2025-01-15T14:30:00Z", "data": {"bonus": 1}}"#;
/// let valid = schemas.validate(body, Mode::Lenient).unwrap();
/// assert_eq!(valid.event, "test.ping");
/// assert_eq!(valid.drift.additions()[0].pointer, "/data/bonus");
/// let err = schemas.validate(body, Mode::Strict).unwrap_err();
/// assert_eq!(err.violations()[0].keyword, "additionalProperties");
/// # Ok::<(), kit_webhooks::schema::LoadError>(())
/// ```
pub struct SchemaDir {
    dir: PathBuf,
    /// Per event: its lenient and strict validators.
    events: BTreeMap<String, [jsonschema::Validator; 2]>,
    /// The envelope of an event the set does not know (lenient mode).
    envelope: Option<jsonschema::Validator>,
    shapes: Shapes,
    all_errors: bool,
}

impl fmt::Debug for SchemaDir {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SchemaDir")
            .field("dir", &self.dir)
            .field("events", &self.events.len())
            .finish_non_exhaustive()
    }
}

impl SchemaDir {
    /// Reads and compiles the schema set in `dir`: `dir/events` (the source
    /// layout), `dir/schemas/*.json` (an export) or `dir/*.json` (an
    /// export's `schemas/` itself).
    ///
    /// # Errors
    ///
    /// [`LoadError`], with the file and JSON pointer at fault, when the
    /// directory is not a schema set, a schema does not compile, or it uses
    /// a keyword whose effect on strict mode cannot be stated (`allOf`,
    /// `patternProperties`, ...).
    pub fn read(dir: impl AsRef<Path>) -> Result<SchemaDir, LoadError> {
        let dir = dir.as_ref();
        let mut set = SchemaSet::read(dir)?;
        // An export is open; the source form (lists closed) is what both
        // forms and the shape derive from.
        for event in set.events.values_mut() {
            forms::close(&mut event.schema);
        }
        for def in set.defs.values_mut() {
            forms::close(&mut def.schema);
        }
        let mut events = BTreeMap::new();
        for (name, event) in &set.events {
            let bundled = set.bundled(name).unwrap_or_default();
            let path = set.path_of(event.file);
            let mut open = bundled.clone();
            forms::open(&mut open);
            let mut strict = bundled;
            forms::strict(&mut strict);
            events.insert(name.clone(), [compile(&open, &path)?, compile(&strict, &path)?]);
        }
        let envelope = match set.defs.get(UNKNOWN_DEF) {
            Some(def) => {
                let mut schema = def.schema.clone();
                let defs: serde_json::Map<String, Value> = set
                    .closure(&def.uses)
                    .into_iter()
                    .map(|name| (name.clone(), set.defs[&name].schema.clone()))
                    .collect();
                schema["$defs"] = Value::Object(defs);
                forms::open(&mut schema);
                Some(compile(&schema, &set.path_of(def.file))?)
            }
            None => None,
        };
        let shape = shape::derive(&set)?;
        let nodes: Vec<Node> = shape
            .nodes
            .into_iter()
            .map(|node| Node {
                props: node
                    .props
                    .into_iter()
                    .map(|(key, child)| (Cow::Owned(key), child))
                    .collect(),
                closes: node.closes,
                others: node.others,
                items: node.items,
                values: node.values.into_iter().map(Cow::Owned).collect(),
            })
            .collect();
        let shapes = Shapes {
            nodes: Cow::Owned(nodes),
            events: shape
                .events
                .into_iter()
                .map(|(name, root)| (Cow::Owned(name), root))
                .collect(),
        };
        Ok(SchemaDir {
            dir: dir.to_owned(),
            events,
            envelope,
            shapes,
            all_errors: true,
        })
    }

    /// Whether errors list every violation (the default) or stop at the
    /// first, which is cheaper.
    #[must_use]
    pub fn all_errors(mut self, all: bool) -> Self {
        self.all_errors = all;
        self
    }

    /// The directory the set was read from.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The events of the set, by name.
    pub fn event_names(&self) -> impl Iterator<Item = &str> {
        self.events.keys().map(String::as_str)
    }

    /// Whether the set has the event `name`.
    pub fn has_event(&self, name: &str) -> bool {
        self.events.contains_key(name)
    }

    /// Validates a delivery body against the set in `mode` and returns its
    /// event and its drift against the set (always empty in strict mode,
    /// which refuses drift). The body is read as [`Parser`](crate::Parser) reads it: JSON
    /// with no repeated key, nested at most 128 deep. No size limit applies.
    ///
    /// # Errors
    ///
    /// [`Error::Json`] or [`Error::Invalid`] with the violations.
    pub fn validate(&self, body: &[u8], mode: Mode) -> Result<Validated, Error> {
        let value = Document::with_parsed(body, |root| root.to_value())?;
        self.validate_value(&value, mode)
    }

    /// As [`SchemaDir::validate`], for a document already parsed.
    ///
    /// # Errors
    ///
    /// [`Error::Invalid`] with the violations.
    pub fn validate_value(&self, delivery: &Value, mode: Mode) -> Result<Validated, Error> {
        let name = delivery.get("event").and_then(Value::as_str);
        let invalid = |violations| {
            Error::Invalid(Invalid {
                event: name.map(str::to_owned),
                violations,
            })
        };
        let known = name.and_then(|name| self.events.get(name));
        let validator = match (known, mode) {
            (Some(pair), Mode::Strict) => &pair[1],
            (Some(pair), _) => &pair[0],
            (None, _) => self
                .envelope
                .as_ref()
                .unwrap_or_else(|| crate::validate::envelope_validator()),
        };
        let strict_unknown = known.is_none() && mode == Mode::Strict;
        if !validator.is_valid(delivery) || strict_unknown {
            let mut found = crate::validate::violations(validator, delivery, self.all_errors);
            if let (true, Some(name)) = (strict_unknown, name) {
                crate::validate::refuse_event(
                    &mut found,
                    format!(
                        "{name:?} is not an event of {} (strict mode accepts only its {} events)",
                        self.dir.display(),
                        self.events.len()
                    ),
                );
            }
            return Err(invalid(found));
        }
        Ok(Validated {
            event: name.unwrap_or_default().to_owned(),
            drift: match mode {
                Mode::Strict => Drift::default(),
                _ => self.shapes.drift(delivery),
            },
        })
    }
}

/// A delivery [`SchemaDir`] found valid.
#[derive(Clone, Debug, PartialEq)]
#[non_exhaustive]
pub struct Validated {
    /// Its `event`.
    pub event: String,
    /// What it carries that the set does not document.
    pub drift: Drift,
}

fn compile(schema: &Value, path: &str) -> Result<jsonschema::Validator, LoadError> {
    jsonschema::options()
        .with_draft(jsonschema::Draft::Draft202012)
        .should_validate_formats(true)
        .build(schema)
        .map_err(|e| LoadError::new(path, e.schema_path().as_str(), format!("does not compile: {e}")))
}
