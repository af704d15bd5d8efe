//! Helpers shared by the integration tests: fixtures, the `kit-webhooks`
//! binary, deliveries generated from the schemas, and an independent judge.
#![allow(dead_code)]

pub mod generate;
#[cfg(feature = "cli")]
pub mod http;
pub mod json;
pub mod judge;
#[cfg(feature = "nats")]
pub mod nats;
#[cfg(feature = "diff")]
pub mod schema_edit;
#[cfg(feature = "diff")]
pub mod schema_pair;

#[cfg(feature = "cli")]
use std::ffi::OsStr;
#[cfg(feature = "cli")]
use std::io::{BufRead, BufReader};
use std::path::PathBuf;
#[cfg(feature = "cli")]
use std::process::{Child, Command, Stdio};

/// The `event` of a delivery body, as a sender names it in
/// `X-Webhook-Event` (empty when the body has none it can read).
pub fn event_of(body: &[u8]) -> String {
    #[derive(serde::Deserialize)]
    struct Peek {
        #[serde(default)]
        event: Option<String>,
    }
    serde_json::from_slice::<Peek>(body)
        .ok()
        .and_then(|p| p.event)
        .unwrap_or_default()
}

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// The `.json` files directly under `dir` (relative to the root), as
/// (file stem, path), sorted by stem.
pub fn json_files(dir: &str) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(root().join(dir))
        .unwrap_or_else(|e| panic!("{dir}: {e}"))
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| (p.file_stem().unwrap().to_str().unwrap().to_owned(), p))
        .collect();
    out.sort();
    out
}

/// The fixture files under `tests/fixtures/<dir>` (`valid` or `invalid`), sorted.
pub fn fixture_paths(dir: &str) -> Vec<PathBuf> {
    json_files(&format!("tests/fixtures/{dir}"))
        .into_iter()
        .map(|(_, path)| path)
        .collect()
}

/// A JSON file, read.
pub fn read_json(path: &std::path::Path) -> serde_json::Value {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_slice(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The bytes of `tests/fixtures/<name>.json` (`valid/test.ping`).
pub fn fixture(name: &str) -> Vec<u8> {
    let path = root().join(format!("tests/fixtures/{name}.json"));
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Starts `kit-webhooks listen --addr 127.0.0.1:0 ARGS...` and returns the
/// process and the `host:port` it listens on (read from its first line).
#[cfg(feature = "cli")]
pub fn start_listen<S: AsRef<OsStr>>(args: &[S]) -> (Child, String) {
    let (child, addr, _) = start_listen_in(None, args);
    (child, addr)
}

/// [`start_listen`] in working directory `dir`; also returns what it wrote to
/// standard error before it said where it listens.
#[cfg(feature = "cli")]
pub fn start_listen_in<S: AsRef<OsStr>>(
    dir: Option<&std::path::Path>,
    args: &[S],
) -> (Child, String, Vec<String>) {
    let mut command = Command::new(env!("CARGO_BIN_EXE_kit-webhooks"));
    if let Some(dir) = dir {
        command.current_dir(dir);
    }
    let mut child = command
        .args(["listen", "--addr", "127.0.0.1:0"])
        .args(args)
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("kit-webhooks starts");
    let mut stderr = BufReader::new(child.stderr.take().expect("piped"));
    let mut said = Vec::new();
    let mut line = String::new();
    let addr = loop {
        line.clear();
        let read = stderr
            .read_line(&mut line)
            .expect("listen writes to standard error");
        assert!(
            read > 0,
            "listen stopped before it said where it listens: {said:?}"
        );
        if let Some(rest) = line.split("listening on http://").nth(1) {
            break rest.split('/').next().unwrap_or_default().to_owned();
        }
        said.push(line.trim_end().to_owned());
    };
    std::thread::spawn(move || for _ in stderr.lines() {});
    (child, addr, said)
}
