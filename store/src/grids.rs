//! Grids (网格): the boundaries of each level (parts with holes), stored compactly in WGS84, with
//! optimistic versions and a revision row for every saved change.

use crate::{Db, Result, StoreError};
use domain::geometry::Boundary;
use domain::grid::{GridField, GridKind};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};
use std::collections::HashMap;

/// What an editor may change of a grid (everything but its identity and version).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridState {
    pub code: String,
    pub parent_code: Option<String>,
    pub level: i64,
    pub name: String,
    pub kind: GridKind,
    pub households: i64,
    pub population: i64,
    /// Names of the assigned grid workers, comma-separated as typed.
    pub workers: String,
    pub valid_from: Option<String>,
    pub valid_to: Option<String>,
    /// Parts, each an outer ring and its holes (`domain::geometry::Boundary`). Revisions stored
    /// before holes existed call it `ring`, which still reads.
    #[serde(alias = "ring")]
    pub boundary: Boundary,
    /// The grid's code in the system it came from (any text, `""` when none).
    #[serde(default)]
    pub source_code: String,
}

impl GridState {
    /// The attributes that differ between two states of one grid (what a conflicting save
    /// changed), in form order.
    pub fn changed_fields(&self, other: &GridState) -> Vec<GridField> {
        let mut out = Vec::new();
        let mut check = |differs: bool, field: GridField| {
            if differs {
                out.push(field);
            }
        };
        check(self.name != other.name, GridField::Name);
        check(
            self.code != other.code || self.parent_code != other.parent_code,
            GridField::Code,
        );
        check(self.kind != other.kind, GridField::Kind);
        check(self.households != other.households, GridField::Households);
        check(self.population != other.population, GridField::Population);
        check(self.workers != other.workers, GridField::Workers);
        check(self.valid_from != other.valid_from, GridField::ValidFrom);
        check(self.valid_to != other.valid_to, GridField::ValidTo);
        check(self.boundary != other.boundary, GridField::Boundary);
        check(self.source_code != other.source_code, GridField::SourceCode);
        out
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Grid {
    pub id: i64,
    pub version: i64,
    pub updated_by: String,
    pub updated_at: i64,
    /// The organisation unit linked to this grid, if any (code, name).
    pub unit: Option<(String, String)>,
    #[serde(flatten)]
    pub state: GridState,
}

/// Why a grid changed, as its revision records it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    Edit,
    /// Back to an earlier revision.
    Restore,
    Import,
}

impl Reason {
    fn action(self, created: bool) -> &'static str {
        match (self, created) {
            (Reason::Import, _) => "import",
            (Reason::Restore, _) => "restore",
            (Reason::Edit, true) => "create",
            (Reason::Edit, false) => "update",
        }
    }
}

/// One edit in a save. A save is all or nothing.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum GridChange {
    /// Change a grid that the editor read at `version`.
    Update {
        id: i64,
        version: i64,
        state: GridState,
        reason: Reason,
    },
    Create {
        state: GridState,
        reason: Reason,
    },
    Delete {
        id: i64,
        version: i64,
    },
}

/// One saved change of one grid.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GridRevision {
    pub id: i64,
    pub grid_id: i64,
    pub code: String,
    pub version: i64,
    pub action: String,
    pub actor: String,
    pub at: i64,
    pub before: Option<GridState>,
    pub after: Option<GridState>,
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
    workers: String,
    valid_from: Option<String>,
    valid_to: Option<String>,
    source_code: String,
    geometry: String,
    version: i64,
    updated_by: String,
    updated_at: i64,
    unit_code: Option<String>,
    unit_name: Option<String>,
}

impl TryFrom<GridRow> for Grid {
    type Error = StoreError;
    fn try_from(r: GridRow) -> Result<Grid> {
        let boundary = boundary_of(&r.geometry)
            .ok_or_else(|| StoreError::Other(format!("grid {}: bad geometry", r.code)))?;
        Ok(Grid {
            id: r.id,
            version: r.version,
            updated_by: r.updated_by,
            updated_at: r.updated_at,
            unit: r.unit_code.zip(r.unit_name),
            state: GridState {
                kind: GridKind::parse(&r.kind).unwrap_or(GridKind::Basic),
                boundary,
                code: r.code,
                parent_code: r.parent_code,
                level: r.level,
                name: r.name,
                households: r.households,
                population: r.population,
                workers: r.workers,
                valid_from: r.valid_from,
                valid_to: r.valid_to,
                source_code: r.source_code,
            },
        })
    }
}

