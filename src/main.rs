//! The `gazette` command line. All printing happens here; the library returns data.

use std::io::{IsTerminal, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use clap::{Args, Parser, Subcommand};

/// Print a line to stdout. A closed stdout (`gazette serve | head`) must not
/// stop the server, so write errors are ignored rather than panicking.
macro_rules! say {
    ($($t:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stdout(), $($t)*);
    }};
}

/// Print a line to stderr, ignoring write errors (see `say!`).
macro_rules! shout {
    ($($t:tt)*) => {{
        use std::io::Write;
        let _ = writeln!(std::io::stderr(), $($t)*);
    }};
}
use gazette::build::{self, BuildError, BuildOptions};
use gazette::content::Kind;
use gazette::diagnostics::{Diagnostic, Severity};
use gazette::scaffold;

/// A static site generator for policy knowledge bases.
///
/// Editors write Markdown and YAML about orders, provisions, agencies, sources
/// and events; gazette turns them into a cross-linked static site.
#[derive(Debug, Parser)]
#[command(name = "gazette", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Init(InitArgs),
    Build(BuildArgs),
    Serve(ServeArgs),
    Check(CheckArgs),
    New(NewArgs),
}

/// Options every command shares.
#[derive(Debug, Args)]
struct Output {
    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    quiet: bool,
    /// Print more detail (warnings, counts, paths).
    #[arg(short, long, global = true)]
    verbose: bool,
}

/// Create a new site: site.yaml, a small content/ folder and the default theme.
#[derive(Debug, Args)]
struct InitArgs {
    /// Folder to create the site in (must be empty or not exist).
    #[arg(default_value = ".")]
    dir: PathBuf,
    #[command(flatten)]
    out: Output,
}

/// Shared by build and check: which site, and how to read it.
#[derive(Debug, Args)]
struct SiteArgs {
    /// Site folder (containing site.yaml). Default: the current folder or its nearest parent with a site.yaml.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    /// Measure deadlines against this date (YYYY-MM-DD) instead of site.yaml's as_of or today.
    #[arg(long, value_name = "DATE", value_parser = parse_date)]
    as_of: Option<jiff::civil::Date>,
    /// Include content marked `draft: true`.
    #[arg(long)]
    drafts: bool,
}

/// Build the site into public/ (or --output).
///
/// The new site is written beside the output folder and swapped in only when
/// the whole build succeeds, so a failed build leaves the previous site as it was.
#[derive(Debug, Args)]
struct BuildArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Output folder. Default: ROOT/public.
    #[arg(long, short, value_name = "DIR")]
    output: Option<PathBuf>,
    /// Override site.yaml's base_url, e.g. https://example.org/kb/ for a sub-path deployment.
    #[arg(long, value_name = "URL", value_parser = parse_base_url)]
    base_url: Option<String>,
    /// Allow an output folder outside the site folder.
    #[arg(long)]
    allow_outside: bool,
    #[command(flatten)]
    out: Output,
}

/// Build the site, serve it locally, and rebuild and reload open pages on every save.
///
/// The site is served from memory (nothing is written to public/), on
/// 127.0.0.1 unless --bind says otherwise. A failed rebuild keeps serving the
/// last good site and shows the errors over every open page until they are fixed.
#[derive(Debug, Args)]
struct ServeArgs {
    #[command(flatten)]
    site: SiteArgs,
    /// Address to listen on. Anything but loopback exposes the site to your network.
    #[arg(long, default_value = "127.0.0.1")]
    bind: std::net::IpAddr,
    /// Port to listen on; the next free one is taken if it is busy (0: any free port).
    #[arg(long, short, default_value_t = 1111)]
    port: u16,
    /// Seconds a rebuild may take before it is stopped and reported (default:
    /// four times the first build, at least 20).
    #[arg(long, value_name = "SECONDS")]
    rebuild_budget: Option<u64>,
    #[command(flatten)]
    out: Output,
}

