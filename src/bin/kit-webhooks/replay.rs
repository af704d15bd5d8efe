//! `kit-webhooks replay`: the quarantined deliveries the schemas now accept
//! move to `--out`; the rest stay.
//!
//! Crash-safe in this order: the moving deliveries are appended to `--out`
//! (each unless a line with the same delivery key is already there) and
//! synced; only then is the quarantine rewritten without them, through a
//! temporary file that is synced, renamed over it, and the directory synced.
//! Killed at any moment and run again, every delivery ends in exactly one
//! file: a torn line at the end of `--out` is cut (its delivery is still in
//! the quarantine), and what a first run already appended is found by key.

use std::collections::HashSet;
use std::fs::{self, File, OpenOptions};
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use kit_webhooks::{Error, Parser, Violation};
use rayon::prelude::*;
use serde::Serialize;

use crate::args::{Checker, Format, ModeArgs, SchemasArgs};
use crate::dedupe::{self, Key};
use crate::files::{self, payload_line, quarantined_body};
use crate::{Failure, Status};

/// Move the quarantined deliveries that are now valid to --out.
///
/// Each record of QUARANTINE (as `listen` writes it) is validated again,
/// against the embedded schemas or --schemas. The valid ones are appended to
/// --out in the line format of `listen`, unless a delivery with the same key
/// is already there, and synced; then the quarantine is rewritten atomically
/// with the rest. Run it again after a crash: nothing is lost or doubled.
///
/// Exit status: 0 when none stays, 1 when some stay, 2 for usage errors and
/// unreadable files.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    kit-webhooks replay kept.quarantine.jsonl --out kept.jsonl\n  \
    kit-webhooks replay kept.quarantine.jsonl --out kept.jsonl --schemas proposal/ --strict --format json")]
pub struct Args {
    /// The quarantine file `listen` wrote.
    #[arg(value_name = "QUARANTINE")]
    quarantine: PathBuf,
    /// The file valid deliveries go to (`listen --out`).
    #[arg(long, value_name = "FILE")]
    out: PathBuf,
    #[command(flatten)]
    mode: ModeArgs,
    #[command(flatten)]
    schemas: SchemasArgs,
    /// Largest delivery accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Parser::DEFAULT_MAX_BODY_SIZE)]
    max_size: usize,
    /// Output format: `text` for people, `json` for one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
}

/// What a run did.
#[derive(Default, Serialize)]
struct Summary {
    /// Records moved out of the quarantine.
    moved: u64,
    /// Of those, how many `--out` already held (by delivery key).
    already_kept: u64,
    /// Records that stay.
    stayed: u64,
    /// Each record that stays, with its first error.
    staying: Vec<Staying>,
}

#[derive(Serialize)]
struct Staying {
    /// Its line in the quarantine as it was read.
    line: u64,
    event: Option<String>,
    error: Problem,
}

/// Why a record stays: a schema violation, or a record that holds no body.
#[derive(Serialize)]
struct Problem {
    instance_path: String,
    keyword: String,
    message: String,
}

impl From<Violation> for Problem {
    fn from(v: Violation) -> Self {
        Problem {
            instance_path: v.instance_path,
            keyword: v.keyword.to_string(),
            message: v.message,
        }
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let path = if self.instance_path.is_empty() {
            "(root)"
        } else {
            &self.instance_path
        };
        write!(f, "{path}: {} [{}]", self.message, self.keyword)
    }
}

/// A record's verdict.
enum Verdict {
    /// Valid: the line `--out` gets.
    Moves(Vec<u8>),
    Stays {
        event: Option<String>,
        error: Problem,
    },
}

const BATCH: usize = 2048;

