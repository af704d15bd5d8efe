//! Stage 2: the payload types. typify generates them from the bundled
//! schemas; this stage prepares its input and finishes its output:
//!
//! - simple definitions (timestamps, bounded integers) are inlined, so that
//!   fields get plain Rust types (`DateTime<Utc>`, `i64`);
//! - closed lists of strings become the open enums of [`super::enums`], and
//!   each event's `event` becomes `EventName<Event>`, through typify's
//!   replacements;
//! - every struct is `#[non_exhaustive]` and every field is documented from
//!   its schema, in the schema's order;
//! - builders are finished by [`super::builders`].

use std::collections::BTreeMap;

use quote::quote;
use serde_json::{json, Value};
use typify::{TypeSpace, TypeSpaceImpl, TypeSpaceSettings};

use super::model::{is_named_shape, Model};
use super::walk;
use super::{builders, enums, unparse, Result, UNKNOWN_DEF};

/// Every generated struct's fields: JSON name → Rust field name.
pub type Fields = BTreeMap<String, BTreeMap<String, String>>;

/// The generated `types.rs`, and the fields of its structs.
pub fn generate(model: &Model) -> Result<(String, Fields)> {
    let mut settings = TypeSpaceSettings::default();
    settings
        .with_derive("PartialEq".to_owned())
        .with_struct_builder(true)
        // A `date-time` string is a `DateTime<Utc>`, by this setting: the
        // fields read strictly below are found by the type named here.
        .with_conversion(
            date_time_schema(),
            TIMESTAMP,
            [TypeSpaceImpl::Display, TypeSpaceImpl::FromStr].into_iter(),
        );
    for (name, _) in model.string_enums() {
        settings.with_replacement(
            name,
            format!("crate::types::{name}"),
            [TypeSpaceImpl::Display, TypeSpaceImpl::FromStr].into_iter(),
        );
    }
    for event in &model.events {
        settings.with_replacement(
            tag_name(&event.title),
            format!("crate::types::EventName<crate::types::{}>", event.title),
            [TypeSpaceImpl::Display].into_iter(),
        );
    }
    let input = typify_input(model)?;
    let mut space = TypeSpace::new(&settings);
    // typify reports some unsupported constructs by panicking; turn that into
    // one clear message instead of a backtrace.
    let hook = std::panic::take_hook();
    std::panic::set_hook(Box::new(|_| {}));
    let added = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        space.add_ref_types(input).map(|()| space.to_stream())
    }));
    std::panic::set_hook(hook);
    let tokens = match added {
        Ok(Ok(tokens)) => tokens,
        Ok(Err(e)) => return Err(format!("typify rejected the bundled schemas: {e}")),
        Err(panic) => {
            let why = panic
                .downcast_ref::<String>()
                .cloned()
                .or_else(|| panic.downcast_ref::<&str>().map(|s| (*s).to_owned()))
                .unwrap_or_else(|| "unknown reason".into());
            return Err(format!("typify cannot handle the schemas: {why}"));
        }
    };
    let mut file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("typify produced code that does not parse: {e}"))?;
    check_conversions(&file)?;
    finish(&mut file, &field_docs(model));
    // The envelopes have `new`, and the unknown event is made only by parsing.
    let envelopes: Vec<String> = model
        .events
        .iter()
        .map(|e| e.title.clone())
        .chain([UNKNOWN_DEF.to_owned()])
        .collect();
    builders::finish(&mut file, &envelopes)?;
    let enums: syn::File =
        syn::parse2(enums::generate(model)?).map_err(|e| format!("enum code does not parse: {e}"))?;
    file.items.extend(enums.items);
    check_unique_items(&file)?;
    Ok((
        unparse("by build.rs from schemas/ with typify", &file),
        fields(&file),
    ))
}

/// JSON name → Rust field name, for every struct with named fields.
fn fields(file: &syn::File) -> Fields {
    let mut out = Fields::new();
    for item in &file.items {
        if let syn::Item::Struct(s) = item {
            if let syn::Fields::Named(named) = &s.fields {
                let fields = named
                    .named
                    .iter()
                    .filter_map(|f| Some((json_name(f), f.ident.as_ref()?.to_string())))
                    .collect();
                out.insert(s.ident.to_string(), fields);
            }
        }
    }
    out
}

/// The name of the definition that stands for an event's `event` field.
fn tag_name(title: &str) -> String {
    format!("{title}Event")
}

