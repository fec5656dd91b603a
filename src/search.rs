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

/// Records per part of the index, unless site.yaml's `search_part_size`
/// says otherwise. Pagefind holds every record of an index in memory until
/// it writes it, about 20 KB each (heaptrack: 250 MB for the 11,200 records
/// of 10,000 provisions). A site's index is built in parts of at most this
/// many records, one or two at a time ([`Parts`]), so that a build's memory
/// stays bounded whatever the site's size (the dev server holds the whole
/// site anyway); the search page merges the parts (Pagefind's
/// `mergeIndex`), and a query fetches a little from each.
pub const PART_RECORDS: usize = 4_000;

/// The folders of the index's parts, relative to the output: the bundle
/// (`pagefind`, with Pagefind's scripts), then `pagefind/part-2`, ...
pub fn parts(site: &Site) -> Vec<String> {
    let records = site.orders.len()
        + site.provisions.len()
        + site.agencies.len()
        + site.sources.len()
        + site.events.len()
        + site.pages.len();
    (0..records.div_ceil(site.config.search_part_size).max(1))
        .map(part_folder)
        .collect()
}

fn part_folder(i: usize) -> String {
    match i {
        0 => BUNDLE.to_string(),
        _ => format!("{BUNDLE}/part-{}", i + 1),
    }
}

/// Files of the index whose names are known before it is made: the
/// scripts, and each part's entry file.
pub fn fixed_files(site: &Site) -> Vec<String> {
    let mut out: Vec<String> = FIXED_FILES.iter().map(|f| f.to_string()).collect();
    out.extend(
        parts(site)
            .iter()
            .skip(1)
            .map(|p| format!("{p}/pagefind-entry.json")),
    );
    out
}

/// One entity as the index sees it.
pub struct Record {
    url: String,
    text: String,
    title: String,
    kind: &'static str,
}

/// What the index is made from: owned, so that it can be built on another
/// thread while the site changes (the dev server does so).
pub struct Input {
    records: Vec<Record>,
    lang: String,
    part_size: usize,
    parts: usize,
}

impl Input {
    pub fn of(site: &Site) -> Input {
        Input {
            records: records(site).collect(),
            lang: site.config.language.clone(),
            part_size: site.config.search_part_size,
            parts: parts(site).len(),
        }
    }
}

/// What a search indexer that stopped by panicking is reported as.
pub const STOPPED: &str = "the search indexer stopped unexpectedly";

/// The parts of a site's search index, made by whoever calls
/// [`Parts::work`], one part at a time each: `gazette build` has one thread
/// make them beside the pages, and joins it when the pages are done.
pub struct Parts<'s> {
    site: &'s Site,
    count: usize,
    /// The next part no one has taken.
    next: std::sync::atomic::AtomicUsize,
}

