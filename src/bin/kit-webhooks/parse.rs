//! `kit-webhooks parse`: validate one delivery and print its typed value.

use std::io::{self, Write};
use std::path::PathBuf;

use kit_webhooks::Error;

use crate::args::ParserArgs;
use crate::input::{self, Body};
use crate::{Failure, Status};

/// Validate one delivery and print its typed value, serialised back as JSON.
#[derive(clap::Args)]
#[command(after_help = "Example:\n  kit-webhooks parse tests/fixtures/valid/test.ping.json")]
pub struct Args {
    #[command(flatten)]
    parser: ParserArgs,
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
    let limit = parser.current_max_body_size();
    let body = input::open(path)
        .and_then(|mut input| input::read_all(&mut *input.reader, limit))
        .map_err(|e| Failure::Io(name.clone(), e))?;
    let result = match body {
        Body::Whole(bytes) => parser.parse(&bytes),
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
