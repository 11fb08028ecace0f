//! Clocks of field reports: limits per category (acknowledge within hours, resolve within hours or
//! working days), working days with the year's holidays and make-up working days (调休), and what
//! is overdue at a moment. Times are unix seconds; days are China Standard Time (UTC+8, no DST),
//! numbered from 1970-01-01 like `crate::date::days_from_civil`.

use serde::{Deserialize, Serialize};
use std::collections::BTreeSet;

const CST: i64 = 8 * 3600;
const DAY: i64 = 86_400;

/// The local day number of `t`.
pub fn day_of(t: i64) -> i64 {
    (t + CST).div_euclid(DAY)
}

/// Whether day `d` falls on a Saturday or Sunday (1970-01-01 was a Thursday).
fn weekend(d: i64) -> bool {
    matches!((d + 4).rem_euclid(7), 0 | 6)
}

/// Which days are worked: Monday to Friday, less the public holidays, plus the weekend days
/// declared working days in exchange (调休). The administrator keeps the lists for each year.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkCalendar {
    holidays: BTreeSet<i64>,
    workdays: BTreeSet<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    #[error("not a date: {0}")]
    Date(String),
    #[error("{0} is both a holiday and a working day")]
    Both(String),
}

impl WorkCalendar {
    /// From `YYYY-MM-DD` lists (blank entries ignored).
    pub fn parse<'a>(
        holidays: impl IntoIterator<Item = &'a str>,
        workdays: impl IntoIterator<Item = &'a str>,
    ) -> Result<WorkCalendar, CalendarError> {
        let read =
            |list: &mut dyn Iterator<Item = &'a str>| -> Result<BTreeSet<i64>, CalendarError> {
                list.map(str::trim)
                    .filter(|s| !s.is_empty())
                    .map(|s| {
                        crate::date::parse_ymd(s)
                            .map(|(y, m, d)| crate::date::days_from_civil(y, m, d))
                            .ok_or_else(|| CalendarError::Date(s.to_owned()))
                    })
                    .collect()
            };
        let cal = WorkCalendar {
            holidays: read(&mut holidays.into_iter())?,
            workdays: read(&mut workdays.into_iter())?,
        };
        if let Some(d) = cal.holidays.intersection(&cal.workdays).next() {
            let (y, m, dd) = crate::date::civil_from_days(*d);
            return Err(CalendarError::Both(format!("{y:04}-{m:02}-{dd:02}")));
        }
        Ok(cal)
    }

    pub fn is_working_day(&self, d: i64) -> bool {
        if self.holidays.contains(&d) {
            return false;
        }
        !weekend(d) || self.workdays.contains(&d)
    }

    /// `n` working days after `t`, at the same time of day: the n-th working day after `t`'s day.
    /// A report made on Friday evening with one working day is due Monday evening.
    pub fn add_working_days(&self, t: i64, n: u32) -> i64 {
        let mut d = day_of(t);
        let mut left = n;
        // Never more than a year of days off in a row; the bound keeps a bad calendar finite.
        let mut guard = 0;
        while left > 0 && guard < 366 * 4 {
            d += 1;
            guard += 1;
            if self.is_working_day(d) {
                left -= 1;
            }
        }
        t + (d - day_of(t)) * DAY
    }
}

/// How long a step may take: natural hours (emergencies, utilities) or working days.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "unit", content = "n", rename_all = "kebab-case")]
pub enum Span {
    Hours(u32),
    WorkingDays(u32),
}

impl Span {
    pub fn after(self, t: i64, cal: &WorkCalendar) -> i64 {
        match self {
            Span::Hours(h) => t + h as i64 * 3600,
            Span::WorkingDays(n) => cal.add_working_days(t, n),
        }
    }
}

/// A category's limits: acknowledge (签收/报到) and resolve (办结), each counted from the start of
/// the step (a report's first step starts when it was made on the device).
/// The catalogue every deployment starts with (migration 0025 writes it; the administrator
/// changes limits and adds categories).
pub const CATALOGUE: [(&str, Limits); 6] = [
    ("环境卫生", Limits::ORDINARY),
    ("市政设施", Limits::ORDINARY),
    ("矛盾纠纷", Limits::COMPLEX),
    ("治安隐患", Limits::SAFETY),
    ("便民服务", Limits::ORDINARY),
    ("水电气暖", Limits::UTILITIES),
];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Limits {
    pub acknowledge: Span,
    pub resolve: Span,
}

impl Limits {
    /// Ordinary matters: acknowledge within 24 hours, resolve within 7 working days.
    pub const ORDINARY: Limits = Limits {
        acknowledge: Span::Hours(24),
        resolve: Span::WorkingDays(7),
    };
    /// Water, power, gas, heating: acknowledge within 2 hours, resolve within 24 hours.
    pub const UTILITIES: Limits = Limits {
        acknowledge: Span::Hours(2),
        resolve: Span::Hours(24),
    };
    /// Complex matters: 24 hours, 15 working days.
    pub const COMPLEX: Limits = Limits {
        acknowledge: Span::Hours(24),
        resolve: Span::WorkingDays(15),
    };
    /// Safety hazards: 2 hours, 3 working days.
    pub const SAFETY: Limits = Limits {
        acknowledge: Span::Hours(2),
        resolve: Span::WorkingDays(3),
    };

