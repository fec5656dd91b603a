//! Shared by the fuzz targets: a small base site, and the pipeline from
//! content in memory to rendered pages (load -> resolve -> render), as
//! `gazette build` runs it, without the disk.

// Each target uses one of the entry points below.
#![allow(dead_code)]

use gazette::build::{self, BuildOptions};
use gazette::config::Config;
use gazette::content::Content;
use gazette::render::{self, Templates};

pub const BASE: &[(&str, &str)] = &[
    (
        "orders/eo.md",
        "---\ntitle: The order\nissuer: The President\nsigned: 2026-06-02\nstatus: signed\nsources: [wh]\n---\nBody [@wh].\n",
    ),
    ("agencies/treasury.md", "---\ntitle: Treasury\n---\n"),
    (
        "sources/wh.md",
        "---\ntitle: Text\npublisher: The White House\nkind: primary\n---\n",
    ),
];

/// The content kinds' folders, for giving fuzz input a place.
pub const FOLDERS: [&str; 6] = [
    "orders",
    "provisions",
    "agencies",
    "sources",
    "events",
    "pages",
];

/// Load, resolve and render `files` (paths under content/) with BASE beside
/// them: the number of files rendered, or None when the content has errors.
pub fn run(files: &[(String, Vec<u8>)]) -> Option<usize> {
    let config =
        Config::parse("title: Fuzz\nas_of: 2026-07-01\nbase_url: https://example.org/kb/\n")
            .expect("the fuzz config parses");
    let all = BASE
        .iter()
        .map(|(p, t)| (*p, t.as_bytes()))
        .chain(files.iter().map(|(p, b)| (p.as_str(), b.as_slice())));
    let content = Content::from_memory(all);
    let opts = BuildOptions::new("/nonexistent-fuzz-root");
    let (site, diags) = build::resolve_content(&opts, &config, &content);
    if diags.has_errors() {
        return None;
    }
    let templates = Templates::load(&opts.root, "default", None).expect("built-in theme loads");
    let (files, diags) = render::render_site(&site, &templates);
    (!diags.has_errors()).then_some(files.len())
}

/// The `document` target's input: the first byte picks the kind, the rest
/// is the file.
pub fn document(data: &[u8]) -> Option<usize> {
    let (&pick, bytes) = data.split_first()?;
    let folder = FOLDERS[usize::from(pick) % FOLDERS.len()];
    run(&[(format!("{folder}/fuzzed.md"), bytes.to_vec())])
}

/// The `site` target's input: files split at 0xFF bytes, one per kind.
pub fn site(data: &[u8]) -> Option<usize> {
    let files: Vec<(String, Vec<u8>)> = data
        .split(|b| *b == 0xFF)
        .take(FOLDERS.len())
        .zip(FOLDERS)
        .enumerate()
        .map(|(i, (bytes, folder))| (format!("{folder}/f{i}.md"), bytes.to_vec()))
        .collect();
    run(&files)
}
