//! `kit-webhooks listen`: a real local receiver on the axum extractor.
//!
//! A 2xx answer means durably kept: the delivery is written and flushed
//! (fsync for files) before the answer is sent. Writes are group-committed: a
//! writer thread takes every line waiting, writes them at once, syncs once,
//! then answers each of their requests.

use std::fs::{File, OpenOptions};
use std::io::{self, BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc};

use axum::extract::{FromRef, State};
use axum::http::{Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use kit_webhooks::axum::{AuthenticDelivery, Rejection};
use kit_webhooks::{delivery_key, Error, Receiver};
use serde_json::json;
use tokio::sync::oneshot;

use crate::args::{ParserArgs, VerifierArgs};
use crate::dedupe::{self, Claim, Dedupe};
use crate::{Failure, Status};

/// Receive deliveries locally: verify, validate, keep.
///
/// Authentic valid deliveries are appended to --out, one JSON line each;
/// authentic deliveries the schemas reject go to --quarantine with their
/// errors, and are answered 202 (Kit never retries a 4xx, so they must not
/// be refused). Forged, stale or future deliveries get 401, a header/body
/// event mismatch 400; they are written nowhere. A 2xx is sent only after
/// the line is written and synced to disk.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    kit-webhooks listen --secret whsec_test --out kept.jsonl --quarantine quarantine.jsonl --dedupe\n  \
    kit-webhooks send --url http://127.0.0.1:8787/ --secret whsec_test tests/fixtures/valid/*.json")]
pub struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    #[command(flatten)]
    verifier: VerifierArgs,
    #[command(flatten)]
    parser: ParserArgs,
    /// Append valid deliveries here (default: standard output).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Append authentic but invalid deliveries here (default: standard error).
    #[arg(long, value_name = "FILE")]
    quarantine: Option<PathBuf>,
    /// Keep each delivery once: answer an exact copy of one already kept (a
    /// retry) 200 without writing it again. The keys of the lines already in
    /// --out and --quarantine are read back at start.
    #[arg(long)]
    dedupe: bool,
    /// How many deliveries --dedupe remembers (about 100 bytes each); the
    /// oldest are forgotten first.
    #[arg(long, value_name = "N", default_value_t = 1_000_000, requires = "dedupe")]
    dedupe_capacity: usize,
}

/// Where kept deliveries go.
enum Target {
    File(File),
    Stdout,
    Stderr,
}

type Job = (Vec<u8>, oneshot::Sender<Result<(), String>>);

/// An append-only, durably flushed line sink served by one writer thread.
struct Sink {
    jobs: mpsc::Sender<Job>,
}

impl Sink {
    fn open(path: Option<&Path>, fallback: Target) -> io::Result<Sink> {
        let target = match path {
            None => fallback,
            Some(path) if path.as_os_str() == "-" => Target::Stdout,
            Some(path) => Target::File(open_for_append(path)?),
        };
        let (jobs, queue) = mpsc::channel::<Job>();
        std::thread::Builder::new()
            .name("kit-webhooks-writer".into())
            .spawn(move || write_loop(target, &queue))?;
        Ok(Sink { jobs })
    }

    /// Appends one line (without its newline) and returns once it is durable.
    async fn append(&self, mut line: Vec<u8>) -> Result<(), String> {
        line.push(b'\n');
        let (done, wait) = oneshot::channel();
        self.jobs
            .send((line, done))
            .map_err(|_| "the writer has stopped".to_owned())?;
        wait.await.map_err(|_| "the writer has stopped".to_owned())?
    }
}

