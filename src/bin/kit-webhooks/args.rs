//! Options shared by several subcommands, each declared once and flattened
//! where it is used.

use std::path::{Path, PathBuf};
use std::time::Duration;

use chrono::{DateTime, Utc};
use kit_webhooks::schema::SchemaDir;
use kit_webhooks::{Drift, Error, Mode, Parser, Verifier};

use crate::Failure;

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
    pub fn mode(self) -> Mode {
        self.mode.mode()
    }

    pub fn parser(self) -> Parser {
        Parser::new().mode(self.mode.mode()).max_body_size(self.max_size)
    }
}

/// `--schemas DIR`: a schema set read at run time instead of the embedded one.
#[derive(clap::Args, Clone)]
pub struct SchemasArgs {
    /// Validate against the schema set in DIR, read at run time, instead of
    /// the schemas built into this binary: a source layout (`events/`,
    /// `common/`) or an export (`schemas/<event>.json`), with the lenient
    /// and strict forms derived as the build derives them.
    #[arg(long, value_name = "DIR")]
    pub schemas: Option<PathBuf>,
}

impl SchemasArgs {
    /// The set, read and compiled, when one was given.
    pub fn read(&self) -> Result<Option<SchemaDir>, Failure> {
        self.schemas.as_deref().map(read_schemas).transpose()
    }
}

/// Reads a schema directory; a set that cannot be read is a usage error.
pub fn read_schemas(dir: &Path) -> Result<SchemaDir, Failure> {
    SchemaDir::read(dir).map_err(|e| Failure::Usage(format!("--schemas {}: {e}", dir.display())))
}

/// What judges a delivery: the embedded schemas (through a [`Parser`]) or a
/// set read at run time, in the parser's mode and with its size limit.
pub struct Checker {
    parser: Parser,
    mode: Mode,
    schemas: Option<SchemaDir>,
}

impl Checker {
    pub fn new(parser: ParserArgs, schemas: &SchemasArgs) -> Result<Checker, Failure> {
        Ok(Checker {
            parser: parser.parser(),
            mode: parser.mode.mode(),
            schemas: schemas.read()?,
        })
    }

    pub fn with(parser: Parser, mode: Mode, schemas: Option<SchemaDir>) -> Checker {
        Checker {
            parser,
            mode,
            schemas,
        }
    }

    /// The size limit.
    pub fn limit(&self) -> usize {
        self.parser.current_max_body_size()
    }

    /// The delivery's event and drift, or why it is not valid.
    pub fn check(&self, body: &[u8]) -> Result<(String, Drift), Error> {
        if body.len() > self.limit() {
            return Err(Error::TooLarge {
                size: body.len(),
                limit: self.limit(),
            });
        }
        match &self.schemas {
            Some(set) => set.validate(body, self.mode).map(|v| (v.event, v.drift)),
            None => self
                .parser
                .parse_with_drift(body)
                .map(|(event, drift)| (event.event_name().to_owned(), drift)),
        }
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
