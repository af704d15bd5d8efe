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
//! validator's verdicts, which this module writes for every fixture and for
//! bodies JSON parsers disagree on (`cases.json`).

use std::path::{Path, PathBuf};
use std::process::Command;

use base64::Engine as _;
use kit_webhooks::{Mode, Parser};
use serde_json::{json, Value};

use crate::tools::{self, node_script, run};
use crate::{format_fuzz, option, root};

/// The deliveries the property tests generate from the schemas, and their mutations.
#[path = "../../tests/support/generate.rs"]
#[allow(dead_code)]
mod generate;

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

/// Bodies on which JSON parsers differ from serde_json, with what each holds.
const HOSTILE: &[(&str, &[u8])] = &[
    (
        "duplicate-key",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{},"data":{}}"#,
    ),
    (
        "duplicate-nested-key",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"a":1,"a":2}}"#,
    ),
    (
        "not-utf-8",
        b"{\"event\":\"test.ping\",\"created_at\":\"2025-01-15T14:30:00Z\",\"data\":{\"x\":\"\xff\"}}",
    ),
    (
        "byte-order-mark",
        b"\xef\xbb\xbf{\"event\":\"test.ping\",\"created_at\":\"2025-01-15T14:30:00Z\",\"data\":{}}",
    ),
    (
        "lone-surrogate",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":"\ud800"}}"#,
    ),
    (
        "number-out-of-range",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":1e999}}"#,
    ),
    (
        "nan-literal",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":NaN}}"#,
    ),
    ("empty", b""),
    (
        "trailing-garbage",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}} x"#,
    ),
    (
        "escaped-key-repeat",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{},"d\u0061ta":{}}"#,
    ),
    (
        "surrogate-pair",
        br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"x":"\ud83d\ude00"}}"#,
    ),
    (
        "unknown-event",
        br#"{"event":"candidate.hired","created_at":"2025-01-15T14:30:00Z","data":{"id":1}}"#,
    ),
    (
        "leap-second",
        br#"{"event":"test.ping","created_at":"2016-12-31T23:59:60Z","data":{}}"#,
    ),
];

/// Emails and timestamps on which format checks differ (ajv-formats,
/// python-jsonschema and the Rust validator each have their own), set into
/// `valid/application.submitted` as the candidate's email and `submitted_at`.
const EMAILS: &[&str] = &[
    "jane@localhost",
    "Jane Smith <jane@example.com>",
    "<jane@example.com>",
    "jane..smith@example.com",
    ".jane@example.com",
    "\"jane smith\"@example.com",
    "\"\"@example.com",
    "jane@[127.0.0.1]",
    "jane@[IPv6:::1]",
    "jane@[300.0.0.1]",
    "jane@-example.com",
    "jan\u{e9}@example.com",
    "jane@ex\u{e4}mple.com",
    "jane@xn--exmple-cua.com",
    "jane@ab--cd.com",
    "jane@example.com.",
    "jane@example..com",
    "jane@",
    "@example.com",
    "a@b",
];
const TIMESTAMPS: &[&str] = &[
    "2025-01-15 14:30:00Z",
    "2025-01-15t14:30:00z",
    "2025-01-15T14:30:00.123456789+05:30",
    "2024-02-29T00:00:00Z",
    "2025-02-29T00:00:00Z",
    "2025-01-15T14:30:00.Z",
    "2025-01-15T14:30:00",
    "2016-12-31T23:59:60Z",
    "2016-12-31T22:59:60-01:00",
    "2016-12-31T23:58:60Z",
    "2025-01-15T14:30:00+24:00",
    "2025-01-15T24:00:00Z",
    "2025-1-15T14:30:00Z",
];

/// Generated deliveries renamed to an event the schemas do not know, for drift.
const DRIFT_EVENTS: usize = 40;

/// How many deliveries to generate from the schemas: documented values only,
/// with values Kit may add, and with one to three random changes.
const GENERATED: [usize; 3] = [300, 300, 600];

