//! Incremental rebuilds for the dev server.
//!
//! A [`Session`] keeps the last good site in memory and, on each change,
//! redoes only the work that kind of change needs: a content edit re-reads
//! the changed files, resolves the site again (references and backlinks are
//! global) and re-renders only the pages whose data changed, the pages next to
//! them in the link graph, and the site-wide pages (home, indexes, timeline,
//! deadlines, changes, feed, calendars); a template edit re-renders every page
//! without reading content; a static file is re-listed; site.yaml starts over.
//! The result equals a full build of the same input (tested).

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::{self, BuildOptions};
use crate::config::Config;
use crate::content::{Content, Kind};
use crate::diagnostics::Diagnostic;
use crate::model::{Ref, Site};
use crate::render::{self, Contents, Templates};

/// What kind of file changed; decides how much to rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Content,
    Template,
    Static,
    Config,
}

/// Up to this many entities, the search index is rebuilt with the pages, before
/// the reload; past it, on a thread of its own after the reload (at 10,000
/// provisions it takes seconds), the old index being served meanwhile.
const SEARCH_IN_LINE: usize = 2_000;

/// The search index being built in the background, and whether the site has
/// changed since it started (then it is built again when it ends).
struct SearchJob {
    handle: std::thread::JoinHandle<Result<Vec<render::OutputFile>, String>>,
    stale: bool,
}

/// The built site, by output path.
/// Files are shared between successive builds, so keeping the unchanged ones costs no copy.
pub type Outputs = BTreeMap<String, Arc<Contents>>;

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Pages rendered by this rebuild.
    pub rendered: usize,
    /// Files in the site.
    pub files: usize,
    pub elapsed: Duration,
    pub warnings: Vec<Diagnostic>,
}

pub struct Session {
    opts: BuildOptions,
    config: Option<Config>,
    content: Content,
    templates: Option<Templates>,
    /// The last good site, its signatures, and its outputs.
    site: Option<Site>,
    signatures: HashMap<Ref, Signature>,
    pages: Outputs,
    statics: Outputs,
    search: Outputs,
    outputs: Arc<Outputs>,
    pool: Option<rayon::ThreadPool>,
    search_job: Option<SearchJob>,
    /// Up to this many entities, the search index is built before the reload.
    search_in_line: usize,
    /// Rendered bodies, reused by the next resolve when nothing they show changed.
    bodies: crate::resolve::BodyCache,
}

