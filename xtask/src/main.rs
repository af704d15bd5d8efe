//! `cargo xtask <task>`: the project's tasks, in plain Rust.
//!
//! - `export [--out DIR] [--check]`: the schemas for other languages (default `dist/`).
//! - `interop [--dir DIR]`: prove ajv, python-jsonschema, tsc and pydantic agree with the Rust validator.
//! - `bless`: rewrite the reviewed snapshot of the generated Rust (`tests/snapshots/`).
//! - `compat [--check]`: the schema changes since `release/` against the version bump; CHANGELOG.md.
//! - `release`: snapshot `schemas/` into `release/` once a version is published.
//! - `fuzz [--seconds N] [TARGET...]`: run the cargo-fuzz targets.
//! - `bench-compare [--count N]`: the CLI against Node/ajv and Python/fastjsonschema.
//! - `build-cost [--rounds N] [--baseline REV] [--incremental]`: cold build times of the crate, by configuration.
//! - `load [--count N] [--connections C]`: load `kit-webhooks listen` and report throughput.
//! - `semver-judge`: the differ's Rust verdict on representative edits against cargo-semver-checks and rustdoc JSON's types.
//! - `seeds [--check]`: the document fuzz targets' seeds, copied from the test fixtures.
//! - `new-event NAME --family F`: scaffold an event and run every step that follows.
//! - `readme`: the README's events table and event counts, from `schemas/`.
//! - `new-event-check`: `new-event` in a copy of the repository, and the checks there.

mod bench_compare;
mod build_cost;
mod compat;
mod drift_shape;
mod export;
mod fields;
mod format_fuzz;
mod format_grammar;
mod fuzz;
mod interop;
mod kit_cases;
mod kit_tests;
mod kits;
mod load;
mod new_event;
mod new_event_check;
mod npm_package;
mod rust_verdict;
mod seeds;
mod semver_judge;
mod tools;
mod unicode_tables;

use std::path::PathBuf;
use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("export") => export::main(&args[1..]),
        Some("bless") => bless(),
        Some("compat") => compat::main(&args[1..]),
        Some("release") => compat::release(),
        Some("interop") => interop::main(&args[1..]),
        Some("fuzz") => fuzz::main(&args[1..]),
        Some("bench-compare") => bench_compare::main(&args[1..]),
        Some("build-cost") => build_cost::main(&args[1..]),
        Some("load") => load::main(&args[1..]),
        Some("semver-judge") => semver_judge::main(&args[1..]),
        Some("seeds") => seeds::main(&args[1..]),
        Some("new-event") => new_event::main(&args[1..]),
        Some("readme") => new_event::update_readme(&root()),
        Some("new-event-check") => new_event_check::main(&args[1..]),
        Some("format-strings") => format_fuzz::main(&args[1..]),
        _ => Err(USAGE.to_owned()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("xtask: {message}");
            ExitCode::FAILURE
        }
    }
}

const USAGE: &str = "usage: cargo xtask <task>

tasks:
  export [--out DIR] [--check]   write the schemas for other languages (default: dist/);
                                 --check fails if DIR differs from a fresh export
  compat [--check]               diff release/schemas (the last release) against schemas/; fail
                                 if the change needs a bigger bump than Cargo.toml got; write
                                 the changes into CHANGELOG.md (--check: fail if it is stale)
  release                        snapshot schemas/ and the version into release/ (after publishing)
  bless                          rewrite tests/snapshots/ (the generated Rust, for review)
                                 after a schema or generator change
  interop [--dir DIR] [--screenshot PNG] [--seed N] [--format-strings N]
                                 check the exported files with ajv, python-jsonschema, tsc,
                                 datamodel-code-generator and openapi-spec-validator; test the
                                 npm and Python kits as installed from the export, and the
                                 event catalog in headless Chromium (--screenshot: save it);
                                 fuzz the kits' format checks against Rust's (N strings per
                                 format, default 100,000, from seed N, default fixed)
  format-strings OUT [--seed N] [--format-strings N]
                                 write the format fuzzer's strings with Rust's verdicts to OUT
  bench-compare [--count N]      kit-webhooks validate --jsonl against Node (ajv) and Python
                                 (fastjsonschema) on the same N deliveries (default 200,000)
  build-cost [--rounds N] [--baseline REV] [--incremental]
                                 cold builds of the crate (default features, types only, and
                                 REV's default build) with --timings: the README's table
  load [--count N] [--connections C] [--url URL --secret S] [--baseline REV [--rounds R]] [--sink nats]
                                 signed deliveries against `listen` (default: one it starts
                                 itself, 100,000 deliveries over 64 connections); --baseline:
                                 REV's listen and this one in turn, R rounds, and their ratio;
                                 --sink nats: the file and NATS sinks in turn (a nats-server it starts)
  semver-judge                   build the crate on OLD and NEW schemas for eight representative
                                 edits and check the differ's verdict against cargo-semver-checks
                                 and a comparison of the two APIs' types in rustdoc JSON
  fuzz [--seconds N] [TARGET...] run the cargo-fuzz targets (parse, validate, receive),
                                 N seconds each (installs cargo-fuzz if missing)
  seeds [--check]                copy the test fixtures to the fuzz seeds (fuzz/seeds/document/);
                                 --check fails if they differ
  new-event NAME --family F [--title T] [--description D]
                                 scaffold an event: its schema and fixture, then the README,
                                 seeds, export, bless and compat
  readme                         rewrite the README's events table and event counts from schemas/
  new-event-check                add two events with new-event in a copy of the repository and run
                                 the checks there: nothing else needs a hand edit";

/// `cargo xtask bless`: the snapshot test, told to overwrite.
fn bless() -> Result<(), String> {
    let status = std::process::Command::new(env!("CARGO"))
        .args(["test", "--quiet", "--test", "generated"])
        .env("EXPECTORATE", "overwrite")
        .current_dir(root())
        .status()
        .map_err(|e| format!("cargo test: {e}"))?;
    if !status.success() {
        return Err("cargo test --test generated failed".into());
    }
    println!("tests/snapshots/ now holds the generated Rust; review it with `git diff tests/snapshots`");
    Ok(())
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// Takes `--name VALUE` out of `args`.
pub fn option(args: &[String], name: &str) -> Option<String> {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1))
        .cloned()
}
