//! `kit-webhooks drift`: what the deliveries you kept carry that the schemas
//! do not document, aggregated, with a schema inferred for each addition;
//! and with `--propose`, a copy of the schemas with that drift folded in.

mod infer;
mod propose;
mod read;

use std::collections::BTreeMap;
use std::io::{self, BufWriter, Write};
use std::path::PathBuf;

use chrono::{DateTime, FixedOffset};
use kit_webhooks::{DriftKind, Mode, Parser};
use serde::Serialize;
use serde_json::Value;

use crate::args::{Checker, Format, SchemasArgs};
use crate::{Failure, Status};
use infer::Inferred;

/// Report what deliveries carry that the schemas do not document: events,
/// fields and values Kit added.
///
/// Each FILE (or standard input, as `-` or when none is given) holds one
/// delivery, or JSON Lines: `listen --out` lines (one body each) or
/// `listen` quarantine records (`body` / `body_base64`), told apart per
/// line. Only deliveries valid in lenient mode are read for drift; invalid
/// and unreadable ones are counted.
///
/// Exit status: 0 when there is no drift, 1 when there is, 2 for usage
/// errors and unreadable files.
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    kit-webhooks drift kept.jsonl kept.quarantine.jsonl\n  \
    kit-webhooks drift --format json kept.jsonl\n  \
    kit-webhooks drift --propose proposal/ kept.jsonl\n  \
    kit-webhooks drift --schemas proposal/ kept.jsonl")]
pub struct Args {
    /// Measure drift against this schema set (source layout or export)
    /// instead of the embedded one; with --propose, the set the proposal
    /// starts from.
    #[command(flatten)]
    schemas: SchemasArgs,
    /// Write a copy of the schemas (the embedded ones, or --schemas, which
    /// must then be in the source layout) to DIR with the drift folded in:
    /// new values in their lists, new fields as optional properties, new
    /// events as new files. DIR must not exist or be empty.
    #[arg(long, value_name = "DIR")]
    propose: Option<PathBuf>,
    /// Output format: `text` for people, `json` for one JSON object.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Largest delivery read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Parser::DEFAULT_MAX_BODY_SIZE)]
    max_size: usize,
    /// Files to read; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,
}

/// Up to this many distinct examples are kept per finding.
const EXAMPLES: usize = 5;

/// What was read, in total.
#[derive(Default, Serialize)]
pub struct Report {
    /// Deliveries read (valid or not).
    pub deliveries: u64,
    /// Valid deliveries with drift.
    pub with_drift: u64,
    /// Deliveries the schemas refuse even in lenient mode (not read for drift).
    pub invalid: u64,
    /// Lines or files that held no delivery (not JSON, not a delivery, too large).
    pub unreadable: u64,
    /// What was added, by kind, event and pointer.
    pub findings: Vec<Finding>,
}

/// One addition, aggregated over the deliveries that carry it.
#[derive(Serialize)]
pub struct Finding {
    pub kind: DriftKind,
    pub event: String,
    pub pointer: String,
    /// How many deliveries carry it.
    pub count: u64,
    /// The earliest and latest `created_at` of those deliveries.
    pub first_seen: Option<String>,
    pub last_seen: Option<String>,
    /// Up to five distinct values.
    pub examples: Vec<Value>,
    /// A schema every value seen validates against.
    pub schema: Value,
}

/// The findings as they are gathered.
#[derive(Default)]
pub struct Aggregate {
    deliveries: u64,
    with_drift: u64,
    invalid: u64,
    unreadable: u64,
    findings: BTreeMap<(DriftKind, String, String), Gathered>,
}

#[derive(Clone, Default)]
pub struct Gathered {
    count: u64,
    first: Option<(DateTime<FixedOffset>, String)>,
    last: Option<(DateTime<FixedOffset>, String)>,
    examples: Vec<Value>,
    /// Every distinct value added to a list (the proposal needs them all).
    values: std::collections::BTreeSet<String>,
    inferred: Inferred,
}

