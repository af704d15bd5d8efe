//! `kit-webhooks`: validate, parse and inspect Kit webhook deliveries from the
//! command line, with the schemas this crate is built from.

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use chrono::{DateTime, Utc};
use clap::{Parser as ClapParser, Subcommand, ValueEnum};
use kit_webhooks::{schema, Error, EventType, Mode, Parser, Receiver, Signer, Verifier, WebhookEvent};
use serde::Serialize;

#[path = "kit-webhooks/diff.rs"]
mod diff;
#[path = "kit-webhooks/listen.rs"]
mod listen;
#[path = "kit-webhooks/send.rs"]
mod send;

/// Validate, parse and inspect Kit webhook deliveries against the schemas of
/// the 28 documented events.
///
/// Exit status: 0 when everything is valid, 1 when any delivery is invalid
/// (including malformed JSON and over-size input), 2 for usage errors and
/// unreadable files.
#[derive(ClapParser)]
#[command(name = "kit-webhooks", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Validate deliveries against their event's schema.
    ///
    /// Each FILE (or standard input, as `-` or when no FILE is given) holds one
    /// delivery, or one per line with --jsonl.
    #[command(after_help = "Examples:\n  \
        kit-webhooks validate tests/fixtures/valid/*.json\n  \
        kit-webhooks validate --strict --format json delivery.json\n  \
        cat deliveries.jsonl | kit-webhooks validate --jsonl --format json")]
    Validate {
        /// Reject fields and events the schemas do not document (for contract tests).
        #[arg(long)]
        strict: bool,
        /// Output format: `text` for people, `json` for one JSON object per delivery and line.
        #[arg(long, value_enum, default_value_t = Format::Text)]
        format: Format,
        /// Each input line is one delivery (blank lines are skipped).
        #[arg(long)]
        jsonl: bool,
        /// Largest delivery accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = Parser::DEFAULT_MAX_BODY_SIZE)]
        max_size: usize,
        /// Files to validate; `-` or nothing for standard input.
        #[arg(value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Validate one delivery and print its typed value, serialised back as JSON.
    #[command(after_help = "Example:\n  kit-webhooks parse tests/fixtures/valid/test.ping.json")]
    Parse {
        /// Reject fields and events the schemas do not document.
        #[arg(long)]
        strict: bool,
        /// Indent the output.
        #[arg(long)]
        pretty: bool,
        /// Largest delivery accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = Parser::DEFAULT_MAX_BODY_SIZE)]
        max_size: usize,
        /// The delivery; `-` or nothing for standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Print the self-contained JSON Schema of one event, or of all events (their union).
    #[command(after_help = "Examples:\n  \
        kit-webhooks schema application.submitted\n  \
        kit-webhooks schema --strict > webhook.strict.json")]
    Schema {
        /// The event; all events when omitted.
        #[arg(value_name = "EVENT")]
        event: Option<String>,
        /// The strict variant (unknown fields and events rejected).
        #[arg(long)]
        strict: bool,
    },
    /// Print the names of the documented events, one per line.
    Events,
    /// Compare two sets of schemas and say what the change breaks (exit 1 if anything does).
    Diff(diff::Args),
    /// Print the hex signature Kit would send for a body signed at a timestamp.
    #[command(after_help = "Example:\n  \
        kit-webhooks sign --secret whsec_test --timestamp 2025-01-15T14:30:00Z tests/fixtures/valid/test.ping.json")]
    Sign {
        #[command(flatten)]
        secret: OneSecret,
        /// The exact X-Webhook-Timestamp text that is signed.
        #[arg(long, value_name = "T")]
        timestamp: String,
        /// The raw body; `-` or nothing for standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// Check a body's signature and timestamp. Exit 0 if authentic, 1 if not (the reason on stderr).
    #[command(after_help = "Example:\n  \
        kit-webhooks verify --secret old --secret new --timestamp 2025-01-15T14:30:00Z \\\n      \
        --signature 3f2a... --now 2025-01-15T14:31:00Z delivery.json")]
    Verify {
        #[command(flatten)]
        secrets: Secrets,
        /// The X-Webhook-Timestamp header, exactly as received.
        #[arg(long, value_name = "T")]
        timestamp: String,
        /// The X-Webhook-Signature header (64 hex digits).
        #[arg(long, value_name = "HEX")]
        signature: String,
        /// The replay window, in seconds, applied both ways.
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        tolerance: u64,
        /// Verify as of this time (RFC 3339) instead of now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        now: Option<DateTime<Utc>>,
        /// The raw body; `-` or nothing for standard input.
        #[arg(value_name = "FILE")]
        file: Option<PathBuf>,
    },
    /// POST deliveries to a URL exactly as Kit does: raw file bytes, the five headers, a fresh signature.
    ///
    /// Prints each answer's status; exits 0 only if every answer was 2xx.
    #[command(after_help = "Example:\n  \
        kit-webhooks send --url http://127.0.0.1:8787/ --secret whsec_test tests/fixtures/valid/*.json")]
    Send {
        /// Where to POST (http:// only; this is for testing your own endpoint).
        #[arg(long)]
        url: String,
        #[command(flatten)]
        secret: OneSecret,
        /// Sign at this time (RFC 3339) instead of now.
        #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
        timestamp: Option<DateTime<Utc>>,
        /// The deliveries to send.
        #[arg(value_name = "FILE", required = true)]
        files: Vec<PathBuf>,
    },
    /// Receive deliveries locally: verify, validate, keep.
    ///
    /// Authentic valid deliveries are appended to --out, one JSON line each;
    /// authentic deliveries the schemas reject go to --quarantine with their
    /// errors, and are answered 202 (Kit never retries a 4xx, so they must not
    /// be refused). Forged, stale or future deliveries get 401, a header/body
    /// event mismatch 400; they are written nowhere. A 2xx is sent only after
    /// the line is written and synced to disk.
    #[command(after_help = "Example:\n  \
        kit-webhooks listen --secret whsec_test --out kept.jsonl --quarantine quarantine.jsonl\n  \
        kit-webhooks send --url http://127.0.0.1:8787/ --secret whsec_test tests/fixtures/valid/*.json")]
    Listen {
        /// The address to listen on.
        #[arg(long, default_value = "127.0.0.1:8787")]
        addr: std::net::SocketAddr,
        #[command(flatten)]
        secrets: Secrets,
        /// Append valid deliveries here (default: standard output).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// Append authentic but invalid deliveries here (default: standard error).
        #[arg(long, value_name = "FILE")]
        quarantine: Option<PathBuf>,
        /// Skip exact duplicates (same body) already kept by this process.
        #[arg(long)]
        dedupe: bool,
        /// Reject fields and events the schemas do not document (they go to quarantine).
        #[arg(long)]
        strict: bool,
        /// The replay window, in seconds, applied both ways.
        #[arg(long, value_name = "SECONDS", default_value_t = 300)]
        tolerance: u64,
        /// Largest body accepted, in bytes.
        #[arg(long, value_name = "BYTES", default_value_t = Parser::DEFAULT_MAX_BODY_SIZE)]
        max_size: usize,
    },
}

/// One signing secret.
#[derive(clap::Args)]
struct OneSecret {
    /// The signing secret, used as its UTF-8 bytes.
    #[arg(long, env = "KIT_WEBHOOK_SECRET", hide_env_values = true)]
    secret: String,
}

/// One or more signing secrets (rotation).
#[derive(clap::Args)]
struct Secrets {
    /// A signing secret; repeat it to accept the old and the new secret during a rotation.
    #[arg(
        long = "secret",
        env = "KIT_WEBHOOK_SECRET",
        hide_env_values = true,
        required = true
    )]
    secrets: Vec<String>,
}

impl Secrets {
    fn verifier(&self, tolerance: u64) -> Verifier {
        let mut secrets = self.secrets.iter();
        let first = secrets.next().map_or("", String::as_str);
        secrets
            .fold(Verifier::new(first), |v, s| v.with_secret(s))
            .tolerance(std::time::Duration::from_secs(tolerance))
    }
}

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 date-time ({e})"))
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Validate {
            strict,
            format,
            jsonl,
            max_size,
            files,
        } => validate(mode(strict), format, jsonl, max_size, &files),
        Command::Parse {
            strict,
            pretty,
            max_size,
            file,
        } => parse(mode(strict), pretty, max_size, file),
        Command::Schema { event, strict } => print_schema(event.as_deref(), mode(strict)),
        Command::Sign {
            secret,
            timestamp,
            file,
        } => sign(&secret.secret, &timestamp, file),
        Command::Verify {
            secrets,
            timestamp,
            signature,
            tolerance,
            now,
            file,
        } => verify(&secrets.verifier(tolerance), &timestamp, &signature, now, file),
        Command::Send {
            url,
            secret,
            timestamp,
            files,
        } => send::send(&url, &secret.secret, timestamp, &files),
        Command::Listen {
            addr,
            secrets,
            out,
            quarantine,
            dedupe,
            strict,
            tolerance,
            max_size,
        } => {
            let parser = Parser::new().mode(mode(strict)).max_body_size(max_size);
            let receiver = Receiver::new(secrets.verifier(tolerance)).with_parser(parser);
            listen::listen(listen::Options {
                addr,
                receiver,
                out,
                quarantine,
                dedupe,
            })
        }
        Command::Diff(args) => diff::run(&args),
        Command::Events => {
            let mut out = io::stdout().lock();
            EventType::ALL
                .iter()
                .try_for_each(|event| writeln!(out, "{event}"))
                .map(|()| Status::Ok)
                .map_err(|e| Failure::Io("standard output".into(), e))
        }
    };
    match result {
        Ok(status) => status.into(),
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        Err(Failure::Io(what, e)) if e.kind() == io::ErrorKind::BrokenPipe => {
            let _ = what;
            ExitCode::from(2)
        }
        Err(Failure::Io(what, e)) => {
            eprintln!("error: {what}: {e}");
            ExitCode::from(2)
        }
    }
}

fn mode(strict: bool) -> Mode {
    if strict {
        Mode::Strict
    } else {
        Mode::Lenient
    }
}

/// How a command ended, when it ran.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Status {
    Ok,
    Invalid,
    Unreadable,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Ok => ExitCode::SUCCESS,
            Status::Invalid => ExitCode::from(1),
            Status::Unreadable => ExitCode::from(2),
        }
    }
}

enum Failure {
    Usage(String),
    Io(String, io::Error),
}

// ---------------------------------------------------------------------------
// Reading input without ever holding much more than the limit
// ---------------------------------------------------------------------------

/// One input: a file or standard input, with its display name.
struct Input {
    name: String,
    reader: Box<dyn BufRead + Send>,
}

fn open(path: Option<&PathBuf>) -> io::Result<Input> {
    match path {
        None => Ok(Input {
            name: "-".into(),
            reader: Box::new(BufReader::with_capacity(1 << 16, io::stdin())),
        }),
        Some(p) if p.as_os_str() == "-" => open(None),
        Some(p) => {
            let file = File::open(p)?;
            if file.metadata()?.is_dir() {
                return Err(io::Error::new(io::ErrorKind::InvalidInput, "is a directory"));
            }
            Ok(Input {
                name: p.display().to_string(),
                reader: Box::new(BufReader::with_capacity(1 << 16, file)),
            })
        }
    }
}

/// A body read up to `limit`, or how large it turned out to be beyond it.
enum Body {
    Whole(Vec<u8>),
    TooLarge(usize),
}

/// Reads everything, keeping at most `limit` bytes (the rest is counted, not stored).
fn read_all(reader: &mut dyn BufRead, limit: usize) -> io::Result<Body> {
    let mut body = Vec::new();
    reader.take(limit as u64 + 1).read_to_end(&mut body)?;
    if body.len() <= limit {
        return Ok(Body::Whole(body));
    }
    let mut size = body.len();
    drop(body);
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(Body::TooLarge(size));
        }
        let n = chunk.len();
        size += n;
        reader.consume(n);
    }
}

/// Reads the next line (without its `\n`) into `line`, keeping at most
/// `limit` bytes. Returns `None` at the end of input.
fn read_line(reader: &mut dyn BufRead, limit: usize, line: &mut Vec<u8>) -> io::Result<Option<Body>> {
    line.clear();
    let mut size = 0usize;
    let mut seen_any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            break;
        }
        seen_any = true;
        let (take, done) = match memchr(chunk) {
            Some(i) => (i, true),
            None => (chunk.len(), false),
        };
        if size + take <= limit {
            line.extend_from_slice(&chunk[..take]);
        }
        size += take;
        reader.consume(take + usize::from(done));
        if done {
            break;
        }
    }
    if !seen_any {
        return Ok(None);
    }
    if line.last() == Some(&b'\r') && size <= limit {
        line.pop();
        size -= 1;
    }
    if size > limit {
        line.clear();
        return Ok(Some(Body::TooLarge(size)));
    }
    Ok(Some(Body::Whole(std::mem::take(line))))
}

fn memchr(bytes: &[u8]) -> Option<usize> {
    bytes.iter().position(|&b| b == b'\n')
}

// ---------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------

#[derive(Serialize)]
struct Report<'a> {
    source: &'a str,
    valid: bool,
    event: Option<&'a str>,
    errors: Vec<ReportError<'a>>,
}

#[derive(Serialize)]
struct ReportError<'a> {
    instance_path: &'a str,
    keyword: &'a str,
    message: std::borrow::Cow<'a, str>,
}

fn validate(
    mode: Mode,
    format: Format,
    jsonl: bool,
    max_size: usize,
    files: &[PathBuf],
) -> Result<Status, Failure> {
    let parser = Parser::new().mode(mode).max_body_size(max_size);
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut status = Status::Ok;
    let inputs: Vec<Option<&PathBuf>> = if files.is_empty() {
        vec![None]
    } else {
        files.iter().map(Some).collect()
    };
    for path in inputs {
        let mut input = match open(path) {
            Ok(input) => input,
            Err(e) => {
                out.flush()
                    .map_err(|e| Failure::Io("standard output".into(), e))?;
                eprintln!(
                    "error: {}: {e}",
                    path.map_or("-".into(), |p| p.display().to_string())
                );
                status = status.max(Status::Unreadable);
                continue;
            }
        };
        let outcome: io::Result<()> = (|| {
            if jsonl {
                if validate_lines(&parser, format, &mut input, &mut out)? {
                    status = status.max(Status::Invalid);
                }
            } else {
                let body = read_all(&mut *input.reader, max_size)?;
                if !report(&parser, &input.name, body, format, &mut out)? {
                    status = status.max(Status::Invalid);
                }
            }
            Ok(())
        })();
        if let Err(e) = outcome {
            if e.kind() == io::ErrorKind::BrokenPipe {
                return Err(Failure::Io("standard output".into(), e));
            }
            out.flush()
                .map_err(|e| Failure::Io("standard output".into(), e))?;
            eprintln!("error: {}: {e}", input.name);
            status = status.max(Status::Unreadable);
        }
    }
    out.flush()
        .map_err(|e| Failure::Io("standard output".into(), e))?;
    Ok(status)
}

/// Lines per batch handed to a worker, and the bytes that close a batch early.
const BATCH_LINES: usize = 512;
const BATCH_BYTES: usize = 256 * 1024;

/// `validate --jsonl`: streams lines through the validator on every core,
/// in batches, and writes the reports in input order. Memory stays bounded:
/// a few batches are in flight at once. Returns whether any line was invalid.
fn validate_lines(
    parser: &Parser,
    format: Format,
    input: &mut Input,
    out: &mut dyn Write,
) -> io::Result<bool> {
    use std::sync::{mpsc, Mutex};
    type Batch = (usize, usize, Vec<Body>); // (sequence, first line number, bodies)
    let workers = std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 8);
    let (to_workers, work) = mpsc::sync_channel::<Batch>(workers * 2);
    let work = Mutex::new(work);
    let (to_writer, done) = mpsc::sync_channel::<(usize, io::Result<(Vec<u8>, bool)>)>(workers * 2);
    let name = input.name.clone();
    let limit = parser.current_max_body_size();
    // Set when output fails (a closed pipe): everyone winds down without more work.
    let stop = std::sync::atomic::AtomicBool::new(false);
    let stopped = || stop.load(std::sync::atomic::Ordering::Relaxed);
    std::thread::scope(|scope| {
        let reader = &mut input.reader;
        let stopped_reader = &stopped;
        let reading = scope.spawn(move || -> io::Result<()> {
            let stopped = stopped_reader;
            let mut line = Vec::new();
            let (mut sequence, mut number, mut first) = (0usize, 0usize, 1usize);
            let (mut batch, mut bytes) = (Vec::with_capacity(BATCH_LINES), 0usize);
            while let Some(body) = read_line(&mut **reader, limit, &mut line)? {
                if stopped() {
                    return Ok(());
                }
                number += 1;
                if batch.is_empty() {
                    first = number;
                }
                if let Body::Whole(b) = &body {
                    bytes += b.len();
                }
                batch.push(body);
                if batch.len() == BATCH_LINES || bytes >= BATCH_BYTES {
                    if to_workers
                        .send((sequence, first, std::mem::take(&mut batch)))
                        .is_err()
                    {
                        return Ok(());
                    }
                    sequence += 1;
                    bytes = 0;
                }
            }
            if !batch.is_empty() {
                let _ = to_workers.send((sequence, first, batch));
            }
            Ok(())
        });
        for _ in 0..workers {
            let to_writer = to_writer.clone();
            let (work, name, stopped) = (&work, &name, &stopped);
            scope.spawn(move || loop {
                let next = work.lock().map(|w| w.recv());
                let Ok(Ok((sequence, first, bodies))) = next else {
                    return;
                };
                if stopped() {
                    continue;
                }
                let mut report_bytes = Vec::with_capacity(bodies.len() * 96);
                let mut any_invalid = false;
                let mut source = String::new();
                let mut result = Ok(());
                for (i, body) in bodies.into_iter().enumerate() {
                    if matches!(&body, Body::Whole(b) if b.iter().all(u8::is_ascii_whitespace)) {
                        continue; // blank lines separate, they are not deliveries
                    }
                    source.clear();
                    use std::fmt::Write as _;
                    let _ = write!(source, "{name}:{}", first + i);
                    match report(parser, &source, body, format, &mut report_bytes) {
                        Ok(valid) => any_invalid |= !valid,
                        Err(e) => {
                            result = Err(e);
                            break;
                        }
                    }
                }
                if to_writer
                    .send((sequence, result.map(|()| (report_bytes, any_invalid))))
                    .is_err()
                {
                    return;
                }
            });
        }
        drop(to_writer);
        // This thread writes, in input order.
        let mut pending = std::collections::BTreeMap::new();
        let mut next = 0usize;
        let mut any_invalid = false;
        let mut outcome = Ok(());
        for (sequence, result) in done.iter() {
            if outcome.is_err() {
                continue; // drain, so that every thread can finish
            }
            pending.insert(sequence, result);
            while let Some(result) = pending.remove(&next) {
                next += 1;
                match result.and_then(|(bytes, invalid)| out.write_all(&bytes).map(|()| invalid)) {
                    Ok(invalid) => any_invalid |= invalid,
                    Err(e) => {
                        stop.store(true, std::sync::atomic::Ordering::Relaxed);
                        outcome = Err(e);
                        break;
                    }
                }
            }
        }
        let read = reading
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("the reader thread failed")));
        outcome.and(read).map(|()| any_invalid)
    })
}

/// Validates one body and writes its report. Returns whether it was valid.
fn report(
    parser: &Parser,
    source: &str,
    body: Body,
    format: Format,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let result = match body {
        Body::Whole(bytes) => parser.parse(&bytes),
        Body::TooLarge(size) => Err(Error::TooLarge {
            size,
            limit: parser.current_max_body_size(),
        }),
    };
    let event_name;
    let (valid, event, errors): (bool, Option<&str>, Vec<ReportError<'_>>) = match &result {
        Ok(event) => {
            event_name = event.event_name().to_owned();
            (true, Some(event_name.as_str()), Vec::new())
        }
        Err(Error::Invalid(invalid)) => (
            false,
            invalid.event.as_deref(),
            invalid
                .violations
                .iter()
                .map(|v| ReportError {
                    instance_path: &v.instance_path,
                    keyword: &v.keyword,
                    message: v.message.as_str().into(),
                })
                .collect(),
        ),
        Err(Error::Json(json)) => (
            false,
            None,
            vec![ReportError {
                instance_path: "",
                keyword: "json",
                message: json.to_string().into(),
            }],
        ),
        Err(other) => (
            false,
            None,
            vec![ReportError {
                instance_path: "",
                keyword: "size",
                message: other.to_string().into(),
            }],
        ),
    };
    match format {
        Format::Json => {
            let report = Report {
                source,
                valid,
                event,
                errors,
            };
            serde_json::to_writer(&mut *out, &report)?;
            out.write_all(b"\n")?;
        }
        Format::Text => {
            let verdict = if valid { "valid" } else { "invalid" };
            match event {
                Some(event) => writeln!(out, "{source}: {verdict} ({event})")?,
                None => writeln!(out, "{source}: {verdict}")?,
            }
            for e in &errors {
                let path = if e.instance_path.is_empty() {
                    "(root)"
                } else {
                    e.instance_path
                };
                writeln!(out, "    {path}: {} [{}]", e.message, e.keyword)?;
            }
        }
    }
    Ok(valid)
}

// ---------------------------------------------------------------------------
// parse, schema
// ---------------------------------------------------------------------------

fn parse(mode: Mode, pretty: bool, max_size: usize, file: Option<PathBuf>) -> Result<Status, Failure> {
    let name = file.as_ref().map_or("-".into(), |p| p.display().to_string());
    let mut input = open(file.as_ref()).map_err(|e| Failure::Io(name.clone(), e))?;
    let body = read_all(&mut *input.reader, max_size).map_err(|e| Failure::Io(name.clone(), e))?;
    let parser = Parser::new().mode(mode).max_body_size(max_size);
    let result: Result<WebhookEvent, Error> = match body {
        Body::Whole(bytes) => parser.parse(&bytes),
        Body::TooLarge(size) => Err(Error::TooLarge {
            size,
            limit: max_size,
        }),
    };
    match result {
        Ok(event) => {
            let mut out = io::stdout().lock();
            let written = if pretty {
                serde_json::to_writer_pretty(&mut out, &event)
            } else {
                serde_json::to_writer(&mut out, &event)
            };
            written
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
                .map_err(|e| Failure::Io("standard output".into(), e))?;
            Ok(Status::Ok)
        }
        Err(err) => {
            eprintln!("{name}: {err}");
            for v in err.violations() {
                eprintln!("    {v}");
            }
            Ok(Status::Invalid)
        }
    }
}

fn print_schema(event: Option<&str>, mode: Mode) -> Result<Status, Failure> {
    let text = match event {
        None => schema::union(mode),
        Some(name) => {
            let event: EventType = name.parse().map_err(|_| {
                Failure::Usage(format!(
                    "unknown event {name:?}; `kit-webhooks events` lists the {} known events",
                    EventType::ALL.len()
                ))
            })?;
            event.bundled_schema(mode)
        }
    };
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::Io("standard output".into(), e))?;
    Ok(Status::Ok)
}

// ---------------------------------------------------------------------------
// sign, verify
// ---------------------------------------------------------------------------

/// Reads a whole body for signing or verifying (no size limit: these read
/// what the user gives them).
fn read_body(file: Option<PathBuf>) -> Result<Vec<u8>, Failure> {
    let name = file.as_ref().map_or("-".into(), |p| p.display().to_string());
    let mut input = open(file.as_ref()).map_err(|e| Failure::Io(name.clone(), e))?;
    let mut body = Vec::new();
    input
        .reader
        .read_to_end(&mut body)
        .map_err(|e| Failure::Io(name, e))?;
    Ok(body)
}

fn sign(secret: &str, timestamp: &str, file: Option<PathBuf>) -> Result<Status, Failure> {
    let body = read_body(file)?;
    say(&Signer::new(secret).sign(timestamp, &body))?;
    Ok(Status::Ok)
}

fn verify(
    verifier: &Verifier,
    timestamp: &str,
    signature: &str,
    now: Option<DateTime<Utc>>,
    file: Option<PathBuf>,
) -> Result<Status, Failure> {
    let body = read_body(file)?;
    match verifier.verify_at(timestamp, signature, &body, now.unwrap_or_else(Utc::now)) {
        Ok(verified) => {
            say(&format!(
                "authentic (secret #{} matched)",
                verified.secret_index + 1
            ))?;
            Ok(Status::Ok)
        }
        Err(e) => {
            eprintln!("not authentic: {e}");
            Ok(Status::Invalid)
        }
    }
}

/// Prints one line on standard output.
fn say(line: &str) -> Result<(), Failure> {
    writeln!(io::stdout().lock(), "{line}").map_err(|e| Failure::Io("standard output".into(), e))
}
