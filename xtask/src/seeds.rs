//! `cargo xtask seeds [--check]`: the document fuzz targets' seeds
//! (`fuzz/seeds/document/`) are the test fixtures, valid and invalid
//! (`tests/fixtures/{valid,invalid}/`), copied; `--check` fails when the
//! copy is stale, so that an added or changed fixture reaches the fuzzers.

use std::collections::BTreeMap;
use std::path::Path;

use crate::root;

/// The seeds, by file name: every fixture.
fn wanted(root: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut out = BTreeMap::new();
    for kind in ["valid", "invalid"] {
        let dir = root.join("tests/fixtures").join(kind);
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            if path.extension().is_some_and(|x| x == "json") {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_owned();
                let bytes = std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?;
                if out.insert(name.clone(), bytes).is_some() {
                    return Err(format!("{name} is both a valid and an invalid fixture"));
                }
            }
        }
    }
    Ok(out)
}

/// The seeds as they are.
fn present(dir: &Path) -> Result<BTreeMap<String, Vec<u8>>, String> {
    let mut out = BTreeMap::new();
    if dir.is_dir() {
        for entry in std::fs::read_dir(dir).map_err(|e| format!("{}: {e}", dir.display()))? {
            let path = entry.map_err(|e| e.to_string())?.path();
            let name = path
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or_default()
                .to_owned();
            out.insert(
                name,
                std::fs::read(&path).map_err(|e| format!("{}: {e}", path.display()))?,
            );
        }
    }
    Ok(out)
}

/// What differs between the seeds and the fixtures: one line per file.
pub fn stale(root: &Path) -> Result<Vec<String>, String> {
    let wanted = wanted(root)?;
    let present = present(&root.join("fuzz/seeds/document"))?;
    let mut out = Vec::new();
    for (name, bytes) in &wanted {
        match present.get(name) {
            None => out.push(format!("missing: {name}")),
            Some(have) if have != bytes => out.push(format!("differs from its fixture: {name}")),
            Some(_) => {}
        }
    }
    out.extend(
        present
            .keys()
            .filter(|n| !wanted.contains_key(*n))
            .map(|n| format!("not a fixture: {n}")),
    );
    Ok(out)
}

pub fn main(args: &[String]) -> Result<(), String> {
    let root = root();
    if args.iter().any(|a| a == "--check") {
        let stale = stale(&root)?;
        if stale.is_empty() {
            println!("fuzz/seeds/document/ holds every fixture");
            return Ok(());
        }
        return Err(format!(
            "fuzz/seeds/document/ is stale; run `cargo xtask seeds`:\n  {}",
            stale.join("\n  ")
        ));
    }
    let dir = root.join("fuzz/seeds/document");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let wanted = wanted(&root)?;
    for (name, bytes) in &wanted {
        std::fs::write(dir.join(name), bytes).map_err(|e| e.to_string())?;
    }
    println!("fuzz/seeds/document/: {} fixtures", wanted.len());
    Ok(())
}

#[cfg(test)]
mod tests {
    /// The committed seeds are the fixtures (the check CI runs, as a test).
    #[test]
    fn the_seeds_are_the_fixtures() {
        let stale = super::stale(&crate::root()).unwrap();
        assert!(stale.is_empty(), "{stale:?}");
    }
}
