//! One broken site per error class: each asserts the exact `path:line:column:
//! message` an editor sees, and that the build exits 1 and writes nothing.

mod common;

/// The first line of every error of a build of the common base site plus
/// `files`, which must fail and write nothing.
fn errors(files: &[(&str, &[u8])]) -> Vec<String> {
    let (_tmp, root) = common::site_bytes(files);
    common::errors(&root)
}

fn provision(front: &str) -> String {
    format!("---\ntitle: P\norder: eo\nsummary: S\n{front}---\n")
}

#[test]
fn non_utf8_file() {
    let e = errors(&[("content/agencies/omb.md", b"---\ntitle: Caf\xe9\n---\n")]);
    assert_eq!(
        e,
        ["content/agencies/omb.md:2:11: error: file is not valid UTF-8 text"]
    );
}

#[test]
fn malformed_front_matter() {
    let e = errors(&[("content/agencies/omb.md", b"---\ntitle: Office: of\n---\n")]);
    assert_eq!(e.len(), 1);
    assert!(
        e[0] == "content/agencies/omb.md:2:14: error: a value contains `: `, which YAML reads as a new field",
        "{e:?}"
    );
}

#[test]
fn unclosed_front_matter() {
    let e = errors(&[("content/agencies/omb.md", b"---\ntitle: Office\n")]);
    assert_eq!(
        e,
        ["content/agencies/omb.md:1:1: error: front matter is not closed: add a `---` line after the last field"]
    );
}

#[test]
fn unknown_key_with_suggestion() {
    let text = provision("agencys: [treasury]\n");
    let e = errors(&[("content/provisions/p.md", text.as_bytes())]);
    assert_eq!(
        e,
        ["content/provisions/p.md:5:1: error: unknown key `agencys` in a provision"]
    );
}

#[test]
fn wrong_type() {
    let text = provision("agencies: treasury\n");
    let e = errors(&[("content/provisions/p.md", text.as_bytes())]);
    assert_eq!(
        e,
        ["content/provisions/p.md:5:11: error: agencies: invalid type: string \"treasury\", expected a sequence"]
    );
}

#[test]
fn invalid_date() {
    let e = errors(&[(
        "content/events/e.md",
        b"---\ntitle: E\nkind: other\ndate: 2026-06-31\n---\n",
    )]);
    assert_eq!(e.len(), 1);
    assert!(
        e[0].starts_with("content/events/e.md:4:7: error: date: invalid date `2026-06-31`"),
        "{e:?}"
    );
}

#[test]
fn unknown_references_of_every_kind() {
    let text = "---\ntitle: P\norder: e0\nagencies: [tresury]\nsummary: S\nsources: [wh2]\n---\n\nSee [[provision/nope]] [@whx].\n";
    let event = "---\ntitle: E\nkind: other\nrelated: [event/gone]\ndate: { within_days: 3, of: missing }\n---\n";
    let agency = "---\ntitle: CISA\nparent: dhs\n---\n";
    let e = errors(&[
        ("content/provisions/p.md", text.as_bytes()),
        ("content/events/e.md", event.as_bytes()),
        ("content/agencies/cisa.md", agency.as_bytes()),
    ]);
    assert_eq!(
        e,
        [
            "content/agencies/cisa.md:3:9: error: unknown agency `dhs`",
            "content/events/e.md:4:11: error: unknown event `gone`",
            "content/events/e.md:5:29: error: unknown dated item `missing`",
            "content/provisions/p.md:3:8: error: unknown order `e0`",
            "content/provisions/p.md:4:12: error: unknown agency `tresury`",
            "content/provisions/p.md:6:11: error: unknown source `wh2`",
            "content/provisions/p.md:9:5: error: broken link [[provision/nope]]: unknown provision `nope`",
            "content/provisions/p.md:9:25: error: citation of unknown source `whx`",
        ]
    );
}

