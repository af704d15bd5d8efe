//! Build script: turns `schemas/` into Rust.
//!
//! The JSON Schemas under `schemas/` are the single source of truth. This script
//!
//! 1. loads every schema file and checks the conventions the crate relies on
//!    (absolute `$id`, one event per file, file named after its event);
//! 2. bundles all files into one flat `$defs` document, because typify cannot
//!    follow a `$ref` into another file, and generates the payload types with
//!    typify, formatted with prettyplease (`OUT_DIR/types.rs`);
//! 3. generates the event registry with syn/quote (`OUT_DIR/registry.rs`):
//!    `EventType`, `WebhookEvent`, and the embedded schema texts;
//! 4. derives, mechanically, the other schema forms the crate serves: the strict
//!    variant of every file, a self-contained (bundled) schema per event in both
//!    modes, and the union of all events (`OUT_DIR/schemas/…`).
//!
//! A schema it cannot handle stops the build with the file and JSON pointer at
//! fault, never with errors in generated code.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::{env, fs};

use proc_macro2::{Ident, Span, TokenStream};
use quote::quote;
use serde_json::{json, Map, Value};

/// Every `$id` starts with this; the strict variants live under `{BASE}/strict`.
const BASE: &str = "https://kit-webhooks.github.io/schemas/v1";
const DIALECT: &str = "https://json-schema.org/draft/2020-12/schema";
/// The `$defs` entry (in `common/envelope.json`) that describes any event's envelope.
const UNKNOWN_DEF: &str = "UnknownEvent";

type Result<T> = std::result::Result<T, String>;

fn main() {
    println!("cargo:rerun-if-changed=schemas");
    println!("cargo:rerun-if-changed=build.rs");
    if let Err(message) = run() {
        eprintln!("\nerror: kit-webhooks could not turn its schemas into Rust:\n  {message}\n");
        std::process::exit(1);
    }
}

/// One schema file as loaded from `schemas/`.
struct SchemaFile {
    /// Path relative to `schemas/`, with `/` separators (`events/test.ping.json`).
    rel: String,
    abs: PathBuf,
    doc: Value,
}

/// A delivery event: one file under `schemas/events/`.
struct Event {
    name: String,
    /// The Rust type name (the schema's `title`).
    title: String,
    file: usize,
}

