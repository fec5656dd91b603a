//! Whole-site tests: build fixture sites with the real binary and assert on
//! the pages, links, backlinks, console output and the output folder.

mod common;

use common::*;

fn build_basic(extra: &[&str]) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, root) = copy_site(&fixture("basic"));
    let mut args = vec!["build", "--root", root.to_str().unwrap()];
    args.extend_from_slice(extra);
    let run = gazette(&args, tmp.path());
    assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
    assert!(
        run.stdout.starts_with("Built "),
        "summary line: {}",
        run.stdout
    );
    (tmp, root)
}

#[test]
fn builds_every_page_of_the_fixture() {
    let (_tmp, root) = build_basic(&[]);
    let public = root.join("public");
    for page in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "robots.txt",
        "style.css",
        "logo.txt",
        "orders/index.html",
        "provisions/index.html",
        "agencies/index.html",
        "sources/index.html",
        "events/index.html",
        "orders/eo/index.html",
        "provisions/clearinghouse/index.html",
        "provisions/review/index.html",
        "agencies/cisa/index.html",
        "agencies/dhs/index.html",
        "sources/reuters/index.html",
        "events/follow-up/index.html",
        "about/index.html",
        ".gazette-output",
    ] {
        assert!(public.join(page).is_file(), "missing {page}");
    }
    assert!(
        !public.join("provisions/hidden").exists(),
        "drafts are left out"
    );
}

#[test]
fn drafts_are_built_with_the_flag() {
    let (_tmp, root) = build_basic(&["--drafts"]);
    assert!(root.join("public/provisions/hidden/index.html").is_file());
}

