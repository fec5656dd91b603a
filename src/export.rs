//! `/api/site.json`: the whole knowledge base, machine-readable.
//!
//! Every entity under its id, with its fields, resolved references (ids),
//! computed deadline dates and statuses, backlinks and the changes between
//! versions. The shape is documented in docs/json-export.md and, as JSON
//! Schema, in docs/site.schema.json; a test validates the shipped site's
//! export against it.

use std::collections::BTreeMap;

use serde::Serialize;

use crate::changes::{NumericChange, Segment};
use crate::content::Kind;
use crate::dates::Standing;
use crate::model::*;

/// The export format's version; bumped on incompatible changes.
pub const FORMAT: &str = "gazette-site/1";

/// Counts of requirements by category (`met-verified`, ...), and `total`.
type ScoreOut = BTreeMap<&'static str, usize>;

fn score(board: &crate::status::Scoreboard) -> ScoreOut {
    let mut out: ScoreOut = crate::status::Category::ALL
        .iter()
        .map(|&c| (c.slug(), board.count(c)))
        .collect();
    out.insert("total", board.total);
    out
}

#[derive(Serialize)]
struct RelationOut<'s> {
    kind: crate::model::RelationKind,
    /// The other order's id.
    order: &'s str,
    date: Option<String>,
    sources: &'s [String],
}

fn relations(list: &[crate::model::Relation]) -> Vec<RelationOut<'_>> {
    list.iter()
        .map(|r| RelationOut {
            kind: r.kind,
            order: &r.order,
            date: r.date.map(|d| d.to_string()),
            sources: &r.sources,
        })
        .collect()
}

#[derive(Serialize)]
struct LapseOut<'s> {
    /// `revoked` or `superseded`.
    status: crate::content::raw::OrderStatus,
    /// Since when it is no longer in force, if known.
    since: Option<String>,
    /// The order that revoked or superseded it, if on the site.
    by: Option<&'s str>,
}

#[derive(Serialize)]
struct StatusEntryOut<'s> {
    status: crate::content::raw::DeadlineStatus,
    date: String,
    basis: crate::content::raw::Basis,
    sources: &'s [String],
    note: Option<&'s str>,
}

#[derive(Serialize)]
struct SiteInfo<'s> {
    title: &'s str,
    description: &'s str,
    base_url: String,
    language: &'s str,
    as_of: String,
}

/// Fields every entity has.
#[derive(Serialize)]
struct Common<'s> {
    id: &'s str,
    url: String,
    title: &'s str,
    /// The body as HTML.
    body_html: &'s str,
    /// Ids of what this entity references, by kind (`agency`: [...]).
    references: BTreeMap<Kind, Vec<&'s str>>,
    /// Ids of what references it, by kind.
    backlinks: BTreeMap<Kind, Vec<&'s str>>,
    /// When an editor last checked it against its sources (YYYY-MM-DD), or null.
    reviewed: Option<String>,
    /// Reviewed longer ago than site.yaml's `stale_after_days`.
    stale: bool,
}

#[derive(Serialize)]
struct OrderOut<'s> {
    #[serde(flatten)]
    common: Common<'s>,
    short_title: Option<&'s str>,
    issuer: &'s str,
    signed: Option<String>,
    published: Option<String>,
    citation: Option<&'s str>,
    /// As given, or as follows from `related_by`.
    status: crate::content::raw::OrderStatus,
    summary: Option<&'s str>,
    sources: &'s [String],
    versions: Vec<VersionOut<'s>>,
    changes: Vec<ChangeOut<'s>>,
    /// What this order does to other orders.
    relations: Vec<RelationOut<'s>>,
    /// What other orders do to this one.
    related_by: Vec<RelationOut<'s>>,
    /// Set when the order is no longer in force.
    lapse: Option<LapseOut<'s>>,
    scoreboard: ScoreOut,
}

