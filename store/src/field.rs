//! Field reports (issue 21) in the database: the category catalogue with its limits, departments
//! and their accounts, reports filed once per idempotency key (a retried upload from a phone that
//! lost signal files nothing twice), and every transition `domain::field::apply` allows, written
//! with the row locked, the steps' clocks and an event row (who, when, what, why) in one
//! transaction. The clock's own escalation (`escalate_overdue`) runs the same way.

use crate::{Db, Result, StoreError};
use domain::field::clock::{Limits, WorkCalendar};
use domain::field::{self, Case, Clock, FieldAction, FieldError, FieldState, Level, Standing};
use serde::{Deserialize, Serialize};

/// A category of the catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Category {
    pub id: i64,
    pub name: String,
    pub limits: Limits,
    pub active: bool,
}

/// What a new report says.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NewReport {
    /// Made on the device, once per report: a retry sends the same key.
    pub key: String,
    pub category_id: i64,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub grid_id: Option<i64>,
    pub reporter_id: i64,
    /// When it was made on the device (unix seconds): the clocks start here.
    pub made_at: i64,
    /// Recorded by a grid worker as fixed on the spot (现场处置).
    pub fixed_on_spot: bool,
}

/// A report as stored.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub category_id: i64,
    pub category: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub grid_code: Option<String>,
    pub reporter_id: i64,
    pub made_at: i64,
    pub received_at: i64,
    pub state: String,
    pub level: String,
    pub departments: String,
    pub resolved_by: Option<i64>,
    pub satisfaction: Option<String>,
    pub reopened: i64,
    pub closed_at: Option<i64>,
    pub version: i64,
}

const REPORT: &str =
    "SELECT r.id, r.category_id, c.name AS category, r.description, r.lon, r.lat, \
    g.code AS grid_code, r.reporter_id, r.made_at, r.received_at, r.state, r.level, r.departments, \
    r.resolved_by, r.satisfaction, r.reopened, r.closed_at, r.version FROM field_report r \
    JOIN field_category c ON c.id = r.category_id LEFT JOIN grid g ON g.id = r.grid_id";

/// A report's stay at a level, with its clock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Step {
    pub id: i64,
    pub level: String,
    pub started_at: i64,
    pub acknowledge_by: i64,
    pub resolve_by: i64,
    pub acknowledged_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

/// One transition of a report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Event {
    pub at: i64,
    pub actor_id: Option<i64>,
    pub action: String,
    pub detail: String,
    pub state: String,
    pub level: String,
}

impl Report {
    /// The report as the rules see it.
    pub fn case(&self) -> Result<Case> {
        let bad = |what: &str| StoreError::Other(format!("field report {}: bad {what}", self.id));
        Ok(Case {
            state: FieldState::parse(&self.state).ok_or_else(|| bad("state"))?,
            level: Level::parse(&self.level).ok_or_else(|| bad("level"))?,
            reporter: self.reporter_id,
            departments: serde_json::from_str(&self.departments).map_err(|_| bad("departments"))?,
            resolved_by: self.resolved_by,
            satisfaction: self
                .satisfaction
                .as_deref()
                .map(|s| field::Satisfaction::parse(s).ok_or_else(|| bad("satisfaction")))
                .transpose()?,
            reopened: self.reopened != 0,
        })
    }
}

fn limits_of(ack: &str, resolve: &str) -> Result<Limits> {
    let read =
        |s: &str| serde_json::from_str(s).map_err(|e| StoreError::Other(format!("limits: {e}")));
    Ok(Limits {
        acknowledge: read(ack)?,
        resolve: read(resolve)?,
    })
}

