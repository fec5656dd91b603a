//! `gazette init` and `gazette new`: files for editors to start from.

use std::path::{Path, PathBuf};

use crate::content::{check_slug, Kind, CONTENT_DIR};
use crate::fs;
use crate::theme::DEFAULT_THEME;

/// Create a new site in `dir`: site.yaml, a small working content/, the default theme.
/// Refuses a folder that is not empty. Returns the files written.
pub fn init(dir: &Path) -> Result<Vec<PathBuf>, String> {
    if fs::is_non_empty_dir(dir) {
        return Err(format!(
            "{} is not empty: gazette init only creates new sites (choose a new folder)",
            dir.display()
        ));
    }
    if dir.exists() && !dir.is_dir() {
        return Err(format!("{} exists and is not a folder", dir.display()));
    }
    let mut written = Vec::new();
    let mut put = |rel: &str, text: &str| -> Result<(), String> {
        let path = dir.join(rel);
        fs::write_new(&path, text).map_err(|e| e.to_string())?;
        written.push(path);
        Ok(())
    };
    for (rel, text) in STARTER {
        put(rel, text)?;
    }
    for (rel, text) in DEFAULT_THEME {
        put(&format!("themes/default/{rel}"), text)?;
    }
    Ok(written)
}

/// Write `content/FOLDER/SLUG.md` with every field of `kind`, commented.
/// What `gazette new` writes where a value must come from the editor; a
/// file that still holds it is refused once it is no longer a draft.
pub const PLACEHOLDER: &str = "FILL-IN";

pub fn new_file(root: &Path, kind: Kind, slug: &str) -> Result<PathBuf, String> {
    check_slug(slug)?;
    let dir = root.join(CONTENT_DIR).join(kind.folder());
    for ext in ["md", "yaml", "yml"] {
        let existing = dir.join(format!("{slug}.{ext}"));
        if existing.exists() {
            return Err(format!("{} already exists", existing.display()));
        }
    }
    let path = dir.join(format!("{slug}.md"));
    fs::write_new(&path, skeleton(kind)).map_err(|e| e.to_string())?;
    Ok(path)
}

/// The front matter and body skeleton of a new file of `kind`.
pub fn skeleton(kind: Kind) -> &'static str {
    match kind {
        Kind::Order => NEW_ORDER,
        Kind::Provision => NEW_PROVISION,
        Kind::Agency => NEW_AGENCY,
        Kind::Source => NEW_SOURCE,
        Kind::Event => NEW_EVENT,
        Kind::Page => NEW_PAGE,
    }
}

const NEW_ORDER: &str = r#"---
# The order's full title, as printed.
title: "FILL-IN: the order's full title"
# A short name used in lists (optional).
# short_title: "Short title"
# Who issued it: "The President", "Office of Management and Budget".
issuer: "FILL-IN: who issued it"
# Date signed (YYYY-MM-DD). Deadlines "within N days of signing" count from it.
# signed: YYYY-MM-DD
# Date published, e.g. in the Federal Register (optional).
# published: 2026-01-05
# Official citation, e.g. an EO number or FR citation (optional; never invent one).
# citation: ""
# signed, revoked, amended or superseded. Leave it out when another order of
# the site revokes, supersedes or amends this one: it follows from that.
status: signed
# Other orders this one revokes, supersedes, amends or implements (optional):
# each an id, or { order: ID, date: YYYY-MM-DD, sources: [source-id] }.
# revokes: []
# One or two sentences shown in lists and search results (optional).
summary: "FILL-IN: what the order does, in a sentence."
# Ids of sources (content/sources/) that report the facts above.
sources: []
# A new file is a draft: it is left out of builds (and checks) until you remove
# this line, or build with --drafts. Replace every FILL-IN first: `check` refuses them.
draft: true
---

What the order does, in a few paragraphs. Cite sources as [@source-id] and
link entities as [[agency-id]] or [[provision/provision-id|shown text]].
"#;

