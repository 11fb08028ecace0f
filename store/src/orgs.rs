//! Party units (党组织) and the roles people hold on them.

use crate::{Db, Result};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct PartyUnit {
    pub id: i64,
    pub code: String,
    pub parent_code: Option<String>,
    pub level: String,
    pub name: String,
    pub grid_code: Option<String>,
    pub term_start: Option<String>,
    /// Name of the secretary (书记), if one is recorded.
    pub secretary: Option<String>,
    pub children: i64,
    pub version: i64,
}

impl Db {
    /// The units directly beneath `parent` (the roots when `None`), each with its child count.
    pub async fn child_units(&self, parent: Option<&str>) -> Result<Vec<PartyUnit>> {
        let rows = sqlx::query_as(
            "SELECT u.id, u.code, p.code AS parent_code, u.level, u.name, g.code AS grid_code, u.term_start, \
             (SELECT r.person_name FROM party_role r WHERE r.unit_id = u.id AND r.role = 'secretary' ORDER BY r.id LIMIT 1) AS secretary, \
             (SELECT COUNT(*) FROM party_unit c WHERE c.parent_id = u.id) AS children, u.version \
             FROM party_unit u LEFT JOIN party_unit p ON p.id = u.parent_id LEFT JOIN grid g ON g.id = u.grid_id \
             WHERE (($1 = '' AND u.parent_id IS NULL) OR p.code = $1) ORDER BY u.code",
        )
        .bind(parent.unwrap_or(""))
        .fetch_all(self.pool())
        .await?;
        Ok(rows)
    }

    pub async fn count_units(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM party_unit")
            .fetch_one(self.pool())
            .await?)
    }
}