impl Session {
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            opts,
            config: None,
            content: Content::default(),
            templates: None,
            site: None,
            signatures: HashMap::new(),
            pages: Outputs::new(),
            statics: Outputs::new(),
            search: Outputs::new(),
            outputs: Arc::new(Outputs::new()),
            search_job: None,
            search_in_line: SEARCH_IN_LINE,
            bodies: Default::default(),
            pool: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("gazette-render-{i}"))
                .build()
                .ok(),
        }
    }

    /// Build the search index in the background past `entities` entities
    /// (default 2,000), rather than before each reload.
    pub fn with_search_in_line(mut self, entities: usize) -> Session {
        self.search_in_line = entities;
        self
    }

    /// The last good site's files.
    pub fn outputs(&self) -> Arc<Outputs> {
        Arc::clone(&self.outputs)
    }

    /// Start building the search index of `site` in the background, or, if
    /// one is being built, mark it stale so that it is built again after.
    fn start_search(&mut self, site: &Site) {
        match &mut self.search_job {
            Some(job) => job.stale = true,
            None => {
                let input = crate::search::Input::of(site);
                let spawned = std::thread::Builder::new()
                    .name("gazette-search".into())
                    .spawn(move || crate::search::build(input));
                if let Ok(handle) = spawned {
                    self.search_job = Some(SearchJob {
                        handle,
                        stale: false,
                    });
                }
            }
        }
    }

    /// The served files: static files, then the search index, then the pages
    /// (a later one wins a path).
    fn assemble(&mut self) {
        let mut outputs = self.statics.clone();
        outputs.extend(self.search.iter().map(|(k, v)| (k.clone(), v.clone())));
        outputs.extend(self.pages.iter().map(|(k, v)| (k.clone(), v.clone())));
        self.outputs = Arc::new(outputs);
    }

    /// Whether a search index is being built in the background.
    pub fn search_pending(&self) -> bool {
        self.search_job.is_some()
    }

    /// If the background search index is done, serve it: returns true when
    /// the outputs changed. One made from a site that has changed since is
    /// replaced by a new build of it, not served.
    pub fn finish_search(&mut self) -> bool {
        if !self
            .search_job
            .as_ref()
            .is_some_and(|job| job.handle.is_finished())
        {
            return false;
        }
        let Some(job) = self.search_job.take() else {
            return false;
        };
        let result = job.handle.join();
        if job.stale {
            if let Some(site) = self.site.take() {
                self.start_search(&site);
                self.site = Some(site);
            }
            return false;
        }
        // A failed index leaves the previous one served; the next change retries.
        let Ok(Ok(files)) = result else {
            return false;
        };
        self.search = files
            .into_iter()
            .map(|f| (f.path, Arc::new(f.contents)))
            .collect();
        self.assemble();
        true
    }

    /// Build everything from scratch.
    pub fn full_build(&mut self) -> Result<Report, Vec<Diagnostic>> {
        self.rebuild(&BTreeSet::from([ChangeKind::Config]))
    }

    /// Rebuild after changes of the given kinds. On error the last good site stays.
    pub fn rebuild(&mut self, changes: &BTreeSet<ChangeKind>) -> Result<Report, Vec<Diagnostic>> {
        // The session's own threads: a page stuck in a runaway template holds
        // one of them, not one of the process-wide pool's, so an abandoned
        // session cannot starve the next.
        match self.pool.take() {
            Some(pool) => {
                let result = pool.install(|| self.rebuild_here(changes));
                self.pool = Some(pool);
                result
            }
            None => self.rebuild_here(changes),
        }
    }

    fn rebuild_here(&mut self, changes: &BTreeSet<ChangeKind>) -> Result<Report, Vec<Diagnostic>> {
        let started = Instant::now();
        let everything = changes.contains(&ChangeKind::Config) || self.site.is_none();
        if everything {
            self.config = Some(build::load_config(&self.opts)?);
            self.templates = None;
        }
        let config = self.config.clone().ok_or_else(Vec::new)?;
        if everything || changes.contains(&ChangeKind::Template) || self.templates.is_none() {
            self.templates = Some(
                Templates::load(&self.opts.root, &config.theme, self.opts.cancel.clone())
                    .map_err(|d| d.sorted())?,
            );
        }
        self.content.refresh(&self.opts.root);
        let (site, diags) =
            build::resolve_content_cached(&self.opts, &config, &self.content, &mut self.bodies);
        if diags.has_errors() {
            return Err(diags.sorted());
        }
        let templates = self.templates.as_ref().ok_or_else(Vec::new)?;
        let signatures = signatures(&site);
        let render_all =
            everything || changes.contains(&ChangeKind::Template) || self.site.is_none();
        let deep = changed(&self.signatures, &signatures, |s| s.deep);
        let shallow = changed(&self.signatures, &signatures, |s| s.shallow);
        let home_changed = self
            .site
            .as_ref()
            .is_none_or(|old| old.home_html != site.home_html);
        // Free pages are linked from every page's footer.
        let render_all = render_all || shallow.iter().any(|r| r.kind == Kind::Page);
        // What other pages show of an entity changed: its neighbours and the
        // site-wide pages must show it too. Otherwise only its own pages change.
        let site_wide = render_all || home_changed || !shallow.is_empty();
        let mut affected = deep;
        if !render_all {
            affected.extend(neighbours(self.site.as_ref(), &site, &shallow));
        }
        let all = render::jobs(&site);
        let (mut files, render_diags) = render::render_selected(
            &site,
            templates,
            &all,
            |job| {
                render_all
                    || job
                        .owner(&site)
                        .map_or(site_wide, |r| affected.contains(&r))
            },
            site_wide,
        );
        if render_diags.has_errors() {
            return Err(render_diags.sorted());
        }
        files.push(render::export_file(&site));
        let statics = if everything || changes.contains(&ChangeKind::Static) {
            Some(render::static_files(&self.opts.root, &config.theme).map_err(|d| d.sorted())?)
        } else {
            None
        };
        // The search index covers every entity's text: any change reaches it.
        // Small sites rebuild it before the reload; large ones after, in the
        // background (see `finish_search`).
        let entities = site.orders.len()
            + site.provisions.len()
            + site.agencies.len()
            + site.sources.len()
            + site.events.len()
            + site.pages.len();
        let search = if entities <= self.search_in_line {
            // An index still being built for the larger site is now out of date.
            self.search_job = None;
            Some(
                crate::search::index(&site)
                    .map_err(|e| vec![Diagnostic::error("search index", None, e)])?,
            )
        } else {
            None
        };
        let rendered = files.iter().filter(|f| f.path.ends_with(".html")).count();
        {
            // What the new site keeps of the old one's files: pages that still
            // exist, and other files not due to be written again (an agency's
            // calendar after a body edit).
            let current: HashSet<String> = all.iter().map(|j| render::job_path(&site, j)).collect();
            let fresh: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
            let keeps = |path: &str| {
                !render_all
                    && if path.ends_with(".html") {
                        current.contains(path)
                    } else {
                        !site_wide || fresh.contains(path) || path == "api/site.json"
                    }
            };
            // A static file may not replace a generated one: the check of
            // `gazette build`, on the new site's paths.
            let mut generated: BTreeSet<&str> = fresh.iter().copied().collect();
            generated.extend(self.pages.keys().map(String::as_str).filter(|p| keeps(p)));
            match &search {
                Some(list) => generated.extend(list.iter().map(|f| f.path.as_str())),
                None => generated.extend(self.search.keys().map(String::as_str)),
            }
            let statics_now: Vec<(&str, &Contents)> = match &statics {
                Some(list) => list
                    .iter()
                    .map(|f| (f.path.as_str(), &f.contents))
                    .collect(),
                None => self
                    .statics
                    .iter()
                    .map(|(path, c)| (path.as_str(), c.as_ref()))
                    .collect(),
            };
            let generated: Vec<&str> = generated.into_iter().collect();
            let collisions = render::check_routes(&generated, &statics_now, &self.opts.root);
            if collisions.has_errors() {
                return Err(collisions.sorted());
            }
            // Everything succeeded: from here on, the new site replaces the old one.
            self.pages.retain(|path, _| keeps(path));
        }
        for f in files {
            self.pages.insert(f.path, Arc::new(f.contents));
        }
        if let Some(files) = search {
            self.search = files
                .into_iter()
                .map(|f| (f.path, Arc::new(f.contents)))
                .collect();
        }
        if let Some(statics) = statics {
            self.statics = statics
                .into_iter()
                .map(|f| (f.path, Arc::new(f.contents)))
                .collect();
        }
        self.assemble();
        if entities > self.search_in_line {
            self.start_search(&site);
        }
        self.site = Some(site);
        self.signatures = signatures;
        Ok(Report {
            rendered,
            files: self.outputs.len(),
            elapsed: started.elapsed(),
            warnings: diags.sorted(),
        })
    }
}