const SELECT: &str = "SELECT g.id, g.code, p.code AS parent_code, g.level, g.name, g.kind, g.households, \
     g.population, g.workers, g.valid_from, g.valid_to, g.source_code, g.geometry, g.version, g.updated_by, g.updated_at, \
     (SELECT MIN(u.code) FROM org_unit u WHERE u.grid_id = g.id AND u.dissolved_at IS NULL) AS unit_code, \
     (SELECT u.name FROM org_unit u WHERE u.grid_id = g.id AND u.dissolved_at IS NULL ORDER BY u.code LIMIT 1) AS unit_name \
     FROM grid g LEFT JOIN grid p ON p.id = g.parent_id";

/// The stored form of a boundary: one part without holes as an encoded polyline at 1e-7° when that
/// is exact (every ring that passed `GridDraft::check` is), else the JSON of `Boundary` (parts of
/// encoded rings, or GeoJSON-style coordinates off that step). Reading also accepts the older
/// `[[[lon, lat], …]]` text. The encoded form is about a fifth of the size, which is most of the
/// time it takes to list a district's grids.
pub(crate) fn geometry_text(boundary: &Boundary) -> String {
    if boundary.is_simple() {
        if let Some(e) = domain::geometry::compact_ring::encode(boundary.outer()) {
            return e;
        }
    }
    serde_json::to_string(boundary).unwrap_or_else(|_| "[]".into())
}

fn boundary_of(text: &str) -> Option<Boundary> {
    if text.trim_start().starts_with('[') {
        serde_json::from_str(text).ok()
    } else {
        domain::geometry::compact_ring::decode(text).map(Boundary::from)
    }
}

fn state_json(s: &GridState) -> String {
    serde_json::to_string(s).unwrap_or_default()
}

impl Db {
    /// All grids, optionally of one level, in code order (parents before children).
    pub async fn list_grids(&self, level: Option<i64>) -> Result<Vec<Grid>> {
        let rows: Vec<GridRow> = sqlx::query_as(&format!(
            "{SELECT} WHERE ($1 = 0 OR g.level = $1) ORDER BY g.code"
        ))
        .bind(level.unwrap_or(0))
        .fetch_all(self.pool())
        .await?;
        rows.into_iter().map(Grid::try_from).collect()
    }

    /// The codes and names of the grids below `prefix` (all when empty), without their
    /// boundaries: what forms and rosters name grids by.
    pub async fn grid_names_under(&self, prefix: &str) -> Result<Vec<(String, String)>> {
        Ok(sqlx::query_as(
            "SELECT code, name FROM grid WHERE code LIKE $1 AND code <> $2 ORDER BY code",
        )
        .bind(format!("{}%", prefix.replace(['%', '_'], "")))
        .bind(prefix)
        .fetch_all(self.pool())
        .await?)
    }

