//! Real NATS servers for the `listen --sink nats://…` tests: started from
//! the `nats-server` that `.ci/run` installs from Debian, on loopback ports,
//! with stores in temporary directories, and stopped (SIGKILL) by the tests;
//! a reader of the stream; and a load that records every answer.

use std::collections::HashMap;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::Value;

use super::http::{delivery, post};

/// A loopback port nothing listens on now, below the kernel's ephemeral
/// range (32768 and up): the kernel never hands it to another socket, and
/// the tests of this process never take it twice, so a broker's port is its
/// own and stays free for its restart.
pub fn free_port() -> u16 {
    static NEXT: AtomicUsize = AtomicUsize::new(0);
    let base = 20_000 + (std::process::id() as usize % 500) * 20;
    loop {
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let port = u16::try_from(base + n % 10_000).unwrap();
        if TcpListener::bind(("127.0.0.1", port)).is_ok() {
            return port;
        }
    }
}

/// `nats-server -js` on a free loopback port, storing under `dir`.
/// Its server name is unique, so that a test can tell its broker from
/// another's.
fn jetstream_args(dir: &Path) -> Vec<String> {
    let port = free_port();
    vec![
        "-js".into(),
        "-a".into(),
        "127.0.0.1".into(),
        "-p".into(),
        port.to_string(),
        "-sd".into(),
        dir.display().to_string(),
        "-n".into(),
        format!("kit-{}-{port}", std::process::id()),
    ]
}

/// One `nats-server -js`, killed when dropped.
pub struct Server {
    pub port: u16,
    pub child: Child,
    args: Vec<String>,
}

impl Server {
    /// A single broker with JetStream, storing under `dir`.
    pub fn single(dir: &Path) -> Server {
        Server::start(jetstream_args(dir))
    }

    /// A single broker with more options (`--auth`, `--tls`, ...).
    pub fn with(dir: &Path, extra: &[&str]) -> Server {
        let mut args = jetstream_args(dir);
        args.extend(extra.iter().map(|a| (*a).to_owned()));
        Server::start(args)
    }

    /// Three brokers in one cluster with JetStream, storing under `dir`.
    pub fn cluster(dir: &Path) -> Vec<Server> {
        let routes: Vec<u16> = (0..3).map(|_| free_port()).collect();
        let all = routes
            .iter()
            .map(|p| format!("nats://127.0.0.1:{p}"))
            .collect::<Vec<_>>()
            .join(",");
        (0..3)
            .map(|i| {
                let mut args = jetstream_args(&dir.join(format!("n{i}")));
                args.extend([
                    "--cluster_name".into(),
                    "kit".into(),
                    "--cluster".into(),
                    format!("nats://127.0.0.1:{}", routes[i]),
                    "--routes".into(),
                    all.clone(),
                ]);
                Server::start(args)
            })
            .collect()
    }

