//! `listen --metrics ADDR`: scraped during a load run and after it, the
//! counts match what was sent, outcome by outcome and reason by reason.
#![cfg(feature = "metrics")]

use std::collections::BTreeMap;
use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

use kit_webhooks::Signer;

mod support;
use support::http::{delivery, post, Load};

const SECRET: &str = "whsec_metrics";

/// `GET /metrics`, parsed into `name{labels}` → value (the judge is this
/// plain reading of the text format, not the crate that wrote it).
fn scrape(addr: &str) -> BTreeMap<String, f64> {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    write!(
        stream,
        "GET /metrics HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    assert!(head.starts_with("HTTP/1.1 200"), "{head}");
    assert!(
        head.to_lowercase()
            .contains("content-type: application/openmetrics-text"),
        "{head}"
    );
    body.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .filter_map(|l| {
            let (name, value) = l.rsplit_once(' ')?;
            Some((name.to_owned(), value.parse().ok()?))
        })
        .collect()
}

fn count(metrics: &BTreeMap<String, f64>, key: &str) -> f64 {
    metrics.get(key).copied().unwrap_or(0.0)
}

/// POSTs `body` with the headers `headers` gives.
fn post_with(addr: &str, body: &[u8], headers: &[(&str, String)]) -> u16 {
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let mut request = format!(
        "POST / HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    stream.write_all(request.as_bytes()).unwrap();
    stream.write_all(body).unwrap();
    let mut answer = String::new();
    stream.read_to_string(&mut answer).unwrap();
    answer[9..12].parse().unwrap()
}

#[test]
fn the_metrics_count_what_was_sent() {
    let dir = std::env::temp_dir().join(format!("kit-webhooks-metrics-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.jsonl");
    let (mut child, addr, said) = support::start_listen_in(
        Some(&dir),
        &[
            "--secret",
            SECRET,
            "--out",
            out.to_str().unwrap(),
            "--dedupe",
            "--metrics",
            "127.0.0.1:0",
        ],
    );
    let metrics_addr = said
        .iter()
        .find_map(|l| l.split("metrics at http://").nth(1))
        .and_then(|rest| rest.split('/').next())
        .expect("listen says where its metrics are")
        .to_owned();

    let load = Load::start(&addr, SECRET, 200);
    // Scraped during the load: the counters are there and only grow.
    let during = scrape(&metrics_addr);
    let kept_during = count(
        &during,
        "kit_webhooks_deliveries_total{outcome=\"kept\",reason=\"\"}",
    );
    assert!(kept_during >= 200.0, "{during:?}");
    assert!(during.contains_key("kit_webhooks_requests_in_flight"));
    assert!(during.contains_key("kit_webhooks_open_connections"));
    let acked = load.finish();

    // One of each other outcome.
    assert_eq!(post(&addr, SECRET, &delivery(0)), Some(200)); // a duplicate of the load's first
    let invalid = br#"{"event":"test.ping","created_at":"yesterday","data":{}}"#;
    assert_eq!(post(&addr, SECRET, invalid), Some(202));
    let drifted = br#"{"event":"test.ping","created_at":"2025-01-15T14:30:00Z","data":{"bonus":1}}"#;
    assert_eq!(post(&addr, SECRET, drifted), Some(200));
    let body = delivery(1_000_000);
    let now = chrono::Utc::now();
    let forged = Signer::new("not-the-secret").headers("application.submitted", now, &body);
    assert_eq!(post_with(&addr, &body, &forged), 401);
    let stale = Signer::new(SECRET).headers("application.submitted", now - chrono::Duration::hours(1), &body);
    assert_eq!(post_with(&addr, &body, &stale), 401);
    let future =
        Signer::new(SECRET).headers("application.submitted", now + chrono::Duration::hours(1), &body);
    assert_eq!(post_with(&addr, &body, &future), 401);
    let mismatch = Signer::new(SECRET).headers("offer.accepted", now, &body);
    assert_eq!(post_with(&addr, &body, &mismatch), 400);

    let after = scrape(&metrics_addr);
    let outcome = |o: &str, r: &str| {
        count(
            &after,
            &format!("kit_webhooks_deliveries_total{{outcome=\"{o}\",reason=\"{r}\"}}"),
        )
    };
    assert_eq!(
        outcome("kept", ""),
        (acked.len() + 1) as f64,
        "the load's and the drifted one"
    );
    assert_eq!(outcome("duplicate", ""), 1.0);
    assert_eq!(outcome("quarantined", ""), 1.0);
    assert_eq!(outcome("refused", "signature"), 1.0);
    assert_eq!(outcome("refused", "stale"), 1.0);
    assert_eq!(outcome("refused", "future"), 1.0);
    assert_eq!(outcome("refused", "mismatch"), 1.0);
    assert_eq!(
        count(&after, "kit_webhooks_drift_findings_total{kind=\"field-added\"}"),
        1.0
    );
    assert_eq!(
        count(&after, "kit_webhooks_sink_seconds_count"),
        (acked.len() + 2) as f64,
        "each kept or quarantined delivery is timed once"
    );
    assert_eq!(count(&after, "kit_webhooks_requests_in_flight"), 0.0);

    support::http::signal(&child, "INT");
    let _ = child.wait();
    let _ = std::fs::remove_dir_all(&dir);
}
