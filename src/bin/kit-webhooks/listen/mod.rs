//! `kit-webhooks listen`: a receiver on the axum extractor that can face the
//! internet.
//!
//! A 2xx answer means kept: the delivery is written and synced to disk (or,
//! when `--out` is standard output, written and flushed to it) before the
//! answer is sent. Writes are group-committed: a writer thread takes every
//! line waiting, writes them at once, syncs once, then answers each of their
//! requests. Connections are held to the limits in [`serve`].

mod serve;
mod sink;

use std::fs::File;
use std::io::{self, BufRead, BufReader};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::sync::Arc;

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
    out: Arc<Sink>,
    quarantine: Arc<Sink>,
    seen: Option<Arc<Dedupe>>,
    body_timeout: std::time::Duration,
}

impl FromRef<App> for Receiver {
    fn from_ref(app: &App) -> Receiver {
        app.receiver.clone()
    }
}

pub fn run(args: Args) -> Result<Status, Failure> {
    let receiver = Receiver::new(args.verifier.verifier()).with_parser(args.parser.parser());
    let out = args.out.filter(|p| p.as_os_str() != "-");
    let quarantine = args
        .quarantine
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
    serve::warn_if_over_open_files(&args.limits);
    receiver.parser().warm_up();
    let app = App {
        receiver,
        out: Arc::new(out_sink),
        quarantine: Arc::new(quarantine_sink),
        seen,
        body_timeout: args.limits.body_timeout(),
    };
    let router = Router::new().fallback(receive).with_state(app);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| Failure::Io("the async runtime".into(), e))?;
    let addr = args.addr;
    let limits = args.limits;
    runtime.block_on(async move {
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| Failure::Io(format!("--addr {addr}"), e))?;
        let bound = listener
            .local_addr()
            .map_err(|e| Failure::Io("the listener".into(), e))?;
        eprintln!("kit-webhooks listen: listening on http://{bound}/ (Ctrl-C to stop)");
        serve::serve(listener, router, &limits, shutdown()).await;
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
    // The body must arrive whole within --body-timeout (a deadline for all of
    // it, not per read, so that a trickle cannot hold the connection).
    let delivery =
        match tokio::time::timeout(app.body_timeout, AuthenticDelivery::from_request(request, &app)).await {
            Err(_) => {
                eprintln!(
                    "kit-webhooks listen: a body took longer than --body-timeout {:?}; answered 503",
                    app.body_timeout
                );
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
