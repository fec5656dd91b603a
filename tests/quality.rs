//! Pages that pass a validator's and a browser's scrutiny: every page of the
//! shipped site and of a fixture is valid HTML (the W3C Nu checker), every
//! kind of page has no WCAG 2.1 A/AA violation under axe-core, nothing scrolls
//! sideways at 375 px, and search works from a static host under a sub-path.
//! The tools are installed by scripts/test.sh (GAZETTE_SKIP_BROWSER=1 skips).

mod common;

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use common::webdriver::{free_port, Kill, WebDriver};
use common::*;
use serde_json::{json, Value};

fn tool(rel: &str) -> Option<PathBuf> {
    if std::env::var_os("GAZETTE_SKIP_BROWSER").is_some() {
        return None;
    }
    let p = repo_root().join("target/test-tools/node_modules").join(rel);
    assert!(p.is_file(), "{} missing: run scripts/test.sh", p.display());
    Some(p)
}

fn build(root: &Path, cwd: &Path, args: &[&str]) {
    let mut all = vec![
        "build",
        "--root",
        root.to_str().unwrap(),
        "--as-of",
        "2026-07-10",
    ];
    all.extend_from_slice(args);
    let run = gazette(&all, cwd);
    assert_eq!(run.code, 0, "{}", run.stderr);
}

fn nu_errors(dir: &Path) -> String {
    let Some(jar) = tool("vnu-jar/build/dist/vnu.jar") else {
        return String::new();
    };
    let out = Command::new("java")
        .arg("-jar")
        .arg(jar)
        .args(["--errors-only", "--skip-non-html", "--format", "gnu"])
        .arg(dir)
        .output()
        .expect("run java");
    String::from_utf8_lossy(&out.stderr).to_string() + &String::from_utf8_lossy(&out.stdout)
}

#[test]
fn every_page_is_valid_html() {
    for (name, (tmp, root)) in [
        ("shipped", copy_shipped_site()),
        ("fixture", copy_site(&fixture("basic"))),
        ("tracker", copy_site(&fixture("tracker"))),
    ] {
        build(&root, tmp.path(), &[]);
        let errors = nu_errors(&root.join("public"));
        assert!(errors.trim().is_empty(), "{name} site:\n{errors}");
    }
}

/// Serve `dir` with Python's static file server, as a plain static host would.
fn static_host(dir: &Path) -> (Kill, u16) {
    let port = free_port();
    let child = Command::new("python3")
        .args([
            "-m",
            "http.server",
            &port.to_string(),
            "--bind",
            "127.0.0.1",
            "--directory",
        ])
        .arg(dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("python3 http.server");
    let kill = Kill(child);
    let deadline = Instant::now() + Duration::from_secs(10);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(Instant::now() < deadline, "static server did not start");
        std::thread::sleep(Duration::from_millis(50));
    }
    (kill, port)
}

/// One page of each kind.
const PAGES: &[&str] = &[
    "",
    "orders/",
    "orders/ai-innovation-and-security/",
    "provisions/voluntary-pre-release-review/",
    "provisions/voluntary-pre-release-review/versions/reported-draft/",
    "agencies/treasury/",
    "sources/regulatory-brief/",
    "events/order-signed/",
    "about/",
    "timeline/",
    "timeline/agencies/dhs/",
    "deadlines/",
    "changes/",
    "matrix/",
    "search/",
    "404.html",
];

/// The tracker's kinds of page: an order with relations and a scoreboard,
/// a revoked order, /status/ and a category list, a disputed status.
const TRACKER_PAGES: &[&str] = &[
    "orders/new/",
    "orders/old/",
    "status/",
    "status/met-claimed/",
    "provisions/framework/",
    "agencies/dhs/",
];

