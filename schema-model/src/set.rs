//! A set of event schemas read from a directory, with every cross-file
//! `$ref` resolved into one flat namespace of definitions.
//!
//! Two layouts are read:
//! - the source layout, `events/*.json` (one event per file) and
//!   `common/*.json` (shared `$defs`), as under this repository's `schemas/`;
//! - an export, `schemas/<event>.json`, one self-contained schema per event
//!   (as `cargo xtask export` writes under `dist/`).
//!
//! Both come out the same: each event's schema and each definition, with
//! every reference rewritten to `#/$defs/Name`. Names are global, because the
//! build script bundles all files into one document for typify.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::{Path, PathBuf};

use serde_json::{Map, Value};

use crate::walk;

/// Why a directory could not be read as a schema set: the file, the JSON
/// pointer in it, and what is wrong.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LoadError {
    /// The file (or directory) at fault.
    pub path: String,
    /// Where in the file (a JSON pointer; empty for the whole file).
    pub pointer: String,
    /// What is wrong.
    pub message: String,
}

impl LoadError {
    /// An error at `pointer` in the file at `path`.
    pub fn new(path: impl Into<String>, pointer: impl Into<String>, message: impl Into<String>) -> Self {
        LoadError {
            path: path.into(),
            pointer: pointer.into(),
            message: message.into(),
        }
    }
}

impl fmt::Display for LoadError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.pointer.is_empty() {
            write!(f, "{}: {}", self.path, self.message)
        } else {
            write!(f, "{}: {}: {}", self.path, self.pointer, self.message)
        }
    }
}

impl std::error::Error for LoadError {}

/// The layout a schema set was read from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Layout {
    /// `events/` and `common/`.
    Source,
    /// `schemas/<event>.json`, each self-contained.
    Export,
}

/// One file as read.
#[derive(Clone, Debug)]
pub struct File {
    /// The path relative to the set's directory, with `/` separators
    /// (`events/test.ping.json`).
    pub rel: String,
    /// The file as written.
    pub doc: Value,
}

/// One event of the set.
#[derive(Clone, Debug)]
pub struct Event {
    /// The event name (`offer.accepted`), from `/properties/event/const`.
    pub name: String,
    /// The index of its file in [`SchemaSet::files`].
    pub file: usize,
    /// Its schema, references rewritten to `#/$defs/Name`, without `$defs`.
    pub schema: Value,
    /// The definitions it references directly.
    pub uses: BTreeSet<String>,
}

/// One shared definition.
#[derive(Clone, Debug)]
pub struct Def {
    /// The index of the file that defines it in [`SchemaSet::files`].
    pub file: usize,
    /// Its schema, references rewritten to `#/$defs/Name`.
    pub schema: Value,
    /// The definitions it references directly.
    pub uses: BTreeSet<String>,
}

/// Every event and definition of a directory of schemas.
#[derive(Clone, Debug)]
pub struct SchemaSet {
    /// How the directory was laid out.
    pub layout: Layout,
    /// The directory it was read from.
    pub dir: PathBuf,
    /// Every file, in the order read (sorted, `common/` before `events/`).
    pub files: Vec<File>,
    /// Every event, by name.
    pub events: BTreeMap<String, Event>,
    /// Every definition, by name. In an export, a file whose copy of a
    /// shared definition differs from the others' has all its definitions
    /// under names of their own, `Name@file`.
    pub defs: BTreeMap<String, Def>,
    /// Per file: the definitions it holds under a name of their own.
    renamed: BTreeMap<usize, BTreeMap<String, String>>,
}

/// The name of a definition without the file an export's own copy comes
/// from: `OfferStatus@offer.revised` → `OfferStatus`.
pub fn base_name(name: &str) -> &str {
    name.split('@').next().unwrap_or(name)
}

type Result<T> = std::result::Result<T, LoadError>;

impl SchemaSet {
    /// Reads `dir` in whichever layout it has: `dir/events` (source),
    /// `dir/schemas/*.json` (an export), or `dir/*.json` (an export's
    /// `schemas/` itself).
    pub fn read(dir: &Path) -> Result<SchemaSet> {
        if dir.join("events").is_dir() {
            Self::read_source(dir)
        } else if dir.join("schemas").is_dir() {
            Self::read_export(&dir.join("schemas"))
        } else if dir.is_dir() {
            Self::read_export(dir)
        } else {
            Err(LoadError::new(show(dir), "", "not a directory"))
        }
    }

    /// Reads the source layout: `dir/events/*.json` and `dir/common/*.json`.
    pub fn read_source(dir: &Path) -> Result<SchemaSet> {
        let mut files = Vec::new();
        for sub in ["common", "events"] {
            let sub_dir = dir.join(sub);
            if sub == "common" && !sub_dir.exists() {
                continue;
            }
            for (name, text) in read_dir_json(&sub_dir)? {
                let rel = format!("{sub}/{name}");
                files.push(File {
                    doc: parse_file(&dir.join(&rel), &text)?,
                    rel,
                });
            }
        }
        Self::from_files(dir, Layout::Source, files)
    }

