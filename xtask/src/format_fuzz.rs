//! The differential fuzzer of the kits' format checks (part of `cargo xtask
//! interop`): strings built from a grammar of each format's parts (digits,
//! separators, offsets, fractions and leap seconds; local parts, quoted
//! strings, labels, `xn--` labels, address literals and `Name <…>`), then
//! mutated and mixed with random Unicode, white space and control
//! characters. Each string goes through the Rust validator's own check (the
//! judge: jsonschema's `format`), the npm kit and the Python kit as installed,
//! and, for a sample, the catalog's checker; any disagreement fails the run
//! and prints the string, escaped.
//!
//! `--seed N` explores other strings; the default seed gives the same ones on
//! every run. `--format-strings N` sets how many per format.

use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use serde_json::{json, Value};

use crate::format_grammar::strings;
use crate::tools::run;

/// The seed of every run that does not ask for another.
pub const DEFAULT_SEED: u64 = 0x6b69_742d_6675_7a7a;
/// Strings per format per run.
pub const PER_FORMAT: usize = 100_000;
/// Strings per format the catalog (in Chromium) is held to.
pub const CATALOG_SAMPLE: usize = 2_000;
/// The formats the schemas use.
pub const FORMATS: [&str; 2] = ["date-time", "email"];

/// The judge: the Rust validator's own format check.
fn rust_verdicts(format: &str, strings: &[String]) -> Result<Vec<bool>, String> {
    let validator = jsonschema::options()
        .should_validate_formats(true)
        .build(&json!({ "format": format }))
        .map_err(|e| e.to_string())?;
    Ok(strings
        .iter()
        .map(|s| validator.is_valid(&Value::String(s.clone())))
        .collect())
}

const NODE_RUNNER: &str = include_str!("../kits/npm/format-fuzz.js");

const PYTHON_RUNNER: &str = include_str!("../kits/python/format_fuzz.py");

/// `cargo xtask format-strings OUT`: the strings of a run, each with Rust's
/// verdict, as `{"date-time": [[string, valid], ...], "email": [...]}`.
pub fn main(args: &[String]) -> Result<(), String> {
    let out = args
        .first()
        .filter(|a| !a.starts_with("--"))
        .ok_or("usage: format-strings OUT [--seed N] [--format-strings N]")?;
    let seed = match crate::option(args, "--seed") {
        Some(seed) => seed.parse().map_err(|e| format!("--seed {seed}: {e}"))?,
        None => DEFAULT_SEED,
    };
    let count = match crate::option(args, "--format-strings") {
        Some(n) => n.parse().map_err(|e| format!("--format-strings {n}: {e}"))?,
        None => PER_FORMAT,
    };
    let mut all = serde_json::Map::new();
    for (format, strings) in strings(seed, count) {
        let rust = rust_verdicts(format, &strings)?;
        let pairs: Vec<Value> = strings.iter().zip(rust).map(|(s, v)| json!([s, v])).collect();
        all.insert(format.to_owned(), Value::Array(pairs));
    }
    std::fs::write(
        out,
        serde_json::to_vec(&Value::Object(all)).map_err(|e| e.to_string())?,
    )
    .map_err(|e| format!("{out}: {e}"))
}

/// What one run found: per format, the strings tried and the disagreements.
pub struct Findings {
    pub lines: Vec<String>,
    pub disagreements: usize,
}

