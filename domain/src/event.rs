//! Events (活动): what an organiser may publish, checked before anything is stored.

use serde::{Deserialize, Serialize};
use std::fmt;

pub const TITLE_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 5_000;
pub const LOCATION_MAX: usize = 200;
pub const CAPACITY_MAX: i64 = 10_000;
pub const GUESTS_MAX: i64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    /// 集中服务日
    ServiceDay,
    /// 微党课、市民讲堂
    Lecture,
    /// 院坝会
    Meeting,
    /// 志愿活动
    Volunteer,
    /// 义诊
    Clinic,
    Other,
}

impl Category {
    pub const ALL: [Category; 6] = [
        Category::ServiceDay,
        Category::Lecture,
        Category::Meeting,
        Category::Volunteer,
        Category::Clinic,
        Category::Other,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Category::ServiceDay => "service-day",
            Category::Lecture => "lecture",
            Category::Meeting => "meeting",
            Category::Volunteer => "volunteer",
            Category::Clinic => "clinic",
            Category::Other => "other",
        }
    }

    pub fn parse(s: &str) -> Option<Category> {
        Category::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Visibility {
    Public,
    Community,
    PartyMembers,
}

impl Visibility {
    pub const ALL: [Visibility; 3] = [
        Visibility::Public,
        Visibility::Community,
        Visibility::PartyMembers,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Visibility::Public => "public",
            Visibility::Community => "community",
            Visibility::PartyMembers => "party-members",
        }
    }

    /// Who may see an event: public and community events every logged-in user; party-member
    /// events staff and party members.
    pub fn visible_to(self, p: &crate::Principal) -> bool {
        self != Visibility::PartyMembers || p.role.is_staff() || p.party_member
    }

    pub fn parse(s: &str) -> Option<Visibility> {
        Visibility::ALL.into_iter().find(|v| v.as_str() == s)
    }
}

/// What an edit of a recurring event changes: every occurrence, this one only (its time), or this
/// one and the ones after it (a new series).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EditScope {
    Series,
    This,
    Following,
}

impl EditScope {
    pub fn as_str(self) -> &'static str {
        match self {
            EditScope::Series => "series",
            EditScope::This => "this",
            EditScope::Following => "following",
        }
    }

    pub fn parse(s: &str) -> Option<EditScope> {
        [EditScope::Series, EditScope::This, EditScope::Following]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// Whether an event (or one occurrence of it) takes place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum EventStatus {
    Scheduled,
    Cancelled,
}

impl EventStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            EventStatus::Scheduled => "scheduled",
            EventStatus::Cancelled => "cancelled",
        }
    }

    pub fn parse(s: &str) -> Option<EventStatus> {
        [EventStatus::Scheduled, EventStatus::Cancelled]
            .into_iter()
            .find(|v| v.as_str() == s)
    }
}

/// A stored word that is not one of an enum's spellings (a row written by something else).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind}: {value}")]
pub struct UnknownWord {
    pub kind: &'static str,
    pub value: String,
}

macro_rules! stored_word {
    ($t:ty, $kind:literal) => {
        impl TryFrom<String> for $t {
            type Error = UnknownWord;
            fn try_from(s: String) -> Result<Self, UnknownWord> {
                <$t>::parse(&s).ok_or(UnknownWord {
                    kind: $kind,
                    value: s,
                })
            }
        }

        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}
stored_word!(Category, "category");
stored_word!(Visibility, "visibility");
stored_word!(EventStatus, "event status");
stored_word!(EditScope, "edit scope");

/// A wall-clock time in Asia/Shanghai, `YYYY-MM-DDTHH:MM`. Text order is time order.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct LocalDateTime(String);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EventError {
    #[error("title must be 1 to {TITLE_MAX} characters")]
    Title,
    #[error("description must be at most {DESCRIPTION_MAX} characters")]
    Description,
    #[error("location must be at most {LOCATION_MAX} characters")]
    Location,
    #[error("not a date and time (YYYY-MM-DDTHH:MM)")]
    DateTime,
    #[error("the end must be after the start")]
    EndBeforeStart,
    #[error("an event lasts at most 7 days")]
    TooLong,
    #[error("capacity must be 1 to {CAPACITY_MAX}")]
    Capacity,
    #[error("guests must be 0 to {GUESTS_MAX}")]
    Guests,
    #[error("not a grid code")]
    Grid,
    #[error("a map point is written lon,lat in degrees")]
    Point,
    #[error("unknown category")]
    Category,
    #[error("unknown visibility")]
    Visibility,
}

