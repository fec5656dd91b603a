//! The commands `build` and `check`, each a run of the [`crate::pipeline`]
//! from nothing (`build` writes what it makes into a new output tree), and
//! the steps and options the pipeline and the dev server share: reading the
//! settings with the command line's overrides, the as-of date, resolving.

use std::path::{Path, PathBuf};

use jiff::civil::Date;

use crate::config::{BaseUrl, Config};
use crate::content::{self, Content};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::model::Site;
use crate::output::{self, OutputError};
use crate::pipeline::{Pipeline, Sinks};
use crate::render::{self, OutputFile};
use crate::resolve;

/// What a build needs to know beyond the site's own files.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    /// Defaults to `ROOT/public`.
    pub output: Option<PathBuf>,
    /// Overrides `base_url` of site.yaml.
    pub base_url: Option<String>,
    /// Overrides `as_of` of site.yaml; defaults to today.
    pub as_of: Option<Date>,
    pub drafts: bool,
    /// Allow an output folder outside the site root.
    pub allow_outside: bool,
    /// Counts pages as they are rendered, for a progress display.
    pub progress: Option<std::sync::Arc<Progress>>,
    /// Set by whoever runs the build to stop it early (the dev server's time
    /// budget): rendering stops between pages, and a template's `range()`
    /// fails, so that even a runaway loop inside one page ends.
    pub cancel: Option<std::sync::Arc<std::sync::atomic::AtomicBool>>,
}

/// How far a build is: pages rendered of pages to render. Shared with
/// whoever displays it; the library only counts.
#[derive(Debug, Default)]
pub struct Progress {
    pub total: std::sync::atomic::AtomicUsize,
    pub done: std::sync::atomic::AtomicUsize,
}

impl BuildOptions {
    pub fn new(root: impl Into<PathBuf>) -> Self {
        BuildOptions {
            root: root.into(),
            ..Default::default()
        }
    }

    pub fn output_dir(&self) -> PathBuf {
        self.output
            .clone()
            .unwrap_or_else(|| self.root.join("public"))
    }
}

/// What a successful build produced.
#[derive(Debug)]
pub struct BuildReport {
    /// HTML pages written.
    pub pages: usize,
    /// All files written, static files included.
    pub files: usize,
    pub output: PathBuf,
    pub as_of: Date,
    /// Warnings (a successful build has no errors).
    pub warnings: Vec<Diagnostic>,
}

#[derive(Debug)]
pub enum BuildError {
    /// Problems in the site's files: every one found, sorted.
    Content(Vec<Diagnostic>),
    Output(OutputError),
}

impl std::fmt::Display for BuildError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BuildError::Content(d) => {
                for (i, x) in d.iter().enumerate() {
                    if i > 0 {
                        writeln!(f)?;
                    }
                    write!(f, "{x}")?;
                }
                Ok(())
            }
            BuildError::Output(e) => e.fmt(f),
        }
    }
}

impl std::error::Error for BuildError {}

/// Today's date in the system's time zone.
pub fn today() -> Date {
    jiff::Zoned::now().date()
}

/// Read site.yaml, with the options' overrides applied.
pub fn load_config(opts: &BuildOptions) -> Result<Config, Vec<Diagnostic>> {
    let mut config = Config::load(&opts.root).map_err(|d| vec![d])?;
    if let Some(url) = &opts.base_url {
        config.base_url =
            BaseUrl::parse(url).map_err(|m| vec![Diagnostic::error("--base-url", None, m)])?;
    }
    Ok(config)
}

/// Resolve loaded content into the site, with every problem found so far.
pub fn resolve_content(
    opts: &BuildOptions,
    config: &Config,
    content: &Content,
) -> (Site, Diagnostics) {
    let (mut site, diags) = resolve_content_uncompared(opts, config, content);
    site.compare_versions();
    (site, diags)
}

/// [`resolve_content`], reusing the bodies `cache` holds (the dev server's).
pub fn resolve_content_cached(
    opts: &BuildOptions,
    config: &Config,
    content: &Content,
    cache: &mut resolve::BodyCache,
) -> (Site, Diagnostics) {
    resolve_content_inner(opts, config, content, Some(cache))
}

/// The date a build is as of: the options', else site.yaml's, else today.
pub fn as_of(opts: &BuildOptions, config: &Config) -> Date {
    opts.as_of.or(config.as_of).unwrap_or_else(today)
}

/// [`resolve_content`], leaving versions uncompared (see
/// [`resolve::resolve_uncompared`]).
pub fn resolve_content_uncompared(
    opts: &BuildOptions,
    config: &Config,
    content: &Content,
) -> (Site, Diagnostics) {
    resolve_content_inner(opts, config, content, None)
}

/// Resolve; without a cache, versions are left uncompared.
fn resolve_content_inner(
    opts: &BuildOptions,
    config: &Config,
    content: &Content,
    cache: Option<&mut resolve::BodyCache>,
) -> (Site, Diagnostics) {
    let as_of = as_of(opts, config);
    let mut diags = content.diagnostics();
    if config.base_url.origin.is_empty() {
        diags.push(
            Diagnostic::warning(
                crate::config::CONFIG_FILE,
                config.base_url_pos,
                "base_url has no host: the sitemap, feed, calendars and canonical links need absolute addresses",
            )
            .with_help(Some(
                "set base_url to where the site is deployed, e.g. https://example.org/ (or pass --base-url)".into(),
            )),
        );
    }
    let (site, more) = match cache {
        Some(cache) => resolve::resolve_cached(config.clone(), content, as_of, opts.drafts, cache),
        None => resolve::resolve_uncompared(config.clone(), content, as_of, opts.drafts),
    };
    diags.extend(more);
    (site, diags)
}

