//! `site.yaml`: the site's settings, read raw then resolved.

use std::path::Path;

use jiff::civil::Date;
use serde::Deserialize;

use crate::diagnostics::{Diagnostic, LineIndex};
use crate::yaml;

pub const CONFIG_FILE: &str = "site.yaml";

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawConfig {
    title: String,
    #[serde(default)]
    description: Option<String>,
    #[serde(default)]
    base_url: Option<String>,
    #[serde(default)]
    language: Option<String>,
    #[serde(default)]
    theme: Option<String>,
    #[serde(default)]
    as_of: Option<Date>,
    /// Entities last reviewed longer ago than this are marked stale.
    #[serde(default)]
    stale_after_days: Option<u32>,
    /// Where an editor changes a page's file: a web address with `{path}`.
    #[serde(default)]
    edit_url: Option<String>,
    /// More kinds of event, or other labels for the default ones: `slug: Label`.
    #[serde(default)]
    event_kinds: std::collections::BTreeMap<String, String>,
    /// Rows per page of the long lists (deadlines, timeline, changes, ...).
    #[serde(default)]
    page_size: Option<usize>,
    /// Entities per part of the search index.
    #[serde(default)]
    search_part_size: Option<usize>,
}

/// Rows per page of a long list when site.yaml does not say: a page of 200
/// deadline rows is about 300 KB, quick to open on a phone.
pub const DEFAULT_PAGE_SIZE: usize = 200;
/// The bounds of `page_size`.
const PAGE_SIZES: std::ops::RangeInclusive<usize> = 10..=2_000;

/// The resolved settings of a site.
#[derive(Debug, Clone)]
pub struct Config {
    pub title: String,
    pub description: String,
    pub base_url: BaseUrl,
    pub language: String,
    pub theme: String,
    pub as_of: Option<Date>,
    /// Where `base_url` is written in site.yaml, for messages.
    pub base_url_pos: Option<crate::diagnostics::Pos>,
    /// Every kind of event the site knows, `slug -> label`: the defaults and
    /// the site's own.
    pub event_kinds: std::collections::BTreeMap<String, String>,
    /// Entities last reviewed longer ago than this are marked stale.
    pub stale_after_days: Option<u32>,
    /// `https://github.com/ORG/REPO/edit/main/{path}`: each page links to its file.
    pub edit_url: Option<String>,
    /// Rows per page of the long lists.
    pub page_size: usize,
    /// Entities per part of the search index (see [`crate::search::PART_RECORDS`]).
    pub search_part_size: usize,
}

impl Config {
    /// The label of event kind `slug` ("Revocation").
    pub fn event_kind_label<'a>(&'a self, slug: &'a str) -> &'a str {
        self.event_kinds.get(slug).map_or(slug, String::as_str)
    }
}

/// Where the site is deployed: an optional origin and a path prefix.
///
/// Every internal link is written as an absolute path under `path`, so a site
/// built for `https://example.org/kb/` works when served from `/kb/`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BaseUrl {
    /// `https://example.org` (no trailing slash), or empty when only a path was given.
    pub origin: String,
    /// Starts and ends with `/`.
    pub path: String,
}

impl BaseUrl {
    pub fn parse(raw: &str) -> Result<BaseUrl, String> {
        let raw = raw.trim();
        let (origin, path) = if let Some(scheme_end) = raw.find("://") {
            let scheme = &raw[..scheme_end];
            if scheme != "http" && scheme != "https" {
                return Err(format!(
                    "base_url `{raw}` must start with http:// or https://"
                ));
            }
            let after = &raw[scheme_end + 3..];
            let host_end = after.find('/').unwrap_or(after.len());
            if host_end == 0 {
                return Err(format!("base_url `{raw}` has no host"));
            }
            (
                raw[..scheme_end + 3 + host_end].to_string(),
                &after[host_end..],
            )
        } else if raw.starts_with('/') || raw.is_empty() {
            (String::new(), raw)
        } else {
            return Err(format!(
                "base_url `{raw}` must be a full URL (https://example.org/kb/) or a path (/kb/)"
            ));
        };
        if path.contains(['?', '#', ' ']) {
            return Err(format!(
                "base_url `{raw}` must not contain a query, fragment or space"
            ));
        }
        let trimmed = path.trim_matches('/');
        let path = if trimmed.is_empty() {
            "/".to_string()
        } else {
            format!("/{trimmed}/")
        };
        Ok(BaseUrl { origin, path })
    }

    /// The host (and port) of the origin, when `base_url` has one: `example.org`.
    pub fn host(&self) -> Option<&str> {
        self.origin
            .split_once("://")
            .map(|(_, host)| host)
            .filter(|h| !h.is_empty())
    }

    /// The absolute URL of a site path such as `/orders/x/` (origin may be empty).
    pub fn absolute(&self, site_path: &str) -> String {
        format!("{}{}", self.origin, self.link(site_path))
    }

    /// The link to a site path such as `/orders/x/`, under the base path.
    pub fn link(&self, site_path: &str) -> String {
        format!("{}{}", self.path, site_path.trim_start_matches('/'))
    }
}

