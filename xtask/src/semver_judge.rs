//! `cargo xtask semver-judge`: the differ's verdict on the Rust API, judged
//! by cargo-semver-checks (installed from crates.io into
//! `target/xtask-tools/cargo`). The crate at HEAD is unpacked twice per
//! edit: as it is (OLD) and with one representative schema edit (NEW), both
//! at version 1.0.0 so that "minor" means non-breaking; cargo-semver-checks
//! then says whether NEW's generated API is a minor release of OLD's, and
//! `kit-webhooks diff` must say the same.
//!
//! cargo-semver-checks (0.51, the newest) compares no types: a field whose
//! type changed still exists at its path, so every one of its lints passes.
//! Beside it stands a second judge that shares no code with the differ: the
//! two crates' rustdoc JSON (built as cargo-semver-checks builds it), whose
//! public fields, variant fields and inherent methods are compared by their
//! rendered types. The verdict the differ must match is "major" if either
//! judge finds a break.

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::tools::{self, run};

/// The version of cargo-semver-checks this task installs.
const SEMVER_CHECKS: &str = "0.51.0";

/// A change to a copy of `schemas/`.
type Change = fn(&Path) -> Result<(), String>;

/// One representative edit: its name, what OLD starts from (beside HEAD's
/// schemas), the change NEW makes, and whether it breaks Rust code.
type Edit = (&'static str, Option<Change>, Change, bool);

fn optional_phone(dir: &Path) -> Result<(), String> {
    def(dir, "shared.json", "Candidate", |d| {
        d["properties"]["phone"] = json!({"type": "string", "description": "Phone."});
    })
}

const EDITS: &[Edit] = &[
    ("an event added", None, add_event, false),
    (
        "a value added",
        None,
        |dir| {
            def(dir, "offer.json", "OfferStatus", |d| {
                push(d, "enum", json!("rescinded"))
            })
        },
        false,
    ),
    (
        "an optional field added",
        None,
        |dir| {
            def(dir, "offer.json", "OfferData", |d| {
                d["properties"]["bonus"] = json!({"type": ["integer", "null"], "description": "A bonus."});
            })
        },
        false,
    ),
    (
        "a field removed",
        None,
        |dir| {
            def(dir, "offer.json", "OfferData", |d| {
                if let Some(properties) = d["properties"].as_object_mut() {
                    properties.remove("details");
                }
                if let Some(required) = d["required"].as_array_mut() {
                    required.retain(|f| f != "details");
                }
            })
        },
        true,
    ),
    (
        "a field made required",
        Some(optional_phone),
        |dir| {
            optional_phone(dir)?;
            def(dir, "shared.json", "Candidate", |d| {
                push(d, "required", json!("phone"))
            })
        },
        true,
    ),
    (
        "a type changed",
        None,
        |dir| {
            def(dir, "offer.json", "OfferData", |d| {
                d["properties"]["details"]["type"] = json!(["integer", "null"]);
            })
        },
        true,
    ),
    (
        "a length put on a string",
        None,
        |dir| {
            def(dir, "shared.json", "JobPostingSummary", |d| {
                d["properties"]["title"]["minLength"] = json!(1);
            })
        },
        true,
    ),
    (
        "a list closed",
        None,
        |dir| {
            def(dir, "shared.json", "JobPostingSummary", |d| {
                d["properties"]["title"] = json!({"$ref": "#/$defs/JobTitle", "description": "The title."});
            })?;
            def(dir, "shared.json", "JobTitle", |d| {
                *d = json!({"title": "Job title", "description": "A job title.", "type": "string", "enum": ["Senior Engineer", "Engineer"]});
            })
        },
        true,
    ),
];

pub fn main(args: &[String]) -> Result<(), String> {
    if !args.is_empty() {
        return Err(format!("semver-judge takes no arguments: {args:?}"));
    }
    let tool = install()?;
    let work = tools::scratch().join("semver-judge");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let head = unpack(&work, "old")?;
    let mut failures = Vec::new();
    let mut types_only = Vec::new();
    let mut apis = BTreeMap::new();
    for (index, (name, start, edit, rust_breaking)) in EDITS.iter().enumerate() {
        let old = match start {
            None => head.clone(),
            Some(start) => {
                let old = unpack(&work, &format!("old-{index}"))?;
                start(&old.join("schemas"))?;
                old
            }
        };
        let new = unpack(&work, &format!("new-{index}"))?;
        if let Some(start) = start {
            start(&new.join("schemas"))?;
        }
        edit(&new.join("schemas"))?;
        let _ = start;
        let report = kit_webhooks::diff::diff_dirs(&old.join("schemas"), &new.join("schemas"))
            .map_err(|e| format!("{name}: {e}"))?;
        eprintln!("xtask: semver-judge: {name}: cargo-semver-checks ...");
        let output = Command::new(&tool)
            .args([
                "semver-checks",
                "check-release",
                "--release-type",
                "minor",
                "--manifest-path",
            ])
            .arg(new.join("Cargo.toml"))
            .arg("--baseline-root")
            .arg(&old)
            .env("CARGO_TARGET_DIR", work.join("target"))
            .output()
            .map_err(|e| format!("cargo-semver-checks: {e}"))?;
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        );
        let checks_major = !output.status.success();
        if checks_major && !text.contains("semver requires new major version") && !text.contains("FAIL") {
            return Err(format!("{name}: cargo-semver-checks did not run:\n{text}"));
        }
        if !apis.contains_key(&old) {
            let built = api(&work, &old)?;
            apis.insert(old.clone(), built);
        }
        let old_api = &apis[&old];
        let new_api = api(&work, &new)?;
        let changed = types_changed(old_api, &new_api);
        let types_major = !changed.is_empty();
        let judged_major = checks_major || types_major;
        let verdict = |major: bool| if major { "major" } else { "minor" };
        println!(
            "{name}: differ {} ({}), cargo-semver-checks {}, rustdoc types {}{}, expected {}",
            verdict(report.breaking),
            report.semver.as_str(),
            verdict(checks_major),
            verdict(types_major),
            if types_major {
                format!(" ({} items, e.g. {})", changed.len(), changed[0])
            } else {
                String::new()
            },
            verdict(*rust_breaking)
        );
        if types_major && !checks_major {
            types_only.push(*name);
        }
        // The differ must match the judges on every edit, each edit must get
        // its expected verdict, and the first (an event added) is minor.
        if judged_major != report.breaking
            || report.breaking != *rust_breaking
            || (index == 0 && judged_major)
        {
            failures.push(format!(
                "{name}: differ {}, cargo-semver-checks {}, rustdoc types {} {changed:?}\n{text}",
                verdict(report.breaking),
                verdict(checks_major),
                verdict(types_major)
            ));
        }
    }
    if !types_only.is_empty() {
        println!(
            "semver-judge: only the rustdoc type comparison sees the break in: {} (cargo-semver-checks {SEMVER_CHECKS} has no lint for a changed type)",
            types_only.join(", ")
        );
    }
    if failures.is_empty() {
        println!(
            "semver-judge: {} edits; the differ's Rust verdict matches the judges' on every one",
            EDITS.len()
        );
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
}

/// The public API of the crate in `dir` as rustdoc JSON sees it: each public
/// field (of a struct or a variant) and each inherent method, by its path, with
/// its type rendered free of rustdoc's per-build ids.
fn api(work: &Path, dir: &Path) -> Result<BTreeMap<String, String>, String> {
    let target = work.join("target");
    let path = target.join("doc/kit_webhooks.json");
    // Every tree is the same package at the same version, so cargo keeps
    // one build of it (and of its build script's output) for all of them,
    // fresh by the files' times. The old JSON goes, and the tree's crate
    // root, build script and schemas are touched, so that this tree's
    // schemas are generated and documented now.
    let _ = std::fs::remove_file(&path);
    touch(&dir.join("src/lib.rs"))?;
    touch(&dir.join("build.rs"))?;
    touch(&dir.join("schemas"))?;
    run(
        Command::new("cargo")
            .args(["rustdoc", "--lib", "--quiet", "--manifest-path"])
            .arg(dir.join("Cargo.toml"))
            .args(["--", "-Z", "unstable-options", "--output-format", "json"])
            .env("RUSTC_BOOTSTRAP", "1")
            .env("CARGO_TARGET_DIR", &target),
        "cargo rustdoc --output-format json",
    )?;
    let doc: Value = serde_json::from_str(
        &std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?,
    )
    .map_err(|e| format!("{}: {e}", path.display()))?;
    Ok(public_types(&doc))
}

/// Sets the modification time of `path` (and of everything under it) to now.
fn touch(path: &Path) -> Result<(), String> {
    let now = std::time::SystemTime::now();
    if path.is_dir() {
        for entry in std::fs::read_dir(path).map_err(|e| format!("{}: {e}", path.display()))? {
            touch(&entry.map_err(|e| e.to_string())?.path())?;
        }
        return Ok(());
    }
    std::fs::File::options()
        .append(true)
        .open(path)
        .and_then(|file| file.set_modified(now))
        .map_err(|e| format!("{}: {e}", path.display()))
}

fn public_types(doc: &Value) -> BTreeMap<String, String> {
    let index = &doc["index"];
    let paths = &doc["paths"];
    let item = |id: &Value| &index[id.to_string()];
    let path_of = |id: &Value| -> Option<String> {
        let segments = paths[id.to_string()]["path"].as_array()?;
        Some(
            segments
                .iter()
                .filter_map(Value::as_str)
                .collect::<Vec<_>>()
                .join("::"),
        )
    };
    let render = |ty: &Value| serde_json::to_string(&without_ids(ty, paths)).unwrap_or_default();
    let mut out = BTreeMap::new();
    let Some(items) = index.as_object() else {
        return out;
    };
    for (id, entry) in items {
        let id: Value = id.parse::<u64>().map(Value::from).unwrap_or(Value::Null);
        let Some(owner) = path_of(&id) else { continue };
        let inner = &entry["inner"];
        if let Some(kind) = inner.pointer("/struct/kind") {
            let fields = kind
                .pointer("/plain/fields")
                .or_else(|| kind.get("tuple"))
                .and_then(Value::as_array);
            for field in fields.into_iter().flatten() {
                let field = item(field);
                if field["visibility"] == "public" {
                    let name = field["name"].as_str().unwrap_or("?");
                    out.insert(format!("{owner}.{name}"), render(&field["inner"]["struct_field"]));
                }
            }
        }
        if let Some(variants) = inner.pointer("/enum/variants").and_then(Value::as_array) {
            for variant in variants {
                let variant = item(variant);
                let vname = variant["name"].as_str().unwrap_or("?");
                let kind = &variant["inner"]["variant"]["kind"];
                let fields = kind
                    .pointer("/struct/fields")
                    .or_else(|| kind.get("tuple"))
                    .and_then(Value::as_array);
                for field in fields.into_iter().flatten() {
                    let field = item(field);
                    let name = field["name"].as_str().unwrap_or("?");
                    out.insert(
                        format!("{owner}::{vname}.{name}"),
                        render(&field["inner"]["struct_field"]),
                    );
                }
            }
        }
        let impls = inner
            .pointer("/struct/impls")
            .or_else(|| inner.pointer("/enum/impls"))
            .and_then(Value::as_array);
        for implementation in impls.into_iter().flatten() {
            let implementation = item(implementation);
            if !implementation["inner"]["impl"]["trait"].is_null() {
                continue;
            }
            for method in implementation["inner"]["impl"]["items"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let method = item(method);
                if method["visibility"] == "public" {
                    if let Some(function) = method["inner"].get("function") {
                        let name = method["name"].as_str().unwrap_or("?");
                        let signature = json!([function["sig"], function["generics"]]);
                        out.insert(format!("{owner}::{name}()"), render(&signature));
                    }
                }
            }
        }
    }
    out
}

/// `value` with every rustdoc id replaced by the path it names (ids differ
/// between two builds; paths do not).
fn without_ids(value: &Value, paths: &Value) -> Value {
    match value {
        Value::Object(map) => {
            let mut out = serde_json::Map::new();
            for (key, item) in map {
                if key == "id" {
                    if let Some(path) = paths[item.to_string()]["path"].as_array() {
                        out.insert("resolved".into(), Value::Array(path.clone()));
                    }
                } else if key == "path" && map.contains_key("id") && !paths[map["id"].to_string()].is_null() {
                    // Spelled as the source wrote it; the resolved path says it.
                } else {
                    out.insert(key.clone(), without_ids(item, paths));
                }
            }
            Value::Object(out)
        }
        Value::Array(items) => Value::Array(items.iter().map(|item| without_ids(item, paths)).collect()),
        other => other.clone(),
    }
}

/// The items both APIs have whose types differ.
fn types_changed(old: &BTreeMap<String, String>, new: &BTreeMap<String, String>) -> Vec<String> {
    old.iter()
        .filter(|(key, ty)| new.get(*key).is_some_and(|now| now != *ty))
        .map(|(key, _)| key.clone())
        .collect()
}

/// cargo-semver-checks, installed once.
fn install() -> Result<std::path::PathBuf, String> {
    let dir = tools::scratch().join("cargo");
    let tool = dir.join("bin/cargo-semver-checks");
    if !tool.exists() {
        eprintln!("xtask: installing cargo-semver-checks {SEMVER_CHECKS} from crates.io (once)");
        run(
            Command::new("cargo")
                .args([
                    "install",
                    "--locked",
                    "--version",
                    SEMVER_CHECKS,
                    "cargo-semver-checks",
                    "--root",
                ])
                .arg(&dir),
            "cargo install cargo-semver-checks",
        )?;
    }
    Ok(tool)
}

/// The crate at HEAD in `work/name`, at version 1.0.0, outside the workspace.
fn unpack(work: &Path, name: &str) -> Result<std::path::PathBuf, String> {
    let dir = work.join(name);
    let head = tools::source_at("HEAD", work)?;
    run(Command::new("cp").arg("-R").arg(&head).arg(&dir), "cp")?;
    let manifest = dir.join("Cargo.toml");
    let text = std::fs::read_to_string(&manifest).map_err(|e| e.to_string())?;
    let text = text
        .lines()
        .map(|line| {
            if line.starts_with("version = ") {
                "version = \"1.0.0\""
            } else {
                line
            }
        })
        .filter(|line| !line.starts_with("members") && !line.contains("\"xtask\""))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&manifest, text + "\n").map_err(|e| e.to_string())?;
    Ok(dir)
}

