//! The resolved knowledge base: every reference checked, every date computed,
//! every body rendered. Built once by [`crate::resolve`], read by the renderer.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use jiff::civil::Date;
use serde::Serialize;

use crate::config::Config;
use crate::content::raw::{Basis, DeadlineStatus, OrderStatus, SourceKind};
use crate::content::Kind;

/// A typed pointer to an entity.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
pub struct Ref {
    pub kind: Kind,
    pub id: String,
}

impl Ref {
    pub fn new(kind: Kind, id: impl Into<String>) -> Ref {
        Ref {
            kind,
            id: id.into(),
        }
    }

    /// The site path (`/agencies/treasury/`), before the base path is applied.
    pub fn path(&self) -> String {
        self.kind.path_of(&self.id)
    }
}

/// What every entity has.
#[derive(Clone)]
pub struct Meta {
    pub id: String,
    pub title: String,
    /// The file it came from, relative to the site root.
    pub file: PathBuf,
    /// The Markdown body rendered to HTML (links and citations resolved),
    /// shared with the dev server's cache of bodies.
    pub body_html: Arc<str>,
    /// Sources this entity cites, numbered in this order on its page.
    pub citations: Vec<String>,
    /// When an editor last checked it against its sources.
    pub reviewed: Option<Date>,
}

/// Leaves out the body and its citations, long: the dev server's signatures
/// hash them apart from the rest of the entity.
impl std::hash::Hash for Meta {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (&self.id, &self.title, &self.file, &self.reviewed).hash(state);
    }
}

/// Leaves out the body and its citations, long.
impl std::fmt::Debug for Meta {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Meta")
            .field("id", &self.id)
            .field("title", &self.title)
            .field("file", &self.file)
            .field("reviewed", &self.reviewed)
            .finish_non_exhaustive()
    }
}

/// A date with how it was obtained.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct When {
    pub date: Date,
    /// Set when the date was computed: "within N days of X".
    /// Shared: most dates of a large site are computed, and each is held in
    /// the site, in the dev server's cache and, while resolving, in the
    /// table of dates; copies of it are a count, not a string.
    pub derivation: Option<Arc<Derivation>>,
}

impl When {
    /// How the date was computed, if it was: "within 30 days of 2026-06-02
    /// (the signing of X) = 2026-07-02". Pages and spreadsheets show this.
    pub fn derivation_text(&self) -> Option<String> {
        let d = self.derivation.as_ref()?;
        Some(format!(
            "within {} {} of {} ({}) = {}",
            d.days,
            if d.days == 1 { "day" } else { "days" },
            d.from_date,
            d.from_label,
            self.date
        ))
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Derivation {
    pub days: i64,
    /// What the count starts from: "the signing of EO 14xxx", "the event X".
    pub from_label: String,
    pub from_date: Date,
    pub from: Option<Ref>,
}

#[derive(Debug, Clone, Hash)]
pub struct Order {
    pub meta: Meta,
    pub short_title: Option<String>,
    pub issuer: String,
    pub signed: Option<Date>,
    pub published: Option<Date>,
    pub citation: Option<String>,
    /// As given, or as follows from other orders' relations to this one.
    pub status: OrderStatus,
    pub summary: Option<String>,
    pub sources: Vec<String>,
    pub versions: Vec<Version>,
    /// Comparisons of consecutive versions.
    pub changes: Vec<Change>,
    /// What this order does to other orders (`order` is the other one).
    pub relations: Vec<Relation>,
    /// What other orders do to this one (`order` is the other one).
    pub related_by: Vec<Relation>,
    /// Set when the order is revoked or superseded: since when, if known.
    pub lapse: Option<Lapse>,
}

/// One order revoking, superseding, amending or implementing another.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RelationKind {
    Revokes,
    Supersedes,
    Amends,
    Implements,
}

impl RelationKind {
    pub const ALL: [RelationKind; 4] = [
        RelationKind::Revokes,
        RelationKind::Supersedes,
        RelationKind::Amends,
        RelationKind::Implements,
    ];

    /// The front-matter field: `revokes`.
    pub fn field(self) -> &'static str {
        match self {
            RelationKind::Revokes => "revokes",
            RelationKind::Supersedes => "supersedes",
            RelationKind::Amends => "amends",
            RelationKind::Implements => "implements",
        }
    }