/// Opens `path` for appending. A torn last line (from a process killed in the
/// middle of a write, so never acknowledged) is cut off first, so that lines
/// appended after a restart stay whole.
fn open_for_append(path: &Path) -> io::Result<File> {
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)?;
    let len = file.metadata()?.len();
    if len > 0 {
        let mut keep = len;
        let mut buf = [0u8; 4096];
        loop {
            let start = keep.saturating_sub(buf.len() as u64);
            let n = usize::try_from(keep - start).unwrap_or(buf.len());
            file.seek(SeekFrom::Start(start))?;
            file.read_exact(&mut buf[..n])?;
            if let Some(i) = buf[..n].iter().rposition(|&b| b == b'\n') {
                keep = start + i as u64 + 1;
                break;
            }
            if start == 0 {
                keep = 0;
                break;
            }
            keep = start;
        }
        if keep != len {
            eprintln!(
                "kit-webhooks listen: {}: cut off a torn last line ({} bytes, never acknowledged)",
                path.display(),
                len - keep
            );
            file.set_len(keep)?;
            file.sync_data()?;
        }
    }
    Ok(file)
}

fn write_loop(mut target: Target, queue: &mpsc::Receiver<Job>) {
    let mut batch: Vec<Job> = Vec::new();
    let mut buffer = Vec::new();
    while let Ok(first) = queue.recv() {
        batch.push(first);
        while batch.len() < 4096 {
            match queue.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        buffer.clear();
        for (line, _) in &batch {
            buffer.extend_from_slice(line);
        }
        let written = match &mut target {
            Target::File(file) => file.write_all(&buffer).and_then(|()| file.sync_data()),
            Target::Stdout => {
                let mut out = io::stdout().lock();
                out.write_all(&buffer).and_then(|()| out.flush())
            }
            Target::Stderr => {
                let mut out = io::stderr().lock();
                out.write_all(&buffer).and_then(|()| out.flush())
            }
        };
        let outcome = written.map_err(|e| e.to_string());
        for (_, done) in batch.drain(..) {
            let _ = done.send(outcome.clone());
        }
    }
}

#[derive(Clone)]
struct App {
    receiver: Receiver,
    out: Arc<Sink>,
    quarantine: Arc<Sink>,
    seen: Option<Arc<Dedupe>>,
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

pub fn run(args: Args) -> Result<Status, Failure> {
    let receiver = Receiver::new(args.verifier.verifier()).with_parser(args.parser.parser());
    let seen = if args.dedupe {
        let dedupe = Dedupe::new(args.dedupe_capacity);
        for (path, quarantined) in [(&args.out, false), (&args.quarantine, true)] {
            if let Some(path) = path.as_deref().filter(|p| p.as_os_str() != "-") {
                preload(&dedupe, path, quarantined)
                    .map_err(|e| Failure::Io(path.display().to_string(), e))?;
            }
        }
        eprintln!(
            "kit-webhooks listen: --dedupe knows {} deliveries already kept",
            dedupe.len()
        );
        Some(Arc::new(dedupe))
    } else {
        None
    };
    let out = Sink::open(args.out.as_deref(), Target::Stdout)
        .map_err(|e| Failure::Io(format!("--out {}", show(args.out.as_deref())), e))?;
    let quarantine = Sink::open(args.quarantine.as_deref(), Target::Stderr)
        .map_err(|e| Failure::Io(format!("--quarantine {}", show(args.quarantine.as_deref())), e))?;
    receiver.parser().warm_up();
    let app = App {
        receiver,
        out: Arc::new(out),
        quarantine: Arc::new(quarantine),
        seen,
    };
    let router = Router::new().fallback(receive).with_state(app);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Io("the async runtime".into(), e))?;
    let addr = args.addr;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::Io(format!("--addr {addr}"), e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::Io("the listener".into(), e))?;
        eprintln!("kit-webhooks listen: listening on http://{bound}/ (Ctrl-C to stop)");
        axum::serve(listener, router)
            .with_graceful_shutdown(shutdown())
            .await
            .map_err(|e| Failure::Io("the server".into(), e))?;
        eprintln!("kit-webhooks listen: stopped");
        Ok(Status::Ok)
    })
}

