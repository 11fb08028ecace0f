//! Neighbourhood events (活动).

use crate::{Db, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct Event {
    pub id: i64,
    pub title: String,
    pub category: String,
    pub unit_code: String,
    pub unit_name: String,
    pub location: String,
    /// Local Asia/Shanghai wall time `YYYY-MM-DDTHH:MM`.
    pub starts_at: String,
    pub ends_at: String,
    pub rrule: Option<String>,
    pub capacity: i64,
    pub status: String,
}

impl Db {
    /// Events that recur, or start at or after `from` (local time text), soonest first.
    pub async fn upcoming_events(&self, from: &str, limit: i64) -> Result<Vec<Event>> {
        let rows = sqlx::query_as(
            "SELECT e.id, e.title, e.category, u.code AS unit_code, u.name AS unit_name, e.location, e.starts_at, \
             e.ends_at, e.rrule, e.capacity, e.status FROM event e JOIN party_unit u ON u.id = e.unit_id \
             WHERE e.rrule IS NOT NULL OR e.starts_at >= $1 ORDER BY e.starts_at, e.id LIMIT $2",
        )
        .bind(from)
        .bind(limit.clamp(1, 500))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    pub async fn count_events(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM event")
            .fetch_one(self.pool())
            .await?)
    }
}
