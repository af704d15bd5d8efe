//! Deliveries over raw HTTP/1.1 for the `listen` tests: signed, posted one
//! connection each, and under load from several threads; and signals.

use std::collections::HashSet;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use kit_webhooks::Signer;
use serde_json::Value;

/// `valid/application.submitted` with `data.id` set to `id`.
pub fn delivery(id: usize) -> Vec<u8> {
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
pub fn post(addr: &str, secret: &str, body: &[u8]) -> Option<u16> {
    let mut stream = TcpStream::connect(addr).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(10))).ok()?;
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in Signer::new(secret).headers(&super::event_of(body), chrono::Utc::now(), body) {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).ok()?;
    stream.write_all(body).ok()?;
    let mut answer = String::new();
    stream.read_to_string(&mut answer).ok()?;
    answer.get(9..12)?.parse().ok()
}

/// Twelve threads posting deliveries with fresh ids until stopped or the
/// receiver is gone, recording the ids answered 2xx.
pub struct Load {
    acked: Arc<Mutex<Vec<usize>>>,
    stop: Arc<AtomicBool>,
    senders: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    /// Starts the senders against `addr` and returns once `at_least`
    /// deliveries were acknowledged.
    pub fn start(addr: &str, secret: &str, at_least: usize) -> Load {
        let next = Arc::new(AtomicUsize::new(0));
        let acked = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let senders = (0..12)
            .map(|_| {
                let (addr, secret, next, acked, stop) = (
                    addr.to_owned(),
                    secret.to_owned(),
                    Arc::clone(&next),
                    Arc::clone(&acked),
                    Arc::clone(&stop),
                );
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let id = next.fetch_add(1, Ordering::Relaxed);
                        match post(&addr, &secret, &delivery(id)) {
                            Some(status) if (200..300).contains(&status) => acked.lock().unwrap().push(id),
                            Some(status) => panic!("delivery {id} answered {status}"),
                            None => break, // the receiver is gone
                        }
                    }
                })
            })
            .collect();
        while acked.lock().unwrap().len() < at_least {
            std::thread::sleep(Duration::from_millis(10));
        }
        Load { acked, stop, senders }
    }

    /// Stops the senders and returns the ids answered 2xx.
    pub fn finish(self) -> Vec<usize> {
        self.stop.store(true, Ordering::Relaxed);
        for sender in self.senders {
            sender.join().unwrap();
        }
        let acked = self.acked.lock().unwrap().clone();
        acked
    }
}

/// The ids in the output's whole lines, and whether everything but an
/// unterminated last line is whole.
pub fn kept(path: &Path) -> (HashSet<usize>, usize) {
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

/// Sends `kill -NAME` to `child` (`TERM`, `INT`, `KILL`).
pub fn signal(child: &std::process::Child, name: &str) {
    std::process::Command::new("kill")
        .args([&format!("-{name}"), &child.id().to_string()])
        .status()
        .unwrap();
}
