//! Markdown to HTML, with gazette's two additions: `[[wikilinks]]` to entities
//! and Pandoc-style citations `[@source]`.
//!
//! The renderer does not know the site: a [`Linker`] resolves targets, and every
//! target it rejects comes back as a [`Problem`] with the byte offset where it
//! was written, so the caller can report `path:line:column`.

use std::collections::HashSet;
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

pub fn render(text: &str, linker: &mut dyn Linker) -> Rendered {
    let mut r = Renderer {
        linker,
        out: Vec::new(),
        problems: Vec::new(),
        pending_text: Vec::new(),
        skip_link_text: 0,
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
            }) => self.wikilink(&dest_url, has_pothole, range.start),
            Event::End(TagEnd::Link) if self.skip_link_text > 0 => {
                self.skip_link_text -= 1;
                self.out.push(Event::End(TagEnd::Link));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) if dest_url.starts_with('/') && !dest_url.starts_with("//") => {
                let dest_url = self.linker.site_link(&dest_url).into();
                self.out.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            other if self.skip_link_text > 0 => drop(other),
            other => self.out.push(other),
        }
    }

    fn wikilink(&mut self, target: &str, has_text: bool, offset: usize) {
        let (href, title) = match self.linker.wikilink(target.trim()) {
            Ok(link) => (link.href, link.title),
            Err(error) => {
                self.problems.push(Problem { offset, error });
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
        for cite in find_citations(&merged) {
            // "text [@a]" renders as "text[1]": the citation hugs the word it supports.
            let before = merged[rest..cite.range.start].trim_end_matches([' ', '\n']);
            if !before.is_empty() {
                self.out.push(Event::Text(before.to_string().into()));
            }
            let html = self.citation_html(&cite, |i| source_offset(cite.range.start + i));
            self.out.push(Event::InlineHtml(html.into()));
            rest = cite.range.end;
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
                    self.problems.push(Problem {
                        offset: offset_of(item.at),
                        error,
                    });
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

fn find_citations(text: &str) -> Vec<Citation> {
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
        if let Some(mut items) = parse_citation(inner) {
            for item in &mut items {
                item.at += 1;
            }
            found.push(Citation {
                range: open..close + 1,
                items,
            });
        }
        from = close + 1;
    }
    found
}

fn parse_citation(inner: &str) -> Option<Vec<CiteItem>> {
    let mut items = Vec::new();
    let mut part_start = 0;
    for part in inner.split(';') {
        let at_rel = find_at(part)?;
        let prefix = part[..at_rel].trim().to_string();
        let after = &part[at_rel + 1..];
        let id_len = after
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '-' || c == '_'))
            .unwrap_or(after.len());
        if id_len == 0 {
            return None;
        }
        let id = after[..id_len].to_string();
        let tail = after[id_len..].trim();
        let locator = match tail.strip_prefix(',') {
            Some(l) => l.trim().to_string(),
            None if tail.is_empty() => String::new(),
            None => return None,
        };
        items.push(CiteItem {
            prefix,
            id,
            locator,
            at: part_start + at_rel,
        });
        part_start += part.len() + 1;
    }
    (!items.is_empty()).then_some(items)
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

/// Give every heading without an explicit `{#id}` an id from its text, unique in the page.
fn with_heading_ids(events: Vec<Event<'_>>) -> Vec<Event<'_>> {
    let mut used: HashSet<String> = events
        .iter()
        .filter_map(|e| match e {
            Event::Start(Tag::Heading { id: Some(id), .. }) => Some(id.to_string()),
            _ => None,
        })
        .collect();
    let mut out = events;
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
            let base = crate::content::slugify(&text);
            let base = if base.is_empty() {
                "section".to_string()
            } else {
                base
            };
            let mut candidate = base.clone();
            let mut n = 1;
            while used.contains(&candidate) {
                candidate = format!("{base}-{n}");
                n += 1;
            }
            used.insert(candidate.clone());
            if let Event::Start(Tag::Heading { id, .. }) = &mut out[i] {
                *id = Some(candidate.into());
            }
        }
        i += 1;
    }
    out
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
                    message: format!("unknown [[{target}]]"),
                    help: None,
                }),
            }
        }
        fn cite(&mut self, id: &str) -> Result<Cite, LinkError> {
            if id.starts_with('x') {
                return Err(LinkError {
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
}
