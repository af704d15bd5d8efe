//! What a change to the schemas breaks (feature `diff`): `kit-webhooks diff
//! OLD NEW` and `cargo xtask compat` are built on this.
//!
//! A change is **breaking** when a receiver built on the old schemas, in
//! lenient mode, would refuse (or type differently) a delivery the new
//! schemas allow, or when Rust code written against the old generated API
//! would stop compiling. So relaxing a constraint is breaking (a dropped
//! `format` or bound, a field made nullable or optional, a field removed, a
//! type changed), and so is any change of a field's Rust type; tightening is
//! not (a field added, a value added to a documented list, which lenient
//! receivers keep as `Unknown`, a new event, which they read as
//! `WebhookEvent::Unknown`). Documentation alone is a patch.
//!
//! Either side can be a schema directory in the source layout (`events/` and
//! `common/`) or an export (`schemas/<event>.json`, self-contained); exports
//! are read back into the source form first, so the two layouts compare
//! equal.
//!
//! ```
//! use kit_webhooks::diff::{self, Kind, Semver};
//! use std::path::Path;
//!
//! let root = Path::new(env!("CARGO_MANIFEST_DIR"));
//! let report = diff::diff_dirs(&root.join("schemas"), &root.join("dist"))?;
//! assert!(report.changes.is_empty(), "the export says what the source says");
//! assert_eq!(report.semver, Semver::None);
//! # Ok::<(), diff::LoadError>(())
//! ```

mod compare;
mod render;
mod rules;

use std::path::Path;

use serde::Serialize;

pub use kit_webhooks_schema_model::set::{File, Layout, LoadError, SchemaSet};

/// The verdict on a change from one set of schemas to another.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Report {
    /// Whether any change is breaking.
    pub breaking: bool,
    /// The version bump the changes need, as for a crate at 1.0 or above.
    pub semver: Semver,
    /// Every change, grouped by event (shared definitions last), then by pointer.
    pub changes: Vec<Change>,
}

/// The version bump a set of changes needs.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Semver {
    /// Nothing changed.
    None,
    /// Documentation only.
    Patch,
    /// Additions and tightenings: nothing that breaks.
    Minor,
    /// Something breaks.
    Major,
}

impl Semver {
    /// `none`, `patch`, `minor` or `major`.
    pub fn as_str(self) -> &'static str {
        match self {
            Semver::None => "none",
            Semver::Patch => "patch",
            Semver::Minor => "minor",
            Semver::Major => "major",
        }
    }
}

