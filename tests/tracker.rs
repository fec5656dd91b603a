//! The tracker's features: event kinds, reviews and staleness, edit links,
//! spreadsheets of deadlines. Each builds a small site in a temp folder.

mod common;

use common::*;

#[test]
fn event_kinds_cover_an_order_s_life_and_sites_add_their_own() {
    let (_tmp, root) = site(&[
        (
            "content/events/revoked.md",
            "---\ntitle: Revoked\nkind: revocation\ndate: 2026-09-01\n---\n",
        ),
        (
            "content/events/comments.md",
            "---\ntitle: Comments\nkind: comment-period\ndate: 2026-09-02\n---\n",
        ),
    ]);
    let e = errors(&root);
    assert_eq!(
        e,
        ["content/events/comments.md:3:7: error: unknown event kind `comment-period`"]
    );
    std::fs::write(
        root.join("site.yaml"),
        "title: T\nas_of: 2026-07-01\nevent_kinds:\n  comment-period: \"Comment period\"\n",
    )
    .unwrap();
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(read(&root.join("public/events/comments/index.html")).contains("Comment period"));
    assert!(read(&root.join("public/events/revoked/index.html")).contains("Revocation"));
    std::fs::write(
        root.join("content/events/typo.md"),
        "---\ntitle: T\nkind: revocaton\n---\n",
    )
    .unwrap();
    let run = build(&root);
    assert!(
        run.stderr.contains("did you mean `revocation`?"),
        "{}",
        run.stderr
    );
}

#[test]
fn stale_pages_say_so_and_check_warns() {
    let (_tmp, root) = site(&[
        (
            "content/pages/old.md",
            "---\ntitle: Old\nreviewed: 2026-01-02\n---\n",
        ),
        (
            "content/pages/fresh.md",
            "---\ntitle: Fresh\nreviewed: 2026-06-20\n---\n",
        ),
    ]);
    std::fs::write(
        root.join("site.yaml"),
        "title: T\nas_of: 2026-07-01\nstale_after_days: 90\n",
    )
    .unwrap();
    let run = gazette(&["check", "--root", root.to_str().unwrap()], &root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr.contains("content/pages/old.md:3:11: warning: last reviewed 180 days ago (site.yaml: stale after 90)"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("fresh.md"), "{}", run.stderr);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let old = read(&root.join("public/old/index.html"));
    assert!(old.contains("Not reviewed for 180 days."), "{old}");
    let fresh = read(&root.join("public/fresh/index.html"));
    assert!(fresh.contains("Last reviewed") && !fresh.contains("Not reviewed for"));
    let stale = html(&root.join("public/stale/index.html"));
    assert_eq!(texts(&stale, "#stale-heading + ul li a"), ["Old"]);
    assert!(texts(&stale, "#unreviewed-heading + ul li a").contains(&"The order".to_string()));
    assert_eq!(texts(&stale, "#reviewed-heading + ul li a"), ["Fresh"]);
}

#[test]
fn pages_link_to_their_file_when_edit_url_is_set() {
    let (_tmp, root) = site(&[("content/pages/about.md", "---\ntitle: About\n---\n")]);
    std::fs::write(
        root.join("site.yaml"),
        "title: T\nas_of: 2026-07-01\nedit_url: https://github.com/org/kb/edit/main/{path}\n",
    )
    .unwrap();
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let about = read(&root.join("public/about/index.html"));
    assert!(
        about.contains("href=\"https://github.com/org/kb/edit/main/content/pages/about.md\""),
        "{about}"
    );
    std::fs::remove_dir_all(root.join("public")).unwrap();
    std::fs::write(
        root.join("site.yaml"),
        "title: T\nedit_url: javascript:alert(1)\n",
    )
    .unwrap();
    let e = errors(&root);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("site.yaml:2:11: error: edit_url must be a web address"),
        "{e:?}"
    );
}

