//! End to end: the real `listen` receiver on a loopback port, fed by `send`
//! over real HTTP.
#![cfg(feature = "cli")]

mod support;
use std::path::{Path, PathBuf};

use std::process::{Child, Command, Output};
use support::{fixture_paths as fixtures, read_json};

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_kit-webhooks");
const SECRET: &str = "whsec_e2e";

struct Listener {
    child: Child,
    url: String,
    dir: PathBuf,
}

impl Listener {
    fn start(name: &str, extra: &[&str]) -> Listener {
        let dir = std::env::temp_dir().join(format!("kit-webhooks-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        Listener::start_in(dir, extra)
    }

    /// A listener on the files of an earlier one.
    fn start_in(dir: PathBuf, extra: &[&str]) -> Listener {
        let mut args: Vec<std::ffi::OsString> = ["--secret", "old-secret", "--secret", SECRET, "--out"]
            .iter()
            .map(Into::into)
            .collect();
        args.push(dir.join("out.jsonl").into());
        args.push("--quarantine".into());
        args.push(dir.join("quarantine.jsonl").into());
        args.extend(extra.iter().map(Into::into));
        let (child, addr) = support::start_listen(&args);
        let url = format!("http://{addr}/");
        Listener { child, url, dir }
    }

    fn lines(&self, file: &str) -> Vec<Value> {
        std::fs::read_to_string(self.dir.join(file))
            .unwrap_or_default()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{file}: torn line {l:?}: {e}")))
            .collect()
    }

    fn stop(self) -> i32 {
        let (code, dir) = self.stop_keeping_files();
        let _ = std::fs::remove_dir_all(dir);
        code
    }

    fn stop_keeping_files(mut self) -> (i32, PathBuf) {
        Command::new("kill")
            .args(["-INT", &self.child.id().to_string()])
            .status()
            .unwrap();
        // Bounded: a listen that does not stop is a failure, not a hung test.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                let _ = self.child.wait();
                panic!("listen did not stop within 20 s of SIGINT");
            }
            std::thread::sleep(std::time::Duration::from_millis(20));
        };
        (status.code().unwrap_or(-1), self.dir)
    }
}

fn send(url: &str, secret: &str, extra: &[&str], files: &[PathBuf]) -> Output {
    Command::new(BIN)
        .args(["send", "--url", url, "--secret", secret])
        .args(extra)
        .args(files)
        .output()
        .unwrap()
}

#[test]
fn listen_keeps_exactly_the_authentic_deliveries() {
    let listener = Listener::start("e2e", &[]);
    let valid = fixtures("valid");

    // Every documented example, signed with the current secret: all 200.
    let output = send(&listener.url, SECRET, &[], &valid);
    let printed = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{printed}");
    assert_eq!(
        printed.lines().filter(|l| l.contains(": 200")).count(),
        kit_webhooks::EventType::ALL.len(),
        "{printed}"
    );

    // The old secret still works during a rotation.
    assert!(send(&listener.url, "old-secret", &[], &valid[..1])
        .status
        .success());

    // Forged (wrong secret) and replayed (old timestamp): 401, kept nowhere.
    let forged = send(&listener.url, "attacker", &[], &valid[..3]);
    assert_eq!(forged.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&forged.stdout).matches(": 401").count(),
        3
    );
    let replay = send(
        &listener.url,
        SECRET,
        &["--timestamp", "2025-01-15T14:30:00Z"],
        &valid[..1],
    );
    assert!(String::from_utf8_lossy(&replay.stdout).contains(": 401"));
    let future = send(
        &listener.url,
        SECRET,
        &["--timestamp", "2999-01-01T00:00:00Z"],
        &valid[..1],
    );
    assert!(String::from_utf8_lossy(&future.stdout).contains(": 401"));

    // Authentic but invalid: answered 2xx and quarantined with its errors.
    let bad = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/invalid/offer.bad-email.json");
    let quarantined = send(&listener.url, SECRET, &[], std::slice::from_ref(&bad));
    assert!(
        quarantined.status.success(),
        "{}",
        String::from_utf8_lossy(&quarantined.stdout)
    );
    assert!(String::from_utf8_lossy(&quarantined.stdout).contains(": 202"));

    let kept = listener.lines("out.jsonl");
    let mut expected: Vec<Value> = valid.iter().map(|p| read_json(p)).collect();
    expected.push(read_json(&valid[0]));
    assert_eq!(kept, expected, "exactly the authentic valid deliveries, in order");
    let quarantine = listener.lines("quarantine.jsonl");
    assert_eq!(quarantine.len(), 1);
    assert_eq!(
        quarantine[0]["errors"][0]["instance_path"],
        "/data/candidate/email"
    );
    let original = std::fs::read_to_string(&bad).unwrap();
    assert_eq!(
        quarantine[0]["body"],
        original.as_str(),
        "the body is kept byte for byte"
    );
    assert_eq!(
        quarantine[0]["delivery_key"],
        kit_webhooks::delivery_key(original.as_bytes())
    );

    assert_eq!(listener.stop(), 0, "Ctrl-C stops it cleanly");
}

