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
    let files = tracked(&root)?;
    for rel in &files {
        let to = copy.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).map_err(|e| e.to_string())?;
        }
        std::fs::copy(root.join(rel), &to).map_err(|e| format!("{rel}: {e}"))?;
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
    let changed = changed(&root, &copy, &files)?;
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

/// The files of `copy` that differ from `root`'s, or that `root` lacks.
fn changed(root: &Path, copy: &Path, files: &[String]) -> Result<Vec<String>, String> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for rel in files {
        seen.insert(rel.clone());
        if std::fs::read(root.join(rel)).ok() != std::fs::read(copy.join(rel)).ok() {
            out.push(rel.clone());
        }
    }
    let mut all = Vec::new();
    walk(copy, copy, &mut all);
    out.extend(all.into_iter().filter(|rel| !seen.contains(rel)));
    out.sort();
    Ok(out)
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
