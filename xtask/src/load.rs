//! `cargo xtask load [--count N] [--connections C] [--url URL --secret S]
//! [--baseline REV [--rounds R]]`: a load generator. It sends N distinct
//! signed deliveries over C concurrent keep-alive connections and reports
//! throughput and p50/p99 latency.
//!
//! Without `--url` it builds the release CLI, starts `kit-webhooks listen` on
//! a loopback port with its files in a scratch directory, and afterwards
//! checks that every delivery answered 2xx is in `--out`, whole, and reports
//! the receiver's peak memory (VmHWM).
//!
//! `--baseline REV` also builds `listen` as it was at REV and runs both, in
//! turn, R times (default 5): the ratio of their throughputs in each round,
//! on the same machine at nearly the same time, is the figure to quote.
//!
//! `--sink nats` runs `listen --sink nats://…` against a `nats-server -js`
//! it starts (Debian's, on a loopback port, with a scratch store), in turn
//! with the file sink, R times (default 3), checks that every delivery
//! answered 2xx is in the stream, and prints both sinks' figures.

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use http_body_util::{BodyExt, Full};
use hyper::body::Bytes;
use kit_webhooks::Signer;
use tokio::net::TcpStream;

use crate::option;

/// The `i`-th delivery: documented examples with a distinct `data.id` (or
/// `id` suffix), so that every delivery is a different body.
pub fn delivery(templates: &[serde_json::Value], i: usize) -> Vec<u8> {
    let mut value = templates[i % templates.len()].clone();
    let data = &mut value["data"];
    match data.get("id") {
        Some(serde_json::Value::String(id)) => data["id"] = format!("{id}-{i}").into(),
        Some(_) => data["id"] = i.into(),
        None => data["sequence"] = i.into(),
    }
    serde_json::to_vec(&value).expect("JSON")
}

pub fn templates() -> Result<Vec<serde_json::Value>, String> {
    let files = crate::tools::fixtures("valid")?;
    files
        .iter()
        .filter(|f| !f.ends_with("test.ping.json")) // its data is an empty object; strict or not, keep it simple
        .map(|f| {
            serde_json::from_slice(&std::fs::read(f).map_err(|e| e.to_string())?).map_err(|e| e.to_string())
        })
        .collect()
}

pub struct Outcome {
    pub ok: usize,
    pub failed: usize,
    pub latencies: Vec<Duration>,
    pub elapsed: Duration,
    /// The sequence numbers answered 2xx.
    pub acknowledged: Vec<usize>,
}

/// Sends `count` deliveries over `connections` connections to `authority` (`host:port`).
pub fn load(authority: &str, secret: &str, count: usize, connections: usize) -> Result<Outcome, String> {
    let templates = Arc::new(templates()?);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let results = runtime.block_on(async {
        let mut tasks = Vec::new();
        for _ in 0..connections {
            let (templates, next, authority, signer) = (
                Arc::clone(&templates),
                Arc::clone(&next),
                authority.to_owned(),
                Signer::new(secret),
            );
            tasks.push(tokio::spawn(async move {
                let mut done: Vec<(usize, bool, Duration)> = Vec::new();
                let mut sender = None;
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    if i >= count {
                        break;
                    }
                    let body = delivery(&templates, i);
                    let event = templates[i % templates.len()]["event"]
                        .as_str()
                        .unwrap_or_default();
                    let sent = Instant::now();
                    let ok = match post(&mut sender, &authority, &signer, event, body).await {
                        Ok(status) => (200..300).contains(&status),
                        Err(_) => {
                            sender = None;
                            false
                        }
                    };
                    done.push((i, ok, sent.elapsed()));
                }
                done
            }));
        }
        let mut all = Vec::new();
        for task in tasks {
            all.extend(task.await.unwrap_or_default());
        }
        all
    });
    let elapsed = started.elapsed();
    let mut latencies: Vec<Duration> = results.iter().map(|r| r.2).collect();
    latencies.sort();
    let acknowledged: Vec<usize> = results.iter().filter(|r| r.1).map(|r| r.0).collect();
    Ok(Outcome {
        ok: acknowledged.len(),
        failed: results.len() - acknowledged.len(),
        latencies,
        elapsed,
        acknowledged,
    })
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn post(
    sender: &mut Option<Sender>,
    authority: &str,
    signer: &Signer,
    event: &str,
    body: Vec<u8>,
) -> Result<u16, String> {
    if sender.as_ref().is_none_or(|s| s.is_closed()) {
        let stream = TcpStream::connect(authority).await.map_err(|e| e.to_string())?;
        stream.set_nodelay(true).map_err(|e| e.to_string())?;
        let (s, connection) = hyper::client::conn::http1::handshake(hyper_util::rt::TokioIo::new(stream))
            .await
            .map_err(|e| e.to_string())?;
        tokio::spawn(connection);
        *sender = Some(s);
    }
    let s = sender.as_mut().ok_or("no connection")?;
    s.ready().await.map_err(|e| e.to_string())?;
    let mut request = hyper::Request::post("/").header(hyper::header::HOST, authority);
    for (name, value) in signer.headers(event, chrono::Utc::now(), &body) {
        request = request.header(name, value);
    }
    let request = request
        .body(Full::new(Bytes::from(body)))
        .map_err(|e| e.to_string())?;
    let response = tokio::time::timeout(Duration::from_secs(30), s.send_request(request))
        .await
        .map_err(|_| "timeout".to_owned())?
        .map_err(|e| e.to_string())?;
    let status = response.status().as_u16();
    response.into_body().collect().await.map_err(|e| e.to_string())?;
    Ok(status)
}

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    #[allow(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        clippy::cast_precision_loss
    )]
    let index = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[index]
}

