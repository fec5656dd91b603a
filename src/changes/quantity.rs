//! Finding quantities in text: durations ("90 days", "90-day", "ninety (90)
//! days"), money ("$5 million"), percentages ("25%", "25 percent"), dates
//! ("June 2, 2026", "2026-06-02") and counts ("three agencies").

use serde::Serialize;

use super::tokens::{Token, TokenKind};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum QuantityKind {
    Duration,
    Money,
    Percentage,
    Date,
    Count,
}

/// A quantity found at tokens `start..end` of a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Quantity {
    pub kind: QuantityKind,
    /// The value in the unit: days count as 30.0, $5 million as 5000000.0,
    /// dates as days since 0000-03-01 (for ordering only).
    pub value: f64,
    /// Normalized unit: "day", "week", "month", "year", "hour", "USD", "%", "date",
    /// or the counted noun ("agency").
    pub unit: String,
    /// The words as written ("ninety (90) days").
    pub text: String,
    pub start: usize,
    pub end: usize,
}

/// Every quantity in `tokens`, left to right, not overlapping.
pub fn find(tokens: &[Token]) -> Vec<Quantity> {
    let mut out = Vec::new();
    let mut i = 0;
    while i < tokens.len() {
        match parse_at(tokens, i) {
            Some(q) => {
                i = q.end;
                out.push(q);
            }
            // "February 30": a date that does not exist is no quantity, and its
            // day is not a number either.
            None => i = month_and_day_end(tokens, i).unwrap_or(i + 1),
        }
    }
    out
}

/// The end of a month name followed by a day number, at `i`.
fn month_and_day_end(t: &[Token], i: usize) -> Option<usize> {
    let first = t.get(i)?;
    MONTHS.iter().find(|m| first.text.eq_ignore_ascii_case(m))?;
    let d = skip_space(t, i + 1);
    t.get(d).filter(|x| x.kind == TokenKind::Number)?;
    let comma = d + 1;
    let y = if t.get(comma).is_some_and(|x| x.text == ",") {
        skip_space(t, comma + 1)
    } else {
        skip_space(t, comma)
    };
    let has_year = t
        .get(y)
        .is_some_and(|x| x.kind == TokenKind::Number && x.text.len() == 4);
    Some(if has_year { y + 1 } else { d + 1 })
}

fn parse_at(t: &[Token], i: usize) -> Option<Quantity> {
    parse_date(t, i)
        .or_else(|| parse_money(t, i))
        .or_else(|| parse_number_with_unit(t, i))
}

fn make(
    t: &[Token],
    kind: QuantityKind,
    value: f64,
    unit: &str,
    start: usize,
    end: usize,
) -> Quantity {
    Quantity {
        kind,
        value,
        unit: unit.to_string(),
        text: t[start..end].iter().map(|x| x.text).collect(),
        start,
        end,
    }
}

/// Index of the next non-space token at or after `i`.
fn skip_space(t: &[Token], i: usize) -> usize {
    let mut i = i;
    while t.get(i).is_some_and(|x| x.kind == TokenKind::Space) {
        i += 1;
    }
    i
}

fn lower(t: &[Token], i: usize) -> Option<String> {
    t.get(i).map(|x| x.text.to_lowercase())
}

/// The largest figure read as a quantity.
const MAX_FIGURE: f64 = 1e15;

/// A number written in digits or words, starting at `i`: (value, end).
fn parse_number(t: &[Token], i: usize) -> Option<(f64, usize)> {
    let tok = t.get(i)?;
    if tok.kind == TokenKind::Number {
        let v: f64 = tok.text.replace(',', "").parse().ok()?;
        // Past 10^15 a figure is not a policy quantity, and f64 no longer holds it exactly.
        return (v < MAX_FIGURE).then_some((v, i + 1));
    }
    if tok.kind != TokenKind::Word {
        return None;
    }
    // Number words: "ninety", "forty-five", "one hundred twenty".
    let mut total = 0.0;
    let mut current = 0.0;
    let mut end = i;
    let mut seen = false;
    let mut j = i;
    while let Some(word) = lower(t, j) {
        if let Some(v) = small_number(&word) {
            current += v;
            seen = true;
            j += 1;
            end = j;
            // "forty-five"
            if t.get(j).is_some_and(|x| x.text == "-") {
                if let Some(u) = lower(t, j + 1).as_deref().and_then(small_number) {
                    if v >= 20.0 && u < 10.0 {
                        current += u;
                        j += 2;
                        end = j;
                    }
                }
            }
        } else if word == "hundred" && seen {
            current *= 100.0;
            j += 1;
            end = j;
        } else if word == "thousand" && seen {
            total += current * 1000.0;
            current = 0.0;
            j += 1;
            end = j;
        } else {
            break;
        }
        let next = skip_space(t, j);
        if next == j
            || lower(t, next).is_none_or(|w| {
                small_number(&w).is_none() && w != "hundred" && w != "thousand" && w != "and"
            })
        {
            break;
        }
        j = if lower(t, next).as_deref() == Some("and") {
            skip_space(t, next + 1)
        } else {
            next
        };
    }
    seen.then_some((total + current, end))
}

