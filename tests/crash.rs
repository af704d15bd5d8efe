//! A 2xx from `listen` means durably kept: SIGKILL the receiver under load,
//! and every delivery it acknowledged is in its output, whole; restarted on
//! the same files, it carries on appending.
#![cfg(feature = "cli")]

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kit_webhooks::Signer;
use serde_json::Value;

const SECRET: &str = "whsec_crash";

mod support;

fn start(dir: &Path) -> (Child, String) {
    support::start_listen(&[
        "--secret".as_ref(),
        SECRET.as_ref(),
        "--out".as_ref(),
        dir.join("out.jsonl").as_os_str(),
        "--quarantine".as_ref(),
        dir.join("quarantine.jsonl").as_os_str(),
    ] as &[&std::ffi::OsStr])
}

fn delivery(id: usize) -> Vec<u8> {
    let mut value: Value = serde_json::from_slice(
        &std::fs::read(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/valid/application.submitted.json"
        ))
        .unwrap(),
    )
    .unwrap();
    value["data"]["id"] = id.into();
    serde_json::to_vec(&value).unwrap()
}

/// POSTs one delivery; the status, or None if the connection failed.
fn post(addr: &str, body: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in Signer::new(SECRET).headers(chrono::Utc::now(), body) {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.get(9..12)?.parse().ok()
}

/// The ids in the output's whole lines, and whether everything but an
/// unterminated last line is whole.
fn kept(path: &Path) -> (HashSet<usize>, usize) {
    let text = std::fs::read(path).unwrap_or_default();
    let mut ids = HashSet::new();
    let mut torn = 0;
    let complete = text.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1);
    for line in text[..complete].split(|&b| b == b'\n').filter(|l| !l.is_empty()) {
        let value: Value =
            serde_json::from_slice(line).unwrap_or_else(|e| panic!("a torn line inside the file: {e}"));
        ids.insert(usize::try_from(value["data"]["id"].as_u64().unwrap()).unwrap());
    }
    if complete < text.len() {
        torn += 1;
    }
    (ids, torn)
}

fn load(
    addr: &str,
    next: &Arc<AtomicUsize>,
    acked: &Arc<Mutex<Vec<usize>>>,
    stop: &Arc<AtomicBool>,
) -> Vec<std::thread::JoinHandle<()>> {
    (0..12)
        .map(|_| {
            let (addr, next, acked, stop) = (
                addr.to_owned(),
                Arc::clone(next),
                Arc::clone(acked),
                Arc::clone(stop),
            );
            std::thread::spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let id = next.fetch_add(1, Ordering::Relaxed);
                    match post(&addr, &delivery(id)) {
                        Some(status) if (200..300).contains(&status) => acked.lock().unwrap().push(id),
                        Some(status) => panic!("delivery {id} answered {status}"),
                        None => break, // the receiver is gone
                    }
                }
            })
        })
        .collect()
}

#[test]
fn every_acknowledged_delivery_survives_a_sigkill_and_a_restart() {
    let dir: PathBuf = std::env::temp_dir().join(format!("kit-webhooks-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.jsonl");

    let (mut child, addr) = start(&dir);
    let next = Arc::new(AtomicUsize::new(0));
    let acked = Arc::new(Mutex::new(Vec::new()));
    let stop = Arc::new(AtomicBool::new(false));
    let senders = load(&addr, &next, &acked, &stop);
    // Let it take load, then kill it without warning.
    while acked.lock().unwrap().len() < 300 {
        std::thread::sleep(Duration::from_millis(10));
    }
    Command::new("kill")
        .args(["-KILL", &child.id().to_string()])
        .status()
        .unwrap();
    child.wait().unwrap();
    stop.store(true, Ordering::Relaxed);
    for sender in senders {
        sender.join().unwrap();
    }
    let first_run: Vec<usize> = acked.lock().unwrap().clone();
    let (ids, _torn) = kept(&out);
    let lost: Vec<&usize> = first_run.iter().filter(|id| !ids.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries lost after SIGKILL: {lost:?}",
        lost.len()
    );

    // Restart on the same files and carry on appending.
    let (mut child, addr) = start(&dir);
    let more: Vec<usize> = (1_000_000..1_000_050).collect();
    for id in &more {
        assert_eq!(post(&addr, &delivery(*id)), Some(200));
    }
    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(child.wait().unwrap().success());
    let (ids, torn) = kept(&out);
    assert_eq!(torn, 0, "no torn line is left once restarted");
    for id in first_run.iter().chain(&more) {
        assert!(ids.contains(id), "delivery {id} missing after the restart");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