/// Reads back the keys of the deliveries a file already holds: whole lines
/// of `--out`, or the bodies of `--quarantine` records. A missing file holds none.
fn preload(dedupe: &Dedupe, path: &Path, quarantined: bool) -> io::Result<()> {
    let file = match File::open(path) {
        Ok(file) => file,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(e),
    };
    let mut reader = BufReader::new(file);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(());
        }
        // A torn last line was never acknowledged: it is not kept.
        if line.pop() != Some(b'\n') {
            return Ok(());
        }
        if !quarantined {
            dedupe.preload(dedupe::key(&line));
        } else if let Some(body) = quarantined_body(&line) {
            dedupe.preload(dedupe::key(&payload_line(&body)));
        }
    }
}

/// The body a quarantine record holds.
fn quarantined_body(record: &[u8]) -> Option<Vec<u8>> {
    let record: serde_json::Value = serde_json::from_slice(record).ok()?;
    match (record.get("body"), record.get("body_base64")) {
        (Some(serde_json::Value::String(text)), _) => Some(text.clone().into_bytes()),
        (_, Some(serde_json::Value::String(encoded))) => {
            base64::engine::general_purpose::STANDARD.decode(encoded).ok()
        }
        _ => None,
    }
}

fn show(path: Option<&Path>) -> String {
    path.map_or("-".into(), |p| p.display().to_string())
}

async fn shutdown() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
}

async fn receive(
    State(app): State<App>,
    method: Method,
    delivery: Result<AuthenticDelivery, Rejection>,
) -> Response {
    if method != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "POST a Kit webhook delivery here\n",
        )
            .into_response();
    }
    let delivery = match delivery {
        Ok(delivery) => delivery,
        Err(rejection) => {
            eprintln!(
                "kit-webhooks listen: refused ({}): {rejection}",
                rejection.0.status()
            );
            return rejection.into_response();
        }
    };
    let key = delivery_key(&delivery.body);
    let (sink, line, status) = match &delivery.event {
        Ok(_) => (&app.out, payload_line(&delivery.body), StatusCode::OK),
        Err(error) => (
            &app.quarantine,
            quarantine_line(&delivery, &key, error),
            StatusCode::ACCEPTED,
        ),
    };
    let pending = match &app.seen {
        Some(seen) => match seen.claim(dedupe::key(&payload_line(&delivery.body))).await {
            Claim::Duplicate => return (StatusCode::OK, "duplicate: already kept\n").into_response(),
            Claim::New(pending) => Some(pending),
        },
        None => None,
    };
    match sink.append(line).await {
        Ok(()) => {
            if let Some(pending) = pending {
                pending.kept();
            }
            let what = if status == StatusCode::OK {
                "kept\n"
            } else {
                "quarantined\n"
            };
            (status, what).into_response()
        }
        Err(e) => {
            eprintln!("kit-webhooks listen: could not store a delivery: {e}");
            // 5xx: Kit retries, so nothing is lost.
            (
                StatusCode::SERVICE_UNAVAILABLE,
                "could not store the delivery; retry\n",
            )
                .into_response()
        }
    }
}

/// The delivery's payload on one line. A valid body holds no raw newline
/// inside a string, so replacing line breaks by spaces changes only whitespace.
fn payload_line(body: &[u8]) -> Vec<u8> {
    body.iter()
        .map(|&b| if b == b'\n' || b == b'\r' { b' ' } else { b })
        .collect()
}

fn quarantine_line(delivery: &AuthenticDelivery, key: &str, error: &Error) -> Vec<u8> {
    let body = match std::str::from_utf8(&delivery.body) {
        Ok(text) => json!({ "body": text }),
        Err(_) => json!({ "body_base64": base64::engine::general_purpose::STANDARD.encode(&delivery.body) }),
    };
    let mut record = json!({
        "received_at": kit_webhooks::signature::format_timestamp(chrono::Utc::now()),
        "delivery_key": key,
        "signed_at": kit_webhooks::signature::format_timestamp(delivery.verified.timestamp),
        "error": error.to_string(),
        "errors": error.to_violations(),
    });
    if let (Some(record), serde_json::Value::Object(body)) = (record.as_object_mut(), body) {
        record.extend(body);
    }
    serde_json::to_vec(&record).unwrap_or_default()
}
