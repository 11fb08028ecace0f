//! Time zones as calendar files name them, converted to Beijing time (Asia/Shanghai): IANA names
//! (also behind a Mozilla-style prefix, "/mozilla.org/20070129_1/Europe/Berlin"), Windows names
//! (every Outlook in China writes `TZID="China Standard Time"`; CLDR's table in
//! `windows_zones.rs`), zones defined only by the file's own VTIMEZONE (their STANDARD and
//! DAYLIGHT onsets and offsets), UTC, and floating times — read in the calendar's X-WR-TIMEZONE
//! when it names one (Google, Apple), else in Beijing time.

use chrono::{Duration, NaiveDateTime, TimeZone};
use chrono_tz::Tz;
use icalendar::parser::{Calendar, Component, Property};
use std::collections::HashMap;

pub const SHANGHAI: Tz = Tz::Asia__Shanghai;

/// Onsets of a VTIMEZONE's rules are expanded up to this year.
const LAST_YEAR: i32 = 2100;

/// A zone as the file defines it: the UTC offset (seconds east) before its first onset, and from
/// each onset (local time, in order) on.
#[derive(Debug, Clone, PartialEq)]
pub struct Defined {
    before: i32,
    onsets: Vec<(NaiveDateTime, i32)>,
}

impl Defined {
    fn offset_at(&self, local: NaiveDateTime) -> i32 {
        match self.onsets.partition_point(|(t, _)| *t <= local) {
            0 => self.before,
            n => self.onsets[n - 1].1,
        }
    }
}

/// What a TZID stands for.
#[derive(Debug, Clone, PartialEq)]
enum Zone<'z> {
    Iana(Tz),
    Defined(&'z Defined),
}

/// The zones of one file.
pub struct Zones {
    defined: HashMap<String, Defined>,
    /// Where floating times (no TZID, no Z) are read.
    floating: Tz,
}

impl Zones {
    pub fn of(cal: &Calendar<'_>) -> Zones {
        let defined: HashMap<String, Defined> = cal
            .components
            .iter()
            .filter(|c| c.name.as_str().eq_ignore_ascii_case("VTIMEZONE"))
            .filter_map(define)
            .collect();
        let floating = cal
            .properties
            .iter()
            .find(|p| p.name.as_str().eq_ignore_ascii_case("X-WR-TIMEZONE"))
            .and_then(|p| iana(p.val.as_str()))
            .unwrap_or(SHANGHAI);
        Zones { defined, floating }
    }

    fn zone(&self, id: &str) -> Option<Zone<'_>> {
        iana(id)
            .map(Zone::Iana)
            .or_else(|| self.defined.get(clean(id)).map(Zone::Defined))
    }

    /// Local time `t` as the property writes it — in UTC (`utc`), in zone `tzid`, or floating —
    /// in Beijing time; `Err` with the TZID when the file does not say what it is.
    pub fn to_shanghai(
        &self,
        t: NaiveDateTime,
        tzid: Option<&str>,
        utc: bool,
    ) -> Result<NaiveDateTime, String> {
        let zone = match (utc, tzid) {
            (true, _) => Zone::Iana(Tz::UTC),
            (false, None) => Zone::Iana(self.floating),
            (false, Some(id)) => self.zone(id).ok_or_else(|| id.to_owned())?,
        };
        let at_utc = match zone {
            Zone::Iana(z) => z
                .from_local_datetime(&t)
                .earliest()
                // A time skipped by a change to summer time: as an hour later (RFC 5545 3.3.5).
                .or_else(|| z.from_local_datetime(&(t + Duration::hours(1))).earliest())
                .ok_or_else(|| String::new())?
                .naive_utc(),
            Zone::Defined(d) => t - Duration::seconds(i64::from(d.offset_at(t))),
        };
        Ok(SHANGHAI.from_utc_datetime(&at_utc).naive_local())
    }
}

