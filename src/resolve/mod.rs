//! Resolving: raw documents in, the [`Site`] model out.
//!
//! This is the only place references are checked. Every YAML reference field,
//! every `[[wikilink]]` and every `[@citation]` is looked up here; each one that
//! resolves becomes a link between two entities (backlinks come from the same
//! records), each one that does not becomes a positioned diagnostic.

mod catalog;
mod dates;

use std::collections::{BTreeSet, HashMap, HashSet};
use std::sync::Arc;

use jiff::civil::Date;
use rayon::prelude::*;

use crate::config::{BaseUrl, Config};
use crate::content::raw::*;
use crate::content::{Content, Document, Kind};
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Pos};
use crate::markdown::{self, Cite, Link, LinkError, Linker};
use crate::model::*;
use catalog::Catalog;
use dates::Dates;

/// Resolve loaded content. The site is returned even with errors (bad
/// references dropped), so `check` can report everything in one pass.
pub fn resolve(
    config: Config,
    content: &Content,
    as_of: Date,
    drafts: bool,
) -> (Site, Diagnostics) {
    let (mut site, diags) = resolve_uncompared(config, content, as_of, drafts);
    site.compare_versions();
    (site, diags)
}

/// [`resolve`], leaving the comparisons of versions (`changes`) to the
/// caller's [`Site::compare_versions`]: a build lets the content go first,
/// since at 100,000 provisions the two at once were its peak of memory.
pub fn resolve_uncompared(
    config: Config,
    content: &Content,
    as_of: Date,
    drafts: bool,
) -> (Site, Diagnostics) {
    resolve_inner(config, content, as_of, drafts, None)
}

/// [`resolve`], reusing and refreshing `cache`'s rendered bodies and
/// entities (the dev server's); versions are compared as each entity is made,
/// so that the cache keeps the comparisons too.
pub fn resolve_cached(
    config: Config,
    content: &Content,
    as_of: Date,
    drafts: bool,
    cache: &mut BodyCache,
) -> (Site, Diagnostics) {
    resolve_inner(config, content, as_of, drafts, Some(cache))
}

/// Rendered Markdown bodies kept from one resolve to the next (the dev
/// server's), so that a save re-renders only the bodies it can change.
///
/// A body is reused when its file's text, the base URL and the set of
/// entities are the same, and every entity it links to or cites still has
/// the title (and, for a source, the publisher) it had. Bodies with problems
/// are never kept: they are rendered again, so their messages stay exact.
///
/// With a reused body the cache keeps the entity made from it, reused when
/// the settings, the date and the dates computed for it are the same too
/// (`entity_key`); entities with errors are made again.
#[derive(Default)]
pub struct BodyCache {
    /// By the file's path, as bytes: hashing a `Path` parses its components.
    entries: foldhash::HashMap<std::ffi::OsString, CachedBody>,
}

struct CachedBody {
    key: u64,
    /// What the body shows of other entities: (entity, hash of its title).
    deps: Vec<(Ref, u64)>,
    body: Body,
    /// The entity made with this body, and [`entity_key`] of its other inputs.
    entity: Option<(u64, Built)>,
}

impl CachedBody {
    /// The entry of `body`, rendered for `key`, with what it shows of the
    /// entities it links to as they are in `catalog`.
    fn new(key: u64, body: Body, catalog: &Catalog) -> CachedBody {
        let deps = body
            .links
            .iter()
            .map(|r| (r.clone(), shown_of(catalog, r)))
            .collect();
        CachedBody {
            key,
            deps,
            body,
            entity: None,
        }
    }
}

fn hash_of(x: impl std::hash::Hash) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    x.hash(&mut h);
    h.finish()
}

/// What a body shows of entity `r`: its title, and a source's publisher.
fn shown_of(catalog: &Catalog, r: &Ref) -> u64 {
    let publisher = match catalog.docs.get(r).map(|d| &d.front) {
        Some(RawFrontMatter::Source(s)) => Some(s.publisher.as_str()),
        _ => None,
    };
    hash_of((catalog.title(r), publisher))
}

/// The documents on the site, and the drafts left out of it (none when
/// `drafts` are built).
fn split_drafts(content: &Content, drafts: bool) -> (Vec<&Document>, Vec<&Document>) {
    content
        .documents()
        .partition(|d| drafts || !d.front.is_draft())
}

/// What a document's entity depends on besides its text and body: the
/// entities (its references resolve to them; see [`Catalog::key`]), the
/// site's settings, the date (review warnings), and the dates computed for
/// its deadlines or event, which may count from other documents' dates.
fn entity_key(doc: &Document, dates: &Dates, settings: u64) -> u64 {
    let mut h = std::collections::hash_map::DefaultHasher::new();
    use std::hash::{Hash, Hasher};
    settings.hash(&mut h);
    match &doc.front {
        RawFrontMatter::Provision(p) => {
            for d in &p.deadlines {
                dates.resolved_ref(&d.id).hash(&mut h);
            }
        }
        RawFrontMatter::Event(_) => dates.resolved_ref(&doc.id).hash(&mut h),
        _ => {}
    }
    h.finish()
}

/// The cache key of `doc`'s body.
fn body_key(doc: &Document, base: &BaseUrl, entities: u64) -> u64 {
    hash_of((doc.text_hash(), &base.origin, &base.path, entities))
}

