//! Atom feeds (RFC 4287), newest first, with stable ids and absolute links:
//! `/feed.xml` (dated events and changes between versions) and, per agency,
//! `/agencies/ID/feed.xml` (the deadlines set for it and the events that
//! concern it or the provisions that task it).

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

/// `tag:` ids for the site's feeds: stable across builds.
fn tag(site: &Site, date: Date, what: &str) -> String {
    let host = site
        .config
        .base_url
        .host()
        .unwrap_or(crate::calendar::STAND_IN_HOST);
    format!("tag:{host},{}:{what}", date.year())
}

/// Dated events for which `keep` is true.
fn event_items(site: &Site, keep: impl Fn(&crate::model::Event) -> bool) -> Vec<FeedItem> {
    let base = &site.config.base_url;
    site.events
        .iter()
        .filter(|e| keep(e))
        .filter_map(|e| {
            let w = e.date.as_ref()?;
            Some(FeedItem {
                date: w.date,
                id: tag(site, w.date, &format!("event/{}", e.meta.id)),
                title: e.meta.title.clone(),
                url: base.absolute(&Kind::Event.path_of(&e.meta.id)),
                summary: crate::markdown::plain_text(&e.meta.body_html),
            })
        })
        .collect()
}

/// Build `/agencies/ID/feed.xml`: the deadlines set for the agency (dated
/// when their order was signed) and the events that concern it or a
/// provision that tasks it.
/// `provisions`: those that task the agency; `deadlines`: the agency's, by
/// due date (both as the pages list them, so that no agency scans the site).
pub fn agency_atom(
    site: &Site,
    agency: &str,
    provisions: &[&crate::model::Provision],
    deadlines: &[(&crate::model::Provision, &crate::model::Deadline)],
) -> String {
    let base = &site.config.base_url;
    let tasking: std::collections::HashSet<&str> = provisions
        .iter()
        .filter(|p| p.agencies.iter().any(|a| a == agency))
        .map(|p| p.meta.id.as_str())
        .collect();
    let mut items = event_items(site, |e| {
        e.related.iter().any(|r| {
            (r.kind == Kind::Agency && r.id == agency)
                || (r.kind == Kind::Provision && tasking.contains(r.id.as_str()))
        })
    });
    for (p, d) in deadlines.iter().copied() {
        let Some(signed) = site.order(&p.order).and_then(|o| o.signed) else {
            continue;
        };
        let due = d.due.as_ref().map_or_else(
            || "no date set yet".to_string(),
            |w| format!("due {}", crate::dates::display(w.date)),
        );
        items.push(FeedItem {
            date: signed,
            id: tag(site, signed, &format!("deadline/{}/{}", p.meta.id, d.id)),
            title: format!("New deadline: {} ({due})", d.action),
            url: format!(
                "{}#deadline-{}",
                base.absolute(&Kind::Provision.path_of(&p.meta.id)),
                d.id
            ),
            summary: format!("{} ({})", d.action, p.meta.title),
        });
    }
    // Each recorded status is news: a claim, a verification or a report.
    for (p, d) in deadlines.iter().copied() {
        for (i, e) in d.history.iter().enumerate() {
            let basis = e.basis.name();
            items.push(FeedItem {
                date: e.date,
                id: tag(site, e.date, &format!("status/{}/{}/{i}", p.meta.id, d.id)),
                title: format!(
                    "Status: {} ({basis}): {}",
                    crate::dates::status_label(e.status),
                    d.action
                ),
                url: format!(
                    "{}#deadline-{}",
                    base.absolute(&Kind::Provision.path_of(&p.meta.id)),
                    d.id
                ),
                summary: match &e.note {
                    Some(n) => format!("{} ({}): {n}", d.action, p.meta.title),
                    None => format!("{} ({})", d.action, p.meta.title),
                },
            });
        }
    }
    let title = site
        .agency(agency)
        .map_or(agency.to_string(), |a| a.meta.title.clone());
    render(
        site,
        items,
        &format!("/agencies/{agency}/feed.xml"),
        &Kind::Agency.path_of(agency),
        &format!("{}: {title}", site.config.title),
        &format!("agency/{agency}/feed"),
    )
}

/// Build `/feed.xml`.
pub fn atom(site: &Site) -> String {
    let base = &site.config.base_url;
    let mut items = event_items(site, |_| true);
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
                    site,
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
    render(site, items, "/feed.xml", "/", &site.config.title, "feed")
}

/// One feed of `items`, at `path`, about the page at `page`.
fn render(
    site: &Site,
    mut items: Vec<FeedItem>,
    path: &str,
    page: &str,
    title: &str,
    what: &str,
) -> String {
    let base = &site.config.base_url;
    items.sort_by(|a, b| b.date.cmp(&a.date).then_with(|| a.id.cmp(&b.id)));
    let updated = items.first().map_or(site.as_of, |i| i.date);
    let entries: Vec<Entry> = items.iter().map(entry).collect();
    let home = base.absolute("/");
    let feed = Feed {
        title: Text::plain(title.to_string()),
        id: tag(site, updated, what),
        updated: datetime(updated),
        links: vec![
            link(&base.absolute(path), "self", "application/atom+xml"),
            link(&base.absolute(page), "alternate", "text/html"),
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
