//! The compiled validators: one per event and mode, plus the envelope's,
//! each compiled on first use from the embedded schema files through an
//! in-memory registry, with formats asserted. They read `serde_json::Value`,
//! jsonschema's own representation, so none of jsonschema's generic code is
//! compiled again in this crate.

use std::sync::OnceLock;

use serde_json::{json, Value};

use crate::error::{Keyword, Violation};
use crate::event::{EventType, ENVELOPE_IDS, OPEN_FILES, STRICT_FILES};
use crate::Mode;

/// The validators of one mode.
pub(super) struct Validators {
    files: &'static [(&'static str, &'static str, &'static str)],
    mode: Mode,
    registry: OnceLock<jsonschema::Registry<'static>>,
    by_event: [OnceLock<jsonschema::Validator>; EventType::ALL.len()],
    envelope: OnceLock<jsonschema::Validator>,
}

/// The process-wide validators of `mode`.
pub(super) fn validators(mode: Mode) -> &'static Validators {
    static LENIENT: Validators = Validators::new(&OPEN_FILES, Mode::Lenient);
    static STRICT: Validators = Validators::new(&STRICT_FILES, Mode::Strict);
    match mode {
        Mode::Lenient => &LENIENT,
        Mode::Strict => &STRICT,
    }
}

impl Validators {
    pub(super) const fn new(
        files: &'static [(&'static str, &'static str, &'static str)],
        mode: Mode,
    ) -> Self {
        Validators {
            files,
            mode,
            registry: OnceLock::new(),
            by_event: [const { OnceLock::new() }; EventType::ALL.len()],
            envelope: OnceLock::new(),
        }
    }

    /// The validator of an event, or of the envelope for an unknown one.
    pub(super) fn get(&self, event: Option<EventType>) -> &jsonschema::Validator {
        let strict = self.mode == Mode::Strict;
        match event {
            Some(event) => self.by_event[event.index()].get_or_init(|| {
                let id = if strict {
                    event.strict_schema_id()
                } else {
                    event.schema_id()
                };
                self.compile(&json!({ "$ref": id }))
            }),
            None => self
                .envelope
                .get_or_init(|| self.compile(&json!({ "$ref": ENVELOPE_IDS[usize::from(strict)] }))),
        }
    }

    /// Compiles every validator now; returns how many are compiled.
    pub(super) fn warm_up(&self) -> usize {
        self.get(None);
        for &event in EventType::ALL {
            self.get(Some(event));
        }
        let compiled = self.by_event.iter().filter(|cell| cell.get().is_some()).count();
        compiled + usize::from(self.envelope.get().is_some())
    }

    fn registry(&self) -> &jsonschema::Registry<'static> {
        self.registry.get_or_init(|| {
            let resources = self.files.iter().map(|(path, id, text)| {
                let contents: Value = serde_json::from_str(text)
                    .unwrap_or_else(|e| panic!("embedded schema {path} is not JSON: {e}"));
                (*id, jsonschema::Resource::from_contents(contents))
            });
            jsonschema::Registry::new()
                .extend(resources)
                .and_then(jsonschema::RegistryBuilder::prepare)
                .unwrap_or_else(|e| panic!("the embedded schemas do not form a registry: {e}"))
        })
    }

    fn compile(&self, schema: &Value) -> jsonschema::Validator {
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .with_registry(self.registry())
            .build(schema)
            .unwrap_or_else(|e| panic!("the embedded schema {schema} does not compile: {e}"))
    }
}

/// Every violation of `document` (or the first, when `all` is false).
pub(crate) fn violations(validator: &jsonschema::Validator, document: &Value, all: bool) -> Vec<Violation> {
    let to_violation = |e: jsonschema::ValidationError<'_>| {
        Violation::schema(e.instance_path().as_str(), e.kind().keyword(), e.to_string())
    };
    let mut out: Vec<Violation> = if all {
        validator.iter_errors(document).map(to_violation).collect()
    } else {
        validator
            .validate(document)
            .err()
            .map(to_violation)
            .into_iter()
            .collect()
    };
    if out.is_empty() && !validator.is_valid(document) {
        out.push(Violation::new(
            "",
            Keyword::Unnamed,
            "the document does not satisfy the schema",
        ));
    }
    out
}

/// Compiles every validator of `mode` afresh, bypassing the process-wide
/// cache, and returns how many. For the cold-start benchmark only.
pub fn compile_all_uncached(mode: Mode) -> usize {
    let fresh = match mode {
        Mode::Lenient => Validators::new(&OPEN_FILES, Mode::Lenient),
        Mode::Strict => Validators::new(&STRICT_FILES, Mode::Strict),
    };
    fresh.warm_up();
    EventType::ALL.len() + 1
}
