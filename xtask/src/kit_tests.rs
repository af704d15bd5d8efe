//! The receiving kits, tested as their users get them (part of `cargo xtask
//! interop`):
//!
//! 1. npm: `npm pack` of the export, installed into a fresh project with
//!    express; `node --test` runs `xtask/kits/npm/kit.test.js` there, the
//!    README's Express quickstart included.
//! 2. Python: a wheel built from the export's `python/`, installed into a
//!    fresh virtual environment with pytest and Flask; pytest runs
//!    `xtask/kits/python/test_kit.py`, the README's Flask quickstart included.
//! 3. The event catalog in headless Chromium (`xtask/kits/site/catalog.test.js`).
//!
//! The judges: the signature vectors (made with Python's hmac) and the Rust
//! validator's verdicts on the cases of `kit_cases` (`kit-cases.json`).

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::kit_cases::{cases, DRIFT_EVENTS, EMAILS, GENERATED, HOSTILE, TIMESTAMPS};
use crate::tools::{self, node_script, run};
use crate::{format_fuzz, option, root};

const NODE_TEST: &str = include_str!("../kits/npm/kit.test.js");
const CONSUMER_TS: &str = include_str!("../kits/npm/consumer.ts");
const CONSUMER_MTS: &str = include_str!("../kits/npm/consumer.mts");
const ESM_TEST: &str = include_str!("../kits/npm/esm.test.mjs");
const PYTHON_TEST: &str = include_str!("../kits/python/test_kit.py");
const CATALOG_TEST: &str = include_str!("../kits/site/catalog.test.js");

/// Installed beside the kits in their fresh environments, for the tests and
/// the quickstarts.
const EXPRESS: &str = "express@5.3.0";
const PYTEST: &[&str] = &["pytest==9.2.0", "flask==3.1.3"];

/// The code block under `<!-- quickstart: NAME -->` in README.md.
fn quickstart(name: &str) -> Result<String, String> {
    let readme = std::fs::read_to_string(root().join("README.md")).map_err(|e| e.to_string())?;
    let marker = format!("<!-- quickstart: {name} -->");
    let after = readme
        .split_once(&marker)
        .ok_or_else(|| format!("README.md has no {marker}"))?
        .1;
    let fence = after.find("```").ok_or("no code block after the marker")?;
    let code = &after[fence..];
    let start = code.find('\n').ok_or("an unterminated code block")? + 1;
    let end = code[start..].find("\n```").ok_or("an unterminated code block")? + start;
    Ok(format!("{}\n", &code[start..end]))
}

pub fn run_all(dist: &Path, work: &Path, args: &[String], failures: &mut Vec<String>) -> Result<(), String> {
    let (cases, count) = cases(work)?;
    match npm(dist, work, &cases) {
        Ok(summary) => println!("npm kit (packed, installed in a fresh project): {summary}"),
        Err(e) => failures.push(format!("npm kit: {e}")),
    }
    match python(dist, work, &cases) {
        Ok(summary) => println!("python kit (wheel, fresh venv): {summary}"),
        Err(e) => failures.push(format!("python kit: {e}")),
    }
    let seed = match option(args, "--seed") {
        Some(seed) => seed.parse().map_err(|e| format!("--seed {seed}: {e}"))?,
        None => format_fuzz::DEFAULT_SEED,
    };
    let per_format = match option(args, "--format-strings") {
        Some(n) => n.parse().map_err(|e| format!("--format-strings {n}: {e}"))?,
        None => format_fuzz::PER_FORMAT,
    };
    match format_fuzz::run_kits(
        work,
        &work.join("npm-project"),
        &work.join("kit-venv/bin/python"),
        seed,
        per_format,
    ) {
        Ok(found) => {
            println!(
                "format fuzzer (seed {seed}), each string through Rust, the npm kit and the Python kit:"
            );
            for line in &found.lines {
                println!("  {line}");
            }
            if found.disagreements > 0 {
                failures.push(format!(
                    "format fuzzer: {} string(s) on which a kit disagrees with Rust (seed {seed})",
                    found.disagreements
                ));
            }
        }
        Err(e) => failures.push(format!("format fuzzer: {e}")),
    }
    let screenshot = option(args, "--screenshot").map(PathBuf::from);
    match catalog(dist, work, &cases, screenshot.as_deref()) {
        Ok(summary) => println!("{summary}"),
        Err(e) => failures.push(format!("catalog: {e}")),
    }
    let generated: usize = GENERATED.iter().sum();
    let drift = DRIFT_EVENTS + 1;
    let made = HOSTILE.len() + 9 + EMAILS.len() + TIMESTAMPS.len() + generated + drift;
    println!(
        "kits: {count} cases ({} fixtures, {} hostile bodies, {} emails, {} timestamps, {generated} generated from the schemas, {drift} for drift) judged by the Rust validator",
        count - made,
        HOSTILE.len() + 9,
        EMAILS.len(),
        TIMESTAMPS.len()
    );
    Ok(())
}

