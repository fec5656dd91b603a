//! File-system helpers whose errors always name the path involved.

use std::fmt;
use std::io;
use std::path::{Path, PathBuf};

/// Editors' swap, backup and lock files: never content, and no reason to rebuild.
pub fn is_editor_temporary(name: &str) -> bool {
    name.starts_with(".#")
        || name.starts_with('#')
        || name.ends_with('~')
        || name.ends_with(".swp")
        || name.ends_with(".swx")
        || name.ends_with(".swo")
        || name.ends_with(".tmp")
        || name.ends_with(".kate-swp")
        || name == "4913"
        || name == ".DS_Store"
}

/// Threads that read many files or folders at once. A read waits on the
/// disk when its block is not cached, which on a machine that keeps little
/// page cache is most of them after a while. With 16 threads, a
/// 100,000-provision rebuild listing its spare tree went from 73-97 s to
/// 38-43 s, and loading 10,000 content files from 0.9 s to 0.4 s: most of
/// the threads wait while the cores parse what has arrived.
pub const DISK_READERS: usize = 16;

/// A pool of [`DISK_READERS`] threads named `gazette-{name}-N`.
pub fn disk_readers(name: &'static str) -> io::Result<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(DISK_READERS)
        .thread_name(move |i| format!("gazette-{name}-{i}"))
        .build()
        .map_err(io::Error::other)
}

/// An I/O failure on a named path.
#[derive(Debug)]
pub struct FsError {
    pub path: PathBuf,
    pub action: &'static str,
    pub source: io::Error,
}

impl fmt::Display for FsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "cannot {} {}: {}",
            self.action,
            self.path.display(),
            self.source
        )
    }
}

impl std::error::Error for FsError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.source)
    }
}

fn err<'p>(action: &'static str, path: &'p Path) -> impl FnOnce(io::Error) -> FsError + 'p {
    move |source| FsError {
        path: path.to_path_buf(),
        action,
        source,
    }
}

pub fn read(path: &Path) -> Result<Vec<u8>, FsError> {
    std::fs::read(path).map_err(err("read", path))
}

/// Write `contents`, creating parent folders first.
pub fn write(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), FsError> {
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    std::fs::write(path, contents).map_err(err("write", path))
}

/// Write `contents` only when `path` does not exist yet.
pub fn write_new(path: &Path, contents: impl AsRef<[u8]>) -> Result<(), FsError> {
    use std::io::Write;
    if let Some(parent) = path.parent() {
        create_dir_all(parent)?;
    }
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(path)
        .map_err(err("create", path))?;
    file.write_all(contents.as_ref())
        .map_err(err("write", path))
}

pub fn create_dir_all(path: &Path) -> Result<(), FsError> {
    std::fs::create_dir_all(path).map_err(err("create folder", path))
}

/// Copy a file, creating the destination's parent folders.
pub fn copy(from: &Path, to: &Path) -> Result<(), FsError> {
    if let Some(parent) = to.parent() {
        create_dir_all(parent)?;
    }
    std::fs::copy(from, to)
        .map(|_| ())
        .map_err(err("copy", from))
}

pub fn rename(from: &Path, to: &Path) -> Result<(), FsError> {
    std::fs::rename(from, to).map_err(err("move", from))
}

pub fn remove_dir_all(path: &Path) -> Result<(), FsError> {
    std::fs::remove_dir_all(path).map_err(err("remove", path))
}

/// True when `path` is a folder with at least one entry.
pub fn is_non_empty_dir(path: &Path) -> bool {
    std::fs::read_dir(path).is_ok_and(|mut d| d.next().is_some())
}
