//! `cargo xtask new-event NAME --family F [--title T] [--description D]`:
//! adds an event. It writes the two files a person then fills in, and runs
//! every step that follows, so that nothing else needs a hand edit:
//!
//! 1. `schemas/events/NAME.json`: a copy of an event of family F with the new
//!    name, title and description (a new family gets `schemas/common/F.json`
//!    with a data definition of one `id`, to grow);
//! 2. `tests/fixtures/valid/NAME.json`: a delivery of the new event (the
//!    family's example, renamed), also the schema's example;
//! 3. the README's events table and the event counts in the README and the
//!    crate documentation;
//! 4. `cargo xtask seeds`, `compat` (the changelog, which the export copies),
//!    `export` and `bless`, each in a process
//!    of its own, because each reads the schemas the crate is rebuilt with.
//!
//! What is left to the person: the data's fields, from Kit's reference, and
//! the reference's list of events in `tests/events.rs` (the one independent
//! judge of the schemas against Kit's reference). CONTRIBUTING.md has the
//! checklist.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use kit_webhooks_schema_model::codegen::pascal;
use kit_webhooks_schema_model::set::SchemaSet;
use serde_json::{json, Value};

use crate::{option, root};

pub fn main(args: &[String]) -> Result<(), String> {
    let name = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .ok_or("usage: cargo xtask new-event NAME --family F [--title T] [--description D]")?;
    let family =
        option(args, "--family").ok_or("--family F is required (an existing family or a new one)")?;
    let title = option(args, "--title").unwrap_or_else(|| pascal(name));
    let description =
        option(args, "--description").unwrap_or_else(|| format!("Fired when Kit sends `{name}`."));
    let root = root();
    scaffold(&root, name, &family, &title, &description)?;
    update_readme(&root)?;
    for task in [&["seeds"][..], &["compat"], &["export"], &["bless"]] {
        let status = Command::new(env!("CARGO"))
            .args(["run", "--quiet", "--package", "xtask", "--"])
            .args(task)
            .current_dir(&root)
            .status()
            .map_err(|e| format!("cargo xtask {}: {e}", task[0]))?;
        if !status.success() {
            return Err(format!("cargo xtask {} failed", task[0]));
        }
    }
    println!(
        "added {name}: fill in its data from Kit's reference (schemas/), rerun `cargo xtask export && cargo xtask bless`, and add it to the reference list in tests/events.rs (see CONTRIBUTING.md)"
    );
    Ok(())
}

/// Writes the schema and the fixture of `name` (and its family's common
/// file, when the family is new) under `root`.
pub fn scaffold(root: &Path, name: &str, family: &str, title: &str, description: &str) -> Result<(), String> {
    let valid_name = name.split('.').count() >= 2
        && name.split('.').all(|part| {
            !part.is_empty()
                && part
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_')
        });
    if !valid_name {
        return Err(format!(
            "{name:?}: an event name is dot-separated lower-case words (`offer.accepted`)"
        ));
    }
    if !name.starts_with(&format!("{family}.")) {
        return Err(format!(
            "{name:?} is not in family {family:?} (it must start with `{family}.`)"
        ));
    }
    let schemas = root.join("schemas");
    let path = schemas.join(format!("events/{name}.json"));
    if path.exists() {
        return Err(format!("{} exists", path.display()));
    }
    let set = SchemaSet::read_source(&schemas).map_err(|e| e.to_string())?;
    let sibling = set
        .events
        .keys()
        .find(|e| e.split('.').next() == Some(family))
        .cloned();
    let envelope = read(&schemas.join("common/envelope.json"))?;
    let base = envelope["$id"]
        .as_str()
        .and_then(|id| id.strip_suffix("/common/envelope.json"))
        .ok_or("schemas/common/envelope.json: its $id does not end with /common/envelope.json")?
        .to_owned();
    let (mut schema, mut fixture) = match &sibling {
        Some(sibling) => (
            read(&schemas.join(format!("events/{sibling}.json")))?,
            read(&root.join(format!("tests/fixtures/valid/{sibling}.json")))?,
        ),
        None => new_family(root, &base, family)?,
    };
    fixture["event"] = json!(name);
    schema["$id"] = json!(format!("{base}/events/{name}.json"));
    schema["title"] = json!(title);
    schema["description"] = json!(description);
    schema["properties"]["event"]["const"] = json!(name);
    schema["examples"] = json!([fixture.clone()]);
    write(&path, &schema)?;
    write(&root.join(format!("tests/fixtures/valid/{name}.json")), &fixture)?;
    Ok(())
}

/// A new family: `schemas/common/F.json` with a data definition, and an
/// event schema and fixture that use it (from `test.ping`'s, the simplest).
fn new_family(root: &Path, base: &str, family: &str) -> Result<(Value, Value), String> {
    let common = root.join(format!("schemas/common/{family}.json"));
    let data = format!("{}Data", pascal(family));
    if !common.exists() {
        let words = family.replace('_', " ");
        write(
            &common,
            &json!({
                "$schema": "https://json-schema.org/draft/2020-12/schema",
                "$id": format!("{base}/common/{family}.json"),
                "title": format!("{}{} events", words[..1].to_uppercase(), &words[1..]),
                "description": format!("The data carried by {words} events."),
                "$defs": {
                    data.clone(): {
                        "title": format!("{words} data"),
                        "description": format!("The data of every {words} event."),
                        "type": "object",
                        "required": ["id"],
                        "properties": {
                            "id": {"type": "integer", "description": "The identifier."}
                        },
                        "examples": [{"id": 1}]
                    }
                }
            }),
        )?;
    }
    let mut schema = read(&root.join("schemas/events/test.ping.json"))?;
    schema["properties"]["data"]["$ref"] = json!(format!("../common/{family}.json#/$defs/{data}"));
    let fixture = json!({"event": "", "created_at": "2025-01-15T14:30:00Z", "data": {"id": 1}});
    Ok((schema, fixture))
}

