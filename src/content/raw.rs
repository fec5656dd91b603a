//! Front matter exactly as written: one struct per kind, unknown keys rejected.
//!
//! These are deserialized by serde_yaml and never seen by templates; the
//! resolver turns them into [`crate::model`] types.

use std::fmt;

use jiff::civil::Date;
use serde::de::{self, MapAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};

use super::Kind;
use crate::yaml::{self, YamlError};

/// The parsed front matter of one file.
#[derive(Debug)]
pub enum RawFrontMatter {
    Order(RawOrder),
    Provision(RawProvision),
    Agency(RawAgency),
    Source(RawSource),
    Event(RawEvent),
    Page(RawPage),
}

impl RawFrontMatter {
    pub fn parse(kind: Kind, text: &str, first_line: usize, what: &str) -> Result<Self, YamlError> {
        Ok(match kind {
            Kind::Order => Self::Order(yaml::parse(text, first_line, what)?),
            Kind::Provision => {
                let mut p: RawProvision = yaml::parse(text, first_line, what)?;
                p.shrink();
                Self::Provision(p)
            }
            Kind::Agency => Self::Agency(yaml::parse(text, first_line, what)?),
            Kind::Source => Self::Source(yaml::parse(text, first_line, what)?),
            Kind::Event => Self::Event(yaml::parse(text, first_line, what)?),
            Kind::Page => Self::Page(yaml::parse(text, first_line, what)?),
        })
    }

    pub fn is_draft(&self) -> bool {
        match self {
            Self::Order(o) => o.draft,
            Self::Provision(p) => p.draft,
            Self::Agency(a) => a.draft,
            Self::Source(s) => s.draft,
            Self::Event(e) => e.draft,
            Self::Page(p) => p.draft,
        }
    }

    pub fn reviewed(&self) -> Option<Date> {
        match self {
            Self::Order(o) => o.reviewed,
            Self::Provision(p) => p.reviewed,
            Self::Agency(a) => a.reviewed,
            Self::Source(s) => s.reviewed,
            Self::Event(e) => e.reviewed,
            Self::Page(p) => p.reviewed,
        }
    }