    pub async fn grid(&self, id: i64) -> Result<Grid> {
        let row: Option<GridRow> = sqlx::query_as(&format!("{SELECT} WHERE g.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        row.ok_or(StoreError::NotFound).and_then(Grid::try_from)
    }

    /// The boundary of the live grid with this code, if there is one.
    pub async fn grid_boundary(&self, code: &str) -> Result<Option<Boundary>> {
        let text: Option<String> = sqlx::query_scalar("SELECT geometry FROM grid WHERE code = $1")
            .bind(code)
            .fetch_optional(self.pool())
            .await?;
        Ok(text.and_then(|t| boundary_of(&t)))
    }

    pub async fn count_grids(&self) -> Result<i64> {
        Ok(sqlx::query_scalar("SELECT COUNT(*) FROM grid")
            .fetch_one(self.pool())
            .await?)
    }

    /// Applies `changes` in one transaction. Inside it, after reading every grid and checking the
    /// versions, `check` sees the whole map before and as it would be after the save and may refuse
    /// it; then
    /// every change is written with a revision row. A stale version refuses the whole save with
    /// `Conflict(current version)`; nothing is written unless everything is.
    pub async fn save_grids<E>(
        &self,
        changes: &[GridChange],
        actor: &str,
        now: i64,
        check: impl FnOnce(&[Grid], &[Grid]) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<Vec<Grid>, E>> {
        self.save_grids_keyed(None, changes, actor, now, check)
            .await
    }

    /// `save_grids` with a request key `(user, key)` made on a phone: a save already done under
    /// that key (its answer lost, sent again) is not done again; the answer is the map as it is.
    pub async fn save_grids_keyed<E>(
        &self,
        key: Option<(i64, &str)>,
        changes: &[GridChange],
        actor: &str,
        now: i64,
        check: impl FnOnce(&[Grid], &[Grid]) -> std::result::Result<(), E>,
    ) -> Result<std::result::Result<Vec<Grid>, E>> {
        let mut tx = self.begin_write().await?;
        let fresh = match key {
            Some((user, key)) => Db::claim_key(&mut tx, user, key, now).await?,
            None => true,
        };
        let rows: Vec<GridRow> = sqlx::query_as(&format!(
            "{SELECT} ORDER BY g.code{}",
            // Row locks on the grids themselves (the joined parent is the same table).
            self.for_update_of("g")
        ))
        .fetch_all(&mut *tx)
        .await?;
        let mut map: Vec<Grid> = rows
            .into_iter()
            .map(Grid::try_from)
            .collect::<Result<_>>()?;
        if !fresh {
            return Ok(Ok(map));
        }
        let before = map.clone();
        let pos = |map: &[Grid], id: i64| map.iter().position(|g| g.id == id);
        for c in changes {
            match c {
                GridChange::Update {
                    id, version, state, ..
                } => {
                    let i = pos(&map, *id).ok_or(StoreError::NotFound)?;
                    if map[i].version != *version {
                        return Err(StoreError::Conflict(map[i].version));
                    }
                    map[i].state = state.clone();
                }
                GridChange::Delete { id, version } => {
                    let i = pos(&map, *id).ok_or(StoreError::NotFound)?;
                    if map[i].version != *version {
                        return Err(StoreError::Conflict(map[i].version));
                    }
                    map.remove(i);
                }
                GridChange::Create { state, .. } => {
                    if map.iter().any(|g| g.state.code == state.code) {
                        return Err(StoreError::Duplicate);
                    }
                    map.push(Grid {
                        id: 0,
                        version: 1,
                        updated_by: actor.into(),
                        updated_at: now,
                        unit: None,
                        state: state.clone(),
                    });
                }
            }
        }
        if let Err(e) = check(&before, &map) {
            return Ok(Err(e));
        }
        // Codes stay unique and every parent exists after the save.
        let mut seen = HashMap::new();
        for g in &map {
            if seen.insert(g.state.code.as_str(), ()).is_some() {
                return Err(StoreError::Duplicate);
            }
        }
        for g in &map {
            if let Some(p) = &g.state.parent_code {
                if !seen.contains_key(p.as_str()) {
                    return Err(StoreError::Invalid("err.grid_parent_missing".into()));
                }
            }
        }
        let mut ids: HashMap<String, i64> = map
            .iter()
            .filter(|g| g.id != 0)
            .map(|g| (g.state.code.clone(), g.id))
            .collect();
        // Deletions first (children before parents), so codes can be reused in the same save.
        let mut deletions: Vec<(i64, i64)> = changes
            .iter()
            .filter_map(|c| match c {
                GridChange::Delete { id, version } => Some((*id, *version)),
                _ => None,
            })
            .collect();
        deletions.sort_by_key(|&(id, _)| std::cmp::Reverse(id));
        for (id, version) in deletions {
            let before = self.grid_state_tx(&mut tx, id).await?;
            // What sat on the grid stays, placed nowhere (a unit, a need, a wish, a report keeps
            // its own point where it has one).
            for table in [
                "org_unit",
                "service_listing",
                "service_wish",
                "field_report",
            ] {
                sqlx::query(&format!(
                    "UPDATE {table} SET grid_id = NULL WHERE grid_id = $1"
                ))
                .bind(id)
                .execute(&mut *tx)
                .await?;
            }
            let done = sqlx::query("DELETE FROM grid WHERE id = $1 AND version = $2")
                .bind(id)
                .bind(version)
                .execute(&mut *tx)
                .await?;
            if done.rows_affected() != 1 {
                return Err(StoreError::Conflict(version));
            }
            revision(
                &mut tx,
                id,
                &before.code,
                version,
                "delete",
                actor,
                now,
                Some(&before),
                None,
            )
            .await?;
        }
        for c in changes {
            match c {
                GridChange::Update {
                    id,
                    version,
                    state,
                    reason,
                } => {
                    let before = self.grid_state_tx(&mut tx, *id).await?;
                    let parent = state.parent_code.as_ref().and_then(|p| ids.get(p).copied());
                    let done = sqlx::query(
                        "UPDATE grid SET code = $1, parent_id = $2, level = $3, name = $4, kind = $5, \
                         households = $6, population = $7, workers = $8, valid_from = $9, valid_to = $10, \
                         geometry = $11, version = version + 1, updated_by = $12, updated_at = $13, \
                         source_code = $16 WHERE id = $14 AND version = $15",
                    )
                    .bind(&state.code)
                    .bind(parent)
                    .bind(state.level)
                    .bind(&state.name)
                    .bind(state.kind.as_str())
                    .bind(state.households)
                    .bind(state.population)
                    .bind(&state.workers)
                    .bind(&state.valid_from)
                    .bind(&state.valid_to)
                    .bind(geometry_text(&state.boundary))
                    .bind(actor)
                    .bind(now)
                    .bind(id)
                    .bind(version)
                    .bind(&state.source_code)
                    .execute(&mut *tx)
                    .await
                    .map_err(StoreError::from_insert)?;
                    if done.rows_affected() != 1 {
                        return Err(StoreError::Conflict(*version));
                    }
                    ids.insert(state.code.clone(), *id);
                    let action = reason.action(false);
                    revision(
                        &mut tx,
                        *id,
                        &state.code,
                        version + 1,
                        action,
                        actor,
                        now,
                        Some(&before),
                        Some(state),
                    )
                    .await?;
                }
                GridChange::Create { state, reason } => {
                    let parent = state.parent_code.as_ref().and_then(|p| ids.get(p).copied());
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO grid (code, parent_id, level, name, kind, households, population, workers, \
                         valid_from, valid_to, geometry, version, updated_by, updated_at, source_code) \
                         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, 1, $12, $13, $14) RETURNING id",
                    )
                    .bind(&state.code)
                    .bind(parent)
                    .bind(state.level)
                    .bind(&state.name)
                    .bind(state.kind.as_str())
                    .bind(state.households)
                    .bind(state.population)
                    .bind(&state.workers)
                    .bind(&state.valid_from)
                    .bind(&state.valid_to)
                    .bind(geometry_text(&state.boundary))
                    .bind(actor)
                    .bind(now)
                    .bind(&state.source_code)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::from_insert)?;
                    ids.insert(state.code.clone(), id);
                    revision(
                        &mut tx,
                        id,
                        &state.code,
                        1,
                        reason.action(true),
                        actor,
                        now,
                        None,
                        Some(state),
                    )
                    .await?;
                }
                GridChange::Delete { .. } => {}
            }
        }
        let after: Vec<GridRow> = sqlx::query_as(&format!("{SELECT} ORDER BY g.code"))
            .fetch_all(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Ok(after
            .into_iter()
            .map(Grid::try_from)
            .collect::<Result<_>>()?))
    }