fn run() -> Result<()> {
    let manifest = PathBuf::from(env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out = PathBuf::from(env::var("OUT_DIR").map_err(|e| e.to_string())?);
    let files = load(&manifest.join("schemas"))?;
    let events = events(&files)?;
    let defs = collect_defs(&files, &events)?;

    let types = generate_types(&files, &events, &defs)?;
    write(&out.join("types.rs"), &types)?;

    let derived = derive_schemas(&files, &events, &defs)?;
    let schema_dir = out.join("schemas");
    for (rel, value) in &derived {
        let path = schema_dir.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        write(&path, &pretty(value))?;
    }

    let registry = generate_registry(&files, &events)?;
    write(&out.join("registry.rs"), &registry)?;
    Ok(())
}

fn write(path: &Path, text: &str) -> Result<()> {
    fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

fn pretty(value: &Value) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("a Value always serialises");
    text.push('\n');
    text
}

// ---------------------------------------------------------------------------
// Loading and conventions
// ---------------------------------------------------------------------------

fn load(dir: &Path) -> Result<Vec<SchemaFile>> {
    let mut files = Vec::new();
    for sub in ["common", "events"] {
        let sub_dir = dir.join(sub);
        let mut entries = fs::read_dir(&sub_dir)
            .map_err(|e| format!("{}: {e}", sub_dir.display()))?
            .map(|entry| entry.map(|e| e.path()))
            .collect::<std::io::Result<Vec<_>>>()
            .map_err(|e| format!("{}: {e}", sub_dir.display()))?;
        entries.sort();
        for abs in entries {
            let name = abs.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            if !name.ends_with(".json") {
                continue;
            }
            let rel = format!("{sub}/{name}");
            let text = fs::read_to_string(&abs).map_err(|e| format!("schemas/{rel}: cannot read: {e}"))?;
            let doc: Value =
                serde_json::from_str(&text).map_err(|e| format!("schemas/{rel}: not valid JSON: {e}"))?;
            if !doc.is_object() {
                return Err(format!("schemas/{rel}: the root must be a JSON object"));
            }
            let expected_id = format!("{BASE}/{rel}");
            match doc.get("$id").and_then(Value::as_str) {
                Some(id) if id == expected_id => {}
                Some(id) => {
                    return Err(format!(
                        "schemas/{rel}: /$id is {id:?}, expected {expected_id:?} (the $id mirrors the file's path)"
                    ))
                }
                None => return Err(format!("schemas/{rel}: /$id is missing (expected {expected_id:?})")),
            }
            if doc.get("$schema").and_then(Value::as_str) != Some(DIALECT) {
                return Err(format!("schemas/{rel}: /$schema must be {DIALECT:?}"));
            }
            files.push(SchemaFile { rel, abs, doc });
        }
    }
    Ok(files)
}

fn events(files: &[SchemaFile]) -> Result<Vec<Event>> {
    let mut events = Vec::new();
    for (index, file) in files.iter().enumerate() {
        let Some(stem) = file
            .rel
            .strip_prefix("events/")
            .and_then(|s| s.strip_suffix(".json"))
        else {
            continue;
        };
        let rel = &file.rel;
        let name = file
            .doc
            .pointer("/properties/event/const")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("schemas/{rel}: /properties/event/const must be the event name"))?;
        if name != stem {
            return Err(format!(
                "schemas/{rel}: /properties/event/const is {name:?} but the file is named after {stem:?}"
            ));
        }
        let title = file
            .doc
            .get("title")
            .and_then(Value::as_str)
            .ok_or_else(|| format!("schemas/{rel}: /title is missing"))?;
        if title != pascal(name) {
            return Err(format!(
                "schemas/{rel}: /title is {title:?}, expected {:?} (the Rust type name of the event)",
                pascal(name)
            ));
        }
        for field in ["event", "created_at", "data"] {
            let required = file.doc.get("required").and_then(Value::as_array);
            if !required.is_some_and(|r| r.iter().any(|v| v == field)) {
                return Err(format!("schemas/{rel}: /required must list {field:?}"));
            }
        }
        if file.doc.get("$defs").is_some() {
            return Err(format!(
                "schemas/{rel}: /$defs: event files hold no definitions; put shared shapes in schemas/common/"
            ));
        }
        events.push(Event {
            name: name.to_owned(),
            title: title.to_owned(),
            file: index,
        });
    }
    if events.is_empty() {
        return Err("schemas/events/: no event schemas found".into());
    }
    Ok(events)
}

/// `outreach.message.sent` → `OutreachMessageSent`.
fn pascal(name: &str) -> String {
    name.split(['.', '_'])
        .map(|part| {
            let mut chars = part.chars();
            chars
                .next()
                .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
        })
        .collect()
}

/// A shared definition: its name is unique across all files.
struct Def {
    file: usize,
    schema: Value,
}

