//! The receive path in detail: `cargo bench --bench receive` (criterion).
//!
//! Every figure is measured in the same run as the baseline (serde_json
//! straight into the generated type), and the ratios are printed at the end,
//! with the cold start and the two-thread throughput. The README's ratios
//! come from `benches/interleaved.rs`, which a noisy machine skews less.

use std::hint::black_box;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use criterion::{criterion_group, Criterion};
use kit_webhooks::{DeliveryHeaders, Mode, Parser, Receiver, Signer, Verifier, WebhookEvent};

const SECRET: &str = "whsec_bench";

mod support;
use support::deliveries;

fn benches(c: &mut Criterion) {
    let now: DateTime<Utc> = Utc::now();
    let timestamp = kit_webhooks::signature::format_timestamp(now);
    let verifier = Verifier::new(SECRET);
    let receiver = Receiver::new(Verifier::new(SECRET));
    let lenient = Parser::new();
    let strict = Parser::new().mode(Mode::Strict);
    lenient.warm_up();
    strict.warm_up();
    for d in deliveries() {
        let body = &d.body;
        let signature = Signer::new(SECRET).sign(&timestamp, body);
        let event = serde_json::from_slice::<serde_json::Value>(body).unwrap()["event"]
            .as_str()
            .unwrap()
            .to_owned();
        let headers = DeliveryHeaders {
            timestamp: Some(&timestamp),
            signature: Some(&signature),
            event: Some(&event),
        };
        let mut group = c.benchmark_group(format!("{} ({} bytes)", d.name, body.len()));
        group.bench_function("baseline: serde_json into the type", |b| {
            b.iter(|| (d.baseline)(black_box(body)))
        });
        group.bench_function("hmac-sha256", |b| {
            b.iter(|| {
                verifier
                    .verify_at(black_box(&timestamp), black_box(&signature), black_box(body), now)
                    .unwrap()
            })
        });
        group.bench_function("typed decode (WebhookEvent::from_slice)", |b| {
            b.iter(|| WebhookEvent::from_slice(black_box(body)).unwrap())
        });
        group.bench_function("validate (lenient)", |b| {
            b.iter(|| lenient.validate(black_box(body)).unwrap())
        });
        group.bench_function("validate (strict)", |b| {
            b.iter(|| strict.validate(black_box(body)).unwrap())
        });
        group.bench_function("parse (validate + typed)", |b| {
            b.iter(|| lenient.parse(black_box(body)).unwrap())
        });
        group.bench_function("receive (verify + validate + typed)", |b| {
            b.iter(|| {
                receiver
                    .receive_parts_at(black_box(headers), black_box(body), now)
                    .unwrap()
            })
        });
        group.bench_function("naive: bytes -> Value -> is_valid -> from_value", |b| {
            let event: kit_webhooks::EventType = event.parse().unwrap();
            let schema: serde_json::Value =
                serde_json::from_str(event.bundled_schema(Mode::Lenient)).unwrap();
            let validator = jsonschema::options()
                .should_validate_formats(true)
                .build(&schema)
                .unwrap();
            b.iter(|| {
                let value: serde_json::Value = serde_json::from_slice(black_box(body)).unwrap();
                assert!(validator.is_valid(&value));
                serde_json::from_value::<WebhookEvent>(value).unwrap()
            })
        });
        group.finish();
    }

    // An invalid delivery: three violations.
    let bad = deliveries()[0]
        .invalid
        .clone()
        .expect("the first delivery has an invalid copy");
    let mut group = c.benchmark_group("invalid application.submitted");
    let first = Parser::new().all_errors(false);
    group.bench_function("first error", |b| {
        b.iter(|| first.parse(black_box(&bad)).unwrap_err())
    });
    group.bench_function("all errors", |b| {
        b.iter(|| lenient.parse(black_box(&bad)).unwrap_err())
    });
    group.finish();

    let mut group = c.benchmark_group("cold start");
    group.sample_size(10);
    group.bench_function("compile all 29 validators (lenient)", |b| {
        b.iter(|| kit_webhooks::__compile_all_uncached(Mode::Lenient))
    });
    group.bench_function("compile all 29 validators (strict)", |b| {
        b.iter(|| kit_webhooks::__compile_all_uncached(Mode::Strict))
    });
    group.finish();
}