    /// "Revokes"
    pub fn active(self) -> &'static str {
        match self {
            RelationKind::Revokes => "Revokes",
            RelationKind::Supersedes => "Supersedes",
            RelationKind::Amends => "Amends",
            RelationKind::Implements => "Implements",
        }
    }

    /// "Revoked by"
    pub fn passive(self) -> &'static str {
        match self {
            RelationKind::Revokes => "Revoked by",
            RelationKind::Supersedes => "Superseded by",
            RelationKind::Amends => "Amended by",
            RelationKind::Implements => "Implemented by",
        }
    }

    /// The status this relation gives its target, if any.
    pub fn target_status(self) -> Option<OrderStatus> {
        match self {
            RelationKind::Revokes => Some(OrderStatus::Revoked),
            RelationKind::Supersedes => Some(OrderStatus::Superseded),
            RelationKind::Amends => Some(OrderStatus::Amended),
            RelationKind::Implements => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Relation {
    pub kind: RelationKind,
    /// The other order's id.
    pub order: String,
    /// When it took effect, if known (else the acting order's signing date).
    pub date: Option<Date>,
    pub sources: Vec<String>,
}

/// An order no longer in force: since when (if known) and by which order
/// (empty when its status says so without a relation on the site).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lapse {
    pub since: Option<Date>,
    pub by: String,
    pub kind: OrderStatus,
}

/// One dated entry of a deadline's status history.
#[derive(Debug, Clone, Hash)]
pub struct StatusEntry {
    pub status: DeadlineStatus,
    pub date: Date,
    pub basis: Basis,
    pub sources: Vec<String>,
    pub note: Option<String>,
}

#[derive(Debug, Clone, Hash)]
pub struct Provision {
    pub meta: Meta,
    pub order: String,
    pub section: Option<String>,
    pub weight: Option<i64>,
    pub agencies: Vec<String>,
    pub summary: String,
    pub sources: Vec<String>,
    pub deadlines: Vec<Deadline>,
    pub versions: Vec<Version>,
    /// Comparisons of consecutive versions.
    pub changes: Vec<Change>,
    pub disagreements: Vec<Disagreement>,
}

/// Give back the room a provision's lists grew into while they were filled
/// (a list of two deadlines has room for four). Raw and resolved provisions
/// have the same lists; both are held for a long time on a large site.
macro_rules! shrink_provision {
    ($p:expr) => {{
        let p = $p;
        p.agencies.shrink_to_fit();
        p.sources.shrink_to_fit();
        p.deadlines.shrink_to_fit();
        for d in &mut p.deadlines {
            d.sources.shrink_to_fit();
            d.status_sources.shrink_to_fit();
        }
        p.versions.shrink_to_fit();
        for v in &mut p.versions {
            v.sources.shrink_to_fit();
        }
        p.disagreements.shrink_to_fit();
    }};
}
pub(crate) use shrink_provision;

impl Provision {
    /// See [`shrink_provision`]: a provision is held for the whole build.
    pub fn shrink(&mut self) {
        shrink_provision!(self);
    }
}

#[derive(Debug, Clone, Hash)]
pub struct Deadline {
    pub id: String,
    pub provision: String,
    pub action: String,
    pub agency: String,
    pub due: Option<When>,
    pub note: Option<String>,
    /// The current status: the one given, or the latest of `history`.
    pub status: Option<DeadlineStatus>,
    /// Sources of the current status.
    pub status_sources: Vec<String>,
    /// Every recorded status, oldest first (empty when one status is given).
    pub history: Vec<StatusEntry>,
    /// Set when the deadline's order is no longer in force.
    pub lapse: Option<Lapse>,
    pub sources: Vec<String>,
}

#[derive(Debug, Clone, Hash)]
pub struct Version {
    pub id: String,
    pub label: String,
    pub date: Option<Date>,
    pub text: String,
    pub text_html: String,
    pub paraphrase: bool,
    pub subject: Option<String>,
    pub sources: Vec<String>,
}

/// What changed from version `from` to version `to` (indexes into `versions`).
#[derive(Debug, Clone)]
pub struct Change {
    pub from: usize,
    pub to: usize,
    pub comparison: crate::changes::Comparison,
}

/// The comparison follows from the versions compared, hashed with them.
impl std::hash::Hash for Change {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        (self.from, self.to).hash(state);
    }
}

