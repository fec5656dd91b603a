//! Writing the built site safely.
//!
//! A build writes a complete new tree beside the output folder, then swaps it
//! in, so a failed build never leaves `public/` half-written. gazette marks
//! its output folders and never replaces a folder it did not create.

mod stamp;

use std::path::{Path, PathBuf};

use crate::content::CONTENT_DIR;
use crate::fs::{self, FsError};
use crate::render::{Contents, OutputFile};

/// The file that marks a folder as gazette's output.
pub const MARKER: &str = ".gazette-output";
const MARKER_TEXT: &str =
    "This folder is written by `gazette build`; it is replaced on every build.\n";

#[derive(Debug)]
pub enum OutputError {
    /// The output folder is not one gazette may write (message says why).
    Refused(String),
    Io(FsError),
}

impl std::fmt::Display for OutputError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            OutputError::Refused(m) => f.write_str(m),
            OutputError::Io(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for OutputError {}

impl From<FsError> for OutputError {
    fn from(e: FsError) -> Self {
        OutputError::Io(e)
    }
}

/// An absolute, normalized form of `p` (resolving `.` and `..` without touching the disk
/// for parts that do not exist yet).
pub fn absolute(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().unwrap_or_default().join(p)
    };
    // Canonicalize the longest existing ancestor, then append the rest.
    let mut existing = joined.as_path();
    let mut rest = Vec::new();
    while !existing.exists() {
        match (existing.parent(), existing.file_name()) {
            (Some(parent), Some(name)) => {
                rest.push(name.to_os_string());
                existing = parent;
            }
            _ => break,
        }
    }
    let mut out = std::fs::canonicalize(existing).unwrap_or_else(|_| existing.to_path_buf());
    for part in rest.iter().rev() {
        match part.to_str() {
            Some("..") => {
                out.pop();
            }
            Some(".") => {}
            _ => out.push(part),
        }
    }
    out
}

/// Refuse output folders that would put the site's own files at risk.
pub fn check_output_dir(
    root: &Path,
    output: &Path,
    allow_outside: bool,
) -> Result<(), OutputError> {
    let refuse = |m: String| Err(OutputError::Refused(m));
    if std::fs::symlink_metadata(output).is_ok_and(|m| m.file_type().is_symlink()) {
        return refuse(format!(
            "refusing to write to {}: it is a symbolic link; gazette replaces its output folder as a whole, so give it a real folder",
            output.display()
        ));
    }
    let root = absolute(root);
    let output = absolute(output);
    if output == root {
        return refuse(format!(
            "refusing to write the site into its own root folder {}",
            root.display()
        ));
    }
    if root.starts_with(&output) {
        return refuse(format!(
            "refusing to write into {}: it contains the site itself",
            output.display()
        ));
    }
    let content = root.join(CONTENT_DIR);
    if output.starts_with(&content) {
        return refuse(format!(
            "refusing to write into {}: it is inside content/",
            output.display()
        ));
    }
    for own in ["templates", "static", "themes"] {
        if output.starts_with(root.join(own)) {
            return refuse(format!(
                "refusing to write into {}: it is inside {own}/",
                output.display()
            ));
        }
    }
    if !output.starts_with(&root) && !allow_outside {
        return refuse(format!(
            "refusing to write outside the site folder: {} (pass --allow-outside to confirm)",
            output.display()
        ));
    }
    if fs::is_non_empty_dir(&output) && !output.join(MARKER).is_file() {
        return refuse(format!(
            "refusing to replace {}: it is not empty and was not created by gazette (no {MARKER} file); \
             remove it or choose another --output",
            output.display()
        ));
    }
    if output.exists() && !output.is_dir() {
        return refuse(format!("{} exists and is not a folder", output.display()));
    }
    Ok(())
}

/// A new output tree being written beside the output folder. Files are
/// written as they come (from many threads); [`Staging::commit`] swaps the
/// tree in; dropped without a commit, it is removed.
///
/// The tree is `.NAME.building-PID` beside the output folder. On Linux the
/// swap is one `renameat2(RENAME_EXCHANGE)`: at every instant `NAME` is
/// either the whole old site or the whole new one. Elsewhere (or on a file
/// system without it) it is two renames, with the old tree put back if the
/// second fails. Folders left by a build that was killed (their PID no
/// longer runs) are removed by the next build.
///
/// The replaced site is not deleted: it is kept as `.NAME.spare`, and the
/// next build writes over it in place, then deletes the files it did not
/// write. Deleting 40,000 files and creating 40,000 new ones costs far more
/// than overwriting them (on ext4 most of a 10,000-provision rebuild went to
/// inode allocation skipping the just-deleted inodes), and the build's result
/// no longer waits for a tree to be removed. The cost is a second copy of the
/// site on disk.
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    /// Folders known to exist (relative paths), so each is made once. A
    /// spare tree's folders are not listed: a file written where the spare
    /// tree had one is in a folder that exists.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
    /// When writing over a spare tree: its files, those this build has
    /// not written deleted at commit.
    stale: Option<SpareFiles>,
    committed: bool,
}