impl EventError {
    /// Translation key of the message shown to users.
    pub fn key(&self) -> &'static str {
        match self {
            EventError::Title => "err.event_title",
            EventError::Description => "err.event_description",
            EventError::Location => "err.event_location",
            EventError::DateTime => "err.date",
            EventError::EndBeforeStart => "err.event_end_before_start",
            EventError::TooLong => "err.event_too_long",
            EventError::Capacity => "err.event_capacity",
            EventError::Guests => "err.event_guests",
            EventError::Grid => "err.event_grid",
            EventError::Point => "err.event_point",
            EventError::Category => "err.event_category",
            EventError::Visibility => "err.event_visibility",
        }
    }
}

impl LocalDateTime {
    pub fn parse(s: &str) -> Result<Self, EventError> {
        let s = s.trim();
        let b = s.as_bytes();
        let shape = b.len() == 16
            && b.iter().enumerate().all(|(i, c)| match i {
                4 | 7 => *c == b'-',
                10 => *c == b'T',
                13 => *c == b':',
                _ => c.is_ascii_digit(),
            });
        if !shape {
            return Err(EventError::DateTime);
        }
        let n = |r: std::ops::Range<usize>| s[r].parse::<u32>().unwrap_or(99);
        let (h, min) = (n(11..13), n(14..16));
        // Times count minutes since 1970: earlier years are not event times.
        let date = crate::date::parse_ymd(&s[..10]).filter(|(y, _, _)| *y >= 1970);
        if date.is_none() || h > 23 || min > 59 {
            return Err(EventError::DateTime);
        }
        Ok(LocalDateTime(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn date(&self) -> &str {
        &self.0[..10]
    }

    /// Minutes since 1970-01-01T00:00 local time.
    pub fn minutes(&self) -> i64 {
        let n = |r: std::ops::Range<usize>| self.0[r].parse::<i64>().unwrap_or(0);
        let days = crate::date::days_from_civil(n(0..4), n(5..7) as u32, n(8..10) as u32);
        days * 1440 + n(11..13) * 60 + n(14..16)
    }

    pub fn from_minutes(total: i64) -> LocalDateTime {
        let (y, m, d) = crate::date::civil_from_days(total.div_euclid(1440));
        let r = total.rem_euclid(1440);
        LocalDateTime(format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}", r / 60, r % 60))
    }

    /// Unix seconds of this local time (Asia/Shanghai).
    pub fn to_unix(&self) -> i64 {
        self.minutes() * 60 - crate::date::SHANGHAI_OFFSET_SECS
    }

    /// The local time now, from Unix seconds.
    pub fn from_unix(secs: i64) -> LocalDateTime {
        LocalDateTime::from_minutes((secs + crate::date::SHANGHAI_OFFSET_SECS).div_euclid(60))
    }
}

impl fmt::Display for LocalDateTime {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for LocalDateTime {
    type Error = EventError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        LocalDateTime::parse(&s)
    }
}

impl From<LocalDateTime> for String {
    fn from(v: LocalDateTime) -> String {
        v.0
    }
}

/// An event as an organiser submits it, validated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventDraft {
    pub title: String,
    pub description: String,
    pub category: Category,
    pub location: String,
    pub starts_at: LocalDateTime,
    pub ends_at: LocalDateTime,
    /// RRULE value (no `RRULE:` prefix); checked separately by `recurrence`.
    pub rrule: Option<String>,
    pub capacity: i64,
    pub guests_allowed: i64,
    /// RSVPs close this many minutes before each occurrence starts.
    pub rsvp_deadline_minutes: i64,
    pub visibility: Visibility,
    /// The grid (网格) the event takes place in, by code.
    #[serde(default)]
    pub grid_code: Option<String>,
    /// Where on the map: WGS84 `lon,lat` to 1e-7° (see [`EventDraft::with_place`]).
    #[serde(default)]
    pub point: Option<String>,
}

pub(crate) fn clean_text(s: &str, max: usize, allow_newlines: bool) -> Option<String> {
    let s = s.trim();
    let ok = s.chars().count() <= max
        && s.chars()
            .all(|c| !c.is_control() || (allow_newlines && (c == '\n' || c == '\t' || c == '\r')));
    ok.then(|| s.to_owned())
}

pub struct RawEvent<'a> {
    pub title: &'a str,
    pub description: &'a str,
    pub category: &'a str,
    pub location: &'a str,
    pub starts_at: &'a str,
    pub ends_at: &'a str,
    pub rrule: &'a str,
    pub capacity: i64,
    pub guests_allowed: i64,
    pub rsvp_deadline_minutes: i64,
    pub visibility: &'a str,
}

impl EventDraft {
    pub fn parse(r: RawEvent<'_>) -> Result<EventDraft, EventError> {
        let title = clean_text(r.title, TITLE_MAX, false)
            .filter(|t| !t.is_empty())
            .ok_or(EventError::Title)?;
        let description =
            clean_text(r.description, DESCRIPTION_MAX, true).ok_or(EventError::Description)?;
        let location = clean_text(r.location, LOCATION_MAX, false).ok_or(EventError::Location)?;
        let category = Category::parse(r.category).ok_or(EventError::Category)?;
        let visibility = Visibility::parse(r.visibility).ok_or(EventError::Visibility)?;
        let starts_at = LocalDateTime::parse(r.starts_at)?;
        let ends_at = LocalDateTime::parse(r.ends_at)?;
        // An event may be a moment (RFC 5545: a DATE-TIME without DTEND lasts no time at all).
        if ends_at < starts_at {
            return Err(EventError::EndBeforeStart);
        }
        if ends_at.minutes() - starts_at.minutes() > 7 * 1440 {
            return Err(EventError::TooLong);
        }
        if !(1..=CAPACITY_MAX).contains(&r.capacity) {
            return Err(EventError::Capacity);
        }
        if !(0..=GUESTS_MAX).contains(&r.guests_allowed) {
            return Err(EventError::Guests);
        }
        let rrule =
            Some(r.rrule.trim().trim_start_matches("RRULE:").to_owned()).filter(|s| !s.is_empty());
        Ok(EventDraft {
            title,
            description,
            category,
            location,
            starts_at,
            ends_at,
            rrule,
            capacity: r.capacity,
            guests_allowed: r.guests_allowed,
            rsvp_deadline_minutes: r.rsvp_deadline_minutes.clamp(0, 30 * 1440),
            visibility,
            grid_code: None,
            point: None,
        })
    }

