//! Importing events from an iCalendar file (RFC 5545) into a community calendar.
//!
//! The report types are always compiled (the browser shows them); reading needs the
//! `calendar-import` feature (the `icalendar` parser and the time-zone database, server only).
//! Each VEVENT becomes one row: the event as Linli would store it, or why it cannot be imported.
//! Times are converted to Asia/Shanghai; EXDATEs become cancelled occurrences. What Linli cannot
//! represent (a single occurrence moved by RECURRENCE-ID, RDATE, unknown time zones, events without
//! an end) is named on its row rather than silently changed.

use crate::event::EventDraft;
use serde::{Deserialize, Serialize};

/// Largest file accepted (calendars of a community's year are a few hundred kB).
pub const MAX_ICS_BYTES: usize = 2 * 1024 * 1024;
/// Most events one file may hold.
pub const MAX_ICS_EVENTS: usize = 2_000;
/// Deepest nesting of BEGIN/END blocks accepted (real files use 3: calendar, event, alarm).
pub const MAX_ICS_DEPTH: usize = 8;
/// Events whose rule gives no date that a file may hold before it is refused whole (checking such
/// a rule costs milliseconds; a file of two thousand would cost seconds).
pub const MAX_NEVER_RULES: u32 = 10;

/// Why a whole file cannot be read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum IcsFileError {
    TooLarge,
    TooDeep,
    TooManyEvents,
    NoEvents,
    /// The parser's message (with the line) for a file that is not iCalendar.
    Malformed(String),
    /// More than `MAX_NEVER_RULES` events repeat by rules that give no date: the file is refused
    /// before checking the rest costs more.
    NeverRules,
}

impl IcsFileError {
    pub fn key(&self) -> &'static str {
        match self {
            IcsFileError::TooLarge => "ics.too_large",
            IcsFileError::TooDeep => "ics.too_deep",
            IcsFileError::TooManyEvents => "ics.too_many_events",
            IcsFileError::NoEvents => "ics.no_events",
            IcsFileError::Malformed(_) => "ics.malformed",
            IcsFileError::NeverRules => "ics.never_rules",
        }
    }
}

/// What the organiser chose for everything the file does not say.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcsDefaults {
    pub category: String,
    pub capacity: i64,
    pub visibility: String,
}

/// Marks rows whose event is already in the calendar — the same title starting at the same time,
/// `known` holding (title, start) pairs of the target unit — as duplicates, so importing a file
/// twice adds nothing.
pub fn mark_known(rows: &mut [IcsRow], known: &std::collections::HashSet<(String, String)>) {
    for r in rows.iter_mut() {
        let seen = r
            .draft
            .as_ref()
            .is_some_and(|d| known.contains(&(d.title.clone(), d.starts_at.as_str().to_owned())));
        if seen {
            r.draft = None;
            r.problem = Some(("ics.duplicate".into(), String::new()));
        }
    }
}

/// One VEVENT of the file.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IcsRow {
    /// The file's UID (for the organiser's reference).
    pub uid: String,
    /// SUMMARY as read (shown even when the row is refused).
    pub title: String,
    /// Start in Asia/Shanghai, `YYYY-MM-DDTHH:MM`, when it could be read.
    pub starts_at: String,
    /// Recurrence rule, when the event repeats.
    pub rrule: Option<String>,
    /// Excluded occurrences (local starts) that become cancelled occurrences.
    pub cancelled: Vec<String>,
    /// Occurrences the file changes (RECURRENCE-ID overrides): moved, or with their own title
    /// or place.
    #[serde(default)]
    pub changed: Vec<ChangedOccurrence>,
    /// The event as it will be stored, when the row can be imported.
    pub draft: Option<EventDraft>,
    /// Why it cannot be imported: a translation key and a detail to show with it.
    pub problem: Option<(String, String)>,
}

/// One occurrence of a series as an override changes it (times in Asia/Shanghai).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChangedOccurrence {
    /// The start the series gives it (RECURRENCE-ID).
    pub recurrence_id: String,
    pub starts_at: String,
    pub ends_at: String,
    /// Its own title and place, where they differ from the series'.
    pub title: Option<String>,
    pub location: Option<String>,
}

#[cfg(feature = "calendar-import")]
pub use read::read_ics;

#[cfg(feature = "calendar-import")]
mod read {
    use super::*;
    use crate::event::{Category, LocalDateTime, RawEvent};
    use crate::ics_zones::Zones;
    use chrono::{Duration, NaiveDate, NaiveDateTime};
    use icalendar::parser::{read_calendar, unfold, Component, Property};

