//! The rows of the site's long lists, in the order they are shown. One
//! place decides what each list holds, so that counting its pages (for the
//! jobs) and rendering a page of it (for the views) cannot disagree.

use foldhash::{HashMap, HashMapExt};

use crate::content::Kind;
use crate::model::{Deadline, Meta, Order, Provision, Site};
use crate::timeline::{Item, ItemKind};

/// Whose rows a list holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Scope {
    All,
    /// An order, by position.
    Order(usize),
    /// An agency, by position.
    Agency(usize),
}

/// The agencies provision `p` tasks: those it names, then those it sets
/// deadlines (an agency may come more than once).
pub fn tasked(p: &Provision) -> impl Iterator<Item = &str> {
    let deadlines = p.deadlines.iter().map(|d| d.agency.as_str());
    p.agencies.iter().map(String::as_str).chain(deadlines)
}

/// Whether provision `p` tasks agency `id` or sets it a deadline.
pub fn tasks(p: &Provision, id: &str) -> bool {
    tasked(p).any(|x| x == id)
}

/// Where the matrix's pages end (see [`paging::Cut::Ends`]): a page holds
/// up to `size` rows, and ends before a row that would take its columns
/// (the agencies its rows task) over `columns`; a row tasking more than
/// `columns` agencies has a page of its own.
pub fn matrix_ends(
    site: &Site,
    rows: &[(&Order, &Provision)],
    size: usize,
    columns: usize,
) -> Vec<usize> {
    let mut ends = Vec::new();
    let mut start = 0;
    let mut seen: foldhash::HashSet<&str> = foldhash::HashSet::default();
    for (i, (_, p)) in rows.iter().enumerate() {
        let mut agencies: Vec<&str> = tasked(p).filter(|a| site.agency(a).is_some()).collect();
        agencies.sort_unstable();
        agencies.dedup();
        let new = agencies.iter().filter(|a| !seen.contains(*a)).count();
        if i > start && (i - start >= size.max(1) || seen.len() + new > columns) {
            ends.push(i);
            start = i;
            seen.clear();
        }
        seen.extend(agencies);
    }
    if !rows.is_empty() {
        ends.push(rows.len());
    }
    ends
}

/// The matrix's rows: each order's provisions, order by order.
pub fn matrix_rows<'s>(site: &'s Site, grouped: &Grouped<'s>) -> Vec<(&'s Order, &'s Provision)> {
    site.orders
        .iter()
        .map(|o| &**o)
        .enumerate()
        .flat_map(|(i, o)| {
            grouped
                .provisions(Scope::Order(i))
                .into_iter()
                .map(move |p| (o, p))
        })
        .collect()
}

/// What /changes/ shows, order by order: the order's own text (`None`),
/// then each of its provisions that changed. An order with no change at
/// all has no row.
pub fn change_owners(site: &Site) -> Vec<(&Order, Option<&Provision>)> {
    let mut by_order: HashMap<&str, Vec<&Provision>> = HashMap::new();
    for p in site.provisions.iter().filter(|p| !p.changes.is_empty()) {
        by_order.entry(p.order.as_str()).or_default().push(p);
    }
    let mut out = Vec::new();
    for o in site.orders.iter().map(|o| &**o) {
        if !o.changes.is_empty() {
            out.push((o, None));
        }
        for p in by_order.remove(o.meta.id.as_str()).unwrap_or_default() {
            out.push((o, Some(p)));
        }
    }
    out
}

/// The timeline's rows (positions in `items`): of one agency, given its
/// items (see [`items_by_agency`]), and of one kind, if given.
pub fn timeline(
    items: &[Item<'_>],
    agency: Option<&[usize]>,
    kind: Option<ItemKind>,
) -> Vec<usize> {
    let of_kind = |at: &usize| kind.is_none_or(|k| items[*at].kind == k);
    match agency {
        Some(rows) => rows.iter().copied().filter(of_kind).collect(),
        None => (0..items.len()).filter(of_kind).collect(),
    }
}

/// Each agency's dated items (positions in `items`, each once however
/// often the item names the agency), by the agency's id, in one pass: a
/// pass per agency grew with agencies times items.
/// Items naming an agency not in `agencies` are left out.
pub fn items_by_agency<'s>(
    agencies: impl IntoIterator<Item = &'s str>,
    items: &[Item<'_>],
) -> HashMap<&'s str, Vec<usize>> {
    let mut map: HashMap<&'s str, Vec<usize>> =
        agencies.into_iter().map(|id| (id, Vec::new())).collect();
    for (at, item) in items.iter().enumerate() {
        for a in &item.agencies {
            if let Some(rows) = map.get_mut(a.as_str()) {
                if rows.last() != Some(&at) {
                    rows.push(at);
                }
            }
        }
    }
    map
}

/// Every entity, for /stale/, in the page's sections: stale, never
/// reviewed, then reviewed recently enough; oldest review first in each,
/// then by kind and title.
pub fn reviews(site: &Site) -> Vec<(Kind, &Meta)> {
    let mut items: Vec<(Kind, &Meta)> = Vec::new();
    items.extend(site.orders.iter().map(|x| (Kind::Order, &x.meta)));
    items.extend(site.provisions.iter().map(|x| (Kind::Provision, &x.meta)));
    items.extend(site.agencies.iter().map(|x| (Kind::Agency, &x.meta)));
    items.extend(site.sources.iter().map(|x| (Kind::Source, &x.meta)));
    items.extend(site.events.iter().map(|x| (Kind::Event, &x.meta)));
    items.extend(site.pages.iter().map(|x| (Kind::Page, &x.meta)));
    items.sort_by_cached_key(|(kind, m)| {
        (review_section(site, m), m.reviewed, *kind, m.title.clone())
    });
    items
}