    /// Reads an export: every `*.json` directly in `dir`, each self-contained.
    pub fn read_export(dir: &Path) -> Result<SchemaSet> {
        let mut files = Vec::new();
        for (name, text) in read_dir_json(dir)? {
            files.push(File {
                doc: parse_file(&dir.join(&name), &text)?,
                rel: name,
            });
        }
        Self::from_files(dir, Layout::Export, files)
    }

    /// Builds a set from files already read. In the source layout the files
    /// under `events/` are the events; in an export, every file is.
    pub fn from_files(dir: &Path, layout: Layout, files: Vec<File>) -> Result<SchemaSet> {
        let mut set = SchemaSet {
            layout,
            dir: dir.to_owned(),
            files,
            events: BTreeMap::new(),
            defs: BTreeMap::new(),
            renamed: BTreeMap::new(),
        };
        set.collect()?;
        if set.events.is_empty() {
            return Err(LoadError::new(show(dir), "", "no event schemas found"));
        }
        Ok(set)
    }

    /// The display path of file `index`.
    pub fn path_of(&self, index: usize) -> String {
        show(&self.dir.join(&self.files[index].rel))
    }

    fn is_event_file(&self, rel: &str) -> bool {
        match self.layout {
            Layout::Source => rel.starts_with("events/"),
            Layout::Export => true,
        }
    }

    fn collect(&mut self) -> Result<()> {
        // Definitions first: every file's `$defs`, names global.
        let mut raw_defs: BTreeMap<String, (usize, Value)> = BTreeMap::new();
        for (index, file) in self.files.iter().enumerate() {
            let path = show(&self.dir.join(&file.rel));
            let Some(defs) = file.doc.get("$defs") else {
                continue;
            };
            let defs = defs
                .as_object()
                .ok_or_else(|| LoadError::new(&path, "/$defs", "must be an object"))?;
            // An export repeats shared definitions in every file; a file
            // whose copy differs keeps all its definitions to itself.
            let own = self.layout == Layout::Export
                && defs
                    .iter()
                    .any(|(name, schema)| raw_defs.get(name).is_some_and(|(_, earlier)| earlier != schema));
            if own {
                let stem = file.rel.trim_end_matches(".json");
                let names = defs
                    .keys()
                    .map(|name| (name.clone(), format!("{name}@{stem}")))
                    .collect();
                for (name, schema) in defs {
                    raw_defs.insert(format!("{name}@{stem}"), (index, schema.clone()));
                }
                self.renamed.insert(index, names);
                continue;
            }
            for (name, schema) in defs {
                match raw_defs.get(name) {
                    Some((_, earlier)) if self.layout == Layout::Export && earlier == schema => {}
                    Some((earlier, _)) => {
                        return Err(LoadError::new(
                            &path,
                            walk::push_token("/$defs", name),
                            format!(
                                "the name is already defined in {}; definition names are global",
                                show(&self.dir.join(&self.files[*earlier].rel))
                            ),
                        ))
                    }
                    None => {
                        raw_defs.insert(name.clone(), (index, schema.clone()));
                    }
                }
            }
        }
        for (name, (file, mut schema)) in raw_defs {
            let uses = self.localize(&mut schema, file, &walk::push_token("/$defs", &name))?;
            self.defs.insert(name, Def { file, schema, uses });
        }
        for index in 0..self.files.len() {
            let rel = self.files[index].rel.clone();
            if !self.is_event_file(&rel) {
                continue;
            }
            let path = self.path_of(index);
            let mut schema = self.files[index].doc.clone();
            let name = schema
                .pointer("/properties/event/const")
                .and_then(Value::as_str)
                .ok_or_else(|| {
                    LoadError::new(
                        &path,
                        "/properties/event/const",
                        "must be the event name (a string)",
                    )
                })?
                .to_owned();
            if let Value::Object(map) = &mut schema {
                map.remove("$defs");
            }
            let uses = self.localize(&mut schema, index, "")?;
            if let Some(earlier) = self.events.get(&name) {
                return Err(LoadError::new(
                    &path,
                    "/properties/event/const",
                    format!("event {name:?} is also defined in {}", self.path_of(earlier.file)),
                ));
            }
            self.events.insert(
                name.clone(),
                Event {
                    name,
                    file: index,
                    schema,
                    uses,
                },
            );
        }
        Ok(())
    }

    /// Rewrites every `$ref` in `schema` (from file `file`, at `pointer`) to
    /// `#/$defs/Name`, and returns the names referenced.
    fn localize(&self, schema: &mut Value, file: usize, pointer: &str) -> Result<BTreeSet<String>> {
        let mut used = BTreeSet::new();
        walk::visit_mut(schema, pointer, &mut |map, at| {
            let Some(target) = map.get("$ref") else {
                return Ok(());
            };
            let at = walk::push_token(at, "$ref");
            let target = target
                .as_str()
                .ok_or_else(|| LoadError::new(self.path_of(file), &at, "$ref must be a string"))?;
            let name = self
                .resolve(target, file)
                .map_err(|why| LoadError::new(self.path_of(file), &at, format!("{target:?}: {why}")))?;
            map.insert("$ref".into(), Value::String(format!("#/$defs/{name}")));
            used.insert(name);
            Ok(())
        })?;
        Ok(used)
    }

