//! Draft versus final: word-level redlines and numeric changes as data.
//!
//! Two consecutive versions of a text are split into tokens ([`tokens`]) and
//! compared with the `similar` crate. The result is a list of [`Segment`]s
//! (kept, deleted, inserted text) from which the inline and side-by-side
//! redlines are drawn, and a list of [`NumericChange`]s: quantities found in
//! the changed parts ([`quantity`]) and paired old-to-new, so that "90 days" to
//! "30 days" becomes one typed record rather than a deletion and an insertion.

pub mod quantity;
pub mod tokens;

use serde::Serialize;
use similar::{capture_diff_slices, Algorithm, DiffTag};

use quantity::{Quantity, QuantityKind};
use tokens::{tokenize, Token, TokenKind};

/// A run of text in a redline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "op", content = "text", rename_all = "lowercase")]
pub enum Segment {
    Equal(String),
    Delete(String),
    Insert(String),
}

/// A quantity whose value changed between two versions.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct NumericChange {
    pub kind: QuantityKind,
    pub unit: String,
    pub old_value: f64,
    pub new_value: f64,
    /// As written: "90 days", "ninety (90) days".
    pub old_text: String,
    pub new_text: String,
    /// Up to six words before and after the quantity in the new version.
    pub before: String,
    pub after: String,
}

impl NumericChange {
    /// "cut from 90 to 30 days", "raised from $5 million to $10 million".
    pub fn verb_phrase(&self) -> String {
        let verb = match self.kind {
            QuantityKind::Date if self.new_value > self.old_value => "moved later",
            QuantityKind::Date => "moved earlier",
            _ if self.new_value < self.old_value => "cut",
            _ => "raised",
        };
        let plural_unit = match (self.kind, self.unit.as_str()) {
            (QuantityKind::Duration, u) => format!(" {u}s"),
            (QuantityKind::Count, u) if !u.is_empty() => format!(" {u}"),
            _ => String::new(),
        };
        match self.kind {
            QuantityKind::Duration => format!(
                "{verb} from {} to {}{plural_unit}",
                fmt_number(self.old_value),
                fmt_number(self.new_value)
            ),
            _ => format!(
                "{verb} from {} to {}",
                self.old_text.trim(),
                self.new_text.trim()
            ),
        }
    }

    /// "Government-access window cut from 90 to 30 days", given what the number
    /// measures, else "Cut from 90 to 30 days".
    pub fn headline(&self, subject: Option<&str>) -> String {
        let phrase = self.verb_phrase();
        match subject.map(str::trim).filter(|s| !s.is_empty()) {
            Some(s) => format!("{} {phrase}", capitalize(s)),
            None => capitalize(&phrase),
        }
    }

