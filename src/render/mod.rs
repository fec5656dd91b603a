//! Rendering: the model becomes pages through Tera templates.
//!
//! Templates come from the theme (`themes/NAME/templates/`, or the embedded
//! default) and are overridden by name from the site's `templates/`. Each page
//! is rendered from typed views ([`views`]) in parallel.

pub mod lists;
pub mod paging;
pub mod views;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use rayon::prelude::*;
use tera::{Context, Tera};

use crate::content::Kind;
use crate::diagnostics::{Diagnostic, Diagnostics, LineIndex, Pos};
use crate::model::Site;
use crate::status::Category;
use crate::theme::DEFAULT_THEME;
use crate::timeline::ItemKind;
use crate::{calendar, feed};
use foldhash::{HashMap, HashMapExt};
use lists::Scope;
use views::Views;

/// A file of the built site, by its path under the output folder.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutputFile {
    pub path: String,
    pub contents: Contents,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Contents {
    Bytes(Vec<u8>),
    /// A static file copied as it is.
    Copy(PathBuf),
}

/// The compiled templates of a site, and where each came from (for messages).
pub struct Templates {
    tera: Tera,
    /// (name, file shown in messages, text)
    origins: Vec<(String, PathBuf, String)>,
    /// When set, rendering stops (see [`crate::build::BuildOptions::cancel`]).
    cancel: Option<Arc<AtomicBool>>,
}

/// The most numbers a template's `range()` makes.
const MAX_RANGE: i64 = 10_000;

/// Tera's `range(end, start=0, step_by=1)`, bounded, and failing once the
/// build is cancelled, so nested loops cannot run on unchecked.
fn bounded_range(
    cancel: Option<Arc<AtomicBool>>,
) -> impl Fn(tera::Kwargs, &tera::State) -> tera::TeraResult<Vec<i64>> + Send + Sync + 'static {
    move |kwargs, _| {
        if cancel.as_ref().is_some_and(|c| c.load(Ordering::Relaxed)) {
            return Err(tera::Error::message("stopped: the build was cancelled"));
        }
        let start = kwargs.get::<i64>("start")?.unwrap_or(0);
        let end = kwargs.must_get::<i64>("end")?;
        let step = kwargs.get::<i64>("step_by")?.unwrap_or(1);
        if step == 0 {
            return Err(tera::Error::message("range: `step_by` cannot be 0"));
        }
        // As Tera's own: from `start` towards `end`, `end` left out.
        let (span, by) = (i128::from(end) - i128::from(start), i128::from(step));
        let len = if span != 0 && (span > 0) == (by > 0) {
            (span.abs() + by.abs() - 1) / by.abs()
        } else {
            0
        };
        if len > i128::from(MAX_RANGE) {
            return Err(tera::Error::message(format!(
                "range: at most {MAX_RANGE} numbers"
            )));
        }
        Ok((0..len as i64).map(|i| start + i * step).collect())
    }
}

impl Templates {
    /// Load the theme's templates, then the site's overrides.
    pub fn load(
        root: &Path,
        theme: &str,
        cancel: Option<Arc<AtomicBool>>,
    ) -> Result<Templates, Diagnostics> {
        let mut sources: Vec<(String, String, PathBuf)> = Vec::new();
        let theme_dir = root.join("themes").join(theme);
        let mut diags = Diagnostics::new();
        if theme_dir.join("templates").is_dir() {
            read_templates(root, &theme_dir.join("templates"), &mut sources, &mut diags);
        } else if theme == "default" {
            for (path, text) in DEFAULT_THEME {
                if let Some(name) = path.strip_prefix("templates/") {
                    sources.push((
                        name.to_string(),
                        (*text).to_string(),
                        PathBuf::from("(built-in theme)").join(path),
                    ));
                }
            }
        } else {
            diags.push(Diagnostic::error(
                "site.yaml",
                None,
                format!("theme `{theme}` not found: there is no folder themes/{theme}/templates"),
            ));
        }
        let overrides = root.join("templates");
        if overrides.is_dir() {
            let mut own = Vec::new();
            read_templates(root, &overrides, &mut own, &mut diags);
            for (name, text, path) in own {
                sources.retain(|(n, _, _)| *n != name);
                sources.push((name, text, path));
            }
        }
        if diags.has_errors() {
            return Err(diags);
        }
        let mut tera = Tera::new();
        tera.autoescape_on([".html", ".xml"]);
        tera.set_escape_fn(escape_html);
        tera.register_function("range", bounded_range(cancel.clone()));
        let result =
            tera.add_raw_templates(sources.iter().map(|(n, t, _)| (n.as_str(), t.as_str())));
        let origins = sources.into_iter().map(|(n, t, p)| (n, p, t)).collect();
        match result {
            Ok(()) => Ok(Templates {
                tera,
                origins,
                cancel,
            }),
            Err(e) => {
                let t = Templates {
                    tera: Tera::new(),
                    origins,
                    cancel: None,
                };
                Err(t.error(&e, None).into())
            }
        }
    }

    /// A template error, at the template file and position Tera names.
    fn error(&self, e: &tera::Error, rendering: Option<&str>) -> Diagnostic {
        let text = error_chain(e);
        let (named, pos) = template_location(&text).unzip();
        let name = named.as_deref().or(rendering);
        let origin = name.and_then(|n| self.origins.iter().find(|(o, _, _)| o == n));
        let first = text.lines().next().unwrap_or_default();
        let message = format!("template error: {}", first.trim_start_matches("error: "));
        match origin {
            Some((_, path, source)) => {
                let index = LineIndex::new(source);
                Diagnostic::error(path, pos, message).with_source(source, &index)
            }
            None => Diagnostic::error("templates", None, format!("template error: {text}")),
        }
    }

    fn render(&self, name: &str, ctx: &Context) -> Result<String, Diagnostic> {
        if self
            .cancel
            .as_ref()
            .is_some_and(|c| c.load(Ordering::Relaxed))
        {
            return Err(Diagnostic::error(
                "templates",
                None,
                "stopped: the build was cancelled",
            ));
        }
        self.tera
            .render(name, ctx)
            .map_err(|e| self.error(&e, Some(name)))
    }
}

/// The start of a body as plain text, cut at a word, for a page description.
fn excerpt(html: &str) -> String {
    let text = crate::markdown::plain_text(html);
    if text.chars().count() <= 160 {
        return text;
    }
    let cut: String = text.chars().take(157).collect();
    let cut = cut.rsplit_once(' ').map_or(cut.as_str(), |(a, _)| a);
    format!("{cut}…")
}

