//! `cargo xtask interop`: proves that other ecosystems read the exported files
//! the way the Rust validator does.
//!
//! 1. ajv (2020 + ajv-formats) and python-jsonschema (Draft202012Validator,
//!    formats checked) give the Rust verdict on every fixture, valid and invalid,
//!    lenient and strict, per event and through the union.
//! 2. The TypeScript declarations compile under `tsc --strict`, and every valid
//!    fixture type-checks as its event's interface.
//! 3. The pydantic v2 models the export ships (made by datamodel-code-generator)
//!    load every valid fixture.
//! 4. `openapi.json` passes openapi-spec-validator and names every event.
//! 5. The npm and Python receiving kits and the event catalog (`kit_tests`).

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use kit_webhooks::{EventType, Mode, Parser};
use serde_json::{json, Value};

use crate::tools::{self, node_script, python_script, run};
use crate::{export, option};

/// One fixture with the verdicts every tool must reach.
struct Case {
    name: String,
    document: Value,
    /// The event schema to check it against, when its `event` is known.
    event: Option<EventType>,
    lenient: bool,
    strict: bool,
    /// Whether the generated TypeScript and pydantic types must hold it: a
    /// valid fixture, or one that lenient mode accepts and strict mode
    /// refuses only for values Kit may add to a documented list.
    typed: bool,
}

fn cases() -> Result<Vec<Case>, String> {
    let mut out = Vec::new();
    for dir in ["valid", "invalid"] {
        let files = tools::fixtures(dir)?;
        for file in files {
            let body = std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?;
            let document: Value =
                serde_json::from_slice(&body).map_err(|e| format!("{}: {e}", file.display()))?;
            let name = format!("{dir}/{}", file.file_name().unwrap_or_default().to_string_lossy());
            let lenient = Parser::new().validate(&body).is_ok();
            let strict = Parser::new().mode(Mode::Strict).validate(&body);
            let undocumented_values = strict.as_ref().err().is_some_and(|e| {
                !e.violations().is_empty() && e.violations().iter().all(|v| v.keyword == "enum")
            });
            let event = document
                .get("event")
                .and_then(Value::as_str)
                .and_then(EventType::from_name);
            out.push(Case {
                event,
                typed: event.is_some() && lenient && (strict.is_ok() || undocumented_values),
                lenient,
                strict: strict.is_ok(),
                name,
                document,
            });
        }
    }
    Ok(out)
}

