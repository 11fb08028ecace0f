//! Recurring events: RRULE (RFC 5545) validated and expanded with the `rrule` crate, in
//! Asia/Shanghai local time. User rules are a denial-of-service vector, so frequencies finer than
//! daily, more than `MAX_COUNT` occurrences and expansions beyond `MAX_EXPANSION` are refused.

use crate::event::LocalDateTime;
use chrono::{Datelike, TimeZone, Timelike};
use rrule::{RRuleSet, Tz};

pub const MAX_COUNT: u32 = 1_000;
pub const MAX_EXPANSION: u16 = 2_000;
pub const MAX_RULE_LEN: usize = 300;
/// A rule must give its first occurrence within this many years of the series start. A rule that
/// never gives a date (`FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30`) would otherwise make every expansion
/// walk 100,000 empty periods (the `rrule` crate's loop limit) on every calendar request.
pub const FIRST_WITHIN_YEARS: i32 = 10;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("not a valid recurrence rule: {0}")]
    Invalid(String),
    #[error("events may repeat at most daily")]
    TooFrequent,
    #[error("a series may have at most {MAX_COUNT} occurrences")]
    TooMany,
    #[error("the rule gives no date in the first {FIRST_WITHIN_YEARS} years")]
    Never,
}

impl RecurrenceError {
    pub fn key(&self) -> &'static str {
        match self {
            RecurrenceError::Invalid(_) => "err.rrule_invalid",
            RecurrenceError::TooFrequent => "err.rrule_frequency",
            RecurrenceError::TooMany => "err.rrule_count",
            RecurrenceError::Never => "err.rrule_never",
        }
    }
}

const TZ: Tz = Tz::Asia__Shanghai;

fn ical(t: &LocalDateTime) -> String {
    t.as_str().replace(['-', ':'], "") + "00"
}

fn local(dt: &chrono::DateTime<Tz>) -> LocalDateTime {
    let s = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute()
    );
    LocalDateTime::parse(&s).expect("rrule yields valid local times")
}

fn zoned(t: &LocalDateTime) -> chrono::DateTime<Tz> {
    let n = |r: std::ops::Range<usize>| t.as_str()[r].parse::<u32>().unwrap_or(0);
    TZ.with_ymd_and_hms(n(0..4) as i32, n(5..7), n(8..10), n(11..13), n(14..16), 0)
        .single()
        .expect("Asia/Shanghai has no gaps since 1991")
}

/// Checks a rule (the RRULE value, without `RRULE:`) for a series starting at `start`: its syntax,
/// its limits, and that it gives a first occurrence within `FIRST_WITHIN_YEARS` years. Used
/// whenever a rule is accepted (publishing, editing, importing).
pub fn parse(rule: &str, start: &LocalDateTime) -> Result<RRuleSet, RecurrenceError> {
    let set = parse_syntax(rule, start)?;
    if never(&set, start) {
        return Err(RecurrenceError::Never);
    }
    Ok(set)
}

/// Whether a rule gives no occurrence in its first `FIRST_WITHIN_YEARS` years. For a rule that
/// gives one this is quick (the expansion stops at the first date); for one that never does, the
/// `rrule` crate walks to its loop limit, which costs milliseconds: it is paid when the rule is
/// offered, and at most once per process for a rule stored before this check existed
/// (`occurrences` remembers those).
fn never(set: &RRuleSet, start: &LocalDateTime) -> bool {
    let horizon = LocalDateTime::from_minutes(
        start.minutes() + i64::from(FIRST_WITHIN_YEARS) * 366 * 24 * 60,
    );
    set.clone().before(zoned(&horizon)).all(1).dates.is_empty()
}

/// Checks syntax and limits only.
fn parse_syntax(rule: &str, start: &LocalDateTime) -> Result<RRuleSet, RecurrenceError> {
    let rule = rule.trim().trim_end_matches(';');
    if rule.is_empty() || rule.len() > MAX_RULE_LEN || rule.contains(['\n', '\r', ':']) {
        return Err(RecurrenceError::Invalid(
            "one RRULE value is expected".into(),
        ));
    }
    for part in rule.split(';') {
        let (k, v) = part
            .split_once('=')
            .ok_or_else(|| RecurrenceError::Invalid(format!("'{part}' is not NAME=VALUE")))?;
        match k.to_ascii_uppercase().as_str() {
            "FREQ"
                if matches!(
                    v.to_ascii_uppercase().as_str(),
                    "SECONDLY" | "MINUTELY" | "HOURLY"
                ) =>
            {
                return Err(RecurrenceError::TooFrequent)
            }
            "COUNT" => {
                let n: u32 = v
                    .parse()
                    .map_err(|_| RecurrenceError::Invalid("COUNT must be a number".into()))?;
                if n > MAX_COUNT {
                    return Err(RecurrenceError::TooMany);
                }
            }
            "BYHOUR" | "BYMINUTE" | "BYSECOND" => {
                return Err(RecurrenceError::Invalid(format!(
                    "{k} is not supported: one start time per day"
                )))
            }
            _ => {}
        }
    }
    let text = format!("DTSTART;TZID=Asia/Shanghai:{}\nRRULE:{rule}", ical(start));
    text.parse::<RRuleSet>()
        .map_err(|e| RecurrenceError::Invalid(e.to_string()))
}

