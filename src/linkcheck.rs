//! Checking the built site's internal links: every `href` and `src` under the
//! base path must name a file of the site, and every `#anchor` an `id` on the
//! page it points to. `gazette check` runs this on the pages it renders.

use std::collections::{HashMap, HashSet};

use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::render::{Contents, OutputFile};

/// Check `files` (a whole built site) served under `base_path` (`/` or `/kb/`).
pub fn check(files: &[OutputFile], base_path: &str) -> Diagnostics {
    let names: HashSet<&str> = files.iter().map(|f| f.path.as_str()).collect();
    let html: Vec<(&str, &str)> = files
        .iter()
        .filter(|f| f.path.ends_with(".html"))
        .filter_map(|f| match &f.contents {
            Contents::Bytes(b) => std::str::from_utf8(b).ok().map(|t| (f.path.as_str(), t)),
            Contents::Copy(_) => None,
        })
        .collect();
    let ids: HashMap<&str, HashSet<String>> = html
        .iter()
        .map(|(p, t)| (*p, attribute_values(t, "id").collect()))
        .collect();
    let mut diags = Diagnostics::new();
    for (page, text) in &html {
        let mut seen = HashSet::new();
        for link in attribute_values(text, "href").chain(attribute_values(text, "src")) {
            if !seen.insert(link.clone()) {
                continue;
            }
            if let Some(problem) = check_link(&link, page, base_path, &names, &ids) {
                diags.push(Diagnostic::error(
                    *page,
                    None,
                    format!("broken link `{link}`: {problem}"),
                ));
            }
        }
    }
    diags
}

fn check_link(
    link: &str,
    page: &str,
    base_path: &str,
    names: &HashSet<&str>,
    ids: &HashMap<&str, HashSet<String>>,
) -> Option<String> {
    let scheme = link.split_once(':').map(|(s, _)| s).unwrap_or_default();
    if link.starts_with("//")
        || (!scheme.is_empty()
            && scheme
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c)))
    {
        return None; // leaves the site
    }
    let (path, fragment) = match link.split_once('#') {
        Some((p, f)) => (p, Some(f)),
        None => (link, None),
    };
    let path = path.split('?').next().unwrap_or_default();
    let target = if path.is_empty() {
        page.to_string()
    } else if let Some(rel) = path.strip_prefix(base_path) {
        if rel.is_empty() || rel.ends_with('/') {
            format!("{rel}index.html")
        } else if names.contains(rel) {
            rel.to_string()
        } else if names.contains(format!("{rel}/index.html").as_str()) {
            format!("{rel}/index.html")
        } else {
            rel.to_string()
        }
    } else if path.starts_with('/') {
        return Some(format!("outside the base path {base_path}"));
    } else {
        return Some("relative links are not used by gazette; link from the site root".into());
    };
    if !names.contains(target.as_str()) {
        return Some(format!("no file {target} in the site"));
    }
    match (fragment, ids.get(target.as_str())) {
        (Some(f), Some(page_ids)) if !f.is_empty() && !page_ids.contains(f) => {
            Some(format!("no element with id `{f}` on {target}"))
        }
        _ => None,
    }
}

/// Values of `name="..."` attributes in `html`, entity-decoded.
fn attribute_values<'t>(html: &'t str, name: &'t str) -> impl Iterator<Item = String> + 't {
    let needle = format!(" {name}=\"");
    let mut rest = html;
    std::iter::from_fn(move || {
        let i = rest.find(&needle)?;
        let after = &rest[i + needle.len()..];
        let end = after.find('"')?;
        let value = &after[..end];
        rest = &after[end..];
        Some(
            value
                .replace("&amp;", "&")
                .replace("&quot;", "\"")
                .replace("&#39;", "'"),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn file(path: &str, html: &str) -> OutputFile {
        OutputFile {
            path: path.into(),
            contents: Contents::Bytes(html.as_bytes().to_vec()),
        }
    }

    #[test]
    fn finds_missing_pages_and_anchors() {
        let files = vec![
            file(
                "index.html",
                r##"<a href="/kb/a/">a</a> <a href="/kb/a/#x">x</a> <a href="/kb/a/#nope">n</a> <a href="/kb/b/">b</a> <a href="https://x.org/">e</a> <a href="#top">t</a> <a href="/other/">o</a>"##,
            ),
            file("a/index.html", r#"<h2 id="x">X</h2>"#),
        ];
        let found: Vec<String> = check(&files, "/kb/")
            .sorted()
            .iter()
            .map(|d| d.message.clone())
            .collect();
        assert_eq!(
            found,
            [
                "broken link `#top`: no element with id `top` on index.html",
                "broken link `/kb/a/#nope`: no element with id `nope` on a/index.html",
                "broken link `/kb/b/`: no file b/index.html in the site",
                "broken link `/other/`: outside the base path /kb/",
            ]
        );
    }
}