/// Peak resident memory of a process, from /proc (Linux).
fn peak_rss_kib(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
}

pub fn main(args: &[String]) -> Result<(), String> {
    let count: usize = option(args, "--count")
        .unwrap_or_else(|| "100000".into())
        .parse()
        .map_err(|_| "--count takes a number")?;
    let connections: usize = option(args, "--connections")
        .unwrap_or_else(|| "64".into())
        .parse()
        .map_err(|_| "--connections takes a number")?;
    if let Some(url) = option(args, "--url") {
        let secret = option(args, "--secret").ok_or("--url needs --secret")?;
        let authority = url.trim_start_matches("http://").trim_end_matches('/').to_owned();
        let outcome = load(&authority, &secret, count, connections)?;
        print_outcome(&outcome, count, connections, None);
        return Ok(());
    }
    if option(args, "--sink").as_deref() == Some("nats") {
        return against_both_sinks(args, count, connections);
    }
    let cli = crate::tools::release_cli()?;
    let Some(rev) = option(args, "--baseline") else {
        let (outcome, rss) = against_listen(&cli, count, connections, None)?;
        print_outcome(&outcome, count, connections, rss);
        return Ok(());
    };
    let rounds: usize = option(args, "--rounds")
        .unwrap_or_else(|| "5".into())
        .parse()
        .map_err(|_| "--rounds takes a number")?;
    let work = crate::tools::scratch().join("load-baseline");
    let source = crate::tools::source_at(&rev, &work)?;
    let baseline = crate::tools::release_cli_in(&source, &work.join("target"))?;
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut ratios = Vec::new();
    for round in 1..=rounds {
        let mut pair = [0.0; 2];
        for (i, (name, binary)) in [(rev.as_str(), &baseline), ("this tree", &cli)]
            .into_iter()
            .enumerate()
        {
            let (outcome, rss) = against_listen(binary, count, connections, None)?;
            print!("round {round}, {name}: ");
            print_outcome(&outcome, count, connections, rss);
            pair[i] = outcome.ok as f64 / outcome.elapsed.as_secs_f64();
            rates[i].push(pair[i]);
        }
        ratios.push(pair[1] / pair[0]);
    }
    // Median (as build-cost takes it), min and max.
    let spread = |values: &[f64]| {
        let mut sorted = values.to_vec();
        let middle = crate::tools::median(&mut sorted);
        (middle, sorted[0], sorted[sorted.len() - 1])
    };
    let (base, base_min, base_max) = spread(&rates[0]);
    let (this, this_min, this_max) = spread(&rates[1]);
    let (ratio, ratio_min, ratio_max) = spread(&ratios);
    println!(
        "{rounds} rounds of {count} deliveries: {rev} {base:.0}/s ({base_min:.0}-{base_max:.0}), this tree {this:.0}/s ({this_min:.0}-{this_max:.0}); \
         this tree / {rev}, round by round: median {ratio:.2} ({ratio_min:.2}-{ratio_max:.2})"
    );
    Ok(())
}

