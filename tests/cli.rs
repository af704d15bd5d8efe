//! The `kit-webhooks` command line, run as a user would run it.
#![cfg(feature = "cli")]

use std::io::Write;
use std::process::{Command, Output, Stdio};

use serde_json::Value;

mod support;

fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .args(args)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let output = child.wait_with_output().unwrap();
    writer.join().unwrap();
    output
}

fn code(output: &Output) -> i32 {
    output.status.code().expect("exited, not killed")
}

fn stdout(output: &Output) -> String {
    String::from_utf8(output.stdout.clone()).unwrap()
}

/// The fixture files under `tests/fixtures/<dir>`, relative to the crate
/// root (the commands run there).
fn fixtures(dir: &str) -> Vec<String> {
    support::fixture_paths(dir)
        .into_iter()
        .map(|path| {
            format!(
                "tests/fixtures/{dir}/{}",
                path.file_name().unwrap().to_str().unwrap()
            )
        })
        .collect()
}

#[test]
fn validate_accepts_every_valid_fixture() {
    let files = fixtures("valid");
    let mut args = vec!["validate"];
    args.extend(files.iter().map(String::as_str));
    let output = run(&args, b"");
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    assert_eq!(
        stdout(&output).lines().count(),
        kit_webhooks::EventType::ALL.len()
    );
    assert!(stdout(&output).lines().all(|l| l.contains(": valid (")));
}

#[test]
fn validate_reports_json_per_delivery_in_order() {
    let output = run(
        &[
            "validate",
            "--format",
            "json",
            "tests/fixtures/valid/test.ping.json",
            "tests/fixtures/invalid/application.bad-email.json",
        ],
        b"",
    );
    assert_eq!(code(&output), 1);
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 2);
    assert_eq!(
        lines[0],
        serde_json::json!({"source": "tests/fixtures/valid/test.ping.json", "valid": true, "event": "test.ping", "errors": []})
    );
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["event"], "application.submitted");
    assert_eq!(lines[1]["errors"][0]["instance_path"], "/data/candidate/email");
    assert_eq!(lines[1]["errors"][0]["keyword"], "format");
    assert!(lines[1]["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("email"));
}

#[test]
fn validate_jsonl_streams_one_report_per_line() {
    let ping = r#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;
    let unknown = r#"{"event":"new.thing","created_at":"2025-01-15T14:30:00Z","data":{"x":1}}"#;
    let input = format!("{ping}\n\n{unknown}\r\nnot json\n{ping}");
    let output = run(&["validate", "--jsonl", "--format", "json"], input.as_bytes());
    assert_eq!(code(&output), 1);
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let verdicts: Vec<(bool, Value)> = lines
        .iter()
        .map(|l| (l["valid"].as_bool().unwrap(), l["event"].clone()))
        .collect();
    assert_eq!(
        verdicts,
        [
            (true, "test.ping".into()),
            (true, "new.thing".into()),
            (false, Value::Null),
            (true, "test.ping".into())
        ]
    );
    assert_eq!(lines[2]["source"], "-:4");
    assert_eq!(lines[2]["errors"][0]["keyword"], "json");
    // Strict mode refuses the unknown event.
    let output = run(
        &["validate", "--strict", "--jsonl", "--format", "json"],
        input.as_bytes(),
    );
    let lines: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[1]["valid"], false);
    assert_eq!(lines[1]["errors"][0]["instance_path"], "/event");
}

#[test]
fn validate_strict_rejects_fields_the_schemas_do_not_document() {
    let file = "tests/fixtures/invalid/offer.strict-unknown-field.json";
    assert_eq!(code(&run(&["validate", file], b"")), 0);
    let output = run(&["validate", "--strict", file], b"");
    assert_eq!(code(&output), 1);
    assert!(
        stdout(&output).contains("additionalProperties"),
        "{}",
        stdout(&output)
    );
}

