//! Service matching's rows: the community's lists and the claims on them. Every change is decided
//! by `domain::service` and written in one transaction; a claim's amount is checked against what
//! is left with the listing row locked, so concurrent claims never over-fill a need.

use crate::{Db, Result, StoreError};
use domain::service::claims::{self, ClaimAction, ClaimState, ListingStatus};
use domain::service::{Actor, ServiceError};
use serde::{Deserialize, Serialize};

/// A need, resource or project as listed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Listing {
    pub id: i64,
    pub kind: String,
    pub unit_id: i64,
    pub title: String,
    pub description: String,
    pub category: String,
    pub amount: i64,
    pub measure: String,
    pub deadline: Option<String>,
    pub status: String,
    pub version: i64,
}

/// What an organiser lists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewListing {
    pub kind: String,
    pub unit_id: i64,
    pub title: String,
    pub description: String,
    pub category: String,
    pub amount: i64,
    pub measure: String,
    pub deadline: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Claim {
    pub id: i64,
    pub listing_id: i64,
    pub claimant: String,
    pub amount: i64,
    pub state: String,
    pub note: String,
    pub reason: String,
}

fn status(s: &str) -> ListingStatus {
    match s {
        "open" => ListingStatus::Open,
        "draft" => ListingStatus::Draft,
        _ => ListingStatus::Closed,
    }
}

impl Db {
    pub async fn create_listing(&self, l: &NewListing, actor: &str, now: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO service_listing (kind, unit_id, title, description, category, amount, measure, deadline, status, created_at, created_by) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10) RETURNING id",
        )
        .bind(&l.kind)
        .bind(l.unit_id)
        .bind(&l.title)
        .bind(&l.description)
        .bind(&l.category)
        .bind(l.amount)
        .bind(&l.measure)
        .bind(&l.deadline)
        .bind(now)
        .bind(actor)
        .fetch_one(self.pool())
        .await
        .map_err(StoreError::from_insert)?)
    }

    pub async fn listing(&self, id: i64) -> Result<Listing> {
        sqlx::query_as("SELECT id, kind, unit_id, title, description, category, amount, measure, deadline, status, version FROM service_listing WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The claims on a listing, oldest first.
    pub async fn claims(&self, listing_id: i64) -> Result<Vec<Claim>> {
        Ok(sqlx::query_as("SELECT id, listing_id, claimant, amount, state, note, reason FROM service_claim WHERE listing_id = $1 ORDER BY id")
            .bind(listing_id)
            .fetch_all(self.pool())
            .await?)
    }

    /// A claim of `amount` on a listing by `claimant` — or, with `dispatched`, a part the
    /// organiser offers to them (派单), held until they accept or decline. `today` is the local
    /// date the deadline is compared with. Refused in words (`ServiceError`) when the listing is
    /// not open, past its deadline, or has less left.
    pub async fn claim(
        &self,
        listing_id: i64,
        claimant: &str,
        amount: i64,
        dispatched: bool,
        actor: &str,
        today: &str,
        now: i64,
    ) -> Result<Result<i64, ServiceError>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String, i64, Option<String>)> = sqlx::query_as(&format!(
            "SELECT status, amount, deadline FROM service_listing WHERE id = $1{}",
            self.for_update()
        ))
        .bind(listing_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (st, wanted, deadline) = row.ok_or(StoreError::NotFound)?;
        let live: Vec<(String, i64)> =
            sqlx::query_as("SELECT state, amount FROM service_claim WHERE listing_id = $1")
                .bind(listing_id)
                .fetch_all(&mut *tx)
                .await?;
        let held = claims::held(
            live.iter()
                .filter_map(|(s, a)| ClaimState::parse(s).map(|s| (s, *a))),
        );
        if let Err(e) = claims::check_claim(
            status(&st),
            deadline.as_deref(),
            today,
            wanted,
            held,
            amount,
        ) {
            return Ok(Err(e));
        }
        let state = if dispatched {
            ClaimState::Offered
        } else {
            ClaimState::Claimed
        };
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO service_claim (listing_id, claimant, amount, state, created_at, updated_at, updated_by) \
             VALUES ($1, $2, $3, $4, $5, $5, $6) RETURNING id",
        )
        .bind(listing_id)
        .bind(claimant)
        .bind(amount)
        .bind(state.as_str())
        .bind(now)
        .bind(actor)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Moves a claim on by `action` of `actor` (the claimant must be `who`), as
    /// `domain::service::claims::transition` allows.
    pub async fn claim_action(
        &self,
        claim_id: i64,
        who: &str,
        actor: Actor,
        action: &ClaimAction,
        now: i64,
    ) -> Result<Result<ClaimState, ServiceError>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String, String)> = sqlx::query_as(&format!(
            "SELECT claimant, state FROM service_claim WHERE id = $1{}",
            self.for_update()
        ))
        .bind(claim_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (claimant, state) = row.ok_or(StoreError::NotFound)?;
        if actor == Actor::Claimant && claimant != who {
            return Ok(Err(ServiceError::NotYours));
        }
        let from = ClaimState::parse(&state).ok_or_else(|| StoreError::Other(state.clone()))?;
        let to = match claims::transition(from, action, actor) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let reason = match action {
            ClaimAction::Decline { reason } | ClaimAction::SendBack { reason } => reason.trim(),
            _ => "",
        };
        sqlx::query("UPDATE service_claim SET state = $1, reason = $2, updated_at = $3, updated_by = $4 WHERE id = $5")
            .bind(to.as_str())
            .bind(reason)
            .bind(now)
            .bind(who)
            .bind(claim_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(to))
    }
}