impl Config {
    /// Read and resolve `site.yaml` in `root`.
    pub fn load(root: &Path) -> Result<Config, Diagnostic> {
        let path = root.join(CONFIG_FILE);
        let shown = Path::new(CONFIG_FILE);
        match std::fs::metadata(&path) {
            // A FIFO or a device would block or never end: only regular files are read.
            Ok(m) if !m.is_file() => {
                return Err(Diagnostic::error(shown, None, "site.yaml is not a regular file"))
            }
            Ok(_) => {}
            Err(e) => {
                return Err(Diagnostic::error(shown, None, format!("cannot read {}: {e}", path.display())).with_help(Some(
                    "run gazette in a site folder, pass --root DIR, or create one with `gazette init DIR`".into(),
                )))
            }
        }
        let text = crate::content::read_text(&path, shown)?;
        Config::parse(&text)
    }

    /// Resolve the text of a `site.yaml`.
    pub fn parse(text: &str) -> Result<Config, Diagnostic> {
        let shown = Path::new(CONFIG_FILE);
        let index = LineIndex::new(text);
        let raw: RawConfig = yaml::parse(text, 1, "site.yaml").map_err(|e| {
            Diagnostic::error(shown, e.pos, e.message)
                .with_help(e.help)
                .with_source(text, &index)
        })?;
        let spans = yaml::Spans::of(text, 1);
        let base_url = BaseUrl::parse(raw.base_url.as_deref().unwrap_or("/")).map_err(|m| {
            Diagnostic::error(shown, spans.get("base_url"), m).with_source(text, &index)
        })?;
        let theme = raw.theme.unwrap_or_else(|| "default".into());
        // The theme names a folder under themes/: a slug, so it cannot point elsewhere.
        if let Err(m) = crate::content::check_slug(&theme) {
            return Err(
                Diagnostic::error(shown, spans.get("theme"), format!("theme: {m}"))
                    .with_source(text, &index)
                    .with_help(Some(
                        "name a folder of themes/, or leave `theme` out for the default theme"
                            .into(),
                    )),
            );
        }
        let mut event_kinds: std::collections::BTreeMap<String, String> =
            crate::content::raw::DEFAULT_EVENT_KINDS
                .iter()
                .map(|(k, l)| ((*k).to_string(), (*l).to_string()))
                .collect();
        for (slug, label) in raw.event_kinds {
            // A kind becomes part of an address (/timeline/kinds/...): only slugs.
            if let Err(m) = crate::content::check_slug(&slug) {
                return Err(Diagnostic::error(
                    shown,
                    spans
                        .get(&format!("event_kinds.{slug}"))
                        .or(spans.get("event_kinds")),
                    format!("event kind: {m}"),
                )
                .with_source(text, &index));
            }
            event_kinds.insert(slug, label);
        }
        if let Some(u) = &raw.edit_url {
            if !crate::markdown::is_web_address(u) || !u.contains("{path}") {
                return Err(Diagnostic::error(shown, spans.get("edit_url"), "edit_url must be a web address (https://...) with `{path}` where the file's path goes")
                    .with_source(text, &index)
                    .with_help(Some("for example: https://github.com/ORG/REPO/edit/main/{path}".into())));
            }
        }
        let page_size = raw.page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if !PAGE_SIZES.contains(&page_size) {
            return Err(Diagnostic::error(
                shown,
                spans.get("page_size"),
                format!(
                    "page_size must be between {} and {}",
                    PAGE_SIZES.start(),
                    PAGE_SIZES.end()
                ),
            )
            .with_source(text, &index));
        }
        let search_part_size = raw.search_part_size.unwrap_or(crate::search::PART_RECORDS);
        if search_part_size == 0 {
            return Err(Diagnostic::error(
                shown,
                spans.get("search_part_size"),
                "search_part_size must be at least 1",
            )
            .with_source(text, &index));
        }
        Ok(Config {
            page_size,
            search_part_size,
            edit_url: raw.edit_url,
            event_kinds,
            stale_after_days: raw.stale_after_days,
            title: raw.title,
            description: raw.description.unwrap_or_default(),
            base_url,
            language: raw.language.unwrap_or_else(|| "en".into()),
            theme,
            as_of: raw.as_of,
            base_url_pos: spans
                .get("base_url")
                .or(Some(crate::diagnostics::Pos::new(1, 1))),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_forms() {
        let b = BaseUrl::parse("https://example.org/kb").unwrap();
        assert_eq!(b.origin, "https://example.org");
        assert_eq!(b.path, "/kb/");
        assert_eq!(b.link("/orders/x/"), "/kb/orders/x/");
        assert_eq!(b.absolute("/"), "https://example.org/kb/");
        assert_eq!(b.host(), Some("example.org"));
        assert_eq!(BaseUrl::parse("/docs/").unwrap().host(), None);
        let root = BaseUrl::parse("https://example.org").unwrap();
        assert_eq!(root.path, "/");
        assert_eq!(BaseUrl::parse("/docs/").unwrap().path, "/docs/");
        assert!(BaseUrl::parse("ftp://x").is_err());
        assert!(BaseUrl::parse("example.org").is_err());
    }
}
