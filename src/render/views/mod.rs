//! What templates see: typed, serializable views of the model.
//!
//! This module is the template contract. Every variable a template can use is a
//! field of one of these structs; `docs/templates.md` lists them by template.
//! Views hold ready-to-print strings (URLs under the base path, formatted
//! dates), so templates stay free of logic.

use std::collections::BTreeMap;
use std::sync::Arc;

use foldhash::HashMap;

use jiff::civil::Date;
use serde::Serialize;

use crate::content::raw::{DeadlineStatus, OrderStatus, SourceKind};
use crate::content::Kind;
use crate::dates::{self, Standing};
use crate::model::*;
use crate::render::lists::{self, Scope};
use crate::render::paging::{self, PagerView};

/// Site-wide values, available to every template as `site`.
#[derive(Debug, Serialize)]
pub struct SiteView {
    pub title: String,
    pub description: String,
    pub language: String,
    /// The base path every link starts with (`/` or `/kb/`).
    pub base_path: String,
    /// The absolute home URL, when `base_url` has a host.
    pub home_url: String,
    pub as_of: DateView,
    /// Links of the main navigation.
    pub nav: Vec<LinkView>,
    /// Free pages, by weight.
    pub pages: Vec<LinkView>,
    /// Link to the Atom feed.
    pub feed_url: String,
    /// Link to the site calendar.
    pub calendar_url: String,
}

/// Values about the page being rendered, available as `page`.
#[derive(Debug, Serialize)]
pub struct PageView {
    /// The `<title>` text (without the site title).
    pub title: String,
    pub description: String,
    /// This page's link (under the base path).
    pub url: String,
    /// Its absolute URL, for `<link rel="canonical">` (empty without a host).
    pub canonical: String,
    /// Which navigation entry is current ("orders", "provisions", ...).
    pub section: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct DateView {
    /// `2026-06-02`
    pub iso: String,
    /// `June 2, 2026`
    pub display: String,
}

impl DateView {
    pub fn new(d: Date) -> DateView {
        DateView {
            iso: d.to_string(),
            display: dates::display(d),
        }
    }
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub title: String,
    pub url: String,
    /// The entity's kind (`agency`), or empty for non-entity links.
    pub kind: String,
    /// Navigation key, for marking the current section.
    pub key: String,
}

/// A source as cited on a page: its number there and how to reach it.
/// Templates see one map: `n` and the fields of [`SourceFields`].
#[derive(Debug, Clone)]
pub struct SourceRefView {
    pub n: usize,
    /// A [`SourceFields`], made once per build.
    pub fields: Fragment,
}

impl Serialize for SourceRefView {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut out = s.serialize_struct("SourceRefView", 8)?;
        out.serialize_field("n", &self.n)?;
        for (key, value) in self.fields.fields() {
            out.serialize_field(key, value)?;
        }
        out.end()
    }
}

/// How any page shows a source it cites.
#[derive(Debug, Serialize)]
pub struct SourceFields {
    pub id: String,
    pub title: String,
    pub url: String,
    pub publisher: String,
    pub date: Option<DateView>,
    /// The source's own address outside the site, if known.
    pub external_url: Option<String>,
    pub kind: String,
}

#[derive(Debug, Serialize)]
pub struct RefGroupView {
    pub kind: String,
    pub label: String,
    /// At most `page_size` of them, so that a page listing what links to a
    /// much-cited entity stays small.
    pub items: Vec<LinkView>,
    /// How many more there are than `items` shows ("0" when none), and how many in all.
    pub more: String,
    pub total: String,
    /// The JSON export, which lists them all.
    pub export_url: String,
}

/// Shared by every entity page.
#[derive(Debug, Serialize)]
pub struct EntityView {
    pub id: String,
    pub kind: String,
    pub title: String,
    pub url: String,
    pub body_html: String,
    /// Every source this page cites, numbered as in its citations.
    pub citations: Vec<SourceRefView>,
    /// What this entity references, grouped by kind (sources are in `citations`).
    pub references: Vec<RefGroupView>,
    /// What references this entity, grouped by kind.
    pub backlinks: Vec<RefGroupView>,
    /// The content file, relative to the site root.
    pub file: String,
    /// When an editor last checked it against its sources.
    pub reviewed: Option<DateView>,
    /// Days since that review, when more than site.yaml's `stale_after_days`.
    pub stale_days: Option<i64>,
    /// Where to edit its file, when site.yaml sets `edit_url`.
    pub edit_url: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct OrderView {
    pub entity: EntityView,
    pub short_title: Option<String>,
    pub issuer: String,
    pub signed: Option<DateView>,
    pub published: Option<DateView>,
    pub citation: Option<String>,
    pub status: String,
    pub summary: Option<String>,
    pub sources: Vec<SourceRefView>,
    pub provisions: Vec<ProvisionItemView>,
    /// When the provisions are more than a page: the page listing them all.
    pub more_provisions: Option<MoreView>,
    pub deadlines: Vec<DeadlineView>,
    pub more_deadlines: Option<MoreView>,
    pub versions: Vec<VersionView>,
    pub changes: Vec<ChangeView>,
    /// What this order does to other orders, and what they do to it.
    pub relations: Vec<RelationView>,
    pub related_by: Vec<RelationView>,
    /// "Revoked by X on DATE": set when the order is no longer in force.
    pub lapsed: Option<String>,
    pub scoreboard: ScoreboardView,
}

/// A list cut short on an entity's page, and where the whole list is.
#[derive(Debug, Serialize)]
pub struct MoreView {
    /// "10,000"
    pub total: String,
    pub url: String,
}

/// A provision in a list.
#[derive(Debug, Serialize)]
pub struct ProvisionItemView {
    pub title: String,
    pub url: String,
    pub section: Option<String>,
    pub summary: String,
    pub agencies: Vec<LinkView>,
    pub deadline_count: usize,
}

#[derive(Debug, Serialize)]
pub struct ProvisionView {
    pub entity: EntityView,
    pub order: Option<LinkView>,
    pub section: Option<String>,
    pub agencies: Vec<LinkView>,
    pub summary: String,
    pub sources: Vec<SourceRefView>,
    pub deadlines: Vec<DeadlineView>,
    pub versions: Vec<VersionView>,
    pub changes: Vec<ChangeView>,
    pub disagreements: Vec<DisagreementView>,
}

#[derive(Debug, Serialize)]
pub struct DeadlineView {
    pub id: String,
    pub action: String,
    /// A [`LinkView`], its title with the agency's acronym.
    pub agency: Option<Fragment>,
    /// A [`LinkView`].
    pub provision: Fragment,
    /// A [`DateView`].
    pub due: Option<Fragment>,
    /// "within 30 days of 2026-06-02 (the signing of …) = 2026-07-02"
    pub derivation: Option<String>,
    /// A [`LinkView`].
    pub derivation_from: Option<Fragment>,
    pub note: Option<String>,
    /// "12 days left", "3 days overdue", "met", "no date set"
    pub status_label: String,
    /// upcoming, overdue, met, recorded, not-set
    pub status_class: String,
    /// True when the status was recorded by an editor (with `status_sources`).
    pub status_recorded: bool,
    pub status_sources: Vec<SourceRefView>,
    pub sources: Vec<SourceRefView>,
    /// Every recorded status, newest first.
    pub history: Vec<StatusEntryView>,
    /// The latest claim and the latest verification, when they disagree.
    pub dispute: Option<DisputeView>,
    /// The scoreboard category: `met-verified`, `no-completion-reported`, ...
    pub category: String,
    pub category_label: String,
}

/// The most agencies a matrix page has as columns: a page ends early rather
/// than take more. Its columns are the agencies its rows task; with
/// `page_size` rows alone, a site whose provisions each task a few of many
/// agencies had pages of hundreds of mostly empty columns (at 100,000
/// provisions and 1,000 agencies, 330 columns, 1.4 MB a page, and the matrix
/// grew 29 times for 10 times the provisions), wider than any screen.
pub const MATRIX_COLUMNS: usize = 40;

/// A view shown alike on many pages, converted to a template value once per
/// build: putting it into a page's context copies a pointer, where a view
/// of strings is copied, and converted, again for every page.
#[derive(Debug, Clone)]
pub struct Fragment(tera::Value);

impl Fragment {
    pub fn of(view: &impl Serialize) -> Fragment {
        // Views are structs of strings, numbers and lists: they convert.
        Fragment(tera::Value::from_serializable(view))
    }

