//! A person's own data (PIPL): everything Linli holds about an account, for download, and erasing
//! an account. Erasing frees the person's places in upcoming occurrences (promoting whoever waits,
//! in the same transaction), ends sessions and the private feed, and anonymises the account row;
//! past answers stay for the participation statistics, attached to the anonymised row, and so do
//! service hours and done claims; open claims and unclaimed wishes are withdrawn. The audit
//! log is append-only and keeps its entries (a security record kept at least six months).

use crate::audit::AuditEntry;
use crate::users::User;
use crate::{Db, Result, StoreError};
use serde::{Deserialize, Serialize};

/// Display name of an erased account, wherever its past answers still appear.
pub const ERASED_NAME: &str = "已注销用户";

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct AnswerRecord {
    pub event_id: i64,
    pub title: String,
    pub starts_at: String,
    pub status: String,
    pub seats: i64,
    pub checked_in_at: Option<i64>,
    pub created_at: i64,
    pub updated_at: i64,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonalData {
    pub account: User,
    /// The contact phone in full: it is the person's own.
    pub phone: String,
    pub has_feed_token: bool,
    pub sessions: i64,
    pub answers: Vec<AnswerRecord>,
    /// Claims on the community's needs.
    #[serde(default)]
    pub claims: Vec<crate::services::Claim>,
    /// Micro-wishes the person posted.
    #[serde(default)]
    pub wishes: Vec<crate::services::Wish>,
    /// Service hours credited to the person.
    #[serde(default)]
    pub hours: Vec<crate::services::HoursRecord>,
    /// 双报到: the person's reports to communities.
    #[serde(default)]
    pub reports: Vec<crate::reports::Report>,
    /// Photos the person uploaded (what and when; each is at `/photo/{id}`).
    #[serde(default)]
    pub photos: Vec<crate::photos::PhotoMeta>,
    /// What the audit log recorded this account doing (newest first, at most 5,000 entries).
    pub audit: Vec<AuditEntry>,
}

impl Db {
    pub async fn personal_data(&self, user_id: i64) -> Result<PersonalData> {
        let account = self.user(user_id).await?;
        let phone: String = sqlx::query_scalar("SELECT phone FROM app_user WHERE id = $1")
            .bind(user_id)
            .fetch_one(self.pool())
            .await?;
        let has_feed_token: i64 =
            sqlx::query_scalar("SELECT COUNT(*) FROM feed_token WHERE user_id = $1")
                .bind(user_id)
                .fetch_one(self.pool())
                .await?;
        let answers = sqlx::query_as(
            "SELECT o.event_id, e.title, o.starts_at, r.status, r.seats, r.checked_in_at, r.created_at, r.updated_at \
             FROM rsvp r JOIN occurrence o ON o.id = r.occurrence_id JOIN event e ON e.id = o.event_id \
             WHERE r.user_id = $1 ORDER BY o.starts_at, o.event_id",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let audit = sqlx::query_as(
            "SELECT id, ts, actor_user_id, actor, ip, action, object, result, detail FROM audit_log \
             WHERE actor_user_id = $1 ORDER BY id DESC LIMIT 5000",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?;
        let mut wishes = self.wishes_of(user_id).await?;
        wishes.retain(|w| w.owner_id == Some(user_id));
        Ok(PersonalData {
            account,
            phone,
            has_feed_token: has_feed_token > 0,
            sessions: self.count_sessions(user_id).await?,
            answers,
            claims: self.claims_of(user_id).await?,
            wishes,
            hours: self.hours_of(user_id).await?,
            reports: self.reports_of(user_id).await?,
            photos: self.photos_by(user_id).await?,
            audit,
        })
    }

    /// Erases an account in one write transaction (see the module). `now` is the local time
    /// `YYYY-MM-DDTHH:MM`: answers for occurrences from then on are withdrawn, deadlines or not.
    /// Returns how many upcoming answers were withdrawn.
    pub async fn erase_account(&self, user_id: i64, now: &str) -> Result<usize> {
        let mut tx = self.begin_write().await?;
        let upcoming: Vec<(i64, i64, String, i64)> = sqlx::query_as(
            "SELECT o.id, o.event_id, o.starts_at, e.capacity FROM rsvp r \
             JOIN occurrence o ON o.id = r.occurrence_id JOIN event e ON e.id = o.event_id \
             WHERE r.user_id = $1 AND r.status IN ('going', 'waitlisted') AND o.starts_at >= $2 \
             ORDER BY o.id",
        )
        .bind(user_id)
        .bind(now)
        .fetch_all(&mut *tx)
        .await?;
        for (occurrence_id, event_id, starts_at, capacity) in &upcoming {
            // Locks the occurrence row (PostgreSQL) as every answer does.
            self.take_occurrence(&mut tx, *event_id, starts_at, *capacity)
                .await?;
            let (status, seats): (String, i64) = sqlx::query_as(
                "SELECT status, seats FROM rsvp WHERE occurrence_id = $1 AND user_id = $2",
            )
            .bind(occurrence_id)
            .bind(user_id)
            .fetch_one(&mut *tx)
            .await?;
            sqlx::query(
                "UPDATE rsvp SET status = 'not-going', updated_at = $1 WHERE occurrence_id = $2 AND user_id = $3",
            )
            .bind(crate::now())
            .bind(occurrence_id)
            .bind(user_id)
            .execute(&mut *tx)
            .await?;
            if status == "going" {
                sqlx::query("UPDATE occurrence SET taken = taken - $1 WHERE id = $2")
                    .bind(seats)
                    .bind(occurrence_id)
                    .execute(&mut *tx)
                    .await?;
                self.promote(&mut tx, *occurrence_id).await?;
            }
        }
        let n = sqlx::query(
            "UPDATE app_user SET username = 'erased-' || CAST(id AS TEXT), display_name = $1, phone = '', \
             password_hash = '!', disabled = 1, party_member = 0 WHERE id = $2",
        )
        .bind(ERASED_NAME)
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if n != 1 {
            return Err(StoreError::NotFound);
        }
        // Open claims free their part of the need; wishes nobody has claimed leave the wall; a
        // wish claimed by the erased account goes back to the wall. Done work and hours stay;
        // the account's photos are deleted.
        for q in [
            "DELETE FROM user_session WHERE user_id = $1",
            "DELETE FROM feed_token WHERE user_id = $1",
            "UPDATE service_claim SET state = 'withdrawn' WHERE claimant_id = $1 AND state IN ('offered', 'claimed', 'in-progress')",
            "UPDATE service_wish SET state = 'withdrawn', version = version + 1 WHERE owner_id = $1 AND state IN ('submitted', 'verified')",
            "UPDATE service_wish SET state = 'verified', claimant_id = NULL, claimant_report_id = NULL, version = version + 1 WHERE claimant_id = $1 AND state = 'claimed'",
            "UPDATE service_report SET state = 'withdrawn', version = version + 1 WHERE user_id = $1 AND state IN ('pending', 'accepted')",
            // Photos may show the person; they go with the account.
            "DELETE FROM photo WHERE owner_id = $1",
        ] {
            sqlx::query(q).bind(user_id).execute(&mut *tx).await?;
        }
        tx.commit().await?;
        Ok(upcoming.len())
    }
}
