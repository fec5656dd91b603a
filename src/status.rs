//! Implementation status: where each requirement (deadline) stands, on the
//! evidence recorded for it, and the counts of an order, an agency or the
//! site (the scoreboards).
//!
//! A claim is what the responsible body or the White House says; a
//! verification is independent evidence; a report is news. A requirement
//! counts as met (verified) only on a verification; a claim or report of
//! completion alone counts as met (claimed only), as trackers of the 2023
//! order did when they could verify 49 of the 69 requirements the White
//! House called complete. When there is a verification, its status decides
//! the category whatever was claimed.

use jiff::civil::Date;
use serde::Serialize;

use crate::content::raw::{Basis, DeadlineStatus};
use crate::dates::Standing;
use crate::model::{Deadline, StatusEntry};

/// The scoreboard's categories, in the order a bar shows them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    MetVerified,
    MetClaimed,
    InProgress,
    NotYetDue,
    NoCompletionReported,
    NoLongerInForce,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::MetVerified,
        Category::MetClaimed,
        Category::InProgress,
        Category::NotYetDue,
        Category::NoCompletionReported,
        Category::NoLongerInForce,
    ];

    /// The slug of its list page: `/status/met-verified/`.
    pub fn slug(self) -> &'static str {
        match self {
            Category::MetVerified => "met-verified",
            Category::MetClaimed => "met-claimed",
            Category::InProgress => "in-progress",
            Category::NotYetDue => "not-yet-due",
            Category::NoCompletionReported => "no-completion-reported",
            Category::NoLongerInForce => "no-longer-in-force",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Category::MetVerified => "Met (verified)",
            Category::MetClaimed => "Met (claimed only)",
            Category::InProgress => "In progress",
            Category::NotYetDue => "Not yet due",
            Category::NoCompletionReported => "No completion reported",
            Category::NoLongerInForce => "No longer in force",
        }
    }

    /// Where requirement `d` stands on `as_of`.
    pub fn of(d: &Deadline, as_of: Date) -> Category {
        let standing = Standing::of_deadline(d, as_of);
        if matches!(standing, Standing::Lapsed { .. }) {
            return Category::NoLongerInForce;
        }
        // The latest verification outweighs any claim or report; without
        // one, a claim or report of completion (or a single `status: met`,
        // which has no basis) counts as met, claimed only.
        let verified = d.history.iter().rev().find(|e| e.basis == Basis::Verified);
        let status = match verified {
            Some(v) if v.status == DeadlineStatus::Met => return Category::MetVerified,
            Some(v) => Some(v.status),
            // The latest claim or report decides (a later "in progress"
            // withdraws an earlier "met").
            None if d.status == Some(DeadlineStatus::Met) => return Category::MetClaimed,
            None => d.status,
        };
        if matches!(
            status,
            Some(DeadlineStatus::InProgress | DeadlineStatus::Extended)
        ) {
            return Category::InProgress;
        }
        let past_due = d.due.as_ref().is_some_and(|w| w.date < as_of);
        if past_due {
            Category::NoCompletionReported
        } else {
            Category::NotYetDue
        }
    }
}

/// Counts of requirements by category.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Scoreboard {
    pub total: usize,
    /// One count per [`Category::ALL`], in that order.
    pub counts: [usize; 6],
}

impl Scoreboard {
    pub fn of<'a>(deadlines: impl IntoIterator<Item = &'a Deadline>, as_of: Date) -> Scoreboard {
        let mut board = Scoreboard::default();
        for d in deadlines {
            board.total += 1;
            board.counts[Category::of(d, as_of) as usize] += 1;
        }
        board
    }

    pub fn count(&self, c: Category) -> usize {
        self.counts[c as usize]
    }
}

