//! `gazette serve`: build, serve on loopback, watch, rebuild what changed,
//! reload open pages. The library reports what happens through a callback;
//! the binary prints.

pub mod http;
pub mod session;
pub mod watch;

use std::collections::BTreeSet;
use std::net::{IpAddr, SocketAddr};
use std::sync::mpsc::channel;
use std::sync::{Arc, RwLock};
use std::time::{Duration, Instant};

use crate::build::BuildOptions;
use crate::config::BaseUrl;
use crate::diagnostics::Diagnostic;
use session::{ChangeKind, Report, Session};

pub struct ServeOptions {
    pub build: BuildOptions,
    pub bind: IpAddr,
    pub port: u16,
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
    let mut build = opts.build.clone();
    let config = crate::build::load_config(&build).map_err(|d| render_errors(&d))?;
    let base_path = config.base_url.path.clone();
    let host = match opts.bind {
        IpAddr::V6(ip) => format!("[{ip}]"),
        IpAddr::V4(ip) => ip.to_string(),
    };
    let url = format!("http://{host}:{port}{base_path}");
    build.base_url = Some(url.clone());
    let base = BaseUrl::parse(&url).map_err(|e| e.to_string())?;

    let started = Instant::now();
    let build_id = |n: u64| {
        format!(
            "{:x}-{n}",
            started.elapsed().as_nanos() ^ u128::from(std::process::id())
        )
    };
    let mut session = Session::new(build.clone());
    let mut builds = 0u64;
    let first = session.full_build();
    let state = Arc::new(RwLock::new(http::State {
        outputs: session.outputs(),
        errors: Vec::new(),
        build_id: build_id(builds),
        root: build.root.clone(),
        base_path: base.path.clone(),
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
    // Watch before announcing the address, so that no save after it is missed.
    let (tx, rx) = channel();
    let mut watcher = watch::Watcher::start(&build.root, &build.output_dir(), tx)?;
    on_event(ServeEvent::Listening { url });
    let mut last_errors: Vec<Diagnostic> = Vec::new();
    while let Ok(batch) = rx.recv() {
        if let Some(e) = batch.error {
            on_event(ServeEvent::WatchError(e));
            continue;
        }
        let changed_at = Instant::now();
        watcher.watch_new_dirs();
        match session.rebuild(&batch.kinds) {
            Ok(report) => {
                builds += 1;
                let id = build_id(builds);
                if let Ok(mut s) = state.write() {
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
                set_errors(&state, errors.clone());
                events.send("errors", &http::errors_json(&errors));
                if errors != last_errors {
                    last_errors = errors.clone();
                    on_event(ServeEvent::Failed(errors));
                }
            }
        }
    }
    Ok(())
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
