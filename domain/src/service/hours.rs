//! Service hours (志愿服务时长), kept as 民政部令第67号 asks: who served, what, when, how long,
//! who organised it and who confirmed it. Hours are credit that is never spent: given per member,
//! per unit and per community, summed by year, compared with thresholds (e.g. 50 hours a year).

use crate::event::LocalDateTime;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Where hours come from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Source {
    /// Checked in at an event's occurrence.
    CheckIn { event_id: i64, starts_at: String },
    /// A confirmed claim on a need.
    Claim { claim_id: i64 },
    /// A confirmed micro-wish.
    Wish { wish_id: i64 },
}

/// One record of service.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HoursEntry {
    /// The member (username) who served.
    pub person: String,
    /// The member's unit party organisation (双报到), when known.
    pub unit: Option<String>,
    /// The community (organisation code) where the service was done.
    pub community: String,
    /// Local date `YYYY-MM-DD`.
    pub date: String,
    pub minutes: i64,
    pub what: String,
    pub organiser: String,
    pub confirmed_by: String,
    pub source: Source,
}

/// The columns of an hours record as exported (民政部令第67号: who, when, what, who organised, how
/// long, who confirmed), then where it came from.
pub const RECORD_HEADER: [&str; 7] = [
    "姓名",
    "服务日期",
    "服务内容",
    "组织单位",
    "服务时长（小时）",
    "确认人",
    "来源",
];

/// The exported word for a record's source (`check-in`, `claim`, `wish`).
pub fn source_label(source: &str) -> &'static str {
    match source {
        "check-in" => "活动签到",
        "claim" => "认领需求",
        "wish" => "微心愿",
        _ => "其他",
    }
}

/// The longest one record credits (a whole day).
pub const MAX_MINUTES: i64 = 24 * 60;

/// Whether checking in at an event of `category` credits service hours: service days and
/// volunteer activities do; lectures, meetings and clinics are attended, not served.
pub fn credits_check_in(category: &str) -> bool {
    matches!(category, "service-day" | "volunteer")
}

/// Minutes someone says a claim or a wish took: 1 minute to a day.
pub fn check_minutes(minutes: i64) -> Result<i64, super::ServiceError> {
    if (1..=MAX_MINUTES).contains(&minutes) {
        Ok(minutes)
    } else {
        Err(super::ServiceError::Minutes)
    }
}

/// Minutes a check-in credits: the hours the organiser set for the event, else the occurrence's
/// length; never negative, never more than a day.
pub fn check_in_minutes(starts_at: &str, ends_at: &str, set_by_organiser: Option<i64>) -> i64 {
    let length = match (
        LocalDateTime::parse(starts_at),
        LocalDateTime::parse(ends_at),
    ) {
        (Ok(s), Ok(e)) => e.minutes() - s.minutes(),
        _ => 0,
    };
    set_by_organiser.unwrap_or(length).clamp(0, MAX_MINUTES)
}

/// Minutes per key (`key(entry)`, e.g. the person, the unit or the community) over the entries
/// dated in `year`; entries the key skips (`None`) are not counted.
pub fn totals(
    entries: &[HoursEntry],
    year: i32,
    key: impl Fn(&HoursEntry) -> Option<String>,
) -> BTreeMap<String, i64> {
    let prefix = format!("{year:04}-");
    let mut out = BTreeMap::new();
    for e in entries.iter().filter(|e| e.date.starts_with(&prefix)) {
        if let Some(k) = key(e) {
            *out.entry(k).or_insert(0) += e.minutes;
        }
    }
    out
}

/// The people of `roster` below `threshold_minutes` in `totals`, with what they have, fewest
/// first (those with nothing included).
pub fn below<'a>(
    totals: &BTreeMap<String, i64>,
    roster: impl IntoIterator<Item = &'a str>,
    threshold_minutes: i64,
) -> Vec<(String, i64)> {
    let mut v: Vec<(String, i64)> = roster
        .into_iter()
        .map(|p| (p.to_owned(), totals.get(p).copied().unwrap_or(0)))
        .filter(|(_, m)| *m < threshold_minutes)
        .collect();
    v.sort_by(|a, b| a.1.cmp(&b.1).then(a.0.cmp(&b.0)));
    v
}

/// The share of a unit's reported members who reached the yearly target (a unit's completion),
/// as the 双报到 annual review counts it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnitCompletion {
    /// The unit party organisation the members named when they reported in.
    pub unit: String,
    pub members: usize,
    pub reached: usize,
}

impl UnitCompletion {
    /// Whole percent, rounded down, so 94.9 % is not shown as meeting 95 %.
    pub fn percent(&self) -> i64 {
        if self.members == 0 {
            return 0;
        }
        (self.reached * 100 / self.members) as i64
    }

    pub fn below(&self, threshold_percent: i64) -> bool {
        self.percent() < threshold_percent
    }
}

