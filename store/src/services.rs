//! Service matching's rows: the community's lists and the claims on them, micro-wishes and the
//! service hours both earn. Every change is decided by `domain::service` and written in one
//! transaction; a claim's amount is checked against what is left with the listing row locked, so
//! concurrent claims never over-fill a need. Hours are written in the transaction that confirms
//! what earned them (a claim, a wish, a check-in), once per source.

use crate::{Db, Result, StoreError};
use domain::service::claims::{self, ClaimAction, ClaimState, ListingStatus};
use domain::service::listing::ListingDraft;
use domain::service::wish::{self, WishAction, WishState};
use domain::service::{Actor, ServiceError};
use serde::{Deserialize, Serialize};

/// A need, resource or project as listed, with what its live claims hold.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Listing {
    pub id: i64,
    pub kind: String,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub amount: i64,
    pub measure: String,
    pub deadline: Option<String>,
    pub status: String,
    pub grid_code: Option<String>,
    pub version: i64,
    pub held: i64,
    pub created_at: i64,
    /// The event (a service day) the listing serves, and its title.
    pub event_id: Option<i64>,
    pub event_title: Option<String>,
    /// A project's milestones as JSON (`domain::service::listing::Milestone`s).
    pub milestones: String,
}

const LISTING: &str = "SELECT l.id, l.kind, l.unit_id, u.code AS unit_code, u.name AS unit_name, l.title, l.description, \
    l.category, l.amount, l.measure, l.deadline, l.status, g.code AS grid_code, l.version, \
    CAST(COALESCE((SELECT SUM(c.amount) FROM service_claim c WHERE c.listing_id = l.id AND c.state NOT IN ('declined', 'withdrawn')), 0) AS BIGINT) AS held, \
    l.created_at, l.event_id, e.title AS event_title, l.milestones FROM service_listing l JOIN org_unit u ON u.id = l.unit_id \
    LEFT JOIN grid g ON g.id = l.grid_id LEFT JOIN event e ON e.id = l.event_id";

/// A claim, with its claimant's name and the listing it is on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Claim {
    pub id: i64,
    pub listing_id: i64,
    pub listing_title: String,
    pub unit_code: String,
    pub claimant_id: i64,
    pub claimant_name: String,
    pub amount: i64,
    pub state: String,
    pub note: String,
    pub reason: String,
    pub updated_at: i64,
}

/// A unit's claim is named by the unit, its contact in brackets.
const CLAIM: &str = "SELECT c.id, c.listing_id, l.title AS listing_title, u.code AS unit_code, c.claimant_id, \
    COALESCE(r.org_name || '（' || usr.display_name || '）', usr.display_name) AS claimant_name, c.amount, c.state, \
    c.note, c.reason, c.updated_at FROM service_claim c \
    JOIN service_listing l ON l.id = c.listing_id JOIN org_unit u ON u.id = l.unit_id JOIN app_user usr ON usr.id = c.claimant_id \
    LEFT JOIN service_report r ON r.id = c.unit_report_id";

/// A micro-wish. `owner_name`/`owner_phone` are the resident's (or the beneficiary written by the
/// organiser for a resident without an account): callers mask them outside the organiser's desk.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Wish {
    pub id: i64,
    pub unit_id: i64,
    pub unit_code: String,
    pub unit_name: String,
    pub owner_id: Option<i64>,
    pub owner_name: String,
    pub owner_phone: String,
    pub beneficiary: String,
    pub title: String,
    pub description: String,
    pub category: String,
    pub state: String,
    pub reason: String,
    pub claimant_id: Option<i64>,
    pub claimant_name: Option<String>,
    pub note: String,
    pub minutes: i64,
    pub version: i64,
    pub created_at: i64,
    pub updated_at: i64,
    /// The grid the wish is in, when its maker named one.
    pub grid_code: Option<String>,
}

const WISH: &str = "SELECT w.id, w.unit_id, u.code AS unit_code, u.name AS unit_name, w.owner_id, \
    COALESCE(o.display_name, '') AS owner_name, COALESCE(o.phone, '') AS owner_phone, w.beneficiary, w.title, \
    w.description, w.category, w.state, w.reason, w.claimant_id, \
    COALESCE(cr.org_name || '（' || cl.display_name || '）', cl.display_name) AS claimant_name, w.note, w.minutes, \
    w.version, w.created_at, w.updated_at, g.code AS grid_code FROM service_wish w JOIN org_unit u ON u.id = w.unit_id \
    LEFT JOIN app_user o ON o.id = w.owner_id LEFT JOIN app_user cl ON cl.id = w.claimant_id \
    LEFT JOIN grid g ON g.id = w.grid_id LEFT JOIN service_report cr ON cr.id = w.claimant_report_id";