#[test]
fn unreadable_files_and_usage_errors_exit_2() {
    let output = run(
        &[
            "validate",
            "tests/fixtures/valid/test.ping.json",
            "does/not/exist.json",
        ],
        b"",
    );
    assert_eq!(code(&output), 2);
    assert!(String::from_utf8_lossy(&output.stderr).contains("does/not/exist.json"));
    assert_eq!(
        stdout(&output).lines().count(),
        1,
        "the readable file is still reported"
    );
    assert_eq!(code(&run(&["validate", "--format", "yaml"], b"")), 2);
    assert_eq!(code(&run(&["frobnicate"], b"")), 2);
    assert_eq!(code(&run(&["schema", "application.deleted"], b"")), 2);
}

#[test]
fn hostile_input_is_invalid_with_a_message_never_a_crash() {
    let deep = "[".repeat(100_000);
    let big = vec![b'{'; 20 * 1024 * 1024];
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("empty", Vec::new()),
        ("whitespace", b"  \n\t ".to_vec()),
        ("null", b"null".to_vec()),
        ("array", b"[1,2]".to_vec()),
        ("number", b"12".to_vec()),
        ("empty object", b"{}".to_vec()),
        ("truncated", br#"{"event": "test.ping", "created_at": "#.to_vec()),
        ("invalid utf-8", b"{\"event\": \"\xff\xfe\"}".to_vec()),
        ("nul byte", b"{\"event\": \"a\x00\"}".to_vec()),
        ("deep", deep.into_bytes()),
        (
            "huge number",
            br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{},"n":1e999}"#.to_vec(),
        ),
        (
            "duplicate key",
            br#"{"event":"test.ping","event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#
                .to_vec(),
        ),
        (
            "event not a string",
            br#"{"event":1,"created_at":"2025-01-15T14:30:00Z","data":{}}"#.to_vec(),
        ),
        (
            "impossible date",
            br#"{"event":"test.ping","created_at":"2025-13-45T99:99:99Z","data":{}}"#.to_vec(),
        ),
        ("20 MB", big),
    ];
    for (name, body) in cases {
        for args in [&["validate"][..], &["validate", "--format", "json"], &["parse"]] {
            let started = std::time::Instant::now();
            let output = run(args, &body);
            assert_eq!(
                code(&output),
                1,
                "{name} via {args:?}: {}",
                String::from_utf8_lossy(&output.stderr)
            );
            let said = [output.stdout.clone(), output.stderr.clone()].concat();
            assert!(!said.is_empty(), "{name} via {args:?}: a message");
            assert!(!String::from_utf8_lossy(&said).contains("panicked"), "{name}");
            assert!(started.elapsed().as_secs() < 30, "{name}: no hang");
        }
    }
}

#[test]
fn parse_prints_the_typed_value_back_as_json() {
    for file in fixtures("valid") {
        let output = run(&["parse", &file], b"");
        assert_eq!(code(&output), 0, "{file}");
        let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
        let original: Value =
            serde_json::from_slice(&std::fs::read(format!("{}/{file}", env!("CARGO_MANIFEST_DIR"))).unwrap())
                .unwrap();
        assert_eq!(printed, original, "{file}");
    }
    // A status Kit added later: a receiver keeps it (lenient), a contract test refuses it.
    let undocumented = "tests/fixtures/invalid/interview.undocumented-enum-status.json";
    let output = run(&["parse", undocumented], b"");
    assert_eq!(code(&output), 0, "{}", String::from_utf8_lossy(&output.stderr));
    let printed: Value = serde_json::from_str(&stdout(&output)).unwrap();
    let original: Value = serde_json::from_slice(
        &std::fs::read(format!("{}/{undocumented}", env!("CARGO_MANIFEST_DIR"))).unwrap(),
    )
    .unwrap();
    assert_eq!(printed, original, "the unknown value round-trips unchanged");
    let output = run(&["parse", "--strict", undocumented], b"");
    assert_eq!(code(&output), 1);
    assert!(stdout(&output).is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("/data/status") && stderr.contains("[enum]"),
        "{stderr}"
    );
}

