//! Incremental rebuilds for the dev server.
//!
//! A [`Session`] keeps the last good site in memory and a [`Pipeline`],
//! the stages `gazette build` runs. Its first build, and any after
//! `site.yaml` changes, is the pipeline's run from nothing, into memory. On
//! each other change it reruns only the stages that kind of change needs:
//!
//! - a save that changes only Markdown bodies, keeping what they link to,
//!   patches those entities in the model and re-renders their own pages;
//! - any other content edit re-reads the changed files, resolves the site
//!   again (references and backlinks are global; each unchanged document's
//!   body and entity come from the cache, see [`crate::resolve::BodyCache`])
//!   and re-renders only the pages whose data changed, the pages next to them
//!   in the link graph, and the list pages whose rows or names they are;
//! - a template edit re-renders every page without reading content; a static
//!   file is re-listed; site.yaml starts over.
//!
//! The changed entities' own pages are rendered before the reload; the
//! other pages that may show the change are chosen and rendered just after
//! it, on their own threads, and a request for one waits until it is done
//! (see [`LaterPages`]). The search index, the JSON export, feeds and
//! calendars cover the whole site: they are made after the reload, in the
//! background, at a lower priority. Once all is done the result equals a
//! full build of the same input (tested against `gazette build`).

use std::collections::hash_map::DefaultHasher;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::hash::{Hash, Hasher};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::build::{self, BuildOptions};
use crate::content::{Kind, Refreshed};
use crate::diagnostics::Diagnostic;
use crate::model::{Ref, Site};
use crate::pipeline::{derived_paths, Pipeline, Sinks};
use crate::render::{self, Contents};

/// What kind of file changed; decides how much to rebuild.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum ChangeKind {
    Content,
    Template,
    Static,
    Config,
}

/// The search index and the export being made in the background, and
/// whether the site has changed since they started (then they are made again
/// when they end).
struct DerivedJob {
    handle: std::thread::JoinHandle<Derived>,
    stale: bool,
}

/// What the background job made: every file it could, and the search
/// index's failure if it failed.
struct Derived {
    files: Vec<render::OutputFile>,
    failed: Option<String>,
}

/// Pages that may show a change but are not the changed entity's own
/// (the pages of the entities it reaches, every list page), chosen and
/// rendered on their own threads after the reload. A title edit at 10,000
/// provisions is on about 100 of 1,100 list pages (deadlines, timelines,
/// matrix): the entity's own pages are served, and the browser told to
/// reload, without waiting for them. A request for one of them waits until
/// they are served (up to the server's 20 s); the next rebuild starts when
/// they are. A runaway template among them holds the next rebuild, whose
/// time limit stops it.
struct LaterPages {
    handle: std::thread::JoinHandle<LaterDone>,
}

/// What the pages after the reload came to.
struct LaterDone {
    files: Vec<render::OutputFile>,
    diags: crate::diagnostics::Diagnostics,
    /// Each list page's list (see [`Choice::keep`]), by path.
    lists: HashMap<String, u64>,
}

/// What a rebuild changed, to choose the pages to render again: before
/// the reload, and on the thread of the pages after it.
struct Choice {
    render_all: bool,
    site_wide: bool,
    /// Entities whose own pages change.
    affected: HashSet<Ref>,
    /// Entities whose part on other pages changed, and their neighbours.
    reached: HashSet<Ref>,
    /// Entities whose part on other pages changed.
    shallow: HashSet<Ref>,
    /// Each list page's list at the last rebuild, by path.
    old_lists: HashMap<String, u64>,
}

impl Choice {
    /// Whether `job`'s page shows what changed. A list page's list, as made
    /// now, is put in `lists`, for the next rebuild to tell which moved.
    fn keep(
        &self,
        views: &render::views::Views,
        job: &render::Job,
        lists: &std::sync::Mutex<HashMap<String, u64>>,
    ) -> bool {
        let site = views.site;
        if let Some(owner) = job.owner(site) {
            return self.render_all || self.affected.contains(&owner);
        }
        if !self.site_wide {
            return false;
        }
        // A list page: rendered when a change reaches what it shows.
        let Some(deps) = render::page_deps(views, job) else {
            return true;
        };
        let path = render::job_path(site, job);
        let moved = self.old_lists.get(&path) != Some(&deps.list);
        if let Ok(mut l) = lists.lock() {
            l.insert(path, deps.list);
        }
        self.render_all
            || moved
            || deps.rows.iter().any(|r| self.reached.contains(r))
            || deps.names.iter().any(|r| self.shallow.contains(r))
    }
}

/// What [`Session::finish_search`] or [`Session::finish_later`] found.
#[derive(Debug)]
pub enum Finished {
    /// Nothing new to serve (still running, or made again for a newer site).
    Nothing,
    /// New files are served.
    Served,
    /// What could be made is served; these problems remain.
    Failed(Vec<Diagnostic>),
}

