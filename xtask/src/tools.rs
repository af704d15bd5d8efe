//! Node and Python tools, installed from the npm and PyPI registries into a
//! scratch directory (`target/xtask-tools`), at pinned versions, once.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::root;

/// npm packages and their pinned versions.
pub const NPM: &[(&str, &str)] = &[
    ("ajv", "8.20.0"),
    ("ajv-formats", "3.0.1"),
    ("json-schema-to-typescript", "16.0.0"),
    ("typescript", "5.9.3"),
    ("esbuild", "0.28.2"),
    ("playwright-core", "1.65.1"),
];

/// PyPI packages and their pinned versions.
pub const PIP: &[(&str, &str)] = &[
    ("jsonschema", "4.26.0"),
    ("rfc3339-validator", "0.1.4"),
    ("fastjsonschema", "2.22.3"),
    ("datamodel-code-generator", "0.89.0"),
    ("pydantic", "2.14.4"),
    ("email-validator", "2.4.0"),
    ("openapi-spec-validator", "0.9.0"),
];

pub fn scratch() -> PathBuf {
    root().join("target/xtask-tools")
}

/// `from` copied to `to`, whatever `to` held before removed.
pub fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
    let _ = std::fs::remove_dir_all(to);
    std::fs::create_dir_all(to).map_err(|e| e.to_string())?;
    for entry in std::fs::read_dir(from).map_err(|e| format!("{}: {e}", from.display()))? {
        let path = entry.map_err(|e| e.to_string())?.path();
        let target = to.join(path.file_name().unwrap_or_default());
        if path.is_dir() {
            copy_dir(&path, &target)?;
        } else {
            std::fs::copy(&path, &target).map_err(|e| e.to_string())?;
        }
    }
    Ok(())
}

pub fn run(command: &mut Command, what: &str) -> Result<String, String> {
    let output = command
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("{what}: cannot start {:?}: {e}", command.get_program()))?;
    if !output.status.success() {
        return Err(format!(
            "{what} failed ({}):\n{}{}",
            output.status,
            String::from_utf8_lossy(&output.stdout),
            String::from_utf8_lossy(&output.stderr)
        ));
    }
    Ok(String::from_utf8_lossy(&output.stdout).into_owned())
}

fn pinned(list: &[(&str, &str)], sep: &str) -> Vec<String> {
    list.iter()
        .map(|(name, version)| format!("{name}{sep}{version}"))
        .collect()
}

