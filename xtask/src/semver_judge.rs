//! `cargo xtask semver-judge`: the differ's verdict on the Rust API, judged
//! by cargo-semver-checks (installed from crates.io into
//! `target/xtask-tools/cargo`). The crate at HEAD is unpacked twice per
//! edit: as it is (OLD) and with one representative schema edit (NEW), both
//! at version 1.0.0 so that "minor" means non-breaking; cargo-semver-checks
//! then says whether NEW's generated API is a minor release of OLD's, and
//! `kit-webhooks diff` must say the same.

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
    let mut blind = Vec::new();
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
        let judged_major = !output.status.success();
        if judged_major && !text.contains("semver requires new major version") && !text.contains("FAIL") {
            return Err(format!("{name}: cargo-semver-checks did not run:\n{text}"));
        }
        let verdict = |major: bool| if major { "major" } else { "minor" };
        println!(
            "{name}: differ {} ({}), cargo-semver-checks {}, expected {}",
            verdict(report.breaking),
            report.semver.as_str(),
            verdict(judged_major),
            verdict(*rust_breaking)
        );
        // The differ must never call minor what cargo-semver-checks proves
        // major, must give each edit its expected verdict, and the first
        // edit (an event added) must be minor for both. Where the differ says
        // major and cargo-semver-checks minor, the tool has no lint for the
        // change (0.51 has none for a field's type): said, not failed.
        if (judged_major && !report.breaking)
            || report.breaking != *rust_breaking
            || (index == 0 && judged_major)
        {
            failures.push(format!(
                "{name}: differ {}, cargo-semver-checks {}\n{text}",
                verdict(report.breaking),
                verdict(judged_major)
            ));
        } else if report.breaking && !judged_major {
            blind.push(*name);
        }
    }
    if !blind.is_empty() {
        println!(
            "semver-judge: cargo-semver-checks {SEMVER_CHECKS} sees no break where the differ does, for: {} (it has no lint for a changed field type)",
            blind.join(", ")
        );
    }
    if failures.is_empty() {
        println!(
            "semver-judge: {} edits; the differ never calls minor what cargo-semver-checks finds major, and gives each its expected verdict",
            EDITS.len()
        );
        Ok(())
    } else {
        Err(failures.join("\n"))
    }
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