fn npm(dist: &Path, work: &Path, cases: &Path) -> Result<String, String> {
    let packed = run(
        Command::new("npm")
            .args(["pack", "--silent", "--pack-destination"])
            .arg(work)
            .arg(dist),
        "npm pack",
    )?;
    let tarball = work.join(packed.trim().lines().last().unwrap_or_default());
    let project = work.join("npm-project");
    std::fs::create_dir_all(&project).map_err(|e| e.to_string())?;
    std::fs::write(
        project.join("package.json"),
        "{\"name\": \"kit-consumer\", \"private\": true}\n",
    )
    .map_err(|e| e.to_string())?;
    tools::npm_install(&project, &[tarball.as_os_str(), EXPRESS.as_ref()])?;
    let test = project.join("kit.test.js");
    std::fs::write(&test, NODE_TEST).map_err(|e| e.to_string())?;
    let esm_test = project.join("esm.test.mjs");
    std::fs::write(&esm_test, ESM_TEST).map_err(|e| e.to_string())?;
    let quick = project.join("quickstart.js");
    std::fs::write(&quick, quickstart("express")?).map_err(|e| e.to_string())?;
    let out = run(
        Command::new("node")
            .args(["--test", "--test-reporter=spec"])
            .arg(&test)
            .arg(&esm_test)
            .env("KIT_CASES", cases)
            .env("KIT_QUICKSTART", &quick)
            .current_dir(&project),
        "node --test",
    )?;
    // The declarations, as a TypeScript receiver uses them.
    std::fs::write(project.join("consumer.ts"), CONSUMER_TS).map_err(|e| e.to_string())?;
    let tsc = tools::node()?.join("node_modules/typescript/bin/tsc");
    run(
        Command::new("node")
            .arg(&tsc)
            .args([
                "--strict",
                "--noEmit",
                "--target",
                "es2022",
                "--module",
                "commonjs",
                "--moduleResolution",
                "node",
            ])
            .args(["--lib", "es2022,dom", "consumer.ts"])
            .current_dir(&project),
        "tsc --strict on a consumer of the installed package",
    )?;
    // From an ES module: compiled for Node's own resolution and run, and
    // compiled for a bundler's.
    std::fs::write(project.join("consumer.mts"), CONSUMER_MTS).map_err(|e| e.to_string())?;
    run(
        Command::new("node")
            .arg(&tsc)
            .args([
                "--strict",
                "--target",
                "es2022",
                "--module",
                "nodenext",
                "--moduleResolution",
                "nodenext",
            ])
            .args(["--lib", "es2022,dom", "--outDir", "esm-out", "consumer.mts"])
            .current_dir(&project),
        "tsc --module nodenext on an ES module consumer",
    )?;
    let esm = run(
        Command::new("node")
            .arg("esm-out/consumer.mjs")
            .current_dir(&project),
        "the ES module consumer, compiled by tsc, run by node",
    )?;
    run(
        Command::new("node")
            .arg(&tsc)
            .args([
                "--strict",
                "--noEmit",
                "--target",
                "es2022",
                "--module",
                "esnext",
                "--moduleResolution",
                "bundler",
            ])
            .args(["--lib", "es2022,dom", "consumer.mts"])
            .current_dir(&project),
        "tsc --moduleResolution bundler on an ES module consumer",
    )?;
    let count = |key: &str| {
        out.lines()
            .find_map(|l| l.strip_prefix(&format!("ℹ {key} ")).map(|n| n.trim().to_owned()))
            .unwrap_or_else(|| "?".into())
    };
    Ok(format!(
        "{} tests passed, {} failed (CommonJS and ES module); its declarations compile in TypeScript consumers (tsc --strict: commonjs, nodenext, bundler); {}",
        count("pass"),
        count("fail"),
        esm.trim()
    ))
}