    /// "90 days → 30 days"
    pub fn summary(&self) -> String {
        format!("{} → {}", self.old_text.trim(), self.new_text.trim())
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

fn fmt_number(v: f64) -> String {
    if v.fract() == 0.0 {
        format!("{}", v as i64)
    } else {
        format!("{v}")
    }
}

/// The comparison of two texts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Comparison {
    pub segments: Vec<Segment>,
    pub numeric: Vec<NumericChange>,
}

impl Comparison {
    pub fn has_changes(&self) -> bool {
        self.segments
            .iter()
            .any(|s| !matches!(s, Segment::Equal(_)))
    }
}

/// Compare `old` with `new`, word by word.
pub fn compare(old: &str, new: &str) -> Comparison {
    let (a, b) = (tokenize(old), tokenize(new));
    let ka: Vec<&str> = a.iter().map(Token::key).collect();
    let kb: Vec<&str> = b.iter().map(Token::key).collect();
    let ops = capture_diff_slices(Algorithm::Patience, &ka, &kb);
    let mut old_changed = vec![false; a.len()];
    let mut new_changed = vec![false; b.len()];
    let mut segments = Vec::new();
    for op in &ops {
        let (tag, ro, rn) = op.as_tag_tuple();
        let text = |t: &[Token], r: std::ops::Range<usize>| -> String {
            t[r].iter().map(|x| x.text).collect()
        };
        match tag {
            DiffTag::Equal => segments.push(Segment::Equal(text(&b, rn))),
            DiffTag::Delete => {
                old_changed[ro.clone()].iter_mut().for_each(|c| *c = true);
                segments.push(Segment::Delete(text(&a, ro)));
            }
            DiffTag::Insert => {
                new_changed[rn.clone()].iter_mut().for_each(|c| *c = true);
                segments.push(Segment::Insert(text(&b, rn)));
            }
            DiffTag::Replace => {
                old_changed[ro.clone()].iter_mut().for_each(|c| *c = true);
                new_changed[rn.clone()].iter_mut().for_each(|c| *c = true);
                segments.push(Segment::Delete(text(&a, ro)));
                segments.push(Segment::Insert(text(&b, rn)));
            }
        }
    }
    let numeric = numeric_changes(&a, &b, &old_changed, &new_changed);
    Comparison {
        segments: coalesce(segments),
        numeric,
    }
}

/// Join changes separated only by whitespace ("<del>a</del><ins>b</ins> <del>c</del><ins>d</ins>"
/// reads better as "<del>a c</del><ins>b d</ins>"), and merge neighbours of one kind.
fn coalesce(segments: Vec<Segment>) -> Vec<Segment> {
    let mut out: Vec<Segment> = Vec::new();
    let mut i = 0;
    while i < segments.len() {
        match &segments[i] {
            Segment::Equal(t) => {
                let between_changes = !out.is_empty()
                    && !matches!(out.last(), Some(Segment::Equal(_)))
                    && segments
                        .get(i + 1)
                        .is_some_and(|s| !matches!(s, Segment::Equal(_)));
                if between_changes && t.trim().is_empty() {
                    // Absorb the space into the change run on both sides.
                    push_merged(&mut out, Segment::Delete(t.clone()));
                    push_merged(&mut out, Segment::Insert(t.clone()));
                } else {
                    push_merged(&mut out, segments[i].clone());
                }
            }
            other => push_merged(&mut out, other.clone()),
        }
        i += 1;
    }
    // Within a run of changes, put all deletions before all insertions.
    let mut result: Vec<Segment> = Vec::new();
    let mut del = String::new();
    let mut ins = String::new();
    let flush = |result: &mut Vec<Segment>, del: &mut String, ins: &mut String| {
        if !del.is_empty() {
            result.push(Segment::Delete(std::mem::take(del)));
        }
        if !ins.is_empty() {
            result.push(Segment::Insert(std::mem::take(ins)));
        }
    };
    for s in out {
        match s {
            Segment::Equal(t) => {
                flush(&mut result, &mut del, &mut ins);
                result.push(Segment::Equal(t));
            }
            Segment::Delete(t) => del.push_str(&t),
            Segment::Insert(t) => ins.push_str(&t),
        }
    }
    flush(&mut result, &mut del, &mut ins);
    result
}

fn push_merged(out: &mut Vec<Segment>, s: Segment) {
    match (out.last_mut(), s) {
        (Some(Segment::Equal(a)), Segment::Equal(b)) => a.push_str(&b),
        (Some(Segment::Delete(a)), Segment::Delete(b)) => a.push_str(&b),
        (Some(Segment::Insert(a)), Segment::Insert(b)) => a.push_str(&b),
        (_, s) => out.push(s),
    }
}

/// Pair the quantities that lie in changed parts of each text, by kind and unit, in order.
fn numeric_changes(
    a: &[Token],
    b: &[Token],
    old_changed: &[bool],
    new_changed: &[bool],
) -> Vec<NumericChange> {
    let touched = |q: &Quantity, changed: &[bool]| changed[q.start..q.end].iter().any(|c| *c);
    let old_q: Vec<Quantity> = quantity::find(a)
        .into_iter()
        .filter(|q| touched(q, old_changed))
        .collect();
    let mut new_q: Vec<Option<Quantity>> = quantity::find(b)
        .into_iter()
        .filter(|q| touched(q, new_changed))
        .map(Some)
        .collect();
    let mut out = Vec::new();
    for o in old_q {
        let slot = new_q.iter_mut().find(|n| {
            n.as_ref()
                .is_some_and(|n| n.kind == o.kind && n.unit == o.unit)
        });
        let Some(n) = slot.and_then(Option::take) else {
            continue;
        };
        if n.value == o.value {
            continue; // reworded, same quantity ("90-day" to "90 days")
        }
        out.push(NumericChange {
            kind: o.kind,
            unit: o.unit.clone(),
            old_value: o.value,
            new_value: n.value,
            old_text: o.text.clone(),
            new_text: n.text.clone(),
            before: words_around(b, n.start, true),
            after: words_around(b, n.end, false),
        });
    }
    out
}

/// Up to six words before `at` (or after it), stopping at a sentence end.
fn words_around(t: &[Token], at: usize, before: bool) -> String {
    let mut words: Vec<&str> = Vec::new();
    let mut count = 0;
    let mut i = at;
    loop {
        let tok = if before {
            if i == 0 {
                break;
            }
            i -= 1;
            &t[i]
        } else {
            if i >= t.len() {
                break;
            }
            i += 1;
            &t[i - 1]
        };
        if tok.kind == TokenKind::Punct && matches!(tok.text, "." | ";" | ":" | "!" | "?") {
            break;
        }
        if tok.kind == TokenKind::Word || tok.kind == TokenKind::Number {
            count += 1;
            if count > 6 {
                break;
            }
        }
        words.push(if tok.kind == TokenKind::Space {
            " "
        } else {
            tok.text
        });
    }
    if before {
        words.reverse();
    }
    words.concat().trim().to_string()
}

/// `<del>`/`<ins>` around `text`, with the words a screen reader announces.
fn marked(tag: &str, announce: &str, text: &str) -> String {
    format!(
        "<{tag}><span class=\"visually-hidden\">[{announce}: </span>{}<span class=\"visually-hidden\">]</span></{tag}>",
        escape(text)
    )
}

/// Inline redline HTML: kept text, deletions and insertions.
pub fn inline_html(segments: &[Segment]) -> String {
    segments
        .iter()
        .map(|s| match s {
            Segment::Equal(t) => escape(t),
            Segment::Delete(t) => marked("del", "deleted", t),
            Segment::Insert(t) => marked("ins", "inserted", t),
        })
        .collect()
}

/// Side-by-side HTML: (old text with deletions marked, new text with insertions marked).
pub fn side_by_side_html(segments: &[Segment]) -> (String, String) {
    let mut old = String::new();
    let mut new = String::new();
    for s in segments {
        match s {
            Segment::Equal(t) => {
                old.push_str(&escape(t));
                new.push_str(&escape(t));
            }
            Segment::Delete(t) => old.push_str(&marked("del", "deleted", t)),
            Segment::Insert(t) => new.push_str(&marked("ins", "inserted", t)),
        }
    }
    (old, new)
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redline(a: &str, b: &str) -> String {
        let c = compare(a, b);
        c.segments
            .iter()
            .map(|s| match s {
                Segment::Equal(t) => t.clone(),
                Segment::Delete(t) => format!("[-{t}-]"),
                Segment::Insert(t) => format!("{{+{t}+}}"),
            })
            .collect()
    }

    fn numbers(a: &str, b: &str) -> Vec<String> {
        compare(a, b)
            .numeric
            .iter()
            .map(|n| format!("{:?} {} {}", n.kind, n.summary(), n.verb_phrase()))
            .collect()
    }

    #[test]
    fn a_changed_number_is_one_change() {
        assert_eq!(
            redline(
                "up to 90 days before release",
                "up to 30 days before release"
            ),
            "up to [-90-]{+30+} days before release"
        );
        assert_eq!(
            numbers(
                "up to 90 days before release",
                "up to 30 days before release"
            ),
            ["Duration 90 days → 30 days cut from 90 to 30 days"]
        );
    }

    #[test]
    fn numbers_in_words_with_figures() {
        assert_eq!(
            numbers(
                "within ninety (90) days of signing",
                "within thirty (30) days of signing"
            ),
            ["Duration ninety (90) days → thirty (30) days cut from 90 to 30 days"]
        );
    }

    #[test]
    fn money() {
        assert_eq!(
            numbers("grants of $5 million", "grants of $10 million"),
            ["Money $5 million → $10 million raised from $5 million to $10 million"]
        );
    }

    #[test]
    fn a_qualifier_is_not_a_numeric_change() {
        assert_eq!(
            redline("within 60 days", "within 60 calendar days"),
            "within 60 {+calendar +}days"
        );
        assert!(numbers("within 60 days", "within 60 calendar days").is_empty());
        assert!(numbers("a 90-day review", "a review of 90 days").is_empty());
    }

    #[test]
    fn hyphenated_durations() {
        assert_eq!(
            numbers("a 90-day window", "a 30-day window"),
            ["Duration 90-day → 30-day cut from 90 to 30 days"]
        );
    }

    #[test]
    fn reordered_clauses_and_an_added_sentence() {
        let a = "The Secretary shall report to the President. The report is public.";
        let b = "The report is public. The Secretary shall report to the President within 30 days. Agencies shall cooperate.";
        let c = compare(a, b);
        assert!(c.has_changes());
        assert!(
            c.numeric.is_empty(),
            "30 days is new, not changed from another number"
        );
        let r = redline(a, b);
        assert!(r.contains("{+ within 30 days+}"), "{r}");
        assert!(r.contains("{+Agencies shall cooperate+}"), "{r}");
        assert!(
            r.starts_with("The {+report is public. The +}Secretary"),
            "{r}"
        );
    }

    #[test]
    fn whitespace_and_reflow_are_not_changes() {
        assert!(!compare("up to  90\ndays", "up to 90 days").has_changes());
    }

    #[test]
    fn percentages_and_dates() {
        assert_eq!(
            numbers("at least 25% of funds", "at least 40% of funds"),
            ["Percentage 25% → 40% raised from 25% to 40%"]
        );
        assert_eq!(
            numbers("by June 2, 2026", "by July 2, 2026"),
            ["Date June 2, 2026 → July 2, 2026 moved later from June 2, 2026 to July 2, 2026"]
        );
    }

    #[test]
    fn context_words() {
        let c = compare(
            "Developers may give access up to 90 days before wider release.",
            "Developers may give access up to 30 days before wider release.",
        );
        assert_eq!(c.numeric[0].before, "Developers may give access up to");
        assert_eq!(c.numeric[0].after, "before wider release");
    }

    #[test]
    fn inline_redline_html() {
        let c = compare("up to 90 days", "up to 30 days");
        insta::assert_snapshot!(inline_html(&c.segments), @r#"up to <del><span class="visually-hidden">[deleted: </span>90<span class="visually-hidden">]</span></del><ins><span class="visually-hidden">[inserted: </span>30<span class="visually-hidden">]</span></ins> days"#);
        let (old, new) = side_by_side_html(&c.segments);
        insta::assert_snapshot!(format!("{old}\n{new}"), @r#"
        up to <del><span class="visually-hidden">[deleted: </span>90<span class="visually-hidden">]</span></del> days
        up to <ins><span class="visually-hidden">[inserted: </span>30<span class="visually-hidden">]</span></ins> days
        "#);
    }
}
