//! Reading `drift`'s input: a file that holds one delivery (written over
//! several lines, or on one), or JSON Lines of deliveries (`listen --out`)
//! and quarantine records, told apart per line. Lines are judged in
//! batches on every core while the next batch is read, so memory stays
//! bounded by two batches and the findings.

use std::io;
use std::path::Path;

use rayon::prelude::*;
use serde_json::Value;

use super::{Aggregate, Outcome};
use crate::args::Checker;
use crate::input::{self, Body};
use crate::validate::read_batch;

/// Reads one input into `aggregate`. Malformed lines are counted; only a
/// file that cannot be read is an error.
pub fn read(path: Option<&Path>, checker: &Checker, aggregate: &mut Aggregate) -> io::Result<()> {
    let mut input = input::open(path)?;
    let limit = line_limit(checker.limit());
    let first = loop {
        match input::read_line(&mut *input.reader, limit)? {
            None => return Ok(()),
            Some(Body::Whole(line)) if line.iter().all(u8::is_ascii_whitespace) => {}
            Some(body) => break body,
        }
    };
    if let Body::Whole(line) = &first {
        if serde_json::from_slice::<serde::de::IgnoredAny>(line).is_err() {
            // Not JSON on its own: one delivery written over several lines.
            let mut whole = line.clone();
            whole.push(b'\n');
            match input::read_all(&mut *input.reader, limit.saturating_sub(whole.len()))? {
                Body::Whole(rest) => {
                    whole.extend_from_slice(&rest);
                    aggregate.add(judge(&whole, checker));
                }
                Body::TooLarge(_) => aggregate.add(Outcome::Unreadable),
            }
            return Ok(());
        }
    }
    // The same batches as `validate --jsonl` (line numbers unused here).
    let mut number = 0;
    let mut batch = vec![(0, first)];
    batch.extend(read_batch(&mut input, limit, &mut number)?);
    while !batch.is_empty() {
        let (outcomes, next) = rayon::join(
            || {
                batch
                    .par_drain(..)
                    .map(|(_, line)| match line {
                        Body::Whole(bytes) => judge(&bytes, checker),
                        Body::TooLarge(_) => Outcome::Unreadable,
                    })
                    .collect::<Vec<_>>()
            },
            || read_batch(&mut input, limit, &mut number),
        );
        for outcome in outcomes {
            aggregate.add(outcome);
        }
        batch = next?;
    }
    Ok(())
}

/// A quarantine record holds the body as a JSON string, escaped, with the
/// listener's fields beside it.
fn line_limit(body_limit: usize) -> usize {
    body_limit.saturating_mul(6).saturating_add(1 << 16)
}

/// The body a line holds: a quarantine record's `body` or `body_base64`, or
/// the line itself (a delivery, which has an `event`).
fn body_of(line: &[u8]) -> Option<Vec<u8>> {
    let value: Value = serde_json::from_slice(line).ok()?;
    let map = value.as_object()?;
    if map.contains_key("event") {
        return Some(line.to_vec());
    }
    crate::files::quarantined_body(line).or_else(|| Some(line.to_vec()))
}

/// One line or file, judged in lenient mode.
fn judge(line: &[u8], checker: &Checker) -> Outcome {
    let Some(body) = body_of(line) else {
        return Outcome::Unreadable;
    };
    match checker.check(&body) {
        Ok((event, drift)) => {
            let created_at = serde_json::from_slice::<Value>(&body)
                .ok()
                .and_then(|v| v.get("created_at").and_then(Value::as_str).map(str::to_owned));
            Outcome::Valid {
                event,
                created_at,
                additions: drift
                    .into_additions()
                    .into_iter()
                    .map(|a| (a.kind, a.pointer, a.value))
                    .collect(),
            }
        }
        // Not JSON, too large, or refused by the schemas.
        Err(_) => Outcome::Invalid,
    }
}
