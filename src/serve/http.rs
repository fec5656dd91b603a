//! The dev server's HTTP side: serves the in-memory site, injects the live
//! reload script into HTML pages, streams Server-Sent Events.
//!
//! It is a small HTTP/1.1 server on `std::net`, written for hostile clients:
//! - connections are bounded (by the file-descriptor limit too); past the
//!   bound new ones get `503` at once, and under pressure a connection that
//!   has not sent a whole request within a second is dropped, so idle
//!   connections cannot starve real ones; accept errors (`EMFILE`) are waited
//!   out, never fatal;
//! - a request head is at most [`MAX_HEAD`] bytes (`431`, or `414` for the
//!   request line) and must arrive within [`HEAD_TIMEOUT`];
//! - only loopback names and IP literals are accepted as `Host` (`421`
//!   otherwise), so a DNS-rebinding page cannot read the site;
//! - no lock is held while reading a file or writing to a socket; static
//!   files are streamed, opened without blocking, and only if regular.
//!
//! Only paths of the built site are served: a request path is decoded and
//! normalized, and anything with `..`, a backslash, a NUL or a drive letter is
//! refused before it is looked up. Static files are read from the site's own
//! folders only, never through a link that leaves the site.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::{Duration, Instant};

use super::session::Served;
use crate::diagnostics::Diagnostic;
use crate::render::Contents;

/// URL prefix of the dev server's own endpoints.
pub const PREFIX: &str = "__gazette/";
const LIVERELOAD_JS: &str = include_str!("livereload.js");

/// What the server shows: the last good site, and the errors of the last build if it failed.
pub struct State {
    pub outputs: Served,
    pub errors: Vec<Diagnostic>,
    /// Changes with every good build; pages reload when it differs from theirs.
    pub build_id: String,
    /// The site root: static files are served only from inside it.
    pub root: PathBuf,
    /// `/` or `/kb/`
    pub base_path: String,
}

/// Pushes events to every connected browser.
#[derive(Clone, Default)]
pub struct Broadcaster {
    clients: Arc<Mutex<Vec<Sender<String>>>>,
}

impl Broadcaster {
    /// Send an SSE message (`event: NAME\ndata: ...`) to every client; forget closed ones.
    pub fn send(&self, event: &str, data: &str) {
        let message = sse_message(event, data);
        if let Ok(mut clients) = self.clients.lock() {
            clients.retain(|c| c.send(message.clone()).is_ok());
        }
    }

    fn subscribe(&self) -> Receiver<String> {
        let (tx, rx) = channel();
        if let Ok(mut clients) = self.clients.lock() {
            clients.push(tx);
        }
        rx
    }
}

fn sse_message(event: &str, data: &str) -> String {
    let mut m = format!("event: {event}\n");
    for line in data.lines() {
        m.push_str("data: ");
        m.push_str(line);
        m.push('\n');
    }
    if data.is_empty() {
        m.push_str("data: \n");
    }
    m.push('\n');
    m
}

/// The current state as the first SSE message of a new connection.
pub fn state_message(state: &State) -> (&'static str, String) {
    if state.errors.is_empty() {
        ("build", state.build_id.clone())
    } else {
        ("errors", errors_json(&state.errors))
    }
}

/// Errors as JSON for the overlay: `[{"location": "...", "message": "...", "text": "..."}]`.
pub fn errors_json(errors: &[Diagnostic]) -> String {
    let list: Vec<serde_json::Value> = errors
        .iter()
        .map(|d| {
            serde_json::json!({
                "location": d.location(),
                "message": d.message,
                "text": d.to_string(),
            })
        })
        .collect();
    serde_json::Value::Array(list).to_string()
}