    async fn grid_state_tx(
        &self,
        tx: &mut Transaction<'static, Any>,
        id: i64,
    ) -> Result<GridState> {
        let row: Option<GridRow> = sqlx::query_as(&format!("{SELECT} WHERE g.id = $1"))
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?;
        Ok(row
            .ok_or(StoreError::NotFound)
            .and_then(Grid::try_from)?
            .state)
    }

    /// Every saved change of one grid (also after it was deleted), newest first.
    pub async fn grid_history(&self, grid_id: i64) -> Result<Vec<GridRevision>> {
        let rows: Vec<(i64, i64, String, i64, String, String, i64, Option<String>, Option<String>)> =
            sqlx::query_as(
                "SELECT id, grid_id, code, version, action, actor, at, before, after FROM grid_revision \
                 WHERE grid_id = $1 ORDER BY id DESC LIMIT 500",
            )
            .bind(grid_id)
            .fetch_all(self.pool())
            .await?;
        let parse = |s: Option<String>| s.and_then(|s| serde_json::from_str(&s).ok());
        Ok(rows
            .into_iter()
            .map(
                |(id, grid_id, code, version, action, actor, at, before, after)| GridRevision {
                    id,
                    grid_id,
                    code,
                    version,
                    action,
                    actor,
                    at,
                    before: parse(before),
                    after: parse(after),
                },
            )
            .collect())
    }