fn collect_defs(files: &[SchemaFile], events: &[Event]) -> Result<BTreeMap<String, Def>> {
    let mut defs = BTreeMap::new();
    for (index, file) in files.iter().enumerate() {
        let Some(file_defs) = file.doc.get("$defs") else {
            continue;
        };
        let file_defs = file_defs
            .as_object()
            .ok_or_else(|| format!("schemas/{}: /$defs must be an object", file.rel))?;
        for (name, schema) in file_defs {
            if let Some(previous) = defs.get(name) {
                let previous: &Def = previous;
                return Err(format!(
                    "schemas/{}: /$defs/{name}: the name is already defined in schemas/{}; names are global, because all files are bundled into one document",
                    file.rel, files[previous.file].rel
                ));
            }
            if !name.chars().next().is_some_and(|c| c.is_ascii_uppercase())
                || !name.chars().all(|c| c.is_ascii_alphanumeric())
            {
                return Err(format!(
                    "schemas/{}: /$defs/{name}: definition names are PascalCase Rust type names",
                    file.rel
                ));
            }
            defs.insert(
                name.clone(),
                Def {
                    file: index,
                    schema: schema.clone(),
                },
            );
        }
    }
    for event in events {
        if defs.contains_key(&event.title) {
            return Err(format!(
                "schemas/{}: /title {:?} is also a definition name",
                files[event.file].rel, event.title
            ));
        }
    }
    if !defs.contains_key(UNKNOWN_DEF) {
        return Err(format!(
            "schemas/common/: the envelope definition $defs/{UNKNOWN_DEF} is missing"
        ));
    }
    Ok(defs)
}

// ---------------------------------------------------------------------------
// Bundling: cross-file `$ref`s become `#/$defs/Name`
// ---------------------------------------------------------------------------

/// Rewrites every `$ref` in `value` (found in file `rel`, at `pointer`) to a local
/// `#/$defs/Name`, checking the target exists, and records the names used.
fn localize(
    value: &mut Value,
    files: &[SchemaFile],
    defs: &BTreeMap<String, Def>,
    rel: &str,
    pointer: &str,
    used: &mut BTreeSet<String>,
) -> Result<()> {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                let child_pointer = format!("{pointer}/{}", key.replace('~', "~0").replace('/', "~1"));
                if key == "$ref" {
                    let target = child
                        .as_str()
                        .ok_or_else(|| format!("schemas/{rel}: {child_pointer}: $ref must be a string"))?;
                    let name = resolve_ref(target, files, defs, rel)
                        .map_err(|why| format!("schemas/{rel}: {child_pointer}: {target:?}: {why}"))?;
                    *child = Value::String(format!("#/$defs/{name}"));
                    used.insert(name);
                } else if key != "examples" && key != "const" && key != "enum" && key != "default" {
                    localize(child, files, defs, rel, &child_pointer, used)?;
                }
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter_mut().enumerate() {
                localize(item, files, defs, rel, &format!("{pointer}/{i}"), used)?;
            }
        }
        _ => {}
    }
    Ok(())
}

fn resolve_ref(
    target: &str,
    files: &[SchemaFile],
    defs: &BTreeMap<String, Def>,
    rel: &str,
) -> std::result::Result<String, String> {
    let (path, fragment) = target
        .split_once('#')
        .ok_or("a $ref must point into $defs (#/$defs/Name)")?;
    let name = fragment
        .strip_prefix("/$defs/")
        .filter(|n| !n.contains('/'))
        .ok_or("only references to #/$defs/Name are supported")?;
    let target_rel = if path.is_empty() {
        rel.to_owned()
    } else {
        if path.contains("://") || path.starts_with('/') {
            return Err("only relative references to files under schemas/ are supported".into());
        }
        let mut parts: Vec<&str> = rel.split('/').collect();
        parts.pop();
        for segment in path.split('/') {
            match segment {
                ".." => {
                    parts.pop().ok_or("the path leaves schemas/")?;
                }
                "." | "" => {}
                other => parts.push(other),
            }
        }
        parts.join("/")
    };
    let file = files
        .iter()
        .position(|f| f.rel == target_rel)
        .ok_or_else(|| format!("there is no file schemas/{target_rel}"))?;
    match defs.get(name) {
        Some(def) if def.file == file => Ok(name.to_owned()),
        Some(def) => Err(format!(
            "$defs/{name} is in schemas/{}, not in schemas/{target_rel}",
            files[def.file].rel
        )),
        None => Err(format!("schemas/{target_rel} has no $defs/{name}")),
    }
}

