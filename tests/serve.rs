//! The dev server: incremental rebuilds equal full builds; the real binary
//! serves pages, 404s and redirects, refuses traversal, pushes reloads and
//! errors over Server-Sent Events as files are edited, deleted and renamed.

mod common;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use common::*;
use gazette::build::BuildOptions;
use gazette::render::Contents;
use gazette::serve::session::{ChangeKind, Report, Served, Session};

fn bytes(outputs: &Served) -> BTreeMap<String, Vec<u8>> {
    outputs
        .files()
        .iter()
        .map(|(k, v)| {
            let b = match v.as_ref() {
                Contents::Bytes(b) => b.clone(),
                Contents::Copy(p) => std::fs::read(p).unwrap(),
            };
            (k.clone(), b)
        })
        .collect()
}

/// What `gazette build` writes for the site at `root`, by path.
fn full_build(root: &Path) -> BTreeMap<String, Vec<u8>> {
    let out = tempfile::tempdir().unwrap();
    gazette::build::build(&BuildOptions {
        output: Some(out.path().join("public")),
        allow_outside: true,
        ..opts(root)
    })
    .unwrap();
    let public = out.path().join("public");
    // The marker that says the folder is gazette's output is not served.
    walkdir::WalkDir::new(&public)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file() && e.file_name() != ".gazette-output")
        .map(|e| {
            let rel = e.path().strip_prefix(&public).unwrap();
            let rel = rel.to_string_lossy().replace('\\', "/");
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect()
}

/// The session serves exactly the files of `full`, byte for byte, once its
/// background work (search index, export, feeds...) is done.
fn assert_same(name: &str, session: &mut Session, full: &BTreeMap<String, Vec<u8>>) {
    session.settle();
    let incremental = bytes(&session.outputs());
    assert_eq!(
        incremental.keys().collect::<Vec<_>>(),
        full.keys().collect::<Vec<_>>(),
        "{name}: files differ"
    );
    for (path, b) in full {
        assert!(
            incremental[path] == *b,
            "{name}: {path} differs from a full build"
        );
    }
}

/// Every file under `dir`, with its bytes.
fn snapshot(dir: &Path) -> BTreeMap<std::path::PathBuf, Vec<u8>> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .map(Result::unwrap)
        .filter(|e| e.file_type().is_file())
        .map(|e| (e.path().to_path_buf(), std::fs::read(e.path()).unwrap()))
        .collect()
}

/// The files that differ between two snapshots, absolute, as the file
/// watcher reports them.
fn touched(
    before: &BTreeMap<std::path::PathBuf, Vec<u8>>,
    after: &BTreeMap<std::path::PathBuf, Vec<u8>>,
) -> Vec<std::path::PathBuf> {
    before
        .keys()
        .chain(after.keys())
        .filter(|p| before.get(*p) != after.get(*p))
        .map(|p| {
            let parent = p.parent().unwrap().canonicalize().unwrap();
            parent.join(p.file_name().unwrap())
        })
        .collect()
}

/// Run `step` on the site's files, then rebuild from the paths it touched,
/// as the watcher would report them (content is re-read from them).
fn rebuild_after(
    session: &mut Session,
    root: &Path,
    kind: ChangeKind,
    name: &str,
    step: impl FnOnce(),
) -> Report {
    let before = snapshot(root);
    step();
    let paths = touched(&before, &snapshot(root));
    session
        .rebuild_files(&[kind].into_iter().collect(), Some(&paths))
        .unwrap_or_else(|e| panic!("{name}: {e:?}"))
}

fn opts(root: &Path) -> BuildOptions {
    BuildOptions {
        as_of: Some(jiff::civil::date(2026, 6, 20)),
        ..BuildOptions::new(root)
    }
}

fn edit(path: &Path, from: &str, to: &str) {
    let text = read(path);
    assert!(
        text.contains(from),
        "{} does not contain {from:?}",
        path.display()
    );
    std::fs::write(path, text.replace(from, to)).unwrap();
}

