//! Turns `schemas/` into Rust: see `codegen/mod.rs` for the stages. The
//! generated files go to `OUT_DIR`; the crate `include!`s them.

#[path = "codegen/mod.rs"]
mod codegen;

use std::path::PathBuf;

fn main() {
    for watched in ["schemas", "codegen", "src/schema", "build.rs"] {
        println!("cargo:rerun-if-changed={watched}");
    }
    if let Err(message) = run() {
        eprintln!("\nerror: kit-webhooks could not turn its schemas into Rust:\n  {message}\n");
        std::process::exit(1);
    }
}

fn run() -> codegen::Result<()> {
    let manifest = PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").map_err(|e| e.to_string())?);
    let out = PathBuf::from(std::env::var("OUT_DIR").map_err(|e| e.to_string())?);
    for (rel, text) in codegen::generate(&manifest.join("schemas"))? {
        let path = out.join(rel);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
        }
        std::fs::write(&path, text).map_err(|e| format!("{}: {e}", path.display()))?;
    }
    Ok(())
}