#[test]
fn pages_pass_axe_and_fit_a_phone() {
    let Some(axe) = tool("axe-core/axe.min.js") else {
        return;
    };
    let Some(browser) = WebDriver::start() else {
        return;
    };
    let axe = read(&axe);
    let (tmp, root) = copy_shipped_site();
    build(&root, tmp.path(), &[]);
    let (_host, port) = static_host(&root.join("public"));
    let run_axe = "var done = arguments[arguments.length - 1];
         axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']}})
            .then(function (r) { done(r.violations.map(function (v) { return v.id + ': ' + v.help + ' (' + v.nodes.length + ')'; })); })
            .catch(function (e) { done(['axe failed: ' + e]); });";
    // A control: axe must see a planted violation.
    browser.goto(&format!("http://127.0.0.1:{port}/"));
    browser.eval(&axe);
    browser.eval(
        "var i = document.createElement('img'); i.src = 'x.png'; document.body.appendChild(i);",
    );
    let control = browser.eval_async(run_axe).to_string();
    assert!(
        control.contains("image-alt"),
        "axe did not report a planted image without alt: {control}"
    );
    let (tracker_tmp, tracker) = copy_site(&fixture("tracker"));
    build(&tracker, tracker_tmp.path(), &[]);
    let (_tracker_host, tracker_port) = static_host(&tracker.join("public"));
    let pages = PAGES
        .iter()
        .map(|p| (port, *p))
        .chain(TRACKER_PAGES.iter().map(|p| (tracker_port, *p)));
    let mut problems = Vec::new();
    for (port, page) in pages {
        let url = format!("http://127.0.0.1:{port}/{page}");
        browser.set_window(1280, 900);
        browser.goto(&url);
        browser.eval(&axe);
        let result = browser.eval_async(run_axe);
        for v in result.as_array().into_iter().flatten() {
            problems.push(format!("/{page}: {}", v.as_str().unwrap_or_default()));
        }
        browser.set_window(375, 800);
        browser.goto(&url);
        let widths = browser.eval(
            "return [document.documentElement.scrollWidth, document.documentElement.clientWidth]",
        );
        let (scroll, client) = (
            widths[0].as_i64().unwrap_or(0),
            widths[1].as_i64().unwrap_or(0),
        );
        if scroll > client {
            problems.push(format!(
                "/{page}: scrolls sideways at 375 px ({scroll} > {client})"
            ));
        }
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn search_works_from_a_static_host_under_a_sub_path() {
    let Some(browser) = WebDriver::start() else {
        return;
    };
    let (tmp, root) = copy_shipped_site();
    let www = tmp.path().join("www");
    let (_host, port) = {
        std::fs::create_dir_all(&www).unwrap();
        static_host(&www)
    };
    let base = format!("http://127.0.0.1:{port}/kb/");
    let out = www.join("kb");
    build(
        &root,
        tmp.path(),
        &[
            "--base-url",
            &base,
            "--output",
            out.to_str().unwrap(),
            "--allow-outside",
        ],
    );
    browser.goto(&base);
    // Type into the header's search box and submit with the keyboard.
    browser.eval("var q = document.getElementById('site-search-q'); q.focus(); q.value = 'clearinghouse'; q.form.requestSubmit();");
    let first = "var a = document.querySelector('.pagefind-ui__result-link'); return a ? a.getAttribute('href') : null";
    let deadline = Instant::now() + Duration::from_secs(15);
    let href = loop {
        if let Some(h) = browser.eval(first).as_str() {
            break h.to_string();
        }
        assert!(Instant::now() < deadline, "no search results");
        std::thread::sleep(Duration::from_millis(100));
    };
    assert!(
        href.starts_with("/kb/"),
        "results link under the sub-path: {href}"
    );
    // The link read above: results are shown as they load, and a later
    // one may come first by the time of the click.
    let click = format!(
        "Array.from(document.querySelectorAll('.pagefind-ui__result-link')).find(a => a.getAttribute('href') === {}).click();",
        json!(href)
    );
    browser.eval(&click);
    browser.wait_for(
        "return location.pathname",
        json!(href),
        "following the result",
    );
    let h1 = browser.eval("return document.querySelector('h1').textContent");
    assert!(
        h1.as_str()
            .unwrap_or_default()
            .to_lowercase()
            .contains("clearinghouse"),
        "{h1}"
    );
    assert_ne!(browser.eval("return document.title"), Value::Null);
}

#[test]
fn timeline_filters_in_place_and_deadlines_sort_with_javascript() {
    let Some(browser) = WebDriver::start() else {
        return;
    };
    let (tmp, root) = copy_shipped_site();
    build(&root, tmp.path(), &[]);
    let (_host, port) = static_host(&root.join("public"));

    browser.goto(&format!("http://127.0.0.1:{port}/timeline/"));
    let visible = "return Array.from(document.querySelectorAll('li.item')).filter(function (li) { return !li.hidden; }).length";
    let all = browser.eval(visible).as_i64().unwrap_or(0);
    let deadlines = browser
        .eval("return document.querySelectorAll('li.item-deadline').length")
        .as_i64()
        .unwrap_or(0);
    assert!(
        all > deadlines && deadlines > 0,
        "{all} items, {deadlines} deadlines"
    );
    browser.eval("document.querySelector('a[data-filter-kind=\"deadline\"]').click()");
    assert_eq!(
        browser.eval(visible).as_i64(),
        Some(deadlines),
        "filtered in place"
    );
    assert_eq!(
        browser.eval("return location.pathname"),
        json!("/timeline/kinds/deadline/"),
        "the address follows the filter"
    );
    browser.eval("document.querySelector('a[data-filter-agency=\"dhs\"]').click()");
    let dhs = browser
        .eval("return document.querySelectorAll('li.item[data-agencies~=\"dhs\"]').length")
        .as_i64();
    assert_eq!(browser.eval(visible).as_i64(), dhs);

    browser.goto(&format!("http://127.0.0.1:{port}/deadlines/"));
    let first_action =
        "return document.querySelector('table.all-deadlines tbody tr td').textContent.trim()";
    let before = browser.eval(first_action);
    browser.eval("document.querySelector('table.all-deadlines th button.sort').click()");
    assert_eq!(
        browser.eval(
            "return document.querySelector('table.all-deadlines th').getAttribute('aria-sort')"
        ),
        json!("ascending")
    );
    let actions = browser.eval(
        "return Array.from(document.querySelectorAll('table.all-deadlines tbody tr')).map(function (r) { return r.cells[0].textContent.trim().toLowerCase(); })",
    );
    let list: Vec<String> = actions
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_string())
        .collect();
    let mut sorted = list.clone();
    sorted.sort();
    assert_eq!(list, sorted, "sorted by action");
    assert_ne!(browser.eval(first_action), before, "the order changed");
}

/// Press one key (a WebDriver key code) as a user would.
fn press(browser: &WebDriver, key: &str) {
    browser.post(
        "actions",
        json!({"actions": [{"type": "key", "id": "keyboard", "actions": [
            {"type": "keyDown", "value": key}, {"type": "keyUp", "value": key}
        ]}]}),
    );
}

#[test]
fn previews_open_with_the_keyboard_and_close_with_escape() {
    let Some(browser) = WebDriver::start() else {
        return;
    };
    let (tmp, root) = copy_site(&fixture("tracker"));
    build(&root, tmp.path(), &[]);
    let (_host, port) = static_host(&root.join("public"));
    browser.goto(&format!("http://127.0.0.1:{port}/provisions/framework/"));
    const TAB: &str = "\u{E004}";
    const ESCAPE: &str = "\u{E00C}";
    // Tab to the first citation of the disputed claim (GAO's verification).
    let on_gao = "var a = document.activeElement; return !!a && a.matches('.dispute sup.cite a') && a.getAttribute('href').indexOf('/sources/gao/') >= 0";
    let mut found = false;
    for _ in 0..80 {
        press(&browser, TAB);
        if browser.eval(on_gao) == json!(true) {
            found = true;
            break;
        }
    }
    assert!(found, "a citation is reachable with Tab");
    let tip = "var t = document.getElementById('gazette-preview'); return t && !t.hidden ? t.textContent : null";
    browser.wait_for(
        "var t = document.getElementById('gazette-preview'); return !!t && !t.hidden",
        json!(true),
        "the preview on focus",
    );
    let text = browser.eval(tip);
    let text = text.as_str().unwrap_or_default();
    assert!(text.contains("Review of the order"), "{text}");
    assert!(
        text.contains("Government Accountability Office, August 15, 2026"),
        "{text}"
    );
    assert_eq!(
        browser.eval("return document.activeElement.getAttribute('aria-describedby')"),
        json!("gazette-preview"),
        "the link is described by the preview"
    );
    press(&browser, ESCAPE);
    browser.wait_for(tip, Value::Null, "Escape to dismiss the preview");
    assert_eq!(
        browser.eval("return document.activeElement.getAttribute('href')"),
        json!("/sources/gao/"),
        "focus stays on the link"
    );
}
