//! What only a browser shows: an open page changes by itself after a file is
//! saved, and shows, then clears, the error overlay. Drives headless Chromium
//! through chromedriver (Debian's `chromium` and `chromium-driver`, installed by
//! `scripts/test.sh`). Set GAZETTE_SKIP_BROWSER=1 to skip where no browser can run.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

struct Kill(Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind(("127.0.0.1", 0))
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn find(program: &str, env: &str) -> Option<String> {
    if let Ok(p) = std::env::var(env) {
        return Some(p);
    }
    ["/usr/bin/", "/usr/local/bin/", "/usr/lib/chromium/"]
        .iter()
        .map(|d| format!("{d}{program}"))
        .find(|p| Path::new(p).is_file())
}

struct WebDriver {
    base: String,
    session: String,
    _driver: Kill,
}

impl WebDriver {
    fn start() -> Option<WebDriver> {
        if std::env::var_os("GAZETTE_SKIP_BROWSER").is_some() {
            eprintln!("GAZETTE_SKIP_BROWSER is set: browser test skipped");
            return None;
        }
        let driver = find("chromedriver", "CHROMEDRIVER")
            .expect("chromedriver not found: run scripts/test.sh, or apt-get install chromium chromium-driver");
        let chromium = find("chromium", "CHROMIUM").expect("chromium not found");
        let port = free_port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let driver = Kill(child);
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(20);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = tempfile::tempdir().unwrap().keep();
        let caps = json!({"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
            "binary": chromium,
            "args": ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                     "--disable-background-networking", "--disable-component-update", "--disable-sync",
                     format!("--user-data-dir={}", profile.display())]
        }}}});
        let v: Value = ureq::post(&format!("{base}/session"))
            .send_json(&caps)
            .expect("new session")
            .into_body()
            .read_json()
            .unwrap();
        let session = v["value"]["sessionId"]
            .as_str()
            .expect("session id")
            .to_string();
        Some(WebDriver {
            base,
            session,
            _driver: driver,
        })
    }

    fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        ureq::post(&url)
            .send_json(&body)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .into_body()
            .read_json()
            .unwrap()
    }

    fn goto(&self, url: &str) {
        self.post("url", json!({"url": url}));
    }

    /// Run a script in the page and return its value.
    fn eval(&self, script: &str) -> Value {
        self.post("execute/sync", json!({"script": script, "args": []}))["value"].clone()
    }

    /// Wait until `script` returns `expected`.
    fn wait_for(&self, script: &str, expected: Value, what: &str) {
        let deadline = Instant::now() + Duration::from_secs(15);
        loop {
            let v = self.eval(script);
            if v == expected {
                return;
            }
            assert!(
                Instant::now() < deadline,
                "timed out waiting for {what}: last {v}"
            );
            std::thread::sleep(Duration::from_millis(100));
        }
    }
}

impl Drop for WebDriver {
    fn drop(&mut self) {
        let _ = ureq::delete(&format!("{}/session/{}", self.base, self.session)).call();
    }
}

fn serve(root: &Path) -> (Kill, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_gazette"))
        .args(["serve", "--port", "0", "--root"])
        .arg(root)
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let kill = Kill(child);
    let mut lines = BufReader::new(stdout).lines().map_while(Result::ok);
    let url = lines
        .by_ref()
        .find_map(|line| {
            line.strip_prefix("Serving at ")
                .map(|u| u.split(' ').next().unwrap_or_default().to_string())
        })
        .expect("gazette serve did not start");
    // Keep reading what the server prints, as a terminal would.
    std::thread::spawn(move || lines.for_each(drop));
    (kill, url)
}

#[test]
fn open_page_reloads_and_shows_then_clears_the_error_overlay() {
    let Some(browser) = WebDriver::start() else {
        return;
    };
    let (_tmp, root) = copy_site(&fixture("basic"));
    let (_server, url) = serve(&root);
    browser.goto(&format!("{url}agencies/treasury/"));
    let h1 = "return document.querySelector('h1').textContent.trim()";
    browser.wait_for(
        h1,
        json!("Department of the Treasury (Treasury)"),
        "the page",
    );

    let file = root.join("content/agencies/treasury.md");
    let text = read(&file);
    std::fs::write(
        &file,
        text.replace(
            "title: Department of the Treasury",
            "title: Treasury, renamed",
        ),
    )
    .unwrap();
    browser.wait_for(
        h1,
        json!("Treasury, renamed (Treasury)"),
        "the page to reload with the edit",
    );

    std::fs::write(
        &file,
        read(&file).replace("acronym: Treasury", "acronym: Treasury\nparent: nowhere"),
    )
    .unwrap();
    let overlay =
        "var o = document.getElementById('gazette-error-overlay'); return o ? o.textContent : null";
    let has_error = "var o = document.getElementById('gazette-error-overlay'); return !!o && o.textContent.indexOf('content/agencies/treasury.md:4:9') >= 0";
    browser.wait_for(has_error, json!(true), "the error overlay");
    assert!(browser
        .eval(overlay)
        .as_str()
        .unwrap_or_default()
        .contains("unknown agency `nowhere`"));

    std::fs::write(&file, read(&file).replace("\nparent: nowhere", "")).unwrap();
    browser.wait_for(overlay, Value::Null, "the overlay to clear");
    browser.wait_for(
        h1,
        json!("Treasury, renamed (Treasury)"),
        "the page after the fix",
    );
}
