//! `kit-webhooks validate`: check deliveries against their event's schema.

use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use kit_webhooks::{Error, Violation};
use rayon::prelude::*;
use serde::Serialize;

use crate::args::{Checker, Format, ParserArgs, SchemasArgs};
use crate::input::{self, Body, Input};
use crate::{Failure, Status};

/// Validate deliveries against their event's schema.
///
/// Each FILE (or standard input, as `-` or when no FILE is given) holds one
/// delivery, or one per line with --jsonl.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    kit-webhooks validate tests/fixtures/valid/*.json\n  \
    kit-webhooks validate --strict --format json delivery.json\n  \
    kit-webhooks validate --strict --schemas proposal/ deliveries/*.json\n  \
    cat deliveries.jsonl | kit-webhooks validate --jsonl --format json")]
pub struct Args {
    #[command(flatten)]
    parser: ParserArgs,
    #[command(flatten)]
    schemas: SchemasArgs,
    /// Output format: `text` for people, `json` for one JSON object per delivery and line.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Each input line is one delivery (blank lines are skipped).
    #[arg(long)]
    jsonl: bool,
    /// Files to validate; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

pub fn run(args: &Args) -> Result<Status, Failure> {
    let parser = Checker::new(args.parser, &args.schemas)?;
    let stdout = io::stdout();
    let mut out = BufWriter::with_capacity(1 << 16, stdout.lock());
    let mut status = Status::Ok;
    let inputs: Vec<Option<&PathBuf>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files.iter().map(Some).collect()
    };
    let stdout_failed = |e| Failure::Io("standard output".into(), e);
    for path in inputs {
        let mut input = match input::open(path.map(PathBuf::as_path)) {
            Ok(input) => input,
            Err(e) => {
                out.flush().map_err(stdout_failed)?;
                eprintln!("error: {}: {e}", input::name(path.map(PathBuf::as_path)));
                status = status.max(Status::Unreadable);
                continue;
            }
        };
        let outcome = if args.jsonl {
            validate_lines(&parser, args.format, &mut input, &mut out)
        } else {
            input::read_all(&mut *input.reader, parser.limit())
                .and_then(|body| write_report(&mut out, args.format, &input.name, &check(&parser, body)))
        };
        match outcome {
            Ok(true) => {}
            Ok(false) => status = status.max(Status::Invalid),
            Err(e) if e.kind() == io::ErrorKind::BrokenPipe => return Err(stdout_failed(e)),
            Err(e) => {
                out.flush().map_err(stdout_failed)?;
                eprintln!("error: {}: {e}", input.name);
                status = status.max(Status::Unreadable);
            }
        }
    }
    out.flush().map_err(stdout_failed)?;
    Ok(status)
}

/// Lines read, and bytes, before a batch is validated.
const BATCH_LINES: usize = 2048;
const BATCH_BYTES: usize = 1 << 20;

/// One line of a `--jsonl` input: its number and body.
pub type Line = (usize, Body);

pub fn read_batch(input: &mut Input, limit: usize, next_number: &mut usize) -> io::Result<Vec<Line>> {
    let mut batch = Vec::new();
    let mut bytes = 0usize;
    while batch.len() < BATCH_LINES && bytes < BATCH_BYTES {
        let Some(body) = input::read_line(&mut *input.reader, limit)? else {
            break;
        };
        *next_number += 1;
        if let Body::Whole(b) = &body {
            // Blank lines separate deliveries; they are not deliveries.
            if b.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            bytes += b.len();
        }
        batch.push((*next_number, body));
    }
    Ok(batch)
}

/// `validate --jsonl`: batches of lines validated on every core (rayon), the
/// next batch read meanwhile, the reports written in input order. Memory
/// stays bounded by two batches. Returns whether every line was valid.
fn validate_lines(
    parser: &Checker,
    format: Format,
    input: &mut Input,
    out: &mut dyn Write,
) -> io::Result<bool> {
    let limit = parser.limit();
    let mut number = 0usize;
    let mut all_valid = true;
    let mut batch = read_batch(input, limit, &mut number)?;
    let name = input.name.clone();
    while !batch.is_empty() {
        let name = &name;
        let (reports, next) = rayon::join(
            || {
                batch
                    .par_drain(..)
                    .map(|(line, body)| {
                        let report = check(parser, body);
                        let mut bytes = Vec::with_capacity(128);
                        let written = write_report(&mut bytes, format, &format!("{name}:{line}"), &report);
                        written.map(|valid| (bytes, valid))
                    })
                    .collect::<io::Result<Vec<_>>>()
            },
            || read_batch(input, limit, &mut number),
        );
        for (bytes, valid) in reports? {
            out.write_all(&bytes)?;
            all_valid &= valid;
        }
        batch = next?;
    }
    Ok(all_valid)
}

/// The verdict on one delivery.
struct Report {
    event: Option<String>,
    errors: Vec<Violation>,
}

fn check(parser: &Checker, body: Body) -> Report {
    let result = match body {
        Body::Whole(bytes) => parser.check(&bytes).map(|(event, _)| event),
        Body::TooLarge(size) => Err(Error::TooLarge {
            size,
            limit: parser.limit(),
        }),
    };
    match result {
        Ok(event) => Report {
            event: Some(event),
            errors: Vec::new(),
        },
        Err(error) => Report {
            event: match &error {
                Error::Invalid(invalid) => invalid.event.clone(),
                _ => None,
            },
            errors: error.to_violations(),
        },
    }
}

#[derive(Serialize)]
struct JsonReport<'a> {
    source: &'a str,
    valid: bool,
    event: Option<&'a str>,
    errors: &'a [Violation],
}

/// Writes one report; returns whether the delivery was valid.
fn write_report(out: &mut dyn Write, format: Format, source: &str, report: &Report) -> io::Result<bool> {
    let valid = report.errors.is_empty();
    let event = report.event.as_deref();
    match format {
        Format::Json => {
            let json = JsonReport {
                source,
                valid,
                event,
                errors: &report.errors,
            };
            serde_json::to_writer(&mut *out, &json)?;
            out.write_all(b"\n")?;
        }
        Format::Text => {
            let verdict = if valid { "valid" } else { "invalid" };
            match event {
                Some(event) => writeln!(out, "{source}: {verdict} ({event})")?,
                None => writeln!(out, "{source}: {verdict}")?,
            }
            for violation in &report.errors {
                writeln!(out, "    {violation}")?;
            }
        }
    }
    Ok(valid)
}
