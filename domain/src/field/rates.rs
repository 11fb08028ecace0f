//! The three rates 接诉即办 is judged by, per grid, community, street or department and period:
//! response (acknowledged within the limit), resolution and satisfaction; with average times.
//!
//! The resolution rate counts what is still open and overdue: resolved ÷ (resolved + open past
//! its limit). Counting only closed items makes a unit that lets hard cases rot look perfect
//! (cityofaustin/atd-data-tech #21672).

use super::clock::Due;
use super::{FieldState, Satisfaction};
use serde::{Deserialize, Serialize};

/// One step of one report, as the rates see it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StepRecord {
    pub due: Due,
    pub acknowledged_at: Option<i64>,
    /// When the report was resolved at this step (the handler's word), if it was.
    pub resolved_at: Option<i64>,
}

/// One report: its steps (in order), its state and the reporter's answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseRecord {
    pub steps: Vec<StepRecord>,
    pub state: FieldState,
    pub satisfaction: Option<Satisfaction>,
    /// When it was made (on the device) and, if so, closed.
    pub made_at: i64,
    pub closed_at: Option<i64>,
}

#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize)]
pub struct Rates {
    /// Steps whose acknowledgement was due by now, and those acknowledged in time.
    pub due_steps: usize,
    pub acknowledged_in_time: usize,
    /// Reports resolved (or closed), and reports open past their limit.
    pub resolved: usize,
    pub open_overdue: usize,
    /// Answers, and answers satisfied or basically satisfied.
    pub rated: usize,
    pub satisfied: usize,
    /// Mean hours from acknowledgement due to acknowledged, and from made to closed.
    pub mean_acknowledge_hours: Option<f64>,
    pub mean_close_hours: Option<f64>,
}

fn percent(part: usize, whole: usize) -> Option<f64> {
    (whole > 0).then(|| part as f64 * 100.0 / whole as f64)
}

impl Rates {
    /// 响应率: acknowledged within the limit ÷ steps due.
    pub fn response(&self) -> Option<f64> {
        percent(self.acknowledged_in_time, self.due_steps)
    }

    /// 解决率: resolved ÷ (resolved + open overdue).
    pub fn resolution(&self) -> Option<f64> {
        percent(self.resolved, self.resolved + self.open_overdue)
    }

    /// 满意率: satisfied or basically satisfied ÷ answered.
    pub fn satisfaction(&self) -> Option<f64> {
        percent(self.satisfied, self.rated)
    }
}

/// The rates of `cases` at `now`.
pub fn rates<'a>(cases: impl IntoIterator<Item = &'a CaseRecord>, now: i64) -> Rates {
    let mut r = Rates::default();
    let (mut ack_sum, mut ack_n, mut close_sum, mut close_n) = (0i64, 0i64, 0i64, 0i64);
    for c in cases {
        for s in &c.steps {
            // Resolving or passing on a step answers it as much as acknowledging does (the store
            // records a handler's pass-up as its acknowledgement; the clock's own does not).
            match s.acknowledged_at.or(s.resolved_at) {
                Some(a) => {
                    r.due_steps += 1;
                    if a <= s.due.acknowledge_by {
                        r.acknowledged_in_time += 1;
                    }
                    ack_sum += a - s.due.started_at;
                    ack_n += 1;
                }
                None if now > s.due.acknowledge_by => r.due_steps += 1,
                None => {}
            }
        }
        if c.state.open() {
            let due = c.steps.last().map(|s| s.due.resolve_by);
            if due.is_some_and(|d| now > d) {
                r.open_overdue += 1;
            }
        } else {
            r.resolved += 1;
        }
        if let (Some(closed), FieldState::Closed) = (c.closed_at, c.state) {
            close_sum += closed - c.made_at;
            close_n += 1;
        }
        if let Some(s) = c.satisfaction {
            r.rated += 1;
            if s.counts_as_satisfied() {
                r.satisfied += 1;
            }
        }
    }
    r.mean_acknowledge_hours = (ack_n > 0).then(|| ack_sum as f64 / ack_n as f64 / 3600.0);
    r.mean_close_hours = (close_n > 0).then(|| close_sum as f64 / close_n as f64 / 3600.0);
    r
}

/// What a ranking groups reports by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum By {
    Grid,
    Community,
    Street,
    Department,
}

impl By {
    pub const ALL: [By; 4] = [By::Grid, By::Community, By::Street, By::Department];

    pub fn as_str(self) -> &'static str {
        match self {
            By::Grid => "grid",
            By::Community => "community",
            By::Street => "street",
            By::Department => "department",
        }
    }

    pub fn parse(s: &str) -> Option<By> {
        By::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// The area a report placed in grid `code` counts for (its grid, community or street);
    /// `None` for departments (a report counts for each department whistled) and for a grid
    /// coarser than the level asked.
    pub fn area_of(self, code: &str) -> Option<String> {
        let digits = match self {
            By::Grid => code.len(),
            By::Community => super::COMMUNITY_DIGITS,
            By::Street => super::STREET_DIGITS,
            By::Department => return None,
        };
        (code.len() >= digits).then(|| code[..digits].to_owned())
    }
}