/// Apply each edit, rebuild incrementally, and compare with a fresh full build.
#[test]
fn incremental_rebuilds_equal_full_builds() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    let content = |p: &str| root.join("content").join(p);
    type Step = Box<dyn Fn()>;
    let steps: Vec<(&str, ChangeKind, Step)> = vec![
        (
            "agency title",
            ChangeKind::Content,
            Box::new({
                let p = content("agencies/treasury.md");
                move || edit(&p, "Department of the Treasury", "Treasury Department")
            }),
        ),
        (
            "agency acronym",
            ChangeKind::Content,
            Box::new({
                let p = content("agencies/cisa.md");
                move || edit(&p, "acronym: CISA", "acronym: CISA-X")
            }),
        ),
        (
            "order signing date",
            ChangeKind::Content,
            Box::new({
                let p = content("orders/eo.md");
                move || edit(&p, "signed: 2026-06-02", "signed: 2026-06-05")
            }),
        ),
        (
            "order short title",
            ChangeKind::Content,
            Box::new({
                let p = content("orders/eo.md");
                move || edit(&p, "short_title: AI EO", "short_title: The EO")
            }),
        ),
        (
            "provision body",
            ChangeKind::Content,
            Box::new({
                let p = content("provisions/review.md");
                move || edit(&p, "Review body.", "Review body, with [[treasury]].")
            }),
        ),
        (
            "provision body text only",
            ChangeKind::Content,
            Box::new({
                let p = content("provisions/clearinghouse.md");
                move || edit(&p, "Treasury]] leads;", "Treasury]] leads the work;")
            }),
        ),
        (
            "event body, shown in the feed",
            ChangeKind::Content,
            Box::new({
                let p = content("events/signing.md");
                move || std::fs::write(&p, read(&p) + "\nSigned at the White House.\n").unwrap()
            }),
        ),
        (
            "home page text",
            ChangeKind::Content,
            Box::new({
                let p = root.join("content/_index.md");
                move || edit(&p, "Tracking", "Following")
            }),
        ),
        (
            "source title",
            ChangeKind::Content,
            Box::new({
                let p = content("sources/reuters.md");
                move || edit(&p, "Trump signs AI order", "Order signed")
            }),
        ),
        (
            "a deadline another file's event counts from",
            ChangeKind::Content,
            Box::new({
                let p = content("provisions/clearinghouse.md");
                move || {
                    edit(
                        &p,
                        "within_days: 30, of: signing",
                        "within_days: 45, of: signing",
                    )
                }
            }),
        ),
        (
            "new provision",
            ChangeKind::Content,
            Box::new({
                let p = content("provisions/new-one.md");
                move || {
                    std::fs::write(&p, "---\ntitle: New\norder: eo\nagencies: [dhs]\nsummary: S\nsources: [cfr]\n---\n").unwrap()
                }
            }),
        ),
        (
            "rename provision",
            ChangeKind::Content,
            Box::new({
                let (a, b) = (
                    content("provisions/new-one.md"),
                    content("provisions/renamed.md"),
                );
                move || std::fs::rename(&a, &b).unwrap()
            }),
        ),
        (
            "delete event",
            ChangeKind::Content,
            Box::new({
                let p = content("events/follow-up.md");
                move || std::fs::remove_file(&p).unwrap()
            }),
        ),
        (
            "page title",
            ChangeKind::Content,
            Box::new({
                let p = content("pages/about.md");
                move || edit(&p, "title: About", "title: About us")
            }),
        ),
        (
            "template",
            ChangeKind::Template,
            Box::new({
                let d = root.join("templates");
                move || {
                    std::fs::create_dir_all(&d).unwrap();
                    std::fs::write(d.join("page.html"), "{% extends \"base.html\" %}{% block content %}<p>{{ entity.title }}</p>{% endblock content %}").unwrap()
                }
            }),
        ),
        (
            "static",
            ChangeKind::Static,
            Box::new({
                let p = root.join("static/logo.txt");
                move || std::fs::write(&p, "new logo").unwrap()
            }),
        ),
        (
            "site settings: a run from nothing over the last site",
            ChangeKind::Config,
            Box::new({
                let p = root.join("site.yaml");
                move || edit(&p, "title: Basic fixture", "title: Basic fixture site")
            }),
        ),
        (
            "agency title, after a run from nothing",
            ChangeKind::Content,
            Box::new({
                let p = content("agencies/treasury.md");
                move || edit(&p, "Treasury Department", "The Treasury")
            }),
        ),
    ];
    for (name, kind, step) in steps {
        let report = rebuild_after(&mut session, &root, kind, name, step);
        let full = full_build(&root);
        assert_same(name, &mut session, &full);
        if kind == ChangeKind::Content && name != "page title" {
            let total = full.keys().filter(|k| k.ends_with(".html")).count();
            let rendered = report.rendered + session.rendered_after_reload();
            assert!(
                rendered < total,
                "{name}: rendered {rendered} of {total} pages"
            );
        }
        // A body edit that links to the same entities re-renders the
        // provision's own page and no other, without resolving the site.
        if name == "provision body text only" {
            assert_eq!(report.rendered, 1, "{name}");
        }
    }
}

/// Saves that change only text patch the site without resolving it again:
/// two files at once, each page rendered once; a body with a broken link is
/// reported at its position; the fix brings back a site equal to a build.
#[test]
fn body_edits_patch_the_site_and_fall_back_when_they_must() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    let content = ChangeKind::Content;
    let save = |session: &mut Session, edits: &[(&str, &str, &str)]| {
        let before = snapshot(&root);
        for (file, from, to) in edits {
            edit(&root.join("content").join(file), from, to);
        }
        let paths = touched(&before, &snapshot(&root));
        session.rebuild_files(&[content].into_iter().collect(), Some(&paths))
    };
    let report = save(
        &mut session,
        &[
            ("provisions/clearinghouse.md", "leads;", "leads the work;"),
            (
                "provisions/review.md",
                "Review body.",
                "Review body, longer.",
            ),
        ],
    )
    .unwrap();
    // The two provisions' pages, and the review's two version pages.
    assert_eq!(report.rendered, 4);
    assert_same("two bodies", &mut session, &full_build(&root));

    let errors = save(
        &mut session,
        &[(
            "provisions/review.md",
            "longer.",
            "longer, see [[nowhere]].",
        )],
    )
    .unwrap_err();
    assert_eq!(errors.len(), 1, "{errors:?}");
    assert!(
        errors[0]
            .location()
            .starts_with("content/provisions/review.md:"),
        "{errors:?}"
    );
    assert!(errors[0].to_string().contains("nowhere"), "{errors:?}");

    save(
        &mut session,
        &[("provisions/review.md", "longer, see [[nowhere]].", "fixed.")],
    )
    .unwrap();
    assert_same("the fix", &mut session, &full_build(&root));
}

