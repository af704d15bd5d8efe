//! `listen` facing the internet: slow and idle clients are closed by the
//! timeouts while signed deliveries keep flowing, the connection cap holds,
//! an authentic invalid delivery is always kept in a file, and SIGTERM under
//! load drains and keeps everything acknowledged.
#![cfg(feature = "cli")]

mod support;

use std::io::{ErrorKind, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use support::http::{delivery, kept, post, signal, Load};

const SECRET: &str = "whsec_limits";

fn scratch(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("kit-webhooks-limits-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn start(dir: &Path, extra: &[&str]) -> (Child, String, Vec<String>) {
    let mut args: Vec<std::ffi::OsString> = vec!["--secret".into(), SECRET.into()];
    args.extend(extra.iter().map(Into::into));
    support::start_listen_in(Some(dir), &args)
}

/// Waits until the server closes `stream`, calling `poke` between waits
/// (to trickle bytes); how long that took, or None if still open after `limit`.
fn closed_within(
    stream: &mut TcpStream,
    limit: Duration,
    mut poke: impl FnMut(&mut TcpStream),
) -> Option<Duration> {
    let start = Instant::now();
    stream.set_read_timeout(Some(Duration::from_millis(200))).unwrap();
    let mut buf = [0u8; 1024];
    while start.elapsed() < limit {
        match stream.read(&mut buf) {
            Ok(0) => return Some(start.elapsed()),
            Ok(_) => {} // an answer (a 503, say); the close comes next
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => poke(stream),
            Err(_) => return Some(start.elapsed()), // reset
        }
    }
    None
}

#[test]
fn slow_and_idle_clients_are_closed_while_deliveries_flow() {
    let dir = scratch("slow");
    let out = dir.join("kept.jsonl");
    let (mut child, addr, _) = start(
        &dir,
        &[
            "--out",
            out.to_str().unwrap(),
            "--header-timeout",
            "2",
            "--body-timeout",
            "3",
        ],
    );
    let limit = Duration::from_secs(10);

    // 40 slowloris clients: a partial head, then one byte every 200 ms.
    let slow: Vec<_> = (0..40)
        .map(|_| {
            let addr = addr.clone();
            std::thread::spawn(move || {
                let mut stream = TcpStream::connect(&addr).unwrap();
                stream.write_all(b"POST / HTTP/1.1\r\nHost: kit\r\n").unwrap();
                closed_within(&mut stream, limit, |s| {
                    let _ = s.write_all(b"X");
                })
            })
        })
        .collect();
    // A connection that never says anything.
    let mut silent = TcpStream::connect(&addr).unwrap();
    // A keep-alive connection, idle after one delivery was answered.
    let mut idle = TcpStream::connect(&addr).unwrap();
    let body = delivery(1);
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: kit\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in
        kit_webhooks::Signer::new(SECRET).headers(&support::event_of(&body), chrono::Utc::now(), &body)
    {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    idle.write_all(request.as_bytes()).unwrap();
    idle.write_all(&body).unwrap();
    let mut head = [0u8; 12];
    idle.read_exact(&mut head).unwrap();
    assert_eq!(&head, b"HTTP/1.1 200", "the keep-alive delivery is kept");
    // A whole head, then a body that trickles a byte every 200 ms.
    let mut trickle = TcpStream::connect(&addr).unwrap();
    let second = delivery(2);
    let partial = second[..20].to_vec();
    let mut head = format!(
        "POST / HTTP/1.1\r\nHost: kit\r\nContent-Length: {}\r\n",
        second.len()
    );
    for (name, value) in
        kit_webhooks::Signer::new(SECRET).headers(&support::event_of(&second), chrono::Utc::now(), &second)
    {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    trickle.write_all(head.as_bytes()).unwrap();
    let trickled = std::thread::spawn(move || {
        let mut rest = partial.into_iter();
        closed_within(&mut trickle, limit, |s| {
            if let Some(byte) = rest.next() {
                let _ = s.write_all(&[byte]);
            }
        })
    });

    // Meanwhile signed deliveries are answered, one connection each.
    for id in 10..40 {
        assert_eq!(
            post(&addr, SECRET, &delivery(id)),
            Some(200),
            "delivery {id} during the attack"
        );
        std::thread::sleep(Duration::from_millis(50));
    }

    let margin = Duration::from_secs(2);
    for (i, client) in slow.into_iter().enumerate() {
        let took = client
            .join()
            .unwrap()
            .unwrap_or_else(|| panic!("slowloris client {i} still open after {limit:?}"));
        assert!(
            took < Duration::from_secs(2) + margin,
            "slowloris client {i} closed after {took:?}"
        );
    }
    let took = closed_within(&mut silent, limit, |_| {}).expect("the silent connection is closed");
    assert!(
        took < Duration::from_secs(2) + margin,
        "silent connection closed after {took:?}"
    );
    let took = closed_within(&mut idle, limit, |_| {}).expect("the idle keep-alive connection is closed");
    assert!(
        took < Duration::from_secs(2) + margin,
        "idle keep-alive closed after {took:?}"
    );
    let took = trickled.join().unwrap().expect("the trickling body is cut off");
    assert!(
        took < Duration::from_secs(3) + margin,
        "trickling body closed after {took:?}"
    );

    // Everything answered 200 was kept; the trickled delivery was not.
    let (ids, torn) = kept(&out);
    assert_eq!(torn, 0);
    let expected: std::collections::HashSet<usize> = std::iter::once(1).chain(10..40).collect();
    assert_eq!(ids, expected);
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn the_connection_cap_holds_and_the_overflow_waits_its_turn() {
    let dir = scratch("cap");
    let out = dir.join("kept.jsonl");
    let (mut child, addr, _) = start(
        &dir,
        &[
            "--out",
            out.to_str().unwrap(),
            "--max-connections",
            "3",
            "--header-timeout",
            "60",
        ],
    );
    // Three connections take every slot and say nothing.
    let mut held: Vec<TcpStream> = (0..3).map(|_| TcpStream::connect(&addr).unwrap()).collect();
    std::thread::sleep(Duration::from_millis(300));
    // A fourth delivery waits in the accept queue: not answered, not refused.
    let waiting = {
        let addr = addr.clone();
        std::thread::spawn(move || {
            let start = Instant::now();
            (post(&addr, SECRET, &delivery(7)), start.elapsed())
        })
    };
    std::thread::sleep(Duration::from_secs(2));
    assert!(
        !waiting.is_finished(),
        "a fourth connection was served past a cap of 3"
    );
    // One slot frees: the waiting delivery is served at once.
    drop(held.pop());
    let (status, took) = waiting.join().unwrap();
    assert_eq!(
        status,
        Some(200),
        "the queued delivery is served once a slot frees"
    );
    assert!(
        took >= Duration::from_secs(2),
        "it waited for the slot ({took:?})"
    );
    assert_eq!(kept(&out).0, std::iter::once(7).collect());
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}

/// An authentic delivery the schemas refuse (a status of the wrong type).
fn invalid_delivery() -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(&delivery(99)).unwrap();
    value["data"]["id"] = "not-a-number".into();
    serde_json::to_vec(&value).unwrap()
}

fn quarantined_bodies(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
        .lines()
        .map(|line| {
            let record: serde_json::Value = serde_json::from_str(line).unwrap();
            record["body"].as_str().unwrap().to_owned()
        })
        .collect()
}

#[test]
fn without_quarantine_an_invalid_delivery_is_kept_in_a_file_beside_out() {
    let dir = scratch("beside");
    let out = dir.join("kept.jsonl");
    let (mut child, addr, said) = start(&dir, &["--out", out.to_str().unwrap()]);
    let quarantine = dir.join("kept.quarantine.jsonl");
    assert!(
        said.iter().any(|l| l.contains(&quarantine.display().to_string())),
        "listen says where quarantined deliveries go: {said:?}"
    );
    let body = invalid_delivery();
    assert_eq!(post(&addr, SECRET, &body), Some(202));
    // Synced before the 202: readable now, before any stop.
    assert_eq!(
        quarantined_bodies(&quarantine),
        vec![String::from_utf8(body).unwrap()]
    );
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn with_out_on_standard_output_invalid_deliveries_go_to_a_file_and_a_warning_is_given() {
    let dir = scratch("stdout");
    let (mut child, addr, said) = start(&dir, &[]);
    assert!(
        said.iter()
            .any(|l| l.contains("warning") && l.contains("not synced")),
        "listen warns that standard output is not durable: {said:?}"
    );
    let body = invalid_delivery();
    assert_eq!(post(&addr, SECRET, &body), Some(202));
    assert_eq!(
        quarantined_bodies(&dir.join("quarantine.jsonl")),
        vec![String::from_utf8(body).unwrap()]
    );
    signal(&child, "TERM");
    assert!(child.wait().unwrap().success());
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn a_connection_cap_over_the_open_file_limit_is_warned_of() {
    let Some(soft) = std::fs::read_to_string("/proc/self/limits")
        .ok()
        .and_then(|text| {
            text.lines()
                .find(|l| l.starts_with("Max open files"))
                .and_then(|l| l.split_whitespace().nth(3)?.parse::<u64>().ok())
        })
    else {
        return; // not Linux: listen does not check
    };
    let dir = scratch("ulimit");
    let over = (soft + 1).min(u64::from(u32::MAX)).to_string();
    let (mut child, _, said) = start(&dir, &["--out", "kept.jsonl", "--max-connections", &over]);
    assert!(said.iter().any(|l| l.contains("ulimit -n")), "{said:?}");
    signal(&child, "TERM");
    child.wait().unwrap();
    if soft > 512 + 32 {
        let (mut child, _, said) = start(&dir, &["--out", "kept.jsonl"]);
        assert!(
            !said.iter().any(|l| l.contains("ulimit -n")),
            "no warning at the default: {said:?}"
        );
        signal(&child, "TERM");
        child.wait().unwrap();
    }
    let _ = std::fs::remove_dir_all(dir);
}

#[test]
fn quarantine_on_a_terminal_is_refused() {
    let output = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .args(["listen", "--secret", SECRET, "--quarantine", "-"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("--quarantine") && stderr.contains("must be a file"),
        "{stderr}"
    );
}

#[test]
fn sigterm_under_load_drains_and_keeps_every_acknowledged_delivery() {
    let dir = scratch("drain");
    let out = dir.join("kept.jsonl");
    let (mut child, addr, _) = start(&dir, &["--out", out.to_str().unwrap()]);
    let load = Load::start(&addr, SECRET, 300);
    let signalled = Instant::now();
    signal(&child, "TERM");
    let status = child.wait().unwrap();
    let took = signalled.elapsed();
    let acked = load.finish();
    assert!(status.success(), "listen exits 0 on SIGTERM: {status:?}");
    assert!(took < Duration::from_secs(10), "SIGTERM took {took:?}");
    let (ids, torn) = kept(&out);
    assert_eq!(torn, 0, "no torn line after a graceful stop");
    let lost: Vec<_> = acked.iter().filter(|id| !ids.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries lost: {lost:?}",
        lost.len()
    );
    let _ = std::fs::remove_dir_all(dir);
}