impl Db {
    /// Adds a category (or changes the limits of the one of that name).
    pub async fn put_field_category(&self, name: &str, limits: Limits, sort: i64) -> Result<i64> {
        let json = |s| serde_json::to_string(&s).map_err(|e| StoreError::Other(e.to_string()));
        Ok(sqlx::query_scalar(
            "INSERT INTO field_category (name, acknowledge, resolve, sort) VALUES ($1, $2, $3, $4) \
             ON CONFLICT (name) DO UPDATE SET acknowledge = excluded.acknowledge, resolve = excluded.resolve, \
             sort = excluded.sort, active = 1 RETURNING id",
        )
        .bind(name)
        .bind(json(limits.acknowledge)?)
        .bind(json(limits.resolve)?)
        .bind(sort)
        .fetch_one(self.writes())
        .await?)
    }

    pub async fn field_categories(&self) -> Result<Vec<Category>> {
        let rows: Vec<(i64, String, String, String, i64)> = sqlx::query_as(
            "SELECT id, name, acknowledge, resolve, active FROM field_category ORDER BY sort, id",
        )
        .fetch_all(self.pool())
        .await?;
        rows.into_iter()
            .map(|(id, name, a, r, active)| {
                Ok(Category {
                    id,
                    name,
                    limits: limits_of(&a, &r)?,
                    active: active != 0,
                })
            })
            .collect()
    }

    pub async fn add_department(&self, name: &str) -> Result<i64> {
        sqlx::query_scalar("INSERT INTO department (name) VALUES ($1) RETURNING id")
            .bind(name)
            .fetch_one(self.writes())
            .await
            .map_err(StoreError::from_insert)
    }