/// Tera reports `--> name.html:15:112`; take the template and position from it.
fn template_location(text: &str) -> Option<(String, Pos)> {
    let after = &text[text.find("--> ")? + 4..];
    let loc = after.split_whitespace().next()?;
    let mut parts = loc.rsplitn(3, ':');
    let col = parts.next()?.parse().ok()?;
    let line = parts.next()?.parse().ok()?;
    Some((parts.next()?.to_string(), Pos::new(line, col)))
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        text.push_str(": ");
        text.push_str(&s.to_string());
        cur = s.source();
    }
    text
}

fn read_templates(
    root: &Path,
    dir: &Path,
    out: &mut Vec<(String, String, PathBuf)>,
    diags: &mut Diagnostics,
) {
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .flatten()
    {
        if !entry.file_type().is_file() {
            continue;
        }
        let path = entry.path();
        let shown = path.strip_prefix(root).unwrap_or(path).to_path_buf();
        let Ok(rel) = path.strip_prefix(dir) else {
            continue;
        };
        let name = rel.to_string_lossy().replace('\\', "/");
        if name.starts_with('.') || name.ends_with('~') {
            continue;
        }
        match std::fs::read_to_string(path) {
            Ok(text) => out.push((name, text, shown)),
            Err(e) => diags.push(Diagnostic::error(
                shown,
                None,
                format!("cannot read template: {e}"),
            )),
        }
    }
}

/// One page to render. List pages carry their page number (0-based).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Job {
    Home,
    Index(Kind, usize),
    Entity(Kind, usize),
    NotFound,
    /// `/deadlines/`, and an order's or agency's deadlines when more than
    /// its own page shows.
    Deadlines(Scope, usize),
    /// `/status/`: the scoreboards of the site, each order and each agency.
    Status,
    /// The requirements of one scoreboard category: `/status/met-verified/`,
    /// and under `/orders/ID/status/` and `/agencies/ID/status/`.
    StatusList(Scope, Category, usize),
    /// An order's or agency's provisions, when more than its page shows.
    Provisions(Scope, usize),
    Changes(usize),
    Matrix(usize),
    Search,
    /// `/stale/`: reviews, for editors.
    Stale(usize),
    /// A version page: the order or provision (kind, position) and the version's position.
    Version(Kind, usize, usize),
    /// `/timeline/`, filtered to an agency (by position) or a kind of item.
    Timeline(Option<usize>, Option<ItemKind>, usize),
}

impl Job {
    /// The entity whose page this is (entity and version pages), if any.
    pub fn owner(&self, site: &Site) -> Option<crate::model::Ref> {
        let id = |kind: Kind, i: usize| -> Option<&str> {
            Some(match kind {
                Kind::Order => &site.orders.get(i)?.meta.id,
                Kind::Provision => &site.provisions.get(i)?.meta.id,
                Kind::Agency => &site.agencies.get(i)?.meta.id,
                Kind::Source => &site.sources.get(i)?.meta.id,
                Kind::Event => &site.events.get(i)?.meta.id,
                Kind::Page => &site.pages.get(i)?.meta.id,
            })
        };
        match *self {
            Job::Entity(kind, i) | Job::Version(kind, i, _) => {
                Some(crate::model::Ref::new(kind, id(kind, i)?))
            }
            _ => None,
        }
    }
}

/// Every page of `site`.
pub fn jobs(views: &Views) -> Vec<Job> {
    let site = views.site;
    let size = site.config.page_size;
    let pages = |n: usize| 0..paging::count(n, size);
    let mut jobs = vec![Job::Home, Job::NotFound, Job::Search, Job::Status];
    jobs.extend(pages(site.deadline_order.len()).map(|p| Job::Deadlines(Scope::All, p)));
    jobs.extend(pages(views.change_rows().len()).map(Job::Changes));
    let grouped = views.grouped();
    jobs.extend((0..views.matrix_cut().count(views.matrix_rows().len())).map(Job::Matrix));
    let entities: usize = Kind::ALL.iter().map(|&k| lists::entities(site, k)).sum();
    jobs.extend(pages(entities).map(Job::Stale));

    // Timeline items per kind, counted in one pass.
    let items = views.items();
    let mut per_kind: HashMap<ItemKind, usize> = HashMap::new();
    for item in items {
        *per_kind.entry(item.kind).or_default() += 1;
    }
    jobs.extend(pages(items.len()).map(|p| Job::Timeline(None, None, p)));
    for (i, o) in site.orders.iter().enumerate() {
        jobs.extend((0..o.versions.len()).map(|v| Job::Version(Kind::Order, i, v)));
    }
    for (i, p) in site.provisions.iter().enumerate() {
        jobs.extend((0..p.versions.len()).map(|v| Job::Version(Kind::Provision, i, v)));
    }
    for (i, a) in site.agencies.iter().enumerate() {
        let n = views.agency_items(&a.meta.id).len();
        jobs.extend(pages(n).map(|p| Job::Timeline(Some(i), None, p)));
    }
    for k in ItemKind::ALL {
        let n = per_kind.get(&k).copied().unwrap_or(0);
        jobs.extend(pages(n).map(|p| Job::Timeline(None, Some(k), p)));
    }
    for kind in [
        Kind::Order,
        Kind::Provision,
        Kind::Agency,
        Kind::Source,
        Kind::Event,
    ] {
        jobs.extend(pages(lists::entities(site, kind)).map(|p| Job::Index(kind, p)));
    }

    // An order's or agency's own lists, when longer than its page shows.
    let (order_at, agency_at) = (&grouped.order_at, &grouped.agency_at);
    let scopes = (0..site.orders.len())
        .map(Scope::Order)
        .chain((0..site.agencies.len()).map(Scope::Agency));
    for scope in scopes {
        let (deadlines, provisions) = grouped.counts(scope);
        if provisions > size {
            jobs.extend(pages(provisions).map(|p| Job::Provisions(scope, p)));
        }
        let n = deadlines;
        if n > size {
            jobs.extend(pages(n).map(|p| Job::Deadlines(scope, p)));
        }
    }

    // Each scoreboard category with requirements in it has its list, for
    // the site, each order and each agency.
    let mut categories: HashMap<(Scope, Category), usize> = HashMap::new();
    for (p, d) in site.deadlines() {
        let c = Category::of(d, site.as_of);
        *categories.entry((Scope::All, c)).or_default() += 1;
        if let Some(&i) = order_at.get(p.order.as_str()) {
            *categories.entry((Scope::Order(i), c)).or_default() += 1;
        }
        if let Some(&i) = agency_at.get(d.agency.as_str()) {
            *categories.entry((Scope::Agency(i), c)).or_default() += 1;
        }
    }
    let mut lists: Vec<_> = categories.into_iter().collect();
    lists.sort_by_key(|((scope, c), _)| (scope_key(*scope), *c));
    for ((scope, c), n) in lists {
        jobs.extend(pages(n).map(|p| Job::StatusList(scope, c, p)));
    }

    for kind in Kind::ALL {
        jobs.extend((0..lists::entities(site, kind)).map(|i| Job::Entity(kind, i)));
    }
    jobs
}