/// Installs the npm tools (once) and returns their `node_modules` parent.
pub fn node() -> Result<PathBuf, String> {
    let dir = scratch().join("node");
    let marker = dir.join("installed.txt");
    let wanted = pinned(NPM, "@").join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) {
        return Ok(dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::fs::write(
        dir.join("package.json"),
        "{\"name\": \"xtask-tools\", \"private\": true}\n",
    )
    .map_err(|e| e.to_string())?;
    eprintln!(
        "xtask: installing {} into {}",
        pinned(NPM, "@").join(" "),
        dir.display()
    );
    npm_install(&dir, &pinned(NPM, "@"))?;
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(dir)
}

/// `npm install` of `packages` (names, versions or tarballs) into the project at `dir`.
pub fn npm_install<S: AsRef<std::ffi::OsStr>>(dir: &Path, packages: &[S]) -> Result<(), String> {
    run(
        Command::new("npm")
            .args([
                "install",
                "--no-audit",
                "--no-fund",
                "--loglevel=error",
                "--save-exact",
            ])
            .args(packages)
            .current_dir(dir),
        "npm install",
    )
    .map(drop)
}

/// Installs the Python tools (once) into a virtual environment and returns its `python`.
pub fn python() -> Result<PathBuf, String> {
    let venv = scratch().join("venv");
    let marker = venv.join("installed.txt");
    let python = venv.join("bin/python");
    let wanted = pinned(PIP, "==").join("\n");
    if std::fs::read_to_string(&marker).ok().as_deref() == Some(wanted.as_str()) && python.exists() {
        return Ok(python);
    }
    let system = std::env::var("PYTHON").unwrap_or_else(|_| "python3".into());
    eprintln!(
        "xtask: installing {} into {}",
        pinned(PIP, "==").join(" "),
        venv.display()
    );
    run(
        Command::new(&system).args(["-m", "venv", "--clear"]).arg(&venv),
        "python3 -m venv",
    )?;
    run(
        Command::new(&python)
            .args(["-m", "pip", "install", "--quiet", "--disable-pip-version-check"])
            .args(pinned(PIP, "==")),
        "pip install",
    )?;
    std::fs::write(&marker, wanted).map_err(|e| e.to_string())?;
    Ok(python)
}

/// The fixture files under `tests/fixtures/<dir>` (`valid` or `invalid`), sorted.
pub fn fixtures(dir: &str) -> Result<Vec<PathBuf>, String> {
    let path = root().join("tests/fixtures").join(dir);
    let mut files: Vec<PathBuf> = std::fs::read_dir(&path)
        .map_err(|e| format!("{}: {e}", path.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    Ok(files)
}

/// A `node` command that runs `source` (written to `work/name`), with the
/// pinned npm tools on `NODE_PATH`. Add the script's arguments.
pub fn node_script(work: &Path, name: &str, source: &str) -> Result<Command, String> {
    let modules = node()?.join("node_modules");
    let script = work.join(name);
    std::fs::write(&script, source).map_err(|e| format!("{}: {e}", script.display()))?;
    let mut command = Command::new("node");
    command.arg(script).env("NODE_PATH", modules);
    Ok(command)
}

/// A `python` command (from the tools' virtual environment) that runs
/// `source`, written to `work/name`. Add the script's arguments.
pub fn python_script(work: &Path, name: &str, source: &str) -> Result<Command, String> {
    let python = python()?;
    let script = work.join(name);
    std::fs::write(&script, source).map_err(|e| format!("{}: {e}", script.display()))?;
    let mut command = Command::new(python);
    command.arg(script);
    Ok(command)
}

/// The repository's files at `rev` (from `git archive`), unpacked once under `work/src-REV`.
pub fn source_at(rev: &str, work: &Path) -> Result<PathBuf, String> {
    let source = work.join(format!("src-{rev}"));
    if !source.join("Cargo.toml").exists() {
        std::fs::create_dir_all(&source).map_err(|e| e.to_string())?;
        let archive = work.join(format!("{rev}.tar"));
        run(
            Command::new("git")
                .args(["archive", "--format=tar", "-o"])
                .arg(&archive)
                .arg(rev)
                .current_dir(root()),
            "git archive",
        )?;
        run(
            Command::new("tar").arg("-xf").arg(&archive).current_dir(&source),
            "tar",
        )?;
    }
    Ok(source)
}

/// Builds the release `kit-webhooks` binary and returns its path.
pub fn release_cli() -> Result<PathBuf, String> {
    release_cli_in(&root(), &root().join("target"))
}

/// The release `kit-webhooks` binary of this tree, with the `nats` sink.
pub fn release_cli_with_nats() -> Result<PathBuf, String> {
    build_release_cli(&root(), &root().join("target/xtask-nats"), "cli,nats")
}

/// Builds the release `kit-webhooks` binary of the crate at `source` into `target`.
pub fn release_cli_in(source: &Path, target: &Path) -> Result<PathBuf, String> {
    build_release_cli(source, target, "cli")
}

fn build_release_cli(source: &Path, target: &Path, features: &str) -> Result<PathBuf, String> {
    eprintln!(
        "xtask: building the release kit-webhooks ({features}) in {}",
        source.display()
    );
    run(
        Command::new("cargo")
            .args([
                "build",
                "--release",
                "--quiet",
                "--features",
                features,
                "--bin",
                "kit-webhooks",
                "--target-dir",
            ])
            .arg(target)
            .current_dir(source),
        "cargo build --release",
    )?;
    Ok(target.join("release/kit-webhooks"))
}

/// `types/index.d.ts`, generated from the lenient union by json-schema-to-typescript.
pub fn typescript_declarations(files: &BTreeMap<String, Vec<u8>>) -> Result<Vec<u8>, String> {
    let work = scratch().join("json2ts");
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let input = work.join("webhook.json");
    std::fs::write(&input, &files["webhook.codegen.json"]).map_err(|e| e.to_string())?;
    let ts = run(
        node_script(&work, "json2ts.js", JSON2TS)?.arg(&input),
        "json-schema-to-typescript",
    )?;
    Ok(ts.into_bytes())
}

const JSON2TS: &str = r#"
const fs = require("fs");
const { compile } = require("json-schema-to-typescript");
const schema = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
compile(schema, "KitWebhookDelivery", {
  bannerComment: "/* @generated by `cargo xtask export` with json-schema-to-typescript from webhook.codegen.json. Do not edit. */",
  additionalProperties: false,
  unreachableDefinitions: true,
  strictIndexSignatures: true,
  declareExternallyReferenced: true,
  format: true,
  cwd: __dirname,
}).then((ts) => process.stdout.write(ts), (e) => { console.error(e); process.exit(1); });
"#;

/// A path for a command line.
pub fn arg(path: &Path) -> String {
    path.display().to_string()
}

/// The median of `values` (the mean of the middle two when there is an even
/// number), sorting them in place.
pub fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}
