//! Helpers shared by the whole-site tests: copy a fixture site into a temp
//! folder, run the real `gazette` binary on it, read and parse its pages.

#![allow(dead_code)]

pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::Command;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Copy `tests/sites/NAME` (or any folder) into a fresh temp dir; returns (guard, site root).
pub fn copy_site(src: &Path) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    copy_dir(src, &root);
    (tmp, root)
}

pub fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/sites")
        .join(name)
}

pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

pub fn copy_dir(src: &Path, dst: &Path) {
    for entry in walkdir::WalkDir::new(src) {
        let entry = entry.expect("walk");
        let rel = entry.path().strip_prefix(src).expect("prefix");
        let target = dst.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).expect("mkdir");
        } else {
            std::fs::copy(entry.path(), &target).expect("copy");
        }
    }
}

/// Copy only what makes the shipped site (not target/ or public/).
pub fn copy_shipped_site() -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().expect("temp dir");
    let root = tmp.path().join("site");
    std::fs::create_dir_all(&root).expect("mkdir");
    let repo = repo_root();
    std::fs::copy(repo.join("site.yaml"), root.join("site.yaml")).expect("site.yaml");
    for dir in ["content", "themes", "templates", "static"] {
        if repo.join(dir).is_dir() {
            copy_dir(&repo.join(dir), &root.join(dir));
        }
    }
    (tmp, root)
}

pub fn gazette(args: &[&str], cwd: &Path) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(args)
        .current_dir(cwd)
        .env("NO_COLOR", "1")
        .output()
        .expect("run gazette");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("read {}: {e}", path.display()))
}

pub fn html(path: &Path) -> scraper::Html {
    scraper::Html::parse_document(&read(path))
}

