//! `kit-webhooks parse`: validate one delivery and print its typed value.

use std::io::{self, Write};
use std::path::PathBuf;

use kit_webhooks::{Error, WebhookEvent};

use crate::args::{ParserArgs, SchemasArgs};
use crate::input::{self, Body};
use crate::{Failure, Status};

/// Validate one delivery and print its typed value, serialised back as JSON.
///
/// With --schemas, the delivery is validated against that set, then decoded
/// into this binary's types: what they do not know (a field or an event the
/// set adds) is not printed.
#[derive(clap::Args)]
#[command(
    after_help = "Examples:\n  kit-webhooks parse tests/fixtures/valid/test.ping.json\n  \
    kit-webhooks parse --strict --schemas proposal/ delivery.json"
)]
pub struct Args {
    #[command(flatten)]
    parser: ParserArgs,
    #[command(flatten)]
    schemas: SchemasArgs,
    /// Indent the output.
    #[arg(long)]
    pretty: bool,
    /// The delivery; `-` or nothing for standard input.
    #[arg(value_name = "FILE")]
    file: Option<PathBuf>,
}

pub fn run(args: &Args) -> Result<Status, Failure> {
    let path = args.file.as_deref();
    let name = input::name(path);
    let parser = args.parser.parser();
    let schemas = args.schemas.read()?;
    let limit = parser.current_max_body_size();
    let body = input::open(path)
        .and_then(|mut input| input::read_all(&mut *input.reader, limit))
        .map_err(|e| Failure::Io(name.clone(), e))?;
    let result = match body {
        Body::Whole(bytes) => match &schemas {
            None => parser.parse(&bytes),
            Some(set) => set
                .validate(&bytes, args.parser.mode())
                .and_then(|_| WebhookEvent::from_slice(&bytes)),
        },
        Body::TooLarge(size) => Err(Error::TooLarge { size, limit }),
    };
    match result {
        Ok(event) => {
            let mut out = io::stdout().lock();
            let written = if args.pretty {
                serde_json::to_writer_pretty(&mut out, &event)
            } else {
                serde_json::to_writer(&mut out, &event)
            };
            written
                .map_err(io::Error::from)
                .and_then(|()| writeln!(out))
                .map_err(|e| Failure::Io("standard output".into(), e))?;
            Ok(Status::Ok)
        }
        Err(err) => {
            eprintln!("{name}: {err}");
            for violation in err.to_violations() {
                eprintln!("    {violation}");
            }
            Ok(Status::Invalid)
        }
    }
}