impl Staging {
    /// Make `.NAME.building-PID` beside `output`, marked as gazette's, after
    /// removing what killed builds left.
    pub fn create(output: &Path) -> Result<Staging, OutputError> {
        let output = absolute(output);
        let parent = output
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_else(|| PathBuf::from("."));
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_else(|| "public".into());
        fs::create_dir_all(&parent)?;
        remove_leftovers(&parent, &name);
        let dir = parent.join(format!(".{name}.building-{}", std::process::id()));
        if dir.exists() {
            remove_previous(&dir);
            if dir.exists() {
                return Err(OutputError::Refused(format!(
                    "{} exists and was not made by gazette: remove it",
                    dir.display()
                )));
            }
        }
        let stale = reuse_spare(&spare_path(&output), &dir);
        if stale.is_none() {
            // A spare that could not be used must not leave files behind.
            if dir.exists() {
                return Err(OutputError::Refused(format!(
                    "{} could not be cleared: remove it",
                    dir.display()
                )));
            }
            fs::create_dir_all(&dir)?;
        }
        let staging = Staging {
            made: std::sync::Mutex::new(std::collections::HashSet::from([PathBuf::new()])),
            stale,
            dir,
            output,
            committed: false,
        };
        fs::write(&staging.dir.join(MARKER), MARKER_TEXT)?;
        Ok(staging)
    }

    /// Write one file of the new tree; its path is checked first.
    pub fn write(&self, f: &OutputFile) -> Result<(), OutputError> {
        let (dest, was_file) = self.claim(&f.path)?;
        // Most of a site is the same from build to build. Rewriting a file
        // in place makes ext4 flush it on close (its protection for files
        // replaced by truncation), which made rebuilds wait on the disk;
        // comparing in the page cache is cheaper.
        let digest = match &f.contents {
            Contents::Bytes(b) => Some(stamp::digest(b)),
            Contents::Copy(_) => None,
        };
        if was_file && unchanged(&dest, &f.contents, digest) {
            return Ok(());
        }
        // A changed file gets a new inode: a read-only copy, or a hard
        // link into a snapshot of an earlier site, is not written through.
        if was_file {
            let _ = std::fs::remove_file(&dest);
        }
        match &f.contents {
            Contents::Bytes(b) => write_file(&dest, b, digest)?,
            Contents::Copy(src) => fs::copy(src, &dest)?,
        }
        Ok(())
    }