/// Files made after the reload (robots.txt, feeds, the export, the search
/// index) are claimed at once: a static file in their place is an error, as
/// in `gazette build`, not a file silently hidden later.
#[test]
fn a_static_file_may_not_replace_a_file_made_in_the_background() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    for name in [
        "robots.txt",
        "agencies/cisa/feed.xml",
        "pagefind/pagefind-ui.css",
    ] {
        let file = root.join("static").join(name);
        std::fs::create_dir_all(file.parent().unwrap()).unwrap();
        std::fs::write(&file, "mine").unwrap();
        let errors = Session::new(opts(&root)).full_build().unwrap_err();
        assert!(
            errors[0]
                .to_string()
                .contains(&format!("would replace the generated file `/{name}`")),
            "{name}: {errors:?}"
        );
        std::fs::remove_file(&file).unwrap();
    }
}

#[test]
fn a_failed_rebuild_keeps_the_last_good_site() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    session.settle();
    let before = bytes(&session.outputs());
    std::fs::write(
        root.join("content/agencies/bad.md"),
        "---\ntitle: Bad\nparent: nowhere\n---\n",
    )
    .unwrap();
    let errors = session
        .rebuild(&[ChangeKind::Content].into_iter().collect())
        .unwrap_err();
    assert_eq!(errors[0].location(), "content/agencies/bad.md:3:9");
    assert_eq!(bytes(&session.outputs()), before);
    std::fs::remove_file(root.join("content/agencies/bad.md")).unwrap();
    session
        .rebuild(&[ChangeKind::Content].into_iter().collect())
        .unwrap();
    session.settle();
    assert_eq!(bytes(&session.outputs()), before);
}

/// A reference to a file that fails to parse is not reported (the file's
/// own error is); once the file is deleted it is. What the dev server keeps
/// of the referring document must not hide that.
#[test]
fn a_reference_to_a_broken_file_is_reported_once_the_file_is_gone() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    let treasury = root.join("content/agencies/treasury.md");
    let content = [ChangeKind::Content].into_iter().collect();
    std::fs::write(
        &treasury,
        "---
title: [unclosed
---
",
    )
    .unwrap();
    let errors = session.rebuild(&content).unwrap_err();
    assert!(
        errors
            .iter()
            .all(|e| e.location().starts_with("content/agencies/treasury.md")),
        "{errors:#?}"
    );
    std::fs::remove_file(&treasury).unwrap();
    let errors = session.rebuild(&content).unwrap_err();
    assert!(
        errors.iter().any(|e| e
            .location()
            .starts_with("content/provisions/clearinghouse.md")
            && e.message.contains("treasury")),
        "{errors:#?}"
    );
}

// --- The real server -------------------------------------------------------

struct Server {
    child: Child,
    port: u16,
    _stdout: Receiver<String>,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn start(root: &Path) -> Server {
    start_with(root, &[])
}

fn start_with(root: &Path, extra: &[&str]) -> Server {
    start_command(Command::new(env!("CARGO_BIN_EXE_gazette")), root, extra)
}

/// `gazette serve` allowed `files` open files, so that it serves a third as
/// many connections at once.
#[cfg(unix)]
fn start_with_open_files(root: &Path, files: usize) -> Server {
    let mut command = Command::new("sh");
    command.args([
        "-c",
        &format!("ulimit -n {files} && exec \"$0\" \"$@\""),
        env!("CARGO_BIN_EXE_gazette"),
    ]);
    start_command(command, root, &[])
}

/// Start `command`, a gazette or what runs one, serving `root` on a free port.
fn start_command(mut command: Command, root: &Path, extra: &[&str]) -> Server {
    let child = command
        .args(["serve", "--port", "0", "--as-of", "2026-06-20"])
        .args(extra)
        .arg("--root")
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("start gazette serve");
    let mut child = child;
    let stdout = child.stdout.take().expect("stdout");
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    // Owned by `Server` from here on, so that it is killed whatever happens.
    let mut server = Server {
        child,
        port: 0,
        _stdout: rx,
    };
    let deadline = Instant::now() + Duration::from_secs(20);
    while server.port == 0 {
        let line = server
            ._stdout
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .expect("server starts");
        if let Some(url) = line.strip_prefix("Serving at ") {
            server.port = url
                .split(':')
                .nth(2)
                .and_then(|p| p.split('/').next())
                .and_then(|p| p.parse().ok())
                .expect("port");
        }
    }
    server
}

/// A raw HTTP request, so that paths reach the server exactly as written.
fn raw_get(port: u16, path: &str) -> (u16, String, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    // One write: a server that answers 503 without reading (too many
    // connections) may close before a second one.
    let request = format!("GET {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");
    s.write_all(request.as_bytes()).unwrap();
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    let text = String::from_utf8_lossy(&buf).to_string();
    let status = text
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0);
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    (status, head.to_string(), body.to_string())
}