/// The dev server's shortcut for a save that changed only Markdown bodies.
///
/// `replaced` holds each re-read document with the one it replaced. When
/// every one kept its front matter byte for byte, its old body was cached
/// (it had no problems), and its new body renders without problems, links
/// to the same entities and cites the same sources, then a full resolve would change
/// nothing but those entities' `body_html` and `citations`: `site` is
/// patched in place, and what changed is returned. Otherwise None, and
/// `site` and `cache` are untouched: resolve the whole site.
pub fn patch_bodies(
    site: &mut Site,
    content: &Content,
    drafts: bool,
    replaced: &[(&Document, &Document)],
    cache: &mut BodyCache,
) -> Option<Patch> {
    if replaced
        .iter()
        .any(|(old, new)| old.text[..old.body_start] != new.text[..new.body_start])
    {
        return None;
    }
    let (included, left_out) = split_drafts(content, drafts);
    let broken = content.broken().map(|(kind, id)| Ref::new(kind, id));
    // The site resolved without errors, so this reports nothing new.
    let catalog = Catalog::new(&included, &left_out, broken, &mut Diagnostics::new());
    let entities = catalog.key();
    let base = &site.config.base_url;
    let mut patches = Vec::new();
    for (old, new) in replaced {
        // A draft left out: not on the site before or after.
        if !drafts && new.front.is_draft() {
            continue;
        }
        let r = Ref::new(new.kind, new.id.as_str());
        if !catalog.docs.get(&r).is_some_and(|d| std::ptr::eq(*d, *new)) {
            return None;
        }
        let cached = cache
            .entries
            .get(new.path.as_os_str())
            .filter(|c| c.key == body_key(old, base, entities))?;
        let body = render_body(new, &catalog, base);
        let same = |a: &[Ref], b: &[Ref]| {
            a.iter().collect::<BTreeSet<_>>() == b.iter().collect::<BTreeSet<_>>()
        };
        let before: Vec<Ref> = cached.deps.iter().map(|(r, _)| r.clone()).collect();
        let cited = |b: &Body| -> Vec<Ref> {
            b.cited
                .iter()
                .map(|id| Ref::new(Kind::Source, id.as_str()))
                .collect()
        };
        if !body.problems.is_empty()
            || !same(&before, &body.links)
            || !same(&cited(&cached.body), &cited(&body))
        {
            return None;
        }
        patches.push((
            r,
            body_key(new, base, entities),
            cached.body.cited.len(),
            body,
        ));
    }
    if patches
        .iter()
        .any(|(r, ..)| !site.positions.contains_key(r))
    {
        return None;
    }
    let mut patched = Patch::default();
    for (r, key, cited_before, body) in patches {
        let path = catalog.docs.get(&r).map(|d| d.path.clone());
        if let (Some(meta), Some(path)) = (site.meta_mut(&r), path) {
            patched
                .before
                .push((r.clone(), meta.body_html.clone(), meta.citations.clone()));
            meta.body_html.clone_from(&body.html);
            // The body's sources come first, then those only the fields
            // cite (versions, accounts): the same ones as before, since the
            // body cites the same set.
            let fields_only = meta
                .citations
                .split_off(cited_before.min(meta.citations.len()));
            meta.citations.clone_from(&body.cited);
            meta.citations.extend(fields_only);
            cache
                .entries
                .insert(path.into_os_string(), CachedBody::new(key, body, &catalog));
        }
        patched.entities.push(r);
    }
    Some(patched)
}

/// What [`patch_bodies`] changed.
#[derive(Debug, Default)]
pub struct Patch {
    /// The entities patched.
    pub entities: Vec<Ref>,
    /// Their bodies and citations before.
    before: Vec<(Ref, std::sync::Arc<str>, Vec<String>)>,
}

impl Patch {
    /// Put back what was patched (the rebuild that patched failed).
    pub fn undo(self, site: &mut Site) {
        for (r, html, citations) in self.before {
            if let Some(meta) = site.meta_mut(&r) {
                meta.body_html = html;
                meta.citations = citations;
            }
        }
    }
}