impl std::fmt::Display for Semver {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct Change {
    /// The event, or `None` for a definition shared by several events (the
    /// message lists them, and so does [`Change::reaches`]).
    pub event: Option<String>,
    /// Where in a delivery (`/data/status`); `*` stands for any member or element.
    pub pointer: String,
    /// What kind of change.
    pub kind: Kind,
    /// Whether it breaks receivers or Rust code built on the old schemas.
    pub breaking: bool,
    /// What changed, for people.
    pub message: String,
    /// The definition the change is in, when it is in one (`OfferStatus`).
    #[serde(skip)]
    pub definition: Option<String>,
    /// The events a change in a shared definition reaches (empty otherwise).
    #[serde(skip)]
    pub reaches: Vec<String>,
    /// The message without the list of events, for the text report.
    #[serde(skip)]
    summary: String,
}

/// The kinds of change, each with its rule.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
#[non_exhaustive]
pub enum Kind {
    /// A new event: old receivers read it as `WebhookEvent::Unknown`. Minor;
    /// breaking when its deliveries may fail the envelope old receivers check
    /// an unknown event against (`created_at` not a date-time, `data` not an
    /// object, ...).
    EventAdded,
    /// An event is gone: its `WebhookEvent` variant and type disappear. Breaking.
    EventRemoved,
    /// A new field: old receivers ignore it. Minor (breaking only where the
    /// old schema refused unknown fields).
    FieldAdded,
    /// A field is gone: the new schemas allow any value there, and its Rust
    /// field disappears. Breaking.
    FieldRemoved,
    /// An optional field becomes required: breaking when its Rust type
    /// changes from `Option<T>` to `T`, minor when it was nullable anyway.
    FieldRequired,
    /// A required field becomes optional: deliveries may omit it. Breaking.
    FieldOptional,
    /// The JSON type changes. Breaking.
    TypeChanged,
    /// The field may now be null. Breaking.
    NullableAdded,
    /// The field may no longer be null: its Rust type loses the `Option`. Breaking.
    NullableRemoved,
    /// A value added to a documented list: old lenient receivers keep it as
    /// `Unknown`. Minor (breaking for a list of non-strings, which stays closed).
    ValueAdded,
    /// A value removed from a documented list: its Rust variant disappears. Breaking.
    ValueRemoved,
    /// A plain string becomes a documented list: its Rust type changes. Breaking.
    ListClosed,
    /// A documented list becomes a plain string: its Rust type changes. Breaking.
    ListOpened,
    /// A constant changes. Breaking.
    ConstChanged,
    /// A `format` is added: minor, unless the Rust type changes (`date-time`).
    FormatAdded,
    /// A `format` is dropped. Breaking.
    FormatRemoved,
    /// A `format` changes. Breaking.
    FormatChanged,
    /// A bound or pattern is added or narrowed. Minor (breaking if the Rust
    /// integer type changes).
    ConstraintTightened,
    /// A bound or pattern is dropped or widened. Breaking.
    ConstraintRelaxed,
    /// An object now refuses fields it does not document. Minor.
    FieldsClosed,
    /// An object now allows fields it does not document, where it refused them. Breaking.
    FieldsOpened,
    /// A field now refers to a differently named type: Rust code naming the
    /// old type stops compiling. Breaking.
    TypeRenamed,
    /// A change this differ cannot prove safe: a keyword it does not model
    /// exactly, or a change under `not`, an `if` condition, a `oneOf` branch
    /// or a `contains` with `maxContains`, which can move the accepted values
    /// either way. Counted as breaking; the message names the keyword.
    Unproven,
    /// Documentation only: `description`, `title`, `examples`, ... Patch.
    Documentation,
}

impl Kind {
    /// The kind's name, as in the JSON output (`value-added`).
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::EventAdded => "event-added",
            Kind::EventRemoved => "event-removed",
            Kind::FieldAdded => "field-added",
            Kind::FieldRemoved => "field-removed",
            Kind::FieldRequired => "field-required",
            Kind::FieldOptional => "field-optional",
            Kind::TypeChanged => "type-changed",
            Kind::NullableAdded => "nullable-added",
            Kind::NullableRemoved => "nullable-removed",
            Kind::ValueAdded => "value-added",
            Kind::ValueRemoved => "value-removed",
            Kind::ListClosed => "list-closed",
            Kind::ListOpened => "list-opened",
            Kind::ConstChanged => "const-changed",
            Kind::FormatAdded => "format-added",
            Kind::FormatRemoved => "format-removed",
            Kind::FormatChanged => "format-changed",
            Kind::ConstraintTightened => "constraint-tightened",
            Kind::ConstraintRelaxed => "constraint-relaxed",
            Kind::FieldsClosed => "fields-closed",
            Kind::FieldsOpened => "fields-opened",
            Kind::TypeRenamed => "type-renamed",
            Kind::Unproven => "unproven",
            Kind::Documentation => "documentation",
        }
    }
}

impl std::fmt::Display for Kind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Reads two schema directories (either layout) and compares them.
///
/// # Errors
///
/// [`LoadError`] when a directory cannot be read as a schema set, or uses
/// what Draft 2020-12 does not have (a tuple `items` array, `definitions`,
/// `dependencies`, ...).
pub fn diff_dirs(old: &Path, new: &Path) -> Result<Report, LoadError> {
    let (old, new) = (SchemaSet::read(old)?, SchemaSet::read(new)?);
    rules::check_2020_12(&old)?;
    rules::check_2020_12(&new)?;
    Ok(diff(&old, &new))
}

/// Compares two schema sets.
pub fn diff(old: &SchemaSet, new: &SchemaSet) -> Report {
    let changes = compare::changes(&normalized(old), &normalized(new));
    let breaking = changes.iter().any(|c| c.breaking);
    let semver = changes
        .iter()
        .map(|c| match (c.breaking, c.kind) {
            (true, _) => Semver::Major,
            (false, Kind::Documentation) => Semver::Patch,
            (false, _) => Semver::Minor,
        })
        .max()
        .unwrap_or(Semver::None);
    Report {
        breaking,
        semver,
        changes,
    }
}

/// A set in the source form: an export's open lists back to plain `enum`s.
fn normalized(set: &SchemaSet) -> SchemaSet {
    let mut set = set.clone();
    for event in set.events.values_mut() {
        kit_webhooks_schema_model::forms::close(&mut event.schema);
    }
    for def in set.defs.values_mut() {
        kit_webhooks_schema_model::forms::close(&mut def.schema);
    }
    set
}

impl Report {
    /// The report for people: changes grouped by event, breaking ones marked `!`.
    pub fn to_text(&self) -> String {
        render::text(self)
    }

    /// The report as JSON: `{"breaking", "semver", "changes": [{"event",
    /// "pointer", "kind", "breaking", "message"}]}`.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// The changes as a Markdown list, for a changelog.
    pub fn to_markdown(&self) -> String {
        render::markdown(self)
    }
}
