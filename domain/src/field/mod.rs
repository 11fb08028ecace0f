//! Field reports (事件上报) and their way up: the grid's worker first, then the community
//! (社区呼叫), then the street, which may blow the whistle (街道吹哨) to a lead department and
//! co-handling departments that must acknowledge (部门报到) and act, or send it back (退单) for the
//! street to decide. A resolution is checked by someone other than its handler (核查结案); the
//! reporter rates it (回访) and may reopen it once. Every step has its clock (`clock`); the three
//! rates are counted in `rates`. Pure: callers pass who acts and when.

pub mod clock;
pub mod rates;

use serde::{Deserialize, Serialize};

/// Where a report is being handled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Level {
    Grid,
    Community,
    Street,
    Department,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Grid => "grid",
            Level::Community => "community",
            Level::Street => "street",
            Level::Department => "department",
        }
    }

    pub fn parse(s: &str) -> Option<Level> {
        [
            Level::Grid,
            Level::Community,
            Level::Street,
            Level::Department,
        ]
        .into_iter()
        .find(|l| l.as_str() == s)
    }

    /// The level a report passed up from here goes to (the street whistles instead).
    pub fn above(self) -> Option<Level> {
        match self {
            Level::Grid => Some(Level::Community),
            Level::Community => Some(Level::Street),
            Level::Street | Level::Department => None,
        }
    }
}

/// Where a report stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FieldState {
    /// At a level, waiting for its handler to acknowledge (签收).
    Waiting,
    /// Acknowledged, being handled.
    Handling,
    /// Whistled: waiting for the lead department to report (报到).
    Whistled,
    /// Sent back by the lead department (退单); the street decides.
    SentBack,
    /// The handler says it is solved; waiting for someone else to check it.
    Resolved,
    /// Checked and closed (结案).
    Closed,
}

impl FieldState {
    pub const ALL: [FieldState; 6] = [
        FieldState::Waiting,
        FieldState::Handling,
        FieldState::Whistled,
        FieldState::SentBack,
        FieldState::Resolved,
        FieldState::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            FieldState::Waiting => "waiting",
            FieldState::Handling => "handling",
            FieldState::Whistled => "whistled",
            FieldState::SentBack => "sent-back",
            FieldState::Resolved => "resolved",
            FieldState::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<FieldState> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still someone's work (what the resolution rate counts when overdue).
    pub fn open(self) -> bool {
        !matches!(self, FieldState::Resolved | FieldState::Closed)
    }
}

/// The reporter's answer to the return visit (回访).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Satisfaction {
    Satisfied,
    Basically,
    Dissatisfied,
}

impl Satisfaction {
    pub fn as_str(self) -> &'static str {
        match self {
            Satisfaction::Satisfied => "satisfied",
            Satisfaction::Basically => "basically",
            Satisfaction::Dissatisfied => "dissatisfied",
        }
    }

    pub fn parse(s: &str) -> Option<Satisfaction> {
        [
            Satisfaction::Satisfied,
            Satisfaction::Basically,
            Satisfaction::Dissatisfied,
        ]
        .into_iter()
        .find(|x| x.as_str() == s)
    }

    /// 满意率 counts "satisfied" and "basically satisfied".
    pub fn counts_as_satisfied(self) -> bool {
        !matches!(self, Satisfaction::Dissatisfied)
    }
}

/// A report as the rules need it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Case {
    pub state: FieldState,
    pub level: Level,
    /// The account that made the report.
    pub reporter: i64,
    /// Departments whistled: the lead first; each with whether it acknowledged.
    pub departments: Vec<(i64, bool)>,
    /// Who said it is resolved (checked by someone else).
    pub resolved_by: Option<i64>,
    pub satisfaction: Option<Satisfaction>,
    pub reopened: bool,
}

impl Case {
    /// A new report from a resident (or a grid worker): waiting for the grid's worker.
    pub fn new(reporter: i64) -> Case {
        Case {
            state: FieldState::Waiting,
            level: Level::Grid,
            reporter,
            departments: Vec::new(),
            resolved_by: None,
            satisfaction: None,
            reopened: false,
        }
    }

    /// Something a grid worker fixed on the spot (现场处置): recorded resolved, to be checked.
    pub fn fixed_on_spot(worker: i64) -> Case {
        Case {
            state: FieldState::Resolved,
            resolved_by: Some(worker),
            ..Case::new(worker)
        }
    }

    pub fn lead(&self) -> Option<i64> {
        self.departments.first().map(|d| d.0)
    }
}

/// Who acts, as the caller's standing towards the report (the server works it out from the
/// account, the grid, the organisation scope and the department catalogue).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    pub user_id: i64,
    /// The levels this person handles for this report's place: the grid's worker `Grid`, the
    /// community's staff `Community`, the street's staff `Street` (and those above them).
    pub handles: Vec<Level>,
    /// The department this account belongs to, if any.
    pub department: Option<i64>,
}

impl Standing {
    fn at(&self, level: Level) -> bool {
        self.handles.contains(&level)
    }
}