fn small_number(w: &str) -> Option<f64> {
    const WORDS: [&str; 20] = [
        "zero",
        "one",
        "two",
        "three",
        "four",
        "five",
        "six",
        "seven",
        "eight",
        "nine",
        "ten",
        "eleven",
        "twelve",
        "thirteen",
        "fourteen",
        "fifteen",
        "sixteen",
        "seventeen",
        "eighteen",
        "nineteen",
    ];
    const TENS: [&str; 8] = [
        "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety",
    ];
    if let Some(i) = WORDS.iter().position(|x| *x == w) {
        return Some(i as f64);
    }
    TENS.iter()
        .position(|x| *x == w)
        .map(|i| (i as f64 + 2.0) * 10.0)
}

fn scale(word: &str) -> Option<f64> {
    match word {
        "thousand" => Some(1e3),
        "million" => Some(1e6),
        "billion" => Some(1e9),
        "trillion" => Some(1e12),
        _ => None,
    }
}

fn duration_unit(word: &str) -> Option<&'static str> {
    match word {
        "day" | "days" => Some("day"),
        "week" | "weeks" => Some("week"),
        "month" | "months" => Some("month"),
        "year" | "years" => Some("year"),
        "hour" | "hours" => Some("hour"),
        "business" | "calendar" | "working" => Some("qualifier"),
        _ => None,
    }
}

fn parse_money(t: &[Token], i: usize) -> Option<Quantity> {
    if t.get(i)?.text != "$" {
        return None;
    }
    let (mut value, mut end) = parse_number(t, i + 1)?;
    let next = skip_space(t, end);
    if let Some(s) = lower(t, next).as_deref().and_then(scale) {
        value *= s;
        end = next + 1;
    }
    Some(make(t, QuantityKind::Money, value, "USD", i, end))
}