    /// Reads every VEVENT of `text` into a row; `Err` when the file as a whole cannot be read.
    pub fn read_ics(file: &str, defaults: &IcsDefaults) -> Result<Vec<IcsRow>, IcsFileError> {
        if file.len() > MAX_ICS_BYTES {
            return Err(IcsFileError::TooLarge);
        }
        // The parser recurses once per nested block: refuse deep nesting before it runs.
        let mut depth = 0usize;
        let mut events = 0usize;
        for line in file.lines() {
            let line = line.trim_end_matches('\r');
            if line.starts_with("BEGIN:") {
                depth += 1;
                if depth > MAX_ICS_DEPTH {
                    return Err(IcsFileError::TooDeep);
                }
                if line.eq_ignore_ascii_case("BEGIN:VEVENT") {
                    events += 1;
                }
            } else if line.starts_with("END:") {
                depth = depth.saturating_sub(1);
            }
        }
        if events > MAX_ICS_EVENTS {
            return Err(IcsFileError::TooManyEvents);
        }
        let unfolded = unfold(file);
        let cal = read_calendar(&unfolded).map_err(|e| {
            IcsFileError::Malformed(
                e.lines()
                    .take(4)
                    .collect::<Vec<_>>()
                    .join(" ")
                    .chars()
                    .take(300)
                    .collect(),
            )
        })?;
        let zones = Zones::of(&cal);
        let events: Vec<&Component<'_>> = cal
            .components
            .iter()
            .filter(|c| c.name.as_str().eq_ignore_ascii_case("VEVENT"))
            .collect();
        // A cancelled single occurrence (RECURRENCE-ID with STATUS:CANCELLED, as Linli's own feeds
        // write them) is the same as an EXDATE of its series: it joins the series' row.
        let mut cancelled_by_uid: std::collections::HashMap<String, Vec<String>> =
            Default::default();
        // Any other override moves or changes one occurrence of its series.
        let mut changed_by_uid: std::collections::HashMap<String, Vec<Override>> =
            Default::default();
        let mut masters = std::collections::HashSet::new();
        for c in &events {
            if c.find_prop("RECURRENCE-ID").is_none() {
                masters.insert(text(c, "UID"));
            }
        }
        let mut rows = Vec::with_capacity(events.len());
        let never_left = std::cell::Cell::new(MAX_NEVER_RULES + 1);
        for c in &events {
            let uid = text(c, "UID");
            if let Some(p) = c
                .find_prop("RECURRENCE-ID")
                .filter(|_| masters.contains(&uid))
            {
                if text(c, "STATUS").eq_ignore_ascii_case("CANCELLED") {
                    if let Ok((at, _)) = when(&zones, p, p.val.as_str()) {
                        cancelled_by_uid.entry(uid).or_default().push(local(at));
                        continue;
                    }
                } else if let Ok(o) = override_of(c, p, &zones) {
                    changed_by_uid.entry(uid).or_default().push(o);
                    continue;
                }
            }
            rows.extend(row(c, defaults, &zones, &never_left));
            if never_left.get() == 0 {
                return Err(IcsFileError::NeverRules);
            }
        }
        for r in rows.iter_mut() {
            if let (Some(extra), Some(d)) = (cancelled_by_uid.remove(&r.uid), &r.draft) {
                for at in extra {
                    let real = LocalDateTime::parse(&at).is_ok_and(|t| {
                        crate::recurrence::is_occurrence(&d.starts_at, d.rrule.as_deref(), &t)
                            .unwrap_or(false)
                    });
                    if real && !r.cancelled.contains(&at) {
                        r.cancelled.push(at);
                    }
                }
            }
        }
        for r in rows.iter_mut() {
            if let (Some(changes), Some(d)) = (changed_by_uid.remove(&r.uid), &r.draft) {
                for o in changes {
                    let Some(c) = o.applied_to(d, &r.changed) else {
                        continue;
                    };
                    if r.cancelled.contains(&c.recurrence_id) {
                        continue;
                    }
                    // The override's own times replace the zone's shift of that occurrence.
                    r.changed.retain(|x| x.recurrence_id != c.recurrence_id);
                    r.changed.push(c);
                }
                r.changed
                    .sort_by(|a, b| a.recurrence_id.cmp(&b.recurrence_id));
            }
        }
        if rows.is_empty() {
            return Err(IcsFileError::NoEvents);
        }
        Ok(rows)
    }

