//! Views of the site-wide pages: timeline, deadlines, changes, version pages,
//! matrix and search.

use serde::Serialize;

use super::*;

/// `/timeline/` and its filtered pages.
#[derive(Debug, Serialize)]
pub struct TimelineView {
    pub title: String,
    /// The agency this page is filtered to, if any.
    pub agency: Option<LinkView>,
    /// The item kind this page is filtered to (`deadline`), or empty.
    pub kind: String,
    pub months: Vec<MonthView>,
    /// True when every item is before the as-of date (the marker goes last).
    pub marker_at_end: bool,
    /// Filter links: all agencies with dated items, and all kinds.
    pub agency_filters: Vec<FilterView>,
    pub kind_filters: Vec<FilterView>,
    /// Link to the unfiltered timeline.
    pub all_url: String,
    /// Events whose date no source gives.
    pub undated: Vec<LinkView>,
    pub calendar: CalendarLinkView,
}

#[derive(Debug, Serialize)]
pub struct MonthView {
    /// `2026-06`
    pub id: String,
    /// `June 2026`
    pub label: String,
    pub items: Vec<TimelineItemView>,
}

#[derive(Debug, Serialize)]
pub struct TimelineItemView {
    pub key: String,
    pub date: DateView,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub url: String,
    pub agencies: Vec<LinkView>,
    /// Agency ids, space-separated, for filtering in place.
    pub agency_ids: String,
    /// For deadlines: "12 days left", "met", ...
    pub status_label: Option<String>,
    pub status_class: Option<String>,
    /// Before the as-of date.
    pub past: bool,
    /// The "as of" marker goes just before this item.
    pub marker_before: bool,
}

#[derive(Debug, Serialize)]
pub struct FilterView {
    /// Agency id or kind slug.
    pub value: String,
    pub label: String,
    pub url: String,
    pub current: bool,
}

/// A calendar file and how to subscribe to it.
#[derive(Debug, Serialize)]
pub struct CalendarLinkView {
    /// Link to download the `.ics` file.
    pub url: String,
    /// Absolute `webcal://` address for subscribing, when the site has a host.
    pub subscribe_url: Option<String>,
    /// Absolute `https://` address to paste into a calendar app, when known.
    pub absolute_url: Option<String>,
}

/// `/deadlines/`
#[derive(Debug, Serialize)]
pub struct DeadlinesView {
    pub rows: Vec<DeadlineView>,
    pub calendar: CalendarLinkView,
    /// The sources cited in the table, numbered.
    pub citations: Vec<SourceRefView>,
}