/// A sort key for scopes, so that jobs come in a stable order.
fn scope_key(scope: Scope) -> (u8, usize) {
    match scope {
        Scope::All => (0, 0),
        Scope::Order(i) => (1, i),
        Scope::Agency(i) => (2, i),
    }
}

/// Render every page of `site`, with the feed, calendars, sitemap, robots.txt
/// and the JSON export, in memory.
pub fn render_site(site: &Site, templates: &Templates) -> (Vec<OutputFile>, Diagnostics) {
    collect(|emit| render_site_into(site, templates, None, emit, Some(emit)))
}

/// Run `produce` with a [`Sink`] that keeps every file in memory.
pub fn collect<R>(produce: impl FnOnce(&dyn Sink) -> R) -> (Vec<OutputFile>, R) {
    let files = std::sync::Mutex::new(Vec::new());
    let result = produce(&|f: OutputFile| {
        if let Ok(mut files) = files.lock() {
            files.push(f);
        }
        Ok(())
    });
    (files.into_inner().unwrap_or_default(), result)
}

/// Render the pages of `all` (the site's [`jobs`]) for which `keep` is
/// true, and, with `extras`, the sitemap (which lists every page). The
/// files come in no particular order.
pub fn render_selected(
    views: &Views,
    templates: &Templates,
    all: &[Job],
    keep: impl Fn(&Views, &Job) -> bool + Sync,
    extras: Extras,
) -> (Vec<OutputFile>, Diagnostics) {
    collect(|emit| render_pages_into(views, templates, all, keep, extras, None, emit))
}

/// Which files about the whole site to make along with the pages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extras {
    None,
    /// The sitemap (it lists the pages).
    Sitemap,
}

/// The export, feeds, calendars, spreadsheets and robots.txt of `site`,
/// in memory.
pub fn data_files(site: &Site) -> Vec<OutputFile> {
    let views = Views::new(site);
    let files = data_extras(site, &views)
        .into_iter()
        .map(|(path, fill)| {
            let mut bytes = Vec::new();
            // Writing to memory cannot fail.
            let _ = fill(&mut bytes);
            OutputFile {
                path,
                contents: Contents::Bytes(bytes),
            }
        })
        .collect();
    files
}

/// Where [`data_files`] go, without making them.
pub fn data_file_paths(site: &Site) -> Vec<String> {
    let views = Views::new(site);
    data_extras(site, &views)
        .into_iter()
        .map(|(path, _)| path)
        .collect()
}

/// Where the JSON export goes.
pub const EXPORT_PATH: &str = "api/site.json";

/// What a list page shows, for the dev server to tell whether a change
/// reaches it without rendering it.
#[derive(Debug, Default)]
pub struct PageDeps {
    /// The entities its rows are about: anything they show of themselves
    /// or of the entities they link to, or that link to them (counts,
    /// backlinks), may be on the page.
    pub rows: Vec<crate::model::Ref>,
    /// Entities it names only: the rows that label its pager (first and
    /// last of each page it lists), the order or agency whose list it is,
    /// the order heading a group, the agencies of the timeline's filters.
    pub names: Vec<crate::model::Ref>,
    /// A hash of its whole list, row by row: a row added, removed or moved
    /// can shift every page of the list, and change every pager.
    pub list: u64,
}

impl PageDeps {
    /// The dependencies of page `page` of the list `list` (its first page's
    /// job) of `len` rows, whose row `i` is about the entities `row(i)`
    /// pushes; `hash` hashes the whole list. What concerns the whole list is
    /// worked out once for all its pages.
    fn of(
        views: &Views,
        list: Job,
        page: usize,
        len: usize,
        hash: impl FnOnce() -> u64,
        row: impl Fn(usize, &mut Vec<crate::model::Ref>),
    ) -> PageDeps {
        let cut = paging::Cut::Every(views.site.config.page_size);
        PageDeps::of_cut(views, list, page, len, cut, hash, row)
    }

    /// [`PageDeps::of`] for a list cut into pages by `cut`.
    fn of_cut(
        views: &Views,
        list: Job,
        page: usize,
        len: usize,
        cut: paging::Cut,
        hash: impl FnOnce() -> u64,
        row: impl Fn(usize, &mut Vec<crate::model::Ref>),
    ) -> PageDeps {
        let whole = views.list_summary(list, || {
            // A pager names each page it lists by its first and last rows.
            let ends = (0..cut.count(len))
                .map(|p| {
                    let mut ends = Vec::new();
                    let span = cut.rows(p, len);
                    if !span.is_empty() {
                        row(span.start, &mut ends);
                        row(span.end - 1, &mut ends);
                    }
                    ends
                })
                .collect();
            (hash(), ends)
        });
        let listed = paging::listed(page, whole.1.len());
        let mut deps = PageDeps {
            list: whole.0,
            names: listed
                .iter()
                .flat_map(|&p| whole.1[p].iter().cloned())
                .collect(),
            ..PageDeps::default()
        };
        for i in cut.rows(page, len) {
            row(i, &mut deps.rows);
        }
        deps
    }
}

fn hash_all<T: std::hash::Hash>(items: impl Iterator<Item = T>) -> u64 {
    use std::hash::Hasher;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    for x in items {
        x.hash(&mut h);
    }
    h.finish()
}

