//! The report for people: text grouped by event, and Markdown for a changelog.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use super::{Change, Report};

/// Changes grouped by event, in the report's order; shared definitions last.
fn groups(report: &Report) -> Vec<(String, Vec<&Change>)> {
    let mut order: Vec<String> = Vec::new();
    let mut by: BTreeMap<String, Vec<&Change>> = BTreeMap::new();
    for change in &report.changes {
        let heading = match (&change.event, &change.definition) {
            (Some(event), _) => event.clone(),
            (None, Some(def)) if change.reaches.is_empty() => format!("{def}, which no event uses"),
            (None, Some(def)) => format!(
                "{def}, shared by {} events: {}",
                change.reaches.len(),
                change.reaches.join(", ")
            ),
            (None, None) => "(no event)".to_owned(),
        };
        if !by.contains_key(&heading) {
            order.push(heading.clone());
        }
        by.entry(heading).or_default().push(change);
    }
    order
        .into_iter()
        .map(|heading| {
            let changes = by.remove(&heading).unwrap_or_default();
            (heading, changes)
        })
        .collect()
}

fn pointer(change: &Change) -> &str {
    if change.pointer.is_empty() {
        "(root)"
    } else {
        &change.pointer
    }
}

/// The message, without the list of events its heading already gives.
fn summary(change: &Change) -> String {
    match (&change.event, &change.definition) {
        (Some(_), Some(def)) => format!("{} (in {def})", change.summary()),
        _ => change.summary().to_owned(),
    }
}

pub(super) fn text(report: &Report) -> String {
    let mut out = String::new();
    let breaking = report.changes.iter().filter(|c| c.breaking).count();
    let _ = writeln!(
        out,
        "{} change(s), {breaking} breaking: semver {}{}",
        report.changes.len(),
        report.semver,
        if report.breaking { " (breaking)" } else { "" }
    );
    for (heading, changes) in groups(report) {
        let _ = writeln!(out, "\n{heading}");
        for change in changes {
            let mark = if change.breaking { "!" } else { " " };
            let _ = writeln!(
                out,
                "  {mark} {}  [{}]  {}",
                pointer(change),
                change.kind,
                summary(change)
            );
        }
    }
    out
}

pub(super) fn markdown(report: &Report) -> String {
    let mut out = String::new();
    if report.changes.is_empty() {
        out.push_str("No change to the schemas.\n");
        return out;
    }
    for (heading, changes) in groups(report) {
        let _ = writeln!(out, "- `{heading}`");
        for change in changes {
            let mark = if change.breaking { " **breaking**" } else { "" };
            let _ = writeln!(
                out,
                "  - `{}` {}{mark}: {}",
                pointer(change),
                change.kind,
                summary(change)
            );
        }
    }
    out
}