#[test]
fn provision_page_shows_deadlines_with_derivations_citations_and_links() {
    let (_tmp, root) = build_basic(&[]);
    let doc = html(&root.join("public/provisions/clearinghouse/index.html"));
    assert_eq!(
        texts(&doc, "title"),
        ["AI cybersecurity clearinghouse · Basic fixture"]
    );
    let rows = texts(&doc, "table.deadlines tbody tr");
    assert_eq!(rows.len(), 4);
    // Sorted by the order written; relative dates computed and explained.
    assert!(rows[0].contains("July 2, 2026"), "{}", rows[0]);
    assert!(
        rows[0].contains("within 30 days of 2026-06-02 (the signing of AI EO) = 2026-07-02"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("12 days left"), "{}", rows[0]);
    // A chain: 60 days after the clearinghouse's formation.
    assert!(
        rows[1].contains("within 60 days of 2026-07-02") && rows[1].contains("2026-08-31"),
        "{}",
        rows[1]
    );
    assert!(rows[2].contains("met"), "{}", rows[2]);
    assert!(
        rows[3].contains("Not yet set") && rows[3].contains("Timeline not yet set."),
        "{}",
        rows[3]
    );
    // Wikilinks: title as text, or the given text; kind/id picks the source over the agency.
    let links = attrs(&doc, ".prose a", "href");
    assert!(
        links.contains(&"/agencies/treasury/".to_string()),
        "{links:?}"
    );
    assert!(links.contains(&"/provisions/review/".to_string()));
    assert!(links.contains(&"/sources/cisa/".to_string()));
    assert!(texts(&doc, ".prose a").contains(&"Voluntary pre-release review".to_string()));
    // Citations: the field's sources first, then the body's, then the deadlines'.
    let sources = texts(&doc, ".sources li a:first-child");
    assert_eq!(
        sources,
        [
            "Full text of the order",
            "Assessing the order",
            "Trump signs AI order"
        ],
        "numbered in order of first citation"
    );
    let cite = texts(&doc, ".prose sup.cite");
    assert_eq!(cite, ["[2; 3]"]);
}

#[test]
fn backlinks_and_references_are_grouped_by_kind() {
    let (_tmp, root) = build_basic(&[]);
    let treasury = html(&root.join("public/agencies/treasury/index.html"));
    let groups = texts(&treasury, "section.refs .ref-group h3");
    assert_eq!(groups, ["Orders", "Provisions", "Events"]);
    let from = texts(&treasury, "section.refs li");
    assert!(
        from.contains(&"The order is signed".to_string()),
        "{from:?}"
    );
    assert!(from.contains(&"AI cybersecurity clearinghouse".to_string()));
    // Agency pages list their deadlines in date order.
    let cisa = html(&root.join("public/agencies/cisa/index.html"));
    let due = attrs(&cisa, "table.deadlines td.due time", "datetime");
    assert_eq!(due, ["2026-06-10", "2026-08-31"]);
    let parent = texts(&cisa, "dl.facts dd a");
    assert_eq!(parent, ["Department of Homeland Security (DHS)"]);
    // A source page lists what cites it.
    let reuters = html(&root.join("public/sources/reuters/index.html"));
    let cited_by = texts(&reuters, "section.refs li");
    assert!(
        cited_by.contains(&"Voluntary pre-release review".to_string()),
        "{cited_by:?}"
    );
    assert!(cited_by.contains(
        &"Promoting Advanced Artificial Intelligence Innovation and Security".to_string()
    ));
}

#[test]
fn versions_and_disagreements_are_shown_plainly() {
    let (_tmp, root) = build_basic(&[]);
    let doc = html(&root.join("public/provisions/review/index.html"));
    assert_eq!(
        texts(&doc, ".version h3"),
        ["Reported draft", "Final order (June 2, 2026) current"]
    );
    assert_eq!(
        texts(&doc, ".version .notice").len(),
        1,
        "the paraphrase is marked"
    );
    assert_eq!(texts(&doc, ".disagreement .account").len(), 2);
    assert_eq!(
        texts(&doc, ".account.preferred .reason"),
        ["Preferred: Matches the text."]
    );
}

#[test]
fn event_dates_can_count_from_a_deadline() {
    let (_tmp, root) = build_basic(&[]);
    let doc = html(&root.join("public/events/follow-up/index.html"));
    assert_eq!(attrs(&doc, "dl.facts time", "datetime"), ["2026-07-12"]);
}

#[test]
fn as_of_date_decides_upcoming_or_overdue() {
    let (_tmp, root) = build_basic(&["--as-of", "2026-07-05"]);
    let doc = html(&root.join("public/provisions/clearinghouse/index.html"));
    let rows = texts(&doc, "table.deadlines tbody tr");
    assert!(
        rows[0].contains("no completion reported, 3 days since due"),
        "{}",
        rows[0]
    );
    assert!(rows[1].contains("57 days left"), "{}", rows[1]);
    let footer = texts(&doc, "footer time");
    assert_eq!(footer, ["July 5, 2026"]);
}

#[test]
fn every_link_resolves_at_the_domain_root() {
    let (_tmp, root) = build_basic(&[]);
    let broken = broken_links(&root.join("public"), "/");
    assert!(broken.is_empty(), "{broken:#?}");
}

#[test]
fn every_link_resolves_under_a_sub_path() {
    let (_tmp, root) = build_basic(&["--base-url", "https://example.org/kb/"]);
    let public = root.join("public");
    let broken = broken_links(&public, "/kb/");
    assert!(broken.is_empty(), "{broken:#?}");
    let doc = html(&public.join("orders/eo/index.html"));
    assert_eq!(
        attrs(&doc, "link[rel=canonical]", "href"),
        ["https://example.org/kb/orders/eo/"]
    );
    assert!(read(&public.join("sitemap.xml"))
        .contains("<loc>https://example.org/kb/provisions/review/</loc>"));
}

#[test]
fn two_builds_are_byte_identical() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let r = root.to_str().unwrap();
    let a = tmp.path().join("a");
    let b = tmp.path().join("b");
    for out in [&a, &b] {
        let run = gazette(
            &[
                "build",
                "--root",
                r,
                "--output",
                out.to_str().unwrap(),
                "--allow-outside",
            ],
            tmp.path(),
        );
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    let (fa, fb) = (files(&a), files(&b));
    assert_eq!(fa, fb);
    for f in fa {
        assert_eq!(
            std::fs::read(a.join(&f)).unwrap(),
            std::fs::read(b.join(&f)).unwrap(),
            "{} differs",
            f.display()
        );
    }
}

#[test]
fn a_failed_build_leaves_the_previous_site_untouched() {
    let (tmp, root) = build_basic(&[]);
    // A second build keeps the first site as the spare.
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let index = root.join("public/index.html");
    let before = read(&index);
    std::fs::write(
        root.join("content/agencies/broken.md"),
        "---\ntitle: [\n---\n",
    )
    .unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 1);
    assert_eq!(read(&index), before);
    assert!(root.join("public/provisions/review/index.html").is_file());
    let leftovers: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.starts_with(".public"))
        .collect();
    // The spare the failed build claimed is given back, for the next one.
    assert_eq!(
        leftovers,
        [".public.spare"],
        "no staging folder left behind"
    );
    std::fs::remove_file(root.join("content/agencies/broken.md")).unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(read(&index), before);
}