pub fn main(args: &[String]) -> Result<(), String> {
    let work = tools::scratch().join("interop");
    let _ = std::fs::remove_dir_all(&work);
    std::fs::create_dir_all(&work).map_err(|e| e.to_string())?;
    let dist = match option(args, "--dir") {
        // Absolute: npm reads a bare relative name as a registry package.
        Some(dir) => std::fs::canonicalize(&dir).map_err(|e| format!("--dir {dir}: {e}"))?,
        None => {
            let dir = work.join("export");
            export::main(&["--out".into(), tools::arg(&dir)])?;
            dir
        }
    };
    let cases = cases()?;
    let node = tools::node()?;
    let python = tools::python()?;

    let input = json!(cases
        .iter()
        .map(|c| json!({
            "name": c.name,
            "document": c.document,
            "event": c.event.map(|e| e.as_str()),
            "typed": c.typed,
        }))
        .collect::<Vec<_>>());
    let cases_file = work.join("cases.json");
    std::fs::write(
        &cases_file,
        serde_json::to_vec(&input).map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;

    let mut failures = Vec::new();
    let mut checked = 0usize;

    // 1. Validators.
    let out = run(
        node_script(&work, "ajv.js", AJV)?.arg(&dist).arg(&cases_file),
        "ajv",
    )?;
    checked += compare("ajv", &out, &cases, &mut failures)?;
    let out = run(
        python_script(&work, "pyjsonschema.py", PY_JSONSCHEMA)?
            .arg(&dist)
            .arg(&cases_file),
        "python-jsonschema",
    )?;
    checked += compare("python-jsonschema", &out, &cases, &mut failures)?;

    // 2. TypeScript.
    let ts = work.join("fixtures.ts");
    std::fs::write(&ts, typescript_fixtures(&dist, &cases)).map_err(|e| e.to_string())?;
    let tsc = node.join("node_modules/typescript/bin/tsc");
    match run(
        Command::new("node")
            .arg(&tsc)
            .args([
                "--strict",
                "--noEmit",
                "--skipLibCheck",
                "false",
                "--target",
                "es2020",
                "--module",
                "commonjs",
            ])
            .arg(&ts),
        "tsc --strict",
    ) {
        Ok(_) => println!(
            "tsc --strict: types/index.d.ts compiles and every valid fixture, undocumented values included, type-checks as its event"
        ),
        Err(e) => failures.push(format!("tsc: {e}")),
    }

    // 3. The pydantic v2 models the export ships (datamodel-code-generator's, from kits.rs).
    match python_script(&work, "pydantic_load.py", PYDANTIC)
        .and_then(|mut c| run(c.arg(dist.join("python")).arg(&cases_file), "pydantic"))
    {
        Ok(out) => {
            for line in out.lines().filter(|l| l.starts_with("FAIL")) {
                failures.push(format!("pydantic: {line}"));
            }
            println!(
                "pydantic v2 (datamodel-code-generator): {}",
                out.lines().last().unwrap_or_default()
            );
        }
        Err(e) => failures.push(format!("pydantic: {e}")),
    }

    // 4. OpenAPI.
    let validator = python.parent().expect("venv/bin").join("openapi-spec-validator");
    match run(
        Command::new(&validator).arg(dist.join("openapi.json")),
        "openapi-spec-validator",
    ) {
        Ok(_) => {
            let openapi: Value =
                serde_json::from_slice(&std::fs::read(dist.join("openapi.json")).map_err(|e| e.to_string())?)
                    .map_err(|e| e.to_string())?;
            let named = openapi["webhooks"].as_object().map_or(0, |w| w.len());
            if named == EventType::ALL.len() {
                println!("openapi-spec-validator: openapi.json is valid OpenAPI 3.1 with {named} webhooks");
            } else {
                failures.push(format!(
                    "openapi.json names {named} webhooks, not {}",
                    EventType::ALL.len()
                ));
            }
        }
        Err(e) => failures.push(format!("openapi-spec-validator: {e}")),
    }

    // 5. The kits, as their users install them, and the event catalog.
    crate::kit_tests::run_all(&dist, &work, args, &mut failures)?;

    if failures.is_empty() {
        println!("interop: {checked} verdicts from ajv and python-jsonschema agree with the Rust validator on {} fixtures", cases.len());
        Ok(())
    } else {
        Err(format!(
            "interop found {} disagreement(s):\n  {}",
            failures.len(),
            failures.join("\n  ")
        ))
    }
}

/// Compares a tool's verdict lines (`name\tschema\tmode\tvalid`) with ours.
fn compare(tool: &str, out: &str, cases: &[Case], failures: &mut Vec<String>) -> Result<usize, String> {
    let by_name: BTreeMap<&str, &Case> = cases.iter().map(|c| (c.name.as_str(), c)).collect();
    let mut seen = 0;
    for line in out.lines() {
        let parts: Vec<&str> = line.split('\t').collect();
        let [name, schema, mode, verdict] = parts[..] else {
            return Err(format!("{tool}: unexpected output line {line:?}"));
        };
        let case = by_name
            .get(name)
            .ok_or_else(|| format!("{tool}: unknown fixture {name}"))?;
        let ours = if mode == "strict" {
            case.strict
        } else {
            case.lenient
        };
        let theirs = verdict == "valid";
        seen += 1;
        if ours != theirs {
            failures.push(format!(
                "{tool}: {name} against {schema} ({mode}): {tool} says {}, the Rust validator says {}",
                if theirs { "valid" } else { "invalid" },
                if ours { "valid" } else { "invalid" },
            ));
        }
    }
    let expected: usize = cases.iter().map(|c| if c.event.is_some() { 4 } else { 2 }).sum();
    if seen != expected {
        return Err(format!("{tool}: {seen} verdicts, expected {expected}"));
    }
    println!("{tool}: {seen} verdicts");
    Ok(seen)
}

fn typescript_fixtures(dist: &Path, cases: &[Case]) -> String {
    let mut out = format!(
        "import type * as Kit from {:?};\n\n",
        dist.join("types/index").display().to_string()
    );
    let mut names = Vec::new();
    for (i, case) in cases.iter().enumerate().filter(|(_, c)| c.typed) {
        let Some(event) = case.event else { continue };
        let title = kit_webhooks::schema::files(Mode::Lenient)
            .into_iter()
            .find(|f| f.path == format!("events/{event}.json"))
            .and_then(|f| serde_json::from_str::<Value>(f.text).ok())
            .and_then(|s| s["title"].as_str().map(str::to_owned))
            .unwrap_or_default();
        let _ = writeln!(
            out,
            "// {}\nconst f{i}: Kit.{title} = {};\n",
            case.name, case.document
        );
        names.push(format!("f{i}"));
    }
    let _ = writeln!(
        out,
        "export const all: Kit.KitWebhookDelivery[] = [{}];",
        names.join(", ")
    );
    out
}

const AJV: &str = include_str!("../kits/interop/ajv.js");

const PY_JSONSCHEMA: &str = include_str!("../kits/interop/py_jsonschema.py");

const PYDANTIC: &str = include_str!("../kits/interop/pydantic_check.py");
