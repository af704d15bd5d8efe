//! An added event is minor only if it fits the envelope that receivers built
//! on OLD read every event by (`WebhookEvent::Unknown`), as the schemas
//! define it: `$defs/UnknownEvent` in `schemas/common/envelope.json`.

use super::*;

/// The definition of any event's envelope (`schemas/common/envelope.json`).
const ENVELOPE: &str = "UnknownEvent";

/// This crate's own schemas (the source files it embeds), for the envelope
/// when OLD is an export, whose files carry no envelope of their own.
fn own_envelope() -> Option<&'static SchemaSet> {
    static OWN: std::sync::OnceLock<Option<SchemaSet>> = std::sync::OnceLock::new();
    OWN.get_or_init(|| {
        let files = crate::schema::sources()
            .into_iter()
            .map(|f| {
                Some(kit_webhooks_schema_model::set::File {
                    rel: f.path.to_owned(),
                    doc: serde_json::from_str(f.text).ok()?,
                })
            })
            .collect::<Option<Vec<_>>>()?;
        SchemaSet::from_files(
            std::path::Path::new("schemas"),
            kit_webhooks_schema_model::set::Layout::Source,
            files,
        )
        .ok()
    })
    .as_ref()
}

impl Differ<'_> {
    /// What keeps an added event from fitting the envelope every event
    /// shares, which receivers built on OLD read it by: each field the
    /// envelope requires must be required, and its value of the envelope's
    /// type (a string, a `date-time`, an object). The envelope is
    /// `$defs/UnknownEvent` (`schemas/common/envelope.json`): OLD's when it
    /// has one, else this crate's own.
    pub(super) fn envelope_mismatch(&self, schema: &Value) -> Option<String> {
        let (set, envelope) = match self.old.defs.get(ENVELOPE) {
            Some(def) => (self.old, schema_map(&def.schema)),
            None => {
                let own = own_envelope()?;
                (own, schema_map(&own.defs.get(ENVELOPE)?.schema))
            }
        };
        let event = schema_map(schema);
        let listed = |m: &Map<String, Value>| -> Vec<String> {
            m.get("required")
                .and_then(Value::as_array)
                .map(|r| r.iter().filter_map(Value::as_str).map(str::to_owned).collect())
                .unwrap_or_default()
        };
        let required = listed(&event);
        for field in listed(&envelope) {
            if !required.contains(&field) {
                return Some(format!("`{field}` is not required"));
            }
            let property = |m: &Map<String, Value>| {
                schema_map(
                    m.get("properties")
                        .and_then(|p| p.get(&field))
                        .unwrap_or(&Value::Bool(true)),
                )
            };
            let wanted = self.resolve(set, &property(&envelope));
            let resolved = self.resolve(self.new, &property(&event));
            let wanted_types = types(&wanted).unwrap_or_default();
            let fits_type = match wanted_types.iter().collect::<Vec<_>>().as_slice() {
                [] => true,
                [ty] => {
                    types(&resolved).is_some_and(|t| t.len() == 1 && t.contains(*ty))
                        || (ty.as_str() == "string" && resolved.get("const").is_some_and(Value::is_string))
                }
                _ => types(&resolved).is_some_and(|t| t.is_subset(&wanted_types)),
            };
            let fits_format = wanted
                .get("format")
                .is_none_or(|f| resolved.get("format") == Some(f));
            if !(fits_type && fits_format) {
                let what = match (
                    wanted.get("format").and_then(Value::as_str),
                    wanted_types.iter().next(),
                ) {
                    (Some(format), _) => format!("a `{format}` string"),
                    (None, Some(ty)) if ty.starts_with(['a', 'e', 'i', 'o', 'u']) => format!("an {ty}"),
                    (None, Some(ty)) => format!("a {ty}"),
                    (None, None) => "what the envelope allows".to_owned(),
                };
                return Some(format!("its `{field}` may be other than {what}"));
            }
        }
        None
    }
}
