//! `kit-webhooks replay`: quarantined deliveries now valid move to `--out`
//! in the line format of `listen`, the rest stay; idempotent; and after a
//! SIGKILL at any moment and a second run, every delivery is in exactly one
//! of the two files. The expected lines are computed here from the bodies,
//! and keys with sha2, not by the command's own code.
#![cfg(feature = "cli")]

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::Instant;

use base64::Engine as _;
use serde_json::{json, Value};
use sha2::{Digest, Sha256};

mod support;
use support::http::{delivery, signal};

fn replay(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .arg("replay")
        .args(args)
        .output()
        .unwrap()
}

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kit-webhooks-replay-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A quarantine record as `listen` writes it.
fn record(body: &[u8]) -> String {
    let mut record = json!({
        "received_at": "2025-01-15T14:30:01Z",
        "delivery_key": "sha256:unused",
        "error": "invalid",
        "errors": [],
    });
    match std::str::from_utf8(body) {
        Ok(text) => record["body"] = json!(text),
        Err(_) => record["body_base64"] = json!(base64::engine::general_purpose::STANDARD.encode(body)),
    }
    record.to_string()
}

/// The line `listen --out` holds for a body: line breaks become spaces.
fn out_line(body: &[u8]) -> Vec<u8> {
    body.iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
        .collect()
}

fn key(line: &[u8]) -> [u8; 32] {
    Sha256::digest(line).into()
}

fn lines(path: &Path) -> Vec<Vec<u8>> {
    let text = std::fs::read(path).unwrap_or_default();
    text.split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

/// The body of a quarantine line, read with serde_json and base64.
fn body_of(record: &[u8]) -> Vec<u8> {
    let record: Value = serde_json::from_slice(record).unwrap();
    match record.get("body") {
        Some(body) => body.as_str().unwrap().as_bytes().to_vec(),
        None => base64::engine::general_purpose::STANDARD
            .decode(record["body_base64"].as_str().unwrap())
            .unwrap(),
    }
}

fn with_status(body: &[u8], status: &str) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(body).unwrap();
    value["data"]["status"] = json!(status);
    serde_json::to_vec_pretty(&value).unwrap()
}

