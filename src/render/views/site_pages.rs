//! Views of the site-wide pages: timeline, deadlines, changes, version pages,
//! matrix and search.

use serde::Serialize;

use super::*;
use crate::render::lists::{self, Scope};
use crate::render::paging::{self, PagerView};
use crate::status::Category;

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
    /// Filter links: all agencies with dated items (on every page up to
    /// [`AGENCY_FILTERS_FULL`] of them, else on the first page of the whole
    /// timeline only), and all kinds.
    pub agency_filters: Vec<FilterView>,
    /// Where every agency's filter is listed, when this page does not list
    /// them; empty when it does.
    pub agency_list_url: String,
    pub kind_filters: Vec<FilterView>,
    /// Link to the unfiltered timeline.
    pub all_url: String,
    /// Events whose date no source gives.
    pub undated: Vec<LinkView>,
    pub calendar: CalendarLinkView,
    pub pager: PagerView,
}

/// A site with up to this many agencies (with dated items) lists each
/// agency's timeline on every timeline page; a larger one lists them on the
/// first page of `/timeline/`, and its other timeline pages link there. The
/// list on every page grew with agencies times pages: at 100,000 provisions,
/// 1,000 links on each of 3,100 pages, 300 MB, 40% of the timeline's bytes.
pub const AGENCY_FILTERS_FULL: usize = 30;

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

/// `/deadlines/`, and an order's or agency's list when it is long.
#[derive(Debug, Serialize)]
pub struct DeadlinesView {
    pub title: String,
    /// The order or agency whose deadlines these are, if not the whole site's.
    pub owner: Option<LinkView>,
    /// The scoreboard category these are, when the list is one ("Met (verified)").
    pub category: Option<String>,
    /// The scoreboard of the same order, agency or site.
    pub status_url: String,
    /// The same rows as a spreadsheet.
    pub csv_url: String,
    pub pager: PagerView,
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

