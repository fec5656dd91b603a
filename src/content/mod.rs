//! Loading: walk `content/`, split each file into front matter and body, and
//! parse the front matter into the raw struct of its kind.
//!
//! Nothing here checks references; that is [`crate::resolve`]'s job.

pub mod raw;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use serde::Serialize;

use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Pos};
use crate::yaml::Spans;
use raw::RawFrontMatter;

pub const CONTENT_DIR: &str = "content";

/// The six kinds of content; each lives in its own folder of `content/`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Order,
    Provision,
    Agency,
    Source,
    Event,
    Page,
}

impl Kind {
    pub const ALL: [Kind; 6] = [
        Kind::Order,
        Kind::Provision,
        Kind::Agency,
        Kind::Source,
        Kind::Event,
        Kind::Page,
    ];

    /// The folder under `content/` and the URL segment (`orders`).
    pub fn folder(self) -> &'static str {
        match self {
            Kind::Order => "orders",
            Kind::Provision => "provisions",
            Kind::Agency => "agencies",
            Kind::Source => "sources",
            Kind::Event => "events",
            Kind::Page => "pages",
        }
    }

    /// The singular name used in messages, `[[kind/id]]` and `gazette new`.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Order => "order",
            Kind::Provision => "provision",
            Kind::Agency => "agency",
            Kind::Source => "source",
            Kind::Event => "event",
            Kind::Page => "page",
        }
    }

    /// "an order", "a provision": for messages.
    pub fn article(self) -> &'static str {
        match self {
            Kind::Order | Kind::Agency | Kind::Event => "an",
            _ => "a",
        }
    }

    pub fn plural_label(self) -> &'static str {
        match self {
            Kind::Order => "Orders",
            Kind::Provision => "Provisions",
            Kind::Agency => "Agencies",
            Kind::Source => "Sources",
            Kind::Event => "Events",
            Kind::Page => "Pages",
        }
    }

    pub fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL
            .into_iter()
            .find(|k| k.name() == name || k.folder() == name)
    }

    /// The site path of an entity of this kind: `/orders/ID/`, or `/ID/` for pages.
    pub fn path_of(self, id: &str) -> String {
        match self {
            Kind::Page => format!("/{id}/"),
            _ => format!("/{}/{id}/", self.folder()),
        }
    }
}

/// One content file, split and parsed but not yet resolved.
#[derive(Debug)]
pub struct Document {
    pub kind: Kind,
    pub id: String,
    /// Path relative to the site root, as shown in messages.
    pub path: PathBuf,
    pub text: String,
    /// Where each line of `text` starts, found only when a message needs it.
    lines: std::sync::OnceLock<LineIndex>,
    /// Byte offset of the Markdown body in `text`.
    pub body_start: usize,
    /// Byte range of the front matter's YAML in `text`, and its first line.
    yaml: (usize, usize),
    first_line: usize,
    /// Where each front-matter value is, found only when a message needs
    /// it: most files never have one, and a map per file was the largest
    /// part of a loaded site.
    spans: std::sync::OnceLock<Spans>,
    /// A hash of `text`, made when the dev server's cache first asks: a
    /// document kept from one rebuild to the next is hashed once.
    text_hash: std::sync::OnceLock<u64>,
    pub front: RawFrontMatter,
}

impl Document {
    pub fn body(&self) -> &str {
        &self.text[self.body_start..]
    }

    /// A hash of the file's text.
    pub fn text_hash(&self) -> u64 {
        *self.text_hash.get_or_init(|| {
            use std::hash::{Hash, Hasher};
            let mut h = std::collections::hash_map::DefaultHasher::new();
            self.text.hash(&mut h);
            h.finish()
        })
    }

    /// Where each line of the file starts.
    pub fn lines(&self) -> &LineIndex {
        self.lines.get_or_init(|| LineIndex::new(&self.text))
    }

    /// Where each front-matter value starts, by path.
    pub fn spans(&self) -> &Spans {
        self.spans
            .get_or_init(|| Spans::of(&self.text[self.yaml.0..self.yaml.1], self.first_line))
    }

