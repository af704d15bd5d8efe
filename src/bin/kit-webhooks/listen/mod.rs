//! `kit-webhooks listen`: a receiver on the axum extractor that can face the
//! internet.
//!
//! A 2xx answer means kept: the delivery is written and synced to disk (or,
//! when `--out` is standard output, written and flushed to it) before the
//! answer is sent. Writes are group-committed: a writer thread takes every
//! line waiting, writes them at once, syncs once, then answers each of their
//! requests. Connections are held to the limits in [`serve`].

#[cfg(feature = "metrics")]
mod metrics;
#[cfg(feature = "nats")]
mod nats;
mod serve;
mod sink;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::extract::{FromRef, FromRequest, Request, State};
use axum::http::{header, Method, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Router;
use base64::Engine as _;
use kit_webhooks::axum::AuthenticDelivery;
use kit_webhooks::{delivery_key, Error, Receiver};
use serde_json::json;

use crate::args::{ParserArgs, VerifierArgs};
use crate::dedupe::{self, Claim, Dedupe};
use crate::files::{payload_line, quarantined_body};
use crate::{Failure, Status};
use serve::Limits;
use sink::Sink;

/// Receive deliveries: verify, validate, keep.
///
/// Authentic valid deliveries are appended to --out, one JSON line each;
/// authentic deliveries the schemas reject go to the --quarantine file with
/// their errors, and are answered 202 (Kit never retries a 4xx, so they must
/// not be refused). Forged, stale or future deliveries get 401, a header/body
/// event mismatch 400; they are written nowhere. A 2xx is sent only after the
/// line is written and synced to disk.
///
/// Without --out, valid deliveries go to standard output, and a 2xx then
/// means only that the line was written and flushed to it: it is kept only
/// if whatever reads standard output keeps it. listen warns of this at start.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    kit-webhooks listen --secret whsec_test --out kept.jsonl --dedupe\n  \
    kit-webhooks send --url http://127.0.0.1:8787/ --secret whsec_test tests/fixtures/valid/*.json")]
pub struct Args {
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1:8787")]
    addr: SocketAddr,
    #[command(flatten)]
    verifier: VerifierArgs,
    #[command(flatten)]
    parser: ParserArgs,
    /// Append valid deliveries to this file, synced before each 2xx
    /// (default, or "-": standard output, flushed but not synced).
    #[arg(long, value_name = "FILE")]
    out: Option<PathBuf>,
    /// Append authentic but invalid deliveries to this file, synced before
    /// each 202 (default: NAME.quarantine.jsonl beside an --out file
    /// NAME.jsonl, or quarantine.jsonl in the working directory). It is always
    /// a file: an answered delivery is never only on a terminal.
    #[arg(long, value_name = "FILE", value_parser = quarantine_path)]
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
    #[command(flatten)]
    limits: Limits,
    #[cfg(feature = "nats")]
    #[command(flatten)]
    nats: nats::NatsArgs,
    /// Serve Prometheus metrics at http://ADDR/metrics.
    #[cfg(feature = "metrics")]
    #[arg(long, value_name = "ADDR")]
    metrics: Option<SocketAddr>,
}

fn quarantine_path(value: &str) -> Result<PathBuf, String> {
    if value == "-" || value.is_empty() {
        return Err("must be a file: a 202 promises the delivery is kept".into());
    }
    Ok(PathBuf::from(value))
}

/// Where quarantined deliveries go without `--quarantine`: beside the `--out`
/// file (`kept.jsonl` gives `kept.quarantine.jsonl`), or `quarantine.jsonl`
/// in the working directory when `--out` is standard output.
fn default_quarantine(out: Option<&Path>) -> PathBuf {
    match out {
        Some(out) => {
            let stem = out
                .file_stem()
                .map_or_else(|| "out".into(), |s| s.to_string_lossy());
            out.with_file_name(format!("{stem}.quarantine.jsonl"))
        }
        None => PathBuf::from("quarantine.jsonl"),
    }
}

#[derive(Clone)]
struct App {
    receiver: Receiver,
    store: Store,
    seen: Option<Arc<Dedupe>>,
    body_timeout: std::time::Duration,
    #[cfg(feature = "metrics")]
    metrics: Option<Arc<metrics::Metrics>>,
}

/// Where kept deliveries go.
#[derive(Clone)]
enum Store {
    /// `--out` and `--quarantine`.
    Files { out: Arc<Sink>, quarantine: Arc<Sink> },
    /// `--sink nats://…`.
    #[cfg(feature = "nats")]
    Nats(Arc<nats::NatsSink>),
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

pub fn run(args: Args) -> Result<Status, Failure> {
    let receiver = Receiver::new(args.verifier.verifier()).with_parser(args.parser.parser());
    #[cfg(feature = "nats")]
    let to_nats = !args.nats.servers.is_empty();
    #[cfg(not(feature = "nats"))]
    let to_nats = false;
    let (files, seen) = if to_nats {
        (None, None)
    } else {
        open_files(&args).map(|(s, d)| (Some(s), d))?
    };
    serve::warn_if_over_open_files(&args.limits);
    receiver.parser().warm_up();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Io("the async runtime".into(), e))?;
    let addr = args.addr;
    let limits = args.limits;
    let body_timeout = limits.body_timeout();
    runtime.block_on(async move {
        #[cfg(not(feature = "nats"))]
        let store = files.ok_or_else(|| Failure::Usage("no sink".into()))?;
        #[cfg(feature = "nats")]
        let store = match files {
            Some(store) => store,
            None => {
                let sink = nats::NatsSink::connect(&args.nats).await.map_err(Failure::Usage)?;
                eprintln!(
                    "kit-webhooks listen: valid deliveries to JetStream stream {} (kit.webhooks.<event>), invalid ones to kit.quarantine.<event>, at {}",
                    args.nats.stream,
                    args.nats.servers.join(",")
                );
                Store::Nats(Arc::new(sink))
            }
        };
        #[cfg(feature = "metrics")]
        let metrics = match args.metrics {
            Some(at) => {
                let metrics = Arc::new(metrics::Metrics::new());
                let bound = metrics::serve(at, Arc::clone(&metrics))
                    .await
                    .map_err(|e| Failure::Io(format!("--metrics {at}"), e))?;
                eprintln!("kit-webhooks listen: metrics at http://{bound}/metrics");
                Some(metrics)
            }
            None => None,
        };
        #[cfg(feature = "metrics")]
        let open = metrics.as_ref().map(|m| Arc::clone(&m.open));
        #[cfg(not(feature = "metrics"))]
        let open = None;
        let app = App {
            receiver,
            store,
            seen,
            body_timeout,
            #[cfg(feature = "metrics")]
            metrics,
        };
        let router = Router::new().fallback(receive).with_state(app);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::Io(format!("--addr {addr}"), e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::Io("the listener".into(), e))?;
        eprintln!("kit-webhooks listen: listening on http://{bound}/ (Ctrl-C to stop)");
        serve::serve(listener, router, &limits, open, shutdown()).await;
        eprintln!("kit-webhooks listen: stopped");
        Ok(Status::Ok)
    })
}

/// The file sinks (`--out`, `--quarantine`) and `--dedupe`'s memory of them.
fn open_files(args: &Args) -> Result<(Store, Option<Arc<Dedupe>>), Failure> {
    let out = args.out.clone().filter(|p| p.as_os_str() != "-");
    let quarantine = args
        .quarantine
        .clone()
        .unwrap_or_else(|| default_quarantine(out.as_deref()));
    let seen = if args.dedupe {
        let dedupe = Dedupe::new(args.dedupe_capacity);
        for (path, quarantined) in [(out.as_deref(), false), (Some(quarantine.as_path()), true)] {
            if let Some(path) = path {
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
    let out_sink =
        Sink::open(out.as_deref()).map_err(|e| Failure::Io(format!("--out {}", show(out.as_deref())), e))?;
    let quarantine_sink = Sink::open(Some(&quarantine))
        .map_err(|e| Failure::Io(format!("--quarantine {}", quarantine.display()), e))?;
    if out.is_none() {
        eprintln!(
            "kit-webhooks listen: warning: valid deliveries go to standard output; a 2xx means written and \
             flushed there, not synced to disk. Pass --out FILE to keep them durably."
        );
    }
    eprintln!(
        "kit-webhooks listen: valid deliveries to {}, invalid ones to {}",
        show(out.as_deref()),
        quarantine.display()
    );
    let store = Store::Files {
        out: Arc::new(out_sink),
        quarantine: Arc::new(quarantine_sink),
    };
    Ok((store, seen))
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

fn show(path: Option<&Path>) -> String {
    path.map_or("standard output".into(), |p| p.display().to_string())
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

async fn receive(State(app): State<App>, request: Request) -> Response {
    if request.method() != Method::POST {
        return (
            StatusCode::METHOD_NOT_ALLOWED,
            "POST a Kit webhook delivery here\n",
        )
            .into_response();
    }
    #[cfg(feature = "metrics")]
    let _in_flight = app.metrics.as_ref().map(metrics::Metrics::in_flight);
    // The body must arrive whole within --body-timeout (a deadline for all of
    // it, not per read, so that a trickle cannot hold the connection).
    let delivery =
        match tokio::time::timeout(app.body_timeout, AuthenticDelivery::from_request(request, &app)).await {
            Err(_) => {
                eprintln!(
                    "kit-webhooks listen: a body took longer than --body-timeout {:?}; answered 503",
                    app.body_timeout
                );
                #[cfg(feature = "metrics")]
                app.count(|m| m.refused("timeout"));
                // Never received, so nothing is lost; 5xx so that a real sender retries.
                return (
                    StatusCode::SERVICE_UNAVAILABLE,
                    [(header::CONNECTION, "close")],
                    "the body did not arrive in time; retry\n",
                )
                    .into_response();
            }
            Ok(Ok(delivery)) => delivery,
            Ok(Err(rejection)) => {
                eprintln!(
                    "kit-webhooks listen: refused ({}): {rejection}",
                    rejection.0.status()
                );
                #[cfg(feature = "metrics")]
                app.count(|m| m.refused(metrics::reason(&rejection.0)));
                return rejection.into_response();
            }
        };
    let key = delivery_key(&delivery.body);
    let (outcome, _took) = match &app.store {
        Store::Files { out, quarantine } => keep_in_files(&app, out, quarantine, &delivery, &key).await,
        #[cfg(feature = "nats")]
        Store::Nats(sink) => keep_in_nats(sink, &delivery, &key).await,
    };
    #[cfg(feature = "metrics")]
    app.count(|m| {
        m.outcome(outcome.label());
        if let Some(took) = _took {
            m.sink(took);
        }
        if matches!(outcome, Fate::Kept) {
            m.drift(&delivery.drift);
        }
    });
    outcome.into_response()
}

/// What became of an authentic delivery.
enum Fate {
    Kept,
    Duplicate,
    Quarantined,
    /// The sink failed: 503, so that Kit retries.
    Unavailable,
}

impl Fate {
    #[cfg(feature = "metrics")]
    fn label(&self) -> &'static str {
        match self {
            Fate::Kept => "kept",
            Fate::Duplicate => "duplicate",
            Fate::Quarantined => "quarantined",
            Fate::Unavailable => "unavailable",
        }
    }

    fn into_response(self) -> Response {
        match self {
            Fate::Kept => (StatusCode::OK, "kept\n").into_response(),
            Fate::Duplicate => (StatusCode::OK, "duplicate: already kept\n").into_response(),
            Fate::Quarantined => (StatusCode::ACCEPTED, "quarantined\n").into_response(),
            Fate::Unavailable => (
                StatusCode::SERVICE_UNAVAILABLE,
                "could not store the delivery; retry\n",
            )
                .into_response(),
        }
    }
}

#[cfg(feature = "metrics")]
impl App {
    /// Runs `f` on the metrics, when they are on.
    fn count(&self, f: impl FnOnce(&metrics::Metrics)) {
        if let Some(metrics) = &self.metrics {
            f(metrics);
        }
    }
}

/// Keeps a delivery in `--out` (valid) or `--quarantine` (invalid), once
/// with `--dedupe`; and how long the sink took, when it was asked.
async fn keep_in_files(
    app: &App,
    out: &Sink,
    quarantine: &Sink,
    delivery: &AuthenticDelivery,
    key: &str,
) -> (Fate, Option<Duration>) {
    let (sink, line, kept) = match &delivery.event {
        Ok(_) => (out, payload_line(&delivery.body), Fate::Kept),
        Err(error) => (
            quarantine,
            quarantine_line(delivery, key, error),
            Fate::Quarantined,
        ),
    };
    let pending = match &app.seen {
        Some(seen) => match seen.claim(dedupe::key(&payload_line(&delivery.body))).await {
            Claim::Duplicate => return (Fate::Duplicate, None),
            Claim::New(pending) => Some(pending),
        },
        None => None,
    };
    let started = Instant::now();
    match sink.append(line).await {
        Ok(()) => {
            if let Some(pending) = pending {
                pending.kept();
            }
            (kept, Some(started.elapsed()))
        }
        Err(e) => {
            eprintln!("kit-webhooks listen: could not store a delivery: {e}");
            (Fate::Unavailable, None)
        }
    }
}

/// Publishes a delivery to JetStream: `kit.webhooks.<event>` (valid) or
/// `kit.quarantine.<event>` (invalid, with its first error), keyed by the
/// delivery key so that the stream keeps one copy.
#[cfg(feature = "nats")]
async fn keep_in_nats(
    sink: &nats::NatsSink,
    delivery: &AuthenticDelivery,
    key: &str,
) -> (Fate, Option<Duration>) {
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", key);
    headers.insert(
        "Kit-Signed-At",
        kit_webhooks::signature::format_timestamp(delivery.verified.timestamp).as_str(),
    );
    let (subject, event, kept) = match &delivery.event {
        Ok(event) => (
            nats::subject(nats::KEPT, Some(event.event_name())),
            event.event_name().to_owned(),
            Fate::Kept,
        ),
        Err(error) => {
            let event = body_event(&delivery.body);
            headers.insert("Kit-Error", nats::header_value(&error.to_string()).as_str());
            (
                nats::subject(nats::QUARANTINED, event.as_deref()),
                event.unwrap_or_default(),
                Fate::Quarantined,
            )
        }
    };
    headers.insert("Kit-Event", nats::header_value(&event).as_str());
    let started = Instant::now();
    match sink.publish(subject, headers, delivery.body.clone()).await {
        Ok(nats::Stored::New) => (kept, Some(started.elapsed())),
        Ok(nats::Stored::Duplicate) => (Fate::Duplicate, Some(started.elapsed())),
        Err(e) => {
            eprintln!("kit-webhooks listen: JetStream did not store a delivery: {e}; answered 503");
            (Fate::Unavailable, None)
        }
    }
}

/// The `event` of a body the schemas refused, when it has a string one.
#[cfg(feature = "nats")]
fn body_event(body: &[u8]) -> Option<String> {
    let value: serde_json::Value = serde_json::from_slice(body).ok()?;
    value.get("event")?.as_str().map(str::to_owned)
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