/// Wait until `check` holds: a save can reach the server as more than one
/// batch of events, so the build event seen may be for the first part.
fn eventually(what: &str, check: impl Fn() -> bool) {
    let deadline = Instant::now() + Duration::from_secs(10);
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Lines of the SSE stream, read on a thread.
fn sse(port: u16) -> Receiver<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    write!(
        s,
        "GET /__gazette/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
    )
    .unwrap();
    let (tx, rx) = channel();
    std::thread::spawn(move || {
        for line in BufReader::new(s).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// The next SSE event (name, data), skipping pings.
fn next_event(rx: &Receiver<String>) -> (String, String) {
    next_event_for(rx, "an SSE event")
}

fn next_event_for(rx: &Receiver<String>, what: &str) -> (String, String) {
    let deadline = Instant::now() + Duration::from_secs(15);
    let mut name = String::new();
    let mut data = Vec::new();
    loop {
        let line = rx
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
            .unwrap_or_else(|e| panic!("waiting for {what}: {e}"));
        if let Some(n) = line.strip_prefix("event: ") {
            name = n.to_string();
        } else if let Some(d) = line.strip_prefix("data: ") {
            data.push(d.to_string());
        } else if line.is_empty() && !name.is_empty() {
            return (name, data.join("\n"));
        }
    }
}

#[test]
fn serves_pages_404s_redirects_and_refuses_traversal() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    std::fs::write(root.join("outside.txt"), "secret").unwrap();
    let server = start(&root);
    let (status, head, body) = raw_get(server.port, "/");
    assert_eq!(status, 200);
    assert!(
        head.contains("Content-Type: text/html; charset=utf-8"),
        "{head}"
    );
    assert!(
        body.contains("/__gazette/livereload.js"),
        "served pages get the reload script"
    );
    let (status, _, _) = raw_get(server.port, "/style.css");
    assert_eq!(status, 200);
    let (status, head, _) = raw_get(server.port, "/provisions/review");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /provisions/review/"), "{head}");
    let (status, _, body) = raw_get(server.port, "/no/such/page/");
    assert_eq!(status, 404);
    assert!(body.contains("Page not found"), "the site's own 404 page");
    for path in [
        "/../outside.txt",
        "/%2e%2e/outside.txt",
        "/static/..%2f..%2foutside.txt",
        "/a\\..\\outside.txt",
        "/%00",
        "/C:/outside.txt",
    ] {
        let (status, _, body) = raw_get(server.port, path);
        assert!(status == 400 || status == 404, "{path}: {status}");
        assert!(!body.contains("secret"), "{path} leaked a file");
    }
    // HEAD: headers only.
    let mut s = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(
        s,
        "HEAD / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
    )
    .unwrap();
    let mut buf = String::new();
    let _ = s.read_to_string(&mut buf);
    assert!(buf.starts_with("HTTP/1.1 200"), "{buf}");
    assert!(!buf.contains("<html"), "HEAD has no body");
}

#[test]
fn edits_push_reloads_and_errors_over_sse() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    let events = sse(server.port);
    let (name, first_id) = next_event(&events);
    assert_eq!(name, "build");
    let agency = root.join("content/agencies/treasury.md");

    // An edit: a new build, and the page shows it.
    edit(&agency, "Department of the Treasury", "Treasury, edited");
    let (name, id) = next_event(&events);
    assert_eq!(name, "build");
    assert_ne!(id, first_id);
    eventually("the edit", || {
        raw_get(server.port, "/agencies/treasury/")
            .2
            .contains("Treasury, edited")
    });

    // A mistake: an errors event with the position; the last good page still served.
    edit(&agency, "acronym: Treasury", "acronym: Treasury\nparnt: x");
    let (name, data) = next_event(&events);
    assert_eq!(name, "errors");
    assert!(data.contains("content/agencies/treasury.md:4:1"), "{data}");
    let (status, _, body) = raw_get(server.port, "/agencies/treasury/");
    assert_eq!(status, 200);
    assert!(
        body.contains("Treasury, edited") && body.contains("gazette-errors"),
        "last good page with the overlay data"
    );

    // The fix: a build event, no overlay.
    edit(&agency, "\nparnt: x", "");
    let (name, _) = next_event(&events);
    assert_eq!(name, "build");
    let (_, _, body) = raw_get(server.port, "/agencies/treasury/");
    assert!(!body.contains("gazette-errors"));

    // Delete and rename files.
    std::fs::remove_file(root.join("content/events/follow-up.md")).unwrap();
    assert_eq!(next_event_for(&events, "delete").0, "build");
    eventually("the deletion", || {
        raw_get(server.port, "/events/follow-up/").0 == 404
    });
    std::fs::rename(
        root.join("content/pages/about.md"),
        root.join("content/pages/about-us.md"),
    )
    .unwrap();
    assert_eq!(next_event(&events).0, "build");
    eventually("the rename", || {
        raw_get(server.port, "/about/").0 == 404 && raw_get(server.port, "/about-us/").0 == 200
    });

    // A whole folder moved away and back.
    std::fs::rename(root.join("content/events"), root.join("events-away")).unwrap();
    assert_eq!(next_event_for(&events, "folder moved out").0, "build");
    eventually("the folder to go", || {
        raw_get(server.port, "/events/signing/").0 == 404
    });
    std::fs::rename(root.join("events-away"), root.join("content/events")).unwrap();
    assert_eq!(next_event_for(&events, "folder moved back").0, "build");
    eventually("the folder to come back", || {
        raw_get(server.port, "/events/signing/").0 == 200
    });

    // Editor swap files do not trigger rebuilds; build output is never written.
    // (A move can reach the server as two batches: let the second one pass.)
    std::thread::sleep(Duration::from_millis(300));
    while events.try_recv().is_ok() {}
    std::fs::write(root.join("content/agencies/.treasury.md.swp"), "x").unwrap();
    std::fs::write(root.join("content/agencies/treasury.md~"), "x").unwrap();
    std::thread::sleep(Duration::from_millis(600));
    assert!(events.try_recv().is_err(), "no event for temporary files");
    assert!(
        !root.join("public").exists(),
        "serve writes nothing to public/"
    );
}

/// A save that empties a file and writes it again, slower than the debounce
/// (a busy machine, `std::fs::write`), is built once, from the written file.
/// (Linux reports closes; elsewhere the empty file's errors show first.)
#[cfg(target_os = "linux")]
#[test]
fn a_file_written_in_two_steps_is_built_once_closed() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    let events = sse(server.port);
    assert_eq!(next_event(&events).0, "build");
    let agency = root.join("content/agencies/treasury.md");
    let text = read(&agency).replace("Department of the Treasury", "Treasury, edited");
    {
        let mut f = std::fs::File::create(&agency).unwrap();
        std::thread::sleep(Duration::from_millis(300));
        f.write_all(text.as_bytes()).unwrap();
    }
    let (name, data) = next_event(&events);
    assert_eq!(name, "build", "{data}");
    assert!(raw_get(server.port, "/agencies/treasury/")
        .2
        .contains("Treasury, edited"));
}

