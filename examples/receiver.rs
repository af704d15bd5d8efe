//! A complete Kit webhook receiver on axum.
//!
//! ```sh
//! KIT_WEBHOOK_SECRET=whsec_test cargo run --example receiver --features axum
//! # in another terminal:
//! cargo run --features cli -- send --url http://127.0.0.1:3000/webhooks/kit \
//!     --secret whsec_test tests/fixtures/valid/*.json
//! ```
//!
//! During a secret rotation set `KIT_WEBHOOK_SECRET_OLD` too: both are accepted.

use axum::http::StatusCode;
use axum::routing::post;
use axum::Router;
use kit_webhooks::axum::AuthenticDelivery;
use kit_webhooks::{Receiver, Verifier, WebhookEvent};

async fn kit_webhook(delivery: AuthenticDelivery) -> (StatusCode, &'static str) {
    match delivery.event {
        Ok(WebhookEvent::ApplicationSubmitted(submitted)) => {
            let data = submitted.data;
            println!(
                "new application #{} from {} for {:?}",
                data.id, data.candidate.name, data.job_posting.title
            );
        }
        Ok(WebhookEvent::OfferCandidateAccepted(accepted)) => {
            println!(
                "offer #{} accepted by {}",
                accepted.data.id, accepted.data.candidate.name
            );
        }
        Ok(WebhookEvent::TestPing(_)) => println!("test ping: the endpoint and the secret work"),
        Ok(WebhookEvent::Unknown(unknown)) => {
            println!("an event this version does not know yet: {}", unknown.event())
        }
        Ok(other) => println!("{} at {}", other.event_name(), other.created_at()),
        Err(error) => {
            // Authentic, but not understood. Kit never retries a 4xx, so keep it
            // (here: print it; in production: store `delivery.body`) and answer 2xx.
            eprintln!(
                "quarantined ({error}): {}",
                String::from_utf8_lossy(&delivery.body)
            );
            return (StatusCode::ACCEPTED, "quarantined");
        }
    }
    (StatusCode::OK, "ok")
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let secret = std::env::var("KIT_WEBHOOK_SECRET").map_err(|_| "set KIT_WEBHOOK_SECRET")?;
    let mut verifier = Verifier::new(secret);
    if let Ok(old) = std::env::var("KIT_WEBHOOK_SECRET_OLD") {
        verifier = verifier.with_secret(old);
    }
    let receiver = Receiver::new(verifier);
    receiver.parser().warm_up();
    let app = Router::new()
        .route("/webhooks/kit", post(kit_webhook))
        .with_state(receiver);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:3000").await?;
    println!("listening on http://127.0.0.1:3000/webhooks/kit");
    axum::serve(listener, app)
        .with_graceful_shutdown(async {
            let _ = tokio::signal::ctrl_c().await;
        })
        .await?;
    Ok(())
}
