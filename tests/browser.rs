//! What only a browser shows: an open page changes by itself after a file is
//! saved, and shows, then clears, the error overlay. Drives headless Chromium
//! through chromedriver (Debian's `chromium` and `chromium-driver`, installed by
//! `scripts/test.sh`). Set GAZETTE_SKIP_BROWSER=1 to skip where no browser can run.

mod common;

use std::io::{BufRead, BufReader};
use std::path::Path;
use std::process::{Command, Stdio};

use common::webdriver::{Kill, WebDriver};
use common::*;
use serde_json::{json, Value};

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

/// A large site's search index comes in parts (site.yaml's
/// `search_part_size`); the search page merges them, so that one query
/// finds entities of the first part and of the last.
#[test]
fn search_finds_entities_in_every_part_of_the_index() {
    let Some(browser) = WebDriver::start() else {
        return;
    };
    let (_tmp, root) = copy_site(&fixture("basic"));
    let config = root.join("site.yaml");
    std::fs::write(&config, read(&config) + "search_part_size: 3\n").unwrap();
    let (_server, url) = serve(&root);
    browser.goto(&format!("{url}search/?q=order"));
    let titles = "return Array.from(document.querySelectorAll('.pagefind-ui__result-link')).map(function (a) { return a.textContent.trim() + ' ' + a.getAttribute('href'); }).sort()";
    // The parts answer one after another: wait for a result of the last
    // part and one of the first, not for a count that the first part's
    // results alone may reach.
    browser.wait_for(
        &format!(
            "var t = ({}); return t.indexOf('Event: The order is signed /events/signing/') >= 0 \
             && t.indexOf('Order: Promoting Advanced Artificial Intelligence Innovation and Security /orders/eo/') >= 0",
            titles.trim_start_matches("return ")
        ),
        json!(true),
        "results from the first part and the last",
    );
    let found = browser.eval(titles);
    let found: Vec<&str> = found
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert!(
        found.contains(&"Event: The order is signed /events/signing/"),
        "an event of the last part: {found:?}"
    );
    assert!(
        found.contains(
            &"Order: Promoting Advanced Artificial Intelligence Innovation and Security /orders/eo/"
        ),
        "the order, in the first part: {found:?}"
    );
}