    /// Write one file of the new tree as `fill` makes it, piece by piece,
    /// so that a large file (the export) is never held whole in memory.
    pub fn write_with(&self, path: &str, fill: &crate::render::Fill) -> Result<(), OutputError> {
        let (dest, was_file) = self.claim(path)?;
        let name = dest
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        let partial = dest.with_file_name(format!(".{name}.partial"));
        let failed = |source| FsError {
            path: dest.clone(),
            action: "write",
            source,
        };
        let written = std::fs::File::create(&partial).and_then(|file| {
            let mut out = stamp::Hashing {
                inner: std::io::BufWriter::with_capacity(1 << 16, file),
                hasher: stamp::Hasher::default(),
            };
            fill(&mut out)?;
            std::io::Write::flush(&mut out)?;
            let file = out.inner.into_inner().map_err(|e| e.into_error())?;
            Ok((file, out.hasher.finish()))
        });
        let (file, digest) = match written {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_file(&partial);
                return Err(failed(e).into());
            }
        };
        // As in `write`: an unchanged file stays; a changed one gets a new inode.
        if was_file && unchanged(&dest, &Contents::Copy(partial.clone()), Some(digest)) {
            let _ = std::fs::remove_file(&partial);
            return Ok(());
        }
        stamp::write(&file, digest);
        drop(file);
        if was_file {
            let _ = std::fs::remove_file(&dest);
        }
        std::fs::rename(&partial, &dest).map_err(|e| failed(e).into())
    }

    /// Check `path`, make its folder, and take it off the spare tree's list
    /// of stale files. Returns where it goes and whether the spare tree
    /// already had a file there.
    fn claim(&self, path: &str) -> Result<(PathBuf, bool), OutputError> {
        check_relative(path).map_err(|why| FsError {
            path: self.dir.join(path),
            action: "refuse to write",
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
        })?;
        let dest = self.dir.join(path);
        let was_file = self.stale.as_ref().is_some_and(|s| s.take(path));
        // The spare tree had a file here, so its folder is there.
        if was_file {
            return Ok((dest, true));
        }
        if let Some(parent) = Path::new(path).parent() {
            self.make_dir(parent)?;
        }
        // The spare tree had a folder here: this build has a file.
        if self.stale.is_some() && dest.is_dir() {
            fs::remove_dir_all(&dest)?;
        }
        Ok((dest, false))
    }

    /// Make folder `rel` of the new tree and the folders above it, each
    /// once, from the top down. `create_dir_all` tried the deepest first and
    /// fell back a level on each failure, then checked what it found: in a
    /// 10,000-provision build into an empty folder, 27,000 failed `mkdir`s
    /// and as many `stat`s (strace).
    fn make_dir(&self, rel: &Path) -> Result<(), FsError> {
        let missing: Vec<&Path> = match self.made.lock() {
            Ok(made) => rel
                .ancestors()
                .take_while(|a| !a.as_os_str().is_empty() && !made.contains(*a))
                .collect(),
            Err(_) => rel.ancestors().collect(),
        };
        if missing.is_empty() {
            return Ok(());
        }
        if self.stale.is_some() {
            self.clear_files_on_the_way(rel);
        }
        for dir in missing.iter().rev() {
            let at = self.dir.join(dir);
            match std::fs::create_dir(&at) {
                Ok(()) => {}
                // Made by another thread, or there in the spare tree.
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists && at.is_dir() => {}
                Err(source) => {
                    return Err(FsError {
                        path: at,
                        action: "create folder",
                        source,
                    })
                }
            }
        }
        if let Ok(mut made) = self.made.lock() {
            made.extend(missing.iter().map(|d| d.to_path_buf()));
        }
        Ok(())
    }

    /// In a spare tree, a file of the old site may stand where this build
    /// needs a folder (`a` was a file, now `a/index.html` is written).
    fn clear_files_on_the_way(&self, rel: &Path) {
        let mut at = self.dir.clone();
        for part in rel.components() {
            at.push(part);
            if std::fs::symlink_metadata(&at).is_ok_and(|m| !m.is_dir()) {
                let _ = std::fs::remove_file(&at);
                if let (Some(stale), Ok(r)) = (&self.stale, at.strip_prefix(&self.dir)) {
                    stale.take(&slashed(r));
                }
            }
        }
    }

    /// Delete the spare tree's files that this build did not write, and the
    /// folders left empty.
    fn remove_stale(&mut self) {
        let Some(stale) = self.stale.take() else {
            return;
        };
        // Only the folders that held a stale file, and the folders above
        // them, can have been emptied: trying every folder of the site
        // was a failed rmdir per page.
        let mut dirs = std::collections::HashSet::new();
        for rel in stale.left().map(Path::new) {
            let _ = std::fs::remove_file(self.dir.join(rel));
            for up in rel.ancestors().skip(1) {
                if up.as_os_str().is_empty() || !dirs.insert(up.to_path_buf()) {
                    break;
                }
            }
        }
        let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
        // Deepest first, so that a folder emptied of folders goes too.
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in dirs {
            let _ = std::fs::remove_dir(self.dir.join(d));
        }
    }

    /// Swap the new tree in for the output folder.
    pub fn commit(mut self) -> Result<(), OutputError> {
        self.remove_stale();
        self.committed = true;
        let result = swap_in(&self.dir, &self.output);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        result
    }
}