/// Groups `members` (each a unit and the minutes the member served this year) by unit and counts
/// who reached `target_minutes`; lowest completion first, then by name.
pub fn unit_completion(members: &[(String, i64)], target_minutes: i64) -> Vec<UnitCompletion> {
    let mut by_unit: BTreeMap<&str, (usize, usize)> = BTreeMap::new();
    for (unit, minutes) in members {
        let e = by_unit.entry(unit.as_str()).or_default();
        e.0 += 1;
        if *minutes >= target_minutes {
            e.1 += 1;
        }
    }
    let mut v: Vec<UnitCompletion> = by_unit
        .into_iter()
        .map(|(unit, (members, reached))| UnitCompletion {
            unit: unit.to_owned(),
            members,
            reached,
        })
        .collect();
    v.sort_by(|a, b| a.percent().cmp(&b.percent()).then(a.unit.cmp(&b.unit)));
    v
}

/// The completion a unit is asked for unless the deployment says otherwise (95 %).
pub const DEFAULT_UNIT_PERCENT: i64 = 95;

/// Minutes as hours with one decimal, as certificates write them ("12.5").
pub fn hours_text(minutes: i64) -> String {
    let tenths = (minutes * 10 + 30) / 60;
    format!("{}.{}", tenths / 10, tenths % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(person: &str, unit: Option<&str>, date: &str, minutes: i64) -> HoursEntry {
        HoursEntry {
            person: person.into(),
            unit: unit.map(str::to_owned),
            community: "320113001".into(),
            date: date.into(),
            minutes,
            what: "服务日".into(),
            organiser: "shuji".into(),
            confirmed_by: "shuji".into(),
            source: Source::Claim { claim_id: 1 },
        }
    }

    #[test]
    fn check_ins_credit_the_occurrence_or_the_organisers_hours() {
        assert_eq!(
            check_in_minutes("2026-12-15T09:00", "2026-12-15T11:30", None),
            150
        );
        assert_eq!(
            check_in_minutes("2026-12-15T09:00", "2026-12-15T11:30", Some(60)),
            60
        );
        assert_eq!(
            check_in_minutes("2026-12-15T09:00", "2026-12-18T09:00", None),
            MAX_MINUTES
        );
        assert_eq!(
            check_in_minutes("2026-12-15T09:00", "2026-12-15T08:00", None),
            0
        );
        assert_eq!(check_in_minutes("bad", "2026-12-15T08:00", None), 0);
    }

    #[test]
    fn hours_add_up_per_person_unit_and_year_and_the_threshold_names_who_is_below() {
        let entries = vec![
            entry("a", Some("区税务局党支部"), "2026-03-15", 120),
            entry("a", Some("区税务局党支部"), "2026-12-15", 2_900),
            entry("b", None, "2026-06-25", 600),
            entry("a", Some("区税务局党支部"), "2025-12-25", 999),
        ];
        let by_person = totals(&entries, 2026, |e| Some(e.person.clone()));
        assert_eq!(by_person.get("a"), Some(&3_020));
        assert_eq!(by_person.get("b"), Some(&600));
        let by_unit = totals(&entries, 2026, |e| e.unit.clone());
        assert_eq!(by_unit.len(), 1);
        assert_eq!(by_unit["区税务局党支部"], 3_020);
        let fifty_hours = 50 * 60;
        assert_eq!(
            below(&by_person, ["a", "b", "c"], fifty_hours),
            vec![("c".to_owned(), 0), ("b".to_owned(), 600)]
        );
        assert_eq!(hours_text(3_020), "50.3");
        assert_eq!(hours_text(90), "1.5");
        assert_eq!(hours_text(0), "0.0");
    }

    #[test]
    fn a_units_completion_counts_its_members_at_target_and_rounds_down() {
        let target = 50 * 60;
        let mut members: Vec<(String, i64)> = (0..20)
            .map(|k| {
                (
                    "区税务局党支部".to_owned(),
                    if k == 0 { 2_999 } else { 3_000 },
                )
            })
            .collect();
        members.push(("区医院党委".into(), 3_100));
        members.push(("区医院党委".into(), 10));
        let v = unit_completion(&members, target);
        assert_eq!(v[0].unit, "区医院党委");
        assert_eq!((v[0].members, v[0].reached, v[0].percent()), (2, 1, 50));
        assert_eq!((v[1].members, v[1].reached, v[1].percent()), (20, 19, 95));
        assert!(!v[1].below(DEFAULT_UNIT_PERCENT));
        assert!(v[1].below(96));
        let nineteen_of_twenty_one = UnitCompletion {
            unit: "x".into(),
            members: 21,
            reached: 20,
        };
        assert_eq!(nineteen_of_twenty_one.percent(), 95);
        let almost = UnitCompletion {
            unit: "x".into(),
            members: 1000,
            reached: 949,
        };
        assert!(almost.below(95), "94.9 % is below 95 %");
        assert!(unit_completion(&[], target).is_empty());
    }
}
