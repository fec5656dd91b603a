//! Long lists split into pages: `/deadlines/`, `/deadlines/page/2/`, ...
//!
//! A list of `n` rows becomes `ceil(n / page_size)` pages (at least one, so
//! an empty list still has its page), unless it ends its pages by a rule of
//! its own ([`Cut::Ends`]: the matrix bounds its columns). The first page
//! keeps the list's own address; page `k` is at `page/k/` under it, as in
//! Hugo. Pages link to
//! each other labelled with the range of rows each holds, so that the pager
//! is also the list's index and works without JavaScript. A list of up to
//! [`FULL`] pages lists every page on every page; a longer one lists them
//! all on its first page only, and on the others the pages nearby, the
//! first and the last: a pager of every page on every page grew with the
//! square of the list (a third of each deadlines page at 100,000
//! provisions), and a title at a page's edge changed every page.

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

/// Where a list's pages end: after every `size` rows, or where the list's
/// own rule says (the matrix ends a page early to bound its columns).
#[derive(Debug, Clone, Copy)]
pub enum Cut<'a> {
    Every(usize),
    /// The end (exclusive) of each page's rows, in order, the last one the
    /// list's length; empty for an empty list.
    Ends(&'a [usize]),
}

impl Cut<'_> {
    /// The pages of a list of `items` rows (at least one).
    pub fn count(self, items: usize) -> usize {
        match self {
            Cut::Every(size) => count(items, size),
            Cut::Ends(ends) => ends.len().max(1),
        }
    }

    /// The rows on page `page` (0-based) of a list of `items` rows.
    pub fn rows(self, page: usize, items: usize) -> Range<usize> {
        match self {
            Cut::Every(size) => rows(page, items, size),
            Cut::Ends(ends) => {
                let end = |k: usize| ends.get(k).copied().unwrap_or(items).min(items);
                let start = if page == 0 { 0 } else { end(page - 1) };
                start..end(page).max(start)
            }
        }
    }
}

/// The address of page `page` (0-based) of the list at `base` (`/deadlines/`).
pub fn path(base: &str, page: usize) -> String {
    if page == 0 {
        base.to_string()
    } else {
        format!("{base}page/{}/", page + 1)
    }
}

/// Lists of up to this many pages list every page on every page.
pub const FULL: usize = 10;

/// How many pages on either side of the current one a page lists.
const NEAR: usize = 2;

/// The pages (0-based, in order) that page `page` of a list of `total`
/// pages lists in its pager.
pub fn listed(page: usize, total: usize) -> Vec<usize> {
    if total <= FULL || page == 0 {
        return (0..total).collect();
    }
    let near = page.saturating_sub(NEAR)..(page + NEAR + 1).min(total);
    let mut out: Vec<usize> = std::iter::once(0)
        .chain(near)
        .chain(std::iter::once(total - 1))
        .collect();
    out.dedup();
    out
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
    /// The pages this one lists (see [`listed`]).
    pub pages: Vec<PagerLinkView>,
    /// Where every page is listed, when this one lists only some: the
    /// first page's list of pages.
    pub index: Option<String>,
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
    pager_cut(page, items, Cut::Every(size), base_url, row)
}

/// [`pager`] for a list cut into pages by `cut`.
pub fn pager_cut(
    page: usize,
    items: usize,
    cut: Cut,
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
    let total = cut.count(items);
    let url = |k: usize| path(base_url, k);
    let here = cut.rows(page, items);
    let shown = listed(page, total);
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
            shown
                .iter()
                .copied()
                .map(|k| PagerLinkView {
                    number: k + 1,
                    url: url(k),
                    label: label(cut.rows(k, items)),
                    current: k == page,
                })
                .collect()
        } else {
            Vec::new()
        },
        index: (shown.len() < total).then(|| format!("{}#pages", url(0))),
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
    fn a_long_list_lists_every_page_on_its_first_page_only() {
        assert_eq!(listed(3, FULL), (0..FULL).collect::<Vec<_>>());
        assert_eq!(listed(0, 50), (0..50).collect::<Vec<_>>());
        assert_eq!(listed(20, 50), [0, 18, 19, 20, 21, 22, 49]);
        assert_eq!(listed(1, 50), [0, 1, 2, 3, 49]);
        assert_eq!(listed(49, 50), [0, 47, 48, 49]);
        let p = pager(20, 50 * 200, 200, "/d/", |i| format!("r{i}"));
        assert_eq!(p.index.as_deref(), Some("/d/#pages"));
        assert_eq!(p.pages.len(), 7);
        assert_eq!(p.pages[3].label, "r4000 – r4199");
        assert!(p.pages[3].current);
        assert_eq!(
            pager(0, 50 * 200, 200, "/d/", |_| String::new()).index,
            None
        );
    }

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
    fn pages_cut_at_given_ends_cover_every_row_once() {
        let ends = [3, 4, 9];
        let cut = Cut::Ends(&ends);
        assert_eq!(cut.count(9), 3);
        assert_eq!(cut.rows(0, 9), 0..3);
        assert_eq!(cut.rows(1, 9), 3..4);
        assert_eq!(cut.rows(2, 9), 4..9);
        assert_eq!(cut.rows(3, 9), 9..9, "past the last page: nothing");
        assert_eq!(
            (Cut::Ends(&[]).count(0), Cut::Ends(&[]).rows(0, 0)),
            (1, 0..0)
        );
        let p = pager_cut(1, 9, cut, "/m/", |i| format!("r{i}"));
        assert_eq!((p.number, p.total, p.showing.as_str()), (2, 3, "4–4 of 9"));
        assert_eq!(p.pages[2].label, "r4 – r8");
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
        assert_eq!(p.index, None, "a short list lists every page everywhere");
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
    }
}