/// Two hashes of an entity: `deep`, everything its own pages show (its model,
/// with computed dates and rendered body, and the titles of what it
/// references); `shallow`, what other pages show of it (the same without its
/// body, except for events, whose text the feed carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Signature {
    deep: u64,
    shallow: u64,
}

fn signatures(site: &Site) -> HashMap<Ref, Signature> {
    let mut out = HashMap::new();
    // `outline`: the entity without its body; `also_shown`: body text that other pages show too.
    let mut put = |r: Ref, meta: &crate::model::Meta, also_shown: String, outline: String| {
        let mut links = DefaultHasher::new();
        for to in site.outgoing.get(&r).into_iter().flatten() {
            to.hash(&mut links);
            site.title_of(to).hash(&mut links);
            if to.kind == Kind::Agency {
                site.agency(&to.id).map(|a| &a.acronym).hash(&mut links);
            }
        }
        let links = links.finish();
        let hash = |text: &str, extra: &str| {
            let mut h = DefaultHasher::new();
            (text, extra, links).hash(&mut h);
            h.finish()
        };
        let body = format!("{}{:?}", meta.body_html, meta.citations);
        out.insert(
            r,
            Signature {
                deep: hash(&outline, &body),
                shallow: hash(&outline, &also_shown),
            },
        );
    };
    // Debug output of the entity with its body left out: what its neighbours may show.
    fn without_body<T: std::fmt::Debug + Clone>(
        x: &T,
        meta: impl Fn(&mut T) -> &mut crate::model::Meta,
    ) -> String {
        let mut x = x.clone();
        let m = meta(&mut x);
        m.body_html.clear();
        m.citations.clear();
        format!("{x:?}")
    }
    macro_rules! each {
        ($list:expr, $kind:expr) => {
            for x in $list {
                put(
                    Ref::new($kind, x.meta.id.as_str()),
                    &x.meta,
                    String::new(),
                    without_body(x, |x| &mut x.meta),
                );
            }
        };
    }
    each!(&site.orders, Kind::Order);
    each!(&site.provisions, Kind::Provision);
    each!(&site.agencies, Kind::Agency);
    each!(&site.sources, Kind::Source);
    each!(&site.pages, Kind::Page);
    for x in &site.events {
        // The feed shows an event's text: it counts for other pages too.
        let body = x.meta.body_html.clone();
        put(
            Ref::new(Kind::Event, x.meta.id.as_str()),
            &x.meta,
            body,
            without_body(x, |x| &mut x.meta),
        );
    }
    out
}

/// Entities whose signature (`part` of it) changed, or that were added or removed.
fn changed(
    old: &HashMap<Ref, Signature>,
    new: &HashMap<Ref, Signature>,
    part: impl Fn(&Signature) -> u64,
) -> HashSet<Ref> {
    let mut out: HashSet<Ref> = new
        .iter()
        .filter(|(r, sig)| old.get(*r).map(&part) != Some(part(sig)))
        .map(|(r, _)| r.clone())
        .collect();
    out.extend(old.keys().filter(|r| !new.contains_key(*r)).cloned());
    out
}

/// Entities whose pages must be rendered again: the changed ones and their
/// neighbours in the link graph, before and after the change.
fn neighbours(old: Option<&Site>, new: &Site, changed: &HashSet<Ref>) -> HashSet<Ref> {
    let mut out = changed.clone();
    for site in old.into_iter().chain(Some(new)) {
        for r in changed {
            for n in site
                .outgoing
                .get(r)
                .into_iter()
                .chain(site.incoming.get(r))
                .flatten()
            {
                out.insert(n.clone());
            }
        }
    }
    out
}
