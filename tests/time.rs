//! The time side: timeline, deadlines page, calendars and feed, checked with
//! independent parsers (the `ical` and `feed-rs` crates) and at two as-of dates.

mod common;

use std::io::BufReader;
use std::path::Path;

use common::*;

fn build(as_of: &str) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, root) = copy_site(&fixture("basic"));
    let run = gazette(
        &["build", "--root", root.to_str().unwrap(), "--as-of", as_of],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    (tmp, root)
}

/// (UID, DTSTART, SUMMARY) of every VEVENT, parsed by the `ical` crate.
fn vevents(path: &Path) -> Vec<(String, String, String)> {
    let file = std::fs::File::open(path).unwrap();
    let mut out = Vec::new();
    for cal in ical::IcalParser::new(BufReader::new(file)) {
        let cal = cal.unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
        let prop = |ev: &ical::parser::ical::component::IcalEvent, name: &str| {
            ev.properties
                .iter()
                .find(|p| p.name == name)
                .and_then(|p| p.value.clone())
                .unwrap_or_default()
        };
        for ev in &cal.events {
            for required in [
                "UID",
                "DTSTAMP",
                "DTSTART",
                "DTEND",
                "SUMMARY",
                "DESCRIPTION",
                "URL",
                "STATUS",
            ] {
                assert!(!prop(ev, required).is_empty(), "VEVENT without {required}");
            }
            out.push((prop(ev, "UID"), prop(ev, "DTSTART"), prop(ev, "SUMMARY")));
        }
    }
    out
}

#[test]
fn site_calendar_has_one_event_per_dated_deadline_and_event() {
    let (_tmp, root) = build("2026-06-20");
    let ics = read(&root.join("public/calendar.ics"));
    assert!(ics.contains("\r\nNAME:Basic fixture: deadlines and events\r\n"));
    assert!(ics.contains("\r\nX-WR-CALNAME:"));
    assert!(
        ics.lines().all(|l| l.len() <= 75),
        "lines are folded at 75 octets"
    );
    let events = vevents(&root.join("public/calendar.ics"));
    let mut uids: Vec<&str> = events.iter().map(|e| e.0.as_str()).collect();
    uids.sort();
    assert_eq!(
        uids,
        [
            "deadline-first-report@example.org",
            "deadline-fixed@example.org",
            "deadline-form-clearinghouse@example.org",
            "event-follow-up@example.org",
            "event-signing@example.org",
        ]
    );
    let form = events
        .iter()
        .find(|e| e.0.starts_with("deadline-form"))
        .unwrap();
    assert_eq!(form.1, "20260702");
    assert!(form.2.contains("Form the clearinghouse"), "{}", form.2);
    assert!(
        ics.contains("DTEND;VALUE=DATE:20260703"),
        "all-day events end the next day"
    );
}

#[test]
fn agency_calendars_hold_only_that_agency() {
    let (_tmp, root) = build("2026-06-20");
    let treasury = vevents(&root.join("public/agencies/treasury/calendar.ics"));
    let uids: Vec<&str> = treasury.iter().map(|e| e.0.as_str()).collect();
    assert_eq!(
        uids,
        [
            "event-signing@example.org",
            "deadline-form-clearinghouse@example.org"
        ]
    );
    let cisa = vevents(&root.join("public/agencies/cisa/calendar.ics"));
    assert_eq!(cisa.len(), 2);
    let agency = html(&root.join("public/agencies/treasury/index.html"));
    assert!(attrs(&agency, "a", "href").contains(&"/agencies/treasury/calendar.ics".to_string()));
    assert!(attrs(&agency, "a", "href")
        .contains(&"webcal://example.org/agencies/treasury/calendar.ics".to_string()));
}

#[test]
fn calendar_uids_are_stable_across_builds_and_as_of_dates() {
    let (_a, ra) = build("2026-06-20");
    let (_b, rb) = build("2026-09-01");
    let uids = |root: &Path| -> Vec<String> {
        vevents(&root.join("public/calendar.ics"))
            .into_iter()
            .map(|e| e.0)
            .collect()
    };
    assert_eq!(uids(&ra), uids(&rb));
}