/// Resolve, reusing and refreshing `cache`'s rendered bodies and entities;
/// without a cache, versions are left uncompared.
fn resolve_inner(
    config: Config,
    content: &Content,
    as_of: Date,
    drafts: bool,
    mut cache: Option<&mut BodyCache>,
) -> (Site, Diagnostics) {
    let mut diags = Diagnostics::new();
    let (included, drafts_left_out) = split_drafts(content, drafts);
    let mut docs = included.clone();
    docs.sort_by(|a, b| a.path.cmp(&b.path));
    let broken = content.broken().map(|(kind, id)| Ref::new(kind, id));
    let catalog = Catalog::new(&included, &drafts_left_out, broken, &mut diags);
    // Entities in the catalog (duplicates dropped), in path order.
    let docs: Vec<&Document> = docs
        .into_iter()
        .filter(|d| {
            catalog
                .docs
                .get(&Ref::new(d.kind, d.id.as_str()))
                .is_some_and(|c| std::ptr::eq(*c, *d))
        })
        .collect();

    for doc in &docs {
        // Front matter only: a body may well mention the word.
        if let Some(at) = doc.text[..doc.body_start].find(crate::scaffold::PLACEHOLDER) {
            diags.push(
                doc.error(
                    Some(doc.lines().pos(&doc.text, at)),
                    "a placeholder from `gazette new` is still here",
                )
                .with_help(Some(
                    "write the real value, or leave the optional field out".into(),
                )),
            );
        }
    }
    let mut dates = Dates::new(&docs, &mut diags);
    dates.incomplete = content
        .broken()
        .any(|(kind, _)| matches!(kind, Kind::Order | Kind::Provision | Kind::Event));
    check_agency_cycles(&docs, &mut diags);

    // Bodies render in parallel; each returns its HTML, citations, links and
    // problems. Those the cache holds for the same inputs are reused.
    let entities = catalog.key();
    // Without a cache (`gazette build`) there is nothing to look up.
    let keys: Vec<u64> = if cache.is_some() {
        docs.iter()
            .map(|doc| body_key(doc, &config.base_url, entities))
            .collect()
    } else {
        vec![0; docs.len()]
    };
    let render = |doc: &Document| render_body(doc, &catalog, &config.base_url);
    // Each body, or None where the cache holds it for the same inputs.
    let bodies: Vec<Option<Body>> = docs
        .par_iter()
        .zip(&keys)
        .map(|(doc, &key)| {
            let fresh = cache
                .as_ref()
                .and_then(|c| c.entries.get(doc.path.as_os_str()))
                .is_some_and(|c| {
                    c.key == key && c.deps.iter().all(|(r, h)| shown_of(&catalog, r) == *h)
                });
            (!fresh).then(|| render(doc))
        })
        .collect();
    if let Some(cache) = cache.as_mut() {
        // Entries reused stay as they are (their inputs were just checked);
        // only bodies rendered again are stored, and gone files forgotten.
        let present: foldhash::HashSet<&std::ffi::OsStr> =
            docs.iter().map(|d| d.path.as_os_str()).collect();
        cache
            .entries
            .retain(|path, _| present.contains(path.as_os_str()));
        for ((doc, &key), body) in docs.iter().zip(&keys).zip(&bodies) {
            let Some(body) = body else {
                continue;
            };
            if !body.problems.is_empty() {
                cache.entries.remove(doc.path.as_os_str());
                continue;
            }
            let entry = CachedBody::new(key, body.clone(), &catalog);
            cache
                .entries
                .insert(doc.path.clone().into_os_string(), entry);
        }
    }
    let home = content.home().map(|h| {
        let mut linker = SiteLinker::new(&catalog, &config.base_url, Vec::new());
        let r = markdown::render(&h.text[h.body_start..], &mut linker);
        let index = LineIndex::new(&h.text);
        for p in r.problems {
            let pos = Some(index.pos(&h.text, h.body_start + p.offset));
            diags.push(markdown_problem(&h.path, &h.text, &index, pos, p));
        }
        (r.html, linker.cited)
    });
    let (home_html, home_citations) = home.unwrap_or_default();

    // Every date, resolved in the order the entities below ask for them, so
    // that each problem is reported once, on the item that has it.
    for doc in &docs {
        match &doc.front {
            RawFrontMatter::Provision(p) => {
                for d in &p.deadlines {
                    dates.resolve(&d.id, &mut diags);
                }
            }
            RawFrontMatter::Event(_) => {
                dates.resolve(&doc.id, &mut diags);
            }
            _ => {}
        }
    }
    dates.resolved_all();
    // Each document becomes its entity on its own, in parallel. The cache
    // holds the entity made from a reused body when its other inputs are
    // the same: building one renders its versions and compares them.
    let settings = hash_of((entities, format!("{config:?}"), as_of));
    let made: Vec<(Built, Option<u64>)> = docs
        .par_iter()
        .zip(bodies)
        .map(|(doc, body)| {
            let Some(cache) = cache.as_deref() else {
                // Without a cache every body was rendered above.
                let body = body.unwrap_or_else(|| render(doc));
                let built = build_entity(doc, body, &catalog, &dates, &config, as_of, false);
                return (built, None);
            };
            let key = entity_key(doc, &dates, settings);
            let cached = cache.entries.get(doc.path.as_os_str());
            // A reused body's entity is reused when its other inputs are the same.
            let kept = cached
                .and_then(|c| c.entity.as_ref())
                .filter(|(k, _)| body.is_none() && *k == key);
            if let Some((_, built)) = kept {
                return (built.clone(), None);
            }
            // (A reused body is in the cache; were it not, it is rendered.)
            let body = body
                .or_else(|| cached.map(|c| c.body.clone()))
                .unwrap_or_else(|| render(doc));
            let built = build_entity(doc, body, &catalog, &dates, &config, as_of, true);
            (built, Some(key))
        })
        .collect();
    // Entities made anew are kept for the next resolve, unless they have
    // errors (made again, their messages stay exact).
    if let Some(cache) = cache.as_mut() {
        for (doc, (built, key)) in docs.iter().zip(&made) {
            let (Some(key), Some(entry)) = (key, cache.entries.get_mut(doc.path.as_os_str()))
            else {
                continue;
            };
            entry.entity = (!built.diags.has_errors()).then(|| (*key, built.clone()));
        }
    }
    let built: Vec<Built> = made.into_iter().map(|(built, _)| built).collect();
    // Every date is in the entities now: its room goes to the site's lists.
    drop(dates);
    let mut site = Site {
        config: config.clone(),
        as_of,
        home_html,
        home_citations,
        orders: Vec::new(),
        provisions: Vec::new(),
        agencies: Vec::new(),
        sources: Vec::new(),
        events: Vec::new(),
        pages: Vec::new(),
        links: Graph::default(),
        titles: Default::default(),
        positions: Default::default(),
        deadline_order: Vec::new(),
    };
    let mut links: Vec<(u32, u32)> = Vec::with_capacity(built.iter().map(|b| b.links.len()).sum());
    let count = |kind: Kind| docs.iter().filter(|d| d.kind == kind).count();
    site.orders.reserve_exact(count(Kind::Order));
    site.provisions.reserve_exact(count(Kind::Provision));
    site.agencies.reserve_exact(count(Kind::Agency));
    site.sources.reserve_exact(count(Kind::Source));
    site.events.reserve_exact(count(Kind::Event));
    site.pages.reserve_exact(count(Kind::Page));
    for b in built {
        diags.extend(b.diags);
        if let Some(from) = catalog.place(&b.from) {
            links.extend(b.links.iter().map(|&to| (from, to)));
        }
        site.titles.insert(b.from, b.title);
        match b.entity {
            Entity::Order(x) => site.orders.push(x),
            Entity::Provision(x) => site.provisions.push(x),
            Entity::Agency(x) => site.agencies.push(x),
            Entity::Source(x) => site.sources.push(x),
            Entity::Event(x) => site.events.push(x),
            Entity::Page(x) => site.pages.push(x),
            Entity::Refused => {}
        }
    }
    site.links = Graph::new(catalog.table(), links);
    relate_orders(&mut site, &docs, &mut diags);
    sort_site(&mut site);
    (site, diags)
}

/// One document made into its entity, with what it links to and its problems.
#[derive(Clone)]
struct Built {
    from: Ref,
    title: String,
    /// Shared: the dev server's cache and the site hold one copy.
    entity: Entity,
    /// What it links to: places in the catalog's table.
    links: Vec<u32>,
    diags: Diagnostics,
}

#[derive(Clone)]
enum Entity {
    Order(Arc<Order>),
    Provision(Arc<Provision>),
    Agency(Arc<Agency>),
    Source(Arc<Source>),
    Event(Arc<Event>),
    Page(Arc<Page>),
    /// Not on the site (a page with a reserved name; reported).
    Refused,
}

/// Make `doc`, whose body is rendered, into its entity: references looked
/// up in `catalog`, dates taken from `dates` (resolved already).
fn build_entity(
    doc: &Document,
    body: Body,
    catalog: &Catalog,
    dates: &Dates,
    config: &Config,
    as_of: Date,
    compare: bool,
) -> Built {
    let from = Ref::new(doc.kind, doc.id.as_str());
    let mut diags = Diagnostics::new();
    for d in body.problems {
        diags.push(d);
    }
    let mut b = Builder {
        compare,
        event_kinds: &config.event_kinds,
        catalog,
        diags: &mut diags,
        links: body
            .links
            .iter()
            .filter_map(|to| catalog.place(to))
            .collect(),
    };
    let meta = Meta {
        id: doc.id.clone(),
        title: doc.front.title().to_string(),
        file: doc.path.clone(),
        body_html: body.html,
        citations: body.cited,
        reviewed: doc.front.reviewed(),
    };
    if let Some(days) = stale_days(config, as_of, meta.reviewed) {
        b.diags.push(
            Diagnostic::warning(
                &doc.path,
                doc.spans().get("reviewed"),
                format!(
                    "last reviewed {days} days ago (site.yaml: stale after {})",
                    config.stale_after_days.unwrap_or_default()
                ),
            )
            .with_source(&doc.text, doc.lines())
            .with_help(Some(
                "check it against its sources, then update `reviewed`".into(),
            )),
        );
    }
    let title = meta.title.clone();
    let entity = match &doc.front {
        RawFrontMatter::Order(o) => Entity::Order(Arc::new(b.order(doc, o, meta))),
        RawFrontMatter::Provision(p) => {
            let mut provision = b.provision(doc, p, meta, dates);
            provision.shrink();
            Entity::Provision(Arc::new(provision))
        }
        RawFrontMatter::Agency(a) => Entity::Agency(Arc::new(b.agency(doc, a, meta))),
        RawFrontMatter::Source(s) => Entity::Source(Arc::new(b.source(doc, s, meta))),
        RawFrontMatter::Event(e) => Entity::Event(Arc::new(b.event(doc, e, meta, dates))),
        RawFrontMatter::Page(_)
            if crate::render::RESERVED_TOP_FOLDERS.contains(&doc.id.as_str()) =>
        {
            b.diags.push(
                doc.error(
                    Some(Pos::new(1, 1)),
                    format!(
                        "a page named `{}` would replace the generated /{}/ of the site",
                        doc.id, doc.id
                    ),
                )
                .with_help(Some(format!(
                    "rename the file, e.g. to `about-{}.md`",
                    doc.id
                ))),
            );
            Entity::Refused
        }
        RawFrontMatter::Page(p) => Entity::Page(Arc::new(Page {
            meta,
            weight: p.weight,
        })),
    };
    let links = std::mem::take(&mut b.links);
    Built {
        from,
        title,
        entity,
        links,
        diags,
    }
}

