//! `cargo bench --bench interleaved [-- --rounds N]`: the receive path against
//! its limit, measured so that a noisy, shared machine cannot skew the
//! ratios. The steps run in turn, in rounds, in one process (the order
//! rotates every round), each for a batch of about 10 ms; every ratio is taken
//! within one round, and the table gives the median over the rounds with the
//! min–max beside it. The README's figures come from this.
//!
//! Steps, on each delivery:
//! - baseline: serde_json straight into the generated type;
//! - HMAC: `Verifier::verify_at` (HMAC-SHA256 over timestamp and body);
//! - receive: `Receiver::receive_parts_at` (verify, validate, type);
//! - receive with drift: `Receiver::receive_parts_with_drift_at` (and what
//!   the delivery carries that the schemas do not document);
//! - strict receive: the same receiver in `Mode::Strict`;
//! - receive, full validator: the same without the fast path;
//! - naive: HMAC, then bytes → `Value` → jsonschema `is_valid` → `from_value`;
//! - invalid, first error: `Parser::all_errors(false)` on the delivery with
//!   three violations (`data.id` a string, a bad email, a required field
//!   missing), against the valid delivery's baseline.

use std::hint::black_box;
use std::time::Instant;

use chrono::{DateTime, Utc};
use kit_webhooks::{DeliveryHeaders, EventType, Mode, Parser, Receiver, Signer, Verifier, WebhookEvent};

const SECRET: &str = "whsec_bench";

/// A step measured: its name, and one call of it.
type Step<'a> = (&'static str, Box<dyn FnMut() + 'a>);

mod support;
use support::deliveries;

/// ns per call of `step`, over a batch of `n` calls.
fn batch(n: u32, step: &mut dyn FnMut()) -> f64 {
    let started = Instant::now();
    for _ in 0..n {
        step();
    }
    started.elapsed().as_nanos() as f64 / f64::from(n)
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// `median (min–max)`.
fn spread(values: &[f64], digits: usize) -> String {
    let mut sorted = values.to_vec();
    let mid = median(&mut sorted);
    format!(
        "{mid:.digits$} ({:.digits$}–{:.digits$})",
        sorted[0],
        sorted[sorted.len() - 1]
    )
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let rounds: usize = args
        .iter()
        .position(|a| a == "--rounds")
        .and_then(|i| args.get(i + 1))
        .and_then(|n| n.parse().ok())
        .unwrap_or(40);
    let now: DateTime<Utc> = Utc::now();
    let timestamp = kit_webhooks::signature::format_timestamp(now);
    let verifier = Verifier::new(SECRET);
    let receiver = Receiver::new(Verifier::new(SECRET));
    let full = Receiver::new(Verifier::new(SECRET)).with_parser(Parser::new().fast_path(false));
    let strict = Receiver::new(Verifier::new(SECRET)).with_parser(Parser::new().mode(Mode::Strict));
    let first_error = Parser::new().all_errors(false);
    receiver.parser().warm_up();
    strict.parser().warm_up();
    println!(
        "Interleaved: {rounds} rounds, {} ({} cores), {}",
        now.format("%Y-%m-%d"),
        std::thread::available_parallelism().map_or(1, usize::from),
        env!("CARGO_PKG_VERSION")
    );
    for delivery in deliveries() {
        let (name, baseline) = (delivery.name, delivery.baseline);
        let body = &delivery.body[..];
        let signature = Signer::new(SECRET).sign(&timestamp, body);
        let event_name = serde_json::from_slice::<serde_json::Value>(body).unwrap()["event"]
            .as_str()
            .unwrap()
            .to_owned();
        let event: EventType = event_name.parse().unwrap();
        let headers = DeliveryHeaders {
            timestamp: Some(&timestamp),
            signature: Some(&signature),
            event: Some(&event_name),
        };
        let schema: serde_json::Value = serde_json::from_str(event.bundled_schema(Mode::Lenient)).unwrap();
        let naive_validator = jsonschema::options()
            .should_validate_formats(true)
            .build(&schema)
            .unwrap();
        let mut steps: Vec<Step<'_>> = vec![
            (
                "baseline: serde_json into the type",
                Box::new(|| drop(black_box(baseline(black_box(body))))),
            ),
            (
                "HMAC-SHA256 (verify)",
                Box::new(|| {
                    black_box(
                        verifier
                            .verify_at(black_box(&timestamp), &signature, black_box(body), now)
                            .unwrap(),
                    );
                }),
            ),
            (
                "receive (verify + validate + typed)",
                Box::new(|| {
                    drop(black_box(
                        receiver.receive_parts_at(headers, black_box(body), now).unwrap(),
                    ))
                }),
            ),
            (
                "receive with the drift report",
                Box::new(|| {
                    let (event, drift) = receiver
                        .receive_parts_with_drift_at(headers, black_box(body), now)
                        .unwrap();
                    assert!(drift.is_empty());
                    drop(black_box(event));
                }),
            ),
            (
                "strict receive",
                Box::new(|| {
                    drop(black_box(
                        strict.receive_parts_at(headers, black_box(body), now).unwrap(),
                    ))
                }),
            ),
            (
                "receive with the full validator only",
                Box::new(|| {
                    drop(black_box(
                        full.receive_parts_at(headers, black_box(body), now).unwrap(),
                    ))
                }),
            ),
            (
                "naive: HMAC, Value, is_valid, from_value",
                Box::new(|| {
                    black_box(
                        verifier
                            .verify_at(&timestamp, &signature, black_box(body), now)
                            .unwrap(),
                    );
                    let value: serde_json::Value = serde_json::from_slice(black_box(body)).unwrap();
                    assert!(naive_validator.is_valid(&value));
                    drop(black_box(serde_json::from_value::<WebhookEvent>(value).unwrap()));
                }),
            ),
        ];
        if let Some(bad) = &delivery.invalid {
            steps.push((
                "invalid delivery, to its first error",
                Box::new(move || drop(black_box(first_error.parse(black_box(bad)).unwrap_err()))),
            ));
        }
        // Batches of about 10 ms each.
        let sizes: Vec<u32> = steps
            .iter_mut()
            .map(|(_, step)| {
                let per_call = batch(200, step.as_mut()).max(1.0);
                (10_000_000.0 / per_call).clamp(100.0, 1_000_000.0) as u32
            })
            .collect();
        let mut samples: Vec<Vec<f64>> = vec![Vec::new(); steps.len()];
        for round in 0..rounds {
            for k in 0..steps.len() {
                let i = (k + round) % steps.len();
                samples[i].push(batch(sizes[i], steps[i].1.as_mut()));
            }
        }
        let limit: Vec<f64> = (0..rounds).map(|r| samples[0][r] + samples[1][r]).collect();
        println!("\n{name} ({} bytes)\n", body.len());
        println!("| step | ns, median (min–max) | × baseline | × (HMAC + baseline) |");
        println!("|---|---|---|---|");
        for (i, (step, _)) in steps.iter().enumerate() {
            let per_baseline: Vec<f64> = (0..rounds).map(|r| samples[i][r] / samples[0][r]).collect();
            let per_limit: Vec<f64> = (0..rounds).map(|r| samples[i][r] / limit[r]).collect();
            let limit_column = if (2..7).contains(&i) {
                spread(&per_limit, 2)
            } else {
                String::new()
            };
            println!(
                "| {step} | {} | {} | {limit_column} |",
                spread(&samples[i], 0),
                spread(&per_baseline, 2)
            );
        }
    }
}