    /// A diagnostic at `pos` in this file, with the line shown.
    pub fn error(&self, pos: Option<Pos>, message: impl Into<String>) -> Diagnostic {
        Diagnostic::error(&self.path, pos, message).with_source(&self.text, self.lines())
    }

    /// A diagnostic at the front-matter value `path` (`deadlines.0.agency`).
    pub fn error_at(&self, path: &str, message: impl Into<String>) -> Diagnostic {
        self.error(self.spans().get(path), message)
    }
}

/// The text of `content/_index.md` (the home page), with its position data.
#[derive(Debug, Default)]
pub struct HomeText {
    pub path: PathBuf,
    pub text: String,
    pub body_start: usize,
}

/// Everything read from `content/`, file by file.
///
/// It is also a cache: [`Content::refresh`] re-reads only the files whose size
/// or modification time changed, so the dev server reloads one edited file,
/// not the whole folder.
#[derive(Debug, Default)]
pub struct Content {
    files: BTreeMap<PathBuf, (Stamp, Loaded)>,
    /// Problems walking the folder itself.
    walk_errors: Vec<Diagnostic>,
}

/// What identifies a version of a file on disk.
type Stamp = (Option<std::time::SystemTime>, u64);

impl Content {
    /// Every document, in path order.
    pub fn documents(&self) -> impl Iterator<Item = &Document> {
        self.files.values().filter_map(|(_, l)| match l {
            Loaded::Document(d) => Some(d.as_ref()),
            _ => None,
        })
    }

    /// The home page text, from `content/_index.md`.
    pub fn home(&self) -> Option<&HomeText> {
        self.files.values().find_map(|(_, l)| match l {
            Loaded::Home(h) => Some(h.as_ref()),
            _ => None,
        })
    }

    /// Problems found reading the files.
    pub fn diagnostics(&self) -> Diagnostics {
        let mut diags = Diagnostics::new();
        for d in &self.walk_errors {
            diags.push(d.clone());
        }
        for (_, l) in self.files.values() {
            if let Loaded::Failed(d) | Loaded::Broken(_, _, d) = l {
                diags.push(Diagnostic::clone(d));
            }
        }
        diags
    }

    /// The kind and id of every file that failed to parse.
    pub fn broken(&self) -> impl Iterator<Item = (Kind, &str)> {
        self.files.values().filter_map(|(_, l)| match l {
            Loaded::Broken(kind, id, _) => Some((*kind, id.as_str())),
            _ => None,
        })
    }

    /// The document read from `key` (a path as [`Refreshed`] gives it).
    pub fn document_at(&self, key: &Path) -> Option<&Document> {
        match self.files.get(key) {
            Some((_, Loaded::Document(d))) => Some(d),
            _ => None,
        }
    }