impl Views<'_> {
    pub fn calendar_link(&self, path: &str) -> CalendarLinkView {
        let base = &self.site.config.base_url;
        CalendarLinkView {
            url: self.link(path),
            subscribe_url: base
                .host()
                .map(|host| format!("webcal://{host}{}", self.link(path))),
            absolute_url: base.host().map(|_| base.absolute(path)),
        }
    }

    /// The timeline, optionally filtered to one agency or one kind of item.
    pub fn timeline(
        &self,
        agency: Option<&str>,
        kind: Option<crate::timeline::ItemKind>,
    ) -> TimelineView {
        use crate::timeline::ItemKind;
        let s = self.site;
        let all = &self.items;
        let shown: Vec<_> = all
            .iter()
            .filter(|i| agency.is_none_or(|a| i.agencies.iter().any(|x| x == a)))
            .filter(|i| kind.is_none_or(|k| i.kind == k))
            .collect();
        let mut months: Vec<MonthView> = Vec::new();
        let mut marker_placed = false;
        for item in &shown {
            let id = item.date.strftime("%Y-%m").to_string();
            if months.last().is_none_or(|m| m.id != id) {
                months.push(MonthView {
                    label: item.date.strftime("%B %Y").to_string(),
                    id,
                    items: Vec::new(),
                });
            }
            let past = item.date < s.as_of;
            let marker_before = !past && !marker_placed;
            marker_placed |= marker_before;
            let (status_label, status_class) = match item.deadline {
                Some((_, d)) => {
                    let st = Standing::of(Some(item.date), d.status, s.as_of);
                    (Some(st.label()), Some(st.class().to_string()))
                }
                None => (None, None),
            };
            let mut url = self.link(&item.page.path());
            if let Some(a) = &item.anchor {
                url = format!("{url}#{a}");
            }
            if let Some(m) = months.last_mut() {
                m.items.push(TimelineItemView {
                    key: item.key.clone(),
                    date: DateView::new(item.date),
                    kind: item.kind.slug().to_string(),
                    kind_label: item.kind.singular().to_string(),
                    title: item.title.clone(),
                    url,
                    agencies: item
                        .agencies
                        .iter()
                        .filter_map(|a| self.agency_link(a))
                        .collect(),
                    agency_ids: item.agencies.join(" "),
                    status_label,
                    status_class,
                    past,
                    marker_before,
                });
            }
        }
        let agency_filters = s
            .agencies
            .iter()
            .filter(|a| self.dated_agencies.contains(a.meta.id.as_str()))
            .map(|a| FilterView {
                value: a.meta.id.clone(),
                label: a.acronym.clone().unwrap_or_else(|| a.meta.title.clone()),
                url: self.link(&format!("/timeline/agencies/{}/", a.meta.id)),
                current: agency == Some(a.meta.id.as_str()),
            })
            .collect();
        let kind_filters = ItemKind::ALL
            .iter()
            .map(|k| FilterView {
                value: k.slug().to_string(),
                label: k.label().to_string(),
                url: self.link(&format!("/timeline/kinds/{}/", k.slug())),
                current: kind == Some(*k),
            })
            .collect();
        let undated = if agency.is_none() && kind.is_none_or(|k| k == ItemKind::Event) {
            s.events
                .iter()
                .filter(|e| e.date.is_none())
                .map(|e| self.entity_link(&Ref::new(Kind::Event, e.meta.id.as_str())))
                .collect()
        } else {
            Vec::new()
        };
        let agency_link = agency.and_then(|a| self.agency_link(a));
        let title = match (&agency_link, kind) {
            (Some(a), _) => format!("Timeline: {}", a.title),
            (None, Some(k)) => format!("Timeline: {}", k.label().to_lowercase()),
            (None, None) => "Timeline".to_string(),
        };
        let calendar = match agency {
            Some(a) => self.calendar_link(&format!("/agencies/{a}/calendar.ics")),
            None => self.calendar_link("/calendar.ics"),
        };
        TimelineView {
            title,
            agency: agency_link,
            kind: kind.map(|k| k.slug().to_string()).unwrap_or_default(),
            marker_at_end: !marker_placed,
            months,
            agency_filters,
            kind_filters,
            all_url: self.link("/timeline/"),
            undated,
            calendar,
        }
    }

    pub fn deadlines_page(&self) -> DeadlinesView {
        let all: Vec<_> = self.site.deadlines().collect();
        let n = numbering(&[], &all);
        DeadlinesView {
            rows: all.iter().map(|(p, d)| self.deadline(p, d, &n)).collect(),
            calendar: self.calendar_link("/calendar.ics"),
            citations: self.source_refs(n.ids(), &n),
        }
    }
}

/// `/changes/`: every change between versions, by order, then provision.
#[derive(Debug, Serialize)]
pub struct ChangesView {
    /// Every numeric change across the site, as a headline with a link.
    pub headlines: Vec<HeadlineView>,
    pub orders: Vec<ChangesOrderView>,
    pub citations: Vec<SourceRefView>,
}

#[derive(Debug, Serialize)]
pub struct HeadlineView {
    pub headline: String,
    pub summary: String,
    pub context: String,
    /// Where the change is shown on this page.
    pub url: String,
    pub owner: LinkView,
}