    /// The fields of the struct it was made from, to serialize into a
    /// larger struct (struct fields have static names).
    fn fields(&self) -> impl Iterator<Item = (&'static str, &tera::Value)> {
        self.0
            .as_map()
            .into_iter()
            .flatten()
            .filter_map(|(k, v)| match k {
                tera::value::Key::Str(name) => Some((*name, v)),
                _ => None,
            })
    }
}

impl Serialize for Fragment {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.0.serialize(s)
    }
}

/// One entry of a deadline's status history.
#[derive(Debug, Serialize)]
pub struct StatusEntryView {
    pub date: DateView,
    /// "in progress"
    pub status: String,
    /// `claimed`, `verified` or `reported`.
    pub basis: String,
    pub sources: Vec<SourceRefView>,
    pub note: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct DisputeView {
    pub claimed: StatusEntryView,
    pub verified: StatusEntryView,
}

/// A scoreboard: counts of requirements by category, and the bar's segments.
#[derive(Debug, Serialize)]
pub struct ScoreboardView {
    pub total: usize,
    pub segments: Vec<SegmentView>,
}

#[derive(Debug, Serialize)]
pub struct SegmentView {
    pub slug: String,
    pub label: String,
    pub count: usize,
    /// Share of the total, in percent with one decimal, for the bar's width.
    pub percent: String,
    /// The list of these requirements, when there are any.
    pub url: Option<String>,
}

/// An order's relation to another, either way.
#[derive(Debug, Serialize)]
pub struct RelationView {
    /// "Revokes", "Revoked by"
    pub label: String,
    pub kind: String,
    pub order: LinkView,
    pub date: Option<DateView>,
    pub sources: Vec<SourceRefView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct VersionView {
    pub id: String,
    pub label: String,
    pub date: Option<DateView>,
    pub text_html: String,
    pub paraphrase: bool,
    pub sources: Vec<SourceRefView>,
    /// This version's own page.
    pub url: String,
    /// The last version is the current text.
    pub is_current: bool,
}

/// What changed between two consecutive versions.
#[derive(Debug, Serialize)]
pub struct ChangeView {
    /// `draft-to-final`, unique on its page.
    pub id: String,
    pub from: VersionRefView,
    pub to: VersionRefView,
    /// Inline redline: kept text, `<del>` and `<ins>`.
    pub inline_html: String,
    /// Side by side: the old text with deletions, the new text with insertions.
    pub old_html: String,
    pub new_html: String,
    /// Numeric changes, as data and as headlines.
    pub numeric: Vec<NumericChangeView>,
    pub has_changes: bool,
}

#[derive(Debug, Serialize)]
pub struct VersionRefView {
    pub id: String,
    pub label: String,
    pub date: Option<DateView>,
    pub url: String,
    pub sources: Vec<SourceRefView>,
}

#[derive(Debug, Serialize)]
pub struct NumericChangeView {
    /// "Government-access window cut from 90 to 30 days"
    pub headline: String,
    /// "90 days → 30 days"
    pub summary: String,
    /// duration, money, percentage, date, count
    pub kind: String,
    pub unit: String,
    pub old_value: f64,
    pub new_value: f64,
    /// The words around the new value: "…up to 30 days before wider release…"
    pub context: String,
}

#[derive(Debug, Serialize)]
pub struct DisagreementView {
    pub claim: String,
    pub accounts: Vec<AccountView>,
}

#[derive(Debug, Serialize)]
pub struct AccountView {
    pub says: String,
    pub sources: Vec<SourceRefView>,
    pub preferred: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct AgencyView {
    pub entity: EntityView,
    pub acronym: Option<String>,
    pub parent: Option<LinkView>,
    pub children: Vec<LinkView>,
    pub url: Option<String>,
    pub provisions: Vec<ProvisionItemView>,
    pub more_provisions: Option<MoreView>,
    pub deadlines: Vec<DeadlineView>,
    pub more_deadlines: Option<MoreView>,
    pub scoreboard: ScoreboardView,
    /// This agency's calendar of deadlines and events.
    pub calendar: CalendarLinkView,
    /// This agency's timeline page.
    pub timeline_url: String,
}

#[derive(Debug, Serialize)]
pub struct SourceView {
    pub entity: EntityView,
    pub publisher: String,
    pub date: Option<DateView>,
    pub external_url: Option<String>,
    pub kind: String,
    pub kind_label: String,
    pub archived_url: Option<String>,
    pub accessed: Option<DateView>,
}

#[derive(Debug, Serialize)]
pub struct EventView {
    pub entity: EntityView,
    pub date: Option<DateView>,
    pub derivation: Option<String>,
    pub kind: String,
    pub sources: Vec<SourceRefView>,
    pub related: Vec<LinkView>,
}

/// One row of a kind's index page.
#[derive(Debug, Clone, Serialize)]
pub struct IndexItemView {
    /// The entity of the row (for the dev server's dependencies; not shown).
    #[serde(skip)]
    pub entity: Ref,
    pub title: String,
    pub url: String,
    /// A short line under the title (publisher and date, acronym, summary).
    pub detail: String,
    /// A group heading the item belongs to (order, kind of source), or empty.
    pub group: String,
}

#[derive(Debug, Serialize)]
pub struct IndexView<'a> {
    pub kind: String,
    pub title: String,
    pub intro: String,
    pub items: std::borrow::Cow<'a, [IndexItemView]>,
    pub pager: PagerView,
}

#[derive(Debug, Serialize)]
pub struct HomeView {
    pub intro_html: String,
    pub orders: Vec<OrderSummaryView>,
    /// The next deadlines on or after the as-of date, soonest first.
    pub upcoming: Vec<DeadlineView>,
    /// Deadlines past due and not recorded as met, most recent first.
    pub overdue: Vec<DeadlineView>,
    /// The latest events up to the as-of date, newest first.
    pub latest: Vec<EventItemView>,
    pub counts: Vec<CountView>,
    pub citations: Vec<SourceRefView>,
}

#[derive(Debug, Serialize)]
pub struct OrderSummaryView {
    pub title: String,
    pub url: String,
    pub issuer: String,
    pub signed: Option<DateView>,
    pub status: String,
    pub summary: Option<String>,
    pub provision_count: usize,
}

#[derive(Debug, Serialize)]
pub struct EventItemView {
    pub title: String,
    pub url: String,
    pub date: Option<DateView>,
    pub kind: String,
}

#[derive(Debug, Serialize)]
pub struct CountView {
    pub label: String,
    pub count: usize,
    pub url: String,
}

/// Builds views from the model for one site.
pub struct Views<'s> {
    pub site: &'s Site,
    /// Every dated item, made once per build when first asked for
    /// ([`crate::timeline::items`]): most pages do not need them.
    items: std::sync::OnceLock<Vec<crate::timeline::Item<'s>>>,
    /// Each agency's dated items (positions in `items`), by its id.
    agency_items: std::sync::OnceLock<foldhash::HashMap<&'s str, Vec<usize>>>,
    /// How many agencies have dated items (the timeline's filters).
    dated_agencies: std::sync::OnceLock<usize>,
    /// Each kind's index rows, made once for all its pages.
    index_items: [std::sync::OnceLock<Vec<IndexItemView>>; 6],
    /// The rows of each long list, chosen once for all its pages: making
    /// them again for every page made a site's build time grow with the
    /// square of its size.
    memo: Memo<'s>,
    /// What many pages show alike (an entity's link, a date, a source),
    /// made when first shown. Each is small and there is one per entity: a
    /// deadline's whole row, shown on six to eight pages, would cost 2-3 KB
    /// per deadline, 500 MB at 100,000 provisions.
    fragments: Fragments<'s>,
}

#[derive(Default)]
struct Fragments<'s> {
    /// [`LinkView`]s, by kind and id; `true` for an agency's title with its
    /// acronym ("Department of Energy (DOE)").
    links: Shared<(Kind, bool, &'s str), Fragment>,
    /// [`DateView`]s.
    dates: Shared<Date, Fragment>,
    /// [`SourceFields`], by id.
    sources: Shared<&'s str, Fragment>,
}

type Shared<K, V> = std::sync::Mutex<HashMap<K, Arc<V>>>;

/// A list of deadlines: of a scope, and of a scoreboard category if given.
type DeadlineKey = (Scope, Option<crate::status::Category>);
type DeadlineList<'s> = Vec<(&'s Provision, &'s Deadline)>;
/// A timeline: of an agency and of a kind of item, if given.
type TimelineKey = (Option<String>, Option<crate::timeline::ItemKind>);

/// Lists already chosen, by what they list.
#[derive(Default)]
struct Memo<'s> {
    deadlines: Shared<DeadlineKey, DeadlineList<'s>>,
    provisions: Shared<Scope, Vec<&'s Provision>>,
    /// Positions in `items`, and the position there of the first item not in
    /// the past (where the as-of marker goes).
    timeline: Shared<TimelineKey, (Vec<usize>, Option<usize>)>,
    /// Every order's and agency's deadlines and provisions, grouped in one
    /// pass (a pass per agency grows with agencies times deadlines).
    grouped: std::sync::OnceLock<lists::Grouped<'s>>,
    matrix: std::sync::OnceLock<Vec<(&'s Order, &'s Provision)>>,
    /// Where the matrix's pages end ([`lists::matrix_ends`]).
    matrix_ends: std::sync::OnceLock<Vec<usize>>,
    changes: std::sync::OnceLock<Vec<(&'s Order, Option<&'s Provision>)>>,
    reviews: std::sync::OnceLock<Vec<(Kind, &'s Meta)>>,
    /// What concerns a whole list (by its first page's job) for the dev
    /// server's dependencies: a hash of its rows, and the entities naming
    /// each of its pages (its first and last rows).
    summaries: Shared<super::Job, (u64, Vec<Vec<Ref>>)>,
}

/// `map[key]`, made by `make` the first time. The lock is not held while
/// making, so two threads may both make it; the first one stored wins.
fn memo<K: std::hash::Hash + Eq, V>(
    map: &Shared<K, V>,
    key: K,
    make: impl FnOnce() -> V,
) -> Arc<V> {
    if let Some(v) = map.lock().ok().and_then(|m| m.get(&key).cloned()) {
        return v;
    }
    let made = Arc::new(make());
    match map.lock() {
        Ok(mut m) => Arc::clone(m.entry(key).or_insert(made)),
        Err(_) => made,
    }
}

impl<'s> Views<'s> {
    pub fn new(site: &'s Site) -> Self {
        Views {
            site,
            items: Default::default(),
            agency_items: Default::default(),
            dated_agencies: Default::default(),
            index_items: Default::default(),
            memo: Memo::default(),
            fragments: Fragments::default(),
        }
    }