    /// Linli keeps a series in Beijing time; a series the file keeps in a zone whose offset from
    /// Beijing changes (summer time) or whose day differs shifts against it. The occurrences of
    /// the next two years that the zone puts elsewhere become moved occurrences of the Beijing
    /// series; when the two do not pair up, the event is refused (`ics.zone_shift`).
    fn zone_shifts(
        start_p: &Property<'_>,
        zones: &Zones,
        d: &EventDraft,
        rule: &str,
    ) -> Result<Vec<ChangedOccurrence>, (String, String)> {
        let v = start_p.val.as_str().trim();
        let (naive, is_utc) = match v.strip_suffix('Z') {
            Some(s) => (s, true),
            None => (v, false),
        };
        let Ok(naive) = NaiveDateTime::parse_from_str(naive, "%Y%m%dT%H%M%S") else {
            return Ok(Vec::new());
        };
        let tzid = param(start_p, "TZID");
        let zone = || tzid.unwrap_or(if is_utc { "UTC" } else { "" }).to_owned();
        // A series whose day in Beijing is not its day at home (18:00 Tuesday in San Francisco is
        // 10:00 Wednesday here) cannot keep a rule that names days: RFC 5545 leaves a DTSTART
        // off its rule undefined, and implementations disagree.
        let names_days = rule.split(';').any(|p| {
            let k = p.split('=').next().unwrap_or("").to_ascii_uppercase();
            matches!(
                k.as_str(),
                "BYDAY" | "BYMONTHDAY" | "BYYEARDAY" | "BYWEEKNO" | "BYSETPOS"
            )
        });
        if names_days && naive.date().to_string() != d.starts_at.as_str()[..10] {
            return Err(("ics.zone_shift".into(), zone()));
        }
        let horizon = LocalDateTime::from_minutes(d.starts_at.minutes() + 731 * 1440);
        let ours =
            crate::recurrence::occurrences(&d.starts_at, Some(rule), &[], &d.starts_at, &horizon)
                .map_err(|e| (e.key().to_owned(), rule.to_owned()))?;
        let theirs: Vec<String> = zones
            .expand_in_zone(
                naive,
                tzid,
                is_utc,
                rule,
                naive + Duration::days(733),
                crate::recurrence::MAX_EXPANSION,
            )
            .unwrap_or_default()
            .into_iter()
            .map(local)
            .filter(|t| t.as_str() < horizon.as_str())
            .collect();
        if ours
            .iter()
            .map(LocalDateTime::as_str)
            .eq(theirs.iter().map(String::as_str))
        {
            return Ok(Vec::new());
        }
        if ours.len() != theirs.len() {
            return Err(("ics.zone_shift".into(), zone()));
        }
        let minutes = d.ends_at.minutes() - d.starts_at.minutes();
        Ok(ours
            .iter()
            .zip(&theirs)
            .filter(|(o, t)| o.as_str() != t.as_str())
            .filter_map(|(o, t)| {
                let start = LocalDateTime::parse(t).ok()?;
                Some(ChangedOccurrence {
                    recurrence_id: o.as_str().to_owned(),
                    starts_at: t.clone(),
                    ends_at: LocalDateTime::from_minutes(start.minutes() + minutes)
                        .as_str()
                        .to_owned(),
                    title: None,
                    location: None,
                })
            })
            .collect())
    }

    /// A RECURRENCE-ID override as the file writes it.
    struct Override {
        at: NaiveDateTime,
        start: NaiveDateTime,
        end: Option<NaiveDateTime>,
        title: String,
        location: String,
    }

    fn override_of(
        c: &Component<'_>,
        rid: &Property<'_>,
        zones: &Zones,
    ) -> Result<Override, (String, String)> {
        let (at, _) = when(zones, rid, rid.val.as_str())?;
        let start = match c.find_prop("DTSTART") {
            Some(p) => when(zones, p, p.val.as_str())?.0,
            None => at,
        };
        let end = match (c.find_prop("DTEND"), c.find_prop("DURATION")) {
            (Some(p), _) => Some(when(zones, p, p.val.as_str())?.0),
            (None, Some(d)) => duration(d.val.as_str()).map(|d| start + d),
            (None, None) => None,
        };
        Ok(Override {
            at,
            start,
            end,
            title: text(c, "SUMMARY").chars().take(300).collect(),
            location: text(c, "LOCATION"),
        })
    }

    impl Override {
        /// The change this override makes to an occurrence of `d`; `None` when it names no
        /// occurrence of the series (or its times are unusable).
        fn applied_to(
            self,
            d: &EventDraft,
            shifted: &[ChangedOccurrence],
        ) -> Option<ChangedOccurrence> {
            // A RECURRENCE-ID names the occurrence at its true time (see `zone_shifts`).
            let at = local(self.at);
            let at = shifted
                .iter()
                .find(|c| c.starts_at == at)
                .map_or(at, |c| c.recurrence_id.clone());
            let id = LocalDateTime::parse(&at).ok()?;
            if !crate::recurrence::is_occurrence(&d.starts_at, d.rrule.as_deref(), &id)
                .unwrap_or(false)
            {
                return None;
            }
            let minutes = d.ends_at.minutes() - d.starts_at.minutes();
            let end = self.end.unwrap_or(self.start + Duration::minutes(minutes));
            if end < self.start || (end - self.start).num_minutes() > 7 * 1440 {
                return None;
            }
            let own = |v: String, series: &str| (!v.trim().is_empty() && v != series).then_some(v);
            Some(ChangedOccurrence {
                recurrence_id: id.as_str().to_owned(),
                starts_at: local(self.start),
                ends_at: local(end),
                title: own(self.title, &d.title),
                location: own(self.location, &d.location),
            })
        }
    }

    fn text(c: &Component<'_>, name: &str) -> String {
        c.find_prop(name)
            .map(|p| p.val.clone().unescape_text().as_str().to_owned())
            .unwrap_or_default()
    }

    fn param<'a>(p: &'a Property<'_>, key: &str) -> Option<&'a str> {
        p.params
            .iter()
            .find(|q| q.key.as_str().eq_ignore_ascii_case(key))
            .and_then(|q| q.val.as_ref())
            .map(|v| v.as_str().trim_matches('"'))
    }

    /// A DATE or DATE-TIME value in Asia/Shanghai (`ics_zones`), and whether it is a DATE;
    /// errors carry the key.
    fn when(
        zones: &Zones,
        p: &Property<'_>,
        value: &str,
    ) -> Result<(NaiveDateTime, bool), (String, String)> {
        let v = value.trim();
        let bad = || ("ics.bad_time".to_owned(), v.to_owned());
        if v.len() == 8 || param(p, "VALUE").is_some_and(|t| t.eq_ignore_ascii_case("DATE")) {
            let d = NaiveDate::parse_from_str(v, "%Y%m%d").map_err(|_| bad())?;
            return Ok((d.and_hms_opt(0, 0, 0).ok_or_else(bad)?, true));
        }
        let (local, utc) = match v.strip_suffix('Z') {
            Some(s) => (s, true),
            None => (v, false),
        };
        let t = NaiveDateTime::parse_from_str(local, "%Y%m%dT%H%M%S").map_err(|_| bad())?;
        let shanghai = zones.to_shanghai(t, param(p, "TZID"), utc).map_err(|id| {
            if id.is_empty() {
                bad()
            } else {
                ("ics.time_zone".to_owned(), id)
            }
        })?;
        Ok((shanghai, false))
    }

