//! Calendar arithmetic for deadlines and events, and a deadline's status as of a date.

use jiff::civil::Date;
use serde::Serialize;

use crate::content::raw::DeadlineStatus;

/// `date` plus `days` calendar days, or None past the end of the calendar.
pub fn add_days(date: Date, days: i64) -> Option<Date> {
    // `i64::days()` panics past jiff's range; the checked form cannot.
    let span = jiff::Span::new().try_days(days).ok()?;
    date.checked_add(span).ok()
}

/// Whole calendar days from `from` to `to` (negative when `to` is earlier).
pub fn days_between(from: Date, to: Date) -> i64 {
    from.until(to).map_or(0, |span| i64::from(span.get_days()))
}

/// "June 2, 2026".
pub fn display(date: Date) -> String {
    date.strftime("%B %-d, %Y").to_string()
}

/// What a reader is told about a deadline on the as-of date.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Standing {
    /// A status recorded by an editor, with sources, overrides the computation.
    Recorded {
        status: DeadlineStatus,
    },
    Upcoming {
        days_left: i64,
    },
    DueToday,
    Overdue {
        days_overdue: i64,
    },
    /// The order sets no date yet.
    NotSet,
    /// The deadline's order was revoked or superseded (since when, if known).
    Lapsed {
        since: Option<Date>,
    },
}

impl Standing {
    /// A deadline's standing on `as_of`: no longer in force once its order
    /// lapsed (or its status says so), else as [`Standing::of`].
    pub fn of_deadline(d: &crate::model::Deadline, as_of: Date) -> Standing {
        if let Some(lapse) = &d.lapse {
            if lapse.since.is_none_or(|since| since <= as_of) {
                return Standing::Lapsed { since: lapse.since };
            }
        }
        if d.status == Some(DeadlineStatus::NoLongerInForce) {
            let since = d.history.last().map(|e| e.date);
            return Standing::Lapsed { since };
        }
        Standing::of(d.due.as_ref().map(|w| w.date), d.status, as_of)
    }

    pub fn of(due: Option<Date>, recorded: Option<DeadlineStatus>, as_of: Date) -> Standing {
        match (recorded, due) {
            (Some(status), _) if status != DeadlineStatus::Pending => Standing::Recorded { status },
            (_, None) => Standing::NotSet,
            (_, Some(due)) => match days_between(as_of, due) {
                0 => Standing::DueToday,
                n if n > 0 => Standing::Upcoming { days_left: n },
                n => Standing::Overdue { days_overdue: -n },
            },
        }
    }

    /// "12 days left", "3 days overdue", "met".
    pub fn label(self) -> String {
        fn days(n: i64) -> String {
            if n == 1 {
                "1 day".into()
            } else {
                format!("{n} days")
            }
        }
        match self {
            Standing::Recorded { status } => status_label(status).into(),
            Standing::Upcoming { days_left } => format!("{} left", days(days_left)),
            Standing::DueToday => "due today".into(),
            // Past due says only what is known: nobody has reported it done.
            Standing::Overdue { days_overdue } => {
                format!("no completion reported, {} since due", days(days_overdue))
            }
            Standing::NotSet => "no date set".into(),
            Standing::Lapsed { since: Some(d) } => {
                format!("no longer in force since {}", display(d))
            }
            Standing::Lapsed { since: None } => "no longer in force".into(),
        }
    }

    /// A CSS-friendly class name.
    pub fn class(self) -> &'static str {
        match self {
            Standing::Recorded {
                status: DeadlineStatus::Met,
            } => "met",
            Standing::Recorded {
                status: DeadlineStatus::Missed,
            } => "overdue",
            Standing::Recorded {
                status: DeadlineStatus::InProgress | DeadlineStatus::Extended,
            } => "in-progress",
            Standing::Recorded { .. } => "recorded",
            Standing::Upcoming { .. } | Standing::DueToday => "upcoming",
            Standing::Overdue { .. } => "overdue",
            Standing::NotSet => "not-set",
            Standing::Lapsed { .. } => "lapsed",
        }
    }

    /// Past due with nothing recorded: what overdue counts count.
    pub fn is_overdue(self) -> bool {
        matches!(self, Standing::Overdue { .. })
    }
}

/// "in progress", "met", "no longer in force".
pub fn status_label(status: DeadlineStatus) -> &'static str {
    match status {
        DeadlineStatus::Pending => "pending",
        DeadlineStatus::InProgress => "in progress",
        DeadlineStatus::Met => "met",
        DeadlineStatus::Missed => "missed",
        DeadlineStatus::Extended => "extended",
        DeadlineStatus::NoLongerInForce => "no longer in force",
        DeadlineStatus::Unknown => "status unknown",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;

    #[test]
    fn calendar_days_cross_months_years_and_leap_days() {
        assert_eq!(add_days(date(2026, 6, 2), 30), Some(date(2026, 7, 2)));
        assert_eq!(add_days(date(2026, 6, 2), 60), Some(date(2026, 8, 1)));
        assert_eq!(add_days(date(2024, 2, 28), 1), Some(date(2024, 2, 29)));
        assert_eq!(add_days(date(2024, 2, 29), 1), Some(date(2024, 3, 1)));
        assert_eq!(add_days(date(2026, 12, 15), 30), Some(date(2027, 1, 14)));
        assert_eq!(add_days(date(9999, 12, 31), 1), None);
    }

    #[test]
    fn standing_as_of() {
        let due = Some(date(2026, 7, 2));
        assert_eq!(
            Standing::of(due, None, date(2026, 6, 2)),
            Standing::Upcoming { days_left: 30 }
        );
        assert_eq!(
            Standing::of(due, None, date(2026, 7, 2)),
            Standing::DueToday
        );
        assert_eq!(
            Standing::of(due, None, date(2026, 7, 5)),
            Standing::Overdue { days_overdue: 3 }
        );
        assert_eq!(
            Standing::of(due, Some(DeadlineStatus::Met), date(2026, 7, 5)),
            Standing::Recorded {
                status: DeadlineStatus::Met
            }
        );
        assert_eq!(
            Standing::of(due, Some(DeadlineStatus::Pending), date(2026, 7, 5)).label(),
            "no completion reported, 3 days since due"
        );
        assert_eq!(Standing::of(None, None, date(2026, 7, 5)), Standing::NotSet);
        assert_eq!(Standing::Upcoming { days_left: 1 }.label(), "1 day left");
    }

    #[test]
    fn display_format() {
        assert_eq!(display(date(2026, 6, 2)), "June 2, 2026");
    }
}
