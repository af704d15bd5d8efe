//! `kit-webhooks`: validate, parse, sign, send, receive and compare Kit
//! webhook deliveries and schemas from the command line. One module per
//! subcommand, each with its own arguments; options several share live in
//! `args`.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::{Parser as _, Subcommand};

mod args;
mod dedupe;
mod diff;
mod drift;
mod files;
mod input;
mod listen;
mod parse;
mod replay;
mod schema;
mod send;
mod sign;
mod validate;

/// Validate, parse and inspect Kit webhook deliveries against the schemas of
/// the documented events.
///
/// Exit status: 0 when everything is valid, 1 when any delivery is invalid
/// (including malformed JSON and over-size input), 2 for usage errors and
/// unreadable files.
#[derive(clap::Parser)]
#[command(name = "kit-webhooks", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    Validate(validate::Args),
    Parse(parse::Args),
    Schema(schema::Args),
    /// Print the names of the documented events, one per line.
    Events,
    Sign(sign::SignArgs),
    Verify(sign::VerifyArgs),
    Send(send::Args),
    Listen(Box<listen::Args>),
    Diff(diff::Args),
    Drift(drift::Args),
    Replay(replay::Args),
}

fn main() -> ExitCode {
    let result = match Cli::parse().command {
        Command::Validate(args) => validate::run(&args),
        Command::Parse(args) => parse::run(&args),
        Command::Schema(args) => schema::run(&args),
        Command::Events => schema::events(),
        Command::Sign(args) => sign::sign(&args),
        Command::Verify(args) => sign::verify(&args),
        Command::Send(args) => send::run(&args),
        Command::Listen(args) => listen::run(*args),
        Command::Diff(args) => diff::run(&args),
        Command::Drift(args) => drift::run(&args),
        Command::Replay(args) => replay::run(&args),
    };
    match result {
        Ok(status) => status.into(),
        Err(Failure::Usage(message)) => {
            eprintln!("error: {message}");
            ExitCode::from(2)
        }
        // A closed pipe (`| head`) ends the output; it is not worth a message.
        Err(Failure::Io(_, e)) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::from(2),
        Err(Failure::Io(what, e)) => {
            eprintln!("error: {what}: {e}");
            ExitCode::from(2)
        }
    }
}

/// How a command ended, when it ran.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Status {
    Ok,
    Invalid,
    Unreadable,
}

impl From<Status> for ExitCode {
    fn from(status: Status) -> Self {
        match status {
            Status::Ok => ExitCode::SUCCESS,
            Status::Invalid => ExitCode::from(1),
            Status::Unreadable => ExitCode::from(2),
        }
    }
}

/// Why a command could not run.
pub enum Failure {
    Usage(String),
    Io(String, io::Error),
}

/// Prints one line on standard output.
pub fn say(line: &str) -> Result<(), Failure> {
    writeln!(io::stdout().lock(), "{line}").map_err(|e| Failure::Io("standard output".into(), e))
}
