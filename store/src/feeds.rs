//! What the iCalendar feeds read: public events, cancelled occurrences, a user's RSVPs, and the
//! private feed tokens.

use crate::events::Event;
use crate::{Db, Result, StoreError};
use domain::event::LocalDateTime;
use rand::RngCore;
use sha2::{Digest, Sha256};

fn hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Db {
    /// Cancels one occurrence (the series goes on) and bumps the event's SEQUENCE for subscribers.
    pub async fn cancel_occurrence(&self, event_id: i64, at: &LocalDateTime) -> Result<()> {
        let e = self.event(event_id).await?;
        let real = domain::recurrence::is_occurrence(&e.start()?, e.rrule.as_deref(), at)
            .map_err(|x| StoreError::Other(x.to_string()))?;
        if !real {
            return Err(StoreError::Invalid("err.rsvp_not_occurrence".into()));
        }
        let mut tx = self.begin_write().await?;
        sqlx::query(
            "INSERT INTO occurrence (event_id, starts_at, capacity, taken, next_seq, status) VALUES ($1, $2, $3, 0, 0, 'cancelled') \
             ON CONFLICT (event_id, starts_at) DO UPDATE SET status = 'cancelled'",
        )
        .bind(event_id)
        .bind(at.as_str())
        .bind(e.capacity)
        .execute(&mut *tx)
        .await?;
        sqlx::query("UPDATE event SET sequence = sequence + 1, version = version + 1, updated_at = $1 WHERE id = $2")
            .bind(crate::now())
            .bind(event_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(())
    }

    /// Starts of the cancelled occurrences of an event.
    pub async fn cancelled_occurrences(&self, event_id: i64) -> Result<Vec<LocalDateTime>> {
        let rows: Vec<String> = sqlx::query_scalar("SELECT starts_at FROM occurrence WHERE event_id = $1 AND status = 'cancelled' ORDER BY starts_at")
            .bind(event_id)
            .fetch_all(self.pool())
            .await?;
        rows.iter()
            .map(|s| LocalDateTime::parse(s).map_err(|e| StoreError::Other(e.to_string())))
            .collect()
    }

    /// Every event with the given visibility.
    pub async fn events_with_visibility(
        &self,
        visibility: domain::event::Visibility,
    ) -> Result<Vec<Event>> {
        Ok(sqlx::query_as(&format!("SELECT {} FROM event e JOIN org_unit u ON u.id = e.unit_id WHERE e.visibility = $1 ORDER BY e.id", crate::events::COLUMNS))
            .bind(visibility.as_str())
            .fetch_all(self.pool())
            .await?)
    }

    /// The occurrences a user is going to or waiting for: `(event_id, starts_at, status)`.
    pub async fn user_rsvps(&self, user_id: i64) -> Result<Vec<(i64, String, String)>> {
        Ok(sqlx::query_as(
            "SELECT o.event_id, o.starts_at, r.status FROM rsvp r JOIN occurrence o ON o.id = r.occurrence_id \
             WHERE r.user_id = $1 AND r.status IN ('going', 'waitlisted') ORDER BY o.starts_at",
        )
        .bind(user_id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Issues a new private feed token for the user (the old one stops working).
    pub async fn rotate_feed_token(&self, user_id: i64) -> Result<String> {
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let token = hex::encode(b);
        sqlx::query(
            "INSERT INTO feed_token (user_id, token_hash, created_at) VALUES ($1, $2, $3) \
             ON CONFLICT (user_id) DO UPDATE SET token_hash = excluded.token_hash, created_at = excluded.created_at",
        )
        .bind(user_id)
        .bind(hash(&token))
        .bind(crate::now())
        .execute(self.writes())
        .await?;
        Ok(token)
    }

    /// The enabled user a feed token belongs to.
    pub async fn feed_token_user(&self, token: &str) -> Result<Option<i64>> {
        if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        Ok(sqlx::query_scalar("SELECT f.user_id FROM feed_token f JOIN app_user u ON u.id = f.user_id WHERE f.token_hash = $1 AND u.disabled = 0")
            .bind(hash(token))
            .fetch_optional(self.pool())
            .await?)
    }

    /// Issues an API key for the account (Open311 clients file reports with it); only its hash
    /// is kept (setting `api_key:<hash>`), so it is shown once.
    pub async fn add_api_key(&self, user_id: i64) -> Result<String> {
        let mut b = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        let key = hex::encode(b);
        self.set_setting(&format!("api_key:{}", hash(&key)), &user_id.to_string())
            .await?;
        Ok(key)
    }

    /// The account an API key belongs to.
    pub async fn api_key_user(&self, key: &str) -> Result<Option<crate::users::User>> {
        if key.len() != 64 || !key.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Ok(None);
        }
        let Some(id) = self
            .setting(&format!("api_key:{}", hash(key)))
            .await?
            .and_then(|v| v.parse::<i64>().ok())
        else {
            return Ok(None);
        };
        match self.user(id).await {
            Ok(u) => Ok(Some(u)),
            Err(crate::StoreError::NotFound) => Ok(None),
            Err(e) => Err(e),
        }
    }
}