    fn local(t: NaiveDateTime) -> String {
        t.format("%Y-%m-%dT%H:%M").to_string()
    }

    /// `P1D`, `PT1H30M`, `P2W`, … (RFC 5545 dur-value, positive only).
    fn duration(v: &str) -> Option<Duration> {
        let v = v.trim().strip_prefix('+').unwrap_or(v.trim());
        let body = v.strip_prefix('P')?;
        let (mut total, mut n, mut in_time, mut any) = (Duration::zero(), 0i64, false, false);
        for ch in body.chars() {
            match ch {
                '0'..='9' => n = n.checked_mul(10)?.checked_add(ch as i64 - '0' as i64)?,
                'T' => in_time = true,
                'W' if !in_time => total += Duration::try_weeks(n)?,
                'D' if !in_time => total += Duration::try_days(n)?,
                'H' if in_time => total += Duration::try_hours(n)?,
                'M' if in_time => total += Duration::try_minutes(n)?,
                'S' if in_time => total += Duration::try_seconds(n)?,
                _ => return None,
            }
            if !ch.is_ascii_digit() && ch != 'T' {
                n = 0;
                any = true;
            }
        }
        any.then_some(total)
    }

    /// Category from CATEGORIES (English or Chinese words), else the organiser's default.
    fn category(c: &Component<'_>, default: &str) -> String {
        let words = text(c, "CATEGORIES").to_lowercase();
        let guess = [
            (Category::ServiceDay, ["service", "服务日"]),
            (Category::Lecture, ["lecture", "讲"]),
            (Category::Meeting, ["meeting", "会"]),
            (Category::Volunteer, ["volunteer", "志愿"]),
            (Category::Clinic, ["clinic", "义诊"]),
        ]
        .into_iter()
        .find(|(_, keys)| keys.iter().any(|k| words.contains(k)))
        .map(|(c, _)| c.as_str().to_owned());
        guess.unwrap_or_else(|| default.to_owned())
    }

    fn row(
        c: &Component<'_>,
        defaults: &IcsDefaults,
        zones: &Zones,
        never_left: &std::cell::Cell<u32>,
    ) -> Vec<IcsRow> {
        let mut r = IcsRow {
            uid: text(c, "UID"),
            title: text(c, "SUMMARY").chars().take(300).collect(),
            starts_at: String::new(),
            rrule: c
                .find_prop("RRULE")
                .map(|p| p.val.as_str().trim().to_owned()),
            cancelled: Vec::new(),
            changed: Vec::new(),
            draft: None,
            problem: None,
        };
        let mut rdates = Vec::new();
        if let Err(p) = fill(c, defaults, zones, &mut r, &mut rdates, never_left) {
            r.problem = Some(p);
            r.draft = None;
        }
        let extra = r.draft.as_ref().map(|d| rdate_rows(&r, d, rdates));
        let mut rows = vec![r];
        rows.extend(extra.into_iter().flatten());
        rows
    }

    /// The occurrences RDATE adds (starts, and ends where a PERIOD gives them), each a single
    /// event beside the series (Linli's series are a rule and its exceptions): those the rule
    /// gives anyway, and those an EXDATE cancels, are left out.
    fn rdate_rows(
        r: &IcsRow,
        d: &EventDraft,
        rdates: Vec<(NaiveDateTime, Option<NaiveDateTime>)>,
    ) -> Vec<IcsRow> {
        let minutes = d.ends_at.minutes() - d.starts_at.minutes();
        let mut seen = std::collections::HashSet::new();
        rdates
            .into_iter()
            .filter_map(|(start, end)| {
                let at = local(start);
                let id = LocalDateTime::parse(&at).ok()?;
                let given = crate::recurrence::is_occurrence(&d.starts_at, d.rrule.as_deref(), &id)
                    .unwrap_or(false);
                if given || r.cancelled.contains(&at) || !seen.insert(at.clone()) {
                    return None;
                }
                let end = end.unwrap_or(start + Duration::minutes(minutes));
                if end < start || (end - start).num_minutes() > 7 * 1440 {
                    return None;
                }
                Some(IcsRow {
                    uid: format!("{}#{at}", r.uid),
                    title: r.title.clone(),
                    starts_at: at,
                    rrule: None,
                    cancelled: Vec::new(),
                    changed: Vec::new(),
                    draft: Some(EventDraft {
                        starts_at: id,
                        ends_at: LocalDateTime::parse(&local(end)).ok()?,
                        rrule: None,
                        ..d.clone()
                    }),
                    problem: None,
                })
            })
            .collect()
    }