const NEW_PROVISION: &str = r#"---
title: "FILL-IN: what this provision does"
# Id of the order it belongs to (content/orders/).
order: order-id
# The section number as printed in the order (optional; never invent one).
# section: "3(a)"
# Place among the order's provisions (optional; lower comes first).
# weight: 10
# Ids of the agencies it tasks (content/agencies/).
agencies: []
# One or two sentences: what it requires, of whom, by when.
summary: "FILL-IN: one-sentence summary."
# Ids of sources for the provision as a whole.
sources: []
# Deadlines it sets. `due` is a date, or a count of calendar days:
#   due: { within_days: 30, of: signing }     # after the order's signing
#   due: { within_days: 60, of: other-id }    # after another deadline or event
# Leave `due` out when the order sets no date yet, and say so in `note`.
deadlines: []
#  - id: unique-deadline-id
#    action: "What must be done"
#    agency: agency-id
#    due: { within_days: 30, of: signing }
#    note: "optional remark"
#    status: pending            # pending, in-progress, met, missed, extended, no-longer-in-force, unknown
#    status_sources: []         # required for any status other than pending
#    # or a dated history, each entry claimed, verified or reported:
#    # status:
#    #   - { status: met, date: 2026-07-01, basis: claimed, sources: [source-id] }
#    sources: [source-id]
# Versions of the text, oldest first (for example a reported draft, then the final order).
versions: []
#  - id: draft
#    label: "Reported draft"
#    date: 2026-01-01           # optional
#    text: "The wording, or a paraphrase"
#    paraphrase: true           # when text is not the document's own wording
#    sources: [source-id]
# Where sources disagree: each account with its sources, side by side.
disagreements: []
#  - claim: "What is in question"
#    accounts:
#      - says: "One account"
#        sources: [source-a]
#      - says: "Another account"
#        sources: [source-b]
#        preferred: true
#        reason: "Why this account is preferred"
# A new file is a draft: it is left out of builds (and checks) until you remove
# this line, or build with --drafts. Replace every FILL-IN first: `check` refuses them.
draft: true
---

What the provision requires and why it matters, cited sentence by sentence [@source-id].
"#;

const NEW_AGENCY: &str = r#"---
title: "FILL-IN: the agency's full name"
# Short name (optional).
# acronym: "ABC"
# Id of the parent agency, if it is part of one (optional).
# parent: parent-agency-id
# Official website (optional; never invent one).
# url: "https://www.example.gov"
# A new file is a draft: it is left out of builds (and checks) until you remove
# this line, or build with --drafts. Replace every FILL-IN first: `check` refuses them.
draft: true
---

What this agency or office is, in a sentence or two (optional).
"#;

const NEW_SOURCE: &str = r#"---
title: "FILL-IN: title of the article, document or analysis"
publisher: "FILL-IN: publisher"
# primary (the text itself), official (fact sheets, statements), news, or analysis.
kind: news
# Publication date (optional; leave out when unknown).
# date: 2026-01-01
# Address of the source (optional; never invent one).
# url: "https://..."
# An archived copy (optional).
# archived_url: "https://..."
# When it was last read (optional).
# accessed: 2026-01-01
# A new file is a draft: it is left out of builds (and checks) until you remove
# this line, or build with --drafts. Replace every FILL-IN first: `check` refuses them.
draft: true
---

What this source reports, briefly (optional).
"#;

const NEW_EVENT: &str = r#"---
title: "FILL-IN: what happened"
# A date (YYYY-MM-DD), or a count of days after another dated item:
#   date: { within_days: 30, of: event-or-deadline-id }
# Leave it out when no source gives the date: the event is listed as undated.
# date: YYYY-MM-DD
# signing, draft, publication, announcement, implementation, guidance, rule,
# report, hearing, litigation, amendment, revocation, other, or a kind of
# site.yaml's `event_kinds`.
kind: other
sources: []
# Entities this event concerns: ids, or kind/id when an id is ambiguous.
related: []
# A new file is a draft: it is left out of builds (and checks) until you remove
# this line, or build with --drafts. Replace every FILL-IN first: `check` refuses them.
draft: true
---