/// The dependencies of list page `job`; None for a page that is not a page
/// of a list (an entity's own page, the home page, /status/, search, 404).
pub fn page_deps(views: &Views, job: &Job) -> Option<PageDeps> {
    use crate::model::Ref;
    let site = views.site;
    let of_scope = |scope: Scope| match scope {
        Scope::All => None,
        Scope::Order(i) => Some(Ref::new(Kind::Order, site.orders[i].meta.id.as_str())),
        Scope::Agency(i) => Some(Ref::new(Kind::Agency, site.agencies[i].meta.id.as_str())),
    };
    let provision = |p: &crate::model::Provision| Ref::new(Kind::Provision, p.meta.id.as_str());
    let order = |o: &crate::model::Order| Ref::new(Kind::Order, o.meta.id.as_str());
    let mut deps = match *job {
        Job::Deadlines(scope, page) | Job::StatusList(scope, _, page) => {
            let (category, list) = match *job {
                Job::StatusList(_, c, _) => (Some(c), Job::StatusList(scope, c, 0)),
                _ => (None, Job::Deadlines(scope, 0)),
            };
            let rows = views.deadline_rows(scope, category);
            let hash = || hash_all(rows.iter().map(|(p, d)| (&p.meta.id, &d.id)));
            let mut deps = PageDeps::of(views, list, page, rows.len(), hash, |i, out| {
                out.push(provision(rows[i].0));
            });
            deps.names.extend(of_scope(scope));
            deps
        }
        Job::Provisions(scope, page) => {
            let rows = views.provision_rows(scope);
            let hash = || hash_all(rows.iter().map(|p| &p.meta.id));
            let list = Job::Provisions(scope, 0);
            let mut deps = PageDeps::of(views, list, page, rows.len(), hash, |i, out| {
                out.push(provision(rows[i]));
            });
            deps.names.extend(of_scope(scope));
            deps
        }
        Job::Index(kind, page) => {
            let rows = views.index_rows(kind);
            let hash = || hash_all(rows.iter().map(|x| &x.entity));
            PageDeps::of(
                views,
                Job::Index(kind, 0),
                page,
                rows.len(),
                hash,
                |i, out| {
                    out.push(rows[i].entity.clone());
                },
            )
        }
        Job::Timeline(agency, kind, page) => {
            let agency_id = agency.map(|i| site.agencies[i].meta.id.as_str());
            let rows = views.timeline_rows(agency_id, kind);
            let items = views.items();
            // The filters list the agencies that have a dated item: whether
            // one has depends on other entities, so the set counts as the list's.
            let hash = || {
                let dated = site.agencies.iter().map(|a| a.meta.id.as_str());
                let dated = dated.filter(|id| views.is_dated(id));
                hash_all(rows.0.iter().map(|&i| &items[i].key)) ^ hash_all(dated)
            };
            let list = Job::Timeline(agency, kind, 0);
            let mut deps = PageDeps::of(views, list, page, rows.0.len(), hash, |i, out| {
                out.push(items[rows.0[i]].page.clone());
            });
            // Each item names its agencies; the filters name every agency.
            deps.names.extend(
                site.agencies
                    .iter()
                    .map(|a| Ref::new(Kind::Agency, a.meta.id.as_str())),
            );
            // The first page of the whole timeline lists the undated events:
            // one deleted must show as a change of the list.
            if page == 0 && agency.is_none() {
                let undated: Vec<Ref> = site
                    .events
                    .iter()
                    .filter(|e| e.date.is_none())
                    .map(|e| Ref::new(Kind::Event, e.meta.id.as_str()))
                    .collect();
                deps.list ^= hash_all(undated.iter()).rotate_left(1);
                deps.rows.extend(undated);
            }
            deps
        }
        Job::Matrix(page) => {
            let rows = views.matrix_rows();
            // Where pages end follows the rows' agencies: a change moves
            // rows between pages.
            let cut = views.matrix_cut();
            let hash = || {
                hash_all(rows.iter().map(|(o, p)| (&o.meta.id, &p.meta.id)))
                    ^ hash_all(views.matrix_ends().iter()).rotate_left(1)
            };
            let mut deps = PageDeps::of_cut(
                views,
                Job::Matrix(0),
                page,
                rows.len(),
                cut,
                hash,
                |i, out| {
                    out.push(provision(rows[i].1));
                },
            );
            deps.names.extend(site.orders.iter().map(|o| order(o)));
            deps
        }
        Job::Changes(page) => {
            let rows = views.change_rows();
            let hash = || {
                hash_all(
                    rows.iter()
                        .map(|(o, p)| (&o.meta.id, p.map(|p| &p.meta.id))),
                )
            };
            let mut deps =
                PageDeps::of(views, Job::Changes(0), page, rows.len(), hash, |i, out| {
                    let (o, p) = rows[i];
                    out.push(p.map_or_else(|| order(o), provision));
                });
            deps.names.extend(site.orders.iter().map(|o| order(o)));
            deps
        }
        Job::Stale(page) => {
            let rows = views.review_rows();
            let hash = || hash_all(rows.iter().map(|(k, m)| (k, &m.id)));
            PageDeps::of(views, Job::Stale(0), page, rows.len(), hash, |i, out| {
                out.push(Ref::new(rows[i].0, rows[i].1.id.as_str()));
            })
        }
        _ => return None,
    };
    deps.names.sort_unstable();
    deps.names.dedup();
    Some(deps)
}

/// Where rendered files go as they are made: written to disk by a build,
/// kept in memory by `check` and `serve`. Any `Fn(OutputFile)` is one.
pub trait Sink: Sync {
    /// A file made whole.
    fn file(&self, f: OutputFile) -> Result<(), Diagnostic>;

    /// A file written by `fill` as it is made: the large data files (the
    /// export, calendars, spreadsheets), tens of megabytes on a large site,
    /// which a sink writing to disk never holds whole. Kept in memory by
    /// default.
    fn stream(&self, path: &str, fill: &Fill) -> Result<(), Diagnostic> {
        let mut bytes = Vec::new();
        fill(&mut bytes).map_err(|e| Diagnostic::error(path, None, e.to_string()))?;
        self.file(OutputFile {
            path: path.to_string(),
            contents: Contents::Bytes(bytes),
        })
    }
}

impl<F: Fn(OutputFile) -> Result<(), Diagnostic> + Sync> Sink for F {
    fn file(&self, f: OutputFile) -> Result<(), Diagnostic> {
        self(f)
    }
}

/// Writes one data file's bytes.
pub type Fill<'a> = dyn Fn(&mut dyn std::io::Write) -> std::io::Result<()> + Send + Sync + 'a;

/// Render the pages `keep` selects (and with `extras` the sitemap),
/// handing each to `emit` as soon as it is made, so that no more than one
/// page per thread is held at a time.
fn render_pages_into(
    views: &Views,
    templates: &Templates,
    all: &[Job],
    keep: impl Fn(&Views, &Job) -> bool + Sync,
    extras: Extras,
    progress: Option<&crate::build::Progress>,
    emit: &dyn Sink,
) -> Diagnostics {
    let site = views.site;
    // Every page shows the site's navigation: converted once, each page's
    // context shares it.
    let site_view = views::Fragment::of(&views.site_view());
    // Rayon renders a run of pages it has split off in one go, and another
    // thread cannot take pages from it: the last such run, of agency pages
    // at 100,000 provisions, kept one core busy for two seconds while the
    // other idled (perf timeline). Runs of at most four pages stay shared.
    let problems: Vec<Diagnostic> = all
        .par_iter()
        .with_max_len(4)
        .filter(|job| keep(views, job))
        .filter_map(|job| {
            let mut ctx = Context::new();
            ctx.insert("site", &site_view);
            let (template, path) = fill(views, job, &mut ctx);
            let result = templates.render(template, &ctx).and_then(|html| {
                emit.file(OutputFile {
                    path,
                    contents: Contents::Bytes(html.into_bytes()),
                })
            });
            if let Some(p) = progress {
                p.done.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            }
            result.err()
        })
        .collect();
    let mut diags = Diagnostics::new();
    for d in problems {
        diags.push(d);
    }
    if extras != Extras::None && !diags.has_errors() {
        let pages: Vec<String> = all.iter().map(|j| job_path(site, j)).collect();
        let makers = sitemaps(&site.config.base_url, &pages);
        let problems: Vec<Diagnostic> = makers
            .par_iter()
            .filter_map(|make| emit.file(make()).err())
            .collect();
        for d in problems {
            diags.push(d);
        }
    }
    diags
}

