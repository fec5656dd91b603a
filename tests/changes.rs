//! Draft vs final: redlines on provision pages, version pages, and the
//! /changes/ page of the shipped site with the 90 -> 30 day change and sources.

mod common;

use common::*;

#[test]
fn shipped_changes_page_headlines_the_review_window_cut_with_sources() {
    let (tmp, root) = copy_shipped_site();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = html(&root.join("public/changes/index.html"));
    let headlines = texts(&doc, "ul.headlines li strong");
    assert_eq!(
        headlines,
        ["Government-access window cut from 90 to 30 days"]
    );
    // The redline marks exactly the changed words, announced to screen readers.
    let del = texts(&doc, "article.change .redline del");
    let ins = texts(&doc, "article.change .redline ins");
    assert!(del.contains(&"[deleted: 90]".to_string()), "{del:?}");
    assert!(ins.contains(&"[inserted: 30]".to_string()), "{ins:?}");
    // Sources of both versions are cited.
    let meta = texts(&doc, "article.change > p.meta");
    assert_eq!(meta.len(), 1);
    let cites = attrs(&doc, "article.change > p.meta sup.cite a", "href");
    assert!(
        cites.contains(&"/sources/nyt-report/".to_string()),
        "{cites:?}"
    );
    assert!(cites.contains(&"/sources/reuters-report/".to_string()));
    assert!(cites.contains(&"/sources/white-house-eo-text/".to_string()));
    // Side by side, without JavaScript.
    assert_eq!(texts(&doc, "details.side-by-side .columns > div").len(), 2);
    // Linked from every page's navigation.
    assert!(
        attrs(&html(&root.join("public/index.html")), "nav a", "href")
            .contains(&"/changes/".to_string())
    );
    // In the feed too.
    let feed = read(&root.join("public/feed.xml"));
    assert!(feed.contains("Government-access window cut from 90 to 30 days"));
}

#[test]
fn version_pages_say_whether_they_are_the_current_text() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let draft = html(&root.join("public/provisions/review/versions/draft/index.html"));
    let notice = texts(&draft, ".notice-superseded");
    assert_eq!(notice.len(), 1);
    assert!(notice[0].starts_with("Not the current text."), "{notice:?}");
    assert!(attrs(&draft, ".notice-superseded a", "href")
        .contains(&"/provisions/review/versions/final/".to_string()));
    let last = html(&root.join("public/provisions/review/versions/final/index.html"));
    assert!(texts(&last, ".notice-superseded").is_empty());
    assert_eq!(texts(&last, ".notice-current").len(), 1);
    // The provision page links each version and shows the change.
    let page = html(&root.join("public/provisions/review/index.html"));
    assert!(attrs(&page, ".version h3 a", "href")
        .contains(&"/provisions/review/versions/draft/".to_string()));
    assert_eq!(
        texts(&page, ".numeric-changes li strong"),
        ["Cut from 90 to 30 days"]
    );
}

#[test]
fn orders_can_have_versions_too() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let order = root.join("content/orders/eo.md");
    let text = read(&order).replace(
        "sources: [wh-text]\n---",
        "sources: [wh-text]\nversions:\n  - id: draft\n    label: Draft\n    text: Agencies report within ninety (90) days.\n    sources: [reuters]\n  - id: final\n    label: Final\n    text: Agencies report within thirty (30) days.\n    sources: [wh-text]\n---",
    );
    std::fs::write(&order, text).unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = html(&root.join("public/orders/eo/index.html"));
    assert_eq!(
        texts(&doc, ".numeric-changes li strong"),
        ["Cut from 90 to 30 days"]
    );
    assert!(root
        .join("public/orders/eo/versions/draft/index.html")
        .is_file());
    let changes = html(&root.join("public/changes/index.html"));
    assert_eq!(texts(&changes, "ul.headlines li strong").len(), 2);
}