/// The schemas typify reads: every definition that becomes a named type,
/// and every event, simplified.
fn typify_input(model: &Model) -> Result<Vec<(String, schemars::schema::Schema)>> {
    let mut roots: Vec<(String, Value, String)> = Vec::new();
    for (name, def) in &model.set.defs {
        if !model.is_simple(name) {
            let origin = format!("{}: /$defs/{name}", model.shown(def.file));
            roots.push((name.clone(), def.schema.clone(), origin));
        }
    }
    for event in &model.events {
        let tag = tag_name(&event.title);
        if model.set.defs.contains_key(&tag) {
            return Err(format!(
                "schemas/common/: the definition name {tag:?} is taken by the `event` field of {}",
                event.name
            ));
        }
        let mut schema = model.set.events[&event.name].schema.clone();
        schema["properties"]["event"] = json!({ "$ref": format!("#/$defs/{tag}") });
        roots.push((event.title.clone(), schema, model.shown(event.file)));
        roots.push((tag, json!({ "type": "string" }), model.shown(event.file)));
    }
    let mut out = Vec::new();
    for (name, mut schema, origin) in roots {
        simplify_refs(&mut schema, &|name| {
            model
                .set
                .defs
                .get(name)
                .filter(|_| model.is_simple(name))
                .map(|def| &def.schema)
        });
        let _ = walk::visit_mut(&mut schema, "", &mut |map, _| {
            // typify ignores `const`; a one-value `enum` means the same to it.
            if let Some(constant) = map.remove("const") {
                map.insert("enum".into(), Value::Array(vec![constant]));
                map.entry("type").or_insert_with(|| json!("string"));
            }
            for key in ["$schema", "$id", "examples"] {
                map.remove(key);
            }
            Ok::<(), ()>(())
        });
        let parsed: schemars::schema::Schema = serde_json::from_value(schema)
            .map_err(|e| format!("{origin}: not a schema typify can read: {e}"))?;
        out.push((name, parsed));
    }
    Ok(out)
}

/// A reference to a simple definition is replaced by the definition (the
/// field's own keywords win); a reference to a named shape loses its sibling
/// keywords, which code generators would otherwise turn into a new type.
pub fn simplify_refs<'a>(schema: &mut Value, simple: &dyn Fn(&str) -> Option<&'a Value>) {
    let _ = walk::visit_mut(schema, "", &mut |map, _| {
        let Some(target) = map.get("$ref").and_then(Value::as_str) else {
            return Ok::<(), ()>(());
        };
        let name = target.trim_start_matches("#/$defs/").to_owned();
        match simple(&name) {
            Some(Value::Object(def)) => {
                map.remove("$ref");
                // The definition's title names the shape, not the field.
                for (key, value) in def.iter().filter(|(key, _)| *key != "title") {
                    map.entry(key.clone()).or_insert_with(|| value.clone());
                }
            }
            _ => map.retain(|key, _| key == "$ref"),
        }
        Ok(())
    });
}

/// For every named struct, its fields in the schema's order, each with its
/// documentation: the field's own description, or the one of the definition
/// it refers to.
fn field_docs(model: &Model) -> BTreeMap<String, Vec<(String, String)>> {
    let mut structs: Vec<(&str, &Value)> = model
        .set
        .defs
        .iter()
        .filter(|(_, def)| is_named_shape(&def.schema))
        .map(|(name, def)| (name.as_str(), &def.schema))
        .collect();
    for event in &model.events {
        structs.push((&event.title, &model.set.events[&event.name].schema));
    }
    let described = |schema: &Value| -> Option<String> {
        schema
            .get("description")
            .and_then(Value::as_str)
            .map(str::to_owned)
            .or_else(|| {
                let name = schema.get("$ref")?.as_str()?.trim_start_matches("#/$defs/");
                model
                    .set
                    .defs
                    .get(name)?
                    .schema
                    .get("description")?
                    .as_str()
                    .map(str::to_owned)
            })
    };
    structs
        .into_iter()
        .map(|(name, schema)| {
            let fields = schema
                .get("properties")
                .and_then(Value::as_object)
                .map(|properties| {
                    properties
                        .iter()
                        .map(|(field, schema)| (field.clone(), described(schema).unwrap_or_default()))
                        .collect()
                })
                .unwrap_or_default();
            (name.to_owned(), fields)
        })
        .collect()
}