    /// Bring the content up to date with `root/content`: read new and changed
    /// files, forget deleted ones.
    pub fn refresh(&mut self, root: &Path) -> Refreshed {
        let content_dir = root.join(CONTENT_DIR);
        let mut walk_errors = Vec::new();
        if !content_dir.is_dir() {
            walk_errors.push(Diagnostic::error(
                CONTENT_DIR,
                None,
                format!("no content folder at {}", content_dir.display()),
            ));
        }
        let mut found = Vec::new();
        if content_dir.is_dir() {
            // Hidden folders (an editor's .obsidian/, .git/) are not content.
            let walk = walkdir::WalkDir::new(&content_dir)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|e| {
                    e.depth() == 0 || !e.file_name().to_string_lossy().starts_with('.')
                });
            for entry in walk {
                match entry {
                    Ok(e) if e.file_type().is_file() => found.push(e.into_path()),
                    Ok(e) if e.file_type().is_dir() => {}
                    Ok(e) => {
                        let name = e.file_name().to_string_lossy();
                        if !is_ignored(&name) {
                            walk_errors.push(not_regular(root, &e));
                        }
                    }
                    Err(e) => {
                        let path = e
                            .path()
                            .map_or_else(|| content_dir.clone(), Path::to_path_buf);
                        walk_errors.push(Diagnostic::error(
                            relative(root, &path),
                            None,
                            format!("cannot read: {e}"),
                        ));
                    }
                }
            }
        }
        // Files are stamped and read many at once: most of them wait on the
        // disk when the cache is cold (see `crate::fs::DISK_READERS`).
        let readers = crate::fs::disk_readers("read").ok();
        let on_disk: BTreeMap<PathBuf, Stamp> = on(readers.as_ref(), || {
            found
                .into_par_iter()
                .map(|path| {
                    let stamp = stamp_of(&path);
                    (path, stamp)
                })
                .collect()
        });
        let before = self.files.len();
        self.files.retain(|path, _| on_disk.contains_key(path));
        let mut refreshed = Refreshed {
            other: self.files.len() != before || walk_errors != self.walk_errors,
            ..Refreshed::default()
        };
        self.walk_errors = walk_errors;
        let stale: Vec<(PathBuf, Stamp)> = on_disk
            .into_iter()
            .filter(|(path, stamp)| self.files.get(path).is_none_or(|(old, _)| old != stamp))
            .collect();
        on(readers.as_ref(), || {
            self.reload(root, stale, &mut refreshed)
        });
        refreshed
    }

    /// [`Content::refresh`] for a change to the files at `paths` (absolute, as
    /// the file watcher reports them) and nothing else, without walking the
    /// folder. None when the paths do not settle it (a folder, a link, a file
    /// in a folder not seen before): then walk.
    pub fn refresh_files(&mut self, root: &Path, paths: &[PathBuf]) -> Option<Refreshed> {
        // A file that failed stays reported until the walk no longer finds it.
        let failing = self
            .files
            .values()
            .any(|(_, l)| matches!(l, Loaded::Failed(_) | Loaded::Broken(..)));
        if !self.walk_errors.is_empty() || failing {
            return None;
        }
        let content_dir = root.join(CONTENT_DIR);
        let absolute = content_dir.canonicalize().ok()?;
        let mut stale = Vec::new();
        let mut gone = Vec::new();
        for path in paths {
            let rel = path.strip_prefix(&absolute).ok()?;
            let key = content_dir.join(rel);
            // Hidden files and folders are not content (see `refresh`).
            if rel
                .components()
                .any(|c| c.as_os_str().to_string_lossy().starts_with('.'))
            {
                continue;
            }
            match std::fs::symlink_metadata(&key) {
                Ok(m) if m.is_file() => {
                    // A new file in a folder the walk never saw may sit below
                    // a link or a hidden folder: the walk decides.
                    let known = self.files.contains_key(&key);
                    let siblings = || self.files.keys().filter(|k| k.parent() == key.parent());
                    if !known && siblings().next().is_none() {
                        return None;
                    }
                    // A new name that differs from a known one only in case:
                    // a rename on a case-insensitive disk, where both names
                    // answer. The walk sees which one the folder holds.
                    let lower =
                        |p: &Path| p.file_name().map(|n| n.to_string_lossy().to_lowercase());
                    if !known && siblings().any(|k| lower(k) == lower(&key)) {
                        return None;
                    }
                    let stamp = stamp(&m);
                    if self.files.get(&key).is_none_or(|(old, _)| *old != stamp) {
                        stale.push((key, stamp));
                    }
                }
                // A folder moved away: the walk finds what went with it.
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                    if !self.files.contains_key(&key)
                        && self.files.keys().any(|k| k.starts_with(&key))
                    {
                        return None;
                    }
                    gone.push(key);
                }
                _ => return None,
            }
        }
        let mut refreshed = Refreshed::default();
        for key in gone {
            refreshed.other |= self.files.remove(&key).is_some();
        }
        stale.sort();
        stale.dedup();
        self.reload(root, stale, &mut refreshed);
        Some(refreshed)
    }

    /// Read the `stale` files again, noting in `refreshed` what they replaced.
    fn reload(&mut self, root: &Path, stale: Vec<(PathBuf, Stamp)>, refreshed: &mut Refreshed) {
        let content_dir = root.join(CONTENT_DIR);
        let loaded: Vec<(PathBuf, Stamp, Loaded)> = stale
            .into_par_iter()
            .map(|(path, stamp)| {
                let l = load_file(root, &content_dir, &path);
                (path, stamp, l)
            })
            .collect();
        for (path, stamp, l) in loaded {
            let is_document = matches!(l, Loaded::Document(_));
            match self.files.insert(path.clone(), (stamp, l)) {
                Some((_, Loaded::Document(old))) if is_document => {
                    refreshed.replaced.push((path, old));
                }
                _ => refreshed.other = true,
            }
        }
    }
}