impl Change {
    /// Compare each version with the next one.
    pub fn between(versions: &[Version]) -> Vec<Change> {
        (1..versions.len())
            .map(|to| Change {
                from: to - 1,
                to,
                comparison: crate::changes::compare(
                    &crate::markdown::plain_text(&versions[to - 1].text_html),
                    &crate::markdown::plain_text(&versions[to].text_html),
                ),
            })
            .collect()
    }
}

#[derive(Debug, Clone, Hash)]
pub struct Disagreement {
    pub claim: String,
    pub accounts: Vec<Account>,
}

#[derive(Debug, Clone, Hash)]
pub struct Account {
    pub says: String,
    pub sources: Vec<String>,
    pub preferred: bool,
    pub reason: Option<String>,
}

#[derive(Debug, Clone, Hash)]
pub struct Agency {
    pub meta: Meta,
    pub acronym: Option<String>,
    pub parent: Option<String>,
    pub url: Option<String>,
}

#[derive(Debug, Clone, Hash)]
pub struct Source {
    pub meta: Meta,
    pub publisher: String,
    pub date: Option<Date>,
    pub url: Option<String>,
    pub kind: SourceKind,
    pub archived_url: Option<String>,
    pub accessed: Option<Date>,
}

#[derive(Debug, Clone, Hash)]
pub struct Event {
    pub meta: Meta,
    pub date: Option<When>,
    /// A kind the site knows (see `Config::event_kinds`).
    pub kind: String,
    pub sources: Vec<String>,
    pub related: Vec<Ref>,
}

#[derive(Debug, Clone, Hash)]
pub struct Page {
    pub meta: Meta,
    pub weight: Option<i64>,
}

/// The whole resolved site. Entity lists are sorted deterministically.
#[derive(Debug, Clone)]
pub struct Site {
    pub config: Config,
    pub as_of: Date,
    pub home_html: String,
    pub home_citations: Vec<String>,
    // Shared with the dev server's cache, which keeps entities between
    // rebuilds: an entity made again replaces its Arc, one reused is the
    // same allocation (see `Arc::ptr_eq`).
    pub orders: Vec<Arc<Order>>,
    pub provisions: Vec<Arc<Provision>>,
    pub agencies: Vec<Arc<Agency>>,
    pub sources: Vec<Arc<Source>>,
    pub events: Vec<Arc<Event>>,
    pub pages: Vec<Arc<Page>>,
    /// References between entities, from YAML fields and Markdown alike, both ways.
    pub links: Graph,
    /// Title of every entity, for link text.
    // Maps keyed by entity use foldhash: ids are short, lookups many, and
    // no one outside the content chooses them.
    pub titles: foldhash::HashMap<Ref, String>,
    /// Position of every entity in its kind's list.
    pub positions: foldhash::HashMap<Ref, usize>,
    /// (provision, deadline) indexes of every deadline, by due date: see [`Site::deadlines`].
    pub deadline_order: Vec<(usize, usize)>,
}

impl Site {
    pub fn title_of<'a>(&'a self, r: &'a Ref) -> &'a str {
        self.titles.get(r).map_or(r.id.as_str(), String::as_str)
    }

    /// What `from` references, grouped by kind, sorted by title.
    pub fn references(&self, from: &Ref) -> BTreeMap<Kind, Vec<Ref>> {
        self.grouped(self.links.outgoing(from), from)
    }

    /// What references `to` (backlinks), grouped by kind, sorted by title.
    pub fn backlinks(&self, to: &Ref) -> BTreeMap<Kind, Vec<Ref>> {
        self.grouped(self.links.incoming(to), to)
    }