#[test]
fn a_busy_port_moves_to_the_next_one() {
    let busy = std::net::TcpListener::bind(("127.0.0.1", 0)).unwrap();
    let port = busy.local_addr().unwrap().port();
    let (_tmp, root) = copy_site(&fixture("basic"));
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["serve", "--port", &port.to_string(), "--root"])
        .arg(&root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut lines = BufReader::new(child.stdout.take().unwrap()).lines();
    let first = lines.next().unwrap().unwrap();
    assert!(
        first.starts_with(&format!("Port {port} is in use; using ")),
        "{first}"
    );
    let _ = child.kill();
    let _ = child.wait();
}

#[test]
fn serves_under_the_base_path_of_base_url() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    edit(
        &root.join("site.yaml"),
        "base_url: https://example.org/",
        "base_url: https://example.org/kb/",
    );
    let server = start(&root);
    let (status, _, body) = raw_get(server.port, "/kb/provisions/review/");
    assert_eq!(status, 200);
    assert!(
        body.contains("href=\"/kb/agencies/cisa/\""),
        "links carry the base path"
    );
    assert!(body.contains("src=\"/kb/__gazette/livereload.js\""));
    let (status, head, _) = raw_get(server.port, "/");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /kb/"), "{head}");
    assert_eq!(raw_get(server.port, "/kb/__gazette/livereload.js").0, 200);
}

#[cfg(unix)]
#[test]
fn static_links_that_point_outside_the_site_are_refused() {
    let (tmp, root) = copy_site(&fixture("basic"));
    std::fs::write(tmp.path().join("secret.txt"), "secret").unwrap();
    std::os::unix::fs::symlink(tmp.path().join("secret.txt"), root.join("static/leak.txt"))
        .unwrap();
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.starts_with(
            "static/leak.txt: error: this static file is a link to a file outside the site"
        ),
        "{}",
        run.stderr
    );
    let server = start(&root);
    let (status, _, body) = raw_get(server.port, "/leak.txt");
    assert_eq!(status, 404);
    assert!(!body.contains("secret"));
}

#[test]
fn a_stuck_client_does_not_block_others() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    // Half a request, never finished, and an SSE stream nobody reads.
    let mut stuck = TcpStream::connect(("127.0.0.1", server.port)).unwrap();
    write!(stuck, "GET /provisions/review/ HTTP/1.1\r\nHost: x\r\n").unwrap();
    let _events = sse(server.port);
    let started = Instant::now();
    let (status, _, _) = raw_get(server.port, "/agencies/cisa/");
    assert_eq!(status, 200);
    assert!(
        started.elapsed() < Duration::from_secs(5),
        "took {:?}",
        started.elapsed()
    );
}

#[test]
fn built_sites_carry_no_live_reload_script() {
    let (tmp, root) = copy_site(&fixture("basic"));
    let run = gazette(&["build", "--root", root.to_str().unwrap()], tmp.path());
    assert_eq!(run.code, 0, "{}", run.stderr);
    for rel in files(&root.join("public")) {
        if rel.extension().is_some_and(|e| e == "html") {
            assert!(
                !read(&root.join("public").join(&rel)).contains("__gazette"),
                "{}",
                rel.display()
            );
        }
    }
}

/// A raw request head, and the status line's code of the answer.
fn status_of(port: u16, head: &str) -> u16 {
    let Ok(mut s) = TcpStream::connect(("127.0.0.1", port)) else {
        return 0;
    };
    let _ = s.set_read_timeout(Some(Duration::from_secs(10)));
    let _ = s.write_all(head.as_bytes());
    let mut buf = Vec::new();
    let _ = s.read_to_end(&mut buf);
    String::from_utf8_lossy(&buf)
        .split(' ')
        .nth(1)
        .and_then(|c| c.parse().ok())
        .unwrap_or(0)
}

#[test]
fn only_loopback_names_and_bounded_heads_are_answered() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    let get = |host: &str| {
        status_of(
            server.port,
            &format!("GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n"),
        )
    };
    assert_eq!(get("evil.example"), 421, "a DNS-rebinding name");
    assert_eq!(get(&format!("evil.example:{}", server.port)), 421);
    assert_eq!(get(&format!("localhost:{}", server.port)), 200);
    assert_eq!(get(&format!("127.0.0.1:{}", server.port)), 200);
    assert_eq!(
        status_of(server.port, "GET / HTTP/1.1\r\nConnection: close\r\n\r\n"),
        400,
        "no Host"
    );
    let long_line = format!(
        "GET /{} HTTP/1.1\r\nHost: localhost\r\n\r\n",
        "a".repeat(1 << 20)
    );
    assert_eq!(status_of(server.port, &long_line), 414);
    let long_header = format!(
        "GET / HTTP/1.1\r\nHost: localhost\r\nX: {}\r\n\r\n",
        "a".repeat(1 << 20)
    );
    assert_eq!(status_of(server.port, &long_header), 431);
    assert_eq!(
        status_of(server.port, "POST / HTTP/1.1\r\nHost: localhost\r\n\r\n"),
        405
    );
}

