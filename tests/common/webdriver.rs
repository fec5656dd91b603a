//! Driving headless Chromium through chromedriver's WebDriver API, for the
//! browser tests. Chromium and chromedriver come from Debian's `chromium` and
//! `chromium-driver` packages, installed by `scripts/test.sh`.

#![allow(dead_code)]

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{json, Value};

/// Kills its process when dropped.
pub struct Kill(pub Child);

impl Drop for Kill {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

pub fn free_port() -> u16 {
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

pub struct WebDriver {
    base: String,
    session: String,
    _driver: Kill,
}

impl WebDriver {
    /// Start chromedriver and a headless Chromium session; None when GAZETTE_SKIP_BROWSER is set.
    pub fn start() -> Option<WebDriver> {
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

    pub fn post(&self, path: &str, body: Value) -> Value {
        let url = format!("{}/session/{}/{path}", self.base, self.session);
        ureq::post(&url)
            .send_json(&body)
            .unwrap_or_else(|e| panic!("{path}: {e}"))
            .into_body()
            .read_json()
            .unwrap()
    }

    pub fn goto(&self, url: &str) {
        self.post("url", json!({"url": url}));
    }

    /// Run a script in the page and return its value.
    pub fn eval(&self, script: &str) -> Value {
        self.post("execute/sync", json!({"script": script, "args": []}))["value"].clone()
    }

    /// Wait until `script` returns `expected`.
    pub fn wait_for(&self, script: &str, expected: Value, what: &str) {
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

impl WebDriver {
    /// Run an asynchronous script: it gets a callback as its last argument.
    pub fn eval_async(&self, script: &str) -> Value {
        self.post("execute/async", json!({"script": script, "args": []}))["value"].clone()
    }

    pub fn set_window(&self, width: u32, height: u32) {
        self.post("window/rect", json!({"width": width, "height": height}));
    }
}
