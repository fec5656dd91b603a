//! /api/site.json: the shipped site's export validates against the documented
//! schema (docs/site.schema.json), and carries computed dates, statuses,
//! backlinks and changes.

mod common;

use common::*;
use serde_json::Value;

fn export(root: &std::path::Path, tmp: &std::path::Path, as_of: &str) -> Value {
    let run = gazette(
        &["build", "--root", root.to_str().unwrap(), "--as-of", as_of],
        tmp,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    serde_json::from_str(&read(&root.join("public/api/site.json"))).expect("valid JSON")
}

#[test]
fn shipped_export_validates_against_the_documented_schema() {
    let schema: Value =
        serde_json::from_str(&read(&repo_root().join("docs/site.schema.json"))).unwrap();
    let validator = jsonschema::validator_for(&schema).expect("the schema compiles");
    let (tmp, root) = copy_shipped_site();
    let data = export(&root, tmp.path(), "2026-07-10");
    let errors: Vec<String> = validator
        .iter_errors(&data)
        .map(|e| format!("{} at {}", e, e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");

    // The schema can fail: a wrong type is caught.
    let mut broken = data.clone();
    broken["provisions"][0]["deadlines"] = Value::String("none".into());
    assert!(!validator.is_valid(&broken));
    let mut extra = data.clone();
    extra["agencies"][0]["nickname"] = Value::String("x".into());
    assert!(!validator.is_valid(&extra), "unknown keys are rejected");
}

#[test]
fn export_carries_computed_dates_statuses_backlinks_and_changes() {
    let (tmp, root) = copy_shipped_site();
    let data = export(&root, tmp.path(), "2026-07-10");
    assert_eq!(data["site"]["as_of"], "2026-07-10");
    let provisions = data["provisions"].as_array().unwrap();
    let ch = provisions
        .iter()
        .find(|p| p["id"] == "ai-cybersecurity-clearinghouse")
        .unwrap();
    let d = &ch["deadlines"][0];
    assert_eq!(d["due"], "2026-07-02");
    assert_eq!(d["derivation"]["within_days"], 30);
    assert_eq!(d["derivation"]["from"], "order/ai-innovation-and-security");
    assert_eq!(d["standing"]["state"], "overdue");
    assert_eq!(d["standing"]["days_overdue"], 8);
    let review = provisions
        .iter()
        .find(|p| p["id"] == "voluntary-pre-release-review")
        .unwrap();
    let n = &review["changes"][0]["numeric"][0];
    assert_eq!(
        n["headline"],
        "Government-access window cut from 90 to 30 days"
    );
    assert_eq!(
        (n["old_value"].as_f64(), n["new_value"].as_f64()),
        (Some(90.0), Some(30.0))
    );
    let treasury = data["agencies"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["id"] == "treasury")
        .unwrap();
    let from: Vec<&str> = treasury["backlinks"]["provision"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(from.contains(&"ai-cybersecurity-clearinghouse"), "{from:?}");
}