/// Runs the strings through the installed npm kit (`npm_project`) and Python
/// kit (`python`), and compares with Rust. Writes `catalog-formats.json`, the
/// sample the catalog test checks, into `work`.
pub fn run_kits(
    work: &Path,
    npm_project: &Path,
    python: &Path,
    seed: u64,
    count: usize,
) -> Result<Findings, String> {
    let all = strings(seed, count);
    let input: serde_json::Map<String, Value> = all
        .iter()
        .map(|(format, strings)| ((*format).to_owned(), json!(strings)))
        .collect();
    let input_path = work.join("format-strings.json");
    std::fs::write(
        &input_path,
        serde_json::to_vec(&input).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    let runner = npm_project.join("format-fuzz.js");
    std::fs::write(&runner, NODE_RUNNER).map_err(|e| e.to_string())?;
    let node_out = work.join("format-node.json");
    run(
        Command::new("node")
            .arg(&runner)
            .arg(&input_path)
            .arg(&node_out)
            .current_dir(npm_project),
        "the npm kit's format checks",
    )?;
    let script = work.join("format_fuzz.py");
    std::fs::write(&script, PYTHON_RUNNER).map_err(|e| e.to_string())?;
    let python_out = work.join("format-python.json");
    run(
        Command::new(python)
            .arg(&script)
            .arg(&input_path)
            .arg(&python_out)
            .current_dir(work),
        "the Python kit's format checks",
    )?;
    let read = |path: &Path| -> Result<Value, String> {
        serde_json::from_slice(&std::fs::read(path).map_err(|e| e.to_string())?).map_err(|e| e.to_string())
    };
    let (node, py) = (read(&node_out)?, read(&python_out)?);
    let mut findings = Findings {
        lines: Vec::new(),
        disagreements: 0,
    };
    let mut sample = serde_json::Map::new();
    let mut summaries = Vec::new();
    for (format, strings) in &all {
        let rust = rust_verdicts(format, strings)?;
        let bits = |v: &Value| -> Vec<bool> {
            v[*format]
                .as_str()
                .unwrap_or_default()
                .chars()
                .map(|c| c == '1')
                .collect()
        };
        let (js, python) = (bits(&node), bits(&py));
        if js.len() != strings.len() || python.len() != strings.len() {
            return Err(format!("{format}: a kit answered for too few strings"));
        }
        let mut shown = 0;
        let mut disagree = 0;
        for (i, s) in strings.iter().enumerate() {
            if rust[i] != js[i] || rust[i] != python[i] {
                disagree += 1;
                if shown < 25 {
                    shown += 1;
                    findings.lines.push(format!(
                        "  {format} {s:?}: Rust {}, npm {}, Python {}",
                        rust[i], js[i], python[i]
                    ));
                }
            }
        }
        findings.disagreements += disagree;
        let valid = rust.iter().filter(|v| **v).count();
        let mut line = String::new();
        let _ = write!(
            line,
            "{format}: {} strings ({valid} valid to Rust), {disagree} disagreement(s)",
            strings.len()
        );
        summaries.push(line);
        let step = (strings.len() / CATALOG_SAMPLE).max(1);
        let picked: Vec<Value> = strings
            .iter()
            .zip(&rust)
            .step_by(step)
            .map(|(s, v)| json!([s, v]))
            .collect();
        sample.insert((*format).to_owned(), Value::Array(picked));
    }
    summaries.append(&mut findings.lines);
    findings.lines = summaries;
    std::fs::write(
        work.join("catalog-formats.json"),
        serde_json::to_vec(&Value::Object(sample)).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    Ok(findings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_strings_are_the_same_for_a_seed_and_reach_every_part() {
        assert_eq!(strings(7, 50), strings(7, 50));
        assert_ne!(strings(7, 50), strings(8, 50));
        let all = strings(DEFAULT_SEED, 5_000);
        let emails = &all[1].1;
        for part in ["xn--", "<", "[IPv6:", "\""] {
            assert!(emails.iter().any(|e| e.contains(part)), "{part}");
        }
        assert!(all[0].1.iter().any(|d| d.contains(":60")), "leap seconds");
        let rust = rust_verdicts("date-time", &all[0].1).unwrap();
        let valid = rust.iter().filter(|v| **v).count();
        assert!(
            valid > 500 && valid < 4_500,
            "a mix of valid and invalid: {valid}"
        );
        let rust = rust_verdicts("email", emails).unwrap();
        let valid = rust.iter().filter(|v| **v).count();
        assert!(
            valid > 500 && valid < 4_500,
            "a mix of valid and invalid: {valid}"
        );
    }
}
