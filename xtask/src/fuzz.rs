//! `cargo xtask fuzz --seconds N [TARGET...]`: runs the cargo-fuzz targets
//! (`document`, `parse`, `validate`, `receive`, `diff`) for N seconds each.
//!
//! cargo-fuzz needs nightly compiler flags; on this stable toolchain they are
//! unlocked with `RUSTC_BOOTSTRAP=1`. cargo-fuzz itself is installed from
//! crates.io when it is missing. Each target starts from its committed seeds
//! (`fuzz/seeds/TARGET`) and keeps what it finds in `fuzz/corpus/TARGET` (not
//! committed); a crash is saved under `fuzz/artifacts/TARGET` and fails the task.

use std::process::Command;

use crate::tools::run;
use crate::{option, root};

pub const TARGETS: [&str; 5] = ["document", "parse", "validate", "receive", "diff"];

pub fn main(args: &[String]) -> Result<(), String> {
    let seconds: u64 = option(args, "--seconds")
        .unwrap_or_else(|| "60".into())
        .parse()
        .map_err(|_| "--seconds takes a number".to_owned())?;
    let chosen: Vec<&str> = args
        .iter()
        .map(String::as_str)
        .filter(|a| TARGETS.contains(a))
        .collect();
    let targets = if chosen.is_empty() {
        TARGETS.to_vec()
    } else {
        chosen
    };
    if Command::new("cargo")
        .args(["fuzz", "--version"])
        .output()
        .map(|o| !o.status.success())
        .unwrap_or(true)
    {
        eprintln!("xtask: installing cargo-fuzz from crates.io");
        run(
            Command::new("cargo").args(["install", "cargo-fuzz", "--locked"]),
            "cargo install cargo-fuzz",
        )?;
    }
    let fuzz = root().join("fuzz");
    let mut report = Vec::new();
    for target in targets {
        let corpus = fuzz.join("corpus").join(target);
        std::fs::create_dir_all(&corpus).map_err(|e| e.to_string())?;
        eprintln!("xtask: fuzzing {target} for {seconds} s");
        let mut command = Command::new("cargo");
        command.args(["fuzz", "run", target]).arg(&corpus);
        // Not every target has committed seeds (`receive` builds its inputs).
        let seeds = fuzz.join("seeds").join(target);
        if seeds.is_dir() {
            command.arg(seeds);
        }
        let output = command
            .arg("--")
            .arg(format!("-max_total_time={seconds}"))
            .arg("-rss_limit_mb=4096")
            .arg("-print_final_stats=1")
            .env("RUSTC_BOOTSTRAP", "1")
            .current_dir(&fuzz)
            .output()
            .map_err(|e| format!("cargo fuzz: {e}"))?;
        let log = String::from_utf8_lossy(&output.stderr);
        let execs = log
            .lines()
            .find_map(|l| l.strip_prefix("stat::number_of_executed_units:"))
            .map_or_else(|| "?".to_owned(), |n| n.trim().to_owned());
        let line = format!(
            "{target}: {execs} executions in {seconds} s, {}",
            if output.status.success() {
                "no crash"
            } else {
                "FAILED"
            }
        );
        println!("{line}");
        report.push(line);
        if !output.status.success() {
            let tail: Vec<&str> = log.lines().rev().take(40).collect();
            return Err(format!(
                "fuzz target {target} failed (reproducer under fuzz/artifacts/{target}):\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            ));
        }
    }
    println!("\n{}", report.join("\n"));
    Ok(())
}
