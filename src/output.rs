//! Writing the built site safely.
//!
//! A build writes a complete new tree beside the output folder, then swaps it
//! in, so a failed build never leaves `public/` half-written. gazette marks
//! its output folders and never replaces a folder it did not create.

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
pub struct Staging {
    dir: PathBuf,
    output: PathBuf,
    /// Folders made so far, so each is made once.
    made: std::sync::Mutex<std::collections::HashSet<PathBuf>>,
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
        fs::create_dir_all(&dir)?;
        let staging = Staging {
            made: std::sync::Mutex::new(std::collections::HashSet::from([dir.clone()])),
            dir,
            output,
            committed: false,
        };
        fs::write(&staging.dir.join(MARKER), MARKER_TEXT)?;
        Ok(staging)
    }

    /// Write one file of the new tree; its path is checked first.
    pub fn write(&self, f: &OutputFile) -> Result<(), OutputError> {
        check_relative(&f.path).map_err(|why| FsError {
            path: self.dir.join(&f.path),
            action: "refuse to write",
            source: std::io::Error::new(std::io::ErrorKind::InvalidInput, why),
        })?;
        let dest = self.dir.join(&f.path);
        if let Some(parent) = dest.parent() {
            self.make_dir(parent)?;
        }
        match &f.contents {
            Contents::Bytes(b) => write_file(&dest, b)?,
            Contents::Copy(src) => fs::copy(src, &dest)?,
        }
        Ok(())
    }

    fn make_dir(&self, dir: &Path) -> Result<(), FsError> {
        let known = self.made.lock().map(|m| m.contains(dir)).unwrap_or(false);
        if !known {
            fs::create_dir_all(dir)?;
            if let Ok(mut m) = self.made.lock() {
                m.insert(dir.to_path_buf());
            }
        }
        Ok(())
    }

    /// Swap the new tree in for the output folder.
    pub fn commit(mut self) -> Result<(), OutputError> {
        self.committed = true;
        let result = swap_in(&self.dir, &self.output);
        if result.is_err() {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
        result
    }
}

impl Drop for Staging {
    fn drop(&mut self) {
        if !self.committed {
            let _ = std::fs::remove_dir_all(&self.dir);
        }
    }
}

/// Write a new file whose folder exists (no `create_dir_all` per file).
fn write_file(path: &Path, bytes: &[u8]) -> Result<(), FsError> {
    std::fs::write(path, bytes).map_err(|source| FsError {
        path: path.to_path_buf(),
        action: "write",
        source,
    })
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
    // remove the old one must not fail the build (the next build retries).
    remove_previous(staging);
    Ok(())
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
    remove_previous(&old);
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
        let leftovers: Vec<_> = std::fs::read_dir(tmp.path()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no staging or old folders left behind");
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
