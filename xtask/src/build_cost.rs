//! `cargo xtask build-cost [--rounds N] [--baseline REV] [--incremental]`: what this crate
//! costs a dependent to build, measured, not estimated.
//!
//! Each configuration is built cold (`cargo build -p kit-webhooks` in a fresh
//! target directory, crates already downloaded) with `--timings`, and the
//! units are read from cargo's timing report. Incremental compilation is off,
//! as it is for a dependency from crates.io, so the crate's own unit costs
//! what it costs a dependent; `--incremental` builds as a plain `cargo build`
//! of this workspace does, with its profiles' incremental settings. The configurations are built in
//! turn in every round, so that a noisy machine slows them alike; the table
//! gives medians, the spread, and ratios to the default build of the same run.
//! `--baseline REV` also builds the crate as it was at REV (from `git archive`),
//! to compare the crate's own compile unit with an earlier version.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Instant;

use serde_json::Value;

use crate::tools::median;
use crate::tools::run;
use crate::{option, root};

/// One way a dependent builds the crate.
struct Config {
    name: String,
    /// The crate's source directory.
    source: PathBuf,
    args: Vec<&'static str>,
}

/// One cold build.
struct Sample {
    wall: f64,
    /// The crate's library unit.
    lib: f64,
    /// Compiling and running its build script.
    build_script: f64,
    /// Units compiled.
    units: usize,
}

pub fn main(args: &[String]) -> Result<(), String> {
    let rounds: usize = option(args, "--rounds")
        .unwrap_or_else(|| "1".into())
        .parse()
        .map_err(|_| "--rounds takes a number".to_owned())?;
    let work = root().join("target/build-cost");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let mut configs = vec![
        Config {
            name: "default features".into(),
            source: root(),
            args: vec![],
        },
        Config {
            name: "types only (`default-features = false`)".into(),
            source: root(),
            args: vec!["--no-default-features"],
        },
    ];
    if let Some(rev) = option(args, "--baseline") {
        let source = crate::tools::source_at(&rev, &work)?;
        configs.push(Config {
            name: format!("default features at {rev}"),
            source,
            args: vec![],
        });
    }
    let incremental = args.iter().any(|a| a == "--incremental");
    let mut samples: Vec<Vec<Sample>> = configs.iter().map(|_| Vec::new()).collect();
    for round in 1..=rounds {
        for (config, samples) in configs.iter().zip(&mut samples) {
            eprintln!("xtask: round {round}/{rounds}: a cold build, {}", config.name);
            samples.push(cold_build(config, &work.join("target"), incremental)?);
        }
    }
    print!("{}", table(&configs, &samples, rounds, incremental));
    Ok(())
}

fn cold_build(config: &Config, target: &Path, incremental: bool) -> Result<Sample, String> {
    let _ = std::fs::remove_dir_all(target);
    let started = Instant::now();
    let mut command = Command::new(env!("CARGO"));
    // A plain build of this workspace follows its profiles; a dependency is
    // never built incrementally.
    if incremental {
        command.env_remove("CARGO_INCREMENTAL");
    } else {
        command.env("CARGO_INCREMENTAL", "0");
    }
    run(
        command
            .args([
                "build",
                "--quiet",
                "--timings",
                "-p",
                "kit-webhooks",
                "--target-dir",
            ])
            .arg(target)
            .args(&config.args)
            .current_dir(&config.source),
        "cargo build",
    )?;
    let wall = started.elapsed().as_secs_f64();
    let units = units(&target.join("cargo-timings/cargo-timing.html"))?;
    let of = |target_kind: &str| -> f64 {
        units
            .iter()
            .filter(|u| {
                u["name"] == "kit-webhooks" && u["target"].as_str().is_some_and(|t| t.trim() == target_kind)
            })
            .filter_map(|u| u["duration"].as_f64())
            .sum()
    };
    Ok(Sample {
        wall,
        lib: of(""),
        build_script: of("build-script") + of("build-script (run)"),
        units: units.len(),
    })
}

/// The units of cargo's timing report (its `UNIT_DATA`).
fn units(report: &Path) -> Result<Vec<Value>, String> {
    let html = std::fs::read_to_string(report).map_err(|e| format!("{}: {e}", report.display()))?;
    let start = html
        .find("UNIT_DATA = ")
        .ok_or("the timing report has no UNIT_DATA")?
        + "UNIT_DATA = ".len();
    let end = start + html[start..].find("];").ok_or("UNIT_DATA does not end")? + 1;
    serde_json::from_str(&html[start..end]).map_err(|e| format!("UNIT_DATA: {e}"))
}

/// `12.3 s` or `12.3 s (11.9–12.8)`.
fn spread(values: &[f64]) -> String {
    let mut sorted = values.to_vec();
    let mid = median(&mut sorted);
    if sorted.len() < 2 {
        return format!("{mid:.1} s");
    }
    format!("{mid:.1} s ({:.1}–{:.1})", sorted[0], sorted[sorted.len() - 1])
}

fn table(configs: &[Config], samples: &[Vec<Sample>], rounds: usize, incremental: bool) -> String {
    let column = |i: usize, f: fn(&Sample) -> f64| -> Vec<f64> { samples[i].iter().map(f).collect() };
    let default_wall = median(&mut column(0, |s| s.wall));
    let default_lib = median(&mut column(0, |s| s.lib));
    let mut out = format!(
        "\nCold `cargo build -p kit-webhooks` (debug, fresh target directory, {}), median of {rounds} round(s), min–max in brackets:\n\n\
         | configuration | wall time | × default | units | kit-webhooks lib | × default lib | build script |\n\
         |---|---|---|---|---|---|---|\n",
        if incremental {
            "as a plain build of this workspace, incremental"
        } else {
            "not incremental, as a dependency"
        }
    );
    for (i, config) in configs.iter().enumerate() {
        let wall = column(i, |s| s.wall);
        let lib = column(i, |s| s.lib);
        let script = column(i, |s| s.build_script);
        let units = samples[i].first().map_or(0, |s| s.units);
        out.push_str(&format!(
            "| {} | {} | {:.2} | {units} | {} | {:.2} | {} |\n",
            config.name,
            spread(&wall),
            median(&mut wall.clone()) / default_wall,
            spread(&lib),
            median(&mut lib.clone()) / default_lib,
            spread(&script),
        ));
    }
    out
}
