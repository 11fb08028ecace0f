//! Context layers of the map (roads, buildings…): lines drawn beneath the grids.

use crate::{Db, Result, StoreError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MapLayer {
    pub id: i64,
    pub name: String,
    pub paths: Vec<Vec<[f64; 2]>>,
}

impl Db {
    /// Stores a layer under `name`, replacing one of the same name.
    pub async fn put_map_layer(
        &self,
        name: &str,
        paths: &[Vec<[f64; 2]>],
        actor: &str,
        now: i64,
    ) -> Result<i64> {
        let json = serde_json::to_string(paths).map_err(|e| StoreError::Other(e.to_string()))?;
        let vertices: i64 = paths.iter().map(|p| p.len() as i64).sum();
        Ok(sqlx::query_scalar(
            "INSERT INTO map_layer (name, paths, vertices, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (name) DO UPDATE SET paths = excluded.paths, vertices = excluded.vertices, \
             updated_by = excluded.updated_by, updated_at = excluded.updated_at RETURNING id",
        )
        .bind(name)
        .bind(json)
        .bind(vertices)
        .bind(actor)
        .bind(now)
        .fetch_one(self.writes())
        .await?)
    }

    pub async fn map_layers(&self) -> Result<Vec<MapLayer>> {
        let rows: Vec<(i64, String, String)> =
            sqlx::query_as("SELECT id, name, paths FROM map_layer ORDER BY name")
                .fetch_all(self.pool())
                .await?;
        rows.into_iter()
            .map(|(id, name, paths)| {
                Ok(MapLayer {
                    id,
                    name,
                    paths: serde_json::from_str(&paths)
                        .map_err(|e| StoreError::Other(e.to_string()))?,
                })
            })
            .collect()
    }

    pub async fn delete_map_layer(&self, id: i64) -> Result<()> {
        let done = sqlx::query("DELETE FROM map_layer WHERE id = $1")
            .bind(id)
            .execute(self.writes())
            .await?;
        if done.rows_affected() == 0 {
            return Err(StoreError::NotFound);
        }
        Ok(())
    }
}
