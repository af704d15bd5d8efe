//! `kit_webhooks::diff`: the changes that break nothing (or only the Rust
//! API), each over this repository's schemas changed one way, and checked
//! against behaviour: wherever a change is said not to break, deliveries
//! generated from the new schemas are accepted by this crate, which was built
//! from the old ones. The breaking changes are in `diff_breaking.rs`, the
//! command line in `diff_cli.rs`.
#![cfg(feature = "diff")]

use kit_webhooks::diff::{self, Kind, Layout, SchemaSet, Semver};
use serde_json::{json, Value};

mod support;
use support::root;
use support::schema_edit::{
    changed, check, old, old_accepts_everything, old_refuses_something, verdicts, Files,
};

// ---------------------------------------------------------------------------
// Not breaking
// ---------------------------------------------------------------------------

#[test]
fn nothing_changed_is_none() {
    check(|_| {}, &[], Semver::None);
}

#[test]
fn a_value_added_to_a_documented_list_is_minor() {
    let new = check(
        |f| {
            f.def("OfferStatus")["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!("rescinded"))
        },
        &[("*", "/data/status", Kind::ValueAdded, false)],
        Semver::Minor,
    );
    old_accepts_everything(&new);
}

#[test]
fn an_optional_field_added_is_minor() {
    let new = check(
        |f| f.def("InterviewData")["properties"]["room"] = json!({"type": "string", "description": "Where"}),
        &[("*", "/data/room", Kind::FieldAdded, false)],
        Semver::Minor,
    );
    old_accepts_everything(&new);
}

#[test]
fn a_required_field_added_is_minor() {
    let new = check(
        |f| {
            let job = f.def("JobPostingSummary");
            job["properties"]["team"] = json!({"type": "string", "description": "Team"});
            job["required"].as_array_mut().unwrap().push(json!("team"));
        },
        &[("*", "/data/job_posting/team", Kind::FieldAdded, false)],
        Semver::Minor,
    );
    old_accepts_everything(&new);
}

/// `test.pong`: a copy of `test.ping` under a new name.
fn pong(f: &mut Files) -> Value {
    let mut pong = f.file("events/test.ping.json").clone();
    pong["$id"] = json!("https://kit-webhooks.github.io/schemas/v1/events/test.pong.json");
    pong["title"] = json!("TestPong");
    pong["properties"]["event"]["const"] = json!("test.pong");
    pong
}

#[test]
fn a_new_event_is_minor() {
    let new = check(
        |f| {
            let pong = pong(f);
            f.add("events/test.pong.json", pong);
        },
        &[("test.pong", "", Kind::EventAdded, false)],
        Semver::Minor,
    );
    old_accepts_everything(&new);
}

#[test]
fn a_new_event_outside_the_envelope_breaks() {
    let new = check(
        |f| {
            let mut pong = pong(f);
            pong["properties"]["data"] = json!({"type": "string", "description": "A pong."});
            f.add("events/test.pong.json", pong);
        },
        &[("test.pong", "", Kind::EventAdded, true)],
        Semver::Major,
    );
    old_refuses_something(&new);
}

/// The envelope an added event must fit is read from the schemas
/// (`$defs/UnknownEvent`), and the message says which field misses it.
#[test]
fn the_envelope_an_added_event_must_fit_comes_from_the_schemas() {
    let plain_timestamp = |f: &mut Files| {
        let mut pong = pong(f);
        pong["properties"]["created_at"] = json!({"type": "string", "description": "When."});
        f.add("events/test.pong.json", pong);
    };
    let report = diff::diff(&old(), &changed(plain_timestamp));
    let change = &report.changes[0];
    assert!(change.breaking, "{}", report.to_text());
    assert!(
        change
            .message
            .contains("`created_at` may be other than a `date-time` string"),
        "{}",
        change.message
    );
    let unrequired = |f: &mut Files| {
        let mut pong = pong(f);
        pong["required"] = json!(["event", "data"]);
        f.add("events/test.pong.json", pong);
    };
    let report = diff::diff(&old(), &changed(unrequired));
    assert!(
        report.changes[0].message.contains("`created_at` is not required"),
        "{}",
        report.to_text()
    );
    // An OLD whose envelope takes any `data` takes an event whose data is a string.
    let loose =
        changed(|f| f.def("UnknownEvent")["properties"]["data"] = json!({"description": "Anything."}));
    let string_data = |f: &mut Files| {
        f.def("UnknownEvent")["properties"]["data"] = json!({"description": "Anything."});
        let mut pong = pong(f);
        pong["properties"]["data"] = json!({"type": "string", "description": "A pong."});
        f.add("events/test.pong.json", pong);
    };
    let report = diff::diff(&loose, &changed(string_data));
    assert_eq!(
        verdicts(&report),
        [("test.pong".to_owned(), String::new(), Kind::EventAdded, false)]
    );
}

#[test]
fn documentation_alone_is_a_patch() {
    let new = check(
        |f| {
            f.def("Candidate")["properties"]["name"]["description"] = json!("The candidate's full name");
            f.def("Candidate")["properties"]["name"]["examples"] = json!(["Ada Lovelace"]);
            f.file("events/test.ping.json")["description"] = json!("Reworded.");
        },
        &[
            ("test.ping", "", Kind::Documentation, false),
            ("*", "/data/candidate/name", Kind::Documentation, false),
            ("*", "/data/candidate/name", Kind::Documentation, false),
        ],
        Semver::Patch,
    );
    old_accepts_everything(&new);
}

#[test]
fn a_constraint_tightened_or_a_format_added_is_minor() {
    let new = check(
        |f| {
            f.def("JobPostingSummary")["minProperties"] = json!(1);
            f.def("ReviewData")["properties"]["recommendation"]["format"] = json!("hostname");
        },
        &[
            (
                "review.submitted",
                "/data/recommendation",
                Kind::FormatAdded,
                false,
            ),
            ("*", "/data/job_posting", Kind::ConstraintTightened, false),
        ],
        Semver::Minor,
    );
    old_accepts_everything(&new);
}

/// A length on a plain string tightens what receivers accept, but typify
/// makes a constrained string a type of its own: the Rust type changes.
#[test]
fn a_length_on_a_plain_string_changes_its_rust_type() {
    let new = check(
        |f| f.def("JobPostingSummary")["properties"]["title"]["minLength"] = json!(1),
        &[
            ("*", "/data/job_posting/title", Kind::TypeChanged, true),
            ("*", "/data/job_posting/title", Kind::ConstraintTightened, false),
        ],
        Semver::Major,
    );
    old_accepts_everything(&new);
}

/// What the generator makes of a schema decides the Rust half: the first
/// field of an object that had none (typify's map becomes a struct), a
/// keyword beside a reference (typify merges the two into a type of its
/// own), and the envelope of an unknown event, which no event uses.
#[test]
fn changes_that_retype_what_the_generator_makes_are_major() {
    let new = check(
        |f| {
            f.def("TestPingData")["properties"]["sequence"] =
                json!({"type": "integer", "description": "A number."})
        },
        &[
            ("test.ping", "/data", Kind::TypeChanged, true),
            ("test.ping", "/data/sequence", Kind::FieldAdded, false),
        ],
        Semver::Major,
    );
    old_accepts_everything(&new);
    check(
        |f| f.def("OfferData")["properties"]["expires_at"]["maxLength"] = json!(40),
        &[
            ("*", "/data/expires_at", Kind::TypeChanged, true),
            ("*", "/data/expires_at", Kind::ConstraintTightened, false),
        ],
        Semver::Major,
    );
    check(
        |f| {
            f.def("UnknownEvent")["properties"]["event"]["description"] = json!("Changed.");
            let required = f.def("UnknownEvent")["required"].as_array_mut().unwrap();
            required.retain(|r| r != "data");
        },
        &[
            ("*", "/$defs/UnknownEvent/data", Kind::FieldOptional, true),
            ("*", "/$defs/UnknownEvent/event", Kind::Documentation, false),
        ],
        Semver::Major,
    );
}

#[test]
fn closing_an_object_is_minor() {
    let new = check(
        |f| f.def("JobPostingSummary")["additionalProperties"] = json!(false),
        &[("*", "/data/job_posting", Kind::FieldsClosed, false)],
        Semver::Minor,
    );
    old_accepts_everything(&new);
}

// ---------------------------------------------------------------------------
// Layouts and the command line
// ---------------------------------------------------------------------------

#[test]
fn the_source_and_its_export_compare_equal() {
    let report = diff::diff_dirs(&root().join("schemas"), &root().join("dist")).unwrap();
    assert!(report.changes.is_empty(), "{}", report.to_text());
    let report = diff::diff_dirs(&root().join("dist/schemas"), &root().join("schemas")).unwrap();
    assert!(report.changes.is_empty(), "{}", report.to_text());
    let export = SchemaSet::read(&root().join("dist")).unwrap();
    assert_eq!(export.layout, Layout::Export);
    assert_eq!(export.events.len(), kit_webhooks::EventType::ALL.len());
}