/// Stream the files of [`data_files`] but the export into `emit`.
fn data_files_into(site: &Site, views: &Views, emit: &dyn Sink) -> Diagnostics {
    // One file per run (see render_pages_into): the site's calendar and
    // spreadsheets, first in the list, are the largest.
    let problems: Vec<Diagnostic> = data_extras(site, views)
        .par_iter()
        .with_max_len(1)
        .filter(|(path, _)| path != EXPORT_PATH)
        .filter_map(|(path, fill)| emit.stream(path, fill.as_ref()).err())
        .collect();
    let mut diags = Diagnostics::new();
    for d in problems {
        diags.push(d);
    }
    diags
}

/// Render the whole site: the pages and the sitemap into `pages`, the
/// files of [`data_files`] into `data` (when there is one); pages are
/// counted in `progress`.
pub fn render_site_into(
    site: &Site,
    templates: &Templates,
    progress: Option<&crate::build::Progress>,
    pages: &dyn Sink,
    data: Option<&dyn Sink>,
) -> Diagnostics {
    let mut views = Views::new(site);
    let all = jobs(&views);
    if let Some(p) = progress {
        p.total
            .store(all.len(), std::sync::atomic::Ordering::Relaxed);
    }
    // The export reads only the model, and is the longest file to make:
    // made after the pages with the other data files, a core idled while
    // one thread finished it (perf timeline, 10,000 provisions). It is made
    // beside the pages, one thread taking it from the start; it streams,
    // so it adds little memory. It is made even if a page fails: the
    // build then keeps none of what it wrote.
    let (mut diags, export) = rayon::join(
        || {
            render_pages_into(
                &views,
                templates,
                &all,
                |_, _| true,
                Extras::Sitemap,
                progress,
                pages,
            )
        },
        || data.map(|d| d.stream(EXPORT_PATH, &|w| crate::export::write_site_json(site, w))),
    );
    let pages_failed = diags.has_errors();
    if let Some(Err(d)) = export {
        diags.push(d);
    }
    if let Some(data) = data.filter(|_| !pages_failed) {
        // What only pages show goes before the other data files are made:
        // at 100,000 provisions they were the build's peak of memory.
        views.let_go_of_pages();
        diags.extend(data_files_into(site, &views, data));
    }
    diags
}

/// Tera's escaping, byte for byte (`&<>"'`), writing the text between
/// escapes in one call rather than a call per byte: escaping was a tenth
/// of rendering a large list page.
fn escape_html(input: &str, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    let bytes = input.as_bytes();
    let mut start = 0;
    for (i, b) in bytes.iter().enumerate() {
        let entity: &[u8] = match b {
            b'&' => b"&amp;",
            b'<' => b"&lt;",
            b'>' => b"&gt;",
            b'"' => b"&quot;",
            b'\'' => b"&#39;",
            _ => continue,
        };
        out.write_all(&bytes[start..i])?;
        out.write_all(entity)?;
        start = i + 1;
    }
    out.write_all(&bytes[start..])
}

/// Top-level folders the build writes itself: a free page (`/ID/`) may not
/// take one of these names. `status` and `stale` are kept for the tracker pages.
pub const RESERVED_TOP_FOLDERS: &[&str] = &[
    "orders",
    "provisions",
    "agencies",
    "sources",
    "events",
    "timeline",
    "deadlines",
    "changes",
    "matrix",
    "search",
    "api",
    crate::search::BUNDLE,
    "status",
    "stale",
    "sitemaps",
];

/// Two files for one output path are an error naming both: generated files
/// among themselves (a bug, or a page id the resolver let through), and a
/// static file that would replace a generated one.
pub fn check_routes(generated: &[&str], statics: &[(&str, &Contents)], root: &Path) -> Diagnostics {
    let mut diags = Diagnostics::new();
    let mut seen: std::collections::HashSet<&str> = std::collections::HashSet::new();
    for path in generated {
        if !seen.insert(path) {
            diags.push(Diagnostic::error(
                "site",
                None,
                format!("two generated files would be written to `{path}`"),
            ));
        }
    }
    // A generated `about/index.html` makes `about` a folder: a static file
    // named `about` (or a static file under a generated file's path) collides.
    let folders: std::collections::HashSet<&str> = generated
        .iter()
        .flat_map(|p| p.match_indices('/').map(|(i, _)| &p[..i]))
        .collect();
    for &(path, contents) in statics {
        let under_a_file = path
            .match_indices('/')
            .any(|(i, _)| seen.contains(&path[..i]));
        if seen.contains(path) || folders.contains(path) || under_a_file {
            let (shown, whose) = match contents {
                Contents::Copy(p) => (
                    p.strip_prefix(root).unwrap_or(p).to_path_buf(),
                    "this static file",
                ),
                Contents::Bytes(_) => (
                    PathBuf::from("(theme)").join("static").join(path),
                    "the theme's static file",
                ),
            };
            diags.push(
                Diagnostic::error(
                    shown,
                    None,
                    format!("{whose} would replace the generated file `/{path}`"),
                )
                .with_help(Some("rename or move the static file: generated pages cannot be overridden by static files".into())),
            );
        }
    }
    diags
}

/// The address of `job` under the site's base path (`/provisions/x/`).
/// Every page's address is made here, from checked ids.
pub fn job_url(site: &Site, job: &Job) -> String {
    use views::{deadlines_base, provisions_base, status_base, timeline_base};
    match *job {
        Job::Home => "/".into(),
        Job::NotFound => "/404.html".into(),
        Job::Search => "/search/".into(),
        Job::Deadlines(scope, p) => paging::path(&deadlines_base(site, scope), p),
        Job::Status => "/status/".into(),
        Job::StatusList(scope, c, p) => {
            paging::path(&format!("{}{}/", status_base(site, scope), c.slug()), p)
        }
        Job::Provisions(scope, p) => paging::path(&provisions_base(site, scope), p),
        Job::Changes(p) => paging::path("/changes/", p),
        Job::Matrix(p) => paging::path("/matrix/", p),
        Job::Stale(p) => paging::path("/stale/", p),
        Job::Index(kind, p) => paging::path(&format!("/{}/", kind.folder()), p),
        Job::Timeline(agency, kind, p) => {
            let agency = agency.map(|i| site.agencies[i].meta.id.as_str());
            paging::path(&timeline_base(agency, kind), p)
        }
        Job::Version(kind, i, v) => {
            let (id, versions) = match kind {
                Kind::Order => (&site.orders[i].meta.id, &site.orders[i].versions),
                _ => (&site.provisions[i].meta.id, &site.provisions[i].versions),
            };
            format!("{}versions/{}/", kind.path_of(id), versions[v].id)
        }
        Job::Entity(kind, i) => match job.owner(site) {
            Some(r) => r.path(),
            None => format!("/{}/{i}/", kind.folder()),
        },
    }
}

