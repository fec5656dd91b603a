//! Long lists split into pages: the splitting rule on a generated site with
//! a small `page_size`, and the page-size ceiling it exists for.

mod common;

use std::path::Path;

use common::*;

/// BASE with `site.yaml` setting `page_size`, and `n` provisions of the order,
/// each tasking Treasury with two deadlines and changed between two versions.
fn generated(n: usize, page_size: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let config = format!(
        "title: Paging\nas_of: 2026-07-01\nbase_url: https://example.org/\npage_size: {page_size}\n"
    );
    let mut files: Vec<(String, String)> = vec![("site.yaml".into(), config)];
    for i in 0..n {
        files.push((
            format!("content/provisions/p{i:03}.md"),
            generated_provision(i, "treasury", &format!("Body {i}.")),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    site(&files)
}

/// [`generated`], built: the guard and the built site's `public/`.
fn built(n: usize, page_size: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let (tmp, root) = generated(n, page_size);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    (tmp, root.join("public"))
}

/// Rows of a list page: table rows, list items or timeline items.
fn count(public: &Path, page: &str, selector: &str) -> usize {
    let doc = html(&public.join(page).join("index.html"));
    texts(&doc, selector).len()
}

#[test]
fn long_lists_are_split_into_linked_pages_that_hold_every_row_once() {
    let (_tmp, public) = built(25, 10);

    // 50 deadlines: 5 pages of 10, each row on exactly one page.
    let mut seen = Vec::new();
    for (k, page) in [
        "deadlines",
        "deadlines/page/2",
        "deadlines/page/3",
        "deadlines/page/4",
        "deadlines/page/5",
    ]
    .iter()
    .enumerate()
    {
        let doc = html(&public.join(page).join("index.html"));
        let rows = attrs(&doc, "table.all-deadlines tbody tr", "id");
        assert_eq!(rows.len(), 10, "{page}");
        seen.extend(rows);
        let status = texts(&doc, ".pager-top .pager-status").join("");
        assert!(
            status.starts_with(&format!("Page {} of 5", k + 1)),
            "{status}"
        );
    }
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), 50, "every deadline once");
    assert!(!public.join("deadlines/page/6").exists());
    assert!(
        !public.join("deadlines/page/1").exists(),
        "page 1 is the list's own address"
    );

    // The pager is the list's index: every page linked, labelled by due dates.
    let first = html(&public.join("deadlines/index.html"));
    let links = attrs(&first, ".pager-top .pager-pages a", "href");
    assert_eq!(links[0], "/deadlines/");
    assert_eq!(links[4], "/deadlines/page/5/");
    let labels = texts(&first, ".pager-top .pager-pages .muted");
    assert_eq!(labels[0], "June 3, 2026 – June 12, 2026", "{labels:?}");
    assert_eq!(
        attrs(&first, "link[rel=next], a[rel=next]", "href")[0],
        "/deadlines/page/2/"
    );
    let last = html(&public.join("deadlines/page/5/index.html"));
    assert!(texts(&last, "title")[0].contains("(page 5 of 5)"));

    // The other long lists.
    assert_eq!(count(&public, "provisions", "ul.index li"), 10);
    assert_eq!(count(&public, "provisions/page/3", "ul.index li"), 5);
    assert_eq!(count(&public, "changes/page/3", "article.change"), 5);
    assert_eq!(count(&public, "matrix/page/2", "table.matrix tbody tr"), 10);
    assert!(public.join("timeline/page/6/index.html").is_file());
    assert!(public.join("stale/page/3/index.html").is_file());

    // An order's and an agency's own page show one page's worth, and link
    // to the whole list.
    let order = html(&public.join("orders/eo/index.html"));
    assert_eq!(
        texts(&order, "#provisions-heading + ul.index > li").len(),
        10
    );
    assert_eq!(texts(&order, "table.deadlines tbody tr").len(), 10);
    let more = attrs(&order, "section:not(.refs) p.more a", "href");
    assert_eq!(more, ["/orders/eo/provisions/", "/orders/eo/deadlines/"]);
    // What links to it is cut short too, with the count of the rest.
    assert_eq!(texts(&order, ".refs li").len(), 10);
    assert!(texts(&order, ".refs p.more")[0].starts_with("And 15 more (25 in all"));
    assert_eq!(
        count(&public, "orders/eo/provisions/page/3", "ul.index li"),
        5
    );
    assert_eq!(
        count(
            &public,
            "agencies/treasury/deadlines/page/5",
            "table.all-deadlines tbody tr"
        ),
        10
    );

    // Every link between the pages resolves.
    assert_eq!(broken_links(&public, "/"), Vec::<String>::new());
}

/// A list of more pages than `paging::FULL` lists every page on its first
/// page only; the others list the pages nearby, the first and the last, and
/// link to the full list. The pager no longer grows with the list.
#[test]
fn a_long_list_lists_every_page_on_its_first_page() {
    let (_tmp, public) = built(120, 10);
    // 240 deadlines: 24 pages.
    let first = html(&public.join("deadlines/index.html"));
    assert_eq!(attrs(&first, "#pages a", "href").len(), 24);
    assert!(texts(&first, ".pager-top summary")[0].contains("All 24 pages"));
    let middle = html(&public.join("deadlines/page/12/index.html"));
    let numbers: Vec<String> = texts(&middle, ".pager-top .pager-pages a");
    assert_eq!(
        numbers,
        ["Page 1", "Page 10", "Page 11", "Page 12", "Page 13", "Page 14", "Page 24"]
    );
    let all = attrs(&middle, ".pager-top .pager-nav a:not([rel])", "href");
    assert_eq!(all, ["/deadlines/#pages"]);
    assert!(
        attrs(&middle, "#pages", "id").is_empty(),
        "one full list, on the first page"
    );
    // Page sizes stay flat along the list: no page carries every label.
    let size = |p: &str| {
        std::fs::metadata(public.join(p).join("index.html"))
            .unwrap()
            .len()
    };
    assert!(size("deadlines/page/12") < size("deadlines/page/2") + 2_000);
    assert_eq!(broken_links(&public, "/"), Vec::<String>::new());
}

#[test]
fn a_short_list_has_one_page_and_no_pager() {
    let (_tmp, public) = built(3, 10);
    assert!(!public.join("deadlines/page").exists());
    assert!(!public.join("orders/eo/provisions").exists());
    let doc = html(&public.join("deadlines/index.html"));
    assert!(texts(&doc, "nav.pager").is_empty());
}

#[test]
fn page_size_out_of_bounds_is_an_error_at_its_line() {
    let (_tmp, root) = site(&[("site.yaml", "title: T\npage_size: 0\n")]);
    assert_eq!(
        errors(&root),
        ["site.yaml:2:12: error: page_size must be between 10 and 2000"]
    );
}

/// The ceiling the splitting exists for: with the default page size, no
/// generated HTML page grows with the site. 1,000 provisions and 2,000
/// deadlines stay under 1 MB per page, as 10,000 do (bench/run.sh).
#[test]
fn no_html_page_grows_past_a_megabyte() {
    let (_tmp, public) = built(1000, 200);
    let mut biggest = (0, String::new());
    for f in files(&public) {
        if f.extension().is_some_and(|e| e == "html") {
            let size = std::fs::metadata(public.join(&f)).unwrap().len();
            if size > biggest.0 {
                biggest = (size, f.display().to_string());
            }
        }
    }
    assert!(biggest.0 < 1_000_000, "{biggest:?}");
}

/// Lists that grew with the agencies: a matrix page ends before its
/// columns would pass 40 agencies, and a site of more than 30 agencies lists
/// each agency's timeline on the first page of `/timeline/` only.
#[test]
fn pages_that_grew_with_the_agencies_stay_bounded() {
    // Provision i tasks agency i mod 60: each row brings a new column.
    let (_tmp, root) = many_agencies(60, 90, 100);
    let run = build(&root);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = root.join("public");

    // 90 rows of one new agency each: pages of 40, 40 and 10, not one of 90
    // rows and 60 columns.
    let columns = |page: &str| count(&public, page, "table.matrix thead th") - 1;
    let rows = |page: &str| count(&public, page, "table.matrix tbody tr");
    assert_eq!((rows("matrix"), columns("matrix")), (40, 40));
    assert_eq!((rows("matrix/page/2"), columns("matrix/page/2")), (40, 40));
    assert_eq!((rows("matrix/page/3"), columns("matrix/page/3")), (10, 10));
    assert!(!public.join("matrix/page/4").exists());
    let first = html(&public.join("matrix/index.html"));
    assert_eq!(
        texts(&first, ".pager-top .pager-pages .muted")[1],
        "Provision 040 – Provision 079"
    );

    // The timeline lists the 60 agencies with dated items on its first
    // page; its other pages and the agencies' timelines link there.
    let filters = |page: &str| {
        let doc = html(&public.join(page).join("index.html"));
        (
            attrs(&doc, "a[data-filter-agency]", "href").len(),
            texts(&doc, ".filter-group a:not([data-filter-kind])").join("|"),
        )
    };
    assert_eq!(filters("timeline").0, 60, "the agencies with dated items");
    assert_eq!(
        filters("timeline/page/2"),
        (0, "Every agency’s timeline".to_string())
    );
    assert_eq!(filters("timeline/agencies/a07").0, 0);
    assert_eq!(broken_links(&public, "/"), Vec::<String>::new());
}