/// The starts of the occurrences in `[from, to)`, minus `exdates`, in order. A series without a
/// rule has its one start. At most `MAX_EXPANSION` starts are returned.
pub fn occurrences(
    start: &LocalDateTime,
    rule: Option<&str>,
    exdates: &[LocalDateTime],
    from: &LocalDateTime,
    to: &LocalDateTime,
) -> Result<Vec<LocalDateTime>, RecurrenceError> {
    let Some(rule) = rule else {
        return Ok(if start >= from && start < to {
            vec![start.clone()]
        } else {
            vec![]
        });
    };
    let set = parse_syntax(rule, start)?;
    // Stored rules were checked when they were accepted; rules stored before that check are
    // checked here once per process, so a rule that never gives a date costs one walk, not one
    // walk per calendar request.
    if !known_productive(rule, start, &set) {
        return Ok(Vec::new());
    }
    let set = set.after(zoned(from)).before(zoned(to));
    let found = set.all(MAX_EXPANSION);
    Ok(found
        .dates
        .iter()
        .map(local)
        .filter(|t| t >= from && t < to && !exdates.contains(t))
        .collect())
}

/// Whether a rule gives a date in its first years, remembered per (rule, start) for this process.
/// The memo is a pure cache of a pure function (nothing in it needs to be shared between servers);
/// it is bounded, and cleared when full.
fn known_productive(rule: &str, start: &LocalDateTime, set: &RRuleSet) -> bool {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static MEMO: OnceLock<Mutex<HashMap<(String, String), bool>>> = OnceLock::new();
    const MEMO_MAX: usize = 20_000;
    let memo = MEMO.get_or_init(Default::default);
    let key = (rule.to_owned(), start.as_str().to_owned());
    if let Some(&known) = memo.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return known;
    }
    let productive = !never(set, start);
    let mut m = memo.lock().unwrap_or_else(|e| e.into_inner());
    if m.len() >= MEMO_MAX {
        m.clear();
    }
    m.insert(key, productive);
    productive
}

