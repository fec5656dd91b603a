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
    assert_eq!(&treasury[0][10], "17");
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
