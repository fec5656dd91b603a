//! Client-side search: a Pagefind index built from the model.
//!
//! Each entity becomes one record (its title, summary, body text, and for
//! provisions the names and acronyms of the agencies they task), tagged with
//! its kind. Pagefind splits the index into small chunks, so a search on a
//! static host downloads only what the query needs. Chosen over elasticlunr
//! by measurement on 10,000 provisions: 9.6 MB in chunks against one 68 MB
//! JSON file that every visitor would download whole (see bench/).

use std::collections::BTreeMap;

use crate::content::Kind;
use crate::markdown::plain_text;
use crate::model::{Meta, Site};
use crate::render::{Contents, OutputFile};

/// Where the index and Pagefind's scripts go in the output.
pub const BUNDLE: &str = "pagefind";

/// Files of the index whose names do not depend on its contents or its
/// language (the others are hashed chunks).
pub const FIXED_FILES: [&str; 10] = [
    "pagefind/pagefind.js",
    "pagefind/pagefind-entry.json",
    "pagefind/pagefind-worker.js",
    "pagefind/pagefind-highlight.js",
    "pagefind/pagefind-ui.js",
    "pagefind/pagefind-ui.css",
    "pagefind/pagefind-modular-ui.js",
    "pagefind/pagefind-modular-ui.css",
    "pagefind/pagefind-component-ui.js",
    "pagefind/pagefind-component-ui.css",
];

/// One entity as the index sees it.
pub struct Record {
    url: String,
    text: String,
    title: String,
    kind: &'static str,
}

/// What the index is made from: owned, so that it can be built on another
/// thread while the site changes (the dev server does so on large sites).
pub struct Input {
    records: Vec<Record>,
    lang: String,
}

impl Input {
    pub fn of(site: &Site) -> Input {
        Input {
            records: records(site),
            lang: site.config.language.clone(),
        }
    }
}

/// Build the search index of `site`: the files of `/pagefind/`.
pub fn index(site: &Site) -> Result<Vec<OutputFile>, String> {
    build(Input::of(site))
}

/// Build the search index from its input.
pub fn build(input: Input) -> Result<Vec<OutputFile>, String> {
    let Input { records, lang } = input;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("search index: {e}"))?;
    let files = runtime.block_on(async move {
        let mut index = pagefind::api::PagefindIndex::new(None).map_err(|e| e.to_string())?;
        for r in records {
            let meta = BTreeMap::from([
                ("title".to_string(), r.title),
                ("kind".to_string(), r.kind.to_string()),
            ]);
            let filters = BTreeMap::from([("kind".to_string(), vec![r.kind.to_string()])]);
            index
                .add_custom_record(r.url, r.text, lang.clone(), Some(meta), Some(filters), None)
                .await
                .map_err(|e| e.to_string())?;
        }
        index.build_indexes().await.map_err(|e| e.to_string())?;
        index.get_files().await.map_err(|e| e.to_string())
    })?;
    Ok(files
        .into_iter()
        .map(|f| {
            // File names come relative to the bundle folder, or under it.
            let name = f.filename.to_string_lossy().replace('\\', "/");
            let rel = name
                .split_once(&format!("{BUNDLE}/"))
                .map_or(name.as_str(), |(_, r)| r)
                .to_string();
            OutputFile {
                path: format!("{BUNDLE}/{}", rel.trim_start_matches('/')),
                contents: Contents::Bytes(f.contents),
            }
        })
        .collect())
}

fn records(site: &Site) -> Vec<Record> {
    let mut out = Vec::new();
    let mut push = |kind: Kind, label: &'static str, meta: &Meta, extra: Vec<&str>| {
        let mut text = vec![meta.title.as_str()];
        text.extend(extra);
        let body = plain_text(&without_citations(&meta.body_html));
        let mut text = text.join(". ");
        if !body.is_empty() {
            text.push_str(". ");
            text.push_str(&body);
        }
        out.push(Record {
            // Pagefind's UI puts the bundle's own base path in front of these.
            url: kind.path_of(&meta.id),
            text,
            title: meta.title.clone(),
            kind: label,
        });
    };
    for o in &site.orders {
        let extra = [
            o.short_title.as_deref(),
            o.summary.as_deref(),
            Some(o.issuer.as_str()),
        ];
        push(
            Kind::Order,
            "Order",
            &o.meta,
            extra.into_iter().flatten().collect(),
        );
    }
    for p in &site.provisions {
        let mut extra = vec![p.summary.as_str()];
        for a in p.agencies.iter().filter_map(|a| site.agency(a)) {
            extra.push(&a.meta.title);
            extra.extend(a.acronym.as_deref());
        }
        extra.extend(p.deadlines.iter().map(|d| d.action.as_str()));
        push(Kind::Provision, "Provision", &p.meta, extra);
    }
    for a in &site.agencies {
        push(
            Kind::Agency,
            "Agency",
            &a.meta,
            a.acronym.as_deref().into_iter().collect(),
        );
    }
    for s in &site.sources {
        push(Kind::Source, "Source", &s.meta, vec![s.publisher.as_str()]);
    }
    for e in &site.events {
        push(Kind::Event, "Event", &e.meta, Vec::new());
    }
    for p in &site.pages {
        push(Kind::Page, "Page", &p.meta, Vec::new());
    }
    out
}

/// The body without its citation marks ("[1]"), which mean nothing in a search snippet.
fn without_citations(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(i) = rest.find("<sup class=\"cite\">") {
        out.push_str(&rest[..i]);
        rest = rest[i..]
            .split_once("</sup>")
            .map_or("", |(_, after)| after);
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    #[test]
    fn citations_are_left_out_of_search_text() {
        assert_eq!(
            super::without_citations("a<sup class=\"cite\">[<a>1</a>]</sup> b"),
            "a b"
        );
    }
}