/// Give each order the relations other orders have to it, its status when
/// not given (revoked, superseded or amended), and, when it is no longer in
/// force, its deadlines the date they lapsed. A given status that a relation
/// contradicts is an error at the status.
fn relate_orders(site: &mut Site, docs: &[&Document], diags: &mut Diagnostics) {
    let mut incoming: HashMap<String, Vec<Relation>> = HashMap::new();
    for o in &site.orders {
        for r in &o.relations {
            incoming.entry(r.order.clone()).or_default().push(Relation {
                kind: r.kind,
                order: o.meta.id.clone(),
                date: r.date,
                sources: r.sources.clone(),
            });
        }
    }
    let mut lapses: HashMap<String, Lapse> = HashMap::new();
    let order_docs: HashMap<&str, &Document> = docs
        .iter()
        .filter(|d| d.kind == Kind::Order)
        .map(|d| (d.id.as_str(), *d))
        .collect();
    for shared in &mut site.orders {
        let o = &**shared;
        let mut by = incoming.remove(&o.meta.id).unwrap_or_default();
        // By date, undated last: an undated revocation does not beat a dated one.
        by.sort_by(|a, b| {
            (a.date.is_none(), a.date, a.kind, &a.order).cmp(&(
                b.date.is_none(),
                b.date,
                b.kind,
                &b.order,
            ))
        });
        // The relation that ends the order: the first revocation or
        // supersession; else the latest amendment gives the status.
        let ending = by
            .iter()
            .find(|r| matches!(r.kind, RelationKind::Revokes | RelationKind::Supersedes));
        let derived = ending
            .or_else(|| by.iter().rev().find(|r| r.kind == RelationKind::Amends))
            .and_then(|r| r.kind.target_status().map(|s| (s, r)));
        let doc = order_docs.get(o.meta.id.as_str()).copied();
        let given = doc.and_then(|d| match &d.front {
            RawFrontMatter::Order(raw) => raw.status,
            _ => None,
        });
        if let (Some(given), Some((status, r)), Some(doc)) = (given, derived, doc) {
            let conflict = match status {
                OrderStatus::Revoked | OrderStatus::Superseded => given != status,
                _ => given == OrderStatus::Signed,
            };
            if conflict {
                let title = site
                    .titles
                    .get(&Ref::new(Kind::Order, r.order.as_str()))
                    .cloned()
                    .unwrap_or_else(|| r.order.clone());
                diags.push(
                    doc.error_at(
                        "status",
                        format!(
                            "status `{}`, but “{title}” ({}) {} this order",
                            wire(given),
                            r.order,
                            r.kind.field()
                        ),
                    )
                    .with_help(Some(format!(
                        "write `status: {}`, or leave `status` out: it follows from the relation",
                        wire(status)
                    ))),
                );
            }
        }
        let status = match (given, derived) {
            (None, Some((status, _))) => status,
            _ => o.status,
        };
        let lapse = match (ending, status) {
            (Some(r), OrderStatus::Revoked | OrderStatus::Superseded) => Some(Lapse {
                since: r.date,
                by: r.order.clone(),
                kind: status,
            }),
            (None, OrderStatus::Revoked | OrderStatus::Superseded) => Some(Lapse {
                since: None,
                by: String::new(),
                kind: status,
            }),
            _ => None,
        };
        if let Some(l) = &lapse {
            lapses.insert(o.meta.id.clone(), l.clone());
        }
        // An order shared with the dev server's cache (which keeps it
        // unrelated) is copied only when its relations change it.
        if (status, &lapse, &by) != (o.status, &o.lapse, &o.related_by) {
            let o = Arc::make_mut(shared);
            o.status = status;
            o.lapse = lapse;
            o.related_by = by;
        }
    }
    for p in &mut site.provisions {
        let Some(l) = lapses.get(&p.order) else {
            continue;
        };
        if p.deadlines.iter().any(|d| d.lapse.as_ref() != Some(l)) {
            for d in &mut Arc::make_mut(p).deadlines {
                d.lapse = Some(l.clone());
            }
        }
    }
}

/// An order status as written in front matter.
fn wire(s: OrderStatus) -> &'static str {
    match s {
        OrderStatus::Signed => "signed",
        OrderStatus::Revoked => "revoked",
        OrderStatus::Amended => "amended",
        OrderStatus::Superseded => "superseded",
    }
}

/// Days since `reviewed`, when that is more than the site's `stale_after_days`.
pub fn stale_days(config: &Config, as_of: Date, reviewed: Option<Date>) -> Option<i64> {
    let limit = i64::from(config.stale_after_days?);
    let days = crate::dates::days_between(reviewed?, as_of);
    (days > limit).then_some(days)
}

/// A Markdown problem at byte `offset` of `doc`'s text, as a diagnostic.
fn problem(doc: &Document, offset: usize, p: markdown::Problem) -> Diagnostic {
    problem_at(doc, Some(doc.lines().pos(&doc.text, offset)), p)
}

fn problem_at(doc: &Document, pos: Option<Pos>, p: markdown::Problem) -> Diagnostic {
    markdown_problem(&doc.path, &doc.text, doc.lines(), pos, p)
}

