//! `kit_webhooks::diff` and `kit-webhooks diff`: every rule over a pair of
//! schema sets (this repository's schemas, and a copy changed one way), and
//! the rules checked against behaviour: wherever a change is said not to
//! break, deliveries generated from the new schemas are accepted by this
//! crate, which was built from the old ones.
#![cfg(feature = "diff")]

use kit_webhooks::diff::{self, File, Kind, Layout, Report, SchemaSet, Semver};
use kit_webhooks::Parser;
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::TestRunner;
use serde_json::{json, Value};

mod support;
use support::{generate, root};

/// This repository's schemas: what the crate under test was built from.
fn old() -> SchemaSet {
    SchemaSet::read(&root().join("schemas")).unwrap()
}

/// The schemas changed by `edit`, which gets every file by its path.
fn changed(edit: impl FnOnce(&mut Files)) -> SchemaSet {
    let mut files = Files(old().files);
    edit(&mut files);
    SchemaSet::from_files(&root().join("schemas"), Layout::Source, files.0).unwrap()
}

struct Files(Vec<File>);

impl Files {
    fn file(&mut self, rel: &str) -> &mut Value {
        &mut self
            .0
            .iter_mut()
            .find(|f| f.rel == rel)
            .unwrap_or_else(|| panic!("{rel}"))
            .doc
    }

    /// A definition, wherever it is.
    fn def(&mut self, name: &str) -> &mut Value {
        self.0
            .iter_mut()
            .find_map(|f| f.doc.get_mut("$defs").and_then(|d| d.get_mut(name)))
            .unwrap_or_else(|| panic!("$defs/{name}"))
    }

    fn add(&mut self, rel: &str, doc: Value) {
        self.0.push(File { rel: rel.into(), doc });
    }

    fn remove(&mut self, rel: &str) {
        self.0.retain(|f| f.rel != rel);
    }
}

/// The one-line verdicts of a report: (event or "*", pointer, kind, breaking).
fn verdicts(report: &Report) -> Vec<(String, String, Kind, bool)> {
    report
        .changes
        .iter()
        .map(|c| {
            let event = c.event.clone().unwrap_or_else(|| "*".into());
            (event, c.pointer.clone(), c.kind, c.breaking)
        })
        .collect()
}