impl Gathered {
    /// The values added to a list.
    pub fn values(&self) -> impl Iterator<Item = &str> {
        self.values.iter().map(String::as_str)
    }

    /// The examples kept.
    pub fn examples(&self) -> &[Value] {
        &self.examples
    }

    /// Adds what `other` gathered (the same field seen through several events).
    pub fn merge(&mut self, other: &Gathered) {
        self.count += other.count;
        if let Some((at, _)) = &other.first {
            if self.first.as_ref().is_none_or(|(first, _)| at < first) {
                self.first.clone_from(&other.first);
            }
        }
        if let Some((at, _)) = &other.last {
            if self.last.as_ref().is_none_or(|(last, _)| at > last) {
                self.last.clone_from(&other.last);
            }
        }
        for example in &other.examples {
            if self.examples.len() < EXAMPLES && !self.examples.contains(example) {
                self.examples.push(example.clone());
            }
        }
        self.values.extend(other.values.iter().cloned());
        self.inferred.merge(&other.inferred);
    }

    pub fn first_seen(&self) -> Option<&str> {
        self.first.as_ref().map(|(_, text)| text.as_str())
    }

    pub fn last_seen(&self) -> Option<&str> {
        self.last.as_ref().map(|(_, text)| text.as_str())
    }

    pub fn inferred(&self) -> &Inferred {
        &self.inferred
    }

    /// What the description of a proposed addition says of it.
    pub fn observed(&self) -> String {
        let seen = match (self.first_seen(), self.last_seen()) {
            (Some(first), Some(last)) if first == last => format!(", on {first}"),
            (Some(first), Some(last)) => format!(", first on {first}, last on {last}"),
            _ => String::new(),
        };
        let times = if self.count == 1 { "delivery" } else { "deliveries" };
        format!(
            "Observed in {} {times}{seen}; not in Kit's reference (proposed by `kit-webhooks drift --propose`).",
            self.count
        )
    }
}

/// One line or file, judged.
pub enum Outcome {
    /// A valid delivery: its event, `created_at`, and what it added (kind, pointer, value).
    Valid {
        event: String,
        created_at: Option<String>,
        additions: Vec<(DriftKind, String, Value)>,
    },
    Invalid,
    Unreadable,
}

impl Aggregate {
    pub fn add(&mut self, outcome: Outcome) {
        let (event, created_at, additions) = match outcome {
            Outcome::Unreadable => {
                self.unreadable += 1;
                return;
            }
            Outcome::Invalid => {
                self.deliveries += 1;
                self.invalid += 1;
                return;
            }
            Outcome::Valid {
                event,
                created_at,
                additions,
            } => (event, created_at, additions),
        };
        self.deliveries += 1;
        if additions.is_empty() {
            return;
        }
        self.with_drift += 1;
        let time = created_at
            .as_deref()
            .and_then(|t| DateTime::parse_from_rfc3339(t).ok())
            .zip(created_at);
        // A delivery counts once per finding, whatever the number of array
        // items that carry it.
        let mut counted = std::collections::BTreeSet::new();
        for (kind, pointer, value) in additions {
            let key: (DriftKind, String, String) = (kind, event.clone(), pointer);
            let gathered = self.findings.entry(key.clone()).or_default();
            if counted.insert(key) {
                gathered.count += 1;
                if let Some((at, text)) = &time {
                    if gathered.first.as_ref().is_none_or(|(first, _)| at < first) {
                        gathered.first = Some((*at, text.clone()));
                    }
                    if gathered.last.as_ref().is_none_or(|(last, _)| at > last) {
                        gathered.last = Some((*at, text.clone()));
                    }
                }
            }
            gathered.inferred.add(&value);
            if let (DriftKind::ValueAdded, Value::String(text)) = (kind, &value) {
                gathered.values.insert(text.clone());
            }
            if gathered.examples.len() < EXAMPLES && !gathered.examples.contains(&value) {
                gathered.examples.push(value);
            }
        }
    }