    /// The due times of a step started at `t`.
    pub fn due(&self, t: i64, cal: &WorkCalendar) -> Due {
        Due {
            started_at: t,
            acknowledge_by: self.acknowledge.after(t, cal),
            resolve_by: self.resolve.after(t, cal),
        }
    }
}

/// A step's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    pub started_at: i64,
    pub acknowledge_by: i64,
    pub resolve_by: i64,
}

/// What is late about a step at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Lateness {
    /// Acknowledged after its limit, or not acknowledged and past it.
    pub acknowledge: bool,
    /// Resolved after its limit, or not resolved and past it.
    pub resolve: bool,
}

impl Due {
    /// Late at `now`, given when (if) the step was acknowledged and resolved.
    pub fn lateness(&self, acknowledged: Option<i64>, resolved: Option<i64>, now: i64) -> Lateness {
        Lateness {
            acknowledge: acknowledged.unwrap_or(now) > self.acknowledge_by,
            resolve: resolved.unwrap_or(now) > self.resolve_by,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(date: &str, hh: i64) -> i64 {
        let (y, m, d) = crate::date::parse_ymd(date).unwrap();
        crate::date::days_from_civil(y, m, d) * DAY - CST + hh * 3600
    }

    /// The 2026 National Day week as the State Council arranges such weeks: 1–7 October off,
    /// a Sunday before and a Saturday after worked instead.
    fn october() -> WorkCalendar {
        WorkCalendar::parse(
            [
                "2026-10-01",
                "2026-10-02",
                "2026-10-05",
                "2026-10-06",
                "2026-10-07",
            ],
            ["2026-09-27", "2026-10-10"],
        )
        .unwrap()
    }

    #[test]
    fn working_days_skip_weekends_and_holidays_and_count_make_up_days() {
        let cal = WorkCalendar::default();
        // 2026-12-04 is a Friday.
        assert!(cal.is_working_day(day_of(at("2026-12-04", 10))));
        assert!(!cal.is_working_day(day_of(at("2026-12-05", 10))));
        assert_eq!(
            cal.add_working_days(at("2026-12-04", 18), 1),
            at("2026-12-07", 18),
            "Friday evening + 1 working day = Monday evening"
        );
        assert_eq!(
            cal.add_working_days(at("2026-12-05", 9), 1),
            at("2026-12-07", 9)
        );
        assert_eq!(
            cal.add_working_days(at("2026-12-01", 9), 7),
            at("2026-12-10", 9)
        );
        let oct = october();
        // Wednesday 30 September + 1 → the holidays and the weekend pass → Thursday 8 October.
        assert_eq!(
            oct.add_working_days(at("2026-09-30", 9), 1),
            at("2026-10-08", 9)
        );
        // Friday 9 October + 1 → Saturday 10 October is worked.
        assert_eq!(
            oct.add_working_days(at("2026-10-09", 9), 1),
            at("2026-10-10", 9)
        );
        assert!(oct.is_working_day(day_of(at("2026-09-27", 12))));
        // Just after midnight local time is already the next day.
        assert_eq!(day_of(at("2026-12-05", 0)), day_of(at("2026-12-05", 23)));
    }

    #[test]
    fn a_bad_calendar_is_refused_in_words() {
        assert_eq!(
            WorkCalendar::parse(["2026-13-01"], []),
            Err(CalendarError::Date("2026-13-01".into()))
        );
        assert_eq!(
            WorkCalendar::parse(["2026-10-10"], ["2026-10-10"]),
            Err(CalendarError::Both("2026-10-10".into()))
        );
        let every_day_off: Vec<String> = (0..2000)
            .map(|k| {
                let (y, m, d) = crate::date::civil_from_days(day_of(at("2026-12-01", 9)) + k);
                format!("{y:04}-{m:02}-{d:02}")
            })
            .collect();
        let cal = WorkCalendar::parse(every_day_off.iter().map(String::as_str), []).unwrap();
        assert!(
            cal.add_working_days(at("2026-12-01", 9), 1) > at("2026-12-01", 9),
            "finite"
        );
    }

    #[test]
    fn limits_give_due_times_and_lateness_counts_what_is_still_open() {
        let cal = WorkCalendar::default();
        let t = at("2026-12-04", 18);
        let due = Limits::ORDINARY.due(t, &cal);
        assert_eq!(due.acknowledge_by, at("2026-12-05", 18));
        assert_eq!(due.resolve_by, at("2026-12-15", 18));
        let utilities = Limits::UTILITIES.due(t, &cal);
        assert_eq!(utilities.acknowledge_by, t + 2 * 3600);
        assert_eq!(utilities.resolve_by, t + 24 * 3600);
        // Acknowledged on time, not resolved, now past the limit: resolution is late.
        let l = due.lateness(Some(t + 3600), None, at("2026-12-16", 9));
        assert_eq!(
            l,
            Lateness {
                acknowledge: false,
                resolve: true
            }
        );
        // Nobody acknowledged it and a day and a half passed.
        let l = due.lateness(None, None, at("2026-12-06", 6));
        assert!(l.acknowledge && !l.resolve);
        // Acknowledged late but resolved in time.
        let l = due.lateness(
            Some(at("2026-12-06", 9)),
            Some(at("2026-12-08", 9)),
            at("2026-12-20", 9),
        );
        assert_eq!(
            l,
            Lateness {
                acknowledge: true,
                resolve: false
            }
        );
    }
}