    /// The definition a `$ref` (found in file `from`) names.
    fn resolve(&self, target: &str, from: usize) -> std::result::Result<String, String> {
        let (path, fragment) = target.split_once('#').unwrap_or((target, ""));
        let name = fragment
            .strip_prefix("/$defs/")
            .filter(|n| !n.contains('/'))
            .ok_or("only references to a definition (#/$defs/Name) are supported")?
            .replace("~1", "/")
            .replace("~0", "~");
        let file = if path.is_empty() {
            from
        } else if path.contains("://") {
            self.files
                .iter()
                .position(|f| f.doc.get("$id").and_then(Value::as_str) == Some(path))
                .ok_or_else(|| format!("no file has the $id {path:?}"))?
        } else {
            let target_rel = join_relative(&self.files[from].rel, path)?;
            self.files
                .iter()
                .position(|f| f.rel == target_rel)
                .ok_or_else(|| format!("there is no file {target_rel}"))?
        };
        if let Some(own) = self.renamed.get(&file).and_then(|names| names.get(&name)) {
            return Ok(own.clone());
        }
        match self.defs_source(&name) {
            Some(def_file) if def_file == file || self.layout == Layout::Export => Ok(name),
            Some(def_file) => Err(format!(
                "$defs/{name} is in {}, not in {}",
                self.files[def_file].rel, self.files[file].rel
            )),
            None => Err(format!("{} has no $defs/{name}", self.files[file].rel)),
        }
    }

    /// The file that defines `name` (before the definitions are collected).
    fn defs_source(&self, name: &str) -> Option<usize> {
        if let Some(def) = self.defs.get(name) {
            return Some(def.file);
        }
        self.files
            .iter()
            .position(|f| f.doc.get("$defs").and_then(|d| d.get(name)).is_some())
    }

    /// The definitions `roots` need, directly or through other definitions.
    pub fn closure<'a>(&self, roots: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
        let mut seen = BTreeSet::new();
        let mut todo: Vec<String> = roots.into_iter().cloned().collect();
        while let Some(name) = todo.pop() {
            if let Some(def) = self.defs.get(&name) {
                if seen.insert(name) {
                    todo.extend(def.uses.iter().cloned());
                }
            }
        }
        seen
    }

    /// One event's schema, self-contained: the definitions it needs copied
    /// into its `$defs`.
    pub fn bundled(&self, event: &str) -> Option<Value> {
        let event = self.events.get(event)?;
        let mut doc = event.schema.clone();
        let defs: Map<String, Value> = self
            .closure(&event.uses)
            .into_iter()
            .map(|name| {
                let schema = self.defs[&name].schema.clone();
                (name, schema)
            })
            .collect();
        if let Value::Object(map) = &mut doc {
            map.insert("$defs".into(), Value::Object(defs));
        }
        Some(doc)
    }

    /// The events that reach definition `name`, directly or not.
    pub fn events_using(&self, name: &str) -> Vec<&str> {
        self.events
            .values()
            .filter(|event| self.closure(&event.uses).contains(name))
            .map(|event| event.name.as_str())
            .collect()
    }
}

/// `events/a.json` + `../common/b.json` → `common/b.json`.
fn join_relative(from: &str, path: &str) -> std::result::Result<String, String> {
    if path.starts_with('/') {
        return Err("absolute paths are not supported; use a path relative to the file".into());
    }
    let mut parts: Vec<&str> = from.split('/').collect();
    parts.pop();
    for segment in path.split('/') {
        match segment {
            ".." => {
                parts.pop().ok_or("the path leaves the schema directory")?;
            }
            "." | "" => {}
            other => parts.push(other),
        }
    }
    Ok(parts.join("/"))
}

fn show(path: &Path) -> String {
    path.display().to_string()
}

/// The `*.json` files directly in `dir`, sorted by name, with their text.
fn read_dir_json(dir: &Path) -> Result<Vec<(String, String)>> {
    let entries = std::fs::read_dir(dir).map_err(|e| LoadError::new(show(dir), "", e.to_string()))?;
    let mut out = Vec::new();
    for entry in entries {
        let path = entry
            .map_err(|e| LoadError::new(show(dir), "", e.to_string()))?
            .path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".json") || !path.is_file() {
            continue;
        }
        let text = std::fs::read_to_string(&path)
            .map_err(|e| LoadError::new(show(&path), "", format!("cannot read: {e}")))?;
        out.push((name.to_owned(), text));
    }
    out.sort();
    Ok(out)
}

fn parse_file(path: &Path, text: &str) -> Result<Value> {
    let doc: Value = serde_json::from_str(text)
        .map_err(|e| LoadError::new(show(path), "", format!("not valid JSON: {e}")))?;
    if !doc.is_object() {
        return Err(LoadError::new(show(path), "", "the root must be a JSON object"));
    }
    Ok(doc)
}

#[cfg(test)]
#[path = "set_tests.rs"]
mod tests;
