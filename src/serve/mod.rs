//! `gazette serve`: build, serve on loopback, watch, rebuild what changed,
//! reload open pages. The library reports what happens through a callback;
//! the binary prints.

pub mod http;
pub mod session;
pub mod watch;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, RecvTimeoutError};
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::config::BaseUrl;
use crate::diagnostics::Diagnostic;
use session::{ChangeKind, Finished, Report, Session};

pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    pub port: u16,
    /// How long a rebuild may run before it is stopped; default: four times
    /// the first full build, at least 20 s.
    pub rebuild_budget: Option<Duration>,
}

/// What the server tells the person running it.
#[derive(Debug)]
pub enum ServeEvent {
    /// The wanted port was taken; another was used.
    PortTaken {
        wanted: u16,
        used: u16,
    },
    Listening {
        url: String,
    },
    /// Serving on an address other machines can reach.
    Exposed {
        addr: SocketAddr,
    },
    Built(Report),
    /// A (re)build failed; the last good site is still served.
    Failed(Vec<Diagnostic>),
    /// Files changed; what was rebuilt.
    Rebuilt {
        kinds: BTreeSet<ChangeKind>,
        report: Report,
        since_change: Duration,
    },
    WatchError(String),
}

/// Run the dev server until the process ends.
pub fn run(opts: ServeOptions, on_event: &mut dyn FnMut(ServeEvent)) -> Result<(), String> {
    let (server, port) = bind(opts.bind, opts.port)?;
    if port != opts.port && opts.port != 0 {
        on_event(ServeEvent::PortTaken {
            wanted: opts.port,
            used: port,
        });
    }
    if !opts.bind.is_loopback() {
        on_event(ServeEvent::Exposed {
            addr: SocketAddr::new(opts.bind, port),
        });
    }
    let original = opts.build.clone();
    let mut build = opts.build.clone();
    let config = crate::build::load_config(&build).map_err(|d| render_errors(&d))?;
    let host = match opts.bind {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let origin = format!("http://{host}:{port}");
    let mut base_path = config.base_url.path.clone();
    let url = format!("{origin}{base_path}");
    build.base_url = Some(url.clone());
    BaseUrl::parse(&url).map_err(|e| e.to_string())?;
    build.cancel = Some(Arc::new(AtomicBool::new(false)));
    // A date of the build that follows the clock: a new day re-renders every page.
    let follows_clock = build.as_of.is_none() && config.as_of.is_none();
    let mut day = crate::build::today();

    let started = Instant::now();
    let build_id = |n: u64| {
        format!(
            "{:x}-{n}",
            started.elapsed().as_nanos() ^ u128::from(std::process::id())
        )
    };
    // Watch before the first build, so that a save while it runs is not missed.
    let (tx, rx) = channel();
    let mut watcher = watch::Watcher::start(&build.root, &build.output_dir(), tx)?;
    let mut session = Session::new(build.clone());
    let mut builds = 0u64;
    let first_started = Instant::now();
    let first = session.full_build();
    // A rebuild may take a few times as long as the first full build, and
    // never less than the floor; past that it is stopped and reported.
    let budget = opts
        .rebuild_budget
        .unwrap_or_else(|| (first_started.elapsed() * 4).max(REBUILD_BUDGET_FLOOR));
    let state = Arc::new(RwLock::new(http::State {
        outputs: session.outputs(),
        errors: Vec::new(),
        build_id: build_id(builds),
        root: build.root.clone(),
        base_path: base_path.clone(),
    }));
    match first {
        Ok(report) => on_event(ServeEvent::Built(report)),
        Err(errors) => {
            set_errors(&state, errors.clone());
            on_event(ServeEvent::Failed(errors));
        }
    }
    let events = http::Broadcaster::default();
    {
        let (state, events) = (Arc::clone(&state), events.clone());
        std::thread::spawn(move || http::run(server, state, events));
    }
    on_event(ServeEvent::Listening { url });
    let mut last_errors: Vec<Diagnostic> = Vec::new();
    // Kinds of change whose last rebuild failed: rebuilt again with the next
    // change, so a broken site.yaml or template stays reported until fixed.
    let mut failed: BTreeSet<ChangeKind> = BTreeSet::new();
    // Whether the next rebuild must read the whole content folder rather
    // than the files the watcher named.
    let mut walk_next = false;
    let mut session = Some(session);
    loop {
        // While a large site's search index, or the pages a rebuild left
        // for after the reload, are made in the background, wake often to
        // serve them as soon as they are done.
        let pending = session.as_ref().is_some_and(Session::pending);
        let making = session.as_ref().is_some_and(Session::search_pending);
        // No request waits for background work that is no longer running
        // (a session lost to the time budget, or replaced).
        let stuck = |st: &http::State| !pending && st.outputs.later().next().is_some();
        if state
            .read()
            .is_ok_and(|st| st.outputs.making != making || stuck(&st))
        {
            if let Ok(mut st) = state.write() {
                st.outputs.making = making;
                if stuck(&st) {
                    st.outputs.set_later(Default::default());
                }
            }
        }
        let wait = if pending {
            Duration::from_millis(20)
        } else {
            Duration::from_secs(30)
        };
        let mut batch = match rx.recv_timeout(wait) {
            Ok(batch) => watch::until_written(batch, &rx),
            Err(RecvTimeoutError::Timeout) => {
                if let Some(s) = session.as_mut() {
                    let later = s.finish_later(false);
                    let search = s.finish_search();
                    match later.and(search) {
                        Finished::Nothing => {}
                        Finished::Served => {
                            if let Ok(mut st) = state.write() {
                                st.outputs = s.outputs();
                            }
                        }
                        // What could be made is served; the problems show
                        // over every page until the next good rebuild.
                        Finished::Failed(errors) => {
                            if let Ok(mut st) = state.write() {
                                st.outputs = s.outputs();
                            }
                            report(&state, &events, &mut last_errors, on_event, errors);
                        }
                    }
                }
                if !follows_clock || crate::build::today() == day {
                    continue;
                }
                watch::Batch {
                    kinds: BTreeSet::from([ChangeKind::Config]),
                    ..watch::Batch::default()
                }
            }
            Err(RecvTimeoutError::Disconnected) => break,
        };
        if let Some(e) = batch.error.take() {
            // Events may have been lost: the next rebuild reads the whole folder.
            walk_next = true;
            on_event(ServeEvent::WatchError(e));
            // Changes that came with the error (held while a file was
            // written) are rebuilt now, from a walk of the folder.
            if batch.kinds.is_empty() {
                continue;
            }
        }
        let today = crate::build::today();
        let new_day = follows_clock && today != day;
        day = today;
        let changed_at = Instant::now();
        watcher.watch_new_dirs();
        let mut kinds = batch.kinds.clone();
        kinds.extend(failed.iter().copied());
        if new_day {
            kinds.insert(ChangeKind::Config);
        }
        // A new base path in site.yaml: serve under it from now on.
        if kinds.contains(&ChangeKind::Config) {
            if let Ok(config) = crate::build::load_config(&original) {
                if config.base_url.path != base_path {
                    base_path = config.base_url.path.clone();
                    build.base_url = Some(format!("{origin}{base_path}"));
                    session = Some(Session::new(build.clone()));
                    if let Ok(mut s) = state.write() {
                        s.base_path = base_path.clone();
                    }
                    on_event(ServeEvent::Listening {
                        url: format!("{origin}{base_path}"),
                    });
                }
            }
        }
        let paths = (!walk_next).then(|| batch.paths.clone());
        let outcome = rebuild_within(session.take(), &mut build, &kinds, paths, budget);
        session = outcome.session;
        match outcome.result {
            Ok(report) => {
                failed.clear();
                walk_next = false;
                builds += 1;
                let id = build_id(builds);
                if let (Ok(mut s), Some(session)) = (state.write(), session.as_ref()) {
                    s.outputs = session.outputs();
                    s.errors.clear();
                    s.build_id = id.clone();
                }
                last_errors.clear();
                events.send("build", &id);
                // The debounce delay is not counted: it is the same for every save.
                on_event(ServeEvent::Rebuilt {
                    kinds: batch.kinds,
                    report,
                    since_change: changed_at.elapsed(),
                });
            }
            Err(errors) => {
                failed = kinds;
                // The rebuild may have served what the last one left for
                // after the reload first: publish it, and its marks' end.
                if let (Ok(mut s), Some(session)) = (state.write(), session.as_ref()) {
                    s.outputs = session.outputs();
                }
                report(&state, &events, &mut last_errors, on_event, errors);
            }
        }
    }
    Ok(())
}

/// The least time a rebuild is allowed before it is stopped.
const REBUILD_BUDGET_FLOOR: Duration = Duration::from_secs(20);

struct Outcome {
    /// None when the rebuild had to be abandoned: the next one starts afresh.
    session: Option<Session>,
    result: Result<Report, Vec<Diagnostic>>,
}

/// Rebuild on a worker thread, waiting at most `budget`. Past it the build is
/// cancelled (rendering stops between pages and inside `range()` loops); if
/// it still does not return, it is left to finish on its own and a new
/// session takes over.
fn rebuild_within(
    session: Option<Session>,
    opts: &mut BuildOptions,
    kinds: &BTreeSet<ChangeKind>,
    paths: Option<Vec<std::path::PathBuf>>,
    budget: Duration,
) -> Outcome {
    let mut session = session.unwrap_or_else(|| Session::new(opts.clone()));
    let cancel = opts.cancel.clone().unwrap_or_default();
    let kinds = kinds.clone();
    let (tx, rx) = channel();
    let spawned = std::thread::Builder::new()
        .name("gazette-rebuild".into())
        .spawn(move || {
            let result = session.rebuild_files(&kinds, paths.as_deref());
            let _ = tx.send((session, result));
        });
    if let Err(e) = spawned {
        return Outcome {
            session: None,
            result: Err(vec![Diagnostic::error(
                "serve",
                None,
                format!("cannot start a rebuild: {e}"),
            )]),
        };
    }
    match rx.recv_timeout(budget) {
        Ok((session, result)) => Outcome {
            session: Some(session),
            result,
        },
        Err(_) => {
            cancel.store(true, Ordering::Relaxed);
            let late = rx.recv_timeout(Duration::from_secs(2)).ok();
            // Finished within the grace period after all: keep what it made.
            if let Some((session, Ok(report))) = late {
                cancel.store(false, Ordering::Relaxed);
                return Outcome {
                    session: Some(session),
                    result: Ok(report),
                };
            }
            let session = late.map(|(session, _)| session);
            // A build still running keeps its (set) flag; the next session gets a fresh one.
            match &session {
                Some(_) => cancel.store(false, Ordering::Relaxed),
                None => opts.cancel = Some(Arc::new(AtomicBool::new(false))),
            }
            let stopped = Diagnostic::error(
                "templates",
                None,
                format!("the rebuild took longer than {} s and was stopped", budget.as_secs()),
            )
            .with_help(Some(
                "look for a template loop that does not end (nested `for` or `range()`), then save again".into(),
            ));
            Outcome {
                session,
                result: Err(vec![stopped]),
            }
        }
    }
}

/// Show `errors` over every page and push them to open pages; tell the
/// person running the server only when they differ from the last ones.
fn report(
    state: &RwLock<http::State>,
    events: &http::Broadcaster,
    last_errors: &mut Vec<Diagnostic>,
    on_event: &mut dyn FnMut(ServeEvent),
    errors: Vec<Diagnostic>,
) {
    set_errors(state, errors.clone());
    events.send("errors", &http::errors_json(&errors));
    if errors != *last_errors {
        last_errors.clone_from(&errors);
        on_event(ServeEvent::Failed(errors));
    }
}

fn set_errors(state: &RwLock<http::State>, errors: Vec<Diagnostic>) {
    if let Ok(mut s) = state.write() {
        s.errors = errors;
    }
}

fn render_errors(d: &[Diagnostic]) -> String {
    d.iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("\n")
}

/// Bind `port`, or the next free one.
fn bind(ip: IpAddr, port: u16) -> Result<(std::net::TcpListener, u16), String> {
    let mut last = String::new();
    for p in port..=port.saturating_add(20) {
        match std::net::TcpListener::bind(SocketAddr::new(ip, p)) {
            Ok(s) => {
                let used = s.local_addr().map_or(p, |a| a.port());
                return Ok((s, used));
            }
            Err(e) => last = e.to_string(),
        }
    }
    Err(format!(
        "cannot listen on {ip} ports {port} to {}: {last}",
        port.saturating_add(20)
    ))
}
