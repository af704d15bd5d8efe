//! `kit-webhooks drift`, `drift --propose`, `validate --schemas` and
//! `parse --schemas`, run as a user runs them, over a corpus whose drift is
//! known (`tests/fixtures/drift/`): listen `--out` lines, quarantine records
//! (`body` and `body_base64`) and a delivery written over several lines.
#![cfg(feature = "cli")]

use std::path::PathBuf;
use std::process::{Command, Output};

use serde_json::{json, Value};

mod support;

fn run(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap()
}

fn code(output: &Output) -> i32 {
    output.status.code().unwrap_or(-1)
}

const CORPUS: [&str; 3] = [
    "tests/fixtures/drift/kept.jsonl",
    "tests/fixtures/drift/kept.quarantine.jsonl",
    "tests/fixtures/drift/candidate.created.json",
];

fn report(extra: &[&str]) -> Value {
    let mut args = vec!["drift", "--format", "json"];
    args.extend_from_slice(extra);
    args.extend_from_slice(&CORPUS);
    let output = run(&args);
    assert_eq!(code(&output), 1, "{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

fn finding<'a>(report: &'a Value, kind: &str, event: &str, pointer: &str) -> &'a Value {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["kind"] == kind && f["event"] == event && f["pointer"] == pointer)
        .unwrap_or_else(|| panic!("no {kind} {event} {pointer} in {report:#}"))
}

/// A new empty directory of this test process.
fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kit-webhooks-drift-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    dir
}

#[test]
fn the_report_counts_every_form_of_input_and_each_finding() {
    let report = report(&[]);
    // 9 lines with a delivery in kept.jsonl (one of them invalid), 2
    // quarantine records, 1 delivery file; one line is not JSON.
    assert_eq!(report["deliveries"], 12);
    assert_eq!(report["invalid"], 1);
    assert_eq!(report["unreadable"], 1);
    // Every valid delivery but test.ping carries drift.
    assert_eq!(report["with_drift"], 10);
    assert_eq!(report["findings"].as_array().unwrap().len(), 9);

    let bonus = finding(&report, "field-added", "offer.accepted", "/data/bonus");
    assert_eq!(bonus["count"], 3);
    // By time, not by text: +02:00 makes the second line the earliest.
    assert_eq!(bonus["first_seen"], "2025-01-15T12:00:00+02:00");
    assert_eq!(bonus["last_seen"], "2025-01-17T10:00:00Z");
    assert_eq!(bonus["examples"].as_array().unwrap().len(), 3);
    assert_eq!(
        bonus["schema"],
        json!({
            "type": "object",
            "required": ["amount", "currency", "paid_at"],
            "properties": {
                "amount": {"type": "integer"},
                "currency": {"type": "string"},
                "paid_at": {"type": ["string", "null"], "format": "date-time"}
            }
        })
    );
    // Only the outermost added key is a finding.
    assert!(report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .all(|f| !f["pointer"].as_str().unwrap().starts_with("/data/bonus/")));

    let status = finding(&report, "value-added", "offer.accepted", "/data/status");
    assert_eq!(status["count"], 2);
    assert_eq!(status["examples"], json!(["rescinded"]));
    // From the quarantine record's `body`.
    let revised = finding(&report, "value-added", "offer.revised", "/data/status");
    assert_eq!(revised["first_seen"], "2025-01-14T00:00:00Z");

    // One line, one base64 quarantine record.
    let rescinded = finding(&report, "event-added", "offer.rescinded", "");
    assert_eq!(rescinded["count"], 2);
    assert_eq!(
        rescinded["schema"]["properties"]["reason"]["type"],
        json!(["string", "null"])
    );
    assert_eq!(
        rescinded["schema"]["properties"]["rescinded_by"]["properties"]["email"]["format"],
        "email"
    );
    // From the delivery written over several lines.
    let created = finding(&report, "event-added", "candidate.created", "");
    assert_eq!(
        created["schema"]["properties"]["tags"],
        json!({"type": "array", "items": {"type": "string"}})
    );

    let panel = finding(&report, "field-added", "interview.scheduled", "/data/panel");
    assert_eq!(panel["count"], 2);
    assert_eq!(
        panel["schema"]["items"]["required"],
        json!(["id", "name"]),
        "`lead` is in one item only"
    );
    let room = finding(&report, "field-added", "interview.scheduled", "/data/room");
    assert_eq!(room["schema"], json!({"type": "null"}));
    finding(
        &report,
        "field-added",
        "interview.scheduled",
        "/data/candidate/pronouns",
    );
    finding(&report, "field-added", "application.submitted", "/delivery_id");
}

