//! YAML parsing with real file positions.
//!
//! serde_yaml turns front matter into typed raw structs and reports syntax and
//! type errors with a position; [`Spans`] records where every value of the
//! document starts (via yaml-rust2's event parser), so checks made later, such
//! as "unknown agency", can point at the exact value in the file.

use std::collections::HashMap;

use serde::de::DeserializeOwned;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

use crate::diagnostics::{did_you_mean, Pos};

/// A YAML problem, positioned in the enclosing file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct YamlError {
    pub pos: Option<Pos>,
    pub message: String,
    pub help: Option<String>,
}

/// Deserialize `text`, a YAML document that starts at 1-based `first_line` of its file.
pub fn parse<T: DeserializeOwned>(
    text: &str,
    first_line: usize,
    what: &str,
) -> Result<T, YamlError> {
    // An empty document is an empty mapping, so that missing keys are reported as such.
    let text = if text.trim().is_empty() { "{}" } else { text };
    guard(text, first_line)?;
    serde_yaml::from_str(text).map_err(|e| {
        let pos = e
            .location()
            .map(|l| Pos::new(l.line() + first_line - 1, l.column()));
        let (message, help) = explain(&e.to_string(), what);
        YamlError { pos, message, help }
    })
}

/// How deeply front matter may nest lists and mappings (gazette's own
/// fields need five levels).
pub const MAX_DEPTH: usize = 32;

/// Refuse, in one linear pass before serde sees it, what would make parsing
/// slow or output huge: nesting deeper than [`MAX_DEPTH`], and aliases
/// (`*name`), which can repeat one large value thousands of times. Syntax
/// errors are left to serde_yaml, whose messages are explained below.
fn guard(text: &str, first_line: usize) -> Result<(), YamlError> {
    if plainly_shallow(text) {
        return Ok(());
    }
    let mut parser = Parser::new_from_str(text);
    let mut depth = 0usize;
    let at = |mark: Marker| Some(Pos::new(mark.line() + first_line - 1, mark.col() + 1));
    let too_deep = |mark: Marker| YamlError {
        pos: at(mark),
        message: format!("lists and fields nest more than {MAX_DEPTH} levels deep"),
        help: Some(
            "front matter fields need a few levels at most: check the indentation and brackets"
                .into(),
        ),
    };
    loop {
        let (event, mark) = match parser.next_token() {
            Ok(e) => e,
            // The scanner's own limit on flow nesting (`[[[[...`): report it here,
            // as serde_yaml takes minutes to reach the same conclusion.
            Err(e) if e.info().contains("recursion limit") => return Err(too_deep(*e.marker())),
            Err(_) => break,
        };
        match event {
            Event::SequenceStart(..) | Event::MappingStart(..) => {
                depth += 1;
                if depth > MAX_DEPTH {
                    return Err(too_deep(mark));
                }
            }
            Event::SequenceEnd | Event::MappingEnd => depth = depth.saturating_sub(1),
            Event::Alias(_) => {
                return Err(YamlError {
                    pos: at(mark),
                    message: "YAML aliases (`*name`) are not supported in gazette files".into(),
                    help: Some("write the value out where it is needed".into()),
                })
            }
            Event::StreamEnd => break,
            _ => {}
        }
    }
    Ok(())
}

/// Whether `text` certainly passes [`guard`], found by a scan of its bytes
/// rather than a parse (the parse was a third of loading a file): it has no
/// `*` at all, so no alias, and a bound on its nesting within [`MAX_DEPTH`].
///
/// The bound: a block collection nested in another starts at a greater
/// column, except a list that is a mapping's value, which may start at the
/// mapping's column; so block nesting is at most twice the largest column
/// where a line's content starts, plus two. Flow collections (`[`, `{`)
/// nest inside block ones and add at most as many levels as there are
/// opening brackets: every one counts, and none is taken back by a `]`,
/// which may be quoted or in a comment. A lone carriage return, a line
/// break to YAML but not to [`str::lines`], sends the text to the parse.
/// Anything else is parsed too.
fn plainly_shallow(text: &str) -> bool {
    if text.contains('*') || text.split("\r\n").any(|part| part.contains('\r')) {
        return false;
    }
    let brackets = text.bytes().filter(|b| matches!(b, b'[' | b'{')).count();
    let widest = text.lines().map(content_column).max().unwrap_or(0);
    2 * (widest + 1) + brackets <= MAX_DEPTH
}