    fn start(args: Vec<String>) -> Server {
        let port: u16 = args[args.iter().position(|a| a == "-p").unwrap() + 1]
            .parse()
            .unwrap();
        let binary = std::env::var("NATS_SERVER").unwrap_or_else(|_| "nats-server".into());
        let child = Command::new(&binary)
            .args(&args)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("{binary}: {e} (`.ci/run` installs nats-server from Debian)"));
        let mut server = Server { port, child, args };
        server.wait_ready();
        server
    }

    /// Waits until this broker (by its name: not another that took the
    /// port) answers, and fails if it exited.
    fn wait_ready(&mut self) {
        let name = self.args[self.args.iter().position(|a| a == "-n").unwrap() + 1].clone();
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!(
                    "nats-server {name} exited at start ({status}): is port {} taken?",
                    self.port
                );
            }
            if let Some(info) = info_line(self.port) {
                assert!(
                    info.contains(&format!("\"server_name\":\"{name}\"")),
                    "port {} is another broker's: {info}",
                    self.port
                );
                return;
            }
            assert!(
                Instant::now() < deadline,
                "nats-server on {} did not start",
                self.port
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    pub fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }

    /// SIGKILL, no warning.
    pub fn kill(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }

    /// Starts again with the same store and port.
    pub fn restart(&mut self) {
        self.kill();
        let again = Server::start(self.args.clone());
        *self = again;
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The `INFO {…}` line a NATS server sends first, if one answers on `port`.
fn info_line(port: u16) -> Option<String> {
    use std::io::{BufRead, BufReader};
    let stream = TcpStream::connect(("127.0.0.1", port)).ok()?;
    stream.set_read_timeout(Some(Duration::from_secs(2))).ok()?;
    let mut line = String::new();
    BufReader::new(stream).read_line(&mut line).ok()?;
    line.starts_with("INFO").then_some(line)
}

/// A temporary directory, removed when dropped.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(name: &str) -> TempDir {
        let dir = std::env::temp_dir().join(format!("kit-webhooks-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        TempDir(dir)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// One message of the stream.
pub struct Stored {
    pub subject: String,
    pub msg_id: String,
    pub event: String,
    pub body: Vec<u8>,
}

impl Stored {
    /// The `data.id` of a delivery made by [`delivery`].
    pub fn id(&self) -> usize {
        let value: Value = serde_json::from_slice(&self.body).unwrap();
        usize::try_from(value["data"]["id"].as_u64().unwrap()).unwrap()
    }
}

/// Every message of `stream`, read through `url`.
pub fn read_stream(url: &str, stream: &str) -> Vec<Stored> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    runtime.block_on(async {
        let client = async_nats::connect(url).await.unwrap();
        let js = async_nats::jetstream::new(client);
        let deadline = Instant::now() + Duration::from_secs(30);
        // After a broker restarts or a node dies, the stream takes a moment to answer.
        let mut stream = loop {
            match js.get_stream(stream).await {
                Ok(stream) => break stream,
                Err(e) => {
                    assert!(Instant::now() < deadline, "stream {stream}: {e}");
                    tokio::time::sleep(Duration::from_millis(200)).await;
                }
            }
        };
        let info = stream.info().await.unwrap().clone();
        let mut out = Vec::new();
        for sequence in info.state.first_sequence..=info.state.last_sequence {
            let Ok(message) = stream.get_raw_message(sequence).await else {
                continue;
            };
            let header = |name: &str| {
                message
                    .headers
                    .get(name)
                    .map(|v| v.as_str().to_owned())
                    .unwrap_or_default()
            };
            out.push(Stored {
                subject: message.subject.to_string(),
                msg_id: header("Nats-Msg-Id"),
                event: header("Kit-Event"),
                body: message.payload.to_vec(),
            });
        }
        out
    })
}

/// One answer under load: the delivery's id, its status (None: no
/// answer), and when the request started and ended.
#[derive(Clone, Copy, Debug)]
pub struct Answer {
    pub id: usize,
    pub status: Option<u16>,
    pub start: Instant,
    pub end: Instant,
}

/// Senders posting fresh deliveries to `addr` until stopped,
/// recording every answer; a 4xx fails the test.
pub struct Load {
    answers: Arc<Mutex<Vec<Answer>>>,
    stop: Arc<AtomicBool>,
    senders: Vec<std::thread::JoinHandle<()>>,
}

impl Load {
    pub fn start(addr: &str, secret: &str, threads: usize) -> Load {
        let next = Arc::new(AtomicUsize::new(0));
        let answers = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let senders = (0..threads)
            .map(|_| {
                let addr = addr.to_owned();
                let (secret, next, answers, stop) = (
                    secret.to_owned(),
                    Arc::clone(&next),
                    Arc::clone(&answers),
                    Arc::clone(&stop),
                );
                std::thread::spawn(move || {
                    while !stop.load(Ordering::Relaxed) {
                        let id = next.fetch_add(1, Ordering::Relaxed);
                        let start = Instant::now();
                        let status = post(&addr, &secret, &delivery(id));
                        if let Some(status) = status {
                            assert!(!(400..500).contains(&status), "delivery {id} answered {status}");
                        }
                        answers.lock().unwrap().push(Answer {
                            id,
                            status,
                            start,
                            end: Instant::now(),
                        });
                        if status.is_none() {
                            std::thread::sleep(Duration::from_millis(20));
                        }
                    }
                })
            })
            .collect();
        Load {
            answers,
            stop,
            senders,
        }
    }

    /// How many deliveries were answered 2xx so far.
    pub fn acked(&self) -> usize {
        self.answers
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a.status.is_some_and(|s| (200..300).contains(&s)))
            .count()
    }

    /// Waits until `n` more deliveries are answered 2xx (bounded).
    pub fn wait_for_acks(&self, n: usize, within: Duration) {
        let target = self.acked() + n;
        let deadline = Instant::now() + within;
        while self.acked() < target {
            assert!(
                Instant::now() < deadline,
                "fewer than {n} acknowledgements within {within:?}"
            );
            std::thread::sleep(Duration::from_millis(10));
        }
    }

    /// Stops the senders and returns every answer.
    pub fn finish(self) -> Vec<Answer> {
        self.stop.store(true, Ordering::Relaxed);
        for sender in self.senders {
            sender.join().unwrap();
        }
        let answers = self.answers.lock().unwrap().clone();
        answers
    }
}

/// The ids answered 2xx.
pub fn acked(answers: &[Answer]) -> Vec<usize> {
    answers
        .iter()
        .filter(|a| a.status.is_some_and(|s| (200..300).contains(&s)))
        .map(|a| a.id)
        .collect()
}

/// How many times each id is in the stream.
pub fn copies(stored: &[Stored]) -> HashMap<usize, usize> {
    let mut out = HashMap::new();
    for message in stored {
        *out.entry(message.id()).or_insert(0) += 1;
    }
    out
}

/// A CA and a server certificate for 127.0.0.1 signed by it, made with the
/// `openssl` command (`.ci/run` installs it from Debian when missing).
pub struct Pki {
    pub ca: String,
    pub cert: String,
    pub key: String,
}

impl Pki {
    pub fn new(dir: &Path) -> Pki {
        std::fs::create_dir_all(dir).unwrap();
        let at = |name: &str| dir.join(name).display().to_string();
        let openssl = |args: &[&str]| {
            let out = Command::new("openssl")
                .args(args)
                .output()
                .expect("openssl (apt-get install openssl)");
            assert!(
                out.status.success(),
                "openssl {args:?}: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        };
        let (ca, ca_key, cert, key, csr, ext) = (
            at("ca.pem"),
            at("ca.key"),
            at("server.pem"),
            at("server.key"),
            at("server.csr"),
            at("san.ext"),
        );
        openssl(&[
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &ca_key,
            "-out",
            &ca,
            "-days",
            "2",
            "-subj",
            "/CN=kit-webhooks test CA",
        ]);
        openssl(&[
            "req",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-keyout",
            &key,
            "-out",
            &csr,
            "-subj",
            "/CN=127.0.0.1",
        ]);
        std::fs::write(&ext, "subjectAltName=IP:127.0.0.1\n").unwrap();
        openssl(&[
            "x509",
            "-req",
            "-in",
            &csr,
            "-CA",
            &ca,
            "-CAkey",
            &ca_key,
            "-CAcreateserial",
            "-out",
            &cert,
            "-days",
            "2",
            "-extfile",
            &ext,
        ]);
        Pki { ca, cert, key }
    }
}
