//! Long lists split into pages: `/deadlines/`, `/deadlines/page/2/`, ...
//!
//! A list of `n` rows becomes `ceil(n / page_size)` pages (at least one, so
//! an empty list still has its page). The first page keeps the list's own
//! address; page `k` is at `page/k/` under it, as in Hugo. Every page links
//! to every other, each link labelled with the range of rows it holds, so
//! that the pager is also the list's index and works without JavaScript.

use std::ops::Range;

use serde::Serialize;

/// The pages of a list of `items` rows, `size` rows each.
pub fn count(items: usize, size: usize) -> usize {
    items.div_ceil(size.max(1)).max(1)
}

/// The rows on page `page` (0-based) of a list of `items` rows.
pub fn rows(page: usize, items: usize, size: usize) -> Range<usize> {
    let start = page.saturating_mul(size).min(items);
    start..start.saturating_add(size).min(items)
}

/// The address of page `page` (0-based) of the list at `base` (`/deadlines/`).
pub fn path(base: &str, page: usize) -> String {
    if page == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", page + 1)
    }
}

/// The pager of one page of a list, for templates.
#[derive(Debug, Clone, Serialize)]
pub struct PagerView {
    /// 1-based.
    pub number: usize,
    pub total: usize,
    /// Rows on this page: "201–400 of 20,000".
    pub showing: String,
    pub prev: Option<String>,
    pub next: Option<String>,
    pub pages: Vec<PagerLinkView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PagerLinkView {
    pub number: usize,
    pub url: String,
    /// What the page holds: "July 2 – July 9, 2026", "Provision 0 – Provision 199".
    pub label: String,
    pub current: bool,
}

/// The pager of page `page` of a list of `items` rows at `base_url` (a
/// link, base path included). `row` names row `i` (a title, a date); a
/// page is labelled with the names of its first and last rows.
pub fn pager(
    page: usize,
    items: usize,
    size: usize,
    base_url: &str,
    row: impl Fn(usize) -> String,
) -> PagerView {
    let label = |r: Range<usize>| {
        if r.is_empty() {
            String::new()
        } else {
            span(&row(r.start), &row(r.end - 1))
        }
    };
    let total = count(items, size);
    let url = |k: usize| path(base_url, k);
    let here = rows(page, items, size);
    PagerView {
        number: page + 1,
        total,
        showing: if here.is_empty() {
            String::new()
        } else {
            format!(
                "{}–{} of {}",
                thousands(here.start + 1),
                thousands(here.end),
                thousands(items)
            )
        },
        prev: (page > 0).then(|| url(page - 1)),
        next: (page + 1 < total).then(|| url(page + 1)),
        pages: if total > 1 {
            (0..total)
                .map(|k| PagerLinkView {
                    number: k + 1,
                    url: url(k),
                    label: label(rows(k, items, size)),
                    current: k == page,
                })
                .collect()
        } else {
            Vec::new()
        },
    }
}

/// `20000` as `20,000`.
pub fn thousands(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// "A – B", or just "A" when both ends are the same.
pub fn span(first: &str, last: &str) -> String {
    if first == last {
        first.to_string()
    } else {
        format!("{first} – {last}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_cover_every_row_once() {
        assert_eq!(count(0, 200), 1);
        assert_eq!(count(200, 200), 1);
        assert_eq!(count(201, 200), 2);
        assert_eq!(rows(0, 0, 200), 0..0);
        assert_eq!(rows(1, 450, 200), 200..400);
        assert_eq!(rows(2, 450, 200), 400..450);
        let covered: usize = (0..count(450, 200)).map(|p| rows(p, 450, 200).len()).sum();
        assert_eq!(covered, 450);
    }

    #[test]
    fn addresses_and_labels() {
        assert_eq!(path("/deadlines/", 0), "/deadlines/");
        assert_eq!(path("/deadlines/", 2), "/deadlines/page/3/");
        let p = pager(1, 450, 200, "/kb/deadlines/", |i| format!("r{i}"));
        assert_eq!((p.number, p.total), (2, 3));
        assert_eq!(p.showing, "201–400 of 450");
        assert_eq!(p.prev.as_deref(), Some("/kb/deadlines/"));
        assert_eq!(p.next.as_deref(), Some("/kb/deadlines/page/3/"));
        assert_eq!(p.pages[2].label, "r400 – r449");
        assert!(p.pages[1].current && !p.pages[0].current);
        assert!(pager(0, 10, 200, "/x/", |_| String::new()).pages.is_empty());
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