    /// The findings, by (kind, event, pointer).
    pub fn findings(&self) -> &BTreeMap<(DriftKind, String, String), Gathered> {
        &self.findings
    }

    pub fn report(&self) -> Report {
        let findings = self
            .findings
            .iter()
            .map(|((kind, event, pointer), gathered)| Finding {
                kind: *kind,
                event: event.clone(),
                pointer: pointer.clone(),
                count: gathered.count,
                first_seen: gathered.first_seen().map(str::to_owned),
                last_seen: gathered.last_seen().map(str::to_owned),
                examples: gathered.examples.clone(),
                schema: match kind {
                    // The schema of a value added is the list's own: a string.
                    DriftKind::ValueAdded => serde_json::json!({"type": "string"}),
                    _ => gathered.inferred.schema(&|_| None),
                },
            })
            .collect();
        Report {
            deliveries: self.deliveries,
            with_drift: self.with_drift,
            invalid: self.invalid,
            unreadable: self.unreadable,
            findings,
        }
    }
}

pub fn run(args: &Args) -> Result<Status, Failure> {
    let schemas = args.schemas.read()?;
    if let Some(dir) = &args.propose {
        propose::check_target(dir, args.schemas.schemas.as_deref())?;
    }
    let checker = Checker::with(Parser::new().max_body_size(args.max_size), Mode::Lenient, schemas);
    let mut aggregate = Aggregate::default();
    let mut status = Status::Ok;
    let inputs: Vec<Option<&PathBuf>> = if args.files.is_empty() {
        vec![None]
    } else {
        args.files.iter().map(Some).collect()
    };
    for path in inputs {
        if let Err(e) = read::read(path.map(PathBuf::as_path), &checker, &mut aggregate) {
            eprintln!("error: {}: {e}", crate::input::name(path.map(PathBuf::as_path)));
            status = Status::Unreadable;
        }
    }
    let report = aggregate.report();
    let stdout = io::stdout();
    let mut out = BufWriter::new(stdout.lock());
    let written = match args.format {
        Format::Json => serde_json::to_writer(&mut out, &report)
            .map_err(io::Error::from)
            .and_then(|()| writeln!(out)),
        Format::Text => write_text(&mut out, &report),
    };
    written
        .and_then(|()| out.flush())
        .map_err(|e| Failure::Io("standard output".into(), e))?;
    if let Some(dir) = &args.propose {
        let written = propose::write(dir, args.schemas.schemas.as_deref(), &aggregate)?;
        eprintln!(
            "kit-webhooks drift: wrote the proposal to {} ({written} files changed or added)",
            dir.display()
        );
    }
    if status == Status::Ok && !report.findings.is_empty() {
        status = Status::Invalid;
    }
    Ok(status)
}

fn write_text(out: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(
        out,
        "{} deliveries read, {} with drift ({} invalid, {} unreadable)",
        report.deliveries, report.with_drift, report.invalid, report.unreadable
    )?;
    for finding in &report.findings {
        let pointer = if finding.pointer.is_empty() { "" } else { " " };
        writeln!(
            out,
            "{} {}{pointer}{}: {} {}",
            finding.kind,
            finding.event,
            finding.pointer,
            finding.count,
            if finding.count == 1 {
                "delivery"
            } else {
                "deliveries"
            },
        )?;
        if let (Some(first), Some(last)) = (&finding.first_seen, &finding.last_seen) {
            writeln!(out, "    seen: {first} .. {last}")?;
        }
        let examples: Vec<String> = finding.examples.iter().map(Value::to_string).collect();
        writeln!(out, "    examples: {}", examples.join(", "))?;
        writeln!(out, "    schema: {}", finding.schema)?;
    }
    Ok(())
}