    fn grouped<'a>(
        &self,
        refs: impl Iterator<Item = &'a Ref>,
        itself: &Ref,
    ) -> BTreeMap<Kind, Vec<Ref>> {
        let mut groups: BTreeMap<Kind, Vec<Ref>> = BTreeMap::new();
        for r in refs.filter(|r| *r != itself) {
            groups.entry(r.kind).or_default().push(r.clone());
        }
        for refs in groups.values_mut() {
            refs.sort_by(|a, b| {
                self.title_of(a)
                    .cmp(self.title_of(b))
                    .then_with(|| a.id.cmp(&b.id))
            });
        }
        groups
    }

    /// Whether `self` and `other` hold entity `r` in one allocation: the
    /// dev server's cache reused it, so it is the same in both.
    pub fn same_entity(&self, other: &Site, r: &Ref) -> bool {
        fn same<T>(a: &[Arc<T>], i: usize, b: &[Arc<T>], j: usize) -> bool {
            a.get(i)
                .zip(b.get(j))
                .is_some_and(|(x, y)| Arc::ptr_eq(x, y))
        }
        let (Some(&i), Some(&j)) = (self.positions.get(r), other.positions.get(r)) else {
            return false;
        };
        match r.kind {
            Kind::Order => same(&self.orders, i, &other.orders, j),
            Kind::Provision => same(&self.provisions, i, &other.provisions, j),
            Kind::Agency => same(&self.agencies, i, &other.agencies, j),
            Kind::Source => same(&self.sources, i, &other.sources, j),
            Kind::Event => same(&self.events, i, &other.events, j),
            Kind::Page => same(&self.pages, i, &other.pages, j),
        }
    }

    fn position(&self, kind: Kind, id: &str) -> Option<usize> {
        self.positions.get(&Ref::new(kind, id)).copied()
    }

    /// The common fields of entity `r`, to change: an entity shared (with
    /// the dev server's cache) is copied first.
    pub fn meta_mut(&mut self, r: &Ref) -> Option<&mut Meta> {
        let i = self.position(r.kind, &r.id)?;
        Some(match r.kind {
            Kind::Order => &mut Arc::make_mut(self.orders.get_mut(i)?).meta,
            Kind::Provision => &mut Arc::make_mut(self.provisions.get_mut(i)?).meta,
            Kind::Agency => &mut Arc::make_mut(self.agencies.get_mut(i)?).meta,
            Kind::Source => &mut Arc::make_mut(self.sources.get_mut(i)?).meta,
            Kind::Event => &mut Arc::make_mut(self.events.get_mut(i)?).meta,
            Kind::Page => &mut Arc::make_mut(self.pages.get_mut(i)?).meta,
        })
    }

    pub fn agency(&self, id: &str) -> Option<&Agency> {
        self.position(Kind::Agency, id).map(|i| &*self.agencies[i])
    }

    pub fn source(&self, id: &str) -> Option<&Source> {
        self.position(Kind::Source, id).map(|i| &*self.sources[i])
    }

    pub fn order(&self, id: &str) -> Option<&Order> {
        self.position(Kind::Order, id).map(|i| &*self.orders[i])
    }

    pub fn event(&self, id: &str) -> Option<&Event> {
        self.position(Kind::Event, id).map(|i| &*self.events[i])
    }

    /// Every deadline with its provision, sorted by due date (undated last), then id.
    pub fn deadlines(&self) -> impl Iterator<Item = (&Provision, &Deadline)> {
        self.deadline_order.iter().map(|&(p, d)| {
            let provision = &*self.provisions[p];
            (provision, &provision.deadlines[d])
        })
    }

    /// Compare each entity's versions with the next ones, where
    /// [`crate::resolve::resolve_uncompared`] left them.
    pub fn compare_versions(&mut self) {
        use rayon::prelude::*;
        fn missing(versions: &[Version], changes: &[Change]) -> bool {
            changes.len() + 1 < versions.len()
        }
        // Left uncompared only by a build, which shares no entity: nothing is copied.
        self.orders.par_iter_mut().for_each(|o| {
            if missing(&o.versions, &o.changes) {
                let o = Arc::make_mut(o);
                o.changes = Change::between(&o.versions);
            }
        });
        self.provisions.par_iter_mut().for_each(|p| {
            if missing(&p.versions, &p.changes) {
                let p = Arc::make_mut(p);
                p.changes = Change::between(&p.versions);
            }
        });
    }

    /// Compute [`Site::deadline_order`]; call after the provisions are sorted.
    pub fn sort_deadlines(&mut self) {
        let mut order: Vec<(usize, usize)> = self
            .provisions
            .iter()
            .enumerate()
            .flat_map(|(i, p)| (0..p.deadlines.len()).map(move |j| (i, j)))
            .collect();
        order.sort_by(|&(pa, da), &(pb, db)| {
            let (a, b) = (
                &self.provisions[pa].deadlines[da],
                &self.provisions[pb].deadlines[db],
            );
            let key = |d: &Deadline| {
                let date = d.due.as_ref().map(|w| w.date);
                (date.is_none(), date)
            };
            key(a).cmp(&key(b)).then_with(|| a.id.cmp(&b.id))
        });
        self.deadline_order = order;
    }
}