/// The localized body of every definition and every event, with the set of
/// definitions each one references directly.
struct Bundle {
    defs: BTreeMap<String, (Value, BTreeSet<String>)>,
    events: Vec<(Value, BTreeSet<String>)>,
}

fn bundle(files: &[SchemaFile], events: &[Event], defs: &BTreeMap<String, Def>) -> Result<Bundle> {
    let mut out_defs = BTreeMap::new();
    for (name, def) in defs {
        let mut schema = def.schema.clone();
        let mut used = BTreeSet::new();
        let rel = &files[def.file].rel;
        localize(
            &mut schema,
            files,
            defs,
            rel,
            &format!("/$defs/{name}"),
            &mut used,
        )?;
        out_defs.insert(name.clone(), (schema, used));
    }
    let mut out_events = Vec::new();
    for event in events {
        let file = &files[event.file];
        let mut schema = file.doc.clone();
        let mut used = BTreeSet::new();
        localize(&mut schema, files, defs, &file.rel, "", &mut used)?;
        out_events.push((schema, used));
    }
    Ok(Bundle {
        defs: out_defs,
        events: out_events,
    })
}

/// The definitions `roots` need, directly or through other definitions.
fn closure(bundle: &Bundle, roots: &BTreeSet<String>) -> BTreeSet<String> {
    let mut seen = BTreeSet::new();
    let mut todo: Vec<String> = roots.iter().cloned().collect();
    while let Some(name) = todo.pop() {
        if seen.insert(name.clone()) {
            if let Some((_, used)) = bundle.defs.get(&name) {
                todo.extend(used.iter().cloned());
            }
        }
    }
    seen
}

// ---------------------------------------------------------------------------
// Rust types (typify)
// ---------------------------------------------------------------------------

fn generate_types(files: &[SchemaFile], events: &[Event], defs: &BTreeMap<String, Def>) -> Result<String> {
    let bundle = bundle(files, events, defs)?;
    // Simple definitions are inlined where they are used, so fields get plain
    // Rust types (`DateTime<Utc>`, `i64`) instead of newtypes.
    let inline = simple_defs(&bundle);

    let mut typify_defs: Vec<(String, Value, String)> = Vec::new();
    for (name, (schema, _)) in &bundle.defs {
        if inline.contains_key(name) {
            continue;
        }
        let origin = format!("schemas/{}: /$defs/{name}", files[defs[name].file].rel);
        typify_defs.push((name.clone(), schema.clone(), origin));
    }
    for (event, (schema, _)) in events.iter().zip(&bundle.events) {
        let origin = format!("schemas/{}", files[event.file].rel);
        typify_defs.push((event.title.clone(), schema.clone(), origin));
    }

    let mut schemas = Vec::new();
    for (name, mut schema, origin) in typify_defs {
        simplify_refs(&mut schema, &inline);
        prepare_for_typify(&mut schema, &origin, "")?;
        let parsed: schemars::schema::Schema = serde_json::from_value(schema)
            .map_err(|e| format!("{origin}: not a schema typify can read: {e}"))?;
        schemas.push((name, parsed));
    }

    let mut settings = typify::TypeSpaceSettings::default();
    settings
        .with_derive("PartialEq".to_owned())
        .with_struct_builder(false);
    let mut space = typify::TypeSpace::new(&settings);
    // typify reports some unsupported constructs by panicking; turn that into
    // one clear message instead of a backtrace.
    std::panic::set_hook(Box::new(|_| {}));
    let added = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        space.add_ref_types(schemas).map(|()| space.to_stream())
    }));
    let _ = std::panic::take_hook();
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
    let file: syn::File =
        syn::parse2(tokens).map_err(|e| format!("typify produced code that does not parse: {e}"))?;
    check_unique_items(&file)?;
    let mut code = String::from("// @generated by build.rs from schemas/ with typify. Do not edit.\n\n");
    code.push_str(&prettyplease::unparse(&file));
    Ok(code)
}

