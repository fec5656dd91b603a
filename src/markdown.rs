//! Markdown to HTML, with gazette's two additions: `[[wikilinks]]` to entities
//! and Pandoc-style citations `[@source]`.
//!
//! The renderer does not know the site: a [`Linker`] resolves targets, and every
//! target it rejects comes back as a [`Problem`] with the byte offset where it
//! was written, so the caller can report `path:line:column`.

use std::collections::{HashMap, HashSet};
use std::ops::Range;

use pulldown_cmark::{html, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

/// A resolved `[[target]]`.
#[derive(Debug, Clone)]
pub struct Link {
    pub href: String,
    pub title: String,
}

/// A resolved citation of one source.
#[derive(Debug, Clone)]
pub struct Cite {
    pub href: String,
    pub title: String,
    /// The source's number on this page.
    pub number: usize,
}

/// A rejected target: message and optional suggestion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkError {
    pub message: String,
    pub help: Option<String>,
    /// The target's own file failed to load and is reported already: this
    /// error is a consequence, not shown.
    pub consequence: bool,
}

pub trait Linker {
    fn wikilink(&mut self, target: &str) -> Result<Link, LinkError>;
    fn cite(&mut self, source_id: &str) -> Result<Cite, LinkError>;
    /// A site-absolute link (`/orders/x/`) under the base path.
    fn site_link(&self, path: &str) -> String;
}

/// A problem found while rendering, at byte `offset` of the Markdown text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub offset: usize,
    pub error: LinkError,
    /// A warning (the page is still right, something was left out), not an error.
    pub warning: bool,
}

impl Problem {
    fn error(offset: usize, message: impl Into<String>, help: Option<&str>) -> Problem {
        Problem {
            offset,
            error: LinkError {
                consequence: false,
                message: message.into(),
                help: help.map(str::to_string),
            },
            warning: false,
        }
    }

    fn warning(offset: usize, message: impl Into<String>, help: Option<&str>) -> Problem {
        Problem {
            warning: true,
            ..Problem::error(offset, message, help)
        }
    }
}

pub struct Rendered {
    pub html: String,
    pub problems: Vec<Problem>,
}

fn options() -> Options {
    Options::ENABLE_TABLES
        | Options::ENABLE_FOOTNOTES
        | Options::ENABLE_STRIKETHROUGH
        | Options::ENABLE_HEADING_ATTRIBUTES
        | Options::ENABLE_WIKILINKS
        | Options::ENABLE_SMART_PUNCTUATION
}

/// Render `text`. Content is untrusted: raw HTML is left out (with a
/// warning), link and image addresses other than http(s), mailto and
/// relative ones are refused, and heading attributes other than `{#id}` and
/// `{.class}` are refused, so no script can reach a page from Markdown.
pub fn render(text: &str, linker: &mut dyn Linker) -> Rendered {
    let mut r = Renderer {
        linker,
        out: Vec::new(),
        problems: Vec::new(),
        pending_text: Vec::new(),
        skip_link_text: 0,
        link_depth: 0,
        raw_html_reported: false,
        heading_ids: HashSet::new(),
    };
    for (event, range) in Parser::new_ext(text, options()).into_offset_iter() {
        r.event(event, range);
    }
    r.flush_text();
    let events = with_heading_ids(r.out);
    let mut html_out = String::with_capacity(text.len() * 3 / 2);
    html::push_html(&mut html_out, events.into_iter());
    Rendered {
        html: html_out,
        problems: r.problems,
    }
}

struct Renderer<'l, 'a> {
    linker: &'l mut dyn Linker,
    out: Vec<Event<'a>>,
    problems: Vec<Problem>,
    /// Consecutive text events, merged before looking for citations.
    pending_text: Vec<(CowStr<'a>, usize)>,
    /// Inside a `[[id]]` without shown text: its own text is replaced by the title.
    skip_link_text: usize,
    /// Inside a link's text, where a citation (itself a link) cannot go.
    link_depth: usize,
    /// Raw HTML is reported once per text, at its first occurrence.
    raw_html_reported: bool,
    /// Explicit `{#id}`s seen so far.
    heading_ids: HashSet<String>,
}

impl<'a> Renderer<'_, 'a> {
    fn event(&mut self, event: Event<'a>, range: Range<usize>) {
        // Soft line breaks join the text around them, so a citation may span lines.
        match event {
            Event::Text(t) => self.text(t, range.start),
            Event::SoftBreak => self.text("\n".into(), range.start),
            other => self.structural(other, range),
        }
    }

