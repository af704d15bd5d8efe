//! `listen --sink nats://…` against real brokers (`nats-server`, installed by
//! `.ci/run` from Debian, started here on loopback ports): a 2xx means the
//! delivery is in the stream, whatever dies, and the stream keeps one copy
//! of a delivery however many receivers it reaches. Every wait is bounded.
#![cfg(feature = "nats")]

use std::collections::HashSet;
use std::process::Child;
use std::time::{Duration, Instant};

mod support;
use support::http::{delivery, post, signal};
use support::nats::{acked, copies, read_stream, Load, Server, TempDir};

const SECRET: &str = "whsec_nats";
const STREAM: &str = "KIT_WEBHOOKS";

use support::nats::Stored;

/// `kit-webhooks listen` on the broker(s), killed when dropped.
struct Listen {
    child: Child,
    addr: String,
}

impl Listen {
    fn start(servers: &[&Server], extra: &[&str]) -> Listen {
        Listen::try_start(servers, extra).unwrap_or_else(|said| panic!("listen did not start: {said}"))
    }

    /// Starts `listen` on the brokers, or returns what it said before it exited.
    // The child is waited for on every path: here when it exits, by
    // `Listen`'s `Drop` otherwise.
    fn try_start(servers: &[&Server], extra: &[&str]) -> Result<Listen, String> {
        let seeds = servers.iter().map(|s| s.url()).collect::<Vec<_>>().join(",");
        Listen::try_start_at(&seeds, extra)
    }

    /// As [`Listen::try_start`], with the `--sink` seeds as written.
    #[allow(clippy::zombie_processes)]
    fn try_start_at(seeds: &str, extra: &[&str]) -> Result<Listen, String> {
        use std::io::BufRead;
        let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
            .args([
                "listen",
                "--addr",
                "127.0.0.1:0",
                "--secret",
                SECRET,
                "--sink",
                seeds,
            ])
            .args(extra)
            .stderr(std::process::Stdio::piped())
            .stdout(std::process::Stdio::null())
            .spawn()
            .unwrap();
        let mut reader = std::io::BufReader::new(child.stderr.take().unwrap());
        let mut said = String::new();
        let mut line = String::new();
        loop {
            line.clear();
            if reader.read_line(&mut line).unwrap_or(0) == 0 {
                let _ = child.wait();
                return Err(said);
            }
            said.push_str(&line);
            if let Some(rest) = line.split("listening on http://").nth(1) {
                let addr = rest.split('/').next().unwrap_or_default().to_owned();
                std::thread::spawn(move || for _ in reader.lines() {});
                return Ok(Listen { child, addr });
            }
        }
    }
}

impl Drop for Listen {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Every acknowledged id is in the stream, once; the counts are printed
/// under `test` (`-- --nocapture`) as `sent, acknowledged, in the stream, lost`.
fn assert_all_stored_once(test: &str, sent: usize, acked: &[usize], url: &str) {
    let stored = read_stream(url, STREAM);
    let copies = copies(&stored);
    let lost: Vec<&usize> = acked.iter().filter(|id| !copies.contains_key(id)).collect();
    eprintln!(
        "{test}: sent {sent}, acknowledged {}, in the stream {}, lost {}",
        acked.len(),
        stored.len(),
        lost.len()
    );
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries not in the stream: {lost:?}",
        lost.len()
    );
    let twice: Vec<(&usize, &usize)> = copies.iter().filter(|(_, n)| **n > 1).collect();
    assert!(twice.is_empty(), "deliveries stored more than once: {twice:?}");
}

#[test]
fn each_delivery_is_one_message_with_its_key_event_and_subject() {
    let dir = TempDir::new("nats-shape");
    let server = Server::single(&dir.0);
    let listen = Listen::start(&[&server], &[]);
    let body = delivery(7);
    assert_eq!(post(&listen.addr, SECRET, &body), Some(200));
    let invalid = br#"{"event":"test.ping","created_at":"yesterday","data":{}}"#;
    assert_eq!(post(&listen.addr, SECRET, invalid), Some(202));
    let stored = read_stream(&server.url(), STREAM);
    assert_eq!(stored.len(), 2);
    assert_eq!(stored[0].subject, "kit.webhooks.application.submitted");
    assert_eq!(stored[0].body, body, "the body, byte for byte");
    assert_eq!(stored[0].msg_id, kit_webhooks::delivery_key(&body));
    assert_eq!(stored[0].event, "application.submitted");
    assert_eq!(stored[1].subject, "kit.quarantine.test.ping");
    assert_eq!(stored[1].body, invalid);
}