    /// Let go of what only pages show: each kind's index rows, the
    /// fragments (links, dates, sources), the matrix, changes and review
    /// lists. What the data files use stays: dated items, deadlines, and
    /// each agency's timeline and provisions (its calendar and feed).
    pub fn let_go_of_pages(&mut self) {
        for rows in &mut self.index_items {
            rows.take();
        }
        self.fragments = Fragments::default();
        let memo = &mut self.memo;
        memo.summaries = Default::default();
        memo.matrix.take();
        memo.matrix_ends.take();
        memo.changes.take();
        memo.reviews.take();
    }

    /// Every dated item of the site, by date.
    pub fn items(&self) -> &[crate::timeline::Item<'s>] {
        self.items.get_or_init(|| crate::timeline::items(self.site))
    }

    /// The dated items (positions in `items`) of agency `id`.
    pub fn agency_items(&self, id: &str) -> &[usize] {
        self.agency_items
            .get_or_init(|| {
                let ids = self.site.agencies.iter().map(|a| a.meta.id.as_str());
                lists::items_by_agency(ids, self.items())
            })
            .get(id)
            .map_or(&[], Vec::as_slice)
    }

    /// Whether agency `id` has a dated item (and so a timeline of its own).
    pub fn is_dated(&self, id: &str) -> bool {
        !self.agency_items(id).is_empty()
    }

    /// How many agencies have a dated item, counted once for every
    /// timeline page.
    pub fn dated_agencies(&self) -> usize {
        *self.dated_agencies.get_or_init(|| {
            self.site
                .agencies
                .iter()
                .filter(|a| self.is_dated(&a.meta.id))
                .count()
        })
    }