#[derive(Debug, Serialize)]
pub struct ChangesOrderView {
    pub order: LinkView,
    /// Prefix of the anchors of this order's changes on /changes/.
    pub anchor: String,
    /// Changes to the order's own text.
    pub changes: Vec<ChangeView>,
    pub provisions: Vec<ChangesOwnerView>,
}

#[derive(Debug, Serialize)]
pub struct ChangesOwnerView {
    pub owner: LinkView,
    /// Prefix of the anchors of this provision's changes on /changes/: `change-provisions-ID`.
    pub anchor: String,
    pub changes: Vec<ChangeView>,
}

/// `/provisions/ID/versions/VID/` and `/orders/ID/versions/VID/`.
#[derive(Debug, Serialize)]
pub struct VersionPageView {
    pub owner: LinkView,
    pub version: VersionView,
    /// The current text's version (the last one).
    pub current: VersionView,
    pub citations: Vec<SourceRefView>,
}

impl Views<'_> {
    pub fn changes_page(&self) -> ChangesView {
        let s = self.site;
        let mut numbering = Numbering::default();
        let all = s
            .orders
            .iter()
            .flat_map(|o| &o.versions)
            .chain(s.provisions.iter().flat_map(|p| &p.versions));
        numbering.add(all.flat_map(|v| &v.sources));
        let mut headlines = Vec::new();
        let mut orders = Vec::new();
        for o in &s.orders {
            let order_link = self.entity_link(&Ref::new(Kind::Order, o.meta.id.as_str()));
            let own = self.changes(Kind::Order, &o.meta.id, &o.versions, &o.changes, &numbering);
            collect_headlines(
                &mut headlines,
                &own,
                &order_link,
                &change_anchor(Kind::Order, &o.meta.id),
            );
            let mut provisions = Vec::new();
            for p in s
                .provisions
                .iter()
                .filter(|p| p.order == o.meta.id && !p.changes.is_empty())
            {
                let owner = self.entity_link(&Ref::new(Kind::Provision, p.meta.id.as_str()));
                let changes = self.changes(
                    Kind::Provision,
                    &p.meta.id,
                    &p.versions,
                    &p.changes,
                    &numbering,
                );
                collect_headlines(
                    &mut headlines,
                    &changes,
                    &owner,
                    &change_anchor(Kind::Provision, &p.meta.id),
                );
                let anchor = change_anchor(Kind::Provision, &p.meta.id);
                provisions.push(ChangesOwnerView {
                    owner,
                    anchor,
                    changes,
                });
            }
            if !own.is_empty() || !provisions.is_empty() {
                orders.push(ChangesOrderView {
                    anchor: change_anchor(Kind::Order, &o.meta.id),
                    order: order_link,
                    changes: own,
                    provisions,
                });
            }
        }
        ChangesView {
            headlines,
            orders,
            citations: self.source_refs(numbering.ids(), &numbering),
        }
    }

    /// The page of version `index` of an entity's `versions`.
    pub fn version_page(
        &self,
        kind: Kind,
        id: &str,
        versions: &[Version],
        index: usize,
    ) -> Option<VersionPageView> {
        let mut n = Numbering::default();
        n.add(versions.iter().flat_map(|v| &v.sources));
        let all = self.versions(kind, id, versions, &n);
        Some(VersionPageView {
            owner: self.entity_link(&Ref::new(kind, id)),
            version: all.get(index)?.clone(),
            current: all.last()?.clone(),
            citations: self.source_refs(n.ids(), &n),
        })
    }
}

/// `change-provisions-ID`: anchors of an entity's changes on /changes/ start with it.
fn change_anchor(kind: Kind, id: &str) -> String {
    format!("change-{}-{id}", kind.folder())
}

fn collect_headlines(
    out: &mut Vec<HeadlineView>,
    changes: &[ChangeView],
    owner: &LinkView,
    anchor: &str,
) {
    for c in changes {
        for n in &c.numeric {
            out.push(HeadlineView {
                headline: n.headline.clone(),
                summary: n.summary.clone(),
                context: n.context.clone(),
                url: format!("#{anchor}-{}", c.id),
                owner: owner.clone(),
            });
        }
    }
}

