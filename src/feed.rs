//! The Atom feed (RFC 4287): dated events and changes between versions of a
//! provision, newest first, with stable ids and absolute links.

use atom_syndication::{Content, Entry, Feed, FixedDateTime, Link, Person, Text};
use jiff::civil::Date;

use crate::content::Kind;
use crate::model::Site;

struct FeedItem {
    date: Date,
    id: String,
    title: String,
    url: String,
    summary: String,
}

/// Build `/feed.xml`.
pub fn atom(site: &Site) -> String {
    let base = &site.config.base_url;
    let host = base
        .origin
        .split("://")
        .nth(1)
        .unwrap_or("gazette.localhost");
    let tag = |date: Date, what: &str| format!("tag:{host},{}:{what}", date.year());
    let mut items = Vec::new();
    for e in &site.events {
        let Some(w) = &e.date else { continue };
        items.push(FeedItem {
            date: w.date,
            id: tag(w.date, &format!("event/{}", e.meta.id)),
            title: e.meta.title.clone(),
            url: base.absolute(&Kind::Event.path_of(&e.meta.id)),
            summary: plain_text(&e.meta.body_html),
        });
    }
    for p in &site.provisions {
        for pair in p.versions.windows(2) {
            let (old, new) = (&pair[0], &pair[1]);
            let Some(date) = new.date.or(old.date) else {
                continue;
            };
            items.push(FeedItem {
                date,
                id: tag(date, &format!("change/{}/{}/{}", p.meta.id, old.id, new.id)),
                title: format!("Changed: {} ({} to {})", p.meta.title, old.label, new.label),
                url: format!(
                    "{}#version-{}",
                    base.absolute(&Kind::Provision.path_of(&p.meta.id)),
                    new.id
                ),
                summary: format!(
                    "{}: {}\n{}: {}",
                    old.label,
                    old.text.trim(),
                    new.label,
                    new.text.trim()
                ),
            });
        }
    }
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    let updated = items.first().map_or(site.as_of, |i| i.date);
    let entries: Vec<Entry> = items.iter().map(entry).collect();
    let home = base.absolute("/");
    let feed = Feed {
        title: Text::plain(site.config.title.clone()),
        id: format!("tag:{host},{}:feed", updated.year()),
        updated: datetime(updated),
        links: vec![
            link(&base.absolute("/feed.xml"), "self", "application/atom+xml"),
            link(&home, "alternate", "text/html"),
        ],
        subtitle: (!site.config.description.is_empty())
            .then(|| Text::plain(site.config.description.clone())),
        generator: Some(atom_syndication::Generator {
            value: "gazette".into(),
            uri: None,
            version: None,
        }),
        authors: vec![Person {
            name: site.config.title.clone(),
            email: None,
            uri: Some(home),
            ..Default::default()
        }],
        entries,
        ..Default::default()
    };
    feed.to_string()
}

fn entry(i: &FeedItem) -> Entry {
    Entry {
        id: i.id.clone(),
        title: Text::plain(i.title.clone()),
        updated: datetime(i.date),
        published: Some(datetime(i.date)),
        links: vec![link(&i.url, "alternate", "text/html")],
        summary: (!i.summary.is_empty()).then(|| Text::plain(i.summary.clone())),
        content: Some(Content {
            value: Some(i.summary.clone()),
            content_type: Some("text".into()),
            ..Default::default()
        }),
        ..Default::default()
    }
}

fn link(href: &str, rel: &str, mime: &str) -> Link {
    Link {
        href: href.to_string(),
        rel: rel.to_string(),
        mime_type: Some(mime.to_string()),
        ..Default::default()
    }
}

fn datetime(d: Date) -> FixedDateTime {
    let s = format!("{d}T00:00:00+00:00");
    FixedDateTime::parse_from_rfc3339(&s).unwrap_or_default()
}

/// Strip tags from rendered HTML, for a plain-text summary.
fn plain_text(html: &str) -> String {
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
