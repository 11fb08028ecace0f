//! Participation statistics (参与统计): who came, how full events were, and the service hours of
//! people who checked in (in-service party members reporting to the community, 双报到), per
//! person and per organisation unit. Pure aggregation over rows storage hands in.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One RSVP of one occurrence.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParticipationRow {
    pub event_id: i64,
    pub title: String,
    pub unit_code: String,
    pub unit_name: String,
    pub starts_at: String,
    pub minutes: i64,
    pub capacity: i64,
    pub taken: i64,
    pub person: String,
    pub going: bool,
    pub checked_in: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct OccurrenceFill {
    pub title: String,
    pub starts_at: String,
    pub taken: i64,
    pub capacity: i64,
    pub checked_in: i64,
    pub fill_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonHours {
    pub person: String,
    pub check_ins: i64,
    pub hours: f64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct UnitSummary {
    pub unit_code: String,
    pub unit_name: String,
    pub occurrences: i64,
    pub rsvps: i64,
    pub check_ins: i64,
    pub hours: f64,
    pub average_fill_rate: f64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Participation {
    pub occurrences: Vec<OccurrenceFill>,
    pub people: Vec<PersonHours>,
    pub units: Vec<UnitSummary>,
}

fn round1(x: f64) -> f64 {
    (x * 10.0).round() / 10.0
}

pub fn aggregate(rows: &[ParticipationRow]) -> Participation {
    // Occurrence key → (row, going count, checked-in count)
    let mut occ: BTreeMap<(String, i64), (&ParticipationRow, i64)> = BTreeMap::new();
    let mut people: BTreeMap<&str, (i64, i64)> = BTreeMap::new();
    for r in rows {
        let e = occ
            .entry((r.starts_at.clone(), r.event_id))
            .or_insert((r, 0));
        if r.checked_in {
            e.1 += 1;
            let p = people.entry(&r.person).or_insert((0, 0));
            p.0 += 1;
            p.1 += r.minutes;
        }
    }
    let occurrences: Vec<OccurrenceFill> = occ
        .values()
        .map(|(r, checked)| OccurrenceFill {
            title: r.title.clone(),
            starts_at: r.starts_at.clone(),
            taken: r.taken,
            capacity: r.capacity,
            checked_in: *checked,
            fill_rate: if r.capacity > 0 {
                round1(100.0 * r.taken as f64 / r.capacity as f64)
            } else {
                0.0
            },
        })
        .collect();
    let mut people: Vec<PersonHours> = people
        .into_iter()
        .map(|(p, (n, m))| PersonHours {
            person: p.to_owned(),
            check_ins: n,
            hours: round1(m as f64 / 60.0),
        })
        .collect();
    people.sort_by(|a, b| b.hours.total_cmp(&a.hours).then(a.person.cmp(&b.person)));

    let mut units: BTreeMap<&str, UnitSummary> = BTreeMap::new();
    for ((_, _), (r, checked)) in &occ {
        let u = units.entry(&r.unit_code).or_insert_with(|| UnitSummary {
            unit_code: r.unit_code.clone(),
            unit_name: r.unit_name.clone(),
            occurrences: 0,
            rsvps: 0,
            check_ins: 0,
            hours: 0.0,
            average_fill_rate: 0.0,
        });
        u.occurrences += 1;
        u.check_ins += checked;
        u.hours += (*checked * r.minutes) as f64 / 60.0;
        u.average_fill_rate += if r.capacity > 0 {
            100.0 * r.taken as f64 / r.capacity as f64
        } else {
            0.0
        };
    }
    for r in rows.iter().filter(|r| r.going) {
        if let Some(u) = units.get_mut(r.unit_code.as_str()) {
            u.rsvps += 1;
        }
    }
    let units = units
        .into_values()
        .map(|mut u| {
            u.average_fill_rate = round1(u.average_fill_rate / u.occurrences.max(1) as f64);
            u.hours = round1(u.hours);
            u
        })
        .collect();
    Participation {
        occurrences,
        people,
        units,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(
        event: i64,
        at: &str,
        person: &str,
        going: bool,
        checked: bool,
        taken: i64,
    ) -> ParticipationRow {
        ParticipationRow {
            event_id: event,
            title: format!("活动{event}"),
            unit_code: if event == 1 {
                "320113001".into()
            } else {
                "320113001001".into()
            },
            unit_name: "单位".into(),
            starts_at: at.into(),
            minutes: 90,
            capacity: 4,
            taken,
            person: person.into(),
            going,
            checked_in: checked,
        }
    }

    #[test]
    fn fill_rates_hours_and_units() {
        let rows = vec![
            row(1, "2026-12-15T09:00", "张伟", true, true, 2),
            row(1, "2026-12-15T09:00", "李娜", true, false, 2),
            row(1, "2026-12-25T09:00", "张伟", true, true, 1),
            row(2, "2026-12-20T14:00", "李娜", true, true, 4),
            row(2, "2026-12-20T14:00", "王芳", false, false, 4),
        ];
        let p = aggregate(&rows);
        assert_eq!(p.occurrences.len(), 3);
        assert_eq!(p.occurrences[0].fill_rate, 50.0);
        assert_eq!(p.occurrences[0].checked_in, 1);
        assert_eq!(p.people[0].person, "张伟");
        assert_eq!((p.people[0].check_ins, p.people[0].hours), (2, 3.0));
        assert_eq!(p.people.len(), 2, "nobody who did not check in earns hours");
        let street = p.units.iter().find(|u| u.unit_code == "320113001").unwrap();
        assert_eq!(
            (
                street.occurrences,
                street.rsvps,
                street.check_ins,
                street.hours,
                street.average_fill_rate
            ),
            (2, 3, 2, 3.0, 37.5)
        );
    }

    #[test]
    fn nothing_in_nothing_out() {
        assert_eq!(aggregate(&[]), Participation::default());
    }
}