/// Starts `cli listen` on a loopback port (with the file sink, or with
/// `--sink URL` when `nats` is given), loads it, stops it, and checks that
/// every delivery it answered 2xx is in its output, whole, or in the stream.
fn against_listen(
    cli: &Path,
    count: usize,
    connections: usize,
    nats: Option<&str>,
) -> Result<(Outcome, Option<u64>), String> {
    let dir = crate::tools::scratch().join("load");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
    let secret = "whsec_load";
    let mut command = Command::new(cli);
    command.args(["listen", "--addr", "127.0.0.1:0", "--secret", secret]);
    match nats {
        Some(url) => command.args(["--sink", url]),
        None => command
            .arg("--out")
            .arg(dir.join("out.jsonl"))
            .arg("--quarantine")
            .arg(dir.join("quarantine.jsonl")),
    };
    let mut listen = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| e.to_string())?;
    let mut stderr = BufReader::new(listen.stderr.take().ok_or("no stderr")?);
    // listen says where its files are, then where it listens.
    let mut line = String::new();
    let authority = loop {
        line.clear();
        if stderr.read_line(&mut line).map_err(|e| e.to_string())? == 0 {
            return Err("listen did not start".into());
        }
        if let Some(url) = line
            .split("listening on ")
            .nth(1)
            .and_then(|s| s.split_whitespace().next())
        {
            break url.trim_start_matches("http://").trim_end_matches('/').to_owned();
        }
    };
    std::thread::spawn(move || for _ in stderr.lines() {});
    let outcome = load(&authority, secret, count, connections);
    let rss = peak_rss_kib(listen.id());
    let _ = Command::new("kill")
        .args(["-INT", &listen.id().to_string()])
        .status();
    let _ = listen.wait();
    let outcome = outcome?;
    let kept = match nats {
        Some(url) => stream_sequences(url)?,
        None => kept_sequences(&dir.join("out.jsonl"))?,
    };
    let missing = outcome.acknowledged.iter().filter(|i| !kept.contains(i)).count();
    if missing > 0 {
        return Err(format!("{missing} deliveries were answered 2xx but not kept"));
    }
    Ok((outcome, rss))
}

/// `--sink nats`: the file sink and the NATS sink in turn, R rounds, each
/// round on a fresh broker.
fn against_both_sinks(args: &[String], count: usize, connections: usize) -> Result<(), String> {
    let rounds: usize = option(args, "--rounds")
        .unwrap_or_else(|| "3".into())
        .parse()
        .map_err(|_| "--rounds takes a number")?;
    let cli = crate::tools::release_cli_with_nats()?;
    let mut rates: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    let mut p99s: [Vec<f64>; 2] = [Vec::new(), Vec::new()];
    for round in 1..=rounds {
        for (i, nats) in [false, true].into_iter().enumerate() {
            let broker = if nats { Some(Broker::start()?) } else { None };
            let url = broker.as_ref().map(Broker::url);
            let (outcome, rss) = against_listen(&cli, count, connections, url.as_deref())?;
            drop(broker);
            print!("round {round}, {} sink: ", if nats { "nats" } else { "file" });
            print_outcome(&outcome, count, connections, rss);
            rates[i].push(outcome.ok as f64 / outcome.elapsed.as_secs_f64());
            p99s[i].push(percentile(&outcome.latencies, 0.99).as_secs_f64() * 1e3);
        }
    }
    let median = |values: &mut Vec<f64>| crate::tools::median(values);
    let (file, nats) = (median(&mut rates[0].clone()), median(&mut rates[1].clone()));
    println!(
        "{rounds} rounds of {count} deliveries over {connections} connections: file sink {file:.0}/s (p99 {:.1} ms), nats sink {nats:.0}/s (p99 {:.1} ms); nats / file {:.2} (medians)",
        median(&mut p99s[0].clone()),
        median(&mut p99s[1].clone()),
        nats / file
    );
    Ok(())
}

