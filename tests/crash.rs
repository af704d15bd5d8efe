//! A 2xx from `listen` means durably kept: SIGKILL the receiver under load,
//! and every delivery it acknowledged is in its output, whole; restarted on
//! the same files, it carries on appending.
#![cfg(feature = "cli")]

use std::path::{Path, PathBuf};
use std::process::Child;

const SECRET: &str = "whsec_crash";

mod support;
use support::http::{delivery, kept, post, signal, Load};

fn start(dir: &Path) -> (Child, String) {
    support::start_listen(&[
        "--secret".as_ref(),
        SECRET.as_ref(),
        "--out".as_ref(),
        dir.join("out.jsonl").as_os_str(),
        "--quarantine".as_ref(),
        dir.join("quarantine.jsonl").as_os_str(),
    ] as &[&std::ffi::OsStr])
}

#[test]
fn every_acknowledged_delivery_survives_a_sigkill_and_a_restart() {
    let dir: PathBuf = std::env::temp_dir().join(format!("kit-webhooks-crash-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let out = dir.join("out.jsonl");

    let (mut child, addr) = start(&dir);
    // Let it take load, then kill it without warning.
    let load = Load::start(&addr, SECRET, 300);
    signal(&child, "KILL");
    child.wait().unwrap();
    let first_run = load.finish();
    let (ids, _torn) = kept(&out);
    let lost: Vec<&usize> = first_run.iter().filter(|id| !ids.contains(id)).collect();
    assert!(
        lost.is_empty(),
        "{} acknowledged deliveries lost after SIGKILL: {lost:?}",
        lost.len()
    );

    // Restart on the same files and carry on appending.
    let (mut child, addr) = start(&dir);
    let more: Vec<usize> = (1_000_000..1_000_050).collect();
    for id in &more {
        assert_eq!(post(&addr, SECRET, &delivery(*id)), Some(200));
    }
    signal(&child, "INT");
    assert!(child.wait().unwrap().success());
    let (ids, torn) = kept(&out);
    assert_eq!(torn, 0, "no torn line is left once restarted");
    for id in first_run.iter().chain(&more) {
        assert!(ids.contains(id), "delivery {id} missing after the restart");
    }
    let _ = std::fs::remove_dir_all(&dir);
}
