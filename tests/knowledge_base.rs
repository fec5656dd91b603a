//! The shipped knowledge base: it builds cleanly, every claim has a source,
//! every source is cited, every page is reachable, and a reader can answer the
//! questions the site exists for.

mod common;

use std::collections::{BTreeSet, VecDeque};
use std::path::Path;

use common::*;
use gazette::build::{self, BuildOptions};
use gazette::content::Kind;
use gazette::model::Ref;

fn shipped_site() -> gazette::model::Site {
    let opts = BuildOptions::new(repo_root());
    let (site, diags) = build::load(&opts).expect("site loads");
    let problems: Vec<String> = diags.sorted().iter().map(ToString::to_string).collect();
    assert!(problems.is_empty(), "{problems:#?}");
    site
}

#[test]
fn builds_with_no_errors_or_warnings() {
    let (tmp, root) = copy_shipped_site();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.is_empty(), "warnings: {}", run.stderr);
    assert!(broken_links(&root.join("public"), "/").is_empty());
}

#[test]
fn every_claim_is_sourced_and_every_source_cited() {
    let site = shipped_site();
    let mut missing = Vec::new();
    for p in &site.provisions {
        if p.sources.is_empty() {
            missing.push(format!("provision {} has no sources", p.meta.id));
        }
        for d in &p.deadlines {
            if d.agency.is_empty() {
                missing.push(format!("deadline {} has no agency", d.id));
            }
            if d.sources.is_empty() {
                missing.push(format!("deadline {} has no sources", d.id));
            }
        }
        for v in &p.versions {
            if v.sources.is_empty() {
                missing.push(format!("version {}/{} has no sources", p.meta.id, v.id));
            }
        }
    }
    for e in &site.events {
        if e.sources.is_empty() {
            missing.push(format!("event {} has no sources", e.meta.id));
        }
    }
    for s in &site.sources {
        let r = Ref::new(Kind::Source, s.meta.id.as_str());
        let cited_by_others = site.links.incoming(&r).any(|f| *f != r);
        if !cited_by_others {
            missing.push(format!("source {} is never cited", s.meta.id));
        }
    }
    assert!(missing.is_empty(), "{missing:#?}");
}

#[test]
fn every_entity_is_reachable_from_the_home_page() {
    let (tmp, root) = copy_shipped_site();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    let public = root.join("public");
    let reached = crawl(&public);
    let site = shipped_site();
    let mut unreachable = Vec::new();
    for (kind, ids) in [
        (
            Kind::Order,
            site.orders.iter().map(|x| &x.meta.id).collect::<Vec<_>>(),
        ),
        (
            Kind::Provision,
            site.provisions.iter().map(|x| &x.meta.id).collect(),
        ),
        (
            Kind::Agency,
            site.agencies.iter().map(|x| &x.meta.id).collect(),
        ),
        (
            Kind::Source,
            site.sources.iter().map(|x| &x.meta.id).collect(),
        ),
        (
            Kind::Event,
            site.events.iter().map(|x| &x.meta.id).collect(),
        ),
        (Kind::Page, site.pages.iter().map(|x| &x.meta.id).collect()),
    ] {
        for id in ids {
            let path = kind.path_of(id);
            if !reached.contains(&path) {
                unreachable.push(path);
            }
        }
    }
    assert!(
        unreachable.is_empty(),
        "not reachable from /: {unreachable:#?}"
    );
}

/// Site paths reachable by following links from `/`.
fn crawl(public: &Path) -> BTreeSet<String> {
    let mut seen = BTreeSet::from(["/".to_string()]);
    let mut queue = VecDeque::from(["/".to_string()]);
    while let Some(path) = queue.pop_front() {
        let file = public.join(path.trim_start_matches('/')).join("index.html");
        if !file.is_file() {
            continue;
        }
        for href in attrs(&html(&file), "a[href]", "href") {
            let target = href.split('#').next().unwrap_or_default().to_string();
            if target.starts_with('/') && target.ends_with('/') && seen.insert(target.clone()) {
                queue.push_back(target);
            }
        }
    }
    seen
}

/// "What must Treasury do and by when?" answered on the Treasury page, with a source.
#[test]
fn reader_can_find_what_treasury_must_do_and_by_when() {
    let (tmp, root) = copy_shipped_site();
    let run = gazette(
        &[
            "build",
            "--root",
            root.to_str().unwrap(),
            "--as-of",
            "2026-06-15",
        ],
        tmp.path(),
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let doc = html(&root.join("public/agencies/treasury/index.html"));
    let rows = texts(&doc, "table.deadlines tbody tr");
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert!(
        rows[0].contains("Form the AI cybersecurity clearinghouse"),
        "{}",
        rows[0]
    );
    assert!(rows[0].contains("July 2, 2026"));
    assert!(rows[0].contains("within 30 days of 2026-06-02"));
    assert!(rows[0].contains("17 days left"));
    assert!(
        !attrs(&doc, "table.deadlines sup.cite a", "href").is_empty(),
        "the deadline cites a source"
    );
}

/// "What changed between the draft and the final order?"
#[test]
fn reader_can_find_the_draft_to_final_change() {
    let site = shipped_site();
    let p = site
        .provisions
        .iter()
        .find(|p| p.versions.len() >= 2)
        .expect("a provision with a draft and a final version");
    assert!(p.versions[0].text.contains("90 days"));
    assert!(p.versions[1].text.contains("30 days"));
    assert!(p.versions.iter().all(|v| !v.sources.is_empty()));
}

/// "Which agencies are involved in the benchmarking?" and "What does the order not require?"
#[test]
fn reader_can_find_benchmarking_agencies_and_what_is_not_required() {
    let site = shipped_site();
    let bench = site
        .provisions
        .iter()
        .find(|p| p.meta.id == "classified-benchmarking")
        .expect("benchmarking");
    assert!(bench.agencies.iter().any(|a| a == "nsa"));
    assert!(bench.agencies.iter().any(|a| a == "cisa"));
    assert!(
        !bench.disagreements.is_empty(),
        "who leads is disputed between reports"
    );
    let none = site
        .provisions
        .iter()
        .find(|p| p.meta.id == "no-licensing-clause")
        .expect("no-licensing clause");
    assert!(none
        .meta
        .body_html
        .contains("mandatory governmental\nlicensing, preclearance, or permitting requirement"));
}

#[test]
fn relative_deadlines_compute_to_the_reported_dates() {
    let site = shipped_site();
    let dates: BTreeSet<String> = site
        .deadlines()
        .filter_map(|(_, d)| d.due.as_ref().map(|w| w.date.to_string()))
        .collect();
    assert_eq!(
        dates,
        BTreeSet::from(["2026-07-02".to_string(), "2026-08-01".to_string()])
    );
}