#[derive(Serialize)]
struct ProvisionOut<'s> {
    #[serde(flatten)]
    common: Common<'s>,
    order: &'s str,
    section: Option<&'s str>,
    agencies: &'s [String],
    summary: &'s str,
    sources: &'s [String],
    deadlines: Vec<DeadlineOut<'s>>,
    versions: Vec<VersionOut<'s>>,
    changes: Vec<ChangeOut<'s>>,
    disagreements: Vec<DisagreementOut<'s>>,
}

#[derive(Serialize)]
struct DeadlineOut<'s> {
    id: &'s str,
    action: &'s str,
    agency: &'s str,
    /// The due date (computed when relative), or null when none is set.
    due: Option<String>,
    /// How a relative date was computed.
    derivation: Option<DerivationOut<'s>>,
    note: Option<&'s str>,
    /// The status recorded by an editor, if any.
    status: Option<crate::content::raw::DeadlineStatus>,
    status_sources: &'s [String],
    /// The status as of the site's as-of date.
    standing: Standing,
    standing_label: String,
    /// Every recorded status, oldest first.
    history: Vec<StatusEntryOut<'s>>,
    /// The scoreboard category (`met-verified`, `no-completion-reported`, ...).
    category: crate::status::Category,
    sources: &'s [String],
}

#[derive(Serialize)]
struct DerivationOut<'s> {
    within_days: i64,
    from_date: String,
    from_label: &'s str,
    /// `kind/id` of the item counted from.
    from: Option<String>,
}

#[derive(Serialize)]
struct VersionOut<'s> {
    id: &'s str,
    label: &'s str,
    date: Option<String>,
    text: &'s str,
    paraphrase: bool,
    subject: Option<&'s str>,
    sources: &'s [String],
}

#[derive(Serialize)]
struct ChangeOut<'s> {
    from: &'s str,
    to: &'s str,
    numeric: Vec<NumericOut<'s>>,
    segments: &'s [Segment],
}

#[derive(Serialize)]
struct NumericOut<'s> {
    headline: String,
    #[serde(flatten)]
    change: &'s NumericChange,
}

#[derive(Serialize)]
struct DisagreementOut<'s> {
    claim: &'s str,
    accounts: Vec<AccountOut<'s>>,
}

#[derive(Serialize)]
struct AccountOut<'s> {
    says: &'s str,
    sources: &'s [String],
    preferred: bool,
    reason: Option<&'s str>,
}

#[derive(Serialize)]
struct AgencyOut<'s> {
    #[serde(flatten)]
    common: Common<'s>,
    acronym: Option<&'s str>,
    parent: Option<&'s str>,
    website: Option<&'s str>,
    scoreboard: ScoreOut,
}

#[derive(Serialize)]
struct SourceOut<'s> {
    #[serde(flatten)]
    common: Common<'s>,
    publisher: &'s str,
    kind: crate::content::raw::SourceKind,
    date: Option<String>,
    address: Option<&'s str>,
    archived_address: Option<&'s str>,
    accessed: Option<String>,
}

#[derive(Serialize)]
struct EventOut<'s> {
    #[serde(flatten)]
    common: Common<'s>,
    date: Option<String>,
    derivation: Option<DerivationOut<'s>>,
    kind: &'s str,
    sources: &'s [String],
    /// `kind/id` of each related entity.
    related: Vec<String>,
}

#[derive(Serialize)]
struct PageOut<'s> {
    #[serde(flatten)]
    common: Common<'s>,
    weight: Option<i64>,
}

/// The export as pretty-printed JSON.
pub fn site_json(site: &Site) -> String {
    let mut out = Vec::new();
    // Writing to memory cannot fail, nor can serializing plain data.
    let _ = write_site_json(site, &mut out);
    String::from_utf8(out).unwrap_or_default()
}