/// Deliveries generated from the schemas by the property tests' strategies,
/// with a fixed seed (the same cases on every run).
fn generated() -> Result<Vec<(String, Vec<u8>)>, String> {
    use proptest::prelude::any;
    use proptest::strategy::{Strategy, ValueTree};
    use proptest::test_runner::TestRunner;

    let schemas = |mode: Mode| -> Vec<(String, Value)> {
        kit_webhooks::EventType::ALL
            .iter()
            .map(|e| {
                (
                    e.to_string(),
                    serde_json::from_str(e.bundled_schema(mode)).expect("JSON"),
                )
            })
            .collect()
    };
    let mut runner = TestRunner::deterministic();
    let mut out = Vec::new();
    let encode = |doc: &Value| serde_json::to_vec(doc).map_err(|e| e.to_string());
    for (mode, label, count) in [
        (Mode::Strict, "documented", GENERATED[0]),
        (Mode::Lenient, "open", GENERATED[1]),
    ] {
        let strategy = generate::deliveries(schemas(mode));
        for i in 0..count {
            let (event, doc) = strategy
                .new_tree(&mut runner)
                .map_err(|e| e.to_string())?
                .current();
            out.push((format!("generated/{label}-{i}: {event}"), encode(&doc)?));
        }
    }
    let strategy = (
        generate::deliveries(schemas(Mode::Lenient)),
        proptest::collection::vec((any::<usize>(), generate::any_mutation()), 1..4),
    );
    for i in 0..GENERATED[2] {
        let ((event, mut doc), changes) = strategy
            .new_tree(&mut runner)
            .map_err(|e| e.to_string())?
            .current();
        for (pick, change) in &changes {
            generate::mutate(&mut doc, *pick, change);
        }
        out.push((format!("generated/changed-{i}: {event}"), encode(&doc)?));
    }
    Ok(out)
}