fn check(edit: impl FnOnce(&mut Files), expected: &[(&str, &str, Kind, bool)], semver: Semver) -> SchemaSet {
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
fn refused_by_old(new: &SchemaSet, cases: usize) -> Vec<String> {
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
fn old_accepts_everything(new: &SchemaSet) {
    let refused = refused_by_old(new, 400);
    assert!(
        refused.is_empty(),
        "refused by the old receiver:\n{}",
        refused.join("\n")
    );
}

/// A breaking relaxation has a witness: a delivery the new schemas allow and
/// the old receiver refuses.
fn old_refuses_something(new: &SchemaSet) {
    assert!(
        !refused_by_old(new, 400).is_empty(),
        "no generated delivery shows the break"
    );
}

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
// Breaking
// ---------------------------------------------------------------------------

#[test]
fn a_field_removed_breaks() {
    let new = check(
        |f| {
            let data = f.def("InterviewData");
            data["properties"]
                .as_object_mut()
                .unwrap()
                .remove("duration_minutes");
            data["required"]
                .as_array_mut()
                .unwrap()
                .retain(|v| v != "duration_minutes");
        },
        &[("*", "/data/duration_minutes", Kind::FieldRemoved, true)],
        Semver::Major,
    );
    old_refuses_something(&new);
}

#[test]
fn a_field_made_nullable_breaks() {
    let new = check(
        |f| {
            // Int64 inlined, and null allowed.
            let field = f.def("InterviewData")["properties"]["duration_minutes"]
                .as_object_mut()
                .unwrap();
            field.remove("$ref");
            field.insert("type".into(), json!(["integer", "null"]));
            field.insert("minimum".into(), json!(i64::MIN));
            field.insert("maximum".into(), json!(i64::MAX));
        },
        &[("*", "/data/duration_minutes", Kind::NullableAdded, true)],
        Semver::Major,
    );
    old_refuses_something(&new);
}

#[test]
fn a_field_made_non_nullable_breaks_the_rust_type() {
    let new = check(
        |f| f.def("OfferData")["properties"]["details"]["type"] = json!("string"),
        &[("*", "/data/details", Kind::NullableRemoved, true)],
        Semver::Major,
    );
    // Breaking for Rust code only: every delivery still passes.
    old_accepts_everything(&new);
}

#[test]
fn a_field_retyped_breaks() {
    let new = check(
        |f| f.def("ReviewData")["properties"]["recommendation"]["type"] = json!("integer"),
        &[(
            "review.submitted",
            "/data/recommendation",
            Kind::TypeChanged,
            true,
        )],
        Semver::Major,
    );
    old_refuses_something(&new);
}

#[test]
fn a_format_dropped_breaks() {
    let new = check(
        |f| {
            f.def("Candidate")["properties"]["email"]
                .as_object_mut()
                .unwrap()
                .remove("format");
        },
        &[("*", "/data/candidate/email", Kind::FormatRemoved, true)],
        Semver::Major,
    );
    old_refuses_something(&new);
}

#[test]
fn a_date_time_format_added_breaks_the_rust_type() {
    let new = check(
        |f| f.def("ReviewData")["properties"]["recommendation"]["format"] = json!("date-time"),
        &[(
            "review.submitted",
            "/data/recommendation",
            Kind::FormatAdded,
            true,
        )],
        Semver::Major,
    );
    // Breaking for Rust code only: every delivery still passes.
    old_accepts_everything(&new);
}

#[test]
fn a_required_field_made_optional_breaks() {
    let new = check(
        |f| {
            f.def("Candidate")["required"]
                .as_array_mut()
                .unwrap()
                .retain(|v| v != "email")
        },
        &[("*", "/data/candidate/email", Kind::FieldOptional, true)],
        Semver::Major,
    );
    old_refuses_something(&new);
}

#[test]
fn an_optional_field_made_required_breaks_unless_it_is_nullable() {
    let with_optional = |nullable: bool| {
        move |f: &mut Files| {
            let ty = if nullable {
                json!(["string", "null"])
            } else {
                json!("string")
            };
            f.def("InterviewData")["properties"]["room"] = json!({"type": ty, "description": "Where"});
        }
    };
    for nullable in [false, true] {
        let old = changed(with_optional(nullable));
        let new = changed(|f| {
            with_optional(nullable)(f);
            f.def("InterviewData")["required"]
                .as_array_mut()
                .unwrap()
                .push(json!("room"));
        });
        let report = diff::diff(&old, &new);
        assert_eq!(
            verdicts(&report),
            [(
                "*".to_owned(),
                "/data/room".to_owned(),
                Kind::FieldRequired,
                !nullable
            )],
            "{}",
            report.to_text()
        );
    }
}

#[test]
fn a_value_removed_from_a_list_breaks() {
    let new = check(
        |f| {
            f.def("JobPostingStatus")["enum"]
                .as_array_mut()
                .unwrap()
                .retain(|v| v != "paused")
        },
        &[("*", "/data/status", Kind::ValueRemoved, true)],
        Semver::Major,
    );
    // Breaking for Rust code only: every delivery still passes.
    old_accepts_everything(&new);
}

#[test]
fn opening_or_closing_a_list_breaks_the_rust_type() {
    check(
        |f| {
            let status = f.def("OutreachMessageStatus").as_object_mut().unwrap();
            status.remove("enum");
        },
        &[("*", "/data/status", Kind::ListOpened, true)],
        Semver::Major,
    );
    check(
        |f| f.def("ApplicationData")["properties"]["current_stage"]["enum"] = json!(["Applied", "Hired"]),
        &[("*", "/data/current_stage", Kind::ListClosed, true)],
        Semver::Major,
    );
}

#[test]
fn an_event_removed_breaks() {
    check(
        |f| f.remove("events/interview.no_show.json"),
        &[("interview.no_show", "", Kind::EventRemoved, true)],
        Semver::Major,
    );
}

#[test]
fn a_bound_relaxed_breaks() {
    check(
        |f| {
            f.def("Int64").as_object_mut().unwrap().remove("maximum");
        },
        // At every integer field, wherever events reach it.
        &[
            ("*", "/data/candidate/id", Kind::ConstraintRelaxed, true),
            ("*", "/data/duration_minutes", Kind::ConstraintRelaxed, true),
            ("*", "/data/id", Kind::ConstraintRelaxed, true),
            ("*", "/data/job_posting/id", Kind::ConstraintRelaxed, true),
            ("*", "/data/retry_count", Kind::ConstraintRelaxed, true),
            ("*", "/data/step_number", Kind::ConstraintRelaxed, true),
        ],
        Semver::Major,
    );
}

#[test]
fn a_field_referring_to_a_renamed_type_breaks() {
    let new = check(
        |f| {
            let summary = f.def("JobPostingSummary").clone();
            f.file("common/shared.json")["$defs"]["JobSummary"] = summary;
            f.def("OfferData")["properties"]["job_posting"]["$ref"] = json!("shared.json#/$defs/JobSummary");
        },
        &[("*", "/data/job_posting", Kind::TypeRenamed, true)],
        Semver::Major,
    );
    // Breaking for Rust code only: every delivery still passes.
    old_accepts_everything(&new);
}

#[test]
fn an_object_opened_where_it_was_closed_breaks() {
    let closed = |f: &mut Files| f.def("JobPostingSummary")["additionalProperties"] = json!(false);
    let report = diff::diff(&changed(closed), &old());
    assert_eq!(report.changes[0].kind, Kind::FieldsOpened);
    assert!(report.breaking);
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

#[test]
fn a_format_changed_breaks() {
    check(
        |f| f.def("Candidate")["properties"]["email"]["format"] = json!("idn-email"),
        &[("*", "/data/candidate/email", Kind::FormatChanged, true)],
        Semver::Major,
    );
}

#[test]
fn a_constant_changed_breaks() {
    check(
        |f| f.def("JobPostingData")["properties"]["title"]["const"] = json!("Engineer"),
        &[("*", "/data/title", Kind::ConstraintTightened, true)],
        Semver::Major,
    );
}

#[test]
fn a_keyword_the_differ_cannot_judge_is_breaking() {
    check(
        |f| {
            f.def("JobPostingData")["properties"]["location"]["anyOf"] =
                json!([{"type": "string", "minLength": 1}, {"type": "null"}])
        },
        &[("*", "/data/location", Kind::Unproven, true)],
        Semver::Major,
    );
}