/// Deliveries received per second by `threads` threads sharing one receiver.
fn throughput(
    threads: usize,
    receiver: &Receiver,
    body: &[u8],
    headers: DeliveryHeaders<'_>,
    now: DateTime<Utc>,
) -> f64 {
    let per_thread = 200_000;
    let started = Instant::now();
    std::thread::scope(|s| {
        for _ in 0..threads {
            s.spawn(|| {
                for _ in 0..per_thread {
                    black_box(receiver.receive_parts_at(headers, black_box(body), now).unwrap());
                }
            });
        }
    });
    (threads * per_thread) as f64 / started.elapsed().as_secs_f64()
}

fn estimate(group: &str, function: &str) -> Option<f64> {
    let dir = |s: &str| s.replace(['/', '\\', '>', '<', ':', '"', '|', '?', '*'], "_");
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("target/criterion")
        .join(dir(group))
        .join(dir(function))
        .join("new/estimates.json");
    let text = std::fs::read_to_string(path).ok()?;
    let v: serde_json::Value = serde_json::from_str(&text).ok()?;
    v["median"]["point_estimate"].as_f64()
}

fn report() {
    println!("\n== Ratios to the baseline, measured in this run (median ns) ==");
    for d in deliveries() {
        let group = format!("{} ({} bytes)", d.name, d.body.len());
        let (Some(base), Some(hmac)) = (
            estimate(&group, "baseline: serde_json into the type"),
            estimate(&group, "hmac-sha256"),
        ) else {
            println!("{group}: no estimates (run without a filter)");
            continue;
        };
        println!(
            "\n{group}: baseline {base:.0} ns, HMAC {hmac:.0} ns; goal: receive <= 1.5 x (HMAC + baseline) = {:.0} ns (stretch 1.25 x)",
            1.5 * (base + hmac)
        );
        for f in [
            "typed decode (WebhookEvent::from_slice)",
            "validate (lenient)",
            "validate (strict)",
            "parse (validate + typed)",
            "receive (verify + validate + typed)",
            "naive: bytes -> Value -> is_valid -> from_value",
        ] {
            if let Some(ns) = estimate(&group, f) {
                println!(
                    "  {f:<50} {ns:>8.0} ns  {:>5.2} x baseline  {:>5.2} x (HMAC + baseline)",
                    ns / base,
                    ns / (base + hmac)
                );
            }
        }
    }
    for f in ["first error", "all errors"] {
        if let Some(ns) = estimate("invalid application.submitted", f) {
            println!("invalid delivery, {f}: {ns:.0} ns");
        }
    }
    for f in [
        "compile all 29 validators (lenient)",
        "compile all 29 validators (strict)",
    ] {
        if let Some(ns) = estimate("cold start", f) {
            println!("cold start, {f}: {:.1} ms (goal: 30 ms)", ns / 1e6);
        }
    }
    let d = &deliveries()[0];
    let now = Utc::now();
    let ts = kit_webhooks::signature::format_timestamp(now);
    let sig = Signer::new(SECRET).sign(&ts, &d.body);
    let headers = DeliveryHeaders {
        timestamp: Some(&ts),
        signature: Some(&sig),
        event: Some("application.submitted"),
    };
    let receiver = Receiver::new(Verifier::new(SECRET));
    receiver.parser().warm_up();
    let _ = throughput(1, &receiver, &d.body, headers, now);
    let one = throughput(1, &receiver, &d.body, headers, now);
    let two = throughput(2, &receiver, &d.body, headers, now);
    println!(
        "\nthroughput of the receive path: 1 thread {one:.0}/s, 2 threads {two:.0}/s: {:.2} x (goal: 1.7 x on 2 cores)",
        two / one
    );
}

criterion_group! {
    name = receive;
    config = Criterion::default().warm_up_time(Duration::from_millis(500)).measurement_time(Duration::from_secs(2));
    targets = benches
}

fn main() {
    receive();
    Criterion::default().configure_from_args().final_summary();
    if !std::env::args().any(|a| a == "--list") {
        report();
    }
}