impl Finished {
    /// What two background steps found together: their problems, else
    /// whether either served anything.
    pub fn and(self, other: Finished) -> Finished {
        match (self, other) {
            (Finished::Failed(mut a), Finished::Failed(b)) => {
                a.extend(b);
                Finished::Failed(a)
            }
            (f @ Finished::Failed(_), _) | (_, f @ Finished::Failed(_)) => f,
            (Finished::Served, _) | (_, Finished::Served) => Finished::Served,
            _ => Finished::Nothing,
        }
    }
}

/// Files by output path.
/// Files are shared between successive builds, so keeping the unchanged ones costs no copy.
pub type Outputs = BTreeMap<String, Arc<Contents>>;

/// The served site: generated files over the search index over static files
/// (a later one wins a path). Three shared layers, so that a rebuild that
/// changes a page replaces one layer, without copying the others.
#[derive(Debug, Clone, Default)]
pub struct Served {
    pages: Arc<Outputs>,
    search: Arc<Outputs>,
    statics: Arc<Outputs>,
    /// Whether the search index, export, feeds and calendars are being made
    /// in the background: a request for one not made yet may wait for it.
    pub making: bool,
    /// The names of the files made in the background, but for the search
    /// index's hashed chunks (all under `pagefind/`).
    coming: Arc<BTreeSet<String>>,
    /// Pages a rebuild renders after the reload (see [`LaterPages`]): what
    /// is served at these paths is out of date until they are done.
    later: Arc<BTreeSet<String>>,
}

impl Served {
    pub fn new(pages: Outputs, search: Outputs, statics: Outputs) -> Served {
        Served {
            pages: Arc::new(pages),
            search: Arc::new(search),
            statics: Arc::new(statics),
            making: false,
            coming: Arc::default(),
            later: Arc::default(),
        }
    }

    /// Whether the page served at `path` is out of date, its new version
    /// being rendered: a request for it waits for that.
    pub fn is_later(&self, path: &str) -> bool {
        self.later.contains(path)
    }

    /// The pages served out of date while their new versions render.
    pub fn later(&self) -> impl Iterator<Item = &str> {
        self.later.iter().map(String::as_str)
    }

    /// Mark `paths` as out of date until their new versions are served
    /// (empty: none is).
    pub fn set_later(&mut self, paths: BTreeSet<String>) {
        self.later = Arc::new(paths);
    }

    /// Whether `path`, not served, is one the background work may make.
    pub fn may_come(&self, path: &str) -> bool {
        let in_bundle = path
            .strip_prefix(crate::search::BUNDLE)
            .is_some_and(|rest| rest.starts_with('/'));
        self.making && (in_bundle || self.coming.contains(path))
    }

    pub fn get(&self, path: &str) -> Option<&Arc<Contents>> {
        self.pages
            .get(path)
            .or_else(|| self.search.get(path))
            .or_else(|| self.statics.get(path))
    }

    pub fn contains_key(&self, path: &str) -> bool {
        self.get(path).is_some()
    }

    /// Every served file, by path.
    pub fn files(&self) -> Outputs {
        let mut all = (*self.statics).clone();
        all.extend(self.search.iter().map(|(k, v)| (k.clone(), v.clone())));
        all.extend(self.pages.iter().map(|(k, v)| (k.clone(), v.clone())));
        all
    }