/// Write the export as pretty-printed JSON into `out`, one entity at a
/// time: on a large site it is tens of megabytes, never held whole.
pub fn write_site_json(site: &Site, out: &mut dyn std::io::Write) -> std::io::Result<()> {
    use crate::render::lists::{Grouped, Scope};
    use serde::ser::{SerializeStruct, Serializer};
    // Each order's and agency's requirements, from one pass over the site.
    let grouped = Grouped::of(site);
    let board = |scope: Scope| {
        let rows = grouped.deadlines(scope);
        score(&crate::status::Scoreboard::of(
            rows.iter().map(|(_, d)| *d),
            site.as_of,
        ))
    };
    let mut ser = serde_json::Serializer::pretty(out);
    let mut e = (&mut ser).serialize_struct("Export", 10)?;
    e.serialize_field("format", FORMAT)?;
    e.serialize_field(
        "generator",
        &format!("gazette {}", env!("CARGO_PKG_VERSION")),
    )?;
    e.serialize_field(
        "site",
        &SiteInfo {
            title: &site.config.title,
            description: &site.config.description,
            base_url: site.config.base_url.absolute("/"),
            language: &site.config.language,
            as_of: site.as_of.to_string(),
        },
    )?;
    e.serialize_field(
        "orders",
        &Seq(|| {
            site.orders.iter().enumerate().map(|(i, o)| OrderOut {
                common: common(site, Kind::Order, &o.meta),
                short_title: o.short_title.as_deref(),
                issuer: &o.issuer,
                signed: o.signed.map(|d| d.to_string()),
                published: o.published.map(|d| d.to_string()),
                citation: o.citation.as_deref(),
                status: o.status,
                summary: o.summary.as_deref(),
                sources: &o.sources,
                versions: versions(&o.versions),
                changes: changes(&o.versions, &o.changes),
                relations: relations(&o.relations),
                related_by: relations(&o.related_by),
                lapse: o.lapse.as_ref().map(|l| LapseOut {
                    status: l.kind,
                    since: l.since.map(|d| d.to_string()),
                    by: (!l.by.is_empty()).then_some(l.by.as_str()),
                }),
                scoreboard: board(Scope::Order(i)),
            })
        }),
    )?;
    e.serialize_field(
        "provisions",
        &Seq(|| {
            site.provisions.iter().map(|p| ProvisionOut {
                common: common(site, Kind::Provision, &p.meta),
                order: &p.order,
                section: p.section.as_deref(),
                agencies: &p.agencies,
                summary: &p.summary,
                sources: &p.sources,
                deadlines: p.deadlines.iter().map(|d| deadline(site, d)).collect(),
                versions: versions(&p.versions),
                changes: changes(&p.versions, &p.changes),
                disagreements: p
                    .disagreements
                    .iter()
                    .map(|d| DisagreementOut {
                        claim: &d.claim,
                        accounts: d
                            .accounts
                            .iter()
                            .map(|a| AccountOut {
                                says: &a.says,
                                sources: &a.sources,
                                preferred: a.preferred,
                                reason: a.reason.as_deref(),
                            })
                            .collect(),
                    })
                    .collect(),
            })
        }),
    )?;
    e.serialize_field(
        "agencies",
        &Seq(|| {
            site.agencies.iter().enumerate().map(|(i, a)| AgencyOut {
                common: common(site, Kind::Agency, &a.meta),
                acronym: a.acronym.as_deref(),
                parent: a.parent.as_deref(),
                website: a.url.as_deref(),
                scoreboard: board(Scope::Agency(i)),
            })
        }),
    )?;
    e.serialize_field(
        "sources",
        &Seq(|| {
            site.sources.iter().map(|s| SourceOut {
                common: common(site, Kind::Source, &s.meta),
                publisher: &s.publisher,
                kind: s.kind,
                date: s.date.map(|d| d.to_string()),
                address: s.url.as_deref(),
                archived_address: s.archived_url.as_deref(),
                accessed: s.accessed.map(|d| d.to_string()),
            })
        }),
    )?;
    e.serialize_field(
        "events",
        &Seq(|| {
            site.events.iter().map(|e| EventOut {
                common: common(site, Kind::Event, &e.meta),
                date: e.date.as_ref().map(|w| w.date.to_string()),
                derivation: e.date.as_ref().and_then(derivation),
                kind: &e.kind,
                sources: &e.sources,
                related: e
                    .related
                    .iter()
                    .map(|r| format!("{}/{}", r.kind.name(), r.id))
                    .collect(),
            })
        }),
    )?;
    e.serialize_field(
        "pages",
        &Seq(|| {
            site.pages.iter().map(|p| PageOut {
                common: common(site, Kind::Page, &p.meta),
                weight: p.weight,
            })
        }),
    )?;
    e.serialize_field("scoreboard", &board(Scope::All))?;
    e.end()?;
    Ok(())
}