/// The column where a line's content starts, past its indentation and any
/// block indicators before it (`- - key: x` starts at 4).
fn content_column(line: &str) -> usize {
    let mut rest = line.trim_start_matches([' ', '\t']);
    let mut column = line.len() - rest.len();
    while let Some(after) = ["- ", "? ", ": "]
        .iter()
        .find_map(|indicator| rest.strip_prefix(indicator))
    {
        let next = after.trim_start_matches([' ', '\t']);
        column += rest.len() - next.len();
        rest = next;
    }
    column
}

/// Rewrite serde_yaml's message into an editor's terms, with a suggestion.
fn explain(raw: &str, what: &str) -> (String, Option<String>) {
    // serde_yaml writes " at line L column C" (counted in the YAML, not the file):
    // the position is reported separately, in file terms.
    let stripped = strip_positions(raw);
    let msg = stripped.as_str();
    if msg.contains("found character that cannot start any token") || msg.contains("found a tab") {
        return (
            "this line starts with a character YAML cannot read here (often a tab)".into(),
            Some("indent with spaces, not tabs".into()),
        );
    }
    if msg.contains("mapping values are not allowed") {
        return (
            "a value contains `: `, which YAML reads as a new field".into(),
            Some("put the value in quotes: title: \"Office: of the thing\"".into()),
        );
    }
    if msg.contains("did not find expected ',' or ']'")
        || msg.contains("did not find expected ',' or '}'")
    {
        return (
            "a list or mapping in brackets is not closed".into(),
            Some("close it with `]` or `}` on the same value, or quote the text".into()),
        );
    }
    if msg.contains("while scanning a quoted scalar") {
        return (
            "a quoted value is not closed".into(),
            Some("add the closing quote (\" or ') at the end of the value".into()),
        );
    }
    if let Some(rest) = msg.split("unknown field `").nth(1) {
        let field = rest.split('`').next().unwrap_or_default();
        let expected: Vec<&str> = rest.split('`').skip(2).step_by(2).collect();
        let prefix = field_path_prefix(msg);
        let help = did_you_mean(field, expected.iter().copied()).or_else(|| {
            (!expected.is_empty())
                .then(|| format!("the keys of {what} are: {}", expected.join(", ")))
        });
        return (format!("unknown key `{prefix}{field}` in {what}"), help);
    }
    if let Some(rest) = msg.split("missing field `").nth(1) {
        let field = rest.split('`').next().unwrap_or_default();
        let prefix = field_path_prefix(msg);
        return (
            format!("missing required key `{prefix}{field}` in {what}"),
            None,
        );
    }
    if msg.contains("unknown variant `") {
        let mut parts = msg.split('`');
        let variant = parts.nth(1).unwrap_or_default();
        let expected: Vec<&str> = msg.split('`').skip(3).step_by(2).collect();
        let help = did_you_mean(variant, expected.iter().copied())
            .or_else(|| Some(format!("expected one of: {}", expected.join(", "))));
        let prefix = msg.split(": unknown variant").next().unwrap_or_default();
        let field = if prefix.contains(' ') {
            String::new()
        } else {
            format!(" for `{prefix}`")
        };
        return (format!("unknown value `{variant}`{field}"), help);
    }
    let help = if msg.contains("expected a sequence") {
        Some("write a list: `[a, b]`, or one `- item` per line".to_string())
    } else if msg.contains("expected a string") {
        Some("write text, in quotes if it contains `:`, `[` or `#`".to_string())
    } else {
        None
    };
    (msg.to_string(), help)
}

/// Remove every " at line L column C" from a serde_yaml message.
fn strip_positions(raw: &str) -> String {
    let mut out = String::new();
    let mut rest = raw;
    while let Some(i) = rest.find(" at line ") {
        out.push_str(&rest[..i]);
        let tail = &rest[i + " at line ".len()..];
        let skip = tail
            .split_once(" column ")
            .map(|(line, after)| {
                let digits = after.chars().take_while(char::is_ascii_digit).count();
                if line.chars().all(|c| c.is_ascii_digit()) && digits > 0 {
                    line.len() + " column ".len() + digits
                } else {
                    0
                }
            })
            .unwrap_or(0);
        if skip == 0 {
            out.push_str(" at line ");
        }
        rest = &tail[skip..];
    }
    out.push_str(rest);
    out
}

