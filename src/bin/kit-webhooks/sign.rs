//! `kit-webhooks sign` and `kit-webhooks verify`: signatures by hand.

use std::path::PathBuf;

use chrono::{DateTime, Utc};
use kit_webhooks::Signer;

use crate::args::{parse_time, SecretArgs, VerifierArgs};
use crate::input;
use crate::{say, Failure, Status};

/// Print the hex signature Kit would send for a body signed at a timestamp.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    kit-webhooks sign --secret whsec_test --timestamp 2025-01-15T14:30:00Z tests/fixtures/valid/test.ping.json")]
pub struct SignArgs {
    #[command(flatten)]
    secret: SecretArgs,
    /// The exact X-Webhook-Timestamp text that is signed.
    #[arg(long, value_name = "T")]
    timestamp: String,
    /// The raw body; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

/// Check a body's signature and timestamp. Exit 0 if authentic, 1 if not (the reason on stderr).
#[derive(clap::Args)]
#[command(after_help = "Example:\n  \
    kit-webhooks verify --secret old --secret new --timestamp 2025-01-15T14:30:00Z \\\n      \
    --signature 3f2a... --now 2025-01-15T14:31:00Z delivery.json")]
pub struct VerifyArgs {
    #[command(flatten)]
    verifier: VerifierArgs,
    /// The X-Webhook-Timestamp header, exactly as received.
    #[arg(long, value_name = "T")]
    timestamp: String,
    /// The X-Webhook-Signature header (64 hex digits).
    #[arg(long, value_name = "HEX")]
    signature: String,
    /// Verify as of this time (RFC 3339) instead of now.
    #[arg(long, value_name = "RFC3339", value_parser = parse_time)]
    now: Option<DateTime<Utc>>,
    /// The raw body; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

fn body(file: Option<&PathBuf>) -> Result<Vec<u8>, Failure> {
    let path = file.map(PathBuf::as_path);
    input::read_unlimited(path).map_err(|e| Failure::Io(input::name(path), e))
}

pub fn sign(args: &SignArgs) -> Result<Status, Failure> {
    let body = body(args.file.as_ref())?;
    say(&Signer::new(&args.secret.secret).sign(&args.timestamp, &body))?;
    Ok(Status::Ok)
}

pub fn verify(args: &VerifyArgs) -> Result<Status, Failure> {
    let body = body(args.file.as_ref())?;
    let now = args.now.unwrap_or_else(Utc::now);
    match args
        .verifier
        .verifier()
        .verify_at(&args.timestamp, &args.signature, &body, now)
    {
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