    /// Page `page` of the timeline, optionally filtered to one agency or one
    /// kind of item.
    pub fn timeline(
        &self,
        agency: Option<&str>,
        kind: Option<crate::timeline::ItemKind>,
        page: usize,
    ) -> TimelineView {
        use crate::timeline::ItemKind;
        let s = self.site;
        let memo = self.timeline_rows(agency, kind);
        // The as-of marker goes before the first item not in the past.
        let (rows, first_ahead) = (&memo.0, memo.1);
        let shown = |i: usize| rows.get(i).map(|&at| &self.items()[at]);
        let range = paging::rows(page, rows.len(), s.config.page_size);
        let mut months: Vec<MonthView> = Vec::new();
        for (at, item) in rows[range.clone()]
            .iter()
            .map(|&i| &self.items()[i])
            .enumerate()
        {
            let id = item.date.strftime("%Y-%m").to_string();
            if months.last().is_none_or(|m| m.id != id) {
                months.push(MonthView {
                    label: item.date.strftime("%B %Y").to_string(),
                    id,
                    items: Vec::new(),
                });
            }
            let past = item.date < s.as_of;
            let marker_before = first_ahead == Some(range.start + at);
            let (status_label, status_class) = match item.deadline {
                Some((_, d)) => {
                    let st = Standing::of_deadline(d, s.as_of);
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
        let last_page = range.end == rows.len();
        let pager = paging::pager(
            page,
            rows.len(),
            s.config.page_size,
            &self.link(&timeline_base(agency, kind)),
            |i| shown(i).map_or_else(String::new, |x| dates::display(x.date)),
        );
        let lists_agencies = self.dated_agencies() <= AGENCY_FILTERS_FULL
            || (agency.is_none() && kind.is_none() && page == 0);
        let agency_filters = s
            .agencies
            .iter()
            .filter(|a| lists_agencies && self.is_dated(a.meta.id.as_str()))
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
        let undated = if page == 0 && agency.is_none() && kind.is_none_or(|k| k == ItemKind::Event)
        {
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
            marker_at_end: first_ahead.is_none() && last_page,
            months,
            pager,
            agency_filters,
            agency_list_url: if lists_agencies {
                String::new()
            } else {
                self.link("/timeline/")
            },
            kind_filters,
            all_url: self.link("/timeline/"),
            undated,
            calendar,
        }
    }

    /// Page `page` of a list of deadlines: the site's, an order's or an agency's.
    pub fn deadlines_page(&self, scope: Scope, page: usize) -> DeadlinesView {
        self.deadlines_page_of(scope, None, page)
    }

    /// Page `page` of a list of deadlines, only those of `category` if given.
    pub fn deadlines_page_of(
        &self,
        scope: Scope,
        category: Option<Category>,
        page: usize,
    ) -> DeadlinesView {
        let s = self.site;
        let all = self.deadline_rows(scope, category);
        let range = paging::rows(page, all.len(), s.config.page_size);
        let rows = &all[range];
        let n = numbering(&[], rows);
        let owner = match scope {
            Scope::All => None,
            Scope::Order(i) => {
                Some(self.entity_link(&Ref::new(Kind::Order, s.orders[i].meta.id.as_str())))
            }
            Scope::Agency(i) => {
                Some(self.agency_link(&s.agencies[i].meta.id).unwrap_or_else(|| {
                    self.entity_link(&Ref::new(Kind::Agency, s.agencies[i].meta.id.as_str()))
                }))
            }
        };
        let base = match category {
            Some(c) => format!("{}{}/", status_base(s, scope), c.slug()),
            None => deadlines_base(s, scope),
        };
        let calendar = match scope {
            Scope::Agency(i) => {
                self.calendar_link(&format!("/agencies/{}/calendar.ics", s.agencies[i].meta.id))
            }
            _ => self.calendar_link("/calendar.ics"),
        };
        let due = |i: usize| {
            all.get(i)
                .and_then(|(_, d)| d.due.as_ref())
                .map_or_else(|| "no date".to_string(), |w| dates::display(w.date))
        };
        DeadlinesView {
            title: match (&owner, category) {
                (Some(o), Some(c)) => format!("{}: {}", c.label(), o.title),
                (None, Some(c)) => c.label().to_string(),
                (Some(o), None) => format!("Deadlines: {}", o.title),
                (None, None) => "Deadlines".to_string(),
            },
            category: category.map(|c| c.label().to_string()),
            // The scoreboard: /status/, or on the order's or agency's page.
            status_url: match scope {
                Scope::All => self.link("/status/"),
                Scope::Order(i) => format!(
                    "{}#status-heading",
                    self.link(&Kind::Order.path_of(&s.orders[i].meta.id))
                ),
                Scope::Agency(i) => format!(
                    "{}#status-heading",
                    self.link(&Kind::Agency.path_of(&s.agencies[i].meta.id))
                ),
            },
            csv_url: self.link(&format!(
                "{}.csv",
                deadlines_base(s, scope).trim_end_matches('/')
            )),
            owner,
            rows: rows.iter().map(|(p, d)| self.deadline(p, d, &n)).collect(),
            calendar,
            citations: self.source_refs(n.ids(), &n),
            pager: paging::pager(page, all.len(), s.config.page_size, &self.link(&base), due),
        }
    }
}

/// Where a list of deadlines is: `/deadlines/`, `/orders/ID/deadlines/`, ...
pub fn deadlines_base(site: &Site, scope: Scope) -> String {
    match scope {
        Scope::All => "/deadlines/".to_string(),
        Scope::Order(i) => format!("{}deadlines/", Kind::Order.path_of(&site.orders[i].meta.id)),
        Scope::Agency(i) => format!(
            "{}deadlines/",
            Kind::Agency.path_of(&site.agencies[i].meta.id)
        ),
    }
}

/// Where the scoreboard of the site, an order or an agency is; its
/// category lists are under it.
pub fn status_base(site: &Site, scope: Scope) -> String {
    match scope {
        Scope::All => "/status/".to_string(),
        Scope::Order(i) => format!("{}status/", Kind::Order.path_of(&site.orders[i].meta.id)),
        Scope::Agency(i) => format!("{}status/", Kind::Agency.path_of(&site.agencies[i].meta.id)),
    }
}

/// `/status/`: the site's scoreboard, then each order's and agency's.
#[derive(Debug, Serialize)]
pub struct StatusView {
    pub site: ScoreboardView,
    pub orders: Vec<ScoreRowView>,
    pub agencies: Vec<ScoreRowView>,
}

#[derive(Debug, Serialize)]
pub struct ScoreRowView {
    pub link: LinkView,
    pub status: Option<String>,
    pub scoreboard: ScoreboardView,
}

impl Views<'_> {
    pub fn status_page(&self) -> StatusView {
        let s = self.site;
        let row = |scope: Scope, link: LinkView, status: Option<String>| ScoreRowView {
            link,
            status,
            scoreboard: self.scoreboard(
                self.deadline_rows(scope, None).iter().map(|(_, d)| *d),
                &status_base(s, scope),
            ),
        };
        StatusView {
            site: self.scoreboard(s.deadlines().map(|(_, d)| d), "/status/"),
            orders: s
                .orders
                .iter()
                .enumerate()
                .map(|(i, o)| {
                    row(
                        Scope::Order(i),
                        self.entity_link(&Ref::new(Kind::Order, o.meta.id.as_str())),
                        Some(wire_name(o.status)),
                    )
                })
                .collect(),
            agencies: s
                .agencies
                .iter()
                .enumerate()
                .filter(|(i, _)| !self.deadline_rows(Scope::Agency(*i), None).is_empty())
                .map(|(i, a)| {
                    row(
                        Scope::Agency(i),
                        self.entity_link(&Ref::new(Kind::Agency, a.meta.id.as_str())),
                        None,
                    )
                })
                .collect(),
        }
    }
}

/// Where an order's or an agency's list of provisions is, when it has one.
pub fn provisions_base(site: &Site, scope: Scope) -> String {
    match scope {
        Scope::All => "/provisions/".to_string(),
        Scope::Order(i) => format!(
            "{}provisions/",
            Kind::Order.path_of(&site.orders[i].meta.id)
        ),
        Scope::Agency(i) => format!(
            "{}provisions/",
            Kind::Agency.path_of(&site.agencies[i].meta.id)
        ),
    }
}

/// Where the timeline, or a filtered timeline, is.
pub fn timeline_base(agency: Option<&str>, kind: Option<crate::timeline::ItemKind>) -> String {
    match (agency, kind) {
        (Some(a), _) => format!("/timeline/agencies/{a}/"),
        (None, Some(k)) => format!("/timeline/kinds/{}/", k.slug()),
        (None, None) => "/timeline/".to_string(),
    }
}

/// `/changes/`: every change between versions, by order, then provision.
#[derive(Debug, Serialize)]
pub struct ChangesView {
    /// Every numeric change across the site, as a headline with a link.
    pub headlines: Vec<HeadlineView>,
    pub orders: Vec<ChangesOrderView>,
    pub citations: Vec<SourceRefView>,
    pub pager: PagerView,
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
    /// Page `page` of /changes/: whole owners (an order's text, a
    /// provision) per page, grouped by order.
    pub fn changes_page(&self, page: usize) -> ChangesView {
        let s = self.site;
        let owners = self.change_rows();
        let range = paging::rows(page, owners.len(), s.config.page_size);
        let here = &owners[range];
        let mut numbering = Numbering::default();
        numbering.add(
            here.iter()
                .flat_map(|(o, p)| p.map_or(&o.versions, |p| &p.versions))
                .flat_map(|v| &v.sources),
        );
        let mut headlines = Vec::new();
        let mut orders: Vec<ChangesOrderView> = Vec::new();
        for (o, p) in here {
            if orders
                .last()
                .is_none_or(|v| v.anchor != change_anchor(Kind::Order, &o.meta.id))
            {
                orders.push(ChangesOrderView {
                    anchor: change_anchor(Kind::Order, &o.meta.id),
                    order: self.entity_link(&Ref::new(Kind::Order, o.meta.id.as_str())),
                    changes: Vec::new(),
                    provisions: Vec::new(),
                });
            }
            let Some(group) = orders.last_mut() else {
                continue;
            };
            match p {
                None => {
                    let own =
                        self.changes(Kind::Order, &o.meta.id, &o.versions, &o.changes, &numbering);
                    collect_headlines(&mut headlines, &own, &group.order, &group.anchor);
                    group.changes = own;
                }
                Some(p) => {
                    let owner = self.entity_link(&Ref::new(Kind::Provision, p.meta.id.as_str()));
                    let changes = self.changes(
                        Kind::Provision,
                        &p.meta.id,
                        &p.versions,
                        &p.changes,
                        &numbering,
                    );
                    let anchor = change_anchor(Kind::Provision, &p.meta.id);
                    collect_headlines(&mut headlines, &changes, &owner, &anchor);
                    group.provisions.push(ChangesOwnerView {
                        owner,
                        anchor,
                        changes,
                    });
                }
            }
        }
        let title = |i: usize| {
            owners.get(i).map_or_else(String::new, |(o, p)| match p {
                Some(p) => p.meta.title.clone(),
                None => o.meta.title.clone(),
            })
        };
        ChangesView {
            headlines,
            orders,
            citations: self.source_refs(numbering.ids(), &numbering),
            pager: paging::pager(
                page,
                owners.len(),
                s.config.page_size,
                &self.link("/changes/"),
                title,
            ),
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
    pub pager: PagerView,
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

/// One cell of the matrix. Most cells of a large matrix are empty: an
/// empty one is `tasked: false` alone, so that it costs the template one
/// field, not five (at 100,000 provisions and 1,000 agencies the matrix
/// has millions of cells).
#[derive(Debug)]
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

impl Serialize for MatrixCellView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut cell = s.serialize_struct("MatrixCellView", if self.tasked { 5 } else { 1 })?;
        cell.serialize_field("tasked", &self.tasked)?;
        if self.tasked {
            cell.serialize_field("url", &self.url)?;
            cell.serialize_field("due", &self.due)?;
            cell.serialize_field("deadlines", &self.deadlines)?;
            cell.serialize_field("label", &self.label)?;
        }
        cell.end()
    }
}

impl Views<'_> {
    /// Page `page` of /matrix/: rows are provisions, columns the agencies
    /// tasked on this page.
    pub fn matrix(&self, page: usize) -> MatrixView {
        let s = self.site;
        let rows = self.matrix_rows();
        let cut = self.matrix_cut();
        let here = &rows[cut.rows(page, rows.len())];
        // The agencies the page's provisions task, in the site's order:
        // asking each agency of each row grew with agencies times provisions.
        let tasked: foldhash::HashSet<&str> =
            here.iter().flat_map(|(_, p)| lists::tasked(p)).collect();
        let columns: Vec<&Agency> = s
            .agencies
            .iter()
            .filter(|a| tasked.contains(a.meta.id.as_str()))
            .map(|a| &**a)
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
        let mut orders: Vec<MatrixOrderView> = Vec::new();
        for (o, p) in here {
            let url = self.link(&Kind::Order.path_of(&o.meta.id));
            if orders.last().is_none_or(|v| v.order.url != url) {
                orders.push(MatrixOrderView {
                    order: self.entity_link(&Ref::new(Kind::Order, o.meta.id.as_str())),
                    rows: Vec::new(),
                });
            }
            if let Some(group) = orders.last_mut() {
                group.rows.push(self.matrix_row(p, &columns));
            }
        }
        let title = |i: usize| {
            rows.get(i)
                .map_or_else(String::new, |(_, p)| p.meta.title.clone())
        };
        MatrixView {
            agencies,
            orders,
            pager: paging::pager_cut(page, rows.len(), cut, &self.link("/matrix/"), title),
        }
    }

    fn matrix_row(&self, p: &Provision, columns: &[&Agency]) -> MatrixRowView {
        let page = self.link(&Kind::Provision.path_of(&p.meta.id));
        let cells = columns
            .iter()
            .map(|a| {
                let id = a.meta.id.as_str();
                if !lists::tasks(p, id) {
                    return MatrixCellView {
                        tasked: false,
                        url: String::new(),
                        due: None,
                        deadlines: 0,
                        label: String::new(),
                    };
                }
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
                let short = a.acronym.clone().unwrap_or_else(|| a.meta.title.clone());
                let tasked = lists::tasks(p, id);
                let label = match (own.len(), &due) {
                    (0, _) if tasked => format!("{short}: tasked"),
                    (0, _) => String::new(),
                    (1, Some(d)) => format!("{short}: 1 deadline, due {}", d.display),
                    (1, None) => format!("{short}: 1 deadline, no date set"),
                    (n, Some(d)) => format!("{short}: {n} deadlines, first due {}", d.display),
                    (n, None) => format!("{short}: {n} deadlines, no date set"),
                };
                MatrixCellView {
                    tasked,
                    url: first
                        .map_or_else(|| page.clone(), |d| format!("{page}#deadline-{}", d.id)),
                    due,
                    deadlines: own.len(),
                    label,
                }
            })
            .collect();
        MatrixRowView {
            provision: self.entity_link(&Ref::new(Kind::Provision, p.meta.id.as_str())),
            cells,
        }
    }
}

/// `/search/`
#[derive(Debug, Serialize)]
pub struct SearchView {
    /// Where Pagefind's index and scripts are.
    pub bundle_url: String,
    /// Where the index's other parts are, merged into the first by the
    /// search page (see [`crate::search::PART_RECORDS`]).
    pub part_urls: Vec<String>,
    /// The kind indexes, for browsing without JavaScript.
    pub indexes: Vec<LinkView>,
}

impl Views<'_> {
    pub fn search_page(&self) -> SearchView {
        SearchView {
            bundle_url: self.link(&format!("/{}/", crate::search::BUNDLE)),
            part_urls: crate::search::parts(self.site)
                .iter()
                .skip(1)
                .map(|p| self.link(&format!("/{p}/")))
                .collect(),
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
    pub pager: PagerView,
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
    /// Page `page` of /stale/.
    pub fn stale_page(&self, page: usize) -> StaleView {
        let site = self.site;
        let all = self.review_rows();
        let range = paging::rows(page, all.len(), site.config.page_size);
        let mut view = StaleView {
            after_days: site.config.stale_after_days,
            stale: Vec::new(),
            unreviewed: Vec::new(),
            fresh: Vec::new(),
            pager: paging::pager(
                page,
                all.len(),
                site.config.page_size,
                &self.link("/stale/"),
                |i| {
                    all.get(i)
                        .map_or_else(String::new, |(_, m)| m.title.clone())
                },
            ),
        };
        for &(kind, meta) in &all[range] {
            let item = ReviewItemView {
                link: self.entity_link(&Ref::new(kind, meta.id.as_str())),
                kind_label: kind.name().to_string(),
                reviewed: meta.reviewed.map(DateView::new),
                days: meta
                    .reviewed
                    .map(|d| crate::dates::days_between(d, site.as_of)),
                file: meta.file.display().to_string(),
            };
            match lists::review_section(site, meta) {
                lists::ReviewSection::Unreviewed => view.unreviewed.push(item),
                lists::ReviewSection::Stale => view.stale.push(item),
                lists::ReviewSection::Fresh => view.fresh.push(item),
            }
        }
        view
    }
}