/// A `nats-server -js` on a free loopback port with a scratch store, killed
/// when dropped.
struct Broker {
    port: u16,
    child: std::process::Child,
}

impl Broker {
    fn start() -> Result<Broker, String> {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .and_then(|l| l.local_addr())
            .map_err(|e| e.to_string())?
            .port();
        let store = crate::tools::scratch().join("load-nats");
        let _ = std::fs::remove_dir_all(&store);
        let binary = ["nats-server", "/usr/sbin/nats-server"]
            .into_iter()
            .find(|b| Command::new(b).arg("--version").output().is_ok())
            .ok_or("nats-server is not installed (Debian: apt-get install nats-server)")?;
        let child = Command::new(binary)
            .args(["-js", "-a", "127.0.0.1", "-p", &port.to_string(), "-sd"])
            .arg(&store)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("{binary}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                return Err("nats-server did not start".into());
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        Ok(Broker { port, child })
    }

    fn url(&self) -> String {
        format!("nats://127.0.0.1:{}", self.port)
    }
}

impl Drop for Broker {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The sequence numbers of the deliveries in the stream `KIT_WEBHOOKS` at `url`.
fn stream_sequences(url: &str) -> Result<std::collections::HashSet<usize>, String> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())?;
    runtime.block_on(async {
        let client = async_nats::connect(url).await.map_err(|e| e.to_string())?;
        let js = async_nats::jetstream::new(client);
        let mut stream = js.get_stream("KIT_WEBHOOKS").await.map_err(|e| e.to_string())?;
        let last = stream
            .info()
            .await
            .map_err(|e| e.to_string())?
            .state
            .last_sequence;
        let mut kept = std::collections::HashSet::new();
        for sequence in 1..=last {
            let message = stream
                .get_raw_message(sequence)
                .await
                .map_err(|e| e.to_string())?;
            let value: serde_json::Value =
                serde_json::from_slice(&message.payload).map_err(|e| e.to_string())?;
            if let Some(n) = sequence_of(&value) {
                kept.insert(n);
            }
        }
        Ok(kept)
    })
}

/// The sequence number [`delivery`] put in a delivery.
fn sequence_of(value: &serde_json::Value) -> Option<usize> {
    let data = &value["data"];
    let sequence = match (&data["id"], &data["sequence"]) {
        (serde_json::Value::Number(n), _) => n.as_u64(),
        (serde_json::Value::String(s), _) => s.rsplit('-').next().and_then(|n| n.parse().ok()),
        (_, serde_json::Value::Number(n)) => n.as_u64(),
        _ => None,
    };
    sequence.and_then(|n| usize::try_from(n).ok())
}

/// The sequence numbers of the deliveries in a JSONL file (see [`delivery`]),
/// failing on any line that is not whole JSON.
pub fn kept_sequences(path: &Path) -> Result<std::collections::HashSet<usize>, String> {
    let text = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let mut kept = std::collections::HashSet::new();
    for (i, line) in text.lines().enumerate() {
        let value: serde_json::Value = serde_json::from_str(line)
            .map_err(|e| format!("{}:{}: torn line: {e}", path.display(), i + 1))?;
        kept.insert(sequence_of(&value).ok_or(format!("{}:{}: no sequence", path.display(), i + 1))?);
    }
    Ok(kept)
}

fn print_outcome(outcome: &Outcome, count: usize, connections: usize, rss: Option<u64>) {
    let rate = outcome.ok as f64 / outcome.elapsed.as_secs_f64();
    println!(
        "{count} deliveries over {connections} connections in {:.2} s: {} answered 2xx, {} not; {rate:.0} deliveries/s; latency p50 {:.2} ms, p99 {:.2} ms{}",
        outcome.elapsed.as_secs_f64(),
        outcome.ok,
        outcome.failed,
        percentile(&outcome.latencies, 0.50).as_secs_f64() * 1e3,
        percentile(&outcome.latencies, 0.99).as_secs_f64() * 1e3,
        rss.map_or_else(String::new, |kib| format!("; listen peak RSS {:.1} MiB; every 2xx kept", kib as f64 / 1024.0)),
    );
}
