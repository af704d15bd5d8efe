//! `drift --propose DIR`: a copy of the source schema set with the drift
//! folded in, each addition described as observed and not in Kit's
//! reference:
//!
//! - a value added goes into the `enum` of the list's definition;
//! - a field added becomes an optional property, with the schema inferred
//!   from its values, of the object that lacked it (in the file that defines
//!   that object, so every event sharing the definition documents it);
//! - an event added becomes `events/<name>.json` in the style of its
//!   family's files, its `data` a definition `<Title>Data` in
//!   `common/<family>.json` (created when the family is new).
//!
//! Only the files that change are rewritten; the others are copied as they are.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use kit_webhooks::diff::{File, Layout, SchemaSet};
use kit_webhooks::DriftKind;
use kit_webhooks_schema_model::pascal;
use serde_json::{json, Map, Value};

use super::{Aggregate, Gathered};
use crate::Failure;

/// Refuses a target that holds files, and a source that is not in the
/// source layout, before anything is read.
pub fn check_target(dir: &Path, source: Option<&Path>) -> Result<(), Failure> {
    if dir.exists() {
        let empty = fs::read_dir(dir)
            .map(|mut entries| entries.next().is_none())
            .unwrap_or(false);
        if !empty {
            return Err(Failure::Usage(format!(
                "--propose {}: the directory exists and is not empty",
                dir.display()
            )));
        }
    }
    if let Some(source) = source {
        if !source.join("events").is_dir() {
            return Err(Failure::Usage(format!(
                "--propose needs --schemas in the source layout (events/, common/); {} is not",
                source.display()
            )));
        }
    }
    Ok(())
}

/// Writes the proposal; returns how many files it changed or added.
pub fn write(dir: &Path, source: Option<&Path>, aggregate: &Aggregate) -> Result<usize, Failure> {
    let mut files = read_source(source)?;
    let set = set_of(&files)?;
    let mut proposal = Proposal {
        set: &set,
        edits: BTreeMap::new(),
        new_files: BTreeMap::new(),
    };
    // Fields and values by where they are written, merged over the events
    // that share a definition.
    let mut fields: BTreeMap<(usize, String), BTreeMap<String, Gathered>> = BTreeMap::new();
    let mut values: BTreeMap<(usize, String), Gathered> = BTreeMap::new();
    for ((kind, event, pointer), gathered) in aggregate.findings() {
        match kind {
            DriftKind::EventAdded => proposal.add_event(event, gathered)?,
            DriftKind::FieldAdded => {
                let (parent, key) = pointer.rsplit_once('/').unwrap_or_default();
                let at = locate(&set, event, parent).ok_or_else(|| unplaced(event, pointer))?;
                fields
                    .entry(at)
                    .or_default()
                    .entry(unescape(key))
                    .or_default()
                    .merge(gathered);
            }
            DriftKind::ValueAdded => {
                let at = locate(&set, event, pointer).ok_or_else(|| unplaced(event, pointer))?;
                values.entry(at).or_default().merge(gathered);
            }
            _ => {}
        }
    }
    for ((file, at), added) in &fields {
        let node = proposal.node(*file, at)?;
        let properties = node
            .entry("properties")
            .or_insert_with(|| json!({}))
            .as_object_mut()
            .ok_or_else(|| Failure::Usage(format!("{at}/properties is not an object")))?;
        for (key, gathered) in added {
            let mut schema = gathered.inferred().schema(&|inner| {
                Some(format!(
                    "Observed in `{key}`, at `{inner}`; not in Kit's reference."
                ))
            });
            schema["description"] = json!(gathered.observed());
            properties.insert(key.clone(), schema);
        }
    }
    for ((file, at), gathered) in &values {
        let node = proposal.node(*file, at)?;
        let list = node
            .get_mut("enum")
            .and_then(Value::as_array_mut)
            .ok_or_else(|| Failure::Usage(format!("{at}: not a list of values")))?;
        let added: Vec<&str> = gathered.values().collect();
        for value in &added {
            list.push(json!(value));
        }
        warn_unnamed(list, &set.files[*file].rel, at);
        let shown: Vec<String> = added.iter().map(|v| format!("`{v}`")).collect();
        let note = format!(
            "{} {}",
            if shown.len() == 1 { "Value" } else { "Values" },
            shown.join(", ")
        );
        let description = node
            .get("description")
            .and_then(Value::as_str)
            .map_or_else(String::new, |d| format!("{d} "));
        node.insert(
            "description".into(),
            json!(format!(
                "{description}{note}: {}",
                lower_first(&gathered.observed())
            )),
        );
    }
    let Proposal { edits, new_files, .. } = proposal;
    let changed = edits.len() + new_files.len();
    for (index, doc) in edits {
        files[index].doc = doc;
    }
    fs::create_dir_all(dir).map_err(|e| Failure::Io(dir.display().to_string(), e))?;
    let all = files.into_iter().map(|f| (f.rel, f.doc)).chain(new_files);
    for (rel, doc) in all {
        let path = dir.join(&rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).map_err(|e| Failure::Io(parent.display().to_string(), e))?;
        }
        let mut text = serde_json::to_string_pretty(&doc).unwrap_or_default();
        text.push('\n');
        fs::write(&path, text).map_err(|e| Failure::Io(path.display().to_string(), e))?;
    }
    Ok(changed)
}