/// serde_yaml prefixes nested errors with "path.to.map: "; keep it as "path.to.map.".
fn field_path_prefix(msg: &str) -> String {
    match msg.split_once(": ") {
        Some((path, rest)) if !path.contains(' ') && rest.starts_with(['u', 'm']) => {
            format!("{path}.")
        }
        _ => String::new(),
    }
}

/// Where each value of a YAML document starts, by path (`deadlines.0.agency`).
#[derive(Debug, Default, Clone)]
pub struct Spans {
    map: HashMap<String, Pos>,
}

impl Spans {
    /// Record the start of every value in `text`, a document beginning at `first_line`.
    /// A document that does not parse yields no spans (serde reports the error).
    pub fn of(text: &str, first_line: usize) -> Spans {
        let mut rec = Recorder {
            first_line,
            stack: Vec::new(),
            spans: Spans::default(),
        };
        let mut parser = Parser::new_from_str(text);
        if parser.load(&mut rec, false).is_err() {
            return Spans::default();
        }
        rec.spans
    }

    /// The position of the value at `path`, falling back to its nearest recorded parent.
    pub fn get(&self, path: &str) -> Option<Pos> {
        let mut p = path;
        loop {
            if let Some(pos) = self.map.get(p) {
                return Some(*pos);
            }
            p = &p[..p.rfind('.')?];
        }
    }

    /// The position of the key `name` at the top level (for a missing or wrong value).
    pub fn key(&self, name: &str) -> Option<Pos> {
        self.map.get(&format!("{name}#key")).copied()
    }
}

enum Frame {
    Map {
        path: String,
        key: Option<String>,
        /// Whether a key has been seen yet.
        keyed: bool,
    },
    Seq {
        path: String,
        index: usize,
    },
}

struct Recorder {
    first_line: usize,
    stack: Vec<Frame>,
    spans: Spans,
}

impl Recorder {
    fn pos(&self, mark: Marker) -> Pos {
        Pos::new(mark.line() + self.first_line - 1, mark.col() + 1)
    }

    /// The path of the node about to start, or None when it is a mapping key.
    fn child_path(&self) -> Option<String> {
        match self.stack.last() {
            None => Some(String::new()),
            Some(Frame::Map { key: None, .. }) => None,
            Some(Frame::Map {
                path, key: Some(k), ..
            }) => Some(join(path, k)),
            Some(Frame::Seq { path, index }) => Some(join(path, &index.to_string())),
        }
    }

    /// A value finished: the parent moves on to its next key or item.
    fn advance(&mut self) {
        match self.stack.last_mut() {
            Some(Frame::Map { key, .. }) => *key = None,
            Some(Frame::Seq { index, .. }) => *index += 1,
            None => {}
        }
    }
}

fn join(parent: &str, child: &str) -> String {
    if parent.is_empty() {
        child.to_string()
    } else {
        format!("{parent}.{child}")
    }
}

