//! Grids (网格): the polygons of each level, stored as GeoJSON Polygon coordinates in WGS84.

use crate::{Db, Result, StoreError};
use domain::demo::GridKind;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub id: i64,
    pub code: String,
    pub parent_code: Option<String>,
    pub level: i64,
    pub name: String,
    pub kind: GridKind,
    pub households: i64,
    pub population: i64,
    /// Exterior ring `[lon, lat]`, closed, counter-clockwise.
    pub ring: Vec<[f64; 2]>,
    pub version: i64,
}

#[derive(sqlx::FromRow)]
struct GridRow {
    id: i64,
    code: String,
    parent_code: Option<String>,
    level: i64,
    name: String,
    kind: String,
    households: i64,
    population: i64,
    geometry: String,
    version: i64,
}

impl TryFrom<GridRow> for Grid {
    type Error = StoreError;
    fn try_from(r: GridRow) -> Result<Grid> {
        let rings: Vec<Vec<[f64; 2]>> = serde_json::from_str(&r.geometry)
            .map_err(|e| StoreError::Other(format!("grid {}: bad geometry: {e}", r.code)))?;
        Ok(Grid {
            id: r.id,
            kind: GridKind::parse(&r.kind).unwrap_or(GridKind::Basic),
            ring: rings.into_iter().next().unwrap_or_default(),
            code: r.code,
            parent_code: r.parent_code,
            level: r.level,
            name: r.name,
            households: r.households,
            population: r.population,
            version: r.version,
        })
    }
}

impl Db {
    /// All grids, optionally of one level, in code order (parents before children).
    pub async fn list_grids(&self, level: Option<i64>) -> Result<Vec<Grid>> {
        let rows: Vec<GridRow> = sqlx::query_as(
            "SELECT g.id, g.code, p.code AS parent_code, g.level, g.name, g.kind, g.households, g.population, \
             g.geometry, g.version FROM grid g LEFT JOIN grid p ON p.id = g.parent_id \
             WHERE ($1 = 0 OR g.level = $1) ORDER BY g.code",
        )
        .bind(level.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Grid::try_from).collect()
    }

    pub async fn count_grids(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM grid")
            .fetch_one(self.pool())
            .await?)
    }
}