    fn fill(
        c: &Component<'_>,
        defaults: &IcsDefaults,
        zones: &Zones,
        r: &mut IcsRow,
        rdates: &mut Vec<(NaiveDateTime, Option<NaiveDateTime>)>,
        never_left: &std::cell::Cell<u32>,
    ) -> Result<(), (String, String)> {
        let none = |k: &str| (k.to_owned(), String::new());
        if let Some(p) = c.find_prop("RECURRENCE-ID") {
            return Err(("ics.override".into(), p.val.as_str().to_owned()));
        }
        if text(c, "STATUS").eq_ignore_ascii_case("CANCELLED") {
            return Err(none("ics.cancelled"));
        }
        let start_p = c.find_prop("DTSTART").ok_or_else(|| none("ics.no_start"))?;
        let (start, all_day) = when(zones, start_p, start_p.val.as_str())?;
        r.starts_at = local(start);
        let end = match (c.find_prop("DTEND"), c.find_prop("DURATION")) {
            (Some(p), _) => when(zones, p, p.val.as_str())?.0,
            (None, Some(d)) => {
                start
                    + duration(d.val.as_str())
                        .ok_or_else(|| ("ics.bad_duration".into(), d.val.as_str().to_owned()))?
            }
            // RFC 5545 3.6.1: a DATE lasts one day, a DATE-TIME no time at all.
            (None, None) if all_day => start + Duration::days(1),
            (None, None) => start,
        };
        // An all-day event whose DTEND repeats its DTSTART (a common export mistake) is one day.
        let end = if all_day && end == start {
            start + Duration::days(1)
        } else {
            end
        };
        for p in c
            .properties
            .iter()
            .filter(|p| p.name.as_str().eq_ignore_ascii_case("RDATE"))
        {
            for v in p.val.as_str().split(',').filter(|v| !v.trim().is_empty()) {
                // A PERIOD: start/end or start/duration.
                let (from, to) = match v.split_once('/') {
                    Some((a, b)) => (a, Some(b)),
                    None => (v, None),
                };
                let start = when(zones, p, from)?.0;
                let end = match to {
                    Some(b) if b.trim_start().starts_with(['P', '+']) => Some(
                        start
                            + duration(b)
                                .ok_or_else(|| ("ics.bad_duration".into(), b.to_owned()))?,
                    ),
                    Some(b) => Some(when(zones, p, b)?.0),
                    None => None,
                };
                rdates.push((start, end));
            }
        }
        for p in c
            .properties
            .iter()
            .filter(|p| p.name.as_str().eq_ignore_ascii_case("EXDATE"))
        {
            for v in p.val.as_str().split(',').filter(|v| !v.trim().is_empty()) {
                r.cancelled.push(local(when(zones, p, v)?.0));
            }
        }
        let category = category(c, &defaults.category);
        let draft = EventDraft::parse(RawEvent {
            title: &r.title,
            description: &text(c, "DESCRIPTION"),
            category: &category,
            location: &text(c, "LOCATION"),
            starts_at: &local(start),
            ends_at: &local(end),
            rrule: r.rrule.as_deref().unwrap_or(""),
            capacity: defaults.capacity,
            guests_allowed: 0,
            rsvp_deadline_minutes: 0,
            visibility: &defaults.visibility,
        })
        .map_err(|e| (e.key().to_owned(), String::new()))?;
        if let Some(rule) = &draft.rrule {
            crate::recurrence::parse(rule, &draft.starts_at).map_err(|e| {
                if e == crate::recurrence::RecurrenceError::Never {
                    never_left.set(never_left.get().saturating_sub(1));
                }
                (e.key().to_owned(), rule.clone())
            })?;
            if !all_day {
                r.changed = zone_shifts(start_p, zones, &draft, rule)?;
            }
        }
        // An EXDATE names the occurrence at its true time: where the zone shifted it, that is
        // the occurrence the shift moved there.
        for at in r.cancelled.iter_mut() {
            if let Some(c) = r.changed.iter().find(|c| &c.starts_at == at) {
                *at = c.recurrence_id.clone();
            }
        }
        let changed = std::mem::take(&mut r.changed);
        r.changed = changed
            .into_iter()
            .filter(|c| !r.cancelled.contains(&c.recurrence_id))
            .collect();
        r.cancelled.retain(|at| {
            LocalDateTime::parse(at).is_ok_and(|at| {
                crate::recurrence::is_occurrence(&draft.starts_at, draft.rrule.as_deref(), &at)
                    .unwrap_or(false)
            })
        });
        // An EXDATE written twice, or also as a cancelled override, is one cancellation.
        r.cancelled.sort();
        r.cancelled.dedup();
        r.draft = Some(draft);
        Ok(())
    }

    #[cfg(test)]
    mod tests {
        use super::*;
        use crate::ics_import::ChangedOccurrence;

        fn defaults() -> IcsDefaults {
            IcsDefaults {
                category: "other".into(),
                capacity: 40,
                visibility: "public".into(),
            }
        }

        fn cal(events: &str) -> String {
            format!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//test//EN\r\n{events}END:VCALENDAR\r\n"
            )
        }

