//! Deadlines as spreadsheet rows: `/deadlines.csv`, and one file per order
//! (`/orders/ID/deadlines.csv`) and per agency (`/agencies/ID/deadlines.csv`).
//!
//! RFC 4180 CSV written by the `csv` crate, in UTF-8 with a byte-order mark
//! so that spreadsheet applications (Excel among them) read accents and
//! dashes right. Dates are ISO (`2026-07-02`) so that they sort and parse.

use crate::dates::Standing;
use crate::model::{Deadline, Provision, Site, When};

/// The column headings, in order.
pub const COLUMNS: [&str; 16] = [
    "deadline",
    "action",
    "agency",
    "agency_id",
    "provision",
    "provision_id",
    "order_id",
    "due",
    "derivation",
    "status",
    "basis",
    "category",
    "days_left",
    "days_overdue",
    "sources",
    "url",
];

/// Write the deadlines `rows` (by due date) as CSV into `out`.
pub fn deadlines_csv<'s>(
    site: &Site,
    rows: impl IntoIterator<Item = (&'s Provision, &'s Deadline)>,
    out: &mut dyn std::io::Write,
) -> std::io::Result<()> {
    out.write_all("\u{feff}".as_bytes())?;
    let mut w = csv::Writer::from_writer(out);
    w.write_record(COLUMNS)?;
    for (p, d) in rows {
        w.write_record(row(site, p, d))?;
    }
    w.flush()
}

fn row(site: &Site, p: &Provision, d: &Deadline) -> [String; 16] {
    let due = d.due.as_ref().map(|w| w.date);
    let standing = Standing::of_deadline(d, site.as_of);
    let (days_left, days_overdue) = match standing {
        Standing::Upcoming { days_left } => (days_left.to_string(), String::new()),
        Standing::DueToday => ("0".into(), String::new()),
        Standing::Overdue { days_overdue } => (String::new(), days_overdue.to_string()),
        _ => (String::new(), String::new()),
    };
    let derivation = d
        .due
        .as_ref()
        .and_then(When::derivation_text)
        .unwrap_or_default();
    let agency_title = site
        .agency(&d.agency)
        .map(|a| a.meta.title.clone())
        .unwrap_or_default();
    let url = site
        .config
        .base_url
        .absolute(&format!("/provisions/{}/#deadline-{}", p.meta.id, d.id));
    [
        d.id.clone(),
        d.action.clone(),
        agency_title,
        d.agency.clone(),
        p.meta.title.clone(),
        p.meta.id.clone(),
        p.order.clone(),
        due.map(|x| x.to_string()).unwrap_or_default(),
        derivation,
        standing.label(),
        // What the latest recorded status rests on: claimed, verified, reported.
        d.history
            .last()
            .map(|e| e.basis.name().to_string())
            .unwrap_or_default(),
        crate::status::Category::of(d, site.as_of)
            .label()
            .to_string(),
        days_left,
        days_overdue,
        d.sources.join("; "),
        url,
    ]
}