/// The output path of `job` (`provisions/x/index.html`): its address, with
/// `index.html` for a folder. The one place that rule lives.
pub fn job_path(site: &Site, job: &Job) -> String {
    let url = job_url(site, job);
    let path = url.trim_start_matches('/');
    if path.is_empty() || path.ends_with('/') {
        format!("{path}index.html")
    } else {
        path.to_string()
    }
}

/// A file made on demand, so that the extras are made in parallel.
type Make<'a> = Box<dyn Fn() -> OutputFile + Send + Sync + 'a>;

/// The files of [`data_files`], each path with its maker: the export
/// (`/api/site.json`, which carries every entity's body: any change
/// reaches it), feeds, calendars, spreadsheets of deadlines (the whole
/// site, each order, each agency) and robots.txt.
fn data_extras<'a>(site: &'a Site, views: &'a Views) -> Vec<(String, Box<Fill<'a>>)> {
    let mut makers: Vec<(String, Box<Fill<'a>>)> = vec![
        (
            EXPORT_PATH.into(),
            Box::new(|w| crate::export::write_site_json(site, w)),
        ),
        (
            "calendar.ics".into(),
            Box::new(|w| calendar::site_calendar(site, views.items(), w)),
        ),
        (
            "deadlines.csv".into(),
            Box::new(|w| crate::spreadsheet::deadlines_csv(site, site.deadlines(), w)),
        ),
        (
            "feed.xml".into(),
            Box::new(|w| w.write_all(feed::atom(site).as_bytes())),
        ),
        (
            "robots.txt".into(),
            Box::new(|w| w.write_all(robots(site).as_bytes())),
        ),
    ];
    for (i, o) in site.orders.iter().enumerate() {
        makers.push((
            format!("orders/{}/deadlines.csv", o.meta.id),
            Box::new(move |w| {
                let rows = views.deadline_rows(Scope::Order(i), None);
                crate::spreadsheet::deadlines_csv(site, rows.iter().copied(), w)
            }),
        ));
    }
    for (i, a) in site.agencies.iter().enumerate() {
        let id = a.meta.id.as_str();
        makers.push((
            format!("agencies/{id}/calendar.ics"),
            Box::new(move |w| {
                let rows = views.timeline_rows(Some(id), None);
                let items = rows.0.iter().map(|&at| &views.items()[at]);
                calendar::agency_calendar(site, items, id, w)
            }),
        ));
        makers.push((
            format!("agencies/{id}/feed.xml"),
            Box::new(move |w| {
                let feed = feed::agency_atom(
                    site,
                    id,
                    &views.provision_rows(Scope::Agency(i)),
                    &views.deadline_rows(Scope::Agency(i), None),
                );
                w.write_all(feed.as_bytes())
            }),
        ));
        makers.push((
            format!("agencies/{id}/deadlines.csv"),
            Box::new(move |w| {
                let rows = views.deadline_rows(Scope::Agency(i), None);
                crate::spreadsheet::deadlines_csv(site, rows.iter().copied(), w)
            }),
        ));
    }
    makers
}

/// " (page 2 of 50)" after a list page's title, from its second page on.
fn page_suffix(page: usize, pager: &paging::PagerView) -> String {
    if page == 0 {
        String::new()
    } else {
        format!(" (page {} of {})", pager.number, pager.total)
    }
}

