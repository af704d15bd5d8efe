//! `kit-webhooks schema` and `kit-webhooks events`: the schemas themselves.

use std::io::{self, Write};

use kit_webhooks::{schema, EventType};

use crate::args::ModeArgs;
use crate::{Failure, Status};

/// Print the self-contained JSON Schema of one event, or of all events (their union).
#[derive(clap::Args)]
#[command(after_help = "Examples:\n  \
    kit-webhooks schema application.submitted\n  \
    kit-webhooks schema --strict > webhook.strict.json")]
pub struct Args {
    /// The event; all events when omitted.
    #[arg(value_name = "EVENT")]
    event: Option<String>,
    #[command(flatten)]
    mode: ModeArgs,
}

pub fn run(args: &Args) -> Result<Status, Failure> {
    let mode = args.mode.mode();
    let text = match &args.event {
        None => schema::union(mode),
        Some(name) => {
            let event: EventType = name.parse().map_err(|_| {
                Failure::Usage(format!(
                    "unknown event {name:?}; `kit-webhooks events` lists the {} known events",
                    EventType::ALL.len()
                ))
            })?;
            event.bundled_schema(mode)
        }
    };
    io::stdout()
        .lock()
        .write_all(text.as_bytes())
        .map_err(|e| Failure::Io("standard output".into(), e))?;
    Ok(Status::Ok)
}

/// `kit-webhooks events`: the documented event names, one per line.
pub fn events() -> Result<Status, Failure> {
    let mut out = io::stdout().lock();
    EventType::ALL
        .iter()
        .try_for_each(|event| writeln!(out, "{event}"))
        .map(|()| Status::Ok)
        .map_err(|e| Failure::Io("standard output".into(), e))
}