    /// The draft for a whole series edited from one occurrence (`at`, shown in the form): the
    /// form's change of start time applies to the series' own start (`series_start`), and the
    /// duration is kept.
    pub fn for_series(mut self, at: &LocalDateTime, series_start: &LocalDateTime) -> EventDraft {
        let delta = self.starts_at.minutes() - at.minutes();
        let dur = self.duration_minutes();
        self.starts_at = LocalDateTime::from_minutes(series_start.minutes() + delta);
        self.ends_at = LocalDateTime::from_minutes(self.starts_at.minutes() + dur);
        self
    }

    /// Sets where the event is on the map: a grid code and a point written `lon,lat` (WGS84 degrees,
    /// a full-width comma or spaces also do); both optional. Whether the grid exists is the
    /// server's question.
    pub fn with_place(mut self, grid: &str, point: &str) -> Result<EventDraft, EventError> {
        let grid = grid.trim();
        self.grid_code = if grid.is_empty() {
            None
        } else {
            Some(
                crate::Code::parse(grid)
                    .map_err(|_| EventError::Grid)?
                    .as_str()
                    .to_owned(),
            )
        };
        self.point = parse_point(point)?.map(|[lon, lat]| format!("{lon},{lat}"));
        Ok(self)
    }

    /// The point as `[lon, lat]`.
    pub fn lon_lat(&self) -> Option<[f64; 2]> {
        parse_point(self.point.as_deref().unwrap_or(""))
            .ok()
            .flatten()
    }