pub fn run(args: &Args) -> Result<Status, Failure> {
    let checker = Checker::with(
        Parser::new().mode(args.mode.mode()).max_body_size(args.max_size),
        args.mode.mode(),
        args.schemas.read()?,
    );
    let io_error = |path: &Path| {
        let shown = path.display().to_string();
        move |e| Failure::Io(shown, e)
    };
    let quarantine = &args.quarantine;
    let source = File::open(quarantine).map_err(io_error(quarantine))?;
    files::lock(&source).map_err(io_error(quarantine))?;
    if same_file(quarantine, &args.out) {
        return Err(Failure::Usage("--out is the quarantine file".into()));
    }
    let out_file = files::open_for_append(&args.out, "replay").map_err(io_error(&args.out))?;
    let mut kept = kept_keys(&args.out).map_err(io_error(&args.out))?;
    let temporary = temporary_path(quarantine);
    let staying_file = OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .open(&temporary)
        .map_err(io_error(&temporary))?;

    let mut out = BufWriter::with_capacity(1 << 16, &out_file);
    let mut stay = BufWriter::with_capacity(1 << 16, &staying_file);
    let mut summary = Summary::default();
    let mut reader = BufReader::with_capacity(1 << 16, source);
    let mut number = 0u64;
    loop {
        let batch = read_batch(&mut reader, &mut number).map_err(io_error(quarantine))?;
        if batch.is_empty() {
            break;
        }
        let verdicts: Vec<Verdict> = batch
            .par_iter()
            .map(|(_, record)| judge(record, &checker))
            .collect();
        for ((line, record), verdict) in batch.iter().zip(verdicts) {
            match verdict {
                Verdict::Moves(payload) => {
                    summary.moved += 1;
                    if kept.insert(dedupe::key(&payload)) {
                        out.write_all(&payload)
                            .and_then(|()| out.write_all(b"\n"))
                            .map_err(io_error(&args.out))?;
                    } else {
                        summary.already_kept += 1;
                    }
                }
                Verdict::Stays { event, error } => {
                    summary.stayed += 1;
                    summary.staying.push(Staying {
                        line: *line,
                        event,
                        error,
                    });
                    stay.write_all(record)
                        .and_then(|()| stay.write_all(b"\n"))
                        .map_err(io_error(&temporary))?;
                }
            }
        }
    }
    // --out first, durably: until the quarantine is replaced, a moved
    // delivery is in both files, never in neither.
    out.flush().map_err(io_error(&args.out))?;
    drop(out);
    out_file.sync_data().map_err(io_error(&args.out))?;
    stay.flush().map_err(io_error(&temporary))?;
    drop(stay);
    staying_file.sync_all().map_err(io_error(&temporary))?;
    fs::rename(&temporary, quarantine).map_err(io_error(quarantine))?;
    sync_dir(quarantine).map_err(io_error(quarantine))?;
    report(args.format, &summary, quarantine, &args.out)?;
    Ok(if summary.stayed == 0 {
        Status::Ok
    } else {
        Status::Invalid
    })
}

fn judge(record: &[u8], checker: &Checker) -> Verdict {
    let Some(body) = quarantined_body(record) else {
        return Verdict::Stays {
            event: None,
            error: Problem {
                instance_path: String::new(),
                keyword: "record".into(),
                message: "not a quarantine record (no `body` or `body_base64`)".into(),
            },
        };
    };
    match checker.check(&body) {
        Ok(_) => Verdict::Moves(payload_line(&body)),
        Err(error) => Verdict::Stays {
            event: match &error {
                Error::Invalid(invalid) => invalid.event.clone(),
                _ => None,
            },
            error: error.to_violations().into_iter().next().map_or_else(
                || Problem {
                    instance_path: String::new(),
                    keyword: "schema".into(),
                    message: error.to_string(),
                },
                Problem::from,
            ),
        },
    }
}

/// The next lines of the quarantine (whole lines; a torn last line, never
/// acknowledged by `listen`, stays as it is).
fn read_batch(reader: &mut impl BufRead, number: &mut u64) -> io::Result<Vec<(u64, Vec<u8>)>> {
    let mut batch = Vec::new();
    while batch.len() < BATCH {
        let mut line = Vec::new();
        if reader.read_until(b'\n', &mut line)? == 0 {
            break;
        }
        *number += 1;
        if line.last() == Some(&b'\n') {
            line.pop();
        }
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        batch.push((*number, line));
    }
    Ok(batch)
}

/// The keys of the deliveries `--out` holds (its torn last line was cut).
fn kept_keys(path: &Path) -> io::Result<HashSet<Key>> {
    let mut keys = HashSet::new();
    let mut reader = BufReader::with_capacity(1 << 16, File::open(path)?);
    let mut line = Vec::new();
    loop {
        line.clear();
        if reader.read_until(b'\n', &mut line)? == 0 {
            return Ok(keys);
        }
        if line.pop() == Some(b'\n') {
            keys.insert(dedupe::key(&line));
        }
    }
}

fn temporary_path(quarantine: &Path) -> PathBuf {
    let mut name = quarantine.file_name().unwrap_or_default().to_os_string();
    name.push(".replay-tmp");
    quarantine.with_file_name(name)
}

fn same_file(a: &Path, b: &Path) -> bool {
    match (fs::canonicalize(a), fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}

/// Syncs the directory that holds `path`, so that a rename in it is durable.
fn sync_dir(path: &Path) -> io::Result<()> {
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    File::open(dir)?.sync_all()
}

fn report(format: Format, summary: &Summary, quarantine: &Path, out: &Path) -> Result<(), Failure> {
    let stdout = io::stdout();
    let mut w = BufWriter::new(stdout.lock());
    let written = match format {
        Format::Json => serde_json::to_writer(&mut w, summary)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(w)),
        Format::Text => (|| {
            writeln!(
                w,
                "{} moved to {} ({} already there), {} stay in {}",
                summary.moved,
                out.display(),
                summary.already_kept,
                summary.stayed,
                quarantine.display()
            )?;
            for staying in &summary.staying {
                let event = staying.event.as_deref().unwrap_or("?");
                writeln!(
                    w,
                    "{}:{}: {event}: {}",
                    quarantine.display(),
                    staying.line,
                    staying.error
                )?;
            }
            Ok(())
        })(),
    };
    written
        .and_then(|()| w.flush())
        .map_err(|e| Failure::Io("standard output".into(), e))
}
