//! Every dated item of the site in one ordered list: order signings and
//! publications, events, deadlines, dated versions and source publications.
//! The timeline page, its filtered pages, the calendars and the feed read it.

use jiff::civil::Date;
use serde::Serialize;

use crate::content::Kind;
use crate::model::{Deadline, Provision, Ref, Site};

/// What kind of dated item an entry is; also the `/timeline/kinds/KIND/` filter.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum ItemKind {
    Signing,
    Event,
    Deadline,
    Version,
    Publication,
    /// One order revoking, superseding, amending or implementing another.
    Relation,
    /// A recorded status of a deadline: claimed, verified or reported.
    Status,
}

impl ItemKind {
    pub const ALL: [ItemKind; 7] = [
        ItemKind::Signing,
        ItemKind::Event,
        ItemKind::Deadline,
        ItemKind::Version,
        ItemKind::Publication,
        ItemKind::Relation,
        ItemKind::Status,
    ];

    pub fn slug(self) -> &'static str {
        match self {
            ItemKind::Signing => "signing",
            ItemKind::Event => "event",
            ItemKind::Deadline => "deadline",
            ItemKind::Version => "version",
            ItemKind::Publication => "publication",
            ItemKind::Relation => "relation",
            ItemKind::Status => "status",
        }
    }

    /// One item of this kind: "Deadline".
    pub fn singular(self) -> &'static str {
        match self {
            ItemKind::Signing => "Signing",
            ItemKind::Event => "Event",
            ItemKind::Deadline => "Deadline",
            ItemKind::Version => "Version",
            ItemKind::Publication => "Publication",
            ItemKind::Relation => "Order",
            ItemKind::Status => "Status",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            ItemKind::Signing => "Signings",
            ItemKind::Event => "Events",
            ItemKind::Deadline => "Deadlines",
            ItemKind::Version => "Versions of the text",
            ItemKind::Publication => "Publications",
            ItemKind::Relation => "Orders revoked, superseded, amended",
            ItemKind::Status => "Status reports",
        }
    }
}

/// One dated item.
#[derive(Debug, Clone)]
pub struct Item<'s> {
    pub date: Date,
    pub kind: ItemKind,
    pub title: String,
    /// The page the item belongs to.
    pub page: Ref,
    /// An anchor on that page (`deadline-ID`, `version-ID`), if any.
    pub anchor: Option<String>,
    /// Agencies the item concerns.
    pub agencies: Vec<String>,
    /// Set for deadlines.
    pub deadline: Option<(&'s Provision, &'s Deadline)>,
    /// A stable id, unique in the site (`deadline/ID`, `event/ID`, ...).
    pub key: String,
}