    /// The deadlines of `scope`, by due date; only those of `category` if given.
    pub fn deadline_rows(
        &self,
        scope: Scope,
        category: Option<crate::status::Category>,
    ) -> Arc<Vec<(&'s Provision, &'s Deadline)>> {
        memo(&self.memo.deadlines, (scope, category), || {
            let mut all = self.grouped().deadlines(scope);
            if let Some(c) = category {
                all.retain(|(_, d)| crate::status::Category::of(d, self.site.as_of) == c);
            }
            all
        })
    }

    /// The provisions of `scope`.
    pub fn provision_rows(&self, scope: Scope) -> Arc<Vec<&'s Provision>> {
        memo(&self.memo.provisions, scope, || {
            self.grouped().provisions(scope)
        })
    }

    /// The timeline's items (positions in `items`), filtered, and where the
    /// first one not in the past is among them.
    pub fn timeline_rows(
        &self,
        agency: Option<&str>,
        kind: Option<crate::timeline::ItemKind>,
    ) -> Arc<(Vec<usize>, Option<usize>)> {
        memo(
            &self.memo.timeline,
            (agency.map(str::to_string), kind),
            || {
                let items = self.items();
                let rows = lists::timeline(items, agency.map(|a| self.agency_items(a)), kind);
                let ahead = rows.iter().position(|&i| items[i].date >= self.site.as_of);
                (rows, ahead)
            },
        )
    }

    /// The summary of list `list`, made by `make` the first time.
    pub fn list_summary(
        &self,
        list: super::Job,
        make: impl FnOnce() -> (u64, Vec<Vec<Ref>>),
    ) -> Arc<(u64, Vec<Vec<Ref>>)> {
        memo(&self.memo.summaries, list, make)
    }

