//! The dev server's HTTP side: serves the in-memory site, injects the live
//! reload script into HTML pages, streams Server-Sent Events.
//!
//! Only paths of the built site are served: a request path is decoded and
//! normalized, and anything with `..`, a backslash, a NUL or a drive letter is
//! refused before it is looked up. Static files are read from the site's own
//! folders only, never through a link that leaves the site.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc::{channel, Receiver, RecvTimeoutError, Sender};
use std::sync::{Arc, Mutex, RwLock};
use std::time::Duration;

use tiny_http::{Header, Method, Request, Response, Server};

use super::session::Outputs;
use crate::diagnostics::Diagnostic;
use crate::render::Contents;

/// URL prefix of the dev server's own endpoints.
pub const PREFIX: &str = "__gazette/";
const LIVERELOAD_JS: &str = include_str!("livereload.js");

/// What the server shows: the last good site, and the errors of the last build if it failed.
pub struct State {
    pub outputs: Arc<Outputs>,
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

/// Accept requests until the server is dropped; each request gets its own
/// thread, so a slow or stuck client does not hold up others.
pub fn run(server: Arc<Server>, state: Arc<RwLock<State>>, events: Broadcaster) {
    for request in server.incoming_requests() {
        let state = Arc::clone(&state);
        let events = events.clone();
        std::thread::spawn(move || handle(request, &state, &events));
    }
}

fn handle(request: Request, state: &RwLock<State>, events: &Broadcaster) {
    let method = request.method().clone();
    if method != Method::Get && method != Method::Head {
        let _ = request.respond(
            text_response(405, "method not allowed").with_header(header("Allow", "GET, HEAD")),
        );
        return;
    }
    let Ok(guard) = state.read() else { return };
    let base = guard.base_path.clone();
    let raw = request
        .url()
        .split(['?', '#'])
        .next()
        .unwrap_or("/")
        .to_string();
    let Some(path) = normalize(&raw) else {
        drop(guard);
        let _ = request.respond(text_response(400, "bad request path"));
        return;
    };
    // Outside the base path: point the visitor at the site.
    let Some(rel) = path
        .strip_prefix(base.trim_start_matches('/'))
        .or(if base == "/" {
            Some(path.as_str())
        } else {
            None
        })
    else {
        drop(guard);
        let _ = request.respond(redirect(&base));
        return;
    };
    let rel = rel.to_string();
    if rel == format!("{PREFIX}events") {
        let first = state_message(&guard);
        drop(guard);
        stream_events(request, first, events);
        return;
    }
    if rel == format!("{PREFIX}livereload.js") {
        drop(guard);
        let r = Response::from_data(LIVERELOAD_JS.as_bytes().to_vec())
            .with_header(header("Content-Type", "text/javascript; charset=utf-8"))
            .with_header(header("Cache-Control", "no-store"));
        let _ = respond(request, r, method == Method::Head);
        return;
    }
    let (status, key) = match lookup(&guard.outputs, &rel) {
        Lookup::Found(key) => (200, key),
        Lookup::Redirect => {
            drop(guard);
            let _ = request.respond(redirect(&format!("{base}{rel}/")));
            return;
        }
        Lookup::Missing => (404, "404.html".to_string()),
    };
    let body = match guard.outputs.get(&key).map(AsRef::as_ref) {
        Some(Contents::Bytes(b)) => Some(b.clone()),
        Some(Contents::Copy(p)) => read_inside(&guard.root, p),
        None => None,
    };
    let Some(mut body) = body else {
        drop(guard);
        let _ = request.respond(text_response(404, "not found"));
        return;
    };
    let mime = content_type(&key);
    if mime.starts_with("text/html") {
        body = inject(&body, &guard);
    }
    drop(guard);
    let r = Response::from_data(body)
        .with_status_code(status)
        .with_header(header("Content-Type", mime))
        .with_header(header("Cache-Control", "no-store"));
    let _ = respond(request, r, method == Method::Head);
}

fn respond(
    request: Request,
    r: Response<std::io::Cursor<Vec<u8>>>,
    head: bool,
) -> std::io::Result<()> {
    if head {
        // Same headers, no body (tiny_http sends the length of the original).
        let len = r.data_length();
        let mut empty = Response::from_data(Vec::new()).with_status_code(r.status_code());
        for h in r.headers() {
            empty.add_header(h.clone());
        }
        if let Some(len) = len {
            empty.add_header(header("Content-Length", &len.to_string()));
        }
        return request.respond(empty);
    }
    request.respond(r)
}

enum Lookup {
    Found(String),
    /// `/x` is a folder: redirect to `/x/`.
    Redirect,
    Missing,
}

fn lookup(outputs: &Outputs, rel: &str) -> Lookup {
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
    if decoded.contains(['\\', '\0']) || !decoded.starts_with('/') {
        return None;
    }
    let mut parts = Vec::new();
    for seg in decoded.split('/') {
        match seg {
            "" | "." => {}
            ".." => return None,
            s if s.len() >= 2 && s.as_bytes()[1] == b':' => return None,
            s => parts.push(s),
        }
    }
    let mut out = parts.join("/");
    if decoded.ends_with('/') && !out.is_empty() {
        out.push('/');
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

/// Read a static file only if, links resolved, it is inside the site root.
fn read_inside(root: &Path, path: &Path) -> Option<Vec<u8>> {
    let root = root.canonicalize().ok()?;
    let real = path.canonicalize().ok()?;
    if !real.starts_with(&root) {
        return None;
    }
    std::fs::read(real).ok()
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
            errors_json(&state.errors).replace("</", "<\\/")
        ));
    }
    match html.rfind("</body>") {
        Some(i) => format!("{}{snippet}{}", &html[..i], &html[i..]).into_bytes(),
        None => format!("{html}{snippet}").into_bytes(),
    }
}

fn stream_events(request: Request, first: (&'static str, String), events: &Broadcaster) {
    let rx = events.subscribe();
    let mut w = request.into_writer();
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

fn header(name: &str, value: &str) -> Header {
    // Both are ASCII constants or numbers, so this cannot fail; fall back to a harmless header.
    Header::from_bytes(name.as_bytes(), value.as_bytes()).unwrap_or_else(|_| {
        Header::from_bytes(&b"X-Gazette"[..], &b"1"[..]).expect("static header")
    })
}

fn text_response(status: u16, text: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(text.as_bytes().to_vec())
        .with_status_code(status)
        .with_header(header("Content-Type", "text/plain; charset=utf-8"))
}

fn redirect(to: &str) -> Response<std::io::Cursor<Vec<u8>>> {
    Response::from_data(Vec::new())
        .with_status_code(301)
        .with_header(header("Location", to))
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
        let mut o = Outputs::new();
        for name in ["index.html", "orders/index.html", "style.css"] {
            o.insert(name.into(), Arc::new(Contents::Bytes(vec![])));
        }
        assert!(matches!(lookup(&o, ""), Lookup::Found(k) if k == "index.html"));
        assert!(matches!(lookup(&o, "orders/"), Lookup::Found(k) if k == "orders/index.html"));
        assert!(matches!(lookup(&o, "orders"), Lookup::Redirect));
        assert!(matches!(lookup(&o, "style.css"), Lookup::Found(_)));
        assert!(matches!(lookup(&o, "nope"), Lookup::Missing));
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