/// All dated items, by date, then kind, then key: deterministic.
pub fn items(site: &Site) -> Vec<Item<'_>> {
    let mut out = Vec::new();
    // What signing and publication events say, in one pass: asking every
    // event for each source grew with sources times events.
    let told = told_by_events(site);
    for o in &site.orders {
        let page = Ref::new(Kind::Order, o.meta.id.as_str());
        let has_signing_event = o
            .signed
            .is_some_and(|date| told.contains(&("signing", &page, date)));
        if let (Some(date), false) = (o.signed, has_signing_event) {
            out.push(Item {
                date,
                kind: ItemKind::Signing,
                title: format!("Signed: {}", o.meta.title),
                page: page.clone(),
                anchor: None,
                agencies: Vec::new(),
                deadline: None,
                key: format!("order/{}/signed", o.meta.id),
            });
        }
        if let Some(date) = o.published {
            out.push(Item {
                date,
                kind: ItemKind::Publication,
                title: format!("Published: {}", o.meta.title),
                page,
                anchor: None,
                agencies: Vec::new(),
                deadline: None,
                key: format!("order/{}/published", o.meta.id),
            });
        }
    }
    for o in &site.orders {
        for r in &o.relations {
            let Some(date) = r.date else { continue };
            let target = site
                .title_of(&Ref::new(Kind::Order, r.order.as_str()))
                .to_string();
            out.push(Item {
                date,
                kind: ItemKind::Relation,
                title: format!(
                    "{}: {target}, by {}",
                    r.kind.passive().split(' ').next().unwrap_or_default(),
                    o.meta.title
                ),
                page: Ref::new(Kind::Order, r.order.as_str()),
                anchor: None,
                agencies: Vec::new(),
                deadline: None,
                key: format!("relation/{}/{}/{}", o.meta.id, r.kind.field(), r.order),
            });
        }
    }
    for e in &site.events {
        let Some(when) = &e.date else { continue };
        out.push(Item {
            date: when.date,
            kind: if e.kind == "signing" {
                ItemKind::Signing
            } else {
                ItemKind::Event
            },
            title: e.meta.title.clone(),
            page: Ref::new(Kind::Event, e.meta.id.as_str()),
            anchor: None,
            agencies: e
                .related
                .iter()
                .filter(|r| r.kind == Kind::Agency)
                .map(|r| r.id.clone())
                .collect(),
            deadline: None,
            key: format!("event/{}", e.meta.id),
        });
    }
    for (p, d) in site.deadlines() {
        let page = Ref::new(Kind::Provision, p.meta.id.as_str());
        let agencies = if d.agency.is_empty() {
            Vec::new()
        } else {
            vec![d.agency.clone()]
        };
        // Each recorded status is dated news of the deadline.
        for (i, e) in d.history.iter().enumerate() {
            out.push(Item {
                date: e.date,
                kind: ItemKind::Status,
                title: format!(
                    "{} ({}): {}",
                    crate::dates::status_label(e.status),
                    e.basis.name(),
                    d.action
                ),
                page: page.clone(),
                anchor: Some(format!("deadline-{}", d.id)),
                agencies: agencies.clone(),
                deadline: None,
                key: format!("status/{}/{i}", d.id),
            });
        }
        let Some(when) = &d.due else { continue };
        out.push(Item {
            date: when.date,
            kind: ItemKind::Deadline,
            title: d.action.clone(),
            page,
            anchor: Some(format!("deadline-{}", d.id)),
            agencies,
            deadline: Some((p, d)),
            key: format!("deadline/{}", d.id),
        });
    }
    for p in &site.provisions {
        for v in &p.versions {
            let Some(date) = v.date else { continue };
            out.push(Item {
                date,
                kind: ItemKind::Version,
                title: format!("{}: {}", v.label, p.meta.title),
                page: Ref::new(Kind::Provision, p.meta.id.as_str()),
                anchor: Some(format!("version-{}", v.id)),
                agencies: p.agencies.clone(),
                deadline: None,
                key: format!("version/{}/{}", p.meta.id, v.id),
            });
        }
    }
    for s in &site.sources {
        let Some(date) = s.date else { continue };
        // An editor's publication event for this source says it better.
        let page = Ref::new(Kind::Source, s.meta.id.as_str());
        if told.contains(&("publication", &page, date)) {
            continue;
        }
        out.push(Item {
            date,
            kind: ItemKind::Publication,
            title: format!("{} publishes “{}”", s.publisher, s.meta.title),
            page,
            anchor: None,
            agencies: Vec::new(),
            deadline: None,
            key: format!("source/{}", s.meta.id),
        });
    }
    out.sort_by(|a, b| (a.date, a.kind, &a.key).cmp(&(b.date, b.kind, &b.key)));
    out
}

/// Each (kind, related entity, date) of the site's dated signing and
/// publication events.
fn told_by_events(site: &Site) -> foldhash::HashSet<(&'static str, &Ref, Date)> {
    let mut told = foldhash::HashSet::default();
    for e in &site.events {
        let kind = match e.kind.as_str() {
            "signing" => "signing",
            "publication" => "publication",
            _ => continue,
        };
        let Some(when) = &e.date else { continue };
        told.extend(e.related.iter().map(|r| (kind, r, when.date)));
    }
    told
}