/// A Markdown problem at `pos` of the file `path` holding `text`.
fn markdown_problem(
    path: &std::path::Path,
    text: &str,
    lines: &LineIndex,
    pos: Option<Pos>,
    p: markdown::Problem,
) -> Diagnostic {
    let d = if p.warning {
        Diagnostic::warning(path, pos, p.error.message)
    } else {
        Diagnostic::error(path, pos, p.error.message)
    };
    d.with_help(p.error.help).with_source(text, lines)
}

/// A rendered Markdown body.
#[derive(Clone)]
struct Body {
    html: std::sync::Arc<str>,
    /// Sources in citation order: the entity's `sources` field first, then the body's.
    cited: Vec<String>,
    links: Vec<Ref>,
    problems: Vec<Diagnostic>,
}

fn render_body(doc: &Document, catalog: &Catalog, base: &BaseUrl) -> Body {
    let mut linker = SiteLinker::new(catalog, base, field_sources(&doc.front, catalog));
    let r = markdown::render(doc.body(), &mut linker);
    let problems = r
        .problems
        .into_iter()
        .map(|p| problem(doc, doc.body_start + p.offset, p))
        .collect();
    let mut links = linker.links;
    links.extend(
        linker
            .cited
            .iter()
            .map(|id| Ref::new(Kind::Source, id.as_str())),
    );
    Body {
        html: r.html.into(),
        cited: linker.cited,
        links,
        problems,
    }
}

/// The valid sources of an entity's own `sources` field (numbered first on its page).
fn field_sources(front: &RawFrontMatter, catalog: &Catalog) -> Vec<String> {
    let list: &[String] = match front {
        RawFrontMatter::Order(o) => &o.sources,
        RawFrontMatter::Provision(p) => &p.sources,
        RawFrontMatter::Event(e) => &e.sources,
        _ => &[],
    };
    let mut out: Vec<String> = Vec::new();
    for s in list {
        if catalog.contains(Kind::Source, s) && !out.contains(s) {
            out.push(s.clone());
        }
    }
    out
}

/// Resolves wikilinks and citations of one page, numbering its sources.
struct SiteLinker<'c, 'd> {
    catalog: &'c Catalog<'d>,
    base: &'c BaseUrl,
    cited: Vec<String>,
    links: Vec<Ref>,
}

impl<'c, 'd> SiteLinker<'c, 'd> {
    fn new(catalog: &'c Catalog<'d>, base: &'c BaseUrl, cited: Vec<String>) -> Self {
        SiteLinker {
            catalog,
            base,
            cited,
            links: Vec::new(),
        }
    }
}

impl Linker for SiteLinker<'_, '_> {
    fn wikilink(&mut self, target: &str) -> Result<Link, LinkError> {
        // `[[kind/id#section]]` links to a section of the page.
        let (entity, fragment) = match target.split_once('#') {
            Some((e, f)) => (e, Some(f)),
            None => (target, None),
        };
        if let Some(f) = fragment.filter(|f| !markdown::is_safe_token(f)) {
            return Err(LinkError {
                message: format!("broken link [[{target}]]: `#{f}` is not a section id"),
                help: Some("section ids hold letters, digits, `-` and `_`".into()),
                consequence: false,
            });
        }
        let r = self.catalog.lookup_any(entity).map_err(|mut e| {
            e.message = format!("broken link [[{target}]]: {}", e.message);
            e
        })?;
        let title = self.catalog.title(&r).unwrap_or(&r.id).to_string();
        let mut href = self.base.link(&r.path());
        if let Some(f) = fragment {
            href.push('#');
            href.push_str(f);
        }
        self.links.push(r);
        Ok(Link { href, title })
    }

    fn cite(&mut self, id: &str) -> Result<Cite, LinkError> {
        let r = self.catalog.lookup(Kind::Source, id).map_err(|mut e| {
            e.message = format!("citation of {}", e.message);
            e
        })?;
        let number = match self.cited.iter().position(|c| c == id) {
            Some(i) => i + 1,
            None => {
                self.cited.push(id.to_string());
                self.cited.len()
            }
        };
        let title = match self.catalog.docs.get(&r).map(|d| &d.front) {
            Some(RawFrontMatter::Source(s)) => format!("{}: {}", s.publisher, s.title),
            _ => id.to_string(),
        };
        Ok(Cite {
            href: self.base.link(&r.path()),
            title,
            number,
        })
    }

    fn site_link(&self, path: &str) -> String {
        self.base.link(path)
    }
}

/// Turns raw front matter into model entities, checking every reference field.
struct Builder<'a, 'd> {
    catalog: &'a Catalog<'d>,
    diags: &'a mut Diagnostics,
    /// What the entity links to: places in the catalog's table.
    links: Vec<u32>,
    /// The kinds of event the site knows.
    event_kinds: &'a std::collections::BTreeMap<String, String>,
    /// Whether to compare versions now, or leave it to [`Site::compare_versions`].
    compare: bool,
}

impl Builder<'_, '_> {
    fn changes(&self, versions: &[Version]) -> Vec<Change> {
        if self.compare {
            Change::between(versions)
        } else {
            Vec::new()
        }
    }

    /// Record a link to `to`, an entity of the catalog.
    fn link(&mut self, to: &Ref) {
        self.links.extend(self.catalog.place(to));
    }

    /// Check one reference field value at front-matter `path`; keep it if it resolves.
    fn reference(&mut self, doc: &Document, path: &str, kind: Kind, id: &str) -> Option<String> {
        match self.catalog.lookup(kind, id) {
            Ok(to) => {
                self.link(&to);
                Some(id.to_string())
            }
            Err(e) if e.consequence => None,
            Err(e) => {
                self.diags
                    .push(doc.error_at(path, e.message).with_help(e.help));
                None
            }
        }
    }

    fn references(
        &mut self,
        doc: &Document,
        path: &str,
        kind: Kind,
        ids: &[String],
    ) -> Vec<String> {
        let mut out: Vec<String> = Vec::new();
        for (i, id) in ids.iter().enumerate() {
            if let Some(id) = self.reference(doc, &format!("{path}.{i}"), kind, id) {
                if !out.contains(&id) {
                    out.push(id);
                }
            }
        }
        out
    }

    fn order(&mut self, doc: &Document, o: &RawOrder, mut meta: Meta) -> Order {
        let versions = self.versions(doc, &o.versions);
        for s in versions.iter().flat_map(|v| &v.sources) {
            if !meta.citations.contains(s) {
                meta.citations.push(s.clone());
            }
        }
        Order {
            changes: self.changes(&versions),
            versions,
            sources: self.references(doc, "sources", Kind::Source, &o.sources),
            meta,
            short_title: o.short_title.clone(),
            issuer: o.issuer.clone(),
            signed: o.signed,
            published: o.published,
            citation: o.citation.clone(),
            status: o.status.unwrap_or(OrderStatus::Signed),
            summary: o.summary.clone(),
            relations: self.relations(doc, o),
            related_by: Vec::new(),
            lapse: None,
        }
    }