/// Text of every element matching `selector`, whitespace collapsed.
pub fn texts(doc: &scraper::Html, selector: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .map(|e| {
            e.text()
                .collect::<String>()
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect()
}

pub fn attrs(doc: &scraper::Html, selector: &str, attr: &str) -> Vec<String> {
    let sel = scraper::Selector::parse(selector).expect("selector");
    doc.select(&sel)
        .filter_map(|e| e.value().attr(attr).map(str::to_string))
        .collect()
}

/// Every file under `dir`, relative, sorted.
pub fn files(dir: &Path) -> Vec<PathBuf> {
    let mut out: Vec<PathBuf> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| e.path().strip_prefix(dir).expect("prefix").to_path_buf())
        .collect();
    out.sort();
    out
}

/// Check that every internal `href` and `src` of every page resolves to a file
/// of `public`, given the site's base path. Returns the broken ones.
pub fn broken_links(public: &Path, base_path: &str) -> Vec<String> {
    let mut broken = Vec::new();
    for rel in files(public) {
        if rel.extension().and_then(|e| e.to_str()) != Some("html") {
            continue;
        }
        let doc = html(&public.join(&rel));
        let sel = scraper::Selector::parse("[href], [src]").expect("selector");
        for el in doc.select(&sel) {
            for attr in ["href", "src"] {
                let Some(link) = el.value().attr(attr) else {
                    continue;
                };
                let scheme = link.split_once(':').map(|(s, _)| s).unwrap_or_default();
                if !scheme.is_empty()
                    && scheme
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
                {
                    continue; // http:, https:, mailto:, webcal: ... leave the site
                }
                let path = link.split('#').next().unwrap_or_default();
                if path.is_empty() {
                    continue;
                }
                let Some(inside) = path.strip_prefix(base_path) else {
                    broken.push(format!(
                        "{}: {link} is outside the base path {base_path}",
                        rel.display()
                    ));
                    continue;
                };
                let mut target = public.join(inside);
                if path.ends_with('/') {
                    target = target.join("index.html");
                }
                if !target.is_file() {
                    broken.push(format!("{}: {link}", rel.display()));
                }
            }
        }
    }
    broken
}

/// A small valid site: an order, an agency, a source.
pub const BASE: &[(&str, &str)] = &[
    (
        "site.yaml",
        "title: Hardening\nas_of: 2026-07-01\nbase_url: https://example.org/\n",
    ),
    (
        "content/orders/eo.md",
        "---\ntitle: The order\nissuer: The President\nsigned: 2026-06-02\nstatus: signed\n---\n",
    ),
    (
        "content/agencies/treasury.md",
        "---\ntitle: Treasury\n---\n",
    ),
    (
        "content/sources/wh.md",
        "---\ntitle: Text\npublisher: The White House\nkind: primary\n---\n",
    ),
];

/// Provision `i` of the order `eo` in BASE: it tasks `agency` with two
/// deadlines (due `i + 1` and `i + 400` days after the signing) and changed
/// between two versions; `body` is its Markdown.
pub fn generated_provision(i: usize, agency: &str, body: &str) -> String {
    format!(
        "---\ntitle: Provision {i:03}\norder: eo\nagencies: [{agency}]\nsummary: S{i}.\nsources: [wh]\n\
         deadlines:\n  - id: d{i}-a\n    action: Report {i}\n    agency: {agency}\n    due: {{ within_days: {}, of: signing }}\n    sources: [wh]\n\
         \x20 - id: d{i}-b\n    action: Follow up {i}\n    agency: {agency}\n    due: {{ within_days: {}, of: signing }}\n    sources: [wh]\n\
         versions:\n  - id: draft\n    label: Draft\n    text: Review within 90 days.\n    sources: [wh]\n\
         \x20 - id: final\n    label: Final\n    text: Review within 30 days.\n    sources: [wh]\n---\n{body}\n",
        i + 1,
        i + 400
    )
}

/// A site of BASE with `agencies` agencies (`a00`, `a01`, ...) and
/// `provisions` provisions, provision `i` tasking agency `i mod agencies`
/// (each row of a list brings a new agency until they come round again),
/// lists cut at `page_size`.
pub fn many_agencies(
    agencies: usize,
    provisions: usize,
    page_size: usize,
) -> (tempfile::TempDir, PathBuf) {
    let config = format!("title: Agencies\nas_of: 2026-07-01\npage_size: {page_size}\n");
    let mut files: Vec<(String, String)> = vec![("site.yaml".into(), config)];
    for a in 0..agencies {
        files.push((
            format!("content/agencies/a{a:02}.md"),
            format!("---\ntitle: Agency {a}\n---\n"),
        ));
    }
    for i in 0..provisions {
        files.push((
            format!("content/provisions/p{i:03}.md"),
            generated_provision(i, &format!("a{:02}", i % agencies), "Body."),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    site(&files)
}

/// A site of BASE plus `files`, in a temp folder: (guard, site root).
pub fn site(files: &[(&str, &str)]) -> (tempfile::TempDir, PathBuf) {
    let bytes: Vec<(&str, &[u8])> = files.iter().map(|(p, t)| (*p, t.as_bytes())).collect();
    site_bytes(&bytes)
}

/// [`site`] with files given as bytes (which need not be UTF-8).
pub fn site_bytes(files: &[(&str, &[u8])]) -> (tempfile::TempDir, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let root = tmp.path().join("site");
    let base = BASE.iter().map(|(p, t)| (*p, t.as_bytes()));
    for (path, text) in base.chain(files.iter().copied()) {
        let p = root.join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    (tmp, root)
}

pub fn build(root: &Path) -> Run {
    gazette(&["build", "--root", root.to_str().unwrap()], root)
}

/// Error lines (`path:line:col: error: ...`) of a build that must fail.
pub fn errors(root: &Path) -> Vec<String> {
    let run = build(root);
    assert_eq!(
        run.code, 1,
        "expected failure:\n{}{}",
        run.stdout, run.stderr
    );
    assert!(
        !root.join("public").exists(),
        "a failed build writes nothing"
    );
    run.stderr
        .lines()
        .filter(|l| l.contains(": error: "))
        .map(str::to_string)
        .collect()
}