    /// The department catalogue (id, name), by name.
    pub async fn departments(&self) -> Result<Vec<(i64, String)>> {
        Ok(
            sqlx::query_as("SELECT id, name FROM department ORDER BY name")
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn department_id(&self, name: &str) -> Result<Option<i64>> {
        Ok(
            sqlx::query_scalar("SELECT id FROM department WHERE name = $1")
                .bind(name)
                .fetch_optional(self.pool())
                .await?,
        )
    }

    pub async fn add_department_member(&self, department: i64, user_id: i64) -> Result<()> {
        sqlx::query("INSERT INTO department_member (department_id, user_id) VALUES ($1, $2)")
            .bind(department)
            .bind(user_id)
            .execute(self.writes())
            .await
            .map_err(StoreError::from_insert)?;
        Ok(())
    }

    /// The name of the department an account acts for, if any (one read, for `whoami`).
    pub async fn department_name_of(&self, user_id: i64) -> Result<Option<String>> {
        Ok(sqlx::query_scalar(
            "SELECT d.name FROM department_member m JOIN department d ON d.id = m.department_id \
             WHERE m.user_id = $1 ORDER BY m.department_id LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Each department's accounts (department name, username), by department.
    pub async fn department_members(&self) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT d.name, u.username FROM department_member m JOIN department d ON d.id = m.department_id \
             JOIN app_user u ON u.id = m.user_id ORDER BY d.name, u.username",
        )
        .fetch_all(self.pool())
        .await?)
    }

    /// The department an account acts for, if any.
    pub async fn department_of(&self, user_id: i64) -> Result<Option<i64>> {
        Ok(sqlx::query_scalar(
            "SELECT department_id FROM department_member WHERE user_id = $1 ORDER BY department_id LIMIT 1",
        )
        .bind(user_id)
        .fetch_optional(self.pool())
        .await?)
    }

    /// Files a report, or finds the one already filed under its key (`(id, false)`): a retry
    /// files nothing twice. The same key from another account is `Duplicate`. The first step's
    /// clock starts when the report was made on the device.
    pub async fn file_field_report(
        &self,
        r: &NewReport,
        cal: &WorkCalendar,
        received_at: i64,
    ) -> Result<(i64, bool)> {
        let mut tx = self.begin_write().await?;
        let filed = self.file_in(&mut tx, r, cal, received_at).await?;
        tx.commit().await?;
        Ok(filed)
    }

    /// `file_field_report` inside `tx` (the demo files a year in one transaction).
    pub(crate) async fn file_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        r: &NewReport,
        cal: &WorkCalendar,
        received_at: i64,
    ) -> Result<(i64, bool)> {
        let existing: Option<(i64, i64)> =
            sqlx::query_as("SELECT id, reporter_id FROM field_report WHERE idempotency_key = $1")
                .bind(&r.key)
                .fetch_optional(&mut **tx)
                .await?;
        if let Some((id, reporter)) = existing {
            return if reporter == r.reporter_id {
                Ok((id, false))
            } else {
                Err(StoreError::Duplicate)
            };
        }
        let (a, res): (String, String) = sqlx::query_as(
            "SELECT acknowledge, resolve FROM field_category WHERE id = $1 AND active = 1",
        )
        .bind(r.category_id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)?;
        let due = limits_of(&a, &res)?.due(r.made_at, cal);
        let case = if r.fixed_on_spot {
            Case::fixed_on_spot(r.reporter_id)
        } else {
            Case::new(r.reporter_id)
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO field_report (idempotency_key, category_id, description, lon, lat, grid_id, reporter_id, \
             made_at, received_at, state, level, resolved_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING id",
        )
        .bind(&r.key)
        .bind(r.category_id)
        .bind(&r.description)
        .bind(r.lon)
        .bind(r.lat)
        .bind(r.grid_id)
        .bind(r.reporter_id)
        .bind(r.made_at)
        .bind(received_at)
        .bind(case.state.as_str())
        .bind(case.level.as_str())
        .bind(case.resolved_by)
        .fetch_one(&mut **tx)
        .await
        .map_err(StoreError::from_insert)?;
        let resolved = r.fixed_on_spot.then_some(r.made_at);
        sqlx::query(
            "INSERT INTO field_step (report_id, level, started_at, acknowledge_by, resolve_by, acknowledged_at, resolved_at) \
             VALUES ($1, 'grid', $2, $3, $4, $5, $5)",
        )
        .bind(id)
        .bind(due.started_at)
        .bind(due.acknowledge_by)
        .bind(due.resolve_by)
        .bind(resolved)
        .execute(&mut **tx)
        .await?;
        event(
            tx,
            id,
            r.made_at,
            Some(r.reporter_id),
            if r.fixed_on_spot {
                "fixed-on-spot"
            } else {
                "report"
            },
            "",
            &case,
        )
        .await?;
        Ok((id, true))
    }

    pub async fn field_report(&self, id: i64) -> Result<Report> {
        sqlx::query_as(&format!("{REPORT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The reports `user_id` made, those in grids under `scope` (all with `Some("")`), and those
    /// whistled to `department`; newest first, at most `limit`.
    pub async fn field_reports_for(
        &self,
        user_id: i64,
        scope: Option<&str>,
        department: Option<i64>,
        limit: i64,
    ) -> Result<Vec<Report>> {
        Ok(sqlx::query_as(&format!(
            "{REPORT} WHERE r.reporter_id = $1 OR ($2 <> '-' AND g.code LIKE $3) OR ($2 = '' AND $3 = '%') \
             OR ($4 > 0 AND r.departments LIKE $5) ORDER BY r.id DESC LIMIT $6"
        ))
        .bind(user_id)
        .bind(scope.unwrap_or("-"))
        .bind(crate::services::under(scope.unwrap_or("-")))
        .bind(department.unwrap_or(0))
        .bind(format!("%[{},%", department.unwrap_or(0)))
        .bind(limit)
        .fetch_all(self.pool())
        .await?)
    }

    /// The names of the accounts that acted on report `id`.
    pub async fn field_actor_names(&self, id: i64) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT DISTINCT u.id, u.display_name FROM field_event e JOIN app_user u ON u.id = e.actor_id WHERE e.report_id = $1",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn field_steps(&self, id: i64) -> Result<Vec<Step>> {
        Ok(sqlx::query_as(
            "SELECT id, level, started_at, acknowledge_by, resolve_by, acknowledged_at, resolved_at \
             FROM field_step WHERE report_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn field_events(&self, id: i64) -> Result<Vec<Event>> {
        Ok(sqlx::query_as(
            "SELECT at, actor_id, action, detail, state, level FROM field_event WHERE report_id = $1 ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Report `id`, its row locked for the rest of `tx`.
    async fn locked_report(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
    ) -> Result<Report> {
        sqlx::query_as(&format!(
            "{REPORT} WHERE r.id = $1{}",
            self.for_update_of("r")
        ))
        .bind(id)
        .fetch_optional(&mut **tx)
        .await?
        .ok_or(StoreError::NotFound)
    }

    /// Applies `action` by `who` to report `id` if it is still at `version`: the rules' answer
    /// (`Err(FieldError)`) changes nothing; a stale version is `Conflict`. A new step's clock
    /// starts at `now` with the category's limits.
    ///
    /// With a request `key` (an action made on a phone, maybe sent twice), an action already done
    /// under that key is not done again: the answer is the report's state as it stands.
    #[allow(clippy::too_many_arguments)]
    pub async fn field_act(
        &self,
        id: i64,
        version: i64,
        action: &FieldAction,
        who: &Standing,
        cal: &WorkCalendar,
        now: i64,
        key: Option<&str>,
    ) -> Result<std::result::Result<FieldState, FieldError>> {
        let mut tx = self.begin_write().await?;
        if let Some(key) = key {
            if !Db::claim_key(&mut tx, who.user_id, key, now).await? {
                let row = self.locked_report(&mut tx, id).await?;
                return Ok(Ok(row.case()?.state));
            }
        }
        let done = self
            .act_in(&mut tx, id, Some(version), action, who, cal, now)
            .await?;
        if done.is_ok() {
            tx.commit().await?;
        }
        Ok(done)
    }

    /// `field_act` inside `tx`; `version: None` acts on whatever version is stored (the demo's
    /// replay).
    #[allow(clippy::too_many_arguments)]
    pub(crate) async fn act_in(
        &self,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
        id: i64,
        version: Option<i64>,
        action: &FieldAction,
        who: &Standing,
        cal: &WorkCalendar,
        now: i64,
    ) -> Result<std::result::Result<FieldState, FieldError>> {
        let row = self.locked_report(tx, id).await?;
        if version.is_some_and(|v| v != row.version) {
            return Err(StoreError::Conflict(row.version));
        }
        let before = row.case()?;
        let (after, clock) = match field::apply(&before, action, who) {
            Ok(x) => x,
            Err(e) => return Ok(Err(e)),
        };
        write_transition(
            tx,
            &row,
            &before,
            &after,
            clock,
            action,
            Some(who.user_id),
            cal,
            now,
        )
        .await?;
        Ok(Ok(after.state))
    }

    /// The clock's own escalation at `now`: reports waiting at the grid or the community past
    /// their acknowledgement limit go up a level (recorded as `auto-pass-up`, by nobody).
    /// Returns how many moved.
    pub async fn escalate_overdue(&self, cal: &WorkCalendar, now: i64) -> Result<usize> {
        let due: Vec<i64> = sqlx::query_scalar(
            "SELECT r.id FROM field_report r JOIN field_step s ON s.report_id = r.id \
             WHERE r.state = 'waiting' AND r.level IN ('grid', 'community') AND s.acknowledged_at IS NULL \
             AND s.acknowledge_by < $1 AND s.id = (SELECT MAX(id) FROM field_step WHERE report_id = r.id)",
        )
        .bind(now)
        .fetch_all(self.pool())
        .await?;
        let mut moved = 0;
        for id in due {
            let mut tx = self.begin_write().await?;
            let row = self.locked_report(&mut tx, id).await?;
            let before = row.case()?;
            // Read the current step again under the lock: someone may have acknowledged it, or
            // another server's clock moved it up a moment ago (its new step is not late).
            let (acknowledged, acknowledge_by): (Option<i64>, i64) = sqlx::query_as(
                "SELECT acknowledged_at, acknowledge_by FROM field_step WHERE report_id = $1 ORDER BY id DESC LIMIT 1",
            )
            .bind(id)
            .fetch_one(&mut *tx)
            .await?;
            let late = domain::field::clock::Lateness {
                acknowledge: acknowledged.is_none() && acknowledge_by < now,
                resolve: false,
            };
            let Some(up) = field::auto_escalation(&before, late) else {
                continue;
            };
            let after = Case {
                level: up,
                ..before.clone()
            };
            let action = FieldAction::PassUp {
                reason: "auto".into(),
            };
            write_transition(
                &mut tx,
                &row,
                &before,
                &after,
                Clock::Restart,
                &action,
                None,
                cal,
                now,
            )
            .await?;
            tx.commit().await?;
            moved += 1;
        }
        Ok(moved)
    }
}

/// Writes a transition: the report row (version + 1), the steps' clocks and the event.
#[allow(clippy::too_many_arguments)]
async fn write_transition(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    row: &Report,
    before: &Case,
    after: &Case,
    clock: Clock,
    action: &FieldAction,
    actor: Option<i64>,
    cal: &WorkCalendar,
    now: i64,
) -> Result<()> {
    let departments =
        serde_json::to_string(&after.departments).map_err(|e| StoreError::Other(e.to_string()))?;
    // Closed when it first reaches `Closed`; a rating keeps the time, a reopening clears it.
    let closed_at = match (before.state, after.state) {
        (FieldState::Closed, FieldState::Closed) => row.closed_at,
        (_, FieldState::Closed) => Some(now),
        _ => None,
    };
    sqlx::query(
        "UPDATE field_report SET state = $1, level = $2, departments = $3, resolved_by = $4, satisfaction = $5, \
         reopened = $6, closed_at = $7, version = version + 1 WHERE id = $8",
    )
    .bind(after.state.as_str())
    .bind(after.level.as_str())
    .bind(departments)
    .bind(after.resolved_by)
    .bind(after.satisfaction.map(|s| s.as_str()))
    .bind(after.reopened as i64)
    .bind(closed_at)
    .bind(row.id)
    .execute(&mut **tx)
    .await?;
    let step: i64 = sqlx::query_scalar("SELECT MAX(id) FROM field_step WHERE report_id = $1")
        .bind(row.id)
        .fetch_one(&mut **tx)
        .await?;
    // A handler acting on the step answers it; the clock's own pass-up does not.
    let answered = actor.is_some()
        && matches!(
            action,
            FieldAction::Acknowledge
                | FieldAction::PassUp { .. }
                | FieldAction::Whistle { .. }
                | FieldAction::SendBack { .. }
                | FieldAction::Resolve { .. }
        )
        && (before.state != FieldState::Whistled || after.state == FieldState::Handling);
    if answered {
        sqlx::query(
            "UPDATE field_step SET acknowledged_at = $1 WHERE id = $2 AND acknowledged_at IS NULL",
        )
        .bind(now)
        .bind(step)
        .execute(&mut **tx)
        .await?;
    }
    if matches!(action, FieldAction::Resolve { .. }) {
        sqlx::query("UPDATE field_step SET resolved_at = $1 WHERE id = $2")
            .bind(now)
            .bind(step)
            .execute(&mut **tx)
            .await?;
    }
    if matches!(action, FieldAction::Reject { .. }) {
        sqlx::query("UPDATE field_step SET resolved_at = NULL WHERE id = $1")
            .bind(step)
            .execute(&mut **tx)
            .await?;
    }
    if clock == Clock::Restart {
        let limits: (String, String) =
            sqlx::query_as("SELECT acknowledge, resolve FROM field_category WHERE id = $1")
                .bind(row.category_id)
                .fetch_one(&mut **tx)
                .await?;
        let due = limits_of(&limits.0, &limits.1)?.due(now, cal);
        sqlx::query(
            "INSERT INTO field_step (report_id, level, started_at, acknowledge_by, resolve_by) VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(row.id)
        .bind(after.level.as_str())
        .bind(due.started_at)
        .bind(due.acknowledge_by)
        .bind(due.resolve_by)
        .execute(&mut **tx)
        .await?;
    }
    let detail = match action {
        FieldAction::PassUp { reason }
        | FieldAction::SendBack { reason }
        | FieldAction::Reject { reason }
        | FieldAction::Reopen { reason } => reason.clone(),
        FieldAction::Resolve { note } => note.clone(),
        FieldAction::Whistle { lead, co } => format!("lead {lead}; co {co:?}"),
        FieldAction::Rate { satisfaction } => satisfaction.as_str().to_owned(),
        FieldAction::Acknowledge | FieldAction::Close => String::new(),
    };
    let name = if actor.is_none() {
        "auto-pass-up"
    } else {
        action.name()
    };
    event(tx, row.id, now, actor, name, &detail, after).await
}

async fn event(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    report: i64,
    at: i64,
    actor: Option<i64>,
    action: &str,
    detail: &str,
    case: &Case,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO field_event (report_id, at, actor_id, action, detail, state, level) VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(report)
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(detail)
    .bind(case.state.as_str())
    .bind(case.level.as_str())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// A report as the rates need it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RateReport {
    pub id: i64,
    pub grid_code: Option<String>,
    pub category: String,
    pub state: String,
    pub satisfaction: Option<String>,
    pub made_at: i64,
    pub closed_at: Option<i64>,
    /// JSON `[[department, acknowledged], …]`, the lead first.
    pub departments: String,
}

/// A step as the rates need it.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct RateStep {
    pub report_id: i64,
    pub level: String,
    pub started_at: i64,
    pub acknowledge_by: i64,
    pub resolve_by: i64,
    pub acknowledged_at: Option<i64>,
    pub resolved_at: Option<i64>,
}

/// What the rates of a period read: the reports made in `[from, to)` in grids under `prefix`
/// (all, with those outside every grid, for `""`), their steps in order, and when each
/// whistled department first reported (report, department, time).
pub struct RateRows {
    pub reports: Vec<RateReport>,
    pub steps: Vec<RateStep>,
    pub department_acks: Vec<(i64, i64, i64)>,
}

impl Db {
    pub async fn field_rate_rows(&self, from: i64, to: i64, prefix: &str) -> Result<RateRows> {
        let place = "($3 = '' OR g.code LIKE $4)";
        let like = crate::services::under(prefix);
        let reports = sqlx::query_as(&format!(
            "SELECT r.id, g.code AS grid_code, c.name AS category, r.state, r.satisfaction, r.made_at, r.closed_at, \
             r.departments FROM field_report r JOIN field_category c ON c.id = r.category_id \
             LEFT JOIN grid g ON g.id = r.grid_id WHERE r.made_at >= $1 AND r.made_at < $2 AND {place} ORDER BY r.id"
        ))
        .bind(from)
        .bind(to)
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        let steps = sqlx::query_as(&format!(
            "SELECT s.report_id, s.level, s.started_at, s.acknowledge_by, s.resolve_by, s.acknowledged_at, s.resolved_at \
             FROM field_step s JOIN field_report r ON r.id = s.report_id LEFT JOIN grid g ON g.id = r.grid_id \
             WHERE r.made_at >= $1 AND r.made_at < $2 AND {place} ORDER BY s.id"
        ))
        .bind(from)
        .bind(to)
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        let department_acks = sqlx::query_as(&format!(
            "SELECT e.report_id, m.department_id, MIN(e.at) FROM field_event e \
             JOIN department_member m ON m.user_id = e.actor_id JOIN field_report r ON r.id = e.report_id \
             LEFT JOIN grid g ON g.id = r.grid_id \
             WHERE e.action = 'acknowledge' AND e.level = 'department' AND r.made_at >= $1 AND r.made_at < $2 AND {place} \
             GROUP BY e.report_id, m.department_id"
        ))
        .bind(from)
        .bind(to)
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        Ok(RateRows {
            reports,
            steps,
            department_acks,
        })
    }

    /// Grid codes and names under `prefix` (all with `""`), for naming rows.
    pub async fn grid_names(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT code, name FROM grid WHERE $1 = '' OR code LIKE $2 ORDER BY code",
        )
        .bind(prefix)
        .bind(crate::services::under(prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// Reports per grid (code, category, count) made in `[from, to)`: the map's hot spots.
    pub async fn field_counts(&self, from: i64, to: i64) -> Result<Vec<(String, String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT g.code, c.name, COUNT(*) FROM field_report r JOIN grid g ON g.id = r.grid_id \
             JOIN field_category c ON c.id = r.category_id WHERE r.made_at >= $1 AND r.made_at < $2 \
             GROUP BY g.code, c.name ORDER BY g.code, c.name",
        )
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }
}

/// A report as Open311 shows it (no reporter, no photos).
#[derive(Debug, Clone, PartialEq, sqlx::FromRow)]
pub struct PublicReport {
    pub id: i64,
    pub category_id: i64,
    pub category: String,
    pub description: String,
    pub lon: f64,
    pub lat: f64,
    pub grid_code: Option<String>,
    pub state: String,
    pub level: String,
    pub departments: String,
    pub made_at: i64,
    /// The last transition's time.
    pub updated_at: i64,
    /// The current step's resolve-by time.
    pub resolve_by: Option<i64>,
}

/// Which reports Open311 lists.
#[derive(Debug, Clone, Default)]
pub struct PublicFilter {
    pub ids: Option<Vec<i64>>,
    pub category: Option<i64>,
    /// Made at or after / before (unix seconds).
    pub from: Option<i64>,
    pub to: Option<i64>,
    /// Open (`true`) or closed (`false`) only.
    pub open: Option<bool>,
    pub limit: i64,
}

impl Db {
    /// Reports as Open311 lists them, newest first.
    pub async fn field_public(&self, f: &PublicFilter) -> Result<Vec<PublicReport>> {
        let ids = f.ids.as_ref().map(|ids| {
            ids.iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",")
        });
        let mut sql = String::from(
            "SELECT r.id, r.category_id, c.name AS category, r.description, r.lon, r.lat, g.code AS grid_code, \
             r.state, r.level, r.departments, r.made_at, \
             (SELECT MAX(e.at) FROM field_event e WHERE e.report_id = r.id) AS updated_at, \
             (SELECT s.resolve_by FROM field_step s WHERE s.report_id = r.id ORDER BY s.id DESC LIMIT 1) AS resolve_by \
             FROM field_report r JOIN field_category c ON c.id = r.category_id LEFT JOIN grid g ON g.id = r.grid_id \
             WHERE ($1 < 0 OR r.category_id = $1) AND ($2 < 0 OR r.made_at >= $2) AND ($3 < 0 OR r.made_at < $3)",
        );
        // The ids are numbers we formatted: safe to write into the statement.
        if let Some(ids) = &ids {
            sql.push_str(&format!(
                " AND r.id IN ({})",
                if ids.is_empty() { "0" } else { ids }
            ));
        }
        match f.open {
            Some(true) => sql.push_str(" AND r.state <> 'closed' AND r.state <> 'resolved'"),
            Some(false) => sql.push_str(" AND (r.state = 'closed' OR r.state = 'resolved')"),
            None => {}
        }
        sql.push_str(" ORDER BY r.id DESC LIMIT $4");
        Ok(sqlx::query_as(&sql)
            .bind(f.category.unwrap_or(-1))
            .bind(f.from.unwrap_or(-1))
            .bind(f.to.unwrap_or(-1))
            .bind(f.limit)
            .fetch_all(self.pool())
            .await?)
    }
}