/// A file's write time and length, links not followed; `(None, 0)` when it
/// is gone since the walk.
fn stamp_of(path: &Path) -> Stamp {
    std::fs::symlink_metadata(path).map_or((None, 0), |m| stamp(&m))
}

/// What tells a file's versions apart: its write time and length.
fn stamp(m: &std::fs::Metadata) -> Stamp {
    (m.modified().ok(), m.len())
}

/// Run `f` on `pool` when there is one, else here.
fn on<R: Send>(pool: Option<&rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(f),
        None => f(),
    }
}

/// What a refresh of the content changed.
#[derive(Debug, Default)]
pub struct Refreshed {
    /// Documents read again, by key (see [`Content::document_at`]), each with
    /// the document it replaced.
    pub replaced: Vec<(PathBuf, Box<Document>)>,
    /// Anything else: files added, removed or failing, the home page's text.
    pub other: bool,
}

impl Content {
    /// Content from files in memory, each `(path under content/, bytes)`:
    /// what a walk of `content/` would load, for fuzzing and tests.
    pub fn from_memory<'a>(files: impl IntoIterator<Item = (&'a str, &'a [u8])>) -> Content {
        let mut content = Content::default();
        for (rel, bytes) in files {
            let rel = PathBuf::from(rel);
            let shown = Path::new(CONTENT_DIR).join(&rel);
            let loaded = load_bytes(shown.clone(), &rel, bytes.to_vec());
            content.files.insert(shown, ((None, 0), loaded));
        }
        content
    }
}

/// Walk `root/content`, reading every `.md`, `.yaml` and `.yml` file; problems
/// are in [`Content::diagnostics`].
pub fn load(root: &Path) -> Content {
    let mut content = Content::default();
    content.refresh(root);
    content
}

#[derive(Debug)]
/// Its variants are boxed: one is held per file, and a large site's map of
/// files was tens of megabytes of room for messages it never had.
enum Loaded {
    Document(Box<Document>),
    Home(Box<HomeText>),
    Skipped,
    Failed(Box<Diagnostic>),
    /// A file of a known kind and id that failed to parse: it still claims
    /// its id, so that references to it are not reported as well.
    Broken(Kind, String, Box<Diagnostic>),
}

fn failed(d: Diagnostic) -> Loaded {
    Loaded::Failed(Box::new(d))
}

/// A link, FIFO, socket or device in content/: refused, never silently skipped.
/// Links are refused because they can bring in files from outside the site.
fn not_regular(root: &Path, e: &walkdir::DirEntry) -> Diagnostic {
    let what = if e.path_is_symlink() {
        "a symbolic link"
    } else {
        "not a regular file or folder"
    };
    Diagnostic::error(
        relative(root, e.path()),
        None,
        format!("this is {what}: content/ holds only regular files and folders"),
    )
    .with_help(Some("copy the file into content/ instead".into()))
}

fn relative(root: &Path, path: &Path) -> PathBuf {
    path.strip_prefix(root).unwrap_or(path).to_path_buf()
}

/// Hidden files and editors' temporary files are not content (the file
/// watcher ignores the same ones).
fn is_ignored(name: &str) -> bool {
    name.starts_with('.') || crate::fs::is_editor_temporary(name)
}

fn load_file(root: &Path, content_dir: &Path, path: &Path) -> Loaded {
    let shown = relative(root, path);
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    if is_ignored(name) {
        return Loaded::Skipped;
    }
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let is_yaml = matches!(ext, "yaml" | "yml");
    if !is_yaml && ext != "md" {
        return failed(
            Diagnostic::error(&shown, None, format!("`{name}` is not a content file")).with_help(
                Some("content files end in .md, .yaml or .yml; put other files in static/".into()),
            ),
        );
    }
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) => {
            return failed(Diagnostic::error(
                &shown,
                None,
                format!("cannot read file: {e}"),
            ))
        }
    };
    let rel = path.strip_prefix(content_dir).unwrap_or(path);
    load_bytes(shown, rel, bytes)
}

