//! The one pipeline of `build`, `check` and `serve`: read the settings,
//! templates, static files and content, resolve, render every file into
//! sinks as it is made.
//!
//! `build` and `check` run it once, from nothing ([`Pipeline::once`]). The
//! dev server keeps one ([`Pipeline::kept`]): its first build, and any
//! rebuild after `site.yaml` changes, is this same run from nothing, into
//! memory; a save then reruns the stages it needs ([`Pipeline::refresh`],
//! [`Pipeline::resolve`], [`Pipeline::reload_templates`],
//! [`Pipeline::statics`]) with what the last run kept: the content as read,
//! and the rendered bodies and entities of unchanged documents (see
//! [`crate::serve::session`]).

use std::path::PathBuf;
use std::sync::Arc;

use crate::build::{self, BuildOptions};
use crate::config::Config;
use crate::content::{Content, Document, Refreshed};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::render::{self, OutputFile, Sink, Templates};
use crate::resolve::{self, BodyCache};

/// The stages, and what one run keeps for the next.
pub struct Pipeline {
    opts: BuildOptions,
    keep: Keep,
    config: Option<Config>,
    templates: Option<Arc<Templates>>,
    /// The content as last read (kept only for the next run).
    content: Content,
    /// Rendered bodies and entities, reused by the next resolve when
    /// nothing they show changed (kept only for the next run).
    bodies: BodyCache,
}

/// Whether a pipeline keeps what it read for a next run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Keep {
    /// `build` and `check`: content is let go as soon as the site is made,
    /// before versions are compared (at 100,000 provisions the two at once
    /// were the peak of memory).
    Nothing,
    /// The dev server: content and rendered bodies stay for the next save.
    ForNextRun,
}

/// A site ready to render: resolved content, its templates and its static
/// files, with every problem found so far (warnings only).
pub struct Prepared {
    pub site: Site,
    pub templates: Arc<Templates>,
    pub statics: Vec<OutputFile>,
    pub diags: Diagnostics,
}

/// Where [`Pipeline::generate`] hands the files it makes: the pages and
/// the sitemap to one sink, the data files and the search index to the
/// other, or, without it, to whoever runs the pipeline to make after (the
/// dev server does, in the background, after each of its runs).
#[derive(Clone, Copy)]
pub struct Sinks<'a> {
    pub pages: &'a dyn Sink,
    pub derived: Option<&'a dyn Sink>,
}

impl<'a> Sinks<'a> {
    /// Every file into `sink`.
    pub fn one(sink: &'a dyn Sink) -> Sinks<'a> {
        Sinks {
            pages: sink,
            derived: Some(sink),
        }
    }
}

impl Pipeline {
    /// A pipeline run once (`build`, `check`): it keeps nothing.
    pub fn once(opts: BuildOptions) -> Pipeline {
        Pipeline::with(opts, Keep::Nothing)
    }

    /// A pipeline run again on each save (the dev server): it keeps the
    /// content and rendered bodies of each run for the next.
    pub fn kept(opts: BuildOptions) -> Pipeline {
        Pipeline::with(opts, Keep::ForNextRun)
    }

    fn with(opts: BuildOptions, keep: Keep) -> Pipeline {
        Pipeline {
            opts,
            keep,
            config: None,
            templates: None,
            content: Content::default(),
            bodies: BodyCache::default(),
        }
    }

    pub fn opts(&self) -> &BuildOptions {
        &self.opts
    }

    /// The settings of the last run that read them.
    pub fn config(&self) -> Option<&Config> {
        self.config.as_ref()
    }

    /// The templates of the last successful run or reload (kept pipelines only).
    pub fn templates(&self) -> Option<&Arc<Templates>> {
        self.templates.as_ref()
    }

    /// The first stages, from nothing: read site.yaml, the content, the
    /// templates and the static files, and resolve the site; every problem
    /// of them at once.
    pub fn prepare(&mut self) -> Result<Prepared, Vec<Diagnostic>> {
        let config = build::load_config(&self.opts)?;
        self.config = Some(config.clone());
        self.templates = None;
        let (site, mut diags) = match self.keep {
            Keep::Nothing => build::load_with(&self.opts, &config),
            Keep::ForNextRun => {
                self.content.refresh(&self.opts.root);
                build::resolve_content_cached(&self.opts, &config, &self.content, &mut self.bodies)
            }
        };
        let templates = Templates::load(&self.opts.root, &config.theme, self.opts.cancel.clone())
            .map_err(|d| diags.extend(d))
            .ok();
        let statics = render::static_files(&self.opts.root, &config.theme)
            .map_err(|d| diags.extend(d))
            .unwrap_or_default();
        match templates {
            Some(templates) if !diags.has_errors() => {
                let templates = Arc::new(templates);
                if self.keep == Keep::ForNextRun {
                    self.templates = Some(Arc::clone(&templates));
                }
                Ok(Prepared {
                    site,
                    templates,
                    statics,
                    diags,
                })
            }
            _ => Err(diags.sorted()),
        }
    }