/// Two receivers on one stream, every delivery sent to both: each is stored
/// once, and both answer 2xx.
#[test]
fn two_receivers_store_each_delivery_once() {
    let dir = TempDir::new("nats-two");
    let server = Server::single(&dir.0);
    let first = Listen::start(&[&server], &[]);
    let second = Listen::start(&[&server], &[]);
    let ids: Vec<usize> = (0..200).collect();
    for &id in &ids {
        for listen in [&first, &second] {
            assert_eq!(
                post(&listen.addr, SECRET, &delivery(id)),
                Some(200),
                "delivery {id}"
            );
        }
    }
    let stored = read_stream(&server.url(), STREAM);
    eprintln!(
        "two receivers: sent {}, acknowledged {}, in the stream {}",
        2 * ids.len(),
        2 * ids.len(),
        stored.len()
    );
    assert_eq!(stored.len(), ids.len(), "one message per delivery");
    let found: HashSet<usize> = stored.iter().map(Stored::id).collect();
    assert_eq!(found, ids.into_iter().collect());
}

/// SIGKILL of `listen` under load: every delivery it answered 2xx is in the stream.
#[test]
fn a_sigkilled_receiver_lost_no_acknowledged_delivery() {
    let dir = TempDir::new("nats-sigkill");
    let server = Server::single(&dir.0);
    let mut listen = Listen::start(&[&server], &[]);
    let load = Load::start(&listen.addr, SECRET, 12);
    load.wait_for_acks(300, Duration::from_secs(60));
    signal(&listen.child, "KILL");
    let _ = listen.child.wait();
    let answers = load.finish();
    let acked = acked(&answers);
    assert!(acked.len() >= 300);
    assert_all_stored_once("listen killed", answers.len(), &acked, &server.url());
}

/// The broker SIGKILLed under load and restarted: no 2xx while it is down
/// (503s), service resumes by itself, and every acknowledged delivery is in
/// the stream after the restart.
#[test]
fn a_broker_down_gets_503s_and_service_resumes_without_loss() {
    let dir = TempDir::new("nats-broker");
    let mut server = Server::single(&dir.0);
    let listen = Listen::start(&[&server], &["--sink-timeout", "1"]);
    let load = Load::start(&listen.addr, SECRET, 8);
    load.wait_for_acks(200, Duration::from_secs(60));
    server.kill();
    let down = Instant::now();
    std::thread::sleep(Duration::from_secs(2));
    server.restart();
    let up = Instant::now();
    load.wait_for_acks(200, Duration::from_secs(60));
    let answers = load.finish();
    // A request that began after the kill and ended before the restart
    // cannot have been stored: it must not be a 2xx.
    let while_down: Vec<_> = answers.iter().filter(|a| a.start > down && a.end < up).collect();
    assert!(
        !while_down.is_empty(),
        "the load went on while the broker was down"
    );
    let wrong: Vec<_> = while_down
        .iter()
        .filter(|a| a.status.is_some_and(|s| (200..300).contains(&s)))
        .collect();
    assert!(
        wrong.is_empty(),
        "acknowledged while the broker was down: {wrong:?}"
    );
    assert!(
        while_down.iter().all(|a| a.status == Some(503)),
        "while down, every answer is 503: {while_down:?}"
    );
    let sent = answers.len();
    assert_all_stored_once("broker killed", sent, &acked(&answers), &server.url());
}