/// Orders a ranking best first: resolution rate, then satisfaction, then response (a rate that
/// cannot be computed yet counts as the lowest), then the key.
pub fn rank<T>(rows: &mut [(String, Rates, T)]) {
    let key =
        |r: &Rates| [r.resolution(), r.satisfaction(), r.response()].map(|x| x.unwrap_or(-1.0));
    rows.sort_by(|a, b| {
        let (ka, kb) = (key(&a.1), key(&b.1));
        kb.partial_cmp(&ka)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then_with(|| a.0.cmp(&b.0))
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const H: i64 = 3600;

    fn step(start: i64, ack: Option<i64>, resolved: Option<i64>) -> StepRecord {
        StepRecord {
            due: Due {
                started_at: start,
                acknowledge_by: start + 24 * H,
                resolve_by: start + 7 * 24 * H,
            },
            acknowledged_at: ack,
            resolved_at: resolved,
        }
    }

    fn case(steps: Vec<StepRecord>, state: FieldState, s: Option<Satisfaction>) -> CaseRecord {
        CaseRecord {
            made_at: steps[0].due.started_at,
            closed_at: (state == FieldState::Closed).then(|| steps[0].due.started_at + 48 * H),
            steps,
            state,
            satisfaction: s,
        }
    }

    #[test]
    fn resolution_counts_open_overdue_reports_and_response_counts_missed_steps() {
        let now = 30 * 24 * H;
        let cases = vec![
            // Acknowledged in an hour, closed, satisfied.
            case(
                vec![step(0, Some(H), Some(20 * H))],
                FieldState::Closed,
                Some(Satisfaction::Satisfied),
            ),
            // Acknowledged late, closed, basically satisfied.
            case(
                vec![step(0, Some(30 * H), Some(40 * H))],
                FieldState::Closed,
                Some(Satisfaction::Basically),
            ),
            // Never acknowledged at the grid (passed up by the clock), then acknowledged at the
            // community in time, still open and past its limit.
            case(
                vec![step(0, None, None), step(25 * H, Some(26 * H), None)],
                FieldState::Handling,
                None,
            ),
            // Open, within its limit: neither resolved nor overdue.
            case(vec![step(now - H, None, None)], FieldState::Waiting, None),
            // Closed, dissatisfied.
            case(
                vec![step(0, Some(2 * H), Some(5 * H))],
                FieldState::Closed,
                Some(Satisfaction::Dissatisfied),
            ),
        ];
        let r = rates(&cases, now);
        assert_eq!((r.resolved, r.open_overdue), (3, 1));
        assert_eq!(r.resolution(), Some(75.0), "3 ÷ (3 + 1), not 3 ÷ 3");
        // Steps due: 4 acknowledged + the grid step missed; in time: 3.
        assert_eq!((r.due_steps, r.acknowledged_in_time), (5, 3));
        assert_eq!(r.response(), Some(60.0));
        assert_eq!((r.rated, r.satisfied), (3, 2));
        assert!((r.satisfaction().unwrap() - 66.666).abs() < 0.01);
        assert_eq!(r.mean_close_hours, Some(48.0));
        assert_eq!(
            r.mean_acknowledge_hours,
            Some((1.0 + 30.0 + 1.0 + 2.0) / 4.0)
        );
        let none = rates(&[], now);
        assert_eq!(
            (none.response(), none.resolution(), none.satisfaction()),
            (None, None, None)
        );
    }

    #[test]
    fn a_ranking_groups_by_area_and_puts_the_best_resolution_first() {
        let code = "32011300100101001";
        assert_eq!(By::Grid.area_of(code).as_deref(), Some(code));
        assert_eq!(By::Community.area_of(code).as_deref(), Some("320113001001"));
        assert_eq!(By::Street.area_of(code).as_deref(), Some("320113001"));
        assert_eq!(
            By::Community.area_of("320113001"),
            None,
            "a street's own grid"
        );
        assert_eq!(By::Department.area_of(code), None);
        assert_eq!(By::parse("street"), Some(By::Street));
        let good = rates(
            &[case(
                vec![step(0, Some(H), Some(2 * H))],
                FieldState::Closed,
                Some(Satisfaction::Satisfied),
            )],
            100 * 24 * H,
        );
        let rotting = rates(
            &[case(
                vec![step(0, Some(H), None)],
                FieldState::Handling,
                None,
            )],
            100 * 24 * H,
        );
        let none = Rates::default();
        let mut rows = vec![
            ("b".to_owned(), rotting, ()),
            ("c".to_owned(), none, ()),
            ("a".to_owned(), good, ()),
        ];
        rank(&mut rows);
        let order: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
        assert_eq!(order, ["a", "b", "c"]);
    }
}
