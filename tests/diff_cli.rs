//! `kit-webhooks diff` on the command line: both layouts read, the verdict
//! as the exit status, the formats printed.
#![cfg(all(feature = "diff", feature = "cli"))]

use std::path::Path;

use serde_json::{json, Value};

mod support;
use support::root;

/// A scratch copy of `schemas/` or `dist/`, changed by `edit`.
fn scratch(name: &str, from: &str, edit: impl FnOnce(&Path)) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kit-webhooks-diff-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    copy(&root().join(from), &dir);
    edit(&dir);
    dir
}

fn copy(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy(&path, &target);
        } else {
            std::fs::copy(&path, &target).unwrap();
        }
    }
}

fn edit_json(path: &Path, edit: impl FnOnce(&mut Value)) {
    let mut doc: Value = serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap();
    edit(&mut doc);
    std::fs::write(path, serde_json::to_vec_pretty(&doc).unwrap()).unwrap();
}

fn run(args: &[&std::ffi::OsStr]) -> (i32, String, String) {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_kit-webhooks"))
        .arg("diff")
        .args(args)
        .output()
        .unwrap();
    (
        output.status.code().unwrap(),
        String::from_utf8(output.stdout).unwrap(),
        String::from_utf8(output.stderr).unwrap(),
    )
}

/// In an export the lists are open; a value added there is read the same.
#[test]
fn the_command_line_reads_both_layouts_and_exits_by_the_verdict() {
    let export = scratch("export", "dist", |dir| {
        edit_json(&dir.join("schemas/offer.revised.json"), |doc| {
            doc["$defs"]["OfferStatus"]["anyOf"][0]["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!("rescinded"));
        });
    });
    let (code, out, err) = run(&[
        root().join("schemas").as_os_str(),
        export.as_os_str(),
        "--format".as_ref(),
        "json".as_ref(),
    ]);
    assert_eq!(code, 0, "{err}");
    let report: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(
        report,
        json!({"breaking": false, "semver": "minor", "changes": [{
            "event": "offer.revised",
            "pointer": "/data/status",
            "kind": "value-added",
            "breaking": false,
            "message": "value \"rescinded\" added; receivers built on the old schemas keep it as Unknown"
        }]})
    );

    let source = scratch("source", "schemas", |dir| {
        edit_json(&dir.join("common/shared.json"), |doc| {
            doc["$defs"]["Candidate"]["properties"]["email"]
                .as_object_mut()
                .unwrap()
                .remove("format");
        });
    });
    let (code, out, _) = run(&[export.as_os_str(), source.as_os_str()]);
    assert_eq!(code, 1, "{out}");
    assert!(out.contains("! /data/candidate/email  [format-removed]"), "{out}");
    assert!(
        out.contains("offer.revised\n  ! /data/candidate/email  [format-removed]  format \"email\" dropped: old receivers refuse values it no longer rules out\n  ! /data/status  [value-removed]"),
        "{out}"
    );
    assert!(out.starts_with("3 change(s), 3 breaking: semver major"), "{out}");

    let (code, _, err) = run(&[source.as_os_str(), root().join("no-such-dir").as_os_str()]);
    assert_eq!(code, 2);
    assert!(err.contains("no-such-dir"), "{err}");
    let (code, _, err) = run(&[source.as_os_str()]);
    assert_eq!(code, 2, "{err}");
    let broken = scratch("broken", "schemas", |dir| {
        std::fs::write(dir.join("events/test.ping.json"), "{ not json").unwrap();
    });
    let (code, _, err) = run(&[source.as_os_str(), broken.as_os_str()]);
    assert_eq!(code, 2);
    assert!(
        err.contains("test.ping.json") && err.contains("not valid JSON"),
        "{err}"
    );
    for dir in [export, source, broken] {
        let _ = std::fs::remove_dir_all(dir);
    }
}