    /// Every order's and agency's deadlines and provisions, grouped once.
    pub fn grouped(&self) -> &lists::Grouped<'s> {
        self.memo
            .grouped
            .get_or_init(|| lists::Grouped::of(self.site))
    }

    pub fn matrix_rows(&self) -> &[(&'s Order, &'s Provision)] {
        self.memo
            .matrix
            .get_or_init(|| lists::matrix_rows(self.site, self.grouped()))
    }

    /// Where the matrix's pages end: at most `page_size` rows and
    /// [`MATRIX_COLUMNS`] agencies a page.
    pub fn matrix_ends(&self) -> &[usize] {
        self.memo.matrix_ends.get_or_init(|| {
            lists::matrix_ends(
                self.site,
                self.matrix_rows(),
                self.site.config.page_size,
                MATRIX_COLUMNS,
            )
        })
    }

    /// How the matrix's rows fall into pages ([`Self::matrix_ends`]).
    pub fn matrix_cut(&self) -> paging::Cut<'_> {
        paging::Cut::Ends(self.matrix_ends())
    }

    pub fn change_rows(&self) -> &[(&'s Order, Option<&'s Provision>)] {
        self.memo
            .changes
            .get_or_init(|| lists::change_owners(self.site))
    }

    pub fn review_rows(&self) -> &[(Kind, &'s Meta)] {
        self.memo.reviews.get_or_init(|| lists::reviews(self.site))
    }

    pub fn link(&self, path: &str) -> String {
        self.site.config.base_url.link(path)
    }

    pub fn site_view(&self) -> SiteView {
        let nav = [
            ("Orders", "/orders/", "orders"),
            ("Provisions", "/provisions/", "provisions"),
            ("Deadlines", "/deadlines/", "deadlines"),
            ("Status", "/status/", "status"),
            ("Timeline", "/timeline/", "timeline"),
            ("Changes", "/changes/", "changes"),
            ("Matrix", "/matrix/", "matrix"),
            ("Agencies", "/agencies/", "agencies"),
            ("Sources", "/sources/", "sources"),
        ];
        SiteView {
            title: self.site.config.title.clone(),
            description: self.site.config.description.clone(),
            language: self.site.config.language.clone(),
            base_path: self.site.config.base_url.path.clone(),
            home_url: self.site.config.base_url.absolute("/"),
            as_of: DateView::new(self.site.as_of),
            nav: nav
                .iter()
                .map(|(title, path, key)| LinkView {
                    title: (*title).into(),
                    url: self.link(path),
                    kind: String::new(),
                    key: (*key).into(),
                })
                .collect(),
            pages: self
                .site
                .pages
                .iter()
                .map(|p| self.entity_link(&Ref::new(Kind::Page, p.meta.id.as_str())))
                .collect(),
            feed_url: self.link("/feed.xml"),
            calendar_url: self.link("/calendar.ics"),
        }
    }

    pub fn page_view(&self, title: &str, description: &str, path: &str, section: &str) -> PageView {
        PageView {
            title: title.to_string(),
            description: description.to_string(),
            url: self.link(path),
            canonical: if self.site.config.base_url.origin.is_empty() {
                String::new()
            } else {
                self.site.config.base_url.absolute(path)
            },
            section: section.to_string(),
        }
    }

    pub fn entity_link(&self, r: &Ref) -> LinkView {
        LinkView {
            title: self.site.title_of(r).to_string(),
            url: self.link(&r.path()),
            kind: r.kind.name().to_string(),
            key: r.kind.folder().to_string(),
        }
    }

    fn agency_link(&self, id: &str) -> Option<LinkView> {
        if id.is_empty() {
            return None;
        }
        let mut l = self.entity_link(&Ref::new(Kind::Agency, id));
        if let Some(acr) = self.site.agency(id).and_then(|a| a.acronym.as_ref()) {
            l.title = format!("{} ({acr})", l.title);
        }
        Some(l)
    }

    /// Sources `ids`, numbered by their place in `numbering` (a page's citations).
    pub fn source_refs(&self, ids: &[String], numbering: &Numbering) -> Vec<SourceRefView> {
        ids.iter()
            .filter_map(|id| {
                let s: &'s Source = self.site.source(id)?;
                let fields = memo(&self.fragments.sources, s.meta.id.as_str(), || {
                    Fragment::of(&SourceFields {
                        id: id.clone(),
                        title: s.meta.title.clone(),
                        url: self.link(&Kind::Source.path_of(id)),
                        publisher: s.publisher.clone(),
                        date: s.date.map(DateView::new),
                        external_url: s.url.clone(),
                        kind: wire_name(s.kind),
                    })
                });
                Some(SourceRefView {
                    n: numbering.number(id),
                    fields: Fragment::clone(&fields),
                })
            })
            .collect()
    }

    fn groups(&self, groups: BTreeMap<Kind, Vec<Ref>>) -> Vec<RefGroupView> {
        groups
            .into_iter()
            .map(|(kind, refs)| {
                let shown = refs.len().min(self.site.config.page_size);
                RefGroupView {
                    kind: kind.name().to_string(),
                    label: kind.plural_label().to_string(),
                    items: refs[..shown].iter().map(|r| self.entity_link(r)).collect(),
                    more: paging::thousands(refs.len() - shown),
                    total: paging::thousands(refs.len()),
                    export_url: self.link("/api/site.json"),
                }
            })
            .collect()
    }

    fn entity(&self, kind: Kind, meta: &Meta, numbering: &Numbering) -> EntityView {
        let r = Ref::new(kind, meta.id.as_str());
        EntityView {
            id: meta.id.clone(),
            kind: kind.name().to_string(),
            title: meta.title.clone(),
            url: self.link(&r.path()),
            body_html: meta.body_html.to_string(),
            citations: self.source_refs(numbering.ids(), numbering),
            // Sources are listed, numbered, under `citations`; not again here.
            references: self.groups(
                self.site
                    .references(&r)
                    .into_iter()
                    .filter(|(k, _)| *k != Kind::Source || kind == Kind::Source)
                    .collect(),
            ),
            backlinks: self.groups(self.site.backlinks(&r)),
            file: meta.file.display().to_string(),
            reviewed: meta.reviewed.map(DateView::new),
            stale_days: crate::resolve::stale_days(
                &self.site.config,
                self.site.as_of,
                meta.reviewed,
            ),
            edit_url: self.site.config.edit_url.as_ref().map(|u| {
                // Ids are slugs, so the path needs no escaping; Windows' `\` becomes `/`.
                u.replace("{path}", &meta.file.to_string_lossy().replace('\\', "/"))
            }),
        }
    }

    pub fn deadline(
        &self,
        p: &'s Provision,
        d: &'s Deadline,
        numbering: &Numbering,
    ) -> DeadlineView {
        let standing = Standing::of_deadline(d, self.site.as_of);
        let category = crate::status::Category::of(d, self.site.as_of);
        let derivation = d.due.as_ref().and_then(|w| w.derivation.as_ref());
        DeadlineView {
            id: d.id.clone(),
            action: d.action.clone(),
            agency: self.agency_fragment(&d.agency),
            provision: self.link_fragment(Kind::Provision, &p.meta.id),
            due: d.due.as_ref().map(|w| self.date_fragment(w.date)),
            derivation: d.due.as_ref().and_then(When::derivation_text),
            derivation_from: derivation
                .and_then(|v| v.from.as_ref())
                .map(|r| self.link_fragment(r.kind, &r.id)),
            note: d.note.clone(),
            // A recorded status says what it rests on: "in progress (verified)".
            status_label: match (standing, d.history.last()) {
                (Standing::Recorded { .. }, Some(e)) => {
                    format!("{} ({})", standing.label(), e.basis.name())
                }
                _ => standing.label(),
            },
            status_class: standing.class().to_string(),
            status_recorded: d.status.is_some_and(|s| s != DeadlineStatus::Pending),
            status_sources: self.source_refs(&d.status_sources, numbering),
            sources: self.source_refs(&d.sources, numbering),
            history: d
                .history
                .iter()
                .rev()
                .map(|e| self.status_entry(e, numbering))
                .collect(),
            dispute: crate::status::dispute(&d.history).map(|(c, v)| DisputeView {
                claimed: self.status_entry(c, numbering),
                verified: self.status_entry(v, numbering),
            }),
            category: category.slug().to_string(),
            category_label: category.label().to_string(),
        }
    }

    /// [`Self::entity_link`] as a fragment, made once per entity.
    fn link_fragment(&self, kind: Kind, id: &'s str) -> Fragment {
        let made = memo(&self.fragments.links, (kind, false, id), || {
            Fragment::of(&self.entity_link(&Ref::new(kind, id)))
        });
        Fragment::clone(&made)
    }

    /// [`Self::agency_link`] as a fragment, made once per agency.
    fn agency_fragment(&self, id: &'s str) -> Option<Fragment> {
        if id.is_empty() {
            return None;
        }
        let made = memo(&self.fragments.links, (Kind::Agency, true, id), || {
            Fragment::of(&self.agency_link(id))
        });
        Some(Fragment::clone(&made))
    }

    /// [`DateView::new`] as a fragment, made once per date.
    fn date_fragment(&self, date: Date) -> Fragment {
        Fragment::clone(&memo(&self.fragments.dates, date, || {
            Fragment::of(&DateView::new(date))
        }))
    }

    fn status_entry(&self, e: &StatusEntry, numbering: &Numbering) -> StatusEntryView {
        StatusEntryView {
            date: DateView::new(e.date),
            status: dates::status_label(e.status).to_string(),
            basis: e.basis.name().to_string(),
            sources: self.source_refs(&e.sources, numbering),
            note: e.note.clone(),
        }
    }

    /// The scoreboard of `deadlines`; each segment links to its list under
    /// `base` (`/status/`, `/orders/ID/status/`).
    pub fn scoreboard<'a>(
        &self,
        deadlines: impl IntoIterator<Item = &'a Deadline>,
        base: &str,
    ) -> ScoreboardView {
        let board = crate::status::Scoreboard::of(deadlines, self.site.as_of);
        ScoreboardView {
            total: board.total,
            segments: crate::status::Category::ALL
                .iter()
                .map(|&c| {
                    let count = board.count(c);
                    SegmentView {
                        slug: c.slug().to_string(),
                        label: c.label().to_string(),
                        count,
                        percent: if board.total == 0 {
                            "0".into()
                        } else {
                            format!("{:.1}", count as f64 * 100.0 / board.total as f64)
                        },
                        url: (count > 0).then(|| self.link(&format!("{base}{}/", c.slug()))),
                    }
                })
                .collect(),
        }
    }

    fn relation(&self, r: &Relation, incoming: bool, numbering: &Numbering) -> RelationView {
        RelationView {
            label: if incoming {
                r.kind.passive()
            } else {
                r.kind.active()
            }
            .to_string(),
            kind: wire_name(r.kind),
            order: self.entity_link(&Ref::new(Kind::Order, r.order.as_str())),
            date: r.date.map(DateView::new),
            sources: self.source_refs(&r.sources, numbering),
        }
    }

    fn version_url(&self, kind: Kind, id: &str, vid: &str) -> String {
        self.link(&format!("{}versions/{vid}/", kind.path_of(id)))
    }

    pub fn versions(
        &self,
        kind: Kind,
        id: &str,
        versions: &[Version],
        n: &Numbering,
    ) -> Vec<VersionView> {
        versions
            .iter()
            .enumerate()
            .map(|(i, v)| VersionView {
                id: v.id.clone(),
                label: v.label.clone(),
                date: v.date.map(DateView::new),
                text_html: v.text_html.clone(),
                paraphrase: v.paraphrase,
                sources: self.source_refs(&v.sources, n),
                url: self.version_url(kind, id, &v.id),
                is_current: i + 1 == versions.len(),
            })
            .collect()
    }

    pub fn changes(
        &self,
        kind: Kind,
        id: &str,
        versions: &[Version],
        changes: &[Change],
        n: &Numbering,
    ) -> Vec<ChangeView> {
        let vref = |v: &Version| VersionRefView {
            id: v.id.clone(),
            label: v.label.clone(),
            date: v.date.map(DateView::new),
            url: self.version_url(kind, id, &v.id),
            sources: self.source_refs(&v.sources, n),
        };
        changes
            .iter()
            .map(|c| {
                let (from, to) = (&versions[c.from], &versions[c.to]);
                let segments = &c.comparison.segments;
                let (old_html, new_html) = crate::changes::side_by_side_html(segments);
                ChangeView {
                    id: format!("{}-to-{}", from.id, to.id),
                    from: vref(from),
                    to: vref(to),
                    inline_html: crate::changes::inline_html(segments),
                    old_html,
                    new_html,
                    numeric: c
                        .comparison
                        .numeric
                        .iter()
                        .map(|x| NumericChangeView {
                            headline: x.headline(to.subject.as_deref()),
                            summary: x.summary(),
                            kind: wire_name(x.kind),
                            unit: x.unit.clone(),
                            old_value: x.old_value,
                            new_value: x.new_value,
                            context: format!("…{} {} {}…", x.before, x.new_text.trim(), x.after),
                        })
                        .collect(),
                    has_changes: c.comparison.has_changes(),
                }
            })
            .collect()
    }

    pub fn provision_item(&self, p: &Provision) -> ProvisionItemView {
        ProvisionItemView {
            title: p.meta.title.clone(),
            url: self.link(&Kind::Provision.path_of(&p.meta.id)),
            section: p.section.clone(),
            summary: p.summary.clone(),
            agencies: p
                .agencies
                .iter()
                .filter_map(|a| self.agency_link(a))
                .collect(),
            deadline_count: p.deadlines.len(),
        }
    }

    /// The page of order `i`. Its provisions and deadlines stop after one
    /// page's worth; the rest are on their own pages, linked from it.
    pub fn order(&self, i: usize) -> OrderView {
        let o = &self.site.orders[i];
        let scope = Scope::Order(i);
        let (provisions, more_provisions) = self.first_provisions(scope);
        let (all, more_deadlines) = self.first_deadlines(scope);
        let mut n = numbering(&o.meta.citations, &all);
        n.add(
            o.relations
                .iter()
                .chain(&o.related_by)
                .flat_map(|r| &r.sources),
        );
        let deadlines = all.iter().map(|(p, d)| self.deadline(p, d, &n)).collect();
        let status_base = format!("{}status/", Kind::Order.path_of(&o.meta.id));
        OrderView {
            relations: o
                .relations
                .iter()
                .map(|r| self.relation(r, false, &n))
                .collect(),
            related_by: o
                .related_by
                .iter()
                .map(|r| self.relation(r, true, &n))
                .collect(),
            lapsed: o.lapse.as_ref().map(|l| self.lapse_text(l)),
            scoreboard: self.scoreboard(
                self.deadline_rows(scope, None).iter().map(|(_, d)| *d),
                &status_base,
            ),
            entity: self.entity(Kind::Order, &o.meta, &n),
            short_title: o.short_title.clone(),
            issuer: o.issuer.clone(),
            signed: o.signed.map(DateView::new),
            published: o.published.map(DateView::new),
            citation: o.citation.clone(),
            status: wire_name(o.status),
            summary: o.summary.clone(),
            sources: self.source_refs(&o.sources, &n),
            provisions: provisions.iter().map(|p| self.provision_item(p)).collect(),
            more_provisions,
            deadlines,
            more_deadlines,
            versions: self.versions(Kind::Order, &o.meta.id, &o.versions, &n),
            changes: self.changes(Kind::Order, &o.meta.id, &o.versions, &o.changes, &n),
        }
    }

    /// An order's or agency's provisions up to one page's worth, and where
    /// the rest are when there are more.
    fn first_provisions(&self, scope: Scope) -> (Vec<&'s Provision>, Option<MoreView>) {
        let all = self.provision_rows(scope);
        self.first_page(&all, site_pages::provisions_base(self.site, scope))
    }

    /// An order's or agency's deadlines up to one page's worth, and where
    /// the rest are when there are more.
    #[allow(clippy::type_complexity)]
    fn first_deadlines(
        &self,
        scope: Scope,
    ) -> (Vec<(&'s Provision, &'s Deadline)>, Option<MoreView>) {
        let all = self.deadline_rows(scope, None);
        self.first_page(&all, site_pages::deadlines_base(self.site, scope))
    }

    /// The first page's worth of `all`, and a link to the list at `base`
    /// when there are more.
    fn first_page<T: Copy>(&self, all: &[T], base: String) -> (Vec<T>, Option<MoreView>) {
        let more = self.more(all.len(), base);
        let first = all
            .iter()
            .take(self.site.config.page_size)
            .copied()
            .collect();
        (first, more)
    }

    fn more(&self, total: usize, base: String) -> Option<MoreView> {
        (total > self.site.config.page_size).then(|| MoreView {
            total: paging::thousands(total),
            url: self.link(&base),
        })
    }

    /// "Revoked by Executive Order X on June 2, 2026."
    pub fn lapse_text(&self, l: &Lapse) -> String {
        let verb = match l.kind {
            OrderStatus::Superseded => "Superseded",
            _ => "Revoked",
        };
        let by = if l.by.is_empty() {
            String::new()
        } else {
            format!(
                " by {}",
                self.site.title_of(&Ref::new(Kind::Order, l.by.as_str()))
            )
        };
        match l.since {
            Some(d) => format!("{verb}{by} on {}: no longer in force.", dates::display(d)),
            None => format!("{verb}{by}: no longer in force."),
        }
    }

    pub fn provision(&self, p: &'s Provision) -> ProvisionView {
        let n = &Numbering::new(&p.meta.citations);
        ProvisionView {
            entity: self.entity(Kind::Provision, &p.meta, n),
            order: (!p.order.is_empty())
                .then(|| self.entity_link(&Ref::new(Kind::Order, p.order.as_str()))),
            section: p.section.clone(),
            agencies: p
                .agencies
                .iter()
                .filter_map(|a| self.agency_link(a))
                .collect(),
            summary: p.summary.clone(),
            sources: self.source_refs(&p.sources, n),
            deadlines: p.deadlines.iter().map(|d| self.deadline(p, d, n)).collect(),
            versions: self.versions(Kind::Provision, &p.meta.id, &p.versions, n),
            changes: self.changes(Kind::Provision, &p.meta.id, &p.versions, &p.changes, n),
            disagreements: p
                .disagreements
                .iter()
                .map(|d| DisagreementView {
                    claim: d.claim.clone(),
                    accounts: d
                        .accounts
                        .iter()
                        .map(|a| AccountView {
                            says: a.says.clone(),
                            sources: self.source_refs(&a.sources, n),
                            preferred: a.preferred,
                            reason: a.reason.clone(),
                        })
                        .collect(),
                })
                .collect(),
        }
    }

    /// The page of agency `i`, its lists cut short as an order's are.
    pub fn agency(&self, i: usize) -> AgencyView {
        let a = &self.site.agencies[i];
        let id = a.meta.id.as_str();
        let children = self
            .site
            .agencies
            .iter()
            .filter(|c| c.parent.as_deref() == Some(id))
            .map(|c| self.entity_link(&Ref::new(Kind::Agency, c.meta.id.as_str())))
            .collect();
        let (provisions, more_provisions) = self.first_provisions(Scope::Agency(i));
        let provisions = provisions.iter().map(|p| self.provision_item(p)).collect();
        let (all, more_deadlines) = self.first_deadlines(Scope::Agency(i));
        let n = numbering(&a.meta.citations, &all);
        let deadlines = all.iter().map(|(p, d)| self.deadline(p, d, &n)).collect();
        AgencyView {
            entity: self.entity(Kind::Agency, &a.meta, &n),
            acronym: a.acronym.clone(),
            parent: a.parent.as_ref().and_then(|p| self.agency_link(p)),
            children,
            url: a.url.clone(),
            provisions,
            more_provisions,
            deadlines,
            more_deadlines,
            scoreboard: self.scoreboard(
                self.deadline_rows(Scope::Agency(i), None)
                    .iter()
                    .map(|(_, d)| *d),
                &format!("{}status/", Kind::Agency.path_of(id)),
            ),
            calendar: self.calendar_link(&format!("/agencies/{id}/calendar.ics")),
            timeline_url: self.link(&format!("/timeline/agencies/{id}/")),
        }
    }

    pub fn source(&self, s: &Source) -> SourceView {
        SourceView {
            entity: self.entity(Kind::Source, &s.meta, &Numbering::new(&s.meta.citations)),
            publisher: s.publisher.clone(),
            date: s.date.map(DateView::new),
            external_url: s.url.clone(),
            kind: wire_name(s.kind),
            kind_label: kind_label(s.kind).to_string(),
            archived_url: s.archived_url.clone(),
            accessed: s.accessed.map(DateView::new),
        }
    }

    pub fn event(&self, e: &Event) -> EventView {
        let n = Numbering::new(&e.meta.citations);
        EventView {
            entity: self.entity(Kind::Event, &e.meta, &n),
            date: e.date.as_ref().map(|w| DateView::new(w.date)),
            derivation: e.date.as_ref().and_then(When::derivation_text),
            kind: self.site.config.event_kind_label(&e.kind).to_string(),
            sources: self.source_refs(&e.sources, &n),
            related: e.related.iter().map(|r| self.entity_link(r)).collect(),
        }
    }

    pub fn page(&self, p: &Page) -> EntityView {
        self.entity(Kind::Page, &p.meta, &Numbering::new(&p.meta.citations))
    }

    /// Page `page` of the index of `kind`.
    /// Every row of a kind's index, made once for all its pages.
    pub fn index_rows(&self, kind: Kind) -> &[IndexItemView] {
        self.index_items[kind as usize].get_or_init(|| self.index_items(kind))
    }

    pub fn index(&self, kind: Kind, page: usize) -> IndexView<'_> {
        let all = self.index_rows(kind);
        let size = self.site.config.page_size;
        let title = |i: usize| all.get(i).map_or_else(String::new, |x| x.title.clone());
        let intro = match kind {
            Kind::Order => "Executive orders, directives and memoranda covered by this site.",
            Kind::Provision => "Each provision of an order: what it requires, of whom, and by when.",
            Kind::Agency => "Departments, agencies and offices that the orders task.",
            Kind::Source => "Every source cited on this site: primary texts first, then official statements, news and analysis.",
            Kind::Event => "Dated events: signings, reported drafts, publications.",
            Kind::Page => "",
        };
        IndexView {
            kind: kind.name().to_string(),
            title: kind.plural_label().to_string(),
            intro: intro.to_string(),
            items: std::borrow::Cow::Borrowed(&all[paging::rows(page, all.len(), size)]),
            pager: paging::pager(
                page,
                all.len(),
                size,
                &self.link(&format!("/{}/", kind.folder())),
                title,
            ),
        }
    }

    /// Page `page` of an order's or an agency's provisions, when they are
    /// too many for its own page.
    pub fn provisions_page(&self, scope: Scope, page: usize) -> IndexView<'_> {
        let s = self.site;
        let all = self.provision_rows(scope);
        let size = s.config.page_size;
        let owner = match scope {
            Scope::Order(i) => s.orders[i].meta.title.as_str(),
            Scope::Agency(i) => s.agencies[i].meta.title.as_str(),
            Scope::All => "",
        };
        let items = all[paging::rows(page, all.len(), size)]
            .iter()
            .map(|p| IndexItemView {
                entity: Ref::new(Kind::Provision, p.meta.id.as_str()),
                title: match &p.section {
                    Some(n) => format!("Sec. {n}: {}", p.meta.title),
                    None => p.meta.title.clone(),
                },
                url: self.link(&Kind::Provision.path_of(&p.meta.id)),
                detail: p.summary.clone(),
                group: String::new(),
            })
            .collect();
        let title = |i: usize| {
            all.get(i)
                .map_or_else(String::new, |p| p.meta.title.clone())
        };
        IndexView {
            kind: Kind::Provision.name().to_string(),
            title: format!("Provisions: {owner}"),
            intro: format!("Every provision that concerns {owner}."),
            items: std::borrow::Cow::Owned(items),
            pager: paging::pager(
                page,
                all.len(),
                size,
                &self.link(&site_pages::provisions_base(s, scope)),
                title,
            ),
        }
    }

    /// Every row of the index of `kind`.
    fn index_items(&self, kind: Kind) -> Vec<IndexItemView> {
        let s = self.site;
        let items: Vec<IndexItemView> = match kind {
            Kind::Order => s
                .orders
                .iter()
                .map(|o| IndexItemView {
                    entity: Ref::new(Kind::Order, o.meta.id.as_str()),
                    title: o.meta.title.clone(),
                    url: self.link(&Kind::Order.path_of(&o.meta.id)),
                    detail: join_nonempty(&[
                        o.issuer.clone(),
                        o.signed
                            .map(|d| format!("signed {}", dates::display(d)))
                            .unwrap_or_default(),
                        wire_name(o.status),
                        o.related_by
                            .iter()
                            .map(|r| (r.kind.passive(), r))
                            .chain(o.relations.iter().map(|r| (r.kind.active(), r)))
                            .map(|(verb, r)| {
                                let title = s
                                    .title_of(&Ref::new(Kind::Order, r.order.as_str()))
                                    .to_string();
                                match r.date {
                                    Some(d) => format!(
                                        "{} {title} ({})",
                                        verb.to_lowercase(),
                                        dates::display(d)
                                    ),
                                    None => format!("{} {title}", verb.to_lowercase()),
                                }
                            })
                            .collect::<Vec<_>>()
                            .join("; "),
                    ]),
                    group: String::new(),
                })
                .collect(),
            Kind::Provision => s
                .provisions
                .iter()
                .map(|p| IndexItemView {
                    entity: Ref::new(Kind::Provision, p.meta.id.as_str()),
                    title: p.meta.title.clone(),
                    url: self.link(&Kind::Provision.path_of(&p.meta.id)),
                    detail: p.summary.clone(),
                    group: s
                        .title_of(&Ref::new(Kind::Order, p.order.as_str()))
                        .to_string(),
                })
                .collect(),
            Kind::Agency => s
                .agencies
                .iter()
                .map(|a| IndexItemView {
                    entity: Ref::new(Kind::Agency, a.meta.id.as_str()),
                    title: a.meta.title.clone(),
                    url: self.link(&Kind::Agency.path_of(&a.meta.id)),
                    detail: join_nonempty(&[
                        a.acronym.clone().unwrap_or_default(),
                        a.parent
                            .as_ref()
                            .map(|p| {
                                format!(
                                    "part of {}",
                                    s.title_of(&Ref::new(Kind::Agency, p.as_str()))
                                )
                            })
                            .unwrap_or_default(),
                    ]),
                    group: String::new(),
                })
                .collect(),
            Kind::Source => {
                let mut list: Vec<&Source> = s.sources.iter().map(|x| &**x).collect();
                list.sort_by_key(|x| {
                    (
                        x.kind as u8,
                        std::cmp::Reverse(x.date),
                        x.meta.title.to_lowercase(),
                    )
                });
                list.into_iter()
                    .map(|x| IndexItemView {
                        entity: Ref::new(Kind::Source, x.meta.id.as_str()),
                        title: x.meta.title.clone(),
                        url: self.link(&Kind::Source.path_of(&x.meta.id)),
                        detail: join_nonempty(&[
                            x.publisher.clone(),
                            x.date.map(dates::display).unwrap_or_default(),
                        ]),
                        group: kind_label(x.kind).to_string(),
                    })
                    .collect()
            }
            Kind::Event => s
                .events
                .iter()
                .map(|e| IndexItemView {
                    entity: Ref::new(Kind::Event, e.meta.id.as_str()),
                    title: e.meta.title.clone(),
                    url: self.link(&Kind::Event.path_of(&e.meta.id)),
                    detail: join_nonempty(&[
                        e.date
                            .as_ref()
                            .map(|w| dates::display(w.date))
                            .unwrap_or_else(|| "date unknown".into()),
                        self.site.config.event_kind_label(&e.kind).to_lowercase(),
                    ]),
                    group: String::new(),
                })
                .collect(),
            Kind::Page => s
                .pages
                .iter()
                .map(|p| IndexItemView {
                    entity: Ref::new(Kind::Page, p.meta.id.as_str()),
                    title: p.meta.title.clone(),
                    url: self.link(&Kind::Page.path_of(&p.meta.id)),
                    detail: String::new(),
                    group: String::new(),
                })
                .collect(),
        };
        items
    }

    pub fn home(&self) -> HomeView {
        let s = self.site;
        let all: Vec<(&Provision, &Deadline)> = s.deadlines().collect();
        let upcoming: Vec<_> = all
            .iter()
            .filter(|(_, d)| d.due.as_ref().is_some_and(|w| w.date >= s.as_of))
            .take(5)
            .copied()
            .collect();
        let overdue: Vec<_> = all
            .iter()
            .rev()
            .filter(|(_, d)| Standing::of_deadline(d, s.as_of).is_overdue())
            .take(5)
            .copied()
            .collect();
        let shown: Vec<_> = upcoming.iter().chain(&overdue).copied().collect();
        let n = numbering(&s.home_citations, &shown);
        let upcoming = upcoming
            .iter()
            .map(|(p, d)| self.deadline(p, d, &n))
            .collect();
        let overdue = overdue
            .iter()
            .map(|(p, d)| self.deadline(p, d, &n))
            .collect();
        let latest = s
            .events
            .iter()
            .rev()
            .filter(|e| e.date.as_ref().is_some_and(|w| w.date <= s.as_of))
            .take(5)
            .map(|e| EventItemView {
                title: e.meta.title.clone(),
                url: self.link(&Kind::Event.path_of(&e.meta.id)),
                date: e.date.as_ref().map(|w| DateView::new(w.date)),
                kind: self.site.config.event_kind_label(&e.kind).to_lowercase(),
            })
            .collect();
        let counts = [
            (Kind::Provision, s.provisions.len()),
            (Kind::Agency, s.agencies.len()),
            (Kind::Event, s.events.len()),
            (Kind::Source, s.sources.len()),
        ]
        .into_iter()
        .map(|(k, count)| CountView {
            label: k.plural_label().to_lowercase(),
            count,
            url: self.link(&format!("/{}/", k.folder())),
        })
        .collect();
        HomeView {
            intro_html: s.home_html.clone(),
            orders: s
                .orders
                .iter()
                .map(|o| OrderSummaryView {
                    title: o.meta.title.clone(),
                    url: self.link(&Kind::Order.path_of(&o.meta.id)),
                    issuer: o.issuer.clone(),
                    signed: o.signed.map(DateView::new),
                    status: wire_name(o.status),
                    summary: o.summary.clone(),
                    provision_count: s.provisions.iter().filter(|p| p.order == o.meta.id).count(),
                })
                .collect(),
            upcoming,
            overdue,
            latest,
            counts,
            citations: self.source_refs(n.ids(), &n),
        }
    }
}

