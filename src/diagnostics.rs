//! Problems found in a site, each tied to a file position.
//!
//! Every stage (load, resolve, render) pushes [`Diagnostic`]s into one
//! [`Diagnostics`] list instead of stopping at the first problem, so an editor
//! sees every mistake of a build at once, sorted by file and line.

use std::fmt;
use std::path::{Path, PathBuf};

/// A 1-based line and column in a file (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Default)]
pub struct Pos {
    pub line: usize,
    pub col: usize,
}

impl Pos {
    pub fn new(line: usize, col: usize) -> Self {
        Pos { line, col }
    }
}

/// Maps byte offsets of a text to line:column, once per file.
#[derive(Debug, Clone)]
pub struct LineIndex {
    starts: Vec<usize>,
}

impl LineIndex {
    pub fn new(text: &str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { starts }
    }

    /// The position of byte `offset` in `text` (the text this index was built from).
    pub fn pos(&self, text: &str, offset: usize) -> Pos {
        let offset = offset.min(text.len());
        let line = self.starts.partition_point(|&s| s <= offset) - 1;
        let start = self.starts[line];
        let col = text
            .get(start..offset)
            .map_or(1, |prefix| prefix.chars().count() + 1);
        Pos::new(line + 1, col)
    }

    /// The text of 1-based `line`, without its line break.
    pub fn line_text<'t>(&self, text: &'t str, line: usize) -> &'t str {
        let Some(&start) = self.starts.get(line.wrapping_sub(1)) else {
            return "";
        };
        let end = self.starts.get(line).map_or(text.len(), |&e| e);
        text[start..end].trim_end_matches(['\n', '\r'])
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Severity {
    Error,
    Warning,
}

/// One problem: where, what, and how to fix it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Diagnostic {
    pub severity: Severity,
    /// Path as shown to the user (relative to the site root where possible).
    pub path: PathBuf,
    pub pos: Option<Pos>,
    pub message: String,
    /// The offending line of the file, shown under the message.
    pub line_text: Option<String>,
    /// A fix suggestion ("did you mean `treasury`?").
    pub help: Option<String>,
}

impl Diagnostic {
    pub fn error(path: impl Into<PathBuf>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Error,
            path: path.into(),
            pos,
            message: message.into(),
            line_text: None,
            help: None,
        }
    }

    pub fn warning(path: impl Into<PathBuf>, pos: Option<Pos>, message: impl Into<String>) -> Self {
        Diagnostic {
            severity: Severity::Warning,
            ..Diagnostic::error(path, pos, message)
        }
    }

    pub fn with_help(mut self, help: Option<String>) -> Self {
        self.help = help;
        self
    }

    /// Attach the source line at this diagnostic's position, taken from `text`.
    pub fn with_source(mut self, text: &str, index: &LineIndex) -> Self {
        if let Some(pos) = self.pos {
            let line = index.line_text(text, pos.line);
            if !line.trim().is_empty() {
                self.line_text = Some(line.to_string());
            }
        }
        self
    }

    /// `path:line:column` (or just the path when there is no position).
    pub fn location(&self) -> String {
        match self.pos {
            Some(p) => format!("{}:{}:{}", self.path.display(), p.line, p.col),
            None => self.path.display().to_string(),
        }
    }

    fn sort_key(&self) -> (&Path, Option<Pos>, Severity, &str) {
        (&self.path, self.pos, self.severity, &self.message)
    }
}

impl fmt::Display for Diagnostic {
    /// Plain rendering:
    ///
    /// ```text
    /// content/provisions/x.md:7:13: error: unknown agency `tresury`
    ///     7 | agencies: [tresury]
    ///       |            ^
    ///   help: did you mean `treasury`?
    /// ```
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let label = match self.severity {
            Severity::Error => "error",
            Severity::Warning => "warning",
        };
        write!(f, "{}: {label}: {}", self.location(), self.message)?;
        if let (Some(line), Some(pos)) = (&self.line_text, self.pos) {
            let num = pos.line.to_string();
            let pad = " ".repeat(num.len());
            let caret_pad: String = line
                .chars()
                .take(pos.col.saturating_sub(1))
                .map(|c| if c == '\t' { '\t' } else { ' ' })
                .collect();
            write!(f, "\n  {num} | {line}\n  {pad} | {caret_pad}^")?;
        }
        if let Some(help) = &self.help {
            write!(f, "\n  help: {help}")?;
        }
        Ok(())
    }
}