#[test]
fn idle_connections_do_not_take_the_server_down() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    // More idle connections than the server keeps: the excess is shed, the
    // idle ones are dropped under pressure, and real requests still get through.
    let idle: Vec<TcpStream> = (0..400)
        .filter_map(|_| TcpStream::connect(("127.0.0.1", server.port)).ok())
        .collect();
    assert!(idle.len() > 300);
    // A connection refused while the backlog is full counts as a failed try.
    eventually("a page while flooded", || {
        std::panic::catch_unwind(|| raw_get(server.port, "/").0 == 200).unwrap_or(false)
    });
    drop(idle);
    eventually("the flood to clear", || {
        status_of(
            server.port,
            "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
        ) == 200
    });
    for _ in 0..20 {
        assert_eq!(raw_get(server.port, "/agencies/cisa/").0, 200);
    }
}

#[test]
fn a_broken_site_yaml_stays_reported_after_a_good_content_save() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    let events = sse(server.port);
    assert_eq!(next_event(&events).0, "build");
    let config = root.join("site.yaml");
    let good = read(&config);
    std::fs::write(&config, format!("{good}\nbogus_key: 1\n")).unwrap();
    let (name, data) = next_event_for(&events, "the config error");
    assert_eq!(name, "errors");
    assert!(data.contains("site.yaml"), "{data}");
    // A good save elsewhere: site.yaml is still broken, so still an error.
    edit(
        &root.join("content/agencies/treasury.md"),
        "Department of the Treasury",
        "Treasury, edited",
    );
    let (name, data) = next_event_for(&events, "the content save");
    assert_eq!(name, "errors", "{data}");
    assert!(data.contains("site.yaml"), "{data}");
    std::fs::write(&config, &good).unwrap();
    assert_eq!(next_event_for(&events, "the fix").0, "build");
    eventually("the content edit", || {
        raw_get(server.port, "/agencies/treasury/")
            .2
            .contains("Treasury, edited")
    });
}

#[test]
fn a_new_base_path_is_served_without_a_restart() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    let events = sse(server.port);
    assert_eq!(next_event(&events).0, "build");
    let config = root.join("site.yaml");
    let text = read(&config);
    let text = match text.lines().find(|l| l.starts_with("base_url:")) {
        Some(line) => text.replace(line, "base_url: https://example.org/kb/"),
        None => format!("{text}\nbase_url: https://example.org/kb/\n"),
    };
    std::fs::write(&config, text).unwrap();
    eventually("the new base path", || {
        let (status, _, body) = raw_get(server.port, "/kb/agencies/cisa/");
        status == 200 && body.contains("href=\"/kb/")
    });
}

#[test]
fn a_runaway_template_is_stopped_and_reported() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start_with(&root, &["--rebuild-budget", "2"]);
    let events = sse(server.port);
    assert_eq!(next_event(&events).0, "build");
    std::fs::create_dir_all(root.join("templates")).unwrap();
    let runaway = "{% for a in range(end=10000) %}{% for b in range(end=10000) %}{% for c in range(end=10000) %}{{ c }}{% endfor %}{% endfor %}{% endfor %}";
    std::fs::write(root.join("templates/404.html"), runaway).unwrap();
    let (name, data) = next_event_for(&events, "the stopped rebuild");
    assert_eq!(name, "errors");
    assert!(data.contains("took longer than 2 s"), "{data}");
    // The server still rebuilds: the fix is seen.
    std::fs::remove_file(root.join("templates/404.html")).unwrap();
    assert_eq!(next_event_for(&events, "the fix").0, "build");
    assert_eq!(raw_get(server.port, "/").0, 200);
}

#[test]
fn a_static_file_may_take_the_place_of_a_page_that_is_gone() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let server = start(&root);
    let events = sse(server.port);
    assert_eq!(next_event(&events).0, "build");
    // While the page exists, a static file at its address is a collision ...
    std::fs::create_dir_all(root.join("static/about")).unwrap();
    std::fs::write(root.join("static/about/index.html"), "<p>static about</p>").unwrap();
    let (name, data) = next_event_for(&events, "the collision");
    assert_eq!(name, "errors");
    assert!(data.contains("static/about/index.html"), "{data}");
    // ... and once the page is removed, the static file is served. (The
    // static file's save may have come as two batches, each reported.)
    std::fs::remove_file(root.join("content/pages/about.md")).unwrap();
    let mut event = next_event_for(&events, "the page removed");
    while event.0 == "errors" && event.1.contains("static/about/index.html") {
        event = next_event_for(&events, "the page removed");
    }
    assert_eq!(event.0, "build");
    eventually("the static page", || {
        raw_get(server.port, "/about/").2.contains("static about")
    });
}