/// Parse the bytes of the content file at `path` (relative to `content/`),
/// shown in messages as `shown`.
fn load_bytes(shown: PathBuf, path: &Path, bytes: Vec<u8>) -> Loaded {
    // Ids and addresses are made from names: one that is not text would
    // otherwise lose its name and be reported as in no kind's folder.
    if path.to_str().is_none() {
        return failed(
            Diagnostic::error(&shown, None, "this name is not valid UTF-8 text")
                .with_help(Some("rename the file: its name becomes its id".into())),
        );
    }
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default();
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let is_yaml = matches!(ext, "yaml" | "yml");
    let text = match decode_text(bytes, &shown) {
        Ok(t) => t,
        Err(d) => return failed(d),
    };
    let mut parts: Vec<&str> = path.iter().filter_map(|p| p.to_str()).collect();
    parts.pop();
    if parts.is_empty() && name == "_index.md" {
        let lines = LineIndex::new(&text);
        return match split_front_matter(&text) {
            Ok((_, body_start)) => Loaded::Home(Box::new(HomeText {
                path: shown,
                body_start,
                text,
            })),
            Err((pos, msg)) => {
                failed(Diagnostic::error(&shown, Some(pos), msg).with_source(&text, &lines))
            }
        };
    }
    if name.starts_with('_') {
        return Loaded::Skipped;
    }
    let Some(kind) = parts
        .first()
        .and_then(|f| Kind::ALL.into_iter().find(|k| k.folder() == *f))
    else {
        let folders: Vec<&str> = Kind::ALL.iter().map(|k| k.folder()).collect();
        let help = parts
            .first()
            .and_then(|f| crate::diagnostics::did_you_mean(f, folders.iter().copied()))
            .or_else(|| {
                Some(format!(
                    "content files go in one of: {}",
                    folders.join(", ")
                ))
            });
        return failed(
            Diagnostic::error(
                &shown,
                Some(Pos::new(1, 1)),
                "this file is not in a content kind's folder",
            )
            .with_help(help),
        );
    };
    let stem = path
        .file_stem()
        .and_then(|s| s.to_str())
        .unwrap_or_default();
    if let Err(msg) = check_slug(stem) {
        return failed(
            Diagnostic::error(&shown, Some(Pos::new(1, 1)), msg).with_help(Some(format!(
                "rename the file to `{}.{ext}`",
                slugify(stem)
            ))),
        );
    }
    match parse_document(kind, stem.to_string(), shown, text, is_yaml) {
        Loaded::Failed(d) => Loaded::Broken(kind, stem.to_string(), d),
        loaded => loaded,
    }
}

/// Read a content or configuration file as text: UTF-8, with no control
/// characters (they are not allowed in XML, HTML or iCalendar output).
pub fn read_text(path: &Path, shown: &Path) -> Result<String, Diagnostic> {
    let bytes = std::fs::read(path)
        .map_err(|e| Diagnostic::error(shown, None, format!("cannot read file: {e}")))?;
    decode_text(bytes, shown)
}

/// [`read_text`] of bytes already read.
pub fn decode_text(bytes: Vec<u8>, shown: &Path) -> Result<String, Diagnostic> {
    let text = String::from_utf8(bytes).map_err(|e| {
        let valid = &e.as_bytes()[..e.utf8_error().valid_up_to()];
        let text = String::from_utf8_lossy(valid);
        let pos = LineIndex::new(&text).pos(&text, text.len());
        Diagnostic::error(shown, Some(pos), "file is not valid UTF-8 text")
            .with_help(Some("save the file as UTF-8".into()))
    })?;
    if let Some((at, c)) = text.char_indices().find(|&(_, c)| is_forbidden_char(c)) {
        let lines = LineIndex::new(&text);
        return Err(Diagnostic::error(
            shown,
            Some(lines.pos(&text, at)),
            format!(
                "invisible control character U+{:04X} in the text",
                u32::from(c)
            ),
        )
        .with_source(&text, &lines)
        .with_help(Some(
            "delete it (it often comes from copying out of a PDF or a word processor)".into(),
        )));
    }
    Ok(text)
}