    pub async fn grid_revision(&self, revision_id: i64) -> Result<GridRevision> {
        let grid_id: Option<i64> =
            sqlx::query_scalar("SELECT grid_id FROM grid_revision WHERE id = $1")
                .bind(revision_id)
                .fetch_optional(self.pool())
                .await?;
        let grid_id = grid_id.ok_or(StoreError::NotFound)?;
        self.grid_history(grid_id)
            .await?
            .into_iter()
            .find(|r| r.id == revision_id)
            .ok_or(StoreError::NotFound)
    }
}

#[allow(clippy::too_many_arguments)]
async fn revision(
    tx: &mut Transaction<'static, Any>,
    grid_id: i64,
    code: &str,
    version: i64,
    action: &str,
    actor: &str,
    at: i64,
    before: Option<&GridState>,
    after: Option<&GridState>,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO grid_revision (grid_id, code, version, action, actor, at, before, after) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(grid_id)
    .bind(code)
    .bind(version)
    .bind(action)
    .bind(actor)
    .bind(at)
    .bind(before.map(state_json))
    .bind(after.map(state_json))
    .execute(&mut **tx)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_conflict_names_what_changed() {
        let a = GridState {
            code: "3201".into(),
            parent_code: Some("32".into()),
            level: 3,
            name: "一网格".into(),
            kind: GridKind::Basic,
            households: 300,
            population: 800,
            workers: String::new(),
            valid_from: None,
            valid_to: None,
            boundary: vec![[118.0, 32.0], [118.1, 32.0], [118.1, 32.1], [118.0, 32.0]].into(),
            source_code: String::new(),
        };
        assert!(a.changed_fields(&a).is_empty());
        let mut b = a.clone();
        b.households = 321;
        b.boundary.0[0][0][1] = [118.2, 32.0];
        assert_eq!(
            a.changed_fields(&b),
            vec![GridField::Households, GridField::Boundary]
        );
    }

    #[test]
    fn boundaries_are_stored_compactly_when_exact_and_read_back_either_way() {
        let ring = domain::geometry::normalise(&[
            [118.781_234_567, 32.041_111],
            [118.791_234_567, 32.041_111],
            [118.791_234_567, 32.051_999],
        ]);
        let simple = Boundary::from(ring.clone());
        let text = geometry_text(&simple);
        assert!(!text.starts_with('['), "{text}");
        assert_eq!(boundary_of(&text), Some(simple));
        // Holes and parts: a list of parts of encoded rings.
        let mut hole =
            domain::geometry::normalise(&[[118.785, 32.042], [118.786, 32.042], [118.786, 32.043]]);
        hole.reverse();
        let rich = Boundary(vec![vec![ring, hole]]);
        let text = geometry_text(&rich);
        assert!(text.starts_with("[[\""), "{text}");
        assert_eq!(boundary_of(&text), Some(rich));
        // Older rows (JSON, and coordinates off the 1e-7° step) still read exactly.
        let old = vec![
            [118.781_234_567_891, 32.04],
            [118.79, 32.04],
            [118.79, 32.05],
            [118.781_234_567_891, 32.04],
        ];
        let text = serde_json::to_string(&[&old]).unwrap();
        assert_eq!(boundary_of(&text), Some(Boundary::from(old.clone())));
        let text = geometry_text(&Boundary::from(old.clone()));
        assert_eq!(boundary_of(&text), Some(Boundary::from(old)));
        assert_eq!(boundary_of("not a ring \u{0}"), None);
    }
}