#[test]
fn feed_is_valid_atom_newest_first_with_absolute_links() {
    let (_tmp, root) = build("2026-06-20");
    let xml = std::fs::read(root.join("public/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(&xml[..]).expect("feed parses");
    assert_eq!(feed.feed_type, feed_rs::model::FeedType::Atom);
    let titles: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert_eq!(
        titles,
        [
            "Follow-up briefing",
            "Voluntary pre-release review: Cut from 90 to 30 days",
            "The order is signed",
        ]
    );
    for e in &feed.entries {
        assert!(e.id.starts_with("tag:example.org,2026:"), "{}", e.id);
        assert!(
            e.links
                .iter()
                .all(|l| l.href.starts_with("https://example.org/")),
            "{:?}",
            e.links
        );
    }
    let page = html(&root.join("public/index.html"));
    assert_eq!(
        attrs(&page, "link[type='application/atom+xml']", "href"),
        ["/feed.xml"]
    );
}

#[test]
fn timeline_marks_as_of_between_past_and_future() {
    let (_tmp, root) = build("2026-06-20");
    let doc = html(&root.join("public/timeline/index.html"));
    let entries = texts(&doc, ".timeline li");
    let marker = entries
        .iter()
        .position(|t| t.starts_with("As of June 20, 2026"))
        .expect("marker");
    assert!(
        entries[marker - 1].starts_with("June 10, 2026"),
        "{entries:#?}"
    );
    assert!(
        entries[marker + 1].starts_with("July 2, 2026"),
        "{entries:#?}"
    );
    assert_eq!(
        texts(&doc, ".timeline h2"),
        ["June 2026", "July 2026", "August 2026"]
    );
    // Every kind of dated item is there, deadlines with their status.
    for kind in ["signing", "event", "deadline", "version", "publication"] {
        assert!(
            !texts(&doc, &format!("li.item-{kind}")).is_empty(),
            "no {kind} item"
        );
    }
    assert!(entries[marker + 1].contains("12 days left"));

    let (_tmp2, later) = build("2026-09-01");
    let doc = html(&later.join("public/timeline/index.html"));
    assert!(texts(&doc, ".timeline li.as-of-marker").is_empty());
    assert_eq!(
        texts(&doc, ".timeline > p.as-of-marker"),
        ["As of September 1, 2026"]
    );
}

#[test]
fn timeline_filter_pages_work_without_javascript() {
    let (_tmp, root) = build("2026-06-20");
    let cisa = html(&root.join("public/timeline/agencies/cisa/index.html"));
    assert_eq!(
        texts(&cisa, "h1"),
        ["Timeline: Cybersecurity and Infrastructure Security Agency (CISA)"]
    );
    let items = texts(&cisa, "li.item > a");
    assert_eq!(
        items,
        [
            "Final order: Voluntary pre-release review",
            "A fixed-date task",
            "Report on the clearinghouse"
        ]
    );
    let deadlines = html(&root.join("public/timeline/kinds/deadline/index.html"));
    assert_eq!(texts(&deadlines, "li.item").len(), 3);
    assert!(texts(&deadlines, "li.item-event").is_empty());
    let main = html(&root.join("public/timeline/index.html"));
    let filters = attrs(&main, ".filters a", "href");
    assert!(filters.contains(&"/timeline/agencies/cisa/".to_string()));
    assert!(filters.contains(&"/timeline/kinds/deadline/".to_string()));
}

#[test]
fn deadlines_page_lists_every_deadline_by_due_date() {
    let (_tmp, root) = build("2026-07-05");
    let doc = html(&root.join("public/deadlines/index.html"));
    let due = attrs(&doc, "table.all-deadlines td.due", "data-sort");
    assert_eq!(
        due,
        ["2026-06-10", "2026-07-02", "2026-08-31", "9999-99-99"]
    );
    let status = texts(&doc, "table.all-deadlines td:nth-child(5) .status");
    assert_eq!(
        status,
        [
            "met",
            "no completion reported, 3 days since due",
            "57 days left",
            "no date set"
        ]
    );
    assert!(
        !texts(&doc, ".sources li").is_empty(),
        "the cited sources are listed"
    );
    assert!(texts(&doc, "table.all-deadlines")
        .join(" ")
        .contains("within 30 days of 2026-06-02"));
}