impl MarkedEventReceiver for Recorder {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let pos = self.pos(mark);
        match ev {
            Event::Scalar(value, ..) => match self.child_path() {
                None => {
                    if let Some(Frame::Map { path, key, keyed }) = self.stack.last_mut() {
                        // A block mapping's start marker can fall after its first key;
                        // its first key is where an editor sees it begin.
                        if !*keyed {
                            *keyed = true;
                            self.spans.map.insert(path.clone(), pos);
                        }
                        let key_path = format!("{}#key", join(path, &value));
                        *key = Some(value);
                        self.spans.map.insert(key_path, pos);
                    }
                }
                Some(path) => {
                    self.spans.map.insert(path, pos);
                    self.advance();
                }
            },
            Event::MappingStart(..) | Event::SequenceStart(..) => {
                // A collection used as a mapping key is unusual; give it a placeholder name.
                let path = self.child_path().unwrap_or_else(|| "?".to_string());
                self.spans.map.insert(path.clone(), pos);
                self.stack.push(if matches!(ev, Event::MappingStart(..)) {
                    Frame::Map {
                        path,
                        key: None,
                        keyed: false,
                    }
                } else {
                    Frame::Seq { path, index: 0 }
                });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                self.advance();
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[test]
    fn spans_point_at_values_in_file_lines() {
        let yaml = "title: X\nagencies: [dhs, tresury]\ndeadlines:\n  - id: a\n    agency: omb\n";
        let spans = Spans::of(yaml, 2);
        assert_eq!(spans.get("title"), Some(Pos::new(2, 8)));
        assert_eq!(spans.get("agencies.1"), Some(Pos::new(3, 17)));
        assert_eq!(spans.get("deadlines.0.agency"), Some(Pos::new(6, 13)));
        assert_eq!(spans.key("agencies"), Some(Pos::new(3, 1)));
        // unknown paths fall back to the closest parent
        assert_eq!(spans.get("deadlines.0.agency.x"), Some(Pos::new(6, 13)));
    }

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    #[allow(dead_code)]
    struct T {
        title: String,
        agencies: Vec<String>,
    }

    #[test]
    fn unknown_key_is_positioned_in_the_file_with_a_suggestion() {
        let err = parse::<T>("title: X\nagencys: []\n", 2, "a provision").unwrap_err();
        assert_eq!(err.pos, Some(Pos::new(3, 1)));
        assert_eq!(err.message, "unknown key `agencys` in a provision");
        assert_eq!(err.help.as_deref(), Some("did you mean `agencies`?"));
    }

    /// Nested block lists and mappings, flow lists, and both, `depth` deep.
    fn nested(depth: usize) -> Vec<String> {
        let block_lists = format!("{}x\n", "- ".repeat(depth));
        let block_maps: String = (0..depth)
            .map(|i| format!("{}k{i}:\n", "  ".repeat(i)))
            .collect::<String>()
            + &format!("{}v: 1\n", "  ".repeat(depth));
        // A list as a mapping's value may start at the mapping's column,
        // and what a list holds one column further: two levels a column.
        let mixed: String = (0..depth / 2)
            .map(|i| format!("{}k{i}:\n{}-\n", " ".repeat(i), " ".repeat(i)))
            .collect::<String>()
            + &format!("{}v: 1\n", " ".repeat(depth / 2));
        let flow = format!("a: {}1{}\n", "[".repeat(depth), "]".repeat(depth));
        let both = format!(
            "a:\n{}\n",
            (0..depth / 2)
                .map(|i| format!("{}- ", "  ".repeat(i)))
                .collect::<Vec<_>>()
                .join("\n")
                + &format!("{}{}", "[".repeat(depth / 2), "]".repeat(depth / 2))
        );
        vec![block_lists, block_maps, mixed, flow, both]
    }

    #[test]
    fn what_the_scan_lets_through_the_guard_lets_through() {
        for depth in 1..=40 {
            for doc in nested(depth) {
                if plainly_shallow(&doc) {
                    assert!(guard(&doc, 1).is_ok(), "depth {depth}:\n{doc}");
                }
            }
        }
        // Too deep is never let through, whatever the shape (each shape is
        // YAML that nests as deep as it says: the guard refuses it).
        for doc in nested(MAX_DEPTH + 1) {
            assert!(guard(&doc, 1).is_err(), "{doc}");
            assert!(!plainly_shallow(&doc), "{doc}");
        }
        for doc in ["a: *x\n", "a: &x 1\nb: *x\n", "a: '*'\n"] {
            assert!(!plainly_shallow(doc), "{doc}");
        }
        // Closing brackets that close nothing (quoted, in comments), and
        // lines that end in a lone carriage return, do not hide depth.
        let deep = MAX_DEPTH + 9;
        let quoted = format!("a: {}1{}\n", "[ \"]\", ".repeat(deep), "]".repeat(deep));
        let commented = format!("a: {}1{}\n", "[ # ]\n  ".repeat(deep), "]".repeat(deep));
        let returns: String = (0..deep)
            .map(|i| format!("{}k{i}:\r", " ".repeat(i)))
            .collect::<String>()
            + &format!("{}v: 1\n", " ".repeat(deep));
        for doc in [quoted, commented, returns] {
            assert!(guard(&doc, 1).is_err(), "{doc:?}");
            assert!(!plainly_shallow(&doc), "{doc:?}");
        }
    }

    #[test]
    fn ordinary_front_matter_is_scanned_not_parsed() {
        let yaml = "title: X\nagencies: [a, b]\ndeadlines:\n  - id: d\n    due: { within_days: 30, of: signing }\n    sources: [s]\nversions:\n  - id: v\n    text: |\n      Review within 30 days.\n";
        assert!(plainly_shallow(yaml));
        assert_eq!(content_column("  - - k: v"), 6);
        assert_eq!(content_column("- "), 2);
    }

    #[test]
    fn wrong_type_is_positioned() {
        let err = parse::<T>("title: X\nagencies: 3\n", 2, "a provision").unwrap_err();
        assert_eq!(err.pos.map(|p| p.line), Some(3));
        assert!(err.message.contains("invalid type"), "{}", err.message);
    }
}