/// The numbers of a page's sources: 1, 2, ... in order of first citation.
#[derive(Debug, Default)]
pub struct Numbering {
    ids: Vec<String>,
    index: HashMap<String, usize>,
}

impl Numbering {
    pub fn new(ids: &[String]) -> Numbering {
        let mut n = Numbering::default();
        n.add(ids);
        n
    }

    pub fn add<'a>(&mut self, ids: impl IntoIterator<Item = &'a String>) {
        for id in ids {
            if !self.index.contains_key(id) {
                self.ids.push(id.clone());
                self.index.insert(id.clone(), self.ids.len());
            }
        }
    }

    /// The number of source `id` on the page, or 0 when it is not numbered.
    pub fn number(&self, id: &str) -> usize {
        self.index.get(id).copied().unwrap_or(0)
    }

    pub fn ids(&self) -> &[String] {
        &self.ids
    }
}

/// A page's source numbering: its own citations, then the sources of the deadlines it lists.
fn numbering(own: &[String], deadlines: &[(&Provision, &Deadline)]) -> Numbering {
    let mut n = Numbering::new(own);
    for (_, d) in deadlines {
        n.add(d.sources.iter().chain(&d.status_sources));
        n.add(d.history.iter().flat_map(|e| &e.sources));
    }
    n
}

fn join_nonempty(parts: &[String]) -> String {
    parts
        .iter()
        .filter(|p| !p.is_empty())
        .cloned()
        .collect::<Vec<_>>()
        .join(" · ")
}

/// The name a value has in content files and the export (`signed`,
/// `in-progress`, `claimed`): its serde name.
pub fn wire_name(value: impl Serialize) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_default()
}

fn kind_label(k: SourceKind) -> &'static str {
    match k {
        SourceKind::Primary => "Primary texts",
        SourceKind::Official => "Official statements",
        SourceKind::News => "News reports",
        SourceKind::Analysis => "Analysis",
    }
}

mod site_pages;
pub use site_pages::*;
