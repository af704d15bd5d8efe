//! The Rust that `build.rs` generates from `schemas/` (the types, the
//! registry, the fast path's residual checks and the shapes that drift and
//! strict mode follow), committed under
//! `tests/snapshots/` so that a schema edit shows up as a Rust diff in
//! review. The types are still generated at build time; this copy is for
//! reading, not a cache. After a schema or generator change, bless it with
//! `cargo xtask bless` (`EXPECTORATE=overwrite cargo test --test generated`).

#[test]
fn the_generated_types_match_the_reviewed_snapshot() {
    expectorate::assert_contents(
        "tests/snapshots/types.rs",
        include_str!(concat!(env!("OUT_DIR"), "/types.rs")),
    );
}

#[test]
fn the_generated_registry_matches_the_reviewed_snapshot() {
    expectorate::assert_contents(
        "tests/snapshots/registry.rs",
        include_str!(concat!(env!("OUT_DIR"), "/registry.rs")),
    );
}

#[test]
fn the_generated_residual_checks_match_the_reviewed_snapshot() {
    expectorate::assert_contents(
        "tests/snapshots/residual.rs",
        include_str!(concat!(env!("OUT_DIR"), "/residual.rs")),
    );
}

#[test]
fn the_generated_shapes_match_the_reviewed_snapshot() {
    expectorate::assert_contents(
        "tests/snapshots/shapes.rs",
        include_str!(concat!(env!("OUT_DIR"), "/shapes.rs")),
    );
}