/// A three-node cluster and a stream of three replicas: one node SIGKILLed
/// under load, every acknowledged delivery survives and deliveries keep
/// being acknowledged.
#[test]
fn a_cluster_node_lost_under_load_loses_nothing() {
    let dir = TempDir::new("nats-cluster");
    let mut nodes = Server::cluster(&dir.0);
    // The cluster elects its JetStream leader before a stream can be made.
    let deadline = Instant::now() + Duration::from_secs(60);
    let refs: Vec<&Server> = nodes.iter().collect();
    let listen = loop {
        match Listen::try_start(&refs, &["--replicas", "3", "--sink-timeout", "5"]) {
            Ok(listen) => break listen,
            Err(said) => {
                assert!(
                    Instant::now() < deadline,
                    "listen never started on the cluster: {said}"
                );
                std::thread::sleep(Duration::from_millis(500));
            }
        }
    };
    let load = Load::start(&listen.addr, SECRET, 8);
    load.wait_for_acks(300, Duration::from_secs(60));
    nodes[1].kill();
    let killed_at = load.acked();
    load.wait_for_acks(300, Duration::from_secs(60));
    let answers = load.finish();
    assert!(acked(&answers).len() >= killed_at + 300);
    let sent = answers.len();
    assert_all_stored_once("cluster node killed", sent, &acked(&answers), &nodes[2].url());
}

/// An existing stream is used as it is configured when it captures both
/// subjects, and refused (listen exits with why) when it does not.
#[test]
fn an_existing_stream_is_checked_not_changed() {
    let dir = TempDir::new("nats-existing");
    let server = Server::single(&dir.0);
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    let create = |name: &str, subject: &str| {
        runtime.block_on(async {
            let js = async_nats::jetstream::new(async_nats::connect(server.url()).await.unwrap());
            js.create_stream(async_nats::jetstream::stream::Config {
                name: name.into(),
                subjects: vec![subject.to_owned()],
                max_messages: 1_000,
                ..Default::default()
            })
            .await
            .unwrap();
        });
    };
    create("NARROW", "kit.webhooks.*");
    let said = Listen::try_start(&[&server], &["--stream", "NARROW"])
        .err()
        .expect("listen refuses a stream that does not capture its subjects");
    assert!(said.contains("does not capture kit.webhooks.>"), "{said}");
    runtime.block_on(async {
        let js = async_nats::jetstream::new(async_nats::connect(server.url()).await.unwrap());
        js.delete_stream("NARROW").await.unwrap();
    });

    create("WIDE", "kit.>");
    let wide = Listen::start(&[&server], &["--stream", "WIDE"]);
    assert_eq!(post(&wide.addr, SECRET, &delivery(1)), Some(200));
    assert_eq!(read_stream(&server.url(), "WIDE").len(), 1);
    // Used as it is configured, not changed.
    let max = runtime.block_on(async {
        let js = async_nats::jetstream::new(async_nats::connect(server.url()).await.unwrap());
        js.get_stream("WIDE")
            .await
            .unwrap()
            .info()
            .await
            .unwrap()
            .config
            .max_messages
    });
    assert_eq!(max, 1_000);
}

/// The client's ordinary options: a token (refused when wrong, never
/// shown), and a CA for `tls://` (refused without it).
#[test]
fn token_and_tls_come_through_the_clients_options() {
    let dir = TempDir::new("nats-auth");
    let token = Server::with(&dir.0.join("token"), &["--auth", "s3cret-token"]);
    let wrong = Listen::try_start(&[&token], &["--nats-token", "not-it"])
        .err()
        .expect("a wrong token is refused");
    assert!(!wrong.contains("not-it"), "the token is never shown: {wrong}");
    let right = Listen::start(&[&token], &["--nats-token", "s3cret-token"]);
    assert_eq!(post(&right.addr, SECRET, &delivery(1)), Some(200));
    assert_eq!(
        post(&right.addr, SECRET, &delivery(1)),
        Some(200),
        "stored, so the copy is a duplicate"
    );

    let pki = support::nats::Pki::new(&dir.0.join("pki"));
    let tls = Server::with(
        &dir.0.join("tls"),
        &["--tls", "--tlscert", &pki.cert, "--tlskey", &pki.key],
    );
    let url = format!("tls://127.0.0.1:{}", tls.port);
    let untrusted = Listen::try_start_at(&url, &[])
        .err()
        .expect("an unknown CA is refused");
    assert!(untrusted.contains("--sink"), "{untrusted}");
    let trusted = Listen::try_start_at(&url, &["--nats-ca", &pki.ca]).expect("the CA is trusted");
    assert_eq!(post(&trusted.addr, SECRET, &delivery(2)), Some(200));
}