/// `/matrix/`: which agency each provision tasks, one table per order.
#[derive(Debug, Serialize)]
pub struct MatrixView {
    /// Column headings: every agency a provision tasks or sets a deadline for.
    pub agencies: Vec<MatrixAgencyView>,
    pub orders: Vec<MatrixOrderView>,
}

#[derive(Debug, Serialize)]
pub struct MatrixAgencyView {
    pub id: String,
    /// The acronym, or the title when there is none.
    pub short: String,
    pub title: String,
    pub url: String,
}

#[derive(Debug, Serialize)]
pub struct MatrixOrderView {
    pub order: LinkView,
    pub rows: Vec<MatrixRowView>,
}

#[derive(Debug, Serialize)]
pub struct MatrixRowView {
    pub provision: LinkView,
    /// One cell per agency column, in the same order.
    pub cells: Vec<MatrixCellView>,
}

#[derive(Debug, Serialize)]
pub struct MatrixCellView {
    /// True when the provision tasks this agency.
    pub tasked: bool,
    /// The agency's first deadline in the provision, else the provision page.
    pub url: String,
    /// The earliest due date of the agency's deadlines here, if any.
    pub due: Option<DateView>,
    pub deadlines: usize,
    /// "DHS: 3 deadlines, first due July 2, 2026", for screen readers and tooltips.
    pub label: String,
}

impl Views<'_> {
    pub fn matrix(&self) -> MatrixView {
        let s = self.site;
        let tasks = |p: &Provision, a: &str| {
            p.agencies.iter().any(|x| x == a) || p.deadlines.iter().any(|d| d.agency == a)
        };
        let columns: Vec<&Agency> = s
            .agencies
            .iter()
            .filter(|a| s.provisions.iter().any(|p| tasks(p, &a.meta.id)))
            .collect();
        let agencies = columns
            .iter()
            .map(|a| MatrixAgencyView {
                id: a.meta.id.clone(),
                short: a.acronym.clone().unwrap_or_else(|| a.meta.title.clone()),
                title: a.meta.title.clone(),
                url: self.link(&Kind::Agency.path_of(&a.meta.id)),
            })
            .collect();
        let orders = s
            .orders
            .iter()
            .map(|o| MatrixOrderView {
                order: self.entity_link(&Ref::new(Kind::Order, o.meta.id.as_str())),
                rows: s
                    .provisions
                    .iter()
                    .filter(|p| p.order == o.meta.id)
                    .map(|p| {
                        let page = self.link(&Kind::Provision.path_of(&p.meta.id));
                        let cells = columns
                            .iter()
                            .map(|a| {
                                let id = a.meta.id.as_str();
                                let mut own: Vec<&Deadline> =
                                    p.deadlines.iter().filter(|d| d.agency == id).collect();
                                own.sort_by_key(|d| {
                                    (
                                        d.due.as_ref().map(|w| w.date).is_none(),
                                        d.due.as_ref().map(|w| w.date),
                                    )
                                });
                                let first = own.first();
                                let due = first
                                    .and_then(|d| d.due.as_ref())
                                    .map(|w| DateView::new(w.date));
                                let short =
                                    a.acronym.clone().unwrap_or_else(|| a.meta.title.clone());
                                let label = match (own.len(), &due) {
                                    (0, _) if tasks(p, id) => format!("{short}: tasked"),
                                    (0, _) => String::new(),
                                    (1, Some(d)) => {
                                        format!("{short}: 1 deadline, due {}", d.display)
                                    }
                                    (1, None) => format!("{short}: 1 deadline, no date set"),
                                    (n, Some(d)) => {
                                        format!("{short}: {n} deadlines, first due {}", d.display)
                                    }
                                    (n, None) => format!("{short}: {n} deadlines, no date set"),
                                };
                                MatrixCellView {
                                    tasked: tasks(p, id),
                                    url: first.map_or_else(
                                        || page.clone(),
                                        |d| format!("{page}#deadline-{}", d.id),
                                    ),
                                    due,
                                    deadlines: own.len(),
                                    label,
                                }
                            })
                            .collect();
                        MatrixRowView {
                            provision: self
                                .entity_link(&Ref::new(Kind::Provision, p.meta.id.as_str())),
                            cells,
                        }
                    })
                    .collect(),
            })
            .collect();
        MatrixView { agencies, orders }
    }
}