/// Objects and enums become named Rust types; everything else is inlined.
fn is_named_shape(schema: &Value) -> bool {
    schema.get("enum").is_some() || schema.get("type").and_then(Value::as_str) == Some("object")
}

/// The definitions that are neither objects nor enums (timestamps, bounded
/// integers), which code generators should inline rather than name.
fn simple_defs(bundle: &Bundle) -> BTreeMap<&String, &Value> {
    bundle
        .defs
        .iter()
        .filter(|(_, (schema, _))| !is_named_shape(schema))
        .map(|(name, (schema, _))| (name, schema))
        .collect()
}

/// Simplifies references for code generators: a reference to a simple
/// definition is replaced by the definition (the field's own keywords win),
/// and a reference to a named shape loses its sibling keywords, which
/// generators would otherwise turn into a new type of their own.
fn simplify_refs(value: &mut Value, inline: &BTreeMap<&String, &Value>) {
    match value {
        Value::Object(map) => {
            if let Some(target) = map.get("$ref").and_then(Value::as_str) {
                let name = target.trim_start_matches("#/$defs/").to_owned();
                match inline.iter().find(|(n, _)| ***n == name).map(|(_, s)| *s) {
                    Some(Value::Object(def)) => {
                        map.remove("$ref");
                        // The definition's title names the shape, not the field.
                        for (key, v) in def.iter().filter(|(key, _)| *key != "title") {
                            map.entry(key.clone()).or_insert_with(|| v.clone());
                        }
                    }
                    _ => map.retain(|key, _| key == "$ref"),
                }
            }
            for (key, child) in map.iter_mut() {
                if !matches!(key.as_str(), "examples" | "const" | "enum" | "default") {
                    simplify_refs(child, inline);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(|item| simplify_refs(item, inline)),
        _ => {}
    }
}

/// Rewrites what typify cannot read the way JSON Schema means it: `const`
/// becomes a one-value `enum`; and refuses what it cannot handle.
fn prepare_for_typify(value: &mut Value, origin: &str, pointer: &str) -> Result<()> {
    let Value::Object(map) = value else { return Ok(()) };
    for unsupported in [
        "if",
        "then",
        "else",
        "dependentSchemas",
        "patternProperties",
        "$dynamicRef",
    ] {
        if map.contains_key(unsupported) {
            return Err(format!(
                "{origin}: {pointer}/{unsupported}: typify cannot generate types for this keyword"
            ));
        }
    }
    if let Some(constant) = map.remove("const") {
        map.insert("enum".into(), Value::Array(vec![constant]));
        map.entry("type").or_insert_with(|| json!("string"));
    }
    for key in ["$schema", "$id", "examples"] {
        map.remove(key);
    }
    for (key, child) in map.iter_mut() {
        match key.as_str() {
            "properties" | "$defs" => {
                if let Value::Object(props) = child {
                    for (name, prop) in props.iter_mut() {
                        prepare_for_typify(prop, origin, &format!("{pointer}/{key}/{name}"))?;
                    }
                }
            }
            "items" | "additionalProperties" | "not" => {
                prepare_for_typify(child, origin, &format!("{pointer}/{key}"))?;
            }
            "allOf" | "anyOf" | "oneOf" | "prefixItems" => {
                if let Value::Array(items) = child {
                    for (i, item) in items.iter_mut().enumerate() {
                        prepare_for_typify(item, origin, &format!("{pointer}/{key}/{i}"))?;
                    }
                }
            }
            _ => {}
        }
    }
    Ok(())
}

/// Two generated items with one name would be a wall of rustc errors; report
/// the name once instead.
fn check_unique_items(file: &syn::File) -> Result<()> {
    let mut seen = BTreeSet::new();
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

// ---------------------------------------------------------------------------
// Derived schemas: strict variants, bundled per event, the union
// ---------------------------------------------------------------------------

/// Every object schema with `properties` gets `additionalProperties: false`. Applied to the
/// source files, this is the strict variant; `$id`s move under `/strict/` so
/// that relative references stay within the strict set.
fn make_strict(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for (key, child) in map.iter_mut() {
                if key != "examples" && key != "const" && key != "enum" && key != "default" {
                    make_strict(child);
                }
            }
            let is_object = match map.get("type") {
                Some(Value::String(t)) => t == "object",
                Some(Value::Array(ts)) => ts.iter().any(|t| t == "object"),
                _ => false,
            };
            // Only objects that document their fields are closed: a free-form
            // object (an unknown event's `data`) stays free-form.
            if is_object && map.contains_key("properties") && !map.contains_key("additionalProperties") {
                map.insert("additionalProperties".into(), Value::Bool(false));
            }
            if let Some(Value::String(id)) = map.get_mut("$id") {
                if let Some(rest) = id.strip_prefix(BASE) {
                    *id = format!("{BASE}/strict{rest}");
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(make_strict),
        _ => {}
    }
}

fn derive_schemas(
    files: &[SchemaFile],
    events: &[Event],
    defs: &BTreeMap<String, Def>,
) -> Result<BTreeMap<String, Value>> {
    let bundle = bundle(files, events, defs)?;
    let mut out = BTreeMap::new();

    // The strict variant of every source file, for the strict registry.
    for file in files {
        let mut doc = file.doc.clone();
        make_strict(&mut doc);
        out.insert(format!("strict/{}", file.rel), doc);
    }

    // One self-contained schema per event, lenient and strict.
    for (event, (schema, used)) in events.iter().zip(&bundle.events) {
        let mut doc = schema.clone();
        let needed = closure(&bundle, used);
        let mut def_map = Map::new();
        for name in &needed {
            def_map.insert(name.clone(), bundle.defs[name].0.clone());
        }
        if let Value::Object(map) = &mut doc {
            map.insert("$defs".into(), Value::Object(def_map));
        }
        let mut strict = doc.clone();
        make_strict(&mut strict);
        out.insert(format!("bundled/{}.json", event.name), doc);
        out.insert(format!("bundled/strict/{}.json", event.name), strict);
    }

    // The union of all events: `$defs` per event, one `oneOf` branch each. The
    // lenient union also admits an event it does not know, by its envelope.
    let names: Vec<Value> = events.iter().map(|e| Value::String(e.name.clone())).collect();
    let mut all_defs = Map::new();
    for (name, (schema, _)) in &bundle.defs {
        all_defs.insert(name.clone(), schema.clone());
    }
    for (event, (schema, _)) in events.iter().zip(&bundle.events) {
        let mut schema = schema.clone();
        if let Value::Object(map) = &mut schema {
            // An embedded `$id` would make `#/$defs/…` inside resolve against
            // the event's own document instead of the union.
            map.remove("$schema");
            map.remove("$id");
        }
        all_defs.insert(event.title.clone(), schema);
    }
    let branches: Vec<Value> = events
        .iter()
        .map(|e| json!({ "$ref": format!("#/$defs/{}", e.title) }))
        .collect();
    let mut lenient_branches = branches.clone();
    // `allOf` rather than `$ref` with siblings, so that draft-7 tools (which
    // ignore a `$ref`'s siblings) read it the same way.
    lenient_branches.push(json!({
        "description": "An event this version of the schemas does not know: only its envelope is checked.",
        "allOf": [
            { "$ref": format!("#/$defs/{UNKNOWN_DEF}") },
            { "properties": { "event": { "not": { "enum": names } } } }
        ]
    }));
    let union = |id: &str, branches: Vec<Value>, description: &str| {
        json!({
            "$schema": DIALECT,
            "$id": id,
            "title": "Kit webhook delivery",
            "description": description,
            "type": "object",
            "required": ["event", "created_at", "data"],
            "oneOf": branches,
            "$defs": Value::Object(all_defs.clone()),
        })
    };
    out.insert(
        "union.json".into(),
        union(
            &format!("{BASE}/webhook.json"),
            lenient_branches,
            "Any Kit webhook delivery: one branch per event, selected by `event`. An event this version does not know is accepted when its envelope is well formed.",
        ),
    );
    let mut strict_union = union(
        &format!("{BASE}/webhook.json"),
        branches,
        "Any Kit webhook delivery, strictly: one branch per known event, selected by `event`; unknown events and unknown fields are rejected.",
    );
    make_strict(&mut strict_union);
    out.insert("strict/union.json".into(), strict_union);

    // The union simplified for code generators (TypeScript, pydantic): simple
    // definitions inlined, unknown events as their plain envelope.
    let mut codegen = out["union.json"].clone();
    let inline = simple_defs(&bundle);
    if let Some(Value::Array(branches)) = codegen.get_mut("oneOf") {
        if let Some(last) = branches.last_mut() {
            *last = json!({ "$ref": format!("#/$defs/{UNKNOWN_DEF}") });
        }
    }
    if let Some(Value::Object(all)) = codegen.get_mut("$defs") {
        all.retain(|name, _| !inline.contains_key(name));
    }
    simplify_refs(&mut codegen, &inline);
    if let Value::Object(map) = &mut codegen {
        map.insert("$id".into(), json!(format!("{BASE}/webhook.codegen.json")));
        map.insert(
            "description".into(),
            json!("Any Kit webhook delivery, simplified for code generators: simple definitions (timestamps, integers) inlined. Validate with webhook.json; generate types from this file."),
        );
    }
    out.insert("codegen.json".into(), codegen);
    Ok(out)
}

// ---------------------------------------------------------------------------
// The event registry (syn/quote)
// ---------------------------------------------------------------------------

fn generate_registry(files: &[SchemaFile], events: &[Event]) -> Result<String> {
    let variants: Vec<Ident> = events
        .iter()
        .map(|e| Ident::new(&e.title, Span::call_site()))
        .collect();
    let names: Vec<&str> = events.iter().map(|e| e.name.as_str()).collect();
    let count = events.len();
    let indices: Vec<usize> = (0..count).collect();
    let paths: Vec<String> = events.iter().map(|e| path_str(&files[e.file].abs)).collect();
    let ids: Vec<String> = events
        .iter()
        .map(|e| format!("{BASE}/{}", files[e.file].rel))
        .collect();
    let variant_docs: Vec<String> = events
        .iter()
        .map(|e| {
            let description = files[e.file]
                .doc
                .get("description")
                .and_then(Value::as_str)
                .unwrap_or("");
            format!(" `{}`: {description}", e.name)
        })
        .collect();
    let bundled: Vec<String> = names
        .iter()
        .map(|n| format!("/schemas/bundled/{n}.json"))
        .collect();
    let bundled_strict: Vec<String> = names
        .iter()
        .map(|n| format!("/schemas/bundled/strict/{n}.json"))
        .collect();

    let file_rels: Vec<&str> = files.iter().map(|f| f.rel.as_str()).collect();
    let file_ids: Vec<String> = files.iter().map(|f| format!("{BASE}/{}", f.rel)).collect();
    let strict_ids: Vec<String> = files.iter().map(|f| format!("{BASE}/strict/{}", f.rel)).collect();
    let file_paths: Vec<String> = files.iter().map(|f| path_str(&f.abs)).collect();
    let strict_paths: Vec<String> = files
        .iter()
        .map(|f| format!("/schemas/strict/{}", f.rel))
        .collect();
    let file_count = files.len();

    let tokens: TokenStream = quote! {
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
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum EventType {
            #(
                #[doc = #variant_docs]
                #variants,
            )*
        }

        impl EventType {
            /// Every known event, in the order of the schema files.
            pub const ALL: [EventType; #count] = [#(EventType::#variants),*];

            /// The event name as Kit sends it in `event` and `X-Webhook-Event`.
            pub const fn as_str(self) -> &'static str {
                match self {
                    #(EventType::#variants => #names,)*
                }
            }

            /// The position of this event in [`EventType::ALL`].
            pub(crate) const fn index(self) -> usize {
                match self {
                    #(EventType::#variants => #indices,)*
                }
            }

            /// The event for a name, if this crate knows it.
            pub fn from_name(name: &str) -> Option<Self> {
                match name {
                    #(#names => Some(EventType::#variants),)*
                    _ => None,
                }
            }

            /// The `$id` of this event's source schema.
            pub const fn schema_id(self) -> &'static str {
                match self {
                    #(EventType::#variants => #ids,)*
                }
            }

            /// The text of this event's schema file, exactly as under `schemas/events/`.
            /// It refers to shared shapes in other files; see [`EventType::bundled_schema`]
            /// for a self-contained version.
            pub const fn schema_source(self) -> &'static str {
                match self {
                    #(EventType::#variants => include_str!(#paths),)*
                }
            }

            /// A self-contained schema of this event (shared shapes copied into `$defs`).
            /// In [`Mode::Strict`](crate::Mode::Strict) every object also rejects unknown fields.
            pub const fn bundled_schema(self, mode: crate::Mode) -> &'static str {
                match mode {
                    crate::Mode::Strict => match self {
                        #(EventType::#variants => include_str!(concat!(env!("OUT_DIR"), #bundled_strict)),)*
                    },
                    crate::Mode::Lenient => match self {
                        #(EventType::#variants => include_str!(concat!(env!("OUT_DIR"), #bundled)),)*
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
                    WebhookEvent::Unknown(unknown) => &unknown.event,
                }
            }

            /// When the event occurred (the envelope's `created_at`).
            pub fn created_at(&self) -> &::chrono::DateTime<::chrono::Utc> {
                match self {
                    #(WebhookEvent::#variants(delivery) => &delivery.created_at,)*
                    WebhookEvent::Unknown(unknown) => &unknown.created_at,
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

        /// Every schema file under `schemas/`: path, `$id`, text.
        pub(crate) const SOURCE_FILES: [(&str, &str, &str); #file_count] = [
            #((#file_rels, #file_ids, include_str!(#file_paths)),)*
        ];

        /// The strict variant of every schema file: path, `$id`, text.
        pub(crate) const STRICT_FILES: [(&str, &str, &str); #file_count] = [
            #((#file_rels, #strict_ids, include_str!(concat!(env!("OUT_DIR"), #strict_paths))),)*
        ];

        /// The union of all events (lenient, strict, and simplified for code generators).
        pub(crate) const UNION_SCHEMAS: [&str; 3] = [
            include_str!(concat!(env!("OUT_DIR"), "/schemas/union.json")),
            include_str!(concat!(env!("OUT_DIR"), "/schemas/strict/union.json")),
            include_str!(concat!(env!("OUT_DIR"), "/schemas/codegen.json")),
        ];

        /// The `$id` of the envelope every delivery shares.
        pub(crate) const ENVELOPE_REF: &str = concat!(#BASE, "/common/envelope.json#/$defs/", #UNKNOWN_DEF);
    };
    let file: syn::File = syn::parse2(tokens).map_err(|e| format!("registry code does not parse: {e}"))?;
    let mut code = String::from("// @generated by build.rs from schemas/. Do not edit.\n\n");
    let _ = writeln!(code);
    code.push_str(&prettyplease::unparse(&file));
    Ok(code)
}

fn path_str(path: &Path) -> String {
    path.to_str().expect("schema paths are UTF-8").replace('\\', "/")
}