/// Validate the site (content, references, dates, templates, internal links and anchors) without writing anything.
#[derive(Debug, Args)]
struct CheckArgs {
    #[command(flatten)]
    site: SiteArgs,
    #[command(flatten)]
    out: Output,
}

/// Create a content file with every field of its kind, commented.
#[derive(Debug, Args)]
struct NewArgs {
    /// order, provision, agency, source, event or page.
    #[arg(value_parser = parse_kind)]
    kind: Kind,
    /// The new entity's id: lowercase letters, digits and hyphens (the file name).
    #[arg(value_parser = parse_slug)]
    slug: String,
    /// Site folder. Default: the current folder or its nearest parent with a site.yaml.
    #[arg(long, value_name = "DIR")]
    root: Option<PathBuf>,
    #[command(flatten)]
    out: Output,
}

fn parse_date(s: &str) -> Result<jiff::civil::Date, String> {
    gazette::content::raw::parse_date(s)
}

fn parse_base_url(s: &str) -> Result<String, String> {
    gazette::config::BaseUrl::parse(s).map(|_| s.to_string())
}

fn parse_slug(s: &str) -> Result<String, String> {
    gazette::content::check_slug(s).map(|()| s.to_string())
}

fn parse_kind(s: &str) -> Result<Kind, String> {
    Kind::from_name(s)
        .ok_or_else(|| "expected one of: order, provision, agency, source, event, page".into())
}

/// mimalloc rather than the system's allocator: a build allocates and frees
/// millions of small strings and values; measured in the README, Benchmarks.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Hash-map seeds for Tera's values, one counter per thread: a page's
/// context makes thousands of maps, and ahash's default source is one
/// atomic counter that both cores fought over (1.6% of a build's time).
/// The keys stay random per process (ahash's fixed seeds come from the OS).
struct SeedPerThread;

impl ahash::random_state::RandomSource for SeedPerThread {
    fn gen_hasher_seed(&self) -> usize {
        thread_local!(static COUNT: std::cell::Cell<usize> = const { std::cell::Cell::new(0) });
        COUNT.with(|c| {
            let n = c.get().wrapping_add(1);
            c.set(n);
            // The cell's address, in the high half, tells threads apart.
            n ^ (c as *const _ as usize).rotate_left(usize::BITS / 2)
        })
    }
}

/// Process settings measured to make builds faster (README, Benchmarks).
fn tune_process() {
    // Fails only if a map was made before: the first thing main does.
    let seeded = ahash::random_state::set_random_source(SeedPerThread);
    debug_assert!(seeded.is_ok());
    // No transparent huge pages: mimalloc asks for them, and the kernel
    // then clears 2 MiB wherever a build first touches a few bytes of
    // memory it has just been given back (7-9% of a 10,000-provision build).
    #[cfg(target_os = "linux")]
    // SAFETY: prctl with PR_SET_THP_DISABLE reads no memory of ours.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
    // Memory freed is given back to the system after 100 ms, not mimalloc
    // 3's 1 s (unless MIMALLOC_PURGE_DELAY says otherwise): a build frees
    // the pages' lists and fragments just before it makes the data files,
    // and with 1 s that memory was still held when they peaked (100,000 provisions: 919 MB against 944-990 MB at the
    // peak; 10,000 no slower, 3 pairs). 0 ms cost 30% at 10,000.
    if std::env::var_os("MIMALLOC_PURGE_DELAY").is_none() {
        // SAFETY: mi_option_set takes two integers; 15 is
        // mi_option_purge_delay in mimalloc 2 and 3 alike (mimalloc.h).
        unsafe {
            mi_option_set(15, 100);
            debug_assert_eq!(mi_option_get(15), 100);
        }
    }
}

extern "C" {
    /// mimalloc's own setter, linked in by the `mimalloc` crate.
    fn mi_option_set(option: libc::c_int, value: libc::c_long);
    fn mi_option_get(option: libc::c_int) -> libc::c_long;
}

