//! iCalendar (RFC 5545) output: one VTIMEZONE for Asia/Shanghai, series with RRULE and EXDATE,
//! RECURRENCE-ID overrides for changed or cancelled occurrences, stable UIDs and SEQUENCE.
//! Written by hand because the crates at hand emit no VTIMEZONE; checked in the tests against an
//! independent implementation (Python `icalendar` + `recurring_ical_events`).

use crate::event::LocalDateTime;

pub struct IcsEvent {
    pub uid: String,
    pub sequence: i64,
    pub summary: String,
    pub description: String,
    pub location: String,
    pub category: String,
    pub start: LocalDateTime,
    pub end: LocalDateTime,
    pub rrule: Option<String>,
    pub exdates: Vec<LocalDateTime>,
    /// Set on an override of one occurrence of a series (same UID as the series).
    pub recurrence_id: Option<LocalDateTime>,
    pub cancelled: bool,
    /// DTSTAMP, Unix seconds.
    pub stamp: i64,
    /// GEO: where it takes place, `[lon, lat]`.
    pub geo: Option<[f64; 2]>,
}

const VTIMEZONE: &[&str] = &[
    "BEGIN:VTIMEZONE",
    "TZID:Asia/Shanghai",
    "X-LIC-LOCATION:Asia/Shanghai",
    "BEGIN:STANDARD",
    "TZOFFSETFROM:+0800",
    "TZOFFSETTO:+0800",
    "TZNAME:CST",
    "DTSTART:19700101T000000",
    "END:STANDARD",
    "END:VTIMEZONE",
];

/// TEXT escaping (RFC 5545 §3.3.11).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            ';' => out.push_str("\\;"),
            ',' => out.push_str("\\,"),
            '\n' => out.push_str("\\n"),
            '\r' => {}
            c if c.is_control() => {}
            c => out.push(c),
        }
    }
    out
}

/// Folds a content line at 75 octets without splitting a UTF-8 character (RFC 5545 §3.1).
fn fold(line: &str, out: &mut String) {
    let mut width = 0;
    for c in line.chars() {
        let n = c.len_utf8();
        if width + n > 75 {
            out.push_str("\r\n ");
            width = 1;
        }
        out.push(c);
        width += n;
    }
    out.push_str("\r\n");
}

fn local(t: &LocalDateTime) -> String {
    t.as_str().replace(['-', ':'], "") + "00"
}

fn utc(unix: i64) -> String {
    let (y, m, d) = crate::date::civil_from_days(unix.div_euclid(86_400));
    let r = unix.rem_euclid(86_400);
    format!(
        "{y:04}{m:02}{d:02}T{:02}{:02}{:02}Z",
        r / 3600,
        r % 3600 / 60,
        r % 60
    )
}

