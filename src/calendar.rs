//! iCalendar files (RFC 5545, with RFC 7986 names) of deadlines and events.
//!
//! Folding and escaping are left to the `icalendar` crate; the calendar is
//! written one event at a time (the site's is 100 MB at 100,000
//! provisions). Every value is
//! derived from the input and the as-of date, so two builds give the same
//! bytes, and each item's UID (`deadline-ID@host`) never changes.

use icalendar::{Calendar, Component, Event, EventStatus, Property};
use std::io::Write;

use jiff::civil::Date;

use crate::content::Kind;
use crate::dates::Standing;
use crate::model::{Ref, Site};
use crate::timeline::{Item, ItemKind};

/// Write the site's calendar into `out`: every dated deadline and event,
/// from the timeline's `items`.
pub fn site_calendar(site: &Site, items: &[Item], out: &mut dyn Write) -> std::io::Result<()> {
    let name = format!("{}: deadlines and events", site.config.title);
    render(site, items, &name, out)
}

/// One agency's calendar: its deadlines and the events that concern it.
/// `items`: the timeline's items that concern the agency.
pub fn agency_calendar<'a, 's: 'a>(
    site: &Site,
    items: impl IntoIterator<Item = &'a Item<'s>>,
    agency: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let title = site.title_of(&Ref::new(Kind::Agency, agency)).to_string();
    let name = format!("{}: {title}", site.config.title);
    render(site, items, &name, out)
}

/// Scopes UIDs and feed ids when `base_url` has no host.
pub const STAND_IN_HOST: &str = "gazette.localhost";

fn ics_date(d: Date) -> String {
    d.strftime("%Y%m%d").to_string()
}

fn render<'a, 's: 'a>(
    site: &Site,
    items: impl IntoIterator<Item = &'a Item<'s>>,
    name: &str,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    let host = site.config.base_url.host().unwrap_or(STAND_IN_HOST);
    let stamp = format!("{}T000000Z", ics_date(site.as_of));
    let mut cal = Calendar::empty();
    cal.append_property(Property::new("VERSION", "2.0"));
    cal.append_property(Property::new("PRODID", "-//gazette//gazette//EN"));
    cal.append_property(Property::new("CALSCALE", "GREGORIAN"));
    cal.append_property(Property::new("METHOD", "PUBLISH"));
    cal.append_property(Property::new("NAME", name));
    cal.append_property(Property::new("X-WR-CALNAME", name));
    if !site.config.description.is_empty() {
        cal.append_property(Property::new("DESCRIPTION", &site.config.description));
    }
    let mut refresh = Property::new("REFRESH-INTERVAL", "P1D");
    refresh.add_parameter("VALUE", "DURATION");
    cal.append_property(refresh);
    cal.append_property(Property::new("X-PUBLISHED-TTL", "P1D"));
    // The calendar's head, then each event as it is made, then its end:
    // the bytes `Calendar`'s Display would give, without holding them all.
    let head = cal.done().to_string();
    let end = "END:VCALENDAR\r\n";
    let head = head.strip_suffix(end).unwrap_or(&head);
    out.write_all(head.as_bytes())?;
    let calendar_kinds = [ItemKind::Deadline, ItemKind::Event, ItemKind::Signing];
    let mut text = String::new();
    for item in items
        .into_iter()
        .filter(|i| calendar_kinds.contains(&i.kind) && i.page.kind != Kind::Order)
    {
        text.clear();
        event(site, item, host, &stamp)
            .fmt_write(&mut text)
            .map_err(std::io::Error::other)?;
        out.write_all(text.as_bytes())?;
    }
    out.write_all(end.as_bytes())
}

fn event(site: &Site, item: &Item, host: &str, stamp: &str) -> Event {
    let uid = format!("{}@{host}", item.key.replace('/', "-"));
    let mut ev = Event::new();
    ev.uid(&uid);
    ev.add_property("DTSTAMP", stamp);
    let mut start = Property::new("DTSTART", ics_date(item.date));
    start.add_parameter("VALUE", "DATE");
    ev.append_property(start);
    // All-day events end, exclusively, on the next day.
    if let Some(next) = crate::dates::add_days(item.date, 1) {
        let mut end = Property::new("DTEND", ics_date(next));
        end.add_parameter("VALUE", "DATE");
        ev.append_property(end);
    }
    let mut url = site.config.base_url.absolute(&item.page.path());
    if let Some(anchor) = &item.anchor {
        url = format!("{url}#{anchor}");
    }
    // URL must be absolute: without a host in base_url, the page is named in the description.
    if !site.config.base_url.origin.is_empty() {
        ev.url(&url);
    }
    let mut lines = Vec::new();
    let summary = match item.deadline {
        Some((p, d)) => {
            let agency = site
                .agency(&d.agency)
                .map(|a| a.acronym.clone().unwrap_or_else(|| a.meta.title.clone()))
                .unwrap_or_default();
            lines.push(format!("Provision: {}", p.meta.title));
            if let Some(deriv) = d.due.as_ref().and_then(|w| w.derivation.as_ref()) {
                lines.push(format!(
                    "Due within {} days of {} ({})",
                    deriv.days, deriv.from_date, deriv.from_label
                ));
            }
            let standing = Standing::of_deadline(d, site.as_of);
            lines.push(format!("Status as of {}: {}", site.as_of, standing.label()));
            lines.push(source_line(site, &d.sources));
            if agency.is_empty() {
                format!("Deadline: {}", d.action)
            } else {
                format!("Deadline ({agency}): {}", d.action)
            }
        }
        None => {
            // (An order's signing or a source's publication has no event.)
            let event = (item.page.kind == Kind::Event).then(|| site.event(&item.page.id));
            if let Some(e) = event.flatten() {
                lines.push(source_line(site, &e.sources));
            }
            item.title.clone()
        }
    };
    ev.summary(&summary);
    lines.push(url.clone());
    ev.description(&lines.join("\n"));
    ev.status(EventStatus::Confirmed);
    ev.done()
}

fn source_line(site: &Site, ids: &[String]) -> String {
    let names: Vec<String> = ids
        .iter()
        .filter_map(|id| site.source(id))
        .map(|s| format!("{}, “{}”", s.publisher, s.meta.title))
        .collect();
    if names.is_empty() {
        "Sources: none recorded".into()
    } else {
        format!("Sources: {}", names.join("; "))
    }
}