impl Zones {
    /// Local time in zone `tzid` (as `to_shanghai` reads it) of the UTC time `utc`.
    fn local_of_utc(
        &self,
        utc: NaiveDateTime,
        tzid: Option<&str>,
        is_utc: bool,
    ) -> Option<NaiveDateTime> {
        let zone = match (is_utc, tzid) {
            (true, _) => return Some(utc),
            (false, None) => Zone::Iana(self.floating),
            (false, Some(id)) => self.zone(id)?,
        };
        Some(match zone {
            Zone::Iana(z) => z.from_utc_datetime(&utc).naive_local(),
            Zone::Defined(d) => utc + Duration::seconds(i64::from(d.offset_at(utc))),
        })
    }

    /// The starts, in Beijing time, of a series as its own zone keeps it: `start` (local time in
    /// `tzid`, or UTC, or floating) repeated by `rule` in that zone's local time, up to the local
    /// time `until`, at most `max`. `None` when the rule does not read.
    pub fn expand_in_zone(
        &self,
        start: NaiveDateTime,
        tzid: Option<&str>,
        is_utc: bool,
        rule: &str,
        until: NaiveDateTime,
        max: u16,
    ) -> Option<Vec<NaiveDateTime>> {
        // UNTIL is a UTC time when DTSTART has a zone (RFC 5545 3.3.10): as local time here.
        let rule: Vec<String> = rule
            .trim()
            .trim_end_matches(';')
            .split(';')
            .map(|part| match part.split_once('=') {
                Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && v.ends_with('Z') => {
                    let local = local(v)
                        .and_then(|u| self.local_of_utc(u, tzid, is_utc))
                        .map(|l| l.format("%Y%m%dT%H%M%SZ").to_string())
                        .unwrap_or_else(|| v.to_owned());
                    format!("{k}={local}")
                }
                _ => part.to_owned(),
            })
            .collect();
        let text = format!(
            "DTSTART;TZID=UTC:{}\nRRULE:{}",
            start.format("%Y%m%dT%H%M%S"),
            rule.join(";")
        );
        let set = text.parse::<rrule::RRuleSet>().ok()?;
        let until = rrule::Tz::UTC.from_utc_datetime(&until);
        set.before(until)
            .all(max)
            .dates
            .into_iter()
            .map(|d| self.to_shanghai(d.naive_utc(), tzid, is_utc).ok())
            .collect()
    }
}

fn clean(id: &str) -> &str {
    id.trim().trim_matches('"')
}

/// An IANA zone by its name, a Windows name, or an IANA name behind a path-like prefix.
fn iana(id: &str) -> Option<Tz> {
    let id = clean(id);
    if let Ok(z) = id.parse::<Tz>() {
        return Some(z);
    }
    if let Some(z) = crate::windows_zones::iana_of_windows(id).and_then(|n| n.parse().ok()) {
        return Some(z);
    }
    // "/mozilla.org/20070129_1/Europe/Berlin", "/softwarestudio.org/Olson_20011030_5/America/New_York"
    let parts: Vec<&str> = id.split('/').collect();
    (1..parts.len()).find_map(|k| parts[k..].join("/").parse::<Tz>().ok())
}

fn text<'a>(c: &'a Component<'_>, name: &str) -> Option<&'a str> {
    c.find_prop(name).map(|p| p.val.as_str().trim())
}

/// `+0800`, `-0500`, `+053000` in seconds east of UTC.
fn offset(v: &str) -> Option<i32> {
    let (sign, digits) = match v.as_bytes().first()? {
        b'+' => (1, &v[1..]),
        b'-' => (-1, &v[1..]),
        _ => (1, v),
    };
    if !(digits.len() == 4 || digits.len() == 6) || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n = |r: std::ops::Range<usize>| digits.get(r).map_or(0, |s| s.parse::<i32>().unwrap_or(0));
    let secs = n(0..2) * 3600 + n(2..4) * 60 + n(4..6);
    (secs < 24 * 3600).then_some(sign * secs)
}

fn local(v: &str) -> Option<NaiveDateTime> {
    NaiveDateTime::parse_from_str(v.trim().trim_end_matches('Z'), "%Y%m%dT%H%M%S").ok()
}