#[test]
fn deadlines_are_spreadsheets_for_the_site_each_order_and_each_agency() {
    let (_tmp, root) = copy_shipped_site();
    let run = gazette(
        &[
            "build",
            "--as-of",
            "2026-06-15",
            "--root",
            root.to_str().unwrap(),
        ],
        &root,
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(root.join("public/deadlines.csv")).unwrap();
    assert!(
        bytes.starts_with("\u{feff}".as_bytes()),
        "a BOM, for spreadsheet apps"
    );
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let headers: Vec<String> = reader
        .headers()
        .unwrap()
        .iter()
        .map(str::to_string)
        .collect();
    assert_eq!(headers, gazette::spreadsheet::COLUMNS);
    let rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    let page = read(&root.join("public/deadlines/index.html"));
    assert_eq!(
        rows.len(),
        page.matches("<tr id=\"deadline-").count(),
        "one row per deadline"
    );
    let treasury: Vec<&csv::StringRecord> = rows.iter().filter(|r| &r[3] == "treasury").collect();
    assert!(!treasury.is_empty());
    assert_eq!(&treasury[0][7], "2026-07-02");
    assert_eq!(&treasury[0][9], "17 days left");
    assert_eq!(&treasury[0][12], "17", "days_left");
    assert!(
        treasury[0][8].starts_with("within 30 days of 2026-06-02"),
        "{:?}",
        treasury[0]
    );

    let agency = std::fs::read(root.join("public/agencies/treasury/deadlines.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&agency[3..]);
    let agency_rows: Vec<csv::StringRecord> = reader.records().map(Result::unwrap).collect();
    assert_eq!(agency_rows.len(), treasury.len());
    assert!(root
        .join("public/orders/ai-innovation-and-security/deadlines.csv")
        .is_file());
    assert!(read(&root.join("public/agencies/treasury/index.html")).contains("deadlines.csv"));
}

#[test]
fn spreadsheet_cells_keep_commas_quotes_and_line_breaks() {
    let text = "---\ntitle: P\norder: eo\nsummary: S\nagencies: [treasury]\ndeadlines:\n  - id: d\n    action: \"Report, \\\"quickly\\\"\\nand fully\"\n    agency: treasury\n    due: 2026-08-01\n---\n";
    let (_tmp, root) = site(&[("content/provisions/p.md", text)]);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(root.join("public/deadlines.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let row = reader.records().next().unwrap().unwrap();
    assert_eq!(&row[1], "Report, \"quickly\"\nand fully");
}

#[test]
fn each_agency_has_a_feed_of_its_deadlines_and_events() {
    let (_tmp, root) = copy_shipped_site();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], &root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let bytes = std::fs::read(root.join("public/agencies/treasury/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(&bytes[..]).expect("a well-formed Atom feed");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert!(
        titles.iter().any(
            |t| t == "New deadline: Form the AI cybersecurity clearinghouse (due July 2, 2026)"
        ),
        "{titles:?}"
    );
    let ids: std::collections::HashSet<&str> = feed.entries.iter().map(|e| e.id.as_str()).collect();
    assert_eq!(ids.len(), feed.entries.len(), "entry ids are unique");
    assert!(feed
        .links
        .iter()
        .any(|l| l.href.ends_with("/agencies/treasury/feed.xml")));
    assert!(read(&root.join("public/agencies/treasury/index.html")).contains("feed.xml"));
}

/// The tracker fixture (tests/sites/tracker), built into a temp folder.
fn tracker() -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, root) = copy_site(&fixture("tracker"));
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (tmp, root)
}

/// Visible text of the elements `selector` selects, as a reader sees it:
/// text nodes apart, whitespace folded, no space before punctuation.
fn folded(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let selector = scraper::Selector::parse(selector).unwrap();
    doc.select(&selector)
        .map(|e| {
            e.text()
                .collect::<Vec<_>>()
                .join(" ")
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .replace(" ,", ",")
                .replace(" :", ":")
                .replace(" .", ".")
                .replace("[ ", "[")
                .replace(" ]", "]")
        })
        .collect()
}

#[test]
fn relations_show_both_ways_and_decide_the_status() {
    let (_tmp, root) = tracker();
    let public = root.join("public");
    let old = html(&public.join("orders/old/index.html"));
    let facts = folded(&old, "dl.facts");
    assert!(facts[0].contains("Status revoked"), "derived: {facts:?}");
    assert!(
        facts[0].contains("Revoked by The new order, effective June 2, 2026"),
        "{facts:?}"
    );
    assert!(folded(&old, ".notice.lapsed")[0]
        .contains("Revoked by The new order on June 2, 2026: no longer in force."));
    let new = html(&public.join("orders/new/index.html"));
    let facts = folded(&new, "dl.facts")[0].clone();
    assert!(
        facts.contains("Revokes The old order, effective June 2, 2026"),
        "{facts}"
    );
    assert!(
        facts.contains("Implemented by The implementing memo"),
        "{facts}"
    );
    // The orders index and the timeline show them too.
    let index = folded(&html(&public.join("orders/index.html")), "ul.index li");
    assert!(index
        .iter()
        .any(|l| l.contains("revoked · revoked by The new order (June 2, 2026)")));
    let timeline = folded(
        &html(&public.join("timeline/kinds/relation/index.html")),
        "li.item",
    );
    assert_eq!(timeline.len(), 2, "{timeline:?}");
    assert!(timeline[0].contains("Revoked: The old order, by The new order"));
}

#[test]
fn a_revoked_order_s_deadlines_are_no_longer_in_force_nor_overdue() {
    let (_tmp, root) = tracker();
    let public = root.join("public");
    let old = html(&public.join("provisions/old-report/index.html"));
    assert_eq!(
        folded(&old, "table.deadlines .status"),
        ["no longer in force since June 2, 2026"]
    );
    // Due 2026-01-20, so past due on the as-of date, but not overdue: the
    // home page's overdue list has only the new order's report.
    let home = html(&public.join("index.html"));
    let overdue = folded(
        &home,
        "#overdue-heading + .table-scroll tbody tr, #overdue-heading ~ * tbody tr",
    );
    assert!(
        overdue.iter().all(|r| !r.contains("Report on the program")),
        "{overdue:?}"
    );
    assert!(read(&public.join("index.html")).contains("Report to the President"));
}

#[test]
fn scoreboards_count_each_requirement_once_and_link_to_their_lists() {
    let (_tmp, root) = tracker();
    let public = root.join("public");
    let status = html(&public.join("status/index.html"));
    let legend = folded(&status, "#all-heading ~ ul.legend li");
    assert_eq!(
        legend,
        [
            "Met (verified): 1 of 7",
            "Met (claimed only): 1 of 7",
            "In progress: 2 of 7",
            "Not yet due: 1 of 7",
            "No completion reported: 1 of 7",
            "No longer in force: 1 of 7",
        ]
    );
    let links = attrs(&status, "#all-heading ~ ul.legend a", "href");
    assert_eq!(links[0], "/status/met-verified/");
    let claimed = html(&public.join("status/met-claimed/index.html"));
    assert_eq!(
        folded(&claimed, "table.all-deadlines tbody td[data-label=Action]")[0],
        "Report on the pilot"
    );
    // An order's own scoreboard, and its category lists.
    let new = html(&public.join("orders/new/index.html"));
    let counts = folded(&new, "#status-heading ~ ul.legend strong");
    assert_eq!(counts, ["1", "1", "2", "1", "1", "0"]);
    assert!(public
        .join("orders/new/status/no-completion-reported/index.html")
        .is_file());
    assert!(!public.join("orders/new/status/no-longer-in-force").exists());
    // The bar is drawn in HTML and CSS, hidden from screen readers, which
    // read the legend.
    assert_eq!(attrs(&new, ".scoreboard .bar", "aria-hidden"), ["true"]);
    assert_eq!(
        attrs(&new, ".scoreboard .bar .seg", "style")[0],
        "width: 16.7%"
    );
    assert_eq!(broken_links(&public, "/"), Vec::<String>::new());
}

#[test]
fn a_claim_and_a_verification_that_disagree_are_shown_side_by_side() {
    let (_tmp, root) = tracker();
    let page = html(&root.join("public/provisions/framework/index.html"));
    let dispute = folded(&page, ".dispute");
    assert_eq!(dispute.len(), 1, "only the disputed deadline: {dispute:?}");
    assert!(
        dispute[0].contains("Claimed met, July 1, 2026"),
        "{dispute:?}"
    );
    assert!(
        dispute[0].contains("Verified in progress, August 15, 2026"),
        "{dispute:?}"
    );
    let history = folded(&page, "details.history li");
    assert_eq!(
        history[0],
        "August 15, 2026: in progress (verified) [2] GAO found a draft only."
    );
    // No completion reported, with the days since it was due.
    assert!(folded(&page, "table.deadlines .status")
        .contains(&"no completion reported, 31 days since due".to_string()));
}

#[test]
fn tracker_exports_parse_and_validate() {
    let (_tmp, root) = tracker();
    let public = root.join("public");
    // The spreadsheet, read by a CSV reader.
    let bytes = std::fs::read(public.join("agencies/nist/deadlines.csv")).unwrap();
    let mut reader = csv::Reader::from_reader(&bytes[3..]);
    let rows: Vec<csv::StringRecord> = reader.records().map(|r| r.unwrap()).collect();
    let col = |name: &str| {
        gazette::spreadsheet::COLUMNS
            .iter()
            .position(|c| *c == name)
            .unwrap()
    };
    assert_eq!(rows.len(), 2);
    assert_eq!(&rows[0][col("deadline")], "framework");
    assert_eq!(&rows[0][col("status")], "in progress");
    assert_eq!(&rows[0][col("basis")], "verified");
    // GAO's verification outweighs NIST's claim.
    assert_eq!(&rows[0][col("category")], "In progress");
    // The agency's feed, read as Atom: status changes are entries.
    let feed = std::fs::read(public.join("agencies/nist/feed.xml")).unwrap();
    let feed = feed_rs::parser::parse(&feed[..]).expect("Atom");
    let titles: Vec<String> = feed
        .entries
        .iter()
        .filter_map(|e| e.title.as_ref().map(|t| t.content.clone()))
        .collect();
    assert!(
        titles.contains(&"Status: in progress (verified): Publish the framework".to_string()),
        "{titles:?}"
    );
    // The export, against its schema.
    let schema: serde_json::Value =
        serde_json::from_str(&read(&repo_root().join("docs/site.schema.json"))).unwrap();
    let validator = jsonschema::validator_for(&schema).unwrap();
    let data: serde_json::Value =
        serde_json::from_str(&read(&public.join("api/site.json"))).unwrap();
    let errors: Vec<String> = validator
        .iter_errors(&data)
        .map(|e| format!("{e} at {}", e.instance_path()))
        .collect();
    assert!(errors.is_empty(), "{errors:#?}");
    let old = &data["orders"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == "old")
        .unwrap();
    assert_eq!(old["status"], "revoked");
    assert_eq!(old["lapse"]["since"], "2026-06-02");
    assert_eq!(old["related_by"][0]["order"], "new");
    assert_eq!(data["scoreboard"]["total"], 7);
    assert_eq!(data["scoreboard"]["no-longer-in-force"], 1);
}

#[test]
fn a_status_that_a_relation_contradicts_is_an_error_at_its_line() {
    let (_tmp, root) = copy_site(&fixture("tracker"));
    let old = root.join("content/orders/old.md");
    let text = read(&old).replace(
        "signed: 2025-01-20\n",
        "signed: 2025-01-20\nstatus: signed\n",
    );
    std::fs::write(&old, text).unwrap();
    assert_eq!(
        errors(&root),
        ["content/orders/old.md:5:9: error: status `signed`, but “The new order” (new) revokes this order"]
    );
    // A relation to no order, and a status entry that cites nothing.
    let (_tmp, root) = copy_site(&fixture("tracker"));
    let memo = root.join("content/orders/memo.md");
    std::fs::write(
        &memo,
        read(&memo).replace("implements: [new]", "implements: [nwe]"),
    )
    .unwrap();
    let pilot = root.join("content/provisions/pilot.md");
    std::fs::write(&pilot, read(&pilot).replacen(", sources: [news]", "", 1)).unwrap();
    let e = errors(&root);
    assert_eq!(e.len(), 2, "{e:?}");
    assert!(
        e[0].starts_with("content/orders/memo.md:6:14: error:"),
        "{e:?}"
    );
    assert!(
        e[1].starts_with(
            "content/provisions/pilot.md:14:11: error: status entry of `pilot` has no `sources`"
        ),
        "{e:?}"
    );
}
