//! 双报到 rows: reports of party members and resident units to a community, the organiser's
//! decision, the roster, and what a resident unit's contact sees of its own members. Decided by
//! `domain::service::report`; accepting a unit that offers something lists it as a resource of the
//! community in the same transaction.

use crate::{Db, Result, StoreError};
use domain::service::report::{self, ReportAction, ReportDraft, ReportKind, ReportState};
use domain::service::{Actor, ServiceError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Report {
    pub id: i64,
    pub kind: String,
    pub user_id: i64,
    /// The reporting account's display name.
    pub person: String,
    pub unit_id: i64,
    pub community_code: String,
    pub community_name: String,
    pub org_name: String,
    pub unit_name: String,
    pub contact: String,
    pub phone: String,
    pub offers: String,
    pub grid_code: Option<String>,
    pub member_of: Option<i64>,
    /// The party organisation of the resident unit named in `member_of`.
    pub member_of_name: Option<String>,
    pub state: String,
    pub reason: String,
    pub version: i64,
    pub created_at: i64,
}

const REPORT: &str = "SELECT r.id, r.kind, r.user_id, usr.display_name AS person, r.unit_id, u.code AS community_code, \
    u.name AS community_name, r.org_name, r.unit_name, r.contact, r.phone, r.offers, r.grid_code, r.member_of, \
    m.org_name AS member_of_name, r.state, r.reason, r.version, r.created_at FROM service_report r \
    JOIN app_user usr ON usr.id = r.user_id JOIN org_unit u ON u.id = r.unit_id \
    LEFT JOIN service_report m ON m.id = r.member_of";

impl Db {
    /// Files a report to the community `unit_id`. A second standing report of the same account
    /// there is `Duplicate`; `member_of` must be an accepted unit report of that community.
    #[allow(clippy::too_many_arguments)]
    pub async fn report_in(
        &self,
        unit_id: i64,
        user_id: i64,
        d: &ReportDraft,
        grid_code: Option<&str>,
        member_of: Option<i64>,
        actor: &str,
        now: i64,
    ) -> Result<i64> {
        if let Some(m) = member_of {
            let ok: Option<i64> = sqlx::query_scalar(
                "SELECT id FROM service_report WHERE id = $1 AND unit_id = $2 AND kind = 'unit' AND state = 'accepted'",
            )
            .bind(m)
            .bind(unit_id)
            .fetch_optional(self.pool())
            .await?;
            if ok.is_none() {
                return Err(StoreError::Invalid("service.err.member_of".into()));
            }
        }
        sqlx::query_scalar(
            "INSERT INTO service_report (kind, user_id, unit_id, org_name, unit_name, contact, phone, offers, grid_code, member_of, state, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, 'pending', $11, $11, $12) RETURNING id",
        )
        .bind(d.kind.as_str())
        .bind(user_id)
        .bind(unit_id)
        .bind(&d.org_name)
        .bind(&d.unit_name)
        .bind(&d.contact)
        .bind(&d.phone)
        .bind(&d.offers)
        .bind(grid_code)
        .bind(member_of)
        .bind(now)
        .bind(actor)
        .fetch_one(self.writes())
        .await
        .map_err(StoreError::from_insert)
    }

    pub async fn report(&self, id: i64) -> Result<Report> {
        sqlx::query_as(&format!("{REPORT} WHERE r.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Reports to communities under `unit_prefix` in one of `states` (all when empty), oldest first.
    pub async fn reports(&self, unit_prefix: &str, states: &[ReportState]) -> Result<Vec<Report>> {
        let states = if states.is_empty() {
            ReportState::ALL.to_vec()
        } else {
            states.to_vec()
        };
        Ok(sqlx::query_as(&format!(
            "{REPORT} WHERE u.code LIKE $1 AND r.state IN ({}) ORDER BY r.kind, r.grid_code, r.id LIMIT 2000",
            crate::services::in_list(states.iter().map(|s| s.as_str()))
        ))
        .bind(crate::services::under(unit_prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// The accepted members of communities under `unit_prefix`, each with the unit party
    /// organisation they work in (the resident unit they named, else what they wrote) and the
    /// minutes they served in their community in `[from, to)`: what a unit's completion counts.
    pub async fn member_units(
        &self,
        unit_prefix: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT COALESCE(m.org_name, r.org_name), CAST(COALESCE(SUM(h.minutes), 0) AS BIGINT) FROM service_report r \
             JOIN org_unit u ON u.id = r.unit_id LEFT JOIN service_report m ON m.id = r.member_of \
             LEFT JOIN service_hours h ON h.user_id = r.user_id AND h.unit_id = r.unit_id AND h.served_on >= $2 AND h.served_on < $3 \
             WHERE r.kind = 'member' AND r.state = 'accepted' AND u.code LIKE $1 \
             GROUP BY r.id, m.org_name, r.org_name",
        )
        .bind(crate::services::under(unit_prefix))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }

    /// A person's reports, newest first.
    pub async fn reports_of(&self, user_id: i64) -> Result<Vec<Report>> {
        Ok(
            sqlx::query_as(&format!("{REPORT} WHERE r.user_id = $1 ORDER BY r.id DESC"))
                .bind(user_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    /// Decides or withdraws a report still at `version`. Accepting a unit that offers something
    /// lists the offer as a resource of the community, in the same transaction.
    pub async fn report_action(
        &self,
        id: i64,
        version: i64,
        actor: Actor,
        action: &ReportAction,
        actor_name: &str,
        now: i64,
    ) -> Result<Result<ReportState, ServiceError>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String, i64, String, i64, String, String, String)> = sqlx::query_as(&format!(
            "SELECT state, version, kind, unit_id, org_name, unit_name, offers FROM service_report WHERE id = $1{}",
            self.for_update()
        ))
        .bind(id)
        .fetch_optional(&mut *tx)
        .await?;
        let (state, current, kind, unit_id, org_name, unit_name, offers) =
            row.ok_or(StoreError::NotFound)?;
        if current != version {
            return Err(StoreError::Conflict(current));
        }
        let from = ReportState::parse(&state).ok_or_else(|| StoreError::Other(state.clone()))?;
        let to = match report::transition(from, action, actor) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let reason = match action {
            ReportAction::Decline { reason } => reason.trim(),
            _ => "",
        };
        sqlx::query(
            "UPDATE service_report SET state = $1, reason = $2, updated_at = $3, updated_by = $4, version = version + 1 WHERE id = $5",
        )
        .bind(to.as_str())
        .bind(reason)
        .bind(now)
        .bind(actor_name)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        if to == ReportState::Accepted
            && ReportKind::parse(&kind) == Some(ReportKind::Unit)
            && !offers.is_empty()
        {
            let title: String = format!("{unit_name}：{}", offers.lines().next().unwrap_or(""))
                .chars()
                .take(domain::service::MAX_TITLE)
                .collect();
            sqlx::query(
                "INSERT INTO service_listing (kind, unit_id, title, description, category, amount, measure, status, created_at, created_by) \
                 VALUES ('resource', $1, $2, $3, 'other', 1, 'people', 'open', $4, $5)",
            )
            .bind(unit_id)
            .bind(&title)
            .bind(format!("{org_name}\n{offers}"))
            .bind(now)
            .bind(actor_name)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(to))
    }

    /// The members who named the resident unit `unit_report` as their workplace and were
    /// accepted, with the minutes they served in that community in `[from, to)`: the unit
    /// contact's view (annual 评议).
    pub async fn unit_members(
        &self,
        unit_report: i64,
        from: &str,
        to: &str,
    ) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT usr.display_name, CAST(COALESCE(SUM(h.minutes), 0) AS BIGINT) FROM service_report r \
             JOIN app_user usr ON usr.id = r.user_id \
             LEFT JOIN service_hours h ON h.user_id = r.user_id AND h.unit_id = r.unit_id AND h.served_on >= $2 AND h.served_on < $3 \
             WHERE r.member_of = $1 AND r.state = 'accepted' GROUP BY r.user_id, usr.display_name ORDER BY usr.display_name",
        )
        .bind(unit_report)
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }
}