    /// The order's `revokes`, `supersedes`, `amends` and `implements`, each
    /// target checked (an order of the site, not this one).
    fn relations(&mut self, doc: &Document, o: &RawOrder) -> Vec<Relation> {
        let mut out = Vec::new();
        for kind in RelationKind::ALL {
            let list = match kind {
                RelationKind::Revokes => &o.revokes,
                RelationKind::Supersedes => &o.supersedes,
                RelationKind::Amends => &o.amends,
                RelationKind::Implements => &o.implements,
            };
            for (i, r) in list.iter().enumerate() {
                let at = format!("{}.{i}", kind.field());
                if r.order() == doc.id {
                    self.diags.push(doc.error_at(
                        &at,
                        format!(
                            "an order cannot say it {} itself",
                            kind.field().trim_end_matches('s')
                        ),
                    ));
                    continue;
                }
                let path = match r {
                    RawRelation::Id(_) => at.clone(),
                    RawRelation::Full(_) => format!("{at}.order"),
                };
                let Some(order) = self.reference(doc, &path, Kind::Order, r.order()) else {
                    continue;
                };
                out.push(Relation {
                    kind,
                    order,
                    date: r.date().or(o.signed),
                    sources: self.references(
                        doc,
                        &format!("{at}.sources"),
                        Kind::Source,
                        r.sources(),
                    ),
                });
            }
        }
        out
    }

    fn provision(
        &mut self,
        doc: &Document,
        p: &RawProvision,
        mut meta: Meta,
        dates: &Dates,
    ) -> Provision {
        let order = self
            .reference(doc, "order", Kind::Order, &p.order)
            .unwrap_or_default();
        let agencies = self.references(doc, "agencies", Kind::Agency, &p.agencies);
        let sources = self.references(doc, "sources", Kind::Source, &p.sources);
        let deadlines: Vec<Deadline> = p
            .deadlines
            .iter()
            .enumerate()
            .map(|(i, d)| self.deadline(doc, i, d, dates))
            .collect();
        let versions = self.versions(doc, &p.versions);
        let disagreements = self.disagreements(doc, &p.disagreements);
        let more = deadlines
            .iter()
            .flat_map(|d| {
                d.sources
                    .iter()
                    .chain(&d.status_sources)
                    .chain(d.history.iter().flat_map(|e| &e.sources))
            })
            .chain(versions.iter().flat_map(|v| &v.sources))
            .chain(
                disagreements
                    .iter()
                    .flat_map(|d| d.accounts.iter().flat_map(|a| &a.sources)),
            );
        for s in more {
            if !meta.citations.contains(s) {
                meta.citations.push(s.clone());
            }
        }
        Provision {
            meta,
            order,
            section: p.section.clone(),
            weight: p.weight,
            agencies,
            summary: p.summary.clone(),
            sources,
            deadlines,
            changes: self.changes(&versions),
            versions,
            disagreements,
        }
    }

    fn deadline(&mut self, doc: &Document, i: usize, d: &RawDeadline, dates: &Dates) -> Deadline {
        let at = format!("deadlines.{i}");
        if let Err(m) = crate::content::check_slug(&d.id) {
            self.diags
                .push(doc.error_at(&format!("{at}.id"), format!("deadline id: {m}")));
        }
        let agency = match &d.agency {
            Some(a) => self
                .reference(doc, &format!("{at}.agency"), Kind::Agency, a)
                .unwrap_or_default(),
            None => {
                self.diags.push(
                    doc.error_at(&at, format!("deadline `{}` has no agency", d.id))
                        .with_help(Some("add `agency: ID`, the agency that must act".into())),
                );
                String::new()
            }
        };
        let (status, status_sources, history) = self.status(doc, &at, d);
        Deadline {
            id: d.id.clone(),
            provision: doc.id.clone(),
            action: d.action.clone(),
            agency,
            due: dates.resolved(&d.id),
            note: d.note.clone(),
            status,
            status_sources,
            history,
            lapse: None,
            sources: self.references(doc, &format!("{at}.sources"), Kind::Source, &d.sources),
        }
    }

    /// A deadline's current status, its sources, and its history (when
    /// given as one), each entry checked: sources required, references kept.
    fn status(
        &mut self,
        doc: &Document,
        at: &str,
        d: &RawDeadline,
    ) -> (Option<DeadlineStatus>, Vec<String>, Vec<StatusEntry>) {
        match &d.status {
            None | Some(RawStatus::One(_)) => {
                let status = match &d.status {
                    Some(RawStatus::One(s)) => Some(*s),
                    _ => None,
                };
                if status.is_some_and(|s| s != DeadlineStatus::Pending)
                    && d.status_sources.is_empty()
                {
                    self.diags.push(
                        doc.error_at(
                            &format!("{at}.status"),
                            format!("deadline `{}` has a status but no `status_sources`", d.id),
                        )
                        .with_help(Some("cite the source that reports this status".into())),
                    );
                }
                let sources = self.references(
                    doc,
                    &format!("{at}.status_sources"),
                    Kind::Source,
                    &d.status_sources,
                );
                (status, sources, Vec::new())
            }
            Some(RawStatus::History(entries)) => {
                if !d.status_sources.is_empty() {
                    self.diags.push(
                        doc.error_at(
                            &format!("{at}.status_sources"),
                            "`status_sources` goes with a single status; in a status history each entry has its own `sources`",
                        ),
                    );
                }
                let mut history = Vec::new();
                for (i, e) in entries.iter().enumerate() {
                    let here = format!("{at}.status.{i}");
                    if e.sources.is_empty() {
                        self.diags.push(
                            doc.error_at(
                                &here,
                                format!("status entry of `{}` has no `sources`", d.id),
                            )
                            .with_help(Some(
                                "cite who claims, verifies or reports this status".into(),
                            )),
                        );
                    }
                    history.push(StatusEntry {
                        status: e.status,
                        date: e.date,
                        basis: e.basis,
                        sources: self.references(
                            doc,
                            &format!("{here}.sources"),
                            Kind::Source,
                            &e.sources,
                        ),
                        note: e.note.clone(),
                    });
                }
                // Oldest first; entries of one day keep their written order.
                history.sort_by_key(|e| e.date);
                let latest = history.last();
                (
                    latest.map(|e| e.status),
                    latest.map(|e| e.sources.clone()).unwrap_or_default(),
                    history,
                )
            }
        }
    }