impl Drop for Staging {
    /// A build that did not finish over the spare tree gives it back: the
    /// next build writes over it as over any earlier site, rather than this
    /// one removing hundreds of thousands of files. A tree started from
    /// nothing is removed.
    fn drop(&mut self) {
        if self.committed {
            return;
        }
        if self.stale.is_some() {
            keep_as_spare(&self.dir, &self.output);
        } else {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Write a new file whose folder exists (no `create_dir_all` per file),
/// stamped with `digest`, its contents', if given.
fn write_file(path: &Path, bytes: &[u8], digest: Option<stamp::Digest>) -> Result<(), FsError> {
    let written = std::fs::File::create(path).and_then(|mut file| {
        std::io::Write::write_all(&mut file, bytes)?;
        if let Some(digest) = digest {
            stamp::write(&file, digest);
        }
        Ok(())
    });
    written.map_err(|source| FsError {
        path: path.to_path_buf(),
        action: "write",
        source,
    })
}

/// Whether the file at `path` already holds `contents`, whose digest is
/// `digest` if known: its stamp says so when it has one, its bytes otherwise.
fn unchanged(path: &Path, contents: &Contents, digest: Option<stamp::Digest>) -> bool {
    let Some(new) = digest else {
        return same_contents(path, contents);
    };
    if let Some(old) = stamp::read(path) {
        return new == old;
    }
    // Unstamped (made before stamps, or changed since): stamped once found
    // the same, so that the next build need not read it.
    let same = same_contents(path, contents);
    if same {
        stamp::write_path(path, new);
    }
    same
}

/// Make `staging` the output folder; whatever was there before is removed
/// if gazette made it (or it was empty).
fn swap_in(staging: &Path, output: &Path) -> Result<(), OutputError> {
    if std::fs::symlink_metadata(output).is_err() {
        return Ok(fs::rename(staging, output)?);
    }
    if exchange(staging, output).is_err() {
        // Not Linux, or a file system without the exchange (EINVAL, ENOSYS,
        // EOPNOTSUPP on some network and FUSE mounts): the two-rename fallback.
        return two_step_swap(staging, output);
    }
    // `staging` now holds the previous site. The new one is live: failing to
    // keep or remove the old one must not fail the build.
    keep_as_spare(staging, output);
    Ok(())
}

/// Whether the file at `path` already holds `contents` (false when unsure).
fn same_contents(path: &Path, contents: &Contents) -> bool {
    let Ok(meta) = std::fs::symlink_metadata(path) else {
        return false;
    };
    if !meta.is_file() {
        return false;
    }
    let Ok(mut old) = std::fs::File::open(path) else {
        return false;
    };
    // Compared a block at a time: a file may be tens of megabytes.
    let block = (meta.len() as usize).clamp(1, 1 << 16);
    let mut x = vec![0; block];
    match contents {
        Contents::Bytes(b) => {
            meta.len() == b.len() as u64
                && b.chunks(block).all(|want| {
                    read_full(&mut old, &mut x[..want.len()]).is_ok_and(|n| x[..n] == *want)
                })
        }
        Contents::Copy(src) => {
            let mut y = vec![0; block];
            std::fs::metadata(src).is_ok_and(|m| m.len() == meta.len())
                && std::fs::File::open(src).is_ok_and(|mut new| loop {
                    match (read_full(&mut old, &mut x), read_full(&mut new, &mut y)) {
                        (Ok(0), Ok(0)) => break true,
                        (Ok(n), Ok(m)) if n == m && x[..n] == y[..n] => {}
                        _ => break false,
                    }
                })
        }
    }
}

/// Read until `buf` is full or the reader ends; the count read.
fn read_full(r: &mut impl std::io::Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// `.NAME.spare` beside the output folder `NAME`.
fn spare_path(output: &Path) -> PathBuf {
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into());
    output.with_file_name(format!(".{name}.spare"))
}

/// Keep a replaced site, if gazette made it, as the spare the next build
/// writes over; otherwise remove it as [`remove_previous`] does.
fn keep_as_spare(old: &Path, output: &Path) {
    let spare = spare_path(output);
    let marked =
        old.join(MARKER).is_file() && std::fs::symlink_metadata(old).is_ok_and(|m| m.is_dir());
    if marked && std::fs::symlink_metadata(&spare).is_err() && std::fs::rename(old, &spare).is_ok()
    {
        return;
    }
    remove_previous(old);
}

/// Claim the spare tree as the new staging folder `dir`: move it there (one
/// rename, so two builds cannot both claim it) and list what it holds. Only
/// a real folder gazette marked is taken; anything in it that is not a plain
/// file or folder (a link put there by hand) is removed, so that no write
/// follows it. Returns its files (relative paths).
fn reuse_spare(spare: &Path, dir: &Path) -> Option<SpareFiles> {
    let meta = std::fs::symlink_metadata(spare).ok()?;
    if !meta.is_dir() || !spare.join(MARKER).is_file() {
        return None;
    }
    // On a file system that ignores case, `EO-1/` and `eo-1/` are one file
    // and the list of stale files would name pages just written: start over.
    if spare.join(MARKER.to_uppercase()).exists() {
        remove_previous(spare);
        return None;
    }
    std::fs::rename(spare, dir).ok()?;
    match list_files(dir) {
        Ok(mut files) => {
            files.retain(|f| f != MARKER);
            Some(SpareFiles::new(files))
        }
        Err(_) => {
            // Unreadable, a name that is not UTF-8 (gazette writes none), or
            // a link that cannot be removed (a Windows junction, which must
            // not be written through): start over from nothing rather than
            // write into it.
            remove_previous(dir);
            None
        }
    }
}

/// The files under `root` (paths relative to it, `/` between names), listed
/// with [`crate::fs::DISK_READERS`] folders read at once; anything that is
/// neither a file nor a folder is removed on the way.
fn list_files(root: &Path) -> std::io::Result<Vec<String>> {
    crate::fs::disk_readers("list")?.install(|| list_folder(root, ""))
}

/// The files of folder `root/rel` and of the folders under it.
fn list_folder(root: &Path, rel: &str) -> std::io::Result<Vec<String>> {
    use rayon::prelude::*;
    let mut files = Vec::new();
    let mut folders = Vec::new();
    for entry in std::fs::read_dir(root.join(rel))? {
        let entry = entry?;
        let kind = entry.file_type()?;
        let name = entry.file_name().into_string().map_err(|name| {
            std::io::Error::new(
                std::io::ErrorKind::InvalidData,
                format!("{}: not UTF-8", name.to_string_lossy()),
            )
        })?;
        let path = if rel.is_empty() {
            name
        } else {
            format!("{rel}/{name}")
        };
        if kind.is_file() {
            files.push(path);
        } else if kind.is_dir() {
            folders.push(path);
        } else {
            let at = entry.path();
            std::fs::remove_file(&at).or_else(|_| std::fs::remove_dir(&at))?;
        }
    }
    let below: Vec<Vec<String>> = folders
        .par_iter()
        .map(|f| list_folder(root, f))
        .collect::<std::io::Result<_>>()?;
    files.extend(below.into_iter().flatten());
    Ok(files)
}

/// The files of a claimed spare tree and which of them this build has
/// written. Their paths (relative, `/` between names) are kept sorted in one
/// buffer: at 100,000 provisions, 440,000 paths take 19 MB this way against
/// 40 MB as a set of paths, and marking one written takes no lock.
struct SpareFiles {
    text: String,
    /// Where each path ends in `text`, in sorted order.
    ends: Vec<usize>,
    /// One bit per path: written by this build.
    written: Vec<std::sync::atomic::AtomicU64>,
}

impl SpareFiles {
    fn new(mut paths: Vec<String>) -> SpareFiles {
        paths.sort_unstable();
        paths.dedup();
        let mut text = String::with_capacity(paths.iter().map(String::len).sum());
        let mut ends = Vec::with_capacity(paths.len());
        for p in paths {
            text.push_str(&p);
            ends.push(text.len());
        }
        let written = (0..ends.len().div_ceil(64))
            .map(|_| Default::default())
            .collect();
        SpareFiles {
            text,
            ends,
            written,
        }
    }

    fn path(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] };
        &self.text[start..self.ends[i]]
    }

    /// The position of `rel` in the sorted paths.
    fn find(&self, rel: &str) -> Option<usize> {
        let (mut low, mut high) = (0, self.ends.len());
        while low < high {
            let mid = low + (high - low) / 2;
            match self.path(mid).cmp(rel) {
                std::cmp::Ordering::Less => low = mid + 1,
                std::cmp::Ordering::Greater => high = mid,
                std::cmp::Ordering::Equal => return Some(mid),
            }
        }
        None
    }

    /// Mark `rel` written: whether the spare tree had it, unwritten so far.
    fn take(&self, rel: &str) -> bool {
        use std::sync::atomic::Ordering;
        let Some(i) = self.find(rel) else {
            return false;
        };
        let bit = 1u64 << (i % 64);
        self.written[i / 64].fetch_or(bit, Ordering::Relaxed) & bit == 0
    }

    /// The paths this build has not written.
    fn left(&self) -> impl Iterator<Item = &str> {
        use std::sync::atomic::Ordering;
        (0..self.ends.len())
            .filter(|&i| self.written[i / 64].load(Ordering::Relaxed) & (1u64 << (i % 64)) == 0)
            .map(|i| self.path(i))
    }
}

/// `rel`'s names with `/` between them, as [`SpareFiles`] keeps paths.
fn slashed(rel: &Path) -> String {
    let names: Vec<String> = rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .collect();
    names.join("/")
}

/// The fallback: move the old tree aside, move the new one in, put the old
/// one back if that fails.
fn two_step_swap(staging: &Path, output: &Path) -> Result<(), OutputError> {
    let old = staging.with_file_name(
        staging
            .file_name()
            .map(|n| n.to_string_lossy().replace(".building-", ".old-"))
            .unwrap_or_else(|| ".old".into()),
    );
    fs::rename(output, &old)?;
    if let Err(e) = fs::rename(staging, output) {
        let _ = std::fs::rename(&old, output);
        return Err(e.into());
    }
    keep_as_spare(&old, output);
    Ok(())
}

/// Remove a replaced output folder, if gazette made it (marked) or it is
/// empty; a failure leaves it for the next build's clean-up.
fn remove_previous(dir: &Path) {
    if dir.join(MARKER).is_file() {
        let _ = std::fs::remove_dir_all(dir);
    } else {
        let _ = std::fs::remove_dir(dir);
    }
}

#[cfg(target_os = "linux")]
fn exchange(a: &Path, b: &Path) -> std::io::Result<()> {
    use std::ffi::CString;
    use std::os::unix::ffi::OsStrExt;
    let c = |p: &Path| {
        CString::new(p.as_os_str().as_bytes())
            .map_err(|_| std::io::Error::from_raw_os_error(libc::EINVAL))
    };
    let (a, b) = (c(a)?, c(b)?);
    // SAFETY: both are valid NUL-terminated paths; AT_FDCWD with absolute paths.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            libc::RENAME_EXCHANGE,
        )
    };
    if r == 0 {
        Ok(())
    } else {
        Err(std::io::Error::last_os_error())
    }
}

