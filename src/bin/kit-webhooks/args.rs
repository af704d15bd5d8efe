//! Options shared by several subcommands, each declared once and flattened
//! where it is used.

use std::time::Duration;

use chrono::{DateTime, Utc};
use kit_webhooks::{Mode, Parser, Verifier};

/// `--strict`.
#[derive(clap::Args, Clone, Copy)]
pub struct ModeArgs {
    /// Refuse what the schemas do not document: a value Kit adds to a
    /// documented list, a field and an event it adds (for contract tests).
    #[arg(long)]
    strict: bool,
}

impl ModeArgs {
    pub fn mode(self) -> Mode {
        if self.strict {
            Mode::Strict
        } else {
            Mode::Lenient
        }
    }
}

/// `--strict` and `--max-size`: how deliveries are read.
#[derive(clap::Args, Clone, Copy)]
pub struct ParserArgs {
    #[command(flatten)]
    mode: ModeArgs,
    /// Largest delivery accepted, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Parser::DEFAULT_MAX_BODY_SIZE)]
    max_size: usize,
}

impl ParserArgs {
    pub fn parser(self) -> Parser {
        Parser::new().mode(self.mode.mode()).max_body_size(self.max_size)
    }
}

/// One signing secret.
#[derive(clap::Args)]
pub struct SecretArgs {
    /// The signing secret, used as its UTF-8 bytes.
    #[arg(long, env = "KIT_WEBHOOK_SECRET", hide_env_values = true)]
    pub secret: String,
}

/// One or more signing secrets and the replay window: how signatures are checked.
#[derive(clap::Args)]
pub struct VerifierArgs {
    /// A signing secret; repeat it to accept the old and the new secret during a rotation.
    #[arg(
        long = "secret",
        env = "KIT_WEBHOOK_SECRET",
        hide_env_values = true,
        required = true
    )]
    secrets: Vec<String>,
    /// The replay window, in seconds, applied both ways.
    #[arg(long, value_name = "SECONDS", default_value_t = 300)]
    tolerance: u64,
}

impl VerifierArgs {
    pub fn verifier(&self) -> Verifier {
        let mut secrets = self.secrets.iter();
        let first = secrets.next().map_or("", String::as_str);
        secrets
            .fold(Verifier::new(first), |v, s| v.with_secret(s))
            .tolerance(Duration::from_secs(self.tolerance))
    }
}

/// How reports are written.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// For people.
    Text,
    /// One JSON object per report.
    Json,
}

/// An RFC 3339 time on the command line.
pub fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("not an RFC 3339 date-time ({e})"))
}