/// What a new wish says.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewWish {
    pub unit_id: i64,
    /// The resident posting it; `None` when the organiser records it for someone without an account.
    pub owner_id: Option<i64>,
    pub beneficiary: String,
    pub title: String,
    pub description: String,
    pub category: String,
    /// The grid it is in (of the wish's community), if named.
    pub grid_id: Option<i64>,
}

/// One record of service (民政部令第67号).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct HoursRecord {
    pub id: i64,
    pub user_id: i64,
    pub person: String,
    pub unit_code: String,
    pub unit_name: String,
    pub served_on: String,
    pub minutes: i64,
    pub what: String,
    pub organiser: String,
    pub confirmed_by: String,
    pub source: String,
    pub source_id: i64,
}

const HOURS: &str = "SELECT h.id, h.user_id, usr.display_name AS person, u.code AS unit_code, u.name AS unit_name, \
    h.served_on, h.minutes, h.what, h.organiser, h.confirmed_by, h.source, h.source_id FROM service_hours h \
    JOIN app_user usr ON usr.id = h.user_id JOIN org_unit u ON u.id = h.unit_id";

/// `'a', 'b'` for an `IN (…)` of stored words (they come from the domain's enums, never from input).
pub(crate) fn in_list<'a>(words: impl IntoIterator<Item = &'a str>) -> String {
    words
        .into_iter()
        .map(|w| format!("'{w}'"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `code%` for a LIKE on codes (codes are digits; wildcards are dropped).
pub(crate) fn under(prefix: &str) -> String {
    format!("{}%", prefix.replace(['%', '_'], ""))
}

fn status(s: &str) -> ListingStatus {
    match s {
        "open" => ListingStatus::Open,
        "draft" => ListingStatus::Draft,
        _ => ListingStatus::Closed,
    }
}

/// What to credit: who, where, what, how long, who organised, who confirmed.
pub(crate) struct Credit<'a> {
    pub user_id: i64,
    pub unit_id: i64,
    pub served_on: &'a str,
    pub minutes: i64,
    pub what: &'a str,
    pub organiser: &'a str,
    pub confirmed_by: &'a str,
    pub source: &'a str,
    pub source_id: i64,
}

/// Writes one hours record in `tx`; a second record for the same source is ignored.
pub(crate) async fn credit(tx: &mut sqlx::AnyConnection, c: Credit<'_>) -> Result<()> {
    sqlx::query(
        "INSERT INTO service_hours (user_id, unit_id, served_on, minutes, what, organiser, confirmed_by, source, source_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT (source, source_id) DO NOTHING",
    )
    .bind(c.user_id)
    .bind(c.unit_id)
    .bind(c.served_on)
    .bind(c.minutes.clamp(0, domain::service::hours::MAX_MINUTES))
    .bind(c.what)
    .bind(c.organiser)
    .bind(c.confirmed_by)
    .bind(c.source)
    .bind(c.source_id)
    .bind(crate::now())
    .execute(&mut *tx)
    .await?;
    Ok(())
}

impl Db {
    /// The code of organisation unit `id`.
    pub async fn unit_code(&self, id: i64) -> Result<String> {
        sqlx::query_scalar("SELECT code FROM org_unit WHERE id = $1")
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The id of the live organisation unit `code`.
    pub async fn unit_id(&self, code: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM org_unit WHERE code = $1 AND dissolved_at IS NULL")
            .bind(code)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// The id of the grid `code`.
    pub async fn grid_id(&self, code: &str) -> Result<i64> {
        sqlx::query_scalar("SELECT id FROM grid WHERE code = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Claims on needs of units under `unit_prefix`, counted per state.
    pub async fn claim_counts(&self, unit_prefix: &str) -> Result<Vec<(String, i64)>> {
        Ok(sqlx::query_as(
            "SELECT c.state, COUNT(*) FROM service_claim c JOIN service_listing l ON l.id = c.listing_id \
             JOIN org_unit u ON u.id = l.unit_id WHERE u.code LIKE $1 GROUP BY c.state ORDER BY c.state",
        )
        .bind(under(unit_prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// The organisation unit whose code is the longest prefix of `code` (a resident's community
    /// grid has its committee's code): id, code, name.
    pub async fn unit_for_scope(&self, code: &str) -> Result<Option<(i64, String, String)>> {
        let rows: Vec<(i64, String, String)> = sqlx::query_as(
            "SELECT id, code, name FROM org_unit WHERE dissolved_at IS NULL AND $1 LIKE code || '%' ORDER BY LENGTH(code) DESC LIMIT 1",
        )
        .bind(code)
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().next())
    }

    pub async fn create_listing(
        &self,
        unit_id: i64,
        d: &ListingDraft,
        grid_id: Option<i64>,
        event_id: Option<i64>,
        actor: &str,
        now: i64,
    ) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO service_listing (kind, unit_id, title, description, category, amount, measure, deadline, status, grid_id, created_at, created_by, event_id) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9, $10, $11, $12) RETURNING id",
        )
        .bind(d.kind.as_str())
        .bind(unit_id)
        .bind(&d.title)
        .bind(&d.description)
        .bind(&d.category)
        .bind(d.amount)
        .bind(d.measure.as_str())
        .bind(&d.deadline)
        .bind(grid_id)
        .bind(now)
        .bind(actor)
        .bind(event_id)
        .fetch_one(self.writes())
        .await
        .map_err(StoreError::from_insert)?)
    }

    /// The listings that name the event `event_id`, newest first.
    pub async fn listings_for_event(&self, event_id: i64) -> Result<Vec<Listing>> {
        Ok(sqlx::query_as(&format!(
            "{LISTING} WHERE l.event_id = $1 ORDER BY l.id DESC LIMIT 100"
        ))
        .bind(event_id)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn listing(&self, id: i64) -> Result<Listing> {
        sqlx::query_as(&format!("{LISTING} WHERE l.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Listings of units under `unit_prefix` (all when empty), newest first; `grid_prefix` (the
    /// grid and those inside it), `kind`, `status` and `category` filter when not empty. At most
    /// `limit`.
    #[allow(clippy::too_many_arguments)]
    pub async fn listings(
        &self,
        unit_prefix: &str,
        grid_prefix: &str,
        kind: &str,
        status: &str,
        category: &str,
        limit: i64,
    ) -> Result<Vec<Listing>> {
        Ok(sqlx::query_as(&format!(
            "{LISTING} WHERE u.code LIKE $1 AND ($2 = '' OR l.kind = $2) AND ($3 = '' OR l.status = $3) \
             AND ($4 = '' OR l.category = $4) AND ($6 = '' OR g.code LIKE $7) ORDER BY l.id DESC LIMIT $5"
        ))
        .bind(under(unit_prefix))
        .bind(kind)
        .bind(status)
        .bind(category)
        .bind(limit)
        .bind(grid_prefix)
        .bind(under(grid_prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// Why an update at a version wrote nothing: the listing's version moved on, or it is gone.
    async fn listing_changed(&self, id: i64) -> StoreError {
        let now: std::result::Result<Option<i64>, _> =
            sqlx::query_scalar("SELECT version FROM service_listing WHERE id = $1")
                .bind(id)
                .fetch_optional(self.pool())
                .await;
        match now {
            Ok(Some(v)) => StoreError::Conflict(v),
            Ok(None) => StoreError::NotFound,
            Err(e) => e.into(),
        }
    }

    /// Sets a project's milestones (checked JSON) if it is still at `version`.
    pub async fn set_milestones(&self, id: i64, version: i64, json: &str) -> Result<()> {
        let n = sqlx::query(
            "UPDATE service_listing SET milestones = $1, version = version + 1 WHERE id = $2 AND version = $3 AND kind = 'project'",
        )
        .bind(json)
        .bind(id)
        .bind(version)
        .execute(self.writes())
        .await?
        .rows_affected();
        if n == 1 {
            return Ok(());
        }
        Err(self.listing_changed(id).await)
    }

    /// Opens or closes a listing if it is still at `version`.
    pub async fn set_listing_status(&self, id: i64, version: i64, status: &str) -> Result<()> {
        let n = sqlx::query(
            "UPDATE service_listing SET status = $1, version = version + 1 WHERE id = $2 AND version = $3",
        )
        .bind(status)
        .bind(id)
        .bind(version)
        .execute(self.writes())
        .await?
        .rows_affected();
        if n == 1 {
            return Ok(());
        }
        Err(self.listing_changed(id).await)
    }

    /// The claims on a listing, oldest first.
    pub async fn claims(&self, listing_id: i64) -> Result<Vec<Claim>> {
        Ok(
            sqlx::query_as(&format!("{CLAIM} WHERE c.listing_id = $1 ORDER BY c.id"))
                .bind(listing_id)
                .fetch_all(self.pool())
                .await?,
        )
    }

    pub async fn claim_row(&self, id: i64) -> Result<Claim> {
        sqlx::query_as(&format!("{CLAIM} WHERE c.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// A person's claims, newest first.
    pub async fn claims_of(&self, user_id: i64) -> Result<Vec<Claim>> {
        Ok(sqlx::query_as(&format!(
            "{CLAIM} WHERE c.claimant_id = $1 ORDER BY c.id DESC LIMIT 500"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Claims waiting for the organiser of units under `unit_prefix` (done, to confirm), oldest first.
    pub async fn claims_to_confirm(&self, unit_prefix: &str) -> Result<Vec<Claim>> {
        Ok(sqlx::query_as(&format!(
            "{CLAIM} WHERE u.code LIKE $1 AND c.state = 'done' ORDER BY c.updated_at LIMIT 500"
        ))
        .bind(under(unit_prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// A claim of `amount` on a listing by `claimant_id` — or, with `dispatched`, a part the
    /// organiser offers to them (派单), held until they accept or decline. `today` is the local
    /// date the deadline is compared with. Refused in words (`ServiceError`) when the listing is
    /// not a need, not open, past its deadline, or has less left. With `unit_report`, the
    /// claimant is the contact of that resident unit and claims for it (the caller checked).
    #[allow(clippy::too_many_arguments)]
    pub async fn claim(
        &self,
        listing_id: i64,
        claimant_id: i64,
        amount: i64,
        dispatched: bool,
        actor: &str,
        today: &str,
        now: i64,
        unit_report: Option<i64>,
    ) -> Result<Result<i64, ServiceError>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(String, String, i64, Option<String>)> = sqlx::query_as(&format!(
            "SELECT kind, status, amount, deadline FROM service_listing WHERE id = $1{}",
            self.for_update()
        ))
        .bind(listing_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (kind, st, wanted, deadline) = row.ok_or(StoreError::NotFound)?;
        if kind != "need" {
            return Ok(Err(ServiceError::Closed));
        }
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
            "INSERT INTO service_claim (listing_id, claimant_id, amount, state, created_at, updated_at, updated_by, unit_report_id) \
             VALUES ($1, $2, $3, $4, $5, $5, $6, $7) RETURNING id",
        )
        .bind(listing_id)
        .bind(claimant_id)
        .bind(amount)
        .bind(state.as_str())
        .bind(now)
        .bind(actor)
        .bind(unit_report)
        .fetch_one(&mut *tx)
        .await?;
        tx.commit().await?;
        Ok(Ok(id))
    }

    /// Moves a claim on by `action` of `actor` (as the claimant, `user_id` must be theirs), as
    /// `domain::service::claims::transition` allows. Confirming credits the claimant `minutes`
    /// of service on `today`, confirmed by `confirmer`, in the same transaction.
    #[allow(clippy::too_many_arguments)]
    pub async fn claim_action(
        &self,
        claim_id: i64,
        user_id: i64,
        actor: Actor,
        action: &ClaimAction,
        minutes: i64,
        confirmer: &str,
        today: &str,
        now: i64,
    ) -> Result<Result<ClaimState, ServiceError>> {
        let mut tx = self.begin_write().await?;
        let row: Option<(i64, String, i64, String, String)> = sqlx::query_as(&format!(
            "SELECT c.claimant_id, c.state, l.unit_id, l.title, u.name FROM service_claim c \
             JOIN service_listing l ON l.id = c.listing_id JOIN org_unit u ON u.id = l.unit_id WHERE c.id = $1{}",
            self.for_update_of("c")
        ))
        .bind(claim_id)
        .fetch_optional(&mut *tx)
        .await?;
        let (claimant, state, unit_id, title, unit_name) = row.ok_or(StoreError::NotFound)?;
        if actor == Actor::Claimant && claimant != user_id {
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
            .bind(confirmer)
            .bind(claim_id)
            .execute(&mut *tx)
            .await?;
        if to == ClaimState::Confirmed {
            credit(
                &mut tx,
                Credit {
                    user_id: claimant,
                    unit_id,
                    served_on: today,
                    minutes,
                    what: &title,
                    organiser: &unit_name,
                    confirmed_by: confirmer,
                    source: "claim",
                    source_id: claim_id,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(to))
    }

    pub async fn post_wish(&self, w: &NewWish, actor: &str, now: i64) -> Result<i64> {
        Ok(sqlx::query_scalar(
            "INSERT INTO service_wish (unit_id, owner_id, beneficiary, title, description, category, state, created_at, updated_at, updated_by, grid_id) \
             VALUES ($1, $2, $3, $4, $5, $6, 'submitted', $7, $7, $8, $9) RETURNING id",
        )
        .bind(w.unit_id)
        .bind(w.owner_id)
        .bind(&w.beneficiary)
        .bind(&w.title)
        .bind(&w.description)
        .bind(&w.category)
        .bind(now)
        .bind(actor)
        .bind(w.grid_id)
        .fetch_one(self.writes())
        .await?)
    }

    pub async fn wish(&self, id: i64) -> Result<Wish> {
        sqlx::query_as(&format!("{WISH} WHERE w.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?
            .ok_or(StoreError::NotFound)
    }

    /// Wishes of units under `unit_prefix` (and of grids under `grid_prefix` when not empty),
    /// newest first, in one of `states` (all when empty).
    pub async fn wishes(
        &self,
        unit_prefix: &str,
        grid_prefix: &str,
        states: &[WishState],
        limit: i64,
    ) -> Result<Vec<Wish>> {
        let states = if states.is_empty() {
            &WishState::ALL[..]
        } else {
            states
        };
        Ok(sqlx::query_as(&format!(
            "{WISH} WHERE u.code LIKE $1 AND ($3 = '' OR g.code LIKE $4) AND w.state IN ({}) ORDER BY w.id DESC LIMIT $2",
            in_list(states.iter().map(|s| s.as_str()))
        ))
        .bind(under(unit_prefix))
        .bind(limit)
        .bind(grid_prefix)
        .bind(under(grid_prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// Per grid under `unit_prefix`'s communities: open needs with something left to claim and
    /// wishes on the wall waiting for a claimant — the map's service layer. Grids with neither
    /// are left out.
    pub async fn service_marks(&self, unit_prefix: &str) -> Result<Vec<(String, i64, i64)>> {
        Ok(sqlx::query_as(
            "SELECT code, CAST(SUM(needs) AS BIGINT), CAST(SUM(wishes) AS BIGINT) FROM ( \
               SELECT g.code AS code, 1 AS needs, 0 AS wishes FROM service_listing l JOIN grid g ON g.id = l.grid_id \
               JOIN org_unit u ON u.id = l.unit_id WHERE u.code LIKE $1 AND l.kind = 'need' AND l.status = 'open' \
               AND l.amount > COALESCE((SELECT SUM(c.amount) FROM service_claim c WHERE c.listing_id = l.id AND c.state NOT IN ('declined', 'withdrawn')), 0) \
               UNION ALL \
               SELECT g.code, 0, 1 FROM service_wish w JOIN grid g ON g.id = w.grid_id \
               JOIN org_unit u ON u.id = w.unit_id WHERE u.code LIKE $1 AND w.state = 'verified' \
             ) marks GROUP BY code ORDER BY code",
        )
        .bind(under(unit_prefix))
        .fetch_all(self.pool())
        .await?)
    }

    /// The wishes a person posted or claimed, newest first.
    pub async fn wishes_of(&self, user_id: i64) -> Result<Vec<Wish>> {
        Ok(sqlx::query_as(&format!(
            "{WISH} WHERE w.owner_id = $1 OR w.claimant_id = $1 ORDER BY w.id DESC LIMIT 500"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Moves a wish on by `action` of `actor` (`user_id` is the caller), if it is still at
    /// `version`, as `domain::service::wish::transition` allows. Fulfilling records `minutes`
    /// and the claimant's note; confirming credits the claimant those minutes on `today`.
    #[allow(clippy::too_many_arguments)]
    pub async fn wish_action(
        &self,
        id: i64,
        version: i64,
        user_id: i64,
        actor: Actor,
        action: &WishAction,
        note: &str,
        minutes: i64,
        confirmer: &str,
        today: &str,
        now: i64,
        unit_report: Option<i64>,
    ) -> Result<Result<WishState, ServiceError>> {
        let mut tx = self.begin_write().await?;
        #[allow(clippy::type_complexity)]
        let row: Option<(String, i64, Option<i64>, Option<i64>, i64, String, i64, String, String)> =
            sqlx::query_as(&format!(
                "SELECT w.state, w.version, w.owner_id, w.claimant_id, w.unit_id, w.title, w.minutes, u.name, w.note \
                 FROM service_wish w JOIN org_unit u ON u.id = w.unit_id WHERE w.id = $1{}",
                self.for_update_of("w")
            ))
            .bind(id)
            .fetch_optional(&mut *tx)
            .await?;
        let (state, current, owner, claimant, unit_id, title, had_minutes, unit_name, had_note) =
            row.ok_or(StoreError::NotFound)?;
        if current != version {
            return Err(StoreError::Conflict(current));
        }
        let mine = match actor {
            Actor::Owner => owner == Some(user_id),
            Actor::Claimant => matches!(action, WishAction::Claim) || claimant == Some(user_id),
            Actor::Organiser => true,
        };
        if !mine {
            return Ok(Err(ServiceError::NotYours));
        }
        let from = WishState::parse(&state).ok_or_else(|| StoreError::Other(state.clone()))?;
        let to = match wish::transition(from, action, actor, owner.is_some()) {
            Ok(s) => s,
            Err(e) => return Ok(Err(e)),
        };
        let (claimant, reason, note, minutes) = match action {
            WishAction::Claim => (Some(user_id), String::new(), String::new(), 0),
            WishAction::Release => (None, String::new(), String::new(), 0),
            WishAction::Reject { reason } => (claimant, reason.trim().to_owned(), String::new(), 0),
            WishAction::Fulfil => (claimant, String::new(), note.to_owned(), minutes),
            WishAction::Confirm => (claimant, String::new(), had_note, had_minutes),
            _ => (claimant, String::new(), String::new(), 0),
        };
        sqlx::query(
            "UPDATE service_wish SET state = $1, claimant_id = $2, reason = $3, note = $4, \
             minutes = $5, updated_at = $6, updated_by = $7, version = version + 1 WHERE id = $8",
        )
        .bind(to.as_str())
        .bind(claimant)
        .bind(&reason)
        .bind(&note)
        .bind(minutes)
        .bind(now)
        .bind(confirmer)
        .bind(id)
        .execute(&mut *tx)
        .await?;
        // Who took it on as a unit: set by a claim, cleared when it is released.
        if matches!(action, WishAction::Claim | WishAction::Release) {
            sqlx::query("UPDATE service_wish SET claimant_report_id = $1 WHERE id = $2")
                .bind(unit_report.filter(|_| matches!(action, WishAction::Claim)))
                .bind(id)
                .execute(&mut *tx)
                .await?;
        }
        if let (WishState::Confirmed, Some(claimant)) = (to, claimant) {
            credit(
                &mut tx,
                Credit {
                    user_id: claimant,
                    unit_id,
                    served_on: today,
                    minutes,
                    what: &format!("微心愿：{title}"),
                    organiser: &unit_name,
                    confirmed_by: confirmer,
                    source: "wish",
                    source_id: id,
                },
            )
            .await?;
        }
        tx.commit().await?;
        Ok(Ok(to))
    }

    /// A person's hours records, newest first.
    pub async fn hours_of(&self, user_id: i64) -> Result<Vec<HoursRecord>> {
        Ok(sqlx::query_as(&format!(
            "{HOURS} WHERE h.user_id = $1 ORDER BY h.served_on DESC, h.id DESC"
        ))
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Hours records of units under `unit_prefix` served in `[from, to)` (dates `YYYY-MM-DD`).
    pub async fn hours_in(
        &self,
        unit_prefix: &str,
        from: &str,
        to: &str,
    ) -> Result<Vec<HoursRecord>> {
        Ok(sqlx::query_as(&format!(
            "{HOURS} WHERE u.code LIKE $1 AND h.served_on >= $2 AND h.served_on < $3 ORDER BY h.served_on, h.id"
        ))
        .bind(under(unit_prefix))
        .bind(from)
        .bind(to)
        .fetch_all(self.pool())
        .await?)
    }

    /// Party members living under `scope_prefix` (their account's scope), id and display name:
    /// the roster thresholds are checked against.
    pub async fn members_in(&self, scope_prefix: &str) -> Result<Vec<(i64, String)>> {
        Ok(sqlx::query_as(
            "SELECT id, display_name FROM app_user WHERE party_member <> 0 AND disabled = 0 AND scope LIKE $1 ORDER BY display_name, id",
        )
        .bind(under(scope_prefix))
        .fetch_all(self.pool())
        .await?)
    }
}