#[test]
fn text_output_and_exit_status() {
    let output = run(&["drift", CORPUS[0]]);
    assert_eq!(code(&output), 1);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.starts_with("9 deliveries read, 7 with drift (1 invalid, 1 unreadable)"),
        "{text}"
    );
    assert!(
        text.contains("field-added offer.accepted /data/bonus: 3 deliveries"),
        "{text}"
    );

    let output = run(&[
        "drift",
        "tests/fixtures/valid/test.ping.json",
        "tests/fixtures/valid/offer.accepted.json",
    ]);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stdout));
    assert!(String::from_utf8(output.stdout)
        .unwrap()
        .starts_with("2 deliveries read, 0 with drift"));

    let output = run(&["drift", "tests/fixtures/drift/no-such-file.jsonl"]);
    assert_eq!(code(&output), 2);

    // Standard input, as JSON Lines.
    let output = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .args(["drift", "--format", "json", "-"])
        .stdin(std::fs::File::open(support::root().join(CORPUS[1])).unwrap())
        .output()
        .unwrap();
    assert_eq!(code(&output), 1);
    let report: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(report["deliveries"], 2);
}

#[test]
fn the_proposal_is_the_snapshot_safe_and_complete() {
    let dir = scratch("proposal");
    let mut args = vec!["drift", "--propose", dir.to_str().unwrap()];
    args.extend_from_slice(&CORPUS);
    assert_eq!(code(&run(&args)), 1);

    // The files it changes or adds are exactly the snapshot, which the
    // xtask test puts through every stage of the generator.
    let snapshot = support::root().join("tests/snapshots/proposal");
    let mut changed = Vec::new();
    for sub in ["events", "common"] {
        for entry in std::fs::read_dir(dir.join(sub)).unwrap() {
            let path = entry.unwrap().path();
            let rel = format!("{sub}/{}", path.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&path).unwrap();
            let original = std::fs::read_to_string(support::root().join("schemas").join(&rel)).ok();
            if original.as_deref() != Some(text.as_str()) {
                changed.push(rel.clone());
                let expected = snapshot.join(&rel);
                if std::env::var("EXPECTORATE").as_deref() == Ok("overwrite") {
                    std::fs::create_dir_all(expected.parent().unwrap()).unwrap();
                    std::fs::write(&expected, &text).unwrap();
                }
                assert_eq!(
                    std::fs::read_to_string(&expected).ok().as_deref(),
                    Some(text.as_str()),
                    "{rel} differs from the snapshot (bless with EXPECTORATE=overwrite)"
                );
            }
        }
    }
    changed.sort();
    assert_eq!(
        changed,
        [
            "common/candidate.json",
            "common/interview.json",
            "common/offer.json",
            "common/shared.json",
            "events/application.submitted.json",
            "events/candidate.created.json",
            "events/offer.rescinded.json"
        ]
    );
    let proposal: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("common/offer.json")).unwrap()).unwrap();
    let bonus = &proposal["$defs"]["OfferData"]["properties"]["bonus"];
    assert!(bonus["description"]
        .as_str()
        .unwrap()
        .contains("Observed in 3 deliveries"));
    assert!(bonus["description"]
        .as_str()
        .unwrap()
        .contains("not in Kit's reference"));
    assert!(!proposal["$defs"]["OfferData"]["required"]
        .as_array()
        .unwrap()
        .contains(&json!("bonus")));

    // Nothing breaks.
    let diff = run(&["diff", "schemas", dir.to_str().unwrap()]);
    assert_eq!(code(&diff), 0, "{}", String::from_utf8_lossy(&diff.stdout));

    // Every delivery read is strict-valid against the proposal; the
    // corpus's invalid and malformed lines stay what they were.
    let mut args = vec![
        "validate",
        "--strict",
        "--jsonl",
        "--format",
        "json",
        "--schemas",
        dir.to_str().unwrap(),
    ];
    args.push(CORPUS[0]);
    let output = run(&args);
    let verdicts: Vec<Value> = String::from_utf8(output.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let invalid: Vec<&Value> = verdicts.iter().filter(|v| v["valid"] == false).collect();
    assert_eq!(invalid.len(), 2, "{invalid:#?}");
    assert!(invalid
        .iter()
        .all(|v| v["source"] == format!("{}:4", CORPUS[0]) || v["source"] == format!("{}:6", CORPUS[0])));
    let output = run(&[
        "validate",
        "--strict",
        "--schemas",
        dir.to_str().unwrap(),
        CORPUS[2],
    ]);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stdout));
    for record in std::fs::read_to_string(support::root().join(CORPUS[1]))
        .unwrap()
        .lines()
    {
        let record: Value = serde_json::from_str(record).unwrap();
        let body = match record.get("body") {
            Some(body) => body.as_str().unwrap().as_bytes().to_vec(),
            None => {
                use base64::Engine as _;
                base64::engine::general_purpose::STANDARD
                    .decode(record["body_base64"].as_str().unwrap())
                    .unwrap()
            }
        };
        let file = dir.join("record.json");
        std::fs::write(&file, body).unwrap();
        let output = run(&[
            "validate",
            "--strict",
            "--schemas",
            dir.to_str().unwrap(),
            file.to_str().unwrap(),
        ]);
        assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stdout));
    }

    // Every documented fixture that was strict-valid stays so.
    for path in support::fixture_paths("valid") {
        let path = path.to_str().unwrap();
        let before = code(&run(&["validate", "--strict", path]));
        let after = code(&run(&[
            "validate",
            "--strict",
            "--schemas",
            dir.to_str().unwrap(),
            path,
        ]));
        assert!(before != 0 || after == 0, "{path}");
    }

    // Measured against the proposal, the corpus has no drift left.
    let mut args = vec!["drift", "--schemas", dir.to_str().unwrap()];
    args.extend_from_slice(&CORPUS);
    let output = run(&args);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stdout));

    // parse --schemas: validated by the proposal, decoded by this build's types.
    let output = run(&["parse", "--strict", "--schemas", dir.to_str().unwrap(), CORPUS[2]]);
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let parsed: Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(parsed["event"], "candidate.created");
    let output = run(&["parse", "--strict", CORPUS[2]]);
    assert_eq!(code(&output), 1);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn the_proposal_refuses_what_it_cannot_write() {
    // A directory that holds files.
    let output = run(&["drift", "--propose", "schemas", CORPUS[0]]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("not empty"));
    // A source in the export layout.
    let export = scratch("export");
    std::fs::create_dir_all(export.join("schemas")).unwrap();
    for &event in kit_webhooks::EventType::ALL {
        std::fs::write(
            export.join(format!("schemas/{event}.json")),
            event.bundled_schema(kit_webhooks::Mode::Lenient),
        )
        .unwrap();
    }
    let target = scratch("from-export");
    let output = run(&[
        "drift",
        "--schemas",
        export.to_str().unwrap(),
        "--propose",
        target.to_str().unwrap(),
        CORPUS[0],
    ]);
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("source layout"));
    assert!(!target.exists());
    // An export is a baseline all the same.
    let output = run(&["drift", "--schemas", export.to_str().unwrap(), CORPUS[0]]);
    assert_eq!(code(&output), 1);
    // A value the build script cannot name: proposed, with a warning.
    let corpus = scratch("unnamed");
    std::fs::create_dir_all(&corpus).unwrap();
    let mut delivery = support::read_json(&support::root().join("tests/fixtures/valid/offer.accepted.json"));
    delivery["data"]["status"] = json!("2nd_round");
    std::fs::write(corpus.join("d.json"), delivery.to_string()).unwrap();
    let target = corpus.join("proposal");
    let output = run(&[
        "drift",
        "--propose",
        target.to_str().unwrap(),
        corpus.join("d.json").to_str().unwrap(),
    ]);
    assert_eq!(code(&output), 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("\"2nd_round\" makes no Rust variant name"),
        "{stderr}"
    );
    let _ = std::fs::remove_dir_all(&corpus);
    // A directory that is not a schema set.
    let output = run(&["validate", "--schemas", "tests/fixtures/drift", CORPUS[2]]);
    assert_eq!(code(&output), 2);
    let _ = std::fs::remove_dir_all(&export);
}