/// On large sites the search index, the export, feeds, calendars and
/// spreadsheets are made after the reload, on a thread of their own; a
/// change meanwhile makes them again, and what is served in the end is what
/// a build of the last site writes.
#[test]
fn a_large_site_s_search_index_follows_in_the_background() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    let has_index = |s: &Session| s.outputs().contains_key("pagefind/pagefind.js");
    assert!(!has_index(&session), "pages first, the index after");
    assert!(session.search_pending());
    // A save while the index is built: that index is stale when it ends.
    edit(
        &root.join("content/agencies/treasury.md"),
        "Department of the Treasury",
        "Treasury Department",
    );
    session
        .rebuild(&std::collections::BTreeSet::from([ChangeKind::Content]))
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(60);
    while session.search_pending() {
        assert!(std::time::Instant::now() < deadline, "the index never came");
        session.finish_search();
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    assert!(has_index(&session));
    // The index, the export, feeds, calendars and spreadsheets: all what a
    // full build makes of the edited site.
    assert_same(
        "after the background work",
        &mut session,
        &full_build(&root),
    );
}

/// A site of `n` provisions in lists of `page_size` rows: each provision
/// tasks one of two agencies with two deadlines and has two versions.
fn paged_site(n: usize, page_size: usize) -> (tempfile::TempDir, std::path::PathBuf) {
    let mut files: Vec<(String, String)> = vec![
        (
            "site.yaml".into(),
            format!("title: Paged\nas_of: 2026-07-01\nbase_url: https://example.org/\npage_size: {page_size}\n"),
        ),
        (
            "content/agencies/cisa.md".into(),
            "---\ntitle: Cybersecurity agency\nacronym: CISA\n---\n".into(),
        ),
        (
            "content/agencies/nsa.md".into(),
            "---\ntitle: Security agency\nacronym: NSA\n---\n".into(),
        ),
        (
            "content/events/launch.md".into(),
            "---\ntitle: A launch\ndate: 2026-06-10\nkind: other\nsources: [wh]\n---\n".into(),
        ),
        (
            "content/events/rumor.md".into(),
            "---\ntitle: A rumor\nkind: other\nsources: [wh]\n---\n".into(),
        ),
    ];
    for i in 0..n {
        let agency = if i % 3 == 0 { "cisa" } else { "treasury" };
        files.push((
            format!("content/provisions/p{i:03}.md"),
            generated_provision(i, agency, &format!("Body {i}, see [[{agency}]].")),
        ));
    }
    let files: Vec<(&str, &str)> = files
        .iter()
        .map(|(p, t)| (p.as_str(), t.as_str()))
        .collect();
    site(&files)
}

/// On a site whose lists run to many pages, an edit re-renders the list
/// pages it reaches, not every page of every list, and the result is still
/// what `gazette build` writes: titles, dates that move rows across pages,
/// an agency's acronym, an agency's first dated item (the timeline's
/// filters), an undated event deleted, new and deleted provisions.
#[test]
fn list_pages_are_rendered_again_only_where_an_edit_reaches() {
    let (_tmp, root) = paged_site(40, 10);
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    let file = |i: usize| root.join(format!("content/provisions/p{i:03}.md"));
    type Step = Box<dyn Fn()>;
    let steps: Vec<(&str, Step)> = vec![
        (
            "title",
            Box::new({
                let p = file(17);
                move || edit(&p, "title: Provision 017", "title: Provision 017, renamed")
            }),
        ),
        (
            "title that moves the row",
            Box::new({
                let p = file(18);
                move || edit(&p, "title: Provision 018", "title: A provision first")
            }),
        ),
        (
            "due date that moves a deadline to another page",
            Box::new({
                let p = file(5);
                move || edit(&p, "within_days: 6,", "within_days: 420,")
            }),
        ),
        (
            "agency acronym",
            Box::new({
                let p = root.join("content/agencies/cisa.md");
                move || edit(&p, "acronym: CISA", "acronym: CISA-X")
            }),
        ),
        (
            "body",
            Box::new({
                let p = file(30);
                move || edit(&p, "Body 30,", "Body 30, longer,")
            }),
        ),
        (
            "an agency's first dated item",
            Box::new({
                let p = root.join("content/events/launch.md");
                move || edit(&p, "kind: other\n", "kind: other\nrelated: [nsa]\n")
            }),
        ),
        (
            "deleted undated event",
            Box::new({
                let p = root.join("content/events/rumor.md");
                move || std::fs::remove_file(&p).unwrap()
            }),
        ),
        (
            "new provision",
            Box::new({
                let (from, to) = (file(3), file(99));
                move || {
                    std::fs::write(
                        &to,
                        read(&from)
                            .replace("Provision 003", "Provision 099")
                            .replace("d3-", "d99-"),
                    )
                    .unwrap()
                }
            }),
        ),
        (
            "deleted provision",
            Box::new({
                let p = file(21);
                move || std::fs::remove_file(&p).unwrap()
            }),
        ),
    ];
    let mut total = 0;
    for (name, step) in steps {
        let report = rebuild_after(&mut session, &root, ChangeKind::Content, name, step);
        let full = full_build(&root);
        assert_same(name, &mut session, &full);
        let pages = full.keys().filter(|k| k.ends_with(".html")).count();
        if name == "title" {
            let rendered = report.rendered + session.rendered_after_reload();
            assert!(
                rendered * 3 < pages,
                "{name}: rendered {rendered} of {pages} pages"
            );
        }
        total = pages;
    }
    assert!(total > 100, "a site of many list pages: {total}");
}