    /// How many paths are served.
    pub fn len(&self) -> usize {
        let shadowed = |layer: &Outputs, over: &[&Outputs]| {
            layer
                .keys()
                .filter(|k| over.iter().any(|o| o.contains_key(*k)))
                .count()
        };
        self.pages.len() + self.search.len() + self.statics.len()
            - shadowed(&self.search, &[&self.pages])
            - shadowed(&self.statics, &[&self.pages, &self.search])
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// What a rebuild did.
#[derive(Debug, Clone)]
pub struct Report {
    /// Pages rendered by this rebuild before the reload.
    pub rendered: usize,
    /// How many other pages may show the change: those that do are
    /// rendered after the reload (see [`LaterPages`]).
    pub later: usize,
    /// Files in the site.
    pub files: usize,
    pub elapsed: Duration,
    /// Time spent in each step, in order (`gazette serve --verbose` shows them).
    pub phases: Vec<(&'static str, Duration)>,
    pub warnings: Vec<Diagnostic>,
}

/// Times the steps of a rebuild.
struct Laps {
    last: Instant,
    phases: Vec<(&'static str, Duration)>,
}

impl Laps {
    fn start() -> Laps {
        Laps {
            last: Instant::now(),
            phases: Vec::new(),
        }
    }

    /// The step `name` ended now.
    fn lap(&mut self, name: &'static str) {
        let now = Instant::now();
        self.phases.push((name, now - self.last));
        self.last = now;
    }
}

pub struct Session {
    /// The stages, with the content and rendered bodies the last run kept.
    pipeline: Pipeline,
    /// The last good site, its signatures, jobs and warnings.
    site: Option<Arc<Site>>,
    signatures: foldhash::HashMap<Ref, Signature>,
    jobs: Vec<render::Job>,
    /// Where each of `jobs` is written.
    paths: Vec<String>,
    /// Each list page's [`render::PageDeps::list`], by path.
    lists: HashMap<String, u64>,
    warnings: Vec<Diagnostic>,
    /// Whether the pipeline's content holds what `site` was made from: false from the
    /// moment a refresh reads a file until a rebuild succeeds.
    in_sync: bool,
    served: Served,
    pool: Option<rayon::ThreadPool>,
    derived_job: Option<DerivedJob>,
    later: Option<LaterPages>,
    /// How many pages the last pages after a reload were.
    rendered_later: usize,
    /// The threads of the search index, at a lower priority than rebuilds
    /// and requests: its own parallel steps run on them too, not on
    /// threads that would take half the cores from the next rebuild.
    background: Option<Arc<rayon::ThreadPool>>,
    /// The threads of the pages after the reload: not the search index's,
    /// behind whose seconds of work they would wait, and the next rebuild
    /// with them.
    later_pool: Option<Arc<rayon::ThreadPool>>,
}

impl Session {
    pub fn new(opts: BuildOptions) -> Session {
        Session {
            pipeline: Pipeline::kept(opts),
            site: None,
            signatures: Default::default(),
            jobs: Vec::new(),
            paths: Vec::new(),
            lists: HashMap::new(),
            warnings: Vec::new(),
            in_sync: false,
            served: Served::default(),
            derived_job: None,
            later: None,
            rendered_later: 0,
            background: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("gazette-search-{i}"))
                .start_handler(|_| yield_to_rebuilds())
                .build()
                .ok()
                .map(Arc::new),
            later_pool: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("gazette-later-{i}"))
                .build()
                .ok()
                .map(Arc::new),
            pool: rayon::ThreadPoolBuilder::new()
                .thread_name(|i| format!("gazette-render-{i}"))
                .build()
                .ok(),
        }
    }

    /// The last good site's files.
    pub fn outputs(&self) -> Served {
        Served {
            making: self.derived_job.is_some(),
            ..self.served.clone()
        }
    }

    /// Start making the search index and the export of the current site in
    /// the background, or, if they are being made, mark them stale so that
    /// they are made again after.
    fn start_derived(&mut self) {
        let Some(site) = self.site.clone() else {
            return;
        };
        match &mut self.derived_job {
            Some(job) => job.stale = true,
            None => {
                let pool = self.background.clone();
                let spawned = std::thread::Builder::new()
                    .name("gazette-search".into())
                    .spawn(move || {
                        yield_to_rebuilds();
                        let mut files = render::data_files(&site);
                        let input = crate::search::Input::of(&site);
                        // The site is let go before the long part, and before
                        // waiting for the pool's threads, so that the next
                        // save can change it in place.
                        drop(site);
                        in_pool(pool, || {
                            let failed = match crate::search::build(input) {
                                Ok(index) => {
                                    files.extend(index);
                                    None
                                }
                                Err(e) => Some(e),
                            };
                            Derived { files, failed }
                        })
                    });
                if let Ok(handle) = spawned {
                    self.derived_job = Some(DerivedJob {
                        handle,
                        stale: false,
                    });
                }
            }
        }
    }

    /// Whether the search index and export are being made in the background.
    pub fn search_pending(&self) -> bool {
        self.derived_job.is_some()
    }

    /// Whether anything is being made in the background: the search index
    /// and export, or pages of the last rebuild.
    pub fn pending(&self) -> bool {
        self.derived_job.is_some() || self.later.is_some()
    }

    /// Wait until the files made in the background are served (tests, and
    /// whoever needs the whole site at once).
    pub fn settle(&mut self) -> Finished {
        let mut last = self.finish_later(true);
        while let Some(job) = &self.derived_job {
            if job.handle.is_finished() {
                last = last.and(self.finish_search());
            } else {
                std::thread::sleep(Duration::from_millis(5));
            }
        }
        last
    }

    /// How many pages the last rebuild rendered after the reload, once
    /// they are served (tests).
    pub fn rendered_after_reload(&self) -> usize {
        self.rendered_later
    }

    /// If the pages left for after the reload are rendered (or, with
    /// `wait`, once they are), serve them. If they failed, the problems are
    /// returned and the next rebuild renders every page, as after an error.
    pub fn finish_later(&mut self, wait: bool) -> Finished {
        if !wait && !self.later.as_ref().is_some_and(|l| l.handle.is_finished()) {
            return Finished::Nothing;
        }
        let Some(later) = self.later.take() else {
            return Finished::Nothing;
        };
        self.served.set_later(BTreeSet::new());
        let problems = match later.handle.join() {
            Ok(done) if !done.diags.has_errors() => {
                self.rendered_later = done.files.len();
                let pages = Arc::make_mut(&mut self.served.pages);
                for f in done.files {
                    pages.insert(f.path, Arc::new(f.contents));
                }
                self.lists = done.lists;
                return Finished::Served;
            }
            Ok(done) => done.diags.sorted(),
            Err(_) => vec![Diagnostic::error("site", None, "rendering pages stopped")],
        };
        // What these pages show is out of date: render them all next time.
        self.site = None;
        Finished::Failed(problems)
    }

    /// If the background work is done, serve what it made. Made for a site
    /// that has changed since, it is served all the same (it is newer than
    /// what is served) and made again. A static file may not take the
    /// place of any of its files, as in `gazette build`.
    pub fn finish_search(&mut self) -> Finished {
        if !self
            .derived_job
            .as_ref()
            .is_some_and(|job| job.handle.is_finished())
        {
            return Finished::Nothing;
        }
        let Some(job) = self.derived_job.take() else {
            return Finished::Nothing;
        };
        let result = job.handle.join();
        if job.stale {
            self.start_derived();
        }
        let Ok(derived) = result else {
            return Finished::Failed(vec![Diagnostic::error(
                "search index",
                None,
                crate::search::STOPPED,
            )]);
        };
        let mut problems = Vec::new();
        if let Some(e) = derived.failed {
            problems.push(Diagnostic::error("search index", None, e));
        }
        let files = by_path(derived.files);
        let generated: Vec<&str> = self
            .served
            .pages
            .keys()
            .chain(files.keys())
            .map(String::as_str)
            .collect();
        let statics: Vec<(&str, &Contents)> = self
            .served
            .statics
            .iter()
            .map(|(path, c)| (path.as_str(), c.as_ref()))
            .collect();
        let collisions = render::check_routes(&generated, &statics, &self.pipeline.opts().root);
        if collisions.has_errors() {
            problems.extend(collisions.sorted());
        } else {
            self.served.search = Arc::new(files);
        }
        if problems.is_empty() {
            Finished::Served
        } else {
            Finished::Failed(problems)
        }
    }

    /// Build everything from scratch.
    pub fn full_build(&mut self) -> Result<Report, Vec<Diagnostic>> {
        self.rebuild(&BTreeSet::from([ChangeKind::Config]))
    }

    /// Rebuild after changes of the given kinds. On error the last good site stays.
    pub fn rebuild(&mut self, changes: &BTreeSet<ChangeKind>) -> Result<Report, Vec<Diagnostic>> {
        self.rebuild_files(changes, None)
    }

    /// [`Session::rebuild`] when the changed files are known (`paths`,
    /// absolute, as the file watcher reports them): content is re-read from
    /// those files alone when they settle it, not from a walk of the folder.
    pub fn rebuild_files(
        &mut self,
        changes: &BTreeSet<ChangeKind>,
        paths: Option<&[PathBuf]>,
    ) -> Result<Report, Vec<Diagnostic>> {
        // The session's own threads: a page stuck in a runaway template holds
        // one of them, not one of the process-wide pool's, so an abandoned
        // session cannot starve the next.
        match self.pool.take() {
            Some(pool) => {
                let result = pool.install(|| self.rebuild_here(changes, paths));
                self.pool = Some(pool);
                result
            }
            None => self.rebuild_here(changes, paths),
        }
    }

    fn rebuild_here(
        &mut self,
        changes: &BTreeSet<ChangeKind>,
        paths: Option<&[PathBuf]>,
    ) -> Result<Report, Vec<Diagnostic>> {
        // Pages still rendering for the last save are served first: this
        // rebuild compares with the site they show. Their failure is
        // reported by the rebuild's own (every page is rendered again).
        self.finish_later(true);
        self.rendered_later = 0;
        let mut patch = None;
        let result = self.rebuild_patching(changes, paths, &mut patch);
        // The last good site stays as it was when the rebuild fails.
        if let (Err(_), Some(patch), Some(site)) = (&result, patch, self.site.as_mut()) {
            patch.undo(Arc::make_mut(site));
        }
        result
    }

    /// The first build, and any after site.yaml changes, on a new day, or
    /// after rendering pages failed or could not start: the pipeline's run from nothing, as `gazette build`'s,
    /// into memory, but for the data files and the search index, made
    /// after the reload in the background as after any rebuild (the last
    /// site's are served until then).
    fn run_from_nothing(
        &mut self,
        started: Instant,
        mut laps: Laps,
    ) -> Result<Report, Vec<Diagnostic>> {
        self.in_sync = false;
        let mut prepared = self.pipeline.prepare()?;
        laps.lap("prepare");
        let pipeline = &self.pipeline;
        let (pages, generated) = render::collect(|pages| {
            pipeline.generate(
                &mut prepared,
                Sinks {
                    pages,
                    derived: None,
                },
            )
        });
        generated?;
        laps.lap("render");
        let site = Arc::new(prepared.site);
        let views = render::views::Views::new(&site);
        let jobs = render::jobs(&views);
        let paths: Vec<String> = jobs.iter().map(|j| render::job_path(&site, j)).collect();
        let lists = list_hashes(&views, &jobs, &paths);
        drop(views);
        let signatures = signatures(&site, self.site.as_deref(), &self.signatures);
        laps.lap("signatures");
        let rendered = pages.iter().filter(|f| f.path.ends_with(".html")).count();
        let search = std::mem::take(&mut self.served.search);
        let mut served = Served::new(by_path(pages), Outputs::new(), by_path(prepared.statics));
        served.search = search;
        served.coming = Arc::new(derived_paths(&site).into_iter().collect());
        self.served = served;
        if let Some(old) = self.site.replace(site) {
            let _ = std::thread::Builder::new()
                .name("gazette-free".into())
                .spawn(move || drop(old));
        }
        self.signatures = signatures;
        self.jobs = jobs;
        self.paths = paths;
        self.lists = lists;
        self.warnings = prepared.diags.sorted();
        self.in_sync = true;
        laps.lap("outputs");
        self.start_derived();
        Ok(Report {
            rendered,
            later: 0,
            files: self.served.len(),
            elapsed: started.elapsed(),
            phases: laps.phases,
            warnings: self.warnings.clone(),
        })
    }

    /// The rebuild; when it patches the last good site in place, `patch`
    /// says how to undo it.
    fn rebuild_patching(
        &mut self,
        changes: &BTreeSet<ChangeKind>,
        paths: Option<&[PathBuf]>,
        patch: &mut Option<crate::resolve::Patch>,
    ) -> Result<Report, Vec<Diagnostic>> {
        let started = Instant::now();
        let mut laps = Laps::start();
        if changes.contains(&ChangeKind::Config) || self.site.is_none() {
            return self.run_from_nothing(started, laps);
        }
        let templates = match self.pipeline.templates() {
            Some(t) if !changes.contains(&ChangeKind::Template) => Arc::clone(t),
            _ => self.pipeline.reload_templates()?,
        };
        laps.lap("templates");
        let refreshed = self.pipeline.refresh(paths);
        let was_in_sync = std::mem::replace(&mut self.in_sync, false);
        laps.lap("read");
        let only_content = changes.iter().all(|k| *k == ChangeKind::Content);
        // The date a resolve would use: a new day changes what every page says.
        let config = self.pipeline.config().ok_or_else(Vec::new)?;
        let as_of = build::as_of(self.pipeline.opts(), config);
        let same_day = self.site.as_ref().is_some_and(|s| s.as_of == as_of);
        let patched = if only_content && was_in_sync && same_day && !refreshed.other {
            self.patch_bodies(&refreshed).map(|p| {
                let entities = p.entities.clone();
                *patch = Some(p);
                entities
            })
        } else {
            None
        };
        let (site, diags, fresh_signatures) = match &patched {
            Some(_) => (
                self.site.clone().ok_or_else(Vec::new)?,
                self.warnings.clone(),
                None,
            ),
            None => {
                let (site, diags) = self.pipeline.resolve()?;
                if diags.has_errors() {
                    return Err(diags.sorted());
                }
                laps.lap("resolve");
                let signatures = signatures(&site, self.site.as_deref(), &self.signatures);
                (Arc::new(site), diags.sorted(), Some(signatures))
            }
        };
        if patched.is_some() {
            laps.lap("resolve");
        }
        // A new day changes what every page says of deadlines and reviews.
        let new_day = self.site.as_ref().is_none_or(|old| old.as_of != site.as_of);
        let render_all = new_day || changes.contains(&ChangeKind::Template);
        // Entities whose pages changed (deep), and whose part on other pages did (shallow).
        let (deep, shallow, new_signatures) = match (fresh_signatures, &patched) {
            (Some(new), _) => (
                changed(&self.signatures, &new, |s| s.deep),
                changed(&self.signatures, &new, |s| s.shallow),
                new,
            ),
            (None, patched) => {
                let mut new = self.signatures.clone();
                let (mut deep, mut shallow) = (HashSet::new(), HashSet::new());
                for r in patched.iter().flatten() {
                    let sig = signature(&site, r, None);
                    let old = self.signatures.get(r);
                    if old.map(|s| s.deep) != sig.map(|s| s.deep) {
                        deep.insert(r.clone());
                    }
                    if old.map(|s| s.shallow) != sig.map(|s| s.shallow) {
                        shallow.insert(r.clone());
                    }
                    if let Some(sig) = sig {
                        new.insert(r.clone(), sig);
                    }
                }
                (deep, shallow, new)
            }
        };
        laps.lap("signatures");
        let home_changed = self
            .site
            .as_ref()
            .is_none_or(|old| old.home_html != site.home_html);
        // Free pages are linked from every page's footer.
        let render_all = render_all || shallow.iter().any(|r| r.kind == Kind::Page);
        // What other pages show of an entity changed: its neighbours and the
        // site-wide pages must show it too. Otherwise only its own pages change.
        let site_wide = render_all || home_changed || !shallow.is_empty();
        // Entities whose part on other pages changed, and their neighbours,
        // whose counts and backlinks may have.
        let reached = if render_all {
            HashSet::new()
        } else {
            neighbours(self.site.as_deref(), &site, &shallow)
        };
        // The changed entities' own pages are rendered before the reload;
        // other pages that may show the change are chosen, and rendered,
        // after it (see `LaterPages`).
        let own = deep.clone();
        let mut affected = deep;
        affected.extend(reached.iter().cloned());
        let choice = Choice {
            render_all,
            site_wide,
            affected,
            reached,
            shallow,
            old_lists: self.lists.clone(),
        };
        // The lists of the new site, made once for counting its pages,
        // choosing which to render, and rendering them.
        let views = render::views::Views::new(&site);
        // A patched site has the same pages as before.
        let all = match patched {
            Some(_) => self.jobs.clone(),
            None => render::jobs(&views),
        };
        laps.lap("jobs");
        // After a change of templates, settings or day, every page is
        // chosen now: there is no page of the change's own to show first.
        // Pages not served yet are too, so that no request finds one missing.
        let defer = !render_all && site_wide;
        let served = |job: &render::Job| {
            self.served
                .pages
                .contains_key(&render::job_path(&site, job))
        };
        // Whether a page may show the change, and if so whether it is
        // chosen before the reload (true) or after it: the pages of the
        // entities the change reaches, and every list page.
        let when = |job: &render::Job| match job.owner(&site) {
            Some(o) if own.contains(&o) || render_all => Some(true),
            Some(o) if choice.affected.contains(&o) => Some(!defer || !served(job)),
            Some(_) => None,
            None if !site_wide => None,
            None => Some(!defer || !served(job)),
        };
        let placed: Vec<(render::Job, bool)> = {
            use rayon::prelude::*;
            all.par_iter()
                .filter_map(|job| when(job).map(|first| (*job, first)))
                .collect()
        };
        let lists = std::sync::Mutex::new(HashMap::new());
        let now: HashSet<render::Job> = {
            use rayon::prelude::*;
            placed
                .par_iter()
                .filter(|(job, first)| *first && choice.keep(&views, job, &lists))
                .map(|(job, _)| *job)
                .collect()
        };
        let later: Vec<render::Job> = placed
            .iter()
            .filter(|(_, first)| !first)
            .map(|(job, _)| *job)
            .collect();
        let lists = lists.into_inner().unwrap_or_default();
        laps.lap("select");
        // The search index, the export, feeds, calendars and spreadsheets
        // cover the whole site: they are made after the reload, in the
        // background (see `finish_search`). The sitemap lists the pages.
        let extras = if site_wide {
            render::Extras::Sitemap
        } else {
            render::Extras::None
        };
        // All the jobs, for the sitemap, which lists every page.
        let (files, render_diags) =
            render::render_selected(&views, &templates, &all, |_, job| now.contains(job), extras);
        drop(views);
        if render_diags.has_errors() {
            return Err(render_diags.sorted());
        }
        laps.lap("render");
        let statics = if changes.contains(&ChangeKind::Static) {
            Some(self.pipeline.statics()?)
        } else {
            None
        };
        let rendered = files.iter().filter(|f| f.path.ends_with(".html")).count();
        // A patched site has the same pages as before.
        let paths: Option<Vec<String>> = match patched {
            Some(_) => None,
            None => Some(all.iter().map(|j| render::job_path(&site, j)).collect()),
        };
        match paths.as_deref() {
            Some(paths) if statics.is_some() || paths != self.paths => {
                self.replace_outputs(&site, paths, files, render_all, site_wide, statics)?;
            }
            _ => {
                // The same pages as before, some of them new versions, so
                // the same entities and data files: nothing appears, nothing
                // goes, no route can collide.
                let pages = Arc::make_mut(&mut self.served.pages);
                for f in files {
                    pages.insert(f.path, Arc::new(f.contents));
                }
            }
        }
        laps.lap("outputs");
        // Freeing the last site (10,000 entities at 10,000 provisions) is
        // not the reload's business: it happens on a thread of its own.
        if let Some(old) = self.site.replace(site) {
            // A patched site is the same one: its last other handle goes now.
            let same = self.site.as_ref().is_some_and(|s| Arc::ptr_eq(s, &old));
            if !same {
                let _ = std::thread::Builder::new()
                    .name("gazette-free".into())
                    .spawn(move || drop(old));
            }
        }
        self.signatures = new_signatures;
        self.jobs = all;
        if let Some(paths) = paths {
            self.paths = paths;
        }
        self.warnings = diags;
        self.in_sync = true;
        let later_count = later.len();
        if !later.is_empty() {
            // The lists are complete when the pages after the reload are.
            self.render_later(later, choice, lists);
        } else if site_wide {
            self.lists = lists;
        }
        self.start_derived();
        Ok(Report {
            rendered,
            later: later_count,
            files: self.served.len(),
            elapsed: started.elapsed(),
            phases: laps.phases,
            warnings: self.warnings.clone(),
        })
    }

    /// Choose among `jobs` of the current site, by `choice`, and render
    /// them, on their own thread, after the reload; until they are served,
    /// a request for any of them waits. `lists` holds the lists of the
    /// list pages chosen before.
    fn render_later(
        &mut self,
        jobs: Vec<render::Job>,
        choice: Choice,
        lists: HashMap<String, u64>,
    ) {
        let (Some(site), Some(templates)) = (self.site.clone(), self.pipeline.templates().cloned())
        else {
            return;
        };
        if jobs.is_empty() {
            return;
        }
        let paths = jobs.iter().map(|j| render::job_path(&site, j)).collect();
        let pool = self.later_pool.clone();
        let spawned = std::thread::Builder::new()
            .name("gazette-later".into())
            .spawn(move || {
                in_pool(pool, || {
                    let views = render::views::Views::new(&site);
                    let lists = std::sync::Mutex::new(lists);
                    let keep = |views: &render::views::Views, job: &render::Job| {
                        choice.keep(views, job, &lists)
                    };
                    let (files, diags) = render::render_selected(
                        &views,
                        &templates,
                        &jobs,
                        keep,
                        render::Extras::None,
                    );
                    let lists = lists.into_inner().unwrap_or_default();
                    LaterDone {
                        files,
                        diags,
                        lists,
                    }
                })
            });
        match spawned {
            Ok(handle) => {
                self.served.set_later(paths);
                self.later = Some(LaterPages { handle });
            }
            // No thread: the pages keep what they showed; render them all next time.
            Err(_) => self.site = None,
        }
    }

    /// The shortcut for a save that changed only Markdown bodies: patch the
    /// last good site in place (see [`crate::resolve::patch_bodies`]).
    /// Returns the entities patched, or None: resolve the whole site.
    fn patch_bodies(&mut self, refreshed: &Refreshed) -> Option<crate::resolve::Patch> {
        let site = Arc::make_mut(self.site.as_mut()?);
        self.pipeline.patch_bodies(site, refreshed)
    }

    /// Replace the generated files with the new site's: `files` just
    /// rendered, and what the new site keeps of the old one's (pages that
    /// still exist, and other files not due to be written again, like an
    /// agency's calendar after a body edit). A static file may not replace a
    /// generated one: the check of `gazette build`, on the new site's paths.
    #[allow(clippy::too_many_arguments)]
    fn replace_outputs(
        &mut self,
        site: &Site,
        paths: &[String],
        files: Vec<render::OutputFile>,
        render_all: bool,
        site_wide: bool,
        statics: Option<Vec<render::OutputFile>>,
    ) -> Result<(), Vec<Diagnostic>> {
        let current: HashSet<&str> = paths.iter().map(String::as_str).collect();
        let fresh: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
        let keeps = |path: &str| {
            !render_all
                && if path.ends_with(".html") {
                    current.contains(path)
                } else {
                    !site_wide || fresh.contains(path)
                }
        };
        let mut generated: BTreeSet<&str> = fresh.iter().copied().collect();
        generated.extend(
            self.served
                .pages
                .keys()
                .map(String::as_str)
                .filter(|p| keeps(p)),
        );
        // Made in the background, perhaps not yet: the new site's names are
        // claimed all the same (the search index's hashed chunks are checked
        // when it is done).
        let derived = derived_paths(site);
        generated.extend(derived.iter().map(String::as_str));
        let statics_now: Vec<(&str, &Contents)> = match &statics {
            Some(list) => list
                .iter()
                .map(|f| (f.path.as_str(), &f.contents))
                .collect(),
            None => self
                .served
                .statics
                .iter()
                .map(|(path, c)| (path.as_str(), c.as_ref()))
                .collect(),
        };
        let generated: Vec<&str> = generated.into_iter().collect();
        let collisions = render::check_routes(&generated, &statics_now, &self.pipeline.opts().root);
        if collisions.has_errors() {
            return Err(collisions.sorted());
        }
        // Everything succeeded: from here on, the new site replaces the old one.
        let mut pages: Outputs = self
            .served
            .pages
            .iter()
            .filter(|(path, _)| keeps(path))
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect();
        drop(fresh);
        for f in files {
            pages.insert(f.path, Arc::new(f.contents));
        }
        self.served.pages = Arc::new(pages);
        self.served.coming = Arc::new(derived.into_iter().collect());
        if let Some(statics) = statics {
            self.served.statics = Arc::new(by_path(statics));
        }
        Ok(())
    }
}

/// Each list page's list (see [`Choice::keep`]), by path: `paths` are
/// where `jobs` are written.
fn list_hashes(
    views: &render::views::Views,
    jobs: &[render::Job],
    paths: &[String],
) -> HashMap<String, u64> {
    use rayon::prelude::*;
    jobs.par_iter()
        .zip(paths)
        .filter(|(job, _)| job.owner(views.site).is_none())
        .filter_map(|(job, path)| Some((path.clone(), render::page_deps(views, job)?.list)))
        .collect()
}

/// Run `work` in `pool` (its parallel steps on the pool's threads), or here.
fn in_pool<R: Send>(pool: Option<Arc<rayon::ThreadPool>>, work: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Lower this thread's priority, so that a rebuild after the next save
/// does not wait for the background work of the last one (Linux; elsewhere
/// it runs at the normal priority).
fn yield_to_rebuilds() {
    #[cfg(target_os = "linux")]
    // SAFETY: gettid has no preconditions; setpriority on this thread's id
    // changes only this thread's nice value, and failing is harmless.
    unsafe {
        let tid = libc::syscall(libc::SYS_gettid) as libc::id_t;
        libc::setpriority(libc::PRIO_PROCESS, tid, 10);
    }
}

/// Files by path.
fn by_path(files: Vec<render::OutputFile>) -> Outputs {
    files
        .into_iter()
        .map(|f| (f.path, Arc::new(f.contents)))
        .collect()
}

/// Two hashes of an entity: `deep`, everything its own pages show (its model,
/// with computed dates and rendered body, and the titles of what it
/// references); `shallow`, what other pages show of it (the same without its
/// body, except for events, whose text the feed carries).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Signature {
    deep: u64,
    shallow: u64,
    /// The parts of `deep` and `shallow` that depend on the entity alone,
    /// not on what it links to.
    own: Own,
}

/// A [`Signature`]'s part that the entity alone decides: its fields, with
/// its body (`deep`) or with only what other pages show of the body
/// (`shallow`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Own {
    deep: u64,
    shallow: u64,
}

/// The signature of every entity of `site`. An entity the last site held
/// too, in the same allocation (the cache reused it), keeps its own part
/// from `last`: only what it links to is hashed again.
fn signatures(
    site: &Site,
    old: Option<&Site>,
    last: &foldhash::HashMap<Ref, Signature>,
) -> foldhash::HashMap<Ref, Signature> {
    use rayon::prelude::*;
    site.positions
        .par_iter()
        .filter_map(|(r, _)| {
            let own = old
                .filter(|old| old.same_entity(site, r))
                .and_then(|_| last.get(r))
                .map(|s| s.own);
            Some((r.clone(), signature(site, r, own)?))
        })
        .collect()
}

/// The signature of entity `r`, with its `own` part when known; None when
/// the site has no such entity.
fn signature(site: &Site, r: &Ref, own: Option<Own>) -> Option<Signature> {
    let own = match own {
        Some(own) => own,
        None => own_part(site, r)?,
    };
    let mut links = DefaultHasher::new();
    for to in site.links.outgoing(r) {
        to.hash(&mut links);
        site.title_of(to).hash(&mut links);
        if to.kind == Kind::Agency {
            site.agency(&to.id).map(|a| &a.acronym).hash(&mut links);
        }
    }
    let links = links.finish();
    let hash = |part: u64| {
        let mut h = DefaultHasher::new();
        (part, links).hash(&mut h);
        h.finish()
    };
    Some(Signature {
        deep: hash(own.deep),
        shallow: hash(own.shallow),
        own,
    })
}

/// The part of `r`'s signature that depends on the entity alone.
fn own_part(site: &Site, r: &Ref) -> Option<Own> {
    // The entity's fields but for its body (see `Meta`'s Hash), which is
    // hashed apart.
    fn outline<T: Hash>(x: &T) -> u64 {
        let mut h = DefaultHasher::new();
        x.hash(&mut h);
        h.finish()
    }
    let i = *site.positions.get(r)?;
    let (meta, outline) = match r.kind {
        Kind::Order => site.orders.get(i).map(|x| (&x.meta, outline(x))),
        Kind::Provision => site.provisions.get(i).map(|x| (&x.meta, outline(x))),
        Kind::Agency => site.agencies.get(i).map(|x| (&x.meta, outline(x))),
        Kind::Source => site.sources.get(i).map(|x| (&x.meta, outline(x))),
        Kind::Event => site.events.get(i).map(|x| (&x.meta, outline(x))),
        Kind::Page => site.pages.get(i).map(|x| (&x.meta, outline(x))),
    }?;
    // The feed shows an event's text: it counts for other pages too.
    let also_shown = if r.kind == Kind::Event {
        &*meta.body_html
    } else {
        ""
    };
    let hash = |x: &dyn Fn(&mut DefaultHasher)| {
        let mut h = DefaultHasher::new();
        outline.hash(&mut h);
        x(&mut h);
        h.finish()
    };
    Some(Own {
        deep: hash(&|h| (&meta.body_html, &meta.citations).hash(h)),
        shallow: hash(&|h| also_shown.hash(h)),
    })
}

/// Entities whose signature (`part` of it) changed, or that were added or removed.
fn changed(
    old: &foldhash::HashMap<Ref, Signature>,
    new: &foldhash::HashMap<Ref, Signature>,
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
            for n in site.links.outgoing(r).chain(site.links.incoming(r)) {
                out.insert(n.clone());
            }
        }
    }
    out
}
