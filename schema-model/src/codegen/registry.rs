//! Stage 3: the event registry, with syn/quote: `EventType` (one variant per
//! event file), `WebhookEvent` (one variant per event, holding its payload
//! type, and `Unknown`), each payload type's `TypedEvent` impl and
//! constructor, and the tables of embedded schema texts.

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;

use super::model::Model;
use super::types::Fields;
use super::{unparse, Result, UNKNOWN_DEF};

/// The generated `registry.rs`.
pub fn generate(model: &Model, fields: &Fields) -> Result<String> {
    let mut seen = std::collections::BTreeMap::new();
    for event in &model.events {
        if let Some(other) = seen.insert(discriminant(&event.name), &event.name) {
            return Err(format!(
                "the events {other:?} and {:?} hash to the same EventType discriminant; rename one",
                event.name
            ));
        }
    }
    let tokens = tokens(model, fields);
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("registry code does not parse: {e}"))?;
    Ok(unparse("by build.rs from schemas/", &file))
}

/// A stable discriminant for an event name: FNV-1a, in 31 bits.
pub fn discriminant(name: &str) -> u32 {
    let mut hash: u32 = 0x811c_9dc5;
    for byte in name.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash >> 1
}

/// The text of a file under `schemas/` (the `source_schema!` macro of `src/event.rs`).
fn source(rel: &str) -> TokenStream {
    quote!(source_schema!(#rel))
}

/// The text of a derived schema under `OUT_DIR/schemas/` (`derived_schema!`).
fn derived(rel: &str) -> TokenStream {
    quote!(derived_schema!(#rel))
}

fn tokens(model: &Model, fields: &Fields) -> TokenStream {
    let events = &model.events;
    // The optional fields an event has beside the envelope's three (Kit may
    // add one): the constructor sets them to `None`.
    let extras: Vec<TokenStream> = events
        .iter()
        .map(|e| {
            let idents = fields
                .get(&e.title)
                .into_iter()
                .flatten()
                .filter(|(key, _)| !["event", "created_at", "data"].contains(&key.as_str()))
                .map(|(_, rust)| match rust.strip_prefix("r#") {
                    Some(raw) => Ident::new_raw(raw, Span::call_site()),
                    None => Ident::new(rust, Span::call_site()),
                });
            quote!(#(, #idents)*)
        })
        .collect();
    let variants: Vec<Ident> = events
        .iter()
        .map(|e| Ident::new(&e.title, Span::call_site()))
        .collect();
    let data: Vec<Ident> = events
        .iter()
        .map(|e| Ident::new(&e.data, Span::call_site()))
        .collect();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    // Each variant's discriminant comes from its name alone, so adding an
    // event changes no other variant's (cargo-semver-checks holds a changed
    // discriminant breaking).
    let discriminants: Vec<proc_macro2::Literal> = names
        .iter()
        .map(|name| proc_macro2::Literal::u32_unsuffixed(discriminant(name)))
        .collect();
    let count = events.len();
    let indices: Vec<usize> = (0..count).collect();
    let ids: Vec<String> = events.iter().map(|e| model.id(e.file)).collect();
    let strict_ids: Vec<String> = events.iter().map(|e| model.strict_id(e.file)).collect();
    let mut lengths: std::collections::BTreeMap<usize, Vec<(&str, &Ident)>> =
        std::collections::BTreeMap::new();
    for (name, variant) in names.iter().zip(&variants) {
        lengths.entry(name.len()).or_default().push((name, variant));
    }
    let by_length: TokenStream = lengths
        .iter()
        .map(|(length, same)| {
            let (names, variants): (Vec<&str>, Vec<&Ident>) = same.iter().copied().unzip();
            quote!(#length => match name {
                #(#names => Some(EventType::#variants),)*
                _ => None,
            },)
        })
        .collect();
    let variant_docs: Vec<String> = events
        .iter()
        .map(|e| format!(" `{}`: {}", e.name, e.description))
        .collect();
    let file_indices: Vec<usize> = events.iter().map(|e| e.file).collect();
    let bundled: Vec<TokenStream> = events
        .iter()
        .map(|e| derived(&format!("bundled/{}.json", e.name)))
        .collect();
    let bundled_strict: Vec<TokenStream> = events
        .iter()
        .map(|e| derived(&format!("bundled/strict/{}.json", e.name)))
        .collect();

    let files = &model.set.files;
    let file_count = files.len();
    let file_rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let file_ids: Vec<String> = (0..file_count).map(|i| model.id(i)).collect();
    let file_strict_ids: Vec<String> = (0..file_count).map(|i| model.strict_id(i)).collect();
    let file_sources: Vec<TokenStream> = files.iter().map(|f| source(&f.rel)).collect();
    let file_open: Vec<TokenStream> = files
        .iter()
        .map(|f| derived(&format!("open/{}", f.rel)))
        .collect();
    let file_strict: Vec<TokenStream> = files
        .iter()
        .map(|f| derived(&format!("strict/{}", f.rel)))
        .collect();
    let envelope_file = model.set.defs.get(UNKNOWN_DEF).map_or(0, |def| def.file);
    let envelope = format!("{}#/$defs/{UNKNOWN_DEF}", model.id(envelope_file));
    let strict_envelope = format!("{}#/$defs/{UNKNOWN_DEF}", model.strict_id(envelope_file));
    let union = derived("union.json");
    let strict_union = derived("strict/union.json");
    let codegen = derived("codegen.json");

    quote! {
        /// The name of every event this crate knows, one variant per schema
        /// under `schemas/events/`.
        ///
        /// ```
        /// use kit_webhooks::EventType;
        ///
        /// let event: EventType = "application.submitted".parse().unwrap();
        /// assert_eq!(event, EventType::ApplicationSubmitted);
        /// assert_eq!(event.as_str(), "application.submitted");
        /// assert_eq!(event.to_string(), "application.submitted");
        /// assert!(EventType::ALL.contains(&event));
        /// assert!("application.unknown".parse::<EventType>().is_err());
        /// ```
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum EventType {
            #(
                #[doc = #variant_docs]
                #variants = #discriminants,
            )*
        }

        /// By name, so that an event added later takes its place among the
        /// others without reordering them.
        impl PartialOrd for EventType {
            fn partial_cmp(&self, other: &Self) -> Option<::std::cmp::Ordering> {
                Some(self.cmp(other))
            }
        }

        impl Ord for EventType {
            fn cmp(&self, other: &Self) -> ::std::cmp::Ordering {
                self.as_str().cmp(other.as_str())
            }
        }

        impl EventType {
            /// Every known event, in the order of the schema files.
            pub const ALL: &'static [EventType] = &[#(EventType::#variants),*];

            /// The event name as Kit sends it in `event` and `X-Webhook-Event`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(EventType::#variants => #names,)*
                }
            }

            /// The position of this event in [`EventType::ALL`].
            #[cfg(feature = "validate")]
            pub(crate) const fn index(self) -> usize {
                match self {
                    #(EventType::#variants => #indices,)*
                }
            }

            /// The event for a name, if this crate knows it.
            pub fn from_name(name: &str) -> Option<Self> {
                // By length first: a few comparisons instead of one per event.
                match name.len() {
                    #by_length
                    _ => None,
                }
            }

            /// The `$id` of this event's schema (its strict form is under `/strict/`).
            pub const fn schema_id(self) -> &'static str {
                match self {
                    #(EventType::#variants => #ids,)*
                }
            }

            /// The `$id` of this event's strict schema.
            #[cfg(feature = "validate")]
            pub(crate) const fn strict_schema_id(self) -> &'static str {
                match self {
                    #(EventType::#variants => #strict_ids,)*
                }
            }

            /// The text of this event's schema file, exactly as under `schemas/events/`.
            /// It refers to shared shapes in other files; see [`EventType::bundled_schema`]
            /// for a self-contained version.
            pub const fn schema_source(self) -> &'static str {
                SOURCE_FILES[match self {
                    #(EventType::#variants => #file_indices,)*
                }].2
            }

            /// A self-contained schema of this event (shared shapes copied into
            /// `$defs`). In [`Mode::Lenient`](crate::Mode::Lenient) its lists of
            /// values are open (any other string passes); in
            /// [`Mode::Strict`](crate::Mode::Strict) they are closed and every
            /// object rejects unknown fields.
            pub const fn bundled_schema(self, mode: crate::Mode) -> &'static str {
                match mode {
                    crate::Mode::Strict => match self {
                        #(EventType::#variants => #bundled_strict,)*
                    },
                    crate::Mode::Lenient => match self {
                        #(EventType::#variants => #bundled,)*
                    },
                }
            }
        }

        /// A typed Kit webhook delivery: one variant per known event, holding
        /// that event's generated payload type, and [`WebhookEvent::Unknown`]
        /// for an event this version does not know yet.
        ///
        /// Serialising a `WebhookEvent` gives back the delivery's JSON.
        #[derive(Clone, Debug, PartialEq)]
        #[non_exhaustive]
        pub enum WebhookEvent {
            #(
                #[doc = #variant_docs]
                #variants(crate::types::#variants),
            )*
            /// An event this version of the crate does not know. Its name,
            /// `created_at` and `data` are kept as received.
            Unknown(crate::types::UnknownEvent),
        }

        impl WebhookEvent {
            /// The event, or `None` for [`WebhookEvent::Unknown`].
            pub fn event_type(&self) -> Option<EventType> {
                match self {
                    #(WebhookEvent::#variants(_) => Some(EventType::#variants),)*
                    WebhookEvent::Unknown(_) => None,
                }
            }

            /// The event name, as in the delivery's `event`.
            pub fn event_name(&self) -> &str {
                match self {
                    #(WebhookEvent::#variants(_) => #names,)*
                    WebhookEvent::Unknown(unknown) => unknown.event(),
                }
            }

            /// When the event occurred (the envelope's `created_at`).
            pub fn created_at(&self) -> &::chrono::DateTime<::chrono::Utc> {
                match self {
                    #(WebhookEvent::#variants(delivery) => &delivery.created_at,)*
                    WebhookEvent::Unknown(unknown) => unknown.created_at(),
                }
            }

            /// Deserialises the payload of a known event straight into its type.
            pub(crate) fn deserialize_known<'de, D>(event: EventType, deserializer: D) -> Result<Self, D::Error>
            where
                D: ::serde::Deserializer<'de>,
            {
                match event {
                    #(EventType::#variants => ::serde::Deserialize::deserialize(deserializer).map(WebhookEvent::#variants),)*
                }
            }
        }

        impl ::serde::Serialize for WebhookEvent {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    #(WebhookEvent::#variants(delivery) => delivery.serialize(serializer),)*
                    WebhookEvent::Unknown(unknown) => unknown.serialize(serializer),
                }
            }
        }

        #(typed_event!(#variants, #names, #data #extras);)*

        /// Calls `$m!` with every known event's payload type (by its name in
        /// `types`), for the crate's own tests: their judge decodes each with
        /// its derived `Deserialize`, with no list written by hand.
        #[doc(hidden)]
        #[macro_export]
        macro_rules! __for_each_event_type {
            ($m:ident) => {
                $m!(#(#variants),*);
            };
        }

        /// Every schema file under `schemas/`: path, `$id`, source text.
        pub(crate) const SOURCE_FILES: [(&str, &str, &str); #file_count] = [
            #((#file_rels, #file_ids, #file_sources),)*
        ];

        /// Every schema file in its open form (lenient mode): path, `$id`, text.
        pub(crate) const OPEN_FILES: [(&str, &str, &str); #file_count] = [
            #((#file_rels, #file_ids, #file_open),)*
        ];

        /// Every schema file in its strict form: path, `$id`, text.
        pub(crate) const STRICT_FILES: [(&str, &str, &str); #file_count] = [
            #((#file_rels, #file_strict_ids, #file_strict),)*
        ];

        /// The union of all events: lenient, strict, and simplified for code generators.
        pub(crate) const UNION_SCHEMAS: [&str; 3] = [#union, #strict_union, #codegen];

        /// The `$id` of the envelope every delivery shares, lenient and strict.
        #[cfg(feature = "validate")]
        pub(crate) const ENVELOPE_IDS: [&str; 2] = [#envelope, #strict_envelope];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::set::{Layout, SchemaSet};
    use std::path::Path;

    #[test]
    fn the_registry_has_a_variant_constructor_and_tables_per_event() {
        let set = SchemaSet::from_files(
            Path::new("schemas"),
            Layout::Source,
            crate::codegen::model::tests::files(),
        )
        .unwrap();
        let code = generate(&Model::new(set).unwrap(), &Fields::new()).unwrap();
        assert!(code.contains("TestPing(crate::types::TestPing)"), "{code}");
        assert!(code.contains("Unknown(crate::types::UnknownEvent)"), "{code}");
        assert!(
            code.contains("typed_event!(TestPing, \"test.ping\", PingData)"),
            "{code}"
        );
        assert!(
            code.contains("source_schema!(\"events/test.ping.json\")"),
            "{code}"
        );
        assert!(code.contains("derived_schema!(\"open/common/c.json\")"), "{code}");
        // No absolute path of the machine that built it.
        assert!(!code.contains(env!("CARGO_MANIFEST_DIR")), "{code}");
    }
}