#[cfg(not(target_os = "linux"))]
fn exchange(_: &Path, _: &Path) -> std::io::Result<()> {
    Err(std::io::Error::from_raw_os_error(libc::ENOSYS))
}

/// Remove `.NAME.building-PID` and `.NAME.old-PID` folders whose build is no
/// longer running: what a killed build left behind. Only folders gazette
/// marked (or empty ones) are removed.
fn remove_leftovers(parent: &Path, name: &str) {
    let Ok(entries) = std::fs::read_dir(parent) else {
        return;
    };
    let prefixes = [format!(".{name}.building-"), format!(".{name}.old-")];
    for entry in entries.flatten() {
        let file_name = entry.file_name().to_string_lossy().to_string();
        let Some(pid) = prefixes
            .iter()
            .find_map(|p| file_name.strip_prefix(p.as_str()))
            .and_then(|pid| pid.parse::<u32>().ok())
        else {
            continue;
        };
        if pid == std::process::id() || process_alive(pid) {
            continue;
        }
        remove_previous(&entry.path());
    }
}

#[cfg(unix)]
fn process_alive(pid: u32) -> bool {
    let Ok(pid) = libc::pid_t::try_from(pid) else {
        return false;
    };
    // SAFETY: signal 0 only checks that the process exists.
    let r = unsafe { libc::kill(pid, 0) };
    r == 0 || std::io::Error::last_os_error().raw_os_error() == Some(libc::EPERM)
}