/// `/search/`
#[derive(Debug, Serialize)]
pub struct SearchView {
    /// Where Pagefind's index and scripts are.
    pub bundle_url: String,
    /// The kind indexes, for browsing without JavaScript.
    pub indexes: Vec<LinkView>,
}

impl Views<'_> {
    pub fn search_page(&self) -> SearchView {
        SearchView {
            bundle_url: self.link(&format!("/{}/", crate::search::BUNDLE)),
            indexes: [
                Kind::Order,
                Kind::Provision,
                Kind::Agency,
                Kind::Source,
                Kind::Event,
            ]
            .into_iter()
            .map(|k| LinkView {
                title: k.plural_label().to_string(),
                url: self.link(&format!("/{}/", k.folder())),
                kind: k.name().to_string(),
                key: k.folder().to_string(),
            })
            .collect(),
        }
    }
}

/// `/stale/`: what editors should check again, oldest review first.
#[derive(Debug, Serialize)]
pub struct StaleView {
    /// site.yaml's `stale_after_days`, if set.
    pub after_days: Option<u32>,
    /// Reviewed longer ago than that.
    pub stale: Vec<ReviewItemView>,
    /// No `reviewed` date.
    pub unreviewed: Vec<ReviewItemView>,
    /// Reviewed recently enough.
    pub fresh: Vec<ReviewItemView>,
}

#[derive(Debug, Serialize)]
pub struct ReviewItemView {
    pub link: LinkView,
    pub kind_label: String,
    pub reviewed: Option<DateView>,
    /// Days since the review.
    pub days: Option<i64>,
    /// The content file, for the editor.
    pub file: String,
}

impl Views<'_> {
    pub fn stale_page(&self) -> StaleView {
        let site = self.site;
        let mut items: Vec<(Kind, &crate::model::Meta)> = Vec::new();
        items.extend(site.orders.iter().map(|x| (Kind::Order, &x.meta)));
        items.extend(site.provisions.iter().map(|x| (Kind::Provision, &x.meta)));
        items.extend(site.agencies.iter().map(|x| (Kind::Agency, &x.meta)));
        items.extend(site.sources.iter().map(|x| (Kind::Source, &x.meta)));
        items.extend(site.events.iter().map(|x| (Kind::Event, &x.meta)));
        items.extend(site.pages.iter().map(|x| (Kind::Page, &x.meta)));
        // Oldest review first; then by kind and title, for a stable order.
        items.sort_by(|a, b| (a.1.reviewed, a.0, &a.1.title).cmp(&(b.1.reviewed, b.0, &b.1.title)));
        let mut view = StaleView {
            after_days: site.config.stale_after_days,
            stale: Vec::new(),
            unreviewed: Vec::new(),
            fresh: Vec::new(),
        };
        for (kind, meta) in items {
            let item = ReviewItemView {
                link: self.entity_link(&Ref::new(kind, meta.id.as_str())),
                kind_label: kind.name().to_string(),
                reviewed: meta.reviewed.map(DateView::new),
                days: meta
                    .reviewed
                    .map(|d| crate::dates::days_between(d, site.as_of)),
                file: meta.file.display().to_string(),
            };
            match (
                meta.reviewed,
                crate::resolve::stale_days(&site.config, site.as_of, meta.reviewed),
            ) {
                (None, _) => view.unreviewed.push(item),
                (Some(_), Some(_)) => view.stale.push(item),
                (Some(_), None) => view.fresh.push(item),
            }
        }
        view
    }
}