    /// Render every generated file of a prepared site (pages, sitemap, and
    /// with `sinks.derived` the export, feeds, calendars, spreadsheets,
    /// robots.txt and search index) into `sinks`, as each is made; then check that no
    /// static file takes a generated file's place, or the place of one made
    /// after. Returns the paths emitted.
    pub fn generate(&self, p: &mut Prepared, sinks: Sinks) -> Result<Vec<String>, Vec<Diagnostic>> {
        let pages = Recording::new(sinks.pages);
        let derived = sinks.derived.map(Recording::new);
        let (rendered, search_problems) = match &derived {
            Some(derived) => self.render_with_search(p, &pages, derived),
            None => {
                let rendered = render::render_site_into(
                    &p.site,
                    &p.templates,
                    self.opts.progress.as_deref(),
                    &pages,
                    None,
                );
                (rendered, Vec::new())
            }
        };
        p.diags.extend(rendered);
        for d in search_problems {
            p.diags.push(d);
        }
        if p.diags.has_errors() {
            return Err(std::mem::take(&mut p.diags).sorted());
        }
        let mut written = pages.into_paths();
        let made = written.len();
        match derived {
            Some(derived) => written.extend(derived.into_paths()),
            // Their names are claimed all the same (the search index's
            // hashed chunks are checked when it is made).
            None => written.extend(derived_paths(&p.site)),
        }
        let paths: Vec<&str> = written.iter().map(String::as_str).collect();
        let statics: Vec<(&str, &render::Contents)> = p
            .statics
            .iter()
            .map(|f| (f.path.as_str(), &f.contents))
            .collect();
        let collisions = render::check_routes(&paths, &statics, &self.opts.root);
        if collisions.has_errors() {
            return Err(collisions.sorted());
        }
        if sinks.derived.is_none() {
            written.truncate(made);
        }
        Ok(written)
    }