fn unplaced(event: &str, pointer: &str) -> Failure {
    Failure::Usage(format!(
        "{event} {pointer}: no schema documents where this was added, so the proposal cannot place it"
    ))
}

/// The source files: those under `--schemas`, or the embedded ones.
fn read_source(source: Option<&Path>) -> Result<Vec<File>, Failure> {
    let texts: Vec<(String, String)> = match source {
        None => kit_webhooks::schema::sources()
            .into_iter()
            .map(|f| (f.path.to_owned(), f.text.to_owned()))
            .collect(),
        Some(dir) => {
            let mut texts = Vec::new();
            for sub in ["common", "events"] {
                let Ok(entries) = fs::read_dir(dir.join(sub)) else {
                    continue;
                };
                let mut names: Vec<PathBuf> = entries
                    .filter_map(|e| e.ok().map(|e| e.path()))
                    .filter(|p| p.extension().is_some_and(|x| x == "json"))
                    .collect();
                names.sort();
                for path in names {
                    let text =
                        fs::read_to_string(&path).map_err(|e| Failure::Io(path.display().to_string(), e))?;
                    let name = path.file_name().unwrap_or_default().to_string_lossy();
                    texts.push((format!("{sub}/{name}"), text));
                }
            }
            texts
        }
    };
    texts
        .into_iter()
        .map(|(rel, text)| {
            serde_json::from_str(&text)
                .map(|doc| File {
                    rel: rel.clone(),
                    doc,
                })
                .map_err(|e| Failure::Usage(format!("{rel}: not JSON: {e}")))
        })
        .collect()
}

fn set_of(files: &[File]) -> Result<SchemaSet, Failure> {
    SchemaSet::from_files(Path::new("schemas"), Layout::Source, files.to_vec())
        .map_err(|e| Failure::Usage(e.to_string()))
}

/// Where the schema at `pointer` (indices as `*`) of `event`'s deliveries is
/// written: the file and the JSON pointer in it, references followed.
fn locate(set: &SchemaSet, event: &str, pointer: &str) -> Option<(usize, String)> {
    let event = set.events.get(event)?;
    let mut file = event.file;
    let mut at = String::new();
    let mut schema = &event.schema;
    follow(set, &mut file, &mut at, &mut schema)?;
    for token in pointer.split('/').skip(1) {
        let key = unescape(token);
        if let Some(next) = schema.get("properties").and_then(|p| p.get(&key)) {
            at = format!("{at}/properties/{}", escape(&key));
            schema = next;
        } else if token == "*" && schema.get("items").is_some() {
            at.push_str("/items");
            schema = &schema["items"];
        } else if schema.get("additionalProperties").is_some_and(Value::is_object) {
            at.push_str("/additionalProperties");
            schema = &schema["additionalProperties"];
        } else {
            return None;
        }
        follow(set, &mut file, &mut at, &mut schema)?;
    }
    Some((file, at))
}

/// Follows `$ref`s to the definition they name.
fn follow<'a>(set: &'a SchemaSet, file: &mut usize, at: &mut String, schema: &mut &'a Value) -> Option<()> {
    for _ in 0..64 {
        let Some(target) = schema.get("$ref").and_then(Value::as_str) else {
            return Some(());
        };
        let name = target.strip_prefix("#/$defs/")?;
        let def = set.defs.get(name)?;
        *file = def.file;
        *at = format!("/$defs/{}", escape(name));
        *schema = &def.schema;
    }
    None
}

struct Proposal<'a> {
    set: &'a SchemaSet,
    /// The files changed, by index, as they will be written.
    edits: BTreeMap<usize, Value>,
    /// Files added, by path.
    new_files: BTreeMap<String, Value>,
}