fn def(dir: &Path, file: &str, name: &str, change: impl FnOnce(&mut Value)) -> Result<(), String> {
    let path = dir.join("common").join(file);
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&path).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    change(
        doc["$defs"]
            .as_object_mut()
            .ok_or("no $defs")?
            .entry(name)
            .or_insert(json!({})),
    );
    std::fs::write(
        &path,
        serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n",
    )
    .map_err(|e| e.to_string())
}

fn push(schema: &mut Value, key: &str, value: Value) {
    if let Some(list) = schema[key].as_array_mut() {
        list.push(value);
    }
}

/// `offer.rescinded`, in the style of its family.
fn add_event(dir: &Path) -> Result<(), String> {
    let from = dir.join("events/offer.declined.json");
    let mut doc: Value = serde_json::from_str(&std::fs::read_to_string(&from).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    doc["$id"] = json!("https://kit-webhooks.github.io/schemas/v1/events/offer.rescinded.json");
    doc["title"] = json!("OfferRescinded");
    doc["description"] = json!("Fired when an admin rescinds an offer.");
    doc["properties"]["event"]["const"] = json!("offer.rescinded");
    if let Some(examples) = doc["examples"].as_array_mut() {
        for example in examples {
            example["event"] = json!("offer.rescinded");
        }
    }
    std::fs::write(
        dir.join("events/offer.rescinded.json"),
        serde_json::to_string_pretty(&doc).map_err(|e| e.to_string())? + "\n",
    )
    .map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A rustdoc JSON document with one public struct `k::Data` whose field
    /// `x` has the type `ty`, which names the item `ty_id`.
    fn doc(data_id: u64, ty_id: u64, ty: &str) -> Value {
        let field = data_id + 1;
        json!({
            "index": {
                data_id.to_string(): {"name": "Data", "inner": {"struct": {"kind": {"plain": {"fields": [field]}}, "impls": []}}},
                field.to_string(): {"name": "x", "visibility": "public", "inner": {"struct_field": {"resolved_path": {"path": ty, "id": ty_id, "args": null}}}},
            },
            "paths": {
                data_id.to_string(): {"path": ["k", "Data"]},
                ty_id.to_string(): {"path": ["alloc", "string", ty]},
            }
        })
    }

    #[test]
    fn ids_that_differ_between_builds_are_no_change() {
        let old = public_types(&doc(1, 7, "String"));
        let new = public_types(&doc(40, 99, "String"));
        assert_eq!(old.len(), 1, "{old:?}");
        assert!(types_changed(&old, &new).is_empty(), "{old:?} {new:?}");
    }

    #[test]
    fn a_field_whose_type_changed_is_found() {
        let old = public_types(&doc(1, 7, "String"));
        let new = public_types(&doc(1, 7, "Number"));
        assert_eq!(types_changed(&old, &new), vec!["k::Data.x".to_string()]);
    }

    #[test]
    fn a_private_field_is_not_api() {
        let mut private = doc(1, 7, "String");
        private["index"]["2"]["visibility"] = json!("default");
        assert!(public_types(&private).is_empty());
    }
}