/// The README's walkthrough, run as written (but `listen`, which the corpus
/// stands in for, and the release step, which edits this repository): each
/// command runs, nothing is a usage error, and the loop closes.
#[test]
fn the_readme_walkthrough_runs() {
    let readme = std::fs::read_to_string(support::root().join("README.md")).unwrap();
    let section = &readme[readme.find("## When Kit changes").unwrap()..];
    let block = &section[section.find("```sh\n").unwrap() + 6..];
    let block = &block[..block.find("```").unwrap()];
    let dir = scratch("walkthrough");
    std::fs::create_dir_all(&dir).unwrap();
    for link in ["tests", "schemas"] {
        std::os::unix::fs::symlink(support::root().join(link), dir.join(link)).unwrap();
    }
    std::fs::copy(
        support::root().join("tests/fixtures/drift/kept.quarantine.jsonl"),
        dir.join("kept.quarantine.jsonl"),
    )
    .unwrap();
    let bin = PathBuf::from(env!("CARGO_BIN_EXE_kit-webhooks"));
    let path = format!(
        "{}:{}",
        bin.parent().unwrap().display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let mut ran = Vec::new();
    for line in block
        .lines()
        .filter(|l| l.starts_with("kit-webhooks ") && !l.contains(" listen "))
    {
        let output = Command::new("sh")
            .args(["-c", line])
            .current_dir(&dir)
            .env("PATH", &path)
            .output()
            .unwrap();
        let status = code(&output);
        assert!(
            status == 0 || status == 1,
            "{line}: exit {status}\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        ran.push((line.split('#').next().unwrap().trim().to_owned(), status));
    }
    let status_of = |prefix: &str| {
        ran.iter()
            .find(|(line, _)| line.starts_with(prefix))
            .unwrap_or_else(|| panic!("no `{prefix}` in the walkthrough: {ran:?}"))
            .1
    };
    assert_eq!(status_of("kit-webhooks drift tests"), 1);
    assert_eq!(status_of("kit-webhooks diff schemas proposal"), 0);
    assert_eq!(status_of("kit-webhooks drift --schemas proposal"), 0);
    assert_eq!(status_of("kit-webhooks replay"), 0);
    assert_eq!(lines_in(&dir.join("kept.jsonl")), 2);
    assert_eq!(lines_in(&dir.join("kept.quarantine.jsonl")), 0);
    let _ = std::fs::remove_dir_all(&dir);
}

fn lines_in(path: &std::path::Path) -> usize {
    std::fs::read_to_string(path).unwrap_or_default().lines().count()
}