/// A title edit renders the entity's own pages before the reload; the
/// list pages, which may show the title, are marked (a request for one
/// waits) and served as they were until those that do show it are
/// rendered again; then the site is what a build writes.
#[test]
fn pages_that_show_an_edit_follow_the_reload() {
    let (_tmp, root) = paged_site(40, 10);
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    session.settle();
    let before = bytes(&session.outputs());
    let p = root.join("content/provisions/p017.md");
    let report = rebuild_after(&mut session, &root, ChangeKind::Content, "title", || {
        edit(&p, "title: Provision 017", "title: Provision 017, renamed")
    });
    let served = session.outputs();
    let own = "provisions/p017/index.html";
    assert!(!served.is_later(own));
    assert!(bytes(&served)[own].windows(7).any(|w| w == b"renamed"));
    let later: Vec<String> = served.later().map(String::from).collect();
    assert!(
        !later.is_empty() && report.later == later.len(),
        "{} pages later: {later:?}",
        report.later,
    );
    for path in &later {
        assert_eq!(
            bytes(&served)[path],
            before[path],
            "{path} is served as it was"
        );
    }
    session.settle();
    let served = session.outputs();
    assert_eq!(served.later().count(), 0);
    // Those that show the title are rendered again, not every list page.
    let again = session.rendered_after_reload();
    assert!(
        again > 0 && again < later.len(),
        "{again} of {}",
        later.len()
    );
    let now = bytes(&served);
    assert!(later.iter().any(|path| now[path] != before[path]));
    assert_same("after the reload", &mut session, &full_build(&root));
}

/// On a list of more pages than its pager lists, a title at a page's edge
/// is on the first page's full list and on the pages nearby, not on every
/// page: those are rendered again, and the result is what a build writes.
#[test]
fn a_title_at_a_page_edge_renders_the_pages_that_list_it() {
    let (_tmp, root) = paged_site(150, 10);
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    // Provision 070 is the first row of page 8 of the provisions' list.
    let path = root.join("content/provisions/p070.md");
    let name = "title at a page edge";
    let report = rebuild_after(&mut session, &root, ChangeKind::Content, name, || {
        edit(
            &path,
            "title: Provision 070",
            "title: Provision 070, renamed",
        )
    });
    let full = full_build(&root);
    assert_same(name, &mut session, &full);
    let pages = full.keys().filter(|k| k.ends_with(".html")).count();
    let rendered = report.rendered + session.rendered_after_reload();
    assert!(rendered * 8 < pages, "rendered {rendered} of {pages} pages");
}

/// Requests waiting for the background work do not take every connection:
/// when connections run short they are answered at once, and a page is
/// still served.
#[cfg(unix)]
#[test]
fn waiting_requests_leave_room_for_pages() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let config = root.join("site.yaml");
    std::fs::write(&config, read(&config) + "search_part_size: 1\n").unwrap();
    // 64 open files: 21 connections at once.
    let server = start_with_open_files(&root, 64);
    let port = server.port;
    let waiting: Vec<_> = (0..40)
        .map(|i| std::thread::spawn(move || raw_get(port, &format!("/pagefind/x{i}.js")).0))
        .collect();
    std::thread::sleep(Duration::from_millis(100));
    let (status, _, _) = raw_get(port, "/about/");
    assert_eq!(status, 200, "a page while requests wait");
    for w in waiting {
        assert!([404, 503].contains(&w.join().unwrap()));
    }
}

/// Just after a start, the search index is still being made in the
/// background: a request for one of its files waits for it rather than
/// getting a 404, and a request for a file nothing is making does not wait.
#[test]
fn a_file_being_made_in_the_background_is_waited_for() {
    let (_tmp, root) = copy_site(&fixture("basic"));
    let config = root.join("site.yaml");
    // A part per entity: the index takes a while to make.
    std::fs::write(&config, read(&config) + "search_part_size: 1\n").unwrap();
    let server = start(&root);
    let asked = Instant::now();
    let (status, _, _) = raw_get(server.port, "/nothing-makes-this.js");
    assert_eq!(status, 404);
    assert!(
        asked.elapsed() < Duration::from_secs(2),
        "a file nothing makes is not waited for: {:?}",
        asked.elapsed()
    );
    let (status, _, body) = raw_get(server.port, "/pagefind/part-13/pagefind-entry.json");
    assert_eq!(status, 200, "the last part, made last: {body}");
    assert!(body.contains("page_count"), "{body}");
}

/// Where the matrix's pages end follows its rows' agencies (a page ends
/// before a 41st column), and a site of more than 30 agencies lists their
/// timelines on the first timeline page only: an edit that moves where a
/// page ends re-renders the pages it moves rows between, and the result is
/// what `gazette build` writes.
#[test]
fn an_edit_that_moves_where_a_matrix_page_ends_equals_a_full_build() {
    let (_tmp, root) = many_agencies(45, 60, 50);
    let mut session = Session::new(opts(&root));
    session.full_build().unwrap();
    let served = |path: &str| bytes(&session.outputs()).contains_key(path);
    assert!(served("matrix/page/2/index.html"));
    // Provision 5 tasks a06 rather than a05: the first page's first 40 rows
    // task 39 agencies, so its 41st row joins it.
    let p = root.join("content/provisions/p005.md");
    let name = "agency that moves where a matrix page ends";
    rebuild_after(&mut session, &root, ChangeKind::Content, name, || {
        std::fs::write(&p, read(&p).replace("a05", "a06")).unwrap()
    });
    let full = full_build(&root);
    assert_same(name, &mut session, &full);
    let first = String::from_utf8_lossy(&full["matrix/index.html"]).into_owned();
    assert!(first.contains("1–41 of 60"), "the row moved pages");
}