        #[test]
        fn events_already_in_the_calendar_are_marked() {
            let text = cal(concat!(
                "BEGIN:VEVENT\r\nUID:a@x\r\nSUMMARY:议事会\r\nDTSTART:20261216T010000Z\r\nDTEND:20261216T020000Z\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:b@x\r\nSUMMARY:讲座\r\nDTSTART:20261216T010000Z\r\nDTEND:20261216T020000Z\r\nEND:VEVENT\r\n",
            ));
            let mut rows = read_ics(&text, &defaults()).unwrap();
            let known = [("议事会".to_owned(), "2026-12-16T09:00".to_owned())].into();
            crate::ics_import::mark_known(&mut rows, &known);
            assert_eq!(
                rows[0].problem,
                Some(("ics.duplicate".into(), String::new()))
            );
            assert!(rows[0].draft.is_none());
            assert!(rows[1].problem.is_none() && rows[1].draft.is_some());
        }

        #[test]
        fn events_are_read_in_shanghai_time_with_rules_and_exclusions() {
            let text = cal(concat!(
                "BEGIN:VEVENT\r\nUID:a@x\r\nSUMMARY:集中服务日\\, 上午\r\nCATEGORIES:服务日\r\n",
                "DTSTART;TZID=Asia/Shanghai:20261215T090000\r\nDTEND;TZID=Asia/Shanghai:20261215T113000\r\n",
                "RRULE:FREQ=MONTHLY;BYMONTHDAY=15,25;COUNT=6\r\nEXDATE;TZID=Asia/Shanghai:20261225T090000,20261226T090000\r\n",
                "LOCATION:党群服务中心\r\nDESCRIPTION:第一行\\n第二行\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:b@x\r\nSUMMARY:Lecture\r\nDTSTART:20261216T010000Z\r\nDURATION:PT1H30M\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:c@x\r\nSUMMARY:Berlin\r\nDTSTART;TZID=Europe/Berlin:20260701T100000\r\nDTEND;TZID=Europe/Berlin:20260701T110000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:d@x\r\nSUMMARY:全天\r\nDTSTART;VALUE=DATE:20261220\r\nEND:VEVENT\r\n",
            ));
            let rows = read_ics(&text, &defaults()).unwrap();
            assert_eq!(rows.len(), 4);
            let a = rows[0].draft.as_ref().unwrap();
            assert_eq!(a.title, "集中服务日, 上午");
            assert_eq!(a.description, "第一行\n第二行");
            assert_eq!(a.category, Category::ServiceDay);
            assert_eq!(
                (a.starts_at.as_str(), a.ends_at.as_str()),
                ("2026-12-15T09:00", "2026-12-15T11:30")
            );
            assert_eq!(
                a.rrule.as_deref(),
                Some("FREQ=MONTHLY;BYMONTHDAY=15,25;COUNT=6")
            );
            // The 26th is not an occurrence: dropped, not stored as a cancellation.
            assert_eq!(rows[0].cancelled, vec!["2026-12-25T09:00"]);
            let b = rows[1].draft.as_ref().unwrap();
            assert_eq!(
                (b.starts_at.as_str(), b.ends_at.as_str()),
                ("2026-12-16T09:00", "2026-12-16T10:30")
            );
            assert_eq!(b.capacity, 40);
            let c = rows[2].draft.as_ref().unwrap();
            assert_eq!(
                c.starts_at.as_str(),
                "2026-07-01T16:00",
                "Berlin summer time is UTC+2"
            );
            let d = rows[3].draft.as_ref().unwrap();
            assert_eq!(
                (d.starts_at.as_str(), d.ends_at.as_str()),
                ("2026-12-20T00:00", "2026-12-21T00:00")
            );
        }

        #[test]
        fn what_cannot_be_imported_is_named_on_its_row() {
            let text = cal(concat!(
                "BEGIN:VEVENT\r\nUID:1\r\nSUMMARY:moved\r\nRECURRENCE-ID:20261225T090000\r\nDTSTART:20261226T090000\r\nDTEND:20261226T100000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:2\r\nSUMMARY:zone\r\nDTSTART;TZID=Mars/Olympus:20261226T090000\r\nDTEND:20261226T100000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:3\r\nSUMMARY:no start\r\nDTEND:20261226T090000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:4\r\nSUMMARY:backwards\r\nDTSTART:20261226T090000\r\nDTEND:20261226T080000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:5\r\nSUMMARY:hourly\r\nDTSTART:20261226T090000\r\nDTEND:20261226T100000\r\nRRULE:FREQ=HOURLY\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:6\r\nSUMMARY:\r\nDTSTART:20261226T090000\r\nDTEND:20261226T100000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:7\r\nSUMMARY:bad\r\nDTSTART:2026-12-26\r\nDTEND:20261226T100000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:8\r\nSUMMARY:gone\r\nSTATUS:CANCELLED\r\nDTSTART:20261226T090000\r\nDTEND:20261226T100000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:9\r\nSUMMARY:<script>alert(1)</script>\r\nDTSTART:20261226T090000\r\nDTEND:20261226T100000\r\nEND:VEVENT\r\n",
            ));
            let rows = read_ics(&text, &defaults()).unwrap();
            let problems: Vec<Option<&str>> = rows
                .iter()
                .map(|r| r.problem.as_ref().map(|p| p.0.as_str()))
                .collect();
            assert_eq!(
                problems,
                vec![
                    Some("ics.override"),
                    Some("ics.time_zone"),
                    Some("ics.no_start"),
                    Some("err.event_end_before_start"),
                    Some("err.rrule_frequency"),
                    Some("err.event_title"),
                    Some("ics.bad_time"),
                    Some("ics.cancelled"),
                    None,
                ]
            );
            assert!(rows.iter().take(8).all(|r| r.draft.is_none()));
            // Markup is only text: kept as written, shown escaped by the page.
            assert_eq!(
                rows[8].draft.as_ref().unwrap().title,
                "<script>alert(1)</script>"
            );
        }

