//! Turns `schemas/` into Rust with the generator of the schema model crate
//! (`schema-model/src/codegen/`, which lists its stages). The generated files
//! go to `OUT_DIR`; the crate `include!`s them.

use std::path::PathBuf;

use kit_webhooks_schema_model::codegen;

fn main() {
    for watched in ["schemas", "build.rs"] {
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