What happened, cited [@source-id].
"#;

const NEW_PAGE: &str = r#"---
title: "FILL-IN: page title"
# Order among pages in the footer (optional; lower comes first).
# weight: 10
# A new file is a draft: it is left out of builds (and checks) until you remove
# this line, or build with --drafts. Replace every FILL-IN first: `check` refuses them.
draft: true
---

Page text in Markdown.
"#;

/// The starter site of `gazette init`: one of each kind, every reference form,
/// facts taken from reporting on the 2026-06-02 order.
const STARTER: &[(&str, &str)] = &[
    (
        "site.yaml",
        r#"title: "My policy knowledge base"
description: "Orders, provisions, agencies, deadlines and sources."
# Where the site will live; a sub-path such as https://example.org/kb/ works too.
# Links inside the site work wherever it is served; the sitemap, feed,
# calendars and canonical links use this address.
base_url: "http://localhost:8000/"
language: en
theme: default
# Pin the date deadlines are measured against (optional; default: today).
# as_of: 2026-07-01
"#,
    ),
    (
        "content/_index.md",
        r#"This knowledge base tracks [[ai-innovation-and-security]] and what it asks
of federal agencies [@white-house-eo-text].
"#,
    ),
    (
        "content/orders/ai-innovation-and-security.md",
        r#"---
title: "Promoting Advanced Artificial Intelligence Innovation and Security"
short_title: "AI Innovation and Security EO"
issuer: "The President"
signed: 2026-06-02
status: signed
summary: "Creates a voluntary pre-release review of frontier AI models and an AI cybersecurity clearinghouse."
sources: [white-house-eo-text]
---

The order establishes a voluntary framework under which developers of frontier
AI models can give the federal government early access for up to 30 days before
wider release [@white-house-eo-text].

It directs [[treasury]] to form an AI cybersecurity clearinghouse
([[provision/ai-cybersecurity-clearinghouse|the clearinghouse]]).
"#,
    ),
    (
        "content/provisions/ai-cybersecurity-clearinghouse.md",
        r#"---
title: "AI cybersecurity clearinghouse"
order: ai-innovation-and-security
agencies: [treasury]
summary: "Treasury forms an AI cybersecurity clearinghouse within 30 days."
sources: [white-house-eo-text]
deadlines:
  - id: clearinghouse-formed
    action: "Form the AI cybersecurity clearinghouse"
    agency: treasury
    due: { within_days: 30, of: signing }
    sources: [white-house-eo-text]
---

The Secretary of the Treasury is to form an "AI cybersecurity clearinghouse"
within 30 days [@white-house-eo-text].
"#,
    ),
    (
        "content/agencies/treasury.md",
        r#"---
title: "Department of the Treasury"
acronym: "Treasury"
---
"#,
    ),
    (
        "content/sources/white-house-eo-text.md",
        r#"---
title: "Promoting Advanced Artificial Intelligence Innovation and Security (full EO text)"
publisher: "The White House"
kind: primary
---

The text of the order as published by the White House.
"#,
    ),
    (
        "content/events/eo-signed.md",
        r#"---
title: "The order is signed"
date: 2026-06-02
kind: signing
sources: [white-house-eo-text]
related: [ai-innovation-and-security]
---
"#,
    ),
    (
        "content/pages/about.md",
        r#"---
title: "About"
weight: 1
---

This site is built with gazette. Every fact cites its source.
"#,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn new_refuses_existing_and_bad_slugs() {
        let tmp = tempfile::tempdir().unwrap();
        let p = new_file(tmp.path(), Kind::Agency, "omb").unwrap();
        assert!(p.ends_with("content/agencies/omb.md"));
        assert!(new_file(tmp.path(), Kind::Agency, "omb").is_err());
        assert!(new_file(tmp.path(), Kind::Agency, "Bad Slug").is_err());
    }

    #[test]
    fn init_refuses_non_empty_folder() {
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("x"), "").unwrap();
        assert!(init(tmp.path()).is_err());
    }
}
