//! `cargo xtask bench-compare [--count N]`: `kit-webhooks validate --jsonl
//! --format json` against equivalent Node (ajv 2020 + ajv-formats) and Python
//! (fastjsonschema) scripts on the exported union schema, over the same N
//! mixed deliveries (default 200,000), interleaved, median of three runs.

use std::path::Path;
use std::process::{Command, Stdio};
use std::time::Instant;

use crate::option;
use crate::tools::{self, run};

pub fn main(args: &[String]) -> Result<(), String> {
    let count: usize = option(args, "--count")
        .unwrap_or_else(|| "200000".into())
        .parse()
        .map_err(|_| "--count takes a number".to_owned())?;
    let work = tools::scratch().join("bench");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let cli = tools::release_cli()?;
    let schema = work.join("webhook.json");
    let union = run(Command::new(&cli).arg("schema"), "kit-webhooks schema")?;
    std::fs::write(&schema, union).map_err(|e| e.to_string())?;
    let input = work.join("deliveries.jsonl");
    let (valid_lines, total) = write_deliveries(&input, count)?;
    let mut runs: Vec<(&str, Command)> = Vec::new();
    let mut ours = Command::new(&cli);
    ours.args(["validate", "--jsonl", "--format", "json"]).arg(&input);
    runs.push(("kit-webhooks validate --jsonl (Rust)", ours));
    let mut node_cmd = tools::node_script(&work, "ajv-validate.js", AJV)?;
    node_cmd.arg(&schema).arg(&input);
    runs.push(("Node: ajv 2020 + ajv-formats", node_cmd));
    let mut py_cmd = tools::python_script(&work, "fastjsonschema-validate.py", FASTJSONSCHEMA)?;
    py_cmd.arg(&schema).arg(&input);
    runs.push(("Python: fastjsonschema", py_cmd));

    let mut times: Vec<Vec<f64>> = vec![Vec::new(); runs.len()];
    for round in 0..3 {
        for (i, (name, command)) in runs.iter_mut().enumerate() {
            let started = Instant::now();
            let output = command
                .stdout(Stdio::piped())
                .stderr(Stdio::piped())
                .output()
                .map_err(|e| format!("{name}: {e}"))?;
            let seconds = started.elapsed().as_secs_f64();
            if !matches!(output.status.code(), Some(0 | 1)) {
                return Err(format!(
                    "{name} failed: {}",
                    String::from_utf8_lossy(&output.stderr)
                ));
            }
            let lines = output
                .stdout
                .split(|&b| b == b'\n')
                .filter(|l| !l.is_empty())
                .count();
            let valid = count_valid(&output.stdout);
            if lines != total || valid != valid_lines {
                return Err(format!(
                    "{name}: {lines} reports ({valid} valid), expected {total} ({valid_lines} valid): the verdicts differ"
                ));
            }
            eprintln!("round {}: {name}: {seconds:.3} s", round + 1);
            times[i].push(seconds);
        }
    }
    let medians: Vec<f64> = times
        .iter_mut()
        .map(|t| {
            t.sort_by(f64::total_cmp);
            t[t.len() / 2]
        })
        .collect();
    println!("\n{total} deliveries ({valid_lines} valid), median of 3 interleaved runs, same verdicts from every tool:\n");
    println!("| tool | median wall time | deliveries/s | time / Rust |");
    println!("|---|---|---|---|");
    for ((name, _), median) in runs.iter().zip(&medians) {
        #[allow(clippy::cast_precision_loss)]
        let rate = total as f64 / median;
        println!(
            "| {name} | {median:.3} s | {rate:.0} | {:.2} x |",
            median / medians[0]
        );
    }
    Ok(())
}

fn count_valid(output: &[u8]) -> usize {
    output
        .split(|&b| b == b'\n')
        .filter(|l| serde_json::from_slice::<serde_json::Value>(l).is_ok_and(|v| v["valid"] == true))
        .count()
}

/// Cycles through every valid fixture and the invalid ones, compact, one per line.
fn write_deliveries(path: &Path, count: usize) -> Result<(usize, usize), String> {
    let mut lines = Vec::new();
    for dir in ["valid", "invalid"] {
        let files = tools::fixtures(dir)?;
        for file in files {
            let value: serde_json::Value =
                serde_json::from_slice(&std::fs::read(&file).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            // Deliveries whose verdict depends on the mode are left out: lenient only here.
            let text = serde_json::to_string(&value).map_err(|e| e.to_string())?;
            let valid = kit_webhooks::validate(text.as_bytes()).is_ok();
            lines.push((text, valid));
        }
    }
    let mut out = String::new();
    let mut valid = 0;
    for (text, ok) in lines.iter().cycle().take(count) {
        out.push_str(text);
        out.push('\n');
        valid += usize::from(*ok);
    }
    std::fs::write(path, out).map_err(|e| e.to_string())?;
    Ok((valid, count))
}

const AJV: &str = include_str!("../kits/bench/ajv.js");

const FASTJSONSCHEMA: &str = include_str!("../kits/bench/fastjsonschema.py");
