//! `kit_webhooks::diff`: the changes that break a receiver or the Rust API,
//! each over this repository's schemas changed one way, and each relaxation
//! shown by a delivery the old receiver refuses.
#![cfg(feature = "diff")]

use kit_webhooks::diff::{self, Kind, Semver};
use serde_json::json;

mod support;
use support::schema_edit::{
    changed, check, old, old_accepts_everything, old_refuses_something, verdicts, Files,
};

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