/// Which section of /stale/ an entity is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ReviewSection {
    Stale,
    Unreviewed,
    Fresh,
}

pub fn review_section(site: &Site, m: &Meta) -> ReviewSection {
    match (
        m.reviewed,
        crate::resolve::stale_days(&site.config, site.as_of, m.reviewed),
    ) {
        (None, _) => ReviewSection::Unreviewed,
        (Some(_), Some(_)) => ReviewSection::Stale,
        (Some(_), None) => ReviewSection::Fresh,
    }
}

/// How many entities of `kind` the site has: the rows of its index.
pub fn entities(site: &Site, kind: Kind) -> usize {
    match kind {
        Kind::Order => site.orders.len(),
        Kind::Provision => site.provisions.len(),
        Kind::Agency => site.agencies.len(),
        Kind::Source => site.sources.len(),
        Kind::Event => site.events.len(),
        Kind::Page => site.pages.len(),
    }
}

/// Every order's and agency's deadlines (by due date) and provisions (in
/// site order), grouped in one pass over the site; also where each order and
/// agency is. The rows of every scoped list come from here.
pub struct Grouped<'s> {
    site: &'s Site,
    by_scope: HashMap<Scope, Vec<(&'s Provision, &'s Deadline)>>,
    provisions_by_scope: HashMap<Scope, Vec<&'s Provision>>,
    pub order_at: HashMap<&'s str, usize>,
    pub agency_at: HashMap<&'s str, usize>,
}

impl<'s> Grouped<'s> {
    pub fn of(site: &'s Site) -> Grouped<'s> {
        let order_at: HashMap<&str, usize> = site
            .orders
            .iter()
            .enumerate()
            .map(|(i, o)| (o.meta.id.as_str(), i))
            .collect();
        let agency_at: HashMap<&str, usize> = site
            .agencies
            .iter()
            .enumerate()
            .map(|(i, a)| (a.meta.id.as_str(), i))
            .collect();
        let mut g = Grouped {
            site,
            by_scope: HashMap::new(),
            provisions_by_scope: HashMap::new(),
            order_at: HashMap::new(),
            agency_at: HashMap::new(),
        };
        for p in &site.provisions {
            if let Some(&i) = order_at.get(p.order.as_str()) {
                g.provisions_by_scope
                    .entry(Scope::Order(i))
                    .or_default()
                    .push(p);
            }
            let mut tasked: Vec<usize> = tasked(p)
                .filter_map(|a| agency_at.get(a).copied())
                .collect();
            tasked.sort_unstable();
            tasked.dedup();
            for i in tasked {
                g.provisions_by_scope
                    .entry(Scope::Agency(i))
                    .or_default()
                    .push(p);
            }
        }
        for (p, d) in site.deadlines() {
            if let Some(&i) = order_at.get(p.order.as_str()) {
                g.by_scope.entry(Scope::Order(i)).or_default().push((p, d));
            }
            if let Some(&i) = agency_at.get(d.agency.as_str()) {
                g.by_scope.entry(Scope::Agency(i)).or_default().push((p, d));
            }
        }
        g.order_at = order_at;
        g.agency_at = agency_at;
        g
    }

    /// Deadlines by due date: the site's, an order's or an agency's.
    pub fn deadlines(&self, scope: Scope) -> Vec<(&'s Provision, &'s Deadline)> {
        match scope {
            Scope::All => self.site.deadlines().collect(),
            _ => self.by_scope.get(&scope).cloned().unwrap_or_default(),
        }
    }

    /// Provisions in site order: all, an order's, or those tasking an agency.
    pub fn provisions(&self, scope: Scope) -> Vec<&'s Provision> {
        match scope {
            Scope::All => self.site.provisions.iter().map(|p| &**p).collect(),
            _ => self
                .provisions_by_scope
                .get(&scope)
                .cloned()
                .unwrap_or_default(),
        }
    }

    /// How many deadlines or provisions `scope` has, without copying them.
    pub fn counts(&self, scope: Scope) -> (usize, usize) {
        (
            self.by_scope.get(&scope).map_or(0, Vec::len),
            self.provisions_by_scope.get(&scope).map_or(0, Vec::len),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Ref;

    fn item(kind: ItemKind, agencies: &[&str]) -> Item<'static> {
        Item {
            date: jiff::civil::date(2026, 6, 2),
            kind,
            title: String::new(),
            page: Ref::new(Kind::Event, "e"),
            anchor: None,
            agencies: agencies.iter().map(|a| a.to_string()).collect(),
            deadline: None,
            key: String::new(),
        }
    }

    #[test]
    fn each_agency_has_its_items_once_in_order() {
        let items = [
            item(ItemKind::Event, &["doe", "nist"]),
            item(ItemKind::Deadline, &["doe", "doe"]),
            item(ItemKind::Event, &["unknown"]),
            item(ItemKind::Deadline, &["nist"]),
        ];
        let by = items_by_agency(["doe", "nist", "omb"], &items);
        assert_eq!(by["doe"], [0, 1]);
        assert_eq!(by["nist"], [0, 3]);
        assert_eq!(by["omb"], Vec::<usize>::new());
        assert!(!by.contains_key("unknown"));
        assert_eq!(
            timeline(&items, Some(&by["nist"]), Some(ItemKind::Deadline)),
            [3]
        );
        assert_eq!(timeline(&items, None, Some(ItemKind::Event)), [0, 2]);
        assert_eq!(timeline(&items, None, None), [0, 1, 2, 3]);
    }
}