    fn versions(&mut self, doc: &Document, raw: &[RawVersion]) -> Vec<Version> {
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for (i, v) in raw.iter().enumerate() {
            let at = format!("versions.{i}");
            // A version id becomes a folder of the output (`versions/ID/`): only slugs.
            if let Err(m) = crate::content::check_slug(&v.id) {
                let fix = crate::content::slugify(&v.id);
                let help = (!fix.is_empty()).then(|| format!("write it as `{fix}`"));
                self.diags.push(
                    doc.error_at(&format!("{at}.id"), format!("version id: {m}"))
                        .with_help(help),
                );
                continue;
            }
            if !seen.insert(v.id.as_str()) {
                self.diags.push(doc.error_at(
                    &format!("{at}.id"),
                    format!("duplicate version id `{}`", v.id),
                ));
                continue;
            }
            let text = v.text.clone().unwrap_or_default();
            if text.trim().is_empty() {
                self.diags.push(
                    doc.error_at(&at, format!("version `{}` has no text", v.id))
                        .with_help(Some(
                            "add `text:` with the wording, or a paraphrase with `paraphrase: true`"
                                .into(),
                        )),
                );
            }
            let rendered = markdown::render(&text, &mut PlainLinker);
            // Version text is a YAML value: its problems are reported at the value.
            if !rendered.problems.is_empty() {
                let text_at = doc.spans().get(&format!("{at}.text"));
                for p in rendered.problems {
                    self.diags.push(problem_at(doc, text_at, p));
                }
            }
            let text_html = rendered.html;
            out.push(Version {
                id: v.id.clone(),
                label: v.label.clone(),
                date: v.date,
                text,
                text_html,
                paraphrase: v.paraphrase,
                subject: v.subject.clone(),
                sources: self.references(doc, &format!("{at}.sources"), Kind::Source, &v.sources),
            });
        }
        out
    }

    fn disagreements(&mut self, doc: &Document, raw: &[RawDisagreement]) -> Vec<Disagreement> {
        let mut out = Vec::new();
        for (i, d) in raw.iter().enumerate() {
            let at = format!("disagreements.{i}");
            if d.accounts.len() < 2 {
                self.diags.push(
                    doc.error_at(&format!("{at}.accounts"), "a disagreement needs two or more accounts")
                        .with_help(Some("a single account is not a disagreement: state it with its sources in the body".into())),
                );
            }
            if d.accounts.iter().filter(|a| a.preferred).count() > 1 {
                self.diags.push(doc.error_at(
                    &format!("{at}.accounts"),
                    "only one account can be `preferred`",
                ));
            }
            let mut accounts = Vec::new();
            for (j, a) in d.accounts.iter().enumerate() {
                let at = format!("{at}.accounts.{j}");
                if a.preferred && a.reason.as_deref().is_none_or(|r| r.trim().is_empty()) {
                    self.diags.push(doc.error_at(
                        &format!("{at}.preferred"),
                        "a preferred account needs a `reason`",
                    ));
                }
                if a.sources.is_empty() {
                    self.diags
                        .push(doc.error_at(&at, "an account needs `sources` that give it"));
                }
                accounts.push(Account {
                    says: a.says.clone(),
                    sources: self.references(
                        doc,
                        &format!("{at}.sources"),
                        Kind::Source,
                        &a.sources,
                    ),
                    preferred: a.preferred,
                    reason: a.reason.clone(),
                });
            }
            out.push(Disagreement {
                claim: d.claim.clone(),
                accounts,
            });
        }
        out
    }

    fn agency(&mut self, doc: &Document, a: &RawAgency, meta: Meta) -> Agency {
        Agency {
            parent: a
                .parent
                .as_ref()
                .and_then(|p| self.reference(doc, "parent", Kind::Agency, p)),
            meta,
            acronym: a.acronym.clone(),
            url: self.web_address(doc, "url", a.url.as_deref()),
        }
    }

    /// An address a page may link to: http(s) only, no spaces or control
    /// characters. A refused one is reported and left out of the site.
    fn web_address(&mut self, doc: &Document, field: &str, value: Option<&str>) -> Option<String> {
        let u = value?;
        if markdown::is_web_address(u) {
            return Some(u.to_string());
        }
        self.diags.push(
            doc.error_at(
                field,
                format!("`{field}` must be a web address starting with https:// or http://"),
            )
            .with_help(Some(
                "leave the field out when no address is known; never guess one".into(),
            )),
        );
        None
    }

    fn source(&mut self, doc: &Document, s: &RawSource, meta: Meta) -> Source {
        Source {
            url: self.web_address(doc, "url", s.url.as_deref()),
            archived_url: self.web_address(doc, "archived_url", s.archived_url.as_deref()),
            meta,
            publisher: s.publisher.clone(),
            date: s.date,
            kind: s.kind,
            accessed: s.accessed,
        }
    }

    /// An event's kind, if the site knows it; "other" (after an error) if not.
    fn event_kind(&mut self, doc: &Document, kind: &str) -> String {
        if self.event_kinds.contains_key(kind) {
            return kind.to_string();
        }
        let known = self.event_kinds.keys().map(String::as_str);
        let help = crate::diagnostics::did_you_mean(kind, known.clone()).or_else(|| {
            Some(format!(
                "the kinds are: {} (a site adds its own under `event_kinds:` in site.yaml)",
                known.collect::<Vec<_>>().join(", ")
            ))
        });
        self.diags.push(
            doc.error_at("kind", format!("unknown event kind `{kind}`"))
                .with_help(help),
        );
        "other".to_string()
    }

    fn event(&mut self, doc: &Document, e: &RawEvent, meta: Meta, dates: &Dates) -> Event {
        let mut related = Vec::new();
        for (i, target) in e.related.iter().enumerate() {
            match self.catalog.lookup_any(target) {
                Ok(r) => {
                    self.link(&r);
                    related.push(r);
                }
                Err(err) if err.consequence => {}
                Err(err) => self.diags.push(
                    doc.error_at(&format!("related.{i}"), err.message)
                        .with_help(err.help),
                ),
            }
        }
        Event {
            sources: self.references(doc, "sources", Kind::Source, &e.sources),
            date: dates.resolved(&doc.id),
            meta,
            kind: self.event_kind(doc, &e.kind),
            related,
        }
    }
}

/// For text that may not link anywhere (version wording): links are left as written.
struct PlainLinker;