    fn text(&mut self, t: CowStr<'a>, offset: usize) {
        if self.skip_link_text == 0 {
            self.pending_text.push((t, offset));
        }
    }

    fn structural(&mut self, event: Event<'a>, range: Range<usize>) {
        self.flush_text();
        match event {
            Event::Start(Tag::Link {
                link_type: LinkType::WikiLink { has_pothole },
                dest_url,
                ..
            }) => {
                self.link_depth += 1;
                self.wikilink(&dest_url, has_pothole, range.start)
            }
            Event::End(TagEnd::Link) => {
                self.link_depth = self.link_depth.saturating_sub(1);
                if self.skip_link_text > 0 {
                    self.skip_link_text -= 1;
                }
                self.out.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                self.link_depth += 1;
                let dest_url = self.checked_url(dest_url, range.start, "link");
                self.out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let dest_url = self.checked_url(dest_url, range.start, "image");
                self.out.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Html(_) | Event::InlineHtml(_) => self.raw_html(range.start),
            // Footnote labels become ids: keep them in their own `fn-` namespace.
            Event::FootnoteReference(label) => self
                .out
                .push(Event::FootnoteReference(footnote_id(&label).into())),
            Event::Start(Tag::FootnoteDefinition(label)) => self.out.push(Event::Start(
                Tag::FootnoteDefinition(footnote_id(&label).into()),
            )),
            Event::Start(Tag::HtmlBlock) | Event::End(TagEnd::HtmlBlock) => {}
            Event::Start(Tag::Heading {
                level,
                id,
                classes,
                attrs,
            }) => {
                if !attrs.is_empty() {
                    self.problems.push(Problem::error(
                        range.start,
                        "a heading may carry only an id `{#id}` and classes `{.class}`",
                        Some("remove the other attributes"),
                    ));
                }
                let classes = classes.into_iter().filter(|c| is_safe_token(c)).collect();
                let id = id.filter(|id| self.heading_id_ok(id, range.start));
                self.out.push(Event::Start(Tag::Heading {
                    level,
                    id,
                    classes,
                    attrs: Vec::new(),
                }));
            }
            other if self.skip_link_text > 0 => drop(other),
            other => self.out.push(other),
        }
    }

    /// A link or image address as it may appear in a page: site paths get the
    /// base path; a refused scheme becomes an empty address and an error.
    fn checked_url(&mut self, url: CowStr<'a>, offset: usize, what: &str) -> CowStr<'a> {
        match url_scheme(&url) {
            UrlKind::SitePath => self.linker.site_link(&url).into(),
            UrlKind::Relative | UrlKind::Allowed => url,
            UrlKind::Refused(scheme) => {
                self.problems.push(Problem::error(
                    offset,
                    format!("{what} address with the `{scheme}:` scheme is not allowed"),
                    Some("addresses in content are http(s), mailto or paths within the site"),
                ));
                "".into()
            }
        }
    }

    /// Whether an explicit `{#id}` may be used; reports why not.
    fn heading_id_ok(&mut self, id: &str, offset: usize) -> bool {
        let refused = if !is_safe_token(id) {
            Some("may hold only letters, digits, `-` and `_`")
        } else if is_reserved_id(id) {
            Some("is taken by the page itself")
        } else if !self.heading_ids.insert(id.to_string()) {
            Some("is used twice in this text")
        } else {
            None
        };
        if let Some(why) = refused {
            self.problems.push(Problem::error(
                offset,
                format!("heading id `{id}` {why}"),
                Some("choose another `{#id}`, or remove it to have one made from the heading"),
            ));
        }
        refused.is_none()
    }

    fn raw_html(&mut self, offset: usize) {
        if !self.raw_html_reported {
            self.raw_html_reported = true;
            self.problems.push(Problem::warning(
                offset,
                "raw HTML is left out of pages",
                Some(
                    "write it in Markdown; see \"Markdown\" in docs/editing.md for what is allowed",
                ),
            ));
        }
    }

    /// A target the linker refused; one whose own file failed to load is
    /// reported there, not again here.
    fn link_problem(&mut self, offset: usize, error: LinkError) {
        if !error.consequence {
            self.problems.push(Problem {
                offset,
                error,
                warning: false,
            });
        }
    }

    fn wikilink(&mut self, target: &str, has_text: bool, offset: usize) {
        let (href, title) = match self.linker.wikilink(target.trim()) {
            Ok(link) => (link.href, link.title),
            Err(error) => {
                self.link_problem(offset, error);
                ("#broken-link".to_string(), target.to_string())
            }
        };
        self.out.push(Event::Start(Tag::Link {
            link_type: LinkType::Inline,
            dest_url: href.into(),
            title: "".into(),
            id: "".into(),
        }));
        if !has_text {
            self.out.push(Event::Text(title.into()));
            self.skip_link_text += 1;
        } else {
            // Shown text follows as ordinary events; the End(Link) closes our link.
        }
    }

    fn flush_text(&mut self) {
        if self.pending_text.is_empty() {
            return;
        }
        let pieces = std::mem::take(&mut self.pending_text);
        let merged: String = pieces.iter().map(|(t, _)| t.as_ref()).collect();
        // Map an index in `merged` back to a byte offset in the source.
        let source_offset = |idx: usize| {
            let mut start = 0;
            for (t, offset) in &pieces {
                if idx < start + t.len() {
                    return offset + (idx - start);
                }
                start += t.len();
            }
            pieces.last().map_or(0, |(t, o)| o + t.len())
        };
        let mut rest = 0;
        for found in find_citations(&merged) {
            let cite = match found {
                Ok(cite) => cite,
                Err(bad) => {
                    self.problems.push(Problem::error(
                        source_offset(bad.at),
                        bad.message,
                        Some(bad.help),
                    ));
                    continue;
                }
            };
            if self.link_depth > 0 {
                // A citation is a link; links cannot nest. Leave it as written.
                self.problems.push(Problem::error(
                    source_offset(cite.range.start),
                    "a citation cannot be inside a link's text",
                    Some("put the citation after the link: [text](url) [@source]"),
                ));
                continue;
            }
            // "text [@a]" renders as "text[1]": the citation hugs the word it supports.
            let before = merged[rest..cite.range.start].trim_end_matches([' ', '\n']);
            if !before.is_empty() {
                self.out.push(Event::Text(before.to_string().into()));
            }
            let html = self.citation_html(&cite, |i| source_offset(cite.range.start + i));
            self.out.push(Event::InlineHtml(html.into()));
            rest = cite.range.end;
        }
        if let Some(i) = merged.find("[[") {
            self.problems.push(Problem::error(
                source_offset(i),
                "a wikilink is not closed, or names nothing",
                Some("write [[id]], [[kind/id]] or [[id|shown text]] on one line"),
            ));
        }
        if rest < merged.len() {
            self.out
                .push(Event::Text(merged[rest..].to_string().into()));
        }
    }

    fn citation_html(&mut self, cite: &Citation, offset_of: impl Fn(usize) -> usize) -> String {
        let mut parts = Vec::new();
        for item in &cite.items {
            let inner = match self.linker.cite(&item.id) {
                Ok(c) => format!(
                    "<a href=\"{}\" title=\"{}\">{}</a>",
                    escape(&c.href),
                    escape(&c.title),
                    c.number
                ),
                Err(error) => {
                    self.link_problem(offset_of(item.at), error);
                    format!("<span class=\"broken-link\">@{}</span>", escape(&item.id))
                }
            };
            let mut part = String::new();
            if !item.prefix.is_empty() {
                part.push_str(&escape(&item.prefix));
                part.push(' ');
            }
            part.push_str(&inner);
            if !item.locator.is_empty() {
                part.push_str(", ");
                part.push_str(&escape(&item.locator));
            }
            parts.push(part);
        }
        format!("<sup class=\"cite\">[{}]</sup>", parts.join("; "))
    }
}

/// `[see @a, p. 4; @b]` found in text.
#[derive(Debug, PartialEq, Eq)]
struct Citation {
    range: Range<usize>,
    items: Vec<CiteItem>,
}

#[derive(Debug, PartialEq, Eq)]
struct CiteItem {
    prefix: String,
    id: String,
    locator: String,
    /// Index of the `@` within the citation's bracketed text.
    at: usize,
}

/// A bracket that starts like a citation but is not one.
#[derive(Debug, PartialEq, Eq)]
struct Malformed {
    /// Index in the text where the problem is.
    at: usize,
    message: String,
    help: &'static str,
}

/// Citations in `text`, and brackets that look like citations but are malformed.
fn find_citations(text: &str) -> Vec<Result<Citation, Malformed>> {
    let mut found = Vec::new();
    let mut from = 0;
    while let Some(open) = text[from..].find('[').map(|i| i + from) {
        let Some(close) = text[open..].find(']').map(|i| i + open) else {
            break;
        };
        // A nested '[' means this bracket is not a citation; retry from the inner one.
        let inner = &text[open + 1..close];
        if let Some(nested) = inner.rfind('[') {
            from = open + 1 + nested;
            continue;
        }
        match parse_citation(inner) {
            Some(Ok(mut items)) => {
                for item in &mut items {
                    item.at += 1;
                }
                found.push(Ok(Citation {
                    range: open..close + 1,
                    items,
                }));
            }
            Some(Err(mut bad)) => {
                bad.at += open + 1;
                found.push(Err(bad));
            }
            None => {}
        }
        from = close + 1;
    }
    found
}

/// The items of `[see @a, p. 4; @b]` (without the brackets); None when no
/// part starts a citation key, so the bracket is ordinary text.
fn parse_citation(inner: &str) -> Option<Result<Vec<CiteItem>, Malformed>> {
    inner.split(';').find_map(find_at)?;
    let mut items = Vec::new();
    let mut part_start = 0;
    for part in inner.split(';') {
        let bad = |at: usize, message: &str, help| {
            Err(Malformed {
                at: part_start + at,
                message: message.to_string(),
                help,
            })
        };
        let Some(at_rel) = find_at(part) else {
            return Some(bad(
                0,
                "each part of a citation names a source: `@id`",
                "write [@a; @b], or remove the empty part",
            ));
        };
        let prefix = part[..at_rel].trim().to_string();
        let after = &part[at_rel + 1..];
        let id_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if id_len == 0 {
            return Some(bad(
                at_rel,
                "a citation needs a source id after `@`",
                "write [@source-id]",
            ));
        }
        let id = after[..id_len].to_string();
        let tail = after[id_len..].trim();
        let locator = match tail.strip_prefix(',') {
            Some(l) => l.trim().to_string(),
            None if tail.is_empty() => String::new(),
            None => {
                return Some(bad(
                    at_rel,
                    "text after a citation's source id must follow a comma",
                    "write [@source-id, p. 4]",
                ))
            }
        };
        items.push(CiteItem {
            prefix,
            id,
            locator,
            at: part_start + at_rel,
        });
        part_start += part.len() + 1;
    }
    Some(Ok(items))
}

/// The `@` that starts a citation key: at the start of the part or after a space.
fn find_at(part: &str) -> Option<usize> {
    let bytes = part.as_bytes();
    (0..bytes.len()).find(|&i| bytes[i] == b'@' && (i == 0 || bytes[i - 1].is_ascii_whitespace()))
}

fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// Ids the default theme gives elements of the pages that show Markdown; a
/// heading may not take them.
const RESERVED_IDS: &[&str] = &[
    "main",
    "search",
    "site-search-q",
    "gazette-errors",
    "disagreements",
];
/// Prefixes of ids the theme makes from entity ids and numbers.
const RESERVED_PREFIXES: &[&str] = &[
    "deadline-",
    "version-",
    "source-",
    "order-",
    "cite-",
    "change-",
    "gazette-",
    "fn-",
];

fn is_reserved_id(id: &str) -> bool {
    RESERVED_IDS.contains(&id)
        || id.ends_with("-heading")
        || RESERVED_PREFIXES.iter().any(|p| id.starts_with(p))
}

/// The id of footnote `label`: `fn-` and its slug (or its number).
fn footnote_id(label: &str) -> String {
    let slug = crate::content::slugify(label);
    format!("fn-{}", if slug.is_empty() { "note" } else { &slug })
}

/// Letters, digits, `-` and `_`: safe in an attribute and a URL fragment.
pub fn is_safe_token(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

/// Give every heading without an explicit `{#id}` an id from its text,
/// unique in the page and clear of the theme's own ids. Linear in the number
/// of headings: each base name remembers its next free suffix.
fn with_heading_ids(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    // Explicit ids were checked as they were read (see `Renderer::heading_id_ok`).
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut out = events;
    let mut next: HashMap<String, usize> = HashMap::new();
    let mut i = 0;
    while i < out.len() {
        if let Event::Start(Tag::Heading { id: None, .. }) = &out[i] {
            let mut text = String::new();
            for e in &out[i + 1..] {
                match e {
                    Event::End(TagEnd::Heading(_)) => break,
                    Event::Text(t) | Event::Code(t) => text.push_str(t),
                    _ => {}
                }
            }
            let mut base = crate::content::slugify(&text);
            if base.is_empty() {
                base = "section".to_string();
            } else if is_reserved_id(&base) {
                base = format!("section-{base}");
            }
            let n = next.entry(base.clone()).or_insert(0);
            let mut candidate = if *n == 0 {
                base.clone()
            } else {
                format!("{base}-{n}")
            };
            while used.contains(&candidate) {
                *n += 1;
                candidate = format!("{base}-{n}");
            }
            *n += 1;
            used.insert(candidate.clone());
            if let Event::Start(Tag::Heading { id, .. }) = &mut out[i] {
                *id = Some(candidate.into());
            }
        }
        i += 1;
    }
    out
}

/// An absolute http(s) address with no spaces or control characters: what a
/// field that links out (an agency's `url`, site.yaml's `edit_url`) may hold.
pub fn is_web_address(u: &str) -> bool {
    let lower = u.get(..8).unwrap_or(u).to_ascii_lowercase();
    (lower.starts_with("https://") || lower.starts_with("http://"))
        && u.len() > "https://".len()
        && !u.contains(|c: char| c.is_whitespace() || c.is_control())
}

/// What an address in content is, for the purpose of letting it into a page.
#[derive(Debug, PartialEq, Eq)]
pub enum UrlKind {
    /// `/orders/x/`: under the site's base path.
    SitePath,
    /// `#anchor`, `../x`, `page.html`, `//host/x` (scheme-relative).
    Relative,
    /// http, https or mailto.
    Allowed,
    /// Any other scheme (javascript, data, vbscript, file...), lowercased.
    Refused(String),
}

/// Classify `url` as a browser would read it: leading spaces and control
/// characters are ignored and tabs and newlines anywhere are dropped, so
/// `" java\tscript:"` is the javascript scheme.
pub fn url_scheme(url: &str) -> UrlKind {
    let cleaned: String = url
        .trim_start_matches(|c: char| c <= ' ')
        .chars()
        .filter(|c| !matches!(c, '\t' | '\n' | '\r'))
        .collect();
    let scheme_end = cleaned.find([':', '/', '?', '#']);
    if let Some(end) = scheme_end.filter(|&e| cleaned[e..].starts_with(':')) {
        let scheme = &cleaned[..end];
        let valid = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '-' | '.'));
        if valid {
            let scheme = scheme.to_ascii_lowercase();
            return match scheme.as_str() {
                "http" | "https" | "mailto" => UrlKind::Allowed,
                _ => UrlKind::Refused(scheme),
            };
        }
        // `a b:c` is not a scheme to a browser either: a relative path.
    }
    if cleaned.starts_with('/') && !cleaned.starts_with("//") && !cleaned.starts_with("/\\") {
        UrlKind::SitePath
    } else {
        UrlKind::Relative
    }
}

/// Render a short inline Markdown string (a summary) without a wrapping paragraph.
pub fn render_inline(text: &str, linker: &mut dyn Linker) -> Rendered {
    let mut r = render(text, linker);
    let trimmed = r.html.trim();
    if let Some(inner) = trimmed
        .strip_prefix("<p>")
        .and_then(|s| s.strip_suffix("</p>"))
    {
        if !inner.contains("<p>") {
            r.html = inner.to_string();
        }
    }
    r
}

/// Strip tags from rendered HTML, for a plain-text summary.
pub fn plain_text(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    let text = out
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct TestLinker {
        cited: Vec<String>,
    }

    impl Linker for TestLinker {
        fn wikilink(&mut self, target: &str) -> Result<Link, LinkError> {
            match target {
                "treasury" | "agency/treasury" => Ok(Link {
                    href: "/agencies/treasury/".into(),
                    title: "Department of the Treasury".into(),
                }),
                _ => Err(LinkError {
                    consequence: false,
                    message: format!("unknown [[{target}]]"),
                    help: None,
                }),
            }
        }
        fn cite(&mut self, id: &str) -> Result<Cite, LinkError> {
            if id.starts_with('x') {
                return Err(LinkError {
                    consequence: false,
                    message: format!("unknown source `{id}`"),
                    help: None,
                });
            }
            let number = match self.cited.iter().position(|c| c == id) {
                Some(i) => i + 1,
                None => {
                    self.cited.push(id.to_string());
                    self.cited.len()
                }
            };
            Ok(Cite {
                href: format!("/sources/{id}/"),
                title: id.to_uppercase(),
                number,
            })
        }
        fn site_link(&self, path: &str) -> String {
            format!("/kb{path}")
        }
    }

    fn html(md: &str) -> Rendered {
        render(md, &mut TestLinker { cited: vec![] })
    }

    #[test]
    fn wikilinks_use_titles_or_given_text() {
        insta::assert_snapshot!(
            html("See [[treasury]] and [[agency/treasury|the Treasury]].").html,
            @r#"<p>See <a href="/agencies/treasury/">Department of the Treasury</a> and <a href="/agencies/treasury/">the Treasury</a>.</p>"#
        );
    }

    #[test]
    fn citations_number_sources_in_order_of_first_use() {
        insta::assert_snapshot!(
            html("A [@wh-text]. B [@reuters; @wh-text, p. 4]. C [see @cfr].").html,
            @r#"<p>A<sup class="cite">[<a href="/sources/wh-text/" title="WH-TEXT">1</a>]</sup>. B<sup class="cite">[<a href="/sources/reuters/" title="REUTERS">2</a>; <a href="/sources/wh-text/" title="WH-TEXT">1</a>, p. 4]</sup>. C<sup class="cite">[see <a href="/sources/cfr/" title="CFR">3</a>]</sup>.</p>"#
        );
    }

    #[test]
    fn problems_carry_source_offsets() {
        let md = "Line one.\n\nSee [[nope]] and [@ok; @xbad].";
        let r = html(md);
        let offsets: Vec<usize> = r.problems.iter().map(|p| p.offset).collect();
        assert_eq!(
            offsets,
            vec![md.find("[[nope").unwrap(), md.find("@xbad").unwrap()]
        );
    }

    #[test]
    fn citations_may_span_a_line_break() {
        let r = html("Also [@a;\n@b].");
        assert_eq!(r.html.matches("<a href").count(), 2, "{}", r.html);
    }

    #[test]
    fn not_citations() {
        let r = html("Email a@b.org, [a link](https://x.org), [note], `[@code]`.");
        assert!(!r.html.contains("cite"), "{}", r.html);
        assert!(r.problems.is_empty());
    }

    #[test]
    fn headings_get_unique_ids_and_site_links_get_the_base_path() {
        insta::assert_snapshot!(
            html("## What it does\n\n## What it does\n\n## Custom {#mine}\n\n[home](/orders/)").html,
            @r#"
        <h2 id="what-it-does">What it does</h2>
        <h2 id="what-it-does-1">What it does</h2>
        <h2 id="mine">Custom</h2>
        <p><a href="/kb/orders/">home</a></p>
        "#
        );
    }

    #[test]
    fn no_script_reaches_the_page() {
        let attacks = [
            "<script>alert(1)</script>",
            "x <img src=x onerror=alert(1)> y",
            "<iframe src=\"https://evil.example\"></iframe>",
            "[x](javascript:alert(1))",
            "[x](JaVaScRiPt:alert(1))",
            "[x](&#106;avascript:alert(1))",
            "<javascript:alert(1)>",
            "![](javascript:alert(1))",
            "[x](data:text/html;base64,PHNjcmlwdD4=)",
            "[x](vbscript:msgbox)",
            "## Title {onclick=alert(1)}",
            "<!-- unclosed",
            "</main><p>",
        ];
        for md in attacks {
            let r = html(md);
            let lower = r.html.to_lowercase();
            for bad in [
                "<script", "onerror=", "<iframe", "onclick=", "<!--", "</main",
            ] {
                assert!(!lower.contains(bad), "{md:?} gave {}", r.html);
            }
            for attr in ["href=\"", "src=\""] {
                for (i, _) in lower.match_indices(attr) {
                    let value = &lower[i + attr.len()..];
                    let value = &value[..value.find('"').unwrap()];
                    assert!(
                        !matches!(url_scheme(value), UrlKind::Refused(_)),
                        "{md:?} gave {}",
                        r.html
                    );
                }
            }
            assert!(!r.problems.is_empty(), "{md:?} was not reported");
        }
    }

    #[test]
    fn raw_html_is_a_warning_once_and_script_urls_are_errors() {
        let r = html("<b>a</b> and <i>b</i>\n\n[x](javascript:void)");
        let warnings: Vec<_> = r.problems.iter().filter(|p| p.warning).collect();
        assert_eq!(warnings.len(), 1, "{:?}", r.problems);
        assert_eq!(warnings[0].offset, 0);
        let errors: Vec<_> = r.problems.iter().filter(|p| !p.warning).collect();
        assert_eq!(errors.len(), 1);
        assert!(errors[0].error.message.contains("`javascript:`"));
    }

    #[test]
    fn safe_addresses_pass() {
        let r = html("[a](https://x.org/) [b](mailto:a@b.org) [c](#here) [d](../x/) [e](/orders/) ![i](img.png)");
        assert!(r.problems.is_empty(), "{:?}", r.problems);
        assert!(r.html.contains("href=\"/kb/orders/\""));
        assert!(r.html.contains("href=\"mailto:a@b.org\""));
    }

    #[test]
    fn url_schemes() {
        assert_eq!(url_scheme("https://a"), UrlKind::Allowed);
        assert_eq!(url_scheme("HTTP://a"), UrlKind::Allowed);
        assert_eq!(url_scheme("/a/b"), UrlKind::SitePath);
        assert_eq!(url_scheme("//a/b"), UrlKind::Relative);
        assert_eq!(url_scheme("a/b:c"), UrlKind::Relative);
        assert_eq!(url_scheme("#x"), UrlKind::Relative);
        assert_eq!(
            url_scheme("\u{1}javascript:x"),
            UrlKind::Refused("javascript".into())
        );
        assert_eq!(
            url_scheme("java\nscript:x"),
            UrlKind::Refused("javascript".into())
        );
        assert_eq!(
            url_scheme("file:///etc/passwd"),
            UrlKind::Refused("file".into())
        );
    }

    #[test]
    fn malformed_citations_and_wikilinks_are_errors() {
        for md in [
            "See [@].",
            "See [@a; ].",
            "See [@a garbage].",
            "See [[]].",
            "See [[cisa and more.",
        ] {
            let r = html(md);
            assert_eq!(r.problems.len(), 1, "{md:?}: {:?}", r.problems);
            assert!(!r.problems[0].warning);
        }
        let r = html("See [@a; ].");
        assert_eq!(r.problems[0].offset, "See [@a;".len());
    }

    #[test]
    fn a_citation_inside_a_link_is_an_error_not_a_nested_link() {
        let r = html("[see [@a] here](https://x.org)");
        assert_eq!(r.problems.len(), 1, "{:?}", r.problems);
        assert_eq!(r.html.matches("<a ").count(), 1, "{}", r.html);
    }

    #[test]
    fn heading_ids_stay_clear_of_the_page_and_of_each_other() {
        let r = html("# Main\n\n## Source 1\n\n## X {#main}\n\n## Y {#y}\n\n## Z {#y}");
        assert!(
            r.html.contains("<h1 id=\"main-1\">") || r.html.contains("<h1 id=\"section-main\">"),
            "{}",
            r.html
        );
        assert!(r.html.contains("id=\"section-source-1\""), "{}", r.html);
        assert_eq!(r.html.matches("id=\"main\"").count(), 0, "{}", r.html);
        assert_eq!(r.html.matches("id=\"y\"").count(), 1, "{}", r.html);
        assert_eq!(r.problems.len(), 2, "{:?}", r.problems);
    }

    #[test]
    fn footnotes_keep_clear_of_page_ids() {
        let r =
            html("Text[^main] and[^gazette-errors].\n\n[^main]: One.\n\n[^gazette-errors]: Two.\n");
        assert!(!r.html.contains("id=\"main\""), "{}", r.html);
        assert!(!r.html.contains("id=\"gazette-errors\""), "{}", r.html);
        assert!(r.html.contains("id=\"fn-main\""), "{}", r.html);
        assert!(r.html.contains("href=\"#fn-main\""), "{}", r.html);
    }

    #[test]
    fn many_equal_headings_get_distinct_ids() {
        let md = "## Same\n\n".repeat(5000);
        let r = html(&md);
        let ids: HashSet<&str> = r
            .html
            .match_indices("id=\"")
            .map(|(i, _)| &r.html[i + 4..i + 4 + r.html[i + 4..].find('"').unwrap()])
            .collect();
        assert_eq!(ids.len(), 5000);
        assert!(ids.contains("same-4999"));
    }
}
