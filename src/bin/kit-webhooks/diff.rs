//! `kit-webhooks diff OLD NEW`: what a change to the schemas breaks.

use std::io::Write;
use std::path::PathBuf;

use kit_webhooks::diff;

use crate::args::Format;
use crate::{Failure, Status};

/// Compare two schema directories and say what the change breaks.
#[derive(clap::Args)]
#[command(
    after_help = "Either directory can be a source layout (events/ and common/, as the schemas/ of a \
checkout) or an export (schemas/<event>.json, as dist/).\n\n\
A change is breaking when a receiver built on OLD, in lenient mode, would refuse or type differently a \
delivery NEW allows, or when Rust code written against OLD's generated API stops compiling.\n\n\
Exit status: 0 nothing breaking, 1 something breaking, 2 usage error or unreadable input.\n\n\
Examples:\n  kit-webhooks diff old/schemas schemas\n  kit-webhooks diff --format json release/schemas dist"
)]
pub struct Args {
    /// Output format: `text` for people, `json` for
    /// `{"breaking", "semver", "changes": [{"event", "pointer", "kind", "breaking", "message"}]}`.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// The schemas before the change.
    #[arg(value_name = "OLD")]
    old: PathBuf,
    /// The schemas after the change.
    #[arg(value_name = "NEW")]
    new: PathBuf,
}

pub fn run(args: &Args) -> Result<Status, Failure> {
    let report = diff::diff_dirs(&args.old, &args.new).map_err(|e| Failure::Usage(e.to_string()))?;
    let text = match args.format {
        Format::Text => report.to_text(),
        Format::Json => format!("{}\n", report.to_json()),
    };
    std::io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::Io("standard output".into(), e))?;
    Ok(if report.breaking {
        Status::Invalid
    } else {
        Status::Ok
    })
}