#[test]
fn listen_dedupe_skips_exact_duplicates_only() {
    let listener = Listener::start("dedupe", &["--dedupe"]);
    let valid = fixtures("valid");
    assert!(send(&listener.url, SECRET, &[], &valid[..5]).status.success());
    let again = send(&listener.url, SECRET, &[], &valid[..5]);
    assert!(again.status.success(), "a duplicate is still answered 2xx");
    assert_eq!(listener.lines("out.jsonl").len(), 5);
    assert!(send(&listener.url, SECRET, &[], &valid[5..6]).status.success());
    assert_eq!(listener.lines("out.jsonl").len(), 6);
    let invalid = root_path("tests/fixtures/invalid/offer.bad-email.json");
    assert!(send(&listener.url, SECRET, &[], std::slice::from_ref(&invalid))
        .status
        .success());
    assert_eq!(listener.lines("quarantine.jsonl").len(), 1);

    // A restart on the same files remembers what they hold.
    let (code, dir) = listener.stop_keeping_files();
    assert_eq!(code, 0);
    let listener = Listener::start_in(dir, &["--dedupe"]);
    assert!(send(&listener.url, SECRET, &[], &valid[..6]).status.success());
    assert!(send(&listener.url, SECRET, &[], std::slice::from_ref(&invalid))
        .status
        .success());
    assert_eq!(
        listener.lines("out.jsonl").len(),
        6,
        "retries after a restart are not kept twice"
    );
    assert_eq!(listener.lines("quarantine.jsonl").len(), 1);
    assert!(send(&listener.url, SECRET, &[], &valid[6..7]).status.success());
    assert_eq!(listener.lines("out.jsonl").len(), 7);
    listener.stop();
}

fn root_path(rel: &str) -> PathBuf {
    support::root().join(rel)
}

#[test]
fn listen_answers_a_header_body_mismatch_with_400() {
    let listener = Listener::start("mismatch", &[]);
    let body = std::fs::read(&fixtures("valid")[0]).unwrap();
    let ts = kit_webhooks::signature::format_timestamp(chrono::Utc::now());
    let sig = kit_webhooks::Signer::new(SECRET).sign(&ts, &body);
    let addr = listener
        .url
        .trim_start_matches("http://")
        .trim_end_matches('/')
        .to_owned();
    let mut stream = std::net::TcpStream::connect(&addr).unwrap();
    use std::io::{Read, Write};
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nX-Webhook-Event: test.ping\r\nX-Webhook-Signature: {sig}\r\nX-Webhook-Timestamp: {ts}\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
        body.len()
    )
    .unwrap();
    stream.write_all(&body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    assert!(answer.starts_with("HTTP/1.1 400"), "{answer}");
    assert!(listener.lines("out.jsonl").is_empty());
    listener.stop();
}