/// Fill the context for `job`; return its template and output path.
fn fill(views: &Views, job: &Job, ctx: &mut Context) -> (&'static str, String) {
    let site = views.site;
    let url = job_url(site, job);
    let path = job_path(site, job);
    match job {
        Job::Home => {
            ctx.insert(
                "page",
                &views.page_view(&site.config.title, &site.config.description, &url, "home"),
            );
            ctx.insert("home", &views.home());
            ("home.html", path)
        }
        Job::NotFound => {
            ctx.insert("page", &views.page_view("Page not found", "", &url, ""));
            ("404.html", path)
        }
        Job::Status => {
            let description = "How far each order's requirements are: met (verified or claimed only), in progress, not yet due, no completion reported, no longer in force.";
            ctx.insert(
                "page",
                &views.page_view("Implementation status", description, &url, "status"),
            );
            ctx.insert("status", &views.status_page());
            ("status.html", path)
        }
        Job::StatusList(scope, c, p) => {
            let view = views.deadlines_page_of(*scope, Some(*c), *p);
            let description = format!("{}: {}.", c.label(), view.title);
            let title = format!("{}{}", view.title, page_suffix(*p, &view.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, &description, &url, "status"),
            );
            ctx.insert("deadlines", &view);
            ("deadlines.html", path)
        }
        Job::Deadlines(scope, p) => {
            let view = views.deadlines_page(*scope, *p);
            let description = match &view.owner {
                Some(o) => format!(
                    "Every deadline of {}: action, agency, due date and status.",
                    o.title
                ),
                None => {
                    "Every deadline the orders set: action, agency, due date and status.".into()
                }
            };
            let title = format!("{}{}", view.title, page_suffix(*p, &view.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, &description, &url, "deadlines"),
            );
            ctx.insert("deadlines", &view);
            ("deadlines.html", path)
        }
        Job::Provisions(scope, p) => {
            let view = views.provisions_page(*scope, *p);
            let title = format!("{}{}", view.title, page_suffix(*p, &view.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, &view.intro, &url, "provisions"),
            );
            ctx.insert("index", &view);
            ("list.html", path)
        }
        Job::Search => {
            let description = "Search every order, provision, agency, source and event.";
            ctx.insert(
                "page",
                &views.page_view("Search", description, &url, "search"),
            );
            ctx.insert("search", &views.search_page());
            ("search.html", path)
        }
        Job::Stale(p) => {
            let description = "When each page was last checked against its sources, oldest first.";
            let view = views.stale_page(*p);
            let title = format!("Reviews{}", page_suffix(*p, &view.pager));
            ctx.insert("page", &views.page_view(&title, description, &url, "stale"));
            ctx.insert("stale", &view);
            ("stale.html", path)
        }
        Job::Matrix(p) => {
            let description = "Which agencies each provision tasks, with their deadlines.";
            let view = views.matrix(*p);
            let title = format!("Agencies and provisions{}", page_suffix(*p, &view.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, description, &url, "matrix"),
            );
            ctx.insert("matrix", &view);
            ("matrix.html", path)
        }
        Job::Changes(p) => {
            let description = "Every change between a draft and the final text, with redlines and the numbers that changed.";
            let view = views.changes_page(*p);
            let title = format!("Changes{}", page_suffix(*p, &view.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, description, &url, "changes"),
            );
            ctx.insert("changes", &view);
            ("changes.html", path)
        }
        Job::Version(kind, i, v) => {
            let (id, versions) = match kind {
                Kind::Order => (&site.orders[*i].meta.id, &site.orders[*i].versions),
                _ => (&site.provisions[*i].meta.id, &site.provisions[*i].versions),
            };
            if let Some(view) = views.version_page(*kind, id, versions, *v) {
                let title = format!("{}: {}", view.version.label, view.owner.title);
                let d = if view.version.is_current {
                    format!("The current text of {}.", view.owner.title)
                } else {
                    format!(
                        "An earlier version of {}: not the current text.",
                        view.owner.title
                    )
                };
                ctx.insert("page", &views.page_view(&title, &d, &url, kind.folder()));
                ctx.insert("version_page", &view);
            }
            ("version.html", path)
        }
        Job::Timeline(agency, kind, p) => {
            let agency_id = agency.map(|i| site.agencies[i].meta.id.as_str());
            let timeline = views.timeline(agency_id, *kind, *p);
            let description = "Every dated item, by month, with the as-of date marked.";
            let title = format!("{}{}", timeline.title, page_suffix(*p, &timeline.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, description, &url, "timeline"),
            );
            ctx.insert("timeline", &timeline);
            ("timeline.html", path)
        }
        Job::Index(kind, p) => {
            let index = views.index(*kind, *p);
            let title = format!("{}{}", index.title, page_suffix(*p, &index.pager));
            ctx.insert(
                "page",
                &views.page_view(&title, &index.intro, &url, kind.folder()),
            );
            ctx.insert("index", &index);
            ("list.html", path)
        }
        Job::Entity(kind, i) => {
            let (title, description, id, template) = match kind {
                Kind::Order => {
                    let o = &site.orders[*i];
                    ctx.insert("order", &views.order(*i));
                    (
                        &o.meta.title,
                        o.summary.clone().unwrap_or_default(),
                        &o.meta.id,
                        "order.html",
                    )
                }
                Kind::Provision => {
                    let p = &site.provisions[*i];
                    ctx.insert("provision", &views.provision(p));
                    (
                        &p.meta.title,
                        p.summary.clone(),
                        &p.meta.id,
                        "provision.html",
                    )
                }
                Kind::Agency => {
                    let a = &site.agencies[*i];
                    ctx.insert("agency", &views.agency(*i));
                    let name = match &a.acronym {
                        Some(x) => format!("{} ({x})", a.meta.title),
                        None => a.meta.title.clone(),
                    };
                    let d = format!("{name}: what the orders ask of it, and by when.");
                    (&a.meta.title, d, &a.meta.id, "agency.html")
                }
                Kind::Source => {
                    let s = &site.sources[*i];
                    ctx.insert("source", &views.source(s));
                    (
                        &s.meta.title,
                        match s.date {
                            Some(d) => format!(
                                "{}, {}: what it reports and where it is cited.",
                                s.publisher,
                                crate::dates::display(d)
                            ),
                            None => {
                                format!("{}: what it reports and where it is cited.", s.publisher)
                            }
                        },
                        &s.meta.id,
                        "source.html",
                    )
                }
                Kind::Event => {
                    let e = &site.events[*i];
                    ctx.insert("event", &views.event(e));
                    let when = e.date.as_ref().map_or_else(
                        || "Date not reported".to_string(),
                        |w| crate::dates::display(w.date),
                    );
                    let d = format!("{when}: {}", e.meta.title);
                    (&e.meta.title, d, &e.meta.id, "event.html")
                }
                Kind::Page => {
                    let p = &site.pages[*i];
                    ctx.insert("entity", &views.page(p));
                    (
                        &p.meta.title,
                        excerpt(&p.meta.body_html),
                        &p.meta.id,
                        "page.html",
                    )
                }
            };
            let _ = id;
            ctx.insert(
                "page",
                &views.page_view(title, &description, &url, kind.folder()),
            );
            (template, path)
        }
    }
}

/// The most addresses one sitemap file may list (the sitemap protocol's limit).
const SITEMAP_LIMIT: usize = 50_000;

/// The addresses of the sitemap: every page that is a folder's index, sorted.
fn sitemap_paths(pages: &[String]) -> Vec<&str> {
    let mut paths: Vec<&str> = pages
        .iter()
        .filter_map(|p| p.strip_suffix("index.html"))
        .collect();
    paths.sort_unstable();
    paths
}

/// `sitemap.xml` and, past [`SITEMAP_LIMIT`] addresses, the files it
/// indexes (`sitemaps/1.xml`, ...), each as a maker.
fn sitemaps<'a>(base: &'a crate::config::BaseUrl, pages: &'a [String]) -> Vec<Make<'a>> {
    let count = sitemap_paths(pages).len();
    if count <= SITEMAP_LIMIT {
        return vec![Box::new(move || OutputFile {
            path: "sitemap.xml".into(),
            contents: Contents::Bytes(urlset(base, &sitemap_paths(pages)).into_bytes()),
        })];
    }
    let parts = count.div_ceil(SITEMAP_LIMIT);
    let mut makers: Vec<Make<'a>> = vec![Box::new(move || {
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
        for k in 1..=parts {
            let url = base.absolute(&format!("/sitemaps/{k}.xml"));
            out.push_str("  <sitemap><loc>");
            out.push_str(&xml_escape(&url));
            out.push_str("</loc></sitemap>\n");
        }
        out.push_str("</sitemapindex>\n");
        OutputFile {
            path: "sitemap.xml".into(),
            contents: Contents::Bytes(out.into_bytes()),
        }
    })];
    for k in 0..parts {
        makers.push(Box::new(move || {
            let paths = sitemap_paths(pages);
            let range = paging::rows(k, paths.len(), SITEMAP_LIMIT);
            OutputFile {
                path: format!("sitemaps/{}.xml", k + 1),
                contents: Contents::Bytes(urlset(base, &paths[range]).into_bytes()),
            }
        }));
    }
    makers
}

/// A sitemap `<urlset>` of `paths` (relative to the site's base).
fn urlset(base: &crate::config::BaseUrl, paths: &[&str]) -> String {
    let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n");
    for p in paths {
        let url = base.absolute(&format!("/{p}"));
        out.push_str("  <url><loc>");
        out.push_str(&xml_escape(&url));
        out.push_str("</loc></url>\n");
    }
    out.push_str("</urlset>\n");
    out
}