    pub fn title(&self) -> &str {
        match self {
            Self::Order(o) => &o.title,
            Self::Provision(p) => &p.title,
            Self::Agency(a) => &a.title,
            Self::Source(s) => &s.title,
            Self::Event(e) => &e.title,
            Self::Page(p) => &p.title,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum OrderStatus {
    Signed,
    Revoked,
    Amended,
    Superseded,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawOrder {
    /// Left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// When an editor last checked this entity against its sources.
    #[serde(default)]
    pub reviewed: Option<Date>,
    pub title: String,
    #[serde(default)]
    pub short_title: Option<String>,
    pub issuer: String,
    #[serde(default)]
    pub signed: Option<Date>,
    #[serde(default)]
    pub published: Option<Date>,
    #[serde(default)]
    pub citation: Option<String>,
    /// Left out, it follows from the other orders' relations to this one.
    #[serde(default)]
    pub status: Option<OrderStatus>,
    #[serde(default)]
    pub summary: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Versions of the order's text, oldest first.
    #[serde(default)]
    pub versions: Vec<RawVersion>,
    /// Other orders this one revokes, supersedes, amends or implements.
    #[serde(default)]
    pub revokes: Vec<RawRelation>,
    #[serde(default)]
    pub supersedes: Vec<RawRelation>,
    #[serde(default)]
    pub amends: Vec<RawRelation>,
    #[serde(default)]
    pub implements: Vec<RawRelation>,
}

/// Another order, by id alone or with the date and sources of the relation.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawRelation {
    Id(String),
    Full(RawRelationFull),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawRelationFull {
    pub order: String,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub sources: Vec<String>,
}

impl RawRelation {
    pub fn order(&self) -> &str {
        match self {
            RawRelation::Id(id) => id,
            RawRelation::Full(f) => &f.order,
        }
    }
    pub fn date(&self) -> Option<Date> {
        match self {
            RawRelation::Id(_) => None,
            RawRelation::Full(f) => f.date,
        }
    }
    pub fn sources(&self) -> &[String] {
        match self {
            RawRelation::Id(_) => &[],
            RawRelation::Full(f) => &f.sources,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawProvision {
    /// Left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// When an editor last checked this entity against its sources.
    #[serde(default)]
    pub reviewed: Option<Date>,
    pub title: String,
    pub order: String,
    #[serde(default)]
    pub section: Option<String>,
    /// Position among the order's provisions; provisions sort by it, then by title.
    #[serde(default)]
    pub weight: Option<i64>,
    #[serde(default)]
    pub agencies: Vec<String>,
    pub summary: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub deadlines: Vec<RawDeadline>,
    #[serde(default)]
    pub versions: Vec<RawVersion>,
    #[serde(default)]
    pub disagreements: Vec<RawDisagreement>,
}

impl RawProvision {
    /// See [`crate::model::shrink_provision`]: a site's provisions are held
    /// until their entities are made.
    fn shrink(&mut self) {
        crate::model::shrink_provision!(self);
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DeadlineStatus {
    Pending,
    InProgress,
    Met,
    Missed,
    Extended,
    NoLongerInForce,
    Unknown,
}

/// What a status entry rests on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Basis {
    /// What the responsible body or the White House says.
    Claimed,
    /// Independent evidence.
    Verified,
    /// News reports.
    Reported,
}

impl Basis {
    /// As written in front matter and shown on pages: `claimed`.
    pub fn name(self) -> &'static str {
        match self {
            Basis::Claimed => "claimed",
            Basis::Verified => "verified",
            Basis::Reported => "reported",
        }
    }
}

/// A deadline's status: one value (with `status_sources`), or a dated history.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
pub enum RawStatus {
    One(DeadlineStatus),
    History(Vec<RawStatusEntry>),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawStatusEntry {
    pub status: DeadlineStatus,
    pub date: Date,
    pub basis: Basis,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub note: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDeadline {
    pub id: String,
    pub action: String,
    /// Required; optional here so that its absence is reported with a position.
    #[serde(default)]
    pub agency: Option<String>,
    /// Absent when the order sets no date ("timeline not yet set").
    #[serde(default)]
    pub due: Option<RawWhen>,
    #[serde(default)]
    pub note: Option<String>,
    #[serde(default)]
    pub status: Option<RawStatus>,
    #[serde(default)]
    pub status_sources: Vec<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawVersion {
    pub id: String,
    pub label: String,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub text: Option<String>,
    /// True when `text` is a paraphrase from reporting, not the document's wording.
    #[serde(default)]
    pub paraphrase: bool,
    /// What the numbers that change in this version measure ("government-access
    /// window"), for change headlines.
    #[serde(default)]
    pub subject: Option<String>,
    #[serde(default)]
    pub sources: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawDisagreement {
    pub claim: String,
    pub accounts: Vec<RawAccount>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAccount {
    pub says: String,
    #[serde(default)]
    pub sources: Vec<String>,
    #[serde(default)]
    pub preferred: bool,
    #[serde(default)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawAgency {
    /// Left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// When an editor last checked this entity against its sources.
    #[serde(default)]
    pub reviewed: Option<Date>,
    pub title: String,
    #[serde(default)]
    pub acronym: Option<String>,
    #[serde(default)]
    pub parent: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum SourceKind {
    Primary,
    Official,
    News,
    Analysis,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSource {
    /// Left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// When an editor last checked this entity against its sources.
    #[serde(default)]
    pub reviewed: Option<Date>,
    pub title: String,
    pub publisher: String,
    #[serde(default)]
    pub date: Option<Date>,
    #[serde(default)]
    pub url: Option<String>,
    pub kind: SourceKind,
    #[serde(default)]
    pub archived_url: Option<String>,
    #[serde(default)]
    pub accessed: Option<Date>,
}

/// The kinds of event every site knows, with their labels: an order's life
/// as trackers record it. A site may add its own in site.yaml (`event_kinds`).
pub const DEFAULT_EVENT_KINDS: &[(&str, &str)] = &[
    ("signing", "Signing"),
    ("draft", "Reported draft"),
    ("publication", "Publication"),
    ("announcement", "Announcement"),
    ("implementation", "Implementation"),
    ("guidance", "Guidance"),
    ("rule", "Rule"),
    ("report", "Report"),
    ("hearing", "Hearing"),
    ("litigation", "Litigation"),
    ("amendment", "Amendment"),
    ("revocation", "Revocation"),
    ("other", "Other"),
];

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEvent {
    /// Left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// When an editor last checked this entity against its sources.
    #[serde(default)]
    pub reviewed: Option<Date>,
    pub title: String,
    /// Absent when no source reports the date; the event is listed as undated.
    #[serde(default)]
    pub date: Option<RawWhen>,
    /// One of the default kinds or of the site's `event_kinds` (checked when resolved).
    pub kind: String,
    #[serde(default)]
    pub sources: Vec<String>,
    /// Entities this event concerns: `id` or `kind/id`.
    #[serde(default)]
    pub related: Vec<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawPage {
    /// Left out of the build unless `--drafts` is given.
    #[serde(default)]
    pub draft: bool,
    /// When an editor last checked this entity against its sources.
    #[serde(default)]
    pub reviewed: Option<Date>,
    pub title: String,
    #[serde(default)]
    pub weight: Option<i64>,
}

/// The longest relative deadline: 100 years, far past any order's horizon.
pub const MAX_WITHIN_DAYS: i64 = 36_525;

/// A date as written: absolute, or N calendar days after another dated item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RawWhen {
    Date(Date),
    /// `{ within_days: N, of: signing | ITEM-ID }`.
    Within {
        days: i64,
        of: String,
    },
}

impl<'de> Deserialize<'de> for RawWhen {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(WhenVisitor)
    }
}

struct WhenVisitor;

impl<'de> Visitor<'de> for WhenVisitor {
    type Value = RawWhen;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("a date (YYYY-MM-DD) or { within_days: N, of: signing }")
    }

    fn visit_str<E: de::Error>(self, s: &str) -> Result<RawWhen, E> {
        parse_date(s).map(RawWhen::Date).map_err(E::custom)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawWhen, A::Error> {
        let mut days = None;
        let mut of = None;
        while let Some(key) = map.next_key::<String>()? {
            match key.as_str() {
                "within_days" => {
                    let n: i64 = map.next_value()?;
                    if n < 0 {
                        return Err(de::Error::custom("within_days must be zero or more"));
                    }
                    if n > MAX_WITHIN_DAYS {
                        return Err(de::Error::custom(format!(
                            "within_days must be at most {MAX_WITHIN_DAYS} (100 years)"
                        )));
                    }
                    days = Some(n);
                }
                "of" => of = Some(map.next_value::<String>()?),
                other => return Err(de::Error::unknown_field(other, &["within_days", "of"])),
            }
        }
        let days = days.ok_or_else(|| de::Error::missing_field("within_days"))?;
        let of = of.ok_or_else(|| de::Error::missing_field("of"))?;
        Ok(RawWhen::Within { days, of })
    }
}

/// Parse `YYYY-MM-DD` with a message an editor understands.
pub fn parse_date(s: &str) -> Result<Date, String> {
    let t = s.trim();
    t.parse::<Date>().map_err(|e| match day_past_month_end(t) {
        Some(m) => format!("invalid date `{s}`: {m}"),
        None if t.to_ascii_lowercase().starts_with("within") => {
            let n = t
                .split(|c: char| !c.is_ascii_digit())
                .find(|w| !w.is_empty())
                .unwrap_or("N");
            format!("`{s}` is not a date: write a relative date as `{{ within_days: {n}, of: signing }}`")
        }
        None => format!("invalid date `{s}`: {e} (expected YYYY-MM-DD)"),
    })
}

/// "February 2026 has 28 days", when `t` is YYYY-MM-DD with a day past its month's end.
fn day_past_month_end(t: &str) -> Option<String> {
    let mut parts = t.split('-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let (year, month, day): (i16, i8, i8) = (y.parse().ok()?, m.parse().ok()?, d.parse().ok()?);
    let first = Date::new(year, month, 1).ok()?;
    let days = first.days_in_month();
    (day > days).then(|| format!("{} has {days} days", first.strftime("%B %Y")))
}