/// The latest claim and the latest verification, when they disagree.
pub fn dispute(history: &[StatusEntry]) -> Option<(&StatusEntry, &StatusEntry)> {
    let latest = |b: Basis| history.iter().rev().find(|e| e.basis == b);
    match (latest(Basis::Claimed), latest(Basis::Verified)) {
        (Some(c), Some(v)) if c.status != v.status => Some((c, v)),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Lapse;
    use jiff::civil::date;

    fn deadline(due: Option<Date>, history: Vec<StatusEntry>) -> Deadline {
        Deadline {
            id: "d".into(),
            provision: "p".into(),
            action: "Report".into(),
            agency: "a".into(),
            due: due.map(|date| crate::model::When {
                date,
                derivation: None,
            }),
            note: None,
            status: history.last().map(|e| e.status),
            status_sources: Vec::new(),
            history,
            lapse: None,
            sources: Vec::new(),
        }
    }

    fn entry(status: DeadlineStatus, day: i8, basis: Basis) -> StatusEntry {
        StatusEntry {
            status,
            date: date(2026, 8, day),
            basis,
            sources: vec!["s".into()],
            note: None,
        }
    }

    #[test]
    fn categories_follow_the_evidence() {
        let as_of = date(2026, 9, 1);
        let due = Some(date(2026, 7, 2));
        let later = Some(date(2026, 12, 1));
        assert_eq!(
            Category::of(&deadline(due, vec![]), as_of),
            Category::NoCompletionReported
        );
        assert_eq!(
            Category::of(&deadline(later, vec![]), as_of),
            Category::NotYetDue
        );
        assert_eq!(
            Category::of(&deadline(None, vec![]), as_of),
            Category::NotYetDue
        );
        let claimed = vec![entry(DeadlineStatus::Met, 1, Basis::Claimed)];
        assert_eq!(
            Category::of(&deadline(due, claimed), as_of),
            Category::MetClaimed
        );
        // A claim contradicted by a verification: the verification counts,
        // and the two are shown side by side.
        let disputed = vec![
            entry(DeadlineStatus::Met, 1, Basis::Claimed),
            entry(DeadlineStatus::InProgress, 20, Basis::Verified),
        ];
        let d = deadline(due, disputed);
        assert_eq!(Category::of(&d, as_of), Category::InProgress);
        assert!(dispute(&d.history).is_some());
        // A later claim does not undo a verification either.
        let reclaimed = vec![
            entry(DeadlineStatus::Missed, 1, Basis::Verified),
            entry(DeadlineStatus::Met, 20, Basis::Claimed),
        ];
        assert_eq!(
            Category::of(&deadline(due, reclaimed), as_of),
            Category::NoCompletionReported
        );
        let verified = vec![entry(DeadlineStatus::Met, 3, Basis::Verified)];
        assert_eq!(
            Category::of(&deadline(due, verified), as_of),
            Category::MetVerified
        );
        let withdrawn = vec![
            entry(DeadlineStatus::Met, 1, Basis::Claimed),
            entry(DeadlineStatus::InProgress, 9, Basis::Claimed),
        ];
        assert_eq!(
            Category::of(&deadline(due, withdrawn), as_of),
            Category::InProgress
        );
        let going = vec![entry(DeadlineStatus::InProgress, 3, Basis::Reported)];
        assert_eq!(
            Category::of(&deadline(due, going), as_of),
            Category::InProgress
        );
        let mut lapsed = deadline(due, vec![]);
        lapsed.lapse = Some(Lapse {
            since: Some(date(2026, 8, 1)),
            by: "b".into(),
            kind: crate::content::raw::OrderStatus::Revoked,
        });
        assert_eq!(Category::of(&lapsed, as_of), Category::NoLongerInForce);
        assert!(!Standing::of_deadline(&lapsed, as_of).is_overdue());
        // Before the revocation takes effect, the deadline still runs.
        assert_eq!(
            Category::of(&lapsed, date(2026, 7, 10)),
            Category::NoCompletionReported
        );
    }

    #[test]
    fn scoreboards_count_every_requirement_once() {
        let as_of = date(2026, 9, 1);
        let list = [
            deadline(Some(date(2026, 7, 2)), vec![]),
            deadline(Some(date(2026, 12, 2)), vec![]),
            deadline(
                Some(date(2026, 7, 2)),
                vec![entry(DeadlineStatus::Met, 3, Basis::Verified)],
            ),
        ];
        let board = Scoreboard::of(&list, as_of);
        assert_eq!(board.total, 3);
        assert_eq!(board.count(Category::NoCompletionReported), 1);
        assert_eq!(board.count(Category::NotYetDue), 1);
        assert_eq!(board.count(Category::MetVerified), 1);
        assert_eq!(board.counts.iter().sum::<usize>(), 3);
    }
}