impl Proposal<'_> {
    /// The object at `at` in file `file`, to change.
    fn node(&mut self, file: usize, at: &str) -> Result<&mut Map<String, Value>, Failure> {
        let set = self.set;
        let doc = self
            .edits
            .entry(file)
            .or_insert_with(|| set.files[file].doc.clone());
        doc.pointer_mut(at)
            .and_then(Value::as_object_mut)
            .ok_or_else(|| Failure::Usage(format!("{}: {at}: not a schema object", set.files[file].rel)))
    }

    /// A new event: its file, in the style of its family, and its data
    /// definition in the family's common file.
    fn add_event(&mut self, name: &str, gathered: &Gathered) -> Result<(), Failure> {
        let set = self.set;
        let family = name.split('.').next().unwrap_or(name);
        let title = pascal(name);
        let data = format!("{title}Data");
        let common = format!("common/{family}.json");
        let sibling = set
            .events
            .values()
            .find(|e| e.name.starts_with(&format!("{family}.")))
            .or_else(|| set.events.values().next())
            .ok_or_else(|| Failure::Usage("the source set has no events".into()))?;
        let template = &set.files[sibling.file];
        let base = template
            .doc
            .get("$id")
            .and_then(Value::as_str)
            .and_then(|id| id.strip_suffix(&template.rel))
            .unwrap_or("https://kit-webhooks.github.io/schemas/v1/")
            .to_owned();
        let mut doc = template.doc.clone();
        doc["$id"] = json!(format!("{base}events/{name}.json"));
        doc["title"] = json!(title);
        doc["description"] = json!(format!(
            "An event Kit sends that its reference does not document. {}",
            gathered.observed()
        ));
        doc["properties"]["event"]["const"] = json!(name);
        doc["properties"]["data"]["$ref"] = json!(format!("../{common}#/$defs/{data}"));
        match gathered.examples().first() {
            Some(example) => {
                doc["examples"] = json!([{
                    "event": name,
                    "created_at": gathered.first_seen().unwrap_or("2025-01-15T14:30:00Z"),
                    "data": example,
                }]);
            }
            None => {
                if let Some(map) = doc.as_object_mut() {
                    map.remove("examples");
                }
            }
        }
        let mut schema = gathered
            .inferred()
            .schema(&|inner| Some(format!("Observed at `/data{inner}`; not in Kit's reference.")));
        if schema.get("type").is_none() {
            schema["type"] = json!("object");
        }
        let mut definition = Map::new();
        definition.insert("title".into(), json!(format!("{title} data")));
        definition.insert(
            "description".into(),
            json!(format!(
                "The data of `{name}`, inferred from the deliveries. {}",
                gathered.observed()
            )),
        );
        if let Value::Object(inferred) = schema {
            definition.extend(inferred);
        }
        let index = set.files.iter().position(|f| f.rel == common);
        let common_doc = match index {
            Some(index) => self
                .edits
                .entry(index)
                .or_insert_with(|| set.files[index].doc.clone()),
            None => self.new_files.entry(common.clone()).or_insert_with(|| {
                json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "$id": format!("{base}{common}"),
                    "title": format!("{} events", pascal(family)),
                    "description": format!("The data of `{family}` events, which Kit's reference does not document."),
                    "$defs": {}
                })
            }),
        };
        common_doc
            .as_object_mut()
            .map(|m| m.entry("$defs").or_insert_with(|| json!({})))
            .and_then(Value::as_object_mut)
            .ok_or_else(|| Failure::Usage(format!("{common}: /$defs is not an object")))?
            .insert(data, Value::Object(definition));
        self.new_files.insert(format!("events/{name}.json"), doc);
        Ok(())
    }
}

/// Warns of the values the build script cannot name as Rust variants (it
/// refuses such a list): a name that does not start with a letter, that
/// another value also makes, or `Unknown`, which holds unknown values.
fn warn_unnamed(list: &[Value], file: &str, at: &str) {
    let mut names: Vec<String> = Vec::new();
    for value in list.iter().filter_map(Value::as_str) {
        let name = pascal(value);
        let valid = name.chars().next().is_some_and(|c| c.is_ascii_alphabetic())
            && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
            && name != "Unknown"
            && !names.contains(&name);
        if !valid {
            eprintln!(
                "kit-webhooks drift: warning: {file}: {at}: the value {value:?} makes no Rust variant name of its own ({name:?}); the build script refuses a list whose values do not make distinct Rust names, so this proposal will not build as it is"
            );
        }
        names.push(name);
    }
}

fn lower_first(text: &str) -> String {
    let mut chars = text.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_lowercase().chain(chars).collect())
}

fn escape(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

fn unescape(token: &str) -> String {
    token.replace("~1", "/").replace("~0", "~")
}