/// Writes the cases (every fixture, [`HOSTILE`], [`EMAILS`],
/// [`TIMESTAMPS`] and [`generated`] deliveries) with the Rust verdicts.
fn cases(work: &Path) -> Result<(PathBuf, usize), String> {
    let mut bodies: Vec<(String, Vec<u8>)> = Vec::new();
    for dir in ["valid", "invalid"] {
        for file in tools::fixtures(dir)? {
            let name = format!("{dir}/{}", file.file_name().unwrap_or_default().to_string_lossy());
            bodies.push((
                name,
                std::fs::read(&file).map_err(|e| format!("{}: {e}", file.display()))?,
            ));
        }
    }
    for (name, body) in HOSTILE {
        bodies.push((format!("hostile/{name}"), body.to_vec()));
    }
    // Integers as the crate reads them: written without a fraction or exponent.
    let submitted = r#"{"event":"application.submitted","created_at":"2025-01-15T14:30:00Z","data":{"id":ID,"candidate":{"id":7,"name":"Jane Smith","email":"jane@example.com"},"job_posting":{"id":3,"title":"Senior Engineer"},"current_stage":"Applied","submitted_at":"2025-01-15T14:30:00Z","rejected":false,"withdrawn":false,"offered":false,"note":NOTE}}"#;
    for (name, id, note) in [
        ("integer-42", "42", "1"),
        ("integer-written-42.0", "42.0", "1"),
        ("integer-written-4.2e1", "4.2e1", "1"),
        ("integer-written-minus-0", "-0", "1"),
        ("integer-0", "0", "1"),
        ("unknown-field-42.0", "42", "42.0"),
        ("unknown-field-minus-0", "42", "-0"),
    ] {
        let body = submitted.replace("ID", id).replace("NOTE", note);
        bodies.push((format!("hostile/{name}"), body.into_bytes()));
    }
    // Nesting: the root, `data`, then arrays, to 128 levels and one more.
    for levels in [128, 129] {
        let arrays = levels - 2;
        let body = format!(
            r#"{{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{{"x":{}{}}}}}"#,
            "[".repeat(arrays),
            "]".repeat(arrays)
        );
        bodies.push((format!("hostile/nested-{levels}-levels"), body.into_bytes()));
    }
    let base: Value = serde_json::from_slice(
        &std::fs::read(root().join("tests/fixtures/valid/application.submitted.json"))
            .map_err(|e| e.to_string())?,
    )
    .map_err(|e| e.to_string())?;
    for (i, email) in EMAILS.iter().enumerate() {
        let mut value = base.clone();
        value["data"]["candidate"]["email"] = (*email).into();
        bodies.push((
            format!("email/{i}: {email}"),
            serde_json::to_vec(&value).map_err(|e| e.to_string())?,
        ));
    }
    for (i, timestamp) in TIMESTAMPS.iter().enumerate() {
        let mut value = base.clone();
        value["data"]["submitted_at"] = (*timestamp).into();
        bodies.push((
            format!("date-time/{i}: {timestamp}"),
            serde_json::to_vec(&value).map_err(|e| e.to_string())?,
        ));
    }
    bodies.extend(generated()?);
    // Drift: events, fields (at every depth, keys that need escaping) and
    // values Kit added.
    let offer = std::fs::read_to_string(root().join("tests/fixtures/valid/offer.accepted.json"))
        .map_err(|e| e.to_string())?;
    let mut offer: Value = serde_json::from_str(&offer).map_err(|e| e.to_string())?;
    offer["data"]["status"] = "rescinded".into();
    offer["data"]["candidate"]["a/b~c"] = json!({"deep": [1, {"x": null}]});
    offer["extra"] = json!(true);
    bodies.push((
        "drift/offer-added-everywhere".into(),
        serde_json::to_vec(&offer).map_err(|e| e.to_string())?,
    ));
    let generated_drift = bodies
        .iter()
        .filter(|(name, _)| name.starts_with("generated/documented-"))
        .take(DRIFT_EVENTS)
        .enumerate()
        .filter_map(|(i, (_, body))| {
            let mut doc: Value = serde_json::from_slice(body).ok()?;
            doc["event"] = format!("kit.added_{i}").into();
            Some((format!("drift/event-added-{i}"), serde_json::to_vec(&doc).ok()?))
        })
        .collect::<Vec<_>>();
    bodies.extend(generated_drift);
    let lenient = Parser::new();
    let strict = Parser::new().mode(Mode::Strict);
    let cases: Vec<Value> = bodies
        .iter()
        .map(|(name, body)| {
            let text = std::str::from_utf8(body).ok();
            let lenient = lenient.validate(body);
            // JSON as Rust reads it: serde_json alone takes a repeated key.
            let json = !lenient
                .as_ref()
                .is_err_and(|e| e.to_violations().iter().any(|v| v.keyword == "json"));
            let parsed: Option<Value> = text.filter(|_| json).and_then(|t| {
                // As deep as the crate reads (serde_json alone stops at 128).
                let mut reader = serde_json::Deserializer::from_str(t);
                reader.disable_recursion_limit();
                serde::Deserialize::deserialize(&mut reader).ok()
            });
            let mut case = json!({
                "name": name,
                "body_base64": base64::engine::general_purpose::STANDARD.encode(body),
                "lenient": lenient.is_ok(),
                "strict": strict.validate(body).is_ok(),
                "event": parsed.as_ref().and_then(|v| v.get("event")).and_then(Value::as_str),
                "utf8": text.is_some(),
                "json": parsed.is_some(),
                // Numbers written with a fraction or an exponent (or -0),
                // which a parsed value in JavaScript no longer shows.
                "floats": parsed.as_ref().is_some_and(has_float),
            });
            if let Some(text) = text {
                case["body"] = text.into();
            }
            // The drift report every kit must give for a lenient-valid delivery.
            if let Ok((_, drift)) = Parser::new().parse_with_drift(body) {
                case["drift"] = serde_json::to_value(&drift).unwrap_or(Value::Null);
            }
            case
        })
        .collect();
    let path = work.join("kit-cases.json");
    std::fs::write(&path, serde_json::to_vec(&cases).map_err(|e| e.to_string())?)
        .map_err(|e| e.to_string())?;
    Ok((path, cases.len()))
}

fn has_float(value: &Value) -> bool {
    match value {
        Value::Number(n) => n.is_f64(),
        Value::Array(items) => items.iter().any(has_float),
        Value::Object(map) => map.values().any(has_float),
        _ => false,
    }
}

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
    copy_dir(&dist.join("python"), &source)?;
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

fn copy_dir(from: &Path, to: &Path) -> Result<(), String> {
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