/// The longest request head (request line and headers) accepted.
pub const MAX_HEAD: usize = 16 * 1024;
/// The longest request line accepted.
pub const MAX_REQUEST_LINE: usize = 8 * 1024;
/// How long a client may take to send a request head (and how long an idle
/// keep-alive connection is kept).
pub const HEAD_TIMEOUT: Duration = Duration::from_secs(10);
/// The same, when the server is more than half full.
const HEAD_TIMEOUT_UNDER_PRESSURE: Duration = Duration::from_secs(1);
/// How long a write may block on a client that does not read.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// Live-reload streams at once (each open tab holds one).
const MAX_EVENT_STREAMS: usize = 64;

/// Connection bounds, shared by the accept loop and the connections.
pub struct Limits {
    /// Connections served at once.
    pub max_connections: usize,
    active: AtomicUsize,
    streams: AtomicUsize,
}

impl Limits {
    /// At most 256 connections, and no more than a third of the process's
    /// file descriptors (each connection holds one; builds need the rest).
    pub fn for_this_process() -> Limits {
        Limits::new(fd_limit().map_or(256, |n| (n / 3).clamp(8, 256)))
    }

    pub fn new(max_connections: usize) -> Limits {
        Limits {
            max_connections,
            active: AtomicUsize::new(0),
            streams: AtomicUsize::new(0),
        }
    }

    fn under_pressure(&self) -> bool {
        self.active.load(Ordering::Relaxed) * 2 > self.max_connections
    }
}

#[cfg(unix)]
fn fd_limit() -> Option<usize> {
    let mut r = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit writes into the struct it is given.
    let ok = unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut r) } == 0;
    ok.then(|| usize::try_from(r.rlim_cur).unwrap_or(usize::MAX))
}

#[cfg(not(unix))]
fn fd_limit() -> Option<usize> {
    None
}

/// Which `Host` headers are answered: loopback names, IP literals (the
/// address the server is bound to is one), nothing else.
pub fn host_allowed(host: &str) -> bool {
    let name = if let Some(rest) = host.strip_prefix('[') {
        // [::1]:1111
        return match rest.split_once(']') {
            Some((ip, after)) => {
                let port_ok = after.is_empty()
                    || after
                        .strip_prefix(':')
                        .is_some_and(|p| !p.is_empty() && p.chars().all(|c| c.is_ascii_digit()));
                port_ok && ip.parse::<std::net::Ipv6Addr>().is_ok()
            }
            None => false,
        };
    } else {
        host.rsplit_once(':').map_or(host, |(n, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                n
            } else {
                host
            }
        })
    };
    let name = name.trim_end_matches('.').to_ascii_lowercase();
    name == "localhost"
        || name.ends_with(".localhost")
        || name.parse::<std::net::Ipv4Addr>().is_ok()
}

/// Accept connections until the process ends. Never returns on an accept
/// error: running out of file descriptors is waited out.
pub fn run(listener: TcpListener, state: Arc<RwLock<State>>, events: Broadcaster) {
    let limits = Arc::new(Limits::for_this_process());
    serve(listener, state, events, limits);
}

/// [`run`] with given limits.
pub fn serve(
    listener: TcpListener,
    state: Arc<RwLock<State>>,
    events: Broadcaster,
    limits: Arc<Limits>,
) {
    loop {
        let stream = match listener.accept() {
            Ok((stream, _)) => stream,
            Err(e) => {
                // EMFILE, ENFILE, ENOBUFS, ECONNABORTED: let connections close, then go on.
                if e.kind() != std::io::ErrorKind::Interrupted {
                    std::thread::sleep(Duration::from_millis(20));
                }
                continue;
            }
        };
        if limits.active.load(Ordering::Relaxed) >= limits.max_connections {
            shed(stream);
            continue;
        }
        limits.active.fetch_add(1, Ordering::Relaxed);
        let slot = Slot(Arc::clone(&limits));
        let (state, events) = (Arc::clone(&state), events.clone());
        let spawned = std::thread::Builder::new()
            .name("gazette-http".into())
            .stack_size(256 * 1024)
            .spawn(move || {
                let slot = slot;
                connection(stream, &state, &events, &slot.0);
            });
        // If no thread could be made, the closure (with the stream and the slot) is dropped.
        drop(spawned);
    }
}

