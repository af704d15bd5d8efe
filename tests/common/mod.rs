//! Shared by the tests that run the `kit-webhooks` binary.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};

/// Starts `kit-webhooks listen --addr 127.0.0.1:0 ARGS...` and returns the
/// process and the `host:port` it listens on (read from its first line).
pub fn start_listen<S: AsRef<OsStr>>(args: &[S]) -> (Child, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .args(["listen", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kit-webhooks starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut line = String::new();
    stderr.read_line(&mut line).expect("listen says where it listens");
    let addr = line
        .split("listening on http://")
        .nth(1)
        .and_then(|rest| rest.split('/').next())
        .unwrap_or_else(|| panic!("unexpected first line: {line}"))
        .to_owned();
    std::thread::spawn(move || for _ in stderr.lines() {});
    (child, addr)
}