/// Finishes typify's output: see the module documentation.
fn finish(file: &mut syn::File, docs: &BTreeMap<String, Vec<(String, String)>>) {
    // typify's conversion error type, and its `From<&T> for T` clones, are
    // not part of this crate's API.
    file.items.retain(|item| match item {
        syn::Item::Mod(m) => m.ident != "error",
        syn::Item::Impl(i) => !is_from_ref(i),
        _ => true,
    });
    for item in &mut file.items {
        match item {
            syn::Item::Struct(s) => {
                s.attrs.push(syn::parse_quote!(#[non_exhaustive]));
                if let Some(fields) = docs.get(&s.ident.to_string()) {
                    document_fields(s, fields);
                }
            }
            syn::Item::Enum(e) => e.attrs.push(syn::parse_quote!(#[non_exhaustive])),
            syn::Item::Impl(i) => document_methods(i, |method| {
                (method == "builder").then(|| {
                    "A builder for this type, for building payloads in tests: set every required field, then `try_into()`.".to_owned()
                })
            }),
            syn::Item::Mod(m) if m.ident == "builder" => builders::document(m, docs),
            _ => {}
        }
    }
    seal_unknown_event(file);
}

/// `UnknownEvent` stands for a delivery whose event this version does not
/// know, so only parsing makes one: its fields are private (read through
/// accessors), it has no builder, and its `event` refuses a documented name.
fn seal_unknown_event(file: &mut syn::File) {
    let mut accessors = Vec::new();
    for item in &mut file.items {
        match item {
            syn::Item::Struct(s) if s.ident == UNKNOWN_DEF => {
                for field in s.fields.iter_mut() {
                    field.vis = syn::Visibility::Inherited;
                    let Some(ident) = field.ident.clone() else {
                        continue;
                    };
                    if json_name(field) == "event" {
                        field.attrs.push(syn::parse_quote!(
                            #[serde(deserialize_with = "crate::event::unknown_event_name")]
                        ));
                    }
                    let docs: Vec<&syn::Attribute> =
                        field.attrs.iter().filter(|a| a.path().is_ident("doc")).collect();
                    let ty = &field.ty;
                    let (ret, body) = match quote!(#ty).to_string().replace(' ', "").as_str() {
                        "::std::string::String" => (quote!(&str), quote!(&self.#ident)),
                        _ => (quote!(&#ty), quote!(&self.#ident)),
                    };
                    accessors.push(quote! {
                        #(#docs)*
                        pub fn #ident(&self) -> #ret {
                            #body
                        }
                    });
                }
            }
            _ => {}
        }
    }
    let name = syn::Ident::new(UNKNOWN_DEF, proc_macro2::Span::call_site());
    file.items.push(syn::parse_quote! {
        impl #name {
            #(#accessors)*
        }
    });
}

/// The JSON name of a field.
fn json_name(field: &syn::Field) -> String {
    serde_rename(&field.attrs).unwrap_or_else(|| {
        let ident = field.ident.as_ref().map(ToString::to_string).unwrap_or_default();
        ident.trim_start_matches("r#").to_owned()
    })
}

/// The position of a JSON field name in the schema's order.
pub(super) fn position(fields: &[(String, String)], name: &str) -> usize {
    fields.iter().position(|(n, _)| n == name).unwrap_or(usize::MAX)
}

/// Puts a struct's fields in the schema's order (typify sorts them by name)
/// and documents each from its schema.
fn document_fields(item: &mut syn::ItemStruct, fields: &[(String, String)]) {
    let syn::Fields::Named(named) = &mut item.fields else {
        return;
    };
    let mut all: Vec<syn::Field> = std::mem::take(&mut named.named).into_iter().collect();
    all.sort_by_key(|field| position(fields, &json_name(field)));
    for mut field in all {
        read_timestamps_strictly(&mut field);
        if let Some((_, doc)) = fields.iter().find(|(name, _)| *name == json_name(&field)) {
            if !doc.is_empty() {
                set_doc(&mut field.attrs, doc);
            }
        }
        named.named.push(field);
    }
}

/// Documents the public methods of an inherent impl that `doc` knows.
pub(super) fn document_methods(item: &mut syn::ItemImpl, doc: impl Fn(&str) -> Option<String>) {
    if item.trait_.is_some() {
        return;
    }
    for member in &mut item.items {
        if let syn::ImplItem::Fn(method) = member {
            if let Some(text) = doc(&method.sig.ident.to_string()) {
                set_doc(&mut method.attrs, &text);
            }
        }
    }
}

/// The Rust type of a `date-time` string, as given to typify's settings.
const TIMESTAMP: &str = "::chrono::DateTime<::chrono::Utc>";

/// The schema typify's conversion setting maps to [`TIMESTAMP`] (typify
/// compares it with each schema, leaving out titles and descriptions).
fn date_time_schema() -> schemars::schema::SchemaObject {
    schemars::schema::SchemaObject {
        instance_type: Some(schemars::schema::InstanceType::String.into()),
        format: Some("date-time".to_owned()),
        ..Default::default()
    }
}

/// typify chose chrono itself for a `date-time` that the conversion setting
/// did not catch (a schema written differently, or a typify that changed how
/// settings apply): such a field would not be read strictly, so the build
/// stops instead.
fn check_conversions(file: &syn::File) -> Result<()> {
    let text = quote!(#file).to_string().replace(' ', "");
    if text.contains("::chrono::offset::Utc") {
        return Err(format!(
            "typify mapped a `date-time` to chrono without the conversion setting to {TIMESTAMP}: write it as {{\"type\": \"string\", \"format\": \"date-time\"}} (or [\"string\", \"null\"]), so that it is read strictly"
        ));
    }
    Ok(())
}

/// `ty` is [`TIMESTAMP`]: the type typify was told to use.
fn is_timestamp(ty: &syn::Type) -> bool {
    let Ok(timestamp) = syn::parse_str::<syn::Type>(TIMESTAMP) else {
        return false;
    };
    quote!(#ty).to_string() == quote!(#timestamp).to_string()
}

/// The `T` of an `Option<T>`.
fn option_of(ty: &syn::Type) -> Option<&syn::Type> {
    let syn::Type::Path(path) = ty else { return None };
    let last = path.path.segments.last()?;
    if last.ident != "Option" {
        return None;
    }
    let syn::PathArguments::AngleBracketed(args) = &last.arguments else {
        return None;
    };
    match args.args.first()? {
        syn::GenericArgument::Type(inner) if args.args.len() == 1 => Some(inner),
        _ => None,
    }
}

/// A timestamp field reads only what JSON Schema calls a `date-time`
/// (`src/format.rs`), not all that chrono would take.
fn read_timestamps_strictly(field: &mut syn::Field) {
    let reader = if is_timestamp(&field.ty) {
        "crate::format::date_time"
    } else if option_of(&field.ty).is_some_and(is_timestamp) {
        "crate::format::nullable_date_time"
    } else {
        return;
    };
    // typify makes a required nullable field required with `Option::deserialize`;
    // the nullable reader does the same.
    field.attrs.retain(|attr| {
        let text = quote!(#attr).to_string().replace(' ', "");
        text != "#[serde(deserialize_with=\"::std::option::Option::deserialize\")]"
    });
    field
        .attrs
        .push(syn::parse_quote!(#[serde(deserialize_with = #reader)]));
}

/// Replaces the documentation in `attrs` by `doc`.
pub(super) fn set_doc(attrs: &mut Vec<syn::Attribute>, doc: &str) {
    let doc = format!(" {doc}");
    attrs.retain(|a| !a.path().is_ident("doc"));
    attrs.insert(0, syn::parse_quote!(#[doc = #doc]));
}

/// The JSON name of a field: its `#[serde(rename = "...")]`, if any.
fn serde_rename(attrs: &[syn::Attribute]) -> Option<String> {
    let mut renamed = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("rename") {
                let name: syn::LitStr = meta.value()?.parse()?;
                renamed = Some(name.value());
            } else if meta.input.peek(syn::Token![=]) {
                meta.value()?.parse::<syn::Expr>()?;
            }
            Ok(())
        });
    }
    renamed
}

/// `impl From<&T> for T`.
fn is_from_ref(item: &syn::ItemImpl) -> bool {
    let Some((_, path, _)) = &item.trait_ else {
        return false;
    };
    let is_from = path.segments.last().is_some_and(|s| s.ident == "From");
    let from_ref = quote!(#path).to_string().contains("From < &");
    is_from && from_ref
}

/// Two generated items with one name would be a wall of rustc errors; report
/// the name once instead.
fn check_unique_items(file: &syn::File) -> Result<()> {
    let mut seen = std::collections::BTreeSet::new();
    for item in &file.items {
        let name = match item {
            syn::Item::Struct(s) => s.ident.to_string(),
            syn::Item::Enum(e) => e.ident.to_string(),
            syn::Item::Type(t) => t.ident.to_string(),
            syn::Item::Mod(m) => m.ident.to_string(),
            _ => continue,
        };
        if !seen.insert(name.clone()) {
            return Err(format!(
                "typify generated two Rust items named `{name}`: rename the $defs entry (or the inline schema's title) so that each name is unique"
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codegen::model::Model;
    use crate::codegen::set::{Layout, SchemaSet};
    use std::path::Path;

    fn model() -> Model {
        let set = SchemaSet::from_files(
            Path::new("schemas"),
            Layout::Source,
            crate::codegen::model::tests::files(),
        )
        .unwrap();
        Model::new(set).unwrap()
    }

    #[test]
    fn simple_references_are_inlined_and_named_ones_lose_their_siblings() {
        let timestamp = json!({"title": "T", "type": "string", "format": "date-time"});
        let mut schema = json!({"properties": {
            "at": {"$ref": "#/$defs/Timestamp", "description": "when"},
            "who": {"$ref": "#/$defs/Candidate", "description": "who"}
        }});
        simplify_refs(&mut schema, &|name| (name == "Timestamp").then_some(&timestamp));
        assert_eq!(
            schema["properties"],
            json!({
                "at": {"description": "when", "type": "string", "format": "date-time"},
                "who": {"$ref": "#/$defs/Candidate"}
            })
        );
    }

    #[test]
    fn the_generated_types_are_documented_non_exhaustive_and_free_of_typify_internals() {
        let (code, fields) = generate(&model()).unwrap();
        assert_eq!(fields["TestPing"]["created_at"], "created_at");
        let file = syn::parse_file(&code).unwrap();
        for item in &file.items {
            if let syn::Item::Struct(s) = item {
                assert!(
                    s.attrs.iter().any(|a| a.path().is_ident("non_exhaustive")),
                    "{}",
                    s.ident
                );
                for field in s.fields.iter().filter(|f| f.ident.is_some()) {
                    assert!(
                        field.attrs.iter().any(|a| a.path().is_ident("doc")),
                        "{}.{:?}",
                        s.ident,
                        field.ident
                    );
                }
            }
        }
        assert!(!code.contains("ConversionError"), "{code}");
        assert!(
            code.contains("pub event: crate::types::EventName<crate::types::TestPing>"),
            "{code}"
        );
        assert!(code.contains("pub enum Status"), "{code}");
        assert!(code.contains("pub mod builder"), "{code}");
        assert!(!code.contains("impl ::std::convert::From<&"), "{code}");
        // The catch-all envelope is sealed: private fields, accessors, no builder.
        assert!(code.contains("    event: ::std::string::String,"), "{code}");
        assert!(code.contains("pub fn event(&self) -> &str"), "{code}");
        assert!(!code.contains("builder::UnknownEvent"), "{code}");
        assert!(code.contains("crate::event::unknown_event_name"), "{code}");
    }

    /// Timestamps are found by the type the conversion setting names, and
    /// read strictly, required or nullable.
    #[test]
    fn date_time_fields_are_found_by_the_conversion_setting() {
        let (code, _) = generate(&model()).unwrap();
        assert!(
            code.contains("pub created_at: ::chrono::DateTime<::chrono::Utc>"),
            "{code}"
        );
        assert!(
            code.contains("deserialize_with = \"crate::format::date_time\""),
            "{code}"
        );
        let required: syn::Type = syn::parse_quote!(::chrono::DateTime<::chrono::Utc>);
        let nullable: syn::Type = syn::parse_quote!(::std::option::Option<::chrono::DateTime<::chrono::Utc>>);
        let other: syn::Type = syn::parse_quote!(::chrono::DateTime<::chrono::offset::Utc>);
        assert!(is_timestamp(&required));
        assert!(option_of(&nullable).is_some_and(is_timestamp));
        assert!(!is_timestamp(&other) && option_of(&other).is_none());
        // What the setting did not catch stops the build.
        let missed: syn::File = syn::parse_quote!(
            pub struct S {
                pub at: ::chrono::DateTime<::chrono::offset::Utc>,
            }
        );
        let err = check_conversions(&missed).unwrap_err();
        assert!(err.contains("conversion setting"), "{err}");
    }

    #[test]
    fn serde_renames_are_read() {
        let field: syn::Field = syn::parse_quote! {
            #[serde(default, rename = "type", skip_serializing_if = "Option::is_none")]
            pub type_: Option<String>
        };
        assert_eq!(serde_rename(&field.attrs).as_deref(), Some("type"));
    }
}
