//! Party units (党组织), the roles people hold on them, and the change log of every edit.
//! Edits arrive as `domain::org::OrgCommand`s and are applied in one transaction after the tree
//! rules (the same functions the editor runs before a drop) and the version checks pass.

use crate::{Db, Result, StoreError};
use domain::org::{LevelSet, OrgCommand, OrgError, OrgUnit, RoleHolder, Tree, UnitDetails};
use serde::{Deserialize, Serialize};
use sqlx::{Any, Transaction};
use std::collections::HashSet;

pub const ORG_LEVELS: &str = "org_levels";

#[derive(sqlx::FromRow)]
struct UnitRow {
    id: i64,
    parent_id: Option<i64>,
    code: String,
    level: String,
    name: String,
    secretary: Option<String>,
    grid_code: Option<String>,
    term_start: Option<String>,
    term_years: i64,
    members: i64,
    version: i64,
}

impl From<UnitRow> for OrgUnit {
    fn from(r: UnitRow) -> OrgUnit {
        OrgUnit {
            id: r.id,
            parent: r.parent_id,
            code: r.code,
            level: r.level,
            name: r.name,
            secretary: r.secretary,
            grid: r.grid_code,
            term_start: r.term_start,
            term_years: r.term_years.clamp(1, 10) as u8,
            members: r.members,
            version: r.version,
        }
    }
}

const UNIT_SELECT: &str = "SELECT u.id, u.parent_id, u.code, u.level, u.name, \
     (SELECT r.person_name FROM org_role r WHERE r.unit_id = u.id AND r.role = 'secretary' AND r.removed_at IS NULL ORDER BY r.id LIMIT 1) AS secretary, \
     g.code AS grid_code, u.term_start, u.term_years, \
     CASE WHEN u.member_count > (SELECT COUNT(*) FROM org_role r WHERE r.unit_id = u.id AND r.role = 'member' AND r.removed_at IS NULL) \
     THEN u.member_count \
     ELSE (SELECT COUNT(*) FROM org_role r WHERE r.unit_id = u.id AND r.role = 'member' AND r.removed_at IS NULL) END AS members, u.version \
     FROM org_unit u LEFT JOIN grid g ON g.id = u.grid_id";

/// A person's role on a unit as stored (the phone is masked before it leaves the server).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct RoleRow {
    pub id: i64,
    pub role: String,
    pub person_name: String,
    pub phone: String,
    pub resident_unit: Option<String>,
}

/// One entry of a unit's change log.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, sqlx::FromRow)]
pub struct OrgChange {
    pub id: i64,
    pub at: i64,
    pub actor: String,
    pub action: String,
    pub before: String,
    pub after: String,
    pub reason: String,
    pub doc_no: String,
}

/// Why a batch of commands was refused; nothing of it was written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrgRefusal {
    Rule(OrgError),
    /// The unit changed since the editor read it: by whom and when (Unix seconds).
    Conflict {
        unit: String,
        by: String,
        at: i64,
    },
    /// The linked grid code does not exist.
    UnknownGrid(String),
}

impl From<OrgError> for OrgRefusal {
    fn from(e: OrgError) -> Self {
        OrgRefusal::Rule(e)
    }
}

/// What a committed batch changed: the units as they are now, and those dissolved.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Applied {
    pub units: Vec<OrgUnit>,
    pub dissolved: Vec<i64>,
    /// Ids of the units `Add` commands created, in command order.
    pub created: Vec<i64>,
}

fn masked_roles(roles: &[RoleRow]) -> String {
    let v: Vec<String> = roles
        .iter()
        .map(|r| {
            format!(
                "{}:{}{}",
                r.role,
                r.person_name,
                if r.phone.is_empty() {
                    String::new()
                } else {
                    format!(" {}", domain::mask::phone(&r.phone))
                }
            )
        })
        .collect();
    v.join("；")
}

type Tx = Transaction<'static, Any>;