#[test]
fn refuses_to_replace_a_folder_it_did_not_create() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let docs = root.join("docs");
    std::fs::create_dir_all(&docs).unwrap();
    std::fs::write(docs.join("notes.md"), "mine").unwrap();
    let r = root.to_str().unwrap();
    let run = gazette(
        &["build", "--root", r, "--output", docs.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("was not created by gazette"),
        "{}",
        run.stderr
    );
    assert_eq!(read(&docs.join("notes.md")), "mine");
    for bad in [
        r.to_string(),
        root.join("content/out").display().to_string(),
        tmp.path().display().to_string(),
    ] {
        let run = gazette(
            &["build", "--root", r, "--output", &bad, "--allow-outside"],
            tmp.path(),
        );
        assert_eq!(run.code, 1, "{bad} must be refused");
        assert!(run.stderr.contains("refusing"), "{}", run.stderr);
    }
    let outside = tmp.path().join("out");
    let run = gazette(
        &["build", "--root", r, "--output", outside.to_str().unwrap()],
        tmp.path(),
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("--allow-outside"), "{}", run.stderr);
}

#[test]
fn check_writes_nothing() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let run = gazette(&["check", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(!root.join("public").exists());
}

#[test]
fn a_site_is_found_from_a_subfolder() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let run = gazette(&["check"], &root.join("content/provisions"));
    assert_eq!(run.code, 0, "{}", run.stderr);
}

#[test]
fn usage_errors_exit_2() {
    let tmp = tempfile::tempdir().unwrap();
    assert_eq!(gazette(&["build", "--bogus"], tmp.path()).code, 2);
    assert_eq!(gazette(&["new", "widget", "x"], tmp.path()).code, 2);
    assert_eq!(
        gazette(&["build", "--as-of", "2026-13-01"], tmp.path()).code,
        2
    );
    assert_eq!(gazette(&[], tmp.path()).code, 2);
    assert_eq!(gazette(&["build"], tmp.path()).code, 2, "no site here");
    assert_eq!(gazette(&["new", "agency", "Bad_Id"], tmp.path()).code, 2);
    assert_eq!(
        gazette(&["build", "--base-url", "ftp://x"], tmp.path()).code,
        2
    );
}

#[test]
fn init_creates_a_site_that_builds_and_new_scaffolds_drafts() {
    let tmp = tempfile::tempdir().unwrap();
    let run = gazette(&["init", "mysite"], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let site = tmp.path().join("mysite");
    let run = gazette(&["build"], &site);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "no warnings: {}", run.stderr);
    assert!(site
        .join("public/provisions/ai-cybersecurity-clearinghouse/index.html")
        .is_file());
    for kind in ["order", "provision", "agency", "source", "event", "page"] {
        let run = gazette(&["new", kind, &format!("new-{kind}")], &site);
        assert_eq!(run.code, 0, "{}", run.stderr);
    }
    assert!(site.join("content/agencies/new-agency.md").is_file());
    // New files are drafts, so the site still builds while they are filled in ...
    assert_eq!(gazette(&["check"], &site).code, 0);
    // ... and checking drafts shows what is left to fill in.
    let run = gazette(&["check", "--drafts"], &site);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("content/provisions/new-provision.md:"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("unknown order `order-id`"),
        "{}",
        run.stderr
    );
    // Existing files are never overwritten.
    assert_eq!(gazette(&["new", "agency", "new-agency"], &site).code, 1);
    assert_eq!(gazette(&["init", "mysite"], tmp.path()).code, 1);
}

#[test]
fn a_site_with_ten_planted_mistakes_reports_them_all_at_once() {
    let (tmp, root) = copy_site(&fixture("broken"));
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 1);
    assert!(!root.join("public").exists(), "nothing written");
    insta::assert_snapshot!("broken_site_errors", run.stderr);
}

#[test]
fn template_overrides_replace_theme_templates_by_name() {
    let (tmp, root) = copy_site(&fixture("basic"));
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}<p id=\"custom\">{{ entity.title }}</p>{% endblock content %}",
    )
    .unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = html(&root.join("public/about/index.html"));
    assert_eq!(texts(&doc, "#custom"), ["About"]);
}

#[test]
fn a_template_error_names_the_template_file() {
    let (tmp, root) = copy_site(&fixture("basic"));
    std::fs::create_dir_all(root.join("templates")).unwrap();
    std::fs::write(
        root.join("templates/page.html"),
        "{% extends \"base.html\" %}{% block content %}{{ entity.nope }}{% endblock content %}",
    )
    .unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with("templates/page.html"),
        "{}",
        run.stderr
    );
}