impl<'s> Parts<'s> {
    pub fn new(site: &'s Site) -> Parts<'s> {
        Parts {
            site,
            count: parts(site).len(),
            next: Default::default(),
        }
    }

    /// Make parts not yet taken, handing the files of each (under
    /// `/pagefind/`) to `each` as it is done, until none is left. A failure
    /// stops the other workers too.
    pub fn work(&self, each: &(dyn Fn(Vec<OutputFile>) + Sync)) -> Result<(), String> {
        use std::sync::atomic::Ordering;
        let runtime = runtime()?;
        let size = self.site.config.search_part_size.max(1);
        loop {
            let k = self.next.fetch_add(1, Ordering::SeqCst);
            if k >= self.count {
                return Ok(());
            }
            let start = k.saturating_mul(size);
            let chunk: Vec<Record> =
                records_in(self.site, start..start.saturating_add(size)).collect();
            match make_part(&runtime, chunk, &self.site.config.language, k) {
                Ok(files) => each(files),
                Err(e) => {
                    self.next.store(self.count, Ordering::SeqCst);
                    return Err(e);
                }
            }
        }
    }
}

/// Build the search index from its input: every file of `/pagefind/`.
/// The parts are made one after another, as [`parts`] counts them.
pub fn build(input: Input) -> Result<Vec<OutputFile>, String> {
    let runtime = runtime()?;
    let mut records = input.records.into_iter();
    let mut out = Vec::new();
    for k in 0..input.parts {
        let chunk: Vec<Record> = records.by_ref().take(input.part_size.max(1)).collect();
        out.extend(make_part(&runtime, chunk, &input.lang, k)?);
    }
    Ok(out)
}

/// What Pagefind's asynchronous API runs on: the caller's thread, and one
/// more for the work Pagefind hands to a blocking thread (each record).
/// Left to itself, tokio started a new blocking thread whenever the last
/// one had not yet gone back to idle: 70 threads at 100,000 provisions,
/// each with its own allocator heap (60-100 MB of peak memory).
fn runtime() -> Result<tokio::runtime::Runtime, String> {
    tokio::runtime::Builder::new_current_thread()
        .max_blocking_threads(1)
        .enable_all()
        .build()
        .map_err(|e| format!("search index: {e}"))
}

/// Part `k` of the index, of `records`, with its files at their place.
fn make_part(
    runtime: &tokio::runtime::Runtime,
    records: Vec<Record>,
    lang: &str,
    k: usize,
) -> Result<Vec<OutputFile>, String> {
    let files = runtime.block_on(build_part(records, lang))?;
    Ok(place(files, k))
}

/// One Pagefind index of `records`.
async fn build_part(
    records: Vec<Record>,
    lang: &str,
) -> Result<Vec<pagefind::api::SyntheticFile>, String> {
    let mut index = pagefind::api::PagefindIndex::new(None).map_err(|e| e.to_string())?;
    for r in records {
        let meta = BTreeMap::from([
            ("title".to_string(), r.title),
            ("kind".to_string(), r.kind.to_string()),
        ]);
        let filters = BTreeMap::from([("kind".to_string(), vec![r.kind.to_string()])]);
        index
            .add_custom_record(
                r.url,
                r.text,
                lang.to_string(),
                Some(meta),
                Some(filters),
                None,
            )
            .await
            .map_err(|e| e.to_string())?;
    }
    // `get_files` builds the index itself: building it first as well made
    // every part twice (6% of a build's time at 10,000 provisions).
    index.get_files().await.map_err(|e| e.to_string())
}

/// The files of part `part` at their place in the output. A part after the
/// first is loaded by the first part's scripts: its own copies of the
/// scripts and of the WebAssembly module are left out.
fn place(files: Vec<pagefind::api::SyntheticFile>, part: usize) -> Vec<OutputFile> {
    let folder = part_folder(part);
    files
        .into_iter()
        .filter_map(|f| {
            // File names come relative to the bundle folder, or under it.
            let name = f.filename.to_string_lossy().replace('\\', "/");
            let rel = name
                .split_once(&format!("{BUNDLE}/"))
                .map_or(name.as_str(), |(_, r)| r)
                .trim_start_matches('/')
                .to_string();
            let script = rel.ends_with(".js") || rel.ends_with(".css") || rel.starts_with("wasm.");
            (part == 0 || !script).then(|| OutputFile {
                path: format!("{folder}/{rel}"),
                contents: Contents::Bytes(f.contents),
            })
        })
        .collect()
}

/// Every entity's record, in a fixed order (parts are cut from it).
fn records(site: &Site) -> impl Iterator<Item = Record> + '_ {
    records_in(site, 0..usize::MAX)
}

/// The records at positions `want` of [`records`], made only for those.
fn records_in(site: &Site, want: std::ops::Range<usize>) -> impl Iterator<Item = Record> + '_ {
    // Each kind's share of `want`, in the order of the list.
    let mut at = 0;
    let mut cut = |len: usize| {
        let share = want.start.saturating_sub(at).min(len)..want.end.saturating_sub(at).min(len);
        at += len;
        share
    };
    let (o, p, a, s, e, g) = (
        cut(site.orders.len()),
        cut(site.provisions.len()),
        cut(site.agencies.len()),
        cut(site.sources.len()),
        cut(site.events.len()),
        cut(site.pages.len()),
    );
    let orders = site.orders[o].iter().map(|o| {
        let extra = [
            o.short_title.as_deref(),
            o.summary.as_deref(),
            Some(o.issuer.as_str()),
        ];
        record(Kind::Order, "Order", &o.meta, extra.into_iter().flatten())
    });
    let provisions = site.provisions[p].iter().map(move |p| {
        let mut extra = vec![p.summary.as_str()];
        for a in p.agencies.iter().filter_map(|a| site.agency(a)) {
            extra.push(&a.meta.title);
            extra.extend(a.acronym.as_deref());
        }
        extra.extend(p.deadlines.iter().map(|d| d.action.as_str()));
        record(Kind::Provision, "Provision", &p.meta, extra)
    });
    let agencies = site.agencies[a]
        .iter()
        .map(|a| record(Kind::Agency, "Agency", &a.meta, a.acronym.as_deref()));
    let sources = site.sources[s]
        .iter()
        .map(|s| record(Kind::Source, "Source", &s.meta, [s.publisher.as_str()]));
    let events = site.events[e]
        .iter()
        .map(|e| record(Kind::Event, "Event", &e.meta, []));
    let pages = site.pages[g]
        .iter()
        .map(|p| record(Kind::Page, "Page", &p.meta, []));
    orders
        .chain(provisions)
        .chain(agencies)
        .chain(sources)
        .chain(events)
        .chain(pages)
}

/// An entity's record: its title, `extra` text, and body text.
fn record<'a>(
    kind: Kind,
    label: &'static str,
    meta: &'a Meta,
    extra: impl IntoIterator<Item = &'a str>,
) -> Record {
    let mut text = meta.title.clone();
    for x in extra {
        text.push_str(". ");
        text.push_str(x);
    }
    let body = plain_text(&without_citations(&meta.body_html));
    if !body.is_empty() {
        text.push_str(". ");
        text.push_str(&body);
    }
    Record {
        // Pagefind's UI puts the bundle's own base path in front of these.
        url: kind.path_of(&meta.id),
        text,
        title: meta.title.clone(),
        kind: label,
    }
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