/// A whole VCALENDAR named `name`.
pub fn calendar(name: &str, events: &[IcsEvent]) -> String {
    let mut out = String::new();
    let mut line = |s: String| fold(&s, &mut out);
    line("BEGIN:VCALENDAR".into());
    line("VERSION:2.0".into());
    line("PRODID:-//Linli//Neighbourhood events//ZH".into());
    line("CALSCALE:GREGORIAN".into());
    line("METHOD:PUBLISH".into());
    line(format!("X-WR-CALNAME:{}", escape(name)));
    line("X-WR-TIMEZONE:Asia/Shanghai".into());
    line("REFRESH-INTERVAL;VALUE=DURATION:PT1H".into());
    line("X-PUBLISHED-TTL:PT1H".into());
    for l in VTIMEZONE {
        line((*l).into());
    }
    for e in events {
        line("BEGIN:VEVENT".into());
        line(format!("UID:{}", e.uid));
        line(format!("DTSTAMP:{}", utc(e.stamp)));
        line(format!("SEQUENCE:{}", e.sequence));
        if let Some(rid) = &e.recurrence_id {
            line(format!("RECURRENCE-ID;TZID=Asia/Shanghai:{}", local(rid)));
        }
        line(format!("DTSTART;TZID=Asia/Shanghai:{}", local(&e.start)));
        line(format!("DTEND;TZID=Asia/Shanghai:{}", local(&e.end)));
        if let (Some(rule), None) = (&e.rrule, &e.recurrence_id) {
            line(format!("RRULE:{rule}"));
            if !e.exdates.is_empty() {
                let list: Vec<String> = e.exdates.iter().map(local).collect();
                line(format!("EXDATE;TZID=Asia/Shanghai:{}", list.join(",")));
            }
        }
        line(format!("SUMMARY:{}", escape(&e.summary)));
        if !e.description.is_empty() {
            line(format!("DESCRIPTION:{}", escape(&e.description)));
        }
        if !e.location.is_empty() {
            line(format!("LOCATION:{}", escape(&e.location)));
        }
        if !e.category.is_empty() {
            line(format!("CATEGORIES:{}", escape(&e.category)));
        }
        if let Some([lon, lat]) = e.geo {
            line(format!("GEO:{lat};{lon}"));
        }
        line(format!(
            "STATUS:{}",
            if e.cancelled {
                "CANCELLED"
            } else {
                "CONFIRMED"
            }
        ));
        line("END:VEVENT".into());
    }
    line("END:VCALENDAR".into());
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(s: &str) -> LocalDateTime {
        LocalDateTime::parse(s).unwrap()
    }

    fn ev() -> IcsEvent {
        IcsEvent {
            uid: "event-1@linli".into(),
            sequence: 2,
            summary: "集中服务日; 义诊, 理发".into(),
            description: "第一行\n第二行".into(),
            location: "党群服务中心".into(),
            category: "service-day".into(),
            start: t("2026-11-15T09:00"),
            end: t("2026-11-15T11:30"),
            rrule: Some("FREQ=MONTHLY;BYMONTHDAY=15,25".into()),
            exdates: vec![t("2026-12-25T09:00")],
            recurrence_id: None,
            cancelled: false,
            stamp: 0,
            geo: Some([118.86, 32.1]),
        }
    }

    #[test]
    fn writes_a_series_with_timezone_and_escaping() {
        let s = calendar("尧化街道", &[ev()]);
        assert!(s.starts_with("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n"));
        assert!(s.ends_with("END:VCALENDAR\r\n"));
        assert!(s.contains("TZID:Asia/Shanghai\r\n"));
        assert!(s.contains("DTSTART;TZID=Asia/Shanghai:20261115T090000\r\n"));
        assert!(s.contains("RRULE:FREQ=MONTHLY;BYMONTHDAY=15,25\r\n"));
        assert!(s.contains("EXDATE;TZID=Asia/Shanghai:20261225T090000\r\n"));
        assert!(s.contains("SUMMARY:集中服务日\\; 义诊\\, 理发\r\n"));
        assert!(s.contains("DESCRIPTION:第一行\\n第二行\r\n"));
        assert!(s.contains("DTSTAMP:19700101T000000Z\r\n"));
        assert!(s.contains("SEQUENCE:2\r\n"));
    }

    #[test]
    fn overrides_carry_recurrence_id_and_no_rule() {
        let o = IcsEvent {
            recurrence_id: Some(t("2026-11-25T09:00")),
            start: t("2026-11-25T09:00"),
            end: t("2026-11-25T11:30"),
            cancelled: true,
            ..ev()
        };
        let s = calendar("x", &[o]);
        assert!(s.contains("RECURRENCE-ID;TZID=Asia/Shanghai:20261125T090000\r\n"));
        assert!(s.contains("STATUS:CANCELLED\r\n"));
        assert!(!s.contains("RRULE"));
        assert!(s.contains("GEO:32.1;118.86\r\n"), "{s}");
    }

    #[test]
    fn long_lines_fold_at_75_octets_between_characters() {
        let long = IcsEvent {
            description: "邻".repeat(100),
            ..ev()
        };
        let s = calendar("x", &[long]);
        for l in s.split("\r\n") {
            assert!(l.len() <= 75, "{} octets: {l}", l.len());
        }
        let unfolded = s.replace("\r\n ", "");
        assert!(unfolded.contains(&format!("DESCRIPTION:{}", "邻".repeat(100))));
    }
}
