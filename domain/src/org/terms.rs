//! Terms of office: when a term ends and when to remind.

use super::*;
use serde::{Deserialize, Serialize};

/// Where a unit's term (届期) stands: real systems remind 6 months and 1 month before it ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum TermStatus {
    Overdue,
    EndsWithinMonth,
    EndsWithinSixMonths,
    Current,
    Unknown,
}

impl TermStatus {
    pub fn key(self) -> &'static str {
        match self {
            TermStatus::Overdue => "orgs.term.overdue",
            TermStatus::EndsWithinMonth => "orgs.term.month",
            TermStatus::EndsWithinSixMonths => "orgs.term.six_months",
            TermStatus::Current => "orgs.term.current",
            TermStatus::Unknown => "orgs.term.unknown",
        }
    }

    /// Needs the organiser's attention.
    pub fn is_due(self) -> bool {
        matches!(
            self,
            TermStatus::Overdue | TermStatus::EndsWithinMonth | TermStatus::EndsWithinSixMonths
        )
    }
}

/// `date` plus `months` calendar months, clamped to the month's last day (29 Feb + 1 year = 28 Feb).
pub fn add_months((y, m, d): (i64, u32, u32), months: i64) -> (i64, u32, u32) {
    let total = y * 12 + (m as i64 - 1) + months;
    let (ny, nm) = (total.div_euclid(12), (total.rem_euclid(12) + 1) as u32);
    (ny, nm, d.min(crate::date::days_in_month(ny, nm)))
}

fn ymd((y, m, d): (i64, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

/// The day a term that started on `start` ends, after `years`.
pub fn term_end(start: &str, years: u8) -> Option<String> {
    parse_date(start)
        .ok()
        .map(|s| ymd(add_months(s, years as i64 * 12)))
}

/// The term's status on `today` (`YYYY-MM-DD`).
pub fn term_status(start: Option<&str>, years: u8, today: &str) -> TermStatus {
    let (Some(end), Ok(t)) = (start.and_then(|s| term_end(s, years)), parse_date(today)) else {
        return TermStatus::Unknown;
    };
    let Ok(e) = parse_date(&end) else {
        return TermStatus::Unknown;
    };
    if e <= t {
        TermStatus::Overdue
    } else if e <= add_months(t, 1) {
        TermStatus::EndsWithinMonth
    } else if e <= add_months(t, 6) {
        TermStatus::EndsWithinSixMonths
    } else {
        TermStatus::Current
    }
}

#[cfg(test)]
mod tests {
    use crate::org::*;

    #[test]
    fn term_status_reminds_six_and_one_month_ahead() {
        assert_eq!(term_end("2021-03-15", 5).as_deref(), Some("2026-03-15"));
        assert_eq!(term_end("2024-02-29", 3).as_deref(), Some("2027-02-28"));
        assert_eq!(
            term_status(Some("2021-12-01"), 5, "2026-11-22"),
            TermStatus::EndsWithinMonth
        );
        assert_eq!(
            term_status(Some("2021-12-22"), 5, "2026-11-22"),
            TermStatus::EndsWithinMonth
        );
        assert_eq!(
            term_status(Some("2021-12-23"), 5, "2026-11-22"),
            TermStatus::EndsWithinSixMonths
        );
        assert_eq!(
            term_status(Some("2022-05-22"), 5, "2026-11-22"),
            TermStatus::EndsWithinSixMonths
        );
        assert_eq!(
            term_status(Some("2022-05-23"), 5, "2026-11-22"),
            TermStatus::Current
        );
        assert_eq!(
            term_status(Some("2023-11-22"), 3, "2026-11-22"),
            TermStatus::Overdue
        );
        assert_eq!(term_status(None, 3, "2026-11-22"), TermStatus::Unknown);
        assert_eq!(
            term_status(Some("2023-02-30"), 3, "2026-11-22"),
            TermStatus::Unknown
        );
    }
}