/// Load and resolve the site: everything up to, not including, rendering.
pub fn load(opts: &BuildOptions) -> Result<(Site, Diagnostics), Vec<Diagnostic>> {
    let config = load_config(opts)?;
    Ok(load_with(opts, &config))
}

/// [`load`] with the settings read: the content is let go before versions
/// are compared, since at 100,000 provisions the two at once were the peak
/// of memory.
pub fn load_with(opts: &BuildOptions, config: &Config) -> (Site, Diagnostics) {
    let content = content::load(&opts.root);
    let (mut site, diags) = resolve_content_uncompared(opts, config, &content);
    drop(content);
    site.compare_versions();
    (site, diags)
}

/// The sink of `gazette build`: each file is written into the new tree as
/// it is made, the large data files as they are serialized.
struct ToDisk<'a> {
    staging: &'a output::Staging,
    output: &'a Path,
}

impl render::Sink for ToDisk<'_> {
    fn file(&self, f: OutputFile) -> Result<(), Diagnostic> {
        self.staging
            .write(&f)
            .map_err(|e| Diagnostic::error(self.output, None, e.to_string()))
    }

    fn stream(&self, path: &str, fill: &render::Fill) -> Result<(), Diagnostic> {
        self.staging
            .write_with(path, fill)
            .map_err(|e| Diagnostic::error(self.output, None, e.to_string()))
    }
}

/// Load, resolve and render in memory: every file of the site, or every problem.
pub fn render(
    opts: &BuildOptions,
) -> Result<(Site, Vec<OutputFile>, Diagnostics), Vec<Diagnostic>> {
    let mut pipeline = Pipeline::once(opts.clone());
    let mut p = pipeline.prepare()?;
    let (mut files, generated) =
        render::collect(|emit| pipeline.generate(&mut p, Sinks::one(emit)));
    generated?;
    files.extend(p.statics);
    Ok((p.site, files, p.diags))
}

/// Validate everything a build would, writing nothing; then check that every
/// internal link and `#anchor` of the rendered site resolves.
pub fn check(opts: &BuildOptions) -> Result<Vec<Diagnostic>, Vec<Diagnostic>> {
    let (site, files, diags) = render(opts)?;
    let broken = crate::linkcheck::check(&files, &site.config.base_url.path);
    if broken.has_errors() {
        let mut all = diags;
        all.extend(broken);
        return Err(all.sorted());
    }
    Ok(diags.sorted())
}

/// Build the site into its output folder. Pages are written into the new
/// tree as they are rendered, in parallel; nothing holds the whole site.
pub fn build(opts: &BuildOptions) -> Result<BuildReport, BuildError> {
    let output_dir = opts.output_dir();
    output::check_output_dir(&opts.root, &output_dir, opts.allow_outside)
        .map_err(BuildError::Output)?;
    let mut pipeline = Pipeline::once(opts.clone());
    // Claiming the spare tree lists its files (a walk of 440,000 at
    // 100,000 provisions): done while the site is read and resolved.
    let (prepared, staging) = std::thread::scope(|scope| {
        let staging = scope.spawn(|| output::Staging::create(&output_dir));
        let prepared = pipeline.prepare();
        let staging = staging.join().unwrap_or_else(|_| {
            Err(output::OutputError::Refused(
                "the output folder could not be prepared".into(),
            ))
        });
        (prepared, staging)
    });
    let mut p = prepared.map_err(BuildError::Content)?;
    let staging = staging.map_err(BuildError::Output)?;
    let sink = ToDisk {
        staging: &staging,
        output: &output_dir,
    };
    let written = pipeline
        .generate(&mut p, Sinks::one(&sink))
        .map_err(BuildError::Content)?;
    {
        use rayon::prelude::*;
        p.statics
            .par_iter()
            .try_for_each(|f| staging.write(f))
            .map_err(BuildError::Output)?;
    }
    // Cancelled while the last files were written: the old site stays.
    if opts
        .cancel
        .as_ref()
        .is_some_and(|c| c.load(std::sync::atomic::Ordering::SeqCst))
    {
        return Err(BuildError::Content(vec![Diagnostic::error(
            "build",
            None,
            "stopped: the build was cancelled",
        )]));
    }
    staging.commit().map_err(BuildError::Output)?;
    Ok(BuildReport {
        pages: written.iter().filter(|p| p.ends_with(".html")).count(),
        files: written.len() + p.statics.len(),
        output: output_dir,
        as_of: p.site.as_of,
        warnings: p.diags.sorted(),
    })
}

/// The site root to use when none is given: the nearest folder with a site.yaml.
pub fn find_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|p| p.join(crate::config::CONFIG_FILE).is_file())
        .map(Path::to_path_buf)
}