impl Linker for PlainLinker {
    fn wikilink(&mut self, target: &str) -> Result<Link, LinkError> {
        Err(LinkError {
            consequence: false,
            message: format!("[[{target}]] is not allowed here"),
            help: None,
        })
    }
    fn cite(&mut self, id: &str) -> Result<Cite, LinkError> {
        Err(LinkError {
            consequence: false,
            message: format!("[@{id}] is not allowed here"),
            help: None,
        })
    }
    fn site_link(&self, path: &str) -> String {
        path.to_string()
    }
}

/// Report each cycle of agency `parent` fields once, at its first member by
/// path. Linear: each agency is walked once; a walk stops at an agency
/// already settled.
fn check_agency_cycles(docs: &[&Document], diags: &mut Diagnostics) {
    let parents: HashMap<&str, (&str, &Document)> = docs
        .iter()
        .filter_map(|d| match &d.front {
            RawFrontMatter::Agency(a) => a.parent.as_deref().map(|p| (d.id.as_str(), (p, *d))),
            _ => None,
        })
        .collect();
    // The walk each agency was first reached in; settled once its walk ends.
    let mut walk_of: HashMap<&str, usize> = HashMap::new();
    for (walk, doc) in docs.iter().filter(|d| d.kind == Kind::Agency).enumerate() {
        let mut chain: Vec<&str> = Vec::new();
        let mut cur = doc.id.as_str();
        loop {
            match walk_of.get(cur) {
                // Reached in an earlier walk: whatever is above is settled.
                Some(&w) if w != walk => break,
                // Reached again in this walk: a cycle from its first visit.
                Some(_) => {
                    let start = chain.iter().position(|c| *c == cur).unwrap_or(0);
                    report_cycle(&chain[start..], &parents, diags);
                    break;
                }
                None => {}
            }
            walk_of.insert(cur, walk);
            chain.push(cur);
            match parents.get(cur) {
                Some((parent, _)) => cur = parent,
                None => break,
            }
        }
    }
}

fn report_cycle(
    cycle: &[&str],
    parents: &HashMap<&str, (&str, &Document)>,
    diags: &mut Diagnostics,
) {
    let Some(&first) = cycle
        .iter()
        .min_by_key(|c| parents.get(**c).map(|p| &p.1.path))
    else {
        return;
    };
    let Some((_, doc)) = parents.get(first) else {
        return;
    };
    let pos = cycle.iter().position(|c| *c == first).unwrap_or(0);
    let mut names: Vec<&str> = cycle[pos..].iter().chain(&cycle[..pos]).copied().collect();
    names.push(first);
    diags.push(
        doc.error_at(
            "parent",
            format!("agency parents form a cycle: {}", names.join(" → ")),
        )
        .with_help(Some(
            "an agency cannot be its own ancestor: remove one `parent`".into(),
        )),
    );
}

fn sort_site(site: &mut Site) {
    site.orders
        .sort_by(|a, b| (a.signed, &a.meta.id).cmp(&(b.signed, &b.meta.id)));
    site.provisions.sort_by_cached_key(|p| {
        (
            p.order.clone(),
            p.weight.unwrap_or(i64::MAX),
            p.meta.title.to_lowercase(),
            p.meta.id.clone(),
        )
    });
    site.agencies.sort_by(|a, b| {
        (a.meta.title.to_lowercase(), &a.meta.id).cmp(&(b.meta.title.to_lowercase(), &b.meta.id))
    });
    site.sources.sort_by(|a, b| {
        (a.meta.title.to_lowercase(), &a.meta.id).cmp(&(b.meta.title.to_lowercase(), &b.meta.id))
    });
    site.events.sort_by(|a, b| {
        let key = |e: &Event| (e.date.as_ref().map(|w| w.date), e.meta.id.clone());
        key(a).cmp(&key(b))
    });
    site.pages.sort_by(|a, b| {
        (a.weight.unwrap_or(i64::MAX), &a.meta.title, &a.meta.id).cmp(&(
            b.weight.unwrap_or(i64::MAX),
            &b.meta.title,
            &b.meta.id,
        ))
    });
    site.positions.clear();
    let mut put = |kind: Kind, ids: Vec<&String>| {
        for (i, id) in ids.into_iter().enumerate() {
            site.positions.insert(Ref::new(kind, id.as_str()), i);
        }
    };
    put(
        Kind::Order,
        site.orders.iter().map(|e| &e.meta.id).collect(),
    );
    put(
        Kind::Provision,
        site.provisions.iter().map(|e| &e.meta.id).collect(),
    );
    put(
        Kind::Agency,
        site.agencies.iter().map(|e| &e.meta.id).collect(),
    );
    put(
        Kind::Source,
        site.sources.iter().map(|e| &e.meta.id).collect(),
    );
    put(
        Kind::Event,
        site.events.iter().map(|e| &e.meta.id).collect(),
    );
    put(Kind::Page, site.pages.iter().map(|e| &e.meta.id).collect());
    site.sort_deadlines();
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The dev server resolves again after every save: an entity nothing
    /// changed is shared with the cache, not copied (its signature is then
    /// reused); one that resolve relates to others is made again with the
    /// relations, every time.
    #[test]
    fn a_second_resolve_shares_what_it_reuses_and_relates_orders_again() {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sites/tracker");
        let config = Config::load(&root).expect("the fixture's site.yaml loads");
        let content = crate::content::load(&root);
        let as_of = Date::constant(2026, 9, 1);
        let mut cache = BodyCache::default();
        let (first, _) = resolve_cached(config.clone(), &content, as_of, false, &mut cache);
        let (second, _) = resolve_cached(config, &content, as_of, false, &mut cache);
        let r = |kind: Kind, id: &str| Ref::new(kind, id);
        // The revoked order and its provision carry what the relation gives them.
        let old = r(Kind::Order, "old");
        let report = r(Kind::Provision, "old-report");
        for site in [&first, &second] {
            assert!(site.order("old").is_some_and(|o| o.lapse.is_some()));
            let lapsed = |p: &Provision| p.deadlines.iter().all(|d| d.lapse.is_some());
            let i = site.positions[&report];
            assert!(lapsed(&site.provisions[i]));
        }
        // The memo implements the new order: the new one is related too.
        let new = r(Kind::Order, "new");
        assert!(second
            .order("new")
            .is_some_and(|o| !o.related_by.is_empty()));
        let related = [old, new, report];
        for x in &related {
            assert!(
                !second.same_entity(&first, x),
                "{x:?} was not related again"
            );
        }
        // Everything else, the memo (related to nothing) included, is shared.
        let shared: Vec<&Ref> = second
            .positions
            .keys()
            .filter(|x| !related.contains(x))
            .collect();
        assert!(shared.contains(&&r(Kind::Order, "memo")));
        for x in shared {
            assert!(second.same_entity(&first, x), "{x:?} was copied");
        }
    }
}