/// What someone does to a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "action", rename_all = "kebab-case")]
pub enum FieldAction {
    /// The current level's handler (or a whistled department) acknowledges.
    Acknowledge,
    /// Passed to the level above, with why.
    PassUp { reason: String },
    /// The street names a lead department and co-handlers.
    Whistle { lead: i64, co: Vec<i64> },
    /// The lead department sends it back to the street, with why.
    SendBack { reason: String },
    /// The handler says it is solved.
    Resolve { note: String },
    /// The checker finds it not solved: back to its handler.
    Reject { reason: String },
    /// Someone other than the handler checks and closes it.
    Close,
    /// The reporter's answer.
    Rate { satisfaction: Satisfaction },
    /// The reporter reopens it (once), to the community.
    Reopen { reason: String },
}

impl FieldAction {
    pub fn name(&self) -> &'static str {
        match self {
            FieldAction::Acknowledge => "acknowledge",
            FieldAction::PassUp { .. } => "pass-up",
            FieldAction::Whistle { .. } => "whistle",
            FieldAction::SendBack { .. } => "send-back",
            FieldAction::Resolve { .. } => "resolve",
            FieldAction::Reject { .. } => "reject",
            FieldAction::Close => "close",
            FieldAction::Rate { .. } => "rate",
            FieldAction::Reopen { .. } => "reopen",
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum FieldError {
    #[error("not yours to do")]
    NotYours,
    #[error("not possible in this state")]
    State,
    #[error("a reason is needed")]
    Reason,
    #[error("the handler cannot check their own work")]
    OwnWork,
    #[error("a lead department is needed, named once")]
    Departments,
    #[error("already rated")]
    Rated,
    #[error("reopened once already")]
    ReopenedOnce,
}

impl FieldError {
    pub fn key(self) -> &'static str {
        match self {
            FieldError::NotYours => "field.err.not_yours",
            FieldError::State => "field.err.state",
            FieldError::Reason => "field.err.reason",
            FieldError::OwnWork => "field.err.own_work",
            FieldError::Departments => "field.err.departments",
            FieldError::Rated => "field.err.rated",
            FieldError::ReopenedOnce => "field.err.reopened",
        }
    }
}

/// Whether a step changed hands, so its clock starts again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clock {
    /// The same step goes on.
    Keep,
    /// A new step at this level starts now.
    Restart,
    /// No clock runs (resolved, closed).
    Stop,
}

fn reason(r: &str) -> Result<(), FieldError> {
    if r.trim().is_empty() {
        Err(FieldError::Reason)
    } else {
        Ok(())
    }
}

/// The report after `action` by `who`, and what happens to the step's clock; or why not.
pub fn apply(
    case: &Case,
    action: &FieldAction,
    who: &Standing,
) -> Result<(Case, Clock), FieldError> {
    use FieldState as S;
    let mut c = case.clone();
    let handler = who.at(c.level) || (c.level == Level::Department && who.department == c.lead());
    let clock = match action {
        FieldAction::Acknowledge => match (c.state, c.level) {
            // Each department reports (报到) once; a co-handler may do so after the lead has.
            (S::Whistled | S::Handling, Level::Department) if who.department.is_some() => {
                let mine = who
                    .department
                    .and_then(|d| c.departments.iter_mut().find(|x| x.0 == d))
                    .ok_or(FieldError::NotYours)?;
                if mine.1 {
                    return Err(FieldError::State);
                }
                mine.1 = true;
                if c.departments[0].1 {
                    c.state = S::Handling;
                }
                Clock::Keep
            }
            (S::Waiting, _) if handler => {
                c.state = S::Handling;
                Clock::Keep
            }
            (S::Waiting, _) => return Err(FieldError::NotYours),
            _ => return Err(FieldError::State),
        },
        FieldAction::PassUp { reason: r } => {
            if !matches!(c.state, S::Waiting | S::Handling) {
                return Err(FieldError::State);
            }
            if !handler {
                return Err(FieldError::NotYours);
            }
            reason(r)?;
            c.level = c.level.above().ok_or(FieldError::State)?;
            c.state = S::Waiting;
            Clock::Restart
        }
        FieldAction::Whistle { lead, co } => {
            if c.level != Level::Street
                || !matches!(c.state, S::Waiting | S::Handling | S::SentBack)
            {
                return Err(FieldError::State);
            }
            if !who.at(Level::Street) {
                return Err(FieldError::NotYours);
            }
            let mut all = vec![*lead];
            for d in co {
                if all.contains(d) {
                    return Err(FieldError::Departments);
                }
                all.push(*d);
            }
            c.departments = all.into_iter().map(|d| (d, false)).collect();
            c.level = Level::Department;
            c.state = S::Whistled;
            Clock::Restart
        }
        FieldAction::SendBack { reason: r } => {
            if c.level != Level::Department || !matches!(c.state, S::Whistled | S::Handling) {
                return Err(FieldError::State);
            }
            if who.department.is_none() || who.department != c.lead() {
                return Err(FieldError::NotYours);
            }
            reason(r)?;
            c.level = Level::Street;
            c.state = S::SentBack;
            Clock::Restart
        }
        FieldAction::Resolve { .. } => {
            let street_decides = c.state == S::SentBack && who.at(Level::Street);
            let handles_it = matches!(c.state, S::Waiting | S::Handling) && handler;
            if !(handles_it || street_decides) {
                return Err(if c.state.open() {
                    FieldError::NotYours
                } else {
                    FieldError::State
                });
            }
            c.state = S::Resolved;
            c.resolved_by = Some(who.user_id);
            Clock::Stop
        }
        FieldAction::Reject { .. } | FieldAction::Close if c.state != S::Resolved => {
            return Err(FieldError::State);
        }
        FieldAction::Reject { reason: r } => {
            checker(&c, who)?;
            reason(r)?;
            c.state = S::Handling;
            c.resolved_by = None;
            Clock::Keep
        }
        FieldAction::Close => {
            checker(&c, who)?;
            c.state = S::Closed;
            Clock::Stop
        }
        FieldAction::Rate { satisfaction } => {
            if who.user_id != c.reporter {
                return Err(FieldError::NotYours);
            }
            if c.state != S::Closed {
                return Err(FieldError::State);
            }
            if c.satisfaction.is_some() {
                return Err(FieldError::Rated);
            }
            c.satisfaction = Some(*satisfaction);
            Clock::Stop
        }
        FieldAction::Reopen { reason: r } => {
            if who.user_id != c.reporter {
                return Err(FieldError::NotYours);
            }
            if c.state != S::Closed {
                return Err(FieldError::State);
            }
            if c.reopened {
                return Err(FieldError::ReopenedOnce);
            }
            if c.satisfaction
                .is_some_and(Satisfaction::counts_as_satisfied)
            {
                return Err(FieldError::State);
            }
            reason(r)?;
            c.reopened = true;
            c.satisfaction = None;
            c.resolved_by = None;
            c.state = S::Waiting;
            c.level = Level::Community;
            Clock::Restart
        }
    };
    Ok((c, clock))
}

