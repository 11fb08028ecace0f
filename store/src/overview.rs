//! What the staff overview (数据看板) reads for a scope: open field reports with their current
//! limit, the finest grids' households, the units' terms, open needs and wishes by state. Counts
//! and rows only; `domain::overview` sums them.

use crate::{Db, Result};

pub struct OverviewRows {
    /// Each open field report's current resolve-by time.
    pub open_reports: Vec<i64>,
    /// Households of each finest grid.
    pub households: Vec<i64>,
    /// Each standing unit's term (start, years).
    pub terms: Vec<(Option<String>, i64)>,
    pub open_needs: i64,
    /// Wishes per state.
    pub wishes: Vec<(String, i64)>,
}

impl Db {
    /// The overview's rows for codes under `prefix` (everything for `""`).
    pub async fn overview_rows(&self, prefix: &str) -> Result<OverviewRows> {
        let like = crate::services::under(prefix);
        let open_reports = sqlx::query_scalar(
            "SELECT (SELECT s.resolve_by FROM field_step s WHERE s.report_id = r.id ORDER BY s.id DESC LIMIT 1) \
             FROM field_report r LEFT JOIN grid g ON g.id = r.grid_id \
             WHERE r.state NOT IN ('resolved', 'closed') AND ($1 = '' OR g.code LIKE $2)",
        )
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        let households = sqlx::query_scalar(
            "SELECT g.households FROM grid g WHERE ($1 = '' OR g.code LIKE $2) \
             AND NOT EXISTS (SELECT 1 FROM grid c WHERE c.parent_id = g.id)",
        )
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        let terms = sqlx::query_as(
            "SELECT term_start, term_years FROM org_unit WHERE dissolved_at IS NULL AND ($1 = '' OR code LIKE $2)",
        )
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        let open_needs = sqlx::query_scalar(
            "SELECT COUNT(*) FROM service_listing l JOIN org_unit u ON u.id = l.unit_id \
             WHERE l.kind = 'need' AND l.status = 'open' AND ($1 = '' OR u.code LIKE $2)",
        )
        .bind(prefix)
        .bind(&like)
        .fetch_one(self.pool())
        .await?;
        let wishes = sqlx::query_as(
            "SELECT w.state, COUNT(*) FROM service_wish w JOIN org_unit u ON u.id = w.unit_id \
             WHERE ($1 = '' OR u.code LIKE $2) GROUP BY w.state ORDER BY w.state",
        )
        .bind(prefix)
        .bind(&like)
        .fetch_all(self.pool())
        .await?;
        Ok(OverviewRows {
            open_reports,
            households,
            terms,
            open_needs,
            wishes,
        })
    }
}