    /// Render the pages and the data files, and build the search index on
    /// a thread of its own meanwhile: it needs only the model, and it would
    /// otherwise be a serial tail of several seconds on a large site. Its
    /// parts are handed over as each is done.
    fn render_with_search(
        &self,
        p: &Prepared,
        pages: &Recording,
        derived: &Recording,
    ) -> (Diagnostics, Vec<Diagnostic>) {
        let problems = std::sync::Mutex::new(Vec::new());
        let emit_all = |files: Vec<OutputFile>| {
            for f in files {
                if let Err(d) = derived.file(f) {
                    if let Ok(mut all) = problems.lock() {
                        all.push(d);
                    }
                }
            }
        };
        let parts = crate::search::Parts::new(&p.site);
        let (rendered, search) = std::thread::scope(|scope| {
            // Pagefind builds each part with rayon: on the pool the pages
            // render on, that work queued behind them, so this thread
            // waited and the index was made after the pages, on one core at
            // the end (a perf timeline at 10,000 provisions). A pool of its
            // own makes it beside them, taking up the cores while page
            // writers wait on the disk.
            let search = scope.spawn(|| match search_pool() {
                Some(pool) => pool.install(|| parts.work(&emit_all)),
                None => parts.work(&emit_all),
            });
            let rendered = render::render_site_into(
                &p.site,
                &p.templates,
                self.opts.progress.as_deref(),
                pages,
                Some(derived),
            );
            // The pages are done: this thread makes the index's last parts too.
            let mine =
                std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| parts.work(&emit_all)))
                    .unwrap_or_else(|_| Err(crate::search::STOPPED.into()));
            let search = search
                .join()
                .unwrap_or_else(|_| Err(crate::search::STOPPED.into()));
            (rendered, search.and(mine))
        });
        let mut problems = problems.into_inner().unwrap_or_default();
        if let Err(e) = search {
            problems.push(Diagnostic::error("search index", None, e));
        }
        (rendered, problems)
    }

    /// Load the templates again (a rerun after a template changed).
    pub fn reload_templates(&mut self) -> Result<Arc<Templates>, Vec<Diagnostic>> {
        let theme = self.settings()?.theme;
        let templates = Arc::new(
            Templates::load(&self.opts.root, &theme, self.opts.cancel.clone())
                .map_err(|d| d.sorted())?,
        );
        self.templates = Some(Arc::clone(&templates));
        Ok(templates)
    }

    /// Read the content again: the files `paths` names (absolute, as the
    /// file watcher reports them) when they settle it, else the whole folder.
    pub fn refresh(&mut self, paths: Option<&[PathBuf]>) -> Refreshed {
        let root = &self.opts.root;
        match paths {
            Some(paths) => self
                .content
                .refresh_files(root, paths)
                .unwrap_or_else(|| self.content.refresh(root)),
            None => self.content.refresh(root),
        }
    }

    /// Resolve the content as last read, reusing the bodies and entities
    /// of unchanged documents.
    pub fn resolve(&mut self) -> Result<(Site, Diagnostics), Vec<Diagnostic>> {
        let config = self.settings()?;
        Ok(build::resolve_content_cached(
            &self.opts,
            &config,
            &self.content,
            &mut self.bodies,
        ))
    }

    /// The shortcut for a save that changed only Markdown bodies: patch
    /// `site` in place (see [`resolve::patch_bodies`]). Returns the entities
    /// patched, or None: resolve the whole site.
    pub fn patch_bodies(
        &mut self,
        site: &mut Site,
        refreshed: &Refreshed,
    ) -> Option<resolve::Patch> {
        let pairs: Vec<(&Document, &Document)> = refreshed
            .replaced
            .iter()
            .map(|(key, old)| Some((old.as_ref(), self.content.document_at(key)?)))
            .collect::<Option<_>>()?;
        resolve::patch_bodies(
            site,
            &self.content,
            self.opts.drafts,
            &pairs,
            &mut self.bodies,
        )
    }

    /// List the static files again.
    pub fn statics(&self) -> Result<Vec<OutputFile>, Vec<Diagnostic>> {
        let theme = self.settings()?.theme;
        render::static_files(&self.opts.root, &theme).map_err(|d| d.sorted())
    }

    /// The settings of the last run from nothing (a rerun's stages follow one).
    fn settings(&self) -> Result<Config, Vec<Diagnostic>> {
        self.config.clone().ok_or_else(|| {
            vec![Diagnostic::error(
                crate::config::CONFIG_FILE,
                None,
                "the site was never built: build it from nothing first",
            )]
        })
    }
}

/// A one-thread pool for the search index's parallel work, or None when
/// the system will not give one (the index is then made on the shared pool).
fn search_pool() -> Option<rayon::ThreadPool> {
    rayon::ThreadPoolBuilder::new()
        .num_threads(1)
        .thread_name(|_| "search".into())
        .build()
        .ok()
}

/// The paths of the files made with the second sink of [`Sinks`]: the
/// data files and the search index's, but for its hashed chunks.
pub fn derived_paths(site: &Site) -> Vec<String> {
    let mut paths = render::data_file_paths(site);
    paths.extend(crate::search::fixed_files(site));
    paths
}

/// A sink that records the paths handed to another.
struct Recording<'a> {
    inner: &'a dyn Sink,
    written: std::sync::Mutex<Vec<String>>,
}

impl<'a> Recording<'a> {
    fn new(inner: &'a dyn Sink) -> Recording<'a> {
        Recording {
            inner,
            written: std::sync::Mutex::new(Vec::new()),
        }
    }

    fn record(&self, path: &str) {
        if let Ok(mut w) = self.written.lock() {
            w.push(path.to_string());
        }
    }

    fn into_paths(self) -> Vec<String> {
        self.written.into_inner().unwrap_or_default()
    }
}

impl Sink for Recording<'_> {
    fn file(&self, f: OutputFile) -> Result<(), Diagnostic> {
        let path = f.path.clone();
        self.inner.file(f)?;
        self.record(&path);
        Ok(())
    }

    fn stream(&self, path: &str, fill: &render::Fill) -> Result<(), Diagnostic> {
        self.inner.stream(path, fill)?;
        self.record(path);
        Ok(())
    }
}