#[test]
fn valid_deliveries_move_the_rest_stay_and_a_second_run_moves_nothing() {
    let dir = scratch("named");
    let quarantine = dir.join("q.jsonl");
    let out = dir.join("out.jsonl");
    // Valid in lenient mode (a field added), written over several lines: moves.
    let lenient = with_status(&delivery(1), "shortlisted");
    // Valid, and already in --out: moves without a second copy.
    let already = delivery(2);
    // Invalid in any mode: stays.
    let mut broken: Value = serde_json::from_slice(&delivery(3)).unwrap();
    broken["data"]["id"] = json!("three");
    let broken = serde_json::to_vec(&broken).unwrap();
    // Not UTF-8: stays, as base64.
    let mut binary = delivery(4);
    binary.push(0xff);
    let records = [&lenient, &already, &broken, &binary]
        .iter()
        .map(|b| record(b))
        .collect::<Vec<_>>()
        .join("\n");
    std::fs::write(&quarantine, format!("{records}\n{{\"no\": \"body\"}}\n")).unwrap();
    std::fs::write(&out, [out_line(&already), b"\n".to_vec()].concat()).unwrap();

    let args = [quarantine.to_str().unwrap(), "--out", out.to_str().unwrap()];
    // Strict first: the undocumented status stays.
    let strict = replay(&[&args[..], &["--strict", "--format", "json"]].concat());
    assert_eq!(strict.status.code(), Some(1));
    let summary: Value = serde_json::from_slice(&strict.stdout).unwrap();
    assert_eq!(summary["moved"], 1);
    assert_eq!(summary["already_kept"], 1);
    assert_eq!(summary["stayed"], 4);
    assert_eq!(summary["staying"][0]["line"], 1);
    assert_eq!(summary["staying"][0]["event"], "application.submitted");
    assert_eq!(summary["staying"][0]["error"]["keyword"], "additionalProperties");
    assert_eq!(summary["staying"][1]["error"]["instance_path"], "/data/id");
    assert_eq!(summary["staying"][3]["error"]["keyword"], "record");

    let lenient_run = replay(&args);
    assert_eq!(lenient_run.status.code(), Some(1));
    let text = String::from_utf8(lenient_run.stdout).unwrap();
    assert!(text.starts_with("1 moved to"), "{text}");
    assert!(text.contains("3 stay in"), "{text}");
    assert_eq!(lines(&out), vec![out_line(&already), out_line(&lenient)]);
    let staying = lines(&quarantine);
    assert_eq!(staying.len(), 3);
    assert_eq!(body_of(&staying[0]), broken);
    assert_eq!(body_of(&staying[1]), binary);
    assert!(!dir.join("q.jsonl.replay-tmp").exists());

    // Idempotent.
    let again = replay(&[&args[..], &["--format", "json"]].concat());
    let summary: Value = serde_json::from_slice(&again.stdout).unwrap();
    assert_eq!(summary["moved"], 0);
    assert_eq!(lines(&out).len(), 2);
    assert_eq!(lines(&quarantine), staying);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn with_schemas_the_proposal_decides_and_a_clean_quarantine_exits_zero() {
    let dir = scratch("schemas");
    let quarantine = dir.join("q.jsonl");
    let out = dir.join("out.jsonl");
    std::fs::copy(
        support::root().join("tests/fixtures/drift/kept.quarantine.jsonl"),
        &quarantine,
    )
    .unwrap();
    // The snapshot of a proposal documents what these records add.
    let proposal = dir.join("proposal");
    for sub in ["events", "common"] {
        std::fs::create_dir_all(proposal.join(sub)).unwrap();
        for from in [
            support::root().join("schemas"),
            support::root().join("tests/snapshots/proposal"),
        ] {
            for entry in std::fs::read_dir(from.join(sub)).unwrap() {
                let path = entry.unwrap().path();
                std::fs::copy(&path, proposal.join(sub).join(path.file_name().unwrap())).unwrap();
            }
        }
    }
    let output = replay(&[
        quarantine.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--strict",
        "--schemas",
        proposal.to_str().unwrap(),
    ]);
    assert_eq!(
        output.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&output.stdout)
    );
    assert_eq!(lines(&out).len(), 2);
    assert!(lines(&quarantine).is_empty());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn a_quarantine_another_process_holds_is_refused() {
    let dir = scratch("locked");
    let quarantine = dir.join("q.jsonl");
    std::fs::write(&quarantine, record(&delivery(1)) + "\n").unwrap();
    let held = std::fs::File::open(&quarantine).unwrap();
    held.try_lock().unwrap();
    let output = replay(&[
        quarantine.to_str().unwrap(),
        "--out",
        dir.join("out.jsonl").to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("another process holds"));
    drop(held);
    let output = replay(&[
        quarantine.to_str().unwrap(),
        "--out",
        quarantine.to_str().unwrap(),
    ]);
    assert_eq!(output.status.code(), Some(2));
    let _ = std::fs::remove_dir_all(&dir);
}

/// Every delivery of the original quarantine is in exactly one file, and
/// none twice in `--out`.
fn assert_exactly_once(bodies: &HashMap<[u8; 32], Vec<u8>>, quarantine: &Path, out: &Path) {
    let mut in_out = HashSet::new();
    let text = std::fs::read(out).unwrap_or_default();
    let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    for line in text[..complete].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        assert!(in_out.insert(key(line)), "a delivery twice in --out");
    }
    let mut in_quarantine = HashSet::new();
    for record in lines(quarantine) {
        in_quarantine.insert(key(&out_line(&body_of(&record))));
    }
    for (k, body) in bodies {
        let places = usize::from(in_out.contains(k)) + usize::from(in_quarantine.contains(k));
        assert_eq!(
            places,
            1,
            "{} is in {places} files",
            String::from_utf8_lossy(body)
        );
    }
    assert_eq!(in_out.len() + in_quarantine.len(), bodies.len());
}

#[test]
fn a_sigkill_at_any_moment_loses_and_doubles_nothing() {
    let dir = scratch("crash");
    let quarantine = dir.join("q.jsonl");
    let out = dir.join("out.jsonl");
    // A large quarantine: two in three deliveries valid (they move).
    let mut bodies = HashMap::new();
    let mut text = String::new();
    for id in 0..30_000 {
        let mut body = delivery(id);
        if id % 3 == 0 {
            let mut value: Value = serde_json::from_slice(&body).unwrap();
            value["data"]["id"] = json!(format!("id-{id}"));
            body = serde_json::to_vec(&value).unwrap();
        }
        bodies.insert(key(&out_line(&body)), body.clone());
        text.push_str(&record(&body));
        text.push('\n');
    }
    let original = text.into_bytes();
    let args = [quarantine.to_str().unwrap(), "--out", out.to_str().unwrap()];

    // How long a whole run takes here, to kill within it.
    std::fs::write(&quarantine, &original).unwrap();
    let started = Instant::now();
    assert_eq!(replay(&args).status.code(), Some(1));
    let whole = started.elapsed();
    assert_exactly_once(&bodies, &quarantine, &out);

    let mut kills = 0;
    for step in 1..=4u32 {
        std::fs::write(&quarantine, &original).unwrap();
        let _ = std::fs::remove_file(&out);
        // Kill it up to three times in a row at different moments, then let it finish.
        for round in 0..3u32 {
            let mut child = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
                .arg("replay")
                .args(args)
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()
                .unwrap();
            std::thread::sleep(whole * (step + round * 4) / 14);
            let done = child.try_wait().unwrap().is_some();
            signal(&child, "KILL");
            child.wait().unwrap();
            if !done {
                kills += 1;
            }
        }
        let finish = replay(&args);
        assert_eq!(finish.status.code(), Some(1), "step {step}");
        assert_exactly_once(&bodies, &quarantine, &out);
        assert_eq!(lines(&out).len(), 20_000, "step {step}");
        let summary = String::from_utf8(finish.stdout).unwrap();
        assert!(summary.contains("10000 stay"), "{summary}");
    }
    // Most runs were killed before they ended (a run that ended first proves nothing).
    assert!(kills >= 6, "only {kills} of 12 runs were killed mid-run");
    let _ = std::fs::remove_dir_all(&dir);
}