/// Gives its connection's place back when the connection ends, however it ends.
struct Slot(Arc<Limits>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.active.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Too many connections: say so and close, without waiting for the request.
/// What of it has already arrived is read first: closing a socket with
/// unread bytes resets the connection, and the client may lose the answer.
fn shed(mut stream: TcpStream) {
    let _ = stream.set_write_timeout(Some(Duration::from_millis(200)));
    let _ = stream.write_all(
        b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: 17\r\nRetry-After: 1\r\nConnection: close\r\n\r\nserver too busy\r\n",
    );
    let _ = stream.shutdown(std::net::Shutdown::Write);
    if stream.set_nonblocking(true).is_ok() {
        let mut sink = [0u8; 4096];
        // At most 64 KiB: a client that keeps sending is cut off.
        for _ in 0..16 {
            match stream.read(&mut sink) {
                Ok(n) if n > 0 => {}
                _ => break,
            }
        }
    }
}

/// One parsed request head.
#[derive(Debug, PartialEq, Eq)]
pub struct Head {
    pub method: String,
    pub target: String,
    pub http10: bool,
    pub host: Option<String>,
    /// The client asked to close, or sent a body this server does not read.
    pub close: bool,
}

/// Why a request head was refused, as a status code and text.
#[derive(Debug, PartialEq, Eq)]
pub struct Refusal(pub u16, pub &'static str);

/// Serve requests on one connection (keep-alive) until it closes or errs.
fn connection(stream: TcpStream, state: &RwLock<State>, events: &Broadcaster, limits: &Limits) {
    let _ = stream.set_write_timeout(Some(WRITE_TIMEOUT));
    // Reads and writes share the one socket (no second file descriptor).
    let mut reader = BufReader::with_capacity(4096, &stream);
    let mut stream = &stream;
    loop {
        let head = match read_head(&mut reader, limits) {
            Ok(Some(head)) => head,
            Ok(None) => return,
            Err(Refusal(code, text)) => {
                let _ = write_response(
                    &mut stream,
                    code,
                    "text/plain; charset=utf-8",
                    &[],
                    text.as_bytes(),
                    false,
                    true,
                );
                return;
            }
        };
        let keep = respond(&mut stream, &head, state, events, limits);
        if !keep || head.close {
            return;
        }
    }
}

/// Read a request head within the time and size bounds; None when the
/// client closed or went quiet.
fn read_head(reader: &mut BufReader<&TcpStream>, limits: &Limits) -> Result<Option<Head>, Refusal> {
    let started = Instant::now();
    let _ = reader
        .get_ref()
        .set_read_timeout(Some(Duration::from_millis(250)));
    let mut head: Vec<u8> = Vec::with_capacity(1024);
    loop {
        let budget = if limits.under_pressure() {
            HEAD_TIMEOUT_UNDER_PRESSURE
        } else {
            HEAD_TIMEOUT
        };
        if started.elapsed() > budget {
            return if head.is_empty() {
                Ok(None)
            } else {
                Err(Refusal(408, "request head took too long\n"))
            };
        }
        let buf = match reader.fill_buf() {
            Ok([]) => return Ok(None),
            Ok(buf) => buf,
            Err(e)
                if matches!(
                    e.kind(),
                    std::io::ErrorKind::WouldBlock
                        | std::io::ErrorKind::TimedOut
                        | std::io::ErrorKind::Interrupted
                ) =>
            {
                continue
            }
            Err(_) => return Ok(None),
        };
        // Take bytes up to and including the blank line that ends the head.
        let before = head.len();
        head.extend_from_slice(buf);
        let end = find_head_end(&head, before.saturating_sub(3));
        let used = match end {
            Some(end) => {
                head.truncate(end);
                end - before
            }
            None => head.len() - before,
        };
        reader.consume(used);
        if end.is_some() {
            return parse_head(&head).map(Some);
        }
        if !head.contains(&b'\n') && head.len() > MAX_REQUEST_LINE {
            return Err(Refusal(414, "request line too long\n"));
        }
        if head.len() > MAX_HEAD {
            return Err(Refusal(431, "request header fields too large\n"));
        }
    }
}

/// The index just past `\r\n\r\n` (or `\n\n`), searching from `from`.
fn find_head_end(buf: &[u8], from: usize) -> Option<usize> {
    (from..buf.len()).find_map(|i| {
        if buf[i..].starts_with(b"\r\n\r\n") {
            Some(i + 4)
        } else if buf[i..].starts_with(b"\n\n") {
            Some(i + 2)
        } else {
            None
        }
    })
}

/// Parse a request head (request line and headers).
pub fn parse_head(bytes: &[u8]) -> Result<Head, Refusal> {
    let text = std::str::from_utf8(bytes).map_err(|_| Refusal(400, "bad request\n"))?;
    let mut lines = text.split('\n').map(|l| l.trim_end_matches('\r'));
    let line = lines.next().unwrap_or_default();
    if line.len() > MAX_REQUEST_LINE {
        return Err(Refusal(414, "request line too long\n"));
    }
    let mut parts = line.split(' ');
    let (Some(method), Some(target), Some(version), None) =
        (parts.next(), parts.next(), parts.next(), parts.next())
    else {
        return Err(Refusal(400, "bad request line\n"));
    };
    if !matches!(version, "HTTP/1.1" | "HTTP/1.0") {
        return Err(Refusal(505, "HTTP/1.1 only\n"));
    }
    let http10 = version == "HTTP/1.0";
    let mut head = Head {
        method: method.to_string(),
        target: target.to_string(),
        http10,
        host: None,
        close: http10,
    };
    for l in lines.filter(|l| !l.is_empty()) {
        // No folded lines and no space before the colon (RFC 9112 5.1, 5.2):
        // a proxy might read them otherwise, and disagree on where a request ends.
        let Some((name, value)) = l
            .split_once(':')
            .filter(|(n, _)| !n.is_empty() && !n.contains(|c: char| c.is_ascii_whitespace()))
        else {
            return Err(Refusal(400, "bad header line\n"));
        };
        let value = value.trim();
        match name.to_ascii_lowercase().as_str() {
            "host" => {
                if head.host.is_some() {
                    return Err(Refusal(400, "more than one Host header\n"));
                }
                head.host = Some(value.to_string());
            }
            "connection" => {
                let v = value.to_ascii_lowercase();
                if v.contains("close") {
                    head.close = true;
                } else if v.contains("keep-alive") {
                    head.close = false;
                }
            }
            // A body is never read: answer, then close, so it is not taken for a request.
            "content-length" if value != "0" => head.close = true,
            "transfer-encoding" => head.close = true,
            _ => {}
        }
    }
    Ok(head)
}

/// Answer one request; false when the connection must close.
fn respond<W: Write>(
    stream: &mut W,
    head: &Head,
    state: &RwLock<State>,
    events: &Broadcaster,
    limits: &Limits,
) -> bool {
    let is_head = head.method == "HEAD";
    let plain = "text/plain; charset=utf-8";
    let send = |s: &mut W, code: u16, ctype: &str, extra: &[(&str, &str)], body: &[u8]| {
        // Refusals close the connection, and say so.
        let close = head.close || code >= 400 && code != 404;
        write_response(s, code, ctype, extra, body, is_head, close).is_ok() && !close
    };
    if head.method != "GET" && !is_head {
        send(
            stream,
            405,
            plain,
            &[("Allow", "GET, HEAD")],
            b"method not allowed\n",
        );
        return false;
    }
    match &head.host {
        Some(h) if host_allowed(h) => {}
        Some(_) => {
            send(
                stream,
                421,
                plain,
                &[],
                b"this server answers only to localhost and IP addresses\n",
            );
            return false;
        }
        None if head.http10 => {}
        None => {
            send(stream, 400, plain, &[], b"Host header required\n");
            return false;
        }
    }
    let raw = head.target.split(['?', '#']).next().unwrap_or("/");
    let Some(path) = normalize(raw) else {
        return send(stream, 400, plain, &[], b"bad request path\n");
    };
    // Everything needed from the state is taken here; the lock is released
    // before any file is opened or any byte is written. A file the
    // background work has not made yet (the search index just after a
    // start) is waited for, a little while, rather than missed; not when
    // connections are short, which waiting requests must not use up.
    let waited = Instant::now();
    let (base, answer) = loop {
        let Ok(guard) = state.read() else {
            return send(stream, 500, plain, &[], b"server state unavailable\n");
        };
        if is_coming(&guard, &path)
            && waited.elapsed() < BACKGROUND_WAIT
            && !limits.under_pressure()
        {
            drop(guard);
            std::thread::sleep(Duration::from_millis(25));
            continue;
        }
        break (guard.base_path.clone(), answer_for(&guard, &path));
    };
    match answer {
        Answer::Redirect(to) => {
            let to = if to.is_empty() { base } else { to };
            send(stream, 301, plain, &[("Location", &to)], b"")
        }
        Answer::Events(_) if is_head => send(stream, 200, "text/event-stream", &[], b""),
        Answer::Events(first) => {
            if limits.streams.fetch_add(1, Ordering::Relaxed) >= MAX_EVENT_STREAMS {
                limits.streams.fetch_sub(1, Ordering::Relaxed);
                send(
                    stream,
                    503,
                    plain,
                    &[("Retry-After", "1")],
                    b"too many live-reload streams\n",
                );
                return false;
            }
            stream_events(stream, first, events);
            limits.streams.fetch_sub(1, Ordering::Relaxed);
            false
        }
        Answer::Script => send(
            stream,
            200,
            "text/javascript; charset=utf-8",
            &[],
            LIVERELOAD_JS.as_bytes(),
        ),
        Answer::Bytes(status, ctype, body) => send(stream, status, ctype, &[], &body),
        Answer::File(status, ctype, root, file) => match open_inside(&root, &file) {
            Some((f, len)) => send_file(stream, status, ctype, f, len, is_head, head.close).is_ok(),
            None => send(stream, 404, plain, &[], b"not found\n"),
        },
        Answer::NotFound => send(stream, 404, plain, &[], b"not found\n"),
    }
}

/// How long a request waits for a file being made in the background.
const BACKGROUND_WAIT: Duration = Duration::from_secs(20);

/// Whether `path` is missing now but is one of the files the background
/// work is making, or is a page whose new version is being rendered.
fn is_coming(state: &State, path: &str) -> bool {
    site_relative(state, path).is_some_and(|rel| match lookup(&state.outputs, rel) {
        Lookup::Missing => state.outputs.may_come(rel),
        // A page served out of date while its new version renders.
        Lookup::Found(key) => state.outputs.is_later(&key),
        Lookup::Redirect => false,
    })
}

/// `path` (no leading slash) relative to the base path; None outside it.
fn site_relative<'a>(state: &State, path: &'a str) -> Option<&'a str> {
    path.strip_prefix(state.base_path.trim_start_matches('/'))
}

