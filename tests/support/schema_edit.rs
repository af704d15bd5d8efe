//! The repository's schemas changed one way, for the differ's rule tests:
//! the edit, the one-line verdicts of a report, and deliveries generated from
//! the new set judged by this crate, which was built from the old one.

use kit_webhooks::diff::{self, File, Kind, Layout, Report, SchemaSet, Semver};
use kit_webhooks::Parser;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::Value;

use super::{generate, root};

/// This repository's schemas: what the crate under test was built from.
pub fn old() -> SchemaSet {
    SchemaSet::read(&root().join("schemas")).unwrap()
}

/// The schemas changed by `edit`, which gets every file by its path.
pub fn changed(edit: impl FnOnce(&mut Files)) -> SchemaSet {
    let mut files = Files(old().files);
    edit(&mut files);
    SchemaSet::from_files(&root().join("schemas"), Layout::Source, files.0).unwrap()
}

pub struct Files(Vec<File>);

impl Files {
    pub fn file(&mut self, rel: &str) -> &mut Value {
        &mut self
            .0
            .iter_mut()
            .find(|f| f.rel == rel)
            .unwrap_or_else(|| panic!("{rel}"))
            .doc
    }

    /// A definition, wherever it is.
    pub fn def(&mut self, name: &str) -> &mut Value {
        self.0
            .iter_mut()
            .find_map(|f| f.doc.get_mut("$defs").and_then(|d| d.get_mut(name)))
            .unwrap_or_else(|| panic!("$defs/{name}"))
    }

    pub fn add(&mut self, rel: &str, doc: Value) {
        self.0.push(File { rel: rel.into(), doc });
    }

    pub fn remove(&mut self, rel: &str) {
        self.0.retain(|f| f.rel != rel);
    }
}

/// The one-line verdicts of a report: (event or "*", pointer, kind, breaking).
pub fn verdicts(report: &Report) -> Vec<(String, String, Kind, bool)> {
    report
        .changes
        .iter()
        .map(|c| {
            let event = c.event.clone().unwrap_or_else(|| "*".into());
            (event, c.pointer.clone(), c.kind, c.breaking)
        })
        .collect()
}

pub fn check(
    edit: impl FnOnce(&mut Files),
    expected: &[(&str, &str, Kind, bool)],
    semver: Semver,
) -> SchemaSet {
    let new = changed(edit);
    let report = diff::diff(&old(), &new);
    let expected: Vec<(String, String, Kind, bool)> = expected
        .iter()
        .map(|(e, p, k, b)| ((*e).to_owned(), (*p).to_owned(), *k, *b))
        .collect();
    assert_eq!(verdicts(&report), expected, "{}", report.to_text());
    assert_eq!(report.semver, semver, "{}", report.to_text());
    assert_eq!(report.breaking, semver == Semver::Major);
    new
}

/// Deliveries generated from every event of `new` (seeded, `cases` of them)
/// that this crate, built from the old schemas, refuses in lenient mode
/// (validation and typed parse).
pub fn refused_by_old(new: &SchemaSet, cases: usize) -> Vec<String> {
    let schemas = new
        .events
        .keys()
        .map(|name| (name.clone(), new.bundled(name).unwrap()))
        .collect();
    let strategy = generate::deliveries(schemas);
    let mut runner = TestRunner::deterministic();
    let mut refused = Vec::new();
    for _ in 0..cases {
        let (_, doc) = strategy.new_tree(&mut runner).unwrap().current();
        let body = serde_json::to_vec(&doc).unwrap();
        if Parser::new().parse(&body).is_err() {
            refused.push(String::from_utf8(body).unwrap());
        }
    }
    refused
}

/// Wherever the differ says nothing breaks, the old receiver accepts what the
/// new schemas allow.
pub fn old_accepts_everything(new: &SchemaSet) {
    let refused = refused_by_old(new, 400);
    assert!(
        refused.is_empty(),
        "refused by the old receiver:\n{}",
        refused.join("\n")
    );
}

/// A breaking relaxation has a witness: a delivery the new schemas allow and
/// the old receiver refuses.
pub fn old_refuses_something(new: &SchemaSet) {
    assert!(
        !refused_by_old(new, 400).is_empty(),
        "no generated delivery shows the break"
    );
}