async fn log(
    tx: &mut Tx,
    unit: i64,
    at: i64,
    actor: &str,
    action: &str,
    before: &str,
    after: &str,
    reason: &str,
    doc_no: &str,
) -> Result<()> {
    sqlx::query(
        "INSERT INTO org_change (unit_id, at, actor, action, before, after, reason, doc_no) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(unit)
    .bind(at)
    .bind(actor)
    .bind(action)
    .bind(before)
    .bind(after)
    .bind(reason)
    .bind(doc_no)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

async fn roles_of(tx: &mut Tx, unit: i64) -> Result<Vec<RoleRow>> {
    Ok(sqlx::query_as(
        "SELECT id, role, person_name, phone, resident_unit FROM org_role WHERE unit_id = $1 AND removed_at IS NULL ORDER BY id",
    )
    .bind(unit)
    .fetch_all(&mut **tx)
    .await?)
}

impl Db {
    /// The level set this deployment uses (setting `org_levels`; five levels by default).
    pub async fn org_levels(&self) -> Result<LevelSet> {
        let v = self.setting(ORG_LEVELS).await?.unwrap_or_default();
        LevelSet::from_setting(&v)
            .ok_or_else(|| StoreError::Invalid(format!("setting {ORG_LEVELS} is not a level set")))
    }

    /// Switches the level set; refused when a live unit has a level the new set does not know.
    pub async fn set_org_levels(&self, value: &str) -> Result<LevelSet> {
        let set = LevelSet::from_setting(value)
            .ok_or_else(|| StoreError::Invalid("use five, four or a JSON level set".into()))?;
        let used: Vec<String> =
            sqlx::query_scalar("SELECT DISTINCT level FROM org_unit WHERE dissolved_at IS NULL")
                .fetch_all(self.pool())
                .await?;
        if let Some(l) = used.iter().find(|l| set.get(l).is_none()) {
            return Err(StoreError::Invalid(format!(
                "units of level {l} exist; the new level set does not have it"
            )));
        }
        self.set_setting(ORG_LEVELS, value.trim()).await?;
        Ok(set)
    }

    /// Every live unit.
    pub async fn org_units(&self) -> Result<Vec<OrgUnit>> {
        let rows: Vec<UnitRow> = sqlx::query_as(&format!(
            "{UNIT_SELECT} WHERE u.dissolved_at IS NULL ORDER BY u.code"
        ))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(OrgUnit::from).collect())
    }

    /// A unit, live or dissolved, with when it was dissolved.
    pub async fn org_unit(&self, id: i64) -> Result<(OrgUnit, Option<i64>)> {
        let row: Option<UnitRow> = sqlx::query_as(&format!("{UNIT_SELECT} WHERE u.id = $1"))
            .bind(id)
            .fetch_optional(self.pool())
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        let dissolved: Option<i64> =
            sqlx::query_scalar("SELECT dissolved_at FROM org_unit WHERE id = $1")
                .bind(id)
                .fetch_one(self.pool())
                .await?;
        Ok((row.into(), dissolved))
    }

    pub async fn unit_roles(&self, id: i64) -> Result<Vec<RoleRow>> {
        Ok(sqlx::query_as(
            "SELECT id, role, person_name, phone, resident_unit FROM org_role WHERE unit_id = $1 AND removed_at IS NULL ORDER BY id",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// The change log of a unit, newest first.
    pub async fn org_unit_log(&self, id: i64) -> Result<Vec<OrgChange>> {
        Ok(sqlx::query_as(
            "SELECT id, at, actor, action, before, after, reason, doc_no FROM org_change \
             WHERE unit_id = $1 ORDER BY id DESC LIMIT 500",
        )
        .bind(id)
        .fetch_all(self.pool())
        .await?)
    }

    /// Units dissolved beneath (or at) `root`, newest first, so they can be reinstated.
    pub async fn dissolved_units(&self, root: Option<&str>) -> Result<Vec<OrgUnit>> {
        let rows: Vec<UnitRow> = sqlx::query_as(&format!(
            "{UNIT_SELECT} WHERE u.dissolved_at IS NOT NULL AND u.code LIKE $1 ORDER BY u.dissolved_at DESC LIMIT 200"
        ))
        .bind(format!("{}%", root.unwrap_or("")))
        .fetch_all(self.pool())
        .await?;
        Ok(rows.into_iter().map(OrgUnit::from).collect())
    }

    async fn live_tree(&self, tx: &mut Tx) -> Result<(Vec<OrgUnit>, Vec<String>)> {
        let lock = self.for_update_of("u");
        let rows: Vec<UnitRow> = sqlx::query_as(&format!(
            "{UNIT_SELECT} WHERE u.dissolved_at IS NULL ORDER BY u.code{lock}"
        ))
        .fetch_all(&mut **tx)
        .await?;
        let taken: Vec<String> =
            sqlx::query_scalar("SELECT code FROM org_unit WHERE dissolved_at IS NOT NULL")
                .fetch_all(&mut **tx)
                .await?;
        Ok((rows.into_iter().map(OrgUnit::from).collect(), taken))
    }

    async fn conflict(&self, tx: &mut Tx, id: i64) -> Result<OrgRefusal> {
        let row: Option<(String, String, i64)> =
            sqlx::query_as("SELECT name, updated_by, updated_at FROM org_unit WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?;
        Ok(match row {
            Some((unit, by, at)) => OrgRefusal::Conflict { unit, by, at },
            None => OrgRefusal::Rule(OrgError::UnknownUnit),
        })
    }

    /// Applies `commands` in order, all or nothing. `editable` says whether the caller may edit a
    /// unit with a given code (the caller's scope); it is asked for every unit touched, before and
    /// after a move.
    pub async fn apply_org(
        &self,
        commands: &[OrgCommand],
        actor: &str,
        now: i64,
        editable: impl Fn(&str) -> bool,
    ) -> Result<std::result::Result<Applied, OrgRefusal>> {
        let levels = self.org_levels().await?;
        let mut tx = self.begin_write().await?;
        let (mut units, mut taken) = self.live_tree(&mut tx).await?;
        let mut tree = Tree::new(units.clone());
        let mut touched: HashSet<i64> = HashSet::new();
        let mut applied = Applied::default();
        macro_rules! refuse {
            ($e:expr) => {
                return Ok(Err($e.into()))
            };
        }
        for raw in commands {
            let cmd = match raw.clean() {
                Ok(c) => c,
                Err(e) => refuse!(e),
            };
            // The version the editor saw must still be current.
            let live_version = |id: i64| tree.get(id).map(|u| u.version);
            match &cmd {
                OrgCommand::Add { .. } => {}
                OrgCommand::Reinstate { .. } => {}
                OrgCommand::Rename { id, version, .. }
                | OrgCommand::Move { id, version, .. }
                | OrgCommand::Dissolve { id, version, .. }
                | OrgCommand::Details { id, version, .. } => match live_version(*id) {
                    None => refuse!(OrgError::UnknownUnit),
                    Some(v) if v != *version => refuse!(self.conflict(&mut tx, *id).await?),
                    Some(_) => {}
                },
            }
            match &cmd {
                OrgCommand::Add {
                    parent,
                    level,
                    name,
                } => {
                    if let Err(e) = tree.can_add(&levels, *parent, level, &editable) {
                        refuse!(e);
                    }
                    let code = tree
                        .new_child_code(*parent, level, &taken)
                        .ok_or(StoreError::NotFound)?;
                    let years = levels.term_years(level) as i64;
                    let id: i64 = sqlx::query_scalar(
                        "INSERT INTO org_unit (code, parent_id, level, name, term_years, version, updated_at, updated_by) \
                         VALUES ($1, $2, $3, $4, $5, 1, $6, $7) RETURNING id",
                    )
                    .bind(&code)
                    .bind(parent)
                    .bind(level)
                    .bind(name)
                    .bind(years)
                    .bind(now)
                    .bind(actor)
                    .fetch_one(&mut *tx)
                    .await
                    .map_err(StoreError::from_insert)?;
                    let after =
                        serde_json::json!({"code": code, "name": name, "level": level}).to_string();
                    log(&mut tx, id, now, actor, "create", "", &after, "", "").await?;
                    units.push(OrgUnit {
                        id,
                        parent: Some(*parent),
                        code,
                        level: level.clone(),
                        name: name.clone(),
                        secretary: None,
                        grid: None,
                        term_start: None,
                        term_years: years as u8,
                        members: 0,
                        version: 1,
                    });
                    touched.insert(id);
                    applied.created.push(id);
                }
                OrgCommand::Rename { id, name, .. } => {
                    let u = tree.get(*id).cloned().ok_or(StoreError::NotFound)?;
                    if !editable(&u.code) {
                        refuse!(OrgError::OutOfScope { unit: u.name });
                    }
                    sqlx::query("UPDATE org_unit SET name = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = $4")
                        .bind(name)
                        .bind(now)
                        .bind(actor)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    log(&mut tx, *id, now, actor, "rename", &u.name, name, "", "").await?;
                    if let Some(x) = units.iter_mut().find(|x| x.id == *id) {
                        x.name = name.clone();
                        x.version += 1;
                    }
                    touched.insert(*id);
                }
                OrgCommand::Move {
                    id,
                    parent,
                    reason,
                    doc_no,
                    ..
                } => {
                    if let Err(e) = tree.can_move(&levels, &[*id], *parent, &editable) {
                        refuse!(e);
                    }
                    let u = tree.get(*id).cloned().ok_or(StoreError::NotFound)?;
                    let old_parent = tree
                        .parent(*id)
                        .and_then(|p| tree.get(p))
                        .map(|p| p.name.clone());
                    let new_parent = tree
                        .get(*parent)
                        .map(|p| p.name.clone())
                        .unwrap_or_default();
                    let codes = tree.recode(*id, *parent, &taken);
                    sqlx::query("UPDATE org_unit SET parent_id = $1, version = version + 1, updated_at = $2, updated_by = $3 WHERE id = $4")
                        .bind(parent)
                        .bind(now)
                        .bind(actor)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    // Longest codes first is not needed: new codes live under a prefix nobody holds.
                    for (nid, _, new) in &codes {
                        sqlx::query("UPDATE org_unit SET code = $1 WHERE id = $2")
                            .bind(new)
                            .bind(nid)
                            .execute(&mut *tx)
                            .await
                            .map_err(StoreError::from_insert)?;
                    }
                    if let Some((_, old, new)) = codes.first() {
                        // Organisers scoped to the moved subtree keep their units.
                        sqlx::query(
                            "UPDATE app_user SET scope = $1 || substr(scope, CAST($2 AS INTEGER)) WHERE role = 'organiser' AND scope LIKE $3",
                        )
                        .bind(new)
                        .bind(old.len() as i64 + 1)
                        .bind(format!("{old}%"))
                        .execute(&mut *tx)
                        .await?;
                        let before =
                            serde_json::json!({"parent": old_parent, "code": old}).to_string();
                        let after =
                            serde_json::json!({"parent": new_parent, "code": new}).to_string();
                        log(
                            &mut tx, *id, now, actor, "move", &before, &after, reason, doc_no,
                        )
                        .await?;
                    }
                    for x in units.iter_mut() {
                        if x.id == *id {
                            x.parent = Some(*parent);
                            x.version += 1;
                        }
                        if let Some((_, _, new)) = codes.iter().find(|c| c.0 == x.id) {
                            x.code = new.clone();
                            touched.insert(x.id);
                        }
                    }
                    let _ = u;
                }
                OrgCommand::Dissolve {
                    id, reason, doc_no, ..
                } => {
                    if let Err(e) = tree.can_dissolve(*id, &editable) {
                        refuse!(e);
                    }
                    let u = tree.get(*id).cloned().ok_or(StoreError::NotFound)?;
                    sqlx::query("UPDATE org_unit SET dissolved_at = $1, version = version + 1, updated_at = $1, updated_by = $2 WHERE id = $3")
                        .bind(now)
                        .bind(actor)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    log(
                        &mut tx, *id, now, actor, "dissolve", &u.name, "", reason, doc_no,
                    )
                    .await?;
                    units.retain(|x| x.id != *id);
                    taken.push(u.code);
                    touched.remove(id);
                    applied.dissolved.push(*id);
                }
                OrgCommand::Reinstate { id, version } => {
                    let row: Option<UnitRow> = sqlx::query_as(&format!(
                        "{UNIT_SELECT} WHERE u.id = $1 AND u.dissolved_at IS NOT NULL"
                    ))
                    .bind(id)
                    .fetch_optional(&mut *tx)
                    .await?;
                    let Some(row) = row else {
                        refuse!(OrgError::UnknownUnit)
                    };
                    let u = OrgUnit::from(row);
                    if u.version != *version {
                        refuse!(self.conflict(&mut tx, *id).await?);
                    }
                    if !editable(&u.code) {
                        refuse!(OrgError::OutOfScope { unit: u.name });
                    }
                    let parent = u.parent.and_then(|p| tree.get(p));
                    match parent {
                        Some(p) if levels.allows_child(&p.level, &u.level) => {}
                        Some(p) => refuse!(OrgError::LevelNotAllowed {
                            child: levels.name(&u.level, true),
                            parent: levels.name(&p.level, true),
                        }),
                        None if u.parent.is_none() => {}
                        None => refuse!(OrgError::UnknownUnit),
                    }
                    if tree.by_code(&u.code).is_some() {
                        refuse!(OrgError::UnknownUnit);
                    }
                    sqlx::query("UPDATE org_unit SET dissolved_at = NULL, version = version + 1, updated_at = $1, updated_by = $2 WHERE id = $3")
                        .bind(now)
                        .bind(actor)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    log(&mut tx, *id, now, actor, "reinstate", "", &u.name, "", "").await?;
                    taken.retain(|c| c != &u.code);
                    units.push(OrgUnit {
                        version: u.version + 1,
                        ..u
                    });
                    applied.dissolved.retain(|d| d != id);
                    touched.insert(*id);
                }
                OrgCommand::Details { id, details, .. } => {
                    let u = tree.get(*id).cloned().ok_or(StoreError::NotFound)?;
                    if !editable(&u.code) {
                        refuse!(OrgError::OutOfScope { unit: u.name });
                    }
                    let grid_id: Option<i64> = match &details.grid {
                        None => None,
                        Some(g) => {
                            let found: Option<i64> =
                                sqlx::query_scalar("SELECT id FROM grid WHERE code = $1")
                                    .bind(g)
                                    .fetch_optional(&mut *tx)
                                    .await?;
                            match found {
                                Some(gid) => Some(gid),
                                None => refuse!(OrgRefusal::UnknownGrid(g.clone())),
                            }
                        }
                    };
                    let old_roles = roles_of(&mut tx, *id).await?;
                    // Rows the editor names must be this unit's, live or taken off earlier (undo).
                    let all_roles: Vec<RoleRow> = sqlx::query_as(
                        "SELECT id, role, person_name, phone, resident_unit FROM org_role WHERE unit_id = $1",
                    )
                    .bind(id)
                    .fetch_all(&mut *tx)
                    .await?;
                    if details
                        .roles
                        .iter()
                        .filter_map(|r| r.id)
                        .any(|rid| !all_roles.iter().any(|o| o.id == rid))
                    {
                        refuse!(OrgError::Role);
                    }
                    write_roles(&mut tx, *id, &old_roles, &all_roles, details, now).await?;
                    sqlx::query("UPDATE org_unit SET term_start = $1, term_years = $2, grid_id = $3, version = version + 1, updated_at = $4, updated_by = $5 WHERE id = $6")
                        .bind(&details.term_start)
                        .bind(details.term_years as i64)
                        .bind(grid_id)
                        .bind(now)
                        .bind(actor)
                        .bind(id)
                        .execute(&mut *tx)
                        .await?;
                    let new_roles = roles_of(&mut tx, *id).await?;
                    let describe = |term: &Option<String>,
                                    years: u8,
                                    grid: &Option<String>,
                                    roles: &[RoleRow]| {
                        serde_json::json!({
                            "term_start": term, "term_years": years, "grid": grid,
                            "roles": masked_roles(roles),
                        })
                        .to_string()
                    };
                    let before = describe(&u.term_start, u.term_years, &u.grid, &old_roles);
                    let after = describe(
                        &details.term_start,
                        details.term_years,
                        &details.grid,
                        &new_roles,
                    );
                    log(&mut tx, *id, now, actor, "details", &before, &after, "", "").await?;
                    if let Some(x) = units.iter_mut().find(|x| x.id == *id) {
                        x.term_start = details.term_start.clone();
                        x.term_years = details.term_years;
                        x.grid = details.grid.clone();
                        x.version += 1;
                    }
                    touched.insert(*id);
                }
            }
            tree = Tree::new(units.clone());
        }
        // The state as committed, read back inside the transaction (secretaries, member counts).
        let ids: Vec<i64> = touched.into_iter().collect();
        let mut out = Vec::new();
        for chunk in ids.chunks(500) {
            let list = chunk
                .iter()
                .map(|i| i.to_string())
                .collect::<Vec<_>>()
                .join(",");
            let rows: Vec<UnitRow> =
                sqlx::query_as(&format!("{UNIT_SELECT} WHERE u.id IN ({list})"))
                    .fetch_all(&mut *tx)
                    .await?;
            out.extend(rows.into_iter().map(OrgUnit::from));
        }
        tx.commit().await?;
        out.sort_by(|a, b| a.code.cmp(&b.code));
        applied.units = out;
        Ok(Ok(applied))
    }

    /// Writes a planned import in one transaction: new units are inserted parents first (with the
    /// file's id as `source_id` when Linli numbered them), existing ones get the file's name,
    /// secretary (and phone), term start, member count and grid. `plan` runs inside the
    /// transaction on the tree as it is then, and refusing there writes nothing.
    pub async fn import_org(
        &self,
        actor: &str,
        now: i64,
        plan: impl FnOnce(&domain::org::import::Stored, &HashSet<String>) -> domain_plan::Plan,
    ) -> Result<domain_plan::Plan> {
        let levels = self.org_levels().await?;
        let mut tx = self.begin_write().await?;
        let (units, taken) = self.live_tree(&mut tx).await?;
        let tree = Tree::new(units);
        let sources: std::collections::HashMap<String, String> = sqlx::query_as(
            "SELECT source_id, code FROM org_unit WHERE source_id IS NOT NULL AND dissolved_at IS NULL",
        )
        .fetch_all(&mut *tx)
        .await?
        .into_iter()
        .collect();
        let taken: HashSet<String> = taken.into_iter().collect();
        let grids: Vec<(String, i64)> = sqlx::query_as("SELECT code, id FROM grid")
            .fetch_all(&mut *tx)
            .await?;
        let grid_codes: HashSet<String> = grids.iter().map(|g| g.0.clone()).collect();
        let stored = domain::org::import::Stored {
            tree: &tree,
            sources: &sources,
            taken: &taken,
        };
        let p = plan(&stored, &grid_codes);
        if !p.is_clean() {
            return Ok(p);
        }
        let grid_id = |code: &Option<String>| {
            code.as_ref()
                .and_then(|c| grids.iter().find(|g| &g.0 == c))
                .map(|g| g.1)
        };
        let mut ids: std::collections::HashMap<String, i64> = tree
            .units()
            .iter()
            .map(|u| (u.code.clone(), u.id))
            .collect();
        for r in domain::org::import::write_order(&p.rows) {
            let id = if let Some(&id) = ids.get(&r.code) {
                sqlx::query("UPDATE org_unit SET name = $1, term_start = COALESCE($2, term_start), grid_id = COALESCE($3, grid_id), member_count = COALESCE($4, member_count), version = version + 1, updated_at = $5, updated_by = $6 WHERE id = $7")
                    .bind(&r.name)
                    .bind(&r.term_start)
                    .bind(grid_id(&r.grid))
                    .bind(r.members)
                    .bind(now)
                    .bind(actor)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?;
                id
            } else {
                let parent = r.parent.as_ref().and_then(|c| ids.get(c)).copied();
                let id: i64 = sqlx::query_scalar(
                    "INSERT INTO org_unit (code, parent_id, level, name, grid_id, term_start, term_years, version, updated_at, updated_by, source_id, member_count) \
                     VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $11) RETURNING id",
                )
                .bind(&r.code)
                .bind(parent)
                .bind(&r.level)
                .bind(&r.name)
                .bind(grid_id(&r.grid))
                .bind(&r.term_start)
                .bind(levels.term_years(&r.level) as i64)
                .bind(now)
                .bind(actor)
                .bind((r.source_id != r.code).then_some(&r.source_id))
                .bind(r.members)
                .fetch_one(&mut *tx)
                .await
                .map_err(StoreError::from_insert)?;
                ids.insert(r.code.clone(), id);
                id
            };
            if let Some(s) = &r.secretary {
                let n = sqlx::query("UPDATE org_role SET person_name = $1, phone = COALESCE($2, phone) WHERE id = (SELECT MIN(id) FROM org_role WHERE unit_id = $3 AND role = 'secretary' AND removed_at IS NULL)")
                    .bind(s)
                    .bind(&r.phone)
                    .bind(id)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected();
                if n == 0 {
                    sqlx::query("INSERT INTO org_role (unit_id, role, person_name, phone) VALUES ($1, 'secretary', $2, $3)")
                        .bind(id)
                        .bind(s)
                        .bind(r.phone.as_deref().unwrap_or(""))
                        .execute(&mut *tx)
                        .await?;
                }
            }
            let after = serde_json::json!({"code": r.code, "name": r.name, "level": r.level, "secretary": r.secretary, "source_id": r.source_id, "members": r.members}).to_string();
            log(&mut tx, id, now, actor, "import", "", &after, "", "").await?;
        }
        tx.commit().await?;
        Ok(p)
    }

    /// What an import preview needs beside the tree: imported units' source ids (→ code) and the
    /// codes of dissolved units.
    pub async fn org_import_context(
        &self,
    ) -> Result<(std::collections::HashMap<String, String>, HashSet<String>)> {
        let sources = sqlx::query_as::<_, (String, String)>(
            "SELECT source_id, code FROM org_unit WHERE source_id IS NOT NULL AND dissolved_at IS NULL",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        let taken = sqlx::query_scalar::<_, String>(
            "SELECT code FROM org_unit WHERE dissolved_at IS NOT NULL",
        )
        .fetch_all(self.pool())
        .await?
        .into_iter()
        .collect();
        Ok((sources, taken))
    }

    pub async fn count_units(&self) -> Result<i64> {
        Ok(
            sqlx::query_scalar("SELECT COUNT(*) FROM org_unit WHERE dissolved_at IS NULL")
                .fetch_one(self.pool())
                .await?,
        )
    }
}

mod domain_plan {
    pub type Plan = domain::org::import::ImportPlan;
}

/// Replaces a unit's roles with the submitted list: rows named by id are updated (and brought
/// back if they had been taken off; a phone that still shows the mask keeps the stored number),
/// live rows not named are taken off (kept with `removed_at`), new rows inserted.
async fn write_roles(
    tx: &mut Tx,
    unit: i64,
    live: &[RoleRow],
    all: &[RoleRow],
    details: &UnitDetails,
    now: i64,
) -> Result<()> {
    let keep: HashSet<i64> = details.roles.iter().filter_map(|r| r.id).collect();
    for o in live.iter().filter(|o| !keep.contains(&o.id)) {
        sqlx::query("UPDATE org_role SET removed_at = $1 WHERE id = $2")
            .bind(now)
            .bind(o.id)
            .execute(&mut **tx)
            .await?;
    }
    for r in &details.roles {
        let RoleHolder {
            id,
            role,
            person_name,
            phone,
            resident_unit,
        } = r;
        let resident = (!resident_unit.is_empty()).then_some(resident_unit.as_str());
        match id.and_then(|i| all.iter().find(|o| o.id == i)) {
            Some(o) => {
                let phone = if phone.contains('*') {
                    o.phone.as_str()
                } else {
                    phone.as_str()
                };
                sqlx::query("UPDATE org_role SET role = $1, person_name = $2, phone = $3, resident_unit = $4, removed_at = NULL WHERE id = $5")
                    .bind(role)
                    .bind(person_name)
                    .bind(phone)
                    .bind(resident)
                    .bind(o.id)
                    .execute(&mut **tx)
                    .await?;
            }
            None => {
                let phone = if phone.contains('*') {
                    ""
                } else {
                    phone.as_str()
                };
                sqlx::query("INSERT INTO org_role (unit_id, role, person_name, phone, resident_unit) VALUES ($1, $2, $3, $4, $5)")
                    .bind(unit)
                    .bind(role)
                    .bind(person_name)
                    .bind(phone)
                    .bind(resident)
                    .execute(&mut **tx)
                    .await?;
            }
        }
    }
    Ok(())
}