/// A list serialized from an iterator, item by item: it is never a `Vec`.
struct Seq<F>(F);

impl<F, I> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: IntoIterator,
    I::Item: Serialize,
{
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

fn common<'s>(site: &'s Site, kind: Kind, meta: &'s Meta) -> Common<'s> {
    let r = Ref::new(kind, meta.id.as_str());
    let ids = |refs: &mut dyn Iterator<Item = &'s Ref>| {
        let mut out: BTreeMap<Kind, Vec<&'s str>> = BTreeMap::new();
        for x in refs.filter(|x| **x != r) {
            out.entry(x.kind).or_default().push(x.id.as_str());
        }
        out
    };
    Common {
        reviewed: meta.reviewed.map(|d| d.to_string()),
        stale: crate::resolve::stale_days(&site.config, site.as_of, meta.reviewed).is_some(),
        id: &meta.id,
        url: site.config.base_url.absolute(&r.path()),
        title: &meta.title,
        body_html: &meta.body_html,
        references: ids(&mut site.links.outgoing(&r)),
        backlinks: ids(&mut site.links.incoming(&r)),
    }
}

fn derivation(w: &When) -> Option<DerivationOut<'_>> {
    w.derivation.as_ref().map(|d| DerivationOut {
        within_days: d.days,
        from_date: d.from_date.to_string(),
        from_label: &d.from_label,
        from: d
            .from
            .as_ref()
            .map(|r| format!("{}/{}", r.kind.name(), r.id)),
    })
}

fn deadline<'s>(site: &Site, d: &'s Deadline) -> DeadlineOut<'s> {
    let due = d.due.as_ref().map(|w| w.date);
    let standing = Standing::of_deadline(d, site.as_of);
    DeadlineOut {
        id: &d.id,
        action: &d.action,
        agency: &d.agency,
        due: due.map(|x| x.to_string()),
        derivation: d.due.as_ref().and_then(derivation),
        note: d.note.as_deref(),
        status: d.status,
        status_sources: &d.status_sources,
        standing,
        standing_label: standing.label(),
        history: d
            .history
            .iter()
            .map(|e| StatusEntryOut {
                status: e.status,
                date: e.date.to_string(),
                basis: e.basis,
                sources: &e.sources,
                note: e.note.as_deref(),
            })
            .collect(),
        category: crate::status::Category::of(d, site.as_of),
        sources: &d.sources,
    }
}

fn versions(v: &[Version]) -> Vec<VersionOut<'_>> {
    v.iter()
        .map(|v| VersionOut {
            id: &v.id,
            label: &v.label,
            date: v.date.map(|d| d.to_string()),
            text: &v.text,
            paraphrase: v.paraphrase,
            subject: v.subject.as_deref(),
            sources: &v.sources,
        })
        .collect()
}

fn changes<'s>(versions: &'s [Version], changes: &'s [Change]) -> Vec<ChangeOut<'s>> {
    changes
        .iter()
        .map(|c| ChangeOut {
            from: &versions[c.from].id,
            to: &versions[c.to].id,
            numeric: c
                .comparison
                .numeric
                .iter()
                .map(|n| NumericOut {
                    headline: n.headline(versions[c.to].subject.as_deref()),
                    change: n,
                })
                .collect(),
            segments: &c.comparison.segments,
        })
        .collect()
}
