//! Watching the site's files and sorting each change by what it needs.

use std::collections::BTreeSet;
use std::path::{Component, Path, PathBuf};
use std::sync::mpsc::{Receiver, Sender};
use std::time::{Duration, Instant};

use notify_debouncer_full::notify::event::{AccessKind, AccessMode, CreateKind, ModifyKind};
use notify_debouncer_full::notify::{EventKind, RecommendedWatcher, RecursiveMode};
use notify_debouncer_full::{new_debouncer, DebounceEventResult, Debouncer, RecommendedCache};

use super::session::ChangeKind;
use crate::config::CONFIG_FILE;

/// How long the debouncer waits for a burst of events (an editor's save) to
/// end. A save's events come within a millisecond or two (write, close,
/// rename); the wait is part of every save-to-reload, so it is kept short.
pub const DEBOUNCE: Duration = Duration::from_millis(30);

/// How long a batch waits for files still open for writing to be closed.
/// A save that truncates a file and writes it again (`std::fs::write`, many
/// editors) can straddle the debounce on a busy machine; building the empty
/// file in between would flash its errors. Editors close within milliseconds,
/// so the wait ends long before this unless a program keeps a file open (a
/// database in `static/`) or the file is one that is never closed after
/// writing (a link, a fifo): those batches wait the whole of it.
const WRITING_WAIT: Duration = Duration::from_secs(1);

/// Folders of a site that can hold watched files.
const WATCHED_DIRS: [&str; 4] = ["content", "templates", "static", "themes"];

/// What a batch of file events asks for.
#[derive(Debug, Default)]
pub struct Batch {
    pub kinds: BTreeSet<ChangeKind>,
    pub paths: Vec<PathBuf>,
    pub error: Option<String>,
    /// Files written to and not closed since, in this batch.
    pub open: BTreeSet<PathBuf>,
    /// Files closed after writing, in this batch.
    pub closed: BTreeSet<PathBuf>,
}

impl Batch {
    /// This batch followed by `next`.
    fn then(mut self, next: Batch) -> Batch {
        self.kinds.extend(next.kinds);
        self.paths.extend(next.paths);
        self.error = self.error.or(next.error);
        self.open.retain(|p| !next.closed.contains(p));
        self.open.extend(next.open);
        self.closed.extend(next.closed);
        self
    }

    /// Note what an event says about a file being written (inotify reports
    /// closes after writing; other systems do not, and nothing is held there).
    fn note_writing(&mut self, kind: &EventKind, path: &Path) {
        if !cfg!(target_os = "linux") {
            return;
        }
        match kind {
            EventKind::Create(CreateKind::File | CreateKind::Any)
            | EventKind::Modify(ModifyKind::Data(_) | ModifyKind::Any) => {
                self.open.insert(path.to_path_buf());
            }
            // A rename ends the writing under the old name as a close does
            // (the debouncer may report a temporary file's close under the
            // name it was renamed to).
            EventKind::Access(AccessKind::Close(AccessMode::Write))
            | EventKind::Remove(_)
            | EventKind::Modify(ModifyKind::Name(_)) => {
                self.open.remove(path);
                self.closed.insert(path.to_path_buf());
            }
            _ => {}
        }
    }
}

/// `batch`, with the batches that follow while a file in it is still open for
/// writing (up to [`WRITING_WAIT`]).
pub fn until_written(mut batch: Batch, rx: &Receiver<Batch>) -> Batch {
    let until = Instant::now() + WRITING_WAIT;
    while !batch.open.is_empty() && batch.error.is_none() {
        match rx.recv_timeout(until.saturating_duration_since(Instant::now())) {
            Ok(next) => batch = batch.then(next),
            Err(_) => break,
        }
    }
    batch
}

pub struct Watcher {
    debouncer: Debouncer<RecommendedWatcher, RecommendedCache>,
    root: PathBuf,
    watched: BTreeSet<PathBuf>,
}

impl Watcher {
    /// Watch `root`; batches of relevant changes are sent to `tx`.
    pub fn start(root: &Path, output: &Path, tx: Sender<Batch>) -> Result<Watcher, String> {
        let root_abs = root
            .canonicalize()
            .map_err(|e| format!("cannot watch {}: {e}", root.display()))?;
        let output = crate::output::absolute(output);
        let r = root_abs.clone();
        let debouncer = new_debouncer(DEBOUNCE, None, move |res: DebounceEventResult| {
            let batch = match res {
                Ok(events) => {
                    let mut b = Batch::default();
                    // Reading a file (our own builds do) is not a change.
                    let changes: Vec<_> = events
                        .into_iter()
                        .filter(|e| !is_read(&e.event.kind))
                        .collect();
                    // The system dropped events (its queue overflowed): which
                    // files changed is unknown, so everything is rebuilt.
                    if changes.iter().any(|e| e.event.need_rescan()) {
                        b.kinds.insert(ChangeKind::Config);
                    }
                    for event in changes {
                        for path in event.event.paths {
                            if let Some(kind) = classify(&r, &output, &path) {
                                b.note_writing(&event.event.kind, &path);
                                b.kinds.insert(kind);
                                b.paths.push(path);
                            }
                        }
                    }
                    b
                }
                Err(errors) => Batch {
                    error: Some(
                        errors
                            .iter()
                            .map(ToString::to_string)
                            .collect::<Vec<_>>()
                            .join("; "),
                    ),
                    ..Batch::default()
                },
            };
            if !batch.kinds.is_empty() || batch.error.is_some() {
                let _ = tx.send(batch);
            }
        })
        .map_err(|e| format!("cannot watch files: {e}"))?;
        let mut w = Watcher {
            debouncer,
            root: root_abs,
            watched: BTreeSet::new(),
        };
        w.debouncer
            .watch(&w.root, RecursiveMode::NonRecursive)
            .map_err(|e| format!("cannot watch {}: {e}", w.root.display()))?;
        w.watch_new_dirs();
        Ok(w)
    }