/// The README's events table (family, events, data type), and the event
/// counts in the README and the crate documentation, from `schemas/`.
pub fn update_readme(root: &Path) -> Result<(), String> {
    let set = SchemaSet::read_source(&root.join("schemas")).map_err(|e| e.to_string())?;
    let mut rows: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
    for (name, event) in &set.events {
        let family = name.split('.').next().unwrap_or_default().to_owned();
        let data = event.schema["properties"]["data"]["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix("#/$defs/"))
            .unwrap_or("UnknownEvent")
            .to_owned();
        rows.entry((family, data)).or_default().push(format!("`{name}`"));
    }
    let mut table = String::from("| family | events | data type |\n|---|---|---|\n");
    for ((family, data), events) in &rows {
        let _ = writeln!(table, "| {family} | {} | `types::{data}` |", events.join(", "));
    }
    let readme_path = root.join("README.md");
    let readme = std::fs::read_to_string(&readme_path).map_err(|e| e.to_string())?;
    let start = readme
        .find("| family | events | data type |")
        .ok_or("README.md: no events table")?;
    let end = readme[start..]
        .find("\n\n")
        .map_or(readme.len(), |i| start + i + 1);
    let readme = format!("{}{table}{}", &readme[..start], &readme[end..]);
    std::fs::write(&readme_path, set_count(&readme, set.events.len())).map_err(|e| e.to_string())?;
    let lib = root.join("src/lib.rs");
    let text = std::fs::read_to_string(&lib).map_err(|e| e.to_string())?;
    std::fs::write(&lib, set_count(&text, set.events.len())).map_err(|e| e.to_string())
}

/// `… for N events …` with N = `count`.
fn set_count(text: &str, count: usize) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find("for ") {
        out.push_str(&rest[..at + 4]);
        rest = &rest[at + 4..];
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        if digits > 0 && rest[digits..].starts_with(" events") {
            out.push_str(&count.to_string());
            rest = &rest[digits..];
        }
    }
    out.push_str(rest);
    out
}

fn read(path: &Path) -> Result<Value, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    serde_json::from_str(&text).map_err(|e| format!("{}: {e}", path.display()))
}

fn write(path: &Path, value: &Value) -> Result<(), String> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
    }
    let mut text = serde_json::to_string_pretty(value).map_err(|e| e.to_string())?;
    text.push('\n');
    std::fs::write(path, text).map_err(|e| format!("{}: {e}", path.display()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_rewritten_where_they_stand() {
        assert_eq!(
            set_count("for 28 events. And for 28 events", 29),
            "for 29 events. And for 29 events"
        );
        assert_eq!(
            set_count("for the 28 events, for 3 days", 29),
            "for the 28 events, for 3 days"
        );
    }

    /// The table written from today's schemas is the committed one.
    #[test]
    fn the_readme_table_is_the_generated_one() {
        let dir = std::env::temp_dir().join(format!("kit-webhooks-readme-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("src")).unwrap();
        let root = root();
        crate::tools::copy_dir(&root.join("schemas"), &dir.join("schemas")).unwrap();
        std::fs::copy(root.join("README.md"), dir.join("README.md")).unwrap();
        std::fs::copy(root.join("src/lib.rs"), dir.join("src/lib.rs")).unwrap();
        update_readme(&dir).unwrap();
        let written = std::fs::read_to_string(dir.join("README.md")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert_eq!(written, std::fs::read_to_string(root.join("README.md")).unwrap());
    }

    /// A scaffolded event, in an existing family and in a new one, reads as
    /// a schema set and goes through every stage of the generator.
    #[test]
    fn a_scaffolded_event_goes_through_the_generator() {
        let dir = std::env::temp_dir().join(format!("kit-webhooks-new-event-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let root = root();
        crate::tools::copy_dir(&root.join("schemas"), &dir.join("schemas")).unwrap();
        crate::tools::copy_dir(
            &root.join("tests/fixtures/valid"),
            &dir.join("tests/fixtures/valid"),
        )
        .unwrap();
        scaffold(
            &dir,
            "offer.scaffolded",
            "offer",
            "OfferScaffolded",
            "Fired in this test.",
        )
        .unwrap();
        scaffold(
            &dir,
            "scaffolded.created",
            "scaffolded",
            "ScaffoldedCreated",
            "Fired in this test.",
        )
        .unwrap();
        let again = scaffold(&dir, "offer.scaffolded", "offer", "X", "x").unwrap_err();
        let wrong = scaffold(&dir, "offer.x", "review", "X", "x").unwrap_err();
        let files = kit_webhooks_schema_model::codegen::generate(&dir.join("schemas"));
        let fixture = read(&dir.join("tests/fixtures/valid/scaffolded.created.json")).unwrap();
        let _ = std::fs::remove_dir_all(&dir);
        assert!(again.contains("exists"), "{again}");
        assert!(wrong.contains("not in family"), "{wrong}");
        let files = files.unwrap();
        assert!(files["types.rs"].contains("pub struct OfferScaffolded"));
        assert!(files["types.rs"].contains("pub struct ScaffoldedCreated"));
        assert!(files["types.rs"].contains("pub struct ScaffoldedData"));
        assert_eq!(fixture["data"], json!({"id": 1}));
    }
}