fn main() -> ExitCode {
    tune_process();
    let cli = Cli::parse();
    match cli.command {
        Command::Init(a) => init(a),
        Command::Build(a) => run_build(a),
        Command::Serve(a) => serve(a),
        Command::Check(a) => check(a),
        Command::New(a) => new(a),
    }
}

fn site_root(given: Option<PathBuf>) -> PathBuf {
    given.unwrap_or_else(|| {
        let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
        build::find_root(&cwd).unwrap_or(cwd)
    })
}

fn options(site: SiteArgs) -> BuildOptions {
    BuildOptions {
        root: site_root(site.root),
        as_of: site.as_of,
        drafts: site.drafts,
        ..Default::default()
    }
}

fn init(a: InitArgs) -> ExitCode {
    match scaffold::init(&a.dir) {
        Ok(files) => {
            if a.out.verbose {
                for f in &files {
                    say!("  created {}", f.display());
                }
            }
            if !a.out.quiet {
                say!(
                    "Created a new site in {} ({} files).",
                    a.dir.display(),
                    files.len()
                );
                say!("Next: cd {} && gazette build", a.dir.display());
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

fn run_build(a: BuildArgs) -> ExitCode {
    let mut opts = options(a.site);
    if let Err(code) = require_site(&opts.root) {
        return code;
    }
    opts.output = a.output;
    opts.base_url = a.base_url;
    opts.allow_outside = a.allow_outside;
    let started = Instant::now();
    let interrupted = stop_on_signals();
    opts.cancel = Some(std::sync::Arc::clone(&interrupted));
    let progress = std::sync::Arc::new(build::Progress::default());
    opts.progress = Some(std::sync::Arc::clone(&progress));
    let bar =
        (!a.out.quiet && std::io::stderr().is_terminal()).then(|| ProgressBar::start(progress));
    let result = build::build(&opts);
    drop(bar);
    match result {
        Ok(report) => {
            print_diagnostics(&report.warnings, a.out.quiet);
            if !a.out.quiet {
                let secs = started.elapsed().as_secs_f64();
                say!("Built {} pages in {secs:.2} s", thousands(report.pages));
                if a.out.verbose {
                    say!(
                        "  {} files in {}, as of {}",
                        thousands(report.files),
                        report.output.display(),
                        report.as_of
                    );
                }
            }
            ExitCode::SUCCESS
        }
        Err(_) if interrupted.load(std::sync::atomic::Ordering::SeqCst) => {
            shout!("build interrupted: the new site was removed, the previous one is untouched");
            ExitCode::from(130)
        }
        Err(BuildError::Content(diags)) => content_failure(&diags, "build"),
        Err(BuildError::Output(e)) => fail(&e.to_string()),
    }
}

fn serve(a: ServeArgs) -> ExitCode {
    use gazette::serve::{run, ServeEvent, ServeOptions};
    let build = options(a.site);
    if let Err(code) = require_site(&build.root) {
        return code;
    }
    let opts = ServeOptions {
        build,
        bind: a.bind,
        port: a.port,
        rebuild_budget: a.rebuild_budget.map(std::time::Duration::from_secs),
    };
    let quiet = a.out.quiet;
    let verbose = a.out.verbose;
    let result = run(opts, &mut |event| match event {
        ServeEvent::PortTaken { wanted, used } => {
            if !quiet {
                say!("Port {wanted} is in use; using {used}.");
            }
        }
        ServeEvent::Exposed { addr } => {
            shout!(
                "{}: serving on {addr}, reachable from other machines on your network",
                paint("warning", "1;33")
            );
        }
        ServeEvent::Listening { url } => {
            if !quiet {
                say!("Serving at {url} (Ctrl-C to stop)");
            }
        }
        ServeEvent::Built(report) => {
            print_diagnostics(&report.warnings, quiet);
            if !quiet {
                say!(
                    "Built {} pages in {:.2} s",
                    thousands(report.rendered),
                    report.elapsed.as_secs_f64()
                );
            }
        }
        ServeEvent::Rebuilt {
            kinds,
            report,
            since_change,
        } => {
            if !quiet {
                let what: Vec<&str> = kinds
                    .iter()
                    .map(|k| match k {
                        gazette::serve::session::ChangeKind::Content => "content",
                        gazette::serve::session::ChangeKind::Template => "templates",
                        gazette::serve::session::ChangeKind::Static => "static files",
                        gazette::serve::session::ChangeKind::Config => "site.yaml",
                    })
                    .collect();
                let after = if report.later > 0 {
                    format!(
                        "; those of {} more that show the change follow",
                        thousands(report.later)
                    )
                } else {
                    String::new()
                };
                say!(
                    "Rebuilt ({} changed): {} pages in {} ms{after}",
                    what.join(", "),
                    thousands(report.rendered),
                    since_change.as_millis()
                );
                if verbose {
                    let phases: Vec<String> = report
                        .phases
                        .iter()
                        .map(|(name, d)| format!("{name} {} ms", d.as_millis()))
                        .collect();
                    say!(
                        "  {} files served; {}",
                        thousands(report.files),
                        phases.join(", ")
                    );
                }
            }
        }
        ServeEvent::Failed(diags) => {
            print_diagnostics(&diags, false);
            let n = diags
                .iter()
                .filter(|d| d.severity == Severity::Error)
                .count();
            shout!(
                "Rebuild failed: {n} {}; still serving the last good site",
                if n == 1 { "error" } else { "errors" }
            );
        }
        ServeEvent::WatchError(e) => shout!("{}: {e}", paint("warning", "1;33")),
    });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => fail(&e),
    }
}

fn check(a: CheckArgs) -> ExitCode {
    let opts = options(a.site);
    if let Err(code) = require_site(&opts.root) {
        return code;
    }
    match build::check(&opts) {
        Ok(warnings) => {
            print_diagnostics(&warnings, a.out.quiet);
            if !a.out.quiet {
                match warnings.len() {
                    0 => say!("No problems found in {}", display_root(&opts.root)),
                    n => say!(
                        "No errors in {}; {n} {}",
                        display_root(&opts.root),
                        if n == 1 { "warning" } else { "warnings" }
                    ),
                }
            }
            ExitCode::SUCCESS
        }
        Err(diags) => content_failure(&diags, "check"),
    }
}

fn new(a: NewArgs) -> ExitCode {
    let root = site_root(a.root);
    if let Err(code) = require_site(&root) {
        return code;
    }
    match scaffold::new_file(&root, a.kind, &a.slug) {
        Ok(path) => {
            if !a.out.quiet {
                say!(
                    "Created {}",
                    path.strip_prefix(&root).unwrap_or(&path).display()
                );
            }
            ExitCode::SUCCESS
        }
        Err(e) => fail(&e),
    }
}

/// Running outside a site is a usage error (exit 2), not a content error.
fn require_site(root: &Path) -> Result<(), ExitCode> {
    if root.join(gazette::config::CONFIG_FILE).exists() {
        return Ok(());
    }
    shout!(
        "{}: no site.yaml in {}: run gazette in a site folder, pass --root DIR, or create a site with `gazette init DIR`",
        paint("error", "1;31"),
        display_root(root)
    );
    Err(ExitCode::from(2))
}

/// Ctrl-C or SIGTERM during a build: set the returned flag, so the build
/// stops between pages and removes the tree it was writing. A second signal
/// ends the process at once.
fn stop_on_signals() -> std::sync::Arc<std::sync::atomic::AtomicBool> {
    let flag = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    #[cfg(unix)]
    for signal in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        // The shutdown is registered first, so that it only fires once the flag is set.
        let _ = signal_hook::flag::register_conditional_shutdown(
            signal,
            130,
            std::sync::Arc::clone(&flag),
        );
        let _ = signal_hook::flag::register(signal, std::sync::Arc::clone(&flag));
    }
    flag
}

fn display_root(root: &Path) -> String {
    if root.as_os_str().is_empty() {
        ".".into()
    } else {
        root.display().to_string()
    }
}

fn content_failure(diags: &[Diagnostic], what: &str) -> ExitCode {
    print_diagnostics(diags, false);
    let errors = diags
        .iter()
        .filter(|d| d.severity == Severity::Error)
        .count();
    let noun = if errors == 1 { "error" } else { "errors" };
    shout!("{what} failed: {errors} {noun}");
    ExitCode::from(1)
}

fn fail(message: &str) -> ExitCode {
    shout!("{}: {message}", paint("error", "1;31"));
    ExitCode::from(1)
}

fn print_diagnostics(diags: &[Diagnostic], quiet: bool) {
    for d in diags {
        if quiet && d.severity != Severity::Error {
            continue;
        }
        // A file name or a line of a file may hold control characters: shown
        // escaped, so that none of them (an ESC above all) reaches the terminal.
        let text: String = d
            .to_string()
            .chars()
            .map(|c| match c {
                '\n' | '\t' => c.to_string(),
                c if c.is_control() => c.escape_default().to_string(),
                c => c.to_string(),
            })
            .collect();
        let (label, color) = match d.severity {
            Severity::Error => ("error", "1;31"),
            Severity::Warning => ("warning", "1;33"),
        };
        let needle = format!(": {label}: ");
        let colored = text.replacen(&needle, &format!(": {}: ", paint(label, color)), 1);
        shout!("{colored}\n");
    }
}

/// A progress bar on stderr, shown only when a build takes more than a second.
struct ProgressBar {
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl ProgressBar {
    fn start(progress: std::sync::Arc<build::Progress>) -> ProgressBar {
        use std::sync::atomic::{AtomicBool, Ordering};
        let stop = std::sync::Arc::new(AtomicBool::new(false));
        let flag = std::sync::Arc::clone(&stop);
        let thread = std::thread::spawn(move || {
            let started = Instant::now();
            let mut drawn = false;
            while !flag.load(Ordering::Relaxed) {
                std::thread::sleep(std::time::Duration::from_millis(100));
                if started.elapsed().as_secs_f64() < 1.0 {
                    continue;
                }
                let total = progress.total.load(Ordering::Relaxed);
                let done = progress.done.load(Ordering::Relaxed).min(total);
                let line = if total == 0 {
                    "Reading content...".to_string()
                } else if done == total {
                    "Indexing for search and writing files...".to_string()
                } else {
                    let filled = done * 30 / total;
                    format!(
                        "[{}{}] {}/{} pages",
                        "#".repeat(filled),
                        ".".repeat(30 - filled),
                        thousands(done),
                        thousands(total)
                    )
                };
                let mut err = std::io::stderr();
                let _ = write!(err, "\r\x1b[2K{line}");
                let _ = err.flush();
                drawn = true;
            }
            if drawn {
                let _ = write!(std::io::stderr(), "\r\x1b[2K");
            }
        });
        ProgressBar {
            stop,
            thread: Some(thread),
        }
    }
}

impl Drop for ProgressBar {
    fn drop(&mut self) {
        self.stop.store(true, std::sync::atomic::Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// ANSI color on a terminal, unless NO_COLOR is set.
fn paint(text: &str, code: &str) -> String {
    let color = std::io::stderr().is_terminal()
        && std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty());
    if color {
        format!("\x1b[{code}m{text}\x1b[0m")
    } else {
        text.to_string()
    }
}

use gazette::render::paging::thousands;

#[cfg(test)]
mod tests {
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn cli_is_well_formed() {
        Cli::command().debug_assert();
    }
}