        #[test]
        fn broken_huge_or_hostile_files_are_refused_whole() {
            assert!(matches!(
                read_ics("hello", &defaults()),
                Err(IcsFileError::Malformed(_)) | Err(IcsFileError::NoEvents)
            ));
            assert_eq!(read_ics(&cal(""), &defaults()), Err(IcsFileError::NoEvents));
            let deep = "BEGIN:X\r\n".repeat(100_000);
            assert_eq!(read_ics(&deep, &defaults()), Err(IcsFileError::TooDeep));
            let big = "X".repeat(MAX_ICS_BYTES + 1);
            assert_eq!(read_ics(&big, &defaults()), Err(IcsFileError::TooLarge));
            let many =
                cal(&"BEGIN:VEVENT\r\nSUMMARY:x\r\nEND:VEVENT\r\n".repeat(MAX_ICS_EVENTS + 1));
            assert_eq!(
                read_ics(&many, &defaults()),
                Err(IcsFileError::TooManyEvents)
            );
            let unterminated = "BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nSUMMARY:x\r\n";
            assert!(read_ics(unterminated, &defaults()).is_err());
        }

        #[test]
        fn cancelled_single_occurrences_join_their_series() {
            let text = cal(concat!(
                "BEGIN:VEVENT\r\nUID:s@linli\r\nSUMMARY:周会\r\nDTSTART;TZID=Asia/Shanghai:20261201T190000\r\n",
                "DTEND;TZID=Asia/Shanghai:20261201T200000\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:s@linli\r\nRECURRENCE-ID;TZID=Asia/Shanghai:20261208T190000\r\nSTATUS:CANCELLED\r\n",
                "SUMMARY:周会\r\nDTSTART;TZID=Asia/Shanghai:20261208T190000\r\nDTEND;TZID=Asia/Shanghai:20261208T200000\r\nEND:VEVENT\r\n",
            ));
            let rows = read_ics(&text, &defaults()).unwrap();
            assert_eq!(rows.len(), 1);
            assert_eq!(rows[0].cancelled, vec!["2026-12-08T19:00"]);
            assert!(rows[0].problem.is_none());
        }

        #[test]
        fn outlook_and_rfc_defaults_read_as_a_calendar_application_shows_them() {
            let text = concat!(
                "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:Microsoft Exchange Server 2010\r\n",
                "BEGIN:VTIMEZONE\r\nTZID:China Standard Time\r\nBEGIN:STANDARD\r\nDTSTART:16010101T000000\r\n",
                "TZOFFSETFROM:+0800\r\nTZOFFSETTO:+0800\r\nEND:STANDARD\r\nEND:VTIMEZONE\r\n",
                "BEGIN:VEVENT\r\nUID:o@x\r\nSUMMARY:支部委员会\r\nDTSTART;TZID=China Standard Time:20261210T143000\r\n",
                "DTEND;TZID=China Standard Time:20261210T160000\r\nRRULE:FREQ=MONTHLY;BYDAY=2TH;COUNT=3\r\n",
                "EXDATE;TZID=China Standard Time:20270114T143000\r\nEXDATE;TZID=China Standard Time:20270114T143000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:o@x\r\nRECURRENCE-ID;TZID=China Standard Time:20270114T143000\r\nSTATUS:CANCELLED\r\n",
                "DTSTART;TZID=China Standard Time:20270114T143000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:m@x\r\nSUMMARY:提醒\r\nDTSTART:20261211T080000\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:d@x\r\nSUMMARY:全天\r\nDTSTART;VALUE=DATE:20261212\r\nDTEND;VALUE=DATE:20261212\r\nEND:VEVENT\r\n",
                "END:VCALENDAR\r\n",
            );
            let rows = read_ics(text, &defaults()).unwrap();
            assert!(rows.iter().all(|r| r.problem.is_none()), "{rows:?}");
            let o = rows[0].draft.as_ref().unwrap();
            assert_eq!(
                (o.starts_at.as_str(), o.ends_at.as_str()),
                ("2026-12-10T14:30", "2026-12-10T16:00")
            );
            assert_eq!(
                rows[0].cancelled,
                vec!["2027-01-14T14:30"],
                "one cancellation, however often it is said"
            );
            let m = rows[1].draft.as_ref().unwrap();
            assert_eq!(m.starts_at, m.ends_at, "no DTEND: a moment");
            let d = rows[2].draft.as_ref().unwrap();
            assert_eq!(
                (d.starts_at.as_str(), d.ends_at.as_str()),
                ("2026-12-12T00:00", "2026-12-13T00:00"),
                "DTEND = DTSTART on a DATE: one day"
            );
        }