/// The actions `who` may take on `case` now (by `FieldAction::name`), for the buttons a page
/// offers: each tried through `apply` with stand-in reasons, so the page and the server share the
/// one rule. A whistle is offered when the street may whistle at all (the departments are chosen
/// in the form).
pub fn possible(case: &Case, who: &Standing) -> Vec<&'static str> {
    let why = || "-".to_owned();
    [
        FieldAction::Acknowledge,
        FieldAction::PassUp { reason: why() },
        FieldAction::Whistle {
            lead: 0,
            co: Vec::new(),
        },
        FieldAction::SendBack { reason: why() },
        FieldAction::Resolve { note: why() },
        FieldAction::Reject { reason: why() },
        FieldAction::Close,
        FieldAction::Rate {
            satisfaction: Satisfaction::Satisfied,
        },
        FieldAction::Reopen { reason: why() },
    ]
    .into_iter()
    .filter(|a| apply(case, a, who).is_ok())
    .map(|a| a.name())
    .collect()
}

/// Who may check a resolution: staff of a level above the one it was resolved at (the community
/// checks the grid, the street checks the community and the departments), never its handler.
fn checker(c: &Case, who: &Standing) -> Result<(), FieldError> {
    if c.resolved_by == Some(who.user_id) {
        return Err(FieldError::OwnWork);
    }
    let ok = match c.level {
        Level::Grid => who.at(Level::Community) || who.at(Level::Street),
        Level::Community | Level::Department => who.at(Level::Street),
        Level::Street => who.at(Level::Street),
    };
    if ok {
        Ok(())
    } else {
        Err(FieldError::NotYours)
    }
}

/// A street's code has this many digits (GB/T 2260 district, then the street's three); a
/// community's has three more. Grid codes continue below their community's.
pub const STREET_DIGITS: usize = 9;
pub const COMMUNITY_DIGITS: usize = 12;

/// The levels `p` handles for a report placed in `grid` (none for a report outside every grid
/// but the district-wide ones): a grid worker the grids of their scope; an organiser of a
/// community (or deeper) the community level, of a street (or above) the street level, within
/// their scope; administrators every level but the departments'.
pub fn levels_handled(p: &crate::Principal, grid: Option<&crate::Code>) -> Vec<Level> {
    use crate::Role;
    if p.is_admin() {
        return vec![Level::Grid, Level::Community, Level::Street];
    }
    let (Some(scope), Some(grid)) = (p.scope.as_ref(), grid) else {
        return Vec::new();
    };
    if !grid.is_within(scope) {
        return Vec::new();
    }
    match p.role {
        Role::GridWorker => vec![Level::Grid],
        Role::Organiser if scope.as_str().len() >= COMMUNITY_DIGITS => vec![Level::Community],
        Role::Organiser if scope.as_str().len() <= STREET_DIGITS => vec![Level::Street],
        _ => Vec::new(),
    }
}

/// What the clock does on its own to a step past its limits at `now`: a grid or community step
/// nobody acknowledged in time goes up a level; anything else late is only flagged (the rates
/// count it).
pub fn auto_escalation(case: &Case, late: clock::Lateness) -> Option<Level> {
    if case.state == FieldState::Waiting && late.acknowledge {
        return case.level.above();
    }
    None
}

#[cfg(test)]
mod tests;