fn python(dist: &Path, work: &Path, cases: &Path) -> Result<String, String> {
    let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    // Build from a copy, so that the export is left as it was whatever the backend does.
    let source = work.join("python-source");
    tools::copy_dir(&dist.join("python"), &source)?;
    let wheels = work.join("wheels");
    run(
        Command::new(&system)
            .args([
                "-m",
                "pip",
                "wheel",
                "--quiet",
                "--disable-pip-version-check",
                "--no-deps",
                "--wheel-dir",
            ])
            .arg(&wheels)
            .arg(&source),
        "pip wheel",
    )?;
    let wheel = std::fs::read_dir(&wheels)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .find(|p| p.extension().is_some_and(|e| e == "whl"))
        .ok_or("pip wheel made no wheel")?;
    let venv = work.join("kit-venv");
    run(
        Command::new(&system).args(["-m", "venv", "--clear"]).arg(&venv),
        "python3 -m venv",
    )?;
    let python = venv.join("bin/python");
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .arg(&wheel)
            .args(PYTEST),
        "pip install of the wheel, pytest and flask",
    )?;
    let tests = work.join("pytest");
    std::fs::create_dir_all(&tests).map_err(|e| e.to_string())?;
    std::fs::write(tests.join("test_kit.py"), PYTHON_TEST).map_err(|e| e.to_string())?;
    let quick = tests.join("flask_quickstart.py");
    std::fs::write(&quick, quickstart("flask")?).map_err(|e| e.to_string())?;
    let out = run(
        Command::new(&python)
            .args(["-m", "pytest", "-q", "-p", "no:cacheprovider", "test_kit.py"])
            .env("KIT_CASES", cases)
            .env("KIT_VECTORS", dist.join("signature-vectors.json"))
            .env("KIT_QUICKSTART", &quick)
            .current_dir(&tests),
        "pytest",
    )?;
    // The doctests of the installed module, too.
    run(
        Command::new(&python)
            .args([
                "-m",
                "pytest",
                "-q",
                "-p",
                "no:cacheprovider",
                "--doctest-modules",
                "--pyargs",
                "kit_webhooks",
            ])
            .current_dir(&tests),
        "pytest --doctest-modules kit_webhooks",
    )?;
    Ok(out
        .lines()
        .rev()
        .find(|l| !l.trim().is_empty())
        .unwrap_or_default()
        .to_owned())
}

fn catalog(dist: &Path, work: &Path, cases: &Path, screenshot: Option<&Path>) -> Result<String, String> {
    let mut command = node_script(work, "catalog.test.js", CATALOG_TEST)?;
    command.arg(dist.join("site/index.html")).arg(cases);
    let sample = work.join("catalog-formats.json");
    if sample.exists() {
        command.env("KIT_FORMAT_SAMPLE", sample);
    }
    if let Some(path) = screenshot {
        command.arg(path);
    }
    let out = run(&mut command, "the catalog in headless Chromium")?;
    Ok(out.trim().to_owned())
}