#[test]
fn ambiguous_wikilink() {
    let e = errors(&[
        (
            "content/sources/treasury.md",
            b"---\ntitle: T\npublisher: T\nkind: news\n---\n",
        ),
        (
            "content/pages/about.md",
            b"---\ntitle: About\n---\n\nAsk [[treasury]].\n",
        ),
    ]);
    assert_eq!(
        e,
        ["content/pages/about.md:5:5: error: broken link [[treasury]]: ambiguous id `treasury`: more than one entity has it"]
    );
}

#[test]
fn duplicate_id() {
    let e = errors(&[("content/agencies/treasury.yaml", b"title: Treasury again\n")]);
    assert_eq!(
        e,
        ["content/agencies/treasury.yaml:1:1: error: duplicate id `treasury`: an agency with this id is already defined in content/agencies/treasury.md"]
    );
}

#[test]
fn parent_cycle() {
    let e = errors(&[
        ("content/agencies/a.md", b"---\ntitle: A\nparent: b\n---\n"),
        ("content/agencies/b.md", b"---\ntitle: B\nparent: a\n---\n"),
    ]);
    assert_eq!(e, ["content/agencies/a.md:3:9: error: agency parents form a cycle: a \u{2192} b \u{2192} a"]);
}

#[test]
fn within_days_of_an_unsigned_order() {
    let order = "---\ntitle: Unsigned\nissuer: X\nstatus: signed\n---\n";
    let text = "---\ntitle: P\norder: draft-order\nsummary: S\ndeadlines:\n  - id: d1\n    action: A\n    agency: treasury\n    due: { within_days: 30, of: signing }\n    sources: [wh]\n---\n";
    let e = errors(&[
        ("content/orders/draft-order.md", order.as_bytes()),
        ("content/provisions/p.md", text.as_bytes()),
    ]);
    assert_eq!(
        e,
        ["content/provisions/p.md:9:33: error: `within_days` counts from the signing of order `draft-order`, which has no `signed` date"]
    );
}

#[test]
fn deadline_without_agency_and_date_cycle() {
    let text = provision(
        "deadlines:\n  - id: a\n    action: A\n    due: { within_days: 1, of: b }\n  - id: b\n    action: B\n    agency: treasury\n    due: { within_days: 1, of: a }\n",
    );
    let e = errors(&[("content/provisions/p.md", text.as_bytes())]);
    assert_eq!(
        e,
        [
            "content/provisions/p.md:6:5: error: deadline `a` has no agency",
            "content/provisions/p.md:8:32: error: dates form a cycle: a \u{2192} b \u{2192} a",
        ]
    );
}

#[test]
fn versions_and_disagreements_are_checked() {
    let text = provision(
        "versions:\n  - id: v\n    label: Draft\n  - id: v\n    label: Final\n    text: T\n    sources: [nope]\ndisagreements:\n  - claim: C\n    accounts:\n      - says: One\n        sources: [wh]\n        preferred: true\n",
    );
    let e = errors(&[("content/provisions/p.md", text.as_bytes())]);
    assert_eq!(
        e,
        [
            "content/provisions/p.md:6:5: error: version `v` has no text",
            "content/provisions/p.md:8:9: error: duplicate version id `v`",
            "content/provisions/p.md:15:7: error: a disagreement needs two or more accounts",
            "content/provisions/p.md:17:20: error: a preferred account needs a `reason`",
        ]
    );
}

#[test]
fn file_outside_a_kind_folder() {
    let e = errors(&[("content/agency/omb.md", b"---\ntitle: OMB\n---\n")]);
    assert_eq!(
        e,
        ["content/agency/omb.md:1:1: error: this file is not in a content kind's folder"]
    );
}

/// A control character in a file name (or a line shown) reaches the
/// terminal escaped: an ESC there could rewrite what the editor sees.
#[test]
fn control_characters_are_printed_escaped() {
    let e = errors(&[("content/agencies/a\x1b[2Jb.md", b"---\ntitle: A\n---\n")]);
    assert_eq!(e.len(), 1, "{e:?}");
    assert!(!e[0].contains('\x1b'), "{e:?}");
    assert!(e[0].contains("a\\u{1b}[2Jb"), "{e:?}");
}
