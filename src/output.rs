//! Writing the built site safely.
//!
//! A build writes a complete new tree beside the output folder, then swaps it
//! in, so a failed build never leaves `public/` half-written. gazette marks
//! its output folders and never replaces a folder it did not create.

use std::path::{Path, PathBuf};

use rayon::prelude::*;

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
    let root = absolute(root);
    let output = absolute(output);
    let refuse = |m: String| Err(OutputError::Refused(m));
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

/// Write `files` as the new contents of `output`, replacing the old tree only on success.
pub fn write_site(output: &Path, files: &[OutputFile]) -> Result<(), OutputError> {
    let output = absolute(output);
    let parent = output
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from("."));
    let name = output
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "public".into());
    let pid = std::process::id();
    let staging = parent.join(format!(".{name}.building-{pid}"));
    let old = parent.join(format!(".{name}.old-{pid}"));
    if staging.exists() {
        fs::remove_dir_all(&staging)?;
    }
    let result = write_tree(&staging, files);
    if let Err(e) = result {
        let _ = std::fs::remove_dir_all(&staging);
        return Err(e.into());
    }
    if output.exists() {
        fs::rename(&output, &old)?;
        if let Err(e) = fs::rename(&staging, &output) {
            // Put the previous site back.
            let _ = std::fs::rename(&old, &output);
            let _ = std::fs::remove_dir_all(&staging);
            return Err(e.into());
        }
        if old.join(MARKER).is_file() {
            fs::remove_dir_all(&old)?;
        }
    } else {
        fs::create_dir_all(&parent)?;
        fs::rename(&staging, &output)?;
    }
    Ok(())
}

fn write_tree(dir: &Path, files: &[OutputFile]) -> Result<(), FsError> {
    fs::create_dir_all(dir)?;
    fs::write(&dir.join(MARKER), MARKER_TEXT)?;
    files.par_iter().try_for_each(|f| {
        let dest = dir.join(&f.path);
        match &f.contents {
            Contents::Bytes(b) => fs::write(&dest, b),
            Contents::Copy(src) => fs::copy(src, &dest),
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