    pub fn duration_minutes(&self) -> i64 {
        self.ends_at.minutes() - self.starts_at.minutes()
    }
}

/// `lon,lat` → the point rounded to 1e-7°; empty → `None`.
pub fn parse_point(s: &str) -> Result<Option<[f64; 2]>, EventError> {
    let s = s.trim();
    if s.is_empty() {
        return Ok(None);
    }
    let parts: Vec<&str> = s
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .collect();
    let [lon, lat] = parts[..] else {
        return Err(EventError::Point);
    };
    let (lon, lat): (f64, f64) = match (lon.parse(), lat.parse()) {
        (Ok(a), Ok(b)) => (a, b),
        _ => return Err(EventError::Point),
    };
    if !(lon.is_finite()
        && lat.is_finite()
        && (-180.0..=180.0).contains(&lon)
        && (-90.0..=90.0).contains(&lat))
    {
        return Err(EventError::Point);
    }
    Ok(Some(crate::geometry::quantise([lon, lat])))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_series_edited_from_one_occurrence_moves_by_the_same_amount() {
        // The form showed the 25th at 09:00; the organiser moved it to 14:00 and made it 3 h long.
        let mut r = raw();
        r.starts_at = "2026-12-25T14:00";
        r.ends_at = "2026-12-25T17:00";
        let d = EventDraft::parse(r).unwrap().for_series(
            &LocalDateTime::parse("2026-12-25T09:00").unwrap(),
            &LocalDateTime::parse("2026-12-15T09:00").unwrap(),
        );
        assert_eq!(
            (d.starts_at.as_str(), d.ends_at.as_str()),
            ("2026-12-15T14:00", "2026-12-15T17:00")
        );
    }

    #[test]
    fn places_are_a_grid_code_and_a_point() {
        let d = EventDraft::parse(raw()).unwrap();
        let d = d
            .with_place(" 320113001001001 ", "118.78123456，32.06")
            .unwrap();
        assert_eq!(d.grid_code.as_deref(), Some("320113001001001"));
        assert_eq!(d.point.as_deref(), Some("118.7812346,32.06"));
        assert_eq!(d.lon_lat(), Some([118.781_234_6, 32.06]));
        let d = d.with_place("", "").unwrap();
        assert_eq!((d.grid_code, d.point), (None, None));
        let d = EventDraft::parse(raw()).unwrap();
        for bad in ["118.7", "a,b", "200,30", "118,95", "NaN,1", "1,2,3"] {
            assert_eq!(
                d.clone().with_place("", bad),
                Err(EventError::Point),
                "{bad}"
            );
        }
        assert_eq!(d.with_place("32-01", ""), Err(EventError::Grid));
    }

    #[test]
    fn party_member_events_are_for_staff_and_party_members() {
        use crate::{Principal, Role};
        let who = |role, party_member| Principal {
            user_id: 1,
            username: "u".into(),
            role,
            scope: None,
            party_member,
        };
        for v in [Visibility::Public, Visibility::Community] {
            assert!(v.visible_to(&who(Role::Resident, false)));
        }
        assert!(!Visibility::PartyMembers.visible_to(&who(Role::Resident, false)));
        assert!(Visibility::PartyMembers.visible_to(&who(Role::Resident, true)));
        assert!(Visibility::PartyMembers.visible_to(&who(Role::GridWorker, false)));
    }

    fn raw<'a>() -> RawEvent<'a> {
        RawEvent {
            title: "集中服务日",
            description: "",
            category: "service-day",
            location: "党群服务中心",
            starts_at: "2026-12-15T09:00",
            ends_at: "2026-12-15T11:30",
            rrule: "FREQ=MONTHLY;BYMONTHDAY=15,25",
            capacity: 50,
            guests_allowed: 1,
            rsvp_deadline_minutes: 60,
            visibility: "public",
        }
    }

    #[test]
    fn local_times_are_checked() {
        assert!(LocalDateTime::parse("2026-02-29T09:00").is_err());
        assert!(LocalDateTime::parse("2028-02-29T09:00").is_ok());
        assert!(LocalDateTime::parse("2026-12-15 09:00").is_err());
        assert!(LocalDateTime::parse("2026-12-15T24:00").is_err());
        assert!(LocalDateTime::parse("<script>alert").is_err());
        let t = LocalDateTime::parse("2026-12-31T23:30").unwrap();
        assert_eq!(
            LocalDateTime::from_minutes(t.minutes() + 45).as_str(),
            "2027-01-01T00:15"
        );
        assert_eq!(LocalDateTime::from_unix(0).as_str(), "1970-01-01T08:00");
    }

    #[test]
    fn a_good_event_parses() {
        let e = EventDraft::parse(raw()).unwrap();
        assert_eq!(e.duration_minutes(), 150);
        assert_eq!(e.rrule.as_deref(), Some("FREQ=MONTHLY;BYMONTHDAY=15,25"));
        let e = EventDraft::parse(RawEvent {
            rrule: "RRULE:FREQ=WEEKLY",
            ..raw()
        })
        .unwrap();
        assert_eq!(e.rrule.as_deref(), Some("FREQ=WEEKLY"));
        assert_eq!(
            EventDraft::parse(RawEvent {
                rrule: "  ",
                ..raw()
            })
            .unwrap()
            .rrule,
            None
        );
    }

    #[test]
    fn bad_events_are_refused_with_a_reason() {
        let big = "字".repeat(DESCRIPTION_MAX + 1);
        let long_title = "t".repeat(101);
        let cases: Vec<(RawEvent, EventError)> = vec![
            (
                RawEvent {
                    title: " ",
                    ..raw()
                },
                EventError::Title,
            ),
            (
                RawEvent {
                    title: &long_title,
                    ..raw()
                },
                EventError::Title,
            ),
            (
                RawEvent {
                    title: "a\u{7}b",
                    ..raw()
                },
                EventError::Title,
            ),
            (
                RawEvent {
                    description: &big,
                    ..raw()
                },
                EventError::Description,
            ),
            (
                RawEvent {
                    ends_at: "2026-12-15T08:00",
                    ..raw()
                },
                EventError::EndBeforeStart,
            ),
            (
                RawEvent {
                    ends_at: "2026-12-25T09:00",
                    ..raw()
                },
                EventError::TooLong,
            ),
            (
                RawEvent {
                    capacity: 0,
                    ..raw()
                },
                EventError::Capacity,
            ),
            (
                RawEvent {
                    capacity: -5,
                    ..raw()
                },
                EventError::Capacity,
            ),
            (
                RawEvent {
                    guests_allowed: 11,
                    ..raw()
                },
                EventError::Guests,
            ),
            (
                RawEvent {
                    category: "party",
                    ..raw()
                },
                EventError::Category,
            ),
            (
                RawEvent {
                    visibility: "secret",
                    ..raw()
                },
                EventError::Visibility,
            ),
            (
                RawEvent {
                    starts_at: "tomorrow",
                    ..raw()
                },
                EventError::DateTime,
            ),
        ];
        for (r, want) in cases {
            assert_eq!(EventDraft::parse(r), Err(want));
        }
        // Markup is kept as text: the UI never renders it as HTML.
        assert_eq!(
            EventDraft::parse(RawEvent {
                title: "<b>讲座</b>",
                ..raw()
            })
            .unwrap()
            .title,
            "<b>讲座</b>"
        );
    }
}