#[test]
fn schema_prints_self_contained_schemas() {
    let output = run(&["schema", "offer.revised"], b"");
    assert_eq!(code(&output), 0);
    let schema: Value = serde_json::from_str(&stdout(&output)).unwrap();
    assert_eq!(schema["properties"]["event"]["const"], "offer.revised");
    assert!(schema["$defs"]["OfferData"].is_object());
    let strict: Value =
        serde_json::from_str(&stdout(&run(&["schema", "--strict", "offer.revised"], b""))).unwrap();
    assert_eq!(strict["additionalProperties"], false);
    let union: Value = serde_json::from_str(&stdout(&run(&["schema"], b""))).unwrap();
    assert_eq!(union["oneOf"].as_array().unwrap().len(), 29);
}

#[test]
fn events_lists_the_28_names() {
    let output = run(&["events"], b"");
    assert_eq!(code(&output), 0);
    let names: Vec<&str> = std::str::from_utf8(&output.stdout).unwrap().lines().collect();
    let all: Vec<&str> = kit_webhooks::EventType::ALL.iter().map(|e| e.as_str()).collect();
    assert_eq!(names, all);
    assert!(names.contains(&"outreach.prospect.drafted"));
}

#[test]
fn sign_matches_the_known_answer_vectors() {
    let file: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/vectors/signatures.json"
        ))
        .unwrap(),
    )
    .unwrap();
    for v in file["vectors"].as_array().unwrap() {
        let Some(body) = v["body"].as_str() else { continue };
        let output = run(
            &[
                "sign",
                "--secret",
                v["secret"].as_str().unwrap(),
                "--timestamp",
                v["timestamp"].as_str().unwrap(),
            ],
            body.as_bytes(),
        );
        assert_eq!(code(&output), 0);
        assert_eq!(
            stdout(&output).trim(),
            v["signature"].as_str().unwrap(),
            "{}",
            v["description"]
        );
    }
}

#[test]
fn verify_gives_a_verdict_and_a_reason() {
    let body = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{}}"#;
    let ts = "2025-01-15T14:30:00Z";
    let sig = stdout(&run(&["sign", "--secret", "s1", "--timestamp", ts], body))
        .trim()
        .to_owned();
    let verify = |extra: &[&str], body: &[u8]| {
        let mut args = vec!["verify", "--secret", "s0", "--secret", "s1", "--timestamp", ts];
        args.extend_from_slice(extra);
        run(&args, body)
    };
    let ok = verify(&["--signature", &sig, "--now", "2025-01-15T14:31:00Z"], body);
    assert_eq!(code(&ok), 0, "{}", String::from_utf8_lossy(&ok.stderr));
    assert!(stdout(&ok).contains("secret #2"));
    let cases: Vec<(&str, Vec<&str>, Vec<u8>)> = vec![
        (
            "does not match",
            vec!["--signature", &sig, "--now", ts],
            [&body[..], b"\n"].concat(),
        ),
        (
            "s old",
            vec!["--signature", &sig, "--now", "2025-01-15T14:35:01Z"],
            body.to_vec(),
        ),
        (
            "in the future",
            vec!["--signature", &sig, "--now", "2025-01-15T14:24:59Z"],
            body.to_vec(),
        ),
        ("not hex", vec!["--signature", "xyz", "--now", ts], body.to_vec()),
        (
            "expected 64",
            vec!["--signature", &sig[..60], "--now", ts],
            body.to_vec(),
        ),
    ];
    for (reason, extra, body) in cases {
        let output = verify(&extra, &body);
        assert_eq!(code(&output), 1, "{reason}");
        assert!(
            String::from_utf8_lossy(&output.stderr).contains(reason),
            "{reason}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }
    let tolerant = verify(
        &[
            "--signature",
            &sig,
            "--now",
            "2025-01-15T14:35:01Z",
            "--tolerance",
            "400",
        ],
        body,
    );
    assert_eq!(code(&tolerant), 0);
    assert_eq!(
        code(&run(&["verify", "--timestamp", ts, "--signature", &sig], body)),
        2,
        "a secret is required"
    );
}

#[test]
fn help_never_shows_a_secret_from_the_environment() {
    let output = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .args(["listen", "--help"])
        .env("KIT_WEBHOOK_SECRET", "do-not-print-me")
        .output()
        .unwrap();
    assert!(output.status.success());
    assert!(!String::from_utf8_lossy(&output.stdout).contains("do-not-print-me"));
}