/// Every problem of one build, in the order found; [`Diagnostics::sorted`] orders them.
#[derive(Debug, Default, Clone)]
pub struct Diagnostics {
    items: Vec<Diagnostic>,
}

impl Diagnostics {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn push(&mut self, d: Diagnostic) {
        self.items.push(d);
    }

    pub fn extend(&mut self, other: Diagnostics) {
        self.items.extend(other.items);
    }

    pub fn has_errors(&self) -> bool {
        self.items.iter().any(|d| d.severity == Severity::Error)
    }

    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    pub fn len(&self) -> usize {
        self.items.len()
    }

    pub fn error_count(&self) -> usize {
        self.items
            .iter()
            .filter(|d| d.severity == Severity::Error)
            .count()
    }

    /// Sorted by file, then position, then message; exact duplicates removed.
    pub fn sorted(mut self) -> Vec<Diagnostic> {
        self.items.sort_by(|a, b| a.sort_key().cmp(&b.sort_key()));
        self.items.dedup();
        self.items
    }

    pub fn iter(&self) -> impl Iterator<Item = &Diagnostic> {
        self.items.iter()
    }
}

impl From<Diagnostic> for Diagnostics {
    fn from(d: Diagnostic) -> Self {
        Diagnostics { items: vec![d] }
    }
}

/// "did you mean `x`?" for the closest of `candidates` to `wrong`, if any is close.
pub fn did_you_mean<'a>(
    wrong: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<String> {
    closest(wrong, candidates).map(|c| format!("did you mean `{c}`?"))
}

/// The candidate most similar to `wrong`, when similar enough to be a likely typo.
pub fn closest<'a>(wrong: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let wrong_lower = wrong.to_lowercase();
    candidates
        .into_iter()
        .map(|c| (strsim::jaro_winkler(&wrong_lower, &c.to_lowercase()), c))
        .filter(|(score, _)| *score >= 0.82)
        .max_by(|a, b| a.0.total_cmp(&b.0).then_with(|| b.1.cmp(a.1)))
        .map(|(_, c)| c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_index_positions_are_one_based_and_count_chars() {
        let text = "ab\ncdé f\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(idx.pos(text, 0), Pos::new(1, 1));
        assert_eq!(idx.pos(text, 3), Pos::new(2, 1));
        // 'f' comes after a two-byte 'é': byte 8, char column 5
        assert_eq!(idx.pos(text, text.find('f').unwrap()), Pos::new(2, 5));
        assert_eq!(idx.pos(text, text.len()), Pos::new(4, 2));
        assert_eq!(idx.line_text(text, 2), "cdé f");
        assert_eq!(idx.line_text(text, 9), "");
    }

    #[test]
    fn display_shows_line_and_caret_and_help() {
        let text = "---\nagencies: [tresury]\n---\n";
        let idx = LineIndex::new(text);
        let d = Diagnostic::error("p.md", Some(Pos::new(2, 12)), "unknown agency `tresury`")
            .with_source(text, &idx)
            .with_help(did_you_mean("tresury", ["treasury", "dhs"]));
        assert_eq!(
            d.to_string(),
            "p.md:2:12: error: unknown agency `tresury`\n  2 | agencies: [tresury]\n    |            ^\n  help: did you mean `treasury`?"
        );
    }

    #[test]
    fn suggestions_only_when_close() {
        assert_eq!(closest("tresury", ["treasury", "omb"]), Some("treasury"));
        assert_eq!(closest("zzz", ["treasury", "omb"]), None);
    }

    #[test]
    fn sorted_by_path_then_position() {
        let mut ds = Diagnostics::new();
        ds.push(Diagnostic::error("b.md", Some(Pos::new(1, 1)), "x"));
        ds.push(Diagnostic::error("a.md", Some(Pos::new(9, 1)), "y"));
        ds.push(Diagnostic::error("a.md", Some(Pos::new(2, 5)), "z"));
        let order: Vec<_> = ds.sorted().iter().map(|d| d.location()).collect();
        assert_eq!(order, ["a.md:2:5", "a.md:9:1", "b.md:1:1"]);
    }
}