#[test]
fn check_reports_broken_internal_links_and_anchors() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let page = root.join("content/pages/about.md");
    std::fs::write(
        &page,
        read(&page)
            + "\nSee [the review](/provisions/review/#no-such-part) and [gone](/nowhere/).\n",
    )
    .unwrap();
    let run = gazette(&["check", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("about/index.html: error: broken link `/provisions/review/#no-such-part`: no element with id `no-such-part` on provisions/review/index.html"), "{}", run.stderr);
    assert!(run.stderr.contains("about/index.html: error: broken link `/nowhere/`: no file nowhere/index.html in the site"), "{}", run.stderr);
}

#[test]
fn every_page_has_a_unique_title_description_canonical_and_sharing_tags() {
    let (_tmp, root) = build_basic(&[]);
    let public = root.join("public");
    let mut titles = std::collections::HashMap::new();
    for rel in files(&public) {
        let name = rel.to_string_lossy().to_string();
        if !name.ends_with(".html") || name.starts_with("pagefind/") {
            continue;
        }
        let doc = html(&public.join(&rel));
        let title = texts(&doc, "title").join("");
        if let Some(other) = titles.insert(title.clone(), name.clone()) {
            panic!("{name} and {other} share the title {title:?}");
        }
        if name == "404.html" {
            continue;
        }
        let description = attrs(&doc, "meta[name=description]", "content");
        assert!(
            description.first().is_some_and(|d| !d.is_empty()),
            "{name} has no description"
        );
        assert_eq!(
            attrs(&doc, "link[rel=canonical]", "href").len(),
            1,
            "{name}: canonical"
        );
        assert!(attrs(&doc, "link[rel=canonical]", "href")[0].starts_with("https://example.org/"));
        assert_eq!(
            attrs(&doc, "meta[property='og:title']", "content").len(),
            1,
            "{name}: og:title"
        );
        assert_eq!(
            attrs(&doc, "meta[property='og:description']", "content"),
            description,
            "{name}: og:description"
        );
        assert_eq!(
            attrs(&doc, "link[type='application/atom+xml']", "href"),
            ["/feed.xml"]
        );
        assert_eq!(
            attrs(&doc, "link[type='text/calendar']", "href"),
            ["/calendar.ics"]
        );
    }
}

/// The search index comes in parts of `search_part_size` entities: each part
/// has its own entry file and chunks, the first one Pagefind's scripts, and
/// the search page names the others.
#[test]
fn the_search_index_is_written_in_parts() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let config = root.join("site.yaml");
    std::fs::write(&config, read(&config) + "search_part_size: 3\n").unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = root.join("public");
    // 13 entities (the order, 2 provisions, 3 agencies, 4 sources, 2 events,
    // a page) in parts of 3.
    let parts = [
        "pagefind/part-2",
        "pagefind/part-3",
        "pagefind/part-4",
        "pagefind/part-5",
    ];
    for part in parts {
        assert!(
            public.join(part).join("pagefind-entry.json").is_file(),
            "{part}"
        );
        let scripts: Vec<_> = files(&public.join(part))
            .into_iter()
            .filter(|f| {
                let name = f.to_string_lossy();
                name.ends_with(".js") || name.contains("wasm.")
            })
            .collect();
        assert!(
            scripts.is_empty(),
            "{part} repeats the scripts: {scripts:?}"
        );
    }
    assert!(!public.join("pagefind/part-6").exists());
    assert!(public.join("pagefind/pagefind-ui.js").is_file());
    let search = html(&public.join("search/index.html"));
    assert_eq!(
        attrs(&search, "[data-search]", "data-parts"),
        ["/pagefind/part-2/ /pagefind/part-3/ /pagefind/part-4/ /pagefind/part-5/"]
    );
    // Each entity is in one part: the entry files count 13 pages in all.
    let mut pages = 0;
    for dir in std::iter::once("pagefind".to_string()).chain(parts.map(String::from)) {
        let entry: serde_json::Value =
            serde_json::from_str(&read(&public.join(dir).join("pagefind-entry.json"))).unwrap();
        pages += entry["languages"]["en"]["page_count"].as_u64().unwrap();
    }
    assert_eq!(pages, 13);
}

#[test]
fn a_search_part_size_of_zero_is_an_error_at_its_line() {
    let (_tmp, root) = site(&[("site.yaml", "title: T\nsearch_part_size: 0\n")]);
    assert_eq!(
        errors(&root),
        ["site.yaml:2:19: error: search_part_size must be at least 1"]
    );
}