#[cfg(not(unix))]
fn process_alive(_: u32) -> bool {
    // Without a way to ask, assume it runs: leftovers stay rather than risk a live build.
    true
}

/// An output path is relative, `/`-separated, and each part a plain name:
/// no `..`, `.`, empty part, backslash, NUL or drive letter. Every path is
/// checked before anything is written, whoever made it.
pub fn check_relative(path: &str) -> Result<(), String> {
    if path.is_empty() {
        return Err("empty path".into());
    }
    for part in path.split('/') {
        let bad = match part {
            "" => Some("an empty part or a leading `/`"),
            "." | ".." => Some("a `.` or `..` part"),
            p if p.contains(['\\', '\0']) => Some("a backslash or NUL"),
            p if p.len() >= 2 && p.as_bytes()[1] == b':' => Some("a drive letter"),
            _ => None,
        };
        if let Some(why) = bad {
            return Err(format!("`{path}` has {why}"));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    use rayon::prelude::*;

    /// Every file and folder under `out`, relative, sorted.
    fn entries(out: &Path) -> Vec<String> {
        let mut listed: Vec<String> = walkdir::WalkDir::new(out)
            .min_depth(1)
            .into_iter()
            .map(|e| e.unwrap())
            .map(|e| {
                let rel = e.path().strip_prefix(out).unwrap();
                rel.to_string_lossy().into_owned()
            })
            .collect();
        listed.sort();
        listed
    }

    /// A whole build's writing: stage `files`, swap them in.
    fn write_site(output: &Path, files: &[OutputFile]) -> Result<(), OutputError> {
        let staging = Staging::create(output)?;
        files.par_iter().try_for_each(|f| staging.write(f))?;
        staging.commit()
    }

    #[test]
    fn refuses_dangerous_folders() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("content/pages")).unwrap();
        let ok = |o: &Path, allow| check_output_dir(&root, o, allow).is_ok();
        assert!(ok(&root.join("public"), false));
        assert!(!ok(&root, false));
        assert!(!ok(tmp.path(), true), "an ancestor of the site");
        assert!(!ok(&root.join("content/out"), false));
        assert!(!ok(&tmp.path().join("elsewhere"), false));
        assert!(ok(&tmp.path().join("elsewhere"), true));
        std::fs::create_dir_all(root.join("docs")).unwrap();
        std::fs::write(root.join("docs/notes.txt"), "mine").unwrap();
        assert!(
            !ok(&root.join("docs"), false),
            "a non-empty folder gazette did not create"
        );
    }

    #[test]
    fn swap_replaces_old_tree_and_keeps_marker() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let file = |p: &str, s: &str| OutputFile {
            path: p.into(),
            contents: Contents::Bytes(s.as_bytes().to_vec()),
        };
        write_site(&out, &[file("a/index.html", "one"), file("old.html", "x")]).unwrap();
        write_site(&out, &[file("a/index.html", "two")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("a/index.html")).unwrap(),
            "two"
        );
        assert!(!out.join("old.html").exists());
        assert!(out.join(MARKER).is_file());
        let mut left: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [".public.spare", "public"],
            "no staging or old folders left behind, only the spare"
        );
    }

    /// The spare tree is written over in place: what this build did not
    /// write is gone, a file may become a folder and a folder a file, and a
    /// link put into the spare is removed, not followed.
    #[cfg(unix)]
    #[test]
    fn a_build_over_the_spare_tree_equals_a_fresh_one() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let file = |p: &str, s: &str| OutputFile {
            path: p.into(),
            contents: Contents::Bytes(s.as_bytes().to_vec()),
        };
        write_site(&out, &[file("a", "file a"), file("b/index.html", "b")]).unwrap();
        write_site(&out, &[file("c/index.html", "second")]).unwrap();
        let spare = tmp.path().join(".public.spare");
        assert!(spare.join("a").is_file(), "the first site is the spare");
        let outside = tmp.path().join("outside.txt");
        std::fs::write(&outside, "not gazette's").unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("b/index.html.lnk")).unwrap();
        std::fs::remove_file(spare.join("b/index.html")).unwrap();
        std::os::unix::fs::symlink(&outside, spare.join("b/index.html")).unwrap();
        let inode = |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).unwrap());
        let before = inode(&spare.join(MARKER));
        write_site(
            &out,
            &[
                file("a/index.html", "a is a folder"),
                file("b", "b is a file"),
                file("b2/x", "new"),
            ],
        )
        .unwrap();
        assert_eq!(inode(&out.join(MARKER)), before, "written in place");
        let listed: Vec<String> = entries(&out)
            .into_iter()
            .filter(|e| out.join(e).is_file())
            .collect();
        assert_eq!(listed, [MARKER, "a/index.html", "b", "b2/x"]);
        assert_eq!(
            std::fs::read_to_string(out.join("b")).unwrap(),
            "b is a file"
        );
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "not gazette's");
        assert!(
            spare.join("c/index.html").is_file(),
            "the second site is the spare now"
        );
    }

    /// A page of the spare tree edited in place, keeping its length, is
    /// written again: its stamp no longer vouches for it.
    #[test]
    fn a_file_edited_by_hand_is_written_again() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let page = |s: &str| OutputFile {
            path: "index.html".into(),
            contents: Contents::Bytes(s.as_bytes().to_vec()),
        };
        write_site(&out, &[page("original")]).unwrap();
        write_site(&out, &[page("original")]).unwrap();
        stamp::edit_in_place(&tmp.path().join(".public.spare/index.html"), b"ORIGINAL");
        write_site(&out, &[page("original")]).unwrap();
        assert_eq!(
            std::fs::read_to_string(out.join("index.html")).unwrap(),
            "original"
        );
    }

    #[test]
    fn a_spare_tree_s_files_are_taken_once_and_the_rest_left() {
        let files = SpareFiles::new(
            ["b/index.html", "a/index.html", "a/b/index.html", "c.txt"]
                .map(String::from)
                .to_vec(),
        );
        assert!(files.take("a/index.html"));
        assert!(!files.take("a/index.html"), "taken once");
        assert!(!files.take("a"), "a folder is not a file");
        assert!(!files.take("d.txt"));
        assert!(files.take("c.txt"));
        let left: Vec<&str> = files.left().collect();
        assert_eq!(left, ["a/b/index.html", "b/index.html"]);
        assert_eq!(slashed(Path::new("a").join("b").as_path()), "a/b");
    }

    #[test]
    fn folders_emptied_of_stale_files_are_removed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let file = |p: &str| OutputFile {
            path: p.into(),
            contents: Contents::Bytes(p.as_bytes().to_vec()),
        };
        write_site(
            &out,
            &[file("x/y/z.html"), file("x/w.html"), file("k.html")],
        )
        .unwrap();
        write_site(&out, &[file("k.html")]).unwrap();
        // Written over the first site, the spare: x/ held only stale files.
        write_site(&out, &[file("k.html"), file("v/x/y/z.html")]).unwrap();
        assert_eq!(
            entries(&out),
            [MARKER, "k.html", "v", "v/x", "v/x/y", "v/x/y/z.html"]
        );
    }

    #[cfg(unix)]
    #[test]
    fn a_streamed_file_is_written_whole_and_kept_when_unchanged() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        // Over 64 KiB, so that it is compared in more than one block.
        let big = |last: u8| {
            let mut b = vec![b'a'; 200_000];
            b.push(last);
            b
        };
        let build = |bytes: Vec<u8>| {
            let staging = Staging::create(&out).unwrap();
            staging
                .write_with("api/site.json", &|w: &mut dyn std::io::Write| {
                    w.write_all(&bytes)
                })
                .unwrap();
            staging.commit().unwrap();
        };
        let ino = || std::fs::metadata(out.join("api/site.json")).unwrap().ino();
        build(big(b'1'));
        let first = ino();
        build(big(b'1'));
        build(big(b'1'));
        assert_eq!(
            ino(),
            first,
            "the same bytes over the spare: the file stays"
        );
        build(big(b'1'));
        build(big(b'2'));
        assert_ne!(ino(), first, "a changed file is a new one");
        assert_eq!(std::fs::read(out.join("api/site.json")).unwrap(), big(b'2'));
        let names = |d: &Path| -> Vec<String> {
            std::fs::read_dir(d)
                .unwrap()
                .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
                .collect()
        };
        assert_eq!(
            names(&out.join("api")),
            ["site.json"],
            "no partial file left"
        );

        let staging = Staging::create(&out).unwrap();
        let failed = staging.write_with("api/site.json", &|w: &mut dyn std::io::Write| {
            w.write_all(b"half")?;
            Err(std::io::Error::other("disk full"))
        });
        let message = failed.unwrap_err().to_string();
        assert!(
            message.contains("disk full") && message.contains("site.json"),
            "{message}"
        );
        drop(staging);
        assert_eq!(std::fs::read(out.join("api/site.json")).unwrap(), big(b'2'));
    }

    #[test]
    fn contents_are_compared_to_the_last_byte() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("f");
        let mut bytes = vec![7u8; 150_000];
        std::fs::write(&path, &bytes).unwrap();
        assert!(same_contents(&path, &Contents::Bytes(bytes.clone())));
        let copy = tmp.path().join("g");
        std::fs::write(&copy, &bytes).unwrap();
        assert!(same_contents(&path, &Contents::Copy(copy.clone())));
        bytes[149_999] = 8;
        std::fs::write(&copy, &bytes).unwrap();
        assert!(!same_contents(&path, &Contents::Bytes(bytes.clone())));
        assert!(!same_contents(&path, &Contents::Copy(copy)));
        assert!(!same_contents(
            &path,
            &Contents::Bytes(bytes[..10].to_vec())
        ));
        std::fs::write(&path, b"").unwrap();
        assert!(same_contents(&path, &Contents::Bytes(Vec::new())));
    }

    #[cfg(unix)]
    #[test]
    fn leftovers_of_killed_builds_are_removed_and_live_ones_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        let dead = tmp.path().join(".public.building-2000000000");
        let dead_old = tmp.path().join(".public.old-2000000001");
        let foreign = tmp.path().join(".public.building-2000000002");
        // The test runner's parent process is alive: its folder is a build in progress.
        let live = tmp.path().join(format!(
            ".public.building-{}",
            std::os::unix::process::parent_id()
        ));
        for d in [&dead, &dead_old, &live] {
            std::fs::create_dir_all(d.join("x")).unwrap();
            std::fs::write(d.join(MARKER), "").unwrap();
        }
        std::fs::create_dir_all(&foreign).unwrap();
        std::fs::write(foreign.join("mine.txt"), "not gazette's").unwrap();
        let file = OutputFile {
            path: "index.html".into(),
            contents: Contents::Bytes(b"hi".to_vec()),
        };
        write_site(&out, &[file]).unwrap();
        assert!(
            !dead.exists() && !dead_old.exists(),
            "dead builds' folders removed"
        );
        assert!(foreign.exists(), "an unmarked folder is never removed");
        assert!(live.exists(), "a running build's folder is left alone");
    }

    #[test]
    fn an_empty_folder_is_replaced_without_leftovers() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("public");
        std::fs::create_dir_all(&out).unwrap();
        let file = OutputFile {
            path: "index.html".into(),
            contents: Contents::Bytes(b"hi".to_vec()),
        };
        write_site(&out, &[file]).unwrap();
        let names: Vec<_> = std::fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("public")]);
        assert!(out.join("index.html").is_file());
    }

    #[cfg(unix)]
    #[test]
    fn a_symlinked_output_folder_is_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let root = tmp.path().join("site");
        std::fs::create_dir_all(root.join("content")).unwrap();
        std::os::unix::fs::symlink(tmp.path().join("nowhere"), root.join("public")).unwrap();
        let e = check_output_dir(&root, &root.join("public"), false).unwrap_err();
        assert!(e.to_string().contains("symbolic link"), "{e}");
    }
}