/// Links between entities, both ways. Entities are numbered by their place
/// in one sorted table, and a link is two such numbers: a site of 100,000
/// provisions has millions of links, and two copies of two ids for each cost
/// hundreds of megabytes.
#[derive(Debug, Clone, Default)]
pub struct Graph {
    /// Every entity that can be linked, sorted, each once.
    refs: Vec<Ref>,
    outgoing: Adjacency,
    incoming: Adjacency,
}

/// Each entity's neighbours on one side, in one array (compressed rows).
#[derive(Debug, Clone, Default)]
struct Adjacency {
    /// Where each entity's neighbours start in `to`, and one past the last.
    starts: Vec<u32>,
    to: Vec<u32>,
}

impl Adjacency {
    /// The rows of `n` entities from links sorted by `(from, to)`, each once.
    fn from_sorted(n: usize, links: &[(u32, u32)]) -> Adjacency {
        let mut starts = Vec::with_capacity(n + 1);
        let mut next = 0;
        for row in 0..=n {
            while links
                .get(next)
                .is_some_and(|&(from, _)| (from as usize) < row)
            {
                next += 1;
            }
            starts.push(next as u32);
        }
        Adjacency {
            starts,
            to: links.iter().map(|&(_, to)| to).collect(),
        }
    }

    fn row(&self, i: usize) -> &[u32] {
        match (self.starts.get(i), self.starts.get(i + 1)) {
            (Some(&a), Some(&b)) => self.to.get(a as usize..b as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

impl Graph {
    /// The graph of `links`, pairs of places in `refs` (sorted, each once).
    /// A site cannot hold 2^32 entities: each is a file read into memory.
    pub fn new(refs: Vec<Ref>, mut links: Vec<(u32, u32)>) -> Graph {
        use rayon::prelude::*;
        debug_assert!(refs.windows(2).all(|w| w[0] < w[1]));
        links.par_sort_unstable();
        links.dedup();
        let outgoing = Adjacency::from_sorted(refs.len(), &links);
        for link in &mut links {
            *link = (link.1, link.0);
        }
        links.par_sort_unstable();
        let incoming = Adjacency::from_sorted(refs.len(), &links);
        Graph {
            refs,
            outgoing,
            incoming,
        }
    }

    /// The place of `r` in the table.
    fn place(&self, r: &Ref) -> Option<usize> {
        self.refs.binary_search(r).ok()
    }

    fn row<'a>(&'a self, side: &'a Adjacency, r: &Ref) -> impl Iterator<Item = &'a Ref> + 'a {
        let row = self.place(r).map_or(&[][..], |i| side.row(i));
        row.iter().filter_map(|&i| self.refs.get(i as usize))
    }

    /// What `from` links to, in [`Ref`] order.
    pub fn outgoing<'a>(&'a self, from: &Ref) -> impl Iterator<Item = &'a Ref> + 'a {
        self.row(&self.outgoing, from)
    }

    /// What links to `to`, in [`Ref`] order.
    pub fn incoming<'a>(&'a self, to: &Ref) -> impl Iterator<Item = &'a Ref> + 'a {
        self.row(&self.incoming, to)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_are_found_both_ways_in_order_each_once() {
        let r = |id: &str| Ref::new(Kind::Agency, id);
        let refs = vec![r("a"), r("b"), r("c"), r("d")];
        // c -> a, c -> b (twice), a -> c, d -> b; b links to nothing.
        let g = Graph::new(refs, vec![(2, 1), (2, 0), (0, 2), (2, 1), (3, 1)]);
        let ids = |it: &mut dyn Iterator<Item = &Ref>| it.map(|r| r.id.clone()).collect::<Vec<_>>();
        assert_eq!(ids(&mut g.outgoing(&r("c"))), ["a", "b"]);
        assert_eq!(ids(&mut g.outgoing(&r("b"))), Vec::<String>::new());
        assert_eq!(ids(&mut g.incoming(&r("b"))), ["c", "d"]);
        assert_eq!(ids(&mut g.incoming(&r("c"))), ["a"]);
        assert_eq!(ids(&mut g.outgoing(&r("d"))), ["b"]);
        assert_eq!(ids(&mut g.incoming(&r("nowhere"))), Vec::<String>::new());
    }
}