fn parse_number_with_unit(t: &[Token], i: usize) -> Option<Quantity> {
    let (value, mut end) = parse_number(t, i)?;
    // "ninety (90)": a figure repeating the number in parentheses.
    let open = skip_space(t, end);
    if t.get(open).is_some_and(|x| x.text == "(") {
        if let Some((v2, after)) = parse_number(t, open + 1) {
            if v2 == value && t.get(after).is_some_and(|x| x.text == ")") {
                end = after + 1;
            }
        }
    }
    // Unit: "%", "percent", "-day", " days", " calendar days".
    if t.get(end).is_some_and(|x| x.text == "%") {
        return Some(make(t, QuantityKind::Percentage, value, "%", i, end + 1));
    }
    let mut j = if t.get(end).is_some_and(|x| x.text == "-") {
        end + 1
    } else {
        skip_space(t, end)
    };
    let mut word = lower(t, j);
    if matches!(word.as_deref(), Some("percent")) {
        return Some(make(t, QuantityKind::Percentage, value, "%", i, j + 1));
    }
    if matches!(word.as_deref(), Some("per"))
        && lower(t, skip_space(t, j + 1)).as_deref() == Some("cent")
    {
        return Some(make(
            t,
            QuantityKind::Percentage,
            value,
            "%",
            i,
            skip_space(t, j + 1) + 1,
        ));
    }
    if word.as_deref().and_then(duration_unit) == Some("qualifier") {
        let k = skip_space(t, j + 1);
        if lower(t, k)
            .as_deref()
            .and_then(duration_unit)
            .is_some_and(|u| u != "qualifier")
        {
            j = k;
            word = lower(t, j);
        }
    }
    if let Some(unit) = word
        .as_deref()
        .and_then(duration_unit)
        .filter(|u| *u != "qualifier")
    {
        return Some(make(t, QuantityKind::Duration, value, unit, i, j + 1));
    }
    // A count of something: "three agencies". A bare number counts nothing in particular.
    const NOT_NOUNS: [&str; 14] = [
        "of", "the", "a", "an", "or", "and", "to", "in", "for", "with", "by", "on", "at", "before",
    ];
    let is_word = t.get(j).is_some_and(|x| x.kind == TokenKind::Word)
        && j == skip_space(t, end)
        && j > end
        && !word.as_deref().is_some_and(|w| NOT_NOUNS.contains(&w));
    let noun = if is_word {
        word.unwrap_or_default()
    } else {
        String::new()
    };
    let unit = noun
        .strip_suffix("ies")
        .map(|s| format!("{s}y"))
        .unwrap_or_else(|| noun.trim_end_matches('s').to_string());
    let end = if is_word { j + 1 } else { end };
    Some(make(t, QuantityKind::Count, value, &unit, i, end))
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

fn parse_date(t: &[Token], i: usize) -> Option<Quantity> {
    let first = t.get(i)?;
    // 2026-06-02
    if first.kind == TokenKind::Number && first.text.len() == 4 {
        let parts = [i, i + 2, i + 4];
        let dashes = t.get(i + 1).is_some_and(|x| x.text == "-")
            && t.get(i + 3).is_some_and(|x| x.text == "-");
        if dashes
            && parts
                .iter()
                .all(|&p| t.get(p).is_some_and(|x| x.kind == TokenKind::Number))
        {
            let text: String = t[i..i + 5].iter().map(|x| x.text).collect();
            let date: jiff::civil::Date = text.parse().ok()?;
            return Some(make(
                t,
                QuantityKind::Date,
                day_number(date),
                "date",
                i,
                i + 5,
            ));
        }
        return None;
    }
    // June 2, 2026
    let month = MONTHS
        .iter()
        .position(|m| first.text.eq_ignore_ascii_case(m))? as i8
        + 1;
    let d = skip_space(t, i + 1);
    let day: i8 = t
        .get(d)
        .filter(|x| x.kind == TokenKind::Number)?
        .text
        .parse()
        .ok()?;
    let comma = d + 1;
    let y = if t.get(comma).is_some_and(|x| x.text == ",") {
        skip_space(t, comma + 1)
    } else {
        skip_space(t, comma)
    };
    let year: i16 = t
        .get(y)
        .filter(|x| x.kind == TokenKind::Number && x.text.len() == 4)?
        .text
        .parse()
        .ok()?;
    let date = jiff::civil::Date::new(year, month, day).ok()?;
    Some(make(
        t,
        QuantityKind::Date,
        day_number(date),
        "date",
        i,
        y + 1,
    ))
}

fn day_number(d: jiff::civil::Date) -> f64 {
    let epoch = jiff::civil::date(2000, 1, 1);
    crate::dates::days_between(epoch, d) as f64
}

#[cfg(test)]
mod tests {
    use super::super::tokens::tokenize;
    use super::*;

    fn q(s: &str) -> Vec<(QuantityKind, f64, String, String)> {
        let t = tokenize(s);
        find(&t)
            .into_iter()
            .map(|q| (q.kind, q.value, q.unit, q.text))
            .collect()
    }

    #[test]
    fn durations_in_figures_words_and_hyphenated() {
        use QuantityKind::Duration;
        assert_eq!(
            q("within 90 days"),
            [(Duration, 90.0, "day".into(), "90 days".into())]
        );
        assert_eq!(
            q("a 90-day window"),
            [(Duration, 90.0, "day".into(), "90-day".into())]
        );
        assert_eq!(
            q("ninety (90) days"),
            [(Duration, 90.0, "day".into(), "ninety (90) days".into())]
        );
        assert_eq!(
            q("sixty calendar days"),
            [(Duration, 60.0, "day".into(), "sixty calendar days".into())]
        );
        assert_eq!(
            q("forty-five days"),
            [(Duration, 45.0, "day".into(), "forty-five days".into())]
        );
        assert_eq!(q("one hundred twenty days")[0].1, 120.0);
        assert_eq!(q("two years")[0].2, "year");
    }

    #[test]
    fn money_percentages_dates_counts() {
        assert_eq!(
            q("$5 million")[0],
            (QuantityKind::Money, 5e6, "USD".into(), "$5 million".into())
        );
        assert_eq!(q("$1,500")[0].1, 1500.0);
        assert_eq!(q("25%")[0].0, QuantityKind::Percentage);
        assert_eq!(q("25 percent")[0].1, 25.0);
        assert_eq!(q("on June 2, 2026.")[0].0, QuantityKind::Date);
        assert_eq!(q("2026-06-02")[0].3, "2026-06-02");
        assert_eq!(
            q("three agencies")[0],
            (
                QuantityKind::Count,
                3.0,
                "agency".into(),
                "three agencies".into()
            )
        );
    }

    #[test]
    fn impossible_dates_and_huge_figures_are_not_quantities() {
        assert!(
            q("by February 30, 2026").is_empty(),
            "{:?}",
            q("by February 30, 2026")
        );
        assert!(q("by February 30").is_empty());
        assert!(q("within 99999999999999999999 days").is_empty());
        assert_eq!(q("within 999999 days")[0].1, 999999.0);
    }

    #[test]
    fn plain_words_are_not_numbers() {
        assert!(q("the agency shall report").is_empty());
        assert!(q("someone").is_empty());
    }
}
