//! Recurring events: RRULE (RFC 5545) validated and expanded with the `rrule` crate, in
//! Asia/Shanghai local time. User rules are a denial-of-service vector, so frequencies finer than
//! daily, more than `MAX_COUNT` occurrences and expansions beyond `MAX_EXPANSION` are refused.

use crate::event::LocalDateTime;
use chrono::{Datelike, TimeZone, Timelike};
use rrule::{RRuleSet, Tz};

pub const MAX_COUNT: u32 = 1_000;
pub const MAX_EXPANSION: u16 = 2_000;
pub const MAX_RULE_LEN: usize = 300;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RecurrenceError {
    #[error("not a valid recurrence rule: {0}")]
    Invalid(String),
    #[error("events may repeat at most daily")]
    TooFrequent,
    #[error("a series may have at most {MAX_COUNT} occurrences")]
    TooMany,
}

impl RecurrenceError {
    pub fn key(&self) -> &'static str {
        match self {
            RecurrenceError::Invalid(_) => "err.rrule_invalid",
            RecurrenceError::TooFrequent => "err.rrule_frequency",
            RecurrenceError::TooMany => "err.rrule_count",
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

/// Checks a rule (the RRULE value, without `RRULE:`) for a series starting at `start`.
pub fn parse(rule: &str, start: &LocalDateTime) -> Result<RRuleSet, RecurrenceError> {
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
    let set = parse(rule, start)?.after(zoned(from)).before(zoned(to));
    let found = set.all(MAX_EXPANSION);
    Ok(found
        .dates
        .iter()
        .map(local)
        .filter(|t| t >= from && t < to && !exdates.contains(t))
        .collect())
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
}
