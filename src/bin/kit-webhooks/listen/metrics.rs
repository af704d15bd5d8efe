//! `listen --metrics ADDR`: Prometheus metrics (the OpenMetrics text format,
//! which Prometheus scrapes) at `http://ADDR/metrics`, encoded by the
//! `prometheus-client` crate.
//!
//! - `kit_webhooks_deliveries_total{outcome, reason}`: `kept`, `duplicate`,
//!   `quarantined`, `unavailable` (the sink failed: 503), and `refused` with
//!   the reason (`signature`, `stale`, `future`, `malformed`, `mismatch`,
//!   `too_large`, `timeout`);
//! - `kit_webhooks_drift_findings_total{kind}`: what kept deliveries carry
//!   that the schemas do not document (`event-added`, `field-added`,
//!   `value-added`);
//! - `kit_webhooks_sink_seconds`: how long the sink took to keep a delivery
//!   (a file written and synced, or JetStream's acknowledgement);
//! - `kit_webhooks_requests_in_flight` and `kit_webhooks_open_connections`.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use axum::http::header;
use axum::response::IntoResponse;
use axum::routing::get;
use axum::Router;
use kit_webhooks::signature::VerifyError;
use kit_webhooks::ReceiveError;
use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::Histogram;
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Outcome {
    outcome: &'static str,
    reason: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
struct Kind {
    kind: &'static str,
}

/// Every metric `listen` keeps.
pub struct Metrics {
    registry: Registry,
    deliveries: Family<Outcome, Counter>,
    drift: Family<Kind, Counter>,
    sink_seconds: Histogram,
    in_flight: Gauge,
    connections: Gauge,
    /// Open connections, counted by the server.
    pub open: Arc<AtomicI64>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::default();
        let deliveries = Family::<Outcome, Counter>::default();
        registry.register(
            "kit_webhooks_deliveries",
            "Deliveries by outcome (kept, duplicate, quarantined, unavailable, refused) and reason",
            deliveries.clone(),
        );
        let drift = Family::<Kind, Counter>::default();
        registry.register(
            "kit_webhooks_drift_findings",
            "What kept deliveries carry that the schemas do not document, by kind",
            drift.clone(),
        );
        // 0.5 ms to about 16 s.
        let sink_seconds = Histogram::new(prometheus_client::metrics::histogram::exponential_buckets(
            0.0005, 2.0, 16,
        ));
        registry.register(
            "kit_webhooks_sink_seconds",
            "How long the sink took to keep a delivery",
            sink_seconds.clone(),
        );
        let in_flight = Gauge::default();
        registry.register(
            "kit_webhooks_requests_in_flight",
            "Requests being answered",
            in_flight.clone(),
        );
        let connections = Gauge::default();
        registry.register(
            "kit_webhooks_open_connections",
            "Open HTTP connections",
            connections.clone(),
        );
        Metrics {
            registry,
            deliveries,
            drift,
            sink_seconds,
            in_flight,
            connections,
            open: Arc::new(AtomicI64::new(0)),
        }
    }

    /// Counts one delivery's outcome.
    pub fn outcome(&self, outcome: &'static str) {
        self.deliveries
            .get_or_create(&Outcome { outcome, reason: "" })
            .inc();
    }

    /// Counts one refused delivery, by why.
    pub fn refused(&self, reason: &'static str) {
        self.deliveries
            .get_or_create(&Outcome {
                outcome: "refused",
                reason,
            })
            .inc();
    }

    /// Counts the drift of a kept delivery.
    pub fn drift(&self, drift: &kit_webhooks::Drift) {
        for addition in drift.additions() {
            self.drift
                .get_or_create(&Kind {
                    kind: addition.kind.as_str(),
                })
                .inc();
        }
    }

    /// Records how long the sink took.
    pub fn sink(&self, took: Duration) {
        self.sink_seconds.observe(took.as_secs_f64());
    }

    /// Counts a request in flight until the guard is dropped.
    pub fn in_flight(self: &Arc<Self>) -> InFlight {
        self.in_flight.inc();
        InFlight(Arc::clone(self))
    }

    fn encode(&self) -> String {
        self.connections.set(self.open.load(Ordering::Relaxed));
        let mut text = String::new();
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// A request in flight.
pub struct InFlight(Arc<Metrics>);

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.in_flight.dec();
    }
}

/// Why `error` refused a delivery, as the `reason` label says it.
pub fn reason(error: &ReceiveError) -> &'static str {
    match error {
        ReceiveError::TooLarge { .. } => "too_large",
        ReceiveError::EventMismatch { .. } => "mismatch",
        ReceiveError::Verify(VerifyError::Stale { .. }) => "stale",
        ReceiveError::Verify(VerifyError::Future { .. }) => "future",
        ReceiveError::Verify(VerifyError::Mismatch) => "signature",
        _ => "malformed",
    }
}

/// Serves `/metrics` on `addr` until the process stops.
pub async fn serve(addr: SocketAddr, metrics: Arc<Metrics>) -> Result<SocketAddr, std::io::Error> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let router = Router::new().route(
        "/metrics",
        get(move || {
            let metrics = Arc::clone(&metrics);
            async move {
                (
                    [(
                        header::CONTENT_TYPE,
                        "application/openmetrics-text; version=1.0.0; charset=utf-8",
                    )],
                    metrics.encode(),
                )
                    .into_response()
            }
        }),
    );
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    Ok(bound)
}