/// Whether `at` is an occurrence start of the series (before exceptions).
pub fn is_occurrence(
    start: &LocalDateTime,
    rule: Option<&str>,
    at: &LocalDateTime,
) -> Result<bool, RecurrenceError> {
    let next = LocalDateTime::from_minutes(at.minutes() + 1);
    Ok(occurrences(start, rule, &[], at, &next)?.first() == Some(at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> LocalDateTime {
        LocalDateTime::parse(s).unwrap()
    }

    fn dates(v: &[LocalDateTime]) -> Vec<&str> {
        v.iter().map(|d| d.as_str()).collect()
    }

    #[test]
    fn service_days_on_the_15th_and_25th() {
        let start = t("2026-11-15T09:00");
        let got = occurrences(
            &start,
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25"),
            &[],
            &t("2026-11-01T00:00"),
            &t("2027-03-01T00:00"),
        )
        .unwrap();
        assert_eq!(
            dates(&got),
            [
                "2026-11-15T09:00",
                "2026-11-25T09:00",
                "2026-12-15T09:00",
                "2026-12-25T09:00",
                "2027-01-15T09:00",
                "2027-01-25T09:00",
                "2027-02-15T09:00",
                "2027-02-25T09:00"
            ]
        );
    }

    #[test]
    fn month_ends_and_nth_weekdays() {
        let last = occurrences(
            &t("2027-01-31T10:00"),
            Some("FREQ=MONTHLY;BYMONTHDAY=-1;COUNT=3"),
            &[],
            &t("2027-01-01T00:00"),
            &t("2028-01-01T00:00"),
        )
        .unwrap();
        assert_eq!(
            dates(&last),
            ["2027-01-31T10:00", "2027-02-28T10:00", "2027-03-31T10:00"]
        );
        // RFC-correct: "the 31st" skips months without one.
        let d31 = occurrences(
            &t("2027-01-31T10:00"),
            Some("FREQ=MONTHLY;COUNT=3"),
            &[],
            &t("2027-01-01T00:00"),
            &t("2028-01-01T00:00"),
        )
        .unwrap();
        assert_eq!(
            dates(&d31),
            ["2027-01-31T10:00", "2027-03-31T10:00", "2027-05-31T10:00"]
        );
        let second_saturday = occurrences(
            &t("2026-12-12T14:00"),
            Some("FREQ=MONTHLY;BYDAY=2SA;COUNT=3"),
            &[],
            &t("2026-12-01T00:00"),
            &t("2028-01-01T00:00"),
        )
        .unwrap();
        assert_eq!(
            dates(&second_saturday),
            ["2026-12-12T14:00", "2027-01-09T14:00", "2027-02-13T14:00"]
        );
        // RFC 5545: with a TZID start, UNTIL is given in UTC. 2026-12-16T11:00Z is 19:00 in Shanghai, inclusive.
        let weekly = occurrences(
            &t("2026-11-25T19:00"),
            Some("FREQ=WEEKLY;UNTIL=20261216T110000Z"),
            &[],
            &t("2026-11-01T00:00"),
            &t("2027-01-01T00:00"),
        )
        .unwrap();
        assert_eq!(
            dates(&weekly),
            [
                "2026-11-25T19:00",
                "2026-12-02T19:00",
                "2026-12-09T19:00",
                "2026-12-16T19:00"
            ]
        );
    }

    #[test]
    fn exceptions_are_left_out() {
        let start = t("2026-11-15T09:00");
        let ex = [t("2026-11-25T09:00")];
        let got = occurrences(
            &start,
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25;COUNT=4"),
            &ex,
            &t("2026-11-01T00:00"),
            &t("2027-12-01T00:00"),
        )
        .unwrap();
        assert_eq!(
            dates(&got),
            ["2026-11-15T09:00", "2026-12-15T09:00", "2026-12-25T09:00"],
            "COUNT applies before EXDATE"
        );
    }

    #[test]
    fn windows_are_half_open_and_single_events_work() {
        let start = t("2026-12-04T14:30");
        assert_eq!(
            occurrences(
                &start,
                None,
                &[],
                &t("2026-12-04T14:30"),
                &t("2026-12-05T00:00")
            )
            .unwrap()
            .len(),
            1
        );
        assert_eq!(
            occurrences(
                &start,
                None,
                &[],
                &t("2026-12-01T00:00"),
                &t("2026-12-04T14:30")
            )
            .unwrap()
            .len(),
            0
        );
        assert!(is_occurrence(
            &t("2026-11-15T09:00"),
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25"),
            &t("2027-06-25T09:00")
        )
        .unwrap());
        assert!(!is_occurrence(
            &t("2026-11-15T09:00"),
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25"),
            &t("2027-06-26T09:00")
        )
        .unwrap());
        assert!(!is_occurrence(
            &t("2026-11-15T09:00"),
            Some("FREQ=MONTHLY;BYMONTHDAY=15,25"),
            &t("2027-06-25T10:00")
        )
        .unwrap());
    }

    #[test]
    fn hostile_rules_are_refused() {
        let s = t("2026-11-15T09:00");
        assert_eq!(
            parse("FREQ=MINUTELY", &s).unwrap_err(),
            RecurrenceError::TooFrequent
        );
        assert_eq!(
            parse("FREQ=hourly;COUNT=5", &s).unwrap_err(),
            RecurrenceError::TooFrequent
        );
        assert_eq!(
            parse("FREQ=DAILY;COUNT=100000", &s).unwrap_err(),
            RecurrenceError::TooMany
        );
        assert!(matches!(
            parse("FREQ=SOMETIMES", &s),
            Err(RecurrenceError::Invalid(_))
        ));
        assert!(matches!(
            parse("nonsense", &s),
            Err(RecurrenceError::Invalid(_))
        ));
        assert!(matches!(
            parse("FREQ=DAILY\nRRULE:FREQ=SECONDLY", &s),
            Err(RecurrenceError::Invalid(_))
        ));
        assert!(matches!(
            parse(&"FREQ=DAILY;".repeat(100), &s),
            Err(RecurrenceError::Invalid(_))
        ));
        assert!(matches!(
            parse("FREQ=DAILY;BYHOUR=1,2,3", &s),
            Err(RecurrenceError::Invalid(_))
        ));
        // An unbounded daily rule is fine: it is only ever expanded inside a window.
        let got = occurrences(
            &s,
            Some("FREQ=DAILY"),
            &[],
            &t("2030-01-01T00:00"),
            &t("2031-01-01T00:00"),
        )
        .unwrap();
        assert_eq!(got.len(), 365);
    }

    #[test]
    fn rules_that_never_give_a_date_are_refused() {
        let s = t("2026-12-01T09:00");
        for rule in [
            "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=MONTHLY;BYMONTH=4,6,9,11;BYMONTHDAY=31",
            "FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30",
            "FREQ=MONTHLY;BYDAY=MO;BYSETPOS=6",
        ] {
            assert_eq!(
                parse(rule, &s).unwrap_err(),
                RecurrenceError::Never,
                "{rule}"
            );
        }
        // Rare but real dates are accepted: 29 February, Friday the 13th.
        parse("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", &s).unwrap();
        parse("FREQ=MONTHLY;BYMONTHDAY=13;BYDAY=FR", &s).unwrap();
        // A rule stored before the check existed expands to nothing (not an error, not a walk
        // per request: the answer is remembered).
        for _ in 0..3 {
            let got = occurrences(
                &s,
                Some("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=30"),
                &[],
                &t("2026-12-01T00:00"),
                &t("2027-01-01T00:00"),
            )
            .unwrap();
            assert!(got.is_empty());
        }
    }
}
