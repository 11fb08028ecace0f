//! Loads a generated `domain::demo::District` in one transaction: all of it or nothing.

use crate::{Db, Result, StoreError};
use domain::demo::District;
use std::collections::HashMap;

impl Db {
    /// True when the database holds no grids, units or events yet.
    pub async fn is_empty(&self) -> Result<bool> {
        Ok(self.count_grids().await? == 0
            && self.count_units().await? == 0
            && self.count_events().await? == 0)
    }

    /// Loads the district and its demo accounts. Refuses if data is already there.
    pub async fn load_demo(&self, d: &District) -> Result<()> {
        if !self.is_empty().await? {
            return Err(StoreError::Invalid(
                "the database already holds data; demo not loaded".into(),
            ));
        }
        let now = crate::now();
        let mut tx = self.begin_write().await?;
        let mut grid_ids: HashMap<&str, i64> = HashMap::new();
        for g in &d.grids {
            let parent = g.parent.as_ref().map(|p| grid_ids[p.as_str()]);
            let geometry = crate::grids::geometry_text(&g.ring.clone().into());
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO grid (code, parent_id, level, name, kind, households, population, geometry, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 1, $9) RETURNING id",
            )
            .bind(g.code.as_str())
            .bind(parent)
            .bind(g.level as i64)
            .bind(&g.name)
            .bind(g.kind.as_str())
            .bind(g.households)
            .bind(g.population)
            .bind(geometry)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            grid_ids.insert(g.code.as_str(), id);
        }
        let levels = domain::org::LevelSet::five_level();
        let mut unit_ids: HashMap<&str, i64> = HashMap::new();
        for u in &d.units {
            let parent = u.parent.as_ref().map(|p| unit_ids[p.as_str()]);
            let grid = u
                .grid
                .as_ref()
                .and_then(|g| grid_ids.get(g.as_str()).copied());
            let id: i64 = sqlx::query_scalar(
                "INSERT INTO org_unit (code, parent_id, level, name, grid_id, term_start, term_years, version, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8) RETURNING id",
            )
            .bind(u.code.as_str())
            .bind(parent)
            .bind(&u.level)
            .bind(&u.name)
            .bind(grid)
            .bind(&u.term_start)
            .bind(levels.term_years(&u.level) as i64)
            .bind(now)
            .fetch_one(&mut *tx)
            .await?;
            unit_ids.insert(u.code.as_str(), id);
            // The head of a central household is its secretary and a party member.
            let roles: &[&str] = if levels.get(&u.level).is_some_and(|l| l.children.is_empty()) {
                &["secretary", "member"]
            } else {
                &["secretary"]
            };
            for role in roles {
                sqlx::query("INSERT INTO org_role (unit_id, role, person_name, phone) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(role)
                    .bind(&u.secretary)
                    .bind(&u.phone)
                    .execute(&mut *tx)
                    .await?;
            }
        }
        for e in &d.events {
            sqlx::query(
                "INSERT INTO event (unit_id, title, category, location, starts_at, ends_at, rrule, capacity, updated_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            )
            .bind(unit_ids[e.unit.as_str()])
            .bind(&e.title)
            .bind(&e.category)
            .bind(&e.location)
            .bind(&e.starts_at)
            .bind(&e.ends_at)
            .bind(&e.rrule)
            .bind(e.capacity)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
        let password = domain::Password::parse(
            domain::demo::DEMO_PASSWORD,
            "",
            domain::PasswordPolicy::Standard,
        )
        .map_err(|e| StoreError::Other(e.to_string()))?;
        // One hash (with its own salt) serves every demo account: they share one published password.
        let hash = crate::password::hash(&password).await?;
        for u in &d.users {
            let username = domain::Username::parse(&u.username)
                .map_err(|e| StoreError::Other(e.to_string()))?;
            if self.user_by_name(username.as_str()).await?.is_some() {
                continue;
            }
            self.insert_user(&username, &u.display_name, &hash, u.role, u.scope.as_ref())
                .await?;
        }
        self.load_demo_service(&d.service, &hash).await?;
        self.load_demo_departments(&d.departments).await
    }
}
