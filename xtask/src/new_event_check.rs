//! `cargo xtask new-event-check`: proves that adding an event takes no hand
//! edit outside `schemas/` and the fixtures. In a copy of the repository
//! (under `target/new-event-check/`), `cargo xtask new-event` adds an event
//! to an existing family (`test.pong`) and one in a new family
//! (`candidate.created`); then the copy's checks run: the export, seeds and
//! version checks, the xtask's tests (the export, the catalog, the README's
//! table) and the crate's tests, all but the `reference_*` ones of
//! `tests/events.rs`, which judge the schemas against Kit's reference and so
//! must be edited with it. Last, every file the copy changed is listed, and
//! each must be one `new-event` writes.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::root;

/// Where `new-event` may write: the schemas, the fixtures, and what is
/// derived from them.
const DERIVED: &[&str] = &[
    "schemas/",
    "tests/fixtures/",
    "fuzz/seeds/",
    "dist/",
    "tests/snapshots/",
    "README.md",
    "src/lib.rs",
    "CHANGELOG.md",
];

pub fn main(_args: &[String]) -> Result<(), String> {
    let root = root();
    let work = root.join("target/new-event-check");
    let copy = work.join("repo");
    let _ = std::fs::remove_dir_all(&copy);
    // The files as copied, to compare the copy with at the end.
    let mut original = BTreeMap::new();
    for rel in tracked(&root)? {
        let to = copy.join(&rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        let bytes = std::fs::read(root.join(&rel)).map_err(|e| format!("{rel}: {e}"))?;
        std::fs::write(&to, &bytes).map_err(|e| format!("{rel}: {e}"))?;
        original.insert(rel, bytes);
    }
    // The Node and Python tools the export uses, installed once.
    std::fs::create_dir_all(copy.join("target")).map_err(|e| e.to_string())?;
    let tools = root.join("target/xtask-tools");
    if tools.is_dir() {
        std::os::unix::fs::symlink(&tools, copy.join("target/xtask-tools")).map_err(|e| e.to_string())?;
    }
    let target = work.join("target");
    let cargo = |args: &[&str]| -> Result<(), String> {
        eprintln!("xtask: (copy) cargo {}", args.join(" "));
        let status = Command::new(env!("CARGO"))
            .args(args)
            .current_dir(&copy)
            .env("CARGO_TARGET_DIR", &target)
            .status()
            .map_err(|e| format!("cargo {}: {e}", args.join(" ")))?;
        if status.success() {
            Ok(())
        } else {
            Err(format!("in the copy, `cargo {}` failed", args.join(" ")))
        }
    };
    cargo(&[
        "xtask",
        "new-event",
        "test.pong",
        "--family",
        "test",
        "--description",
        "Fired in answer to a ping.",
    ])?;
    cargo(&["xtask", "new-event", "candidate.created", "--family", "candidate"])?;
    cargo(&["xtask", "export", "--check"])?;
    cargo(&["xtask", "seeds", "--check"])?;
    cargo(&["xtask", "compat", "--check"])?;
    cargo(&["test", "--quiet", "-p", "xtask"])?;
    cargo(&[
        "test",
        "--quiet",
        "--all-features",
        "--lib",
        "--test",
        "events",
        "--test",
        "validate",
        "--test",
        "generated",
        "--test",
        "receive",
        "--test",
        "properties",
        "--test",
        "document",
        "--",
        "--skip",
        "reference_",
    ])?;
    let changed = changed(&copy, &original);
    let outside: Vec<&String> = changed
        .iter()
        .filter(|rel| !DERIVED.iter().any(|d| rel.starts_with(d)))
        .collect();
    println!("new-event-check: {} files written by new-event:", changed.len());
    for rel in &changed {
        println!("  {rel}");
    }
    if !outside.is_empty() {
        return Err(format!(
            "new-event wrote outside schemas/, the fixtures and what derives from them: {outside:?}"
        ));
    }
    Ok(())
}

/// The repository's files: tracked, and new ones not ignored.
fn tracked(root: &Path) -> Result<Vec<String>, String> {
    let out = Command::new("git")
        .args(["ls-files", "-z", "--cached", "--others", "--exclude-standard"])
        .current_dir(root)
        .output()
        .map_err(|e| format!("git ls-files: {e}"))?;
    Ok(out
        .stdout
        .split(|&b| b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .filter(|p| root.join(p).is_file())
        .collect())
}

/// The files of `copy` that differ from what was copied, or are new.
fn changed(copy: &Path, original: &BTreeMap<String, Vec<u8>>) -> Vec<String> {
    let mut all = Vec::new();
    walk(copy, copy, &mut all);
    let mut out: Vec<String> = all
        .into_iter()
        .filter(|rel| original.get(rel) != std::fs::read(copy.join(rel)).ok().as_ref())
        .collect();
    // A file new-event removed.
    out.extend(original.keys().filter(|rel| !copy.join(rel).exists()).cloned());
    out.sort();
    out
}

fn walk(base: &Path, dir: &Path, out: &mut Vec<String>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path: PathBuf = entry.path();
        let rel = path
            .strip_prefix(base)
            .unwrap_or(&path)
            .to_string_lossy()
            .into_owned();
        if rel == "target" || rel.starts_with("target/") || rel.contains("node_modules") {
            continue;
        }
        if path.is_dir() {
            walk(base, &path, out);
        } else {
            out.push(rel);
        }
    }
}