/// Control characters other than tab and line ends, and the two noncharacters
/// XML refuses.
fn is_forbidden_char(c: char) -> bool {
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r')) || matches!(c, '\u{fffe}' | '\u{ffff}')
}

fn parse_document(kind: Kind, id: String, path: PathBuf, text: String, is_yaml: bool) -> Loaded {
    let lines = || LineIndex::new(&text);
    let (yaml_range, body_start, first_line) = if is_yaml {
        ((0, text.len()), text.len(), 1)
    } else {
        match split_front_matter(&text) {
            Ok((Some(range), body)) => (range, body, 2),
            Ok((None, _)) => {
                return failed(
                    Diagnostic::error(&path, Some(Pos::new(1, 1)), "missing front matter")
                        .with_source(&text, &lines())
                        .with_help(Some(format!(
                            "start the file with a `---` line, the {} fields in YAML, and another `---` line",
                            kind.name()
                        ))),
                )
            }
            Err((pos, msg)) => {
                return failed(
                    Diagnostic::error(&path, Some(pos), msg).with_source(&text, &lines()),
                )
            }
        }
    };
    let yaml_text = &text[yaml_range.0..yaml_range.1];
    let what = format!("{} {}", kind.article(), kind.name());
    let front = match RawFrontMatter::parse(kind, yaml_text, first_line, &what) {
        Ok(f) => f,
        Err(e) => {
            return failed(
                Diagnostic::error(&path, e.pos, e.message)
                    .with_help(e.help)
                    .with_source(&text, &lines()),
            )
        }
    };
    Loaded::Document(Box::new(Document {
        kind,
        id,
        path,
        text,
        lines: std::sync::OnceLock::new(),
        body_start,
        yaml: yaml_range,
        first_line,
        spans: std::sync::OnceLock::new(),
        text_hash: std::sync::OnceLock::new(),
        front,
    }))
}

type Split = (Option<(usize, usize)>, usize);

/// Find `---` front matter: the byte range of its YAML and where the body starts.
fn split_front_matter(text: &str) -> Result<Split, (Pos, String)> {
    let text_no_bom = text.strip_prefix('\u{feff}').unwrap_or(text);
    let bom = text.len() - text_no_bom.len();
    let first = text_no_bom.lines().next().unwrap_or_default();
    if first.trim_end() != "---" {
        return Ok((None, 0));
    }
    let yaml_start = bom
        + first.len()
        + if text_no_bom[first.len()..].starts_with("\r\n") {
            2
        } else {
            1
        };
    let mut offset = yaml_start.min(text.len());
    for line in text[offset..].split_inclusive('\n') {
        let trimmed = line.trim_end();
        if trimmed == "---" || trimmed == "..." {
            return Ok((Some((yaml_start, offset)), offset + line.len()));
        }
        offset += line.len();
    }
    Err((
        Pos::new(1, 1),
        "front matter is not closed: add a `---` line after the last field".into(),
    ))
}

/// Ids are file stems: lowercase letters, digits and single hyphens.
pub fn check_slug(s: &str) -> Result<(), String> {
    let ok = !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !s.starts_with('-')
        && !s.ends_with('-')
        && !s.contains("--");
    if ok {
        Ok(())
    } else {
        Err(format!(
            "`{s}` is not a valid id: use lowercase letters, digits and single hyphens"
        ))
    }
}

/// A best-effort slug of `s`, for suggestions.
pub fn slugify(s: &str) -> String {
    let mut out = String::new();
    for c in s.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn front_matter_split() {
        let t = "---\ntitle: A\n---\nBody\n";
        let (range, body) = split_front_matter(t).unwrap();
        let (a, b) = range.unwrap();
        assert_eq!(&t[a..b], "title: A\n");
        assert_eq!(&t[body..], "Body\n");
        assert!(split_front_matter("---\ntitle: A\n").is_err());
        assert_eq!(split_front_matter("# Hi").unwrap().0, None);
    }

    #[test]
    fn slugs() {
        assert!(check_slug("ai-clearinghouse-2").is_ok());
        assert!(check_slug("Bad_Id").is_err());
        assert!(check_slug("a--b").is_err());
        assert_eq!(slugify("Bad_Id  2"), "bad-id-2");
    }
}