/// What to send, decided under the state lock from in-memory data only.
enum Answer {
    Redirect(String),
    Events((&'static str, String)),
    Script,
    Bytes(u16, &'static str, Vec<u8>),
    /// A static file, read after the lock is released: status, type, site root, path.
    File(u16, &'static str, PathBuf, PathBuf),
    NotFound,
}

fn answer_for(state: &State, path: &str) -> Answer {
    let base = &state.base_path;
    // Outside the base path: point the visitor at the site.
    let Some(rel) = site_relative(state, path) else {
        return Answer::Redirect(String::new());
    };
    if rel == format!("{PREFIX}events") {
        return Answer::Events(state_message(state));
    }
    if rel == format!("{PREFIX}livereload.js") {
        return Answer::Script;
    }
    let (status, key) = match lookup(&state.outputs, rel) {
        Lookup::Found(key) => (200, key),
        Lookup::Redirect => return Answer::Redirect(format!("{base}{rel}/")),
        Lookup::Missing => (404, "404.html".to_string()),
    };
    let mime = content_type(&key);
    match state.outputs.get(&key).map(AsRef::as_ref) {
        Some(Contents::Bytes(b)) if mime.starts_with("text/html") => {
            Answer::Bytes(status, mime, inject(b, state))
        }
        Some(Contents::Bytes(b)) => Answer::Bytes(status, mime, b.clone()),
        Some(Contents::Copy(p)) => Answer::File(status, mime, state.root.clone(), p.clone()),
        None => Answer::NotFound,
    }
}

fn reason(code: u16) -> &'static str {
    match code {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        408 => "Request Timeout",
        414 => "URI Too Long",
        421 => "Misdirected Request",
        431 => "Request Header Fields Too Large",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        505 => "HTTP Version Not Supported",
        _ => "Unknown",
    }
}

fn head_text(code: u16, ctype: &str, extra: &[(&str, &str)], len: u64, close: bool) -> String {
    let mut h = format!(
        "HTTP/1.1 {code} {}\r\nContent-Type: {ctype}\r\nContent-Length: {len}\r\nCache-Control: no-store\r\n",
        reason(code)
    );
    for (name, value) in extra {
        h.push_str(&format!("{name}: {value}\r\n"));
    }
    if close {
        h.push_str("Connection: close\r\n");
    }
    h.push_str("\r\n");
    h
}

fn write_response(
    stream: &mut impl Write,
    code: u16,
    ctype: &str,
    extra: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    let head = head_text(code, ctype, extra, body.len() as u64, close);
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

fn send_file(
    stream: &mut impl Write,
    code: u16,
    ctype: &str,
    mut file: std::fs::File,
    len: u64,
    head_only: bool,
    close: bool,
) -> std::io::Result<()> {
    stream.write_all(head_text(code, ctype, &[], len, close).as_bytes())?;
    if !head_only {
        // Exactly the announced length, even if the file grows meanwhile.
        let copied = std::io::copy(&mut (&mut file).take(len), stream)?;
        if copied < len {
            return Err(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "file shrank",
            ));
        }
    }
    stream.flush()
}

enum Lookup {
    Found(String),
    /// `/x` is a folder: redirect to `/x/`.
    Redirect,
    Missing,
}

fn lookup(outputs: &Served, rel: &str) -> Lookup {
    if rel.is_empty() || rel.ends_with('/') {
        let key = format!("{rel}index.html");
        return if outputs.contains_key(&key) {
            Lookup::Found(key)
        } else {
            Lookup::Missing
        };
    }
    if outputs.contains_key(rel) {
        return Lookup::Found(rel.to_string());
    }
    if outputs.contains_key(&format!("{rel}/index.html")) {
        return Lookup::Redirect;
    }
    Lookup::Missing
}

/// Decode and normalize a request path into a relative path without a leading
/// slash; None for anything that could reach outside the site.
pub fn normalize(raw: &str) -> Option<String> {
    let decoded = percent_decode(raw)?;
    let rest = decoded.strip_prefix('/')?;
    // Empty parts and `.` are dropped; what remains must be a path a build
    // could write (no `..`, backslash, NUL or drive letter).
    let parts: Vec<&str> = rest
        .split('/')
        .filter(|s| !matches!(*s, "" | "."))
        .collect();
    let mut out = parts.join("/");
    if !out.is_empty() {
        crate::output::check_relative(&out).ok()?;
        if decoded.ends_with('/') {
            out.push('/');
        }
    }
    Some(out)
}

fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = s.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

/// Open a static file only if, links resolved, it is inside the site root
/// and a regular file. It is opened without blocking, so a FIFO put in its
/// place cannot hang the request.
fn open_inside(root: &Path, path: &Path) -> Option<(std::fs::File, u64)> {
    let root = root.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    if !real.starts_with(&root) {
        return None;
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(real).ok()?;
    let meta = file.metadata().ok()?;
    meta.is_file().then_some((file, meta.len()))
}

/// Add the live-reload script, and the error overlay when the last build failed.
fn inject(body: &[u8], state: &State) -> Vec<u8> {
    let html = String::from_utf8_lossy(body);
    let mut snippet = format!(
        "<script src=\"{}{PREFIX}livereload.js\" data-build=\"{}\" data-base=\"{}\"></script>",
        state.base_path, state.build_id, state.base_path
    );
    if !state.errors.is_empty() {
        snippet.push_str(&format!(
            "<script type=\"application/json\" id=\"gazette-errors\">{}</script>",
            errors_json(&state.errors).replace('<', "\\u003c")
        ));
    }
    match html.rfind("</body>") {
        Some(i) => format!("{}{snippet}{}", &html[..i], &html[i..]).into_bytes(),
        None => format!("{html}{snippet}").into_bytes(),
    }
}

fn stream_events(w: &mut impl Write, first: (&'static str, String), events: &Broadcaster) {
    let rx = events.subscribe();
    let head = "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\n";
    if w.write_all(head.as_bytes()).is_err() || w.write_all(b"retry: 500\n\n").is_err() {
        return;
    }
    if w.write_all(sse_message(first.0, &first.1).as_bytes())
        .is_err()
        || w.flush().is_err()
    {
        return;
    }
    loop {
        match rx.recv_timeout(Duration::from_secs(15)) {
            Ok(message) => {
                if w.write_all(message.as_bytes())
                    .and_then(|_| w.flush())
                    .is_err()
                {
                    return;
                }
            }
            // A comment keeps proxies from closing the stream and finds closed clients.
            Err(RecvTimeoutError::Timeout) => {
                if w.write_all(b": ping\n\n").and_then(|_| w.flush()).is_err() {
                    return;
                }
            }
            Err(RecvTimeoutError::Disconnected) => return,
        }
    }
}

pub fn content_type(path: &str) -> &'static str {
    let ext = path
        .rsplit('.')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    match ext.as_str() {
        "html" | "htm" => "text/html; charset=utf-8",
        "css" => "text/css; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "json" => "application/json",
        "xml" => "application/xml",
        "ics" => "text/calendar; charset=utf-8",
        "txt" | "md" => "text/plain; charset=utf-8",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "jpg" | "jpeg" => "image/jpeg",
        "gif" => "image/gif",
        "webp" => "image/webp",
        "ico" => "image/x-icon",
        "pdf" => "application/pdf",
        "woff" => "font/woff",
        "woff2" => "font/woff2",
        "wasm" => "application/wasm",
        _ => "application/octet-stream",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_refuses_escapes() {
        assert_eq!(normalize("/orders/x/").as_deref(), Some("orders/x/"));
        assert_eq!(normalize("/").as_deref(), Some(""));
        assert_eq!(normalize("/a//b/./c").as_deref(), Some("a/b/c"));
        assert_eq!(normalize("/a%20b").as_deref(), Some("a b"));
        for bad in [
            "/../etc/passwd",
            "/%2e%2e/x",
            "/a/%2E%2E/%2E%2E/x",
            "/a\\b",
            "/a%5c..",
            "/a%00",
            "/C:/x",
            "relative",
            "/%zz",
        ] {
            assert_eq!(normalize(bad), None, "{bad}");
        }
    }

    #[test]
    fn lookup_index_and_redirects() {
        let mut pages = crate::serve::session::Outputs::new();
        for name in ["index.html", "orders/index.html"] {
            pages.insert(name.into(), Arc::new(Contents::Bytes(vec![])));
        }
        let mut statics = crate::serve::session::Outputs::new();
        statics.insert("style.css".into(), Arc::new(Contents::Bytes(vec![])));
        let o = Served::new(pages, Default::default(), statics);
        assert!(matches!(lookup(&o, ""), Lookup::Found(k) if k == "index.html"));
        assert!(matches!(lookup(&o, "orders/"), Lookup::Found(k) if k == "orders/index.html"));
        assert!(matches!(lookup(&o, "orders"), Lookup::Redirect));
        assert!(matches!(lookup(&o, "style.css"), Lookup::Found(_)));
        assert!(matches!(lookup(&o, "nope"), Lookup::Missing));
    }

    #[test]
    fn a_page_being_rendered_again_is_waited_for() {
        let mut pages = crate::serve::session::Outputs::new();
        for name in ["index.html", "deadlines/index.html"] {
            pages.insert(name.into(), Arc::new(Contents::Bytes(vec![])));
        }
        let mut state = State {
            outputs: Served::new(pages, Default::default(), Default::default()),
            errors: Vec::new(),
            build_id: String::new(),
            root: PathBuf::new(),
            base_path: "/".into(),
        };
        state
            .outputs
            .set_later(["deadlines/index.html".to_string()].into());
        assert!(is_coming(&state, "deadlines/"));
        assert!(is_coming(&state, "deadlines/index.html"));
        assert!(!is_coming(&state, ""));
        // Not a page: nothing to wait for.
        assert!(!is_coming(&state, "nope/"));
        state.outputs.set_later(Default::default());
        assert!(!is_coming(&state, "deadlines/"));
    }

    #[test]
    fn host_names() {
        for ok in [
            "localhost",
            "localhost:1111",
            "127.0.0.1:1111",
            "[::1]:1111",
            "app.localhost",
            "192.168.1.5:80",
            "LOCALHOST.",
        ] {
            assert!(host_allowed(ok), "{ok}");
        }
        for bad in [
            "evil.example",
            "evil.example:1111",
            "localhost.evil.example",
            "127.0.0.1.nip.io",
            "[evil]",
            "",
        ] {
            assert!(!host_allowed(bad), "{bad}");
        }
    }

    #[test]
    fn heads_parse_and_refuse() {
        let h = parse_head(b"GET /a HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        assert_eq!(
            (
                h.method.as_str(),
                h.target.as_str(),
                h.host.as_deref(),
                h.close
            ),
            ("GET", "/a", Some("localhost"), false)
        );
        assert!(parse_head(b"GET /a HTTP/1.0\r\n\r\n").unwrap().close);
        assert!(
            parse_head(b"GET /a HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\n")
                .unwrap()
                .close
        );
        assert_eq!(parse_head(b"GET /a\r\n\r\n").unwrap_err().0, 400);
        assert_eq!(parse_head(b"GET /a HTTP/2\r\n\r\n").unwrap_err().0, 505);
        assert_eq!(
            parse_head(b"GET /a HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n")
                .unwrap_err()
                .0,
            400
        );
        let long = format!("GET /{} HTTP/1.1\r\n\r\n", "a".repeat(MAX_REQUEST_LINE));
        assert_eq!(parse_head(long.as_bytes()).unwrap_err().0, 414);
    }

    #[test]
    fn sse_messages() {
        assert_eq!(sse_message("build", "7"), "event: build\ndata: 7\n\n");
        assert_eq!(
            sse_message("errors", "a\nb"),
            "event: errors\ndata: a\ndata: b\n\n"
        );
    }
}
