//! The street's overview for staff (数据看板, issue 21 §5): the figures each part of Linli gives,
//! summed for a scope. Pure: the store reads rows, the server passes them here.

use crate::org::{term_status, TermStatus};
use serde::{Deserialize, Serialize};

/// The finest grids of a scope and their household load against the target (the map's colours:
/// below 80 %, above 120 %).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct GridLoad {
    pub grids: usize,
    pub households: i64,
    pub over: usize,
    pub under: usize,
}

pub fn grid_load(households: &[i64], target: i64) -> GridLoad {
    let target = target.max(1);
    GridLoad {
        grids: households.len(),
        households: households.iter().sum(),
        over: households.iter().filter(|&&h| h * 5 > target * 6).count(),
        under: households.iter().filter(|&&h| h * 5 < target * 4).count(),
    }
}

/// Terms of office due for renewal (换届): overdue, ending within a month, within six months.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Terms {
    pub overdue: usize,
    pub within_month: usize,
    pub within_six_months: usize,
}

/// Counts units by term status on `today` (`YYYY-MM-DD`); `units` are (term start, years).
pub fn terms<'a>(units: impl IntoIterator<Item = (Option<&'a str>, u8)>, today: &str) -> Terms {
    let mut t = Terms::default();
    for (start, years) in units {
        match term_status(start, years, today) {
            TermStatus::Overdue => t.overdue += 1,
            TermStatus::EndsWithinMonth => t.within_month += 1,
            TermStatus::EndsWithinSixMonths => t.within_six_months += 1,
            TermStatus::Current | TermStatus::Unknown => {}
        }
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loads_are_coloured_as_the_map_colours_them() {
        let l = grid_load(&[239, 240, 300, 360, 361, 500], 300);
        assert_eq!(
            l,
            GridLoad {
                grids: 6,
                households: 2000,
                over: 2,
                under: 1
            }
        );
        assert_eq!(grid_load(&[], 300), GridLoad::default());
    }

    #[test]
    fn terms_are_counted_by_when_they_end() {
        let t = terms(
            [
                (Some("2021-12-01"), 5), // ended 2026-12-01
                (Some("2023-12-20"), 3), // ends within the month
                (Some("2022-03-01"), 5), // ends within six months
                (Some("2025-01-01"), 5), // current
                (None, 5),
            ],
            "2026-12-05",
        );
        assert_eq!(
            t,
            Terms {
                overdue: 1,
                within_month: 1,
                within_six_months: 1
            }
        );
    }
}