    /// Start watching site folders created since the last call (a new `templates/`).
    pub fn watch_new_dirs(&mut self) {
        for name in WATCHED_DIRS {
            let dir = self.root.join(name);
            if dir.is_dir()
                && !self.watched.contains(&dir)
                && self.debouncer.watch(&dir, RecursiveMode::Recursive).is_ok()
            {
                self.watched.insert(dir);
            }
        }
        self.watched.retain(|d| d.is_dir());
    }
}

/// Opening or reading a file (our own builds do) is not a change; closing one
/// after writing is.
fn is_read(kind: &EventKind) -> bool {
    matches!(kind, EventKind::Access(a) if !matches!(a, AccessKind::Close(AccessMode::Write)))
}

/// What kind of change a path is, or None when it does not matter.
pub fn classify(root: &Path, output: &Path, path: &Path) -> Option<ChangeKind> {
    if path.starts_with(output) {
        return None;
    }
    let rel = path.strip_prefix(root).ok()?;
    let name = rel.file_name()?.to_str()?;
    if crate::fs::is_editor_temporary(name) {
        return None;
    }
    let parts: Vec<&str> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    // Hidden folders (an editor's .obsidian/, .git/) are not read by builds.
    if parts[..parts.len().saturating_sub(1)]
        .iter()
        .any(|p| p.starts_with('.') && *p != ".well-known")
    {
        return None;
    }
    match parts.as_slice() {
        [f] if *f == CONFIG_FILE => Some(ChangeKind::Config),
        ["content", ..] => Some(ChangeKind::Content),
        [f] if *f == "content" => Some(ChangeKind::Content),
        ["templates", ..] => Some(ChangeKind::Template),
        ["static", ..] => Some(ChangeKind::Static),
        ["themes", _, "templates", ..] => Some(ChangeKind::Template),
        ["themes", _, "static", ..] => Some(ChangeKind::Static),
        // A whole theme folder moved in or out.
        ["themes", ..] => Some(ChangeKind::Template),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use notify_debouncer_full::notify::event::{DataChange, RenameMode};

    fn noted(events: &[(EventKind, &str)]) -> Batch {
        let mut b = Batch::default();
        for (kind, path) in events {
            b.note_writing(kind, Path::new(path));
            b.paths.push(PathBuf::from(path));
        }
        b
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn a_file_still_being_written_holds_its_batch_until_closed() {
        let modify = EventKind::Modify(ModifyKind::Data(DataChange::Any));
        let close = EventKind::Access(AccessKind::Close(AccessMode::Write));
        // Written and closed within the batch: nothing to wait for.
        assert!(
            noted(&[(modify, "/s/content/a.md"), (close, "/s/content/a.md")])
                .open
                .is_empty()
        );
        // Truncated in one batch, written and closed in the next: one batch.
        let first = noted(&[(modify, "/s/content/a.md"), (close, "/s/content/b.md")]);
        assert_eq!(first.open.len(), 1);
        let (tx, rx) = std::sync::mpsc::channel();
        tx.send(noted(&[
            (modify, "/s/content/a.md"),
            (close, "/s/content/a.md"),
        ]))
        .unwrap();
        tx.send(noted(&[(modify, "/s/content/c.md")])).unwrap();
        drop(tx);
        let merged = until_written(first, &rx);
        assert!(merged.open.is_empty(), "{:?}", merged.open);
        assert_eq!(merged.paths.len(), 4);
        // The batch after the close is not waited for.
        assert_eq!(rx.try_recv().map(|b| b.paths.len()).ok(), Some(1));
        // A file written, then renamed over the saved one, is not waited for.
        let rename = EventKind::Modify(ModifyKind::Name(RenameMode::Both));
        let saved = noted(&[
            (EventKind::Create(CreateKind::File), "/s/content/a.md.tmp"),
            (modify, "/s/content/a.md.tmp"),
            (rename, "/s/content/a.md.tmp"),
            (rename, "/s/content/a.md"),
        ]);
        assert!(saved.open.is_empty(), "{:?}", saved.open);
    }

    #[test]
    fn changes_are_sorted_by_kind() {
        let root = Path::new("/s");
        let out = Path::new("/s/public");
        let c = |p: &str| classify(root, out, Path::new(p));
        assert_eq!(c("/s/content/provisions/x.md"), Some(ChangeKind::Content));
        assert_eq!(c("/s/content"), Some(ChangeKind::Content));
        assert_eq!(c("/s/templates/page.html"), Some(ChangeKind::Template));
        assert_eq!(
            c("/s/themes/default/templates/base.html"),
            Some(ChangeKind::Template)
        );
        assert_eq!(
            c("/s/themes/default/static/style.css"),
            Some(ChangeKind::Static)
        );
        assert_eq!(c("/s/static/logo.png"), Some(ChangeKind::Static));
        assert_eq!(c("/s/site.yaml"), Some(ChangeKind::Config));
        assert_eq!(c("/s/public/index.html"), None);
        assert_eq!(c("/s/content/provisions/.x.md.swp"), None);
        assert_eq!(c("/s/content/provisions/x.md~"), None);
        assert_eq!(c("/s/content/4913"), None);
        assert_eq!(c("/s/README.md"), None);
    }
}
