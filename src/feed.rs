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
    let host = base.host().unwrap_or(crate::calendar::STAND_IN_HOST);
    let tag = |date: Date, what: &str| format!("tag:{host},{}:{what}", date.year());
    let mut items = Vec::new();
    for e in &site.events {
        let Some(w) = &e.date else { continue };
        items.push(FeedItem {
            date: w.date,
            id: tag(w.date, &format!("event/{}", e.meta.id)),
            title: e.meta.title.clone(),
            url: base.absolute(&Kind::Event.path_of(&e.meta.id)),
            summary: crate::markdown::plain_text(&e.meta.body_html),
        });
    }
    let owners = site
        .orders
        .iter()
        .map(|o| (Kind::Order, &o.meta, &o.versions, &o.changes))
        .chain(
            site.provisions
                .iter()
                .map(|p| (Kind::Provision, &p.meta, &p.versions, &p.changes)),
        );
    for (kind, meta, versions, changes) in owners {
        for c in changes {
            let (old, new) = (&versions[c.from], &versions[c.to]);
            let Some(date) = new.date.or(old.date) else {
                continue;
            };
            let headlines: Vec<String> = c
                .comparison
                .numeric
                .iter()
                .map(|n| n.headline(new.subject.as_deref()))
                .collect();
            let title = match headlines.first() {
                Some(h) => format!("{}: {h}", meta.title),
                None => format!("Changed: {} ({} to {})", meta.title, old.label, new.label),
            };
            let mut summary = headlines.join("; ");
            if !summary.is_empty() {
                summary.push('\n');
            }
            summary.push_str(&format!(
                "{}: {}\n{}: {}",
                old.label,
                old.text.trim(),
                new.label,
                new.text.trim()
            ));
            items.push(FeedItem {
                date,
                id: tag(
                    date,
                    &format!("change/{}/{}/{}/{}", kind.name(), meta.id, old.id, new.id),
                ),
                title,
                url: format!(
                    "{}#version-{}",
                    base.absolute(&kind.path_of(&meta.id)),
                    new.id
                ),
                summary,
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