fn robots(site: &Site) -> String {
    format!(
        "User-agent: *\nAllow: /\nSitemap: {}\n",
        site.config.base_url.absolute("/sitemap.xml")
    )
}

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Static files: the theme's, then the site's `static/` (which wins on a clash).
/// A file that is a link to somewhere outside the site is an error: a build
/// never publishes what is not part of the site.
pub fn static_files(root: &Path, theme: &str) -> Result<Vec<OutputFile>, Diagnostics> {
    let mut files: Vec<OutputFile> = Vec::new();
    let theme_static = root.join("themes").join(theme).join("static");
    if root.join("themes").join(theme).join("templates").is_dir() {
        collect_static(&theme_static, &mut files);
    } else if theme == "default" {
        for (path, text) in DEFAULT_THEME {
            if let Some(name) = path.strip_prefix("static/") {
                files.push(OutputFile {
                    path: name.to_string(),
                    contents: Contents::Bytes(text.as_bytes().to_vec()),
                });
            }
        }
    }
    let mut own = Vec::new();
    collect_static(&root.join("static"), &mut own);
    for f in own {
        files.retain(|x| x.path != f.path);
        files.push(f);
    }
    let mut diags = Diagnostics::new();
    let real_root = root.canonicalize().unwrap_or_else(|_| root.to_path_buf());
    for f in &files {
        if let (Err(why), Contents::Copy(p)) = (crate::output::check_relative(&f.path), &f.contents)
        {
            diags.push(
                Diagnostic::error(
                    p.strip_prefix(root).unwrap_or(p),
                    None,
                    format!("this static file's name cannot be published: {why}"),
                )
                .with_help(Some(
                    "rename it with letters, digits, `-`, `_` and `.`".into(),
                )),
            );
        }
    }
    for f in &files {
        if let Contents::Copy(p) = &f.contents {
            let inside = p
                .canonicalize()
                .is_ok_and(|real| real.starts_with(&real_root));
            if !inside {
                let shown = p.strip_prefix(root).unwrap_or(p);
                diags.push(
                    Diagnostic::error(
                        shown,
                        None,
                        "this static file is a link to a file outside the site",
                    )
                    .with_help(Some(
                        "copy the file into static/ instead of linking to it".into(),
                    )),
                );
            }
        }
    }
    if diags.has_errors() {
        Err(diags)
    } else {
        Ok(files)
    }
}

fn collect_static(dir: &Path, out: &mut Vec<OutputFile>) {
    if !dir.is_dir() {
        return;
    }
    // Hidden files and folders (.env, .git/, .DS_Store, the output marker) are
    // never published; `.well-known/` is, as hosts expect it.
    let published = |e: &walkdir::DirEntry| {
        let name = e.file_name().to_string_lossy();
        e.depth() == 0 || !name.starts_with('.') || name == ".well-known"
    };
    for entry in walkdir::WalkDir::new(dir)
        .sort_by_file_name()
        .into_iter()
        .filter_entry(published)
        .flatten()
    {
        // A link to a file counts as that file; static_files() refuses links out of the site.
        let is_file =
            entry.file_type().is_file() || (entry.path_is_symlink() && entry.path().is_file());
        if is_file {
            if let Ok(rel) = entry.path().strip_prefix(dir) {
                // Joined from components, so a `\\` in a Unix file name stays a
                // character of that name (and is refused by static_files()).
                let parts: Vec<String> = rel
                    .components()
                    .map(|c| c.as_os_str().to_string_lossy().to_string())
                    .collect();
                out.push(OutputFile {
                    path: parts.join("/"),
                    contents: Contents::Copy(entry.path().to_path_buf()),
                });
            }
        }
    }
}

#[cfg(test)]
mod sitemap_tests {
    use super::*;

    #[test]
    fn a_sitemap_past_the_protocol_limit_becomes_an_index() {
        let base = crate::config::BaseUrl::parse("https://example.org/").unwrap();
        let pages: Vec<String> = (0..SITEMAP_LIMIT + 2)
            .map(|i| format!("p{i:06}/index.html"))
            .collect();
        let files: Vec<OutputFile> = sitemaps(&base, &pages).iter().map(|m| m()).collect();
        let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
        assert_eq!(paths, ["sitemap.xml", "sitemaps/1.xml", "sitemaps/2.xml"]);
        let text = |i: usize| match &files[i].contents {
            Contents::Bytes(b) => String::from_utf8_lossy(b).into_owned(),
            Contents::Copy(_) => String::new(),
        };
        assert!(text(0).contains("<sitemapindex") && text(0).contains("/sitemaps/2.xml</loc>"));
        assert_eq!(text(1).matches("<url>").count(), SITEMAP_LIMIT);
        assert_eq!(text(2).matches("<url>").count(), 2);
        let small = sitemaps(&base, &pages[..3]);
        assert_eq!(small.len(), 1);
        assert!(String::from_utf8_lossy(match &small[0]().contents {
            Contents::Bytes(b) => b,
            Contents::Copy(_) => &[],
        })
        .contains("<urlset"));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_writes_what_teras_own_escaping_writes() {
        for text in [
            "",
            "plain",
            "&",
            "a<b>c",
            "\"quoted\" & 'single'",
            "<<&&>>",
            "ends with <",
            "é – “curly” ‹›",
            "no/slash\\escaped",
        ] {
            let (mut ours, mut theirs) = (Vec::new(), Vec::new());
            escape_html(text, &mut ours).unwrap();
            tera::escape_html(text, &mut theirs).unwrap();
            assert_eq!(String::from_utf8(ours), String::from_utf8(theirs), "{text}");
        }
    }

    fn range(args: &str) -> String {
        let mut tera = Tera::new();
        tera.register_function("range", bounded_range(None));
        let t = format!("{{% for i in range({args}) %}}{{{{ i }}}},{{% endfor %}}");
        tera.add_raw_template("t", &t).unwrap();
        tera.render("t", &Context::new())
            .unwrap_or_else(|e| format!("error: {e}"))
    }

    #[test]
    fn range_counts_as_tera_does_and_is_bounded() {
        assert_eq!(range("end=5"), "0,1,2,3,4,");
        assert_eq!(range("end=5, step_by=2"), "0,2,4,");
        assert_eq!(range("start=5, end=0, step_by=-2"), "5,3,1,");
        assert_eq!(range("start=3, end=3"), "");
        assert!(range("end=5, step_by=0").starts_with("error"));
        assert!(range("end=10001").starts_with("error"));
        let cancelled = Arc::new(AtomicBool::new(true));
        let mut tera = Tera::new();
        tera.register_function("range", bounded_range(Some(cancelled)));
        tera.add_raw_template("t", "{% for i in range(end=2) %}{{ i }}{% endfor %}")
            .unwrap();
        assert!(tera.render("t", &Context::new()).is_err());
    }
}