        #[test]
        fn overrides_move_or_change_occurrences_and_rdates_add_them() {
            let text = cal(concat!(
                "BEGIN:VEVENT\r\nUID:w@x\r\nSUMMARY:周会\r\nLOCATION:会议室\r\n",
                "DTSTART;TZID=Asia/Shanghai:20261201T190000\r\nDTEND;TZID=Asia/Shanghai:20261201T200000\r\n",
                "RRULE:FREQ=WEEKLY;COUNT=4\r\nRDATE;TZID=Asia/Shanghai:20261203T190000,20261208T190000\r\n",
                "RDATE;VALUE=PERIOD:20261230T010000Z/20261230T033000Z\r\nEND:VEVENT\r\n",
                // Moved two hours later and renamed.
                "BEGIN:VEVENT\r\nUID:w@x\r\nRECURRENCE-ID;TZID=Asia/Shanghai:20261208T190000\r\nSUMMARY:周会（改期）\r\n",
                "DTSTART;TZID=Asia/Shanghai:20261208T210000\r\nDTEND;TZID=Asia/Shanghai:20261208T220000\r\nEND:VEVENT\r\n",
                // Same time, another room; no DTEND: the series' length.
                "BEGIN:VEVENT\r\nUID:w@x\r\nRECURRENCE-ID;TZID=Asia/Shanghai:20261215T190000\r\nSUMMARY:周会\r\n",
                "LOCATION:党群服务中心\r\nDTSTART;TZID=Asia/Shanghai:20261215T190000\r\nEND:VEVENT\r\n",
                // Names no occurrence of the series: left out.
                "BEGIN:VEVENT\r\nUID:w@x\r\nRECURRENCE-ID;TZID=Asia/Shanghai:20261216T190000\r\nSUMMARY:x\r\n",
                "DTSTART;TZID=Asia/Shanghai:20261216T190000\r\nEND:VEVENT\r\n",
            ));
            let rows = read_ics(&text, &defaults()).unwrap();
            assert!(rows.iter().all(|r| r.problem.is_none()), "{rows:?}");
            let starts: Vec<(&str, Option<&str>)> = rows
                .iter()
                .map(|r| (r.starts_at.as_str(), r.rrule.as_deref()))
                .collect();
            assert_eq!(
                starts,
                vec![
                    ("2026-12-01T19:00", Some("FREQ=WEEKLY;COUNT=4")),
                    ("2026-12-03T19:00", None),
                    ("2026-12-30T09:00", None),
                ],
                "the RDATE the rule gives anyway (the 8th) is not added twice"
            );
            let period = rows[2].draft.as_ref().unwrap();
            assert_eq!(period.ends_at.as_str(), "2026-12-30T11:30");
            assert_eq!(
                rows[1].draft.as_ref().unwrap().ends_at.as_str(),
                "2026-12-03T20:00"
            );
            assert_eq!(
                rows[0].changed,
                vec![
                    ChangedOccurrence {
                        recurrence_id: "2026-12-08T19:00".into(),
                        starts_at: "2026-12-08T21:00".into(),
                        ends_at: "2026-12-08T22:00".into(),
                        title: Some("周会（改期）".into()),
                        location: None,
                    },
                    ChangedOccurrence {
                        recurrence_id: "2026-12-15T19:00".into(),
                        starts_at: "2026-12-15T19:00".into(),
                        ends_at: "2026-12-15T20:00".into(),
                        title: None,
                        location: Some("党群服务中心".into()),
                    },
                ]
            );
        }

        #[test]
        fn a_series_whose_day_differs_in_beijing_is_refused_in_words() {
            let text = cal(concat!(
                "BEGIN:VEVENT\r\nUID:sf@x\r\nSUMMARY:Tuesday evening in San Francisco\r\n",
                "DTSTART;TZID=America/Los_Angeles:20270105T180000\r\nDTEND;TZID=America/Los_Angeles:20270105T190000\r\n",
                "RRULE:FREQ=WEEKLY;BYDAY=TU;COUNT=20\r\nEND:VEVENT\r\n",
                "BEGIN:VEVENT\r\nUID:ny@x\r\nSUMMARY:Weekly in New York, same day here\r\n",
                "DTSTART;TZID=America/New_York:20270105T080000\r\nDTEND;TZID=America/New_York:20270105T090000\r\n",
                "RRULE:FREQ=WEEKLY;COUNT=20\r\nEND:VEVENT\r\n",
            ));
            let rows = read_ics(&text, &defaults()).unwrap();
            assert_eq!(
                rows[0].problem,
                Some(("ics.zone_shift".into(), "America/Los_Angeles".into()))
            );
            // 08:00 in New York is 21:00 here in winter and 20:00 in summer: the summer weeks are
            // moved occurrences of the Beijing series.
            assert!(rows[1].problem.is_none(), "{rows:?}");
            let moved = &rows[1].changed;
            assert!(!moved.is_empty());
            assert!(moved.iter().all(|c| c.starts_at.ends_with("T20:00") && c.recurrence_id.ends_with("T21:00")), "{moved:?}");
        }

        #[test]
        fn durations() {
            assert_eq!(duration("PT1H30M"), Some(Duration::minutes(90)));
            assert_eq!(duration("P1DT2H"), Some(Duration::hours(26)));
            assert_eq!(duration("P2W"), Some(Duration::weeks(2)));
            assert_eq!(duration("P"), None);
            assert_eq!(duration("PT1X"), None);
            assert_eq!(duration("-PT1H"), None);
            assert_eq!(duration("P99999999999999999999D"), None);
        }
    }
}