/// One VTIMEZONE: every onset of its STANDARD and DAYLIGHT observances (DTSTART, RRULE up to
/// `LAST_YEAR`, RDATE) with the offset it brings.
fn define(c: &Component<'_>) -> Option<(String, Defined)> {
    let id = clean(text(c, "TZID")?).to_owned();
    let mut onsets: Vec<(NaiveDateTime, i32)> = Vec::new();
    let mut earliest: Option<(NaiveDateTime, i32)> = None;
    for o in c.components.iter().filter(|o| {
        let n = o.name.as_str();
        n.eq_ignore_ascii_case("STANDARD") || n.eq_ignore_ascii_case("DAYLIGHT")
    }) {
        let start = local(text(o, "DTSTART")?)?;
        let from = offset(text(o, "TZOFFSETFROM")?)?;
        let to = offset(text(o, "TZOFFSETTO")?)?;
        let mut times = vec![start];
        if let Some(rule) = text(o, "RRULE") {
            times.extend(expand(start, rule));
        }
        for p in o
            .properties
            .iter()
            .filter(|p: &&Property<'_>| p.name.as_str().eq_ignore_ascii_case("RDATE"))
        {
            times.extend(p.val.as_str().split(',').filter_map(local));
        }
        if earliest.is_none_or(|(t, _)| start < t) {
            earliest = Some((start, from));
        }
        onsets.extend(times.into_iter().map(|t| (t, to)));
    }
    onsets.sort_by_key(|(t, _)| *t);
    onsets.dedup_by_key(|(t, _)| *t);
    let before = earliest.map(|(_, from)| from)?;
    Some((id, Defined { before, onsets }))
}

/// The onsets a VTIMEZONE rule gives after `start` (local times, read as UTC to expand them).
fn expand(start: NaiveDateTime, rule: &str) -> Vec<NaiveDateTime> {
    // UNTIL is in UTC in a VTIMEZONE (RFC 5545 3.3.10); written without Z by some producers.
    let rule: String = rule
        .trim()
        .split(';')
        .map(|part| match part.split_once('=') {
            Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && !v.ends_with('Z') && v.len() > 8 => {
                format!("{k}={v}Z")
            }
            Some((k, v)) if k.eq_ignore_ascii_case("UNTIL") && v.len() == 8 => {
                format!("{k}={v}T000000Z")
            }
            _ => part.to_owned(),
        })
        .collect::<Vec<_>>()
        .join(";");
    let text = format!(
        "DTSTART;TZID=UTC:{}\nRRULE:{rule}",
        start.format("%Y%m%dT%H%M%S")
    );
    let Ok(set) = text.parse::<rrule::RRuleSet>() else {
        return Vec::new();
    };
    let end = rrule::Tz::UTC
        .with_ymd_and_hms(LAST_YEAR, 12, 31, 0, 0, 0)
        .single();
    let Some(end) = end else { return Vec::new() };
    set.before(end)
        .all(2_000)
        .dates
        .into_iter()
        .map(|d| d.naive_utc())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use icalendar::parser::{read_calendar, unfold};

    fn at(s: &str) -> NaiveDateTime {
        local(s).unwrap()
    }

    fn zones(text: &str) -> Zones {
        let unfolded = unfold(text);
        let cal = read_calendar(&unfolded).unwrap();
        Zones::of(&cal)
    }

    /// Outlook's own VTIMEZONEs: China (no summer time) and US Pacific (rules since 2007, with
    /// the 1601 DTSTART Outlook writes), and a zone of the file's own name only.
    const OUTLOOK: &str = concat!(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\n",
        "BEGIN:VTIMEZONE\r\nTZID:China Standard Time\r\n",
        "BEGIN:STANDARD\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\n",
        "BEGIN:DAYLIGHT\r\nDTSTART:16010101T000000\r\nTZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:DAYLIGHT\r\n",
        "END:VTIMEZONE\r\n",
        "BEGIN:VTIMEZONE\r\nTZID:(UTC-08:00) 太平洋时间(美国和加拿大)\r\n",
        "BEGIN:STANDARD\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0700\r\nTZOFFSETTO:-0800\r\n",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=1SU;BYMONTH=11\r\nEND:STANDARD\r\n",
        "BEGIN:DAYLIGHT\r\nDTSTART:16010101T020000\r\nTZOFFSETFROM:-0800\r\nTZOFFSETTO:-0700\r\n",
        "RRULE:FREQ=YEARLY;INTERVAL=1;BYDAY=2SU;BYMONTH=3\r\nEND:DAYLIGHT\r\n",
        "END:VTIMEZONE\r\n",
        "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:x\r\nDTSTART:20261201T010000Z\r\nEND:VEVENT\r\n",
        "END:VCALENDAR\r\n",
    );

    #[test]
    fn windows_names_and_the_files_own_zones_convert_to_beijing_time() {
        let z = zones(OUTLOOK);
        // A Windows name: by CLDR's table, whether or not the file defines it.
        assert_eq!(
            z.to_shanghai(at("20261226T090000"), Some("China Standard Time"), false),
            Ok(at("20261226T090000"))
        );
        assert_eq!(
            z.to_shanghai(at("20260701T090000"), Some("Pacific Standard Time"), false),
            Ok(at("20260702T000000")),
            "Los Angeles in summer is UTC-7"
        );
        // A name only the file's VTIMEZONE explains, with its summer-time rules.
        let pacific = Some("(UTC-08:00) 太平洋时间(美国和加拿大)");
        assert_eq!(
            z.to_shanghai(at("20260701T090000"), pacific, false),
            Ok(at("20260702T000000"))
        );
        assert_eq!(
            z.to_shanghai(at("20261215T090000"), pacific, false),
            Ok(at("20261216T010000")),
            "winter: UTC-8"
        );
        assert_eq!(
            z.to_shanghai(at("20260308T030000"), pacific, false),
            Ok(at("20260308T180000")),
            "the second Sunday of March, after 02:00"
        );
        assert_eq!(
            z.to_shanghai(at("20261226T090000"), Some("Mars/Olympus"), false),
            Err("Mars/Olympus".to_owned())
        );
        assert_eq!(
            z.to_shanghai(
                at("20261226T010000"),
                Some("/mozilla.org/20070129_1/Europe/Berlin"),
                false
            ),
            Ok(at("20261226T080000"))
        );
    }

    #[test]
    fn floating_times_are_read_in_the_calendars_x_wr_timezone() {
        let google = "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nX-WR-TIMEZONE:Europe/London\r\nBEGIN:VEVENT\r\nUID:1\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
        let z = zones(google);
        assert_eq!(
            z.to_shanghai(at("20261226T090000"), None, false),
            Ok(at("20261226T170000"))
        );
        assert_eq!(
            z.to_shanghai(at("20261226T090000"), None, true),
            Ok(at("20261226T170000")),
            "UTC stays UTC"
        );
        let plain = zones(OUTLOOK);
        assert_eq!(
            plain.to_shanghai(at("20261226T090000"), None, false),
            Ok(at("20261226T090000")),
            "no X-WR-TIMEZONE: Beijing time"
        );
    }

    #[test]
    fn every_windows_name_stands_for_a_zone_chrono_knows() {
        for (w, z) in crate::windows_zones::WINDOWS_ZONES {
            assert!(z.parse::<Tz>().is_ok(), "{w} → {z}");
        }
        assert!(crate::windows_zones::WINDOWS_ZONES
            .windows(2)
            .all(|p| p[0].0 < p[1].0));
    }

    #[test]
    fn offsets() {
        assert_eq!(offset("+0800"), Some(28_800));
        assert_eq!(offset("-0330"), Some(-12_600));
        assert_eq!(offset("+053000"), Some(19_800));
        assert_eq!(offset("0800"), Some(28_800));
        assert_eq!(offset("+8"), None);
        assert_eq!(offset("+9999"), None);
    }
}
